#include "metrics.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xalloc.h"

static const char *const action_names[METRICS_ACTION_COUNT] = { "book", "extend", "end", "check-in", "release",
	"find-room", "book-nearby" };
static const char *const result_names[METRICS_RESULT_COUNT] = { "ok", "refused", "failed" };
static const char *const led_names[METRICS_LED_COUNT] = { "off", "green", "red", "amber" };

void
metrics_init(struct metrics *m, const char *version, const char *source_type, const char *room, rs_time process_start)
{
	memset(m, 0, sizeof(*m));
	m->version = xstrdup(version ? version : "");
	m->source_type = xstrdup(source_type ? source_type : "");
	m->room = xstrdup(room ? room : "");
	m->process_start = process_start;
	m->panel_on = true;
}

void
metrics_finish(struct metrics *m)
{
	free(m->version);
	free(m->source_type);
	free(m->room);
	for (size_t i = 0; i < m->category_count; i++)
		free(m->categories[i]);
	memset(m, 0, sizeof(*m));
}

static int
category_index(const struct metrics *m, const char *category)
{
	for (size_t i = 0; i < m->category_count; i++)
		if (strcmp(m->categories[i], category) == 0)
			return (int)i;
	return -1;
}

bool
metrics_add_category(struct metrics *m, const char *category)
{
	if (category_index(m, category) >= 0)
		return true;
	if (m->category_count == METRICS_MAX_CATEGORIES)
		return false;
	m->categories[m->category_count++] = xstrdup(category);
	return true;
}

void
metrics_sync_ok(struct metrics *m, rs_time at)
{
	m->last_sync_attempt = m->last_sync_success = at;
}

void
metrics_sync_failed(struct metrics *m, rs_time at, const char *category, long throttled_ms)
{
	m->last_sync_attempt = at;
	if (metrics_add_category(m, category)) /* the table holds every source category with room to spare */
		m->sync_errors[category_index(m, category)]++;
	if (throttled_ms > 0)
		m->throttled_s += (double)throttled_ms / 1000.0;
}

void
metrics_action(struct metrics *m, enum metrics_action action, enum metrics_result result)
{
	if ((unsigned)action >= METRICS_ACTION_COUNT || (unsigned)result >= METRICS_RESULT_COUNT)
		return;
	m->actions[action][result]++;
	if (action == METRICS_RELEASE && result == METRICS_OK)
		m->no_show_releases++;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one. */
static size_t
utf8_length(const unsigned char *s)
{
	size_t n = s[0] < 0x80             ? 1
		   : (s[0] & 0xE0) == 0xC0 ? 2
		   : (s[0] & 0xF0) == 0xE0 ? 3
		   : (s[0] & 0xF8) == 0xF0 ? 4
					   : 0;
	if (n == 0 || (n == 2 && s[0] < 0xC2) || (n == 4 && s[0] > 0xF4))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if (n == 3 && ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0))) /* overlong, surrogate */
		return 0;
	if (n == 4 && ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90)))
		return 0;
	return n;
}

/* The text format escapes exactly three things in a label value: \ " and newline. */
static void
put_label(FILE *fp, const char *value)
{
	const unsigned char *s = (const unsigned char *)(value ? value : "");
	while (*s) {
		size_t n = utf8_length(s);
		if (n == 0) {
			fputc('?', fp);
			s++;
			continue;
		}
		if (*s == '\\')
			fputs("\\\\", fp);
		else if (*s == '"')
			fputs("\\\"", fp);
		else if (*s == '\n')
			fputs("\\n", fp);
		else
			fwrite(s, 1, n, fp);
		s += n;
	}
}

char *
metrics_escape_label(const char *value)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&buf, &size);
	if (!fp)
		abort(); /* out of memory, as xalloc */
	put_label(fp, value);
	fclose(fp);
	return buf;
}

static void
family(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
put_info(FILE *fp, const struct metrics *m)
{
	family(fp, "roomsign_info", "gauge", "The sign's version, calendar source type and room (always 1).");
	fputs("roomsign_info{version=\"", fp);
	put_label(fp, m->version);
	fputs("\",source_type=\"", fp);
	put_label(fp, m->source_type);
	fputs("\",room=\"", fp);
	put_label(fp, m->room);
	fputs("\"} 1\n", fp);
}

static void
put_sync(FILE *fp, const struct metrics *m)
{
	family(fp, "roomsign_last_sync_success_timestamp_seconds", "gauge",
		"When the calendar was last read successfully (0: not since the sign started).");
	fprintf(fp, "roomsign_last_sync_success_timestamp_seconds %" PRId64 "\n", m->last_sync_success);
	family(fp, "roomsign_last_sync_attempt_timestamp_seconds", "gauge",
		"When the sign last tried to read the calendar (0: not yet).");
	fprintf(fp, "roomsign_last_sync_attempt_timestamp_seconds %" PRId64 "\n", m->last_sync_attempt);
	family(fp, "roomsign_sync_errors_total", "counter", "Failed calendar refreshes, by error category.");
	for (size_t i = 0; i < m->category_count; i++) {
		fputs("roomsign_sync_errors_total{category=\"", fp);
		put_label(fp, m->categories[i]);
		fprintf(fp, "\"} %" PRIu64 "\n", m->sync_errors[i]);
	}
	family(fp, "roomsign_throttled_seconds_total", "counter",
		"Seconds the calendar server asked the sign to wait on throttled refreshes.");
	fprintf(fp, "roomsign_throttled_seconds_total %.3f\n", m->throttled_s);
}

static void
put_actions(FILE *fp, const struct metrics *m)
{
	family(fp, "roomsign_actions_total", "counter", "Actions at the sign, by action and result.");
	for (int a = 0; a < METRICS_ACTION_COUNT; a++)
		for (int r = 0; r < METRICS_RESULT_COUNT; r++)
			fprintf(fp, "roomsign_actions_total{action=\"%s\",result=\"%s\"} %" PRIu64 "\n",
				action_names[a], result_names[r], m->actions[a][r]);
	family(fp, "roomsign_no_show_releases_total", "counter",
		"Meetings released because nobody checked in or no motion was seen.");
	fprintf(fp, "roomsign_no_show_releases_total %" PRIu64 "\n", m->no_show_releases);
}

static void
put_room(FILE *fp, const struct metrics *m)
{
	family(fp, "roomsign_room_busy", "gauge", "1 while a meeting is on in the room, else 0.");
	fprintf(fp, "roomsign_room_busy %d\n", m->room_busy ? 1 : 0);
	if (m->has_led) {
		family(fp, "roomsign_led_colour", "gauge",
			"1 for the colour the occupancy LED shows, 0 for the others.");
		for (int c = 0; c < METRICS_LED_COUNT; c++)
			fprintf(fp, "roomsign_led_colour{colour=\"%s\"} %d\n", led_names[c],
				m->led == (enum metrics_led)c);
	}
	family(fp, "roomsign_panel_on", "gauge", "1 while the display's backlight is on, 0 at night.");
	fprintf(fp, "roomsign_panel_on %d\n", m->panel_on ? 1 : 0);
	if (m->has_motion) {
		family(fp, "roomsign_motion_last_timestamp_seconds", "gauge",
			"When the motion sensor last saw someone (0: not since the sign started).");
		fprintf(fp, "roomsign_motion_last_timestamp_seconds %" PRId64 "\n", m->last_motion);
	}
	family(fp, "roomsign_events_today", "gauge", "Meetings in the room's calendar today (the room's zone).");
	fprintf(fp, "roomsign_events_today %d\n", m->events_today);
	family(fp, "roomsign_process_start_time_seconds", "gauge", "When the sign's process started.");
	fprintf(fp, "roomsign_process_start_time_seconds %" PRId64 "\n", m->process_start);
}

char *
metrics_format(const struct metrics *m)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&buf, &size);
	if (!fp)
		abort(); /* out of memory, as xalloc */
	put_info(fp, m);
	put_sync(fp, m);
	put_actions(fp, m);
	put_room(fp, m);
	fclose(fp);
	return buf;
}
