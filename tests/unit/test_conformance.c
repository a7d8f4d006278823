/*
 * The official JSON Schema test suite (draft 2020-12) through the validator.
 *
 * Every file the suite's README puts in scope is read (JSON, through the
 * same YAML loader records use), each group's schema compiled, each test's
 * data validated, the verdict compared.  Groups whose schema uses what SPEC
 * §3 leaves out ($id below the root, $anchor, remote references, ...) fail to
 * compile with a "not supported" error and are counted as skips, never
 * dropped silently.  One cmocka test per file; a table of pass/fail/skip per
 * file is printed as TAP comments.  Without ../shared the test is skipped
 * with a visible note.
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

#include <fieldbook/schema.h>

static const char *const files[] = {
	"additionalProperties.json", "allOf.json", "anyOf.json", "boolean_schema.json",
	"const.json", "contains.json", "default.json", "dependentRequired.json", "enum.json",
	"exclusiveMaximum.json", "exclusiveMinimum.json", "if-then-else.json",
	"infinite-loop-detection.json", "items.json", "maxContains.json", "maxItems.json",
	"maxLength.json", "maxProperties.json", "maximum.json", "minContains.json",
	"minItems.json", "minLength.json", "minProperties.json", "minimum.json",
	"multipleOf.json", "not.json", "oneOf.json", "pattern.json", "patternProperties.json",
	"prefixItems.json", "properties.json", "propertyNames.json", "ref.json", "required.json",
	"type.json", "uniqueItems.json", "optional/format/date.json",
	"optional/format/email.json",
};

struct counts {
	unsigned pass, fail, skip;
};

static struct counts table[FB_ARRAY_SIZE(files)];
static char *suite;

static bool unsupported(const struct fb_diag *d)
{
	size_t i;
	for (i = 0; i < d->n; i++)
		if (strstr(d->v[i].message, "not supported") ||
		    strstr(d->v[i].message, "there is no schema file"))
			return true;
	return false;
}

/*
 * libyaml reads JSON, except the surrogate-pair escapes JSON uses for
 * characters beyond the BMP ("\uD83D\uDCA9"): YAML has \U for those.
 */
static void join_surrogates(struct fb_buf *text)
{
	struct fb_buf out = FB_BUF_INIT;
	size_t i = 0;
	while (i < text->len) {
		unsigned hi, lo;
		if (i + 12 <= text->len && text->ptr[i] == '\\' && text->ptr[i + 1] == 'u' &&
		    sscanf(text->ptr + i + 2, "%4x", &hi) == 1 && hi >= 0xD800 && hi < 0xDC00 &&
		    text->ptr[i + 6] == '\\' && text->ptr[i + 7] == 'u' &&
		    sscanf(text->ptr + i + 8, "%4x", &lo) == 1 && lo >= 0xDC00 && lo < 0xE000) {
			fb_buf_addf(&out, "\\U%08X", 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
			i += 12;
		} else {
			fb_buf_putc(&out, text->ptr[i++]);
		}
	}
	fb_buf_release(text);
	*text = out;
}

static void run_file(size_t which)
{
	struct fb_buf path = FB_BUF_INIT, text = FB_BUF_INIT;
	struct fb_diag d = FB_DIAG_INIT;
	struct fb_doc *doc = NULL;
	struct counts *c = &table[which];
	uint32_t g, t;

	fb_buf_addf(&path, "%s/%s", suite, files[which]);
	assert_int_equal(fb_buf_read_file(&text, path.ptr, 0), 0);
	join_surrogates(&text);
	assert_int_equal(fb_doc_parse(&doc, path.ptr, text.ptr, text.len,
				      FB_PARSE_ANY_ROOT | FB_PARSE_NO_SIZE_LIMIT, &d),
			 0);
	assert_int_equal(doc->root->type, FB_NODE_SEQ);
	for (g = 0; g < doc->root->n; g++) {
		const struct fb_node *group = doc->root->kids[g];
		const struct fb_node *schema = fb_node_get(group, "schema");
		const struct fb_node *tests = fb_node_get(group, "tests");
		const struct fb_node *gdesc = fb_node_get(group, "description");
		struct fb_diag cd = FB_DIAG_INIT;
		struct fb_schemas *ss = NULL;
		int err = fb_schemas_from_node(&ss, schema, files[which], &cd);

		if (err && unsupported(&cd)) {
			c->skip += tests->n;
			print_message("# skip %s: %s (%s)\n", files[which], gdesc->str,
				      cd.v[0].message);
			fb_schemas_free(ss);
			fb_diag_release(&cd);
			continue;
		}
		if (err) {
			c->fail += tests->n;
			print_message("# FAIL %s: %s: schema did not compile: %s\n", files[which],
				      gdesc->str, cd.v[0].message);
			fb_schemas_free(ss);
			fb_diag_release(&cd);
			continue;
		}
		for (t = 0; t < tests->n; t++) {
			const struct fb_node *test = tests->kids[t];
			const struct fb_node *data = fb_node_get(test, "data");
			bool want = fb_node_get(test, "valid")->num != 0;
			struct fb_validate_opts o = {"data", NULL, NULL, false, NULL, false, 0};
			struct fb_diag vd = FB_DIAG_INIT;
			bool got = fb_schema_validate(fb_schemas_main(ss), data, &o, &vd) == 0;

			if (got == want) {
				c->pass++;
			} else {
				c->fail++;
				print_message("# FAIL %s: %s / %s: expected %s%s%s\n", files[which],
					      gdesc->str, fb_node_get(test, "description")->str,
					      want ? "valid" : "invalid", vd.n ? ", got: " : "",
					      vd.n ? vd.v[0].message : "");
			}
			fb_diag_release(&vd);
		}
		fb_schemas_free(ss);
		fb_diag_release(&cd);
	}
	fb_doc_free(doc);
	fb_diag_release(&d);
	fb_buf_release(&path);
	fb_buf_release(&text);
	assert_int_equal(c->fail, 0);
}

static void test_file(void **state)
{
	size_t which = (size_t)(uintptr_t)*state;
	if (!have_shared) {
		skip_without_shared();
		return;
	}
	run_file(which);
}

static int print_table(void **state)
{
	struct counts total = {0, 0, 0};
	size_t i;
	(void)state;
	if (!have_shared)
		return 0;
	print_message("# %-32s %5s %5s %5s\n", "file", "pass", "fail", "skip");
	for (i = 0; i < FB_ARRAY_SIZE(files); i++) {
		print_message("# %-32s %5u %5u %5u\n", files[i], table[i].pass, table[i].fail,
			      table[i].skip);
		total.pass += table[i].pass;
		total.fail += table[i].fail;
		total.skip += table[i].skip;
	}
	print_message("# %-32s %5u %5u %5u\n", "total", total.pass, total.fail, total.skip);
	return 0;
}

int main(void)
{
	struct CMUnitTest tests[FB_ARRAY_SIZE(files)];
	char *names[FB_ARRAY_SIZE(files)];
	size_t i;
	int failed;

	suite = path_under("../shared/jsonschema-suite/draft2020-12");
	for (i = 0; i < FB_ARRAY_SIZE(files); i++) {
		struct fb_buf name = FB_BUF_INIT;
		fb_buf_addf(&name, "test_shared_%s", files[i]);
		tests[i] = (struct CMUnitTest)cmocka_unit_test_prestate(test_file,
									(void *)(uintptr_t)i);
		tests[i].name = names[i] = fb_buf_detach(&name, NULL);
	}
	/* the table once every file ran: the last test's teardown prints it */
	tests[FB_ARRAY_SIZE(files) - 1].teardown_func = print_table;
	failed = testdata_run("conformance", tests, FB_ARRAY_SIZE(files));
	for (i = 0; i < FB_ARRAY_SIZE(files); i++)
		free(names[i]);
	free(suite);
	return failed;
}
