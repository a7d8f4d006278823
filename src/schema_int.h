/*
 * Private to the schema module (schema.c, schema_compile.c,
 * schema_validate.c, crossref.c, schema_export.c): the compiled form of a
 * schema and the helpers its files share.  Nothing here is public API;
 * include/fieldbook/schema.h is the module's one header.
 */
#ifndef FIELDBOOK_SCHEMA_INT_H
#define FIELDBOOK_SCHEMA_INT_H

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <fieldbook/regex.h>
#include <fieldbook/schema.h>
#include <fieldbook/text.h>
#include <fieldbook/date.h>

enum {
	T_NULL = 1 << 0,
	T_BOOL = 1 << 1,
	T_INT = 1 << 2,
	T_NUM = 1 << 3, /* "number": integers too */
	T_STR = 1 << 4,
	T_ARR = 1 << 5,
	T_OBJ = 1 << 6,
};

enum format { FMT_NONE, FMT_DATE, FMT_EMAIL };

#define ABSENT	  (-1)
#define MAX_DEPTH 256

struct sfile {
	char *name;	    /* "schemas/contacts.yaml", or the name given */
	char *base;	    /* "contacts.yaml": how $refs name it */
	char *type;	    /* record type, NULL for `_` files and single schemas */
	struct fb_doc *doc; /* owned, or NULL when the node is the caller's */
	const struct fb_node *root;
	struct fb_schema *schema; /* compiled root */
};

struct prop {
	const char *name;
	size_t len;
	struct fb_schema *s;
};

struct pprop {
	struct fb_regex *re;
	struct fb_schema *s;
};

struct fb_schema {
	const struct fb_node *node;
	struct sfile *file;
	bool is_bool, bool_value;
	uint8_t types;
	uint8_t format;
	bool unique_items;
	bool visiting, done; /* cycle search */
	unsigned xflags;
	unsigned xbelow; /* xflags here and anywhere below (mark_below) */
	uint32_t cost;	 /* checks of one value, as far as same-value edges go (check_cost) */
	bool costing;
	bool too_costly; /* refused by check_cost: values are not checked against it */
	struct prop *props, *deps_schema;
	uint32_t nprops, ndeps_schema;
	struct pprop *pprops;
	uint32_t npprops;
	struct fb_schema *additional, *property_names, *items, *contains, *not_, *if_, *then_,
	    *else_;
	struct fb_schema **prefix, **all_of, **any_of, **one_of;
	uint32_t nprefix, nall, nany, none;
	const struct fb_node *required, *dep_required; /* sequence; mapping of sequences */
	int32_t *required_prop; /* for each required name, its index in props, or -1 */
	const struct fb_node *enum_, *const_, *default_;
	struct fb_regex *pattern;
	const struct fb_node *pattern_node;
	int64_t min_len, max_len, min_items, max_items, min_props, max_props, min_contains,
	    max_contains;
	const struct fb_node *minimum, *maximum, *xminimum, *xmaximum, *multiple_of;
	const struct fb_node *ref_node;
	struct fb_schema *ref;
	const char *xref;
	const char *xin_field, *xin_list; /* x-item-of */
	const struct fb_node *xin_node;
	bool xin_seen; /* found on a property by check_item_of */
	const char *title, *description;
	const char *xid_prefix;
	int xid_digits;
	const struct fb_node *xsummary;
};

struct memo_slot {
	const struct fb_node *node;
	struct fb_schema *s;
};

struct pending_ref {
	struct fb_schema *s;
	struct sfile *file;
};

struct fb_schemas {
	struct fb_arena arena;
	struct sfile **files;
	size_t nfiles, files_alloc;
	struct memo_slot *memo;
	size_t memo_n, memo_cap;
	struct fb_schema **all; /* every compiled schema, for the cycle search */
	size_t nall, all_alloc;
	struct fb_regex **regexes;
	size_t nregexes, regexes_alloc;
	struct pending_ref *pending;
	size_t npending, pending_alloc;
	struct fb_schema *main;
	char *dir; /* for load_file: where sibling files are */
	struct fb_diag *d;
	size_t errors_before;
};

/* ---- small helpers ------------------------------------------------------- */

static inline bool key_is(const struct fb_node *key, const char *s)
{
	return fb_node_key_is(key, s);
}

static inline bool is_number(const struct fb_node *n)
{
	return n && (n->type == FB_NODE_INT || n->type == FB_NODE_FLOAT);
}

static inline bool is_integer_value(const struct fb_node *n)
{
	return is_number(n) && isfinite(n->num) && n->num == floor(n->num);
}

static const char *const type_names[] = {"null",   "boolean", "integer", "number",
					 "string", "array",   "object"};

/* The instance's JSON type bit (an integral float counts as integer). */
static inline unsigned type_bit(const struct fb_node *n)
{
	switch (n->type) {
	case FB_NODE_NULL:
		return T_NULL;
	case FB_NODE_BOOL:
		return T_BOOL;
	case FB_NODE_INT:
		return T_INT;
	case FB_NODE_FLOAT:
		return is_integer_value(n) ? T_INT : T_NUM;
	case FB_NODE_STR:
		return T_STR;
	case FB_NODE_SEQ:
		return T_ARR;
	default:
		return T_OBJ;
	}
}

static inline bool type_allows(unsigned types, unsigned bit)
{
	if (!types)
		return true;
	if (bit == T_INT && (types & T_NUM))
		return true;
	return types & bit;
}

/* Cross-record items (crossref.c), collected by validation. */
struct fb_crossref {
	struct fb_arena arena;
	struct xref_item *refs;
	size_t nrefs, refs_alloc;
	struct uniq_item *keys;
	size_t nkeys, keys_alloc;
	const char *last_file, *last_type; /* shared by a record's items */
	uint64_t order, within;		   /* the record being collected, its items so far */
};

struct xref_item {
	const char *type, *value, *file, *path;
	size_t len;
	const char *owner, *field, *list; /* x-item-of: the value is an item of `list` of
					     record type/owner, named by `field` */
	unsigned line, col;
	bool masked;
};

struct uniq_item {
	const void *group; /* the x-unique schema */
	const char *rtype, *key, *value, *file, *path;
	size_t klen, vlen;
	uint64_t order, within; /* the record's place in the check, the item's in the record */
	unsigned line, col;
	bool report, masked;
};

/* ---- shared between the files of the module (defined where named) ---- */

struct sfile *schema_load_sibling(struct fb_schemas *ss, const char *base);
struct fb_schema *schema_compile(struct fb_schemas *ss, struct sfile *f, const struct fb_node *n,
				 bool root);
void schema_resolve_pending(struct fb_schemas *ss);
const struct fb_schema *schema_props_holder(const struct fb_schema *s);
int32_t schema_find_prop(const struct fb_schema *s, const char *key, size_t len, uint32_t *hint);
void schema_check_cycles(struct fb_schemas *ss);
void schema_check_cost(struct fb_schemas *ss);
const struct fb_node *schema_follow_pointer(const struct fb_node *root, const char *p);
struct sfile *schema_find_file(struct fb_schemas *ss, const char *base);
void schema_error(struct fb_schemas *ss, const struct sfile *f, const struct fb_node *at,
		  const char *keyword, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
