#!/bin/sh
# Make sure the Debian packages a make target needs are installed.
#
#   sh .ci/deps.sh build|test|fuzz|ci
#
# Missing packages are installed when we are root (or sudo works without a
# password): `apt-get update` once, then exactly the missing packages.
# Otherwise we stop and print the apt-get line to run.
set -u

level=${1:-build}
need=""

has_cmd() { command -v "$1" >/dev/null 2>&1; }
has_pc() { has_cmd pkg-config && pkg-config --exists "$1" 2>/dev/null; }
want() { need="$need $1"; }

has_cmd cc || want gcc
has_cmd make || want make
has_cmd pkg-config || want pkg-config
has_pc libgit2 || want libgit2-dev
has_pc yaml-0.1 || want libyaml-dev
has_pc libpcre2-8 || want libpcre2-dev
has_pc zlib || want zlib1g-dev
case $level in
test|fuzz|ci)
	has_pc cmocka || want libcmocka-dev
	has_cmd git || want git
	has_cmd prove || want perl
	has_cmd python3 || want python3
	;;
esac
case $level in
fuzz|ci)
	has_cmd clang || want clang
	# libFuzzer's runtime comes with clang's compiler-rt
	[ -n "$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null)" ] ||
		want libclang-rt-dev
	;;
esac
case $level in
ci)
	# the editor cross-checks (tests/cli/t0060-editors.sh): the YAML language
	# server and ajv from npm, python-jsonschema from Debian
	has_cmd node || want nodejs
	has_cmd npm || want npm
	/usr/bin/python3 -c 'import jsonschema, yaml' 2>/dev/null || want "python3-jsonschema python3-yaml"
	has_cmd man || want man-db
	has_cmd valgrind || want valgrind
	has_cmd gpg || want gnupg
	has_cmd ssh-keygen || want openssh-client
	has_cmd tmux || want tmux
	# the report rendered and photographed (tests/cli/t0170-report.sh)
	has_cmd chromium || want chromium
	# sync over real transports (tests/cli/t0211-sync-transports.sh): git
	# daemon (in the git package), sshd on a loopback port, smart HTTP behind
	# lighttpd
	[ -x /usr/sbin/sshd ] || want openssh-server
	has_cmd lighttpd || [ -x /usr/sbin/lighttpd ] || want lighttpd
	;;
esac

[ -z "$need" ] && exit 0

if [ "$(id -u)" = 0 ]; then
	sudo=""
elif has_cmd sudo && sudo -n true 2>/dev/null; then
	sudo="sudo"
else
	echo "fieldbook: missing Debian packages:$need" >&2
	echo "fieldbook: install them with: sudo apt-get install -y$need" >&2
	exit 1
fi
echo "fieldbook: installing missing Debian packages:$need" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null || exit 1
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $need >/dev/null || exit 1
