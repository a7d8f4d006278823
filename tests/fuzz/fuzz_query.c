/*
 * libFuzzer target: query expressions, compiled and run.
 *
 * A small repository (two types, a reference between them, arrays, dates,
 * phones, a confidential field, enums) is written once to a temporary folder.  Each
 * input is up to five lines: the expression, then optional -q, -f, -s and
 * -g values.  Whatever the input: no crash, no leak, no hang; an error is
 * a diagnostic with a message, and a syntax error has a column inside the
 * expression (or just past its end); a diagnostic's text form and the caret
 * line are valid UTF-8 however bad the input's bytes (SPEC §7, issue 10).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fieldbook/query.h>
#include <fieldbook/text.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char top[64];
static struct fb_repo *repo;
static struct fb_source *src;
static struct fb_schemas *ss;

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const dirs[] = {".git", "schemas", "records", "records/people",
					   "records/towns"};
	struct fb_diag d = FB_DIAG_INIT;
	size_t i;
	(void)argc;
	(void)argv;
	snprintf(top, sizeof(top), "/tmp/fuzz-query-XXXXXX");
	if (!mkdtemp(top))
		abort();
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/%s", top, dirs[i]);
		mkdir(path, 0755);
	}
	put("schemas/towns.yaml", "type: object\nproperties:\n  id: {type: string}\n"
				  "  name: {type: string}\n  size: {type: integer}\n");
	put("schemas/people.yaml",
	    "type: object\nx-summary: [id, name, town]\nproperties:\n  id: {type: string}\n"
	    "  name: {type: string}\n  town: {type: string, x-ref: towns}\n"
	    "  phones: {type: array, items: {type: string, x-phone: true}}\n"
	    "  met: {type: string, x-date: true}\n  score: {type: number}\n"
	    "  tags: {type: array, items: {type: string}}\n"
	    "  visits: {type: array, items: {type: object, properties: {status: {type: string}, "
	    "due: {type: string, x-date: true}}}}\n"
	    "  secret: {type: string, x-confidential: true}\n"
	    "  kind: {enum: [imam, 'حسین زاده', 3, null, [x]]}\n"
	    "  roles: {type: array, items: {$ref: '#/$defs/role'}}\n"
	    "$defs:\n  role: {type: string, enum: [a, b]}\n");
	put("records/towns/kerman.yaml", "id: kerman\nname: کرمان\nsize: 5\n");
	put("records/towns/bam.yaml", "id: bam\nname: بم\nsize: 2\n");
	put("records/people/p-1.yaml",
	    "id: p-1\nname: علي رضایی\ntown: kerman\nphones: ['0913 123 4567']\nmet: 1403/05/12\n"
	    "score: 4.5\ntags: [a, b]\nvisits:\n  - {status: open, due: 2024-08-02}\nsecret: x\n");
	put("records/people/p-2.yaml",
	    "id: p-2\nname: Ali\ntown: bam\nmet: ۱۴۰۲/۰۱/۰۱\nscore: -1\nvisits: []\n");
	put("records/people/p-3.yaml", "id: p-3\nname: [broken\n");
	if (fb_repo_discover(&repo, top, &d) < 0 || fb_source_worktree(&src, repo) < 0)
		abort();
	fb_schemas_load(&ss, src, &d);
	fb_diag_release(&d);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *line[5] = {NULL}, *p;
	struct fb_query_opts o;
	struct fb_query *q = NULL;
	struct fb_query_result res;
	struct fb_diag d = FB_DIAG_INIT;
	const char *exprs[1], *fields[1], *sort[1];
	size_t i, n = 0;
	int err;

	memcpy(text, data, size);
	text[size] = '\0';
	if (strlen(text) != size) { /* arguments never hold NUL */
		free(text);
		return 0;
	}
	for (p = text; n < 5; n++) {
		line[n] = p;
		p = strchr(p, '\n');
		if (!p) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	memset(&o, 0, sizeof(o));
	memset(&res, 0, sizeof(res));
	o.type = "people";
	exprs[0] = line[0];
	o.exprs = exprs;
	o.nexprs = 1;
	o.quick = n > 1 && line[1][0] ? line[1] : NULL;
	fields[0] = n > 2 ? line[2] : NULL;
	o.fields = n > 2 && line[2][0] ? fields : NULL;
	o.nfields = o.fields ? 1 : 0;
	sort[0] = n > 3 ? line[3] : NULL;
	o.sort = sort;
	o.nsort = n > 3 && line[3][0] ? 1 : 0;
	o.group = n > 4 && line[4][0] ? line[4] : NULL;
	o.threads = 1;
	o.today = 20000;
	o.exact = size & 1;
	o.want = FB_QUERY_CELLS;
	err = fb_query_compile(&q, src, ss, &o, &d);
	if (!err)
		err = fb_query_run(q, &res, &d);
	for (i = 0; i < d.n; i++) {
		struct fb_buf shown = FB_BUF_INIT;
		if (!d.v[i].message[0])
			abort();
		if (err == FB_ESYNTAX && d.v[i].file && !strcmp(d.v[i].file, "query") &&
		    d.v[i].col > strlen(line[0]) + 1)
			abort();
		fb_diag_format(&shown, &d.v[i]);
		if (err == FB_ESYNTAX && d.v[i].path)
			fb_query_caret(&shown, d.v[i].path, d.v[i].col);
		if (!fb_utf8_valid(shown.ptr, shown.len, NULL))
			abort();
		fb_buf_release(&shown);
	}
	fb_query_result_release(&res);
	fb_query_free(q);
	fb_diag_release(&d);
	free(text);
	return 0;
}
