/* Layout and hit-testing: on every screen the expected touch targets are there, at least 9 mm
 * at the panel's dpi, inside the screen, not overlapping, and a tap at a target's centre finds
 * it — at every supported panel size. */
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
#include "ui/i18n.h"
#include "ui/layout.h"
#include "ui/view.h"

#define NOW "2026-12-01T10:15:00Z"

static const int sizes[][2] = { { 800, 480 }, { 1024, 600 }, { 1280, 800 }, { 1920, 1080 }, { 720, 1280 } };
/* 96: a desktop; the others: common 7", 10.1", 15.6" and 5.5" panels. */
static const float dpis[] = { 96.0f, 133.0f, 150.0f, 170.0f, 220.0f };

enum scene { SCENE_FREE, SCENE_OWN_MEETING, SCENE_OTHERS_MEETING, SCENE_CHECKIN };

struct fixture {
	struct config config;
	struct schedule *schedule;
	struct room_state state;
	struct ui_state ui;
	struct sync_status sync;
	struct room_availability rooms[2];
	struct view view;
	struct frame frame;
};

static struct schedule *
scene_schedule(enum scene scene)
{
	struct event *e = xcalloc(2, sizeof(*e));
	size_t n = 0;
	switch (scene) {
	case SCENE_FREE: break;
	case SCENE_OWN_MEETING:
	case SCENE_OTHERS_MEETING:
		e[n] = t_event("2026-12-01T10:00:00Z", "2026-12-01T10:30:00Z", "Stand-up");
		e[n].booked_here = scene == SCENE_OWN_MEETING;
		e[n++].id = xstrdup("a");
		break;
	case SCENE_CHECKIN:
		e[n] = t_event("2026-12-01T10:12:00Z", "2026-12-01T11:00:00Z", "Review");
		e[n++].id = xstrdup("b");
		break;
	}
	e[n] = t_event("2026-12-01T13:00:00Z", "2026-12-01T14:00:00Z", "Later");
	e[n++].id = xstrdup("c");
	return schedule_create(t_utc("2026-12-01T00:00:00Z"), t_utc("2026-12-03T00:00:00Z"), e, n);
}

static void
setup_fixture(struct fixture *f, enum scene scene, enum end_early_policy end_early)
{
	memset(f, 0, sizeof(*f));
	config_defaults(&f->config);
	free(f->config.display.admin_pin);
	f->config.display.admin_pin = xstrdup("2468");
	f->config.source.nearby_rooms[0] = xstrdup("harbour@example.com");
	f->config.source.nearby_rooms[1] = xstrdup("annex@example.com");
	f->config.source.nearby_count = 2;
	f->config.booking.checkin = scene == SCENE_CHECKIN;
	f->config.booking.end_early = end_early;
	f->schedule = scene_schedule(scene);
	struct room_policy p = { f->config.booking.soon_min, f->config.booking.checkin,
		f->config.booking.checkin_before_min, f->config.booking.checkin_grace_min };
	room_state_compute(f->schedule, t_utc(NOW), &p, NULL, NULL, &f->state);
	ui_state_init(&f->ui, 0);
	f->sync.has_schedule = true;
	f->sync.last_ok = t_utc(NOW);
	f->rooms[0] = (struct room_availability){ .room = f->config.source.nearby_rooms[0], .ok = true };
	f->rooms[1] = (struct room_availability){
		.room = f->config.source.nearby_rooms[1], .ok = true, .busy_until = t_utc("2026-12-01T11:00:00Z")
	};
}

static void
finish_fixture(struct fixture *f)
{
	schedule_destroy(f->schedule);
	config_finish(&f->config);
}

static void
build(struct fixture *f, enum ui_screen screen, enum ui_action_kind pending)
{
	f->ui.screen = screen;
	f->ui.pending = pending;
	f->ui.pending_minutes = pending == UI_ACT_BOOK ? 30 : 0;
	if (screen == UI_MESSAGE)
		snprintf(f->ui.message, sizeof(f->ui.message), "%s", "The room is yours until 10:45.");
	struct view_input in = {
		.config = &f->config,
		.schedule = f->schedule,
		.state = &f->state,
		.ui = &f->ui,
		.now = t_utc(NOW),
		.sync = &f->sync,
		.rooms = f->rooms,
		.room_count = 2,
		.address = "192.0.2.7",
	};
	view_build(&in, &f->view);
}

static bool
has_hit(const struct frame *fr, const char *id)
{
	for (size_t i = 0; i < fr->hit_count; i++)
		if (strcmp(fr->hits[i].id, id) == 0)
			return true;
	return false;
}

static const char *
button_label(const struct view *v, const char *id)
{
	for (size_t i = 0; i < v->button_count; i++)
		if (strcmp(v->buttons[i].id, id) == 0)
			return v->buttons[i].label;
	fail_msg("target '%s' is no button of the view", id);
	return "";
}

static bool
overlap(const struct box *a, const struct box *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

/* Every geometric promise, for the frame of the current view at one size and dpi. */
static void
check_geometry(struct fixture *f, int w, int h, float dpi, const char *what)
{
	layout_frame(&f->view, w, h, dpi, &f->frame);
	const struct frame *fr = &f->frame;
	float min_px = LAYOUT_MIN_TARGET_MM / 25.4f * dpi - 0.5f;
	assert_int_equal(fr->hit_count, f->view.button_count); /* no button lost */
	for (size_t i = 0; i < fr->hit_count; i++) {
		const struct hit *hit = &fr->hits[i];
		const struct box *b = &hit->box;
		if ((float)b->w < min_px || (float)b->h < min_px)
			fail_msg("%s %dx%d@%.0f: '%s' is %dx%d px, under 9 mm (%.1f px)", what, w, h, (double)dpi,
				hit->id, b->w, b->h, (double)min_px);
		if (b->x < 0 || b->y < 0 || b->x + b->w > w || b->y + b->h > h)
			fail_msg("%s %dx%d@%.0f: '%s' (%d,%d %dx%d) leaves the screen", what, w, h, (double)dpi,
				hit->id, b->x, b->y, b->w, b->h);
		for (size_t j = i + 1; j < fr->hit_count; j++)
			if (overlap(b, &fr->hits[j].box))
				fail_msg("%s %dx%d@%.0f: '%s' overlaps '%s'", what, w, h, (double)dpi, hit->id,
					fr->hits[j].id);
		const struct hit *found = layout_hit_test(fr, b->x + b->w / 2, b->y + b->h / 2);
		assert_non_null(found);
		assert_string_equal(found->id, hit->id);
		assert_string_equal(hit->label, button_label(&f->view, hit->id));
	}
}

static void
check_all_sizes(struct fixture *f, const char *what)
{
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (size_t d = 0; d < sizeof(dpis) / sizeof(dpis[0]); d++)
			check_geometry(f, sizes[s][0], sizes[s][1], dpis[d], what);
}

static void
expect_ids(struct fixture *f, const char *const *ids, size_t n, const char *what)
{
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		layout_frame(&f->view, sizes[s][0], sizes[s][1], 96.0f, &f->frame);
		for (size_t i = 0; i < n; i++)
			if (!has_hit(&f->frame, ids[i]))
				fail_msg("%s %dx%d: no '%s' target", what, sizes[s][0], sizes[s][1], ids[i]);
		if (f->frame.hit_count != n)
			fail_msg("%s %dx%d: %zu targets, expected %zu", what, sizes[s][0], sizes[s][1],
				f->frame.hit_count, n);
	}
	check_all_sizes(f, what);
}

#define EXPECT(f, what, ...)                                               \
	do {                                                               \
		static const char *const ids_[] = { __VA_ARGS__ };         \
		expect_ids(f, ids_, sizeof(ids_) / sizeof(ids_[0]), what); \
	} while (0)

static int
setup(void **state)
{
	(void)state;
	i18n_set_language("en", NULL);
	return time_set_zone("UTC") ? 0 : -1;
}

static void
test_layout_home_free_offers_durations(void **state)
{
	(void)state;
	struct fixture *f = xcalloc(1, sizeof(*f));
	setup_fixture(f, SCENE_FREE, END_EARLY_OWN);
	build(f, UI_HOME, UI_ACT_NONE);
	assert_int_equal(f->view.status, ROOM_FREE);
	EXPECT(f, "home free", "book-15", "book-30", "book-45", "book-60", "find-room", "admin");
	finish_fixture(f);
	free(f);
}

static void
test_layout_home_own_meeting_offers_extend_and_end(void **state)
{
	(void)state;
	struct fixture *f = xcalloc(1, sizeof(*f));
	setup_fixture(f, SCENE_OWN_MEETING, END_EARLY_OWN);
	build(f, UI_HOME, UI_ACT_NONE);
	assert_int_equal(f->view.status, ROOM_BUSY);
	EXPECT(f, "home own meeting", "extend-15", "extend-30", "end-early", "find-room", "admin");
	finish_fixture(f);
	free(f);
}

static void
test_layout_home_others_meeting_only_with_end_early_all(void **state)
{
	(void)state;
	struct fixture *f = xcalloc(1, sizeof(*f));
	setup_fixture(f, SCENE_OTHERS_MEETING, END_EARLY_OWN);
	build(f, UI_HOME, UI_ACT_NONE);
	EXPECT(f, "home others' meeting, end_early=own", "find-room", "admin");
	finish_fixture(f);
	setup_fixture(f, SCENE_OTHERS_MEETING, END_EARLY_ALL);
	build(f, UI_HOME, UI_ACT_NONE);
	EXPECT(f, "home others' meeting, end_early=all", "extend-15", "extend-30", "end-early", "find-room", "admin");
	finish_fixture(f);
	free(f);
}

static void
test_layout_home_checkin_offers_check_in(void **state)
{
	(void)state;
	struct fixture *f = xcalloc(1, sizeof(*f));
	setup_fixture(f, SCENE_CHECKIN, END_EARLY_OWN);
	build(f, UI_HOME, UI_ACT_NONE);
	assert_int_equal(f->view.status, ROOM_CHECKIN);
	EXPECT(f, "home check-in", "check-in", "find-room", "admin");
	finish_fixture(f);
	free(f);
}

static void
test_layout_dialogs_and_lists(void **state)
{
	(void)state;
	struct fixture *f = xcalloc(1, sizeof(*f));
	setup_fixture(f, SCENE_FREE, END_EARLY_OWN);
	build(f, UI_CONFIRM, UI_ACT_BOOK);
	EXPECT(f, "confirm booking", "confirm", "cancel");
	build(f, UI_CONFIRM, UI_ACT_END);
	EXPECT(f, "confirm end", "confirm", "cancel");
	build(f, UI_MESSAGE, UI_ACT_NONE);
	EXPECT(f, "message", "ok");
	build(f, UI_FIND_ROOM, UI_ACT_NONE);
	EXPECT(f, "find a room", "room-0", "refresh", "back"); /* harbour is free, annex busy */
	f->ui.room = 0;
	build(f, UI_ROOM_BOOK, UI_ACT_NONE);
	EXPECT(f, "book a room of the list", "room-book-15", "room-book-30", "room-book-45", "room-book-60", "back");
	f->rooms[0].free_until = t_utc(NOW) + 40 * 60; /* free for 40 minutes: 15 and 30, then 40 */
	build(f, UI_ROOM_BOOK, UI_ACT_NONE);
	EXPECT(f, "book a room free for 40 minutes", "room-book-15", "room-book-30", "room-book-40", "back");
	f->ui.room = 1; /* busy */
	build(f, UI_ROOM_BOOK, UI_ACT_NONE);
	EXPECT(f, "book a busy room", "back");
	f->rooms[0].free_until = 0;
	build(f, UI_ADMIN, UI_ACT_NONE);
	EXPECT(f, "admin", "refresh", "back");
	build(f, UI_PIN, UI_ACT_NONE);
	EXPECT(f, "pin pad", "pin-0", "pin-1", "pin-2", "pin-3", "pin-4", "pin-5", "pin-6", "pin-7", "pin-8", "pin-9",
		"pin-clear", "pin-ok", "back");
	finish_fixture(f);
	free(f);
}

static void
test_layout_working_screen_has_no_targets(void **state)
{
	(void)state;
	struct fixture *f = xcalloc(1, sizeof(*f));
	setup_fixture(f, SCENE_FREE, END_EARLY_OWN);
	build(f, UI_WORKING, UI_ACT_BOOK);
	assert_string_equal(f->view.heading, "Booking…");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		layout_frame(&f->view, sizes[s][0], sizes[s][1], 96.0f, &f->frame);
		assert_int_equal(f->frame.hit_count, 0);
		assert_null(layout_hit_test(&f->frame, sizes[s][0] / 2, sizes[s][1] - 10));
	}
	finish_fixture(f);
	free(f);
}

static void
test_layout_hit_test_misses_outside_targets(void **state)
{
	(void)state;
	struct fixture *f = xcalloc(1, sizeof(*f));
	setup_fixture(f, SCENE_FREE, END_EARLY_OWN);
	build(f, UI_HOME, UI_ACT_NONE);
	layout_frame(&f->view, 800, 480, 96.0f, &f->frame);
	assert_null(layout_hit_test(&f->frame, 400, 100)); /* the status panel */
	assert_null(layout_hit_test(&f->frame, -1, -1));
	assert_null(layout_hit_test(&f->frame, 800, 480));
	const struct box *b = &f->frame.hits[0].box;
	assert_non_null(layout_hit_test(&f->frame, b->x, b->y)); /* edges: [x, x+w) × [y, y+h) */
	assert_null(layout_hit_test(&f->frame, b->x, b->y - 1));
	assert_null(layout_hit_test(&f->frame, b->x - 1, b->y));
	finish_fixture(f);
	free(f);
}

static void
test_layout_pressed_target_looks_pressed(void **state)
{
	(void)state;
	struct fixture *f = xcalloc(1, sizeof(*f));
	setup_fixture(f, SCENE_FREE, END_EARLY_OWN);
	snprintf(f->ui.pressed, sizeof(f->ui.pressed), "%s", "book-30");
	build(f, UI_HOME, UI_ACT_NONE);
	layout_frame(&f->view, 800, 480, 96.0f, &f->frame);
	size_t pressed = 0;
	for (size_t i = 0; i < f->frame.item_count; i++)
		if (f->frame.items[i].kind == ITEM_RECT && f->frame.items[i].colour == 0x4a5866u)
			pressed++;
	assert_int_equal(pressed, 1);
	finish_fixture(f);
	free(f);
}

static void
test_layout_hits_json_round_trip(void **state)
{
	(void)state;
	struct fixture *f = xcalloc(1, sizeof(*f));
	char path[] = "/tmp/roomsign-hits-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	setup_fixture(f, SCENE_FREE, END_EARLY_OWN);
	build(f, UI_HOME, UI_ACT_NONE);
	layout_frame(&f->view, 800, 480, 96.0f, &f->frame);
	assert_true(layout_write_hits(&f->frame, path));
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	unlink(path);
	cJSON *root = cJSON_Parse(buf);
	assert_true(cJSON_IsArray(root));
	assert_int_equal(cJSON_GetArraySize(root), (int)f->frame.hit_count);
	const struct hit *h = &f->frame.hits[1];
	const cJSON *j = cJSON_GetArrayItem(root, 1);
	assert_string_equal(cJSON_GetObjectItem(j, "id")->valuestring, "book-30");
	assert_string_equal(cJSON_GetObjectItem(j, "label")->valuestring, "30 min");
	assert_int_equal(cJSON_GetObjectItem(j, "x")->valueint, h->box.x);
	assert_int_equal(cJSON_GetObjectItem(j, "y")->valueint, h->box.y);
	assert_int_equal(cJSON_GetObjectItem(j, "w")->valueint, h->box.w);
	assert_int_equal(cJSON_GetObjectItem(j, "h")->valueint, h->box.h);
	cJSON_Delete(root);
	finish_fixture(f);
	free(f);
}

static void
test_view_admin_lists_diagnostics(void **state)
{
	(void)state;
	struct fixture *f = xcalloc(1, sizeof(*f));
	setup_fixture(f, SCENE_FREE, END_EARLY_OWN);
	f->config.source.type = SOURCE_EWS;
	snprintf(f->sync.last_error, sizeof(f->sync.last_error), "%s", "Exchange is throttling");
	build(f, UI_ADMIN, UI_ACT_NONE);
	const char *want[][2] = { { "Version", ROOMSIGN_VERSION }, { "Address", "192.0.2.7" }, { "Calendar", "ews" },
		{ "Last sync", "2026-12-01T10:15:00Z" }, { "Last error", "Exchange is throttling" } };
	assert_int_equal(f->view.line_count, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(f->view.lines[i].time, want[i][0]);
		assert_string_equal(f->view.lines[i].text, want[i][1]);
	}
	finish_fixture(f);
	free(f);
}

/* Where a [display] qr_url code shows (README): up to version 6 at all five panels at their own
 * dpi, up to version 10 (the most config_load accepts) at 1280x800 and 1920x1080, and version 10
 * not on the 7" panels; never over a target, never off the screen. */
static void
test_layout_qr_code_shows_where_the_readme_says(void **state)
{
	(void)state;
	static const struct {
		int w, h;
		float dpi;
		bool large;
	} panels[] = { { 800, 480, 133, false }, { 1024, 600, 170, false }, { 1280, 800, 149, true },
		{ 1920, 1080, 102, true }, { 720, 1280, 210, false } };
	struct fixture *f = xcalloc(1, sizeof(*f));
	for (size_t p = 0; p < sizeof(panels) / sizeof(panels[0]); p++)
		for (int version = 1; version <= 10; version++) {
			setup_fixture(f, SCENE_FREE, END_EARLY_OWN);
			build(f, UI_HOME, UI_ACT_NONE);
			f->view.qr = "https://rooms.example.com/";
			f->view.qr_modules = 17 + 4 * version;
			layout_frame(&f->view, panels[p].w, panels[p].h, panels[p].dpi, &f->frame);
			const struct item *qr = NULL;
			for (size_t i = 0; i < f->frame.item_count; i++)
				if (f->frame.items[i].kind == ITEM_QR)
					qr = &f->frame.items[i];
			bool want = version <= 6 || panels[p].large;
			if (want && !qr)
				fail_msg("%dx%d: a version-%d code is not shown", panels[p].w, panels[p].h, version);
			if (version == 10 && !panels[p].large && qr)
				fail_msg("%dx%d: a version-10 code is shown", panels[p].w, panels[p].h);
			for (size_t i = 0; qr && i < f->frame.hit_count; i++)
				assert_false(overlap(&qr->box, &f->frame.hits[i].box));
			assert_true(!qr || (qr->box.x >= 0 && qr->box.y >= 0 && qr->box.x + qr->box.w <= panels[p].w &&
						   qr->box.y + qr->box.h <= panels[p].h));
			finish_fixture(f);
		}
	free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_home_free_offers_durations),
		cmocka_unit_test(test_layout_home_own_meeting_offers_extend_and_end),
		cmocka_unit_test(test_layout_home_others_meeting_only_with_end_early_all),
		cmocka_unit_test(test_layout_home_checkin_offers_check_in),
		cmocka_unit_test(test_layout_dialogs_and_lists),
		cmocka_unit_test(test_layout_working_screen_has_no_targets),
		cmocka_unit_test(test_layout_hit_test_misses_outside_targets),
		cmocka_unit_test(test_layout_pressed_target_looks_pressed),
		cmocka_unit_test(test_layout_hits_json_round_trip),
		cmocka_unit_test(test_view_admin_lists_diagnostics),
		cmocka_unit_test(test_layout_qr_code_shows_where_the_readme_says),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
