/* led_gpiod.c — the occupancy light and the PIR sensor through the GPIO character device (libgpiod v2). */
#define LOG_MODULE "led"
#include "led.h"
#include "core/xalloc.h"
#include "core/log.h"
#include <dirent.h>
#include <errno.h>
#include <gpiod.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LED_CONSUMER           "roomsign"
#define LED_MAX_LINES          3
#define LED_BLINK_MS           500  /* half period of an attention blink (one-colour amber) */
#define LED_SLOW_BLINK_MS      1000 /* half period of the offline blink */
#define LED_MOTION_DEBOUNCE_US 200000
#define LED_MOTION_EVENTS      16

/* Primary colours a line can carry; a colour is the set of primaries it lights. */
enum { PRIMARY_RED = 1, PRIMARY_GREEN = 2, PRIMARY_BLUE = 4 };

struct led {
	struct gpiod_chip *chip;          /* NULL: the null LED (no chip configured) */
	char *chip_name;                  /* for log lines */
	struct gpiod_line_request *lines; /* the colour lines, NULL when none */
	unsigned int offsets[LED_MAX_LINES];
	unsigned int primary[LED_MAX_LINES]; /* which primary each line carries */
	bool active_low[LED_MAX_LINES];      /* per line: the LED lights when the line is low */
	size_t line_count;
	enum led_offline offline;

	enum led_colour colour;
	unsigned int lit; /* primaries lit in the "on" phase */
	bool has_shown;
	bool is_blinking, phase_on;
	unsigned int half_period_ms;
	uint64_t next_toggle_ms; /* 0: start timing at the next tick */

	struct gpiod_line_request *motion;
	struct gpiod_edge_event_buffer *events;
	unsigned int motion_offset;
	bool is_motion_pending, has_edge, has_read_error;
	uint64_t last_edge_ns;
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

static struct gpiod_chip *
open_chip_path(const char *path, bool log_failure)
{
	struct gpiod_chip *chip = gpiod_chip_open(path);
	if (!chip && log_failure)
		log_error("cannot open GPIO chip %s: %s%s", path, strerror(errno),
			errno == EACCES ? " (is the service user in the gpio group?)" : "");
	return chip;
}

static bool
chip_has_label(struct gpiod_chip *chip, const char *label)
{
	struct gpiod_chip_info *info = gpiod_chip_get_info(chip);
	if (!info)
		return false;
	bool is_match = strcmp(gpiod_chip_info_get_label(info), label) == 0;
	gpiod_chip_info_free(info);
	return is_match;
}

/* Chip numbers move between kernels and boards (the Pi 5's header is not gpiochip0), so besides a
 * path or a /dev name the config may give the label the driver reports, e.g. "pinctrl-rp1".
 * Logs why when nothing matches. */
static struct gpiod_chip *
open_chip(const char *want)
{
	char path[PATH_MAX];
	if (strchr(want, '/')) {
		if (gpiod_is_gpiochip_device(want))
			return open_chip_path(want, true);
		log_error("%s is not a GPIO chip (%s); running without the LED", want,
			access(want, F_OK) == 0 ? "not a gpiochip device" : "no such file");
		return NULL;
	}
	snprintf(path, sizeof(path), "/dev/%s", want);
	if (gpiod_is_gpiochip_device(path))
		return open_chip_path(path, true);

	DIR *dir = opendir("/dev");
	struct gpiod_chip *found = NULL;
	bool is_denied = false;
	struct dirent *entry;
	while (dir && !found && (entry = readdir(dir))) {
		if (strncmp(entry->d_name, "gpiochip", 8) != 0)
			continue;
		snprintf(path, sizeof(path), "/dev/%s", entry->d_name);
		if (!gpiod_is_gpiochip_device(path))
			continue;
		struct gpiod_chip *chip = open_chip_path(path, false);
		if (!chip)
			is_denied |= errno == EACCES;
		else if (chip_has_label(chip, want))
			found = chip;
		else
			gpiod_chip_close(chip);
	}
	if (dir)
		closedir(dir);
	if (!found)
		log_error("no GPIO chip \"%s\" (looked for a path, /dev/%s and a chip with that label%s); "
			  "running without the LED",
			want, want,
			is_denied ? "; some chips could not be opened: is the service user in the gpio group?" : "");
	return found;
}

/* One line for a failed request, naming who holds a busy line. */
static void
log_request_failure(struct led *led, const unsigned int *offsets, size_t count, const char *what)
{
	int err = errno;
	for (size_t i = 0; err == EBUSY && i < count; i++) {
		struct gpiod_line_info *info = gpiod_chip_get_line_info(led->chip, offsets[i]);
		if (!info)
			continue;
		if (gpiod_line_info_is_used(info)) {
			const char *consumer = gpiod_line_info_get_consumer(info);
			log_error("%s line %u on %s is busy (used by \"%s\"); running without the LED", what,
				offsets[i], led->chip_name, consumer && *consumer ? consumer : "?");
			gpiod_line_info_free(info);
			return;
		}
		gpiod_line_info_free(info);
	}
	log_error("cannot request %s line(s) on %s: %s; running without the LED", what, led->chip_name, strerror(err));
}

static struct gpiod_line_request *
request_lines(struct led *led, const unsigned int *offsets, size_t count, struct gpiod_line_settings *settings)
{
	struct gpiod_line_request *request = NULL;
	struct gpiod_line_config *line_config = gpiod_line_config_new();
	struct gpiod_request_config *request_config = gpiod_request_config_new();
	if (!line_config || !request_config)
		goto out;
	gpiod_request_config_set_consumer(request_config, LED_CONSUMER);
	if (gpiod_line_config_add_line_settings(line_config, offsets, count, settings) == 0)
		request = gpiod_chip_request_lines(led->chip, request_config, line_config);
out:
	gpiod_request_config_free(request_config);
	gpiod_line_config_free(line_config);
	return request;
}

/* Each colour line is an output, off from the start; active-low is set line by line. */
static bool
request_colour_lines(struct led *led)
{
	struct gpiod_line_config *line_config = gpiod_line_config_new();
	struct gpiod_request_config *request_config = gpiod_request_config_new();
	bool ok = line_config && request_config;
	gpiod_request_config_set_consumer(request_config, LED_CONSUMER);
	for (size_t i = 0; ok && i < led->line_count; i++) {
		struct gpiod_line_settings *settings = gpiod_line_settings_new();
		ok = settings != NULL;
		if (ok) {
			gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_OUTPUT);
			gpiod_line_settings_set_output_value(settings, GPIOD_LINE_VALUE_INACTIVE);
			gpiod_line_settings_set_active_low(settings, led->active_low[i]);
			ok = gpiod_line_config_add_line_settings(line_config, &led->offsets[i], 1, settings) == 0;
			gpiod_line_settings_free(settings);
		}
	}
	if (ok)
		led->lines = gpiod_chip_request_lines(led->chip, request_config, line_config);
	if (ok && !led->lines)
		log_request_failure(led, led->offsets, led->line_count, "LED");
	gpiod_request_config_free(request_config);
	gpiod_line_config_free(line_config);
	return led->lines != NULL;
}

/* Both edges, so that a short drop and return of the signal can be recognised as a bounce; the
 * kernel debounces where it can (gpiolib-cdev does it in software for any line with an IRQ). */
static bool
request_motion_line(struct led *led)
{
	struct gpiod_line_settings *settings = gpiod_line_settings_new();
	if (!settings)
		return false;
	gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_INPUT);
	gpiod_line_settings_set_edge_detection(settings, GPIOD_LINE_EDGE_BOTH);
	gpiod_line_settings_set_debounce_period_us(settings, LED_MOTION_DEBOUNCE_US);
	led->motion = request_lines(led, &led->motion_offset, 1, settings);
	if (!led->motion && errno != EBUSY) {
		log_warn("motion line %u on %s: no debounce in the kernel (%s); filtering in roomsign",
			led->motion_offset, led->chip_name, strerror(errno));
		gpiod_line_settings_set_debounce_period_us(settings, 0);
		led->motion = request_lines(led, &led->motion_offset, 1, settings);
	}
	gpiod_line_settings_free(settings);
	if (!led->motion) {
		log_request_failure(led, &led->motion_offset, 1, "motion");
		return false;
	}
	led->events = gpiod_edge_event_buffer_new(LED_MOTION_EVENTS);
	return led->events != NULL;
}

/* Collects the configured colour lines in red, green, blue order and checks them against the chip. */
static bool
collect_lines(struct led *led, const struct led_config *config)
{
	const int wanted[LED_MAX_LINES] = { config->red, config->green, config->blue };
	const unsigned int primaries[LED_MAX_LINES] = { PRIMARY_RED, PRIMARY_GREEN, PRIMARY_BLUE };
	const bool low[LED_MAX_LINES] = {
		config->active_low || config->active_low_line[0],
		config->active_low || config->active_low_line[1],
		config->active_low || config->active_low_line[2],
	};
	struct gpiod_chip_info *info = gpiod_chip_get_info(led->chip);
	size_t num_lines = info ? gpiod_chip_info_get_num_lines(info) : 0;
	gpiod_chip_info_free(info);

	for (size_t i = 0; i < LED_MAX_LINES; i++) {
		if (wanted[i] < 0)
			continue;
		led->offsets[led->line_count] = (unsigned int)wanted[i];
		led->active_low[led->line_count] = low[i];
		led->primary[led->line_count++] = primaries[i];
	}
	/* A one-colour LED is the busy light, whichever key named its line. */
	if (led->line_count == 1)
		led->primary[0] = PRIMARY_RED;

	const int all[] = { config->red, config->green, config->blue, config->motion };
	for (size_t i = 0; i < 4; i++) {
		if (all[i] < 0)
			continue;
		if ((size_t)all[i] >= num_lines) {
			log_error("line %d does not exist on %s (it has %zu lines); running without the LED", all[i],
				led->chip_name, num_lines);
			return false;
		}
		for (size_t j = 0; j < i; j++) {
			if (all[j] == all[i]) {
				log_error("line %d is configured twice in [led]; running without the LED", all[i]);
				return false;
			}
		}
	}
	if (led->line_count == 0 && config->motion < 0) {
		log_error("[led] chip = %s but no red, green, blue or motion line; running without the LED",
			led->chip_name);
		return false;
	}
	return true;
}

struct led *
led_create(const struct led_config *config)
{
	struct led *led = xcalloc(1, sizeof(*led));
	led->offline = config->offline;
	if (!config->chip || !*config->chip) {
		log_info("no [led] chip configured: LED changes are only logged");
		return led;
	}
	led->chip_name = xstrdup(config->chip);
	if (!(led->chip = open_chip(config->chip)))
		goto err;
	if (!collect_lines(led, config))
		goto err;
	if (led->line_count > 0 && !request_colour_lines(led))
		goto err;
	if (config->motion >= 0) {
		led->motion_offset = (unsigned int)config->motion;
		if (!request_motion_line(led))
			goto err;
	}
	log_info("LED on %s (%s): %zu colour line(s)%s%s", led->chip_name, gpiod_chip_get_path(led->chip),
		led->line_count,
		config->active_low || led->active_low[0] || led->active_low[1] || led->active_low[2] ? ", active-low"
												     : "",
		led->motion ? ", motion sensor" : "");
	return led;
err:
	led_destroy(led);
	return NULL;
}

static bool
write_lines(struct led *led, unsigned int lit)
{
	if (!led->lines)
		return true;
	enum gpiod_line_value values[LED_MAX_LINES];
	for (size_t i = 0; i < led->line_count; i++)
		values[i] = (lit & led->primary[i]) ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE;
	if (gpiod_line_request_set_values(led->lines, values) < 0) {
		log_error("cannot set LED lines on %s: %s", led->chip_name, strerror(errno));
		return false;
	}
	return true;
}

void
led_destroy(struct led *led)
{
	if (!led)
		return;
	/* Drive the light off before letting go: many pin controllers keep a released line's level. */
	if (led->lines) {
		write_lines(led, 0);
		gpiod_line_request_release(led->lines);
	}
	if (led->motion)
		gpiod_line_request_release(led->motion);
	gpiod_edge_event_buffer_free(led->events);
	if (led->chip)
		gpiod_chip_close(led->chip);
	free(led->chip_name);
	free(led);
}

static unsigned int
primaries_of(enum led_colour colour)
{
	switch (colour) {
	case LED_GREEN: return PRIMARY_GREEN;
	case LED_RED: return PRIMARY_RED;
	case LED_AMBER: return PRIMARY_RED | PRIMARY_GREEN;
	default: return 0;
	}
}

static bool
is_single(const struct led *led)
{
	return led->line_count == 1;
}

static bool
start(struct led *led, unsigned int lit, bool blink, unsigned int half_period_ms)
{
	led->lit = lit;
	/* Nothing to light (null LED, sensor only): no timer either, or the loop would wake for it. */
	led->is_blinking = blink && led->lines;
	led->half_period_ms = half_period_ms;
	led->phase_on = true;
	led->next_toggle_ms = 0;
	return write_lines(led, lit);
}

bool
led_show(struct led *led, enum led_colour colour, bool blink)
{
	if (!led)
		return false;
	/* One colour cannot mix amber: it says "soon" by blinking the busy light. */
	if (is_single(led) && colour == LED_AMBER)
		blink = true;
	blink = blink && colour != LED_OFF;
	/* Called again with the same state: keep the blink phase running undisturbed. */
	if (led->has_shown && colour == led->colour && blink == led->is_blinking &&
		led->half_period_ms == LED_BLINK_MS && led->lit == primaries_of(colour))
		return true;
	log_info("LED %s%s", colour_name(colour), blink ? ", blinking" : "");
	led->has_shown = true;
	led->colour = colour;
	return start(led, primaries_of(colour), blink, LED_BLINK_MS);
}

bool
led_show_offline(struct led *led)
{
	if (!led)
		return false;
	switch (led->offline) {
	case LED_OFFLINE_KEEP: log_info("LED offline: keeping %s", colour_name(led->colour)); return true;
	case LED_OFFLINE_BLINK: {
		unsigned int lit = led->has_shown ? primaries_of(led->colour) : 0;
		/* Blink something visible even when the last colour is dark on this light. */
		if (is_single(led) ? !(lit & PRIMARY_RED) : lit == 0)
			lit = PRIMARY_RED | PRIMARY_GREEN;
		log_info("LED offline: slow blink");
		return start(led, lit, true, LED_SLOW_BLINK_MS);
	}
	default:
		log_info("LED offline: off");
		led->colour = LED_OFF;
		return start(led, 0, false, LED_BLINK_MS);
	}
}

void
led_tick(struct led *led, uint64_t now_ms)
{
	if (!led || !led->is_blinking)
		return;
	if (led->next_toggle_ms == 0) {
		led->next_toggle_ms = now_ms + led->half_period_ms;
		return;
	}
	if (now_ms < led->next_toggle_ms)
		return;
	led->phase_on = !led->phase_on;
	/* Re-anchor at now: after a long stall, one toggle rather than a burst to catch up. */
	led->next_toggle_ms = now_ms + led->half_period_ms;
	write_lines(led, led->phase_on ? led->lit : 0);
}

int
led_timeout_ms(const struct led *led, uint64_t now_ms)
{
	if (!led || !led->is_blinking)
		return -1;
	if (led->next_toggle_ms <= now_ms)
		return 0;
	uint64_t left = led->next_toggle_ms - now_ms;
	return left > INT_MAX ? INT_MAX : (int)left;
}

bool
led_motion_active(struct led *led)
{
	if (!led || !led->motion)
		return false;
	return gpiod_line_request_get_value(led->motion, led->motion_offset) == GPIOD_LINE_VALUE_ACTIVE;
}

int
led_motion_fd(struct led *led)
{
	return led && led->motion ? gpiod_line_request_get_fd(led->motion) : -1;
}

/* A rising edge is motion unless it follows another edge within the debounce period: where the
 * kernel debounced, edges are that far apart anyway; where it could not, this drops the bounces. */
static void
take_event(struct led *led, struct gpiod_edge_event *event)
{
	uint64_t ts = gpiod_edge_event_get_timestamp_ns(event);
	bool is_rising = gpiod_edge_event_get_event_type(event) == GPIOD_EDGE_EVENT_RISING_EDGE;
	bool is_settled = !led->has_edge || ts - led->last_edge_ns >= LED_MOTION_DEBOUNCE_US * 1000ull;
	if (is_rising && is_settled)
		led->is_motion_pending = true;
	led->last_edge_ns = ts;
	led->has_edge = true;
}

bool
led_motion_seen(struct led *led)
{
	if (!led || !led->motion)
		return false;
	/* Bounded: a chattering sensor must not hold the main loop here. */
	for (int round = 0; round < 8; round++) {
		int ready = gpiod_line_request_wait_edge_events(led->motion, 0);
		int count = ready > 0 ? gpiod_line_request_read_edge_events(led->motion, led->events, LED_MOTION_EVENTS)
				      : ready;
		if (count < 0 && !led->has_read_error) {
			log_error("reading motion line %u on %s: %s", led->motion_offset, led->chip_name,
				strerror(errno));
			led->has_read_error = true;
		}
		if (count <= 0)
			break;
		for (int i = 0; i < count; i++)
			take_event(led, gpiod_edge_event_buffer_get_event(led->events, (unsigned long)i));
	}
	bool is_seen = led->is_motion_pending;
	led->is_motion_pending = false;
	if (is_seen)
		log_debug("motion on line %u", led->motion_offset);
	return is_seen;
}
