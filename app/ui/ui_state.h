/* ui_state.h — which screen is up and what a tap does: a pure state machine (no SDL). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "../core/event.h"

#define UI_MESSAGE_MS        6000 /* outcome messages stay this long */
#define UI_PIN_MAX           12
#define UI_PIN_FREE_TRIES    3      /* wrong PINs before each try must wait */
#define UI_PIN_FIRST_WAIT_MS 10000  /* the first wait; each further wrong try doubles it … */
#define UI_PIN_MAX_WAIT_MS   300000 /* … up to five minutes */

/* UI_ROOM_BOOK: a free room of the "Find a room" list chosen, its durations offered. */
enum ui_screen { UI_HOME, UI_CONFIRM, UI_WORKING, UI_MESSAGE, UI_FIND_ROOM, UI_PIN, UI_ADMIN, UI_REPORT, UI_ROOM_BOOK };

enum ui_action_kind {
	UI_ACT_NONE,
	UI_ACT_BOOK,
	UI_ACT_EXTEND,
	UI_ACT_END,
	UI_ACT_CHECKIN,
	UI_ACT_FIND_ROOMS,
	UI_ACT_REFRESH,
	UI_ACT_REPORT,
	UI_ACT_BOOK_ROOM, /* another room, from the "Find a room" list */
};

#define UI_PROBLEM_MAX 24 /* a [report] problem's word, with its NUL */

struct ui_action {
	enum ui_action_kind kind;
	int minutes;                  /* book, extend, book another room */
	int room;                     /* book another room: its index in [source] nearby_rooms */
	char problem[UI_PROBLEM_MAX]; /* report: the word after "report-" in the tapped target */
};

struct ui_state {
	enum ui_screen screen;
	enum ui_action_kind pending; /* the action on the confirm/working screen */
	int pending_minutes;
	int room; /* UI_ROOM_BOOK: the room chosen on the list (index in [source] nearby_rooms) */
	char message[256];
	bool message_ok;
	uint64_t message_until_ms;
	uint64_t last_input_ms;
	char pressed[32]; /* id of the target under a finger, for the pressed look */
	char pin[UI_PIN_MAX + 1];
	bool pin_wrong;
	/* Guessing the admin PIN: kept when the screen goes home, reset by the right PIN. */
	unsigned pin_failures;        /* wrong tries in a row */
	bool pin_refused;             /* the last OK came while waiting: not checked */
	uint64_t pin_wait_ms;         /* the last wait imposed */
	uint64_t pin_locked_until_ms; /* no try is checked before this */
	uint64_t clock_ms;            /* the latest now_ms seen by ui_tap/ui_tick */
};

void ui_state_init(struct ui_state *ui, uint64_t now_ms);
/* A tap on the target `id`. Returns the action for the source thread, if any. admin_pin may be
 * NULL or "" (no admin screen). */
struct ui_action ui_tap(struct ui_state *ui, const char *id, const char *admin_pin, uint64_t now_ms);
/* Milliseconds until the next PIN try is checked (0: now). */
uint64_t ui_pin_wait_ms(const struct ui_state *ui, uint64_t now_ms);
/* The outcome of the action on the working screen: a message screen that times out. */
void ui_action_done(struct ui_state *ui, bool ok, const char *message, uint64_t now_ms);
/* Shows message on the message screen from any screen (a refused tap); it times out home. */
void ui_show_message(struct ui_state *ui, bool ok, const char *message, uint64_t now_ms);
/* Timeouts: messages expire, any screen returns home after idle_s without input.
 * Returns true when the screen changed. */
bool ui_tick(struct ui_state *ui, uint64_t now_ms, int idle_s);
/* When ui_tick next needs to run, in ms from now_ms (UINT64_MAX: not needed). */
uint64_t ui_next_deadline_ms(const struct ui_state *ui, uint64_t now_ms, int idle_s);
