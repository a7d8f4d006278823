/*
 * Regular expressions: PCRE2 in UTF mode with Unicode properties, compiled
 * once and matched many times, always bounded.
 *
 * Matching runs with a match limit, a depth limit, a heap limit and a JIT
 * stack of fixed size, so a pathological pattern ends quickly with
 * FB_ELIMIT ("too expensive") -- never a hang, and never a silent "no match".
 *
 * With FB_RE_FOLD the pattern's literal characters are folded (text.h) the
 * way the subject will be, so `علي` finds `علی`; escapes such as \x{64A}
 * are left alone and match the folded text; and a literal space matches any
 * run of white space or nothing (FOLDING.md; the details next to classes,
 * quantifiers and escapes are at fold_pattern() in regex.c).
 */
#ifndef FIELDBOOK_REGEX_H
#define FIELDBOOK_REGEX_H

#include <stdbool.h>

#include "buf.h"

struct fb_regex;

enum fb_regex_flags {
	FB_RE_DEFAULT = 0,
	FB_RE_CASELESS = 1 << 0,
	FB_RE_FOLD = 1 << 1, /* fold literal characters of the pattern */
};

/*
 * Compile `pat`.  On failure returns FB_ESYNTAX, with PCRE2's reason in
 * `err` and the offset (in code points, from 0) inside the pattern where it
 * noticed the problem in `*offset`.
 */
int fb_regex_compile(struct fb_regex **out, const char *pat, size_t len, unsigned flags,
		     struct fb_buf *err, size_t *offset);
void fb_regex_free(struct fb_regex *re);

/* 1 on a match, 0 on none, FB_ELIMIT when a limit was hit. */
int fb_regex_match(struct fb_regex *re, const char *s, size_t len);

/* The pattern as given (before folding). */
const char *fb_regex_pattern(const struct fb_regex *re);

#endif
