/*
 * sync (see sync.h): integrating the remote's branch -- fast-forward, or
 * the record-aware merge of two trees -- between the fetch and the push
 * of vcs_remote.c, and the rounds when the remote moves meanwhile.
 *
 * The merge, in memory: libgit2 merges the trees (git_merge_trees, no
 * rename detection: a record is its path), then every record both sides
 * changed is merged again by merge.c from its three blobs, as git's merge
 * driver would (so `git pull` with the driver and `sync` agree), and its
 * entry replaced.  A record both sides added under one id with different
 * content keeps theirs at that path (pushed first, it is the office's); ours
 * takes the next free id of the type, and our changed records' references to
 * the old id are rewritten (one edit per scalar: comments kept).  What
 * remains in conflict outside the records (a schema changed on both sides)
 * cannot be merged field by field: refused, nothing local moves.
 * A clean merge is checked -- the working tree (== HEAD) with the merged
 * tree's files laid over it -- before the working tree moves; then it is
 * checked out, MERGE_HEAD written and fb_vcs_commit concludes it (trailers,
 * signing, the index and branch steps of vcs_commit.c).
 */
#include <fieldbook/conflict.h>
#include <fieldbook/merge.h>
#include <fieldbook/node.h>
#include <fieldbook/schema.h>
#include <fieldbook/sync.h>
#include <fieldbook/template.h>

#include "vcs_int.h"

#define SYNC_ATTEMPTS 5

void fb_sync_result_release(struct fb_sync_result *res)
{
	size_t i;
	free(res->remote);
	free(res->branch);
	fb_strvec_release(&res->merged);
	fb_strvec_release(&res->conflicts);
	for (i = 0; i < res->nrenumbered; i++) {
		free(res->renumbered[i].type);
		free(res->renumbered[i].from);
		free(res->renumbered[i].to);
	}
	free(res->renumbered);
	memset(res, 0, sizeof(*res));
}

/* ---- before anything moves ------------------------------------------------------------------ */

/* Records, schemas and settings whose working-tree or staged version differs from HEAD. */
static int refuse_uncommitted(git_repository *git, struct fb_diag *d)
{
	git_status_list *sl = NULL;
	size_t i, n, listed = 0;
	int rc = vcs_status_list(git, &sl, d);

	if (rc < 0)
		return rc;
	n = git_status_list_entrycount(sl);
	for (i = 0; i < n; i++) {
		const git_status_entry *e = git_status_byindex(sl, i);
		const git_diff_delta *dd = e->index_to_workdir ? e->index_to_workdir
							       : e->head_to_index;
		if (e->status == GIT_STATUS_CURRENT || (e->status & GIT_STATUS_IGNORED) || !dd)
			continue;
		if (listed++ < 20)
			fb_diag_addf(d, FB_SEV_ERROR, dd->new_file.path, 0, 0,
				     "not committed (sync takes committed records only)");
	}
	git_status_list_free(sl);
	if (listed > 20)
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "... and %zu more", listed - 20);
	if (listed)
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "sync refused: %zu file%s not committed; commit them first "
			     "(fieldbook commit) and sync again",
			     listed, listed == 1 ? " is" : "s are");
	return listed ? FB_EINVALID : 0;
}

/* ---- the merge -------------------------------------------------------------------------- */

/* A path's blob on one side of the merge. */
struct side {
	git_oid id;
	bool has;
};

struct change {
	char *path;
	struct side base, ours, theirs;
};

struct merge {
	struct fb_repo *r;
	git_repository *git;
	struct fb_schemas *ss; /* ours' schemas, for merging; NULL: untyped */
	git_index *idx;        /* the merged tree being made */
	struct fb_strvec ours_changed; /* record paths ours changed since the base (after renumbering) */
	struct fb_sync_result *res;
	struct conflicted {
		char *path, *type, *id;
		struct fb_merge m;
		struct side base, ours, theirs;
	} *conf;
	size_t nconf, confalloc;
	size_t renalloc; /* of res->renumbered */
	struct fb_diag *d;
};

static void merge_release(struct merge *mg)
{
	size_t i;
	for (i = 0; i < mg->nconf; i++) {
		free(mg->conf[i].path);
		free(mg->conf[i].type);
		free(mg->conf[i].id);
		fb_merge_release(&mg->conf[i].m);
	}
	free(mg->conf);
	fb_strvec_release(&mg->ours_changed);
	fb_schemas_free(mg->ss);
	git_index_free(mg->idx);
}

static int read_side(git_repository *git, const struct side *s, struct fb_buf *out)
{
	fb_buf_reset(out);
	return s->has ? fb_git_blob_read(git, &s->id, 0, out, NULL) : 0;
}

/* Put `text` at `path` in the merged index (NULL: no file there), settling any conflict of it. */
static int set_entry(struct merge *mg, const char *path, const char *text, size_t len)
{
	git_index_entry e;
	int rc = 0;

	git_index_conflict_remove(mg->idx, path);
	if (!text)
		return git_index_remove(mg->idx, path, 0), 0; /* not there is as good */
	memset(&e, 0, sizeof(e));
	e.path = path;
	e.mode = GIT_FILEMODE_BLOB;
	rc = git_blob_create_from_buffer(&e.id, mg->git, text, len);
	if (rc == 0)
		rc = git_index_add(mg->idx, &e);
	if (rc < 0) {
		fb_git_diag(mg->d, "cannot store the merged record");
		return FB_EIO;
	}
	return 0;
}

/*
 * The paths whose blob one side changed under records/ since the base,
 * sorted.  Blobs, not data (history_tree_changes compares records as data):
 * every path both sides touched goes to the merge, as git would send it to
 * the driver.
 */
static int side_changes(git_repository *git, git_tree *base, git_tree *side, struct fb_strvec *out,
			struct fb_diag *d)
{
	static char *spec[] = {"records"};
	git_diff_options opts;
	git_diff *diff = NULL;
	size_t i, n;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.pathspec.strings = spec;
	opts.pathspec.count = 1;
	if (git_diff_tree_to_tree(&diff, git, base, side, &opts) < 0) {
		fb_git_diag(d, "cannot compare the trees");
		return FB_EIO;
	}
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		const git_diff_delta *dd = git_diff_get_delta(diff, i);
		fb_strvec_push(out, dd->new_file.path ? dd->new_file.path : dd->old_file.path);
	}
	git_diff_free(diff);
	fb_strvec_sort(out);
	return 0;
}

static void side_of(git_tree *t, const char *path, struct side *s)
{
	git_tree_entry *e = NULL;
	s->has = t && git_tree_entry_bypath(&e, t, path) == 0 &&
		 git_tree_entry_type(e) == GIT_OBJECT_BLOB;
	if (s->has)
		git_oid_cpy(&s->id, git_tree_entry_id(e));
	git_tree_entry_free(e);
}

static const struct fb_schema *schema_of(const struct merge *mg, const char *type)
{
	return mg->ss ? fb_schemas_type(mg->ss, type) : NULL;
}

/* Each ids of TYPE the merged index holds, for the next free one. */
static void index_entries(git_index *idx, const char *type, struct fb_entries *es)
{
	struct fb_buf prefix = FB_BUF_INIT;
	size_t i, n = git_index_entrycount(idx);
	fb_buf_addf(&prefix, "records/%s/", type);
	for (i = 0; i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(idx, i);
		char *t = NULL, *id = NULL;
		if (strncmp(e->path, prefix.ptr, prefix.len) || !fb_record_path_parse(e->path, &t, &id))
			continue;
		FB_GROW(es->v, es->n, es->alloc);
		memset(&es->v[es->n], 0, sizeof(es->v[0]));
		es->v[es->n].type = t;
		es->v[es->n].id = id;
		es->v[es->n++].path = fb_strdup(e->path);
	}
	fb_buf_release(&prefix);
}

/* A scalar's span in a record's text, to be replaced by `to`. */
struct edit {
	size_t start, end;
	const char *to;
};

struct edits {
	struct edit *v;
	size_t n, alloc;
};

/* Replace each span with its `to` (quoted as it was), spans in text order, none overlapping. */
static void apply_edits(const char *text, size_t len, const struct edit *ed, size_t n,
			struct fb_buf *out)
{
	size_t i, at = 0;
	for (i = 0; i < n; i++) {
		char q = text[ed[i].start];
		fb_buf_add(out, text + at, ed[i].start - at);
		if (q == '"' || q == '\'')
			fb_buf_addf(out, "%c%s%c", q, ed[i].to, q);
		else
			fb_buf_puts(out, ed[i].to);
		at = ed[i].end;
	}
	fb_buf_add(out, text + at, len - at);
}

/* The references (x-ref) a typed tree holds to renumbered records, collected in text order. */
static void find_refs(const struct fb_node *n, const struct fb_sync_result *res, size_t first,
		      struct edits *out)
{
	uint32_t i;
	const char *type = n->type == FB_NODE_STR && n->schema ? fb_schema_xref(n->schema) : NULL;
	size_t k;

	for (k = first; type && k < res->nrenumbered; k++) {
		const struct fb_sync_renumbered *rn = &res->renumbered[k];
		if (!strcmp(rn->type, type) && n->len == strlen(rn->from) &&
		    !memcmp(n->str, rn->from, n->len)) {
			FB_GROW(out->v, out->n, out->alloc);
			out->v[out->n++] = (struct edit){n->start, n->end, rn->to};
			break;
		}
	}
	for (i = 0; i < n->n; i++)
		find_refs(n->kids[i], res, first, out);
}

/* Rewrite our changed records' references to the ids renumbered from `first` on. */
static int rewrite_refs(struct merge *mg, size_t first)
{
	struct fb_buf text = FB_BUF_INIT, out = FB_BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < mg->ours_changed.n; i++) {
		const char *path = mg->ours_changed.v[i];
		const git_index_entry *e = git_index_get_bypath(mg->idx, path, 0);
		struct fb_doc *doc = NULL;
		struct fb_diag quiet = FB_DIAG_INIT;
		struct edits ed = {0};
		char *type = NULL, *id = NULL;

		if (!e || !fb_record_path_parse(path, &type, &id) ||
		    fb_git_blob_read(mg->git, &e->id, 0, &text, NULL) < 0 ||
		    fb_record_parse(&doc, path, text.ptr, text.len, 0, schema_of(mg, type), &quiet) < 0)
			goto next;
		find_refs(doc->root, mg->res, first, &ed);
		if (ed.n) {
			fb_buf_reset(&out);
			apply_edits(doc->text, doc->len, ed.v, ed.n, &out);
			rc = set_entry(mg, path, out.ptr, out.len);
		}
	next:
		fb_doc_free(doc);
		fb_diag_release(&quiet);
		free(ed.v);
		free(type);
		free(id);
	}
	fb_buf_release(&text);
	fb_buf_release(&out);
	return rc;
}

/*
 * Both sides added TYPE/ID with different content: theirs keeps the id; ours
 * (not yet pushed) takes the next free one, in the folder it was in.  false
 * when it cannot be renumbered (no x-id, an `id:` that is not plain) -- then
 * it is merged as any other record, and conflicts.
 */
static bool renumber(struct merge *mg, const struct change *c, const char *type, const char *id,
		     int *rc)
{
	const struct fb_schema *s = schema_of(mg, type);
	struct fb_buf ours = FB_BUF_INIT, theirs = FB_BUF_INIT, newid = FB_BUF_INIT,
		      folder = FB_BUF_INIT, text = FB_BUF_INIT, path = FB_BUF_INIT;
	struct fb_entries es = {0};
	struct fb_doc *doc = NULL, *tdoc = NULL;
	struct fb_diag quiet = FB_DIAG_INIT;
	const struct fb_node *idn;
	const char *slash = strrchr(c->path, '/');
	bool done = false;

	if (!s || read_side(mg->git, &c->ours, &ours) < 0 ||
	    read_side(mg->git, &c->theirs, &theirs) < 0 ||
	    fb_record_parse(&doc, c->path, ours.ptr, ours.len, 0, s, &quiet) < 0 ||
	    !(idn = fb_node_get(doc->root, "id")) || idn->type != FB_NODE_STR)
		goto out;
	/* the same data written two ways is one record: merged, not renumbered */
	if (fb_record_parse(&tdoc, c->path, theirs.ptr, theirs.len, 0, s, &quiet) == 0 &&
	    fb_node_equal(doc->root, tdoc->root))
		goto out;
	index_entries(mg->idx, type, &es);
	if (!fb_template_next_id(s, &es, type, &newid, &folder))
		goto out;
	apply_edits(doc->text, doc->len, &(struct edit){idn->start, idn->end, newid.ptr}, 1, &text);
	fb_buf_add(&path, c->path, (size_t)(slash - c->path));
	fb_buf_addf(&path, "/%s.yaml", newid.ptr);
	done = true;
	if ((*rc = set_entry(mg, c->path, theirs.ptr, theirs.len)) == 0)
		*rc = set_entry(mg, path.ptr, text.ptr, text.len);
	if (*rc == 0) {
		struct fb_sync_renumbered *rn;
		size_t k;
		FB_GROW(mg->res->renumbered, mg->res->nrenumbered, mg->renalloc);
		rn = &mg->res->renumbered[mg->res->nrenumbered++];
		rn->type = fb_strdup(type);
		rn->from = fb_strdup(id);
		rn->to = fb_strdup(newid.ptr);
		/* our changes are now at the new path */
		for (k = 0; k < mg->ours_changed.n; k++)
			if (!strcmp(mg->ours_changed.v[k], c->path)) {
				free(mg->ours_changed.v[k]);
				mg->ours_changed.v[k] = fb_strdup(path.ptr);
			}
	}
out:
	fb_doc_free(doc);
	fb_doc_free(tdoc);
	fb_diag_release(&quiet);
	fb_entries_release(&es);
	fb_buf_release(&ours);
	fb_buf_release(&theirs);
	fb_buf_release(&newid);
	fb_buf_release(&folder);
	fb_buf_release(&text);
	fb_buf_release(&path);
	return done;
}

/* A record both sides changed: merged field by field into the index, or a conflict noted. */
static int merge_one(struct merge *mg, const struct change *c, const char *type, const char *id)
{
	struct fb_buf b = FB_BUF_INIT, o = FB_BUF_INIT, t = FB_BUF_INIT;
	struct fb_merge m = {0};
	int rc;

	if ((rc = read_side(mg->git, &c->base, &b)) < 0 ||
	    (rc = read_side(mg->git, &c->ours, &o)) < 0 ||
	    (rc = read_side(mg->git, &c->theirs, &t)) < 0) {
		fb_git_diag(mg->d, "cannot read a record's versions");
		rc = FB_EIO;
		goto out;
	}
	rc = fb_merge_record(c->path, schema_of(mg, type),
			     (struct fb_merge_side){c->base.has ? b.ptr : NULL, b.len},
			     (struct fb_merge_side){c->ours.has ? o.ptr : NULL, o.len},
			     (struct fb_merge_side){c->theirs.has ? t.ptr : NULL, t.len}, NULL, &m,
			     mg->d);
	if (rc < 0)
		goto out;
	rc = set_entry(mg, c->path, m.present ? m.text.ptr : NULL, m.text.len);
	if (rc == 0 && !m.n) {
		char *name = fb_record_path_name(c->path);
		fb_strvec_push(&mg->res->merged, name);
		free(name);
	} else if (rc == 0) {
		struct conflicted *k;
		FB_GROW(mg->conf, mg->nconf, mg->confalloc);
		k = &mg->conf[mg->nconf++];
		k->path = fb_strdup(c->path);
		k->type = fb_strdup(type);
		k->id = fb_strdup(id);
		k->m = m;
		memset(&m, 0, sizeof(m));
		k->base = c->base;
		k->ours = c->ours;
		k->theirs = c->theirs;
	}
out:
	fb_merge_release(&m);
	fb_buf_release(&b);
	fb_buf_release(&o);
	fb_buf_release(&t);
	return rc;
}

/* Write a file of git's own folder (MERGE_HEAD, MERGE_MSG). */
static int write_git_file(git_repository *git, const char *name, const char *text,
			  struct fb_diag *d)
{
	struct fb_buf path = FB_BUF_INIT;
	int rc;
	fb_buf_addf(&path, "%s%s", git_repository_path(git), name);
	rc = fb_file_replace(path.ptr, text, strlen(text), 0644, name, d);
	fb_buf_release(&path);
	return rc;
}

/* MERGE_HEAD (theirs) and MERGE_MSG: what git and fb_vcs_commit read as a merge in progress. */
static int write_merge_state(git_repository *git, const git_oid *theirs, const char *msg,
			     struct fb_diag *d)
{
	char hex[GIT_OID_HEXSZ + 2];
	int rc;
	git_oid_tostr(hex, GIT_OID_HEXSZ + 1, theirs);
	strcat(hex, "\n");
	rc = write_git_file(git, "MERGE_HEAD", hex, d);
	return rc ? rc : write_git_file(git, "MERGE_MSG", msg, d);
}

/* Check out `tree` over HEAD's (the working tree is HEAD's: uncommitted changes were refused). */
static int checkout(git_repository *git, const git_oid *tree, struct fb_diag *d)
{
	git_checkout_options co;
	git_object *t = NULL;
	int rc;
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_SAFE;
	rc = git_object_lookup(&t, git, tree, GIT_OBJECT_TREE);
	if (rc == 0)
		rc = git_checkout_tree(git, t, &co);
	git_object_free(t);
	if (rc < 0) {
		fb_git_diag(d, "cannot update the working tree");
		return FB_EIO;
	}
	return 0;
}

/* The merged tree, checked as a commit of it would be: the working tree with its files laid over. */
static int check_tree(struct merge *mg, git_tree *head, const git_oid *tree_id, unsigned threads)
{
	git_tree *tree = NULL;
	git_diff *diff = NULL;
	struct fb_source *src = NULL;
	struct fb_buf text = FB_BUF_INIT;
	struct fb_check_opts co = {false, threads, NULL};
	struct fb_check_stats st;
	struct fb_diag one = FB_DIAG_INIT;
	size_t i, n;
	int rc;

	if (git_tree_lookup(&tree, mg->git, tree_id) < 0 ||
	    git_diff_tree_to_tree(&diff, mg->git, head, tree, NULL) < 0) {
		git_tree_free(tree);
		fb_git_diag(mg->d, "cannot compare the merged tree");
		return FB_EIO;
	}
	fb_source_worktree(&src, mg->r);
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		const git_diff_delta *dd = git_diff_get_delta(diff, i);
		if (dd->status == GIT_DELTA_DELETED) {
			fb_source_overlay(src, dd->old_file.path, NULL, 0);
		} else if (fb_git_blob_read(mg->git, &dd->new_file.id, 0, &text, NULL) == 0) {
			fb_source_overlay(src, dd->new_file.path, text.ptr, text.len); /* no renames */
		}
	}
	rc = fb_check(src, NULL, 0, &co, &st, &one);
	if (rc == 0 && one.errors) {
		fb_diag_sort(&one);
		fb_diag_addf(mg->d, FB_SEV_ERROR, NULL, 0, 0,
			     "the merge does not validate (the files named are the merged "
			     "versions):");
		for (i = 0; i < one.n; i++)
			if (one.v[i].severity == FB_SEV_ERROR)
				fb_diag_push(mg->d, &one.v[i]);
		rc = FB_EINVALID;
	} else if (rc < 0) {
		for (i = 0; i < one.n; i++)
			fb_diag_push(mg->d, &one.v[i]);
	}
	fb_diag_release(&one);
	fb_source_free(src);
	fb_buf_release(&text);
	git_diff_free(diff);
	git_tree_free(tree);
	return rc;
}

/* Files outside the records that both sides changed differently: git's merge of them, refused. */
static int refuse_other_conflicts(struct merge *mg, const char *theirs_name)
{
	git_index_conflict_iterator *it = NULL;
	const git_index_entry *a, *o, *t;
	size_t n = 0;

	if (!git_index_has_conflicts(mg->idx))
		return 0;
	if (git_index_conflict_iterator_new(&it, mg->idx) < 0) {
		fb_git_diag(mg->d, "cannot read the merge's conflicts");
		return FB_EIO;
	}
	while (git_index_conflict_next(&a, &o, &t, it) == 0) {
		const char *path = o ? o->path : t ? t->path : a->path;
		n++;
		fb_diag_addf(mg->d, FB_SEV_ERROR, path, 0, 0,
			     "changed on both sides and not a record: it cannot be merged "
			     "field by field");
	}
	git_index_conflict_iterator_free(it);
	fb_diag_addf(mg->d, FB_SEV_ERROR, NULL, 0, 0,
		     "sync refused: nothing here changed; merge %s with git (git merge %s), "
		     "then commit and sync again",
		     n == 1 ? "that file" : "those files", theirs_name);
	return FB_EINVALID;
}

/* Leave the merge in progress: the working tree and index at `tree`, each conflict staged. */
static int leave_conflicts(struct merge *mg, const git_oid *tree, const git_oid *theirs,
			   const char *msg)
{
	git_index *idx = NULL;
	size_t i;
	int rc = checkout(mg->git, tree, mg->d);

	if (rc == 0 && (git_repository_index(&idx, mg->git) < 0 || git_index_read(idx, 1) < 0))
		rc = FB_EIO;
	for (i = 0; rc == 0 && i < mg->nconf; i++) {
		struct conflicted *k = &mg->conf[i];
		git_index_entry e[3];
		const struct side *sides[3] = {&k->base, &k->ours, &k->theirs};
		int j;
		for (j = 0; j < 3; j++) {
			memset(&e[j], 0, sizeof(e[j]));
			e[j].path = k->path;
			e[j].mode = GIT_FILEMODE_BLOB;
			git_oid_cpy(&e[j].id, &sides[j]->id);
		}
		if (git_index_conflict_add(idx, k->base.has ? &e[0] : NULL,
					   k->ours.has ? &e[1] : NULL,
					   k->theirs.has ? &e[2] : NULL) < 0)
			rc = FB_EIO;
	}
	if (rc == 0 && git_index_write(idx) < 0)
		rc = FB_EIO;
	git_index_free(idx);
	if (rc == FB_EIO)
		fb_git_diag(mg->d, "cannot stage the conflicts");
	if (rc == 0)
		rc = write_merge_state(mg->git, theirs, msg, mg->d);
	for (i = 0; rc == 0 && i < mg->nconf; i++) {
		struct conflicted *k = &mg->conf[i];
		char *name = fb_record_path_name(k->path);
		rc = fb_conflict_save(mg->r, k->type, k->id, k->path, &k->m, mg->d);
		fb_strvec_push(&mg->res->conflicts, name);
		free(name);
	}
	return rc;
}

/*
 * Merge theirs into HEAD (see the top): 0 committed, FB_EINVALID refused or
 * left in conflict (res->how says which), FB_EIO.
 */
static int merge(struct fb_repo *r, git_repository *git, struct place *p,
		 const struct fb_sync_opts *o, struct fb_sync_result *res, struct fb_diag *d)
{
	struct merge mg = {0};
	git_oid base_id, tree_id;
	git_commit *bc = NULL, *oc = NULL, *tc = NULL;
	git_tree *bt = NULL, *ot = NULL, *tt = NULL;
	git_merge_options mo;
	struct fb_strvec ours_paths = {0}, theirs_paths = {0};
	struct fb_buf theirs_name = FB_BUF_INIT, msg = FB_BUF_INIT;
	struct fb_source *src = NULL;
	struct fb_diag quiet = FB_DIAG_INIT;
	size_t i, j, renumbered_before;
	int rc = 0;

	mg.r = r;
	mg.git = git;
	mg.res = res;
	mg.d = d;
	if (p->remote_name)
		fb_buf_addf(&theirs_name, "%s/%s", p->remote_name, p->branch);
	else
		fb_buf_addf(&theirs_name, "FETCH_HEAD");
	fb_buf_addf(&msg, "Merge branch '%s' of %s\n", p->branch,
		    p->remote_name ? p->remote_name : p->shown);
	if (git_merge_base(&base_id, git, &p->head, &p->theirs) < 0) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "%s shares no history with this repository: it is another office's "
			     "repository, or a new one; nothing here changed",
			     theirs_name.ptr);
		rc = FB_EINVALID;
		goto out;
	}
	if (git_commit_lookup(&bc, git, &base_id) < 0 || git_commit_lookup(&oc, git, &p->head) < 0 ||
	    git_commit_lookup(&tc, git, &p->theirs) < 0 || git_commit_tree(&bt, bc) < 0 ||
	    git_commit_tree(&ot, oc) < 0 || git_commit_tree(&tt, tc) < 0) {
		fb_git_diag(d, "cannot read the commits to merge");
		rc = FB_EIO;
		goto out;
	}
	git_merge_options_init(&mo, GIT_MERGE_OPTIONS_VERSION);
	mo.flags = 0; /* no rename detection: a record is its path */
	if (git_merge_trees(&mg.idx, git, bt, ot, tt, &mo) < 0) {
		fb_git_diag(d, "cannot merge the trees");
		rc = FB_EIO;
		goto out;
	}
	fb_source_worktree(&src, r);
	fb_schemas_load(&mg.ss, src, &quiet);
	if ((rc = side_changes(git, bt, ot, &ours_paths, d)) < 0 ||
	    (rc = side_changes(git, bt, tt, &theirs_paths, d)) < 0)
		goto out;
	for (i = 0; i < ours_paths.n; i++) {
		char *name = fb_record_path_name(ours_paths.v[i]);
		if (name)
			fb_strvec_push(&mg.ours_changed, ours_paths.v[i]);
		free(name);
	}
	/* the records both sides changed, differently (both lists are sorted) */
	renumbered_before = res->nrenumbered;
	for (i = j = 0; rc == 0 && i < ours_paths.n && j < theirs_paths.n;) {
		int cmp = strcmp(ours_paths.v[i], theirs_paths.v[j]);
		struct change c = {.path = ours_paths.v[i]};
		char *type = NULL, *id = NULL;
		if (cmp) {
			i += cmp < 0;
			j += cmp > 0;
			continue;
		}
		i++, j++;
		side_of(bt, c.path, &c.base);
		side_of(ot, c.path, &c.ours);
		side_of(tt, c.path, &c.theirs);
		if ((c.ours.has == c.theirs.has && (!c.ours.has || git_oid_equal(&c.ours.id, &c.theirs.id))) ||
		    !fb_record_path_parse(c.path, &type, &id)) {
			free(type);
			free(id);
			continue; /* the same on both sides, or not a record: as git merged it */
		}
		if (c.base.has || !c.ours.has || !c.theirs.has || !renumber(&mg, &c, type, id, &rc))
			if (rc == 0)
				rc = merge_one(&mg, &c, type, id);
		free(type);
		free(id);
	}
	if (rc == 0 && res->nrenumbered > renumbered_before)
		rc = rewrite_refs(&mg, renumbered_before);
	if (rc == 0)
		rc = refuse_other_conflicts(&mg, theirs_name.ptr);
	if (rc == 0 && git_index_write_tree_to(&tree_id, mg.idx, git) < 0) {
		fb_git_diag(d, "cannot write the merged tree");
		rc = FB_EIO;
	}
	if (rc == 0 && mg.nconf) {
		res->how = FB_SYNC_CONFLICT;
		rc = leave_conflicts(&mg, &tree_id, &p->theirs, msg.ptr);
		if (rc == 0)
			rc = FB_EINVALID;
		goto out;
	}
	if (rc == 0)
		rc = check_tree(&mg, ot, &tree_id, o->threads);
	if (rc == 0)
		rc = checkout(git, &tree_id, d);
	if (rc == 0)
		rc = write_merge_state(git, &p->theirs, msg.ptr, d);
	if (rc == 0) {
		struct fb_commit_opts co = {0};
		struct fb_commit_result cr = {0};
		co.threads = o->threads;
		co.checked = true;
		rc = fb_vcs_commit(r, &co, &cr, d);
		if (rc == 0) {
			git_oid_fromstr(&p->head, cr.id);
			res->how = FB_SYNC_MERGED;
		} else {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
				     "the merge is in the working tree but not committed: commit it "
				     "with fieldbook commit, or give it up with git merge --abort");
		}
		fb_commit_result_release(&cr);
	}
out:
	merge_release(&mg);
	fb_source_free(src);
	fb_diag_release(&quiet);
	fb_strvec_release(&ours_paths);
	fb_strvec_release(&theirs_paths);
	fb_buf_release(&theirs_name);
	fb_buf_release(&msg);
	git_tree_free(bt);
	git_tree_free(ot);
	git_tree_free(tt);
	git_commit_free(bc);
	git_commit_free(oc);
	git_commit_free(tc);
	return rc;
}

/* Behind: take the remote's commits (the working tree is HEAD's). */
static int fast_forward(git_repository *git, struct place *p, struct fb_diag *d)
{
	git_commit *c = NULL;
	git_reference *ref = NULL;
	int rc = git_commit_lookup(&c, git, &p->theirs);

	if (rc == 0)
		rc = checkout(git, git_commit_tree_id(c), d);
	else
		fb_git_diag(d, "cannot read the remote's commit");
	git_commit_free(c);
	if (rc < 0)
		return FB_EIO;
	if (p->unborn)
		rc = git_reference_create(&ref, git, p->ref, &p->theirs, 0, "fieldbook sync: fast-forward");
	else
		rc = git_reference_create_matching(&ref, git, p->ref, &p->theirs, 1, &p->head,
						   "fieldbook sync: fast-forward");
	git_reference_free(ref);
	if (rc < 0) {
		fb_git_diag(d, "cannot move the branch");
		return FB_EIO;
	}
	git_oid_cpy(&p->head, &p->theirs);
	p->unborn = false;
	return 0;
}

/* Whether the remote's branch holds a fieldbook repository: schemas/, as repo.c asks of a folder. */
static bool is_fieldbook(git_repository *git, const git_oid *commit)
{
	git_commit *c = NULL;
	git_tree *t = NULL;
	const git_tree_entry *e;
	bool yes = git_commit_lookup(&c, git, commit) == 0 && git_commit_tree(&t, c) == 0 &&
		   (e = git_tree_entry_byname(t, "schemas")) &&
		   git_tree_entry_type(e) == GIT_OBJECT_TREE;
	git_tree_free(t);
	git_commit_free(c);
	return yes;
}

/* A settled merge in progress is committed first; one still in conflict refuses. */
static int conclude_merge(struct fb_repo *r, git_repository *git, const struct fb_sync_opts *o,
			  struct fb_sync_result *res, struct fb_diag *d)
{
	struct fb_strvec unmerged = {0};
	struct fb_commit_opts co = {0};
	struct fb_commit_result cr = {0};
	size_t i;
	int rc;

	if (git_repository_state(git) != GIT_REPOSITORY_STATE_MERGE)
		return 0;
	if ((rc = fb_vcs_unmerged(r, &unmerged, d)) < 0)
		return rc;
	for (i = 0; i < unmerged.n; i++)
		fb_diag_addf(d, FB_SEV_ERROR, unmerged.v[i], 0, 0,
			     "in conflict: see .git/fieldbook/conflicts and settle it with "
			     "fieldbook resolve");
	if (unmerged.n) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "sync refused: a merge is in progress with %zu unresolved record%s",
			     unmerged.n, unmerged.n == 1 ? "" : "s");
		fb_strvec_release(&unmerged);
		return FB_EINVALID;
	}
	co.threads = o->threads;
	rc = fb_vcs_commit(r, &co, &cr, d);
	if (rc == 0)
		res->concluded = true;
	fb_commit_result_release(&cr);
	return rc;
}

int fb_sync(struct fb_repo *r, const struct fb_sync_opts *o, struct fb_sync_result *res,
	    struct fb_diag *d)
{
	git_repository *git = fb_repo_git(r, d);
	struct place p = {0};
	int rc, attempt;

	memset(res, 0, sizeof(*res));
	if (!git)
		return FB_EIO;
	if ((rc = vcs_read_head(git, &p, d)) < 0 || (rc = conclude_merge(r, git, o, res, d)) < 0 ||
	    (rc = vcs_read_head(git, &p, d)) < 0 || (rc = refuse_uncommitted(git, d)) < 0 ||
	    (rc = vcs_open_remote(git, o->remote, &p, d)) < 0)
		goto out;
	res->remote = fb_strdup(p.remote_name ? p.remote_name : p.shown);
	res->branch = fb_strdup(p.branch);
	for (attempt = 1; attempt <= SYNC_ATTEMPTS; attempt++) {
		size_t ahead = 0, behind = 0;
		res->attempts = (unsigned)attempt;
		if ((rc = vcs_fetch(git, &p, o, d)) < 0)
			break;
		if (p.has_theirs && !is_fieldbook(git, &p.theirs)) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
				     "%s is not a fieldbook repository: its branch %s has no "
				     "schemas/; nothing here changed",
				     res->remote, p.branch);
			rc = FB_EIO;
			break;
		}
		if (p.has_theirs && !p.unborn &&
		    git_graph_ahead_behind(&ahead, &behind, git, &p.head, &p.theirs) < 0) {
			fb_git_diag(d, "cannot compare with the remote's branch");
			rc = FB_EIO;
			break;
		}
		if (p.has_theirs && (p.unborn || (!ahead && behind))) {
			if (p.unborn)
				behind = 1;
			rc = fast_forward(git, &p, d);
			if (rc == 0 && res->how != FB_SYNC_MERGED)
				res->how = FB_SYNC_FAST_FORWARD;
		} else if (p.has_theirs && behind) {
			rc = merge(r, git, &p, o, res, d);
		}
		res->behind += behind;
		if (rc < 0)
			break;
		if (p.unborn) /* nothing here, nothing there */
			break;
		/* what the push gives: everything, to a remote without the branch */
		if (!p.has_theirs)
			ahead = 1;
		else if (git_graph_ahead_behind(&ahead, &behind, git, &p.head, &p.theirs) < 0)
			ahead = 0;
		if (!o->push || !ahead)
			break;
		rc = vcs_push(git, &p, o, d);
		if (rc == 0) {
			res->pushed = true;
			res->ahead = ahead;
			break;
		}
		if (rc < 0)
			break;
		rc = 0; /* the remote moved meanwhile: again */
		if (attempt == SYNC_ATTEMPTS) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
				     "the remote kept moving: %d pushes were refused because someone "
				     "pushed first; your commits are here, merged with theirs; sync "
				     "again",
				     SYNC_ATTEMPTS);
			rc = FB_EIO;
		}
	}
	git_oid_tostr(res->head, sizeof(res->head), &p.head);
out:
	vcs_place_release(&p);
	return rc;
}
