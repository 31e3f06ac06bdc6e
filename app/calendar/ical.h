/* ical.h — iCalendar text (RFC 5545, through libical) to roomsign events, recurrences expanded. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "../core/event.h"

#define ICAL_MAX_EVENTS 20000 /* occurrences kept from one calendar */

struct ical_stats {
	size_t components; /* VEVENTs seen */
	size_t skipped;    /* malformed VEVENTs skipped (each logged once) */
};

/* Parses a VCALENDAR (or several concatenated) and appends every occurrence overlapping
 * [from, to) to the events array and count (growing the malloc'd array; it may start NULL).
 * RRULE/RDATE/EXDATE/RECURRENCE-ID applied, cancelled occurrences dropped, VTIMEZONEs and
 * Windows zone names resolved, floating times and all-day dates in the room's zone.
 * href/etag, when given, become each event's id/version (CalDAV). VEVENTs without a VCALENDAR
 * around them are read as one calendar. Returns false only when the text holds neither;
 * malformed components are skipped and counted. */
bool ical_parse_events(const char *text, size_t len, rs_time from, rs_time to, const char *href, const char *etag,
	struct event **events, size_t *count, struct ical_stats *stats);

/* The IANA zone for a Windows zone name ("W. Europe Standard Time") or display name
 * ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna") → "Europe/Berlin", or NULL. */
const char *ical_windows_zone(const char *windows_name);

/* A VCALENDAR with one VEVENT [start, end) in UTC, for CalDAV PUT. uid must be unique.
 * organizer_email/attendee_email may be NULL. Returns malloc'd text. */
char *ical_make_event(const char *uid, rs_time start, rs_time end, const char *subject, const char *organizer_email,
	const char *attendee_email, rs_time now);
