#!/bin/sh
test_description='the layering rules of DESIGN.md hold'
. "$(dirname "$0")/lib.sh"

cd "$FB_SRCDIR" || exit 1

test_expect_success 'the core never prints or exits' '
	! grep -nE "\<(printf|fprintf|puts|fputs|putchar|perror|exit|_exit)[[:space:]]*\(" src/*.c
'

test_expect_success 'the CLI reaches outside libraries only through the core' '
	! grep -nE "#include <(git2|yaml|pcre2)" src/cli/*.c &&
	! grep -nE "#include \"\.\./" src/cli/*.c
'

test_expect_success 'public headers do not expose outside libraries' '
	! grep -nE "#include <(git2|yaml|pcre2)" include/fieldbook/*.h
'

test_expect_success 'each outside library is reached from few core files' '
	test "$(grep -l "#include <yaml.h>" src/*.c)" = "src/node.c" &&
	test "$(grep -l "#include <git2.h>" src/*.c src/*.h)" = "src/repo_int.h" &&
	for f in $(grep -l "#include \"repo_int.h\"" src/*.c); do
		case $f in src/repo.c|src/store.c|src/store_odb.c|src/vcs.c|src/setup.c|src/history.c) ;; *) echo "repo_int.h in $f"; exit 1;; esac
	done &&
	for f in $(grep -l "#include <pcre2.h>" src/*.c); do
		case $f in src/regex.c) ;; *) echo "pcre2.h in $f"; exit 1;; esac
	done
'

# the headers a core file (and its public header) includes from fieldbook
fb_includes() {
	cat "src/$1.c" "include/fieldbook/$1.h" 2>/dev/null |
		sed -n -e "s/^#include <fieldbook\/\([a-z_]*\)\.h>.*/\1/p" \
			-e "s/^#include \"\([a-z_]*\)\.h\".*/\1/p" | sort -u
}

test_expect_success 'the core never reaches into the CLI' '
	! grep -nE "#include [<\"](\.\./)?(cli/|cli\.h)" src/*.c src/*.h include/fieldbook/*.h
'

test_expect_success 'the bottom modules use only what lies below them' '
	for m in buf diag text date node regex; do
		case $m in
		buf) allowed="buf common" ;;
		text) allowed="buf common text" ;;
		diag|date|regex) allowed="buf common diag text $m" ;;
		node) allowed="buf common diag node text" ;;
		esac
		for h in $(fb_includes $m); do
			case " $allowed " in *" $h "*) ;; *) echo "$m includes $h"; return 1 ;; esac
		done
	done
'

test_expect_success 'git is reached only by the files that speak git, through repo_int.h' '
	for f in $(grep -lE "#include \"(repo_int|vcs_int|history_int)\.h\"" src/*.c src/*.h); do
		case $f in
		src/repo.c|src/store.c|src/store_odb.c|src/vcs.c|src/vcs_commit.c|src/vcs_sync.c|src/vcs_remote.c|src/vcs_status.c|src/vcs_int.h|src/setup.c|src/history.c|src/history_int.h) ;;
		*) echo "git reached from $f"; return 1 ;;
		esac
	done &&
	test "$(grep -lE "git_blob_(lookup|rawcontent)" src/*.c)" = "src/store.c" &&
	! grep -lE "git_[a-z_]+\(" src/buf.c src/diag.c src/text.c src/date.c src/node.c src/regex.c \
		src/schema*.c src/crossref.c src/query*.c src/check.c src/fmt.c src/diff.c \
		src/settings.c src/summary.c src/cli/*.c
'

test_expect_success 'command files never call each other, and util.c never calls main.c' '
	! grep -nE "^[a-z][a-z_ *]* \**(cli|fb)_[a-z_]*\(" src/cli/cmd_*.c &&
	! grep -n "cli_commands\|run_help\|usage_all" src/cli/util.c
'

test_expect_success 'every core .c file opens with a design comment' '
	for f in src/*.c src/*.h src/cli/*.c; do
		head -1 "$f" | grep -q "^/\*" || { echo "$f"; exit 1; }
	done
'

test_done
