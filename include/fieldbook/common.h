/*
 * fieldbook core: what every module shares.
 *
 * Ownership, stated once for the whole public API:
 *   - `T **out` parameters receive an object the caller owns and frees with
 *     the matching `_free` (library objects) or `_release` (structs the
 *     caller allocated and `_init`ed);
 *   - `const T *` return values are borrowed from their owner and live as
 *     long as it does;
 *   - `const char *` arguments are never kept: the core copies what it needs.
 *   - `_free(NULL)` and `_release` of a zeroed struct are no-ops.
 *
 * Errors: a function that can fail returns 0 or a negative enum fb_error and
 * puts the details a user should read into a caller-supplied struct fb_diag.
 * Running out of memory is the only abort (fb_oom).  The core never prints
 * and never calls exit().
 */
#ifndef FIELDBOOK_COMMON_H
#define FIELDBOOK_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define FB_VERSION "0.1.0"

enum fb_error {
	FB_OK = 0,
	FB_ERROR = -1,     /* generic failure; details in the diag list */
	FB_ENOTFOUND = -3, /* the thing asked for does not exist */
	FB_EEXISTS = -4,   /* it exists already */
	FB_ESYNTAX = -5,   /* the input could not be read (YAML, expression, date) */
	FB_EINVALID = -6,  /* read fine, but breaks a rule */
	FB_EUSAGE = -7,    /* the caller's request itself is malformed (bad id, path) */
	FB_EIO = -8,       /* the system or git failed */
	FB_ELIMIT = -9,    /* a bounded operation (a regex match) hit its limit */
};

/* Allocation that never returns NULL: out of memory aborts with a message. */
void *fb_malloc(size_t n);
void *fb_calloc(size_t count, size_t size);
void *fb_realloc(void *p, size_t n);
char *fb_strdup(const char *s);
char *fb_strndup(const char *s, size_t n);

/* Report out-of-memory on stderr and abort(); the one place the core may end the process. */
_Noreturn void fb_oom(void);

#define FB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Grow a (pointer, count, capacity) array so that one more element fits.
 * `p` is an lvalue of pointer type; `n` and `cap` are size_t lvalues.
 */
#define FB_GROW(p, n, cap)                                                                         \
	do {                                                                                       \
		if ((n) >= (cap)) {                                                                \
			(cap) = (cap) ? (cap)*2 : 8;                                               \
			(p) = fb_realloc((p), (cap) * sizeof(*(p)));                               \
		}                                                                                  \
	} while (0)

#endif
