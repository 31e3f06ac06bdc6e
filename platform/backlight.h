/* backlight.h — the panel's backlight through /sys/class/backlight. */
#pragma once
#include <stdbool.h>

struct backlight;

/* dir: a /sys/class/backlight/NAME directory, or NULL for the first one under root
 * (root is "/sys/class/backlight" normally; tests pass a fake tree). NULL when none exists. */
struct backlight *backlight_create(const char *root, const char *dir);
void backlight_destroy(struct backlight *backlight); /* accepts NULL; leaves the panel on */
/* Switches the panel on (full brightness) or off (bl_power = 4, brightness 0). */
bool backlight_set_on(struct backlight *backlight, bool on);
