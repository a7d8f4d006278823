/*
 * sync: the office's shared repository and this clone made one history
 * (SPEC §4 `sync`), through libgit2 alone.
 *
 *   1. refuse while records, schemas or settings have uncommitted changes
 *      (a merge in progress whose conflicts `resolve` settled is concluded
 *      first, as `commit` would);
 *   2. fetch the branch from the remote;
 *   3. nothing new: done; behind: fast-forward; diverged: merge the two
 *      trees, each record changed on both sides merged field by field
 *      (merge.h), a record both sides added under one id with different
 *      content renumbered on our side (the side not yet pushed) with the
 *      references to it in our changed records rewritten; the merged tree
 *      is checked (x-ref and x-unique span records: two valid sides can
 *      make an invalid merge) before anything local moves, then committed
 *      as the merge (vcs.h, with Record: trailers);
 *   4. push; when the remote moved meanwhile, again from 2, a bounded number
 *      of times.
 * A conflict leaves a merge in progress: the records keep ours where they
 * conflict, .git/fieldbook/conflicts lists the fields (conflict.h), and
 * `resolve` then `commit` or `sync` concludes it.  Credentials: ssh-agent,
 * then key files (fieldbook.sshKey, core.sshCommand's -i, ~/.ssh/id_*), the
 * host checked against ~/.ssh/known_hosts; HTTP(S) through git's credential
 * helpers (`git credential fill/approve/reject`).
 * The caller holds the writer lock.
 */
#ifndef FIELDBOOK_SYNC_H
#define FIELDBOOK_SYNC_H

#include <stdbool.h>

#include "diag.h"
#include "repo.h"

/* Progress of a transfer: `what` ("receiving objects"), done of total. */
typedef void fb_sync_progress_fn(void *ctx, const char *what, size_t done, size_t total);

struct fb_sync_opts {
	const char *remote;  /* a remote's name, a URL or a path; NULL: the upstream, else origin */
	bool push;           /* false: --no-push */
	bool interactive;    /* a credential helper may ask at the terminal */
	unsigned threads;    /* for checking the merged tree; 0: one per processor */
	fb_sync_progress_fn *progress; /* NULL: quiet */
	void *ctx;
};

enum fb_sync_how {
	FB_SYNC_UP_TO_DATE,   /* the remote had nothing new */
	FB_SYNC_FAST_FORWARD, /* we took the remote's commits */
	FB_SYNC_MERGED,       /* a merge commit joined both sides */
	FB_SYNC_CONFLICT,     /* a merge in progress waits for `resolve` */
};

struct fb_sync_renumbered {
	char *type, *from, *to;
};

struct fb_sync_result {
	enum fb_sync_how how;
	char *remote, *branch;     /* the remote's name or URL, the branch synced */
	char head[41];             /* HEAD afterwards */
	bool pushed;               /* the remote now has HEAD */
	bool concluded;            /* a settled merge in progress was committed first */
	unsigned attempts;         /* fetch-merge-push rounds */
	size_t behind, ahead;      /* commits taken from / given to the remote */
	struct fb_strvec merged;   /* TYPE/ID of the records merged field by field */
	struct fb_strvec conflicts; /* TYPE/ID left in conflict */
	struct fb_sync_renumbered *renumbered;
	size_t nrenumbered;
};
void fb_sync_result_release(struct fb_sync_result *res);

/*
 * Sync the current branch (see the top).  0 when done (res says how);
 * FB_EINVALID when refused or left in conflict (uncommitted changes,
 * unresolved conflicts, a merge that does not validate or cannot be made
 * field by field; the reasons in `d`, the local repository as it was, or a
 * merge in progress for FB_SYNC_CONFLICT); FB_EUSAGE for an unknown remote
 * or a detached HEAD; FB_EIO when the transfer or git failed (unreachable,
 * refused authentication, an unknown host, not a fieldbook repository) --
 * the local repository as it was.
 */
int fb_sync(struct fb_repo *r, const struct fb_sync_opts *o, struct fb_sync_result *res,
	    struct fb_diag *d);

#endif
