/*
 * Private to the core: the repository's struct and the libgit2 side of it,
 * for the files that speak git (repo.c, store.c, store_odb.c, vcs.c,
 * vcs_commit.c, setup.c, history.c).  Nothing here is public API.
 */
#ifndef FIELDBOOK_REPO_INT_H
#define FIELDBOOK_REPO_INT_H

#include <pthread.h>
#include <sys/stat.h>

#include <git2.h>
#include <git2/sys/repository.h> /* git_repository_set_index */

#include <fieldbook/store.h>

/* An open repository (repo.c): its paths, libgit2 handle and refused links. */
struct fb_repo {
	char *root;
	git_repository *git;
	bool git_init;
	bool bare;
	char *git_dir;
	pthread_mutex_t links_lock; /* readers on several threads share the repository */
	struct fb_refused_link *links;
	size_t nlinks, links_alloc;
	struct fb_odb_guard *guard; /* owned by git's odb */
};

/* ---- shared between the files of the module ---- */

void repo_refuse_link(struct fb_repo *r, const char *path, size_t len, const char *why);
int repo_open_git(struct fb_repo *r, struct fb_diag *d);
const char *repo_link_check(struct fb_repo *r, const char *rel, size_t len, bool writing,
			    size_t *at_len);
bool repo_inside(const struct fb_repo *r, const char *abs);

extern const char LINK_OUT[];
extern const char LINK_BROKEN[];
extern const char LINK_WRITE[];

static inline bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static inline bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* The repository's libgit2 handle, opened on first use; NULL (with a diagnostic) on failure. */
git_repository *fb_repo_git(struct fb_repo *r, struct fb_diag *d);

/*
 * The one way bytes come out of git: blob `id` into `out` (reset first).
 * 0; FB_EIO when it cannot be read; FB_EINVALID when it is over `max`
 * bytes (0: no limit), with `*size` (when asked) its size and `out` empty.
 */
int fb_git_blob_read(git_repository *git, const git_oid *id, size_t max, struct fb_buf *out,
		     size_t *size);
/* The blob at `path` in `tree` (NULL: none) into `out`; FB_ENOTFOUND when there is none. */
int fb_git_blob_at(git_repository *git, git_tree *tree, const char *path, struct fb_buf *out);

/* A diagnostic from libgit2's last error, prefixed with `what`. */
void fb_git_diag(struct fb_diag *d, const char *what);

/*
 * git_revparse_single, resolving a plain reference name ("HEAD", a branch)
 * itself: libgit2 1.5.1 leaks the reference when its object cannot be read.
 */
int fb_git_revparse(git_object **out, git_repository *git, const char *rev);

/*
 * store_odb.c: put the object guard in front of `git`'s loose objects (see
 * there): a damaged loose file fails the read at once, naming its path
 * (relative to `root` when under it) and id, instead of libgit2 1.5.1
 * looping on it.  `from_env`: the object folders of a hook's environment.
 * The odb owns the guard; `*out` is borrowed, valid while `git` is open.
 * -1 with libgit2's error set when it cannot be added.
 */
struct fb_odb_guard;
int fb_odb_guard_install(git_repository *git, const char *root, bool from_env,
			 struct fb_odb_guard **out);
/* The message naming the first damaged object a read met, NULL while none; borrowed. */
const char *fb_odb_guard_fault(struct fb_odb_guard *g);

#endif
