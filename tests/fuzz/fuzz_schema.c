/*
 * libFuzzer target: a schema and a record, both fuzzed, through compiling,
 * typing, validation, the cross-record checks (x-item-of lists stubbed)
 * and fmt.
 *
 * The input is the schema's text, a NUL byte, then the record's text.  What
 * must hold on every input: no crash, no leak, no hang (sanitizers and
 * libFuzzer watch that); every diagnostic has a message and a position; fmt
 * keeps every '#' (comments, and scalars whose text it copies) -- counted
 * here, not by fmt's own comment scan; and fmt is a fixed point --
 * formatting its own output changes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/fmt.h>
#include <fieldbook/schema.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool exists(const char *type, const char *id, void *ctx)
{
	(void)type;
	(void)ctx;
	return id[0] && (id[0] & 1); /* some ids exist, some do not */
}

static const struct fb_strvec *items(const char *type, const char *id, const char *list, void *ctx)
{
	static char *some[] = {"markazi", "golzar"};
	static const struct fb_strvec two = {some, 2, 2}, none = {NULL, 0, 0};
	(void)type;
	(void)list;
	(void)ctx;
	return id[0] == 'x' ? NULL : id[0] & 2 ? &two : &none; /* some lists, some unreadable */
}

static void check_diag(const struct fb_diag *d)
{
	size_t i;
	for (i = 0; i < d->n; i++)
		if (!d->v[i].message || !d->v[i].message[0])
			abort();
}

static size_t hashes(const char *s, size_t len)
{
	size_t n = 0;
	while (len--)
		n += *s++ == '#';
	return n;
}

static void fmt_fixed_point(const struct fb_doc *doc, const struct fb_schema *s)
{
	struct fb_buf once = FB_BUF_INIT, twice = FB_BUF_INIT;
	struct fb_diag d = FB_DIAG_INIT;
	struct fb_doc *again = NULL;

	if (fb_fmt_record(doc, s, &once, &d) == 0) {
		/* fmt copies comments and scalars' text: no '#' may go (a check of its own) */
		if (hashes(once.ptr, once.len) != hashes(doc->text, doc->len))
			abort();
		if (fb_doc_parse(&again, "again.yaml", once.ptr, once.len, FB_PARSE_DEFAULT, &d) < 0)
			abort(); /* fmt verifies its output reads back */
		fb_schema_type_record(s, again->root);
		if (fb_fmt_record(again, s, &twice, &d) < 0 || twice.len != once.len ||
		    memcmp(twice.ptr, once.ptr, once.len))
			abort();
	}
	check_diag(&d);
	fb_doc_free(again);
	fb_diag_release(&d);
	fb_buf_release(&once);
	fb_buf_release(&twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t slen = nul ? (size_t)(nul - data) : size;
	struct fb_diag d = FB_DIAG_INIT;
	struct fb_doc *sdoc = NULL, *rdoc = NULL;
	struct fb_schemas *ss = NULL;

	if (fb_doc_parse(&sdoc, "s.yaml", (const char *)data, slen, FB_PARSE_ANY_ROOT, &d) < 0 ||
	    !sdoc->root)
		goto out;
	fb_schemas_from_node(&ss, sdoc->root, "s.yaml", &d);
	check_diag(&d);
	if (nul && fb_doc_parse(&rdoc, "r.yaml", (const char *)nul + 1, size - slen - 1,
				FB_PARSE_DEFAULT, &d) == 0) {
		const struct fb_schema *s = fb_schemas_main(ss);
		struct fb_crossref *xr = fb_crossref_new();
		struct fb_validate_opts o = {"r.yaml", "things", "r", (size & 1) != 0, xr, false, 0};

		fb_schema_type_record(s, rdoc->root);
		fb_schema_validate(s, rdoc->root, &o, &d);
		o.order = 1;
		fb_schema_validate(s, rdoc->root, &o, &d); /* a second record, the same */
		fb_crossref_check(xr, exists, items, NULL, &d);
		check_diag(&d);
		fmt_fixed_point(rdoc, s);
		fb_crossref_free(xr);
	}
out:
	fb_doc_free(rdoc);
	fb_schemas_free(ss);
	fb_doc_free(sdoc);
	fb_diag_release(&d);
	return 0;
}
