/*
 * Private to the files that speak git (history.c, vcs_commit.c): the one
 * "records changed between two trees", which diff, log and the commit
 * message all use.  Nothing here is public API; include/fieldbook/history.h
 * is the module's one header.
 */
#ifndef FIELDBOOK_HISTORY_INT_H
#define FIELDBOOK_HISTORY_INT_H

#include <fieldbook/history.h>
#include <fieldbook/schema.h>

#include "repo_int.h"

enum {
	HISTORY_SHOW_CONFIDENTIAL = 1, /* field changes carry confidential values */
	HISTORY_KEEP_REWRITTEN = 2,    /* keep a record whose text changed but not its data */
};

/*
 * The records that differ between tree `a` (NULL: none) and tree `b`
 * (NULL: the working tree), under `prefixes` (NULL: all of records/),
 * grouped by TYPE/ID (a move between sub-folders is one record, renamed)
 * and sorted by type then id; each side parsed and typed with `old_ss` /
 * `new_ss` (NULL: untyped) and compared as data.  Appends to `out`.
 */
int history_tree_changes(struct fb_repo *r, git_repository *git, git_tree *a, git_tree *b,
			 const struct fb_strvec *prefixes, const struct fb_schemas *old_ss,
			 const struct fb_schemas *new_ss, unsigned flags,
			 struct fb_record_changes *out, struct fb_diag *d);

#endif
