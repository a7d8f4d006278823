#!/bin/sh
test_description='global options, help, version and exit codes'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	fb_demo repo
'

test_expect_success '--version' '
	fieldbook --version >out &&
	test_grep "^fieldbook [0-9]" out
'

test_expect_success '--help and help go to stdout and exit 0' '
	fieldbook --help >out 2>err &&
	test_grep "^usage: fieldbook" out &&
	test_grep "validate" out &&
	test_must_be_empty err &&
	fieldbook help show >out &&
	test_grep "^usage: fieldbook show TYPE/ID" out &&
	fieldbook show --help >out2 &&
	test_cmp out out2 &&
	fieldbook -C repo validate --help >out &&
	test_grep "^usage: fieldbook validate" out
'

test_expect_success 'no command is a usage error' '
	test_expect_code 2 fieldbook >out 2>err &&
	test_grep "^usage:" err
'

test_expect_success 'unknown command, option or value: exit 2' '
	test_expect_code 2 fieldbook frobnicate 2>err &&
	test_grep "unknown command .frobnicate." err &&
	test_expect_code 2 fieldbook validate --frob 2>err &&
	test_grep "unknown option .--frob." err &&
	test_expect_code 2 fieldbook --frob validate 2>err &&
	test_expect_code 2 fieldbook -C repo validate --format 2>err &&
	test_grep "needs a value" err &&
	test_expect_code 2 fieldbook -C repo validate --format xml 2>err &&
	test_grep "unknown format .xml. (one of text, json)" err &&
	test_expect_code 2 fieldbook --calendar persian validate 2>err &&
	test_grep "jalali or gregorian" err &&
	test_expect_code 2 fieldbook --color sometimes validate 2>err &&
	test_expect_code 2 fieldbook --today 1403/13/01 validate 2>err &&
	test_grep "month 13 out of range" err &&
	test_expect_code 2 env FIELDBOOK_TODAY=yesterday "$FIELDBOOK" validate 2>err &&
	test_grep "yesterday" err
'

test_expect_success 'global options before or after the command name' '
	fieldbook -C repo validate >out1 &&
	fieldbook validate -C repo >out2 &&
	test_cmp out1 out2 &&
	fieldbook --calendar gregorian -C repo --color never validate --today today >out3 &&
	test_cmp out1 out3
'

test_expect_success 'every --format takes only its own names, before any work' '
	for cmd in validate "show contacts/c-0001" "query contacts" log diff "blame contacts/c-0001" \
		audit summary plan report; do
		test_expect_code 2 fieldbook -C repo $cmd --format xml 2>err || return 1
		test_grep "unknown format .xml. (one of " err || return 1
		test "$(grep -c "^fieldbook: error:" err)" = 1 || return 1
	done &&
	fieldbook -C repo query contacts --format json >out &&
	test_grep "^\[" out &&
	fieldbook -C repo summary --format json --format markdown >out &&
	test_grep "^|" out
'

test_expect_success 'outside a fieldbook repository: exit 3' '
	mkdir plain && (cd plain && git init -q) &&
	test_expect_code 3 fieldbook -C plain validate 2>err &&
	test_grep "not a fieldbook repository" err &&
	test_expect_code 3 fieldbook -C /nonexistent validate 2>err
'

test_expect_success 'found from a sub-folder, like git' '
	(cd repo/records/contacts && fieldbook validate >../../../out) &&
	test_grep "checked: all valid" out
'

test_expect_success 'README: the broken-record example prints what a fresh clone prints' '
	fb_demo readme &&
	sed -n "/^id: c-0999\$/,/^nmae: x\$/p" "$FB_SRCDIR/README.md" >readme/records/contacts/c-0999.yaml &&
	test_line_count = 8 readme/records/contacts/c-0999.yaml &&
	sed -n "/^\$ .\/fieldbook validate contacts\/c-0999/,/^\`\`\`/p" "$FB_SRCDIR/README.md" |
		sed "1d;\$d" >expect &&
	rm readme/.git/hooks/pre-commit &&
	test_expect_code 1 fieldbook -C readme validate contacts/c-0999 >actual 2>&1 &&
	test_cmp expect actual
'

test_done
