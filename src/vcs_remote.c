/*
 * The remote side of sync (sync.h): a remote made in memory, the fetch of
 * one branch (what the remote has, then its objects), the push, and what
 * they need -- credentials (ssh-agent, key files, git's credential
 * helpers through `git credential`), the host-key check with the line that
 * would accept an unknown host, progress, and one-line errors.  Nothing
 * here changes the working tree, the index or a local branch.
 */
#include <pwd.h>

#include <fieldbook/sync.h>

#include "vcs_int.h"

/* ---- the network side: credentials, host keys, progress ---------------------------------- */

struct net {
	git_repository *git;
	const struct fb_sync_opts *o;
	const char *url;
	const char *shown; /* the URL for messages (shown_url) */
	struct fb_strvec keys; /* ssh: "agent", then key files, tried in turn */
	size_t next_key;
	bool keys_listed;
	bool auth_failed;
	struct fb_buf cred;    /* the credential git's helper filled (for approve/reject) */
	bool filled;
	struct fb_buf hostkey; /* why a host key was refused */
	struct fb_buf remote_says; /* the server's sideband messages */
	char *rejected;        /* a ref the server refused, with its reason */
};

static void net_release(struct net *n)
{
	if (n->cred.len)
		memset(n->cred.ptr, 0, n->cred.len); /* it holds a password */
	fb_buf_release(&n->cred);
	fb_buf_release(&n->hostkey);
	fb_buf_release(&n->remote_says);
	fb_strvec_release(&n->keys);
	free(n->rejected);
}

static const char *local_user(void)
{
	const char *u = getenv("USER");
	struct passwd *pw;
	if (u && *u)
		return u;
	pw = getpwuid(getuid());
	return pw ? pw->pw_name : "git";
}

static void add_key_file(struct net *n, const char *path)
{
	if (path && *path && access(path, R_OK) == 0 && !fb_strvec_has(&n->keys, path))
		fb_strvec_push(&n->keys, path);
}

/* ssh: the agent, the key files the git config names, then ~/.ssh/id_*. */
static void list_keys(struct net *n)
{
	static const char *const std[] = {"id_ed25519", "id_ecdsa", "id_rsa"};
	git_config *cfg = NULL;
	const char *home = getenv("HOME");
	size_t i;

	n->keys_listed = true;
	if (getenv("SSH_AUTH_SOCK"))
		fb_strvec_push(&n->keys, "agent");
	if (git_repository_config_snapshot(&cfg, n->git) == 0) {
		char *key = vcs_config_string(cfg, "fieldbook.sshkey");
		char *cmd = vcs_config_string(cfg, "core.sshcommand");
		const char *i_opt = cmd ? strstr(cmd, "-i ") : NULL;
		add_key_file(n, key);
		free(key);
		if (i_opt) {
			char *k = fb_strndup(i_opt + 3, strcspn(i_opt + 3, " \t"));
			add_key_file(n, k);
			free(k);
		}
		free(cmd);
		git_config_free(cfg);
	}
	for (i = 0; home && i < FB_ARRAY_SIZE(std); i++) {
		struct fb_buf p = FB_BUF_INIT;
		fb_buf_addf(&p, "%s/.ssh/%s", home, std[i]);
		add_key_file(n, p.ptr);
		fb_buf_release(&p);
	}
}

/* `git credential ACTION` with `input`; its output in `out` (fill). */
static int run_credential(struct net *n, const char *action, const char *input,
			  struct fb_buf *out)
{
	char *argv[] = {"env", "GIT_TERMINAL_PROMPT=0", "git", "credential", (char *)action, NULL};
	struct fb_buf err = FB_BUF_INIT, ignored = FB_BUF_INIT;
	int status = vcs_run_program(n->o->interactive ? argv + 2 : argv, input, strlen(input),
				     out ? out : &ignored, &err);
	fb_buf_release(&err);
	fb_buf_release(&ignored);
	return status;
}

/* The value of `key=` in a credential description, or NULL. */
static char *cred_field(const char *desc, const char *key)
{
	size_t klen = strlen(key);
	const char *p = desc;
	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == '=')
			return fb_strndup(p + klen + 1, strcspn(p + klen + 1, "\n"));
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return NULL;
}

static int credentials(git_credential **out, const char *url, const char *user_from_url,
		       unsigned int allowed, void *payload)
{
	struct net *n = payload;
	const char *user = user_from_url && *user_from_url ? user_from_url : local_user();

	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user);
	if (allowed & GIT_CREDENTIAL_SSH_KEY) {
		if (!n->keys_listed)
			list_keys(n);
		while (n->next_key < n->keys.n) {
			const char *k = n->keys.v[n->next_key++];
			struct fb_buf pub = FB_BUF_INIT;
			int rc;
			if (!strcmp(k, "agent"))
				return git_credential_ssh_key_from_agent(out, user);
			fb_buf_addf(&pub, "%s.pub", k);
			rc = git_credential_ssh_key_new(out, user,
							access(pub.ptr, R_OK) == 0 ? pub.ptr : NULL, k,
							NULL);
			fb_buf_release(&pub);
			if (rc == 0)
				return 0;
		}
		n->auth_failed = true;
		return GIT_EAUTH;
	}
	if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
		struct fb_buf in = FB_BUF_INIT;
		char *u, *p;
		int rc = GIT_EAUTH;
		if (n->filled) { /* asked again: the helper's answer was refused */
			run_credential(n, "reject", n->cred.ptr, NULL);
			n->filled = false;
			n->auth_failed = true;
			return GIT_EAUTH;
		}
		fb_buf_addf(&in, "url=%s\n", url);
		if (user_from_url && *user_from_url)
			fb_buf_addf(&in, "username=%s\n", user_from_url);
		fb_buf_puts(&in, "\n");
		fb_buf_reset(&n->cred);
		if (run_credential(n, "fill", in.ptr, &n->cred) == 0) {
			u = cred_field(n->cred.ptr, "username");
			p = cred_field(n->cred.ptr, "password");
			if (u && p && git_credential_userpass_plaintext_new(out, u, p) == 0) {
				n->filled = true;
				rc = 0;
			}
			if (p)
				memset(p, 0, strlen(p));
			free(u);
			free(p);
		}
		fb_buf_release(&in);
		if (rc)
			n->auth_failed = true;
		return rc;
	}
	return GIT_PASSTHROUGH;
}

static void base64(struct fb_buf *out, const unsigned char *s, size_t len, bool pad)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;
	for (i = 0; i + 2 < len; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
		char c[4] = {tab[v >> 18], tab[(v >> 12) & 63], tab[(v >> 6) & 63], tab[v & 63]};
		fb_buf_add(out, c, 4);
	}
	if (len - i == 1) {
		unsigned v = (unsigned)s[i] << 16;
		fb_buf_addf(out, "%c%c%s", tab[v >> 18], tab[(v >> 12) & 63], pad ? "==" : "");
	} else if (len - i == 2) {
		unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8;
		fb_buf_addf(out, "%c%c%c%s", tab[v >> 18], tab[(v >> 12) & 63], tab[(v >> 6) & 63],
			    pad ? "=" : "");
	}
}

/* The port of an ssh URL (ssh://[user@]host:PORT/...), 0 when it names none. */
static unsigned url_port(const char *url)
{
	const char *p = strstr(url, "://"), *colon;
	if (!p)
		return 0;
	p += 3;
	p += strchr(p, '@') && strchr(p, '@') < strchr(p, '/') ? strchr(p, '@') - p + 1 : 0;
	colon = strchr(p, ':');
	if (!colon || (strchr(p, '/') && colon > strchr(p, '/')))
		return 0;
	return (unsigned)strtoul(colon + 1, NULL, 10);
}

static int certificate_check(git_cert *cert, int valid, const char *host, void *payload)
{
	struct net *n = payload;
	git_cert_hostkey *hk = (git_cert_hostkey *)cert;
	static const char *const types[] = {
		[GIT_CERT_SSH_RAW_TYPE_RSA] = "ssh-rsa",
		[GIT_CERT_SSH_RAW_TYPE_DSS] = "ssh-dss",
		[GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_256] = "ecdsa-sha2-nistp256",
		[GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_384] = "ecdsa-sha2-nistp384",
		[GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_521] = "ecdsa-sha2-nistp521",
		[GIT_CERT_SSH_RAW_TYPE_KEY_ED25519] = "ssh-ed25519",
	};
	unsigned port = url_port(n->url);

	if (valid || cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2)
		return GIT_PASSTHROUGH; /* known_hosts (or TLS) said yes, or will say no itself */
	fb_buf_reset(&n->hostkey);
	fb_buf_addf(&n->hostkey, "the host key of %s", host);
	if (hk->type & GIT_CERT_SSH_SHA256) {
		fb_buf_puts(&n->hostkey, " (SHA256:");
		base64(&n->hostkey, hk->hash_sha256, sizeof(hk->hash_sha256), false);
		fb_buf_puts(&n->hostkey, ")");
	}
	fb_buf_puts(&n->hostkey, " is not in ~/.ssh/known_hosts, or differs from the key there");
	if ((hk->type & GIT_CERT_SSH_RAW) && (size_t)hk->raw_type < FB_ARRAY_SIZE(types) &&
	    types[hk->raw_type]) {
		fb_buf_puts(&n->hostkey, "; if that fingerprint is the server's, accept it with: "
					 "echo '");
		if (port && port != 22)
			fb_buf_addf(&n->hostkey, "[%s]:%u", host, port);
		else
			fb_buf_puts(&n->hostkey, host);
		fb_buf_addf(&n->hostkey, " %s ", types[hk->raw_type]);
		base64(&n->hostkey, (const unsigned char *)hk->hostkey, hk->hostkey_len, true);
		fb_buf_puts(&n->hostkey, "' >> ~/.ssh/known_hosts");
	}
	return GIT_ECERTIFICATE;
}

static int fetch_progress(const git_indexer_progress *st, void *payload)
{
	struct net *n = payload;
	if (n->o->progress)
		n->o->progress(n->o->ctx, "receiving objects", st->received_objects,
			       st->total_objects);
	return 0;
}

static int push_progress(unsigned int current, unsigned int total, size_t bytes, void *payload)
{
	struct net *n = payload;
	(void)bytes;
	if (n->o->progress)
		n->o->progress(n->o->ctx, "sending objects", current, total);
	return 0;
}

static int sideband(const char *str, int len, void *payload)
{
	struct net *n = payload;
	if (n->remote_says.len < 64 * 1024)
		fb_buf_add(&n->remote_says, str, (size_t)len);
	return 0;
}

static int push_status(const char *ref, const char *status, void *payload)
{
	struct net *n = payload;
	if (status && !n->rejected) {
		struct fb_buf b = FB_BUF_INIT;
		fb_buf_addf(&b, "%s: %s", ref, status);
		n->rejected = fb_buf_detach(&b, NULL);
	}
	return 0;
}

/* A transfer's state, and the callbacks that feed it, for `remote` (shown as `shown`). */
static void net_init(struct net *n, git_repository *git, const struct fb_sync_opts *o,
		     git_remote *remote, const char *shown, git_remote_callbacks *cb)
{
	n->git = git;
	n->o = o;
	n->url = git_remote_url(remote);
	n->shown = shown;
	git_remote_init_callbacks(cb, GIT_REMOTE_CALLBACKS_VERSION);
	cb->credentials = credentials;
	cb->certificate_check = certificate_check;
	cb->transfer_progress = fetch_progress;
	cb->push_transfer_progress = push_progress;
	cb->sideband_progress = sideband;
	cb->push_update_reference = push_status;
	cb->payload = n;
}

/* `url` as messages show it: a password in it (https://user:PASS@host/) as ***. */
static char *shown_url(const char *url)
{
	const char *p = strstr(url, "://"), *at, *colon, *slash;
	struct fb_buf b = FB_BUF_INIT;
	if (!p)
		return fb_strdup(url);
	p += 3;
	slash = strchr(p, '/');
	at = strchr(p, '@');
	colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
	if (!at || (slash && at > slash) || !colon)
		return fb_strdup(url);
	fb_buf_add(&b, url, (size_t)(colon - url) + 1);
	fb_buf_puts(&b, "***");
	fb_buf_puts(&b, at);
	return fb_buf_detach(&b, NULL);
}

/* A failed transfer, said in one line: what was tried and what happened. */
static void net_error(struct net *n, struct fb_diag *d, const char *what, int rc)
{
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "unknown error";
	if (rc == GIT_ECERTIFICATE && n->hostkey.len)
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "cannot %s %s: %s", what, n->shown,
			     n->hostkey.ptr);
	else if (n->auth_failed || rc == GIT_EAUTH)
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "cannot %s %s: authentication refused; tried %s", what, n->shown,
			     strncmp(n->url, "http", 4) ? "ssh-agent and the key files "
							  "(fieldbook.sshKey, ~/.ssh/id_*)"
							: "git's credential helpers");
	else
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "cannot %s %s: %s", what, n->shown, msg);
}

/* ---- where we are ------------------------------------------------------------------------- */

void vcs_place_release(struct place *p)
{
	git_remote_free(p->remote);
	git_remote_free(p->push_remote);
	free(p->shown);
	free(p->shown_push);
	free(p->remote_name);
	free(p->branch);
	free(p->ref);
	memset(p, 0, sizeof(*p));
}

int vcs_read_head(git_repository *git, struct place *p, struct fb_diag *d)
{
	git_reference *head = NULL;
	int rc = git_repository_head(&head, git);
	free(p->ref);
	p->ref = NULL;
	p->unborn = rc == GIT_EUNBORNBRANCH;
	if (p->unborn) {
		git_reference *sym = NULL;
		if (git_reference_lookup(&sym, git, "HEAD") < 0) {
			fb_git_diag(d, "cannot read HEAD");
			return FB_EIO;
		}
		p->ref = fb_strdup(git_reference_symbolic_target(sym));
		git_reference_free(sym);
	} else if (rc < 0) {
		fb_git_diag(d, "cannot read HEAD");
		return FB_EIO;
	} else if (!git_reference_is_branch(head)) {
		git_reference_free(head);
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "HEAD is detached: check out the branch to sync (git switch main)");
		return FB_EUSAGE;
	} else {
		p->ref = fb_strdup(git_reference_name(head));
		git_oid_cpy(&p->head, git_reference_target(head));
	}
	git_reference_free(head);
	free(p->branch);
	p->branch = fb_strdup(p->ref + strlen("refs/heads/"));
	return 0;
}

/*
 * A remote for `url`, made in memory.  Never git_remote_lookup: its
 * url.*.insteadOf scan leaks PCRE2 match data in libgit2 1.5.1, once per
 * configuration entry; so insteadOf is not applied, and the refspecs are
 * sync's own (the remote-tracking branch is updated by hand after a push).
 */
static int memory_remote(git_repository *git, const char *url, git_remote **out)
{
	git_remote_create_options ro;
	git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ro.repository = git;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	return git_remote_create_with_opts(out, url, &ro);
}

/* remote.NAME.KEY from the git configuration, or NULL. */
static char *remote_config(git_repository *git, const char *name, const char *key)
{
	git_config *cfg = NULL;
	struct fb_buf var = FB_BUF_INIT;
	char *out = NULL;
	fb_buf_addf(&var, "remote.%s.%s", name, key);
	if (git_repository_config_snapshot(&cfg, git) == 0)
		out = vcs_config_string(cfg, var.ptr);
	if (out && !*out) {
		free(out);
		out = NULL;
	}
	git_config_free(cfg);
	fb_buf_release(&var);
	return out;
}

/* The remote: as named, else the branch's upstream, else origin; a URL or path is used as it is. */
int vcs_open_remote(git_repository *git, const char *name, struct place *p,
		    struct fb_diag *d)
{
	git_buf up = {0};
	char *url = NULL, *push_url = NULL;
	int rc = 0;

	if (!name && git_branch_upstream_remote(&up, git, p->ref) == 0)
		p->remote_name = fb_strdup(up.ptr);
	else if (!name)
		p->remote_name = fb_strdup("origin");
	git_buf_dispose(&up);
	if (name && (url = remote_config(git, name, "url")))
		p->remote_name = fb_strdup(name);
	else if (name && (strchr(name, '/') || strchr(name, ':')))
		url = fb_strdup(name); /* a URL or a path */
	else if (name)
		p->remote_name = fb_strdup(name);
	else
		url = remote_config(git, p->remote_name, "url");
	if (!url) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0,
			     "no remote '%s': add the office's server with git remote add %s URL, "
			     "or name a remote or URL",
			     p->remote_name, p->remote_name);
		return FB_EUSAGE;
	}
	if (p->remote_name)
		push_url = remote_config(git, p->remote_name, "pushurl");
	p->shown = shown_url(url);
	p->shown_push = shown_url(push_url ? push_url : url);
	if (memory_remote(git, url, &p->remote) < 0 ||
	    memory_remote(git, push_url ? push_url : url, &p->push_remote) < 0) {
		fb_git_diag(d, "cannot use that remote");
		rc = FB_EUSAGE;
	}
	free(url);
	free(push_url);
	return rc;
}

/*
 * Fetch the branch: what the remote's branch is now (none when it has no
 * such branch), and its commits.  Nothing local changes but objects and
 * the remote-tracking branch (FETCH_HEAD for a URL).
 */
int vcs_fetch(git_repository *git, struct place *p, const struct fb_sync_opts *o,
	      struct fb_diag *d)
{
	struct net n = {0};
	git_fetch_options fo;
	const git_remote_head **heads = NULL;
	struct fb_buf spec = FB_BUF_INIT;
	char *specs[1];
	git_strarray refspecs = {specs, 1};
	size_t nheads = 0, i;
	int rc;

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	net_init(&n, git, o, p->remote, p->shown, &fo.callbacks);
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	p->has_theirs = false;
	rc = git_remote_connect(p->remote, GIT_DIRECTION_FETCH, &fo.callbacks, NULL, NULL);
	if (rc == 0)
		rc = git_remote_ls(&heads, &nheads, p->remote);
	if (rc < 0) {
		net_error(&n, d, "fetch from", rc);
		goto out;
	}
	for (i = 0; i < nheads; i++)
		if (!strcmp(heads[i]->name, p->ref)) {
			git_oid_cpy(&p->theirs, &heads[i]->oid);
			p->has_theirs = true;
		}
	if (p->has_theirs) {
		if (p->remote_name)
			fb_buf_addf(&spec, "+%s:refs/remotes/%s/%s", p->ref, p->remote_name,
				    p->branch);
		else
			fb_buf_puts(&spec, p->ref);
		specs[0] = spec.ptr;
		rc = git_remote_download(p->remote, &refspecs, &fo);
		if (rc == 0)
			rc = git_remote_update_tips(p->remote, &fo.callbacks, 1,
						    GIT_REMOTE_DOWNLOAD_TAGS_NONE, "fieldbook sync");
		if (rc < 0)
			net_error(&n, d, "fetch from", rc);
	}
	if (rc == 0 && n.filled)
		run_credential(&n, "approve", n.cred.ptr, NULL);
out:
	git_remote_disconnect(p->remote);
	fb_buf_release(&spec);
	net_release(&n);
	return rc < 0 ? FB_EIO : 0;
}

/* Push the branch.  0 pushed; 1 when the remote moved meanwhile (fetch and try again). */
int vcs_push(git_repository *git, struct place *p, const struct fb_sync_opts *o,
	     struct fb_diag *d)
{
	struct net n = {0};
	git_push_options po;
	struct fb_buf spec = FB_BUF_INIT;
	char *specs[1];
	git_strarray refspecs = {specs, 1};
	int rc;

	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	net_init(&n, git, o, p->push_remote, p->shown_push, &po.callbacks);
	fb_buf_addf(&spec, "%s:%s", p->ref, p->ref);
	specs[0] = spec.ptr;
	rc = git_remote_push(p->push_remote, &refspecs, &po);
	/* someone pushed first: before our connection (non-fast-forward, fetch
	   first) or while it lasted (receive-pack found the ref moved) */
	if (rc == GIT_ENONFASTFORWARD ||
	    (rc == 0 && n.rejected &&
	     (strstr(n.rejected, "fetch first") || strstr(n.rejected, "non-fast-forward") ||
	      strstr(n.rejected, "failed to update ref") || strstr(n.rejected, "failed to lock")))) {
		rc = 1;
	} else if (rc < 0) {
		net_error(&n, d, "push to", rc);
		rc = FB_EIO;
	} else if (n.rejected) {
		fb_diag_addf(d, FB_SEV_ERROR, NULL, 0, 0, "%s refused the push of %s%s%.*s",
			     n.shown, n.rejected, n.remote_says.len ? "; it said: " : "",
			     (int)n.remote_says.len, n.remote_says.ptr ? n.remote_says.ptr : "");
		rc = FB_EINVALID;
	}
	if (rc == 0 && n.filled)
		run_credential(&n, "approve", n.cred.ptr, NULL);
	if (rc == 0 && p->remote_name) { /* what the remote has now, as a fetch would say */
		git_reference *ref = NULL;
		fb_buf_reset(&spec);
		fb_buf_addf(&spec, "refs/remotes/%s/%s", p->remote_name, p->branch);
		git_reference_create(&ref, git, spec.ptr, &p->head, 1, "fieldbook sync: pushed");
		git_reference_free(ref);
	}
	fb_buf_release(&spec);
	net_release(&n);
	return rc;
}
