/*
 * A fieldbook repository (repo.c): finding and opening it, its paths, the
 * files of its working tree read, written and removed under the symbolic
 * link rule of SPEC §1, fieldbook's writer lock and its private folder.
 *
 * A repository is the first git work tree, from a start directory upward,
 * with `schemas/` and `records/` at its top (SPEC §1).  git is opened
 * lazily: reading the working tree never touches libgit2.
 */
#ifndef FIELDBOOK_REPO_H
#define FIELDBOOK_REPO_H

#include <stdbool.h>

#include "buf.h"
#include "diag.h"

struct fb_repo;

/*
 * Find the repository holding `start` (a directory; NULL for the current
 * one).  FB_ENOTFOUND with a diagnostic when there is none.
 */
int fb_repo_discover(struct fb_repo **out, const char *start, struct fb_diag *d);
void fb_repo_free(struct fb_repo *r);
/* The absolute path of the work tree's top, without a trailing slash (the git folder when bare). */
const char *fb_repo_root(const struct fb_repo *r);

/*
 * Open the repository git runs a hook in: GIT_DIR, GIT_OBJECT_DIRECTORY and
 * GIT_ALTERNATE_OBJECT_DIRECTORIES (a push's quarantine) are honoured, and a
 * bare repository is fine; only revisions can be read from it.
 */
int fb_repo_open_env(struct fb_repo **out, struct fb_diag *d);
bool fb_repo_is_bare(const struct fb_repo *r);
/*
 * The first damaged git object any read of this repository met, as a
 * message naming its file and id ("PATH: object OID is corrupt (WHY)");
 * NULL while none.  A read that met one failed, so whatever it fed is
 * incomplete, even where a caller took the failure for a missing object.
 * Borrowed; valid until fb_repo_free.
 */
const char *fb_repo_fault(const struct fb_repo *r);
/* The git folder (.git, or the bare repository), absolute; NULL when git cannot open it. */
const char *fb_repo_git_dir(struct fb_repo *r, struct fb_diag *d);

/*
 * Read a repository-relative file of the working tree, under the link rule
 * of fb_source_read_path; FB_ENOTFOUND (no diagnostic) when it is absent.
 */
int fb_repo_read_file(struct fb_repo *r, const char *path, struct fb_buf *out, struct fb_diag *d);

/*
 * Replace a repository-relative file of the working tree atomically: the
 * bytes go to a temporary file beside it (a dot name, so listings ignore
 * it), are flushed to disk, and the temporary file is renamed over the
 * old one; a crash leaves the old file or the new one, never half of one.
 * The old file's permissions are kept (0644 less the umask for a new
 * file); missing folders above it are made.  Nothing is written through
 * a symbolic link: a path with one on it is FB_EINVALID.
 */
int fb_repo_write_file(struct fb_repo *r, const char *path, const void *data, size_t len,
		       struct fb_diag *d);
/* Remove a repository-relative file of the working tree; never through a linked folder. */
int fb_repo_remove_file(struct fb_repo *r, const char *path, struct fb_diag *d);

/*
 * Symbolic links refused since the repository was opened (SPEC §1): a
 * file or folder that is a link out of the repository, or a broken link,
 * met while reading the working tree.  Readers skip them quietly; the
 * command reports each once (fb_repo_link_told marks those already shown).
 */
struct fb_refused_link {
	char *path;      /* repository-relative: the link itself */
	const char *why; /* "symbolic link points outside the repository; not followed" */
	bool told;
};
const struct fb_refused_link *fb_repo_refused_links(struct fb_repo *r, size_t *n);
void fb_repo_link_told(struct fb_repo *r, const char *path);

/* Wait (at most `timeout_ms`) for fieldbook's writer lock. */
int fb_repo_lock(struct fb_repo *r, int timeout_ms, struct fb_diag *d);
void fb_repo_unlock(struct fb_repo *r);

/* The private folder under .git where fieldbook keeps edit buffers and drafts (mode 0700). */
int fb_repo_private_dir(struct fb_repo *r, const char *sub, struct fb_buf *out, struct fb_diag *d);

#endif
