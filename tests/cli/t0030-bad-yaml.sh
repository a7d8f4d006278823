#!/bin/sh
test_description='hostile and broken YAML: one clear diagnostic each, fast, never a signal'
. "$(dirname "$0")/lib.sh"

cases="$FB_SRCDIR/tests/data/bad-yaml"

test_expect_success 'setup: a repository whose one type accepts any mapping' '
	git init -q repo &&
	mkdir -p repo/schemas repo/records/things &&
	printf "\$schema: https://json-schema.org/draft/2020-12/schema\ntype: object\n" \
		>repo/schemas/things.yaml &&
	cp "$cases"/*.yaml repo/records/things/ &&
	sh "$cases/generate.sh" repo/records/things &&
	fieldbook -C repo hook install >/dev/null &&
	ls repo/records/things | sed "s/\.yaml$//" | sort >names &&
	test_line_count -ge 25 names
'

# Every case: exit 1 (0 when its .expect is empty), stderr exactly the
# expected diagnostics, within a second.
for name in $(ls "$cases"/*.expect | sed "s|.*/||; s/\.expect$//"); do
	test_expect_success "bad-yaml: $name" '
		start=$(date +%s%N) &&
		fieldbook -C repo validate "things/$name" >out 2>err
		code=$? &&
		end=$(date +%s%N) &&
		if test -s "$cases/$name.expect"; then want=1; else want=0; fi &&
		test "$code" = "$want" &&
		test_cmp "$cases/$name.expect" err &&
		ms=$(( (end - start) / 1000000 )) &&
		echo "$name: $ms ms" &&
		test "$ms" -lt "${FB_CASE_MS:-1000}"
	'
done

test_expect_success 'every case has its expectation' '
	ls "$cases"/*.expect | sed "s|.*/||; s/\.expect$//" | sort >expected &&
	test_cmp names expected
'

test_expect_success 'all of them in one run: every diagnostic, exit 1' '
	test_expect_code 1 fieldbook -C repo validate >out 2>err &&
	cat "$cases"/*.expect | sort >expect &&
	sort err >actual &&
	test_cmp expect actual
'

test_done
