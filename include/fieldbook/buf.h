/*
 * struct fb_buf: a growable byte string.
 *
 * Invariants (rely on them):
 *   - `ptr` is never NULL: an empty buffer points at a shared static "",
 *     so `b.ptr` can always be printed or passed to strcmp;
 *   - `ptr[len]` is always '\0', but the content may itself hold NUL bytes
 *     (a YAML "\0" escape), so use `len`, not strlen, for data;
 *   - `alloc` is 0 while `ptr` is the shared "" and must not be written.
 *
 * Use FB_BUF_INIT or fb_buf_init() before anything else and fb_buf_release()
 * when done.  fb_buf_detach() hands the memory over to the caller.
 */
#ifndef FIELDBOOK_BUF_H
#define FIELDBOOK_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "common.h"

struct fb_buf {
	char *ptr;
	size_t len;
	size_t alloc;
};

extern char fb_buf_slop[];
#define FB_BUF_INIT {fb_buf_slop, 0, 0}

void fb_buf_init(struct fb_buf *b);
/* Free the memory and reset to the empty state (the buffer stays usable). */
void fb_buf_release(struct fb_buf *b);
/* Keep the memory, make the content empty. */
void fb_buf_reset(struct fb_buf *b);
/* Return the content as a malloc'd, NUL-terminated string; the buffer is reset to empty. */
char *fb_buf_detach(struct fb_buf *b, size_t *len);

/* Make room for `extra` more bytes (plus the trailing NUL). */
void fb_buf_grow(struct fb_buf *b, size_t extra);
/* Set the length to `len` (<= current allocation) and NUL-terminate. */
void fb_buf_setlen(struct fb_buf *b, size_t len);

void fb_buf_add(struct fb_buf *b, const void *data, size_t len);
void fb_buf_puts(struct fb_buf *b, const char *s);
void fb_buf_putc(struct fb_buf *b, int c);
void fb_buf_addf(struct fb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fb_buf_vaddf(struct fb_buf *b, const char *fmt, va_list ap);
/* Append `n` copies of byte `c`. */
void fb_buf_addch(struct fb_buf *b, int c, size_t n);
/* Append the Unicode code point `cp` as UTF-8. */
void fb_buf_add_utf8(struct fb_buf *b, uint32_t cp);

/* Remove trailing ASCII white space. */
void fb_buf_rtrim(struct fb_buf *b);

/*
 * Read a whole file into `b` (replacing its content).  Fails with
 * FB_ENOTFOUND when it does not exist, FB_EINVALID (errno EFBIG) when it is
 * larger than `max` bytes (0: no limit), FB_EIO otherwise; errno is kept.
 */
int fb_buf_read_file(struct fb_buf *b, const char *path, size_t max);
/* Write all `len` bytes to `fd`, through short writes and EINTR; -1 with errno otherwise. */
int fb_write_all(int fd, const void *data, size_t len);
/* The same, for `path` relative to the directory `dirfd` (openat), with more open(2) flags (O_NOFOLLOW). */
int fb_buf_read_fileat(struct fb_buf *b, int dirfd, const char *path, size_t max, int oflags);

/*
 * Append `s` as a JSON string literal (quotes included): control characters,
 * quote and backslash escaped, everything else (UTF-8) as is.
 */
void fb_buf_json_str(struct fb_buf *b, const char *s, size_t len);
/* Whether `s` ends with `suffix`. */
bool fb_has_suffix(const char *s, const char *suffix);

/* The JSON string of NUL-terminated `s`, or null when `s` is NULL. */
void fb_buf_json_str_or_null(struct fb_buf *b, const char *s);
/*
 * Spreadsheet cells, one rule for every command.  CSV (RFC 4180): the field
 * as it is, or quoted with its quotes doubled when it holds a comma, a quote
 * or a line break; rows end in CRLF (FB_CSV_EOL).  TSV: tab, line breaks
 * and backslash written as \t, \n, \r and \\.
 */
#define FB_CSV_EOL "\r\n"
void fb_buf_csv_field(struct fb_buf *b, const char *s, size_t len);
void fb_buf_tsv_field(struct fb_buf *b, const char *s, size_t len);

/*
 * struct fb_arena: many small allocations freed together (a document's
 * nodes, a compiled schema).  Memory is 16-byte aligned; there is no
 * per-allocation free.  FB_ARENA_INIT or zeroed memory is an empty arena.
 */
struct fb_arena {
	struct fb_arena_chunk *head;
};
#define FB_ARENA_INIT {NULL}
void *fb_arena_alloc(struct fb_arena *a, size_t n);
/* fb_arena_alloc() and zero the memory. */
void *fb_arena_calloc(struct fb_arena *a, size_t n);
char *fb_arena_strndup(struct fb_arena *a, const char *s, size_t n);
void fb_arena_release(struct fb_arena *a);
/* Move all of `src`'s memory into `dst` (it lives until `dst` is released). */
void fb_arena_adopt(struct fb_arena *dst, struct fb_arena *src);

/* A growable list of owned, NUL-terminated strings. */
struct fb_strvec {
	char **v;
	size_t n, alloc;
};
void fb_strvec_push(struct fb_strvec *sv, const char *s);
void fb_strvec_release(struct fb_strvec *sv);
bool fb_strvec_has(const struct fb_strvec *sv, const char *s);
/* Sort with strcmp. */
void fb_strvec_sort(struct fb_strvec *sv);

#endif
