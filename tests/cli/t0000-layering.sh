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
	test "$(grep -l "#include <git2.h>" src/*.c src/*.h)" = "src/repo.h" &&
	for f in $(grep -l "#include \"repo.h\"" src/*.c); do
		case $f in src/repo.c|src/store.c|src/store_odb.c|src/vcs.c|src/setup.c|src/history.c) ;; *) echo "repo.h in $f"; exit 1;; esac
	done &&
	for f in $(grep -l "#include <pcre2.h>" src/*.c); do
		case $f in src/regex.c) ;; *) echo "pcre2.h in $f"; exit 1;; esac
	done
'

test_expect_success 'every core .c file opens with a design comment' '
	for f in src/*.c src/cli/*.c; do
		head -1 "$f" | grep -q "^/\*" || { echo "$f"; exit 1; }
	done
'

test_done
