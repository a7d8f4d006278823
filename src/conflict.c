/*
 * Unresolved merge conflicts (see conflict.h): the files under
 * .git/fieldbook/conflicts/, written atomically like every file fieldbook
 * writes, listed by walking the two levels TYPE/ID.yaml.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fieldbook/conflict.h>
#include <fieldbook/store.h>
#include <fieldbook/vcs.h>

/* The folder of TYPE's conflict files (made when `make`), into `out`. */
static int type_dir(struct fb_repo *r, const char *type, bool make, struct fb_buf *out,
		    struct fb_diag *d)
{
	if (fb_repo_private_dir(r, "conflicts", out, d) < 0)
		return FB_EIO;
	fb_buf_addf(out, "/%s", type);
	if (make && mkdir(out->ptr, 0700) < 0 && errno != EEXIST) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "cannot make %s: %s", out->ptr,
			     strerror(errno));
		return FB_EIO;
	}
	return 0;
}

static void value_line(struct fb_buf *out, const char *name, const char *json)
{
	if (json)
		fb_buf_addf(out, "    %s: %s\n", name, json);
}

int fb_conflict_save(struct fb_repo *r, const char *type, const char *id, const char *path,
		     const struct fb_merge *m, struct fb_diag *d)
{
	struct fb_buf file = FB_BUF_INIT, text = FB_BUF_INIT;
	size_t i;
	int err = type_dir(r, type, true, &file, d);

	if (err)
		return err;
	fb_buf_addf(&file, "/%s.yaml", id);
	fb_buf_addf(&text,
		    "# fieldbook: an unresolved merge of %s/%s; the record keeps ours.\n"
		    "# Settle it with: fieldbook resolve %s/%s --ours | --theirs | "
		    "--field PATH=ours|theirs|VALUE\n",
		    type, id, type, id);
	fb_buf_addf(&text, "record: %s/%s\npath: ", type, id);
	fb_buf_json_str(&text, path, strlen(path));
	fb_buf_puts(&text, "\nconflicts:\n");
	for (i = 0; i < m->n; i++) {
		const struct fb_merge_conflict *c = &m->v[i];
		fb_buf_puts(&text, "  - field: ");
		fb_buf_json_str(&text, c->path[0] ? c->path : "/", strlen(c->path[0] ? c->path : "/"));
		fb_buf_putc(&text, '\n');
		value_line(&text, "base", c->base);
		value_line(&text, "ours", c->ours);
		value_line(&text, "theirs", c->theirs);
	}
	err = fb_file_replace(file.ptr, text.ptr, text.len, 0600, file.ptr, d);
	fb_buf_release(&file);
	fb_buf_release(&text);
	return err;
}

/*
 * git's index is the truth of what is unmerged: a conflict file whose
 * record git no longer has unmerged (settled with git add, the merge
 * aborted) is stale, and goes.  The others become their record's path.
 */
static void forget_stale(struct fb_repo *r, struct fb_strvec *list, struct fb_diag *d)
{
	struct fb_strvec unmerged = {0}, records = {0};
	struct fb_diag quiet = FB_DIAG_INIT;
	size_t i, k;

	if (fb_vcs_unmerged(r, &unmerged, d) < 0)
		return;
	for (i = 0; i < unmerged.n; i++) { /* records[i]: "TYPE/ID" of unmerged.v[i], or "" */
		char *name = fb_record_path_name(unmerged.v[i]);
		fb_strvec_push(&records, name ? name : "");
		free(name);
	}
	for (i = k = 0; i < list->n; i++) {
		char *slash = strchr(list->v[i], '/');
		size_t at;
		for (at = 0; at < records.n && strcmp(records.v[at], list->v[i]); at++)
			;
		if (at < records.n) {
			free(list->v[i]);
			list->v[k++] = fb_strdup(unmerged.v[at]);
			continue;
		}
		*slash = '\0';
		fb_conflict_clear(r, list->v[i], slash + 1, &quiet);
		free(list->v[i]);
	}
	list->n = k;
	fb_strvec_release(&unmerged);
	fb_strvec_release(&records);
	fb_diag_release(&quiet);
}

int fb_conflict_list(struct fb_repo *r, struct fb_strvec *out, struct fb_diag *d)
{
	struct fb_buf dir = FB_BUF_INIT, sub = FB_BUF_INIT, name = FB_BUF_INIT;
	struct dirent *te, *fe;
	DIR *types;

	if (fb_repo_private_dir(r, "conflicts", &dir, d) < 0)
		return FB_EIO;
	if (!(types = opendir(dir.ptr))) {
		fb_buf_release(&dir);
		return 0;
	}
	while ((te = readdir(types))) {
		DIR *files;
		if (!fb_type_valid(te->d_name))
			continue;
		fb_buf_reset(&sub);
		fb_buf_addf(&sub, "%s/%s", dir.ptr, te->d_name);
		if (!(files = opendir(sub.ptr)))
			continue;
		while ((fe = readdir(files))) {
			size_t n = strlen(fe->d_name);
			if (!fb_has_suffix(fe->d_name, ".yaml"))
				continue;
			fb_buf_reset(&name);
			fb_buf_add(&name, fe->d_name, n - 5);
			if (!fb_id_valid(name.ptr))
				continue;
			fb_buf_reset(&name);
			fb_buf_addf(&name, "%s/%.*s", te->d_name, (int)(n - 5), fe->d_name);
			fb_strvec_push(out, name.ptr);
		}
		closedir(files);
	}
	closedir(types);
	if (out->n) /* only then is the index worth reading */
		forget_stale(r, out, d);
	fb_strvec_sort(out);
	fb_buf_release(&dir);
	fb_buf_release(&sub);
	fb_buf_release(&name);
	return 0;
}

int fb_conflict_clear(struct fb_repo *r, const char *type, const char *id, struct fb_diag *d)
{
	struct fb_buf file = FB_BUF_INIT;
	int err = type_dir(r, type, false, &file, d);

	if (!err) {
		fb_buf_addf(&file, "/%s.yaml", id);
		if (unlink(file.ptr) < 0 && errno != ENOENT) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "cannot remove %s: %s", file.ptr,
				     strerror(errno));
			err = FB_EIO;
		}
		fb_buf_reset(&file);
		if (type_dir(r, type, false, &file, d) == 0)
			rmdir(file.ptr); /* when it is empty */
	}
	fb_buf_release(&file);
	return err;
}
