/*
 * Making a commit (see vcs.h; the rest of the module is vcs.c).
 *
 * History through libgit2: committing (see vcs.h) and the hooks' checks.
 *
 * A commit, step by step, under fieldbook's writer lock (taken by the
 * caller):
 *   1. read HEAD (or an unborn branch);
 *   2. diff HEAD's tree against the working tree, limited to records/,
 *      schemas/ and fieldbook.yaml, keeping record files by SPEC §1's rules;
 *      of those, the targets are what this commit takes;
 *   3. store the targets' blobs, then check the tree the commit will make.
 *      The working tree differs from it only where changes are left out of
 *      this commit, so the check reads the working tree (fast, on every
 *      core) with the stored blobs laid over the targets and HEAD's version
 *      over each left-out path (fb_source_overlay): what is checked is
 *      exactly what is committed;
 *   4. make the tree: HEAD's, with the targets' blobs upserted or removed
 *      (git_tree_create_updated: nothing else of HEAD or the index moves);
 *   5. write the commit (signed when asked: gpg or ssh-keygen, fed the
 *      commit buffer);
 *   6. put a new index in place: the entries of exactly those paths up to
 *      date, so `git status` is clean for them and a user's staged files
 *      stay staged; the old one is kept aside;
 *   7. move the branch by compare-and-swap; if that fails the old index
 *      goes back, and if another writer moved the branch first, start
 *      again from 1.
 * The index is locked (index.lock, as git locks it for a commit) from
 * step 1 to step 7, so no git command can commit from an index we are
 * changing.  Index before branch: a process killed between the two leaves
 * the files staged, as `git add` would, never a HEAD whose files the index
 * calls deleted; the index.lock it leaves says "fieldbook", and the next
 * fieldbook removes it (it holds the writer lock, so the maker is dead).
 * libgit2 locks (index.lock, a ref's .lock) held by someone else are retried
 * with backoff and then reported with their path.
 */

#include "history_int.h"
#include "vcs_int.h"

/* ---- what changed ------------------------------------------------------------------------- */

struct pending {
	char *path;
	bool deleted;
	bool ignored;  /* by .gitignore: never committed, hidden from the check */
	bool stranger; /* under records/ or schemas/ but not one of ours (a bad name) */
	bool target;
	bool has_blob; /* `blob` is what the commit records for it */
	git_oid blob;
};

struct pendings {
	struct pending *v;
	size_t n, alloc;
};

static void pendings_release(struct pendings *p)
{
	size_t i;
	for (i = 0; i < p->n; i++)
		free(p->v[i].path);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* fieldbook's own paths: record files, schemas, fieldbook.yaml, .gitattributes. */
static bool ours(const char *path)
{
	const char *name = strrchr(path, '/');
	name = name ? name + 1 : path;
	if (!strcmp(path, "fieldbook.yaml") || !strcmp(path, ".gitattributes"))
		return true;
	if (!strncmp(path, "schemas/", 8))
		return !strchr(path + 8, '/') && name[0] != '.' && strlen(name) > 5 &&
		       fb_has_suffix(name, ".yaml");
	if (!strncmp(path, "records/", 8))
		return strchr(path + 8, '/') && fb_is_record_name(name);
	return false;
}

static struct pending *add_pending(struct pendings *p, const char *path)
{
	struct pending *e;
	FB_GROW(p->v, p->n, p->alloc);
	e = &p->v[p->n++];
	memset(e, 0, sizeof(*e));
	e->path = fb_strdup(path);
	return e;
}

/*
 * One delta.  A path can come twice: deleted from the index but present as
 * an untracked file (an index that fell behind HEAD) is two deltas of a
 * file that exists, so the working tree decides: present if any says so.
 */
static int collect_pending(git_diff_delta const *delta, float progress, void *payload)
{
	struct pendings *p = payload;
	const char *path = delta->new_file.path ? delta->new_file.path : delta->old_file.path;
	bool deleted = delta->status == GIT_DELTA_DELETED;
	struct pending *e;
	(void)progress;
	if (p->n && !strcmp(p->v[p->n - 1].path, path)) { /* deltas come sorted by path */
		p->v[p->n - 1].deleted = p->v[p->n - 1].deleted && deleted;
		return 0;
	}
	e = add_pending(p, path);
	e->deleted = deleted;
	e->ignored = delta->status == GIT_DELTA_IGNORED;
	e->stranger = !ours(path);
	return 0;
}

/* A diff of fieldbook's paths, untracked and ignored files included. */
char *vcs_paths[VCS_NPATHS] = {"records", "schemas", "fieldbook.yaml", ".gitattributes"};

void vcs_diff_options(git_diff_options *opts)
{
	git_diff_options_init(opts, GIT_DIFF_OPTIONS_VERSION);
	opts->flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
		      GIT_DIFF_INCLUDE_IGNORED | GIT_DIFF_RECURSE_IGNORED_DIRS |
		      GIT_DIFF_INCLUDE_TYPECHANGE;
	opts->pathspec.strings = vcs_paths;
	opts->pathspec.count = VCS_NPATHS;
}

/*
 * The differences between HEAD's tree (NULL: none) and the working tree
 * under records/, schemas/ and fieldbook.yaml, through the index's stat
 * cache.  Targets are ours, among `targets`, not ignored; files that are
 * not ours (a bad record name) are never targets, but the check hides them
 * too, and a *.yaml one that would have been a target gets a warning.
 */
static int find_pending(struct fb_repo *r, git_repository *git, git_tree *head,
			const struct fb_strvec *targets, const struct fb_strvec *also,
			struct pendings *out, struct fb_diag *d)
{
	struct fb_buf abs = FB_BUF_INIT;
	git_diff_options opts;
	git_diff *diff = NULL;
	size_t i, k;

	vcs_diff_options(&opts);
	if (git_diff_tree_to_workdir_with_index(&diff, git, head, &opts) < 0) {
		fb_git_diag(d, "cannot compare HEAD with the working tree");
		return FB_EIO;
	}
	git_diff_foreach(diff, collect_pending, NULL, NULL, NULL, out);
	git_diff_free(diff);
	for (i = 0; also && i < also->n; i++) {
		for (k = 0; k < out->n && strcmp(out->v[k].path, also->v[i]); k++)
			;
		if (k == out->n)
			add_pending(out, also->v[i]);
		out->v[k].stranger = false;
		out->v[k].target = true;
	}
	for (i = 0; i < out->n; i++) {
		struct pending *e = &out->v[i];
		bool wanted = e->target || fb_path_under(e->path, targets);
		struct stat st;
		fb_buf_reset(&abs);
		fb_buf_addf(&abs, "%s/%s", fb_repo_root(r), e->path);
		if (e->deleted && lstat(abs.ptr, &st) == 0)
			e->deleted = false; /* gone from the index only: the working tree decides */
		e->target = wanted && !e->ignored && !e->stranger;
		if (wanted && e->stranger && !e->ignored && !e->deleted &&
		    !strncmp(e->path, "records/", 8) && fb_has_suffix(e->path, ".yaml"))
			fb_diag_set(fb_diag_addf(d, FB_SEV_WARNING, e->path, 1, 1,
						 "not a record file name (SPEC §1: the id is "
						 "lower-case letters, digits, '.', '_', '-'); not "
						 "committed"),
				    "", "file", NULL, NULL);
	}
	fb_buf_release(&abs);
	return 0;
}

/*
 * The blobs the commit records, written now, so that what is checked is
 * exactly what is committed even if an editor saves meanwhile.  A symbolic
 * link is refused: records are files.
 */
static int make_blobs(struct fb_repo *r, git_repository *git, git_tree *head, struct pendings *p,
		      struct fb_diag *d)
{
	struct fb_buf abs = FB_BUF_INIT;
	size_t i, before = d->errors;
	int rc = 0;

	for (i = 0; i < p->n && rc == 0; i++) {
		struct pending *e = &p->v[i];
		struct stat st;
		if (!e->target || e->deleted)
			continue;
		fb_buf_reset(&abs);
		fb_buf_addf(&abs, "%s/%s", fb_repo_root(r), e->path);
		if (lstat(abs.ptr, &st) == 0 && S_ISLNK(st.st_mode)) {
			fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, e->path, 1, 1,
						 "a symbolic link: fieldbook commits records as "
						 "files (put the file itself here)"),
				    "", "file", NULL, NULL);
			continue;
		}
		if (git_blob_create_from_disk(&e->blob, git, abs.ptr) < 0) {
			fb_git_diag(d, "cannot store the file");
			rc = FB_EIO;
		}
		e->has_blob = true;
		/* the same as HEAD's (an index that fell behind): no change to commit */
		if (head && rc == 0) {
			git_tree_entry *te = NULL;
			if (git_tree_entry_bypath(&te, head, e->path) == 0 &&
			    git_oid_equal(git_tree_entry_id(te), &e->blob))
				e->target = false;
			git_tree_entry_free(te);
		}
	}
	fb_buf_release(&abs);
	if (rc == 0 && d->errors > before)
		rc = FB_EINVALID;
	return rc;
}

/* ---- the commit message ---------------------------------------------------------------- */

static void plural(struct fb_buf *b, size_t n, const char *one, const char *many)
{
	fb_buf_addf(b, "%zu %s", n, n == 1 ? one : many);
}

/* One record's line of the body, its trailer, and the subject a one-record commit gets. */
static void say_record(const struct fb_record_change *c, struct fb_buf *body,
		       struct fb_buf *trailers, struct fb_buf *subject,
		       struct fb_commit_result *res)
{
	static const char *const verbs[] = {"added", "modified", "removed", "moved"};
	static const char *const subjects[] = {"Add", "Update", "Remove", "Move"};
	struct fb_strvec tops = {0};
	size_t j;

	if (c->kind == FB_CHANGE_ADDED)
		res->added++;
	else if (c->kind == FB_CHANGE_DELETED)
		res->removed++;
	else
		res->modified++;
	fb_buf_addf(trailers, "Record: %s/%s\n", c->type, c->id);
	fb_buf_addf(body, "%s %s/%s", verbs[c->kind], c->type, c->id);
	if (c->from)
		fb_buf_addf(body, " (from %s)", c->from);
	fb_buf_reset(subject);
	fb_buf_addf(subject, "%s %s/%s", subjects[c->kind], c->type, c->id);
	/* the fields, for a record that was there before and still is */
	for (j = 0; (c->kind == FB_CHANGE_MODIFIED || c->from) && j < c->fields.n; j++) {
		const char *path = c->fields.v[j].path, *top = path + (path[0] == '/');
		char *name = fb_strndup(top, strcspn(top, "/"));
		fb_buf_addf(body, "%s%s", j ? ", " : ": ", path[0] ? path : "/");
		if (!fb_strvec_has(&tops, name))
			fb_strvec_push(&tops, name);
		free(name);
	}
	/* the subject names a few of the top-level fields that changed */
	for (j = 0; j < tops.n && j < 3; j++)
		fb_buf_addf(subject, "%s%s", j ? ", " : " (", tops.v[j]);
	if (tops.n > 3)
		fb_buf_puts(subject, ", …");
	if (tops.n)
		fb_buf_puts(subject, ")");
	fb_buf_putc(body, '\n');
	fb_strvec_release(&tops);
}

/*
 * The message: the records the new tree changes against `head`, as
 * history's diff groups them (a move is one record), and the other files.
 * It stays in history for all to read: never a confidential value or key
 * in it, whatever --show-confidential says.
 */
static int make_message(struct fb_repo *r, git_repository *git, git_tree *head,
			const git_oid *tree_id, const struct pendings *p,
			const struct fb_schemas *ss, const struct fb_commit_opts *o,
			struct fb_commit_result *res, struct fb_diag *d)
{
	struct fb_buf msg = FB_BUF_INIT, body = FB_BUF_INIT, trailers = FB_BUF_INIT;
	struct fb_buf old = FB_BUF_INIT, subject = FB_BUF_INIT;
	struct fb_record_changes rc = {0};
	git_tree *tree = NULL;
	size_t i, nfiles = 0;
	bool records_said = false;
	int err = 0;

	if (git_tree_lookup(&tree, git, tree_id) < 0) {
		fb_git_diag(d, "cannot read the tree to commit");
		return FB_EIO;
	}
	err = history_tree_changes(r, git, head, tree, NULL, ss, ss, HISTORY_KEEP_REWRITTEN, &rc,
				   d);
	git_tree_free(tree);
	/* in the order of the paths: the records all lie under records/ */
	for (i = 0; !err && i < p->n; i++) {
		const struct pending *e = &p->v[i];
		bool existed;
		if (!e->target)
			continue;
		if (!strncmp(e->path, "records/", 8)) {
			size_t k;
			for (k = 0; !records_said && k < rc.n; k++)
				say_record(&rc.v[k], &body, &trailers, &subject, res);
			records_said = true;
			continue;
		}
		existed = head && fb_git_blob_at(git, head, e->path, &old) == 0;
		nfiles++;
		if (e->deleted)
			res->removed++;
		else if (existed)
			res->modified++;
		else
			res->added++;
		fb_buf_addf(&body, "%s %s\n", e->deleted ? "removed" : existed ? "modified" : "added",
			    e->path);
		fb_buf_reset(&subject);
		fb_buf_addf(&subject, "Update %s", e->path);
	}
	/* a merge's records came staged, not as pendings */
	for (i = 0; !err && !records_said && i < rc.n; i++)
		say_record(&rc.v[i], &body, &trailers, &subject, res);
	if (err)
		goto out;
	if (o->message && *o->message) {
		fb_buf_puts(&msg, o->message);
		fb_buf_rtrim(&msg);
	} else if (rc.n + nfiles == 1) {
		fb_buf_add(&msg, subject.ptr, subject.len);
	} else {
		fb_buf_puts(&msg, "Update ");
		if (rc.n)
			plural(&msg, rc.n, "record", "records");
		if (rc.n && nfiles)
			fb_buf_puts(&msg, " and ");
		if (nfiles)
			plural(&msg, nfiles, "file", "files");
		fb_buf_addf(&msg, " (%zu added, %zu changed, %zu removed)", res->added,
			    res->modified, res->removed);
	}
	fb_buf_addf(&msg, "\n\n%s\n%sValidated-by: fieldbook %s\n", body.ptr, trailers.ptr,
		    FB_VERSION);
	res->message = fb_buf_detach(&msg, NULL);
out:
	fb_record_changes_release(&rc);
	fb_buf_release(&msg);
	fb_buf_release(&body);
	fb_buf_release(&trailers);
	fb_buf_release(&old);
	fb_buf_release(&subject);
	return err;
}

/* ---- committing ------------------------------------------------------------------------- */

void fb_commit_result_release(struct fb_commit_result *res)
{
	free(res->message);
	memset(res, 0, sizeof(*res));
}

/* Retry a libgit2 call while someone else holds a lock; then say which. */
#define WITH_LOCK_RETRY(rc, call)                                                                  \
	do {                                                                                       \
		int try_;                                                                          \
		for (try_ = 0; try_ < LOCK_TRIES; try_++) {                                        \
			long ms_ = 50L << try_;                                                    \
			struct timespec ts_ = {ms_ / 1000, (ms_ % 1000) * 1000000L};               \
			if (((rc) = (call)) != GIT_ELOCKED)                                        \
				break;                                                             \
			nanosleep(&ts_, NULL);                                                     \
		}                                                                                  \
	} while (0)

static void lock_held(struct fb_diag *d, struct fb_repo *r, const char *what)
{
	const char *gd = fb_repo_git_dir(r, d);
	fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
		     "%s is locked: %s/%s.lock has stayed for 3 s.  If no git or fieldbook is "
		     "running, a crashed one left it: remove it (rm %s/%s.lock) and try again",
		     what, gd, what, gd, what);
}

/* The commit a merge in progress brings (MERGE_HEAD); refused while paths are unmerged. */
static int merge_head(struct fb_repo *r, git_repository *git, git_commit **out,
		      struct fb_diag *d)
{
	struct fb_strvec unmerged = {0};
	git_reference *mh = NULL;
	size_t i;
	int rc = fb_vcs_unmerged(r, &unmerged, d);

	for (i = 0; i < unmerged.n; i++)
		fb_diag_addf(d, FB_SEV_ERROR, unmerged.v[i], 0, 0,
			     "an unresolved merge conflict: settle it first (fieldbook resolve "
			     "TYPE/ID --ours|--theirs|--field PATH=VALUE; git add for a file "
			     "that is not a record)");
	if (!rc && unmerged.n)
		rc = FB_ERROR; /* refused, as a detached HEAD is: not an invalid record */
	if (!rc && (git_reference_lookup(&mh, git, "MERGE_HEAD") < 0 ||
		    git_commit_lookup(out, git, git_reference_target(mh)) < 0)) {
		fb_git_diag(d, "cannot read MERGE_HEAD");
		rc = FB_EIO;
	}
	git_reference_free(mh);
	fb_strvec_release(&unmerged);
	return rc;
}

/* The tree of what the index holds (a merge's result, staged). */
static int index_tree(git_repository *git, const char *index_path, git_tree **out,
		      struct fb_diag *d)
{
	git_index *idx = NULL;
	git_oid id;
	int rc = git_index_open(&idx, index_path);
	if (rc == 0)
		rc = git_index_write_tree_to(&id, idx, git);
	if (rc == 0)
		rc = git_tree_lookup(out, git, &id);
	if (rc < 0)
		fb_git_diag(d, "cannot read the merge from the index");
	git_index_free(idx);
	return rc < 0 ? FB_EIO : 0;
}

/*
 * The branch HEAD names (refs/heads/main), its tip (NULL: unborn) and, in
 * a merge in progress, the commit merged (MERGE_HEAD; else NULL).
 * FB_ERROR, with the reason, when HEAD is detached, a merge has unmerged
 * paths, or a rebase or the like is in progress.
 */
static int head_branch(struct fb_repo *r, git_repository *git, struct fb_buf *name,
		       git_commit **tip, git_commit **merging, struct fb_diag *d)
{
	git_reference *head = NULL, *resolved = NULL;
	int rc;

	*tip = NULL;
	*merging = NULL;
	if (git_repository_state(git) == GIT_REPOSITORY_STATE_MERGE) {
		if ((rc = merge_head(r, git, merging, d)) < 0)
			return rc;
	} else if (git_repository_state(git) != GIT_REPOSITORY_STATE_NONE) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "a merge, rebase, cherry-pick or revert is in progress: finish it "
			     "with git first (git status says how)");
		return FB_ERROR;
	}
	if (git_reference_lookup(&head, git, "HEAD") < 0) {
		fb_git_diag(d, "cannot read HEAD");
		return FB_EIO;
	}
	if (git_reference_type(head) != GIT_REFERENCE_SYMBOLIC) {
		git_reference_free(head);
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "HEAD is detached: check out a branch before committing");
		return FB_ERROR;
	}
	fb_buf_reset(name);
	fb_buf_puts(name, git_reference_symbolic_target(head));
	rc = git_reference_resolve(&resolved, head);
	if (rc == 0)
		rc = git_commit_lookup(tip, git, git_reference_target(resolved));
	else if (rc == GIT_ENOTFOUND)
		rc = 0; /* unborn: the first commit */
	git_reference_free(resolved);
	git_reference_free(head);
	if (rc < 0) {
		fb_git_diag(d, "cannot read the branch");
		return FB_EIO;
	}
	return 0;
}

/*
 * Check the tree the commit will make: the working tree, with the blobs
 * the commit records laid over the targets and HEAD's version over every
 * other changed path (or nothing where HEAD has none).
 */
static int check_result(struct fb_repo *r, git_repository *git, git_tree *head,
			const struct pendings *p, unsigned threads, bool checked,
			struct fb_schemas **ss, struct fb_diag *d)
{
	struct fb_source *src = NULL;
	struct fb_check_stats st;
	struct fb_buf text = FB_BUF_INIT;
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_check_opts co = {false, threads, NULL};
	size_t i, before = d->errors;
	int err = 0;

	fb_source_worktree(&src, r);
	for (i = 0; i < p->n; i++) {
		const struct pending *e = &p->v[i];
		if (e->has_blob) {
			fb_git_blob_read(git, &e->blob, 0, &text, NULL);
			fb_source_overlay(src, e->path, text.ptr, text.len);
		} else if (e->target && e->deleted) {
			fb_source_overlay(src, e->path, NULL, 0);
		} else if (!e->target) {
			if (fb_git_blob_at(git, head, e->path, &text) == 0)
				fb_source_overlay(src, e->path, text.ptr, text.len);
			else
				fb_source_overlay(src, e->path, NULL, 0);
		}
	}
	if (!checked)
		err = fb_check(src, NULL, 0, &co, &st, d);
	fb_schemas_load(ss, src, &quiet); /* for the message's field names */
	fb_diag_release(&quiet);
	fb_source_free(src);
	fb_buf_release(&text);
	if (err == FB_EIO)
		return err;
	return d->errors > before ? FB_EINVALID : 0;
}

static int build_tree(git_repository *git, git_tree *head, const struct pendings *p, git_oid *out,
		      struct fb_diag *d)
{
	git_tree_update *ups = fb_calloc(p->n + 1, sizeof(*ups));
	git_index *idx = NULL;
	size_t i, n = 0;
	int rc = 0;

	for (i = 0; i < p->n; i++) {
		if (!p->v[i].target)
			continue;
		ups[n].path = p->v[i].path;
		ups[n].action = p->v[i].deleted ? GIT_TREE_UPDATE_REMOVE : GIT_TREE_UPDATE_UPSERT;
		ups[n].filemode = GIT_FILEMODE_BLOB;
		if (!p->v[i].deleted)
			ups[n].id = p->v[i].blob;
		n++;
	}
	if (head) {
		rc = git_tree_create_updated(out, git, head, n, ups);
	} else {
		/* the first commit: no tree to update, so an index of just these files */
		rc = git_index_new(&idx);
		for (i = 0; i < n && rc == 0; i++) {
			git_index_entry e;
			if (ups[i].action != GIT_TREE_UPDATE_UPSERT)
				continue;
			memset(&e, 0, sizeof(e));
			e.path = ups[i].path;
			e.mode = GIT_FILEMODE_BLOB;
			e.id = ups[i].id;
			rc = git_index_add(idx, &e);
		}
		if (rc == 0)
			rc = git_index_write_tree_to(out, idx, git);
	}
	if (rc < 0)
		fb_git_diag(d, "cannot build the new tree");
	git_index_free(idx);
	free(ups);
	return rc < 0 ? FB_EIO : 0;
}

static int write_commit(struct fb_repo *r, git_repository *git, const git_oid *tree_id,
			git_commit *tip, git_commit *merging, const struct fb_ident *author,
			const struct fb_ident *committer, const char *message, bool sign,
			git_oid *out, struct fb_diag *d)
{
	git_signature *a = NULL, *c = NULL;
	git_tree *tree = NULL;
	git_buf buf = {0};
	git_config *cfg = NULL;
	struct fb_buf sig = FB_BUF_INIT;
	const git_commit *parents[2] = {tip, merging};
	size_t nparents = tip ? (merging ? 2 : 1) : 0;
	int rc = FB_EIO;

	if (git_signature_new(&a, author->name, author->email, author->time, author->offset) < 0 ||
	    git_signature_new(&c, committer->name, committer->email, committer->time,
			      committer->offset) < 0 ||
	    git_tree_lookup(&tree, git, tree_id) < 0) {
		fb_git_diag(d, "cannot make the commit");
		goto out;
	}
	if (!sign) {
		if (git_commit_create(out, git, NULL, a, c, NULL, message, tree, nparents,
				      parents) < 0)
			fb_git_diag(d, "cannot make the commit");
		else
			rc = 0;
		goto out;
	}
	if (git_repository_config_snapshot(&cfg, git) < 0 ||
	    git_commit_create_buffer(&buf, git, a, c, NULL, message, tree, nparents,
				     parents) < 0) {
		fb_git_diag(d, "cannot make the commit");
		goto out;
	}
	if (vcs_sign_buffer(r, cfg, committer, buf.ptr, buf.size, &sig, d) < 0)
		goto out;
	if (git_commit_create_with_signature(out, git, buf.ptr, sig.ptr, NULL) < 0)
		fb_git_diag(d, "cannot make the signed commit");
	else
		rc = 0;
out:
	fb_buf_release(&sig);
	git_config_free(cfg);
	git_buf_dispose(&buf);
	git_tree_free(tree);
	git_signature_free(a);
	git_signature_free(c);
	return rc;
}

static bool want_signature(git_repository *git, const struct fb_commit_opts *o)
{
	git_config *cfg = NULL;
	int on = 0;
	if (o->sign)
		return true;
	if (git_repository_config_snapshot(&cfg, git) == 0)
		git_config_get_bool(&on, cfg, "commit.gpgsign");
	git_config_free(cfg);
	return on;
}

/* What fieldbook writes into an index.lock it takes. */
#define OUR_LOCK "fieldbook\n"

/*
 * The index lock, held for a whole commit as git holds it: from reading
 * the index, through writing the new one, to moving the branch.  A git
 * command that wants the index meanwhile fails at once (as it would
 * against another git) instead of committing from an index we are about
 * to change.
 */
struct index_lock {
	struct fb_buf index; /* the index file */
	struct fb_buf lock;  /* its .lock */
	struct fb_buf next;  /* the new index, written beside it */
	struct fb_buf prev;  /* the old index, kept until the branch has moved */
	bool held;
};

/*
 * An index.lock that says OUR_LOCK was taken by a fieldbook holding the
 * writer lock, and is always removed before that lock is let go.  Now that
 * we hold the writer lock, its maker is dead (killed mid-commit): the lock
 * is stale for certain, and removing it is safe.  Any other index.lock
 * (git's) is left to the retry rules.
 */
static void remove_our_stale_lock(const char *path)
{
	char buf[sizeof(OUR_LOCK)];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n == (ssize_t)sizeof(OUR_LOCK) - 1 && !memcmp(buf, OUR_LOCK, (size_t)n))
		unlink(path);
}

/* Make index.lock by linking a file that already says OUR_LOCK: 0, GIT_ELOCKED or -1. */
static int try_lock(const char *lock, const char *tmp)
{
	return link(tmp, lock) == 0 ? 0 : errno == EEXIST ? GIT_ELOCKED : -1;
}

static int lock_index(struct fb_repo *r, git_repository *git, struct index_lock *il,
		      struct fb_diag *d)
{
	git_buf path = {0};
	struct fb_buf tmp = FB_BUF_INIT;
	int rc;

	if (git_repository_item_path(&path, git, GIT_REPOSITORY_ITEM_INDEX) < 0) {
		fb_git_diag(d, "cannot find the index");
		return FB_EIO;
	}
	fb_buf_puts(&il->index, path.ptr);
	fb_buf_addf(&il->lock, "%s.lock", path.ptr);
	fb_buf_addf(&il->next, "%s.fieldbook-%ld", path.ptr, (long)getpid());
	fb_buf_addf(&il->prev, "%s.fieldbook-old-%ld", path.ptr, (long)getpid());
	fb_buf_addf(&tmp, "%s.fieldbook-lock-%ld", path.ptr, (long)getpid());
	git_buf_dispose(&path);
	remove_our_stale_lock(il->lock.ptr);
	if ((rc = fb_file_replace(tmp.ptr, OUR_LOCK, sizeof(OUR_LOCK) - 1, 0644, "index", d)) == 0) {
		WITH_LOCK_RETRY(rc, try_lock(il->lock.ptr, tmp.ptr));
		if (rc == GIT_ELOCKED) {
			lock_held(d, r, "index");
			rc = FB_EIO;
		} else if (rc < 0) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "cannot lock the index (%s): %s",
				     il->lock.ptr, strerror(errno));
			rc = FB_EIO;
		}
	}
	unlink(tmp.ptr);
	fb_buf_release(&tmp);
	il->held = rc == 0;
	return rc;
}

static void unlock_index(struct index_lock *il)
{
	if (il->next.len)
		unlink(il->next.ptr);
	if (il->prev.len)
		unlink(il->prev.ptr);
	if (il->held)
		unlink(il->lock.ptr);
	il->held = false;
	fb_buf_release(&il->index);
	fb_buf_release(&il->lock);
	fb_buf_release(&il->next);
	fb_buf_release(&il->prev);
}

/*
 * The new index, with the committed paths' entries up to date and nothing
 * else moved, written beside the index (il->next).  It is read through that
 * second name of the index file: libgit2 writes a new file and renames it
 * over the name, so the index itself is untouched.  No index yet (a new
 * repository): an empty one.
 */
static int prepare_index(git_repository *git, const struct pendings *p,
			 const struct index_lock *il, struct fb_diag *d)
{
	git_index *idx = NULL;
	size_t i;
	int rc;

	unlink(il->next.ptr);
	rc = link(il->index.ptr, il->next.ptr) == 0 || errno == ENOENT ? 0 : -1;
	if (rc == 0)
		rc = git_index_open(&idx, il->next.ptr);
	if (rc == 0) /* add_bypath needs the index to belong to the repository */
		git_repository_set_index(git, idx);
	for (i = 0; rc == 0 && i < p->n; i++) {
		if (!p->v[i].target)
			continue;
		if (p->v[i].deleted)
			git_index_remove_bypath(idx, p->v[i].path);
		else if (git_index_add_bypath(idx, p->v[i].path) < 0)
			git_index_remove_bypath(idx, p->v[i].path);
	}
	if (rc == 0)
		rc = git_index_write(idx);
	if (rc < 0)
		fb_git_diag(d, "cannot write the index");
	/* the repository's index is the real one again, read when next needed */
	git_repository_set_index(git, NULL);
	git_index_free(idx);
	return rc < 0 ? FB_EIO : 0;
}

/* Put the new index in place, keeping the old one under il->prev. */
static int install_index(const struct index_lock *il, struct fb_diag *d)
{
	unlink(il->prev.ptr);
	if ((link(il->index.ptr, il->prev.ptr) < 0 && errno != ENOENT) ||
	    rename(il->next.ptr, il->index.ptr) < 0) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "cannot replace the index %s: %s",
			     il->index.ptr, strerror(errno));
		return FB_EIO;
	}
	return 0;
}

/* The branch did not move: the old index goes back (none, if there was none). */
static void restore_index(const struct index_lock *il)
{
	if (rename(il->prev.ptr, il->index.ptr) < 0 && errno == ENOENT)
		unlink(il->index.ptr);
}

/* Move the branch to `id` if it is still at `tip`: 0, FB_EIO, or 1 when it moved meanwhile. */
static int move_branch(struct fb_repo *r, git_repository *git, const char *branch,
		       const git_commit *tip, const git_oid *id, const char *message,
		       struct fb_diag *d)
{
	git_reference *ref = NULL;
	char reflog[512];
	int rc;

	snprintf(reflog, sizeof(reflog), "commit%s: %.*s", tip ? "" : " (initial)",
		 (int)strcspn(message, "\n"), message);
	if (tip)
		WITH_LOCK_RETRY(rc, git_reference_create_matching(&ref, git, branch, id, 1,
								  git_commit_id(tip), reflog));
	else
		WITH_LOCK_RETRY(rc, git_reference_create(&ref, git, branch, id, 0, reflog));
	git_reference_free(ref);
	if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS)
		return 1;
	if (rc == GIT_ELOCKED) {
		lock_held(d, r, branch);
		return FB_EIO;
	}
	if (rc < 0) {
		fb_git_diag(d, "cannot move the branch");
		return FB_EIO;
	}
	return 0;
}

int fb_vcs_commit(struct fb_repo *r, const struct fb_commit_opts *o, struct fb_commit_result *res,
		  struct fb_diag *d)
{
	git_repository *git = fb_repo_git(r, d);
	struct fb_ident author = {0}, committer = {0};
	struct fb_buf branch = FB_BUF_INIT;
	struct index_lock il = {FB_BUF_INIT, FB_BUF_INIT, FB_BUF_INIT, FB_BUF_INIT, false};
	bool moved = false;
	int attempt, rc = 0;

	memset(res, 0, sizeof(*res));
	if (!git)
		return FB_EIO;
	if ((rc = fb_ident_resolve(r, o->author_arg, &author, &committer, d)) < 0)
		return rc;
	if ((rc = lock_index(r, git, &il, d)) < 0)
		goto done;
	/* again from the top, on the new tip, while someone else moves the branch */
	for (attempt = 0; attempt < 5 && rc == 0 && !moved; attempt++) {
		git_commit *tip = NULL, *merging = NULL;
		git_tree *head = NULL, *base = NULL; /* base: HEAD's tree, or a merge's result */
		struct fb_commit_opts mo = *o;
		git_buf merge_msg = {0};
		struct pendings p = {0};
		struct fb_schemas *ss = NULL;
		git_oid tree_id, commit_id;
		size_t i, targets = 0;

		fb_commit_result_release(res);
		if ((rc = head_branch(r, git, &branch, &tip, &merging, d)) < 0)
			break;
		if (tip && git_commit_tree(&head, tip) < 0) {
			fb_git_diag(d, "cannot read HEAD's tree");
			rc = FB_EIO;
		}
		if (rc == 0 && merging) {
			/* concluding a merge: on top of what the index holds, with git's message */
			rc = index_tree(git, il.index.ptr, &base, d);
			if (!o->message && git_repository_message(&merge_msg, git) == 0) {
				char *nl = strchr(merge_msg.ptr, '\n');
				if (nl)
					*nl = '\0';
				mo.message = merge_msg.ptr;
			}
		} else if (head) {
			git_tree_dup(&base, head);
		}
		if (rc == 0)
			rc = find_pending(r, git, base, o->targets, o->also, &p, d);
		if (rc == 0)
			rc = make_blobs(r, git, base, &p, d);
		for (i = 0; rc == 0 && i < p.n; i++)
			targets += p.v[i].target;
		if (rc == 0 && !targets && !merging) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
				     "nothing to commit: no record, schema or fieldbook.yaml "
				     "differs from HEAD%s",
				     o->targets && o->targets->n ? " among the targets" : "");
			rc = FB_ENOTFOUND;
		}
		/* in a merge sync has just checked, nothing else pending: not again */
		if (rc == 0)
			rc = check_result(r, git, base, &p, o->threads,
					  o->checked && merging && !p.n, &ss, d);
		if (rc == 0)
			rc = build_tree(git, base, &p, &tree_id, d);
		if (rc == 0)
			rc = make_message(r, git, head, &tree_id, &p, ss, &mo, res, d);
		if (rc == 0) {
			rc = write_commit(r, git, &tree_id, tip, merging, &author, &committer,
					  res->message, want_signature(git, o), &commit_id, d);
		}
		/*
		 * The index first, then the branch: killed in between, the files
		 * are merely staged (what `git add` would have done), never a
		 * HEAD whose files the index calls deleted (which a later `git
		 * commit` would record).  When the branch does not move, the
		 * old index goes back.
		 */
		if (rc == 0)
			rc = prepare_index(git, &p, &il, d);
		if (rc == 0)
			rc = install_index(&il, d);
		if (rc == 0) {
			rc = move_branch(r, git, branch.ptr, tip, &commit_id, res->message, d);
			if (rc == 0) {
				moved = true;
				git_oid_tostr(res->id, sizeof(res->id), &commit_id);
				if (merging)
					git_repository_state_cleanup(git); /* MERGE_HEAD, MERGE_MSG */
			} else {
				restore_index(&il);
				if (rc == 1)
					rc = 0; /* someone committed meanwhile: again, on top */
			}
		}
		fb_schemas_free(ss);
		pendings_release(&p);
		git_tree_free(head);
		git_tree_free(base);
		git_commit_free(tip);
		git_commit_free(merging);
		git_buf_dispose(&merge_msg);
	}
	if (rc == 0 && !moved) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "the branch kept moving while committing; try again");
		rc = FB_EIO;
	}
done:
	unlock_index(&il);
	fb_buf_release(&branch);
	fb_ident_release(&author);
	fb_ident_release(&committer);
	return rc;
}
