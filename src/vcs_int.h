/*
 * Private to the vcs module (vcs.c, vcs_commit.c): what its files share.
 * Nothing here is public API; include/fieldbook/vcs.h is the module's one
 * header.
 */
#ifndef FIELDBOOK_VCS_INT_H
#define FIELDBOOK_VCS_INT_H

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
#include <fieldbook/sync.h>
#include <fieldbook/vcs.h>

#include "repo_int.h"

extern char **environ;

#define LOCK_TRIES 6 /* 50, 100, 200, 400, 800, 1600 ms */

/* ---- shared between the files of the module ---- */

/* What commit takes and status and sync look at: records/, schemas/, fieldbook.yaml, .gitattributes. */
#define VCS_NPATHS 4
extern char *vcs_paths[VCS_NPATHS];

/* git's value of `key` (NULL: unset or no configuration); the caller frees it. */
char *vcs_config_string(git_config *cfg, const char *key);
/* git status of vcs_paths: index and working tree, untracked files one by one (vcs_status.c). */
int vcs_status_list(git_repository *git, git_status_list **out, struct fb_diag *d);

int vcs_sign_buffer(struct fb_repo *r, git_config *cfg, const struct fb_ident *committer,
		    const char *buf, size_t len, struct fb_buf *sig, struct fb_diag *d);
void vcs_diff_options(git_diff_options *opts);
/* Run argv with `input` on its stdin, collecting stdout and stderr: its exit status, -1 if it could not run. */
int vcs_run_program(char *const argv[], const char *input, size_t inlen, struct fb_buf *out,
		    struct fb_buf *err);

/* ---- sync's remote side (vcs_remote.c), used by vcs_sync.c ---- */

struct place {
	git_remote *remote, *push_remote;
	char *shown, *shown_push; /* their URLs for messages: no password */
	char *remote_name; /* NULL for a URL or path */
	char *branch;      /* "main" */
	char *ref;         /* "refs/heads/main" */
	git_oid head;      /* HEAD's commit */
	bool unborn;
	git_oid theirs;    /* the remote's branch, after fetching */
	bool has_theirs;
};
void vcs_place_release(struct place *p);
/* The branch HEAD names (a detached HEAD is FB_EUSAGE), its commit unless unborn. */
int vcs_read_head(git_repository *git, struct place *p, struct fb_diag *d);
/* The remote sync talks to (sync.h: a name, a URL, a path; the upstream; origin). */
int vcs_open_remote(git_repository *git, const char *name, struct place *p,
		    struct fb_diag *d);
/* Fetch the branch: p->theirs (p->has_theirs false: the remote has no such branch). */
int vcs_fetch(git_repository *git, struct place *p, const struct fb_sync_opts *o,
	      struct fb_diag *d);
/* Push the branch: 0, 1 when the remote moved meanwhile, FB_EINVALID refused, FB_EIO. */
int vcs_push(git_repository *git, struct place *p, const struct fb_sync_opts *o,
	     struct fb_diag *d);

#endif
