/*
 * Helpers the unit tests share (see testdata.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testdata.h"

char *path_under(const char *rel)
{
	struct fb_buf p = FB_BUF_INIT;
	const char *dir = getenv("FB_SRCDIR");

	if (dir && *dir)
		fb_buf_addf(&p, "%s/%s", dir, rel);
	else
		fb_buf_puts(&p, rel);
	return fb_buf_detach(&p, NULL);
}

/*
 * ../shared is optional: without it the tests that read it are skipped.
 * cmocka 1.1.5 writes a skipped test as "not ok N # SKIP" in TAP, which prove
 * counts as a failure, so under TAP the skip directive goes into the test's
 * name instead ("ok N - name # SKIP ../shared not found").
 */
#define SHARED_SKIP " # SKIP ../shared not found"
bool have_shared;

static bool tap_output(void)
{
	const char *o = getenv("CMOCKA_MESSAGE_OUTPUT");
	return o && (!strcmp(o, "TAP") || !strcmp(o, "tap"));
}

void skip_without_shared(void)
{
	print_message("# SKIP ../shared not found\n");
	if (!tap_output())
		skip();
}

/* Open tests/data/<rel>, or ../shared/<rel>; either must exist. */
void table_open(struct table *t, const char *rel, bool shared)
{
	struct fb_buf name = FB_BUF_INIT;
	char *path;

	memset(t, 0, sizeof(*t));
	fb_buf_addf(&name, "%s/%s", shared ? "../shared" : "tests/data", rel);
	path = path_under(name.ptr);
	if (fb_buf_read_file(&t->text, path, 0))
		fail_msg("cannot read %s", path);
	free(path);
	fb_buf_release(&name);
}

/* The next line that is neither empty nor a comment, split on tabs. */
bool table_next(struct table *t, bool skip_comments)
{
	while (t->pos < t->text.len) {
		char *line = t->text.ptr + t->pos, *nl = strchr(line, '\n'), *p;

		if (nl) {
			*nl = '\0';
			t->pos += (size_t)(nl - line) + 1;
		} else {
			t->pos = t->text.len;
		}
		t->lineno++;
		if (nl && nl > line && nl[-1] == '\r')
			nl[-1] = '\0';
		if ((skip_comments && line[0] == '#') || (!line[0] && skip_comments))
			continue;
		t->nfield = 0;
		for (p = line; t->nfield < MAX_FIELDS;) {
			char *tab = strchr(p, '\t');
			t->field[t->nfield++] = p;
			if (!tab)
				break;
			*tab = '\0';
			p = tab + 1;
		}
		return true;
	}
	return false;
}

void table_close(struct table *t)
{
	fb_buf_release(&t->text);
}

static unsigned hex(const char *s, int n)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < n; i++) {
		char c = s[i];
		v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

/* The escapes of our own data files: \uXXXX \UXXXXXXXX \xHH \s \t \n \r \\. */
void unescape(struct fb_buf *out, const char *s)
{
	fb_buf_reset(out);
	while (*s) {
		if (*s != '\\') {
			fb_buf_putc(out, *s++);
			continue;
		}
		switch (s[1]) {
		case 'u': fb_buf_add_utf8(out, hex(s + 2, 4)); s += 6; break;
		case 'U': fb_buf_add_utf8(out, hex(s + 2, 8)); s += 10; break;
		case 'x': fb_buf_putc(out, (int)hex(s + 2, 2)); s += 4; break;
		case 's': fb_buf_putc(out, ' '); s += 2; break;
		case 't': fb_buf_putc(out, '\t'); s += 2; break;
		case 'n': fb_buf_putc(out, '\n'); s += 2; break;
		case 'r': fb_buf_putc(out, '\r'); s += 2; break;
		case '\\': fb_buf_putc(out, '\\'); s += 2; break;
		default: fail_msg("bad escape in %s", s);
		}
	}
}

/* "U+0031 U+0034 ..." as UTF-8. */
void from_codepoints(struct fb_buf *out, const char *s)
{
	fb_buf_reset(out);
	while (*s) {
		char *end;
		if (*s == ' ') {
			s++;
			continue;
		}
		assert_true(s[0] == 'U' && s[1] == '+');
		fb_buf_add_utf8(out, (uint32_t)strtoul(s + 2, &end, 16));
		s = end;
	}
}


int testdata_run(const char *group, struct CMUnitTest *tests, size_t n)
{
	char *shared = path_under("../shared");
	char **names = calloc(n + 1, sizeof(*names));
	struct stat st;
	size_t i;
	int failed;

	have_shared = stat(shared, &st) == 0 && S_ISDIR(st.st_mode);
	free(shared);
	for (i = 0; i < n && !have_shared && tap_output(); i++) {
		struct fb_buf name = FB_BUF_INIT;
		if (strncmp(tests[i].name, "test_shared_", 12))
			continue;
		fb_buf_addf(&name, "%s%s", tests[i].name, SHARED_SKIP);
		tests[i].name = names[i] = fb_buf_detach(&name, NULL);
	}
	failed = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return failed;
}
