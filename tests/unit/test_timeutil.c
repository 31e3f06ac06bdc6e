#include "test_support.h"
#include "core/timeutil.h"

static void
test_time_parses_utc_and_local(void **state)
{
	rs_time t;
	assert_true(time_set_zone("Europe/Copenhagen"));
	assert_true(time_parse_now("2026-12-01T10:15", &t));
	assert_int_equal(t, t_utc("2026-12-01T09:15:00Z"));
	assert_true(time_parse_now("2026-07-01T10:15", &t));
	assert_int_equal(t, t_utc("2026-07-01T08:15:00Z")); /* summer time */
	assert_true(time_parse_now("2026-12-01T10:15Z", &t));
	assert_int_equal(t, t_utc("2026-12-01T10:15:00Z"));
	assert_false(time_parse_now("2026-13-01T10:15", &t));
	assert_false(time_parse_now("yesterday", &t));
	assert_false(time_parse_utc("2026-12-01T10:15:00", &t));
	assert_true(time_parse_date("2026-12-01", &t));
	assert_int_equal(t, t_utc("2026-11-30T23:00:00Z"));
	assert_false(time_parse_date("2026-12-01T00:00", &t));
}

static void
test_time_days_are_local_and_dst_aware(void **state)
{
	assert_true(time_set_zone("Europe/Copenhagen"));
	rs_time noon = t_utc("2026-10-25T11:00:00Z"); /* DST ends that night */
	assert_int_equal(time_day_start(noon), t_utc("2026-10-24T22:00:00Z"));
	assert_int_equal(time_day_end(noon) - time_day_start(noon), 25 * 3600);
	char buf[32];
	time_format_hm(t_utc("2026-12-01T09:05:00Z"), buf, sizeof(buf));
	assert_string_equal(buf, "10:05");
	time_format_utc(t_utc("2026-12-01T09:05:00Z"), buf, sizeof(buf));
	assert_string_equal(buf, "2026-12-01T09:05:00Z");
	assert_int_equal(time_minute_of_day(t_utc("2026-12-01T09:05:00Z")), 10 * 60 + 5);
}

/* Spring forward in Copenhagen, 29 March 2026: 02:00 CET becomes 03:00 CEST, "today" has 23 h. */
static void
test_time_spring_forward_day_has_23_hours(void **state)
{
	assert_true(time_set_zone("Europe/Copenhagen"));
	rs_time noon = t_utc("2026-03-29T10:00:00Z");
	assert_int_equal(time_day_start(noon), t_utc("2026-03-28T23:00:00Z"));
	assert_int_equal(time_day_end(noon), t_utc("2026-03-29T22:00:00Z"));
	assert_int_equal(time_day_end(noon) - time_day_start(noon), 23 * 3600);
	/* The last second of CET and the first of CEST are one second apart, an hour apart on the wall. */
	assert_int_equal(time_minute_of_day(t_utc("2026-03-29T00:59:00Z")), 1 * 60 + 59);
	assert_int_equal(time_minute_of_day(t_utc("2026-03-29T01:00:00Z")), 3 * 60);
	/* 02:30 does not exist that day: it resolves forward, to 03:30 CEST. */
	assert_int_equal(time_from_local(2026, 3, 29, 2, 30, 0), t_utc("2026-03-29T01:30:00Z"));
	/* The next day is 24 hours long again and starts at the shorter day's end. */
	assert_int_equal(time_day_start(t_utc("2026-03-29T22:30:00Z")), t_utc("2026-03-29T22:00:00Z"));
	assert_int_equal(time_day_end(t_utc("2026-03-29T22:30:00Z")), t_utc("2026-03-30T22:00:00Z"));
}

/* Fall back, 25 October 2026: 03:00 CEST becomes 02:00 CET, "today" has 25 h and 02:30 twice. */
static void
test_time_fall_back_day_has_25_hours(void **state)
{
	assert_true(time_set_zone("Europe/Copenhagen"));
	rs_time late = t_utc("2026-10-25T22:30:00Z"); /* 23:30 CET, still the 25th */
	assert_int_equal(time_day_start(late), t_utc("2026-10-24T22:00:00Z"));
	assert_int_equal(time_day_end(late), t_utc("2026-10-25T23:00:00Z"));
	char buf[8];
	time_format_hm(t_utc("2026-10-25T00:30:00Z"), buf, sizeof(buf));
	assert_string_equal(buf, "02:30"); /* CEST */
	time_format_hm(t_utc("2026-10-25T01:30:00Z"), buf, sizeof(buf));
	assert_string_equal(buf, "02:30"); /* CET, an hour later */
	assert_int_equal(time_minute_of_day(t_utc("2026-10-25T01:30:00Z")), 2 * 60 + 30);
}

/* 23:50 UTC on 1 December is 00:50 on the 2nd in Copenhagen: the room's day, not UTC's. */
static void
test_time_today_is_the_rooms_day_across_utc_midnight(void **state)
{
	assert_true(time_set_zone("Europe/Copenhagen"));
	rs_time t = t_utc("2026-12-01T23:50:00Z");
	assert_int_equal(time_day_start(t), t_utc("2026-12-01T23:00:00Z"));
	assert_int_equal(time_day_end(t), t_utc("2026-12-02T23:00:00Z"));
	assert_int_equal(time_minute_of_day(t), 50);
	struct tm tm;
	time_local(t, &tm);
	assert_int_equal(tm.tm_mday, 2);
	assert_true(time_set_zone("UTC"));
	assert_int_equal(time_day_start(t), t_utc("2026-12-01T00:00:00Z"));
	assert_int_equal(time_day_end(t), t_utc("2026-12-02T00:00:00Z"));
}

static void
test_time_rejects_unknown_zones(void **state)
{
	assert_false(time_set_zone("Mars/Olympus_Mons"));
	assert_false(time_zone_exists("../etc/passwd"));
	assert_true(time_zone_exists("America/New_York"));
	assert_true(time_set_zone("UTC"));
}

static void
test_time_can_be_fixed_for_tests(void **state)
{
	time_set_now(t_utc("2026-12-01T10:00:00Z"), true);
	assert_int_equal(time_now(), t_utc("2026-12-01T10:00:00Z"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_parses_utc_and_local),
		cmocka_unit_test(test_time_days_are_local_and_dst_aware),
		cmocka_unit_test(test_time_spring_forward_day_has_23_hours),
		cmocka_unit_test(test_time_fall_back_day_has_25_hours),
		cmocka_unit_test(test_time_today_is_the_rooms_day_across_utc_midnight),
		cmocka_unit_test(test_time_rejects_unknown_zones),
		cmocka_unit_test(test_time_can_be_fixed_for_tests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
