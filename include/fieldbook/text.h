/*
 * Text: UTF-8, Persian-aware folding, display width.
 *
 * Folding is ../shared/persian/FOLDING.md, exactly, in one function: one code
 * point maps to one code point or to nothing; stored text is never changed,
 * both sides of every comparison are folded the same way.  The quick-search
 * and x-unique key is the fold with all Unicode White_Space removed.
 */
#ifndef FIELDBOOK_TEXT_H
#define FIELDBOOK_TEXT_H

#include <stdbool.h>

#include "buf.h"

/*
 * Decode one code point of `s[*i..len)` and advance `*i` past it.  Returns
 * the code point, or -1 for an invalid sequence (overlong, surrogate, beyond
 * U+10FFFF, truncated), in which case `*i` advances by one byte.
 */
int32_t fb_utf8_next(const char *s, size_t len, size_t *i);

/*
 * Check that `s` is valid UTF-8.  Returns true if so; otherwise false and the
 * byte offset of the first bad sequence in `*bad` (may be NULL).
 */
bool fb_utf8_valid(const char *s, size_t len, size_t *bad);

/* Number of code points (invalid bytes count one each). */
size_t fb_utf8_count(const char *s, size_t len);

/* Unicode White_Space property. */
bool fb_is_space(uint32_t cp);

enum fb_fold_flags {
	FB_FOLD_DEFAULT = 0,
	FB_FOLD_NOSPACE = 1 << 0, /* also remove all White_Space: the quick-search/x-unique key */
};

/*
 * Append the fold of `s` (FOLDING.md) to `out`.  Invalid UTF-8 bytes are
 * copied unchanged.
 */
void fb_fold(struct fb_buf *out, const char *s, size_t len, unsigned flags);

/* The fold of one code point: the mapped code point, or -1 when it is deleted. */
int32_t fb_fold_cp(uint32_t cp);

/* Display width of one code point on a terminal (0 for marks, ZWNJ, bidi controls; 2 for wide). */
int fb_cp_width(uint32_t cp);
/* Display width of a UTF-8 string. */
size_t fb_display_width(const char *s, size_t len);

/*
 * Whether the text holds a strong right-to-left letter (Arabic script,
 * Hebrew), for placing LRM marks in terminal tables.
 */
bool fb_has_rtl(const char *s, size_t len);

#endif
