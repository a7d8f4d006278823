/*
 * fieldbook sync [REMOTE] [--no-push]
 *
 * The office's repository and this clone made one history (sync.h does
 * it, under the writer lock).  stdout says what happened, one line each:
 * what was taken and merged, which records were merged field by field,
 * what was renumbered, what was pushed.  A conflict, a refusal or a
 * failure goes to stderr with what to do next; exit 1 for the data's
 * verdict (uncommitted records, a conflict, a merge that does not
 * validate), 3 for the network or git.  Progress on stderr when it is a
 * terminal.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fieldbook/setup.h>
#include <fieldbook/sync.h>

#include "cli.h"

static void progress(void *ctx, const char *what, size_t done, size_t total)
{
	(void)ctx;
	fprintf(stderr, "\r%s: %zu/%zu%s", what, done, total, done == total ? "\n" : "");
}

/* What was done; `failed`: the sync stopped (an error follows), so no "up to date". */
static void say(const struct fb_sync_result *res, bool failed)
{
	size_t i;
	if (res->concluded)
		printf("committed the merge in progress\n");
	if (res->how == FB_SYNC_UP_TO_DATE && !res->pushed && !failed)
		printf("up to date with %s/%s\n", res->remote, res->branch);
	else if (res->how == FB_SYNC_FAST_FORWARD)
		printf("took %zu commit%s from %s/%s\n", res->behind, res->behind == 1 ? "" : "s",
		       res->remote, res->branch);
	else if (res->how == FB_SYNC_MERGED)
		printf("merged %zu commit%s from %s/%s\n", res->behind, res->behind == 1 ? "" : "s",
		       res->remote, res->branch);
	else if (res->how == FB_SYNC_CONFLICT)
		printf("merging %zu commit%s from %s/%s: in conflict\n", res->behind,
		       res->behind == 1 ? "" : "s", res->remote, res->branch);
	for (i = 0; i < res->merged.n; i++)
		printf("merged field by field: %s\n", res->merged.v[i]);
	for (i = 0; i < res->nrenumbered; i++)
		printf("renumbered %s/%s to %s/%s: the remote has another %s/%s (your references "
		       "to it were rewritten)\n",
		       res->renumbered[i].type, res->renumbered[i].from, res->renumbered[i].type,
		       res->renumbered[i].to, res->renumbered[i].type, res->renumbered[i].from);
	if (res->pushed)
		printf("pushed %zu commit%s to %s/%s\n", res->ahead, res->ahead == 1 ? "" : "s",
		       res->remote, res->branch);
	if (res->attempts > 1)
		printf("(the remote moved meanwhile: %u rounds)\n", res->attempts);
}

int cmd_sync(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {
		{"no-push", no_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	struct fb_sync_opts so = {0};
	struct fb_sync_result res = {0};
	struct cli_getopt g;
	size_t i;
	int opt, err, status = EXIT_OK;

	so.push = true;
	cli_getopt_init(&g, ctx, argc, argv, "", opts);
	while ((opt = cli_getopt_next(&g)) != -1) {
		if (opt == 'n') {
			so.push = false;
		} else {
			status = g.status;
			goto out;
		}
	}
	if (argc - g.optind > 1) {
		status = cli_usage_error(ctx, "sync takes at most one REMOTE");
		goto out;
	}
	if ((status = cli_repo(ctx)))
		goto out;
	so.remote = g.optind < argc ? argv[g.optind] : NULL;
	so.threads = ctx->threads;
	so.interactive = isatty(0) && isatty(2);
	if (isatty(2))
		so.progress = progress;
	if (!fb_setup_merge_driver_installed(ctx->repo))
		fb_diag_addf(&ctx->diag, FB_SEV_WARNING, NULL, 0, 0,
			     "the record-aware merge driver is not installed in this clone, so a "
			     "plain git pull merges records line by line: run 'fieldbook hook "
			     "install'");
	if ((err = fb_repo_lock(ctx->repo, 30000, &ctx->diag)) == 0) {
		err = fb_sync(ctx->repo, &so, &res, &ctx->diag);
		fb_repo_unlock(ctx->repo);
	}
	if (res.remote)
		say(&res, err != 0);
	cli_flush_diag(ctx);
	for (i = 0; i < res.conflicts.n; i++)
		fprintf(stderr, "fieldbook: CONFLICT (fields) in %s: see .git/fieldbook/conflicts/%s.yaml\n",
			res.conflicts.v[i], res.conflicts.v[i]);
	if (res.conflicts.n)
		fprintf(stderr, "fieldbook: the records keep your values where they conflict; settle "
				"each with fieldbook resolve TYPE/ID --ours|--theirs|--field "
				"PATH=ours|theirs|VALUE, then run fieldbook sync again\n");
	if (err == FB_EINVALID || err == FB_ERROR)
		status = EXIT_DATA;
	else if (err == FB_EUSAGE)
		status = EXIT_USAGE;
	else if (err)
		status = EXIT_ENV;
out:
	fb_sync_result_release(&res);
	cli_getopt_release(&g);
	return status;
}
