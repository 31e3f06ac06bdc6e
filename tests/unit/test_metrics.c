/* The Prometheus registry and its text format: names, labels, escaping, counters from zero. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test_support.h"
#include "core/metrics.h"

static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static void
test_metrics_fresh_registry_exports_every_family_at_zero(void **state)
{
	(void)state;
	struct metrics m;
	metrics_init(&m, "1.2.3", "ews", "Fjord (4.12)", 1764583200);
	metrics_add_category(&m, "network");
	metrics_add_category(&m, "auth");
	char *t = metrics_format(&m);
	assert_true(has_line(t, "roomsign_info{version=\"1.2.3\",source_type=\"ews\",room=\"Fjord (4.12)\"} 1"));
	assert_true(has_line(t, "# TYPE roomsign_info gauge"));
	assert_true(has_line(t, "roomsign_last_sync_success_timestamp_seconds 0"));
	assert_true(has_line(t, "roomsign_last_sync_attempt_timestamp_seconds 0"));
	assert_true(has_line(t, "# TYPE roomsign_sync_errors_total counter"));
	assert_true(has_line(t, "roomsign_sync_errors_total{category=\"network\"} 0"));
	assert_true(has_line(t, "roomsign_sync_errors_total{category=\"auth\"} 0"));
	assert_true(has_line(t, "roomsign_throttled_seconds_total 0.000"));
	assert_true(has_line(t, "roomsign_actions_total{action=\"book\",result=\"ok\"} 0"));
	assert_true(has_line(t, "roomsign_actions_total{action=\"find-room\",result=\"failed\"} 0"));
	assert_true(has_line(t, "roomsign_actions_total{action=\"check-in\",result=\"refused\"} 0"));
	assert_true(has_line(t, "roomsign_no_show_releases_total 0"));
	assert_true(has_line(t, "roomsign_room_busy 0"));
	assert_true(has_line(t, "roomsign_panel_on 1"));
	assert_true(has_line(t, "roomsign_events_today 0"));
	assert_true(has_line(t, "roomsign_process_start_time_seconds 1764583200"));
	/* No LED, no motion sensor: those families are absent, not zero. */
	assert_null(strstr(t, "roomsign_led_colour"));
	assert_null(strstr(t, "roomsign_motion_last_timestamp_seconds"));
	assert_int_equal(t[strlen(t) - 1], '\n');
	free(t);
	metrics_finish(&m);
}

static void
test_metrics_sync_results_move_timestamps_and_counters(void **state)
{
	(void)state;
	struct metrics m;
	metrics_init(&m, "1", "graph", "R", 100);
	metrics_add_category(&m, "throttled");
	metrics_sync_ok(&m, 1000);
	metrics_sync_failed(&m, 1060, "throttled", 2500);
	metrics_sync_failed(&m, 1120, "throttled", 30000);
	metrics_sync_failed(&m, 1180, "auth", 0); /* not registered: appears at its first error */
	char *t = metrics_format(&m);
	assert_true(has_line(t, "roomsign_last_sync_success_timestamp_seconds 1000"));
	assert_true(has_line(t, "roomsign_last_sync_attempt_timestamp_seconds 1180"));
	assert_true(has_line(t, "roomsign_sync_errors_total{category=\"throttled\"} 2"));
	assert_true(has_line(t, "roomsign_sync_errors_total{category=\"auth\"} 1"));
	assert_true(has_line(t, "roomsign_throttled_seconds_total 32.500"));
	free(t);
	metrics_sync_ok(&m, 1240);
	t = metrics_format(&m);
	assert_true(has_line(t, "roomsign_last_sync_success_timestamp_seconds 1240"));
	assert_true(has_line(t, "roomsign_last_sync_attempt_timestamp_seconds 1240"));
	free(t);
	metrics_finish(&m);
}

static void
test_metrics_actions_count_by_result_and_releases_count_no_shows(void **state)
{
	(void)state;
	struct metrics m;
	metrics_init(&m, "1", "ews", "R", 1);
	metrics_action(&m, METRICS_BOOK, METRICS_OK);
	metrics_action(&m, METRICS_BOOK, METRICS_OK);
	metrics_action(&m, METRICS_BOOK, METRICS_REFUSED);
	metrics_action(&m, METRICS_EXTEND, METRICS_FAILED);
	metrics_action(&m, METRICS_RELEASE, METRICS_OK);
	metrics_action(&m, METRICS_RELEASE, METRICS_FAILED);  /* not released: no no-show counted */
	metrics_action(&m, METRICS_ACTION_COUNT, METRICS_OK); /* out of range: ignored */
	char *t = metrics_format(&m);
	assert_true(has_line(t, "roomsign_actions_total{action=\"book\",result=\"ok\"} 2"));
	assert_true(has_line(t, "roomsign_actions_total{action=\"book\",result=\"refused\"} 1"));
	assert_true(has_line(t, "roomsign_actions_total{action=\"extend\",result=\"failed\"} 1"));
	assert_true(has_line(t, "roomsign_actions_total{action=\"release\",result=\"ok\"} 1"));
	assert_true(has_line(t, "roomsign_actions_total{action=\"release\",result=\"failed\"} 1"));
	assert_true(has_line(t, "roomsign_no_show_releases_total 1"));
	free(t);
	metrics_finish(&m);
}

static void
test_metrics_led_panel_motion_and_room(void **state)
{
	(void)state;
	struct metrics m;
	metrics_init(&m, "1", "ews", "R", 1);
	m.has_led = true;
	m.led = METRICS_LED_RED;
	m.has_motion = true;
	m.last_motion = 1764590000;
	m.room_busy = true;
	m.panel_on = false;
	m.events_today = 7;
	char *t = metrics_format(&m);
	assert_true(has_line(t, "roomsign_led_colour{colour=\"red\"} 1"));
	assert_true(has_line(t, "roomsign_led_colour{colour=\"green\"} 0"));
	assert_true(has_line(t, "roomsign_led_colour{colour=\"amber\"} 0"));
	assert_true(has_line(t, "roomsign_led_colour{colour=\"off\"} 0"));
	assert_true(has_line(t, "roomsign_motion_last_timestamp_seconds 1764590000"));
	assert_true(has_line(t, "roomsign_room_busy 1"));
	assert_true(has_line(t, "roomsign_panel_on 0"));
	assert_true(has_line(t, "roomsign_events_today 7"));
	free(t);
	metrics_finish(&m);
}

static void
test_metrics_label_values_are_escaped(void **state)
{
	(void)state;
	char *e = metrics_escape_label("a\\b\"c\nd");
	assert_string_equal(e, "a\\\\b\\\"c\\nd");
	free(e);
	e = metrics_escape_label("Mødelokale \xe2\x80\x9c"
				 "4\xe2\x80\x9d"); /* UTF-8 passes as is */
	assert_string_equal(e, "Mødelokale \xe2\x80\x9c"
			       "4\xe2\x80\x9d");
	free(e);
	e = metrics_escape_label("bad \xff\xc3 end \xed\xa0\x80"); /* not UTF-8 (and a surrogate): '?' */
	assert_string_equal(e, "bad ?? end ???");
	free(e);
	e = metrics_escape_label(NULL);
	assert_string_equal(e, "");
	free(e);

	struct metrics m;
	metrics_init(&m, "1", "ews", "Room \"B\"\nfloor\\2", 1);
	char *t = metrics_format(&m);
	assert_true(
		has_line(t, "roomsign_info{version=\"1\",source_type=\"ews\",room=\"Room \\\"B\\\"\\nfloor\\\\2\"} 1"));
	free(t);
	metrics_finish(&m);
}

static void
test_metrics_every_family_has_help_and_type_once(void **state)
{
	(void)state;
	struct metrics m;
	metrics_init(&m, "1", "ews", "R", 1);
	m.has_led = m.has_motion = true;
	metrics_add_category(&m, "network");
	char *t = metrics_format(&m);
	static const char *const families[] = { "roomsign_info", "roomsign_last_sync_success_timestamp_seconds",
		"roomsign_last_sync_attempt_timestamp_seconds", "roomsign_sync_errors_total",
		"roomsign_throttled_seconds_total", "roomsign_actions_total", "roomsign_no_show_releases_total",
		"roomsign_room_busy", "roomsign_led_colour", "roomsign_panel_on",
		"roomsign_motion_last_timestamp_seconds", "roomsign_events_today",
		"roomsign_process_start_time_seconds" };
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		char help[128], type[128];
		snprintf(help, sizeof(help), "# HELP %s ", families[i]);
		snprintf(type, sizeof(type), "# TYPE %s ", families[i]);
		const char *h = strstr(t, help), *ty = strstr(t, type);
		assert_non_null(h);
		assert_non_null(ty);
		assert_null(strstr(h + 1, help));
		assert_null(strstr(ty + 1, type));
		assert_true(h < ty);
	}
	free(t);
	metrics_finish(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_fresh_registry_exports_every_family_at_zero),
		cmocka_unit_test(test_metrics_sync_results_move_timestamps_and_counters),
		cmocka_unit_test(test_metrics_actions_count_by_result_and_releases_count_no_shows),
		cmocka_unit_test(test_metrics_led_panel_motion_and_room),
		cmocka_unit_test(test_metrics_label_values_are_escaped),
		cmocka_unit_test(test_metrics_every_family_has_help_and_type_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
