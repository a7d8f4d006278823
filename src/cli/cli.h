/*
 * The command-line layer: what every cmd_<name>.c shares.
 *
 * The CLI is thin: it parses options, calls the core, prints what the core
 * returns and turns errors into the exit codes of SPEC §7.  Only this layer
 * prints or exits.
 */
#ifndef FIELDBOOK_CLI_H
#define FIELDBOOK_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include <fieldbook/buf.h>
#include <fieldbook/date.h>
#include <fieldbook/diag.h>
#include <fieldbook/node.h>
#include <fieldbook/settings.h>
#include <fieldbook/store.h>

/* SPEC §7 */
enum cli_exit {
	EXIT_OK = 0,
	EXIT_DATA = 1,  /* the data said no */
	EXIT_USAGE = 2, /* bad command line */
	EXIT_ENV = 3,   /* not a repository, git or I/O failure */
};

struct fb_ctx {
	const char *argv0;
	const char *dir; /* -C */
	int32_t today;
	enum fb_calendar calendar;
	bool calendar_given; /* by --calendar: fieldbook.yaml's does not apply */
	struct fb_settings settings; /* fieldbook.yaml's (defaults until cli_repo) */
	struct fb_diag settings_diag; /* what was wrong with it (cli_settings_warn says it) */
	bool color;  /* on stderr */
	bool ocolor; /* on stdout */
	bool show_confidential;
	bool exact;
	bool no_cache;
	bool help;        /* --help seen after the command name */
	unsigned threads; /* FIELDBOOK_THREADS; 0: one per processor */
	const struct cli_command *cmd;
	struct fb_repo *repo;
	struct fb_diag diag; /* diagnostics waiting to be printed */
	bool fault_shown;    /* a printed diagnostic named fb_repo_fault()'s object */
};

struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv, struct fb_ctx *ctx);
	const char *synopsis; /* after "fieldbook " */
	const char *summary;  /* one line */
	const char *help;     /* the options, one per line, already indented */
};

extern const struct cli_command cli_commands[];

/*
 * Option parsing shared by every command: the command's own options (short
 * and long, getopt_long style) merged with the global ones, so that global
 * options may follow the command name.  Returns the next command option's
 * `val`, or -1 at the end; global options are applied to the context on the
 * way.  On a bad option prints the error and returns '?'; on --help prints
 * the command's usage and returns 'h' (the command returns 0).
 */
struct cli_getopt {
	struct fb_ctx *ctx;
	int argc;
	char **argv;
	const char *shortopts;
	struct option *longopts;
	int optind; /* after the loop: the first positional argument */
	int status;
	/* cli_getopt_format: the option that names an output format */
	int format_opt;
	const char *const *format_names;
	int *format;
};
void cli_getopt_init(struct cli_getopt *g, struct fb_ctx *ctx, int argc, char **argv,
		     const char *shortopts, const struct option *longopts);
int cli_getopt_next(struct cli_getopt *g);
void cli_getopt_release(struct cli_getopt *g);
/*
 * The one --format handler: cli_getopt_next itself takes option `opt`'s
 * value as one of `names` (NULL-terminated) and stores its index in *format;
 * an unknown name is a usage error ('?' with g->status set, the choices
 * listed).  The command never sees `opt`.
 */
void cli_getopt_format(struct cli_getopt *g, int opt, const char *const *names, int *format);
/* After the loop, for a command that takes only options: 0, or EXIT_USAGE saying so. */
int cli_getopt_no_operands(const struct cli_getopt *g);

/* Apply a global option by its getopt value; returns 0, or EXIT_USAGE after printing why. */
int cli_global_option(struct fb_ctx *ctx, int opt, const char *arg);
/* getopt values of the global options (above the range of any short option). */
enum {
	OPT_DIR = 'C',
	OPT_HELP = 'h',
	OPT_TODAY = 1000,
	OPT_CALENDAR,
	OPT_COLOR,
	OPT_SHOW_CONFIDENTIAL,
	OPT_EXACT,
	OPT_NO_CACHE,
	OPT_VERSION,
};
extern const struct option cli_global_options[];

/* The usage of one command, then the global options (cli_global_help). */
void cli_usage(FILE *out, const struct cli_command *cmd);
extern const char cli_global_help[];
/* Print "fieldbook: error: MESSAGE" (with the command's usage hint) and return EXIT_USAGE. */
int cli_usage_error(struct fb_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the diagnostics gathered so far as the reason for a usage error; EXIT_USAGE. */
int cli_usage_flush(struct fb_ctx *ctx);
/* Print "fieldbook: error: MESSAGE" and return `code`. */
int cli_error(struct fb_ctx *ctx, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print (and clear) the context's diagnostics on stderr, sorted. */
void cli_flush_diag(struct fb_ctx *ctx);
/* The same, in the order they were added (each under the heading it came with). */
void cli_flush_diag_in_order(struct fb_ctx *ctx);
/*
 * Add the symbolic links the repository refused (fb_repo_refused_links) that
 * were not reported yet to the diagnostics, as `sev`: validate's errors, a
 * warning after any other command.
 */
void cli_refused_links(struct fb_ctx *ctx, enum fb_severity sev);
/*
 * After a core call failed with `err`: print the diagnostics and return
 * EXIT_USAGE (with the usage hint) when `err` is `usage_err` -- what the
 * call gives for a bad argument -- else EXIT_ENV.
 */
int cli_failed(struct fb_ctx *ctx, int err, int usage_err);
/* The exit code for a core error value. */
int cli_exit_code(int err);

/* Open the repository (once); EXIT_ENV after printing why when there is none. */
int cli_repo(struct fb_ctx *ctx);

/*
 * Say on stderr what cli_repo found wrong with fieldbook.yaml, each problem
 * at its file:line:col: warnings ("...; the default is used instead"), or
 * errors when `need_days` and the visit days could not be read -- then
 * EXIT_DATA.  0 otherwise.  Said once.
 */
int cli_settings_warn(struct fb_ctx *ctx, bool need_days);

/*
 * Open the source named by --at/--rev: NULL or "" means the working tree; a
 * date (any form of SPEC §2, or today±N) means the end of that local day;
 * anything else is a revision.
 */
int cli_source(struct fb_ctx *ctx, const char *at, struct fb_source **out);

/* Check that `type` is a type of the source; EXIT_USAGE with the known types otherwise. */
int cli_check_type(struct fb_ctx *ctx, struct fb_source *src, const char *type);

/*
 * The repository-relative path of record TYPE/ID in the working tree (or,
 * with `or_head`, in HEAD when the file is gone); EXIT_USAGE when there is
 * no such record.
 */
int cli_record_path(struct fb_ctx *ctx, const char *type, const char *id, bool or_head,
		    struct fb_buf *out);

/*
 * A TARGET of commit or diff as repository-relative paths, appended to
 * `out`: a file or folder that exists (relative to the current folder)
 * under records/ or schemas/, or fieldbook.yaml; TYPE/ID (where the record
 * is now and where HEAD has it: a moved record has both); TYPE.  EXIT_USAGE
 * (printed) for anything else.
 */
int cli_target_prefixes(struct fb_ctx *ctx, const char *arg, struct fb_strvec *out);

/*
 * The one TYPE/ID (or path) argument of show and blame, after opening the
 * repository: its type and id (the caller's to free); EXIT_USAGE (printed)
 * when there is not exactly one or it is not a record's name.
 */
int cli_target_arg(struct fb_ctx *ctx, int argc, char **argv, int optind, char **type, char **id);
/*
 * The one record argument of edit and rm (TYPE/ID or a path): its type, id
 * and repository-relative path, which must exist in the working tree;
 * EXIT_USAGE (printed) otherwise.  `type` and `id` are the caller's.
 */
int cli_record_arg(struct fb_ctx *ctx, int argc, char **argv, int optind, char **type, char **id,
		   struct fb_buf *path);

/*
 * Commit under the writer lock and print the result as git does; the exit
 * code.  Nothing to commit is an error (exit 1) unless `nothing_ok`.
 */
struct fb_commit_opts;
int cli_commit_paths(struct fb_ctx *ctx, const struct fb_commit_opts *o, bool nothing_ok);

/* Install the hooks, calling this binary by its absolute path; prints what it wrote unless `quiet`. */
int cli_install_hooks(struct fb_ctx *ctx, bool quiet);

/*
 * An aligned table of `nrows` x `ncols` cells (row 0: the header), columns
 * two spaces apart by display width; `right[c]` right-aligns column c
 * (NULL: none).  On a terminal (`tty`) long cells are cut with "…" and
 * each cell starts with an LRM, so right-to-left text cannot reorder the
 * row (SPEC §2).  The cells may be cut.
 */
void cli_table(struct fb_buf *out, struct fb_buf *cells, size_t nrows, size_t ncols, bool tty,
	       const bool *right);

/* Write a buffer to stdout; EXIT_ENV on a write error. */
int cli_write(const struct fb_buf *b);

int cmd_show(int argc, char **argv, struct fb_ctx *ctx);
int cmd_validate(int argc, char **argv, struct fb_ctx *ctx);
int cmd_schema(int argc, char **argv, struct fb_ctx *ctx);
int cmd_fmt(int argc, char **argv, struct fb_ctx *ctx);
int cmd_query(int argc, char **argv, struct fb_ctx *ctx);
int cmd_init(int argc, char **argv, struct fb_ctx *ctx);
int cmd_hook(int argc, char **argv, struct fb_ctx *ctx);
int cmd_merge_driver(int argc, char **argv, struct fb_ctx *ctx);
int cmd_resolve(int argc, char **argv, struct fb_ctx *ctx);
int cmd_status(int argc, char **argv, struct fb_ctx *ctx);
int cmd_sync(int argc, char **argv, struct fb_ctx *ctx);
int cmd_new(int argc, char **argv, struct fb_ctx *ctx);
int cmd_edit(int argc, char **argv, struct fb_ctx *ctx);
int cmd_rm(int argc, char **argv, struct fb_ctx *ctx);
int cmd_commit(int argc, char **argv, struct fb_ctx *ctx);
int cmd_log(int argc, char **argv, struct fb_ctx *ctx);
int cmd_diff(int argc, char **argv, struct fb_ctx *ctx);
int cmd_blame(int argc, char **argv, struct fb_ctx *ctx);
int cmd_audit(int argc, char **argv, struct fb_ctx *ctx);
int cmd_summary(int argc, char **argv, struct fb_ctx *ctx);
int cmd_plan(int argc, char **argv, struct fb_ctx *ctx);
int cmd_report(int argc, char **argv, struct fb_ctx *ctx);

#endif
