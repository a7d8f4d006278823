/*
 * Query (see query.h): expressions, paths, values, rows.
 *
 * Parsing is recursive descent over the text with a depth limit; the parser
 * reads paths and values itself (a value is a quoted string or a bare word,
 * which may hold balanced parentheses: `name ~ (علی|حسن)`), so an error can
 * point at the exact column.  Every text given is checked to be UTF-8
 * first, and a literal compared with an x-date field must be a date (the
 * one parser's reason is the error), so neither is ever compared as bytes
 * or text by accident.  Compiling resolves each path against the
 * schema: a step into an array goes to its items, a step past an x-ref
 * field continues in the referenced type through a "deref" table: for each
 * id of that type, the values its record has at the rest of the path.
 * Tables are built before the records are read, so the main pass only
 * reads shared, finished data and can run on several threads (one lane per
 * thread, merged in order, as fb_check does).
 *
 * A value extracted from a record is copied into the result's arena
 * (struct fb_qval), so rows outlive the records they came from; only
 * records that match are kept, and only what is asked of them.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <fieldbook/check.h>
#include <fieldbook/query.h>
#include <fieldbook/regex.h>
#include <fieldbook/text.h>

#define MAX_NESTING 100

enum op {
	OP_PRESENT, /* a bare path */
	OP_EQ,
	OP_NE,
	OP_MATCH,
	OP_NOMATCH,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
};

static const char *const op_names[] = {"", "=", "!=", "~", "!~", "<", "<=", ">", ">="};

struct deref;

/* A path, resolved against the schema of the type it starts in. */
struct qpath {
	char **segs;
	size_t nsegs;
	size_t hop;              /* segments before the x-ref step (== nsegs: none) */
	struct deref *table;     /* the rest, in the referenced type */
	const struct fb_schema *leaf; /* the schema of the last segment (NULL when unknown) */
	char *text;              /* as written */
};

struct deref {
	char *type;
	struct qpath rest;
	struct fb_qval *vals;
	size_t nvals, vals_alloc;
	/* id -> [first, first + count) of vals; open addressing */
	struct {
		const char *id;
		uint32_t first, count;
	} *slot;
	size_t cap, nids;
	struct fb_arena arena;
};

/* A test's literal, read every way it may be compared. */
struct literal {
	char *text;
	size_t len;
	bool is_num, is_day;
	double num;
	int32_t day;
	char *folded; /* cmp_key(text): folded, no white space */
	size_t folded_len;
	char *phone; /* the phone key */
	struct fb_regex *re;
};

struct qexpr {
	enum { X_AND, X_OR, X_NOT, X_TEST } kind;
	struct qexpr *a, *b;
	enum op op;
	struct qpath *path;
	struct literal lit;
};

enum agg { AGG_NONE, AGG_COUNT, AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX };

struct column {
	char *name;
	enum agg agg;
	struct qpath *path; /* NULL for count() */
};

struct sortkey {
	size_t col; /* the column it reads (a hidden one when not shown) */
	bool desc;
};

struct fb_query {
	struct fb_source *src;
	const struct fb_schemas *ss;
	const struct fb_schema *schema;
	struct fb_query_opts o;
	struct qexpr *where;
	char **terms; /* -q, folded, no white space */
	size_t nterms;
	struct column *cols;
	size_t ncols, nshown; /* columns shown; sort-only ones follow */
	struct column group;
	bool grouped;
	struct sortkey *sort;
	size_t nsort;
	struct qpath **paths; /* every path made, for freeing */
	size_t npaths, paths_alloc;
	struct deref **tables;
	size_t ntables, tables_alloc;
	struct qexpr **exprs;
	size_t nexprs, exprs_alloc;
	const char *parsing; /* the expression being parsed (for errors), NULL for -f, -s, -g */
	const char *option;  /* else the option whose path is being resolved */
};

/* Whether `needle` occurs in `hay` (memmem is not in POSIX). */
static bool contains(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	const char *p = hay, *end = hay + hlen;
	if (!nlen)
		return true;
	while ((size_t)(end - p) >= nlen && (p = memchr(p, needle[0], (size_t)(end - p) - nlen + 1))) {
		if (!memcmp(p, needle, nlen))
			return true;
		p++;
	}
	return false;
}

/* ---- paths --------------------------------------------------------------------- */

static void path_free(struct qpath *p)
{
	size_t i;
	for (i = 0; i < p->nsegs; i++)
		free(p->segs[i]);
	free(p->segs);
	free(p->text);
}

static bool valid_name_char(unsigned char c)
{
	return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '$';
}

static size_t did_you_mean(const struct fb_schema *s, const char *seg, const char **best)
{
	size_t i, n = fb_schema_nproperties(s), bestd = 3;
	*best = NULL;
	for (i = 0; i < n; i++) {
		const char *name = fb_schema_property_name(s, i);
		size_t la = strlen(seg), lb = strlen(name), d;
		/* a small edit distance, enough for a suggestion */
		size_t row[64], j, k;
		if (la >= 63 || lb >= 63)
			continue;
		for (k = 0; k <= lb; k++)
			row[k] = k;
		for (j = 1; j <= la; j++) {
			size_t prev = row[0], tmp;
			row[0] = j;
			for (k = 1; k <= lb; k++) {
				size_t sub = prev + (seg[j - 1] != name[k - 1]);
				tmp = row[k];
				row[k] = sub < row[k] + 1 ? sub : row[k] + 1;
				if (row[k - 1] + 1 < row[k])
					row[k] = row[k - 1] + 1;
				prev = tmp;
			}
		}
		d = row[lb];
		if (d < bestd && d < la) {
			bestd = d;
			*best = name;
		}
	}
	return n;
}

static struct deref *deref_table(struct fb_query *q, const char *type, char **segs, size_t n,
				 struct fb_diag *d, unsigned col);

/*
 * Resolve segments against schema `s` (of type `type`).  Unknown fields are
 * an error where the schema lists its fields; a step past an x-ref field
 * hands the rest to a deref table.
 */
static int resolve(struct fb_query *q, struct qpath *p, const char *type,
		   const struct fb_schema *s, struct fb_diag *d, unsigned col)
{
	size_t i;

	p->hop = p->nsegs;
	for (i = 0; i < p->nsegs; i++) {
		const char *seg = p->segs[i], *xref;
		const struct fb_schema *c = NULL, *items;

		if (s) {
			c = fb_schema_property(s, seg, strlen(seg));
			if (!c && (items = fb_schema_item(s, 0)))
				c = fb_schema_property(items, seg, strlen(seg));
			if (!c && fb_schema_nproperties(items = fb_schema_item(s, 0) ? fb_schema_item(s, 0) : s)) {
				const char *best;
				did_you_mean(items, seg, &best);
				size_t k, before = 0;
				for (k = 0; k < i; k++)
					before += fb_utf8_count(p->segs[k], strlen(p->segs[k])) + 1;
				if (q->parsing)
					fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, "query", 1,
								 col + (unsigned)before,
								 "unknown field '%s' in %s%s%s%s", seg,
								 type, best ? " (did you mean '" : "",
								 best ? best : "", best ? "'?)" : ""),
						    q->parsing, "path", seg, NULL);
				else
					fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
						     "%s '%s': unknown field '%s' in %s%s%s%s",
						     q->option, p->text, seg, type,
						     best ? " (did you mean '" : "", best ? best : "",
						     best ? "'?)" : "");
				return FB_EUSAGE;
			}
		}
		s = c;
		xref = fb_schema_xref(c);
		if (!xref && c && (items = fb_schema_item(c, 0)))
			xref = fb_schema_xref(items);
		if (xref && i + 1 < p->nsegs) {
			size_t k, before = 0; /* the rest starts this many characters in */
			for (k = 0; k <= i; k++)
				before += fb_utf8_count(p->segs[k], strlen(p->segs[k])) + 1;
			p->hop = i + 1;
			p->table = deref_table(q, xref, p->segs + i + 1, p->nsegs - i - 1, d,
					       col + (unsigned)before);
			if (!p->table)
				return FB_EUSAGE;
			p->leaf = p->table->rest.leaf;
			return 0;
		}
	}
	p->leaf = s;
	return 0;
}

/* Parse "a.b.c" (already checked to be names) into a path of `type`. */
static struct qpath *make_path(struct fb_query *q, const char *text, size_t len, const char *type,
			       const struct fb_schema *s, struct fb_diag *d, unsigned col)
{
	struct qpath *p = fb_calloc(1, sizeof(*p));
	size_t i = 0, alloc = 0;

	p->text = fb_strndup(text, len);
	while (i <= len) {
		size_t j = i;
		while (j < len && text[j] != '.')
			j++;
		FB_GROW(p->segs, p->nsegs, alloc);
		p->segs[p->nsegs++] = fb_strndup(text + i, j - i);
		i = j + 1;
	}
	FB_GROW(q->paths, q->npaths, q->paths_alloc);
	q->paths[q->npaths++] = p;
	if (resolve(q, p, type, s, d, col) < 0)
		return NULL;
	return p;
}

/* ---- values -------------------------------------------------------------------- */

struct collector {
	struct fb_qval *v;
	size_t n, alloc;
	bool list; /* a list was gone through */
	struct fb_arena *arena;
	bool show;               /* for display: masked values as *** (else skipped) */
	bool show_confidential;
	struct fb_buf json;
};

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
static void collect(const struct fb_node *n, const struct qpath *p, size_t i, struct collector *c)
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
				collect(n->kids[k], p, i, c);
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
			collect(n->kids[k], p, i, c);
	} else if (n->type == FB_NODE_MAP) {
		collect(fb_node_get(n, p->segs[i]), p, i + 1, c);
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

static struct deref *deref_table(struct fb_query *q, const char *type, char **segs, size_t n,
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
	if (resolve(q, &t->rest, type, s, d, col) < 0)
		return NULL;
	return t;
}

/* Read every record of the table's type once: id -> its values at the rest of the path. */
static int deref_build(struct fb_query *q, struct deref *t, struct fb_diag *d)
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
			collect(doc->root, &t->rest, 0, &c);
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

static void deref_free(struct deref *t)
{
	free(t->type);
	path_free(&t->rest);
	free(t->vals);
	free(t->slot);
	fb_arena_release(&t->arena);
	free(t);
}

/* ---- comparing ------------------------------------------------------------------ */

static bool looks_numeric(const char *s, size_t len, double *num)
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
static void cmp_key(struct fb_buf *out, const char *s, size_t len, bool exact)
{
	if (exact)
		fb_buf_add(out, s, len);
	else
		fb_fold(out, s, len, FB_FOLD_NOSPACE);
}

static int bytes_cmp(const char *a, size_t la, const char *b, size_t lb)
{
	int c = memcmp(a, b, la < lb ? la : lb);
	return c ? c : la < lb ? -1 : la > lb;
}

static int fold_cmp(const char *a, size_t la, const char *b, size_t lb, bool exact)
{
	struct fb_buf fa = FB_BUF_INIT, fbb = FB_BUF_INIT;
	int c;
	if (exact)
		return bytes_cmp(a, la, b, lb);
	text_key(&fa, a, la, false);
	text_key(&fbb, b, lb, false);
	c = bytes_cmp(fa.ptr, fa.len, fbb.ptr, fbb.len);
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

/* ---- the expression language ------------------------------------------------------ */

struct parser {
	struct fb_query *q;
	const char *text;
	size_t len, pos;
	int depth;
	struct fb_diag *d;
	int err;
};

static unsigned column(const struct parser *p, size_t at)
{
	return (unsigned)fb_utf8_count(p->text, at < p->len ? at : p->len) + 1;
}

static void perror_at(struct parser *p, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void perror_at(struct parser *p, size_t at, const char *fmt, ...)
{
	struct fb_diag_entry *e;
	va_list ap;
	if (p->err)
		return;
	va_start(ap, fmt);
	e = fb_diag_vaddf(p->d, FB_SEV_ERROR, "query", 1, column(p, at), fmt, ap);
	va_end(ap);
	fb_diag_set(e, p->text, "syntax", NULL, NULL);
	p->err = FB_ESYNTAX;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		size_t at = p->pos;
		int32_t cp = fb_utf8_next(p->text, p->len, &p->pos);
		if (cp < 0 || !fb_is_space((uint32_t)cp)) {
			p->pos = at;
			return;
		}
	}
}

/* A keyword (and/or/not) at the current position, followed by a boundary. */
static bool keyword(struct parser *p, const char *kw)
{
	size_t n = strlen(kw);
	char after;
	if (p->pos + n > p->len || strncasecmp(p->text + p->pos, kw, n))
		return false;
	after = p->pos + n < p->len ? p->text[p->pos + n] : ' ';
	if (valid_name_char((unsigned char)after) || after == '.')
		return false;
	p->pos += n;
	return true;
}

static bool symbol(struct parser *p, const char *sym)
{
	size_t n = strlen(sym);
	if (p->pos + n > p->len || memcmp(p->text + p->pos, sym, n))
		return false;
	p->pos += n;
	return true;
}

static struct qexpr *new_expr(struct parser *p, int kind)
{
	struct qexpr *e = fb_calloc(1, sizeof(*e));
	e->kind = kind;
	FB_GROW(p->q->exprs, p->q->nexprs, p->q->exprs_alloc);
	p->q->exprs[p->q->nexprs++] = e;
	return e;
}

static enum op read_op(struct parser *p)
{
	static const struct {
		const char *s;
		enum op op;
	} ops[] = {{"!=", OP_NE}, {"!~", OP_NOMATCH}, {"<=", OP_LE}, {">=", OP_GE}, {"=", OP_EQ},
		   {"~", OP_MATCH}, {"<", OP_LT},	  {">", OP_GT}};
	size_t i;
	for (i = 0; i < FB_ARRAY_SIZE(ops); i++)
		if (symbol(p, ops[i].s))
			return ops[i].op;
	return OP_PRESENT;
}

/* A quoted string or a bare word (balanced parentheses allowed inside). */
static bool read_value(struct parser *p, struct fb_buf *out)
{
	char q = p->pos < p->len ? p->text[p->pos] : '\0';
	size_t start = p->pos;
	int depth = 0;

	if (q == '\'' || q == '"') {
		p->pos++;
		while (p->pos < p->len && p->text[p->pos] != q) {
			if (p->text[p->pos] == '\\' && q == '"' && p->pos + 1 < p->len &&
			    (p->text[p->pos + 1] == '"' || p->text[p->pos + 1] == '\\'))
				p->pos++; /* \" and \\ in double quotes; other backslashes stay (regexes) */
			fb_buf_putc(out, p->text[p->pos++]);
		}
		if (p->pos >= p->len) {
			perror_at(p, start, "the quote %c opened here is not closed", q);
			return false;
		}
		p->pos++;
		return true;
	}
	while (p->pos < p->len) {
		size_t at = p->pos;
		int32_t cp = fb_utf8_next(p->text, p->len, &p->pos);
		if ((cp >= 0 && fb_is_space((uint32_t)cp)) ||
		    ((cp == '&' || cp == '|') && p->pos < p->len && p->text[p->pos] == cp)) {
			p->pos = at; /* white space, or && and || end a bare word */
			break;
		}
		if (cp == '(')
			depth++;
		if (cp == ')' && depth-- == 0) {
			p->pos = at;
			break;
		}
		fb_buf_add(out, p->text + at, p->pos - at);
	}
	return out->len > 0;
}

/* Whether the schema makes the path's values dates (x-date on it, or on its items). */
static bool date_field(const struct qpath *path)
{
	return (fb_schema_xflags(path->leaf) | fb_schema_xflags(fb_schema_item(path->leaf, 0))) &
	       FB_X_DATE;
}

/*
 * `=` or `!=` with a value the field's enum does not have is true (false)
 * only for invalid records: a warning, with the values the schema allows.  Values
 * compare as the test compares them (numbers as numbers, text by its key).
 */
static void check_enum(struct parser *p, const struct qexpr *e, size_t at)
{
	const struct literal *l = &e->lit;
	const struct fb_node *en = fb_schema_enum(e->path->leaf);
	struct fb_buf key = FB_BUF_INIT, list = FB_BUF_INIT, shown = FB_BUF_INIT;
	bool exact = p->q->o.exact;
	uint32_t i;

	if (!en)
		en = fb_schema_enum(fb_schema_item(e->path->leaf, 0));
	if (!en || en->type != FB_NODE_SEQ || !en->n)
		return;
	for (i = 0; i < en->n; i++) {
		const struct fb_node *k = en->kids[i];
		if (!fb_node_is_scalar(k) || k->type == FB_NODE_NULL)
			continue;
		if ((k->type == FB_NODE_INT || k->type == FB_NODE_FLOAT) && l->is_num) {
			if (k->num == l->num)
				goto out;
			continue;
		}
		fb_buf_reset(&key);
		cmp_key(&key, k->str, k->len, exact);
		if (!bytes_cmp(key.ptr, key.len, l->folded, l->folded_len))
			goto out;
	}
	for (i = 0; i < en->n; i++) {
		const struct fb_node *k = en->kids[i];
		if (i)
			fb_buf_puts(&list, i + 1 == en->n ? " or " : ", ");
		if (fb_node_is_scalar(k) && k->type != FB_NODE_NULL)
			fb_buf_add(&list, k->str, k->len);
		else
			fb_buf_puts(&list, k->type == FB_NODE_NULL ? "null" : "(a collection)");
	}
	fb_diag_shorten(&shown, l->text, l->len, 60);
	fb_diag_set(fb_diag_addf(p->d, FB_SEV_WARNING, "query", 1, column(p, at),
				 "'%s' has no value '%s': its schema allows %s", e->path->text,
				 shown.ptr, list.ptr),
		    p->text, "enum", l->text, list.ptr);
out:
	fb_buf_release(&key);
	fb_buf_release(&list);
	fb_buf_release(&shown);
}

static void read_literal(struct parser *p, struct qexpr *e, const struct fb_buf *v, size_t at)
{
	struct literal *l = &e->lit;
	struct fb_buf scratch = FB_BUF_INIT, reason = FB_BUF_INIT;
	bool exact = p->q->o.exact;

	l->text = fb_strndup(v->ptr, v->len);
	l->len = v->len;
	l->is_num = looks_numeric(v->ptr, v->len, &l->num);
	l->is_day = fb_date_parse_arg(l->text, p->q->o.today, &l->day, &reason) == 0;
	/* on an x-date field a comparison needs a date: no text fallback (SPEC §5) */
	if (!l->is_day && e->op != OP_MATCH && e->op != OP_NOMATCH && date_field(e->path))
		perror_at(p, at, "bad date '%s': %s", l->text,
			  reason.len ? reason.ptr : "unrecognised date");
	fb_buf_release(&reason);
	cmp_key(&scratch, v->ptr, v->len, exact);
	l->folded_len = scratch.len;
	l->folded = fb_buf_detach(&scratch, NULL);
	fb_unique_key(&scratch, v->ptr, v->len, true);
	l->phone = fb_buf_detach(&scratch, NULL);
	if (e->op == OP_EQ || e->op == OP_NE)
		check_enum(p, e, at);
	if (e->op == OP_MATCH || e->op == OP_NOMATCH) {
		struct fb_buf why = FB_BUF_INIT;
		size_t off = 0;
		unsigned flags = exact ? FB_RE_DEFAULT : FB_RE_FOLD | FB_RE_CASELESS;
		if (fb_regex_compile(&l->re, v->ptr, v->len, flags, &why, &off) < 0)
			perror_at(p, at, "'%s' is not a regular expression: %s at character %zu",
				  l->text, why.ptr, off + 1);
		fb_buf_release(&why);
	}
}

static struct qexpr *parse_or(struct parser *p);

static struct qexpr *parse_test(struct parser *p)
{
	struct fb_buf value = FB_BUF_INIT;
	size_t start, vstart;
	struct qexpr *e;

	skip_ws(p);
	start = p->pos;
	if (keyword(p, "and") || keyword(p, "or")) {
		perror_at(p, start, "expected a field name, found '%.*s'", (int)(p->pos - start),
			  p->text + start);
		return NULL;
	}
	while (p->pos < p->len &&
	       (valid_name_char((unsigned char)p->text[p->pos]) || p->text[p->pos] == '.'))
		p->pos++;
	if (p->pos == start) {
		if (p->pos >= p->len)
			perror_at(p, p->pos, "expected a field name, found the end of the expression");
		else
			perror_at(p, p->pos, "expected a field name, found '%c'", p->text[p->pos]);
		return NULL;
	}
	if (p->text[start] == '.' || p->text[p->pos - 1] == '.' ||
	    contains(p->text + start, p->pos - start, "..", 2)) {
		perror_at(p, start, "'%.*s' is not a field path (names joined by single dots)",
			  (int)(p->pos - start), p->text + start);
		return NULL;
	}
	e = new_expr(p, X_TEST);
	e->path = make_path(p->q, p->text + start, p->pos - start, p->q->o.type, p->q->schema, p->d,
			    column(p, start));
	if (!e->path) {
		p->err = FB_EUSAGE;
		return NULL;
	}
	skip_ws(p);
	e->op = read_op(p);
	if (e->op == OP_PRESENT)
		return e;
	skip_ws(p);
	vstart = p->pos;
	if (!read_value(p, &value)) {
		if (!p->err)
			perror_at(p, p->pos, "expected a value after '%s'", op_names[e->op]);
		fb_buf_release(&value);
		return NULL;
	}
	read_literal(p, e, &value, vstart);
	fb_buf_release(&value);
	return e;
}

static struct qexpr *parse_unary(struct parser *p)
{
	struct qexpr *e;
	skip_ws(p);
	if (++p->depth > MAX_NESTING) {
		perror_at(p, p->pos, "the expression nests deeper than %d levels", MAX_NESTING);
		return NULL;
	}
	if (keyword(p, "not") || (p->pos < p->len && p->text[p->pos] == '!' &&
				  (p->pos + 1 >= p->len || (p->text[p->pos + 1] != '=' &&
							     p->text[p->pos + 1] != '~')) &&
				  symbol(p, "!"))) {
		e = new_expr(p, X_NOT);
		e->a = parse_unary(p);
		p->depth--;
		return e->a ? e : NULL;
	}
	if (symbol(p, "(")) {
		size_t open = p->pos - 1;
		e = parse_or(p);
		skip_ws(p);
		if (e && !symbol(p, ")")) {
			if (p->pos >= p->len)
				perror_at(p, p->pos, "expected ')' to close the '(' at column %u",
					  column(p, open));
			else
				perror_at(p, p->pos, "expected ')' to close the '(' at column %u, found '%c'",
					  column(p, open), p->text[p->pos]);
			e = NULL;
		}
		p->depth--;
		return e;
	}
	e = parse_test(p);
	p->depth--;
	return e;
}

/* The binary operators, loosest first; each level is a left-leaning chain of the next. */
static const struct {
	const char *word, *sym;
	int kind;
} levels[] = {{"or", "||", X_OR}, {"and", "&&", X_AND}};

static struct qexpr *parse_level(struct parser *p, size_t level)
{
	struct qexpr *left;
	if (level == sizeof(levels) / sizeof(levels[0]))
		return parse_unary(p);
	left = parse_level(p, level + 1);
	while (left) {
		struct qexpr *e;
		skip_ws(p);
		if (!keyword(p, levels[level].word) && !symbol(p, levels[level].sym))
			break;
		e = new_expr(p, levels[level].kind);
		e->a = left;
		e->b = parse_level(p, level + 1);
		left = e->b ? e : NULL;
	}
	return left;
}

static struct qexpr *parse_or(struct parser *p)
{
	return parse_level(p, 0);
}

static int parse_expression(struct fb_query *q, const char *text, struct qexpr **out,
			    struct fb_diag *d)
{
	struct parser p = {q, text, strlen(text), 0, 0, d, 0};
	struct qexpr *e;

	*out = NULL;
	q->parsing = text;
	skip_ws(&p);
	if (p.pos == p.len)
		return 0; /* an empty expression: every record */
	e = parse_or(&p);
	skip_ws(&p);
	if (e && p.pos < p.len) {
		if (p.text[p.pos] == ')')
			perror_at(&p, p.pos, "')' without a '(' before it");
		else
			perror_at(&p, p.pos, "unexpected '%.*s' after a complete expression (and, or?)",
				  (int)(strcspn(p.text + p.pos, " \t") ? strcspn(p.text + p.pos, " \t")
								       : 1),
				  p.text + p.pos);
		e = NULL;
	}
	if (!e && !p.err)
		p.err = FB_ESYNTAX;
	*out = e;
	q->parsing = NULL;
	return p.err == FB_EUSAGE ? FB_ESYNTAX : p.err; /* an unknown field: shown with a caret too */
}

void fb_query_caret(struct fb_buf *out, const char *expr, unsigned col)
{
	struct fb_buf before = FB_BUF_INIT;
	size_t i = 0, len = strlen(expr);
	unsigned c = 1;

	/* escaped as messages are (\xff for a bad byte), the caret under the column */
	fb_buf_puts(out, "  ");
	fb_diag_escape(out, expr, len);
	fb_buf_puts(out, "\n  ");
	while (i < len && c < col) { /* columns count code points, a bad byte as one */
		fb_utf8_next(expr, len, &i);
		c++;
	}
	fb_diag_escape(&before, expr, i);
	fb_buf_addch(out, ' ', fb_display_width(before.ptr, before.len));
	fb_buf_puts(out, "^");
	fb_buf_release(&before);
}

/* ---- evaluating ------------------------------------------------------------------- */

struct lane;

struct evalctx {
	const struct fb_query *q;
	struct collector c;
	struct fb_buf scratch;
	const char *expensive; /* a pattern that hit its limit */
};

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
		cmp_key(&x->scratch, v->str, v->len, exact);
		c = bytes_cmp(x->scratch.ptr, x->scratch.len, l->folded, l->folded_len);
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

static bool eval(struct evalctx *x, const struct qexpr *e, const struct fb_node *root)
{
	size_t i;
	bool any = false;

	switch (e->kind) {
	case X_AND:
		return eval(x, e->a, root) && eval(x, e->b, root);
	case X_OR:
		return eval(x, e->a, root) || eval(x, e->b, root);
	case X_NOT:
		return !eval(x, e->a, root);
	case X_TEST:
		break;
	}
	x->c.n = 0;
	collect(root, e->path, 0, &x->c);
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

static bool quick_match(struct evalctx *x, const struct fb_node *root)
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

/* ---- compiling ------------------------------------------------------------------------ */

static bool is_agg(const char *f, const char *name, const char **arg, size_t *arglen)
{
	size_t n = strlen(name), len = strlen(f);
	if (len < n + 2 || strncmp(f, name, n) || f[n] != '(' || f[len - 1] != ')')
		return false;
	*arg = f + n + 1;
	*arglen = len - n - 2;
	return true;
}

static bool valid_path_text(const char *s, size_t len)
{
	size_t i;
	if (!len || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (i = 0; i < len; i++)
		if (!(valid_name_char((unsigned char)s[i]) || (s[i] == '.' && s[i + 1] != '.')))
			return false;
	return true;
}

static int add_column(struct fb_query *q, const char *f, bool grouped, struct fb_diag *d)
{
	static const struct {
		const char *name;
		enum agg agg;
	} aggs[] = {{"count", AGG_COUNT}, {"sum", AGG_SUM}, {"avg", AGG_AVG},
		    {"min", AGG_MIN},	  {"max", AGG_MAX}};
	struct column *c;
	const char *arg = NULL;
	size_t arglen = 0, i;
	enum agg agg = AGG_NONE;

	for (i = 0; i < FB_ARRAY_SIZE(aggs); i++)
		if (is_agg(f, aggs[i].name, &arg, &arglen)) {
			agg = aggs[i].agg;
			break;
		}
	if (agg != AGG_NONE && !grouped) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "'%s' is an aggregate: it needs -g FIELD to group the records", f);
		return FB_EUSAGE;
	}
	if (agg == AGG_NONE && grouped && q->group.name && !strcmp(f, q->group.name))
		return 0; /* the group key (SELECT county, count(*)): always the first column */
	if (agg == AGG_NONE && grouped) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "with -g %s, -f takes '%s' (the group), count(), sum(PATH), avg(PATH), "
			     "min(PATH) and max(PATH), not '%s'",
			     q->group.name, q->group.name, f);
		return FB_EUSAGE;
	}
	if (agg == AGG_COUNT && arglen) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "count() takes nothing in its parentheses");
		return FB_EUSAGE;
	}
	if (agg == AGG_COUNT)
		for (i = 0; i < q->ncols; i++)
			if (q->cols[i].agg == AGG_COUNT)
				return 0; /* the group's count is there already */
	q->cols = fb_realloc(q->cols, (q->ncols + 1) * sizeof(*q->cols));
	c = &q->cols[q->ncols];
	memset(c, 0, sizeof(*c));
	c->agg = agg;
	c->name = fb_strdup(agg == AGG_COUNT ? "count" : f);
	if (agg != AGG_COUNT) {
		const char *p = agg == AGG_NONE ? f : arg;
		size_t len = agg == AGG_NONE ? strlen(f) : arglen;
		if (!valid_path_text(p, len)) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "'%s' is not a field path", f);
			free(c->name);
			return FB_EUSAGE;
		}
		c->path = make_path(q, p, len, q->o.type, q->schema, d, 1);
		if (!c->path) {
			free(c->name);
			return FB_EUSAGE;
		}
	}
	q->ncols++;
	return 0;
}

/*
 * Every text the query is given must be UTF-8 (it is folded, matched and
 * echoed as such).  A bad byte in an expression is a syntax error at its
 * column; in an option, a usage error naming the option.  Both give the
 * byte's offset in that text, and the message shows the text escaped.
 */
static int check_utf8(const char *what, const char *s, struct fb_diag *d)
{
	struct fb_buf shown = FB_BUF_INIT;
	size_t bad = 0, len = s ? strlen(s) : 0;

	if (fb_utf8_valid(s, len, &bad))
		return 0;
	if (!what) {
		fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, "query", 1,
					 (unsigned)fb_utf8_count(s, bad) + 1,
					 "invalid UTF-8 (byte 0x%02X at offset %zu)",
					 (unsigned char)s[bad], bad),
			    s, "syntax", NULL, NULL);
		return FB_ESYNTAX;
	}
	fb_diag_shorten(&shown, s, len, 60);
	fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "%s '%s': invalid UTF-8 (byte 0x%02X at offset %zu)",
		     what, shown.ptr, (unsigned char)s[bad], bad);
	fb_buf_release(&shown);
	return FB_EUSAGE;
}

static int check_inputs(const struct fb_query_opts *o, struct fb_diag *d)
{
	size_t i;
	int err = 0;

	for (i = 0; i < o->nexprs && !err; i++)
		err = check_utf8(NULL, o->exprs[i], d);
	if (!err)
		err = check_utf8("TYPE", o->type, d);
	if (!err && o->quick)
		err = check_utf8("-q", o->quick, d);
	for (i = 0; i < o->nfields && !err; i++)
		err = check_utf8("-f", o->fields[i], d);
	for (i = 0; i < o->nsort && !err; i++)
		err = check_utf8("-s", o->sort[i], d);
	if (!err && o->group)
		err = check_utf8("-g", o->group, d);
	return err;
}

int fb_query_compile(struct fb_query **out, struct fb_source *src, const struct fb_schemas *ss,
		     const struct fb_query_opts *o, struct fb_diag *d)
{
	struct fb_query *q = fb_calloc(1, sizeof(*q));
	size_t i;
	int err = 0;

	*out = q;
	q->src = src;
	q->ss = ss;
	q->o = *o;
	q->schema = fb_schemas_type(ss, o->type);
	q->grouped = o->group != NULL;

	if ((err = check_inputs(o, d)) < 0)
		return err;
	for (i = 0; i < o->nexprs && !err; i++) {
		struct qexpr *e = NULL;
		err = parse_expression(q, o->exprs[i], &e, d);
		if (e && q->where) {
			struct qexpr *both = fb_calloc(1, sizeof(*both));
			both->kind = X_AND;
			both->a = q->where;
			both->b = e;
			FB_GROW(q->exprs, q->nexprs, q->exprs_alloc);
			q->exprs[q->nexprs++] = both;
			e = both;
		}
		if (e)
			q->where = e;
	}
	if (err)
		return err;
	if (o->quick) {
		const char *p = o->quick;
		while (*p) {
			struct fb_buf term = FB_BUF_INIT, key = FB_BUF_INIT;
			size_t len = strcspn(p, " \t\n");
			fb_buf_add(&term, p, len);
			fb_fold(&key, term.ptr, term.len, FB_FOLD_NOSPACE);
			if (key.len) {
				q->terms = fb_realloc(q->terms, (q->nterms + 1) * sizeof(*q->terms));
				q->terms[q->nterms++] = fb_buf_detach(&key, NULL);
			}
			fb_buf_release(&term);
			fb_buf_release(&key);
			p += len;
			while (*p == ' ' || *p == '\t' || *p == '\n')
				p++;
		}
		if (!q->nterms) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
				     "-q '%s' has nothing to search for once folded", o->quick);
			return FB_EUSAGE;
		}
	}
	/* the columns: the group first, then -f, or x-summary */
	if (q->grouped) {
		size_t len = strlen(o->group);
		if (!valid_path_text(o->group, len)) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "-g '%s' is not a field path",
				     o->group);
			return FB_EUSAGE;
		}
		q->group.name = fb_strdup(o->group);
		q->option = "-g";
		q->group.path = make_path(q, o->group, len, o->type, q->schema, d, 1);
		if (!q->group.path)
			return FB_EUSAGE;
		if ((err = add_column(q, "count()", true, d)) < 0)
			return err;
	}
	q->option = "-f";
	if (o->nfields) {
		for (i = 0; i < o->nfields && !err; i++)
			err = add_column(q, o->fields[i], q->grouped, d);
	} else if (!q->grouped) {
		const struct fb_node *sum = fb_schema_xsummary(q->schema);
		if (sum)
			for (i = 0; i < sum->n && !err; i++)
				err = add_column(q, sum->kids[i]->str, false, d);
		else
			err = add_column(q, "id", false, d);
	}
	if (err)
		return err;
	q->nshown = q->ncols;
	/* sort keys: a shown column of that name, or a hidden one */
	q->sort = fb_calloc(o->nsort + 1, sizeof(*q->sort));
	for (i = 0; i < o->nsort; i++) {
		const char *f = o->sort[i];
		size_t k;
		bool desc = f[0] == '-';
		if (desc)
			f++;
		for (k = 0; k < q->ncols; k++)
			if (!strcmp(q->cols[k].name, f) ||
			    (q->grouped && !strcmp(f, "count()") && q->cols[k].agg == AGG_COUNT))
				break;
		if (k == q->ncols && q->grouped && !strcmp(f, o->group))
			k = SIZE_MAX; /* the group value itself */
		if (k == q->ncols) {
			q->option = "-s";
			if ((err = add_column(q, f, q->grouped, d)) < 0)
				return err;
		}
		q->sort[q->nsort].col = k;
		q->sort[q->nsort++].desc = desc;
	}
	for (i = q->ntables; i-- > 0 && !err;) /* deepest tables were made last */
		err = deref_build(q, q->tables[i], d);
	return err;
}

void fb_query_free(struct fb_query *q)
{
	size_t i;
	if (!q)
		return;
	for (i = 0; i < q->nexprs; i++) {
		struct literal *l = &q->exprs[i]->lit;
		free(l->text);
		free(l->folded);
		free(l->phone);
		fb_regex_free(l->re);
		free(q->exprs[i]);
	}
	free(q->exprs);
	for (i = 0; i < q->npaths; i++) {
		path_free(q->paths[i]);
		free(q->paths[i]);
	}
	free(q->paths);
	for (i = 0; i < q->ntables; i++)
		deref_free(q->tables[i]);
	free(q->tables);
	for (i = 0; i < q->ncols; i++)
		free(q->cols[i].name);
	free(q->cols);
	free(q->group.name);
	for (i = 0; i < q->nterms; i++)
		free(q->terms[i]);
	free(q->terms);
	free(q->sort);
	free(q);
}

/* ---- running ----------------------------------------------------------------------------- */

struct lane {
	const struct fb_query *q;
	struct fb_source *src;
	const struct fb_entry *v;
	size_t n;
	struct fb_buf scratch;
	struct evalctx x;
	struct fb_diag d;
	struct fb_qrow *rows;
	size_t nrows, rows_alloc;
	struct fb_arena arena;
	int err;
	bool started;
	pthread_t tid;
};

static void cell_of(struct lane *l, const struct fb_node *root, const struct qpath *p,
		    struct fb_qcell *cell)
{
	struct collector c = {NULL, 0, 0, false, &l->arena, true, l->q->o.show_confidential,
			      FB_BUF_INIT};
	collect(root, p, 0, &c);
	cell->n = (uint32_t)c.n;
	cell->list = c.list;
	cell->v = c.n ? fb_arena_alloc(&l->arena, c.n * sizeof(*cell->v)) : NULL;
	if (c.n)
		memcpy(cell->v, c.v, c.n * sizeof(*cell->v));
	free(c.v);
	fb_buf_release(&c.json);
}

static void take_row(struct lane *l, const struct fb_entry *e, const struct fb_doc *doc)
{
	const struct fb_query *q = l->q;
	struct fb_qrow *r;
	size_t i;

	FB_GROW(l->rows, l->nrows, l->rows_alloc);
	r = &l->rows[l->nrows++];
	memset(r, 0, sizeof(*r));
	r->type = fb_arena_strndup(&l->arena, e->type, strlen(e->type));
	r->id = fb_arena_strndup(&l->arena, e->id, strlen(e->id));
	r->path = fb_arena_strndup(&l->arena, e->path, strlen(e->path));
	if (q->o.want == FB_QUERY_JSON || q->o.want == FB_QUERY_YAML) {
		struct fb_buf text = FB_BUF_INIT;
		if (q->o.want == FB_QUERY_JSON)
			fb_record_json(&text, e, doc, q->o.show_confidential, 1);
		else if (q->o.show_confidential)
			fb_buf_add(&text, doc->text, doc->len);
		else
			fb_record_masked_text(&text, doc);
		r->text = fb_arena_strndup(&l->arena, text.ptr, text.len);
		fb_buf_release(&text);
	}
	/* cells: the group's value (for grouping), every column with a path */
	r->cells = fb_arena_calloc(&l->arena, (q->ncols + 1) * sizeof(*r->cells));
	if (q->grouped)
		cell_of(l, doc->root, q->group.path, &r->cells[q->ncols]);
	for (i = 0; i < q->ncols; i++)
		if (q->cols[i].path && (q->o.want == FB_QUERY_CELLS || i >= q->nshown || q->grouped))
			cell_of(l, doc->root, q->cols[i].path, &r->cells[i]);
}

static void *run_lane(void *arg)
{
	struct lane *l = arg;
	const struct fb_query *q = l->q;
	size_t i;

	for (i = 0; i < l->n && !l->err; i++) {
		const struct fb_entry *e = &l->v[i];
		struct fb_diag load = FB_DIAG_INIT;
		struct fb_doc *doc = NULL;
		int err = fb_record_load(l->src, q->schema, e, &l->scratch, &doc, &load);

		if (err == FB_EIO) {
			fb_diag_splice(&l->d, &load);
			l->err = err;
			break;
		}
		if (!doc) {
			fb_diag_set(fb_diag_addf(&l->d, FB_SEV_WARNING, e->path, 0, 0,
						 "does not parse; skipped ('fieldbook validate %s/%s' "
						 "says why)",
						 e->type, e->id),
				    NULL, "yaml", NULL, NULL);
		} else if ((!q->where || eval(&l->x, q->where, doc->root)) &&
			   (!q->nterms || quick_match(&l->x, doc->root))) {
			if (l->x.expensive)
				l->err = FB_ELIMIT;
			else
				take_row(l, e, doc);
		} else if (l->x.expensive) {
			l->err = FB_ELIMIT;
		}
		fb_diag_release(&load);
		fb_doc_free(doc);
	}
	return NULL;
}

#define RECORDS_PER_THREAD 2000

static int run_lanes(struct fb_query *q, const struct fb_entries *es, struct fb_query_result *res,
		     struct fb_diag *d)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = q->o.threads ? q->o.threads : cpus > 0 ? (size_t)cpus : 1;
	struct fb_source *first = NULL;
	struct lane *lanes;
	size_t i, k, from = 0;
	int err = 0;

	if (n > 8)
		n = 8;
	if (n > es->n / RECORDS_PER_THREAD)
		n = es->n / RECORDS_PER_THREAD;
	if (n < 1)
		n = 1;
	if (n > 1 && fb_source_twin(&first, q->src) < 0)
		n = 1;
	lanes = fb_calloc(n, sizeof(*lanes));
	for (i = 0; i < n; i++) {
		struct lane *l = &lanes[i];
		size_t to = es->n * (i + 1) / n;
		l->q = q;
		l->src = n == 1 ? q->src : i == 0 ? first : NULL;
		if (n > 1 && i > 0)
			fb_source_twin(&l->src, q->src);
		l->v = es->v + from;
		l->n = to - from;
		l->x.q = q;
		l->x.c.show_confidential = q->o.show_confidential;
		from = to;
		if (n > 1)
			l->started = pthread_create(&l->tid, NULL, run_lane, l) == 0;
		if (!l->started)
			run_lane(l);
	}
	for (i = 0; i < n; i++) {
		struct lane *l = &lanes[i];
		if (l->started)
			pthread_join(l->tid, NULL);
		fb_diag_splice(d, &l->d);
		if (l->err && !err) {
			err = l->err;
			if (err == FB_ELIMIT)
				fb_diag_addf(d, FB_SEV_ERROR, "query", 0, 0,
					     "the pattern '%s' is too expensive to match (it backtracks "
					     "past the limit); simplify it",
					     l->x.expensive);
		}
		for (k = 0; k < l->nrows; k++) {
			FB_GROW(res->rows, res->n, res->matched);
			res->rows[res->n++] = l->rows[k];
		}
		free(l->rows);
		fb_arena_adopt(&res->arena, &l->arena);
		fb_buf_release(&l->scratch);
		fb_buf_release(&l->x.scratch);
		free(l->x.c.v);
		fb_buf_release(&l->x.c.json);
		if (n > 1)
			fb_source_free(l->src);
	}
	free(lanes);
	res->matched = res->n;
	return err;
}

/* ---- grouping, sorting ----------------------------------------------------------------- */

static const struct fb_qval *first_value(const struct fb_qcell *c)
{
	return c->n ? &c->v[0] : NULL;
}

struct sort_ctx {
	const struct fb_query *q;
	const struct fb_qrow *rows;
};

static _Thread_local const struct sort_ctx *sorting;

static int cmp_rows(const void *pa, const void *pb)
{
	const struct fb_query *q = sorting->q;
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb, k;
	const struct fb_qrow *a = &sorting->rows[ia], *b = &sorting->rows[ib];

	for (k = 0; k < q->nsort; k++) {
		size_t col = q->sort[k].col == SIZE_MAX ? q->ncols : q->sort[k].col;
		const struct fb_qval *va = first_value(&a->cells[col]), *vb = first_value(&b->cells[col]);
		int c;
		if (!va || !vb) {
			c = !va - !vb; /* missing last, whichever the direction */
			if (c)
				return c;
			continue;
		}
		c = fb_qval_cmp(va, vb, q->o.exact);
		if (c)
			return q->sort[k].desc ? -c : c;
	}
	return ia < ib ? -1 : ia > ib; /* stable */
}

static void sort_rows(struct fb_query *q, struct fb_query_result *res)
{
	struct sort_ctx ctx = {q, res->rows};
	size_t *idx = fb_malloc((res->n + 1) * sizeof(*idx)), i;
	struct fb_qrow *sorted = fb_malloc((res->n + 1) * sizeof(*sorted));

	for (i = 0; i < res->n; i++)
		idx[i] = i;
	sorting = &ctx;
	qsort(idx, res->n, sizeof(*idx), cmp_rows);
	sorting = NULL;
	for (i = 0; i < res->n; i++)
		sorted[i] = res->rows[idx[i]];
	free(res->rows);
	res->rows = sorted;
	free(idx);
}

static struct fb_qval *new_number(struct fb_arena *a, double v)
{
	struct fb_qval *q = fb_arena_calloc(a, sizeof(*q));
	char tmp[40];
	int n;
	if (v == floor(v) && fabs(v) < 1e15)
		n = snprintf(tmp, sizeof(tmp), "%.0f", v);
	else
		n = snprintf(tmp, sizeof(tmp), "%.6g", v);
	q->type = v == floor(v) ? FB_NODE_INT : FB_NODE_FLOAT;
	q->num = v;
	q->str = fb_arena_strndup(a, tmp, (size_t)n);
	q->len = (size_t)n;
	return q;
}

/* Rows become groups: one per value of the group path (a record may be in several). */
static void group_rows(struct fb_query *q, struct fb_query_result *res)
{
	struct fb_qrow *groups = NULL;
	size_t ngroups = 0, alloc = 0, i, g, k;
	bool exact = q->o.exact;
	struct fb_qval none = {FB_NODE_NULL, 0, 0, "", 0, 0};

	for (i = 0; i < res->n; i++) {
		const struct fb_qcell *gc = &res->rows[i].cells[q->ncols];
		uint32_t nv = gc->n ? gc->n : 1;
		uint32_t j;
		for (j = 0; j < nv; j++) {
			const struct fb_qval *gv = gc->n ? &gc->v[j] : &none;
			struct fb_qrow *gr = NULL;
			for (g = 0; g < ngroups; g++)
				if (fb_qval_cmp(groups[g].cells[0].v, gv, exact) == 0 &&
				    groups[g].cells[0].v->type == gv->type)
					gr = &groups[g];
			if (!gr) {
				FB_GROW(groups, ngroups, alloc);
				gr = &groups[ngroups++];
				memset(gr, 0, sizeof(*gr));
				gr->cells = fb_arena_calloc(&res->arena,
							    (q->ncols + 2) * sizeof(*gr->cells));
				gr->cells[0].v = fb_arena_calloc(&res->arena, sizeof(struct fb_qval));
				*gr->cells[0].v = *gv;
				gr->cells[0].n = gc->n ? 1 : 0;
				/* per aggregate: [0] count of values, [1] sum, [2] min idx, [3] max idx */
				gr->text = fb_arena_calloc(&res->arena, q->ncols * 4 * sizeof(double));
			}
			for (k = 0; k < q->ncols; k++) {
				double *acc = (double *)gr->text + k * 4;
				const struct fb_qcell *c = &res->rows[i].cells[k];
				uint32_t m;
				if (q->cols[k].agg == AGG_COUNT) {
					acc[0]++;
					continue;
				}
				for (m = 0; m < c->n; m++) {
					const struct fb_qval *v = &c->v[m];
					bool num = v->type == FB_NODE_INT || v->type == FB_NODE_FLOAT;
					if (v->masked || v->type == FB_NODE_NULL)
						continue;
					if ((q->cols[k].agg == AGG_SUM || q->cols[k].agg == AGG_AVG) && !num)
						continue;
					acc[0]++;
					acc[1] += v->num;
					/* min and max keep the value itself (typed comparison) */
					if (!gr->cells[k + 1].v) {
						gr->cells[k + 1].v = fb_arena_calloc(&res->arena, 2 * sizeof(*v));
						gr->cells[k + 1].v[0] = *v;
						gr->cells[k + 1].v[1] = *v;
					} else {
						if (fb_qval_cmp(v, &gr->cells[k + 1].v[0], exact) < 0)
							gr->cells[k + 1].v[0] = *v;
						if (fb_qval_cmp(v, &gr->cells[k + 1].v[1], exact) > 0)
							gr->cells[k + 1].v[1] = *v;
					}
				}
			}
		}
	}
	/* finish: column 0 is the group value, then each aggregate */
	for (g = 0; g < ngroups; g++) {
		struct fb_qrow *gr = &groups[g];
		struct fb_qcell *cells = fb_arena_calloc(&res->arena, (q->ncols + 1) * sizeof(*cells));
		double *accs = (double *)gr->text;
		cells[q->ncols] = gr->cells[0]; /* the group value where sorting looks for it */
		for (k = 0; k < q->ncols; k++) {
			double *acc = accs + k * 4;
			struct fb_qval *mm = gr->cells[k + 1].v;
			switch (q->cols[k].agg) {
			case AGG_COUNT:
				cells[k].v = new_number(&res->arena, acc[0]);
				cells[k].n = 1;
				break;
			case AGG_SUM:
				cells[k].v = new_number(&res->arena, acc[1]);
				cells[k].n = 1;
				break;
			case AGG_AVG:
				if (acc[0] > 0) {
					cells[k].v = new_number(&res->arena, acc[1] / acc[0]);
					cells[k].n = 1;
				}
				break;
			case AGG_MIN:
			case AGG_MAX:
				if (mm) {
					cells[k].v = &mm[q->cols[k].agg == AGG_MIN ? 0 : 1];
					cells[k].n = 1;
				}
				break;
			default:
				break;
			}
		}
		gr->cells = cells;
		gr->text = NULL;
	}
	free(res->rows);
	res->rows = groups;
	res->n = ngroups;
}

int fb_query_run(struct fb_query *q, struct fb_query_result *res, struct fb_diag *d)
{
	struct fb_entries es = {0};
	struct fb_diag quiet = FB_DIAG_INIT;
	size_t i;
	int err;

	memset(res, 0, sizeof(*res));
	fb_source_list(q->src, q->o.type, &es, &quiet); /* naming problems are validate's */
	fb_diag_release(&quiet);
	err = run_lanes(q, &es, res, d);
	fb_entries_release(&es);
	if (err)
		return err;
	if (q->grouped) {
		group_rows(q, res);
		if (!q->nsort) { /* groups in the order of their values */
			q->sort = fb_realloc(q->sort, sizeof(*q->sort));
			q->sort[0].col = SIZE_MAX;
			q->sort[0].desc = false;
			q->nsort = 1;
		}
	}
	res->matched = res->n;
	if (q->nsort)
		sort_rows(q, res);
	if (q->o.limit && res->n > q->o.limit)
		res->n = q->o.limit;
	res->ncols = q->nshown;
	res->colnames = fb_calloc(q->nshown + 1, sizeof(*res->colnames));
	for (i = 0; i < q->nshown; i++)
		res->colnames[i] = fb_strdup(i == 0 && q->grouped ? q->group.name : q->cols[i].name);
	if (q->grouped) {
		/* shown: the group value first, then the aggregates */
		for (i = 0; i < res->n; i++) {
			struct fb_qcell *cells = fb_arena_calloc(&res->arena,
								 (q->nshown + 1) * sizeof(*cells));
			size_t k;
			cells[0] = res->rows[i].cells[q->ncols];
			for (k = 1; k < q->nshown + 1 && k - 1 < q->ncols; k++)
				cells[k] = res->rows[i].cells[k - 1];
			res->rows[i].cells = cells;
		}
		free(res->colnames[0]);
		res->colnames = fb_realloc(res->colnames, (q->nshown + 2) * sizeof(*res->colnames));
		memmove(res->colnames + 1, res->colnames, q->nshown * sizeof(*res->colnames));
		res->colnames[0] = fb_strdup(q->group.name);
		res->colnames[1] = fb_strdup("count");
		res->ncols = q->nshown + 1;
	}
	return 0;
}

void fb_query_result_release(struct fb_query_result *res)
{
	size_t i;
	free(res->rows);
	for (i = 0; res->colnames && i < res->ncols; i++)
		free(res->colnames[i]);
	free(res->colnames);
	fb_arena_release(&res->arena);
	memset(res, 0, sizeof(*res));
}
