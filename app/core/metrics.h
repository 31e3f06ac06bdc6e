/* metrics.h — the sign's Prometheus metrics: a plain registry of counters and gauges, and its
 * text exposition format (what node_exporter's textfile collector reads). Pure: no clock, no
 * files; callers pass the instants (seconds since the epoch, the true wall clock). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event.h"

enum metrics_action {
	METRICS_BOOK,
	METRICS_EXTEND,
	METRICS_END,
	METRICS_CHECK_IN,
	METRICS_RELEASE,
	METRICS_FIND_ROOM,
	METRICS_BOOK_NEARBY, /* another room, from the "Find a room" list */
	METRICS_ACTION_COUNT
};
/* ok: the server confirmed; refused: a legitimate no (the slot is taken, the meeting is gone,
 * the sign's own limits); failed: it could not be done (network, sign-in, server trouble). */
enum metrics_result { METRICS_OK, METRICS_REFUSED, METRICS_FAILED, METRICS_RESULT_COUNT };
enum metrics_led { METRICS_LED_OFF, METRICS_LED_GREEN, METRICS_LED_RED, METRICS_LED_AMBER, METRICS_LED_COUNT };

#define METRICS_MAX_CATEGORIES 16

struct metrics {
	char *version, *source_type, *room; /* roomsign_info's labels (owned copies) */
	rs_time process_start;
	rs_time last_sync_success, last_sync_attempt; /* 0: none yet (exported as 0) */
	char *categories[METRICS_MAX_CATEGORIES];     /* sync error categories, in order of first use */
	uint64_t sync_errors[METRICS_MAX_CATEGORIES];
	size_t category_count;
	double throttled_s;
	uint64_t actions[METRICS_ACTION_COUNT][METRICS_RESULT_COUNT];
	uint64_t no_show_releases;
	bool room_busy, panel_on;
	bool has_led; /* an LED is configured: export roomsign_led_colour */
	enum metrics_led led;
	bool has_motion;     /* a motion sensor is configured: export its last motion */
	rs_time last_motion; /* 0: none seen by this process */
	int events_today;
};

/* Sets every counter to zero. The strings are copied (NULL reads as ""). Free with metrics_finish. */
void metrics_init(
	struct metrics *m, const char *version, const char *source_type, const char *room, rs_time process_start);
void metrics_finish(struct metrics *m); /* accepts a zeroed struct */
/* Exports the category's error counter from now on, at 0 until an error counts: a counter that
 * exists before its first increment lets Prometheus' increase() see that increment. false
 * when the table is full. */
bool metrics_add_category(struct metrics *m, const char *category);
/* A calendar refresh at `at` succeeded. */
void metrics_sync_ok(struct metrics *m, rs_time at);
/* A calendar refresh at `at` failed with category; throttled_ms is the wait the server asked
 * for (Retry-After, BackOffMilliseconds), 0 when none. */
void metrics_sync_failed(struct metrics *m, rs_time at, const char *category, long throttled_ms);
/* Counts one action's outcome; a released no-show counts in roomsign_no_show_releases_total too. */
void metrics_action(struct metrics *m, enum metrics_action action, enum metrics_result result);
/* The whole registry in the Prometheus text format 0.0.4, HELP and TYPE for every family, label
 * values escaped (backslash, double quote, newline; bytes that are not UTF-8 become '?').
 * Returns a NUL-terminated string the caller frees. */
char *metrics_format(const struct metrics *m);
/* The label-value escaping of metrics_format, as a fresh string the caller frees (NULL reads as ""). */
char *metrics_escape_label(const char *value);
