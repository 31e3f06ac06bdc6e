/* test_caldav_xml.c — the CalDAV XML parsers on recorded Radicale answers and sabre/dav shapes. */
#include "test_support.h"
#include <stdlib.h>
#include <string.h>
#include "calendar/caldav_xml.h"
#include "calendar/ical.h"
#include "net/http.h"

static char *
load(const char *name, size_t *len)
{
	char *text = file_read_capped(t_fixture(name), 1 << 20, len);
	assert_non_null(text);
	return text;
}

static void
test_caldav_principal_from_radicale_root(void **state)
{
	size_t len;
	char *xml = load("caldav/principal.xml", &len);
	struct caldav_principal p;
	assert_true(caldav_xml_parse_principal(xml, len, &p));
	assert_string_equal(p.principal, "/room/");
	assert_null(p.home);
	assert_null(p.schedule_outbox);
	assert_null(p.displayname);
	assert_false(p.is_calendar);
	caldav_principal_finish(&p);
	free(xml);
}

static void
test_caldav_home_set_from_radicale_principal(void **state)
{
	size_t len;
	char *xml = load("caldav/home_set.xml", &len);
	struct caldav_principal p;
	assert_true(caldav_xml_parse_principal(xml, len, &p));
	assert_string_equal(p.home, "/room/");
	caldav_principal_finish(&p);
	free(xml);
}

static void
test_caldav_direct_calendar_url_is_recognised(void **state)
{
	size_t len;
	char *xml = load("caldav/collection_discovery.xml", &len);
	struct caldav_principal p;
	assert_true(caldav_xml_parse_principal(xml, len, &p));
	assert_true(p.is_calendar);
	assert_string_equal(p.displayname, "Fjord 4.12");
	assert_string_equal(p.principal, "/room/");
	assert_null(p.home);            /* 404 propstat: Radicale has it on the principal only */
	assert_null(p.schedule_outbox); /* Radicale does not schedule */
	caldav_principal_finish(&p);
	free(xml);
}

static void
test_caldav_sabre_principal_offers_scheduling(void **state)
{
	size_t len;
	char *xml = load("caldav/sabre_principal.xml", &len);
	struct caldav_principal p;
	assert_true(caldav_xml_parse_principal(xml, len, &p));
	assert_string_equal(p.principal, "/remote.php/dav/principals/users/room412/");
	assert_string_equal(p.home, "/remote.php/dav/calendars/room412/");
	assert_string_equal(p.schedule_outbox, "/remote.php/dav/calendars/room412/outbox/");
	caldav_principal_finish(&p);
	free(xml);
}

static void
test_caldav_home_list_tells_calendars_from_address_books(void **state)
{
	size_t len, n;
	char *xml = load("caldav/home_list.xml", &len);
	struct caldav_collection *list;
	assert_true(caldav_xml_parse_collections(xml, len, &list, &n));
	assert_int_equal(n, 3);
	assert_string_equal(list[0].href, "/room/");
	assert_false(list[0].is_calendar);
	assert_null(list[0].displayname);  /* 404 propstat ignored */
	assert_false(list[1].is_calendar); /* the address book */
	assert_string_equal(list[2].href, "/room/calendar/");
	assert_true(list[2].is_calendar);
	assert_true(list[2].has_vevent);
	assert_string_equal(list[2].displayname, "Fjord 4.12");
	assert_non_null(list[2].sync_token);
	assert_true(strncmp(list[2].sync_token, "http://radicale.org/ns/sync/", 28) == 0);
	caldav_collections_free(list, n);
	free(xml);
}

static void
test_caldav_home_list_reads_component_sets(void **state)
{
	size_t len, n;
	char *xml = load("caldav/home_list_many.xml", &len);
	struct caldav_collection *list;
	assert_true(caldav_xml_parse_collections(xml, len, &list, &n));
	assert_int_equal(n, 5);
	assert_string_equal(list[1].href, "/room/tasks/");
	assert_true(list[1].is_calendar);
	assert_false(list[1].has_vevent); /* VTODO only */
	assert_string_equal(list[4].displayname, "room-4-12@example.com");
	assert_true(list[4].has_vevent);
	caldav_collections_free(list, n);
	free(xml);
}

static void
test_caldav_sabre_prefixes_and_whitespace(void **state)
{
	size_t len, n;
	char *xml = load("caldav/sabre_home_list.xml", &len);
	struct caldav_collection *list;
	assert_true(caldav_xml_parse_collections(xml, len, &list, &n));
	assert_int_equal(n, 3);
	assert_true(list[1].is_calendar);
	assert_string_equal(list[1].href, "/remote.php/dav/calendars/room412/personal/");
	assert_string_equal(list[1].displayname, "Personal");
	assert_string_equal(list[1].sync_token, "http://sabre.io/ns/sync/12");
	assert_false(list[2].is_calendar); /* the scheduling inbox */
	caldav_collections_free(list, n);
	free(xml);
}

static void
test_caldav_query_gives_href_etag_and_data(void **state)
{
	size_t len;
	char *xml = load("caldav/calendar_query.xml", &len);
	struct caldav_multistatus ms;
	assert_true(caldav_xml_parse_multistatus(xml, len, &ms));
	assert_int_equal(ms.count, 2);
	assert_null(ms.sync_token);
	assert_string_equal(ms.resources[0].href, "/room/calendar/standup-1.ics");
	assert_string_equal(
		ms.resources[0].etag, "\"87ee7f136f84f4a81a189a625e706e4aedc8250abafe1b01fd57516f93ed9a6c\"");
	assert_int_equal(ms.resources[0].status, 200);
	assert_true(strncmp(ms.resources[0].data, "BEGIN:VCALENDAR", 15) == 0);
	assert_non_null(strstr(ms.resources[1].data, "SUMMARY:Lunch & learn <b>")); /* entities decoded */
	caldav_multistatus_finish(&ms);
	free(xml);
}

/* The recorded answer through the shared iCalendar code: the moved occurrence once, at its new
 * time; the EXDATE'd one gone. */
static void
test_caldav_query_expands_series_with_override(void **state)
{
	size_t len;
	char *xml = load("caldav/calendar_query.xml", &len);
	struct caldav_multistatus ms;
	assert_true(caldav_xml_parse_multistatus(xml, len, &ms));
	struct event *events = NULL;
	size_t count = 0;
	rs_time from = t_utc("2026-11-30T00:00:00Z"), to = t_utc("2026-12-05T00:00:00Z");
	assert_true(ical_parse_events(ms.resources[0].data, strlen(ms.resources[0].data), from, to,
		ms.resources[0].href, ms.resources[0].etag, &events, &count, NULL));
	assert_int_equal(count, 4); /* 5 daily, one EXDATE; one moved */
	int moved = 0;
	for (size_t i = 0; i < count; i++) {
		assert_int_not_equal(events[i].start, t_utc("2026-12-01T08:00:00Z")); /* old slot */
		assert_int_not_equal(events[i].start, t_utc("2026-12-02T08:00:00Z")); /* EXDATE */
		if (events[i].start == t_utc("2026-12-01T13:00:00Z")) {
			moved++;
			assert_string_equal(events[i].subject, "Standup (moved)");
		}
		assert_string_equal(events[i].id, "/room/calendar/standup-1.ics");
		event_finish(&events[i]);
	}
	assert_int_equal(moved, 1);
	free(events);
	caldav_multistatus_finish(&ms);
	free(xml);
}

static void
test_caldav_sync_initial_gives_token_and_etags(void **state)
{
	size_t len;
	char *xml = load("caldav/sync_initial.xml", &len);
	struct caldav_multistatus ms;
	assert_true(caldav_xml_parse_multistatus(xml, len, &ms));
	assert_string_equal(ms.sync_token,
		"http://radicale.org/ns/sync/4500835d3f4a09bcd9cb3a1222a7eb749ca9aab63b7b81f48d66668d2ea3718e");
	assert_int_equal(ms.count, 2);
	assert_non_null(ms.resources[1].etag);
	assert_null(ms.resources[1].data);
	assert_false(ms.truncated);
	caldav_multistatus_finish(&ms);
	free(xml);
}

static void
test_caldav_sync_changes_mark_removed_members(void **state)
{
	size_t len;
	char *xml = load("caldav/sync_changes.xml", &len);
	struct caldav_multistatus ms;
	assert_true(caldav_xml_parse_multistatus(xml, len, &ms));
	assert_int_equal(ms.count, 2);
	assert_string_equal(ms.resources[0].href, "/room/calendar/one.ics");
	assert_int_equal(ms.resources[0].status, 404);
	assert_null(ms.resources[0].etag);
	assert_string_equal(ms.resources[1].href, "/room/calendar/two.ics");
	assert_int_equal(ms.resources[1].status, 200);
	assert_non_null(ms.resources[1].etag);
	caldav_multistatus_finish(&ms);
	free(xml);
}

static void
test_caldav_multiget_reports_missing_hrefs(void **state)
{
	size_t len;
	char *xml = load("caldav/multiget.xml", &len);
	struct caldav_multistatus ms;
	assert_true(caldav_xml_parse_multistatus(xml, len, &ms));
	assert_int_equal(ms.count, 2);
	assert_int_equal(ms.resources[0].status, 404);
	assert_null(ms.resources[0].data);
	assert_int_equal(ms.resources[1].status, 200);
	assert_non_null(strstr(ms.resources[1].data, "UID:two"));
	caldav_multistatus_finish(&ms);
	free(xml);
}

static void
test_caldav_stale_sync_token_is_recognised(void **state)
{
	size_t len;
	char *xml = load("caldav/sync_invalid_token.xml", &len);
	assert_true(caldav_xml_has_error(xml, len, "valid-sync-token"));
	assert_false(caldav_xml_has_error(xml, len, "number-of-matches-within-limits"));
	struct caldav_multistatus ms;
	assert_false(caldav_xml_parse_multistatus(xml, len, &ms)); /* not a multistatus */
	assert_int_equal(ms.count, 0);
	free(xml);
}

static void
test_caldav_non_xml_bodies_are_refused(void **state)
{
	static const char html[] = "<html><body><h1>Welcome to nginx!</h1></body></html>";
	static const char text[] = "The requested resource could not be found.";
	static const char cut[] = "<?xml version='1.0'?><multistatus xmlns=\"DAV:\"><response><href>/a";
	struct caldav_multistatus ms;
	struct caldav_principal p;
	struct caldav_collection *list;
	size_t n;
	assert_false(caldav_xml_parse_multistatus(html, sizeof(html) - 1, &ms));
	assert_false(caldav_xml_parse_multistatus(text, sizeof(text) - 1, &ms));
	assert_false(caldav_xml_parse_multistatus(cut, sizeof(cut) - 1, &ms));
	assert_false(caldav_xml_parse_multistatus("", 0, &ms));
	assert_false(caldav_xml_parse_principal(html, sizeof(html) - 1, &p));
	assert_null(p.principal);
	assert_false(caldav_xml_parse_collections(text, sizeof(text) - 1, &list, &n));
	assert_int_equal(n, 0);
	assert_false(caldav_xml_has_error(text, sizeof(text) - 1, "valid-sync-token"));
}

static void
test_caldav_external_entities_are_not_loaded(void **state)
{
	static const char xxe[] =
		"<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		"<multistatus xmlns=\"DAV:\"><response><href>/a&x;</href><status>HTTP/1.1 200 OK</status>"
		"</response></multistatus>";
	struct caldav_multistatus ms;
	caldav_xml_parse_multistatus(xxe, sizeof(xxe) - 1, &ms);
	for (size_t i = 0; i < ms.count; i++)
		assert_null(strstr(ms.resources[i].href, "root:"));
	caldav_multistatus_finish(&ms);
}

static void
test_caldav_query_body_uses_utc_basic_format(void **state)
{
	char *body = caldav_xml_calendar_query(t_utc("2026-12-01T23:00:00Z"), t_utc("2026-12-02T23:00:00Z"));
	assert_non_null(strstr(body, "<C:time-range start=\"20261201T230000Z\" end=\"20261202T230000Z\"/>"));
	assert_non_null(strstr(body, "<C:comp-filter name=\"VEVENT\">"));
	assert_null(strstr(body, "expand")); /* expanded on the client */
	free(body);
}

static void
test_caldav_request_bodies_escape_tokens_and_hrefs(void **state)
{
	char *sync = caldav_xml_sync_collection("http://x/sync?a=1&b=<2>");
	assert_non_null(strstr(sync, "<D:sync-token>http://x/sync?a=1&amp;b=&lt;2&gt;</D:sync-token>"));
	assert_non_null(strstr(sync, "<D:sync-level>1</D:sync-level>"));
	free(sync);
	char *initial = caldav_xml_sync_collection(NULL);
	assert_non_null(strstr(initial, "<D:sync-token></D:sync-token>"));
	free(initial);
	const char *hrefs[] = { "/room/calendar/a.ics", "/room/calendar/b&c.ics" };
	char *mg = caldav_xml_multiget(hrefs, 2);
	assert_non_null(strstr(mg, "<D:href>/room/calendar/a.ics</D:href><D:href>/room/calendar/b&amp;c.ics</D:href>"));
	assert_non_null(strstr(mg, "</C:calendar-multiget>"));
	/* what we send, we can read back as XML */
	struct caldav_multistatus ms;
	assert_false(caldav_xml_parse_multistatus(mg, strlen(mg), &ms)); /* well-formed, not multistatus */
	free(mg);
}

static void
test_caldav_href_name_is_last_segment(void **state)
{
	char *a = caldav_href_name("/room/fjord-4-12/"), *b = caldav_href_name("/x/y.ics"), *c = caldav_href_name("/");
	assert_string_equal(a, "fjord-4-12");
	assert_string_equal(b, "y.ics");
	assert_string_equal(c, "");
	free(a);
	free(b);
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caldav_principal_from_radicale_root),
		cmocka_unit_test(test_caldav_home_set_from_radicale_principal),
		cmocka_unit_test(test_caldav_direct_calendar_url_is_recognised),
		cmocka_unit_test(test_caldav_sabre_principal_offers_scheduling),
		cmocka_unit_test(test_caldav_home_list_tells_calendars_from_address_books),
		cmocka_unit_test(test_caldav_home_list_reads_component_sets),
		cmocka_unit_test(test_caldav_sabre_prefixes_and_whitespace),
		cmocka_unit_test(test_caldav_query_gives_href_etag_and_data),
		cmocka_unit_test(test_caldav_query_expands_series_with_override),
		cmocka_unit_test(test_caldav_sync_initial_gives_token_and_etags),
		cmocka_unit_test(test_caldav_sync_changes_mark_removed_members),
		cmocka_unit_test(test_caldav_multiget_reports_missing_hrefs),
		cmocka_unit_test(test_caldav_stale_sync_token_is_recognised),
		cmocka_unit_test(test_caldav_non_xml_bodies_are_refused),
		cmocka_unit_test(test_caldav_external_entities_are_not_loaded),
		cmocka_unit_test(test_caldav_query_body_uses_utc_basic_format),
		cmocka_unit_test(test_caldav_request_bodies_escape_tokens_and_hrefs),
		cmocka_unit_test(test_caldav_href_name_is_last_segment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
