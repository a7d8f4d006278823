/*
 * The YAML tree: built from libyaml events, with positions.
 *
 * Reading a file happens in two passes over its bytes:
 *   1. check_bytes() looks at the raw text before libyaml does: size,
 *      UTF-16/32 and merge-conflict markers, reported at their line and
 *      column (libyaml would give a confusing syntax error); when libyaml's
 *      reader later refuses invalid UTF-8, a raw NUL or another control
 *      character, check_encoding() finds the byte and reports its line and
 *      column (libyaml gives only a byte offset);
 *   2. build() runs libyaml's event parser with an explicit stack (no
 *      recursion, depth cut off at FB_NODE_MAX_DEPTH before libyaml's
 *      quadratic behaviour on deep nesting can start) and rejects what SPEC
 *      §2 rejects: anchors, aliases, merge keys, non-core tags, non-scalar and
 *      duplicate keys, more than one document.  It keeps going after an error
 *      whenever the event stream allows, so a file's problems come together.
 *
 * libyaml marks count code points; the byte span of a node is found with a
 * cursor that walks the text from the previous mark (marks arrive nearly in
 * order, so the walk is linear overall; a pure-ASCII file skips it).
 *
 * Memory: a document and everything in it (nodes, child arrays, strings,
 * the copy of the text, the document struct itself) live in one arena,
 * freed at once by fb_doc_free().
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include <fieldbook/node.h>
#include <fieldbook/text.h>

/* ---- scalar typing (YAML 1.2 core schema) --------------------------- */

static bool all_in(const char *s, size_t len, const char *set)
{
	size_t i;
	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (!s[i] || !strchr(set, s[i]))
			return false;
	return true;
}

static bool is_one_of(const char *s, size_t len, const char *const *words)
{
	for (; *words; words++)
		if ((*words)[0] == s[0] && strlen(*words) == len && !memcmp(s, *words, len))
			return true;
	return false;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_core_float(const char *s, size_t len)
{
	size_t i = 0, digits = 0;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < len && s[i] == '.') {
		size_t frac = 0;
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, frac++;
		if (!digits && !frac)
			return false;
	} else if (!digits) {
		return false;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp = 0;
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, exp++;
		if (!exp)
			return false;
	}
	return i == len;
}

static double parse_radix(const char *s, size_t len, int radix)
{
	double v = 0;
	size_t i;
	for (i = 0; i < len; i++) {
		int c = s[i], dv = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
		v = v * radix + dv;
	}
	return v;
}

enum fb_node_type fb_scalar_resolve(const char *s, size_t len, double *num)
{
	static const char *const nulls[] = {"~", "null", "Null", "NULL", NULL};
	static const char *const trues[] = {"true", "True", "TRUE", NULL};
	static const char *const falses[] = {"false", "False", "FALSE", NULL};
	static const char *const infs[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
	static const char *const ninfs[] = {"-.inf", "-.Inf", "-.INF", NULL};
	static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};
	double dummy;
	size_t i = 0;

	if (!num)
		num = &dummy;
	*num = 0;
	if (len == 0 || ((s[0] == '~' || s[0] == 'n' || s[0] == 'N') && is_one_of(s, len, nulls)))
		return FB_NODE_NULL;
	/* everything below starts with a digit, sign, dot, or t/T/f/F */
	if (!strchr("0123456789+-.tTfF", s[0]))
		return FB_NODE_STR;
	if (is_one_of(s, len, trues)) {
		*num = 1;
		return FB_NODE_BOOL;
	}
	if (is_one_of(s, len, falses))
		return FB_NODE_BOOL;
	if (len > 2 && s[0] == '0' && s[1] == 'o' && all_in(s + 2, len - 2, "01234567")) {
		*num = parse_radix(s + 2, len - 2, 8);
		return FB_NODE_INT;
	}
	if (len > 2 && s[0] == '0' && s[1] == 'x' &&
	    all_in(s + 2, len - 2, "0123456789abcdefABCDEF")) {
		*num = parse_radix(s + 2, len - 2, 16);
		return FB_NODE_INT;
	}
	if (s[0] == '-' || s[0] == '+')
		i = 1;
	if (all_in(s + i, len - i, "0123456789")) {
		*num = strtod(s, NULL);
		return FB_NODE_INT;
	}
	if (is_core_float(s, len)) {
		char tmp[64];
		if (len < sizeof(tmp)) {
			memcpy(tmp, s, len);
			tmp[len] = '\0';
			*num = strtod(tmp, NULL);
		} else {
			char *p = fb_strndup(s, len);
			*num = strtod(p, NULL);
			free(p);
		}
		return FB_NODE_FLOAT;
	}
	if (is_one_of(s, len, infs)) {
		*num = INFINITY;
		return FB_NODE_FLOAT;
	}
	if (is_one_of(s, len, ninfs)) {
		*num = -INFINITY;
		return FB_NODE_FLOAT;
	}
	if (is_one_of(s, len, nans)) {
		*num = NAN;
		return FB_NODE_FLOAT;
	}
	return FB_NODE_STR;
}

/*
 * The ASCII form of a number written with Persian or Arabic-Indic digits
 * (see fb_node_native_number) into `tmp` (NUL-terminated), with its type;
 * FB_NODE_STR for anything else.
 */
static enum fb_node_type native_number(const char *s, size_t len, char *tmp, size_t cap,
				       double *num)
{
	size_t i = 0, o = 0, native = 0, digits = 0;
	bool point = false;
	enum fb_node_type t;

	if (!len || len >= cap)
		return FB_NODE_STR;
	while (i < len) {
		size_t at = i;
		int32_t cp = fb_utf8_next(s, len, &i);
		/* the one folding (text.h) turns every digit set into ASCII digits */
		int32_t f = cp >= 0x80 ? fb_fold_cp((uint32_t)cp) : -1;
		if (f >= '0' && f <= '9') {
			tmp[o++] = (char)f;
			native++;
			digits++;
		} else if (cp >= '0' && cp <= '9') {
			tmp[o++] = (char)cp;
			digits++;
		} else if ((cp == '+' || cp == '-') && at == 0) {
			tmp[o++] = (char)cp;
		} else if ((cp == '.' || cp == 0x066B) && !point) { /* U+066B Arabic decimal separator */
			tmp[o++] = '.';
			point = true;
			native += cp != '.';
		} else {
			return FB_NODE_STR;
		}
	}
	tmp[o] = '\0';
	if (!native || !digits)
		return FB_NODE_STR;
	t = fb_scalar_resolve(tmp, o, num);
	return t == FB_NODE_INT || t == FB_NODE_FLOAT ? t : FB_NODE_STR;
}

enum fb_node_type fb_number_resolve(const char *s, size_t len, double *num)
{
	char tmp[128];
	enum fb_node_type t = fb_scalar_resolve(s, len, num);
	if (t == FB_NODE_STR)
		t = native_number(s, len, tmp, sizeof(tmp), num);
	return t == FB_NODE_INT || t == FB_NODE_FLOAT ? t : FB_NODE_STR;
}

bool fb_node_native_number(struct fb_node *n)
{
	char tmp[128];
	double num;
	enum fb_node_type t;

	if (n->type != FB_NODE_STR || n->style != FB_STYLE_PLAIN || n->tagged)
		return false;
	t = native_number(n->str, n->len, tmp, sizeof(tmp), &num);
	if (t == FB_NODE_STR)
		return false;
	n->len = strlen(tmp); /* never longer than the text: the document's own copy takes it */
	memcpy((char *)n->str, tmp, n->len + 1);
	n->type = (uint8_t)t;
	n->num = num;
	return true;
}

const char *fb_node_type_name(enum fb_node_type t)
{
	switch (t) {
	case FB_NODE_NULL: return "null";
	case FB_NODE_BOOL: return "boolean";
	case FB_NODE_INT: return "integer";
	case FB_NODE_FLOAT: return "number";
	case FB_NODE_STR: return "string";
	case FB_NODE_SEQ: return "array";
	case FB_NODE_MAP: return "object";
	}
	return "?";
}

const char *fb_node_type_phrase(enum fb_node_type t)
{
	switch (t) {
	case FB_NODE_NULL: return "null";
	case FB_NODE_BOOL: return "a boolean";
	case FB_NODE_INT: return "an integer";
	case FB_NODE_FLOAT: return "a number";
	case FB_NODE_STR: return "a string";
	case FB_NODE_SEQ: return "an array";
	case FB_NODE_MAP: return "an object";
	}
	return "?";
}

/* ---- pass 1: the raw bytes ------------------------------------------ */

struct reader {
	const char *file;
	const char *text;
	size_t len;
	size_t bom;   /* bytes of a UTF-8 byte-order mark at the start */
	bool ascii;   /* no byte >= 0x80: code point index == byte offset - bom */
	size_t ci, bi; /* the char-index -> byte-offset cursor */
	struct fb_diag *d;
	struct fb_arena *arena;
	bool failed;
};

static void error_at(struct reader *r, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void error_at(struct reader *r, unsigned line, unsigned col, const char *fmt, ...)
{
	struct fb_diag_entry *e;
	va_list ap;
	va_start(ap, fmt);
	e = fb_diag_vaddf(r->d, FB_SEV_ERROR, r->file, line, col, fmt, ap);
	va_end(ap);
	fb_diag_set(e, "", "yaml", NULL, NULL);
	r->failed = true;
}

static bool conflict_marker(const char *p, size_t left, const char **which)
{
	static const char *const marks[] = {"<<<<<<<", ">>>>>>>", "=======", "|||||||"};
	size_t i;
	if (left < 7)
		return false;
	for (i = 0; i < FB_ARRAY_SIZE(marks); i++) {
		if (memcmp(p, marks[i], 7))
			continue;
		if (left == 7 || p[7] == ' ' || p[7] == '\n' || p[7] == '\r') {
			*which = marks[i];
			return true;
		}
	}
	return false;
}

/* c-printable of YAML 1.2, for one decoded code point */
static bool printable(int32_t cp)
{
	if (cp < 0x20)
		return cp == '\t' || cp == '\n' || cp == '\r';
	if (cp < 0x7F)
		return true;
	if (cp < 0xA0)
		return cp == 0x85;
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return false;
	return cp != 0xFFFE && cp != 0xFFFF;
}

/*
 * What must be looked at before libyaml sees the text: the size, UTF-16/32,
 * a byte-order mark, merge-conflict markers at the start of a line, and
 * whether the text is pure ASCII (then byte offsets are code point indexes).
 * libyaml rejects bad encodings itself; check_encoding() then says where.
 */
static int check_bytes(struct reader *r, unsigned flags)
{
	const unsigned char *s = (const unsigned char *)r->text;
	size_t len = r->len, i;
	uint64_t high = 0;
	unsigned line = 1;
	const char *which;

	if (len > FB_NODE_MAX_FILE && !(flags & FB_PARSE_NO_SIZE_LIMIT)) {
		fb_doc_too_large(r->d, r->file, len);
		r->failed = true;
		return -1;
	}
	if ((len >= 4 && !memcmp(s, "\xFF\xFE\0\0", 4)) || (len >= 4 && !memcmp(s, "\0\0\xFE\xFF", 4))) {
		error_at(r, 1, 1, "the file is UTF-32 text; save it as UTF-8");
		return -1;
	}
	if (len >= 2 && (!memcmp(s, "\xFF\xFE", 2) || !memcmp(s, "\xFE\xFF", 2))) {
		error_at(r, 1, 1, "the file is UTF-16 text; save it as UTF-8");
		return -1;
	}
	if (len >= 2 && (s[0] == 0) != (s[1] == 0)) {
		error_at(r, 1, 1, "the file looks like UTF-16 or UTF-32 text; save it as UTF-8");
		return -1;
	}
	if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		r->bom = 3;
	for (i = r->bom;;) {
		const unsigned char *nl;
		if (i < len && (s[i] == '<' || s[i] == '>' || s[i] == '=' || s[i] == '|') &&
		    conflict_marker((const char *)s + i, len - i, &which))
			error_at(r, line, 1,
				 "merge conflict marker '%s': this file is in the middle of a merge; "
				 "keep one version and delete the markers",
				 which);
		nl = i < len ? memchr(s + i, '\n', len - i) : NULL;
		if (!nl)
			break;
		i = (size_t)(nl - s) + 1;
		line++;
	}
	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		high |= w;
	}
	for (; i < len; i++)
		high |= s[i];
	r->ascii = !(high & 0x8080808080808080ULL);
	r->bi = r->bom;
	return r->failed ? -1 : 0;
}

/*
 * After libyaml's reader refused the text: find the first bad byte and say
 * where it is and what it is.  Returns whether it found one.
 */
static bool check_encoding(struct reader *r)
{
	const unsigned char *s = (const unsigned char *)r->text;
	size_t len = r->len, i;
	unsigned line = 1, col = 1;

	for (i = r->bom; i < len;) {
		unsigned char c = s[i];
		if ((c >= 0x20 && c < 0x7F) || c == '\t') {
			i++;
			col++;
		} else if (c == '\n' || c == '\r') {
			i += (c == '\r' && i + 1 < len && s[i + 1] == '\n') ? 2 : 1;
			line++;
			col = 1;
		} else if (c < 0x80) {
			if (c == 0)
				error_at(r, line, col, "NUL byte in the file (binary data, or a broken save)");
			else
				error_at(r, line, col, "control character U+%04X is not allowed in YAML", c);
			return true;
		} else {
			size_t at = i;
			int32_t cp = fb_utf8_next(r->text, len, &i);
			if (cp < 0) {
				error_at(r, line, col, "invalid UTF-8 (byte 0x%02X); save the file as UTF-8",
					 s[at]);
				return true;
			}
			if (!printable(cp)) {
				error_at(r, line, col, "control character U+%04X is not allowed in YAML",
					 (unsigned)cp);
				return true;
			}
			col++;
		}
	}
	return false;
}

/* Byte offset of code point index `ci` (libyaml's mark.index). */
static size_t byte_at(struct reader *r, size_t ci)
{
	const char *s = r->text;
	if (r->ascii)
		return ci + r->bom;
	while (r->ci < ci && r->bi < r->len) {
		unsigned char c = (unsigned char)s[r->bi];
		r->bi += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		r->ci++;
	}
	while (r->ci > ci && r->bi > r->bom) {
		do
			r->bi--;
		while (r->bi > r->bom && ((unsigned char)s[r->bi] & 0xC0) == 0x80);
		r->ci--;
	}
	if (r->bi > r->len)
		r->bi = r->len;
	return r->bi;
}

/* ---- pass 2: events to tree ----------------------------------------- */

struct frame {
	struct fb_node *node;
	size_t first;             /* index of its first child in the kid stack */
	struct fb_node *key;      /* a mapping's key waiting for its value */
};

struct builder {
	struct reader *r;
	struct frame stack[FB_NODE_MAX_DEPTH + 1];
	int depth;
	struct fb_node **kids; /* children of all open collections, in order */
	size_t nkids, kids_alloc;
	struct fb_node *root;
};

static const char core_prefix[] = "tag:yaml.org,2002:";

static void tag_text(struct fb_buf *out, const char *tag)
{
	size_t n = sizeof(core_prefix) - 1;
	if (!strncmp(tag, core_prefix, n))
		fb_buf_addf(out, "!!%s", tag + n);
	else
		fb_buf_puts(out, tag);
}

static struct fb_node *new_node(struct builder *b, enum fb_node_type type, yaml_mark_t start,
				yaml_mark_t end)
{
	struct reader *r = b->r;
	struct fb_node *n = fb_arena_alloc(r->arena, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->type = (uint8_t)type;
	n->line = (uint32_t)start.line + 1;
	n->col = (uint32_t)start.column + 1;
	n->end_line = (uint32_t)end.line + 1;
	n->end_col = (uint32_t)end.column + 1;
	n->start = byte_at(r, start.index);
	n->end = byte_at(r, end.index);
	n->str = "";
	return n;
}

static void node_error(struct builder *b, const struct fb_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void node_error(struct builder *b, const struct fb_node *n, const char *fmt, ...)
{
	struct fb_buf msg = FB_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	fb_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	error_at(b->r, n->line, n->col, "%s", msg.ptr);
	fb_buf_release(&msg);
}

/* An anchor is refused; the node itself is kept so reading can go on. */
static void check_anchor(struct builder *b, const struct fb_node *n, const yaml_char_t *anchor)
{
	if (anchor)
		node_error(b, n, "anchors are not allowed in records ('&%s'); write the value out",
			   (const char *)anchor);
}

/*
 * Apply an explicit tag.  Core tags fix the type (and must fit the value);
 * anything else is refused.
 */
static void apply_tag(struct builder *b, struct fb_node *n, const yaml_char_t *ytag)
{
	const char *tag = (const char *)ytag, *name;
	struct fb_buf shown = FB_BUF_INIT;
	double num;
	enum fb_node_type t;

	if (!tag || !strcmp(tag, "!"))
		return;
	tag_text(&shown, tag);
	if (strncmp(tag, core_prefix, sizeof(core_prefix) - 1)) {
		node_error(b, n, "tag '%s' is not allowed; only the YAML core tags (!!str, !!int, "
			   "!!float, !!bool, !!null, !!seq, !!map) are", shown.ptr);
		goto out;
	}
	name = tag + sizeof(core_prefix) - 1;
	n->tagged = 1;
	if (!strcmp(name, "seq") || !strcmp(name, "map")) {
		if ((n->type == FB_NODE_SEQ) != !strcmp(name, "seq") || fb_node_is_scalar(n))
			node_error(b, n, "tag '%s' does not fit this %s", shown.ptr,
				   fb_node_type_name(n->type));
		goto out;
	}
	if (!fb_node_is_scalar(n)) {
		node_error(b, n, "tag '%s' does not fit this %s", shown.ptr,
			   fb_node_type_name(n->type));
		goto out;
	}
	t = fb_scalar_resolve(n->str, n->len, &num);
	if (!strcmp(name, "str")) {
		n->type = FB_NODE_STR;
	} else if (!strcmp(name, "null") && t == FB_NODE_NULL) {
		n->type = FB_NODE_NULL;
	} else if (!strcmp(name, "bool") && t == FB_NODE_BOOL) {
		n->type = FB_NODE_BOOL;
		n->num = num;
	} else if (!strcmp(name, "int") && t == FB_NODE_INT) {
		n->type = FB_NODE_INT;
		n->num = num;
	} else if (!strcmp(name, "float") && (t == FB_NODE_FLOAT || t == FB_NODE_INT)) {
		n->type = FB_NODE_FLOAT;
		n->num = num;
	} else if (!strcmp(name, "null") || !strcmp(name, "bool") || !strcmp(name, "int") ||
		   !strcmp(name, "float")) {
		node_error(b, n, "'%s' is not a valid %s", n->str, shown.ptr);
	} else {
		node_error(b, n, "tag '%s' is not allowed; only the YAML core tags (!!str, !!int, "
			   "!!float, !!bool, !!null, !!seq, !!map) are", shown.ptr);
	}
out:
	fb_buf_release(&shown);
}

static bool key_equal(const struct fb_node *a, const struct fb_node *b)
{
	if (!fb_node_is_scalar(a) || !fb_node_is_scalar(b))
		return false;
	return a->len == b->len && !memcmp(a->str, b->str, a->len);
}

static int cmp_key_ptr(const void *pa, const void *pb)
{
	const struct fb_node *a = (*(struct fb_node *const *)pa)->key;
	const struct fb_node *b = (*(struct fb_node *const *)pb)->key;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->str, b->str, n);
	if (c)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->start < b->start ? -1 : a->start > b->start;
}

static void report_duplicate(struct builder *b, const struct fb_node *first,
			     const struct fb_node *again)
{
	struct fb_buf k = FB_BUF_INIT;
	fb_diag_shorten(&k, again->str, again->len, 60);
	node_error(b, again, "duplicate key '%s' (first defined at %u:%u)", k.ptr, first->line,
		   first->col);
	fb_buf_release(&k);
}

/* Report keys that appear twice in a finished mapping (its values' ->key). */
static void check_duplicates(struct builder *b, struct fb_node **kids, size_t n)
{
	size_t i, j;
	if (n <= 16) {
		for (i = 1; i < n; i++)
			for (j = 0; j < i; j++)
				if (key_equal(kids[i]->key, kids[j]->key)) {
					report_duplicate(b, kids[j]->key, kids[i]->key);
					break;
				}
		return;
	}
	/* large mappings: sort a copy by (key, position), duplicates are neighbours */
	struct fb_node **v = fb_malloc(n * sizeof(*v));
	memcpy(v, kids, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_key_ptr);
	for (i = 1, j = 0; i < n; i++) {
		if (key_equal(v[i]->key, v[j]->key))
			report_duplicate(b, v[j]->key, v[i]->key);
		else
			j = i;
	}
	free(v);
}

/* The kid stack grows inside the arena: no malloc per document. */
static void push_kid(struct builder *b, struct fb_node *n)
{
	if (b->nkids == b->kids_alloc) {
		size_t cap = b->kids_alloc ? b->kids_alloc * 2 : 64;
		struct fb_node **grown = fb_arena_alloc(b->r->arena, cap * sizeof(*grown));
		if (b->nkids)
			memcpy(grown, b->kids, b->nkids * sizeof(*grown));
		b->kids = grown;
		b->kids_alloc = cap;
	}
	b->kids[b->nkids++] = n;
}

/* Attach a finished node to the open collection (or make it the root). */
static void attach(struct builder *b, struct fb_node *n)
{
	struct frame *f;

	if (b->depth == 0) {
		b->root = n;
		return;
	}
	f = &b->stack[b->depth - 1];
	if (f->node->type == FB_NODE_MAP && !f->key) {
		if (!fb_node_is_scalar(n))
			node_error(b, n, "mapping keys must be plain values, not %s",
				   fb_node_type_phrase(n->type));
		else if (n->style == FB_STYLE_PLAIN && n->len == 2 && !memcmp(n->str, "<<", 2))
			node_error(b, n, "merge keys ('<<') are not allowed in records; write the "
				   "fields out");
		f->key = n;
		return;
	}
	if (f->node->type == FB_NODE_MAP) {
		n->key = f->key;
		f->key = NULL;
	}
	n->parent = f->node;
	push_kid(b, n);
}

static void open_collection(struct builder *b, struct fb_node *n)
{
	struct frame *f = &b->stack[b->depth++];
	f->node = n;
	f->first = b->nkids;
	f->key = NULL;
}

static void close_collection(struct builder *b, yaml_mark_t end)
{
	struct frame *f = &b->stack[b->depth - 1];
	struct fb_node *n = f->node;
	size_t count = b->nkids - f->first, i;

	n->n = (uint32_t)count;
	n->kids = fb_arena_alloc(b->r->arena, (count ? count : 1) * sizeof(*n->kids));
	if (count)
		memcpy(n->kids, b->kids + f->first, count * sizeof(*n->kids));
	for (i = 0; i < count; i++)
		n->kids[i]->index = (uint32_t)i;
	b->nkids = f->first;
	if (n->type == FB_NODE_MAP && count > 1)
		check_duplicates(b, n->kids, count);
	/*
	 * A block collection's END mark is where the next token starts (often
	 * the next line); its span ends with its last child instead.
	 */
	if (n->style == FB_STYLE_BLOCK && count) {
		struct fb_node *last = n->kids[count - 1];
		n->end = last->end;
		n->end_line = last->end_line;
		n->end_col = last->end_col;
	} else {
		n->end = byte_at(b->r, end.index);
		n->end_line = (uint32_t)end.line + 1;
		n->end_col = (uint32_t)end.column + 1;
	}
	b->depth--;
	attach(b, n);
}

static enum fb_node_style scalar_style(yaml_scalar_style_t s)
{
	switch (s) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE: return FB_STYLE_SINGLE;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return FB_STYLE_DOUBLE;
	case YAML_LITERAL_SCALAR_STYLE: return FB_STYLE_LITERAL;
	case YAML_FOLDED_SCALAR_STYLE: return FB_STYLE_FOLDED;
	default: return FB_STYLE_PLAIN;
	}
}

static void on_scalar(struct builder *b, yaml_event_t *ev)
{
	struct fb_node *n = new_node(b, FB_NODE_STR, ev->start_mark, ev->end_mark);
	size_t len = ev->data.scalar.length;

	n->str = fb_arena_strndup(b->r->arena, (const char *)ev->data.scalar.value, len);
	n->len = len;
	n->style = (uint8_t)scalar_style(ev->data.scalar.style);
	if (n->style == FB_STYLE_PLAIN)
		n->type = (uint8_t)fb_scalar_resolve(n->str, len, &n->num);
	check_anchor(b, n, ev->data.scalar.anchor);
	apply_tag(b, n, ev->data.scalar.tag);
	attach(b, n);
}

/* libyaml's problems, reworded where a user would otherwise be lost. */
static void yaml_problem(struct builder *b, yaml_parser_t *p)
{
	struct reader *r = b->r;
	const char *problem = p->problem ? p->problem : "syntax error";
	unsigned line, col;
	const char *hint = "";
	char flow_hint[64];
	bool show_context;

	if (p->error == YAML_READER_ERROR) {
		if (check_encoding(r))
			return;
		/* not found by our scan: libyaml's words, at its offset */
		size_t off = p->problem_offset < r->len ? p->problem_offset : r->len;
		size_t i;
		line = 1;
		col = 1;
		for (i = 0; i < off;) {
			if (r->text[i] == '\n') {
				line++;
				col = 1;
				i++;
			} else {
				fb_utf8_next(r->text, off, &i);
				col++;
			}
		}
		error_at(r, line, col, "cannot read the file: %s", problem);
		return;
	}
	line = (unsigned)p->problem_mark.line + 1;
	col = (unsigned)p->problem_mark.column + 1;
	if (p->error == YAML_SCANNER_ERROR) {
		size_t at = byte_at(r, p->problem_mark.index);
		if (at < r->len && r->text[at] == '\t')
			hint = " (a tab: YAML indents with spaces only)";
		else if (strstr(problem, "mapping values are not allowed"))
			hint = " (put the value in quotes if it contains ': ')";
		else if (strstr(problem, "could not find expected ':'"))
			hint = " (a key without ':', or a quote left open)";
	} else if (strstr(problem, "did not find expected key") ||
		   strstr(problem, "did not find expected '-' indicator")) {
		hint = " (check the indentation of this line)";
	}
	show_context = p->context && (p->context_mark.line != p->problem_mark.line ||
				      p->context_mark.column != p->problem_mark.column);
	if (!*hint && !show_context && b->depth > 0 &&
	    b->stack[b->depth - 1].node->style == FB_STYLE_FLOW) {
		const struct fb_node *open = b->stack[b->depth - 1].node;
		snprintf(flow_hint, sizeof(flow_hint), " (is the '%c' at %u:%u closed?)",
			 open->type == FB_NODE_SEQ ? '[' : '{', open->line, open->col);
		hint = flow_hint;
	}
	if (show_context)
		error_at(r, line, col, "%s %s (started at %u:%u)%s", problem, p->context,
			 (unsigned)p->context_mark.line + 1, (unsigned)p->context_mark.column + 1,
			 hint);
	else
		error_at(r, line, col, "%s%s", problem, hint);
}

static void build(struct builder *b)
{
	struct reader *r = b->r;
	yaml_parser_t p;
	yaml_event_t ev;
	int docs = 0;
	bool done = false;

	yaml_parser_initialize(&p);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	/* with the encoding forced, libyaml would read a BOM as content: skip it here */
	yaml_parser_set_input_string(&p, (const unsigned char *)r->text + r->bom, r->len - r->bom);
	while (!done) {
		struct fb_node *n;

		if (!yaml_parser_parse(&p, &ev)) {
			yaml_problem(b, &p);
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				error_at(r, (unsigned)ev.start_mark.line + 1,
					 (unsigned)ev.start_mark.column + 1,
					 "more than one document in a record file (a second '---')");
				done = true;
			}
			break;
		case YAML_SCALAR_EVENT:
			on_scalar(b, &ev);
			break;
		case YAML_ALIAS_EVENT:
			n = new_node(b, FB_NODE_NULL, ev.start_mark, ev.end_mark);
			node_error(b, n, "aliases are not allowed in records ('*%s'); write the "
				   "value out", (const char *)ev.data.alias.anchor);
			attach(b, n);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			bool seq = ev.type == YAML_SEQUENCE_START_EVENT;
			n = new_node(b, seq ? FB_NODE_SEQ : FB_NODE_MAP, ev.start_mark, ev.end_mark);
			if (b->depth >= FB_NODE_MAX_DEPTH) {
				node_error(b, n, "nesting deeper than %d levels", FB_NODE_MAX_DEPTH);
				done = true;
				break;
			}
			if (seq)
				n->style = ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
						   ? FB_STYLE_FLOW
						   : FB_STYLE_BLOCK;
			else
				n->style = ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
						   ? FB_STYLE_FLOW
						   : FB_STYLE_BLOCK;
			check_anchor(b, n, seq ? ev.data.sequence_start.anchor
					       : ev.data.mapping_start.anchor);
			apply_tag(b, n, seq ? ev.data.sequence_start.tag : ev.data.mapping_start.tag);
			open_collection(b, n);
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			close_collection(b, ev.end_mark);
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
}

int fb_doc_parse(struct fb_doc **out, const char *file, const char *text, size_t len,
		 unsigned flags, struct fb_diag *d)
{
	struct fb_arena arena = {NULL};
	struct reader r;
	struct builder b;
	struct fb_doc *doc;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	memset(&b, 0, sizeof(b));
	r.file = file;
	r.d = d;
	r.arena = &arena;
	r.len = len;
	r.text = fb_arena_strndup(&arena, text, len);
	b.r = &r;

	if (check_bytes(&r, flags) == 0)
		build(&b);

	if (!r.failed && !(flags & FB_PARSE_ANY_ROOT)) {
		if (!b.root)
			error_at(&r, 1, 1, "the file is empty; a record is a mapping of fields "
				 "('name: value' lines)");
		else if (b.root->type != FB_NODE_MAP)
			error_at(&r, b.root->line, b.root->col,
				 "the top level of a record must be a mapping of fields "
				 "('name: value' lines), not %s",
				 fb_node_type_phrase(b.root->type));
	}
	if (r.failed) {
		fb_arena_release(&arena);
		return FB_ESYNTAX;
	}
	doc = fb_arena_alloc(&arena, sizeof(*doc));
	doc->arena = fb_arena_alloc(&arena, sizeof(*doc->arena));
	doc->file = fb_arena_strndup(&arena, file, strlen(file));
	doc->text = (char *)r.text;
	doc->len = len;
	doc->root = b.root;
	*doc->arena = arena;
	*out = doc;
	return 0;
}

void fb_doc_too_large(struct fb_diag *d, const char *file, size_t size)
{
	fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, file, 1, 1,
				 "file is too large (%zu bytes; a record or schema may have at most %d bytes)",
				 size, FB_NODE_MAX_FILE),
		    "", "yaml", NULL, NULL);
}

void fb_doc_free(struct fb_doc *doc)
{
	struct fb_arena a;
	if (!doc)
		return;
	a = *doc->arena; /* the arena holds the document itself */
	fb_arena_release(&a);
}

/* ---- access ---------------------------------------------------------- */

bool fb_node_key_is(const struct fb_node *key, const char *s)
{
	size_t n = strlen(s);
	return key && key->len == n && !memcmp(key->str, s, n);
}

const struct fb_node *fb_node_get(const struct fb_node *map, const char *key)
{
	uint32_t i;
	if (!map || map->type != FB_NODE_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (fb_node_key_is(map->kids[i]->key, key))
			return map->kids[i];
	return NULL;
}

void fb_pointer_push(struct fb_buf *out, const char *tok, size_t len)
{
	size_t i;
	fb_buf_putc(out, '/');
	for (i = 0; i < len; i++) {
		if (tok[i] == '~')
			fb_buf_puts(out, "~0");
		else if (tok[i] == '/')
			fb_buf_puts(out, "~1");
		else
			fb_buf_putc(out, tok[i]);
	}
}

void fb_pointer_push_node(struct fb_buf *out, const struct fb_node *child)
{
	char num[16];
	int k;
	if (child->key) {
		fb_pointer_push(out, child->key->str, child->key->len);
		return;
	}
	k = snprintf(num, sizeof(num), "%u", child->index);
	fb_pointer_push(out, num, (size_t)k);
}

void fb_node_pointer(struct fb_buf *out, const struct fb_node *n)
{
	const struct fb_node *chain[FB_NODE_MAX_DEPTH + 1];
	int depth = 0;

	for (; n && n->parent && depth < FB_NODE_MAX_DEPTH + 1; n = n->parent)
		chain[depth++] = n;
	while (depth--)
		fb_pointer_push_node(out, chain[depth]);
}

/* ---- JSON ------------------------------------------------------------- */

static void json_number(struct fb_buf *out, double v, bool integer)
{
	char tmp[40];
	int prec;

	if (isnan(v) || isinf(v)) {
		fb_buf_puts(out, "null"); /* JSON has no NaN or infinity */
		return;
	}
	if (integer && fabs(v) < 1e18) {
		fb_buf_addf(out, "%.0f", v);
		return;
	}
	for (prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	fb_buf_puts(out, tmp);
}

static void newline(struct fb_buf *out, int indent)
{
	if (indent < 0)
		return;
	fb_buf_putc(out, '\n');
	fb_buf_addch(out, ' ', (size_t)indent * 2);
}

bool fb_node_is_confidential(const struct fb_node *n, void *ctx)
{
	(void)ctx;
	return n->confidential;
}

void fb_node_to_json(struct fb_buf *out, const struct fb_node *n, int indent,
		     fb_node_mask_fn *mask, void *ctx)
{
	int inner = indent < 0 ? -1 : indent + 1;
	uint32_t i;

	switch (n->type) {
	case FB_NODE_NULL:
		fb_buf_puts(out, "null");
		return;
	case FB_NODE_BOOL:
		fb_buf_puts(out, n->num ? "true" : "false");
		return;
	case FB_NODE_INT:
	case FB_NODE_FLOAT:
		json_number(out, n->num, n->type == FB_NODE_INT);
		return;
	case FB_NODE_STR:
		fb_buf_json_str(out, n->str, n->len);
		return;
	case FB_NODE_SEQ:
	case FB_NODE_MAP:
		break;
	}
	fb_buf_putc(out, n->type == FB_NODE_SEQ ? '[' : '{');
	for (i = 0; i < n->n; i++) {
		const struct fb_node *c = n->kids[i];
		if (i)
			fb_buf_putc(out, ',');
		newline(out, inner);
		if (c->key) {
			fb_buf_json_str(out, c->key->str, c->key->len);
			fb_buf_puts(out, indent < 0 ? ":" : ": ");
		}
		if (mask && mask(c, ctx)) { /* a member or an item alike */
			fb_buf_puts(out, "\"***\"");
			continue;
		}
		fb_node_to_json(out, c, inner, mask, ctx);
	}
	if (n->n)
		newline(out, indent);
	fb_buf_putc(out, n->type == FB_NODE_SEQ ? ']' : '}');
}

bool fb_node_equal(const struct fb_node *a, const struct fb_node *b)
{
	bool an = a->type == FB_NODE_INT || a->type == FB_NODE_FLOAT;
	bool bn = b->type == FB_NODE_INT || b->type == FB_NODE_FLOAT;
	uint32_t i;

	if (an && bn) /* .nan equals .nan here, so every value equals itself */
		return a->num == b->num || (isnan(a->num) && isnan(b->num));
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case FB_NODE_NULL:
		return true;
	case FB_NODE_BOOL:
		return a->num == b->num;
	case FB_NODE_STR:
		return a->len == b->len && !memcmp(a->str, b->str, a->len);
	case FB_NODE_SEQ:
		if (a->n != b->n)
			return false;
		for (i = 0; i < a->n; i++)
			if (!fb_node_equal(a->kids[i], b->kids[i]))
				return false;
		return true;
	case FB_NODE_MAP:
		if (a->n != b->n)
			return false;
		for (i = 0; i < a->n; i++) {
			const struct fb_node *ka = a->kids[i]->key, *other = NULL;
			uint32_t j;
			for (j = 0; j < b->n; j++)
				if (key_equal(ka, b->kids[j]->key)) {
					other = b->kids[j];
					break;
				}
			if (!other || !fb_node_equal(a->kids[i], other))
				return false;
		}
		return true;
	default:
		return false;
	}
}
