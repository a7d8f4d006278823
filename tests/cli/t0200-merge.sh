#!/bin/sh
test_description='record-aware merges: plain git merge through fieldbook merge-driver'
. "$(dirname "$0")/lib.sh"

C=records/contacts/c-0001.yaml

# edit CLONE SED-SCRIPT MESSAGE: change c-0001 in a clone and commit it with git
edit() {
	sed -i "$2" "$1/$C" && git -C "$1" commit -qam "$3"
}

test_expect_success 'setup: a server and two clones, each with the driver' '
	fb_demo seed &&
	git -C seed ls-files .gitattributes >tracked && test_grep "^.gitattributes$" tracked &&
	git clone -q --bare seed server.git &&
	for c in a b; do
		git clone -q server.git $c &&
		git -C $c config user.name "$c" && git -C $c config user.email "$c@example.org" &&
		(cd $c && fieldbook hook install >../$c.out) || return 1
	done &&
	test_grep "installed the merge driver" a.out &&
	git -C a config --get merge.fieldbook.driver >driver &&
	test_grep " merge-driver %O %A %B %P$" driver &&
	git -C a check-attr merge $C >attr &&
	test_grep "merge: fieldbook" attr
'

test_expect_success 'different fields of one record merge, comments on both sides stay' '
	test_tick &&
	edit a "s/^influence: 5/influence: 4  # after the 1403 elections/" "a: influence" &&
	git -C a push -q origin HEAD &&
	edit b "s/^status: active/status: inactive/; 1i # met again in Azar" "b: status" &&
	git -C b pull -q --no-rebase origin main 2>err &&
	test_must_fail grep -q "<<<<<<<\|>>>>>>>" b/$C &&
	test_grep "^influence: 4  # after the 1403 elections$" b/$C &&
	test_grep "^status: inactive$" b/$C &&
	test_grep "^# met again in Azar$" b/$C &&
	test -z "$(git -C b status --porcelain)" &&
	git -C b log -1 --format=%p >parents && test "$(wc -w <parents)" = 2 &&
	fieldbook -C b validate
'

test_expect_success 'appended phones on both sides become both' '
	git -C b push -q origin HEAD && git -C a pull -q --no-rebase origin main &&
	test_tick &&
	edit a "/^  - \"03431414213\"/a\\  - \"09130000001\"" "a: phone" &&
	git -C a push -q origin HEAD &&
	edit b "/^  - \"03431414213\"/a\\  - \"09130000002\"" "b: phone" &&
	git -C b pull -q --no-rebase origin main &&
	sed -n "/^phones:/,/^[a-z]/p" b/$C >phones &&
	printf "phones:\n  - \"03431414213\"\n  - \"09130000002\"\n  - \"09130000001\"\ninfluence: 4  # after the 1403 elections\n" >expect &&
	test_cmp expect phones
'

test_expect_success 'the same field changed two ways: a conflict, no markers, the fields listed' '
	git -C b push -q origin HEAD && git -C a pull -q --no-rebase origin main &&
	test_tick &&
	edit a "s/^name: .*/name: زینب اسدی‌نیا/" "a: name" &&
	git -C a push -q origin HEAD &&
	edit b "s/^name: .*/name: زینب اسدی بردسیری/; s/^influence: .*/influence: 3/" "b: name" &&
	test_must_fail git -C b pull -q --no-rebase origin main >out 2>err &&
	test_grep "CONFLICT (fields) in $C: /name" err &&
	test_must_fail grep -q "<<<<<<<\|=======\|>>>>>>>" b/$C &&
	test_grep "^name: زینب اسدی بردسیری$" b/$C &&
	f=b/.git/fieldbook/conflicts/contacts/c-0001.yaml &&
	test_path_is_file $f &&
	test_grep "^  - field: \"/name\"$" $f &&
	test_grep "^    ours: \"زینب اسدی بردسیری\"$" $f &&
	test_grep "^    theirs: \"زینب اسدی‌نیا\"$" $f &&
	git -C b ls-files -u $C >unmerged && test_line_count = 3 unmerged
'

test_expect_success 'merge-driver: usage, and a file that is not a record' '
	test_expect_code 2 fieldbook -C a merge-driver x y 2>err &&
	test_grep "merge-driver takes BASE OURS THEIRS PATH" err &&
	printf "a\n" >a/o && printf "b\n" >a/t && printf "c\n" >a/base &&
	test_expect_code 1 fieldbook -C a merge-driver base o t records/notes.txt 2>err &&
	test_grep "records/notes.txt is not a record" err &&
	test "$(cat a/o)" = a
'

test_done
