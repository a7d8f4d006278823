/*
 * The object guard: a libgit2 odb backend that stands in front of the loose
 * object reader and refuses a loose object file that is damaged.
 *
 * Why: libgit2 1.5.1 (the Debian 12 version) inflates a loose object that is
 * cut short -- a truncated file, an empty one, garbage instead of zlib data --
 * in a loop that never ends, so every command reading history would hang on
 * one bad file where git reports it at once (fixed upstream after 1.5).
 *
 * How: the guard is added to the repository's odb with a priority above
 * every default backend, so the odb asks it first for read, read_prefix,
 * read_header and readstream.  For each it looks for the loose file of the
 * object in the object folders libgit2 reads (the repository's, the
 * alternates its info/alternates names, and in a hook GIT_OBJECT_DIRECTORY
 * and GIT_ALTERNATE_OBJECT_DIRECTORIES) and inflates it itself: the zlib
 * stream must end, and the header "TYPE SIZE\0" must name a known type and
 * the size of what follows.  A sound file, or none, is passed on
 * (GIT_PASSTHROUGH) to the real backends; a damaged one fails the read with
 * "PATH: object OID is corrupt (WHY)", unless a pack holds the object too
 * (libgit2 and git read packs first, so the loose copy does not matter).
 * Packed objects are read by libgit2 with a known size and do not loop.
 *
 * An object found sound (or not loose) is remembered and not checked again:
 * libgit2 caches commits and trees but reads a blob anew each time.
 *
 * The first damaged object is also kept in the guard, so that a caller that
 * treats a failed read as "not there" cannot hide it: fb_odb_guard_fault().
 * The guard belongs to the odb, which frees it; the odb serialises backend
 * calls, and a mutex guards the fault all the same.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <git2/sys/odb_backend.h>

#include "repo_int.h"

/* above GIT_PACKED_PRIORITY (2) and GIT_LOOSE_PRIORITY (1): asked first */
#define GUARD_PRIORITY 1000
#define MAX_DIRS 16

struct fb_odb_guard {
	git_odb_backend parent;
	char *root; /* shown paths are relative to it, when under it */
	char *dirs[MAX_DIRS];
	size_t ndirs;
	pthread_mutex_t lock;
	char *fault; /* the first damaged object, NULL while none */
	/* objects whose loose files were found sound (libgit2 reads blobs again and again) */
	git_oid *sound; /* open addressing; a zero id is an empty slot */
	size_t nsound, cap;
};

static size_t slot_of(const git_oid *oid, size_t cap)
{
	size_t h;
	memcpy(&h, oid->id, sizeof(h));
	return h & (cap - 1);
}

static bool is_sound(struct fb_odb_guard *g, const git_oid *oid)
{
	size_t i;
	bool found = false;
	pthread_mutex_lock(&g->lock);
	if (g->cap)
		for (i = slot_of(oid, g->cap); !git_oid_is_zero(&g->sound[i]);
		     i = (i + 1) & (g->cap - 1))
			if (git_oid_equal(&g->sound[i], oid)) {
				found = true;
				break;
			}
	pthread_mutex_unlock(&g->lock);
	return found;
}

static void put_sound(git_oid *v, size_t cap, const git_oid *oid)
{
	size_t i;
	for (i = slot_of(oid, cap); !git_oid_is_zero(&v[i]); i = (i + 1) & (cap - 1))
		if (git_oid_equal(&v[i], oid))
			return;
	v[i] = *oid;
}

static void mark_sound(struct fb_odb_guard *g, const git_oid *oid)
{
	size_t i;
	pthread_mutex_lock(&g->lock);
	if (2 * (g->nsound + 1) > g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 1024;
		git_oid *v = fb_calloc(cap, sizeof(*v));
		for (i = 0; i < g->cap; i++)
			if (!git_oid_is_zero(&g->sound[i]))
				put_sound(v, cap, &g->sound[i]);
		free(g->sound);
		g->sound = v;
		g->cap = cap;
	}
	put_sound(g->sound, g->cap, oid);
	g->nsound++;
	pthread_mutex_unlock(&g->lock);
}

enum { LOOSE_NONE, LOOSE_OK, LOOSE_BAD };

/*
 * Inflate the open loose file `fd` to nowhere, checking it as git would.
 * LOOSE_OK, or LOOSE_BAD with the reason in `why`.
 */
static int check_stream(int fd, const char **why)
{
	unsigned char in[16384], out[16384], head[64];
	size_t nhead = 0, total = 0, hdrlen = 0, size = 0, i;
	bool eof = false, seen_input = false;
	z_stream z;
	int zr = Z_OK, rc = LOOSE_BAD;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK) {
		*why = "cannot start zlib";
		return LOOSE_BAD;
	}
	while (zr != Z_STREAM_END) {
		if (z.avail_in == 0 && !eof) {
			ssize_t n = read(fd, in, sizeof(in));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				*why = "unreadable loose object file";
				goto out;
			}
			if (n == 0)
				eof = true;
			else if (!seen_input) {
				seen_input = true;
				/* a zlib header: deflate, and the check bits of RFC 1950 */
				if (n < 2 || (in[0] & 0x8f) != 0x08 || ((in[0] << 8) | in[1]) % 31) {
					*why = "not zlib data";
					goto out;
				}
			}
			z.next_in = in;
			z.avail_in = (uInt)(n > 0 ? n : 0);
		}
		if (z.avail_in == 0 && eof) {
			*why = seen_input ? "truncated loose object" : "empty loose object file";
			goto out;
		}
		z.next_out = out;
		z.avail_out = sizeof(out);
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
			*why = "bad zlib data";
			goto out;
		}
		i = sizeof(out) - z.avail_out;
		if (nhead < sizeof(head)) {
			size_t take = i < sizeof(head) - nhead ? i : sizeof(head) - nhead;
			memcpy(head + nhead, out, take);
			nhead += take;
		}
		total += i;
	}
	/* "TYPE SIZE\0" */
	for (i = 0; i < nhead && head[i] != ' '; i++)
		;
	if (!((i == 3 && !memcmp(head, "tag", 3)) || (i == 4 && !memcmp(head, "blob", 4)) ||
	      (i == 4 && !memcmp(head, "tree", 4)) || (i == 6 && !memcmp(head, "commit", 6)))) {
		*why = "bad object header";
		goto out;
	}
	for (i++; i < nhead && head[i] >= '0' && head[i] <= '9' && size < ((size_t)1 << 48); i++)
		size = size * 10 + (size_t)(head[i] - '0');
	if (i >= nhead || head[i] != '\0' || head[i - 1] == ' ') {
		*why = "bad object header";
		goto out;
	}
	hdrlen = i + 1;
	if (total - hdrlen != size) {
		*why = total - hdrlen < size ? "truncated loose object"
					     : "object longer than its header says";
		goto out;
	}
	rc = LOOSE_OK;
out:
	inflateEnd(&z);
	return rc;
}

/* Check the loose file at `path`: LOOSE_NONE when there is none (or it cannot be opened). */
static int check_file(const char *path, const char **why)
{
	int fd, rc;
	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return LOOSE_NONE; /* not loose here; libgit2 says what else is wrong */
	rc = check_stream(fd, why);
	close(fd);
	return rc;
}

static bool in_a_pack(struct fb_odb_guard *g, const git_oid *oid)
{
	bool found = false;
	size_t i;
	for (i = 0; i < g->ndirs && !found; i++) {
		git_odb *odb = NULL;
		git_odb_backend *pack = NULL;
		if (git_odb_new(&odb) == 0 && git_odb_backend_pack(&pack, g->dirs[i]) == 0) {
			if (git_odb_add_backend(odb, pack, 1) == 0)
				found = git_odb_exists(odb, oid);
			else
				pack->free(pack);
		}
		git_odb_free(odb);
	}
	return found;
}

/* Refuse the damaged loose file `path` of `oid`: the error libgit2 returns, and the fault kept. */
static int refuse(struct fb_odb_guard *g, const char *path, const git_oid *oid, const char *why)
{
	char hex[GIT_OID_HEXSZ + 1], *msg;
	size_t n = strlen(g->root), len;
	const char *shown = path;

	if (in_a_pack(g, oid))
		return GIT_PASSTHROUGH;
	if (n > 1 && !strncmp(path, g->root, n) && path[n] == '/')
		shown = path + n + 1;
	git_oid_tostr(hex, sizeof(hex), oid);
	len = strlen(shown) + strlen(hex) + strlen(why) + 32;
	msg = fb_malloc(len);
	snprintf(msg, len, "%s: object %s is corrupt (%s)", shown, hex, why);
	git_error_set_str(GIT_ERROR_ODB, msg);
	pthread_mutex_lock(&g->lock);
	if (!g->fault) {
		g->fault = msg;
		msg = NULL;
	}
	pthread_mutex_unlock(&g->lock);
	free(msg);
	return GIT_ERROR;
}

/* Every loose file of `oid` the object folders hold must be sound. */
static int guard_oid(struct fb_odb_guard *g, const git_oid *oid)
{
	char hex[GIT_OID_HEXSZ + 1];
	struct fb_buf path = FB_BUF_INIT;
	const char *why = NULL;
	size_t i;
	int rc = GIT_PASSTHROUGH;

	if (is_sound(g, oid))
		return GIT_PASSTHROUGH;
	git_oid_fmt(hex, oid);
	hex[GIT_OID_HEXSZ] = '\0';
	for (i = 0; i < g->ndirs && rc == GIT_PASSTHROUGH; i++) {
		fb_buf_reset(&path);
		fb_buf_addf(&path, "%s/%.2s/%s", g->dirs[i], hex, hex + 2);
		if (check_file(path.ptr, &why) == LOOSE_BAD)
			rc = refuse(g, path.ptr, oid, why);
	}
	fb_buf_release(&path);
	if (rc == GIT_PASSTHROUGH)
		mark_sound(g, oid);
	return rc;
}

static int guard_read(void **data, size_t *len, git_object_t *type, git_odb_backend *b,
		      const git_oid *oid)
{
	(void)data, (void)len, (void)type;
	return guard_oid((struct fb_odb_guard *)b, oid);
}

static int guard_read_header(size_t *len, git_object_t *type, git_odb_backend *b,
			     const git_oid *oid)
{
	(void)len, (void)type;
	return guard_oid((struct fb_odb_guard *)b, oid);
}

static int guard_readstream(git_odb_stream **s, size_t *len, git_object_t *type,
			    git_odb_backend *b, const git_oid *oid)
{
	(void)s, (void)len, (void)type;
	return guard_oid((struct fb_odb_guard *)b, oid);
}

/* A short id: every loose file whose name starts with it. */
static int guard_read_prefix(git_oid *full, void **data, size_t *len, git_object_t *type,
			     git_odb_backend *b, const git_oid *prefix, size_t n)
{
	struct fb_odb_guard *g = (struct fb_odb_guard *)b;
	char hex[GIT_OID_HEXSZ + 1];
	struct fb_buf path = FB_BUF_INIT;
	size_t i;
	int rc = GIT_PASSTHROUGH;

	(void)full, (void)data, (void)len, (void)type;
	if (n >= GIT_OID_HEXSZ)
		return guard_oid(g, prefix);
	git_oid_fmt(hex, prefix);
	hex[GIT_OID_HEXSZ] = '\0';
	for (i = 0; i < g->ndirs && rc == GIT_PASSTHROUGH && n >= 2; i++) {
		DIR *dir;
		struct dirent *de;
		fb_buf_reset(&path);
		fb_buf_addf(&path, "%s/%.2s", g->dirs[i], hex);
		if (!(dir = opendir(path.ptr)))
			continue;
		while (rc == GIT_PASSTHROUGH && (de = readdir(dir))) {
			char whole[GIT_OID_HEXSZ + 1];
			git_oid oid;
			if (strlen(de->d_name) != GIT_OID_HEXSZ - 2 ||
			    strncmp(de->d_name, hex + 2, n - 2))
				continue;
			memcpy(whole, hex, 2);
			memcpy(whole + 2, de->d_name, GIT_OID_HEXSZ - 2);
			whole[GIT_OID_HEXSZ] = '\0';
			if (git_oid_fromstr(&oid, whole) == 0)
				rc = guard_oid(g, &oid);
		}
		closedir(dir);
	}
	fb_buf_release(&path);
	return rc;
}

static void guard_free(git_odb_backend *b)
{
	struct fb_odb_guard *g = (struct fb_odb_guard *)b;
	size_t i;
	for (i = 0; i < g->ndirs; i++)
		free(g->dirs[i]);
	pthread_mutex_destroy(&g->lock);
	free(g->sound);
	free(g->fault);
	free(g->root);
	free(g);
}

/* Add the object folder `dir` (trailing slashes dropped), once. */
static void add_dir(struct fb_odb_guard *g, const char *dir, size_t len)
{
	size_t i;
	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (!len || g->ndirs == MAX_DIRS)
		return;
	for (i = 0; i < g->ndirs; i++)
		if (strlen(g->dirs[i]) == len && !strncmp(g->dirs[i], dir, len))
			return;
	g->dirs[g->ndirs++] = fb_strndup(dir, len);
}

/* The folders `base`/info/alternates names, one a line, relative ones from `base`. */
static void add_alternates(struct fb_odb_guard *g, const char *base)
{
	struct fb_buf file = FB_BUF_INIT, one = FB_BUF_INIT;
	const char *p, *nl;

	fb_buf_addf(&file, "%s/info/alternates", base);
	if (fb_buf_read_file(&one, file.ptr, 1 << 20) == 0) {
		fb_buf_reset(&file);
		fb_buf_add(&file, one.ptr, one.len);
		for (p = file.ptr; p && *p; p = nl ? nl + 1 : NULL) {
			size_t len;
			nl = strchr(p, '\n');
			len = nl ? (size_t)(nl - p) : strlen(p);
			if (!len || *p == '#')
				continue;
			fb_buf_reset(&one);
			if (*p != '/')
				fb_buf_addf(&one, "%s/", base);
			fb_buf_add(&one, p, len);
			add_dir(g, one.ptr, one.len);
		}
	}
	fb_buf_release(&file);
	fb_buf_release(&one);
}

int fb_odb_guard_install(git_repository *git, const char *root, bool from_env,
			 struct fb_odb_guard **out)
{
	struct fb_odb_guard *g;
	git_buf objects = GIT_BUF_INIT;
	git_odb *odb = NULL;
	const char *env;
	size_t i, first;

	*out = NULL;
	if (git_repository_odb(&odb, git) < 0)
		return -1;
	g = fb_calloc(1, sizeof(*g));
	git_odb_init_backend(&g->parent, GIT_ODB_BACKEND_VERSION);
	g->parent.read = guard_read;
	g->parent.read_prefix = guard_read_prefix;
	g->parent.read_header = guard_read_header;
	g->parent.readstream = guard_readstream;
	g->parent.free = guard_free;
	g->root = fb_strdup(root);
	pthread_mutex_init(&g->lock, NULL);

	env = from_env ? getenv("GIT_OBJECT_DIRECTORY") : NULL;
	if (env && *env)
		add_dir(g, env, strlen(env));
	else if (git_repository_item_path(&objects, git, GIT_REPOSITORY_ITEM_OBJECTS) == 0)
		add_dir(g, objects.ptr, objects.size);
	git_buf_dispose(&objects);
	env = from_env ? getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES") : NULL;
	while (env && *env) {
		const char *colon = strchr(env, ':');
		size_t len = colon ? (size_t)(colon - env) : strlen(env);
		add_dir(g, env, len);
		env = colon ? colon + 1 : NULL;
	}
	/* one level of info/alternates under each folder named so far */
	first = g->ndirs;
	for (i = 0; i < first; i++)
		add_alternates(g, g->dirs[i]);

	if (git_odb_add_backend(odb, &g->parent, GUARD_PRIORITY) < 0) {
		guard_free(&g->parent);
		git_odb_free(odb);
		return -1;
	}
	git_odb_free(odb); /* the repository keeps the odb, the odb keeps the guard */
	*out = g;
	return 0;
}

const char *fb_odb_guard_fault(struct fb_odb_guard *g)
{
	const char *f;
	if (!g)
		return NULL;
	pthread_mutex_lock(&g->lock);
	f = g->fault;
	pthread_mutex_unlock(&g->lock);
	return f;
}
