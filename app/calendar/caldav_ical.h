/* caldav_ical.h — the small edits roomsign makes to a CalDAV resource before PUTting it back
 * (new end, the room declining). Pure: text in, text out; every property we do not touch is
 * kept, as RFC 4791 clients must. */
#pragma once
#include <stdbool.h>
#include "../core/event.h"

/* The event occurring at start (a single event, or one override of a series) now ends at
 * new_end; SEQUENCE, DTSTAMP and LAST-MODIFIED are bumped. Returns malloc'd text, or NULL with
 * *why_out a phrase ("it is one occurrence of a recurring series", …). */
char *caldav_ical_set_end(const char *text, rs_time start, rs_time new_end, rs_time now, const char **why_out);

/* The room (mailbox, an e-mail address) declines the event occurring at start: its ATTENDEE's
 * PARTSTAT becomes DECLINED. NULL with *why_out when the room is not an attendee, or the event
 * is one occurrence of a series. */
char *caldav_ical_decline(const char *text, const char *mailbox, rs_time start, rs_time now, const char **why_out);

/* Marks the event occurring at start as checked in (X-ROOMSIGN-CHECKED-IN:1), so every sign on
 * the room sees it. NULL with *why_out for a plain occurrence of a series or a missing event. */
char *caldav_ical_mark_checked_in(const char *text, rs_time start, rs_time now, const char **why_out);

enum caldav_release_verdict {
	CALDAV_RELEASE_DELETE,  /* the sign's own single booking: delete it */
	CALDAV_RELEASE_DECLINE, /* someone else's meeting: the room declines it */
	CALDAV_RELEASE_LEAVE,   /* moved, changed, checked in, or one occurrence of a series */
};

/* Judges a fresh copy of the resource just before a release (the re-read): the event the sign
 * saw at [start, end) must still be there, unmoved, and not checked in (X-ROOMSIGN-CHECKED-IN,
 * written by another sign on the room). It is the sign's own booking only when it carries the
 * marker (X-ROOMSIGN-BOOKED or a roomsign- UID) and what an outsider's invite cannot forge: its
 * ORGANIZER is one of owners (the room's mailbox, the service account), or it has neither
 * ORGANIZER nor ATTENDEE (no invite at all); and nothing in the resource recurs, so a series is
 * never deleted. *why_out says why for LEAVE. owners may hold NULLs. */
enum caldav_release_verdict caldav_ical_release_verdict(const char *text, rs_time start, rs_time end,
	const char *const *owners, size_t owner_count, const char **why_out);
