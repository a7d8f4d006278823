#!/bin/sh
test_description='valgrind: no invalid access, no leak, on the main commands'
. "$(dirname "$0")/lib.sh"

# valgrind cannot run an AddressSanitizer build; make sanitize sets FB_SANITIZE
command -v valgrind >/dev/null && test -z "${FB_SANITIZE:-}" && test_set_prereq VALGRIND

vg() {
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 "$FIELDBOOK" "$@" >/dev/null 2>vg.err
	code=$?
	if test $code = 99 || grep -q "^==" vg.err; then
		cat vg.err >&2
		return 1
	fi
	return 0
}

test_expect_success VALGRIND 'setup' '
	fb_demo demo &&
	printf "id: c-0999\nname: x\nrole: imam\ncounty: nowhere\nstatus: active\n" \
		>demo/records/contacts/c-0999.yaml
'

test_expect_success VALGRIND 'validate, with errors and in JSON' '
	vg -C demo validate &&
	vg -C demo validate --format json contacts &&
	vg -C demo validate --rev HEAD visits
'

test_expect_success VALGRIND 'show, fmt, schema export, validate --schema' '
	vg -C demo show contacts/c-0002 --format json &&
	vg -C demo show contacts/c-0002 --at HEAD &&
	vg -C demo fmt --check &&
	vg -C demo schema export visits &&
	"$FIELDBOOK" -C demo schema export contacts >contacts.json &&
	vg validate --schema contacts.json demo/records/contacts/c-0001.yaml
'

test_expect_success VALGRIND 'init, new, edit, rm, commit, the hooks' '
	vg init office &&
	cp demo/records/counties/bam.yaml office/ && mkdir office/records/counties &&
	mv office/bam.yaml office/records/counties/ &&
	vg -C office new contacts --no-edit --set name=x --set role=other --set county=bam \
		--set status=active --set phones=09131234567 &&
	vg -C office new contacts --no-edit --set name=x --set role=boss &&
	printf "#!/bin/sh\nsed -i s/name:.*/name:\\\\ y/ \"\$1\"\n" >ed && chmod +x ed &&
	EDITOR=$TRASH/ed vg -C office edit contacts/c-0001 </dev/null &&
	test_grep "^name: y$" office/records/contacts/c-0001.yaml &&
	vg -C office commit -m "valgrind" &&
	vg -C office commit &&
	vg -C office rm contacts/c-0001 --commit &&
	(cd office && vg hook install) &&
	git -C office add -A &&
	(cd office && vg hook pre-commit) &&
	git clone -q --bare office server.git &&
	echo "$(git -C office rev-parse HEAD~1) $(git -C office rev-parse HEAD) refs/heads/x" >push &&
	(cd server.git && vg hook pre-receive <../push)
'

test_expect_success VALGRIND 'log, diff, blame, audit' '
	sed -i "s/^name:.*/name: z/" office/records/contacts/c-0002.yaml 2>/dev/null;
	vg -C office log &&
	vg -C office log --format json contacts/c-0002 &&
	vg -C office diff &&
	vg -C office diff HEAD~1 HEAD --format json &&
	vg -C office blame contacts/c-0002 &&
	vg -C office audit --format json &&
	vg -C office audit --format csv
'

test_expect_success VALGRIND 'summary, plan, report on the demo' '
	vg -C demo summary --today 1403/12/20 &&
	vg -C demo summary --today 1403/12/20 --format json --since 1403 &&
	vg -C demo summary --today 1403/12/20 --format markdown --county jiroft &&
	vg -C demo plan --today 1403/12/20 --format json &&
	vg -C demo plan --today 1403/12/20 &&
	vg -C demo report --today 1403/12/20 -o "$TRASH/r.html" &&
	vg -C demo report --today 1403/12/20 --format markdown
'

test_done
