/*
 * Checking records (see check.h).
 *
 * A record counts as invalid when checking it added at least one error to
 * the list; files the store refused while listing (a bad id, a duplicate)
 * count as checked and invalid too, so `checked` is every record file seen.
 */
#include <string.h>

#include <fieldbook/check.h>

static void check_id_field(const struct fb_doc *doc, const struct fb_entry *e, struct fb_diag *d)
{
	const struct fb_node *id = fb_node_get(doc->root, "id");
	struct fb_buf shown = FB_BUF_INIT;

	if (!id)
		return;
	if (!fb_node_is_scalar(id) || id->type == FB_NODE_NULL) {
		fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, e->path, id->line, id->col,
					 "/id: must be the record's id '%s', not %s", e->id,
					 fb_node_type_phrase(id->type)),
			    "/id", "id", NULL, e->id);
		return;
	}
	if (id->len == strlen(e->id) && !memcmp(id->str, e->id, id->len))
		return;
	fb_diag_shorten(&shown, id->str, id->len, 40);
	fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, e->path, id->line, id->col,
				 "/id: '%s' does not match the file name: the id is '%s' (rename "
				 "the file or fix the field)",
				 shown.ptr, e->id),
		    "/id", "id", shown.ptr, e->id);
	fb_buf_release(&shown);
}

int fb_record_read(struct fb_source *src, const struct fb_entry *e, struct fb_buf *scratch,
		   struct fb_doc **out, struct fb_diag *d)
{
	size_t before = d->errors;
	int err;

	*out = NULL;
	err = fb_source_read(src, e, scratch, d);
	if (err == FB_EINVALID)
		return FB_ESYNTAX; /* too large: reported */
	if (err < 0)
		return err;
	err = fb_doc_parse(out, e->path, scratch->ptr, scratch->len, FB_PARSE_DEFAULT, d);
	if (err < 0)
		return err;
	check_id_field(*out, e, d);
	return d->errors > before ? FB_EINVALID : 0;
}

static int check_entry(struct fb_source *src, const struct fb_entry *e, struct fb_buf *scratch,
		       struct fb_check_stats *st, struct fb_diag *d)
{
	size_t before = d->errors;
	struct fb_doc *doc = NULL;
	int err = fb_record_read(src, e, scratch, &doc, d);

	fb_doc_free(doc);
	st->checked++;
	if (d->errors > before)
		st->invalid++;
	return err == FB_EIO ? err : 0;
}

static int list_type(struct fb_source *src, const char *type, struct fb_entries *es,
		     struct fb_check_stats *st, struct fb_diag *d)
{
	size_t before = d->errors;
	int err = fb_source_list(src, type, es, d);
	/* each refused file is one checked, invalid record */
	st->checked += d->errors - before;
	st->invalid += d->errors - before;
	return err;
}

int fb_check(struct fb_source *src, const struct fb_check_target *targets, size_t n,
	     struct fb_check_stats *st, struct fb_diag *d)
{
	struct fb_strvec types = {0};
	struct fb_buf scratch = FB_BUF_INIT;
	size_t i, j;
	int err;

	memset(st, 0, sizeof(*st));
	if ((err = fb_source_types(src, &types, d)) < 0)
		goto out;
	for (i = 0; i < (n ? n : types.n) && !err; i++) {
		const char *type = n ? targets[i].type : types.v[i];
		struct fb_entries es = {0};

		if ((err = list_type(src, type, &es, st, d)) < 0) {
			fb_entries_release(&es);
			break;
		}
		if (n && targets[i].id) {
			const struct fb_entry *e = fb_entries_find(&es, targets[i].id);
			if (e) {
				err = check_entry(src, e, &scratch, st, d);
			} else {
				fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "no record '%s/%s'", type,
					     targets[i].id);
				err = FB_ENOTFOUND;
			}
		} else {
			for (j = 0; j < es.n && !err; j++)
				err = check_entry(src, &es.v[j], &scratch, st, d);
		}
		fb_entries_release(&es);
	}
out:
	fb_buf_release(&scratch);
	fb_strvec_release(&types);
	return err;
}
