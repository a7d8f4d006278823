#!/bin/sh
# Write the hostile inputs that are binary or large into DIR, so the
# repository itself only holds text.  Deterministic: the same bytes every run.
#
#   sh generate.sh DIR
set -eu
dir=$1
mkdir -p "$dir"

# 100 000 nested flow sequences: libyaml alone is quadratic on this
{ printf 'id: deep-100000\nx: '; head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; echo; } >"$dir/deep-100000.yaml"

# 5 MiB of otherwise valid YAML
{ printf 'id: big-5mib\nnotes: "'; head -c 5242880 /dev/zero | tr '\0' 'x'; printf '"\n'; } >"$dir/big-5mib.yaml"

printf 'id: invalid-utf8\nname: \330\271\331\377\n' >"$dir/invalid-utf8.yaml"
printf 'id: overlong-utf8\nname: \300\257\n' >"$dir/overlong-utf8.yaml"
printf 'id: surrogate\nname: \355\240\200\n' >"$dir/surrogate.yaml"
# "id: x" in UTF-16LE with a byte-order mark, without one, and UTF-32LE
printf '\377\376i\0d\0:\0 \0x\0\n\0' >"$dir/utf16le.yaml"
printf 'i\0d\0:\0 \0x\0\n\0' >"$dir/utf16-nobom.yaml"
printf '\377\376\0\0i\0\0\0d\0\0\0' >"$dir/utf32.yaml"
printf 'id: raw-nul\nname: a\0b\n' >"$dir/raw-nul.yaml"
printf 'id: control-char\nname: bell\a\n' >"$dir/control-char.yaml"
# the start of a PNG file saved under a record's name
printf '\211PNG\r\n\032\n\0\0\0\rIHDR\0\0\0\020' >"$dir/binary-garbage.yaml"
