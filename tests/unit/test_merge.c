/*
 * Unit tests for merge.c: three-way merges of one record as data, written
 * by minimal edits to ours (comments kept), and the conflicts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fieldbook/merge.h>

static const char SCHEMA[] = "type: object\n"
			     "properties:\n"
			     "  id: {type: string}\n"
			     "  influence: {type: integer}\n"
			     "  phone: {type: string, x-confidential: true}\n";

static struct fb_doc *schema_doc;
static struct fb_schemas *schemas;

static int setup(void **state)
{
	struct fb_diag d = FB_DIAG_INIT;
	(void)state;
	assert_int_equal(fb_doc_parse(&schema_doc, "s.yaml", SCHEMA, strlen(SCHEMA),
				      FB_PARSE_DEFAULT, &d),
			 0);
	assert_int_equal(fb_schemas_from_node(&schemas, schema_doc->root, "s.yaml", &d), 0);
	fb_diag_release(&d);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fb_schemas_free(schemas);
	fb_doc_free(schema_doc);
	return 0;
}

static struct fb_merge_side side(const char *text)
{
	struct fb_merge_side s = {text, text ? strlen(text) : 0};
	return s;
}

/* Merge; the conflicts as "PATH base|ours|theirs" lines into *conflicts. */
static struct fb_merge merge(const char *b, const char *o, const char *t, char **conflicts)
{
	struct fb_merge m;
	struct fb_diag d = FB_DIAG_INIT;
	struct fb_buf c = FB_BUF_INIT;
	size_t i;
	fb_merge_record("records/contacts/c-1.yaml", fb_schemas_main(schemas), side(b), side(o),
			side(t), NULL, &m, &d);
	for (i = 0; i < m.n; i++)
		fb_buf_addf(&c, "%s %s|%s|%s\n", m.v[i].path, m.v[i].base ? m.v[i].base : "-",
			    m.v[i].ours ? m.v[i].ours : "-", m.v[i].theirs ? m.v[i].theirs : "-");
	fb_diag_release(&d);
	*conflicts = fb_buf_detach(&c, NULL);
	return m;
}

/* The merge of three texts is `want` with no conflict. */
static void clean(const char *b, const char *o, const char *t, const char *want)
{
	char *c;
	struct fb_merge m = merge(b, o, t, &c);
	if (strcmp(c, "") || strcmp(m.text.ptr ? m.text.ptr : "", want))
		print_error("want:\n%s\ngot:\n%s\nconflicts:\n%s", want, m.text.ptr, c);
	assert_string_equal(c, "");
	assert_true(m.present);
	assert_string_equal(m.text.ptr, want);
	fb_merge_release(&m);
	free(c);
}

/* The merge keeps `want` and has exactly the conflicts `want_c`. */
static void conflicted(const char *b, const char *o, const char *t, const char *want,
		       const char *want_c)
{
	char *c;
	struct fb_merge m = merge(b, o, t, &c);
	if (strcmp(c, want_c))
		print_error("conflicts want:\n%s\ngot:\n%s", want_c, c);
	assert_string_equal(c, want_c);
	if (want)
		assert_string_equal(m.text.ptr, want);
	else
		assert_false(m.present);
	fb_merge_release(&m);
	free(c);
}

static const char BASE[] = "# imam of the Friday prayer\n"
			   "id: c-1\n"
			   "name: علی\n"
			   "role: imam   # since 1398\n"
			   "county: bam\n"
			   "\n"
			   "# how to reach him\n"
			   "phones:\n"
			   "  - \"0912\"\n";

static void test_different_fields(void **state)
{
	(void)state;
	clean(BASE,
	      "# imam of the Friday prayer\nid: c-1\nname: علی رضایی\nrole: imam   # since 1398\n"
	      "county: bam\n\n# how to reach him\nphones:\n  - \"0912\"\n",
	      "id: c-1\nname: علی\nrole: 'imam-jomeh'\ncounty: bam\nphones: ['0912']\n",
	      "# imam of the Friday prayer\nid: c-1\nname: علی رضایی\nrole: 'imam-jomeh'   # since "
	      "1398\ncounty: bam\n\n# how to reach him\nphones:\n  - \"0912\"\n");
}

static void test_same_change_and_reformatting(void **state)
{
	(void)state;
	/* both made the same change; theirs also reordered and requoted */
	clean(BASE, "id: c-1\nname: حسن\nrole: imam\ncounty: bam\nphones: [\"0912\"]\n",
	      "phones:\n- '0912'\ncounty: bam\nrole: \"imam\"\nname: حسن\nid: c-1\n",
	      "id: c-1\nname: حسن\nrole: imam\ncounty: bam\nphones: [\"0912\"]\n");
}

static void test_same_field_conflict(void **state)
{
	(void)state;
	conflicted("id: c-1\nname: a\ncounty: bam\n", "id: c-1\nname: b\ncounty: bam\n",
		   "id: c-1\nname: c\ncounty: jiroft\n", "id: c-1\nname: b\ncounty: jiroft\n",
		   "/name \"a\"|\"b\"|\"c\"\n");
}

static void test_appended_lists_union(void **state)
{
	(void)state;
	/* block list: ours' items, then theirs' new ones (one already in ours once) */
	clean("id: c-1\ntags:\n  - a\n", "id: c-1\ntags:\n  - a\n  - b   # ours\n  - c\n",
	      "id: c-1\ntags:\n- a\n- c\n- d # theirs\n",
	      "id: c-1\ntags:\n  - a\n  - b   # ours\n  - c\n  - d # theirs\n");
	/* flow list: the merged list replaces it */
	clean("id: c-1\ntags: [a]\nx: 1\n", "id: c-1\ntags: [a, b]\nx: 1\n",
	      "id: c-1\ntags: [a, d]\nx: 1\n", "id: c-1\ntags: [\"a\",\"b\",\"d\"]\nx: 1\n");
	/* a list one side changed in place and the other appended to */
	clean("id: c-1\ntags:\n  - a\n  - b\n", "id: c-1\ntags:\n  - A\n  - b\n",
	      "id: c-1\ntags:\n  - a\n  - b\n  - c\n", "id: c-1\ntags:\n  - A\n  - b\n  - c\n");
	/* removed on one side, appended on the other: one conflict, ours kept */
	conflicted("id: c-1\ntags:\n  - a\n  - b\n", "id: c-1\ntags:\n  - a\n",
		   "id: c-1\ntags:\n  - a\n  - b\n  - c\n", "id: c-1\ntags:\n  - a\n",
		   "/tags [\"a\",\"b\"]|[\"a\"]|[\"a\",\"b\",\"c\"]\n");
}

static const char FB[] = "id: v-1\n"
			 "follow_ups:\n"
			 "  - id: f1\n"
			 "    action: call\n"
			 "    status: open\n"
			 "  - id: f2\n"
			 "    action: visit\n"
			 "    status: open\n";

static void test_items_by_id(void **state)
{
	(void)state;
	/* ours closes f1; theirs moves f2's date and adds f3 */
	clean(FB,
	      "id: v-1\nfollow_ups:\n  - id: f1\n    action: call\n    status: done  # called\n"
	      "  - id: f2\n    action: visit\n    status: open\n",
	      "id: v-1\nfollow_ups:\n  - id: f1\n    action: call\n    status: open\n"
	      "  - id: f2\n    action: visit\n    status: open\n    due: 1403/08/01\n"
	      "  - id: f3\n    action: write\n    status: open\n",
	      "id: v-1\nfollow_ups:\n  - id: f1\n    action: call\n    status: done  # called\n"
	      "  - id: f2\n    action: visit\n    status: open\n    due: 1403/08/01\n"
	      "  - id: f3\n    action: write\n    status: open\n");
	/* theirs deletes f1, which ours left alone; ours changed f2 */
	clean(FB,
	      "id: v-1\nfollow_ups:\n  - id: f1\n    action: call\n    status: open\n"
	      "  - id: f2\n    action: visit\n    status: done\n",
	      "id: v-1\nfollow_ups:\n  - id: f2\n    action: visit\n    status: open\n",
	      "id: v-1\nfollow_ups:\n  - id: f2\n    action: visit\n    status: done\n");
	/* theirs deletes f1, which ours changed: a conflict at f1 */
	conflicted(FB,
		   "id: v-1\nfollow_ups:\n  - id: f1\n    action: call\n    status: done\n"
		   "  - id: f2\n    action: visit\n    status: open\n",
		   "id: v-1\nfollow_ups:\n  - id: f2\n    action: visit\n    status: open\n",
		   "id: v-1\nfollow_ups:\n  - id: f1\n    action: call\n    status: done\n"
		   "  - id: f2\n    action: visit\n    status: open\n",
		   "/follow_ups/0 {\"id\":\"f1\",\"action\":\"call\",\"status\":\"open\"}|"
		   "{\"id\":\"f1\",\"action\":\"call\",\"status\":\"done\"}|-\n");
}

static void test_items_by_position(void **state)
{
	(void)state;
	/* no ids: ours changes item 0, theirs appends */
	clean("id: v-1\nissues:\n  - title: water\n    severity: low\n",
	      "id: v-1\nissues:\n  - title: water\n    severity: high\n",
	      "id: v-1\nissues:\n  - title: water\n    severity: low\n  - title: roads\n"
	      "    severity: low\n",
	      "id: v-1\nissues:\n  - title: water\n    severity: high\n  - title: roads\n"
	      "    severity: low\n");
}

static void test_added_and_deleted_fields(void **state)
{
	(void)state;
	/* theirs adds a field with its comment and removes another; ours fills an empty one */
	clean("id: c-1\nname:\nrole: imam\ncounty: bam\n",
	      "id: c-1\nname: علی\nrole: imam\ncounty: bam\n",
	      "id: c-1\nname:\ncounty: bam\nnotes: |\n  two lines\n  of text\n",
	      "id: c-1\nname: علی\ncounty: bam\nnotes: |\n  two lines\n  of text\n");
	/* a field added inside a nested mapping */
	clean("id: c-1\naddr:\n  city: bam\n", "id: c-1\naddr:\n  city: Bam\n",
	      "id: c-1\naddr:\n  city: bam\n  street: x\n",
	      "id: c-1\naddr:\n  city: Bam\n  street: x\n");
	/* the last item of a list removed: the list stays, empty */
	clean("id: c-1\ntags:\n  - a\nx: 1\n", "id: c-1\ntags:\n  - a\nx: 2\n",
	      "id: c-1\ntags: []\nx: 1\n", "id: c-1\ntags: []\nx: 2\n");
	/* a key added to a flow mapping cannot be written safely: a conflict, ours kept */
	conflicted("id: c-1\na: {x: 1}\n", "id: c-1\na: {x: 5}\nb: 2\n",
		   "id: c-1\na: {x: 1, y: 2}\n", "id: c-1\na: {x: 5}\nb: 2\n",
		   "/a/y -|-|2\n");
	/* ours left the flow mapping alone: theirs' replaces it as written */
	clean("id: c-1\na: {x: 1}\n", "id: c-1\na: {x: 1}\nb: 2\n", "id: c-1\na: {x: 1, y: 2}\n",
	      "id: c-1\na: {x: 1, y: 2}\nb: 2\n");
}

static void test_whole_records(void **state)
{
	(void)state;
	/* added on both sides: the same data is fine, other data is one conflict */
	clean(NULL, "id: c-1\nname: a\n", "name: a\nid: c-1\n", "id: c-1\nname: a\n");
	clean("", "id: c-1\nname: a\n", "name: a\nid: c-1\n", "id: c-1\nname: a\n");
	conflicted(NULL, "id: c-1\nname: a\n", "id: c-1\nname: b\n", "id: c-1\nname: a\n",
		   " -|{\"id\":\"c-1\",\"name\":\"a\"}|{\"id\":\"c-1\",\"name\":\"b\"}\n");
	/* deleted on one side: gone if the other left it alone, else kept and a conflict */
	conflicted("id: c-1\nname: a\n", NULL, "id: c-1\nname: a\n", NULL, "");
	conflicted("id: c-1\nname: a\n", "id: c-1\nname: a\n", NULL, NULL, "");
	conflicted("id: c-1\nname: a\n", NULL, "id: c-1\nname: b\n", "id: c-1\nname: b\n",
		   " {\"id\":\"c-1\",\"name\":\"a\"}|-|{\"id\":\"c-1\",\"name\":\"b\"}\n");
	/* added on one side only */
	clean(NULL, NULL, "id: c-1\n", "id: c-1\n");
}

static void test_typed_and_confidential(void **state)
{
	(void)state;
	/* ۴ is 4 in an integer field: theirs' reformatting is no change */
	clean("id: c-1\ninfluence: 4\nname: a\n", "id: c-1\ninfluence: 4\nname: b\n",
	      "id: c-1\ninfluence: ۴\nname: a\n", "id: c-1\ninfluence: 4\nname: b\n");
	/* a conflicting confidential value is never in the conflict list */
	conflicted("id: c-1\nphone: '0912'\n", "id: c-1\nphone: '0913'\n",
		   "id: c-1\nphone: '0914'\n", "id: c-1\nphone: '0913'\n",
		   "/phone \"***\"|\"***\"|\"***\"\n");
}

static void test_unparsable_side(void **state)
{
	struct fb_merge m;
	struct fb_diag d = FB_DIAG_INIT;
	(void)state;
	assert_int_equal(fb_merge_record("records/contacts/c-1.yaml", NULL, side("id: c-1\n"),
					 side("id: c-1\nname: a\n"),
					 side("id: c-1\nname: [\n"), NULL, &m, &d),
			 FB_ESYNTAX);
	assert_true(d.errors > 0);
	assert_string_equal(m.text.ptr, "id: c-1\nname: a\n");
	assert_int_equal(m.n, 1);
	assert_string_equal(m.v[0].path, "");
	fb_merge_release(&m);
	fb_diag_release(&d);
}


/* Merge with `opts`; want the text and no conflict left. */
static void settled(const char *b, const char *o, const char *t, const struct fb_merge_opts *opts,
		    const char *want)
{
	struct fb_merge m;
	struct fb_diag d = FB_DIAG_INIT;
	fb_merge_record("records/contacts/c-1.yaml", fb_schemas_main(schemas), side(b), side(o),
			side(t), opts, &m, &d);
	if (m.n || strcmp(m.text.ptr ? m.text.ptr : "(absent)", want))
		print_error("want:\n%s\ngot (%zu conflicts):\n%s\n", want, m.n, m.text.ptr);
	assert_int_equal(m.n, 0);
	assert_string_equal(m.text.ptr ? m.text.ptr : "(absent)", want);
	fb_merge_release(&m);
	fb_diag_release(&d);
}

static void test_resolve_picks(void **state)
{
	static const char b[] = "id: c-1\nname: a  # as given\ncounty: bam\ntags:\n  - x\n";
	static const char o[] = "id: c-1\nname: b  # as given\ncounty: bam\ntags:\n  - y\n";
	static const char t[] = "id: c-1\nname: c\ncounty: kerman\ntags:\n  - z\n  - w\n";
	struct fb_merge_opts ours = {FB_MERGE_OURS, NULL, 0}, theirs = {FB_MERGE_THEIRS, NULL, 0};
	struct fb_merge_choice pick[] = {{"/name", FB_MERGE_VALUE, "\"b c\""},
					 {"/tags", FB_MERGE_THEIRS, NULL}};
	struct fb_merge_opts some = {FB_MERGE_ASK, pick, 2};
	struct fb_merge_choice one[] = {{"/name", FB_MERGE_THEIRS, NULL}};
	struct fb_merge_opts partial = {FB_MERGE_ASK, one, 1};
	struct fb_merge m;
	struct fb_diag d = FB_DIAG_INIT;
	(void)state;

	/* --ours: theirs' other changes still come (county) */
	settled(b, o, t, &ours, "id: c-1\nname: b  # as given\ncounty: kerman\ntags:\n  - y\n");
	settled(b, o, t, &theirs, "id: c-1\nname: c  # as given\ncounty: kerman\ntags: [\"z\",\"w\"]\n");
	settled(b, o, t, &some, "id: c-1\nname: \"b c\"  # as given\ncounty: kerman\ntags: [\"z\",\"w\"]\n");
	/* one field settled, the other still a conflict */
	fb_merge_record("c.yaml", NULL, side(b), side(o), side(t), &partial, &m, &d);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.v[0].path, "/tags");
	assert_non_null(strstr(m.text.ptr, "name: c  # as given\n"));
	fb_merge_release(&m);
	/* a value for a field ours does not have is added */
	pick[0].path = "/role";
	pick[0].value = "imam";
	settled("id: c-1\n", "id: c-1\nrole: a\n", "id: c-1\nrole: b\n", &some, "id: c-1\nrole: imam\n");
	/* the whole record: deleted on one side, changed on the other */
	settled("id: c-1\nname: a\n", NULL, "id: c-1\nname: b\n", &ours, "(absent)");
	settled("id: c-1\nname: a\n", NULL, "id: c-1\nname: b\n", &theirs, "id: c-1\nname: b\n");
	settled(NULL, "id: c-1\nname: a\n", "id: c-1\nname: b\n", &theirs, "id: c-1\nname: b\n");
	fb_diag_release(&d);
}

/* ---- a property: random edits on both sides merge as the data says ------------------------- */

#define NK 6  /* scalar fields k0..k5 */
#define NT 12 /* tags, at most */
#define NF 8  /* follow-ups, at most */

struct model {
	int k[NK]; /* -1: the field is absent */
	int tags[NT], ntags;
	struct {
		char id[16];
		int status;
	} f[NF];
	int nf;
};

static uint64_t rnd_state;
static unsigned rnd(unsigned n)
{
	rnd_state += 0x9e3779b97f4a7c15ull;
	uint64_t z = rnd_state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (unsigned)((z ^ (z >> 31)) % n);
}

/* The model as YAML: block style, with comments here and there when `noisy`. */
static void render(struct fb_buf *out, const struct model *m, bool noisy)
{
	int i;
	fb_buf_puts(out, "id: c-1\n");
	for (i = 0; i < NK; i++) {
		if (m->k[i] < 0)
			continue;
		if (noisy && rnd(3) == 0)
			fb_buf_addf(out, "# about k%d\n", i);
		fb_buf_addf(out, "k%d: v%d", i, m->k[i]);
		if (noisy && rnd(4) == 0)
			fb_buf_addf(out, "  # note on k%d", i);
		fb_buf_putc(out, '\n');
	}
	if (m->ntags) {
		fb_buf_puts(out, "tags:\n");
		for (i = 0; i < m->ntags; i++)
			fb_buf_addf(out, "  - t%d\n", m->tags[i]);
	}
	if (m->nf) {
		fb_buf_puts(out, "follow_ups:\n");
		for (i = 0; i < m->nf; i++)
			fb_buf_addf(out, "  - id: %s\n    status: s%d\n", m->f[i].id, m->f[i].status);
	}
}

/* Random edits: change, add or drop scalars, append tags, change or add follow-ups. */
static void edit(struct model *m, char who, int *fresh)
{
	int n = 1 + (int)rnd(4), i;
	while (n--) {
		switch (rnd(5)) {
		case 0:
		case 1:
			i = (int)rnd(NK);
			m->k[i] = rnd(5) == 0 ? -1 : 100 + (int)rnd(1000);
			break;
		case 2:
			if (m->ntags < NT)
				m->tags[m->ntags++] = (who == 'o' ? 500 : 700) + (*fresh)++;
			break;
		case 3:
			if (m->nf)
				m->f[rnd((unsigned)m->nf)].status = (who == 'o' ? 10 : 20) + (int)rnd(9);
			break;
		default:
			if (m->nf < NF) {
				snprintf(m->f[m->nf].id, sizeof(m->f[m->nf].id), "%c%d", who, (*fresh)++);
				m->f[m->nf++].status = 0;
			}
		}
	}
}

/* What the merge must give, as data; the number of conflicts it must report. */
static int expected(const struct model *b, const struct model *o, const struct model *t,
		    struct model *r)
{
	int i, k, conflicts = 0;
	*r = *o;
	for (i = 0; i < NK; i++) {
		if (o->k[i] == t->k[i] || t->k[i] == b->k[i])
			continue;
		if (o->k[i] == b->k[i])
			r->k[i] = t->k[i];
		else
			conflicts++;
	}
	for (i = b->ntags; i < t->ntags; i++) {
		bool seen = false;
		for (k = b->ntags; k < o->ntags; k++)
			seen = seen || o->tags[k] == t->tags[i];
		if (!seen)
			r->tags[r->ntags++] = t->tags[i];
	}
	for (i = 0; i < t->nf; i++) {
		if (i < b->nf) {
			int bs = b->f[i].status, os = o->f[i].status, ts = t->f[i].status;
			if (os == ts || ts == bs)
				continue;
			if (os == bs)
				r->f[i].status = ts;
			else
				conflicts++;
		} else {
			r->f[r->nf++] = t->f[i];
		}
	}
	return conflicts;
}

static void test_random_edits_merge_as_data(void **state)
{
	/* FB_MERGE_RUNS=N for a longer run by hand */
	unsigned seed, runs = getenv("FB_MERGE_RUNS") ? (unsigned)atoi(getenv("FB_MERGE_RUNS")) : 400;
	unsigned conflicts_seen = 0;
	(void)state;
	for (seed = 1; seed <= runs; seed++) {
		struct model b, o, t, r;
		struct fb_buf bt = FB_BUF_INIT, ot = FB_BUF_INIT, tt = FB_BUF_INIT, rt = FB_BUF_INIT;
		struct fb_diag d = FB_DIAG_INIT;
		struct fb_doc *got = NULL, *want = NULL;
		struct fb_merge m;
		int i, fresh = 0, nconf;

		rnd_state = seed;
		memset(&b, 0, sizeof(b));
		for (i = 0; i < NK; i++)
			b.k[i] = rnd(4) == 0 ? -1 : (int)rnd(100);
		b.ntags = (int)rnd(3);
		for (i = 0; i < b.ntags; i++)
			b.tags[i] = i;
		b.nf = (int)rnd(3);
		for (i = 0; i < b.nf; i++)
			snprintf(b.f[i].id, sizeof(b.f[i].id), "b%d", i);
		o = b;
		t = b;
		edit(&o, 'o', &fresh);
		edit(&t, 't', &fresh);
		nconf = expected(&b, &o, &t, &r);
		render(&bt, &b, false);
		render(&ot, &o, true);
		render(&tt, &t, true);
		render(&rt, &r, false);
		assert_int_equal(fb_merge_record("c-1.yaml", NULL, side(bt.ptr), side(ot.ptr),
						 side(tt.ptr), NULL, &m, &d),
				 0);
		assert_int_equal(fb_doc_parse(&got, "got", m.text.ptr, m.text.len, 0, &d), 0);
		assert_int_equal(fb_doc_parse(&want, "want", rt.ptr, rt.len, 0, &d), 0);
		if (!fb_node_equal(got->root, want->root) || (int)m.n != nconf)
			print_error("seed %u\nbase:\n%s\nours:\n%s\ntheirs:\n%s\nwant (%d "
				    "conflicts):\n%s\ngot (%zu):\n%s",
				    seed, bt.ptr, ot.ptr, tt.ptr, nconf, rt.ptr, m.n, m.text.ptr);
		assert_true(fb_node_equal(got->root, want->root));
		assert_int_equal((int)m.n, nconf);
		/* every comment of ours is still there, but on the line of a field that went */
		for (i = 0; i < NK; i++) {
			char c[32];
			snprintf(c, sizeof(c), "# about k%d\n", i);
			if (strstr(ot.ptr, c) && !strstr(m.text.ptr, c))
				fail_msg("seed %u: '%s' lost", seed, c);
			snprintf(c, sizeof(c), "# note on k%d\n", i);
			if (strstr(ot.ptr, c) && !strstr(m.text.ptr, c) && r.k[i] >= 0)
				fail_msg("seed %u: '%s' lost:\n%s", seed, c, m.text.ptr);
		}
		conflicts_seen += m.n;
		fb_doc_free(got);
		fb_doc_free(want);
		fb_merge_release(&m);
		fb_diag_release(&d);
		fb_buf_release(&bt);
		fb_buf_release(&ot);
		fb_buf_release(&tt);
		fb_buf_release(&rt);
	}
	print_message("# %u random merges, %u conflicts among them\n", runs, conflicts_seen);
	assert_true(conflicts_seen > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_different_fields),
		cmocka_unit_test(test_same_change_and_reformatting),
		cmocka_unit_test(test_same_field_conflict),
		cmocka_unit_test(test_appended_lists_union),
		cmocka_unit_test(test_items_by_id),
		cmocka_unit_test(test_items_by_position),
		cmocka_unit_test(test_added_and_deleted_fields),
		cmocka_unit_test(test_whole_records),
		cmocka_unit_test(test_typed_and_confidential),
		cmocka_unit_test(test_unparsable_side),
		cmocka_unit_test(test_resolve_picks),
		cmocka_unit_test(test_random_edits_merge_as_data),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
