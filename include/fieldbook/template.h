/*
 * The first text of a new record, built from its type's schema: what
 * `fieldbook new` puts in the editor (or writes at once with --no-edit).
 *
 * The id comes from x-id (the highest number of that prefix in use, plus
 * one); the record goes to the folder of the record with the highest id,
 * so a type kept in sub-folders (visits/1403/) grows where it last grew.
 * The text holds, in the schema's order, the id, the required fields (a
 * default when the schema has one, today for a date, else empty: `name:`)
 * and the --set values; with guides, every field's title and description
 * as lines beginning "#|" and the optional fields as guides only.  Guide
 * lines are comments, so line numbers in errors match the buffer; they go
 * when the text is saved (fb_template_strip_guides).
 */
#ifndef FIELDBOOK_TEMPLATE_H
#define FIELDBOOK_TEMPLATE_H

#include <fieldbook/buf.h>
#include <fieldbook/date.h>
#include <fieldbook/diag.h>
#include <fieldbook/schema.h>
#include <fieldbook/store.h>

#define FB_TEMPLATE_GUIDE "#|"

/* One --set FIELD=VALUE: a top-level field and its value as typed. */
struct fb_template_set {
	const char *field, *value;
};

struct fb_template {
	const struct fb_schema *schema; /* the type's */
	const char *type, *id, *path;   /* path: repository-relative, for the first guide line */
	const struct fb_template_set *sets;
	size_t nsets;
	int32_t today; /* a required date field's value */
	enum fb_calendar calendar;
	bool guides;            /* the "#|" lines, for the editor */
	bool show_confidential; /* a refused --set value of a confidential field may be shown */
};

/*
 * The next id of the type into `id` (from x-id; false and `id` untouched
 * when the schema has none) and, either way, the folder a new record goes
 * to into `folder` ("records/TYPE" when there are no records yet).
 */
bool fb_template_next_id(const struct fb_schema *s, const struct fb_entries *es,
			 const char *type, struct fb_buf *id, struct fb_buf *folder);

/*
 * Whether --set may set these fields: top-level fields of the schema, not
 * `id` (that is --id).  Every problem goes to `d`; FB_EINVALID if any.
 */
int fb_template_check_sets(const struct fb_schema *s, const char *type,
			   const struct fb_template_set *sets, size_t n, struct fb_diag *d);

/*
 * The first text of the record, appended to `out`.  A --set value is
 * written as YAML that reads back as that string (plain when it can be,
 * else double-quoted), a flow collection ([a, b] or {k: v}) as written, an
 * array field's plain values as its items.  FB_EINVALID, with the reasons
 * in `d`, for a field set twice or a value that is not a flow collection.
 */
int fb_template_text(const struct fb_template *t, struct fb_buf *out, struct fb_diag *d);

/* `text` in the canonical layout (fmt.h), or left as it is when it does not parse. */
void fb_template_canonical(const struct fb_schema *s, const char *path, struct fb_buf *text);

/* Remove the guide lines ("#|" at the start of a line) from `text`. */
void fb_template_strip_guides(struct fb_buf *text);

#endif
