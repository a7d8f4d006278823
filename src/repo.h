/*
 * Private to the core: the libgit2 side of a repository, for the files
 * that speak git (store.c, vcs.c, setup.c, history.c).  Nothing here is public API.
 */
#ifndef FIELDBOOK_REPO_H
#define FIELDBOOK_REPO_H

#include <git2.h>
#include <git2/sys/repository.h> /* git_repository_set_index */

#include <fieldbook/store.h>

/* The repository's libgit2 handle, opened on first use; NULL (with a diagnostic) on failure. */
git_repository *fb_repo_git(struct fb_repo *r, struct fb_diag *d);

/* A diagnostic from libgit2's last error, prefixed with `what`. */
void fb_git_diag(struct fb_diag *d, const char *what);

#endif
