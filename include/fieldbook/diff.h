/*
 * Field-level differences between two versions of a record.
 *
 * Records are compared as data, not as lines: a reformatted or reordered
 * record has no changes; a changed value is reported at its JSON pointer
 * (/phones/0, /follow_ups/1/status) with the old and new values as JSON.
 * Mappings are compared key by key, lists element by element; a value that
 * changed kind (a string that became a list) is one change at its path.
 */
#ifndef FIELDBOOK_DIFF_H
#define FIELDBOOK_DIFF_H

#include "node.h"

struct fb_change {
	char *path;     /* JSON pointer; "" for the whole record */
	char *old_json; /* NULL: it was not there */
	char *new_json; /* NULL: it is not there now */
};

struct fb_changes {
	struct fb_change *v;
	size_t n, alloc;
};

/*
 * Append the changes from `a` to `b` (either may be NULL: added, removed).
 * Values inside x-confidential fields (of a typed record) are "***"
 * unless `show_confidential`.
 */
void fb_diff_nodes(const struct fb_node *a, const struct fb_node *b, bool show_confidential,
		   struct fb_changes *out);
void fb_changes_release(struct fb_changes *c);

#endif
