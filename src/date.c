/*
 * Dates: calendar arithmetic, parsing and formatting (SPEC §2).
 *
 * Day numbers count days from 1970-01-01 (Gregorian).  Gregorian dates map
 * to day numbers with the civil-from-days arithmetic of the proleptic
 * calendar; Jalali dates through the jalaali algorithm: a table of the years
 * where the 33-year leap cycle breaks, which gives for each Jalali year
 * whether it is leap and on which day of Gregorian March its Nowruz falls.
 * All integer division below is on values kept non-negative, or uses
 * floor_div, so it means what it says.
 */
#include <string.h>

#include <fieldbook/date.h>

/* Jalali years where the 33-year cycle pattern restarts (the jalaali break table). */
static const int breaks[] = {-61,  9,    38,   199,  426,  686,  756,  818,  1111, 1181,
			     1210, 1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178};

static int floor_div(int a, int b)
{
	return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/* Truncating division and remainder, as the jalaali arithmetic is defined. */
static int tdiv(int a, int b)
{
	return a / b;
}

static int tmod(int a, int b)
{
	return a - tdiv(a, b) * b;
}

/*
 * For Jalali year `jy`: `*leap` = years since the last leap year (0: this
 * one is leap), `*gy` = the Gregorian year of its Nowruz, `*march` = the day
 * of March of its Nowruz.  `jy` must be inside the break table.
 */
static void jal_cal(int jy, int *leap, int *gy, int *march)
{
	int n_breaks = (int)FB_ARRAY_SIZE(breaks);
	int leap_j = -14, jp = breaks[0], jump = 0, n, leap_g, i;

	*gy = jy + 621;
	for (i = 1; i < n_breaks; i++) {
		int jm = breaks[i];
		jump = jm - jp;
		if (jy < jm)
			break;
		leap_j += tdiv(jump, 33) * 8 + tdiv(tmod(jump, 33), 4);
		jp = jm;
	}
	n = jy - jp;
	leap_j += tdiv(n, 33) * 8 + tdiv(tmod(n, 33) + 3, 4);
	if (tmod(jump, 33) == 4 && jump - n == 4)
		leap_j++;
	leap_g = tdiv(*gy, 4) - tdiv((tdiv(*gy, 100) + 1) * 3, 4) - 150;
	*march = 20 + leap_j - leap_g;
	if (jump - n < 6)
		n = n - jump + tdiv(jump + 4, 33) * 33;
	*leap = tmod(tmod(n + 1, 33) - 1, 4);
	if (*leap == -1)
		*leap = 4;
}

bool fb_gregorian_leap(int gy)
{
	return (gy % 4 == 0 && gy % 100 != 0) || gy % 400 == 0;
}

int fb_gregorian_month_days(int gy, int gm)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (gm < 1 || gm > 12)
		return 0;
	return gm == 2 && fb_gregorian_leap(gy) ? 29 : days[gm - 1];
}

int32_t fb_gregorian_to_day(int gy, int gm, int gd)
{
	/* days from civil: March-based years make February the last month */
	int y = gy - (gm <= 2);
	int era = floor_div(y, 400);
	int yoe = y - era * 400;
	int mp = (gm + 9) % 12;
	int doy = (153 * mp + 2) / 5 + gd - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void fb_day_to_gregorian(int32_t day, int *gy, int *gm, int *gd)
{
	int z = day + 719468;
	int era = floor_div(z, 146097);
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int m = mp < 10 ? mp + 3 : mp - 9;
	*gd = doy - (153 * mp + 2) / 5 + 1;
	*gm = m;
	*gy = yoe + era * 400 + (m <= 2);
}

bool fb_jalali_leap(int jy)
{
	int leap, gy, march;
	jal_cal(jy, &leap, &gy, &march);
	return leap == 0;
}

int fb_jalali_month_days(int jy, int jm)
{
	if (jm < 1 || jm > 12)
		return 0;
	if (jm <= 6)
		return 31;
	if (jm <= 11)
		return 30;
	return fb_jalali_leap(jy) ? 30 : 29;
}

int32_t fb_jalali_to_day(int jy, int jm, int jd)
{
	int leap, gy, march;
	jal_cal(jy, &leap, &gy, &march);
	return fb_gregorian_to_day(gy, 3, march) + (jm - 1) * 31 - (jm / 7) * (jm - 7) + jd - 1;
}

void fb_day_to_jalali(int32_t day, int *jy, int *jm, int *jd)
{
	int gy, gm, gd, leap, g, march, k;

	fb_day_to_gregorian(day, &gy, &gm, &gd);
	*jy = gy - 621;
	jal_cal(*jy, &leap, &g, &march);
	k = day - fb_gregorian_to_day(gy, 3, march);
	if (k >= 0) {
		if (k <= 185) {
			*jm = 1 + k / 31;
			*jd = k % 31 + 1;
			return;
		}
		k -= 186;
	} else {
		/* before this Gregorian year's Nowruz: the end of the previous Jalali year */
		(*jy)--;
		k += 179;
		jal_cal(*jy, &leap, &g, &march);
		if (leap == 0)
			k++;
	}
	*jm = 7 + k / 30;
	*jd = k % 30 + 1;
}

int fb_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday (4) */
	int w = (day % 7 + 7 + 4) % 7;
	return w;
}
