/* led.h — the occupancy light beside the door, and the optional PIR motion sensor on the same chip. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "config.h"
#include "core/panel.h" /* enum led_colour */

struct led;

/* Opens the configured GPIO lines (config->chip NULL or empty: a null LED that logs changes).
 * NULL on failure (already logged, with the reason: missing chip, busy line); the sign runs on.
 * Every function below accepts NULL and then does nothing (false, -1). */
struct led *led_create(const struct led_config *config);
void led_destroy(struct led *led); /* accepts NULL; leaves the light off, lines released */
/* Shows a colour; blink makes it flash (called by the main loop: led_tick drives the blink).
 * One line: on = red (busy); amber blinks it. Two lines: amber = red + green. Three: RGB. */
bool led_show(struct led *led, enum led_colour colour, bool blink);
/* The calendar cannot be reached: applies config->offline (off, keep the last colour, or a slow
 * blink of it). A later led_show replaces it. */
bool led_show_offline(struct led *led);
/* Advances a blink; now_ms is a monotonic clock. Cheap; call from the main loop. */
void led_tick(struct led *led, uint64_t now_ms);
/* Milliseconds until led_tick has work to do (for SDL_WaitEventTimeout), or -1 when not blinking. */
int led_timeout_ms(const struct led *led, uint64_t now_ms);
/* Motion sensor: true when a debounced motion edge arrived since the last call. Never blocks. */
bool led_motion_seen(struct led *led);
/* Motion sensor: true while its output is high. A PIR that keeps seeing people holds its output
 * high and sends no further edge: that is motion too. */
bool led_motion_active(struct led *led);
/* File descriptor that becomes readable on motion edges, or -1. */
int led_motion_fd(struct led *led);
