#!/bin/sh
# Damage the loose object OID of the repository REPO the way KIND says, in
# place, so the repository itself only holds text.  Deterministic: the same
# bytes every run (see README.md for what each kind is and what must happen).
#
#   sh damage.sh REPO OID KIND
#
# KIND: half | zero | one-byte | bad-zlib | not-zlib | short-body | long-body
set -eu
repo=$1 oid=$2 kind=$3
gitdir=$(git -C "$repo" rev-parse --absolute-git-dir)
file=$gitdir/objects/$(echo "$oid" | cut -c1-2)/$(echo "$oid" | cut -c3-)
[ -f "$file" ] || { echo "damage.sh: $oid is not a loose object of $repo" >&2; exit 1; }
size=$(wc -c <"$file" | tr -d ' ')
chmod u+w "$file"

# a whole zlib stream of the object's header (its true type and size) and a
# body that is not what the header says: rezip PYTHON-EXPRESSION-ON-body
rezip() {
	type=$(git -C "$repo" cat-file -t "$oid")
	git -C "$repo" cat-file "$type" "$oid" >"$file.body"
	python3 -c '
import sys, zlib
body = open(sys.argv[1], "rb").read()
new = eval(sys.argv[3])
head = sys.argv[2].encode() + b" " + str(len(body)).encode() + b"\0"
sys.stdout.buffer.write(zlib.compress(head + new))
' "$file.body" "$type" "$1" >"$file.new"
	rm -f "$file.body"
	mv -f "$file.new" "$file"
}

case $kind in
half) # cut to half its length: the zlib stream never ends
	truncate -s $((size / 2)) "$file" ;;
zero) # an empty file, as a full disk or a crash before the write leaves it
	: >"$file" ;;
one-byte) # just the first byte of the zlib header
	truncate -s 1 "$file" ;;
bad-zlib) # a zlib header, then bytes that are no deflate stream
	printf 'x\234\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377' >"$file" ;;
not-zlib) # text where zlib data should be
	printf 'this is not an object\n' >"$file" ;;
short-body) # a whole zlib stream whose header promises more than follows
	rezip 'body[:len(body) // 2]' ;;
long-body) # a whole zlib stream with more than its header says
	rezip 'body + b"trailing bytes"' ;;
*)
	echo "damage.sh: unknown kind '$kind'" >&2
	exit 2 ;;
esac
