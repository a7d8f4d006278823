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

test_expect_success VALGRIND 'sync (merge, renumbering, conflict), resolve, status, merge-driver' '
	git clone -q --bare demo hub.git &&
	for c in v1 v2; do
		git clone -q hub.git $c && git -C $c config user.name $c &&
		git -C $c config user.email $c@x && (cd $c && "$FIELDBOOK" hook install >/dev/null) ||
		return 1
	done &&
	C=records/contacts/c-0001.yaml &&
	sed -i "s/^influence: .*/influence: 2/" v1/$C &&
	"$FIELDBOOK" -C v1 new contacts --no-edit --set name=a --set role=party-member --set county=bam \
		--set status=active >/dev/null 2>&1 &&
	"$FIELDBOOK" -C v1 commit -m v1 >/dev/null && vg -C v1 sync &&
	sed -i "s/^status: .*/status: inactive/" v2/$C &&
	"$FIELDBOOK" -C v2 new contacts --no-edit --set name=b --set role=party-member --set county=bam \
		--set status=active >/dev/null 2>&1 &&
	"$FIELDBOOK" -C v2 commit -m v2 >/dev/null && vg -C v2 sync &&
	vg -C v1 sync &&
	sed -i "s/^role: .*/role: party-member/" v1/$C && "$FIELDBOOK" -C v1 commit -m r1 >/dev/null &&
	vg -C v1 sync &&
	sed -i "s/^role: .*/role: civil-activist/" v2/$C && "$FIELDBOOK" -C v2 commit -m r2 >/dev/null &&
	vg -C v2 sync && test_path_is_file v2/.git/fieldbook/conflicts/contacts/c-0001.yaml &&
	vg -C v2 status --format json &&
	vg -C v2 status &&
	vg -C v2 resolve contacts/c-0001 --theirs &&
	vg -C v2 sync &&
	test_grep "^role: party-member$" v2/$C &&
	ls v2/records/contacts/ >ids && test_grep "c-0162.yaml" ids
'

test_done
