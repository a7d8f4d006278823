/*
 * Unit tests for diag.c's text form: whatever bytes a message or a file name
 * carries (a user's argument echoed, a value from a record), the formatted
 * line is valid UTF-8 with no control or bidi characters -- invalid bytes as
 * \xff, controls as \x1b (\n, \t), bidi controls as \u{202E} -- while
 * ordinary Persian text, ZWNJ included, is kept as it is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testdata.h"

#include <stdlib.h>
#include <string.h>

#include <fieldbook/diag.h>
#include <fieldbook/text.h>

static void escaped(const char *in, const char *want)
{
	struct fb_buf out = FB_BUF_INIT;
	fb_diag_escape(&out, in, strlen(in));
	assert_string_equal(out.ptr, want);
	fb_buf_release(&out);
}

static void test_escape(void **state)
{
	(void)state;
	escaped("", "");
	escaped("plain", "plain");
	escaped("\xff\xfe", "\\xff\\xfe");
	escaped("a\x80z", "a\\x80z");
	escaped("\xc3", "\\xc3"); /* a sequence cut short */
	escaped("\xed\xa0\x80", "\\xed\\xa0\\x80"); /* a surrogate */
	escaped("x\x1b[31my", "x\\x1b[31my");
	escaped("a\tb\nc\x7f", "a\\tb\\nc\\x7f");
	escaped("x\xe2\x80\xaey", "x\\u{202E}y");
	escaped("علی\xe2\x80\x8cرضا", "علی\xe2\x80\x8cرضا"); /* ZWNJ is text */
	escaped("۱۴۰۳/۱۳/۰۱", "۱۴۰۳/۱۳/۰۱");
}

static void test_format_escapes_message_and_file(void **state)
{
	struct fb_diag d = FB_DIAG_INIT;
	struct fb_buf out = FB_BUF_INIT;
	(void)state;

	fb_diag_addf(&d, FB_SEV_ERROR, NULL, 0, 0, "-q '%s': no", "\xff\xfe");
	fb_diag_addf(&d, FB_SEV_WARNING, "records/a\x01.yaml", 3, 4, "'%s'", "\x1b[2J");
	fb_diag_format(&out, &d.v[0]);
	assert_string_equal(out.ptr, "fieldbook: error: -q '\\xff\\xfe': no");
	fb_buf_reset(&out);
	fb_diag_format(&out, &d.v[1]);
	assert_string_equal(out.ptr, "records/a\\x01.yaml:3:4: warning: '\\x1b[2J'");
	assert_true(fb_utf8_valid(out.ptr, out.len, NULL));
	/* the entry itself keeps the bytes: only the text form escapes */
	assert_string_equal(d.v[0].message, "-q '\xff\xfe': no");
	fb_buf_release(&out);
	fb_diag_release(&d);
}

static void test_shorten_still_cuts(void **state)
{
	struct fb_buf out = FB_BUF_INIT;
	(void)state;
	fb_diag_shorten(&out, "\xff" "abcdef", 7, 3);
	assert_string_equal(out.ptr, "\\xffab…");
	fb_buf_release(&out);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_format_escapes_message_and_file),
		cmocka_unit_test(test_shorten_still_cuts),
	};
	return testdata_run("diag", tests, FB_ARRAY_SIZE(tests));
}
