#include "test_support.h"
#include "core/panel.h"

/* Green free, red busy, amber soon and check-in (blinking); off before anything is known; the
 * offline rule when the last sync failed. */
static void
test_panel_led_choice(void **state)
{
	(void)state;
	struct led_choice c = led_choice_for(false, false, ROOM_BUSY);
	assert_int_equal(c.colour, LED_OFF);
	assert_false(c.blink || c.offline);
	c = led_choice_for(true, false, ROOM_FREE);
	assert_int_equal(c.colour, LED_GREEN);
	assert_false(c.blink);
	c = led_choice_for(true, false, ROOM_BUSY);
	assert_int_equal(c.colour, LED_RED);
	c = led_choice_for(true, false, ROOM_SOON);
	assert_int_equal(c.colour, LED_AMBER);
	assert_false(c.blink);
	c = led_choice_for(true, false, ROOM_CHECKIN);
	assert_int_equal(c.colour, LED_AMBER);
	assert_true(c.blink);
	c = led_choice_for(true, true, ROOM_BUSY);
	assert_int_equal(c.colour, LED_RED);
	assert_true(c.offline);
}

/* 22:00-06:00 spans midnight; 12:00-13:00 does not; the ends: from is in, to is out. */
static void
test_panel_night_window_across_midnight(void **state)
{
	(void)state;
	assert_true(time_set_zone("Europe/Copenhagen"));
	struct night_window night = { true, 22 * 60, 6 * 60 }, lunch = { true, 12 * 60, 13 * 60 }, none = { 0 };
	assert_false(night_contains(night, t_utc("2026-12-01T20:59:00Z"))); /* 21:59 local */
	assert_true(night_contains(night, t_utc("2026-12-01T21:00:00Z")));  /* 22:00 */
	assert_true(night_contains(night, t_utc("2026-12-01T23:30:00Z")));  /* 00:30 */
	assert_true(night_contains(night, t_utc("2026-12-02T04:59:00Z")));  /* 05:59 */
	assert_false(night_contains(night, t_utc("2026-12-02T05:00:00Z"))); /* 06:00 */
	assert_true(night_contains(lunch, t_utc("2026-12-01T11:00:00Z")));
	assert_false(night_contains(lunch, t_utc("2026-12-01T12:00:00Z")));
	assert_false(night_contains(none, t_utc("2026-12-01T23:30:00Z")));
}

/* Across the DST changes the window keeps its local times: 22:00 local is 20:00 UTC in summer
 * and 21:00 UTC in winter; the short night of 29 March 2026 (02:00 -> 03:00) is still night. */
static void
test_panel_night_window_across_dst(void **state)
{
	(void)state;
	assert_true(time_set_zone("Europe/Copenhagen"));
	struct night_window night = { true, 22 * 60, 6 * 60 };
	assert_true(night_contains(night, t_utc("2026-07-01T20:00:00Z")));  /* 22:00 CEST */
	assert_false(night_contains(night, t_utc("2026-07-01T19:59:00Z"))); /* 21:59 CEST */
	assert_true(night_contains(night, t_utc("2026-03-29T01:30:00Z")));  /* 03:30 CEST, the changing night */
	assert_false(night_contains(night, t_utc("2026-03-29T04:00:00Z"))); /* 06:00 CEST */
	assert_true(night_contains(night, t_utc("2026-10-25T04:30:00Z")));  /* 05:30 CET, after the change back */
	assert_false(night_contains(night, t_utc("2026-10-25T05:00:00Z"))); /* 06:00 CET */
}

/* At night the panel is on only while a touch's wake-up lasts; by day always. */
static void
test_panel_on_at_night_only_while_woken(void **state)
{
	(void)state;
	assert_true(time_set_zone("UTC"));
	struct night_window night = { true, 22 * 60, 6 * 60 };
	rs_time day = t_utc("2026-12-01T12:00:00Z"), late = t_utc("2026-12-01T23:00:00Z");
	assert_true(panel_on_at(night, day, 1000, 0));
	assert_false(panel_on_at(night, late, 1000, 0));
	assert_true(panel_on_at(night, late, 1000, 61000));
	assert_false(panel_on_at(night, late, 61000, 61000));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_panel_led_choice),
		cmocka_unit_test(test_panel_night_window_across_midnight),
		cmocka_unit_test(test_panel_night_window_across_dst),
		cmocka_unit_test(test_panel_on_at_night_only_while_woken),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
