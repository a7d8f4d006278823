/*
 * fieldbook commit [-m MSG] [--author "NAME <EMAIL>"] [--sign] [TARGET...]
 *
 * Commits what changed in records/, schemas/ and fieldbook.yaml (or in the
 * targets) on top of HEAD, after checking the whole tree the commit makes
 * (vcs.h).  Prints "[SHORT-ID] subject" and the counts, much as git
 * does; a refused commit prints every error and exits 1; nothing to commit
 * exits 1 with a message, also as git does.
 *
 * Also here: cli_commit_paths(), which new, edit and rm call for --commit.
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/vcs.h>

#include "cli.h"

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

int cmd_commit(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {
		{"message", required_argument, NULL, 'm'},
		{"author", required_argument, NULL, 'a'},
		{"sign", no_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	struct fb_commit_opts co = {0};
	struct fb_strvec targets = {0};
	struct cli_getopt g;
	int opt, status = EXIT_OK, i;

	cli_getopt_init(&g, ctx, argc, argv, "m:S", opts);
	while ((opt = cli_getopt_next(&g)) != -1) {
		if (opt == 'm') {
			co.message = optarg;
		} else if (opt == 'a') {
			co.author_arg = optarg;
		} else if (opt == 'S') {
			co.sign = true;
		} else {
			status = g.status;
			goto out;
		}
	}
	if ((status = cli_repo(ctx)))
		goto out;
	for (i = g.optind; i < argc; i++)
		if ((status = cli_target_prefixes(ctx, argv[i], &targets)))
			goto out;
	co.targets = targets.n ? &targets : NULL;
	status = cli_commit_paths(ctx, &co, false);
out:
	fb_strvec_release(&targets);
	cli_getopt_release(&g);
	return status;
}
