/*
 * The store: a fieldbook repository and the record files in it.
 *
 * A repository is the first git work tree, from a start directory upward,
 * with `schemas/` and `records/` at its top (SPEC §1).  Records are read from
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

struct fb_repo;
struct fb_source;

/*
 * Find the repository holding `start` (a directory; NULL for the current
 * one).  FB_ENOTFOUND with a diagnostic when there is none.
 */
int fb_repo_discover(struct fb_repo **out, const char *start, struct fb_diag *d);
void fb_repo_free(struct fb_repo *r);
/* The absolute path of the work tree's top, without a trailing slash (the git folder when bare). */
const char *fb_repo_root(const struct fb_repo *r);

/*
 * Open the repository git runs a hook in: GIT_DIR, GIT_OBJECT_DIRECTORY and
 * GIT_ALTERNATE_OBJECT_DIRECTORIES (a push's quarantine) are honoured, and a
 * bare repository is fine; only revisions can be read from it.
 */
int fb_repo_open_env(struct fb_repo **out, struct fb_diag *d);
bool fb_repo_is_bare(const struct fb_repo *r);
/*
 * The first damaged git object any read of this repository met, as a
 * message naming its file and id ("PATH: object OID is corrupt (WHY)");
 * NULL while none.  A read that met one failed, so whatever it fed is
 * incomplete, even where a caller took the failure for a missing object.
 * Borrowed; valid until fb_repo_free.
 */
const char *fb_repo_fault(const struct fb_repo *r);
/* The git folder (.git, or the bare repository), absolute; NULL when git cannot open it. */
const char *fb_repo_git_dir(struct fb_repo *r, struct fb_diag *d);

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
 * Read a repository-relative file of the working tree, under the link rule
 * of fb_source_read_path; FB_ENOTFOUND (no diagnostic) when it is absent.
 */
int fb_repo_read_file(struct fb_repo *r, const char *path, struct fb_buf *out, struct fb_diag *d);

/*
 * Replace a repository-relative file of the working tree atomically: the
 * bytes go to a temporary file beside it (a dot name, so listings ignore
 * it), are flushed to disk, and the temporary file is renamed over the
 * old one; a crash leaves the old file or the new one, never half of one.
 * The old file's permissions are kept (0644 less the umask for a new
 * file); missing folders above it are made.  Nothing is written through
 * a symbolic link: a path with one on it is FB_EINVALID.
 */
int fb_repo_write_file(struct fb_repo *r, const char *path, const void *data, size_t len,
		       struct fb_diag *d);
/* Remove a repository-relative file of the working tree; never through a linked folder. */
int fb_repo_remove_file(struct fb_repo *r, const char *path, struct fb_diag *d);
/* The same for any absolute path; `new_mode` for a new file, `label` names it in diagnostics. */
int fb_file_replace(const char *abs, const void *data, size_t len, unsigned new_mode,
		    const char *label, struct fb_diag *d);

/*
 * Symbolic links refused since the repository was opened (SPEC §1): a
 * file or folder that is a link out of the repository, or a broken link,
 * met while reading the working tree.  Readers skip them quietly; the
 * command reports each once (fb_repo_link_told marks those already shown).
 */
struct fb_refused_link {
	char *path;      /* repository-relative: the link itself */
	const char *why; /* "symbolic link points outside the repository; not followed" */
	bool told;
};
const struct fb_refused_link *fb_repo_refused_links(struct fb_repo *r, size_t *n);
void fb_repo_link_told(struct fb_repo *r, const char *path);

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
