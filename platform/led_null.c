/* led_null.c — the LED where roomsign was built without libgpiod: it only logs what it would show. */
#define LOG_MODULE "led"
#include "led.h"
#include "core/xalloc.h"
#include "core/log.h"
#include <stdlib.h>

struct led {
	enum led_colour colour;
	bool is_blinking, has_shown;
	enum led_offline offline;
};

static const char *
colour_name(enum led_colour colour)
{
	switch (colour) {
	case LED_GREEN: return "green";
	case LED_RED: return "red";
	case LED_AMBER: return "amber";
	default: return "off";
	}
}

struct led *
led_create(const struct led_config *config)
{
	if (config->chip && *config->chip)
		log_warn("built without libgpiod: [led] chip = %s is ignored, LED changes are only logged",
			config->chip);
	struct led *led = xcalloc(1, sizeof(*led));
	led->offline = config->offline;
	return led;
}

void
led_destroy(struct led *led)
{
	free(led);
}

bool
led_show(struct led *led, enum led_colour colour, bool blink)
{
	if (!led)
		return false;
	if (!led->has_shown || colour != led->colour || blink != led->is_blinking)
		log_info("LED %s%s", colour_name(colour), blink ? ", blinking" : "");
	led->has_shown = true;
	led->colour = colour;
	led->is_blinking = blink;
	return true;
}

bool
led_show_offline(struct led *led)
{
	if (!led)
		return false;
	static const char *const what[] = { "off", "keeping the last colour", "slow blink" };
	log_info("LED offline: %s", what[led->offline]);
	if (led->offline == LED_OFFLINE_OFF)
		led->colour = LED_OFF;
	return true;
}

void
led_tick(struct led *led, uint64_t now_ms)
{
}

int
led_timeout_ms(const struct led *led, uint64_t now_ms)
{
	return -1;
}

bool
led_motion_seen(struct led *led)
{
	return false;
}

bool
led_motion_active(struct led *led)
{
	return false;
}

int
led_motion_fd(struct led *led)
{
	return -1;
}
