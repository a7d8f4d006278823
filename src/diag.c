/*
 * The diagnostics list.
 *
 * Entries are appended by every check and owned by the list (it copies the
 * strings it is given).  Formatting lives here too, so the text form
 * "FILE:LINE:COL: error: MESSAGE" and the JSON form of SPEC §6 are written in
 * exactly one place.  The text form escapes what a terminal would garble --
 * invalid UTF-8 (\xff), control characters, bidi controls -- in the file and
 * the message, so a user's bytes echoed in a message can never be written
 * raw; fb_diag_escape() is that escaping, for the few messages printed
 * without an entry (cli.h's usage errors, the query caret).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fieldbook/diag.h>
#include <fieldbook/text.h>

void fb_diag_init(struct fb_diag *d)
{
	memset(d, 0, sizeof(*d));
}

static void entry_release(struct fb_diag_entry *e)
{
	free(e->file);
	free(e->path);
	free(e->keyword);
	free(e->value);
	free(e->expected);
	free(e->message);
}

void fb_diag_release(struct fb_diag *d)
{
	size_t i;
	for (i = 0; i < d->n; i++)
		entry_release(&d->v[i]);
	free(d->v);
	fb_diag_init(d);
}

static char *dup_or_null(const char *s)
{
	return s ? fb_strdup(s) : NULL;
}

static void count(struct fb_diag *d, enum fb_severity sev)
{
	if (sev == FB_SEV_ERROR)
		d->errors++;
	else if (sev == FB_SEV_WARNING)
		d->warnings++;
}

struct fb_diag_entry *fb_diag_push(struct fb_diag *d, const struct fb_diag_entry *t)
{
	struct fb_diag_entry *e;

	FB_GROW(d->v, d->n, d->alloc);
	e = &d->v[d->n++];
	e->severity = t->severity;
	e->file = dup_or_null(t->file);
	e->line = t->line;
	e->col = t->col;
	e->path = dup_or_null(t->path);
	e->keyword = dup_or_null(t->keyword);
	e->value = dup_or_null(t->value);
	e->expected = dup_or_null(t->expected);
	e->message = fb_strdup(t->message ? t->message : "");
	count(d, t->severity);
	return e;
}

struct fb_diag_entry *fb_diag_vaddf(struct fb_diag *d, enum fb_severity sev, const char *file,
				    unsigned line, unsigned col, const char *fmt, va_list ap)
{
	struct fb_buf msg = FB_BUF_INIT;
	struct fb_diag_entry *e;

	fb_buf_vaddf(&msg, fmt, ap);
	FB_GROW(d->v, d->n, d->alloc);
	e = &d->v[d->n++];
	memset(e, 0, sizeof(*e));
	e->severity = sev;
	e->file = dup_or_null(file);
	e->line = line;
	e->col = col;
	e->message = fb_buf_detach(&msg, NULL);
	count(d, sev);
	return e;
}

struct fb_diag_entry *fb_diag_addf(struct fb_diag *d, enum fb_severity sev, const char *file,
				   unsigned line, unsigned col, const char *fmt, ...)
{
	struct fb_diag_entry *e;
	va_list ap;
	va_start(ap, fmt);
	e = fb_diag_vaddf(d, sev, file, line, col, fmt, ap);
	va_end(ap);
	return e;
}

static void replace(char **slot, const char *s)
{
	free(*slot);
	*slot = dup_or_null(s);
}

void fb_diag_set(struct fb_diag_entry *e, const char *path, const char *keyword, const char *value,
		 const char *expected)
{
	replace(&e->path, path);
	replace(&e->keyword, keyword);
	replace(&e->value, value);
	replace(&e->expected, expected);
}

void fb_diag_splice(struct fb_diag *dst, struct fb_diag *src)
{
	size_t i;
	for (i = 0; i < src->n; i++) {
		FB_GROW(dst->v, dst->n, dst->alloc);
		dst->v[dst->n++] = src->v[i];
		count(dst, src->v[i].severity);
	}
	free(src->v);
	fb_diag_init(src);
}

static int cmp_entry(const struct fb_diag_entry *a, const struct fb_diag_entry *b)
{
	int c;
	if (!a->file != !b->file)
		return a->file ? 1 : -1;
	if (a->file && (c = strcmp(a->file, b->file)))
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return 0;
}

void fb_diag_sort(struct fb_diag *d)
{
	size_t i, j;
	/* insertion sort: stable, and lists are short and mostly in order */
	for (i = 1; i < d->n; i++) {
		struct fb_diag_entry t = d->v[i];
		for (j = i; j > 0 && cmp_entry(&d->v[j - 1], &t) > 0; j--)
			d->v[j] = d->v[j - 1];
		d->v[j] = t;
	}
}

const char *fb_severity_name(enum fb_severity sev)
{
	switch (sev) {
	case FB_SEV_ERROR: return "error";
	case FB_SEV_WARNING: return "warning";
	default: return "note";
	}
}

void fb_diag_format(struct fb_buf *out, const struct fb_diag_entry *e)
{
	if (e->file) {
		fb_diag_escape(out, e->file, strlen(e->file));
		if (e->line) {
			fb_buf_addf(out, ":%u", e->line);
			if (e->col)
				fb_buf_addf(out, ":%u", e->col);
		}
	} else {
		fb_buf_puts(out, "fieldbook");
	}
	fb_buf_addf(out, ": %s: ", fb_severity_name(e->severity));
	fb_diag_escape(out, e->message, strlen(e->message));
}

static void json_field(struct fb_buf *out, const char *key, const char *val)
{
	fb_buf_addf(out, ", \"%s\": ", key);
	fb_buf_json_str_or_null(out, val);
}

void fb_diag_format_json(struct fb_buf *out, const struct fb_diag_entry *e)
{
	fb_buf_addf(out, "{\"severity\": \"%s\"", fb_severity_name(e->severity));
	json_field(out, "file", e->file);
	fb_buf_addf(out, ", \"line\": %u, \"column\": %u", e->line, e->col);
	json_field(out, "path", e->path);
	json_field(out, "keyword", e->keyword);
	json_field(out, "value", e->value);
	json_field(out, "expected", e->expected);
	json_field(out, "message", e->message);
	fb_buf_putc(out, '}');
}

void fb_diag_escape(struct fb_buf *out, const char *s, size_t len)
{
	fb_diag_shorten(out, s, len, SIZE_MAX);
}

void fb_diag_shorten(struct fb_buf *out, const char *s, size_t len, size_t max)
{
	size_t i = 0, n = 0;

	while (i < len) {
		size_t at = i;
		int32_t cp = fb_utf8_next(s, len, &i);

		if (n == max) {
			fb_buf_puts(out, "…");
			return;
		}
		n++;
		if (cp < 0)
			fb_buf_addf(out, "\\x%02x", (unsigned char)s[at]);
		else if (cp == '\n')
			fb_buf_puts(out, "\\n");
		else if (cp == '\t')
			fb_buf_puts(out, "\\t");
		else if (cp < 0x20 || cp == 0x7f)
			fb_buf_addf(out, "\\x%02x", (unsigned)cp);
		else if (cp == 0x061C || cp == 0x200E || cp == 0x200F ||
			 (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
			/* invisible direction marks would reorder the line they are printed in */
			fb_buf_addf(out, "\\u{%04X}", (unsigned)cp);
		else
			fb_buf_add(out, s + at, i - at);
	}
}
