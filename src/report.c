/*
 * The governor's report (see report.h): one self-contained HTML page in
 * Persian (RTL, Persian digits, inline CSS and SVG, no script, nothing
 * fetched) laid out for A4 and a phone, or markdown; and the summary
 * table's cells, which the summary command prints too.
 */
#include <stdlib.h>
#include <string.h>

#include <fieldbook/report.h>

void fb_summary_date(struct fb_buf *out, int32_t day, enum fb_calendar cal)
{
	if (day == FB_NO_DAY)
		fb_buf_puts(out, "-");
	else
		fb_date_format(out, day, cal);
}

const char *const fb_summary_head[FB_SUMMARY_COLS] = {
	"county", "contacts", "visits", "met", "last visit", "due", "follow-ups",
	"overdue", "issues H/M/L", "governor",
};
const char *const fb_summary_head_fa[FB_SUMMARY_COLS] = {
	"شهرستان", "مخاطبان فعال", "بازدیدها", "مخاطبان دیدارشده", "آخرین بازدید",
	"مخاطبان معوق", "پیگیری باز", "پیگیری معوق", "مسائل باز (زیاد/متوسط/کم)",
	"فرماندار",
};

/* Unicode isolates around a signed figure in RTL text: "(+1)" stays "(+1)". */
#define LRI "\xe2\x81\xa6"
#define PDI "\xe2\x81\xa9"

void fb_summary_cells(struct fb_buf *cells, const struct fb_county_summary *c,
		      enum fb_calendar cal, bool fa)
{
	fb_buf_puts(&cells[0], c->id ? (c->name ? c->name : c->id) : fa ? "جمع استان" : "total");
	fb_buf_addf(&cells[1], "%zu", c->contacts);
	fb_buf_addf(&cells[2], "%zu", c->visits);
	fb_buf_addf(&cells[3], "%zu", c->contacts_met);
	fb_summary_date(&cells[4], c->last_visit, cal);
	fb_buf_addf(&cells[5], "%zu", c->contacts_due);
	fb_buf_addf(&cells[6], "%zu", c->follow_ups_open);
	fb_buf_addf(&cells[7], "%zu", c->follow_ups_overdue);
	fb_buf_addf(&cells[8], "%zu/%zu/%zu", c->issues_open[FB_SEV_HIGH],
		    c->issues_open[FB_SEV_MEDIUM], c->issues_open[FB_SEV_LOW]);
	if (!c->id)
		return;
	if (!c->has_assessment || c->assessment.overall < 0)
		fb_buf_puts(&cells[9], "-");
	else if (c->assessment.has_change && fa && c->assessment.change) /* as the HTML */
		fb_buf_addf(&cells[9], LRI "%d/5 (%+d)" PDI, c->assessment.overall,
			    c->assessment.change);
	else if (c->assessment.has_change && !fa)
		fb_buf_addf(&cells[9], "%d/5 (%+d)", c->assessment.overall, c->assessment.change);
	else
		fb_buf_addf(&cells[9], "%d/5", c->assessment.overall);
}

void fb_summary_range(struct fb_buf *out, const struct fb_summary *s, enum fb_calendar cal,
		      bool fa)
{
	fb_buf_puts(out, fa ? "از " : "From ");
	fb_summary_date(out, s->since, cal);
	fb_buf_puts(out, fa ? " تا " : " to ");
	fb_summary_date(out, s->until, cal);
	fb_buf_puts(out, fa ? " (امروز " : " (today ");
	fb_summary_date(out, s->today, cal);
	fb_buf_putc(out, ')');
}

void fb_summary_markdown(struct fb_buf *out, const struct fb_summary *s, enum fb_calendar cal,
			 bool fa)
{
	static const bool right[FB_SUMMARY_COLS] = {false, true, true, true, false,
						    true,  true, true, true, true};
	struct fb_buf cells[FB_SUMMARY_COLS];
	size_t r, c;

	fb_buf_puts(out, "**");
	fb_summary_range(out, s, cal, fa);
	fb_buf_puts(out, "**\n\n|");
	for (c = 0; c < FB_SUMMARY_COLS; c++)
		fb_buf_addf(out, " %s |", fa ? fb_summary_head_fa[c] : fb_summary_head[c]);
	fb_buf_puts(out, "\n|");
	for (c = 0; c < FB_SUMMARY_COLS; c++)
		fb_buf_puts(out, right[c] ? " ---: |" : " --- |");
	fb_buf_putc(out, '\n');
	for (r = 0; r <= s->ncounties; r++) {
		for (c = 0; c < FB_SUMMARY_COLS; c++)
			cells[c] = (struct fb_buf)FB_BUF_INIT;
		fb_summary_cells(cells, r < s->ncounties ? &s->counties[r] : &s->totals, cal, fa);
		fb_buf_puts(out, "|");
		for (c = 0; c < FB_SUMMARY_COLS; c++) {
			fb_buf_putc(out, ' ');
			fb_buf_add(out, cells[c].ptr, cells[c].len);
			fb_buf_puts(out, " |");
			fb_buf_release(&cells[c]);
		}
		fb_buf_putc(out, '\n');
	}
}

static const char *const score_fa[FB_NSCORES] = {
	"همسویی با سیاست‌ها", "پاسخگویی", "عمران و توسعه", "مدیریت تنش‌ها", "هماهنگی",
};

/* Text for HTML: escaped, ASCII digits as Persian ones. */
static void fa(struct fb_buf *out, const char *s)
{
	static const char *const digits[] = {"۰", "۱", "۲", "۳", "۴", "۵", "۶", "۷", "۸", "۹"};
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fb_buf_puts(out, "&lt;"); break;
		case '>': fb_buf_puts(out, "&gt;"); break;
		case '&': fb_buf_puts(out, "&amp;"); break;
		case '"': fb_buf_puts(out, "&quot;"); break;
		default:
			if (*s >= '0' && *s <= '9')
				fb_buf_puts(out, digits[*s - '0']);
			else
				fb_buf_putc(out, *s);
		}
	}
}

static void fa_num(struct fb_buf *out, long n)
{
	char num[32];
	snprintf(num, sizeof(num), "%ld", n);
	fa(out, num);
}

/* "1403-Q4" as the season's name and the year: "زمستان ۱۴۰۳". */
static void fa_period(struct fb_buf *out, const char *period)
{
	static const char *const seasons[] = {"بهار", "تابستان", "پاییز", "زمستان"};
	if (period && strlen(period) == 7 && period[4] == '-' && period[5] == 'Q' &&
	    period[6] >= '1' && period[6] <= '4') {
		char year[5];
		memcpy(year, period, 4);
		year[4] = '\0';
		fb_buf_addf(out, "%s ", seasons[period[6] - '1']);
		fa(out, year);
		return;
	}
	fa(out, period);
}

static void fa_date(struct fb_buf *out, int32_t day)
{
	struct fb_buf t = FB_BUF_INIT;
	fb_summary_date(&t, day, FB_CAL_JALALI);
	fa(out, t.ptr);
	fb_buf_release(&t);
}

static const char *county_name(const struct fb_summary *s, const char *id)
{
	size_t i;
	for (i = 0; id && i < s->ncounties; i++)
		if (!strcmp(s->counties[i].id, id))
			return s->counties[i].name ? s->counties[i].name : id;
	return id ? id : "";
}

/* A horizontal bar chart, one bar per label, as inline SVG (RTL: bars grow leftwards). */
static void svg_bars(struct fb_buf *out, const char *title, const char *const *labels,
		     const size_t *values, size_t n)
{
	size_t i, max = 1;
	const int row = 22, label_w = 130, width = 640, bar_w = width - label_w - 50;
	for (i = 0; i < n; i++)
		max = values[i] > max ? values[i] : max;
	fb_buf_addf(out, "<figure><figcaption>%s</figcaption>\n", title);
	fb_buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" "
			 "viewBox=\"0 0 %d %zu\" role=\"img\">\n",
		    width, n * (size_t)row + 10, width, n * (size_t)row + 10);
	for (i = 0; i < n; i++) {
		int y = (int)i * row + 5;
		int w = (int)((double)values[i] / (double)max * bar_w);
		fb_buf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"start\" class=\"l\">",
			    width - label_w + 120, y + 15);
		fa(out, labels[i]);
		fb_buf_addf(out, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
				 "class=\"b\"/><text x=\"%d\" y=\"%d\" class=\"v\">",
			    width - label_w - 10 - w, y + 3, w, row - 6, width - label_w - 16 - w,
			    y + 15);
		fa_num(out, (long)values[i]);
		fb_buf_puts(out, "</text>\n");
	}
	fb_buf_puts(out, "</svg></figure>\n");
}

/* Vertical bars over the Jalali months of the range. */
static void svg_months(struct fb_buf *out, const struct fb_summary *s)
{
	int y0, m0, d0, y1, m1, d1, y, m, i, n = 0;
	size_t counts[240] = {0}, max = 1, k;
	const int h = 160;
	int colw;

	fb_day_to_jalali(s->since, &y0, &m0, &d0);
	fb_day_to_jalali(s->until, &y1, &m1, &d1);
	n = (y1 - y0) * 12 + (m1 - m0) + 1;
	if (n < 1 || n > 240)
		return;
	colw = n <= 12 ? 52 : n <= 24 ? 30 : 16; /* a year of months fits the page */
	for (k = 0; k < s->nvisits; k++) {
		int vy, vm, vd;
		if (s->visits[k].date < s->since || s->visits[k].date > s->until)
			continue;
		fb_day_to_jalali(s->visits[k].date, &vy, &vm, &vd);
		counts[(vy - y0) * 12 + (vm - m0)]++;
	}
	for (i = 0; i < n; i++)
		max = counts[i] > max ? counts[i] : max;
	fb_buf_puts(out, "<figure><figcaption>بازدیدها در هر ماه</figcaption>\n");
	fb_buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
			 "viewBox=\"0 0 %d %d\" role=\"img\">\n",
		    n * colw + 20, h + 60, n * colw + 20, h + 60);
	for (i = 0, y = y0, m = m0; i < n; i++) {
		int bh = (int)((double)counts[i] / (double)max * h);
		int x = n * colw + 10 - (i + 1) * colw; /* right to left, as the page reads */
		struct fb_buf label = FB_BUF_INIT;
		fb_buf_addf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"b\"/>",
			    x + 4, 20 + h - bh, colw - 8, bh);
		fb_buf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"v\">",
			    x + colw / 2, 16 + h - bh);
		fa_num(out, (long)counts[i]);
		fb_buf_addf(out, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"m\">",
			    x + colw / 2, h + 36);
		fb_buf_addf(&label, "%s", fb_jalali_month_name(m));
		fa(out, label.ptr);
		fb_buf_addf(out, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"m\">",
			    x + colw / 2, h + 52);
		fa_num(out, y);
		fb_buf_puts(out, "</text>\n");
		fb_buf_release(&label);
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	fb_buf_puts(out, "</svg></figure>\n");
}

/*
 * One layout from A4 to a phone: tables take the width they are given,
 * headers wrap between words, figures and dates never (class n), free text
 * anywhere (class t), so nothing is cut; charts scale with their viewBox.
 * Below 600 px each table row becomes a card of "header: value" lines (the
 * header from the cell's data-label), so ten columns need not fit.
 */
static const char css[] =
	"@page{size:A4;margin:14mm}"
	"body{font-family:Vazirmatn,Vazir,Sahel,Tahoma,'DejaVu Sans',sans-serif;font-size:10.5pt;"
	"color:#1d2430;margin:0 auto;max-width:190mm;line-height:1.5;padding:0 2mm;"
	"box-sizing:border-box}"
	"p.org{font-weight:bold;color:#41505f;margin:0 0 1mm}"
	"h1{font-size:17pt;margin:0 0 2mm}h2{font-size:12.5pt;margin:7mm 0 2mm;"
	"border-bottom:1px solid #c9d2de;padding-bottom:1mm}"
	"p.sub{color:#5a6575;margin:0 0 4mm}"
	"table{border-collapse:collapse;width:100%;margin:2mm 0;page-break-inside:auto;"
	"font-size:9pt}"
	"tr{page-break-inside:avoid}"
	"th,td{border:1px solid #d5dce6;padding:1mm 1.2mm;text-align:right;vertical-align:top;"
	"overflow-wrap:break-word}td.t{overflow-wrap:anywhere}"
	"th{background:#eef2f7;font-weight:bold}td.n{text-align:center;white-space:nowrap}"
	"bdi{white-space:nowrap}"
	"tr.total td{font-weight:bold;background:#f6f8fb}"
	"figure{margin:3mm 0;page-break-inside:avoid}figcaption{font-weight:bold;margin-bottom:1mm}"
	"svg{max-width:100%;height:auto}"
	"svg .b{fill:#3d6fa8}svg text{font-family:inherit;font-size:11px;fill:#1d2430}"
	"svg .v{font-size:10px;fill:#41505f}svg .m{font-size:9.5px}"
	"td.h1{background:#e4574b;color:#fff}td.h2{background:#f2a65a}td.h3{background:#f7e08a}"
	"td.h4{background:#a8d5a2}td.h5{background:#5aae61;color:#fff}"
	".none{color:#7a8594}"
	"@media screen and (max-width:600px){"
	"body{font-size:10pt}h1{font-size:14pt}"
	"table,tbody,tr,td{display:block;width:auto}thead{display:none}"
	"tr{border:1px solid #d5dce6;margin:0 0 2mm;padding:1mm 0}"
	"td,td.n{border:0;padding:0.4mm 2mm;text-align:right}td:empty{display:none}"
	"td::before{content:attr(data-label) \": \";color:#5a6575;font-weight:normal}"
	"td.h1::before,td.h5::before{color:inherit}}";

/* A table's head: one <th> per column. */
static void html_head(struct fb_buf *out, const char *const *labels, size_t n)
{
	size_t k;
	fb_buf_puts(out, "<table><thead><tr>");
	for (k = 0; k < n; k++)
		fb_buf_addf(out, "<th>%s</th>", labels[k]);
	fb_buf_puts(out, "</tr></thead><tbody>\n");
}

/* Open a cell, with its column's header as data-label (the phone layout shows it). */
static void td(struct fb_buf *out, const char *label, const char *cls)
{
	fb_buf_addf(out, "<td data-label=\"%s\"%s%s%s>", label, cls ? " class=\"" : "",
		    cls ? cls : "", cls ? "\"" : "");
}

/* A whole cell: a text (escaped, Persian digits), or a date. */
static void td_text(struct fb_buf *out, const char *label, const char *cls, const char *text)
{
	td(out, label, cls);
	fa(out, text);
	fb_buf_puts(out, "</td>");
}

static void td_date(struct fb_buf *out, const char *label, const char *cls, int32_t day)
{
	td(out, label, cls);
	fa_date(out, day);
	fb_buf_puts(out, "</td>");
}

static void td_num(struct fb_buf *out, const char *label, long n)
{
	td(out, label, "n");
	fa_num(out, n);
	fb_buf_puts(out, "</td>");
}

static void html_summary(struct fb_buf *out, const struct fb_summary *s)
{
	const char *const *h = fb_summary_head_fa;
	size_t i;
	fb_buf_puts(out, "<h2>خلاصه شهرستان‌ها</h2>\n");
	html_head(out, h, FB_SUMMARY_COLS);
	for (i = 0; i <= s->ncounties; i++) {
		const struct fb_county_summary *c = i < s->ncounties ? &s->counties[i] : &s->totals;
		fb_buf_puts(out, i < s->ncounties ? "<tr>" : "<tr class=\"total\">");
		td_text(out, h[0], NULL, i < s->ncounties ? (c->name ? c->name : c->id) : "جمع استان");
		td_num(out, h[1], (long)c->contacts);
		td_num(out, h[2], (long)c->visits);
		td_num(out, h[3], (long)c->contacts_met);
		td_date(out, h[4], "n", c->last_visit);
		td_num(out, h[5], (long)c->contacts_due);
		td_num(out, h[6], (long)c->follow_ups_open);
		td_num(out, h[7], (long)c->follow_ups_overdue);
		td(out, h[8], "n");
		fa_num(out, (long)c->issues_open[FB_SEV_HIGH]);
		fb_buf_puts(out, "/");
		fa_num(out, (long)c->issues_open[FB_SEV_MEDIUM]);
		fb_buf_puts(out, "/");
		fa_num(out, (long)c->issues_open[FB_SEV_LOW]);
		fb_buf_puts(out, "</td>");
		if (i == s->ncounties) { /* the province has no governor of its own here */
			fb_buf_puts(out, "<td class=\"n\"></td></tr>\n");
			continue;
		}
		td(out, h[9], "n");
		if (c->has_assessment && c->assessment.overall >= 0) {
			struct fb_buf t = FB_BUF_INIT;
			fb_buf_addf(&t, "%d از 5", c->assessment.overall);
			fa(out, t.ptr);
			if (c->assessment.has_change && c->assessment.change) {
				/* isolated: in RTL, bidi would turn "(+1)" into "(1+)" */
				fb_buf_reset(&t);
				fb_buf_addf(&t, "(%s%d)", c->assessment.change > 0 ? "+" : "−",
					    abs(c->assessment.change));
				fb_buf_puts(out, " <bdi dir=\"ltr\">");
				fa(out, t.ptr);
				fb_buf_puts(out, "</bdi>");
			}
			fb_buf_release(&t);
		} else {
			fb_buf_puts(out, "<span class=\"none\">—</span>");
		}
		fb_buf_puts(out, "</td></tr>\n");
	}
	fb_buf_puts(out, "</tbody></table>\n");
}

static void html_scores(struct fb_buf *out, const struct fb_summary *s)
{
	const char *h[3 + FB_NSCORES + 1] = {"شهرستان", "فرماندار", "دوره"};
	size_t i;
	int k;
	for (k = 0; k < FB_NSCORES; k++)
		h[3 + k] = score_fa[k];
	h[3 + FB_NSCORES] = "نمره کل";
	fb_buf_puts(out, "<h2>آخرین ارزیابی فرمانداران</h2>\n");
	html_head(out, h, FB_ARRAY_SIZE(h));
	for (i = 0; i < s->ncounties; i++) {
		const struct fb_county_summary *c = &s->counties[i];
		if (!c->has_assessment)
			continue;
		fb_buf_puts(out, "<tr>");
		td_text(out, h[0], NULL, c->name ? c->name : c->id);
		td_text(out, h[1], "t", c->assessment.subject);
		td(out, h[2], "n");
		fa_period(out, c->assessment.period);
		fb_buf_puts(out, "</td>");
		for (k = 0; k <= FB_NSCORES; k++) {
			int v = k < FB_NSCORES ? c->assessment.scores[k] : c->assessment.overall;
			if (v >= 1 && v <= 5) {
				char cls[8];
				snprintf(cls, sizeof(cls), "n h%d", v);
				td(out, h[3 + k], cls);
				fa_num(out, v);
				fb_buf_puts(out, "</td>");
			} else {
				td(out, h[3 + k], "n none");
				fb_buf_puts(out, "—</td>");
			}
		}
		fb_buf_puts(out, "</tr>\n");
	}
	fb_buf_puts(out, "</tbody></table>\n");
}

static void html_lists(struct fb_buf *out, const struct fb_summary *s)
{
	static const char *const ih[] = {"شهرستان", "مسئله", "تاریخ", "سند"};
	static const char *const fh[] = {"شهرستان", "اقدام", "مسئول", "مهلت", "روز تأخیر",
					 "بازدید"};
	size_t i, n = 0;
	fb_buf_puts(out, "<h2>مسائل باز با اهمیت زیاد</h2>\n");
	for (i = 0; i < s->nissues; i++)
		n += s->issues[i].severity == FB_SEV_HIGH;
	if (!n) {
		fb_buf_puts(out, "<p class=\"none\">مسئله بازی با اهمیت زیاد نیست.</p>\n");
	} else {
		html_head(out, ih, FB_ARRAY_SIZE(ih));
		for (i = 0; i < s->nissues; i++) {
			const struct fb_issue_info *x = &s->issues[i];
			if (x->severity != FB_SEV_HIGH)
				continue;
			fb_buf_puts(out, "<tr>");
			td_text(out, ih[0], NULL, county_name(s, x->county));
			td_text(out, ih[1], "t", x->title);
			td_date(out, ih[2], "n", x->date);
			td_text(out, ih[3], "n", x->source);
			fb_buf_puts(out, "</tr>\n");
		}
		fb_buf_puts(out, "</tbody></table>\n");
	}
	fb_buf_puts(out, "<h2>پیگیری‌های معوق</h2>\n");
	for (i = 0, n = 0; i < s->nfollow_ups; i++)
		n += s->follow_ups[i].due != FB_NO_DAY && s->follow_ups[i].due < s->today;
	if (!n) {
		fb_buf_puts(out, "<p class=\"none\">پیگیری معوقی نیست.</p>\n");
		return;
	}
	html_head(out, fh, FB_ARRAY_SIZE(fh));
	for (i = 0; i < s->nfollow_ups; i++) {
		const struct fb_follow_up_info *f = &s->follow_ups[i];
		if (f->due == FB_NO_DAY || f->due >= s->today)
			continue;
		fb_buf_puts(out, "<tr>");
		td_text(out, fh[0], NULL, county_name(s, f->county));
		td_text(out, fh[1], "t", f->action);
		td_text(out, fh[2], "t", f->owner);
		td_date(out, fh[3], "n", f->due);
		td_num(out, fh[4], s->today - f->due);
		td_text(out, fh[5], "n", f->visit);
		fb_buf_puts(out, "</tr>\n");
	}
	fb_buf_puts(out, "</tbody></table>\n");
}

/* The word before the province in the title: "استان کرمان", unless it says استان already. */
static const char *province_prefix(const char *province)
{
	return strncmp(province, "استان", strlen("استان")) ? "استان " : "";
}

void fb_report_html(struct fb_buf *out, const struct fb_summary *s, const char *office,
		    const char *province_)
{
	const char **labels = fb_calloc(s->ncounties + 1, sizeof(*labels));
	size_t *values = fb_calloc(s->ncounties + 1, sizeof(*values)), i;
	bool province = province_ && province_[0];
	struct fb_buf title = FB_BUF_INIT;

	fb_buf_puts(&title, "گزارش بازدیدهای میدانی شهرستان‌ها");
	if (province) {
		fb_buf_addf(&title, "ی %s", province_prefix(province_));
		fa(&title, province_);
	}
	fb_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"fa\" dir=\"rtl\">\n<head>\n"
			 "<meta charset=\"utf-8\">\n"
			 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			 "<title>");
	fb_buf_add(out, title.ptr, title.len);
	fb_buf_puts(out, "</title>\n<style>");
	fb_buf_puts(out, css);
	fb_buf_puts(out, "</style>\n</head>\n<body>\n");
	if (office && office[0]) {
		fb_buf_puts(out, "<p class=\"org\">");
		fa(out, office);
		fb_buf_puts(out, "</p>\n");
	}
	fb_buf_puts(out, "<h1>");
	fb_buf_add(out, title.ptr, title.len);
	fb_buf_puts(out, "</h1>\n<p class=\"sub\">از ");
	fa_date(out, s->since);
	fb_buf_puts(out, " تا ");
	fa_date(out, s->until);
	fb_buf_puts(out, " — تهیه‌شده در ");
	fa_date(out, s->today);
	fb_buf_puts(out, "</p>\n");
	html_summary(out, s);
	for (i = 0; i < s->ncounties; i++) {
		labels[i] = s->counties[i].name ? s->counties[i].name : s->counties[i].id;
		values[i] = s->counties[i].visits;
	}
	fb_buf_puts(out, "<h2>بازدیدها</h2>\n");
	svg_bars(out, "بازدیدها در هر شهرستان", labels, values, s->ncounties);
	svg_months(out, s);
	html_scores(out, s);
	html_lists(out, s);
	fb_buf_puts(out, "</body>\n</html>\n");
	fb_buf_release(&title);
	free(labels);
	free(values);
}

void fb_report_markdown(struct fb_buf *out, const struct fb_summary *s, enum fb_calendar cal,
			const char *office, const char *province)
{
	size_t i;
	int k;
	if (office && office[0])
		fb_buf_addf(out, "**%s**\n\n", office);
	fb_buf_puts(out, "# گزارش بازدیدهای میدانی شهرستان‌ها");
	if (province && province[0])
		fb_buf_addf(out, "ی %s%s", province_prefix(province), province);
	fb_buf_puts(out, "\n\n");
	fb_summary_markdown(out, s, cal, true);
	fb_buf_puts(out, "\n## آخرین ارزیابی فرمانداران\n\n| شهرستان | فرماندار | دوره |");
	for (k = 0; k < FB_NSCORES; k++)
		fb_buf_addf(out, " %s |", score_fa[k]);
	fb_buf_puts(out, " نمره کل |\n| --- | --- | --- |");
	for (k = 0; k <= FB_NSCORES; k++)
		fb_buf_puts(out, " ---: |");
	fb_buf_putc(out, '\n');
	for (i = 0; i < s->ncounties; i++) {
		const struct fb_assessment_pick *a = &s->counties[i].assessment;
		if (!s->counties[i].has_assessment)
			continue;
		fb_buf_addf(out, "| %s | %s | %s |",
			    s->counties[i].name ? s->counties[i].name : s->counties[i].id,
			    a->subject ? a->subject : "", a->period ? a->period : "");
		for (k = 0; k <= FB_NSCORES; k++) {
			int v = k < FB_NSCORES ? a->scores[k] : a->overall;
			if (v >= 0)
				fb_buf_addf(out, " %d |", v);
			else
				fb_buf_puts(out, " - |");
		}
		fb_buf_putc(out, '\n');
	}
	fb_buf_puts(out, "\n## مسائل باز با اهمیت زیاد\n\n| شهرستان | مسئله | تاریخ | سند |\n"
			 "| --- | --- | --- | --- |\n");
	for (i = 0; i < s->nissues; i++) {
		const struct fb_issue_info *x = &s->issues[i];
		if (x->severity != FB_SEV_HIGH)
			continue;
		fb_buf_addf(out, "| %s | %s | ", county_name(s, x->county), x->title ? x->title : "");
		fb_summary_date(out, x->date, cal);
		fb_buf_addf(out, " | %s |\n", x->source);
	}
	fb_buf_puts(out, "\n## پیگیری‌های معوق\n\n| شهرستان | اقدام | مسئول | مهلت | روز تأخیر | "
			 "بازدید |\n| --- | --- | --- | --- | ---: | --- |\n");
	for (i = 0; i < s->nfollow_ups; i++) {
		const struct fb_follow_up_info *f = &s->follow_ups[i];
		if (f->due == FB_NO_DAY || f->due >= s->today)
			continue;
		fb_buf_addf(out, "| %s | %s | %s | ", county_name(s, f->county),
			    f->action ? f->action : "", f->owner ? f->owner : "");
		fb_summary_date(out, f->due, cal);
		fb_buf_addf(out, " | %d | %s |\n", s->today - f->due, f->visit);
	}
}

