/*
 * fieldbook hook install|pre-commit|pre-receive
 *
 * install writes the hooks (setup.c); pre-commit and pre-receive are what
 * those hooks run: the first checks what `git commit` is about to record,
 * the second what a push brings into a bare repository.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <fieldbook/vcs.h>

#include "cli.h"

int cmd_hook(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {{NULL, 0, NULL, 0}};
	struct cli_getopt g;
	const char *what;
	int opt, status = EXIT_OK, err;

	cli_getopt_init(&g, ctx, argc, argv, "", opts);
	while ((opt = cli_getopt_next(&g)) != -1) {
		status = g.status;
		goto out;
	}
	if (g.optind >= argc) {
		status = cli_usage_error(ctx, "which hook? install, pre-commit or pre-receive");
		goto out;
	}
	what = argv[g.optind];
	if (!strcmp(what, "install")) {
		/* a work tree, or (for pre-receive) a bare repository */
		if (fb_repo_discover(&ctx->repo, NULL, &ctx->diag) < 0) {
			struct fb_diag why = ctx->diag;
			fb_diag_init(&ctx->diag);
			if (fb_repo_open_env(&ctx->repo, &ctx->diag) < 0 || !fb_repo_is_bare(ctx->repo)) {
				fb_diag_release(&ctx->diag);
				ctx->diag = why;
				cli_flush_diag(ctx);
				status = EXIT_ENV;
				goto out;
			}
			fb_diag_release(&why);
		}
		status = cli_install_hooks(ctx, false);
	} else if (!strcmp(what, "pre-commit")) {
		struct fb_check_stats st;
		if ((status = cli_repo(ctx)))
			goto out;
		err = fb_vcs_check_index(ctx->repo, getenv("GIT_INDEX_FILE"), ctx->threads, &st,
					 &ctx->diag);
		cli_flush_diag(ctx);
		if (err == FB_EINVALID)
			fprintf(stderr, "fieldbook: commit refused: the records it would record do "
					"not validate (fix them, or `git commit --no-verify` to "
					"bypass)\n");
		status = err == FB_EINVALID ? EXIT_DATA : err ? EXIT_ENV : EXIT_OK;
	} else if (!strcmp(what, "pre-receive")) {
		struct fb_buf updates = FB_BUF_INIT;
		char chunk[4096];
		size_t n;
		if (fb_repo_open_env(&ctx->repo, &ctx->diag) < 0) {
			cli_flush_diag(ctx);
			status = EXIT_ENV;
			goto out;
		}
		while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
			fb_buf_add(&updates, chunk, n);
		err = fb_vcs_check_push(ctx->repo, updates.ptr ? updates.ptr : "", &ctx->diag);
		fb_buf_release(&updates);
		cli_flush_diag_in_order(ctx); /* each commit's errors under its line */
		if (err == FB_EINVALID)
			fprintf(stderr, "fieldbook: push refused: fix the records above and push "
					"again\n");
		status = err == FB_EINVALID ? EXIT_DATA : err ? EXIT_ENV : EXIT_OK;
	} else {
		status = cli_usage_error(ctx, "unknown hook '%s': install, pre-commit or pre-receive",
					 what);
	}
out:
	cli_getopt_release(&g);
	return status;
}
