#!/bin/sh
test_description='make install puts the binary, the manual and the completion in place'
. "$(dirname "$0")/lib.sh"

test_expect_success 'make install DESTDIR PREFIX' '
	make -s -C "$FB_SRCDIR" install DESTDIR="$TRASH/dest" PREFIX=/usr \
		BUILD="${FB_BUILD#$FB_SRCDIR/}" >out 2>&1 &&
	test -x dest/usr/bin/fieldbook &&
	test_path_is_file dest/usr/share/man/man1/fieldbook.1 &&
	test_path_is_file dest/usr/share/bash-completion/completions/fieldbook &&
	dest/usr/bin/fieldbook --version >out &&
	test_grep "^fieldbook [0-9]" out
'

command -v man >/dev/null && test_set_prereq MAN
test_expect_success MAN 'the manual renders, and names every command' '
	MANWIDTH=100 man -l "$FB_SRCDIR/fieldbook.1" >man.txt 2>err &&
	for c in query show validate fmt schema new edit rm commit log diff blame audit summary plan report init hook status sync resolve merge-driver; do
		test_grep "^   $c" man.txt || return 1
	done
'

test_expect_success 'bash completion offers commands, types and records' '
	fb_demo demo &&
	cat >complete.sh <<-\EOF &&
	. "$FB_SRCDIR/src/cli/completion.bash"
	cd demo
	COMP_WORDS=(fieldbook ""); COMP_CWORD=1; _fieldbook; echo "${COMPREPLY[*]}"
	COMP_WORDS=(fieldbook schema export ""); COMP_CWORD=3; _fieldbook; echo "${COMPREPLY[*]}"
	COMP_WORDS=(fieldbook show contacts/c-000); COMP_CWORD=2; _fieldbook
	printf "%s\n" "${COMPREPLY[@]}" | sort | head -2
	COMP_WORDS=(fieldbook edit visits/v-028); COMP_CWORD=2; _fieldbook; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "; echo
	COMP_WORDS=(fieldbook hook ""); COMP_CWORD=2; _fieldbook; echo "${COMPREPLY[*]}"
	COMP_WORDS=(fieldbook query contacts --b); COMP_CWORD=3; _fieldbook; echo "query: ${COMPREPLY[*]}"
	EOF
	bash complete.sh >out &&
	test_grep "^query show validate fmt schema new edit rm commit log diff blame audit summary plan report init hook status sync resolve help" out &&
	test_grep "^visits/v-0280 visits/v-0281 visits/v-0282 visits/v-0283 $" out &&
	test_grep "^install pre-commit pre-receive$" out &&
	test_grep "^assessments contacts counties visits$" out &&
	test_grep "^contacts/c-0001$" out &&
	test_grep "^query: --bom$" out
'

test_done
