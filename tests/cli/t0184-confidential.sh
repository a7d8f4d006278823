#!/bin/sh
test_description='x-confidential in list items, nested in them, by position: never in any output or message'
. "$(dirname "$0")/lib.sh"

# Every confidential value carries SECRET; nothing else does.
test_expect_success 'setup' '
	git init -q repo &&
	mkdir -p repo/schemas repo/records/things &&
	cat >repo/schemas/things.yaml <<-\EOF &&
	$schema: https://json-schema.org/draft/2020-12/schema
	type: object
	properties:
	  id: {type: string}
	  name: {type: string}
	  prefs:
	    type: array
	    items: {type: string, x-confidential: true}
	  notes:
	    type: array
	    items:
	      type: object
	      properties:
	        who: {type: string}
	        hidden: {type: string, x-confidential: true}
	  pair:
	    type: array
	    prefixItems:
	      - {type: string}
	      - {type: string, x-confidential: true, pattern: "^[a-z]+$"}
	  code: {type: string, x-confidential: true, pattern: "^[0-9]+$"}
	EOF
	cat >repo/records/things/t-1.yaml <<-\EOF &&
	id: t-1
	name: open
	prefs: [SECRET-A, SECRET-B]
	notes:
	  - who: ali
	    hidden: SECRET-C
	pair: [open, secretd]
	code: "123"
	EOF
	cat >repo/records/things/t-2.yaml <<-\EOF &&
	id: t-2
	prefs: SECRET-E as text
	notes: [{who: b, hidden: SECRET-F}, 5]
	EOF
	(cd repo && git add -A && git commit -qm "start (t-2 is invalid)")
'

no_secret() {
	! grep -e SECRET -e secretd "$@"
}

test_expect_success 'query: every format, whole records and chosen fields, groups' '
	for f in json yaml csv table; do
		fieldbook -C repo query things --format $f >>out 2>&1 &&
		fieldbook -C repo query things -f id,prefs,notes,pair,notes.hidden --format $f >>out 2>&1 ||
		return 1
	done &&
	fieldbook -C repo query things -g prefs -f "count()" >>out 2>&1 &&
	test_grep "\"prefs\": \[\"\*\*\*\", \"\*\*\*\"\]" out &&
	test_grep "{\"who\":\"ali\",\"hidden\":\"\*\*\*\"}" out &&
	no_secret out
'

test_expect_success 'a search never finds a confidential value' '
	fieldbook -C repo query things -q SECRET -f id >out &&
	test_grep ! "t-" out &&
	fieldbook -C repo query things -w "prefs = SECRET-A" -f id >out &&
	test_grep ! "t-" out
'

test_expect_success 'show, at HEAD and in the working tree, in every format' '
	for c in t-1 t-2; do
		fieldbook -C repo show things/$c --format json >>out 2>&1 &&
		fieldbook -C repo show things/$c >>out 2>&1 &&
		fieldbook -C repo show things/$c --at HEAD --format json >>out 2>&1 || return 1
	done &&
	no_secret out
'

test_expect_success 'the history: diff, commit message, log, blame, audit' '
	sed -i "s/SECRET-B/SECRET-B2/; s/SECRET-C/SECRET-C2/; s/secretd/secrete/" \
		repo/records/things/t-1.yaml &&
	printf "id: t-2\nprefs: [SECRET-E]\n" >repo/records/things/t-2.yaml &&
	fieldbook -C repo diff >out 2>&1 &&
	fieldbook -C repo diff --format json >>out 2>&1 &&
	test_grep "/prefs/1: \"\*\*\*\" → \"\*\*\*\"" out &&
	fieldbook -C repo commit >>out 2>&1 &&
	git -C repo log --format=%B >>out &&
	fieldbook -C repo log --format json >>out 2>&1 &&
	fieldbook -C repo blame things/t-1 --format json >>out 2>&1 &&
	{ fieldbook -C repo audit --format json >>out 2>&1 || :; } &&
	no_secret -e secrete out
'

test_expect_success 'new --set: a malformed value of a confidential field is not echoed' '
	test_expect_code 2 fieldbook -C repo new things --id t-3 --no-edit --set "prefs=[SECRET-X" 2>err &&
	test_grep "set prefs=\*\*\*: not a YAML flow collection" err &&
	test_expect_code 2 fieldbook -C repo new things --id t-3 --no-edit \
		--set "notes=[{who: a, hidden: SECRET-Y" 2>err &&
	no_secret err &&
	test_expect_code 2 fieldbook -C repo new things --id t-3 --no-edit --set "name=[open" 2>err &&
	test_grep "set name=\[open: not a YAML" err
'

test_expect_success 'validate --schema: confidential values are masked in its messages' '
	cat >x.yaml <<-\EOF &&
	id: x
	prefs: [1, SECRET-V]
	code: SECRET-W
	pair: [a, SECRET-U]
	notes: [{who: 1, hidden: SECRET-T}]
	EOF
	printf "prefs: SECRET-S as text\n" >y.yaml &&
	test_expect_code 1 fieldbook validate --schema repo/schemas/things.yaml x.yaml y.yaml >out 2>err &&
	test_grep "x.yaml:3:7: error: /code: .\*\*\*. does not match the pattern" err &&
	test_grep "y.yaml:1:8: error: /prefs: expected an array, not a string (.\*\*\*.)" err &&
	no_secret err &&
	test_expect_code 1 fieldbook --show-confidential validate --schema repo/schemas/things.yaml \
		x.yaml 2>err &&
	test_grep "SECRET-W" err
'

test_expect_success 'validate of records: the same rule' '
	printf "id: t-4\nprefs: [SECRET-Q, 7]\npair: [a, SECRET-P]\n" >repo/records/things/t-4.yaml &&
	test_expect_code 1 fieldbook -C repo validate >out 2>err &&
	fieldbook -C repo validate --format json >>out 2>>err || :
	no_secret out err &&
	rm repo/records/things/t-4.yaml
'

test_expect_success '--show-confidential shows them' '
	fieldbook -C repo --show-confidential query things --format json >out &&
	test_grep "SECRET-A" out &&
	test_grep "SECRET-C2" out &&
	fieldbook -C repo --show-confidential query things -f notes >out &&
	test_grep "SECRET-C2" out
'

test_done
