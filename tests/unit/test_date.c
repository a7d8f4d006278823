/*
 * Unit tests for date.c: calendar arithmetic, the one date parser, periods,
 * formatting and local days.
 *
 * Two sources of cases.  The project's own tables in tests/data/dates/ always
 * run (located through $FB_SRCDIR, else the current directory).  The shared
 * reference files (../shared/persian: the 73k-day oracle, the tricky days and
 * the normative input cases) run when that folder is there and are reported
 * as skipped, with a "# SKIP" line, when it is not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <fieldbook/date.h>
#include <fieldbook/text.h>


/* "1403/05/12" (Jalali) or "2024-08-02" (Gregorian), read without the parser. */
static int32_t day_of(const char *s)
{
	int y = 0, m = 0, d = 0;
	char sep = 0;

	if (sscanf(s, "%4d%c%2d%*c%2d", &y, &sep, &m, &d) != 4)
		fail_msg("bad date '%s' in a data file", s);
	if (sep == '/')
		return fb_jalali_to_day(y, m, d);
	return fb_gregorian_to_day(y, m, d);
}

static const char *fmt(struct fb_buf *b, int32_t day, enum fb_calendar cal)
{
	fb_buf_reset(b);
	fb_date_format(b, day, cal);
	return b->ptr;
}

static int check_str(const char *what, unsigned line, const char *got, const char *want)
{
	if (!strcmp(got, want))
		return 0;
	print_message("# line %u: %s: got '%s', want '%s'\n", line, what, got, want);
	return 1;
}

static void test_span(void **state)
{
	(void)state;
	assert_int_equal(fb_day_min, fb_jalali_to_day(1200, 1, 1));
	assert_int_equal(fb_day_max, fb_jalali_to_day(1699, 12, 29));
	assert_int_equal(fb_day_min, fb_gregorian_to_day(1821, 3, 21));
	assert_int_equal(fb_day_max, fb_gregorian_to_day(2321, 3, 20));
	assert_false(fb_jalali_leap(1699));
	assert_int_equal(fb_gregorian_to_day(1970, 1, 1), 0);
}

static void test_names(void **state)
{
	static const char *const fa[] = {
		"یکشنبه", "دوشنبه", "سه\u200cشنبه", "چهارشنبه", "پنج\u200cشنبه", "جمعه", "شنبه",
	};
	static const char *const months[] = {
		"فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
		"مهر",     "آبان",     "آذر",   "دی",  "بهمن",  "اسفند",
	};
	int i;

	(void)state;
	for (i = 0; i < 7; i++)
		assert_string_equal(fb_weekday_name_fa(i), fa[i]);
	assert_string_equal(fb_weekday_name_en(0), "sunday");
	assert_string_equal(fb_weekday_name_en(2), "tuesday");
	assert_string_equal(fb_weekday_name_en(6), "saturday");
	assert_string_equal(fb_weekday_name_fa(7), "");
	assert_string_equal(fb_weekday_name_en(-1), "");
	for (i = 1; i <= 12; i++)
		assert_string_equal(fb_jalali_month_name(i), months[i - 1]);
	assert_string_equal(fb_jalali_month_name(0), "");
	assert_string_equal(fb_jalali_month_name(13), "");
}

static void test_own_calendar(void **state)
{
	struct fb_buf b = FB_BUF_INIT;
	struct table t;
	int rows = 0, bad = 0;

	(void)state;
	table_open(&t, "dates/calendar.tsv", false);
	while (table_next(&t, true)) {
		int32_t j, g;
		int w;

		assert_int_equal(t.nfield, 3);
		j = day_of(t.field[0]);
		g = day_of(t.field[1]);
		w = fb_weekday(j);
		rows++;
		bad += check_str("jalali", t.lineno, fmt(&b, g, FB_CAL_JALALI), t.field[0]);
		bad += check_str("gregorian", t.lineno, fmt(&b, j, FB_CAL_GREGORIAN), t.field[1]);
		bad += check_str("weekday", t.lineno, fb_weekday_name_en(w), t.field[2]);
	}
	table_close(&t);
	fb_buf_release(&b);
	print_message("# %d calendar rows\n", rows);
	assert_true(rows >= 20);
	assert_int_equal(bad, 0);
}

static void test_own_parse(void **state)
{
	struct fb_buf in = FB_BUF_INIT, err = FB_BUF_INIT, b = FB_BUF_INIT, want = FB_BUF_INIT;
	struct table t;
	int rows = 0, bad = 0;

	(void)state;
	table_open(&t, "dates/parse.tsv", false);
	while (table_next(&t, true)) {
		enum fb_calendar cal = FB_CAL_JALALI;
		int32_t day = 0;
		int rc;

		unescape(&in, t.field[0]);
		fb_buf_reset(&err);
		rc = fb_date_parse(in.ptr, in.len, &day, &cal, &err);
		rows++;
		if (t.nfield == 2 && !strncmp(t.field[1], "error: ", 7)) {
			unescape(&want, t.field[1] + 7);
			if (rc != FB_ESYNTAX) {
				print_message("# line %u: '%s' parsed, want an error\n", t.lineno,
					      t.field[0]);
				bad++;
				continue;
			}
			bad += check_str("message", t.lineno, err.ptr, want.ptr);
			continue;
		}
		assert_int_equal(t.nfield, 4);
		if (rc) {
			print_message("# line %u: '%s': %s\n", t.lineno, t.field[0], err.ptr);
			bad++;
			continue;
		}
		bad += check_str("jalali", t.lineno, fmt(&b, day, FB_CAL_JALALI), t.field[1]);
		bad += check_str("gregorian", t.lineno, fmt(&b, day, FB_CAL_GREGORIAN), t.field[2]);
		bad += check_str("calendar", t.lineno,
				 cal == FB_CAL_JALALI ? "jalali" : "gregorian", t.field[3]);
	}
	table_close(&t);
	print_message("# %d parse rows\n", rows);
	fb_buf_release(&in);
	fb_buf_release(&err);
	fb_buf_release(&b);
	fb_buf_release(&want);
	assert_true(rows >= 200);
	assert_int_equal(bad, 0);
}

static void test_own_arg(void **state)
{
	struct fb_buf in = FB_BUF_INIT, err = FB_BUF_INIT, b = FB_BUF_INIT;
	struct table t;
	int rows = 0, bad = 0;

	(void)state;
	table_open(&t, "dates/arg.tsv", false);
	while (table_next(&t, true)) {
		int32_t day = 0;
		int rc;

		assert_int_equal(t.nfield, 3);
		unescape(&in, t.field[1]);
		fb_buf_reset(&err);
		rc = fb_date_parse_arg(in.ptr, day_of(t.field[0]), &day, &err);
		rows++;
		if (!strncmp(t.field[2], "error: ", 7)) {
			if (rc != FB_ESYNTAX) {
				print_message("# line %u: '%s' parsed, want an error\n", t.lineno,
					      t.field[1]);
				bad++;
			} else {
				bad += check_str("message", t.lineno, err.ptr, t.field[2] + 7);
			}
		} else if (rc) {
			print_message("# line %u: '%s': %s\n", t.lineno, t.field[1], err.ptr);
			bad++;
		} else {
			bad += check_str("day", t.lineno, fmt(&b, day, FB_CAL_JALALI), t.field[2]);
		}
	}
	table_close(&t);
	print_message("# %d argument rows\n", rows);
	fb_buf_release(&in);
	fb_buf_release(&err);
	fb_buf_release(&b);
	assert_true(rows >= 30);
	assert_int_equal(bad, 0);
}

static void test_own_period(void **state)
{
	struct fb_buf in = FB_BUF_INIT, err = FB_BUF_INIT;
	struct table t;
	int rows = 0, bad = 0;

	(void)state;
	table_open(&t, "dates/period.tsv", false);
	while (table_next(&t, true)) {
		int32_t first = 0, last = 0;
		int rc;

		unescape(&in, t.field[1]);
		fb_buf_reset(&err);
		rc = fb_period_parse(in.ptr, day_of(t.field[0]), &first, &last, &err);
		rows++;
		if (t.nfield == 3 && !strncmp(t.field[2], "error: ", 7)) {
			if (rc != FB_ESYNTAX) {
				print_message("# line %u: '%s' parsed, want an error\n", t.lineno,
					      t.field[1]);
				bad++;
			} else {
				bad += check_str("message", t.lineno, err.ptr, t.field[2] + 7);
			}
			continue;
		}
		assert_int_equal(t.nfield, 4);
		if (rc) {
			print_message("# line %u: '%s': %s\n", t.lineno, t.field[1], err.ptr);
			bad++;
		} else if (first != day_of(t.field[2]) || last != day_of(t.field[3])) {
			print_message("# line %u: '%s': got days %d..%d, want %d..%d\n", t.lineno,
				      t.field[1], first, last, day_of(t.field[2]),
				      day_of(t.field[3]));
			bad++;
		}
	}
	table_close(&t);
	print_message("# %d period rows\n", rows);
	fb_buf_release(&in);
	fb_buf_release(&err);
	assert_true(rows >= 50);
	assert_int_equal(bad, 0);
}

/* Every supported day formats in both calendars and parses back to itself. */
static void test_format_parses_back(void **state)
{
	struct fb_buf b = FB_BUF_INIT, err = FB_BUF_INIT;
	int32_t day;
	int bad = 0;

	(void)state;
	for (day = fb_day_min; day <= fb_day_max; day++) {
		int c;
		for (c = 0; c < 2; c++) {
			enum fb_calendar cal = c ? FB_CAL_GREGORIAN : FB_CAL_JALALI, got_cal;
			int32_t got = 0;

			fmt(&b, day, cal);
			if (b.len != 10 || fb_date_parse(b.ptr, b.len, &got, &got_cal, &err) ||
			    got != day || got_cal != cal) {
				if (bad++ < 10)
					print_message("# day %d: '%s' does not parse back\n", day,
						      b.ptr);
			}
		}
	}
	fb_buf_release(&b);
	fb_buf_release(&err);
	assert_int_equal(bad, 0);
}

static void test_format(void **state)
{
	struct fb_buf b = FB_BUF_INIT;
	int32_t day = fb_gregorian_to_day(2024, 8, 2);

	(void)state;
	assert_string_equal(fmt(&b, day, FB_CAL_JALALI), "1403/05/12");
	assert_string_equal(fmt(&b, day, FB_CAL_GREGORIAN), "2024-08-02");
	assert_string_equal(fmt(&b, fb_day_min, FB_CAL_JALALI), "1200/01/01");
	assert_string_equal(fmt(&b, fb_day_min, FB_CAL_GREGORIAN), "1821-03-21");
	/* fb_date_format appends */
	fb_buf_reset(&b);
	fb_buf_puts(&b, "on ");
	fb_date_format(&b, day, FB_CAL_GREGORIAN);
	assert_string_equal(b.ptr, "on 2024-08-02");
	fb_buf_release(&b);
}

static void test_parse_details(void **state)
{
	struct fb_buf err = FB_BUF_INIT;
	int32_t day = 12345;
	enum fb_calendar cal = FB_CAL_GREGORIAN;

	(void)state;
	/* the calendar pointer and the error buffer may be NULL */
	assert_int_equal(fb_date_parse("1403/05/12", 10, &day, NULL, NULL), 0);
	assert_int_equal(day, fb_gregorian_to_day(2024, 8, 2));
	assert_int_equal(fb_date_parse("1403/13/12", 10, &day, NULL, NULL), FB_ESYNTAX);
	/* a failed parse leaves the outputs alone */
	assert_int_equal(fb_date_parse("2024-02-30", 10, &day, &cal, &err), FB_ESYNTAX);
	assert_int_equal(day, fb_gregorian_to_day(2024, 8, 2));
	assert_int_equal(cal, FB_CAL_GREGORIAN);
	/* the message replaces what the buffer held */
	assert_string_equal(err.ptr, "day 30 out of range 1..29 for 2024-02");
	assert_int_equal(fb_date_parse("x", 1, &day, &cal, &err), FB_ESYNTAX);
	assert_string_equal(err.ptr, "unrecognised date");
	/* the length bounds the input: no NUL needed, none looked for */
	assert_int_equal(fb_date_parse("1403/05/1299", 10, &day, &cal, &err), 0);
	assert_int_equal(day, fb_jalali_to_day(1403, 5, 12));
	assert_int_equal(cal, FB_CAL_JALALI);
	/* a NUL inside is not a date character */
	assert_int_equal(fb_date_parse("1403/05/12\0", 11, &day, &cal, &err), FB_ESYNTAX);
	fb_buf_release(&err);
}

static void test_season(void **state)
{
	int32_t day, first, last;
	int bad = 0;

	(void)state;
	for (day = fb_jalali_to_day(1399, 1, 1); day < fb_jalali_to_day(1410, 1, 1); day++) {
		int y, m, d, fy, fm, fd, ly, lm, ld;

		fb_jalali_season(day, &first, &last);
		fb_day_to_jalali(day, &y, &m, &d);
		fb_day_to_jalali(first, &fy, &fm, &fd);
		fb_day_to_jalali(last + 1, &ly, &lm, &ld);
		if (first > day || last < day || fy != y || fd != 1 || (fm - 1) % 3 != 0 ||
		    fm > m || m > fm + 2 || ld != 1 || (lm != fm + 3 && !(fm == 10 && lm == 1)))
			bad++;
	}
	assert_int_equal(bad, 0);
	fb_jalali_season(fb_jalali_to_day(1403, 12, 30), &first, &last);
	assert_int_equal(first, fb_jalali_to_day(1403, 10, 1));
	assert_int_equal(last, fb_jalali_to_day(1403, 12, 30));
	fb_jalali_season(fb_jalali_to_day(1403, 5, 12), &first, &last);
	assert_int_equal(first, fb_jalali_to_day(1403, 4, 1));
	assert_int_equal(last, fb_jalali_to_day(1403, 6, 31));
}

static void set_tz(const char *tz)
{
	if (tz)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	tzset();
}

/* The last second of each day is on that day, the next second on the next. */
static int check_day_ends(int32_t from, int32_t to)
{
	int32_t day;
	int bad = 0;

	for (day = from; day <= to; day++) {
		time_t end = fb_day_end_time(day);
		if (fb_day_of_time(end) != day || fb_day_of_time(end + 1) != day + 1) {
			if (bad++ < 5)
				print_message("# TZ=%s day %d: end %lld\n", getenv("TZ"), day,
					      (long long)end);
		}
	}
	return bad;
}

static void test_local_days(void **state)
{
	const char *saved = getenv("TZ");
	char *keep = saved ? strdup(saved) : NULL;
	int32_t day = fb_gregorian_to_day(2024, 8, 2);

	(void)state;
	set_tz("UTC0");
	assert_int_equal(fb_day_of_time(0), 0);
	assert_int_equal(fb_day_of_time(-1), -1);
	assert_int_equal(fb_day_of_time((time_t)day * 86400 + 86399), day);
	assert_int_equal(fb_day_end_time(day), (time_t)day * 86400 + 86399);
	assert_int_equal(check_day_ends(day - 400, day + 400), 0);

	/* Tehran standard time: 2024-08-02 00:00 local is 2024-08-01 20:30 UTC */
	set_tz("<+0330>-3:30");
	assert_int_equal(fb_day_of_time((time_t)day * 86400 - 12600), day);
	assert_int_equal(fb_day_of_time((time_t)day * 86400 - 12601), day - 1);
	assert_int_equal(fb_day_end_time(day), (time_t)day * 86400 + 86399 - 12600);

	/*
	 * Iran's old summer time, changing clocks at midnight: forward at the
	 * start of 1 Farvardin, back at the end of 30 Shahrivar, when 23:00-24:00
	 * happens twice.
	 */
	set_tz("<+0330>-3:30<+0430>,J80/0,J264/24");
	assert_int_equal(
		check_day_ends(fb_gregorian_to_day(2021, 1, 1), fb_gregorian_to_day(2022, 12, 31)), 0);
	/* a zone west of Greenwich, with DST changing at 02:00 */
	set_tz("EST5EDT,M3.2.0,M11.1.0");
	assert_int_equal(
		check_day_ends(fb_gregorian_to_day(2024, 1, 1), fb_gregorian_to_day(2024, 12, 31)), 0);

	set_tz(keep);
	free(keep);
}

/* ../shared/persian/jalali_oracle.tsv: every day, both ways, through the parser too. */
static void test_shared_oracle(void **state)
{
	struct fb_buf b = FB_BUF_INIT, err = FB_BUF_INIT;
	struct table t;
	int rows = 0, bad = 0;
	int32_t prev = 0;

	(void)state;
	if (!have_shared) {
		skip_without_shared();
		return;
	}
	table_open(&t, "persian/jalali_oracle.tsv", true);
	assert_true(table_next(&t, false));
	assert_string_equal(t.field[0], "gregorian");
	while (table_next(&t, false)) {
		int gy = 0, gm = 0, gd = 0, jy = 0, jm = 0, jd = 0, y, m, d;
		int32_t g, j, pj = 0, pg = 0;
		enum fb_calendar cj, cg;
		int before = bad;

		if (t.nfield != 2 || sscanf(t.field[0], "%d-%d-%d", &gy, &gm, &gd) != 3 ||
		    sscanf(t.field[1], "%d-%d-%d", &jy, &jm, &jd) != 3)
			fail_msg("oracle line %u malformed", t.lineno);
		rows++;
		g = fb_gregorian_to_day(gy, gm, gd);
		j = fb_jalali_to_day(jy, jm, jd);
		fb_day_to_jalali(g, &y, &m, &d);
		if (g != j || y != jy || m != jm || d != jd)
			bad++;
		fb_day_to_gregorian(j, &y, &m, &d);
		if (y != gy || m != gm || d != gd)
			bad++;
		if (rows > 1 && g != prev + 1)
			bad++;
		prev = g;
		/* the parser reads both spellings of the row to the same day */
		if (fb_date_parse(t.field[0], strlen(t.field[0]), &pg, &cg, &err) || pg != g ||
		    cg != FB_CAL_GREGORIAN)
			bad++;
		if (fb_date_parse(t.field[1], strlen(t.field[1]), &pj, &cj, &err) || pj != g ||
		    cj != FB_CAL_JALALI)
			bad++;
		/* and the formatter writes them back */
		fmt(&b, g, FB_CAL_GREGORIAN);
		if (strcmp(b.ptr, t.field[0]))
			bad++;
		fmt(&b, g, FB_CAL_JALALI);
		b.ptr[4] = b.ptr[7] = '-';
		if (strcmp(b.ptr, t.field[1]))
			bad++;
		if (bad != before && bad < 10)
			print_message("# oracle line %u: %s %s\n", t.lineno, t.field[0],
				      t.field[1]);
	}
	table_close(&t);
	fb_buf_release(&b);
	fb_buf_release(&err);
	print_message("# %d oracle rows\n", rows);
	assert_int_equal(rows, 73414);
	assert_int_equal(bad, 0);
}

static int weekday_of_note(const char *s)
{
	static const char *const abbr[] = {"(Sun)", "(Mon)", "(Tue)", "(Wed)",
					   "(Thu)", "(Fri)", "(Sat)"};
	int i;

	for (i = 0; i < 7; i++)
		if (strstr(s, abbr[i]))
			return i;
	fail_msg("no weekday in '%s'", s);
	return -1;
}

/* ../shared/persian/jalali_tricky.tsv: leap years, month ends, weekdays. */
static void test_shared_tricky(void **state)
{
	struct fb_buf err = FB_BUF_INIT;
	struct table t;
	int rows = 0, bad = 0;

	(void)state;
	if (!have_shared) {
		skip_without_shared();
		return;
	}
	table_open(&t, "persian/jalali_tricky.tsv", true);
	assert_true(table_next(&t, false));
	assert_string_equal(t.field[0], "kind");
	while (table_next(&t, false)) {
		const char *jal = t.field[1], *greg = t.field[2];
		bool valid;
		int32_t j = 0, g = 0;
		int rj = 0, rg = 0;

		assert_true(t.nfield >= 5);
		valid = !strcmp(t.field[3], "valid");
		assert_true(valid || !strcmp(t.field[3], "INVALID"));
		rows++;
		if (strcmp(jal, "-"))
			rj = fb_date_parse(jal, strlen(jal), &j, NULL, &err);
		if (strcmp(greg, "-"))
			rg = fb_date_parse(greg, strlen(greg), &g, NULL, &err);
		if (!valid) {
			const char *given = strcmp(jal, "-") ? jal : greg;
			int jy = 0, jm = 0, jd = 0, ok;

			if (sscanf(given, "%d-%d-%d", &jy, &jm, &jd) != 3)
				fail_msg("tricky line %u malformed", t.lineno);
			ok = given == jal ? jd >= 1 && jd <= fb_jalali_month_days(jy, jm)
					  : jd >= 1 && jd <= fb_gregorian_month_days(jy, jm);
			if ((given == jal ? rj : rg) != FB_ESYNTAX || ok) {
				print_message("# tricky line %u: %s accepted\n", t.lineno, given);
				bad++;
			}
			continue;
		}
		if (rj || rg || j != g || fb_weekday(j) != weekday_of_note(t.field[4])) {
			print_message("# tricky line %u: %s %s: %s\n", t.lineno, jal, greg,
				      rj || rg ? err.ptr : "wrong day or weekday");
			bad++;
		}
	}
	table_close(&t);
	fb_buf_release(&err);
	print_message("# %d tricky rows\n", rows);
	assert_int_equal(rows, 76);
	assert_int_equal(bad, 0);
}

/* ../shared/persian/date_input_cases.tsv: normative, messages included. */
static void test_shared_input_cases(void **state)
{
	struct fb_buf in = FB_BUF_INIT, err = FB_BUF_INIT, b = FB_BUF_INIT;
	struct table t;
	int rows = 0, bad = 0;

	(void)state;
	if (!have_shared) {
		skip_without_shared();
		return;
	}
	table_open(&t, "persian/date_input_cases.tsv", true);
	assert_true(table_next(&t, false));
	assert_string_equal(t.field[0], "input_visible");
	while (table_next(&t, false)) {
		const char *want = t.field[2];
		int32_t day = 0;
		int rc;

		assert_int_equal(t.nfield, 3);
		from_codepoints(&in, t.field[1]);
		fb_buf_reset(&err);
		rc = fb_date_parse(in.ptr, in.len, &day, NULL, &err);
		rows++;
		if (!strncmp(want, "ERROR: ", 7)) {
			if (rc != FB_ESYNTAX)
				bad += check_str("result", t.lineno, "a date", want);
			else
				bad += check_str("message", t.lineno, err.ptr, want + 7);
			continue;
		}
		if (rc) {
			bad += check_str("result", t.lineno, err.ptr, want);
			continue;
		}
		fmt(&b, day, FB_CAL_JALALI);
		b.ptr[4] = b.ptr[7] = '-';
		bad += check_str("day", t.lineno, b.ptr, want);
	}
	table_close(&t);
	fb_buf_release(&in);
	fb_buf_release(&err);
	fb_buf_release(&b);
	print_message("# %d input cases\n", rows);
	assert_int_equal(rows, 46);
	assert_int_equal(bad, 0);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_span),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_own_calendar),
		cmocka_unit_test(test_own_parse),
		cmocka_unit_test(test_own_arg),
		cmocka_unit_test(test_own_period),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_parses_back),
		cmocka_unit_test(test_parse_details),
		cmocka_unit_test(test_season),
		cmocka_unit_test(test_local_days),
		cmocka_unit_test(test_shared_oracle),
		cmocka_unit_test(test_shared_tricky),
		cmocka_unit_test(test_shared_input_cases),
	};
	return testdata_run("date", tests, FB_ARRAY_SIZE(tests));
}
