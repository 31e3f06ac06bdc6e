#include <stdlib.h>
#include "test_support.h"
#include "core/schedule.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

/* A day: 09:00-10:00, 10:00-10:30 (back to back), 10:30:30-11:00 (gap under a minute),
 * 13:00-14:00, a free 15:00 reminder, an all-day event. */
static struct schedule *
day(void)
{
	struct event *e = xcalloc(6, sizeof(*e));
	e[0] = t_event("2026-12-01T13:00:00Z", "2026-12-01T14:00:00Z", "Afternoon");
	e[1] = t_event("2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z", "First");
	e[2] = t_event("2026-12-01T10:00:00Z", "2026-12-01T10:30:00Z", "Second");
	e[3] = t_event("2026-12-01T10:30:30Z", "2026-12-01T11:00:00Z", "Third");
	e[4] = t_event("2026-12-01T15:00:00Z", "2026-12-01T15:15:00Z", "Reminder");
	e[4].show_as = SHOW_FREE;
	e[5] = t_event("2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z", "Offsite");
	e[5].all_day = true;
	return schedule_create(t_utc("2026-12-01T00:00:00Z"), t_utc("2026-12-02T00:00:00Z"), e, 6);
}

static void
test_schedule_sorts_by_start(void **state)
{
	struct schedule *s = day();
	for (size_t i = 1; i < s->count; i++)
		assert_true(s->events[i - 1].start <= s->events[i].start);
	schedule_destroy(s);
}

static void
test_schedule_current_ignores_all_day_and_free(void **state)
{
	struct schedule *s = day();
	assert_null(schedule_current(s, t_utc("2026-12-01T08:00:00Z")));
	assert_string_equal(schedule_current(s, t_utc("2026-12-01T09:30:00Z"))->subject, "First");
	assert_string_equal(schedule_current(s, t_utc("2026-12-01T10:00:00Z"))->subject, "Second");
	assert_null(schedule_current(s, t_utc("2026-12-01T15:05:00Z"))); /* free reminder */
	assert_null(schedule_current(s, t_utc("2026-12-01T14:00:00Z"))); /* end is exclusive */
	schedule_destroy(s);
}

static void
test_schedule_next_skips_current_and_free(void **state)
{
	struct schedule *s = day();
	assert_string_equal(schedule_next(s, t_utc("2026-12-01T08:00:00Z"))->subject, "First");
	assert_string_equal(schedule_next(s, t_utc("2026-12-01T11:00:00Z"))->subject, "Afternoon");
	assert_null(schedule_next(s, t_utc("2026-12-01T14:30:00Z")));
	schedule_destroy(s);
}

static void
test_schedule_busy_until_merges_back_to_back(void **state)
{
	struct schedule *s = day();
	assert_int_equal(schedule_busy_until(s, t_utc("2026-12-01T09:15:00Z")), t_utc("2026-12-01T11:00:00Z"));
	assert_int_equal(schedule_busy_until(s, t_utc("2026-12-01T13:15:00Z")), t_utc("2026-12-01T14:00:00Z"));
	rs_time free_now = t_utc("2026-12-01T12:00:00Z");
	assert_int_equal(schedule_busy_until(s, free_now), free_now);
	schedule_destroy(s);
}

static void
test_schedule_free_until_next_meeting_or_rest_of_day(void **state)
{
	struct schedule *s = day();
	rs_time day_end = t_utc("2026-12-02T00:00:00Z");
	assert_int_equal(schedule_free_until(s, t_utc("2026-12-01T11:30:00Z"), day_end), t_utc("2026-12-01T13:00:00Z"));
	assert_int_equal(schedule_free_until(s, t_utc("2026-12-01T14:30:00Z"), day_end), 0);
	/* a meeting tomorrow does not limit today */
	assert_int_equal(schedule_free_until(s, t_utc("2026-12-01T11:30:00Z"), t_utc("2026-12-01T12:00:00Z")), 0);
	schedule_destroy(s);
}

static void
test_schedule_with_adds_a_copy(void **state)
{
	struct schedule *s = day();
	struct event booked = t_event("2026-12-01T12:00:00Z", "2026-12-01T12:30:00Z", "Ad-hoc");
	struct schedule *t = schedule_with(s, &booked);
	assert_int_equal(t->count, s->count + 1);
	assert_string_equal(schedule_current(t, t_utc("2026-12-01T12:10:00Z"))->subject, "Ad-hoc");
	assert_null(schedule_current(s, t_utc("2026-12-01T12:10:00Z")));
	event_finish(&booked);
	schedule_destroy(t);
	struct schedule *c = schedule_copy(s);
	assert_int_equal(c->count, s->count);
	schedule_destroy(c);
	schedule_destroy(s);
	schedule_destroy(NULL);
}

static void
test_schedule_between_lists_overlaps(void **state)
{
	struct schedule *s = day();
	const struct event *out[8];
	size_t n = schedule_between(s, t_utc("2026-12-01T09:45:00Z"), t_utc("2026-12-01T10:15:00Z"), out, 8);
	assert_int_equal(n, 3); /* all-day, First, Second */
	schedule_destroy(s);
}

/* A day in Copenhagen that loses or gains an hour: the room's "today" comes from the zone
 * (time_day_start/time_day_end), never start + 24 h, and meetings across the change keep their
 * real length. */
static void
test_schedule_spring_forward_day(void **state)
{
	assert_true(time_set_zone("Europe/Copenhagen"));
	rs_time from = time_day_start(t_utc("2026-03-29T10:00:00Z")), to = time_day_end(from);
	struct event *e = xcalloc(3, sizeof(*e));
	e[0] = t_event("2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z", "Across the change"); /* 01:30-03:30 */
	e[1] = t_event("2026-03-29T21:30:00Z", "2026-03-29T21:55:00Z", "Late");              /* 23:30 CEST */
	e[2] = t_event("2026-03-29T22:15:00Z", "2026-03-29T23:00:00Z", "Tomorrow");          /* 00:15 on the 30th */
	struct schedule *s = schedule_create(from, to, e, 3);
	const struct event *out[4];
	assert_int_equal(schedule_between(s, from, to, out, 4), 2);
	assert_string_equal(out[1]->subject, "Late");
	assert_int_equal(schedule_busy_until(s, t_utc("2026-03-29T00:45:00Z")), t_utc("2026-03-29T01:30:00Z"));
	char hm[8];
	time_format_hm(schedule_busy_until(s, t_utc("2026-03-29T00:45:00Z")), hm, sizeof(hm));
	assert_string_equal(hm, "03:30"); /* one real hour after 01:30 */
	assert_int_equal(schedule_free_until(s, t_utc("2026-03-29T20:00:00Z"), to), t_utc("2026-03-29T21:30:00Z"));
	assert_int_equal(schedule_free_until(s, t_utc("2026-03-29T21:58:00Z"), to), 0); /* "Tomorrow" is not today */
	schedule_destroy(s);
	assert_true(time_set_zone("UTC"));
}

static void
test_schedule_fall_back_day(void **state)
{
	assert_true(time_set_zone("Europe/Copenhagen"));
	rs_time from = time_day_start(t_utc("2026-10-25T10:00:00Z")), to = time_day_end(from);
	struct event *e = xcalloc(2, sizeof(*e));
	e[0] = t_event("2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "Twice 02:30"); /* CEST → CET */
	e[1] = t_event("2026-10-25T22:30:00Z", "2026-10-25T22:55:00Z", "Late");        /* 23:30 CET, the 25th hour */
	struct schedule *s = schedule_create(from, to, e, 2);
	const struct event *out[4];
	assert_int_equal(schedule_between(s, from, to, out, 4), 2);
	assert_int_equal(schedule_current(s, t_utc("2026-10-25T01:15:00Z"))->end - out[0]->start, 3600);
	/* At 22:00 local (21:00Z) the late meeting still lies in today: the day has 25 hours. */
	assert_int_equal(schedule_free_until(s, t_utc("2026-10-25T21:00:00Z"), to), t_utc("2026-10-25T22:30:00Z"));
	schedule_destroy(s);
	assert_true(time_set_zone("UTC"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule_sorts_by_start),
		cmocka_unit_test(test_schedule_spring_forward_day),
		cmocka_unit_test(test_schedule_fall_back_day),
		cmocka_unit_test(test_schedule_current_ignores_all_day_and_free),
		cmocka_unit_test(test_schedule_next_skips_current_and_free),
		cmocka_unit_test(test_schedule_busy_until_merges_back_to_back),
		cmocka_unit_test(test_schedule_free_until_next_meeting_or_rest_of_day),
		cmocka_unit_test(test_schedule_with_adds_a_copy),
		cmocka_unit_test(test_schedule_between_lists_overlaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
