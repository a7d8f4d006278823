#!/bin/sh
test_description='hooks: plain git commit and git push cannot record an invalid record'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	fb_repo repo &&
	mkdir -p repo/records/counties repo/records/contacts &&
	cp "$FB_SRCDIR/records/counties/bam.yaml" repo/records/counties/ &&
	printf "id: c-0001\nname: a\nrole: other\ncounty: bam\nstatus: active\n" \
		>repo/records/contacts/c-0001.yaml &&
	(cd repo && git add -A && git commit -qm start)
'

test_expect_success 'hook install is idempotent and calls this binary by its absolute path' '
	cp repo/.git/hooks/pre-commit before &&
	fieldbook -C repo hook install >out &&
	test_cmp before repo/.git/hooks/pre-commit &&
	test_grep "^installed .*/repo/.git/hooks/pre-commit$" out &&
	fb=$(sed -n "s/^fb=.\(.*\).$/\1/p" repo/.git/hooks/pre-commit) &&
	test "$fb" = "$(readlink -f "$FIELDBOOK")"
'

test_expect_success 'plain git commit of an invalid record: refused, same diagnostics as validate' '
	sed -i "s/^role:.*/role: boss/" repo/records/contacts/c-0001.yaml &&
	test_expect_code 1 fieldbook -C repo validate 2>expect.err &&
	git -C repo add -A &&
	head=$(git -C repo rev-parse HEAD) &&
	test_must_fail git -C repo commit -qm bad 2>err &&
	grep "^records/" expect.err >expect &&
	grep "^records/" err >actual &&
	test_cmp expect actual &&
	test_grep "commit refused" err &&
	test "$(git -C repo rev-parse HEAD)" = "$head"
'

test_expect_success 'the hook checks what is staged, not the working tree' '
	sed -i "s/^role:.*/role: other/" repo/records/contacts/c-0001.yaml &&
	test_must_fail git -C repo commit -qm "still the bad one staged" 2>err &&
	test_grep "/role: .boss." err &&
	sed -i "s/^name:.*/name: staged/" repo/records/contacts/c-0001.yaml &&
	git -C repo add -A &&
	sed -i "s/^role:.*/role: boss/" repo/records/contacts/c-0001.yaml &&
	git -C repo commit -qm "the good one staged" &&
	git -C repo show HEAD:records/contacts/c-0001.yaml >committed &&
	test_grep "^role: other$" committed &&
	test_grep "^name: staged$" committed &&
	git -C repo checkout -q records/contacts/c-0001.yaml
'

test_expect_success 'commit -a (a temporary index) is checked too; untracked files are not' '
	sed -i "s/^county:.*/county: nowhere/" repo/records/contacts/c-0001.yaml &&
	test_must_fail git -C repo commit -qam bad 2>err &&
	test_grep "/county: no counties record .nowhere." err &&
	git -C repo checkout -q records/contacts/c-0001.yaml &&
	printf "id: c-0002\nname: b\nrole: boss\ncounty: bam\nstatus: active\n" \
		>repo/records/contacts/c-0002.yaml &&
	echo change >>repo/records/counties/bam.yaml.txt &&
	sed -i "s/^name:.*/name: A/" repo/records/contacts/c-0001.yaml &&
	git -C repo commit -qam "c-0002 is untracked, so not part of it" &&
	rm repo/records/contacts/c-0002.yaml repo/records/counties/bam.yaml.txt
'

test_expect_success 'a hook that is not ours is kept, and install says how to call ours' '
	printf "#!/bin/sh\necho mine\n" >repo/.git/hooks/pre-commit &&
	test_expect_code 1 fieldbook -C repo hook install >out 2>err &&
	test_grep "a pre-commit hook exists and is not fieldbook.s" err &&
	test_grep "add the line  .*fieldbook. hook pre-commit || exit 1  to it" err &&
	line=$(sed -n "s/.*add the line  \(.*\)  to it.*/\1/p" err) &&
	test_grep "echo mine" repo/.git/hooks/pre-commit &&
	fieldbook -C repo validate >out 2>err &&
	test_grep "warning: the fieldbook hooks are not installed" err &&
	test_grep "all valid, 1 warning" out &&
	echo "$line" >>repo/.git/hooks/pre-commit &&
	fieldbook -C repo hook install >out 2>err &&
	test_must_be_empty err &&
	test_grep "echo mine" repo/.git/hooks/pre-commit &&
	fieldbook -C repo validate 2>err &&
	test_must_be_empty err &&
	sed -i "s/^role:.*/role: boss/" repo/records/contacts/c-0001.yaml &&
	test_must_fail git -C repo commit -qam bad 2>err &&
	test_grep "/role" err &&
	git -C repo checkout -q records/contacts/c-0001.yaml &&
	rm repo/.git/hooks/pre-commit &&
	fieldbook -C repo hook install >out &&
	fieldbook -C repo validate 2>err &&
	test_must_be_empty err
'

test_expect_success 'core.hooksPath is where the hooks go' '
	git -C repo config core.hooksPath .githooks &&
	fieldbook -C repo validate 2>err &&
	test_grep "hooks are not installed" err &&
	fieldbook -C repo hook install >out &&
	test_grep "repo/.githooks/pre-commit" out &&
	sed -i "s/^role:.*/role: boss/" repo/records/contacts/c-0001.yaml &&
	test_must_fail git -C repo commit -qam bad 2>err &&
	test_grep "/role" err &&
	git -C repo checkout -q records/contacts/c-0001.yaml &&
	git -C repo config --unset core.hooksPath
'

test_expect_success 'a hook whose binary is gone falls back to fieldbook on PATH' '
	sed "s|^fb=.*|fb=/nonexistent/fieldbook|" repo/.git/hooks/pre-commit >hook &&
	cp hook repo/.git/hooks/pre-commit &&
	mkdir bin && ln -s "$FIELDBOOK" bin/fieldbook &&
	sed -i "s/^role:.*/role: boss/" repo/records/contacts/c-0001.yaml &&
	PATH="$TRASH/bin:$PATH" test_must_fail git -C repo commit -qam bad 2>err &&
	test_grep "/role" err &&
	git -C repo checkout -q records/contacts/c-0001.yaml &&
	fieldbook -C repo hook install >/dev/null
'

test_expect_success 'pre-receive: setup a bare repository with the hook' '
	git clone -q --bare repo server.git &&
	(cd server.git && fieldbook hook install >../out) &&
	test_grep "server.git/hooks/pre-receive" out &&
	git clone -q server.git clone &&
	(cd clone && fieldbook hook install >/dev/null)
'

test_expect_success 'pre-receive: a push with an invalid commit is rejected, naming it' '
	(cd clone &&
	 sed -i "s/^role:.*/role: boss/" records/contacts/c-0001.yaml &&
	 git commit --no-verify -qam "sneak it in" &&
	 sed -i "s/^role:.*/role: other/" records/contacts/c-0001.yaml &&
	 git commit --no-verify -qam "and fix it" ) &&
	bad=$(git -C clone rev-parse --short=7 HEAD~1) &&
	before=$(git -C server.git rev-parse main) &&
	test_must_fail git -C clone push -q origin main 2>err &&
	test_grep "remote: fieldbook: error: rejected refs/heads/main ($bad sneak it in)" err &&
	test_grep "remote: records/contacts/c-0001.yaml:3:7: error: /role: .boss." err &&
	test_grep "pre-receive hook declined" err &&
	test "$(git -C server.git rev-parse main)" = "$before" &&
	git -C server.git cat-file -e $(git -C clone rev-parse HEAD) 2>/dev/null;
	test $? != 0
'

test_expect_success 'pre-receive: once history is clean the push goes through' '
	(cd clone && git reset -q --hard origin/main &&
	 sed -i "s/^name:.*/name: pushed/" records/contacts/c-0001.yaml &&
	 fieldbook commit >/dev/null &&
	 git push -q origin main) &&
	git -C server.git show main:records/contacts/c-0001.yaml >pushed &&
	test_grep "^name: pushed$" pushed
'

test_expect_success 'pre-receive: commits the server has already are not judged again' '
	(cd clone && git checkout -q -b legacy &&
	 sed -i "s/^role:.*/role: boss/" records/contacts/c-0001.yaml &&
	 git commit --no-verify -qam "legacy bad") &&
	server_hook=server.git/hooks/pre-receive &&
	mv $server_hook hook.saved &&
	git -C clone push -q origin legacy &&
	mv hook.saved $server_hook &&
	(cd clone && sed -i "s/^role:.*/role: other/" records/contacts/c-0001.yaml &&
	 git commit --no-verify -qam "legacy fixed" &&
	 git push -q origin legacy &&
	 git checkout -q main && git merge -q --no-edit --no-verify legacy 2>/dev/null &&
	 git push -q origin main) &&
	test "$(git -C server.git rev-parse main)" = "$(git -C clone rev-parse main)"
'

test_expect_success 'pre-receive: a new branch is checked from where it leaves known history' '
	(cd clone && git checkout -q -b feature &&
	 printf "id: c-0009\nname: x\nrole: other\ncounty: gone\nstatus: active\n" \
		>records/contacts/c-0009.yaml &&
	 git add -A && git commit --no-verify -qm "bad on a branch") &&
	test_must_fail git -C clone push -q origin feature 2>err &&
	test_grep "rejected refs/heads/feature" err &&
	test_grep "c-0009.yaml:4:9: error: /county" err &&
	git -C clone push -q origin :feature 2>err;
	test_must_fail git -C server.git rev-parse -q --verify feature
'

# A read-only file system: a tmpfs mounted read-only in a private mount
# namespace (unshare -rm), where hooks.Path points.
unshare -rm sh -c 'd=$(mktemp -d) && mount -t tmpfs -o ro tmpfs "$d"' 2>/dev/null &&
	test_set_prereq ROFS

test_expect_success ROFS 'hook install on a read-only file system: exit 3, naming each hook' '
	fb_repo rofs &&
	mkdir ro &&
	git -C rofs config core.hooksPath "$PWD/ro" &&
	unshare -rm sh -c "mount -t tmpfs -o ro tmpfs \"$PWD/ro\" &&
		cd rofs && exec \"$FIELDBOOK\" hook install" >out 2>err
	test $? = 3 &&
	test_grep "ro/pre-commit: error: cannot write: Read-only file system" err &&
	test_grep "ro/pre-receive: error: cannot write: Read-only file system" err &&
	test_must_fail grep "installed .*pre-" out
'

test_done
