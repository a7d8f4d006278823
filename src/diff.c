/*
 * Field-level differences (see diff.h).
 *
 * The walk goes down both trees together.  Where both sides are mappings,
 * keys of `b` come in its order, then keys only `a` had; where both are
 * lists, elements by index; anywhere else, the two values are compared as
 * JSON values (fb_node_equal: numbers by value, keys unordered) and a
 * difference is one change.  What exists on one side only is reported leaf
 * by leaf, so an added record lists every field it has.  Recursion follows the trees, whose depth the
 * reader limits.
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/diff.h>

static char *json_of(const struct fb_node *n, bool show_confidential)
{
	struct fb_buf out = FB_BUF_INIT;
	if (!n)
		return NULL;
	if (n->confidential && !show_confidential)
		fb_buf_puts(&out, "\"***\"");
	else
		fb_node_to_json(&out, n, -1, show_confidential ? NULL : fb_node_is_confidential, NULL);
	return fb_buf_detach(&out, NULL);
}

static void add(struct fb_changes *out, const struct fb_buf *path, const struct fb_node *a,
		const struct fb_node *b, bool show)
{
	struct fb_change *c;
	FB_GROW(out->v, out->n, out->alloc);
	c = &out->v[out->n++];
	c->path = fb_strndup(path->ptr, path->len);
	c->old_json = json_of(a, show);
	c->new_json = json_of(b, show);
}

static void walk(const struct fb_node *a, const struct fb_node *b, struct fb_buf *path, bool show,
		 struct fb_changes *out)
{
	size_t base = path->len;
	uint32_t i, j;

	/* a confidential value is one value: neither its parts nor its keys are told */
	if (!show && ((a && a->confidential) || (b && b->confidential))) {
		if (!(a && b && fb_node_equal(a, b)))
			add(out, path, a, b, show);
		return;
	}
	/* a collection on one side only: each of its leaves appears or goes */
	if (!a != !b) {
		const struct fb_node *c = a ? a : b;
		if (!fb_node_is_scalar(c) && c->n) {
			for (i = 0; i < c->n; i++) {
				const struct fb_node *k = c->kids[i];
				fb_pointer_push_node(path, k);
				walk(a ? k : NULL, b ? k : NULL, path, show, out);
				fb_buf_setlen(path, base);
			}
			return;
		}
	}
	if (a && b && a->type == FB_NODE_MAP && b->type == FB_NODE_MAP) {
		for (i = 0; i < b->n; i++) {
			const struct fb_node *k = b->kids[i]->key, *old = NULL;
			for (j = 0; j < a->n && !old; j++)
				if (a->kids[j]->key->len == k->len &&
				    !memcmp(a->kids[j]->key->str, k->str, k->len))
					old = a->kids[j];
			fb_pointer_push(path, k->str, k->len);
			walk(old, b->kids[i], path, show, out);
			fb_buf_setlen(path, base);
		}
		for (j = 0; j < a->n; j++) {
			const struct fb_node *k = a->kids[j]->key;
			if (fb_node_get(b, k->str) && strlen(k->str) == k->len)
				continue;
			fb_pointer_push(path, k->str, k->len);
			walk(a->kids[j], NULL, path, show, out);
			fb_buf_setlen(path, base);
		}
		return;
	}
	if (a && b && a->type == FB_NODE_SEQ && b->type == FB_NODE_SEQ) {
		uint32_t n = a->n > b->n ? a->n : b->n;
		for (i = 0; i < n; i++) {
			char num[16];
			int k = snprintf(num, sizeof(num), "%u", i);
			fb_pointer_push(path, num, (size_t)k);
			walk(i < a->n ? a->kids[i] : NULL, i < b->n ? b->kids[i] : NULL, path, show,
			     out);
			fb_buf_setlen(path, base);
		}
		return;
	}
	if (a && b && fb_node_equal(a, b))
		return;
	if (!a && !b)
		return;
	add(out, path, a, b, show);
}

void fb_diff_nodes(const struct fb_node *a, const struct fb_node *b, bool show_confidential,
		   struct fb_changes *out)
{
	struct fb_buf path = FB_BUF_INIT;
	walk(a, b, &path, show_confidential, out);
	fb_buf_release(&path);
}

void fb_changes_release(struct fb_changes *c)
{
	size_t i;
	for (i = 0; i < c->n; i++) {
		free(c->v[i].path);
		free(c->v[i].old_json);
		free(c->v[i].new_json);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}
