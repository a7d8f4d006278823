/*
 * The three-way merge of one record (SPEC §4 merge-driver and sync).
 *
 * Records are merged as data, at the level of field paths, and the result
 * is written by minimal edits to "ours", so that its comments and blank
 * lines stay:
 *
 *   - a value only one side changed takes that side's value; both sides
 *     changing it to the same value is no conflict;
 *   - mappings merge key by key; a key added on one side is added, one
 *     deleted on one side (and not changed on the other) is deleted;
 *   - arrays of mappings that all carry a scalar `id` merge item by item,
 *     matched by id; other arrays merge position by position when each
 *     side either kept the array's length or only appended to it, and the
 *     items both sides appended are joined (each once): phones, tags and
 *     topics that both sides appended to become the union;
 *   - anything else that both sides changed differently is a conflict: the
 *     result keeps ours there, and the conflict lists base, ours and theirs.
 *
 * A record added on both sides with different data, or deleted on one side
 * and changed on the other, is one conflict at "" (the whole record); the
 * result then keeps the side that still has the record, so nothing typed
 * is lost.  A text edit the result cannot be made by safely (a change
 * inside a [flow] collection, say) is a conflict too, never a guess.  The
 * result is read back and compared with the merged data before it is
 * given; a mismatch makes the whole record one conflict, keeping ours --
 * unless ours' data is base's, when the answer is theirs' text as it is.
 */
#ifndef FIELDBOOK_MERGE_H
#define FIELDBOOK_MERGE_H

#include "buf.h"
#include "diag.h"
#include "schema.h"

struct fb_merge_conflict {
	char *path;                 /* JSON pointer; "" for the whole record */
	char *base, *ours, *theirs; /* each side's value as JSON ("***" inside an
				       x-confidential field); NULL: absent there */
};

struct fb_merge {
	bool present;      /* the result is a record (false: deleted) */
	struct fb_buf text; /* the result when present */
	struct fb_merge_conflict *v;
	size_t n, alloc;
	size_t taken; /* changes of theirs the result took */
};

/* One side of a merge: its text, or absent (text NULL). */
struct fb_merge_side {
	const char *text;
	size_t len;
};

/* How a conflict is settled (`resolve`): asked (a conflict), or a side's value, or one given. */
enum fb_merge_pick {
	FB_MERGE_ASK = 0,
	FB_MERGE_OURS,
	FB_MERGE_THEIRS,
	FB_MERGE_VALUE,
};

struct fb_merge_choice {
	const char *path; /* JSON pointer of a conflicting value ("" the whole record) */
	enum fb_merge_pick pick;
	const char *value; /* FB_MERGE_VALUE: its YAML text */
};

struct fb_merge_opts {
	enum fb_merge_pick all; /* for each conflict no choice names (not FB_MERGE_VALUE) */
	const struct fb_merge_choice *v;
	size_t n;
};

/*
 * Merge `theirs` into `ours` against `base` as record `path` (for
 * diagnostics), each side parsed and typed with `s` (NULL: untyped); a
 * conflict that `opts` (may be NULL) settles is not one: the side or value
 * it picks is written there, when it can be.
 * 0 with `out` filled (out->n conflicts, maybe none).  FB_ESYNTAX when a
 * side that is there does not parse: the reasons in `d`, and `out` keeps
 * ours as it is with one conflict at "".
 */
int fb_merge_record(const char *path, const struct fb_schema *s, struct fb_merge_side base,
		    struct fb_merge_side ours, struct fb_merge_side theirs,
		    const struct fb_merge_opts *opts, struct fb_merge *out, struct fb_diag *d);
void fb_merge_release(struct fb_merge *m);

#endif
