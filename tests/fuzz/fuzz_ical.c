/* fuzz_ical.c — libFuzzer target for our iCalendar conversion (ical.c over libical): arbitrary
 * bytes as an ICS file or CalDAV calendar-data, expanded over a fixed two-day window in a zone
 * with DST, as the ICS and CalDAV sources do. Nothing may crash, hang or leak, and every
 * occurrence kept must be sane. Links roomsign_lib. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "calendar/ical.h"
#include "core/timeutil.h"
#include "core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2026-03-28T00:00Z .. 2026-03-30T00:00Z: the window holds Copenhagen's spring-forward night. */
#define WINDOW_FROM 1774656000
#define WINDOW_TO   (WINDOW_FROM + 2 * 86400)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int zone_set;
	if (!zone_set) {
		time_set_zone("Europe/Copenhagen"); /* floating times and all-day dates are local */
		log_set_level(LOG_LEVEL_ERROR);     /* a warning per input would halve the speed */
		zone_set = 1;
	}
	/* HTTP bodies reach the parser NUL-terminated (http.c does it); mimic that. */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	struct event *events = NULL;
	size_t count = 0;
	struct ical_stats stats = { 0 };
	ical_parse_events(text, size, WINDOW_FROM, WINDOW_TO, "/cal/x.ics", "\"etag\"", &events, &count, &stats);
	if (count > ICAL_MAX_EVENTS)
		__builtin_trap(); /* the cap promised in ical.h */
	for (size_t i = 0; i < count; i++) {
		if (events[i].end < events[i].start)
			__builtin_trap();
		event_finish(&events[i]);
	}
	free(events);
	free(text);
	return 0;
}
