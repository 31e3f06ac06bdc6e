/* graph_driver.c — a test-only front end to the Graph source ops that have no command yet
 * (update_end, release, free_busy) and to behaviour that needs one long-lived process (the
 * token cache), through the same config and source code as roomsign.
 *
 *   graph_driver CONFIG list                 events from a day ago to two days ahead, TSV:
 *                                            id, start, end, show_as, booked_here, all_day,
 *                                            private, created, organizer, subject
 *   graph_driver CONFIG extend ID MINUTES    move the end MINUTES later (PATCH end)
 *   graph_driver CONFIG end ID               end it now (PATCH end)
 *   graph_driver CONFIG release ID           delete ours / decline theirs
 *   graph_driver CONFIG check-in ID          record a check-in on the event (as a sign does)
 *   graph_driver CONFIG free-busy [N]        nearby_rooms: room, ok, busy_until, free_until, name
 *                                            (N: asked N times through one source)
 *   graph_driver CONFIG fetch-loop N SECONDS read N times, SECONDS apart, in one process
 *   graph_driver CONFIG book START END       source_book (no checks): id on stdout
 *
 * Exit 0 on success; 1 with "category: message" on stderr otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

static void
print_event(const struct event *e)
{
	char a[32], b[32], c[32] = "-";
	time_format_utc(e->start, a, sizeof(a));
	time_format_utc(e->end, b, sizeof(b));
	if (e->created)
		time_format_utc(e->created, c, sizeof(c));
	printf("%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\n", e->id, a, b, show_as_name(e->show_as), e->booked_here,
		e->all_day, e->is_private, c, e->organizer ? e->organizer : "", e->subject ? e->subject : "");
}

/* asks times through one source, as a sign does on every visit to Find a room */
static int
free_busy(struct source *src, const struct config *config, long times)
{
	struct source_error err = { 0 };
	struct room_availability rooms[CONFIG_MAX_ROOMS] = { { 0 } };
	size_t n = config->source.nearby_count;
	rs_time now = time_now();
	for (; times > 0; times--) {
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

static int
fetch_loop(struct source *src, long n, long seconds)
{
	for (long i = 0; i < n; i++) {
		struct source_error err = { 0 };
		struct schedule *s = NULL;
		rs_time now = time_now();
		if (i > 0) {
			struct timespec ts = { .tv_sec = seconds };
			nanosleep(&ts, NULL);
		}
		if (!source_fetch(src, now - TIME_DAY, now + TIME_DAY, &s, &err))
			return fail(&err);
		printf("fetch %ld: %zu events\n", i + 1, s->count);
		fflush(stdout);
		schedule_destroy(s);
	}
	return 0;
}

static int
book(struct source *src, const char *from, const char *to)
{
	struct source_error err = { 0 };
	struct event created = { 0 };
	rs_time a, b;
	if (!time_parse_utc(from, &a) || !time_parse_utc(to, &b)) {
		fprintf(stderr, "times must look like 2026-11-02T13:00:00Z\n");
		return 2;
	}
	if (!source_book(src, a, b, "Driver booking", &created, &err))
		return fail(&err);
	print_event(&created);
	event_finish(&created);
	return 0;
}

static int
run_on_event(struct source *src, int argc, char **argv)
{
	struct source_error err = { 0 };
	struct schedule *s = NULL;
	rs_time now = time_now();
	const char *cmd = argv[2];
	if (!source_fetch(src, now - TIME_DAY, now + 2 * TIME_DAY, &s, &err))
		return fail(&err);
	int rc = 0;
	struct event *e = argc >= 4 ? find(s, argv[3]) : NULL;
	if (strcmp(cmd, "list") == 0) {
		for (size_t i = 0; i < s->count; i++)
			print_event(&s->events[i]);
	} else if (!e) {
		fprintf(stderr, "no event %s\n", argc >= 4 ? argv[3] : "(none given)");
		rc = 2;
	} else if (strcmp(cmd, "extend") == 0 && argc >= 5) {
		rc = source_update_end(src, e, e->end + strtol(argv[4], NULL, 10) * TIME_MINUTE, &err) ? 0 : fail(&err);
	} else if (strcmp(cmd, "end") == 0) {
		rc = source_update_end(src, e, now, &err) ? 0 : fail(&err);
	} else if (strcmp(cmd, "release") == 0) {
		rc = source_release(src, e, &err) ? 0 : fail(&err);
	} else if (strcmp(cmd, "check-in") == 0) { /* what a sign's worker does after a tap */
		rc = source_check_in(src, e, &err) ? 0 : fail(&err);
	} else {
		fprintf(stderr, "unknown command %s\n", cmd);
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
	char problems[4096];
	if (argc < 3) {
		fprintf(stderr,
			"usage: graph_driver CONFIG list|extend|end|release|check-in|free-busy|fetch-loop|book ...\n");
		return 2;
	}
	if (!config_load(&config, argv[1], problems, sizeof(problems))) {
		fprintf(stderr, "%s", problems);
		return 2;
	}
	time_set_zone(config.timezone);
	http_global_init();
	int rc = 1;
	struct source *src = source_create(&config.source, &err);
	if (!src) {
		rc = fail(&err);
	} else if (strcmp(argv[2], "free-busy") == 0) {
		rc = free_busy(src, &config, argc >= 4 ? strtol(argv[3], NULL, 10) : 1);
	} else if (strcmp(argv[2], "fetch-loop") == 0 && argc >= 5) {
		rc = fetch_loop(src, strtol(argv[3], NULL, 10), strtol(argv[4], NULL, 10));
	} else if (strcmp(argv[2], "book") == 0 && argc >= 5) {
		rc = book(src, argv[3], argv[4]);
	} else {
		rc = run_on_event(src, argc, argv);
	}
	source_destroy(src);
	http_global_cleanup();
	config_finish(&config);
	return rc;
}
