/*
 * Dates: calendar arithmetic, parsing and formatting (SPEC §2).
 *
 * Day numbers count days from 1970-01-01 (Gregorian).  Gregorian dates map
 * to day numbers with the civil-from-days arithmetic of the proleptic
 * calendar; Jalali dates through the jalaali algorithm: a table of the years
 * where the 33-year leap cycle breaks, which gives for each Jalali year
 * whether it is leap and on which day of Gregorian March its Nowruz falls.
 * All integer division below is on values kept non-negative, or uses
 * floor_div, so it means what it says.
 *
 * Parsing reads the text as fb_fold() sees it: digits of any set are ASCII,
 * Latin letters lower case, and what the fold deletes (bidi controls, ZWNJ,
 * tatweel, harakat) is skipped wherever it stands.  The common case, a bare
 * numeric date, is scanned code point by code point with fb_fold_cp() and
 * allocates nothing; anything with words (a textual Jalali date, a weekday in
 * front) is folded once into a buffer and split on White_Space, and month and
 * weekday names are compared with their own fold.  The year decides the
 * calendar (1200-1699 Jalali, 1821-2321 Gregorian).  Errors are the exact
 * messages of date_input_cases.tsv; `err` may be NULL, and is only written
 * on failure.
 *
 * Choices the spec leaves open:
 *   - a weekday may also stand before a numeric date ("جمعه 1403/05/12"), and
 *     may be followed by a comma (، or ,);
 *   - `today` offsets have the units d and w only: a month has no fixed
 *     length, and months are what periods (1403-05) are for;
 *   - a period that reaches past the supported span (2321, 1821-Q1) is cut
 *     to it; one wholly outside it is an error.
 */
#include <stdarg.h>
#include <string.h>

#include <fieldbook/date.h>
#include <fieldbook/text.h>

/* Jalali years where the 33-year cycle pattern restarts (the jalaali break table). */
static const int breaks[] = {-61,  9,    38,   199,  426,  686,  756,  818,  1111, 1181,
			     1210, 1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178};

static int floor_div(int a, int b)
{
	return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/* Truncating division and remainder, as the jalaali arithmetic is defined. */
static int tdiv(int a, int b)
{
	return a / b;
}

static int tmod(int a, int b)
{
	return a - tdiv(a, b) * b;
}

/*
 * For Jalali year `jy`: `*leap` = years since the last leap year (0: this
 * one is leap), `*gy` = the Gregorian year of its Nowruz, `*march` = the day
 * of March of its Nowruz.  `jy` must be inside the break table.
 */
static void jal_cal(int jy, int *leap, int *gy, int *march)
{
	int n_breaks = (int)FB_ARRAY_SIZE(breaks);
	int leap_j = -14, jp = breaks[0], jump = 0, n, leap_g, i;

	*gy = jy + 621;
	for (i = 1; i < n_breaks; i++) {
		int jm = breaks[i];
		jump = jm - jp;
		if (jy < jm)
			break;
		leap_j += tdiv(jump, 33) * 8 + tdiv(tmod(jump, 33), 4);
		jp = jm;
	}
	n = jy - jp;
	leap_j += tdiv(n, 33) * 8 + tdiv(tmod(n, 33) + 3, 4);
	if (tmod(jump, 33) == 4 && jump - n == 4)
		leap_j++;
	leap_g = tdiv(*gy, 4) - tdiv((tdiv(*gy, 100) + 1) * 3, 4) - 150;
	*march = 20 + leap_j - leap_g;
	if (jump - n < 6)
		n = n - jump + tdiv(jump + 4, 33) * 33;
	*leap = tmod(tmod(n + 1, 33) - 1, 4);
	if (*leap == -1)
		*leap = 4;
}

bool fb_gregorian_leap(int gy)
{
	return (gy % 4 == 0 && gy % 100 != 0) || gy % 400 == 0;
}

int fb_gregorian_month_days(int gy, int gm)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (gm < 1 || gm > 12)
		return 0;
	return gm == 2 && fb_gregorian_leap(gy) ? 29 : days[gm - 1];
}

int32_t fb_gregorian_to_day(int gy, int gm, int gd)
{
	/* days from civil: March-based years make February the last month */
	int y = gy - (gm <= 2);
	int era = floor_div(y, 400);
	int yoe = y - era * 400;
	int mp = (gm + 9) % 12;
	int doy = (153 * mp + 2) / 5 + gd - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void fb_day_to_gregorian(int32_t day, int *gy, int *gm, int *gd)
{
	int z = day + 719468;
	int era = floor_div(z, 146097);
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int m = mp < 10 ? mp + 3 : mp - 9;
	*gd = doy - (153 * mp + 2) / 5 + 1;
	*gm = m;
	*gy = yoe + era * 400 + (m <= 2);
}

bool fb_jalali_leap(int jy)
{
	int leap, gy, march;
	jal_cal(jy, &leap, &gy, &march);
	return leap == 0;
}

int fb_jalali_month_days(int jy, int jm)
{
	if (jm < 1 || jm > 12)
		return 0;
	if (jm <= 6)
		return 31;
	if (jm <= 11)
		return 30;
	return fb_jalali_leap(jy) ? 30 : 29;
}

int32_t fb_jalali_to_day(int jy, int jm, int jd)
{
	int leap, gy, march;
	jal_cal(jy, &leap, &gy, &march);
	return fb_gregorian_to_day(gy, 3, march) + (jm - 1) * 31 - (jm / 7) * (jm - 7) + jd - 1;
}

void fb_day_to_jalali(int32_t day, int *jy, int *jm, int *jd)
{
	int gy, gm, gd, leap, g, march, k;

	fb_day_to_gregorian(day, &gy, &gm, &gd);
	*jy = gy - 621;
	jal_cal(*jy, &leap, &g, &march);
	k = day - fb_gregorian_to_day(gy, 3, march);
	if (k >= 0) {
		if (k <= 185) {
			*jm = 1 + k / 31;
			*jd = k % 31 + 1;
			return;
		}
		k -= 186;
	} else {
		/* before this Gregorian year's Nowruz: the end of the previous Jalali year */
		(*jy)--;
		k += 179;
		jal_cal(*jy, &leap, &g, &march);
		if (leap == 0)
			k++;
	}
	*jm = 7 + k / 30;
	*jd = k % 30 + 1;
}

int fb_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday (4) */
	int w = (day % 7 + 7 + 4) % 7;
	return w;
}

/* Jalali 1200/01/01 = 1821-03-21 and 1699/12/29 = 2321-03-20. */
const int32_t fb_day_min = -54342;
const int32_t fb_day_max = 128278;

static const char *const weekday_fa[] = {
	"یکشنبه", "دوشنبه", "سه\u200cشنبه", "چهارشنبه", "پنج\u200cشنبه", "جمعه", "شنبه",
};

static const char *const weekday_en[] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
};

static const char *const month_fa[] = {
	"فروردین", "اردیبهشت", "خرداد", "تیر",  "مرداد", "شهریور",
	"مهر",     "آبان",     "آذر",   "دی",   "بهمن",  "اسفند",
};

/* Other spellings of the month names, compared after folding (so in any case). */
static const struct {
	const char *word;
	int month;
} month_words[] = {
	{"امرداد", 5},	 {"farvardin", 1}, {"ordibehesht", 2}, {"khordad", 3}, {"tir", 4},
	{"mordad", 5},	 {"amordad", 5},   {"shahrivar", 6},   {"mehr", 7},	   {"aban", 8},
	{"azar", 9},	 {"dey", 10},	   {"dei", 10},	       {"bahman", 11}, {"esfand", 12},
};

const char *fb_weekday_name_fa(int wday)
{
	return wday >= 0 && wday < 7 ? weekday_fa[wday] : "";
}

const char *fb_weekday_name_en(int wday)
{
	return wday >= 0 && wday < 7 ? weekday_en[wday] : "";
}

const char *fb_jalali_month_name(int jm)
{
	return jm >= 1 && jm <= 12 ? month_fa[jm - 1] : "";
}

__attribute__((format(printf, 2, 3))) static int fail(struct fb_buf *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		fb_buf_reset(err);
		va_start(ap, fmt);
		fb_buf_vaddf(err, fmt, ap);
		va_end(ap);
	}
	return FB_ESYNTAX;
}

static int unrecognised(struct fb_buf *err)
{
	return fail(err, "unrecognised date");
}

static int out_of_range(struct fb_buf *err)
{
	return fail(err, "outside the supported range");
}

/*
 * The next code point of the folded text: digits in ASCII, letters in lower
 * case, and what the fold deletes (bidi controls, ZWNJ, tatweel) skipped.
 * Returns -1 at the end and -2 for an invalid byte.
 */
static int32_t next_folded(const char *s, size_t len, size_t *i)
{
	while (*i < len) {
		int32_t cp;

		if ((unsigned char)s[*i] < 0x80)
			return fb_fold_cp((unsigned char)s[(*i)++]);
		cp = fb_utf8_next(s, len, i);
		if (cp < 0)
			return -2;
		cp = fb_fold_cp((uint32_t)cp);
		if (cp >= 0)
			return cp;
	}
	return -1;
}

static bool ignorable(int32_t cp)
{
	return cp >= 0 && (fb_is_space((uint32_t)cp) || fb_fold_cp((uint32_t)cp) < 0);
}

/* Drop surrounding white space and the invisible characters the fold deletes. */
static void trim(const char **s, size_t *len)
{
	const char *p = *s;
	size_t start = 0, end = *len;

	while (start < end) {
		size_t i = start;
		if (!ignorable(fb_utf8_next(p, end, &i)))
			break;
		start = i;
	}
	while (end > start) {
		size_t b = end - 1, i;
		while (b > start && end - b < 4 && ((unsigned char)p[b] & 0xC0) == 0x80)
			b--;
		i = b;
		if (!ignorable(fb_utf8_next(p, end, &i)) || i != end)
			break;
		end = b;
	}
	*s = p + start;
	*len = end - start;
}

/*
 * Digit groups and separators: "1403/5/12", "2024-08", "1403-Q2".  A group's
 * value keeps its first 9 digits; `digits` counts them all (up to 99).
 */
struct groups {
	int n;
	int digits[3];
	int value[3];
	int32_t sep;
	bool mixed;   /* two different separators */
	bool quarter; /* the second group was written Qn */
};

/*
 * Read text made of nothing but digits (any digit set) and the separators
 * / - . into `g`, at most three groups; with `allow_q` the second group may
 * start with Q.  Returns false as soon as anything else turns up.
 */
static bool scan_groups(const char *s, size_t len, bool allow_q, struct groups *g)
{
	size_t i = 0;
	int32_t cp;

	memset(g, 0, sizeof(*g));
	g->n = 1;
	while ((cp = next_folded(s, len, &i)) != -1) {
		int k = g->n - 1;

		if (cp >= '0' && cp <= '9') {
			if (g->digits[k] < 9)
				g->value[k] = g->value[k] * 10 + (cp - '0');
			if (g->digits[k] < 99)
				g->digits[k]++;
		} else if (cp == '/' || cp == '-' || cp == '.') {
			if (g->n == 3)
				return false;
			if (g->sep && cp != g->sep)
				g->mixed = true;
			g->sep = cp;
			g->n++;
		} else if (cp == 'q' && allow_q && g->n == 2 && !g->digits[1] && !g->quarter) {
			g->quarter = true;
		} else {
			return false;
		}
	}
	return true;
}

/* The calendar a year is written in: 1200–1699 Jalali, 1821–2321 Gregorian. */
static bool calendar_of_year(int y, enum fb_calendar *cal)
{
	if (y >= 1200 && y <= 1699)
		*cal = FB_CAL_JALALI;
	else if (y >= 1821 && y <= 2321)
		*cal = FB_CAL_GREGORIAN;
	else
		return false;
	return true;
}

static int month_days(enum fb_calendar cal, int y, int m)
{
	return cal == FB_CAL_JALALI ? fb_jalali_month_days(y, m) : fb_gregorian_month_days(y, m);
}

static int32_t to_day(enum fb_calendar cal, int y, int m, int d)
{
	return cal == FB_CAL_JALALI ? fb_jalali_to_day(y, m, d) : fb_gregorian_to_day(y, m, d);
}

static int check_date(enum fb_calendar cal, int y, int m, int d, int32_t *day, struct fb_buf *err)
{
	int last;

	if (m < 1 || m > 12)
		return fail(err, "month %d out of range 1..12", m);
	last = month_days(cal, y, m);
	if (d < 1 || d > last) {
		if (cal == FB_CAL_JALALI)
			return fail(err, "day %d out of range 1..%d for %d/%d", d, last, y, m);
		return fail(err, "day %d out of range 1..%d for %d-%02d", d, last, y, m);
	}
	*day = to_day(cal, y, m, d);
	if (*day < fb_day_min || *day > fb_day_max)
		return out_of_range(err);
	return 0;
}

static int date_of_groups(const struct groups *g, int32_t *day, enum fb_calendar *cal,
			  struct fb_buf *err)
{
	if (g->n != 3 || g->mixed || !g->digits[0] || !g->digits[1] || !g->digits[2] ||
	    g->digits[1] > 2)
		return unrecognised(err);
	if (g->digits[2] == 4 && g->digits[0] <= 2)
		return fail(err, "day-first order not accepted; use YYYY/MM/DD");
	if (g->digits[2] > 2)
		return unrecognised(err);
	if (g->digits[0] != 4)
		return fail(err, "year must have 4 digits (YYYY/MM/DD)");
	if (!calendar_of_year(g->value[0], cal))
		return out_of_range(err);
	return check_date(*cal, g->value[0], g->value[1], g->value[2], day, err);
}

/* A word of the folded text. */
struct word {
	const char *p;
	size_t len;
};

#define MAX_WORDS 8

/* Split folded text on white space; returns the number of words, MAX_WORDS + 1 if more. */
static int split_words(const char *s, size_t len, struct word *w)
{
	size_t i = 0;
	int n = 0;

	while (i < len) {
		size_t at = i;
		int32_t cp = fb_utf8_next(s, len, &i);

		if (cp >= 0 && fb_is_space((uint32_t)cp))
			continue;
		if (n > 0 && w[n - 1].p + w[n - 1].len == s + at) {
			w[n - 1].len = i - (size_t)(w[n - 1].p - s);
			continue;
		}
		if (n == MAX_WORDS)
			return MAX_WORDS + 1;
		w[n].p = s + at;
		w[n].len = i - at;
		n++;
	}
	return n;
}

static bool is_comma(const char *p, size_t len)
{
	return (len == 1 && p[0] == ',') || (len == 2 && !memcmp(p, "،", 2));
}

/* `w` without a comma at its end. */
static struct word strip_comma(struct word w)
{
	if (w.len > 1 && w.p[w.len - 1] == ',')
		w.len--;
	else if (w.len > 2 && !memcmp(w.p + w.len - 2, "،", 2))
		w.len -= 2;
	return w;
}

/*
 * Whether the folded words `a`, then `b` (may be NULL) with nothing between,
 * spell `name` (1) or, if `suffix` is not NULL, name + suffix (2); 0 if not.
 * `scratch` receives the fold of name.
 */
static int spells(struct fb_buf *scratch, const char *name, const char *suffix,
		  const struct word *a, const struct word *b)
{
	size_t n = a->len + (b ? b->len : 0);
	int r = 1;

	fb_buf_reset(scratch);
	fb_fold(scratch, name, strlen(name), FB_FOLD_DEFAULT);
	if (n != scratch->len) {
		if (!suffix || n <= scratch->len)
			return 0;
		fb_fold(scratch, suffix, strlen(suffix), FB_FOLD_DEFAULT);
		if (n != scratch->len)
			return 0;
		r = 2;
	}
	if (memcmp(scratch->ptr, a->p, a->len))
		return 0;
	if (b && memcmp(scratch->ptr + a->len, b->p, b->len))
		return 0;
	return r;
}

/*
 * A Persian weekday at the start of `w` (one word, or two such as "سه شنبه"),
 * optionally followed by a comma.  Returns its tm_wday and stores in `*used`
 * the words it took, or returns -1.
 */
static int match_weekday(struct fb_buf *scratch, const struct word *w, int n, int *used)
{
	struct word first = strip_comma(w[0]), second = first;
	int d;

	if (n > 1)
		second = strip_comma(w[1]);
	for (d = 0; d < 7; d++) {
		if (spells(scratch, weekday_fa[d], NULL, &first, NULL)) {
			*used = 1;
			break;
		}
		if (n > 1 && first.len == w[0].len &&
		    spells(scratch, weekday_fa[d], NULL, &first, &second)) {
			*used = 2;
			break;
		}
	}
	if (d == 7)
		return -1;
	if (w[*used - 1].len == strip_comma(w[*used - 1]).len && *used < n &&
	    is_comma(w[*used].p, w[*used].len))
		(*used)++;
	return d;
}

/* The month a word names, 0 if none; `*with_mah` tells whether "ماه" is attached. */
static int match_month(struct fb_buf *scratch, const struct word *w, bool *with_mah)
{
	size_t k;
	int r;

	for (k = 0; k < 12; k++) {
		if ((r = spells(scratch, month_fa[k], "ماه", w, NULL))) {
			*with_mah = r == 2;
			return (int)k + 1;
		}
	}
	for (k = 0; k < FB_ARRAY_SIZE(month_words); k++) {
		if ((r = spells(scratch, month_words[k].word, "ماه", w, NULL))) {
			*with_mah = r == 2;
			return month_words[k].month;
		}
	}
	return 0;
}

static bool all_digits(const struct word *w)
{
	size_t i;

	for (i = 0; i < w->len; i++)
		if (w->p[i] < '0' || w->p[i] > '9')
			return false;
	return w->len > 0;
}

/* The value of a word of at most 4 ASCII digits. */
static int word_value(const struct word *w)
{
	size_t i;
	int v = 0;

	for (i = 0; i < w->len && i < 4; i++)
		v = v * 10 + (w->p[i] - '0');
	return v;
}

/* "۱۲ مرداد ۱۴۰۳", "12 مردادماه 1403", "12 مرداد ماه 1403", "12 Mordad 1403". */
static int parse_textual(struct fb_buf *scratch, const struct word *w, int n, int32_t *day,
			 struct fb_buf *err)
{
	static const char mah[] = "ماه";
	bool with_mah = false;
	int m, y;

	if (!all_digits(&w[0]) || w[0].len > 2 || !(m = match_month(scratch, &w[1], &with_mah)))
		return unrecognised(err);
	if (n == 4 && (with_mah || w[2].len != strlen(mah) || memcmp(w[2].p, mah, w[2].len)))
		return unrecognised(err);
	if (!all_digits(&w[n - 1]))
		return unrecognised(err);
	if (w[n - 1].len != 4)
		return fail(err, "year must have 4 digits");
	y = word_value(&w[n - 1]);
	if (y < 1200 || y > 1699)
		return out_of_range(err);
	return check_date(FB_CAL_JALALI, y, m, word_value(&w[0]), day, err);
}

/* Everything that is not a bare numeric date: textual dates, a weekday in front. */
static int parse_words(const char *s, size_t len, int32_t *day, enum fb_calendar *cal,
		       struct fb_buf *err)
{
	struct fb_buf folded = FB_BUF_INIT, scratch = FB_BUF_INIT;
	struct word w[MAX_WORDS];
	struct groups g;
	int n, used = 0, wday, rest, ret, y, m, d;

	fb_fold(&folded, s, len, FB_FOLD_DEFAULT);
	n = split_words(folded.ptr, folded.len, w);
	if (n == 0 || n > MAX_WORDS) {
		ret = unrecognised(err);
		goto out;
	}
	wday = match_weekday(&scratch, w, n, &used);
	rest = n - used;
	if (rest == 1 && scan_groups(w[used].p, w[used].len, false, &g)) {
		ret = date_of_groups(&g, day, cal, err);
	} else if (rest == 3 || rest == 4) {
		*cal = FB_CAL_JALALI;
		ret = parse_textual(&scratch, w + used, rest, day, err);
	} else {
		ret = unrecognised(err);
	}
	if (ret || wday < 0 || fb_weekday(*day) == wday)
		goto out;
	if (*cal == FB_CAL_GREGORIAN) {
		fb_day_to_gregorian(*day, &y, &m, &d);
		ret = fail(err, "weekday mismatch: %04d-%02d-%02d is %s", y, m, d,
			   weekday_fa[fb_weekday(*day)]);
	} else {
		fb_day_to_jalali(*day, &y, &m, &d);
		ret = fail(err, "weekday mismatch: %d/%d/%d is %s", y, m, d,
			   weekday_fa[fb_weekday(*day)]);
	}
out:
	fb_buf_release(&folded);
	fb_buf_release(&scratch);
	return ret;
}

int fb_date_parse(const char *s, size_t len, int32_t *day, enum fb_calendar *cal,
		  struct fb_buf *err)
{
	enum fb_calendar c = FB_CAL_JALALI;
	struct groups g;
	int32_t n = 0;
	int ret;

	trim(&s, &len);
	if (scan_groups(s, len, false, &g))
		ret = date_of_groups(&g, &n, &c, err);
	else
		ret = parse_words(s, len, &n, &c, err);
	if (ret)
		return ret;
	*day = n;
	if (cal)
		*cal = c;
	return 0;
}

/*
 * `today`, `today-30d`, `today+2w` (folded, so also "Today+۲W").  Returns 1
 * when `s` does not start with "today", else 0 or FB_ESYNTAX.
 */
static int parse_today(const char *s, size_t len, int32_t today, int32_t *day, struct fb_buf *err)
{
	static const char word[] = "today";
	int64_t n = 0, unit, sign;
	size_t i = 0, k, ndigits = 0;
	int32_t cp;

	for (k = 0; word[k]; k++)
		if (next_folded(s, len, &i) != word[k])
			return 1;
	cp = next_folded(s, len, &i);
	if (cp == -1) {
		n = today;
		goto check;
	}
	if (cp != '+' && cp != '-')
		return 1;
	sign = cp == '-' ? -1 : 1;
	while ((cp = next_folded(s, len, &i)) >= '0' && cp <= '9') {
		ndigits++;
		if (n < 100000000) /* past any supported day already */
			n = n * 10 + (cp - '0');
	}
	if (!ndigits)
		return unrecognised(err);
	if (cp == 'd')
		unit = 1;
	else if (cp == 'w')
		unit = 7;
	else
		return fail(err, "unit must be d (days) or w (weeks), as in today-30d");
	if (next_folded(s, len, &i) != -1)
		return unrecognised(err);
	n = today + sign * n * unit;
check:
	if (n < fb_day_min || n > fb_day_max)
		return out_of_range(err);
	*day = (int32_t)n;
	return 0;
}

int fb_date_parse_arg(const char *s, int32_t today, int32_t *day, struct fb_buf *err)
{
	size_t len = strlen(s);
	int ret;

	trim(&s, &len);
	ret = parse_today(s, len, today, day, err);
	if (ret <= 0)
		return ret;
	return fb_date_parse(s, len, day, NULL, err);
}

/*
 * Months `m1`..`m2` of year `y`, in the calendar the year is written in, cut
 * to the supported span.
 */
static int months_period(int y, int m1, int m2, int32_t *first, int32_t *last, struct fb_buf *err)
{
	enum fb_calendar cal;

	if (!calendar_of_year(y, &cal))
		return out_of_range(err);
	*first = to_day(cal, y, m1, 1);
	*last = to_day(cal, y, m2, month_days(cal, y, m2));
	if (*first < fb_day_min)
		*first = fb_day_min;
	if (*last > fb_day_max)
		*last = fb_day_max;
	if (*first > *last)
		return out_of_range(err);
	return 0;
}

int fb_period_parse(const char *s, int32_t today, int32_t *first, int32_t *last, struct fb_buf *err)
{
	size_t len = strlen(s);
	struct groups g;
	int32_t day;
	int ret;

	trim(&s, &len);
	ret = parse_today(s, len, today, &day, err);
	if (ret <= 0)
		goto one_day;
	if (scan_groups(s, len, true, &g) && g.digits[0] == 4 && g.n <= 2) {
		if (g.n == 1)
			return months_period(g.value[0], 1, 12, first, last, err);
		if (g.quarter && g.digits[1] == 1) {
			if (g.value[1] < 1 || g.value[1] > 4)
				return fail(err, "quarter %d out of range 1..4", g.value[1]);
			return months_period(g.value[0], g.value[1] * 3 - 2, g.value[1] * 3, first,
					     last, err);
		}
		if (!g.quarter && g.digits[1] >= 1 && g.digits[1] <= 2) {
			if (g.value[1] < 1 || g.value[1] > 12)
				return fail(err, "month %d out of range 1..12", g.value[1]);
			return months_period(g.value[0], g.value[1], g.value[1], first, last, err);
		}
		return unrecognised(err);
	}
	ret = fb_date_parse(s, len, &day, NULL, err);
one_day:
	if (ret)
		return ret;
	*first = *last = day;
	return 0;
}

void fb_jalali_season(int32_t day, int32_t *first, int32_t *last)
{
	int jy, jm, jd, m1;

	fb_day_to_jalali(day, &jy, &jm, &jd);
	m1 = (jm - 1) / 3 * 3 + 1;
	*first = fb_jalali_to_day(jy, m1, 1);
	*last = fb_jalali_to_day(jy, m1 + 2, fb_jalali_month_days(jy, m1 + 2));
}

void fb_date_format(struct fb_buf *out, int32_t day, enum fb_calendar cal)
{
	int y, m, d;

	if (cal == FB_CAL_GREGORIAN) {
		fb_day_to_gregorian(day, &y, &m, &d);
		fb_buf_addf(out, "%04d-%02d-%02d", y, m, d);
	} else {
		fb_day_to_jalali(day, &y, &m, &d);
		fb_buf_addf(out, "%04d/%02d/%02d", y, m, d);
	}
}

int32_t fb_day_of_time(time_t t)
{
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return (int32_t)(t / 86400 - (t % 86400 < 0));
	return fb_gregorian_to_day(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static time_t local_time(int32_t day, int hour, int min, int sec)
{
	struct tm tm = {0};
	int y, m, d;

	fb_day_to_gregorian(day, &y, &m, &d);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

time_t fb_day_end_time(int32_t day)
{
	/*
	 * Where a zone turns its clocks back at midnight (Iran until 2022),
	 * 23:59:59 happens twice and mktime() may pick the first; the second
	 * before the next day's midnight is the true end.  Use that when it
	 * still falls on `day`.
	 */
	time_t t = local_time(day + 1, 0, 0, 0) - 1;

	if (fb_day_of_time(t) == day && fb_day_of_time(t + 1) == day + 1)
		return t;
	return local_time(day, 23, 59, 59);
}
