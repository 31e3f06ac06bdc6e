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
