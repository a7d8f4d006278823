/*
 * libFuzzer target for the date parser: arbitrary bytes through
 * fb_date_parse(), fb_date_parse_arg() and fb_period_parse().
 *
 * Invariants, each an abort() when broken:
 *   - a parsed day lies in the supported span [fb_day_min, fb_day_max];
 *   - it formats in both calendars, and each text parses back to the same
 *     day, in the calendar it was written in;
 *   - a period has first <= last, both in the span;
 *   - a refusal returns FB_ESYNTAX with a non-empty, valid UTF-8 message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fieldbook/date.h>
#include <fieldbook/text.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_day(int32_t day)
{
	struct fb_buf text = FB_BUF_INIT, err = FB_BUF_INIT;
	int c;

	if (day < fb_day_min || day > fb_day_max)
		abort();
	for (c = 0; c < 2; c++) {
		enum fb_calendar cal = c ? FB_CAL_GREGORIAN : FB_CAL_JALALI, got_cal;
		int32_t got;

		fb_buf_reset(&text);
		fb_date_format(&text, day, cal);
		if (fb_date_parse(text.ptr, text.len, &got, &got_cal, &err) || got != day ||
		    got_cal != cal)
			abort();
	}
	fb_buf_release(&text);
	fb_buf_release(&err);
}

static void check_result(int rc, const struct fb_buf *err)
{
	if (rc == 0)
		return;
	if (rc != FB_ESYNTAX || !err->len || !fb_utf8_valid(err->ptr, err->len, NULL))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int32_t todays[] = {20000, -54342, 128278}; /* 1403/07/13, the span's ends */
	struct fb_buf err = FB_BUF_INIT;
	char *s = malloc(size + 1);
	int32_t day, first, last;
	enum fb_calendar cal;
	size_t k;
	int rc;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	rc = fb_date_parse(s, size, &day, &cal, &err);
	check_result(rc, &err);
	if (!rc)
		check_day(day);

	for (k = 0; k < sizeof(todays) / sizeof(todays[0]); k++) {
		fb_buf_reset(&err);
		rc = fb_date_parse_arg(s, todays[k], &day, &err);
		check_result(rc, &err);
		if (!rc)
			check_day(day);

		fb_buf_reset(&err);
		rc = fb_period_parse(s, todays[k], &first, &last, &err);
		check_result(rc, &err);
		if (!rc) {
			if (first > last)
				abort();
			check_day(first);
			check_day(last);
		}
	}
	fb_buf_release(&err);
	free(s);
	return 0;
}
