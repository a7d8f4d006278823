/*
 * fieldbook's entry point: global options, the command table, dispatch.
 *
 * Global options may come before the command name (parsed here) or after it
 * (cli_getopt merges them into every command's options).  `fieldbook help
 * CMD`, `fieldbook CMD --help` and `fieldbook --help` print usage on stdout
 * and exit 0.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const struct cli_command cli_commands[] = {
	{"show", cmd_show, "show TYPE/ID [--at REV|DATE] [--format yaml|json]",
	 "print one record as stored (yaml: the file's text)",
	 "  --at REV|DATE    the record as it was at a revision, or at the end of a day\n"
	 "  --format FORMAT  yaml (default) or json\n"},
	{"validate", cmd_validate,
	 "validate [--rev REV] [--format text|json] [TARGET...]\n"
	 "       fieldbook validate --schema SCHEMA [--format text|json] FILE...",
	 "check records against their schemas: every error in one pass, each with file:line:col",
	 "  --rev REV        check the records of a revision instead of the working tree\n"
	 "  --format FORMAT  text (default) or json\n"
	 "  --schema SCHEMA  outside a repository: check YAML or JSON files against one schema\n"
	 "  TARGET           TYPE, TYPE/ID or a path to a record file (default: all)\n"},
	{"query", cmd_query,
	 "query TYPE [EXPR] [-w EXPR]... [-q TEXT] [-f FIELDS] [-s [-]FIELD]... [-n N] [-c]\n"
	 "       [-g FIELD] [--at REV|DATE] [--format table|yaml|json|csv|tsv|ids] [--bom]",
	 "select records with an expression (see fieldbook(1), QUERY EXPRESSIONS)",
	 "  EXPR             e.g. \"county = jiroft and role = party-member\"\n"
	 "  -w EXPR          another condition, ANDed (repeatable)\n"
	 "  -q TEXT          quick search: every word somewhere in the record's text\n"
	 "  -f FIELDS        columns: id,name,county.name (with -g: FIELD, count(), avg(PATH), ...)\n"
	 "  -s [-]FIELD      sort (descending with -); repeat for more keys\n"
	 "  -n N             at most N rows\n"
	 "  -c               print the number of matching records\n"
	 "  -g FIELD         group by FIELD: one row per value, with count\n"
	 "  --at REV|DATE    the records as they were at a revision or the end of a day\n"
	 "  --format FORMAT  table (default), yaml, json, csv, tsv or ids\n"
	 "  --bom            with --format csv: a UTF-8 byte-order mark first (for Excel)\n"},
	{"fmt", cmd_fmt, "fmt [--check] [TARGET...]",
	 "rewrite records into the canonical layout, keeping every comment",
	 "  --check          change nothing; list the files that would change (exit 1 if any)\n"
	 "  TARGET           TYPE, TYPE/ID or a path to a record file (default: all)\n"},
	{"new", cmd_new, "new TYPE [--id ID] [--set FIELD=VALUE]... [--no-edit] [--commit]",
	 "make a record from its schema, in your editor; written only when valid",
	 "  --id ID          the new record's id (default: the next of the schema's x-id)\n"
	 "  --set F=VALUE    set top-level field F (repeat for list items; [a, b] and\n"
	 "                   {k: v} are YAML flow values)\n"
	 "  --no-edit        do not open an editor: validate and write (for scripts)\n"
	 "  --commit         commit the new record\n"},
	{"edit", cmd_edit, "edit TYPE/ID [--commit]",
	 "edit a record in $VISUAL/$EDITOR; an invalid result is never written",
	 "  --commit         commit the change\n"
	 "  TYPE/ID          the record (or a path to its file)\n"},
	{"rm", cmd_rm, "rm TYPE/ID [--commit] [--force]",
	 "delete a record, unless other records refer to it",
	 "  --commit         commit the deletion\n"
	 "  -f, --force      delete even while other records refer to it\n"},
	{"commit", cmd_commit, "commit [-m MSG] [--author \"NAME <EMAIL>\"] [--sign] [TARGET...]",
	 "validate the whole tree, then commit the changed records, schemas and settings",
	 "  -m, --message MSG  the commit message (default: made from the changes)\n"
	 "  --author A       \"NAME <EMAIL>\" (default: GIT_AUTHOR_*, then git config)\n"
	 "  -S, --sign       sign with gpg or ssh (gpg.format), as commit.gpgsign does\n"
	 "  TARGET           TYPE, TYPE/ID, a record path, schemas/NAME.yaml or\n"
	 "                   fieldbook.yaml (default: everything changed)\n"},
	{"log", cmd_log,
	 "log [TYPE/ID] [--since D] [--until D] [--author RE] [-n N] [--format text|json]",
	 "history, newest first: who changed which fields of which records, when",
	 "  TYPE/ID          only this record (followed across moves)\n"
	 "  --since D        from the start of day D (either calendar)\n"
	 "  --until D        to the end of day D\n"
	 "  --author RE      authors matching RE (\"NAME <EMAIL>\", Persian-aware)\n"
	 "  -n N             at most N commits\n"
	 "  --format FORMAT  text (default) or json\n"},
	{"diff", cmd_diff, "diff [REV [REV]] [TARGET...] [--format text|json]",
	 "field-level differences of records (default: HEAD against the working tree)",
	 "  REV              one: REV against the working tree; two: the first against the second\n"
	 "  TARGET           TYPE, TYPE/ID or a path under records/\n"
	 "  --format FORMAT  text (default) or json\n"},
	{"blame", cmd_blame, "blame TYPE/ID [--format text|json]",
	 "every field of a record with the commit, author and date that last set its value",
	 "  --format FORMAT  text (default) or json\n"},
	{"audit", cmd_audit, "audit [--since D] [--until D] [--strict] [--format text|json|csv]",
	 "every commit with its records and fields, and whether it was valid, validated, signed",
	 "  --since D, --until D  the range of days (default: all history)\n"
	 "  --strict         Validated-by and good signatures count (as require_signed_commits)\n"
	 "  --format FORMAT  text (default), json or csv (a row per commit and record)\n"},
	{"summary", cmd_summary,
	 "summary [--since D] [--until D] [--county ID] [--at REV|DATE] [--format text|markdown|json]",
	 "per county: contacts, visits, who is due, open follow-ups and issues, the governor's score",
	 "  --since D        from day D, or the start of a period (1403, 1403-05, 1403-Q2)\n"
	 "                   (default: the first day of the current Jalali season)\n"
	 "  --until D        to day D, or the end of a period (default: today)\n"
	 "  --county ID      only this county\n"
	 "  --at REV|DATE    the records as they were at a revision or the end of a day\n"
	 "  --format FORMAT  text (default), markdown or json\n"},
	{"plan", cmd_plan, "plan [--from D] [--weeks N] [--format text|json]",
	 "the next visit days: which county each, and whom to see there",
	 "  --from D         the first day to plan (default: today)\n"
	 "  --weeks N        how many weeks (default: 2)\n"
	 "  --format FORMAT  text (default) or json\n"},
	{"report", cmd_report, "report [--since D] [--until D] [--format html|markdown] [-o FILE]",
	 "the governor's report: one self-contained Persian HTML page (or markdown)",
	 "  --since D, --until D  the range, as for summary\n"
	 "  --format FORMAT  html (default) or markdown\n"
	 "  -o, --output FILE  write to FILE instead of standard output\n"},
	{"init", cmd_init, "init [DIR]",
	 "make DIR (default .) a fieldbook repository: schemas, settings, hooks, first commit",
	 "  DIR              a new folder, or an existing git repository's top\n"},
	{"hook", cmd_hook, "hook install|pre-commit|pre-receive",
	 "install the git hooks, or run one (git does that)",
	 "  install          write .git/hooks/pre-commit and pre-receive (again is fine)\n"
	 "  pre-commit       check what git commit is about to record\n"
	 "  pre-receive      check every commit a push brings (in a bare repository)\n"},
	{"merge-driver", cmd_merge_driver, "merge-driver BASE OURS THEIRS PATH",
	 "merge a record field by field (git runs it: merge.fieldbook.driver)",
	 "  BASE OURS THEIRS PATH   git's %O %A %B %P; the result is written over OURS;\n"
	 "                          exit 1 on a conflict, listed in .git/fieldbook/conflicts/\n"},
	{"resolve", cmd_resolve, "resolve TYPE/ID --ours|--theirs|--field PATH=ours|theirs|VALUE",
	 "settle a record's merge conflicts; commit then concludes the merge",
	 "  --ours           ours' value of every conflicting field (the record as it is now)\n"
	 "  --theirs         theirs' value of every conflicting field\n"
	 "  --field PATH=ours|theirs|VALUE   one field (/a/0/b or a.0.b); VALUE is YAML\n"},
	{"status", cmd_status, "status [--format text|json]",
	 "the records changed, staged or not, conflicts, drafts, ahead/behind the upstream",
	 "  --format F       text (default) or json\n"},
	{"sync", cmd_sync, "sync [REMOTE] [--no-push]",
	 "fetch, merge record by record, validate, commit the merge and push",
	 "  REMOTE           a remote's name, URL or path (default: the upstream, else origin)\n"
	 "  --no-push        fetch and merge only\n"},
	{"schema", cmd_schema, "schema export TYPE",
	 "print a type's schema as one JSON document (references bundled)",
	 "  export TYPE      the schema of TYPE, with schemas/_*.yaml definitions copied in\n"},
	{NULL, NULL, NULL, NULL, NULL},
};

/* The usage of fieldbook as a whole: the commands, then the global options. */
static void usage_all(FILE *out)
{
	const struct cli_command *c;

	fprintf(out, "usage: fieldbook [GLOBAL OPTIONS] COMMAND [ARGS]\n\n"
		     "fieldbook keeps an office's records as YAML files in a git repository.\n\n"
		     "commands:\n");
	for (c = cli_commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\n%s\nSee fieldbook(1) for the whole manual.\n", cli_global_help);
}

static const struct cli_command *find_command(const char *name)
{
	const struct cli_command *c;
	for (c = cli_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int run_help(struct fb_ctx *ctx, int argc, char **argv)
{
	const struct cli_command *c;
	if (argc < 2) {
		usage_all(stdout);
		return EXIT_OK;
	}
	c = find_command(argv[1]);
	if (!c)
		return cli_usage_error(ctx, "unknown command '%s'", argv[1]);
	cli_usage(stdout, c);
	return EXIT_OK;
}

static void init_context(struct fb_ctx *ctx)
{
	const char *no_color = getenv("NO_COLOR");
	memset(ctx, 0, sizeof(*ctx));
	ctx->today = fb_day_of_time(time(NULL));
	ctx->calendar = FB_CAL_JALALI;
	fb_settings_default(&ctx->settings);
	ctx->color = isatty(2) && !(no_color && *no_color);
	ctx->ocolor = isatty(1) && !(no_color && *no_color);
	fb_diag_init(&ctx->diag);
}

int main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	struct fb_ctx ctx;
	const char *env_today, *fault;
	int status, opt;
	size_t i;

	setlocale(LC_CTYPE, "");
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	init_context(&ctx);
	ctx.argv0 = argv[0];

	if (getenv("FIELDBOOK_THREADS"))
		ctx.threads = (unsigned)strtoul(getenv("FIELDBOOK_THREADS"), NULL, 10);
	env_today = getenv("FIELDBOOK_TODAY");
	if (env_today && *env_today && (status = cli_global_option(&ctx, OPT_TODAY, env_today)))
		return status;

	/* global options before the command name */
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+:hC:", cli_global_options, NULL)) != -1) {
		if (opt == '?' || opt == ':')
			return cli_usage_error(&ctx, "%s '%s'",
					       opt == '?' ? "unknown option" : "missing value for",
					       argv[optind - 1]);
		if (opt == OPT_HELP) {
			usage_all(stdout);
			return EXIT_OK;
		}
		if (opt == OPT_VERSION) {
			printf("fieldbook %s\n", FB_VERSION);
			return EXIT_OK;
		}
		if ((status = cli_global_option(&ctx, opt, optarg)))
			return status;
	}
	if (optind >= argc) {
		usage_all(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help"))
		return run_help(&ctx, argc - optind, argv + optind);
	ctx.cmd = find_command(argv[optind]);
	if (!ctx.cmd)
		return cli_usage_error(&ctx, "unknown command '%s'; 'fieldbook --help' lists them",
				       argv[optind]);

	status = ctx.cmd->fn(argc - optind, argv + optind, &ctx);
	/*
	 * A damaged git object makes a read fail, which some readers take for
	 * "not there"; whatever the command made of it, the answer is 3.
	 */
	fault = fb_repo_fault(ctx.repo);
	if (fault) {
		for (i = 0; i < ctx.diag.n; i++)
			if (strstr(ctx.diag.v[i].message, fault))
				ctx.fault_shown = true;
		if (!ctx.fault_shown)
			fb_diag_addf(&ctx.diag, FB_SEV_ERROR, NULL, 0, 0, "%s", fault);
		status = EXIT_ENV;
	}
	cli_flush_diag(&ctx);
	cli_refused_links(&ctx, FB_SEV_WARNING);
	cli_flush_diag(&ctx);
	fb_diag_release(&ctx.diag);
	fb_diag_release(&ctx.settings_diag);
	fb_settings_release(&ctx.settings);
	fb_repo_free(ctx.repo);
	if (fflush(stdout) != 0 && status == EXIT_OK)
		status = cli_error(&ctx, EXIT_ENV, "cannot write the output");
	return status;
}
