/*
 * Regular expressions over PCRE2 (see regex.h).  The only file that includes
 * <pcre2.h>.
 *
 * A compiled expression (code and match context, with the limits) is
 * read-only once made, so threads share it; what a match writes -- the match
 * data and the JIT stack -- is per thread, made on a thread's first match
 * and freed when the thread ends (atexit for the main thread).  Limits:
 * 200,000 match steps per start position, depth 10,000, heap 64 MiB, a
 * 1 MiB JIT stack.  Field values are short, so an honest pattern never
 * comes near them.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <fieldbook/regex.h>
#include <fieldbook/text.h>

#define MATCH_LIMIT 200000
#define DEPTH_LIMIT 10000
#define HEAP_LIMIT_KIB (64 * 1024)
#define JIT_STACK_MAX (1024 * 1024)

struct fb_regex {
	pcre2_code *code;
	pcre2_match_context *mctx;
	char *pattern;
};

/* What a match writes, one per thread. */
struct match_state {
	pcre2_match_data *md;
	pcre2_jit_stack *jit;
};

static _Thread_local struct match_state *tls;
static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void free_state(void *p)
{
	struct match_state *st = p;
	if (!st)
		return;
	pcre2_match_data_free(st->md);
	pcre2_jit_stack_free(st->jit);
	free(st);
}

static struct match_state *main_state;
static pthread_t main_thread;

/* Runs before main(): remembers which thread is the process's own. */
__attribute__((constructor)) static void note_main_thread(void)
{
	main_thread = pthread_self();
}

static void free_main_state(void)
{
	free_state(main_state);
	main_state = NULL;
}

static void make_key(void)
{
	pthread_key_create(&tls_key, free_state);
	atexit(free_main_state);
}

static struct match_state *state(void)
{
	if (tls)
		return tls;
	pthread_once(&tls_once, make_key);
	tls = fb_calloc(1, sizeof(*tls));
	/* one pair is enough: only "did it match" is asked */
	tls->md = pcre2_match_data_create(1, NULL);
	tls->jit = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
	if (!tls->md)
		fb_oom();
	if (pthread_equal(pthread_self(), main_thread))
		main_state = tls; /* freed at exit: key destructors do not run for it */
	else
		pthread_setspecific(tls_key, tls);
	return tls;
}

static pcre2_jit_stack *jit_stack(void *unused)
{
	(void)unused;
	return state()->jit;
}

/*
 * PCRE2 10.42 knows General_Category values only by their short names
 * (\p{L}); JSON Schema patterns are ECMA-262, where \p{Letter} and
 * \p{General_Category=Letter} are common.  Long names become short ones.
 */
static const struct {
	const char *name, *abbr;
} categories[] = {
	{"letter", "L"},	   {"casedletter", "L&"},	{"lowercaseletter", "Ll"},
	{"uppercaseletter", "Lu"}, {"titlecaseletter", "Lt"},	{"modifierletter", "Lm"},
	{"otherletter", "Lo"},	   {"mark", "M"},		{"combiningmark", "M"},
	{"nonspacingmark", "Mn"},  {"spacingmark", "Mc"},	{"enclosingmark", "Me"},
	{"number", "N"},	   {"decimalnumber", "Nd"},	{"digit", "Nd"},
	{"letternumber", "Nl"},	   {"othernumber", "No"},	{"punctuation", "P"},
	{"punct", "P"},		   {"connectorpunctuation", "Pc"}, {"dashpunctuation", "Pd"},
	{"openpunctuation", "Ps"}, {"closepunctuation", "Pe"},	{"initialpunctuation", "Pi"},
	{"finalpunctuation", "Pf"}, {"otherpunctuation", "Po"}, {"symbol", "S"},
	{"mathsymbol", "Sm"},	   {"currencysymbol", "Sc"},	{"modifiersymbol", "Sk"},
	{"othersymbol", "So"},	   {"separator", "Z"},		{"spaceseparator", "Zs"},
	{"lineseparator", "Zl"},   {"paragraphseparator", "Zp"}, {"other", "C"},
	{"control", "Cc"},	   {"cntrl", "Cc"},		{"format", "Cf"},
	{"surrogate", "Cs"},	   {"privateuse", "Co"},	{"unassigned", "Cn"},
};

static void property_name(struct fb_buf *out, const char *name, size_t len)
{
	static const char *const prefixes[] = {"general_category=", "gc=", "script=", "sc=",
					       "script_extensions=", "scx="};
	char key[40];
	size_t i, k = 0;

	for (i = 0; i < FB_ARRAY_SIZE(prefixes); i++) {
		size_t n = strlen(prefixes[i]);
		if (len > n && !strncasecmp(name, prefixes[i], n)) {
			name += n;
			len -= n;
			break;
		}
	}
	for (i = 0; i < len && k + 1 < sizeof(key); i++)
		if (name[i] != '_' && name[i] != ' ' && name[i] != '-')
			key[k++] = (char)(name[i] | 0x20);
	key[k] = '\0';
	for (i = 0; i < FB_ARRAY_SIZE(categories); i++)
		if (i < FB_ARRAY_SIZE(categories) && !strcmp(key, categories[i].name)) {
			fb_buf_puts(out, categories[i].abbr);
			return;
		}
	fb_buf_add(out, name, len);
}

static void rewrite_properties(struct fb_buf *out, const char *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		const char *close;
		if (p[i] == '\\' && i + 2 < len && (p[i + 1] == 'p' || p[i + 1] == 'P') &&
		    p[i + 2] == '{' && (close = memchr(p + i + 3, '}', len - i - 3))) {
			fb_buf_add(out, p + i, 3);
			property_name(out, p + i + 3, (size_t)(close - p - i - 3));
			fb_buf_putc(out, '}');
			i = (size_t)(close - p) + 1;
		} else if (p[i] == '\\' && i + 1 < len) {
			fb_buf_add(out, p + i, 2);
			i += 2;
		} else {
			fb_buf_putc(out, p[i++]);
		}
	}
}

/* Skip one escape sequence starting at `p[i] == '\\'`; returns its end. */
static size_t escape_end(const char *p, size_t len, size_t i)
{
	size_t j = i + 1;
	if (j >= len)
		return len;
	if (strchr("xopPgkN", p[j]) && j + 1 < len && (p[j + 1] == '{' || p[j + 1] == '<')) {
		char close = p[j + 1] == '{' ? '}' : '>';
		const char *q = memchr(p + j + 1, close, len - j - 1);
		return q ? (size_t)(q - p) + 1 : len;
	}
	if (p[j] == 'Q') { /* \Q...\E quotes literally: fold it like any literal */
		return j + 1;
	}
	/* one escaped character (which may be multi-byte) */
	fb_utf8_next(p, len, &j);
	return j;
}

/* The white space a pattern's space stands for (Unicode White_Space under PCRE2_UCP). */
#define ANY_SPACE "\\h\\v"

/* The code point at p[i] when it is white space (its end in *end), else -1. */
static int32_t space_at(const char *p, size_t len, size_t i, size_t *end)
{
	size_t j = i;
	int32_t cp = fb_utf8_next(p, len, &j);
	if (cp < 0 || !fb_is_space((uint32_t)cp))
		return -1;
	*end = j;
	return cp;
}

/*
 * Whether p[i] opens a counted quantifier, {N}, {N,} or {N,M}, perhaps with
 * white space inside ({2, 3}); returns its end, else 0.
 */
static size_t quantifier_end(const char *p, size_t len, size_t i)
{
	size_t j = i + 1, e, digits = 0;
	bool comma = false;

	if (i >= len || p[i] != '{')
		return 0;
	for (; j < len && p[j] != '}'; j++) {
		if (p[j] >= '0' && p[j] <= '9')
			digits++;
		else if (p[j] == ',' && !comma && digits)
			comma = true;
		else if (space_at(p, len, j, &e) >= 0)
			j = e - 1;
		else
			return 0;
	}
	return j < len && digits && (p[i + 1] >= '0' && p[i + 1] <= '9') ? j + 1 : 0;
}

static bool quantifier_at(const char *p, size_t len, size_t i)
{
	return i < len && (p[i] == '*' || p[i] == '+' || p[i] == '?' || quantifier_end(p, len, i));
}

/*
 * Fold the literal characters of a pattern, leaving escapes as written, and
 * make its spaces match the ways staff write compound names (FOLDING.md):
 *   - a run of white space outside a class matches any run of white space or
 *     nothing ([\h\v]*); followed by a quantifier, the last space of the run
 *     is one white-space character, quantified (" +" is [\h\v]+);
 *   - inside a class, a space is any one white-space character ([ ] is
 *     [\h\v]), except as the end of a range ([ -~]), where it is itself;
 *   - an escaped space (\ ), \x20, \s and the text between \Q and \E are as
 *     written; so is a (?#comment);
 *   - white space inside a counted quantifier ({2, 3}) is dropped.
 * The fold of the field keeps its white space, and deletes ZWNJ, so
 * "حسین زاده" finds حسین زاده, حسین‌زاده and حسینزاده.
 */
static void fold_pattern(struct fb_buf *out, const char *p, size_t len)
{
	bool in_class = false, quoted = false, range_end = false;
	size_t class_start = 0, i = 0, e;

	while (i < len) {
		size_t at = i;
		if (quoted) {
			if (p[i] == '\\' && i + 1 < len && p[i + 1] == 'E') {
				fb_buf_add(out, p + i, 2);
				quoted = false;
				i += 2;
				continue;
			}
		} else if (p[i] == '\\') {
			if (i + 1 < len && p[i + 1] == 'Q') {
				fb_buf_add(out, p + i, 2);
				quoted = true;
				i += 2;
				continue;
			}
			i = escape_end(p, len, i);
			fb_buf_add(out, p + at, i - at);
			range_end = false;
			continue;
		} else if (!in_class && p[i] == '[') {
			/* [ then ^, then a ] that is a member, not the end */
			in_class = true;
			range_end = false;
			fb_buf_putc(out, p[i++]);
			if (i < len && p[i] == '^')
				fb_buf_putc(out, p[i++]);
			class_start = i;
			if (i < len && p[i] == ']')
				fb_buf_putc(out, p[i++]);
			continue;
		} else if (in_class && p[i] == '[' && i + 1 < len && strchr(":.=", p[i + 1])) {
			/* [:alpha:] and friends: as written */
			const char close[3] = {p[i + 1], ']', '\0'};
			const char *q = NULL;
			size_t k;
			for (k = i + 2; k + 1 < len && !q; k++)
				if (p[k] == close[0] && p[k + 1] == ']')
					q = p + k;
			e = q ? (size_t)(q - p) + 2 : len;
			fb_buf_add(out, p + i, e - i);
			i = e;
			continue;
		} else if (in_class && p[i] == ']') {
			in_class = false;
			fb_buf_putc(out, p[i++]);
			continue;
		} else if (in_class && p[i] == '-') {
			/* a range when something came before and something but ] follows */
			range_end = i > class_start && i + 1 < len && p[i + 1] != ']';
			fb_buf_putc(out, p[i++]);
			continue;
		} else if (!in_class && p[i] == '(' && i + 2 < len && p[i + 1] == '?' &&
			   p[i + 2] == '#') {
			const char *q = memchr(p + i, ')', len - i);
			e = q ? (size_t)(q - p) + 1 : len;
			fb_buf_add(out, p + i, e - i);
			i = e;
			continue;
		} else if (!in_class && (e = quantifier_end(p, len, i))) {
			for (; i < e; i++)
				if (space_at(p, len, i, &at) >= 0)
					i = at - 1;
				else
					fb_buf_putc(out, p[i]);
			continue;
		} else if (space_at(p, len, i, &e) >= 0) {
			if (in_class) {
				/* a range's end (or its start) stays the character written */
				if (range_end || (e < len && p[e] == '-' && e + 1 < len && p[e + 1] != ']'))
					fb_buf_add(out, p + i, e - i);
				else
					fb_buf_puts(out, ANY_SPACE);
				range_end = false;
				i = e;
				continue;
			}
			{
				size_t run = 1;
				i = e;
				while (space_at(p, len, i, &e) >= 0) {
					i = e;
					run++;
				}
				if (quantifier_at(p, len, i)) {
					if (run > 1)
						fb_buf_puts(out, "[" ANY_SPACE "]*");
					fb_buf_puts(out, "[" ANY_SPACE "]");
				} else {
					fb_buf_puts(out, "[" ANY_SPACE "]*");
				}
			}
			continue;
		}
		range_end = false; /* a literal: a range's end, if it was one, is done */
		if ((unsigned char)p[i] < 0x80) {
			fb_fold(out, p + i, 1, FB_FOLD_DEFAULT);
			i++;
			continue;
		}
		fb_utf8_next(p, len, &i);
		fb_fold(out, p + at, i - at, FB_FOLD_DEFAULT);
	}
}

/* The pattern PCRE2 is given: folded (and its spaces widened), property names shortened. */
static void translate(struct fb_buf *out, const char *pat, size_t len, unsigned flags)
{
	if (flags & FB_RE_FOLD) {
		struct fb_buf tmp = FB_BUF_INIT;
		fold_pattern(&tmp, pat, len);
		rewrite_properties(out, tmp.ptr, tmp.len);
		fb_buf_release(&tmp);
	} else {
		rewrite_properties(out, pat, len);
	}
}

/*
 * Where, in code points of the pattern as given, PCRE2's byte offset into
 * the translated pattern falls: the shortest prefix whose translation
 * reaches it (only run for an error, on a short text).
 */
static size_t given_offset(const char *pat, size_t len, unsigned flags, size_t erroff)
{
	struct fb_buf t = FB_BUF_INIT;
	size_t i = 0, n = 0;

	while (i < len) {
		fb_buf_reset(&t);
		translate(&t, pat, i, flags);
		if (t.len >= erroff && i)
			break;
		fb_utf8_next(pat, len, &i);
		n++;
	}
	if (i >= len) {
		fb_buf_reset(&t);
		translate(&t, pat, len, flags);
		if (t.len < erroff || !len)
			n = fb_utf8_count(pat, len);
	}
	fb_buf_release(&t);
	return n;
}

int fb_regex_compile(struct fb_regex **out, const char *pat, size_t len, unsigned flags,
		     struct fb_buf *err, size_t *offset)
{
	struct fb_buf folded = FB_BUF_INIT;
	char *given = fb_strndup(pat, len);
	uint32_t options = PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C;
	struct fb_regex *re;
	PCRE2_SIZE erroff = 0;
	int errcode = 0;

	*out = NULL;
	if (flags & FB_RE_CASELESS)
		options |= PCRE2_CASELESS;
	translate(&folded, pat, len, flags);
	pat = folded.ptr;
	len = folded.len;
	re = fb_calloc(1, sizeof(*re));
	re->code = pcre2_compile((PCRE2_SPTR)pat, len, options, &errcode, &erroff, NULL);
	if (!re->code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		if (err) {
			fb_buf_reset(err);
			fb_buf_puts(err, (const char *)msg);
		}
		if (offset)
			*offset = given_offset(given, strlen(given), flags, erroff < len ? erroff : len);
		fb_buf_release(&folded);
		free(given);
		free(re);
		return FB_ESYNTAX;
	}
	pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE); /* the interpreter remains if JIT fails */
	re->mctx = pcre2_match_context_create(NULL);
	if (!re->mctx)
		fb_oom();
	pcre2_set_match_limit(re->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(re->mctx, HEAP_LIMIT_KIB);
	pcre2_jit_stack_assign(re->mctx, jit_stack, NULL);
	fb_buf_release(&folded);
	re->pattern = given;
	*out = re;
	return 0;
}

void fb_regex_free(struct fb_regex *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	pcre2_match_context_free(re->mctx);
	free(re->pattern);
	free(re);
}

int fb_regex_match(struct fb_regex *re, const char *s, size_t len)
{
	int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, state()->md, re->mctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	/* limits (match, depth, heap, JIT stack) and anything else: not a "no" */
	return FB_ELIMIT;
}

const char *fb_regex_pattern(const struct fb_regex *re)
{
	return re->pattern;
}
