/*
 * Unit tests for diff.c: records compared as data, changes at JSON
 * pointers with old and new values as JSON.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <fieldbook/diff.h>

static struct fb_doc *doc_of(const char *text)
{
	struct fb_diag d = FB_DIAG_INIT;
	struct fb_doc *doc = NULL;
	assert_int_equal(fb_doc_parse(&doc, "t.yaml", text, strlen(text), FB_PARSE_DEFAULT, &d), 0);
	fb_diag_release(&d);
	return doc;
}

/* The changes from a to b (either NULL), one "PATH OLD -> NEW" line each. */
static char *diff_text(const char *a, const char *b, bool show)
{
	struct fb_doc *x = a ? doc_of(a) : NULL, *y = b ? doc_of(b) : NULL;
	struct fb_changes ch = {0};
	struct fb_buf out = FB_BUF_INIT;
	size_t i;

	fb_diff_nodes(x ? x->root : NULL, y ? y->root : NULL, show, &ch);
	for (i = 0; i < ch.n; i++)
		fb_buf_addf(&out, "%s %s -> %s\n", ch.v[i].path,
			    ch.v[i].old_json ? ch.v[i].old_json : "-",
			    ch.v[i].new_json ? ch.v[i].new_json : "-");
	fb_changes_release(&ch);
	fb_doc_free(x);
	fb_doc_free(y);
	return fb_buf_detach(&out, NULL);
}

static void expect(const char *a, const char *b, const char *want)
{
	char *got = diff_text(a, b, true);
	if (strcmp(got, want))
		print_error("want:\n%s\ngot:\n%s\n", want, got);
	assert_string_equal(got, want);
	free(got);
}

static void test_same_data_no_changes(void **state)
{
	(void)state;
	/* reordered keys, other quoting, comments, flow style: the same data */
	expect("name: علی\nphones: ['0912']\nn: 1.0\n",
	       "# comment\nn: 1\nphones:\n  - \"0912\"\nname: \"علی\"\n", "");
}

static void test_changed_value_at_pointer(void **state)
{
	(void)state;
	expect("name: a\nfollow_ups:\n  - {due: 1403/01/01, status: open}\n",
	       "name: a\nfollow_ups:\n  - {due: 1403/01/01, status: done}\n",
	       "/follow_ups/0/status \"open\" -> \"done\"\n");
}

static void test_added_and_removed_keys(void **state)
{
	(void)state;
	expect("a: 1\nb: 2\n", "a: 1\nc: 3\n", "/c - -> 3\n/b 2 -> -\n");
}

static void test_list_grows_and_shrinks(void **state)
{
	(void)state;
	expect("l: [x, y]\n", "l: [x, y, z]\n", "/l/2 - -> \"z\"\n");
	expect("l: [x, y, z]\n", "l: [x]\n", "/l/1 \"y\" -> -\n/l/2 \"z\" -> -\n");
}

static void test_kind_change_is_one_change(void **state)
{
	(void)state;
	expect("p: abc\n", "p: [abc]\n", "/p \"abc\" -> [\"abc\"]\n");
}

static void test_added_record_lists_leaves(void **state)
{
	(void)state;
	expect(NULL, "id: c-1\ntags: [a]\nm: {k: v}\n",
	       "/id - -> \"c-1\"\n/tags/0 - -> \"a\"\n/m/k - -> \"v\"\n");
	expect("e: []\n", NULL, "/e [] -> -\n");
}

static void test_escaped_pointer(void **state)
{
	(void)state;
	expect("\"a/b\": 1\n\"t~\": 1\n", "\"a/b\": 2\n\"t~\": 2\n", "/a~1b 1 -> 2\n/t~0 1 -> 2\n");
}

static void test_confidential_masked(void **state)
{
	struct fb_doc *x = doc_of("note: old\nname: a\n"), *y = doc_of("note: new\nname: b\n");
	struct fb_changes ch = {0};
	(void)state;

	x->root->kids[0]->confidential = 1;
	y->root->kids[0]->confidential = 1;
	fb_diff_nodes(x->root, y->root, false, &ch);
	assert_int_equal(ch.n, 2);
	assert_string_equal(ch.v[0].path, "/note");
	assert_string_equal(ch.v[0].old_json, "\"***\"");
	assert_string_equal(ch.v[0].new_json, "\"***\"");
	assert_string_equal(ch.v[1].new_json, "\"b\"");
	fb_changes_release(&ch);
	fb_diff_nodes(x->root, y->root, true, &ch);
	assert_string_equal(ch.v[0].new_json, "\"new\"");
	fb_changes_release(&ch);
	fb_doc_free(x);
	fb_doc_free(y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_data_no_changes),
		cmocka_unit_test(test_changed_value_at_pointer),
		cmocka_unit_test(test_added_and_removed_keys),
		cmocka_unit_test(test_list_grows_and_shrinks),
		cmocka_unit_test(test_kind_change_is_one_change),
		cmocka_unit_test(test_added_record_lists_leaves),
		cmocka_unit_test(test_escaped_pointer),
		cmocka_unit_test(test_confidential_masked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
