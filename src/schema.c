/*
 * Schemas: loading a set, what the rest of fieldbook asks of a schema, and
 * typing a record by it (see schema.h).
 *
 * The module's files: schema_compile.c turns schema documents into struct
 * fb_schema (schema_int.h); this file loads the sets (a repository's
 * schemas/, one file, a node) and answers questions about them;
 * schema_validate.c checks an instance; crossref.c the checks across
 * records (x-ref, x-item-of, x-unique); schema_export.c one JSON document
 * per type.  Schema documents read from files belong to the set.
 */
#include "schema_int.h"

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

struct sfile *schema_load_sibling(struct fb_schemas *ss, const char *base)
{
	struct fb_buf path = FB_BUF_INIT, text = FB_BUF_INIT;
	struct sfile *f = NULL;
	struct fb_doc *doc;

	fb_buf_addf(&path, "%s/%s", ss->dir, base);
	if (fb_buf_read_file(&text, path.ptr, 0) == 0 &&
	    (doc = parse_schema_text(path.ptr, &text, ss->d))) {
		f = add_file(ss, path.ptr, base, doc, doc->root);
		schema_compile(ss, f, doc->root, true);
	}
	fb_buf_release(&path);
	fb_buf_release(&text);
	return f;
}

static void mark_below(struct fb_schemas *ss);
static void check_confidential_keys(struct fb_schemas *ss);

static int finish(struct fb_schemas *ss)
{
	schema_resolve_pending(ss);
	schema_check_cycles(ss);
	schema_check_cost(ss);
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
			ss->files[i]->schema = schema_compile(ss, ss->files[i], ss->files[i]->root, true);
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
	ss->main = f->schema = schema_compile(ss, f, doc->root, true);
	return finish(ss);
}

int fb_schemas_from_node(struct fb_schemas **out, const struct fb_node *schema, const char *name,
			 struct fb_diag *d)
{
	struct fb_schemas *ss = new_set(d);
	struct sfile *f = add_file(ss, name, name, NULL, schema);
	*out = ss;
	ss->main = f->schema = schema_compile(ss, f, schema, true);
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
	if ((p = schema_find_prop(s, key, len, &hint)) >= 0)
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
	s = schema_props_holder(s);
	return s ? s->nprops : 0;
}

const char *fb_schema_property_name(const struct fb_schema *s, size_t i)
{
	return schema_props_holder(s)->props[i].name;
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

