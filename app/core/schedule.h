/* schedule.h — the room's events for a window of time, and the questions the sign asks of them. */
#pragma once
#include "event.h"

struct schedule { /* immutable once built; sorted by start, then end */
	rs_time from, to, fetched_at;
	size_t count;
	struct event *events;
};

/* Takes ownership of events[0..count) (the array itself must come from malloc); sorts them.
 * Never NULL. Free with schedule_destroy(). */
struct schedule *schedule_create(rs_time from, rs_time to, struct event *events, size_t count);
struct schedule *schedule_copy(const struct schedule *schedule);
void schedule_destroy(struct schedule *schedule); /* accepts NULL */

/* The meeting that blocks the room at now (not all-day, not free), or NULL. When several
 * overlap, the one that started last. */
const struct event *schedule_current(const struct schedule *schedule, rs_time now);
/* The first blocking, not-all-day meeting starting after now, or NULL. */
const struct event *schedule_next(const struct schedule *schedule, rs_time now);
/* The end of the busy stretch that contains now, back-to-back meetings merged (gaps under
 * one minute are merged too); now itself when the room is free. */
rs_time schedule_busy_until(const struct schedule *schedule, rs_time now);
/* When the room next becomes busy after now; 0 when nothing blocks it before day_end. */
rs_time schedule_free_until(const struct schedule *schedule, rs_time now, rs_time day_end);
/* Adds an event (copied) to a copy of the schedule, as an optimistic view. */
struct schedule *schedule_with(const struct schedule *schedule, const struct event *event);
/* Events overlapping [from, to), all-day ones included, in order; returns the count written. */
size_t schedule_between(
	const struct schedule *schedule, rs_time from, rs_time to, const struct event **out, size_t max);
