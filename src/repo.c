/*
 * The repository (see repo.h):
 * finding and opening it, its git directory, libgit2 opened on first use,
 * the symbolic-link rule of SPEC §1 for every working-tree path fieldbook
 * reads or writes (link_check: never followed out of the repository, never
 * written through), atomic writes and removals, and fieldbook's writer lock
 * and private folder.
 *
 * Symbolic links: a path is read only when each of its folders, and the
 * file itself, resolves inside the repository; a link to a folder is never
 * descended by a listing (store.c asks repo_link_check); nothing is written
 * through a link at all.  Every link refused for leaving the repository is
 * kept on the repository (fb_repo_refused_links) so that a command that
 * reads quietly can still warn about it once.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fieldbook/node.h>
#include <fieldbook/store.h>
#include <fieldbook/vcs.h>

#include "repo_int.h"

const char LINK_OUT[] = "symbolic link points outside the repository; not followed";
const char LINK_BROKEN[] = "symbolic link is broken; not followed";
const char LINK_WRITE[] = "symbolic link; fieldbook never writes through one";

/* ---- repository --------------------------------------------------------- */

static bool is_fieldbook_top(struct fb_buf *dir)
{
	size_t n = dir->len;
	bool ok;

	fb_buf_puts(dir, "/.git");
	ok = exists(dir->ptr);
	fb_buf_setlen(dir, n);
	fb_buf_puts(dir, "/schemas");
	ok = ok && is_dir(dir->ptr);
	fb_buf_setlen(dir, n);
	fb_buf_puts(dir, "/records");
	ok = ok && is_dir(dir->ptr);
	fb_buf_setlen(dir, n);
	return ok;
}

static struct fb_repo *repo_new(void)
{
	struct fb_repo *r = fb_calloc(1, sizeof(*r));
	pthread_mutex_init(&r->links_lock, NULL);
	return r;
}

int fb_repo_discover(struct fb_repo **out, const char *start, struct fb_diag *d)
{
	char *real = realpath(start ? start : ".", NULL);
	struct fb_buf dir = FB_BUF_INIT;
	struct fb_repo *r;

	*out = NULL;
	if (!real) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "cannot change to '%s': %s",
			     start ? start : ".", strerror(errno));
		return FB_ENOTFOUND;
	}
	fb_buf_puts(&dir, strcmp(real, "/") ? real : "");
	free(real);
	for (;;) {
		char *slash;
		if (is_fieldbook_top(&dir))
			break;
		slash = strrchr(dir.ptr, '/');
		if (!slash || dir.len == 0) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
				     "not a fieldbook repository (or any of the parent "
				     "directories): no git work tree with schemas/ and records/ "
				     "at its top; 'fieldbook init' makes one");
			fb_buf_release(&dir);
			return FB_ENOTFOUND;
		}
		fb_buf_setlen(&dir, (size_t)(slash - dir.ptr));
	}
	r = repo_new();
	r->root = dir.len ? fb_buf_detach(&dir, NULL) : fb_strdup("/");
	fb_buf_release(&dir);
	*out = r;
	return 0;
}

void fb_repo_free(struct fb_repo *r)
{
	if (!r)
		return;
	git_repository_free(r->git);
	if (r->git_init)
		git_libgit2_shutdown();
	for (size_t i = 0; i < r->nlinks; i++) {
		free(r->links[i].path);
	}
	free(r->links);
	pthread_mutex_destroy(&r->links_lock);
	free(r->root);
	free(r->git_dir);
	free(r);
}

const char *fb_repo_root(const struct fb_repo *r)
{
	return r->root;
}

/*
 * libgit2 caches trees of at most 4 KiB by default; a type folder of
 * thousands of records is a bigger tree, read again for every commit a
 * history walk passes.  Keep trees up to 1 MiB.
 */
static void git_start(void)
{
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)1 << 20);
}

int repo_open_git(struct fb_repo *r, struct fb_diag *d)
{
	if (r->git)
		return 0;
	if (!r->git_init) {
		git_start();
		r->git_init = true;
	}
	if (git_repository_open(&r->git, r->root) < 0 ||
	    fb_odb_guard_install(r->git, r->root, false, &r->guard) < 0) {
		fb_git_diag(d, "cannot open the git repository");
		git_repository_free(r->git);
		r->git = NULL;
		return FB_EIO;
	}
	return 0;
}

/* ---- symbolic links (SPEC §1) ---------------------------------------------- */

/* Whether an absolute path lies inside the repository. */
bool repo_inside(const struct fb_repo *r, const char *abs)
{
	size_t n = strlen(r->root);
	if (!strcmp(r->root, "/"))
		return true;
	return !strncmp(abs, r->root, n) && (abs[n] == '/' || abs[n] == '\0');
}

/* Remember a refused link (its repository-relative path), once. */
void repo_refuse_link(struct fb_repo *r, const char *path, size_t len, const char *why)
{
	size_t i;
	pthread_mutex_lock(&r->links_lock);
	for (i = 0; i < r->nlinks; i++)
		if (!strncmp(r->links[i].path, path, len) && !r->links[i].path[len])
			break;
	if (i == r->nlinks) {
		FB_GROW(r->links, r->nlinks, r->links_alloc);
		r->links[r->nlinks].path = fb_strndup(path, len);
		r->links[r->nlinks].why = why;
		r->links[r->nlinks].told = false;
		r->nlinks++;
	}
	pthread_mutex_unlock(&r->links_lock);
}

/*
 * Why the first `len` bytes of the repository-relative path `rel` may not
 * be read, or NULL when they may: every component that is a symbolic link
 * must resolve inside the repository.  A refused link is remembered under
 * its own path.  A component that does not exist ends the check (the read
 * then reports the missing file).  For `writing`, any link is refused.
 * `*at_len` (unless NULL) says how much of `rel` names the refused link.
 */
const char *repo_link_check(struct fb_repo *r, const char *rel, size_t len, bool writing,
			      size_t *at_len)
{
	struct fb_buf abs = FB_BUF_INIT;
	size_t at = strlen(r->root) + 1, i = 0;
	const char *why = NULL;

	fb_buf_puts(&abs, r->root);
	fb_buf_putc(&abs, '/');
	fb_buf_add(&abs, rel, len);
	while (i < len && !why) {
		const char *slash = memchr(rel + i, '/', len - i);
		size_t end = slash ? (size_t)(slash - rel) : len;
		struct stat st;
		char *target;

		abs.ptr[at + end] = '\0';
		if (lstat(abs.ptr, &st) < 0)
			break;
		if (S_ISLNK(st.st_mode) && writing) {
			why = LINK_WRITE;
			if (at_len)
				*at_len = end;
		} else if (S_ISLNK(st.st_mode)) {
			target = realpath(abs.ptr, NULL);
			if (!target || !repo_inside(r, target)) {
				why = target ? LINK_OUT : LINK_BROKEN;
				repo_refuse_link(r, rel, end, why);
				if (at_len)
					*at_len = end;
			}
			free(target);
		}
		if (slash)
			abs.ptr[at + end] = '/';
		i = end + 1;
	}
	fb_buf_release(&abs);
	return why;
}

const struct fb_refused_link *fb_repo_refused_links(struct fb_repo *r, size_t *n)
{
	*n = r->nlinks;
	return r->links;
}

void fb_repo_link_told(struct fb_repo *r, const char *path)
{
	size_t i;
	for (i = 0; path && i < r->nlinks; i++)
		if (!strcmp(r->links[i].path, path))
			r->links[i].told = true;
}

/* Make the folders above `abs` (an absolute file path) that do not exist yet. */
static int make_parents(char *abs)
{
	char *p;
	for (p = strchr(abs + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(abs, 0755) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

int fb_file_replace(const char *abs, const void *data, size_t len, unsigned new_mode,
		    const char *label, struct fb_diag *d)
{
	struct fb_buf tmp = FB_BUF_INIT, path = FB_BUF_INIT;
	const char *slash = strrchr(abs, '/');
	struct stat st;
	mode_t mode = (mode_t)new_mode;
	int fd = -1, err = FB_EIO;

	fb_buf_puts(&path, abs);
	fb_buf_add(&tmp, abs, slash ? (size_t)(slash - abs) + 1 : 0);
	fb_buf_puts(&tmp, ".fieldbook-XXXXXX");
	if (stat(abs, &st) == 0) {
		mode = st.st_mode & 07777;
	} else {
		mode_t mask = umask(0); /* a new file honours the umask, as open() would */
		umask(mask);
		mode &= ~mask;
		if (make_parents(path.ptr) < 0)
			goto fail;
	}
	fd = mkstemp(tmp.ptr);
	if (fd < 0)
		goto fail;
	if (fb_write_all(fd, data, len) < 0)
		goto fail;
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp.ptr, abs) < 0)
		goto fail;
	/* make the rename itself durable */
	fb_buf_setlen(&tmp, slash ? (size_t)(slash - abs) : 0);
	if ((fd = open(tmp.len ? tmp.ptr : ".", O_RDONLY | O_DIRECTORY)) >= 0) {
		fsync(fd);
		close(fd);
	}
	err = 0;
	goto out;
fail:
	fb_diag_addf(d, FB_SEV_ERROR, label, 0, 0, "cannot write: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp.ptr);
out:
	fb_buf_release(&tmp);
	fb_buf_release(&path);
	return err;
}

/* Refuse to write at `path` when its first `len` bytes have a link on them. */
static int write_check(struct fb_repo *r, const char *path, size_t len, struct fb_diag *d)
{
	size_t at = 0;
	if (!repo_link_check(r, path, len, true, &at))
		return 0;
	if (at < strlen(path))
		fb_diag_addf(d, FB_SEV_ERROR, path, 0, 0, "the folder %.*s is a %s", (int)at, path,
			     LINK_WRITE);
	else
		fb_diag_addf(d, FB_SEV_ERROR, path, 0, 0, "this file is a %s", LINK_WRITE);
	return FB_EINVALID;
}

int fb_repo_write_file(struct fb_repo *r, const char *path, const void *data, size_t len,
		       struct fb_diag *d)
{
	struct fb_buf abs = FB_BUF_INIT;
	int err;

	if (write_check(r, path, strlen(path), d) < 0)
		return FB_EINVALID;
	fb_buf_addf(&abs, "%s/%s", r->root, path);
	err = fb_file_replace(abs.ptr, data, len, 0644, path, d);
	fb_buf_release(&abs);
	return err;
}

int fb_repo_remove_file(struct fb_repo *r, const char *path, struct fb_diag *d)
{
	struct fb_buf abs = FB_BUF_INIT;
	const char *slash = strrchr(path, '/');
	int err = 0;

	if (slash && write_check(r, path, (size_t)(slash - path), d) < 0)
		return FB_EINVALID; /* the link itself may go: nothing behind it is touched */
	fb_buf_addf(&abs, "%s/%s", r->root, path);
	if (unlink(abs.ptr) < 0) {
		fb_diag_addf(d, FB_SEV_ERROR, path, 0, 0, "cannot remove: %s", strerror(errno));
		err = FB_EIO;
	}
	fb_buf_release(&abs);
	return err;
}

git_repository *fb_repo_git(struct fb_repo *r, struct fb_diag *d)
{
	return repo_open_git(r, d) < 0 ? NULL : r->git;
}

int fb_repo_open_env(struct fb_repo **out, struct fb_diag *d)
{
	struct fb_repo *r = repo_new();
	const char *path;
	char *real;

	*out = NULL;
	git_start();
	r->git_init = true;
	if (git_repository_open_ext(&r->git, NULL, GIT_REPOSITORY_OPEN_FROM_ENV, NULL) < 0) {
		fb_git_diag(d, "cannot open the git repository of this hook");
		fb_repo_free(r);
		return FB_ENOTFOUND;
	}
	r->bare = git_repository_is_bare(r->git);
	path = r->bare ? git_repository_path(r->git) : git_repository_workdir(r->git);
	/* the real path, so that link targets compare with it (link_check) */
	real = realpath(path, NULL);
	r->root = real ? real : fb_strdup(path);
	if (strlen(r->root) > 1 && r->root[strlen(r->root) - 1] == '/')
		r->root[strlen(r->root) - 1] = '\0';
	if (fb_odb_guard_install(r->git, r->root, true, &r->guard) < 0) {
		fb_git_diag(d, "cannot open the git repository of this hook");
		fb_repo_free(r);
		return FB_EIO;
	}
	*out = r;
	return 0;
}

const char *fb_repo_fault(const struct fb_repo *r)
{
	return r && r->git ? fb_odb_guard_fault(r->guard) : NULL;
}

bool fb_repo_is_bare(const struct fb_repo *r)
{
	return r->bare;
}

const char *fb_repo_git_dir(struct fb_repo *r, struct fb_diag *d)
{
	if (!r->git_dir) {
		if (repo_open_git(r, d) < 0)
			return NULL;
		r->git_dir = fb_strdup(git_repository_path(r->git));
		if (strlen(r->git_dir) > 1 && r->git_dir[strlen(r->git_dir) - 1] == '/')
			r->git_dir[strlen(r->git_dir) - 1] = '\0';
	}
	return r->git_dir;
}

/* ---- the writer lock and the private folder ----------------------------------------- */

static int lock_fd = -1;

int fb_repo_lock(struct fb_repo *r, int timeout_ms, struct fb_diag *d)
{
	const char *gd = fb_repo_git_dir(r, d);
	struct fb_buf path = FB_BUF_INIT;
	int waited = 0;

	if (!gd)
		return FB_EIO;
	fb_buf_addf(&path, "%s/fieldbook.lock", gd);
	lock_fd = open(path.ptr, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock_fd < 0) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "cannot open %s: %s", path.ptr,
			     strerror(errno));
		fb_buf_release(&path);
		return FB_EIO;
	}
	while (flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
		struct timespec ts = {0, 20 * 1000 * 1000};
		if (errno != EWOULDBLOCK || waited >= timeout_ms) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
				     "another fieldbook has been writing to this repository for %d s; "
				     "try again when it is done",
				     timeout_ms / 1000);
			close(lock_fd);
			lock_fd = -1;
			fb_buf_release(&path);
			return FB_EIO;
		}
		nanosleep(&ts, NULL);
		waited += 20;
	}
	fb_buf_release(&path);
	return 0;
}

void fb_repo_unlock(struct fb_repo *r)
{
	(void)r;
	if (lock_fd >= 0) {
		flock(lock_fd, LOCK_UN);
		close(lock_fd);
		lock_fd = -1;
	}
}

int fb_repo_private_dir(struct fb_repo *r, const char *sub, struct fb_buf *out, struct fb_diag *d)
{
	const char *gd = fb_repo_git_dir(r, d);
	if (!gd)
		return FB_EIO;
	fb_buf_reset(out);
	fb_buf_addf(out, "%s/fieldbook", gd);
	if (mkdir(out->ptr, 0700) < 0 && errno != EEXIST)
		goto fail;
	chmod(out->ptr, 0700);
	if (sub) {
		fb_buf_addf(out, "/%s", sub);
		if (mkdir(out->ptr, 0700) < 0 && errno != EEXIST)
			goto fail;
	}
	return 0;
fail:
	fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "cannot make %s: %s", out->ptr, strerror(errno));
	return FB_EIO;
}

/* Whether a draft's file name is "<stem>.yaml" or "<stem>-N.yaml" (keep_draft's names). */
static bool draft_of(const char *name, const char *stem)
{
	size_t n = strlen(stem);
	const char *p = name + n;
	if (!stem[0])
		return strlen(name) > 5 && !strcmp(name + strlen(name) - 5, ".yaml");
	if (strncmp(name, stem, n))
		return false;
	if (*p == '-' && p[1] >= '0' && p[1] <= '9')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	return !strcmp(p, ".yaml");
}

int fb_drafts_list(struct fb_repo *r, const char *stem, time_t older_than, struct fb_strvec *out)
{
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_buf dir = FB_BUF_INIT, path = FB_BUF_INIT;
	const char *gd = fb_repo_git_dir(r, &quiet);
	struct dirent *de;
	DIR *d;

	fb_diag_release(&quiet);
	if (!gd)
		return FB_EIO;
	fb_buf_addf(&dir, "%s/fieldbook/drafts", gd);
	if (!(d = opendir(dir.ptr))) {
		fb_buf_release(&dir);
		return 0; /* none kept yet */
	}
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' || !draft_of(de->d_name, stem))
			continue;
		fb_buf_reset(&path);
		fb_buf_addf(&path, "%s/%s", dir.ptr, de->d_name);
		if (lstat(path.ptr, &st) == 0 && S_ISREG(st.st_mode) &&
		    (!older_than || st.st_mtime <= older_than))
			fb_strvec_push(out, path.ptr);
	}
	closedir(d);
	fb_strvec_sort(out);
	fb_buf_release(&dir);
	fb_buf_release(&path);
	return 0;
}

