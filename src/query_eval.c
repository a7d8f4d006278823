/*
 * Query: a record's values at a path and the tests on them (see query.h,
 * query_int.h).
 *
 * A value extracted from a record is copied into the result's arena
 * (struct fb_qval), so rows outlive the records they came from.  Past an
 * x-ref field, values come from the "deref" table of the referenced type:
 * for each id, the values its record has at the rest of the path.
 */
#include "query_int.h"

/* ---- values -------------------------------------------------------------------- */

static void add_value(struct collector *c, const struct fb_node *n)
{
	struct fb_qval *v;
	bool masked = n->confidential && !c->show_confidential;

	if (masked && !c->show)
		return; /* not matched, not searched */
	FB_GROW(c->v, c->n, c->alloc);
	v = &c->v[c->n++];
	memset(v, 0, sizeof(*v));
	v->type = n->type;
	v->xflags = (uint8_t)fb_schema_xflags(n->schema);
	v->masked = masked;
	if (masked) {
		v->str = "***";
		v->len = 3;
		return;
	}
	v->num = n->num;
	if (fb_node_is_scalar(n)) {
		v->str = c->arena ? fb_arena_strndup(c->arena, n->str, n->len) : n->str;
		v->len = n->len;
	} else if (c->arena) { /* shown: its JSON */
		fb_buf_reset(&c->json);
		fb_node_to_json(&c->json, n, -1, c->show_confidential ? NULL : fb_node_is_confidential,
				NULL);
		v->str = fb_arena_strndup(c->arena, c->json.ptr, c->json.len);
		v->len = c->json.len;
		v->num = n->n;
	} else { /* only matched: its size is all a test needs */
		v->str = "";
		v->num = n->n;
	}
}

static const struct deref *table_of(const struct qpath *p);
static void deref_values(const struct deref *t, const char *id, size_t len, struct collector *c);

/* The values at p->segs[i..] below node n. */
void query_collect(const struct fb_node *n, const struct qpath *p, size_t i, struct collector *c)
{
	uint32_t k;

	if (!n || n->type == FB_NODE_NULL)
		return;
	if (n->confidential && !c->show_confidential && !c->show)
		return;
	if (n->type == FB_NODE_SEQ)
		c->list = true;
	if (i == p->hop && p->table) {
		/* past the x-ref field: the referenced records' values */
		if (n->type == FB_NODE_SEQ) {
			for (k = 0; k < n->n; k++)
				query_collect(n->kids[k], p, i, c);
		} else if (n->type == FB_NODE_STR) {
			deref_values(table_of(p), n->str, n->len, c);
		}
		return;
	}
	if (i == p->nsegs) {
		if (n->type == FB_NODE_SEQ)
			for (k = 0; k < n->n; k++)
				add_value(c, n->kids[k]);
		else
			add_value(c, n);
		return;
	}
	if (n->type == FB_NODE_SEQ) {
		for (k = 0; k < n->n; k++)
			query_collect(n->kids[k], p, i, c);
	} else if (n->type == FB_NODE_MAP) {
		query_collect(fb_node_get(n, p->segs[i]), p, i + 1, c);
	}
}

static const struct deref *table_of(const struct qpath *p)
{
	return p->table;
}

static uint64_t hash_id(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static void deref_values(const struct deref *t, const char *id, size_t len, struct collector *c)
{
	size_t k;
	if (!t->cap)
		return;
	for (k = hash_id(id, len) & (t->cap - 1); t->slot[k].id; k = (k + 1) & (t->cap - 1)) {
		if (strlen(t->slot[k].id) == len && !memcmp(t->slot[k].id, id, len)) {
			uint32_t j;
			for (j = 0; j < t->slot[k].count; j++) {
				const struct fb_qval *v = &t->vals[t->slot[k].first + j];
				if (v->masked && !c->show)
					continue;
				FB_GROW(c->v, c->n, c->alloc);
				c->v[c->n++] = *v; /* the table outlives the query's rows */
			}
			return;
		}
	}
}

struct deref *query_deref_table(struct fb_query *q, const char *type, char **segs, size_t n,
				 struct fb_diag *d, unsigned col)
{
	struct fb_buf text = FB_BUF_INIT;
	const struct fb_schema *s = fb_schemas_type(q->ss, type);
	struct deref *t;
	size_t i;

	for (i = 0; i < n; i++)
		fb_buf_addf(&text, "%s%s", i ? "." : "", segs[i]);
	for (i = 0; i < q->ntables; i++)
		if (!strcmp(q->tables[i]->type, type) && !strcmp(q->tables[i]->rest.text, text.ptr)) {
			fb_buf_release(&text);
			return q->tables[i];
		}
	t = fb_calloc(1, sizeof(*t));
	t->type = fb_strdup(type);
	t->rest.text = fb_buf_detach(&text, NULL);
	t->rest.segs = fb_calloc(n + 1, sizeof(*t->rest.segs));
	for (i = 0; i < n; i++)
		t->rest.segs[i] = fb_strdup(segs[i]);
	t->rest.nsegs = n;
	FB_GROW(q->tables, q->ntables, q->tables_alloc);
	q->tables[q->ntables++] = t;
	if (query_resolve(q, &t->rest, type, s, d, col) < 0)
		return NULL;
	return t;
}

/* Read every record of the table's type once: id -> its values at the rest of the path. */
int query_deref_build(struct fb_query *q, struct deref *t, struct fb_diag *d)
{
	const struct fb_schema *s = fb_schemas_type(q->ss, t->type);
	struct fb_entries es = {0};
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_buf scratch = FB_BUF_INIT;
	struct collector c = {NULL, 0, 0, false, &t->arena, true, q->o.show_confidential,
			      FB_BUF_INIT};
	size_t i, k;

	fb_source_list(q->src, t->type, &es, &quiet);
	t->cap = 16;
	while (t->cap < es.n * 2)
		t->cap *= 2;
	t->slot = fb_calloc(t->cap, sizeof(*t->slot));
	for (i = 0; i < es.n; i++) {
		struct fb_doc *doc = NULL;
		size_t first = c.n;
		if (fb_record_load(q->src, s, &es.v[i], &scratch, &doc, &quiet) == FB_EIO) {
			fb_doc_free(doc);
			fb_diag_splice(d, &quiet);
			free(c.v);
			fb_entries_release(&es);
			fb_buf_release(&scratch);
			fb_buf_release(&c.json);
			return FB_EIO;
		}
		if (doc)
			query_collect(doc->root, &t->rest, 0, &c);
		fb_doc_free(doc);
		k = hash_id(es.v[i].id, strlen(es.v[i].id)) & (t->cap - 1);
		while (t->slot[k].id)
			k = (k + 1) & (t->cap - 1);
		t->slot[k].id = fb_arena_strndup(&t->arena, es.v[i].id, strlen(es.v[i].id));
		t->slot[k].first = (uint32_t)first;
		t->slot[k].count = (uint32_t)(c.n - first);
		t->nids++;
	}
	t->vals = c.v;
	t->nvals = c.n;
	fb_diag_release(&quiet); /* broken records are the main pass's to report */
	fb_entries_release(&es);
	fb_buf_release(&scratch);
	fb_buf_release(&c.json);
	return 0;
}

void query_deref_free(struct deref *t)
{
	free(t->type);
	query_path_free(&t->rest);
	free(t->vals);
	free(t->slot);
	fb_arena_release(&t->arena);
	free(t);
}

/* ---- comparing ------------------------------------------------------------------ */

bool query_looks_numeric(const char *s, size_t len, double *num)
{
	enum fb_node_type t = fb_number_resolve(s, len, num);
	return t == FB_NODE_INT || (t == FB_NODE_FLOAT && !isnan(*num));
}

/* A value's day, when it reads as a date. */
static bool value_day(const struct fb_qval *v, int32_t *day)
{
	if (v->type != FB_NODE_STR || v->masked)
		return false;
	return fb_date_parse(v->str, v->len, day, NULL, NULL) == 0;
}

/* What text compares by: folded, or as it is under --exact. */
static void text_key(struct fb_buf *out, const char *s, size_t len, bool exact)
{
	if (exact)
		fb_buf_add(out, s, len);
	else
		fb_fold(out, s, len, FB_FOLD_DEFAULT);
}

/*
 * What a string compares by in a test (=, !=, <, ...): the fold with all
 * white space removed (FOLDING.md), so «محمد رضا» = «محمدرضا» = «محمد‌رضا»;
 * as it is under --exact.
 */
void query_cmp_key(struct fb_buf *out, const char *s, size_t len, bool exact)
{
	if (exact)
		fb_buf_add(out, s, len);
	else
		fb_fold(out, s, len, FB_FOLD_NOSPACE);
}

int query_bytes_cmp(const char *a, size_t la, const char *b, size_t lb)
{
	int c = memcmp(a, b, la < lb ? la : lb);
	return c ? c : la < lb ? -1 : la > lb;
}

static int fold_cmp(const char *a, size_t la, const char *b, size_t lb, bool exact)
{
	struct fb_buf fa = FB_BUF_INIT, fbb = FB_BUF_INIT;
	int c;
	if (exact)
		return query_bytes_cmp(a, la, b, lb);
	text_key(&fa, a, la, false);
	text_key(&fbb, b, lb, false);
	c = query_bytes_cmp(fa.ptr, fa.len, fbb.ptr, fbb.len);
	fb_buf_release(&fa);
	fb_buf_release(&fbb);
	return c;
}

int fb_qval_cmp(const struct fb_qval *a, const struct fb_qval *b, bool exact)
{
	bool an = a->type == FB_NODE_INT || a->type == FB_NODE_FLOAT;
	bool bn = b->type == FB_NODE_INT || b->type == FB_NODE_FLOAT;
	int32_t da, db;

	if (an && bn)
		return a->num < b->num ? -1 : a->num > b->num;
	if (((a->xflags | b->xflags) & FB_X_DATE) && value_day(a, &da) && value_day(b, &db))
		return da < db ? -1 : da > db;
	if ((a->xflags & FB_X_PHONE) && (b->xflags & FB_X_PHONE)) {
		struct fb_buf ka = FB_BUF_INIT, kb = FB_BUF_INIT;
		int c;
		fb_unique_key(&ka, a->str, a->len, true);
		fb_unique_key(&kb, b->str, b->len, true);
		c = fold_cmp(ka.ptr, ka.len, kb.ptr, kb.len, true);
		fb_buf_release(&ka);
		fb_buf_release(&kb);
		return c;
	}
	if (an != bn) /* numbers before text */
		return an ? -1 : 1;
	return fold_cmp(a->str, a->len, b->str, b->len, exact);
}

void fb_qval_display(struct fb_buf *out, const struct fb_qval *v, enum fb_calendar cal)
{
	int32_t day;
	if (v->masked) {
		fb_buf_puts(out, "***");
		return;
	}
	if ((v->xflags & FB_X_DATE) && value_day(v, &day)) {
		fb_date_format(out, day, cal);
		return;
	}
	if (v->type == FB_NODE_NULL) {
		fb_buf_puts(out, "");
		return;
	}
	fb_buf_add(out, v->str, v->len);
}

/* ---- evaluating ------------------------------------------------------------------- */

struct lane;

static bool present(const struct fb_qval *v)
{
	if (v->type == FB_NODE_NULL)
		return false;
	if (v->type == FB_NODE_STR && v->len == 0)
		return false;
	if ((v->type == FB_NODE_SEQ || v->type == FB_NODE_MAP) && v->num == 0)
		return false; /* [] or {} */
	return true;
}

static bool test_value(struct evalctx *x, const struct qexpr *e, const struct fb_qval *v)
{
	const struct literal *l = &e->lit;
	bool exact = x->q->o.exact;
	int c;

	switch (e->op) {
	case OP_PRESENT:
		return present(v);
	case OP_MATCH:
	case OP_NOMATCH: {
		int m;
		if (v->type == FB_NODE_SEQ || v->type == FB_NODE_MAP || v->type == FB_NODE_NULL)
			return false;
		fb_buf_reset(&x->scratch);
		text_key(&x->scratch, v->str, v->len, exact);
		m = fb_regex_match(l->re, x->scratch.ptr, x->scratch.len);
		if (m == FB_ELIMIT) {
			x->expensive = l->text;
			return false;
		}
		return m == 1;
	}
	default:
		break;
	}
	/* typed comparison: numbers, dates, phones, folded text */
	if ((v->type == FB_NODE_INT || v->type == FB_NODE_FLOAT) && l->is_num) {
		c = v->num < l->num ? -1 : v->num > l->num;
	} else if (l->is_day && v->type == FB_NODE_STR) {
		int32_t day;
		if (fb_date_parse(v->str, v->len, &day, NULL, NULL) == 0) {
			c = day < l->day ? -1 : day > l->day;
		} else if (v->xflags & FB_X_DATE) {
			return false; /* a date field that is no date compares with no date */
		} else {
			goto text;
		}
	} else if (v->xflags & FB_X_PHONE) {
		struct fb_buf k = FB_BUF_INIT;
		fb_unique_key(&k, v->str, v->len, true);
		c = strcmp(k.ptr, l->phone);
		fb_buf_release(&k);
	} else {
	text:
		if (v->type == FB_NODE_SEQ || v->type == FB_NODE_MAP)
			return false;
		fb_buf_reset(&x->scratch);
		query_cmp_key(&x->scratch, v->str, v->len, exact);
		c = query_bytes_cmp(x->scratch.ptr, x->scratch.len, l->folded, l->folded_len);
	}
	switch (e->op) {
	case OP_EQ:
	case OP_NE: return c == 0;
	case OP_LT: return c < 0;
	case OP_LE: return c <= 0;
	case OP_GT: return c > 0;
	case OP_GE: return c >= 0;
	default: return false;
	}
}

bool query_eval(struct evalctx *x, const struct qexpr *e, const struct fb_node *root)
{
	size_t i;
	bool any = false;

	switch (e->kind) {
	case X_AND:
		return query_eval(x, e->a, root) && query_eval(x, e->b, root);
	case X_OR:
		return query_eval(x, e->a, root) || query_eval(x, e->b, root);
	case X_NOT:
		return !query_eval(x, e->a, root);
	case X_TEST:
		break;
	}
	x->c.n = 0;
	query_collect(root, e->path, 0, &x->c);
	for (i = 0; i < x->c.n && !any; i++)
		any = test_value(x, e, &x->c.v[i]);
	/* != and !~ are the negations: true when nothing matches, or nothing is there */
	return e->op == OP_NE || e->op == OP_NOMATCH ? !any : any;
}

/* -q: every term is a substring of the key of one of the record's string fields. */
static void string_keys(const struct fb_node *n, struct fb_buf *keys, bool show_confidential)
{
	uint32_t i;
	if (n->confidential && !show_confidential)
		return;
	if (n->type == FB_NODE_STR) {
		fb_fold(keys, n->str, n->len, FB_FOLD_NOSPACE);
		fb_buf_putc(keys, '\0'); /* terms never hold NUL: no match across fields */
		return;
	}
	for (i = 0; i < n->n; i++)
		string_keys(n->kids[i], keys, show_confidential);
}

bool query_quick_match(struct evalctx *x, const struct fb_node *root)
{
	const struct fb_query *q = x->q;
	size_t i;
	fb_buf_reset(&x->scratch);
	string_keys(root, &x->scratch, q->o.show_confidential);
	for (i = 0; i < q->nterms; i++)
		if (!contains(x->scratch.ptr, x->scratch.len, q->terms[i], strlen(q->terms[i])))
			return false;
	return true;
}
