#include "schedule.h"
#include <stdlib.h>
#include <string.h>
#include "xalloc.h"

/* Gaps shorter than this between meetings do not make the room free. */
#define MERGE_GAP_S 60

static int
compare_events(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return 0;
}

struct schedule *
schedule_create(rs_time from, rs_time to, struct event *events, size_t count)
{
	struct schedule *s = xcalloc(1, sizeof(*s));
	s->from = from;
	s->to = to;
	s->count = count;
	s->events = events;
	if (count > 1)
		qsort(s->events, count, sizeof(*events), compare_events);
	return s;
}

struct schedule *
schedule_copy(const struct schedule *schedule)
{
	struct event *events = xcalloc(schedule->count, sizeof(*events));
	for (size_t i = 0; i < schedule->count; i++)
		event_copy(&events[i], &schedule->events[i]);
	struct schedule *s = schedule_create(schedule->from, schedule->to, events, schedule->count);
	s->fetched_at = schedule->fetched_at;
	return s;
}

void
schedule_destroy(struct schedule *schedule)
{
	if (!schedule)
		return;
	for (size_t i = 0; i < schedule->count; i++)
		event_finish(&schedule->events[i]);
	free(schedule->events);
	free(schedule);
}

static bool
is_meeting(const struct event *e)
{
	return !e->all_day && event_blocks_room(e) && e->end > e->start;
}

const struct event *
schedule_current(const struct schedule *schedule, rs_time now)
{
	const struct event *best = NULL;
	if (!schedule)
		return NULL;
	for (size_t i = 0; i < schedule->count; i++) {
		const struct event *e = &schedule->events[i];
		if (e->start > now)
			break;
		if (is_meeting(e) && e->end > now)
			best = e;
	}
	return best;
}

const struct event *
schedule_next(const struct schedule *schedule, rs_time now)
{
	if (!schedule)
		return NULL;
	for (size_t i = 0; i < schedule->count; i++) {
		const struct event *e = &schedule->events[i];
		if (e->start > now && is_meeting(e))
			return e;
	}
	return NULL;
}

rs_time
schedule_busy_until(const struct schedule *schedule, rs_time now)
{
	rs_time until = now;
	if (!schedule)
		return now;
	for (size_t i = 0; i < schedule->count; i++) {
		const struct event *e = &schedule->events[i];
		if (is_meeting(e) && e->start <= now && e->end > until)
			until = e->end;
	}
	if (until == now)
		return now;
	/* Back-to-back meetings (and gaps under a minute) make one busy stretch. */
	for (bool grew = true; grew;) {
		grew = false;
		for (size_t i = 0; i < schedule->count; i++) {
			const struct event *e = &schedule->events[i];
			if (is_meeting(e) && e->start <= until + MERGE_GAP_S && e->end > until) {
				until = e->end;
				grew = true;
			}
		}
	}
	return until;
}

rs_time
schedule_free_until(const struct schedule *schedule, rs_time now, rs_time day_end)
{
	const struct event *next = schedule_next(schedule, now);
	if (!next || next->start >= day_end)
		return 0;
	return next->start;
}

struct schedule *
schedule_with(const struct schedule *schedule, const struct event *event)
{
	size_t n = schedule ? schedule->count : 0;
	struct event *events = xcalloc(n + 1, sizeof(*events));
	for (size_t i = 0; i < n; i++)
		event_copy(&events[i], &schedule->events[i]);
	event_copy(&events[n], event);
	struct schedule *s = schedule_create(
		schedule ? schedule->from : event->start, schedule ? schedule->to : event->end, events, n + 1);
	s->fetched_at = schedule ? schedule->fetched_at : 0;
	return s;
}

size_t
schedule_between(const struct schedule *schedule, rs_time from, rs_time to, const struct event **out, size_t max)
{
	size_t n = 0;
	if (!schedule)
		return 0;
	for (size_t i = 0; i < schedule->count && n < max; i++) {
		const struct event *e = &schedule->events[i];
		if (e->start < to && (e->end > from || (e->end == e->start && e->start >= from)))
			out[n++] = e;
	}
	return n;
}
