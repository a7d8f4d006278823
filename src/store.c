/*
 * The store: the file rules of SPEC §1 and record
 * sources (the working tree, or a git tree read without checkout).
 *
 * Both sources list records through the same rule, classify_name(), so the
 * working tree and a revision can never disagree about which files are
 * records.  Listing gathers entries, sorts them by id and reports duplicate
 * ids once, keeping the first by path.
 *
 * Symbolic links (SPEC §1: never followed out of the repository) are
 * repo.c's one rule, repo_link_check(), asked for every working-tree path
 * read here; in a git tree a link is a blob holding a path, never followed.
 *
 * libgit2 is opened on first use only; reading the working tree never needs
 * it.  libgit2 is reached through the private repo_int.h, like vcs.c and setup.c.
 */
#define _DEFAULT_SOURCE /* d_type in struct dirent saves an lstat per file; DT_UNKNOWN falls back */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fieldbook/node.h>
#include <fieldbook/store.h>

#include "repo_int.h"

#define MAX_FOLDER_DEPTH 16

struct fb_source {
	struct fb_repo *repo;
	git_tree *tree; /* NULL: the working tree */
	char name[GIT_OID_HEXSZ + 1];
	/*
	 * The folder of the last record read, kept open: records are read in
	 * id order, and neighbours nearly always share a folder, so a read is
	 * an openat() of a bare name instead of a walk of the whole path.
	 */
	struct fb_buf dir;
	int dirfd;
	struct overlay {
		char *path;
		char *text; /* NULL: hidden */
		size_t len;
	} *over;
	size_t nover, over_alloc;
};

/* ---- small helpers ---------------------------------------------------- */

int fb_git_blob_read(git_repository *git, const git_oid *id, size_t max, struct fb_buf *out,
		     size_t *size)
{
	git_blob *blob;
	size_t n;

	fb_buf_reset(out);
	if (git_blob_lookup(&blob, git, id) < 0)
		return FB_EIO;
	n = (size_t)git_blob_rawsize(blob);
	if (size)
		*size = n;
	if (max && n > max) {
		git_blob_free(blob);
		return FB_EINVALID;
	}
	fb_buf_add(out, git_blob_rawcontent(blob), n);
	git_blob_free(blob);
	return 0;
}

int fb_git_blob_at(git_repository *git, git_tree *tree, const char *path, struct fb_buf *out)
{
	git_tree_entry *te = NULL;
	int err = FB_ENOTFOUND;

	fb_buf_reset(out);
	if (tree && git_tree_entry_bypath(&te, tree, path) == 0 &&
	    git_tree_entry_type(te) == GIT_OBJECT_BLOB)
		err = fb_git_blob_read(git, git_tree_entry_id(te), 0, out, NULL);
	git_tree_entry_free(te);
	return err;
}

void fb_git_diag(struct fb_diag *d, const char *what)
{
	const git_error *e = git_error_last();
	fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "%s: %s", what,
		     e && e->message ? e->message : "unknown git error");
}

int fb_git_revparse(git_object **out, git_repository *git, const char *rev)
{
	git_reference *ref = NULL, *target = NULL;
	int err;

	/* libgit2's order: a whole object id first, then a reference */
	if (strlen(rev) == GIT_OID_HEXSZ || git_reference_dwim(&ref, git, rev) < 0)
		return git_revparse_single(out, git, rev);
	err = git_reference_resolve(&target, ref);
	if (!err)
		err = git_object_lookup(out, git, git_reference_target(target), GIT_OBJECT_ANY);
	git_reference_free(target);
	git_reference_free(ref);
	return err;
}

bool fb_id_valid(const char *id)
{
	size_t i, n = strlen(id);
	if (n < 1 || n > 64)
		return false;
	if (!((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= '0' && id[0] <= '9')))
		return false;
	for (i = 1; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

bool fb_type_valid(const char *type)
{
	return fb_id_valid(type);
}

/* ---- sources ------------------------------------------------------------- */

int fb_source_worktree(struct fb_source **out, struct fb_repo *r)
{
	struct fb_source *s = fb_calloc(1, sizeof(*s));
	s->repo = r;
	strcpy(s->name, "working tree");
	fb_buf_init(&s->dir);
	s->dirfd = -1;
	*out = s;
	return 0;
}

static int source_from_commit(struct fb_source **out, struct fb_repo *r, git_commit *c,
			      struct fb_diag *d)
{
	struct fb_source *s = fb_calloc(1, sizeof(*s));
	fb_buf_init(&s->dir);
	s->dirfd = -1;
	if (git_commit_tree(&s->tree, c) < 0) {
		fb_git_diag(d, "cannot read the commit's tree");
		free(s);
		return FB_EIO;
	}
	s->repo = r;
	git_oid_tostr(s->name, sizeof(s->name), git_commit_id(c));
	*out = s;
	return 0;
}

int fb_source_rev(struct fb_source **out, struct fb_repo *r, const char *rev, struct fb_diag *d)
{
	git_object *obj = NULL, *peeled = NULL;
	struct fb_source *s;
	int err;

	*out = NULL;
	if ((err = repo_open_git(r, d)) < 0)
		return err;
	if (fb_git_revparse(&obj, r->git, rev) < 0) {
		if (fb_repo_fault(r)) { /* it is there, but cannot be read */
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "%s", fb_repo_fault(r));
			return FB_EIO;
		}
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "unknown revision '%s'", rev);
		return FB_ENOTFOUND;
	}
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) == 0) {
		err = source_from_commit(out, r, (git_commit *)peeled, d);
		goto out;
	}
	if (git_object_peel(&peeled, obj, GIT_OBJECT_TREE) < 0) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "revision '%s' names neither a commit nor a tree", rev);
		err = FB_ENOTFOUND;
		goto out;
	}
	s = fb_calloc(1, sizeof(*s));
	fb_buf_init(&s->dir);
	s->dirfd = -1;
	s->repo = r;
	s->tree = (git_tree *)peeled;
	peeled = NULL;
	git_oid_tostr(s->name, sizeof(s->name), git_tree_id(s->tree));
	*out = s;
out:
	git_object_free(peeled);
	git_object_free(obj);
	return err;
}

int fb_source_at_time(struct fb_source **out, struct fb_repo *r, time_t t, struct fb_diag *d)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	int err;

	*out = NULL;
	if ((err = repo_open_git(r, d)) < 0)
		return err;
	if (git_revwalk_new(&walk, r->git) < 0 || git_revwalk_push_head(walk) < 0) {
		git_revwalk_free(walk);
		if (fb_repo_fault(r)) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "%s", fb_repo_fault(r));
			return FB_EIO;
		}
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "the repository has no commits yet");
		return FB_ENOTFOUND;
	}
	git_revwalk_simplify_first_parent(walk);
	err = FB_ENOTFOUND;
	while (git_revwalk_next(&oid, walk) == 0) {
		git_commit *c;
		if (git_commit_lookup(&c, r->git, &oid) < 0)
			continue;
		if (git_commit_time(c) <= (git_time_t)t) {
			err = source_from_commit(out, r, c, d);
			git_commit_free(c);
			break;
		}
		git_commit_free(c);
	}
	git_revwalk_free(walk);
	if (err == FB_ENOTFOUND)
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "the history starts later");
	return err;
}

void fb_source_free(struct fb_source *s)
{
	size_t i;
	if (!s)
		return;
	git_tree_free(s->tree);
	if (s->dirfd >= 0)
		close(s->dirfd);
	fb_buf_release(&s->dir);
	for (i = 0; i < s->nover; i++) {
		free(s->over[i].path);
		free(s->over[i].text);
	}
	free(s->over);
	free(s);
}

int fb_source_twin(struct fb_source **out, const struct fb_source *s)
{
	*out = NULL;
	if (s->tree)
		return FB_ENOTFOUND;
	return fb_source_worktree(out, s->repo);
}

void fb_source_overlay(struct fb_source *s, const char *path, const char *text, size_t len)
{
	struct overlay *o = NULL;
	size_t i;
	for (i = 0; i < s->nover; i++)
		if (!strcmp(s->over[i].path, path))
			o = &s->over[i];
	if (!o) {
		FB_GROW(s->over, s->nover, s->over_alloc);
		o = &s->over[s->nover++];
		o->path = fb_strdup(path);
	} else {
		free(o->text);
	}
	o->text = text ? fb_strndup(text, len) : NULL;
	o->len = len;
}

static const struct overlay *overlay_of(const struct fb_source *s, const char *path)
{
	size_t i;
	for (i = 0; i < s->nover; i++)
		if (!strcmp(s->over[i].path, path))
			return &s->over[i];
	return NULL;
}

bool fb_source_has_overlays(const struct fb_source *s)
{
	return s->nover > 0;
}

const char *fb_source_name(const struct fb_source *s)
{
	return s->name;
}

/* ---- the file rules -------------------------------------------------------- */

enum name_kind {
	NAME_IGNORED,
	NAME_RECORD,
	NAME_YML,    /* a record with the wrong extension: warned about */
	NAME_BAD_ID, /* *.yaml whose stem is not an id */
};

static enum name_kind classify_name(const char *name)
{
	static const char *const ignored[] = {"~", ".swp", ".swo", ".orig", ".tmp"};
	size_t i, n = strlen(name);
	char stem[80];

	if (name[0] == '.')
		return NAME_IGNORED;
	for (i = 0; i < FB_ARRAY_SIZE(ignored); i++)
		if (fb_has_suffix(name, ignored[i]))
			return NAME_IGNORED;
	if (fb_has_suffix(name, ".yml"))
		return NAME_YML;
	if (!fb_has_suffix(name, ".yaml"))
		return NAME_IGNORED;
	if (n - 5 >= sizeof(stem))
		return NAME_BAD_ID;
	memcpy(stem, name, n - 5);
	stem[n - 5] = '\0';
	return fb_id_valid(stem) ? NAME_RECORD : NAME_BAD_ID;
}

bool fb_is_record_name(const char *name)
{
	return classify_name(name) == NAME_RECORD;
}

bool fb_path_under(const char *path, const struct fb_strvec *prefixes)
{
	size_t i;
	if (!prefixes || !prefixes->n)
		return true;
	for (i = 0; i < prefixes->n; i++) {
		size_t n = strlen(prefixes->v[i]);
		if (!strncmp(path, prefixes->v[i], n) && (path[n] == '\0' || path[n] == '/'))
			return true;
	}
	return false;
}

bool fb_record_path_parse(const char *path, char **type, char **id)
{
	const char *t = path + 8, *slash, *name;
	if (strncmp(path, "records/", 8) || !(slash = strchr(t, '/')) || slash == t)
		return false;
	name = strrchr(path, '/') + 1;
	if (!fb_is_record_name(name))
		return false;
	*type = fb_strndup(t, (size_t)(slash - t));
	*id = fb_strndup(name, strlen(name) - 5);
	return true;
}

char *fb_record_path_name(const char *path)
{
	char *type = NULL, *id = NULL;
	struct fb_buf name = FB_BUF_INIT;
	if (fb_record_path_parse(path, &type, &id))
		fb_buf_addf(&name, "%s/%s", type, id);
	free(type);
	free(id);
	return name.ptr ? fb_buf_detach(&name, NULL) : NULL;
}

struct lister {
	struct fb_source *src;
	const char *type;
	struct fb_entries *out;
	struct fb_diag *d;
	struct fb_buf path; /* repository-relative path being walked */
};

static void file_diag(struct lister *l, enum fb_severity sev, const char *keyword,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void file_diag(struct lister *l, enum fb_severity sev, const char *keyword,
		      const char *fmt, ...)
{
	struct fb_diag_entry *e;
	va_list ap;
	va_start(ap, fmt);
	e = fb_diag_vaddf(l->d, sev, l->path.ptr, 1, 1, fmt, ap);
	va_end(ap);
	fb_diag_set(e, "", keyword, NULL, NULL);
}

/* Handle one name under records/<type>/; `l->path` is its full relative path. */
static void take_name(struct lister *l, const char *name, const unsigned char *oid)
{
	struct fb_entry *e;
	size_t n = strlen(name);
	const struct overlay *o = l->src->nover ? overlay_of(l->src, l->path.ptr) : NULL;

	if (o && !o->text)
		return; /* hidden: not there at all, whatever its name */

	switch (classify_name(name)) {
	case NAME_IGNORED:
		return;
	case NAME_YML:
		file_diag(l, FB_SEV_WARNING, "file",
			  "record files end in '.yaml': rename this file to '%.*s.yaml' "
			  "(it is not read until then)",
			  (int)(n - 4), name);
		return;
	case NAME_BAD_ID:
		file_diag(l, FB_SEV_ERROR, "id",
			  "'%.*s' is not a valid record id: use 1-64 lower-case letters, digits, "
			  "'.', '_' or '-', starting with a letter or digit",
			  (int)(n - 5), name);
		return;
	case NAME_RECORD:
		break;
	}
	FB_GROW(l->out->v, l->out->n, l->out->alloc);
	e = &l->out->v[l->out->n++];
	memset(e, 0, sizeof(*e));
	e->type = fb_strdup(l->type);
	e->id = fb_strndup(name, n - 5);
	e->path = fb_strdup(l->path.ptr);
	if (oid) {
		memcpy(e->oid, oid, sizeof(e->oid));
		e->has_oid = true;
	}
}

/*
 * Whether records/<type> may be walked: a link on the way out of the
 * repository is an error, and the type folder itself, as any folder of a
 * listing, is not descended when it is a link.
 */
static bool type_folder_ok(struct lister *l)
{
	struct fb_repo *r = l->src->repo;
	size_t at = 0;
	const char *why = repo_link_check(r, l->path.ptr, l->path.len, false, &at);
	struct fb_buf abs = FB_BUF_INIT;
	struct stat st;
	bool ok = true;

	if (why) { /* records/ itself is fb_source_types' to report */
		if (at == l->path.len)
			file_diag(l, FB_SEV_ERROR, "file", "%s", why);
		ok = false;
	} else {
		fb_buf_addf(&abs, "%s/%s", r->root, l->path.ptr);
		if (lstat(abs.ptr, &st) == 0 && S_ISLNK(st.st_mode)) {
			file_diag(l, FB_SEV_WARNING, "file", "symbolic link to a folder; not followed");
			ok = false;
		}
	}
	fb_buf_release(&abs);
	return ok;
}

static void walk_dir(struct lister *l, int depth)
{
	struct fb_buf abs = FB_BUF_INIT;
	const char *root = l->src->repo->root;
	size_t base = l->path.len;
	struct dirent *de;
	DIR *dir;

	if (depth == 0 && !type_folder_ok(l)) {
		fb_buf_release(&abs);
		return;
	}
	fb_buf_addf(&abs, "%s/%s", root, l->path.ptr);
	dir = opendir(abs.ptr);
	if (!dir) {
		if (errno != ENOENT)
			file_diag(l, FB_SEV_ERROR, "file", "cannot read this folder: %s",
				  strerror(errno));
		fb_buf_release(&abs);
		return;
	}
	while ((de = readdir(dir))) {
		const char *name = de->d_name;
		unsigned char type = de->d_type;
		struct stat st;

		if (name[0] == '.')
			continue;
		fb_buf_setlen(&l->path, base);
		fb_buf_putc(&l->path, '/');
		fb_buf_puts(&l->path, name);
		if (type == DT_UNKNOWN || type == DT_LNK) {
			fb_buf_setlen(&abs, 0);
			fb_buf_addf(&abs, "%s/%s", root, l->path.ptr);
			if (lstat(abs.ptr, &st) < 0)
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR
			       : S_ISREG(st.st_mode) ? DT_REG
			       : S_ISLNK(st.st_mode) ? DT_LNK
						     : DT_UNKNOWN;
		}
		if (type == DT_DIR) {
			if (depth >= MAX_FOLDER_DEPTH)
				file_diag(l, FB_SEV_ERROR, "file",
					  "folders nested more than %d deep; not read",
					  MAX_FOLDER_DEPTH);
			else
				walk_dir(l, depth + 1);
			continue;
		}
		if (type == DT_LNK) {
			char *target = realpath(abs.ptr, NULL);
			bool folder = target && stat(target, &st) == 0 && S_ISDIR(st.st_mode);
			if (!folder && classify_name(name) == NAME_IGNORED) {
				free(target);
				continue;
			}
			if (!target || !repo_inside(l->src->repo, target)) {
				const char *why = target ? LINK_OUT : LINK_BROKEN;
				repo_refuse_link(l->src->repo, l->path.ptr, l->path.len, why);
				file_diag(l, FB_SEV_ERROR, "file", "%s", why);
			} else if (folder) {
				file_diag(l, FB_SEV_WARNING, "file",
					  "symbolic link to a folder; not followed");
			} else {
				take_name(l, name, NULL);
			}
			free(target);
			continue;
		}
		if (type == DT_REG)
			take_name(l, name, NULL);
	}
	closedir(dir);
	fb_buf_setlen(&l->path, base);
	fb_buf_release(&abs);
}

static void walk_tree(struct lister *l, git_tree *tree, int depth)
{
	size_t i, count = git_tree_entrycount(tree), base = l->path.len;
	git_repository *git = l->src->repo->git;

	for (i = 0; i < count; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(te);
		git_filemode_t mode = git_tree_entry_filemode(te);

		if (name[0] == '.')
			continue;
		fb_buf_setlen(&l->path, base);
		fb_buf_addf(&l->path, "/%s", name);
		if (mode == GIT_FILEMODE_TREE) {
			git_tree *sub;
			if (depth >= MAX_FOLDER_DEPTH) {
				file_diag(l, FB_SEV_ERROR, "file",
					  "folders nested more than %d deep; not read",
					  MAX_FOLDER_DEPTH);
				continue;
			}
			if (git_tree_lookup(&sub, git, git_tree_entry_id(te)) < 0)
				continue;
			walk_tree(l, sub, depth + 1);
			git_tree_free(sub);
		} else if (mode == GIT_FILEMODE_LINK) {
			if (classify_name(name) != NAME_IGNORED)
				file_diag(l, FB_SEV_ERROR, "file",
					  "symbolic link in the history; not followed");
		} else if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) {
			take_name(l, name, git_tree_entry_id(te)->id);
		}
	}
	fb_buf_setlen(&l->path, base);
}

/* Hidden files leave the listing; laid-over records of this type join it. */
static void apply_overlay(struct lister *l)
{
	struct fb_source *s = l->src;
	size_t i, keep = 0, n = strlen(l->type);

	if (!s->nover)
		return;
	for (i = 0; i < l->out->n; i++) {
		const struct overlay *o = overlay_of(s, l->out->v[i].path);
		if (o && !o->text) {
			free(l->out->v[i].type);
			free(l->out->v[i].id);
			free(l->out->v[i].path);
			continue;
		}
		l->out->v[keep++] = l->out->v[i];
	}
	l->out->n = keep;
	for (i = 0; i < s->nover; i++) {
		const char *p = s->over[i].path, *name;
		bool listed = false;
		size_t k;
		if (!s->over[i].text || strncmp(p, "records/", 8) || strncmp(p + 8, l->type, n) ||
		    p[8 + n] != '/')
			continue;
		for (k = 0; k < l->out->n && !listed; k++)
			listed = !strcmp(l->out->v[k].path, p);
		if (listed)
			continue;
		name = strrchr(p, '/') + 1;
		fb_buf_reset(&l->path);
		fb_buf_puts(&l->path, p);
		take_name(l, name, NULL);
	}
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct fb_entry *a = pa, *b = pb;
	int c = strcmp(a->id, b->id);
	return c ? c : strcmp(a->path, b->path);
}

static void entry_release(struct fb_entry *e)
{
	free(e->type);
	free(e->id);
	free(e->path);
}

/* Sort by id; report and drop every duplicate after the first (by path). */
static void dedupe(struct lister *l)
{
	struct fb_entries *es = l->out;
	size_t i, keep = 0;

	if (es->n > 1)
		qsort(es->v, es->n, sizeof(*es->v), cmp_entry);
	for (i = 0; i < es->n; i++) {
		if (keep && !strcmp(es->v[keep - 1].id, es->v[i].id)) {
			struct fb_diag_entry *e = fb_diag_addf(
				l->d, FB_SEV_ERROR, es->v[i].path, 1, 1,
				"duplicate id '%s': '%s' has it too (ids are unique within a "
				"type, across sub-folders)",
				es->v[i].id, es->v[keep - 1].path);
			fb_diag_set(e, "", "id", es->v[i].id, NULL);
			entry_release(&es->v[i]);
			continue;
		}
		es->v[keep++] = es->v[i];
	}
	es->n = keep;
}

int fb_source_list(struct fb_source *s, const char *type, struct fb_entries *out,
		   struct fb_diag *d)
{
	struct lister l = {s, type, out, d, FB_BUF_INIT};
	int err = 0;

	fb_buf_addf(&l.path, "records/%s", type);
	if (!s->tree) {
		walk_dir(&l, 0);
	} else {
		git_tree_entry *te = NULL;
		git_tree *sub = NULL;
		if (git_tree_entry_bypath(&te, s->tree, l.path.ptr) == 0 &&
		    git_tree_entry_type(te) == GIT_OBJECT_TREE) {
			if (git_tree_lookup(&sub, s->repo->git, git_tree_entry_id(te)) < 0) {
				fb_git_diag(d, "cannot read the records folder");
				err = FB_EIO;
			} else {
				walk_tree(&l, sub, 0);
			}
		}
		git_tree_free(sub);
		git_tree_entry_free(te);
	}
	apply_overlay(&l);
	dedupe(&l);
	fb_buf_release(&l.path);
	return err;
}

void fb_entries_release(struct fb_entries *es)
{
	size_t i;
	for (i = 0; i < es->n; i++)
		entry_release(&es->v[i]);
	free(es->v);
	memset(es, 0, sizeof(*es));
}

const struct fb_entry *fb_entries_find(const struct fb_entries *es, const char *id)
{
	size_t lo = 0, hi = es->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(es->v[mid].id, id);
		if (!c)
			return &es->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- reading --------------------------------------------------------------- */

static int read_blob(struct fb_source *s, const git_oid *oid, struct fb_buf *out, const char *path,
		     struct fb_diag *d)
{
	size_t size = 0;
	int err = fb_git_blob_read(s->repo->git, oid, FB_NODE_MAX_FILE, out, &size);

	if (err == FB_EIO)
		fb_diag_addf(d, FB_SEV_ERROR, path, 0, 0, "cannot read this file from %s: %s",
			     s->name, git_error_last() ? git_error_last()->message : "");
	else if (err == FB_EINVALID)
		fb_doc_too_large(d, path, size);
	return err;
}

/*
 * An open fd of the folder `path` (repository-relative) lies in, reused
 * while it stays the same; -1 with `*why` set when a link on the way leaves
 * the repository (link_check).
 */
static int folder_fd(struct fb_source *s, const char *path, const char **base, const char **why)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	*base = slash ? slash + 1 : path;
	if (s->dirfd >= 0 && s->dir.len == n && !memcmp(s->dir.ptr, path, n))
		return s->dirfd;
	if (s->dirfd >= 0)
		close(s->dirfd);
	s->dirfd = -1;
	fb_buf_reset(&s->dir);
	if ((*why = repo_link_check(s->repo, path, n, false, NULL)))
		return -1;
	fb_buf_puts(&s->dir, s->repo->root);
	fb_buf_putc(&s->dir, '/');
	fb_buf_add(&s->dir, path, n);
	s->dirfd = open(s->dir.ptr, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fb_buf_reset(&s->dir);
	if (s->dirfd >= 0)
		fb_buf_add(&s->dir, path, n);
	return s->dirfd;
}

/*
 * A working-tree file, under the link rule: a file or folder that is a link
 * out of the repository reads as absent (FB_ENOTFOUND, no diagnostic: the
 * refusal is kept on the repository for the command to report).
 */
static int read_worktree(struct fb_source *s, const char *path, struct fb_buf *out,
			 struct fb_diag *d, bool quiet_missing)
{
	const char *base, *why = NULL;
	int dirfd = folder_fd(s, path, &base, &why), err;

	if (why)
		return FB_ENOTFOUND;
	err = dirfd < 0 ? (errno == ENOENT || errno == ENOTDIR ? FB_ENOTFOUND : FB_EIO)
			: fb_buf_read_fileat(out, dirfd, base, FB_NODE_MAX_FILE, O_NOFOLLOW);
	if (err == FB_EIO && errno == ELOOP) { /* the file is a link: followed only inside */
		if (repo_link_check(s->repo, path, strlen(path), false, NULL))
			return FB_ENOTFOUND;
		err = fb_buf_read_fileat(out, dirfd, base, FB_NODE_MAX_FILE, 0);
	}
	if (err == FB_EINVALID) {
		struct stat st;
		if (fstatat(dirfd, base, &st, 0) == 0)
			fb_doc_too_large(d, path, (size_t)st.st_size);
	} else if (err == FB_ENOTFOUND) {
		if (!quiet_missing)
			fb_diag_addf(d, FB_SEV_ERROR, path, 0, 0, "no such file");
	} else if (err) {
		fb_diag_addf(d, FB_SEV_ERROR, path, 1, 1, "cannot read: %s", strerror(errno));
	}
	return err;
}

int fb_repo_read_file(struct fb_repo *r, const char *path, struct fb_buf *out, struct fb_diag *d)
{
	struct fb_source *s;
	int err;
	fb_source_worktree(&s, r);
	err = read_worktree(s, path, out, d, true);
	fb_source_free(s);
	return err;
}

/* What an overlay holds at a path: its text, or FB_ENOTFOUND when it hides the file. */
static int read_overlay(const struct overlay *o, struct fb_buf *out)
{
	fb_buf_reset(out);
	if (!o->text)
		return FB_ENOTFOUND;
	fb_buf_add(out, o->text, o->len);
	return 0;
}

int fb_source_read(struct fb_source *s, const struct fb_entry *e, struct fb_buf *out,
		   struct fb_diag *d)
{
	const struct overlay *o = s->nover ? overlay_of(s, e->path) : NULL;
	if (o)
		return read_overlay(o, out);
	if (e->has_oid && s->tree) {
		git_oid oid;
		memcpy(oid.id, e->oid, sizeof(oid.id));
		return read_blob(s, &oid, out, e->path, d);
	}
	return read_worktree(s, e->path, out, d, false);
}

int fb_source_read_path(struct fb_source *s, const char *path, struct fb_buf *out,
			struct fb_diag *d)
{
	const struct overlay *o = s->nover ? overlay_of(s, path) : NULL;
	git_tree_entry *te;
	int err;

	if (o)
		return read_overlay(o, out);
	if (!s->tree)
		return read_worktree(s, path, out, d, true);
	if (git_tree_entry_bypath(&te, s->tree, path) < 0)
		return FB_ENOTFOUND;
	if (git_tree_entry_type(te) != GIT_OBJECT_BLOB)
		err = FB_ENOTFOUND;
	else
		err = read_blob(s, git_tree_entry_id(te), out, path, d);
	git_tree_entry_free(te);
	return err;
}

/* ---- types --------------------------------------------------------------------- */

static void add_type_name(struct fb_strvec *v, const char *name)
{
	size_t n = strlen(name);
	char stem[80];
	if (name[0] == '_' || name[0] == '.' || !fb_has_suffix(name, ".yaml") || n - 5 >= sizeof(stem))
		return;
	memcpy(stem, name, n - 5);
	stem[n - 5] = '\0';
	if (fb_type_valid(stem))
		fb_strvec_push(v, stem);
}

/*
 * Names directly inside a folder of the source (files and sub-folders
 * separately).  A folder that is a link out of the repository lists
 * nothing: FB_EINVALID with `*why`, the link kept on the repository.
 */
static int list_folder(struct fb_source *s, const char *folder, struct fb_strvec *files,
		       struct fb_strvec *dirs, const char **why)
{
	if (!s->tree) {
		struct fb_buf abs = FB_BUF_INIT;
		struct dirent *de;
		DIR *dir;
		if ((*why = repo_link_check(s->repo, folder, strlen(folder), false, NULL)))
			return FB_EINVALID;
		fb_buf_addf(&abs, "%s/%s", s->repo->root, folder);
		dir = opendir(abs.ptr);
		if (!dir) {
			fb_buf_release(&abs);
			return errno == ENOENT ? 0 : FB_EIO;
		}
		while ((de = readdir(dir))) {
			struct stat st;
			size_t n = abs.len;
			if (de->d_name[0] == '.')
				continue;
			fb_buf_addf(&abs, "/%s", de->d_name);
			if (lstat(abs.ptr, &st) == 0)
				fb_strvec_push(S_ISDIR(st.st_mode) ? dirs : files, de->d_name);
			fb_buf_setlen(&abs, n);
		}
		closedir(dir);
		fb_buf_release(&abs);
	} else {
		git_tree_entry *te = NULL;
		git_tree *sub = NULL;
		size_t i;
		if (git_tree_entry_bypath(&te, s->tree, folder) < 0)
			return 0;
		if (git_tree_entry_type(te) == GIT_OBJECT_TREE &&
		    git_tree_lookup(&sub, s->repo->git, git_tree_entry_id(te)) == 0) {
			for (i = 0; i < git_tree_entrycount(sub); i++) {
				const git_tree_entry *e = git_tree_entry_byindex(sub, i);
				fb_strvec_push(git_tree_entry_type(e) == GIT_OBJECT_TREE ? dirs : files,
					       git_tree_entry_name(e));
			}
		}
		git_tree_free(sub);
		git_tree_entry_free(te);
	}
	fb_strvec_sort(files);
	fb_strvec_sort(dirs);
	return 0;
}

int fb_source_schema_files(struct fb_source *s, struct fb_strvec *out)
{
	struct fb_strvec files = {0}, dirs = {0};
	size_t i;
	const char *why;
	int err = list_folder(s, "schemas", &files, &dirs, &why);
	for (i = 0; i < files.n; i++)
		if (files.v[i][0] != '.' && fb_has_suffix(files.v[i], ".yaml"))
			fb_strvec_push(out, files.v[i]);
	fb_strvec_release(&files);
	fb_strvec_release(&dirs);
	return err == FB_EINVALID ? 0 : err; /* a link: kept on the repository */
}

int fb_source_types(struct fb_source *s, struct fb_strvec *out, struct fb_diag *d)
{
	struct fb_strvec files = {0}, dirs = {0}, rfiles = {0}, rdirs = {0};
	size_t i;
	int err;

	for (i = 0; i < 2; i++) {
		const char *folder = i ? "records" : "schemas", *why = NULL;
		err = list_folder(s, folder, i ? &rfiles : &files, i ? &rdirs : &dirs, &why);
		if (err == FB_EINVALID) {
			fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, folder, 1, 1, "%s", why), "",
				    "file", NULL, NULL);
			err = 0;
		} else if (err < 0) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "cannot read %s/", folder);
			goto out;
		}
	}
	for (i = 0; i < files.n; i++)
		add_type_name(out, files.v[i]);
	for (i = 0; i < rdirs.n; i++) {
		if (fb_strvec_has(out, rdirs.v[i]))
			continue;
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "records/%s/: no schema for this folder (expected schemas/%s.yaml)",
			     rdirs.v[i], rdirs.v[i]);
	}
	for (i = 0; i < rfiles.n; i++) {
		struct fb_buf path = FB_BUF_INIT;
		if (!fb_has_suffix(rfiles.v[i], ".yaml") && !fb_has_suffix(rfiles.v[i], ".yml"))
			continue;
		fb_buf_addf(&path, "records/%s", rfiles.v[i]);
		fb_diag_set(fb_diag_addf(d, FB_SEV_WARNING, path.ptr, 1, 1,
					 "not inside a type folder (records/TYPE/); not read"),
			    "", "file", NULL, NULL);
		fb_buf_release(&path);
	}
out:
	fb_strvec_release(&files);
	fb_strvec_release(&dirs);
	fb_strvec_release(&rfiles);
	fb_strvec_release(&rdirs);
	return err;
}

/* ---- command-line targets ------------------------------------------------------ */

static int usage_error(struct fb_diag *d, const char *arg, const char *why)
{
	struct fb_buf shown = FB_BUF_INIT;
	fb_diag_shorten(&shown, arg, strlen(arg), 80);
	fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "'%s' is not a record: %s", shown.ptr, why);
	fb_buf_release(&shown);
	return FB_EUSAGE;
}

/* Lexically normalise an absolute path; fails on "..". */
static int normalise(struct fb_buf *out, const char *abs)
{
	const char *p = abs;
	fb_buf_reset(out);
	while (*p) {
		const char *q;
		size_t n;
		while (*p == '/')
			p++;
		q = strchr(p, '/');
		n = q ? (size_t)(q - p) : strlen(p);
		if (n == 0)
			break;
		if (n == 2 && !memcmp(p, "..", 2))
			return -1;
		if (!(n == 1 && p[0] == '.')) {
			fb_buf_putc(out, '/');
			fb_buf_add(out, p, n);
		}
		p += n;
	}
	return 0;
}

int fb_target_parse(struct fb_repo *r, const char *arg, char **type, char **id,
		    struct fb_diag *d)
{
	static const char *const shape =
		"expected TYPE/ID (contacts/c-0042) or the path of a file under records/";
	struct fb_buf abs = FB_BUF_INIT, norm = FB_BUF_INIT;
	size_t n = strlen(arg), i, rootlen;
	const char *rel, *slash, *stem;
	int err = FB_EUSAGE;

	*type = *id = NULL;
	if (n == 0)
		return usage_error(d, arg, shape);
	if (n > 255)
		return usage_error(d, arg, "longer than 255 bytes");
	for (i = 0; i < n; i++)
		if ((unsigned char)arg[i] < 0x20 || arg[i] == 0x7f)
			return usage_error(d, arg, "it contains control characters");

	/* TYPE/ID */
	slash = strchr(arg, '/');
	if (slash && !strchr(slash + 1, '/') && !fb_has_suffix(arg, ".yaml") &&
	    !fb_has_suffix(arg, ".yml")) {
		char *t = fb_strndup(arg, (size_t)(slash - arg));
		if (!fb_type_valid(t) || !fb_id_valid(slash + 1)) {
			free(t);
			return usage_error(d, arg,
					   "TYPE and ID are 1-64 lower-case letters, digits, '.', "
					   "'_' or '-', starting with a letter or digit");
		}
		*type = t;
		*id = fb_strdup(slash + 1);
		return 0;
	}
	if (!fb_has_suffix(arg, ".yaml"))
		return usage_error(d, arg, shape);

	/* a path: relative to the current directory, or absolute */
	if (arg[0] != '/') {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)))
			return usage_error(d, arg, "the current directory is unreadable");
		fb_buf_addf(&abs, "%s/%s", cwd, arg);
	} else {
		fb_buf_puts(&abs, arg);
	}
	if (normalise(&norm, abs.ptr) < 0) {
		err = usage_error(d, arg, "paths may not contain '..'");
		goto out;
	}
	rootlen = strcmp(r->root, "/") ? strlen(r->root) : 0;
	if (strncmp(norm.ptr, r->root, rootlen) || strncmp(norm.ptr + rootlen, "/records/", 9)) {
		err = usage_error(d, arg, "the path is not under this repository's records/");
		goto out;
	}
	rel = norm.ptr + rootlen + 9; /* TYPE/.../ID.yaml */
	slash = strchr(rel, '/');
	stem = strrchr(rel, '/');
	if (!slash || !stem) {
		err = usage_error(d, arg, shape);
		goto out;
	}
	stem++;
	*type = fb_strndup(rel, (size_t)(slash - rel));
	*id = fb_strndup(stem, strlen(stem) - 5);
	if (!fb_type_valid(*type) || !fb_id_valid(*id)) {
		free(*type);
		free(*id);
		*type = *id = NULL;
		err = usage_error(d, arg, "the file name is not a valid record id");
		goto out;
	}
	err = 0;
out:
	fb_buf_release(&abs);
	fb_buf_release(&norm);
	return err;
}
