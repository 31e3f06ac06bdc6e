#include "cooldown.h"
#include <stdio.h>
#include <string.h>

uint64_t
cooldown_wait_ms(
	const struct cooldown *c, const struct cooldown_limits *limits, enum cooldown_kind kind, uint64_t now_ms)
{
	int s = kind == COOLDOWN_BOOKING ? limits->booking_s : limits->lookup_s;
	if (s <= 0 || !c->used[kind])
		return 0;
	uint64_t until = c->last_ms[kind] + (uint64_t)s * 1000u;
	return until > now_ms ? until - now_ms : 0;
}

void
cooldown_note(struct cooldown *c, enum cooldown_kind kind, uint64_t now_ms)
{
	c->used[kind] = true;
	c->last_ms[kind] = now_ms;
}

/* The same meeting: its id, and its start (an id a backend reuses for a new meeting starts
 * elsewhere). */
static bool
is_counted(const struct cooldown *c, const struct event *meeting)
{
	return meeting->id && strcmp(c->extended_id, meeting->id) == 0 && c->extended_start == meeting->start;
}

bool
cooldown_may_extend(
	const struct cooldown *c, const struct cooldown_limits *limits, const struct event *meeting, int minutes)
{
	if (limits->max_extend_min <= 0)
		return true;
	int done = is_counted(c, meeting) ? c->extended_min : 0;
	return done + minutes <= limits->max_extend_min;
}

void
cooldown_note_extend(struct cooldown *c, const struct event *meeting, int minutes)
{
	if (!is_counted(c, meeting)) {
		snprintf(c->extended_id, sizeof(c->extended_id), "%s", meeting->id ? meeting->id : "");
		c->extended_start = meeting->start;
		c->extended_min = 0;
	}
	c->extended_min += minutes;
}

/* The report the hourly limit waits out: the oldest of the last max_per_hour, if within an hour. */
static uint64_t
hourly_wait_ms(const struct cooldown *c, int per_hour, uint64_t now_ms)
{
	if (per_hour <= 0 || c->hour_count < (size_t)per_hour)
		return 0;
	size_t n = (size_t)per_hour > COOLDOWN_HOUR_MAX ? COOLDOWN_HOUR_MAX : (size_t)per_hour;
	/* the n-th latest: hour_next - 1 is the latest */
	uint64_t at = c->hour_ms[(c->hour_next + COOLDOWN_HOUR_MAX - n) % COOLDOWN_HOUR_MAX];
	uint64_t until = at + 3600u * 1000u;
	return until > now_ms ? until - now_ms : 0;
}

enum cooldown_report_wait
cooldown_report_wait(const struct cooldown *c, const struct cooldown_limits *limits, size_t problem, uint64_t now_ms,
	uint64_t *wait_ms_out)
{
	*wait_ms_out = 0;
	if (problem < COOLDOWN_PROBLEMS && limits->report_min > 0 && c->reported[problem]) {
		uint64_t until = c->reported_ms[problem] + (uint64_t)limits->report_min * 60000u;
		if (until > now_ms) {
			*wait_ms_out = until - now_ms;
			return COOLDOWN_REPORT_SAME_PROBLEM;
		}
	}
	*wait_ms_out = hourly_wait_ms(c, limits->report_per_hour, now_ms);
	return *wait_ms_out ? COOLDOWN_REPORT_HOURLY : COOLDOWN_REPORT_NOW;
}

void
cooldown_note_report(struct cooldown *c, size_t problem, uint64_t now_ms)
{
	if (problem < COOLDOWN_PROBLEMS) {
		c->reported[problem] = true;
		c->reported_ms[problem] = now_ms;
	}
	c->hour_ms[c->hour_next] = now_ms;
	c->hour_next = (c->hour_next + 1) % COOLDOWN_HOUR_MAX;
	if (c->hour_count < COOLDOWN_HOUR_MAX)
		c->hour_count++;
}

void
cooldown_forget_report(struct cooldown *c, size_t problem)
{
	if (problem < COOLDOWN_PROBLEMS)
		c->reported[problem] = false;
}
