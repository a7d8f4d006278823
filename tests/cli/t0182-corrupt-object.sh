#!/bin/sh
test_description='a damaged loose object: every reader of history exits 3 at once, naming it'
. "$(dirname "$0")/lib.sh"

# libgit2 1.5.1 looped for ever on these (issue 10); each command gets 5 s
# and must answer 3 in under one.
damage="$FB_SRCDIR/tests/data/bad-objects/damage.sh"

contact() { # contact ID PHONE
	cat >"repo/records/contacts/$1.yaml" <<-EOR
	id: $1
	name: Ali
	role: other
	county: bam
	phones:
	  - "$2"
	status: active
	EOR
}

# fresh KIND OID: r, a copy of repo whose loose object OID is damaged as KIND
fresh() {
	rm -rf r &&
	cp -R repo r &&
	sh "$damage" r "$2" "$1"
}

# in_time OID CMD...: in r, CMD exits 3 within a second and names OID's file
in_time() {
	oid=$1
	shift
	start=$(date +%s%N) &&
	{ timeout 5 "$FIELDBOOK" -C r "$@" >out 2>err; code=$?; } &&
	ms=$((($(date +%s%N) - start) / 1000000)) &&
	echo "$* -> exit $code in $ms ms" &&
	cat err &&
	test "$code" = 3 &&
	test "$ms" -lt 1000 &&
	obj=$(echo "$oid" | cut -c1-2)/$(echo "$oid" | cut -c3-) &&
	test_grep "\.git/objects/$obj: object $oid is corrupt (" err
}

commands='show_at query_at validate_rev log blame audit'
run_cmd() { # run_cmd NAME OID
	case $1 in
	show_at) in_time "$2" show contacts/c-0001 --at HEAD ;;
	query_at) in_time "$2" query contacts --at HEAD ;;
	validate_rev) in_time "$2" validate --rev HEAD ;;
	log) in_time "$2" log ;;
	blame) in_time "$2" blame contacts/c-0001 ;;
	audit) in_time "$2" audit ;;
	esac
}

test_expect_success 'setup: two commits, every object loose' '
	fb_repo repo &&
	mkdir -p repo/records/counties repo/records/contacts &&
	cp "$FB_SRCDIR/records/counties/bam.yaml" repo/records/counties/ &&
	contact c-0001 09130000001 &&
	test_tick &&
	fieldbook -C repo commit -m "start" >/dev/null &&
	sed -i "s/09130000001/09130000011/" repo/records/contacts/c-0001.yaml &&
	test_tick &&
	fieldbook -C repo commit -m "a new phone" >/dev/null &&
	git -C repo rev-parse HEAD:records/contacts/c-0001.yaml >blob &&
	git -C repo rev-parse HEAD:records/contacts >tree &&
	git -C repo rev-parse HEAD >commit &&
	test "$(git -C repo count-objects -v | sed -n "s/^in-pack: //p")" = 0 &&
	fieldbook -C repo validate --rev HEAD
'

for what in blob tree commit; do
	for kind in half zero; do
		for cmd in $commands; do
			test_expect_success "$what cut ($kind): $cmd" '
				fresh $kind $(cat $what) &&
				run_cmd $cmd $(cat $what)
			'
		done
	done
done

for kind in one-byte bad-zlib not-zlib short-body long-body; do
	test_expect_success "blob damaged ($kind): show --at, log and audit" '
		fresh $kind $(cat blob) &&
		run_cmd show_at $(cat blob) &&
		run_cmd log $(cat blob) &&
		run_cmd audit $(cat blob)
	'
done

test_expect_success 'the reason is told' '
	fresh half $(cat blob) &&
	run_cmd show_at $(cat blob) &&
	test_grep "is corrupt (truncated loose object)$" err &&
	fresh zero $(cat blob) &&
	run_cmd log $(cat blob) &&
	test_grep "is corrupt (empty loose object file)$" err &&
	fresh not-zlib $(cat blob) &&
	run_cmd audit $(cat blob) &&
	test_grep "is corrupt (not zlib data)$" err
'

test_expect_success 'the object is named once, with no usage error before it' '
	fresh half $(cat commit) &&
	run_cmd show_at $(cat commit) &&
	test_line_count = 1 err &&
	test_grep ! "usage" err &&
	run_cmd validate_rev $(cat commit) &&
	test_line_count = 1 err &&
	run_cmd log $(cat commit) &&
	test_line_count = 1 err &&
	test_grep ! "no commits" err
'

test_expect_success 'a short id of a damaged commit is no unknown revision' '
	fresh half $(cat commit) &&
	in_time $(cat commit) show contacts/c-0001 --at $(cut -c1-10 commit)
'

test_expect_success 'what does not need the damaged object still reads' '
	fresh half $(cat blob) &&
	fieldbook -C r show contacts/c-0001 >out &&
	test_grep 09130000011 out &&
	fieldbook -C r show contacts/c-0001 --at HEAD~1 >out &&
	test_grep 09130000001 out &&
	fieldbook -C r validate
'

test_expect_success 'git says the same object is broken (the oracle)' '
	fresh half $(cat blob) &&
	test_must_fail git -C r cat-file -p $(cat blob)
'

test_expect_success 'a damaged loose copy of a packed object is no error (packs are read first)' '
	fresh half $(cat blob) &&
	rm -rf p &&
	cp -R repo p &&
	git -C p gc -q &&
	oid=$(cat blob) &&
	mkdir -p p/.git/objects/$(echo $oid | cut -c1-2) &&
	cp r/.git/objects/$(echo $oid | cut -c1-2)/$(echo $oid | cut -c3-) \
		p/.git/objects/$(echo $oid | cut -c1-2)/ &&
	timeout 5 "$FIELDBOOK" -C p show contacts/c-0001 --at HEAD >out &&
	test_grep 09130000011 out &&
	timeout 5 "$FIELDBOOK" -C p audit >/dev/null &&
	timeout 5 "$FIELDBOOK" -C p log >/dev/null
'

test_done
