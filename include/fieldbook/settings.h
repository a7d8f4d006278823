/*
 * fieldbook.yaml: the repository's settings (SPEC §1).  Every key is
 * optional; an absent file is all defaults.  Unknown keys and values of the
 * wrong kind are errors at their line and column, all of them in one pass,
 * as with records.
 */
#ifndef FIELDBOOK_SETTINGS_H
#define FIELDBOOK_SETTINGS_H

#include "date.h"
#include "diag.h"
#include "store.h"

struct fb_settings {
	enum fb_calendar calendar;   /* how computed dates are printed */
	unsigned visit_days;         /* bit 1 << tm_wday (0 = Sunday) for each visit day */
	int stale_after_days;        /* a contact not met for longer is due */
	bool require_signed_commits; /* commits must be signed (audit, hooks) */
	bool calendar_set;           /* calendar was given (a --calendar still wins) */
	bool visit_days_unread;      /* fieldbook.yaml is there, but its visit_days could not be
				      * read (a bad value, or the file itself is unreadable):
				      * visit_days holds the default */
	char *office, *province;     /* named on the report; NULL when not given */
};

void fb_settings_default(struct fb_settings *s);
/* Free what `s` owns (the texts); it holds the defaults again. */
void fb_settings_release(struct fb_settings *s);

/*
 * Read fieldbook.yaml from `src` into `out` (defaults for what it does not
 * say).  FB_EINVALID with every problem in `d`; `out` then holds the
 * defaults for the keys in error (and visit_days_unread says whether that
 * hit visit_days).
 */
int fb_settings_load(struct fb_source *src, struct fb_settings *out, struct fb_diag *d);
/* `out` is overwritten: release it first when it was loaded before. */

#endif
