#include <stdlib.h>
#include <string.h>
#include "test_support.h"
#include "core/room_state.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

static const struct room_policy plain = { .soon_min = 10 };
static const struct room_policy checkin = {
	.soon_min = 10, .checkin = true, .checkin_before_min = 5, .checkin_grace_min = 10
};

static struct schedule *
two_meetings(void)
{
	struct event *e = xcalloc(3, sizeof(*e));
	e[0] = t_event("2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z", "A");
	e[1] = t_event("2026-12-01T10:00:00Z", "2026-12-01T10:30:00Z", "B");
	e[2] = t_event("2026-12-01T13:00:00Z", "2026-12-01T14:00:00Z", "C");
	e[2].show_as = SHOW_TENTATIVE;
	return schedule_create(0, t_utc("2027-01-01T00:00:00Z"), e, 3);
}

static int
utc(void **state)
{
	(void)state;
	return time_set_zone("UTC") ? 0 : -1;
}

static void
test_room_free_until_next(void **state)
{
	struct schedule *s = two_meetings();
	struct room_state r;
	room_state_compute(s, t_utc("2026-12-01T11:00:00Z"), &plain, NULL, NULL, &r);
	assert_int_equal(r.status, ROOM_FREE);
	assert_int_equal(r.free_until, t_utc("2026-12-01T13:00:00Z"));
	assert_string_equal(r.next->subject, "C");
	room_state_compute(s, t_utc("2026-12-01T15:00:00Z"), &plain, NULL, NULL, &r);
	assert_int_equal(r.status, ROOM_FREE);
	assert_int_equal(r.free_until, 0); /* rest of the day */
	schedule_destroy(s);
}

static void
test_room_busy_until_end_of_back_to_back(void **state)
{
	struct schedule *s = two_meetings();
	struct room_state r;
	room_state_compute(s, t_utc("2026-12-01T09:30:00Z"), &plain, NULL, NULL, &r);
	assert_int_equal(r.status, ROOM_BUSY);
	assert_string_equal(r.current->subject, "A");
	assert_int_equal(r.busy_until, t_utc("2026-12-01T10:30:00Z"));
	assert_string_equal(r.next->subject, "B");
	schedule_destroy(s);
}

static void
test_room_starting_soon_is_configurable(void **state)
{
	struct schedule *s = two_meetings();
	struct room_state r;
	room_state_compute(s, t_utc("2026-12-01T12:52:00Z"), &plain, NULL, NULL, &r);
	assert_int_equal(r.status, ROOM_SOON); /* tentative still blocks */
	struct room_policy wide = { .soon_min = 30 };
	room_state_compute(s, t_utc("2026-12-01T12:35:00Z"), &wide, NULL, NULL, &r);
	assert_int_equal(r.status, ROOM_SOON);
	room_state_compute(s, t_utc("2026-12-01T12:35:00Z"), &plain, NULL, NULL, &r);
	assert_int_equal(r.status, ROOM_FREE);
	schedule_destroy(s);
}

static bool
checked(const struct event *e, void *ctx)
{
	return strcmp(e->subject, ctx) == 0;
}

static void
test_room_checkin_window_and_release(void **state)
{
	struct schedule *s = two_meetings();
	struct room_state r;
	room_state_compute(s, t_utc("2026-12-01T12:56:00Z"), &checkin, NULL, NULL, &r);
	assert_int_equal(r.status, ROOM_CHECKIN);
	assert_string_equal(r.checkin->subject, "C");
	assert_false(r.release_due);
	assert_int_equal(r.checkin_deadline, t_utc("2026-12-01T13:10:00Z"));
	room_state_compute(s, t_utc("2026-12-01T13:10:00Z"), &checkin, NULL, NULL, &r);
	assert_true(r.release_due);
	room_state_compute(s, t_utc("2026-12-01T13:05:00Z"), &checkin, checked, "C", &r);
	assert_null(r.checkin);
	assert_int_equal(r.status, ROOM_BUSY);
	room_state_compute(s, t_utc("2026-12-01T12:50:00Z"), &checkin, NULL, NULL, &r);
	assert_int_equal(r.status, ROOM_SOON); /* window opens 5 min before */
	schedule_destroy(s);
}

static void
test_room_motion_no_show(void **state)
{
	struct event e = t_event("2026-12-01T13:00:00Z", "2026-12-01T14:00:00Z", "C");
	rs_time start = e.start, minute = TIME_MINUTE, w = start - 30 * minute;                /* watching since */
	assert_false(room_motion_no_show(&e, start + 14 * minute, 0, w, 15));                  /* not yet */
	assert_true(room_motion_no_show(&e, start + 15 * minute, 0, w, 15));                   /* nobody came */
	assert_true(room_motion_no_show(&e, start + 15 * minute, start - 5 * minute, w, 15));  /* motion before */
	assert_false(room_motion_no_show(&e, start + 30 * minute, start + 2 * minute, w, 15)); /* motion during */
	assert_false(room_motion_no_show(&e, start + 15 * minute, 0, w, 0));                   /* rule off */
	assert_false(room_motion_no_show(&e, e.end, 0, w, 15));                                /* over */
	assert_false(room_motion_no_show(NULL, start + 20 * minute, 0, w, 15));                /* the room is free */
	assert_true(room_motion_no_show(&e, start + 15 * minute, 0, start, 15)); /* watched from the start */
	event_finish(&e);
}

/* A sign restarted (watchdog, power blip) 3 minutes into a meeting and back 15 minutes in has seen
 * neither the motion nor the check-ins of the minutes it was down: it releases nothing. */
static void
test_room_restart_releases_nothing(void **state)
{
	struct event e = t_event("2026-12-01T13:00:00Z", "2026-12-01T14:00:00Z", "C");
	rs_time start = e.start, minute = TIME_MINUTE;
	rs_time back = start + 15 * minute; /* first fresh schedule after the restart */
	assert_false(room_motion_no_show(&e, back, 0, back, 10));
	assert_false(room_motion_no_show(&e, start + 40 * minute, 0, back, 10)); /* not later either */
	assert_false(room_motion_no_show(&e, back, 0, 0, 10));                   /* no fresh schedule yet */
	assert_false(room_motion_no_show(&e, back, 0, start + 1, 10));           /* missed the first second */
	assert_false(room_watched_since(0, start));
	assert_true(room_watched_since(start, start));
	assert_false(room_watched_since(start + 1, start));
	event_finish(&e);
}

static void
test_room_checkin_release_needs_the_whole_window_watched(void **state)
{
	struct schedule *s = two_meetings(); /* C at 13:00; check-in opens 12:55, grace 10 minutes */
	struct room_state r;
	room_state_compute(s, t_utc("2026-12-01T13:15:00Z"), &checkin, NULL, NULL, &r);
	assert_true(r.release_due);
	assert_true(room_checkin_release_allowed(&r, &checkin, t_utc("2026-12-01T12:40:00Z")));
	assert_true(room_checkin_release_allowed(&r, &checkin, t_utc("2026-12-01T12:55:00Z")));
	assert_false(room_checkin_release_allowed(&r, &checkin, t_utc("2026-12-01T12:55:01Z")));
	assert_false(room_checkin_release_allowed(&r, &checkin, t_utc("2026-12-01T13:15:00Z"))); /* restarted */
	assert_false(room_checkin_release_allowed(&r, &checkin, 0)); /* no fresh schedule yet */
	room_state_compute(s, t_utc("2026-12-01T13:05:00Z"), &checkin, NULL, NULL, &r);
	assert_false(room_checkin_release_allowed(&r, &checkin, t_utc("2026-12-01T12:40:00Z"))); /* grace runs */
	room_state_compute(s, t_utc("2026-12-01T13:15:00Z"), &checkin, checked, "C", &r);
	assert_false(room_checkin_release_allowed(&r, &checkin, t_utc("2026-12-01T12:40:00Z"))); /* checked in */
	schedule_destroy(s);
}

static void
test_room_release_needs_the_same_meeting_on_the_server(void **state)
{
	struct event seen = t_event("2026-12-01T13:00:00Z", "2026-12-01T14:00:00Z", "C");
	struct event fresh = { 0 };
	const char *why = "unset";
	seen.id = xstrdup("AAMk-1");
	event_copy(&fresh, &seen);
	assert_true(room_release_still_due(&seen, &fresh, &why));
	assert_null(why);
	fresh.start += 30 * TIME_MINUTE; /* moved in Outlook meanwhile */
	assert_false(room_release_still_due(&seen, &fresh, &why));
	assert_string_equal(why, "it was moved on the server meanwhile");
	fresh.start = seen.start;
	fresh.end += 15 * TIME_MINUTE;
	assert_false(room_release_still_due(&seen, &fresh, &why));
	fresh.end = seen.end;
	fresh.show_as = SHOW_FREE; /* cancelled */
	assert_false(room_release_still_due(&seen, &fresh, &why));
	fresh.show_as = seen.show_as;
	fresh.checked_in = true; /* at the other door's sign */
	assert_false(room_release_still_due(&seen, &fresh, &why));
	assert_string_equal(why, "someone checked in to it (at another sign)");
	fresh.checked_in = false;
	free(fresh.id);
	fresh.id = xstrdup("AAMk-2");
	assert_false(room_release_still_due(&seen, &fresh, &why));
	event_finish(&seen);
	event_finish(&fresh);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_room_free_until_next, utc),
		cmocka_unit_test_setup(test_room_busy_until_end_of_back_to_back, utc),
		cmocka_unit_test_setup(test_room_starting_soon_is_configurable, utc),
		cmocka_unit_test_setup(test_room_checkin_window_and_release, utc),
		cmocka_unit_test_setup(test_room_motion_no_show, utc),
		cmocka_unit_test_setup(test_room_restart_releases_nothing, utc),
		cmocka_unit_test_setup(test_room_checkin_release_needs_the_whole_window_watched, utc),
		cmocka_unit_test_setup(test_room_release_needs_the_same_meeting_on_the_server, utc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
