/*
 * fieldbook summary [--since D] [--until D] [--county ID] [--at REV|DATE] [--format text|markdown|json]
 * fieldbook plan [--from D] [--weeks N] [--format text|json]
 * fieldbook report [--since D] [--until D] [--format html|markdown] [-o FILE]
 *
 * The figures come from summary.c, computed once; this file only prints
 * them: an aligned table for a terminal, markdown, the JSON of SPEC §6, and
 * the governor's report -- one self-contained HTML page in Persian (RTL,
 * Persian digits, inline CSS and SVG, no scripts, nothing fetched) that
 * prints on A4.  Nothing x-confidential is read, so nothing can leak.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fieldbook/summary.h>
#include <fieldbook/text.h>

#include "cli.h"

/* ---- shared ------------------------------------------------------------------------------ */

static void date_text(struct fb_buf *out, int32_t day, enum fb_calendar cal)
{
	if (day == FB_NO_DAY)
		fb_buf_puts(out, "-");
	else
		fb_date_format(out, day, cal);
}

/* A computed date in JSON: {"jalali": ..., "gregorian": ...}, or null. */
static void json_date(struct fb_buf *out, int32_t day)
{
	if (day == FB_NO_DAY) {
		fb_buf_puts(out, "null");
		return;
	}
	fb_buf_puts(out, "{\"jalali\": \"");
	fb_date_format(out, day, FB_CAL_JALALI);
	fb_buf_puts(out, "\", \"gregorian\": \"");
	fb_date_format(out, day, FB_CAL_GREGORIAN);
	fb_buf_puts(out, "\"}");
}

/* --since/--until as days (FB_NO_DAY: not given); periods allowed. */
static int range_of(struct fb_ctx *ctx, const char *since, const char *until, int32_t *from,
		    int32_t *to)
{
	struct fb_buf err = FB_BUF_INIT;
	int32_t first, last;
	*from = *to = FB_NO_DAY;
	if (since) {
		if (fb_period_parse(since, ctx->today, &first, &last, &err) < 0)
			goto bad;
		*from = first;
	}
	if (until) {
		if (fb_period_parse(until, ctx->today, &first, &last, &err) < 0) {
			since = NULL;
			goto bad;
		}
		*to = last;
	}
	fb_buf_release(&err);
	return 0;
bad:
	cli_usage_error(ctx, "bad date '%s': %s", since ? since : until, err.ptr);
	fb_buf_release(&err);
	return EXIT_USAGE;
}

static int compute(struct fb_ctx *ctx, const char *at, int32_t since, int32_t until,
		   const char *county, struct fb_summary *s)
{
	struct fb_source *src = NULL;
	struct fb_summary_opts o = {ctx->today, since, until, county, &ctx->settings};
	int status, err;

	if ((status = cli_source(ctx, at, &src)))
		return status;
	cli_settings_warn(ctx, false); /* plan has said it already, as errors if need be */
	err = fb_summary_compute(src, &o, s, &ctx->diag);
	fb_source_free(src);
	if (err == FB_ENOTFOUND)
		return cli_usage_flush(ctx);
	cli_flush_diag(ctx); /* records left out */
	if (since != FB_NO_DAY && until != FB_NO_DAY && since > until)
		return cli_usage_error(ctx, "--since is after --until");
	return 0;
}

/* ---- summary ----------------------------------------------------------------------------- */

/* What summary and report take: the range, one county, a revision, a file. */
struct figures {
	const char *since, *until, *county, *at, *file;
	int format;
	struct fb_summary s;
};

/* Options (those in `opts`), the range, then the figures; the exit status (0: all went well). */
static int figures_of(struct fb_ctx *ctx, int argc, char **argv, const char *shortopts,
		      const struct option *opts, const char *const *formats, struct figures *f)
{
	struct cli_getopt g;
	int32_t from, to;
	int opt, status = 0;

	cli_getopt_init(&g, ctx, argc, argv, shortopts, opts);
	while (!status && (opt = cli_getopt_next(&g)) != -1) {
		switch (opt) {
		case 'S': f->since = optarg; break;
		case 'U': f->until = optarg; break;
		case 'c': f->county = optarg; break;
		case 'a': f->at = optarg; break;
		case 'o': f->file = optarg; break;
		case 'f':
			if ((f->format = cli_format(ctx, optarg, formats)) < 0)
				status = EXIT_USAGE;
			break;
		default:
			status = g.status;
		}
	}
	if (!status)
		status = cli_getopt_no_operands(&g);
	if (!status)
		status = cli_repo(ctx);
	if (!status)
		status = range_of(ctx, f->since, f->until, &from, &to);
	if (!status)
		status = compute(ctx, f->at, from, to, f->county, &f->s);
	cli_getopt_release(&g);
	return status;
}

static const char *const summary_head[] = {
	"county", "contacts", "visits", "met", "last visit", "due", "follow-ups",
	"overdue", "issues H/M/L", "governor",
};
#define SUMMARY_COLS (sizeof(summary_head) / sizeof(summary_head[0]))

/* The same columns in the report's Persian (HTML and markdown). */
static const char *const summary_head_fa[SUMMARY_COLS] = {
	"شهرستان", "مخاطبان فعال", "بازدیدها", "مخاطبان دیدارشده", "آخرین بازدید",
	"مخاطبان معوق", "پیگیری باز", "پیگیری معوق", "مسائل باز (زیاد/متوسط/کم)",
	"فرماندار",
};

/* Unicode isolates around a signed figure in RTL text: "(+1)" stays "(+1)". */
#define LRI "\xe2\x81\xa6"
#define PDI "\xe2\x81\xa9"

static void summary_row(struct fb_buf *cells, const struct fb_county_summary *c,
			enum fb_calendar cal, bool fa)
{
	fb_buf_puts(&cells[0], c->id ? (c->name ? c->name : c->id) : fa ? "جمع استان" : "total");
	fb_buf_addf(&cells[1], "%zu", c->contacts);
	fb_buf_addf(&cells[2], "%zu", c->visits);
	fb_buf_addf(&cells[3], "%zu", c->contacts_met);
	date_text(&cells[4], c->last_visit, cal);
	fb_buf_addf(&cells[5], "%zu", c->contacts_due);
	fb_buf_addf(&cells[6], "%zu", c->follow_ups_open);
	fb_buf_addf(&cells[7], "%zu", c->follow_ups_overdue);
	fb_buf_addf(&cells[8], "%zu/%zu/%zu", c->issues_open[FB_SEV_HIGH],
		    c->issues_open[FB_SEV_MEDIUM], c->issues_open[FB_SEV_LOW]);
	if (!c->id)
		return;
	if (!c->has_assessment || c->assessment.overall < 0)
		fb_buf_puts(&cells[9], "-");
	else if (c->assessment.has_change && fa && c->assessment.change) /* as the HTML */
		fb_buf_addf(&cells[9], LRI "%d/5 (%+d)" PDI, c->assessment.overall,
			    c->assessment.change);
	else if (c->assessment.has_change && !fa)
		fb_buf_addf(&cells[9], "%d/5 (%+d)", c->assessment.overall, c->assessment.change);
	else
		fb_buf_addf(&cells[9], "%d/5", c->assessment.overall);
}

/* The summary table: for a terminal, or markdown (`fa`: in the report's Persian). */
static void print_summary_table(struct fb_buf *out, const struct fb_summary *s, bool tty,
				enum fb_calendar cal, bool markdown, bool fa)
{
	size_t rows = s->ncounties + 2, r, c;
	struct fb_buf *cells = fb_calloc(rows * SUMMARY_COLS + 1, sizeof(*cells));
	static const bool right[SUMMARY_COLS] = {false, true, true, true, false, true, true, true,
						 true, true};

	for (c = 0; c < SUMMARY_COLS; c++)
		fb_buf_puts(&cells[c], fa ? summary_head_fa[c] : summary_head[c]);
	for (r = 0; r < s->ncounties; r++)
		summary_row(&cells[(r + 1) * SUMMARY_COLS], &s->counties[r], cal, fa);
	summary_row(&cells[(rows - 1) * SUMMARY_COLS], &s->totals, cal, fa);
	fb_buf_puts(out, markdown ? "**" : "");
	fb_buf_puts(out, fa ? "از " : "From ");
	date_text(out, s->since, cal);
	fb_buf_puts(out, fa ? " تا " : " to ");
	date_text(out, s->until, cal);
	fb_buf_puts(out, fa ? " (امروز " : " (today ");
	date_text(out, s->today, cal);
	fb_buf_puts(out, markdown ? ")**\n\n" : ")\n\n");
	if (!markdown) {
		cli_table(out, cells, rows, SUMMARY_COLS, tty, right);
	} else {
		for (r = 0; r < rows; r++) {
			fb_buf_puts(out, "|");
			for (c = 0; c < SUMMARY_COLS; c++) {
				fb_buf_putc(out, ' ');
				fb_buf_add(out, cells[r * SUMMARY_COLS + c].ptr,
					   cells[r * SUMMARY_COLS + c].len);
				fb_buf_puts(out, " |");
			}
			fb_buf_putc(out, '\n');
			if (r == 0) {
				fb_buf_puts(out, "|");
				for (c = 0; c < SUMMARY_COLS; c++)
					fb_buf_puts(out, right[c] ? " ---: |" : " --- |");
				fb_buf_putc(out, '\n');
			}
		}
	}
	for (r = 0; r < rows * SUMMARY_COLS; r++)
		fb_buf_release(&cells[r]);
	free(cells);
}

static void json_county(struct fb_buf *out, const struct fb_county_summary *c, bool total)
{
	int k;
	fb_buf_puts(out, "{");
	if (!total) {
		fb_buf_puts(out, "\"id\": ");
		fb_buf_json_str_or_null(out, c->id);
		fb_buf_puts(out, ", \"name\": ");
		fb_buf_json_str_or_null(out, c->name);
		fb_buf_puts(out, ", ");
	}
	fb_buf_addf(out, "\"contacts\": %zu, \"visits\": %zu, \"contacts_met\": %zu, ", c->contacts,
		    c->visits, c->contacts_met);
	if (!total) {
		fb_buf_puts(out, "\"last_visit\": ");
		json_date(out, c->last_visit);
		fb_buf_puts(out, ", ");
	}
	fb_buf_addf(out, "\"contacts_due\": %zu, \"follow_ups_open\": %zu, "
			 "\"follow_ups_overdue\": %zu, \"issues_open\": {\"high\": %zu, "
			 "\"medium\": %zu, \"low\": %zu}",
		    c->contacts_due, c->follow_ups_open, c->follow_ups_overdue,
		    c->issues_open[FB_SEV_HIGH], c->issues_open[FB_SEV_MEDIUM],
		    c->issues_open[FB_SEV_LOW]);
	if (!total) {
		fb_buf_puts(out, ", \"assessment\": ");
		if (!c->has_assessment) {
			fb_buf_puts(out, "null");
		} else {
			const struct fb_assessment_pick *a = &c->assessment;
			fb_buf_puts(out, "{\"id\": ");
			fb_buf_json_str_or_null(out, a->id);
			fb_buf_puts(out, ", \"period\": ");
			fb_buf_json_str_or_null(out, a->period);
			fb_buf_puts(out, ", \"subject\": ");
			fb_buf_json_str_or_null(out, a->subject);
			if (a->overall >= 0)
				fb_buf_addf(out, ", \"overall\": %d, \"scores\": {", a->overall);
			else
				fb_buf_puts(out, ", \"overall\": null, \"scores\": {");
			for (k = 0; k < FB_NSCORES; k++) {
				fb_buf_addf(out, "%s\"%s\": ", k ? ", " : "", fb_score_names[k]);
				if (a->scores[k] >= 0)
					fb_buf_addf(out, "%d", a->scores[k]);
				else
					fb_buf_puts(out, "null");
			}
			if (a->has_change)
				fb_buf_addf(out, "}, \"change\": %d}", a->change);
			else
				fb_buf_puts(out, "}, \"change\": null}");
		}
	}
	fb_buf_puts(out, "}");
}

static void print_summary_json(struct fb_buf *out, const struct fb_summary *s)
{
	size_t i;
	fb_buf_puts(out, "{\"today\": ");
	json_date(out, s->today);
	fb_buf_puts(out, ", \"since\": ");
	json_date(out, s->since);
	fb_buf_puts(out, ", \"until\": ");
	json_date(out, s->until);
	fb_buf_puts(out, ",\n\"counties\": [");
	for (i = 0; i < s->ncounties; i++) {
		fb_buf_puts(out, i ? ",\n  " : "\n  ");
		json_county(out, &s->counties[i], false);
	}
	fb_buf_puts(out, s->ncounties ? "\n],\n\"totals\": " : "],\n\"totals\": ");
	json_county(out, &s->totals, true);
	fb_buf_puts(out, "}\n");
}

int cmd_summary(int argc, char **argv, struct fb_ctx *ctx)
{
	static const char *const formats[] = {"text", "markdown", "json", NULL};
	static const struct option opts[] = {
		{"since", required_argument, NULL, 'S'}, {"until", required_argument, NULL, 'U'},
		{"county", required_argument, NULL, 'c'}, {"at", required_argument, NULL, 'a'},
		{"format", required_argument, NULL, 'f'}, {NULL, 0, NULL, 0},
	};
	struct figures f;
	struct fb_buf out = FB_BUF_INIT;
	int status;

	memset(&f, 0, sizeof(f));
	if (!(status = figures_of(ctx, argc, argv, "", opts, formats, &f))) {
		if (f.format == 2)
			print_summary_json(&out, &f.s);
		else
			print_summary_table(&out, &f.s, ctx->ocolor, ctx->calendar, f.format == 1, false);
		status = cli_write(&out) ? EXIT_ENV : EXIT_OK;
	}
	fb_summary_release(&f.s);
	fb_buf_release(&out);
	return status;
}

/* ---- plan ------------------------------------------------------------------------------ */

int cmd_plan(int argc, char **argv, struct fb_ctx *ctx)
{
	static const char *const formats[] = {"text", "json", NULL};
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'F'}, {"weeks", required_argument, NULL, 'w'},
		{"format", required_argument, NULL, 'f'}, {NULL, 0, NULL, 0},
	};
	struct fb_summary s;
	struct fb_plan p;
	struct fb_buf out = FB_BUF_INIT, err = FB_BUF_INIT;
	struct cli_getopt g;
	const char *from_arg = NULL;
	int32_t from;
	long weeks = 2;
	size_t i, k;
	int opt, status = EXIT_OK, format = 0;

	memset(&s, 0, sizeof(s));
	memset(&p, 0, sizeof(p));
	cli_getopt_init(&g, ctx, argc, argv, "", opts);
	while ((opt = cli_getopt_next(&g)) != -1) {
		char *end;
		switch (opt) {
		case 'F':
			from_arg = optarg;
			break;
		case 'w':
			errno = 0;
			weeks = strtol(optarg, &end, 10);
			if (*end || errno || weeks < 1 || weeks > 52) {
				status = cli_usage_error(ctx, "--weeks wants 1 to 52, not '%s'", optarg);
				goto out;
			}
			break;
		case 'f':
			if ((format = cli_format(ctx, optarg, formats)) < 0) {
				status = EXIT_USAGE;
				goto out;
			}
			break;
		default:
			status = g.status;
			goto out;
		}
	}
	if ((status = cli_getopt_no_operands(&g)))
		goto out;
	/* read now: --today may come after --from */
	from = ctx->today;
	if (from_arg && fb_date_parse_arg(from_arg, ctx->today, &from, &err) < 0) {
		status = cli_usage_error(ctx, "bad date '%s': %s", from_arg, err.ptr);
		goto out;
	}
	if ((status = cli_repo(ctx)) || (status = cli_settings_warn(ctx, true)) ||
	    (status = compute(ctx, NULL, FB_NO_DAY, FB_NO_DAY, NULL, &s)))
		goto out;
	fb_plan_compute(&s, &ctx->settings, from, (int)weeks, ctx->calendar, &p);
	if (format == 1) {
		fb_buf_puts(&out, "{\"from\": ");
		json_date(&out, p.from);
		fb_buf_puts(&out, ", \"until\": ");
		json_date(&out, p.until);
		fb_buf_puts(&out, ", \"days\": [");
		for (i = 0; i < p.ndays; i++) {
			const struct fb_plan_day *d = &p.days[i];
			fb_buf_puts(&out, i ? ",\n  " : "\n  ");
			fb_buf_puts(&out, "{\"date\": ");
			json_date(&out, d->date);
			fb_buf_addf(&out, ", \"weekday\": \"%s\", \"county\": ",
				    fb_weekday_name_en(fb_weekday(d->date)));
			fb_buf_json_str_or_null(&out, d->county->id);
			fb_buf_addf(&out, ", \"score\": %.2f, \"reasons\": [", d->score);
			for (k = 0; k < d->reasons.n; k++) {
				fb_buf_puts(&out, k ? ", " : "");
				fb_buf_json_str_or_null(&out, d->reasons.v[k]);
			}
			fb_buf_puts(&out, "], \"contacts\": [");
			for (k = 0; k < d->ncontacts; k++) {
				fb_buf_puts(&out, k ? ", " : "");
				fb_buf_puts(&out, "{\"id\": ");
				fb_buf_json_str_or_null(&out, d->contacts[k].contact->id);
				fb_buf_puts(&out, ", \"name\": ");
				fb_buf_json_str_or_null(&out, d->contacts[k].contact->name);
				fb_buf_puts(&out, ", \"reason\": ");
				fb_buf_json_str_or_null(&out, d->contacts[k].reason);
				fb_buf_puts(&out, "}");
			}
			fb_buf_puts(&out, "]}");
		}
		fb_buf_puts(&out, p.ndays ? "\n]}\n" : "]}\n");
	} else {
		fb_buf_puts(&out, "Visits from ");
		date_text(&out, p.from, ctx->calendar);
		fb_buf_puts(&out, " to ");
		date_text(&out, p.until, ctx->calendar);
		fb_buf_putc(&out, '\n');
		for (i = 0; i < p.ndays; i++) {
			const struct fb_plan_day *d = &p.days[i];
			fb_buf_putc(&out, '\n');
			fb_buf_addf(&out, "%s ", fb_weekday_name_fa(fb_weekday(d->date)));
			date_text(&out, d->date, ctx->calendar);
			fb_buf_addf(&out, "  %s (%s), score %.1f\n",
				    d->county->name ? d->county->name : d->county->id, d->county->id,
				    d->score);
			for (k = 0; k < d->reasons.n; k++)
				fb_buf_addf(&out, "  - %s\n", d->reasons.v[k]);
			for (k = 0; k < d->ncontacts; k++)
				fb_buf_addf(&out, "    %s  %s: %s\n", d->contacts[k].contact->id,
					    d->contacts[k].contact->name ? d->contacts[k].contact->name
									 : "",
					    d->contacts[k].reason);
		}
		if (!p.ndays)
			fb_buf_puts(&out, "\nno visit day in that time (visit_days in fieldbook.yaml)\n");
	}
	status = cli_write(&out) ? EXIT_ENV : EXIT_OK;
out:
	fb_plan_release(&p);
	fb_summary_release(&s);
	fb_buf_release(&out);
	fb_buf_release(&err);
	cli_getopt_release(&g);
	return status;
}

/* ---- report ---------------------------------------------------------------------------- */

static const char *const score_fa[FB_NSCORES] = {
	"همسویی با سیاست‌ها", "پاسخگویی", "عمران و توسعه", "مدیریت تنش‌ها", "هماهنگی",
};

/* Text for HTML: escaped, ASCII digits as Persian ones. */
static void fa(struct fb_buf *out, const char *s)
{
	static const char *const digits[] = {"۰", "۱", "۲", "۳", "۴", "۵", "۶", "۷", "۸", "۹"};
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fb_buf_puts(out, "&lt;"); break;
		case '>': fb_buf_puts(out, "&gt;"); break;
		case '&': fb_buf_puts(out, "&amp;"); break;
		case '"': fb_buf_puts(out, "&quot;"); break;
		default:
			if (*s >= '0' && *s <= '9')
				fb_buf_puts(out, digits[*s - '0']);
			else
				fb_buf_putc(out, *s);
		}
	}
}

static void fa_num(struct fb_buf *out, long n)
{
	char num[32];
	snprintf(num, sizeof(num), "%ld", n);
	fa(out, num);
}

/* "1403-Q4" as the season's name and the year: "زمستان ۱۴۰۳". */
static void fa_period(struct fb_buf *out, const char *period)
{
	static const char *const seasons[] = {"بهار", "تابستان", "پاییز", "زمستان"};
	if (period && strlen(period) == 7 && period[4] == '-' && period[5] == 'Q' &&
	    period[6] >= '1' && period[6] <= '4') {
		char year[5];
		memcpy(year, period, 4);
		year[4] = '\0';
		fb_buf_addf(out, "%s ", seasons[period[6] - '1']);
		fa(out, year);
		return;
	}
	fa(out, period);
}

static void fa_date(struct fb_buf *out, int32_t day)
{
	struct fb_buf t = FB_BUF_INIT;
	date_text(&t, day, FB_CAL_JALALI);
	fa(out, t.ptr);
	fb_buf_release(&t);
}

static const char *county_name(const struct fb_summary *s, const char *id)
{
	size_t i;
	for (i = 0; id && i < s->ncounties; i++)
		if (!strcmp(s->counties[i].id, id))
			return s->counties[i].name ? s->counties[i].name : id;
	return id ? id : "";
}

/* A horizontal bar chart, one bar per label, as inline SVG (RTL: bars grow leftwards). */
static void svg_bars(struct fb_buf *out, const char *title, const char *const *labels,
		     const size_t *values, size_t n)
{
	size_t i, max = 1;
	const int row = 22, label_w = 130, width = 640, bar_w = width - label_w - 50;
	for (i = 0; i < n; i++)
		max = values[i] > max ? values[i] : max;
	fb_buf_addf(out, "<figure><figcaption>%s</figcaption>\n", title);
	fb_buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" "
			 "viewBox=\"0 0 %d %zu\" role=\"img\">\n",
		    width, n * (size_t)row + 10, width, n * (size_t)row + 10);
	for (i = 0; i < n; i++) {
		int y = (int)i * row + 5;
		int w = (int)((double)values[i] / (double)max * bar_w);
		fb_buf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"start\" class=\"l\">",
			    width - label_w + 120, y + 15);
		fa(out, labels[i]);
		fb_buf_addf(out, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
				 "class=\"b\"/><text x=\"%d\" y=\"%d\" class=\"v\">",
			    width - label_w - 10 - w, y + 3, w, row - 6, width - label_w - 16 - w,
			    y + 15);
		fa_num(out, (long)values[i]);
		fb_buf_puts(out, "</text>\n");
	}
	fb_buf_puts(out, "</svg></figure>\n");
}

/* Vertical bars over the Jalali months of the range. */
static void svg_months(struct fb_buf *out, const struct fb_summary *s)
{
	int y0, m0, d0, y1, m1, d1, y, m, i, n = 0;
	size_t counts[240] = {0}, max = 1, k;
	const int h = 160;
	int colw;

	fb_day_to_jalali(s->since, &y0, &m0, &d0);
	fb_day_to_jalali(s->until, &y1, &m1, &d1);
	n = (y1 - y0) * 12 + (m1 - m0) + 1;
	if (n < 1 || n > 240)
		return;
	colw = n <= 12 ? 52 : n <= 24 ? 30 : 16; /* a year of months fits the page */
	for (k = 0; k < s->nvisits; k++) {
		int vy, vm, vd;
		if (s->visits[k].date < s->since || s->visits[k].date > s->until)
			continue;
		fb_day_to_jalali(s->visits[k].date, &vy, &vm, &vd);
		counts[(vy - y0) * 12 + (vm - m0)]++;
	}
	for (i = 0; i < n; i++)
		max = counts[i] > max ? counts[i] : max;
	fb_buf_puts(out, "<figure><figcaption>بازدیدها در هر ماه</figcaption>\n");
	fb_buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
			 "viewBox=\"0 0 %d %d\" role=\"img\">\n",
		    n * colw + 20, h + 60, n * colw + 20, h + 60);
	for (i = 0, y = y0, m = m0; i < n; i++) {
		int bh = (int)((double)counts[i] / (double)max * h);
		int x = n * colw + 10 - (i + 1) * colw; /* right to left, as the page reads */
		struct fb_buf label = FB_BUF_INIT;
		fb_buf_addf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"b\"/>",
			    x + 4, 20 + h - bh, colw - 8, bh);
		fb_buf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"v\">",
			    x + colw / 2, 16 + h - bh);
		fa_num(out, (long)counts[i]);
		fb_buf_addf(out, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"m\">",
			    x + colw / 2, h + 36);
		fb_buf_addf(&label, "%s", fb_jalali_month_name(m));
		fa(out, label.ptr);
		fb_buf_addf(out, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"m\">",
			    x + colw / 2, h + 52);
		fa_num(out, y);
		fb_buf_puts(out, "</text>\n");
		fb_buf_release(&label);
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	fb_buf_puts(out, "</svg></figure>\n");
}

/*
 * One layout from A4 to a phone: tables take the width they are given,
 * headers wrap between words, figures and dates never (class n), free text
 * anywhere (class t), so nothing is cut; charts scale with their viewBox.
 * Below 600 px each table row becomes a card of "header: value" lines (the
 * header from the cell's data-label), so ten columns need not fit.
 */
static const char css[] =
	"@page{size:A4;margin:14mm}"
	"body{font-family:Vazirmatn,Vazir,Sahel,Tahoma,'DejaVu Sans',sans-serif;font-size:10.5pt;"
	"color:#1d2430;margin:0 auto;max-width:190mm;line-height:1.5;padding:0 2mm;"
	"box-sizing:border-box}"
	"p.org{font-weight:bold;color:#41505f;margin:0 0 1mm}"
	"h1{font-size:17pt;margin:0 0 2mm}h2{font-size:12.5pt;margin:7mm 0 2mm;"
	"border-bottom:1px solid #c9d2de;padding-bottom:1mm}"
	"p.sub{color:#5a6575;margin:0 0 4mm}"
	"table{border-collapse:collapse;width:100%;margin:2mm 0;page-break-inside:auto;"
	"font-size:9pt}"
	"tr{page-break-inside:avoid}"
	"th,td{border:1px solid #d5dce6;padding:1mm 1.2mm;text-align:right;vertical-align:top;"
	"overflow-wrap:break-word}td.t{overflow-wrap:anywhere}"
	"th{background:#eef2f7;font-weight:bold}td.n{text-align:center;white-space:nowrap}"
	"bdi{white-space:nowrap}"
	"tr.total td{font-weight:bold;background:#f6f8fb}"
	"figure{margin:3mm 0;page-break-inside:avoid}figcaption{font-weight:bold;margin-bottom:1mm}"
	"svg{max-width:100%;height:auto}"
	"svg .b{fill:#3d6fa8}svg text{font-family:inherit;font-size:11px;fill:#1d2430}"
	"svg .v{font-size:10px;fill:#41505f}svg .m{font-size:9.5px}"
	"td.h1{background:#e4574b;color:#fff}td.h2{background:#f2a65a}td.h3{background:#f7e08a}"
	"td.h4{background:#a8d5a2}td.h5{background:#5aae61;color:#fff}"
	".none{color:#7a8594}"
	"@media screen and (max-width:600px){"
	"body{font-size:10pt}h1{font-size:14pt}"
	"table,tbody,tr,td{display:block;width:auto}thead{display:none}"
	"tr{border:1px solid #d5dce6;margin:0 0 2mm;padding:1mm 0}"
	"td,td.n{border:0;padding:0.4mm 2mm;text-align:right}td:empty{display:none}"
	"td::before{content:attr(data-label) \": \";color:#5a6575;font-weight:normal}"
	"td.h1::before,td.h5::before{color:inherit}}";

/* A table's head: one <th> per column. */
static void html_head(struct fb_buf *out, const char *const *labels, size_t n)
{
	size_t k;
	fb_buf_puts(out, "<table><thead><tr>");
	for (k = 0; k < n; k++)
		fb_buf_addf(out, "<th>%s</th>", labels[k]);
	fb_buf_puts(out, "</tr></thead><tbody>\n");
}

/* Open a cell, with its column's header as data-label (the phone layout shows it). */
static void td(struct fb_buf *out, const char *label, const char *cls)
{
	fb_buf_addf(out, "<td data-label=\"%s\"%s%s%s>", label, cls ? " class=\"" : "",
		    cls ? cls : "", cls ? "\"" : "");
}

static void td_num(struct fb_buf *out, const char *label, long n)
{
	td(out, label, "n");
	fa_num(out, n);
	fb_buf_puts(out, "</td>");
}

static void html_summary(struct fb_buf *out, const struct fb_summary *s)
{
	const char *const *h = summary_head_fa;
	size_t i;
	fb_buf_puts(out, "<h2>خلاصه شهرستان‌ها</h2>\n");
	html_head(out, h, SUMMARY_COLS);
	for (i = 0; i <= s->ncounties; i++) {
		const struct fb_county_summary *c = i < s->ncounties ? &s->counties[i] : &s->totals;
		fb_buf_puts(out, i < s->ncounties ? "<tr>" : "<tr class=\"total\">");
		td(out, h[0], NULL);
		fa(out, i < s->ncounties ? (c->name ? c->name : c->id) : "جمع استان");
		fb_buf_puts(out, "</td>");
		td_num(out, h[1], (long)c->contacts);
		td_num(out, h[2], (long)c->visits);
		td_num(out, h[3], (long)c->contacts_met);
		td(out, h[4], "n");
		fa_date(out, c->last_visit);
		fb_buf_puts(out, "</td>");
		td_num(out, h[5], (long)c->contacts_due);
		td_num(out, h[6], (long)c->follow_ups_open);
		td_num(out, h[7], (long)c->follow_ups_overdue);
		td(out, h[8], "n");
		fa_num(out, (long)c->issues_open[FB_SEV_HIGH]);
		fb_buf_puts(out, "/");
		fa_num(out, (long)c->issues_open[FB_SEV_MEDIUM]);
		fb_buf_puts(out, "/");
		fa_num(out, (long)c->issues_open[FB_SEV_LOW]);
		fb_buf_puts(out, "</td>");
		if (i == s->ncounties) { /* the province has no governor of its own here */
			fb_buf_puts(out, "<td class=\"n\"></td></tr>\n");
			continue;
		}
		td(out, h[9], "n");
		if (c->has_assessment && c->assessment.overall >= 0) {
			struct fb_buf t = FB_BUF_INIT;
			fb_buf_addf(&t, "%d از 5", c->assessment.overall);
			fa(out, t.ptr);
			if (c->assessment.has_change && c->assessment.change) {
				/* isolated: in RTL, bidi would turn "(+1)" into "(1+)" */
				fb_buf_reset(&t);
				fb_buf_addf(&t, "(%s%d)", c->assessment.change > 0 ? "+" : "−",
					    abs(c->assessment.change));
				fb_buf_puts(out, " <bdi dir=\"ltr\">");
				fa(out, t.ptr);
				fb_buf_puts(out, "</bdi>");
			}
			fb_buf_release(&t);
		} else {
			fb_buf_puts(out, "<span class=\"none\">—</span>");
		}
		fb_buf_puts(out, "</td></tr>\n");
	}
	fb_buf_puts(out, "</tbody></table>\n");
}

static void html_scores(struct fb_buf *out, const struct fb_summary *s)
{
	const char *h[3 + FB_NSCORES + 1] = {"شهرستان", "فرماندار", "دوره"};
	size_t i;
	int k;
	for (k = 0; k < FB_NSCORES; k++)
		h[3 + k] = score_fa[k];
	h[3 + FB_NSCORES] = "نمره کل";
	fb_buf_puts(out, "<h2>آخرین ارزیابی فرمانداران</h2>\n");
	html_head(out, h, FB_ARRAY_SIZE(h));
	for (i = 0; i < s->ncounties; i++) {
		const struct fb_county_summary *c = &s->counties[i];
		if (!c->has_assessment)
			continue;
		fb_buf_puts(out, "<tr>");
		td(out, h[0], NULL);
		fa(out, c->name ? c->name : c->id);
		fb_buf_puts(out, "</td>");
		td(out, h[1], "t");
		fa(out, c->assessment.subject);
		fb_buf_puts(out, "</td>");
		td(out, h[2], "n");
		fa_period(out, c->assessment.period);
		fb_buf_puts(out, "</td>");
		for (k = 0; k <= FB_NSCORES; k++) {
			int v = k < FB_NSCORES ? c->assessment.scores[k] : c->assessment.overall;
			if (v >= 1 && v <= 5) {
				char cls[8];
				snprintf(cls, sizeof(cls), "n h%d", v);
				td(out, h[3 + k], cls);
				fa_num(out, v);
				fb_buf_puts(out, "</td>");
			} else {
				td(out, h[3 + k], "n none");
				fb_buf_puts(out, "—</td>");
			}
		}
		fb_buf_puts(out, "</tr>\n");
	}
	fb_buf_puts(out, "</tbody></table>\n");
}

static void html_lists(struct fb_buf *out, const struct fb_summary *s)
{
	static const char *const ih[] = {"شهرستان", "مسئله", "تاریخ", "سند"};
	static const char *const fh[] = {"شهرستان", "اقدام", "مسئول", "مهلت", "روز تأخیر",
					 "بازدید"};
	size_t i, n = 0;
	fb_buf_puts(out, "<h2>مسائل باز با اهمیت زیاد</h2>\n");
	for (i = 0; i < s->nissues; i++)
		n += s->issues[i].severity == FB_SEV_HIGH;
	if (!n) {
		fb_buf_puts(out, "<p class=\"none\">مسئله بازی با اهمیت زیاد نیست.</p>\n");
	} else {
		html_head(out, ih, FB_ARRAY_SIZE(ih));
		for (i = 0; i < s->nissues; i++) {
			const struct fb_issue_info *x = &s->issues[i];
			if (x->severity != FB_SEV_HIGH)
				continue;
			fb_buf_puts(out, "<tr>");
			td(out, ih[0], NULL);
			fa(out, county_name(s, x->county));
			fb_buf_puts(out, "</td>");
			td(out, ih[1], "t");
			fa(out, x->title);
			fb_buf_puts(out, "</td>");
			td(out, ih[2], "n");
			fa_date(out, x->date);
			fb_buf_puts(out, "</td>");
			td(out, ih[3], "n");
			fa(out, x->source);
			fb_buf_puts(out, "</td></tr>\n");
		}
		fb_buf_puts(out, "</tbody></table>\n");
	}
	fb_buf_puts(out, "<h2>پیگیری‌های معوق</h2>\n");
	for (i = 0, n = 0; i < s->nfollow_ups; i++)
		n += s->follow_ups[i].due != FB_NO_DAY && s->follow_ups[i].due < s->today;
	if (!n) {
		fb_buf_puts(out, "<p class=\"none\">پیگیری معوقی نیست.</p>\n");
		return;
	}
	html_head(out, fh, FB_ARRAY_SIZE(fh));
	for (i = 0; i < s->nfollow_ups; i++) {
		const struct fb_follow_up_info *f = &s->follow_ups[i];
		if (f->due == FB_NO_DAY || f->due >= s->today)
			continue;
		fb_buf_puts(out, "<tr>");
		td(out, fh[0], NULL);
		fa(out, county_name(s, f->county));
		fb_buf_puts(out, "</td>");
		td(out, fh[1], "t");
		fa(out, f->action);
		fb_buf_puts(out, "</td>");
		td(out, fh[2], "t");
		fa(out, f->owner);
		fb_buf_puts(out, "</td>");
		td(out, fh[3], "n");
		fa_date(out, f->due);
		fb_buf_puts(out, "</td>");
		td_num(out, fh[4], s->today - f->due);
		td(out, fh[5], "n");
		fa(out, f->visit);
		fb_buf_puts(out, "</td></tr>\n");
	}
	fb_buf_puts(out, "</tbody></table>\n");
}

/* The word before the province in the title: "استان کرمان", unless it says استان already. */
static const char *province_prefix(const char *province)
{
	return strncmp(province, "استان", strlen("استان")) ? "استان " : "";
}

static void report_html(struct fb_buf *out, const struct fb_summary *s,
			const struct fb_settings *set)
{
	const char **labels = fb_calloc(s->ncounties + 1, sizeof(*labels));
	size_t *values = fb_calloc(s->ncounties + 1, sizeof(*values)), i;
	bool province = set->province && set->province[0];
	struct fb_buf title = FB_BUF_INIT;

	fb_buf_puts(&title, "گزارش بازدیدهای میدانی شهرستان‌ها");
	if (province) {
		fb_buf_addf(&title, "ی %s", province_prefix(set->province));
		fa(&title, set->province);
	}
	fb_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"fa\" dir=\"rtl\">\n<head>\n"
			 "<meta charset=\"utf-8\">\n"
			 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			 "<title>");
	fb_buf_add(out, title.ptr, title.len);
	fb_buf_puts(out, "</title>\n<style>");
	fb_buf_puts(out, css);
	fb_buf_puts(out, "</style>\n</head>\n<body>\n");
	if (set->office && set->office[0]) {
		fb_buf_puts(out, "<p class=\"org\">");
		fa(out, set->office);
		fb_buf_puts(out, "</p>\n");
	}
	fb_buf_puts(out, "<h1>");
	fb_buf_add(out, title.ptr, title.len);
	fb_buf_puts(out, "</h1>\n<p class=\"sub\">از ");
	fa_date(out, s->since);
	fb_buf_puts(out, " تا ");
	fa_date(out, s->until);
	fb_buf_puts(out, " — تهیه‌شده در ");
	fa_date(out, s->today);
	fb_buf_puts(out, "</p>\n");
	html_summary(out, s);
	for (i = 0; i < s->ncounties; i++) {
		labels[i] = s->counties[i].name ? s->counties[i].name : s->counties[i].id;
		values[i] = s->counties[i].visits;
	}
	fb_buf_puts(out, "<h2>بازدیدها</h2>\n");
	svg_bars(out, "بازدیدها در هر شهرستان", labels, values, s->ncounties);
	svg_months(out, s);
	html_scores(out, s);
	html_lists(out, s);
	fb_buf_puts(out, "</body>\n</html>\n");
	fb_buf_release(&title);
	free(labels);
	free(values);
}

static void report_markdown(struct fb_buf *out, const struct fb_summary *s, enum fb_calendar cal,
			    const struct fb_settings *set)
{
	size_t i;
	int k;
	if (set->office && set->office[0])
		fb_buf_addf(out, "**%s**\n\n", set->office);
	fb_buf_puts(out, "# گزارش بازدیدهای میدانی شهرستان‌ها");
	if (set->province && set->province[0])
		fb_buf_addf(out, "ی %s%s", province_prefix(set->province), set->province);
	fb_buf_puts(out, "\n\n");
	print_summary_table(out, s, false, cal, true, true);
	fb_buf_puts(out, "\n## آخرین ارزیابی فرمانداران\n\n| شهرستان | فرماندار | دوره |");
	for (k = 0; k < FB_NSCORES; k++)
		fb_buf_addf(out, " %s |", score_fa[k]);
	fb_buf_puts(out, " نمره کل |\n| --- | --- | --- |");
	for (k = 0; k <= FB_NSCORES; k++)
		fb_buf_puts(out, " ---: |");
	fb_buf_putc(out, '\n');
	for (i = 0; i < s->ncounties; i++) {
		const struct fb_assessment_pick *a = &s->counties[i].assessment;
		if (!s->counties[i].has_assessment)
			continue;
		fb_buf_addf(out, "| %s | %s | %s |",
			    s->counties[i].name ? s->counties[i].name : s->counties[i].id,
			    a->subject ? a->subject : "", a->period ? a->period : "");
		for (k = 0; k <= FB_NSCORES; k++) {
			int v = k < FB_NSCORES ? a->scores[k] : a->overall;
			if (v >= 0)
				fb_buf_addf(out, " %d |", v);
			else
				fb_buf_puts(out, " - |");
		}
		fb_buf_putc(out, '\n');
	}
	fb_buf_puts(out, "\n## مسائل باز با اهمیت زیاد\n\n| شهرستان | مسئله | تاریخ | سند |\n"
			 "| --- | --- | --- | --- |\n");
	for (i = 0; i < s->nissues; i++) {
		const struct fb_issue_info *x = &s->issues[i];
		if (x->severity != FB_SEV_HIGH)
			continue;
		fb_buf_addf(out, "| %s | %s | ", county_name(s, x->county), x->title ? x->title : "");
		date_text(out, x->date, cal);
		fb_buf_addf(out, " | %s |\n", x->source);
	}
	fb_buf_puts(out, "\n## پیگیری‌های معوق\n\n| شهرستان | اقدام | مسئول | مهلت | روز تأخیر | "
			 "بازدید |\n| --- | --- | --- | --- | ---: | --- |\n");
	for (i = 0; i < s->nfollow_ups; i++) {
		const struct fb_follow_up_info *f = &s->follow_ups[i];
		if (f->due == FB_NO_DAY || f->due >= s->today)
			continue;
		fb_buf_addf(out, "| %s | %s | %s | ", county_name(s, f->county),
			    f->action ? f->action : "", f->owner ? f->owner : "");
		date_text(out, f->due, cal);
		fb_buf_addf(out, " | %d | %s |\n", s->today - f->due, f->visit);
	}
}

int cmd_report(int argc, char **argv, struct fb_ctx *ctx)
{
	static const char *const formats[] = {"html", "markdown", NULL};
	static const struct option opts[] = {
		{"since", required_argument, NULL, 'S'}, {"until", required_argument, NULL, 'U'},
		{"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	struct figures f;
	struct fb_buf out = FB_BUF_INIT, path = FB_BUF_INIT;
	const char *file;
	int status;

	memset(&f, 0, sizeof(f));
	if ((status = figures_of(ctx, argc, argv, "o:", opts, formats, &f)))
		goto out;
	file = f.file;
	if (f.format == 0)
		report_html(&out, &f.s, &ctx->settings);
	else
		report_markdown(&out, &f.s, ctx->calendar, &ctx->settings);
	if (file && strcmp(file, "-")) {
		char cwd[4096];
		if (file[0] == '/' || !getcwd(cwd, sizeof(cwd)))
			fb_buf_puts(&path, file);
		else
			fb_buf_addf(&path, "%s/%s", cwd, file);
		if (fb_file_replace(path.ptr, out.ptr, out.len, 0644, file, &ctx->diag) < 0) {
			cli_flush_diag(ctx);
			status = EXIT_ENV;
			goto out;
		}
		fprintf(stderr, "wrote %s\n", file);
	} else if (cli_write(&out)) {
		status = EXIT_ENV;
	}
out:
	fb_summary_release(&f.s);
	fb_buf_release(&out);
	fb_buf_release(&path);
	return status;
}
