/*
 * The canonical layout of a record (see fmt.h).
 *
 * 1. Scan the text for what libyaml does not report: comments and blank
 *    lines.  A `#` is a comment when it is outside every scalar's byte span
 *    or on a block scalar's header line; lines inside a scalar span (block
 *    scalar content, continuation lines) are content up to where the
 *    scalar ends, not blanks.
 * 2. Attach each to an entry (a mapping pair or a sequence item, in document
 *    order): a comment line or blank line belongs to the next entry below
 *    it; an end-of-line comment to the last entry that starts on its line.
 *    Lines above the first entry that end with a blank line are the file's
 *    header; lines after the last entry its trailer.
 * 3. Emit the tree in canonical order and indentation, copying each
 *    scalar's source text (a number in Persian or Arabic-Indic digits is
 *    written with ASCII ones), each entry's lines above it, and its
 *    end-of-line comment.
 * 4. Read the result back: the typed data must be equal and the comments
 *    the same multiset, or the file is refused.
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/check.h>
#include <fieldbook/fmt.h>
#include <fieldbook/text.h>

enum aside_kind { ASIDE_BLANK, ASIDE_COMMENT };

struct aside {
	enum aside_kind kind;
	bool full_line;
	unsigned line, col, gap; /* gap: spaces before an end-of-line comment */
	size_t start, len;       /* the comment's text */
};

struct entry {
	const struct fb_node *node; /* a mapping's value (with ->key) or a sequence item */
	unsigned line;
	size_t first_lead, nlead; /* asides above it: indexes into `lead` */
	const struct aside *trail;
};

struct span {
	size_t start, end;
	bool flow; /* a multi-line flow collection rather than a scalar */
	const struct fb_node *n;
};

struct fmt {
	const struct fb_doc *doc;
	const char *text;
	size_t len;
	size_t *lines; /* byte offset of each line start; lines[0] is line 1 */
	size_t nlines;
	struct span *spans;
	size_t nspans, spans_alloc;
	struct aside *asides;
	size_t nasides, asides_alloc;
	struct entry *entries;
	size_t nentries, entries_alloc;
	const struct aside **lead; /* asides grouped per entry */
	size_t nlead;
	const struct aside **header, **trailer;
	size_t nheader, ntrailer;
	struct fb_buf *out;
	struct fb_diag *d;
	bool refused;
};

static void refuse(struct fmt *f, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void refuse(struct fmt *f, unsigned line, unsigned col, const char *fmt, ...)
{
	struct fb_diag_entry *e;
	va_list ap;
	if (f->refused)
		return;
	va_start(ap, fmt);
	e = fb_diag_vaddf(f->d, FB_SEV_ERROR, f->doc->file, line, col, fmt, ap);
	va_end(ap);
	fb_diag_set(e, "", "fmt", NULL, NULL);
	f->refused = true;
}

/* ---- 1. lines, spans, comments ------------------------------------------ */

static void split_lines(struct fmt *f)
{
	size_t i, alloc = 64;
	f->lines = fb_malloc(alloc * sizeof(*f->lines));
	f->lines[f->nlines++] = 0;
	for (i = 0; i < f->len; i++) {
		if (f->text[i] != '\n' && f->text[i] != '\r')
			continue;
		if (f->text[i] == '\r' && i + 1 < f->len && f->text[i + 1] == '\n')
			i++;
		FB_GROW(f->lines, f->nlines, alloc);
		f->lines[f->nlines++] = i + 1;
	}
}

/* End of line `l` (1-based), before its line break. */
static size_t line_end(const struct fmt *f, size_t l)
{
	size_t e = l < f->nlines ? f->lines[l] : f->len;
	while (e > f->lines[l - 1] && (f->text[e - 1] == '\n' || f->text[e - 1] == '\r'))
		e--;
	return e;
}

static void add_span(struct fmt *f, size_t start, size_t end, bool flow, const struct fb_node *n)
{
	FB_GROW(f->spans, f->nspans, f->spans_alloc);
	f->spans[f->nspans].start = start;
	f->spans[f->nspans].end = end;
	f->spans[f->nspans].flow = flow;
	f->spans[f->nspans++].n = n;
}

static void collect_spans(struct fmt *f, const struct fb_node *n)
{
	uint32_t i;
	if (n->key)
		add_span(f, n->key->start, n->key->end, false, n->key);
	if (fb_node_is_scalar(n)) {
		add_span(f, n->start, n->end, false, n);
		return;
	}
	if (n->style == FB_STYLE_FLOW && n->end_line > n->line)
		add_span(f, n->start, n->end, true, n);
	for (i = 0; i < n->n; i++)
		collect_spans(f, n->kids[i]);
}

static int cmp_span(const void *pa, const void *pb)
{
	const struct span *a = pa, *b = pb;
	return a->start < b->start ? -1 : a->start > b->start;
}

/* The scalar span holding byte `p`, if any (scalar spans never overlap). */
static const struct span *scalar_at(const struct fmt *f, size_t p)
{
	size_t lo = 0, hi = f->nspans;
	const struct span *best = NULL;
	while (lo < hi) { /* the last scalar span starting at or before p */
		size_t mid = (lo + hi) / 2;
		if (f->spans[mid].start <= p) {
			if (!f->spans[mid].flow)
				best = &f->spans[mid];
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	/* a flow span in between can hide the nearest scalar: look back a little */
	if (best && p < best->end)
		return best;
	for (lo = 0; lo < f->nspans && f->spans[lo].start <= p; lo++)
		if (!f->spans[lo].flow && p >= f->spans[lo].start && p < f->spans[lo].end)
			return &f->spans[lo];
	return NULL;
}

static const struct span *flow_at(const struct fmt *f, size_t p)
{
	size_t i;
	for (i = 0; i < f->nspans; i++)
		if (f->spans[i].flow && p > f->spans[i].start && p < f->spans[i].end)
			return &f->spans[i];
	return NULL;
}

static void add_aside(struct fmt *f, enum aside_kind kind, bool full, unsigned line, unsigned col,
		      unsigned gap, size_t start, size_t len)
{
	struct aside *a;
	FB_GROW(f->asides, f->nasides, f->asides_alloc);
	a = &f->asides[f->nasides++];
	a->kind = kind;
	a->full_line = full;
	a->line = line;
	a->col = col;
	a->gap = gap;
	a->start = start;
	a->len = len;
}

/* Whether `p` is on the header line of block scalar span `sc` (`key: |  # c`). */
static bool block_header(const struct fmt *f, const struct span *sc, size_t p)
{
	size_t i;
	if (sc->n->style != FB_STYLE_LITERAL && sc->n->style != FB_STYLE_FOLDED)
		return false;
	for (i = sc->start; i < p; i++)
		if (f->text[i] == '\n' || f->text[i] == '\r')
			return false;
	return true;
}

static bool is_marker(const char *s, size_t len)
{
	return len >= 3 && (!memcmp(s, "---", 3) || !memcmp(s, "...", 3)) &&
	       (len == 3 || s[3] == ' ' || s[3] == '\t');
}

static void scan_asides(struct fmt *f)
{
	size_t l;
	for (l = 1; l <= f->nlines; l++) {
		size_t ls = f->lines[l - 1], le = line_end(f, l), p;
		const struct span *in;

		if (ls >= f->len && l == f->nlines)
			break; /* the empty "line" after a final newline */
		in = ls < f->len ? scalar_at(f, ls) : NULL;
		if (in && in->start < ls) {
			/* inside a multi-line scalar: content, up to where the scalar ends */
			if (in->end >= le)
				continue;
			p = in->end;
		} else if (is_marker(f->text + ls, le - ls)) {
			p = ls + 3; /* `---` or `...`: a comment may follow */
		} else {
			for (p = ls; p < le && (f->text[p] == ' ' || f->text[p] == '\t'); p++)
				;
			if (p == le) {
				add_aside(f, ASIDE_BLANK, true, (unsigned)l, 1, 0, 0, 0);
				continue;
			}
		}
		for (; p < le; p++) {
			size_t e, g;
			if (f->text[p] != '#')
				continue;
			/* outside every scalar, a '#' is a comment (libyaml needs no blank
			   before it after a flow indicator or a closing quote) */
			if (scalar_at(f, p) && !block_header(f, scalar_at(f, p), p))
				continue;
			for (e = le; e > p && (f->text[e - 1] == ' ' || f->text[e - 1] == '\t'); e--)
				;
			for (g = p; g > ls && (f->text[g - 1] == ' ' || f->text[g - 1] == '\t'); g--)
				;
			if (flow_at(f, p)) {
				const struct span *fl = flow_at(f, p);
				refuse(f, (unsigned)l, (unsigned)fb_utf8_count(f->text + ls, p - ls) + 1,
				       "cannot keep this comment: it is inside the multi-line "
				       "collection at %u:%u; write that list in block style "
				       "('- item' lines) by hand, then run fmt",
				       fl->n->line, fl->n->col);
			}
			add_aside(f, ASIDE_COMMENT, g == ls, (unsigned)l,
				  (unsigned)fb_utf8_count(f->text + ls, p - ls) + 1, (unsigned)(p - g),
				  p, e - p);
			break;
		}
	}
}

/* ---- 2. entries and attachment ------------------------------------------ */

static void collect_entries(struct fmt *f, const struct fb_node *n)
{
	uint32_t i;
	for (i = 0; i < n->n; i++) {
		const struct fb_node *c = n->kids[i];
		struct entry *e;
		FB_GROW(f->entries, f->nentries, f->entries_alloc);
		e = &f->entries[f->nentries++];
		memset(e, 0, sizeof(*e));
		e->node = c;
		e->line = c->key ? c->key->line : c->line;
		collect_entries(f, c);
	}
}

static struct entry *entry_of(const struct fmt *f, const struct fb_node *n)
{
	size_t i;
	for (i = 0; i < f->nentries; i++)
		if (f->entries[i].node == n)
			return &f->entries[i];
	return NULL;
}

/* The first entry starting below `line`, or nentries. */
static size_t entry_below(const struct fmt *f, unsigned line)
{
	size_t lo = 0, hi = f->nentries;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (f->entries[mid].line > line)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Whether an end-of-line comment has nothing but dashes before it on its line. */
static bool only_dashes(const struct fmt *f, const struct aside *a)
{
	size_t p = f->lines[a->line - 1];
	bool dash = false;
	for (; p < a->start; p++) {
		if (f->text[p] == '-')
			dash = true;
		else if (f->text[p] != ' ' && f->text[p] != '\t')
			return false;
	}
	return dash;
}

/* `- # comment` over a collection: the comment keeps the dash line to itself. */
static bool dash_alone(const struct entry *e)
{
	return e->trail && !fb_node_is_scalar(e->node) && e->node->n &&
	       e->trail->line < e->node->line;
}

static void attach(struct fmt *f)
{
	unsigned first_line = f->nentries ? f->entries[0].line : UINT32_MAX;
	size_t i, last_head = SIZE_MAX;

	f->lead = fb_calloc(f->nasides + 1, sizeof(*f->lead));
	f->header = fb_calloc(f->nasides + 1, sizeof(*f->header));
	f->trailer = fb_calloc(f->nasides + 1, sizeof(*f->trailer));

	/*
	 * The header: every line above the first entry.  It stays at the top
	 * even when fmt puts another key first (a file's leading comment is
	 * about the file, not about whichever key happened to come first).
	 */
	for (i = 0; i < f->nasides && f->asides[i].line < first_line && f->asides[i].full_line; i++)
		last_head = i;
	for (i = 0; last_head != SIZE_MAX && i <= last_head; i++)
		f->header[f->nheader++] = &f->asides[i];

	/* asides and entries are both in text order, so each list stays contiguous */
	for (; i < f->nasides; i++) {
		const struct aside *a = &f->asides[i];
		size_t j = entry_below(f, a->line);
		if (!a->full_line) {
			/*
			 * The outermost entry that starts and ends on the comment's
			 * line (`phones: [a, b]  # c` is about phones); else, on a
			 * line that is only a dash, the item below it; else the last
			 * one that started above (a continuation line).
			 */
			struct entry *e = NULL;
			size_t k = j;
			while (k > 0 && f->entries[k - 1].line == a->line)
				k--;
			for (; k < j && !e; k++)
				if (f->entries[k].node->end_line <= a->line)
					e = &f->entries[k];
			/* a block item on one line (`- x: y  # c`): the comment is its last entry's */
			while (e && !e->node->key && !fb_node_is_scalar(e->node) && e->node->n) {
				const struct fb_node *last = e->node->kids[e->node->n - 1];
				struct entry *le = entry_of(f, last);
				if (!le || le->line != a->line || last->end_line > a->line)
					break;
				e = le;
			}
			/* `- # c` with the item's value on the lines below: the item's */
			if (!e && only_dashes(f, a) && j < f->nentries && !f->entries[j].node->key)
				e = &f->entries[j];
			if (!e && j)
				e = &f->entries[j - 1];
			if (!e) {
				f->header[f->nheader++] = a;
			} else if (e->trail || (a->line < e->node->line && fb_node_is_scalar(e->node) &&
						e->node->end_line > e->node->line)) {
				/* a second one, or `- # c` over a text of several lines: it would
				   land after the text's last line, which reads back as its own */
				refuse(f, a->line, a->col,
				       e->trail ? "cannot keep this comment: it follows a value that "
						  "spans several lines; put it on a line of its own"
						: "cannot keep this comment: the text below it spans several "
						  "lines; put the comment on a line of its own");
			} else {
				e->trail = a;
			}
			continue;
		}
		if (j == f->nentries) {
			f->trailer[f->ntrailer++] = a;
			continue;
		}
		/* between a lone `- # c` and its collection: the collection's first entry's */
		while (dash_alone(&f->entries[j]))
			j++; /* entries are in pre-order: the next one is its first child */
		if (!f->entries[j].nlead)
			f->entries[j].first_lead = f->nlead;
		f->lead[f->nlead++] = a;
		f->entries[j].nlead++;
	}
	/* blank lines at the end of the file are not kept */
	while (f->ntrailer && f->trailer[f->ntrailer - 1]->kind == ASIDE_BLANK)
		f->ntrailer--;
}

/* ---- 3. emitting ----------------------------------------------------------- */

static void indent_to(struct fmt *f, unsigned n)
{
	fb_buf_addch(f->out, ' ', n);
}

static void emit_asides(struct fmt *f, const struct aside *const *v, size_t n, unsigned indent)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (v[i]->kind == ASIDE_COMMENT) {
			indent_to(f, indent);
			fb_buf_add(f->out, f->text + v[i]->start, v[i]->len);
		}
		fb_buf_putc(f->out, '\n');
	}
}

static void emit_trail(struct fmt *f, const struct aside *a)
{
	if (!a)
		return;
	fb_buf_addch(f->out, ' ', a->gap ? a->gap : 1);
	fb_buf_add(f->out, f->text + a->start, a->len);
}

/* A plain scalar whose text YAML 1.2 would read as something else than the string it is. */
static bool needs_quotes(const struct fb_node *n)
{
	return n->type == FB_NODE_STR && n->style == FB_STYLE_PLAIN && !n->tagged &&
	       fb_scalar_resolve(n->str, n->len, NULL) != FB_NODE_STR;
}

/* A plain number written with Persian or Arabic-Indic digits (typing rewrote its text). */
static bool native_number(const struct fmt *f, const struct fb_node *n)
{
	return (n->type == FB_NODE_INT || n->type == FB_NODE_FLOAT) &&
	       n->style == FB_STYLE_PLAIN && n->line == n->end_line &&
	       (n->end - n->start != n->len || memcmp(f->text + n->start, n->str, n->len));
}

static void double_quoted(struct fb_buf *out, const char *s, size_t len)
{
	size_t i;
	fb_buf_putc(out, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fb_buf_putc(out, '\\');
		if (c < 0x20)
			fb_buf_addf(out, "\\x%02x", c);
		else
			fb_buf_putc(out, (char)c);
	}
	fb_buf_putc(out, '"');
}

static unsigned leading_spaces(const char *s, size_t len)
{
	unsigned n = 0;
	while (n < len && s[n] == ' ')
		n++;
	return n;
}

/*
 * A block scalar (| or >): its header as written, then its lines moved to
 * `indent`; blank lines that end the span are emitted after it.
 */
static void emit_block_scalar(struct fmt *f, const struct fb_node *n, unsigned indent,
			      const struct aside *trail)
{
	const char *t = f->text;
	size_t p = n->start, hend, i, nl = 0, last_text = 0, l0;
	unsigned orig = UINT32_MAX;
	bool explicit_indent = false;
	size_t *starts = NULL, *ends = NULL, alloc = 0, cnt = 0;

	/* the header: up to the end of the line, or a comment */
	for (hend = p; hend < n->end && t[hend] != '\n' && t[hend] != '\r'; hend++)
		if (t[hend] == '#')
			break;
	if (!memchr(t + p, '|', hend - p) && !memchr(t + p, '>', hend - p))
		refuse(f, n->line, n->col,
		       "cannot format this block scalar: its | or > is not on the line where "
		       "the value starts; put them on one line");
	while (hend > p && (t[hend - 1] == ' ' || t[hend - 1] == '\t'))
		hend--;
	for (i = p; i < hend; i++)
		if (t[i] >= '1' && t[i] <= '9')
			explicit_indent = true;
	fb_buf_add(f->out, t + p, hend - p);
	emit_trail(f, trail);
	fb_buf_putc(f->out, '\n');

	/* the content lines */
	l0 = n->line + 1;
	for (; l0 <= f->nlines && f->lines[l0 - 1] < n->end; l0++) {
		size_t ls = f->lines[l0 - 1], le = line_end(f, l0);
		FB_GROW(starts, cnt, alloc);
		ends = fb_realloc(ends, alloc * sizeof(*ends));
		starts[cnt] = ls;
		ends[cnt++] = le;
		if (le > ls + leading_spaces(t + ls, le - ls)) {
			unsigned sp = leading_spaces(t + ls, le - ls);
			if (sp < orig)
				orig = sp;
			last_text = cnt;
		}
	}
	if (orig == UINT32_MAX)
		orig = indent + 2;
	if (explicit_indent && orig != indent + 2)
		refuse(f, n->line, n->col,
		       "cannot re-indent this block scalar: it has an explicit indentation "
		       "indicator; indent it by hand");
	for (i = 0; i < last_text; i++) {
		size_t ls = starts[i], le = ends[i];
		if (le - ls <= orig && leading_spaces(t + ls, le - ls) == le - ls) {
			fb_buf_putc(f->out, '\n'); /* an empty line inside the text */
			continue;
		}
		indent_to(f, indent + 2);
		fb_buf_add(f->out, t + ls + orig, le - ls - orig);
		fb_buf_putc(f->out, '\n');
	}
	/* the blank lines the scanner gave to the scalar belong between entries */
	for (nl = last_text; nl < cnt; nl++)
		fb_buf_putc(f->out, '\n');
	free(starts);
	free(ends);
}

/* A scalar after "key: " or "- ", with its end-of-line comment and the line break. */
static void emit_scalar(struct fmt *f, const struct fb_node *n, unsigned indent,
			const struct aside *trail)
{
	const char *t = f->text;
	size_t p, ls;

	if (n->style == FB_STYLE_LITERAL || n->style == FB_STYLE_FOLDED) {
		emit_block_scalar(f, n, indent, trail);
		return;
	}
	if (needs_quotes(n)) {
		double_quoted(f->out, n->str, n->len);
	} else if (native_number(f, n)) {
		fb_buf_add(f->out, n->str, n->len); /* its ASCII digits */
	} else if (n->end_line == n->line) {
		fb_buf_add(f->out, t + n->start, n->end - n->start);
	} else {
		/* a quoted or plain scalar over several lines: re-indent the rest */
		for (p = n->start; p < n->end && t[p] != '\n' && t[p] != '\r'; p++)
			;
		fb_buf_add(f->out, t + n->start, p - n->start);
		while (p < n->end) {
			if (t[p] == '\r' && p + 1 < n->end && t[p + 1] == '\n')
				p++;
			p++;
			fb_buf_putc(f->out, '\n');
			for (ls = p; p < n->end && (t[p] == ' ' || t[p] == '\t'); p++)
				;
			if (p >= n->end || t[p] == '\n' || t[p] == '\r')
				continue; /* an empty line: a line break in the value */
			indent_to(f, indent + 2);
			for (ls = p; p < n->end && t[p] != '\n' && t[p] != '\r'; p++)
				;
			fb_buf_add(f->out, t + ls, p - ls);
		}
	}
	emit_trail(f, trail);
	fb_buf_putc(f->out, '\n');
}

static void emit_map(struct fmt *f, const struct fb_node *map, unsigned indent, bool inline_first);
static void emit_seq(struct fmt *f, const struct fb_node *seq, unsigned indent, bool inline_first);

static void emit_empty_or_nested(struct fmt *f, const struct fb_node *v, unsigned indent,
				 const struct aside *trail, bool after_dash)
{
	if (fb_node_is_scalar(v)) {
		emit_scalar(f, v, indent, trail);
	} else if (v->n == 0) {
		fb_buf_puts(f->out, v->type == FB_NODE_SEQ ? "[]" : "{}");
		emit_trail(f, trail);
		fb_buf_putc(f->out, '\n');
	} else if (after_dash) {
		if (v->type == FB_NODE_MAP)
			emit_map(f, v, indent + 2, true);
		else
			emit_seq(f, v, indent + 2, true);
	} else {
		emit_trail(f, trail);
		fb_buf_putc(f->out, '\n');
		if (v->type == FB_NODE_MAP)
			emit_map(f, v, indent + 2, false);
		else
			emit_seq(f, v, indent + 2, false);
	}
}

static void emit_entry_value(struct fmt *f, const struct entry *e, unsigned indent)
{
	const struct fb_node *v = e->node;
	if (fb_node_is_scalar(v) && v->type == FB_NODE_NULL && v->start == v->end) {
		emit_trail(f, e->trail); /* `key:` with nothing after it */
		fb_buf_putc(f->out, '\n');
		return;
	}
	fb_buf_putc(f->out, ' ');
	if (!fb_node_is_scalar(v) && v->n) {
		fb_buf_setlen(f->out, f->out->len - 1); /* "key:" then the block below */
	}
	emit_empty_or_nested(f, v, indent, e->trail, false);
}

/* The schema's order of a mapping's children: known keys first, others after. */
static size_t canonical_order(const struct fb_node *map, const struct fb_node **order)
{
	const struct fb_schema *s = map->schema;
	size_t n = 0, i, j, np = fb_schema_nproperties(s);
	bool *used = fb_calloc(map->n + 1, sizeof(*used));

	for (i = 0; i < np; i++) {
		const char *name = fb_schema_property_name(s, i);
		for (j = 0; j < map->n; j++)
			if (!used[j] && fb_node_key_is(map->kids[j]->key, name)) {
				used[j] = true;
				order[n++] = map->kids[j];
				break;
			}
	}
	for (j = 0; j < map->n; j++)
		if (!used[j])
			order[n++] = map->kids[j];
	free(used);
	return n;
}

static void emit_map(struct fmt *f, const struct fb_node *map, unsigned indent, bool inline_first)
{
	const struct fb_node **order = fb_malloc((map->n + 1) * sizeof(*order));
	size_t i, n = canonical_order(map, order);

	for (i = 0; i < n; i++) {
		const struct entry *e = entry_of(f, order[i]);
		const struct fb_node *k = order[i]->key;
		if (!(inline_first && i == 0)) {
			emit_asides(f, f->lead + e->first_lead, e->nlead, indent);
			indent_to(f, indent);
		}
		if (k->end_line != k->line || k->style == FB_STYLE_LITERAL ||
		    k->style == FB_STYLE_FOLDED)
			refuse(f, k->line, k->col,
			       "cannot format a key written over several lines or as a block "
			       "scalar (| or >); write the key on one line");
		fb_buf_add(f->out, f->text + k->start, k->end - k->start);
		fb_buf_putc(f->out, ':');
		emit_entry_value(f, e, indent);
	}
	free(order);
}

static void emit_seq(struct fmt *f, const struct fb_node *seq, unsigned indent, bool inline_first)
{
	uint32_t i;
	for (i = 0; i < seq->n; i++) {
		const struct fb_node *item = seq->kids[i];
		const struct entry *e = entry_of(f, item);
		bool own_line = dash_alone(e);
		if (!(inline_first && i == 0)) {
			emit_asides(f, f->lead + e->first_lead, e->nlead, indent);
			/* the first key of an item mapping sits on the dash line: its lines too */
			if (item->type == FB_NODE_MAP && item->n && !own_line) {
				const struct fb_node *first[1];
				const struct fb_node **order = fb_malloc((item->n + 1) * sizeof(*order));
				const struct entry *fe;
				canonical_order(item, order);
				first[0] = order[0];
				fe = entry_of(f, first[0]);
				emit_asides(f, f->lead + fe->first_lead, fe->nlead, indent);
				free(order);
			}
			indent_to(f, indent);
		}
		if (fb_node_is_scalar(item) && item->type == FB_NODE_NULL && item->start == item->end) {
			fb_buf_putc(f->out, '-'); /* an empty item: no space after the dash */
			emit_trail(f, e->trail);
			fb_buf_putc(f->out, '\n');
			continue;
		}
		if (own_line) {
			fb_buf_putc(f->out, '-');
			emit_trail(f, e->trail);
			fb_buf_putc(f->out, '\n');
			if (item->type == FB_NODE_MAP)
				emit_map(f, item, indent + 2, false);
			else
				emit_seq(f, item, indent + 2, false);
			continue;
		}
		fb_buf_puts(f->out, "- ");
		emit_empty_or_nested(f, item, indent, e->trail, true);
	}
}

/* ---- 4. entry point and checking the result ---------------------------------- */

static void setup(struct fmt *f, const struct fb_doc *doc)
{
	memset(f, 0, sizeof(*f));
	f->doc = doc;
	f->text = doc->text;
	f->len = doc->len;
	split_lines(f);
	if (doc->root)
		collect_spans(f, doc->root);
	if (f->nspans > 1)
		qsort(f->spans, f->nspans, sizeof(*f->spans), cmp_span);
}

static void teardown(struct fmt *f)
{
	free(f->lines);
	free(f->spans);
	free(f->asides);
	free(f->entries);
	free(f->lead);
	free(f->header);
	free(f->trailer);
}

void fb_fmt_comments(const struct fb_doc *doc, struct fb_strvec *out)
{
	struct fmt f;
	struct fb_diag ignore = FB_DIAG_INIT;
	size_t i;
	setup(&f, doc);
	f.d = &ignore;
	scan_asides(&f);
	for (i = 0; i < f.nasides; i++)
		if (f.asides[i].kind == ASIDE_COMMENT) {
			char *s = fb_strndup(f.text + f.asides[i].start, f.asides[i].len);
			fb_strvec_push(out, s);
			free(s);
		}
	teardown(&f);
	fb_diag_release(&ignore);
}

/* Read the rewrite back: the same data and the same comments, or it is refused. */
static void verify(struct fmt *f, const struct fb_schema *s, const struct fb_buf *text)
{
	struct fb_diag d = FB_DIAG_INIT;
	struct fb_doc *doc = NULL;
	struct fb_strvec before = {0}, after = {0};
	size_t i;
	bool same;

	if (fb_record_parse(&doc, f->doc->file, text->ptr, text->len, FB_PARSE_DEFAULT, s, &d) < 0) {
		refuse(f, 1, 1, "fmt cannot rewrite this file safely (the result would not read "
			  "back: %s); please report it", d.n ? d.v[0].message : "?");
		goto out;
	}
	fb_fmt_comments(f->doc, &before);
	fb_fmt_comments(doc, &after);
	fb_strvec_sort(&before);
	fb_strvec_sort(&after);
	same = before.n == after.n;
	for (i = 0; same && i < before.n; i++)
		same = !strcmp(before.v[i], after.v[i]);
	if (!same)
		refuse(f, 1, 1, "fmt cannot keep every comment of this file where it is; "
			  "format it by hand");
	else if (!fb_node_equal(f->doc->root, doc->root))
		refuse(f, 1, 1, "fmt cannot rewrite this file without changing its data; "
			  "please report it");
out:
	fb_strvec_release(&before);
	fb_strvec_release(&after);
	fb_doc_free(doc);
	fb_diag_release(&d);
}

int fb_fmt_record(const struct fb_doc *doc, const struct fb_schema *s, struct fb_buf *out,
		  struct fb_diag *d)
{
	struct fb_buf text = FB_BUF_INIT;
	struct fmt f;

	setup(&f, doc);
	f.d = d;
	f.out = &text;
	scan_asides(&f);
	if (doc->root)
		collect_entries(&f, doc->root);
	attach(&f);
	if (!f.refused) {
		emit_asides(&f, f.header, f.nheader, 0);
		if (doc->root && doc->root->n)
			emit_map(&f, doc->root, 0, false);
		emit_asides(&f, f.trailer, f.ntrailer, 0);
		verify(&f, s, &text);
	}
	if (!f.refused)
		fb_buf_add(out, text.ptr, text.len);
	fb_buf_release(&text);
	teardown(&f);
	return f.refused ? FB_EINVALID : 0;
}
