/*
 * The store: the record files of a repository (repo.h).
 *
 * Records are read from
 * a source: the working tree (what is on disk, like grep), or the tree of any
 * revision read through libgit2 without checkout.  The file rules of SPEC §1
 * live here and nowhere else: which names are records, which are ignored,
 * which get a warning (`*.yml`), what an id is, duplicate ids across
 * sub-folders, hostile TYPE/ID and paths, and symbolic links (never followed
 * out of the repository).
 *
 * git is opened lazily: listing and reading the working tree never touches
 * libgit2.
 */
#ifndef FIELDBOOK_STORE_H
#define FIELDBOOK_STORE_H

#include <stdbool.h>
#include <time.h>

#include "buf.h"
#include "diag.h"
#include "repo.h"

struct fb_source;

/* One record file. */
struct fb_entry {
	char *type;
	char *id;
	char *path;           /* repository-relative: records/contacts/c-0001.yaml */
	unsigned char oid[20]; /* the blob, when read from a revision */
	bool has_oid;
};

struct fb_entries {
	struct fb_entry *v;
	size_t n, alloc;
};
void fb_entries_release(struct fb_entries *es);
/* The entry with this id (entries must be sorted by fb_source_list). */
const struct fb_entry *fb_entries_find(const struct fb_entries *es, const char *id);

/* The working tree of `r`. */
int fb_source_worktree(struct fb_source **out, struct fb_repo *r);
/*
 * The tree of revision `rev` (anything git rev-parse takes that names a
 * commit or tree).  FB_ENOTFOUND when it names nothing.
 */
int fb_source_rev(struct fb_source **out, struct fb_repo *r, const char *rev, struct fb_diag *d);
/*
 * The tree as it was at instant `t`: the first commit of first-parent history
 * from HEAD whose committer time is <= t (never the reflog).
 */
int fb_source_at_time(struct fb_source **out, struct fb_repo *r, time_t t, struct fb_diag *d);
void fb_source_free(struct fb_source *s);
/*
 * A second handle on the same working tree, for another thread (each
 * source keeps its own open folder).  FB_ENOTFOUND for a revision: libgit2
 * objects are not shared between threads here.
 */
int fb_source_twin(struct fb_source **out, const struct fb_source *s);
/* "working tree" or the 40-hex commit id a revision source reads. */
const char *fb_source_name(const struct fb_source *s);

/*
 * The record types: the stems of schemas/<type>.yaml (not starting with
 * `_`), sorted.  A folder under records/ without a schema is an error in `d`.
 */
int fb_source_types(struct fb_source *s, struct fb_strvec *out, struct fb_diag *d);

/*
 * Lay a file over the source: reading and listing then see `text` at
 * `path` (repository-relative) instead of what the source holds, or no file
 * at all when `text` is NULL.  Used to check a record before it is written,
 * a tree with one file gone, or the tree a commit will make.  The source
 * keeps a copy.
 */
void fb_source_overlay(struct fb_source *s, const char *path, const char *text, size_t len);
/* Whether anything was laid over the source. */
bool fb_source_has_overlays(const struct fb_source *s);

/* Whether a file name under records/TYPE/ is a record (SPEC §1: *.yaml with a valid id). */
bool fb_is_record_name(const char *name);
/* The TYPE and ID of a record file's repository-relative path (records/TYPE/.../ID.yaml); false if it is not one. */
bool fb_record_path_parse(const char *path, char **type, char **id);
/* "TYPE/ID" of a record file's path (the caller frees it); NULL if it is not one. */
char *fb_record_path_name(const char *path);

/* Whether `path` is one of `prefixes` or lies under one (always, when there are none). */
bool fb_path_under(const char *path, const struct fb_strvec *prefixes);

/* Every file name in schemas/ ending in .yaml (types and `_` shared files), sorted. */
int fb_source_schema_files(struct fb_source *s, struct fb_strvec *out);

/*
 * The record files of `type`, sorted by id.  Files that break the rules of
 * SPEC §1 (bad id, duplicate id, link out of the repository) are reported in
 * `d` and left out; `*.yml` files get a warning.
 */
int fb_source_list(struct fb_source *s, const char *type, struct fb_entries *out,
		   struct fb_diag *d);

/* Read a record's bytes into `out` (replacing it).  Files over FB_NODE_MAX_FILE are an error. */
int fb_source_read(struct fb_source *s, const struct fb_entry *e, struct fb_buf *out,
		   struct fb_diag *d);

/*
 * Read any repository-relative file (a schema, fieldbook.yaml).
 * FB_ENOTFOUND (no diagnostic) when it does not exist.  In the working
 * tree, a file behind a symbolic link out of the repository (the file or a
 * folder above it) reads as absent too; the link is kept on the
 * repository (fb_repo_refused_links).
 */
int fb_source_read_path(struct fb_source *s, const char *path, struct fb_buf *out,
			struct fb_diag *d);

/*
 * Replace any file, by absolute path, atomically as fb_repo_write_file (repo.h)
 * does; `new_mode` for a new file, `label` names it in diagnostics.
 */
int fb_file_replace(const char *abs, const void *data, size_t len, unsigned new_mode,
		    const char *label, struct fb_diag *d);

/* Whether `id` is a valid record id (`^[a-z0-9][a-z0-9._-]{0,63}$`). */
bool fb_id_valid(const char *id);
/* Whether `type` is a valid type name (the same rule as ids). */
bool fb_type_valid(const char *type);

/*
 * Parse a command-line record argument: `TYPE/ID`, or a path (relative to
 * the current directory or absolute) to a record file inside the
 * repository's records/.  Anything else -- `..`, a path outside, control
 * characters, over 255 bytes -- is FB_EUSAGE with a diagnostic.  The type
 * and id are checked for shape only, not for existence.
 */
int fb_target_parse(struct fb_repo *r, const char *arg, char **type, char **id,
		    struct fb_diag *d);

#endif
