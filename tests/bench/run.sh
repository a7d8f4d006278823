#!/bin/sh
# fieldbook benchmarks, side by side in one run (the machine is shared and
# noisy: medians over several runs, and ratios, are what to read).
#
#   sh tests/bench/run.sh [validate|all]
#
# The data set (100k contacts, 50k visits, 5k assessments, 20k commits) is
# generated once into bench-data/ (git-ignored) by fbgen with a fixed seed.
#   BENCH_DIR   where the set lives (default: bench-data/100k)
#   RUNS        timed runs per command (default: 7)
set -eu
cd "$(dirname "$0")/../.."

BIN=build/default/bench
FB=$PWD/fieldbook
DIR=${BENCH_DIR:-$PWD/bench-data/100k}
RUNS=${RUNS:-7}
what=${1:-all}

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
