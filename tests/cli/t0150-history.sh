#!/bin/sh
test_description='log, diff, blame, show --at and audit: field by field, from git alone'
. "$(dirname "$0")/lib.sh"

# as_author NAME EMAIL CMD...: run CMD committing as someone else, one tick later
as_author() {
	name=$1 email=$2
	shift 2
	test_tick &&
	GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email GIT_COMMITTER_NAME=$name \
		GIT_COMMITTER_EMAIL=$email "$@"
}

contact() { # contact PATH ID NAME PHONE
	cat >"repo/$1" <<-EOR
	id: $2
	name: $3
	role: other
	county: bam
	phones:
	  - "$4"
	status: active
	EOR
}

test_expect_success 'setup: a history with moves, merges, deletes, authors and a plain-git break' '
	fb_repo repo &&
	mkdir -p repo/records/counties repo/records/contacts &&
	cp "$FB_SRCDIR/records/counties/bam.yaml" repo/records/counties/ &&
	contact records/contacts/c-0001.yaml c-0001 "علی" 09130000001 &&
	contact records/contacts/c-0002.yaml c-0002 "رضا" 09130000002 &&
	as_author "Maryam" maryam@example.org fieldbook -C repo commit -m "start" >/dev/null &&
	git -C repo rev-parse HEAD >c1 &&
	sed -i "s/09130000001/09130000011/" repo/records/contacts/c-0001.yaml &&
	as_author "Hossein" hossein@example.org fieldbook -C repo commit >/dev/null &&
	git -C repo rev-parse HEAD >c2 &&
	mkdir -p repo/records/contacts/bam &&
	git -C repo mv records/contacts/c-0001.yaml records/contacts/bam/c-0001.yaml &&
	sed -i "s/^name:.*/name: علی رضایی/" repo/records/contacts/bam/c-0001.yaml &&
	as_author "Maryam" maryam@example.org fieldbook -C repo commit >/dev/null &&
	git -C repo rev-parse HEAD >c3 &&
	git -C repo checkout -q -b side &&
	sed -i "s/^role:.*/role: council-member/" repo/records/contacts/c-0002.yaml &&
	as_author "Zahra" zahra@example.org fieldbook -C repo commit >/dev/null &&
	git -C repo rev-parse HEAD >c4 &&
	git -C repo checkout -q main &&
	sed -i "s/^status:.*/status: inactive/" repo/records/contacts/c-0002.yaml &&
	as_author "Maryam" maryam@example.org fieldbook -C repo commit >/dev/null &&
	git -C repo rev-parse HEAD >c5 &&
	as_author "Maryam" maryam@example.org git -C repo merge -q --no-edit side &&
	git -C repo rev-parse HEAD >c6 &&
	rm repo/records/contacts/c-0002.yaml &&
	as_author "Hossein" hossein@example.org fieldbook -C repo commit >/dev/null &&
	git -C repo rev-parse HEAD >c7 &&
	contact records/contacts/c-0002.yaml c-0002 "رضا" 09130000002 &&
	as_author "Zahra" zahra@example.org fieldbook -C repo commit >/dev/null &&
	git -C repo rev-parse HEAD >c8 &&
	sed -i "s/^role:.*/role: boss/" repo/records/contacts/c-0002.yaml &&
	as_author "Ali" ali@example.org git -C repo commit --no-verify -qam "quick fix" &&
	git -C repo rev-parse HEAD >c9 &&
	sed -i "s/^role:.*/role: other/" repo/records/contacts/c-0002.yaml &&
	as_author "Ali" ali@example.org fieldbook -C repo commit >/dev/null &&
	git -C repo rev-parse HEAD >c10 &&
	git -C repo log --format=%s >subjects &&
	test_line_count = 10 subjects
'

test_expect_success 'log TYPE/ID: the commits that changed it, newest first, across the move' '
	fieldbook -C repo log contacts/c-0001 >out &&
	grep "^commit " out | cut -d" " -f2 >got &&
	cat c3 c2 c1 >expect &&
	test_cmp expect got &&
	test_grep "^  renamed contacts/c-0001 (from records/contacts/c-0001.yaml to records/contacts/bam/c-0001.yaml)$" out &&
	test_grep "^    /name: \"علی\" → \"علی رضایی\"$" out &&
	test_grep "^    /phones/0: \"09130000001\" → \"09130000011\"$" out &&
	test_grep "^  added contacts/c-0001$" out &&
	test_grep "^Author: Hossein <hossein@example.org>$" out
'

test_expect_success 'log --format json: the shape of SPEC §6' '
	fieldbook -C repo log contacts/c-0001 -n 2 --format json >out.json &&
	python3 - out.json "$(cat c3)" "$(cat c2)" <<-\EOF
	import json, sys
	log = json.load(open(sys.argv[1]))
	assert [e["commit"] for e in log] == sys.argv[2:4], log
	first = log[0]
	assert first["author"] == "Maryam" and first["email"] == "maryam@example.org"
	assert first["date"].endswith("+03:30") and "T" in first["date"], first["date"]
	rec = first["records"][0]
	assert rec["record"] == "contacts/c-0001" and rec["change"] == "renamed"
	assert rec["from"] == "records/contacts/c-0001.yaml"
	assert {"path": "/name", "old": "علی", "new": "علی رضایی"} in rec["fields"], rec
	phone = log[1]["records"][0]
	assert phone["change"] == "modified" and phone["from"] is None
	assert phone["fields"] == [{"path": "/phones/0", "old": "09130000001", "new": "09130000011"}]
	EOF
'

test_expect_success 'log: a merge shows only what it decided; the branch commit keeps its change' '
	fieldbook -C repo log contacts/c-0002 --format json >out.json &&
	python3 - out.json "$(cat c4)" "$(cat c6)" <<-\EOF
	import json, sys
	log = json.load(open(sys.argv[1]))
	ids = [e["commit"] for e in log]
	assert sys.argv[2] in ids, "the side commit is listed"
	assert sys.argv[3] not in ids, "the clean merge decided nothing about c-0002"
	side = [e for e in log if e["commit"] == sys.argv[2]][0]
	assert side["records"][0]["fields"] == [{"path": "/role", "old": "other", "new": "council-member"}]
	EOF
'

test_expect_success 'log: deleted and added back; --author and --since filter' '
	fieldbook -C repo log contacts/c-0002 >out &&
	test_grep "^  deleted contacts/c-0002$" out &&
	test $(grep -c "^  added contacts/c-0002$" out) = 2 &&
	fieldbook -C repo log --author zahra >out &&
	grep "^commit " out | cut -d" " -f2 >got &&
	cat c8 c4 >expect && test_cmp expect got &&
	fieldbook -C repo log --author "^Ali " -n 1 >out &&
	grep "^commit " out | cut -d" " -f2 >got &&
	cat c10 >expect && test_cmp expect got
'

test_expect_success 'diff: HEAD against the working tree, and between two revisions' '
	sed -i "s/^name: رضا$/name: رضا کریمی/" repo/records/contacts/c-0002.yaml &&
	fieldbook -C repo diff >out &&
	cat >expect <<-\EOF &&
	modified contacts/c-0002
	  /name: "رضا" → "رضا کریمی"
	EOF
	test_cmp expect out &&
	git -C repo checkout -q records/contacts/c-0002.yaml &&
	fieldbook -C repo diff $(cat c1) $(cat c3) --format json >out.json &&
	python3 - out.json <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert len(d) == 1 and d[0]["record"] == "contacts/c-0001" and d[0]["change"] == "renamed", d
	paths = sorted(f["path"] for f in d[0]["fields"])
	assert paths == ["/name", "/phones/0"], paths
	EOF
	fieldbook -C repo diff $(cat c1) $(cat c3) contacts/c-0002 >out &&
	test_must_be_empty out &&
	fieldbook -C repo diff $(cat c3) $(cat c5) >out &&
	printf "modified contacts/c-0002\n  /status: \"active\" → \"inactive\"\n" >expect &&
	test_cmp expect out &&
	test_expect_code 2 fieldbook -C repo diff nosuchrev 2>err
'

test_expect_success 'diff: a reformatted record has no changes' '
	printf "# a comment\n" >>repo/records/contacts/c-0002.yaml &&
	fieldbook -C repo diff >out &&
	test_must_be_empty out &&
	git -C repo checkout -q records/contacts/c-0002.yaml
'

test_expect_success 'blame: every leaf with the commit that set its value' '
	fieldbook -C repo blame contacts/c-0001 --format json >out.json &&
	python3 - out.json "$(cat c1)" "$(cat c2)" "$(cat c3)" <<-\EOF
	import json, sys
	b = {e["path"]: e for e in json.load(open(sys.argv[1]))}
	c1, c2, c3 = sys.argv[2:5]
	assert b["/id"]["commit"] == c1 and b["/id"]["author"] == "Maryam"
	assert b["/phones/0"]["commit"] == c2 and b["/phones/0"]["email"] == "hossein@example.org"
	assert b["/name"]["commit"] == c3 and b["/name"]["value"] == "علی رضایی"
	assert b["/role"]["commit"] == c1
	assert list(b) == ["/id", "/name", "/role", "/county", "/phones/0", "/status"], list(b)
	EOF
'

test_expect_success 'blame: across a merge, a re-add, and the working tree' '
	fieldbook -C repo blame contacts/c-0002 --format json >out.json &&
	python3 - out.json "$(cat c8)" "$(cat c10)" <<-\EOF
	import json, sys
	b = {e["path"]: e for e in json.load(open(sys.argv[1]))}
	assert b["/name"]["commit"] == sys.argv[2], "re-added in c8: older history does not count"
	assert b["/role"]["commit"] == sys.argv[3], "boss then other again: c10 set it"
	EOF
	sed -i "s/^status:.*/status: inactive/" repo/records/contacts/c-0002.yaml &&
	fieldbook -C repo blame contacts/c-0002 >out &&
	test_grep "^/status  *\"inactive\"  *(not committed yet)$" out &&
	test_grep "^/name  *\"رضا\"  *[0-9a-f]\{7\}  " out &&
	git -C repo checkout -q records/contacts/c-0002.yaml
'

test_expect_success 'blame follows a merge into the branch that made the change' '
	fieldbook -C repo blame contacts/c-0002 --format json >/dev/null &&
	git -C repo checkout -q $(cat c6) 2>/dev/null &&
	fieldbook -C repo blame contacts/c-0002 --format json >out.json &&
	git -C repo checkout -q main &&
	python3 - out.json "$(cat c4)" "$(cat c5)" <<-\EOF
	import json, sys
	b = {e["path"]: e for e in json.load(open(sys.argv[1]))}
	assert b["/role"]["commit"] == sys.argv[2], b["/role"]
	assert b["/status"]["commit"] == sys.argv[3], b["/status"]
	EOF
'

test_expect_success 'show --at agrees with log about what was true when' '
	t2=$(git -C repo log -1 --format=%ct $(cat c2)) &&
	day=$(TZ=IRST-3:30 date -d @$t2 +%Y-%m-%d) &&
	fieldbook -C repo show contacts/c-0001 --at $(cat c2) >at-rev &&
	test_grep "09130000011" at-rev &&
	fieldbook -C repo show contacts/c-0001 --at $(cat c1) >at-rev &&
	test_grep "09130000001" at-rev
'

test_expect_success '--at a date before the first commit: said plainly, exit 2, no usage block' '
	test_expect_code 2 fieldbook -C repo show contacts/c-0001 --at 1390/01/01 >out 2>err &&
	echo "fieldbook: error: no commit on or before 1390/01/01: the history starts later" >expect &&
	test_cmp expect err &&
	test_must_be_empty out &&
	test_expect_code 2 fieldbook -C repo query contacts --at 2001-01-01 -c 2>err &&
	test_grep "^fieldbook: error: no commit on or before 2001-01-01: the history starts later$" err &&
	test_grep ! "^usage:" err
'

test_expect_success 'audit: every commit, the plain-git break flagged with record and error' '
	test_expect_code 1 fieldbook -C repo audit --format json >out.json &&
	python3 - out.json "$(cat c9)" "$(cat c10)" <<-\EOF
	import json, sys
	a = json.load(open(sys.argv[1]))
	commits = {c["commit"]: c for c in a["commits"]}
	assert len(commits) == 10, len(commits)
	bad = commits[sys.argv[2]]
	assert bad["verdicts"]["valid"] is False
	assert bad["verdicts"]["validated_by"] is False
	err = bad["verdicts"]["errors"][0]
	assert err["file"] == "records/contacts/c-0002.yaml" and err["path"] == "/role", err
	assert commits[sys.argv[3]]["verdicts"]["valid"] is True
	assert commits[sys.argv[3]]["verdicts"]["validated_by"] is True
	s = a["summary"]
	assert s["commits"] == 10 and s["invalid"] == 1, s
	assert s["without_validated_by"] == 2, s   # the plain commit and the merge
	assert s["policy_violations"] == 0
	EOF
	test_expect_code 1 fieldbook -C repo audit >out &&
	test_grep "valid: NO" out &&
	test_grep "records/contacts/c-0002.yaml:3:7: error: /role" out &&
	test_grep "^10 commits: 1 invalid, 2 without Validated-by" out
'

test_expect_success 'audit --since limits the range; --format csv has a row per commit and record' '
	since=$(TZ=IRST-3:30 date -d @$(git -C repo log -1 --format=%ct $(cat c10)) +%Y-%m-%d) &&
	test_expect_code 1 fieldbook -C repo audit --since $since --until $since --format csv >out.csv &&
	head -1 out.csv >header &&
	printf "commit,date,author,email,record,change,fields,valid,validated_by,signed,signature_good,policy_ok,validated_by_claimed\r\n" >expect &&
	test_cmp expect header &&
	test_grep "^$(cat c10),.*,contacts/c-0002,modified,/role,true,true,false,,true,true.$" out.csv &&
	test $(grep -c "$(printf "\r")$" out.csv) = $(wc -l <out.csv)
'

test_expect_success 'audit --strict, or require_signed_commits: Validated-by and signatures count' '
	test_expect_code 1 fieldbook -C repo audit --strict >out &&
	test_grep "^10 commits: 1 invalid, 2 without Validated-by, 0 with a false Validated-by, 10 unsigned, 0 bad signatures, 0 policy violations (strict: Validated-by and signatures count)$" out &&
	printf "require_signed_commits: true\n" >repo/fieldbook.yaml &&
	test_expect_code 1 fieldbook -C repo audit >out &&
	test_grep "(strict: Validated-by and signatures count)" out &&
	rm repo/fieldbook.yaml &&
	fieldbook -C repo audit --since 2099-01-01 >out &&
	test_grep "^0 commits" out
'

command -v ssh-keygen >/dev/null && test_set_prereq SSHKEYGEN
test_expect_success 'audit: a Validated-by written by hand is a claim; the verdict is audit'"'"'s own check' '
	fb_repo hand &&
	mkdir -p hand/records/counties &&
	printf "id: bam\nname: بم\n" >hand/records/counties/bam.yaml &&
	(cd hand && test_tick && fieldbook commit >/dev/null) &&
	printf "id: bam\nname: بم\nnonsense: 1\n" >hand/records/counties/bam.yaml &&
	(cd hand && git add -A && test_tick &&
	 git commit -q --no-verify -m "looks fine" -m "Validated-by: fieldbook 9.9") &&
	test_expect_code 1 fieldbook -C hand audit --format json >out.json &&
	python3 - out.json <<-\EOF &&
	import json, sys
	a = json.load(open(sys.argv[1]))
	forged = a["commits"][0]["verdicts"]
	assert forged["valid"] is False, forged
	assert forged["validated_by"] is False and forged["validated_by_claimed"] is True, forged
	real = a["commits"][1]["verdicts"]
	assert real["validated_by"] is True and real["validated_by_claimed"] is True, real
	assert a["summary"]["false_validated_by"] == 1, a["summary"]
	EOF
	test_expect_code 1 fieldbook -C hand audit >out &&
	test_grep "valid: NO (audit'"'"'s own check);  Validated-by: claimed, FALSELY;" out &&
	test_grep "valid: yes (audit'"'"'s own check);  Validated-by: claimed;" out &&
	test_grep "^2 commits: 1 invalid, 0 without Validated-by, 1 with a false Validated-by," out
'

test_expect_success SSHKEYGEN 'audit: a good ssh signature, and a forged one' '
	ssh-keygen -q -t ed25519 -N "" -C t -f key &&
	echo "author@example.com $(cat key.pub)" >allowed &&
	git -C repo config gpg.format ssh &&
	git -C repo config user.signingkey "$TRASH/key.pub" &&
	git -C repo config gpg.ssh.allowedSignersFile "$TRASH/allowed" &&
	sed -i "s/^name: رضا$/name: رضا ک/" repo/records/contacts/c-0002.yaml &&
	test_tick && fieldbook -C repo commit --sign >/dev/null &&
	since=$(TZ=IRST-3:30 date -d @$test_tick_time +%Y-%m-%d) &&
	fieldbook -C repo audit --strict --since $since --format json >out.json &&
	python3 - out.json <<-\EOF
	import json, sys
	a = json.load(open(sys.argv[1]))
	c = a["commits"][0]
	assert c["verdicts"]["signed"] is True and c["verdicts"]["signature_good"] is True, c
	EOF
	: >allowed &&
	test_expect_code 1 fieldbook -C repo audit --since $since --format json >out.json &&
	python3 - out.json <<-\EOF
	import json, sys
	a = json.load(open(sys.argv[1]))
	assert a["commits"][0]["verdicts"]["signature_good"] is False
	assert a["summary"]["bad_signatures"] == 1
	EOF
'

test_expect_success 'blame: a field removed, then added back with the same value, is the later commit'"'"'s' '
	sed -i "/^phones:/,/^  - /d" repo/records/contacts/bam/c-0001.yaml &&
	test_tick && fieldbook -C repo commit >/dev/null &&
	printf "phones:\n  - \"09130000011\"\n" >>repo/records/contacts/bam/c-0001.yaml &&
	test_tick && fieldbook -C repo commit >/dev/null &&
	back=$(git -C repo rev-parse HEAD) &&
	fieldbook -C repo blame contacts/c-0001 --format json >out.json &&
	python3 - out.json "$back" "$(cat c1)" <<-\EOF
	import json, sys
	b = {e["path"]: e for e in json.load(open(sys.argv[1]))}
	assert b["/phones/0"]["commit"] == sys.argv[2], b["/phones/0"]
	assert b["/id"]["commit"] == sys.argv[3]
	EOF
	fieldbook -C repo log contacts/c-0001 -n 2 >out &&
	test_grep "^    /phones/0: (none) → \"09130000011\"$" out &&
	test_grep "^    /phones/0: \"09130000011\" → (none)$" out
'

test_done
