/*
 * History: committing record changes through libgit2 (and, later, reading
 * history back).
 *
 * A commit takes HEAD's tree and replaces only fieldbook's own paths --
 * records/, schemas/, fieldbook.yaml -- with what the working tree holds
 * (git_tree_create_updated), so files a user staged for other reasons are
 * neither committed nor unstaged.  The resulting tree is checked before the
 * commit is made; the branch moves by compare-and-swap, and when it moved
 * meanwhile (a git commit in between) the commit is rebuilt on the new
 * HEAD.  Locks held by another git are retried with backoff; a lock that
 * stays is reported with its path, never waited on forever.  fieldbook's
 * own writers serialise on an flock() of .git/fieldbook.lock, which the
 * kernel releases when a process dies, so it is never stale.
 */
#ifndef FIELDBOOK_VCS_H
#define FIELDBOOK_VCS_H

#include <stdbool.h>

#include "check.h"
#include "diag.h"
#include "store.h"

struct fb_ident {
	char *name, *email;
	int64_t time;   /* seconds since the epoch */
	int offset;     /* minutes east of UTC */
};

void fb_ident_release(struct fb_ident *id);

/*
 * Who makes a commit, as git decides: the author from `author_arg` ("NAME
 * <EMAIL>"), else GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL, else user.name and
 * user.email of git config; the committer from GIT_COMMITTER_*, else git
 * config, else the author.  GIT_AUTHOR_DATE and GIT_COMMITTER_DATE ("@1700000000
 * +0330", "1700000000 +0330" or ISO 8601) fix the times.  FB_EIO with a
 * diagnostic saying how to set an identity when there is none; FB_EUSAGE
 * when `author_arg` is not "NAME <EMAIL>".
 */
int fb_ident_resolve(struct fb_repo *r, const char *author_arg, struct fb_ident *author,
		     struct fb_ident *committer, struct fb_diag *d);

/*
 * The drafts `new` and `edit` kept (.git/fieldbook/drafts/TYPE-ID[-N].yaml)
 * whose stem is `stem` ("contacts-c-0041"; "" for all), last written at or
 * before `older_than` (0: any time); full paths, sorted.
 */
int fb_drafts_list(struct fb_repo *r, const char *stem, time_t older_than, struct fb_strvec *out);

struct fb_commit_opts {
	const char *message;      /* -m; NULL: made from the changes */
	const struct fb_strvec *targets; /* repository-relative paths or folders; NULL: all of ours */
	const struct fb_strvec *also;    /* other files to commit as they are (init's README, settings) */
	const char *author_arg;   /* --author */
	bool sign;                /* --sign, or commit.gpgsign */
	unsigned threads;         /* for checking the tree; 0: one per processor */
	bool checked;             /* concluding a merge whose tree the caller has just checked
				     (sync): not checked again when nothing else differs */
};

struct fb_commit_result {
	char id[41];          /* the new commit */
	size_t added, modified, removed;
	char *message;
};

/*
 * Commit what the working tree changed in fieldbook's paths (or in
 * `o->targets`) on top of HEAD.  FB_ENOTFOUND: nothing to commit;
 * FB_EINVALID: the resulting tree does not validate (every problem in `d`);
 * FB_EUSAGE: a bad --author; FB_EIO: no identity, git failed or a lock
 * stayed held.  The caller holds the writer
 * lock.
 */
int fb_vcs_commit(struct fb_repo *r, const struct fb_commit_opts *o, struct fb_commit_result *res,
		  struct fb_diag *d);
void fb_commit_result_release(struct fb_commit_result *res);

/*
 * Check the tree that `git commit` is about to make: the index at
 * `index_path` (git's GIT_INDEX_FILE, a temporary index for `commit -a`), or
 * the repository's index when NULL.  Every
 * problem to `d`; FB_EINVALID when there is one.
 */
int fb_vcs_check_index(struct fb_repo *r, const char *index_path, unsigned threads,
		       struct fb_check_stats *st, struct fb_diag *d);

/*
 * Check what a push brings (git's pre-receive: "OLD NEW REF" lines): every
 * new commit's tree.  Problems are reported per commit in `d`; FB_EINVALID
 * when one is invalid.
 */
int fb_vcs_check_push(struct fb_repo *r, const char *updates, struct fb_diag *d);

/*
 * Whether a signed commit's signature is good, as `git verify-commit` says
 * with this repository's configuration (gpg.program, gpg.format,
 * gpg.ssh.allowedSignersFile): 1 good, 0 not good, -1 git could not run.
 */
int fb_vcs_verify_signature(struct fb_repo *r, const char *commit);

/* ---- a merge in progress ---- */

/* The three versions git keeps of an unmerged path (index stages 1, 2, 3). */
struct fb_vcs_sides {
	struct fb_buf base, ours, theirs;
	bool has_base, has_ours, has_theirs; /* false: not on that side */
};
void fb_vcs_sides_release(struct fb_vcs_sides *s);

/* The sides of unmerged `path`; FB_ENOTFOUND when the index has it merged (or not at all). */
int fb_vcs_unmerged_sides(struct fb_repo *r, const char *path, struct fb_vcs_sides *out,
			  struct fb_diag *d);
/* The unmerged paths of the index, sorted; none when no merge is in progress. */
int fb_vcs_unmerged(struct fb_repo *r, struct fb_strvec *out, struct fb_diag *d);
/* Stage the working tree's `path` (or its absence) as merged, as `git add` would. */
int fb_vcs_mark_resolved(struct fb_repo *r, const char *path, struct fb_diag *d);

/* ---- status (vcs_status.c) ---- */

/* A file under records/, schemas/, fieldbook.yaml or .gitattributes that differs from HEAD. */
struct fb_status_entry {
	char *path;     /* repository-relative */
	char *record;   /* TYPE/ID; NULL for a file that is not a record */
	char change;    /* 'A' added, 'M' modified, 'D' removed: HEAD against the working tree */
	bool staged;    /* the index differs from HEAD */
	bool unstaged;  /* the working tree differs from the index */
	struct fb_strvec fields; /* a modified record's changed field paths ("/" the whole) */
};

struct fb_status {
	char *branch;   /* NULL: HEAD is detached */
	char *upstream; /* "origin/main"; NULL: none */
	size_t ahead, behind; /* against the upstream, as of the last fetch */
	bool merging;   /* a merge is in progress */
	struct fb_status_entry *v;
	size_t n, alloc;
	struct fb_strvec conflicts; /* TYPE/ID of the records still unmerged */
	struct fb_strvec drafts;    /* what `new` and `edit` kept */
};

/* What git status says, in records (SPEC §4 `status`); every problem to `d`. */
int fb_vcs_status(struct fb_repo *r, struct fb_status *out, struct fb_diag *d);
void fb_vcs_status_release(struct fb_status *st);

#endif
