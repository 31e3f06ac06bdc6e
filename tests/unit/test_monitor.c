/* The metrics textfile: written atomically, nothing left behind on failure, rewritten on a change
 * and once a minute, fed from worker results, refusals, check-ins and the LED. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "test_support.h"
#include "config.h"
#include "core/schedule.h"
#include "core/xalloc.h"
#include "monitor.h"

static char dir[] = "/tmp/test_monitor.XXXXXX";

static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_monitor.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	free(cmd);
	return rc;
}

static size_t
entries(const char *path)
{
	DIR *d = opendir(path);
	size_t n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	char *buf = xcalloc(1, 65536);
	size_t n = fread(buf, 1, 65535, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void
test_monitor_write_file_replaces_atomically_and_readably(void **state)
{
	(void)state;
	char *path = xasprintf("%s/roomsign.prom", dir);
	mode_t old = umask(077); /* the service's umask must not hide the file from node_exporter */
	assert_true(monitor_write_file(path, "a 1\n"));
	assert_true(monitor_write_file(path, "a 2\n"));
	umask(old);
	char *text = slurp(path);
	assert_string_equal(text, "a 2\n");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(entries(dir), 1); /* no temporary file beside it */
	free(text);
	free(path);
}

static void
test_monitor_write_file_failure_leaves_nothing_behind(void **state)
{
	(void)state;
	/* The target is a directory: the temporary file is written, the rename fails. */
	char *target = xasprintf("%s/roomsign.prom", dir);
	assert_int_equal(mkdir(target, 0755), 0);
	assert_false(monitor_write_file(target, "a 1\n"));
	assert_int_equal(entries(dir), 1); /* only the directory: the temporary file is gone */
	char *missing = xasprintf("%s/no/such/dir/roomsign.prom", dir);
	assert_false(monitor_write_file(missing, "a 1\n"));
	assert_int_equal(entries(dir), 1);
	free(missing);
	free(target);
}

static void
fill_config(struct config *c, const char *textfile)
{
	config_defaults(c);
	free(c->monitoring.textfile);
	c->monitoring.textfile = xstrdup(textfile);
	c->source.type = SOURCE_EWS;
	free(c->room_name);
	c->room_name = xstrdup("Fjord");
	c->led.offline = LED_OFFLINE_OFF;
	c->led.chip = xstrdup("gpiochip0");
}

static ino_t
inode(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static void
test_monitor_feeds_results_and_rewrites_on_change_and_each_minute(void **state)
{
	(void)state;
	struct config c;
	char *path = xasprintf("%s/roomsign.prom", dir);
	fill_config(&c, path);
	struct monitor *m = monitor_create(&c);
	assert_non_null(m);
	struct room_state rs = { 0 };
	rs_time t0 = 1764583200; /* 10:00:00 */
	rs_time before = (rs_time)time(NULL);
	monitor_tick(m, NULL, &rs, true, t0);
	char *text = slurp(path);
	assert_non_null(
		strstr(text, "roomsign_info{version=\"" ROOMSIGN_VERSION "\",source_type=\"ews\",room=\"Fjord\"} 1\n"));
	assert_non_null(
		strstr(text, "roomsign_sync_errors_total{category=\"auth\"} 0\n")); /* exists before its first error */
	assert_non_null(strstr(text, "roomsign_sync_errors_total{category=\"permission\"} 0\n"));
	assert_null(strstr(text, "roomsign_led_colour")); /* the LED has not been driven */
	free(text);
	ino_t first = inode(path);
	monitor_tick(m, NULL, &rs, true, t0 + 59);
	assert_true(inode(path) == first); /* nothing changed, within the minute: not rewritten */
	monitor_tick(m, NULL, &rs, true, t0 + 60);
	assert_true(inode(path) != first); /* the next minute: rewritten though unchanged */

	struct worker_result fail = {
		.kind = RESULT_FETCH_FAILED, .category = SOURCE_ERR_THROTTLED, .retry_after_ms = 4000
	};
	struct worker_result snap = { .kind = RESULT_SNAPSHOT, .ok = true };
	struct worker_result conflict = { .kind = RESULT_ACTION, .job = JOB_BOOK, .category = SOURCE_ERR_CONFLICT };
	struct worker_result extended = { .kind = RESULT_ACTION, .job = JOB_EXTEND, .ok = true };
	struct worker_result released = { .kind = RESULT_ACTION, .job = JOB_RELEASE, .ok = true };
	struct worker_result ended = { .kind = RESULT_ACTION, .job = JOB_END, .category = SOURCE_ERR_NETWORK };
	struct worker_result written = { .kind = RESULT_ACTION, .job = JOB_CHECK_IN, .ok = true };
	struct worker_result rooms = { .kind = RESULT_ROOMS, .category = SOURCE_ERR_PERMISSION };
	monitor_result(m, &snap);
	monitor_result(m, &fail);
	monitor_result(m, &conflict);
	monitor_result(m, &extended);
	monitor_result(m, &released);
	monitor_result(m, &ended);
	monitor_result(m, &written); /* the check-in counted at the sign already */
	monitor_result(m, &rooms);
	monitor_refused(m, UI_ACT_BOOK, false);
	monitor_refused(m, UI_ACT_REFRESH, false); /* not an action */
	monitor_checked_in(m);
	monitor_led(m, LED_RED, true); /* [led] offline = off: the light is off */
	rs.current = &(struct event){ .start = 1764583000, .end = 1764586800 };
	ino_t second = inode(path);
	monitor_tick(m, NULL, &rs, false, t0 + 61); /* changed: written at once, within the minute */
	assert_true(inode(path) != second);
	rs_time after = (rs_time)time(NULL);
	text = slurp(path);
	long long success = 0, attempt = 0;
	const char *p = strstr(text, "\nroomsign_last_sync_success_timestamp_seconds ");
	assert_non_null(p);
	sscanf(p + 1, "roomsign_last_sync_success_timestamp_seconds %lld", &success);
	p = strstr(text, "\nroomsign_last_sync_attempt_timestamp_seconds ");
	assert_non_null(p);
	sscanf(p + 1, "roomsign_last_sync_attempt_timestamp_seconds %lld", &attempt);
	assert_true(success >= before && success <= after); /* the true clock */
	assert_true(attempt >= success && attempt <= after);
	assert_non_null(strstr(text, "\nroomsign_sync_errors_total{category=\"throttled\"} 1\n"));
	assert_non_null(strstr(text, "\nroomsign_throttled_seconds_total 4.000\n"));
	assert_non_null(strstr(text, "\nroomsign_actions_total{action=\"book\",result=\"refused\"} 2\n"));
	assert_non_null(strstr(text, "\nroomsign_actions_total{action=\"extend\",result=\"ok\"} 1\n"));
	assert_non_null(strstr(text, "\nroomsign_actions_total{action=\"release\",result=\"ok\"} 1\n"));
	assert_non_null(strstr(text, "\nroomsign_no_show_releases_total 1\n"));
	assert_non_null(strstr(text, "\nroomsign_actions_total{action=\"end\",result=\"failed\"} 1\n"));
	assert_non_null(strstr(text, "\nroomsign_actions_total{action=\"check-in\",result=\"ok\"} 1\n"));
	assert_non_null(strstr(text, "\nroomsign_actions_total{action=\"find-room\",result=\"failed\"} 1\n"));
	assert_non_null(strstr(text, "\nroomsign_led_colour{colour=\"off\"} 1\n"));
	assert_non_null(strstr(text, "\nroomsign_led_colour{colour=\"red\"} 0\n"));
	assert_non_null(strstr(text, "\nroomsign_room_busy 1\n"));
	assert_non_null(strstr(text, "\nroomsign_panel_on 0\n"));
	assert_null(strstr(text, "roomsign_motion_last_timestamp_seconds")); /* no sensor configured */
	free(text);
	monitor_destroy(m);
	config_finish(&c);
	free(path);
}

static void
test_monitor_off_when_textfile_is_empty(void **state)
{
	(void)state;
	struct config c;
	fill_config(&c, "");
	free(c.monitoring.textfile);
	c.monitoring.textfile = NULL; /* what "textfile =" leaves */
	assert_null(monitor_create(&c));
	monitor_tick(NULL, NULL, &(struct room_state){ 0 }, true, 0); /* every call takes NULL */
	config_finish(&c);
}

static void
test_monitor_motion_exported_when_a_sensor_is_configured(void **state)
{
	(void)state;
	struct config c;
	char *path = xasprintf("%s/roomsign.prom", dir);
	fill_config(&c, path);
	c.led.motion = 22;
	struct monitor *m = monitor_create(&c);
	monitor_tick(m, NULL, &(struct room_state){ 0 }, true, 1764583200);
	char *text = slurp(path);
	assert_non_null(strstr(text, "\nroomsign_motion_last_timestamp_seconds 0\n"));
	free(text);
	rs_time before = (rs_time)time(NULL);
	monitor_motion(m);
	monitor_tick(m, NULL, &(struct room_state){ 0 }, true, 1764583201);
	text = slurp(path);
	long long seen = 0;
	const char *p = strstr(text, "\nroomsign_motion_last_timestamp_seconds ");
	assert_non_null(p);
	sscanf(p + 1, "roomsign_motion_last_timestamp_seconds %lld", &seen);
	assert_true(seen >= before && seen <= (rs_time)time(NULL));
	free(text);
	monitor_destroy(m);
	config_finish(&c);
	free(path);
}

static void
test_monitor_counts_todays_meetings_in_the_rooms_zone(void **state)
{
	(void)state;
	struct config c;
	char *path = xasprintf("%s/roomsign.prom", dir);
	fill_config(&c, path);
	struct monitor *m = monitor_create(&c);
	struct event ev[] = {
		t_event("2026-11-30T09:00:00Z", "2026-11-30T10:00:00Z", "yesterday"),
		t_event("2026-11-30T23:30:00Z", "2026-12-01T00:30:00Z", "over midnight"),
		t_event("2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", "today"),
		t_event("2026-12-01T23:00:00Z", "2026-12-02T00:00:00Z", "tonight"),
		t_event("2026-12-02T00:00:00Z", "2026-12-02T01:00:00Z", "tomorrow"),
	};
	struct event *events = xcalloc(5, sizeof(*events));
	memcpy(events, ev, sizeof(ev));
	struct schedule *s = schedule_create(t_utc("2026-11-30T00:00:00Z"), t_utc("2026-12-03T00:00:00Z"), events, 5);
	monitor_tick(m, s, &(struct room_state){ 0 }, true, t_utc("2026-12-01T12:00:00Z")); /* TZ=UTC */
	char *text = slurp(path);
	assert_non_null(strstr(text, "\nroomsign_events_today 3\n"));
	free(text);
	schedule_destroy(s);
	monitor_destroy(m);
	config_finish(&c);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_monitor_write_file_replaces_atomically_and_readably, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_write_file_failure_leaves_nothing_behind, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_monitor_feeds_results_and_rewrites_on_change_and_each_minute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_off_when_textfile_is_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_monitor_motion_exported_when_a_sensor_is_configured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_counts_todays_meetings_in_the_rooms_zone, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
