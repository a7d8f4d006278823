/*
 * Growable byte strings, string vectors and the allocation wrappers.
 *
 * A buffer starts out pointing at the shared empty string fb_buf_slop with
 * alloc == 0; the first growth moves it to the heap.  Every operation keeps
 * ptr[len] == '\0'.  Allocation failure aborts through fb_oom(), so callers
 * never check for NULL.
 *
 * Arenas grow by chunks that double up to 1 MiB; a request larger than a
 * chunk gets a chunk of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fieldbook/buf.h>

char fb_buf_slop[1];

_Noreturn void fb_oom(void)
{
	static const char msg[] = "fieldbook: fatal: out of memory\n";
	ssize_t r = write(2, msg, sizeof(msg) - 1);
	(void)r;
	abort();
}

void *fb_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		fb_oom();
	return p;
}

void *fb_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		fb_oom();
	return p;
}

void *fb_realloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		fb_oom();
	return p;
}

char *fb_strndup(const char *s, size_t n)
{
	char *p = fb_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *fb_strdup(const char *s)
{
	return fb_strndup(s, strlen(s));
}

void fb_buf_init(struct fb_buf *b)
{
	b->ptr = fb_buf_slop;
	b->len = 0;
	b->alloc = 0;
}

void fb_buf_release(struct fb_buf *b)
{
	if (b->alloc)
		free(b->ptr);
	fb_buf_init(b);
}

void fb_buf_reset(struct fb_buf *b)
{
	if (b->alloc)
		fb_buf_setlen(b, 0);
}

char *fb_buf_detach(struct fb_buf *b, size_t *len)
{
	char *p;
	if (len)
		*len = b->len;
	p = b->alloc ? b->ptr : fb_strdup("");
	fb_buf_init(b);
	return p;
}

void fb_buf_grow(struct fb_buf *b, size_t extra)
{
	size_t want;
	if (extra > SIZE_MAX / 2 - b->len)
		fb_oom();
	want = b->len + extra + 1;
	if (want <= b->alloc)
		return;
	if (want < b->alloc * 3 / 2)
		want = b->alloc * 3 / 2;
	if (want < 64)
		want = 64;
	if (b->alloc) {
		b->ptr = fb_realloc(b->ptr, want);
	} else {
		b->ptr = fb_malloc(want);
		b->ptr[0] = '\0';
	}
	b->alloc = want;
}

void fb_buf_setlen(struct fb_buf *b, size_t len)
{
	if (!b->alloc) {
		if (len == 0)
			return;
		fb_buf_grow(b, len);
	}
	b->len = len;
	b->ptr[len] = '\0';
}

void fb_buf_add(struct fb_buf *b, const void *data, size_t len)
{
	if (!len)
		return;
	fb_buf_grow(b, len);
	memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void fb_buf_puts(struct fb_buf *b, const char *s)
{
	fb_buf_add(b, s, strlen(s));
}

void fb_buf_putc(struct fb_buf *b, int c)
{
	fb_buf_grow(b, 1);
	b->ptr[b->len++] = (char)c;
	b->ptr[b->len] = '\0';
}

void fb_buf_addch(struct fb_buf *b, int c, size_t n)
{
	if (!n)
		return;
	fb_buf_grow(b, n);
	memset(b->ptr + b->len, c, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void fb_buf_vaddf(struct fb_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	fb_buf_grow(b, 64);
	n = vsnprintf(b->ptr + b->len, b->alloc - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= b->alloc - b->len) {
		fb_buf_grow(b, (size_t)n);
		n = vsnprintf(b->ptr + b->len, b->alloc - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void fb_buf_addf(struct fb_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fb_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void fb_buf_add_utf8(struct fb_buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	fb_buf_add(b, u, n);
}

void fb_buf_rtrim(struct fb_buf *b)
{
	size_t n = b->len;
	while (n && (b->ptr[n - 1] == ' ' || b->ptr[n - 1] == '\t' || b->ptr[n - 1] == '\n' ||
		     b->ptr[n - 1] == '\r'))
		n--;
	fb_buf_setlen(b, n);
}

int fb_write_all(int fd, const void *data, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, (const char *)data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		done += (size_t)w;
	}
	return 0;
}

int fb_buf_read_file(struct fb_buf *b, const char *path, size_t max)
{
	return fb_buf_read_fileat(b, AT_FDCWD, path, max, 0);
}

int fb_buf_read_fileat(struct fb_buf *b, int dirfd, const char *path, size_t max, int oflags)
{
	struct stat st;
	int fd, err = 0;
	size_t want;

	fb_buf_reset(b);
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | oflags); /* a FIFO must not block us */
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? FB_ENOTFOUND : FB_EIO;
	if (fstat(fd, &st) < 0) {
		err = FB_EIO;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		err = FB_EIO;
		goto out;
	}
	if (max && (size_t)st.st_size > max) {
		errno = EFBIG;
		err = FB_EINVALID;
		goto out;
	}
	want = (size_t)st.st_size;
	fb_buf_grow(b, want ? want : 64);
	for (;;) {
		ssize_t r;
		if (b->alloc - b->len < 2)
			fb_buf_grow(b, 4096);
		r = read(fd, b->ptr + b->len, b->alloc - b->len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = FB_EIO;
			goto out;
		}
		if (r == 0)
			break;
		b->len += (size_t)r;
		if (max && b->len > max) { /* grew while we read */
			errno = EFBIG;
			err = FB_EINVALID;
			goto out;
		}
		if (b->len == want)
			break; /* all of it: no read() just to learn it is the end */
	}
	b->ptr[b->len] = '\0';
out:
	if (err) {
		int e = errno;
		fb_buf_reset(b);
		close(fd);
		errno = e;
		return err;
	}
	close(fd);
	return 0;
}

void fb_buf_json_str(struct fb_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	fb_buf_grow(b, len + 2);
	fb_buf_putc(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[6];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		fb_buf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\t': esc = "\\t"; break;
		case '\r': esc = "\\r"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default:
			memcpy(u, "\\u00", 4);
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			fb_buf_add(b, u, 6);
			continue;
		}
		fb_buf_puts(b, esc);
	}
	fb_buf_add(b, s + run, len - run);
	fb_buf_putc(b, '"');
}

bool fb_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !memcmp(s + n - m, suffix, m);
}

void fb_buf_json_str_or_null(struct fb_buf *b, const char *s)
{
	if (s)
		fb_buf_json_str(b, s, strlen(s));
	else
		fb_buf_puts(b, "null");
}

void fb_buf_csv_field(struct fb_buf *b, const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len && s[i] != ',' && s[i] != '"' && s[i] != '\r' && s[i] != '\n'; i++)
		;
	if (i == len) {
		fb_buf_add(b, s, len);
		return;
	}
	fb_buf_putc(b, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			fb_buf_putc(b, '"');
		fb_buf_putc(b, s[i]);
	}
	fb_buf_putc(b, '"');
}

void fb_buf_tsv_field(struct fb_buf *b, const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '\t': fb_buf_puts(b, "\\t"); break;
		case '\n': fb_buf_puts(b, "\\n"); break;
		case '\r': fb_buf_puts(b, "\\r"); break;
		case '\\': fb_buf_puts(b, "\\\\"); break;
		default: fb_buf_putc(b, s[i]);
		}
	}
}

void fb_strvec_push(struct fb_strvec *sv, const char *s)
{
	FB_GROW(sv->v, sv->n, sv->alloc);
	sv->v[sv->n++] = fb_strdup(s);
}

void fb_strvec_release(struct fb_strvec *sv)
{
	size_t i;
	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->alloc = 0;
}

bool fb_strvec_has(const struct fb_strvec *sv, const char *s)
{
	size_t i;
	for (i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void fb_strvec_sort(struct fb_strvec *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
}

struct fb_arena_chunk {
	struct fb_arena_chunk *next;
	size_t used, size;
	_Alignas(max_align_t) char mem[];
};

void *fb_arena_alloc(struct fb_arena *a, size_t n)
{
	struct fb_arena_chunk *c = a->head;
	n = (n + 15) & ~(size_t)15;
	if (!c || c->size - c->used < n) {
		size_t size = n > 8192 ? n : 8192;
		if (c && c->size * 2 > size && c->size < (1 << 20))
			size = c->size * 2;
		c = fb_malloc(sizeof(*c) + size);
		c->next = a->head;
		c->used = 0;
		c->size = size;
		a->head = c;
	}
	c->used += n;
	return c->mem + c->used - n;
}

void *fb_arena_calloc(struct fb_arena *a, size_t n)
{
	void *p = fb_arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

char *fb_arena_strndup(struct fb_arena *a, const char *s, size_t n)
{
	char *p = fb_arena_alloc(a, n + 1);
	if (n)
		memcpy(p, s, n); /* s may be NULL when n is 0 */
	p[n] = '\0';
	return p;
}

void fb_arena_release(struct fb_arena *a)
{
	struct fb_arena_chunk *c = a->head;
	while (c) {
		struct fb_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

void fb_arena_adopt(struct fb_arena *dst, struct fb_arena *src)
{
	struct fb_arena_chunk *c = src->head;
	if (!c)
		return;
	while (c->next)
		c = c->next;
	/* src's chunks go behind dst's current one, which stays the one to fill */
	if (dst->head) {
		c->next = dst->head->next;
		dst->head->next = src->head;
	} else {
		dst->head = src->head;
	}
	src->head = NULL;
}
