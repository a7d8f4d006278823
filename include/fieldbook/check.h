/*
 * Checking records: what `validate` runs, and what `commit` and the hooks
 * will run before anything reaches history.
 *
 * fb_record_read() is the one way a record file becomes a tree: read the
 * bytes from a source, parse them (node.h), and check the record-level rules
 * of SPEC §1 (an `id:` field equals the file name).  fb_check() runs it over
 * a selection of a source and adds every problem to the diagnostics list.
 */
#ifndef FIELDBOOK_CHECK_H
#define FIELDBOOK_CHECK_H

#include "diag.h"
#include "node.h"
#include "store.h"

/*
 * Read and parse one record.  `scratch` is a buffer the caller reuses across
 * calls.  On success `*out` is the caller's; FB_ESYNTAX (with diagnostics)
 * when it does not parse, FB_EINVALID when it parses but breaks a record
 * rule (`*out` is still set then).
 */
int fb_record_read(struct fb_source *src, const struct fb_entry *e, struct fb_buf *scratch,
		   struct fb_doc **out, struct fb_diag *d);

/* What to check: a whole type (id NULL) or one record. */
struct fb_check_target {
	const char *type;
	const char *id;
};

struct fb_check_stats {
	size_t checked; /* record files looked at */
	size_t invalid; /* of those, how many have at least one error */
};

/*
 * Check the targets (all types when n == 0).  Every problem goes to `d`;
 * returns 0 when the check could run (look at the stats and d->errors for
 * the verdict), FB_ENOTFOUND when a target record does not exist, FB_EIO
 * when reading failed.
 */
int fb_check(struct fb_source *src, const struct fb_check_target *targets, size_t n,
	     struct fb_check_stats *st, struct fb_diag *d);

#endif
