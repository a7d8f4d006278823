/*
 * A type's schema as one JSON document, for editors (see schema.h).
 */
#include "schema_int.h"

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
	*f = schema_find_file(b->ss, fname);
	free(fname);
	return *f ? schema_follow_pointer((*f)->root, hash + 1) : NULL;
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

