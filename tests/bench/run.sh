#!/bin/sh
# fieldbook benchmarks, side by side in one run (the machine is shared and
# noisy: medians over several runs, and ratios, are what to read).
#
#   sh tests/bench/run.sh [validate|query|commit|history|sync|all]
#
# The data set (100k contacts, 50k visits, 5k assessments, 20k commits) is
# generated once into bench-data/ (git-ignored) by fbgen with a fixed seed.
#   BENCH_DIR   where the set lives (default: bench-data/100k)
#   RUNS        timed runs per command (default: 7)
#   AUDIT_COMMITS  how many of the newest commits audit checks (default: 1000)
set -eu
cd "$(dirname "$0")/../.."

BIN=build/default/bench
FB=$PWD/fieldbook
DIR=${BENCH_DIR:-$PWD/bench-data/100k}
RUNS=${RUNS:-7}
what=${1:-all}

command -v recsel >/dev/null || echo "bench: recsel missing (apt-get install recutils): skipped" >&2
command -v rg >/dev/null || echo "bench: rg missing (apt-get install ripgrep): skipped" >&2
command -v hyperfine >/dev/null || {
	echo "bench: hyperfine is needed (apt-get install hyperfine)" >&2
	exit 1
}

if [ ! -d "$DIR/.git" ]; then
	echo "bench: generating the data set in $DIR (once; about a minute)" >&2
	mkdir -p "$(dirname "$DIR")"
	"$BIN/fbgen" --out "$DIR" --contacts 100000 --visits 50000 --assessments 5000 \
		--commits 20000 --seed 1 >&2
fi
records=$(find "$DIR/records" -name '*.yaml' | wc -l)
echo "data set: $DIR, $records record files, $(git -C "$DIR" rev-list --count HEAD) commits"

# median and ratio table from hyperfine's JSON: first command is the baseline
table() {
	python3 - "$1" <<'EOF'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"]
base = statistics.median(r[0]["times"])
print("%-58s %9s %9s %9s %7s" % ("command", "median s", "user s", "sys s", "ratio"))
for x in r:
    m = statistics.median(x["times"])
    print("%-58s %9.3f %9.3f %9.3f %6.2fx" % (x["command"][:58], m,
          statistics.median(x["user"]) if isinstance(x["user"], list) else x["user"],
          statistics.median(x["system"]) if isinstance(x["system"], list) else x["system"],
          m / base))
EOF
}

peak() { # peak resident memory of one run, in MB
	/usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1 / 1024}'
}

if [ "$what" = validate ] || [ "$what" = all ]; then
	echo
	echo "== validate the whole set against the parse-only floor (libyaml events, every file)"
	hyperfine -N -w 1 -r "$RUNS" --export-json /tmp/fb-bench-validate.json \
		"$BIN/floor $DIR/records" \
		"$FB -C $DIR validate" \
		"env FIELDBOOK_THREADS=1 $FB -C $DIR validate" >/dev/null
	table /tmp/fb-bench-validate.json
	echo "peak memory: floor $(peak "$BIN/floor" "$DIR/records") MB," \
		"validate $(peak "$FB" -C "$DIR" validate) MB," \
		"validate (1 thread) $(FIELDBOOK_THREADS=1 peak "$FB" -C "$DIR" validate) MB"
fi

# recfiles equivalent to the records, written by fieldbook itself (dates in ISO,
# which recsel can compare), once per data set
recfiles() {
	[ -f "$DIR/contacts.rec" ] && [ -f "$DIR/visits.rec" ] && return
	echo "bench: writing the equivalent recfiles" >&2
	"$FB" -C "$DIR" query contacts -f id,name,role,county,status --format tsv |
		awk -F'\t' 'NR > 1 { printf "id: %s\nname: %s\nrole: %s\ncounty: %s\nstatus: %s\n\n", $1, $2, $3, $4, $5 }' \
		>"$DIR/contacts.rec"
	"$FB" -C "$DIR" --calendar gregorian query visits -f id,date,county,kind |
		awk 'NR > 1 { printf "id: %s\ndate: %s\ncounty: %s\nkind: %s\n\n", $1, $2, $3, $4 }' \
		>"$DIR/visits.rec"
}

if [ "$what" = query ] || [ "$what" = all ]; then
	recfiles
	name_re='علی'
	echo
	echo "== a regex on contacts' names: $name_re"
	set -- "$BIN/floor $DIR/records/contacts" \
		"$FB -C $DIR query contacts 'name ~ $name_re' --format ids" \
		"env FIELDBOOK_THREADS=1 $FB -C $DIR query contacts 'name ~ $name_re' --format ids"
	command -v rg >/dev/null && set -- "$@" "rg -l --no-ignore '^name: .*$name_re' $DIR/records/contacts"
	command -v recsel >/dev/null && set -- "$@" "recsel -e 'name ~ \"$name_re\"' -P id $DIR/contacts.rec"
	hyperfine -N -w 1 -r "$RUNS" --export-json /tmp/fb-bench-q1.json "$@" >/dev/null
	table /tmp/fb-bench-q1.json
	echo "matches: fieldbook $("$FB" -C "$DIR" query contacts "name ~ $name_re" -c)," \
		"recsel $(recsel -e "name ~ \"$name_re\"" -c "$DIR/contacts.rec" 2>/dev/null)," \
		"rg $(rg -l --no-ignore "^name: .*$name_re" "$DIR/records/contacts" 2>/dev/null | wc -l)" \
		"(rg and recsel do not fold ي/ی: they find fewer)"

	echo
	echo "== a date range on visits: Farvardin to Khordad 1403 (2024-03-20 to 2024-06-20)"
	set -- "$BIN/floor $DIR/records/visits" \
		"$FB -C $DIR query visits 'date >= 1403/01/01 and date <= 1403/03/31' --format ids" \
		"env FIELDBOOK_THREADS=1 $FB -C $DIR query visits 'date >= 1403/01/01 and date <= 1403/03/31' --format ids"
	command -v rg >/dev/null && set -- "$@" "rg -l --no-ignore '^date: 1403/0[123]/' $DIR/records/visits"
	command -v recsel >/dev/null && set -- "$@" "recsel -e \"date >> '2024-03-19' && date << '2024-06-21'\" -P id $DIR/visits.rec"
	hyperfine -N -w 1 -r "$RUNS" --export-json /tmp/fb-bench-q2.json "$@" >/dev/null
	table /tmp/fb-bench-q2.json
	echo "matches: fieldbook $("$FB" -C "$DIR" query visits 'date >= 1403/01/01 and date <= 1403/03/31' -c)," \
		"recsel $(recsel -e "date >> '2024-03-19' && date << '2024-06-21'" -c "$DIR/visits.rec" 2>/dev/null)," \
		"rg $(rg -l --no-ignore '^date: 1403/0[123]/' "$DIR/records/visits" 2>/dev/null | wc -l)" \
		"(rg sees only one way of writing a date)"
fi

if [ "$what" = commit ] || [ "$what" = all ]; then
	# a clone to commit in (the set itself stays as generated)
	W=$(dirname "$DIR")/commit-work
	if [ ! -d "$W/.git" ]; then
		echo "bench: cloning the set into $W to commit in" >&2
		git clone -q "$DIR" "$W"
		git -C "$W" config user.name Bench && git -C "$W" config user.email bench@example.org
		(cd "$W" && "$FB" hook install >/dev/null)
	fi
	F=$(cd "$W" && find records/contacts -name '*.yaml' | sort | head -1)
	flip="sed -i 's/^status: active/status: inactive/;t;s/^status: inactive/status: active/' $W/$F"
	echo
	echo "== commit one changed record ($F) in a repository of $records records"
	hyperfine -w 1 -r "$RUNS" --prepare "$flip" --export-json /tmp/fb-bench-commit.json \
		"git -C $W add $F && git -C $W -c core.hooksPath=/dev/null commit -q -m x" \
		"$FB -C $W commit" \
		"env FIELDBOOK_THREADS=1 $FB -C $W commit" \
		"git -C $W add $F && git -C $W commit -q -m x" >/dev/null
	table /tmp/fb-bench-commit.json
	echo "(the last line is plain git commit running fieldbook's pre-commit hook)"
fi

if [ "$what" = history ] || [ "$what" = all ]; then
	# a contact with a long history: the one most commits touched
	F=$(git -C "$DIR" log --format= --name-only -n 2000 -- records/contacts | grep yaml |
		sort | uniq -c | sort -rn | head -1 | awk '{print $2}')
	ID=$(basename "$F" .yaml)
	echo
	echo "== history of one record ($F: $(git -C "$DIR" log --oneline -- "$F" | wc -l) commits)"
	hyperfine -N -w 1 -r "$RUNS" --export-json /tmp/fb-bench-history.json \
		"git -C $DIR log -- $F" \
		"$FB -C $DIR log contacts/$ID" \
		"git -C $DIR blame $F" \
		"$FB -C $DIR blame contacts/$ID" >/dev/null
	table /tmp/fb-bench-history.json
	N=${AUDIT_COMMITS:-1000}
	t=$(git -C "$DIR" log --format=%ct | sed -n "${N}p")
	since=$(TZ=${TZ:-IRST-3:30} date -d "@$t" +%Y-%m-%d)
	n=$(git -C "$DIR" log --since="$since 00:00 +0330" --format=%H | wc -l)
	echo
	echo "== audit of the newest $n commits (--since $since), once"
	/usr/bin/time -f "audit: %e s, %M KB peak" "$FB" -C "$DIR" audit --since "$since" \
		--format json >/dev/null || :
fi

if [ "$what" = sync ] || [ "$what" = all ]; then
	# two clones of the set behind one bare server: sync with nothing to do,
	# and sync merging one record both sides changed, against git's fetch
	# and pull + push (the merge driver installed) on the same states
	S=/tmp/fb-bench-sync
	rm -rf "$S" && mkdir -p "$S"
	git clone -q --bare "$DIR" "$S/server.git"
	for c in a b; do
		git clone -q "$S/server.git" "$S/$c"
		git -C "$S/$c" config user.name "$c" && git -C "$S/$c" config user.email "$c@x"
		(cd "$S/$c" && "$FB" hook install >/dev/null)
		if [ $c = a ]; then # the set has no .gitattributes yet: a commits it
			"$FB" -C "$S/a" commit -m "merge driver" >/dev/null && git -C "$S/a" push -q
		fi
	done
	F=$(cd "$S/a" && find records/contacts -name '*.yaml' | sort | head -1)
	# prepare: b level with the server; a changes F's notes and pushes; b changes F's status
	cat >"$S/prepare.sh" <<-PREP
	set -e
	git -C $S/b fetch -q && git -C $S/b reset -q --hard origin/main
	git -C $S/a pull -q --no-rebase
	sed -i "s/^notes: .*//; \\\$a notes: \$(date +%s%N)" $S/a/$F
	git -C $S/a -c core.hooksPath=/dev/null commit -qam a && git -C $S/a push -q
	sed -i "s/^status: .*/status: \$(shuf -n1 -e active inactive)/; \\\$a # b \$(date +%s%N)" $S/b/$F
	git -C $S/b -c core.hooksPath=/dev/null commit -qam b
	PREP
	echo
	echo "== sync with nothing to do (100k records)"
	git -C "$S/b" pull -q --no-rebase
	hyperfine -N -w 1 -r "$RUNS" --export-json /tmp/fb-bench-sync0.json \
		"git -C $S/b fetch -q" \
		"sh -c 'git -C $S/b status --porcelain >/dev/null && git -C $S/b fetch -q'" \
		"$FB -C $S/b sync" >/dev/null
	table /tmp/fb-bench-sync0.json
	echo
	echo "== sync merging one record both sides changed ($F), pushed"
	hyperfine -w 1 -r "$RUNS" --prepare "sh $S/prepare.sh" --export-json /tmp/fb-bench-sync1.json \
		"git -C $S/b pull -q --no-rebase && git -C $S/b push -q" \
		"$FB -C $S/b sync" >/dev/null
	table /tmp/fb-bench-sync1.json
	echo "(git pull runs fieldbook's merge driver on the record; sync also checks the merged tree)"
fi
