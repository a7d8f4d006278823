#!/bin/sh
test_description='audit and pre-receive keep each record blob'"'"'s results: the same verdicts as validate --rev'
. "$(dirname "$0")/lib.sh"

# audit checks a record blob once per run and replays its results for every
# later commit; the cross-record checks run afresh each time.  This history
# makes every way a kept result could go stale happen once, and the test
# compares audit's errors for each commit with `validate --rev` of it, run
# on its own.

contact() { # contact PATH ID NAME PHONE [COUNTY]
	cat >"repo/$1" <<-EOR
	id: $2
	name: $3
	role: other
	county: ${5:-bam}
	phones:
	  - "$4"
	status: active
	EOR
}

commit() { # commit MESSAGE: plain git, no hooks, one tick later
	test_tick &&
	git -C repo add -A &&
	git -C repo commit -q --no-verify --allow-empty -m "$1"
}

test_expect_success 'setup: a history where kept results would go stale' '
	fb_repo repo &&
	mkdir -p repo/records/counties repo/records/contacts &&
	cp "$FB_SRCDIR/records/counties/bam.yaml" repo/records/counties/ &&
	contact records/contacts/c-0001.yaml c-0001 "علی" 09130000001 &&
	contact records/contacts/c-0002.yaml c-0002 "رضا" 09130000002 &&
	commit "valid start" &&
	contact records/contacts/c-0003.yaml c-0003 "حسن" 09130000001 &&
	commit "c-0003 takes c-0001'"'"'s phone" &&
	sed -i "s/^name:.*/name: علی رضایی/" repo/records/contacts/c-0001.yaml &&
	commit "only c-0001 changes: the clash is still reported at c-0003" &&
	git -C repo rm -q records/contacts/c-0001.yaml &&
	commit "c-0001 goes: no clash" &&
	sed -i "s/^county:.*/county: xyz/" repo/records/contacts/c-0002.yaml &&
	commit "c-0002 names a county that does not exist" &&
	sed "s/^id:.*/id: xyz/" repo/records/counties/bam.yaml >repo/records/counties/xyz.yaml &&
	commit "the county appears: c-0002 is fine untouched" &&
	cp repo/schemas/contacts.yaml contacts.orig &&
	sed -i "/^  name:/,/minLength/s/minLength: 1/maxLength: 2/" repo/schemas/contacts.yaml &&
	commit "a stricter schema: every contact breaks" &&
	cp contacts.orig repo/schemas/contacts.yaml &&
	commit "the schema back" &&
	mkdir -p repo/records/contacts/bam &&
	git -C repo mv records/contacts/c-0003.yaml records/contacts/bam/c-0003.yaml &&
	commit "a move: the same blob at another path" &&
	cp repo/records/contacts/c-0002.yaml repo/records/contacts/c-0009.yaml &&
	commit "a copy: c-0002'"'"'s blob as c-0009, whose id field is wrong" &&
	commit "nothing changes" &&
	git -C repo rev-list HEAD >commits &&
	test_line_count = 11 commits
'

# same_as_validate REPO VALIDITY...: audit's errors for each commit of REPO,
# oldest first, are those of validate --rev of it; each commit is valid or
# not as listed (so the comparison is not vacuous)
same_as_validate() {
	repo=$1
	shift
	git -C $repo rev-list --reverse HEAD >commits &&
	{ fieldbook -C $repo audit --format json >audit.json; test $? -le 1; } &&
	for c in $(cat commits); do
		fieldbook -C $repo validate --rev $c --format json >"v-$c.json"
		test $? -le 1 || return 1
	done &&
	python3 - audit.json commits "$@" <<-\EOF
	import json, sys
	audit = {c["commit"]: c["verdicts"] for c in json.load(open(sys.argv[1]))["commits"]}
	commits = open(sys.argv[2]).read().split()
	valid = []
	for c in commits:
	    v = json.load(open("v-%s.json" % c))
	    want = [d for d in v["errors"] if d["severity"] == "error"]
	    got = audit[c]["errors"]
	    assert got == want, (c, got, want)
	    assert audit[c]["valid"] == (not want), c
	    valid.append("valid" if not want else "invalid")
	    print("#", c[:7], len(want), "errors")
	assert valid == sys.argv[3:], valid
	EOF
}

test_expect_success 'audit: per commit, exactly the errors validate --rev finds' '
	same_as_validate repo valid invalid invalid valid invalid valid invalid valid valid \
		invalid invalid
'

test_expect_success 'audit: the kept results name the right file and path' '
	git -C repo rev-list --reverse HEAD >commits &&
	fieldbook -C repo audit --format json >audit.json
	test $? = 1 &&
	c=$(sed -n 3p commits) &&
	python3 - audit.json $c <<-\EOF
	import json, sys
	v = {c["commit"]: c["verdicts"] for c in json.load(open(sys.argv[1]))["commits"]}[sys.argv[2]]
	[e] = v["errors"]
	assert e["file"] == "records/contacts/c-0003.yaml" and e["keyword"] == "x-unique", e
	EOF
	c=$(sed -n 10p commits) &&
	python3 - audit.json $c <<-\EOF
	import json, sys
	v = {c["commit"]: c["verdicts"] for c in json.load(open(sys.argv[1]))["commits"]}[sys.argv[2]]
	files = sorted({(e["file"], e["keyword"]) for e in v["errors"]})
	assert ("records/contacts/c-0009.yaml", "id") in files, files
	assert ("records/contacts/c-0009.yaml", "x-unique") in files, files
	EOF
'

test_expect_success 'audit: a schema too large to read is not kept' '
	fb_repo big &&
	mkdir -p big/records/counties &&
	cp "$FB_SRCDIR/records/counties/bam.yaml" big/records/counties/ &&
	(cd big && git add -A && git commit -q --no-verify -m start) &&
	for n in 1100000 1200000; do
		cp "$FB_SRCDIR/schemas/counties.yaml" big/schemas/counties.yaml &&
		printf "# %${n}s\n" "" >>big/schemas/counties.yaml &&
		(cd big && git add -A && git commit -q --no-verify -m "padded to $n") || return 1
	done &&
	cp "$FB_SRCDIR/schemas/counties.yaml" big/schemas/counties.yaml &&
	(cd big && git add -A && git commit -q --no-verify -m "back") &&
	same_as_validate big valid invalid invalid valid &&
	c=$(sed -n 3p commits) &&
	test_grep "(12[0-9]\{5\} bytes" v-$c.json
'

test_expect_success 'audit: a record that cannot be read is not kept: each commit names itself' '
	git clone -q --no-local repo gone &&
	c1=$(git -C gone rev-parse HEAD~1) &&
	c2=$(git -C gone rev-parse HEAD) &&
	blob=$(git -C gone rev-parse HEAD:records/contacts/c-0002.yaml) &&
	test "$blob" = "$(git -C gone rev-parse HEAD~1:records/contacts/c-0002.yaml)" &&
	git -C gone repack -q -a -d &&
	mkdir packs &&
	mv gone/.git/objects/pack/* packs/ &&
	pack=$(ls packs/*.pack) &&
	git -C gone unpack-objects -q <"$pack" &&
	rm gone/.git/objects/$(echo $blob | cut -c1-2)/$(echo $blob | cut -c3-) &&
	fieldbook -C gone audit >out
	test $? = 1 &&
	test_grep "c-0002.yaml: error: cannot read this file from $c2" out &&
	test_grep "c-0002.yaml: error: cannot read this file from $c1" out
'

test_expect_success 'pre-receive: a push of the whole history names every bad commit' '
	git -C repo rev-list --reverse HEAD >commits &&
	git init -q --bare server.git &&
	(cd server.git && fieldbook hook install >/dev/null) &&
	test_must_fail git -C repo push -q ../server.git HEAD:refs/heads/main 2>err &&
	sed -n "s/^remote: //; s/ *\$//p" err >said &&
	grep -c "rejected refs/heads/main" said >n &&
	echo 6 >expect && test_cmp expect n &&
	for k in 2 3 5 7 10 11; do
		c=$(sed -n ${k}p commits | cut -c1-7) &&
		test_grep "rejected refs/heads/main ($c " said || return 1
	done &&
	# each commit'"'"'s errors come right under its line
	c=$(sed -n 5p commits | cut -c1-7) &&
	grep -A1 "rejected refs/heads/main ($c " said >got &&
	test_grep "^records/contacts/c-0002.yaml:4:9: error: /county: no counties record .xyz." got &&
	c=$(sed -n 7p commits | cut -c1-7) &&
	grep -A2 "rejected refs/heads/main ($c " said >got &&
	test_grep "^records/contacts/c-0002.yaml:2:7: error: /name: too long" got &&
	test_grep "^records/contacts/c-0003.yaml:2:7: error: /name: too long" got
'

test_done
