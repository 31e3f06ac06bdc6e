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
		cmocka_unit_test(test_time_rejects_unknown_zones),
		cmocka_unit_test(test_time_can_be_fixed_for_tests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
