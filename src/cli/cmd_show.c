/*
 * fieldbook show TYPE/ID [--at REV|DATE] [--format yaml|json]
 *
 * yaml prints the file's text as stored, json the typed record with the
 * _type, _id and _file keys of SPEC §6; in both, x-confidential values are
 * "***" unless --show-confidential.  A record that does not parse is skipped
 * with a warning (SPEC §4: reading commands work on whatever parses).
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/check.h>

#include "cli.h"

static const char *const formats[] = {"yaml", "json", NULL};

int cmd_show(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {
		{"at", required_argument, NULL, 'a'},
		{"format", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	struct cli_getopt g;
	struct fb_source *src = NULL;
	struct fb_schemas *ss = NULL;
	struct fb_entries es = {0};
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_buf text = FB_BUF_INIT, out = FB_BUF_INIT;
	struct fb_doc *doc = NULL;
	const struct fb_entry *e;
	const char *at = NULL;
	char *type = NULL, *id = NULL;
	int format = 0, opt, status = EXIT_OK, err;

	cli_getopt_init(&g, ctx, argc, argv, "", opts);
	cli_getopt_format(&g, 'f', formats, &format);
	while ((opt = cli_getopt_next(&g)) != -1) {
		if (opt == 'a') {
			at = optarg;
		} else {
			status = g.status;
			goto out;
		}
	}
	if ((status = cli_target_arg(ctx, argc, argv, g.optind, &type, &id)))
		goto out;
	if ((status = cli_source(ctx, at, &src)) || (status = cli_check_type(ctx, src, type)))
		goto out;
	fb_source_list(src, type, &es, &quiet); /* listing problems belong to validate */
	e = fb_entries_find(&es, id);
	if (!e) {
		status = cli_usage_error(ctx, "no record '%s/%s'%s%s", type, id, at ? " at " : "",
					 at ? at : "");
		goto out;
	}
	fb_schemas_load(&ss, src, &quiet); /* broken schemas are validate's business too */
	err = fb_record_load(src, fb_schemas_type(ss, e->type), e, &text, &doc, &quiet);
	if (err == FB_EIO) {
		fb_diag_splice(&ctx->diag, &quiet);
		status = EXIT_ENV;
		goto out;
	}
	if (!doc) {
		fb_diag_addf(&ctx->diag, FB_SEV_WARNING, e->path, 0, 0,
			     "does not parse, so it is not shown; 'fieldbook validate %s/%s' says why",
			     type, id);
		goto out;
	}
	if (format == 0) {
		if (ctx->show_confidential)
			fb_buf_add(&out, doc->text, doc->len);
		else
			fb_record_masked_text(&out, doc);
	} else {
		fb_record_json(&out, e, doc, ctx->show_confidential, 0);
		fb_buf_putc(&out, '\n');
	}
	status = cli_write(&out);
out:
	cli_getopt_release(&g);
	fb_doc_free(doc);
	fb_schemas_free(ss);
	fb_entries_release(&es);
	fb_source_free(src);
	fb_diag_release(&quiet);
	fb_buf_release(&text);
	fb_buf_release(&out);
	free(type);
	free(id);
	return status;
}
