/* view.h — what the screen says, as plain strings and flags: a pure function of the room's
 * state, the UI state and the time. Layout decides where; render decides how. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../calendar/source.h"
#include "../config.h"
#include "../core/room_state.h"
#include "theme.h"
#include "ui_state.h"

#define VIEW_MAX_NEXT         6
#define VIEW_MAX_BUTTONS      16
#define VIEW_MAX_BLOCKS       64
#define VIEW_MAX_LINES        10
#define VIEW_MAX_ROOM_BUTTONS 3 /* free rooms bookable from the "Find a room" list ("room-<i>") */

struct view_button {
	char id[32];
	char label[64];
	bool primary;
};

struct view_row {
	char time[64]; /* lists: the left column */
	char text[200];
	bool dim;
};

struct view_block {
	float from, to; /* fractions of the timeline, 0..1 */
	bool tentative;
};

enum view_kind { VIEW_HOME, VIEW_DIALOG, VIEW_LIST, VIEW_PIN, VIEW_SETUP };

struct view {
	enum view_kind kind;
	struct theme theme; /* the configured palette */
	float text_scale;   /* 1, or 1.4 for [display] text_size = large */
	const char *logo;   /* [display] logo (points into the config), or NULL */
	const char *qr;     /* home: the QR code's URL (points into the config), or NULL */
	int qr_modules;     /* its symbol's side, without the quiet zone */
	char room[128], clock[8], date[64];
	enum room_status status;
	uint32_t status_colour, status_text_colour;
	char status_icon[8];   /* a shape per state, so colour is never the only cue */
	char status_word[48];  /* FREE, BUSY, STARTING SOON, CHECK IN */
	char status_line[128]; /* "Free until 14:00", "Busy until 11:30" */
	char title[200], organizer[128], time_range[48];
	char next_heading[48];
	struct view_row next[VIEW_MAX_NEXT];
	size_t next_count;
	char all_day[200];
	struct view_block blocks[VIEW_MAX_BLOCKS];
	size_t block_count;
	float now_pos; /* <0 when now is off the timeline */
	char timeline_from[8], timeline_to[8];
	char notice[240]; /* stale data / offline, small */
	bool notice_error;
	/* dialogs, lists, PIN pad, setup */
	char heading[160];
	char text[1024];
	bool ok; /* dialog outcome colour */
	struct view_row lines[VIEW_MAX_LINES];
	size_t line_count;
	char pin_mask[UI_PIN_MAX + 1];
	struct view_button buttons[VIEW_MAX_BUTTONS];
	size_t button_count;
	char pressed[32];
};

struct sync_status {
	bool has_schedule;                        /* anything to show (cached or fresh) */
	bool stale;                               /* shown from the cache, no fresh fetch yet */
	rs_time last_ok;                          /* last successful fetch, 0 = never */
	char last_error[512];                     /* empty when the last fetch worked; admin screen and log only */
	enum source_category last_error_category; /* what the public screen says about it */
};

struct view_input {
	const struct config *config;
	const struct schedule *schedule;
	const struct room_state *state;
	const struct ui_state *ui;
	rs_time now;
	const struct sync_status *sync;
	bool read_only; /* the source cannot book */
	const struct room_availability *rooms;
	size_t room_count;
	bool rooms_loading;
	const char *address;    /* the device's network address, for admin/setup */
	const char *setup_text; /* non-NULL: show the setup screen with this text */
};

void view_build(const struct view_input *in, struct view *out);
/* The public screen's sentence for a failed sync (translated; no detail, no secrets). */
const char *view_sync_sentence(enum source_category category);
/* The subject line for an event under the room's policy (private → "Private meeting"). */
void view_subject(const struct event *e, enum subject_policy policy, char *buf, size_t size);
/* Writes the view's texts as JSON to path, atomically (tests and diagnostics: the running
 * display does it after every frame when ROOMSIGN_VIEW_JSON names a file). */
bool view_write_json(const struct view *v, const char *path);
