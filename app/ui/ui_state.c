#include "ui_state.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
ui_state_init(struct ui_state *ui, uint64_t now_ms)
{
	memset(ui, 0, sizeof(*ui));
	ui->screen = UI_HOME;
	ui->last_input_ms = now_ms;
}

static void
go_home(struct ui_state *ui)
{
	ui->screen = UI_HOME;
	ui->pending = UI_ACT_NONE;
	ui->pending_minutes = 0;
	ui->pin[0] = '\0';
	ui->pin_wrong = false;
}

static bool
has_prefix(const char *s, const char *prefix, int *number)
{
	size_t n = strlen(prefix);
	if (strncmp(s, prefix, n) != 0)
		return false;
	char *end;
	long v = strtol(s + n, &end, 10);
	if (end == s + n || *end || v < 0 || v > 24 * 60)
		return false;
	*number = (int)v;
	return true;
}

static struct ui_action
start(struct ui_state *ui, enum ui_action_kind kind, int minutes)
{
	ui->screen = UI_WORKING;
	ui->pending = kind;
	ui->pending_minutes = minutes;
	return (struct ui_action){ kind, minutes, 0, "" };
}

/* "report-<problem>" on the list of problems: the sign checks the word against its config. */
static struct ui_action
report(struct ui_state *ui, const char *id)
{
	struct ui_action none = { UI_ACT_NONE, 0, 0, "" };
	const char *problem = id + strlen("report-");
	if (strncmp(id, "report-", 7) != 0 || !*problem || strlen(problem) >= UI_PROBLEM_MAX)
		return none;
	struct ui_action a = start(ui, UI_ACT_REPORT, 0);
	snprintf(a.problem, sizeof(a.problem), "%s", problem);
	return a;
}

uint64_t
ui_pin_wait_ms(const struct ui_state *ui, uint64_t now_ms)
{
	return ui->pin_locked_until_ms > now_ms ? ui->pin_locked_until_ms - now_ms : 0;
}

/* After UI_PIN_FREE_TRIES wrong PINs each try waits twice as long as the last one did. */
static void
pin_failed(struct ui_state *ui, uint64_t now_ms)
{
	ui->pin_wrong = true;
	ui->pin_failures++;
	if (ui->pin_failures < UI_PIN_FREE_TRIES)
		return;
	ui->pin_wait_ms = ui->pin_wait_ms ? ui->pin_wait_ms * 2 : UI_PIN_FIRST_WAIT_MS;
	if (ui->pin_wait_ms > UI_PIN_MAX_WAIT_MS)
		ui->pin_wait_ms = UI_PIN_MAX_WAIT_MS;
	ui->pin_locked_until_ms = now_ms + ui->pin_wait_ms;
}

static void
pin_key(struct ui_state *ui, const char *id, const char *admin_pin, uint64_t now_ms)
{
	int digit;
	ui->pin_wrong = false;
	ui->pin_refused = false;
	if (has_prefix(id, "pin-", &digit) && digit <= 9) {
		size_t n = strlen(ui->pin);
		if (n < UI_PIN_MAX) {
			ui->pin[n] = (char)('0' + digit);
			ui->pin[n + 1] = '\0';
		}
	} else if (strcmp(id, "pin-clear") == 0) {
		ui->pin[0] = '\0';
	} else if (strcmp(id, "pin-ok") == 0) {
		if (ui_pin_wait_ms(ui, now_ms) > 0) {
			ui->pin_refused = true; /* not even compared: waiting is the only way on */
		} else if (admin_pin && *admin_pin && strcmp(ui->pin, admin_pin) == 0) {
			ui->screen = UI_ADMIN;
			ui->pin_failures = 0;
			ui->pin_wait_ms = 0;
		} else {
			pin_failed(ui, now_ms);
		}
		ui->pin[0] = '\0';
	}
}

struct ui_action
ui_tap(struct ui_state *ui, const char *id, const char *admin_pin, uint64_t now_ms)
{
	struct ui_action none = { UI_ACT_NONE, 0, 0, "" };
	int minutes, room;
	ui->last_input_ms = now_ms;
	ui->clock_ms = now_ms;
	/* A request is running: every tap waits for its outcome, "cancel" too (the request cannot
	 * be called back, and its outcome must be shown). */
	if (ui->screen == UI_WORKING)
		return none;
	if (ui->screen == UI_ROOM_BOOK && strcmp(id, "back") == 0) {
		ui->screen = UI_FIND_ROOM; /* the list as it was: no new look-up */
		return none;
	}
	if (strcmp(id, "back") == 0 || strcmp(id, "cancel") == 0) {
		go_home(ui);
		return none;
	}
	switch (ui->screen) {
	case UI_HOME:
		if (has_prefix(id, "book-", &minutes)) {
			ui->screen = UI_CONFIRM;
			ui->pending = UI_ACT_BOOK;
			ui->pending_minutes = minutes;
		} else if (strcmp(id, "end-early") == 0) {
			ui->screen = UI_CONFIRM;
			ui->pending = UI_ACT_END;
		} else if (has_prefix(id, "extend-", &minutes)) {
			return start(ui, UI_ACT_EXTEND, minutes);
		} else if (strcmp(id, "check-in") == 0) {
			return start(ui, UI_ACT_CHECKIN, 0);
		} else if (strcmp(id, "find-room") == 0) {
			ui->screen = UI_FIND_ROOM;
			return (struct ui_action){ UI_ACT_FIND_ROOMS, 0, 0, "" };
		} else if (strcmp(id, "report") == 0) {
			ui->screen = UI_REPORT;
		} else if (strcmp(id, "admin") == 0 && admin_pin && *admin_pin) {
			ui->screen = UI_PIN;
			ui->pin[0] = '\0';
			ui->pin_wrong = false;
		}
		return none;
	case UI_CONFIRM:
		if (strcmp(id, "confirm") == 0)
			return start(ui, ui->pending, ui->pending_minutes);
		return none;
	case UI_MESSAGE:
		if (strcmp(id, "ok") == 0)
			go_home(ui);
		return none;
	case UI_PIN: pin_key(ui, id, admin_pin, now_ms); return none;
	case UI_ADMIN:
		if (strcmp(id, "refresh") == 0)
			return (struct ui_action){ UI_ACT_REFRESH, 0, 0, "" };
		return none;
	case UI_FIND_ROOM:
		if (strcmp(id, "refresh") == 0)
			return (struct ui_action){ UI_ACT_FIND_ROOMS, 0, 0, "" };
		if (has_prefix(id, "room-", &room)) {
			ui->screen = UI_ROOM_BOOK;
			ui->room = room;
		}
		return none;
	case UI_ROOM_BOOK:
		if (has_prefix(id, "room-book-", &minutes)) {
			struct ui_action a = start(ui, UI_ACT_BOOK_ROOM, minutes);
			a.room = ui->room;
			return a;
		}
		return none;
	case UI_REPORT: return report(ui, id);
	case UI_WORKING: return none;
	}
	return none;
}

void
ui_action_done(struct ui_state *ui, bool ok, const char *message, uint64_t now_ms)
{
	if (ui->screen != UI_WORKING)
		return;
	ui->screen = UI_MESSAGE;
	ui->message_ok = ok;
	snprintf(ui->message, sizeof(ui->message), "%s", message ? message : "");
	ui->message_until_ms = now_ms + UI_MESSAGE_MS;
	ui->pending = UI_ACT_NONE;
}

/* Whole seconds of waiting as the PIN pad shows them. */
static uint64_t
wait_shown_s(const struct ui_state *ui, uint64_t now_ms)
{
	return (ui_pin_wait_ms(ui, now_ms) + 999) / 1000;
}

void
ui_show_message(struct ui_state *ui, bool ok, const char *message, uint64_t now_ms)
{
	ui->screen = UI_WORKING;
	ui_action_done(ui, ok, message, now_ms);
}

bool
ui_tick(struct ui_state *ui, uint64_t now_ms, int idle_s)
{
	uint64_t before = wait_shown_s(ui, ui->clock_ms);
	ui->clock_ms = now_ms;
	if (ui->screen == UI_PIN && wait_shown_s(ui, now_ms) != before)
		return true; /* the countdown on the pad */
	if (ui->screen == UI_MESSAGE && now_ms >= ui->message_until_ms) {
		go_home(ui);
		return true;
	}
	/* The working screen waits for its outcome; everything else goes home when left alone. */
	if (ui->screen != UI_HOME && ui->screen != UI_WORKING && ui->screen != UI_MESSAGE &&
		now_ms >= ui->last_input_ms + (uint64_t)idle_s * 1000u) {
		go_home(ui);
		return true;
	}
	return false;
}

uint64_t
ui_next_deadline_ms(const struct ui_state *ui, uint64_t now_ms, int idle_s)
{
	uint64_t at = UINT64_MAX;
	if (ui->screen == UI_MESSAGE)
		at = ui->message_until_ms;
	else if (ui->screen != UI_HOME && ui->screen != UI_WORKING)
		at = ui->last_input_ms + (uint64_t)idle_s * 1000u;
	uint64_t wait = ui_pin_wait_ms(ui, now_ms);
	if (ui->screen == UI_PIN && wait > 0) { /* the next second of the countdown */
		uint64_t next = now_ms + (wait % 1000 ? wait % 1000 : 1000);
		if (next < at)
			at = next;
	}
	if (at == UINT64_MAX)
		return at;
	return at > now_ms ? at - now_ms : 0;
}
