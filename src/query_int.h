/*
 * Private to the query module (query.c, query_parse.c, query_eval.c): the
 * compiled form of a query and what its files share.  Nothing here is public
 * API; include/fieldbook/query.h is the module's one header.
 */
#ifndef FIELDBOOK_QUERY_INT_H
#define FIELDBOOK_QUERY_INT_H

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
	size_t hop;		      /* segments before the x-ref step (== nsegs: none) */
	struct deref *table;	      /* the rest, in the referenced type */
	const struct fb_schema *leaf; /* the schema of the last segment (NULL when unknown) */
	char *text;		      /* as written */
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
	} * slot;
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
	char *folded; /* query_cmp_key(text): folded, no white space */
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
static inline bool contains(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	const char *p = hay, *end = hay + hlen;
	if (!nlen)
		return true;
	while ((size_t)(end - p) >= nlen &&
	       (p = memchr(p, needle[0], (size_t)(end - p) - nlen + 1))) {
		if (!memcmp(p, needle, nlen))
			return true;
		p++;
	}
	return false;
}

struct collector {
	struct fb_qval *v;
	size_t n, alloc;
	bool list; /* a list was gone through */
	struct fb_arena *arena;
	bool show; /* for display: masked values as *** (else skipped) */
	bool show_confidential;
	struct fb_buf json;
};

struct evalctx {
	const struct fb_query *q;
	struct collector c;
	struct fb_buf scratch;
	const char *expensive; /* a pattern that hit its limit */
};

/* ---- shared between the files of the module ---- */

void query_path_free(struct qpath *p);
int query_parse_expression(struct fb_query *q, const char *text, struct qexpr **out,
			   struct fb_diag *d);
struct deref *query_deref_table(struct fb_query *q, const char *type, char **segs, size_t n,
				struct fb_diag *d, unsigned col);
bool query_looks_numeric(const char *s, size_t len, double *num);
void query_cmp_key(struct fb_buf *out, const char *s, size_t len, bool exact);
int query_bytes_cmp(const char *a, size_t la, const char *b, size_t lb);
bool query_quick_match(struct evalctx *x, const struct fb_node *root);
bool query_eval(struct evalctx *x, const struct qexpr *e, const struct fb_node *root);
void query_deref_free(struct deref *t);
int query_deref_build(struct fb_query *q, struct deref *t, struct fb_diag *d);
int query_resolve(struct fb_query *q, struct qpath *p, const char *type, const struct fb_schema *s,
		  struct fb_diag *d, unsigned col);
bool query_valid_name_char(unsigned char c);
struct qpath *query_make_path(struct fb_query *q, const char *text, size_t len, const char *type,
			      const struct fb_schema *s, struct fb_diag *d, unsigned col);
void query_collect(const struct fb_node *n, const struct qpath *p, size_t i, struct collector *c);

#endif
