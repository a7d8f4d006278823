/*
 * Unit tests for template.c: the first text of a new record from its
 * schema -- next id and folder, required fields, defaults, today for a
 * date, --set values as YAML, guide lines, and the errors of --set.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <fieldbook/template.h>

static const char SCHEMA[] =
	"type: object\n"
	"description: A person the office meets.\n"
	"x-id: {prefix: c-, digits: 4}\n"
	"required: [id, name, met, status]\n"
	"properties:\n"
	"  id: {type: string}\n"
	"  name: {type: string, title: Name, description: As they give it.}\n"
	"  met: {type: string, x-date: true}\n"
	"  status: {type: string, default: active}\n"
	"  phone: {type: string, x-confidential: true}\n"
	"  tags: {type: array, items: {type: string}}\n"
	"  influence: {type: integer}\n"
	"  code: {type: string}\n";

struct fixture {
	struct fb_doc *doc;
	struct fb_schemas *ss;
	const struct fb_schema *s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct fb_diag d = FB_DIAG_INIT;
	assert_int_equal(fb_doc_parse(&f->doc, "contacts.yaml", SCHEMA, strlen(SCHEMA),
				      FB_PARSE_DEFAULT, &d),
			 0);
	assert_int_equal(fb_schemas_from_node(&f->ss, f->doc->root, "contacts.yaml", &d), 0);
	assert_int_equal(d.n, 0);
	f->s = fb_schemas_main(f->ss);
	assert_non_null(f->s);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	fb_schemas_free(f->ss);
	fb_doc_free(f->doc);
	free(f);
	return 0;
}

static struct fb_template base(const struct fixture *f)
{
	struct fb_template t = {0};
	t.schema = f->s;
	t.type = "contacts";
	t.id = "c-0008";
	t.path = "records/contacts/c-0008.yaml";
	assert_int_equal(fb_date_parse("1403/07/15", 10, &t.today, NULL, NULL), 0);
	t.calendar = FB_CAL_JALALI;
	return t;
}

/* The text of `t`, or NULL with the diagnostics' messages in *errors. */
static char *text_of(const struct fb_template *t, char **errors)
{
	struct fb_buf out = FB_BUF_INIT, msg = FB_BUF_INIT;
	struct fb_diag d = FB_DIAG_INIT;
	size_t i;
	int err = fb_template_text(t, &out, &d);
	for (i = 0; i < d.n; i++)
		fb_buf_addf(&msg, "%s\n", d.v[i].message);
	assert_int_equal(err < 0, d.errors > 0);
	fb_diag_release(&d);
	*errors = fb_buf_detach(&msg, NULL);
	if (err < 0) {
		fb_buf_release(&out);
		return NULL;
	}
	return fb_buf_detach(&out, NULL);
}

static void test_required_defaults_and_today(void **state)
{
	struct fb_template t = base(*state);
	char *errors, *text = text_of(&t, &errors);
	/* the schema's order; optional fields left out without guides */
	assert_string_equal(text, "id: c-0008\nname:\nmet: 1403/07/15\nstatus: active\n");
	assert_string_equal(errors, "");
	free(text);
	free(errors);
}

static void test_set_values_as_yaml(void **state)
{
	struct fb_template_set sets[] = {
		{"name", "علی رضایی"}, {"code", "0912"},  {"tags", "imam"},
		{"tags", "کرمان"},     {"influence", "4"}, {"phone", "a: b"},
	};
	struct fb_template t = base(*state);
	char *errors, *text;
	t.sets = sets;
	t.nsets = FB_ARRAY_SIZE(sets);
	text = text_of(&t, &errors);
	/* a string-only field keeps "0912" a string; an integer stays plain;
	   a value YAML would read otherwise is quoted; an array gets items */
	assert_string_equal(text, "id: c-0008\n"
				  "name: علی رضایی\n"
				  "met: 1403/07/15\n"
				  "status: active\n"
				  "phone: \"a: b\"\n"
				  "tags:\n  - imam\n  - کرمان\n"
				  "influence: 4\n"
				  "code: \"0912\"\n");
	free(text);
	free(errors);
}

static void test_set_errors(void **state)
{
	struct fb_template_set twice[] = {{"name", "a"}, {"name", "b"}};
	struct fb_template_set flow[] = {{"phone", "[a, "}};
	struct fb_template t = base(*state);
	char *errors, *text;

	t.sets = twice;
	t.nsets = 2;
	assert_null(text = text_of(&t, &errors));
	assert_string_equal(errors, "--set name is given 2 times\n");
	free(errors);
	/* a confidential field's value is not shown ... */
	t.sets = flow;
	t.nsets = 1;
	assert_null(text = text_of(&t, &errors));
	assert_non_null(strstr(errors, "--set phone=***: not a YAML flow collection"));
	free(errors);
	/* ... unless asked */
	t.show_confidential = true;
	assert_null(text = text_of(&t, &errors));
	assert_non_null(strstr(errors, "--set phone=[a, : not a YAML flow collection"));
	free(errors);
}

static void test_check_sets(void **state)
{
	struct fixture *f = *state;
	struct fb_template_set sets[] = {{"name", "x"}, {"id", "c-1"}, {"nope", "1"}, {"a.b", "1"}};
	struct fb_diag d = FB_DIAG_INIT;

	assert_int_equal(fb_template_check_sets(f->s, "contacts", sets, 1, &d), 0);
	/* every problem at once */
	assert_int_equal(fb_template_check_sets(f->s, "contacts", sets, 4, &d), FB_EINVALID);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.v[0].message, "contacts has no field 'id' that --set can set (use --id)");
	assert_string_equal(d.v[1].message, "contacts has no field 'nope' that --set can set");
	assert_non_null(strstr(d.v[2].message, "--set a.b: give a top-level field"));
	fb_diag_release(&d);
}

static void test_guides(void **state)
{
	struct fb_template t = base(*state);
	char *errors, *text;
	struct fb_buf b = FB_BUF_INIT;

	t.guides = true;
	text = text_of(&t, &errors);
	assert_non_null(strstr(text, "#| New contacts record contacts/c-0008 "
				     "(records/contacts/c-0008.yaml)\n"));
	assert_non_null(strstr(text, "#| A person the office meets.\n"));
	assert_non_null(strstr(text, "#| name — Name (required): As they give it.\nname:\n"));
	/* optional fields: guides only, after the rest */
	assert_true(strstr(text, "#| Optional fields") > strstr(text, "status: active"));
	assert_non_null(strstr(text, "#| phone:"));
	assert_null(strstr(text, "\nphone:"));
	/* stripped, the guides are gone and the data is as without them */
	fb_buf_puts(&b, text);
	fb_template_strip_guides(&b);
	assert_string_equal(b.ptr, "id: c-0008\nname:\nmet: 1403/07/15\nstatus: active\n");
	fb_buf_release(&b);
	free(text);
	free(errors);
}

static void test_guides_wrap(void **state)
{
	struct fb_buf b = FB_BUF_INIT;
	(void)state;
	/* a guide line that is only "#|" stays a guide; "#" comments stay text */
	fb_buf_puts(&b, "#|\n# mine\n#|x\nname: a\n#| last");
	fb_template_strip_guides(&b);
	assert_string_equal(b.ptr, "# mine\nname: a\n");
	fb_buf_release(&b);
}

static void entries(struct fb_entries *es, const char *const *paths, size_t n)
{
	size_t i;
	memset(es, 0, sizeof(*es));
	for (i = 0; i < n; i++) {
		char *type = NULL, *id = NULL;
		assert_true(fb_record_path_parse(paths[i], &type, &id));
		FB_GROW(es->v, es->n, es->alloc);
		memset(&es->v[es->n], 0, sizeof(es->v[es->n]));
		es->v[es->n].type = type;
		es->v[es->n].id = id;
		es->v[es->n++].path = strdup(paths[i]);
	}
}

static void test_next_id_and_folder(void **state)
{
	struct fixture *f = *state;
	static const char *const paths[] = {
		"records/contacts/c-0002.yaml",
		"records/contacts/1403/c-0010.yaml", /* the highest: its folder */
		"records/contacts/c-0009.yaml",
		"records/contacts/c-99999999999999999999.yaml", /* too long to be a number */
		"records/contacts/x-0500.yaml",                 /* another prefix */
	};
	struct fb_entries es;
	struct fb_buf id = FB_BUF_INIT, folder = FB_BUF_INIT;

	entries(&es, paths, FB_ARRAY_SIZE(paths));
	assert_true(fb_template_next_id(f->s, &es, "contacts", &id, &folder));
	assert_string_equal(id.ptr, "c-0011");
	assert_string_equal(folder.ptr, "records/contacts/1403");
	fb_entries_release(&es);
	/* no records yet: the first number, the type's folder */
	fb_buf_reset(&id);
	fb_buf_reset(&folder);
	assert_true(fb_template_next_id(f->s, &es, "contacts", &id, &folder));
	assert_string_equal(id.ptr, "c-0001");
	assert_string_equal(folder.ptr, "records/contacts");
	fb_buf_release(&id);
	fb_buf_release(&folder);
}

static void test_canonical(void **state)
{
	struct fixture *f = *state;
	struct fb_buf b = FB_BUF_INIT;

	fb_buf_puts(&b, "status: active\nname:   'علی'\nid: c-0001\n");
	fb_template_canonical(f->s, "records/contacts/c-0001.yaml", &b);
	/* the schema's order, one space after the colon; the quoting is the writer's */
	assert_string_equal(b.ptr, "id: c-0001\nname: 'علی'\nstatus: active\n");
	/* text that does not parse is left as it is */
	fb_buf_reset(&b);
	fb_buf_puts(&b, "name: [\n");
	fb_template_canonical(f->s, "records/contacts/c-0001.yaml", &b);
	assert_string_equal(b.ptr, "name: [\n");
	fb_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_defaults_and_today),
		cmocka_unit_test(test_set_values_as_yaml),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_check_sets),
		cmocka_unit_test(test_guides),
		cmocka_unit_test(test_guides_wrap),
		cmocka_unit_test(test_next_id_and_folder),
		cmocka_unit_test(test_canonical),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
