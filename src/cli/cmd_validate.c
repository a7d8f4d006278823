/*
 * fieldbook validate [--rev REV] [--format text|json] [TARGET...]
 *
 * Checks every record (or the targets) and reports every problem in one
 * pass.  Text: diagnostics on stderr, a one-line verdict on stdout.  JSON:
 * the object of SPEC §6 on stdout, nothing on stderr.  Exit 1 when any error
 * was found, warnings alone leave it 0.
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/check.h>

#include "cli.h"

static const char *const formats[] = {"text", "json", NULL};

static void print_json(struct fb_buf *out, const struct fb_diag *d, const struct fb_check_stats *st)
{
	size_t i;
	fb_buf_addf(out, "{\"ok\": %s, \"checked\": %zu, \"invalid\": %zu, \"errors\": [",
		    d->errors ? "false" : "true", st->checked, st->invalid);
	for (i = 0; i < d->n; i++) {
		fb_buf_puts(out, i ? ",\n  " : "\n  ");
		fb_diag_format_json(out, &d->v[i]);
	}
	fb_buf_puts(out, d->n ? "\n]}\n" : "]}\n");
}

/* Turn TARGET arguments (TYPE, TYPE/ID or a path) into check targets. */
static int parse_targets(struct fb_ctx *ctx, struct fb_source *src, char **args, int n,
			 struct fb_check_target *t, struct fb_strvec *keep)
{
	int i, status;
	for (i = 0; i < n; i++) {
		char *type = NULL, *id = NULL;
		if (fb_type_valid(args[i]) && !strchr(args[i], '/')) {
			type = fb_strdup(args[i]);
		} else if (fb_target_parse(ctx->repo, args[i], &type, &id, &ctx->diag) < 0) {
			return cli_usage_flush(ctx);
		}
		fb_strvec_push(keep, type);
		t[i].type = keep->v[keep->n - 1];
		t[i].id = NULL;
		if (id) {
			fb_strvec_push(keep, id);
			t[i].id = keep->v[keep->n - 1];
		}
		free(type);
		free(id);
		if ((status = cli_check_type(ctx, src, t[i].type)))
			return status;
	}
	return 0;
}

int cmd_validate(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {
		{"rev", required_argument, NULL, 'r'},
		{"format", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	struct cli_getopt g;
	struct fb_source *src = NULL;
	struct fb_check_target *targets = NULL;
	struct fb_strvec keep = {0};
	struct fb_check_stats st;
	struct fb_check_opts copts;
	struct fb_buf out = FB_BUF_INIT;
	const char *rev = NULL;
	int format = 0, opt, status = EXIT_OK, err, ntargets;

	cli_getopt_init(&g, ctx, argc, argv, "", opts);
	while ((opt = cli_getopt_next(&g)) != -1) {
		if (opt == 'r') {
			rev = optarg;
		} else if (opt == 'f') {
			if ((format = cli_format(ctx, optarg, formats)) < 0) {
				status = EXIT_USAGE;
				goto out;
			}
		} else {
			status = g.status;
			goto out;
		}
	}
	if ((status = cli_repo(ctx)))
		goto out;
	if (rev) {
		err = fb_source_rev(&src, ctx->repo, rev, &ctx->diag);
		if (err < 0) {
			status = err == FB_ENOTFOUND ? cli_usage_flush(ctx) : EXIT_ENV;
			goto out;
		}
	} else {
		fb_source_worktree(&src, ctx->repo);
	}
	ntargets = argc - g.optind;
	targets = fb_calloc((size_t)ntargets + 1, sizeof(*targets));
	if ((status = parse_targets(ctx, src, argv + g.optind, ntargets, targets, &keep)))
		goto out;

	copts.show_confidential = ctx->show_confidential;
	err = fb_check(src, targets, (size_t)ntargets, &copts, &st, &ctx->diag);
	if (err == FB_ENOTFOUND) {
		status = cli_usage_flush(ctx);
		goto out;
	}
	if (err < 0) {
		status = EXIT_ENV;
		goto out;
	}
	fb_diag_sort(&ctx->diag);
	status = ctx->diag.errors ? EXIT_DATA : EXIT_OK;
	if (format == 1) {
		print_json(&out, &ctx->diag, &st);
		fb_diag_release(&ctx->diag);
	} else {
		fb_buf_addf(&out, "%zu record%s checked: ", st.checked, st.checked == 1 ? "" : "s");
		if (!ctx->diag.errors)
			fb_buf_puts(&out, "all valid");
		else
			fb_buf_addf(&out, "%zu invalid, %zu error%s", st.invalid, ctx->diag.errors,
				    ctx->diag.errors == 1 ? "" : "s");
		if (ctx->diag.warnings)
			fb_buf_addf(&out, ", %zu warning%s", ctx->diag.warnings,
				    ctx->diag.warnings == 1 ? "" : "s");
		fb_buf_putc(&out, '\n');
		cli_flush_diag(ctx);
	}
	if (cli_write(&out))
		status = EXIT_ENV;
out:
	cli_getopt_release(&g);
	fb_strvec_release(&keep);
	free(targets);
	fb_source_free(src);
	fb_buf_release(&out);
	return status;
}
