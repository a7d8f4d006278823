/*
 * libFuzzer target: the YAML loader (node.c) on arbitrary bytes.
 *
 * Checks the loader's contract on every input: it either fails with at
 * least one error, each with a line and column, or returns a tree whose
 * byte spans lie inside the text and whose JSON form can be produced.
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/node.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct fb_doc *doc, const struct fb_node *n, int depth)
{
	uint32_t i;
	if (n->start > n->end || n->end > doc->len || depth > FB_NODE_MAX_DEPTH + 1 || !n->line ||
	    !n->col)
		abort();
	for (i = 0; i < n->n; i++) {
		if (n->kids[i]->parent != n || n->kids[i]->index != i)
			abort();
		if ((n->type == FB_NODE_MAP) != (n->kids[i]->key != NULL))
			abort();
		walk(doc, n->kids[i], depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_diag d = FB_DIAG_INIT;
	struct fb_doc *doc = NULL;
	unsigned flags = size && (data[0] & 1) ? FB_PARSE_ANY_ROOT : FB_PARSE_DEFAULT;
	size_t i;
	int err = fb_doc_parse(&doc, "fuzz.yaml", (const char *)data, size, flags, &d);

	if (err) {
		if (doc || d.errors == 0)
			abort();
		for (i = 0; i < d.n; i++)
			if (!d.v[i].line || !d.v[i].col || !d.v[i].message[0])
				abort();
	} else {
		struct fb_buf json = FB_BUF_INIT;
		if (!doc || d.errors)
			abort();
		if (doc->root) {
			walk(doc, doc->root, 1);
			fb_node_to_json(&json, doc->root, -1, NULL, NULL);
			if (!fb_node_equal(doc->root, doc->root))
				abort();
		}
		fb_buf_release(&json);
	}
	fb_doc_free(doc);
	fb_diag_release(&d);
	return 0;
}
