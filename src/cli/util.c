/*
 * Helpers every command uses: option parsing with the global options merged
 * in, error printing and exit codes, opening the repository and a source;
 * and what several commands share, so that command files never call each
 * other: a command's usage, committing paths (commit, and --commit of new,
 * edit, rm and init), installing the hooks (hook install, init).
 */
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fieldbook/text.h>
#include <fieldbook/setup.h>
#include <fieldbook/vcs.h>

#include "cli.h"

const struct option cli_global_options[] = {
	{"help", no_argument, NULL, OPT_HELP},
	{"today", required_argument, NULL, OPT_TODAY},
	{"calendar", required_argument, NULL, OPT_CALENDAR},
	{"color", required_argument, NULL, OPT_COLOR},
	{"colour", required_argument, NULL, OPT_COLOR},
	{"show-confidential", no_argument, NULL, OPT_SHOW_CONFIDENTIAL},
	{"exact", no_argument, NULL, OPT_EXACT},
	{"no-cache", no_argument, NULL, OPT_NO_CACHE},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

/* A message that is no diag entry: escaped as fb_diag_format() escapes entries. */
static void vreport(struct fb_ctx *ctx, const char *fmt, va_list ap)
{
	struct fb_buf msg = FB_BUF_INIT, shown = FB_BUF_INIT;
	fb_buf_vaddf(&msg, fmt, ap);
	fb_diag_escape(&shown, msg.ptr, msg.len);
	fprintf(stderr, "fieldbook: %serror:%s %s\n", ctx->color ? "\033[1;31m" : "",
		ctx->color ? "\033[m" : "", shown.ptr);
	fb_buf_release(&msg);
	fb_buf_release(&shown);
}

int cli_error(struct fb_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;
	cli_flush_diag(ctx);
	va_start(ap, fmt);
	vreport(ctx, fmt, ap);
	va_end(ap);
	return code;
}

/*
 * A usage error found after a read met a damaged object is a guess (a
 * revision or a record that is there looked missing): report the object
 * instead, for exit 3.
 */
static bool fault_instead(struct fb_ctx *ctx)
{
	const char *fault = fb_repo_fault(ctx->repo);
	if (!fault)
		return false;
	fb_diag_release(&ctx->diag);
	fb_diag_addf(&ctx->diag, FB_SEV_ERROR, NULL, 0, 0, "%s", fault);
	cli_flush_diag(ctx);
	return true;
}

static int usage_hint(struct fb_ctx *ctx)
{
	if (ctx->cmd)
		fprintf(stderr, "usage: fieldbook %s\n(see 'fieldbook %s --help')\n",
			ctx->cmd->synopsis, ctx->cmd->name);
	return EXIT_USAGE;
}

int cli_usage_error(struct fb_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	if (fault_instead(ctx))
		return EXIT_ENV;
	cli_flush_diag(ctx);
	va_start(ap, fmt);
	vreport(ctx, fmt, ap);
	va_end(ap);
	return usage_hint(ctx);
}

int cli_usage_flush(struct fb_ctx *ctx)
{
	if (fault_instead(ctx))
		return EXIT_ENV;
	cli_flush_diag(ctx);
	return usage_hint(ctx);
}

int cli_global_option(struct fb_ctx *ctx, int opt, const char *arg)
{
	struct fb_buf err = FB_BUF_INIT;
	int status = 0;

	switch (opt) {
	case OPT_DIR:
		if (chdir(arg) < 0)
			status = cli_error(ctx, EXIT_ENV, "cannot change to '%s': %s", arg,
					   strerror(errno));
		ctx->dir = arg;
		break;
	case OPT_TODAY:
		if (fb_date_parse_arg(arg, fb_day_of_time(time(NULL)), &ctx->today, &err) < 0)
			status = cli_usage_error(ctx, "bad date '%s' for today: %s", arg, err.ptr);
		break;
	case OPT_CALENDAR:
		ctx->calendar_given = true;
		if (!strcmp(arg, "jalali"))
			ctx->calendar = FB_CAL_JALALI;
		else if (!strcmp(arg, "gregorian"))
			ctx->calendar = FB_CAL_GREGORIAN;
		else
			status = cli_usage_error(ctx, "--calendar takes jalali or gregorian, not '%s'",
						 arg);
		break;
	case OPT_COLOR:
		if (!strcmp(arg, "always")) {
			ctx->color = ctx->ocolor = true;
		} else if (!strcmp(arg, "never")) {
			ctx->color = ctx->ocolor = false;
		} else if (strcmp(arg, "auto")) {
			status = cli_usage_error(ctx, "--color takes auto, always or never, not '%s'",
						 arg);
		}
		break;
	case OPT_SHOW_CONFIDENTIAL:
		ctx->show_confidential = true;
		break;
	case OPT_EXACT:
		ctx->exact = true;
		break;
	case OPT_NO_CACHE:
		ctx->no_cache = true;
		break;
	default:
		break;
	}
	fb_buf_release(&err);
	return status;
}

/* `arg` as an index into `names`, or -1 after a usage error listing them */
static int format_index(struct fb_ctx *ctx, const char *arg, const char *const *names)
{
	struct fb_buf list = FB_BUF_INIT;
	int i;
	for (i = 0; names[i]; i++)
		if (!strcmp(arg, names[i])) {
			fb_buf_release(&list);
			return i;
		}
	for (i = 0; names[i]; i++)
		fb_buf_addf(&list, "%s%s", i ? ", " : "", names[i]);
	cli_usage_error(ctx, "unknown format '%s' (one of %s)", arg, list.ptr);
	fb_buf_release(&list);
	return -1;
}

void cli_getopt_init(struct cli_getopt *g, struct fb_ctx *ctx, int argc, char **argv,
		     const char *shortopts, const struct option *longopts)
{
	size_t n = 0, m = 0, i;
	struct fb_buf sh = FB_BUF_INIT;

	while (longopts && longopts[n].name)
		n++;
	while (cli_global_options[m].name)
		m++;
	memset(g, 0, sizeof(*g));
	g->ctx = ctx;
	g->argc = argc;
	g->argv = argv;
	g->longopts = fb_calloc(n + m + 1, sizeof(*g->longopts));
	for (i = 0; i < n; i++)
		g->longopts[i] = longopts[i];
	for (i = 0; i < m; i++)
		g->longopts[n + i] = cli_global_options[i];
	/* ':' first: a missing value is reported as ':' rather than '?' */
	fb_buf_addf(&sh, ":%shC:", shortopts ? shortopts : "");
	g->shortopts = fb_buf_detach(&sh, NULL);
	opterr = 0;
	optind = 0; /* 0, not 1: glibc then forgets the '+' ordering main() used */
}

void cli_getopt_release(struct cli_getopt *g)
{
	free(g->longopts);
	free((char *)g->shortopts);
}

void cli_getopt_format(struct cli_getopt *g, int opt, const char *const *names, int *format)
{
	g->format_opt = opt;
	g->format_names = names;
	g->format = format;
}

int cli_getopt_no_operands(const struct cli_getopt *g)
{
	if (g->optind < g->argc)
		return cli_usage_error(g->ctx, "%s takes no arguments, only options",
				       g->ctx->cmd->name);
	return 0;
}

int cli_getopt_next(struct cli_getopt *g)
{
	for (;;) {
		int opt = getopt_long(g->argc, g->argv, g->shortopts, g->longopts, NULL);
		g->optind = optind;
		switch (opt) {
		case -1:
			return -1;
		case '?':
			if (optopt && optopt < 256)
				g->status = cli_usage_error(g->ctx, "unknown option '-%c'", optopt);
			else
				g->status = cli_usage_error(g->ctx, "unknown option '%s'",
							    g->argv[optind - 1]);
			return '?';
		case ':':
			g->status = cli_usage_error(g->ctx, "option '%s' needs a value",
						    g->argv[optind - 1]);
			return '?';
		case OPT_HELP:
			cli_usage(stdout, g->ctx->cmd);
			g->status = EXIT_OK;
			return 'h';
		case OPT_VERSION:
			printf("fieldbook %s\n", FB_VERSION);
			g->status = EXIT_OK;
			return 'h';
		case OPT_DIR:
		case OPT_TODAY:
		case OPT_CALENDAR:
		case OPT_COLOR:
		case OPT_SHOW_CONFIDENTIAL:
		case OPT_EXACT:
		case OPT_NO_CACHE:
			if ((g->status = cli_global_option(g->ctx, opt, optarg)))
				return '?';
			continue;
		default:
			if (g->format && opt == g->format_opt) {
				int i = format_index(g->ctx, optarg, g->format_names);
				if (i < 0) {
					g->status = EXIT_USAGE;
					return '?';
				}
				*g->format = i;
				continue;
			}
			return opt;
		}
	}
}

void cli_flush_diag(struct fb_ctx *ctx)
{
	fb_diag_sort(&ctx->diag);
	cli_flush_diag_in_order(ctx);
}

void cli_flush_diag_in_order(struct fb_ctx *ctx)
{
	struct fb_buf line = FB_BUF_INIT;
	const char *fault = fb_repo_fault(ctx->repo);
	size_t i;

	for (i = 0; i < ctx->diag.n; i++) {
		const struct fb_diag_entry *e = &ctx->diag.v[i];
		if (ctx->repo)
			fb_repo_link_told(ctx->repo, e->file);
		if (fault && strstr(e->message, fault))
			ctx->fault_shown = true;
		fb_buf_reset(&line);
		fb_diag_format(&line, e);
		if (ctx->color) {
			/* colour the "error:"/"warning:" word only */
			const char *sev = fb_severity_name(e->severity);
			char *at = strstr(line.ptr, sev);
			if (at) {
				fwrite(line.ptr, 1, (size_t)(at - line.ptr), stderr);
				fprintf(stderr, "%s%s\033[m", e->severity == FB_SEV_ERROR
								     ? "\033[1;31m"
								     : "\033[1;35m",
					sev);
				fprintf(stderr, "%s\n", at + strlen(sev));
				continue;
			}
		}
		fprintf(stderr, "%s\n", line.ptr);
	}
	fb_buf_release(&line);
	fb_diag_release(&ctx->diag);
}

void cli_refused_links(struct fb_ctx *ctx, enum fb_severity sev)
{
	const struct fb_refused_link *v;
	size_t i, k, n;

	if (!ctx->repo)
		return;
	v = fb_repo_refused_links(ctx->repo, &n);
	for (i = 0; i < n; i++) {
		bool waiting = false; /* already among the diagnostics to print */
		for (k = 0; k < ctx->diag.n && !waiting; k++)
			waiting = ctx->diag.v[k].file && !strcmp(ctx->diag.v[k].file, v[i].path);
		if (!v[i].told && !waiting)
			fb_diag_set(fb_diag_addf(&ctx->diag, sev, v[i].path, 1, 1, "%s", v[i].why), "",
				    "file", NULL, NULL);
	}
	for (i = 0; i < n; i++)
		fb_repo_link_told(ctx->repo, v[i].path);
}

int cli_failed(struct fb_ctx *ctx, int err, int usage_err)
{
	if (err == usage_err)
		return cli_usage_flush(ctx);
	cli_flush_diag(ctx);
	return EXIT_ENV;
}

int cli_exit_code(int err)
{
	switch (err) {
	case 0: return EXIT_OK;
	case FB_EUSAGE: return EXIT_USAGE;
	case FB_ESYNTAX:
	case FB_EINVALID: return EXIT_DATA;
	default: return EXIT_ENV;
	}
}

int cli_repo(struct fb_ctx *ctx)
{
	if (ctx->repo)
		return 0;
	if (fb_repo_discover(&ctx->repo, NULL, &ctx->diag) < 0) {
		cli_flush_diag(ctx);
		return EXIT_ENV;
	}
	/*
	 * fieldbook.yaml's settings, unless an option said otherwise; its errors
	 * are kept for the commands that use them (cli_settings_warn) -- validate
	 * reports them its own way
	 */
	{
		struct fb_source *src = NULL;
		fb_source_worktree(&src, ctx->repo);
		fb_diag_release(&ctx->settings_diag);
		fb_settings_release(&ctx->settings);
		fb_settings_load(src, &ctx->settings, &ctx->settings_diag);
		fb_source_free(src);
		if (ctx->settings.calendar_set && !ctx->calendar_given)
			ctx->calendar = ctx->settings.calendar;
	}
	return 0;
}

int cli_settings_warn(struct fb_ctx *ctx, bool need_days)
{
	bool fatal = need_days && ctx->settings.visit_days_unread;
	size_t i;

	if (!ctx->settings_diag.n)
		return 0;
	for (i = 0; i < ctx->settings_diag.n; i++) {
		struct fb_diag_entry e = ctx->settings_diag.v[i];
		struct fb_buf msg = FB_BUF_INIT;
		fb_buf_puts(&msg, e.message);
		if (!fatal && e.severity == FB_SEV_ERROR)
			fb_buf_puts(&msg, "; the default is used instead");
		e.severity = fatal ? FB_SEV_ERROR : e.severity == FB_SEV_ERROR ? FB_SEV_WARNING
									 : e.severity;
		e.message = msg.ptr;
		fb_diag_push(&ctx->diag, &e);
		fb_buf_release(&msg);
	}
	fb_diag_release(&ctx->settings_diag);
	if (fatal)
		fb_diag_addf(&ctx->diag, FB_SEV_ERROR, NULL, 0, 0,
			     "the visit days in fieldbook.yaml cannot be read: no plan (fix "
			     "fieldbook.yaml; 'fieldbook validate' shows every problem)");
	cli_flush_diag_in_order(ctx);
	return fatal ? EXIT_DATA : 0;
}

int cli_source(struct fb_ctx *ctx, const char *at, struct fb_source **out)
{
	struct fb_buf err = FB_BUF_INIT;
	int32_t day;
	int rc;

	*out = NULL;
	if ((rc = cli_repo(ctx)))
		return rc;
	if (!at || !*at) {
		fb_source_worktree(out, ctx->repo);
		return 0;
	}
	if (fb_date_parse_arg(at, ctx->today, &day, &err) == 0) {
		rc = fb_source_at_time(out, ctx->repo, fb_day_end_time(day), &ctx->diag);
		if (rc == FB_ENOTFOUND && !fault_instead(ctx)) {
			/* a plain answer, not a usage block: the date was fine, the history is not there */
			struct fb_buf why = FB_BUF_INIT;
			if (ctx->diag.n)
				fb_buf_puts(&why, ctx->diag.v[ctx->diag.n - 1].message);
			fb_diag_release(&ctx->diag);
			rc = cli_error(ctx, EXIT_USAGE, "no commit on or before %s: %s", at,
				       why.len ? why.ptr : "none");
			fb_buf_release(&why);
		} else if (rc == FB_ENOTFOUND) {
			rc = cli_usage_flush(ctx);
		}
	} else {
		rc = fb_source_rev(out, ctx->repo, at, &ctx->diag);
		if (rc == FB_ENOTFOUND) {
			fb_diag_release(&ctx->diag);
			rc = cli_usage_error(ctx,
					     "'%s' is neither a date nor a revision of this "
					     "repository (%s)",
					     at, err.ptr);
		}
	}
	fb_buf_release(&err);
	if (rc < 0) {
		cli_flush_diag(ctx);
		return EXIT_ENV;
	}
	return rc;
}

int cli_check_type(struct fb_ctx *ctx, struct fb_source *src, const char *type)
{
	struct fb_strvec types = {0};
	struct fb_diag ignore = FB_DIAG_INIT;
	struct fb_buf list = FB_BUF_INIT;
	size_t i;
	int status = 0;

	fb_source_types(src, &types, &ignore);
	fb_diag_release(&ignore);
	if (!fb_strvec_has(&types, type)) {
		for (i = 0; i < types.n; i++)
			fb_buf_addf(&list, "%s%s", i ? ", " : "", types.v[i]);
		status = cli_usage_error(ctx, "unknown type '%s' (the types here: %s)", type,
					 types.n ? list.ptr : "none");
	}
	fb_buf_release(&list);
	fb_strvec_release(&types);
	return status;
}

int cli_write(const struct fb_buf *b)
{
	if (b->len && fwrite(b->ptr, 1, b->len, stdout) != b->len)
		return EXIT_ENV;
	return 0;
}

int cli_record_path(struct fb_ctx *ctx, const char *type, const char *id, bool or_head,
		    struct fb_buf *out)
{
	const char *revs[] = {NULL, "HEAD"};
	struct fb_diag quiet = FB_DIAG_INIT;
	size_t i;
	int status;

	if ((status = cli_repo(ctx)))
		return status;
	for (i = 0; i < (or_head ? 2u : 1u); i++) {
		struct fb_source *src = NULL;
		struct fb_entries es = {0};
		const struct fb_entry *e = NULL;
		if (revs[i] ? fb_source_rev(&src, ctx->repo, revs[i], &quiet) < 0
			    : fb_source_worktree(&src, ctx->repo) < 0)
			continue;
		if (fb_source_list(src, type, &es, &quiet) == 0 && (e = fb_entries_find(&es, id))) {
			fb_buf_reset(out);
			fb_buf_puts(out, e->path);
		}
		fb_entries_release(&es);
		fb_source_free(src);
		if (e)
			break;
	}
	fb_diag_release(&quiet);
	if (i == (or_head ? 2u : 1u)) {
		struct fb_source *src = NULL;
		fb_source_worktree(&src, ctx->repo);
		status = cli_check_type(ctx, src, type);
		fb_source_free(src);
		return status ? status : cli_usage_error(ctx, "no record '%s/%s'", type, id);
	}
	return 0;
}

int cli_target_arg(struct fb_ctx *ctx, int argc, char **argv, int optind, char **type, char **id)
{
	int status;

	if (argc - optind != 1)
		return cli_usage_error(ctx, "%s takes one TYPE/ID", ctx->cmd->name);
	if ((status = cli_repo(ctx)))
		return status;
	if (fb_target_parse(ctx->repo, argv[optind], type, id, &ctx->diag) < 0)
		return cli_usage_flush(ctx);
	return 0;
}

int cli_record_arg(struct fb_ctx *ctx, int argc, char **argv, int optind, char **type, char **id,
		   struct fb_buf *path)
{
	int status = cli_target_arg(ctx, argc, argv, optind, type, id);
	return status ? status : cli_record_path(ctx, *type, *id, false, path);
}

/* Both places of record TYPE/ID: the working tree's and HEAD's (a move has two). */
static int record_paths(struct fb_ctx *ctx, const char *type, const char *id, struct fb_strvec *out)
{
	const char *revs[] = {NULL, "HEAD"};
	struct fb_diag quiet = FB_DIAG_INIT;
	size_t i, before = out->n;

	for (i = 0; i < 2; i++) {
		struct fb_source *src = NULL;
		struct fb_entries es = {0};
		const struct fb_entry *e;
		if (revs[i] ? fb_source_rev(&src, ctx->repo, revs[i], &quiet) < 0
			    : fb_source_worktree(&src, ctx->repo) < 0)
			continue;
		if (fb_source_list(src, type, &es, &quiet) == 0 && (e = fb_entries_find(&es, id)) &&
		    !fb_strvec_has(out, e->path))
			fb_strvec_push(out, e->path);
		fb_entries_release(&es);
		fb_source_free(src);
	}
	fb_diag_release(&quiet);
	if (out->n > before)
		return 0;
	return cli_usage_error(ctx, "no record '%s/%s' in the working tree or HEAD", type, id);
}

int cli_target_prefixes(struct fb_ctx *ctx, const char *arg, struct fb_strvec *out)
{
	const char *root = fb_repo_root(ctx->repo), *slash = strchr(arg, '/');
	char real[PATH_MAX];
	struct stat st;
	size_t n = strlen(root);

	if (stat(arg, &st) == 0 && realpath(arg, real)) {
		const char *rel = real + n + 1;
		if (strncmp(real, root, n) || real[n] != '/' ||
		    !(!strcmp(rel, "fieldbook.yaml") || !strcmp(rel, "records") ||
		      !strncmp(rel, "records/", 8) || !strcmp(rel, "schemas") ||
		      !strncmp(rel, "schemas/", 8)))
			return cli_usage_error(ctx, "'%s' is not under records/ or schemas/ of "
						    "this repository, nor its fieldbook.yaml",
					       arg);
		fb_strvec_push(out, rel);
		return 0;
	}
	if (slash && !strchr(slash + 1, '/') && slash > arg) {
		char *type = fb_strndup(arg, (size_t)(slash - arg));
		int status = 0;
		if (!fb_type_valid(type) || !fb_id_valid(slash + 1))
			status = cli_usage_error(ctx, "'%s' is neither TYPE/ID nor a file here", arg);
		else
			status = record_paths(ctx, type, slash + 1, out);
		free(type);
		return status;
	}
	if (!slash && fb_type_valid(arg)) {
		struct fb_source *src = NULL;
		struct fb_buf path = FB_BUF_INIT;
		int status;
		fb_source_worktree(&src, ctx->repo);
		status = cli_check_type(ctx, src, arg);
		fb_source_free(src);
		fb_buf_addf(&path, "records/%s", arg);
		if (!status)
			fb_strvec_push(out, path.ptr);
		fb_buf_release(&path);
		return status;
	}
	return cli_usage_error(ctx, "'%s' is not a TYPE, a TYPE/ID or a file of this repository", arg);
}

#define LRM "\xe2\x80\x8e"
#define CELL_MAX 40 /* display columns of a cell on a terminal */

/* Cut a cell to `max` display columns, ending with an ellipsis. */
static void cut(struct fb_buf *cell, size_t max)
{
	size_t i = 0, w = 0, keep = 0;
	if (fb_display_width(cell->ptr, cell->len) <= max)
		return;
	while (i < cell->len) {
		int32_t cp = fb_utf8_next(cell->ptr, cell->len, &i);
		int cw = cp < 0 ? 1 : fb_cp_width((uint32_t)cp);
		if (w + (size_t)cw > max - 1)
			break;
		w += (size_t)cw;
		keep = i;
	}
	fb_buf_setlen(cell, keep);
	fb_buf_puts(cell, "…");
}

void cli_table(struct fb_buf *out, struct fb_buf *cells, size_t nrows, size_t ncols, bool tty,
	       const bool *right)
{
	size_t *width = fb_calloc(ncols + 1, sizeof(*width)), r, c;

	for (r = 0; r < nrows * ncols; r++) {
		size_t w;
		if (tty)
			cut(&cells[r], CELL_MAX);
		w = fb_display_width(cells[r].ptr, cells[r].len);
		if (w > width[r % ncols])
			width[r % ncols] = w;
	}
	for (r = 0; r < nrows; r++) {
		for (c = 0; c < ncols; c++) {
			const struct fb_buf *cell = &cells[r * ncols + c];
			size_t pad = width[c] - fb_display_width(cell->ptr, cell->len);
			if (c)
				fb_buf_puts(out, "  ");
			if (right && right[c])
				fb_buf_addch(out, ' ', pad);
			if (tty)
				fb_buf_puts(out, LRM);
			fb_buf_add(out, cell->ptr, cell->len);
			if (c + 1 < ncols && !(right && right[c]))
				fb_buf_addch(out, ' ', pad);
		}
		fb_buf_putc(out, '\n');
	}
	free(width);
}

/* ---- usage, committing, hooks: what several commands share -------------------------- */

const char cli_global_help[] =
	"global options (before or after the command):\n"
	"  -C DIR                    run as if started in DIR\n"
	"  --today DATE              fix today's date (also FIELDBOOK_TODAY)\n"
	"  --calendar jalali|gregorian\n"
	"                            how computed dates are printed (default jalali)\n"
	"  --color auto|always|never colour on a terminal (NO_COLOR is respected)\n"
	"  --show-confidential       do not mask x-confidential fields\n"
	"  --exact                   no Persian folding or caselessness in matching\n"
	"  --no-cache                read every record from its file\n"
	"  -h, --help                this help; 'fieldbook help COMMAND' for one command\n"
	"  --version                 print the version\n";

void cli_usage(FILE *out, const struct cli_command *cmd)
{
	fprintf(out, "usage: fieldbook %s\n\n%s\n\n%s\n%s", cmd->synopsis, cmd->summary, cmd->help,
		cli_global_help);
}

int cli_commit_paths(struct fb_ctx *ctx, const struct fb_commit_opts *o, bool nothing_ok)
{
	struct fb_commit_result res = {0};
	struct fb_commit_opts with = *o;
	int err, status = EXIT_OK;

	with.threads = ctx->threads;
	if ((err = fb_repo_lock(ctx->repo, 30000, &ctx->diag)) == 0) {
		err = fb_vcs_commit(ctx->repo, &with, &res, &ctx->diag);
		fb_repo_unlock(ctx->repo);
	}
	if (err == FB_ENOTFOUND && nothing_ok) {
		fb_diag_release(&ctx->diag);
		fprintf(stderr, "fieldbook: nothing to commit\n");
		goto out;
	}
	cli_flush_diag(ctx);
	if (err == FB_EINVALID) {
		fprintf(stderr, "fieldbook: commit refused: the records would not validate; "
				"nothing was committed\n");
		status = EXIT_DATA;
	} else if (err == FB_ENOTFOUND || err == FB_ERROR) {
		status = EXIT_DATA; /* nothing to commit; a detached HEAD, a merge in progress */
	} else if (err == FB_EUSAGE) {
		status = EXIT_USAGE;
	} else if (err) {
		status = EXIT_ENV;
	} else {
		printf("[%.7s] %.*s\n", res.id, (int)strcspn(res.message, "\n"), res.message);
		printf(" %zu added, %zu changed, %zu removed\n", res.added, res.modified,
		       res.removed);
	}
out:
	fb_commit_result_release(&res);
	return status;
}

/* The absolute path of this binary, for hooks to call (NULL: unknown). */
static char *self_path(const char *argv0)
{
	char buf[PATH_MAX];
	if (realpath("/proc/self/exe", buf))
		return fb_strdup(buf);
	if (argv0 && strchr(argv0, '/') && realpath(argv0, buf))
		return fb_strdup(buf);
	return NULL;
}

int cli_install_hooks(struct fb_ctx *ctx, bool quiet)
{
	struct fb_strvec written = {0};
	char *self = self_path(ctx->argv0);
	bool attributes = false;
	size_t i;
	int derr, err = fb_setup_hooks_install(ctx->repo, self ? self : "fieldbook", &written,
					       &ctx->diag);

	for (i = 0; i < written.n && !quiet; i++)
		printf("installed %s\n", written.v[i]);
	derr = fb_setup_merge_driver_install(ctx->repo, self ? self : "fieldbook", &attributes,
					     &ctx->diag);
	if (!derr && !quiet && !fb_repo_is_bare(ctx->repo))
		printf("installed the merge driver (merge.fieldbook.driver in .git/config)\n");
	if (attributes && !quiet)
		printf("wrote .gitattributes: records merge field by field; commit it "
		       "(fieldbook commit)\n");
	if (derr && !err)
		err = derr;
	if (!self)
		fb_diag_addf(&ctx->diag, FB_SEV_WARNING, NULL, 0, 0,
			     "cannot tell where this fieldbook binary is; the hooks run "
			     "`fieldbook` from PATH");
	fb_strvec_release(&written);
	free(self);
	cli_flush_diag(ctx);
	return err == FB_EIO ? EXIT_ENV : err ? EXIT_DATA : EXIT_OK;
}
