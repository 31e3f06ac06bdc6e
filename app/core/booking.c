#include "booking.h"
#include "timeutil.h"

rs_time
booking_start(rs_time now)
{
	return now - now % TIME_MINUTE;
}

rs_time
booking_end(rs_time now, int minutes)
{
	const rs_time step = BOOKING_ROUND_MIN * TIME_MINUTE;
	rs_time end = booking_start(now) + (rs_time)minutes * TIME_MINUTE;
	return (end + step - 1) / step * step;
}

/* The instant the room stops being free after now (far future when nothing follows). */
static rs_time
limit(const struct schedule *schedule, rs_time now)
{
	const struct event *next = schedule_next(schedule, now);
	return next ? next->start : now + 7 * TIME_DAY;
}

size_t
booking_durations(
	const struct schedule *schedule, rs_time now, const int *durations, size_t count, int *out, size_t max)
{
	if (schedule_current(schedule, now))
		return 0;
	return booking_durations_until(now, limit(schedule, now), durations, count, out, max);
}

size_t
booking_durations_until(rs_time now, rs_time until, const int *durations, size_t count, int *out, size_t max)
{
	size_t n = 0;
	if (until == 0)
		until = now + 7 * TIME_DAY;
	bool all_fit = true;
	for (size_t i = 0; i < count && n < max; i++) {
		if (durations[i] < BOOKING_MIN_MIN)
			continue;
		if (booking_end(now, durations[i]) <= until)
			out[n++] = durations[i];
		else
			all_fit = false;
	}
	rs_time gap_min = (until - booking_start(now)) / TIME_MINUTE;
	int rest = (int)(gap_min - gap_min % BOOKING_ROUND_MIN);
	if (!all_fit && rest >= BOOKING_MIN_MIN && n < max && (n == 0 || out[n - 1] < rest) &&
		booking_end(now, rest) <= until)
		out[n++] = rest;
	return n;
}

size_t
booking_extensions(const struct schedule *schedule, const struct event *current, int *out, size_t max)
{
	static const int steps[] = { 15, 30 };
	size_t n = 0;
	if (!current)
		return 0;
	const struct event *next = schedule_next(schedule, current->end - 1);
	while (next && (next == current || next->start < current->end))
		next = schedule_next(schedule, next->start);
	for (size_t i = 0; i < 2 && n < max; i++)
		if (!next || current->end + steps[i] * TIME_MINUTE <= next->start)
			out[n++] = steps[i];
	return n;
}
