/*
 * Unit tests for regex.c: how a folded pattern treats white space
 * (FOLDING.md: a space in a `~` pattern matches any run of white space or
 * nothing), next to the metacharacters that could change its meaning --
 * quantifiers, classes and ranges, escapes, \Q...\E, comments -- and that
 * an error's offset counts characters of the pattern as given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testdata.h"

#include <stdlib.h>
#include <string.h>

#include <fieldbook/regex.h>
#include <fieldbook/text.h>

#define FOLDED (FB_RE_FOLD | FB_RE_CASELESS)

/* Match `subject` (folded, as query folds a field) against `pat`. */
static int matches(const char *pat, unsigned flags, const char *subject)
{
	struct fb_regex *re = NULL;
	struct fb_buf why = FB_BUF_INIT, s = FB_BUF_INIT;
	size_t off = 0;
	int m;

	if (fb_regex_compile(&re, pat, strlen(pat), flags, &why, &off) < 0) {
		print_message("# '%s' does not compile: %s at %zu\n", pat, why.ptr, off);
		fail();
	}
	if (flags & FB_RE_FOLD)
		fb_fold(&s, subject, strlen(subject), FB_FOLD_DEFAULT);
	else
		fb_buf_add(&s, subject, strlen(subject));
	m = fb_regex_match(re, s.ptr, s.len);
	fb_regex_free(re);
	fb_buf_release(&why);
	fb_buf_release(&s);
	return m;
}

#define YES(pat, subj) assert_int_equal(matches(pat, FOLDED, subj), 1)
#define NO(pat, subj) assert_int_equal(matches(pat, FOLDED, subj), 0)

static void test_space_matches_any_run_or_nothing(void **state)
{
	(void)state;
	YES("حسین زاده", "حسین زاده");
	YES("حسین زاده", "حسین\u200cزاده"); /* ZWNJ: deleted by the fold */
	YES("حسین زاده", "حسینزاده");
	YES("حسین زاده", "حسین\u00a0\tزاده");
	YES("حسین   زاده", "حسینزاده");
	YES("^a b$", "a\u2003b");
	NO("حسینزاده", "حسین زاده"); /* only the pattern's spaces widen */
	NO("^a b$", "a-b");
	/* --exact: no folding, so a space is a space */
	assert_int_equal(matches("a b", FB_RE_DEFAULT, "ab"), 0);
	assert_int_equal(matches("a b", FB_RE_DEFAULT, "a b"), 1);
}

static void test_space_before_a_quantifier(void **state)
{
	(void)state;
	YES("^a +b$", "a  b");
	NO("^a +b$", "ab");
	YES("^a ?b$", "ab");
	YES("^a ?b$", "a\u00a0b");
	NO("^a ?b$", "a  b");
	YES("^a {2}b$", "a \u00a0b");
	NO("^a {2}b$", "a b");
	YES("^a  {2}b$", "a   b"); /* the run's last space is quantified */
	YES("^a *?b$", "a  b");
	YES("^a ++b$", "a b");
	/* white space inside a counted quantifier is dropped */
	YES("^ab{1, 2}c$", "abbc");
	NO("^ab{1, 2}c$", "ab{1, 2}c");
	YES("^ab{2 }c$", "abbc");
}

static void test_space_in_a_class(void **state)
{
	(void)state;
	YES("^a[ ]b$", "a\u00a0b");
	NO("^a[ ]b$", "ab");
	NO("^a[^ ]b$", "a b");
	YES("^a[^ ]b$", "acb");
	YES("^a[x ]b$", "a\tb");
	YES("^a[] ]b$", "a]b");
	YES("^a[] ]b$", "a b");
	/* a range's end stays the character written */
	YES("^a[ -#]b$", "a!b");
	NO("^a[ -#]b$", "a\tb");
	YES("^a[\\t- ]b$", "a b");
	YES("^a[\\t- ]b$", "a\nb");
	NO("^a[\\t- ]b$", "a\u00a0b");
	YES("^a[-  ]b$", "a-b");
	YES("^a[[:space:] ]b$", "a b");
	YES("^a[[:alpha:]]b$", "axb");
}

static void test_escaped_and_quoted_spaces(void **state)
{
	(void)state;
	YES("^a\\ b$", "a b");
	NO("^a\\ b$", "ab");
	NO("^a\\ b$", "a\u00a0b");
	NO("^a\\x20b$", "ab");
	YES("^\\Qa b\\E$", "a b");
	NO("^\\Qa b\\E$", "ab");
	YES("^\\Q(a b)\\E c$", "(a b)c");
	YES("^a\\s*b$", "ab");
	YES("^a(?# a comment )b$", "ab");
	YES("^a\\p{Arabic} b$", "aی b");
	YES("^a\\x{20}b$", "a b");
	YES("^a\\\\ b$", "a\\b"); /* an escaped backslash, then a space */
}

static void offset_of(const char *pat, size_t want)
{
	struct fb_regex *re = NULL;
	struct fb_buf why = FB_BUF_INIT;
	size_t off = 0;
	assert_int_equal(fb_regex_compile(&re, pat, strlen(pat), FOLDED, &why, &off), FB_ESYNTAX);
	assert_int_equal(off, want);
	fb_buf_release(&why);
}

static void test_error_offsets_count_the_pattern_as_given(void **state)
{
	(void)state;
	offset_of("a b c (", 7);
	offset_of("a b)c", 3);
	offset_of("(", 1);
	offset_of("a[b", 3);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_space_matches_any_run_or_nothing),
		cmocka_unit_test(test_space_before_a_quantifier),
		cmocka_unit_test(test_space_in_a_class),
		cmocka_unit_test(test_escaped_and_quoted_spaces),
		cmocka_unit_test(test_error_offsets_count_the_pattern_as_given),
	};
	return testdata_run("regex", tests, FB_ARRAY_SIZE(tests));
}
