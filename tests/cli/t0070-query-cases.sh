#!/bin/sh
test_description='query: the data-driven cases of tests/data/query/*.test'
. "$(dirname "$0")/lib.sh"

data="$FB_SRCDIR/tests/data/query"

test_expect_success 'setup: the shipped schemas and the query fixture' '
	fb_repo repo &&
	cp -R "$data/records/." repo/records/ &&
	(cd repo && git add -A && git commit --no-verify -qm fixture)
'


n=0
for file in "$data"/*.test; do
	# a case: three lines; blank lines separate cases, # lines are comments
	awk '
		/^#/ { next }
		/^$/ { if (n) print ""; n = 0; next }
		{ print; n++ }
	' "$file" >cases.txt
	while IFS= read -r head && IFS= read -r expr && IFS= read -r want; do
		IFS= read -r blank || true
		n=$((n + 1))
		name="$(basename "$file" .test) #$n: $head: $expr"
		test_expect_success "$name" '
			eval "set -- $head" &&
			type=$1 && shift &&
			if test "$expr" = "."; then
				fieldbook -C repo query "$type" "$@" --format ids >out 2>err
			else
				fieldbook -C repo query "$type" "$expr" "$@" --format ids >out 2>err
			fi
			code=$?
			case $want in
			ERROR*)
				col=$(echo "$want" | cut -d" " -f2) &&
				msg=$(echo "$want" | cut -d" " -f3-) &&
				test $code = 2 &&
				test_must_be_empty out &&
				grep -F "query: 1:$col: error: " err | grep -F -e "$msg" >/dev/null ||
				{ cat err; false; }
				;;
			*)
				test $code = 0 &&
				sed "s|^[a-z]*/||" out | sort | tr "\n" " " | sed "s/ \$//" >got &&
				if test "$want" = "(none)"; then test_must_be_empty got; else
				echo "$want" | tr " " "\n" | sort | tr "\n" " " | sed "s/ \$//" >expect &&
				test_cmp expect got; fi
				;;
			esac
		'
	done <cases.txt
done

test_expect_success 'at least 120 cases ran' '
	test '"$n"' -ge 120
'

test_done
