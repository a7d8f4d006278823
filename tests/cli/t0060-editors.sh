#!/bin/sh
test_description='the editor path: the YAML language server (as VS Code runs it), ajv and python-jsonschema agree with fieldbook'
# npm needs the user's own configuration (registry, CA file) and cache, which
# lib.sh hides by moving HOME into the trash directory.
fb_user_home=${HOME:-}
. "$(dirname "$0")/lib.sh"

# The Node side lives in tests/editors (package.json pins every version; its
# node_modules/ is installed here on first use with `npm ci`).  Without node,
# npm or the registry, and without a python3 that has jsonschema and yaml,
# the tests that need them are skipped, visibly, with the reason.
EDITORS=$FB_SRCDIR/tests/editors
LSP="$EDITORS/lsp-validate.mjs"
AJV="$EDITORS/ajv-validate.mjs"
PYV="$EDITORS/py-validate.py"

# say why tests are skipped on stderr, which prove shows even when quiet
say_skip() {
	echo "# t0060: skipping $*" >&2
}

editors_deps_ok() {
	(cd "$EDITORS" && node -e '
		const fs = require("fs");
		const want = JSON.parse(fs.readFileSync("package.json", "utf8")).devDependencies;
		for (const [name, version] of Object.entries(want)) {
			const got = JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version;
			if (got !== version) { console.error(`${name} ${got}, want ${version}`); process.exit(1); }
		}') >/dev/null 2>&1
}

if ! command -v node >/dev/null 2>&1; then
	say_skip "the language server and ajv: node is not installed (Debian: nodejs npm)"
elif ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 18 ? 0 : 1)'; then
	say_skip "the language server and ajv: node $(node --version) is older than 18"
else
	if ! editors_deps_ok; then
		if ! command -v npm >/dev/null 2>&1; then
			say_skip "the language server and ajv: npm is not installed (Debian: npm)"
		else
			echo "# t0060: installing tests/editors/node_modules with npm ci" >&2
			to=
			command -v timeout >/dev/null 2>&1 && to="timeout 600"
			if ! (cd "$EDITORS" && HOME=${fb_user_home:-$HOME} $to npm ci --no-audit --no-fund \
				--fetch-retries=1 --fetch-timeout=60000) >"$TRASH/npm.log" 2>&1; then
				say_skip "the language server and ajv: npm ci in tests/editors failed (offline?):"
				head -n 4 "$TRASH/npm.log" | sed 's/^/#	/' >&2
			fi
		fi
	fi
	editors_deps_ok && test_set_prereq NODE
fi

PY=
for py in /usr/bin/python3 python3; do
	if "$py" -c 'import yaml, jsonschema; jsonschema.Draft202012Validator.FORMAT_CHECKER' 2>/dev/null; then
		PY=$py
		test_set_prereq PYJSONSCHEMA
		break
	fi
done
test -n "$PY" ||
	say_skip "python-jsonschema: no python3 with jsonschema (>= 4) and yaml (Debian: python3-jsonschema python3-yaml)"

lsp() {
	node "$LSP" "$@"
}

# verdicts TOOL-OUTPUT: "FILE: valid|invalid" lines, sorted, from the output
# of ajv-validate.mjs or py-validate.py
verdicts() {
	sed -n 's/^\(records\/[^:]*\): \(valid\|invalid\)\($\|:.*\)/\1: \2/p' "$1" | LC_ALL=C sort
}

# lsp_verdicts REPO LSP-OUTPUT: a record with any diagnostic is invalid
lsp_verdicts() {
	cut -d: -f1 "$2" >lsp.flagged &&
	record_list "$1" | mark_invalid lsp.flagged
}

# record_list REPO: its record files, sorted
record_list() {
	(cd "$1" && find records -name "*.yaml" ! -name ".*") | LC_ALL=C sort
}

# mark_invalid FLAGGED <LIST: "FILE: valid|invalid", invalid when FLAGGED names it
mark_invalid() {
	awk -v flagged="$1" 'BEGIN { while ((getline l <flagged) > 0) bad[l] = 1 }
		{ print $0 ": " ($0 in bad ? "invalid" : "valid") }'
}

# fb_verdicts REPO: fieldbook's verdict for every record of REPO (a record is
# invalid when `validate` names it in an error)
fb_verdicts() {
	(cd "$1" && test_expect_code_le1 "$FIELDBOOK" validate) >/dev/null 2>fb.err &&
	grep ": error: " fb.err | cut -d: -f1 >fb.flagged &&
	record_list "$1" | mark_invalid fb.flagged
}

test_expect_code_le1() {
	"$@"
	test $? -le 1
}

# expect_verdicts REPO "FILE verdict"...: every record valid but those named
expect_verdicts() {
	repo_=$1
	shift
	record_list "$repo_" |
	while read -r f; do
		v=valid
		for e; do
			case $e in "$f "*) v=${e#* } ;; esac
		done
		echo "$f: $v"
	done
}

test_expect_success 'setup: the demo data set with its .vscode/settings.json' '
	fb_demo demo &&
	mkdir demo/.vscode &&
	cp "$FB_SRCDIR/.vscode/settings.json" demo/.vscode/ &&
	(cd demo && find records -name "*.yaml") | LC_ALL=C sort >demo.records &&
	n=$(wc -l <demo.records | tr -d " ") &&
	test "$n" -gt 0 &&
	fieldbook -C demo validate >out &&
	echo "$n records checked: all valid" >expect &&
	test_cmp expect out
'

test_expect_success '.vscode/settings.json maps each schema to its records' '
	for s in "$FB_SRCDIR"/schemas/[!_]*.yaml; do
		t=$(basename "$s" .yaml) &&
		test_grep -F "\"./schemas/$t.yaml\": \"records/$t/**/*.yaml\"" demo/.vscode/settings.json ||
		return 1
	done
'

# (a) the demo data set through the language server

test_expect_success NODE 'language server: every demo record gets its schema from settings.json, and no diagnostic' '
	lsp --root demo --list-schemas >out 2>err &&
	sed "s|^records/\([^/]*\)/.*|&: schema: schemas/\1.yaml|" demo.records >expect &&
	test_cmp expect out &&
	n=$(wc -l <demo.records | tr -d " ") &&
	test_grep "yaml-language-server [0-9.]*, YAML 1.2: $n file(s), $n with a schema, $n clean, 0 error(s), 0 warning(s)" err &&
	cat err >&2
'

test_expect_success NODE 'language server: the same with the schemas handed over as parsed JSON' '
	lsp --root demo --parsed-schemas >out 2>err &&
	test_must_be_empty out &&
	n=$(wc -l <demo.records | tr -d " ") &&
	test_grep "$n clean, 0 error(s), 0 warning(s)" err
'

# (b) broken records through the language server

test_expect_success 'setup: broken records beside the demo data' '
	cp -R demo broken &&
	mkdir -p broken/records/visits/1403 broken/records/assessments &&
	# schema violations: every validator must reject these
	cat >broken/records/contacts/c-9001.yaml <<-\EOF &&
	id: c-9001
	name: آزمون خراب
	role: imam
	county: jiroft
	phones:
	  - "09139990001"
	  - 0913 999
	influence: 7
	shoe_size: 42
	email: not-an-email
	EOF
	printf "id: c-9002\nname: [\nrole: other\n" >broken/records/contacts/c-9002.yaml &&
	printf "id: c-9003\nname: x\nname: y\nrole: other\ncounty: jiroft\nstatus: active\n" \
		>broken/records/contacts/c-9003.yaml &&
	cat >broken/records/contacts/c-9004.yaml <<-\EOF &&
	id: c-9004
	name: نفوذ در گیومه
	role: other
	county: jiroft
	status: active
	influence: "3"
	EOF
	cat >broken/records/contacts/c-9005.yaml <<-\EOF &&
	id: c-9005
	name: برچسب تکراری
	role: other
	county: jiroft
	status: retired
	tags: [جوانان, جوانان]
	EOF
	cat >broken/records/visits/1403/v-9008.yaml <<-\EOF &&
	id: v-9008
	date: 1403/05/12
	county: jiroft
	staff:
	  - مریم کریمی
	contacts:
	  - c-0001
	kind: meeting
	issues:
	  - title: قطعی آب
	    severity: critical
	    status: open
	follow_ups:
	  - action: پیگیری
	    due: 1403/06/01
	EOF
	cat >broken/records/visits/1403/v-9009.yaml <<-\EOF &&
	id: v-9009
	date: 1403/05/13
	county: jiroft
	staff: [مریم کریمی]
	contacts: []
	kind: visit
	EOF
	cat >broken/records/assessments/a-9010.yaml <<-\EOF &&
	id: a-9010
	county: jiroft
	subject: آزمون
	position: farmandar
	period: 1403-Q5
	date: 1403/05/12
	scores:
	  policy_alignment: 3
	  responsiveness: 3
	  development: 3
	  tension_management: 3
	overall: 0
	EOF
	cat >broken/records/counties/zz-bad.yaml <<-\EOF &&
	id: zz-bad
	name: خراب
	districts:
	  - id: markazi
	governor:
	  name: کسی
	EOF
	# valid everywhere: 4.0 is an integer, quoted digits are strings
	cat >broken/records/contacts/c-9011.yaml <<-\EOF &&
	id: c-9011
	name: درست
	role: other
	county: jiroft
	status: active
	influence: 4.0
	phones:
	  - "09139990011"
	notes: "0755"
	first_met: ۱۴۰۳/۰۵/۱۲
	EOF
	# only fieldbook can reject these: the x- keywords
	cat >broken/records/contacts/c-9101.yaml <<-\EOF &&
	id: c-9101
	name: شهرستان ناموجود
	role: other
	county: atlantis
	status: active
	EOF
	cat >broken/records/contacts/c-9102.yaml <<-\EOF &&
	id: c-9102
	name: تاریخ ناممکن
	role: other
	county: jiroft
	status: active
	first_met: 1403/13/01
	EOF
	# the number of contacts/c-0001.yaml, written another way (x-phone, x-unique)
	test_grep "03431414213" broken/records/contacts/c-0001.yaml &&
	cat >broken/records/contacts/c-9103.yaml <<-\EOF &&
	id: c-9103
	name: تلفن تکراری
	role: other
	county: jiroft
	status: active
	phones:
	  - 034 3141 4213
	EOF
	cat >broken/records/visits/1403/v-9104.yaml <<-\EOF &&
	id: v-9104
	date: 1403/05/12
	county: jiroft
	staff: [مریم کریمی]
	contacts: [c-9999]
	kind: phone
	follow_ups:
	  - action: پیگیری
	    due: 1404/12/30
	    status: open
	EOF
	# only editors reject this: plain scalars where the schema wants a
	# string are strings to fieldbook (SPEC 2), numbers to YAML 1.2
	cat >broken/records/contacts/c-9201.yaml <<-\EOF
	id: c-9201
	name: بی‌گیومه
	role: other
	county: jiroft
	status: active
	phones:
	  - 09131234000
	organization: 1403
	EOF
'

test_expect_success NODE 'language server flags the broken contact at the lines fieldbook names' '
	test_expect_code 1 lsp --root broken broken/records/contacts/c-9001.yaml >out 2>err &&
	test_grep "^records/contacts/c-9001.yaml:1:1: warning: Missing property \"status\"\.$" out &&
	test_grep "^records/contacts/c-9001.yaml:3:7: warning: Value is not accepted\. Valid values: \"friday-prayer-leader\", " out &&
	test_grep "^records/contacts/c-9001.yaml:7:5: warning: String does not match the pattern of " out &&
	test_grep "^records/contacts/c-9001.yaml:8:12: warning: Value is above the maximum of 5\.$" out &&
	test_grep "^records/contacts/c-9001.yaml:9:1: warning: Property shoe_size is not allowed\.$" out &&
	test_grep "^records/contacts/c-9001.yaml:10:8: warning: String is not an e-mail address\.$" out &&
	test_line_count = 6 out &&
	test_grep "0 clean, 0 error(s), 6 warning(s)" err &&
	test_expect_code 1 fieldbook -C broken validate contacts/c-9001 2>fb.err &&
	cut -d: -f1-3 out | sort -u >lsp.at &&
	cut -d: -f1-3 fb.err | sort -u >fb.at &&
	test_cmp fb.at lsp.at
'

test_expect_success NODE 'language server follows $ref into _common.yaml (nested visit errors)' '
	test_expect_code 1 lsp --root broken broken/records/visits/1403/v-9008.yaml >out 2>err &&
	cat >expect <<-\EOF &&
	records/visits/1403/v-9008.yaml:11:15: warning: Value is not accepted. Valid values: "low", "medium", "high".
	records/visits/1403/v-9008.yaml:14:5: warning: Missing property "status".
	EOF
	test_cmp expect out &&
	test_expect_code 1 fieldbook -C broken validate visits/v-9008 2>fb.err &&
	cut -d: -f1-3 fb.err | sort -u >fb.at &&
	cut -d: -f1-3 out | sort -u >lsp.at &&
	test_cmp fb.at lsp.at
'

test_expect_success NODE 'language server: broken YAML is an error, not a warning' '
	test_expect_code 1 lsp --root broken broken/records/contacts/c-9002.yaml \
		broken/records/contacts/c-9003.yaml >out 2>err &&
	test_grep "^records/contacts/c-9002.yaml:[0-9]*:[0-9]*: error: Flow sequence" out &&
	test_grep "^records/contacts/c-9003.yaml:3:1: error: Map keys must be unique" out
'

test_expect_success NODE 'language server: a record outside every yaml.schemas glob is reported' '
	mkdir -p broken/elsewhere &&
	printf "id: x\n" >broken/elsewhere/x.yaml &&
	test_expect_code 1 lsp --root broken broken/elsewhere/x.yaml >out 2>err &&
	test_grep "^elsewhere/x.yaml:1:1: error: no schema from .vscode/settings.json" out &&
	rm -r broken/elsewhere
'

test_expect_success NODE 'language server: text and pre-parsed schemas give the same diagnostics' '
	test_expect_code 1 lsp --root broken >out.text 2>err &&
	test_expect_code 1 lsp --root broken --parsed-schemas >out.json 2>err &&
	test_cmp out.text out.json
'

# (c) verdicts: fieldbook, ajv, python-jsonschema and the language server

test_expect_success NODE 'ajv: every demo record valid against schema export, as fieldbook says' '
	node "$AJV" --fieldbook "$FIELDBOOK" --root demo >out 2>err &&
	cat err >&2 &&
	verdicts out >ajv.v &&
	fb_verdicts demo >fb.v &&
	test_cmp fb.v ajv.v &&
	sed "s/\$/: valid/" demo.records >expect &&
	test_cmp expect ajv.v
'

test_expect_success PYJSONSCHEMA 'python-jsonschema: every demo record valid, as fieldbook says' '
	"$PY" "$PYV" --fieldbook "$FIELDBOOK" --root demo >out 2>err &&
	cat err >&2 &&
	verdicts out >py.v &&
	fb_verdicts demo >fb.v &&
	test_cmp fb.v py.v &&
	sed "s/\$/: valid/" demo.records >expect &&
	test_cmp expect py.v
'

# What each side must say about the broken data set: the demo records stay
# valid; schema violations are invalid everywhere; the x- keywords only
# fieldbook checks; plain digits in string fields only YAML 1.2 tools reject.
schema_invalid="
records/assessments/a-9010.yaml invalid
records/contacts/c-9001.yaml invalid
records/contacts/c-9002.yaml invalid
records/contacts/c-9003.yaml invalid
records/contacts/c-9004.yaml invalid
records/contacts/c-9005.yaml invalid
records/counties/zz-bad.yaml invalid
records/visits/1403/v-9008.yaml invalid
records/visits/1403/v-9009.yaml invalid"
x_invalid="
records/contacts/c-9101.yaml invalid
records/contacts/c-9102.yaml invalid
records/contacts/c-9103.yaml invalid
records/visits/1403/v-9104.yaml invalid"
typed_invalid="
records/contacts/c-9201.yaml invalid"

# expect_broken "LINES": the expected verdicts on broken/, with LINES
# ("FILE invalid", one a line) invalid besides the schema violations
expect_broken() {
	old_ifs=$IFS
	IFS='
'
	set -f
	# shellcheck disable=SC2086
	expect_verdicts broken $schema_invalid $1
	set +f
	IFS=$old_ifs
}

test_expect_success 'fieldbook: schema violations and x- keywords rejected, plain digits accepted' '
	fb_verdicts broken >fb.v &&
	expect_broken "$x_invalid" >expect &&
	test_cmp expect fb.v
'

test_expect_success NODE 'ajv: the same verdicts but for the x- keywords and plain digits' '
	test_expect_code 1 node "$AJV" --fieldbook "$FIELDBOOK" --root broken >out 2>err &&
	cat err >&2 &&
	verdicts out >ajv.v &&
	expect_broken "$typed_invalid" >expect &&
	test_cmp expect ajv.v &&
	fb_verdicts broken >fb.v &&
	diff fb.v ajv.v | sed -n "s/^[<>] //p" | cut -d: -f1 | LC_ALL=C sort -u >differ &&
	printf "%s\n" $x_invalid $typed_invalid | grep "^records/" | LC_ALL=C sort >expect &&
	test_cmp expect differ &&
	test_grep "^records/contacts/c-9201.yaml: invalid: .*/phones/0 must be string" out &&
	test_grep "^records/contacts/c-9201.yaml: invalid: .*/organization must be string" out
'

test_expect_success PYJSONSCHEMA 'python-jsonschema: the same verdicts as ajv' '
	test_expect_code 1 "$PY" "$PYV" --fieldbook "$FIELDBOOK" --root broken >out 2>err &&
	cat err >&2 &&
	verdicts out >py.v &&
	expect_broken "$typed_invalid" >expect &&
	test_cmp expect py.v
'

# out.text: the language server on all of broken/, from the test above
test_expect_success NODE 'language server: the same verdicts as ajv' '
	lsp_verdicts broken out.text >lsp.v &&
	expect_broken "$typed_invalid" >expect &&
	test_cmp expect lsp.v &&
	test_grep "^records/contacts/c-9201.yaml:7:5: warning: Incorrect type. Expected \"string\".$" out.text &&
	test_grep "^records/contacts/c-9201.yaml:8:15: warning: Incorrect type. Expected \"string\".$" out.text
'

test_expect_success 'fieldbook validate --schema types plain digits as editors do, at the same lines' '
	fieldbook -C broken schema export contacts >contacts.json &&
	cp broken/records/contacts/c-9201.yaml . &&
	test_expect_code 1 fieldbook validate --schema contacts.json c-9201.yaml 2>err &&
	test_grep "^c-9201.yaml:7:5: error: /phones/0: expected a string" err &&
	test_grep "^c-9201.yaml:8:15: error: /organization: expected a string" err
'

test_done
