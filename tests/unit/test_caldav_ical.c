/* test_caldav_ical.c — the edits the CalDAV backend makes before PUTting a resource back. */
#include "test_support.h"
#include <stdlib.h>
#include <string.h>
#include "calendar/caldav_ical.h"
#include "calendar/ical.h"
#include "core/xalloc.h"

static const char single[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n"
			     "BEGIN:VEVENT\r\nUID:m1\r\nDTSTAMP:20261101T000000Z\r\n"
			     "DTSTART:20261201T100000Z\r\nDURATION:PT1H\r\nSUMMARY:Review\r\nSEQUENCE:2\r\n"
			     "X-VENDOR-THING:keep me\r\nDESCRIPTION:agenda\r\n"
			     "ORGANIZER;CN=Boss:mailto:boss@example.com\r\n"
			     "ATTENDEE;CUTYPE=ROOM;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:Fjord@Example.com\r\n"
			     "ATTENDEE;PARTSTAT=ACCEPTED:mailto:ann@example.com\r\n"
			     "END:VEVENT\r\nEND:VCALENDAR\r\n";

static const char series[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n"
	"BEGIN:VEVENT\r\nUID:s1\r\nDTSTAMP:20261101T000000Z\r\n"
	"DTSTART:20261201T090000Z\r\nDTEND:20261201T093000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\n"
	"SUMMARY:Standup\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:s1\r\nDTSTAMP:20261101T000000Z\r\nRECURRENCE-ID:20261202T090000Z\r\n"
	"DTSTART:20261202T130000Z\r\nDTEND:20261202T133000Z\r\nSUMMARY:Standup moved\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static rs_time
only_end(const char *text, rs_time from, rs_time to)
{
	struct event *events = NULL;
	size_t count = 0;
	assert_true(ical_parse_events(text, strlen(text), from, to, NULL, NULL, &events, &count, NULL));
	assert_int_equal(count, 1);
	rs_time end = events[0].end;
	event_finish(&events[0]);
	free(events);
	return end;
}

static void
test_caldav_set_end_replaces_duration_and_keeps_the_rest(void **state)
{
	const char *why = NULL;
	rs_time start = t_utc("2026-12-01T10:00:00Z"), end = t_utc("2026-12-01T11:30:00Z");
	char *out = caldav_ical_set_end(single, start, end, t_utc("2026-12-01T10:05:00Z"), &why);
	assert_non_null(out);
	assert_null(strstr(out, "DURATION"));
	assert_non_null(strstr(out, "DTEND:20261201T113000Z"));
	assert_non_null(strstr(out, "SEQUENCE:3"));
	assert_non_null(strstr(out, "LAST-MODIFIED:20261201T100500Z"));
	assert_non_null(strstr(out, "X-VENDOR-THING:keep me"));
	assert_non_null(strstr(out, "DESCRIPTION:agenda"));
	assert_int_equal(only_end(out, start - 3600, end + 3600), end);
	free(out);
}

static void
test_caldav_set_end_changes_an_override_not_the_series(void **state)
{
	const char *why = NULL;
	rs_time moved = t_utc("2026-12-02T13:00:00Z");
	char *out = caldav_ical_set_end(series, moved, moved + 3600, t_utc("2026-12-02T13:10:00Z"), &why);
	assert_non_null(out);
	assert_non_null(strstr(out, "DTEND:20261202T140000Z"));
	assert_non_null(strstr(out, "DTEND:20261201T093000Z")); /* the master is untouched */
	free(out);
	/* an ordinary occurrence of the series would need a new override: refused with a reason */
	out = caldav_ical_set_end(series, t_utc("2026-12-03T09:00:00Z"), t_utc("2026-12-03T10:00:00Z"), 0, &why);
	assert_null(out);
	assert_string_equal(why, "it is one occurrence of a recurring series");
}

static void
test_caldav_set_end_refuses_a_moved_meeting(void **state)
{
	const char *why = NULL;
	assert_null(caldav_ical_set_end(single, t_utc("2026-12-01T09:00:00Z"), t_utc("2026-12-01T12:00:00Z"), 0, &why));
	assert_non_null(strstr(why, "no longer holds"));
	assert_null(caldav_ical_set_end("not ical", 0, 60, 0, &why));
}

static void
test_caldav_decline_sets_the_room_attendee_only(void **state)
{
	const char *why = NULL;
	rs_time start = t_utc("2026-12-01T10:00:00Z");
	char *out = caldav_ical_decline(single, "fjord@example.com", start, t_utc("2026-12-01T09:00:00Z"), &why);
	assert_non_null(out);
	char *room = strstr(out, "mailto:Fjord@Example.com");
	assert_non_null(room);
	const char *line = room;
	while (line > out && line[-1] != '\n')
		line--;
	char *decl = strstr(line, "PARTSTAT=DECLINED");
	assert_true(decl && decl < room);
	assert_null(strstr(out, "RSVP=TRUE"));
	assert_non_null(strstr(out, "PARTSTAT=ACCEPTED:mailto:ann@example.com"));
	assert_non_null(strstr(out, "SEQUENCE:2")); /* a reply does not bump it */
	free(out);
}

static void
test_caldav_decline_needs_the_room_as_attendee(void **state)
{
	const char *why = NULL;
	assert_null(caldav_ical_decline(single, "loki@example.com", t_utc("2026-12-01T10:00:00Z"), 0, &why));
	assert_string_equal(why, "the room is not one of its attendees");
}

/* An Outlook-style Windows zone name (here a display name) means the same zone here as in
 * ical.c, so the event the sign shows is the one extended. */
static void
test_caldav_set_end_finds_an_event_in_a_windows_zone(void **state)
{
	static const char text[] =
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n"
		"BEGIN:VEVENT\r\nUID:w1\r\nDTSTAMP:20261101T000000Z\r\n"
		"DTSTART;TZID=\"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna\":20261201T100000\r\n"
		"DURATION:PT1H\r\nSUMMARY:Outlook\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	const char *why = NULL;
	char *out = caldav_ical_set_end(text, t_utc("2026-12-01T09:00:00Z"), t_utc("2026-12-01T10:30:00Z"),
		t_utc("2026-12-01T09:05:00Z"), &why);
	assert_non_null(out);
	assert_int_equal(only_end(out, t_utc("2026-12-01T00:00:00Z"), t_utc("2026-12-02T00:00:00Z")),
		t_utc("2026-12-01T10:30:00Z"));
	free(out);
}

/* A resource from parts: the VEVENT's own lines between the fixed ones. */
static char *
vevent(const char *lines)
{
	return xasprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\n"
			 "DTSTAMP:20261101T000000Z\r\nDTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\n"
			 "SUMMARY:Review\r\n%sEND:VEVENT\r\nEND:VCALENDAR\r\n",
		lines);
}

static enum caldav_release_verdict
verdict(const char *lines, rs_time start, rs_time end, const char **why)
{
	static const char *const owners[] = { "Fjord@example.com", "svc-roomsign" };
	char *text = vevent(lines);
	enum caldav_release_verdict v = caldav_ical_release_verdict(text, start, end, owners, 2, why);
	free(text);
	return v;
}

#define OWN_MARK "UID:roomsign-0011\r\nX-ROOMSIGN-BOOKED:1\r\n"
#define INVITE   "ORGANIZER;CN=Olga:mailto:olga@example.com\r\nATTENDEE;CUTYPE=ROOM:mailto:fjord@example.com\r\n"

static void
test_caldav_release_own_only_when_the_room_organised_it(void **state)
{
	rs_time s = t_utc("2026-12-01T10:00:00Z"), e = t_utc("2026-12-01T11:00:00Z");
	const char *why = NULL;
	assert_int_equal(verdict(OWN_MARK "ORGANIZER:mailto:fjord@EXAMPLE.com\r\n", s, e, &why), CALDAV_RELEASE_DELETE);
	assert_int_equal(verdict(OWN_MARK "ORGANIZER:mailto:svc-roomsign\r\n", s, e, &why), CALDAV_RELEASE_DELETE);
	assert_int_equal(verdict(OWN_MARK, s, e, &why), CALDAV_RELEASE_DELETE); /* no invite at all */
	/* The marker forged into an outsider's invite: declined, never deleted. */
	assert_int_equal(verdict(OWN_MARK INVITE, s, e, &why), CALDAV_RELEASE_DECLINE);
	assert_int_equal(verdict("UID:roomsign-0011\r\n" INVITE, s, e, &why), CALDAV_RELEASE_DECLINE);
	assert_int_equal(verdict("UID:o1\r\nX-ROOMSIGN-BOOKED:1\r\n" INVITE, s, e, &why), CALDAV_RELEASE_DECLINE);
	assert_int_equal(verdict("UID:o1\r\n" INVITE, s, e, &why), CALDAV_RELEASE_DECLINE);
	/* A series is never deleted, even one that looks like ours: its first occurrence is left. */
	assert_int_equal(
		verdict(OWN_MARK "ORGANIZER:mailto:fjord@example.com\r\nRRULE:FREQ=DAILY;COUNT=5\r\n", s, e, &why),
		CALDAV_RELEASE_LEAVE);
	assert_string_equal(why, "it is one occurrence of a recurring series");
	assert_int_equal(caldav_ical_release_verdict(
				 series, t_utc("2026-12-02T09:00:00Z"), t_utc("2026-12-02T09:30:00Z"), NULL, 0, &why),
		CALDAV_RELEASE_LEAVE); /* a plain occurrence: the series' resource is left whole */
}

static void
test_caldav_release_leaves_a_moved_or_checked_in_meeting(void **state)
{
	rs_time s = t_utc("2026-12-01T10:00:00Z"), e = t_utc("2026-12-01T11:00:00Z");
	const char *why = NULL;
	assert_int_equal(verdict(OWN_MARK, s - 1800, e, &why), CALDAV_RELEASE_LEAVE); /* start moved */
	assert_string_equal(why, "the calendar no longer holds a meeting starting at that time");
	assert_int_equal(verdict(OWN_MARK, s, e + 1800, &why), CALDAV_RELEASE_LEAVE); /* end moved */
	assert_int_equal(verdict("UID:o1\r\n" INVITE "X-ROOMSIGN-CHECKED-IN:1\r\n", s, e, &why), CALDAV_RELEASE_LEAVE);
	assert_string_equal(why, "someone checked in to it (at another sign)");
	assert_int_equal(caldav_ical_release_verdict("garbage", s, e, NULL, 0, &why), CALDAV_RELEASE_LEAVE);
}

static void
test_caldav_check_in_is_written_to_the_event(void **state)
{
	rs_time s = t_utc("2026-12-01T10:00:00Z"), e = t_utc("2026-12-01T11:00:00Z");
	const char *why = NULL;
	char *text = vevent("UID:o1\r\n" INVITE);
	char *marked = caldav_ical_mark_checked_in(text, s, t_utc("2026-12-01T10:02:00Z"), &why);
	assert_non_null(marked);
	assert_non_null(strstr(marked, "X-ROOMSIGN-CHECKED-IN:1"));
	static const char *const owners[] = { "fjord@example.com" };
	assert_int_equal(caldav_ical_release_verdict(marked, s, e, owners, 1, &why), CALDAV_RELEASE_LEAVE);
	assert_null(caldav_ical_mark_checked_in(series, t_utc("2026-12-01T09:00:00Z"), 0, &why));
	free(marked);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caldav_set_end_replaces_duration_and_keeps_the_rest),
		cmocka_unit_test(test_caldav_set_end_finds_an_event_in_a_windows_zone),
		cmocka_unit_test(test_caldav_set_end_changes_an_override_not_the_series),
		cmocka_unit_test(test_caldav_set_end_refuses_a_moved_meeting),
		cmocka_unit_test(test_caldav_decline_sets_the_room_attendee_only),
		cmocka_unit_test(test_caldav_decline_needs_the_room_as_attendee),
		cmocka_unit_test(test_caldav_release_own_only_when_the_room_organised_it),
		cmocka_unit_test(test_caldav_release_leaves_a_moved_or_checked_in_meeting),
		cmocka_unit_test(test_caldav_check_in_is_written_to_the_event),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
