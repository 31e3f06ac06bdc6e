/* event.h — one calendar event, as every backend hands it to the rest of roomsign. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t rs_time; /* seconds since the epoch, UTC, everywhere inside */

enum show_as { SHOW_FREE, SHOW_TENTATIVE, SHOW_BUSY, SHOW_OOF, SHOW_ELSEWHERE };

struct event {
	rs_time start, end; /* [start, end) in UTC; all-day events converted in the room's zone */
	char *subject;      /* NULL when the calendar gives none */
	char *organizer;    /* display name, may be NULL */
	char *id, *version; /* backend handle: EWS ItemId+ChangeKey, Graph id, CalDAV href+ETag */
	rs_time created;    /* when the server created it (0: unknown); decides booking races */
	enum show_as show_as;
	bool all_day, is_private, booked_here, checked_in;
};

/* Frees the strings of an event (not the struct); accepts a zeroed event. */
void event_finish(struct event *event);
/* Deep copy; aborts on out-of-memory like every allocation in roomsign. */
void event_copy(struct event *dst, const struct event *src);
/* Blocks the room: busy, out of office or elsewhere (tentative counts as busy; free does not). */
bool event_blocks_room(const struct event *event);
/* Says the subject more than who booked: false when it is missing, blank, or (trimmed, ASCII
 * case-insensitive) the organizer's name, which is all an Exchange room mailbox leaves of it
 * by default (AddOrganizerToSubject, DeleteSubject). */
bool event_has_own_subject(const struct event *event);
const char *show_as_name(enum show_as show_as); /* "free", "tentative", … */
bool show_as_parse(const char *name, enum show_as *out);
