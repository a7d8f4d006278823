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
	err = fb_doc_parse(out, e->path, scratch->ptr, scratch->len, FB_PARSE_DEFAULT, d);
	if (err < 0)
		return err;
	check_id_field(*out, e, d);
	if (s)
		fb_schema_type_record(s, (*out)->root);
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

static bool mask_confidential(const struct fb_node *child, void *ctx)
{
	(void)ctx;
	return child->confidential;
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
	fb_node_to_json(&body, doc->root, indent, show_confidential ? NULL : mask_confidential,
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
};

/* The ids of a type, for x-ref lookups in O(1): open addressing over entry indexes. */
struct idset {
	uint32_t *slot; /* entry index + 1; 0 is empty */
	size_t cap;
};

static uint64_t id_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

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

static bool idset_has(const struct idset *set, const struct fb_entries *es, const char *id)
{
	size_t k = id_hash(id) & (set->cap - 1);
	for (; set->slot[k]; k = (k + 1) & (set->cap - 1))
		if (!strcmp(es->v[set->slot[k] - 1].id, id))
			return true;
	return false;
}

struct checker {
	struct lane main;
	struct fb_schemas *ss;
	struct fb_strvec types;
	struct fb_entries *lists; /* one per type, in the order of `types` */
	struct idset *ids;
	bool *listed;
	uint64_t order; /* records handed out so far */
	struct fb_check_stats *st;
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
	return t >= 0 && idset_has(&c->ids[t], listing(c, t, NULL), id);
}

/* Check one record; `quiet`: only collect its unique values, report nothing. */
static int check_one(struct lane *l, const struct fb_schema *s, const struct fb_entry *e,
		     uint64_t order, bool quiet)
{
	struct fb_diag scratch = FB_DIAG_INIT;
	struct fb_diag *d = quiet ? &scratch : l->d;
	struct fb_doc *doc = NULL;
	int err = fb_record_load(l->src, s, e, &l->scratch, &doc, d);

	if (doc && s) {
		struct fb_validate_opts vo = {e->path, e->type, e->id, l->o->show_confidential,
					      l->xr, quiet, order};
		fb_schema_validate(s, doc->root, &vo, d);
	}
	if (!quiet)
		l->checked++;
	fb_doc_free(doc);
	fb_diag_release(&scratch);
	return err == FB_EIO ? err : 0;
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
		w[i].lane = (struct lane){first, FB_BUF_INIT, &w[i].d, fb_crossref_new(), c->main.o, 0};
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
	if (!err && fb_schema_uses_unique(s))
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

int fb_check(struct fb_source *src, const struct fb_check_target *targets, size_t n,
	     const struct fb_check_opts *o, struct fb_check_stats *st, struct fb_diag *d)
{
	static const struct fb_check_opts defaults = {false, 0};
	struct checker c;
	size_t i;
	int err;

	memset(&c, 0, sizeof(c));
	memset(st, 0, sizeof(*st));
	c.main = (struct lane){src, FB_BUF_INIT, d, NULL, o ? o : &defaults, 0};
	c.st = st;
	if ((err = fb_source_types(src, &c.types, d)) < 0)
		goto out;
	fb_schemas_load(&c.ss, src, d);
	{
		struct fb_settings settings; /* fieldbook.yaml is checked with the rest */
		fb_settings_load(src, &settings, d);
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
		fb_crossref_check(c.main.xr, exists, &c, d);
	st->checked += c.main.checked;
	st->invalid = count_invalid(d);
out:
	for (i = 0; c.lists && i < c.types.n; i++) {
		fb_entries_release(&c.lists[i]);
		free(c.ids[i].slot);
	}
	free(c.lists);
	free(c.ids);
	free(c.listed);
	fb_crossref_free(c.main.xr);
	fb_schemas_free(c.ss);
	fb_strvec_release(&c.types);
	fb_buf_release(&c.main.scratch);
	return err;
}
