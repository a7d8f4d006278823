/*
 * History through libgit2: committing (see vcs.h) and the hooks' checks.
 *
 * A commit, step by step, under fieldbook's writer lock (taken by the
 * caller):
 *   1. read HEAD (or an unborn branch);
 *   2. diff HEAD's tree against the working tree, limited to records/,
 *      schemas/ and fieldbook.yaml, keeping record files by SPEC §1's rules;
 *      of those, the targets are what this commit takes;
 *   3. store the targets' blobs, then check the tree the commit will make.
 *      The working tree differs from it only where changes are left out of
 *      this commit, so the check reads the working tree (fast, on every
 *      core) with the stored blobs laid over the targets and HEAD's version
 *      over each left-out path (fb_source_overlay): what is checked is
 *      exactly what is committed;
 *   4. make the tree: HEAD's, with the targets' blobs upserted or removed
 *      (git_tree_create_updated: nothing else of HEAD or the index moves);
 *   5. write the commit (signed when asked: gpg or ssh-keygen, fed the
 *      commit buffer);
 *   6. put a new index in place: the entries of exactly those paths up to
 *      date, so `git status` is clean for them and a user's staged files
 *      stay staged; the old one is kept aside;
 *   7. move the branch by compare-and-swap; if that fails the old index
 *      goes back, and if another writer moved the branch first, start
 *      again from 1.
 * The index is locked (index.lock, as git locks it for a commit) from
 * step 1 to step 7, so no git command can commit from an index we are
 * changing.  Index before branch: a process killed between the two leaves
 * the files staged, as `git add` would, never a HEAD whose files the index
 * calls deleted; the index.lock it leaves says "fieldbook", and the next
 * fieldbook removes it (it holds the writer lock, so the maker is dead).
 * libgit2 locks (index.lock, a ref's .lock) held by someone else are retried
 * with backoff and then reported with their path.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fieldbook/check.h>
#include <fieldbook/date.h>
#include <fieldbook/diff.h>
#include <fieldbook/vcs.h>

#include "repo.h"

extern char **environ;

#define LOCK_TRIES 6 /* 50, 100, 200, 400, 800, 1600 ms */

/* ---- identities ----------------------------------------------------------------- */

void fb_ident_release(struct fb_ident *id)
{
	free(id->name);
	free(id->email);
	memset(id, 0, sizeof(*id));
}

/* "+0330", "-0500", "+03:30", "Z": minutes east of UTC; false unless a real offset. */
static bool parse_offset(const char *s, int *offset, const char **end)
{
	int hh, mm, sign;
	if (*s == 'Z') {
		*offset = 0;
		*end = s + 1;
		return true;
	}
	if (*s != '+' && *s != '-')
		return false;
	sign = *s == '-' ? -1 : 1;
	s++;
	if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9'))
		return false;
	hh = (s[0] - '0') * 10 + s[1] - '0';
	s += 2 + (*s && s[2] == ':');
	if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9'))
		return false;
	mm = (s[0] - '0') * 10 + s[1] - '0';
	if (hh > 14 || mm > 59)
		return false;
	*offset = sign * (hh * 60 + mm);
	*end = s + 2;
	return true;
}

/*
 * A date as git takes it in GIT_AUTHOR_DATE / GIT_COMMITTER_DATE:
 * "@1700000000 +0330", "1700000000 +0330", ISO 8601 ("2024-08-02T10:00:00+03:30",
 * a space for the T, "Z") or RFC 2822 ("Fri, 2 Aug 2024 10:00:00 +0330").
 * Anything else is false: git refuses it too.
 */
static bool parse_git_date(const char *s, int64_t *t, int *offset)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int y, mo, d, h, mi, sec, n = 0;
	char mon[4] = "";
	const char *end;

	while (*s == ' ')
		s++;
	if (*s == '@' || (*s >= '0' && *s <= '9' && strspn(s, "0123456789") >= 9 &&
			  (s[strspn(s, "0123456789")] == ' ' || !s[strspn(s, "0123456789")]))) {
		char *e;
		long long secs;
		s += *s == '@';
		secs = strtoll(s, &e, 10);
		if (e == s)
			return false;
		while (*e == ' ')
			e++;
		*offset = 0;
		if (*e && (!parse_offset(e, offset, &end) || *end))
			return false;
		*t = secs;
		return true;
	}
	if (sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6 && n) {
		s += n;
		while (*s == ' ')
			s++;
	} else {
		/* RFC 2822, the weekday optional */
		const char *comma = strchr(s, ',');
		if (comma)
			s = comma + 1;
		if (sscanf(s, " %2d %3s %4d %2d:%2d:%2d %n", &d, mon, &y, &h, &mi, &sec, &n) != 6 ||
		    !n || strlen(mon) != 3 || !strstr(months, mon) || (strstr(months, mon) - months) % 3)
			return false;
		mo = (int)(strstr(months, mon) - months) / 3 + 1;
		s += n;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
	    !parse_offset(s, offset, &end) || *end)
		return false;
	*t = (int64_t)fb_gregorian_to_day(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	     (int64_t)*offset * 60;
	return true;
}

static char *config_string(git_config *cfg, const char *key)
{
	git_buf b = {0};
	char *s = NULL;
	if (cfg && git_config_get_string_buf(&b, cfg, key) == 0)
		s = fb_strdup(b.ptr);
	git_buf_dispose(&b);
	return s;
}

/* Minutes east of UTC of the local time zone at `t` (struct tm has no offset in POSIX). */
static int local_offset(time_t t)
{
	struct tm lt, gt;
	int days;
	localtime_r(&t, &lt);
	gmtime_r(&t, &gt);
	days = lt.tm_yday - gt.tm_yday;
	if (days > 1 || days < -1) /* across a year's end */
		days = days > 0 ? -1 : 1;
	return days * 1440 + (lt.tm_hour - gt.tm_hour) * 60 + (lt.tm_min - gt.tm_min);
}

/* GIT_<WHO>_NAME/EMAIL/DATE into `id` (what is not set yet); FB_EUSAGE for a date git would refuse. */
static int from_env(const char *who, struct fb_ident *id, struct fb_diag *d)
{
	char key[40];
	const char *name, *email, *date;
	snprintf(key, sizeof(key), "GIT_%s_NAME", who);
	name = getenv(key);
	snprintf(key, sizeof(key), "GIT_%s_EMAIL", who);
	email = getenv(key);
	snprintf(key, sizeof(key), "GIT_%s_DATE", who);
	date = getenv(key);
	if (date && *date && !parse_git_date(date, &id->time, &id->offset)) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "%s='%s' is not a date: use @SECONDS +HHMM, ISO 8601 "
			     "(2024-08-02T10:00:00+03:30) or RFC 2822, as git does",
			     key, date);
		return FB_EUSAGE;
	}
	if (name && *name && !id->name)
		id->name = fb_strdup(name);
	if (email && *email && !id->email)
		id->email = fb_strdup(email);
	return 0;
}

static int parse_author_arg(const char *arg, struct fb_ident *id)
{
	const char *lt = strchr(arg, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	size_t n;
	if (!lt || !gt || gt[1] != '\0' || gt == lt + 1)
		return -1;
	n = (size_t)(lt - arg);
	while (n && arg[n - 1] == ' ')
		n--;
	if (!n)
		return -1;
	id->name = fb_strndup(arg, n);
	id->email = fb_strndup(lt + 1, (size_t)(gt - lt - 1));
	return 0;
}

int fb_ident_resolve(struct fb_repo *r, const char *author_arg, struct fb_ident *author,
		     struct fb_ident *committer, struct fb_diag *d)
{
	git_repository *git = fb_repo_git(r, d);
	git_config *cfg = NULL;
	char *cname = NULL, *cemail = NULL;
	time_t now = time(NULL);
	int err = FB_EIO;

	memset(author, 0, sizeof(*author));
	memset(committer, 0, sizeof(*committer));
	author->time = committer->time = now;
	author->offset = committer->offset = local_offset(now);
	if (git)
		git_repository_config_snapshot(&cfg, git);
	cname = config_string(cfg, "user.name");
	cemail = config_string(cfg, "user.email");
	git_config_free(cfg);

	if (author_arg && parse_author_arg(author_arg, author) < 0) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "--author takes \"NAME <EMAIL>\", not '%s'", author_arg);
		err = FB_EUSAGE;
		goto fail;
	}
	if (from_env("AUTHOR", author, d) < 0 || from_env("COMMITTER", committer, d) < 0) {
		err = FB_EUSAGE;
		goto fail;
	}
	if (!author->name && cname)
		author->name = fb_strdup(cname);
	if (!author->email && cemail)
		author->email = fb_strdup(cemail);
	if (!committer->name)
		committer->name = fb_strdup(cname ? cname : author->name ? author->name : "");
	if (!committer->email)
		committer->email = fb_strdup(cemail ? cemail : author->email ? author->email : "");
	if (!author->name || !author->email || !*committer->name || !*committer->email) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "who is committing? Tell git: git config user.name \"Your Name\"; git "
			     "config user.email you@example.org (or use --author \"NAME <EMAIL>\")");
		goto fail;
	}
	free(cname);
	free(cemail);
	return 0;
fail:
	free(cname);
	free(cemail);
	fb_ident_release(author);
	fb_ident_release(committer);
	return err;
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

/* ---- running a signer ------------------------------------------------------------------ */

/*
 * Run argv with `input` on its stdin; collect stdout and stderr.  Returns
 * the exit status (-1 when it could not run).  poll() keeps the pipes moving
 * whichever fills first.
 */
static int run_program(char *const argv[], const char *input, size_t inlen, struct fb_buf *out,
		       struct fb_buf *err)
{
	int in[2] = {-1, -1}, o[2] = {-1, -1}, e[2] = {-1, -1}, status, i;
	int *fds[] = {in, o, e};
	size_t written = 0;
	posix_spawn_file_actions_t fa;
	void (*old_pipe)(int);
	pid_t pid;
	int rc;

	if (pipe(in) < 0 || pipe(o) < 0 || pipe(e) < 0) {
		for (i = 0; i < 3; i++)
			if (fds[i][0] >= 0)
				close(fds[i][0]), close(fds[i][1]);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, o[1], 1);
	posix_spawn_file_actions_adddup2(&fa, e[1], 2);
	for (i = 0; i < 3; i++) {
		posix_spawn_file_actions_addclose(&fa, fds[i][0]);
		posix_spawn_file_actions_addclose(&fa, fds[i][1]);
	}
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		for (i = 0; i < 3; i++)
			close(fds[i][0]), close(fds[i][1]);
		errno = rc; /* posix_spawn returns the error instead of setting errno */
		return -1;
	}
	close(in[0]);
	close(o[1]);
	close(e[1]);
	old_pipe = signal(SIGPIPE, SIG_IGN); /* a signer that exits early must not kill us */
	for (;;) {
		struct pollfd p[3] = {{o[0], POLLIN, 0}, {e[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
		int n = written < inlen ? 3 : 2, k;
		char buf[4096];
		if (written >= inlen && in[1] >= 0) {
			close(in[1]);
			in[1] = -1;
		}
		if (p[0].fd < 0 && p[1].fd < 0)
			break;
		if (poll(p, (nfds_t)n, -1) < 0 && errno != EINTR)
			break;
		for (k = 0; k < 2; k++) {
			ssize_t r;
			if (p[k].fd < 0 || !(p[k].revents & (POLLIN | POLLHUP)))
				continue;
			r = read(p[k].fd, buf, sizeof(buf));
			if (r > 0) {
				fb_buf_add(k ? err : out, buf, (size_t)r);
			} else {
				close(p[k].fd);
				if (k)
					e[0] = -1;
				else
					o[0] = -1;
			}
		}
		p[0].fd = o[0];
		p[1].fd = e[0];
		if (n == 3 && (p[2].revents & (POLLOUT | POLLERR))) {
			ssize_t w = write(in[1], input + written, inlen - written);
			if (w > 0)
				written += (size_t)w;
			else
				written = inlen;
		}
		if (o[0] < 0 && e[0] < 0)
			break;
	}
	if (in[1] >= 0)
		close(in[1]);
	if (o[0] >= 0)
		close(o[0]);
	if (e[0] >= 0)
		close(e[0]);
	signal(SIGPIPE, old_pipe);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Sign a commit buffer as git would (gpg.format openpgp or ssh); the armoured signature. */
static int sign_buffer(struct fb_repo *r, git_config *cfg, const struct fb_ident *committer,
		       const char *buf, size_t len, struct fb_buf *sig, struct fb_diag *d)
{
	char *format = config_string(cfg, "gpg.format"), *key = config_string(cfg, "user.signingkey");
	bool ssh = format && !strcmp(format, "ssh");
	char *program = config_string(cfg, ssh ? "gpg.ssh.program" : "gpg.program");
	struct fb_buf err = FB_BUF_INIT, tmp = FB_BUF_INIT, arg = FB_BUF_INIT, out = FB_BUF_INIT;
	int rc = FB_EIO, status = -1, fd;

	if (ssh) {
		/* ssh-keygen -Y sign -n git -f KEY FILE writes FILE.sig */
		char *argv[] = {program ? program : "ssh-keygen", "-Y", "sign", "-n", "git", "-f",
				NULL, NULL, NULL};
		if (!key) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
				     "gpg.format is ssh but user.signingkey names no key file");
			goto out;
		}
		if (key[0] == '~' && key[1] == '/' && getenv("HOME"))
			fb_buf_addf(&arg, "%s%s", getenv("HOME"), key + 1);
		else
			fb_buf_puts(&arg, key);
		if (fb_repo_private_dir(r, NULL, &tmp, d) < 0)
			goto out;
		fb_buf_puts(&tmp, "/commit-XXXXXX");
		fd = mkstemp(tmp.ptr);
		if (fd < 0 || write(fd, buf, len) != (ssize_t)len) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "cannot write %s: %s", tmp.ptr,
				     strerror(errno));
			if (fd >= 0)
				close(fd);
			unlink(tmp.ptr);
			goto out;
		}
		close(fd);
		argv[6] = arg.ptr;
		argv[7] = tmp.ptr;
		status = run_program(argv, NULL, 0, &out, &err);
		fb_buf_reset(&out);
		fb_buf_addf(&out, "%s.sig", tmp.ptr);
		if (status == 0 && fb_buf_read_file(sig, out.ptr, 0) == 0)
			rc = 0;
		unlink(out.ptr);
		unlink(tmp.ptr);
	} else {
		/* gpg -bsau KEY, the buffer on stdin, the signature on stdout */
		char *argv[] = {program ? program : "gpg", "--status-fd=2", "-bsau", NULL, NULL};
		if (key)
			fb_buf_puts(&arg, key);
		else
			fb_buf_addf(&arg, "%s <%s>", committer->name, committer->email);
		argv[3] = arg.ptr;
		status = run_program(argv, buf, len, sig, &err);
		if (status == 0 && sig->len)
			rc = 0;
	}
	if (rc) {
		/* what the signer said, without gpg's machine-readable status lines */
		struct fb_buf said = FB_BUF_INIT;
		const char *p = err.ptr ? err.ptr : "";
		while (*p) {
			size_t n = strcspn(p, "\n");
			if (strncmp(p, "[GNUPG:]", 8))
				fb_buf_addf(&said, "%s%.*s", said.len ? "; " : "", (int)n, p);
			p += n + (p[n] == '\n');
		}
		if (status == -1)
			fb_buf_addf(&said, "%scannot run %s: %s", said.len ? "; " : "",
				    program ? program : ssh ? "ssh-keygen" : "gpg", strerror(errno));
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "signing the commit failed%s%s",
			     said.len ? ": " : "", said.len ? said.ptr : "");
		fb_buf_release(&said);
	}
out:
	free(format);
	free(key);
	free(program);
	fb_buf_release(&err);
	fb_buf_release(&tmp);
	fb_buf_release(&arg);
	fb_buf_release(&out);
	return rc;
}

/* ---- what changed ------------------------------------------------------------------------- */

struct pending {
	char *path;
	bool deleted;
	bool ignored;  /* by .gitignore: never committed, hidden from the check */
	bool stranger; /* under records/ or schemas/ but not one of ours (a bad name) */
	bool target;
	bool has_blob; /* `blob` is what the commit records for it */
	git_oid blob;
};

struct pendings {
	struct pending *v;
	size_t n, alloc;
};

static void pendings_release(struct pendings *p)
{
	size_t i;
	for (i = 0; i < p->n; i++)
		free(p->v[i].path);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

/* fieldbook's own paths: record files, schemas, fieldbook.yaml. */
static bool ours(const char *path)
{
	const char *name = strrchr(path, '/');
	name = name ? name + 1 : path;
	if (!strcmp(path, "fieldbook.yaml"))
		return true;
	if (!strncmp(path, "schemas/", 8))
		return !strchr(path + 8, '/') && name[0] != '.' && strlen(name) > 5 &&
		       has_suffix(name, ".yaml");
	if (!strncmp(path, "records/", 8))
		return strchr(path + 8, '/') && fb_is_record_name(name);
	return false;
}

static bool is_target(const char *path, const struct fb_strvec *targets)
{
	size_t i;
	if (!targets || !targets->n)
		return true;
	for (i = 0; i < targets->n; i++) {
		size_t n = strlen(targets->v[i]);
		if (!strncmp(path, targets->v[i], n) && (path[n] == '\0' || path[n] == '/'))
			return true;
	}
	return false;
}

static struct pending *add_pending(struct pendings *p, const char *path)
{
	struct pending *e;
	FB_GROW(p->v, p->n, p->alloc);
	e = &p->v[p->n++];
	memset(e, 0, sizeof(*e));
	e->path = fb_strdup(path);
	return e;
}

/*
 * One delta.  A path can come twice: deleted from the index but present as
 * an untracked file (an index that fell behind HEAD) is two deltas of a
 * file that exists, so the working tree decides: present if any says so.
 */
static int collect_pending(git_diff_delta const *delta, float progress, void *payload)
{
	struct pendings *p = payload;
	const char *path = delta->new_file.path ? delta->new_file.path : delta->old_file.path;
	bool deleted = delta->status == GIT_DELTA_DELETED;
	struct pending *e;
	(void)progress;
	if (p->n && !strcmp(p->v[p->n - 1].path, path)) { /* deltas come sorted by path */
		p->v[p->n - 1].deleted = p->v[p->n - 1].deleted && deleted;
		return 0;
	}
	e = add_pending(p, path);
	e->deleted = deleted;
	e->ignored = delta->status == GIT_DELTA_IGNORED;
	e->stranger = !ours(path);
	return 0;
}

/* A diff of fieldbook's paths, untracked and ignored files included. */
static void diff_options(git_diff_options *opts)
{
	static char *spec[] = {"records", "schemas", "fieldbook.yaml"};
	git_diff_options_init(opts, GIT_DIFF_OPTIONS_VERSION);
	opts->flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
		      GIT_DIFF_INCLUDE_IGNORED | GIT_DIFF_RECURSE_IGNORED_DIRS |
		      GIT_DIFF_INCLUDE_TYPECHANGE;
	opts->pathspec.strings = spec;
	opts->pathspec.count = FB_ARRAY_SIZE(spec);
}

/*
 * The differences between HEAD's tree (NULL: none) and the working tree
 * under records/, schemas/ and fieldbook.yaml, through the index's stat
 * cache.  Targets are ours, among `targets`, not ignored; files that are
 * not ours (a bad record name) are never targets, but the check hides them
 * too, and a *.yaml one that would have been a target gets a warning.
 */
static int find_pending(struct fb_repo *r, git_repository *git, git_tree *head,
			const struct fb_strvec *targets, const struct fb_strvec *also,
			struct pendings *out, struct fb_diag *d)
{
	struct fb_buf abs = FB_BUF_INIT;
	git_diff_options opts;
	git_diff *diff = NULL;
	size_t i, k;

	diff_options(&opts);
	if (git_diff_tree_to_workdir_with_index(&diff, git, head, &opts) < 0) {
		fb_git_diag(d, "cannot compare HEAD with the working tree");
		return FB_EIO;
	}
	git_diff_foreach(diff, collect_pending, NULL, NULL, NULL, out);
	git_diff_free(diff);
	for (i = 0; also && i < also->n; i++) {
		for (k = 0; k < out->n && strcmp(out->v[k].path, also->v[i]); k++)
			;
		if (k == out->n)
			add_pending(out, also->v[i]);
		out->v[k].stranger = false;
		out->v[k].target = true;
	}
	for (i = 0; i < out->n; i++) {
		struct pending *e = &out->v[i];
		bool wanted = e->target || is_target(e->path, targets);
		struct stat st;
		fb_buf_reset(&abs);
		fb_buf_addf(&abs, "%s/%s", fb_repo_root(r), e->path);
		if (e->deleted && lstat(abs.ptr, &st) == 0)
			e->deleted = false; /* gone from the index only: the working tree decides */
		e->target = wanted && !e->ignored && !e->stranger;
		if (wanted && e->stranger && !e->ignored && !e->deleted &&
		    !strncmp(e->path, "records/", 8) && has_suffix(e->path, ".yaml"))
			fb_diag_set(fb_diag_addf(d, FB_SEV_WARNING, e->path, 1, 1,
						 "not a record file name (SPEC §1: the id is "
						 "lower-case letters, digits, '.', '_', '-'); not "
						 "committed"),
				    "", "file", NULL, NULL);
	}
	fb_buf_release(&abs);
	return 0;
}

/*
 * The blobs the commit records, written now, so that what is checked is
 * exactly what is committed even if an editor saves meanwhile.  A symbolic
 * link is refused: records are files.
 */
static int make_blobs(struct fb_repo *r, git_repository *git, git_tree *head, struct pendings *p,
		      struct fb_diag *d)
{
	struct fb_buf abs = FB_BUF_INIT;
	size_t i, before = d->errors;
	int rc = 0;

	for (i = 0; i < p->n && rc == 0; i++) {
		struct pending *e = &p->v[i];
		struct stat st;
		if (!e->target || e->deleted)
			continue;
		fb_buf_reset(&abs);
		fb_buf_addf(&abs, "%s/%s", fb_repo_root(r), e->path);
		if (lstat(abs.ptr, &st) == 0 && S_ISLNK(st.st_mode)) {
			fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, e->path, 1, 1,
						 "a symbolic link: fieldbook commits records as "
						 "files (put the file itself here)"),
				    "", "file", NULL, NULL);
			continue;
		}
		if (git_blob_create_from_disk(&e->blob, git, abs.ptr) < 0) {
			fb_git_diag(d, "cannot store the file");
			rc = FB_EIO;
		}
		e->has_blob = true;
		/* the same as HEAD's (an index that fell behind): no change to commit */
		if (head && rc == 0) {
			git_tree_entry *te = NULL;
			if (git_tree_entry_bypath(&te, head, e->path) == 0 &&
			    git_oid_equal(git_tree_entry_id(te), &e->blob))
				e->target = false;
			git_tree_entry_free(te);
		}
	}
	fb_buf_release(&abs);
	if (rc == 0 && d->errors > before)
		rc = FB_EINVALID;
	return rc;
}

/* ---- the commit message ---------------------------------------------------------------- */

/* Parse a blob or file text as a typed record (NULL when absent or unreadable). */
static struct fb_doc *typed(const char *path, const struct fb_buf *text, const struct fb_schemas *ss,
			    const char *type)
{
	struct fb_diag ignore = FB_DIAG_INIT;
	struct fb_doc *doc = NULL;
	if (text->len)
		fb_record_parse(&doc, path, text->ptr, text->len, FB_PARSE_DEFAULT,
				ss ? fb_schemas_type(ss, type) : NULL, &ignore);
	fb_diag_release(&ignore);
	return doc;
}

/* One record the commit changes: its old and new place (a move has both, differing). */
struct record_change {
	char *type, *id;
	const struct pending *gone, *came; /* the deleted path / the added or modified one */
};

static void plural(struct fb_buf *b, size_t n, const char *one, const char *many)
{
	fb_buf_addf(b, "%zu %s", n, n == 1 ? one : many);
}

static void make_message(git_repository *git, git_tree *head, const struct pendings *p,
			 const struct fb_schemas *ss, const struct fb_commit_opts *o,
			 struct fb_commit_result *res)
{
	struct fb_buf msg = FB_BUF_INIT, body = FB_BUF_INIT, trailers = FB_BUF_INIT;
	struct fb_buf old = FB_BUF_INIT, new = FB_BUF_INIT, subject = FB_BUF_INIT;
	struct record_change *rc = fb_calloc(p->n + 1, sizeof(*rc));
	size_t i, k, nrec = 0, nfiles = 0;

	/* group the record paths by TYPE/ID: a move is a deletion and an addition */
	for (i = 0; i < p->n; i++) {
		const struct pending *e = &p->v[i];
		char *type = NULL, *id = NULL;
		if (!e->target)
			continue;
		if (!fb_record_path_parse(e->path, &type, &id)) {
			bool existed = head && fb_git_blob_at(git, head, e->path, &old) == 0;
			nfiles++;
			if (e->deleted)
				res->removed++;
			else if (existed)
				res->modified++;
			else
				res->added++;
			fb_buf_addf(&body, "%s %s\n",
				    e->deleted ? "removed" : existed ? "modified" : "added", e->path);
			fb_buf_reset(&subject);
			fb_buf_addf(&subject, "Update %s", e->path);
			continue;
		}
		for (k = 0; k < nrec && (strcmp(rc[k].type, type) || strcmp(rc[k].id, id)); k++)
			;
		if (k == nrec) {
			rc[nrec].type = type;
			rc[nrec++].id = id;
		} else {
			free(type);
			free(id);
		}
		if (e->deleted)
			rc[k].gone = e;
		else
			rc[k].came = e;
	}
	for (k = 0; k < nrec; k++) {
		struct record_change *c = &rc[k];
		const char *verb;
		bool had = false;
		fb_buf_reset(&old);
		fb_buf_reset(&new);
		if (c->gone)
			had = fb_git_blob_at(git, head, c->gone->path, &old) == 0;
		if (c->came) {
			if (!c->gone)
				had = fb_git_blob_at(git, head, c->came->path, &old) == 0;
			if (c->came->has_blob)
				fb_git_blob_read(git, &c->came->blob, 0, &new, NULL);
		}
		verb = !c->came ? "removed" : !had ? "added" : c->gone ? "moved" : "modified";
		if (!c->came)
			res->removed++;
		else if (!had)
			res->added++;
		else
			res->modified++;
		fb_buf_addf(&trailers, "Record: %s/%s\n", c->type, c->id);
		fb_buf_addf(&body, "%s %s/%s", verb, c->type, c->id);
		if (c->gone && c->came)
			fb_buf_addf(&body, " (from %s)", c->gone->path);
		fb_buf_reset(&subject);
		fb_buf_addf(&subject, "%s %s/%s", !c->came ? "Remove" : !had ? "Add" : c->gone ? "Move" : "Update",
			    c->type, c->id);
		if (c->came && had) {
			struct fb_changes ch = {0};
			struct fb_strvec tops = {0};
			struct fb_doc *a = typed(c->came->path, &old, ss, c->type);
			struct fb_doc *b = typed(c->came->path, &new, ss, c->type);
			size_t j;
			/* the message stays in history for all to read: never a confidential
			   value or key in it, whatever --show-confidential says */
			if (a && b)
				fb_diff_nodes(a->root, b->root, false, &ch);
			for (j = 0; j < ch.n; j++) {
				const char *path = ch.v[j].path, *top = path + (path[0] == '/');
				char *name = fb_strndup(top, strcspn(top, "/"));
				fb_buf_addf(&body, "%s%s", j ? ", " : ": ", path[0] ? path : "/");
				if (!fb_strvec_has(&tops, name))
					fb_strvec_push(&tops, name);
				free(name);
			}
			/* the subject names a few of the top-level fields that changed */
			for (j = 0; j < tops.n && j < 3; j++)
				fb_buf_addf(&subject, "%s%s", j ? ", " : " (", tops.v[j]);
			if (tops.n > 3)
				fb_buf_puts(&subject, ", …");
			if (tops.n)
				fb_buf_puts(&subject, ")");
			fb_strvec_release(&tops);
			fb_changes_release(&ch);
			fb_doc_free(a);
			fb_doc_free(b);
		}
		fb_buf_putc(&body, '\n');
	}
	if (o->message && *o->message) {
		fb_buf_puts(&msg, o->message);
		fb_buf_rtrim(&msg);
	} else if (nrec + nfiles == 1) {
		fb_buf_add(&msg, subject.ptr, subject.len);
	} else {
		fb_buf_puts(&msg, "Update ");
		if (nrec)
			plural(&msg, nrec, "record", "records");
		if (nrec && nfiles)
			fb_buf_puts(&msg, " and ");
		if (nfiles)
			plural(&msg, nfiles, "file", "files");
		fb_buf_addf(&msg, " (%zu added, %zu changed, %zu removed)", res->added,
			    res->modified, res->removed);
	}
	fb_buf_addf(&msg, "\n\n%s\n%sValidated-by: fieldbook %s\n", body.ptr, trailers.ptr,
		    FB_VERSION);
	res->message = fb_buf_detach(&msg, NULL);
	for (k = 0; k < nrec; k++) {
		free(rc[k].type);
		free(rc[k].id);
	}
	free(rc);
	fb_buf_release(&body);
	fb_buf_release(&trailers);
	fb_buf_release(&old);
	fb_buf_release(&new);
	fb_buf_release(&subject);
}

/* ---- committing ------------------------------------------------------------------------- */

void fb_commit_result_release(struct fb_commit_result *res)
{
	free(res->message);
	memset(res, 0, sizeof(*res));
}

/* Retry a libgit2 call while someone else holds a lock; then say which. */
#define WITH_LOCK_RETRY(rc, call)                                                                  \
	do {                                                                                       \
		int try_;                                                                          \
		for (try_ = 0; try_ < LOCK_TRIES; try_++) {                                        \
			long ms_ = 50L << try_;                                                    \
			struct timespec ts_ = {ms_ / 1000, (ms_ % 1000) * 1000000L};               \
			if (((rc) = (call)) != GIT_ELOCKED)                                        \
				break;                                                             \
			nanosleep(&ts_, NULL);                                                     \
		}                                                                                  \
	} while (0)

static void lock_held(struct fb_diag *d, struct fb_repo *r, const char *what)
{
	const char *gd = fb_repo_git_dir(r, d);
	fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
		     "%s is locked: %s/%s.lock has stayed for 3 s.  If no git or fieldbook is "
		     "running, a crashed one left it: remove it (rm %s/%s.lock) and try again",
		     what, gd, what, gd, what);
}

/*
 * The branch HEAD names (refs/heads/main) and its tip (NULL: unborn).
 * FB_ERROR, with the reason, when HEAD is detached or a merge, rebase or
 * the like is in progress.
 */
static int head_branch(git_repository *git, struct fb_buf *name, git_commit **tip,
		       struct fb_diag *d)
{
	git_reference *head = NULL, *resolved = NULL;
	int rc;

	*tip = NULL;
	if (git_repository_state(git) != GIT_REPOSITORY_STATE_NONE) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "a merge, rebase, cherry-pick or revert is in progress: finish it "
			     "with git first (git status says how)");
		return FB_ERROR;
	}
	if (git_reference_lookup(&head, git, "HEAD") < 0) {
		fb_git_diag(d, "cannot read HEAD");
		return FB_EIO;
	}
	if (git_reference_type(head) != GIT_REFERENCE_SYMBOLIC) {
		git_reference_free(head);
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "HEAD is detached: check out a branch before committing");
		return FB_ERROR;
	}
	fb_buf_reset(name);
	fb_buf_puts(name, git_reference_symbolic_target(head));
	rc = git_reference_resolve(&resolved, head);
	if (rc == 0)
		rc = git_commit_lookup(tip, git, git_reference_target(resolved));
	else if (rc == GIT_ENOTFOUND)
		rc = 0; /* unborn: the first commit */
	git_reference_free(resolved);
	git_reference_free(head);
	if (rc < 0) {
		fb_git_diag(d, "cannot read the branch");
		return FB_EIO;
	}
	return 0;
}

/*
 * Check the tree the commit will make: the working tree, with the blobs
 * the commit records laid over the targets and HEAD's version over every
 * other changed path (or nothing where HEAD has none).
 */
static int check_result(struct fb_repo *r, git_repository *git, git_tree *head,
			const struct pendings *p, unsigned threads, struct fb_schemas **ss,
			struct fb_diag *d)
{
	struct fb_source *src = NULL;
	struct fb_check_stats st;
	struct fb_buf text = FB_BUF_INIT;
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_check_opts co = {false, threads, NULL};
	size_t i, before = d->errors;
	int err;

	fb_source_worktree(&src, r);
	for (i = 0; i < p->n; i++) {
		const struct pending *e = &p->v[i];
		if (e->has_blob) {
			fb_git_blob_read(git, &e->blob, 0, &text, NULL);
			fb_source_overlay(src, e->path, text.ptr, text.len);
		} else if (e->target && e->deleted) {
			fb_source_overlay(src, e->path, NULL, 0);
		} else if (!e->target) {
			if (fb_git_blob_at(git, head, e->path, &text) == 0)
				fb_source_overlay(src, e->path, text.ptr, text.len);
			else
				fb_source_overlay(src, e->path, NULL, 0);
		}
	}
	err = fb_check(src, NULL, 0, &co, &st, d);
	fb_schemas_load(ss, src, &quiet); /* for the message's field names */
	fb_diag_release(&quiet);
	fb_source_free(src);
	fb_buf_release(&text);
	if (err == FB_EIO)
		return err;
	return d->errors > before ? FB_EINVALID : 0;
}

static int build_tree(git_repository *git, git_tree *head, const struct pendings *p, git_oid *out,
		      struct fb_diag *d)
{
	git_tree_update *ups = fb_calloc(p->n + 1, sizeof(*ups));
	git_index *idx = NULL;
	size_t i, n = 0;
	int rc = 0;

	for (i = 0; i < p->n; i++) {
		if (!p->v[i].target)
			continue;
		ups[n].path = p->v[i].path;
		ups[n].action = p->v[i].deleted ? GIT_TREE_UPDATE_REMOVE : GIT_TREE_UPDATE_UPSERT;
		ups[n].filemode = GIT_FILEMODE_BLOB;
		if (!p->v[i].deleted)
			ups[n].id = p->v[i].blob;
		n++;
	}
	if (head) {
		rc = git_tree_create_updated(out, git, head, n, ups);
	} else {
		/* the first commit: no tree to update, so an index of just these files */
		rc = git_index_new(&idx);
		for (i = 0; i < n && rc == 0; i++) {
			git_index_entry e;
			if (ups[i].action != GIT_TREE_UPDATE_UPSERT)
				continue;
			memset(&e, 0, sizeof(e));
			e.path = ups[i].path;
			e.mode = GIT_FILEMODE_BLOB;
			e.id = ups[i].id;
			rc = git_index_add(idx, &e);
		}
		if (rc == 0)
			rc = git_index_write_tree_to(out, idx, git);
	}
	if (rc < 0)
		fb_git_diag(d, "cannot build the new tree");
	git_index_free(idx);
	free(ups);
	return rc < 0 ? FB_EIO : 0;
}

static int write_commit(struct fb_repo *r, git_repository *git, const git_oid *tree_id,
			git_commit *tip, const struct fb_ident *author,
			const struct fb_ident *committer, const char *message, bool sign,
			git_oid *out, struct fb_diag *d)
{
	git_signature *a = NULL, *c = NULL;
	git_tree *tree = NULL;
	git_buf buf = {0};
	git_config *cfg = NULL;
	struct fb_buf sig = FB_BUF_INIT;
	const git_commit *parents[1] = {tip};
	int rc = FB_EIO;

	if (git_signature_new(&a, author->name, author->email, author->time, author->offset) < 0 ||
	    git_signature_new(&c, committer->name, committer->email, committer->time,
			      committer->offset) < 0 ||
	    git_tree_lookup(&tree, git, tree_id) < 0) {
		fb_git_diag(d, "cannot make the commit");
		goto out;
	}
	if (!sign) {
		if (git_commit_create(out, git, NULL, a, c, NULL, message, tree, tip ? 1 : 0,
				      parents) < 0)
			fb_git_diag(d, "cannot make the commit");
		else
			rc = 0;
		goto out;
	}
	if (git_repository_config_snapshot(&cfg, git) < 0 ||
	    git_commit_create_buffer(&buf, git, a, c, NULL, message, tree, tip ? 1 : 0,
				     parents) < 0) {
		fb_git_diag(d, "cannot make the commit");
		goto out;
	}
	if (sign_buffer(r, cfg, committer, buf.ptr, buf.size, &sig, d) < 0)
		goto out;
	if (git_commit_create_with_signature(out, git, buf.ptr, sig.ptr, NULL) < 0)
		fb_git_diag(d, "cannot make the signed commit");
	else
		rc = 0;
out:
	fb_buf_release(&sig);
	git_config_free(cfg);
	git_buf_dispose(&buf);
	git_tree_free(tree);
	git_signature_free(a);
	git_signature_free(c);
	return rc;
}

static bool want_signature(git_repository *git, const struct fb_commit_opts *o)
{
	git_config *cfg = NULL;
	int on = 0;
	if (o->sign)
		return true;
	if (git_repository_config_snapshot(&cfg, git) == 0)
		git_config_get_bool(&on, cfg, "commit.gpgsign");
	git_config_free(cfg);
	return on;
}

/* What fieldbook writes into an index.lock it takes. */
#define OUR_LOCK "fieldbook\n"

/*
 * The index lock, held for a whole commit as git holds it: from reading
 * the index, through writing the new one, to moving the branch.  A git
 * command that wants the index meanwhile fails at once (as it would
 * against another git) instead of committing from an index we are about
 * to change.
 */
struct index_lock {
	struct fb_buf index; /* the index file */
	struct fb_buf lock;  /* its .lock */
	struct fb_buf next;  /* the new index, written beside it */
	struct fb_buf prev;  /* the old index, kept until the branch has moved */
	bool held;
};

/*
 * An index.lock that says OUR_LOCK was taken by a fieldbook holding the
 * writer lock, and is always removed before that lock is let go.  Now that
 * we hold the writer lock, its maker is dead (killed mid-commit): the lock
 * is stale for certain, and removing it is safe.  Any other index.lock
 * (git's) is left to the retry rules.
 */
static void remove_our_stale_lock(const char *path)
{
	char buf[sizeof(OUR_LOCK)];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n == (ssize_t)sizeof(OUR_LOCK) - 1 && !memcmp(buf, OUR_LOCK, (size_t)n))
		unlink(path);
}

/* Make index.lock by linking a file that already says OUR_LOCK: 0, GIT_ELOCKED or -1. */
static int try_lock(const char *lock, const char *tmp)
{
	return link(tmp, lock) == 0 ? 0 : errno == EEXIST ? GIT_ELOCKED : -1;
}

static int lock_index(struct fb_repo *r, git_repository *git, struct index_lock *il,
		      struct fb_diag *d)
{
	git_buf path = {0};
	struct fb_buf tmp = FB_BUF_INIT;
	int rc;

	if (git_repository_item_path(&path, git, GIT_REPOSITORY_ITEM_INDEX) < 0) {
		fb_git_diag(d, "cannot find the index");
		return FB_EIO;
	}
	fb_buf_puts(&il->index, path.ptr);
	fb_buf_addf(&il->lock, "%s.lock", path.ptr);
	fb_buf_addf(&il->next, "%s.fieldbook-%ld", path.ptr, (long)getpid());
	fb_buf_addf(&il->prev, "%s.fieldbook-old-%ld", path.ptr, (long)getpid());
	fb_buf_addf(&tmp, "%s.fieldbook-lock-%ld", path.ptr, (long)getpid());
	git_buf_dispose(&path);
	remove_our_stale_lock(il->lock.ptr);
	if ((rc = fb_file_replace(tmp.ptr, OUR_LOCK, sizeof(OUR_LOCK) - 1, 0644, "index", d)) == 0) {
		WITH_LOCK_RETRY(rc, try_lock(il->lock.ptr, tmp.ptr));
		if (rc == GIT_ELOCKED) {
			lock_held(d, r, "index");
			rc = FB_EIO;
		} else if (rc < 0) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "cannot lock the index (%s): %s",
				     il->lock.ptr, strerror(errno));
			rc = FB_EIO;
		}
	}
	unlink(tmp.ptr);
	fb_buf_release(&tmp);
	il->held = rc == 0;
	return rc;
}

static void unlock_index(struct index_lock *il)
{
	if (il->next.len)
		unlink(il->next.ptr);
	if (il->prev.len)
		unlink(il->prev.ptr);
	if (il->held)
		unlink(il->lock.ptr);
	il->held = false;
	fb_buf_release(&il->index);
	fb_buf_release(&il->lock);
	fb_buf_release(&il->next);
	fb_buf_release(&il->prev);
}

/*
 * The new index, with the committed paths' entries up to date and nothing
 * else moved, written beside the index (il->next).  It is read through that
 * second name of the index file: libgit2 writes a new file and renames it
 * over the name, so the index itself is untouched.  No index yet (a new
 * repository): an empty one.
 */
static int prepare_index(git_repository *git, const struct pendings *p,
			 const struct index_lock *il, struct fb_diag *d)
{
	git_index *idx = NULL;
	size_t i;
	int rc;

	unlink(il->next.ptr);
	rc = link(il->index.ptr, il->next.ptr) == 0 || errno == ENOENT ? 0 : -1;
	if (rc == 0)
		rc = git_index_open(&idx, il->next.ptr);
	if (rc == 0) /* add_bypath needs the index to belong to the repository */
		git_repository_set_index(git, idx);
	for (i = 0; rc == 0 && i < p->n; i++) {
		if (!p->v[i].target)
			continue;
		if (p->v[i].deleted)
			git_index_remove_bypath(idx, p->v[i].path);
		else if (git_index_add_bypath(idx, p->v[i].path) < 0)
			git_index_remove_bypath(idx, p->v[i].path);
	}
	if (rc == 0)
		rc = git_index_write(idx);
	if (rc < 0)
		fb_git_diag(d, "cannot write the index");
	/* the repository's index is the real one again, read when next needed */
	git_repository_set_index(git, NULL);
	git_index_free(idx);
	return rc < 0 ? FB_EIO : 0;
}

/* Put the new index in place, keeping the old one under il->prev. */
static int install_index(const struct index_lock *il, struct fb_diag *d)
{
	unlink(il->prev.ptr);
	if ((link(il->index.ptr, il->prev.ptr) < 0 && errno != ENOENT) ||
	    rename(il->next.ptr, il->index.ptr) < 0) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "cannot replace the index %s: %s",
			     il->index.ptr, strerror(errno));
		return FB_EIO;
	}
	return 0;
}

/* The branch did not move: the old index goes back (none, if there was none). */
static void restore_index(const struct index_lock *il)
{
	if (rename(il->prev.ptr, il->index.ptr) < 0 && errno == ENOENT)
		unlink(il->index.ptr);
}

/* Move the branch to `id` if it is still at `tip`: 0, FB_EIO, or 1 when it moved meanwhile. */
static int move_branch(struct fb_repo *r, git_repository *git, const char *branch,
		       const git_commit *tip, const git_oid *id, const char *message,
		       struct fb_diag *d)
{
	git_reference *ref = NULL;
	char reflog[512];
	int rc;

	snprintf(reflog, sizeof(reflog), "commit%s: %.*s", tip ? "" : " (initial)",
		 (int)strcspn(message, "\n"), message);
	if (tip)
		WITH_LOCK_RETRY(rc, git_reference_create_matching(&ref, git, branch, id, 1,
								  git_commit_id(tip), reflog));
	else
		WITH_LOCK_RETRY(rc, git_reference_create(&ref, git, branch, id, 0, reflog));
	git_reference_free(ref);
	if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS)
		return 1;
	if (rc == GIT_ELOCKED) {
		lock_held(d, r, branch);
		return FB_EIO;
	}
	if (rc < 0) {
		fb_git_diag(d, "cannot move the branch");
		return FB_EIO;
	}
	return 0;
}

int fb_vcs_commit(struct fb_repo *r, const struct fb_commit_opts *o, struct fb_commit_result *res,
		  struct fb_diag *d)
{
	git_repository *git = fb_repo_git(r, d);
	struct fb_ident author = {0}, committer = {0};
	struct fb_buf branch = FB_BUF_INIT;
	struct index_lock il = {FB_BUF_INIT, FB_BUF_INIT, FB_BUF_INIT, FB_BUF_INIT, false};
	bool moved = false;
	int attempt, rc = 0;

	memset(res, 0, sizeof(*res));
	if (!git)
		return FB_EIO;
	if ((rc = fb_ident_resolve(r, o->author_arg, &author, &committer, d)) < 0)
		return rc;
	if ((rc = lock_index(r, git, &il, d)) < 0)
		goto done;
	/* again from the top, on the new tip, while someone else moves the branch */
	for (attempt = 0; attempt < 5 && rc == 0 && !moved; attempt++) {
		git_commit *tip = NULL;
		git_tree *head = NULL;
		struct pendings p = {0};
		struct fb_schemas *ss = NULL;
		git_oid tree_id, commit_id;
		size_t i, targets = 0;

		fb_commit_result_release(res);
		if ((rc = head_branch(git, &branch, &tip, d)) < 0)
			break;
		if (tip && git_commit_tree(&head, tip) < 0) {
			fb_git_diag(d, "cannot read HEAD's tree");
			rc = FB_EIO;
		}
		if (rc == 0)
			rc = find_pending(r, git, head, o->targets, o->also, &p, d);
		if (rc == 0)
			rc = make_blobs(r, git, head, &p, d);
		for (i = 0; rc == 0 && i < p.n; i++)
			targets += p.v[i].target;
		if (rc == 0 && !targets) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
				     "nothing to commit: no record, schema or fieldbook.yaml "
				     "differs from HEAD%s",
				     o->targets && o->targets->n ? " among the targets" : "");
			rc = FB_ENOTFOUND;
		}
		if (rc == 0)
			rc = check_result(r, git, head, &p, o->threads, &ss, d);
		if (rc == 0)
			rc = build_tree(git, head, &p, &tree_id, d);
		if (rc == 0) {
			make_message(git, head, &p, ss, o, res);
			rc = write_commit(r, git, &tree_id, tip, &author, &committer, res->message,
					  want_signature(git, o), &commit_id, d);
		}
		/*
		 * The index first, then the branch: killed in between, the files
		 * are merely staged (what `git add` would have done), never a
		 * HEAD whose files the index calls deleted (which a later `git
		 * commit` would record).  When the branch does not move, the
		 * old index goes back.
		 */
		if (rc == 0)
			rc = prepare_index(git, &p, &il, d);
		if (rc == 0)
			rc = install_index(&il, d);
		if (rc == 0) {
			rc = move_branch(r, git, branch.ptr, tip, &commit_id, res->message, d);
			if (rc == 0) {
				moved = true;
				git_oid_tostr(res->id, sizeof(res->id), &commit_id);
			} else {
				restore_index(&il);
				if (rc == 1)
					rc = 0; /* someone committed meanwhile: again, on top */
			}
		}
		fb_schemas_free(ss);
		pendings_release(&p);
		git_tree_free(head);
		git_commit_free(tip);
	}
	if (rc == 0 && !moved) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "the branch kept moving while committing; try again");
		rc = FB_EIO;
	}
done:
	unlock_index(&il);
	fb_buf_release(&branch);
	fb_ident_release(&author);
	fb_ident_release(&committer);
	return rc;
}

/* ---- signatures ------------------------------------------------------------------------- */

int fb_vcs_verify_signature(struct fb_repo *r, const char *commit)
{
	struct fb_buf out = FB_BUF_INIT, err = FB_BUF_INIT;
	char *argv[] = {"git", "-C", (char *)fb_repo_root(r), "verify-commit", (char *)commit, NULL};
	int status = run_program(argv, NULL, 0, &out, &err);
	fb_buf_release(&out);
	fb_buf_release(&err);
	return status < 0 ? -1 : status == 0;
}

/* ---- the hooks' checks ------------------------------------------------------------------ */

static int collect_path(git_diff_delta const *delta, float progress, void *payload)
{
	(void)progress;
	fb_strvec_push(payload, delta->new_file.path ? delta->new_file.path : delta->old_file.path);
	return 0;
}

/*
 * The tree the index holds, checked like a commit's (see the top): the
 * working tree, with the staged version laid over each path where the two
 * differ, and files the index does not have hidden.
 */
int fb_vcs_check_index(struct fb_repo *r, const char *index_path, unsigned threads,
		       struct fb_check_stats *st, struct fb_diag *d)
{
	git_repository *git = fb_repo_git(r, d);
	git_index *idx = NULL;
	git_diff *diff = NULL;
	git_diff_options opts;
	struct fb_source *src = NULL;
	struct fb_strvec paths = {0};
	struct fb_check_opts co = {false, threads, NULL};
	size_t i, before = d->errors;
	int rc;

	if (!git)
		return FB_EIO;
	if (index_path && *index_path)
		rc = git_index_open(&idx, index_path);
	else
		rc = git_repository_index(&idx, git);
	diff_options(&opts);
	if (rc < 0 || git_index_read(idx, 0) < 0 ||
	    git_diff_index_to_workdir(&diff, git, idx, &opts) < 0) {
		fb_git_diag(d, "cannot read what is staged");
		git_index_free(idx);
		return FB_EIO;
	}
	git_diff_foreach(diff, collect_path, NULL, NULL, NULL, &paths);
	git_diff_free(diff);
	fb_source_worktree(&src, r);
	for (i = 0; i < paths.n; i++) {
		const git_index_entry *e = git_index_get_bypath(idx, paths.v[i], 0);
		git_blob *blob = NULL;
		if (e && git_blob_lookup(&blob, git, &e->id) == 0)
			fb_source_overlay(src, paths.v[i], git_blob_rawcontent(blob),
					  (size_t)git_blob_rawsize(blob));
		else
			fb_source_overlay(src, paths.v[i], NULL, 0);
		git_blob_free(blob);
	}
	git_index_free(idx);
	fb_strvec_release(&paths);
	rc = fb_check(src, NULL, 0, &co, st, d);
	fb_source_free(src);
	if (rc < 0)
		return rc;
	return d->errors > before ? FB_EINVALID : 0;
}

int fb_vcs_check_push(struct fb_repo *r, const char *updates, struct fb_diag *d)
{
	git_repository *git = fb_repo_git(r, d);
	const char *line = updates;
	struct fb_check_opts co = {false, 0, NULL};
	bool bad = false;

	if (!git)
		return FB_EIO;
	co.cache = fb_check_cache_new(); /* each record blob is checked once in the push */
	while (*line) {
		char oldhex[64] = "", newhex[64] = "", ref[512] = "";
		git_oid oldid, newid, id;
		git_revwalk *walk = NULL;
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *copy = fb_strndup(line, len);

		line += len + (nl ? 1 : 0);
		if (sscanf(copy, "%63s %63s %511s", oldhex, newhex, ref) != 3 ||
		    git_oid_fromstr(&newid, newhex) < 0) {
			free(copy);
			continue;
		}
		free(copy);
		if (git_oid_is_zero(&newid))
			continue; /* a deletion brings nothing */
		/* what no ref reaches yet (refs still point where they did before the push) */
		if (git_revwalk_new(&walk, git) < 0 || git_revwalk_push(walk, &newid) < 0) {
			fb_git_diag(d, "cannot read the pushed commits");
			git_revwalk_free(walk);
			bad = true;
			continue;
		}
		git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
		if (git_oid_fromstr(&oldid, oldhex) == 0 && !git_oid_is_zero(&oldid))
			git_revwalk_hide(walk, &oldid);
		git_revwalk_hide_glob(walk, "refs/*");
		while (git_revwalk_next(&id, walk) == 0) {
			struct fb_diag one = FB_DIAG_INIT;
			struct fb_source *src = NULL;
			struct fb_check_stats st;
			char hex[GIT_OID_HEXSZ + 1];
			git_commit *c = NULL;
			size_t i;

			git_oid_tostr(hex, sizeof(hex), &id);
			if (fb_source_rev(&src, r, hex, &one) == 0)
				fb_check(src, NULL, 0, &co, &st, &one);
			fb_source_free(src);
			if (one.errors) {
				const char *summary = "";
				bad = true;
				if (git_commit_lookup(&c, git, &id) == 0)
					summary = git_commit_summary(c);
				fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
					     "rejected %s (%.7s %s): its records do not validate:", ref,
					     hex, summary ? summary : "");
				git_commit_free(c);
				fb_diag_sort(&one);
				for (i = 0; i < one.n; i++)
					if (one.v[i].severity == FB_SEV_ERROR)
						fb_diag_push(d, &one.v[i]);
			}
			fb_diag_release(&one);
		}
		git_revwalk_free(walk);
	}
	fb_check_cache_free(co.cache);
	return bad ? FB_EINVALID : 0;
}
