/*
 * fieldbook summary [--since D] [--until D] [--county ID] [--at REV|DATE] [--format text|markdown|json]
 * fieldbook plan [--from D] [--weeks N] [--format text|json]
 * fieldbook report [--since D] [--until D] [--format html|markdown] [-o FILE]
 *
 * The figures come from summary.c, computed once; this file prints them:
 * an aligned table for a terminal, markdown and the JSON of SPEC §6; the
 * governor's report is written by report.c.  Nothing x-confidential is
 * read, so nothing can leak.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fieldbook/report.h>
#include <fieldbook/summary.h>
#include <fieldbook/text.h>

#include "cli.h"

/* ---- shared ------------------------------------------------------------------------------ */

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
	cli_getopt_format(&g, 'f', formats, &f->format);
	while (!status && (opt = cli_getopt_next(&g)) != -1) {
		switch (opt) {
		case 'S': f->since = optarg; break;
		case 'U': f->until = optarg; break;
		case 'c': f->county = optarg; break;
		case 'a': f->at = optarg; break;
		case 'o': f->file = optarg; break;
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

/* The summary table: the range, then aligned for a terminal, or markdown. */
static void print_summary_table(struct fb_buf *out, const struct fb_summary *s, bool tty,
				enum fb_calendar cal, bool markdown)
{
	size_t rows = s->ncounties + 2, r, c;
	struct fb_buf *cells;
	static const bool right[FB_SUMMARY_COLS] = {false, true, true, true, false,
						    true,  true, true, true, true};

	if (markdown) {
		fb_summary_markdown(out, s, cal, false);
		return;
	}
	cells = fb_calloc(rows * FB_SUMMARY_COLS + 1, sizeof(*cells));
	for (c = 0; c < FB_SUMMARY_COLS; c++)
		fb_buf_puts(&cells[c], fb_summary_head[c]);
	for (r = 0; r < s->ncounties; r++)
		fb_summary_cells(&cells[(r + 1) * FB_SUMMARY_COLS], &s->counties[r], cal, false);
	fb_summary_cells(&cells[(rows - 1) * FB_SUMMARY_COLS], &s->totals, cal, false);
	fb_summary_range(out, s, cal, false);
	fb_buf_puts(out, "\n\n");
	cli_table(out, cells, rows, FB_SUMMARY_COLS, tty, right);
	for (r = 0; r < rows * FB_SUMMARY_COLS; r++)
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
			print_summary_table(&out, &f.s, ctx->ocolor, ctx->calendar, f.format == 1);
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
	cli_getopt_format(&g, 'f', formats, &format);
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
		fb_summary_date(&out, p.from, ctx->calendar);
		fb_buf_puts(&out, " to ");
		fb_summary_date(&out, p.until, ctx->calendar);
		fb_buf_putc(&out, '\n');
		for (i = 0; i < p.ndays; i++) {
			const struct fb_plan_day *d = &p.days[i];
			fb_buf_putc(&out, '\n');
			fb_buf_addf(&out, "%s ", fb_weekday_name_fa(fb_weekday(d->date)));
			fb_summary_date(&out, d->date, ctx->calendar);
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
		fb_report_html(&out, &f.s, ctx->settings.office, ctx->settings.province);
	else
		fb_report_markdown(&out, &f.s, ctx->calendar, ctx->settings.office,
				   ctx->settings.province);
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
