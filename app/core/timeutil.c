#include "timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>

bool
time_zone_exists(const char *zone)
{
	char path[512];
	struct stat st;
	if (!zone || !*zone || zone[0] == '/' || strstr(zone, ".."))
		return false;
	if (strcmp(zone, "UTC") == 0)
		return true;
	const char *dir = getenv("TZDIR");
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "/usr/share/zoneinfo", zone);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool
time_set_zone(const char *zone)
{
	if (!zone || !*zone) {
		tzset();
		return true;
	}
	if (!time_zone_exists(zone))
		return false;
	char value[300];
	snprintf(value, sizeof(value), ":%s", zone);
	setenv("TZ", value, 1);
	tzset();
	return true;
}

static bool
parse_fields(const char *s, int *y, int *mo, int *d, int *h, int *mi, int *sec, const char **rest)
{
	int n = 0;
	*h = *mi = *sec = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", y, mo, d, &n) != 3 || n != 10)
		return false;
	s += n;
	if (*s == 'T' || *s == ' ') {
		int m = 0;
		if (sscanf(s + 1, "%2d:%2d%n", h, mi, &m) != 2 || m != 5)
			return false;
		s += 1 + m;
		if (*s == ':') {
			if (sscanf(s + 1, "%2d%n", sec, &m) != 1 || m != 2)
				return false;
			s += 3;
		}
	}
	*rest = s;
	return *mo >= 1 && *mo <= 12 && *d >= 1 && *d <= 31 && *h >= 0 && *h <= 23 && *mi >= 0 && *mi <= 59 &&
	       *sec >= 0 && *sec <= 60 && *y >= 1970 && *y <= 9999;
}

static rs_time
from_utc_fields(int y, int mo, int d, int h, int mi, int sec)
{
	struct tm tm = {
		.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec
	};
	return (rs_time)timegm(&tm);
}

bool
time_parse_utc(const char *s, rs_time *out)
{
	int y, mo, d, h, mi, sec;
	const char *rest;
	if (!s || !parse_fields(s, &y, &mo, &d, &h, &mi, &sec, &rest) || strcmp(rest, "Z") != 0)
		return false;
	*out = from_utc_fields(y, mo, d, h, mi, sec);
	return true;
}

bool
time_parse_now(const char *s, rs_time *out)
{
	int y, mo, d, h, mi, sec;
	const char *rest;
	if (!s || !parse_fields(s, &y, &mo, &d, &h, &mi, &sec, &rest))
		return false;
	if (strcmp(rest, "Z") == 0)
		*out = from_utc_fields(y, mo, d, h, mi, sec);
	else if (*rest == '\0')
		*out = time_from_local(y, mo, d, h, mi, sec);
	else
		return false;
	return true;
}

bool
time_parse_date(const char *s, rs_time *out)
{
	int y, mo, d, h, mi, sec;
	const char *rest;
	if (!s || strlen(s) != 10 || !parse_fields(s, &y, &mo, &d, &h, &mi, &sec, &rest) || *rest)
		return false;
	*out = time_from_local(y, mo, d, 0, 0, 0);
	return true;
}

void
time_format_utc(rs_time t, char *buf, size_t size)
{
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
time_local(rs_time t, struct tm *out)
{
	time_t tt = (time_t)t;
	localtime_r(&tt, out);
}

void
time_format_hm(rs_time t, char *buf, size_t size)
{
	struct tm tm;
	time_local(t, &tm);
	snprintf(buf, size, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

rs_time
time_from_local(int year, int month, int day, int hour, int minute, int second)
{
	struct tm tm = { .tm_year = year - 1900,
		.tm_mon = month - 1,
		.tm_mday = day,
		.tm_hour = hour,
		.tm_min = minute,
		.tm_sec = second,
		.tm_isdst = -1 };
	return (rs_time)mktime(&tm);
}

rs_time
time_day_start(rs_time t)
{
	struct tm tm;
	time_local(t, &tm);
	return time_from_local(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, 0, 0, 0);
}

rs_time
time_day_end(rs_time t)
{
	struct tm tm;
	time_local(t, &tm);
	/* mktime normalises day 32 etc.; going through the date keeps 23- and 25-hour days right. */
	return time_from_local(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday + 1, 0, 0, 0);
}

int
time_minute_of_day(rs_time t)
{
	struct tm tm;
	time_local(t, &tm);
	return tm.tm_hour * 60 + tm.tm_min;
}

uint64_t
time_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct {
	pthread_once_t once;
	double offset_s, speed;
	uint64_t mono_start;
	rs_time wall_start;
	bool frozen;
	rs_time frozen_at;
} clock_state = { .once = PTHREAD_ONCE_INIT, .speed = 1.0 };

static void
clock_load(void)
{
	const char *o = getenv("ROOMSIGN_CLOCK_OFFSET");
	const char *s = getenv("ROOMSIGN_CLOCK_SPEED");
	clock_state.offset_s = o ? strtod(o, NULL) : 0;
	clock_state.speed = s ? strtod(s, NULL) : 1.0;
	if (!(clock_state.speed > 0 && clock_state.speed <= 100000))
		clock_state.speed = 1.0;
	clock_state.mono_start = time_mono_ms();
	clock_state.wall_start = (rs_time)time(NULL);
}

void
time_set_now(rs_time now, bool frozen)
{
	pthread_once(&clock_state.once, clock_load);
	clock_state.frozen = frozen;
	clock_state.frozen_at = now;
	clock_state.offset_s = 0;
	clock_state.offset_s = (double)(now - time_now());
}

double
time_speed(void)
{
	pthread_once(&clock_state.once, clock_load);
	return clock_state.frozen ? 1.0 : clock_state.speed;
}

rs_time
time_now(void)
{
	pthread_once(&clock_state.once, clock_load);
	if (clock_state.frozen)
		return clock_state.frozen_at;
	if (clock_state.speed == 1.0)
		return (rs_time)time(NULL) + (rs_time)clock_state.offset_s;
	double elapsed_s = (double)(time_mono_ms() - clock_state.mono_start) / 1000.0;
	return clock_state.wall_start + (rs_time)clock_state.offset_s + (rs_time)(elapsed_s * clock_state.speed);
}
