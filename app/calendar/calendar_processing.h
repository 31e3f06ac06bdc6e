/* calendar_processing.h — what an Exchange room mailbox's calendar processing leaves of the
 * meetings it accepts, judged for `roomsign check`, with the Exchange admin's fix. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "source.h"

#define CALENDAR_PROCESSING_DAYS     7 /* the window `roomsign check` judges, from now */
#define CALENDAR_PROCESSING_MIN_SEEN 2 /* fewer meetings than this: too few to tell */

/* true when at least CALENDAR_PROCESSING_MIN_SEEN meetings of sch were judged and not one has a
 * subject of its own (event_has_own_subject). Private meetings (the sign drops their subject),
 * the sign's own bookings and events that do not block the room are not judged; *judged_out
 * says how many were. */
bool calendar_processing_strips_subjects(const struct schedule *sch, size_t *judged_out);

/* `roomsign check`, EWS and Graph rooms only (nothing for other sources): reads the next
 * CALENDAR_PROCESSING_DAYS days and reports a room mailbox that strips subjects as a problem
 * whose fix is the Set-CalendarProcessing line for the configured mailbox. */
void calendar_processing_check(struct source *s, check_report_fn report, void *ctx);
