/*
 * The audit trail: what history says about records, field by field.
 *
 * Everything here is semantic: versions of a record are parsed and compared
 * as data (diff.h), never as lines.  A record is followed by its TYPE/ID,
 * not its path, so a file moved to another sub-folder is the same record
 * (a rename).  Commits are walked newest first (commit time, parents
 * before children); a merge is shown with what it decided itself -- the
 * field changes whose new value differs from every parent -- so a change
 * made on a branch is attributed to the branch's commit, not to the merge
 * that brought it in.
 */
#ifndef FIELDBOOK_HISTORY_H
#define FIELDBOOK_HISTORY_H

#include "diff.h"
#include "regex.h"
#include "store.h"

enum fb_change_kind {
	FB_CHANGE_ADDED,
	FB_CHANGE_MODIFIED,
	FB_CHANGE_DELETED,
	FB_CHANGE_RENAMED,
};

/* "added", "modified", "deleted", "renamed" */
const char *fb_change_kind_name(enum fb_change_kind k);

/* One record that changed between two versions of the records. */
struct fb_record_change {
	char *type, *id;
	enum fb_change_kind kind;
	char *path; /* where it is now (deleted: where it was) */
	char *from; /* renamed: where it was; else NULL */
	struct fb_changes fields;
};

struct fb_record_changes {
	struct fb_record_change *v;
	size_t n, alloc;
};

void fb_record_changes_release(struct fb_record_changes *c);

/* A commit as the audit trail shows it. */
struct fb_commit_info {
	char id[41];
	char *author, *email;  /* the author */
	char *message;
	int64_t time;          /* commit time, seconds since the epoch */
	int offset;            /* its zone, minutes east of UTC */
	size_t nparents;
	bool signed_commit;    /* it carries a gpg or ssh signature */
	bool validated_by;     /* its message has a Validated-by: trailer */
};

void fb_commit_info_release(struct fb_commit_info *c);

/*
 * The record changes from `from_rev` (NULL: HEAD; an unborn HEAD is empty)
 * to `to_rev` (NULL: the working tree), limited to paths under one of
 * `prefixes` (repository-relative; NULL or empty: all records), sorted by
 * type and id.  Values of x-confidential fields are "***" unless
 * `show_confidential`.  FB_ENOTFOUND (with a diagnostic) for an unknown
 * revision.
 */
int fb_history_diff(struct fb_repo *r, const char *from_rev, const char *to_rev,
		    const struct fb_strvec *prefixes, bool show_confidential,
		    struct fb_record_changes *out, struct fb_diag *d);

struct fb_log_opts {
	const char *type, *id;   /* one record (both set), or every record */
	const char *rev;         /* where the walk starts; NULL: HEAD */
	bool has_since, has_until;
	int64_t since, until;    /* commit times, inclusive */
	struct fb_regex *author; /* matched against "NAME <EMAIL>", folded; NULL: anyone */
	size_t max;              /* at most this many commits; 0: all */
	bool show_confidential;
	bool every_commit;       /* also commits that change no record (audit) */
};

/*
 * Called for each commit, newest first, with the record changes it made;
 * a non-zero return stops the walk (and is returned).
 */
typedef int fb_log_fn(const struct fb_commit_info *c, const struct fb_record_changes *changes,
		      void *ctx);

/*
 * Walk history (see the top of this file).  With a record, only the commits
 * that changed it, and only its change.  FB_ENOTFOUND: no commits, or an
 * unknown revision.
 */
int fb_history_log(struct fb_repo *r, const struct fb_log_opts *o, fb_log_fn *fn, void *ctx,
		   struct fb_diag *d);

/* One leaf of a record and the commit that last set its value. */
struct fb_blame_entry {
	char *path;  /* JSON pointer */
	char *value; /* JSON ("***" when masked) */
	bool committed; /* false: the working tree's, not committed yet */
	struct fb_commit_info commit;
};

struct fb_blame {
	struct fb_blame_entry *v;
	size_t n, alloc;
};

void fb_blame_release(struct fb_blame *b);

/*
 * For every leaf of record TYPE/ID as the working tree has it (HEAD's when
 * the file is gone), in document order: the commit that last set its
 * current value.  A leaf the working tree changed is not committed yet.
 * Through merges the value is followed into the parent that has it; a
 * field removed and later added back is the later commit's.
 * FB_ENOTFOUND: no such record.
 */
int fb_history_blame(struct fb_repo *r, const char *type, const char *id, bool show_confidential,
		     struct fb_blame *out, struct fb_diag *d);

#endif
