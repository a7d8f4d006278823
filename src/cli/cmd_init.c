/*
 * fieldbook init [DIR]
 *
 * init makes DIR (default: the current folder) a git repository if it is
 * not one, writes the shipped files (the project's own schemas,
 * fieldbook.yaml, .vscode/settings.json and records/README.md, built into
 * the binary), makes the first commit of them and installs the hooks.  It
 * overwrites nothing: when one of those files exists with other content it
 * lists them all and writes none.  The same files are fine, so an init
 * that could not commit (no identity yet) is finished by running it again.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fieldbook/setup.h>
#include <fieldbook/vcs.h>

#include "cli.h"

extern const struct fb_file shipped_files[];
extern const size_t shipped_count;

int cmd_init(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {{NULL, 0, NULL, 0}};
	struct fb_strvec also = {0};
	struct fb_commit_opts co = {0};
	struct cli_getopt g;
	bool *wrote = fb_calloc(shipped_count + 1, sizeof(*wrote));
	const char *dir;
	size_t i, written = 0;
	int opt, status, err;

	cli_getopt_init(&g, ctx, argc, argv, "", opts);
	while ((opt = cli_getopt_next(&g)) != -1) {
		status = g.status;
		goto out;
	}
	if (argc - g.optind > 1) {
		status = cli_usage_error(ctx, "init takes one folder");
		goto out;
	}
	dir = g.optind < argc ? argv[g.optind] : ".";
	err = fb_setup_init(dir, shipped_files, shipped_count, wrote, &ctx->diag);
	if (err == FB_EEXISTS) {
		cli_flush_diag(ctx);
		fprintf(stderr, "fieldbook: init wrote nothing; it would have written:\n");
		for (i = 0; i < shipped_count; i++)
			fprintf(stderr, "  %s\n", shipped_files[i].path);
		status = EXIT_DATA;
		goto out;
	}
	if (err) {
		cli_flush_diag(ctx);
		status = err == FB_EINVALID ? EXIT_DATA : EXIT_ENV;
		goto out;
	}
	for (i = 0; i < shipped_count; i++) {
		printf("%s %s\n", wrote[i] ? "wrote" : "kept (already there)", shipped_files[i].path);
		written += wrote[i];
	}
	if (chdir(dir) < 0) {
		status = cli_error(ctx, EXIT_ENV, "cannot enter '%s'", dir);
		goto out;
	}
	if ((status = cli_repo(ctx)))
		goto out;
	/* the first commit: these files, and nothing else a user may have staged */
	for (i = 0; i < shipped_count; i++)
		fb_strvec_push(&also, shipped_files[i].path);
	co.message = "Start a fieldbook repository";
	co.also = &also;
	co.targets = &also;
	status = cli_commit_paths(ctx, &co, true);
	if (status) {
		fprintf(stderr, "fieldbook: the files are written but not committed; when that is "
				"fixed, run fieldbook init again to finish\n");
		goto out;
	}
	/* last: a hook of the user's in the way is worth a warning, not a failed init */
	if (cli_install_hooks(ctx, false) == EXIT_DATA)
		fprintf(stderr, "fieldbook: warning: the repository is ready, but without "
				"fieldbook's hooks (see above)\n");
	if (!written)
		fprintf(stderr, "fieldbook: this was a fieldbook repository already\n");
out:
	free(wrote);
	fb_strvec_release(&also);
	cli_getopt_release(&g);
	return status;
}
