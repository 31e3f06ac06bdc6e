/* The UI state machine: every screen change a tap or a timeout can cause. */
#include <string.h>
#include "test_support.h"
#include "ui/ui_state.h"

#define T0     1000000u /* an arbitrary monotonic start, ms */
#define IDLE_S 30
#define PIN    "2468"

static struct ui_action
tap(struct ui_state *ui, const char *id, uint64_t at)
{
	return ui_tap(ui, id, PIN, at);
}

static void
assert_no_action(struct ui_action a)
{
	assert_int_equal(a.kind, UI_ACT_NONE);
}

static void
test_ui_starts_home(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	assert_int_equal(ui.screen, UI_HOME);
	assert_int_equal(ui.pending, UI_ACT_NONE);
	assert_int_equal(ui_next_deadline_ms(&ui, T0, IDLE_S), UINT64_MAX); /* home never times out */
	assert_false(ui_tick(&ui, T0 + 3600u * 1000u, IDLE_S));
}

static void
test_ui_book_confirm_working_message_home(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	assert_no_action(tap(&ui, "book-30", T0 + 100));
	assert_int_equal(ui.screen, UI_CONFIRM);
	assert_int_equal(ui.pending, UI_ACT_BOOK);
	assert_int_equal(ui.pending_minutes, 30);
	struct ui_action a = tap(&ui, "confirm", T0 + 200);
	assert_int_equal(a.kind, UI_ACT_BOOK);
	assert_int_equal(a.minutes, 30);
	assert_int_equal(ui.screen, UI_WORKING); /* "Booking…" on the very next frame */
	assert_int_equal(ui.pending, UI_ACT_BOOK);
	ui_action_done(&ui, true, "The room is yours until 11:00.", T0 + 300);
	assert_int_equal(ui.screen, UI_MESSAGE);
	assert_true(ui.message_ok);
	assert_string_equal(ui.message, "The room is yours until 11:00.");
	assert_int_equal(ui.pending, UI_ACT_NONE);
	assert_int_equal(ui_next_deadline_ms(&ui, T0 + 300, IDLE_S), UI_MESSAGE_MS);
	assert_false(ui_tick(&ui, T0 + 300 + UI_MESSAGE_MS - 1, IDLE_S));
	assert_int_equal(ui.screen, UI_MESSAGE);
	assert_true(ui_tick(&ui, T0 + 300 + UI_MESSAGE_MS, IDLE_S));
	assert_int_equal(ui.screen, UI_HOME);
}

static void
test_ui_booking_failure_shows_why_then_home(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	tap(&ui, "book-15", T0);
	tap(&ui, "confirm", T0 + 1);
	ui_action_done(&ui, false, "Someone else has just booked the room for that time.", T0 + 2);
	assert_int_equal(ui.screen, UI_MESSAGE);
	assert_false(ui.message_ok);
	assert_string_equal(ui.message, "Someone else has just booked the room for that time.");
	assert_no_action(tap(&ui, "ok", T0 + 3)); /* or wait: both go back home */
	assert_int_equal(ui.screen, UI_HOME);
	assert_int_equal(ui.pending, UI_ACT_NONE);
}

static void
test_ui_cancel_on_confirm_goes_home_without_action(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	tap(&ui, "book-60", T0);
	assert_no_action(tap(&ui, "cancel", T0 + 1));
	assert_int_equal(ui.screen, UI_HOME);
	assert_int_equal(ui.pending, UI_ACT_NONE);
	assert_int_equal(ui.pending_minutes, 0);
	assert_no_action(tap(&ui, "confirm", T0 + 2)); /* a stale confirm does nothing */
	assert_int_equal(ui.screen, UI_HOME);
}

static void
test_ui_end_early_asks_first(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	assert_no_action(tap(&ui, "end-early", T0));
	assert_int_equal(ui.screen, UI_CONFIRM);
	assert_int_equal(ui.pending, UI_ACT_END);
	struct ui_action a = tap(&ui, "confirm", T0 + 1);
	assert_int_equal(a.kind, UI_ACT_END);
	assert_int_equal(ui.screen, UI_WORKING);
	assert_int_equal(ui.pending, UI_ACT_END);
}

static void
test_ui_extend_and_checkin_start_at_once(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	struct ui_action a = tap(&ui, "extend-15", T0);
	assert_int_equal(a.kind, UI_ACT_EXTEND);
	assert_int_equal(a.minutes, 15);
	assert_int_equal(ui.screen, UI_WORKING);
	ui_action_done(&ui, true, "ok", T0 + 1);
	tap(&ui, "ok", T0 + 2);
	a = tap(&ui, "extend-30", T0 + 3);
	assert_int_equal(a.kind, UI_ACT_EXTEND);
	assert_int_equal(a.minutes, 30);
	ui_action_done(&ui, true, "ok", T0 + 4);
	tap(&ui, "ok", T0 + 5);
	a = tap(&ui, "check-in", T0 + 6);
	assert_int_equal(a.kind, UI_ACT_CHECKIN);
	assert_int_equal(ui.screen, UI_WORKING);
	assert_int_equal(ui.pending, UI_ACT_CHECKIN);
}

static void
test_ui_taps_ignored_while_working(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	tap(&ui, "book-30", T0);
	tap(&ui, "confirm", T0 + 1);
	static const char *const ids[] = { "cancel", "back", "confirm", "book-30", "extend-15", "end-early", "check-in",
		"find-room", "admin", "ok", "refresh", "pin-1" };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		assert_no_action(tap(&ui, ids[i], T0 + 2 + i));
		assert_int_equal(ui.screen, UI_WORKING);
		assert_int_equal(ui.pending, UI_ACT_BOOK);
	}
	/* Working never times out on its own: the outcome always gets shown. */
	assert_int_equal(ui_next_deadline_ms(&ui, T0 + 100, IDLE_S), UINT64_MAX);
	assert_false(ui_tick(&ui, T0 + 10u * IDLE_S * 1000u, IDLE_S));
	assert_int_equal(ui.screen, UI_WORKING);
	ui_action_done(&ui, true, "booked", T0 + 10u * IDLE_S * 1000u);
	assert_int_equal(ui.screen, UI_MESSAGE);
}

static void
test_ui_outcome_without_working_screen_is_ignored(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	ui_action_done(&ui, false, "late", T0);
	assert_int_equal(ui.screen, UI_HOME);
	tap(&ui, "book-30", T0 + 1);
	ui_action_done(&ui, true, "late", T0 + 2);
	assert_int_equal(ui.screen, UI_CONFIRM);
}

static void
check_idle_return(enum ui_screen expect, const char *const *taps, size_t n)
{
	struct ui_state ui;
	ui_state_init(&ui, T0);
	uint64_t last = T0;
	for (size_t i = 0; i < n; i++)
		tap(&ui, taps[i], last = T0 + 1000u * (i + 1));
	assert_int_equal(ui.screen, expect);
	assert_int_equal(ui_next_deadline_ms(&ui, last, IDLE_S), IDLE_S * 1000u);
	assert_false(ui_tick(&ui, last + IDLE_S * 1000u - 1, IDLE_S));
	assert_int_equal(ui.screen, expect);
	assert_true(ui_tick(&ui, last + IDLE_S * 1000u, IDLE_S));
	assert_int_equal(ui.screen, UI_HOME);
	assert_int_equal(ui.pending, UI_ACT_NONE);
	assert_string_equal(ui.pin, "");
}

static void
test_ui_every_screen_returns_home_when_idle(void **state)
{
	(void)state;
	const char *confirm[] = { "book-30" };
	const char *find[] = { "find-room" };
	const char *pin[] = { "admin", "pin-2", "pin-4" };
	const char *admin[] = { "admin", "pin-2", "pin-4", "pin-6", "pin-8", "pin-ok" };
	check_idle_return(UI_CONFIRM, confirm, 1);
	check_idle_return(UI_FIND_ROOM, find, 1);
	check_idle_return(UI_PIN, pin, 3);
	check_idle_return(UI_ADMIN, admin, 6);
}

static void
test_ui_input_postpones_idle_return(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	tap(&ui, "admin", T0);
	tap(&ui, "pin-1", T0 + 20000);
	assert_false(ui_tick(&ui, T0 + 40000, IDLE_S)); /* 30 s after the first tap, 20 after the last */
	assert_int_equal(ui.screen, UI_PIN);
	assert_true(ui_tick(&ui, T0 + 50000, IDLE_S));
	assert_int_equal(ui.screen, UI_HOME);
}

static void
enter(struct ui_state *ui, const char *digits, uint64_t at)
{
	for (const char *d = digits; *d; d++) {
		char id[8] = "pin-";
		id[4] = *d;
		id[5] = '\0';
		tap(ui, id, at);
	}
}

static void
test_ui_pin_right_opens_admin(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	tap(&ui, "admin", T0);
	assert_int_equal(ui.screen, UI_PIN);
	enter(&ui, PIN, T0 + 1);
	assert_string_equal(ui.pin, PIN);
	tap(&ui, "pin-ok", T0 + 2);
	assert_int_equal(ui.screen, UI_ADMIN);
	assert_false(ui.pin_wrong);
	assert_string_equal(ui.pin, ""); /* the PIN does not linger in memory */
	struct ui_action a = tap(&ui, "refresh", T0 + 3);
	assert_int_equal(a.kind, UI_ACT_REFRESH);
	assert_int_equal(ui.screen, UI_ADMIN);
	tap(&ui, "back", T0 + 4);
	assert_int_equal(ui.screen, UI_HOME);
}

static void
test_ui_pin_wrong_stays_and_says_so(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	tap(&ui, "admin", T0);
	enter(&ui, "1111", T0 + 1);
	tap(&ui, "pin-ok", T0 + 2);
	assert_int_equal(ui.screen, UI_PIN);
	assert_true(ui.pin_wrong);
	assert_string_equal(ui.pin, "");
	enter(&ui, "24", T0 + 3); /* typing again clears the warning */
	assert_false(ui.pin_wrong);
	tap(&ui, "pin-clear", T0 + 4);
	assert_string_equal(ui.pin, "");
	enter(&ui, PIN "0", T0 + 5); /* a longer PIN is wrong too */
	tap(&ui, "pin-ok", T0 + 6);
	assert_int_equal(ui.screen, UI_PIN);
	assert_true(ui.pin_wrong);
	enter(&ui, PIN, T0 + 7);
	tap(&ui, "pin-ok", T0 + 8);
	assert_int_equal(ui.screen, UI_ADMIN);
}

static void
wrong_pin(struct ui_state *ui, uint64_t at)
{
	enter(ui, "1111", at);
	tap(ui, "pin-ok", at);
}

/* After 3 wrong PINs each try waits twice as long as the last, up to 5 minutes; a try during the
 * wait is not even compared; leaving the pad keeps the count; the right PIN resets it. */
static void
test_ui_pin_guessing_waits_twice_as_long_each_time(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	tap(&ui, "admin", T0);
	wrong_pin(&ui, T0 + 1);
	wrong_pin(&ui, T0 + 2);
	assert_int_equal(ui_pin_wait_ms(&ui, T0 + 2), 0); /* two free mistakes */
	wrong_pin(&ui, T0 + 3);
	assert_int_equal(ui.pin_failures, 3);
	assert_int_equal(ui_pin_wait_ms(&ui, T0 + 3), 10000);
	enter(&ui, PIN, T0 + 5000); /* the right PIN, too early: refused, not compared */
	tap(&ui, "pin-ok", T0 + 5000);
	assert_int_equal(ui.screen, UI_PIN);
	assert_true(ui.pin_refused);
	assert_int_equal(ui.pin_failures, 3);
	assert_int_equal(ui_pin_wait_ms(&ui, T0 + 5000), 5003);
	/* the pad counts down: a redraw at each whole second */
	assert_int_equal(ui_next_deadline_ms(&ui, T0 + 5000, IDLE_S), 3);
	assert_false(ui_tick(&ui, T0 + 5001, IDLE_S));
	assert_true(ui_tick(&ui, T0 + 5003, IDLE_S));
	uint64_t at = T0 + 3, expected = 10000;
	for (int i = 0; i < 7; i++) { /* 20, 40, 80, 160, 300 (not 320), 300 s */
		at += expected;
		tap(&ui, "back", at); /* going home and back keeps the count */
		tap(&ui, "admin", at);
		wrong_pin(&ui, at);
		expected = expected * 2 > 300000 ? 300000 : expected * 2;
		assert_int_equal(ui_pin_wait_ms(&ui, at), expected);
		assert_int_equal(ui.pin_failures, 4 + i);
	}
	assert_int_equal(expected, 300000);
	at += expected;
	enter(&ui, PIN, at);
	tap(&ui, "pin-ok", at);
	assert_int_equal(ui.screen, UI_ADMIN);
	assert_int_equal(ui.pin_failures, 0);
	tap(&ui, "back", at + 1);
	tap(&ui, "admin", at + 1);
	for (int i = 0; i < 3; i++)
		wrong_pin(&ui, at + 2);
	assert_int_equal(ui_pin_wait_ms(&ui, at + 2), 10000); /* starts over from the first wait */
}

static void
test_ui_pin_is_capped(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	tap(&ui, "admin", T0);
	for (int i = 0; i < UI_PIN_MAX + 5; i++)
		tap(&ui, "pin-7", T0 + 1);
	assert_int_equal(strlen(ui.pin), UI_PIN_MAX);
}

static void
test_ui_no_admin_screen_without_pin(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	ui_tap(&ui, "admin", NULL, T0);
	assert_int_equal(ui.screen, UI_HOME);
	ui_tap(&ui, "admin", "", T0);
	assert_int_equal(ui.screen, UI_HOME);
	/* and an empty entry never matches an empty PIN */
	ui.screen = UI_PIN;
	ui_tap(&ui, "pin-ok", "", T0);
	assert_int_equal(ui.screen, UI_PIN);
}

static void
test_ui_find_room_asks_the_source(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	struct ui_action a = tap(&ui, "find-room", T0);
	assert_int_equal(a.kind, UI_ACT_FIND_ROOMS);
	assert_int_equal(ui.screen, UI_FIND_ROOM);
	a = tap(&ui, "refresh", T0 + 1);
	assert_int_equal(a.kind, UI_ACT_FIND_ROOMS);
	assert_no_action(tap(&ui, "back", T0 + 2));
	assert_int_equal(ui.screen, UI_HOME);
}

/* Find a room → a free room → a duration: two taps from the list book it; Back on the room's
 * durations returns to the list without a new look-up. */
static void
test_ui_book_a_room_of_the_list_in_two_taps(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	tap(&ui, "find-room", T0);
	assert_no_action(tap(&ui, "room-book-30", T0 + 1)); /* not on the list's screen */
	assert_no_action(tap(&ui, "room-x", T0 + 1));
	assert_no_action(tap(&ui, "room-2", T0 + 2));
	assert_int_equal(ui.screen, UI_ROOM_BOOK);
	assert_int_equal(ui.room, 2);
	assert_no_action(tap(&ui, "back", T0 + 3));
	assert_int_equal(ui.screen, UI_FIND_ROOM);
	tap(&ui, "room-1", T0 + 4);
	assert_no_action(tap(&ui, "room-3", T0 + 5)); /* a room id means nothing here */
	assert_int_equal(ui.room, 1);
	struct ui_action a = tap(&ui, "room-book-30", T0 + 6);
	assert_int_equal(a.kind, UI_ACT_BOOK_ROOM);
	assert_int_equal(a.minutes, 30);
	assert_int_equal(a.room, 1);
	assert_int_equal(ui.screen, UI_WORKING);
	ui_action_done(&ui, true, "Annex is yours until 10:45.", T0 + 7);
	assert_int_equal(ui.screen, UI_MESSAGE);
	/* cancel on the durations goes home, as everywhere */
	ui_state_init(&ui, T0);
	tap(&ui, "find-room", T0);
	tap(&ui, "room-0", T0 + 1);
	assert_no_action(tap(&ui, "cancel", T0 + 2));
	assert_int_equal(ui.screen, UI_HOME);
}

/* Report → a problem → working → the server's outcome; Cancel on the list sends nothing. */
static void
test_ui_report_lists_problems_then_sends(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	assert_no_action(tap(&ui, "report", T0));
	assert_int_equal(ui.screen, UI_REPORT);
	assert_no_action(tap(&ui, "cancel", T0 + 1));
	assert_int_equal(ui.screen, UI_HOME);
	tap(&ui, "report", T0 + 2);
	assert_no_action(tap(&ui, "report-", T0 + 3));                               /* no problem named */
	assert_no_action(tap(&ui, "report-a-name-longer-than-any-problem", T0 + 3)); /* not a config word */
	assert_no_action(tap(&ui, "book-30", T0 + 3));
	assert_int_equal(ui.screen, UI_REPORT);
	struct ui_action a = tap(&ui, "report-projector", T0 + 4);
	assert_int_equal(a.kind, UI_ACT_REPORT);
	assert_string_equal(a.problem, "projector");
	assert_int_equal(ui.screen, UI_WORKING);
	assert_no_action(tap(&ui, "report-projector", T0 + 5)); /* no second send while one runs */
	ui_action_done(&ui, true, "Sent.", T0 + 6);
	assert_int_equal(ui.screen, UI_MESSAGE);
	assert_true(ui.message_ok);
	assert_no_action(tap(&ui, "report-screen", T0 + 7)); /* problem targets only act on the list */
	assert_int_equal(ui.screen, UI_MESSAGE);
}

static void
test_ui_buttons_of_other_screens_do_nothing(void **state)
{
	(void)state;
	struct ui_state ui;
	ui_state_init(&ui, T0);
	assert_no_action(tap(&ui, "confirm", T0));
	assert_no_action(tap(&ui, "pin-ok", T0));
	assert_no_action(tap(&ui, "refresh", T0));
	assert_no_action(tap(&ui, "book-x", T0));
	assert_no_action(tap(&ui, "book-", T0));
	assert_no_action(tap(&ui, "nonsense", T0));
	assert_int_equal(ui.screen, UI_HOME);
	tap(&ui, "book-30", T0);
	assert_no_action(tap(&ui, "book-15", T0)); /* confirm screen: only confirm/cancel */
	assert_no_action(tap(&ui, "extend-15", T0));
	assert_int_equal(ui.screen, UI_CONFIRM);
	assert_int_equal(ui.pending_minutes, 30);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ui_starts_home),
		cmocka_unit_test(test_ui_report_lists_problems_then_sends),
		cmocka_unit_test(test_ui_book_confirm_working_message_home),
		cmocka_unit_test(test_ui_booking_failure_shows_why_then_home),
		cmocka_unit_test(test_ui_cancel_on_confirm_goes_home_without_action),
		cmocka_unit_test(test_ui_end_early_asks_first),
		cmocka_unit_test(test_ui_extend_and_checkin_start_at_once),
		cmocka_unit_test(test_ui_taps_ignored_while_working),
		cmocka_unit_test(test_ui_outcome_without_working_screen_is_ignored),
		cmocka_unit_test(test_ui_every_screen_returns_home_when_idle),
		cmocka_unit_test(test_ui_input_postpones_idle_return),
		cmocka_unit_test(test_ui_pin_right_opens_admin),
		cmocka_unit_test(test_ui_pin_wrong_stays_and_says_so),
		cmocka_unit_test(test_ui_pin_is_capped),
		cmocka_unit_test(test_ui_pin_guessing_waits_twice_as_long_each_time),
		cmocka_unit_test(test_ui_no_admin_screen_without_pin),
		cmocka_unit_test(test_ui_find_room_asks_the_source),
		cmocka_unit_test(test_ui_book_a_room_of_the_list_in_two_taps),
		cmocka_unit_test(test_ui_buttons_of_other_screens_do_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
