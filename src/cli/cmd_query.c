/*
 * fieldbook query TYPE [EXPR] [-w EXPR]... [-q TEXT] [-f FIELDS] [-s [-]FIELD]...
 *                 [-n N] [-c] [-g FIELD] [--at REV|DATE]
 *                 [--format table|yaml|json|csv|tsv|ids] [--bom]
 *
 * The core finds, sorts and groups the rows (query.h); this file only prints
 * them.  Tables align by display width; on a terminal each cell starts with
 * an LRM (so right-to-left text cannot reorder the row) and long cells are
 * cut with an ellipsis -- never in pipes.  CSV is RFC 4180 with a header;
 * TSV escapes tabs, newlines and backslashes; --bom puts a UTF-8 byte-order
 * mark before CSV (Excel reads UTF-8 without one as a legacy code page).  In YAML, JSON, CSV and TSV
 * values are printed exactly as stored; in tables x-date values are shown in
 * the chosen calendar.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fieldbook/check.h>
#include <fieldbook/query.h>
#include <fieldbook/text.h>

#include "cli.h"

enum format { F_TABLE, F_YAML, F_JSON, F_CSV, F_TSV, F_IDS };
static const char *const formats[] = {"table", "yaml", "json", "csv", "tsv", "ids", NULL};

/* The values of a cell as text: several are joined with ", ". */
static void cell_text(struct fb_buf *out, const struct fb_qcell *c, bool display,
		      enum fb_calendar cal)
{
	uint32_t i;
	for (i = 0; i < c->n; i++) {
		if (i)
			fb_buf_puts(out, ", ");
		if (display)
			fb_qval_display(out, &c->v[i], cal);
		else if (c->v[i].masked)
			fb_buf_puts(out, "***");
		else
			fb_buf_add(out, c->v[i].str, c->v[i].len);
	}
}

static void json_value(struct fb_buf *out, const struct fb_qval *v)
{
	if (v->masked)
		fb_buf_puts(out, "\"***\"");
	else if (v->type == FB_NODE_STR)
		fb_buf_json_str(out, v->str, v->len);
	else if (v->type == FB_NODE_NULL)
		fb_buf_puts(out, "null");
	else if (v->type == FB_NODE_SEQ || v->type == FB_NODE_MAP)
		fb_buf_add(out, v->str, v->len); /* already JSON */
	else if (v->type == FB_NODE_BOOL)
		fb_buf_puts(out, v->num ? "true" : "false");
	else if (isfinite(v->num))
		fb_buf_add(out, v->str, v->len);
	else
		fb_buf_puts(out, "null");
}

/* A cell as JSON: missing is null, one value itself, several an array. */
static void json_cell(struct fb_buf *out, const struct fb_qcell *c)
{
	uint32_t i;
	if (c->n == 0) {
		fb_buf_puts(out, c->list ? "[]" : "null");
		return;
	}
	if (c->n == 1 && !c->list) {
		json_value(out, &c->v[0]);
		return;
	}
	fb_buf_putc(out, '[');
	for (i = 0; i < c->n; i++) {
		if (i)
			fb_buf_puts(out, ", ");
		json_value(out, &c->v[i]);
	}
	fb_buf_putc(out, ']');
}

/* A scalar as YAML: plain when it reads back as the same string, else double-quoted. */
static void yaml_value(struct fb_buf *out, const struct fb_qval *v)
{
	bool plain = v->type == FB_NODE_STR && v->len &&
		     fb_scalar_resolve(v->str, v->len, NULL) == FB_NODE_STR &&
		     !strpbrk(v->str, ":#'\"{}[],&*!|>%@`\n\t") && v->str[0] != ' ' &&
		     v->str[0] != '-' && v->str[0] != '?' && v->str[v->len - 1] != ' ';
	if (v->masked)
		fb_buf_puts(out, "\"***\"");
	else if (plain)
		fb_buf_add(out, v->str, v->len);
	else
		json_value(out, v); /* a quoted string, a number, true, null, or JSON flow */
}

/* A cell as YAML: one value plain when it can be, anything else as JSON (a YAML flow). */
static void yaml_cell(struct fb_buf *out, const struct fb_qcell *c)
{
	if (c->n == 1 && !c->list)
		yaml_value(out, &c->v[0]);
	else
		json_cell(out, c);
}

static void print_table(struct fb_buf *out, const struct fb_query_result *res, bool tty,
			enum fb_calendar cal)
{
	size_t ncells = (res->n + 1) * res->ncols, r, c;
	struct fb_buf *cells = fb_calloc(ncells + 1, sizeof(*cells));

	for (c = 0; c < res->ncols; c++)
		fb_buf_puts(&cells[c], res->colnames[c]);
	for (r = 0; r < res->n; r++)
		for (c = 0; c < res->ncols; c++)
			cell_text(&cells[(r + 1) * res->ncols + c], &res->rows[r].cells[c], true, cal);
	cli_table(out, cells, res->n + 1, res->ncols, tty, NULL);
	for (r = 0; r < ncells; r++)
		fb_buf_release(&cells[r]);
	free(cells);
}

static void print_separated(struct fb_buf *out, const struct fb_query_result *res, bool csv)
{
	struct fb_buf cell = FB_BUF_INIT;
	size_t r, c;
	for (r = 0; r < res->n + 1; r++) {
		for (c = 0; c < res->ncols; c++) {
			if (c)
				fb_buf_putc(out, csv ? ',' : '\t');
			fb_buf_reset(&cell);
			if (r == 0)
				fb_buf_puts(&cell, res->colnames[c]);
			else
				cell_text(&cell, &res->rows[r - 1].cells[c], false, FB_CAL_JALALI);
			if (csv)
				fb_buf_csv_field(out, cell.ptr, cell.len);
			else
				fb_buf_tsv_field(out, cell.ptr, cell.len);
		}
		fb_buf_puts(out, csv ? FB_CSV_EOL : "\n");
	}
	fb_buf_release(&cell);
}

static void print_json(struct fb_buf *out, const struct fb_query_result *res, bool whole,
		       bool grouped)
{
	size_t r, c;
	fb_buf_putc(out, '[');
	for (r = 0; r < res->n; r++) {
		const struct fb_qrow *row = &res->rows[r];
		fb_buf_puts(out, r ? ",\n  " : "\n  ");
		if (whole) {
			fb_buf_puts(out, row->text);
			continue;
		}
		fb_buf_putc(out, '{');
		if (!grouped) {
			fb_buf_puts(out, "\"_type\": ");
			fb_buf_json_str(out, row->type, strlen(row->type));
			fb_buf_puts(out, ", \"_id\": ");
			fb_buf_json_str(out, row->id, strlen(row->id));
			fb_buf_puts(out, ", \"_file\": ");
			fb_buf_json_str(out, row->path, strlen(row->path));
		}
		for (c = 0; c < res->ncols; c++) {
			if (c || !grouped)
				fb_buf_puts(out, ", ");
			fb_buf_json_str(out, res->colnames[c], strlen(res->colnames[c]));
			fb_buf_puts(out, ": ");
			json_cell(out, &row->cells[c]);
		}
		fb_buf_putc(out, '}');
	}
	fb_buf_puts(out, res->n ? "\n]\n" : "]\n");
}

static void print_yaml(struct fb_buf *out, const struct fb_query_result *res, bool whole,
		       bool grouped)
{
	size_t r, c;
	for (r = 0; r < res->n; r++) {
		const struct fb_qrow *row = &res->rows[r];
		if (whole) {
			fb_buf_addf(out, "--- # %s\n", row->path);
			fb_buf_puts(out, row->text);
			continue;
		}
		if (!grouped)
			fb_buf_addf(out, "- _type: %s\n  _id: %s\n  _file: %s\n", row->type, row->id,
				    row->path);
		for (c = 0; c < res->ncols; c++) {
			fb_buf_puts(out, !grouped || c ? "  " : "- ");
			if (fb_scalar_resolve(res->colnames[c], strlen(res->colnames[c]), NULL) ==
				    FB_NODE_STR &&
			    !strpbrk(res->colnames[c], "():#"))
				fb_buf_puts(out, res->colnames[c]);
			else
				fb_buf_json_str(out, res->colnames[c], strlen(res->colnames[c]));
			fb_buf_puts(out, ": ");
			yaml_cell(out, &row->cells[c]);
			fb_buf_putc(out, '\n');
		}
	}
	if (!whole && !res->n)
		fb_buf_puts(out, "[]\n");
}

/* -f id,name,avg(influence): split on commas outside parentheses. */
static void split_fields(const char *arg, struct fb_strvec *out)
{
	struct fb_buf f = FB_BUF_INIT;
	int depth = 0;
	for (;; arg++) {
		if (*arg == '\0' || (*arg == ',' && depth == 0)) {
			fb_buf_rtrim(&f);
			if (f.len)
				fb_strvec_push(out, f.ptr + strspn(f.ptr, " "));
			fb_buf_reset(&f);
			if (!*arg)
				break;
			continue;
		}
		depth += *arg == '(' ? 1 : *arg == ')' ? -1 : 0;
		fb_buf_putc(&f, *arg);
	}
	fb_buf_release(&f);
}

/* A diagnostic about an expression: its position, then the expression with a caret. */
static void print_expr_diag(const struct fb_diag_entry *e)
{
	struct fb_buf msg = FB_BUF_INIT;
	fb_buf_addf(&msg, "query: %u:%u: %s: ", e->line, e->col, fb_severity_name(e->severity));
	fb_diag_escape(&msg, e->message, strlen(e->message));
	fb_buf_putc(&msg, '\n');
	fb_query_caret(&msg, e->path ? e->path : "", e->col);
	fprintf(stderr, "%s\n", msg.ptr);
	fb_buf_release(&msg);
}

/* Warnings about the expressions (a value an enum lacks) as errors about them are shown. */
static void flush_expr_warnings(struct fb_ctx *ctx)
{
	struct fb_diag keep = FB_DIAG_INIT;
	size_t i;
	for (i = 0; i < ctx->diag.n; i++) {
		const struct fb_diag_entry *e = &ctx->diag.v[i];
		if (e->file && !strcmp(e->file, "query") && e->line)
			print_expr_diag(e);
		else
			fb_diag_push(&keep, e);
	}
	fb_diag_release(&ctx->diag);
	ctx->diag = keep;
}

int cmd_query(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {
		{"where", required_argument, NULL, 'w'},
		{"quick", required_argument, NULL, 'q'},
		{"fields", required_argument, NULL, 'f'},
		{"sort", required_argument, NULL, 's'},
		{"limit", required_argument, NULL, 'n'},
		{"count", no_argument, NULL, 'c'},
		{"group", required_argument, NULL, 'g'},
		{"at", required_argument, NULL, 'a'},
		{"format", required_argument, NULL, 'F'},
		{"bom", no_argument, NULL, 'B'},
		{NULL, 0, NULL, 0},
	};
	struct cli_getopt g;
	struct fb_strvec exprs = {0}, wheres = {0}, fields = {0}, sorts = {0};
	struct fb_query_opts qo;
	struct fb_query *q = NULL;
	struct fb_query_result res;
	struct fb_source *src = NULL;
	struct fb_schemas *ss = NULL;
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_buf out = FB_BUF_INIT;
	const char *at = NULL, *type;
	bool count = false, bom = false;
	int format = F_TABLE, opt, status = EXIT_OK, err;
	size_t i;
	char *end;

	memset(&qo, 0, sizeof(qo));
	memset(&res, 0, sizeof(res));
	cli_getopt_init(&g, ctx, argc, argv, "w:q:f:s:n:cg:", opts);
	cli_getopt_format(&g, 'F', formats, &format);
	while ((opt = cli_getopt_next(&g)) != -1) {
		switch (opt) {
		case 'w': fb_strvec_push(&wheres, optarg); break;
		case 'q': qo.quick = optarg; break;
		case 'f': split_fields(optarg, &fields); break;
		case 's': fb_strvec_push(&sorts, optarg); break;
		case 'c': count = true; break;
		case 'g': qo.group = optarg; break;
		case 'a': at = optarg; break;
		case 'B': bom = true; break;
		case 'n':
			qo.limit = strtoul(optarg, &end, 10);
			if (*end || !*optarg || optarg[0] == '-') {
				status = cli_usage_error(ctx, "-n takes a number, not '%s'", optarg);
				goto out;
			}
			break;
		default:
			status = g.status;
			goto out;
		}
	}
	if (g.optind >= argc) {
		status = cli_usage_error(ctx, "query needs a TYPE");
		goto out;
	}
	type = argv[g.optind];
	if (bom && format != F_CSV) {
		status = cli_usage_error(ctx, "--bom goes with --format csv, not --format %s",
					 formats[format]);
		goto out;
	}
	if (bom && count) {
		status = cli_usage_error(ctx, "--bom goes with the rows of --format csv, not with -c");
		goto out;
	}
	if (argc - g.optind > 2) {
		status = cli_usage_error(ctx, "one EXPR at most (quote it; add more with -w)");
		goto out;
	}
	/* EXPR first, then the -w ones */
	if (argc - g.optind == 2)
		fb_strvec_push(&exprs, argv[g.optind + 1]);
	for (i = 0; i < wheres.n; i++)
		fb_strvec_push(&exprs, wheres.v[i]);
	if ((status = cli_source(ctx, at, &src)) || (status = cli_check_type(ctx, src, type)))
		goto out;
	fb_schemas_load(&ss, src, &quiet); /* broken schemas are validate's business */
	fb_diag_release(&quiet);

	qo.type = type;
	qo.exprs = (const char *const *)exprs.v;
	qo.nexprs = exprs.n;
	qo.fields = fields.n ? (const char *const *)fields.v : NULL;
	qo.nfields = fields.n;
	qo.sort = (const char *const *)sorts.v;
	qo.nsort = sorts.n;
	qo.exact = ctx->exact;
	qo.show_confidential = ctx->show_confidential;
	qo.threads = ctx->threads;
	qo.today = ctx->today;
	qo.want = count || format == F_IDS ? FB_QUERY_IDS
		  : format == F_JSON && !fields.n && !qo.group ? FB_QUERY_JSON
		  : format == F_YAML && !fields.n && !qo.group ? FB_QUERY_YAML
							      : FB_QUERY_CELLS;
	err = fb_query_compile(&q, src, ss, &qo, &ctx->diag);
	if (err == FB_ESYNTAX) {
		print_expr_diag(&ctx->diag.v[ctx->diag.n - 1]);
		fb_diag_release(&ctx->diag);
		status = EXIT_USAGE;
		goto out;
	}
	if (err == 0)
		flush_expr_warnings(ctx);
	if (err < 0) {
		status = cli_failed(ctx, err, FB_EUSAGE);
		goto out;
	}
	err = fb_query_run(q, &res, &ctx->diag);
	cli_flush_diag(ctx); /* warnings: records skipped because they do not parse */
	if (err == FB_ELIMIT) {
		status = EXIT_USAGE;
		goto out;
	}
	if (err < 0) {
		status = EXIT_ENV;
		goto out;
	}
	if (count) {
		if (format == F_JSON)
			fb_buf_addf(&out, "{\"count\": %zu}\n", res.matched);
		else
			fb_buf_addf(&out, "%zu\n", res.matched);
	} else if (format == F_IDS) {
		for (i = 0; i < res.n; i++)
			fb_buf_addf(&out, "%s/%s\n", res.rows[i].type, res.rows[i].id);
	} else if (format == F_TABLE) {
		print_table(&out, &res, isatty(1), ctx->calendar);
	} else if (format == F_CSV || format == F_TSV) {
		if (bom)
			fb_buf_puts(&out, "\xEF\xBB\xBF");
		print_separated(&out, &res, format == F_CSV);
	} else if (format == F_JSON) {
		print_json(&out, &res, qo.want == FB_QUERY_JSON, qo.group != NULL);
	} else {
		print_yaml(&out, &res, qo.want == FB_QUERY_YAML, qo.group != NULL);
	}
	status = cli_write(&out);
out:
	cli_getopt_release(&g);
	fb_query_result_release(&res);
	fb_query_free(q);
	fb_schemas_free(ss);
	fb_source_free(src);
	fb_strvec_release(&exprs);
	fb_strvec_release(&wheres);
	fb_strvec_release(&fields);
	fb_strvec_release(&sorts);
	fb_buf_release(&out);
	return status;
}
