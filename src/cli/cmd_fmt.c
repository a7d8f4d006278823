/*
 * fieldbook fmt [--check] [TARGET...]
 *
 * Rewrites records into the canonical layout (fmt.h), keeping comments.
 * --check changes nothing: it lists the files that would change and exits
 * 1 if there is any.  A file that does not parse, or whose comments cannot
 * be kept, is refused (exit 1) with the reason; the others are still done.
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/check.h>
#include <fieldbook/fmt.h>

#include "cli.h"

struct fmt_run {
	struct fb_ctx *ctx;
	struct fb_source *src;
	struct fb_schemas *ss;
	bool check;
	size_t changed, refused, same;
	struct fb_buf out, text;
};

static int fmt_entry(struct fmt_run *run, const struct fb_entry *e)
{
	struct fb_ctx *ctx = run->ctx;
	struct fb_diag load = FB_DIAG_INIT;
	struct fb_doc *doc = NULL;
	int err = fb_record_load(run->src, fb_schemas_type(run->ss, e->type), e, &run->text, &doc, &load);

	if (err == FB_EIO || !doc) {
		/* why it could not be read; an id mismatch alone is validate's business */
		fb_diag_splice(&ctx->diag, &load);
		if (!doc)
			run->refused++;
		return err == FB_EIO ? err : 0;
	}
	fb_diag_release(&load);
	fb_buf_reset(&run->out);
	if (fb_fmt_record(doc, fb_schemas_type(run->ss, e->type), &run->out, &ctx->diag) < 0) {
		run->refused++;
	} else if (run->out.len == doc->len && !memcmp(run->out.ptr, doc->text, doc->len)) {
		run->same++;
	} else if (run->check) {
		printf("%s\n", e->path);
		run->changed++;
	} else if ((err = fb_repo_write_file(ctx->repo, e->path, run->out.ptr, run->out.len,
					     &ctx->diag)) == 0) {
		run->changed++;
	} else if (err == FB_EINVALID) { /* a link: refused, the others go on */
		run->refused++;
		err = 0;
	}
	fb_doc_free(doc);
	return err;
}

int cmd_fmt(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {
		{"check", no_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	struct fmt_run run = {ctx, NULL, NULL, false, 0, 0, 0, FB_BUF_INIT, FB_BUF_INIT};
	struct fb_strvec types = {0};
	struct cli_getopt g;
	int opt, status = EXIT_OK, i, err = 0;
	size_t t, k;

	cli_getopt_init(&g, ctx, argc, argv, "", opts);
	while ((opt = cli_getopt_next(&g)) != -1) {
		if (opt == 'c') {
			run.check = true;
		} else {
			status = g.status;
			goto out;
		}
	}
	if ((status = cli_source(ctx, NULL, &run.src)))
		goto out;
	if (fb_schemas_load(&run.ss, run.src, &ctx->diag) < 0) {
		cli_flush_diag(ctx);
		status = cli_error(ctx, EXIT_DATA, "the schemas have errors; fix them first "
				   "(fieldbook validate)");
		goto out;
	}
	if (g.optind == argc) {
		fb_source_types(run.src, &types, &ctx->diag);
		for (t = 0; t < types.n && !err; t++) {
			struct fb_entries es = {0};
			fb_source_list(run.src, types.v[t], &es, &ctx->diag);
			for (k = 0; k < es.n && !err; k++)
				err = fmt_entry(&run, &es.v[k]);
			fb_entries_release(&es);
		}
	}
	for (i = g.optind; i < argc && !err; i++) {
		struct fb_entries es = {0};
		char *type = NULL, *id = NULL;
		const struct fb_entry *e;
		if (fb_type_valid(argv[i]) && !strchr(argv[i], '/')) {
			type = fb_strdup(argv[i]);
		} else if (fb_target_parse(ctx->repo, argv[i], &type, &id, &ctx->diag) < 0) {
			status = cli_usage_flush(ctx);
			goto out;
		}
		if ((status = cli_check_type(ctx, run.src, type))) {
			free(type);
			free(id);
			goto out;
		}
		fb_source_list(run.src, type, &es, &ctx->diag);
		if (id && !(e = fb_entries_find(&es, id))) {
			status = cli_usage_error(ctx, "no record '%s/%s'", type, id);
			fb_entries_release(&es);
			free(type);
			free(id);
			goto out;
		}
		for (k = 0; k < es.n && !err; k++)
			if (!id || !strcmp(es.v[k].id, id))
				err = fmt_entry(&run, &es.v[k]);
		fb_entries_release(&es);
		free(type);
		free(id);
	}
	cli_flush_diag(ctx);
	if (err) {
		status = EXIT_ENV;
		goto out;
	}
	if (run.check)
		fprintf(stderr, "%zu file%s would be reformatted, %zu already canonical%s\n",
			run.changed, run.changed == 1 ? "" : "s", run.same,
			run.refused ? ", some refused" : "");
	else
		fprintf(stderr, "%zu file%s reformatted, %zu already canonical%s\n", run.changed,
			run.changed == 1 ? "" : "s", run.same, run.refused ? ", some refused" : "");
	status = run.refused || (run.check && run.changed) ? EXIT_DATA : EXIT_OK;
out:
	cli_getopt_release(&g);
	fb_strvec_release(&types);
	fb_schemas_free(run.ss);
	fb_source_free(run.src);
	fb_buf_release(&run.out);
	fb_buf_release(&run.text);
	return status;
}
