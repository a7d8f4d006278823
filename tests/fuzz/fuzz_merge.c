/*
 * libFuzzer target: the three-way record merge (merge.c).
 *
 * The input is base, ours and theirs, separated by lines "===".  Checks,
 * on every input: the merge returns 0 or FB_ESYNTAX; a result that is a
 * record parses; and the two merges whose answer is known give it with no
 * conflict -- theirs into an unchanged ours gives theirs' data, and ours
 * merged with itself gives ours' data.  The same merge settled as
 * `resolve --theirs --field /a=VALUE` must give a record that parses too.
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/merge.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The result of merging is `want`'s data with no conflict (or a side did not parse). */
static void expect(struct fb_merge_side b, struct fb_merge_side o, struct fb_merge_side t,
		   struct fb_merge_side want, const struct fb_merge_opts *opts)
{
	struct fb_diag d = FB_DIAG_INIT;
	struct fb_merge m;
	struct fb_doc *got = NULL, *w = NULL;
	int err = fb_merge_record("records/x/a.yaml", NULL, b, o, t, opts, &m, &d);

	if (err != 0 && err != FB_ESYNTAX)
		abort();
	if (m.present && fb_doc_parse(&got, "got", m.text.ptr, m.text.len, 0, &d) != 0 && !err)
		abort();
	if (!err && want.text && want.len &&
	    fb_doc_parse(&w, "want", want.text, want.len, 0, &d) == 0) {
		if (m.n || !got || !fb_node_equal(got->root, w->root))
			abort();
	}
	fb_doc_free(got);
	fb_doc_free(w);
	fb_merge_release(&m);
	fb_diag_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_merge_side s[3] = {{NULL, 0}, {NULL, 0}, {NULL, 0}};
	const char *p = (const char *)data, *end = p + size;
	int i;

	for (i = 0; i < 3 && p <= end; i++) {
		const char *sep = NULL, *q;
		for (q = p; q + 4 <= end && !sep; q++)
			if (!memcmp(q, "===\n", 4) && (q == p || q[-1] == '\n'))
				sep = q;
		s[i].text = p;
		s[i].len = (size_t)((sep ? sep : end) - p);
		p = sep ? sep + 4 : end + 1;
	}
	struct fb_merge_choice pick = {"/a", FB_MERGE_VALUE, "[1, {b: 2}]"};
	struct fb_merge_opts theirs = {FB_MERGE_THEIRS, &pick, 1};
	struct fb_merge_side none = {NULL, 0};
	expect(s[0], s[1], s[2], none, NULL);
	expect(s[0], s[0], s[2], s[2], NULL);
	expect(s[0], s[1], s[1], s[1], NULL);
	/* settled as resolve settles: still a record that parses */
	expect(s[0], s[1], s[2], none, &theirs);
	return 0;
}
