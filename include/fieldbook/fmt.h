/*
 * The canonical layout of a record (`fieldbook fmt`, SPEC §4).
 *
 * Canonical: keys in schema order (keys the schema does not know keep their
 * order, after the known ones), 2-space indentation with sequences indented
 * under their key, block style (an empty collection stays [] or {}), a
 * string quoted when YAML 1.2 would read its plain form as something else
 * (a plain 09121234567 in a string field becomes "09121234567"), LF line
 * ends, no trailing white space, no document marker or byte-order mark, one
 * newline at the end.
 *
 * The rewrite keeps the user's text: every scalar is copied as written
 * (quotes, escapes, block scalars; only re-indented), every comment and
 * blank line stays with the entry it belongs to (the lines above an entry
 * move with it; an end-of-line comment stays on its line).  The result is
 * read back and compared -- same data, same comments -- before it is
 * accepted; a file whose comments cannot be kept (a comment inside a
 * multi-line [flow] collection, say) is refused with the reason.
 */
#ifndef FIELDBOOK_FMT_H
#define FIELDBOOK_FMT_H

#include "diag.h"
#include "node.h"
#include "schema.h"

/*
 * Append the canonical text of a typed record (fb_schema_type_record) to
 * `out`.  FB_EINVALID with the reason in `d` (at the file's line:col) when
 * the file cannot be rewritten without losing a comment.
 */
int fb_fmt_record(const struct fb_doc *doc, const struct fb_schema *s, struct fb_buf *out,
		  struct fb_diag *d);

/*
 * The comments of a YAML text, in order, one per line of `out` (the `#` and
 * what follows, trailing white space removed).  Used to prove a rewrite kept
 * them all.
 */
void fb_fmt_comments(const struct fb_doc *doc, struct fb_strvec *out);

#endif
