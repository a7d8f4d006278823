#!/bin/sh
test_description='symbolic links out of the repository: named, refused, never read, never written through'
. "$(dirname "$0")/lib.sh"

# An outside folder holding a record and a schema that must never be read:
# every value in them carries the word OUTSIDE.
test_expect_success 'setup' '
	fb_demo repo &&
	mkdir -p outside/visits outside/sub &&
	printf "id: v-9001\ndate: 1403/01/05\ncounty: OUTSIDE\nstaff: [OUTSIDE]\ncontacts: []\nkind:   meeting\n" \
		>outside/visits/v-9001.yaml &&
	cp outside/visits/v-9001.yaml outside/sub/v-9002.yaml &&
	sed -i "s/v-9001/v-9002/" outside/sub/v-9002.yaml &&
	cp outside/visits/v-9001.yaml outside/v-9003.yaml &&
	sed -i "s/v-9001/v-9003/" outside/v-9003.yaml &&
	printf "\$schema: https://json-schema.org/draft/2020-12/schema\ntitle: OUTSIDE\ntype: object\n" \
		>outside/zz.yaml &&
	printf "visit_days: [OUTSIDE]\n" >outside/fieldbook.yaml &&
	(cd outside && find . -type f | sort | xargs md5sum) >outside.sums &&
	mv repo/records/visits visits-real
'

# check_refused LINK: validate names LINK as an error (exit 1); a reader
# (query, show, summary) warns about it once, exits as without it, and no
# outside value reaches any output.
check_refused() {
	test_expect_code 1 fieldbook -C repo validate >out 2>err &&
	test_grep "^$1:1:1: error: symbolic link points outside the repository; not followed$" err &&
	! grep OUTSIDE out err &&
	fieldbook -C repo query visits -f id,county >out 2>err &&
	grep -c "^$1:1:1: warning: symbolic link points outside the repository; not followed$" err >n &&
	echo 1 >one && test_cmp one n &&
	! grep -e OUTSIDE -e v-900 out && ! grep OUTSIDE err &&
	fieldbook -C repo summary >out 2>err &&
	test_grep "^$1:1:1: warning: symbolic link points outside" err &&
	! grep OUTSIDE out err &&
	(cd outside && find . -type f | sort | xargs md5sum) >now.sums &&
	test_cmp outside.sums now.sums
}

test_expect_success 'a type folder that is a link out: refused' '
	ln -s ../../outside/visits repo/records/visits &&
	check_refused records/visits &&
	test_must_fail fieldbook -C repo show visits/v-9001 >out 2>err &&
	test_grep "records/visits:1:1: warning: symbolic link points outside" err &&
	! grep OUTSIDE out
'

test_expect_success 'fmt never rewrites a file behind a link' '
	fieldbook -C repo fmt >out 2>err &&
	test_grep "^records/visits:1:1: error: symbolic link points outside" err &&
	(cd outside && find . -type f | sort | xargs md5sum) >now.sums &&
	test_cmp outside.sums now.sums
'

test_expect_success 'new never writes through a linked type folder' '
	test_must_fail fieldbook -C repo new visits --no-edit --set date=1403/02/01 \
		--set county=jiroft --set staff=[x] --set contacts=[] --set kind=meeting \
		>out 2>err &&
	(cd outside && find . -type f | sort | xargs md5sum) >now.sums &&
	test_cmp outside.sums now.sums &&
	rm repo/records/visits &&
	mv visits-real repo/records/visits
'

test_expect_success 'a sub-folder that is a link out: refused' '
	ln -s ../../../outside/sub repo/records/visits/sub &&
	check_refused records/visits/sub &&
	rm repo/records/visits/sub
'

test_expect_success 'a record file that is a link out: refused' '
	ln -s ../../../outside/v-9003.yaml repo/records/visits/v-9003.yaml &&
	check_refused records/visits/v-9003.yaml &&
	test_must_fail fieldbook -C repo show visits/v-9003 >out 2>err &&
	! grep OUTSIDE out err &&
	rm repo/records/visits/v-9003.yaml
'

test_expect_success 'records/ itself a link out: refused, named once' '
	mv repo/records records-real &&
	ln -s ../outside repo/records &&
	test_expect_code 1 fieldbook -C repo validate >out 2>err &&
	grep -c "^records:1:1: error: symbolic link points outside" err >n &&
	echo 1 >one && test_cmp one n &&
	fieldbook -C repo query visits -f id,county >out 2>err &&
	! grep -e OUTSIDE -e v-900 out && ! grep OUTSIDE err &&
	test_grep "^records:1:1: warning: symbolic link points outside" err &&
	rm repo/records &&
	mv records-real repo/records
'

test_expect_success 'a schema that is a link out: refused, never read' '
	ln -s ../../outside/zz.yaml repo/schemas/zz.yaml &&
	test_expect_code 1 fieldbook -C repo validate >out 2>err &&
	test_grep "^schemas/zz.yaml:1:1: error: symbolic link points outside the repository; not followed$" err &&
	test_must_fail fieldbook -C repo schema export zz >out 2>err &&
	! grep OUTSIDE out err &&
	test_grep "^schemas/zz.yaml:1:1: warning: symbolic link points outside" err &&
	fieldbook -C repo query contacts -f id >out 2>err &&
	test_grep "^schemas/zz.yaml:1:1: warning: symbolic link points outside" err &&
	rm repo/schemas/zz.yaml
'

test_expect_success 'fieldbook.yaml a link out: refused, the defaults apply' '
	ln -s ../outside/fieldbook.yaml repo/fieldbook.yaml &&
	test_expect_code 1 fieldbook -C repo validate >out 2>err &&
	test_grep "^fieldbook.yaml:1:1: error: symbolic link points outside" err &&
	fieldbook -C repo plan >out 2>err &&
	test_grep "^fieldbook.yaml:1:1: warning: symbolic link points outside" err &&
	! grep OUTSIDE out err &&
	rm repo/fieldbook.yaml
'

test_expect_success 'a broken link where a record would be: named' '
	ln -s nowhere.yaml repo/records/visits/v-9004.yaml &&
	test_expect_code 1 fieldbook -C repo validate >out 2>err &&
	test_grep "^records/visits/v-9004.yaml:1:1: error: symbolic link is broken; not followed$" err &&
	rm repo/records/visits/v-9004.yaml
'

test_expect_success 'links that stay inside: a file is read, a folder is not descended' '
	f=$(cd repo && ls records/contacts | head -1) &&
	mkdir -p repo/extra &&
	mv repo/records/contacts/$f repo/extra/$f &&
	ln -s ../../extra/$f repo/records/contacts/$f &&
	ln -s ../visits repo/records/contacts/again &&
	fieldbook -C repo validate >out 2>err &&
	test_grep "^records/contacts/again:1:1: warning: symbolic link to a folder; not followed$" err &&
	fieldbook -C repo show contacts/${f%.yaml} >out &&
	test_grep "^id: ${f%.yaml}$" out &&
	rm repo/records/contacts/again repo/records/contacts/$f &&
	mv repo/extra/$f repo/records/contacts/$f
'

test_expect_success 'edit and fmt never write through a link, even one inside' '
	f=$(cd repo && ls records/contacts | head -1) &&
	mkdir -p repo/extra &&
	sed "1s/: /:    /" repo/records/contacts/$f >repo/extra/$f &&
	rm repo/records/contacts/$f &&
	ln -s ../../extra/$f repo/records/contacts/$f &&
	cp repo/extra/$f before &&
	test_expect_code 1 fieldbook -C repo fmt contacts/${f%.yaml} >out 2>err &&
	test_grep "this file is a symbolic link; fieldbook never writes through one" err &&
	test_grep "0 files reformatted, 0 already canonical, some refused" err &&
	test_cmp before repo/extra/$f &&
	EDITOR="sed -i s/^name:.*/name:\ y/" test_expect_code 1 \
		fieldbook -C repo edit contacts/${f%.yaml} </dev/null >out 2>err &&
	test_grep "this file is a symbolic link; fieldbook never writes through one" err &&
	test_grep "kept as a draft" err &&
	test_cmp before repo/extra/$f &&
	test -L repo/records/contacts/$f &&
	rm repo/records/contacts/$f &&
	git -C repo checkout -q -- records/contacts/$f
'

# The corpus: every case alone.  validate names the link with the expected
# line (exit 1 for an error); query and fmt (whatever they make of a
# repository without it) warn once, never show or touch what is outside;
# putting the original back leaves the repository valid.
link_case() {
	{ fieldbook -C repo validate >out 2>err; code=$?; } &&
	grep -Fx "$line" err &&
	case $line in *": error: "*) test $code = 1 ;; esac &&
	warn=$(echo "$line" | sed "s/: error: /: warning: /") &&
	{ fieldbook -C repo query visits -f id,county >out 2>err || :; } &&
	{ fieldbook -C repo query contacts -f id,name >>out 2>>err || :; } &&
	{ fieldbook -C repo fmt >>out 2>>err || :; } &&
	! grep -e OUTSIDE -e v-900 out && ! grep OUTSIDE err &&
	case $line in *": error: "*) grep -Fx "$warn" err ;; esac &&
	(cd outside && find . -type f | sort | xargs md5sum) >now.sums &&
	test_cmp outside.sums now.sums
}
tab=$(printf "\t")
grep -v "^#" "$FB_SRCDIR/tests/data/links/cases.tsv" >cases
while IFS="$tab" read -r link target line; do
	test_expect_success "links corpus: $link -> $target" '
		if test -e "repo/$link" || test -L "repo/$link"; then mv "repo/$link" aside; fi &&
		ln -s "$target" "repo/$link" &&
		link_case; ok=$? &&
		rm "repo/$link" &&
		if test -e aside || test -L aside; then mv aside "repo/$link"; fi &&
		test $ok = 0 &&
		fieldbook -C repo validate >out 2>err
	'
done <cases

test_done
