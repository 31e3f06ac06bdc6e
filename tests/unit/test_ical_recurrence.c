/* iCalendar recurrence as RFC 5545 states it where libical leaves it to us (issue 17): each test
 * is one kind of disagreement real producers showed, with the calendar and expected UTC
 * instants, through ical_parse_events() as `roomsign agenda` calls it (app/calendar/ics.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test_support.h"
#include "calendar/ical.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

struct parsed {
	struct event *events;
	size_t count;
	struct ical_stats stats;
};

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

/* Parses text in the room's zone (the setup's) for [from, to) and sorts nothing: the tests below
 * look events up by start. Wraps the text in a VCALENDAR unless it is already. */
static void
parse_text(const char *body, const char *from, const char *to, struct parsed *p)
{
	char *text = strstr(body, "BEGIN:VCALENDAR")
			     ? xstrdup(body)
			     : xasprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n%sEND:VCALENDAR\r\n",
				       body);
	memset(p, 0, sizeof(*p));
	assert_true(ical_parse_events(
		text, strlen(text), t_utc(from), t_utc(to), NULL, NULL, &p->events, &p->count, &p->stats));
	free(text);
}

/* Asserts exactly one occurrence [start, end) in p. */
static const struct event *
expect_once(const struct parsed *p, const char *start, const char *end)
{
	const struct event *found = NULL;
	size_t n = 0;
	for (size_t i = 0; i < p->count; i++)
		if (p->events[i].start == t_utc(start)) {
			found = &p->events[i];
			n++;
		}
	if (n != 1)
		fail_msg("%zu occurrences at %s, want 1", n, start);
	assert_int_equal(found->end, t_utc(end));
	return found;
}

static int
setup_berlin(void **state)
{
	(void)state;
	assert_true(time_set_zone("Europe/Berlin"));
	return 0;
}

/* Issue 17.1: an all-day event whose end is not after its start lasts one day (RFC 5545 3.6.1). */
static void
test_ical_all_day_without_length_lasts_one_day(void **state)
{
	struct parsed p;
	parse_text("BEGIN:VEVENT\r\nUID:d1\r\nDTSTAMP:20250401T000000Z\r\nDTSTART;VALUE=DATE:20250505\r\n"
		   "DTEND;VALUE=DATE:20250505\r\nSUMMARY:Same day\r\nEND:VEVENT\r\n"
		   "BEGIN:VEVENT\r\nUID:d2\r\nDTSTAMP:20250401T000000Z\r\nDTSTART;VALUE=DATE:20250506\r\n"
		   "DURATION:PT8H\r\nSUMMARY:Eight hours\r\nEND:VEVENT\r\n"
		   "BEGIN:VEVENT\r\nUID:d3\r\nDTSTAMP:20250401T000000Z\r\nDTSTART;VALUE=DATE:20250330\r\n"
		   "DTEND;VALUE=DATE:20250330\r\nRRULE:FREQ=DAILY;COUNT=2\r\nSUMMARY:DST day\r\nEND:VEVENT\r\n",
		"2025-03-01T00:00:00Z", "2025-06-01T00:00:00Z", &p);
	assert_int_equal(p.count, 4);
	assert_true(expect_once(&p, "2025-05-04T22:00:00Z", "2025-05-05T22:00:00Z")->all_day);
	assert_true(expect_once(&p, "2025-05-05T22:00:00Z", "2025-05-06T22:00:00Z")->all_day);
	expect_once(&p, "2025-03-29T23:00:00Z", "2025-03-30T22:00:00Z"); /* the 23-hour day */
	expect_once(&p, "2025-03-30T22:00:00Z", "2025-03-31T22:00:00Z");
	parsed_finish(&p);
}

#define WEEKLY_0930                                                                                  \
	"DTSTART;TZID=Europe/Berlin:20250303T093000\r\nDTEND;TZID=Europe/Berlin:20250303T100000\r\n" \
	"RRULE:FREQ=WEEKLY;BYDAY=MO\r\n"

/* Issue 17.2: the same UID twice without RECURRENCE-ID: the highest SEQUENCE, then the latest
 * DTSTAMP, counts, whatever the order in the file (RFC 5545 3.8.7.4). */
static void
test_ical_same_uid_twice_highest_sequence_wins(void **state)
{
	static const char *const orders[] = {
		"BEGIN:VEVENT\r\nUID:w\r\nDTSTAMP:20250301T000000Z\r\nSEQUENCE:0\r\n" WEEKLY_0930
		"SUMMARY:Old\r\nEND:VEVENT\r\n"
		"BEGIN:VEVENT\r\nUID:w\r\nDTSTAMP:20250301T000000Z\r\nSEQUENCE:1\r\n" WEEKLY_0930
		"EXDATE;TZID=Europe/Berlin:20250317T093000\r\nSUMMARY:New\r\nEND:VEVENT\r\n",
		"BEGIN:VEVENT\r\nUID:w\r\nDTSTAMP:20250301T000000Z\r\nSEQUENCE:1\r\n" WEEKLY_0930
		"EXDATE;TZID=Europe/Berlin:20250317T093000\r\nSUMMARY:New\r\nEND:VEVENT\r\n"
		"BEGIN:VEVENT\r\nUID:w\r\nDTSTAMP:20250301T000000Z\r\nSEQUENCE:0\r\n" WEEKLY_0930
		"SUMMARY:Old\r\nEND:VEVENT\r\n",
		/* equal SEQUENCE: the later DTSTAMP */
		"BEGIN:VEVENT\r\nUID:w\r\nDTSTAMP:20250302T000000Z\r\n" WEEKLY_0930
		"EXDATE;TZID=Europe/Berlin:20250317T093000\r\nSUMMARY:New\r\nEND:VEVENT\r\n"
		"BEGIN:VEVENT\r\nUID:w\r\nDTSTAMP:20250301T000000Z\r\n" WEEKLY_0930 "SUMMARY:Old\r\nEND:VEVENT\r\n",
	};
	for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
		struct parsed p;
		parse_text(orders[i], "2025-03-09T23:00:00Z", "2025-03-24T23:00:00Z", &p);
		assert_int_equal(p.count, 2);
		assert_string_equal(expect_once(&p, "2025-03-10T08:30:00Z", "2025-03-10T09:00:00Z")->subject, "New");
		expect_once(&p, "2025-03-24T08:30:00Z", "2025-03-24T09:00:00Z");
		parsed_finish(&p);
	}
}

/* Issue 17.3: an RDATE equal to DTSTART or to an RRULE instance is one occurrence
 * (RFC 5545 3.8.5.2, 3.8.5.3). */
static void
test_ical_rdate_on_rule_instance_counted_once(void **state)
{
	struct parsed p;
	parse_text("BEGIN:VEVENT\r\nUID:r\r\nDTSTAMP:20250501T000000Z\r\n"
		   "DTSTART;TZID=Europe/Paris:20250602T140000\r\nDTEND;TZID=Europe/Paris:20250602T150000\r\n"
		   "RRULE:FREQ=WEEKLY;COUNT=3\r\n"
		   "RDATE;TZID=Europe/Paris:20250602T140000,20250609T140000,20250611T100000\r\n"
		   "RDATE:20250616T120000Z\r\nSUMMARY:R\r\nEND:VEVENT\r\n",
		"2025-06-01T00:00:00Z", "2025-07-01T00:00:00Z", &p);
	assert_int_equal(p.count, 4);
	expect_once(&p, "2025-06-02T12:00:00Z", "2025-06-02T13:00:00Z");
	expect_once(&p, "2025-06-09T12:00:00Z", "2025-06-09T13:00:00Z");
	expect_once(&p, "2025-06-11T08:00:00Z", "2025-06-11T09:00:00Z");
	expect_once(&p, "2025-06-16T12:00:00Z", "2025-06-16T13:00:00Z"); /* the same instant in UTC */
	parsed_finish(&p);
}

/* Issue 17.4: RECURRENCE-ID;RANGE=THISANDFUTURE moves that instance and every later one, with its
 * duration and SUMMARY (RFC 5545 3.8.4.4); a later single override still wins for its instance. */
static void
test_ical_this_and_future_changes_later_instances(void **state)
{
	struct parsed p;
	parse_text("BEGIN:VEVENT\r\nUID:ny\r\nDTSTAMP:20250101T000000Z\r\n"
		   "DTSTART;TZID=America/New_York:20250105T100000\r\nDTEND;TZID=America/New_York:20250105T110000\r\n"
		   "RRULE:FREQ=DAILY;COUNT=10\r\nEXDATE;TZID=America/New_York:20250112T100000\r\n"
		   "SUMMARY:Old\r\nEND:VEVENT\r\n"
		   "BEGIN:VEVENT\r\nUID:ny\r\nDTSTAMP:20250101T000000Z\r\n"
		   "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=America/New_York:20250108T100000\r\n"
		   "DTSTART;TZID=America/New_York:20250108T130000\r\nDTEND;TZID=America/New_York:20250108T133000\r\n"
		   "SUMMARY:New\r\nEND:VEVENT\r\n"
		   "BEGIN:VEVENT\r\nUID:ny\r\nDTSTAMP:20250101T000000Z\r\n"
		   "RECURRENCE-ID;TZID=America/New_York:20250110T100000\r\n"
		   "DTSTART;TZID=America/New_York:20250110T160000\r\nDTEND;TZID=America/New_York:20250110T170000\r\n"
		   "SUMMARY:Single\r\nEND:VEVENT\r\n",
		"2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z", &p);
	assert_int_equal(p.count, 9); /* 10 less the EXDATE */
	assert_string_equal(expect_once(&p, "2025-01-05T15:00:00Z", "2025-01-05T16:00:00Z")->subject, "Old");
	assert_string_equal(expect_once(&p, "2025-01-07T15:00:00Z", "2025-01-07T16:00:00Z")->subject, "Old");
	assert_string_equal(expect_once(&p, "2025-01-08T18:00:00Z", "2025-01-08T18:30:00Z")->subject, "New");
	assert_string_equal(expect_once(&p, "2025-01-09T18:00:00Z", "2025-01-09T18:30:00Z")->subject, "New");
	assert_string_equal(expect_once(&p, "2025-01-10T21:00:00Z", "2025-01-10T22:00:00Z")->subject, "Single");
	assert_string_equal(expect_once(&p, "2025-01-11T18:00:00Z", "2025-01-11T18:30:00Z")->subject, "New");
	assert_null(find_at(&p, "2025-01-12T18:00:00Z"));
	assert_string_equal(expect_once(&p, "2025-01-14T18:00:00Z", "2025-01-14T18:30:00Z")->subject, "New");
	assert_null(find_at(&p, "2025-01-09T15:00:00Z"));
	parsed_finish(&p);
}

/* A THISANDFUTURE move keeps the local hour across a DST change, and an instance moved into the
 * window from outside it is shown. */
static void
test_ical_this_and_future_across_dst_and_window(void **state)
{
	struct parsed p;
	parse_text("BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20250101T000000Z\r\n"
		   "DTSTART;TZID=Europe/Berlin:20250320T100000\r\nDTEND;TZID=Europe/Berlin:20250320T110000\r\n"
		   "RRULE:FREQ=WEEKLY\r\nSUMMARY:Old\r\nEND:VEVENT\r\n"
		   "BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20250101T000000Z\r\n"
		   "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20250327T100000\r\n"
		   "DTSTART;TZID=Europe/Berlin:20250326T090000\r\nDTEND;TZID=Europe/Berlin:20250326T091500\r\n"
		   "SUMMARY:New\r\nEND:VEVENT\r\n",
		"2025-04-01T22:00:00Z", "2025-04-02T22:00:00Z", &p);
	assert_int_equal(p.count, 1); /* 04-03 moved a day and an hour earlier */
	assert_string_equal(expect_once(&p, "2025-04-02T07:00:00Z", "2025-04-02T07:15:00Z")->subject, "New");
	parsed_finish(&p);
	parse_text("BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20250101T000000Z\r\n"
		   "DTSTART;TZID=Europe/Berlin:20250320T100000\r\nDTEND;TZID=Europe/Berlin:20250320T110000\r\n"
		   "RRULE:FREQ=WEEKLY\r\nSUMMARY:Old\r\nEND:VEVENT\r\n"
		   "BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20250101T000000Z\r\n"
		   "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20250320T100000\r\n"
		   "DTSTART;TZID=Europe/Berlin:20250320T120000\r\nDTEND;TZID=Europe/Berlin:20250320T130000\r\n"
		   "SUMMARY:New\r\nEND:VEVENT\r\n",
		"2025-03-26T23:00:00Z", "2025-03-27T23:00:00Z", &p);
	/* 12:00 CEST after the change of 30 March is 10:00Z; on the 27th still CET, 11:00Z */
	assert_int_equal(p.count, 1);
	expect_once(&p, "2025-03-27T11:00:00Z", "2025-03-27T12:00:00Z");
	parsed_finish(&p);
	parse_text("BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20250101T000000Z\r\n"
		   "DTSTART;TZID=Europe/Berlin:20250320T100000\r\nDTEND;TZID=Europe/Berlin:20250320T110000\r\n"
		   "RRULE:FREQ=WEEKLY\r\nSUMMARY:Old\r\nEND:VEVENT\r\n"
		   "BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20250101T000000Z\r\n"
		   "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20250320T100000\r\n"
		   "DTSTART;TZID=Europe/Berlin:20250320T120000\r\nDTEND;TZID=Europe/Berlin:20250320T130000\r\n"
		   "SUMMARY:New\r\nEND:VEVENT\r\n",
		"2025-04-02T22:00:00Z", "2025-04-03T22:00:00Z", &p);
	assert_int_equal(p.count, 1);
	expect_once(&p, "2025-04-03T10:00:00Z", "2025-04-03T11:00:00Z"); /* 12:00 CEST */
	parsed_finish(&p);
}

/* Issue 17.5: several RRULEs (RFC 2445 4.8.5.4) expand to their union, duplicates once. */
static void
test_ical_several_rrules_are_a_union(void **state)
{
	struct parsed p;
	parse_text("BEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20250201T000000Z\r\n"
		   "DTSTART;TZID=Europe/London:20250303T120000\r\nDTEND;TZID=Europe/London:20250303T130000\r\n"
		   "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4\r\nRRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=4\r\n"
		   "RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=2\r\nSUMMARY:U\r\nEND:VEVENT\r\n",
		"2025-03-01T00:00:00Z", "2025-04-30T00:00:00Z", &p);
	assert_int_equal(p.count, 8);
	static const char *const starts[] = { "2025-03-03T12:00:00Z", "2025-03-06T12:00:00Z", "2025-03-10T12:00:00Z",
		"2025-03-13T12:00:00Z", "2025-03-17T12:00:00Z", "2025-03-20T12:00:00Z", "2025-03-24T12:00:00Z",
		"2025-03-27T12:00:00Z" };
	for (size_t i = 0; i < 8; i++)
		assert_non_null(find_at(&p, starts[i]));
	parsed_finish(&p);
}

/* Issue 17.6: a DTSTART the rule does not produce is still the first instance (RFC 5545 3.8.5.3);
 * also with UNTIL written in local time (invalid for a zoned DTSTART, 3.3.10, read in its zone). */
static void
test_ical_unsynchronised_dtstart_is_first_instance(void **state)
{
	static const char *const untils[] = { "UNTIL=20250912T235959Z", "UNTIL=20250913T015959" };
	for (size_t i = 0; i < 2; i++) {
		char *body = xasprintf("BEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20250801T000000Z\r\n"
				       "DTSTART;TZID=Europe/Berlin:20250903T100000\r\n"
				       "DTEND;TZID=Europe/Berlin:20250903T103000\r\n"
				       "RRULE:FREQ=WEEKLY;BYDAY=MO,FR;%s\r\nSUMMARY:S\r\nEND:VEVENT\r\n",
			untils[i]);
		struct parsed p;
		parse_text(body, "2025-09-01T00:00:00Z", "2025-10-01T00:00:00Z", &p);
		assert_int_equal(p.count, 4);
		expect_once(&p, "2025-09-03T08:00:00Z", "2025-09-03T08:30:00Z");
		expect_once(&p, "2025-09-05T08:00:00Z", "2025-09-05T08:30:00Z");
		expect_once(&p, "2025-09-08T08:00:00Z", "2025-09-08T08:30:00Z");
		expect_once(&p, "2025-09-12T08:00:00Z", "2025-09-12T08:30:00Z");
		parsed_finish(&p);
		free(body);
	}
}

/* Issue 17.7: every instance lasts the exact DTEND - DTSTART of the first, in absolute time, also
 * with different zones; a DURATION in days stays nominal across DST (RFC 5545 3.8.5.3, 3.3.6). */
static void
test_ical_instances_last_the_exact_first_duration(void **state)
{
	struct parsed p;
	parse_text("BEGIN:VEVENT\r\nUID:l\r\nDTSTAMP:20250401T000000Z\r\n"
		   "DTSTART;TZID=Europe/London:20250512T080000\r\nDTEND;TZID=Europe/Helsinki:20250512T120000\r\n"
		   "RRULE:FREQ=DAILY;COUNT=2\r\nSUMMARY:L\r\nEND:VEVENT\r\n"
		   "BEGIN:VEVENT\r\nUID:n\r\nDTSTAMP:20250401T000000Z\r\n"
		   "DTSTART;TZID=Europe/Berlin:20251020T200000\r\nDTEND:20251021T180000Z\r\n"
		   "RRULE:FREQ=WEEKLY;COUNT=2\r\nSUMMARY:Exact across DST\r\nEND:VEVENT\r\n"
		   "BEGIN:VEVENT\r\nUID:m\r\nDTSTAMP:20250401T000000Z\r\n"
		   "DTSTART;TZID=Europe/Berlin:20251021T200000\r\nDURATION:P1DT1H\r\n"
		   "RRULE:FREQ=WEEKLY;COUNT=2\r\nSUMMARY:Nominal day\r\nEND:VEVENT\r\n",
		"2025-05-01T00:00:00Z", "2025-11-01T00:00:00Z", &p);
	assert_int_equal(p.count, 6);
	expect_once(&p, "2025-05-12T07:00:00Z", "2025-05-12T09:00:00Z");
	expect_once(&p, "2025-05-13T07:00:00Z", "2025-05-13T09:00:00Z");
	expect_once(&p, "2025-10-20T18:00:00Z", "2025-10-21T18:00:00Z");
	expect_once(&p, "2025-10-27T19:00:00Z", "2025-10-28T19:00:00Z"); /* 24 h, after the change */
	expect_once(&p, "2025-10-21T18:00:00Z", "2025-10-22T19:00:00Z");
	expect_once(&p, "2025-10-28T19:00:00Z", "2025-10-29T20:00:00Z");
	parsed_finish(&p);
}

/* Issue 17.8: VEVENTs without a VCALENDAR, and a Windows display name as TZID. */
static void
test_ical_lenient_unwrapped_events_and_display_name_zone(void **state)
{
	static const char text[] =
		"BEGIN:VEVENT\r\nUID:o1\r\nDTSTAMP:20250101T000000Z\r\n"
		"DTSTART;TZID=\"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna\":20250707T100000\r\n"
		"DTEND;TZID=\"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna\":20250707T110000\r\n"
		"RRULE:FREQ=WEEKLY;COUNT=2\r\nSUMMARY:Outlook\r\nEND:VEVENT\r\n"
		"BEGIN:VEVENT\r\nUID:o2\r\nDTSTAMP:20250101T000000Z\r\n"
		"DTSTART;TZID=\"(UTC-05:00) Eastern Time (US & Canada)\":20251230T090000\r\n"
		"DURATION:PT30M\r\nSUMMARY:East\r\nEND:VEVENT\r\n";
	struct parsed p = { 0 };
	assert_true(ical_parse_events(text, strlen(text), t_utc("2025-07-01T00:00:00Z"), t_utc("2026-01-01T00:00:00Z"),
		NULL, NULL, &p.events, &p.count, &p.stats));
	assert_int_equal(p.count, 3);
	expect_once(&p, "2025-07-07T08:00:00Z", "2025-07-07T09:00:00Z"); /* CEST, not the room's zone */
	expect_once(&p, "2025-07-14T08:00:00Z", "2025-07-14T09:00:00Z");
	expect_once(&p, "2025-12-30T14:00:00Z", "2025-12-30T14:30:00Z");
	assert_string_equal(ical_windows_zone("(GMT+01:00) Brussels, Copenhagen, Madrid, Paris"), "Europe/Paris");
	assert_null(ical_windows_zone("(UTC+01:00) Atlantis"));
	parsed_finish(&p);
}

/* Variations: EXDATE as a DATE for a timed series removes that day's instance; floating times are
 * the room's; an EXDATE in UTC matches the zoned instance it names. */
static void
test_ical_exdate_date_floating_and_utc_exdate(void **state)
{
	struct parsed p;
	parse_text("BEGIN:VEVENT\r\nUID:e\r\nDTSTAMP:20250101T000000Z\r\n"
		   "DTSTART;TZID=Europe/Berlin:20250324T090000\r\nDTEND;TZID=Europe/Berlin:20250324T100000\r\n"
		   "RRULE:FREQ=DAILY;COUNT=5\r\nEXDATE;VALUE=DATE:20250325\r\nEXDATE:20250327T080000Z\r\n"
		   "SUMMARY:E\r\nEND:VEVENT\r\n"
		   "BEGIN:VEVENT\r\nUID:f\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250329T170000\r\n"
		   "DTEND:20250329T173000\r\nRRULE:FREQ=DAILY;COUNT=2\r\nSUMMARY:Floating\r\nEND:VEVENT\r\n",
		"2025-03-20T00:00:00Z", "2025-04-05T00:00:00Z", &p);
	assert_int_equal(p.count, 5);
	expect_once(&p, "2025-03-24T08:00:00Z", "2025-03-24T09:00:00Z");
	expect_once(&p, "2025-03-26T08:00:00Z", "2025-03-26T09:00:00Z");
	expect_once(&p, "2025-03-28T08:00:00Z", "2025-03-28T09:00:00Z");
	expect_once(&p, "2025-03-29T16:00:00Z", "2025-03-29T16:30:00Z"); /* CET */
	expect_once(&p, "2025-03-30T15:00:00Z", "2025-03-30T15:30:00Z"); /* CEST */
	parsed_finish(&p);
}

/* Found by the differential test (differential-17-215): a WEEKLY rule with INTERVAL and BYDAY
 * takes every n-th week counted from DTSTART's week, weeks starting Monday (RFC 5545 3.3.10);
 * libical 3.0 started a week early for a Sunday. COUNT counts the instances kept. */
static void
test_ical_weekly_interval_counts_weeks_from_dtstart(void **state)
{
	struct parsed p;
	parse_text("BEGIN:VEVENT\r\nUID:sat\r\nDTSTAMP:20260101T000000Z\r\n"
		   "DTSTART;TZID=Europe/Berlin:20260815T100000\r\nDTEND;TZID=Europe/Berlin:20260815T110000\r\n"
		   "RRULE:FREQ=WEEKLY;INTERVAL=4;BYDAY=SU;UNTIL=20261101T000000Z\r\nSUMMARY:Sat\r\nEND:VEVENT\r\n"
		   "BEGIN:VEVENT\r\nUID:utc\r\nDTSTAMP:20260101T000000Z\r\n"
		   "DTSTART:20260816T140000Z\r\nDTEND:20260816T150000Z\r\n"
		   "RRULE:FREQ=WEEKLY;INTERVAL=4;BYDAY=SU;COUNT=3\r\nSUMMARY:Sun\r\nEND:VEVENT\r\n",
		"2026-08-01T00:00:00Z", "2026-12-01T00:00:00Z", &p);
	assert_int_equal(p.count, 4 + 3);
	expect_once(&p, "2026-08-15T08:00:00Z", "2026-08-15T09:00:00Z"); /* DTSTART */
	expect_once(&p, "2026-08-16T08:00:00Z", "2026-08-16T09:00:00Z"); /* its week's Sunday */
	expect_once(&p, "2026-09-13T08:00:00Z", "2026-09-13T09:00:00Z"); /* four weeks on */
	expect_once(&p, "2026-10-11T08:00:00Z", "2026-10-11T09:00:00Z");
	expect_once(&p, "2026-08-16T14:00:00Z", "2026-08-16T15:00:00Z");
	expect_once(&p, "2026-09-13T14:00:00Z", "2026-09-13T15:00:00Z");
	expect_once(&p, "2026-10-11T14:00:00Z", "2026-10-11T15:00:00Z");
	parsed_finish(&p);
}

/* A THISANDFUTURE override with STATUS:CANCELLED ends the series there (RFC 5545 3.8.4.4 with
 * 3.8.1.11); earlier instances stay. */
static void
test_ical_this_and_future_cancelled_ends_the_series(void **state)
{
	struct parsed p;
	parse_text("BEGIN:VEVENT\r\nUID:c\r\nDTSTAMP:20250101T000000Z\r\n"
		   "DTSTART;TZID=Europe/Berlin:20250106T100000\r\nDTEND;TZID=Europe/Berlin:20250106T110000\r\n"
		   "RRULE:FREQ=DAILY;COUNT=10\r\nSUMMARY:Daily\r\nEND:VEVENT\r\n"
		   "BEGIN:VEVENT\r\nUID:c\r\nDTSTAMP:20250101T000000Z\r\n"
		   "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20250109T100000\r\n"
		   "DTSTART;TZID=Europe/Berlin:20250109T100000\r\nDTEND;TZID=Europe/Berlin:20250109T110000\r\n"
		   "STATUS:CANCELLED\r\nSUMMARY:Daily\r\nEND:VEVENT\r\n",
		"2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z", &p);
	assert_int_equal(p.count, 3);
	expect_once(&p, "2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z");
	expect_once(&p, "2025-01-08T09:00:00Z", "2025-01-08T10:00:00Z");
	parsed_finish(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ical_all_day_without_length_lasts_one_day, setup_berlin),
		cmocka_unit_test_setup(test_ical_same_uid_twice_highest_sequence_wins, setup_berlin),
		cmocka_unit_test_setup(test_ical_rdate_on_rule_instance_counted_once, setup_berlin),
		cmocka_unit_test_setup(test_ical_this_and_future_changes_later_instances, setup_berlin),
		cmocka_unit_test_setup(test_ical_this_and_future_across_dst_and_window, setup_berlin),
		cmocka_unit_test_setup(test_ical_several_rrules_are_a_union, setup_berlin),
		cmocka_unit_test_setup(test_ical_unsynchronised_dtstart_is_first_instance, setup_berlin),
		cmocka_unit_test_setup(test_ical_instances_last_the_exact_first_duration, setup_berlin),
		cmocka_unit_test_setup(test_ical_lenient_unwrapped_events_and_display_name_zone, setup_berlin),
		cmocka_unit_test_setup(test_ical_exdate_date_floating_and_utc_exdate, setup_berlin),
		cmocka_unit_test_setup(test_ical_weekly_interval_counts_weeks_from_dtstart, setup_berlin),
		cmocka_unit_test_setup(test_ical_this_and_future_cancelled_ends_the_series, setup_berlin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
