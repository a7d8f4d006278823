/*
 * Helpers the unit tests share: the project's own data files
 * (tests/data/...) and the optional ../shared ones, read as tab-separated
 * tables; the escapes those files use; and a runner that reports the tests
 * needing ../shared as skipped, visibly, when it is absent.
 */
#ifndef FIELDBOOK_TESTDATA_H
#define FIELDBOOK_TESTDATA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>

#include <fieldbook/buf.h>

#define MAX_FIELDS 8

/* A data file read whole, walked one line at a time. */
struct table {
	struct fb_buf text;
	size_t pos;
	unsigned lineno;
	char *field[MAX_FIELDS];
	int nfield;
};

/* FB_SRCDIR/<rel> (the project's top, as make check sets it), or <rel>. */
char *path_under(const char *rel);

/* Whether ../shared is there (set by testdata_run). */
extern bool have_shared;
/* Report a test that needs ../shared as skipped, with a visible note. */
void skip_without_shared(void);

/* Open tests/data/<rel>, or ../shared/<rel>; either must exist. */
void table_open(struct table *t, const char *rel, bool shared);
/* The next line (comments and empty lines skipped if asked), split on tabs. */
bool table_next(struct table *t, bool skip_comments);
void table_close(struct table *t);

/* The escapes of our own data files: \uXXXX \UXXXXXXXX \xHH \s \t \n \r \\. */
void unescape(struct fb_buf *out, const char *s);
/* "U+0031 U+0034 ..." as UTF-8. */
void from_codepoints(struct fb_buf *out, const char *s);

/*
 * Run a group; when ../shared is absent, the tests named test_shared_* are
 * reported as skipped (under TAP in their name: cmocka 1.1.5 writes a skip
 * as "not ok", which prove counts as a failure).
 */
int testdata_run(const char *group, struct CMUnitTest *tests, size_t n);

#endif
