/*
 * Version control (see vcs.h): identities, the writer lock and the private
 * folder, running a signer, signatures, and the hooks' checks.  Making a
 * commit -- what changed, its message, the steps that write it -- is in
 * vcs_commit.c.
 */
#include "vcs_int.h"

/* ---- identities ----------------------------------------------------------------- */

void fb_ident_release(struct fb_ident *id)
{
	free(id->name);
	free(id->email);
	memset(id, 0, sizeof(*id));
}

/* "+0330", "-0500", "+03:30", "Z": minutes east of UTC; false unless a real offset. */
static bool parse_offset(const char *s, int *offset, const char **end)
{
	int hh, mm, sign;
	if (*s == 'Z') {
		*offset = 0;
		*end = s + 1;
		return true;
	}
	if (*s != '+' && *s != '-')
		return false;
	sign = *s == '-' ? -1 : 1;
	s++;
	if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9'))
		return false;
	hh = (s[0] - '0') * 10 + s[1] - '0';
	s += 2 + (*s && s[2] == ':');
	if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9'))
		return false;
	mm = (s[0] - '0') * 10 + s[1] - '0';
	if (hh > 14 || mm > 59)
		return false;
	*offset = sign * (hh * 60 + mm);
	*end = s + 2;
	return true;
}

/*
 * A date as git takes it in GIT_AUTHOR_DATE / GIT_COMMITTER_DATE:
 * "@1700000000 +0330", "1700000000 +0330", ISO 8601 ("2024-08-02T10:00:00+03:30",
 * a space for the T, "Z") or RFC 2822 ("Fri, 2 Aug 2024 10:00:00 +0330").
 * Anything else is false: git refuses it too.
 */
static bool parse_git_date(const char *s, int64_t *t, int *offset)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int y, mo, d, h, mi, sec, n = 0;
	char mon[4] = "";
	const char *end;

	while (*s == ' ')
		s++;
	if (*s == '@' || (*s >= '0' && *s <= '9' && strspn(s, "0123456789") >= 9 &&
			  (s[strspn(s, "0123456789")] == ' ' || !s[strspn(s, "0123456789")]))) {
		char *e;
		long long secs;
		s += *s == '@';
		secs = strtoll(s, &e, 10);
		if (e == s)
			return false;
		while (*e == ' ')
			e++;
		*offset = 0;
		if (*e && (!parse_offset(e, offset, &end) || *end))
			return false;
		*t = secs;
		return true;
	}
	if (sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6 && n) {
		s += n;
		while (*s == ' ')
			s++;
	} else {
		/* RFC 2822, the weekday optional */
		const char *comma = strchr(s, ',');
		if (comma)
			s = comma + 1;
		if (sscanf(s, " %2d %3s %4d %2d:%2d:%2d %n", &d, mon, &y, &h, &mi, &sec, &n) != 6 ||
		    !n || strlen(mon) != 3 || !strstr(months, mon) || (strstr(months, mon) - months) % 3)
			return false;
		mo = (int)(strstr(months, mon) - months) / 3 + 1;
		s += n;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
	    !parse_offset(s, offset, &end) || *end)
		return false;
	*t = (int64_t)fb_gregorian_to_day(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	     (int64_t)*offset * 60;
	return true;
}

char *vcs_config_string(git_config *cfg, const char *key)
{
	git_buf b = {0};
	char *s = NULL;
	if (cfg && git_config_get_string_buf(&b, cfg, key) == 0)
		s = fb_strdup(b.ptr);
	git_buf_dispose(&b);
	return s;
}

/* Minutes east of UTC of the local time zone at `t` (struct tm has no offset in POSIX). */
static int local_offset(time_t t)
{
	struct tm lt, gt;
	int days;
	localtime_r(&t, &lt);
	gmtime_r(&t, &gt);
	days = lt.tm_yday - gt.tm_yday;
	if (days > 1 || days < -1) /* across a year's end */
		days = days > 0 ? -1 : 1;
	return days * 1440 + (lt.tm_hour - gt.tm_hour) * 60 + (lt.tm_min - gt.tm_min);
}

/* GIT_<WHO>_NAME/EMAIL/DATE into `id` (what is not set yet); FB_EUSAGE for a date git would refuse. */
static int from_env(const char *who, struct fb_ident *id, struct fb_diag *d)
{
	char key[40];
	const char *name, *email, *date;
	snprintf(key, sizeof(key), "GIT_%s_NAME", who);
	name = getenv(key);
	snprintf(key, sizeof(key), "GIT_%s_EMAIL", who);
	email = getenv(key);
	snprintf(key, sizeof(key), "GIT_%s_DATE", who);
	date = getenv(key);
	if (date && *date && !parse_git_date(date, &id->time, &id->offset)) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "%s='%s' is not a date: use @SECONDS +HHMM, ISO 8601 "
			     "(2024-08-02T10:00:00+03:30) or RFC 2822, as git does",
			     key, date);
		return FB_EUSAGE;
	}
	if (name && *name && !id->name)
		id->name = fb_strdup(name);
	if (email && *email && !id->email)
		id->email = fb_strdup(email);
	return 0;
}

static int parse_author_arg(const char *arg, struct fb_ident *id)
{
	const char *lt = strchr(arg, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	size_t n;
	if (!lt || !gt || gt[1] != '\0' || gt == lt + 1)
		return -1;
	n = (size_t)(lt - arg);
	while (n && arg[n - 1] == ' ')
		n--;
	if (!n)
		return -1;
	id->name = fb_strndup(arg, n);
	id->email = fb_strndup(lt + 1, (size_t)(gt - lt - 1));
	return 0;
}

int fb_ident_resolve(struct fb_repo *r, const char *author_arg, struct fb_ident *author,
		     struct fb_ident *committer, struct fb_diag *d)
{
	git_repository *git = fb_repo_git(r, d);
	git_config *cfg = NULL;
	char *cname = NULL, *cemail = NULL;
	time_t now = time(NULL);
	int err = FB_EIO;

	memset(author, 0, sizeof(*author));
	memset(committer, 0, sizeof(*committer));
	author->time = committer->time = now;
	author->offset = committer->offset = local_offset(now);
	if (git)
		git_repository_config_snapshot(&cfg, git);
	cname = vcs_config_string(cfg, "user.name");
	cemail = vcs_config_string(cfg, "user.email");
	git_config_free(cfg);

	if (author_arg && parse_author_arg(author_arg, author) < 0) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "--author takes \"NAME <EMAIL>\", not '%s'", author_arg);
		err = FB_EUSAGE;
		goto fail;
	}
	if (from_env("AUTHOR", author, d) < 0 || from_env("COMMITTER", committer, d) < 0) {
		err = FB_EUSAGE;
		goto fail;
	}
	if (!author->name && cname)
		author->name = fb_strdup(cname);
	if (!author->email && cemail)
		author->email = fb_strdup(cemail);
	if (!committer->name)
		committer->name = fb_strdup(cname ? cname : author->name ? author->name : "");
	if (!committer->email)
		committer->email = fb_strdup(cemail ? cemail : author->email ? author->email : "");
	if (!author->name || !author->email || !*committer->name || !*committer->email) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "who is committing? Tell git: git config user.name \"Your Name\"; git "
			     "config user.email you@example.org (or use --author \"NAME <EMAIL>\")");
		goto fail;
	}
	free(cname);
	free(cemail);
	return 0;
fail:
	free(cname);
	free(cemail);
	fb_ident_release(author);
	fb_ident_release(committer);
	return err;
}

/* ---- running a signer ------------------------------------------------------------------ */

/*
 * Run argv with `input` on its stdin; collect stdout and stderr.  Returns
 * the exit status (-1 when it could not run).  poll() keeps the pipes moving
 * whichever fills first.
 */
int vcs_run_program(char *const argv[], const char *input, size_t inlen, struct fb_buf *out,
		       struct fb_buf *err)
{
	int in[2] = {-1, -1}, o[2] = {-1, -1}, e[2] = {-1, -1}, status, i;
	int *fds[] = {in, o, e};
	size_t written = 0;
	posix_spawn_file_actions_t fa;
	void (*old_pipe)(int);
	pid_t pid;
	int rc;

	if (pipe(in) < 0 || pipe(o) < 0 || pipe(e) < 0) {
		for (i = 0; i < 3; i++)
			if (fds[i][0] >= 0)
				close(fds[i][0]), close(fds[i][1]);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, o[1], 1);
	posix_spawn_file_actions_adddup2(&fa, e[1], 2);
	for (i = 0; i < 3; i++) {
		posix_spawn_file_actions_addclose(&fa, fds[i][0]);
		posix_spawn_file_actions_addclose(&fa, fds[i][1]);
	}
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		for (i = 0; i < 3; i++)
			close(fds[i][0]), close(fds[i][1]);
		errno = rc; /* posix_spawn returns the error instead of setting errno */
		return -1;
	}
	close(in[0]);
	close(o[1]);
	close(e[1]);
	old_pipe = signal(SIGPIPE, SIG_IGN); /* a signer that exits early must not kill us */
	for (;;) {
		struct pollfd p[3] = {{o[0], POLLIN, 0}, {e[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
		int n = written < inlen ? 3 : 2, k;
		char buf[4096];
		if (written >= inlen && in[1] >= 0) {
			close(in[1]);
			in[1] = -1;
		}
		if (p[0].fd < 0 && p[1].fd < 0)
			break;
		if (poll(p, (nfds_t)n, -1) < 0 && errno != EINTR)
			break;
		for (k = 0; k < 2; k++) {
			ssize_t r;
			if (p[k].fd < 0 || !(p[k].revents & (POLLIN | POLLHUP)))
				continue;
			r = read(p[k].fd, buf, sizeof(buf));
			if (r > 0) {
				fb_buf_add(k ? err : out, buf, (size_t)r);
			} else {
				close(p[k].fd);
				if (k)
					e[0] = -1;
				else
					o[0] = -1;
			}
		}
		p[0].fd = o[0];
		p[1].fd = e[0];
		if (n == 3 && (p[2].revents & (POLLOUT | POLLERR))) {
			ssize_t w = write(in[1], input + written, inlen - written);
			if (w > 0)
				written += (size_t)w;
			else
				written = inlen;
		}
		if (o[0] < 0 && e[0] < 0)
			break;
	}
	if (in[1] >= 0)
		close(in[1]);
	if (o[0] >= 0)
		close(o[0]);
	if (e[0] >= 0)
		close(e[0]);
	signal(SIGPIPE, old_pipe);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Sign a commit buffer as git would (gpg.format openpgp or ssh); the armoured signature. */
int vcs_sign_buffer(struct fb_repo *r, git_config *cfg, const struct fb_ident *committer,
		       const char *buf, size_t len, struct fb_buf *sig, struct fb_diag *d)
{
	char *format = vcs_config_string(cfg, "gpg.format"), *key = vcs_config_string(cfg, "user.signingkey");
	bool ssh = format && !strcmp(format, "ssh");
	char *program = vcs_config_string(cfg, ssh ? "gpg.ssh.program" : "gpg.program");
	struct fb_buf err = FB_BUF_INIT, tmp = FB_BUF_INIT, arg = FB_BUF_INIT, out = FB_BUF_INIT;
	int rc = FB_EIO, status = -1, fd;

	if (ssh) {
		/* ssh-keygen -Y sign -n git -f KEY FILE writes FILE.sig */
		char *argv[] = {program ? program : "ssh-keygen", "-Y", "sign", "-n", "git", "-f",
				NULL, NULL, NULL};
		if (!key) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
				     "gpg.format is ssh but user.signingkey names no key file");
			goto out;
		}
		if (key[0] == '~' && key[1] == '/' && getenv("HOME"))
			fb_buf_addf(&arg, "%s%s", getenv("HOME"), key + 1);
		else
			fb_buf_puts(&arg, key);
		if (fb_repo_private_dir(r, NULL, &tmp, d) < 0)
			goto out;
		fb_buf_puts(&tmp, "/commit-XXXXXX");
		fd = mkstemp(tmp.ptr);
		if (fd < 0 || write(fd, buf, len) != (ssize_t)len) {
			fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "cannot write %s: %s", tmp.ptr,
				     strerror(errno));
			if (fd >= 0)
				close(fd);
			unlink(tmp.ptr);
			goto out;
		}
		close(fd);
		argv[6] = arg.ptr;
		argv[7] = tmp.ptr;
		status = vcs_run_program(argv, NULL, 0, &out, &err);
		fb_buf_reset(&out);
		fb_buf_addf(&out, "%s.sig", tmp.ptr);
		if (status == 0 && fb_buf_read_file(sig, out.ptr, 0) == 0)
			rc = 0;
		unlink(out.ptr);
		unlink(tmp.ptr);
	} else {
		/* gpg -bsau KEY, the buffer on stdin, the signature on stdout */
		char *argv[] = {program ? program : "gpg", "--status-fd=2", "-bsau", NULL, NULL};
		if (key)
			fb_buf_puts(&arg, key);
		else
			fb_buf_addf(&arg, "%s <%s>", committer->name, committer->email);
		argv[3] = arg.ptr;
		status = vcs_run_program(argv, buf, len, sig, &err);
		if (status == 0 && sig->len)
			rc = 0;
	}
	if (rc) {
		/* what the signer said, without gpg's machine-readable status lines */
		struct fb_buf said = FB_BUF_INIT;
		const char *p = err.ptr ? err.ptr : "";
		while (*p) {
			size_t n = strcspn(p, "\n");
			if (strncmp(p, "[GNUPG:]", 8))
				fb_buf_addf(&said, "%s%.*s", said.len ? "; " : "", (int)n, p);
			p += n + (p[n] == '\n');
		}
		if (status == -1)
			fb_buf_addf(&said, "%scannot run %s: %s", said.len ? "; " : "",
				    program ? program : ssh ? "ssh-keygen" : "gpg", strerror(errno));
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "signing the commit failed%s%s",
			     said.len ? ": " : "", said.len ? said.ptr : "");
		fb_buf_release(&said);
	}
out:
	free(format);
	free(key);
	free(program);
	fb_buf_release(&err);
	fb_buf_release(&tmp);
	fb_buf_release(&arg);
	fb_buf_release(&out);
	return rc;
}

/* ---- signatures ------------------------------------------------------------------------- */

int fb_vcs_verify_signature(struct fb_repo *r, const char *commit)
{
	struct fb_buf out = FB_BUF_INIT, err = FB_BUF_INIT;
	char *argv[] = {"git", "-C", (char *)fb_repo_root(r), "verify-commit", (char *)commit, NULL};
	int status = vcs_run_program(argv, NULL, 0, &out, &err);
	fb_buf_release(&out);
	fb_buf_release(&err);
	return status < 0 ? -1 : status == 0;
}

/* ---- the hooks' checks ------------------------------------------------------------------ */

static int collect_path(git_diff_delta const *delta, float progress, void *payload)
{
	(void)progress;
	fb_strvec_push(payload, delta->new_file.path ? delta->new_file.path : delta->old_file.path);
	return 0;
}

/*
 * The tree the index holds, checked like a commit's (see the top): the
 * working tree, with the staged version laid over each path where the two
 * differ, and files the index does not have hidden.
 */
int fb_vcs_check_index(struct fb_repo *r, const char *index_path, unsigned threads,
		       struct fb_check_stats *st, struct fb_diag *d)
{
	git_repository *git = fb_repo_git(r, d);
	git_index *idx = NULL;
	git_diff *diff = NULL;
	git_diff_options opts;
	struct fb_source *src = NULL;
	struct fb_strvec paths = {0};
	struct fb_buf text = FB_BUF_INIT;
	struct fb_check_opts co = {false, threads, NULL};
	size_t i, before = d->errors;
	int rc;

	if (!git)
		return FB_EIO;
	if (index_path && *index_path)
		rc = git_index_open(&idx, index_path);
	else
		rc = git_repository_index(&idx, git);
	vcs_diff_options(&opts);
	if (rc < 0 || git_index_read(idx, 0) < 0 ||
	    git_diff_index_to_workdir(&diff, git, idx, &opts) < 0) {
		fb_git_diag(d, "cannot read what is staged");
		git_index_free(idx);
		return FB_EIO;
	}
	git_diff_foreach(diff, collect_path, NULL, NULL, NULL, &paths);
	git_diff_free(diff);
	fb_source_worktree(&src, r);
	for (i = 0; i < paths.n; i++) {
		const git_index_entry *e = git_index_get_bypath(idx, paths.v[i], 0);
		if (e && fb_git_blob_read(git, &e->id, 0, &text, NULL) == 0)
			fb_source_overlay(src, paths.v[i], text.ptr, text.len);
		else
			fb_source_overlay(src, paths.v[i], NULL, 0);
	}
	fb_buf_release(&text);
	git_index_free(idx);
	fb_strvec_release(&paths);
	rc = fb_check(src, NULL, 0, &co, st, d);
	fb_source_free(src);
	if (rc < 0)
		return rc;
	return d->errors > before ? FB_EINVALID : 0;
}

int fb_vcs_check_push(struct fb_repo *r, const char *updates, struct fb_diag *d)
{
	git_repository *git = fb_repo_git(r, d);
	const char *line = updates;
	struct fb_check_opts co = {false, 0, NULL};
	bool bad = false;

	if (!git)
		return FB_EIO;
	co.cache = fb_check_cache_new(); /* each record blob is checked once in the push */
	while (*line) {
		char oldhex[64] = "", newhex[64] = "", ref[512] = "";
		git_oid oldid, newid, id;
		git_revwalk *walk = NULL;
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *copy = fb_strndup(line, len);

		line += len + (nl ? 1 : 0);
		if (sscanf(copy, "%63s %63s %511s", oldhex, newhex, ref) != 3 ||
		    git_oid_fromstr(&newid, newhex) < 0) {
			free(copy);
			continue;
		}
		free(copy);
		if (git_oid_is_zero(&newid))
			continue; /* a deletion brings nothing */
		/* what no ref reaches yet (refs still point where they did before the push) */
		if (git_revwalk_new(&walk, git) < 0 || git_revwalk_push(walk, &newid) < 0) {
			fb_git_diag(d, "cannot read the pushed commits");
			git_revwalk_free(walk);
			bad = true;
			continue;
		}
		git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
		if (git_oid_fromstr(&oldid, oldhex) == 0 && !git_oid_is_zero(&oldid))
			git_revwalk_hide(walk, &oldid);
		git_revwalk_hide_glob(walk, "refs/*");
		while (git_revwalk_next(&id, walk) == 0) {
			struct fb_diag one = FB_DIAG_INIT;
			struct fb_source *src = NULL;
			struct fb_check_stats st;
			char hex[GIT_OID_HEXSZ + 1];
			git_commit *c = NULL;
			size_t i;

			git_oid_tostr(hex, sizeof(hex), &id);
			if (fb_source_rev(&src, r, hex, &one) == 0)
				fb_check(src, NULL, 0, &co, &st, &one);
			fb_source_free(src);
			if (one.errors) {
				const char *summary = "";
				bad = true;
				if (git_commit_lookup(&c, git, &id) == 0)
					summary = git_commit_summary(c);
				fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
					     "rejected %s (%.7s %s): its records do not validate:", ref,
					     hex, summary ? summary : "");
				git_commit_free(c);
				fb_diag_sort(&one);
				for (i = 0; i < one.n; i++)
					if (one.v[i].severity == FB_SEV_ERROR)
						fb_diag_push(d, &one.v[i]);
			}
			fb_diag_release(&one);
		}
		git_revwalk_free(walk);
	}
	fb_check_cache_free(co.cache);
	return bad ? FB_EINVALID : 0;
}

/* ---- a merge in progress ----------------------------------------------------------------- */

void fb_vcs_sides_release(struct fb_vcs_sides *s)
{
	fb_buf_release(&s->base);
	fb_buf_release(&s->ours);
	fb_buf_release(&s->theirs);
	memset(s, 0, sizeof(*s));
}

/* The repository's index, read again from disk (a git command may have changed it). */
static git_index *fresh_index(struct fb_repo *r, struct fb_diag *d)
{
	git_repository *git = fb_repo_git(r, d);
	git_index *idx = NULL;
	if (!git)
		return NULL;
	if (git_repository_index(&idx, git) < 0 || git_index_read(idx, 1) < 0) {
		fb_git_diag(d, "cannot read the index");
		git_index_free(idx);
		return NULL;
	}
	return idx;
}

static int side_of(git_repository *git, const git_index_entry *e, struct fb_buf *text, bool *has)
{
	*has = e != NULL;
	return e ? fb_git_blob_read(git, &e->id, 0, text, NULL) : 0;
}

int fb_vcs_unmerged_sides(struct fb_repo *r, const char *path, struct fb_vcs_sides *out,
			  struct fb_diag *d)
{
	git_index *idx = fresh_index(r, d);
	const git_index_entry *a = NULL, *o = NULL, *t = NULL;
	git_repository *git = fb_repo_git(r, d);
	int err;

	memset(out, 0, sizeof(*out));
	if (!idx)
		return FB_EIO;
	if (git_index_conflict_get(&a, &o, &t, idx, path) < 0) {
		git_index_free(idx);
		return FB_ENOTFOUND;
	}
	err = side_of(git, a, &out->base, &out->has_base);
	if (!err)
		err = side_of(git, o, &out->ours, &out->has_ours);
	if (!err)
		err = side_of(git, t, &out->theirs, &out->has_theirs);
	if (err)
		fb_git_diag(d, "cannot read a side of the merge");
	git_index_free(idx);
	return err ? FB_EIO : 0;
}

int fb_vcs_unmerged(struct fb_repo *r, struct fb_strvec *out, struct fb_diag *d)
{
	git_index *idx = fresh_index(r, d);
	git_index_conflict_iterator *it = NULL;
	const git_index_entry *a, *o, *t;

	if (!idx)
		return FB_EIO;
	if (git_index_has_conflicts(idx) && git_index_conflict_iterator_new(&it, idx) == 0) {
		while (git_index_conflict_next(&a, &o, &t, it) == 0)
			fb_strvec_push(out, (a ? a : o ? o : t)->path);
	}
	git_index_conflict_iterator_free(it);
	git_index_free(idx);
	return 0;
}

int fb_vcs_mark_resolved(struct fb_repo *r, const char *path, struct fb_diag *d)
{
	git_index *idx = fresh_index(r, d);
	struct fb_buf abs = FB_BUF_INIT;
	int rc;

	if (!idx)
		return FB_EIO;
	fb_buf_addf(&abs, "%s/%s", fb_repo_root(r), path);
	rc = access(abs.ptr, F_OK) == 0 ? git_index_add_bypath(idx, path)
					 : git_index_remove_bypath(idx, path);
	if (rc == 0)
		rc = git_index_write(idx);
	if (rc < 0)
		fb_git_diag(d, "cannot mark the record resolved in the index");
	fb_buf_release(&abs);
	git_index_free(idx);
	return rc < 0 ? FB_EIO : 0;
}
