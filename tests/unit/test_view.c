#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "test_support.h"
#include "config.h"
#include "core/room_state.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "net/http.h"
#include "ui/i18n.h"
#include "ui/view.h"

struct fixture {
	struct config config;
	struct schedule *schedule;
	struct sync_status sync;
	struct ui_state ui;
	struct room_state state;
	struct view view;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	time_set_zone("Europe/Copenhagen");
	config_defaults(&f->config);
	struct event *e = xcalloc(3, sizeof(*e));
	e[0] = t_event("2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z", "Board meeting");
	e[0].organizer = xstrdup("Maria Jensen");
	e[1] = t_event("2026-12-01T10:00:00Z", "2026-12-01T10:30:00Z", "Secret");
	e[1].is_private = true;
	e[2] = t_event("2026-12-01T12:00:00Z", "2026-12-01T13:00:00Z", NULL);
	e[2].organizer = xstrdup("Lars Nielsen");
	f->schedule = schedule_create(0, t_utc("2027-01-01T00:00:00Z"), e, 3);
	f->sync.has_schedule = true;
	ui_state_init(&f->ui, 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	schedule_destroy(f->schedule);
	config_finish(&f->config);
	free(f);
	return 0;
}

static void
build(struct fixture *f, const char *now)
{
	struct room_policy p = { .soon_min = 10 };
	room_state_compute(f->schedule, t_utc(now), &p, NULL, NULL, &f->state);
	struct view_input in = { .config = &f->config,
		.schedule = f->schedule,
		.state = &f->state,
		.ui = &f->ui,
		.now = t_utc(now),
		.sync = &f->sync };
	view_build(&in, &f->view);
}

static bool
has_button(const struct view *v, const char *id)
{
	for (size_t i = 0; i < v->button_count; i++)
		if (strcmp(v->buttons[i].id, id) == 0)
			return true;
	return false;
}

static void
test_view_busy_shows_meeting_and_merged_end(void **state)
{
	struct fixture *f = *state;
	build(f, "2026-12-01T09:15:00Z");
	assert_string_equal(f->view.status_word, "BUSY");
	assert_string_equal(f->view.status_line, "Busy until 11:30"); /* back-to-back merged, local time */
	assert_string_equal(f->view.title, "Board meeting");
	assert_string_equal(f->view.organizer, "Maria Jensen");
	assert_string_equal(f->view.time_range, "10:00–11:00");
	assert_string_equal(f->view.next[0].text, "Private meeting"); /* masked */
	assert_false(has_button(&f->view, "book-15"));
	assert_false(has_button(&f->view, "end-early")); /* not booked at the sign */
}

static void
test_view_free_until_and_booking_buttons(void **state)
{
	struct fixture *f = *state;
	build(f, "2026-12-01T10:45:00Z");
	assert_string_equal(f->view.status_word, "FREE");
	assert_string_equal(f->view.status_line, "Free until 13:00");
	assert_string_equal(f->view.title, "Booked by Lars Nielsen"); /* no subject: who booked */
	assert_string_equal(f->view.organizer, "");
	assert_true(has_button(&f->view, "book-15") && has_button(&f->view, "book-60"));
	build(f, "2026-12-01T14:00:00Z");
	assert_string_equal(f->view.status_line, "Free for the rest of the day");
	assert_string_equal(f->view.next[0].text, "No more meetings today");
}

static void
test_view_subject_policies(void **state)
{
	struct fixture *f = *state;
	char buf[64];
	const struct event *board = &f->schedule->events[0];
	view_subject(board, SUBJECT_SHOW, buf, sizeof(buf));
	assert_string_equal(buf, "Board meeting");
	view_subject(board, SUBJECT_ORGANIZER, buf, sizeof(buf));
	assert_string_equal(buf, "Maria Jensen");
	view_subject(board, SUBJECT_HIDE, buf, sizeof(buf));
	assert_string_equal(buf, "Booked");
	view_subject(&f->schedule->events[1], SUBJECT_SHOW, buf, sizeof(buf));
	assert_string_equal(buf, "Private meeting");
	f->config.subject = SUBJECT_HIDE;
	build(f, "2026-12-01T09:15:00Z");
	assert_string_equal(f->view.title, "Booked");
	assert_string_equal(f->view.organizer, "");
}

static void
test_view_offline_notice_and_timeline(void **state)
{
	struct fixture *f = *state;
	f->sync.last_ok = t_utc("2026-12-01T08:58:00Z");
	strcpy(f->sync.last_error, "Cannot connect to mail.example.com");
	build(f, "2026-12-01T09:15:00Z");
	assert_string_equal(f->view.notice, "Offline since 09:58 – showing the last known schedule");
	assert_true(f->view.notice_error);
	assert_int_equal(f->view.block_count, 3);
	assert_true(f->view.now_pos > 0 && f->view.now_pos < 1);
	assert_string_equal(f->view.timeline_from, "07:00");
	assert_string_equal(f->view.timeline_to, "19:00");
	f->sync.has_schedule = false;
	build(f, "2026-12-01T09:15:00Z");
	assert_string_equal(f->view.status_line, "Loading the calendar…");
}

/* The public screen says what kind of trouble it is in plain words; the admin screen has the detail. */
static void
test_view_sync_failure_hides_detail_from_home(void **state)
{
	struct fixture *f = *state;
	static const enum source_category categories[] = { SOURCE_ERR_NETWORK, SOURCE_ERR_AUTH, SOURCE_ERR_PERMISSION,
		SOURCE_ERR_NOT_FOUND, SOURCE_ERR_THROTTLED, SOURCE_ERR_CONFIG, SOURCE_ERR_BAD_RESPONSE };
	const char *detail = "HTTP 401 from https://mail.example.com/EWS/Exchange.asmx for EXAMPLE\\svc-roomsign "
			     "(tenant 72f988bf-86f1-41af-91ab-2d7cd011db47; calendars: /dav/ceo/, /dav/hr/)";
	char path[] = "/tmp/roomsign-test-view-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof(categories) / sizeof(categories[0]); i++) {
		memset(&f->sync, 0, sizeof(f->sync)); /* the first start: never synced */
		snprintf(f->sync.last_error, sizeof(f->sync.last_error), "%s", detail);
		f->sync.last_error_category = categories[i];
		f->ui.screen = UI_HOME;
		build(f, "2026-12-01T09:15:00Z");
		assert_string_equal(f->view.notice, view_sync_sentence(categories[i]));
		assert_true(f->view.notice_error);
		assert_true(view_write_json(&f->view, path));
		size_t len;
		char *json = file_read_capped(path, 1 << 20, &len);
		assert_non_null(json);
		for (const char *const *secret = (const char *const[]){ "http", "401", "svc-roomsign", "example.com",
			     "72f988bf", "/dav/", "EWS", NULL };
			*secret; secret++)
			if (strstr(json, *secret))
				fail_msg("home screen shows '%s': %s", *secret, json);
		free(json);
		f->ui.screen = UI_ADMIN;
		build(f, "2026-12-01T09:15:00Z");
		bool has_detail = false;
		for (size_t l = 0; l < f->view.line_count; l++)
			has_detail |= strstr(f->view.lines[l].text, "HTTP 401 from https://mail.example.com") != NULL;
		assert_true(has_detail);
	}
	unlink(path);
	assert_string_not_equal(view_sync_sentence(SOURCE_ERR_AUTH), view_sync_sentence(SOURCE_ERR_NOT_FOUND));
}

/* Every string in the view JSON is escaped, the agenda's times and list rows too: a parser
 * reads back exactly what the view holds. */
static void
test_view_json_escapes_every_string(void **state)
{
	(void)state;
	struct view v;
	memset(&v, 0, sizeof(v));
	v.kind = VIEW_LIST;
	snprintf(v.title, sizeof(v.title), "%s", "Board \"Q4\" \\ review\n");
	snprintf(v.next[0].time, sizeof(v.next[0].time), "%s", "10:00\"}");
	v.next_count = 1;
	snprintf(v.lines[0].time, sizeof(v.lines[0].time), "%s", "Annex \"3\"");
	snprintf(v.lines[0].text, sizeof(v.lines[0].text), "%s", "free\tuntil");
	v.line_count = 1;
	char path[] = "/tmp/roomsign-test-view-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_true(view_write_json(&v, path));
	size_t len;
	char *json = file_read_capped(path, 1 << 20, &len);
	unlink(path);
	cJSON *root = cJSON_Parse(json);
	free(json);
	assert_non_null(root);
	assert_string_equal(cJSON_GetObjectItem(root, "kind")->valuestring, "list");
	assert_string_equal(cJSON_GetObjectItem(root, "title")->valuestring, v.title);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "next"), 0)->valuestring, v.next[0].time);
	const cJSON *row = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "lines"), 0);
	assert_string_equal(cJSON_GetObjectItem(row, "time")->valuestring, v.lines[0].time);
	assert_string_equal(cJSON_GetObjectItem(row, "text")->valuestring, v.lines[0].text);
	cJSON_Delete(root);
}

/* The PIN pad shows how long the next try must wait, in whole seconds. */
static void
test_view_pin_pad_shows_the_wait(void **state)
{
	struct fixture *f = *state;
	f->config.display.admin_pin = xstrdup("246813");
	ui_tap(&f->ui, "admin", f->config.display.admin_pin, 1000);
	for (int i = 0; i < 3; i++) {
		ui_tap(&f->ui, "pin-1", f->config.display.admin_pin, 1000);
		ui_tap(&f->ui, "pin-ok", f->config.display.admin_pin, 1000);
	}
	build(f, "2026-12-01T09:15:00Z");
	assert_string_equal(f->view.heading, "Too many wrong PINs. Next try in 10 s.");
	ui_tick(&f->ui, 1000 + 8500, 30);
	build(f, "2026-12-01T09:15:00Z");
	assert_string_equal(f->view.heading, "Too many wrong PINs. Next try in 2 s.");
	ui_tick(&f->ui, 1000 + 10000, 30);
	build(f, "2026-12-01T09:15:00Z");
	assert_string_equal(f->view.heading, "Wrong PIN");
}

static void
test_view_read_only_source_hides_booking(void **state)
{
	struct fixture *f = *state;
	struct room_policy p = { .soon_min = 10 };
	room_state_compute(f->schedule, t_utc("2026-12-01T10:45:00Z"), &p, NULL, NULL, &f->state);
	struct view_input in = { .config = &f->config,
		.schedule = f->schedule,
		.state = &f->state,
		.ui = &f->ui,
		.now = t_utc("2026-12-01T10:45:00Z"),
		.sync = &f->sync,
		.read_only = true };
	view_build(&in, &f->view);
	assert_false(has_button(&f->view, "book-15"));
}

/* The fixture's day replaced by one meeting now (09:00-10:00Z) and a later one (12:00-13:00Z). */
static void
one_meeting(struct fixture *f, const char *subject, const char *organizer, bool is_private)
{
	struct event *e = xcalloc(2, sizeof(*e));
	e[0] = t_event("2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z", subject);
	e[0].organizer = xstrdup(organizer);
	e[0].is_private = is_private;
	e[1] = t_event("2026-12-01T12:00:00Z", "2026-12-01T13:00:00Z", subject);
	e[1].organizer = xstrdup(organizer);
	e[1].is_private = is_private;
	schedule_destroy(f->schedule);
	f->schedule = schedule_create(0, t_utc("2027-01-01T00:00:00Z"), e, 2);
	build(f, "2026-12-01T09:15:00Z");
}

/* Exchange room mailboxes put the organizer's name in place of the subject (AddOrganizerToSubject)
 * or delete it (DeleteSubject): the sign says "Booked by Bo Ek" once, not "Bo Ek" over "Bo Ek". */
static void
test_view_subject_equal_to_organizer_says_booked_by_once(void **state)
{
	struct fixture *f = *state;
	static const char *const stripped[] = { "Bo Ek", " bo ek ", "BO EK\t", "\tBo Ek\n", "", "   ", NULL };
	for (size_t i = 0; i < sizeof(stripped) / sizeof(stripped[0]); i++) {
		one_meeting(f, stripped[i], "Bo Ek", false);
		assert_string_equal(f->view.title, "Booked by Bo Ek");
		assert_string_equal(f->view.organizer, ""); /* not repeated below the title */
		assert_string_equal(f->view.next[0].text, "Booked by Bo Ek");
	}
	one_meeting(f, NULL, "  Bo Ek ", false); /* organizer with stray spaces still matches */
	assert_string_equal(f->view.organizer, "");
	one_meeting(f, NULL, NULL, false); /* nothing to go by: a neutral word */
	assert_string_equal(f->view.title, "Booked");
	assert_string_equal(f->view.organizer, "");
	one_meeting(f, "   ", "", false);
	assert_string_equal(f->view.title, "Booked");
}

/* A subject that merely contains the name is a subject: shown, with the organizer below it. */
static void
test_view_real_subject_keeps_organizer_line(void **state)
{
	struct fixture *f = *state;
	one_meeting(f, "Bo Ek's 1:1", "Bo Ek", false);
	assert_string_equal(f->view.title, "Bo Ek's 1:1");
	assert_string_equal(f->view.organizer, "Bo Ek");
	one_meeting(f, "Bo", "Bo Ek", false);
	assert_string_equal(f->view.title, "Bo");
	assert_string_equal(f->view.organizer, "Bo Ek");
}

/* Privacy wins: a private meeting stays "Private meeting" with no name, whatever its subject. */
static void
test_view_private_stripped_meeting_stays_private(void **state)
{
	struct fixture *f = *state;
	static const char *const subjects[] = { "Bo Ek", "", NULL, "Salary talks" };
	for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		one_meeting(f, subjects[i], "Bo Ek", true);
		assert_string_equal(f->view.title, "Private meeting");
		assert_string_equal(f->view.organizer, "");
		assert_string_equal(f->view.next[0].text, "Private meeting");
	}
	f->config.subject = SUBJECT_HIDE; /* the room's own policies are untouched */
	one_meeting(f, "Bo Ek", "Bo Ek", false);
	assert_string_equal(f->view.title, "Booked");
	assert_string_equal(f->view.organizer, "");
	f->config.subject = SUBJECT_ORGANIZER;
	one_meeting(f, "Bo Ek", "Bo Ek", false);
	assert_string_equal(f->view.title, "Bo Ek");
	assert_string_equal(f->view.organizer, "");
}

static void
test_view_booked_by_in_danish_and_german(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *language, *booked_by, *booked, *private_meeting;
	} langs[] = {
		{ "da", "Booket af Bo Ek", "Booket", "Privat møde" },
		{ "de", "Gebucht von Bo Ek", "Gebucht", "Private Besprechung" },
	};
	for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		assert_true(i18n_set_language(langs[i].language, NULL));
		one_meeting(f, "bo ek", "Bo Ek", false);
		assert_string_equal(f->view.title, langs[i].booked_by);
		assert_string_equal(f->view.organizer, "");
		one_meeting(f, NULL, NULL, false);
		assert_string_equal(f->view.title, langs[i].booked);
		one_meeting(f, "Bo Ek", "Bo Ek", true);
		assert_string_equal(f->view.title, langs[i].private_meeting);
		assert_string_equal(f->view.organizer, "");
	}
	assert_true(i18n_set_language("en", NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_view_busy_shows_meeting_and_merged_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_free_until_and_booking_buttons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_subject_policies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_offline_notice_and_timeline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_sync_failure_hides_detail_from_home, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_pin_pad_shows_the_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_read_only_source_hides_booking, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_view_subject_equal_to_organizer_says_booked_by_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_real_subject_keeps_organizer_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_private_stripped_meeting_stays_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_booked_by_in_danish_and_german, setup, teardown),
		cmocka_unit_test(test_view_json_escapes_every_string),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
