/*
 * Schemas: compile JSON Schema (draft 2020-12, written in YAML), type and
 * validate records, and check what spans records (x-ref, x-unique).
 *
 * A struct fb_schemas is a compiled set: every schemas/<name>.yaml of a
 * repository (types and `_` files of shared definitions), or one schema
 * file, or one schema node (the conformance suite).  Problems with a schema
 * itself -- an unknown type, a bad regex, a dangling or cyclic $ref, an
 * unknown x- keyword, a keyword value of the wrong shape, a keyword SPEC §3
 * does not support -- are reported at schemas/<type>.yaml:line:col, all in
 * one pass.  Unknown standard keywords are ignored, as the standard says.
 *
 * Records then go through two steps:
 *   1. fb_schema_type_record() makes a parsed record a typed record: each
 *      node learns its schema (node->schema), a plain scalar becomes a
 *      string where the schema allows only strings (SPEC §2: a plain
 *      09121234567 in a phone field is that string), and nodes inside an
 *      x-confidential field are marked;
 *   2. fb_schema_validate() reports every error, each with the node's line
 *      and column (the parent mapping's for a missing field), the JSON
 *      pointer, the keyword, the value (shortened; "***" when confidential)
 *      and what was expected.  x-ref values and x-unique keys are handed to
 *      a struct fb_crossref, which checks them once all records are seen,
 *      sorted rather than pairwise.
 */
#ifndef FIELDBOOK_SCHEMA_H
#define FIELDBOOK_SCHEMA_H

#include <stdbool.h>

#include "diag.h"
#include "node.h"
#include "store.h"

struct fb_schemas;
struct fb_schema;
struct fb_crossref;

enum fb_schema_xflag {
	FB_X_DATE = 1 << 0,
	FB_X_PHONE = 1 << 1,
	FB_X_UNIQUE = 1 << 2,
	FB_X_CONFIDENTIAL = 1 << 3,
};

/*
 * Compile every schema of a repository source.  FB_EINVALID when any schema
 * is broken (all problems are in `d`; *out is still set, with the broken
 * types missing, so records of the others can be checked).
 */
int fb_schemas_load(struct fb_schemas **out, struct fb_source *src, struct fb_diag *d);
/* Compile one schema file (YAML or JSON); $refs may name files beside it. */
int fb_schemas_load_file(struct fb_schemas **out, const char *path, struct fb_diag *d);
/* Compile a schema given as a node (it must outlive the set); `name` is used in messages. */
int fb_schemas_from_node(struct fb_schemas **out, const struct fb_node *schema, const char *name,
			 struct fb_diag *d);
void fb_schemas_free(struct fb_schemas *ss);
/* Whether any schema of the set uses x-ref or x-unique (checks that need a repository). */
bool fb_schemas_cross_record(const struct fb_schemas *ss);

/* The schema of a record type; NULL when there is none (or it did not compile). */
const struct fb_schema *fb_schemas_type(const struct fb_schemas *ss, const char *type);
/* The schema of fb_schemas_load_file() or fb_schemas_from_node(). */
const struct fb_schema *fb_schemas_main(const struct fb_schemas *ss);

/* ---- what a schema says (through $ref and allOf) ---------------------------- */

/* The schema that applies to the value of mapping key `key` (NULL: none). */
const struct fb_schema *fb_schema_property(const struct fb_schema *s, const char *key, size_t len);
/* The schema that applies to array item `index`. */
const struct fb_schema *fb_schema_item(const struct fb_schema *s, size_t index);
/* FB_X_* flags of a (sub)schema. */
unsigned fb_schema_xflags(const struct fb_schema *s);
/* The type an x-ref names, or NULL. */
const char *fb_schema_xref(const struct fb_schema *s);
/* Whether a schema with x- flag `flag` (FB_X_UNIQUE, ...) lies anywhere in what `s` describes. */
bool fb_schema_reaches(const struct fb_schema *s, unsigned flag);
/* Whether the schema allows strings and nothing else. */
bool fb_schema_only_string(const struct fb_schema *s);
/* The names of `properties`, in schema order. */
size_t fb_schema_nproperties(const struct fb_schema *s);
const char *fb_schema_property_name(const struct fb_schema *s, size_t i);
/* title / description (NULL when absent). */
const char *fb_schema_title(const struct fb_schema *s);
const char *fb_schema_description(const struct fb_schema *s);
/* `required` names. */
size_t fb_schema_nrequired(const struct fb_schema *s);
const char *fb_schema_required(const struct fb_schema *s, size_t i);
/* `default`, or NULL. */
const struct fb_node *fb_schema_default(const struct fb_schema *s);
/*
 * The `enum` that applies to the value (its own, else through $ref or
 * allOf), as the sequence node written in the schema, or NULL.
 */
const struct fb_node *fb_schema_enum(const struct fb_schema *s);
/* x-id of a root schema: false when absent. */
bool fb_schema_xid(const struct fb_schema *s, const char **prefix, int *digits);
/* x-summary of a root schema, as a sequence node of strings, or NULL. */
const struct fb_node *fb_schema_xsummary(const struct fb_schema *s);
/* The schema's own text node (for positions and for `schema export`). */
const struct fb_node *fb_schema_node(const struct fb_schema *s);

/* ---- records ---------------------------------------------------------------- */

/* Make `root` a typed record (see the top of this file). */
void fb_schema_type_record(const struct fb_schema *s, struct fb_node *root);
/* Only mark its x-confidential nodes, typing nothing (validate --schema: strict core typing). */
void fb_schema_mark_confidential(const struct fb_schema *s, struct fb_node *root);

struct fb_validate_opts {
	const char *file;        /* for diagnostics */
	const char *type, *id;   /* the record, for cross-record messages */
	bool show_confidential;  /* echo x-confidential values in messages */
	struct fb_crossref *xr;  /* where x-ref and x-unique go; NULL: not checked */
	bool xr_quiet;           /* collect for the others' sake, report nothing here */
	uint64_t order;          /* the record's place in the whole check: of two records
				    sharing a unique value, the later one is told */
};

/* Validate; every error goes to `d`.  Returns 0, or FB_EINVALID when errors were added. */
int fb_schema_validate(const struct fb_schema *s, const struct fb_node *instance,
		       const struct fb_validate_opts *o, struct fb_diag *d);

/* ---- across records --------------------------------------------------------- */

struct fb_crossref *fb_crossref_new(void);
void fb_crossref_free(struct fb_crossref *xr);
/* Move every item of `src` into `dst`; `src` is left empty. */
void fb_crossref_merge(struct fb_crossref *dst, struct fb_crossref *src);
/*
 * One record's items -- all of `xr`, which is left empty -- packed in one
 * allocation (free() it; NULL when there were none), to keep and add to a
 * later check as the record at `order`.  The types and x-unique groups stay
 * pointers into the schemas: those must outlive the pack.
 */
struct fb_crossref_pack;
struct fb_crossref_pack *fb_crossref_pack(struct fb_crossref *xr);
/* Drop every item of `xr`. */
void fb_crossref_clear(struct fb_crossref *xr);
void fb_crossref_add_pack(struct fb_crossref *dst, const struct fb_crossref_pack *p,
			  uint64_t order);

/* Whether record TYPE/ID exists. */
typedef bool fb_record_exists_fn(const char *type, const char *id, void *ctx);

/*
 * The items of list field `list` of record TYPE/ID (a list of strings, or of
 * mappings with an `id`), x-confidential ones left out; NULL when it cannot
 * be read.  The strings stay the callee's until the check ends.
 */
typedef const struct fb_strvec *fb_record_items_fn(const char *type, const char *id,
						   const char *list, void *ctx);

/*
 * Check every x-ref against `exists`, every x-item-of against `items` (NULL:
 * not checked) and every x-unique key against the others; report at the
 * referencing (or later) record's line.
 */
void fb_crossref_check(struct fb_crossref *xr, fb_record_exists_fn *exists,
		       fb_record_items_fn *items, void *ctx, struct fb_diag *d);

/*
 * The unique key of a value: folded, white space removed; for phones,
 * digits only with +98/0098 turned into 0 (SPEC §3).
 */
void fb_unique_key(struct fb_buf *out, const char *s, size_t len, bool phone);

/* ---- export ------------------------------------------------------------------ */

/*
 * The schema of `type` as one JSON document: references to other files
 * copied into its $defs and rewritten to point there.
 */
int fb_schemas_export(const struct fb_schemas *ss, const char *type, struct fb_buf *out,
		      struct fb_diag *d);

#endif
