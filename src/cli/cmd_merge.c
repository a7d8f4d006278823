/*
 * fieldbook merge-driver BASE OURS THEIRS PATH
 * fieldbook resolve TYPE/ID --ours|--theirs|--field PATH=ours|theirs|VALUE
 *
 * git's merge.fieldbook.driver (%O %A %B %P): the record at PATH merged
 * field by field (merge.h), the result written over OURS, as git wants.
 * Exit 0 when it merged; 1 on a conflict -- then OURS keeps ours' value of
 * each conflicting field (never a conflict marker), the fields are listed
 * in .git/fieldbook/conflicts/TYPE/ID.yaml, and git leaves the path
 * unmerged until `fieldbook resolve` settles it.  A file that is not a
 * record (a bad name) is left to the user as a conflict.
 *
 * resolve merges the three versions git keeps in the index again, this
 * time settling the conflicts as asked, writes the record and marks it
 * merged in the index (git add); `commit` then concludes the merge.  A
 * record edited by hand since the merge is not merged over: --ours keeps
 * it as it is now.
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/conflict.h>
#include <fieldbook/merge.h>
#include <fieldbook/vcs.h>

#include "cli.h"

/* TYPE's schema, from the working tree's schemas (ours); NULL (untyped) when they do not load. */
static const struct fb_schema *record_schema(struct fb_ctx *ctx, const char *type,
					     struct fb_schemas **ss)
{
	struct fb_source *src = NULL;
	struct fb_diag quiet = FB_DIAG_INIT;
	fb_source_worktree(&src, ctx->repo);
	fb_schemas_load(ss, src, &quiet);
	fb_source_free(src);
	fb_diag_release(&quiet);
	return *ss ? fb_schemas_type(*ss, type) : NULL;
}

/* The fields in conflict, for a message: "/name, /tags" ("/" the whole record). */
static void conflict_paths(struct fb_buf *out, const struct fb_merge *m)
{
	size_t i;
	for (i = 0; i < m->n; i++)
		fb_buf_addf(out, "%s%s", i ? ", " : "", m->v[i].path[0] ? m->v[i].path : "/");
}

static int read_side(struct fb_ctx *ctx, const char *file, struct fb_buf *out)
{
	if (fb_buf_read_file(out, file, 0) < 0)
		return cli_error(ctx, EXIT_ENV, "cannot read %s", file);
	return 0;
}

int cmd_merge_driver(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {{NULL, 0, NULL, 0}};
	struct fb_buf b = FB_BUF_INIT, o = FB_BUF_INIT, t = FB_BUF_INIT, list = FB_BUF_INIT;
	struct fb_schemas *ss = NULL;
	struct fb_merge m = {0};
	struct fb_diag quiet = FB_DIAG_INIT;
	struct cli_getopt g;
	char *type = NULL, *id = NULL;
	const char *path;
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
	fb_merge_record(path, record_schema(ctx, type, &ss),
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
	conflict_paths(&list, &m);
	fprintf(stderr,
		"fieldbook: CONFLICT (fields) in %s: %s\n"
		"fieldbook: the record keeps ours there; see .git/fieldbook/conflicts/%s/%s.yaml "
		"and settle it with: fieldbook resolve %s/%s --ours|--theirs|--field "
		"PATH=ours|theirs|VALUE\n",
		path, list.ptr, type, id, type, id);
	status = EXIT_DATA;
out:
	fb_merge_release(&m);
	fb_schemas_free(ss);
	fb_diag_release(&quiet);
	fb_buf_release(&b);
	fb_buf_release(&o);
	fb_buf_release(&t);
	fb_buf_release(&list);
	free(type);
	free(id);
	cli_getopt_release(&g);
	return status;
}

/* ---- resolve ------------------------------------------------------------------------------ */

/* A --field's PATH as a JSON pointer: /a/0/b as it is, a.0.b turned into one, / the record. */
static char *pointer_of(const char *path)
{
	struct fb_buf b = FB_BUF_INIT;
	const char *p;
	if (!strcmp(path, "/") || !*path)
		return fb_strdup("");
	if (path[0] == '/')
		return fb_strdup(path);
	fb_buf_putc(&b, '/');
	for (p = path; *p; p++)
		fb_buf_putc(&b, *p == '.' ? '/' : *p);
	return fb_buf_detach(&b, NULL);
}

/* The unmerged path of record TYPE/ID, or NULL. */
static char *unmerged_path(struct fb_ctx *ctx, const char *type, const char *id)
{
	struct fb_strvec paths = {0};
	char *found = NULL;
	size_t i;
	fb_vcs_unmerged(ctx->repo, &paths, &ctx->diag);
	for (i = 0; i < paths.n && !found; i++) {
		char *t = NULL, *d = NULL;
		if (fb_record_path_parse(paths.v[i], &t, &d) && !strcmp(t, type) && !strcmp(d, id))
			found = fb_strdup(paths.v[i]);
		free(t);
		free(d);
	}
	fb_strvec_release(&paths);
	return found;
}

static struct fb_merge_side side_of(const struct fb_buf *b, bool has)
{
	struct fb_merge_side s = {has ? (b->ptr ? b->ptr : "") : NULL, has ? b->len : 0};
	return s;
}

/*
 * Each --field names a conflict the merge has (`m`, merged without them)
 * and gives a VALUE that is YAML; EXIT_USAGE saying which does not.
 */
static int check_fields(struct fb_ctx *ctx, const struct fb_merge_opts *mo,
			const struct fb_merge *m, const char *type, const char *id)
{
	struct fb_buf list = FB_BUF_INIT;
	size_t i, k;
	int status = 0;

	conflict_paths(&list, m);
	for (i = 0; i < mo->n && !status; i++) {
		const struct fb_merge_choice *c = &mo->v[i];
		struct fb_doc *doc = NULL;
		for (k = 0; k < m->n && strcmp(m->v[k].path, c->path); k++)
			;
		if (k == m->n)
			status = cli_usage_error(ctx, "--field %s: %s/%s has no conflict there (its "
						      "conflicts: %s)",
						 c->path[0] ? c->path : "/", type, id, list.ptr);
		else if (c->pick == FB_MERGE_VALUE &&
			 fb_doc_parse(&doc, "--field", c->value, strlen(c->value), FB_PARSE_ANY_ROOT,
				      &ctx->diag) < 0)
			status = cli_usage_flush(ctx);
		fb_doc_free(doc);
	}
	fb_buf_release(&list);
	return status;
}

int cmd_resolve(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {
		{"ours", no_argument, NULL, 'o'},
		{"theirs", no_argument, NULL, 't'},
		{"field", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	struct fb_merge_choice *choices = fb_calloc((size_t)argc + 1, sizeof(*choices));
	struct fb_merge_opts mo = {FB_MERGE_ASK, choices, 0};
	struct fb_vcs_sides sides = {0};
	struct fb_merge_side sb, so, st;
	struct fb_buf now = FB_BUF_INIT, list = FB_BUF_INIT;
	struct fb_merge m0 = {0}, m1 = {0};
	struct fb_schemas *ss = NULL;
	struct fb_diag quiet = FB_DIAG_INIT;
	const struct fb_schema *s;
	struct cli_getopt g;
	char *type = NULL, *id = NULL, *path = NULL;
	bool has_now, edited, as_it_is_now;
	size_t i;
	int opt, status = EXIT_OK;

	cli_getopt_init(&g, ctx, argc, argv, "", opts);
	while ((opt = cli_getopt_next(&g)) != -1) {
		if (opt == 'o' || opt == 't') {
			enum fb_merge_pick p = opt == 'o' ? FB_MERGE_OURS : FB_MERGE_THEIRS;
			if (mo.all && mo.all != p) {
				status = cli_usage_error(ctx, "--ours or --theirs, not both");
				goto out;
			}
			mo.all = p;
		} else if (opt == 'f') {
			char *eq = strchr(optarg, '=');
			if (!eq || !eq[1]) {
				status = cli_usage_error(ctx, "--field wants PATH=ours, PATH=theirs or "
							      "PATH=VALUE, not '%s'",
							 optarg);
				goto out;
			}
			*eq = '\0';
			choices[mo.n].path = pointer_of(optarg);
			choices[mo.n].pick = !strcmp(eq + 1, "ours")     ? FB_MERGE_OURS
					     : !strcmp(eq + 1, "theirs") ? FB_MERGE_THEIRS
									 : FB_MERGE_VALUE;
			choices[mo.n++].value = eq + 1;
		} else {
			status = g.status;
			goto out;
		}
	}
	if (!mo.all && !mo.n) {
		status = cli_usage_error(ctx, "resolve wants --ours, --theirs or --field "
					      "PATH=ours|theirs|VALUE");
		goto out;
	}
	if ((status = cli_target_arg(ctx, argc, argv, g.optind, &type, &id)))
		goto out;
	if (!(path = unmerged_path(ctx, type, id))) {
		cli_flush_diag(ctx);
		status = cli_error(ctx, EXIT_DATA, "%s/%s has no unresolved merge conflict", type,
				   id);
		goto out;
	}
	if (fb_vcs_unmerged_sides(ctx->repo, path, &sides, &ctx->diag) < 0) {
		cli_flush_diag(ctx);
		status = EXIT_ENV;
		goto out;
	}
	s = record_schema(ctx, type, &ss);
	sb = side_of(&sides.base, sides.has_base);
	so = side_of(&sides.ours, sides.has_ours);
	st = side_of(&sides.theirs, sides.has_theirs);
	has_now = fb_repo_read_file(ctx->repo, path, &now, &quiet) == 0;
	/* what the merge left: anything else was edited since, by hand */
	fb_merge_record(path, s, sb, so, st, NULL, &m0, &quiet);
	if ((status = check_fields(ctx, &mo, &m0, type, id)))
		goto out;
	edited = has_now != m0.present ||
		 (has_now && (now.len != m0.text.len || memcmp(now.ptr, m0.text.ptr, now.len)));
	as_it_is_now = mo.all == FB_MERGE_OURS && !mo.n;
	if (edited && !as_it_is_now) {
		status = cli_error(ctx, EXIT_DATA,
				   "%s was edited since the merge: keep it as it is now with "
				   "--ours, or undo the edits first",
				   path);
		goto out;
	}
	if (as_it_is_now) {
		m1.present = has_now; /* ours: the record as it is now */
	} else {
		fb_merge_record(path, s, sb, so, st, &mo, &m1, &ctx->diag);
		cli_flush_diag(ctx);
		if (fb_repo_lock(ctx->repo, 30000, &ctx->diag) < 0 ||
		    (m1.present ? fb_repo_write_file(ctx->repo, path, m1.text.ptr, m1.text.len,
						     &ctx->diag)
				: fb_repo_remove_file(ctx->repo, path, &ctx->diag)) < 0) {
			fb_repo_unlock(ctx->repo);
			cli_flush_diag(ctx);
			status = EXIT_ENV;
			goto out;
		}
		fb_repo_unlock(ctx->repo);
	}
	if (m1.n) {
		fb_conflict_save(ctx->repo, type, id, path, &m1, &ctx->diag);
		cli_flush_diag(ctx);
		conflict_paths(&list, &m1);
		fprintf(stderr, "fieldbook: %s/%s still has conflicts: %s\n", type, id, list.ptr);
		status = EXIT_DATA;
		goto out;
	}
	if (fb_vcs_mark_resolved(ctx->repo, path, &ctx->diag) < 0 ||
	    fb_conflict_clear(ctx->repo, type, id, &ctx->diag) < 0) {
		cli_flush_diag(ctx);
		status = EXIT_ENV;
		goto out;
	}
	printf("resolved %s/%s%s; fieldbook commit concludes the merge\n", type, id,
	       m1.present ? "" : " (removed)");
out:
	for (i = 0; i < mo.n; i++)
		free((char *)choices[i].path);
	free(choices);
	fb_merge_release(&m0);
	fb_merge_release(&m1);
	fb_vcs_sides_release(&sides);
	fb_buf_release(&now);
	fb_buf_release(&list);
	fb_schemas_free(ss);
	fb_diag_release(&quiet);
	free(type);
	free(id);
	free(path);
	cli_getopt_release(&g);
	return status;
}
