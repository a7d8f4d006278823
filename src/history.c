/*
 * The audit trail (see history.h): diff, log and blame, from git alone.
 *
 * One path for all three: libgit2 says which files changed between two
 * trees (or a tree and the working tree), the paths are grouped by TYPE/ID
 * (so a move between sub-folders is one record, renamed), each version is
 * parsed and typed with the schemas of its own commit (cached by the
 * schemas/ tree's id), and diff.c compares them as data.
 *
 * log walks commits newest first and diffs each against its first parent;
 * libgit2 skips every subtree whose id did not change, so a commit costs
 * the few trees it touched, not the whole set.  The log of one record does
 * not diff at all: it compares the type folder's tree ids, then the
 * record's blob at the path it last had.  For a merge, a field change is
 * kept only when the merge's value differs from every parent's.
 *
 * blame keeps a queue of (commit, version of the record, leaves not yet
 * explained), newest commit first.  A leaf the commit's version does not
 * change against a parent is handed to that parent (the first such one);
 * a leaf changed against every parent -- or with no parent version at all
 * -- was set by the commit.  Parents with the same blob take every leaf at
 * once, without parsing.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fieldbook/check.h>
#include <fieldbook/history.h>
#include <fieldbook/text.h>

#include "history_int.h"

const char *fb_change_kind_name(enum fb_change_kind k)
{
	static const char *const names[] = {"added", "modified", "deleted", "renamed"};
	return names[k];
}

static void record_change_release(struct fb_record_change *rc)
{
	free(rc->type);
	free(rc->id);
	free(rc->path);
	free(rc->from);
	fb_changes_release(&rc->fields);
	memset(rc, 0, sizeof(*rc));
}

void fb_record_changes_release(struct fb_record_changes *c)
{
	size_t i;
	for (i = 0; i < c->n; i++)
		record_change_release(&c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

void fb_commit_info_release(struct fb_commit_info *c)
{
	free(c->author);
	free(c->email);
	free(c->message);
	memset(c, 0, sizeof(*c));
}

void fb_blame_release(struct fb_blame *b)
{
	size_t i;
	for (i = 0; i < b->n; i++) {
		free(b->v[i].path);
		free(b->v[i].value);
		fb_commit_info_release(&b->v[i].commit);
	}
	free(b->v);
	memset(b, 0, sizeof(*b));
}

static void commit_info(git_repository *git, const git_commit *c, struct fb_commit_info *out)
{
	const git_signature *a = git_commit_author(c);
	const char *msg = git_commit_message(c);
	git_buf sig = {0}, data = {0};

	memset(out, 0, sizeof(*out));
	git_oid_tostr(out->id, sizeof(out->id), git_commit_id(c));
	out->author = fb_strdup(a->name ? a->name : "");
	out->email = fb_strdup(a->email ? a->email : "");
	out->message = fb_strdup(msg ? msg : "");
	out->time = git_commit_time(c);
	out->offset = git_commit_time_offset(c);
	out->nparents = git_commit_parentcount(c);
	out->signed_commit =
		git_commit_extract_signature(&sig, &data, git, (git_oid *)git_commit_id(c), NULL) == 0;
	out->validated_by = !strncmp(out->message, "Validated-by: ", 14) ||
			    strstr(out->message, "\nValidated-by: ") != NULL;
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
}

/* ---- versions of records --------------------------------------------------------- */

/* The schemas of one tree (NULL: the working tree), kept while the next tree shares them. */
struct schema_cache {
	struct fb_repo *repo;
	git_oid id;      /* of the schemas/ tree the set came from */
	bool have, worktree;
	struct fb_schemas *ss;
};

static const struct fb_schemas *schemas_of(struct schema_cache *sc, git_tree *tree)
{
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_source *src = NULL;
	git_tree_entry *te = NULL;
	git_oid id;
	char hex[GIT_OID_HEXSZ + 1];

	memset(&id, 0, sizeof(id));
	if (tree && git_tree_entry_bypath(&te, tree, "schemas") == 0)
		id = *git_tree_entry_id(te);
	git_tree_entry_free(te);
	if (sc->have && sc->worktree == !tree && (!tree || git_oid_equal(&id, &sc->id)))
		return sc->ss;
	fb_schemas_free(sc->ss);
	sc->ss = NULL;
	if (tree) {
		git_oid_tostr(hex, sizeof(hex), git_tree_id(tree));
		if (fb_source_rev(&src, sc->repo, hex, &quiet) == 0)
			fb_schemas_load(&sc->ss, src, &quiet);
	} else {
		fb_source_worktree(&src, sc->repo);
		fb_schemas_load(&sc->ss, src, &quiet);
	}
	fb_source_free(src);
	fb_diag_release(&quiet);
	sc->id = id;
	sc->have = true;
	sc->worktree = !tree;
	return sc->ss;
}

/* One side of a record: a blob, a file of the working tree, or nothing. */
struct version {
	char *path;
	git_oid id;
	bool blob; /* `id` names it; else it is the file at `path` */
};

/* A record's two sides in one comparison. */
struct pair {
	char *type, *id;
	struct version old, new;
	bool has_old, has_new;
};

struct pairs {
	struct pair *v;
	size_t n, alloc;
};

static void pairs_release(struct pairs *p)
{
	size_t i;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].type);
		free(p->v[i].id);
		free(p->v[i].old.path);
		free(p->v[i].new.path);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->type, y->type);
	return c ? c : strcmp(x->id, y->id);
}

/*
 * Parse and type one side; NULL when it is not there, is over the size a
 * record may have (the store's limit: not read at all) or does not parse.
 */
static struct fb_doc *read_version(struct fb_repo *r, git_repository *git, const struct version *v,
				   const struct fb_schemas *ss, const char *type)
{
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_buf text = FB_BUF_INIT;
	struct fb_doc *doc = NULL;

	if (v->blob) {
		fb_git_blob_read(git, &v->id, FB_NODE_MAX_FILE, &text, NULL);
	} else {
		fb_repo_read_file(r, v->path, &text, &quiet);
	}
	if (text.len)
		fb_record_parse(&doc, v->path, text.ptr, text.len, FB_PARSE_DEFAULT,
				ss ? fb_schemas_type(ss, type) : NULL, &quiet);
	fb_diag_release(&quiet);
	fb_buf_release(&text);
	return doc;
}

struct grouping {
	struct pairs *out;
	const char *type, *id; /* only this record, when set */
	const struct fb_strvec *prefixes;
	bool workdir;          /* the new side is the working tree: files, not blobs */
};

/* Add one side of a delta to its record's pair. */
static void add_side(struct grouping *g, const char *path, const git_oid *id, bool blob, bool is_new)
{
	char *type = NULL, *id_ = NULL;
	struct pair *p = NULL;
	size_t i;

	if (!fb_path_under(path, g->prefixes) || !fb_record_path_parse(path, &type, &id_))
		return;
	if (g->type && (strcmp(type, g->type) || strcmp(id_, g->id))) {
		free(type);
		free(id_);
		return;
	}
	for (i = g->out->n; i > 0 && !p; i--)
		if (!strcmp(g->out->v[i - 1].type, type) && !strcmp(g->out->v[i - 1].id, id_))
			p = &g->out->v[i - 1];
	if (!p) {
		FB_GROW(g->out->v, g->out->n, g->out->alloc);
		p = &g->out->v[g->out->n++];
		memset(p, 0, sizeof(*p));
		p->type = type;
		p->id = id_;
	} else {
		free(type);
		free(id_);
	}
	if (is_new && !p->has_new) {
		p->has_new = true;
		p->new.path = fb_strdup(path);
		p->new.id = *id;
		p->new.blob = blob;
	} else if (!is_new && !p->has_old) {
		p->has_old = true;
		p->old.path = fb_strdup(path);
		p->old.id = *id;
		p->old.blob = true;
	}
}

static int group_delta(git_diff_delta const *delta, float progress, void *payload)
{
	struct grouping *g = payload;
	(void)progress;
	if (delta->status != GIT_DELTA_ADDED && delta->status != GIT_DELTA_UNTRACKED &&
	    delta->status != GIT_DELTA_IGNORED && (delta->old_file.flags & GIT_DIFF_FLAG_EXISTS))
		add_side(g, delta->old_file.path, &delta->old_file.id, true, false);
	if (delta->status != GIT_DELTA_DELETED && (delta->new_file.flags & GIT_DIFF_FLAG_EXISTS))
		add_side(g, delta->new_file.path, &delta->new_file.id, !g->workdir, true);
	return 0;
}

/*
 * The pairs of records that differ between `a` (NULL: empty) and `b`
 * (NULL: the working tree), under `spec`.
 */
static int compare_trees(struct fb_repo *r, git_repository *git, git_tree *a, git_tree *b,
			 const char *spec, struct grouping *g, struct fb_diag *d)
{
	git_diff_options opts;
	git_diff *diff = NULL;
	char *specs[1];
	int rc;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	g->workdir = !b;
	specs[0] = (char *)spec;
	opts.pathspec.strings = specs;
	opts.pathspec.count = 1;
	if (b) {
		rc = git_diff_tree_to_tree(&diff, git, a, b, &opts);
	} else {
		opts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
			     GIT_DIFF_INCLUDE_IGNORED | GIT_DIFF_RECURSE_IGNORED_DIRS |
			     GIT_DIFF_INCLUDE_TYPECHANGE;
		rc = git_diff_tree_to_workdir_with_index(&diff, git, a, &opts);
	}
	if (rc < 0) {
		fb_git_diag(d, "cannot compare the records");
		return FB_EIO;
	}
	git_diff_foreach(diff, group_delta, NULL, NULL, NULL, g);
	git_diff_free(diff);
	if (!b) {
		/* the working tree decides whether a file is there (an index behind HEAD) */
		struct fb_buf abs = FB_BUF_INIT;
		size_t i;
		for (i = 0; i < g->out->n; i++) {
			struct pair *p = &g->out->v[i];
			fb_buf_reset(&abs);
			if (p->has_old && !p->has_new) {
				fb_buf_addf(&abs, "%s/%s", fb_repo_root(r), p->old.path);
				if (access(abs.ptr, F_OK) == 0) {
					p->has_new = true;
					p->new.path = fb_strdup(p->old.path);
					p->new.blob = false;
				}
			}
		}
		fb_buf_release(&abs);
	}
	return 0;
}

/* Fill `rc` from a pair: kind, paths and the field changes; false when nothing changed as data. */
static bool describe(struct fb_repo *r, git_repository *git, const struct pair *p,
		     const struct fb_schemas *old_ss, const struct fb_schemas *new_ss, bool show,
		     struct fb_record_change *rc)
{
	struct fb_doc *a = NULL, *b = NULL;

	memset(rc, 0, sizeof(*rc));
	if (p->has_old && p->has_new && p->new.blob && git_oid_equal(&p->old.id, &p->new.id) &&
	    !strcmp(p->old.path, p->new.path))
		return false;
	if (p->has_old)
		a = read_version(r, git, &p->old, old_ss, p->type);
	if (p->has_new)
		b = read_version(r, git, &p->new, new_ss, p->type);
	rc->type = fb_strdup(p->type);
	rc->id = fb_strdup(p->id);
	if (!p->has_old) {
		rc->kind = FB_CHANGE_ADDED;
		rc->path = fb_strdup(p->new.path);
	} else if (!p->has_new) {
		rc->kind = FB_CHANGE_DELETED;
		rc->path = fb_strdup(p->old.path);
	} else {
		rc->kind = strcmp(p->old.path, p->new.path) ? FB_CHANGE_RENAMED : FB_CHANGE_MODIFIED;
		rc->path = fb_strdup(p->new.path);
		if (rc->kind == FB_CHANGE_RENAMED)
			rc->from = fb_strdup(p->old.path);
	}
	fb_diff_nodes(a ? a->root : NULL, b ? b->root : NULL, show, &rc->fields);
	fb_doc_free(a);
	fb_doc_free(b);
	return true;
}

static git_tree *tree_of_rev(git_repository *git, const char *rev, struct fb_diag *d, int *err)
{
	git_object *obj = NULL, *peeled = NULL;
	*err = 0;
	if (fb_git_revparse(&obj, git, rev) < 0 ||
	    git_object_peel(&peeled, obj, GIT_OBJECT_TREE) < 0) {
		if (!strcmp(rev, "HEAD") && git_repository_head_unborn(git) == 1) {
			git_object_free(obj);
			return NULL; /* no commits yet: everything is new */
		}
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "unknown revision '%s'", rev);
		*err = FB_ENOTFOUND;
	}
	git_object_free(obj);
	return (git_tree *)peeled;
}

/*
 * `err`, or FB_EIO when a read met a damaged object (fb_repo_fault): a
 * reader that took the failure for "not there" made an answer that is wrong.
 */
static int check_objects(struct fb_repo *r, int err, struct fb_diag *d)
{
	const char *fault = fb_repo_fault(r);
	if (err || !fault)
		return err;
	fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "%s", fault);
	return FB_EIO;
}

static void merge_filter(struct fb_repo *r, git_repository *git, const git_commit *c,
			 struct schema_cache *sc, const struct pair *p, struct fb_record_change *rc);

/*
 * Describe each pair (sorted first) and append the changes to `out`.  For a
 * merge (`merge` set; `merge_sc` its schema cache) a field change is kept
 * only when the merge's value differs from every parent's.
 */
static void describe_all(struct fb_repo *r, git_repository *git, struct pairs *pairs,
			 const struct fb_schemas *old_ss, const struct fb_schemas *new_ss,
			 unsigned flags, const git_commit *merge, struct schema_cache *merge_sc,
			 struct fb_record_changes *out)
{
	size_t i;
	if (pairs->n > 1)
		qsort(pairs->v, pairs->n, sizeof(*pairs->v), cmp_pair);
	for (i = 0; i < pairs->n; i++) {
		struct fb_record_change rc;
		if (!describe(r, git, &pairs->v[i], old_ss, new_ss,
			      (flags & HISTORY_SHOW_CONFIDENTIAL) != 0, &rc))
			continue;
		if (merge)
			merge_filter(r, git, merge, merge_sc, &pairs->v[i], &rc);
		if (rc.kind == FB_CHANGE_MODIFIED && !rc.fields.n &&
		    (merge || !(flags & HISTORY_KEEP_REWRITTEN))) {
			record_change_release(&rc); /* the same data, differently written */
			continue;
		}
		FB_GROW(out->v, out->n, out->alloc);
		out->v[out->n++] = rc;
	}
}

int history_tree_changes(struct fb_repo *r, git_repository *git, git_tree *a, git_tree *b,
			 const struct fb_strvec *prefixes, const struct fb_schemas *old_ss,
			 const struct fb_schemas *new_ss, unsigned flags,
			 struct fb_record_changes *out, struct fb_diag *d)
{
	struct pairs pairs = {0};
	struct grouping g = {&pairs, NULL, NULL, prefixes, false};
	int err = compare_trees(r, git, a, b, "records", &g, d);

	if (!err)
		describe_all(r, git, &pairs, old_ss, new_ss, flags, NULL, NULL, out);
	pairs_release(&pairs);
	return err;
}

int fb_history_diff(struct fb_repo *r, const char *from_rev, const char *to_rev,
		    const struct fb_strvec *prefixes, bool show_confidential,
		    struct fb_record_changes *out, struct fb_diag *d)
{
	git_repository *git = fb_repo_git(r, d);
	struct schema_cache a_sc = {r, {{0}}, false, false, NULL}, b_sc = a_sc;
	git_tree *a = NULL, *b = NULL;
	int err;

	if (!git)
		return FB_EIO;
	a = tree_of_rev(git, from_rev ? from_rev : "HEAD", d, &err);
	if (!err && to_rev)
		b = tree_of_rev(git, to_rev, d, &err);
	if (!err)
		err = history_tree_changes(r, git, a, b, prefixes, schemas_of(&a_sc, a),
					   schemas_of(&b_sc, b),
					   show_confidential ? HISTORY_SHOW_CONFIDENTIAL : 0, out, d);
	fb_schemas_free(a_sc.ss);
	fb_schemas_free(b_sc.ss);
	git_tree_free(a);
	git_tree_free(b);
	return check_objects(r, err, d);
}

/* ---- log ------------------------------------------------------------------------------- */

/* Whether a change at pointer `ch` touches `path`: the same field, or one above it. */
static bool touches(const char *ch, const char *path)
{
	size_t n = strlen(ch);
	return !strncmp(path, ch, n) && (path[n] == '\0' || path[n] == '/');
}

/* The blob of `type`/`id` in `tree`: at `hint` if it is there, else wherever it lives. */
struct finder {
	const char *name; /* ID.yaml */
	struct fb_buf found;
	git_oid id;
};

static int find_cb(const char *root, const git_tree_entry *e, void *payload)
{
	struct finder *f = payload;
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB || strcmp(git_tree_entry_name(e), f->name))
		return 0;
	fb_buf_reset(&f->found);
	fb_buf_addf(&f->found, "%s%s", root, f->name);
	f->id = *git_tree_entry_id(e);
	return -1; /* found: stop */
}

static bool locate(git_tree *tree, const char *type, const char *id, const char *hint,
		   struct version *v)
{
	git_tree_entry *te = NULL;
	git_tree *sub = NULL;
	struct finder f = {NULL, FB_BUF_INIT, {{0}}};
	struct fb_buf name = FB_BUF_INIT, dir = FB_BUF_INIT;
	bool ok = false;

	if (!tree)
		return false;
	if (hint && git_tree_entry_bypath(&te, tree, hint) == 0 &&
	    git_tree_entry_type(te) == GIT_OBJECT_BLOB) {
		v->path = fb_strdup(hint);
		v->id = *git_tree_entry_id(te);
		v->blob = true;
		git_tree_entry_free(te);
		return true;
	}
	git_tree_entry_free(te);
	te = NULL;
	fb_buf_addf(&dir, "records/%s", type);
	fb_buf_addf(&name, "%s.yaml", id);
	f.name = name.ptr;
	if (git_tree_entry_bypath(&te, tree, dir.ptr) == 0 &&
	    git_tree_entry_type(te) == GIT_OBJECT_TREE &&
	    git_tree_lookup(&sub, git_tree_owner(tree), git_tree_entry_id(te)) == 0) {
		git_tree_walk(sub, GIT_TREEWALK_PRE, find_cb, &f);
		if (f.found.len) {
			struct fb_buf path = FB_BUF_INIT;
			fb_buf_addf(&path, "%s/%s", dir.ptr, f.found.ptr);
			v->path = fb_buf_detach(&path, NULL);
			v->id = f.id;
			v->blob = true;
			ok = true;
		}
	}
	git_tree_free(sub);
	git_tree_entry_free(te);
	fb_buf_release(&f.found);
	fb_buf_release(&name);
	fb_buf_release(&dir);
	return ok;
}

/*
 * A merge keeps, of its changes against the first parent, the field
 * changes whose new value is not what another parent has at that path; a
 * record another parent has exactly so is dropped.
 */
static void merge_filter(struct fb_repo *r, git_repository *git, const git_commit *c,
			 struct schema_cache *sc, const struct pair *p, struct fb_record_change *rc)
{
	unsigned k, n = git_commit_parentcount(c);
	for (k = 1; k < n && (rc->fields.n || rc->kind != FB_CHANGE_MODIFIED); k++) {
		git_commit *parent = NULL;
		git_tree *tree = NULL;
		struct version v = {NULL, {{0}}, false};
		struct fb_doc *other = NULL, *now = NULL;
		struct fb_changes vs = {0};
		size_t i, keep = 0;

		if (git_commit_parent(&parent, c, k) < 0 || git_commit_tree(&tree, parent) < 0)
			goto next;
		if (!locate(tree, p->type, p->id, p->has_new ? p->new.path : p->old.path, &v)) {
			if (!p->has_new) { /* gone here and there: nothing the merge decided */
				fb_changes_release(&rc->fields);
				rc->kind = FB_CHANGE_MODIFIED;
			}
			goto next;
		}
		if (p->has_new && p->new.blob && git_oid_equal(&v.id, &p->new.id)) {
			fb_changes_release(&rc->fields); /* this parent had it so */
			rc->kind = FB_CHANGE_MODIFIED;
			goto next;
		}
		other = read_version(r, git, &v, schemas_of(sc, tree), p->type);
		if (p->has_new)
			now = read_version(r, git, &p->new, NULL, p->type);
		/* the record as the merge has it, against this parent */
		fb_diff_nodes(other ? other->root : NULL, now ? now->root : NULL, true, &vs);
		for (i = 0; i < rc->fields.n; i++) {
			struct fb_change *ch = &rc->fields.v[i];
			size_t j;
			bool decided = false;
			for (j = 0; j < vs.n && !decided; j++)
				decided = touches(vs.v[j].path, ch->path) || touches(ch->path, vs.v[j].path);
			if (decided)
				rc->fields.v[keep++] = *ch;
			else {
				free(ch->path);
				free(ch->old_json);
				free(ch->new_json);
			}
		}
		rc->fields.n = keep;
		fb_changes_release(&vs);
		fb_doc_free(other);
		fb_doc_free(now);
	next:
		free(v.path);
		git_tree_free(tree);
		git_commit_free(parent);
	}
}

static bool author_matches(struct fb_regex *re, const git_commit *c)
{
	const git_signature *a = git_commit_author(c);
	struct fb_buf who = FB_BUF_INIT, folded = FB_BUF_INIT;
	bool ok;
	if (!re)
		return true;
	fb_buf_addf(&who, "%s <%s>", a->name ? a->name : "", a->email ? a->email : "");
	fb_fold(&folded, who.ptr, who.len, FB_FOLD_DEFAULT);
	ok = fb_regex_match(re, folded.ptr, folded.len) == 1;
	fb_buf_release(&who);
	fb_buf_release(&folded);
	return ok;
}

/* The id of `path`'s entry in `tree` (zero when there is none). */
static git_oid entry_id(git_tree *tree, const char *path)
{
	git_tree_entry *te = NULL;
	git_oid id;
	memset(&id, 0, sizeof(id));
	if (tree && git_tree_entry_bypath(&te, tree, path) == 0)
		id = *git_tree_entry_id(te);
	git_tree_entry_free(te);
	return id;
}

/*
 * One record's change between a commit and its first parent, without a
 * tree diff: nothing when the type's folder is the same tree in both;
 * else its blob at the path it had (`hint`, updated as the walk goes back
 * through moves), found anywhere in the folder only when it is not there.
 */
static void one_record(git_tree *tree, git_tree *ptree, const char *type, const char *id,
		       char **hint, struct grouping *g)
{
	struct fb_buf dir = FB_BUF_INIT;
	struct version now = {NULL, {{0}}, false}, before = {NULL, {{0}}, false};
	bool has_now, has_before;
	git_oid a, b;

	fb_buf_addf(&dir, "records/%s", type);
	a = entry_id(tree, dir.ptr);
	b = entry_id(ptree, dir.ptr);
	fb_buf_release(&dir);
	if (git_oid_equal(&a, &b))
		return;
	has_now = !git_oid_is_zero(&a) && locate(tree, type, id, *hint, &now);
	has_before = !git_oid_is_zero(&b) &&
		     locate(ptree, type, id, has_now ? now.path : *hint, &before);
	if (has_now && has_before && !strcmp(now.path, before.path) &&
	    git_oid_equal(&now.id, &before.id)) {
		free(now.path);
		free(before.path);
		return;
	}
	if (has_now)
		add_side(g, now.path, &now.id, true, true);
	if (has_before)
		add_side(g, before.path, &before.id, true, false);
	if (has_before || has_now) {
		free(*hint);
		*hint = fb_strdup(has_before ? before.path : now.path);
	}
	free(now.path);
	free(before.path);
}

int fb_history_log(struct fb_repo *r, const struct fb_log_opts *o, fb_log_fn *fn, void *ctx,
		   struct fb_diag *d)
{
	char *hint = NULL;
	git_repository *git = fb_repo_git(r, d);
	struct schema_cache old_sc = {r, {{0}}, false, false, NULL}, new_sc = old_sc;
	struct fb_buf spec = FB_BUF_INIT;
	git_revwalk *walk = NULL;
	git_object *start = NULL;
	git_oid oid;
	size_t shown = 0;
	int rc = 0;

	if (!git)
		return FB_EIO;
	if (fb_git_revparse(&start, git, o->rev ? o->rev : "HEAD") < 0 ||
	    git_revwalk_new(&walk, git) < 0 || git_revwalk_push(walk, git_object_id(start)) < 0) {
		git_revwalk_free(walk);
		git_object_free(start);
		if ((rc = check_objects(r, 0, d)))
			return rc;
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, o->rev ? "unknown revision '%s'"
								 : "the repository has no commits yet",
			     o->rev ? o->rev : "");
		return FB_ENOTFOUND;
	}
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	if (o->type)
		fb_buf_addf(&spec, "records/%s", o->type);
	else
		fb_buf_puts(&spec, "records");
	while (rc == 0 && (!o->max || shown < o->max) && git_revwalk_next(&oid, walk) == 0) {
		git_commit *c = NULL, *first = NULL;
		git_tree *tree = NULL, *ptree = NULL;
		struct pairs pairs = {0};
		struct grouping g = {&pairs, o->type && o->id ? o->type : NULL, o->id, NULL, false};
		struct fb_record_changes changes = {0};
		struct fb_commit_info info;

		if (git_commit_lookup(&c, git, &oid) < 0)
			continue;
		if ((o->has_since && git_commit_time(c) < o->since) ||
		    (o->has_until && git_commit_time(c) > o->until) || !author_matches(o->author, c)) {
			git_commit_free(c);
			continue;
		}
		if (git_commit_tree(&tree, c) < 0 ||
		    (git_commit_parentcount(c) && (git_commit_parent(&first, c, 0) < 0 ||
						   git_commit_tree(&ptree, first) < 0))) {
			fb_git_diag(d, "cannot read a commit");
			rc = FB_EIO;
		}
		if (rc == 0 && o->type && o->id)
			one_record(tree, ptree, o->type, o->id, &hint, &g);
		else if (rc == 0)
			rc = compare_trees(r, git, ptree, tree, spec.ptr, &g, d);
		if (rc == 0 && pairs.n)
			describe_all(r, git, &pairs, schemas_of(&old_sc, ptree), schemas_of(&new_sc, tree),
				     HISTORY_KEEP_REWRITTEN |
					     (o->show_confidential ? HISTORY_SHOW_CONFIDENTIAL : 0),
				     git_commit_parentcount(c) > 1 ? c : NULL, &old_sc, &changes);
		rc = check_objects(r, rc, d); /* a commit read in part is not shown */
		if (rc == 0 && (changes.n || o->every_commit)) {
			commit_info(git, c, &info);
			rc = fn(&info, &changes, ctx);
			fb_commit_info_release(&info);
			shown++;
		}
		fb_record_changes_release(&changes);
		pairs_release(&pairs);
		git_tree_free(tree);
		git_tree_free(ptree);
		git_commit_free(first);
		git_commit_free(c);
	}
	git_revwalk_free(walk);
	git_object_free(start);
	fb_schemas_free(old_sc.ss);
	fb_schemas_free(new_sc.ss);
	fb_buf_release(&spec);
	free(hint);
	return check_objects(r, rc, d);
}

/* ---- blame ----------------------------------------------------------------------------- */

struct leaf {
	char *path, *value;
	bool done;
};

struct leaves {
	struct leaf *v;
	size_t n, alloc;
};

/* Every leaf of a record: scalars, and empty lists and mappings. */
static void collect_leaves(const struct fb_node *n, struct fb_buf *path, bool show,
			   struct leaves *out)
{
	size_t base = path->len;
	uint32_t i;

	/* a confidential collection is one leaf: its keys are not told either */
	if (fb_node_is_scalar(n) || n->n == 0 || (n->confidential && !show)) {
		struct fb_buf v = FB_BUF_INIT;
		if (n->confidential && !show)
			fb_buf_puts(&v, "\"***\"");
		else
			fb_node_to_json(&v, n, -1, NULL, NULL);
		FB_GROW(out->v, out->n, out->alloc);
		out->v[out->n].path = fb_strndup(path->ptr ? path->ptr : "", path->len);
		out->v[out->n].value = fb_buf_detach(&v, NULL);
		out->v[out->n++].done = false;
		return;
	}
	for (i = 0; i < n->n; i++) {
		const struct fb_node *k = n->kids[i];
		fb_pointer_push_node(path, k);
		collect_leaves(k, path, show, out);
		fb_buf_setlen(path, base);
	}
}

/* A commit still to look at: the record's version in it and the leaves it may explain. */
struct item {
	git_commit *c;
	struct version v;
	bool *want; /* per leaf */
};

struct queue {
	struct item *v;
	size_t n, alloc;
};

static void item_release(struct item *it)
{
	git_commit_free(it->c);
	free(it->v.path);
	free(it->want);
}

/* Queue `want` for `c` (merging with an item already there for the same commit). */
static void enqueue(struct queue *q, git_commit *c, struct version *v, bool *want, size_t nleaves)
{
	size_t i, k;
	for (i = 0; i < q->n; i++)
		if (git_oid_equal(git_commit_id(q->v[i].c), git_commit_id(c))) {
			for (k = 0; k < nleaves; k++)
				q->v[i].want[k] = q->v[i].want[k] || want[k];
			git_commit_free(c);
			free(v->path);
			free(want);
			return;
		}
	FB_GROW(q->v, q->n, q->alloc);
	q->v[q->n].c = c;
	q->v[q->n].v = *v;
	q->v[q->n++].want = want;
}

static void attribute(git_repository *git, const git_commit *c, const bool *want,
		      struct leaves *leaves, struct fb_blame *out)
{
	size_t k;
	for (k = 0; k < leaves->n; k++) {
		if (!want[k] || leaves->v[k].done)
			continue;
		leaves->v[k].done = true;
		out->v[k].committed = true;
		commit_info(git, c, &out->v[k].commit);
	}
}

int fb_history_blame(struct fb_repo *r, const char *type, const char *id, bool show_confidential,
		     struct fb_blame *out, struct fb_diag *d)
{
	git_repository *git = fb_repo_git(r, d);
	struct schema_cache sc = {r, {{0}}, false, false, NULL}, wsc = sc;
	struct leaves leaves = {0};
	struct queue q = {0};
	struct fb_buf path = FB_BUF_INIT, dir = FB_BUF_INIT;
	struct fb_source *wt = NULL;
	struct fb_entries es = {0};
	struct fb_diag quiet = FB_DIAG_INIT;
	const struct fb_entry *e;
	struct version head_v = {NULL, {{0}}, false}, cur = {NULL, {{0}}, false};
	struct fb_doc *doc = NULL, *head_doc = NULL;
	git_commit *head = NULL;
	git_tree *head_tree = NULL;
	bool *want;
	size_t k;
	int rc = 0;

	if (!git)
		return FB_EIO;
	fb_buf_addf(&dir, "records/%s", type);
	{
		git_object *obj = NULL, *peeled = NULL;
		if (fb_git_revparse(&obj, git, "HEAD") == 0 &&
		    git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) == 0) {
			head = (git_commit *)peeled;
			git_commit_tree(&head_tree, head);
		}
		git_object_free(obj);
	}
	/* the version to explain: the working tree's, else HEAD's */
	fb_source_worktree(&wt, r);
	fb_source_list(wt, type, &es, &quiet);
	if ((e = fb_entries_find(&es, id))) {
		cur.path = fb_strdup(e->path);
		cur.blob = false;
	} else if (!locate(head_tree, type, id, NULL, &cur)) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "no record '%s/%s'", type, id);
		rc = FB_ENOTFOUND;
		goto out;
	}
	doc = read_version(r, git, &cur, cur.blob ? schemas_of(&sc, head_tree) : schemas_of(&wsc, NULL),
			   type);
	if (!doc) {
		fb_diag_addf(d, FB_SEV_ERROR, cur.path, 1, 1, "does not parse: fix it first "
							      "(fieldbook validate)");
		rc = FB_EINVALID;
		goto out;
	}
	collect_leaves(doc->root, &path, show_confidential, &leaves);
	out->v = fb_calloc(leaves.n + 1, sizeof(*out->v));
	out->n = out->alloc = leaves.n;
	for (k = 0; k < leaves.n; k++) {
		out->v[k].path = fb_strdup(leaves.v[k].path);
		out->v[k].value = fb_strdup(leaves.v[k].value);
	}
	/* what the working tree changed is not committed yet */
	want = fb_calloc(leaves.n + 1, sizeof(*want));
	for (k = 0; k < leaves.n; k++)
		want[k] = true;
	if (!cur.blob) {
		if (locate(head_tree, type, id, cur.path, &head_v)) {
			struct fb_changes ch = {0};
			size_t j;
			head_doc = read_version(r, git, &head_v, schemas_of(&sc, head_tree), type);
			fb_diff_nodes(head_doc ? head_doc->root : NULL, doc->root, true, &ch);
			for (k = 0; k < leaves.n; k++)
				for (j = 0; j < ch.n; j++)
					if (touches(ch.v[j].path, leaves.v[k].path)) {
						want[k] = false;
						leaves.v[k].done = true;
					}
			fb_changes_release(&ch);
		} else {
			for (k = 0; k < leaves.n; k++) {
				want[k] = false;
				leaves.v[k].done = true;
			}
		}
	} else {
		head_v = cur;
		cur.path = NULL;
	}
	if (head && head_v.path) {
		struct version v = head_v;
		head_v.path = NULL;
		enqueue(&q, head, &v, want, leaves.n);
		head = NULL;
	} else {
		free(want);
	}

	while (q.n) {
		struct item it;
		size_t best = 0, i;
		unsigned p, np;
		bool *left;
		struct fb_doc *mine = NULL;
		git_tree *ctree = NULL;

		for (i = 1; i < q.n; i++)
			if (git_commit_time(q.v[i].c) > git_commit_time(q.v[best].c))
				best = i;
		it = q.v[best];
		q.v[best] = q.v[--q.n];
		left = fb_calloc(leaves.n + 1, sizeof(*left));
		for (k = 0; k < leaves.n; k++)
			left[k] = it.want[k] && !leaves.v[k].done;
		np = git_commit_parentcount(it.c);
		for (p = 0; p < np; p++) {
			git_commit *parent = NULL;
			git_tree *ptree = NULL;
			struct version pv = {NULL, {{0}}, false};
			bool *pass, any = false;

			if (git_commit_parent(&parent, it.c, p) < 0 ||
			    git_commit_tree(&ptree, parent) < 0) {
				git_tree_free(ptree);
				git_commit_free(parent);
				continue;
			}
			if (!ctree)
				git_commit_tree(&ctree, it.c);
			{
				/* the type's folder is the same tree: so is the record */
				git_oid a = entry_id(ctree, dir.ptr), b = entry_id(ptree, dir.ptr);
				if (!git_oid_is_zero(&a) && git_oid_equal(&a, &b)) {
					pv.path = fb_strdup(it.v.path);
					pv.id = it.v.id;
					pv.blob = true;
				} else if (!locate(ptree, type, id, it.v.path, &pv)) {
					git_tree_free(ptree);
					git_commit_free(parent);
					continue;
				}
			}
			pass = fb_calloc(leaves.n + 1, sizeof(*pass));
			if (git_oid_equal(&pv.id, &it.v.id)) {
				for (k = 0; k < leaves.n; k++)
					pass[k] = left[k];
			} else {
				struct fb_doc *theirs = read_version(r, git, &pv, schemas_of(&sc, ptree),
								     type);
				struct fb_changes ch = {0};
				size_t j;
				if (!mine)
					mine = read_version(r, git, &it.v, NULL, type);
				fb_diff_nodes(theirs ? theirs->root : NULL, mine ? mine->root : NULL,
					      true, &ch);
				for (k = 0; k < leaves.n; k++) {
					pass[k] = left[k];
					for (j = 0; j < ch.n && pass[k]; j++)
						if (touches(ch.v[j].path, leaves.v[k].path))
							pass[k] = false;
				}
				fb_changes_release(&ch);
				fb_doc_free(theirs);
			}
			for (k = 0; k < leaves.n; k++) {
				if (pass[k])
					left[k] = false; /* this parent explains it */
				any = any || pass[k];
			}
			git_tree_free(ptree);
			if (any)
				enqueue(&q, parent, &pv, pass, leaves.n);
			else {
				git_commit_free(parent);
				free(pv.path);
				free(pass);
			}
		}
		/* what no parent had: this commit set it */
		attribute(git, it.c, left, &leaves, out);
		git_tree_free(ctree);
		free(left);
		fb_doc_free(mine);
		item_release(&it);
	}
	rc = check_objects(r, rc, d);
out:
	for (k = 0; k < q.n; k++)
		item_release(&q.v[k]);
	free(q.v);
	for (k = 0; k < leaves.n; k++) {
		free(leaves.v[k].path);
		free(leaves.v[k].value);
	}
	free(leaves.v);
	fb_doc_free(doc);
	fb_doc_free(head_doc);
	free(cur.path);
	free(head_v.path);
	git_commit_free(head);
	git_tree_free(head_tree);
	fb_entries_release(&es);
	fb_source_free(wt);
	fb_diag_release(&quiet);
	fb_schemas_free(sc.ss);
	fb_schemas_free(wsc.ss);
	fb_buf_release(&path);
	fb_buf_release(&dir);
	return rc;
}
