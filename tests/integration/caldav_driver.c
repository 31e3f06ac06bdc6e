/* caldav_driver.c — drives one CalDAV source (the same object the sign's source thread keeps)
 * through the ops the CLI has no command for, one line at a time on stdin, so a test can act on
 * the server between steps while the source keeps its cache and sync token:
 *
 *   fetch FROM TO          FROM/TO "YYYY-MM-DDTHH:MM:SSZ"; on success the schedule becomes the
 *                          "shown" one, as the sign shows the last good snapshot
 *   shown                  prints the shown schedule
 *   end-at SUBJECT TIME    update_end of the shown meeting with that subject
 *   release SUBJECT        release of the shown meeting with that subject
 *   check-in SUBJECT       record a check-in on the shown meeting (as a sign does)
 *   book FROM TO SUBJECT   source_book_checked
 *
 * Every answer ends with a line "." ; results are "ok ..." or "err CATEGORY MESSAGE", events
 * "E START END booked_here SUBJECT". Usage: caldav_driver CONFIG */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "calendar/source.h"
#include "config.h"
#include "core/timeutil.h"
#include "net/http.h"

static struct schedule *shown;

static void
print_events(const struct schedule *s)
{
	for (size_t i = 0; s && i < s->count; i++) {
		const struct event *e = &s->events[i];
		char a[32], b[32];
		time_format_utc(e->start, a, sizeof(a));
		time_format_utc(e->end, b, sizeof(b));
		printf("E %s %s %d %s\n", a, b, e->booked_here ? 1 : 0, e->subject ? e->subject : "");
	}
}

static void
print_error(const struct source_error *err)
{
	printf("err %s %s\n", source_category_name(err->category), err->message);
}

static const struct event *
find_shown(const char *subject)
{
	for (size_t i = 0; shown && i < shown->count; i++)
		if (shown->events[i].subject && strcmp(shown->events[i].subject, subject) == 0)
			return &shown->events[i];
	return NULL;
}

static void
run(struct source *source, char *line)
{
	char cmd[32] = "", a[64] = "", b[64] = "", rest[256] = "";
	struct source_error err = { 0 };
	rs_time t1, t2;
	int n = sscanf(line, "%31s %63s %63s %255[^\n]", cmd, a, b, rest);
	if (strcmp(cmd, "fetch") == 0 && n == 3 && time_parse_utc(a, &t1) && time_parse_utc(b, &t2)) {
		struct schedule *s = NULL;
		if (source_fetch(source, t1, t2, &s, &err)) {
			schedule_destroy(shown); /* a good refresh replaces the shown schedule */
			shown = s;
			printf("ok %zu\n", s->count);
			print_events(s);
		} else {
			print_error(&err);
		}
	} else if (strcmp(cmd, "shown") == 0) {
		printf("ok %zu\n", shown ? shown->count : 0);
		print_events(shown);
	} else if (strcmp(cmd, "end-at") == 0 && n == 3 && time_parse_utc(b, &t1)) {
		const struct event *e = find_shown(a);
		if (!e)
			printf("err driver no shown meeting '%s'\n", a);
		else if (source_update_end(source, e, t1, &err))
			printf("ok\n");
		else
			print_error(&err);
	} else if (strcmp(cmd, "check-in") == 0 && n >= 2) { /* what a sign's worker does after a tap */
		char *subject = line + strlen("check-in ");
		subject[strcspn(subject, "\n")] = '\0'; /* the whole rest: subjects have spaces */
		const struct event *e = find_shown(subject);
		if (!e)
			printf("err driver no shown meeting '%s'\n", subject);
		else if (source_check_in(source, e, &err))
			printf("ok\n");
		else
			print_error(&err);
	} else if (strcmp(cmd, "release") == 0 && n == 2) {
		const struct event *e = find_shown(a);
		if (!e)
			printf("err driver no shown meeting '%s'\n", a);
		else if (source_release(source, e, &err))
			printf("ok\n");
		else
			print_error(&err);
	} else if (strcmp(cmd, "book") == 0 && n == 4 && time_parse_utc(a, &t1) && time_parse_utc(b, &t2)) {
		struct event created = { 0 };
		if (source_book_checked(source, t1, t2, rest, &created, &err))
			printf("ok %s\n", created.id ? created.id : "");
		else
			print_error(&err);
		event_finish(&created);
	} else {
		printf("err driver cannot read '%s'\n", line);
	}
}

int
main(int argc, char **argv)
{
	struct config config;
	struct source_error err = { 0 };
	char errors[2048], line[512];
	if (argc != 2) {
		fputs("usage: caldav_driver CONFIG\n", stderr);
		return 2;
	}
	if (!config_load(&config, argv[1], errors, sizeof(errors))) { /* sets the defaults itself */
		fprintf(stderr, "caldav_driver: %s", errors);
		return 2;
	}
	time_set_zone(config.timezone);
	http_global_init();
	struct source *source = source_create(&config.source, &err);
	if (!source) {
		fprintf(stderr, "caldav_driver: %s\n", err.message);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (strcmp(line, "quit") == 0)
			break;
		run(source, line);
		printf(".\n");
	}
	schedule_destroy(shown);
	source_destroy(source);
	http_global_cleanup();
	config_finish(&config);
	return 0;
}
