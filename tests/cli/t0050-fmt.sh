#!/bin/sh
test_description='fmt: the canonical layout, by rewrites that keep every comment'
. "$(dirname "$0")/lib.sh"

cases="$FB_SRCDIR/tests/data/fmt"

# the record path a case goes to, from its id field
case_path() {
	id=$(sed -n 's/^\(\xef\xbb\xbf\)\{0,1\}\(---\)\{0,1\}\r\{0,1\}$//; s/^id: *\([a-z0-9-]*\).*/\1/p' "$1" | head -1)
	case $id in
	c-*) echo "records/contacts/$id.yaml" ;;
	v-*) echo "records/visits/$id.yaml" ;;
	esac
}

test_expect_success 'setup' '
	fb_repo repo &&
	mkdir -p repo/records/counties repo/records/contacts repo/records/visits &&
	printf "id: jiroft\nname: جیرفت\n" >repo/records/counties/jiroft.yaml &&
	(cd repo && git add -A && git commit -qm init)
'

for in in "$cases"/*.in.yaml; do
	name=$(basename "$in" .in.yaml)
	out="$cases/$name.out.yaml"
	test -f "$out" || continue
	test_expect_success "fmt: $name" '
		path=$(case_path "$in") &&
		test -n "$path" &&
		cp "$in" "repo/$path" &&
		test_expect_code 1 fieldbook -C repo fmt --check >listed 2>err &&
		echo "$path" >expect && test_cmp expect listed &&
		test_cmp "$in" "repo/$path" &&
		fieldbook -C repo fmt 2>err &&
		test_cmp "$out" "repo/$path" &&
		fieldbook -C repo fmt --check >listed &&
		test_must_be_empty listed &&
		grep -o "#.*" "$in" | sed "s/[[:space:]]*\$//" | sort >comments.in &&
		grep -o "#.*" "$out" | sort >comments.out &&
		test_cmp comments.in comments.out &&
		rm "repo/$path"
	'
done

test_expect_success 'a comment inside a multi-line [flow] list: refused, file untouched' '
	cp "$cases/refused-flow-comment.in.yaml" repo/records/contacts/c-0005.yaml &&
	test_expect_code 1 fieldbook -C repo fmt 2>err &&
	test_grep "^records/contacts/c-0005.yaml:6:19: error: cannot keep this comment: it is inside the multi-line collection at 5:9" err &&
	test_cmp "$cases/refused-flow-comment.in.yaml" repo/records/contacts/c-0005.yaml &&
	rm repo/records/contacts/c-0005.yaml
'

test_expect_success '`- # c` over a text of several lines: refused, never an output fmt itself refuses' '
	printf "id: c-0008\nname: x\nroles:\n  - # first\n    a plain text\n    over two lines\n" >in.yaml &&
	cp in.yaml repo/records/contacts/c-0008.yaml &&
	test_expect_code 1 fieldbook -C repo fmt contacts/c-0008 2>err &&
	test_grep "^records/contacts/c-0008.yaml:4:5: error: cannot keep this comment: the text below it spans several lines" err &&
	test_cmp in.yaml repo/records/contacts/c-0008.yaml &&
	rm repo/records/contacts/c-0008.yaml
'

test_expect_success 'a block scalar whose | is not on its first line, or a key over lines: refused' '
	printf "id: c-0007\nname: x\nnotes: !!str\n  |  # what he said\n  text\n" >in.yaml &&
	cp in.yaml repo/records/contacts/c-0007.yaml &&
	test_expect_code 1 fieldbook -C repo fmt 2>err &&
	test_grep "^records/contacts/c-0007.yaml:3:8: error: cannot format this block scalar: its | or > is not on the line where the value starts" err &&
	test_cmp in.yaml repo/records/contacts/c-0007.yaml &&
	printf "id: c-0007\nname: x\n? |  # a key\n  role\n: other\n" >in.yaml &&
	cp in.yaml repo/records/contacts/c-0007.yaml &&
	test_expect_code 1 fieldbook -C repo fmt 2>err &&
	test_grep "^records/contacts/c-0007.yaml:3:3: error: cannot format a key written over several lines or as a block scalar" err &&
	test_cmp in.yaml repo/records/contacts/c-0007.yaml &&
	printf "id: c-0007\nname: x\n? ! # a key\n  role\n: other\n" >in.yaml &&
	cp in.yaml repo/records/contacts/c-0007.yaml &&
	test_expect_code 1 fieldbook -C repo fmt 2>err &&
	test_grep "^records/contacts/c-0007.yaml:3:3: error: cannot format a key written over several lines" err &&
	test_cmp in.yaml repo/records/contacts/c-0007.yaml &&
	rm repo/records/contacts/c-0007.yaml
'

test_expect_success 'a record that does not parse is refused with the reason' '
	printf "id: c-0006\nname: [\n" >repo/records/contacts/c-0006.yaml &&
	test_expect_code 1 fieldbook -C repo fmt 2>err &&
	test_grep "^records/contacts/c-0006.yaml:3:1: error:" err &&
	rm repo/records/contacts/c-0006.yaml
'

test_expect_success 'targets: only the named record is rewritten' '
	cp "$cases/indent-four.in.yaml" repo/records/visits/v-0001.yaml &&
	cp "$cases/block-scalar.in.yaml" repo/records/contacts/c-0003.yaml &&
	fieldbook -C repo fmt visits/v-0001 &&
	test_cmp "$cases/indent-four.out.yaml" repo/records/visits/v-0001.yaml &&
	test_cmp "$cases/block-scalar.in.yaml" repo/records/contacts/c-0003.yaml &&
	fieldbook -C repo fmt contacts &&
	test_cmp "$cases/block-scalar.out.yaml" repo/records/contacts/c-0003.yaml
'

test_expect_success 'file permissions survive a rewrite; no temporary file is left' '
	cp "$cases/keys-and-comments.in.yaml" repo/records/contacts/c-0001.yaml &&
	chmod 600 repo/records/contacts/c-0001.yaml &&
	fieldbook -C repo fmt contacts/c-0001 &&
	test "$(stat -c %a repo/records/contacts/c-0001.yaml)" = 600 &&
	test -z "$(ls -A repo/records/contacts | grep "^\.")"
'

test_expect_success 'the demo data is canonical' '
	fb_demo demo &&
	fieldbook -C demo fmt --check >listed 2>err &&
	test_must_be_empty listed
'

test_done
