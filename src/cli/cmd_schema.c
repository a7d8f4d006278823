/*
 * fieldbook schema export TYPE
 *
 * The type's schema as one JSON document for tools that want JSON: the
 * references to other files (schemas/_common.yaml) are copied into its
 * $defs, so the output stands alone.
 */
#include <string.h>

#include <fieldbook/schema.h>

#include "cli.h"

int cmd_schema(int argc, char **argv, struct fb_ctx *ctx)
{
	struct cli_getopt g;
	struct fb_source *src = NULL;
	struct fb_schemas *ss = NULL;
	struct fb_buf out = FB_BUF_INIT;
	int opt, status = EXIT_OK;

	cli_getopt_init(&g, ctx, argc, argv, "", NULL);
	while ((opt = cli_getopt_next(&g)) != -1) {
		status = g.status;
		goto out;
	}
	if (argc - g.optind != 2 || strcmp(argv[g.optind], "export")) {
		status = cli_usage_error(ctx, "expected 'schema export TYPE'");
		goto out;
	}
	if ((status = cli_source(ctx, NULL, &src)) ||
	    (status = cli_check_type(ctx, src, argv[g.optind + 1])))
		goto out;
	if (fb_schemas_load(&ss, src, &ctx->diag) < 0) {
		cli_flush_diag(ctx);
		status = EXIT_DATA;
		goto out;
	}
	if (fb_schemas_export(ss, argv[g.optind + 1], &out, &ctx->diag) < 0) {
		status = EXIT_DATA;
		goto out;
	}
	status = cli_write(&out);
out:
	cli_getopt_release(&g);
	fb_schemas_free(ss);
	fb_source_free(src);
	fb_buf_release(&out);
	return status;
}
