/*
 * Query (see query.h): compiling a query, running it over a source, and the
 * rows: grouping and sorting.
 *
 * The module's files: query_parse.c reads the expression and its paths,
 * query_eval.c extracts values and evaluates tests, this file builds the
 * deref tables before the records are read (so the main pass only reads
 * shared, finished data and can run on several threads, one lane per
 * thread, merged in order, as fb_check does) and turns matches into rows.
 * Only records that match are kept, and only what is asked of them.
 */
#include "query_int.h"

/* ---- compiling ------------------------------------------------------------------------ */

static bool is_agg(const char *f, const char *name, const char **arg, size_t *arglen)
{
	size_t n = strlen(name), len = strlen(f);
	if (len < n + 2 || strncmp(f, name, n) || f[n] != '(' || f[len - 1] != ')')
		return false;
	*arg = f + n + 1;
	*arglen = len - n - 2;
	return true;
}

static bool valid_path_text(const char *s, size_t len)
{
	size_t i;
	if (!len || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (i = 0; i < len; i++)
		if (!(query_valid_name_char((unsigned char)s[i]) || (s[i] == '.' && s[i + 1] != '.')))
			return false;
	return true;
}

static int add_column(struct fb_query *q, const char *f, bool grouped, struct fb_diag *d)
{
	static const struct {
		const char *name;
		enum agg agg;
	} aggs[] = {{"count", AGG_COUNT}, {"sum", AGG_SUM}, {"avg", AGG_AVG},
		    {"min", AGG_MIN},	  {"max", AGG_MAX}};
	struct column *c;
	const char *arg = NULL;
	size_t arglen = 0, i;
	enum agg agg = AGG_NONE;

	for (i = 0; i < FB_ARRAY_SIZE(aggs); i++)
		if (is_agg(f, aggs[i].name, &arg, &arglen)) {
			agg = aggs[i].agg;
			break;
		}
	if (agg != AGG_NONE && !grouped) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "'%s' is an aggregate: it needs -g FIELD to group the records", f);
		return FB_EUSAGE;
	}
	if (agg == AGG_NONE && grouped && q->group.name && !strcmp(f, q->group.name))
		return 0; /* the group key (SELECT county, count(*)): always the first column */
	if (agg == AGG_NONE && grouped) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "with -g %s, -f takes '%s' (the group), count(), sum(PATH), avg(PATH), "
			     "min(PATH) and max(PATH), not '%s'",
			     q->group.name, q->group.name, f);
		return FB_EUSAGE;
	}
	if (agg == AGG_COUNT && arglen) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "count() takes nothing in its parentheses");
		return FB_EUSAGE;
	}
	if (agg == AGG_COUNT)
		for (i = 0; i < q->ncols; i++)
			if (q->cols[i].agg == AGG_COUNT)
				return 0; /* the group's count is there already */
	q->cols = fb_realloc(q->cols, (q->ncols + 1) * sizeof(*q->cols));
	c = &q->cols[q->ncols];
	memset(c, 0, sizeof(*c));
	c->agg = agg;
	c->name = fb_strdup(agg == AGG_COUNT ? "count" : f);
	if (agg != AGG_COUNT) {
		const char *p = agg == AGG_NONE ? f : arg;
		size_t len = agg == AGG_NONE ? strlen(f) : arglen;
		if (!valid_path_text(p, len)) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "'%s' is not a field path", f);
			free(c->name);
			return FB_EUSAGE;
		}
		c->path = query_make_path(q, p, len, q->o.type, q->schema, d, 1);
		if (!c->path) {
			free(c->name);
			return FB_EUSAGE;
		}
	}
	q->ncols++;
	return 0;
}

/*
 * Every text the query is given must be UTF-8 (it is folded, matched and
 * echoed as such).  A bad byte in an expression is a syntax error at its
 * column; in an option, a usage error naming the option.  Both give the
 * byte's offset in that text, and the message shows the text escaped.
 */
static int check_utf8(const char *what, const char *s, struct fb_diag *d)
{
	struct fb_buf shown = FB_BUF_INIT;
	size_t bad = 0, len = s ? strlen(s) : 0;

	if (fb_utf8_valid(s, len, &bad))
		return 0;
	if (!what) {
		fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, "query", 1,
					 (unsigned)fb_utf8_count(s, bad) + 1,
					 "invalid UTF-8 (byte 0x%02X at offset %zu)",
					 (unsigned char)s[bad], bad),
			    s, "syntax", NULL, NULL);
		return FB_ESYNTAX;
	}
	fb_diag_shorten(&shown, s, len, 60);
	fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "%s '%s': invalid UTF-8 (byte 0x%02X at offset %zu)",
		     what, shown.ptr, (unsigned char)s[bad], bad);
	fb_buf_release(&shown);
	return FB_EUSAGE;
}

static int check_inputs(const struct fb_query_opts *o, struct fb_diag *d)
{
	size_t i;
	int err = 0;

	for (i = 0; i < o->nexprs && !err; i++)
		err = check_utf8(NULL, o->exprs[i], d);
	if (!err)
		err = check_utf8("TYPE", o->type, d);
	if (!err && o->quick)
		err = check_utf8("-q", o->quick, d);
	for (i = 0; i < o->nfields && !err; i++)
		err = check_utf8("-f", o->fields[i], d);
	for (i = 0; i < o->nsort && !err; i++)
		err = check_utf8("-s", o->sort[i], d);
	if (!err && o->group)
		err = check_utf8("-g", o->group, d);
	return err;
}

int fb_query_compile(struct fb_query **out, struct fb_source *src, const struct fb_schemas *ss,
		     const struct fb_query_opts *o, struct fb_diag *d)
{
	struct fb_query *q = fb_calloc(1, sizeof(*q));
	size_t i;
	int err = 0;

	*out = q;
	q->src = src;
	q->ss = ss;
	q->o = *o;
	q->schema = fb_schemas_type(ss, o->type);
	q->grouped = o->group != NULL;

	if ((err = check_inputs(o, d)) < 0)
		return err;
	for (i = 0; i < o->nexprs && !err; i++) {
		struct qexpr *e = NULL;
		err = query_parse_expression(q, o->exprs[i], &e, d);
		if (e && q->where) {
			struct qexpr *both = fb_calloc(1, sizeof(*both));
			both->kind = X_AND;
			both->a = q->where;
			both->b = e;
			FB_GROW(q->exprs, q->nexprs, q->exprs_alloc);
			q->exprs[q->nexprs++] = both;
			e = both;
		}
		if (e)
			q->where = e;
	}
	if (err)
		return err;
	if (o->quick) {
		const char *p = o->quick;
		while (*p) {
			struct fb_buf term = FB_BUF_INIT, key = FB_BUF_INIT;
			size_t len = strcspn(p, " \t\n");
			fb_buf_add(&term, p, len);
			fb_fold(&key, term.ptr, term.len, FB_FOLD_NOSPACE);
			if (key.len) {
				q->terms = fb_realloc(q->terms, (q->nterms + 1) * sizeof(*q->terms));
				q->terms[q->nterms++] = fb_buf_detach(&key, NULL);
			}
			fb_buf_release(&term);
			fb_buf_release(&key);
			p += len;
			while (*p == ' ' || *p == '\t' || *p == '\n')
				p++;
		}
		if (!q->nterms) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
				     "-q '%s' has nothing to search for once folded", o->quick);
			return FB_EUSAGE;
		}
	}
	/* the columns: the group first, then -f, or x-summary */
	if (q->grouped) {
		size_t len = strlen(o->group);
		if (!valid_path_text(o->group, len)) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "-g '%s' is not a field path",
				     o->group);
			return FB_EUSAGE;
		}
		q->group.name = fb_strdup(o->group);
		q->option = "-g";
		q->group.path = query_make_path(q, o->group, len, o->type, q->schema, d, 1);
		if (!q->group.path)
			return FB_EUSAGE;
		if ((err = add_column(q, "count()", true, d)) < 0)
			return err;
	}
	q->option = "-f";
	if (o->nfields) {
		for (i = 0; i < o->nfields && !err; i++)
			err = add_column(q, o->fields[i], q->grouped, d);
	} else if (!q->grouped) {
		const struct fb_node *sum = fb_schema_xsummary(q->schema);
		if (sum)
			for (i = 0; i < sum->n && !err; i++)
				err = add_column(q, sum->kids[i]->str, false, d);
		else
			err = add_column(q, "id", false, d);
	}
	if (err)
		return err;
	q->nshown = q->ncols;
	/* sort keys: a shown column of that name, or a hidden one */
	q->sort = fb_calloc(o->nsort + 1, sizeof(*q->sort));
	for (i = 0; i < o->nsort; i++) {
		const char *f = o->sort[i];
		size_t k;
		bool desc = f[0] == '-';
		if (desc)
			f++;
		for (k = 0; k < q->ncols; k++)
			if (!strcmp(q->cols[k].name, f) ||
			    (q->grouped && !strcmp(f, "count()") && q->cols[k].agg == AGG_COUNT))
				break;
		if (k == q->ncols && q->grouped && !strcmp(f, o->group))
			k = SIZE_MAX; /* the group value itself */
		if (k == q->ncols) {
			q->option = "-s";
			if ((err = add_column(q, f, q->grouped, d)) < 0)
				return err;
		}
		q->sort[q->nsort].col = k;
		q->sort[q->nsort++].desc = desc;
	}
	for (i = q->ntables; i-- > 0 && !err;) /* deepest tables were made last */
		err = query_deref_build(q, q->tables[i], d);
	return err;
}

void fb_query_free(struct fb_query *q)
{
	size_t i;
	if (!q)
		return;
	for (i = 0; i < q->nexprs; i++) {
		struct literal *l = &q->exprs[i]->lit;
		free(l->text);
		free(l->folded);
		free(l->phone);
		fb_regex_free(l->re);
		free(q->exprs[i]);
	}
	free(q->exprs);
	for (i = 0; i < q->npaths; i++) {
		query_path_free(q->paths[i]);
		free(q->paths[i]);
	}
	free(q->paths);
	for (i = 0; i < q->ntables; i++)
		query_deref_free(q->tables[i]);
	free(q->tables);
	for (i = 0; i < q->ncols; i++)
		free(q->cols[i].name);
	free(q->cols);
	free(q->group.name);
	for (i = 0; i < q->nterms; i++)
		free(q->terms[i]);
	free(q->terms);
	free(q->sort);
	free(q);
}

/* ---- running ----------------------------------------------------------------------------- */

struct lane {
	const struct fb_query *q;
	struct fb_source *src;
	const struct fb_entry *v;
	size_t n;
	struct fb_buf scratch;
	struct evalctx x;
	struct fb_diag d;
	struct fb_qrow *rows;
	size_t nrows, rows_alloc;
	struct fb_arena arena;
	int err;
	bool started;
	pthread_t tid;
};

static void cell_of(struct lane *l, const struct fb_node *root, const struct qpath *p,
		    struct fb_qcell *cell)
{
	struct collector c = {NULL, 0, 0, false, &l->arena, true, l->q->o.show_confidential,
			      FB_BUF_INIT};
	query_collect(root, p, 0, &c);
	cell->n = (uint32_t)c.n;
	cell->list = c.list;
	cell->v = c.n ? fb_arena_alloc(&l->arena, c.n * sizeof(*cell->v)) : NULL;
	if (c.n)
		memcpy(cell->v, c.v, c.n * sizeof(*cell->v));
	free(c.v);
	fb_buf_release(&c.json);
}

static void take_row(struct lane *l, const struct fb_entry *e, const struct fb_doc *doc)
{
	const struct fb_query *q = l->q;
	struct fb_qrow *r;
	size_t i;

	FB_GROW(l->rows, l->nrows, l->rows_alloc);
	r = &l->rows[l->nrows++];
	memset(r, 0, sizeof(*r));
	r->type = fb_arena_strndup(&l->arena, e->type, strlen(e->type));
	r->id = fb_arena_strndup(&l->arena, e->id, strlen(e->id));
	r->path = fb_arena_strndup(&l->arena, e->path, strlen(e->path));
	if (q->o.want == FB_QUERY_JSON || q->o.want == FB_QUERY_YAML) {
		struct fb_buf text = FB_BUF_INIT;
		if (q->o.want == FB_QUERY_JSON)
			fb_record_json(&text, e, doc, q->o.show_confidential, 1);
		else if (q->o.show_confidential)
			fb_buf_add(&text, doc->text, doc->len);
		else
			fb_record_masked_text(&text, doc);
		r->text = fb_arena_strndup(&l->arena, text.ptr, text.len);
		fb_buf_release(&text);
	}
	/* cells: the group's value (for grouping), every column with a path */
	r->cells = fb_arena_calloc(&l->arena, (q->ncols + 1) * sizeof(*r->cells));
	if (q->grouped)
		cell_of(l, doc->root, q->group.path, &r->cells[q->ncols]);
	for (i = 0; i < q->ncols; i++)
		if (q->cols[i].path && (q->o.want == FB_QUERY_CELLS || i >= q->nshown || q->grouped))
			cell_of(l, doc->root, q->cols[i].path, &r->cells[i]);
}

static void *run_lane(void *arg)
{
	struct lane *l = arg;
	const struct fb_query *q = l->q;
	size_t i;

	for (i = 0; i < l->n && !l->err; i++) {
		const struct fb_entry *e = &l->v[i];
		struct fb_diag load = FB_DIAG_INIT;
		struct fb_doc *doc = NULL;
		int err = fb_record_load(l->src, q->schema, e, &l->scratch, &doc, &load);

		if (err == FB_EIO) {
			fb_diag_splice(&l->d, &load);
			l->err = err;
			break;
		}
		if (!doc) {
			fb_diag_set(fb_diag_addf(&l->d, FB_SEV_WARNING, e->path, 0, 0,
						 "does not parse; skipped ('fieldbook validate %s/%s' "
						 "says why)",
						 e->type, e->id),
				    NULL, "yaml", NULL, NULL);
		} else if ((!q->where || query_eval(&l->x, q->where, doc->root)) &&
			   (!q->nterms || query_quick_match(&l->x, doc->root))) {
			if (l->x.expensive)
				l->err = FB_ELIMIT;
			else
				take_row(l, e, doc);
		} else if (l->x.expensive) {
			l->err = FB_ELIMIT;
		}
		fb_diag_release(&load);
		fb_doc_free(doc);
	}
	return NULL;
}

#define RECORDS_PER_THREAD 2000

static int run_lanes(struct fb_query *q, const struct fb_entries *es, struct fb_query_result *res,
		     struct fb_diag *d)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = q->o.threads ? q->o.threads : cpus > 0 ? (size_t)cpus : 1;
	struct fb_source *first = NULL;
	struct lane *lanes;
	size_t i, k, from = 0;
	int err = 0;

	if (n > 8)
		n = 8;
	if (n > es->n / RECORDS_PER_THREAD)
		n = es->n / RECORDS_PER_THREAD;
	if (n < 1)
		n = 1;
	if (n > 1 && fb_source_twin(&first, q->src) < 0)
		n = 1;
	lanes = fb_calloc(n, sizeof(*lanes));
	for (i = 0; i < n; i++) {
		struct lane *l = &lanes[i];
		size_t to = es->n * (i + 1) / n;
		l->q = q;
		l->src = n == 1 ? q->src : i == 0 ? first : NULL;
		if (n > 1 && i > 0)
			fb_source_twin(&l->src, q->src);
		l->v = es->v + from;
		l->n = to - from;
		l->x.q = q;
		l->x.c.show_confidential = q->o.show_confidential;
		from = to;
		if (n > 1)
			l->started = pthread_create(&l->tid, NULL, run_lane, l) == 0;
		if (!l->started)
			run_lane(l);
	}
	for (i = 0; i < n; i++) {
		struct lane *l = &lanes[i];
		if (l->started)
			pthread_join(l->tid, NULL);
		fb_diag_splice(d, &l->d);
		if (l->err && !err) {
			err = l->err;
			if (err == FB_ELIMIT)
				fb_diag_addf(d, FB_SEV_ERROR, "query", 0, 0,
					     "the pattern '%s' is too expensive to match (it backtracks "
					     "past the limit); simplify it",
					     l->x.expensive);
		}
		for (k = 0; k < l->nrows; k++) {
			FB_GROW(res->rows, res->n, res->matched);
			res->rows[res->n++] = l->rows[k];
		}
		free(l->rows);
		fb_arena_adopt(&res->arena, &l->arena);
		fb_buf_release(&l->scratch);
		fb_buf_release(&l->x.scratch);
		free(l->x.c.v);
		fb_buf_release(&l->x.c.json);
		if (n > 1)
			fb_source_free(l->src);
	}
	free(lanes);
	res->matched = res->n;
	return err;
}

/* ---- grouping, sorting ----------------------------------------------------------------- */

static const struct fb_qval *first_value(const struct fb_qcell *c)
{
	return c->n ? &c->v[0] : NULL;
}

struct sort_ctx {
	const struct fb_query *q;
	const struct fb_qrow *rows;
};

static _Thread_local const struct sort_ctx *sorting;

static int cmp_rows(const void *pa, const void *pb)
{
	const struct fb_query *q = sorting->q;
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb, k;
	const struct fb_qrow *a = &sorting->rows[ia], *b = &sorting->rows[ib];

	for (k = 0; k < q->nsort; k++) {
		size_t col = q->sort[k].col == SIZE_MAX ? q->ncols : q->sort[k].col;
		const struct fb_qval *va = first_value(&a->cells[col]), *vb = first_value(&b->cells[col]);
		int c;
		if (!va || !vb) {
			c = !va - !vb; /* missing last, whichever the direction */
			if (c)
				return c;
			continue;
		}
		c = fb_qval_cmp(va, vb, q->o.exact);
		if (c)
			return q->sort[k].desc ? -c : c;
	}
	return ia < ib ? -1 : ia > ib; /* stable */
}

static void sort_rows(struct fb_query *q, struct fb_query_result *res)
{
	struct sort_ctx ctx = {q, res->rows};
	size_t *idx = fb_malloc((res->n + 1) * sizeof(*idx)), i;
	struct fb_qrow *sorted = fb_malloc((res->n + 1) * sizeof(*sorted));

	for (i = 0; i < res->n; i++)
		idx[i] = i;
	sorting = &ctx;
	qsort(idx, res->n, sizeof(*idx), cmp_rows);
	sorting = NULL;
	for (i = 0; i < res->n; i++)
		sorted[i] = res->rows[idx[i]];
	free(res->rows);
	res->rows = sorted;
	free(idx);
}

static struct fb_qval *new_number(struct fb_arena *a, double v)
{
	struct fb_qval *q = fb_arena_calloc(a, sizeof(*q));
	char tmp[40];
	int n;
	if (v == floor(v) && fabs(v) < 1e15)
		n = snprintf(tmp, sizeof(tmp), "%.0f", v);
	else
		n = snprintf(tmp, sizeof(tmp), "%.6g", v);
	q->type = v == floor(v) ? FB_NODE_INT : FB_NODE_FLOAT;
	q->num = v;
	q->str = fb_arena_strndup(a, tmp, (size_t)n);
	q->len = (size_t)n;
	return q;
}

/* Rows become groups: one per value of the group path (a record may be in several). */
static void group_rows(struct fb_query *q, struct fb_query_result *res)
{
	struct fb_qrow *groups = NULL;
	size_t ngroups = 0, alloc = 0, i, g, k;
	bool exact = q->o.exact;
	struct fb_qval none = {FB_NODE_NULL, 0, 0, "", 0, 0};

	for (i = 0; i < res->n; i++) {
		const struct fb_qcell *gc = &res->rows[i].cells[q->ncols];
		uint32_t nv = gc->n ? gc->n : 1;
		uint32_t j;
		for (j = 0; j < nv; j++) {
			const struct fb_qval *gv = gc->n ? &gc->v[j] : &none;
			struct fb_qrow *gr = NULL;
			for (g = 0; g < ngroups; g++)
				if (fb_qval_cmp(groups[g].cells[0].v, gv, exact) == 0 &&
				    groups[g].cells[0].v->type == gv->type)
					gr = &groups[g];
			if (!gr) {
				FB_GROW(groups, ngroups, alloc);
				gr = &groups[ngroups++];
				memset(gr, 0, sizeof(*gr));
				gr->cells = fb_arena_calloc(&res->arena,
							    (q->ncols + 2) * sizeof(*gr->cells));
				gr->cells[0].v = fb_arena_calloc(&res->arena, sizeof(struct fb_qval));
				*gr->cells[0].v = *gv;
				gr->cells[0].n = gc->n ? 1 : 0;
				/* per aggregate: [0] count of values, [1] sum, [2] min idx, [3] max idx */
				gr->text = fb_arena_calloc(&res->arena, q->ncols * 4 * sizeof(double));
			}
			for (k = 0; k < q->ncols; k++) {
				double *acc = (double *)gr->text + k * 4;
				const struct fb_qcell *c = &res->rows[i].cells[k];
				uint32_t m;
				if (q->cols[k].agg == AGG_COUNT) {
					acc[0]++;
					continue;
				}
				for (m = 0; m < c->n; m++) {
					const struct fb_qval *v = &c->v[m];
					bool num = v->type == FB_NODE_INT || v->type == FB_NODE_FLOAT;
					if (v->masked || v->type == FB_NODE_NULL)
						continue;
					if ((q->cols[k].agg == AGG_SUM || q->cols[k].agg == AGG_AVG) && !num)
						continue;
					acc[0]++;
					acc[1] += v->num;
					/* min and max keep the value itself (typed comparison) */
					if (!gr->cells[k + 1].v) {
						gr->cells[k + 1].v = fb_arena_calloc(&res->arena, 2 * sizeof(*v));
						gr->cells[k + 1].v[0] = *v;
						gr->cells[k + 1].v[1] = *v;
					} else {
						if (fb_qval_cmp(v, &gr->cells[k + 1].v[0], exact) < 0)
							gr->cells[k + 1].v[0] = *v;
						if (fb_qval_cmp(v, &gr->cells[k + 1].v[1], exact) > 0)
							gr->cells[k + 1].v[1] = *v;
					}
				}
			}
		}
	}
	/* finish: column 0 is the group value, then each aggregate */
	for (g = 0; g < ngroups; g++) {
		struct fb_qrow *gr = &groups[g];
		struct fb_qcell *cells = fb_arena_calloc(&res->arena, (q->ncols + 1) * sizeof(*cells));
		double *accs = (double *)gr->text;
		cells[q->ncols] = gr->cells[0]; /* the group value where sorting looks for it */
		for (k = 0; k < q->ncols; k++) {
			double *acc = accs + k * 4;
			struct fb_qval *mm = gr->cells[k + 1].v;
			switch (q->cols[k].agg) {
			case AGG_COUNT:
				cells[k].v = new_number(&res->arena, acc[0]);
				cells[k].n = 1;
				break;
			case AGG_SUM:
				cells[k].v = new_number(&res->arena, acc[1]);
				cells[k].n = 1;
				break;
			case AGG_AVG:
				if (acc[0] > 0) {
					cells[k].v = new_number(&res->arena, acc[1] / acc[0]);
					cells[k].n = 1;
				}
				break;
			case AGG_MIN:
			case AGG_MAX:
				if (mm) {
					cells[k].v = &mm[q->cols[k].agg == AGG_MIN ? 0 : 1];
					cells[k].n = 1;
				}
				break;
			default:
				break;
			}
		}
		gr->cells = cells;
		gr->text = NULL;
	}
	free(res->rows);
	res->rows = groups;
	res->n = ngroups;
}

int fb_query_run(struct fb_query *q, struct fb_query_result *res, struct fb_diag *d)
{
	struct fb_entries es = {0};
	struct fb_diag quiet = FB_DIAG_INIT;
	size_t i;
	int err;

	memset(res, 0, sizeof(*res));
	fb_source_list(q->src, q->o.type, &es, &quiet); /* naming problems are validate's */
	fb_diag_release(&quiet);
	err = run_lanes(q, &es, res, d);
	fb_entries_release(&es);
	if (err)
		return err;
	if (q->grouped) {
		group_rows(q, res);
		if (!q->nsort) { /* groups in the order of their values */
			q->sort = fb_realloc(q->sort, sizeof(*q->sort));
			q->sort[0].col = SIZE_MAX;
			q->sort[0].desc = false;
			q->nsort = 1;
		}
	}
	res->matched = res->n;
	if (q->nsort)
		sort_rows(q, res);
	if (q->o.limit && res->n > q->o.limit)
		res->n = q->o.limit;
	res->ncols = q->nshown;
	res->colnames = fb_calloc(q->nshown + 1, sizeof(*res->colnames));
	for (i = 0; i < q->nshown; i++)
		res->colnames[i] = fb_strdup(i == 0 && q->grouped ? q->group.name : q->cols[i].name);
	if (q->grouped) {
		/* shown: the group value first, then the aggregates */
		for (i = 0; i < res->n; i++) {
			struct fb_qcell *cells = fb_arena_calloc(&res->arena,
								 (q->nshown + 1) * sizeof(*cells));
			size_t k;
			cells[0] = res->rows[i].cells[q->ncols];
			for (k = 1; k < q->nshown + 1 && k - 1 < q->ncols; k++)
				cells[k] = res->rows[i].cells[k - 1];
			res->rows[i].cells = cells;
		}
		free(res->colnames[0]);
		res->colnames = fb_realloc(res->colnames, (q->nshown + 2) * sizeof(*res->colnames));
		memmove(res->colnames + 1, res->colnames, q->nshown * sizeof(*res->colnames));
		res->colnames[0] = fb_strdup(q->group.name);
		res->colnames[1] = fb_strdup("count");
		res->ncols = q->nshown + 1;
	}
	return 0;
}

void fb_query_result_release(struct fb_query_result *res)
{
	size_t i;
	free(res->rows);
	for (i = 0; res->colnames && i < res->ncols; i++)
		free(res->colnames[i]);
	free(res->colnames);
	fb_arena_release(&res->arena);
	memset(res, 0, sizeof(*res));
}
