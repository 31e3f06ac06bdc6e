/* Microsoft Graph JSON: calendarView pages, bodies we send, getSchedule, errors. */
#include "test_support.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "calendar/graph_json.h"
#include "core/timeutil.h"
#include "net/http.h"

static char *
fixture(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "graph/%s", name);
	char *body = file_read_capped(t_fixture(path), 1 << 20, len);
	assert_non_null(body);
	return body;
}

static struct graph_page
page_from(const char *name)
{
	size_t len;
	struct graph_page page;
	struct source_error err = { 0 };
	char *body = fixture(name, &len);
	assert_true(graph_parse_calendar_view(body, len, &page, &err));
	free(body);
	return page;
}

static const struct event *
by_id(const struct graph_page *page, const char *id)
{
	for (size_t i = 0; i < page->count; i++)
		if (strcmp(page->events[i].id, id) == 0)
			return &page->events[i];
	fail_msg("no event %s", id);
	return NULL;
}

static void
test_graph_calendar_view_keeps_fields(void **state)
{
	struct graph_page page = page_from("calendarview_page1.json");
	assert_int_equal(page.count, 10);
	const struct event *e = &page.events[0];
	assert_string_equal(e->subject, "Quarterly review");
	assert_string_equal(e->organizer, "Ann Smith");
	assert_true(e->id && strncmp(e->id, "AAMkADU3ZjQ4", 12) == 0);
	assert_string_equal(e->version, "DwAAABYAAAB1bD0ZPrsjTZ2Wq8L1rTXeAAAX8ZKw");
	assert_int_equal(e->start, t_utc("2026-11-02T09:00:00Z"));
	assert_int_equal(e->end, t_utc("2026-11-02T10:30:00Z"));
	assert_int_equal(e->created, t_utc("2026-11-01T09:12:44Z"));
	assert_int_equal(e->show_as, SHOW_BUSY);
	assert_false(e->booked_here || e->is_private || e->all_day);
	graph_page_finish(&page);
}

static void
test_graph_private_and_confidential_lose_subject(void **state)
{
	struct graph_page page = page_from("calendarview_page1.json");
	const struct event *e = &page.events[1];
	assert_true(e->is_private);
	assert_null(e->subject);
	assert_string_equal(e->organizer, "Bob Jones");
	e = by_id(&page, "AAMkAD-tentative=");
	assert_true(e->is_private);
	assert_null(e->subject);
	assert_int_equal(e->show_as, SHOW_TENTATIVE);
	assert_string_equal(e->organizer, "dave@contoso.com"); /* no name: the address */
	e = by_id(&page, "AAMkAD-elsewhere=");                 /* personal is not hidden */
	assert_false(e->is_private);
	assert_null(e->subject); /* "" is no subject */
	assert_int_equal(e->show_as, SHOW_ELSEWHERE);
	assert_int_equal(e->start, t_utc("2026-11-02T16:00:00Z")); /* no fraction */
	graph_page_finish(&page);
}

static void
test_graph_cancelled_meeting_does_not_block(void **state)
{
	struct graph_page page = page_from("calendarview_page1.json");
	const struct event *e = by_id(&page, "AAMkAD-cancelled=");
	assert_int_equal(e->show_as, SHOW_FREE);
	assert_false(event_blocks_room(e));
	graph_page_finish(&page);
}

static void
test_graph_show_as_values(void **state)
{
	struct graph_page page = page_from("calendarview_page1.json");
	assert_int_equal(by_id(&page, "AAMkAD-free=")->show_as, SHOW_FREE);
	assert_int_equal(by_id(&page, "AAMkAD-unknown=")->show_as, SHOW_BUSY); /* never offer a taken room */
	assert_int_equal(by_id(&page, "AAMkAD-allday=")->show_as, SHOW_OOF);
	assert_null(by_id(&page, "AAMkAD-unknown=")->organizer);
	graph_page_finish(&page);
}

static void
test_graph_all_day_is_local_midnight(void **state)
{
	assert_true(time_set_zone("Europe/Copenhagen"));
	struct graph_page page = page_from("calendarview_page1.json");
	const struct event *e = by_id(&page, "AAMkAD-allday=");
	assert_true(e->all_day);
	assert_int_equal(e->start, t_utc("2026-11-01T23:00:00Z")); /* 2 Nov 00:00 CET */
	assert_int_equal(e->end, t_utc("2026-11-02T23:00:00Z"));
	graph_page_finish(&page);
	assert_true(time_set_zone("UTC"));
}

static void
test_graph_own_booking_found_by_transaction_id(void **state)
{
	struct graph_page page = page_from("calendarview_page1.json");
	const struct event *ours = by_id(&page, "AAMkAD-ours=");
	assert_true(ours->booked_here);
	assert_int_equal(ours->created, t_utc("2026-11-02T13:58:02Z"));
	assert_false(by_id(&page, "AAMkAD-tentative=")->booked_here); /* someone else's transactionId */
	graph_page_finish(&page);
}

/* Our transactionId in an outsider's meeting (forged, or copied) is not the sign's booking: the
 * room must have organised it, and a single meeting. */
static void
test_graph_forged_transaction_id_is_not_own(void **state)
{
	const char *head = "{\"id\":\"x\",\"transactionId\":\"roomsign-20261102T135801Z-0011223344556677\",";
	const char *tail = "\"start\":{\"dateTime\":\"2026-11-02T14:00:00\"},\"end\":{\"dateTime\":"
			   "\"2026-11-02T14:30:00\"}}";
	const char *cases[] = { "\"isOrganizer\":true,", "", "\"isOrganizer\":false,",
		"\"isOrganizer\":true,\"type\":\"occurrence\",", "\"isOrganizer\":true,\"type\":\"seriesMaster\"," };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char json[512];
		snprintf(json, sizeof(json), "%s%s%s", head, cases[i], tail);
		struct event e = { 0 };
		struct source_error err = { 0 };
		assert_true(graph_parse_event(json, strlen(json), &e, &err));
		assert_int_equal(e.booked_here, i == 0);
		event_finish(&e);
	}
}

static void
test_graph_next_link_kept_exactly(void **state)
{
	struct graph_page page = page_from("calendarview_page1.json");
	assert_string_equal(page.next_link,
		"https://graph.microsoft.com/v1.0/users/room-4-12@contoso.com/calendarView?startDateTime="
		"2026-11-02T00%3a00%3a00Z&endDateTime=2026-11-03T00%3a00%3a00Z&%24select=subject%2cstart%2cend"
		"&%24top=10&%24skip=10");
	graph_page_finish(&page);
	page = page_from("calendarview_last.json");
	assert_int_equal(page.count, 1);
	assert_null(page.next_link);
	graph_page_finish(&page);
	page = page_from("calendarview_empty.json");
	assert_int_equal(page.count, 0);
	graph_page_finish(&page);
}

static void
expect_bad(const char *json)
{
	struct graph_page page;
	struct source_error err = { 0 };
	assert_false(graph_parse_calendar_view(json, strlen(json), &page, &err));
	assert_int_equal(err.category, SOURCE_ERR_BAD_RESPONSE);
	assert_null(page.events);
	assert_int_equal(page.count, 0);
}

static void
test_graph_calendar_view_rejects_bad_pages(void **state)
{
	expect_bad("");
	expect_bad("<html>busy</html>");
	expect_bad("{\"value\":{}}");
	expect_bad("{\"value\":[1]}");
	expect_bad("{\"value\":[{\"id\":\"a\",\"start\":{\"dateTime\":\"2026-11-02T09:00:00\",\"timeZone\":\"Pacific "
		   "Standard Time\"},"
		   "\"end\":{\"dateTime\":\"2026-11-02T10:00:00\",\"timeZone\":\"Pacific Standard Time\"}}]}");
	expect_bad("{\"value\":[{\"start\":{\"dateTime\":\"2026-11-02T09:00:00\"},\"end\":{\"dateTime\":\"2026-11-"
		   "02T10:00:00\"}}]}");
	expect_bad("{\"value\":[{\"id\":\"a\",\"start\":{\"dateTime\":\"tomorrow\"},\"end\":{\"dateTime\":\"2026-11-"
		   "02T10:00:00\"}}]}");
	expect_bad("{\"value\":[],\"@odata.nextLink\":\"http://evil.example/steal\"}");
	/* a page larger than the cap */
	size_t n = GRAPH_MAX_PAGE_EVENTS + 1, len = 10;
	char *big = malloc(n * 3 + 32);
	memcpy(big, "{\"value\":[", 10);
	for (size_t i = 0; i < n; i++) {
		if (i)
			big[len++] = ',';
		big[len++] = '{';
		big[len++] = '}';
	}
	memcpy(big + len, "]}", 3);
	expect_bad(big);
	free(big);
}

static void
test_graph_parse_datetime_forms(void **state)
{
	rs_time t;
	assert_true(graph_parse_datetime("2026-11-02T13:00:00.0000000", &t));
	assert_int_equal(t, t_utc("2026-11-02T13:00:00Z"));
	assert_true(graph_parse_datetime("2026-11-02T13:00:00.5510291Z", &t));
	assert_true(graph_parse_datetime("2026-11-02T13:00:00Z", &t));
	assert_false(graph_parse_datetime("2026-11-02T13:00:00+01:00", &t));
	assert_false(graph_parse_datetime("2026-11-02T13:00", &t));
	assert_false(graph_parse_datetime("2026-11-02T13:00:00.", &t));
	assert_false(graph_parse_datetime(NULL, &t));
}

static void
test_graph_event_body_has_transaction_id_and_utc(void **state)
{
	char *body = graph_build_event(t_utc("2026-11-02T14:00:00Z"), t_utc("2026-11-02T14:30:00Z"),
		"Ad-hoc \"meeting\"", NULL, "roomsign-20261102T135801Z-0011223344556677");
	cJSON *root = cJSON_Parse(body);
	assert_non_null(root);
	assert_string_equal(cJSON_GetObjectItem(root, "subject")->valuestring, "Ad-hoc \"meeting\"");
	assert_string_equal(
		cJSON_GetObjectItem(root, "transactionId")->valuestring, "roomsign-20261102T135801Z-0011223344556677");
	cJSON *start = cJSON_GetObjectItem(root, "start");
	assert_string_equal(cJSON_GetObjectItem(start, "dateTime")->valuestring, "2026-11-02T14:00:00");
	assert_string_equal(cJSON_GetObjectItem(start, "timeZone")->valuestring, "UTC");
	assert_string_equal(
		cJSON_GetObjectItem(cJSON_GetObjectItem(root, "end"), "dateTime")->valuestring, "2026-11-02T14:30:00");
	assert_string_equal(cJSON_GetObjectItem(root, "showAs")->valuestring, "busy");
	assert_null(cJSON_GetObjectItem(root, "attendees")); /* attendees would always be invited */
	cJSON_Delete(root);
	free(body);
}

static void
test_graph_small_bodies(void **state)
{
	char *patch = graph_build_end_patch(t_utc("2026-11-02T15:15:00Z"));
	assert_string_equal(patch, "{\"end\":{\"dateTime\":\"2026-11-02T15:15:00\",\"timeZone\":\"UTC\"}}");
	free(patch);
	char *decline = graph_build_decline("Released");
	assert_string_equal(decline, "{\"comment\":\"Released\",\"sendResponse\":true}");
	free(decline);
	char *mail = graph_build_send_mail("f@x.com", "Problem \"A\"", "Room: A\n");
	assert_string_equal(mail, "{\"message\":{\"subject\":\"Problem \\\"A\\\"\",\"body\":{\"contentType\":\"Text\","
				  "\"content\":\"Room: A\\n\"},\"toRecipients\":[{\"emailAddress\":{\"address\":"
				  "\"f@x.com\"}}]},\"saveToSentItems\":false}");
	free(mail);
	mail = graph_build_send_mail(NULL, "s", ""); /* roomsign check's probe: no recipient at all */
	assert_non_null(strstr(mail, "\"toRecipients\":[]"));
	free(mail);
	const char *rooms[] = { "a@x.com", "b@x.com" };
	char *sched =
		graph_build_get_schedule(rooms, 2, t_utc("2026-11-02T08:00:00Z"), t_utc("2026-11-02T18:00:00Z"), 15);
	assert_string_equal(sched, "{\"schedules\":[\"a@x.com\",\"b@x.com\"],"
				   "\"startTime\":{\"dateTime\":\"2026-11-02T08:00:00\",\"timeZone\":\"UTC\"},"
				   "\"endTime\":{\"dateTime\":\"2026-11-02T18:00:00\",\"timeZone\":\"UTC\"},"
				   "\"availabilityViewInterval\":15}");
	free(sched);
}

static void
test_graph_transaction_id_stamp_orders_bookings(void **state)
{
	const unsigned char r[8] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
	char tx[GRAPH_TRANSACTION_ID_SIZE];
	graph_transaction_id(t_utc("2026-11-02T13:58:01Z"), r, tx, sizeof(tx));
	assert_string_equal(tx, "roomsign-20261102T135801Z-0011223344556677");
	/* Without createdDateTime, the stamp in our transactionId stands in for it. */
	char json[512];
	snprintf(json, sizeof(json),
		"{\"id\":\"x\",\"isOrganizer\":true,\"transactionId\":\"%s\",\"start\":{\"dateTime\":"
		"\"2026-11-02T14:00:00\"},\"end\":{\"dateTime\":\"2026-11-02T14:30:00\"}}",
		tx);
	struct event e = { 0 };
	struct source_error err = { 0 };
	assert_true(graph_parse_event(json, strlen(json), &e, &err));
	assert_true(e.booked_here);
	assert_int_equal(e.created, t_utc("2026-11-02T13:58:01Z"));
	event_finish(&e);
}

static void
test_graph_created_event_parses(void **state)
{
	size_t len;
	char *body = fixture("event_created.json", &len);
	struct event e = { 0 };
	struct source_error err = { 0 };
	assert_true(graph_parse_event(body, len, &e, &err));
	assert_string_equal(e.id, "AAMkADU3ZjQ4NGE1-created=");
	assert_true(e.booked_here);
	assert_int_equal(e.start, t_utc("2026-11-02T14:00:00Z"));
	assert_string_equal(e.organizer, "Fjord 4.12");
	event_finish(&e);
	free(body);
	assert_false(graph_parse_event("[]", 2, &e, &err));
	assert_int_equal(err.category, SOURCE_ERR_BAD_RESPONSE);
}

static void
test_graph_get_schedule_busy_and_free(void **state)
{
	size_t len;
	char *body = fixture("getschedule.json", &len);
	struct room_availability rooms[4] = {
		{ .room = "room-4-14@contoso.com" },
		{ .room = "room-5-01@contoso.com" },
		{ .room = "nowhere@contoso.com" },
		{ .room = "not-asked@contoso.com" },
	};
	struct source_error err = { 0 };
	assert_true(graph_parse_get_schedule(body, len, t_utc("2026-11-02T09:45:00Z"), rooms, 4, &err));
	/* busy now; the 30 s gap to the next meeting merges; free again at 11:00, busy from 13:00 */
	assert_true(rooms[0].ok);
	assert_int_equal(rooms[0].busy_until, t_utc("2026-11-02T11:00:00Z"));
	assert_int_equal(rooms[0].free_until, t_utc("2026-11-02T13:00:00Z"));
	/* case differs; "free" items do not block; tentative does */
	assert_true(rooms[1].ok);
	assert_int_equal(rooms[1].busy_until, 0);
	assert_int_equal(rooms[1].free_until, t_utc("2026-11-02T12:00:00Z"));
	assert_false(rooms[2].ok);
	assert_false(rooms[3].ok);
	free(body);
	assert_false(graph_parse_get_schedule("{}", 2, 0, rooms, 4, &err));
}

static void
error_for(const char *name, long status, bool is_write, struct source_error *err)
{
	size_t len;
	char *body = fixture(name, &len);
	struct graph_context ctx = { .what = "Reading",
		.mailbox = "room-4-12@contoso.com",
		.client_id = "0b3e4c1d-5a6f-4e2b-8c9d-1a2b3c4d5e6f",
		.is_write = is_write };
	assert_false(graph_parse_error(status, body, len, 7, &ctx, err));
	free(body);
}

static void
test_graph_access_denied_names_the_commands(void **state)
{
	struct source_error err = { 0 };
	error_for("error_access_denied.json", 403, false, &err);
	assert_int_equal(err.category, SOURCE_ERR_PERMISSION);
	assert_non_null(strstr(err.message, "ErrorAccessDenied"));
	assert_non_null(strstr(err.message, "New-ManagementScope"));
	assert_non_null(strstr(err.message, "New-ServicePrincipal"));
	assert_non_null(strstr(err.message, "New-ManagementRoleAssignment -App 0b3e4c1d-5a6f-4e2b-8c9d-1a2b3c4d5e6f"));
	assert_non_null(strstr(err.message, "-CustomResourceScope"));
	assert_non_null(strstr(err.message, "meaningless.")); /* not cut off */
	error_for("error_access_denied.json", 403, true, &err);
	assert_non_null(strstr(err.message, "Application Calendars.ReadWrite"));
	char *advice = graph_access_advice("APPID", "room@x.com");
	assert_non_null(strstr(advice, "New-ManagementScope -Name"));
	assert_non_null(strstr(advice, "New-ServicePrincipal -AppId APPID -ObjectId"));
	assert_non_null(strstr(advice, "New-ManagementRoleAssignment -App APPID -Role \"Application "
				       "Calendars.ReadWrite\" -CustomResourceScope"));
	assert_non_null(strstr(advice, "Test-ServicePrincipalAuthorization -Identity APPID -Resource room@x.com"));
	assert_non_null(strstr(advice, "makes the scope meaningless"));
	free(advice);
}

static void
test_graph_mailbox_errors(void **state)
{
	struct source_error err = { 0 };
	error_for("error_mailbox_not_rest.json", 404, false, &err);
	assert_int_equal(err.category, SOURCE_ERR_NOT_FOUND);
	assert_non_null(strstr(err.message, "MailboxNotEnabledForRESTAPI"));
	assert_non_null(strstr(err.message, "type = ews"));
	error_for("error_invalid_user.json", 404, false, &err);
	assert_int_equal(err.category, SOURCE_ERR_NOT_FOUND);
	assert_non_null(strstr(err.message, "no mailbox room-4-12@contoso.com"));
	error_for("error_token_expired.json", 401, false, &err);
	assert_int_equal(err.category, SOURCE_ERR_AUTH);
}

static void
test_graph_throttled_reply_gives_retry_after(void **state)
{
	struct source_error err = { 0 };
	error_for("error_throttled.json", 429, false, &err);
	assert_int_equal(err.category, SOURCE_ERR_THROTTLED);
	assert_int_equal(err.retry_after_ms, 7000);
	error_for("error_throttled.json", 503, false, &err);
	assert_int_equal(err.category, SOURCE_ERR_THROTTLED);
	assert_int_equal(err.retry_after_ms, 7000);
	struct graph_context ctx = { .what = "x", .mailbox = "m" };
	assert_false(graph_parse_error(500, "garbage", 7, -1, &ctx, &err));
	assert_int_equal(err.category, SOURCE_ERR_NETWORK);
	assert_false(graph_parse_error(400, NULL, 0, -1, &ctx, &err));
	assert_int_equal(err.category, SOURCE_ERR_BAD_RESPONSE);
	char code[64];
	const char *body = "{\"error\":{\"code\":\"ErrorItemNotFound\"}}";
	graph_error_code(body, strlen(body), code, sizeof(code));
	assert_string_equal(code, "ErrorItemNotFound");
}

/* A check-in at another sign on the room, read from the expanded extended property. */
static void
test_graph_checked_in_elsewhere_is_read(void **state)
{
	const char *json = "{\"id\":\"x\",\"start\":{\"dateTime\":\"2026-11-02T14:00:00\"},"
			   "\"end\":{\"dateTime\":\"2026-11-02T14:30:00\"},\"singleValueExtendedProperties\":"
			   "[{\"id\":\"String {00020329-0000-0000-c000-000000000046} Name RoomsignCheckedIn\","
			   "\"value\":\"1\"}]}";
	struct event e = { 0 };
	struct source_error err = { 0 };
	assert_true(graph_parse_event(json, strlen(json), &e, &err));
	assert_true(e.checked_in);
	event_finish(&e);
	char *patch = graph_build_checked_in_patch();
	assert_non_null(strstr(patch, "\"singleValueExtendedProperties\":[{\"id\":\"" GRAPH_CHECKED_IN_ID "\""));
	free(patch);
}

/* calendarView/delta: created/updated items by id, @removed items apart, exactly one link. */
static void
test_graph_delta_page_changed_and_removed(void **state)
{
	(void)state;
	const char *json = "{\"@odata.context\":\"x\",\"value\":["
			   "{\"id\":\"AAMk1=\",\"subject\":\"Budget\",\"start\":{\"dateTime\":\"2026-12-01T10:00:00\","
			   "\"timeZone\":\"UTC\"}},"
			   "{\"@odata.type\":\"#microsoft.graph.event\",\"id\":\"AAMk2=\",\"@removed\":{\"reason\":"
			   "\"deleted\"}}],"
			   "\"@odata.deltaLink\":\"https://graph.microsoft.com/v1.0/users/r/calendarView/delta?"
			   "$deltatoken=abc\"}";
	struct graph_delta_page page;
	struct source_error err = { 0 };
	assert_true(graph_parse_delta(json, strlen(json), &page, &err));
	assert_int_equal(page.changed_count, 1);
	assert_string_equal(page.changed[0], "AAMk1=");
	assert_int_equal(page.removed_count, 1);
	assert_string_equal(page.removed[0], "AAMk2=");
	assert_null(page.next_link);
	assert_string_equal(
		page.delta_link, "https://graph.microsoft.com/v1.0/users/r/calendarView/delta?$deltatoken=abc");
	graph_delta_page_finish(&page);
	const char *empty = "{\"value\":[],\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/x?$skiptoken=1\"}";
	assert_true(graph_parse_delta(empty, strlen(empty), &page, &err));
	assert_int_equal(page.changed_count + page.removed_count, 0);
	assert_non_null(page.next_link);
	assert_null(page.delta_link);
	graph_delta_page_finish(&page);
}

static void
test_graph_delta_page_rejects_bad_pages(void **state)
{
	(void)state;
	const char *bad[] = {
		"{\"value\":[]}", /* no link at all */
		"{\"value\":[],\"@odata.deltaLink\":\"https://a/d\",\"@odata.nextLink\":\"https://a/n\"}", /* both */
		"{\"value\":[],\"@odata.deltaLink\":\"http://a/d\"}", /* not https */
		"{\"value\":[{\"subject\":\"no id\"}],\"@odata.deltaLink\":\"https://a/d\"}",
		"{\"value\":{},\"@odata.deltaLink\":\"https://a/d\"}",
		"<html>",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct graph_delta_page page;
		struct source_error err = { 0 };
		assert_false(graph_parse_delta(bad[i], strlen(bad[i]), &page, &err));
		assert_int_equal(err.category, SOURCE_ERR_BAD_RESPONSE);
		assert_null(page.changed);
	}
}

static void
test_graph_places_give_address_and_name(void **state)
{
	size_t len;
	char *body = fixture("places_rooms.json", &len);
	struct graph_places_page page;
	struct source_error err = { 0 };
	assert_true(graph_parse_places(body, len, &page, &err));
	assert_int_equal(page.count, 1); /* the rooms without an address or a name are left out */
	assert_string_equal(page.places[0].address, "room-4-14@contoso.test");
	assert_string_equal(page.places[0].name, "Sund 4.14 \xc3\xa6");
	assert_string_equal(
		page.next_link, "https://graph.microsoft.com/v1.0/places/microsoft.graph.room?$top=100&$skip=100");
	graph_places_page_finish(&page);
	free(body);
	const char *bad[] = { "{\"error\": {\"code\": \"ErrorAccessDenied\"}}", "<html>", "{\"value\": {}}",
		"{\"value\": [], \"@odata.nextLink\": \"http://evil.example/next\"}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(graph_parse_places(bad[i], strlen(bad[i]), &page, &err));
		assert_int_equal(err.category, SOURCE_ERR_BAD_RESPONSE);
		assert_null(page.places);
	}
}

int
main(void)
{
	time_set_zone("UTC");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_graph_delta_page_changed_and_removed),
		cmocka_unit_test(test_graph_delta_page_rejects_bad_pages),
		cmocka_unit_test(test_graph_calendar_view_keeps_fields),
		cmocka_unit_test(test_graph_private_and_confidential_lose_subject),
		cmocka_unit_test(test_graph_cancelled_meeting_does_not_block),
		cmocka_unit_test(test_graph_show_as_values),
		cmocka_unit_test(test_graph_all_day_is_local_midnight),
		cmocka_unit_test(test_graph_own_booking_found_by_transaction_id),
		cmocka_unit_test(test_graph_forged_transaction_id_is_not_own),
		cmocka_unit_test(test_graph_checked_in_elsewhere_is_read),
		cmocka_unit_test(test_graph_next_link_kept_exactly),
		cmocka_unit_test(test_graph_calendar_view_rejects_bad_pages),
		cmocka_unit_test(test_graph_parse_datetime_forms),
		cmocka_unit_test(test_graph_event_body_has_transaction_id_and_utc),
		cmocka_unit_test(test_graph_small_bodies),
		cmocka_unit_test(test_graph_transaction_id_stamp_orders_bookings),
		cmocka_unit_test(test_graph_created_event_parses),
		cmocka_unit_test(test_graph_get_schedule_busy_and_free),
		cmocka_unit_test(test_graph_access_denied_names_the_commands),
		cmocka_unit_test(test_graph_mailbox_errors),
		cmocka_unit_test(test_graph_throttled_reply_gives_retry_after),
		cmocka_unit_test(test_graph_places_give_address_and_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
