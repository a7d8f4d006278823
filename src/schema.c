/*
 * Schemas: compiling, typing, validating, cross-record checks, export.
 *
 * Compiling turns each schema node into a struct fb_schema once (a memo
 * keyed by node makes shared and recursive references cheap), checking the
 * shape of every keyword's value as it goes.  `$ref`s are queued while
 * compiling and resolved afterwards by JSON pointer, into the same file or
 * another file of the set; new targets are compiled and may queue more.
 * Then a depth-first search over the edges that re-read the same instance
 * ($ref, allOf, anyOf, oneOf, not, if/then/else, dependentSchemas) finds
 * reference cycles, which would otherwise loop forever on any input.
 *
 * Validation walks instance and schema together and appends every error.
 * Alternatives (anyOf, oneOf, not, if, contains) are tried against scratch
 * lists; when no alternative of anyOf/oneOf fits, the errors of the closest
 * one (fewest errors at the value itself, then fewest in all) are reported.
 * Values inside x-confidential fields are shown as "***".
 *
 * Everything compiled lives in the set's arena; regexes are also listed so
 * they can be freed.  Schema documents read from files belong to the set.
 */
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

#define ABSENT (-1)
#define MAX_DEPTH 256

struct sfile {
	char *name;                /* "schemas/contacts.yaml", or the name given */
	char *base;                /* "contacts.yaml": how $refs name it */
	char *type;                /* record type, NULL for `_` files and single schemas */
	struct fb_doc *doc;        /* owned, or NULL when the node is the caller's */
	const struct fb_node *root;
	struct fb_schema *schema;  /* compiled root */
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
	uint32_t cost;   /* checks of one value, as far as same-value edges go (check_cost) */
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

static bool key_is(const struct fb_node *key, const char *s)
{
	return fb_node_key_is(key, s);
}

static bool is_number(const struct fb_node *n)
{
	return n && (n->type == FB_NODE_INT || n->type == FB_NODE_FLOAT);
}

static bool is_integer_value(const struct fb_node *n)
{
	return is_number(n) && isfinite(n->num) && n->num == floor(n->num);
}

static const char *type_names[] = {"null", "boolean", "integer", "number", "string", "array",
				   "object"};

/* The instance's JSON type bit (an integral float counts as integer). */
static unsigned type_bit(const struct fb_node *n)
{
	switch (n->type) {
	case FB_NODE_NULL: return T_NULL;
	case FB_NODE_BOOL: return T_BOOL;
	case FB_NODE_INT: return T_INT;
	case FB_NODE_FLOAT: return is_integer_value(n) ? T_INT : T_NUM;
	case FB_NODE_STR: return T_STR;
	case FB_NODE_SEQ: return T_ARR;
	default: return T_OBJ;
	}
}

static bool type_allows(unsigned types, unsigned bit)
{
	if (!types)
		return true;
	if (bit == T_INT && (types & T_NUM))
		return true;
	return types & bit;
}

/* ---- compiling ------------------------------------------------------------- */

static void schema_error(struct fb_schemas *ss, const struct sfile *f, const struct fb_node *at,
			 const char *keyword, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void schema_error(struct fb_schemas *ss, const struct sfile *f, const struct fb_node *at,
			 const char *keyword, const char *fmt, ...)
{
	struct fb_buf msg = FB_BUF_INIT, ptr = FB_BUF_INIT;
	struct fb_diag_entry *e;
	va_list ap;

	va_start(ap, fmt);
	fb_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	fb_node_pointer(&ptr, at);
	e = fb_diag_addf(ss->d, FB_SEV_ERROR, f->name, at ? at->line : 1, at ? at->col : 1,
			 "schema %s: %s", ptr.len ? ptr.ptr : "/", msg.ptr);
	fb_diag_set(e, ptr.ptr, keyword, NULL, NULL);
	fb_buf_release(&msg);
	fb_buf_release(&ptr);
}

static size_t hash_ptr(const void *p)
{
	uintptr_t x = (uintptr_t)p;
	x ^= x >> 17;
	x *= 0xed5ad4bbU;
	x ^= x >> 11;
	return (size_t)x;
}

static struct fb_schema *memo_get(struct fb_schemas *ss, const struct fb_node *n)
{
	size_t i;
	if (!ss->memo_cap)
		return NULL;
	for (i = hash_ptr(n) & (ss->memo_cap - 1); ss->memo[i].node;
	     i = (i + 1) & (ss->memo_cap - 1))
		if (ss->memo[i].node == n)
			return ss->memo[i].s;
	return NULL;
}

static void memo_put(struct fb_schemas *ss, const struct fb_node *n, struct fb_schema *s)
{
	size_t i;
	if ((ss->memo_n + 1) * 2 > ss->memo_cap) {
		struct memo_slot *old = ss->memo;
		size_t oldcap = ss->memo_cap;
		ss->memo_cap = oldcap ? oldcap * 2 : 64;
		ss->memo = fb_calloc(ss->memo_cap, sizeof(*ss->memo));
		ss->memo_n = 0;
		for (i = 0; i < oldcap; i++)
			if (old[i].node)
				memo_put(ss, old[i].node, old[i].s);
		free(old);
	}
	for (i = hash_ptr(n) & (ss->memo_cap - 1); ss->memo[i].node;
	     i = (i + 1) & (ss->memo_cap - 1))
		;
	ss->memo[i].node = n;
	ss->memo[i].s = s;
	ss->memo_n++;
}

static struct fb_schema *compile(struct fb_schemas *ss, struct sfile *f, const struct fb_node *n,
				 bool root);

static bool want_int(struct fb_schemas *ss, struct sfile *f, const struct fb_node *v,
		     const char *kw, int64_t *out)
{
	if (!is_integer_value(v) || v->num < 0) {
		schema_error(ss, f, v, kw, "'%s' takes a non-negative integer", kw);
		return false;
	}
	*out = v->num > 9e18 ? INT64_MAX : (int64_t)v->num;
	return true;
}

static bool want_number(struct fb_schemas *ss, struct sfile *f, const struct fb_node *v,
			const char *kw)
{
	if (!is_number(v)) {
		schema_error(ss, f, v, kw, "'%s' takes a number", kw);
		return false;
	}
	return true;
}

static bool want_bool(struct fb_schemas *ss, struct sfile *f, const struct fb_node *v,
		      const char *kw)
{
	if (v->type != FB_NODE_BOOL) {
		schema_error(ss, f, v, kw, "'%s' takes true or false", kw);
		return false;
	}
	return v->num != 0;
}

static bool want_string(struct fb_schemas *ss, struct sfile *f, const struct fb_node *v,
			const char *kw)
{
	if (v->type != FB_NODE_STR) {
		schema_error(ss, f, v, kw, "'%s' takes a string", kw);
		return false;
	}
	return true;
}

static bool want_map(struct fb_schemas *ss, struct sfile *f, const struct fb_node *v,
		     const char *kw)
{
	if (v->type != FB_NODE_MAP) {
		schema_error(ss, f, v, kw, "'%s' takes an object", kw);
		return false;
	}
	return true;
}

static bool strings_seq(struct fb_schemas *ss, struct sfile *f, const struct fb_node *v,
			const char *kw)
{
	uint32_t i;
	if (v->type != FB_NODE_SEQ) {
		schema_error(ss, f, v, kw, "'%s' takes an array of strings", kw);
		return false;
	}
	for (i = 0; i < v->n; i++)
		if (v->kids[i]->type != FB_NODE_STR) {
			schema_error(ss, f, v->kids[i], kw, "'%s' takes an array of strings", kw);
			return false;
		}
	return true;
}

static struct fb_schema **schema_list(struct fb_schemas *ss, struct sfile *f,
				      const struct fb_node *v, const char *kw, uint32_t *n)
{
	struct fb_schema **list;
	uint32_t i;
	*n = 0;
	if (v->type != FB_NODE_SEQ || v->n == 0) {
		schema_error(ss, f, v, kw, "'%s' takes a non-empty array of schemas", kw);
		return NULL;
	}
	list = fb_arena_alloc(&ss->arena, v->n * sizeof(*list));
	for (i = 0; i < v->n; i++)
		list[i] = compile(ss, f, v->kids[i], false);
	*n = v->n;
	return list;
}

static void compile_type(struct fb_schemas *ss, struct sfile *f, struct fb_schema *s,
			 const struct fb_node *v)
{
	uint32_t i, count = v->type == FB_NODE_SEQ ? v->n : 1;
	for (i = 0; i < count; i++) {
		const struct fb_node *t = v->type == FB_NODE_SEQ ? v->kids[i] : v;
		size_t k;
		bool found = false;
		if (t->type == FB_NODE_STR)
			for (k = 0; k < FB_ARRAY_SIZE(type_names); k++)
				if (!strcmp(t->str, type_names[k])) {
					s->types |= (uint8_t)(1 << k);
					found = true;
				}
		if (!found)
			schema_error(ss, f, t, "type",
				     "unknown type '%s' (one of null, boolean, integer, number, "
				     "string, array, object)",
				     t->type == FB_NODE_STR ? t->str : fb_node_type_name(t->type));
	}
}

static struct fb_regex *compile_regex(struct fb_schemas *ss, struct sfile *f,
				      const struct fb_node *v, const char *kw)
{
	struct fb_buf err = FB_BUF_INIT;
	struct fb_regex *re = NULL;
	size_t off = 0;
	if (fb_regex_compile(&re, v->str, v->len, FB_RE_DEFAULT, &err, &off) < 0) {
		schema_error(ss, f, v, kw, "bad regular expression '%s': %s at character %zu",
			     v->str, err.ptr, off + 1);
		fb_buf_release(&err);
		return NULL;
	}
	fb_buf_release(&err);
	FB_GROW(ss->regexes, ss->nregexes, ss->regexes_alloc);
	ss->regexes[ss->nregexes++] = re;
	return re;
}

static void compile_props(struct fb_schemas *ss, struct sfile *f, const struct fb_node *v,
			  const char *kw, struct prop **out, uint32_t *n)
{
	uint32_t i;
	if (!want_map(ss, f, v, kw))
		return;
	*out = fb_arena_alloc(&ss->arena, (v->n ? v->n : 1) * sizeof(**out));
	for (i = 0; i < v->n; i++) {
		(*out)[i].name = v->kids[i]->key->str;
		(*out)[i].len = v->kids[i]->key->len;
		(*out)[i].s = compile(ss, f, v->kids[i], false);
	}
	*n = v->n;
}

static void compile_xid(struct fb_schemas *ss, struct sfile *f, struct fb_schema *s,
			const struct fb_node *v)
{
	const struct fb_node *prefix = fb_node_get(v, "prefix"), *digits = fb_node_get(v, "digits");
	if (v->type != FB_NODE_MAP || !prefix || prefix->type != FB_NODE_STR || !digits ||
	    !is_integer_value(digits) || digits->num < 1 || digits->num > 12 || v->n != 2) {
		schema_error(ss, f, v, "x-id",
			     "'x-id' takes {prefix: \"c-\", digits: 4} (a string and an integer 1-12)");
		return;
	}
	s->xid_prefix = prefix->str;
	s->xid_digits = (int)digits->num;
}

/* Keywords that are part of the standard but not of what SPEC §3 supports. */
static const char *const unsupported[] = {
	"$dynamicRef", "$dynamicAnchor", "$anchor", "$recursiveRef", "$recursiveAnchor",
	"unevaluatedItems", "unevaluatedProperties", NULL,
};

static void compile_keyword(struct fb_schemas *ss, struct sfile *f, struct fb_schema *s,
			    const struct fb_node *v, bool root)
{
	const struct fb_node *k = v->key;
	const char *kw = k->str;
	size_t i;

	if (k->len != strlen(kw)) /* a key with a NUL in it is no keyword */
		return;
	for (i = 0; unsupported[i]; i++)
		if (!strcmp(kw, unsupported[i])) {
			schema_error(ss, f, k, kw, "'%s' is not supported by fieldbook (SPEC §3)", kw);
			return;
		}
	if (!strcmp(kw, "type")) {
		compile_type(ss, f, s, v);
	} else if (!strcmp(kw, "properties")) {
		compile_props(ss, f, v, kw, &s->props, &s->nprops);
	} else if (!strcmp(kw, "patternProperties")) {
		uint32_t j;
		if (!want_map(ss, f, v, kw))
			return;
		s->pprops = fb_arena_calloc(&ss->arena, (v->n ? v->n : 1) * sizeof(*s->pprops));
		for (j = 0; j < v->n; j++) {
			s->pprops[j].re = compile_regex(ss, f, v->kids[j]->key, kw);
			s->pprops[j].s = compile(ss, f, v->kids[j], false);
		}
		s->npprops = v->n;
	} else if (!strcmp(kw, "additionalProperties")) {
		s->additional = compile(ss, f, v, false);
	} else if (!strcmp(kw, "propertyNames")) {
		s->property_names = compile(ss, f, v, false);
	} else if (!strcmp(kw, "required")) {
		if (strings_seq(ss, f, v, kw))
			s->required = v;
	} else if (!strcmp(kw, "dependentRequired")) {
		uint32_t j;
		if (!want_map(ss, f, v, kw))
			return;
		for (j = 0; j < v->n; j++)
			if (!strings_seq(ss, f, v->kids[j], kw))
				return;
		s->dep_required = v;
	} else if (!strcmp(kw, "dependentSchemas")) {
		compile_props(ss, f, v, kw, &s->deps_schema, &s->ndeps_schema);
	} else if (!strcmp(kw, "enum")) {
		if (v->type != FB_NODE_SEQ)
			schema_error(ss, f, v, kw, "'enum' takes an array of values");
		else
			s->enum_ = v;
	} else if (!strcmp(kw, "const")) {
		s->const_ = v;
	} else if (!strcmp(kw, "pattern")) {
		if (want_string(ss, f, v, kw)) {
			s->pattern = compile_regex(ss, f, v, kw);
			s->pattern_node = v;
		}
	} else if (!strcmp(kw, "minLength")) {
		want_int(ss, f, v, kw, &s->min_len);
	} else if (!strcmp(kw, "maxLength")) {
		want_int(ss, f, v, kw, &s->max_len);
	} else if (!strcmp(kw, "minItems")) {
		want_int(ss, f, v, kw, &s->min_items);
	} else if (!strcmp(kw, "maxItems")) {
		want_int(ss, f, v, kw, &s->max_items);
	} else if (!strcmp(kw, "minProperties")) {
		want_int(ss, f, v, kw, &s->min_props);
	} else if (!strcmp(kw, "maxProperties")) {
		want_int(ss, f, v, kw, &s->max_props);
	} else if (!strcmp(kw, "minContains")) {
		want_int(ss, f, v, kw, &s->min_contains);
	} else if (!strcmp(kw, "maxContains")) {
		want_int(ss, f, v, kw, &s->max_contains);
	} else if (!strcmp(kw, "minimum")) {
		if (want_number(ss, f, v, kw))
			s->minimum = v;
	} else if (!strcmp(kw, "maximum")) {
		if (want_number(ss, f, v, kw))
			s->maximum = v;
	} else if (!strcmp(kw, "exclusiveMinimum")) {
		if (want_number(ss, f, v, kw))
			s->xminimum = v;
	} else if (!strcmp(kw, "exclusiveMaximum")) {
		if (want_number(ss, f, v, kw))
			s->xmaximum = v;
	} else if (!strcmp(kw, "multipleOf")) {
		if (!is_number(v) || !(v->num > 0))
			schema_error(ss, f, v, kw, "'multipleOf' takes a number greater than 0");
		else
			s->multiple_of = v;
	} else if (!strcmp(kw, "items")) {
		s->items = compile(ss, f, v, false);
	} else if (!strcmp(kw, "prefixItems")) {
		s->prefix = schema_list(ss, f, v, kw, &s->nprefix);
	} else if (!strcmp(kw, "contains")) {
		s->contains = compile(ss, f, v, false);
	} else if (!strcmp(kw, "uniqueItems")) {
		s->unique_items = want_bool(ss, f, v, kw);
	} else if (!strcmp(kw, "allOf")) {
		s->all_of = schema_list(ss, f, v, kw, &s->nall);
	} else if (!strcmp(kw, "anyOf")) {
		s->any_of = schema_list(ss, f, v, kw, &s->nany);
	} else if (!strcmp(kw, "oneOf")) {
		s->one_of = schema_list(ss, f, v, kw, &s->none);
	} else if (!strcmp(kw, "not")) {
		s->not_ = compile(ss, f, v, false);
	} else if (!strcmp(kw, "if")) {
		s->if_ = compile(ss, f, v, false);
	} else if (!strcmp(kw, "then")) {
		s->then_ = compile(ss, f, v, false);
	} else if (!strcmp(kw, "else")) {
		s->else_ = compile(ss, f, v, false);
	} else if (!strcmp(kw, "$ref")) {
		if (want_string(ss, f, v, kw)) {
			s->ref_node = v;
			FB_GROW(ss->pending, ss->npending, ss->pending_alloc);
			ss->pending[ss->npending].s = s;
			ss->pending[ss->npending++].file = f;
		}
	} else if (!strcmp(kw, "$defs") || !strcmp(kw, "definitions")) {
		want_map(ss, f, v, kw); /* compiled when referenced */
	} else if (!strcmp(kw, "$id")) {
		if (!root)
			schema_error(ss, f, k, kw, "'$id' below the root is not supported: references "
				     "stay inside the file or schemas/");
	} else if (!strcmp(kw, "format")) {
		if (want_string(ss, f, v, kw))
			s->format = !strcmp(v->str, "date")	? FMT_DATE
				    : !strcmp(v->str, "email") ? FMT_EMAIL
							       : FMT_NONE;
	} else if (!strcmp(kw, "title")) {
		if (want_string(ss, f, v, kw))
			s->title = v->str;
	} else if (!strcmp(kw, "description")) {
		if (want_string(ss, f, v, kw))
			s->description = v->str;
	} else if (!strcmp(kw, "default")) {
		s->default_ = v;
	} else if (!strcmp(kw, "x-date") || !strcmp(kw, "x-phone") || !strcmp(kw, "x-unique") ||
		   !strcmp(kw, "x-confidential")) {
		unsigned flag = kw[2] == 'd' ? FB_X_DATE
				: kw[2] == 'p' ? FB_X_PHONE
				: kw[2] == 'u' ? FB_X_UNIQUE
					       : FB_X_CONFIDENTIAL;
		if (want_bool(ss, f, v, kw))
			s->xflags |= flag;
	} else if (!strcmp(kw, "x-ref")) {
		if (want_string(ss, f, v, kw)) {
			if (!fb_type_valid(v->str))
				schema_error(ss, f, v, kw, "'x-ref' names a record type, not '%s'",
					     v->str);
			else
				s->xref = v->str;
		}
	} else if (!strcmp(kw, "x-item-of")) {
		const struct fb_node *fld = fb_node_get(v, "field"), *list = fb_node_get(v, "list");
		if (v->type != FB_NODE_MAP || v->n != 2 || !fld || fld->type != FB_NODE_STR ||
		    !list || list->type != FB_NODE_STR || !fld->len || !list->len) {
			schema_error(ss, f, v, kw,
				     "'x-item-of' takes {field: county, list: districts} (the x-ref "
				     "field beside it, and a list of the record it refers to)");
		} else {
			s->xin_field = fld->str;
			s->xin_list = list->str;
			s->xin_node = v;
		}
	} else if (!strcmp(kw, "x-id") || !strcmp(kw, "x-summary")) {
		if (!root) {
			schema_error(ss, f, k, kw, "'%s' belongs at the top of a type's schema", kw);
		} else if (kw[2] == 'i') {
			compile_xid(ss, f, s, v);
		} else if (strings_seq(ss, f, v, kw)) {
			s->xsummary = v;
		}
	} else if (!strncmp(kw, "x-", 2)) {
		schema_error(ss, f, k, kw,
			     "unknown fieldbook keyword '%s' (x-date, x-phone, x-ref, x-item-of, "
			     "x-unique, x-id, x-summary, x-confidential)",
			     kw);
	}
	/* everything else: annotations and unknown keywords, ignored as the standard says */
}

static struct fb_schema *new_schema(struct fb_schemas *ss, struct sfile *f,
				    const struct fb_node *n)
{
	struct fb_schema *s = fb_arena_calloc(&ss->arena, sizeof(*s));
	s->node = n;
	s->file = f;
	s->min_len = s->max_len = s->min_items = s->max_items = ABSENT;
	s->min_props = s->max_props = s->min_contains = s->max_contains = ABSENT;
	FB_GROW(ss->all, ss->nall, ss->all_alloc);
	ss->all[ss->nall++] = s;
	return s;
}

static struct fb_schema *compile(struct fb_schemas *ss, struct sfile *f, const struct fb_node *n,
				 bool root)
{
	struct fb_schema *s = memo_get(ss, n);
	uint32_t i;

	if (s)
		return s;
	s = new_schema(ss, f, n);
	memo_put(ss, n, s);
	if (n->type == FB_NODE_BOOL) {
		s->is_bool = true;
		s->bool_value = n->num != 0;
		return s;
	}
	if (n->type != FB_NODE_MAP) {
		schema_error(ss, f, n, "schema", "a schema is an object or true/false, not %s",
			     fb_node_type_phrase(n->type));
		s->is_bool = true;
		s->bool_value = true;
		return s;
	}
	for (i = 0; i < n->n; i++)
		compile_keyword(ss, f, s, n->kids[i], root);
	if (s->contains && s->min_contains == ABSENT)
		s->min_contains = 1;
	if (s->required) {
		s->required_prop = fb_arena_alloc(&ss->arena, (s->required->n + 1) * sizeof(int32_t));
		for (i = 0; i < s->required->n; i++) {
			const struct fb_node *r = s->required->kids[i];
			uint32_t j;
			s->required_prop[i] = -1;
			for (j = 0; j < s->nprops; j++)
				if (s->props[j].len == r->len && !memcmp(s->props[j].name, r->str, r->len))
					s->required_prop[i] = (int32_t)j;
		}
	}
	return s;
}

/*
 * The index of property `key` in s->props, or -1.  Records are mostly in
 * schema order (fmt keeps them so), so the search starts after the previous
 * hit, `*hint`, and usually ends at the first comparison.
 */
static int32_t find_prop(const struct fb_schema *s, const char *key, size_t len, uint32_t *hint)
{
	uint32_t k, j;
	for (k = 0; k < s->nprops; k++) {
		j = (*hint + k) % s->nprops;
		if (s->props[j].len == len && !memcmp(s->props[j].name, key, len)) {
			*hint = j + 1;
			return (int32_t)j;
		}
	}
	return -1;
}

/* The schema whose `properties` describe `s`'s objects: itself, or what it refers to. */
static const struct fb_schema *props_holder(const struct fb_schema *s)
{
	uint32_t i;
	int guard = 0;
	while (s && !s->nprops && guard++ < MAX_DEPTH) {
		const struct fb_schema *next = s->ref;
		for (i = 0; !next && i < s->nall; i++)
			if (s->all_of[i]->nprops || s->all_of[i]->ref)
				next = s->all_of[i];
		s = next;
	}
	return s;
}

/* ---- references -------------------------------------------------------------- */

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
					    : c >= 'A' && c <= 'F' ? c - 'A' + 10
								   : -1;
}

/* Follow a JSON pointer (already percent-decoded) from `root`. */
static const struct fb_node *follow_pointer(const struct fb_node *root, const char *p)
{
	const struct fb_node *n = root;
	struct fb_buf tok = FB_BUF_INIT;

	while (n && *p == '/') {
		const char *end = strchr(p + 1, '/');
		size_t len = end ? (size_t)(end - p - 1) : strlen(p + 1), i;
		fb_buf_reset(&tok);
		for (i = 0; i < len; i++) {
			char c = p[1 + i];
			if (c == '~' && i + 1 < len && (p[2 + i] == '0' || p[2 + i] == '1')) {
				fb_buf_putc(&tok, p[2 + i] == '0' ? '~' : '/');
				i++;
			} else {
				fb_buf_putc(&tok, c);
			}
		}
		if (n->type == FB_NODE_MAP) {
			const struct fb_node *next = NULL;
			uint32_t k;
			for (k = 0; k < n->n; k++)
				if (n->kids[k]->key->len == tok.len &&
				    !memcmp(n->kids[k]->key->str, tok.ptr, tok.len))
					next = n->kids[k];
			n = next;
		} else if (n->type == FB_NODE_SEQ) {
			char *endp;
			unsigned long idx = strtoul(tok.ptr, &endp, 10);
			n = (tok.len && *endp == '\0' && (tok.len == 1 || tok.ptr[0] != '0') &&
			     idx < n->n)
				    ? n->kids[idx]
				    : NULL;
		} else {
			n = NULL;
		}
		p += 1 + len;
	}
	fb_buf_release(&tok);
	return *p ? NULL : n;
}

static struct sfile *load_sibling(struct fb_schemas *ss, const char *base);

static struct sfile *find_file(struct fb_schemas *ss, const char *base)
{
	size_t i;
	for (i = 0; i < ss->nfiles; i++)
		if (!strcmp(ss->files[i]->base, base))
			return ss->files[i];
	return ss->dir ? load_sibling(ss, base) : NULL;
}

static void resolve_ref(struct fb_schemas *ss, struct fb_schema *s, struct sfile *f)
{
	const struct fb_node *v = s->ref_node, *target;
	struct fb_buf file = FB_BUF_INIT, frag = FB_BUF_INIT;
	const char *hash = memchr(v->str, '#', v->len), *p;
	struct sfile *tf = f;

	fb_buf_add(&file, v->str, hash ? (size_t)(hash - v->str) : v->len);
	/* percent-decode the fragment */
	for (p = hash ? hash + 1 : ""; *p; p++) {
		if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			fb_buf_putc(&frag, hexval(p[1]) * 16 + hexval(p[2]));
			p += 2;
		} else {
			fb_buf_putc(&frag, *p);
		}
	}
	if (file.len) {
		const char *name = !strncmp(file.ptr, "./", 2) ? file.ptr + 2 : file.ptr;
		if (strchr(name, ':') || name[0] == '/' || strstr(name, "..") || strchr(name, '/')) {
			schema_error(ss, f, v, "$ref",
				     "'%s': remote references are not supported; refer to a file in "
				     "schemas/ (\"_common.yaml#/$defs/x\") or inside this one",
				     v->str);
			goto out;
		}
		tf = find_file(ss, name);
		if (!tf) {
			schema_error(ss, f, v, "$ref", "'%s': there is no schema file '%s'", v->str,
				     name);
			goto out;
		}
	}
	if (frag.len && frag.ptr[0] != '/') {
		schema_error(ss, f, v, "$ref",
			     "'%s': named anchors are not supported; use a JSON pointer such as "
			     "#/$defs/name",
			     v->str);
		goto out;
	}
	target = follow_pointer(tf->root, frag.ptr);
	if (!target) {
		schema_error(ss, f, v, "$ref", "'%s' points at nothing", v->str);
		goto out;
	}
	s->ref = compile(ss, tf, target, target == tf->root);
out:
	fb_buf_release(&file);
	fb_buf_release(&frag);
}

static void resolve_pending(struct fb_schemas *ss)
{
	/* resolving compiles targets, which may queue more */
	while (ss->npending) {
		struct pending_ref pr = ss->pending[--ss->npending];
		resolve_ref(ss, pr.s, pr.file);
	}
}

/* Edges that evaluate the same instance again: a cycle of these never ends. */
static bool find_cycle(struct fb_schemas *ss, struct fb_schema *s)
{
	struct fb_schema *next[8];
	size_t n = 0, i;
	uint32_t j;

	if (s->done)
		return false;
	if (s->visiting) {
		return true;
	}
	s->visiting = true;
	next[n++] = s->ref;
	next[n++] = s->not_;
	next[n++] = s->if_;
	next[n++] = s->then_;
	next[n++] = s->else_;
	for (i = 0; i < n; i++)
		if (next[i] && find_cycle(ss, next[i]))
			goto cycle;
	for (j = 0; j < s->nall; j++)
		if (find_cycle(ss, s->all_of[j]))
			goto cycle;
	for (j = 0; j < s->nany; j++)
		if (find_cycle(ss, s->any_of[j]))
			goto cycle;
	for (j = 0; j < s->none; j++)
		if (find_cycle(ss, s->one_of[j]))
			goto cycle;
	for (j = 0; j < s->ndeps_schema; j++)
		if (find_cycle(ss, s->deps_schema[j].s))
			goto cycle;
	s->visiting = false;
	s->done = true;
	return false;
cycle:
	/* report once, at the reference that closes the loop, and break it */
	if (s->ref_node && s->ref) {
		schema_error(ss, s->file, s->ref_node, "$ref",
			     "'%s' makes a reference cycle: it comes back to itself without "
			     "reading any value",
			     s->ref_node->str);
		s->ref = NULL;
		s->visiting = false;
		s->done = true;
		return false;
	}
	s->visiting = false;
	return true;
}

static void check_cycles(struct fb_schemas *ss)
{
	size_t i;
	for (i = 0; i < ss->nall; i++)
		while (find_cycle(ss, ss->all[i]))
			; /* each round breaks one cycle */
}

/*
 * What checking one value against a schema can cost: the schema itself, and
 * everything it applies to the same value ($ref, allOf, anyOf, oneOf, not,
 * if/then/else, dependentSchemas), counted as often as it is applied.  Two
 * $refs to the same definition under allOf or anyOf, level after level,
 * double it each time: 2^24 checks of one value from a 30-line schema.
 * Saturates just above MAX_VALUE_COST.
 */
#define MAX_VALUE_COST 20000u

static uint32_t cost_add(uint32_t a, uint32_t b)
{
	return a + b > MAX_VALUE_COST ? MAX_VALUE_COST + 1 : a + b;
}

static uint32_t value_cost(struct fb_schema *s)
{
	struct fb_schema *next[5];
	uint32_t c = 1, j;
	size_t i;

	if (!s || s->is_bool)
		return 1;
	if (s->cost)
		return s->cost;
	if (s->costing) /* a cycle check_cycles left: counted as the limit */
		return MAX_VALUE_COST + 1;
	s->costing = true;
	next[0] = s->ref, next[1] = s->not_, next[2] = s->if_, next[3] = s->then_;
	next[4] = s->else_;
	for (i = 0; i < FB_ARRAY_SIZE(next); i++)
		if (next[i])
			c = cost_add(c, value_cost(next[i]));
	for (j = 0; j < s->nall; j++)
		c = cost_add(c, value_cost(s->all_of[j]));
	for (j = 0; j < s->nany; j++)
		c = cost_add(c, value_cost(s->any_of[j]));
	for (j = 0; j < s->none; j++)
		c = cost_add(c, value_cost(s->one_of[j]));
	for (j = 0; j < s->ndeps_schema; j++)
		c = cost_add(c, value_cost(s->deps_schema[j].s));
	s->costing = false;
	s->cost = c;
	return c;
}

/* Refuse a schema whose checks of one value multiply past MAX_VALUE_COST: once per file, at its outermost such schema. */
static void check_cost(struct fb_schemas *ss)
{
	const struct sfile *told = NULL;
	size_t i;
	for (i = 0; i < ss->nall; i++) {
		struct fb_schema *s = ss->all[i];
		if (value_cost(s) <= MAX_VALUE_COST)
			continue;
		s->too_costly = true; /* reported; checking against it would not end */
		if (s->file == told)
			continue;
		schema_error(ss, s->file, s->node, "$ref",
			     "checking one value against this takes more than %u checks: $refs "
			     "under allOf, anyOf or oneOf multiply at every level (two to the same "
			     "definition double it); simplify it",
			     MAX_VALUE_COST);
		told = s->file;
	}
}

/* ---- loading sets --------------------------------------------------------------- */

static struct fb_schemas *new_set(struct fb_diag *d)
{
	struct fb_schemas *ss = fb_calloc(1, sizeof(*ss));
	ss->d = d;
	ss->errors_before = d->errors;
	return ss;
}

static struct sfile *add_file(struct fb_schemas *ss, const char *name, const char *base,
			      struct fb_doc *doc, const struct fb_node *root)
{
	struct sfile *f = fb_arena_calloc(&ss->arena, sizeof(*f));
	f->name = fb_arena_strndup(&ss->arena, name, strlen(name));
	f->base = fb_arena_strndup(&ss->arena, base, strlen(base));
	f->doc = doc;
	f->root = root;
	FB_GROW(ss->files, ss->nfiles, ss->files_alloc);
	ss->files[ss->nfiles++] = f;
	return f;
}

/* Parse a schema's text: any root (a schema may be `true`), no size limit. */
static struct fb_doc *parse_schema_text(const char *name, const struct fb_buf *text,
					struct fb_diag *d)
{
	struct fb_doc *doc = NULL;
	fb_doc_parse(&doc, name, text->ptr, text->len, FB_PARSE_ANY_ROOT, d);
	if (doc && !doc->root) {
		fb_diag_addf(d, FB_SEV_ERROR, name, 1, 1, "the schema file is empty");
		fb_doc_free(doc);
		doc = NULL;
	}
	return doc;
}

static struct sfile *load_sibling(struct fb_schemas *ss, const char *base)
{
	struct fb_buf path = FB_BUF_INIT, text = FB_BUF_INIT;
	struct sfile *f = NULL;
	struct fb_doc *doc;

	fb_buf_addf(&path, "%s/%s", ss->dir, base);
	if (fb_buf_read_file(&text, path.ptr, 0) == 0 &&
	    (doc = parse_schema_text(path.ptr, &text, ss->d))) {
		f = add_file(ss, path.ptr, base, doc, doc->root);
		compile(ss, f, doc->root, true);
	}
	fb_buf_release(&path);
	fb_buf_release(&text);
	return f;
}

static void mark_below(struct fb_schemas *ss);
static void check_confidential_keys(struct fb_schemas *ss);

static int finish(struct fb_schemas *ss)
{
	resolve_pending(ss);
	check_cycles(ss);
	check_cost(ss);
	mark_below(ss);
	check_confidential_keys(ss);
	return ss->d->errors > ss->errors_before ? FB_EINVALID : 0;
}


/* The x-item-of schema of `s`, through $ref. */
static struct fb_schema *item_of(struct fb_schema *s)
{
	for (; s && !s->too_costly; s = s->ref)
		if (s->xin_field)
			return s;
	return NULL;
}

/*
 * An x-item-of needs its field beside it -- a property of the same object,
 * with an x-ref -- and the referenced type needs the list; one placed
 * anywhere else would check nothing, so it is an error.
 */
static int check_item_of(struct fb_schemas *ss)
{
	size_t i, before = ss->d->errors;
	uint32_t k, m;

	for (i = 0; i < ss->nall; i++) {
		const struct fb_schema *o = ss->all[i];
		for (k = 0; k < o->nprops; k++) {
			struct fb_schema *x = item_of(o->props[k].s);
			const char *type = NULL;
			const struct fb_schema *ts;
			if (!x)
				continue;
			for (m = 0; m < o->nprops && !type; m++)
				if (!strcmp(o->props[m].name, x->xin_field))
					type = fb_schema_xref(o->props[m].s);
			x->xin_seen = true;
			if (!type) {
				schema_error(ss, x->file, x->xin_node, "x-item-of",
					     "'x-item-of': '%s' is no x-ref field beside '%s'",
					     x->xin_field, o->props[k].name);
			} else if ((ts = fb_schemas_type(ss, type)) &&
				   !fb_schema_property(ts, x->xin_list, strlen(x->xin_list))) {
				schema_error(ss, x->file, x->xin_node, "x-item-of",
					     "'x-item-of': a %s record has no field '%s'", type,
					     x->xin_list);
			}
		}
	}
	for (i = 0; i < ss->nall; i++) {
		struct fb_schema *x = ss->all[i];
		if (x->xin_field && !x->xin_seen)
			schema_error(ss, x->file, x->xin_node, "x-item-of",
				     "'x-item-of' belongs on a property of an object that also has the "
				     "x-ref field '%s'", x->xin_field);
	}
	return ss->d->errors > before ? -1 : 0;
}

int fb_schemas_load(struct fb_schemas **out, struct fb_source *src, struct fb_diag *d)
{
	struct fb_schemas *ss = new_set(d);
	struct fb_strvec types = {0}, files = {0};
	struct fb_buf text = FB_BUF_INIT, name = FB_BUF_INIT;
	struct fb_diag ignore = FB_DIAG_INIT;
	size_t i;
	int err;

	*out = ss;
	fb_source_types(src, &types, &ignore);
	fb_diag_release(&ignore);
	fb_source_schema_files(src, &files);
	for (i = 0; i < files.n; i++) {
		struct fb_doc *doc;
		struct sfile *f;
		size_t stem = strlen(files.v[i]) - 5;

		fb_buf_reset(&name);
		fb_buf_addf(&name, "schemas/%s", files.v[i]);
		if (fb_source_read_path(src, name.ptr, &text, d) < 0)
			continue;
		if (!(doc = parse_schema_text(name.ptr, &text, d)))
			continue;
		f = add_file(ss, name.ptr, files.v[i], doc, doc->root);
		files.v[i][stem] = '\0';
		if (fb_strvec_has(&types, files.v[i]))
			f->type = fb_arena_strndup(&ss->arena, files.v[i], stem);
	}
	/* compile the types; shared files are compiled where they are referenced */
	for (i = 0; i < ss->nfiles; i++)
		if (ss->files[i]->type)
			ss->files[i]->schema = compile(ss, ss->files[i], ss->files[i]->root, true);
	err = finish(ss);
	/* an x-ref must name a type of this repository */
	for (i = 0; i < ss->nall; i++) {
		const struct fb_schema *s = ss->all[i];
		if (s->xref && !fb_strvec_has(&types, s->xref)) {
			schema_error(ss, s->file, fb_node_get(s->node, "x-ref"), "x-ref",
				     "'x-ref: %s' names no record type of this repository", s->xref);
			err = FB_EINVALID;
		}
	}
	if (!err && check_item_of(ss) < 0)
		err = FB_EINVALID;
	fb_strvec_release(&types);
	fb_strvec_release(&files);
	fb_buf_release(&text);
	fb_buf_release(&name);
	return err;
}

int fb_schemas_load_file(struct fb_schemas **out, const char *path, struct fb_diag *d)
{
	struct fb_schemas *ss = new_set(d);
	struct fb_buf text = FB_BUF_INIT;
	const char *slash = strrchr(path, '/');
	struct fb_doc *doc;
	struct sfile *f;
	int err;

	*out = ss;
	ss->dir = slash ? fb_strndup(path, (size_t)(slash - path)) : fb_strdup(".");
	err = fb_buf_read_file(&text, path, 0);
	if (err) {
		fb_diag_addf(d, FB_SEV_ERROR, path, 0, 0, "cannot read the schema: %s",
			     err == FB_ENOTFOUND ? "no such file" : strerror(errno));
		fb_buf_release(&text);
		return err == FB_ENOTFOUND ? FB_ENOTFOUND : FB_EIO;
	}
	doc = parse_schema_text(path, &text, d);
	fb_buf_release(&text);
	if (!doc)
		return FB_EINVALID;
	f = add_file(ss, path, slash ? slash + 1 : path, doc, doc->root);
	ss->main = f->schema = compile(ss, f, doc->root, true);
	return finish(ss);
}

int fb_schemas_from_node(struct fb_schemas **out, const struct fb_node *schema, const char *name,
			 struct fb_diag *d)
{
	struct fb_schemas *ss = new_set(d);
	struct sfile *f = add_file(ss, name, name, NULL, schema);
	*out = ss;
	ss->main = f->schema = compile(ss, f, schema, true);
	return finish(ss);
}

void fb_schemas_free(struct fb_schemas *ss)
{
	size_t i;
	if (!ss)
		return;
	for (i = 0; i < ss->nregexes; i++)
		fb_regex_free(ss->regexes[i]);
	for (i = 0; i < ss->nfiles; i++)
		fb_doc_free(ss->files[i]->doc);
	free(ss->regexes);
	free(ss->files);
	free(ss->memo);
	free(ss->all);
	free(ss->pending);
	free(ss->dir);
	fb_arena_release(&ss->arena);
	free(ss);
}

bool fb_schemas_cross_record(const struct fb_schemas *ss)
{
	size_t i;
	for (i = 0; i < ss->nall; i++)
		if (ss->all[i]->xref || ss->all[i]->xin_field || (ss->all[i]->xflags & FB_X_UNIQUE))
			return true;
	return false;
}

const struct fb_schema *fb_schemas_type(const struct fb_schemas *ss, const char *type)
{
	size_t i;
	for (i = 0; i < ss->nfiles; i++)
		if (ss->files[i]->type && !strcmp(ss->files[i]->type, type))
			return ss->files[i]->schema;
	return NULL;
}

const struct fb_schema *fb_schemas_main(const struct fb_schemas *ss)
{
	return ss->main;
}

/* ---- introspection --------------------------------------------------------------- */

const struct fb_schema *fb_schema_property(const struct fb_schema *s, const char *key, size_t len)
{
	uint32_t i;
	const struct fb_schema *found;
	static _Thread_local uint32_t hint; /* consecutive calls walk one mapping in order */
	int32_t p;

	if (!s || s->is_bool || s->too_costly)
		return NULL;
	if ((p = find_prop(s, key, len, &hint)) >= 0)
		return s->props[p].s;
	for (i = 0; i < s->npprops; i++)
		if (s->pprops[i].re && fb_regex_match(s->pprops[i].re, key, len) == 1)
			return s->pprops[i].s;
	if ((found = fb_schema_property(s->ref, key, len)))
		return found;
	for (i = 0; i < s->nall; i++)
		if ((found = fb_schema_property(s->all_of[i], key, len)))
			return found;
	return s->additional && !s->additional->is_bool ? s->additional : NULL;
}

const struct fb_schema *fb_schema_item(const struct fb_schema *s, size_t index)
{
	const struct fb_schema *found;
	uint32_t i;
	if (!s || s->is_bool || s->too_costly)
		return NULL;
	if (index < s->nprefix)
		return s->prefix[index];
	if (s->items)
		return s->items;
	if ((found = fb_schema_item(s->ref, index)))
		return found;
	for (i = 0; i < s->nall; i++)
		if ((found = fb_schema_item(s->all_of[i], index)))
			return found;
	return NULL;
}

unsigned fb_schema_xflags(const struct fb_schema *s)
{
	unsigned f;
	uint32_t i;
	if (!s || s->too_costly)
		return 0;
	f = s->xflags | fb_schema_xflags(s->ref);
	for (i = 0; i < s->nall; i++)
		f |= fb_schema_xflags(s->all_of[i]);
	return f;
}

/* The first non-NULL `get` of `s`, of its $ref, or of its allOf parts, depth first. */
static const void *reach(const struct fb_schema *s, const void *(*get)(const struct fb_schema *))
{
	const void *x;
	uint32_t i;
	if (!s || s->is_bool || s->too_costly)
		return NULL;
	if ((x = get(s)) || (x = reach(s->ref, get)))
		return x;
	for (i = 0; i < s->nall; i++)
		if ((x = reach(s->all_of[i], get)))
			return x;
	return NULL;
}

static const void *get_xref(const struct fb_schema *s)
{
	return s->xref;
}

const char *fb_schema_xref(const struct fb_schema *s)
{
	return reach(s, get_xref);
}

static unsigned below_of(const struct fb_schema *c)
{
	return c && !c->is_bool ? c->xbelow : 0;
}

/* The x- flags of `s` and of what its parts are checked against, as far as known. */
static unsigned gather_below(const struct fb_schema *s)
{
	unsigned f = s->xflags | below_of(s->ref) | below_of(s->additional) | below_of(s->items) |
		     below_of(s->contains) | below_of(s->then_) | below_of(s->else_);
	uint32_t j;
	for (j = 0; j < s->nprops; j++)
		f |= below_of(s->props[j].s);
	for (j = 0; j < s->npprops; j++)
		f |= below_of(s->pprops[j].s);
	for (j = 0; j < s->nprefix; j++)
		f |= below_of(s->prefix[j]);
	for (j = 0; j < s->nall; j++)
		f |= below_of(s->all_of[j]);
	for (j = 0; j < s->nany; j++)
		f |= below_of(s->any_of[j]);
	for (j = 0; j < s->none; j++)
		f |= below_of(s->one_of[j]);
	return f;
}

/*
 * Every schema's xbelow: the flags anywhere in what it describes.  Passes
 * until nothing changes (cycles through $ref included); each pass carries
 * the flags at least one level up, and a parent is listed before its parts
 * (new_schema), so going backwards one or two passes are the rule.
 */
static void mark_below(struct fb_schemas *ss)
{
	bool changed = true;
	while (changed) {
		size_t i;
		changed = false;
		for (i = ss->nall; i-- > 0;) {
			struct fb_schema *s = ss->all[i];
			unsigned f = s->is_bool ? 0 : gather_below(s);
			if (f != s->xbelow) {
				s->xbelow = f;
				changed = true;
			}
		}
	}
}

/* Keys are always shown (mapping keys are paths and column names): refuse hiding them. */
static void check_confidential_keys(struct fb_schemas *ss)
{
	size_t i;
	for (i = 0; i < ss->nall; i++) {
		const struct fb_schema *s = ss->all[i];
		const struct fb_node *at = fb_node_get(s->node, "propertyNames");
		if (!s->is_bool && fb_schema_reaches(s->property_names, FB_X_CONFIDENTIAL))
			schema_error(ss, s->file, at && at->key ? at->key : at, "x-confidential",
				     "x-confidential cannot apply to property names (keys are always "
				     "shown): mark the values instead");
	}
}

bool fb_schema_reaches(const struct fb_schema *s, unsigned flag)
{
	return s && !s->is_bool && (s->xbelow & flag);
}

/*
 * Whether the types `s` allows are only those of `mask` (by its own `type`,
 * else by its $ref's; or by any allOf part, which all must hold).
 */
static bool types_only(const struct fb_schema *s, unsigned mask)
{
	uint32_t i;
	if (!s || s->is_bool || s->too_costly)
		return false;
	if (s->types && !(s->types & ~mask))
		return true;
	if (s->types == 0 && types_only(s->ref, mask))
		return true;
	for (i = 0; i < s->nall; i++)
		if (types_only(s->all_of[i], mask))
			return true;
	return false;
}

bool fb_schema_only_string(const struct fb_schema *s)
{
	return types_only(s, T_STR);
}

size_t fb_schema_nproperties(const struct fb_schema *s)
{
	s = props_holder(s);
	return s ? s->nprops : 0;
}

const char *fb_schema_property_name(const struct fb_schema *s, size_t i)
{
	return props_holder(s)->props[i].name;
}

const char *fb_schema_title(const struct fb_schema *s)
{
	return !s ? NULL : s->title ? s->title : fb_schema_title(s->ref);
}

const char *fb_schema_description(const struct fb_schema *s)
{
	return !s ? NULL : s->description ? s->description : fb_schema_description(s->ref);
}

size_t fb_schema_nrequired(const struct fb_schema *s)
{
	return s && s->required ? s->required->n : 0;
}

const char *fb_schema_required(const struct fb_schema *s, size_t i)
{
	return s->required->kids[i]->str;
}

const struct fb_node *fb_schema_default(const struct fb_schema *s)
{
	return !s ? NULL : s->default_ ? s->default_ : fb_schema_default(s->ref);
}

static const void *get_enum(const struct fb_schema *s)
{
	return s->enum_;
}

const struct fb_node *fb_schema_enum(const struct fb_schema *s)
{
	return reach(s, get_enum);
}

bool fb_schema_xid(const struct fb_schema *s, const char **prefix, int *digits)
{
	if (!s || !s->xid_prefix)
		return false;
	*prefix = s->xid_prefix;
	*digits = s->xid_digits;
	return true;
}

const struct fb_node *fb_schema_xsummary(const struct fb_schema *s)
{
	return s ? s->xsummary : NULL;
}

const struct fb_node *fb_schema_node(const struct fb_schema *s)
{
	return s->node;
}

/* ---- typing -------------------------------------------------------------------------- */


/* Mark what is confidential; with `coerce`, also type plain scalars of string-only fields. */
static void type_node(const struct fb_schema *s, struct fb_node *n, bool confidential, bool coerce)
{
	uint32_t i;

	n->schema = s;
	/* a scalar where a list or mapping with confidential parts belongs is confidential whole */
	confidential = confidential || (fb_schema_xflags(s) & FB_X_CONFIDENTIAL) ||
		       (fb_node_is_scalar(n) && fb_schema_reaches(s, FB_X_CONFIDENTIAL));
	n->confidential = confidential;
	if (fb_node_is_scalar(n)) {
		if (coerce && n->style == FB_STYLE_PLAIN && !n->tagged && n->type != FB_NODE_STR &&
		    fb_schema_only_string(s))
			n->type = FB_NODE_STR;
		else if (coerce && n->type == FB_NODE_STR && types_only(s, T_INT | T_NUM))
			fb_node_native_number(n);
		return;
	}
	for (i = 0; i < n->n; i++) {
		struct fb_node *c = n->kids[i];
		const struct fb_schema *cs = n->type == FB_NODE_MAP
						     ? fb_schema_property(s, c->key->str, c->key->len)
						     : fb_schema_item(s, i);
		type_node(cs, c, confidential, coerce);
	}
}

void fb_schema_type_record(const struct fb_schema *s, struct fb_node *root)
{
	if (root)
		type_node(s, root, false, true);
}

void fb_schema_mark_confidential(const struct fb_schema *s, struct fb_node *root)
{
	if (root)
		type_node(s, root, false, false);
}

/* ---- validation: reporting ------------------------------------------------------------- */

struct vctx {
	const struct fb_validate_opts *o;
	struct fb_diag *d;
	struct fb_buf *path;
	unsigned depth;
	bool collect; /* hand x-ref/x-unique to the cross-reference list */
	size_t start_path; /* path length where this (trial) context began */
	size_t shallow;    /* errors at that very value */
	struct fb_buf *scratch; /* for keys, reused across a record */
	size_t *steps;          /* validate() calls for this record, trials included */
	struct fb_diag *top;    /* the record's own list (d may be a trial's) */
};

/*
 * A bound on one record's checking, whatever its size and schema: check_cost
 * bounds the checks of one value, this the whole record (about a second).
 */
#define MAX_RECORD_STEPS 2000000u

/*
 * A value as a message quotes it: "***" when `masked`; a list or mapping as
 * JSON with its confidential members and items masked unless `show`.
 */
static void show_value(struct fb_buf *out, const struct fb_node *n, bool masked, bool quote,
		       bool show)
{
	if (masked) {
		fb_buf_puts(out, quote ? "'***'" : "***");
		return;
	}
	switch (n->type) {
	case FB_NODE_STR:
		if (quote)
			fb_buf_putc(out, '\'');
		fb_diag_shorten(out, n->str, n->len, 40);
		if (quote)
			fb_buf_putc(out, '\'');
		break;
	case FB_NODE_SEQ:
	case FB_NODE_MAP: {
		struct fb_buf json = FB_BUF_INIT;
		fb_node_to_json(&json, n, -1, show ? NULL : fb_node_is_confidential, NULL);
		fb_diag_shorten(out, json.ptr, json.len, 40);
		fb_buf_release(&json);
		break;
	}
	case FB_NODE_NULL:
		fb_buf_puts(out, "null");
		break;
	case FB_NODE_BOOL:
		fb_buf_puts(out, n->num ? "true" : "false");
		break;
	default:
		fb_diag_shorten(out, n->str, n->len, 40);
	}
}

static void verr(struct vctx *v, const struct fb_node *at, const char *keyword,
		 const struct fb_node *value, bool masked, const char *expected, const char *fmt,
		 ...) __attribute__((format(printf, 7, 8)));

static void verr(struct vctx *v, const struct fb_node *at, const char *keyword,
		 const struct fb_node *value, bool masked, const char *expected, const char *fmt,
		 ...)
{
	struct fb_buf msg = FB_BUF_INIT, val = FB_BUF_INIT;
	struct fb_diag_entry *e;
	va_list ap;

	fb_buf_addf(&msg, "%s: ", v->path->len ? v->path->ptr : "/");
	va_start(ap, fmt);
	fb_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (v->d->n) { /* the same error again (allOf applying one $ref twice): said once */
		const struct fb_diag_entry *last = &v->d->v[v->d->n - 1];
		if (last->line == (at ? at->line : 1) && last->col == (at ? at->col : 1) &&
		    last->file && v->o->file && !strcmp(last->file, v->o->file) &&
		    !strcmp(last->message, msg.ptr)) {
			fb_buf_release(&msg);
			return;
		}
	}
	if (value)
		show_value(&val, value, masked, false, v->o->show_confidential);
	e = fb_diag_addf(v->d, FB_SEV_ERROR, v->o->file, at ? at->line : 1, at ? at->col : 1, "%s",
			 msg.ptr);
	fb_diag_set(e, v->path->ptr, keyword, value ? val.ptr : NULL, expected);
	if (v->path->len == v->start_path)
		v->shallow++;
	fb_buf_release(&msg);
	fb_buf_release(&val);
}

static void push_key(struct vctx *v, const char *s, size_t len)
{
	fb_pointer_push(v->path, s, len);
}

static void push_index(struct vctx *v, size_t i)
{
	char num[24];
	int k = snprintf(num, sizeof(num), "%zu", i);
	fb_pointer_push(v->path, num, (size_t)k);
}

/* The allowed string that equals `n` once both are folded (ي/ی, case, digits), if any. */
static const struct fb_node *folded_match(const struct fb_node *values, const struct fb_node *n)
{
	struct fb_buf a = FB_BUF_INIT, b = FB_BUF_INIT;
	const struct fb_node *found = NULL;
	uint32_t i;
	fb_fold(&a, n->str, n->len, FB_FOLD_NOSPACE);
	for (i = 0; i < values->n && !found; i++) {
		const struct fb_node *c = values->kids[i];
		if (c->type != FB_NODE_STR)
			continue;
		fb_buf_reset(&b);
		fb_fold(&b, c->str, c->len, FB_FOLD_NOSPACE);
		if (a.len == b.len && !memcmp(a.ptr, b.ptr, a.len))
			found = c;
	}
	fb_buf_release(&a);
	fb_buf_release(&b);
	return found;
}

/* A list of allowed values, cut at about `max` bytes (0: never). */
static void list_values(struct fb_buf *out, const struct fb_node *seq, size_t max)
{
	uint32_t i;
	for (i = 0; i < seq->n; i++) {
		if (max && out->len > max) {
			fb_buf_puts(out, ", …");
			return;
		}
		if (i)
			fb_buf_puts(out, ", ");
		show_value(out, seq->kids[i], false, false, false);
	}
}

/* ---- validation: the checks ------------------------------------------------------------- */

struct fb_crossref {
	struct fb_arena arena;
	struct xref_item *refs;
	size_t nrefs, refs_alloc;
	struct uniq_item *keys;
	size_t nkeys, keys_alloc;
	const char *last_file, *last_type; /* shared by a record's items */
	uint64_t order, within; /* the record being collected, its items so far */
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

static void validate(const struct fb_schema *s, const struct fb_node *n, struct vctx *v,
		     bool masked);

/* A copy in the crossref's arena, shared with the previous item when equal. */
static const char *xr_str(struct fb_crossref *xr, const char **last, const char *s)
{
	if (!*last || strcmp(*last, s))
		*last = fb_arena_strndup(&xr->arena, s, strlen(s));
	return *last;
}

static void collect_ref(struct vctx *v, const char *type, const struct fb_node *n, bool masked)
{
	struct fb_crossref *xr = v->o->xr;
	struct xref_item *it;
	if (v->o->xr_quiet)
		return;
	FB_GROW(xr->refs, xr->nrefs, xr->refs_alloc);
	it = &xr->refs[xr->nrefs++];
	it->type = type;
	it->value = fb_arena_strndup(&xr->arena, n->str, n->len);
	it->len = n->len;
	it->masked = masked;
	it->file = xr_str(xr, &xr->last_file, v->o->file);
	it->path = fb_arena_strndup(&xr->arena, v->path->ptr, v->path->len);
	it->line = n->line;
	it->col = n->col;
	it->owner = it->field = it->list = NULL;
}

/* An x-item-of value: its record is the one the x-ref field beside it names. */
static void collect_item_of(struct vctx *v, const struct fb_schema *s, const struct fb_node *n,
			    bool masked)
{
	struct fb_crossref *xr = v->o->xr;
	const struct fb_node *at = n->parent ? fb_node_get(n->parent, s->xin_field) : NULL;
	const char *type = at && at->type == FB_NODE_STR ? fb_schema_xref(at->schema) : NULL;
	struct xref_item *it;

	if (!type || v->o->xr_quiet || strlen(at->str) != at->len)
		return; /* no record to look in: the x-ref says why */
	collect_ref(v, type, n, masked);
	it = &xr->refs[xr->nrefs - 1];
	it->owner = fb_arena_strndup(&xr->arena, at->str, at->len);
	it->field = s->xin_field;
	it->list = s->xin_list;
}

void fb_unique_key(struct fb_buf *out, const char *s, size_t len, bool phone)
{
	size_t start = out->len, i, j;
	fb_fold(out, s, len, FB_FOLD_NOSPACE);
	if (!phone)
		return;
	/* digits only; +98 / 0098 become 0 */
	for (i = j = start; i < out->len; i++)
		if ((out->ptr[i] >= '0' && out->ptr[i] <= '9') || (out->ptr[i] == '+' && i == start))
			out->ptr[j++] = out->ptr[i];
	fb_buf_setlen(out, j);
	if (out->len - start >= 3 && !memcmp(out->ptr + start, "+98", 3)) {
		memmove(out->ptr + start + 1, out->ptr + start + 3, out->len - start - 3);
		out->ptr[start] = '0';
		fb_buf_setlen(out, out->len - 2);
	} else if (out->len - start >= 4 && !memcmp(out->ptr + start, "0098", 4)) {
		memmove(out->ptr + start + 1, out->ptr + start + 4, out->len - start - 4);
		fb_buf_setlen(out, out->len - 3);
	}
}

static void collect_unique(struct vctx *v, const struct fb_schema *group, const struct fb_node *n,
			   bool phone, bool masked)
{
	struct fb_crossref *xr = v->o->xr;
	struct fb_buf *key = v->scratch;
	struct uniq_item *it;

	if (!fb_node_is_scalar(n) || n->type == FB_NODE_NULL)
		return;
	fb_buf_reset(key);
	fb_unique_key(key, n->str, n->len, phone);
	if (!key->len)
		return;
	FB_GROW(xr->keys, xr->nkeys, xr->keys_alloc);
	it = &xr->keys[xr->nkeys];
	it->group = group;
	it->rtype = xr_str(xr, &xr->last_type, v->o->type ? v->o->type : "");
	it->key = fb_arena_strndup(&xr->arena, key->ptr, key->len);
	it->klen = key->len;
	it->value = fb_arena_strndup(&xr->arena, n->str, n->len); /* shown only on a clash */
	it->vlen = n->len;
	it->masked = masked;
	it->file = xr_str(xr, &xr->last_file, v->o->file);
	it->path = fb_arena_strndup(&xr->arena, v->path->ptr, v->path->len);
	if (xr->order != v->o->order || !xr->nkeys) {
		xr->order = v->o->order;
		xr->within = 0;
	}
	it->order = v->o->order;
	it->within = xr->within++;
	xr->nkeys++;
	it->report = !v->o->xr_quiet;
	it->line = n->line;
	it->col = n->col;
}

/* x-phone: digits (any set), spaces and dashes; 11 digits starting with 0 once normalised. */
static bool phone_ok(const struct fb_node *n, struct fb_buf *key)
{
	size_t i;
	bool ok;

	fb_buf_reset(key);
	fb_fold(key, n->str, n->len, FB_FOLD_NOSPACE);
	for (i = 0; i < key->len; i++) {
		char c = key->ptr[i];
		if (!((c >= '0' && c <= '9') || c == '-' || (c == '+' && i == 0)))
			return false;
	}
	fb_buf_reset(key);
	fb_unique_key(key, n->str, n->len, true);
	ok = key->len == 11 && key->ptr[0] == '0';
	for (i = 0; ok && i < key->len; i++)
		ok = key->ptr[i] >= '0' && key->ptr[i] <= '9';
	return ok;
}

/* format: date, as RFC 3339 full-date; on failure the reason goes to `why`. */
static bool iso_date_ok(const struct fb_node *n, struct fb_buf *why)
{
	static const char *const months[] = {"January", "February", "March",	  "April",
					     "May",	"June",	    "July",	  "August",
					     "September", "October", "November", "December"};
	const char *s = n->str;
	int y, m, d;
	size_t i;

	fb_buf_reset(why);
	fb_buf_puts(why, "is not an ISO date (YYYY-MM-DD)");
	if (n->len != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = atoi(s);
	m = (s[5] - '0') * 10 + s[6] - '0';
	d = (s[8] - '0') * 10 + s[9] - '0';
	if (m < 1 || m > 12) {
		fb_buf_reset(why);
		fb_buf_addf(why, "is no date: month %d out of range 1..12", m);
		return false;
	}
	if (d < 1 || d > fb_gregorian_month_days(y, m)) {
		fb_buf_reset(why);
		fb_buf_addf(why, "is no date: %s %d has %d days", months[m - 1], y,
			    fb_gregorian_month_days(y, m));
		return false;
	}
	return true;
}

static bool atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c)) || c >= 0x80;
}

static bool ipv4_ok(const char *s, size_t len)
{
	int parts = 0, val = -1;
	size_t i;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] >= '0' && s[i] <= '9') {
			val = (val < 0 ? 0 : val * 10) + (s[i] - '0');
			if (val > 255)
				return false;
		} else if (i == len || s[i] == '.') {
			if (val < 0)
				return false;
			parts++;
			val = -1;
		} else {
			return false;
		}
	}
	return parts == 4;
}

/* An e-mail address as RFC 5321 has it: dot-atom or quoted local part; host or [address]. */
static bool email_ok(const struct fb_node *n)
{
	const char *s = n->str, *at;
	size_t len = n->len, i, local;

	if (len && s[0] == '"') {
		for (i = 1; i < len && s[i] != '"'; i++)
			if (s[i] == '\\')
				i++;
		if (i >= len || i + 1 >= len || s[i + 1] != '@')
			return false;
		local = i + 1;
	} else {
		at = memchr(s, '@', len);
		if (!at || at == s)
			return false;
		local = (size_t)(at - s);
		if (s[0] == '.' || s[local - 1] == '.')
			return false;
		for (i = 0; i < local; i++)
			if (!(atext((unsigned char)s[i]) || (s[i] == '.' && s[i + 1] != '.')))
				return false;
	}
	s += local + 1;
	len -= local + 1;
	if (!len)
		return false;
	if (s[0] == '[') {
		if (s[len - 1] != ']')
			return false;
		if (len > 6 && !strncmp(s + 1, "IPv6:", 5)) {
			for (i = 6; i < len - 1; i++)
				if (!strchr("0123456789abcdefABCDEF:.", s[i]))
					return false;
			return true;
		}
		return ipv4_ok(s + 1, len - 2);
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		bool label_edge = i == 0 || s[i - 1] == '.' || i + 1 == len || s[i + 1] == '.';
		if (c == '.') {
			if (i == 0 || i + 1 == len || s[i + 1] == '.')
				return false;
		} else if (c == '-') {
			if (label_edge)
				return false;
		} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c >= 0x80)) {
			return false;
		}
	}
	return true;
}

/* Decimal text as mantissa * 10^exp, when it fits; for exact multipleOf. */
static bool decimal(const struct fb_node *n, uint64_t *mant, int *exp, bool *neg)
{
	const char *s = n->str;
	size_t i = 0, len = n->len;
	int digits = 0, e = 0;
	uint64_t m = 0;
	bool seen = false, dot = false;

	*neg = false;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		*neg = s[i++] == '-';
	for (; i < len; i++) {
		if (s[i] == '.' && !dot) {
			dot = true;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			break;
		seen = true;
		if (m == 0 && s[i] == '0') {
			if (dot)
				e--;
			continue;
		}
		if (++digits > 18)
			return false;
		m = m * 10 + (uint64_t)(s[i] - '0');
		if (dot)
			e--;
	}
	if (!seen)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		char *end;
		long x = strtol(s + i + 1, &end, 10);
		if (end != s + len || x > 400 || x < -400)
			return false;
		e += (int)x;
		i = len;
	}
	if (i != len)
		return false;
	*mant = m;
	*exp = e;
	return true;
}

static bool multiple_of(const struct fb_node *value, const struct fb_node *by)
{
	uint64_t mv, mb;
	int ev, eb;
	bool nv, nb;
	double q;

	if (decimal(value, &mv, &ev, &nv) && decimal(by, &mb, &eb, &nb) && mb) {
		/* scale both to the smaller exponent, exactly, in 128 bits */
		unsigned __int128 a = mv, b = mb;
		int e = ev < eb ? ev : eb, k;
		bool fits = true;
		for (k = ev; k > e && fits; k--)
			fits = a <= ((unsigned __int128)-1) / 10 && (a *= 10, true);
		for (k = eb; k > e && fits; k--)
			fits = b <= ((unsigned __int128)-1) / 10 && (b *= 10, true);
		if (fits)
			return a % b == 0;
	}
	q = value->num / by->num;
	return isfinite(q) && q == floor(q);
}

/* A hash of a JSON value: numbers by value, objects regardless of key order. */
static uint64_t value_hash(const struct fb_node *n)
{
	uint64_t h = 1469598103934665603ULL;
	uint32_t i;
	size_t k;
	switch (n->type) {
	case FB_NODE_INT:
	case FB_NODE_FLOAT: {
		double d = n->num == 0 ? 0 : n->num;
		memcpy(&h, &d, sizeof(h));
		return h * 0x9E3779B97F4A7C15ULL;
	}
	case FB_NODE_STR:
		for (k = 0; k < n->len; k++)
			h = (h ^ (unsigned char)n->str[k]) * 1099511628211ULL;
		return h;
	case FB_NODE_SEQ:
		for (i = 0; i < n->n; i++)
			h = (h ^ value_hash(n->kids[i])) * 1099511628211ULL;
		return h + 1;
	case FB_NODE_MAP: {
		uint64_t sum = 7;
		for (i = 0; i < n->n; i++) {
			uint64_t kh = 1469598103934665603ULL;
			for (k = 0; k < n->kids[i]->key->len; k++)
				kh = (kh ^ (unsigned char)n->kids[i]->key->str[k]) * 1099511628211ULL;
			sum += kh * 31 + value_hash(n->kids[i]);
		}
		return sum;
	}
	default:
		return (uint64_t)n->type * 977 + (uint64_t)n->num;
	}
}

struct hashed {
	uint64_t h;
	uint32_t i;
};

static int cmp_hashed(const void *pa, const void *pb)
{
	const struct hashed *a = pa, *b = pb;
	if (a->h != b->h)
		return a->h < b->h ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

static void check_unique_items(const struct fb_node *n, struct vctx *v, bool masked)
{
	struct hashed *hv = fb_malloc((n->n ? n->n : 1) * sizeof(*hv));
	uint32_t i, j;

	for (i = 0; i < n->n; i++) {
		hv[i].h = value_hash(n->kids[i]);
		hv[i].i = i;
	}
	qsort(hv, n->n, sizeof(*hv), cmp_hashed);
	for (i = 1; i < n->n; i++) {
		for (j = i; j-- > 0 && hv[j].h == hv[i].h;) {
			const struct fb_node *a = n->kids[hv[j].i], *b = n->kids[hv[i].i];
			if (fb_node_equal(a, b)) {
				size_t len = v->path->len;
				push_index(v, hv[i].i);
				verr(v, b, "uniqueItems", b, masked, "no repeated items",
				     "repeats item %u (items must be unique)", hv[j].i);
				fb_buf_setlen(v->path, len);
				break;
			}
		}
	}
	free(hv);
}

static void check_string(const struct fb_schema *s, const struct fb_node *n, struct vctx *v,
			 bool masked)
{
	struct fb_buf exp = FB_BUF_INIT, why = FB_BUF_INIT;
	size_t count = (s->min_len != ABSENT || s->max_len != ABSENT) ? fb_utf8_count(n->str, n->len)
								       : 0;
	char lim[64];
	bool phone_bad;

	if (s->min_len != ABSENT && (int64_t)count < s->min_len) {
		snprintf(lim, sizeof(lim), "at least %lld character%s", (long long)s->min_len,
			 s->min_len == 1 ? "" : "s");
		if (count == 0)
			verr(v, n, "minLength", n, masked, lim, "must not be empty");
		else
			verr(v, n, "minLength", n, masked, lim, "too short: %zu character%s, %s",
			     count, count == 1 ? "" : "s", lim);
	}
	if (s->max_len != ABSENT && (int64_t)count > s->max_len) {
		snprintf(lim, sizeof(lim), "at most %lld character%s", (long long)s->max_len,
			 s->max_len == 1 ? "" : "s");
		verr(v, n, "maxLength", n, masked, lim, "too long: %zu characters, %s", count, lim);
	}
	/* a phone that is no phone: one error, the specific one (below), not the pattern too */
	phone_bad = (s->xflags & FB_X_PHONE) && !phone_ok(n, v->scratch);
	if (s->pattern && !phone_bad) {
		int m = fb_regex_match(s->pattern, n->str, n->len);
		if (m != 1)
			fb_buf_addf(&exp, "a match for %s", s->pattern_node->str);
		if (m == FB_ELIMIT) {
			verr(v, n, "pattern", n, masked, exp.ptr,
			     "the pattern %s is too expensive to match on this value",
			     s->pattern_node->str);
		} else if (m == 0) {
			struct fb_buf shown = FB_BUF_INIT, pat = FB_BUF_INIT;
			show_value(&shown, n, masked, true, v->o->show_confidential);
			fb_diag_shorten(&pat, s->pattern_node->str, s->pattern_node->len, 50);
			verr(v, n, "pattern", n, masked, exp.ptr, "%s does not match the pattern %s",
			     shown.ptr, pat.ptr);
			fb_buf_release(&shown);
			fb_buf_release(&pat);
		}
	}
	if (s->format == FMT_DATE && !iso_date_ok(n, &exp)) {
		fb_buf_reset(&why);
		show_value(&why, n, masked, true, v->o->show_confidential);
		verr(v, n, "format", n, masked, "an ISO date (YYYY-MM-DD)", "%s %s", why.ptr,
		     exp.ptr);
	}
	if (s->format == FMT_EMAIL && !email_ok(n)) {
		fb_buf_reset(&why);
		show_value(&why, n, masked, true, v->o->show_confidential);
		verr(v, n, "format", n, masked, "an e-mail address", "%s is not an e-mail address",
		     why.ptr);
	}
	if (s->xflags & FB_X_DATE) {
		int32_t day;
		fb_buf_reset(&exp);
		if (fb_date_parse(n->str, n->len, &day, NULL, &exp) < 0) {
			fb_buf_reset(&why);
			show_value(&why, n, masked, true, v->o->show_confidential);
			/* the reason quotes the date: not for a confidential field */
			verr(v, n, "x-date", n, masked,
			     "a date such as 1403/05/12, ۱۲ مرداد ۱۴۰۳ or 2024-08-02",
			     "%s is not a date%s%s", why.ptr, masked ? "" : ": ",
			     masked ? "" : exp.ptr);
		}
	}
	if (phone_bad) {
		fb_buf_reset(&why);
		show_value(&why, n, masked, true, v->o->show_confidential);
		verr(v, n, "x-phone", n, masked, "11 digits starting with 0 (or +98)",
		     "%s is not an Iranian phone number (11 digits starting with 0, or +98)",
		     why.ptr);
	}
	if (s->xref && v->collect && v->o->xr)
		collect_ref(v, s->xref, n, masked);
	if (s->xin_field && v->collect && v->o->xr)
		collect_item_of(v, s, n, masked);
	fb_buf_release(&exp);
	fb_buf_release(&why);
}

static void check_number(const struct fb_schema *s, const struct fb_node *n, struct vctx *v,
			 bool masked)
{
	char lim[80];
	if (s->minimum && n->num < s->minimum->num) {
		snprintf(lim, sizeof(lim), "at least %s", s->minimum->str);
		verr(v, n, "minimum", n, masked, lim, "%s is less than the minimum %s",
		     masked ? "***" : n->str, s->minimum->str);
	}
	if (s->maximum && n->num > s->maximum->num) {
		snprintf(lim, sizeof(lim), "at most %s", s->maximum->str);
		verr(v, n, "maximum", n, masked, lim, "%s is greater than the maximum %s",
		     masked ? "***" : n->str, s->maximum->str);
	}
	if (s->xminimum && n->num <= s->xminimum->num) {
		snprintf(lim, sizeof(lim), "more than %s", s->xminimum->str);
		verr(v, n, "exclusiveMinimum", n, masked, lim, "%s must be more than %s",
		     masked ? "***" : n->str, s->xminimum->str);
	}
	if (s->xmaximum && n->num >= s->xmaximum->num) {
		snprintf(lim, sizeof(lim), "less than %s", s->xmaximum->str);
		verr(v, n, "exclusiveMaximum", n, masked, lim, "%s must be less than %s",
		     masked ? "***" : n->str, s->xmaximum->str);
	}
	if (s->multiple_of && !multiple_of(n, s->multiple_of)) {
		snprintf(lim, sizeof(lim), "a multiple of %s", s->multiple_of->str);
		verr(v, n, "multipleOf", n, masked, lim, "%s is not a multiple of %s",
		     masked ? "***" : n->str, s->multiple_of->str);
	}
}

/* Run `s` on `n` against a scratch list; returns the number of errors. */
static size_t trial(const struct fb_schema *s, const struct fb_node *n, struct vctx *v, bool masked,
		    struct fb_diag *scratch, size_t *shallow)
{
	struct vctx t = *v;
	t.d = scratch;
	t.collect = false;
	t.start_path = v->path->len;
	t.shallow = 0;
	validate(s, n, &t, masked);
	if (shallow)
		*shallow = t.shallow;
	return scratch->errors;
}

static void check_array(const struct fb_schema *s, const struct fb_node *n, struct vctx *v,
			bool masked)
{
	size_t base = v->path->len;
	uint32_t i;
	char lim[64];

	for (i = 0; i < n->n; i++) {
		const struct fb_schema *is = i < s->nprefix ? s->prefix[i] : s->items;
		if (!is)
			continue;
		push_index(v, i);
		validate(is, n->kids[i], v, masked);
		fb_buf_setlen(v->path, base);
	}
	if (s->min_items != ABSENT && n->n < s->min_items) {
		snprintf(lim, sizeof(lim), "at least %lld item%s", (long long)s->min_items,
			 s->min_items == 1 ? "" : "s");
		verr(v, n, "minItems", NULL, masked, lim, "has %u item%s; %s", n->n,
		     n->n == 1 ? "" : "s", lim);
	}
	if (s->max_items != ABSENT && n->n > s->max_items) {
		snprintf(lim, sizeof(lim), "at most %lld item%s", (long long)s->max_items,
			 s->max_items == 1 ? "" : "s");
		verr(v, n, "maxItems", NULL, masked, lim, "has %u items; %s", n->n, lim);
	}
	if (s->unique_items && n->n > 1)
		check_unique_items(n, v, masked);
	if (s->contains) {
		int64_t matches = 0;
		for (i = 0; i < n->n; i++) {
			struct fb_diag scratch = FB_DIAG_INIT;
			push_index(v, i);
			if (trial(s->contains, n->kids[i], v, masked, &scratch, NULL) == 0)
				matches++;
			fb_buf_setlen(v->path, base);
			fb_diag_release(&scratch);
		}
		if (matches < s->min_contains) {
			snprintf(lim, sizeof(lim), "at least %lld matching item%s",
				 (long long)s->min_contains, s->min_contains == 1 ? "" : "s");
			verr(v, n, s->min_contains == 1 ? "contains" : "minContains", NULL, masked, lim,
			     "%lld item%s 'contains'; %s", (long long)matches,
			     matches == 1 ? " matches" : "s match", lim);
		}
		if (s->max_contains != ABSENT && matches > s->max_contains) {
			snprintf(lim, sizeof(lim), "at most %lld matching item%s",
				 (long long)s->max_contains, s->max_contains == 1 ? "" : "s");
			verr(v, n, "maxContains", NULL, masked, lim, "%lld items match 'contains'; %s",
			     (long long)matches, lim);
		}
	}
}

static bool has_key(const struct fb_node *map, const char *s, size_t len)
{
	uint32_t i;
	for (i = 0; i < map->n; i++)
		if (map->kids[i]->key->len == len && !memcmp(map->kids[i]->key->str, s, len))
			return true;
	return false;
}

/* The edit distance between two short ASCII-ish names, for "did you mean". */
static size_t distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t row[64], i, j;
	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t prev = row[0], tmp;
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = a[i - 1] == b[j - 1] ? prev
				 : 1 + (prev < row[j] ? (prev < row[j - 1] ? prev : row[j - 1])
						      : (row[j] < row[j - 1] ? row[j] : row[j - 1]));
			prev = tmp;
		}
	}
	return row[lb];
}

static void unknown_field(const struct fb_schema *s, const struct fb_node *c, struct vctx *v,
			  bool masked)
{
	const struct fb_node *k = c->key;
	const char *best = NULL;
	size_t bestd = 3, i;
	struct fb_buf shown = FB_BUF_INIT, expected = FB_BUF_INIT;

	for (i = 0; i < s->nprops; i++) {
		size_t d = distance(k->str, k->len, s->props[i].name, s->props[i].len);
		if (d < bestd && d < k->len) {
			bestd = d;
			best = s->props[i].name;
		}
		fb_buf_addf(&expected, "%s%s", i ? ", " : "", s->props[i].name);
	}
	fb_diag_shorten(&shown, k->str, k->len, 40);
	if (best)
		verr(v, k, "additionalProperties", NULL, masked, expected.ptr,
		     "unknown field '%s' (did you mean '%s'?)", shown.ptr, best);
	else if (s->nprops)
		verr(v, k, "additionalProperties", NULL, masked, expected.ptr,
		     "unknown field '%s' (the fields are: %s)", shown.ptr, expected.ptr);
	else
		verr(v, k, "additionalProperties", NULL, masked, NULL, "unknown field '%s'",
		     shown.ptr);
	fb_buf_release(&shown);
	fb_buf_release(&expected);
}

static void check_object(const struct fb_schema *s, const struct fb_node *n, struct vctx *v,
			 bool masked)
{
	size_t base = v->path->len;
	uint32_t i, j, hint = 0;
	bool seen_small[64], *seen = s->nprops <= 64 ? seen_small
						   : fb_calloc(s->nprops, sizeof(*seen));
	char lim[64];

	memset(seen, 0, (s->nprops <= 64 ? 64 : s->nprops) * sizeof(*seen));
	for (i = 0; i < n->n; i++) {
		const struct fb_node *c = n->kids[i], *k = c->key;
		int32_t p = find_prop(s, k->str, k->len, &hint);
		bool matched = p >= 0;
		push_key(v, k->str, k->len);
		if (p >= 0) {
			seen[p] = true;
			validate(s->props[p].s, c, v, masked);
		}
		for (j = 0; j < s->npprops; j++) {
			int m = s->pprops[j].re ? fb_regex_match(s->pprops[j].re, k->str, k->len) : 0;
			if (m == 1) {
				validate(s->pprops[j].s, c, v, masked);
				matched = true;
			}
		}
		if (!matched && s->additional) {
			if (s->additional->is_bool && !s->additional->bool_value)
				unknown_field(s, c, v, masked);
			else
				validate(s->additional, c, v, masked);
		}
		if (s->property_names) {
			struct fb_node name = *k;
			name.type = FB_NODE_STR;
			validate(s->property_names, &name, v, masked);
		}
		fb_buf_setlen(v->path, base);
	}
	if (s->required)
		for (i = 0; i < s->required->n; i++) {
			const struct fb_node *r = s->required->kids[i];
			int32_t p = s->required_prop[i];
			if (p >= 0 ? seen[p] : has_key(n, r->str, r->len))
				continue;
			push_key(v, r->str, r->len);
			verr(v, n, "required", NULL, masked, r->str, "required field '%s' is missing",
			     r->str);
			fb_buf_setlen(v->path, base);
		}
	if (seen != seen_small)
		free(seen);
	if (s->min_props != ABSENT && n->n < s->min_props) {
		snprintf(lim, sizeof(lim), "at least %lld field%s", (long long)s->min_props,
			 s->min_props == 1 ? "" : "s");
		verr(v, n, "minProperties", NULL, masked, lim, "has %u field%s; %s", n->n,
		     n->n == 1 ? "" : "s", lim);
	}
	if (s->max_props != ABSENT && n->n > s->max_props) {
		snprintf(lim, sizeof(lim), "at most %lld field%s", (long long)s->max_props,
			 s->max_props == 1 ? "" : "s");
		verr(v, n, "maxProperties", NULL, masked, lim, "has %u fields; %s", n->n, lim);
	}
	if (s->dep_required)
		for (i = 0; i < s->dep_required->n; i++) {
			const struct fb_node *dep = s->dep_required->kids[i];
			if (!has_key(n, dep->key->str, dep->key->len))
				continue;
			for (j = 0; j < dep->n; j++) {
				const struct fb_node *r = dep->kids[j];
				if (has_key(n, r->str, r->len))
					continue;
				push_key(v, r->str, r->len);
				verr(v, n, "dependentRequired", NULL, masked, r->str,
				     "field '%s' is required when '%s' is present", r->str,
				     dep->key->str);
				fb_buf_setlen(v->path, base);
			}
		}
	for (i = 0; i < s->ndeps_schema; i++)
		if (has_key(n, s->deps_schema[i].name, s->deps_schema[i].len))
			validate(s->deps_schema[i].s, n, v, masked);
}

/* How many of an object's fields an alternative has properties for. */
static size_t known_fields(const struct fb_schema *alt, const struct fb_node *n)
{
	const struct fb_schema *holder = props_holder(alt);
	size_t known = 0;
	uint32_t i, j;
	if (n->type != FB_NODE_MAP || !holder)
		return 0;
	for (i = 0; i < n->n; i++)
		for (j = 0; j < holder->nprops; j++)
			if (holder->props[j].len == n->kids[i]->key->len &&
			    !memcmp(holder->props[j].name, n->kids[i]->key->str, holder->props[j].len))
				known++;
	return known;
}

/* Append a note to the messages of entries [from, to) of a list. */
static void annotate(struct fb_diag *d, size_t from, const char *note)
{
	size_t i;
	for (i = from; i < d->n; i++) {
		struct fb_buf m = FB_BUF_INIT;
		fb_buf_addf(&m, "%s %s", d->v[i].message, note);
		free(d->v[i].message);
		d->v[i].message = fb_buf_detach(&m, NULL);
	}
}

/* anyOf (one_only false) or oneOf (true). */
static void check_alternatives(struct fb_schema **alts, uint32_t count, bool one_only,
			       const struct fb_node *n, struct vctx *v, bool masked)
{
	struct fb_diag *lists = fb_calloc(count, sizeof(*lists));
	size_t best = 0, best_shallow = SIZE_MAX, best_errors = SIZE_MAX, first_ok = SIZE_MAX;
	size_t best_known = 0;
	uint32_t i, passed = 0;
	struct fb_buf which = FB_BUF_INIT;

	/*
	 * The closest alternative: fewest errors about the value itself (a wrong
	 * type, say), then the one that knows most of its fields, then fewest
	 * errors in all.
	 */
	for (i = 0; i < count; i++) {
		size_t shallow, errors = trial(alts[i], n, v, masked, &lists[i], &shallow);
		size_t known = known_fields(alts[i], n);
		if (errors == 0) {
			passed++;
			fb_buf_addf(&which, "%s#%u", passed > 1 ? ", " : "", i + 1);
			if (first_ok == SIZE_MAX)
				first_ok = i;
			if (!one_only)
				break;
		} else if (shallow < best_shallow ||
			   (shallow == best_shallow &&
			    (known > best_known || (known == best_known && errors < best_errors)))) {
			best = i;
			best_shallow = shallow;
			best_errors = errors;
			best_known = known;
		}
	}
	if (passed == 0) {
		char note[96];
		size_t from = v->d->n;
		snprintf(note, sizeof(note), "(%s: none of the %u alternatives fits; the closest is #%zu)",
			 one_only ? "oneOf" : "anyOf", count, best + 1);
		fb_diag_splice(v->d, &lists[best]);
		annotate(v->d, from, note);
		if (v->path->len == v->start_path)
			v->shallow += best_shallow;
	} else if (one_only && passed > 1) {
		verr(v, n, "oneOf", NULL, masked, "exactly one alternative",
		     "fits %u of the alternatives (%s); oneOf needs exactly one", passed, which.ptr);
	} else if (v->collect && v->o->xr) {
		/* run the fitting alternative for real, so its x-ref/x-unique are seen */
		validate(alts[first_ok], n, v, masked);
	}
	for (i = 0; i < count; i++)
		fb_diag_release(&lists[i]);
	free(lists);
	fb_buf_release(&which);
}

/* `n` matched the schema under `not`: say what it is and what it must not match. */
static void not_error(const struct fb_schema *not_, const struct fb_node *n, struct vctx *v,
		      bool masked)
{
	struct fb_buf json = FB_BUF_INIT, got = FB_BUF_INIT, want = FB_BUF_INIT;
	fb_node_to_json(&json, not_->node, -1, NULL, NULL);
	fb_buf_puts(&want, "not ");
	fb_diag_shorten(&want, json.ptr, json.len, 60);
	show_value(&got, n, masked, true, v->o->show_confidential);
	verr(v, n, "not", n, masked, want.ptr, "%s must not match %s (not)", got.ptr, want.ptr + 4);
	fb_buf_release(&json);
	fb_buf_release(&got);
	fb_buf_release(&want);
}

static void validate(const struct fb_schema *s, const struct fb_node *n, struct vctx *v,
		     bool masked)
{
	unsigned bit;
	bool type_ok = true;
	uint32_t i;

	if (!s || s->too_costly)
		return;
	if (++*v->steps > MAX_RECORD_STEPS) {
		if (*v->steps == MAX_RECORD_STEPS + 1) /* said once, in the record's own list */
			fb_diag_addf(v->top, FB_SEV_ERROR, v->o->file, 1, 1,
				     "checking stopped after %u steps: the schema asks too much of "
				     "each of this record's values; errors past this point are not "
				     "reported",
				     MAX_RECORD_STEPS);
		return;
	}
	if (s->is_bool) {
		if (!s->bool_value)
			verr(v, n, "false", n, masked, NULL, "not allowed here (the schema says false)");
		return;
	}
	if (++v->depth > MAX_DEPTH) {
		verr(v, n, "$ref", NULL, masked, NULL,
		     "the schema nests deeper than %d levels here; is a $ref looping?", MAX_DEPTH);
		v->depth--;
		return;
	}
	/* a scalar where a list or mapping with confidential parts belongs is masked whole */
	if (!v->o->show_confidential && ((s->xflags & FB_X_CONFIDENTIAL) ||
					 (fb_node_is_scalar(n) && (s->xbelow & FB_X_CONFIDENTIAL))))
		masked = true;
	bit = type_bit(n);
	if (s->types && !type_allows(s->types, bit)) {
		static const enum fb_node_type as_node[] = {FB_NODE_NULL, FB_NODE_BOOL, FB_NODE_INT,
							    FB_NODE_FLOAT, FB_NODE_STR, FB_NODE_SEQ,
							    FB_NODE_MAP};
		struct fb_buf want = FB_BUF_INIT, got = FB_BUF_INIT;
		size_t k;
		for (k = 0; k < FB_ARRAY_SIZE(type_names); k++)
			if (s->types & (1 << k))
				fb_buf_addf(&want, "%s%s", want.len ? " or " : "",
					    fb_node_type_phrase(as_node[k]));
		show_value(&got, n, masked, true, v->o->show_confidential);
		if (n->type == FB_NODE_NULL && n->len == 0)
			verr(v, n, "type", n, masked, want.ptr, "is empty; expected %s", want.ptr);
		else
			verr(v, n, "type", n, masked, want.ptr, "expected %s, not %s (%s)", want.ptr,
			     fb_node_type_phrase(n->type), got.ptr);
		type_ok = false;
		fb_buf_release(&want);
		fb_buf_release(&got);
	}
	if (type_ok && s->enum_) {
		for (i = 0; i < s->enum_->n; i++)
			if (fb_node_equal(n, s->enum_->kids[i]))
				break;
		if (i == s->enum_->n) {
			struct fb_buf list = FB_BUF_INIT, all = FB_BUF_INIT, got = FB_BUF_INIT;
			const struct fb_node *near = n->type == FB_NODE_STR ? folded_match(s->enum_, n) : NULL;
			list_values(&list, s->enum_, 100);
			list_values(&all, s->enum_, 0);
			show_value(&got, n, masked, true, v->o->show_confidential);
			if (near && !masked)
				verr(v, n, "enum", n, masked, all.ptr,
				     "%s is not one of the allowed values; did you mean '%s'? (only "
				     "case or letter forms differ)",
				     got.ptr, near->str);
			else
				verr(v, n, "enum", n, masked, all.ptr, "%s is not one of %s", got.ptr,
				     list.ptr);
			fb_buf_release(&list);
			fb_buf_release(&all);
			fb_buf_release(&got);
		}
	}
	if (type_ok && s->const_ && !fb_node_equal(n, s->const_)) {
		struct fb_buf want = FB_BUF_INIT;
		show_value(&want, s->const_, false, true, false);
		if (type_bit(n) != type_bit(s->const_) && !masked) {
			struct fb_buf got = FB_BUF_INIT;
			show_value(&got, n, false, true, v->o->show_confidential);
			verr(v, n, "const", n, masked, want.ptr, "must be %s (%s), not %s (%s)",
			     want.ptr, fb_node_type_phrase(s->const_->type), got.ptr,
			     fb_node_type_phrase(n->type));
			fb_buf_release(&got);
		} else {
			verr(v, n, "const", n, masked, want.ptr, "must be %s", want.ptr);
		}
		fb_buf_release(&want);
	}
	if (n->type == FB_NODE_STR)
		check_string(s, n, v, masked);
	else if (n->type == FB_NODE_INT || n->type == FB_NODE_FLOAT)
		check_number(s, n, v, masked);
	else if (n->type == FB_NODE_SEQ)
		check_array(s, n, v, masked);
	else if (n->type == FB_NODE_MAP)
		check_object(s, n, v, masked);

	if ((s->xflags & FB_X_UNIQUE) && v->collect && v->o->xr) {
		bool phone = fb_schema_xflags(s) & FB_X_PHONE;
		if (n->type == FB_NODE_SEQ) {
			size_t base = v->path->len;
			for (i = 0; i < n->n; i++) {
				push_index(v, i);
				collect_unique(v, s, n->kids[i],
					       phone || (fb_schema_xflags(fb_schema_item(s, i)) &
							 FB_X_PHONE),
					       masked);
				fb_buf_setlen(v->path, base);
			}
		} else {
			collect_unique(v, s, n, phone, masked);
		}
	}
	validate(s->ref, n, v, masked);
	for (i = 0; i < s->nall; i++)
		validate(s->all_of[i], n, v, masked);
	if (s->nany)
		check_alternatives(s->any_of, s->nany, false, n, v, masked);
	if (s->none)
		check_alternatives(s->one_of, s->none, true, n, v, masked);
	if (s->not_) {
		struct fb_diag scratch = FB_DIAG_INIT;
		if (trial(s->not_, n, v, masked, &scratch, NULL) == 0)
			not_error(s->not_, n, v, masked);
		fb_diag_release(&scratch);
	}
	if (s->if_) {
		struct fb_diag scratch = FB_DIAG_INIT;
		bool cond = trial(s->if_, n, v, masked, &scratch, NULL) == 0;
		fb_diag_release(&scratch);
		validate(cond ? s->then_ : s->else_, n, v, masked);
	}
	v->depth--;
}

int fb_schema_validate(const struct fb_schema *s, const struct fb_node *instance,
		       const struct fb_validate_opts *o, struct fb_diag *d)
{
	struct fb_buf path = FB_BUF_INIT, scratch = FB_BUF_INIT;
	size_t steps = 0;
	struct vctx v = {o, d, &path, 0, true, 0, 0, &scratch, &steps, d};
	size_t before = d->errors;

	validate(s, instance, &v, false);
	fb_buf_release(&path);
	fb_buf_release(&scratch);
	return d->errors > before ? FB_EINVALID : 0;
}

/* ---- across records ------------------------------------------------------------------ */

struct fb_crossref *fb_crossref_new(void)
{
	return fb_calloc(1, sizeof(struct fb_crossref));
}

void fb_crossref_free(struct fb_crossref *xr)
{
	if (!xr)
		return;
	free(xr->refs);
	free(xr->keys);
	fb_arena_release(&xr->arena);
	free(xr);
}

void fb_crossref_merge(struct fb_crossref *dst, struct fb_crossref *src)
{
	size_t i;
	for (i = 0; i < src->nrefs; i++) {
		FB_GROW(dst->refs, dst->nrefs, dst->refs_alloc);
		dst->refs[dst->nrefs++] = src->refs[i];
	}
	for (i = 0; i < src->nkeys; i++) {
		FB_GROW(dst->keys, dst->nkeys, dst->keys_alloc);
		dst->keys[dst->nkeys++] = src->keys[i];
	}
	fb_arena_adopt(&dst->arena, &src->arena);
	src->nrefs = src->nkeys = 0;
	src->last_file = src->last_type = NULL;
}

struct fb_crossref_pack {
	size_t nrefs, nkeys;
	struct xref_item *refs;
	struct uniq_item *keys;
	char *strings; /* every string of the items, back to back */
};

static const char *pack_str(char **to, const char *s, size_t len)
{
	char *p = *to;
	memcpy(p, s, len);
	p[len] = '\0';
	*to += len + 1;
	return p;
}

struct fb_crossref_pack *fb_crossref_pack(struct fb_crossref *xr)
{
	struct fb_crossref_pack *p;
	size_t i, size = 0;
	char *to;

	if (!xr->nrefs && !xr->nkeys) {
		fb_crossref_clear(xr);
		return NULL;
	}
	for (i = 0; i < xr->nrefs; i++)
		size += xr->refs[i].len + strlen(xr->refs[i].file) + strlen(xr->refs[i].path) + 3 +
			(xr->refs[i].owner ? strlen(xr->refs[i].owner) + 1 : 0);
	for (i = 0; i < xr->nkeys; i++)
		size += xr->keys[i].klen + xr->keys[i].vlen + strlen(xr->keys[i].rtype) +
			strlen(xr->keys[i].file) + strlen(xr->keys[i].path) + 5;
	p = fb_malloc(sizeof(*p) + xr->nrefs * sizeof(*p->refs) + xr->nkeys * sizeof(*p->keys) +
		      size);
	p->nrefs = xr->nrefs;
	p->nkeys = xr->nkeys;
	p->refs = (struct xref_item *)(p + 1);
	p->keys = (struct uniq_item *)(p->refs + p->nrefs);
	p->strings = to = (char *)(p->keys + p->nkeys);
	for (i = 0; i < xr->nrefs; i++) {
		struct xref_item *it = &p->refs[i];
		*it = xr->refs[i]; /* the type is the schema's */
		it->value = pack_str(&to, it->value, it->len);
		it->file = pack_str(&to, it->file, strlen(it->file));
		it->path = pack_str(&to, it->path, strlen(it->path));
		if (it->owner) /* the field and list are the schema's */
			it->owner = pack_str(&to, it->owner, strlen(it->owner));
	}
	for (i = 0; i < xr->nkeys; i++) {
		struct uniq_item *it = &p->keys[i];
		*it = xr->keys[i]; /* the group is the schema's */
		it->key = pack_str(&to, it->key, it->klen);
		it->value = pack_str(&to, it->value, it->vlen);
		it->rtype = pack_str(&to, it->rtype, strlen(it->rtype));
		it->file = pack_str(&to, it->file, strlen(it->file));
		it->path = pack_str(&to, it->path, strlen(it->path));
	}
	fb_crossref_clear(xr);
	return p;
}

void fb_crossref_clear(struct fb_crossref *xr)
{
	xr->nrefs = xr->nkeys = 0;
	fb_arena_release(&xr->arena);
	xr->last_file = xr->last_type = NULL;
}

void fb_crossref_add_pack(struct fb_crossref *dst, const struct fb_crossref_pack *p, uint64_t order)
{
	size_t i;
	if (!p)
		return;
	for (i = 0; i < p->nrefs; i++) {
		FB_GROW(dst->refs, dst->nrefs, dst->refs_alloc);
		dst->refs[dst->nrefs++] = p->refs[i];
	}
	for (i = 0; i < p->nkeys; i++) {
		struct uniq_item *it;
		FB_GROW(dst->keys, dst->nkeys, dst->keys_alloc);
		it = &dst->keys[dst->nkeys++];
		*it = p->keys[i];
		it->order = order;
	}
}

static int cmp_key(const void *pa, const void *pb)
{
	const struct uniq_item *a = pa, *b = pb;
	size_t n;
	int c;
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	n = a->klen < b->klen ? a->klen : b->klen;
	if ((c = memcmp(a->key, b->key, n)))
		return c;
	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	/* unique within a type: one definition shared by two types is two groups */
	if ((c = strcmp(a->rtype, b->rtype)))
		return c;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return a->within < b->within ? -1 : a->within > b->within;
}

/* An x-item-of value that is no item of its record's list; `items` NULL: none there. */
static void item_of_error(const struct xref_item *r, const struct fb_strvec *items,
			  struct fb_diag *d)
{
	struct fb_buf shown = FB_BUF_INIT, list = FB_BUF_INIT, want = FB_BUF_INIT;
	size_t i;

	if (r->masked)
		fb_buf_puts(&shown, "***");
	else
		fb_diag_shorten(&shown, r->value, r->len, 40);
	for (i = 0; items && i < items->n && list.len < 400; i++)
		fb_buf_addf(&list, "%s%s", i ? ", " : "", items->v[i]);
	if (items && i < items->n)
		fb_buf_addf(&list, ", ... (%zu in all)", items->n);
	fb_buf_addf(&want, "one of the %s of %s '%s'", r->list, r->field, r->owner);
	fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, r->file, r->line, r->col,
				 "%s: '%s' is not one of the %s of %s '%s' (%s)",
				 r->path[0] ? r->path : "/", shown.ptr, r->list, r->field, r->owner,
				 list.len ? list.ptr : "it lists none"),
		    r->path, "x-item-of", shown.ptr, want.ptr);
	fb_buf_release(&shown);
	fb_buf_release(&list);
	fb_buf_release(&want);
}

void fb_crossref_check(struct fb_crossref *xr, fb_record_exists_fn *exists,
		       fb_record_items_fn *items, void *ctx, struct fb_diag *d)
{
	struct fb_buf shown = FB_BUF_INIT;
	size_t i, j;

	for (i = 0; i < xr->nrefs; i++) {
		const struct xref_item *r = &xr->refs[i];
		struct fb_buf want = FB_BUF_INIT;
		if (r->owner) {
			const struct fb_strvec *have;
			if (!items || !exists(r->type, r->owner, ctx) ||
			    !(have = items(r->type, r->owner, r->list, ctx)))
				continue; /* no such record, or unreadable: told elsewhere */
			if (strlen(r->value) != r->len || !fb_strvec_has(have, r->value))
				item_of_error(r, have, d);
			continue;
		}
		/* an id has no NUL in it: "c-0001\0-old" names no record */
		if (strlen(r->value) == r->len && exists(r->type, r->value, ctx))
			continue;
		fb_buf_reset(&shown);
		if (r->masked)
			fb_buf_puts(&shown, "***");
		else
			fb_diag_shorten(&shown, r->value, r->len, 40);
		fb_buf_addf(&want, "the id of a %s record", r->type);
		fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, r->file, r->line, r->col,
					 "%s: no %s record '%s' (deleted or renamed? x-ref: %s)",
					 r->path[0] ? r->path : "/", r->type, shown.ptr, r->type),
			    r->path, "x-ref", shown.ptr, want.ptr);
		fb_buf_release(&want);
	}
	if (xr->nkeys > 1)
		qsort(xr->keys, xr->nkeys, sizeof(*xr->keys), cmp_key);
	for (i = 0; i < xr->nkeys; i = j) {
		const struct uniq_item *first = &xr->keys[i];
		for (j = i + 1; j < xr->nkeys && xr->keys[j].group == first->group &&
				!strcmp(xr->keys[j].rtype, first->rtype) &&
				xr->keys[j].klen == first->klen &&
				!memcmp(xr->keys[j].key, first->key, first->klen);
		     j++) {
			const struct uniq_item *again = &xr->keys[j], *at, *other;
			if (!strcmp(again->file, first->file))
				continue; /* the same record twice is uniqueItems' business */
			/* at the later record; at the first when only it is being checked */
			at = again->report ? again : first->report ? first : NULL;
			if (!at)
				continue;
			other = at == again ? first : again;
			fb_buf_reset(&shown);
			if (at->masked)
				fb_buf_puts(&shown, "***");
			else
				fb_diag_shorten(&shown, at->value, at->vlen, 40);
			fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, at->file, at->line, at->col,
						 "%s: '%s' is already used by %s (%s); no two %s may "
						 "share it (x-unique)",
						 at->path, shown.ptr, other->file, other->path,
						 at->rtype[0] ? at->rtype : "records"),
				    at->path, "x-unique", shown.ptr, "a value no other record has");
		}
	}
	fb_buf_release(&shown);
}

/* ---- export -------------------------------------------------------------------------- */

/*
 * References to other files are copied into the exported document's $defs
 * under a name made from the file and the pointer (_common.yaml#/$defs/phone
 * becomes #/$defs/_common__phone).  A first pass finds every such target
 * (targets may refer to more); the second writes the document.
 */
struct bundle {
	struct fb_schemas *ss;
	const struct sfile *root;
	struct fb_strvec names;   /* bundled $defs names */
	struct fb_strvec targets; /* "file#fragment" of each */
};

static void bundle_name(struct fb_buf *out, const char *file, const char *frag)
{
	const char *dot = strrchr(file, '.');
	size_t i;
	fb_buf_add(out, file, dot ? (size_t)(dot - file) : strlen(file));
	if (!strncmp(frag, "/$defs/", 7))
		frag += 7;
	else if (!strncmp(frag, "/definitions/", 13))
		frag += 13;
	if (*frag)
		fb_buf_puts(out, "__");
	for (i = 0; frag[i]; i++)
		fb_buf_putc(out, frag[i] == '/' ? '_' : frag[i]);
}

/* What a $ref written in file `from` becomes in the export (and register its target). */
static void export_ref(struct bundle *b, const struct sfile *from, const char *ref,
		       struct fb_buf *out)
{
	const char *hash = strchr(ref, '#');
	struct fb_buf file = FB_BUF_INIT, name = FB_BUF_INIT, key = FB_BUF_INIT;
	const char *frag = hash ? hash + 1 : "";
	const char *fname;

	fb_buf_add(&file, ref, hash ? (size_t)(hash - ref) : strlen(ref));
	fname = file.len ? (!strncmp(file.ptr, "./", 2) ? file.ptr + 2 : file.ptr) : from->base;
	if (!strcmp(fname, b->root->base)) {
		fb_buf_addf(out, "#%s", frag);
	} else {
		bundle_name(&name, fname, frag);
		fb_buf_addf(&key, "%s#%s", fname, frag);
		if (!fb_strvec_has(&b->targets, key.ptr)) {
			fb_strvec_push(&b->targets, key.ptr);
			fb_strvec_push(&b->names, name.ptr);
		}
		fb_buf_addf(out, "#/$defs/%s", name.ptr);
	}
	fb_buf_release(&file);
	fb_buf_release(&name);
	fb_buf_release(&key);
}

static const struct fb_node *bundle_target(struct bundle *b, size_t i, const struct sfile **f)
{
	const char *key = b->targets.v[i], *hash = strchr(key, '#');
	char *fname = fb_strndup(key, (size_t)(hash - key));
	*f = find_file(b->ss, fname);
	free(fname);
	return *f ? follow_pointer((*f)->root, hash + 1) : NULL;
}

static void collect_refs(struct bundle *b, const struct sfile *from, const struct fb_node *n)
{
	uint32_t i;
	for (i = 0; i < n->n; i++) {
		const struct fb_node *c = n->kids[i];
		if (c->key && key_is(c->key, "$ref") && c->type == FB_NODE_STR) {
			struct fb_buf ignore = FB_BUF_INIT;
			export_ref(b, from, c->str, &ignore);
			fb_buf_release(&ignore);
		} else if (!fb_node_is_scalar(c)) {
			collect_refs(b, from, c);
		}
	}
}

static void newline_indent(struct fb_buf *out, int indent)
{
	fb_buf_putc(out, '\n');
	fb_buf_addch(out, ' ', (size_t)indent * 2);
}

static void export_node(struct bundle *b, const struct sfile *from, const struct fb_node *n,
			int indent, struct fb_buf *out);

/* The bundled definitions, as members of an object already open. */
static void export_bundled(struct bundle *b, int indent, struct fb_buf *out, bool first)
{
	size_t i;
	for (i = 0; i < b->targets.n; i++) {
		const struct sfile *f;
		const struct fb_node *target = bundle_target(b, i, &f);
		if (!first || i)
			fb_buf_putc(out, ',');
		newline_indent(out, indent);
		fb_buf_json_str(out, b->names.v[i], strlen(b->names.v[i]));
		fb_buf_puts(out, ": ");
		if (target)
			export_node(b, f, target, indent, out);
		else
			fb_buf_puts(out, "true");
	}
}

static void export_node(struct bundle *b, const struct sfile *from, const struct fb_node *n,
			int indent, struct fb_buf *out)
{
	bool is_root = n == b->root->root, saw_defs = false;
	uint32_t i;

	if (fb_node_is_scalar(n)) {
		fb_node_to_json(out, n, -1, NULL, NULL);
		return;
	}
	fb_buf_putc(out, n->type == FB_NODE_SEQ ? '[' : '{');
	for (i = 0; i < n->n; i++) {
		const struct fb_node *c = n->kids[i];
		if (i)
			fb_buf_putc(out, ',');
		newline_indent(out, indent + 1);
		if (c->key) {
			fb_buf_json_str(out, c->key->str, c->key->len);
			fb_buf_puts(out, ": ");
		}
		if (c->key && key_is(c->key, "$ref") && c->type == FB_NODE_STR) {
			struct fb_buf ref = FB_BUF_INIT;
			export_ref(b, from, c->str, &ref);
			fb_buf_json_str(out, ref.ptr, ref.len);
			fb_buf_release(&ref);
		} else if (is_root && c->key && key_is(c->key, "$defs") && c->type == FB_NODE_MAP) {
			uint32_t k;
			saw_defs = true;
			fb_buf_putc(out, '{');
			for (k = 0; k < c->n; k++) {
				if (k)
					fb_buf_putc(out, ',');
				newline_indent(out, indent + 2);
				fb_buf_json_str(out, c->kids[k]->key->str, c->kids[k]->key->len);
				fb_buf_puts(out, ": ");
				export_node(b, from, c->kids[k], indent + 2, out);
			}
			export_bundled(b, indent + 2, out, c->n == 0);
			newline_indent(out, indent + 1);
			fb_buf_putc(out, '}');
		} else {
			export_node(b, from, c, indent + 1, out);
		}
	}
	if (is_root && !saw_defs && b->targets.n) {
		if (n->n)
			fb_buf_putc(out, ',');
		newline_indent(out, indent + 1);
		fb_buf_puts(out, "\"$defs\": {");
		export_bundled(b, indent + 2, out, true);
		newline_indent(out, indent + 1);
		fb_buf_putc(out, '}');
	}
	if (n->n || (is_root && b->targets.n))
		newline_indent(out, indent);
	fb_buf_putc(out, n->type == FB_NODE_SEQ ? ']' : '}');
}

int fb_schemas_export(const struct fb_schemas *ss, const char *type, struct fb_buf *out,
		      struct fb_diag *d)
{
	struct bundle b = {(struct fb_schemas *)ss, NULL, {0}, {0}};
	size_t i;

	for (i = 0; i < ss->nfiles; i++)
		if (ss->files[i]->type && !strcmp(ss->files[i]->type, type))
			b.root = ss->files[i];
	if (!b.root) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "no schema for type '%s'", type);
		return FB_ENOTFOUND;
	}
	collect_refs(&b, b.root, b.root->root);
	for (i = 0; i < b.targets.n; i++) { /* grows as targets refer to more */
		const struct sfile *f;
		const struct fb_node *t = bundle_target(&b, i, &f);
		if (t)
			collect_refs(&b, f, t);
	}
	export_node(&b, b.root, b.root->root, 0, out);
	fb_buf_putc(out, '\n');
	fb_strvec_release(&b.names);
	fb_strvec_release(&b.targets);
	return 0;
}
