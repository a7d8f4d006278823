/*
 * fieldbook validate [--rev REV] [--format text|json] [TARGET...]
 * fieldbook validate --schema SCHEMA [--format text|json] FILE...
 *
 * Checks every record (or the targets) against the repository's schemas and
 * reports every problem in one pass.  Text: diagnostics on stderr, a
 * one-line verdict on stdout.  JSON: the object of SPEC §6 on stdout,
 * nothing on stderr.  Exit 1 when any error was found; warnings alone leave
 * it 0.  With --schema, outside any repository: plain YAML or JSON files
 * (any root) against one schema file, typed strictly by the YAML 1.2 core
 * schema as ajv or check-jsonschema would; exit 2 when the schema is broken.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fieldbook/check.h>
#include <fieldbook/conflict.h>
#include <fieldbook/setup.h>
#include <fieldbook/vcs.h>

#include "cli.h"

static const char *const formats[] = {"text", "json", NULL};

static void print_json(struct fb_buf *out, const struct fb_diag *d, size_t checked,
		       size_t invalid)
{
	size_t i;
	fb_buf_addf(out, "{\"ok\": %s, \"checked\": %zu, \"invalid\": %zu, \"errors\": [",
		    d->errors ? "false" : "true", checked, invalid);
	for (i = 0; i < d->n; i++) {
		fb_buf_puts(out, i ? ",\n  " : "\n  ");
		fb_diag_format_json(out, &d->v[i]);
	}
	fb_buf_puts(out, d->n ? "\n]}\n" : "]}\n");
}

/* Drafts new and edit kept over a week ago: work someone may have forgotten. */
static void note_old_drafts(struct fb_ctx *ctx)
{
	struct fb_strvec old = {0};
	struct fb_buf names = FB_BUF_INIT;
	size_t i;

	fb_drafts_list(ctx->repo, "", time(NULL) - 7 * 86400, &old);
	for (i = 0; i < old.n && i < 3; i++)
		fb_buf_addf(&names, "%s%s", i ? ", " : "", strrchr(old.v[i], '/') + 1);
	if (old.n)
		fb_diag_addf(&ctx->diag, FB_SEV_NOTE, NULL, 0, 0,
			     "%zu draft%s older than a week %s kept in .git/fieldbook/drafts (%s%s): "
			     "resume one with 'fieldbook edit TYPE/ID', or delete it",
			     old.n, old.n == 1 ? "" : "s", old.n == 1 ? "is" : "are", names.ptr,
			     old.n > 3 ? ", …" : "");
	fb_strvec_release(&old);
	fb_buf_release(&names);
}

/* The verdict: JSON on stdout, or diagnostics on stderr and one line on stdout. */
/* A record with an unresolved merge conflict is an error until resolve settles it. */
static void note_conflicts(struct fb_ctx *ctx)
{
	struct fb_strvec list = {0};
	size_t i;
	fb_conflict_list(ctx->repo, &list, &ctx->diag);
	for (i = 0; i < list.n; i++) {
		char *type = NULL, *id = NULL;
		fb_record_path_parse(list.v[i], &type, &id);
		fb_diag_addf(&ctx->diag, FB_SEV_ERROR, list.v[i], 0, 0,
			     "%s/%s has an unresolved merge conflict "
			     "(.git/fieldbook/conflicts/%s/%s.yaml lists it): fieldbook resolve "
			     "%s/%s --ours|--theirs|--field PATH=ours|theirs|VALUE",
			     type, id, type, id, type, id);
		free(type);
		free(id);
	}
	fb_strvec_release(&list);
}

static int report(struct fb_ctx *ctx, int format, size_t checked, size_t invalid,
		  const char *noun)
{
	struct fb_buf out = FB_BUF_INIT;
	int status;

	cli_refused_links(ctx, FB_SEV_ERROR);
	fb_diag_sort(&ctx->diag);
	status = ctx->diag.errors ? EXIT_DATA : EXIT_OK;
	if (format == 1) {
		print_json(&out, &ctx->diag, checked, invalid);
		fb_diag_release(&ctx->diag);
	} else {
		fb_buf_addf(&out, "%zu %s%s checked: ", checked, noun, checked == 1 ? "" : "s");
		if (!ctx->diag.errors)
			fb_buf_puts(&out, "all valid");
		else
			fb_buf_addf(&out, "%zu invalid, %zu error%s", invalid, ctx->diag.errors,
				    ctx->diag.errors == 1 ? "" : "s");
		if (ctx->diag.warnings)
			fb_buf_addf(&out, ", %zu warning%s", ctx->diag.warnings,
				    ctx->diag.warnings == 1 ? "" : "s");
		fb_buf_putc(&out, '\n');
		cli_flush_diag(ctx);
	}
	if (cli_write(&out))
		status = EXIT_ENV;
	fb_buf_release(&out);
	return status;
}

/* validate --schema: files outside a repository, typed strictly. */
static int validate_files(struct fb_ctx *ctx, const char *schema, char **files, int n, int format)
{
	struct fb_schemas *ss = NULL;
	struct fb_buf text = FB_BUF_INIT;
	size_t invalid = 0;
	int i, status;

	if (n == 0)
		return cli_usage_error(ctx, "validate --schema needs at least one FILE");
	if (fb_schemas_load_file(&ss, schema, &ctx->diag) < 0) {
		fb_schemas_free(ss);
		cli_flush_diag(ctx);
		return EXIT_USAGE;
	}
	if (fb_schemas_cross_record(ss))
		fb_diag_addf(&ctx->diag, FB_SEV_NOTE, schema, 0, 0,
			     "x-ref, x-item-of and x-unique are checked only inside a fieldbook "
			     "repository; skipped here");
	for (i = 0; i < n; i++) {
		struct fb_validate_opts vo = {files[i], NULL, NULL, ctx->show_confidential, NULL, false,
					      0};
		struct fb_doc *doc = NULL;
		size_t before = ctx->diag.errors;
		int err = fb_buf_read_file(&text, files[i], 0);

		if (err) {
			fb_schemas_free(ss);
			fb_buf_release(&text);
			return cli_error(ctx, EXIT_USAGE, "cannot read '%s': %s", files[i],
					 err == FB_ENOTFOUND ? "no such file" : strerror(errno));
		}
		if (fb_record_parse(&doc, files[i], text.ptr, text.len,
				    FB_PARSE_ANY_ROOT | FB_PARSE_NO_SIZE_LIMIT | FB_RECORD_STRICT,
				    fb_schemas_main(ss), &ctx->diag) == 0) {
			if (!doc->root)
				fb_diag_addf(&ctx->diag, FB_SEV_ERROR, files[i], 1, 1,
					     "the file is empty: there is no value to check");
			else
				fb_schema_validate(fb_schemas_main(ss), doc->root, &vo, &ctx->diag);
		}
		fb_doc_free(doc);
		if (ctx->diag.errors > before)
			invalid++;
	}
	fb_schemas_free(ss);
	fb_buf_release(&text);
	status = report(ctx, format, (size_t)n, invalid, "file");
	return status;
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
		{"schema", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	struct cli_getopt g;
	struct fb_source *src = NULL;
	struct fb_check_target *targets = NULL;
	struct fb_strvec keep = {0};
	struct fb_check_stats st;
	struct fb_check_opts copts = {false, 0, NULL};
	const char *rev = NULL, *schema = NULL;
	int format = 0, opt, status = EXIT_OK, err, ntargets;

	cli_getopt_init(&g, ctx, argc, argv, "", opts);
	cli_getopt_format(&g, 'f', formats, &format);
	while ((opt = cli_getopt_next(&g)) != -1) {
		if (opt == 'r') {
			rev = optarg;
		} else if (opt == 's') {
			schema = optarg;
		} else {
			status = g.status;
			goto out;
		}
	}
	if (schema) {
		status = rev ? cli_usage_error(ctx, "--schema and --rev do not go together")
			     : validate_files(ctx, schema, argv + g.optind, argc - g.optind, format);
		goto out;
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
	copts.show_confidential = ctx->show_confidential; /* global options are all read now */
	copts.threads = ctx->threads;
	err = fb_check(src, targets, (size_t)ntargets, &copts, &st, &ctx->diag);
	if (err < 0) {
		status = cli_failed(ctx, err, FB_ENOTFOUND); /* an unknown target */
		goto out;
	}
	if (!rev) {
		note_old_drafts(ctx);
		note_conflicts(ctx);
	}
	if (!rev && !fb_setup_hooks_installed(ctx->repo))
		fb_diag_addf(&ctx->diag, FB_SEV_WARNING, NULL, 0, 0,
			     "the fieldbook hooks are not installed in this clone, so a plain git "
			     "commit can record invalid records: run 'fieldbook hook install'");
	else if (!rev && !fb_setup_merge_driver_installed(ctx->repo))
		fb_diag_addf(&ctx->diag, FB_SEV_WARNING, NULL, 0, 0,
			     "the record-aware merge driver is not installed in this clone, so git "
			     "merges records line by line: run 'fieldbook hook install'");
	status = report(ctx, format, st.checked, st.invalid, "record");
out:
	cli_getopt_release(&g);
	fb_strvec_release(&keep);
	free(targets);
	fb_source_free(src);
	return status;
}
