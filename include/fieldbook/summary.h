/*
 * The office's figures: the per-county summary and the visit plan of SPEC
 * §6, computed in one place from the records of one source.  Every figure
 * is defined there, and in fieldbook(1), SUMMARY AND PLAN; this file is
 * their only implementation.
 *
 * Records are read as the reading commands read them: a file that does not
 * parse is skipped (a warning), a value that is not what the schema asks
 * (a date that does not parse, a score that is not a number) counts as
 * missing.  x-confidential fields are never read.
 */
#ifndef FIELDBOOK_SUMMARY_H
#define FIELDBOOK_SUMMARY_H

#include "date.h"
#include "diag.h"
#include "settings.h"
#include "store.h"

#define FB_NO_DAY INT32_MIN

enum { FB_SEV_HIGH, FB_SEV_MEDIUM, FB_SEV_LOW, FB_NSEV };
#define FB_NSCORES 5
extern const char *const fb_score_names[FB_NSCORES]; /* policy_alignment, ... */

struct fb_assessment_pick {
	char *id, *period, *subject;
	int overall;               /* -1 when missing */
	int scores[FB_NSCORES];    /* -1 when missing */
	bool has_change;
	int change;                /* overall minus the subject's previous overall */
};

/* One county's figures (and, with id NULL, the province's totals). */
struct fb_county_summary {
	char *id, *name;
	size_t contacts;          /* active contacts of the county */
	size_t visits;            /* its visits dated within the range */
	size_t contacts_met;      /* distinct contacts those visits reference */
	int32_t last_visit;       /* its latest visit on or before today; FB_NO_DAY */
	size_t contacts_due;      /* active contacts not met for stale_after_days, or never */
	size_t follow_ups_open, follow_ups_overdue;
	size_t issues_open[FB_NSEV];
	bool has_assessment;
	struct fb_assessment_pick assessment; /* the farmandar's latest */
};

struct fb_contact_info {
	char *id, *name, *county;
	bool active;
	int influence;         /* 0 when missing */
	int32_t last_met;      /* latest of first_met and its visits, on or before today */
	size_t open_follow_ups; /* open follow-ups in visits that reference it */
	char *first_follow_up; /* the action of its open follow-up due first (NULL: none) */
	int32_t first_due;
};

struct fb_follow_up_info {
	char *visit, *county, *action, *owner;
	int32_t visit_date, due; /* FB_NO_DAY when missing */
};

struct fb_issue_info {
	char *source, *county, *title; /* source: the visit or assessment id */
	int severity;
	int32_t date;
};

struct fb_visit_info {
	char *id, *county;
	int32_t date;
};

struct fb_summary {
	int32_t today, since, until;
	struct fb_county_summary *counties; /* sorted by id */
	size_t ncounties;
	struct fb_county_summary totals;
	struct fb_contact_info *contacts; /* every contact, sorted by id */
	size_t ncontacts;
	struct fb_follow_up_info *follow_ups; /* the open ones, all time */
	size_t nfollow_ups;
	struct fb_issue_info *issues; /* the open ones, all time */
	size_t nissues;
	struct fb_visit_info *visits; /* dated visits, any date */
	size_t nvisits;
};

struct fb_summary_opts {
	int32_t today;
	int32_t since, until; /* FB_NO_DAY: the current Jalali season's first day / today */
	const char *county;   /* only this county (NULL: all) */
	const struct fb_settings *settings;
};

/* FB_ENOTFOUND when `county` names no county; records that do not parse are warnings in `d`. */
int fb_summary_compute(struct fb_source *src, const struct fb_summary_opts *o,
		       struct fb_summary *out, struct fb_diag *d);
void fb_summary_release(struct fb_summary *s);

struct fb_plan_contact {
	const struct fb_contact_info *contact;
	char *reason;
};

struct fb_plan_day {
	int32_t date;
	const struct fb_county_summary *county;
	double score;
	struct fb_strvec reasons;
	struct fb_plan_contact contacts[8];
	size_t ncontacts;
};

struct fb_plan {
	int32_t from, until;
	struct fb_plan_day *days;
	size_t ndays;
};

/* The visit days from `from` for `weeks` weeks, one county each (see SPEC §6). */
void fb_plan_compute(const struct fb_summary *s, const struct fb_settings *settings, int32_t from,
		     int weeks, enum fb_calendar cal, struct fb_plan *out);
void fb_plan_release(struct fb_plan *p);

/* The county score of SPEC §6. */
double fb_plan_score(const struct fb_county_summary *c, int32_t today);

#endif
