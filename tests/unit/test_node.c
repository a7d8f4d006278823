/*
 * Unit tests for node.c: the YAML tree, its positions, core typing and
 * every rejection of SPEC §2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <fieldbook/node.h>

static struct fb_doc *parse_ok(const char *text, size_t len)
{
	struct fb_diag d = FB_DIAG_INIT;
	struct fb_doc *doc = NULL;
	int err = fb_doc_parse(&doc, "t.yaml", text, len, FB_PARSE_DEFAULT, &d);
	if (err) {
		size_t i;
		for (i = 0; i < d.n; i++)
			print_error("unexpected: %u:%u %s\n", d.v[i].line, d.v[i].col, d.v[i].message);
	}
	assert_int_equal(err, 0);
	assert_int_equal(d.n, 0);
	fb_diag_release(&d);
	return doc;
}

/* Parse text that must fail; check each expected "LINE:COL:substring" in order. */
static void parse_fails(const char *text, size_t len, unsigned flags, const char *const *want)
{
	struct fb_diag d = FB_DIAG_INIT;
	struct fb_doc *doc = NULL;
	size_t i, n = 0;

	assert_int_equal(fb_doc_parse(&doc, "t.yaml", text, len, flags, &d), FB_ESYNTAX);
	assert_null(doc);
	fb_diag_sort(&d);
	while (want[n])
		n++;
	if (d.n != n)
		for (i = 0; i < d.n; i++)
			print_error("got %u:%u %s\n", d.v[i].line, d.v[i].col, d.v[i].message);
	assert_int_equal(d.n, n);
	for (i = 0; i < n; i++) {
		unsigned line, col;
		const char *msg = strchr(strchr(want[i], ':') + 1, ':') + 1;
		assert_int_equal(sscanf(want[i], "%u:%u:", &line, &col), 2);
		if (d.v[i].line != line || d.v[i].col != col || !strstr(d.v[i].message, msg))
			print_error("want %s\ngot  %u:%u %s\n", want[i], d.v[i].line, d.v[i].col,
				    d.v[i].message);
		assert_int_equal(d.v[i].line, line);
		assert_int_equal(d.v[i].col, col);
		assert_non_null(strstr(d.v[i].message, msg));
		assert_string_equal(d.v[i].file, "t.yaml");
		assert_int_equal(d.v[i].severity, FB_SEV_ERROR);
	}
	fb_diag_release(&d);
}

#define FAILS(text, ...)                                                                           \
	do {                                                                                       \
		static const char *const w_[] = {__VA_ARGS__, NULL};                               \
		parse_fails(text, sizeof(text) - 1, 0, w_);                                        \
	} while (0)

static void test_positions_and_spans(void **state)
{
	static const char text[] = "id: c-0042\n"
				   "name: \"علی رضایی\"  # a comment\n"
				   "phones:\n"
				   "  - 09121234567\n"
				   "  - '021-555'\n"
				   "address: {city: کرمان, zip: '01234'}\n"
				   "pair: [علی, رضا]\n";
	struct fb_doc *doc = parse_ok(text, sizeof(text) - 1);
	const struct fb_node *root = doc->root, *n;
	(void)state;

	assert_int_equal(root->type, FB_NODE_MAP);
	assert_int_equal(root->n, 5);
	n = fb_node_get(root, "name");
	assert_non_null(n);
	assert_int_equal(n->type, FB_NODE_STR);
	assert_int_equal(n->style, FB_STYLE_DOUBLE);
	assert_string_equal(n->str, "علی رضایی");
	assert_int_equal(n->line, 2);
	assert_int_equal(n->col, 7);
	/* the byte span covers the quoted text exactly */
	assert_int_equal(n->end - n->start, strlen("\"علی رضایی\""));
	assert_memory_equal(text + n->start, "\"علی رضایی\"", n->end - n->start);

	n = fb_node_get(root, "phones");
	assert_int_equal(n->type, FB_NODE_SEQ);
	assert_int_equal(n->n, 2);
	/* a plain 09121234567 keeps its text; its core type is int */
	assert_int_equal(n->kids[0]->type, FB_NODE_INT);
	assert_string_equal(n->kids[0]->str, "09121234567");
	assert_int_equal(n->kids[0]->line, 4);
	assert_int_equal(n->kids[0]->col, 5);
	assert_memory_equal(text + n->kids[0]->start, "09121234567", 11);
	assert_int_equal(n->kids[1]->type, FB_NODE_STR);

	/* a flow mapping after Persian text: spans are bytes, columns code points */
	n = fb_node_get(fb_node_get(root, "address"), "city");
	assert_string_equal(n->str, "کرمان");
	assert_int_equal(n->col, 17);
	assert_memory_equal(text + n->start, "کرمان", strlen("کرمان"));
	n = fb_node_get(fb_node_get(root, "address"), "zip");
	assert_memory_equal(text + n->start, "'01234'", n->end - n->start);
	n = fb_node_get(root, "pair")->kids[1];
	assert_int_equal(n->line, 7);
	assert_int_equal(n->col, 13);
	assert_memory_equal(text + n->start, "رضا", n->end - n->start);
	fb_doc_free(doc);
}

static void test_pointer_and_parent(void **state)
{
	static const char text[] = "follow_ups:\n  - action: a\n    due: 1403/05/12\n"
				   "  - action: b\n    due: x\n\"a/b~c\": 1\n";
	struct fb_doc *doc = parse_ok(text, sizeof(text) - 1);
	struct fb_buf p = FB_BUF_INIT;
	const struct fb_node *fu = fb_node_get(doc->root, "follow_ups");
	(void)state;

	fb_node_pointer(&p, fb_node_get(fu->kids[1], "due"));
	assert_string_equal(p.ptr, "/follow_ups/1/due");
	fb_buf_reset(&p);
	fb_node_pointer(&p, fb_node_get(doc->root, "a/b~c"));
	assert_string_equal(p.ptr, "/a~1b~0c");
	fb_buf_reset(&p);
	fb_node_pointer(&p, doc->root);
	assert_string_equal(p.ptr, "");
	fb_buf_release(&p);
	fb_doc_free(doc);
}

static void test_core_typing(void **state)
{
	static const struct {
		const char *text;
		enum fb_node_type type;
		double num;
	} cases[] = {
		{"", FB_NODE_NULL, 0},          {"~", FB_NODE_NULL, 0},
		{"null", FB_NODE_NULL, 0},      {"NULL", FB_NODE_NULL, 0},
		{"nULL", FB_NODE_STR, 0},       {"true", FB_NODE_BOOL, 1},
		{"False", FB_NODE_BOOL, 0},     {"yes", FB_NODE_STR, 0},
		{"no", FB_NODE_STR, 0},         {"on", FB_NODE_STR, 0},
		{"0", FB_NODE_INT, 0},          {"-17", FB_NODE_INT, -17},
		{"+5", FB_NODE_INT, 5},         {"010", FB_NODE_INT, 10},
		{"08", FB_NODE_INT, 8},         {"0o17", FB_NODE_INT, 15},
		{"0x1F", FB_NODE_INT, 31},      {"0x", FB_NODE_STR, 0},
		{"1_000", FB_NODE_STR, 0},      {"1.5", FB_NODE_FLOAT, 1.5},
		{"1.", FB_NODE_FLOAT, 1},       {".5", FB_NODE_FLOAT, 0.5},
		{"1e3", FB_NODE_FLOAT, 1000},   {"-2.5E-1", FB_NODE_FLOAT, -0.25},
		{"1e", FB_NODE_STR, 0},         {".", FB_NODE_STR, 0},
		{"1403-05-12", FB_NODE_STR, 0}, {"1403/05/12", FB_NODE_STR, 0},
		{"14:30", FB_NODE_STR, 0},      {"09121234567", FB_NODE_INT, 9121234567.0},
		{"+989121234567", FB_NODE_INT, 989121234567.0},
		{"۱۲", FB_NODE_STR, 0},
	};
	size_t i;
	(void)state;

	for (i = 0; i < FB_ARRAY_SIZE(cases); i++) {
		double num = -99;
		enum fb_node_type t = fb_scalar_resolve(cases[i].text, strlen(cases[i].text), &num);
		if (t != cases[i].type)
			print_error("'%s': type %s, want %s\n", cases[i].text, fb_node_type_name(t),
				    fb_node_type_name(cases[i].type));
		assert_int_equal(t, cases[i].type);
		if (t == FB_NODE_INT || t == FB_NODE_FLOAT)
			assert_true(num == cases[i].num);
	}
	assert_int_equal(fb_scalar_resolve(".inf", 4, NULL), FB_NODE_FLOAT);
	assert_int_equal(fb_scalar_resolve("-.Inf", 5, NULL), FB_NODE_FLOAT);
	{
		double num;
		assert_int_equal(fb_scalar_resolve(".NaN", 4, &num), FB_NODE_FLOAT);
		assert_true(isnan(num));
	}
}

/* Numbers in Persian or Arabic-Indic digits: what a record's numeric field takes. */
static void test_native_numbers(void **state)
{
	static const struct {
		const char *text;
		enum fb_node_type type;
		double num;
		const char *ascii;
	} cases[] = {
		{"۴", FB_NODE_INT, 4, "4"},           {"٣", FB_NODE_INT, 3, "3"},
		{"-۱۲", FB_NODE_INT, -12, "-12"},     {"+۰۷", FB_NODE_INT, 7, "+07"},
		{"۴٫۵", FB_NODE_FLOAT, 4.5, "4.5"},   {"۴.۵", FB_NODE_FLOAT, 4.5, "4.5"},
		{"۱2", FB_NODE_INT, 12, "12"},        {".۵", FB_NODE_FLOAT, 0.5, ".5"},
		{"۴ تا ۵", FB_NODE_STR, 0, NULL},     {"۴٫۵٫۶", FB_NODE_STR, 0, NULL},
		{"۱-۲", FB_NODE_STR, 0, NULL},        {"٫", FB_NODE_STR, 0, NULL},
		{"+", FB_NODE_STR, 0, NULL},          {"۱۴۰۳/۰۵/۱۲", FB_NODE_STR, 0, NULL},
		{"۱e۳", FB_NODE_STR, 0, NULL},        {"abc", FB_NODE_STR, 0, NULL},
	};
	size_t i;
	(void)state;

	for (i = 0; i < FB_ARRAY_SIZE(cases); i++) {
		char text[64];
		struct fb_doc *doc;
		struct fb_node *n;
		double num = -99;
		snprintf(text, sizeof(text), "v: %s\n", cases[i].text);
		doc = parse_ok(text, strlen(text));
		n = (struct fb_node *)fb_node_get(doc->root, "v");
		assert_int_equal(fb_number_resolve(cases[i].text, strlen(cases[i].text), &num),
				 cases[i].type);
		assert_int_equal(fb_node_native_number(n), cases[i].type != FB_NODE_STR);
		assert_int_equal(n->type, cases[i].type);
		if (cases[i].ascii) {
			assert_true(num == cases[i].num);
			assert_true(n->num == cases[i].num);
			assert_int_equal(n->len, strlen(cases[i].ascii));
			assert_string_equal(n->str, cases[i].ascii);
			/* the byte span still holds what was written */
			assert_int_equal(n->end - n->start, strlen(cases[i].text));
		} else {
			assert_string_equal(n->str, cases[i].text);
		}
		fb_doc_free(doc);
	}
	{ /* a quoted scalar is a string, always */
		static const char q[] = "v: \"۴\"\n";
		struct fb_doc *doc = parse_ok(q, sizeof(q) - 1);
		assert_false(fb_node_native_number((struct fb_node *)fb_node_get(doc->root, "v")));
		fb_doc_free(doc);
	}
}

static void test_quoted_and_tags(void **state)
{
	static const char text[] = "a: \"x\\0y\"\nb: '123'\nc: !!str 123\nd: !!int '7'\n"
				   "e: !!float 2\nf: |\n  line one\n  line two\n";
	struct fb_doc *doc = parse_ok(text, sizeof(text) - 1);
	const struct fb_node *n;
	(void)state;

	n = fb_node_get(doc->root, "a"); /* an escaped NUL is a legal value */
	assert_int_equal(n->len, 3);
	assert_memory_equal(n->str, "x\0y", 3);
	assert_int_equal(fb_node_get(doc->root, "b")->type, FB_NODE_STR);
	assert_int_equal(fb_node_get(doc->root, "c")->type, FB_NODE_STR);
	n = fb_node_get(doc->root, "d");
	assert_int_equal(n->type, FB_NODE_INT);
	assert_true(n->num == 7);
	assert_int_equal(fb_node_get(doc->root, "e")->type, FB_NODE_FLOAT);
	n = fb_node_get(doc->root, "f");
	assert_int_equal(n->style, FB_STYLE_LITERAL);
	assert_string_equal(n->str, "line one\nline two\n");
	fb_doc_free(doc);
}

static void test_rejections(void **state)
{
	(void)state;
	FAILS("name: a\nrole: b\nname: c\nname: d\n", "3:1:duplicate key 'name' (first defined at 1:1)",
	      "4:1:duplicate key 'name' (first defined at 1:1)");
	FAILS("base: &b {x: 1}\nother: *b\n", "1:7:anchors are not allowed", "2:8:aliases are not allowed");
	FAILS("a: [&x [*x]]\n", "1:5:anchors", "1:9:aliases");
	FAILS("base: {x: 1}\nother:\n  <<: {y: 2}\n", "3:3:merge keys ('<<') are not allowed");
	FAILS("a: !python/object x\n", "1:4:tag '!python/object' is not allowed");
	FAILS("a: !!int abc\n", "1:4:'abc' is not a valid !!int");
	FAILS("a: !!map [1]\n", "1:4:tag '!!map' does not fit");
	FAILS("a: 1\n---\nb: 2\n", "2:1:more than one document");
	FAILS("? [a, b]\n: c\n", "1:3:mapping keys must be plain values, not an array");
	FAILS("- a\n- b\n", "1:1:not an array");
	FAILS("just text\n", "1:1:not a string");
	FAILS("", "1:1:the file is empty");
	FAILS("# only a comment\n", "1:1:the file is empty");
	FAILS("a:\n\tb: 1\n", "2:1:a tab");
	FAILS("a: \"open\n", "2:1:found unexpected end of stream");
	FAILS("a: b: c\n", "1:5:mapping values are not allowed");
	FAILS("a: 1\n<<<<<<< HEAD\nb: 2\n=======\nb: 3\n>>>>>>> theirs\n",
	      "2:1:merge conflict marker '<<<<<<<'", "4:1:merge conflict marker '======='",
	      "6:1:merge conflict marker '>>>>>>>'");
	FAILS("a: 1\nb: \xff\n", "2:4:invalid UTF-8 (byte 0xFF)");
	FAILS("a: 'علی'\nb: x\xc0\xaf\n", "2:5:invalid UTF-8");
	FAILS("a: \xed\xa0\x80\n", "1:4:invalid UTF-8");
	FAILS("a: b\x07\n", "1:5:control character U+0007");
	FAILS("\xff\xfe" "a\0:\0 \0b\0", "1:1:UTF-16");
	FAILS("a\0:\0 \0b\0", "1:1:UTF-16 or UTF-32");
	FAILS("\xff\xfe\0\0" "a\0\0\0", "1:1:UTF-32");
	FAILS("a: 1\nb: x\0y\n", "2:5:NUL byte");
}

static void test_all_errors_in_one_pass(void **state)
{
	(void)state;
	FAILS("a: &x 1\nb: !foo 2\nc: 3\nc: 4\nd: *x\n", "1:4:anchors", "2:4:tag '!foo'",
	      "4:1:duplicate key 'c'", "5:4:aliases");
}

static void test_depth_limit(void **state)
{
	struct fb_buf deep = FB_BUF_INIT;
	struct fb_diag d = FB_DIAG_INIT;
	struct fb_doc *doc = NULL;
	int i;
	(void)state;

	/* 64 levels are fine (the root mapping is level 1) */
	fb_buf_puts(&deep, "a: ");
	fb_buf_addch(&deep, '[', 63);
	fb_buf_addch(&deep, ']', 63);
	assert_int_equal(fb_doc_parse(&doc, "t.yaml", deep.ptr, deep.len, 0, &d), 0);
	fb_doc_free(doc);

	fb_buf_reset(&deep);
	fb_buf_puts(&deep, "a: ");
	fb_buf_addch(&deep, '[', 100000);
	fb_buf_addch(&deep, ']', 100000);
	assert_int_equal(fb_doc_parse(&doc, "t.yaml", deep.ptr, deep.len, 0, &d), FB_ESYNTAX);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 1);
	assert_int_equal(d.v[0].col, 4 + 63);
	assert_non_null(strstr(d.v[0].message, "nesting deeper than 64"));
	fb_diag_release(&d);

	/* block nesting too */
	fb_buf_reset(&deep);
	for (i = 0; i < 70; i++) {
		fb_buf_addch(&deep, ' ', (size_t)i * 2);
		fb_buf_puts(&deep, "k:\n");
	}
	assert_int_equal(fb_doc_parse(&doc, "t.yaml", deep.ptr, deep.len, 0, &d), FB_ESYNTAX);
	assert_non_null(strstr(d.v[0].message, "nesting deeper"));
	assert_int_equal(d.v[0].line, 65);
	fb_diag_release(&d);
	fb_buf_release(&deep);
}

static void test_large_mapping_duplicates(void **state)
{
	struct fb_buf t = FB_BUF_INIT;
	struct fb_diag d = FB_DIAG_INIT;
	struct fb_doc *doc = NULL;
	int i;
	(void)state;

	for (i = 0; i < 5000; i++)
		fb_buf_addf(&t, "k%d: %d\n", i, i);
	fb_buf_puts(&t, "k17: again\n");
	assert_int_equal(fb_doc_parse(&doc, "t.yaml", t.ptr, t.len, 0, &d), FB_ESYNTAX);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 5001);
	assert_non_null(strstr(d.v[0].message, "duplicate key 'k17' (first defined at 18:1)"));
	fb_diag_release(&d);
	fb_buf_release(&t);
}

static void test_size_limit(void **state)
{
	struct fb_diag d = FB_DIAG_INIT;
	struct fb_doc *doc = NULL;
	size_t n = FB_NODE_MAX_FILE + 1;
	char *big = malloc(n);
	(void)state;

	memset(big, ' ', n);
	memcpy(big, "a: b\n", 5);
	assert_int_equal(fb_doc_parse(&doc, "t.yaml", big, n, 0, &d), FB_ESYNTAX);
	assert_int_equal(d.v[0].line, 1);
	assert_int_equal(d.v[0].col, 1);
	assert_non_null(strstr(d.v[0].message, "too large"));
	fb_diag_release(&d);
	free(big);
}

static void test_accepted_oddities(void **state)
{
	static const char crlf[] = "id: c-1\r\nname: x\r\nlist:\r\n  - a\r\n";
	static const char bom[] = "\xEF\xBB\xBFname: \"علی\"\nb: 1\n";
	struct fb_doc *doc;
	const struct fb_node *n;
	(void)state;

	doc = parse_ok(crlf, sizeof(crlf) - 1);
	n = fb_node_get(doc->root, "list");
	assert_int_equal(n->kids[0]->line, 4);
	assert_memory_equal(crlf + n->kids[0]->start, "a", 1);
	fb_doc_free(doc);

	doc = parse_ok(bom, sizeof(bom) - 1);
	n = fb_node_get(doc->root, "b");
	assert_int_equal(n->line, 2);
	assert_memory_equal(bom + n->start, "1", 1);
	n = fb_node_get(doc->root, "name");
	assert_memory_equal(bom + n->start, "\"علی\"", n->end - n->start);
	fb_doc_free(doc);

	/* any root, for validate --schema */
	{
		struct fb_diag d = FB_DIAG_INIT;
		assert_int_equal(fb_doc_parse(&doc, "t.yaml", "[1, 2]", 6, FB_PARSE_ANY_ROOT, &d), 0);
		assert_int_equal(doc->root->type, FB_NODE_SEQ);
		fb_doc_free(doc);
		assert_int_equal(fb_doc_parse(&doc, "t.yaml", "", 0, FB_PARSE_ANY_ROOT, &d), 0);
		assert_null(doc->root);
		fb_doc_free(doc);
		assert_int_equal(d.n, 0);
	}
}

static void test_json_and_equal(void **state)
{
	static const char a_text[] = "s: \"a\\\"b\\n\"\ni: 010\nf: 1.50\nb: true\nn: ~\n"
				     "l: [1, x]\nm: {k: v}\ne: []\n";
	static const char b_text[] = "m: {k: v}\nl: [1.0, x]\ne: []\nn: null\nb: true\nf: 1.5\n"
				     "i: 10\ns: \"a\\\"b\\n\"\n";
	struct fb_doc *a = parse_ok(a_text, sizeof(a_text) - 1);
	struct fb_doc *b = parse_ok(b_text, sizeof(b_text) - 1);
	struct fb_buf out = FB_BUF_INIT;
	(void)state;

	fb_node_to_json(&out, a->root, -1, NULL, NULL);
	assert_string_equal(out.ptr, "{\"s\":\"a\\\"b\\n\",\"i\":10,\"f\":1.5,\"b\":true,\"n\":null,"
				     "\"l\":[1,\"x\"],\"m\":{\"k\":\"v\"},\"e\":[]}");
	assert_true(fb_node_equal(a->root, b->root));
	assert_false(fb_node_equal(fb_node_get(a->root, "b"), fb_node_get(a->root, "i")));
	assert_false(fb_node_equal(fb_node_get(a->root, "l"), fb_node_get(a->root, "e")));
	fb_buf_release(&out);
	fb_doc_free(a);
	fb_doc_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions_and_spans),
		cmocka_unit_test(test_pointer_and_parent),
		cmocka_unit_test(test_core_typing),
		cmocka_unit_test(test_native_numbers),
		cmocka_unit_test(test_quoted_and_tags),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_all_errors_in_one_pass),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_large_mapping_duplicates),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_accepted_oddities),
		cmocka_unit_test(test_json_and_equal),
	};
	return cmocka_run_group_tests_name("node", tests, NULL, NULL);
}
