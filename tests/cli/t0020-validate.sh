#!/bin/sh
test_description='validate: every problem of every record in one pass'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	fb_demo demo &&
	fb_repo repo &&
	mkdir -p repo/records/counties repo/records/contacts/a repo/records/contacts/b &&
	printf "id: jiroft\nname: جیرفت\n" >repo/records/counties/jiroft.yaml &&
	for i in 1 2 3; do
		printf "id: c-000$i\nname: n$i\nrole: other\ncounty: jiroft\nstatus: active\n" \
			>repo/records/contacts/a/c-000$i.yaml || return 1
	done &&
	(cd repo && git add -A && git commit -qm init)
'

test_expect_success 'the demo data set is valid' '
	fieldbook -C demo validate >out 2>err &&
	test_must_be_empty err &&
	test_grep "^[0-9]* records checked: all valid$" out
'

test_expect_success 'a clean repository: exit 0 and a one-line verdict' '
	fieldbook -C repo validate >out 2>err &&
	test_must_be_empty err &&
	echo "4 records checked: all valid" >expect &&
	test_cmp expect out
'

test_expect_success 'every error of every file, sorted, in one run' '
	printf "id: c-0002\nname: x\nname: y\nrole: &r other\n" >repo/records/contacts/a/c-0002.yaml &&
	printf "id: c-0009\nname: [\n" >repo/records/contacts/b/c-0005.yaml &&
	test_expect_code 1 fieldbook -C repo validate >out 2>err &&
	cat >expect <<-\EOF &&
	records/contacts/a/c-0002.yaml:3:1: error: duplicate key '\''name'\'' (first defined at 2:1)
	records/contacts/a/c-0002.yaml:4:7: error: anchors are not allowed in records ('\''&r'\''); write the value out
	records/contacts/b/c-0005.yaml:3:1: error: did not find expected node content (is the '\''['\'' at 2:7 closed?)
	EOF
	test_cmp expect err &&
	echo "5 records checked: 2 invalid, 3 errors" >expect &&
	test_cmp expect out
'

test_expect_success 'an id field must match the file name' '
	printf "id: c-0009\nname: z\nrole: other\ncounty: jiroft\nstatus: active\n" \
		>repo/records/contacts/b/c-0005.yaml &&
	git -C repo checkout -q records/contacts/a/c-0002.yaml &&
	test_expect_code 1 fieldbook -C repo validate contacts 2>err &&
	test_grep "^records/contacts/b/c-0005.yaml:1:5: error: /id: .c-0009. does not match the file name: the id is .c-0005." err
'

test_expect_success '--format json has the shape of SPEC 6' '
	test_expect_code 1 fieldbook -C repo validate --format json >out.json 2>err &&
	test_must_be_empty err &&
	python3 -c "
import json
r = json.load(open(\"out.json\"))
assert r[\"ok\"] is False and r[\"checked\"] == 5 and r[\"invalid\"] == 1, r
e = r[\"errors\"][0]
assert set(e) == {\"severity\", \"file\", \"line\", \"column\", \"path\", \"keyword\", \"value\", \"expected\", \"message\"}, e
assert e[\"severity\"] == \"error\" and e[\"file\"] == \"records/contacts/b/c-0005.yaml\", e
assert (e[\"line\"], e[\"column\"], e[\"path\"], e[\"keyword\"]) == (1, 5, \"/id\", \"id\"), e
assert e[\"value\"] == \"c-0009\" and e[\"expected\"] == \"c-0005\", e
" &&
	rm repo/records/contacts/b/c-0005.yaml &&
	fieldbook -C repo validate --format json >out.json &&
	python3 -c "
import json
r = json.load(open(\"out.json\"))
assert r == {\"ok\": True, \"checked\": 4, \"invalid\": 0, \"errors\": []}, r
"
'

test_expect_success 'targets: a type, a record, a path' '
	printf "id: c-0002\nname: x\nname: y\n" >repo/records/contacts/a/c-0002.yaml &&
	fieldbook -C repo validate counties >out &&
	echo "1 record checked: all valid" >expect && test_cmp expect out &&
	fieldbook -C repo validate contacts/c-0001 >out &&
	test_cmp expect out &&
	test_expect_code 1 fieldbook -C repo validate contacts/c-0002 >out 2>err &&
	test_grep "duplicate key" err &&
	(cd repo/records && test_expect_code 1 fieldbook validate contacts/a/c-0002.yaml) 2>err &&
	test_grep "duplicate key" err &&
	test_expect_code 2 fieldbook -C repo validate people 2>err &&
	test_grep "unknown type .people." err &&
	test_expect_code 2 fieldbook -C repo validate contacts/c-0404 2>err &&
	test_grep "no record .contacts/c-0404." err &&
	git -C repo checkout -q records/contacts/a/c-0002.yaml
'

test_expect_success 'the file rules of SPEC 1' '
	d=repo/records/contacts &&
	for f in ".#c-0001.yaml" "c-0001.yaml~" ".c-0001.yaml.swp" "c-0001.yaml.swo" \
		"c-0001.yaml.orig" "c-0001.yaml.tmp" README.md notes.txt; do
		echo "garbage: [" >"$d/$f" || return 1
	done &&
	mkdir "$d/.trash" && echo "x: [" >"$d/.trash/c-0008.yaml" &&
	fieldbook -C repo validate >out 2>err &&
	echo "4 records checked: all valid" >expect &&
	test_cmp expect out &&
	test_must_be_empty err
'

test_expect_success '*.yml gets a warning, not silence (exit 0)' '
	echo "id: c-0006" >repo/records/contacts/b/c-0006.yml &&
	fieldbook -C repo validate >out 2>err &&
	test_grep "^records/contacts/b/c-0006.yml:1:1: warning: record files end in .\.yaml.: rename this file to .c-0006.yaml." err &&
	test_grep "all valid, 1 warning" out &&
	rm repo/records/contacts/b/c-0006.yml
'

test_expect_success 'bad ids, duplicate ids across sub-folders' '
	echo "id: x" >"repo/records/contacts/b/C 7.yaml" &&
	cp repo/records/contacts/a/c-0003.yaml repo/records/contacts/b/c-0003.yaml &&
	test_expect_code 1 fieldbook -C repo validate >out 2>err &&
	test_grep "^records/contacts/b/C 7.yaml:1:1: error: .C 7. is not a valid record id" err &&
	test_grep "^records/contacts/b/c-0003.yaml:1:1: error: duplicate id .c-0003.: .records/contacts/a/c-0003.yaml. has it too" err &&
	test_grep "6 records checked: 2 invalid" out &&
	rm "repo/records/contacts/b/C 7.yaml" repo/records/contacts/b/c-0003.yaml
'

test_expect_success 'a folder without a schema, a record outside a type folder' '
	mkdir repo/records/people && echo "id: p" >repo/records/people/p.yaml &&
	echo "id: q" >repo/records/q.yaml &&
	test_expect_code 1 fieldbook -C repo validate 2>err &&
	test_grep "error: records/people/: no schema for this folder (expected schemas/people.yaml)" err &&
	test_grep "^records/q.yaml:1:1: warning: not inside a type folder" err &&
	rm -r repo/records/people repo/records/q.yaml
'

test_expect_success 'a FIFO named like a record does not hang validate' '
	mkfifo repo/records/contacts/c-0007.yaml &&
	timeout 10 "$FIELDBOOK" -C repo validate >out 2>err &&
	rm repo/records/contacts/c-0007.yaml
'

test_expect_success '--rev checks a revision without touching the disk' '
	printf "id: c-0001\nname: [\n" >repo/records/contacts/a/c-0001.yaml &&
	test_expect_code 1 fieldbook -C repo validate 2>err &&
	fieldbook -C repo validate --rev HEAD >out &&
	echo "4 records checked: all valid" >expect &&
	test_cmp expect out &&
	git -C repo commit --no-verify -qam broken &&
	test_expect_code 1 fieldbook -C repo validate --rev HEAD 2>err &&
	test_grep "^records/contacts/a/c-0001.yaml:3:1: error:" err &&
	fieldbook -C repo validate --rev HEAD~1 &&
	test_expect_code 2 fieldbook -C repo validate --rev nosuch 2>err &&
	test_grep "unknown revision .nosuch." err
'

test_expect_success 'fieldbook.yaml is checked too: every mistake at its line and column' '
	git -C repo checkout -q HEAD~1 -- records &&
	cat >repo/fieldbook.yaml <<-\EOF &&
	calendar: julian
	visit_days: [sunday, funday]
	stale_after_days: 0
	require_signed_commits: "yes"
	policy: []
	colour: red
	EOF
	test_expect_code 1 fieldbook -C repo validate 2>err &&
	cat >expect <<-\EOF &&
	fieldbook.yaml:1:11: error: /calendar: expected jalali or gregorian
	fieldbook.yaml:2:22: error: /visit_days: '"'"'funday'"'"' is not a weekday (sunday ... saturday, or یکشنبه ...)
	fieldbook.yaml:3:19: error: /stale_after_days: expected a whole number of days, 1 to 3650
	fieldbook.yaml:4:25: error: /require_signed_commits: expected true or false
	fieldbook.yaml:6:1: error: /colour: unknown setting '"'"'colour'"'"' (calendar, visit_days, stale_after_days, require_signed_commits, policy, office, province)
	EOF
	test_cmp expect err &&
	printf "calendar: gregorian\nvisit_days: [یکشنبه, tuesday]\n" >repo/fieldbook.yaml &&
	fieldbook -C repo validate &&
	rm repo/fieldbook.yaml
'

test_expect_success 'a number written with Persian or Arabic-Indic digits is that number' '
	rm -rf num && cp -R demo num &&
	c=num/records/contacts &&
	rec() { printf "id: %s\nname: %s\nrole: other\ncounty: bardsir\nstatus: active\ninfluence: %s\n" "$@"; } &&
	rec c-0901 "n ۱۲۳" "۴" >$c/c-0901.yaml &&
	rec c-0902 "۱۲۳" "٣" >$c/c-0902.yaml &&
	fieldbook -C num validate contacts/c-0901 contacts/c-0902 >out &&
	test_grep "all valid" out &&
	fieldbook -C num query contacts "id ~ ^c-090" -g status -f "avg(influence),sum(influence)" --format json >out &&
	test_grep "\"avg(influence)\": 3.5" out && test_grep "\"sum(influence)\": 7" out &&
	fieldbook -C num query contacts "influence = 4 and id ~ ^c-09" -f id >out &&
	printf "id\nc-0901\n" >expect && test_cmp expect out &&
	fieldbook -C num query contacts "influence < ۴ and id ~ ^c-09" -f id >out &&
	printf "id\nc-0902\n" >expect && test_cmp expect out &&
	fieldbook -C num show contacts/c-0902 --format json >out &&
	test_grep "\"influence\": 3,\{0,1\}$" out && test_grep "\"name\": \"۱۲۳\"" out &&
	rec c-0903 n "۹" >$c/c-0903.yaml &&
	rec c-0904 n "\"۴\"" >$c/c-0904.yaml &&
	rec c-0905 n "۴٫۵" >$c/c-0905.yaml &&
	rec c-0906 n "۴ تا ۵" >$c/c-0906.yaml &&
	test_expect_code 1 fieldbook -C num validate contacts/c-0903 contacts/c-0904 contacts/c-0905 contacts/c-0906 >out 2>err &&
	test_grep "^records/contacts/c-0903.yaml:6:12: error: /influence: 9 is greater than the maximum 5$" err &&
	test_grep "^records/contacts/c-0904.yaml:6:12: error: /influence: expected an integer, not a string" err &&
	test_grep "^records/contacts/c-0905.yaml:6:12: error: /influence: expected an integer, not a number" err &&
	test_grep "^records/contacts/c-0906.yaml:6:12: error: /influence: expected an integer, not a string" err &&
	rm $c/c-0903.yaml $c/c-0905.yaml $c/c-0906.yaml &&
	fieldbook -C num fmt contacts/c-0901 contacts/c-0902 contacts/c-0904 &&
	test_grep "^influence: 4$" $c/c-0901.yaml &&
	test_grep "^influence: 3$" $c/c-0902.yaml &&
	test_grep "^name: ۱۲۳$" $c/c-0902.yaml &&
	test_grep "^influence: \"۴\"$" $c/c-0904.yaml &&
	rec c-0901 n "-۰٫۵" >$c/c-0901.yaml &&
	test_expect_code 1 fieldbook -C num validate contacts/c-0901 2>err &&
	test_grep "/influence: -0.5 is less than the minimum 1$" err &&
	rec c-0901 n "۴" >$c/c-0901.yaml &&
	test_expect_code 1 fieldbook validate --schema num/schemas/contacts.yaml $c/c-0901.yaml 2>err &&
	test_grep "/influence: expected an integer, not a string" err
'

test_expect_success 'minItems/maxItems and minProperties/maxProperties count in words that agree' '
	printf "type: object\nproperties:\n  l: {type: array, maxItems: 0}\n  m: {type: object, maxProperties: 0}\n  k: {type: array, minItems: 2}\n" >count.schema.yaml &&
	printf "l: [1]\nm: {a: 1}\nk: [1]\n" >count.yaml &&
	test_expect_code 1 fieldbook validate --schema count.schema.yaml count.yaml 2>err &&
	test_grep "/l: has 1 item; at most 0 items$" err &&
	test_grep "/m: has 1 field; at most 0 fields$" err &&
	test_grep "/k: has 1 item; at least 2 items$" err
'

test_done
