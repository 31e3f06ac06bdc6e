/* timeutil.h — UTC instants in, local wall-clock out. The room's zone is the process's TZ,
 * set once at start (time_set_zone) before any thread starts; everything else is UTC. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "event.h"

#define TIME_MINUTE 60
#define TIME_HOUR   3600
#define TIME_DAY    86400

/* Makes zone (an IANA name like "Europe/Copenhagen") the room's zone. false when the zone
 * database has no such zone. NULL or "" keeps the system's zone. */
bool time_set_zone(const char *zone);
bool time_zone_exists(const char *zone);
/* "YYYY-MM-DDTHH:MM[:SS]Z" → instant. */
bool time_parse_utc(const char *s, rs_time *out);
/* "YYYY-MM-DDTHH:MM[:SS]" in the room's zone, or with a trailing Z in UTC. */
bool time_parse_now(const char *s, rs_time *out);
/* "YYYY-MM-DD" → local midnight that day. */
bool time_parse_date(const char *s, rs_time *out);
/* "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
void time_format_utc(rs_time t, char *buf, size_t size);
/* Local "HH:MM" into buf (at least 6 bytes). */
void time_format_hm(rs_time t, char *buf, size_t size);
/* The local broken-down time. */
void time_local(rs_time t, struct tm *out);
/* Local wall-clock → instant (DST gaps resolve forward like mktime). */
rs_time time_from_local(int year, int month, int day, int hour, int minute, int second);
/* Local midnight at or before t, and the next local midnight after it. */
rs_time time_day_start(rs_time t);
rs_time time_day_end(rs_time t);
/* Minutes after local midnight. */
int time_minute_of_day(rs_time t);
/* The wall clock, UTC. ROOMSIGN_CLOCK_OFFSET (seconds) and ROOMSIGN_CLOCK_SPEED shift and
 * accelerate it for soak and fault tests. */
rs_time time_now(void);
/* Makes time_now() return now from here on: frozen, or ticking on from it (tests, --now).
 * Call before threads start. */
void time_set_now(rs_time now, bool frozen);
/* ROOMSIGN_CLOCK_SPEED (1.0 normally): timers measured in wall-clock seconds (the refresh, the
 * minute tick) divide their real waits by it, so a soak test lives through a week in minutes. */
double time_speed(void);
/* A monotonic clock in ms. */
uint64_t time_mono_ms(void);
