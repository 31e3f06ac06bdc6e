/* bench_parse.c — parse + expand time for a 1,000-occurrence schedule in every source format
 * (budget: ≤ 20 ms, DESIGN.md). Prints numbers; asserts only that each parser understood the
 * input (so a broken fixture cannot make a fast, empty benchmark).
 *
 * Usage: bench_parse DIR [RUNS]   (DIR from gen_schedule.py: schedule.ics, caldav.xml,
 *                                  ews_page*.xml, graph.json) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "calendar/caldav_xml.h"
#include "calendar/ews_xml.h"
#include "calendar/graph_json.h"
#include "calendar/ical.h"
#include "core/schedule.h"
#include "core/timeutil.h"
#include "core/log.h"
#include "net/http.h"

#define BUDGET_MS 20.0
#define MAX_PAGES 8

struct input {
	char *text;
	size_t len;
};

static rs_time window_from, window_to;

static double
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static bool
load(const char *dir, const char *name, struct input *in)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	in->text = file_read_capped(path, 64u << 20, &in->len);
	return in->text != NULL;
}

/* Each parser: text in, a schedule's worth of events out (then the schedule sorts them). */
static size_t
run_ics(const struct input *in, size_t n)
{
	struct event *events = NULL;
	size_t count = 0;
	ical_parse_events(in[0].text, in[0].len, window_from, window_to, NULL, NULL, &events, &count, NULL);
	schedule_destroy(schedule_create(window_from, window_to, events, count));
	return count;
}

static size_t
run_caldav(const struct input *in, size_t n)
{
	struct caldav_multistatus ms;
	struct event *events = NULL;
	size_t count = 0;
	if (!caldav_xml_parse_multistatus(in[0].text, in[0].len, &ms))
		return 0;
	for (size_t i = 0; i < ms.count; i++)
		if (ms.resources[i].data)
			ical_parse_events(ms.resources[i].data, strlen(ms.resources[i].data), window_from, window_to,
				ms.resources[i].href, ms.resources[i].etag, &events, &count, NULL);
	caldav_multistatus_finish(&ms);
	schedule_destroy(schedule_create(window_from, window_to, events, count));
	return count;
}

static size_t
run_ews(const struct input *in, size_t n)
{
	struct event *events = NULL;
	size_t count = 0;
	for (size_t p = 0; p < n; p++) {
		struct ews_page page;
		struct ews_status st;
		if (!ews_parse_find_item(in[p].text, in[p].len, &page, &st))
			return 0;
		events = realloc(events, (count + page.count) * sizeof(*events));
		memcpy(events + count, page.events, page.count * sizeof(*events));
		count += page.count;
		free(page.events); /* the events' strings moved to our array */
	}
	schedule_destroy(schedule_create(window_from, window_to, events, count));
	return count;
}

static size_t
run_graph(const struct input *in, size_t n)
{
	struct graph_page page;
	struct source_error err;
	if (!graph_parse_calendar_view(in[0].text, in[0].len, &page, &err))
		return 0;
	size_t count = page.count;
	schedule_destroy(schedule_create(window_from, window_to, page.events, page.count));
	free(page.next_link);
	return count;
}

static int
compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static bool
bench(const char *name, size_t (*fn)(const struct input *, size_t), const struct input *in, size_t n, int runs)
{
	double times[200];
	size_t count = 0;
	for (int r = 0; r < runs; r++) {
		double t0 = now_ms();
		count = fn(in, n);
		times[r] = now_ms() - t0;
	}
	qsort(times, (size_t)runs, sizeof(times[0]), compare_double);
	double median = times[runs / 2];
	printf("parse+expand %-7s %5zu events  median %7.2f ms  min %7.2f ms  budget %.0f ms  %s\n", name, count,
		median, times[0], BUDGET_MS, median <= BUDGET_MS ? "within" : "OVER");
	return count >= 900;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: bench_parse DIR [RUNS]\n", stderr);
		return 2;
	}
	int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 21;
	if (runs < 1 || runs > 200)
		runs = 21;
	log_set_level(LOG_LEVEL_ERROR);
	time_set_zone("Europe/Copenhagen");
	window_from = time_from_local(2026, 12, 1, 0, 0, 0);
	window_to = time_from_local(2026, 12, 3, 0, 0, 0);
	struct input ics, caldav, graph, ews[MAX_PAGES];
	size_t pages = 0;
	char name[64];
	for (;;) {
		snprintf(name, sizeof(name), "ews_page%zu.xml", pages + 1);
		if (pages == MAX_PAGES || !load(argv[1], name, &ews[pages]))
			break;
		pages++;
	}
	if (!load(argv[1], "schedule.ics", &ics) || !load(argv[1], "caldav.xml", &caldav) ||
		!load(argv[1], "graph.json", &graph) || pages == 0) {
		fprintf(stderr, "bench_parse: missing inputs in %s (run gen_schedule.py)\n", argv[1]);
		return 1;
	}
	bool ok = bench("ics", run_ics, &ics, 1, runs);
	ok &= bench("caldav", run_caldav, &caldav, 1, runs);
	ok &= bench("ews", run_ews, ews, pages, runs);
	ok &= bench("graph", run_graph, &graph, 1, runs);
	free(ics.text);
	free(caldav.text);
	free(graph.text);
	for (size_t p = 0; p < pages; p++)
		free(ews[p].text);
	if (!ok)
		fputs("bench_parse: a parser returned fewer than 900 events: the inputs or the parser are broken\n",
			stderr);
	return ok ? 0 : 1;
}
