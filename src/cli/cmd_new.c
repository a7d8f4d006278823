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
 * `new` starts from the text template.h builds from the schema (the next
 * id, required fields, defaults, today, --set values, "#|" guide lines);
 * with --no-edit that text is put in the canonical layout and checked at
 * once, without an editor.
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
#include <fieldbook/template.h>
#include <fieldbook/vcs.h>

#include "cli.h"

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
			fb_template_strip_guides(&data);
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
	if (fb_entries_find(&es, ss->id) && fb_template_next_id(ss->schema, &es, ss->type, &id, &folder)) {
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
		fb_template_strip_guides(&ss->text);
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
	struct fb_template_set *set = fb_calloc((size_t)argc + 1, sizeof(*set));
	struct fb_template t = {0};
	struct fb_source *src = NULL;
	struct fb_schemas *schemas = NULL;
	struct fb_entries es = {0};
	struct fb_buf folder = FB_BUF_INIT;
	const struct fb_schema *s;
	struct cli_getopt g;
	const char *given_id = NULL;
	bool no_edit = false, unchanged;
	size_t nset = 0;
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
	if (fb_template_check_sets(s, ss.type, set, nset, &ctx->diag) < 0) {
		status = cli_usage_flush(ctx);
		goto out;
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
		fb_template_next_id(s, &es, ss.type, &unused, &folder); /* for the folder */
		fb_buf_release(&unused);
	} else if (!fb_template_next_id(s, &es, ss.type, &ss.idbuf, &folder)) {
		status = cli_usage_error(ctx, "schemas/%s.yaml has no x-id, so fieldbook cannot "
					      "number new records: give one with --id",
					 ss.type);
		goto out;
	}
	ss.id = ss.idbuf.ptr;
	ss.schema = s;
	ss.auto_id = !given_id;
	fb_buf_addf(&ss.path, "%s/%s.yaml", folder.ptr, ss.id);
	t.schema = s;
	t.type = ss.type;
	t.id = ss.id;
	t.path = ss.path.ptr;
	t.sets = set;
	t.nsets = nset;
	t.today = ctx->today;
	t.calendar = ctx->calendar;
	t.guides = !no_edit;
	t.show_confidential = ctx->show_confidential;
	if (fb_template_text(&t, &ss.text, &ctx->diag) < 0) {
		status = cli_usage_flush(ctx);
		goto out;
	}
	if (no_edit) {
		fb_template_canonical(s, ss.path.ptr, &ss.text);
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
