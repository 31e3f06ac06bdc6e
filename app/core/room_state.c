#include "room_state.h"
#include <string.h>
#include "timeutil.h"

static bool
is_checked_in(const struct event *e, room_checked_in_fn fn, void *ctx)
{
	return e->checked_in || (fn && fn(e, ctx));
}

/* The meeting in its check-in window [start - before, start + grace), not yet checked in. */
static const struct event *
find_checkin(const struct room_state *s, rs_time now, const struct room_policy *p, room_checked_in_fn fn, void *ctx)
{
	const struct event *cands[2] = { s->current, s->next };
	for (size_t i = 0; i < 2; i++) {
		const struct event *e = cands[i];
		if (!e || is_checked_in(e, fn, ctx))
			continue;
		if (now >= e->start - p->checkin_before_min * TIME_MINUTE && now < e->end)
			return e;
	}
	return NULL;
}

void
room_state_compute(const struct schedule *schedule, rs_time now, const struct room_policy *policy,
	room_checked_in_fn checked_in, void *ctx, struct room_state *out)
{
	memset(out, 0, sizeof(*out));
	out->current = schedule_current(schedule, now);
	out->next = schedule_next(schedule, out->current ? out->current->start : now);
	while (out->next && out->current && out->next->start < now)
		out->next = schedule_next(schedule, out->next->start);
	out->busy_until = schedule_busy_until(schedule, now);
	if (out->current) {
		out->status = ROOM_BUSY;
	} else {
		out->free_until = schedule_free_until(schedule, now, time_day_end(now));
		bool soon = out->next && out->next->start - now <= policy->soon_min * TIME_MINUTE;
		out->status = soon ? ROOM_SOON : ROOM_FREE;
	}
	if (!policy->checkin)
		return;
	out->checkin = find_checkin(out, now, policy, checked_in, ctx);
	if (!out->checkin)
		return;
	out->checkin_deadline = out->checkin->start + policy->checkin_grace_min * TIME_MINUTE;
	out->release_due = now >= out->checkin_deadline;
	if (now >= out->checkin->start - policy->checkin_before_min * TIME_MINUTE)
		out->status = ROOM_CHECKIN;
}

bool
room_watched_since(rs_time watching_since, rs_time window_start)
{
	return watching_since > 0 && watching_since <= window_start;
}

bool
room_checkin_release_allowed(const struct room_state *state, const struct room_policy *policy, rs_time watching_since)
{
	const struct event *e = state->checkin;
	return e && state->release_due && policy->checkin &&
	       room_watched_since(watching_since, e->start - (rs_time)policy->checkin_before_min * TIME_MINUTE);
}

bool
room_motion_no_show(
	const struct event *current, rs_time now, rs_time last_motion, rs_time watching_since, int release_min)
{
	return current && release_min > 0 && last_motion < current->start && now < current->end &&
	       now >= current->start + (rs_time)release_min * TIME_MINUTE &&
	       room_watched_since(watching_since, current->start);
}

bool
room_release_still_due(const struct event *seen, const struct event *fresh, const char **why_out)
{
	const char *why = NULL;
	if (!seen->id || !fresh->id || strcmp(seen->id, fresh->id) != 0)
		why = "the server answered with another meeting";
	else if (fresh->start != seen->start || fresh->end != seen->end)
		why = "it was moved on the server meanwhile";
	else if (fresh->show_as != seen->show_as)
		why = "it was changed or cancelled on the server meanwhile";
	else if (fresh->checked_in)
		why = "someone checked in to it (at another sign)";
	if (why_out)
		*why_out = why;
	return why == NULL;
}
