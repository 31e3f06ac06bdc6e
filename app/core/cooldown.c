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
