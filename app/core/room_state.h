/* room_state.h — free, busy, starting soon or waiting for check-in, from the schedule and now. */
#pragma once
#include <stdbool.h>
#include "schedule.h"

enum room_status { ROOM_FREE, ROOM_BUSY, ROOM_SOON, ROOM_CHECKIN };

struct room_policy {
	int soon_min; /* a meeting this close counts as "starting soon" */
	bool checkin; /* meetings need a check-in at the sign */
	int checkin_before_min, checkin_grace_min;
};

/* Says whether a meeting was checked in (the main thread keeps that list). */
typedef bool (*room_checked_in_fn)(const struct event *event, void *ctx);

struct room_state {
	enum room_status status;
	const struct event *current; /* borrowed from the schedule; NULL when free */
	const struct event *next;    /* the next meeting after now (or after current) */
	rs_time busy_until;          /* end of the busy stretch (back-to-back merged) */
	rs_time free_until;          /* when free: next meeting's start, 0 = rest of the day */
	const struct event *checkin; /* the meeting awaiting check-in, or NULL */
	rs_time checkin_deadline;    /* when it will be released */
	bool release_due;            /* checkin's grace has passed: release it now */
};

void room_state_compute(const struct schedule *schedule, rs_time now, const struct room_policy *policy,
	room_checked_in_fn checked_in, void *ctx, struct room_state *out);

/* The restart rule, under every release: a sign releases a meeting only on evidence it observed
 * itself. watching_since is when this process first held a fresh schedule (0: not yet); nothing
 * from before it counts, so a sign restarted mid-meeting has seen neither the check-ins nor the
 * motion it missed. True when the sign has watched from window_start on. */
bool room_watched_since(rs_time watching_since, rs_time window_start);

/* The check-in no-show rule: state->checkin's grace has passed (release_due) and the sign watched
 * its whole check-in window, from checkin_before_min before its start. */
bool room_checkin_release_allowed(
	const struct room_state *state, const struct room_policy *policy, rs_time watching_since);

/* The motion sensor's no-show rule: a meeting in progress with no motion seen since its start
 * (last_motion, 0 = never) for release_min minutes, all of them watched by this process (see
 * room_watched_since). A sensor whose output stays high is motion (the caller sets last_motion
 * on the level, not only on edges). release_min <= 0: never. */
bool room_motion_no_show(
	const struct event *current, rs_time now, rs_time last_motion, rs_time watching_since, int release_min);

/* The re-read before a release: fresh is the meeting as the server holds it right now. True when
 * it is still the meeting the sign judged: same id, same start and end, same free/busy (not
 * cancelled), and not checked in (fresh->checked_in: at another sign on the room). Otherwise
 * false with *why_out a phrase for the log: a meeting moved or edited meanwhile is left alone. */
bool room_release_still_due(const struct event *seen, const struct event *fresh, const char **why_out);
