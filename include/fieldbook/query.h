/*
 * Query: the expressions of SPEC §5, evaluated over typed records, and the
 * rows a query returns (columns, sorting, grouping, aggregates).
 *
 * An expression is compiled once against the type's schema: every path is
 * resolved to the schema it reads (so a path through an x-ref field is known
 * to continue in the referenced type), every regex compiled once, every
 * literal read once as text, number, date and phone.  A path through a
 * reference is answered from a table made once per (type, rest of the path)
 * before the records are read: id -> the values found there.
 *
 * Values are compared as SPEC §5 says: numbers as numbers and dates as dates
 * when both sides read so (a Jalali and a Gregorian date compare by day),
 * phones normalised, anything else as folded text with white space removed
 * (ordering by code point of that form); --exact turns folding and
 * caselessness off.  `=` or `!=` with a value an enum field lacks compiles
 * with a warning (file "query", line 1, the value's column).  Through an
 * array any element may match; a missing field makes =, ~, <, ... false and
 * != and !~ true.  Confidential fields are neither matched nor searched
 * unless shown.
 */
#ifndef FIELDBOOK_QUERY_H
#define FIELDBOOK_QUERY_H

#include <stdbool.h>

#include "date.h"
#include "diag.h"
#include "schema.h"
#include "store.h"

struct fb_query;

/* One value found at a path: self-contained (it outlives the record). */
struct fb_qval {
	uint8_t type;    /* enum fb_node_type; collections hold their JSON in `str` */
	uint8_t xflags;  /* FB_X_* of its schema */
	uint8_t masked;  /* confidential and not shown: printed as *** */
	const char *str; /* the stored text (scalars) or compact JSON (collections) */
	size_t len;
	double num;      /* a number's value; a collection's size */
};

/* The values of one cell: none (missing), one, or several (through arrays). */
struct fb_qcell {
	struct fb_qval *v;
	uint32_t n;
	bool list; /* the path went through a list: JSON shows [] even for one value */
};

struct fb_qrow {
	char *type, *id, *path; /* the record; NULL for a group row */
	struct fb_qcell *cells; /* one per column */
	char *text;             /* the whole record, when asked (JSON or masked YAML) */
};

enum fb_query_want {
	FB_QUERY_CELLS,   /* the columns */
	FB_QUERY_JSON,    /* each record as the JSON object of SPEC §6 */
	FB_QUERY_YAML,    /* each record's text (confidential values masked) */
	FB_QUERY_IDS,     /* nothing but the record */
};

struct fb_query_opts {
	const char *type;
	const char *const *exprs; /* EXPR and every -w, ANDed */
	size_t nexprs;
	const char *quick;        /* -q TEXT, or NULL */
	const char *const *fields; /* -f, one path (or aggregate) each; NULL: x-summary */
	size_t nfields;
	const char *const *sort;  /* -s FIELD or -FIELD, first key first */
	size_t nsort;
	const char *group;        /* -g FIELD, or NULL */
	size_t limit;             /* -n; 0: all */
	bool exact, show_confidential;
	unsigned threads;         /* 0: one per processor */
	int32_t today;            /* what `today` means in an expression */
	enum fb_query_want want;
};

struct fb_query_result {
	struct fb_qrow *rows;
	size_t n;
	size_t matched; /* before -n */
	size_t ncols;
	char **colnames; /* as given in -f (or the x-summary names; the group path first) */
	struct fb_arena arena; /* the values */
};

/*
 * Compile a query for `o->type` of the source.  Mistakes in an expression
 * are FB_ESYNTAX with a diagnostic whose file is "query", line 1 and the
 * column (code points) of the mistake -- among them invalid UTF-8 (with its
 * byte offset) and, on an x-date field, a value that is not a date (with
 * the date parser's reason); unknown fields, bad aggregates and invalid
 * UTF-8 in TYPE, -q, -f, -s or -g are FB_EUSAGE.
 */
int fb_query_compile(struct fb_query **out, struct fb_source *src, const struct fb_schemas *ss,
		     const struct fb_query_opts *o, struct fb_diag *d);
void fb_query_free(struct fb_query *q);

/*
 * Run it: rows in order (sorted when asked, limited).  Records that do not
 * parse are skipped with a warning.  FB_ELIMIT when a regex was too
 * expensive (the diagnostic names it).
 */
int fb_query_run(struct fb_query *q, struct fb_query_result *res, struct fb_diag *d);
void fb_query_result_release(struct fb_query_result *res);

/*
 * Compare two values as SPEC §5 compares (numbers, dates, phones, folded
 * text): <0, 0, >0.  `exact`: no folding.
 */
int fb_qval_cmp(const struct fb_qval *a, const struct fb_qval *b, bool exact);

/*
 * Append a value as a table or text cell shows it: x-date values in
 * `cal`, collections as JSON, *** when masked.
 */
void fb_qval_display(struct fb_buf *out, const struct fb_qval *v, enum fb_calendar cal);

/* Append a diagnostic's expression echo with a caret under the column (for the CLI). */
void fb_query_caret(struct fb_buf *out, const char *expr, unsigned col);

#endif
