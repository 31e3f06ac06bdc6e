/* ews_driver.c — a test-only front end to the calendar source ops that have no command yet
 * (update_end, release, free_busy), through the same config and source code as roomsign.
 *
 *   ews_driver CONFIG list                          events from a day ago to two days ahead, TSV:
 *                                                   id, changekey, start, end, show_as, booked_here, subject
 *   ews_driver CONFIG extend ID MINUTES [CHANGEKEY] move the end MINUTES later (CHANGEKEY: pretend
 *                                                   we last read this one)
 *   ews_driver CONFIG end ID [CHANGEKEY]            end it now
 *   ews_driver CONFIG release ID [CHANGEKEY]        delete ours / decline theirs
 *   ews_driver CONFIG free-busy [N]                 nearby_rooms: room, ok, busy_until, free_until, name
 *                                                   (N: asked N times through one source)
 *
 * Exit 0 on success; 1 with "category: message" on stderr otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "calendar/source.h"
#include "config.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "net/http.h"

static int
fail(const struct source_error *err)
{
	fprintf(stderr, "%s: %s\n", source_category_name(err->category), err->message);
	return 1;
}

static struct event *
find(struct schedule *s, const char *id)
{
	for (size_t i = 0; i < s->count; i++)
		if (s->events[i].id && strcmp(s->events[i].id, id) == 0)
			return &s->events[i];
	return NULL;
}

static int
run(struct source *src, const struct config *config, int argc, char **argv)
{
	struct source_error err = { 0 };
	struct schedule *s = NULL;
	rs_time now = time_now();
	const char *cmd = argv[2];
	if (strcmp(cmd, "free-busy") == 0) {
		struct room_availability rooms[CONFIG_MAX_ROOMS] = { 0 };
		size_t n = config->source.nearby_count;
		/* free-busy N: asks N times through one source, as a sign does on every visit to the list */
		for (long k = argc >= 4 ? strtol(argv[3], NULL, 10) : 1; k > 0; k--) {
			room_availability_finish(rooms, n);
			room_availability_init(rooms, n, &config->source);
			if (!source_free_busy(src, now, time_day_end(now) + TIME_DAY, rooms, n, &err)) {
				room_availability_finish(rooms, n);
				return fail(&err);
			}
		}
		for (size_t i = 0; i < n; i++) {
			char busy[32] = "-", free_at[32] = "-";
			if (rooms[i].busy_until)
				time_format_utc(rooms[i].busy_until, busy, sizeof(busy));
			if (rooms[i].free_until)
				time_format_utc(rooms[i].free_until, free_at, sizeof(free_at));
			printf("%s\t%s\t%s\t%s\t%s\n", rooms[i].room, rooms[i].ok ? "ok" : "unknown", busy, free_at,
				rooms[i].name ? rooms[i].name : "-");
		}
		room_availability_finish(rooms, n);
		return 0;
	}
	if (!source_fetch(src, now - TIME_DAY, now + 2 * TIME_DAY, &s, &err))
		return fail(&err);
	int rc = 0;
	if (strcmp(cmd, "list") == 0) {
		for (size_t i = 0; i < s->count; i++) {
			const struct event *e = &s->events[i];
			char a[32], b[32];
			time_format_utc(e->start, a, sizeof(a));
			time_format_utc(e->end, b, sizeof(b));
			printf("%s\t%s\t%s\t%s\t%s\t%d\t%s\n", e->id, e->version ? e->version : "", a, b,
				show_as_name(e->show_as), e->booked_here, e->subject ? e->subject : "");
		}
	} else if (argc >= 4) {
		struct event *e = find(s, argv[3]);
		if (!e) {
			fprintf(stderr, "no event %s\n", argv[3]);
			rc = 1;
		} else if (strcmp(cmd, "extend") == 0 && argc >= 5) {
			if (argc >= 6) {
				free(e->version);
				e->version = xstrdup(argv[5]);
			}
			rc = source_update_end(src, e, e->end + 60 * strtol(argv[4], NULL, 10), &err) ? 0 : fail(&err);
		} else if (strcmp(cmd, "end") == 0) {
			if (argc >= 5) {
				free(e->version);
				e->version = xstrdup(argv[4]);
			}
			rc = source_update_end(src, e, now, &err) ? 0 : fail(&err);
		} else if (strcmp(cmd, "release") == 0) {
			if (argc >= 5) {
				free(e->version);
				e->version = xstrdup(argv[4]);
			}
			rc = source_release(src, e, &err) ? 0 : fail(&err);
		} else {
			rc = 2;
		}
	} else {
		rc = 2;
	}
	schedule_destroy(s);
	return rc;
}

int
main(int argc, char **argv)
{
	struct config config = { 0 };
	struct source_error err = { 0 };
	char problems[1024] = "";
	if (argc < 3) {
		fprintf(stderr, "usage: ews_driver CONFIG list|extend|end|release|free-busy ...\n");
		return 2;
	}
	if (!config_load(&config, argv[1], problems, sizeof(problems))) {
		fprintf(stderr, "%s\n", problems);
		config_finish(&config);
		return 2;
	}
	http_global_init();
	struct source *src = source_create(&config.source, &err);
	int rc = src ? run(src, &config, argc, argv) : fail(&err);
	source_destroy(src);
	http_global_cleanup();
	config_finish(&config);
	return rc;
}
