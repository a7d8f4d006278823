/*
 * fieldbook show TYPE/ID [--at REV|DATE] [--format yaml|json]
 *
 * yaml prints the file's bytes as stored; json prints the parsed record with
 * the _type, _id and _file keys of SPEC §6.
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/check.h>

#include "cli.h"

static const char *const formats[] = {"yaml", "json", NULL};

static void record_json(struct fb_buf *out, const struct fb_entry *e, const struct fb_doc *doc)
{
	struct fb_buf body = FB_BUF_INIT;

	fb_buf_puts(out, "{\n  \"_type\": ");
	fb_buf_json_str(out, e->type, strlen(e->type));
	fb_buf_puts(out, ",\n  \"_id\": ");
	fb_buf_json_str(out, e->id, strlen(e->id));
	fb_buf_puts(out, ",\n  \"_file\": ");
	fb_buf_json_str(out, e->path, strlen(e->path));
	/* the record's own fields follow, at the same level */
	fb_node_to_json(&body, doc->root, 0, NULL, NULL);
	if (body.len > 3) {
		fb_buf_puts(out, ",");
		fb_buf_add(out, body.ptr + 1, body.len - 1);
	} else {
		fb_buf_puts(out, "\n}");
	}
	fb_buf_putc(out, '\n');
	fb_buf_release(&body);
}

int cmd_show(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {
		{"at", required_argument, NULL, 'a'},
		{"format", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	struct cli_getopt g;
	struct fb_source *src = NULL;
	struct fb_entries es = {0};
	struct fb_buf text = FB_BUF_INIT, out = FB_BUF_INIT;
	struct fb_doc *doc = NULL;
	const struct fb_entry *e;
	const char *at = NULL;
	char *type = NULL, *id = NULL;
	int format = 0, opt, status = EXIT_OK, err;

	cli_getopt_init(&g, ctx, argc, argv, "", opts);
	while ((opt = cli_getopt_next(&g)) != -1) {
		if (opt == 'a') {
			at = optarg;
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
	if (g.optind != argc - 1) {
		status = cli_usage_error(ctx, "show takes exactly one TYPE/ID");
		goto out;
	}
	if ((status = cli_repo(ctx)))
		goto out;
	if (fb_target_parse(ctx->repo, argv[g.optind], &type, &id, &ctx->diag) < 0) {
		status = cli_usage_flush(ctx);
		goto out;
	}
	if ((status = cli_source(ctx, at, &src)) || (status = cli_check_type(ctx, src, type)))
		goto out;
	fb_source_list(src, type, &es, &ctx->diag);
	fb_diag_release(&ctx->diag); /* listing problems belong to validate */
	e = fb_entries_find(&es, id);
	if (!e) {
		status = cli_usage_error(ctx, "no record '%s/%s'%s%s", type, id, at ? " at " : "",
					 at ? at : "");
		goto out;
	}
	if (format == 0) {
		if ((err = fb_source_read(src, e, &text, &ctx->diag)) < 0) {
			status = err == FB_EINVALID ? EXIT_DATA : EXIT_ENV;
			goto out;
		}
		status = cli_write(&text);
		goto out;
	}
	err = fb_record_read(src, e, &text, &doc, &ctx->diag);
	if (!doc) {
		status = err == FB_EIO ? EXIT_ENV : EXIT_DATA;
		goto out;
	}
	fb_diag_release(&ctx->diag);
	record_json(&out, e, doc);
	status = cli_write(&out);
out:
	cli_getopt_release(&g);
	fb_doc_free(doc);
	fb_entries_release(&es);
	fb_source_free(src);
	fb_buf_release(&text);
	fb_buf_release(&out);
	free(type);
	free(id);
	return status;
}
