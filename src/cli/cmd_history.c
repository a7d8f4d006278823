/*
 * fieldbook log [TYPE/ID] [--since D] [--until D] [--author RE] [-n N] [--format text|json]
 * fieldbook diff [REV [REV]] [TARGET...] [--format text|json]
 * fieldbook blame TYPE/ID [--format text|json]
 * fieldbook audit [--since D] [--until D] [--strict] [--format text|json|csv]
 *
 * The audit trail (history.h) printed: field changes as
 * `/phones/0: "0912…" → "0913…"`, commits with their author and date (in
 * the calendar of --calendar or fieldbook.yaml, with the commit's own
 * offset), and the JSON shapes of SPEC §6 (full commit ids, ISO 8601
 * dates).  audit adds the verdicts of SPEC §6 for every commit in range
 * and exits 1 when one that applies failed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fieldbook/check.h>
#include <fieldbook/history.h>
#include <fieldbook/text.h>
#include <fieldbook/vcs.h>

#include "cli.h"

/* ---- shared printing ---------------------------------------------------------------------- */

/* A commit time at its own offset: "1403/09/06 14:30 +0330" (text) or ISO 8601 (JSON). */
static void print_time(struct fb_buf *out, int64_t t, int offset, enum fb_calendar cal, bool iso)
{
	int64_t local = t + (int64_t)offset * 60;
	int32_t day = (int32_t)(local / 86400 - (local % 86400 < 0));
	int64_t sec = local - (int64_t)day * 86400;
	int off = offset < 0 ? -offset : offset;

	if (iso) {
		int y, m, d;
		fb_day_to_gregorian(day, &y, &m, &d);
		fb_buf_addf(out, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d,
			    (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60),
			    offset < 0 ? '-' : '+', off / 60, off % 60);
		return;
	}
	fb_date_format(out, day, cal);
	fb_buf_addf(out, " %02d:%02d %c%02d%02d", (int)(sec / 3600), (int)(sec / 60 % 60),
		    offset < 0 ? '-' : '+', off / 60, off % 60);
}

/* A JSON value for text output, shortened: long values end in "…". */
static void short_value(struct fb_buf *out, const char *json)
{
	if (!json) {
		fb_buf_puts(out, "(none)");
		return;
	}
	fb_diag_shorten(out, json, strlen(json), 60);
}

static void text_fields(struct fb_buf *out, const struct fb_record_change *rc, const char *indent)
{
	size_t i;
	if (rc->kind != FB_CHANGE_MODIFIED && rc->kind != FB_CHANGE_RENAMED)
		return;
	if (!rc->fields.n) {
		fb_buf_addf(out, "%s(the same data, written differently)\n", indent);
		return;
	}
	for (i = 0; i < rc->fields.n; i++) {
		const struct fb_change *ch = &rc->fields.v[i];
		fb_buf_addf(out, "%s%s: ", indent, ch->path[0] ? ch->path : "/");
		short_value(out, ch->old_json);
		fb_buf_puts(out, " → ");
		short_value(out, ch->new_json);
		fb_buf_putc(out, '\n');
	}
}

static void text_change(struct fb_buf *out, const struct fb_record_change *rc, const char *indent)
{
	fb_buf_addf(out, "%s%s %s/%s", indent, fb_change_kind_name(rc->kind), rc->type, rc->id);
	if (rc->from)
		fb_buf_addf(out, " (from %s to %s)", rc->from, rc->path);
	fb_buf_putc(out, '\n');
}

/* One diff entry of SPEC §6. */
static void json_change(struct fb_buf *out, const struct fb_record_change *rc)
{
	size_t i;
	fb_buf_addf(out, "{\"record\": \"%s/%s\", \"change\": \"%s\", \"from\": ", rc->type, rc->id,
		    fb_change_kind_name(rc->kind));
	fb_buf_json_str_or_null(out, rc->from);
	fb_buf_puts(out, ", \"fields\": [");
	for (i = 0; i < rc->fields.n; i++) {
		const struct fb_change *ch = &rc->fields.v[i];
		fb_buf_puts(out, i ? ", " : "");
		fb_buf_puts(out, "{\"path\": ");
		fb_buf_json_str_or_null(out, ch->path);
		fb_buf_addf(out, ", \"old\": %s, \"new\": %s}", ch->old_json ? ch->old_json : "null",
			    ch->new_json ? ch->new_json : "null");
	}
	fb_buf_puts(out, "]}");
}

static void json_commit_head(struct fb_buf *out, const struct fb_commit_info *c)
{
	fb_buf_addf(out, "{\"commit\": \"%s\", \"author\": ", c->id);
	fb_buf_json_str_or_null(out, c->author);
	fb_buf_puts(out, ", \"email\": ");
	fb_buf_json_str_or_null(out, c->email);
	fb_buf_puts(out, ", \"date\": \"");
	print_time(out, c->time, c->offset, FB_CAL_GREGORIAN, true);
	fb_buf_puts(out, "\", \"message\": ");
	fb_buf_json_str_or_null(out, c->message);
}

static void json_records(struct fb_buf *out, const struct fb_record_changes *rc)
{
	size_t i;
	fb_buf_puts(out, ", \"records\": [");
	for (i = 0; i < rc->n; i++) {
		fb_buf_puts(out, i ? ",\n    " : "\n    ");
		json_change(out, &rc->v[i]);
	}
	fb_buf_puts(out, rc->n ? "\n  ]" : "]");
}

static void text_commit_head(struct fb_buf *out, const struct fb_commit_info *c,
			     enum fb_calendar cal)
{
	const char *msg = c->message;
	fb_buf_addf(out, "commit %s%s\nAuthor: %s <%s>\nDate:   ", c->id,
		    c->nparents > 1 ? " (merge)" : "", c->author, c->email);
	print_time(out, c->time, c->offset, cal, false);
	fb_buf_addf(out, "\n\n    %.*s\n", (int)strcspn(msg, "\n"), msg);
}

/* --since/--until: the start of one local day, the end of another. */
static int parse_range(struct fb_ctx *ctx, const char *since, const char *until, bool *has_since,
		       int64_t *from, bool *has_until, int64_t *to)
{
	struct fb_buf err = FB_BUF_INIT;
	int32_t day;
	*has_since = *has_until = false;
	if (since) {
		if (fb_date_parse_arg(since, ctx->today, &day, &err) < 0)
			goto bad;
		*from = (int64_t)fb_day_end_time(day - 1) + 1;
		*has_since = true;
	}
	if (until) {
		if (fb_date_parse_arg(until, ctx->today, &day, &err) < 0)
			goto bad;
		*to = (int64_t)fb_day_end_time(day);
		*has_until = true;
	}
	fb_buf_release(&err);
	return 0;
bad:
	cli_usage_error(ctx, "bad date '%s': %s", since && !*has_since ? since : until, err.ptr);
	fb_buf_release(&err);
	return EXIT_USAGE;
}

static const char *const text_json[] = {"text", "json", NULL};

/* ---- log ------------------------------------------------------------------------------- */

struct log_run {
	struct fb_ctx *ctx;
	int format;
	size_t n;
	struct fb_buf out;
};

static int log_one(const struct fb_commit_info *c, const struct fb_record_changes *rc, void *arg)
{
	struct log_run *run = arg;
	size_t i;

	if (run->format == 1) {
		fb_buf_puts(&run->out, run->n ? ",\n" : "[\n");
		fb_buf_puts(&run->out, "  ");
		json_commit_head(&run->out, c);
		json_records(&run->out, rc);
		fb_buf_puts(&run->out, "}");
	} else {
		if (run->n)
			fb_buf_putc(&run->out, '\n');
		text_commit_head(&run->out, c, run->ctx->calendar);
		fb_buf_putc(&run->out, '\n');
		for (i = 0; i < rc->n; i++) {
			text_change(&run->out, &rc->v[i], "  ");
			text_fields(&run->out, &rc->v[i], "    ");
		}
	}
	run->n++;
	/* print as it goes: a long walk shows its first commits at once */
	if (cli_write(&run->out))
		return EXIT_ENV;
	fb_buf_reset(&run->out);
	return 0;
}

int cmd_log(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {
		{"since", required_argument, NULL, 'S'}, {"until", required_argument, NULL, 'U'},
		{"author", required_argument, NULL, 'a'}, {"format", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	struct log_run run = {ctx, 0, 0, FB_BUF_INIT};
	struct fb_log_opts lo;
	struct cli_getopt g;
	const char *since = NULL, *until = NULL, *author = NULL;
	char *type = NULL, *id = NULL;
	int opt, status = EXIT_OK, err;

	memset(&lo, 0, sizeof(lo));
	cli_getopt_init(&g, ctx, argc, argv, "n:", opts);
	cli_getopt_format(&g, 'f', text_json, &run.format);
	while ((opt = cli_getopt_next(&g)) != -1) {
		char *end;
		switch (opt) {
		case 'S': since = optarg; break;
		case 'U': until = optarg; break;
		case 'a': author = optarg; break;
		case 'n':
			errno = 0;
			lo.max = (size_t)strtoul(optarg, &end, 10);
			if (*end || optarg[0] == '-' || errno || !lo.max) {
				status = cli_usage_error(ctx, "-n wants a number of commits, not '%s'", optarg);
				goto out;
			}
			break;
		default:
			status = g.status;
			goto out;
		}
	}
	if (argc - g.optind > 1) {
		status = cli_usage_error(ctx, "log takes at most one TYPE/ID");
		goto out;
	}
	if ((status = cli_repo(ctx)))
		goto out;
	if (g.optind < argc) {
		if (fb_target_parse(ctx->repo, argv[g.optind], &type, &id, &ctx->diag) < 0) {
			status = cli_usage_flush(ctx);
			goto out;
		}
		lo.type = type;
		lo.id = id;
	}
	if ((status = parse_range(ctx, since, until, &lo.has_since, &lo.since, &lo.has_until,
				  &lo.until)))
		goto out;
	if (author) {
		struct fb_buf why = FB_BUF_INIT;
		size_t at;
		if (fb_regex_compile(&lo.author, author, strlen(author),
				     ctx->exact ? FB_RE_DEFAULT : FB_RE_FOLD | FB_RE_CASELESS, &why,
				     &at) < 0) {
			status = cli_usage_error(ctx, "--author '%s': %s", author, why.ptr);
			fb_buf_release(&why);
			goto out;
		}
		fb_buf_release(&why);
	}
	lo.show_confidential = ctx->show_confidential;
	err = fb_history_log(ctx->repo, &lo, log_one, &run, &ctx->diag);
	if (run.format == 1)
		fb_buf_puts(&run.out, run.n ? "\n]\n" : "[]\n");
	if (cli_write(&run.out))
		err = EXIT_ENV;
	cli_flush_diag(ctx);
	status = err == FB_ENOTFOUND ? EXIT_USAGE : err ? EXIT_ENV : EXIT_OK;
out:
	fb_regex_free(lo.author);
	free(type);
	free(id);
	fb_buf_release(&run.out);
	cli_getopt_release(&g);
	return status;
}

/* ---- diff ------------------------------------------------------------------------------ */

/* Whether `arg` names a revision (and not a file here, a type or a TYPE/ID). */
static bool is_revision(struct fb_ctx *ctx, const char *arg)
{
	struct fb_source *src = NULL;
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_strvec types = {0};
	const char *slash = strchr(arg, '/');
	char *first = fb_strndup(arg, slash ? (size_t)(slash - arg) : strlen(arg));
	struct stat st;
	bool rev = stat(arg, &st) != 0;

	if (rev) {
		fb_source_worktree(&src, ctx->repo);
		fb_source_types(src, &types, &quiet);
		rev = !fb_strvec_has(&types, first);
		fb_source_free(src);
		src = NULL;
	}
	rev = rev && fb_source_rev(&src, ctx->repo, arg, &quiet) == 0;
	fb_source_free(src);
	fb_strvec_release(&types);
	fb_diag_release(&quiet);
	free(first);
	return rev;
}

int cmd_diff(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	struct fb_record_changes changes = {0};
	struct fb_strvec prefixes = {0};
	struct fb_buf out = FB_BUF_INIT;
	struct cli_getopt g;
	const char *revs[2] = {NULL, NULL};
	int status = EXIT_OK, format = 0, nrev = 0, i, err;
	size_t k;

	cli_getopt_init(&g, ctx, argc, argv, "", opts);
	cli_getopt_format(&g, 'f', text_json, &format);
	if (cli_getopt_next(&g) != -1) {
		status = g.status;
		goto out;
	}
	if ((status = cli_repo(ctx)))
		goto out;
	for (i = g.optind; i < argc; i++) {
		if (nrev < 2 && (size_t)i == (size_t)g.optind + (size_t)nrev &&
		    strcmp(argv[i], "--") && is_revision(ctx, argv[i])) {
			revs[nrev++] = argv[i];
			continue;
		}
		if (!strcmp(argv[i], "--"))
			continue;
		if ((status = cli_target_prefixes(ctx, argv[i], &prefixes)))
			goto out;
	}
	err = fb_history_diff(ctx->repo, revs[0], nrev == 2 ? revs[1] : NULL, &prefixes,
			      ctx->show_confidential, &changes, &ctx->diag);
	if (err) {
		cli_flush_diag(ctx);
		status = err == FB_ENOTFOUND ? EXIT_USAGE : EXIT_ENV;
		goto out;
	}
	if (format == 1)
		fb_buf_puts(&out, "[");
	for (k = 0; k < changes.n; k++) {
		if (format == 1) {
			fb_buf_puts(&out, k ? ",\n  " : "\n  ");
			json_change(&out, &changes.v[k]);
		} else {
			text_change(&out, &changes.v[k], "");
			text_fields(&out, &changes.v[k], "  ");
		}
	}
	if (format == 1)
		fb_buf_puts(&out, changes.n ? "\n]\n" : "]\n");
	status = cli_write(&out) ? EXIT_ENV : EXIT_OK;
out:
	fb_record_changes_release(&changes);
	fb_strvec_release(&prefixes);
	fb_buf_release(&out);
	cli_getopt_release(&g);
	return status;
}

/* ---- blame ----------------------------------------------------------------------------- */

int cmd_blame(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	struct fb_blame b = {0};
	struct fb_buf out = FB_BUF_INIT, cell = FB_BUF_INIT;
	struct cli_getopt g;
	char *type = NULL, *id = NULL;
	size_t i, wpath = 4, wvalue = 5;
	int status = EXIT_OK, format = 0, err;

	cli_getopt_init(&g, ctx, argc, argv, "", opts);
	cli_getopt_format(&g, 'f', text_json, &format);
	if (cli_getopt_next(&g) != -1) {
		status = g.status;
		goto out;
	}
	if ((status = cli_target_arg(ctx, argc, argv, g.optind, &type, &id)))
		goto out;
	err = fb_history_blame(ctx->repo, type, id, ctx->show_confidential, &b, &ctx->diag);
	if (err) {
		cli_flush_diag(ctx);
		status = err == FB_ENOTFOUND ? EXIT_USAGE : err == FB_EINVALID ? EXIT_DATA : EXIT_ENV;
		goto out;
	}
	if (format == 1) {
		fb_buf_puts(&out, "[");
		for (i = 0; i < b.n; i++) {
			const struct fb_blame_entry *e = &b.v[i];
			fb_buf_puts(&out, i ? ",\n  " : "\n  ");
			fb_buf_puts(&out, "{\"path\": ");
			fb_buf_json_str_or_null(&out, e->path);
			fb_buf_addf(&out, ", \"value\": %s, ", e->value);
			if (!e->committed) {
				fb_buf_puts(&out, "\"commit\": null, \"author\": null, \"email\": null, "
						  "\"date\": null}");
				continue;
			}
			fb_buf_addf(&out, "\"commit\": \"%s\", \"author\": ", e->commit.id);
			fb_buf_json_str_or_null(&out, e->commit.author);
			fb_buf_puts(&out, ", \"email\": ");
			fb_buf_json_str_or_null(&out, e->commit.email);
			fb_buf_puts(&out, ", \"date\": \"");
			print_time(&out, e->commit.time, e->commit.offset, FB_CAL_GREGORIAN, true);
			fb_buf_puts(&out, "\"}");
		}
		fb_buf_puts(&out, b.n ? "\n]\n" : "]\n");
	} else {
		/* columns: path, value, then who and when */
		for (i = 0; i < b.n; i++) {
			size_t w;
			fb_buf_reset(&cell);
			short_value(&cell, b.v[i].value);
			w = fb_display_width(cell.ptr, cell.len);
			wvalue = w > wvalue ? w : wvalue;
			w = fb_display_width(b.v[i].path, strlen(b.v[i].path));
			wpath = w > wpath ? w : wpath;
		}
		for (i = 0; i < b.n; i++) {
			const struct fb_blame_entry *e = &b.v[i];
			size_t w = fb_display_width(e->path, strlen(e->path));
			fb_buf_puts(&out, e->path);
			fb_buf_addch(&out, ' ', wpath - w + 2);
			fb_buf_reset(&cell);
			short_value(&cell, e->value);
			fb_buf_add(&out, cell.ptr, cell.len);
			fb_buf_addch(&out, ' ', wvalue - fb_display_width(cell.ptr, cell.len) + 2);
			if (!e->committed) {
				fb_buf_puts(&out, "(not committed yet)\n");
				continue;
			}
			fb_buf_addf(&out, "%.7s  ", e->commit.id);
			print_time(&out, e->commit.time, e->commit.offset, ctx->calendar, false);
			fb_buf_addf(&out, "  %s <%s>\n", e->commit.author, e->commit.email);
		}
	}
	status = cli_write(&out) ? EXIT_ENV : EXIT_OK;
out:
	fb_blame_release(&b);
	free(type);
	free(id);
	fb_buf_release(&out);
	fb_buf_release(&cell);
	cli_getopt_release(&g);
	return status;
}

/* ---- audit ----------------------------------------------------------------------------- */

struct audit_run {
	struct fb_ctx *ctx;
	int format;
	bool strict; /* Validated-by and signatures apply */
	size_t commits, invalid, unvalidated, false_claims, unsigned_, bad_signatures;
	bool failed;
	struct fb_buf out;
	struct fb_buf csv;
	struct fb_check_cache *cache; /* each record blob is checked once in the whole run */
};

/* One CSV cell of a NUL-terminated text (NULL: empty). */
static void csv_cell(struct fb_buf *out, const char *s)
{
	fb_buf_csv_field(out, s ? s : "", s ? strlen(s) : 0);
}

static int audit_one(const struct fb_commit_info *c, const struct fb_record_changes *rc, void *arg)
{
	struct audit_run *run = arg;
	struct fb_ctx *ctx = run->ctx;
	struct fb_source *src = NULL;
	struct fb_diag errs = FB_DIAG_INIT;
	struct fb_check_stats st;
	struct fb_check_opts co = {ctx->show_confidential, ctx->threads, run->cache};
	bool valid, good = false, vouched;
	int sig = 0;
	size_t i;

	/* the tree valid at that commit */
	if (fb_source_rev(&src, ctx->repo, c->id, &errs) == 0)
		fb_check(src, NULL, 0, &co, &st, &errs);
	fb_source_free(src);
	fb_diag_sort(&errs);
	valid = errs.errors == 0; /* audit's own check: a trailer proves nothing */
	vouched = c->validated_by && valid;
	if (c->signed_commit) {
		sig = fb_vcs_verify_signature(ctx->repo, c->id);
		good = sig == 1;
	}
	run->commits++;
	run->invalid += !valid;
	run->unvalidated += !c->validated_by;
	run->false_claims += c->validated_by && !valid;
	run->unsigned_ += !c->signed_commit;
	run->bad_signatures += c->signed_commit && !good;
	if (!valid || (run->strict && (!vouched || !c->signed_commit || !good)))
		run->failed = true;

	if (run->format == 1) {
		fb_buf_puts(&run->out, run->commits > 1 ? ",\n  " : "\n  ");
		json_commit_head(&run->out, c);
		json_records(&run->out, rc);
		fb_buf_addf(&run->out, ", \"verdicts\": {\"valid\": %s, \"errors\": [",
			    valid ? "true" : "false");
		for (i = 0; i < errs.n; i++) {
			if (errs.v[i].severity != FB_SEV_ERROR)
				continue;
			fb_buf_puts(&run->out, i ? ", " : "");
			fb_diag_format_json(&run->out, &errs.v[i]);
		}
		fb_buf_addf(&run->out, "], \"validated_by\": %s, \"validated_by_claimed\": %s, "
				       "\"signed\": %s, \"signature_good\": %s, \"policy_ok\": true}}",
			    vouched ? "true" : "false", c->validated_by ? "true" : "false",
			    c->signed_commit ? "true" : "false",
			    !c->signed_commit ? "null" : good ? "true" : "false");
	} else if (run->format == 2) {
		size_t n = rc->n ? rc->n : 1;
		for (i = 0; i < n; i++) {
			struct fb_buf fields = FB_BUF_INIT, when = FB_BUF_INIT, rec = FB_BUF_INIT;
			size_t k;
			print_time(&when, c->time, c->offset, FB_CAL_GREGORIAN, true);
			if (rc->n) {
				fb_buf_addf(&rec, "%s/%s", rc->v[i].type, rc->v[i].id);
				for (k = 0; k < rc->v[i].fields.n; k++)
					fb_buf_addf(&fields, "%s%s", k ? " " : "", rc->v[i].fields.v[k].path);
			}
			fb_buf_addf(&run->csv, "%s,", c->id);
			csv_cell(&run->csv, when.ptr);
			fb_buf_putc(&run->csv, ',');
			csv_cell(&run->csv, c->author);
			fb_buf_putc(&run->csv, ',');
			csv_cell(&run->csv, c->email);
			fb_buf_putc(&run->csv, ',');
			csv_cell(&run->csv, rec.ptr);
			fb_buf_addf(&run->csv, ",%s,", rc->n ? fb_change_kind_name(rc->v[i].kind) : "");
			csv_cell(&run->csv, fields.ptr);
			fb_buf_addf(&run->csv, ",%s,%s,%s,%s,true,%s" FB_CSV_EOL, valid ? "true" : "false",
				    vouched ? "true" : "false", c->signed_commit ? "true" : "false",
				    !c->signed_commit ? "" : good ? "true" : "false",
				    c->validated_by ? "true" : "false");
			fb_buf_release(&fields);
			fb_buf_release(&when);
			fb_buf_release(&rec);
		}
		if (cli_write(&run->csv))
			return EXIT_ENV;
		fb_buf_reset(&run->csv);
	} else {
		if (run->commits > 1)
			fb_buf_putc(&run->out, '\n');
		text_commit_head(&run->out, c, ctx->calendar);
		fb_buf_putc(&run->out, '\n');
		for (i = 0; i < rc->n; i++) {
			text_change(&run->out, &rc->v[i], "  ");
			text_fields(&run->out, &rc->v[i], "    ");
		}
		fb_buf_addf(&run->out,
			    "  valid: %s (audit's own check);  Validated-by: %s;  signed: %s;  policy: ok\n",
			    valid ? "yes" : "NO",
			    !c->validated_by ? "no" : valid ? "claimed" : "claimed, FALSELY",
			    !c->signed_commit ? "no" : good ? "yes, good" : sig < 0 ? "yes, not checked"
										    : "yes, NOT GOOD");
		for (i = 0; i < errs.n; i++) {
			if (errs.v[i].severity != FB_SEV_ERROR)
				continue;
			fb_buf_puts(&run->out, "    ");
			fb_diag_format(&run->out, &errs.v[i]);
			fb_buf_putc(&run->out, '\n');
		}
		if (cli_write(&run->out))
			return EXIT_ENV;
		fb_buf_reset(&run->out);
	}
	if (isatty(2) && run->format != 0)
		fprintf(stderr, "\raudit: %zu commits", run->commits);
	fb_diag_release(&errs);
	return 0;
}

int cmd_audit(int argc, char **argv, struct fb_ctx *ctx)
{
	static const char *const formats[] = {"text", "json", "csv", NULL};
	static const struct option opts[] = {
		{"since", required_argument, NULL, 'S'}, {"until", required_argument, NULL, 'U'},
		{"strict", no_argument, NULL, 's'},       {"format", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	struct audit_run run;
	struct fb_log_opts lo;
	struct cli_getopt g;
	const char *since = NULL, *until = NULL;
	int opt, status = EXIT_OK, err;

	memset(&run, 0, sizeof(run));
	memset(&lo, 0, sizeof(lo));
	run.ctx = ctx;
	cli_getopt_init(&g, ctx, argc, argv, "", opts);
	cli_getopt_format(&g, 'f', formats, &run.format);
	while ((opt = cli_getopt_next(&g)) != -1) {
		switch (opt) {
		case 'S': since = optarg; break;
		case 'U': until = optarg; break;
		case 's': run.strict = true; break;
		default:
			status = g.status;
			goto out;
		}
	}
	if ((status = cli_getopt_no_operands(&g)))
		goto out;
	if ((status = cli_repo(ctx)) ||
	    (status = parse_range(ctx, since, until, &lo.has_since, &lo.since, &lo.has_until,
				  &lo.until)))
		goto out;
	run.strict = run.strict || ctx->settings.require_signed_commits;
	lo.every_commit = true;
	lo.show_confidential = ctx->show_confidential;
	if (run.format == 1)
		fb_buf_puts(&run.out, "{\"commits\": [");
	if (run.format == 2)
		fb_buf_puts(&run.csv, "commit,date,author,email,record,change,fields,valid,"
				      "validated_by,signed,signature_good,policy_ok,validated_by_claimed" FB_CSV_EOL);
	run.cache = fb_check_cache_new();
	err = fb_history_log(ctx->repo, &lo, audit_one, &run, &ctx->diag);
	if (isatty(2) && run.format != 0 && run.commits)
		fputc('\n', stderr);
	if (err) {
		cli_flush_diag(ctx);
		status = err == FB_ENOTFOUND ? EXIT_USAGE : EXIT_ENV;
		goto out;
	}
	if (run.format == 1) {
		fb_buf_addf(&run.out, "%s], \"summary\": {\"commits\": %zu, \"invalid\": %zu, "
				      "\"without_validated_by\": %zu, \"false_validated_by\": %zu, "
				      "\"unsigned\": %zu, \"bad_signatures\": %zu, \"policy_violations\": 0}}\n",
			    run.commits ? "\n" : "", run.commits, run.invalid, run.unvalidated,
			    run.false_claims, run.unsigned_, run.bad_signatures);
	} else if (run.format == 0) {
		fb_buf_addf(&run.out, "%s%zu commit%s: %zu invalid, %zu without Validated-by, "
				      "%zu with a false Validated-by, %zu unsigned, %zu bad signature%s, "
				      "0 policy violations%s\n",
			    run.commits ? "\n" : "", run.commits, run.commits == 1 ? "" : "s",
			    run.invalid, run.unvalidated, run.false_claims, run.unsigned_,
			    run.bad_signatures,
			    run.bad_signatures == 1 ? "" : "s",
			    run.strict ? " (strict: Validated-by and signatures count)" : "");
	}
	if (cli_write(&run.out) || cli_write(&run.csv))
		status = EXIT_ENV;
	else
		status = run.failed ? EXIT_DATA : EXIT_OK;
out:
	fb_check_cache_free(run.cache);
	fb_buf_release(&run.out);
	fb_buf_release(&run.csv);
	cli_getopt_release(&g);
	return status;
}
