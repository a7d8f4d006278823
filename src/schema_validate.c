/*
 * Validating an instance against a compiled schema (see schema.h).
 *
 * Validation walks instance and schema together and appends every error.
 * Alternatives (anyOf, oneOf, not, if, contains) are tried against scratch
 * lists; when no alternative of anyOf/oneOf fits, the errors of the closest
 * one (fewest errors at the value itself, then fewest in all) are reported.
 * Values inside x-confidential fields are shown as "***".  One concern, the
 * checks of every keyword of JSON Schema 2020-12 and their messages, in one
 * file of about a thousand lines: the checks share the reporting and the
 * trial machinery above them, and splitting them would scatter that.
 */
#include "schema_int.h"

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

/* minItems/maxItems, minProperties/maxProperties: how many `what`s a list or mapping has. */
static void check_count(const struct fb_node *n, struct vctx *v, bool masked, int64_t min,
			int64_t max, const char *what, const char *min_kw, const char *max_kw)
{
	char lim[64];
	if (min != ABSENT && n->n < min) {
		snprintf(lim, sizeof(lim), "at least %lld %s%s", (long long)min, what,
			 min == 1 ? "" : "s");
		verr(v, n, min_kw, NULL, masked, lim, "has %u %s%s; %s", n->n, what,
		     n->n == 1 ? "" : "s", lim);
	}
	if (max != ABSENT && n->n > max) {
		snprintf(lim, sizeof(lim), "at most %lld %s%s", (long long)max, what,
			 max == 1 ? "" : "s");
		verr(v, n, max_kw, NULL, masked, lim, "has %u %s%s; %s", n->n, what,
		     n->n == 1 ? "" : "s", lim);
	}
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
	check_count(n, v, masked, s->min_items, s->max_items, "item", "minItems", "maxItems");
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

	memset(seen, 0, (s->nprops <= 64 ? 64 : s->nprops) * sizeof(*seen));
	for (i = 0; i < n->n; i++) {
		const struct fb_node *c = n->kids[i], *k = c->key;
		int32_t p = schema_find_prop(s, k->str, k->len, &hint);
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
	check_count(n, v, masked, s->min_props, s->max_props, "field", "minProperties",
		    "maxProperties");
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
	const struct fb_schema *holder = schema_props_holder(alt);
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

