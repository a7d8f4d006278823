/*
 * Checks across records (see schema.h): validation collects each record's
 * x-ref, x-item-of and x-unique items; here they are kept, packed for the
 * check cache, merged, and checked at the end against the existence and
 * list callbacks and against each other.
 */
#include "schema_int.h"

/* ---- across records ------------------------------------------------------------------ */

struct fb_crossref *fb_crossref_new(void)
{
	return fb_calloc(1, sizeof(struct fb_crossref));
}

void fb_crossref_free(struct fb_crossref *xr)
{
	if (!xr)
		return;
	free(xr->refs);
	free(xr->keys);
	fb_arena_release(&xr->arena);
	free(xr);
}

void fb_crossref_merge(struct fb_crossref *dst, struct fb_crossref *src)
{
	size_t i;
	for (i = 0; i < src->nrefs; i++) {
		FB_GROW(dst->refs, dst->nrefs, dst->refs_alloc);
		dst->refs[dst->nrefs++] = src->refs[i];
	}
	for (i = 0; i < src->nkeys; i++) {
		FB_GROW(dst->keys, dst->nkeys, dst->keys_alloc);
		dst->keys[dst->nkeys++] = src->keys[i];
	}
	fb_arena_adopt(&dst->arena, &src->arena);
	src->nrefs = src->nkeys = 0;
	src->last_file = src->last_type = NULL;
}

struct fb_crossref_pack {
	size_t nrefs, nkeys;
	struct xref_item *refs;
	struct uniq_item *keys;
	char *strings; /* every string of the items, back to back */
};

static const char *pack_str(char **to, const char *s, size_t len)
{
	char *p = *to;
	memcpy(p, s, len);
	p[len] = '\0';
	*to += len + 1;
	return p;
}

struct fb_crossref_pack *fb_crossref_pack(struct fb_crossref *xr)
{
	struct fb_crossref_pack *p;
	size_t i, size = 0;
	char *to;

	if (!xr->nrefs && !xr->nkeys) {
		fb_crossref_clear(xr);
		return NULL;
	}
	for (i = 0; i < xr->nrefs; i++)
		size += xr->refs[i].len + strlen(xr->refs[i].file) + strlen(xr->refs[i].path) + 3 +
			(xr->refs[i].owner ? strlen(xr->refs[i].owner) + 1 : 0);
	for (i = 0; i < xr->nkeys; i++)
		size += xr->keys[i].klen + xr->keys[i].vlen + strlen(xr->keys[i].rtype) +
			strlen(xr->keys[i].file) + strlen(xr->keys[i].path) + 5;
	p = fb_malloc(sizeof(*p) + xr->nrefs * sizeof(*p->refs) + xr->nkeys * sizeof(*p->keys) +
		      size);
	p->nrefs = xr->nrefs;
	p->nkeys = xr->nkeys;
	p->refs = (struct xref_item *)(p + 1);
	p->keys = (struct uniq_item *)(p->refs + p->nrefs);
	p->strings = to = (char *)(p->keys + p->nkeys);
	for (i = 0; i < xr->nrefs; i++) {
		struct xref_item *it = &p->refs[i];
		*it = xr->refs[i]; /* the type is the schema's */
		it->value = pack_str(&to, it->value, it->len);
		it->file = pack_str(&to, it->file, strlen(it->file));
		it->path = pack_str(&to, it->path, strlen(it->path));
		if (it->owner) /* the field and list are the schema's */
			it->owner = pack_str(&to, it->owner, strlen(it->owner));
	}
	for (i = 0; i < xr->nkeys; i++) {
		struct uniq_item *it = &p->keys[i];
		*it = xr->keys[i]; /* the group is the schema's */
		it->key = pack_str(&to, it->key, it->klen);
		it->value = pack_str(&to, it->value, it->vlen);
		it->rtype = pack_str(&to, it->rtype, strlen(it->rtype));
		it->file = pack_str(&to, it->file, strlen(it->file));
		it->path = pack_str(&to, it->path, strlen(it->path));
	}
	fb_crossref_clear(xr);
	return p;
}

void fb_crossref_clear(struct fb_crossref *xr)
{
	xr->nrefs = xr->nkeys = 0;
	fb_arena_release(&xr->arena);
	xr->last_file = xr->last_type = NULL;
}

void fb_crossref_add_pack(struct fb_crossref *dst, const struct fb_crossref_pack *p, uint64_t order)
{
	size_t i;
	if (!p)
		return;
	for (i = 0; i < p->nrefs; i++) {
		FB_GROW(dst->refs, dst->nrefs, dst->refs_alloc);
		dst->refs[dst->nrefs++] = p->refs[i];
	}
	for (i = 0; i < p->nkeys; i++) {
		struct uniq_item *it;
		FB_GROW(dst->keys, dst->nkeys, dst->keys_alloc);
		it = &dst->keys[dst->nkeys++];
		*it = p->keys[i];
		it->order = order;
	}
}

static int cmp_key(const void *pa, const void *pb)
{
	const struct uniq_item *a = pa, *b = pb;
	size_t n;
	int c;
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	n = a->klen < b->klen ? a->klen : b->klen;
	if ((c = memcmp(a->key, b->key, n)))
		return c;
	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	/* unique within a type: one definition shared by two types is two groups */
	if ((c = strcmp(a->rtype, b->rtype)))
		return c;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return a->within < b->within ? -1 : a->within > b->within;
}

/* A value as an error shows it: shortened, or *** when it is x-confidential. */
static void show(struct fb_buf *out, const char *value, size_t len, bool masked)
{
	fb_buf_reset(out);
	if (masked)
		fb_buf_puts(out, "***");
	else
		fb_diag_shorten(out, value, len, 40);
}

/* An x-item-of value that is no item of its record's list, `items`. */
static void item_of_error(const struct xref_item *r, const struct fb_strvec *items,
			  struct fb_diag *d)
{
	struct fb_buf shown = FB_BUF_INIT, list = FB_BUF_INIT, want = FB_BUF_INIT;
	size_t i;

	show(&shown, r->value, r->len, r->masked);
	for (i = 0; i < items->n && list.len < 400; i++)
		fb_buf_addf(&list, "%s%s", i ? ", " : "", items->v[i]);
	if (i < items->n)
		fb_buf_addf(&list, ", ... (%zu in all)", items->n);
	fb_buf_addf(&want, "one of the %s of %s '%s'", r->list, r->field, r->owner);
	fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, r->file, r->line, r->col,
				 "%s: '%s' is not one of the %s of %s '%s' (%s)",
				 r->path[0] ? r->path : "/", shown.ptr, r->list, r->field, r->owner,
				 list.len ? list.ptr : "it lists none"),
		    r->path, "x-item-of", shown.ptr, want.ptr);
	fb_buf_release(&shown);
	fb_buf_release(&list);
	fb_buf_release(&want);
}

void fb_crossref_check(struct fb_crossref *xr, fb_record_exists_fn *exists,
		       fb_record_items_fn *items, void *ctx, struct fb_diag *d)
{
	struct fb_buf shown = FB_BUF_INIT;
	size_t i, j;

	for (i = 0; i < xr->nrefs; i++) {
		const struct xref_item *r = &xr->refs[i];
		struct fb_buf want = FB_BUF_INIT;
		if (r->owner) {
			const struct fb_strvec *have;
			if (!items || !exists(r->type, r->owner, ctx) ||
			    !(have = items(r->type, r->owner, r->list, ctx)))
				continue; /* no such record, or unreadable: told elsewhere */
			if (strlen(r->value) != r->len || !fb_strvec_has(have, r->value))
				item_of_error(r, have, d);
			continue;
		}
		/* an id has no NUL in it: "c-0001\0-old" names no record */
		if (strlen(r->value) == r->len && exists(r->type, r->value, ctx))
			continue;
		show(&shown, r->value, r->len, r->masked);
		fb_buf_addf(&want, "the id of a %s record", r->type);
		fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, r->file, r->line, r->col,
					 "%s: no %s record '%s' (deleted or renamed? x-ref: %s)",
					 r->path[0] ? r->path : "/", r->type, shown.ptr, r->type),
			    r->path, "x-ref", shown.ptr, want.ptr);
		fb_buf_release(&want);
	}
	if (xr->nkeys > 1)
		qsort(xr->keys, xr->nkeys, sizeof(*xr->keys), cmp_key);
	for (i = 0; i < xr->nkeys; i = j) {
		const struct uniq_item *first = &xr->keys[i];
		for (j = i + 1; j < xr->nkeys && xr->keys[j].group == first->group &&
				!strcmp(xr->keys[j].rtype, first->rtype) &&
				xr->keys[j].klen == first->klen &&
				!memcmp(xr->keys[j].key, first->key, first->klen);
		     j++) {
			const struct uniq_item *again = &xr->keys[j], *at, *other;
			if (!strcmp(again->file, first->file))
				continue; /* the same record twice is uniqueItems' business */
			/* at the later record; at the first when only it is being checked */
			at = again->report ? again : first->report ? first : NULL;
			if (!at)
				continue;
			other = at == again ? first : again;
			show(&shown, at->value, at->vlen, at->masked);
			fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, at->file, at->line, at->col,
						 "%s: '%s' is already used by %s (%s); no two %s may "
						 "share it (x-unique)",
						 at->path, shown.ptr, other->file, other->path,
						 at->rtype[0] ? at->rtype : "records"),
				    at->path, "x-unique", shown.ptr, "a value no other record has");
		}
	}
	fb_buf_release(&shown);
}

