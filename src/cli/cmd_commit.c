/*
 * fieldbook commit [-m MSG] [--author "NAME <EMAIL>"] [--sign] [TARGET...]
 *
 * Commits what changed in records/, schemas/ and fieldbook.yaml (or in the
 * targets) on top of HEAD, after checking the whole tree the commit makes
 * (vcs.h).  Prints "[SHORT-ID] subject" and the counts, much as git
 * does; a refused commit prints every error and exits 1; nothing to commit
 * exits 1 with a message, also as git does.

 * (cli_commit_paths(), in util.c, does the work for it and for --commit.)
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/vcs.h>

#include "cli.h"

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
