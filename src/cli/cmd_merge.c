/*
 * fieldbook merge-driver BASE OURS THEIRS PATH
 *
 * git's merge.fieldbook.driver (%O %A %B %P): the record at PATH merged
 * field by field (merge.h), the result written over OURS, as git wants.
 * Exit 0 when it merged; 1 on a conflict -- then OURS keeps ours' value of
 * each conflicting field (never a conflict marker), the fields are listed
 * in .git/fieldbook/conflicts/TYPE/ID.yaml, and git leaves the path
 * unmerged until `fieldbook resolve` settles it.  A file that is not a
 * record (a bad name) is left to the user as a conflict.
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/conflict.h>
#include <fieldbook/merge.h>

#include "cli.h"

static int read_side(struct fb_ctx *ctx, const char *file, struct fb_buf *out)
{
	if (fb_buf_read_file(out, file, 0) < 0)
		return cli_error(ctx, EXIT_ENV, "cannot read %s", file);
	return 0;
}

int cmd_merge_driver(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {{NULL, 0, NULL, 0}};
	struct fb_buf b = FB_BUF_INIT, o = FB_BUF_INIT, t = FB_BUF_INIT;
	struct fb_source *src = NULL;
	struct fb_schemas *ss = NULL;
	struct fb_merge m = {0};
	struct fb_diag quiet = FB_DIAG_INIT;
	struct cli_getopt g;
	char *type = NULL, *id = NULL;
	const char *path;
	size_t i;
	int status = EXIT_OK;

	cli_getopt_init(&g, ctx, argc, argv, "", opts);
	if (cli_getopt_next(&g) != -1) {
		status = g.status;
		goto out;
	}
	if (argc - g.optind != 4) {
		status = cli_usage_error(ctx, "merge-driver takes BASE OURS THEIRS PATH (git's %%O "
					      "%%A %%B %%P)");
		goto out;
	}
	path = argv[g.optind + 3];
	if ((status = cli_repo(ctx)))
		goto out;
	if (!fb_record_path_parse(path, &type, &id)) {
		fprintf(stderr, "fieldbook: %s is not a record (records/TYPE/ID.yaml): merge it "
				"by hand\n",
			path);
		status = EXIT_DATA;
		goto out;
	}
	if ((status = read_side(ctx, argv[g.optind], &b)) ||
	    (status = read_side(ctx, argv[g.optind + 1], &o)) ||
	    (status = read_side(ctx, argv[g.optind + 2], &t)))
		goto out;
	/* typed by the working tree's schemas (ours); untyped if they do not load */
	fb_source_worktree(&src, ctx->repo);
	fb_schemas_load(&ss, src, &quiet);
	fb_merge_record(path, ss ? fb_schemas_type(ss, type) : NULL,
			(struct fb_merge_side){b.ptr, b.len}, (struct fb_merge_side){o.ptr, o.len},
			(struct fb_merge_side){t.ptr, t.len}, NULL, &m, &ctx->diag);
	cli_flush_diag(ctx);
	if (m.present &&
	    fb_file_replace(argv[g.optind + 1], m.text.ptr, m.text.len, 0644, path, &ctx->diag) < 0) {
		cli_flush_diag(ctx);
		status = EXIT_ENV;
		goto out;
	}
	if (!m.n) {
		fb_conflict_clear(ctx->repo, type, id, &quiet);
		goto out;
	}
	if (fb_conflict_save(ctx->repo, type, id, path, &m, &ctx->diag) < 0) {
		cli_flush_diag(ctx);
		status = EXIT_ENV;
		goto out;
	}
	fprintf(stderr, "fieldbook: CONFLICT (fields) in %s:", path);
	for (i = 0; i < m.n; i++)
		fprintf(stderr, "%s %s", i ? "," : "", m.v[i].path[0] ? m.v[i].path : "the whole record");
	fprintf(stderr, "\nfieldbook: the record keeps ours there; see .git/fieldbook/conflicts/%s/%s.yaml "
			"and settle it with: fieldbook resolve %s/%s --ours|--theirs|--field "
			"PATH=ours|theirs|VALUE\n",
		type, id, type, id);
	status = EXIT_DATA;
out:
	fb_merge_release(&m);
	fb_schemas_free(ss);
	fb_source_free(src);
	fb_diag_release(&quiet);
	fb_buf_release(&b);
	fb_buf_release(&o);
	fb_buf_release(&t);
	free(type);
	free(id);
	cli_getopt_release(&g);
	return status;
}
