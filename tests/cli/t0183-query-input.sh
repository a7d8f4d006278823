#!/bin/sh
test_description='query: invalid UTF-8 in any argument is a usage error with its offset; messages never echo raw bytes'
. "$(dirname "$0")/lib.sh"

# stderr_is_clean FILE: valid UTF-8, no control characters but newlines,
# no bidi controls -- what a terminal shows as it is
stderr_is_clean() {
	python3 -c '
import sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
bad = [c for c in t if (ord(c) < 0x20 and c != "\n") or ord(c) == 0x7f or
       ord(c) in (0x61c, 0x200e, 0x200f) or 0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069]
assert not bad, bad
' "$1" || { cat -v "$1" >&2; false; }
}

test_expect_success 'setup: the query fixture' '
	fb_repo repo &&
	cp -R "$FB_SRCDIR/tests/data/query/records/." repo/records/ &&
	(cd repo && git add -A && git commit --no-verify -qm fixture)
'

test_expect_success '-q with invalid UTF-8: exit 2, the offset, the bytes escaped' '
	test_expect_code 2 fieldbook -C repo query visits -q "$(printf "\377\376")" --format ids >out 2>err &&
	test_must_be_empty out &&
	test_grep -F "fieldbook: error: -q '"'"'\\xff\\xfe'"'"': invalid UTF-8 (byte 0xFF at offset 0)" err &&
	stderr_is_clean err
'

test_expect_success '-q: a bad byte after good text gives its byte offset' '
	test_expect_code 2 fieldbook -C repo query contacts -q "$(printf "علی \200")" >out 2>err &&
	test_grep -F "invalid UTF-8 (byte 0x80 at offset 7)" err &&
	stderr_is_clean err
'

test_expect_success 'EXPR with invalid UTF-8: a syntax error at its column, the caret under it' '
	test_expect_code 2 fieldbook -C repo query visits "$(printf "kind = \377")" >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	query: 1:8: error: invalid UTF-8 (byte 0xFF at offset 7)
	  kind = \xff
	         ^
	EOF
	test_cmp expect err
'

test_expect_success 'EXPR: columns count characters, offsets bytes' '
	test_expect_code 2 fieldbook -C repo query contacts "$(printf "name ~ علی\376")" 2>err &&
	test_grep -F "query: 1:11: error: invalid UTF-8 (byte 0xFE at offset 13)" err &&
	test_grep -F "  name ~ علی\\xfe" err &&
	test_grep "^            ^\$" err &&
	stderr_is_clean err
'

test_expect_success 'EXPR: a bad byte in a field name is invalid UTF-8, not an unknown field' '
	test_expect_code 2 fieldbook -C repo query visits "$(printf "kin\377d = x")" 2>err &&
	test_grep -F "query: 1:4: error: invalid UTF-8 (byte 0xFF at offset 3)" err &&
	test_grep -F "  kin\\xffd = x" err &&
	stderr_is_clean err
'

test_expect_success '-w with invalid UTF-8' '
	test_expect_code 2 fieldbook -C repo query visits "kind = meeting" -w "$(printf "a\200")" >out 2>err &&
	test_must_be_empty out &&
	test_grep -F "query: 1:2: error: invalid UTF-8 (byte 0x80 at offset 1)" err &&
	stderr_is_clean err
'

test_expect_success '-f, -s and -g with invalid UTF-8' '
	test_expect_code 2 fieldbook -C repo query visits -f "$(printf "id,d\377")" 2>err &&
	test_grep -F "fieldbook: error: -f '"'"'d\\xff'"'"': invalid UTF-8 (byte 0xFF at offset 1)" err &&
	stderr_is_clean err &&
	test_expect_code 2 fieldbook -C repo query visits -s "$(printf -- "-da\376te")" 2>err &&
	test_grep -F "fieldbook: error: -s '"'"'-da\\xfete'"'"': invalid UTF-8 (byte 0xFE at offset 3)" err &&
	stderr_is_clean err &&
	test_expect_code 2 fieldbook -C repo query visits -g "$(printf "\377")" -f "count()" 2>err &&
	test_grep -F "fieldbook: error: -g '"'"'\\xff'"'"': invalid UTF-8 (byte 0xFF at offset 0)" err &&
	stderr_is_clean err
'

test_expect_success 'TYPE and --at with invalid UTF-8: usage errors that echo them escaped' '
	test_expect_code 2 fieldbook -C repo query "$(printf "vis\377")" 2>err &&
	test_grep -F "unknown type '"'"'vis\\xff'"'"'" err &&
	stderr_is_clean err &&
	test_expect_code 2 fieldbook -C repo query visits --at "$(printf "1403\377")" 2>err &&
	test_grep -F "'"'"'1403\\xff'"'"'" err &&
	stderr_is_clean err
'

test_expect_success 'control characters and bidi controls echoed in messages are escaped' '
	test_expect_code 2 fieldbook -C repo query visits -f "$(printf "no\033[31mpe")" 2>err &&
	test_grep -F "'"'"'no\\x1b[31mpe'"'"' is not a field path" err &&
	stderr_is_clean err &&
	test_expect_code 2 fieldbook -C repo query visits "$(printf "kind = x\342\200\256y z")" 2>err &&
	test_grep -F "\\u{202E}" err &&
	stderr_is_clean err &&
	test_expect_code 2 fieldbook -C repo query visits -n "$(printf "1\033")" 2>err &&
	test_grep -F "'"'"'1\\x1b'"'"'" err &&
	stderr_is_clean err
'

test_expect_success 'an impossible date in a query: the usage error, escaped like the rest' '
	test_expect_code 2 fieldbook -C repo query visits "date > 1403/13/01" >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	query: 1:8: error: bad date '"'"'1403/13/01'"'"': month 13 out of range 1..12
	  date > 1403/13/01
	         ^
	EOF
	test_cmp expect err
'

test_expect_success 'guard: a record with invalid UTF-8 is refused by the reader, the byte escaped' '
	printf "id: c-0099\nname: bad\377 name\nrole: other\ncounty: bam\nstatus: active\n" \
		>repo/records/contacts/c-0099.yaml &&
	test_expect_code 1 fieldbook -C repo validate contacts/c-0099 2>err &&
	test_grep -F "records/contacts/c-0099.yaml:2:10: error: invalid UTF-8 (byte 0xFF)" err &&
	stderr_is_clean err &&
	fieldbook -C repo query contacts "id = c-0001" --format ids >out 2>err &&
	echo contacts/c-0001 >expect && test_cmp expect out &&
	stderr_is_clean err &&
	rm repo/records/contacts/c-0099.yaml
'

test_expect_success 'guard: escaped control characters in record values are escaped in validate messages' '
	printf "id: c-0098\nname: x\nrole: \"x\\\\ey\"\ncounty: bam\nstatus: active\n" \
		>repo/records/contacts/c-0098.yaml &&
	test_expect_code 1 fieldbook -C repo validate contacts/c-0098 2>err &&
	test_grep -F "'"'"'x\\x1by'"'"' is not one of" err &&
	stderr_is_clean err &&
	rm repo/records/contacts/c-0098.yaml
'

test_done
