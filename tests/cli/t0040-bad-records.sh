#!/bin/sh
test_description='broken records: every keyword and x- keyword, exact diagnostics, in one run'
. "$(dirname "$0")/lib.sh"

# tests/data/bad-records is a small repository layout: test schemas
# (samples.yaml for the standard keywords, meetings.yaml for the x- keywords,
# _shared.yaml for cross-file $refs), records of those types and of the
# shipped types, and expect/TYPE/ID.expect: the exact stderr of
# `fieldbook validate TYPE/ID` (empty: the record is valid).  A record whose
# clash with another is reported at the other one in a full run has an
# expect/TYPE/ID.all.expect with what it contributes to the full run.
# regressions/ holds the cases of bugs found and fixed, each checked for what
# must hold (see README.md).

data="$FB_SRCDIR/tests/data/bad-records"
expect="$data/expect"
cases=$(cd "$expect" && ls */*.expect | grep -v '\.all\.expect$' | sed 's/\.expect$//' | sort)

# all_expect: what a full run prints, in sorted order
all_expect() {
	for c in $cases; do
		if test -f "$expect/$c.all.expect"; then
			cat "$expect/$c.all.expect"
		else
			cat "$expect/$c.expect"
		fi
	done | sort
}

# json_check FILE PYTHON: run python code with `errors` (the "errors" of the
# JSON in FILE) and `find(file_suffix, path)` (the one entry there)
json_check() {
	python3 - "$1" "$2" <<-\EOF
	import json, sys
	doc = json.load(open(sys.argv[1]))
	errors = doc["errors"]
	def find(suffix, path):
	    hits = [e for e in errors if e["file"].endswith(suffix) and e["path"] == path]
	    assert len(hits) == 1, (suffix, path, hits)
	    return hits[0]
	exec(sys.argv[2])
	EOF
}

test_expect_success 'setup: shipped schemas, test schemas, the broken records' '
	fb_repo repo &&
	cp "$data"/schemas/*.yaml repo/schemas/ &&
	cp -R "$data/records/." repo/records/ &&
	(cd repo/records && find . -name "*.yaml" | sed "s|^\./||; s|\.yaml$||" | sort) >records &&
	echo "$cases" >expected &&
	test_cmp records expected &&
	for c in $cases; do
		if test -s "$expect/$c.expect"; then echo "$c"; fi
	done >broken &&
	test_line_count -ge 40 broken
'

test_expect_success 'the schemas use every keyword of SPEC 3' '
	cat "$data"/schemas/*.yaml "$FB_SRCDIR"/schemas/*.yaml >schemas.txt &&
	for k in type properties required additionalProperties patternProperties propertyNames \
		enum const pattern minLength maxLength minimum maximum exclusiveMinimum \
		exclusiveMaximum multipleOf items prefixItems contains minContains maxContains \
		minItems maxItems uniqueItems minProperties maxProperties dependentRequired \
		allOf anyOf oneOf not if then else "\$ref" "\$defs" format \
		x-date x-phone x-ref x-item-of x-unique x-confidential; do
		test_grep -e "$k:" schemas.txt || return 1
	done &&
	test_grep "_shared.yaml#" schemas.txt &&
	test_grep "^  legacy: false" schemas.txt &&
	test_grep "^  extra: true" schemas.txt
'

# Every case alone: exit 1 (0 when its expectation is empty), stderr exactly
# the expected diagnostics, and a verdict that counts them.
for c in $cases; do
	test_expect_success "bad-records: $c" '
		fieldbook -C repo validate "$c" >out 2>err
		code=$? &&
		n=$(wc -l <"$expect/$c.expect" | tr -d " ") &&
		if test "$n" = 0; then
			test "$code" = 0 &&
			echo "1 record checked: all valid" >verdict
		else
			test "$code" = 1 &&
			if test "$n" = 1; then s=; else s=s; fi &&
			echo "1 record checked: 1 invalid, $n error$s" >verdict
		fi &&
		test_cmp "$expect/$c.expect" err &&
		test_cmp verdict out
	'
done

test_expect_success 'all of them in one run: the sorted union, exit 1, well under a second' '
	start=$(date +%s%N) &&
	test_expect_code 1 fieldbook -C repo validate >out 2>err &&
	end=$(date +%s%N) &&
	all_expect >expect &&
	sort err >actual &&
	test_cmp expect actual &&
	n=$(wc -l <expect | tr -d " ") &&
	total=$(wc -l <records | tr -d " ") &&
	invalid=$(sed "s/:.*//" expect | sort -u | wc -l | tr -d " ") &&
	echo "$total records checked: $invalid invalid, $n errors" >verdict &&
	test_cmp verdict out &&
	ms=$(( (end - start) / 1000000 )) &&
	echo "full run: $ms ms" &&
	test "$ms" -lt "${FB_CASE_MS:-1000}"
'

test_expect_success 'one run prints in file, line, column order' '
	fieldbook -C repo validate 2>err >/dev/null
	sort -t: -k1,1 -k2,2n -k3,3n -s err >sorted &&
	test_cmp sorted err
'

test_expect_success 'a type as the target: only its records, x-ref still checked' '
	test_expect_code 1 fieldbook -C repo validate visits >out 2>err &&
	for c in $(grep "^visits/" records); do
		cat "$expect/$c.expect" || return 1
	done | sort >expect &&
	sort err >actual &&
	test_cmp expect actual
'

# ---- JSON -----------------------------------------------------------------

test_expect_success '--format json: the fields of SPEC 6, nothing on stderr' '
	test_expect_code 1 fieldbook -C repo validate --format json >out.json 2>err &&
	test_must_be_empty err &&
	json_check out.json "
assert doc[\"ok\"] is False
assert len(errors) == $(all_expect | wc -l), len(errors)
keys = {\"severity\", \"file\", \"line\", \"column\", \"path\", \"keyword\", \"value\", \"expected\", \"message\"}
for e in errors:
    assert set(e) == keys, e
    assert e[\"severity\"] == \"error\" and e[\"line\"] >= 1 and e[\"column\"] >= 1, e
    assert e[\"message\"].startswith(e[\"path\"] + \": \"), e

e = find(\"c-role-imam.yaml\", \"/role\")
assert (e[\"line\"], e[\"column\"], e[\"keyword\"], e[\"value\"]) == (3, 7, \"enum\", \"imam\"), e
assert e[\"expected\"].startswith(\"friday-prayer-leader, congregational-imam, \"), e

hits = [e for e in errors if e[\"file\"].endswith(\"c-phone-short.yaml\")]
assert [h[\"keyword\"] for h in hits] == [\"x-phone\"], hits
assert hits[0][\"value\"] == \"۰۹۱۲۳۴۵۶۷\" and hits[0][\"expected\"] == \"11 digits starting with 0 (or +98)\", hits

e = find(\"v-followup-no-due.yaml\", \"/follow_ups/1/due\")
assert (e[\"line\"], e[\"column\"], e[\"keyword\"], e[\"value\"], e[\"expected\"]) == (14, 5, \"required\", None, \"due\"), e

e = find(\"s-multipleof.yaml\", \"/amount\")
assert (e[\"line\"], e[\"column\"], e[\"keyword\"], e[\"value\"], e[\"expected\"]) == (3, 9, \"multipleOf\", \"10.015\", \"a multiple of 0.01\"), e

e = find(\"a-period-q5.yaml\", \"/period\")
assert (e[\"line\"], e[\"column\"], e[\"keyword\"], e[\"value\"]) == (5, 9, \"pattern\", \"1403-Q5\"), e
assert \"^[0-9]{4}-Q[1-4]\$\" in e[\"expected\"], e

e = find(\"s-unique-deep.yaml\", \"/values/2\")
assert (e[\"line\"], e[\"column\"], e[\"keyword\"], e[\"value\"]) == (6, 5, \"uniqueItems\", \"1.0\"), e

e = find(\"v-contact-deleted.yaml\", \"/contacts/1\")
assert (e[\"line\"], e[\"column\"], e[\"keyword\"], e[\"value\"]) == (9, 5, \"x-ref\", \"c-0404\"), e
assert e[\"expected\"] == \"the id of a contacts record\", e

e = find(\"m-pin.yaml\", \"/pin\")
assert (e[\"line\"], e[\"column\"], e[\"keyword\"], e[\"value\"]) == (5, 6, \"pattern\", \"***\"), e

e = find(\"c-phone-dup.yaml\", \"/phones/0\")
assert (e[\"line\"], e[\"column\"], e[\"keyword\"]) == (7, 5, \"x-unique\"), e
"
'

test_expect_success 'the JSON value of an x-unique error is the value itself, without quotes' '
	test_expect_code 1 fieldbook -C repo validate --format json contacts/c-phone-dup >out.json &&
	json_check out.json "
e = find(\"c-phone-dup.yaml\", \"/phones/0\")
assert e[\"value\"] == \"+98 913 123 4567\", e[\"value\"]
"
'

test_expect_success 'the expectations hold an error of every checking keyword' '
	test_expect_code 1 fieldbook -C repo validate --format json >all.json &&
	json_check all.json "
got = {e[\"keyword\"] for e in errors}
want = set(\"\"\"type required additionalProperties pattern enum const minLength maxLength
    minimum maximum exclusiveMinimum exclusiveMaximum multipleOf false minItems maxItems
    uniqueItems contains minContains maxContains minProperties maxProperties
    dependentRequired oneOf format x-date x-phone x-ref x-item-of x-unique id\"\"\".split())
assert got == want, (sorted(want - got), sorted(got - want))
msgs = [e[\"message\"] for e in errors]
assert any(\"(anyOf: none of the 2 alternatives fits; the closest is #1)\" in m for m in msgs)
assert any(\"(oneOf: none of the 2 alternatives fits; the closest is #1)\" in m for m in msgs)
assert any(\"'***'\" in m for m in msgs)
"
'

# ---- x-confidential ---------------------------------------------------------

cat >secrets <<\EOF
7390
12ab
top-secret-xyz
kiwi
rosebud-hint
rosebud-string
Rosebudmah
فقط عصرها
تلفنی تماس نگیرید
دیدار صبح‌ها
گلابی‌ها
secret-one
secret-two
EOF

test_expect_success 'x-confidential: no value is echoed, in text or JSON, alone or all at once' '
	for c in "" meetings meetings/m-pin meetings/m-secret meetings/m-secret-type \
		meetings/m-secret-day meetings/m-001 contacts/c-preferences contacts/c-0001 \
		meetings/m-tokens meetings/m-tokens-text; do
		fieldbook -C repo validate $c >>text.out 2>>text.out
		fieldbook -C repo validate --format json $c >>json.out 2>>json.out || :
	done &&
	test_grep "\*\*\*" text.out &&
	test_grep "\*\*\*" json.out &&
	test_grep ! -F -f secrets text.out &&
	test_grep ! -F -f secrets json.out
'

test_expect_success 'x-confidential list items: masked in every format of query and show' '
	for f in json yaml csv table; do
		fieldbook -C repo query meetings -f id,tokens --format $f >>q.out 2>&1 || return 1
		fieldbook -C repo query meetings --format $f >>q.out 2>&1 || return 1
	done &&
	for c in m-tokens m-tokens-text; do
		fieldbook -C repo show meetings/$c --format json >>q.out 2>&1 &&
		fieldbook -C repo show meetings/$c >>q.out 2>&1 || return 1
	done &&
	test_grep "\"tokens\": \[\"\*\*\*\", \"\*\*\*\", \"\*\*\*\"\]" q.out &&
	test_grep ! -F -f secrets q.out &&
	fieldbook -C repo --show-confidential query meetings -f tokens --format json >out &&
	test_grep "secret-one" out
'

test_expect_success 'x-confidential: --show-confidential shows the values' '
	test_expect_code 1 fieldbook -C repo --show-confidential validate >out 2>err &&
	test_grep "^records/meetings/m-pin.yaml:5:6: error: /pin: .12ab. does not match" err &&
	test_grep "^records/meetings/m-secret.yaml:6:10: error: /secret/level: .top-secret-xyz. is not one of low, high" err &&
	test_grep "^records/meetings/m-secret-type.yaml:5:9: error: /secret: expected an object, not a string (.rosebud-string.)" err &&
	test_grep "^records/meetings/m-secret-day.yaml:5:13: error: /secret_day: .31 Rosebudmah 1403. is not a date" err &&
	test_grep "^records/contacts/c-preferences.yaml:8:3: error: /preferences: expected a string, not an array (\[\"فقط عصرها\"" err &&
	test_expect_code 1 fieldbook -C repo validate --show-confidential --format json meetings/m-secret >out.json &&
	json_check out.json "
assert find(\"m-secret.yaml\", \"/secret/word\")[\"value\"] == \"kiwi\"
assert find(\"m-secret.yaml\", \"/secret/level\")[\"value\"] == \"top-secret-xyz\"
"
'

# ---- references and uniqueness across records -----------------------------

# refs_to FILES... : FILE:LINE:COL of each line that names $ref_value as a
# value (ASCII lines: the byte column is the character column)
refs_to() {
	awk -v v="$ref_value" '
		/^#/ { next }
		{ i = index($0, v); if (i) {
			rest = substr($0, i + length(v), 1)
			if (rest == "" || rest == "]" || rest == ",") print FILENAME ":" FNR ":" i
		} }' "$@" | sort
}

test_expect_success 'x-item-of: a district dropped from its county makes its records invalid' '
	rm -rf dis && cp -R repo dis &&
	fieldbook -C dis validate contacts/c-district-ok &&
	sed -i "/id: sardoeiyeh/,+1d" dis/records/counties/jiroft.yaml &&
	test_expect_code 1 fieldbook -C dis validate contacts/c-district-ok 2>err &&
	echo "records/contacts/c-district-ok.yaml:6:11: error: /district: '"'"'sardoeiyeh'"'"' is not one of the districts of county '"'"'jiroft'"'"' (markazi)" >want &&
	test_cmp want err &&
	test_expect_code 1 fieldbook -C dis validate --format json contacts/c-district-ok >out.json &&
	json_check out.json "
e = find(\"c-district-ok.yaml\", \"/district\")
assert (e[\"keyword\"], e[\"value\"], e[\"expected\"]) == (\"x-item-of\", \"sardoeiyeh\", \"one of the districts of county \x27jiroft\x27\"), e
" &&
	printf "id: jiroft\nname: جیرفت\n" >dis/records/counties/jiroft.yaml &&
	test_expect_code 1 fieldbook -C dis validate contacts/c-district-ok 2>err &&
	test_grep "is not one of the districts of county .jiroft. (it lists none)$" err &&
	{ printf "id: jiroft\nname: جیرفت\ndistricts:\n" &&
	  for i in $(seq 1 60); do printf "  - id: district-number-%s\n    name: ب\n" $i; done; } \
		>dis/records/counties/jiroft.yaml &&
	test_expect_code 1 fieldbook -C dis validate contacts/c-district-ok 2>err &&
	test_grep "(district-number-1, district-number-2, .*, \.\.\. (60 in all))$" err &&
	test $(wc -c <err) -lt 700 &&
	printf "id: jiroft\nname: [\n" >dis/records/counties/jiroft.yaml &&
	test_expect_code 1 fieldbook -C dis validate contacts/c-district-ok counties/jiroft 2>err &&
	test_grep "^records/counties/jiroft.yaml:" err &&
	test_grep ! "/district:" err
'

test_expect_success 'x-item-of in a schema: its form, its field and its list are checked' '
	rm -rf xs && fb_repo xs &&
	x=xs/schemas/contacts.yaml && cp "$FB_SRCDIR/schemas/contacts.yaml" $x.orig &&
	line=$(grep -n "x-item-of" $x.orig | cut -d: -f1) &&
	for v in "x-item-of: county" "x-item-of: {field: county}" \
		"x-item-of: {field: role, list: districts}" \
		"x-item-of: {field: county, list: towns}"; do
		sed "${line}s/x-item-of: .*/$v/" $x.orig >$x &&
		test_expect_code 1 fieldbook -C xs validate 2>>err || return 1
	done &&
	test_grep "^schemas/contacts.yaml:$line:16: error: schema /properties/district/x-item-of: .x-item-of. takes {field: county, list: districts}" err &&
	test $(grep -c "x-item-of. takes" err) = 2 &&
	test_grep "^schemas/contacts.yaml:$line:16: error: schema /properties/district/x-item-of: .x-item-of.: .role. is no x-ref field beside .district.$" err &&
	test_grep "^schemas/contacts.yaml:$line:16: error: schema /properties/district/x-item-of: .x-item-of.: a counties record has no field .towns.$" err &&
	cp $x.orig $x && printf "x-item-of: {field: county, list: districts}\n" >>$x &&
	test_expect_code 1 fieldbook -C xs validate 2>err &&
	test_grep "error: schema /x-item-of: .x-item-of. belongs on a property of an object that also has the x-ref field .county.$" err
'

test_expect_success 'deleting a contact: every reference is reported at its own line' '
	rm -rf del && cp -R repo del &&
	rm del/records/contacts/c-0002.yaml &&
	test_expect_code 1 fieldbook -C del validate >out 2>err &&
	all_expect >before &&
	sort err >after &&
	comm -13 before after >new &&
	comm -23 before after >gone &&
	test_must_be_empty gone &&
	test_grep ! -v "error: /[a-z_/0-9]*: no contacts record .c-0002. (deleted or renamed? x-ref: contacts)$" new &&
	sed "s/: error:.*//" new | sort >at &&
	(cd del && ref_value=c-0002 && refs_to $(grep -rl "c-0002" records --include="*.yaml")) >want &&
	test_line_count -ge 8 want &&
	test_cmp want at
'

test_expect_success 'renaming a county (file and id): every reference is reported at its own line' '
	rm -rf ren && cp -R repo ren &&
	(cd ren/records/counties && sed "s/^id: bam$/id: bam-city/" bam.yaml >bam-city.yaml && rm bam.yaml) &&
	test_expect_code 1 fieldbook -C ren validate >out 2>err &&
	all_expect >before &&
	sort err >after &&
	comm -23 before after >gone &&
	test_must_be_empty gone &&
	comm -13 before after >new &&
	test_grep ! -v "error: /county: no counties record .bam. (deleted or renamed? x-ref: counties)$" new &&
	sed "s/: error:.*//" new | sort >at &&
	(cd ren && grep -rn "^county: bam$" records | sed "s/:county: bam$/:9/" | sort) >want &&
	test_line_count -ge 8 want &&
	test_cmp want at
'

test_expect_success 'x-unique: the first of a clashing pair, checked alone, hears of the later one' '
	test_expect_code 1 fieldbook -C repo validate contacts/c-0001 2>err &&
	test_grep "^records/contacts/c-0001.yaml:[0-9]*:5: error: /phones/0: .09131234567. is already used by records/contacts/c-phone-dup.yaml (/phones/0)" err &&
	test_expect_code 1 fieldbook -C repo validate contacts/c-phone-dup 2>err &&
	test_grep "^records/contacts/c-phone-dup.yaml:7:5: error: /phones/0: .+98 913 123 4567. is already used by records/contacts/c-0001.yaml (/phones/0)" err
'

test_expect_success 'x-unique: a third record with the same number is reported too' '
	rm -rf third && cp -R repo third &&
	sed "s/^id: c-phone-dup$/id: c-phone-dup2/" repo/records/contacts/c-phone-dup.yaml \
		>third/records/contacts/c-phone-dup2.yaml &&
	test_expect_code 1 fieldbook -C third validate >out 2>err &&
	test_grep "^records/contacts/c-phone-dup2.yaml:7:5: error: /phones/0: .+98 913 123 4567. is already used by records/contacts/c-0001.yaml (/phones/0)" err &&
	test_grep "^records/contacts/c-phone-dup2.yaml:8:5: error: /phones/1: .0098-34-4331-2200. is already used by records/contacts/c-0001.yaml (/phones/1)" err
'

# ~3000 contacts and ~3000 visits: two contacts share a number (written
# differently), one visit names a contact that does not exist.  Exactly those
# two errors, in a few seconds even under sanitizers.
test_expect_success 'x-ref and x-unique at scale: exactly the two problems, fast' '
	fb_repo big &&
	mkdir -p big/records/counties big/records/contacts big/records/visits/1403 &&
	printf "id: jiroft\nname: جیرفت\n" >big/records/counties/jiroft.yaml &&
	awk "BEGIN {
		for (i = 1; i <= 3000; i++) {
			f = sprintf(\"big/records/contacts/c-%04d.yaml\", i)
			phone = sprintf(\"0913%07d\", i)
			if (i == 2345) phone = \"+98 913 000 0017\"
			printf \"id: c-%04d\nname: n%d\nrole: other\ncounty: jiroft\nphones:\n  - %s\n  - 034%08d\nstatus: active\n\", i, i, phone, i >f
			close(f)
			f = sprintf(\"big/records/visits/1403/v-%04d.yaml\", i)
			c = (i == 1777) ? 9999 : (i * 7) % 3000 + 1
			printf \"id: v-%04d\ndate: 1403/05/12\ncounty: jiroft\nstaff: [x]\ncontacts:\n  - c-%04d\n  - c-%04d\nkind: phone\n\", i, i, c >f
			close(f)
		}
	}" &&
	start=$(date +%s%N) &&
	test_expect_code 1 fieldbook -C big validate >out 2>err &&
	end=$(date +%s%N) &&
	cat >expect <<-\EOF &&
	records/contacts/c-2345.yaml:6:5: error: /phones/0: '\''+98 913 000 0017'\'' is already used by records/contacts/c-0017.yaml (/phones/0); no two contacts may share it (x-unique)
	records/visits/1403/v-1777.yaml:7:5: error: /contacts/1: no contacts record '\''c-9999'\'' (deleted or renamed? x-ref: contacts)
	EOF
	test_cmp expect err &&
	echo "6001 records checked: 2 invalid, 2 errors" >expect &&
	test_cmp expect out &&
	ms=$(( (end - start) / 1000000 )) &&
	echo "6001 records: $ms ms" &&
	test "$ms" -lt "${FB_SCALE_MS:-5000}"
'

test_expect_success 'x-ref and x-unique at scale: one record alone is fast too' '
	start=$(date +%s%N) &&
	test_expect_code 1 fieldbook -C big validate contacts/c-0017 >out 2>err &&
	test_expect_code 1 fieldbook -C big validate visits/v-1777 >>out 2>>err &&
	end=$(date +%s%N) &&
	test_line_count = 2 err &&
	ms=$(( (end - start) / 1000000 )) &&
	echo "two single records among 6001: $ms ms" &&
	test "$ms" -lt "${FB_SCALE_MS:-5000}"
'

# ---- regressions ---------------------------------------------------------------
# Each case: what is right today is checked; what is wrong is a TODO test.

kb="$data/regressions"

test_expect_success 'regressions: setup (the repository plus regressions/)' '
	rm -rf kb && cp -R repo kb &&
	cp "$kb"/schemas/*.yaml kb/schemas/ &&
	cp -R "$kb/records/." kb/records/
'

# kb_json TYPE/ID: the JSON of validating it alone, in kb.json
kb_json() {
	fieldbook -C kb validate --format json "$1" >kb.json
	test $? = 1
}

test_expect_success 'regression: const with a string is an error' '
	kb_json samples/s-const-string &&
	json_check kb.json "
e = find(\"s-const-string.yaml\", \"/version\")
assert (e[\"line\"], e[\"column\"], e[\"keyword\"], e[\"value\"]) == (3, 10, \"const\", \"2\"), e
"
'
test_expect_success 'const: a string where a number is wanted says both kinds' '
	kb_json samples/s-const-string &&
	json_check kb.json "
m = find(\"s-const-string.yaml\", \"/version\")[\"message\"]
assert \"string\" in m, m
"
'

test_expect_success 'regression: not' '
	kb_json samples/s-not &&
	json_check kb.json "
e = find(\"s-not.yaml\", \"/nickname\")
assert (e[\"line\"], e[\"column\"], e[\"keyword\"], e[\"value\"]) == (2, 11, \"not\", \"admin\"), e
"
'
test_expect_success 'not: the error states the value and what it must not match' '
	kb_json samples/s-not &&
	json_check kb.json "
e = find(\"s-not.yaml\", \"/nickname\")
assert e[\"expected\"] is not None, e
assert \"admin\" in e[\"message\"], e
"
'

test_expect_success 'regression: an enum value typed with Arabic yeh is an error' '
	kb_json samples/s-enum-arabic-yeh &&
	json_check kb.json "
e = find(\"s-enum-arabic-yeh.yaml\", \"/channel\")
assert (e[\"line\"], e[\"column\"], e[\"keyword\"], e[\"value\"]) == (3, 10, \"enum\", \"تلفني\"), e
"
'
test_expect_success 'enum: a value typed with Arabic yeh gets a did-you-mean' '
	kb_json samples/s-enum-arabic-yeh &&
	json_check kb.json "
m = find(\"s-enum-arabic-yeh.yaml\", \"/channel\")[\"message\"]
assert \"did you mean\" in m or \"Arabic\" in m, m
"
'

test_expect_success 'regression: anyOf with half an address is an error' '
	kb_json samples/s-anyof-second &&
	json_check kb.json "
assert len(errors) == 1 and errors[0][\"path\"].startswith(\"/reach\"), errors
"
'
test_expect_success 'anyOf: the alternative that knows more of the fields is the closest' '
	kb_json samples/s-anyof-second &&
	json_check kb.json "
e = find(\"s-anyof-second.yaml\", \"/reach/city\")
assert \"the closest is #2\" in e[\"message\"], e
"
'

test_expect_success 'regression: format date rejects 2023-02-29' '
	kb_json samples/s-format-date-leap &&
	json_check kb.json "
e = find(\"s-format-date-leap.yaml\", \"/day\")
assert (e[\"line\"], e[\"column\"], e[\"keyword\"], e[\"value\"]) == (2, 6, \"format\", \"2023-02-29\"), e
"
'
test_expect_success 'format date: 2023-02-29 is said to be a day February 2023 does not have' '
	kb_json samples/s-format-date-leap &&
	json_check kb.json "
m = find(\"s-format-date-leap.yaml\", \"/day\")[\"message\"]
assert \"not an ISO date (YYYY-MM-DD)\" not in m, m
"
'

test_expect_success 'regression: minLength and minContains with one' '
	kb_json samples/s-one-character &&
	json_check kb.json "
e = find(\"s-one-character.yaml\", \"/label\")
assert (e[\"line\"], e[\"column\"], e[\"keyword\"]) == (3, 8, \"minLength\"), e
" &&
	kb_json samples/s-contains-one &&
	json_check kb.json "
e = find(\"s-contains-one.yaml\", \"/grades\")
assert (e[\"line\"], e[\"column\"], e[\"keyword\"]) == (3, 9, \"minContains\"), e
"
'
test_expect_success 'messages count in good English: "1 character", "1 item matches"' '
	test_expect_code 1 fieldbook -C kb validate samples/s-one-character samples/s-contains-one 2>err &&
	test_grep ! "1 characters" err &&
	test_grep ! "1 item match " err
'

test_expect_success 'regression: a confidential date that is no date is an error' '
	for c in m-secret-weekday m-secret-month m-secret-day31; do
		test_expect_code 1 fieldbook -C kb validate meetings/$c 2>err &&
		test_grep "^records/meetings/$c.yaml:5:13: error: /secret_day: .\*\*\*. is not a date" err || return 1
	done
'
test_expect_success 'x-date: the reason of an error does not leak a confidential date' '
	test_expect_code 1 fieldbook -C kb validate meetings/m-secret-weekday meetings/m-secret-month \
		meetings/m-secret-day31 2>err &&
	test_grep ! -e "1403/5/12" -e "month 13" -e "1403/7" err
'

test_expect_success 'regression: x-unique in a nested object, full run' '
	test_expect_code 1 fieldbook -C kb validate parcels 2>err &&
	test_grep "^records/parcels/p-2.yaml:4:11: error: /box/serial: .sn-100. is already used by records/parcels/p-1.yaml (/box/serial)" err
'
test_expect_success 'x-unique in a nested object is checked for one record too' '
	test_expect_code 1 fieldbook -C kb validate parcels/p-2 2>err &&
	test_grep "/box/serial: .sn-100. is already used" err
'

test_expect_success 'one x-unique definition used by two types: unique within each type only' '
	fieldbook -C kb validate tickets badges 2>err &&
	test_must_be_empty err
'

test_expect_success 'regression: a missing confidential reference is an error' '
	test_expect_code 1 fieldbook -C kb validate tips/tip-1 2>err &&
	test_grep "^records/tips/tip-1.yaml:3:9: error: /source: no contacts record" err
'
test_expect_success 'x-ref: the error does not echo a confidential value' '
	fieldbook -C kb validate tips/tip-1 >out 2>err
	fieldbook -C kb validate --format json tips/tip-1 >>out 2>>err
	test_grep ! rosebud out &&
	test_grep ! rosebud err
'

test_expect_success 'x-phone: only digits, spaces, dashes and a leading + are a phone ("tel: ... home" is not)' '
	test_expect_code 1 fieldbook -C kb validate meetings/m-hotline-letters 2>err &&
	test_grep "^records/meetings/m-hotline-letters.yaml:5:10: error: /hotline: .tel: 0913-111-2299 home. is not an Iranian phone number" err
'

test_expect_success 'x-ref: an id with an escaped NUL is no id (not c-0001)' '
	test_expect_code 1 fieldbook -C kb validate meetings/m-host-nul 2>err &&
	test_grep "^records/meetings/m-host-nul.yaml:4:7: error: /host: no contacts record" err
'

test_expect_success 'regression: a record named twice is checked' '
	test_expect_code 1 fieldbook -C repo validate visits/v-kind-visit records/visits/v-kind-visit.yaml 2>err &&
	test_grep "^records/visits/v-kind-visit.yaml:8:7: error: /kind: .visit. is not one of" err
'
test_expect_success 'a record named twice (or by its type too) is checked and reported once' '
	test_expect_code 1 fieldbook -C repo validate visits/v-kind-visit records/visits/v-kind-visit.yaml >out 2>err &&
	test_cmp "$expect/visits/v-kind-visit.expect" err &&
	echo "1 record checked: 1 invalid, 1 error" >verdict &&
	test_cmp verdict out &&
	test_expect_code 1 fieldbook -C repo validate visits visits/v-kind-visit 2>err &&
	test "$(grep -c "^records/visits/v-kind-visit.yaml:" err)" = 1
'

test_expect_success 'N records of an x-unique type as targets read the type once, not N times' '
	targets=$(seq -f "contacts/c-%04g" 1 300) &&
	start=$(date +%s%N) &&
	timeout 3 "$FIELDBOOK" -C big validate $targets >out 2>err
	code=$? &&
	end=$(date +%s%N) &&
	echo "300 targets among 3000 contacts: $(( (end - start) / 1000000 )) ms, exit $code" &&
	test "$code" = 1 &&
	test_line_count = 1 err
'

test_done
