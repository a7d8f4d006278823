/*
 * Compiling schemas (see schema.h; the types are in schema_int.h).
 *
 * Compiling turns each schema node into a struct fb_schema once (a memo
 * keyed by node makes shared and recursive references cheap), checking the
 * shape of every keyword's value as it goes.  `$ref`s are queued while
 * compiling and resolved afterwards by JSON pointer, into the same file or
 * another file of the set; new targets are compiled and may queue more.
 * Then a depth-first search over the edges that re-read the same instance
 * ($ref, allOf, anyOf, oneOf, not, if/then/else, dependentSchemas) finds
 * reference cycles, which would otherwise loop forever on any input.
 * Everything compiled lives in the set's arena; regexes are also listed so
 * they can be freed.
 */
#include "schema_int.h"

/* ---- compiling ------------------------------------------------------------- */

void schema_error(struct fb_schemas *ss, const struct sfile *f, const struct fb_node *at,
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
		list[i] = schema_compile(ss, f, v->kids[i], false);
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
		(*out)[i].s = schema_compile(ss, f, v->kids[i], false);
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
			s->pprops[j].s = schema_compile(ss, f, v->kids[j], false);
		}
		s->npprops = v->n;
	} else if (!strcmp(kw, "additionalProperties")) {
		s->additional = schema_compile(ss, f, v, false);
	} else if (!strcmp(kw, "propertyNames")) {
		s->property_names = schema_compile(ss, f, v, false);
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
		s->items = schema_compile(ss, f, v, false);
	} else if (!strcmp(kw, "prefixItems")) {
		s->prefix = schema_list(ss, f, v, kw, &s->nprefix);
	} else if (!strcmp(kw, "contains")) {
		s->contains = schema_compile(ss, f, v, false);
	} else if (!strcmp(kw, "uniqueItems")) {
		s->unique_items = want_bool(ss, f, v, kw);
	} else if (!strcmp(kw, "allOf")) {
		s->all_of = schema_list(ss, f, v, kw, &s->nall);
	} else if (!strcmp(kw, "anyOf")) {
		s->any_of = schema_list(ss, f, v, kw, &s->nany);
	} else if (!strcmp(kw, "oneOf")) {
		s->one_of = schema_list(ss, f, v, kw, &s->none);
	} else if (!strcmp(kw, "not")) {
		s->not_ = schema_compile(ss, f, v, false);
	} else if (!strcmp(kw, "if")) {
		s->if_ = schema_compile(ss, f, v, false);
	} else if (!strcmp(kw, "then")) {
		s->then_ = schema_compile(ss, f, v, false);
	} else if (!strcmp(kw, "else")) {
		s->else_ = schema_compile(ss, f, v, false);
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

struct fb_schema *schema_compile(struct fb_schemas *ss, struct sfile *f, const struct fb_node *n,
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
int32_t schema_find_prop(const struct fb_schema *s, const char *key, size_t len, uint32_t *hint)
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
const struct fb_schema *schema_props_holder(const struct fb_schema *s)
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
const struct fb_node *schema_follow_pointer(const struct fb_node *root, const char *p)
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

struct sfile *schema_find_file(struct fb_schemas *ss, const char *base)
{
	size_t i;
	for (i = 0; i < ss->nfiles; i++)
		if (!strcmp(ss->files[i]->base, base))
			return ss->files[i];
	return ss->dir ? schema_load_sibling(ss, base) : NULL;
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
		tf = schema_find_file(ss, name);
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
	target = schema_follow_pointer(tf->root, frag.ptr);
	if (!target) {
		schema_error(ss, f, v, "$ref", "'%s' points at nothing", v->str);
		goto out;
	}
	s->ref = schema_compile(ss, tf, target, target == tf->root);
out:
	fb_buf_release(&file);
	fb_buf_release(&frag);
}

void schema_resolve_pending(struct fb_schemas *ss)
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

void schema_check_cycles(struct fb_schemas *ss)
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
void schema_check_cost(struct fb_schemas *ss)
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

