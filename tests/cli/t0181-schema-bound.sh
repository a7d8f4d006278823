#!/bin/sh
test_description='schemas that multiply their checks: refused at once, in every command; big records bounded'
. "$(dirname "$0")/lib.sh"

cases="$FB_SRCDIR/tests/data/schema-bound"
refused="error: schema /properties/v: checking one value against this takes more than 20000 checks"

# The step cap is what bounds the work (the big-record test checks its
# message); the clock only catches a runaway, which takes minutes, not
# seconds.  An ASan+UBSan build runs these checks several times slower
# and a loaded CI machine slower again, so its bounds are five times wider.
slow=1
test -n "${FB_SANITIZE:-}" && slow=5
fast=$((2000 * slow)) bounded=$((3000 * slow))

# ms CMD...: run it (status in $code), the milliseconds it took in $ms
ms() {
	start=$(date +%s%N)
	"$@" >out 2>err
	code=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "$*: exit $code, $ms ms"
}

for f in "$cases"/*.yaml; do
	name=$(basename "$f" .yaml)
	test_expect_success "$name: refused by validate, commit, audit, query, validate --schema; fast" '
		rm -rf r && git init -q r && mkdir -p r/schemas r/records/things &&
		cp "$f" r/schemas/things.yaml &&
		printf "id: x\nv: text\n" >r/records/things/x.yaml &&
		ms fieldbook -C r validate && test $code = 1 && test $ms -lt $fast &&
		test_grep "^schemas/things.yaml:[0-9]*:[0-9]*: $refused" err &&
		ms fieldbook -C r commit -m x && test $code = 1 && test $ms -lt $fast &&
		test_grep "$refused" err &&
		(cd r && git add -A && git commit -qm "plain git") &&
		ms fieldbook -C r audit && test $code = 1 && test $ms -lt $fast &&
		ms fieldbook -C r query things -f v && test $ms -lt $fast &&
		ms fieldbook validate --schema r/schemas/things.yaml r/records/things/x.yaml &&
		test $code = 2 && test $ms -lt $fast && test_grep "$refused" err
	'
done

test_expect_success 'a pre-receive with such a schema refuses the push at once' '
	git init -q --bare server.git &&
	(cd server.git && fieldbook hook install >/dev/null) &&
	test_must_fail git -C r push -q ../server.git HEAD:refs/heads/main 2>err &&
	test_grep "$refused" err &&
	test_must_fail git -C server.git rev-parse -q --verify main
'

test_expect_success 'a deep chain that does not multiply is fine' '
	rm -rf d && git init -q d && mkdir -p d/schemas d/records/things &&
	{
		printf "\$schema: https://json-schema.org/draft/2020-12/schema\ntype: object\n"
		printf "properties:\n  v: {\$ref: \"#/\$defs/d0\"}\n\$defs:\n"
		i=0 && while test $i -lt 100; do
			printf "  d$i: {anyOf: [{type: string}, {\$ref: \"#/\$defs/d$((i + 1))\"}]}\n"
			i=$((i + 1))
		done
		printf "  d100: {type: integer}\n"
	} >d/schemas/things.yaml &&
	printf "id: x\nv: 5\n" >d/records/things/x.yaml &&
	ms fieldbook -C d validate && test $code = 0 && test $ms -lt $fast
'

test_expect_success 'a big record under a heavy (allowed) schema: bounded, said so, no flood' '
	rm -rf b && git init -q b && mkdir -p b/schemas b/records/things &&
	{
		printf "\$schema: https://json-schema.org/draft/2020-12/schema\ntype: object\n"
		printf "properties:\n  v: {type: array, items: {\$ref: \"#/\$defs/d0\"}}\n\$defs:\n"
		i=0 && while test $i -lt 12; do
			j=$((i + 1)) &&
			printf "  d$i: {allOf: [{\$ref: \"#/\$defs/d$j\"}, {\$ref: \"#/\$defs/d$j\"}]}\n" &&
			i=$j
		done
		printf "  d12: {type: integer}\n"
	} >b/schemas/things.yaml &&
	{ printf "id: x\nv:\n" && seq -f "  - t%g" 1 3000; } >b/records/things/x.yaml &&
	ms fieldbook -C b validate && test $code = 1 && test $ms -lt $bounded &&
	test_grep "^records/things/x.yaml:1:1: error: checking stopped after 2000000 steps" err &&
	test_grep "^records/things/x.yaml:3:5: error: /v/0: expected an integer, not a string" err &&
	test $(grep -c "/v/0:" err) = 1 &&
	test $(wc -l <err) -lt 3000
'

test_done
