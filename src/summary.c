/*
 * The summary and the plan (see summary.h; the definitions are SPEC §6's).
 *
 * One pass reads the four types into small structs (what the figures need,
 * nothing confidential), then the figures are counted from those: contacts
 * and counties sorted by id and found by binary search, so the cost is the
 * reading.  Dates are day numbers, so Jalali and Gregorian dates in the
 * records compare as days.
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/check.h>
#include <fieldbook/summary.h>

const char *const fb_score_names[FB_NSCORES] = {
	"policy_alignment", "responsiveness", "development", "tension_management", "coordination",
};

static const char *const severity_names[FB_NSEV] = {"high", "medium", "low"};

/* ---- reading fields ------------------------------------------------------------------- */

static const char *text_of(const struct fb_node *map, const char *key)
{
	const struct fb_node *n = map ? fb_node_get(map, key) : NULL;
	return n && n->type == FB_NODE_STR ? n->str : NULL;
}

static char *dup_text(const struct fb_node *map, const char *key)
{
	const char *s = text_of(map, key);
	return s ? fb_strdup(s) : NULL;
}

static int32_t day_of(const struct fb_node *map, const char *key)
{
	const char *s = text_of(map, key);
	struct fb_buf err = FB_BUF_INIT;
	int32_t day = FB_NO_DAY;
	if (s && fb_date_parse(s, strlen(s), &day, NULL, &err) < 0)
		day = FB_NO_DAY;
	fb_buf_release(&err);
	return day;
}

static int int_of(const struct fb_node *map, const char *key)
{
	const struct fb_node *n = map ? fb_node_get(map, key) : NULL;
	return n && n->type == FB_NODE_INT && n->num >= 0 && n->num <= 1000 ? (int)n->num : -1;
}

static int severity_of(const char *s)
{
	int i;
	for (i = 0; s && i < FB_NSEV; i++)
		if (!strcmp(s, severity_names[i]))
			return i;
	return -1;
}

/* ---- the records, read once --------------------------------------------------------------- */

struct visit {
	char *id, *county;
	int32_t date;
	struct fb_strvec contacts;
};

struct assessment {
	char *id, *county, *subject, *period;
	bool farmandar;
	int32_t date;
	int overall, scores[FB_NSCORES];
};

struct reading {
	int32_t today;
	struct fb_source *src;
	struct fb_schemas *ss;
	struct fb_diag *d;
	struct fb_buf scratch;
	struct fb_summary *out;
	struct visit *visits;
	size_t nvisits, visits_alloc;
	struct assessment *assess;
	size_t nassess, assess_alloc;
	size_t counties_alloc, contacts_alloc, follow_alloc, issues_alloc, vinfo_alloc;
};

/* Call `fn` for every record of `type` that parses. */
static void each_record(struct reading *rd, const char *type,
			void (*fn)(struct reading *, const struct fb_entry *, const struct fb_node *))
{
	struct fb_entries es = {0};
	struct fb_diag quiet = FB_DIAG_INIT;
	const struct fb_schema *s = fb_schemas_type(rd->ss, type);
	size_t i;

	if (!s)
		return;
	fb_source_list(rd->src, type, &es, &quiet); /* listing problems are validate's */
	for (i = 0; i < es.n; i++) {
		struct fb_diag load = FB_DIAG_INIT;
		struct fb_doc *doc = NULL;
		fb_record_load(rd->src, s, &es.v[i], &rd->scratch, &doc, &load);
		if (!doc) {
			fb_diag_addf(rd->d, FB_SEV_WARNING, es.v[i].path, 1, 1,
				     "does not parse: left out (fieldbook validate says why)");
		} else {
			fn(rd, &es.v[i], doc->root);
		}
		fb_doc_free(doc);
		fb_diag_release(&load);
	}
	fb_entries_release(&es);
	fb_diag_release(&quiet);
}

static void read_county(struct reading *rd, const struct fb_entry *e, const struct fb_node *r)
{
	struct fb_summary *s = rd->out;
	struct fb_county_summary *c;
	FB_GROW(s->counties, s->ncounties, rd->counties_alloc);
	c = &s->counties[s->ncounties++];
	memset(c, 0, sizeof(*c));
	c->id = fb_strdup(e->id);
	c->name = dup_text(r, "name");
	c->last_visit = FB_NO_DAY;
}

static void read_contact(struct reading *rd, const struct fb_entry *e, const struct fb_node *r)
{
	struct fb_summary *s = rd->out;
	struct fb_contact_info *c;
	const char *status = text_of(r, "status");
	FB_GROW(s->contacts, s->ncontacts, rd->contacts_alloc);
	c = &s->contacts[s->ncontacts++];
	memset(c, 0, sizeof(*c));
	c->id = fb_strdup(e->id);
	c->name = dup_text(r, "name");
	c->county = dup_text(r, "county");
	c->active = !status || strcmp(status, "inactive");
	c->influence = int_of(r, "influence") > 0 ? int_of(r, "influence") : 0;
	c->last_met = day_of(r, "first_met");
	c->first_due = FB_NO_DAY;
}

/* Open issues of a visit or an assessment. */
static void read_issues(struct reading *rd, const struct fb_entry *e, const struct fb_node *r,
			const char *county, int32_t date)
{
	const struct fb_node *list = fb_node_get(r, "issues");
	struct fb_summary *s = rd->out;
	uint32_t i;
	for (i = 0; list && list->type == FB_NODE_SEQ && i < list->n; i++) {
		const struct fb_node *it = list->kids[i];
		const char *status = text_of(it, "status");
		int sev = severity_of(text_of(it, "severity"));
		struct fb_issue_info *x;
		if (!status || strcmp(status, "open") || sev < 0 || !county)
			continue;
		FB_GROW(s->issues, s->nissues, rd->issues_alloc);
		x = &s->issues[s->nissues++];
		x->source = fb_strdup(e->id);
		x->county = fb_strdup(county);
		x->title = dup_text(it, "title");
		x->severity = sev;
		x->date = date;
	}
}

static struct fb_contact_info *contact_of(struct fb_summary *s, const char *id);

/*
 * A visit: its dates and contacts for the figures; its meeting counts for
 * each contact's last meeting; its open follow-ups, which concern its
 * contacts.  Contacts are read (and sorted) before visits.
 */
static void read_visit(struct reading *rd, const struct fb_entry *e, const struct fb_node *r)
{
	struct fb_summary *s = rd->out;
	const struct fb_node *list = fb_node_get(r, "contacts"), *fu = fb_node_get(r, "follow_ups");
	struct visit *v;
	uint32_t i;

	FB_GROW(rd->visits, rd->nvisits, rd->visits_alloc);
	v = &rd->visits[rd->nvisits++];
	memset(v, 0, sizeof(*v));
	v->id = fb_strdup(e->id);
	v->county = dup_text(r, "county");
	v->date = day_of(r, "date");
	for (i = 0; list && list->type == FB_NODE_SEQ && i < list->n; i++)
		if (list->kids[i]->type == FB_NODE_STR && !fb_strvec_has(&v->contacts, list->kids[i]->str))
			fb_strvec_push(&v->contacts, list->kids[i]->str);
	if (v->date != FB_NO_DAY) {
		struct fb_visit_info *vi;
		FB_GROW(s->visits, s->nvisits, rd->vinfo_alloc);
		vi = &s->visits[s->nvisits++];
		vi->id = fb_strdup(v->id);
		vi->county = v->county ? fb_strdup(v->county) : NULL;
		vi->date = v->date;
	}
	for (i = 0; v->date != FB_NO_DAY && v->date <= rd->today && i < v->contacts.n; i++) {
		struct fb_contact_info *c = contact_of(s, v->contacts.v[i]);
		if (c && (c->last_met == FB_NO_DAY || v->date > c->last_met))
			c->last_met = v->date;
	}
	for (i = 0; fu && fu->type == FB_NODE_SEQ && i < fu->n; i++) {
		const struct fb_node *f = fu->kids[i];
		const char *status = text_of(f, "status");
		struct fb_follow_up_info *x;
		size_t k;
		if (!status || strcmp(status, "open") || !v->county)
			continue;
		FB_GROW(s->follow_ups, s->nfollow_ups, rd->follow_alloc);
		x = &s->follow_ups[s->nfollow_ups++];
		x->visit = fb_strdup(v->id);
		x->county = fb_strdup(v->county);
		x->action = dup_text(f, "action");
		x->owner = dup_text(f, "owner");
		x->due = day_of(f, "due");
		x->visit_date = v->date;
		for (k = 0; k < v->contacts.n; k++) {
			struct fb_contact_info *c = contact_of(s, v->contacts.v[k]);
			if (!c)
				continue;
			c->open_follow_ups++;
			if (x->due != FB_NO_DAY && (c->first_due == FB_NO_DAY || x->due < c->first_due)) {
				c->first_due = x->due;
				free(c->first_follow_up);
				c->first_follow_up = x->action ? fb_strdup(x->action) : NULL;
			}
		}
	}
	read_issues(rd, e, r, v->county, v->date);
}

static void read_assessment(struct reading *rd, const struct fb_entry *e, const struct fb_node *r)
{
	const struct fb_node *scores = fb_node_get(r, "scores");
	const char *position = text_of(r, "position");
	struct assessment *a;
	int k;

	FB_GROW(rd->assess, rd->nassess, rd->assess_alloc);
	a = &rd->assess[rd->nassess++];
	memset(a, 0, sizeof(*a));
	a->id = fb_strdup(e->id);
	a->county = dup_text(r, "county");
	a->subject = dup_text(r, "subject");
	a->period = dup_text(r, "period");
	a->farmandar = position && !strcmp(position, "farmandar");
	a->date = day_of(r, "date");
	a->overall = int_of(r, "overall");
	for (k = 0; k < FB_NSCORES; k++)
		a->scores[k] = scores && scores->type == FB_NODE_MAP ? int_of(scores, fb_score_names[k])
								     : -1;
	read_issues(rd, e, r, a->county, a->date);
}

/* ---- counting ---------------------------------------------------------------------------- */

static int cmp_county(const void *a, const void *b)
{
	return strcmp(((const struct fb_county_summary *)a)->id,
		      ((const struct fb_county_summary *)b)->id);
}

static int cmp_contact(const void *a, const void *b)
{
	return strcmp(((const struct fb_contact_info *)a)->id, ((const struct fb_contact_info *)b)->id);
}

static struct fb_county_summary *county_of(struct fb_summary *s, const char *id)
{
	struct fb_county_summary key;
	if (!id)
		return NULL;
	key.id = (char *)id;
	return bsearch(&key, s->counties, s->ncounties, sizeof(key), cmp_county);
}

static struct fb_contact_info *contact_of(struct fb_summary *s, const char *id)
{
	struct fb_contact_info key;
	key.id = (char *)id;
	return bsearch(&key, s->contacts, s->ncontacts, sizeof(key), cmp_contact);
}

/* Order of assessments: by period, then date. */
static int cmp_when(const struct assessment *a, const struct assessment *b)
{
	int c = strcmp(a->period ? a->period : "", b->period ? b->period : "");
	if (c)
		return c;
	return a->date < b->date ? -1 : a->date > b->date;
}

/* The county governor's latest assessment and the change from the subject's previous one. */
static void pick_assessment(const struct reading *rd, struct fb_county_summary *c)
{
	const struct assessment *best = NULL, *prev = NULL;
	size_t i;
	int k;

	for (i = 0; i < rd->nassess; i++) {
		const struct assessment *a = &rd->assess[i];
		if (a->farmandar && a->county && !strcmp(a->county, c->id) &&
		    (!best || cmp_when(a, best) > 0))
			best = a;
	}
	if (!best)
		return;
	for (i = 0; i < rd->nassess; i++) {
		const struct assessment *a = &rd->assess[i];
		if (a != best && a->farmandar && a->subject && best->subject &&
		    !strcmp(a->subject, best->subject) && cmp_when(a, best) < 0 &&
		    (!prev || cmp_when(a, prev) > 0))
			prev = a;
	}
	c->has_assessment = true;
	c->assessment.id = fb_strdup(best->id);
	c->assessment.period = best->period ? fb_strdup(best->period) : NULL;
	c->assessment.subject = best->subject ? fb_strdup(best->subject) : NULL;
	c->assessment.overall = best->overall;
	for (k = 0; k < FB_NSCORES; k++)
		c->assessment.scores[k] = best->scores[k];
	if (prev && prev->overall >= 0 && best->overall >= 0) {
		c->assessment.has_change = true;
		c->assessment.change = best->overall - prev->overall;
	}
}

int fb_summary_compute(struct fb_source *src, const struct fb_summary_opts *o,
		       struct fb_summary *out, struct fb_diag *d)
{
	struct reading rd;
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_strvec met_all = {0};
	int32_t first, last;
	size_t i, j;
	int err = 0;

	memset(out, 0, sizeof(*out));
	memset(&rd, 0, sizeof(rd));
	rd.today = o->today;
	rd.src = src;
	rd.d = d;
	rd.out = out;
	fb_buf_init(&rd.scratch);
	fb_schemas_load(&rd.ss, src, &quiet); /* a broken schema leaves its type out */
	fb_diag_release(&quiet);

	out->today = o->today;
	fb_jalali_season(o->today, &first, &last);
	out->since = o->since != FB_NO_DAY ? o->since : first;
	out->until = o->until != FB_NO_DAY ? o->until : o->today;
	out->totals.last_visit = FB_NO_DAY;

	/* contacts first, sorted, so each visit updates its contacts as it is read */
	each_record(&rd, "counties", read_county);
	each_record(&rd, "contacts", read_contact);
	if (out->ncounties > 1)
		qsort(out->counties, out->ncounties, sizeof(*out->counties), cmp_county);
	if (out->ncontacts > 1)
		qsort(out->contacts, out->ncontacts, sizeof(*out->contacts), cmp_contact);
	/* a contact's last meeting: first_met and every visit referencing it, up to today */
	for (i = 0; i < out->ncontacts; i++)
		if (out->contacts[i].last_met != FB_NO_DAY && out->contacts[i].last_met > o->today)
			out->contacts[i].last_met = FB_NO_DAY;
	each_record(&rd, "visits", read_visit);
	each_record(&rd, "assessments", read_assessment);

	/* per county */
	for (i = 0; i < out->ncontacts; i++) {
		const struct fb_contact_info *c = &out->contacts[i];
		struct fb_county_summary *cs = county_of(out, c->county);
		if (!cs || !c->active)
			continue;
		cs->contacts++;
		if (c->last_met == FB_NO_DAY ||
		    o->today - c->last_met > o->settings->stale_after_days)
			cs->contacts_due++;
	}
	for (i = 0; i < out->ncounties; i++) {
		struct fb_county_summary *cs = &out->counties[i];
		struct fb_strvec met = {0};
		for (j = 0; j < rd.nvisits; j++) {
			const struct visit *v = &rd.visits[j];
			size_t k;
			if (!v->county || strcmp(v->county, cs->id) || v->date == FB_NO_DAY)
				continue;
			if (v->date <= o->today && (cs->last_visit == FB_NO_DAY || v->date > cs->last_visit))
				cs->last_visit = v->date;
			if (v->date < out->since || v->date > out->until)
				continue;
			cs->visits++;
			for (k = 0; k < v->contacts.n; k++)
				if (!fb_strvec_has(&met, v->contacts.v[k]))
					fb_strvec_push(&met, v->contacts.v[k]);
		}
		cs->contacts_met = met.n;
		if (!o->county || !strcmp(o->county, cs->id))
			for (j = 0; j < met.n; j++)
				if (!fb_strvec_has(&met_all, met.v[j]))
					fb_strvec_push(&met_all, met.v[j]);
		fb_strvec_release(&met);
		pick_assessment(&rd, cs);
	}
	for (i = 0; i < out->nfollow_ups; i++) {
		struct fb_county_summary *cs = county_of(out, out->follow_ups[i].county);
		if (!cs)
			continue;
		cs->follow_ups_open++;
		if (out->follow_ups[i].due != FB_NO_DAY && out->follow_ups[i].due < o->today)
			cs->follow_ups_overdue++;
	}
	for (i = 0; i < out->nissues; i++) {
		struct fb_county_summary *cs = county_of(out, out->issues[i].county);
		if (cs)
			cs->issues_open[out->issues[i].severity]++;
	}

	/* --county: that county alone */
	if (o->county) {
		struct fb_county_summary *cs = county_of(out, o->county);
		if (!cs) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "no county '%s'", o->county);
			err = FB_ENOTFOUND;
		} else {
			for (i = 0; i < out->ncounties; i++)
				if (&out->counties[i] != cs) {
					struct fb_county_summary gone = out->counties[i];
					free(gone.id);
					free(gone.name);
					free(gone.assessment.id);
					free(gone.assessment.period);
					free(gone.assessment.subject);
				}
			out->counties[0] = *cs;
			out->ncounties = 1;
		}
	}
	for (i = 0; i < out->ncounties; i++) {
		const struct fb_county_summary *cs = &out->counties[i];
		int k;
		out->totals.contacts += cs->contacts;
		out->totals.visits += cs->visits;
		out->totals.contacts_due += cs->contacts_due;
		out->totals.follow_ups_open += cs->follow_ups_open;
		out->totals.follow_ups_overdue += cs->follow_ups_overdue;
		for (k = 0; k < FB_NSEV; k++)
			out->totals.issues_open[k] += cs->issues_open[k];
		if (cs->last_visit != FB_NO_DAY &&
		    (out->totals.last_visit == FB_NO_DAY || cs->last_visit > out->totals.last_visit))
			out->totals.last_visit = cs->last_visit;
	}
	out->totals.contacts_met = met_all.n;

	fb_strvec_release(&met_all);
	for (i = 0; i < rd.nvisits; i++) {
		free(rd.visits[i].id);
		free(rd.visits[i].county);
		fb_strvec_release(&rd.visits[i].contacts);
	}
	free(rd.visits);
	for (i = 0; i < rd.nassess; i++) {
		free(rd.assess[i].id);
		free(rd.assess[i].county);
		free(rd.assess[i].subject);
		free(rd.assess[i].period);
	}
	free(rd.assess);
	fb_schemas_free(rd.ss);
	fb_buf_release(&rd.scratch);
	return err;
}

void fb_summary_release(struct fb_summary *s)
{
	size_t i;
	for (i = 0; i < s->ncounties; i++) {
		free(s->counties[i].id);
		free(s->counties[i].name);
		free(s->counties[i].assessment.id);
		free(s->counties[i].assessment.period);
		free(s->counties[i].assessment.subject);
	}
	free(s->counties);
	for (i = 0; i < s->ncontacts; i++) {
		free(s->contacts[i].id);
		free(s->contacts[i].name);
		free(s->contacts[i].county);
		free(s->contacts[i].first_follow_up);
	}
	free(s->contacts);
	for (i = 0; i < s->nfollow_ups; i++) {
		free(s->follow_ups[i].visit);
		free(s->follow_ups[i].county);
		free(s->follow_ups[i].action);
		free(s->follow_ups[i].owner);
	}
	free(s->follow_ups);
	for (i = 0; i < s->nissues; i++) {
		free(s->issues[i].source);
		free(s->issues[i].county);
		free(s->issues[i].title);
	}
	free(s->issues);
	for (i = 0; i < s->nvisits; i++) {
		free(s->visits[i].id);
		free(s->visits[i].county);
	}
	free(s->visits);
	memset(s, 0, sizeof(*s));
}

/* ---- the plan ---------------------------------------------------------------------------- */

double fb_plan_score(const struct fb_county_summary *c, int32_t today)
{
	double days = c->last_visit == FB_NO_DAY ? 365.0 : (double)(today - c->last_visit);
	double score = 3.0 * (double)c->follow_ups_overdue + days / 7.0 + (double)c->contacts_due;
	if (c->has_assessment && c->assessment.overall >= 0)
		score += 2.0 * (5 - c->assessment.overall);
	return score;
}

struct ranked {
	const struct fb_county_summary *c;
	double score;
};

static int cmp_ranked(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return strcmp(a->c->id, b->c->id);
}

/* Contacts to see: more open follow-ups, then longest unmet (never first), then influence, then id. */
static int cmp_visit_contact(const void *pa, const void *pb)
{
	const struct fb_contact_info *a = *(const struct fb_contact_info *const *)pa;
	const struct fb_contact_info *b = *(const struct fb_contact_info *const *)pb;
	if (a->open_follow_ups != b->open_follow_ups)
		return a->open_follow_ups > b->open_follow_ups ? -1 : 1;
	if (a->last_met != b->last_met) {
		if (a->last_met == FB_NO_DAY)
			return -1;
		if (b->last_met == FB_NO_DAY)
			return 1;
		return a->last_met < b->last_met ? -1 : 1;
	}
	if (a->influence != b->influence)
		return a->influence > b->influence ? -1 : 1;
	return strcmp(a->id, b->id);
}

static void contact_reason(struct fb_buf *out, const struct fb_contact_info *c, int32_t today,
			   enum fb_calendar cal)
{
	if (c->first_follow_up && c->first_due != FB_NO_DAY) {
		fb_buf_addf(out, "follow-up «%s» due ", c->first_follow_up);
		fb_date_format(out, c->first_due, cal);
		if (c->first_due < today)
			fb_buf_addf(out, ", overdue %d day%s", today - c->first_due,
				    today - c->first_due == 1 ? "" : "s");
		else if (c->first_due == today)
			fb_buf_puts(out, ", today");
		if (c->open_follow_ups > 1)
			fb_buf_addf(out, " (%zu open follow-ups)", c->open_follow_ups);
	} else if (c->open_follow_ups) {
		fb_buf_addf(out, "%zu open follow-up%s", c->open_follow_ups,
			    c->open_follow_ups == 1 ? "" : "s");
	} else if (c->last_met == FB_NO_DAY) {
		fb_buf_puts(out, "never met");
	} else {
		fb_buf_addf(out, "not met for %d day%s", today - c->last_met,
			    today - c->last_met == 1 ? "" : "s");
	}
	if (c->influence)
		fb_buf_addf(out, "; influence %d", c->influence);
}

void fb_plan_compute(const struct fb_summary *s, const struct fb_settings *settings, int32_t from,
		     int weeks, enum fb_calendar cal, struct fb_plan *out)
{
	struct ranked *r = fb_calloc(s->ncounties + 1, sizeof(*r));
	const struct fb_contact_info **pick = fb_calloc(s->ncontacts + 1, sizeof(*pick));
	size_t i, next = 0, alloc = 0;
	int32_t day;

	memset(out, 0, sizeof(*out));
	out->from = from;
	out->until = from + 7 * weeks - 1;
	for (i = 0; i < s->ncounties; i++) {
		r[i].c = &s->counties[i];
		r[i].score = fb_plan_score(&s->counties[i], s->today);
	}
	if (s->ncounties > 1)
		qsort(r, s->ncounties, sizeof(*r), cmp_ranked);
	for (day = out->from; day <= out->until && next < s->ncounties; day++) {
		struct fb_plan_day *pd;
		const struct fb_county_summary *c;
		struct fb_buf why = FB_BUF_INIT;
		size_t n = 0, k;

		if (!(settings->visit_days & (1u << fb_weekday(day))))
			continue;
		FB_GROW(out->days, out->ndays, alloc);
		pd = &out->days[out->ndays++];
		memset(pd, 0, sizeof(*pd));
		c = r[next].c;
		pd->date = day;
		pd->county = c;
		pd->score = r[next++].score;
		/* why this county, in words */
		if (c->follow_ups_overdue) {
			fb_buf_addf(&why, "%zu overdue follow-up%s", c->follow_ups_overdue,
				    c->follow_ups_overdue == 1 ? "" : "s");
			fb_strvec_push(&pd->reasons, why.ptr);
		}
		fb_buf_reset(&why);
		if (c->last_visit == FB_NO_DAY) {
			fb_buf_puts(&why, "never visited");
		} else {
			fb_buf_puts(&why, "last visit ");
			fb_date_format(&why, c->last_visit, cal);
			fb_buf_addf(&why, ", %d days ago", s->today - c->last_visit);
		}
		fb_strvec_push(&pd->reasons, why.ptr);
		if (c->contacts_due) {
			fb_buf_reset(&why);
			fb_buf_addf(&why, "%zu contact%s due", c->contacts_due,
				    c->contacts_due == 1 ? "" : "s");
			fb_strvec_push(&pd->reasons, why.ptr);
		}
		if (c->has_assessment && c->assessment.overall >= 0) {
			fb_buf_reset(&why);
			fb_buf_addf(&why, "governor's overall score %d/5", c->assessment.overall);
			fb_strvec_push(&pd->reasons, why.ptr);
		}
		fb_buf_release(&why);
		/* whom to see there */
		for (k = 0; k < s->ncontacts; k++)
			if (s->contacts[k].active && s->contacts[k].county &&
			    !strcmp(s->contacts[k].county, c->id))
				pick[n++] = &s->contacts[k];
		if (n > 1)
			qsort(pick, n, sizeof(*pick), cmp_visit_contact);
		for (k = 0; k < n && k < 8; k++) {
			struct fb_buf reason = FB_BUF_INIT;
			contact_reason(&reason, pick[k], s->today, cal);
			pd->contacts[k].contact = pick[k];
			pd->contacts[k].reason = fb_buf_detach(&reason, NULL);
		}
		pd->ncontacts = k;
	}
	free(r);
	free(pick);
}

void fb_plan_release(struct fb_plan *p)
{
	size_t i, k;
	for (i = 0; i < p->ndays; i++) {
		fb_strvec_release(&p->days[i].reasons);
		for (k = 0; k < p->days[i].ncontacts; k++)
			free(p->days[i].contacts[k].reason);
	}
	free(p->days);
	memset(p, 0, sizeof(*p));
}
