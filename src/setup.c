/*
 * Setting a repository up: `init` (a git repository with fieldbook's files)
 * and the git hooks (see setup.h).
 *
 * init writes nothing until it knows it can write everything: a file that
 * exists already is never overwritten, and if there is one the whole init
 * stops before its first write.  The very same file is not in the way, so
 * an init that stopped (no identity to commit as) can simply be run again.  Each file is written atomically
 * (fb_file_replace), so a crash leaves whole files only.
 *
 * A hook is a small shell script that executes fieldbook by the absolute
 * path given at install time and falls back to `fieldbook` on PATH when that
 * binary is gone.  Its second line is a marker: a hook with the marker is
 * ours and is rewritten by a new install; any other hook is the user's and
 * is left alone -- fine if it runs `fieldbook hook NAME` itself, else an
 * error says which line to add.  The
 * hooks folder is core.hooksPath when set (relative to the work tree, as
 * git reads it), else the git folder's hooks/.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fieldbook/setup.h>
#include <fieldbook/vcs.h>

#include "repo_int.h"

#define HOOK_MARKER "# fieldbook hook: installed by `fieldbook hook install`; run it again to update"

static const char *const hook_names[] = {"pre-commit", "pre-receive"};

int fb_setup_init(const char *dir, const struct fb_file *files, size_t n, bool *wrote,
		 struct fb_diag *d)
{
	git_repository *git = NULL;
	struct fb_buf abs = FB_BUF_INIT, have = FB_BUF_INIT;
	struct stat st;
	size_t i, before = d->errors;
	int err = 0;

	git_libgit2_init();
	if (git_repository_open_ext(&git, dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) == 0) {
		if (git_repository_is_bare(git)) {
			fb_diag_addf(d, FB_SEV_ERROR, dir, 0, 0,
				     "a bare repository has no work tree for records: init a "
				     "clone, then push");
			err = FB_EINVALID;
			goto out;
		}
	} else {
		git_repository_init_options o;
		git_repository_init_options_init(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
		o.flags = GIT_REPOSITORY_INIT_MKPATH;
		if (git_repository_init_ext(&git, dir, &o) < 0) {
			fb_git_diag(d, "cannot make the git repository");
			err = FB_EIO;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		wrote[i] = true;
		fb_buf_reset(&abs);
		fb_buf_addf(&abs, "%s%s", git_repository_workdir(git), files[i].path);
		if (lstat(abs.ptr, &st) < 0)
			continue;
		/* the very same file (an init run again) is not in the way */
		fb_buf_reset(&have);
		if (S_ISREG(st.st_mode) && fb_buf_read_file(&have, abs.ptr, 0) == 0 &&
		    have.len == files[i].len && !memcmp(have.ptr, files[i].data, have.len)) {
			wrote[i] = false;
			continue;
		}
		fb_diag_set(fb_diag_addf(d, FB_SEV_ERROR, files[i].path, 0, 0,
					 "exists already; init would have written %zu bytes here "
					 "and overwrites nothing",
					 files[i].len),
			    NULL, "exists", NULL, NULL);
	}
	if (d->errors > before) {
		err = FB_EEXISTS;
		goto out;
	}
	for (i = 0; i < n && !err; i++) {
		if (!wrote[i])
			continue;
		fb_buf_reset(&abs);
		fb_buf_addf(&abs, "%s%s", git_repository_workdir(git), files[i].path);
		err = fb_file_replace(abs.ptr, files[i].data, files[i].len, 0644, files[i].path, d);
	}
out:
	git_repository_free(git);
	git_libgit2_shutdown();
	fb_buf_release(&abs);
	fb_buf_release(&have);
	return err;
}

/* The hooks folder: core.hooksPath, else GITDIR/hooks. */
static int hooks_dir(struct fb_repo *r, struct fb_buf *out, struct fb_diag *d)
{
	git_repository *git = fb_repo_git(r, d);
	git_config *cfg = NULL;
	git_buf b = {0};

	if (!git)
		return FB_EIO;
	fb_buf_reset(out);
	if (git_repository_config_snapshot(&cfg, git) == 0 &&
	    git_config_get_path(&b, cfg, "core.hooksPath") == 0 && b.size) {
		if (b.ptr[0] != '/')
			fb_buf_addf(out, "%s/", fb_repo_root(r));
		fb_buf_puts(out, b.ptr);
	} else {
		fb_buf_addf(out, "%s/hooks", fb_repo_git_dir(r, d));
	}
	git_buf_dispose(&b);
	git_config_free(cfg);
	while (out->len > 1 && out->ptr[out->len - 1] == '/')
		fb_buf_setlen(out, out->len - 1);
	return 0;
}

/* Whether the hook at `path` is fieldbook's, or a user's hook that runs it ("fieldbook hook NAME"). */
static bool runs_ours(const char *path, const char *name, bool *marked)
{
	struct fb_buf text = FB_BUF_INIT, call = FB_BUF_INIT;
	bool ours = false;

	*marked = false;
	if (fb_buf_read_file(&text, path, 0) == 0) {
		fb_buf_addf(&call, "hook %s", name);
		*marked = strstr(text.ptr, HOOK_MARKER) != NULL;
		ours = *marked || (strstr(text.ptr, "fieldbook") && strstr(text.ptr, call.ptr));
	}
	fb_buf_release(&text);
	fb_buf_release(&call);
	return ours;
}

/* A path as a single-quoted shell word. */
static void shell_quote(struct fb_buf *out, const char *s)
{
	fb_buf_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			fb_buf_puts(out, "'\\''");
		else
			fb_buf_putc(out, *s);
	}
	fb_buf_putc(out, '\'');
}

int fb_setup_hooks_install(struct fb_repo *r, const char *program, struct fb_strvec *written,
		     struct fb_diag *d)
{
	struct fb_buf dir = FB_BUF_INIT, path = FB_BUF_INIT, script = FB_BUF_INIT;
	size_t i, before = d->errors;
	bool unwritable = false;
	int err;

	if ((err = hooks_dir(r, &dir, d)) < 0)
		goto out;
	for (i = 0; i < FB_ARRAY_SIZE(hook_names); i++) {
		fb_buf_reset(&path);
		fb_buf_addf(&path, "%s/%s", dir.ptr, hook_names[i]);
		bool marked;
		if (access(path.ptr, F_OK) == 0 && !runs_ours(path.ptr, hook_names[i], &marked)) {
			fb_buf_reset(&script);
			shell_quote(&script, program);
			fb_diag_addf(d, FB_SEV_ERROR, path.ptr, 0, 0,
				     "a %s hook exists and is not fieldbook's; it is left as it "
				     "is: add the line  %s hook %s || exit 1  to it%s",
				     hook_names[i], script.ptr, hook_names[i],
				     i == 1 ? " (it reads the same standard input: save it first "
					      "and feed it to both)"
					    : "");
			continue;
		}
		if (access(path.ptr, F_OK) == 0 && !marked)
			continue; /* the user's own hook, which runs ours */
		fb_buf_reset(&script);
		fb_buf_puts(&script, "#!/bin/sh\n" HOOK_MARKER "\nfb=");
		shell_quote(&script, program);
		fb_buf_addf(&script, "\n[ -x \"$fb\" ] || fb=fieldbook\nexec \"$fb\" hook %s \"$@\"\n",
			    hook_names[i]);
		if (fb_file_replace(path.ptr, script.ptr, script.len, 0755, path.ptr, d) < 0)
			unwritable = true;
		else if (written)
			fb_strvec_push(written, path.ptr);
	}
	/* a file system that refuses the write is the environment's (SPEC §7) */
	err = unwritable ? FB_EIO : d->errors > before ? FB_EINVALID : 0;
out:
	fb_buf_release(&dir);
	fb_buf_release(&path);
	fb_buf_release(&script);
	return err;
}

bool fb_setup_hooks_installed(struct fb_repo *r)
{
	struct fb_diag quiet = FB_DIAG_INIT;
	struct fb_buf path = FB_BUF_INIT;
	bool ok = hooks_dir(r, &path, &quiet) == 0;

	if (ok) {
		const char *name = hook_names[fb_repo_is_bare(r) ? 1 : 0];
		bool marked;
		fb_buf_addf(&path, "/%s", name);
		ok = runs_ours(path.ptr, name, &marked) && access(path.ptr, X_OK) == 0;
	}
	fb_diag_release(&quiet);
	fb_buf_release(&path);
	return ok;
}

/* ---- the merge driver ------------------------------------------------------------------- */

/* Whether `text` has the attributes line as one of its lines. */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;
	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0' || p[n] == '\r'))
			return true;
		p += n;
	}
	return false;
}

int fb_setup_merge_driver_install(struct fb_repo *r, const char *program, bool *wrote_attributes,
				  struct fb_diag *d)
{
	git_repository *git = fb_repo_git(r, d);
	git_config *cfg = NULL;
	struct fb_buf cmd = FB_BUF_INIT, attrs = FB_BUF_INIT;
	int err = 0;

	*wrote_attributes = false;
	if (!git)
		return FB_EIO;
	if (fb_repo_is_bare(r))
		return 0;
	shell_quote(&cmd, program);
	fb_buf_puts(&cmd, " merge-driver %O %A %B %P");
	if (git_repository_config(&cfg, git) < 0 ||
	    git_config_set_string(cfg, "merge.fieldbook.name",
				  "fieldbook: records merged field by field") < 0 ||
	    git_config_set_string(cfg, "merge.fieldbook.driver", cmd.ptr) < 0) {
		fb_git_diag(d, "cannot register the merge driver in .git/config");
		err = FB_EIO;
	}
	git_config_free(cfg);
	if (!err) {
		int rc = fb_repo_read_file(r, ".gitattributes", &attrs, d);
		if (rc < 0 && rc != FB_ENOTFOUND) {
			err = rc;
		} else if (!has_line(attrs.ptr ? attrs.ptr : "", FB_SETUP_ATTRIBUTES)) {
			if (attrs.len && attrs.ptr[attrs.len - 1] != '\n')
				fb_buf_putc(&attrs, '\n');
			fb_buf_puts(&attrs, "# fieldbook merges records field by field "
					    "(fieldbook merge-driver)\n" FB_SETUP_ATTRIBUTES "\n");
			err = fb_repo_write_file(r, ".gitattributes", attrs.ptr, attrs.len, d);
			*wrote_attributes = err == 0;
		}
	}
	fb_buf_release(&cmd);
	fb_buf_release(&attrs);
	return err;
}

bool fb_setup_merge_driver_installed(struct fb_repo *r)
{
	struct fb_diag quiet = FB_DIAG_INIT;
	git_repository *git = fb_repo_git(r, &quiet);
	git_config *cfg = NULL;
	git_buf b = {0};
	bool ok = git && fb_repo_is_bare(r);

	if (git && !ok && git_repository_config_snapshot(&cfg, git) == 0 &&
	    git_config_get_string_buf(&b, cfg, "merge.fieldbook.driver") == 0)
		ok = strstr(b.ptr, " merge-driver ") != NULL;
	git_buf_dispose(&b);
	git_config_free(cfg);
	fb_diag_release(&quiet);
	return ok;
}
