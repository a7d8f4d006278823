/*
 * The YAML tree with positions: the one tree type every stage walks.
 *
 * A struct fb_doc holds one record file: a private copy of its text and a
 * tree of struct fb_node, all in one arena freed with the document.  Nodes are
 * built from libyaml events (never its document loader) and carry:
 *   - the 1-based line and column (in code points) where they start, and the
 *     byte span [start, end) of their text in the source, for minimal-edit
 *     rewrites;
 *   - for scalars, the value exactly as libyaml read it (a plain scalar keeps
 *     its source text, so `09121234567` stays those eleven characters) with
 *     its length (values may hold NUL from a "\0" escape), the quoting style,
 *     and the YAML 1.2 core-schema type of a plain scalar;
 *   - for mappings and sequences, their children in order; each child of a
 *     mapping points at its key node (always a scalar).
 *
 * `type` is the effective type.  Reading gives every plain scalar its core
 * schema type; the schema layer (fb_schema_type_record) may later turn a
 * plain scalar into a string where the schema allows only strings (SPEC §2)
 * -- `str` is always there -- and records each node's schema.
 *
 * What SPEC §2 rejects is rejected while reading, each with file:line:col:
 * anchors, aliases, merge keys, non-core tags, duplicate keys, non-scalar
 * keys, more than one document, nesting deeper than FB_NODE_MAX_DEPTH,
 * invalid UTF-8, UTF-16/32, raw NUL, files over FB_NODE_MAX_FILE, a root that
 * is not a mapping (unless FB_PARSE_ANY_ROOT), and merge-conflict markers.
 */
#ifndef FIELDBOOK_NODE_H
#define FIELDBOOK_NODE_H

#include <stdbool.h>

#include "buf.h"
#include "diag.h"

#define FB_NODE_MAX_DEPTH 64
#define FB_NODE_MAX_FILE (1024 * 1024)

enum fb_node_type {
	FB_NODE_NULL,
	FB_NODE_BOOL,
	FB_NODE_INT,
	FB_NODE_FLOAT,
	FB_NODE_STR,
	FB_NODE_SEQ,
	FB_NODE_MAP,
};

enum fb_node_style {
	FB_STYLE_PLAIN,
	FB_STYLE_SINGLE,
	FB_STYLE_DOUBLE,
	FB_STYLE_LITERAL,
	FB_STYLE_FOLDED,
	FB_STYLE_BLOCK, /* a block mapping or sequence */
	FB_STYLE_FLOW,  /* [a, b] or {a: b} */
};

struct fb_schema;

struct fb_node {
	uint8_t type;         /* enum fb_node_type */
	uint8_t style;        /* enum fb_node_style */
	uint8_t tagged;       /* an explicit core tag (!!str ...) fixed the type */
	uint8_t confidential; /* inside an x-confidential field (set by typing) */
	uint32_t line, col;
	uint32_t end_line, end_col;
	size_t start, end; /* byte span in the document's text */
	struct fb_node *parent;
	struct fb_node *key; /* for a mapping's child: its key; else NULL */
	uint32_t index;      /* position among the parent's children */
	/* scalars */
	const char *str; /* NUL-terminated, but may hold NUL: use len */
	size_t len;
	double num;      /* FB_NODE_INT, FB_NODE_FLOAT; 1/0 for FB_NODE_BOOL */
	/* collections */
	struct fb_node **kids;
	uint32_t n;
	const struct fb_schema *schema; /* set by fb_schema_type_record(); NULL before */
};

struct fb_doc {
	char *file;        /* name used in diagnostics */
	char *text;        /* the file's bytes, NUL-terminated copy */
	size_t len;
	struct fb_node *root;
	struct fb_arena *arena; /* holds everything, this struct included */
};

enum fb_parse_flags {
	FB_PARSE_DEFAULT = 0,
	FB_PARSE_ANY_ROOT = 1 << 0, /* any root value (validate --schema), not only a mapping */
	FB_PARSE_NO_SIZE_LIMIT = 1 << 1,
};

/*
 * Read one YAML document.  On success `*out` is the caller's.  On failure
 * returns FB_ESYNTAX, `*out` is NULL, and every problem found is in `d`
 * (reading goes on after an error where libyaml lets it: all duplicate keys,
 * anchors and tags of a file are reported together).
 */
int fb_doc_parse(struct fb_doc **out, const char *file, const char *text, size_t len,
		 unsigned flags, struct fb_diag *d);
void fb_doc_free(struct fb_doc *doc);

/* Report a file over FB_NODE_MAX_FILE bytes (at 1:1, as every whole-file problem). */
void fb_doc_too_large(struct fb_diag *d, const char *file, size_t size);

/* The YAML 1.2 core schema type of a plain scalar; `num` gets a number's value. */
enum fb_node_type fb_scalar_resolve(const char *s, size_t len, double *num);

/*
 * A plain, untagged string scalar written with Persian (U+06F0..U+06F9) or
 * Arabic-Indic (U+0660..U+0669) digits, an optional leading sign and one
 * decimal point ('.' or U+066B): retype it as that number and rewrite its
 * text (`str`, `len`) with ASCII digits; the byte span keeps the source.
 * False, and `n` untouched, for anything else.
 */
bool fb_node_native_number(struct fb_node *n);
/* A number in any digit set (the core schema's, or as above): INT, FLOAT, else STR. */
enum fb_node_type fb_number_resolve(const char *s, size_t len, double *num);

/* "null", "boolean", "integer", "number", "string", "array", "object". */
const char *fb_node_type_name(enum fb_node_type t);
/* The same with an article, for messages: "an array", "a string", "null". */
const char *fb_node_type_phrase(enum fb_node_type t);

static inline bool fb_node_is_scalar(const struct fb_node *n)
{
	return n->type != FB_NODE_SEQ && n->type != FB_NODE_MAP;
}

/* The value of `key` in a mapping node (NULL when absent or `map` is not a mapping). */
const struct fb_node *fb_node_get(const struct fb_node *map, const char *key);

/* Whether a key's text equals the NUL-terminated `s`. */
bool fb_node_key_is(const struct fb_node *key, const char *s);

/* Append the JSON pointer of `n` within its document ("" for the root). */
void fb_node_pointer(struct fb_buf *out, const struct fb_node *n);
/* Append one JSON-pointer segment ("/" + the token with ~ and / escaped). */
void fb_pointer_push(struct fb_buf *out, const char *tok, size_t len);
/* Append the segment that leads to `child` from its parent: its key, or its index. */
void fb_pointer_push_node(struct fb_buf *out, const struct fb_node *child);

/*
 * Append `n` as JSON (compact, or pretty with 2-space indentation when
 * `indent` >= 0, starting at that depth).  Numbers are printed by value,
 * strings escaped.  `mask`, when not NULL, is asked about every child,
 * mapping member or sequence item; when it returns true the value is
 * written as "***" (confidential fields and items).
 */
typedef bool fb_node_mask_fn(const struct fb_node *child, void *ctx);
void fb_node_to_json(struct fb_buf *out, const struct fb_node *n, int indent,
		     fb_node_mask_fn *mask, void *ctx);
/* The mask of x-confidential values (typed by fb_schema_type_record): n->confidential. */
bool fb_node_is_confidential(const struct fb_node *n, void *ctx);

/* Whether two nodes are equal as JSON values (numbers by value, keys unordered). */
bool fb_node_equal(const struct fb_node *a, const struct fb_node *b);

#endif
