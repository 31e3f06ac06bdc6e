/* fuzz_graph_json.c — libFuzzer target for the Graph JSON parsers (calendarView pages first,
 * then the single-event, getSchedule and error parsers on the same bytes). Self-contained: links
 * with roomsign_lib only. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "calendar/graph_json.h"
#include "core/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int zone_set;
	if (!zone_set) {
		time_set_zone("Europe/Copenhagen"); /* all-day events go through local time */
		zone_set = 1;
	}
	const char *body = (const char *)data;
	struct source_error err = { 0 };
	struct graph_page page;
	if (graph_parse_calendar_view(body, size, &page, &err)) {
		for (size_t i = 0; i < page.count; i++) {
			const struct event *e = &page.events[i];
			if (!e->id || e->end < e->start)
				__builtin_trap(); /* the parser's promises */
		}
		graph_page_finish(&page);
	}
	struct graph_delta_page delta;
	if (graph_parse_delta(body, size, &delta, &err)) {
		if (!delta.next_link == !delta.delta_link)
			__builtin_trap(); /* exactly one link */
		graph_delta_page_finish(&delta);
	}
	struct event e = { 0 };
	if (graph_parse_event(body, size, &e, &err))
		event_finish(&e);
	struct graph_places_page places;
	if (graph_parse_places(body, size, &places, &err))
		for (size_t i = 0; i < places.count; i++)
			if (!places.places[i].address || !places.places[i].name)
				__builtin_trap(); /* the parser promised both */
	graph_places_page_finish(&places);
	struct room_availability rooms[2] = { { .room = "a@x.com" }, { .room = "b@x.com" } };
	graph_parse_get_schedule(body, size, 1793000000, rooms, 2, &err);
	struct graph_context ctx = { .what = "fuzz", .mailbox = "a@x.com", .client_id = "id" };
	graph_parse_error(403, body, size, -1, &ctx, &err);
	if (!memchr(err.message, '\0', sizeof(err.message)))
		__builtin_trap();
	return 0;
}
