#!/bin/sh
test_description='new and edit: records from the schema, in an editor; never an invalid one left behind'
. "$(dirname "$0")/lib.sh"

# The editor of these tests: keeps a copy of what it was given (and its
# mode) in "$TRASH/given", then applies the sed script $ED_SED to it.
cat >"$TRASH/ed" <<'EOS'
#!/bin/sh
cp "$1" "$TRASH/given"
stat -c %a "$1" >"$TRASH/given.mode"
dirname "$1" >"$TRASH/given.dir"
[ -n "${ED_SED:-}" ] && sed -i "$ED_SED" "$1"
exit ${ED_EXIT:-0}
EOS
chmod +x "$TRASH/ed"
export TRASH

test_expect_success 'setup: a repository with two counties and a contact' '
	fb_repo repo &&
	mkdir -p repo/records/counties repo/records/contacts &&
	cp "$FB_SRCDIR/records/counties/bam.yaml" "$FB_SRCDIR/records/counties/kerman.yaml" \
		repo/records/counties/ &&
	cat >repo/records/contacts/c-0041.yaml <<-\EOR &&
	id: c-0041
	name: فاطمه حسینی
	role: civil-activist
	county: bam
	status: active
	EOR
	(cd repo && git add -A && git commit -qm start)
'

test_expect_success 'new --no-edit --set: the next id, a canonical file, the id on stdout' '
	fieldbook -C repo new contacts --no-edit --set name="علی رضایی" --set role=party-member \
		--set county=kerman --set status=active --set phones=09131234567 \
		--set phones="0913 765 4321" --set "tags=[شورا, جوانان]" --set influence=4 \
		>out 2>err &&
	echo contacts/c-0042 >expect &&
	test_cmp expect out &&
	test_grep "made contacts/c-0042 (records/contacts/c-0042.yaml)" err &&
	cat >expect <<-\EOF &&
	id: c-0042
	name: علی رضایی
	role: party-member
	county: kerman
	phones:
	  - "09131234567"
	  - 0913 765 4321
	influence: 4
	tags:
	  - شورا
	  - جوانان
	status: active
	EOF
	test_cmp expect repo/records/contacts/c-0042.yaml &&
	fieldbook -C repo validate contacts/c-0042 &&
	fieldbook -C repo fmt --check contacts/c-0042
'

test_expect_success 'values YAML would read as something else are quoted' '
	fieldbook -C repo new contacts --no-edit --set "name=a: b # c" --set role=other \
		--set county=bam --set status=active --set "notes=  leading" >out &&
	test_grep "^name: \"a: b # c\"$" repo/records/contacts/c-0043.yaml &&
	test_grep "^notes: \"  leading\"$" repo/records/contacts/c-0043.yaml
'

test_expect_success 'new --no-edit with bad values: every error, nothing written' '
	test_expect_code 1 fieldbook -C repo new contacts --no-edit --set name=x --set role=boss \
		--set county=nowhere >out 2>err &&
	test_grep "^records/contacts/c-0044.yaml:3:7: error: /role: .boss. is not one of" err &&
	test_grep "^records/contacts/c-0044.yaml:4:9: error: /county: no counties record .nowhere." err &&
	test_line_count = 3 err &&
	test_grep "contacts/c-0044 was not made" err &&
	test_must_be_empty out &&
	test_path_is_missing repo/records/contacts/c-0044.yaml
'

test_expect_success 'new: usage errors exit 2 and write nothing' '
	test_expect_code 2 fieldbook -C repo new contacts --no-edit --set nmae=x 2>err &&
	test_grep "contacts has no field .nmae." err &&
	test_expect_code 2 fieldbook -C repo new contacts --no-edit --set name 2>err &&
	test_grep "FIELD=VALUE" err &&
	test_expect_code 2 fieldbook -C repo new contacts --no-edit --set follow_ups.0.due=x 2>err &&
	test_grep "top-level field" err &&
	test_expect_code 2 fieldbook -C repo new contacts --no-edit --set id=c-9 2>err &&
	test_grep "use --id" err &&
	test_expect_code 2 fieldbook -C repo new contacts --no-edit --id "Bad Id" 2>err &&
	test_grep "bad id" err &&
	test_expect_code 2 fieldbook -C repo new contacts --no-edit --id c-0041 2>err &&
	test_grep "contacts/c-0041 exists already" err &&
	test_expect_code 2 fieldbook -C repo new people --no-edit 2>err &&
	test_grep "unknown type .people." err &&
	test_expect_code 2 fieldbook -C repo new counties --no-edit --set name=x 2>err &&
	test_grep "no x-id" err &&
	test_expect_code 2 fieldbook -C repo new contacts --no-edit --set "tags=[a, " 2>err &&
	test_grep "not a YAML flow collection" err &&
	git -C repo status --porcelain >st &&
	test_grep ! c-0044 st
'

test_expect_success 'new --id for a type without x-id; --commit commits just that record' '
	echo "scratch" >repo/records/README.md &&
	fieldbook -C repo new counties --id rigan --set name=ریگان --no-edit --commit >out 2>err &&
	test_grep "^\[[0-9a-f]\{7\}\] Add counties/rigan$" out &&
	git -C repo show --name-only --format= HEAD >files &&
	echo records/counties/rigan.yaml >expect &&
	test_cmp expect files &&
	git -C repo status --porcelain >st &&
	test_grep "records/README.md" st &&
	test_grep "c-0042" st
'

test_expect_success 'ids grow past their digits; new files go where the highest id lives' '
	mkdir -p repo/records/visits/1402 repo/records/visits/1403 &&
	for v in 1402/v-0007 1403/v-9999; do
		cat >repo/records/visits/$v.yaml <<-EOR || return 1
		id: ${v#*/}
		date: 1403/09/02
		county: bam
		staff: [من]
		contacts: [c-0041]
		kind: meeting
		EOR
	done &&
	fieldbook -C repo new visits --no-edit --set county=bam --set staff=من \
		--set contacts=c-0041 --set kind=phone --today 1403/09/04 >out &&
	echo visits/v-10000 >expect && test_cmp expect out &&
	test_grep "^date: 1403/09/04$" repo/records/visits/1403/v-10000.yaml
'

test_expect_success 'new in the editor: guide lines in a private buffer, stripped; comments kept' '
	ED_SED="s/^name:.*/name: مریم احمدی # به گفته خودش/; s/^role:.*/role: council-member/;
		s/^county:.*/county: bam/; s/^status:.*/# از جلسه شورا\nstatus: active/" \
	EDITOR="$TRASH/ed" fieldbook -C repo new contacts --set district=markazi </dev/null >out &&
	echo contacts/c-0044 >expect && test_cmp expect out &&
	test_grep "^#| New contacts record contacts/c-0044" given &&
	test_grep "^#| name — نام و نام خانوادگی (required): نام کامل مخاطب" given &&
	test_grep "^#| Optional fields" given &&
	test_grep "^#| phones — تلفن‌ها:" given &&
	test_grep "^district: markazi$" given &&
	test_grep "^name:$" given &&
	echo 600 >expect && test_cmp expect given.mode &&
	case $(cat given.dir) in "$TRASH"/repo/.git/fieldbook/edit/*) ;; *) false;; esac &&
	test "$(stat -c %a "$(dirname "$(cat given.dir)")")" = 700 &&
	test_path_is_missing "$(cat given.dir)" &&
	cat >expect <<-\EOF &&
	id: c-0044
	name: مریم احمدی # به گفته خودش
	role: council-member
	county: bam
	district: markazi
	# از جلسه شورا
	status: active
	EOF
	test_cmp expect repo/records/contacts/c-0044.yaml
'

test_expect_success 'new in the editor: an emptied buffer makes nothing' '
	ED_SED="d" EDITOR="$TRASH/ed" test_expect_code 1 fieldbook -C repo new contacts </dev/null 2>err &&
	test_grep "empty buffer" err &&
	test_path_is_missing repo/records/contacts/c-0045.yaml
'

test_expect_success 'new in the editor, invalid, no terminal: the draft is kept, 0600, nothing written' '
	ED_SED="s/^name:.*/name: بی‌نقش/" EDITOR="$TRASH/ed" \
		test_expect_code 1 fieldbook -C repo new contacts </dev/null 2>err &&
	line=$(grep -n "^role:" given | cut -d: -f1) &&
	test "$line" -gt 3 &&
	test_grep "^$TRASH/repo/.git/fieldbook/edit/[^/]*/c-0045.yaml:$line:[0-9]*: error: /role" err &&
	test_grep "contacts/c-0045 is not saved; the errors are in the editor buffer, at the lines you saw" err &&
	test_grep ! "^records/contacts/c-0045.yaml" err &&
	test_grep "no terminal" err &&
	draft=repo/.git/fieldbook/drafts/contacts-c-0045.yaml &&
	test_grep "your text is kept as a draft: .*/$draft" err &&
	test_grep "^name: بی‌نقش$" $draft &&
	test "$(stat -c %a $draft)" = 600 &&
	test_path_is_missing repo/records/contacts/c-0045.yaml
'

test_expect_success 'a failing editor: exit 3, nothing written, no buffer left' '
	ED_EXIT=1 EDITOR="$TRASH/ed" test_expect_code 3 fieldbook -C repo new contacts </dev/null 2>err &&
	test_grep "the editor .* failed (exit status 1)" err &&
	test_path_is_missing repo/records/contacts/c-0045.yaml &&
	ls repo/.git/fieldbook/edit >left &&
	test_must_be_empty left &&
	test_grep ! "kept as a draft" err &&
	ED_EXIT=1 ED_SED="s/^name:.*/name: typed before the crash/" EDITOR="$TRASH/ed" \
		test_expect_code 3 fieldbook -C repo edit contacts/c-0041 </dev/null 2>err &&
	draft=$(sed -n "s/.*kept as a draft: //p" err) &&
	test_grep "^name: typed before the crash$" "$draft"
'

test_expect_success 'no editor and no terminal: a clear error, never a hang' '
	test_expect_code 3 fieldbook -C repo edit contacts/c-0041 </dev/null 2>err &&
	test_grep "no terminal and no editor: set VISUAL or EDITOR$" err &&
	test_expect_code 3 fieldbook -C repo new contacts </dev/null 2>err &&
	test_grep "or give the fields with --set and --no-edit" err
'

test_expect_success 'VISUAL wins over EDITOR, and runs through the shell' '
	VISUAL="ED_SED=s/active/inactive/ $TRASH/ed" EDITOR=false \
		fieldbook -C repo edit contacts/c-0041 </dev/null 2>err &&
	test_grep "^status: inactive$" repo/records/contacts/c-0041.yaml
'

test_expect_success 'edit keeps comments and everything it did not touch, byte for byte' '
	printf "# دیدار اول در بم\n" >>repo/records/contacts/c-0041.yaml &&
	sed "s/^name:.*/name: فاطمه حسینی‌نژاد  # اصلاح/" repo/records/contacts/c-0041.yaml >expect &&
	ED_SED="s/^name:.*/name: فاطمه حسینی‌نژاد  # اصلاح/" EDITOR="$TRASH/ed" \
		fieldbook -C repo edit contacts/c-0041 </dev/null 2>err &&
	test_cmp expect repo/records/contacts/c-0041.yaml &&
	test_grep "saved contacts/c-0041" err
'

test_expect_success 'edit without a change says so and writes nothing' '
	cp repo/records/contacts/c-0041.yaml before &&
	touch -d "2020-01-01" repo/records/contacts/c-0041.yaml &&
	EDITOR="$TRASH/ed" fieldbook -C repo edit contacts/c-0041 </dev/null 2>err &&
	test_grep "no changes to contacts/c-0041" err &&
	test "$(stat -c %Y repo/records/contacts/c-0041.yaml)" = "$(date -d 2020-01-01 +%s)"
'

test_expect_success 'edit, invalid, no terminal: the record is untouched and the draft kept' '
	cp repo/records/contacts/c-0041.yaml before &&
	ED_SED="s/^role:.*/role: boss/" EDITOR="$TRASH/ed" \
		test_expect_code 1 fieldbook -C repo edit contacts/c-0041 </dev/null 2>err &&
	test_grep "/.git/fieldbook/edit/[^/]*/c-0041.yaml:3:7: error: /role: .boss. is not one of" err &&
	test_cmp before repo/records/contacts/c-0041.yaml &&
	draft=$(sed -n "s/.*kept as a draft: //p" err) &&
	test "$(stat -c %a "$draft")" = 600 &&
	test_grep "^role: boss$" "$draft"
'

test_expect_success 'edit checks references and unique values against the other records' '
	ED_SED="s/^county:.*/county: rigan/" EDITOR="$TRASH/ed" \
		fieldbook -C repo edit contacts/c-0041 </dev/null &&
	ED_SED="s/^county:.*/county: jiroft/" EDITOR="$TRASH/ed" \
		test_expect_code 1 fieldbook -C repo edit contacts/c-0041 </dev/null 2>err &&
	test_grep "/county: no counties record .jiroft." err &&
	ED_SED="s/^status:.*/phones: [\"0913-123-4567\"]\nstatus: active/" EDITOR="$TRASH/ed" \
		test_expect_code 1 fieldbook -C repo edit contacts/c-0041 </dev/null 2>err &&
	test_grep "c-0042" err
'

test_expect_success 'a record changed by someone else while it was edited is not overwritten' '
	cat >"$TRASH/ed2" <<-\EOS &&
	#!/bin/sh
	sed -i "s/^name:.*/name: mine/" "$1"
	sed -i "s/^name:.*/name: theirs/" "$TRASH/repo/records/contacts/c-0041.yaml"
	EOS
	chmod +x "$TRASH/ed2" &&
	EDITOR="$TRASH/ed2" test_expect_code 1 fieldbook -C repo edit contacts/c-0041 </dev/null 2>err &&
	test_grep "changed while you were editing" err &&
	test_grep "^name: theirs$" repo/records/contacts/c-0041.yaml &&
	draft=$(sed -n "s/.*kept as a draft: //p" err) &&
	case $draft in */drafts/contacts-c-0041-[0-9]*.yaml) ;; *) false;; esac &&
	test_grep "^name: mine$" "$draft"
'

test_expect_success 'edit --commit commits the change with the fields it touched' '
	(cd repo && git add -A && git commit -qm "the rest") &&
	ED_SED="s/^name:.*/name: فاطمه حسینی/" EDITOR="$TRASH/ed" \
		fieldbook -C repo edit contacts/c-0041 --commit </dev/null >out 2>err &&
	test_grep "Update contacts/c-0041 (name)" out &&
	git -C repo log -1 --format=%B >msg &&
	test_grep "^modified contacts/c-0041: /name$" msg &&
	test_grep "^Record: contacts/c-0041$" msg
'

test_expect_success 'edit: usage errors' '
	test_expect_code 2 fieldbook -C repo edit contacts/c-9999 2>err &&
	test_grep "no record .contacts/c-9999." err &&
	test_expect_code 2 fieldbook -C repo edit contacts 2>err &&
	test_expect_code 2 fieldbook -C repo edit ../etc/passwd 2>err
'

command -v script >/dev/null && test_set_prereq SCRIPT
test_expect_success SCRIPT 'on a terminal: errors, then "e" edits again until it is valid' '
	cat >"$TRASH/ed3" <<-\EOS &&
	#!/bin/sh
	n=$(cat "$TRASH/runs" 2>/dev/null || echo 0); n=$((n + 1)); echo $n >"$TRASH/runs"
	if [ $n = 1 ]; then sed -i "s/^role:.*/role: boss/" "$1"
	else sed -i "s/^role:.*/role: other/" "$1"; fi
	EOS
	chmod +x "$TRASH/ed3" &&
	printf "e\n" | EDITOR="$TRASH/ed3" NO_COLOR=1 script -qec \
		"$FIELDBOOK -C repo edit contacts/c-0042" /dev/null >screen 2>&1 &&
	test_grep "error: /role: .boss." screen &&
	test_grep "(e)dit again, keep as a (d)raft, or discard (x)" screen &&
	test "$(cat runs)" = 2 &&
	test_grep "^role: other$" repo/records/contacts/c-0042.yaml
'

test_expect_success SCRIPT 'on a terminal: "x" discards, the record stays as it was' '
	cp repo/records/contacts/c-0042.yaml before &&
	printf "x\n" >answer &&
	ED_SED="s/^role:.*/role: boss/" EDITOR="$TRASH/ed" NO_COLOR=1 test_expect_code 1 \
		script -qec "$FIELDBOOK -C repo edit contacts/c-0042" /dev/null <answer >screen 2>&1 &&
	test_grep "discarded" screen &&
	test_cmp before repo/records/contacts/c-0042.yaml
'

test_expect_success 'edit tells about a kept draft of the record; validate about drafts over a week old' '
	rm -f repo/.git/fieldbook/drafts/* &&
	ED_SED="s/^role:.*/role: boss/" EDITOR="$TRASH/ed" \
		test_expect_code 1 fieldbook -C repo edit contacts/c-0042 </dev/null 2>err &&
	draft=$(sed -n "s/.*kept as a draft: //p" err) &&
	test_path_is_file "$draft" &&
	ED_SED="s/^name:.*/name: x/" EDITOR="$TRASH/ed" \
		fieldbook -C repo edit contacts/c-0042 </dev/null 2>err &&
	test_grep "note: a draft of contacts/c-0042 is kept (.*): $draft; edit it on a terminal to resume it" err &&
	git -C repo checkout -q -- records/contacts/c-0042.yaml &&
	fieldbook -C repo validate >out 2>err &&
	test_grep ! "older than a week" err &&
	touch -d "8 days ago" "$draft" &&
	fieldbook -C repo validate >out 2>err &&
	test_grep "^fieldbook: note: 1 draft older than a week is kept in .git/fieldbook/drafts (contacts-c-0042.yaml): resume one with" err
'

test_expect_success SCRIPT 'on a terminal: edit offers the draft; resumed and saved, it is removed' '
	draft=$(ls repo/.git/fieldbook/drafts/contacts-c-0042*.yaml) &&
	sed -i "s/^role:.*/role: council-member/" "$draft" &&
	printf "y\n" >answer &&
	EDITOR=true NO_COLOR=1 script -qec "$FIELDBOOK -C repo edit contacts/c-0042" /dev/null \
		<answer >screen 2>&1 &&
	test_grep "A draft of contacts/c-0042 is kept" screen &&
	test_grep "^role: council-member$" repo/records/contacts/c-0042.yaml &&
	test_path_is_missing "$draft" &&
	test_grep "is saved and removed" screen
'

# A full disk: a small tmpfs, filled up, mounted over the drafts folder in a
# private mount namespace (unshare -rm).
unshare -rm sh -c 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d"' 2>/dev/null &&
	test_set_prereq TMPFS

test_expect_success TMPFS 'a draft the disk cannot take: exit 3, said so, no half draft left' '
	mkdir -p repo/.git/fieldbook/drafts &&
	ls repo/.git/fieldbook/drafts >drafts.before &&
	cat >full.sh <<-\EOS &&
	d=repo/.git/fieldbook/drafts
	mount -t tmpfs -o size=64k tmpfs "$d" || exit 99
	dd if=/dev/zero of="$d/filler" bs=4096 2>/dev/null
	ED_SED="s/^name:.*/name: on a full disk/" EDITOR="$TRASH/ed" \
		"$FIELDBOOK" -C repo new contacts </dev/null 2>err
	echo $? >code
	ls "$d" >drafts.full
	EOS
	unshare -rm sh full.sh &&
	echo 3 >want && test_cmp want code &&
	test_grep "cannot keep the draft .*: No space left on device; nothing was kept" err &&
	test_grep ! "kept as a draft:" err &&
	echo filler >want && test_cmp want drafts.full &&
	test_path_is_missing repo/records/contacts/c-0045.yaml
'

test_done
