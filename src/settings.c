/*
 * fieldbook.yaml (see settings.h).  Read with the one YAML reader
 * (node.c), so positions, duplicate keys and the size limit behave as in a
 * record; each key is checked on its own, so one bad value does not hide
 * another.  `policy` belongs to the policy issue: any list is accepted for
 * now.  `office` and `province` are texts for the report.
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/node.h>
#include <fieldbook/settings.h>

#define PATH "fieldbook.yaml"

void fb_settings_default(struct fb_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->calendar = FB_CAL_JALALI;
	s->visit_days = 1u << 0 | 1u << 2; /* Sunday, Tuesday */
	s->stale_after_days = 90;
}

void fb_settings_release(struct fb_settings *s)
{
	free(s->office);
	free(s->province);
	fb_settings_default(s);
}

static void bad(struct fb_diag *d, const struct fb_node *n, const char *key, const char *expected,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void bad(struct fb_diag *d, const struct fb_node *n, const char *key, const char *expected,
		const char *fmt, ...)
{
	struct fb_buf msg = FB_BUF_INIT, path = FB_BUF_INIT, value = FB_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	fb_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	fb_pointer_push(&path, key, strlen(key));
	if (fb_node_is_scalar(n))
		fb_diag_shorten(&value, n->str, n->len, 40);
	fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, PATH, n->line, n->col, "%s: %s", path.ptr, msg.ptr),
		    path.ptr, "settings", fb_node_is_scalar(n) ? value.ptr : NULL, expected);
	fb_buf_release(&msg);
	fb_buf_release(&path);
	fb_buf_release(&value);
}

/* A text setting (office, province): a string, held by `*to`. */
static void read_text(const struct fb_node *v, const char *key, char **to, struct fb_diag *d)
{
	size_t i;
	if (v->type == FB_NODE_NULL) /* `office:` says nothing, as "" */
		return;
	for (i = 0; v->type == FB_NODE_STR && i < v->len; i++)
		if ((unsigned char)v->str[i] < 0x20 || v->str[i] == 0x7f)
			break;
	if (v->type != FB_NODE_STR || i < v->len) {
		bad(d, v, key, "one line of text",
		    "expected one line of text (quote it if it reads as a number)");
		return;
	}
	free(*to);
	*to = fb_strndup(v->str, v->len);
}

static void read_days(const struct fb_node *v, struct fb_settings *s, struct fb_diag *d)
{
	unsigned days = 0;
	uint32_t i;
	int w;
	if (v->type != FB_NODE_SEQ || !v->n) {
		bad(d, v, "visit_days", "a list of weekdays",
		    "expected a list of weekdays ([sunday, tuesday])");
		s->visit_days_unread = true;
		return;
	}
	for (i = 0; i < v->n; i++) {
		const struct fb_node *k = v->kids[i];
		for (w = 0; w < 7; w++)
			if (fb_node_is_scalar(k) && (!strcmp(k->str, fb_weekday_name_en(w)) ||
						     !strcmp(k->str, fb_weekday_name_fa(w))))
				break;
		if (w == 7) {
			bad(d, k, "visit_days", "a weekday",
			    "'%s' is not a weekday (sunday ... saturday, or یکشنبه ...)",
			    fb_node_is_scalar(k) ? k->str : "?");
			s->visit_days_unread = true;
			return;
		}
		days |= 1u << w;
	}
	s->visit_days = days;
}

int fb_settings_load(struct fb_source *src, struct fb_settings *out, struct fb_diag *d)
{
	struct fb_buf text = FB_BUF_INIT;
	struct fb_doc *doc = NULL;
	size_t before = d->errors;
	uint32_t i;
	int err;

	fb_settings_default(out);
	err = fb_source_read_path(src, PATH, &text, d);
	if (err == FB_ENOTFOUND) {
		fb_buf_release(&text);
		return 0;
	}
	if (err < 0 || fb_doc_parse(&doc, PATH, text.ptr, text.len, FB_PARSE_DEFAULT, d) < 0) {
		out->visit_days_unread = true; /* nothing of it could be read */
		goto out;
	}
	for (i = 0; doc->root && i < doc->root->n; i++) {
		const struct fb_node *kv = doc->root->kids[i], *k = kv->key;
		if (fb_node_key_is(k, "calendar")) {
			if (fb_node_is_scalar(kv) && !strcmp(kv->str, "jalali"))
				out->calendar = FB_CAL_JALALI;
			else if (fb_node_is_scalar(kv) && !strcmp(kv->str, "gregorian"))
				out->calendar = FB_CAL_GREGORIAN;
			else {
				bad(d, kv, "calendar", "jalali or gregorian", "expected jalali or gregorian");
				continue;
			}
			out->calendar_set = true;
		} else if (fb_node_key_is(k, "visit_days")) {
			read_days(kv, out, d);
		} else if (fb_node_key_is(k, "stale_after_days")) {
			if (kv->type == FB_NODE_INT && kv->num >= 1 && kv->num <= 3650)
				out->stale_after_days = (int)kv->num;
			else
				bad(d, kv, "stale_after_days", "a whole number of days, 1 to 3650",
				    "expected a whole number of days, 1 to 3650");
		} else if (fb_node_key_is(k, "require_signed_commits")) {
			if (kv->type == FB_NODE_BOOL)
				out->require_signed_commits = kv->num != 0;
			else
				bad(d, kv, "require_signed_commits", "true or false",
				    "expected true or false");
		} else if (fb_node_key_is(k, "office")) {
			read_text(kv, "office", &out->office, d);
		} else if (fb_node_key_is(k, "province")) {
			read_text(kv, "province", &out->province, d);
		} else if (fb_node_key_is(k, "policy")) {
			if (kv->type != FB_NODE_SEQ)
				bad(d, kv, "policy", "a list of rules", "expected a list of rules");
		} else {
			bad(d, k, k->str, "calendar, visit_days, stale_after_days, "
					  "require_signed_commits, policy, office or province",
			    "unknown setting '%s' (calendar, visit_days, stale_after_days, "
			    "require_signed_commits, policy, office, province)",
			    k->str);
		}
	}
out:
	fb_doc_free(doc);
	fb_buf_release(&text);
	return d->errors > before ? FB_EINVALID : 0;
}
