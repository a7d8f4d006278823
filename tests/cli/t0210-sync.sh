#!/bin/sh
test_description='sync: fetch, record-aware merge, validate, push -- clones of one bare server (paths and file://)'
. "$(dirname "$0")/lib.sh"
. "$FB_SRCDIR/tests/cli/lib-sync.sh"

# unreferenced CLONE N: the Nth contact no visit or assessment names
unreferenced() {
	for f in "$1"/records/contacts/*.yaml; do
		id=$(basename $f .yaml)
		grep -rqw "$id" "$1"/records/visits "$1"/records/assessments && continue
		test "$2" = 1 && echo $id && return 0
		set -- "$1" $(($2 - 1))
	done
	return 1
}

test_expect_success 'setup: a server and three clones' '
	fb_demo seed &&
	git clone -q --bare seed server.git &&
	clone a && clone b && clone c &&
	fieldbook -C a sync >out &&
	test_grep "^up to date with origin/main$" out
'

test_expect_success 'different fields of one contact: merged, comments on both sides kept, pushed' '
	test_tick &&
	edit a "s/^influence: 5/influence: 4  # after the 1403 elections/" &&
	fieldbook -C a sync >out &&
	test_grep "^pushed 1 commit to origin/main$" out &&
	edit b "s/^status: active/status: inactive/; 1i # met again in Azar" &&
	fieldbook -C b sync >out &&
	test_grep "^merged 1 commit from origin/main$" out &&
	test_grep "^merged field by field: contacts/c-0001$" out &&
	test_grep "^pushed 2 commits to origin/main$" out &&
	test_grep "^influence: 4  # after the 1403 elections$" b/$C &&
	test_grep "^status: inactive$" b/$C &&
	test_grep "^# met again in Azar$" b/$C &&
	git -C b log -1 --format=%B >msg &&
	test_grep "^Merge branch .main. of origin$" msg &&
	test_grep "^Record: contacts/c-0001$" msg &&
	git -C b log -1 --format=%p >parents && test "$(wc -w <parents)" = 2 &&
	test -z "$(git -C b status --porcelain)" &&
	fieldbook -C a sync >out && test_grep "^took 2 commits from origin/main$" out &&
	fieldbook -C c sync >out && same_tree a b && same_tree a c &&
	test "$(git -C server.git rev-parse main)" = "$(git -C a rev-parse HEAD)"
'

test_expect_success 'appended phones on both sides: both kept' '
	edit a "/^  - \"03431414213\"/a\\  - \"09130000001\"" && fieldbook -C a sync >out &&
	edit b "/^  - \"03431414213\"/a\\  - \"09130000002\"" && fieldbook -C b sync >out &&
	test_grep "09130000001" b/$C && test_grep "09130000002" b/$C &&
	fieldbook -C a sync >out && same_tree a b
'

test_expect_success 'uncommitted records: refused, listed, nothing moves' '
	edit c "s/^influence: .*/influence: 3/" && fieldbook -C c sync >out &&
	echo "# draft note" >>a/$C &&
	state a >before &&
	test_expect_code 1 fieldbook -C a sync >out 2>err &&
	test_grep "^$C: error: not committed" err &&
	test_grep "sync refused: 1 file is not committed; commit them first" err &&
	state a >after && test_cmp before after &&
	git -C a checkout -q -- $C
'

test_expect_success 'the same field two ways: a conflict, no markers; resolve --theirs, sync concludes it' '
	fieldbook -C a sync >out && fieldbook -C b sync >out &&
	edit a "s/^role: .*/role: party-member/" && fieldbook -C a sync >out &&
	edit b "s/^role: .*/role: civil-activist/" &&
	test_expect_code 1 fieldbook -C b sync >out 2>err &&
	test_grep "^merging 1 commit from origin/main: in conflict$" out &&
	test_grep "CONFLICT (fields) in contacts/c-0001" err &&
	test_must_fail grep -q "<<<<<<<\|=======\|>>>>>>>" b/$C &&
	test_grep "^role: civil-activist$" b/$C &&
	test_grep "^  - field: \"/role\"$" b/.git/fieldbook/conflicts/contacts/c-0001.yaml &&
	git -C b ls-files -u $C >unmerged && test_line_count = 3 unmerged &&
	fieldbook -C b status >st && test_grep "^  conflict  contacts/c-0001$" st &&
	test_expect_code 1 fieldbook -C b sync >out 2>err &&
	test_grep "a merge is in progress with 1 unresolved record" err &&
	fieldbook -C b resolve contacts/c-0001 --theirs >out &&
	fieldbook -C b sync >out &&
	test_grep "^committed the merge in progress$" out &&
	test_grep "^pushed 2 commits to origin/main$" out &&
	test_grep "^role: party-member$" b/$C &&
	test_path_is_missing b/.git/MERGE_HEAD &&
	fieldbook -C a sync >out && same_tree a b
'

test_expect_success 'resolve --ours and --field after a sync conflict' '
	edit a "s/^role: .*/role: campaign-staff/" && fieldbook -C a sync >out &&
	edit b "s/^role: .*/role: security-council-member/" &&
	test_expect_code 1 fieldbook -C b sync >out 2>err &&
	fieldbook -C b resolve contacts/c-0001 --ours >out && fieldbook -C b sync >out &&
	test_grep "^role: security-council-member$" b/$C &&
	fieldbook -C a sync >out && same_tree a b &&
	edit a "s/^name: .*/name: زینب اسدی‌نیا/" && fieldbook -C a sync >out &&
	edit b "s/^name: .*/name: زینب اسدی بردسیری/" &&
	test_expect_code 1 fieldbook -C b sync >out 2>err &&
	fieldbook -C b resolve contacts/c-0001 --field "name=زینب اسدی‌نیا بردسیری" >out &&
	fieldbook -C b sync >out &&
	test_grep "^name: زینب اسدی‌نیا بردسیری$" b/$C &&
	fieldbook -C a sync >out && same_tree a b
'

test_expect_success 'removed on one side, changed on the other: a conflict' '
	fieldbook -C c sync >out &&
	id=$(unreferenced a 1) && R=records/contacts/$id.yaml &&
	git -C a rm -q $R && fieldbook -C a commit -m "a: rm $id" >/dev/null &&
	fieldbook -C a sync >out &&
	sed -i "s/^influence: .*/influence: 1/" c/$R && fieldbook -C c commit -m "c: c-0002" >/dev/null &&
	test_expect_code 1 fieldbook -C c sync >out 2>err &&
	test_grep "CONFLICT (fields) in contacts/$id" err &&
	test_path_is_file c/$R &&
	fieldbook -C c resolve contacts/$id --ours >out && fieldbook -C c sync >out &&
	test_path_is_file c/$R &&
	fieldbook -C a sync >out && test_path_is_file a/$R && same_tree a c
'

test_expect_success 'a merge that breaks a reference: refused with the reason, nothing moves' '
	fieldbook -C b sync >out &&
	id=$(unreferenced a 2) &&
	git -C a rm -q records/contacts/$id.yaml && fieldbook -C a commit -m "a: rm $id" >/dev/null &&
	fieldbook -C a sync >out &&
	V=$(ls b/records/visits/1403/*.yaml | tail -1) &&
	sed -i "s/^contacts:/contacts:\n  - $id/" $V &&
	fieldbook -C b commit -m "b: $id visited" >/dev/null &&
	state b >before &&
	test_expect_code 1 fieldbook -C b sync >out 2>err &&
	test_grep "the merge does not validate" err &&
	test_grep "$id" err &&
	state b >after && test_cmp before after &&
	git -C b fsck --no-progress >fsck.out 2>&1 &&
	git -C b reset -q --hard HEAD~1
'

test_expect_success 'ids chosen offline: a contact and a visit to it in two clones, both kept, distinct' '
	fieldbook -C a sync >out && fieldbook -C b sync >out &&
	for x in a b; do
		fieldbook -C $x new contacts --no-edit --set "name=نفر $x" --set role=party-member \
			--set county=kerman --set status=active >$x.new 2>&1 &&
		cid=$(tail -1 $x.new) &&
		fieldbook -C $x new visits --no-edit --set date=1403/09/10 --set county=kerman \
			--set "staff=[$x]" --set "contacts=[${cid#contacts/}]" --set kind=meeting \
			--set "summary=دیدار $x" >$x.vnew 2>&1 &&
		fieldbook -C $x commit -m "$x: new contact and visit" >/dev/null || return 1
	done &&
	test "$(tail -1 a.new)" = "$(tail -1 b.new)" &&
	fieldbook -C a sync >out &&
	fieldbook -C b sync >out &&
	cid=$(tail -1 b.new) && cid=${cid#contacts/} &&
	vid=$(tail -1 b.vnew) && vid=${vid#visits/} &&
	test_grep "^renumbered contacts/$cid to contacts/" out &&
	test_grep "^renumbered visits/$vid to visits/" out &&
	new_c=$(sed -n "s|^renumbered contacts/$cid to contacts/\([^:]*\):.*|\1|p" out) &&
	new_v=$(sed -n "s|^renumbered visits/$vid to visits/\([^:]*\):.*|\1|p" out) &&
	test "$new_c" != "$cid" && test "$new_v" != "$vid" &&
	fieldbook -C a sync >out && same_tree a b &&
	fieldbook -C a show contacts/$cid >sa && test_grep "نفر a" sa &&
	fieldbook -C a show contacts/$new_c >sb && test_grep "نفر b" sb &&
	fieldbook -C a show visits/$vid >va && test_grep "^  - $cid$" va && test_grep "دیدار a" va &&
	fieldbook -C a show visits/$new_v >vb && test_grep "^  - $new_c$" vb && test_grep "دیدار b" vb &&
	test_grep "^id: $new_v$" $(find a/records/visits -name $new_v.yaml) &&
	fieldbook -C a validate
'

test_expect_success 'the same record added on both sides, written two ways: one record, not renumbered' '
	fieldbook -C a sync >out && fieldbook -C b sync >out &&
	printf "id: c-0900\nname: یک نفر\nrole: party-member\ncounty: kerman\nstatus: active\n" \
		>a/records/contacts/c-0900.yaml &&
	printf "# both met him\nid: c-0900\nrole: party-member\nname: یک نفر\nstatus: active\ncounty: kerman\n" \
		>b/records/contacts/c-0900.yaml &&
	fieldbook -C a commit -m "a: c-0900" >/dev/null && fieldbook -C a sync >out &&
	fieldbook -C b commit -m "b: c-0900" >/dev/null && fieldbook -C b sync >out &&
	test_must_fail grep -q "^renumbered" out &&
	test_path_is_missing b/records/contacts/c-0901.yaml &&
	fieldbook -C a sync >out && same_tree a b
'

test_expect_success 'plain git pull with the driver gives the tree sync gives' '
	fieldbook -C a sync >out && fieldbook -C b sync >out &&
	edit a "s/^influence: .*/influence: 1  # a: called in Dey/" &&
	fieldbook -C a sync >out &&
	edit b "s/^notes: .*/notes: b wrote this/; \$a # b: end note" &&
	cp -R b bgit &&
	git -C bgit config merge.fieldbook.driver "$(git -C b config merge.fieldbook.driver)" &&
	git -C bgit pull -q --no-rebase origin main &&
	fieldbook -C b sync --no-push >out &&
	test_grep "^merged 1 commit from origin/main$" out &&
	test_grep "^influence: 1  # a: called in Dey$" b/$C && test_grep "^notes: b wrote this$" b/$C &&
	test_grep "^# b: end note$" b/$C &&
	same_tree b bgit &&
	test "$(git -C b rev-parse HEAD)" != "$(git -C server.git rev-parse main)"
'

test_expect_success 'a remote that is not a fieldbook repository: refused, nothing moves' '
	git init -q --bare other.git && git init -q o && echo hi >o/README &&
	git -C o add README && git -C o commit -qm readme && git -C o push -q ../other.git HEAD:main &&
	state a >before &&
	test_expect_code 3 fieldbook -C a sync "$PWD/other.git" >out 2>err &&
	test_grep "is not a fieldbook repository: its branch main has no schemas/" err &&
	test_expect_code 3 fieldbook -C a sync "file://$PWD/other.git" >out 2>err &&
	test_grep "is not a fieldbook repository" err &&
	state a >after && test_cmp before after
'

test_expect_success 'a remote with no common history, an unknown remote, a missing server' '
	fb_demo stranger && git clone -q --bare stranger stranger.git &&
	test_expect_code 1 fieldbook -C a sync "$PWD/stranger.git" >out 2>err &&
	test_grep "shares no history with this repository" err &&
	test_expect_code 2 fieldbook -C a sync nosuch 2>err &&
	test_grep "no remote .nosuch." err &&
	test_expect_code 3 fieldbook -C a sync "$PWD/gone.git" 2>err &&
	test_grep "cannot fetch from" err &&
	git -C a fsck --no-progress >fsck.out 2>&1
'

test_expect_success 'the remote changed a schema: the merged tree is checked against the merged schemas' '
	fieldbook -C a sync >out && fieldbook -C b sync >out &&
	sed -i "s/^required:$/required:\n  - organization/" a/schemas/contacts.yaml &&
	grep -q "^  - organization$" a/schemas/contacts.yaml &&
	for f in a/records/contacts/*.yaml; do
		grep -q "^organization:" $f || echo "organization: دفتر" >>$f
	done &&
	fieldbook -C a commit -m "a: organization required" >/dev/null && fieldbook -C a sync >out &&
	fieldbook -C b new contacts --no-edit --set "name=بی سازمان" --set role=party-member \
		--set county=kerman --set status=active >new 2>&1 &&
	fieldbook -C b commit -m "b: a contact without organization" >/dev/null &&
	state b >before &&
	test_expect_code 1 fieldbook -C b sync >out 2>err &&
	test_grep "the merge does not validate" err &&
	test_grep "organization" err &&
	state b >after && test_cmp before after &&
	git -C b reset -q --hard origin/main
'

test_expect_success 'a damaged object on the remote: a clear error, nothing moves' '
	git clone -q --bare server.git damaged.git &&
	clone d damaged.git &&
	edit a "s/^notes: .*/notes: sent to a damaged server/" &&
	git -C a push -q "$PWD/damaged.git" HEAD:main &&
	obj=$(git -C damaged.git rev-parse main:$C) &&
	f=damaged.git/objects/$(echo $obj | cut -c1-2)/$(echo $obj | cut -c3-) &&
	test_path_is_file $f && chmod u+w $f && printf "garbage" >$f &&
	state d >before &&
	test_expect_code 3 fieldbook -C d sync >out 2>err &&
	test_grep "cannot fetch from" err &&
	state d >after && test_cmp before after &&
	git -C d fsck --no-progress >fsck.out 2>&1
'

test_expect_success 'a schema both sides changed differently: refused, nothing moves, git named' '
	fieldbook -C a sync >out && fieldbook -C b sync >out &&
	sed -i "0,/^title: .*/s//title: a title from a/" a/schemas/counties.yaml &&
	fieldbook -C a commit -m "a: title" >/dev/null && fieldbook -C a sync >out &&
	sed -i "0,/^title: .*/s//title: a title from b/" b/schemas/counties.yaml &&
	fieldbook -C b commit -m "b: title" >/dev/null &&
	state b >before &&
	test_expect_code 1 fieldbook -C b sync >out 2>err &&
	test_grep "^schemas/counties.yaml: error: changed on both sides and not a record" err &&
	test_grep "nothing here changed; merge that file with git (git merge origin/main)" err &&
	state b >after && test_cmp before after &&
	git -C b merge -q origin/main >/dev/null 2>&1; git -C b checkout -q --theirs schemas/counties.yaml &&
	git -C b add schemas/counties.yaml && git -C b commit -q --no-edit &&
	fieldbook -C b sync >out && fieldbook -C a sync >out && same_tree a b
'

test_expect_success 'a clone without the merge driver: sync says how to install it' '
	git clone -q server.git bare-clone &&
	git -C bare-clone config user.name n && git -C bare-clone config user.email n@x &&
	fieldbook -C bare-clone sync >out 2>err &&
	test_grep "warning: the record-aware merge driver is not installed in this clone" err &&
	test_grep "fieldbook hook install" err
'

test_expect_success 'status: clean after a sync, ahead after a commit' '
	fieldbook -C c sync >out &&
	fieldbook -C c status >st &&
	test_grep "^on branch main, 0 ahead and 0 behind origin/main" st &&
	test_grep "^nothing to commit" st &&
	test_grep "^hooks: installed; merge driver: installed$" st &&
	edit c "s/^influence: .*/influence: 4/" &&
	sed -i "s/^status: .*/status: inactive/" c/records/contacts/c-0005.yaml &&
	git -C c add records/contacts/c-0005.yaml &&
	fieldbook -C c status --format json >st.json &&
	python3 -c "
import json, sys
s = json.load(open(\"st.json\"))
assert s[\"branch\"] == \"main\" and s[\"upstream\"] == \"origin/main\", s
assert s[\"ahead\"] == 1 and s[\"behind\"] == 0, s
ch = {c[\"record\"]: c for c in s[\"changes\"]}
c5 = ch[\"contacts/c-0005\"]
assert c5[\"change\"] == \"modified\" and c5[\"staged\"] and not c5[\"unstaged\"], c5
assert c5[\"fields\"] == [\"/status\"], c5
assert s[\"conflicts\"] == [] and s[\"hooks_installed\"] and s[\"merge_driver_installed\"], s
"
'

test_done
