#!/bin/sh
test_description='show: one record, as stored, now or at a revision or date'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a repository with history' '
	fb_repo repo &&
	mkdir -p repo/records/counties repo/records/contacts/jiroft &&
	cat >repo/records/counties/jiroft.yaml <<-\EOF &&
	id: jiroft
	name: جیرفت
	EOF
	cat >repo/records/contacts/jiroft/c-0001.yaml <<-\EOF &&
	# added after the Esfand visit
	id: c-0001
	name: علي رضايي
	role: party-member
	county: jiroft
	phones:
	  - "09131234567"
	status: active
	EOF
	cd repo && git add -A && test_tick && git commit -qm first &&
	sed -i "s/status: active/status: inactive/" records/contacts/jiroft/c-0001.yaml &&
	test_tick && git commit -qam second &&
	sed -i "s/status: inactive/status: active  # back again/" records/contacts/jiroft/c-0001.yaml &&
	cd ..
'

test_expect_success 'yaml: the file exactly as it is on disk' '
	fieldbook -C repo show contacts/c-0001 >out &&
	test_cmp repo/records/contacts/jiroft/c-0001.yaml out
'

test_expect_success 'json: the fields plus _type, _id, _file' '
	fieldbook -C repo show contacts/c-0001 --format json >out.json &&
	python3 -c "
import json, sys
r = json.load(open(\"out.json\"))
assert r[\"_type\"] == \"contacts\" and r[\"_id\"] == \"c-0001\", r
assert r[\"_file\"] == \"records/contacts/jiroft/c-0001.yaml\", r
assert r[\"name\"] == \"علي رضايي\" and r[\"phones\"] == [\"09131234567\"], r
assert list(r)[:4] == [\"_type\", \"_id\", \"_file\", \"id\"], list(r)
"
'

test_expect_success '--at a revision reads git, not the disk' '
	fieldbook -C repo show contacts/c-0001 --at HEAD >out &&
	git -C repo show HEAD:records/contacts/jiroft/c-0001.yaml >expect &&
	test_cmp expect out &&
	fieldbook -C repo show contacts/c-0001 --at HEAD~1 >out &&
	test_grep "status: active$" out
'

test_expect_success '--at a date: the last commit of that local day' '
	day1=$(date -d @1700000060 +%Y-%m-%d) &&
	fieldbook -C repo show contacts/c-0001 --at "$day1" >out &&
	test_grep "status: inactive" out &&
	fieldbook -C repo show contacts/c-0001 --at 1500/01/01 >out &&
	test_grep "status: inactive" out &&
	test_expect_code 2 fieldbook -C repo show contacts/c-0001 --at 1350/01/01 2>err &&
	test_grep "no commit" err
'

test_expect_success '--at an unknown revision: exit 2' '
	test_expect_code 2 fieldbook -C repo show contacts/c-0001 --at nosuchref 2>err &&
	test_grep "neither a date nor a revision" err
'

test_expect_success 'a path to the file works too, from anywhere inside' '
	fieldbook -C repo show records/contacts/jiroft/c-0001.yaml >out &&
	test_cmp repo/records/contacts/jiroft/c-0001.yaml out &&
	(cd repo/records/contacts/jiroft && fieldbook show ./c-0001.yaml) >out &&
	test_cmp repo/records/contacts/jiroft/c-0001.yaml out
'

test_expect_success 'unknown type or record: exit 2' '
	test_expect_code 2 fieldbook -C repo show people/c-0001 2>err &&
	test_grep "unknown type .people. (the types here: " err &&
	test_expect_code 2 fieldbook -C repo show contacts/c-9999 2>err &&
	test_grep "no record .contacts/c-9999." err
'

test_expect_success 'hostile TYPE/ID and paths: exit 2, nothing read' '
	long=$(printf "%0300d" 0) &&
	for arg in ../../etc/passwd /etc/passwd.yaml contacts/../../x "contacts/C-0001" \
		"contacts/c 1" "contacts/" "/c-0001" "contacts/c-0001/x" "" "$long" \
		"contacts/$long" "$(printf "contacts/c\001")" "records/../schemas/x.yaml" \
		"../repo/records/contacts/jiroft/c-0001.yaml" ".git/config" "contacts/.hidden"
	do
		test_expect_code 2 fieldbook -C repo show "$arg" 2>err >out || return 1
		test_must_be_empty out || return 1
	done
'

test_expect_success 'show and blame take exactly one TYPE/ID' '
	for cmd in show blame; do
		test_expect_code 2 fieldbook -C repo $cmd 2>err || return 1
		test_grep "^fieldbook: error: $cmd takes one TYPE/ID" err || return 1
		test_expect_code 2 fieldbook -C repo $cmd contacts/c-0001 contacts/c-0002 2>err ||
			return 1
		test_grep "^fieldbook: error: $cmd takes one TYPE/ID" err || return 1
	done
'

test_expect_success 'symbolic links are not followed out of the repository' '
	echo "secret: 1" >outside.yaml &&
	ln -s "$TRASH/outside.yaml" repo/records/contacts/c-0002.yaml &&
	test_expect_code 2 fieldbook -C repo show contacts/c-0002 2>err &&
	test_must_fail fieldbook -C repo validate contacts 2>err &&
	test_grep "records/contacts/c-0002.yaml:1:1: error: symbolic link points outside the repository" err &&
	rm repo/records/contacts/c-0002.yaml &&
	ln -s jiroft/c-0001.yaml repo/records/contacts/c-0003.yaml &&
	fieldbook -C repo show contacts/c-0003 >out &&
	test_grep "c-0001" out &&
	rm repo/records/contacts/c-0003.yaml
'

test_expect_success 'a record that does not parse is skipped with a warning (SPEC 4)' '
	printf "id: c-0004\nname: [\n" >repo/records/contacts/c-0004.yaml &&
	for format in yaml json; do
		fieldbook -C repo show contacts/c-0004 --format $format >out 2>err || return 1
		test_must_be_empty out || return 1
		test_grep "^records/contacts/c-0004.yaml: warning: does not parse" err || return 1
	done &&
	rm repo/records/contacts/c-0004.yaml
'

test_done
