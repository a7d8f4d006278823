/*
 * fieldbook new TYPE [--id ID] [--set FIELD=VALUE]... [--no-edit] [--commit]
 * fieldbook edit TYPE/ID [--commit]
 *
 * Both go through one editing session, which never leaves an invalid
 * record behind:
 *   1. the text to edit goes to a private file (mode 0600, in a fresh
 *      mode-0700 folder under .git/fieldbook/edit), named ID.yaml so that
 *      editors know it is YAML;
 *   2. $VISUAL, else $EDITOR, else vi, runs on it through the shell, as git
 *      runs its editor; when stdin is not a terminal the editor's stdin is
 *      /dev/null, so an editor that wants a terminal stops instead of
 *      hanging;
 *   3. the saved text is checked as the record it will become: the whole
 *      record set is read with the new text laid over the record's path
 *      (fb_source_overlay), so references and unique values are checked
 *      against every other record;
 *   4. when it has errors they are shown and the user chooses: edit again,
 *      keep the text as a draft in .git/fieldbook/drafts, or discard it.
 *      Without a terminal on stdin there is no one to ask: the draft is
 *      kept and the command exits 1;
 *   5. a valid text replaces the record atomically (fb_repo_write_file)
 *      under the writer lock, and only if the file is still what it was
 *      when the session began (for new: still absent) -- otherwise the text
 *      is kept as a draft, so nothing typed is ever lost.
 *
 * `new` builds the first text from the schema: the id from x-id (the
 * highest number in use, plus one), required fields with their defaults,
 * a required date field set to today, --set values, and every field's title and description as guide lines
 * beginning "#|", which are removed on save (comments the user writes stay).
 * With --no-edit the text is put in the canonical layout (fmt.h); in the
 * editor empty fields stay empty (`name:`), ready to be typed after.  The
 * new file goes to the folder of the record with the highest id, so a type
 * kept in sub-folders (visits/1403/) grows where it last grew.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fieldbook/check.h>
#include <fieldbook/fmt.h>
#include <fieldbook/vcs.h>

#include "cli.h"

#define GUIDE "#|"

struct session {
	const char *type, *id;
	struct fb_buf idbuf;    /* the id, when the session chose it (new) */
	struct fb_buf path;     /* repository-relative path of the record */
	struct fb_buf original; /* the file as it was (edit) */
	struct fb_buf text;     /* what is being edited */
	const struct fb_schema *schema;
	bool is_new;
	bool auto_id; /* new chose the id from x-id: another may take it first */
	bool commit;
};

static bool next_id(const struct fb_schema *s, const struct fb_entries *es, const char *type,
		    struct fb_buf *id, struct fb_buf *folder);

/* ---- the text of a new record ------------------------------------------------------------ */

/* Append `text` as guide lines, wrapped at about 72 characters. */
static void add_guide(struct fb_buf *out, const char *prefix, const char *text)
{
	const char *p = text;
	size_t col = 0, start = out->len;

	fb_buf_puts(out, GUIDE " ");
	fb_buf_puts(out, prefix);
	col = strlen(prefix);
	while (*p) {
		size_t wlen = strcspn(p, " \n"), chars = 0, k;
		for (k = 0; k < wlen; k++)
			chars += ((unsigned char)p[k] & 0xc0) != 0x80;
		if (col && col + 1 + chars > 72) {
			fb_buf_puts(out, "\n" GUIDE "   ");
			col = 2;
		} else if (col && out->len > start + 3) {
			fb_buf_putc(out, ' ');
			col++;
		}
		fb_buf_add(out, p, wlen);
		col += chars;
		p += wlen;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	fb_buf_putc(out, '\n');
}

/*
 * A --set value as YAML text: a flow collection as written; a scalar plain
 * when YAML reads it back as the same string (and, for a string-only field,
 * as a string), else double-quoted.
 */
static int yaml_value(struct fb_ctx *ctx, const char *field, const char *v,
		      const struct fb_schema *prop, struct fb_buf *out)
{
	struct fb_diag d = FB_DIAG_INIT;
	struct fb_doc *doc = NULL;
	size_t len = strlen(v);
	bool plain = false;

	if (v[0] == '[' || v[0] == '{') {
		if (fb_doc_parse(&doc, "--set", v, len, FB_PARSE_ANY_ROOT, &d) < 0 || !doc->root) {
			fb_doc_free(doc);
			fb_diag_release(&d);
			bool secret = !ctx->show_confidential &&
				      fb_schema_reaches(prop, FB_X_CONFIDENTIAL);
			return cli_usage_error(ctx,
					       "--set %s=%s: not a YAML flow collection (e.g. [a, b] "
					       "or {key: value})",
					       field, secret ? "***" : v);
		}
		fb_doc_free(doc);
		fb_buf_add(out, v, len);
		return 0;
	}
	if (len && fb_doc_parse(&doc, "--set", v, len, FB_PARSE_ANY_ROOT, &d) == 0 && doc->root &&
	    fb_node_is_scalar(doc->root) && doc->root->style == FB_STYLE_PLAIN &&
	    doc->root->len == len && !memcmp(doc->root->str, v, len))
		plain = !(prop && fb_schema_only_string(prop) && doc->root->type != FB_NODE_STR);
	fb_doc_free(doc);
	fb_diag_release(&d);
	if (plain)
		fb_buf_add(out, v, len);
	else
		fb_buf_json_str(out, v, len);
	return 0;
}

/* A default value as YAML text. */
static void default_value(const struct fb_node *n, struct fb_buf *out)
{
	if (n->type == FB_NODE_STR && fb_scalar_resolve(n->str, n->len, NULL) == FB_NODE_STR &&
	    n->len && !strpbrk(n->str, ":#'\"[]{},&*!|>%@`\n") && n->str[0] != ' ' &&
	    n->str[0] != '-' && n->str[n->len - 1] != ' ')
		fb_buf_add(out, n->str, n->len);
	else
		fb_node_to_json(out, n, -1, NULL, NULL);
}

struct setting {
	const char *field; /* points into argv */
	const char *value;
};

static bool is_required(const struct fb_schema *s, const char *name)
{
	size_t i;
	for (i = 0; i < fb_schema_nrequired(s); i++)
		if (!strcmp(fb_schema_required(s, i), name))
			return true;
	return false;
}

/* The first text of a new record (guide lines when `guides`). */
static int new_text(struct fb_ctx *ctx, const struct fb_schema *s, struct session *ss,
		    const struct setting *set, size_t nset, bool guides, struct fb_buf *out)
{
	struct fb_buf optional = FB_BUF_INIT, label = FB_BUF_INIT;
	size_t i, k, np = fb_schema_nproperties(s);
	int status = 0;

	if (guides) {
		fb_buf_addf(out, GUIDE " New %s record %s/%s (%s)\n", ss->type, ss->type, ss->id,
			    ss->path.ptr);
		fb_buf_puts(out, GUIDE " Lines starting with \"" GUIDE "\" are guidance, removed when you "
				 "save;\n" GUIDE " your own # comments stay.  Empty the buffer to "
				 "cancel.\n");
		if (fb_schema_description(s))
			add_guide(out, "", fb_schema_description(s));
	}
	for (i = 0; i < np; i++) {
		const char *name = fb_schema_property_name(s, i);
		const struct fb_schema *prop = fb_schema_property(s, name, strlen(name));
		const struct fb_node *def = prop ? fb_schema_default(prop) : NULL;
		bool required = is_required(s, name), given = false, array;
		struct fb_buf *where;

		for (k = 0; k < nset; k++)
			given = given || !strcmp(set[k].field, name);
		where = required || given || !strcmp(name, "id") ? out : &optional;
		if (guides) {
			fb_buf_reset(&label);
			fb_buf_addf(&label, "%s%s%s%s:", name, fb_schema_title(prop) ? " — " : "",
				    fb_schema_title(prop) ? fb_schema_title(prop) : "",
				    required ? " (required)" : "");
			add_guide(where, label.ptr,
				  fb_schema_description(prop) ? fb_schema_description(prop) : "");
		}
		if (where == &optional)
			continue;
		fb_buf_addf(out, "%s:", name);
		array = prop && fb_schema_item(prop, 0);
		if (!strcmp(name, "id") && !given) {
			fb_buf_addf(out, " %s\n", ss->id);
		} else if (given) {
			size_t count = 0;
			for (k = 0; k < nset; k++)
				count += !strcmp(set[k].field, name);
			for (k = 0; k < nset && !status; k++) {
				if (strcmp(set[k].field, name))
					continue;
				if (array && set[k].value[0] != '[') {
					fb_buf_puts(out, "\n  - ");
					status = yaml_value(ctx, name, set[k].value,
							    fb_schema_item(prop, 0), out);
				} else if (count > 1) {
					status = cli_usage_error(ctx, "--set %s is given %zu times",
								 name, count);
				} else {
					fb_buf_putc(out, ' ');
					status = yaml_value(ctx, name, set[k].value, prop, out);
				}
			}
			fb_buf_putc(out, '\n');
		} else if (def) {
			fb_buf_putc(out, ' ');
			default_value(def, out);
			fb_buf_putc(out, '\n');
		} else if (prop && (fb_schema_xflags(prop) & FB_X_DATE)) {
			fb_buf_putc(out, ' '); /* a required date: today, most likely */
			fb_date_format(out, ctx->today, ctx->calendar);
			fb_buf_putc(out, '\n');
		} else {
			fb_buf_putc(out, '\n');
		}
	}
	if (guides && optional.len) {
		fb_buf_puts(out, GUIDE "\n" GUIDE " Optional fields (add the ones you need):\n");
		fb_buf_add(out, optional.ptr, optional.len);
	}
	fb_buf_release(&optional);
	fb_buf_release(&label);
	return status;
}

/* Put generated text in the canonical layout (left as it is if fmt declines). */
static void canonical(const struct fb_schema *s, const char *path, struct fb_buf *text)
{
	struct fb_diag d = FB_DIAG_INIT;
	struct fb_doc *doc = NULL;
	struct fb_buf out = FB_BUF_INIT;

	if (fb_record_parse(&doc, path, text->ptr, text->len, FB_PARSE_DEFAULT, s, &d) == 0) {
		if (fb_fmt_record(doc, s, &out, &d) == 0) {
			fb_buf_reset(text);
			fb_buf_add(text, out.ptr, out.len);
		}
	}
	fb_doc_free(doc);
	fb_diag_release(&d);
	fb_buf_release(&out);
}

static void strip_guides(struct fb_buf *text)
{
	struct fb_buf out = FB_BUF_INIT;
	const char *p = text->ptr, *end = text->ptr + text->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		if (strncmp(p, GUIDE, 2) != 0 || len < 2)
			fb_buf_add(&out, p, len);
		p += len;
	}
	fb_buf_reset(text);
	fb_buf_add(text, out.ptr, out.len);
	fb_buf_release(&out);
}

static bool blank(const struct fb_buf *b)
{
	size_t i;
	for (i = 0; i < b->len; i++)
		if (b->ptr[i] != ' ' && b->ptr[i] != '\n' && b->ptr[i] != '\t' && b->ptr[i] != '\r')
			return false;
	return true;
}

/* ---- the session ------------------------------------------------------------------------- */

/* Check `text` as record ss->path; problems go to ctx->diag.  0, EXIT_DATA or EXIT_ENV. */
static int check_text(struct fb_ctx *ctx, const struct session *ss, const struct fb_buf *text)
{
	struct fb_source *src = NULL;
	struct fb_check_target t = {ss->type, ss->id};
	struct fb_check_opts o = {ctx->show_confidential, ctx->threads, NULL};
	struct fb_check_stats st;
	size_t before = ctx->diag.errors;
	int err;

	fb_source_worktree(&src, ctx->repo);
	fb_source_overlay(src, ss->path.ptr, text->ptr, text->len);
	err = fb_check(src, &t, 1, &o, &st, &ctx->diag);
	fb_source_free(src);
	if (err < 0)
		return EXIT_ENV;
	return ctx->diag.errors > before ? EXIT_DATA : 0;
}

static int run_editor(struct fb_ctx *ctx, const char *file)
{
	const char *editor = getenv("VISUAL");
	void (*old_int)(int), (*old_quit)(int);
	int status;
	pid_t pid;

	if (!editor || !*editor)
		editor = getenv("EDITOR");
	if (!editor || !*editor) {
		if (!isatty(0))
			return cli_error(ctx, EXIT_ENV, "no terminal and no editor: set VISUAL or "
							"EDITOR%s",
					 strcmp(ctx->cmd->name, "new")
						 ? ""
						 : ", or give the fields with --set and --no-edit");
		editor = "vi";
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return cli_error(ctx, EXIT_ENV, "cannot start the editor: %s", strerror(errno));
	if (pid == 0) {
		struct fb_buf cmd = FB_BUF_INIT;
		if (!isatty(0)) {
			int fd = open("/dev/null", O_RDONLY);
			if (fd >= 0)
				dup2(fd, 0);
		}
		fb_buf_addf(&cmd, "%s \"$@\"", editor);
		execl("/bin/sh", "sh", "-c", cmd.ptr, editor, file, (char *)NULL);
		_exit(127);
	}
	/* like git: the editor gets ^C, we wait for it */
	old_int = signal(SIGINT, SIG_IGN);
	old_quit = signal(SIGQUIT, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	signal(SIGINT, old_int);
	signal(SIGQUIT, old_quit);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return cli_error(ctx, EXIT_ENV, "the editor '%s' failed (%s %d); nothing was written",
				 editor, WIFEXITED(status) ? "exit status" : "signal",
				 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 0;
}

/* Keep `text` as .git/fieldbook/drafts/TYPE-ID[-N].yaml and say where. */
static int keep_draft(struct fb_ctx *ctx, const struct session *ss, const struct fb_buf *text)
{
	struct fb_buf dir = FB_BUF_INIT, path = FB_BUF_INIT;
	int n, fd = -1, status = EXIT_DATA;

	if (fb_repo_private_dir(ctx->repo, "drafts", &dir, &ctx->diag) < 0) {
		cli_flush_diag(ctx);
		fb_buf_release(&dir);
		return EXIT_ENV;
	}
	for (n = 0; n < 1000 && fd < 0; n++) {
		fb_buf_reset(&path);
		fb_buf_addf(&path, "%s/%s-%s", dir.ptr, ss->type, ss->id);
		if (n)
			fb_buf_addf(&path, "-%d", n);
		fb_buf_puts(&path, ".yaml");
		fd = open(path.ptr, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd >= 0 && (fb_write_all(fd, text->ptr, text->len) < 0 || fsync(fd) < 0)) {
		int why = errno;
		close(fd); /* a full disk: no half draft is left behind */
		unlink(path.ptr);
		fd = -1;
		errno = why;
	}
	if (fd >= 0 && close(fd) < 0) {
		int why = errno;
		unlink(path.ptr);
		fd = -1;
		errno = why;
	}
	if (fd < 0) {
		status = cli_error(ctx, EXIT_ENV, "cannot keep the draft %s: %s; nothing was kept",
				   path.ptr, strerror(errno));
	} else {
		fprintf(stderr, "fieldbook: your text is kept as a draft: %s\n", path.ptr);
	}
	fb_buf_release(&dir);
	fb_buf_release(&path);
	return status;
}

enum choice { CHOICE_EDIT, CHOICE_DRAFT, CHOICE_DISCARD };

static enum choice ask(void)
{
	char line[64];
	for (;;) {
		fprintf(stderr, "What now? (e)dit again, keep as a (d)raft, or discard (x) [e]: ");
		fflush(stderr);
		if (!fgets(line, sizeof(line), stdin))
			return CHOICE_DRAFT;
		if (line[0] == '\n' || line[0] == 'e' || line[0] == 'E')
			return CHOICE_EDIT;
		if (line[0] == 'd' || line[0] == 'D')
			return CHOICE_DRAFT;
		if (line[0] == 'x' || line[0] == 'X')
			return CHOICE_DISCARD;
	}
}

/* The private buffer file: .git/fieldbook/edit/XXXXXX/ID.yaml, 0600. */
static int make_buffer(struct fb_ctx *ctx, const struct session *ss, struct fb_buf *file)
{
	struct fb_buf dir = FB_BUF_INIT;
	int fd, status = 0;

	if (fb_repo_private_dir(ctx->repo, "edit", &dir, &ctx->diag) < 0) {
		cli_flush_diag(ctx);
		fb_buf_release(&dir);
		return EXIT_ENV;
	}
	fb_buf_puts(&dir, "/XXXXXX");
	if (!mkdtemp(dir.ptr)) {
		status = cli_error(ctx, EXIT_ENV, "cannot make %s: %s", dir.ptr, strerror(errno));
		goto out;
	}
	fb_buf_reset(file);
	fb_buf_addf(file, "%s/%s.yaml", dir.ptr, ss->id);
	fd = open(file->ptr, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || fb_write_all(fd, ss->text.ptr, ss->text.len) < 0) {
		status = cli_error(ctx, EXIT_ENV, "cannot write %s: %s", file->ptr, strerror(errno));
		unlink(file->ptr);
		rmdir(dir.ptr);
	}
	if (fd >= 0)
		close(fd);
out:
	fb_buf_release(&dir);
	return status;
}

static void remove_buffer(const struct fb_buf *file)
{
	char *slash;
	unlink(file->ptr);
	slash = strrchr(file->ptr, '/');
	*slash = '\0';
	rmdir(file->ptr);
	*slash = '/';
}

/*
 * A draft kept of this record (the newest): on a terminal, offer to resume
 * it -- its text goes to `text` and its path is returned, to be removed once
 * saved; without one, say that it is there.  NULL: start from the record.
 */
static char *offer_draft(struct fb_ctx *ctx, const struct session *ss, struct fb_buf *text)
{
	struct fb_strvec drafts = {0};
	struct fb_buf stem = FB_BUF_INIT, when = FB_BUF_INIT;
	const char *newest = NULL;
	time_t newest_t = 0;
	char *resume = NULL, line[16];
	size_t i;

	fb_buf_addf(&stem, "%s-%s", ss->type, ss->id);
	fb_drafts_list(ctx->repo, stem.ptr, 0, &drafts);
	for (i = 0; i < drafts.n; i++) {
		struct stat st;
		if (stat(drafts.v[i], &st) == 0 && (!newest || st.st_mtime >= newest_t)) {
			newest = drafts.v[i];
			newest_t = st.st_mtime;
		}
	}
	if (!newest)
		goto out;
	{
		char buf[32];
		struct tm tm;
		localtime_r(&newest_t, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm);
		fb_buf_puts(&when, buf);
	}
	if (!isatty(0)) {
		fprintf(stderr, "fieldbook: note: a draft of %s/%s is kept (%s): %s; edit it on a "
				"terminal to resume it, or delete it\n",
			ss->type, ss->id, when.ptr, newest);
		goto out;
	}
	fprintf(stderr, "A draft of %s/%s is kept (%s): %s\nResume it? [y/N]: ", ss->type, ss->id,
		when.ptr, newest);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) && (line[0] == 'y' || line[0] == 'Y') &&
	    fb_buf_read_file(text, newest, 0) == 0)
		resume = fb_strdup(newest);
	else
		fb_buf_reset(text);
out:
	fb_strvec_release(&drafts);
	fb_buf_release(&stem);
	fb_buf_release(&when);
	return resume;
}

/*
 * The record's errors name the editor buffer, where the user saw those
 * lines (the record file does not exist yet, or still holds the old text).
 */
static void point_at_buffer(struct fb_ctx *ctx, const struct session *ss, const char *buffer)
{
	bool any = false;
	size_t i;
	for (i = 0; i < ctx->diag.n; i++) {
		struct fb_diag_entry *e = &ctx->diag.v[i];
		if (e->file && !strcmp(e->file, ss->path.ptr)) {
			free(e->file);
			e->file = fb_strdup(buffer);
			any = true;
		}
	}
	if (any)
		fprintf(stderr, "fieldbook: %s/%s is not saved; the errors are in the editor buffer, "
				"at the lines you saw:\n",
			ss->type, ss->id);
}

/*
 * Run the editor until the text is valid or the user gives up.  0 with
 * ss->text ready to write; EXIT_DATA when kept as a draft or discarded;
 * `*unchanged` when the user saved what they were given.
 */
static int edit_loop(struct fb_ctx *ctx, struct session *ss, bool *unchanged)
{
	struct fb_buf file = FB_BUF_INIT, saved = FB_BUF_INIT;
	int status;

	*unchanged = false;
	if ((status = make_buffer(ctx, ss, &file)))
		goto out;
	for (;;) {
		if ((status = run_editor(ctx, file.ptr))) {
			/* what was typed before the editor failed is kept */
			if (fb_buf_read_file(&saved, file.ptr, 0) == 0 &&
			    (saved.len != ss->text.len || memcmp(saved.ptr, ss->text.ptr, saved.len)))
				keep_draft(ctx, ss, &saved);
			break;
		}
		if (fb_buf_read_file(&saved, file.ptr, 0) < 0) {
			status = cli_error(ctx, EXIT_ENV, "cannot read back %s", file.ptr);
			break;
		}
		/* unchanged: edit's record as it is on disk (a resumed draft is a change) */
		if (ss->is_new ? saved.len == ss->text.len && !memcmp(saved.ptr, ss->text.ptr, saved.len)
			       : saved.len == ss->original.len &&
					 !memcmp(saved.ptr, ss->original.ptr, saved.len))
			*unchanged = true;
		fb_buf_reset(&ss->text);
		fb_buf_add(&ss->text, saved.ptr, saved.len);
		if (ss->is_new) {
			struct fb_buf data = FB_BUF_INIT;
			bool empty;
			fb_buf_add(&data, saved.ptr, saved.len);
			strip_guides(&data);
			empty = blank(&data);
			fb_buf_release(&data);
			if (empty) {
				fprintf(stderr, "fieldbook: empty buffer: no record was made\n");
				status = EXIT_DATA;
				break;
			}
		} else if (*unchanged) {
			break;
		}
		/* the guide lines are comments: line numbers match the buffer */
		status = check_text(ctx, ss, &ss->text);
		if (status != EXIT_DATA)
			break;
		point_at_buffer(ctx, ss, file.ptr);
		cli_flush_diag(ctx);
		if (!isatty(0)) {
			fprintf(stderr, "fieldbook: the record has errors and there is no terminal "
					"to ask what to do\n");
			status = keep_draft(ctx, ss, &ss->text);
			break;
		}
		switch (ask()) {
		case CHOICE_EDIT:
			*unchanged = false;
			continue;
		case CHOICE_DRAFT:
			status = keep_draft(ctx, ss, &ss->text);
			break;
		case CHOICE_DISCARD:
			fprintf(stderr, "fieldbook: discarded; nothing was written\n");
			break;
		}
		break;
	}
	remove_buffer(&file);
out:
	fb_buf_release(&file);
	fb_buf_release(&saved);
	return status;
}

/*
 * Under the writer lock: if another `new` took the id this one chose, take
 * the next free one instead (the `id:` line and the file name change).
 */
static int renumber(struct fb_ctx *ctx, struct session *ss)
{
	struct fb_source *src = NULL;
	struct fb_entries es = {0};
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_buf id = FB_BUF_INIT, folder = FB_BUF_INIT, line = FB_BUF_INIT;
	const char *at;
	int status = 0;

	fb_source_worktree(&src, ctx->repo);
	fb_source_list(src, ss->type, &es, &quiet);
	if (fb_entries_find(&es, ss->id) && next_id(ss->schema, &es, ss->type, &id, &folder)) {
		fb_buf_addf(&line, "id: %s\n", ss->id);
		at = strstr(ss->text.ptr, line.ptr);
		if (!at || (at != ss->text.ptr && at[-1] != '\n')) {
			status = cli_error(ctx, EXIT_DATA, "%s/%s was made meanwhile, and the id line "
							   "of your text is not 'id: %s'",
					   ss->type, ss->id, ss->id);
		} else {
			struct fb_buf text = FB_BUF_INIT;
			fb_buf_add(&text, ss->text.ptr, (size_t)(at - ss->text.ptr));
			fb_buf_addf(&text, "id: %s\n", id.ptr);
			fb_buf_puts(&text, at + line.len);
			fb_buf_reset(&ss->text);
			fb_buf_add(&ss->text, text.ptr, text.len);
			fb_buf_release(&text);
			fprintf(stderr, "fieldbook: %s/%s was made meanwhile; this record is %s/%s\n",
				ss->type, ss->id, ss->type, id.ptr);
			fb_buf_reset(&ss->idbuf);
			fb_buf_puts(&ss->idbuf, id.ptr);
			ss->id = ss->idbuf.ptr;
			fb_buf_reset(&ss->path);
			fb_buf_addf(&ss->path, "%s/%s.yaml", folder.ptr, ss->id);
		}
	}
	fb_entries_release(&es);
	fb_source_free(src);
	fb_diag_release(&quiet);
	fb_buf_release(&id);
	fb_buf_release(&folder);
	fb_buf_release(&line);
	return status;
}

/* Write the record if its file is still as the session found it; then --commit. */
static int save(struct fb_ctx *ctx, struct session *ss)
{
	struct fb_buf now = FB_BUF_INIT;
	struct fb_strvec targets = {0};
	struct fb_commit_opts co = {0};
	int status = 0, err;

	if (ss->is_new)
		strip_guides(&ss->text);
	if (fb_repo_lock(ctx->repo, 30000, &ctx->diag) < 0) {
		cli_flush_diag(ctx);
		keep_draft(ctx, ss, &ss->text);
		return EXIT_ENV;
	}
	if (ss->is_new && ss->auto_id && (status = renumber(ctx, ss))) {
		fb_repo_unlock(ctx->repo);
		keep_draft(ctx, ss, &ss->text);
		goto out;
	}
	err = fb_repo_read_file(ctx->repo, ss->path.ptr, &now, &ctx->diag);
	if (ss->is_new ? err != FB_ENOTFOUND
		       : err < 0 || now.len != ss->original.len ||
				 memcmp(now.ptr, ss->original.ptr, now.len)) {
		fb_repo_unlock(ctx->repo);
		cli_error(ctx, EXIT_DATA, "%s %s while you were editing; it was not overwritten",
			  ss->path.ptr, ss->is_new ? "was made" : "changed");
		status = keep_draft(ctx, ss, &ss->text);
		goto out;
	}
	err = fb_repo_write_file(ctx->repo, ss->path.ptr, ss->text.ptr, ss->text.len, &ctx->diag);
	fb_repo_unlock(ctx->repo);
	if (err) {
		cli_flush_diag(ctx);
		keep_draft(ctx, ss, &ss->text);
		status = cli_exit_code(err); /* 1: refused (a link), 3: the disk */
		goto out;
	}
	fprintf(stderr, "%s %s/%s (%s)\n", ss->is_new ? "made" : "saved", ss->type, ss->id,
		ss->path.ptr);
	if (ss->is_new)
		printf("%s/%s\n", ss->type, ss->id);
	if (ss->commit) {
		fb_strvec_push(&targets, ss->path.ptr);
		co.targets = &targets;
		status = cli_commit_paths(ctx, &co, true);
	}
out:
	fb_strvec_release(&targets);
	fb_buf_release(&now);
	return status;
}

static void session_release(struct session *ss)
{
	fb_buf_release(&ss->idbuf);
	fb_buf_release(&ss->path);
	fb_buf_release(&ss->original);
	fb_buf_release(&ss->text);
}

/* ---- new ------------------------------------------------------------------------------- */

/*
 * The folder a new record of the type goes to and, when the schema has
 * x-id, the next id (false without x-id).
 */
static bool next_id(const struct fb_schema *s, const struct fb_entries *es, const char *type,
		    struct fb_buf *id, struct fb_buf *folder)
{
	const char *prefix = "", *slash;
	unsigned long long max = 0, n;
	const struct fb_entry *last = NULL;
	int digits = 0;
	bool xid = fb_schema_xid(s, &prefix, &digits);
	size_t i, plen = strlen(prefix);

	for (i = 0; i < es->n; i++) {
		const char *rest = es->v[i].id + plen;
		/* ids of the prefix and digits (no more than 18: no overflow) */
		if (strncmp(es->v[i].id, prefix, plen) || !*rest || strlen(rest) > 18 ||
		    strspn(rest, "0123456789") != strlen(rest))
			continue;
		n = strtoull(rest, NULL, 10);
		if (!last || n > max) {
			max = n;
			last = &es->v[i];
		}
	}
	if (!last && es->n)
		last = &es->v[es->n - 1];
	if (last && (slash = strrchr(last->path, '/')))
		fb_buf_add(folder, last->path, (size_t)(slash - last->path));
	else
		fb_buf_addf(folder, "records/%s", type);
	if (xid)
		fb_buf_addf(id, "%s%0*llu", prefix, digits, max + 1);
	return xid;
}

int cmd_new(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {
		{"id", required_argument, NULL, 'i'},
		{"set", required_argument, NULL, 's'},
		{"no-edit", no_argument, NULL, 'n'},
		{"commit", no_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	struct session ss = {0};
	struct setting *set = fb_calloc((size_t)argc + 1, sizeof(*set));
	struct fb_source *src = NULL;
	struct fb_schemas *schemas = NULL;
	struct fb_entries es = {0};
	struct fb_buf folder = FB_BUF_INIT;
	const struct fb_schema *s;
	struct cli_getopt g;
	const char *given_id = NULL;
	bool no_edit = false, unchanged;
	size_t nset = 0, i;
	int opt, status = EXIT_OK;

	cli_getopt_init(&g, ctx, argc, argv, "", opts);
	while ((opt = cli_getopt_next(&g)) != -1) {
		if (opt == 'i') {
			given_id = optarg;
		} else if (opt == 's') {
			char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg) {
				status = cli_usage_error(ctx, "--set wants FIELD=VALUE, not '%s'",
							 optarg);
				goto out;
			}
			*eq = '\0';
			set[nset].field = optarg[0] == '/' ? optarg + 1 : optarg;
			set[nset++].value = eq + 1;
		} else if (opt == 'n') {
			no_edit = true;
		} else if (opt == 'c') {
			ss.commit = true;
		} else {
			status = g.status;
			goto out;
		}
	}
	if (argc - g.optind != 1) {
		status = cli_usage_error(ctx, "new takes one TYPE");
		goto out;
	}
	ss.type = argv[g.optind];
	ss.is_new = true;
	if ((status = cli_source(ctx, NULL, &src)) || (status = cli_check_type(ctx, src, ss.type)))
		goto out;
	if (fb_schemas_load(&schemas, src, &ctx->diag) < 0 ||
	    !(s = fb_schemas_type(schemas, ss.type))) {
		cli_flush_diag(ctx);
		status = cli_error(ctx, EXIT_DATA, "the schemas have errors; fix them first "
						   "(fieldbook validate)");
		goto out;
	}
	fb_diag_release(&ctx->diag);
	fb_source_list(src, ss.type, &es, &ctx->diag);
	fb_diag_release(&ctx->diag);
	for (i = 0; i < nset; i++) {
		const char *f = set[i].field;
		if (strchr(f, '.') || strchr(f, '/')) {
			status = cli_usage_error(ctx, "--set %s: give a top-level field; nested "
						      "values as YAML flow, e.g. --set "
						      "'follow_ups=[{action: call, due: 1404/01/15, "
						      "status: open}]'",
						 f);
			goto out;
		}
		if (!fb_schema_property(s, f, strlen(f)) || !strcmp(f, "id")) {
			status = cli_usage_error(ctx, "%s has no field '%s' that --set can set%s",
						 ss.type, f, !strcmp(f, "id") ? " (use --id)" : "");
			goto out;
		}
	}
	if (given_id) {
		if (!fb_id_valid(given_id)) {
			status = cli_usage_error(ctx, "bad id '%s': lower-case letters, digits, '.', "
						      "'_' and '-', starting with a letter or digit",
						 given_id);
			goto out;
		}
		if (fb_entries_find(&es, given_id)) {
			status = cli_usage_error(ctx, "%s/%s exists already (fieldbook edit %s/%s)",
						 ss.type, given_id, ss.type, given_id);
			goto out;
		}
		struct fb_buf unused = FB_BUF_INIT;
		fb_buf_puts(&ss.idbuf, given_id);
		next_id(s, &es, ss.type, &unused, &folder); /* for the folder */
		fb_buf_release(&unused);
	} else if (!next_id(s, &es, ss.type, &ss.idbuf, &folder)) {
		status = cli_usage_error(ctx, "schemas/%s.yaml has no x-id, so fieldbook cannot "
					      "number new records: give one with --id",
					 ss.type);
		goto out;
	}
	ss.id = ss.idbuf.ptr;
	ss.schema = s;
	ss.auto_id = !given_id;
	fb_buf_addf(&ss.path, "%s/%s.yaml", folder.ptr, ss.id);
	if ((status = new_text(ctx, s, &ss, set, nset, !no_edit, &ss.text)))
		goto out;
	if (no_edit) {
		canonical(s, ss.path.ptr, &ss.text);
		if ((status = check_text(ctx, &ss, &ss.text))) {
			cli_flush_diag(ctx);
			fprintf(stderr, "fieldbook: %s/%s was not made\n", ss.type, ss.id);
			goto out;
		}
	} else if ((status = edit_loop(ctx, &ss, &unchanged))) {
		goto out;
	}
	status = save(ctx, &ss);
out:
	cli_flush_diag(ctx);
	cli_getopt_release(&g);
	fb_entries_release(&es);
	fb_schemas_free(schemas);
	fb_source_free(src);
	fb_buf_release(&folder);
	session_release(&ss);
	free(set);
	return status;
}

/* ---- edit -------------------------------------------------------------------------------- */

int cmd_edit(int argc, char **argv, struct fb_ctx *ctx)
{
	static const struct option opts[] = {
		{"commit", no_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	struct session ss = {0};
	struct cli_getopt g;
	char *type = NULL, *id = NULL, *resume = NULL;
	bool unchanged;
	int opt, status = EXIT_OK, err;

	cli_getopt_init(&g, ctx, argc, argv, "", opts);
	while ((opt = cli_getopt_next(&g)) != -1) {
		if (opt == 'c') {
			ss.commit = true;
		} else {
			status = g.status;
			goto out;
		}
	}
	if ((status = cli_record_arg(ctx, argc, argv, g.optind, &type, &id, &ss.path)))
		goto out;
	ss.type = type;
	ss.id = id;
	if ((err = fb_repo_read_file(ctx->repo, ss.path.ptr, &ss.original, &ctx->diag)) < 0) {
		status = err == FB_ENOTFOUND
				 ? cli_error(ctx, EXIT_DATA, "%s/%s: no such record", type, id)
				 : EXIT_ENV;
		goto out;
	}
	resume = offer_draft(ctx, &ss, &ss.text);
	if (!resume)
		fb_buf_add(&ss.text, ss.original.ptr, ss.original.len);
	if ((status = edit_loop(ctx, &ss, &unchanged)))
		goto out;
	if (unchanged) {
		fprintf(stderr, "fieldbook: no changes to %s/%s\n", type, id);
		goto out;
	}
	status = save(ctx, &ss);
	if (!status && resume) {
		unlink(resume); /* resumed and saved: the draft has done its work */
		fprintf(stderr, "fieldbook: the draft %s is saved and removed\n", resume);
	}
out:
	free(resume);
	cli_flush_diag(ctx);
	cli_getopt_release(&g);
	session_release(&ss);
	free(type);
	free(id);
	return status;
}
