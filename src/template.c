/*
 * The first text of a new record (see template.h).
 *
 * One pass over the schema's properties in their order: each field is
 * written to the text (the id, required fields, --set ones) or, when
 * optional, only as guide lines gathered under "Optional fields" at the
 * end.  Values are YAML text made here; fb_template_canonical then puts a
 * text without guides in fmt's layout.
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/check.h>
#include <fieldbook/fmt.h>
#include <fieldbook/template.h>

#define GUIDE FB_TEMPLATE_GUIDE

bool fb_template_next_id(const struct fb_schema *s, const struct fb_entries *es,
			 const char *type, struct fb_buf *id, struct fb_buf *folder)
{
	const char *prefix = "", *slash;
	unsigned long long max = 0, n;
	const struct fb_entry *last = NULL;
	int digits = 0;
	bool xid = fb_schema_xid(s, &prefix, &digits);
	size_t i, plen = strlen(prefix);

	for (i = 0; i < es->n; i++) {
		const char *rest = es->v[i].id + plen;
		/* ids of the prefix and digits (no more than 18: no overflow) */
		if (strncmp(es->v[i].id, prefix, plen) || !*rest || strlen(rest) > 18 ||
		    strspn(rest, "0123456789") != strlen(rest))
			continue;
		n = strtoull(rest, NULL, 10);
		if (!last || n > max) {
			max = n;
			last = &es->v[i];
		}
	}
	if (!last && es->n)
		last = &es->v[es->n - 1];
	if (last && (slash = strrchr(last->path, '/')))
		fb_buf_add(folder, last->path, (size_t)(slash - last->path));
	else
		fb_buf_addf(folder, "records/%s", type);
	if (xid)
		fb_buf_addf(id, "%s%0*llu", prefix, digits, max + 1);
	return xid;
}

int fb_template_check_sets(const struct fb_schema *s, const char *type,
			   const struct fb_template_set *sets, size_t n, struct fb_diag *d)
{
	size_t i, before = d->errors;
	for (i = 0; i < n; i++) {
		const char *f = sets[i].field;
		if (strchr(f, '.') || strchr(f, '/'))
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
				     "--set %s: give a top-level field; nested values as YAML flow, "
				     "e.g. --set 'follow_ups=[{action: call, due: 1404/01/15, "
				     "status: open}]'",
				     f);
		else if (!fb_schema_property(s, f, strlen(f)) || !strcmp(f, "id"))
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
				     "%s has no field '%s' that --set can set%s", type, f,
				     !strcmp(f, "id") ? " (use --id)" : "");
	}
	return d->errors > before ? FB_EINVALID : 0;
}

/* Append `text` as guide lines, wrapped at about 72 characters. */
static void add_guide(struct fb_buf *out, const char *prefix, const char *text)
{
	const char *p = text;
	size_t col = 0, start = out->len;

	fb_buf_puts(out, GUIDE " ");
	fb_buf_puts(out, prefix);
	col = strlen(prefix);
	while (*p) {
		size_t wlen = strcspn(p, " \n"), chars = 0, k;
		for (k = 0; k < wlen; k++)
			chars += ((unsigned char)p[k] & 0xc0) != 0x80;
		if (col && col + 1 + chars > 72) {
			fb_buf_puts(out, "\n" GUIDE "   ");
			col = 2;
		} else if (col && out->len > start + 3) {
			fb_buf_putc(out, ' ');
			col++;
		}
		fb_buf_add(out, p, wlen);
		col += chars;
		p += wlen;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	fb_buf_putc(out, '\n');
}

/* A --set value as YAML text (see fb_template_text); FB_EINVALID, said in `d`. */
static int yaml_value(const struct fb_template *t, const char *field, const char *v,
		      const struct fb_schema *prop, struct fb_buf *out, struct fb_diag *d)
{
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_doc *doc = NULL;
	size_t len = strlen(v);
	bool plain = false;

	if (v[0] == '[' || v[0] == '{') {
		bool ok = fb_doc_parse(&doc, "--set", v, len, FB_PARSE_ANY_ROOT, &quiet) == 0 &&
			  doc->root;
		fb_doc_free(doc);
		fb_diag_release(&quiet);
		if (!ok) {
			bool secret = !t->show_confidential &&
				      fb_schema_reaches(prop, FB_X_CONFIDENTIAL);
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
				     "--set %s=%s: not a YAML flow collection (e.g. [a, b] or "
				     "{key: value})",
				     field, secret ? "***" : v);
			return FB_EINVALID;
		}
		fb_buf_add(out, v, len);
		return 0;
	}
	if (len && fb_doc_parse(&doc, "--set", v, len, FB_PARSE_ANY_ROOT, &quiet) == 0 &&
	    doc->root && fb_node_is_scalar(doc->root) && doc->root->style == FB_STYLE_PLAIN &&
	    doc->root->len == len && !memcmp(doc->root->str, v, len))
		plain = !(prop && fb_schema_only_string(prop) && doc->root->type != FB_NODE_STR);
	fb_doc_free(doc);
	fb_diag_release(&quiet);
	if (plain)
		fb_buf_add(out, v, len);
	else
		fb_buf_json_str(out, v, len);
	return 0;
}

/* A default value as YAML text. */
static void default_value(const struct fb_node *n, struct fb_buf *out)
{
	if (n->type == FB_NODE_STR && fb_scalar_resolve(n->str, n->len, NULL) == FB_NODE_STR &&
	    n->len && !strpbrk(n->str, ":#'\"[]{},&*!|>%@`\n") && n->str[0] != ' ' &&
	    n->str[0] != '-' && n->str[n->len - 1] != ' ')
		fb_buf_add(out, n->str, n->len);
	else
		fb_node_to_json(out, n, -1, NULL, NULL);
}

static bool is_required(const struct fb_schema *s, const char *name)
{
	size_t i;
	for (i = 0; i < fb_schema_nrequired(s); i++)
		if (!strcmp(fb_schema_required(s, i), name))
			return true;
	return false;
}

/* The value(s) of field `name`, given `count` times by --set. */
static int set_values(const struct fb_template *t, const char *name, const struct fb_schema *prop,
		      size_t count, struct fb_buf *out, struct fb_diag *d)
{
	bool array = prop && fb_schema_item(prop, 0);
	size_t k;
	int err = 0;

	for (k = 0; k < t->nsets && !err; k++) {
		const char *v = t->sets[k].value;
		if (strcmp(t->sets[k].field, name))
			continue;
		if (array && v[0] != '[') {
			fb_buf_puts(out, "\n  - ");
			err = yaml_value(t, name, v, fb_schema_item(prop, 0), out, d);
		} else if (count > 1) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "--set %s is given %zu times", name,
				     count);
			err = FB_EINVALID;
		} else {
			fb_buf_putc(out, ' ');
			err = yaml_value(t, name, v, prop, out, d);
		}
	}
	fb_buf_putc(out, '\n');
	return err;
}

int fb_template_text(const struct fb_template *t, struct fb_buf *out, struct fb_diag *d)
{
	const struct fb_schema *s = t->schema;
	struct fb_buf optional = FB_BUF_INIT, label = FB_BUF_INIT;
	size_t i, k, np = fb_schema_nproperties(s);
	int err = 0;

	if (t->guides) {
		fb_buf_addf(out, GUIDE " New %s record %s/%s (%s)\n", t->type, t->type, t->id,
			    t->path);
		fb_buf_puts(out, GUIDE " Lines starting with \"" GUIDE "\" are guidance, removed when you "
				 "save;\n" GUIDE " your own # comments stay.  Empty the buffer to "
				 "cancel.\n");
		if (fb_schema_description(s))
			add_guide(out, "", fb_schema_description(s));
	}
	for (i = 0; i < np && !err; i++) {
		const char *name = fb_schema_property_name(s, i);
		const struct fb_schema *prop = fb_schema_property(s, name, strlen(name));
		const struct fb_node *def = prop ? fb_schema_default(prop) : NULL;
		bool required = is_required(s, name);
		size_t given = 0;
		struct fb_buf *where;

		for (k = 0; k < t->nsets; k++)
			given += !strcmp(t->sets[k].field, name);
		where = required || given || !strcmp(name, "id") ? out : &optional;
		if (t->guides) {
			const char *title = fb_schema_title(prop), *desc = fb_schema_description(prop);
			fb_buf_reset(&label);
			fb_buf_addf(&label, "%s%s%s%s:", name, title ? " — " : "", title ? title : "",
				    required ? " (required)" : "");
			add_guide(where, label.ptr, desc ? desc : "");
		}
		if (where == &optional)
			continue;
		fb_buf_addf(out, "%s:", name);
		if (!strcmp(name, "id") && !given) {
			fb_buf_addf(out, " %s\n", t->id);
		} else if (given) {
			err = set_values(t, name, prop, given, out, d);
		} else if (def) {
			fb_buf_putc(out, ' ');
			default_value(def, out);
			fb_buf_putc(out, '\n');
		} else if (prop && (fb_schema_xflags(prop) & FB_X_DATE)) {
			fb_buf_putc(out, ' '); /* a required date: today, most likely */
			fb_date_format(out, t->today, t->calendar);
			fb_buf_putc(out, '\n');
		} else {
			fb_buf_putc(out, '\n');
		}
	}
	if (t->guides && optional.len) {
		fb_buf_puts(out, GUIDE "\n" GUIDE " Optional fields (add the ones you need):\n");
		fb_buf_add(out, optional.ptr, optional.len);
	}
	fb_buf_release(&optional);
	fb_buf_release(&label);
	return err;
}

void fb_template_canonical(const struct fb_schema *s, const char *path, struct fb_buf *text)
{
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_doc *doc = NULL;
	struct fb_buf out = FB_BUF_INIT;

	if (fb_record_parse(&doc, path, text->ptr, text->len, FB_PARSE_DEFAULT, s, &quiet) == 0 &&
	    fb_fmt_record(doc, s, &out, &quiet) == 0) {
		fb_buf_reset(text);
		fb_buf_add(text, out.ptr, out.len);
	}
	fb_doc_free(doc);
	fb_diag_release(&quiet);
	fb_buf_release(&out);
}

void fb_template_strip_guides(struct fb_buf *text)
{
	struct fb_buf out = FB_BUF_INIT;
	const char *p = text->ptr, *end = text->ptr + text->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		if (strncmp(p, GUIDE, 2) != 0 || len < 2)
			fb_buf_add(&out, p, len);
		p += len;
	}
	fb_buf_reset(text);
	fb_buf_add(text, out.ptr, out.len);
	fb_buf_release(&out);
}
