/*
 * Setting a repository up (setup.c): `init` -- a git repository with
 * fieldbook's files -- and the git hooks that run fieldbook.
 */
#ifndef FIELDBOOK_SETUP_H
#define FIELDBOOK_SETUP_H

#include "buf.h"
#include "diag.h"
#include "store.h"

/* A file to write, relative to the work tree. */
struct fb_file {
	const char *path;
	const unsigned char *data;
	size_t len;
};

/*
 * Make `dir` a git repository (a new one, or the existing one at exactly
 * that folder) and write `files` into its work tree; `wrote[i]` says
 * whether files[i] was written (false: it was there already, byte for
 * byte).  When any of them exists with other content nothing is written:
 * FB_EEXISTS, each such file in `d`.
 */
int fb_setup_init(const char *dir, const struct fb_file *files, size_t n, bool *wrote,
		  struct fb_diag *d);

/*
 * Install (or update) the pre-commit and pre-receive hooks, which run
 * `program` (absolute), or `fieldbook` on PATH when it is gone.  A hook that
 * is not fieldbook's is kept: FB_EINVALID with the reason in `d`; a hook
 * the file system refuses to take is FB_EIO.  The paths written go to
 * `written` (may be NULL).
 */
int fb_setup_hooks_install(struct fb_repo *r, const char *program, struct fb_strvec *written,
			   struct fb_diag *d);
/* Whether this clone runs fieldbook's hook (pre-commit; pre-receive when bare). */
bool fb_setup_hooks_installed(struct fb_repo *r);

/* The line of .gitattributes that sends records to fieldbook's merge driver. */
#define FB_SETUP_ATTRIBUTES "records/**/*.yaml merge=fieldbook"

/*
 * Register the record-aware merge driver in this clone: merge.fieldbook.name
 * and .driver (`program` merge-driver %O %A %B %P) in .git/config, which a
 * clone does not copy, and FB_SETUP_ATTRIBUTES in .gitattributes when that
 * lacks it (`*wrote_attributes` then; the file is the repository's, to be
 * committed).  Nothing for a bare repository.
 */
int fb_setup_merge_driver_install(struct fb_repo *r, const char *program, bool *wrote_attributes,
				  struct fb_diag *d);
/* Whether merge.fieldbook.driver runs fieldbook's merge-driver (true when bare). */
bool fb_setup_merge_driver_installed(struct fb_repo *r);

#endif
