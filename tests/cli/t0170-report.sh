#!/bin/sh
test_description='report: one self-contained Persian page, rendered by a real browser'
. "$(dirname "$0")/lib.sh"

# FB_REPORT_PNG=DIR keeps the pictures of the last tests (A4, a 390 px phone,
# the printed PDF) in DIR, to look at.
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
	test_grep "<td data-label=\"[^\"]*\" class=\"n h[1-5]\">" report.html
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
	test_grep "^| شهرستان | مخاطبان فعال | بازدیدها | مخاطبان دیدارشده | آخرین بازدید |" report.md &&
	test_grep "^\*\*از 1403/[0-9/]* تا 1403/12/20 (امروز 1403/12/20)\*\*$" report.md &&
	test_grep "^| جمع استان |" report.md &&
	test_grep ! -i "county\|contacts\|total\|from \|today\|governor" report.md &&
	fieldbook -C demo report --today $TODAY >stdout.html &&
	test_grep "^<!DOCTYPE html>$" stdout.html
'

test_expect_success 'signed figures are isolated from the right-to-left text' '
	fieldbook -C demo report --today $TODAY --since 1403 --format markdown >report.md &&
	python3 - report.html report.md <<-\EOF
	import re, sys
	html = open(sys.argv[1], encoding="utf-8").read()
	md = open(sys.argv[2], encoding="utf-8").read()
	digits = "[0-9\u06f0-\u06f9]+"
	signed = re.findall(r"\([+\u2212]" + digits + r"\)", html)
	isolated = re.findall(r"<bdi dir=\"ltr\">\([+\u2212]" + digits + r"\)</bdi>", html)
	assert signed and len(signed) == len(isolated), (len(signed), len(isolated))
	signed = re.findall(r"[0-9]/5 \([+-][0-9]+\)", md)
	isolated = re.findall(r"\u2066[0-9]/5 \([+-][0-9]+\)\u2069", md)
	assert signed and len(signed) == len(isolated), (len(signed), len(isolated))
	assert "(+0)" not in md and "(+\u06f0)" not in html
	EOF
'

test_expect_success 'the office and the province of fieldbook.yaml name the report' '
	rm -rf named && cp -R demo named &&
	fieldbook -C named report --today $TODAY >plain.html &&
	test_grep "<title>گزارش بازدیدهای میدانی شهرستان‌ها</title>" plain.html &&
	test_grep ! "class=\"org\"" plain.html &&
	printf "office: \"دفتر سیاسی <و> انتخابات & امنیتی\"\nprovince: کرمان\n" >>named/fieldbook.yaml &&
	fieldbook -C named validate >/dev/null &&
	fieldbook -C named report --today $TODAY >named.html 2>err &&
	test_must_be_empty err &&
	test_grep "<title>گزارش بازدیدهای میدانی شهرستان‌های استان کرمان</title>" named.html &&
	test_grep "^<h1>گزارش بازدیدهای میدانی شهرستان‌های استان کرمان</h1>$" named.html &&
	test_grep "^<p class=\"org\">دفتر سیاسی &lt;و&gt; انتخابات &amp; امنیتی</p>$" named.html &&
	fieldbook -C named report --today $TODAY --format markdown >named.md &&
	test "$(sed -n 1p named.md)" = "**دفتر سیاسی <و> انتخابات & امنیتی**" &&
	test_grep "^# گزارش بازدیدهای میدانی شهرستان‌های استان کرمان$" named.md &&
	sed -i "s/^province: .*/province: استان کرمان/" named/fieldbook.yaml &&
	fieldbook -C named report --today $TODAY >named.html &&
	test_grep "<h1>گزارش بازدیدهای میدانی شهرستان‌های استان کرمان</h1>" named.html &&
	sed -i "s/^province: .*/province: 12/; s/^office: .*/office: [a, b]/" named/fieldbook.yaml &&
	test_expect_code 1 fieldbook -C named validate >out 2>err &&
	n=$(grep -n "^office:" named/fieldbook.yaml | cut -d: -f1) &&
	test_grep "^fieldbook.yaml:$n:9: error: /office: expected one line of text" err &&
	test_grep "^fieldbook.yaml:$((n + 1)):11: error: /province: expected one line of text" err &&
	fieldbook -C named report --today $TODAY >named.html 2>err &&
	test_grep "^fieldbook.yaml:$n:9: warning: /office: expected one line of text.*; the default is used instead$" err &&
	test_grep "<h1>گزارش بازدیدهای میدانی شهرستان‌ها</h1>" named.html &&
	sed -i "s/^province: .*/province:/; s/^office: .*/office: \"a\\\\nb\"/" named/fieldbook.yaml &&
	test_expect_code 1 fieldbook -C named validate >out 2>err &&
	test_grep "^fieldbook.yaml:$n:9: error: /office: expected one line of text" err &&
	test $(grep -c "error:" err) = 1
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

# fit.py REPORT W...: load REPORT in one iframe per width (a real viewport of
# that width: media queries apply) and print, per width, every table, chart,
# heading, paragraph or row that reaches outside its container or the page.
cat >fit.py <<\EOF
import os, re, subprocess, sys
src, widths = sys.argv[1], sys.argv[2:]
d = os.path.dirname(os.path.abspath(src))
probe = """<script>addEventListener("load", function () {
  var de = document.documentElement, out = ["width " + de.clientWidth];
  if (de.scrollWidth > de.clientWidth) out.push("page " + de.scrollWidth);
  document.querySelectorAll("table,svg,figure,h1,h2,p,tr").forEach(function (t, i) {
    var r = t.getBoundingClientRect(), p = t.parentElement.getBoundingClientRect();
    if (r.left < p.left - 0.5 || r.right > p.right + 0.5 || r.left < -0.5 ||
        r.right > de.clientWidth + 0.5)
      out.push("over " + t.tagName + i + " " + Math.round(r.left) + ".." + Math.round(r.right));
  });
  parent.postMessage(out.join(" "), "*");
});</script>"""
page = open(src, encoding="utf-8").read().replace("</body>", probe + "</body>")
name = os.path.basename(src) + ".probed.html"
open(os.path.join(d, name), "w", encoding="utf-8").write(page)
frames = "".join('<iframe src="%s" width="%s" height="900"></iframe>' % (name, w) for w in widths)
open(d + "/frames.html", "w").write('<!DOCTYPE html><html><body><div id="r"></div>' + frames +
    '<script>addEventListener("message", function (e) { var p = document.createElement("p");'
    ' p.className = "fit"; p.textContent = e.data; document.getElementById("r").appendChild(p); });'
    '</script></body></html>')
dom = subprocess.run(["timeout", "120", "chromium", "--headless", "--no-sandbox", "--disable-gpu",
    "--hide-scrollbars", "--user-data-dir=" + d + "/chromium", "--window-size=1900,1000",
    "--virtual-time-budget=10000", "--dump-dom", "file://" + d + "/frames.html"],
    capture_output=True, text=True).stdout
lines = re.findall(r'<p class="fit">(.*?)</p>', dom, re.S)
for line in sorted(lines, key=lambda l: int(l.split()[1])):
    print(line)
EOF

test_expect_success CHROMIUM 'nothing is cut: at A4 print width (688 px), A4 screen width and a 390 px phone' '
	python3 fit.py report.html 390 688 794 >fit &&
	printf "width 390\nwidth 688\nwidth 794\n" >want &&
	test_cmp want fit &&
	long=$(printf "%0300d" 0) &&
	sed "0,/<\/tbody>/s|</tbody>|<tr><td colspan=\"10\" class=\"n\">$long</td></tr></tbody>|" \
		report.html >wide.html &&
	python3 fit.py wide.html 688 >fit &&
	test_grep "over TABLE" fit
'

test_expect_success CHROMIUM 'pictures at A4 and at 390 px: PNGs to look at, and a PDF' '
	printf "<!DOCTYPE html><html><body style=\"margin:0\"><iframe src=\"report.html\" width=\"390\" height=\"2400\" style=\"border:0\"></iframe></body></html>" >phone.html &&
	timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$TRASH/chromium" --window-size=500,2400 \
		--screenshot="$TRASH/phone.png" "file://$TRASH/phone.html" 2>/dev/null &&
	timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$TRASH/chromium" --window-size=794,1123 \
		--screenshot="$TRASH/a4.png" "file://$TRASH/report.html" 2>/dev/null &&
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
		--user-data-dir="$TRASH/chromium" --print-to-pdf="$TRASH/a4.pdf" \
		"file://$TRASH/report.html" 2>/dev/null &&
	test "$(head -c 5 a4.pdf)" = "%PDF-" &&
	python3 - phone.png a4.png <<-\EOF &&
	import struct, sys
	for f, size in zip(sys.argv[1:], [(500, 2400), (794, 1123)]):
	    png = open(f, "rb").read()
	    assert png[:8] == b"\x89PNG\r\n\x1a\n", f
	    assert struct.unpack(">II", png[16:24]) == size, f
	    assert len(png) > 40000, f
	EOF
	if test -n "${FB_REPORT_PNG:-}"; then
		mkdir -p "$FB_REPORT_PNG" && cp phone.png a4.png a4.pdf "$FB_REPORT_PNG/"
	fi
'

test_done
