/*
 * struct fb_diag: the one list of diagnostics.
 *
 * Every problem a user can cause ends up here as an entry with the file,
 * 1-based line and column (code points), the JSON-pointer path of the field
 * ("" for the whole record), the schema keyword or check that failed, the
 * offending value (already shortened and masked by whoever adds it), what was
 * expected, and a human message.  Checks keep going after an error and add
 * all they find; callers decide what to print and in which format.
 *
 * The list owns copies of every string given to it.
 */
#ifndef FIELDBOOK_DIAG_H
#define FIELDBOOK_DIAG_H

#include <stdarg.h>

#include "buf.h"

enum fb_severity {
	FB_SEV_ERROR,
	FB_SEV_WARNING,
	FB_SEV_NOTE,
};

struct fb_diag_entry {
	enum fb_severity severity;
	char *file;     /* repository-relative path, or as given; may be NULL */
	unsigned line;  /* 1-based; 0 when not about a position in a file */
	unsigned col;   /* 1-based, in code points */
	char *path;     /* JSON pointer ("/phones/0"), "" for the whole record; may be NULL */
	char *keyword;  /* "pattern", "required", "yaml", "id", ...; may be NULL */
	char *value;    /* offending value, shortened; NULL when there is none */
	char *expected; /* what was expected, in words; may be NULL */
	char *message;  /* the sentence a user reads; never NULL */
};

struct fb_diag {
	struct fb_diag_entry *v;
	size_t n, alloc;
	size_t errors, warnings;
};

#define FB_DIAG_INIT {0}

void fb_diag_init(struct fb_diag *d);
void fb_diag_release(struct fb_diag *d);

/*
 * Add an entry.  `tmpl` gives every field; its strings are copied (NULL stays
 * NULL except `message`, which must be set).
 */
struct fb_diag_entry *fb_diag_push(struct fb_diag *d, const struct fb_diag_entry *tmpl);

/* Add an entry with just a position and a printf-style message. */
struct fb_diag_entry *fb_diag_addf(struct fb_diag *d, enum fb_severity sev, const char *file,
				   unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
struct fb_diag_entry *fb_diag_vaddf(struct fb_diag *d, enum fb_severity sev, const char *file,
				    unsigned line, unsigned col, const char *fmt, va_list ap);

/* Set (replacing) the optional fields of an entry just added. */
void fb_diag_set(struct fb_diag_entry *e, const char *path, const char *keyword, const char *value,
		 const char *expected);

/* Move every entry of `src` to the end of `dst`; `src` is left empty. */
void fb_diag_splice(struct fb_diag *dst, struct fb_diag *src);

/* Stable sort by file, then line, then column (entries without a file first). */
void fb_diag_sort(struct fb_diag *d);

/*
 * Append one entry as a line of text, without the newline:
 * "FILE:LINE:COL: error: MESSAGE" (parts that are unknown are left out,
 * "fieldbook: error: MESSAGE" when there is no file).  The file and the
 * message are escaped as by fb_diag_escape().
 */
void fb_diag_format(struct fb_buf *out, const struct fb_diag_entry *e);

/* Append one entry as the JSON object of SPEC §6 (validate --format json). */
void fb_diag_format_json(struct fb_buf *out, const struct fb_diag_entry *e);

const char *fb_severity_name(enum fb_severity sev);

/*
 * Shorten a value for a message: at most `max` code points (an ellipsis
 * marks a cut), control characters and bidi controls shown as escapes
 * (\x07, \u{202E}).  Appends to `out`.
 */
void fb_diag_shorten(struct fb_buf *out, const char *s, size_t len, size_t max);

/*
 * The same escapes without a limit: what fb_diag_format() applies to the
 * file and the message, for text printed outside an entry.
 */
void fb_diag_escape(struct fb_buf *out, const char *s, size_t len);

#endif
