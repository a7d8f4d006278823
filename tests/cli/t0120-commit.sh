#!/bin/sh
test_description='commit and rm: only valid trees, only our paths, messages that say what changed'
. "$(dirname "$0")/lib.sh"

contact() { # contact ID NAME [COUNTY]
	cat >repo/records/contacts/$1.yaml <<-EOR
	id: $1
	name: $2
	role: other
	county: ${3:-bam}
	status: active
	EOR
}

test_expect_success 'setup' '
	fb_repo repo &&
	mkdir -p repo/records/counties repo/records/contacts repo/records/visits &&
	cp "$FB_SRCDIR/records/counties/bam.yaml" "$FB_SRCDIR/records/counties/kerman.yaml" \
		repo/records/counties/ &&
	contact c-0001 "علی" && contact c-0002 "رضا" && contact c-0003 "مریم" kerman &&
	cat >repo/records/visits/v-0001.yaml <<-\EOR &&
	id: v-0001
	date: 1403/09/02
	county: bam
	staff: [من]
	contacts:
	  - c-0002
	  - c-0001
	kind: meeting
	EOR
	echo "notes" >repo/notes.txt &&
	(cd repo && git add -A && test_tick && git commit -qm start)
'

test_expect_success 'rm is refused while a record refers to it, and says where' '
	test_expect_code 1 fieldbook -C repo rm contacts/c-0001 2>err &&
	test_grep "^records/visits/v-0001.yaml:7:5: error: /contacts/1: no contacts record .c-0001." err &&
	test_grep "contacts/c-0001 is not removed: 1 reference to it" err &&
	test_path_is_file repo/records/contacts/c-0001.yaml
'

test_expect_success 'rm --force removes it; commit then refuses, with the error' '
	fieldbook -C repo rm --force contacts/c-0001 2>err &&
	test_grep "v-0001.yaml:7:5: warning:" err &&
	test_path_is_missing repo/records/contacts/c-0001.yaml &&
	head=$(git -C repo rev-parse HEAD) &&
	test_expect_code 1 fieldbook -C repo commit 2>err &&
	test_grep "^records/visits/v-0001.yaml:7:5: error: /contacts/1: no contacts record" err &&
	test_grep "commit refused" err &&
	test "$(git -C repo rev-parse HEAD)" = "$head" &&
	git -C repo checkout -q records/contacts/c-0001.yaml
'

test_expect_success 'rm --commit of an unreferenced record' '
	test_tick &&
	fieldbook -C repo rm contacts/c-0003 --commit >out 2>err &&
	test_grep "^\[[0-9a-f]\{7\}\] Remove contacts/c-0003$" out &&
	test_grep "0 added, 0 changed, 1 removed" out &&
	test_must_fail git -C repo cat-file -e HEAD:records/contacts/c-0003.yaml &&
	test -z "$(git -C repo status --porcelain)"
'

test_expect_success 'rm: usage errors' '
	test_expect_code 2 fieldbook -C repo rm contacts/c-0003 2>err &&
	test_grep "no record .contacts/c-0003." err &&
	test_expect_code 2 fieldbook -C repo rm contacts 2>err
'

test_expect_success 'the message lists the record, the changed fields and the trailers' '
	sed -i "s/^name:.*/name: رضا کریمی/; s/^status:.*/phones: [\"09131112233\"]\nstatus: active/" \
		repo/records/contacts/c-0002.yaml &&
	test_tick &&
	fieldbook -C repo commit >out &&
	cat >expect <<-EOF &&
	Update contacts/c-0002 (name, phones)

	modified contacts/c-0002: /name, /phones/0

	Record: contacts/c-0002
	Validated-by: fieldbook $("$FIELDBOOK" --version | cut -d" " -f2)
	EOF
	git -C repo cat-file commit HEAD | sed "1,/^\$/d" >msg &&
	test_cmp expect msg &&
	git -C repo log -1 --format="%an <%ae> %at" >who &&
	echo "A U Thor <author@example.com> $test_tick_time" >expect &&
	test_cmp expect who
'

test_expect_success 'several records: a count in the subject, one trailer each, -m as the subject' '
	contact c-0004 "زهرا" &&
	sed -i "s/^kind:.*/kind: phone/" repo/records/visits/v-0001.yaml &&
	fieldbook -C repo commit -m "Phone round, Bam" >out &&
	git -C repo log -1 --format=%B >msg &&
	head -1 msg >subject &&
	echo "Phone round, Bam" >expect && test_cmp expect subject &&
	test_grep "^added contacts/c-0004$" msg &&
	test_grep "^modified visits/v-0001: /kind$" msg &&
	test_grep "^Record: contacts/c-0004$" msg &&
	test_grep "^Record: visits/v-0001$" msg &&
	test_grep "1 added, 1 changed, 0 removed" out &&
	contact c-0005 "x" && contact c-0006 "y" &&
	fieldbook -C repo commit >out &&
	git -C repo log -1 --format=%s >subject &&
	echo "Update 2 records (2 added, 0 changed, 0 removed)" >expect &&
	test_cmp expect subject
'

test_expect_success 'a user'"'"'s staged files stay staged and out of the commit' '
	echo "more notes" >>repo/notes.txt &&
	git -C repo add notes.txt &&
	echo scratch >repo/scratch.txt &&
	contact c-0007 "n" &&
	fieldbook -C repo commit >out &&
	git -C repo show --name-only --format= HEAD >files &&
	echo records/contacts/c-0007.yaml >expect &&
	test_cmp expect files &&
	git -C repo status --porcelain >st &&
	printf "M  notes.txt\n?? scratch.txt\n" >expect &&
	test_cmp expect st
'

test_expect_success 'targets: only what is named is committed; the rest waits' '
	contact c-0008 "a" && contact c-0009 "b" &&
	fieldbook -C repo commit contacts/c-0008 >out &&
	git -C repo show --name-only --format= HEAD >files &&
	echo records/contacts/c-0008.yaml >expect && test_cmp expect files &&
	git -C repo status --porcelain records >st &&
	echo "?? records/contacts/c-0009.yaml" >expect && test_cmp expect st &&
	fieldbook -C repo commit records/contacts/ >out &&
	test_grep "Add contacts/c-0009" out
'

test_expect_success 'targets: a moved record by TYPE/ID takes both places; a file from a subfolder' '
	mkdir -p repo/records/contacts/bam &&
	git -C repo mv records/contacts/c-0008.yaml records/contacts/bam/ &&
	fieldbook -C repo commit contacts/c-0008 >out &&
	test_grep "Move contacts/c-0008" out &&
	git -C repo log -1 --format=%B >msg &&
	test_grep "^moved contacts/c-0008 (from records/contacts/c-0008.yaml)$" msg &&
	test $(grep -c "^Record: contacts/c-0008$" msg) = 1 &&
	sed -i "s/^name:.*/name: moved/" repo/records/contacts/bam/c-0008.yaml &&
	(cd repo/records/contacts/bam && fieldbook commit c-0008.yaml >../../../../out) &&
	test_grep "Update contacts/c-0008 (name)" out
'

test_expect_success 'targets: an unknown type or a path outside is a usage error' '
	test_expect_code 2 fieldbook -C repo commit bogus 2>err &&
	test_grep "unknown type .bogus." err &&
	test_expect_code 2 fieldbook -C repo commit notes.txt 2>err &&
	test_grep "not under records/ or schemas/" err &&
	test_expect_code 2 fieldbook -C repo commit contacts/c-9999 2>err &&
	test_grep "no record .contacts/c-9999." err
'

test_expect_success 'rm keeps work that history does not have, unless --force' '
	contact c-0030 "never committed" &&
	test_expect_code 1 fieldbook -C repo rm contacts/c-0030 2>err &&
	test_grep "it was never committed" err &&
	test_path_is_file repo/records/contacts/c-0030.yaml &&
	fieldbook -C repo commit contacts/c-0030 >/dev/null &&
	sed -i "s/^name:.*/name: changed/" repo/records/contacts/c-0030.yaml &&
	test_expect_code 1 fieldbook -C repo rm contacts/c-0030 2>err &&
	test_grep "has changes that are not committed" err &&
	fieldbook -C repo rm --force contacts/c-0030 &&
	test_path_is_missing repo/records/contacts/c-0030.yaml &&
	fieldbook -C repo commit >out &&
	test_grep "Remove contacts/c-0030" out
'

test_expect_success 'a merge with unmerged paths is refused, naming them' '
	git -C repo checkout -q -b side &&
	sed -i "s/^name:.*/name: side/" repo/records/contacts/c-0009.yaml &&
	git -C repo commit -qam side &&
	git -C repo checkout -q main &&
	sed -i "s/^name:.*/name: main/" repo/records/contacts/c-0009.yaml &&
	git -C repo commit -qam main &&
	test_must_fail git -C repo merge -q side >/dev/null 2>&1 &&
	sed -i "/^[<=>]\{7\}/d; /^name: side$/d" repo/records/contacts/c-0009.yaml &&
	test_expect_code 1 fieldbook -C repo commit 2>err &&
	test_grep "^records/contacts/c-0009.yaml: error: an unresolved merge conflict: settle it first" err &&
	git -C repo merge --abort
'

test_expect_success 'an invalid change left out of the commit does not block it' '
	contact c-0010 "ok" &&
	contact c-0011 "bad" nowhere &&
	fieldbook -C repo commit contacts/c-0010 >out &&
	test_grep "Add contacts/c-0010" out &&
	test_expect_code 1 fieldbook -C repo commit 2>err &&
	test_grep "^records/contacts/c-0011.yaml:4:9: error: /county: no counties record .nowhere." err &&
	rm repo/records/contacts/c-0011.yaml
'

test_expect_success 'a record that refers to an uncommitted one cannot go alone' '
	contact c-0012 "new" &&
	sed -i "s/^  - c-0001$/  - c-0012/" repo/records/visits/v-0001.yaml &&
	test_expect_code 1 fieldbook -C repo commit visits/v-0001 2>err &&
	test_grep "no contacts record .c-0012." err &&
	fieldbook -C repo commit visits/v-0001 contacts/c-0012 >out &&
	test_grep "2 records" out
'

test_expect_success 'an index that fell behind HEAD does not make commit delete the record' '
	git -C repo rm -q --cached records/contacts/c-0004.yaml &&
	test_expect_code 1 fieldbook -C repo commit 2>err &&
	test_grep "nothing to commit" err &&
	git -C repo cat-file -e HEAD:records/contacts/c-0004.yaml &&
	git -C repo add records/contacts/c-0004.yaml
'

test_expect_success 'a record that is a symbolic link is refused; a bad file name is left out' '
	mkdir -p elsewhere &&
	printf "id: c-0050\nname: l\nrole: other\ncounty: bam\nstatus: active\n" >elsewhere/c.yaml &&
	ln -s ../../../elsewhere/c.yaml repo/records/contacts/c-0050.yaml &&
	test_expect_code 1 fieldbook -C repo commit 2>err &&
	test_grep "^records/contacts/c-0050.yaml:1:1: error: a symbolic link" err &&
	rm repo/records/contacts/c-0050.yaml &&
	printf "id: x\n" >"repo/records/contacts/My Contact.yaml" &&
	contact c-0051 ok &&
	fieldbook -C repo commit >out 2>err &&
	test_grep "My Contact.yaml:1:1: warning: not a record file name" err &&
	test_grep "Add contacts/c-0051" out &&
	rm "repo/records/contacts/My Contact.yaml"
'

test_expect_success 'nothing to commit: exit 1, as git' '
	test_expect_code 1 fieldbook -C repo commit 2>err &&
	test_grep "nothing to commit" err
'

test_expect_success 'a schema change is committed and named' '
	sed -i "s/^title: مخاطب$/title: مخاطب دفتر/" repo/schemas/contacts.yaml &&
	fieldbook -C repo commit >out &&
	test_grep "Update schemas/contacts.yaml" out
'

test_expect_success 'identity: --author, then GIT_AUTHOR_*, then git config' '
	contact c-0013 a &&
	fieldbook -C repo commit --author "Zahra K <zk@example.org>" contacts/c-0013 &&
	git -C repo log -1 --format="%an <%ae>|%cn <%ce>" >who &&
	echo "Zahra K <zk@example.org>|A U Thor <author@example.com>" >expect &&
	test_cmp expect who &&
	contact c-0014 b &&
	GIT_AUTHOR_NAME="Env Author" GIT_AUTHOR_EMAIL=env@example.org \
	GIT_COMMITTER_NAME="Env Committer" GIT_COMMITTER_EMAIL=cm@example.org \
	GIT_AUTHOR_DATE="@1700000000 +0330" GIT_COMMITTER_DATE="2024-01-02T03:04:05+03:30" \
		fieldbook -C repo commit contacts/c-0014 &&
	git -C repo log -1 --format="%an <%ae> %at %ai|%cn <%ce> %cI" >who &&
	echo "Env Author <env@example.org> 1700000000 2023-11-15 01:43:20 +0330|Env Committer <cm@example.org> 2024-01-02T03:04:05+03:30" >expect &&
	test_cmp expect who &&
	contact c-0015 c &&
	git -C repo config user.name "Repo Config" &&
	git -C repo config user.email rc@example.org &&
	fieldbook -C repo commit contacts/c-0015 &&
	git -C repo log -1 --format="%an <%ae>" >who &&
	echo "Repo Config <rc@example.org>" >expect && test_cmp expect who &&
	git -C repo config --unset user.name && git -C repo config --unset user.email
'

test_expect_success 'dates as git takes them: RFC 2822, ISO 8601 with Z; nonsense refused' '
	contact c-0040 r &&
	GIT_AUTHOR_DATE="Fri, 2 Aug 2024 10:00:00 +0330" fieldbook -C repo commit contacts/c-0040 &&
	git -C repo log -1 --format=%aI >when &&
	echo 2024-08-02T10:00:00+03:30 >expect && test_cmp expect when &&
	contact c-0041 s &&
	GIT_AUTHOR_DATE="2024-08-02T10:00:00Z" fieldbook -C repo commit contacts/c-0041 &&
	git -C repo log -1 --format=%aI >when &&
	echo 2024-08-02T10:00:00+00:00 >expect && test_cmp expect when &&
	contact c-0042 t &&
	GIT_AUTHOR_DATE="1722580000 +9999" test_expect_code 2 fieldbook -C repo commit 2>err &&
	test_grep "GIT_AUTHOR_DATE=.1722580000 +9999. is not a date" err &&
	GIT_COMMITTER_DATE=garbage test_expect_code 2 fieldbook -C repo commit 2>err &&
	test_grep "GIT_COMMITTER_DATE=.garbage. is not a date" err &&
	fieldbook -C repo commit &&
	git -C repo fsck --strict 2>fsck && test_must_be_empty fsck
'

test_expect_success 'identity: none at all is a clear error, exit 3; a bad --author exit 2' '
	contact c-0016 d &&
	test_expect_code 2 fieldbook -C repo commit --author "nobody" 2>err &&
	test_grep "NAME <EMAIL>" err &&
	mv "$HOME/.gitconfig" "$HOME/gitconfig.saved" &&
	test_expect_code 3 fieldbook -C repo commit 2>err
	code=$?
	mv "$HOME/gitconfig.saved" "$HOME/.gitconfig" &&
	test $code = 0 &&
	test_grep "who is committing" err &&
	fieldbook -C repo commit
'

test_expect_success 'a detached HEAD is refused' '
	git -C repo checkout -q --detach &&
	contact c-0017 e &&
	test_expect_code 1 fieldbook -C repo commit 2>err &&
	test_grep "HEAD is detached" err &&
	git -C repo checkout -q main &&
	fieldbook -C repo commit
'

command -v gpg >/dev/null && test_set_prereq GPG
test_expect_success GPG 'commit --sign with a gpg key: git verify-commit says Good' '
	GNUPGHOME="$TRASH/gnupg" && export GNUPGHOME &&
	mkdir -m 700 "$GNUPGHOME" &&
	gpg --batch --quiet --passphrase "" --quick-gen-key "A U Thor <author@example.com>" \
		ed25519 sign never 2>/dev/null &&
	git -C repo config user.signingkey author@example.com &&
	contact c-0018 f &&
	fieldbook -C repo commit --sign &&
	git -C repo verify-commit HEAD 2>verify &&
	test_grep "Good signature from \"A U Thor <author@example.com>\"" verify &&
	contact c-0019 g &&
	git -C repo config commit.gpgsign true &&
	fieldbook -C repo commit &&
	git -C repo verify-commit HEAD 2>verify &&
	git -C repo config --unset commit.gpgsign
'

command -v ssh-keygen >/dev/null && test_set_prereq SSHKEYGEN
test_expect_success SSHKEYGEN 'commit --sign with an ssh key: git verify-commit says Good' '
	ssh-keygen -q -t ed25519 -N "" -C test -f "$TRASH/key" &&
	echo "author@example.com $(cat "$TRASH/key.pub")" >"$TRASH/allowed" &&
	git -C repo config gpg.format ssh &&
	git -C repo config user.signingkey "$TRASH/key.pub" &&
	git -C repo config gpg.ssh.allowedSignersFile "$TRASH/allowed" &&
	contact c-0020 h &&
	fieldbook -C repo commit --sign &&
	git -C repo verify-commit HEAD 2>verify &&
	test_grep "Good \"git\" signature for author@example.com with ED25519 key" verify
'

test_expect_success SSHKEYGEN 'a signer that fails: no commit, its message shown, exit 3' '
	git -C repo config user.signingkey "$TRASH/missing.pub" &&
	contact c-0021 i &&
	head=$(git -C repo rev-parse HEAD) &&
	test_expect_code 3 fieldbook -C repo commit --sign 2>err &&
	test_grep "signing the commit failed" err &&
	test "$(git -C repo rev-parse HEAD)" = "$head" &&
	git -C repo config --unset gpg.format
'

test_expect_success 'history is whole: git fsck finds nothing wrong' '
	git -C repo fsck --strict 2>fsck &&
	test_must_be_empty fsck
'

test_done
