/*
 * Unit tests for store.c: ids, command-line targets, repository discovery
 * and the listing rules of SPEC §1, on a repository made in a temporary
 * folder (git is not needed for the working tree).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fieldbook/store.h>

static char top[512]; /* short enough that every path below fits PATH_MAX */

static void write_file(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void make_dir(const char *rel)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/fb-store-XXXXXX";
	char *real;
	(void)state;
	assert_non_null(mkdtemp(tmpl));
	real = realpath(tmpl, NULL);
	snprintf(top, sizeof(top), "%s", real);
	free(real);
	make_dir(".git");
	make_dir("schemas");
	make_dir("records");
	make_dir("records/contacts");
	make_dir("records/contacts/jiroft");
	make_dir("records/contacts/bam");
	write_file("schemas/contacts.yaml", "type: object\n");
	write_file("schemas/_common.yaml", "$defs: {}\n");
	write_file("records/contacts/jiroft/c-0002.yaml", "id: c-0002\n");
	write_file("records/contacts/bam/c-0001.yaml", "id: c-0001\n");
	write_file("records/contacts/bam/c-0002.yaml", "id: c-0002\n");
	write_file("records/contacts/c-0003.yml", "id: c-0003\n");
	write_file("records/contacts/Bad.yaml", "id: x\n");
	write_file("records/contacts/.#c-0004.yaml", "x\n");
	write_file("records/contacts/c-0005.yaml~", "x\n");
	write_file("records/contacts/README.md", "x\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd);
}

static void test_ids(void **state)
{
	static const char *const good[] = {"c-0001", "a", "0", "jiroft", "v-1403.05_a", NULL};
	static const char *const bad[] = {"", "C-0001", "-a", ".a", "_a", "a b", "a/b", "علی",
					  "a\n", NULL};
	char long_id[70];
	size_t i;
	(void)state;

	for (i = 0; good[i]; i++)
		assert_true(fb_id_valid(good[i]));
	for (i = 0; bad[i]; i++)
		assert_false(fb_id_valid(bad[i]));
	memset(long_id, 'a', 64);
	long_id[64] = '\0';
	assert_true(fb_id_valid(long_id));
	long_id[64] = 'a';
	long_id[65] = '\0';
	assert_false(fb_id_valid(long_id));
}

static void test_discover(void **state)
{
	struct fb_repo *r = NULL;
	struct fb_diag d = FB_DIAG_INIT;
	char sub[PATH_MAX];
	(void)state;

	snprintf(sub, sizeof(sub), "%s/records/contacts/jiroft", top);
	assert_int_equal(fb_repo_discover(&r, sub, &d), 0);
	assert_string_equal(fb_repo_root(r), top);
	fb_repo_free(r);
	assert_int_equal(fb_repo_discover(&r, "/", &d), FB_ENOTFOUND);
	assert_null(r);
	assert_int_equal(d.errors, 1);
	assert_non_null(strstr(d.v[0].message, "not a fieldbook repository"));
	fb_diag_release(&d);
}

static void test_listing_rules(void **state)
{
	struct fb_repo *r = NULL;
	struct fb_source *s = NULL;
	struct fb_entries es = {0};
	struct fb_strvec types = {0};
	struct fb_diag d = FB_DIAG_INIT;
	size_t i;
	(void)state;

	assert_int_equal(fb_repo_discover(&r, top, &d), 0);
	assert_int_equal(fb_source_worktree(&s, r), 0);
	assert_int_equal(fb_source_types(s, &types, &d), 0);
	assert_int_equal(types.n, 1); /* _common is not a type */
	assert_string_equal(types.v[0], "contacts");

	assert_int_equal(fb_source_list(s, "contacts", &es, &d), 0);
	assert_int_equal(es.n, 2); /* c-0001, and c-0002 once */
	assert_string_equal(es.v[0].id, "c-0001");
	assert_string_equal(es.v[1].id, "c-0002");
	assert_string_equal(es.v[1].path, "records/contacts/bam/c-0002.yaml");
	assert_non_null(fb_entries_find(&es, "c-0002"));
	assert_null(fb_entries_find(&es, "c-0003"));

	fb_diag_sort(&d);
	assert_int_equal(d.errors, 2);
	assert_int_equal(d.warnings, 1);
	for (i = 0; i < d.n; i++) {
		const struct fb_diag_entry *e = &d.v[i];
		assert_int_equal(e->line, 1);
		assert_int_equal(e->col, 1);
		if (!strcmp(e->file, "records/contacts/Bad.yaml"))
			assert_non_null(strstr(e->message, "'Bad' is not a valid record id"));
		else if (!strcmp(e->file, "records/contacts/c-0003.yml"))
			assert_int_equal(e->severity, FB_SEV_WARNING);
		else
			assert_string_equal(e->file, "records/contacts/jiroft/c-0002.yaml");
	}
	fb_diag_release(&d);
	fb_entries_release(&es);
	fb_strvec_release(&types);
	fb_source_free(s);
	fb_repo_free(r);
}

static void test_targets(void **state)
{
	struct fb_repo *r = NULL;
	struct fb_diag d = FB_DIAG_INIT;
	char *type, *id, path[PATH_MAX], cwd[PATH_MAX];
	static const char *const hostile[] = {"../x.yaml", "contacts/../x", "/etc/passwd",
					      "/etc/x.yaml", "contacts/C-1", "contacts/",
					      "contacts", "a/b/c", "contacts/c\x01", "", NULL};
	size_t i;
	(void)state;

	assert_int_equal(fb_repo_discover(&r, top, &d), 0);
	assert_int_equal(fb_target_parse(r, "contacts/c-0001", &type, &id, &d), 0);
	assert_string_equal(type, "contacts");
	assert_string_equal(id, "c-0001");
	free(type);
	free(id);

	snprintf(path, sizeof(path), "%s/records/contacts/bam/c-0001.yaml", top);
	assert_int_equal(fb_target_parse(r, path, &type, &id, &d), 0);
	assert_string_equal(type, "contacts");
	assert_string_equal(id, "c-0001");
	free(type);
	free(id);

	/* relative to the current directory */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(path, sizeof(path), "%s/records/contacts", top);
	assert_int_equal(chdir(path), 0);
	assert_int_equal(fb_target_parse(r, "./bam/c-0001.yaml", &type, &id, &d), 0);
	assert_string_equal(id, "c-0001");
	free(type);
	free(id);
	assert_int_equal(chdir(cwd), 0);

	for (i = 0; hostile[i]; i++) {
		assert_int_equal(fb_target_parse(r, hostile[i], &type, &id, &d), FB_EUSAGE);
		assert_null(type);
		assert_null(id);
	}
	assert_int_equal(d.errors, i);
	fb_diag_release(&d);
	fb_repo_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_discover),
		cmocka_unit_test(test_listing_rules),
		cmocka_unit_test(test_targets),
	};
	return cmocka_run_group_tests_name("store", tests, setup, teardown);
}
