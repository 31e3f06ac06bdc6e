/* booking.h — what may be booked or changed now: the pure rules behind the buttons. */
#pragma once
#include <stddef.h>
#include "schedule.h"

#define BOOKING_MIN_MIN     15 /* nothing shorter is offered */
#define BOOKING_ROUND_MIN   5  /* bookings end on a 5-minute mark */
#define BOOKING_MAX_OPTIONS 9

/* A booking made now starts at the current minute. */
rs_time booking_start(rs_time now);
/* Its end for a duration: start + minutes, rounded up to the next 5-minute mark. */
rs_time booking_end(rs_time now, int minutes);
/* The durations (minutes) that can be booked now, in order: each configured duration whose
 * end is not past the next meeting; when some do not fit but at least 15 minutes are free,
 * the free time (rounded down to 5 minutes) is offered last. Empty when the room is busy. */
size_t booking_durations(
	const struct schedule *schedule, rs_time now, const int *durations, size_t count, int *out, size_t max);
/* The same rule for a room free from now until `until` (0: for the rest of the day and beyond),
 * known from free/busy rather than a schedule: another room on the "Find a room" list. */
size_t booking_durations_until(rs_time now, rs_time until, const int *durations, size_t count, int *out, size_t max);
/* Extensions (minutes, from {15, 30}) of `current` that end before the next meeting. */
size_t booking_extensions(const struct schedule *schedule, const struct event *current, int *out, size_t max);
