#!/bin/sh
test_description='report: one self-contained Persian page, rendered by a real browser'
. "$(dirname "$0")/lib.sh"

TODAY=1403/12/20

test_expect_success 'setup: the demo data and its report' '
	fb_demo demo &&
	fieldbook -C demo report --today $TODAY --since 1403 -o "$TRASH/report.html" 2>err &&
	test_grep "^wrote $TRASH/report.html$" err &&
	test -s report.html
'

test_expect_success 'the page is Persian, right to left, and needs nothing from outside' '
	head -2 report.html >head &&
	test_grep "^<html lang=\"fa\" dir=\"rtl\">$" head &&
	test_grep "<meta charset=\"utf-8\">" report.html &&
	test_grep ! -i "<script" report.html &&
	test_grep ! -i " src=\| href=\|url(\|@import" report.html &&
	test "$(grep -o "https\?://[^\"]*" report.html | sort -u)" = "http://www.w3.org/2000/svg" &&
	test_grep "@page{size:A4" report.html
'

test_expect_success 'every section is there, with Persian digits' '
	for h in "خلاصه شهرستان‌ها" "بازدیدها در هر شهرستان" "بازدیدها در هر ماه" \
		"آخرین ارزیابی فرمانداران" "مسائل باز با اهمیت زیاد" "پیگیری‌های معوق"; do
		test_grep "$h" report.html || return 1
	done &&
	test_grep "از ۱۴۰۳/۰۱/۰۱ تا ۱۴۰۳/۱۲/۲۰" report.html &&
	test $(grep -c "<svg" report.html) = 2 &&
	test_grep "<td class=\"n h[1-5]\">" report.html
'

test_expect_success 'the figures are the summary'"'"'s' '
	fieldbook -C demo summary --today $TODAY --since 1403 --format json >sum.json &&
	python3 - sum.json report.html <<-\EOF
	import json, re, sys
	s = json.load(open(sys.argv[1]))
	html = open(sys.argv[2]).read()
	fa = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
	total = re.search(r"<tr class=\"total\">(.*?)</tr>", html).group(1)
	cells = re.findall(r"<td[^>]*>(.*?)</td>", total)
	t = s["totals"]
	assert cells[1] == str(t["contacts"]).translate(fa), cells
	assert cells[2] == str(t["visits"]).translate(fa), cells
	assert cells[7] == str(t["follow_ups_overdue"]).translate(fa), cells
	for c in s["counties"]:
	    assert c["name"] in html, c["name"]
	EOF
'

test_expect_success 'nothing confidential reaches the report' '
	grep -h -A1 "^preferences:" demo/records/contacts/*.yaml | grep -v "^preferences:\|^--" |
		sed "s/^ *//" | cut -c1-20 >secrets &&
	test -s secrets &&
	while read -r secret; do
		test_grep ! -F "$secret" report.html || return 1
	done <secrets &&
	grep -h "^preferences: ." demo/records/contacts/*.yaml | sed "s/^preferences: //" |
		cut -c1-20 >secrets2 &&
	while read -r secret; do
		test_grep ! -F "$secret" report.html || return 1
	done <secrets2
'

test_expect_success 'markdown, and to standard output' '
	fieldbook -C demo report --today $TODAY --format markdown >report.md &&
	test_grep "^# گزارش بازدیدهای میدانی شهرستان‌ها$" report.md &&
	test_grep "^## پیگیری‌های معوق$" report.md &&
	test_grep "^| county | contacts |" report.md &&
	fieldbook -C demo report --today $TODAY >stdout.html &&
	test_grep "^<!DOCTYPE html>$" stdout.html
'

command -v chromium >/dev/null && test_set_prereq CHROMIUM
test_expect_success CHROMIUM 'headless Chromium renders it: a screenshot, no failed request' '
	timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$TRASH/chromium" --enable-logging=stderr --v=0 \
		--window-size=1240,1754 --screenshot="$TRASH/shot.png" \
		"file://$TRASH/report.html" >chromium.out 2>chromium.err &&
	python3 - shot.png <<-\EOF &&
	import struct, sys
	png = open(sys.argv[1], "rb").read()
	assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
	w, h = struct.unpack(">II", png[16:24])
	assert (w, h) == (1240, 1754), (w, h)
	assert len(png) > 50000, "an empty page is a few kilobytes"
	EOF
	test_grep ! "net::ERR_\|Failed to load resource" chromium.err &&
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--user-data-dir="$TRASH/chromium" --dump-dom "file://$TRASH/report.html" \
		>dom.html 2>/dev/null &&
	test_grep "خلاصه شهرستان‌ها" dom.html &&
	test_grep "</svg>" dom.html
'

test_done
