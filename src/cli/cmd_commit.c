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
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* Both places of record TYPE/ID: the working tree's and HEAD's (a move has two). */
static int record_paths(struct fb_ctx *ctx, const char *type, const char *id, struct fb_strvec *out)
{
	const char *revs[] = {NULL, "HEAD"};
	struct fb_diag quiet = FB_DIAG_INIT;
	size_t i, before = out->n;

	for (i = 0; i < 2; i++) {
		struct fb_source *src = NULL;
		struct fb_entries es = {0};
		const struct fb_entry *e;
		if (revs[i] ? fb_source_rev(&src, ctx->repo, revs[i], &quiet) < 0
			    : fb_source_worktree(&src, ctx->repo) < 0)
			continue;
		if (fb_source_list(src, type, &es, &quiet) == 0 && (e = fb_entries_find(&es, id)) &&
		    !fb_strvec_has(out, e->path))
			fb_strvec_push(out, e->path);
		fb_entries_release(&es);
		fb_source_free(src);
	}
	fb_diag_release(&quiet);
	if (out->n > before)
		return 0;
	return cli_usage_error(ctx, "no record '%s/%s' in the working tree or HEAD", type, id);
}

/*
 * A TARGET as repository-relative paths: a file or folder that exists
 * (relative to the current folder) under records/ or schemas/, or
 * fieldbook.yaml; TYPE/ID (where it is now and where HEAD has it); TYPE.
 */
static int target_paths(struct fb_ctx *ctx, const char *arg, struct fb_strvec *out)
{
	const char *root = fb_repo_root(ctx->repo), *slash = strchr(arg, '/');
	char real[PATH_MAX];
	struct stat st;
	size_t n = strlen(root);

	if (stat(arg, &st) == 0 && realpath(arg, real)) {
		const char *rel = real + n + 1;
		if (strncmp(real, root, n) || real[n] != '/' ||
		    !(!strcmp(rel, "fieldbook.yaml") || !strcmp(rel, "records") ||
		      !strncmp(rel, "records/", 8) || !strcmp(rel, "schemas") ||
		      !strncmp(rel, "schemas/", 8)))
			return cli_usage_error(ctx, "'%s' is not under records/ or schemas/ of "
						    "this repository, nor its fieldbook.yaml",
					       arg);
		fb_strvec_push(out, rel);
		return 0;
	}
	if (slash && !strchr(slash + 1, '/') && slash > arg) {
		char *type = fb_strndup(arg, (size_t)(slash - arg));
		int status = 0;
		if (!fb_type_valid(type) || !fb_id_valid(slash + 1))
			status = cli_usage_error(ctx, "'%s' is neither TYPE/ID nor a file here", arg);
		else
			status = record_paths(ctx, type, slash + 1, out);
		free(type);
		return status;
	}
	if (!slash && fb_type_valid(arg)) {
		struct fb_source *src = NULL;
		struct fb_buf path = FB_BUF_INIT;
		int status;
		fb_source_worktree(&src, ctx->repo);
		status = cli_check_type(ctx, src, arg);
		fb_source_free(src);
		fb_buf_addf(&path, "records/%s", arg);
		if (!status)
			fb_strvec_push(out, path.ptr);
		fb_buf_release(&path);
		return status;
	}
	return cli_usage_error(ctx, "'%s' is not a TYPE, a TYPE/ID or a file of this repository", arg);
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
		if ((status = target_paths(ctx, argv[i], &targets)))
			goto out;
	co.targets = targets.n ? &targets : NULL;
	co.show_confidential = ctx->show_confidential;
	status = cli_commit_paths(ctx, &co, false);
out:
	fb_strvec_release(&targets);
	cli_getopt_release(&g);
	return status;
}
