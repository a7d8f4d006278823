/*
 * The three-way merge of one record (see merge.h).
 *
 * Two passes.  The first walks base, ours and theirs together as data
 * (merge_value and its map and sequence cases): it decides each value,
 * writes the merged data as JSON into `expect`, records each conflict, and
 * turns each value taken from theirs into a text edit of ours -- a span of
 * ours replaced, a mapping entry or sequence item deleted by its lines, or
 * theirs' lines inserted (re-indented) after ours' last entry or item.  An
 * edit that cannot be made safely by text (inside a flow collection, a key
 * on a "- " line) becomes a conflict instead.  The second pass applies the
 * edits in the order of the text, then reads the result back: it must
 * parse and equal `expect` as data, or the record is one conflict.
 *
 * Values are compared as data (fb_node_equal: numbers by value, keys in
 * any order), so reformatting on one side is not a change.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fieldbook/check.h>
#include <fieldbook/merge.h>

struct edit {
	size_t start, end; /* span of ours replaced; start == end: an insertion */
	char *text;
	size_t seq; /* order of creation: insertions at one place keep it */
};

struct mctx {
	const struct fb_doc *o, *t; /* ours and theirs (their texts) */
	const struct fb_merge_opts *opts;
	struct edit *ev;
	size_t en, ealloc;
	struct fb_buf expect; /* the merged data, as JSON */
	struct fb_buf path;   /* JSON pointer of the value at hand */
	struct fb_merge *out;
};

/* The base of a list or mapping both sides added: empty, so that their items merge. */
static const struct fb_node no_seq = {.type = FB_NODE_SEQ, .style = FB_STYLE_FLOW};
static const struct fb_node no_map = {.type = FB_NODE_MAP, .style = FB_STYLE_FLOW};

static bool same(const struct fb_node *a, const struct fb_node *b)
{
	if (!a || !b)
		return a == b;
	return fb_node_equal(a, b);
}

static void json(struct fb_buf *out, const struct fb_node *n)
{
	fb_node_to_json(out, n, -1, NULL, NULL);
}

/* A side's value for the conflict list: confidential values as "***". */
static char *shown(const struct fb_node *n)
{
	struct fb_buf b = FB_BUF_INIT;
	if (!n)
		return NULL;
	if (n->confidential)
		fb_buf_puts(&b, "\"***\"");
	else
		fb_node_to_json(&b, n, -1, fb_node_is_confidential, NULL);
	return fb_buf_detach(&b, NULL);
}

static void conflict_free(struct fb_merge_conflict *c)
{
	free(c->path);
	free(c->base);
	free(c->ours);
	free(c->theirs);
}

/* Whether JSON text `json` is the value `n` (as data). */
static bool json_is(const char *json, size_t len, const struct fb_node *n)
{
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_doc *doc = NULL;
	bool ok = fb_doc_parse(&doc, "merged", json, len, FB_PARSE_ANY_ROOT | FB_PARSE_NO_SIZE_LIMIT,
			       &quiet) == 0 &&
		  doc->root && fb_node_equal(doc->root, n);
	fb_doc_free(doc);
	fb_diag_release(&quiet);
	return ok;
}

static void conflict(struct mctx *m, const struct fb_node *b, const struct fb_node *o,
		     const struct fb_node *t)
{
	struct fb_merge_conflict *c;
	FB_GROW(m->out->v, m->out->n, m->out->alloc);
	c = &m->out->v[m->out->n++];
	c->path = fb_strdup(m->path.ptr ? m->path.ptr : "");
	c->base = b == &no_seq || b == &no_map ? NULL : shown(b);
	c->ours = shown(o);
	c->theirs = shown(t);
}

/* ---- places in a text ------------------------------------------------------------------ */

static size_t line_start(const char *text, size_t off)
{
	while (off && text[off - 1] != '\n')
		off--;
	return off;
}

/* Just after the '\n' that ends the line `off` is on (or the end of the text). */
static size_t next_line(const struct fb_doc *doc, size_t off)
{
	while (off < doc->len && doc->text[off] != '\n')
		off++;
	return off < doc->len ? off + 1 : off;
}

/* Where a value's own text ends: its last scalar's end, without a block scalar's newlines. */
static size_t value_end(const struct fb_doc *doc, const struct fb_node *n)
{
	size_t e;
	while ((n->type == FB_NODE_SEQ || n->type == FB_NODE_MAP) && n->style == FB_STYLE_BLOCK &&
	       n->n)
		n = n->kids[n->n - 1];
	e = n->end;
	while (e > n->start && doc->text[e - 1] == '\n')
		e--;
	return e;
}

/* The '-' of a block sequence item, or (size_t)-1 when it is not found before it. */
static size_t dash_of(const struct fb_doc *doc, const struct fb_node *item)
{
	size_t p = item->start;
	while (p > 0 && (doc->text[p - 1] == ' ' || doc->text[p - 1] == '\n'))
		p--;
	return p > 0 && doc->text[p - 1] == '-' ? p - 1 : (size_t)-1;
}

/* Whether only spaces lie between the start of `off`'s line and `off`. */
static bool first_on_line(const struct fb_doc *doc, size_t off)
{
	size_t p;
	for (p = line_start(doc->text, off); p < off; p++)
		if (doc->text[p] != ' ')
			return false;
	return true;
}

/*
 * Append theirs' text from `from` to the end of the line of `to`, the first
 * line after `indent` spaces, the next ones with their indentation moved by
 * `delta`; always ending in a newline.
 */
static void copy_lines(struct fb_buf *out, const struct fb_doc *doc, size_t from, size_t to,
		       size_t indent, long delta)
{
	size_t end = next_line(doc, to), p = from;
	bool first = true;

	while (p < end) {
		size_t nl = next_line(doc, p), k;
		if (first) {
			for (k = 0; k < indent; k++)
				fb_buf_putc(out, ' ');
		} else if (doc->text[p] != '\n') {
			long drop = delta < 0 ? -delta : 0;
			for (k = 0; delta > 0 && k < (size_t)delta; k++)
				fb_buf_putc(out, ' ');
			while (drop-- > 0 && p < nl && doc->text[p] == ' ')
				p++;
		}
		fb_buf_add(out, doc->text + p, nl - p);
		p = nl;
		first = false;
	}
	if (!out->len || out->ptr[out->len - 1] != '\n')
		fb_buf_putc(out, '\n');
}

/* ---- edits ------------------------------------------------------------------------------ */

static void add_edit(struct mctx *m, size_t start, size_t end, struct fb_buf *text)
{
	struct edit *e;
	FB_GROW(m->ev, m->en, m->ealloc);
	e = &m->ev[m->en];
	e->start = start;
	e->end = end;
	e->text = fb_buf_detach(text, NULL);
	e->seq = m->en++;
}

/* Theirs' value `t` as one line of YAML: as written when it is one line, else as JSON. */
static void inline_text(struct fb_buf *out, const struct fb_doc *tdoc, const struct fb_node *t)
{
	const char *src = tdoc->text + t->start;
	size_t len = t->end - t->start;
	bool as_written = t->style != FB_STYLE_LITERAL && t->style != FB_STYLE_FOLDED &&
			  t->style != FB_STYLE_BLOCK && len && !memchr(src, '\n', len) &&
			  !(t->type == FB_NODE_NULL && t->style == FB_STYLE_PLAIN);
	if (as_written)
		fb_buf_add(out, src, len);
	else
		json(out, t);
}

/*
 * Theirs' comment at the end of its value's line comes along when ours'
 * line has none after the value (`end`): the new end of the span replaced.
 */
static size_t line_comment(struct mctx *m, size_t end, const struct fb_node *t, struct fb_buf *text)
{
	size_t oe = end, te = t->end, tl = next_line(m->t, te), p;
	while (oe < m->o->len && m->o->text[oe] == ' ')
		oe++;
	if (oe < m->o->len && m->o->text[oe] != '\n' && m->o->text[oe] != '\r')
		return end; /* ours has a comment (or more) there: it stays */
	while (tl > te && (m->t->text[tl - 1] == '\n' || m->t->text[tl - 1] == '\r'))
		tl--;
	p = te;
	while (p < tl && m->t->text[p] == ' ')
		p++;
	if (p == te || p >= tl || m->t->text[p] != '#')
		return end; /* nothing, or more than a comment, after theirs' value */
	fb_buf_add(text, m->t->text + te, tl - te);
	return oe;
}

/* Replace ours' value `o` by theirs' `t`. */
static bool replace_value(struct mctx *m, const struct fb_node *o, const struct fb_node *t)
{
	struct fb_buf text = FB_BUF_INIT;
	size_t start = o->start, end = value_end(m->o, o);

	if ((o->type == FB_NODE_NULL && o->start == o->end) ||
	    (o->style == FB_STYLE_BLOCK && o->key)) {
		/* an empty value ("name:"), or a block one replaced by one line: after the colon */
		size_t p = o->key ? o->key->end : 0;
		while (p && p < m->o->len && m->o->text[p] == ' ')
			p++;
		if (!p || p >= m->o->len || m->o->text[p] != ':')
			return false;
		start = p + 1;
		if (o->type == FB_NODE_NULL)
			end = start;
		fb_buf_putc(&text, ' ');
	}
	inline_text(&text, m->t, t);
	if (fb_node_is_scalar(o) && fb_node_is_scalar(t))
		end = line_comment(m, end, t, &text);
	add_edit(m, start, end, &text);
	return true;
}

/* Delete ours' value `o` (a mapping entry or a sequence item) by its lines. */
static bool delete_value(struct mctx *m, const struct fb_node *o)
{
	const struct fb_node *parent = o->parent;
	struct fb_buf text = FB_BUF_INIT;
	size_t from;

	if (!parent || parent->style != FB_STYLE_BLOCK)
		return false;
	if (parent->n == 1) {
		/* the last one: the collection stays, empty */
		size_t start = parent->type == FB_NODE_SEQ ? dash_of(m->o, o) : o->key->start;
		if (start == (size_t)-1)
			return false;
		fb_buf_puts(&text, parent->type == FB_NODE_SEQ ? "[]" : "{}");
		add_edit(m, start, value_end(m->o, parent), &text);
		return true;
	}
	from = parent->type == FB_NODE_SEQ ? dash_of(m->o, o) : o->key->start;
	if (from == (size_t)-1 || !first_on_line(m->o, from))
		return false;
	add_edit(m, line_start(m->o->text, from), next_line(m->o, value_end(m->o, o)), &text);
	return true;
}

/* Where lines go after the last entry or item of ours' block collection `c`. */
static size_t after_last(struct mctx *m, const struct fb_node *c, struct fb_buf *text)
{
	size_t at = next_line(m->o, value_end(m->o, c->kids[c->n - 1]));
	if (at == m->o->len && (!m->o->len || m->o->text[at - 1] != '\n'))
		fb_buf_putc(text, '\n');
	return at;
}

/* Add theirs' value `t` to ours' collection `oc`: a mapping entry, or an item at the end. */
static bool insert_value(struct mctx *m, const struct fb_node *oc, const struct fb_node *t)
{
	struct fb_buf text = FB_BUF_INIT;
	size_t at, indent;

	if (!oc || oc->style != FB_STYLE_BLOCK || !oc->n)
		return false;
	at = after_last(m, oc, &text);
	if (oc->type == FB_NODE_MAP) {
		const struct fb_node *tk = t->key;
		indent = oc->kids[0]->key->col - 1;
		copy_lines(&text, m->t, tk->start, value_end(m->t, t), indent,
			   (long)indent - (long)(tk->col - 1));
	} else {
		size_t odash = dash_of(m->o, oc->kids[0]), tdash = dash_of(m->t, t);
		if (odash == (size_t)-1) {
			fb_buf_release(&text);
			return false;
		}
		indent = odash - line_start(m->o->text, odash);
		if (tdash != (size_t)-1 && t->parent && t->parent->style == FB_STYLE_BLOCK) {
			copy_lines(&text, m->t, tdash, value_end(m->t, t), indent,
				   (long)indent - (long)(tdash - line_start(m->t->text, tdash)));
		} else {
			size_t k;
			for (k = 0; k < indent; k++)
				fb_buf_putc(&text, ' ');
			fb_buf_puts(&text, "- ");
			inline_text(&text, m->t, t);
			fb_buf_putc(&text, '\n');
		}
	}
	add_edit(m, at, at, &text);
	return true;
}

/* ---- the data pass ----------------------------------------------------------------------- */

static bool merge_value(struct mctx *m, const struct fb_node *b, const struct fb_node *o,
			const struct fb_node *t, const struct fb_node *oparent);

static bool keep(struct mctx *m, const struct fb_node *n)
{
	if (!n)
		return false;
	json(&m->expect, n);
	return true;
}

/* Forget the edits, conflicts and merged data made since the counts given. */
static void undo(struct mctx *m, size_t en, size_t nc, size_t mark, size_t taken)
{
	while (m->en > en)
		free(m->ev[--m->en].text);
	while (m->out->n > nc)
		conflict_free(&m->out->v[--m->out->n]);
	fb_buf_setlen(&m->expect, mark);
	m->out->taken = taken;
}

/*
 * Whether the merged data written since `mark` is theirs' value: a list
 * ours left alone may come out in ours' order, which would not be theirs.
 */
static bool gives(struct mctx *m, size_t mark, const struct fb_node *t)
{
	return json_is(m->expect.ptr + mark, m->expect.len - mark, t);
}

/* Theirs' change to a value ours left as it was. */
static bool take(struct mctx *m, const struct fb_node *b, const struct fb_node *o,
		 const struct fb_node *t, const struct fb_node *oparent)
{
	bool ok = !t ? delete_value(m, o) : !o ? insert_value(m, oparent, t) : replace_value(m, o, t);
	if (!ok) {
		conflict(m, b, o, t);
		return keep(m, o);
	}
	m->out->taken++;
	return keep(m, t);
}

static enum fb_merge_pick pick_at(const struct fb_merge_opts *opts, const char *path,
				  const struct fb_merge_choice **c)
{
	size_t i;
	*c = NULL;
	for (i = 0; opts && i < opts->n; i++)
		if (!strcmp(opts->v[i].path, path)) {
			*c = &opts->v[i];
			return opts->v[i].pick;
		}
	return opts && opts->all != FB_MERGE_VALUE ? opts->all : FB_MERGE_ASK;
}

/* A value given by `resolve --field`, as the member `key` of a one-entry document. */
static struct fb_doc *value_doc(const char *path, const char *value)
{
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_buf text = FB_BUF_INIT;
	struct fb_doc *doc = NULL;
	const char *key = strrchr(path, '/');
	const char *k;

	/* the key: plain when it is a simple name, else quoted */
	key = key ? key + 1 : path;
	if (key[strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")] ==
		    '\0' &&
	    *key && *key != '-') {
		fb_buf_addf(&text, "%s: %s\n", key, value);
		goto parse;
	}
	fb_buf_putc(&text, '"');
	for (k = key; *k; k++) {
		if (k[0] == '~' && (k[1] == '0' || k[1] == '1')) {
			fb_buf_putc(&text, k[1] == '0' ? '~' : '/');
			k++;
		} else if (*k == '"' || *k == '\\') {
			fb_buf_putc(&text, '\\');
			fb_buf_putc(&text, *k);
		} else {
			fb_buf_putc(&text, *k);
		}
	}
	fb_buf_addf(&text, "\": %s\n", value);
parse:
	if (fb_doc_parse(&doc, "--field", text.ptr, text.len, FB_PARSE_DEFAULT, &quiet) < 0 ||
	    !doc->root || doc->root->n != 1) {
		fb_doc_free(doc);
		doc = NULL;
	}
	fb_diag_release(&quiet);
	fb_buf_release(&text);
	return doc;
}

/* Both sides changed this value differently: settled as `opts` says, else a conflict. */
static bool settle(struct mctx *m, const struct fb_node *b, const struct fb_node *o,
		   const struct fb_node *t, const struct fb_node *oparent)
{
	const struct fb_merge_choice *c;
	enum fb_merge_pick pick = pick_at(m->opts, m->path.ptr ? m->path.ptr : "", &c);
	struct fb_doc *v;
	bool present;

	if (pick == FB_MERGE_OURS)
		return keep(m, o);
	if (pick == FB_MERGE_THEIRS)
		return take(m, b, o, t, oparent);
	if (pick == FB_MERGE_VALUE && (v = value_doc(m->path.ptr, c->value))) {
		const struct fb_doc *theirs = m->t;
		m->t = v;
		present = take(m, b, o, v->root->kids[0], oparent);
		m->t = theirs;
		fb_doc_free(v);
		return present;
	}
	conflict(m, b, o, t);
	return keep(m, o);
}

/* One member or item: its pointer segment, a comma, and its value (dropped when absent). */
static void member(struct mctx *m, bool *first, const struct fb_node *key, size_t index,
		   const struct fb_node *b, const struct fb_node *o, const struct fb_node *t,
		   const struct fb_node *oparent)
{
	size_t plen = m->path.len, mark = m->expect.len;
	char num[24];

	if (!*first)
		fb_buf_putc(&m->expect, ',');
	if (key) {
		fb_pointer_push(&m->path, key->str, key->len);
		fb_buf_json_str(&m->expect, key->str, key->len);
		fb_buf_putc(&m->expect, ':');
	} else {
		snprintf(num, sizeof(num), "%zu", index);
		fb_pointer_push(&m->path, num, strlen(num));
	}
	if (merge_value(m, b, o, t, oparent))
		*first = false;
	else
		fb_buf_setlen(&m->expect, mark);
	fb_buf_setlen(&m->path, plen);
}

static const struct fb_node *get(const struct fb_node *map, const struct fb_node *key)
{
	uint32_t i;
	if (!map || map->type != FB_NODE_MAP)
		return NULL;
	for (i = 0; i < map->n; i++) {
		const struct fb_node *k = map->kids[i]->key;
		if (k->len == key->len && !memcmp(k->str, key->str, key->len))
			return map->kids[i];
	}
	return NULL;
}

static void merge_map(struct mctx *m, const struct fb_node *b, const struct fb_node *o,
		      const struct fb_node *t)
{
	bool first = true;
	uint32_t i;

	fb_buf_putc(&m->expect, '{');
	for (i = 0; i < o->n; i++) {
		const struct fb_node *k = o->kids[i]->key;
		member(m, &first, k, 0, get(b, k), o->kids[i], get(t, k), o);
	}
	for (i = 0; i < t->n; i++) {
		const struct fb_node *k = t->kids[i]->key;
		if (!get(o, k))
			member(m, &first, k, 0, get(b, k), NULL, t->kids[i], o);
	}
	fb_buf_putc(&m->expect, '}');
}

/* An item's scalar `id`, when it is a mapping that has one. */
static const struct fb_node *id_of(const struct fb_node *item)
{
	const struct fb_node *id = item->type == FB_NODE_MAP ? fb_node_get(item, "id") : NULL;
	return id && fb_node_is_scalar(id) && id->type != FB_NODE_NULL ? id : NULL;
}

/* Whether every item of `seq` has an id, each a different one. */
static bool has_ids(const struct fb_node *seq)
{
	uint32_t i, k;
	for (i = 0; i < seq->n; i++) {
		if (!id_of(seq->kids[i]))
			return false;
		for (k = 0; k < i; k++)
			if (fb_node_equal(id_of(seq->kids[k]), id_of(seq->kids[i])))
				return false;
	}
	return true;
}

static const struct fb_node *find_id(const struct fb_node *seq, const struct fb_node *id)
{
	uint32_t i;
	for (i = 0; i < seq->n; i++)
		if (fb_node_equal(id_of(seq->kids[i]), id))
			return seq->kids[i];
	return NULL;
}

/* Whether `x` kept `b`'s length or only appended to it. */
static bool kept_or_appended(const struct fb_node *b, const struct fb_node *x)
{
	uint32_t i;
	if (x->n == b->n)
		return true;
	if (x->n < b->n)
		return false;
	for (i = 0; i < b->n; i++)
		if (!fb_node_equal(b->kids[i], x->kids[i]))
			return false;
	return true;
}

/* Whether theirs' appended item `t` is one ours appended too. */
static bool appended_by_ours(const struct fb_node *b, const struct fb_node *o,
			     const struct fb_node *t)
{
	uint32_t i;
	for (i = b->n; i < o->n; i++)
		if (fb_node_equal(o->kids[i], t))
			return true;
	return false;
}

/*
 * A flow sequence of ours ([a, b]) whose items are all scalars: the merged
 * list replaces it whole.  False when the items cannot be merged so.
 */
static bool merge_flow_list(struct mctx *m, const struct fb_node *b, const struct fb_node *o,
			    const struct fb_node *t)
{
	struct fb_buf list = FB_BUF_INIT;
	uint32_t i;

	for (i = 0; i < o->n; i++)
		if (!fb_node_is_scalar(o->kids[i]))
			return false;
	for (i = 0; i < t->n; i++)
		if (!fb_node_is_scalar(t->kids[i]))
			return false;
	fb_buf_putc(&list, '[');
	for (i = 0; i < b->n; i++) {
		const struct fb_node *bi = b->kids[i], *oi = o->kids[i], *ti = t->kids[i];
		if (!same(bi, oi) && !same(bi, ti) && !same(oi, ti)) {
			fb_buf_release(&list);
			return false;
		}
		if (i)
			fb_buf_putc(&list, ',');
		json(&list, same(bi, oi) ? ti : oi);
	}
	for (i = b->n; i < o->n; i++) {
		if (i)
			fb_buf_putc(&list, ',');
		json(&list, o->kids[i]);
	}
	for (i = b->n; i < t->n; i++) {
		if (appended_by_ours(b, o, t->kids[i]))
			continue;
		if (list.len > 1)
			fb_buf_putc(&list, ',');
		json(&list, t->kids[i]);
	}
	fb_buf_putc(&list, ']');
	fb_buf_add(&m->expect, list.ptr, list.len);
	add_edit(m, o->start, o->end, &list);
	m->out->taken++;
	return true;
}

static void merge_seq(struct mctx *m, const struct fb_node *b, const struct fb_node *o,
		      const struct fb_node *t)
{
	bool first = true;
	uint32_t i;

	if (has_ids(b) && has_ids(o) && has_ids(t) && o->n && t->n) {
		fb_buf_putc(&m->expect, '[');
		for (i = 0; i < o->n; i++) {
			const struct fb_node *id = id_of(o->kids[i]);
			member(m, &first, NULL, i, find_id(b, id), o->kids[i], find_id(t, id), o);
		}
		for (i = 0; i < t->n; i++) {
			const struct fb_node *id = id_of(t->kids[i]);
			if (!find_id(o, id))
				member(m, &first, NULL, o->n + i, find_id(b, id), NULL, t->kids[i], o);
		}
		fb_buf_putc(&m->expect, ']');
		return;
	}
	if (!kept_or_appended(b, o) || !kept_or_appended(b, t) ||
	    (o->style != FB_STYLE_BLOCK && !merge_flow_list(m, b, o, t))) {
		settle(m, b, o, t, o->parent);
		return;
	}
	if (o->style != FB_STYLE_BLOCK)
		return; /* merge_flow_list did it */
	fb_buf_putc(&m->expect, '[');
	for (i = 0; i < b->n; i++)
		member(m, &first, NULL, i, b->kids[i], o->kids[i], t->kids[i], o);
	for (i = b->n; i < o->n; i++)
		member(m, &first, NULL, i, o->kids[i], o->kids[i], o->kids[i], o);
	for (i = b->n; i < t->n; i++)
		if (!appended_by_ours(b, o, t->kids[i]))
			member(m, &first, NULL, o->n + i - b->n, NULL, NULL, t->kids[i], o);
	fb_buf_putc(&m->expect, ']');
}

/* Merge one value; false when the result has none.  `oparent` holds (or would hold) `o`. */
static bool merge_value(struct mctx *m, const struct fb_node *b, const struct fb_node *o,
			const struct fb_node *t, const struct fb_node *oparent)
{
	if (!b && o && t && o->type == t->type && (o->type == FB_NODE_SEQ || o->type == FB_NODE_MAP))
		b = o->type == FB_NODE_SEQ ? &no_seq : &no_map;
	bool block_pair = o && t && o->type == t->type && o->style == FB_STYLE_BLOCK &&
			  (o->type == FB_NODE_MAP || o->type == FB_NODE_SEQ);

	if (same(o, t) || same(b, t))
		return keep(m, o);
	if (same(b, o) && !block_pair)
		return take(m, b, o, t, oparent);
	if (same(b, o)) {
		/* theirs changed a block collection ours left alone: edits inside it keep
		   ours' comments; if one of them cannot be made, theirs' value whole */
		size_t en = m->en, nc = m->out->n, mark = m->expect.len, taken = m->out->taken;
		if (o->type == FB_NODE_MAP)
			merge_map(m, b, o, t);
		else
			merge_seq(m, b, o, t);
		if (m->out->n == nc && gives(m, mark, t))
			return true;
		undo(m, en, nc, mark, taken);
		return take(m, b, o, t, oparent);
	}
	if (b && o && t && b->type == o->type && o->type == t->type) {
		if (o->type == FB_NODE_MAP) {
			merge_map(m, b, o, t);
			return true;
		}
		if (o->type == FB_NODE_SEQ) {
			merge_seq(m, b, o, t);
			return true;
		}
	}
	return settle(m, b, o, t, oparent);
}

/* ---- the record -------------------------------------------------------------------------- */

static int cmp_edit(const void *x, const void *y)
{
	const struct edit *a = x, *b = y;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->seq < b->seq ? -1 : 1; /* insertions at one place in the order made */
}

/* Ours with the edits made, into out->text (edits never overlap). */
static void apply(struct mctx *m)
{
	size_t i, pos = 0;

	if (m->en > 1)
		qsort(m->ev, m->en, sizeof(*m->ev), cmp_edit);
	fb_buf_reset(&m->out->text);
	for (i = 0; i < m->en; i++) {
		const struct edit *e = &m->ev[i];
		if (e->start > pos)
			fb_buf_add(&m->out->text, m->o->text + pos, e->start - pos);
		fb_buf_puts(&m->out->text, e->text);
		if (e->end > pos)
			pos = e->end;
	}
	fb_buf_add(&m->out->text, m->o->text + pos, m->o->len - pos);
}

/* Whether the result reads back as the merged data. */
static bool verified(struct mctx *m, const char *path, const struct fb_schema *s)
{
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_doc *got = NULL;
	bool ok = fb_record_parse(&got, path, m->out->text.ptr, m->out->text.len,
				  FB_PARSE_DEFAULT, s, &quiet) == 0 &&
		  got->root && json_is(m->expect.ptr, m->expect.len, got->root);
	fb_doc_free(got);
	fb_diag_release(&quiet);
	return ok;
}

static void conflicts_release(struct fb_merge *m)
{
	size_t i;
	for (i = 0; i < m->n; i++)
		conflict_free(&m->v[i]);
	free(m->v);
	m->v = NULL;
	m->n = m->alloc = 0;
}

void fb_merge_release(struct fb_merge *m)
{
	conflicts_release(m);
	fb_buf_release(&m->text);
	memset(m, 0, sizeof(*m));
}

/* Whether no number in `n` is .nan or .inf (which JSON, and so the check, cannot hold). */
static bool finite(const struct fb_node *n)
{
	uint32_t i;
	if ((n->type == FB_NODE_FLOAT || n->type == FB_NODE_INT) && !isfinite(n->num))
		return false;
	for (i = 0; i < n->n; i++)
		if (!finite(n->kids[i]))
			return false;
	return true;
}

/* The result is one side's text as it is (NULL: no record); `is_conflict`: one at "". */
static void whole(struct fb_merge *out, const struct fb_merge_side *keep, bool is_conflict,
		  const struct fb_doc *b, const struct fb_doc *o, const struct fb_doc *t)
{
	struct mctx m;
	memset(&m, 0, sizeof(m));
	m.out = out;
	fb_buf_reset(&out->text);
	out->present = keep->text != NULL;
	if (keep->text)
		fb_buf_add(&out->text, keep->text, keep->len);
	if (is_conflict)
		conflict(&m, b ? b->root : NULL, o ? o->root : NULL, t ? t->root : NULL);
}

/*
 * When the merge cannot be made by edits: if ours' data is base's, theirs
 * as it is is the answer (ours' comments go); else ours, one conflict.
 */
static void whole_sides(struct fb_merge *out, const struct fb_merge_side *ours,
			const struct fb_merge_side *theirs, struct fb_doc *const docs[3])
{
	bool ours_unchanged = fb_node_equal(docs[0]->root, docs[1]->root);
	out->taken = ours_unchanged;
	whole(out, ours_unchanged ? theirs : ours, !ours_unchanged, docs[0], docs[1], docs[2]);
}

int fb_merge_record(const char *path, const struct fb_schema *s, struct fb_merge_side base,
		    struct fb_merge_side ours, struct fb_merge_side theirs,
		    const struct fb_merge_opts *opts, struct fb_merge *out, struct fb_diag *d)
{
	const struct fb_merge_choice *c;
	enum fb_merge_pick whole_pick = pick_at(opts, "", &c);
	struct fb_merge_side *sides[3] = {&base, &ours, &theirs};
	struct fb_doc *docs[3] = {NULL, NULL, NULL};
	struct fb_merge_side none = {NULL, 0};
	struct mctx m;
	int i, err = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < 3; i++) {
		if (sides[i]->text && !sides[i]->len)
			sides[i]->text = NULL; /* git's empty %O of an add/add */
		if (sides[i]->text && fb_record_parse(&docs[i], path, sides[i]->text,
						      sides[i]->len, FB_PARSE_DEFAULT, s, d) < 0)
			err = FB_ESYNTAX;
	}
	if (err) {
		whole(out, ours.text ? &ours : &theirs, true, NULL, NULL, NULL);
	} else if (!ours.text || !theirs.text) {
		/* deleted on a side: fine if the other left it as it was */
		const struct fb_merge_side *other = ours.text ? &ours : &theirs;
		struct fb_doc *odoc = docs[ours.text ? 1 : 2];
		bool unchanged = !other->text || (docs[0] && fb_node_equal(docs[0]->root, odoc->root));
		if (!base.text && other->text)
			whole(out, other, false, NULL, NULL, NULL); /* added on one side */
		else if (!unchanged && whole_pick == FB_MERGE_OURS)
			whole(out, ours.text ? &ours : &none, false, NULL, NULL, NULL);
		else if (!unchanged && whole_pick == FB_MERGE_THEIRS)
			whole(out, theirs.text ? &theirs : &none, false, NULL, NULL, NULL);
		else
			whole(out, unchanged ? &none : other, !unchanged, docs[0], docs[1], docs[2]);
	} else if (!base.text || fb_node_equal(docs[1]->root, docs[2]->root)) {
		bool equal = fb_node_equal(docs[1]->root, docs[2]->root);
		bool settled = whole_pick == FB_MERGE_OURS || whole_pick == FB_MERGE_THEIRS;
		whole(out, whole_pick == FB_MERGE_THEIRS && !equal ? &theirs : &ours,
		      !equal && !settled, NULL, docs[1], docs[2]);
	} else if (fb_node_equal(docs[0]->root, docs[2]->root)) {
		whole(out, &ours, false, NULL, NULL, NULL); /* theirs changed nothing */
	} else if (!finite(docs[0]->root) || !finite(docs[1]->root) || !finite(docs[2]->root)) {
		whole_sides(out, &ours, &theirs, docs); /* .nan, .inf: no JSON to check by */
	} else {
		memset(&m, 0, sizeof(m));
		m.o = docs[1];
		m.t = docs[2];
		m.opts = opts;
		m.out = out;
		out->present = true;
		fb_buf_puts(&m.path, "");
		merge_value(&m, docs[0]->root, docs[1]->root, docs[2]->root, NULL);
		apply(&m);
		if (!verified(&m, path, s)) {
			conflicts_release(out);
			whole_sides(out, &ours, &theirs, docs);
		}
		for (i = 0; i < (int)m.en; i++)
			free(m.ev[i].text);
		free(m.ev);
		fb_buf_release(&m.expect);
		fb_buf_release(&m.path);
	}
	for (i = 0; i < 3; i++)
		fb_doc_free(docs[i]);
	return err;
}
