#include <stdlib.h>
#include "test_support.h"
#include "core/booking.h"
#include "core/xalloc.h"

static const int defaults[] = { 15, 30, 45, 60 };

static struct schedule *
with_meeting_at(const char *start, const char *end)
{
	struct event *e = xcalloc(1, sizeof(*e));
	e[0] = t_event(start, end, "Next");
	return schedule_create(0, t_utc("2027-01-01T00:00:00Z"), e, 1);
}

static void
test_booking_ends_on_five_minute_marks(void **state)
{
	assert_int_equal(booking_start(t_utc("2026-12-01T10:12:40Z")), t_utc("2026-12-01T10:12:00Z"));
	assert_int_equal(booking_end(t_utc("2026-12-01T10:12:40Z"), 30), t_utc("2026-12-01T10:45:00Z"));
	assert_int_equal(booking_end(t_utc("2026-12-01T10:15:00Z"), 30), t_utc("2026-12-01T10:45:00Z"));
}

static void
test_booking_offers_all_durations_when_the_day_is_free(void **state)
{
	int out[BOOKING_MAX_OPTIONS];
	size_t n = booking_durations(NULL, t_utc("2026-12-01T10:00:00Z"), defaults, 4, out, BOOKING_MAX_OPTIONS);
	assert_int_equal(n, 4);
	assert_int_equal(out[3], 60);
}

static void
test_booking_stops_before_next_meeting(void **state)
{
	struct schedule *s = with_meeting_at("2026-12-01T10:50:00Z", "2026-12-01T11:30:00Z");
	int out[BOOKING_MAX_OPTIONS];
	size_t n = booking_durations(s, t_utc("2026-12-01T10:00:00Z"), defaults, 4, out, BOOKING_MAX_OPTIONS);
	assert_int_equal(n, 4); /* 15, 30, 45 fit; then "until the meeting": 50 */
	assert_int_equal(out[2], 45);
	assert_int_equal(out[3], 50);
	assert_true(booking_end(t_utc("2026-12-01T10:00:00Z"), out[3]) <= t_utc("2026-12-01T10:50:00Z"));
	schedule_destroy(s);
}

static void
test_booking_needs_fifteen_free_minutes(void **state)
{
	struct schedule *s = with_meeting_at("2026-12-01T10:12:00Z", "2026-12-01T11:00:00Z");
	int out[BOOKING_MAX_OPTIONS];
	assert_int_equal(booking_durations(s, t_utc("2026-12-01T10:00:00Z"), defaults, 4, out, BOOKING_MAX_OPTIONS), 0);
	schedule_destroy(s);
}

static void
test_booking_nothing_while_busy(void **state)
{
	struct schedule *s = with_meeting_at("2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z");
	int out[BOOKING_MAX_OPTIONS];
	assert_int_equal(booking_durations(s, t_utc("2026-12-01T10:30:00Z"), defaults, 4, out, BOOKING_MAX_OPTIONS), 0);
	schedule_destroy(s);
}

static void
test_booking_extensions_stop_at_next_meeting(void **state)
{
	struct event *e = xcalloc(2, sizeof(*e));
	e[0] = t_event("2026-12-01T10:00:00Z", "2026-12-01T10:30:00Z", "Now");
	e[1] = t_event("2026-12-01T10:50:00Z", "2026-12-01T11:30:00Z", "Next");
	struct schedule *s = schedule_create(0, t_utc("2027-01-01T00:00:00Z"), e, 2);
	int out[2];
	assert_int_equal(booking_extensions(s, &s->events[0], out, 2), 1);
	assert_int_equal(out[0], 15);
	assert_int_equal(booking_extensions(s, &s->events[1], out, 2), 2);
	assert_int_equal(booking_extensions(s, NULL, out, 2), 0);
	schedule_destroy(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_booking_ends_on_five_minute_marks),
		cmocka_unit_test(test_booking_offers_all_durations_when_the_day_is_free),
		cmocka_unit_test(test_booking_stops_before_next_meeting),
		cmocka_unit_test(test_booking_needs_fifteen_free_minutes),
		cmocka_unit_test(test_booking_nothing_while_busy),
		cmocka_unit_test(test_booking_extensions_stop_at_next_meeting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
