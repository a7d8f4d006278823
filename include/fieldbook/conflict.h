/*
 * Unresolved merge conflicts of records, kept where git keeps a merge's
 * state: one file per record, .git/fieldbook/conflicts/TYPE/ID.yaml, never
 * in the record itself (no conflict markers, ever).  The file lists each
 * conflicting field with base, ours and theirs as JSON (confidential values
 * as "***"; a side without the field has no line for it), for people and
 * for `resolve`.  It goes when the record is resolved.
 */
#ifndef FIELDBOOK_CONFLICT_H
#define FIELDBOOK_CONFLICT_H

#include "merge.h"
#include "repo.h"

/* Write (or replace) the conflict file of TYPE/ID, whose record is at `path`. */
int fb_conflict_save(struct fb_repo *r, const char *type, const char *id, const char *path,
		     const struct fb_merge *m, struct fb_diag *d);
/*
 * The records with unresolved conflicts -- a conflict file and still
 * unmerged in the index -- as their repository-relative paths, sorted,
 * into `out` (empty on entry).
 */
int fb_conflict_list(struct fb_repo *r, struct fb_strvec *out, struct fb_diag *d);
/* Forget TYPE/ID's conflicts (it is resolved); 0 also when it had none. */
int fb_conflict_clear(struct fb_repo *r, const char *type, const char *id, struct fb_diag *d);

#endif
