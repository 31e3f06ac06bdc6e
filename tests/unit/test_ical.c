#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test_support.h"
#include "calendar/ical.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "net/http.h"

struct parsed {
	struct event *events;
	size_t count;
	struct ical_stats stats;
};

static void
parse_file(const char *name, const char *from, const char *to, struct parsed *p)
{
	size_t len;
	char *text = file_read_capped(t_fixture(name), 1 << 20, &len);
	assert_non_null(text);
	memset(p, 0, sizeof(*p));
	assert_true(ical_parse_events(text, len, t_utc(from), t_utc(to), NULL, NULL, &p->events, &p->count, &p->stats));
	free(text);
}

static void
parsed_finish(struct parsed *p)
{
	t_events_free(p->events, p->count);
}

static const struct event *
find_at(const struct parsed *p, const char *start)
{
	return t_event_starting(p->events, p->count, start);
}

static int
setup_copenhagen(void **state)
{
	(void)state;
	assert_true(time_set_zone("Europe/Copenhagen"));
	return 0;
}

static void
test_ical_weekly_series_with_exdate_rdate_and_overrides(void **state)
{
	struct parsed p;
	parse_file("ics/recurring.ics", "2026-11-01T00:00:00Z", "2027-01-01T00:00:00Z", &p);
	assert_int_equal(p.count, 7);
	assert_non_null(find_at(&p, "2026-11-02T08:30:00Z"));            /* first, in CET */
	assert_null(find_at(&p, "2026-11-09T08:30:00Z"));                /* EXDATE */
	assert_null(find_at(&p, "2026-11-16T08:30:00Z"));                /* moved away … */
	const struct event *moved = find_at(&p, "2026-11-17T10:00:00Z"); /* … shown once, at its new time */
	assert_non_null(moved);
	assert_string_equal(moved->subject, "Weekly stand-up (moved)");
	assert_int_equal(moved->end - moved->start, 30 * 60);
	assert_null(find_at(&p, "2026-11-23T08:30:00Z"));                /* cancelled occurrence */
	const struct event *extra = find_at(&p, "2026-11-25T13:00:00Z"); /* RDATE */
	assert_non_null(extra);
	assert_int_equal(extra->end - extra->start, 30 * 60);
	assert_non_null(find_at(&p, "2026-12-21T08:30:00Z")); /* COUNT=8 counts the EXDATE */
	assert_null(find_at(&p, "2026-12-28T08:30:00Z"));
	assert_string_equal(find_at(&p, "2026-11-30T08:30:00Z")->organizer, "Maria Jensen");
	parsed_finish(&p);
}

static void
test_ical_window_clips_occurrences(void **state)
{
	struct parsed p;
	parse_file("ics/recurring.ics", "2026-12-07T00:00:00Z", "2026-12-08T00:00:00Z", &p);
	assert_int_equal(p.count, 1);
	assert_int_equal(p.events[0].start, t_utc("2026-12-07T08:30:00Z"));
	parsed_finish(&p);
}

static void
test_ical_windows_zone_names_map_to_iana(void **state)
{
	struct parsed p;
	parse_file("ics/windows_zone.ics", "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z", &p);
	assert_int_equal(p.count, 2);
	const struct event *berlin = find_at(&p, "2026-12-01T09:00:00Z");
	assert_non_null(berlin);
	assert_int_equal(berlin->end, t_utc("2026-12-01T10:00:00Z"));
	assert_int_equal(berlin->show_as, SHOW_OOF);
	const struct event *pacific = find_at(&p, "2026-12-01T16:00:00Z");
	assert_non_null(pacific);
	assert_int_equal(pacific->end, t_utc("2026-12-01T16:45:00Z")); /* DURATION */
	assert_string_equal(ical_windows_zone("W. Europe Standard Time"), "Europe/Berlin");
	/* The whole CLDR table (generated from unicode-cldr-core), not a hand-picked subset. */
	assert_string_equal(ical_windows_zone("Aleutian Standard Time"), "America/Adak");
	assert_string_equal(ical_windows_zone("South Sudan Standard Time"), "Africa/Juba");
	assert_string_equal(ical_windows_zone("(UTC+02:00) Juba"), "Africa/Juba");
	assert_string_equal(ical_windows_zone("coordinated universal time"), "Etc/UTC");
	assert_null(ical_windows_zone("Nowhere Standard Time"));
	parsed_finish(&p);
}

/* A TZID the zone database knows means that zone, whatever the calendar's VTIMEZONE says; a
 * custom name gets the calendar's own definition (resolve_zone in ical.c). */
static void
test_ical_zone_database_first_then_own_vtimezone(void **state)
{
	static const char text[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
				   "BEGIN:VTIMEZONE\r\nTZID:Europe/Copenhagen\r\nBEGIN:STANDARD\r\n"
				   "DTSTART:16010101T000000\r\nTZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\n"
				   "END:STANDARD\r\nEND:VTIMEZONE\r\n"
				   "BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\nBEGIN:STANDARD\r\n"
				   "DTSTART:16010101T000000\r\nTZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\n"
				   "END:STANDARD\r\nEND:VTIMEZONE\r\n"
				   "BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20261101T000000Z\r\n"
				   "DTSTART;TZID=Europe/Copenhagen:20261201T100000\r\n"
				   "DTEND;TZID=Europe/Copenhagen:20261201T110000\r\nSUMMARY:Known\r\nEND:VEVENT\r\n"
				   "BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20261101T000000Z\r\n"
				   "DTSTART;TZID=Customized Time Zone:20261201T100000\r\n"
				   "DTEND;TZID=Customized Time Zone:20261201T103000\r\nSUMMARY:Custom\r\nEND:VEVENT\r\n"
				   "END:VCALENDAR\r\n";
	struct parsed p = { 0 };
	assert_true(ical_parse_events(text, strlen(text), t_utc("2026-12-01T00:00:00Z"), t_utc("2026-12-02T00:00:00Z"),
		NULL, NULL, &p.events, &p.count, &p.stats));
	assert_int_equal(p.count, 2);
	const struct event *known = find_at(&p, "2026-12-01T09:00:00Z"); /* tzdata: CET, +0100 */
	assert_non_null(known);
	assert_string_equal(known->subject, "Known");
	const struct event *custom = find_at(&p, "2026-12-01T04:30:00Z"); /* its own +0530 */
	assert_non_null(custom);
	assert_string_equal(custom->subject, "Custom");
	parsed_finish(&p);
}

static void
test_ical_floating_allday_cancelled_transparent_private(void **state)
{
	struct parsed p;
	parse_file("ics/mixed.ics", "2026-11-30T00:00:00Z", "2026-12-03T00:00:00Z", &p);
	assert_int_equal(p.stats.skipped, 1); /* the broken one */
	assert_int_equal(p.count, 6);         /* cancelled dropped */
	const struct event *floating = find_at(&p, "2026-12-01T12:00:00Z");
	assert_non_null(floating);
	assert_int_equal(floating->end, t_utc("2026-12-01T13:30:00Z"));
	const struct event *day = find_at(&p, "2026-11-30T23:00:00Z"); /* local midnight */
	assert_non_null(day);
	assert_true(day->all_day);
	assert_int_equal(day->end, t_utc("2026-12-01T23:00:00Z"));
	assert_int_equal(day->show_as, SHOW_FREE);
	assert_int_equal(find_at(&p, "2026-12-01T15:00:00Z")->show_as, SHOW_FREE);
	assert_int_equal(find_at(&p, "2026-12-01T16:00:00Z")->show_as, SHOW_TENTATIVE);
	assert_true(find_at(&p, "2026-12-01T07:00:00Z")->is_private);
	assert_null(find_at(&p, "2026-12-01T07:00:00Z")->subject);
	assert_null(find_at(&p, "2026-12-01T08:00:00Z"));
	assert_string_equal(find_at(&p, "2026-12-01T17:00:00Z")->subject, "Tab\there, new\nline and back\\slash");
	parsed_finish(&p);
}

static void
test_ical_daily_series_keeps_local_time_across_dst(void **state)
{
	const char *text =
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:dst\r\nDTSTAMP:20261001T000000Z\r\n"
		"DTSTART;TZID=Europe/Copenhagen:20261023T090000\r\nDTEND;TZID=Europe/Copenhagen:20261023T093000\r\n"
		"RRULE:FREQ=DAILY;COUNT=5\r\nSUMMARY:Daily\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	struct event *events = NULL;
	size_t count = 0;
	assert_true(ical_parse_events(text, strlen(text), t_utc("2026-10-20T00:00:00Z"), t_utc("2026-11-01T00:00:00Z"),
		NULL, NULL, &events, &count, NULL));
	assert_int_equal(count, 5);
	assert_int_equal(events[0].start, t_utc("2026-10-23T07:00:00Z")); /* CEST */
	assert_int_equal(events[4].start, t_utc("2026-10-27T08:00:00Z")); /* CET after 25 Oct */
	for (size_t i = 0; i < count; i++)
		event_finish(&events[i]);
	free(events);
}

static void
test_ical_rejects_non_calendar_and_survives_garbage(void **state)
{
	struct event *events = NULL;
	size_t count = 0;
	assert_false(ical_parse_events("hello", 5, 0, 1, NULL, NULL, &events, &count, NULL));
	const char *garbage = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026\nRRULE:FREQ=SECONDLY;INTERVAL=0\n"
			      "END:VEVENT\nBEGIN:VEVENT\nDTSTART:20261201T100000Z\nRRULE:FREQ=SECONDLY\n"
			      "DTEND:20261201T100001Z\nEND:VEVENT\nEND:VCALENDAR\n";
	ical_parse_events(garbage, strlen(garbage), t_utc("2026-12-01T00:00:00Z"), t_utc("2026-12-02T00:00:00Z"), NULL,
		NULL, &events, &count, NULL);
	assert_true(count <= ICAL_MAX_EVENTS);
	for (size_t i = 0; i < count; i++)
		event_finish(&events[i]);
	free(events);
}

static void
test_ical_private_and_confidential_lose_subject(void **state)
{
	const char *text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
			   "BEGIN:VEVENT\r\nUID:p1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261201T080000Z\r\n"
			   "DTEND:20261201T083000Z\r\nCLASS:PRIVATE\r\nSUMMARY:Secret merger\r\n"
			   "LOCATION:Secret place\r\nDESCRIPTION:Secret body\r\nEND:VEVENT\r\n"
			   "BEGIN:VEVENT\r\nUID:p2\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261201T090000Z\r\n"
			   "DTEND:20261201T093000Z\r\nCLASS:CONFIDENTIAL\r\nSUMMARY:Secret review\r\n"
			   "RRULE:FREQ=DAILY;COUNT=2\r\nEND:VEVENT\r\n"
			   "BEGIN:VEVENT\r\nUID:p3\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261201T100000Z\r\n"
			   "DTEND:20261201T103000Z\r\nCLASS:PUBLIC\r\nSUMMARY:Open talk\r\nEND:VEVENT\r\n"
			   "END:VCALENDAR\r\n";
	struct parsed p = { 0 };
	assert_true(ical_parse_events(text, strlen(text), t_utc("2026-12-01T00:00:00Z"), t_utc("2026-12-03T00:00:00Z"),
		NULL, NULL, &p.events, &p.count, &p.stats));
	assert_int_equal(p.count, 4);
	const char *private_at[] = { "2026-12-01T08:00:00Z", "2026-12-01T09:00:00Z", "2026-12-02T09:00:00Z" };
	for (size_t i = 0; i < 3; i++) {
		const struct event *e = find_at(&p, private_at[i]);
		assert_non_null(e);
		assert_true(e->is_private);
		assert_null(e->subject); /* dropped at the parser, not only hidden on screen */
	}
	const struct event *open = find_at(&p, "2026-12-01T10:00:00Z");
	assert_false(open->is_private);
	assert_string_equal(open->subject, "Open talk");
	parsed_finish(&p);
}

static void
test_ical_made_event_parses_back(void **state)
{
	char *text = ical_make_event("roomsign-abc", t_utc("2026-12-01T09:00:00Z"), t_utc("2026-12-01T09:30:00Z"),
		"Ad-hoc; meeting, now", "room@example.com", "room@example.com", t_utc("2026-12-01T09:00:00Z"));
	struct event *events = NULL;
	size_t count = 0;
	assert_true(ical_parse_events(text, strlen(text), t_utc("2026-12-01T00:00:00Z"), t_utc("2026-12-02T00:00:00Z"),
		"/cal/x.ics", "\"etag\"", &events, &count, NULL));
	assert_int_equal(count, 1);
	assert_string_equal(events[0].subject, "Ad-hoc; meeting, now");
	assert_true(events[0].booked_here);
	assert_string_equal(events[0].id, "/cal/x.ics");
	assert_string_equal(events[0].version, "\"etag\"");
	event_finish(&events[0]);
	free(events);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ical_weekly_series_with_exdate_rdate_and_overrides, setup_copenhagen),
		cmocka_unit_test_setup(test_ical_window_clips_occurrences, setup_copenhagen),
		cmocka_unit_test_setup(test_ical_windows_zone_names_map_to_iana, setup_copenhagen),
		cmocka_unit_test_setup(test_ical_zone_database_first_then_own_vtimezone, setup_copenhagen),
		cmocka_unit_test_setup(test_ical_floating_allday_cancelled_transparent_private, setup_copenhagen),
		cmocka_unit_test_setup(test_ical_daily_series_keeps_local_time_across_dst, setup_copenhagen),
		cmocka_unit_test_setup(test_ical_rejects_non_calendar_and_survives_garbage, setup_copenhagen),
		cmocka_unit_test_setup(test_ical_made_event_parses_back, setup_copenhagen),
		cmocka_unit_test_setup(test_ical_private_and_confidential_lose_subject, setup_copenhagen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
