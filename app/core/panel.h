/* panel.h — what the door panel shows besides the screen: the LED's colour and whether the
 * backlight is on at night. Pure rules, so that the main loop only carries them out. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "room_state.h"
#include "timeutil.h"

enum led_colour { LED_OFF, LED_GREEN, LED_RED, LED_AMBER };

struct led_choice {
	enum led_colour colour;
	bool blink;   /* waiting for a check-in */
	bool offline; /* the calendar cannot be reached: the [led] offline rule over the colour */
};

/* Green free, red busy, amber soon or awaiting check-in (blinking); off before any schedule
 * is known; offline when the last sync failed but a schedule is shown. */
struct led_choice led_choice_for(bool has_schedule, bool sync_failed, enum room_status status);

/* [display] night: the minutes of the day [from_min, to_min) in the room's zone; from > to
 * spans midnight (22:00-06:00). Wall-clock minutes, so across a DST change the window keeps its
 * local times. */
struct night_window {
	bool set;
	int from_min, to_min;
};

bool night_contains(struct night_window night, rs_time now);
/* The backlight: on by day, at night only until wake_until_ms (a touch lights it a while). */
bool panel_on_at(struct night_window night, rs_time now, uint64_t now_ms, uint64_t wake_until_ms);
