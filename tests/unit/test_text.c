/*
 * Unit tests for text.c: UTF-8 decoding, White_Space, the Persian fold,
 * display width and right-to-left detection.
 *
 * The fold is checked three ways: exhaustively over every code point against
 * the rows of FOLDING.md restated below, on strings from the project's own
 * tests/data/fold/fold.tsv (always run), and on ../shared/persian/fold_cases.tsv
 * when ../shared is there (a "# SKIP" line when it is not).
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

#include <fieldbook/text.h>


/* Equal byte strings; otherwise print both in hex, to read what differs. */
static int check_bytes(unsigned line, const char *input, const struct fb_buf *got,
		       const struct fb_buf *want)
{
	size_t i;

	if (got->len == want->len && !memcmp(got->ptr, want->ptr, got->len))
		return 0;
	print_message("# line %u: '%s'\n#   got ", line, input);
	for (i = 0; i < got->len; i++)
		print_message(" %02x", (unsigned char)got->ptr[i]);
	print_message("\n#  want ");
	for (i = 0; i < want->len; i++)
		print_message(" %02x", (unsigned char)want->ptr[i]);
	print_message("\n");
	return 1;
}

static size_t utf8_len(uint32_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static void test_utf8_sequences(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		int32_t cp;
		size_t adv;
	} cases[] = {
		{"a", 1, 'a', 1},
		{"\x7f", 1, 0x7F, 1},
		{"\0", 1, 0, 1},
		{"\xc2\x80", 2, 0x80, 2},
		{"\xdf\xbf", 2, 0x7FF, 2},
		{"\xe0\xa0\x80", 3, 0x800, 3},
		{"\xed\x9f\xbf", 3, 0xD7FF, 3},
		{"\xee\x80\x80", 3, 0xE000, 3},
		{"\xef\xbf\xbf", 3, 0xFFFF, 3},
		{"\xf0\x90\x80\x80", 4, 0x10000, 4},
		{"\xf4\x8f\xbf\xbf", 4, 0x10FFFF, 4},
		{"\xdb\x8c", 2, 0x06CC, 2},
		/* overlong */
		{"\xc0\x80", 2, -1, 1},
		{"\xc1\xbf", 2, -1, 1},
		{"\xe0\x80\x80", 3, -1, 1},
		{"\xe0\x9f\xbf", 3, -1, 1},
		{"\xf0\x80\x80\x80", 4, -1, 1},
		{"\xf0\x8f\xbf\xbf", 4, -1, 1},
		/* surrogates */
		{"\xed\xa0\x80", 3, -1, 1},
		{"\xed\xbf\xbf", 3, -1, 1},
		/* beyond U+10FFFF */
		{"\xf4\x90\x80\x80", 4, -1, 1},
		{"\xf5\x80\x80\x80", 4, -1, 1},
		{"\xf7\xbf\xbf\xbf", 4, -1, 1},
		{"\xf8\x88\x80\x80\x80", 5, -1, 1},
		{"\xff", 1, -1, 1},
		{"\xfe", 1, -1, 1},
		/* truncated, by the end or by a byte that does not continue */
		{"\xc2", 1, -1, 1},
		{"\xe2\x82", 2, -1, 1},
		{"\xf0\x9f\x98", 3, -1, 1},
		{"\xe2\x82\xac", 2, -1, 1},
		{"\xe2\x28\xa1", 3, -1, 1},
		{"\xf0\x9f\x98\x41", 4, -1, 1},
		{"\xc2\xc2\x80", 3, -1, 1},
		/* a lone continuation byte */
		{"\x80", 1, -1, 1},
		{"\xbf", 1, -1, 1},
	};
	size_t k;

	(void)state;
	for (k = 0; k < FB_ARRAY_SIZE(cases); k++) {
		size_t i = 0;
		int32_t cp = fb_utf8_next(cases[k].s, cases[k].len, &i);
		if (cp != cases[k].cp || i != cases[k].adv)
			fail_msg("case %zu: got U+%04X advancing %zu", k, (unsigned)cp, i);
	}
}

/* Every scalar value round-trips through fb_buf_add_utf8 and fb_utf8_next. */
static void test_utf8_every_code_point(void **state)
{
	struct fb_buf b = FB_BUF_INIT;
	uint32_t cp;
	int bad = 0;

	(void)state;
	for (cp = 0; cp <= 0x10FFFF; cp++) {
		size_t i = 0, bad_at = 99;
		int32_t got;

		if (cp == 0xD800)
			cp = 0xE000;
		fb_buf_reset(&b);
		fb_buf_add_utf8(&b, cp);
		got = fb_utf8_next(b.ptr, b.len, &i);
		if (got != (int32_t)cp || i != utf8_len(cp) || !fb_utf8_valid(b.ptr, b.len, &bad_at) ||
		    bad_at != 99 || fb_utf8_count(b.ptr, b.len) != 1)
			bad++;
		/* every shorter prefix is truncated */
		for (i = 1; i < b.len; i++) {
			size_t at = 0;
			if (fb_utf8_next(b.ptr, i, &at) != -1 || at != 1)
				bad++;
		}
	}
	fb_buf_release(&b);
	assert_int_equal(bad, 0);
}

static void test_utf8_valid_count(void **state)
{
	size_t bad = 0;

	(void)state;
	assert_true(fb_utf8_valid("", 0, &bad));
	assert_true(fb_utf8_valid("\xd8\xb9\xd9\x84\xdb\x8c abc", 10, &bad));
	assert_true(fb_utf8_valid("a\0b", 3, NULL));
	assert_false(fb_utf8_valid("abc\xc0\x80", 5, &bad));
	assert_int_equal(bad, 3);
	assert_false(fb_utf8_valid("\xd8\xb9\xed\xa0\x80", 5, &bad));
	assert_int_equal(bad, 2);
	assert_false(fb_utf8_valid("\xd8\xb9\xd9", 3, &bad));
	assert_int_equal(bad, 2);
	assert_false(fb_utf8_valid("\x80", 1, NULL));

	assert_int_equal(fb_utf8_count("", 0), 0);
	assert_int_equal(fb_utf8_count("abc", 3), 3);
	assert_int_equal(fb_utf8_count("\xd8\xb9\xd9\x84\xdb\x8c", 6), 3);
	assert_int_equal(fb_utf8_count("\xf0\x9f\x98\x80!", 5), 2);
	/* invalid bytes count one each */
	assert_int_equal(fb_utf8_count("\xff\xc0\x80" "a", 4), 4);
	assert_int_equal(fb_utf8_count("\xe2\x82", 2), 2);
}

static void test_is_space(void **state)
{
	static const uint32_t white[] = {
		0x09,	0x0A,	0x0B,	0x0C,	0x0D,	0x20,	0x85,	0xA0,	0x1680,
		0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008,
		0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
	};
	uint32_t cp;
	size_t k = 0, n = 0;

	(void)state;
	/* exactly the 25 White_Space code points of Unicode */
	for (cp = 0; cp <= 0x10FFFF; cp++) {
		bool want = k < FB_ARRAY_SIZE(white) && white[k] == cp;
		if (want)
			k++;
		if (fb_is_space(cp) != want)
			fail_msg("fb_is_space(U+%04X) is %d", (unsigned)cp, !want);
		n += want;
	}
	assert_int_equal(n, 25);
	/* look-alikes that are not White_Space */
	assert_false(fb_is_space(0x200B));
	assert_false(fb_is_space(0x180E));
	assert_false(fb_is_space(0xFEFF));
	assert_false(fb_is_space(0x1C));
}

/*
 * FOLDING.md, one row of its table per entry: code points first..last fold
 * to `to` (DIGITS: to the ASCII digit of the same value; DELETED: nothing).
 */
#define DIGITS	-2
#define DELETED -1
static const struct {
	uint32_t first, last;
	int32_t to;
} folding_rows[] = {
	{0x06F0, 0x06F9, DIGITS},  {0x0660, 0x0669, DIGITS},
	{0x064A, 0x064A, 0x06CC},  {0x0649, 0x0649, 0x06CC},
	{0x0626, 0x0626, 0x06CC},  {0x06D2, 0x06D3, 0x06CC},
	{0x0643, 0x0643, 0x06A9},  {0x0629, 0x0629, 0x0647},
	{0x06C0, 0x06C0, 0x0647},  {0x06C1, 0x06C2, 0x0647},
	{0x06D5, 0x06D5, 0x0647},  {0x0622, 0x0623, 0x0627},
	{0x0625, 0x0625, 0x0627},  {0x0671, 0x0671, 0x0627},
	{0x0624, 0x0624, 0x0648},  {0x0640, 0x0640, DELETED},
	{0x064B, 0x065F, DELETED}, {0x0670, 0x0670, DELETED},
	{0x200B, 0x200D, DELETED}, {0xFEFF, 0xFEFF, DELETED},
	{0x00AD, 0x00AD, DELETED}, {0x200E, 0x200F, DELETED},
	{0x061C, 0x061C, DELETED}, {0x202A, 0x202E, DELETED},
	{0x2066, 0x2069, DELETED}, {'A', 'Z', 'a' - 'A'},
};

static int32_t expected_fold(uint32_t cp)
{
	size_t k;

	for (k = 0; k < FB_ARRAY_SIZE(folding_rows); k++) {
		if (cp < folding_rows[k].first || cp > folding_rows[k].last)
			continue;
		if (folding_rows[k].to == DIGITS)
			return '0' + (int32_t)(cp - folding_rows[k].first);
		if (cp <= 'Z')
			return (int32_t)cp + folding_rows[k].to;
		return folding_rows[k].to;
	}
	return (int32_t)cp;
}

static void test_fold_rows(void **state)
{
	uint32_t cp;
	size_t k;
	int changed = 0;

	(void)state;
	for (k = 0; k < FB_ARRAY_SIZE(folding_rows); k++)
		for (cp = folding_rows[k].first; cp <= folding_rows[k].last; cp++)
			if (fb_fold_cp(cp) != expected_fold(cp))
				fail_msg("row %zu: U+%04X folds to %d", k, (unsigned)cp,
					 fb_fold_cp(cp));
	/* spot checks written out, so that a wrong row above cannot hide */
	assert_int_equal(fb_fold_cp(0x06F5), '5');
	assert_int_equal(fb_fold_cp(0x0669), '9');
	assert_int_equal(fb_fold_cp(0x064A), 0x06CC);
	assert_int_equal(fb_fold_cp(0x0643), 0x06A9);
	assert_int_equal(fb_fold_cp(0x0629), 0x0647);
	assert_int_equal(fb_fold_cp(0x0622), 0x0627);
	assert_int_equal(fb_fold_cp(0x0624), 0x0648);
	assert_int_equal(fb_fold_cp(0x0654), -1);
	assert_int_equal(fb_fold_cp(0x200C), -1);
	assert_int_equal(fb_fold_cp('Q'), 'q');
	assert_int_equal(fb_fold_cp(0x0621), 0x0621);
	assert_int_equal(fb_fold_cp(0x06CC), 0x06CC);
	assert_int_equal(fb_fold_cp(0x00C9), 0x00C9);
	/* and every other code point is left alone */
	for (cp = 0; cp <= 0x10FFFF; cp++) {
		if (fb_fold_cp(cp) != expected_fold(cp))
			fail_msg("U+%04X folds to %d, want %d", (unsigned)cp, fb_fold_cp(cp),
				 expected_fold(cp));
		changed += expected_fold(cp) != (int32_t)cp;
	}
	/* capitals, digits, yeh, kaf, heh, alef, waw, tatweel, harakat, ... bidi */
	assert_int_equal(changed, 26 + 20 + 5 + 1 + 5 + 4 + 1 + 1 + 21 + 1 + 3 + 1 + 1 + 2 + 1 + 5 + 4);
}

/* fb_fold on one code point is fb_fold_cp; the key also drops White_Space. */
static void test_fold_string_agrees(void **state)
{
	struct fb_buf in = FB_BUF_INIT, out = FB_BUF_INIT, want = FB_BUF_INIT;
	uint32_t cp;
	int bad = 0, flags;

	(void)state;
	for (cp = 0; cp <= 0x10FFFF; cp++) {
		if (cp == 0xD800)
			cp = 0xE000;
		fb_buf_reset(&in);
		fb_buf_add_utf8(&in, cp);
		for (flags = 0; flags < 2; flags++) {
			int32_t f = fb_fold_cp(cp);
			fb_buf_reset(&want);
			if (f >= 0 && !(flags && fb_is_space(cp)))
				fb_buf_add_utf8(&want, (uint32_t)f);
			fb_buf_reset(&out);
			fb_fold(&out, in.ptr, in.len, flags ? FB_FOLD_NOSPACE : FB_FOLD_DEFAULT);
			if (out.len != want.len || memcmp(out.ptr, want.ptr, out.len))
				bad++;
		}
	}
	fb_buf_release(&in);
	fb_buf_release(&out);
	fb_buf_release(&want);
	assert_int_equal(bad, 0);
}

/*
 * Random strings mixing ASCII runs, mapped and deleted code points, white
 * space and invalid bytes: fb_fold gives what folding code point by code
 * point gives.
 */
static void test_fold_random(void **state)
{
	static const uint32_t pool[] = {
		'a', 'Z', ' ', '\t', '0', 0x00A0, 0x00AD, 0x0622, 0x0629, 0x0640, 0x064A,
		0x064E, 0x0660, 0x06CC, 0x06F5, 0x200C, 0x200F, 0x2009, 0x3000, 0xFEFF,
		0x4E2D, 0x1F600, 0x0085,
	};
	struct fb_buf in = FB_BUF_INIT, out = FB_BUF_INIT, want = FB_BUF_INIT;
	uint32_t seed = 12345;
	int round, bad = 0;

	(void)state;
	for (round = 0; round < 20000; round++) {
		int n, k, flags = round & 1;
		size_t i;

		fb_buf_reset(&in);
		seed = seed * 1103515245 + 12345;
		n = (int)(seed >> 16) % 40;
		for (k = 0; k < n; k++) {
			seed = seed * 1103515245 + 12345;
			if ((seed >> 16) % 11 == 0)
				fb_buf_putc(&in, 0x80 | (int)((seed >> 8) & 0x7F));
			else
				fb_buf_add_utf8(&in, pool[(seed >> 16) % FB_ARRAY_SIZE(pool)]);
		}
		fb_buf_reset(&want);
		for (i = 0; i < in.len;) {
			size_t at = i;
			int32_t cp = fb_utf8_next(in.ptr, in.len, &i), f;
			if (cp < 0) {
				fb_buf_putc(&want, in.ptr[at]);
				continue;
			}
			f = fb_fold_cp((uint32_t)cp);
			if (f >= 0 && !(flags && fb_is_space((uint32_t)cp)))
				fb_buf_add_utf8(&want, (uint32_t)f);
		}
		fb_buf_reset(&out);
		fb_buf_puts(&out, "keep:");
		fb_fold(&out, in.ptr, in.len, flags ? FB_FOLD_NOSPACE : FB_FOLD_DEFAULT);
		if (out.len != want.len + 5 || memcmp(out.ptr, "keep:", 5) ||
		    memcmp(out.ptr + 5, want.ptr, want.len) || out.ptr[out.len] != '\0')
			bad++;
	}
	fb_buf_release(&in);
	fb_buf_release(&out);
	fb_buf_release(&want);
	assert_int_equal(bad, 0);
}

static void test_fold_buffer(void **state)
{
	struct fb_buf b = FB_BUF_INIT;

	(void)state;
	/* nothing to fold: the buffer is not even allocated */
	fb_fold(&b, "", 0, FB_FOLD_DEFAULT);
	assert_int_equal(b.alloc, 0);
	fb_fold(&b, " \t", 2, FB_FOLD_NOSPACE);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
	/* appends, and keeps the content NUL-terminated */
	fb_fold(&b, "Abc", 3, FB_FOLD_DEFAULT);
	fb_fold(&b, " D", 2, FB_FOLD_NOSPACE);
	assert_int_equal(b.len, 4);
	assert_string_equal(b.ptr, "abcd");
	fb_buf_release(&b);
}

static void test_fold_own(void **state)
{
	struct fb_buf in = FB_BUF_INIT, out = FB_BUF_INIT, want = FB_BUF_INIT;
	struct table t;
	int rows = 0, bad = 0;

	(void)state;
	table_open(&t, "fold/fold.tsv", false);
	while (table_next(&t, true)) {
		unsigned flags = FB_FOLD_DEFAULT;

		if (t.nfield < 3)
			fail_msg("fold.tsv line %u: too few fields", t.lineno);
		if (!strcmp(t.field[1], "key"))
			flags = FB_FOLD_NOSPACE;
		else if (strcmp(t.field[1], "fold"))
			fail_msg("fold.tsv line %u: mode '%s'", t.lineno, t.field[1]);
		unescape(&in, t.field[0]);
		unescape(&want, t.field[2]);
		fb_buf_reset(&out);
		fb_fold(&out, in.ptr, in.len, flags);
		rows++;
		bad += check_bytes(t.lineno, t.field[0], &out, &want);
		/* folding is idempotent */
		fb_buf_reset(&in);
		fb_fold(&in, out.ptr, out.len, flags);
		bad += check_bytes(t.lineno, t.field[0], &in, &out);
	}
	table_close(&t);
	fb_buf_release(&in);
	fb_buf_release(&out);
	fb_buf_release(&want);
	print_message("# %d fold rows\n", rows);
	assert_true(rows >= 50);
	assert_int_equal(bad, 0);
}

static void test_width_own(void **state)
{
	struct fb_buf in = FB_BUF_INIT;
	struct table t;
	int rows = 0, bad = 0;

	(void)state;
	table_open(&t, "fold/width.tsv", false);
	while (table_next(&t, true)) {
		size_t w;

		assert_true(t.nfield >= 2);
		unescape(&in, t.field[0]);
		w = fb_display_width(in.ptr, in.len);
		rows++;
		if (w != strtoul(t.field[1], NULL, 10)) {
			print_message("# width.tsv line %u: '%s' is %zu wide, want %s\n", t.lineno,
				      t.field[0], w, t.field[1]);
			bad++;
		}
	}
	table_close(&t);
	fb_buf_release(&in);
	print_message("# %d width rows\n", rows);
	assert_true(rows >= 20);
	assert_int_equal(bad, 0);
}

static void test_cp_width(void **state)
{
	uint32_t cp;

	(void)state;
	for (cp = 0x064B; cp <= 0x065F; cp++)
		assert_int_equal(fb_cp_width(cp), 0);
	for (cp = 0x0300; cp <= 0x036F; cp++)
		assert_int_equal(fb_cp_width(cp), 0);
	for (cp = 0x0621; cp <= 0x063A; cp++)
		assert_int_equal(fb_cp_width(cp), 1);
	for (cp = 0x4E00; cp <= 0x9FFF; cp++)
		assert_int_equal(fb_cp_width(cp), 2);
	for (cp = 0xAC00; cp <= 0xD7A3; cp++)
		assert_int_equal(fb_cp_width(cp), 2);
	for (cp = 0x20; cp < 0x7F; cp++)
		assert_int_equal(fb_cp_width(cp), 1);
	assert_int_equal(fb_cp_width(0x0670), 0);
	assert_int_equal(fb_cp_width(0x200C), 0);
	assert_int_equal(fb_cp_width(0x200D), 0);
	assert_int_equal(fb_cp_width(0x200F), 0);
	assert_int_equal(fb_cp_width(0x2067), 0);
	assert_int_equal(fb_cp_width(0xFEFF), 0);
	assert_int_equal(fb_cp_width(0x00AD), 0);
	assert_int_equal(fb_cp_width(0x06CC), 1);
	assert_int_equal(fb_cp_width(0x06F1), 1);
	assert_int_equal(fb_cp_width(0xFF01), 2);
	assert_int_equal(fb_cp_width(0xFF61), 1);
	assert_int_equal(fb_cp_width(0x1F600), 2);
	assert_int_equal(fb_cp_width(0x2026), 1);
	assert_int_equal(fb_cp_width(0x10FFFF), 1);
	assert_int_equal(fb_cp_width(0), 0);
}

static void test_has_rtl(void **state)
{
	(void)state;
	assert_true(fb_has_rtl("\xd8\xb9\xd9\x84\xdb\x8c", 6));     /* علی */
	assert_true(fb_has_rtl("id 42 \xd8\xb9", 8));               /* one Arabic letter */
	assert_true(fb_has_rtl("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", 8)); /* שלום */
	assert_true(fb_has_rtl("\xef\xbb\xb5", 3));                 /* U+FEF5 lam-alef form */
	assert_false(fb_has_rtl("", 0));
	assert_false(fb_has_rtl("Kerman 1403", 11));
	/* Persian digits are European numbers to the bidi algorithm, marks are neutral */
	assert_false(fb_has_rtl("\xdb\xb1\xdb\xb4\xdb\xb0\xdb\xb3", 8));
	assert_false(fb_has_rtl("a\xd9\x8e", 3));
	assert_false(fb_has_rtl("\xe2\x80\x8e", 3)); /* LRM */
	assert_false(fb_has_rtl("\xd8\xff", 2));
	/* the length bounds the search */
	assert_false(fb_has_rtl("ab\xd8\xb9", 2));
}

/* ../shared/persian/fold_cases.tsv: the key of each input, as its header says. */
static void test_shared_fold_cases(void **state)
{
	struct fb_buf in = FB_BUF_INIT, out = FB_BUF_INIT, want = FB_BUF_INIT;
	struct table t;
	int rows = 0, bad = 0;

	(void)state;
	if (!have_shared) {
		skip_without_shared();
		return;
	}
	table_open(&t, "persian/fold_cases.tsv", true);
	assert_true(table_next(&t, false));
	assert_string_equal(t.field[3], "expected_key_codepoints");
	while (table_next(&t, false)) {
		assert_true(t.nfield >= 4);
		from_codepoints(&in, t.field[1]);
		from_codepoints(&want, t.field[3]);
		fb_buf_reset(&out);
		fb_fold(&out, in.ptr, in.len, FB_FOLD_NOSPACE);
		rows++;
		bad += check_bytes(t.lineno, t.field[0], &out, &want);
	}
	table_close(&t);
	fb_buf_release(&in);
	fb_buf_release(&out);
	fb_buf_release(&want);
	print_message("# %d shared fold cases\n", rows);
	assert_int_equal(rows, 30);
	assert_int_equal(bad, 0);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_sequences),
		cmocka_unit_test(test_utf8_every_code_point),
		cmocka_unit_test(test_utf8_valid_count),
		cmocka_unit_test(test_is_space),
		cmocka_unit_test(test_fold_rows),
		cmocka_unit_test(test_fold_string_agrees),
		cmocka_unit_test(test_fold_random),
		cmocka_unit_test(test_fold_buffer),
		cmocka_unit_test(test_fold_own),
		cmocka_unit_test(test_width_own),
		cmocka_unit_test(test_cp_width),
		cmocka_unit_test(test_has_rtl),
		cmocka_unit_test(test_shared_fold_cases),
	};
	return testdata_run("text", tests, FB_ARRAY_SIZE(tests));
}
