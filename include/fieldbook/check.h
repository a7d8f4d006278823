/*
 * Records as the rest of fieldbook sees them, and checking them: what
 * `validate` runs, and what `commit` and the hooks run before anything
 * reaches history.
 *
 * fb_record_parse() is the one way text becomes a typed record: parse it
 * (node.h) and type the tree with the type's schema (schema.h).
 * fb_record_load() reads a record file from a source, parses and types it
 * so, and checks the record rules of SPEC §1 (an `id:` field equals the
 * file name).  fb_check() runs it over a selection of a
 * source, validates every record, then checks references and unique values
 * across records, adding every problem to one diagnostics list.
 */
#ifndef FIELDBOOK_CHECK_H
#define FIELDBOOK_CHECK_H

#include "diag.h"
#include "node.h"
#include "schema.h"
#include "store.h"

/* With fb_record_parse's flags: any YAML or JSON file, typed strictly by the
 * YAML core schema, only its x-confidential parts marked (validate --schema). */
#define FB_RECORD_STRICT (1u << 16)

/*
 * Parse `text` as the file `file` (FB_PARSE_* flags, and FB_RECORD_STRICT)
 * and type the tree with the schema `s` (NULL: no typing).  0, or
 * FB_ESYNTAX with every problem in `d`; `*out` is then NULL.
 */
int fb_record_parse(struct fb_doc **out, const char *file, const char *text, size_t len,
		    unsigned flags, const struct fb_schema *s, struct fb_diag *d);

/*
 * Read, parse and type one record with its type's schema `s` (NULL: no
 * typing); `scratch` is a buffer the caller reuses.  On success `*out` is the
 * caller's; FB_ESYNTAX (with diagnostics) when the file does not parse,
 * FB_EINVALID when it parses but breaks a record rule (`*out` is still set).
 */
int fb_record_load(struct fb_source *src, const struct fb_schema *s, const struct fb_entry *e,
		   struct fb_buf *scratch, struct fb_doc **out, struct fb_diag *d);

/*
 * Append the record's text with every x-confidential value replaced by
 * "***" (a typed record is needed to know which).
 */
void fb_record_masked_text(struct fb_buf *out, const struct fb_doc *doc);

/*
 * Append a record as the JSON object of SPEC §6: "_type", "_id", "_file",
 * then its stored fields; x-confidential values as "***" unless
 * `show_confidential`.  Pretty-printed at `indent` (-1: compact).
 */
void fb_record_json(struct fb_buf *out, const struct fb_entry *e, const struct fb_doc *doc,
		    bool show_confidential, int indent);

/* What to check: a whole type (id NULL) or one record. */
struct fb_check_target {
	const char *type;
	const char *id;
};

struct fb_check_stats {
	size_t checked; /* record files looked at, refused ones included */
	size_t invalid; /* of those, how many have at least one error */
};

/*
 * What checking revisions one after another can carry over: the schemas,
 * while the schema files, the record types and the options are the same,
 * and each record's own results, keyed by its path and blob -- so a run over
 * many commits (audit, pre-receive) reads only what each commit changed.
 * Cross-record checks (x-ref, x-unique) are still made on every check, from
 * the kept keys.  Records of the working tree, and of a source with files
 * laid over it, are never kept; nor are the schemas when one cannot be read.
 */
struct fb_check_cache;
struct fb_check_cache *fb_check_cache_new(void);
void fb_check_cache_free(struct fb_check_cache *cache);

struct fb_check_opts {
	bool show_confidential;        /* echo x-confidential values in messages */
	unsigned threads;              /* 0: one per processor (the working tree only) */
	struct fb_check_cache *cache;  /* NULL: nothing kept between checks */
};

/*
 * Check the schemas and the targets (all types when n == 0).  Every problem
 * goes to `d`; returns 0 when the check could run (the verdict is in the
 * stats and d->errors), FB_ENOTFOUND when a target record does not exist,
 * FB_EIO when reading failed.
 */
int fb_check(struct fb_source *src, const struct fb_check_target *targets, size_t n,
	     const struct fb_check_opts *o, struct fb_check_stats *st, struct fb_diag *d);

#endif
