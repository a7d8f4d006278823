#!/bin/sh
test_description='query: output formats, sorting, grouping, --at, limits, terminals'
. "$(dirname "$0")/lib.sh"

LRM=$(printf '\342\200\216')

test_expect_success 'setup: the query fixture with some history' '
	fb_repo repo &&
	cp -R "$FB_SRCDIR/tests/data/query/records/." repo/records/ &&
	(cd repo && git add -A && test_tick && git commit --no-verify -qm fixture) &&
	fb_demo demo
'

test_expect_success 'table: the x-summary columns, aligned, no LRM in a pipe' '
	fieldbook -C repo query contacts "county = kerman" >out &&
	head -1 out >header &&
	echo "id      name        role            county" >expect &&
	test_cmp expect header &&
	test_line_count = 4 out &&
	test_grep ! "$LRM" out
'

test_expect_success 'table: x-date values in the chosen calendar' '
	fieldbook -C repo query contacts "id = c-0003" -f id,first_met >out &&
	test_grep "c-0003  1403/05/12" out &&
	fieldbook -C repo --calendar gregorian query contacts "id = c-0003" -f id,first_met >out &&
	test_grep "c-0003  2024-08-02" out
'

test_expect_success 'csv: RFC 4180, header, quotes doubled, stored values as stored' '
	cat >repo/records/contacts/c-0011.yaml <<-\EOF &&
	id: c-0011
	name: "Smith, \"Bob\""
	role: other
	county: bam
	status: active
	first_met: 2024-08-02
	EOF
	fieldbook -C repo query contacts "county = bam" -f id,name,first_met --format csv >out &&
	printf "id,name,first_met\r\n" >expect &&
	head -1 out >got && test_cmp expect got &&
	test_grep "^c-0011,\"Smith, \"\"Bob\"\"\",2024-08-02" out &&
	test_grep "^c-0003,فاطمة حسین‌زاده,2024-08-02" out &&
	python3 -c "
import csv, sys
rows = list(csv.reader(open(\"out\", newline=\"\")))
assert rows[0] == [\"id\", \"name\", \"first_met\"], rows
assert [\"c-0011\", \"Smith, \\\"Bob\\\"\", \"2024-08-02\"] in rows, rows
"
'

test_expect_success 'csv --bom: a UTF-8 byte-order mark first (for Excel), only when asked' '
	fieldbook -C repo query contacts "county = bam" -f id,name --format csv --bom >bom.csv &&
	fieldbook -C repo query contacts "county = bam" -f id,name --format csv >plain.csv &&
	head -c 3 bom.csv | od -An -tx1 | tr -d " " >got &&
	echo efbbbf >expect &&
	test_cmp expect got &&
	head -c 3 plain.csv | od -An -tx1 | tr -d " " >got &&
	echo 69642c >expect &&
	test_cmp expect got &&
	tail -c +4 bom.csv >rest.csv &&
	test_cmp plain.csv rest.csv &&
	fieldbook -C repo query contacts "id = nobody" --format csv --bom >empty.csv &&
	printf "\357\273\277id,name,role,county\r\n" >expect &&
	test_cmp expect empty.csv
'

test_expect_success 'csv --bom: with another format, or with -c, a usage error' '
	for f in table json tsv yaml ids; do
		test_expect_code 2 fieldbook -C repo query contacts --format $f --bom >out 2>err &&
		test_must_be_empty out &&
		test_grep "^fieldbook: error: --bom goes with --format csv, not --format $f" err &&
		test_grep "^usage: fieldbook query" err || return 1
	done &&
	test_expect_code 2 fieldbook -C repo query contacts --bom >out 2>err &&
	test_grep "^fieldbook: error: --bom goes with --format csv, not --format table" err &&
	test_expect_code 2 fieldbook -C repo query contacts --format csv --bom -c >out 2>err &&
	test_must_be_empty out &&
	test_grep "^fieldbook: error: --bom goes with the rows of --format csv, not with -c" err
'

test_expect_success 'tsv: tabs and newlines in values escaped' '
	printf "id: c-0012\nname: x\nrole: other\ncounty: bam\nstatus: active\nnotes: |\n  line one\n  tab\there\n" \
		>repo/records/contacts/c-0012.yaml &&
	fieldbook -C repo query contacts "id = c-0012" -f id,notes --format tsv >out &&
	printf "id\tnotes\nc-0012\tline one\\\\ntab\\\\there\\\\n\n" >expect &&
	test_cmp expect out
'

test_expect_success 'json: records with _type, _id, _file; -f; -c; valid JSON' '
	fieldbook -C demo query contacts "county = jiroft" --format json >all.json &&
	fieldbook -C demo query contacts "county = jiroft" -f id,name,phones --format json >some.json &&
	fieldbook -C demo query contacts "county = jiroft" -c --format json >count.json &&
	python3 -c "
import json
a = json.load(open(\"all.json\")); s = json.load(open(\"some.json\")); c = json.load(open(\"count.json\"))
assert len(a) == len(s) == c[\"count\"] > 5, (len(a), len(s), c)
assert list(a[0])[:4] == [\"_type\", \"_id\", \"_file\", \"id\"], list(a[0])
assert all(r[\"county\"] == \"jiroft\" for r in a)
assert set(s[0]) == {\"_type\", \"_id\", \"_file\", \"id\", \"name\", \"phones\"}, s[0]
assert all(isinstance(r[\"phones\"], list) or r[\"phones\"] is None for r in s), s
"
'

test_expect_success 'yaml: each record as stored, as a stream of documents' '
	fieldbook -C demo query contacts "county = bam" --format yaml >out.yaml &&
	python3 -c "
import yaml
docs = [d for d in yaml.safe_load_all(open(\"out.yaml\")) if d]
assert docs and all(d[\"county\"] == \"bam\" for d in docs), docs
" &&
	fieldbook -C repo query contacts "county = bam" -f id,name --format yaml >some.yaml &&
	python3 -c "
import yaml
rows = yaml.safe_load(open(\"some.yaml\"))
ids = [r[\"id\"] for r in rows]
assert ids == sorted(ids) and ids[:3] == [\"c-0003\", \"c-0006\", \"c-0009\"], rows
assert rows[0][\"name\"] == \"فاطمة حسین‌زاده\" and rows[0][\"_file\"] == \"records/contacts/c-0003.yaml\", rows
"
'

test_expect_success 'ids, -c, -n' '
	fieldbook -C repo query visits "follow_ups.status = done" --format ids >out &&
	printf "visits/v-0001\nvisits/v-0002\n" >expect &&
	test_cmp expect out &&
	echo 3 >expect &&
	fieldbook -C repo query contacts "county = kerman" -c >out &&
	test_cmp expect out &&
	fieldbook -C repo query contacts "county = kerman" -c -n 1 >out &&
	test_cmp expect out &&
	fieldbook -C repo query contacts "county = kerman" -n 2 --format ids >out &&
	test_line_count = 2 out
'

test_expect_success 'sorting: typed (dates across calendars, numbers), descending, stable, missing last' '
	fieldbook -C repo query contacts "first_met" -f id -s first_met --format ids >out &&
	printf "contacts/c-0001\ncontacts/c-0002\ncontacts/c-0003\ncontacts/c-0011\n" >expect &&
	test_cmp expect out &&
	fieldbook -C repo query contacts "county = kerman or county = jiroft" -s -influence --format ids >out &&
	printf "contacts/c-0001\ncontacts/c-0007\ncontacts/c-0008\ncontacts/c-0002\ncontacts/c-0004\ncontacts/c-0005\n" >expect &&
	test_cmp expect out &&
	fieldbook -C repo query contacts -s influence --format ids >out &&
	tail -1 out >last &&
	test_grep "c-001[012]\|c-0006" last &&
	fieldbook -C repo query contacts -s status -s -influence -f id,status,influence --format csv >out &&
	head -4 out | tail -3 | cut -d, -f1 | tr -d "\r" >got &&
	printf "c-0001\nc-0009\nc-0007\n" >expect &&
	test_cmp expect got
'

test_expect_success 'grouping: counts, sums, averages over present values, min/max with negatives' '
	fieldbook -C repo query contacts "id < c-0010" -g county \
		-f "count(),sum(influence),avg(influence),min(influence),max(influence)" \
		--format json >g.json &&
	python3 -c "
import json
g = {r[\"county\"]: r for r in json.load(open(\"g.json\"))}
assert g[\"kerman\"] == {\"county\": \"kerman\", \"count\": 3, \"sum(influence)\": 3, \"avg(influence)\": 1, \"min(influence)\": -2, \"max(influence)\": 3}, g[\"kerman\"]
assert g[\"bam\"][\"count\"] == 3 and g[\"bam\"][\"avg(influence)\"] == 4.5, g[\"bam\"]
assert g[\"jiroft\"][\"min(influence)\"] == 1 and g[\"jiroft\"][\"max(influence)\"] == 4, g[\"jiroft\"]
assert list(g) == [\"bam\", \"jiroft\", \"kerman\"], list(g)
" &&
	fieldbook -C repo query contacts "id < c-0010" -g county -s -count -f "count()" >out &&
	head -1 out >got &&
	echo "county  count" >expect && test_cmp expect got &&
	fieldbook -C repo query visits -g contacts.role -f "count()" --format csv >out &&
	test_grep "^party-member,2" out &&
	fieldbook -C repo query contacts "id < c-0010" -g county -f "max(first_met)" --format csv >out &&
	test_grep "^bam,3,2024-08-02" out
'

test_expect_success 'grouping: the group key named in -f is the group column, in every format' '
	for f in table json csv tsv yaml; do
		fieldbook -C repo query contacts "id < c-0010" -g county \
			-f "count(),avg(influence)" --format $f >implied &&
		fieldbook -C repo query contacts "id < c-0010" -g county \
			-f "county,count(),avg(influence)" --format $f >named &&
		test_cmp implied named &&
		fieldbook -C repo query contacts "id < c-0010" -g county \
			-f "avg(influence), county" --format $f >named &&
		test_cmp implied named || return 1
	done &&
	fieldbook -C repo query contacts "id < c-0010" -g county -f county --format csv >out &&
	printf "county,count\r\nbam,3\r\njiroft,3\r\nkerman,3\r\n" >expect &&
	test_cmp expect out &&
	fieldbook -C repo query contacts "id < c-0010" -g county -f "county,count()" --format json >g.json &&
	python3 -c "
import json
g = json.load(open(\"g.json\"))
assert g[0] == {\"county\": \"bam\", \"count\": 3}, g
" &&
	test_expect_code 2 fieldbook -C repo query contacts -g county -f county,name 2>err &&
	test_grep "with -g county, -f takes .county. (the group), count(), sum(PATH)" err &&
	test_grep "not .name." err
'

test_expect_success 'confidential fields: *** everywhere unless --show-confidential' '
	for f in table json csv tsv yaml; do
		fieldbook -C repo query contacts "id = c-0001" -f id,preferences --format $f >out &&
		test_grep "\*\*\*" out &&
		test_grep ! "صبح" out || return 1
	done &&
	fieldbook -C repo query contacts "id = c-0001" --format yaml >out &&
	test_grep ! "صبح" out &&
	fieldbook -C repo query contacts "id = c-0001" --format json >out &&
	test_grep ! "صبح" out &&
	fieldbook -C repo --show-confidential query contacts "id = c-0001" -f preferences >out &&
	test_grep "صبح" out
'

test_expect_success '--at a revision and a date read git, not the disk' '
	(cd repo && git rm -q records/contacts/c-0007.yaml && sed -i "s/influence: 4/influence: 5/" records/contacts/c-0001.yaml &&
	 test_tick && test_tick && git commit --no-verify -qm change -- records/contacts/c-0001.yaml records/contacts/c-0007.yaml) &&
	fieldbook -C repo query contacts "influence = 5" --format ids >now &&
	fieldbook -C repo query contacts "influence = 5" --at HEAD~1 --format ids >then &&
	test_grep "c-0001" now && test_grep ! "c-0001" then &&
	fieldbook -C repo query contacts --at HEAD~1 -c >n1 &&
	fieldbook -C repo query contacts --at HEAD -c >n2 &&
	test "$(cat n1)" = "$(( $(cat n2) + 1 ))" &&
	day=$(date -d @$((test_tick_time + 120)) +%Y-%m-%d) &&
	fieldbook -C repo query contacts "influence = 5" --at "$day" --format ids >day &&
	test_cmp now day
'

test_expect_success 'a record that does not parse is skipped with a warning, exit 0' '
	printf "id: c-0013\nname: [\n" >repo/records/contacts/c-0013.yaml &&
	fieldbook -C repo query contacts -c >out 2>err &&
	test_grep "^records/contacts/c-0013.yaml: warning: does not parse; skipped" err &&
	rm repo/records/contacts/c-0013.yaml
'

test_expect_success 'a pathological regex ends fast with exit 2 and names the pattern' '
	printf "id: c-0014\nname: x\nrole: other\ncounty: bam\nstatus: active\nnotes: %s!\n" \
		aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa \
		>repo/records/contacts/c-0014.yaml &&
	start=$(date +%s%N) &&
	test_expect_code 2 fieldbook -C repo query contacts "notes ~ (a+)+\$" >out 2>err &&
	end=$(date +%s%N) &&
	test $(( (end - start) / 1000000 )) -lt 1000 &&
	test_grep "the pattern .(a+)+\\$. is too expensive" err &&
	test_must_be_empty out
'

test_expect_success 'enum: = or != with a value the enum lacks warns (field, allowed values), exit 0' '
	fieldbook -C repo query contacts "role = imam" --format ids >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	query: 1:8: warning: '"'role'"' has no value '"'imam'"': its schema allows friday-prayer-leader, congregational-imam, party-member, civil-activist, security-council-member, campaign-staff, council-member, local-official or other
	  role = imam
	         ^
	EOF
	test_cmp expect err &&
	fieldbook -C repo query contacts "role != imam" -c >out 2>err &&
	fieldbook -C repo query contacts -c >all &&
	test_cmp all out &&
	test_grep "^query: 1:9: warning: .role. has no value .imam.: its schema allows friday-prayer-leader, " err &&
	fieldbook -C repo query visits "kind = meeting and contacts.role = imam" -c >out 2>err &&
	echo 0 >expect && test_cmp expect out &&
	test_grep "^query: 1:36: warning: .contacts.role. has no value .imam.: its schema allows" err &&
	fieldbook -C repo query visits -w "issues.severity = huge" --format ids >out 2>err &&
	test_must_be_empty out &&
	test_grep "^query: 1:19: warning: .issues.severity. has no value .huge.: its schema allows low, medium or high$" err
'

test_expect_success 'enum: values equal once folded, other operators and known values do not warn' '
	fieldbook -C repo query contacts "role = PARTY-MEMBER" --format ids >out 2>err &&
	test_must_be_empty err &&
	printf "contacts/c-0001\ncontacts/c-0006\n" >expect &&
	test_cmp expect out &&
	fieldbook -C repo query contacts "role = other or role ~ imam or role != \"campaign-staff\"" -c >out 2>err &&
	test_must_be_empty err &&
	fieldbook -C repo query contacts "influence = 3" -c >out 2>err &&
	test_must_be_empty err &&
	fieldbook -C repo --exact query contacts "role = PARTY-MEMBER" -c >out 2>err &&
	echo 0 >expect && test_cmp expect out &&
	test_grep "^query: 1:8: warning: .role. has no value .PARTY-MEMBER." err
'

test_expect_success 'README: compound names in the demo match however they are written' '
	for e in "name ~ '"'"'حسین زاده'"'"'" "name = '"'"'حسین حسینزاده'"'"'" \
		"name = '"'"'حسین حسین زاده'"'"'"; do
		fieldbook -C demo query contacts "$e" --format ids >out &&
		test_grep "^contacts/c-0146$" out || return 1
	done &&
	fieldbook -C demo query contacts "name ~ حسینزاده and id = c-0146" -c >out &&
	echo 1 >expect && test_cmp expect out
'

test_expect_success 'usage errors: exit 2' '
	test_expect_code 2 fieldbook -C repo query 2>err &&
	test_expect_code 2 fieldbook -C repo query people 2>err &&
	test_grep "unknown type .people." err &&
	test_expect_code 2 fieldbook -C repo query contacts -n x 2>err &&
	test_expect_code 2 fieldbook -C repo query contacts --format xml 2>err &&
	test_expect_code 2 fieldbook -C repo query contacts -f "avg(influence)" 2>err &&
	test_grep "needs -g FIELD" err &&
	test_expect_code 2 fieldbook -C repo query contacts -g county -f name 2>err &&
	test_grep "with -g county, -f takes .county. (the group), count()" err &&
	test_expect_code 2 fieldbook -C repo query contacts "a = 1" "b = 2" 2>err &&
	test_grep "one EXPR at most" err &&
	test_expect_code 2 fieldbook -C repo query contacts -q "  " 2>err &&
	test_grep "nothing to search for" err &&
	test_expect_code 2 fieldbook -C repo query contacts -f "nmae" 2>err &&
	test_grep "did you mean .name." err
'

command -v tmux >/dev/null && test_set_prereq TMUX
test_expect_success TMUX 'on a terminal: a Persian table keeps its columns (LRM before each cell)' '
	tmux -L fbtest new-session -d -x 160 -y 40 -s t \
		"\"$FIELDBOOK\" -C demo query contacts \"county = jiroft\" -n 8; sleep 10" &&
	i=0 &&
	while i=$((i + 1)); sleep 0.2; tmux -L fbtest capture-pane -p -t t >screen &&
		test "$(grep -c . screen)" -lt 9 && test $i -lt 50; do :; done &&
	tmux -L fbtest kill-server &&
	test_grep "$LRM" screen &&
	python3 -c "
import unicodedata
lines = [l.rstrip(\"\\n\") for l in open(\"screen\") if l.strip()]
def w(s): return sum(0 if unicodedata.category(c) in (\"Mn\", \"Me\", \"Cf\") else 1 for c in s)
cols = set()
for l in lines:
    parts = l.split(\"\\u200e\"); acc = \"\"; starts = []
    for p in parts[:-1]:
        acc += p; starts.append(w(acc))
    cols.add(tuple(starts))
assert len(lines) == 9 and len(cols) == 1, (len(lines), cols)
"
'

test_done
