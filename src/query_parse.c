/*
 * Query: parsing (see query.h, query_int.h).
 *
 * Parsing is recursive descent over the text with a depth limit; the parser
 * reads paths and values itself (a value is a quoted string or a bare word,
 * which may hold balanced parentheses: `name ~ (علی|حسن)`), so an error can
 * point at the exact column.  Every text given is checked to be UTF-8
 * first, and a literal compared with an x-date field must be a date (the
 * one parser's reason is the error), so neither is ever compared as bytes
 * or text by accident.  A path is resolved against the schema as it is
 * read: a step into an array goes to its items, a step past an x-ref field
 * continues in the referenced type.
 */
#include "query_int.h"

/* ---- paths --------------------------------------------------------------------- */

void query_path_free(struct qpath *p)
{
	size_t i;
	for (i = 0; i < p->nsegs; i++)
		free(p->segs[i]);
	free(p->segs);
	free(p->text);
}

bool query_valid_name_char(unsigned char c)
{
	return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '$';
}

static size_t did_you_mean(const struct fb_schema *s, const char *seg, const char **best)
{
	size_t i, n = fb_schema_nproperties(s), bestd = 3;
	*best = NULL;
	for (i = 0; i < n; i++) {
		const char *name = fb_schema_property_name(s, i);
		size_t la = strlen(seg), lb = strlen(name), d;
		/* a small edit distance, enough for a suggestion */
		size_t row[64], j, k;
		if (la >= 63 || lb >= 63)
			continue;
		for (k = 0; k <= lb; k++)
			row[k] = k;
		for (j = 1; j <= la; j++) {
			size_t prev = row[0], tmp;
			row[0] = j;
			for (k = 1; k <= lb; k++) {
				size_t sub = prev + (seg[j - 1] != name[k - 1]);
				tmp = row[k];
				row[k] = sub < row[k] + 1 ? sub : row[k] + 1;
				if (row[k - 1] + 1 < row[k])
					row[k] = row[k - 1] + 1;
				prev = tmp;
			}
		}
		d = row[lb];
		if (d < bestd && d < la) {
			bestd = d;
			*best = name;
		}
	}
	return n;
}

/*
 * Resolve segments against schema `s` (of type `type`).  Unknown fields are
 * an error where the schema lists its fields; a step past an x-ref field
 * hands the rest to a deref table.
 */
int query_resolve(struct fb_query *q, struct qpath *p, const char *type,
		   const struct fb_schema *s, struct fb_diag *d, unsigned col)
{
	size_t i;

	p->hop = p->nsegs;
	for (i = 0; i < p->nsegs; i++) {
		const char *seg = p->segs[i], *xref;
		const struct fb_schema *c = NULL, *items;

		if (s) {
			c = fb_schema_property(s, seg, strlen(seg));
			if (!c && (items = fb_schema_item(s, 0)))
				c = fb_schema_property(items, seg, strlen(seg));
			if (!c && fb_schema_nproperties(items = fb_schema_item(s, 0) ? fb_schema_item(s, 0) : s)) {
				const char *best;
				did_you_mean(items, seg, &best);
				size_t k, before = 0;
				for (k = 0; k < i; k++)
					before += fb_utf8_count(p->segs[k], strlen(p->segs[k])) + 1;
				if (q->parsing)
					fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, "query", 1,
								 col + (unsigned)before,
								 "unknown field '%s' in %s%s%s%s", seg,
								 type, best ? " (did you mean '" : "",
								 best ? best : "", best ? "'?)" : ""),
						    q->parsing, "path", seg, NULL);
				else
					fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
						     "%s '%s': unknown field '%s' in %s%s%s%s",
						     q->option, p->text, seg, type,
						     best ? " (did you mean '" : "", best ? best : "",
						     best ? "'?)" : "");
				return FB_EUSAGE;
			}
		}
		s = c;
		xref = fb_schema_xref(c);
		if (!xref && c && (items = fb_schema_item(c, 0)))
			xref = fb_schema_xref(items);
		if (xref && i + 1 < p->nsegs) {
			size_t k, before = 0; /* the rest starts this many characters in */
			for (k = 0; k <= i; k++)
				before += fb_utf8_count(p->segs[k], strlen(p->segs[k])) + 1;
			p->hop = i + 1;
			p->table = query_deref_table(q, xref, p->segs + i + 1, p->nsegs - i - 1, d,
					       col + (unsigned)before);
			if (!p->table)
				return FB_EUSAGE;
			p->leaf = p->table->rest.leaf;
			return 0;
		}
	}
	p->leaf = s;
	return 0;
}

/* Parse "a.b.c" (already checked to be names) into a path of `type`. */
struct qpath *query_make_path(struct fb_query *q, const char *text, size_t len, const char *type,
			       const struct fb_schema *s, struct fb_diag *d, unsigned col)
{
	struct qpath *p = fb_calloc(1, sizeof(*p));
	size_t i = 0, alloc = 0;

	p->text = fb_strndup(text, len);
	while (i <= len) {
		size_t j = i;
		while (j < len && text[j] != '.')
			j++;
		FB_GROW(p->segs, p->nsegs, alloc);
		p->segs[p->nsegs++] = fb_strndup(text + i, j - i);
		i = j + 1;
	}
	FB_GROW(q->paths, q->npaths, q->paths_alloc);
	q->paths[q->npaths++] = p;
	if (query_resolve(q, p, type, s, d, col) < 0)
		return NULL;
	return p;
}

/* ---- the expression language ------------------------------------------------------ */

struct parser {
	struct fb_query *q;
	const char *text;
	size_t len, pos;
	int depth;
	struct fb_diag *d;
	int err;
};

static unsigned column(const struct parser *p, size_t at)
{
	return (unsigned)fb_utf8_count(p->text, at < p->len ? at : p->len) + 1;
}

static void perror_at(struct parser *p, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void perror_at(struct parser *p, size_t at, const char *fmt, ...)
{
	struct fb_diag_entry *e;
	va_list ap;
	if (p->err)
		return;
	va_start(ap, fmt);
	e = fb_diag_vaddf(p->d, FB_SEV_ERROR, "query", 1, column(p, at), fmt, ap);
	va_end(ap);
	fb_diag_set(e, p->text, "syntax", NULL, NULL);
	p->err = FB_ESYNTAX;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		size_t at = p->pos;
		int32_t cp = fb_utf8_next(p->text, p->len, &p->pos);
		if (cp < 0 || !fb_is_space((uint32_t)cp)) {
			p->pos = at;
			return;
		}
	}
}

/* A keyword (and/or/not) at the current position, followed by a boundary. */
static bool keyword(struct parser *p, const char *kw)
{
	size_t n = strlen(kw);
	char after;
	if (p->pos + n > p->len || strncasecmp(p->text + p->pos, kw, n))
		return false;
	after = p->pos + n < p->len ? p->text[p->pos + n] : ' ';
	if (query_valid_name_char((unsigned char)after) || after == '.')
		return false;
	p->pos += n;
	return true;
}

static bool symbol(struct parser *p, const char *sym)
{
	size_t n = strlen(sym);
	if (p->pos + n > p->len || memcmp(p->text + p->pos, sym, n))
		return false;
	p->pos += n;
	return true;
}

static struct qexpr *new_expr(struct parser *p, int kind)
{
	struct qexpr *e = fb_calloc(1, sizeof(*e));
	e->kind = kind;
	FB_GROW(p->q->exprs, p->q->nexprs, p->q->exprs_alloc);
	p->q->exprs[p->q->nexprs++] = e;
	return e;
}

static enum op read_op(struct parser *p)
{
	static const struct {
		const char *s;
		enum op op;
	} ops[] = {{"!=", OP_NE}, {"!~", OP_NOMATCH}, {"<=", OP_LE}, {">=", OP_GE}, {"=", OP_EQ},
		   {"~", OP_MATCH}, {"<", OP_LT},	  {">", OP_GT}};
	size_t i;
	for (i = 0; i < FB_ARRAY_SIZE(ops); i++)
		if (symbol(p, ops[i].s))
			return ops[i].op;
	return OP_PRESENT;
}

/* A quoted string or a bare word (balanced parentheses allowed inside). */
static bool read_value(struct parser *p, struct fb_buf *out)
{
	char q = p->pos < p->len ? p->text[p->pos] : '\0';
	size_t start = p->pos;
	int depth = 0;

	if (q == '\'' || q == '"') {
		p->pos++;
		while (p->pos < p->len && p->text[p->pos] != q) {
			if (p->text[p->pos] == '\\' && q == '"' && p->pos + 1 < p->len &&
			    (p->text[p->pos + 1] == '"' || p->text[p->pos + 1] == '\\'))
				p->pos++; /* \" and \\ in double quotes; other backslashes stay (regexes) */
			fb_buf_putc(out, p->text[p->pos++]);
		}
		if (p->pos >= p->len) {
			perror_at(p, start, "the quote %c opened here is not closed", q);
			return false;
		}
		p->pos++;
		return true;
	}
	while (p->pos < p->len) {
		size_t at = p->pos;
		int32_t cp = fb_utf8_next(p->text, p->len, &p->pos);
		if ((cp >= 0 && fb_is_space((uint32_t)cp)) ||
		    ((cp == '&' || cp == '|') && p->pos < p->len && p->text[p->pos] == cp)) {
			p->pos = at; /* white space, or && and || end a bare word */
			break;
		}
		if (cp == '(')
			depth++;
		if (cp == ')' && depth-- == 0) {
			p->pos = at;
			break;
		}
		fb_buf_add(out, p->text + at, p->pos - at);
	}
	return out->len > 0;
}

/* Whether the schema makes the path's values dates (x-date on it, or on its items). */
static bool date_field(const struct qpath *path)
{
	return (fb_schema_xflags(path->leaf) | fb_schema_xflags(fb_schema_item(path->leaf, 0))) &
	       FB_X_DATE;
}

/*
 * `=` or `!=` with a value the field's enum does not have is true (false)
 * only for invalid records: a warning, with the values the schema allows.  Values
 * compare as the test compares them (numbers as numbers, text by its key).
 */
static void check_enum(struct parser *p, const struct qexpr *e, size_t at)
{
	const struct literal *l = &e->lit;
	const struct fb_node *en = fb_schema_enum(e->path->leaf);
	struct fb_buf key = FB_BUF_INIT, list = FB_BUF_INIT, shown = FB_BUF_INIT;
	bool exact = p->q->o.exact;
	uint32_t i;

	if (!en)
		en = fb_schema_enum(fb_schema_item(e->path->leaf, 0));
	if (!en || en->type != FB_NODE_SEQ || !en->n)
		return;
	for (i = 0; i < en->n; i++) {
		const struct fb_node *k = en->kids[i];
		if (!fb_node_is_scalar(k) || k->type == FB_NODE_NULL)
			continue;
		if ((k->type == FB_NODE_INT || k->type == FB_NODE_FLOAT) && l->is_num) {
			if (k->num == l->num)
				goto out;
			continue;
		}
		fb_buf_reset(&key);
		query_cmp_key(&key, k->str, k->len, exact);
		if (!query_bytes_cmp(key.ptr, key.len, l->folded, l->folded_len))
			goto out;
	}
	for (i = 0; i < en->n; i++) {
		const struct fb_node *k = en->kids[i];
		if (i)
			fb_buf_puts(&list, i + 1 == en->n ? " or " : ", ");
		if (fb_node_is_scalar(k) && k->type != FB_NODE_NULL)
			fb_buf_add(&list, k->str, k->len);
		else
			fb_buf_puts(&list, k->type == FB_NODE_NULL ? "null" : "(a collection)");
	}
	fb_diag_shorten(&shown, l->text, l->len, 60);
	fb_diag_set(fb_diag_addf(p->d, FB_SEV_WARNING, "query", 1, column(p, at),
				 "'%s' has no value '%s': its schema allows %s", e->path->text,
				 shown.ptr, list.ptr),
		    p->text, "enum", l->text, list.ptr);
out:
	fb_buf_release(&key);
	fb_buf_release(&list);
	fb_buf_release(&shown);
}

static void read_literal(struct parser *p, struct qexpr *e, const struct fb_buf *v, size_t at)
{
	struct literal *l = &e->lit;
	struct fb_buf scratch = FB_BUF_INIT, reason = FB_BUF_INIT;
	bool exact = p->q->o.exact;

	l->text = fb_strndup(v->ptr, v->len);
	l->len = v->len;
	l->is_num = query_looks_numeric(v->ptr, v->len, &l->num);
	l->is_day = fb_date_parse_arg(l->text, p->q->o.today, &l->day, &reason) == 0;
	/* on an x-date field a comparison needs a date: no text fallback (SPEC §5) */
	if (!l->is_day && e->op != OP_MATCH && e->op != OP_NOMATCH && date_field(e->path))
		perror_at(p, at, "bad date '%s': %s", l->text,
			  reason.len ? reason.ptr : "unrecognised date");
	fb_buf_release(&reason);
	query_cmp_key(&scratch, v->ptr, v->len, exact);
	l->folded_len = scratch.len;
	l->folded = fb_buf_detach(&scratch, NULL);
	fb_unique_key(&scratch, v->ptr, v->len, true);
	l->phone = fb_buf_detach(&scratch, NULL);
	if (e->op == OP_EQ || e->op == OP_NE)
		check_enum(p, e, at);
	if (e->op == OP_MATCH || e->op == OP_NOMATCH) {
		struct fb_buf why = FB_BUF_INIT;
		size_t off = 0;
		unsigned flags = exact ? FB_RE_DEFAULT : FB_RE_FOLD | FB_RE_CASELESS;
		if (fb_regex_compile(&l->re, v->ptr, v->len, flags, &why, &off) < 0)
			perror_at(p, at, "'%s' is not a regular expression: %s at character %zu",
				  l->text, why.ptr, off + 1);
		fb_buf_release(&why);
	}
}

static struct qexpr *parse_or(struct parser *p);

static struct qexpr *parse_test(struct parser *p)
{
	struct fb_buf value = FB_BUF_INIT;
	size_t start, vstart;
	struct qexpr *e;

	skip_ws(p);
	start = p->pos;
	if (keyword(p, "and") || keyword(p, "or")) {
		perror_at(p, start, "expected a field name, found '%.*s'", (int)(p->pos - start),
			  p->text + start);
		return NULL;
	}
	while (p->pos < p->len &&
	       (query_valid_name_char((unsigned char)p->text[p->pos]) || p->text[p->pos] == '.'))
		p->pos++;
	if (p->pos == start) {
		if (p->pos >= p->len)
			perror_at(p, p->pos, "expected a field name, found the end of the expression");
		else
			perror_at(p, p->pos, "expected a field name, found '%c'", p->text[p->pos]);
		return NULL;
	}
	if (p->text[start] == '.' || p->text[p->pos - 1] == '.' ||
	    contains(p->text + start, p->pos - start, "..", 2)) {
		perror_at(p, start, "'%.*s' is not a field path (names joined by single dots)",
			  (int)(p->pos - start), p->text + start);
		return NULL;
	}
	e = new_expr(p, X_TEST);
	e->path = query_make_path(p->q, p->text + start, p->pos - start, p->q->o.type, p->q->schema, p->d,
			    column(p, start));
	if (!e->path) {
		p->err = FB_EUSAGE;
		return NULL;
	}
	skip_ws(p);
	e->op = read_op(p);
	if (e->op == OP_PRESENT)
		return e;
	skip_ws(p);
	vstart = p->pos;
	if (!read_value(p, &value)) {
		if (!p->err)
			perror_at(p, p->pos, "expected a value after '%s'", op_names[e->op]);
		fb_buf_release(&value);
		return NULL;
	}
	read_literal(p, e, &value, vstart);
	fb_buf_release(&value);
	return e;
}

static struct qexpr *parse_unary(struct parser *p)
{
	struct qexpr *e;
	skip_ws(p);
	if (++p->depth > MAX_NESTING) {
		perror_at(p, p->pos, "the expression nests deeper than %d levels", MAX_NESTING);
		return NULL;
	}
	if (keyword(p, "not") || (p->pos < p->len && p->text[p->pos] == '!' &&
				  (p->pos + 1 >= p->len || (p->text[p->pos + 1] != '=' &&
							     p->text[p->pos + 1] != '~')) &&
				  symbol(p, "!"))) {
		e = new_expr(p, X_NOT);
		e->a = parse_unary(p);
		p->depth--;
		return e->a ? e : NULL;
	}
	if (symbol(p, "(")) {
		size_t open = p->pos - 1;
		e = parse_or(p);
		skip_ws(p);
		if (e && !symbol(p, ")")) {
			if (p->pos >= p->len)
				perror_at(p, p->pos, "expected ')' to close the '(' at column %u",
					  column(p, open));
			else
				perror_at(p, p->pos, "expected ')' to close the '(' at column %u, found '%c'",
					  column(p, open), p->text[p->pos]);
			e = NULL;
		}
		p->depth--;
		return e;
	}
	e = parse_test(p);
	p->depth--;
	return e;
}

/* The binary operators, loosest first; each level is a left-leaning chain of the next. */
static const struct {
	const char *word, *sym;
	int kind;
} levels[] = {{"or", "||", X_OR}, {"and", "&&", X_AND}};

static struct qexpr *parse_level(struct parser *p, size_t level)
{
	struct qexpr *left;
	if (level == sizeof(levels) / sizeof(levels[0]))
		return parse_unary(p);
	left = parse_level(p, level + 1);
	while (left) {
		struct qexpr *e;
		skip_ws(p);
		if (!keyword(p, levels[level].word) && !symbol(p, levels[level].sym))
			break;
		e = new_expr(p, levels[level].kind);
		e->a = left;
		e->b = parse_level(p, level + 1);
		left = e->b ? e : NULL;
	}
	return left;
}

static struct qexpr *parse_or(struct parser *p)
{
	return parse_level(p, 0);
}

int query_parse_expression(struct fb_query *q, const char *text, struct qexpr **out,
			    struct fb_diag *d)
{
	struct parser p = {q, text, strlen(text), 0, 0, d, 0};
	struct qexpr *e;

	*out = NULL;
	q->parsing = text;
	skip_ws(&p);
	if (p.pos == p.len)
		return 0; /* an empty expression: every record */
	e = parse_or(&p);
	skip_ws(&p);
	if (e && p.pos < p.len) {
		if (p.text[p.pos] == ')')
			perror_at(&p, p.pos, "')' without a '(' before it");
		else
			perror_at(&p, p.pos, "unexpected '%.*s' after a complete expression (and, or?)",
				  (int)(strcspn(p.text + p.pos, " \t") ? strcspn(p.text + p.pos, " \t")
								       : 1),
				  p.text + p.pos);
		e = NULL;
	}
	if (!e && !p.err)
		p.err = FB_ESYNTAX;
	*out = e;
	q->parsing = NULL;
	return p.err == FB_EUSAGE ? FB_ESYNTAX : p.err; /* an unknown field: shown with a caret too */
}

void fb_query_caret(struct fb_buf *out, const char *expr, unsigned col)
{
	struct fb_buf before = FB_BUF_INIT;
	size_t i = 0, len = strlen(expr);
	unsigned c = 1;

	/* escaped as messages are (\xff for a bad byte), the caret under the column */
	fb_buf_puts(out, "  ");
	fb_diag_escape(out, expr, len);
	fb_buf_puts(out, "\n  ");
	while (i < len && c < col) { /* columns count code points, a bad byte as one */
		fb_utf8_next(expr, len, &i);
		c++;
	}
	fb_diag_escape(&before, expr, i);
	fb_buf_addch(out, ' ', fb_display_width(before.ptr, before.len));
	fb_buf_puts(out, "^");
	fb_buf_release(&before);
}
