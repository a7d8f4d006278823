/*
 * The governor's report (`fieldbook report`, SPEC §4): the figures of
 * summary.h as one self-contained HTML page in Persian, or as markdown; and
 * the summary table's columns and cells, shared with `fieldbook summary`.
 */
#ifndef FIELDBOOK_REPORT_H
#define FIELDBOOK_REPORT_H

#include "buf.h"
#include "date.h"
#include "summary.h"

#define FB_SUMMARY_COLS 10
/* The summary table's column heads: for `summary`, and in the report's Persian. */
extern const char *const fb_summary_head[FB_SUMMARY_COLS];
extern const char *const fb_summary_head_fa[FB_SUMMARY_COLS];

/* A computed day as `cal` prints it; "-" for FB_NO_DAY. */
void fb_summary_date(struct fb_buf *out, int32_t day, enum fb_calendar cal);
/*
 * One row's cells, cells[0] .. cells[FB_SUMMARY_COLS - 1] (the caller's
 * buffers), for county `c` (c->id NULL: the province's total).  `fa`: the
 * report's words, a signed figure between Unicode isolates.
 */
void fb_summary_cells(struct fb_buf *cells, const struct fb_county_summary *c,
		      enum fb_calendar cal, bool fa);
/* "From D to D (today D)", or its Persian. */
void fb_summary_range(struct fb_buf *out, const struct fb_summary *s, enum fb_calendar cal,
		      bool fa);
/* The range in bold, then the summary table, as markdown. */
void fb_summary_markdown(struct fb_buf *out, const struct fb_summary *s, enum fb_calendar cal,
			 bool fa);

/* The report; `office` and `province` (NULL or "": not named) from fieldbook.yaml. */
void fb_report_html(struct fb_buf *out, const struct fb_summary *s, const char *office,
		    const char *province);
void fb_report_markdown(struct fb_buf *out, const struct fb_summary *s, enum fb_calendar cal,
			const char *office, const char *province);

#endif
