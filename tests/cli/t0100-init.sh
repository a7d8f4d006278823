#!/bin/sh
test_description='init: a fieldbook repository from nothing, or from a git repository; never an overwrite'
. "$(dirname "$0")/lib.sh"

test_expect_success 'init DIR makes the repository, the files, the hooks and a first commit' '
	fieldbook init office >out 2>err &&
	test_grep "^wrote schemas/contacts.yaml$" out &&
	test_grep "^installed .*/office/.git/hooks/pre-commit$" out &&
	test_grep "^\[[0-9a-f]\{7\}\] Start a fieldbook repository$" out &&
	for f in schemas/_common.yaml schemas/contacts.yaml schemas/visits.yaml \
		schemas/assessments.yaml schemas/counties.yaml fieldbook.yaml \
		.vscode/settings.json records/README.md .gitattributes; do
		test_path_is_file "office/$f" || return 1
	done &&
	test_cmp "$FB_SRCDIR/schemas/contacts.yaml" office/schemas/contacts.yaml &&
	test_cmp "$FB_SRCDIR/fieldbook.yaml" office/fieldbook.yaml &&
	test_cmp "$FB_SRCDIR/src/cli/records-README.md" office/records/README.md &&
	test_cmp "$FB_SRCDIR/.gitattributes" office/.gitattributes &&
	test_grep "^installed the merge driver" out &&
	git -C office config --get merge.fieldbook.driver >driver &&
	test_grep "merge-driver %O %A %B %P" driver &&
	git -C office ls-files >files &&
	test_line_count = 9 files &&
	git -C office log --format=%s >log &&
	echo "Start a fieldbook repository" >expect &&
	test_cmp expect log &&
	git -C office log -1 --format=%an >who &&
	echo "A U Thor" >expect && test_cmp expect who &&
	test -z "$(git -C office status --porcelain)" &&
	git -C office fsck --strict 2>fsck &&
	test_must_be_empty fsck
'

test_expect_success 'the new repository validates, quietly: the hooks are in' '
	fieldbook -C office validate >out 2>err &&
	echo "0 records checked: all valid" >expect &&
	test_cmp expect out &&
	test_must_be_empty err &&
	test -x office/.git/hooks/pre-commit &&
	test -x office/.git/hooks/pre-receive &&
	test_grep "^fb=.*fieldbook" office/.git/hooks/pre-commit
'

test_expect_success 'init refuses to overwrite, lists what it would write, writes nothing' '
	echo "calendar: gregorian" >>office/fieldbook.yaml &&
	echo "# ours" >>office/schemas/contacts.yaml &&
	test_expect_code 1 fieldbook init office >out 2>err &&
	test_grep "fieldbook.yaml: error: exists already" err &&
	test_grep "schemas/contacts.yaml: error: exists already" err &&
	test_grep "init wrote nothing; it would have written:" err &&
	test_grep "^  .vscode/settings.json$" err &&
	test_must_be_empty out &&
	test_grep "^calendar: gregorian$" office/fieldbook.yaml &&
	git -C office log --oneline >log &&
	test_line_count = 1 log &&
	git -C office checkout -q .
'

test_expect_success 'one existing file is enough to stop it' '
	mkdir -p half/schemas &&
	echo "# mine" >half/schemas/visits.yaml &&
	test_expect_code 1 fieldbook init half 2>err &&
	test_grep "^schemas/visits.yaml: error: exists already" err &&
	test_line_count = 1 half/schemas/visits.yaml &&
	test_path_is_missing half/schemas/contacts.yaml &&
	test_path_is_missing half/fieldbook.yaml
'

test_expect_success 'an existing git repository is adopted: its history and staged files stay' '
	git init -q existing &&
	(cd existing &&
	 echo hello >notes.txt && git add notes.txt && git commit -qm "before" &&
	 echo staged >staged.txt && git add staged.txt &&
	 fieldbook init >../out 2>../err) &&
	git -C existing log --format=%s >log &&
	printf "Start a fieldbook repository\nbefore\n" >expect &&
	test_cmp expect log &&
	git -C existing show --stat --format= HEAD >stat &&
	test_grep ! staged.txt stat &&
	git -C existing diff --cached --name-only >cached &&
	echo staged.txt >expect &&
	test_cmp expect cached
'

test_expect_success 'init in a bare repository is refused' '
	git init -q --bare bare.git &&
	test_expect_code 1 fieldbook init bare.git 2>err &&
	test_grep "bare repository" err
'

test_expect_success 'without an identity init writes the files, says how to set one; run again, it finishes' '
	mv "$HOME/.gitconfig" "$HOME/gitconfig.saved" &&
	test_expect_code 3 fieldbook init anon >out 2>err
	code=$?
	mv "$HOME/gitconfig.saved" "$HOME/.gitconfig" &&
	test $code = 0 &&
	test_grep "user.name" err &&
	test_grep "run fieldbook init again to finish" err &&
	test_path_is_file anon/schemas/contacts.yaml &&
	fieldbook init anon >out 2>err &&
	test_grep "^kept (already there) schemas/contacts.yaml$" out &&
	test_grep "Start a fieldbook repository" out &&
	git -C anon ls-files >files &&
	test_line_count = 9 files &&
	fieldbook init anon >out 2>err &&
	test_grep "a fieldbook repository already" err
'

test_expect_success 'a hook of the user'"'"'s in the way: init still finishes, and says so' '
	git init -q own &&
	printf "#!/bin/sh\nexit 0\n" >own/.git/hooks/pre-commit &&
	chmod +x own/.git/hooks/pre-commit &&
	fieldbook init own >out 2>err &&
	test_grep "Start a fieldbook repository" out &&
	test_grep "a pre-commit hook exists and is not fieldbook.s" err &&
	test_grep "without fieldbook.s hooks" err &&
	test_grep "exit 0" own/.git/hooks/pre-commit
'

test_expect_success 'new files honour the umask' '
	(umask 077 && fieldbook init private >/dev/null) &&
	test "$(stat -c %a private/schemas/contacts.yaml)" = 600 &&
	test "$(stat -c %a private/.git/hooks/pre-commit)" = 700
'

test_done
