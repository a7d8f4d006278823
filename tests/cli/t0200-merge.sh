#!/bin/sh
test_description='record-aware merges: plain git merge through fieldbook merge-driver'
. "$(dirname "$0")/lib.sh"

C=records/contacts/c-0001.yaml

# edit CLONE SED-SCRIPT MESSAGE: change c-0001 in a clone and commit it with git
edit() {
	sed -i "$2" "$1/$C" && git -C "$1" commit -qam "$3"
}

# both_edit A-SED B-SED: from one commit, a and b each change c-0001; a pushes, b has yet to pull
both_edit() {
	git -C b push -q origin HEAD && git -C a pull -q --no-rebase origin main &&
	test_tick &&
	edit a "$1" "a: $1" && git -C a push -q origin HEAD &&
	edit b "$2" "b: $2"
}

# role_conflict A-ROLE B-ROLE: a and b set c-0001's role two ways; b's pull stops on it
role_conflict() {
	both_edit "s/^role: .*/role: $1/" "s/^role: .*/role: $2/" &&
	test_must_fail git -C b pull -q --no-rebase origin main 2>err
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
	both_edit "/^  - \"03431414213\"/a\\  - \"09130000001\"" \
		"/^  - \"03431414213\"/a\\  - \"09130000002\"" &&
	git -C b pull -q --no-rebase origin main &&
	sed -n "/^phones:/,/^[a-z]/p" b/$C >phones &&
	printf "phones:\n  - \"03431414213\"\n  - \"09130000002\"\n  - \"09130000001\"\ninfluence: 4  # after the 1403 elections\n" >expect &&
	test_cmp expect phones
'

test_expect_success 'the same field changed two ways: a conflict, no markers, the fields listed' '
	both_edit "s/^name: .*/name: زینب اسدی‌نیا/" \
		"s/^name: .*/name: زینب اسدی بردسیری/; s/^influence: .*/influence: 3/" &&
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

test_expect_success 'validate and commit refuse while the conflict is unresolved' '
	test_expect_code 1 fieldbook -C b validate >out 2>err &&
	test_grep "contacts/c-0001 has an unresolved merge conflict" err &&
	test_grep "^$C: error: contacts/c-0001 has an unresolved merge conflict" err &&
	test_expect_code 1 fieldbook -C b commit 2>err &&
	test_grep "$C: error: an unresolved merge conflict" err
'

test_expect_success 'resolve: a record edited since the merge is not merged over' '
	cp b/$C saved &&
	echo "# a note" >>b/$C &&
	test_expect_code 1 fieldbook -C b resolve contacts/c-0001 --theirs 2>err &&
	test_grep "edited since the merge: keep it as it is now with --ours" err &&
	cp saved b/$C
'

test_expect_success 'resolve --field PATH=VALUE settles it; commit concludes the merge' '
	fieldbook -C b resolve contacts/c-0001 --field name="زینب اسدی‌نیا بردسیری" >out &&
	test_grep "^resolved contacts/c-0001; fieldbook commit concludes the merge$" out &&
	test_grep "^name: زینب اسدی‌نیا بردسیری$" b/$C &&
	test_grep "^influence: 3$" b/$C &&
	test_path_is_missing b/.git/fieldbook/conflicts/contacts/c-0001.yaml &&
	git -C b ls-files -u >unmerged && test_must_be_empty unmerged &&
	fieldbook -C b validate &&
	test_tick &&
	fieldbook -C b commit >out &&
	git -C b log -1 --format=%p >parents && test "$(wc -w <parents)" = 2 &&
	git -C b log -1 --format=%B >msg &&
	test_grep "^Merge branch .main. of " msg &&
	test_grep "^Record: contacts/c-0001$" msg &&
	test_path_is_missing b/.git/MERGE_HEAD &&
	test -z "$(git -C b status --porcelain)" &&
	git -C b push -q origin HEAD
'

test_expect_success 'resolve --theirs and --ours, and what is not a conflict' '
	role_conflict congregational-imam civil-activist &&
	fieldbook -C b resolve contacts/c-0001 --theirs >out &&
	test_grep "^role: congregational-imam$" b/$C &&
	test_tick && fieldbook -C b commit >out && git -C b push -q origin HEAD &&
	role_conflict party-member civil-activist &&
	fieldbook -C b resolve contacts/c-0001 --ours >out &&
	test_grep "^role: civil-activist$" b/$C &&
	test_tick && fieldbook -C b commit >out &&
	test_expect_code 1 fieldbook -C b resolve contacts/c-0001 --ours 2>err &&
	test_grep "has no unresolved merge conflict" err &&
	test_expect_code 2 fieldbook -C b resolve contacts/c-0001 2>err &&
	test_grep "resolve wants --ours, --theirs or --field" err &&
	test_expect_code 2 fieldbook -C b resolve contacts/c-0001 --ours --theirs 2>err
'

test_expect_success 'resolve --field: a field with no conflict, a VALUE that is not YAML' '
	role_conflict security-council-member campaign-staff &&
	test_expect_code 2 fieldbook -C b resolve contacts/c-0001 --field name=x 2>err &&
	test_grep "^fieldbook: error: --field /name: contacts/c-0001 has no conflict there (its conflicts: /role)$" err &&
	test_expect_code 2 fieldbook -C b resolve contacts/c-0001 --field "role=[a" 2>err &&
	test_grep "^--field:[0-9]*:[0-9]*: error: did not find expected" err &&
	test_expect_code 2 fieldbook -C b resolve contacts/c-0001 --field role 2>err &&
	test_grep "field wants PATH=ours, PATH=theirs or PATH=VALUE" err &&
	git -C b ls-files -u $C >unmerged && test_line_count = 3 unmerged &&
	fieldbook -C b resolve contacts/c-0001 --field role=ours >out &&
	test_grep "^role: campaign-staff$" b/$C &&
	test_tick && fieldbook -C b commit >out
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
