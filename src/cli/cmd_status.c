/*
 * fieldbook status [--format text|json]
 *
 * What git status says, in records (vcs.h fb_vcs_status): the records
 * added, changed (with the field paths) and removed in the working tree,
 * staged or not; other fieldbook files changed; the conflicts of a merge
 * in progress; the drafts; the branch against its upstream as of the last
 * fetch; whether this clone has the hooks and the merge driver.  Exit 0.
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/setup.h>
#include <fieldbook/vcs.h>

#include "cli.h"

static const char *change_word(char c)
{
	return c == 'A' ? "added" : c == 'D' ? "removed" : "modified";
}

static void json_strvec(struct fb_buf *out, const struct fb_strvec *sv)
{
	size_t i;
	fb_buf_puts(out, "[");
	for (i = 0; i < sv->n; i++) {
		if (i)
			fb_buf_puts(out, ",");
		fb_buf_json_str(out, sv->v[i], strlen(sv->v[i]));
	}
	fb_buf_puts(out, "]");
}

static void print_json(const struct fb_status *st, bool hooks, bool driver)
{
	struct fb_buf out = FB_BUF_INIT;
	size_t i;

	fb_buf_puts(&out, "{\"branch\":");
	fb_buf_json_str_or_null(&out, st->branch);
	fb_buf_puts(&out, ",\"upstream\":");
	fb_buf_json_str_or_null(&out, st->upstream);
	fb_buf_addf(&out, ",\"ahead\":%zu,\"behind\":%zu,\"merging\":%s,\"changes\":[", st->ahead,
		    st->behind, st->merging ? "true" : "false");
	for (i = 0; i < st->n; i++) {
		const struct fb_status_entry *e = &st->v[i];
		fb_buf_puts(&out, i ? ",{\"path\":" : "{\"path\":");
		fb_buf_json_str(&out, e->path, strlen(e->path));
		fb_buf_puts(&out, ",\"record\":");
		fb_buf_json_str_or_null(&out, e->record);
		fb_buf_addf(&out, ",\"change\":\"%s\",\"staged\":%s,\"unstaged\":%s,\"fields\":",
			    change_word(e->change), e->staged ? "true" : "false",
			    e->unstaged ? "true" : "false");
		json_strvec(&out, &e->fields);
		fb_buf_puts(&out, "}");
	}
	fb_buf_puts(&out, "],\"conflicts\":");
	json_strvec(&out, &st->conflicts);
	fb_buf_puts(&out, ",\"drafts\":");
	json_strvec(&out, &st->drafts);
	fb_buf_addf(&out, ",\"hooks_installed\":%s,\"merge_driver_installed\":%s}\n",
		    hooks ? "true" : "false", driver ? "true" : "false");
	fwrite(out.ptr, 1, out.len, stdout);
	fb_buf_release(&out);
}

static void print_text(const struct fb_status *st, bool hooks, bool driver)
{
	size_t i, j;

	printf("on branch %s", st->branch ? st->branch : "(detached HEAD)");
	if (st->upstream)
		printf(", %zu ahead and %zu behind %s (as of the last fetch; fieldbook sync "
		       "brings it up to date)",
		       st->ahead, st->behind, st->upstream);
	printf("\n");
	if (st->merging)
		printf("a merge is in progress: %s\n",
		       st->conflicts.n ? "settle the conflicts with fieldbook resolve, then commit"
				       : "its conflicts are settled; fieldbook commit concludes it");
	for (i = 0; i < st->conflicts.n; i++)
		printf("  conflict  %s\n", st->conflicts.v[i]);
	if (!st->n && !st->merging)
		printf("nothing to commit: the records are as HEAD has them\n");
	for (i = 0; i < st->n; i++) {
		const struct fb_status_entry *e = &st->v[i];
		printf("  %-9s %s%s", change_word(e->change), e->record ? e->record : e->path,
		       e->staged && e->unstaged ? " (partly staged)"
		       : e->staged	    ? " (staged)"
					    : "");
		for (j = 0; j < e->fields.n; j++)
			printf("%s%s", j ? ", " : ": ", e->fields.v[j]);
		printf("\n");
	}
	for (i = 0; i < st->drafts.n; i++)
		printf("  draft     %s\n", st->drafts.v[i]);
	printf("hooks: %s; merge driver: %s\n", hooks ? "installed" : "not installed",
	       driver ? "installed" : "not installed");
	if (!hooks || !driver)
		printf("  (fieldbook hook install puts %s in this clone)\n",
		       !hooks && !driver ? "both" : !hooks ? "the hooks" : "the merge driver");
}

int cmd_status(int argc, char **argv, struct fb_ctx *ctx)
{
	static const char *const formats[] = {"text", "json", NULL};
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	struct fb_status st = {0};
	struct cli_getopt g;
	int status = EXIT_OK, format = 0;
	bool hooks, driver;

	cli_getopt_init(&g, ctx, argc, argv, "", opts);
	cli_getopt_format(&g, 'f', formats, &format);
	if (cli_getopt_next(&g) != -1) {
		status = g.status;
		goto out;
	}
	if (g.optind < argc) {
		status = cli_usage_error(ctx, "status takes no arguments");
		goto out;
	}
	if ((status = cli_repo(ctx)))
		goto out;
	if (fb_vcs_status(ctx->repo, &st, &ctx->diag) < 0) {
		cli_flush_diag(ctx);
		status = EXIT_ENV;
		goto out;
	}
	hooks = fb_setup_hooks_installed(ctx->repo);
	driver = fb_setup_merge_driver_installed(ctx->repo);
	if (format == 1)
		print_json(&st, hooks, driver);
	else
		print_text(&st, hooks, driver);
	cli_flush_diag(ctx);
out:
	fb_vcs_status_release(&st);
	cli_getopt_release(&g);
	return status;
}
