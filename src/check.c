/*
 * Records and checking them (see check.h).
 *
 * fb_check() keeps one listing per type (sorted entries), made when the type
 * is checked or first referenced, so x-ref lookups are binary searches.
 * Records are loaded, validated and freed one at a time; only the small
 * cross-reference keys are kept until the end.  When only some records of a
 * type are checked and its schema has x-unique fields, the type's other
 * records are still read -- quietly -- so a clash with them is seen.
 *
 * `checked` counts record files; a file the store refused by name counts as
 * checked and invalid.  `invalid` is the number of distinct record files
 * with at least one error, cross-record errors included.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fieldbook/check.h>
#include <fieldbook/settings.h>

/* ---- one record ----------------------------------------------------------- */

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

int fb_record_parse(struct fb_doc **out, const char *file, const char *text, size_t len,
		    unsigned flags, const struct fb_schema *s, struct fb_diag *d)
{
	int err = fb_doc_parse(out, file, text, len, flags & ~FB_RECORD_STRICT, d);
	if (err < 0)
		return err;
	if (s && (flags & FB_RECORD_STRICT))
		fb_schema_mark_confidential(s, (*out)->root);
	else if (s)
		fb_schema_type_record(s, (*out)->root);
	return 0;
}

int fb_record_load(struct fb_source *src, const struct fb_schema *s, const struct fb_entry *e,
		   struct fb_buf *scratch, struct fb_doc **out, struct fb_diag *d)
{
	size_t before = d->errors;
	int err;

	*out = NULL;
	err = fb_source_read(src, e, scratch, d);
	if (err == FB_EINVALID)
		return FB_ESYNTAX; /* too large: reported */
	if (err < 0)
		return err;
	err = fb_record_parse(out, e->path, scratch->ptr, scratch->len, FB_PARSE_DEFAULT, s, d);
	if (err < 0)
		return err;
	check_id_field(*out, e, d);
	return d->errors > before ? FB_EINVALID : 0;
}

/* The outermost confidential nodes, in text order. */
static void mask_walk(const struct fb_node *n, const char *text, size_t *from, struct fb_buf *out)
{
	uint32_t i;
	if (n->confidential) {
		size_t end = n->end;
		fb_buf_add(out, text + *from, n->start - *from);
		fb_buf_puts(out, "\"***\"");
		/* a block scalar's span ends after its last line break: keep one */
		if (end > n->start && text[end - 1] == '\n' && fb_node_is_scalar(n))
			fb_buf_putc(out, '\n');
		*from = end;
		return;
	}
	for (i = 0; i < n->n; i++)
		mask_walk(n->kids[i], text, from, out);
}

void fb_record_masked_text(struct fb_buf *out, const struct fb_doc *doc)
{
	size_t from = 0;
	if (doc->root)
		mask_walk(doc->root, doc->text, &from, out);
	fb_buf_add(out, doc->text + from, doc->len - from);
}

void fb_record_json(struct fb_buf *out, const struct fb_entry *e, const struct fb_doc *doc,
		    bool show_confidential, int indent)
{
	struct fb_buf body = FB_BUF_INIT;
	const char *sep = indent < 0 ? "," : ",";
	int inner = indent < 0 ? -1 : indent + 1;

	fb_buf_putc(out, '{');
	if (inner >= 0) {
		fb_buf_putc(out, '\n');
		fb_buf_addch(out, ' ', (size_t)inner * 2);
	}
	fb_buf_puts(out, "\"_type\": ");
	fb_buf_json_str(out, e->type, strlen(e->type));
	fb_buf_puts(out, sep);
	fb_buf_puts(out, inner >= 0 ? "\n" : " ");
	fb_buf_addch(out, ' ', inner >= 0 ? (size_t)inner * 2 : 0);
	fb_buf_puts(out, "\"_id\": ");
	fb_buf_json_str(out, e->id, strlen(e->id));
	fb_buf_puts(out, sep);
	fb_buf_puts(out, inner >= 0 ? "\n" : " ");
	fb_buf_addch(out, ' ', inner >= 0 ? (size_t)inner * 2 : 0);
	fb_buf_puts(out, "\"_file\": ");
	fb_buf_json_str(out, e->path, strlen(e->path));
	/* the record's own fields follow at the same level: drop their braces */
	fb_node_to_json(&body, doc->root, indent, show_confidential ? NULL : fb_node_is_confidential,
			NULL);
	if (doc->root->n) {
		fb_buf_putc(out, ',');
		if (inner < 0)
			fb_buf_putc(out, ' ');
		fb_buf_add(out, body.ptr + 1, body.len - 1);
	} else {
		if (inner >= 0)
			fb_buf_addch(out, '\n', 1);
		fb_buf_addch(out, ' ', indent > 0 ? (size_t)indent * 2 : 0);
		fb_buf_putc(out, '}');
	}
	fb_buf_release(&body);
}

/* ---- a whole check -------------------------------------------------------------- */

/*
 * A lane checks records one after the other with its own source, buffer,
 * diagnostics and cross-reference list.  The check has one lane; a large
 * type of the working tree is split between worker lanes, one per thread,
 * whose results are merged in lane order, so the outcome does not depend on
 * how many threads ran.
 */
struct lane {
	struct fb_source *src;
	struct fb_buf scratch;
	struct fb_diag *d;
	struct fb_crossref *xr;
	const struct fb_check_opts *o;
	size_t checked;
	struct fb_check_cache *cache; /* the check's own lane only: never shared by threads */
	struct fb_crossref *one;      /* a record's items before they are kept */
};

/* ---- what is kept between checks ------------------------------------------------ */

/* One record's own results: its diagnostics and its x-ref and x-unique items. */
struct kept {
	char *path;
	unsigned char oid[20];
	struct fb_diag diag;
	struct fb_crossref_pack *items;
	unsigned gen; /* the last check that used it */
};

struct fb_check_cache {
	struct fb_buf fingerprint; /* what the schemas and the results depend on */
	struct fb_schemas *ss;
	struct fb_diag schema_diag; /* what loading the schemas said */
	struct kept **slot;         /* open addressing by path and blob */
	size_t cap, n;
	unsigned gen;
};

static uint64_t id_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static void kept_free(struct kept *k)
{
	free(k->path);
	fb_diag_release(&k->diag);
	free(k->items);
	free(k);
}

struct fb_check_cache *fb_check_cache_new(void)
{
	return fb_calloc(1, sizeof(struct fb_check_cache));
}

/* Forget every record and the schemas. */
static void cache_clear(struct fb_check_cache *c)
{
	size_t i;
	for (i = 0; i < c->cap; i++)
		if (c->slot[i])
			kept_free(c->slot[i]);
	free(c->slot);
	c->slot = NULL;
	c->cap = c->n = 0;
	fb_schemas_free(c->ss);
	c->ss = NULL;
	fb_diag_release(&c->schema_diag);
}

void fb_check_cache_free(struct fb_check_cache *c)
{
	if (!c)
		return;
	cache_clear(c);
	fb_buf_release(&c->fingerprint);
	free(c);
}

static size_t kept_slot(const struct fb_check_cache *c, const char *path, const unsigned char *oid)
{
	uint64_t h;
	memcpy(&h, oid, sizeof(h));
	return (size_t)((h ^ id_hash(path)) & (c->cap - 1));
}

static struct kept *cache_find(const struct fb_check_cache *c, const struct fb_entry *e)
{
	size_t k;
	if (!c->cap)
		return NULL;
	for (k = kept_slot(c, e->path, e->oid); c->slot[k]; k = (k + 1) & (c->cap - 1))
		if (!memcmp(c->slot[k]->oid, e->oid, sizeof(e->oid)) &&
		    !strcmp(c->slot[k]->path, e->path))
			return c->slot[k];
	return NULL;
}

static void cache_insert(struct fb_check_cache *c, struct kept *kp)
{
	size_t k = kept_slot(c, kp->path, kp->oid);
	while (c->slot[k])
		k = (k + 1) & (c->cap - 1);
	c->slot[k] = kp;
	c->n++;
}

/* Re-hash into room for twice what is kept; `sweep`: drop what the last check did not use. */
static void cache_rehash(struct fb_check_cache *c, bool sweep)
{
	struct kept **old = c->slot;
	size_t i, oldcap = c->cap, live = 0;

	for (i = 0; i < oldcap; i++)
		live += old[i] && (!sweep || old[i]->gen == c->gen);
	for (c->cap = 1024; c->cap < (live + 1) * 2; c->cap *= 2)
		;
	c->slot = fb_calloc(c->cap, sizeof(*c->slot));
	c->n = 0;
	for (i = 0; i < oldcap; i++) {
		if (!old[i])
			continue;
		if (sweep && old[i]->gen != c->gen)
			kept_free(old[i]);
		else
			cache_insert(c, old[i]);
	}
	free(old);
}

static void cache_put(struct fb_check_cache *c, struct kept *kp)
{
	if ((c->n + 1) * 2 > c->cap)
		cache_rehash(c, false);
	cache_insert(c, kp);
}

/* ---- a check's state -------------------------------------------------------------- */

/* The ids of a type, for x-ref lookups in O(1): open addressing over entry indexes. */
struct idset {
	uint32_t *slot; /* entry index + 1; 0 is empty */
	size_t cap;
};

static void idset_build(struct idset *set, const struct fb_entries *es)
{
	size_t i;
	set->cap = 16;
	while (set->cap < es->n * 2)
		set->cap *= 2;
	set->slot = fb_calloc(set->cap, sizeof(*set->slot));
	for (i = 0; i < es->n; i++) {
		size_t k = id_hash(es->v[i].id) & (set->cap - 1);
		while (set->slot[k])
			k = (k + 1) & (set->cap - 1);
		set->slot[k] = (uint32_t)i + 1;
	}
}

/* The entry of `id`, or NULL. */
static const struct fb_entry *idset_find(const struct idset *set, const struct fb_entries *es,
					 const char *id)
{
	size_t k = id_hash(id) & (set->cap - 1);
	for (; set->slot[k]; k = (k + 1) & (set->cap - 1))
		if (!strcmp(es->v[set->slot[k] - 1].id, id))
			return &es->v[set->slot[k] - 1];
	return NULL;
}

/* A list field of one record, read once per check for x-item-of. */
struct read_list {
	char *type, *id;
	const char *list; /* the schema's */
	struct fb_strvec items;
	bool ok;
};

struct checker {
	struct lane main;
	struct fb_schemas *ss;
	struct fb_strvec types;
	struct fb_entries *lists; /* one per type, in the order of `types` */
	struct idset *ids;
	bool *listed;
	uint64_t order; /* records handed out so far */
	struct fb_check_stats *st;
	struct read_list *read; /* x-item-of lists read so far */
	size_t nread, read_alloc;
};

static int type_index(const struct checker *c, const char *type)
{
	size_t i;
	for (i = 0; i < c->types.n; i++)
		if (!strcmp(c->types.v[i], type))
			return (int)i;
	return -1;
}

/* The listing of a type; problems go to `d` (NULL: not reported). */
static const struct fb_entries *listing(struct checker *c, int t, struct fb_diag *d)
{
	if (!c->listed[t]) {
		struct fb_diag quiet = FB_DIAG_INIT;
		size_t before = d ? d->errors : 0;
		fb_source_list(c->main.src, c->types.v[t], &c->lists[t], d ? d : &quiet);
		if (d) /* each refused file is one checked, invalid record */
			c->st->checked += d->errors - before;
		fb_diag_release(&quiet);
		idset_build(&c->ids[t], &c->lists[t]);
		c->listed[t] = true;
	}
	return &c->lists[t];
}

static bool exists(const char *type, const char *id, void *ctx)
{
	struct checker *c = ctx;
	int t = type_index(c, type);
	return t >= 0 && idset_find(&c->ids[t], listing(c, t, NULL), id);
}

/* The ids of a list field's items: strings, or mappings' `id`; none of what is confidential. */
static void list_ids(const struct fb_node *list, struct fb_strvec *out)
{
	uint32_t i;
	for (i = 0; list && list->type == FB_NODE_SEQ && i < list->n; i++) {
		const struct fb_node *it = list->kids[i];
		if (it->type == FB_NODE_MAP)
			it = fb_node_get(it, "id");
		if (it && it->type == FB_NODE_STR && !it->confidential && strlen(it->str) == it->len)
			fb_strvec_push(out, it->str);
	}
}

static const struct fb_strvec *items(const char *type, const char *id, const char *list, void *ctx)
{
	struct checker *c = ctx;
	int t = type_index(c, type);
	const struct fb_entry *e;
	struct read_list *r;
	size_t i;

	for (i = c->nread; i-- > 0;)
		if (!strcmp(c->read[i].list, list) && !strcmp(c->read[i].id, id) &&
		    !strcmp(c->read[i].type, type))
			return c->read[i].ok ? &c->read[i].items : NULL;
	if (t < 0 || !(e = idset_find(&c->ids[t], listing(c, t, NULL), id)))
		return NULL;
	FB_GROW(c->read, c->nread, c->read_alloc);
	r = &c->read[c->nread++];
	memset(r, 0, sizeof(*r));
	r->type = fb_strdup(type);
	r->id = fb_strdup(id);
	r->list = list;
	{
		struct fb_diag quiet = FB_DIAG_INIT; /* the record's own problems are its own */
		struct fb_doc *doc = NULL;
		fb_record_load(c->main.src, fb_schemas_type(c->ss, type), e, &c->main.scratch, &doc,
			       &quiet);
		if (doc) {
			list_ids(fb_node_get(doc->root, list), &r->items);
			r->ok = true;
		}
		fb_doc_free(doc);
		fb_diag_release(&quiet);
	}
	return r->ok ? &r->items : NULL;
}

/* Read, type and validate one record: problems to `d`, its x-ref and x-unique items to `xr`. */
static int load_and_validate(struct lane *l, const struct fb_schema *s, const struct fb_entry *e,
			     uint64_t order, bool quiet, struct fb_diag *d, struct fb_crossref *xr)
{
	struct fb_doc *doc = NULL;
	int err = fb_record_load(l->src, s, e, &l->scratch, &doc, d);

	if (doc && s) {
		struct fb_validate_opts vo = {e->path, e->type, e->id, l->o->show_confidential,
					      xr, quiet, order};
		fb_schema_validate(s, doc->root, &vo, d);
	}
	fb_doc_free(doc);
	return err == FB_EIO ? err : 0;
}

/* Check one record of a revision through the cache: its blob is checked once. */
static int check_kept(struct lane *l, const struct fb_schema *s, const struct fb_entry *e,
		      uint64_t order)
{
	struct kept *kp = cache_find(l->cache, e);
	size_t i;

	if (!kp) {
		struct fb_diag d = FB_DIAG_INIT;
		if (!l->one)
			l->one = fb_crossref_new();
		if (load_and_validate(l, s, e, 0, false, &d, l->one) == FB_EIO) {
			fb_diag_splice(l->d, &d); /* not kept: reading may work next time */
			fb_crossref_clear(l->one);
			l->checked++;
			return FB_EIO;
		}
		kp = fb_calloc(1, sizeof(*kp));
		kp->path = fb_strdup(e->path);
		memcpy(kp->oid, e->oid, sizeof(kp->oid));
		kp->diag = d;
		kp->items = fb_crossref_pack(l->one);
		cache_put(l->cache, kp);
	}
	kp->gen = l->cache->gen;
	for (i = 0; i < kp->diag.n; i++)
		fb_diag_push(l->d, &kp->diag.v[i]);
	fb_crossref_add_pack(l->xr, kp->items, order);
	l->checked++;
	return 0;
}

/* Check one record; `quiet`: only collect its unique values, report nothing. */
static int check_one(struct lane *l, const struct fb_schema *s, const struct fb_entry *e,
		     uint64_t order, bool quiet)
{
	struct fb_diag scratch = FB_DIAG_INIT;
	int err;

	if (l->cache && e->has_oid && !quiet)
		return check_kept(l, s, e, order);
	err = load_and_validate(l, s, e, order, quiet, quiet ? &scratch : l->d, l->xr);
	if (!quiet)
		l->checked++;
	fb_diag_release(&scratch);
	return err;
}

struct worker {
	struct lane lane;
	struct fb_diag d;
	const struct fb_schema *s;
	const struct fb_entry *v;
	size_t n;
	uint64_t order;
	int err;
	bool started;
	pthread_t tid;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	size_t i;
	for (i = 0; i < w->n && !w->err; i++)
		w->err = check_one(&w->lane, w->s, &w->v[i], w->order + i, false);
	return NULL;
}

/* Records per thread below which a thread costs more than it saves. */
#define RECORDS_PER_THREAD 2000

static int check_range(struct checker *c, const struct fb_schema *s, const struct fb_entries *es)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = c->main.o->threads ? c->main.o->threads : cpus > 0 ? (size_t)cpus : 1;
	struct fb_source *first = NULL;
	struct worker *w;
	size_t i, from = 0;
	int err = 0;

	if (n > 8)
		n = 8;
	if (n > es->n / RECORDS_PER_THREAD)
		n = es->n / RECORDS_PER_THREAD;
	if (n < 2 || fb_source_twin(&first, c->main.src) < 0) {
		for (i = 0; i < es->n && !err; i++)
			err = check_one(&c->main, s, &es->v[i], c->order + i, false);
		c->order += es->n;
		return err;
	}
	w = fb_calloc(n, sizeof(*w));
	for (i = 0; i < n; i++) {
		size_t to = es->n * (i + 1) / n;
		w[i].lane = (struct lane){.src = first, .scratch = FB_BUF_INIT, .d = &w[i].d,
					  .xr = fb_crossref_new(), .o = c->main.o};
		if (i > 0)
			fb_source_twin(&w[i].lane.src, c->main.src);
		first = NULL;
		w[i].s = s;
		w[i].v = es->v + from;
		w[i].n = to - from;
		w[i].order = c->order + from;
		from = to;
		w[i].started = pthread_create(&w[i].tid, NULL, work, &w[i]) == 0;
		if (!w[i].started)
			work(&w[i]); /* no thread to be had: do it here */
	}
	for (i = 0; i < n; i++) {
		if (w[i].started)
			pthread_join(w[i].tid, NULL);
		fb_diag_splice(c->main.d, &w[i].d);
		fb_crossref_merge(c->main.xr, w[i].lane.xr);
		c->main.checked += w[i].lane.checked;
		if (!err)
			err = w[i].err;
		fb_crossref_free(w[i].lane.xr);
		fb_source_free(w[i].lane.src);
		fb_buf_release(&w[i].lane.scratch);
	}
	free(w);
	c->order += es->n;
	return err;
}

/*
 * Check type `t`: all of it (ids == NULL), or the records named in `ids`.
 * When only some are checked and the type has x-unique fields, the others
 * are read too -- once, quietly -- so a clash with them is seen.
 */
static int check_type(struct checker *c, int t, const char *const *ids, size_t nids)
{
	const struct fb_entries *es = listing(c, t, c->main.d);
	const struct fb_schema *s = fb_schemas_type(c->ss, c->types.v[t]);
	bool *chosen;
	size_t i;
	int err = 0;

	if (!ids)
		return check_range(c, s, es);
	chosen = fb_calloc(es->n + 1, sizeof(*chosen));
	for (i = 0; i < nids && !err; i++) {
		const struct fb_entry *e = fb_entries_find(es, ids[i]);
		if (!e) {
			fb_diag_addf(c->main.d, FB_SEV_ERROR, NULL, 0, 0, "no record '%s/%s'",
				     c->types.v[t], ids[i]);
			err = FB_ENOTFOUND;
		} else if (!chosen[e - es->v]) {
			chosen[e - es->v] = true;
			err = check_one(&c->main, s, e, c->order + (size_t)(e - es->v), false);
		}
	}
	if (!err && fb_schema_reaches(s, FB_X_UNIQUE))
		for (i = 0; i < es->n && !err; i++)
			if (!chosen[i])
				err = check_one(&c->main, s, &es->v[i], c->order + i, true);
	free(chosen);
	c->order += es->n;
	return err;
}

static size_t count_invalid(const struct fb_diag *d)
{
	struct fb_strvec files = {0};
	size_t i, n = 0;
	for (i = 0; i < d->n; i++)
		if (d->v[i].severity == FB_SEV_ERROR && d->v[i].file &&
		    !strncmp(d->v[i].file, "records/", 8))
			fb_strvec_push(&files, d->v[i].file);
	fb_strvec_sort(&files);
	for (i = 0; i < files.n; i++)
		if (i == 0 || strcmp(files.v[i], files.v[i - 1]))
			n++;
	fb_strvec_release(&files);
	return n;
}

/*
 * What the schemas and every record's own results depend on, besides the
 * record: the options, the record types and the schema files' bytes.
 */
static bool fingerprint(struct fb_source *src, const struct fb_strvec *types, bool show,
			struct fb_buf *out)
{
	bool ok = true;
	struct fb_strvec files = {0};
	struct fb_buf path = FB_BUF_INIT, text = FB_BUF_INIT;
	struct fb_diag ignore = FB_DIAG_INIT;
	size_t i;

	fb_buf_addf(out, "%d\n", show);
	for (i = 0; i < types->n; i++)
		fb_buf_addf(out, "type %s\n", types->v[i]);
	fb_source_schema_files(src, &files);
	for (i = 0; i < files.n; i++) {
		fb_buf_reset(&path);
		fb_buf_addf(&path, "schemas/%s", files.v[i]);
		fb_buf_reset(&text);
		if (fb_source_read_path(src, path.ptr, &text, &ignore) < 0) {
			ok = false; /* what loading says about it is not to be kept */
			continue;
		}
		fb_buf_addf(out, "schema %zu %zu\n", strlen(files.v[i]), text.len);
		fb_buf_puts(out, files.v[i]);
		fb_buf_add(out, text.ptr, text.len);
	}
	fb_strvec_release(&files);
	fb_buf_release(&path);
	fb_buf_release(&text);
	fb_diag_release(&ignore);
	return ok;
}

/* The schemas, from the cache when nothing they depend on changed. */
static void load_schemas(struct checker *c, struct fb_source *src, struct fb_diag *d)
{
	struct fb_check_cache *k = c->main.cache;
	struct fb_buf fp = FB_BUF_INIT;
	size_t i;

	if (!k) {
		fb_schemas_load(&c->ss, src, d);
		return;
	}
	if (!fingerprint(src, &c->types, c->main.o->show_confidential, &fp))
		fb_buf_reset(&fp); /* matches nothing kept, and nothing will match it */
	if (!fp.len || fp.len != k->fingerprint.len || memcmp(fp.ptr, k->fingerprint.ptr, fp.len)) {
		cache_clear(k);
		fb_schemas_load(&k->ss, src, &k->schema_diag);
		fb_buf_release(&k->fingerprint);
		k->fingerprint = fp;
		fp = (struct fb_buf)FB_BUF_INIT;
	}
	for (i = 0; i < k->schema_diag.n; i++)
		fb_diag_push(d, &k->schema_diag.v[i]);
	k->gen++;
	c->ss = k->ss;
	fb_buf_release(&fp);
}

int fb_check(struct fb_source *src, const struct fb_check_target *targets, size_t n,
	     const struct fb_check_opts *o, struct fb_check_stats *st, struct fb_diag *d)
{
	static const struct fb_check_opts defaults = {false, 0, NULL};
	struct checker c;
	size_t i;
	int err;

	memset(&c, 0, sizeof(c));
	memset(st, 0, sizeof(*st));
	c.main = (struct lane){.src = src, .scratch = FB_BUF_INIT, .d = d, .o = o ? o : &defaults};
	/* kept results are by blob: a file laid over the source would not be seen */
	if (!fb_source_has_overlays(src))
		c.main.cache = c.main.o->cache;
	c.st = st;
	if ((err = fb_source_types(src, &c.types, d)) < 0)
		goto out;
	load_schemas(&c, src, d);
	{
		struct fb_settings settings; /* fieldbook.yaml is checked with the rest */
		fb_settings_load(src, &settings, d);
		fb_settings_release(&settings);
	}
	c.main.xr = fb_crossref_new();
	c.lists = fb_calloc(c.types.n + 1, sizeof(*c.lists));
	c.listed = fb_calloc(c.types.n + 1, sizeof(*c.listed));
	c.ids = fb_calloc(c.types.n + 1, sizeof(*c.ids));
	if (!n) {
		for (i = 0; i < c.types.n && !err; i++)
			err = check_type(&c, (int)i, NULL, 0);
	} else {
		/* per type, in the order first named: the whole of it, or its named records */
		const char **ids = fb_calloc(n + 1, sizeof(*ids));
		bool *done = fb_calloc(n + 1, sizeof(*done));
		for (i = 0; i < n && !err; i++) {
			int t = type_index(&c, targets[i].type);
			size_t j, nids = 0;
			bool whole = false;
			if (done[i])
				continue;
			if (t < 0) {
				fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "unknown type '%s'",
					     targets[i].type);
				err = FB_ENOTFOUND;
				break;
			}
			for (j = i; j < n; j++) {
				if (strcmp(targets[j].type, targets[i].type))
					continue;
				done[j] = true;
				if (targets[j].id)
					ids[nids++] = targets[j].id;
				else
					whole = true;
			}
			err = check_type(&c, t, whole ? NULL : ids, nids);
		}
		free(ids);
		free(done);
	}
	if (!err)
		fb_crossref_check(c.main.xr, exists, items, &c, d);
	st->checked += c.main.checked;
	st->invalid = count_invalid(d);
out:
	for (i = 0; c.lists && i < c.types.n; i++) {
		fb_entries_release(&c.lists[i]);
		free(c.ids[i].slot);
	}
	for (i = 0; i < c.nread; i++) {
		free(c.read[i].type);
		free(c.read[i].id);
		fb_strvec_release(&c.read[i].items);
	}
	free(c.read);
	free(c.lists);
	free(c.ids);
	free(c.listed);
	fb_crossref_free(c.main.xr);
	fb_crossref_free(c.main.one);
	/* after a whole check, forget what it did not use -- once that is a fair part */
	if (c.main.cache && !n && !err &&
	    c.main.cache->n > c.main.checked + c.main.checked / 8 + 1024)
		cache_rehash(c.main.cache, true);
	if (!c.main.cache)
		fb_schemas_free(c.ss);
	fb_strvec_release(&c.types);
	fb_buf_release(&c.main.scratch);
	return err;
}
