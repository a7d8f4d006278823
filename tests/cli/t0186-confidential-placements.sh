#!/bin/sh
test_description='x-confidential in every placement (items, prefixItems, $ref, anyOf, keyed objects): never printed, keys of a confidential value never told'
. "$(dirname "$0")/lib.sh"

# A test type with confidential values in every placement the rule knows:
# array items, a member of an object in array items, prefixItems, items by
# $ref, one branch of anyOf, and a whole object whose keys are data.  Every
# secret contains SECRET-XYZ; no command may print it without
# --show-confidential, on stdout or stderr, nor put it in a commit message.

test_expect_success 'setup: a repository with secrets in every placement' '
	fb_repo repo &&
	cat >repo/schemas/dossiers.yaml <<-\EOF &&
	$schema: https://json-schema.org/draft/2020-12/schema
	title: dossier (x-confidential placements)
	type: object
	x-id:
	  prefix: d-
	  digits: 3
	x-summary: [id, name, prefs, people, pair, refd, hint]
	required: [id, name]
	additionalProperties: false
	$defs:
	  hidden:
	    type: string
	    x-confidential: true
	properties:
	  id: {type: string}
	  name: {type: string}
	  prefs:
	    type: array
	    items:
	      type: string
	      x-confidential: true
	      pattern: "^[A-Z0-9-]+$"
	  people:
	    type: array
	    uniqueItems: true
	    items:
	      type: object
	      additionalProperties: false
	      properties:
	        who: {type: string}
	        secret: {type: string, x-confidential: true, minLength: 3}
	  pair:
	    type: array
	    prefixItems:
	      - type: string
	      - type: string
	        x-confidential: true
	  refd:
	    type: array
	    items:
	      $ref: "#/$defs/hidden"
	  hint:
	    anyOf:
	      - type: string
	        x-confidential: true
	      - type: integer
	  vault:
	    type: object
	    x-confidential: true
	    additionalProperties: {type: string}
	EOF
	mkdir -p repo/records/dossiers &&
	cat >repo/records/dossiers/d-001.yaml <<-\EOF &&
	id: d-001
	name: first
	prefs: [SECRET-XYZ-A1]
	people:
	  - who: ali
	    secret: SECRET-XYZ-B1
	pair: [open, SECRET-XYZ-C1]
	refd: [SECRET-XYZ-D1]
	hint: SECRET-XYZ-E1
	vault:
	  SECRET-XYZ-K1: v
	EOF
	(cd repo && git add -A && git commit -qm start) &&
	fieldbook -C repo validate >out 2>err
'

# no_secret FILE...: none of them holds a secret
no_secret() {
	for f; do
		test_grep ! SECRET-XYZ "$f" || return 1
	done
}

test_expect_success 'query --format json: array items, prefixItems, $ref, anyOf masked' '
	fieldbook -C repo query dossiers --format json >out 2>err &&
	no_secret out err &&
	test_grep "\*\*\*" out &&
	python3 -c "import json,sys; json.load(open(sys.argv[1]))" out &&
	fieldbook -C repo --show-confidential query dossiers --format json >out &&
	test_grep SECRET-XYZ-A1 out
'

test_expect_success 'query --format yaml: every placement masked' '
	fieldbook -C repo query dossiers --format yaml >out 2>err &&
	no_secret out err &&
	test_grep "\*\*\*" out
'

test_expect_success 'query --format csv: a confidential member of an item is masked in its cell' '
	fieldbook -C repo query dossiers --format csv >out 2>err &&
	no_secret out err &&
	test_grep "ali" out &&
	fieldbook -C repo query dossiers --format csv -f vault,hint >out 2>err &&
	no_secret out err
'

test_expect_success 'query --format table: the same' '
	fieldbook -C repo query dossiers --format table >out 2>err &&
	no_secret out err &&
	fieldbook -C repo query dossiers >out 2>err &&
	no_secret out err
'

test_expect_success 'show --format json and yaml: masked' '
	fieldbook -C repo show dossiers/d-001 --format json >out 2>err &&
	no_secret out err &&
	fieldbook -C repo show dossiers/d-001 --format yaml >out 2>err &&
	no_secret out err &&
	fieldbook -C repo show dossiers/d-001 >out 2>err &&
	no_secret out err &&
	fieldbook -C repo --show-confidential show dossiers/d-001 --format json >out &&
	test_grep SECRET-XYZ-C1 out
'

test_expect_success 'new --set: a malformed flow value of a confidential field is not echoed' '
	test_expect_code 2 fieldbook -C repo new dossiers --no-edit --set name=x \
		--set "prefs=[SECRET-XYZ-N1" >out 2>err &&
	no_secret out err &&
	test_grep "prefs=\*\*\*" err &&
	test_expect_code 2 fieldbook -C repo new dossiers --no-edit --set name=x \
		--set "people=[{who: a, secret: SECRET-XYZ-N2" >out 2>err &&
	no_secret out err &&
	test_expect_code 2 fieldbook -C repo new contacts --no-edit --set name=x \
		--set "preferences=[SECRET-XYZ-N3" >out 2>err &&
	no_secret out err &&
	test_expect_code 2 fieldbook -C repo new dossiers --no-edit --set "name=[plain-N4" 2>err &&
	test_grep "name=\[plain-N4" err &&
	test_expect_code 1 fieldbook -C repo new dossiers --no-edit --set name=x \
		--set "prefs=[SECRET-XYZ-lower-P1]" --set "hint=SECRET-XYZ-lower P2 x" >out 2>err &&
	no_secret out err &&
	test_grep "/prefs/0: .\*\*\*. does not match" err
'

cat >bad.yaml <<\EOF
id: d-002
name: second
prefs: [SECRET-XYZ-lower-V1, 5]
people:
  - who: ali
    secret: [SECRET-XYZ-V2]
  - {who: bob, secret: SECRET-XYZ-V3, extra: 1}
  - {who: eve, secret: SECRET-XYZ-V8}
  - {who: eve, secret: SECRET-XYZ-V8}
pair: [open, {x: SECRET-XYZ-V4}]
refd: [7, [SECRET-XYZ-V5]]
hint: [SECRET-XYZ-V6]
vault: SECRET-XYZ-V7
EOF

test_expect_success 'validate --schema: no confidential value in text or JSON messages' '
	test_expect_code 1 fieldbook validate --schema repo/schemas/dossiers.yaml bad.yaml \
		>out 2>err &&
	no_secret out err &&
	test_grep "/prefs/0: .\*\*\*. does not match" err &&
	test_grep "/pair/1: expected a string, not an object (.\*\*\*.)" err &&
	test_expect_code 1 fieldbook validate --schema repo/schemas/dossiers.yaml \
		--format json bad.yaml >out 2>err &&
	no_secret out err &&
	test_expect_code 1 fieldbook validate --schema repo/schemas/dossiers.yaml \
		--show-confidential bad.yaml 2>err &&
	test_grep SECRET-XYZ-lower-V1 err
'

test_expect_success 'validate in the repository: masked, in a repeated item too' '
	rm -rf r9 && cp -R repo r9 &&
	cp bad.yaml r9/records/dossiers/d-002.yaml &&
	test_expect_code 1 fieldbook -C r9 validate dossiers/d-002 >out 2>err &&
	no_secret out err &&
	test_expect_code 1 fieldbook -C r9 validate --format json dossiers/d-002 >out 2>err &&
	no_secret out err &&
	python3 - out <<-\EOF
	import json, sys
	errors = json.load(open(sys.argv[1]))["errors"]
	hits = [e for e in errors if e["keyword"] == "uniqueItems"]
	assert [json.loads(e["value"]) for e in hits] == [dict(who="eve", secret="***")], hits
	EOF
'

test_expect_success 'commit: the message and its field list hold no secret, not even a key' '
	sed -i "s/SECRET-XYZ-A1/SECRET-XYZ-A2/; s/SECRET-XYZ-B1/SECRET-XYZ-B2/;
		s/SECRET-XYZ-K1/SECRET-XYZ-K2/; s/SECRET-XYZ-E1/SECRET-XYZ-E2/" \
		repo/records/dossiers/d-001.yaml &&
	test_tick &&
	fieldbook -C repo --show-confidential commit >out 2>err &&
	no_secret out err &&
	git -C repo log -1 --format=%B >msg &&
	no_secret msg &&
	test_grep "/vault" msg &&
	test_grep "/prefs/0" msg
'

test_expect_success 'diff, log, blame, audit: masked, confidential keys not told' '
	fieldbook -C repo log dossiers/d-001 >out 2>err &&
	no_secret out err &&
	fieldbook -C repo log --format json dossiers/d-001 >out 2>err &&
	no_secret out err &&
	fieldbook -C repo blame dossiers/d-001 >out 2>err &&
	no_secret out err &&
	test_grep "^/vault " out &&
	fieldbook -C repo audit >out 2>err
	no_secret out err &&
	sed -i "s/SECRET-XYZ-K2/SECRET-XYZ-K3/" repo/records/dossiers/d-001.yaml &&
	fieldbook -C repo diff >out 2>err &&
	no_secret out err &&
	test_grep "/vault: " out
'

test_expect_success 'x-confidential under propertyNames is refused when the schema loads' '
	rm -rf pn && fb_repo pn &&
	cat >pn/schemas/tags.yaml <<-\EOF &&
	type: object
	properties:
	  id: {type: string}
	  labels:
	    type: object
	    propertyNames: {type: string, x-confidential: true}
	EOF
	test_expect_code 1 fieldbook -C pn validate >out 2>err &&
	test_grep "schemas/tags.yaml:6:5: error: .*x-confidential cannot apply to property names" err
'

test_done
