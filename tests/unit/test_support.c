#include "test_support.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/timeutil.h"
#include "core/xalloc.h"

rs_time
t_utc(const char *iso)
{
	rs_time t = 0;
	if (!time_parse_utc(iso, &t))
		fail_msg("bad time in test: %s", iso);
	return t;
}

const char *
t_fixture(const char *name)
{
	static char path[1024];
	const char *dir = getenv("ROOMSIGN_FIXTURES");
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : ROOMSIGN_SOURCE_DIR "/tests/fixtures", name);
	return path;
}

struct event
t_event(const char *start, const char *end, const char *subject)
{
	struct event e = { 0 };
	e.start = t_utc(start);
	e.end = t_utc(end);
	e.subject = xstrdup(subject);
	e.show_as = SHOW_BUSY;
	return e;
}

void
t_events_free(struct event *events, size_t count)
{
	for (size_t i = 0; i < count; i++)
		event_finish(&events[i]);
	free(events);
}

const struct event *
t_event_starting(const struct event *events, size_t count, const char *start)
{
	rs_time t = t_utc(start);
	for (size_t i = 0; i < count; i++)
		if (events[i].start == t)
			return &events[i];
	return NULL;
}
