/*
 * Dates: one parser for records and command-line arguments, Jalali and
 * Gregorian calendars, day numbers, periods and formatting (SPEC §2).
 *
 * A date is a day number: days since 1970-01-01 (Gregorian), so dates from
 * either calendar compare as integers.  Conversion is the jalaali
 * (33-year break table) arithmetic.  The supported span is Jalali
 * 1200/01/01 to 1699/12/29, the same days in Gregorian are accepted too;
 * anything outside is an error in either calendar.  Every date this module
 * formats parses back to the same day.
 *
 * Error messages (written into `err`, replacing its content) are the ones of
 * ../shared/persian/date_input_cases.tsv: "unrecognised date", "month 13 out
 * of range 1..12", "day 30 out of range 1..29 for 1404/12", "weekday mismatch:
 * 1403/5/12 is جمعه", "day-first order not accepted; use YYYY/MM/DD", ...
 */
#ifndef FIELDBOOK_DATE_H
#define FIELDBOOK_DATE_H

#include <stdbool.h>
#include <time.h>

#include "buf.h"

enum fb_calendar {
	FB_CAL_JALALI,
	FB_CAL_GREGORIAN,
};

/* First and last supported day numbers (Jalali 1200/01/01 and 1699/12/29). */
extern const int32_t fb_day_min, fb_day_max;

bool fb_jalali_leap(int jy);
/* Days in a Jalali month (29..31), 0 for a month outside 1..12. */
int fb_jalali_month_days(int jy, int jm);
int32_t fb_jalali_to_day(int jy, int jm, int jd);
void fb_day_to_jalali(int32_t day, int *jy, int *jm, int *jd);

bool fb_gregorian_leap(int gy);
int fb_gregorian_month_days(int gy, int gm);
int32_t fb_gregorian_to_day(int gy, int gm, int gd);
void fb_day_to_gregorian(int32_t day, int *gy, int *gm, int *gd);

/* 0 = Sunday ... 6 = Saturday, as struct tm's tm_wday. */
int fb_weekday(int32_t day);
/* "یکشنبه".. and "sunday".. for a tm_wday number. */
const char *fb_weekday_name_fa(int wday);
const char *fb_weekday_name_en(int wday);
/* "فروردین".. for months 1..12. */
const char *fb_jalali_month_name(int jm);

/*
 * Parse a date as written in a record: numeric year-first forms in ASCII,
 * Persian or Arabic-Indic digits, and textual Jalali dates with an optional
 * weekday.  On success stores the day (and, if `cal` is not NULL, the
 * calendar it was written in) and returns 0; otherwise returns FB_ESYNTAX
 * with the reason in `err`.
 */
int fb_date_parse(const char *s, size_t len, int32_t *day, enum fb_calendar *cal,
		  struct fb_buf *err);

/*
 * Parse a date given on the command line: everything fb_date_parse()
 * accepts, plus `today`, `today-30d`, `today+2w` (units d, w).
 */
int fb_date_parse_arg(const char *s, int32_t today, int32_t *day, struct fb_buf *err);

/*
 * Parse a period for --since/--until: a date (first = last = that day), a
 * year (`1403`, `2024`), a month (`1403-05`, `2024-08`, also with `/`) or a
 * season (`1403-Q2`: Q1 = Farvardin..Khordad; `2024-Q1` = January..March).
 */
int fb_period_parse(const char *s, int32_t today, int32_t *first, int32_t *last,
		    struct fb_buf *err);

/* The Jalali season (quarter) holding `day`: its first and last days. */
void fb_jalali_season(int32_t day, int32_t *first, int32_t *last);

/* Append `day` as "1403/05/12" (Jalali) or "2024-08-02" (Gregorian). */
void fb_date_format(struct fb_buf *out, int32_t day, enum fb_calendar cal);

/* The local calendar day (TZ) holding the instant `t`. */
int32_t fb_day_of_time(time_t t);
/* The last second of a local calendar day. */
time_t fb_day_end_time(int32_t day);

#endif
