#!/bin/sh
test_description='summary and plan: every figure of SPEC §6, checked another way'
. "$(dirname "$0")/lib.sh"

TODAY=1403/12/20

test_expect_success 'setup: the demo data' '
	fb_demo demo
'

test_expect_success 'summary --format json on the demo: every number against an independent count' '
	fieldbook -C demo summary --today $TODAY --format json >sum.json &&
	python3 "$FB_SRCDIR/tests/cli/summary/independent.py" "$FIELDBOOK" demo $TODAY x x \
		sum.json >result &&
	cat result &&
	test_grep "^[0-9]* figures checked, 0 differ$" result
'

test_expect_success 'the default range is the current Jalali season up to today' '
	python3 - sum.json <<-\EOF
	import json, sys
	s = json.load(open(sys.argv[1]))
	assert s["today"] == {"jalali": "1403/12/20", "gregorian": "2025-03-10"}, s["today"]
	assert s["since"] == {"jalali": "1403/10/01", "gregorian": "2024-12-21"}, s["since"]
	assert s["until"] == s["today"]
	assert len(s["counties"]) == 16
	EOF
'

test_expect_success 'a whole year, and a period given as 1403-Q2, are independent counts too' '
	fieldbook -C demo summary --today $TODAY --since 1403 --until 1403 --format json >year.json &&
	python3 "$FB_SRCDIR/tests/cli/summary/independent.py" "$FIELDBOOK" demo $TODAY x x \
		year.json >result && test_grep " 0 differ$" result &&
	fieldbook -C demo summary --today $TODAY --since 1403-Q2 --until 1403-Q2 --format json >q2.json &&
	python3 "$FB_SRCDIR/tests/cli/summary/independent.py" "$FIELDBOOK" demo $TODAY x x \
		q2.json >result && test_grep " 0 differ$" result &&
	python3 - q2.json <<-\EOF
	import json, sys
	s = json.load(open(sys.argv[1]))
	assert s["since"]["jalali"] == "1403/04/01" and s["until"]["jalali"] == "1403/06/31", s
	EOF
'

test_expect_success 'summary as text: an aligned table with totals; markdown; --county' '
	fieldbook -C demo summary --today $TODAY >out &&
	test_grep "^From 1403/10/01 to 1403/12/20 (today 1403/12/20)$" out &&
	test_grep "^county  *contacts  *visits  *met  *last visit" out &&
	test_grep "^total  " out &&
	test_line_count = 20 out &&
	fieldbook -C demo summary --today $TODAY --format markdown >md &&
	test_grep "^| county | contacts | visits |" md &&
	test_grep "^| --- | ---: | ---: |" md &&
	fieldbook -C demo summary --today $TODAY --county jiroft --format json >one.json &&
	python3 - one.json sum.json <<-\EOF
	import json, sys
	one, all_ = (json.load(open(p)) for p in sys.argv[1:3])
	assert [c["id"] for c in one["counties"]] == ["jiroft"]
	j = [c for c in all_["counties"] if c["id"] == "jiroft"][0]
	assert one["counties"][0] == j
	assert one["totals"]["visits"] == j["visits"] and one["totals"]["contacts"] == j["contacts"]
	EOF
	test_expect_code 2 fieldbook -C demo summary --county nowhere 2>err &&
	test_grep "no county .nowhere." err &&
	test_expect_code 2 fieldbook -C demo summary --since 1403/13/01 2>err
'

county() { printf "id: %s\nname: %s\n" "$1" "$2" >repo/records/counties/$1.yaml; }
contact() { # contact ID COUNTY STATUS [FIRST_MET]
	printf "id: %s\nname: n %s\nrole: other\ncounty: %s\nstatus: %s\n" "$1" "$1" "$2" "$3" \
		>repo/records/contacts/$1.yaml
	[ -z "${4:-}" ] || echo "first_met: $4" >>repo/records/contacts/$1.yaml
}
visit() { # visit ID DATE COUNTY CONTACT [FOLLOW-UP-DUE]
	printf "id: %s\ndate: %s\ncounty: %s\nstaff: [s]\ncontacts: [%s]\nkind: meeting\n" \
		"$1" "$2" "$3" "$4" >repo/records/visits/$1.yaml
	[ -z "${5:-}" ] || printf "follow_ups:\n  - action: call\n    due: %s\n    status: open\n" \
		"$5" >>repo/records/visits/$1.yaml
}

test_expect_success 'edge cases: setup' '
	fb_repo repo &&
	mkdir -p repo/records/counties repo/records/contacts repo/records/visits &&
	county a "آ" && county b "ب" && county c "پ" &&
	contact c-0001 a active &&
	contact c-0002 a active 1403/12/01 &&
	contact c-0003 b inactive &&
	contact c-0004 c active 2025-01-05 &&
	visit v-0001 1403/12/25 a c-0001 1404/01/20 &&
	visit v-0002 2025-03-18 a c-0001 &&
	visit v-0003 "۱۴۰۳/۱۲/۲۸" a c-0002 1403/12/28 &&
	visit v-0004 1404/01/03 a c-0001 1404/01/02 &&
	(cd repo && git add -A && test_tick && git commit -qm one) &&
	visit v-0005 1404/01/05 a c-0002 &&
	(cd repo && git add -A && test_tick && git commit -qm two)
'

test_expect_success 'edge cases: Gregorian and Jalali dates, a range across Nowruz, due today' '
	fieldbook -C repo summary --today 1404/01/05 --since 1403/12/20 --until 1404/01/10 \
		--format json >e.json &&
	python3 "$FB_SRCDIR/tests/cli/summary/independent.py" "$FIELDBOOK" repo 1404/01/05 x x \
		e.json >result && cat result && test_grep " 0 differ$" result &&
	python3 - e.json <<-\EOF
	import json, sys
	s = json.load(open(sys.argv[1]))
	c = {x["id"]: x for x in s["counties"]}
	a, b, cc = c["a"], c["b"], c["c"]
	# 1403/12/25, 2025-03-18 (= 1403/12/28), ۱۴۰۳/۱۲/۲۸, 1404/01/03, 1404/01/05: all in range
	assert a["visits"] == 5, a
	assert a["last_visit"]["jalali"] == "1404/01/05", a["last_visit"]
	# open follow-ups: due 1404/01/20 (later), 1403/12/28 (overdue), 1404/01/02 (overdue)
	assert a["follow_ups_open"] == 3 and a["follow_ups_overdue"] == 2, a
	assert b["contacts"] == 0 and b["contacts_due"] == 0, "only an inactive contact"
	assert b["visits"] == 0 and b["last_visit"] is None and b["assessment"] is None
	# met only through first_met (2025-01-05 = 1403/10/16): 80 days ago, not due
	assert cc["contacts"] == 1 and cc["contacts_due"] == 0, cc
	EOF
	fieldbook -C repo summary --today 1403/12/28 --format json >d.json &&
	python3 - d.json <<-\EOF
	import json, sys
	a = [x for x in json.load(open(sys.argv[1]))["counties"] if x["id"] == "a"][0]
	# the follow-up due 1403/12/28, today: open, not overdue; later visits are not yet
	assert a["follow_ups_open"] == 3 and a["follow_ups_overdue"] == 0, a
	assert a["last_visit"]["jalali"] == "1403/12/28", a
	EOF
'

test_expect_success 'edge cases: --at an earlier revision' '
	fieldbook -C repo summary --today 1404/01/05 --at HEAD~1 --format json >at.json &&
	python3 - at.json <<-\EOF
	import json, sys
	a = [x for x in json.load(open(sys.argv[1]))["counties"] if x["id"] == "a"][0]
	assert a["last_visit"]["jalali"] == "1404/01/03", "v-0005 came later"
	EOF
'

test_expect_success 'plan: the visit days, the highest score first, each county once' '
	fieldbook -C demo plan --today $TODAY --format json >plan.json &&
	fieldbook -C demo summary --today $TODAY --format json >now.json &&
	python3 - plan.json now.json <<-\EOF
	import datetime, json, sys
	plan, summ = (json.load(open(p)) for p in sys.argv[1:3])
	assert plan["from"]["jalali"] == "1403/12/20" and plan["until"]["jalali"] == "1404/01/03"
	today = datetime.date.fromisoformat(summ["today"]["gregorian"])
	def score(c):
	    lv = c["last_visit"]
	    days = 365 if lv is None else (today - datetime.date.fromisoformat(lv["gregorian"])).days
	    s = 3 * c["follow_ups_overdue"] + days / 7 + c["contacts_due"]
	    if c["assessment"] and c["assessment"]["overall"] is not None:
	        s += 2 * (5 - c["assessment"]["overall"])
	    return s
	ranked = sorted(summ["counties"], key=lambda c: (-score(c), c["id"]))
	days = plan["days"]
	assert [d["weekday"] for d in days] == ["tuesday", "sunday", "tuesday", "sunday"], days
	assert [d["county"] for d in days] == [c["id"] for c in ranked[:4]], days
	for d, c in zip(days, ranked):
	    assert abs(d["score"] - score(c)) < 0.01, (d["score"], score(c))
	    assert 1 <= len(d["contacts"]) <= 8 and d["reasons"]
	    for x in d["contacts"]:
	        assert x["reason"], x
	EOF
	fieldbook -C demo plan --today $TODAY >plan.txt &&
	test_grep "^Visits from 1403/12/20 to 1404/01/03$" plan.txt &&
	test_grep "^سه‌شنبه 1403/12/21  کرمان (kerman), score" plan.txt &&
	test_grep "follow-up «.*» due 1[34]0[0-9]/[0-9][0-9]/[0-9][0-9], overdue [0-9]* days" plan.txt &&
	test_grep "not met for [0-9]* days" plan.txt
'

test_expect_success 'plan: contacts ordered by open follow-ups, then longest unmet, then influence' '
	fieldbook -C repo plan --today 1404/01/05 --weeks 1 --format json >p.json &&
	python3 - p.json <<-\EOF
	import json, sys
	p = json.load(open(sys.argv[1]))
	a = [d for d in p["days"] if d["county"] == "a"][0]
	ids = [x["id"] for x in a["contacts"]]
	assert ids == ["c-0001", "c-0002"], ids   # c-0001: two open follow-ups
	assert "overdue 3 days" in a["contacts"][0]["reason"], a["contacts"][0]
	EOF
	test_expect_code 2 fieldbook -C demo plan --weeks 0 2>err &&
	test_grep "1 to 52" err
'

test_expect_success 'summary, plan, report and audit take no arguments, only options' '
	for c in summary plan report audit; do
		test_expect_code 2 fieldbook -C demo $c kerman 2>err &&
		test_grep "^fieldbook: error: $c takes no arguments, only options" err || return 1
	done
'

test_expect_success 'an invalid fieldbook.yaml is said at its line and column, never silently defaulted' '
	rm -rf bad && cp -R demo bad &&
	printf "calendar: jalali\nvisit_days: [shanbe]\nstale_after_days: 0\n" >bad/fieldbook.yaml &&
	test_expect_code 1 fieldbook -C bad plan --today $TODAY >out 2>err &&
	test_must_be_empty out &&
	test_grep "^fieldbook.yaml:2:14: error: /visit_days: .shanbe. is not a weekday" err &&
	test_grep "^fieldbook.yaml:3:19: error: /stale_after_days: " err &&
	test_grep "^fieldbook: error: the visit days in fieldbook.yaml cannot be read" err &&
	for c in summary report; do
		fieldbook -C bad $c --today $TODAY >out 2>err &&
		test -s out &&
		test_grep "^fieldbook.yaml:2:14: warning: /visit_days: .shanbe. is not a weekday .*; the default is used instead$" err &&
		test_grep "^fieldbook.yaml:3:19: warning: /stale_after_days: .*; the default is used instead$" err &&
		test $(grep -c "fieldbook.yaml" err) = 2 || return 1
	done &&
	printf "visit_days: [sunday\n" >bad/fieldbook.yaml &&
	test_expect_code 1 fieldbook -C bad plan --today $TODAY 2>err &&
	test_grep "^fieldbook.yaml:2:1: error: " err &&
	fieldbook -C bad summary --today $TODAY >out 2>err &&
	test_grep "^fieldbook.yaml:2:1: warning: .*; the default is used instead$" err &&
	printf "stale_after_days: soon\n" >bad/fieldbook.yaml &&
	fieldbook -C bad plan --today $TODAY >out 2>err &&
	test_grep "^Visits from" out &&
	test_grep "^fieldbook.yaml:1:19: warning: /stale_after_days: " err &&
	fieldbook -C demo plan --today $TODAY >out 2>err &&
	test_must_be_empty err
'

test_done
