/*
 * fieldbook rm TYPE/ID [--commit] [--force]
 *
 * Deletes a record's file, but not while other records refer to it: the
 * whole record set is checked with the file hidden (fb_source_overlay), and
 * every x-ref that then names the missing record is listed, at its
 * file:line:col.  Nor, as with git rm, when the file holds work that
 * history does not have (changed since HEAD, or never committed).  --force
 * deletes anyway (the referring records must then be fixed before a commit
 * can pass); --commit commits the deletion.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fieldbook/check.h>
#include <fieldbook/vcs.h>

#include "cli.h"

/* The x-ref errors that name TYPE/ID, moved from `all` to `out`. */
static size_t references(struct fb_diag *all, const char *type, const char *id,
			 struct fb_diag *out)
{
	struct fb_buf want = FB_BUF_INIT;
	size_t i, n = 0;

	fb_buf_addf(&want, "the id of a %s record", type);
	for (i = 0; i < all->n; i++) {
		const struct fb_diag_entry *e = &all->v[i];
		if (e->severity == FB_SEV_ERROR && e->keyword && !strcmp(e->keyword, "x-ref") &&
		    e->value && !strcmp(e->value, id) && e->expected && !strcmp(e->expected, want.ptr)) {
			fb_diag_push(out, e);
			n++;
		}
	}
	fb_buf_release(&want);
	return n;
}

/*
 * As git rm: a record whose file is not what HEAD has (changed since, or
 * never committed) would take that work with it; EXIT_DATA, saying so.
 */
static int unsaved_work(struct fb_ctx *ctx, const char *type, const char *id, const char *path)
{
	struct fb_source *head = NULL;
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_buf was = FB_BUF_INIT, is = FB_BUF_INIT;
	int status = 0, err = FB_ENOTFOUND;

	if (fb_source_rev(&head, ctx->repo, "HEAD", &quiet) == 0)
		err = fb_source_read_path(head, path, &was, &quiet);
	if (err == FB_ENOTFOUND)
		status = cli_error(ctx, EXIT_DATA, "%s/%s is not removed: it was never committed, "
						   "so nothing could bring it back (rm --force to remove it "
						   "anyway)",
				   type, id);
	else if (fb_repo_read_file(ctx->repo, path, &is, &quiet) < 0 || is.len != was.len ||
		 memcmp(is.ptr, was.ptr, is.len))
		status = cli_error(ctx, EXIT_DATA, "%s/%s is not removed: %s has changes that are "
						   "not committed (commit them first, or rm --force)",
				   type, id, path);
	fb_source_free(head);
	fb_diag_release(&quiet);
	fb_buf_release(&was);
	fb_buf_release(&is);
	return status;
}

int cmd_rm(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {
		{"commit", no_argument, NULL, 'c'},
		{"force", no_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	struct fb_buf path = FB_BUF_INIT;
	struct fb_diag all = FB_DIAG_INIT;
	struct fb_source *src = NULL;
	struct fb_check_stats st;
	struct fb_check_opts copts = {false, 0, NULL};
	struct cli_getopt g;
	char *type = NULL, *id = NULL;
	bool commit = false, force = false;
	size_t refs;
	int opt, status = EXIT_OK, err;

	cli_getopt_init(&g, ctx, argc, argv, "f", opts);
	while ((opt = cli_getopt_next(&g)) != -1) {
		if (opt == 'c') {
			commit = true;
		} else if (opt == 'f') {
			force = true;
		} else {
			status = g.status;
			goto out;
		}
	}
	if ((status = cli_record_arg(ctx, argc, argv, g.optind, &type, &id, &path)))
		goto out;

	/* who would be left pointing at nothing */
	fb_source_worktree(&src, ctx->repo);
	fb_source_overlay(src, path.ptr, NULL, 0);
	copts.show_confidential = true; /* to match ids; only the ids are printed */
	copts.threads = ctx->threads;
	if (fb_check(src, NULL, 0, &copts, &st, &all) == FB_EIO) {
		fb_diag_splice(&ctx->diag, &all);
		cli_flush_diag(ctx);
		status = EXIT_ENV;
		goto out;
	}
	refs = references(&all, type, id, &ctx->diag);
	if (refs) {
		for (size_t i = 0; i < ctx->diag.n; i++)
			ctx->diag.v[i].severity = force ? FB_SEV_WARNING : FB_SEV_ERROR;
		cli_flush_diag(ctx);
		if (!force) {
			fprintf(stderr,
				"fieldbook: %s/%s is not removed: %zu reference%s to it (above); "
				"change them first, or rm --force\n",
				type, id, refs, refs == 1 ? "" : "s");
			status = EXIT_DATA;
			goto out;
		}
	}
	if (!force && (status = unsaved_work(ctx, type, id, path.ptr)))
		goto out;
	if (fb_repo_lock(ctx->repo, 30000, &ctx->diag) < 0) {
		cli_flush_diag(ctx);
		status = EXIT_ENV;
		goto out;
	}
	if ((err = fb_repo_remove_file(ctx->repo, path.ptr, &ctx->diag)) < 0) {
		fb_repo_unlock(ctx->repo);
		cli_flush_diag(ctx);
		status = cli_exit_code(err);
		goto out;
	}
	fb_repo_unlock(ctx->repo);
	fprintf(stderr, "removed %s/%s (%s)\n", type, id, path.ptr);
	if (commit) {
		struct fb_strvec targets = {0};
		struct fb_commit_opts co = {0};
		fb_strvec_push(&targets, path.ptr);
		co.targets = &targets;
		status = cli_commit_paths(ctx, &co, true);
		fb_strvec_release(&targets);
	}
out:
	cli_getopt_release(&g);
	fb_diag_release(&all);
	fb_source_free(src);
	fb_buf_release(&path);
	free(type);
	free(id);
	return status;
}
