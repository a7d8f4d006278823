# tests/cli/lib.sh: a small test library in the style of git's t/test-lib.sh.
#
# A script sets test_description, sources this file, runs test_expect_success
# blocks and ends with test_done.  Each script runs in a fresh trash
# directory with HOME inside it, a fixed time zone, locale and identity, and
# prints TAP for prove.  The trash directory is removed when every test
# passed and kept (its path printed) otherwise.
#
#   FIELDBOOK       the binary under test (make check sets it)
#   FB_SRCDIR       the project's top folder
#   FB_TEST_VERBOSE=1  show the output of every command

set -u

FB_SRCDIR=${FB_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
FIELDBOOK=${FIELDBOOK:-$FB_SRCDIR/fieldbook}
FB_SHARED=${FB_SHARED:-$FB_SRCDIR/../shared}
export FB_SRCDIR FIELDBOOK

test_name=$(basename "$0" .sh)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/fb-$test_name.XXXXXX")
export HOME="$TRASH/home" XDG_CONFIG_HOME="$TRASH/home/.config"
mkdir -p "$HOME"
# Iran Standard Time as a POSIX rule: no tzdata needed, +03:30 all year
export TZ=IRST-3:30 LC_ALL=C.UTF-8 LANG=C.UTF-8
unset NO_COLOR FIELDBOOK_TODAY GIT_DIR GIT_WORK_TREE VISUAL EDITOR \
	GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE \
	GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_COMMITTER_DATE 2>/dev/null
cat >"$HOME/.gitconfig" <<EOF
[user]
	name = A U Thor
	email = author@example.com
[init]
	defaultBranch = main
[advice]
	detachedHead = false
EOF

test_count=0
test_failed=0
test_skipped=0
cd "$TRASH" || exit 1

# test_tick: fixed, increasing commit times (as git's test-lib)
test_tick_time=1700000000
test_tick() {
	test_tick_time=$((test_tick_time + 60))
	GIT_AUTHOR_DATE="$test_tick_time +0330"
	GIT_COMMITTER_DATE="$test_tick_time +0330"
	export GIT_AUTHOR_DATE GIT_COMMITTER_DATE
}

fieldbook() {
	"$FIELDBOOK" "$@"
}

test_run_() {
	if [ "${FB_TEST_VERBOSE:-}" = 1 ]; then
		eval "$1"
	else
		eval "$1" >"$TRASH/.out" 2>&1
	fi
}

say_failure_() {
	echo "$1" | sed 's/^/#	/'
	if [ "${FB_TEST_VERBOSE:-}" != 1 ] && [ -s "$TRASH/.out" ]; then
		echo "# output:"
		tail -n 30 "$TRASH/.out" | sed 's/^/#	/'
	fi
}

# test_expect_success [PREREQ] 'title' 'commands'
test_expect_success() {
	prereq=
	if [ $# = 3 ]; then prereq=$1; shift; fi
	test_count=$((test_count + 1))
	if [ -n "$prereq" ] && ! test_have_prereq "$prereq"; then
		test_skipped=$((test_skipped + 1))
		echo "ok $test_count # skip $1 (missing $prereq)"
		return 0
	fi
	if test_run_ "$2"; then
		echo "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		say_failure_ "$2"
	fi
}

# test_expect_failure 'title' 'commands': a known breakage, as a TAP TODO
# (git's test-lib has the same): reported, but it does not fail the run.
test_expect_failure() {
	test_count=$((test_count + 1))
	if test_run_ "$2"; then
		echo "ok $test_count - $1 # TODO known breakage vanished"
	else
		echo "not ok $test_count - $1 # TODO known breakage"
	fi
}

# test_must_fail cmd...: the command fails with an exit code, not a signal
test_must_fail() {
	"$@"
	code=$?
	if [ $code = 0 ]; then
		echo >&2 "test_must_fail: command succeeded: $*"
		return 1
	elif [ $code -gt 128 ] && [ $code -le 192 ]; then
		echo >&2 "test_must_fail: died by signal $((code - 128)): $*"
		return 1
	elif [ $code = 126 ] || [ $code = 127 ]; then
		echo >&2 "test_must_fail: command not found: $*"
		return 1
	fi
	return 0
}

# test_expect_code N cmd...
test_expect_code() {
	want=$1
	shift
	"$@"
	code=$?
	if [ $code != "$want" ]; then
		echo >&2 "test_expect_code: expected $want, got $code: $*"
		return 1
	fi
	return 0
}

test_cmp() {
	diff -u "$1" "$2"
}

test_must_be_empty() {
	[ ! -s "$1" ] || { echo >&2 "'$1' is not empty:"; cat >&2 "$1"; return 1; }
}

test_path_is_file() {
	[ -f "$1" ] || { echo >&2 "not a file: $1"; return 1; }
}

test_path_is_missing() {
	[ ! -e "$1" ] || { echo >&2 "exists: $1"; return 1; }
}

test_line_count() {
	n=$(wc -l <"$3" | tr -d ' ')
	[ "$n" "$1" "$2" ] || { echo >&2 "line count of $3 is $n, expected $1 $2"; cat "$3" >&2; return 1; }
}

# test_grep [!] GREP-ARGS... FILE: grep that shows the file when it fails
test_grep() {
	for last_; do :; done
	if [ "$1" = "!" ]; then
		shift
		grep "$@" >/dev/null || return 0
		echo >&2 "unexpected match for: $*"
	else
		grep "$@" >/dev/null && return 0
		echo >&2 "no match for: $*"
	fi
	cat >&2 "$last_"
	return 1
}

prereqs_=" "
test_set_prereq() {
	prereqs_="$prereqs_$1 "
}
test_have_prereq() {
	case "$prereqs_" in *" $1 "*) return 0 ;; esac
	return 1
}
[ -d "$FB_SHARED/persian" ] && test_set_prereq SHARED
command -v git >/dev/null && test_set_prereq GIT

# fb_repo DIR: a fresh fieldbook repository with the project's schemas,
# the hooks and no records (add them with fb_record TYPE/ID <<EOF)
fb_repo() {
	git init -q "$1" &&
	mkdir -p "$1/schemas" "$1/records" &&
	cp "$FB_SRCDIR"/schemas/*.yaml "$1/schemas/" &&
	(cd "$1" && fieldbook hook install >/dev/null)
}

# fb_demo DIR: a copy of the demo data set as a fresh repository with one commit
fb_demo() {
	fb_repo "$1" &&
	cp -R "$FB_SRCDIR/records/." "$1/records/" &&
	(cd "$1" && git add -A && git commit -qm "demo data")
}

test_done() {
	echo "1..$test_count"
	if [ $test_failed = 0 ]; then
		cd / && rm -rf "$TRASH"
		exit 0
	fi
	echo "# failed $test_failed among $test_count test(s); trash kept in $TRASH"
	exit 1
}
