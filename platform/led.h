/* led.h — the occupancy light beside the door. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "config.h"

enum led_colour { LED_OFF, LED_GREEN, LED_RED, LED_AMBER };

struct led;

/* Opens the configured GPIO lines (config->chip NULL or empty: a null LED that logs changes).
 * NULL on failure (already logged, with the reason: missing chip, busy line); the sign runs on. */
struct led *led_create(const struct led_config *config);
void led_destroy(struct led *led);               /* accepts NULL; leaves the light off, lines released */
/* Shows a colour; blink makes it flash (called by the main loop: led_tick drives the blink). */
bool led_show(struct led *led, enum led_colour colour, bool blink);
/* Advances a blink; now_ms is a monotonic clock. Cheap; call from the main loop. */
void led_tick(struct led *led, uint64_t now_ms);
/* Motion sensor: true when a debounced motion edge arrived since the last call. */
bool led_motion_seen(struct led *led);
/* File descriptor that becomes readable on motion edges, or -1. */
int led_motion_fd(struct led *led);
