/* calendar_processing: when `roomsign check` judges that a room mailbox strips subjects. */
#include <stdio.h>
#include <stdlib.h>
#include "test_support.h"
#include "calendar/calendar_processing.h"
#include "core/schedule.h"
#include "core/xalloc.h"

struct meeting {
	const char *subject, *organizer;
	bool is_private, booked_here, free;
};

static struct schedule *
meetings(const struct meeting *m, size_t n)
{
	struct event *e = xcalloc(n ? n : 1, sizeof(*e));
	for (size_t i = 0; i < n; i++) {
		char start[48], end[48];
		snprintf(start, sizeof(start), "2026-12-0%zuT09:00:00Z", i + 1);
		snprintf(end, sizeof(end), "2026-12-0%zuT10:00:00Z", i + 1);
		e[i] = t_event(start, end, m[i].subject);
		e[i].organizer = xstrdup(m[i].organizer);
		e[i].is_private = m[i].is_private;
		e[i].booked_here = m[i].booked_here;
		if (m[i].free)
			e[i].show_as = SHOW_FREE;
	}
	return schedule_create(t_utc("2026-12-01T00:00:00Z"), t_utc("2026-12-09T00:00:00Z"), e, n);
}

static bool
strips(const struct meeting *m, size_t n, size_t *judged_out)
{
	struct schedule *s = meetings(m, n);
	bool stripped = calendar_processing_strips_subjects(s, judged_out);
	schedule_destroy(s);
	return stripped;
}

static void
test_calendar_processing_every_subject_the_organizer_is_stripped(void **state)
{
	const struct meeting m[] = { { .subject = "Bo Ek", .organizer = "Bo Ek" },
		{ .subject = " anna berg", .organizer = "Anna Berg" }, { .subject = NULL, .organizer = "Carl Dahl" },
		{ .subject = "", .organizer = NULL } };
	size_t judged;
	assert_true(strips(m, 4, &judged));
	assert_int_equal(judged, 4);
}

static void
test_calendar_processing_one_real_subject_is_enough(void **state)
{
	const struct meeting m[] = { { .subject = "Bo Ek", .organizer = "Bo Ek" },
		{ .subject = "Q3 review", .organizer = "Anna Berg" }, { .subject = NULL, .organizer = "Carl Dahl" } };
	size_t judged;
	assert_false(strips(m, 3, &judged));
	assert_int_equal(judged, 3);
}

static void
test_calendar_processing_needs_two_meetings_to_judge(void **state)
{
	const struct meeting m[] = { { .subject = "Bo Ek", .organizer = "Bo Ek" } };
	size_t judged;
	assert_false(strips(m, 1, &judged));
	assert_int_equal(judged, 1);
	assert_false(strips(NULL, 0, &judged));
	assert_int_equal(judged, 0);
	assert_false(calendar_processing_strips_subjects(NULL, &judged));
}

/* Private meetings lose their subject in our own parser, the sign's bookings never pass the room's
 * calendar processing, free events block nothing: none of them tells anything. */
static void
test_calendar_processing_ignores_private_own_and_free_events(void **state)
{
	const struct meeting m[] = {
		{ .subject = "Bo Ek", .organizer = "Bo Ek" },
		{ .subject = NULL, .organizer = "Eva", .is_private = true },
		{ .subject = "Ad-hoc meeting", .organizer = "Fjord (4.12)", .booked_here = true },
		{ .subject = "Canceled: Retro", .organizer = "Dag", .free = true },
		{ .subject = "Anna Berg", .organizer = "Anna Berg" },
	};
	size_t judged;
	assert_true(strips(m, 5, &judged));
	assert_int_equal(judged, 2);
	assert_false(strips(m, 4, &judged)); /* without Anna's: one left, too few */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calendar_processing_every_subject_the_organizer_is_stripped),
		cmocka_unit_test(test_calendar_processing_one_real_subject_is_enough),
		cmocka_unit_test(test_calendar_processing_needs_two_meetings_to_judge),
		cmocka_unit_test(test_calendar_processing_ignores_private_own_and_free_events),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
