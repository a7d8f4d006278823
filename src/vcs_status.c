/*
 * status (see vcs.h): git's status of records/, schemas/, fieldbook.yaml
 * and .gitattributes, said in records -- each changed record with the field
 * paths that changed between HEAD and the working tree (diff.h, typed by
 * the working tree's schemas) -- with the conflicts of a merge in
 * progress, the drafts, and the branch against its upstream as of the
 * last fetch (status never goes to the network).
 */
#include <fieldbook/diff.h>
#include <fieldbook/schema.h>

#include "vcs_int.h"

void fb_vcs_status_release(struct fb_status *st)
{
	size_t i;
	for (i = 0; i < st->n; i++) {
		free(st->v[i].path);
		free(st->v[i].record);
		fb_strvec_release(&st->v[i].fields);
	}
	free(st->v);
	free(st->branch);
	free(st->upstream);
	fb_strvec_release(&st->conflicts);
	fb_strvec_release(&st->drafts);
	memset(st, 0, sizeof(*st));
}

/* The field paths a record's change touches: HEAD's version against the working tree's. */
static void changed_fields(struct fb_repo *r, git_repository *git, git_tree *head,
			   const struct fb_schemas *ss, struct fb_status_entry *e, const char *type)
{
	const struct fb_schema *s = ss ? fb_schemas_type(ss, type) : NULL;
	struct fb_buf old = FB_BUF_INIT, now = FB_BUF_INIT;
	struct fb_doc *a = NULL, *b = NULL;
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_changes ch = {0};
	size_t i;

	if (fb_git_blob_at(git, head, e->path, &old) == 0 &&
	    fb_repo_read_file(r, e->path, &now, &quiet) == 0 &&
	    fb_record_parse(&a, e->path, old.ptr, old.len, 0, s, &quiet) == 0 &&
	    fb_record_parse(&b, e->path, now.ptr, now.len, 0, s, &quiet) == 0) {
		fb_diff_nodes(a->root, b->root, false, &ch);
		for (i = 0; i < ch.n; i++)
			fb_strvec_push(&e->fields, ch.v[i].path[0] ? ch.v[i].path : "/");
	}
	fb_changes_release(&ch);
	fb_doc_free(a);
	fb_doc_free(b);
	fb_diag_release(&quiet);
	fb_buf_release(&old);
	fb_buf_release(&now);
}

/*
 * The upstream of `branch` from branch.B.remote and branch.B.merge, as
 * "refs/remotes/R/M" (NULL: none).  Not git_branch_upstream: it looks the
 * remote up, whose insteadOf scan leaks in libgit2 1.5.1 (see vcs_sync.c).
 */
static char *upstream_of(git_repository *git, const char *branch)
{
	git_config *cfg = NULL;
	struct fb_buf key = FB_BUF_INIT, ref = FB_BUF_INIT;
	char *remote, *merge = NULL;

	if (git_repository_config_snapshot(&cfg, git) < 0)
		return NULL;
	fb_buf_addf(&key, "branch.%s.remote", branch);
	if ((remote = vcs_config_string(cfg, key.ptr))) {
		fb_buf_reset(&key);
		fb_buf_addf(&key, "branch.%s.merge", branch);
		merge = vcs_config_string(cfg, key.ptr);
	}
	if (merge && !strncmp(merge, "refs/heads/", 11)) {
		if (!strcmp(remote, "."))
			fb_buf_puts(&ref, merge);
		else
			fb_buf_addf(&ref, "refs/remotes/%s/%s", remote, merge + 11);
	}
	free(remote);
	free(merge);
	git_config_free(cfg);
	fb_buf_release(&key);
	return ref.ptr ? fb_buf_detach(&ref, NULL) : NULL;
}

static void branch_state(git_repository *git, struct fb_status *st)
{
	git_reference *head = NULL;
	if (git_repository_head(&head, git) == 0 && git_reference_is_branch(head)) {
		char *up = NULL;
		git_oid upid;
		st->branch = fb_strdup(git_reference_shorthand(head));
		if ((up = upstream_of(git, st->branch)) && git_reference_name_to_id(&upid, git, up) == 0) {
			const char *shown = up + (strncmp(up, "refs/remotes/", 13) ? 11 : 13);
			st->upstream = fb_strdup(shown);
			git_graph_ahead_behind(&st->ahead, &st->behind, git, git_reference_target(head),
					       &upid);
		}
		free(up);
	} else if (!head) {
		git_reference *sym = NULL; /* unborn: HEAD names the branch to be */
		if (git_reference_lookup(&sym, git, "HEAD") == 0 && git_reference_symbolic_target(sym))
			st->branch = fb_strdup(git_reference_symbolic_target(sym) + strlen("refs/heads/"));
		git_reference_free(sym);
	}
	git_reference_free(head);
}

int vcs_status_list(git_repository *git, git_status_list **out, struct fb_diag *d)
{
	git_status_options so;
	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		   GIT_STATUS_OPT_EXCLUDE_SUBMODULES | GIT_STATUS_OPT_SORT_CASE_SENSITIVELY;
	so.pathspec.strings = vcs_paths;
	so.pathspec.count = VCS_NPATHS;
	if (git_status_list_new(out, git, &so) < 0) {
		fb_git_diag(d, "cannot read the working tree's status");
		return FB_EIO;
	}
	return 0;
}

int fb_vcs_status(struct fb_repo *r, struct fb_status *st, struct fb_diag *d)
{
	git_repository *git = fb_repo_git(r, d);
	git_status_list *sl = NULL;
	git_object *head = NULL;
	git_tree *tree = NULL;
	struct fb_schemas *ss = NULL;
	struct fb_source *src = NULL;
	struct fb_diag quiet = FB_DIAG_INIT;
	size_t i, n;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	if (!git)
		return FB_EIO;
	branch_state(git, st);
	st->merging = git_repository_state(git) == GIT_REPOSITORY_STATE_MERGE;
	if (git_revparse_single(&head, git, "HEAD^{tree}") == 0)
		tree = (git_tree *)head;
	fb_source_worktree(&src, r);
	fb_schemas_load(&ss, src, &quiet);
	if ((rc = vcs_status_list(git, &sl, d)) < 0)
		goto out;
	n = git_status_list_entrycount(sl);
	for (i = 0; i < n; i++) {
		const git_status_entry *ge = git_status_byindex(sl, i);
		const git_diff_delta *hi = ge->head_to_index, *iw = ge->index_to_workdir;
		struct fb_status_entry *e;
		unsigned s = ge->status;
		bool in_head, in_work;

		if (s == GIT_STATUS_CURRENT || (s & (GIT_STATUS_IGNORED | GIT_STATUS_CONFLICTED)))
			continue;
		FB_GROW(st->v, st->n, st->alloc);
		e = &st->v[st->n++];
		memset(e, 0, sizeof(*e));
		e->path = fb_strdup(iw ? (iw->new_file.path ? iw->new_file.path : iw->old_file.path)
				       : (hi->new_file.path ? hi->new_file.path : hi->old_file.path));
		e->staged = (s & (GIT_STATUS_INDEX_NEW | GIT_STATUS_INDEX_MODIFIED |
				  GIT_STATUS_INDEX_DELETED | GIT_STATUS_INDEX_RENAMED |
				  GIT_STATUS_INDEX_TYPECHANGE)) != 0;
		e->unstaged = (s & (GIT_STATUS_WT_NEW | GIT_STATUS_WT_MODIFIED | GIT_STATUS_WT_DELETED |
				    GIT_STATUS_WT_RENAMED | GIT_STATUS_WT_TYPECHANGE)) != 0;
		in_head = !(s & GIT_STATUS_INDEX_NEW) && !(s & GIT_STATUS_WT_NEW);
		in_work = !(s & GIT_STATUS_WT_DELETED) &&
			  !((s & GIT_STATUS_INDEX_DELETED) && !(s & GIT_STATUS_WT_NEW));
		e->change = !in_head ? 'A' : !in_work ? 'D' : 'M';
		if ((e->record = fb_record_path_name(e->path)) && e->change == 'M' && tree) {
			char *type = fb_strndup(e->record, strcspn(e->record, "/"));
			changed_fields(r, git, tree, ss, e, type);
			free(type);
		}
	}
	if (st->merging) {
		struct fb_strvec unmerged = {0};
		fb_vcs_unmerged(r, &unmerged, &quiet);
		for (i = 0; i < unmerged.n; i++) {
			char *name = fb_record_path_name(unmerged.v[i]);
			fb_strvec_push(&st->conflicts, name ? name : unmerged.v[i]);
			free(name);
		}
		fb_strvec_release(&unmerged);
	}
	fb_drafts_list(r, "", 0, &st->drafts);
out:
	git_status_list_free(sl);
	git_object_free(head);
	fb_schemas_free(ss);
	fb_source_free(src);
	fb_diag_release(&quiet);
	return rc;
}
