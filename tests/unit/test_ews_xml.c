/* test_ews_xml.c — EWS request builders and response parsers on recorded answer shapes. */
#include "test_support.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include "calendar/ews_request.h"
#include "calendar/ews_xml.h"
#include "core/xalloc.h"
#include "net/http.h"

static char *
fixture(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "ews/%s", name);
	char *body = file_read_capped(t_fixture(path), 1 << 20, len);
	if (!body)
		fail_msg("cannot read fixture %s", name);
	return body;
}

static const struct event *
by_suffix(const struct ews_page *page, char suffix)
{
	for (size_t i = 0; i < page->count; i++)
		if (page->events[i].id[strlen(page->events[i].id) - 1] == suffix)
			return &page->events[i];
	fail_msg("no event with id ending in %c", suffix);
	return NULL;
}

static void
test_ews_find_item_keeps_times_status_and_ids(void **state)
{
	size_t len;
	char *xml = fixture("finditem_page1.xml", &len);
	struct ews_page page;
	struct ews_status st;
	assert_true(ews_parse_find_item(xml, len, &page, &st));
	assert_string_equal(st.code, "NoError");
	assert_int_equal(page.count, 7);
	const struct event *e = by_suffix(&page, '1');
	assert_string_equal(e->subject, "Sprint planning");
	assert_string_equal(e->organizer, "Anna Berg");
	assert_int_equal(e->start, t_utc("2026-11-02T08:00:00Z"));
	assert_int_equal(e->end, t_utc("2026-11-02T09:00:00Z"));
	assert_int_equal(e->created, t_utc("2026-10-20T08:01:02Z"));
	assert_string_equal(e->version, "DwAAABYAAAAqCFfmO0UBQKb3AHOAU/6tAAAA5mP3");
	assert_int_equal(e->show_as, SHOW_BUSY);
	assert_false(e->booked_here);
	assert_false(e->is_private);
	assert_int_equal(by_suffix(&page, '2')->show_as, SHOW_TENTATIVE);
	/* Offsets and fractions are honoured; NoData counts as busy; a name-less organizer is the address. */
	e = by_suffix(&page, '7');
	assert_int_equal(e->start, t_utc("2026-11-02T13:00:00Z"));
	assert_int_equal(e->end, t_utc("2026-11-02T14:00:00Z"));
	assert_int_equal(e->show_as, SHOW_BUSY);
	assert_string_equal(e->subject, "Board & budget");
	assert_string_equal(e->organizer, "board@example.com");
	ews_page_finish(&page);
	free(xml);
}

static void
test_ews_find_item_paging_info(void **state)
{
	size_t len;
	char *xml = fixture("finditem_page1.xml", &len);
	struct ews_page page;
	struct ews_status st;
	assert_true(ews_parse_find_item(xml, len, &page, &st));
	assert_false(page.includes_last);
	assert_int_equal(page.last_start, t_utc("2026-11-02T13:00:00Z"));
	ews_page_finish(&page);
	free(xml);
}

static void
test_ews_deleted_subject_shows_organizer(void **state)
{
	size_t len;
	char *xml = fixture("finditem_page1.xml", &len);
	struct ews_page page;
	struct ews_status st;
	assert_true(ews_parse_find_item(xml, len, &page, &st));
	assert_string_equal(by_suffix(&page, '2')->subject, "Bo Ek");
	ews_page_finish(&page);
	free(xml);
}

static void
test_ews_private_cancelled_all_day_and_marker(void **state)
{
	size_t len;
	char *xml = fixture("finditem_page1.xml", &len);
	struct ews_page page;
	struct ews_status st;
	assert_true(ews_parse_find_item(xml, len, &page, &st));
	const struct event *priv = by_suffix(&page, '3');
	assert_true(priv->is_private);
	assert_null(priv->subject); /* never a private subject on the door */
	assert_string_equal(priv->organizer, "Carl Dahl");
	assert_int_equal(by_suffix(&page, '4')->show_as, SHOW_FREE); /* IsCancelled frees the room */
	assert_true(by_suffix(&page, '5')->booked_here);
	assert_int_equal(by_suffix(&page, '5')->created, t_utc("2026-11-02T12:59:58Z"));
	assert_true(by_suffix(&page, '6')->all_day);
	assert_int_equal(by_suffix(&page, '6')->show_as, SHOW_OOF);
	ews_page_finish(&page);
	free(xml);
}

/* The marker in someone else's invite (forged, or copied by Outlook) is not the sign's booking:
 * the room must have organised it, and a single meeting, never an occurrence of a series. */
static bool
own_after(const char *xml, const char *from, const char *to)
{
	const char *at = strstr(xml, from);
	assert_non_null(at);
	char *edited = xasprintf("%.*s%s%s", (int)(at - xml), xml, to, at + strlen(from));
	struct ews_page page;
	struct ews_status st;
	assert_true(ews_parse_find_item(edited, strlen(edited), &page, &st));
	bool own = by_suffix(&page, '5')->booked_here;
	ews_page_finish(&page);
	free(edited);
	return own;
}

static void
test_ews_forged_marker_is_not_own(void **state)
{
	size_t len;
	char *xml = fixture("finditem_page1.xml", &len);
	const char *organizer = "<t:MyResponseType>Organizer</t:MyResponseType>";
	assert_true(own_after(xml, organizer, organizer));
	assert_false(own_after(xml, organizer, "<t:MyResponseType>Accept</t:MyResponseType>"));
	assert_false(own_after(xml, organizer, ""));
	assert_false(
		own_after(xml, "<t:CalendarItemType>Single</t:CalendarItemType>\n                <t:MyResponseType>",
			"<t:CalendarItemType>Occurrence</t:CalendarItemType><t:MyResponseType>"));
	free(xml);
}

static void
test_ews_throttled_reply_gives_backoff(void **state)
{
	size_t len;
	char *xml = fixture("fault_server_busy.xml", &len);
	struct ews_status st;
	struct source_error err = { 0 };
	assert_true(ews_parse_status(xml, len, &st));
	assert_true(st.is_fault);
	assert_string_equal(st.code, "ErrorServerBusy");
	assert_int_equal(st.backoff_ms, 297749);
	assert_true(ews_status_is_transient(&st));
	struct ews_names names = { "EXAMPLE\\svc-roomsign", "room@example.com", NULL };
	assert_false(ews_status_error(&st, &names, &err));
	assert_int_equal(err.category, SOURCE_ERR_THROTTLED);
	assert_int_equal(err.retry_after_ms, 297749);
	free(xml);
}

/* BackOffMilliseconds is clamped to a day, never dropped to "no advice" nor overflowed. */
static void
test_ews_backoff_milliseconds_is_clamped(void **state)
{
	static const struct {
		const char *value;
		long ms;
	} cases[] = { { "0", 0 }, { "65535", 65535 }, { "86400000", 86400000L }, { "1000000000000", 86400000L },
		{ "99999999999999999999999999999999999999", 86400000L }, { "-5", 0 }, { "soon", 0 },
		{ "Tue, 01 Dec 2026 08:02:00 GMT", 0 } };
	size_t len;
	char *xml = fixture("fault_server_busy.xml", &len);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *pos = strstr(xml, "297749"), *doc = NULL;
		assert_non_null(pos);
		assert_true(asprintf(&doc, "%.*s%s%s", (int)(pos - xml), xml, cases[i].value, pos + 6) > 0);
		struct ews_status st;
		assert_true(ews_parse_status(doc, strlen(doc), &st));
		if (st.backoff_ms != cases[i].ms)
			fail_msg("BackOffMilliseconds %s gave %ld ms, expected %ld", cases[i].value, st.backoff_ms,
				cases[i].ms);
		free(doc);
	}
	free(xml);
}

static void
test_ews_impersonation_denied_says_how_to_grant(void **state)
{
	size_t len;
	char *xml = fixture("fault_impersonate_denied.xml", &len);
	struct ews_status st;
	struct source_error err = { 0 };
	assert_true(ews_parse_status(xml, len, &st));
	assert_string_equal(st.code, "ErrorImpersonateUserDenied");
	struct ews_names names = { "EXAMPLE\\svc-roomsign-display", "room-4-12-fjord@example.com", NULL };
	ews_status_error(&st, &names, &err);
	assert_int_equal(err.category, SOURCE_ERR_PERMISSION);
	assert_non_null(strstr(err.message, "New-ManagementRoleAssignment -Role ApplicationImpersonation "
					    "-User 'EXAMPLE\\svc-roomsign-display'"));
	assert_non_null(strstr(err.message, "New-ManagementScope"));
	assert_non_null(strstr(err.message, "30 minutes")); /* not cut off by the message size */
	free(xml);
}

static void
test_ews_nonexistent_mailbox_says_primary_address(void **state)
{
	struct ews_status st = { .code = "ErrorNonExistentMailbox", .is_fault = true };
	struct source_error err = { 0 };
	struct ews_names names = { "svc", "fjord@example.com", NULL };
	ews_status_error(&st, &names, &err);
	assert_int_equal(err.category, SOURCE_ERR_NOT_FOUND);
	assert_non_null(strstr(err.message, "primary SMTP address"));
	assert_non_null(strstr(err.message, "fjord@example.com"));
}

static void
test_ews_invalid_version_steps_down(void **state)
{
	size_t len;
	char *xml = fixture("fault_invalid_version.xml", &len);
	struct ews_status st;
	assert_true(ews_parse_status(xml, len, &st));
	assert_true(ews_status_wants_older_version(&st));
	assert_string_equal(ews_version_below("Exchange2016"), "Exchange2015");
	assert_string_equal(ews_version_below("Exchange2013_SP1"), "Exchange2013");
	assert_string_equal(ews_version_below("Exchange2010"), "Exchange2007_SP1");
	assert_null(ews_version_below("Exchange2007_SP1"));
	assert_string_equal(ews_version_below("Exchange2099"), "Exchange2013_SP1");
	free(xml);
}

static void
test_ews_fault_without_detail_uses_faultcode(void **state)
{
	size_t len;
	char *xml = fixture("fault_schema_no_detail.xml", &len);
	struct ews_status st;
	struct source_error err = { 0 };
	assert_true(ews_parse_status(xml, len, &st));
	assert_string_equal(st.code, "ErrorSchemaValidation");
	struct ews_names names = { 0 };
	ews_status_error(&st, &names, &err);
	assert_int_equal(err.category, SOURCE_ERR_BAD_RESPONSE);
	free(xml);
}

static void
test_ews_create_item_answer_gives_id(void **state)
{
	size_t len;
	char *xml = fixture("createitem_ok.xml", &len);
	struct event e;
	struct ews_status st;
	assert_true(ews_parse_item(xml, len, &e, &st));
	assert_string_equal(st.code, "NoError");
	assert_string_equal(e.id, "AAMkADEzOTExYjJkLTYxZDUtNDk1ZC1hZGJjLTFiNmM0ZWYxZjBhMQBGAAAAAAB9");
	assert_string_equal(e.version, "DwAAABYAAAAqCFfmO0UBQKb3AHOAU/6tAAAA5mQE");
	event_finish(&e);
	free(xml);
}

static void
test_ews_stale_change_key_is_recognised(void **state)
{
	size_t len;
	char *xml = fixture("updateitem_stale.xml", &len);
	struct event e;
	struct ews_status st;
	struct source_error err = { 0 };
	assert_true(ews_parse_item(xml, len, &e, &st));
	assert_string_equal(st.code, "ErrorIrresolvableConflict");
	assert_false(st.is_fault);
	assert_true(ews_status_is_stale(&st));
	struct ews_names names = { 0 };
	ews_status_error(&st, &names, &err);
	assert_int_equal(err.category, SOURCE_ERR_CONFLICT);
	event_finish(&e);
	free(xml);
}

static void
test_ews_availability_per_room(void **state)
{
	size_t len;
	char *xml = fixture("availability.xml", &len);
	struct ews_availability a[3];
	struct ews_status st;
	assert_true(ews_parse_availability(xml, len, a, 3, &st));
	assert_true(a[0].ok);
	assert_int_equal(a[0].count, 2);
	assert_int_equal(a[0].busy[0].start, t_utc("2026-11-02T09:00:00Z"));
	assert_int_equal(a[0].busy[1].show_as, SHOW_TENTATIVE);
	assert_false(a[1].ok);
	assert_string_equal(a[1].code, "ErrorMailRecipientNotFound");
	assert_false(a[2].ok); /* no answer for it at all */
	ews_availability_finish(a, 3);
	free(xml);
}

static void
test_ews_html_and_truncated_bodies_are_not_ews(void **state)
{
	size_t len;
	struct ews_page page;
	struct ews_status st;
	char *html = fixture("html_login_page.xml", &len);
	assert_false(ews_parse_find_item(html, len, &page, &st));
	ews_page_finish(&page);
	free(html);
	char *cut = fixture("finditem_truncated.xml", &len);
	assert_false(ews_parse_find_item(cut, len, &page, &st));
	assert_int_equal(page.count, 0);
	ews_page_finish(&page);
	free(cut);
	assert_false(ews_parse_status("", 0, &st));
	assert_false(ews_parse_status("<a/>", 4, &st));
}

static void
test_ews_entities_are_not_expanded(void **state)
{
	static const char xml[] =
		"<?xml version=\"1.0\"?><!DOCTYPE s:Envelope [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		"<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
		"<m:FindItemResponse xmlns:m=\"m\" xmlns:t=\"t\"><m:ResponseMessages>"
		"<m:FindItemResponseMessage ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode>"
		"<m:RootFolder><t:Items><t:CalendarItem><t:ItemId Id=\"a\"/><t:Subject>&x;</t:Subject>"
		"<t:Start>2026-11-02T08:00:00Z</t:Start><t:End>2026-11-02T09:00:00Z</t:End></t:CalendarItem>"
		"</t:Items></m:RootFolder></m:FindItemResponseMessage></m:ResponseMessages></m:FindItemResponse>"
		"</s:Body></s:Envelope>";
	struct ews_page page;
	struct ews_status st;
	ews_parse_find_item(xml, sizeof(xml) - 1, &page, &st);
	for (size_t i = 0; i < page.count; i++)
		assert_true(!page.events[i].subject || !strstr(page.events[i].subject, "root:"));
	ews_page_finish(&page);
}

/* Builders: parse what they produce and look at it like the server does. */
static xmlDoc *
parse_request(const char *xml)
{
	xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), "req.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	return doc;
}

static void
test_ews_requests_carry_impersonation_and_version(void **state)
{
	struct ews_header h = { "Exchange2013_SP1", "room-4-12@example.com" };
	char *xml = ews_build_find_item(&h, t_utc("2026-11-02T00:00:00Z"), t_utc("2026-11-03T00:00:00Z"), 250);
	xmlFreeDoc(parse_request(xml));
	assert_non_null(strstr(xml, "<t:RequestServerVersion Version=\"Exchange2013_SP1\"/>"));
	assert_non_null(strstr(xml, "<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>"
				    "room-4-12@example.com</t:PrimarySmtpAddress>"));
	assert_non_null(strstr(xml, "StartDate=\"2026-11-02T00:00:00Z\" EndDate=\"2026-11-03T00:00:00Z\" "
				    "MaxEntriesReturned=\"250\""));
	assert_non_null(strstr(xml, "PropertyName=\"" EWS_MARKER_NAME "\""));
	free(xml);
	struct ews_header plain = { "Exchange2010", NULL };
	xml = ews_build_get_folder(&plain);
	assert_null(strstr(xml, "ExchangeImpersonation"));
	free(xml);
}

static void
test_ews_create_item_escapes_and_orders_like_schema(void **state)
{
	struct ews_header h = { "Exchange2013_SP1", "r@example.com" };
	char *xml = ews_build_create_item(
		&h, t_utc("2026-11-02T13:00:00Z"), t_utc("2026-11-02T13:30:00Z"), "Q&A <live> \"now\"\x01");
	xmlFreeDoc(parse_request(xml));
	assert_non_null(strstr(xml, "SendMeetingInvitations=\"SendToNone\""));
	assert_non_null(strstr(xml, "<t:Subject>Q&amp;A &lt;live&gt; &quot;now&quot;</t:Subject>"));
	const char *order[] = { "<t:Subject>", "<t:ExtendedProperty>", "<t:Start>2026-11-02T13:00:00Z",
		"<t:End>2026-11-02T13:30:00Z", "<t:LegacyFreeBusyStatus>Busy" };
	const char *prev = xml;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *at = strstr(xml, order[i]);
		assert_non_null(at);
		assert_true(at > prev);
		prev = at;
	}
	free(xml);
}

static void
test_ews_update_delete_decline_and_availability_requests(void **state)
{
	struct ews_header h = { "Exchange2013_SP1", "r@example.com" };
	char *xml = ews_build_update_end(&h, "ID1", "CK1", t_utc("2026-11-02T13:45:00Z"));
	xmlFreeDoc(parse_request(xml));
	assert_non_null(strstr(xml, "ConflictResolution=\"NeverOverwrite\""));
	assert_non_null(strstr(xml, "<t:ItemId Id=\"ID1\" ChangeKey=\"CK1\"/>"));
	assert_non_null(strstr(xml, "<t:FieldURI FieldURI=\"calendar:End\"/><t:CalendarItem><t:End>"
				    "2026-11-02T13:45:00Z</t:End>"));
	free(xml);
	xml = ews_build_delete_item(&h, "ID1", false);
	assert_non_null(strstr(xml, "DeleteType=\"MoveToDeletedItems\" SendMeetingCancellations=\"SendToNone\""));
	free(xml);
	xml = ews_build_send_message(&h, "f@example.com", "Problem in A&B", "Room: A&B\nProblem: <screen>\n");
	xmlFreeDoc(parse_request(xml));
	assert_non_null(strstr(xml, "<m:CreateItem MessageDisposition=\"SendOnly\"><m:Items><t:Message>"));
	assert_non_null(strstr(xml, "<t:Subject>Problem in A&amp;B</t:Subject><t:Body BodyType=\"Text\">Room: "
				    "A&amp;B\nProblem: &lt;screen&gt;\n</t:Body><t:ToRecipients><t:Mailbox>"
				    "<t:EmailAddress>f@example.com</t:EmailAddress>"));
	assert_non_null(strstr(xml, "<t:PrimarySmtpAddress>r@example.com</t:PrimarySmtpAddress>")); /* as the room */
	free(xml);
	xml = ews_build_send_message(&h, NULL, "roomsign check", ""); /* the check's probe: no recipient */
	xmlFreeDoc(parse_request(xml));
	assert_null(strstr(xml, "ToRecipients"));
	free(xml);
	xml = ews_build_decline_item(&h, "ID2", "CK2");
	xmlFreeDoc(parse_request(xml));
	assert_non_null(strstr(xml, "MessageDisposition=\"SendAndSaveCopy\""));
	assert_non_null(strstr(xml, "<t:DeclineItem>"));
	assert_non_null(strstr(xml, "<t:ReferenceItemId Id=\"ID2\" ChangeKey=\"CK2\"/>"));
	free(xml);
	const char *rooms[] = { "a@example.com", "b@example.com" };
	xml = ews_build_get_user_availability(
		&h, rooms, 2, t_utc("2026-11-02T10:17:00Z"), t_utc("2026-11-02T18:00:00Z"));
	xmlFreeDoc(parse_request(xml));
	assert_non_null(strstr(xml, "<t:StartTime>2026-11-02T00:00:00</t:StartTime><t:EndTime>"
				    "2026-11-03T00:00:00</t:EndTime>"));
	assert_non_null(strstr(xml, "<t:Address>b@example.com</t:Address></t:Email><t:AttendeeType>Room"));
	free(xml);
}

static void
test_ews_time_parsing(void **state)
{
	rs_time t;
	assert_true(ews_parse_time("2026-11-02T13:00:00Z", &t));
	assert_int_equal(t, t_utc("2026-11-02T13:00:00Z"));
	assert_true(ews_parse_time("2026-11-02T13:00:00.1234567-05:30", &t));
	assert_int_equal(t, t_utc("2026-11-02T18:30:00Z"));
	assert_true(ews_parse_time("2026-11-02T13:00:00", &t));
	assert_false(ews_parse_time("2026-13-02T13:00:00Z", &t));
	assert_false(ews_parse_time("2026-11-02 13:00:00Z", &t));
	assert_false(ews_parse_time("2026-11-02T13:00:00Zjunk", &t));
	assert_false(ews_parse_time("", &t));
}

/* A GetStreamingEvents body arrives in arbitrary pieces: every envelope is found whole, in
 * order, whatever the cut, and read as keep-alive, notifications or the end of the connection. */
static void
test_ews_stream_envelopes_are_read_as_they_arrive(void **state)
{
	size_t len;
	char *body = fixture("getstreamingevents_stream.xml", &len);
	for (size_t piece = 1; piece <= len; piece = piece * 3 + 1) {
		char *buf = xmalloc(len + 1);
		size_t have = 0, fed = 0, found = 0;
		struct ews_stream_part parts[3];
		while (fed < len || have > 0) {
			size_t n = fed + piece > len ? len - fed : piece;
			memcpy(buf + have, body + fed, n);
			have += n;
			fed += n;
			buf[have] = '\0';
			size_t end = ews_stream_envelope_end(buf, have);
			if (end == 0 && n == 0) { /* all fed: what is left is white space after the last one */
				assert_true(strspn(buf, "\r\n \t") >= have);
				break;
			}
			if (end == 0)
				continue; /* incomplete: only more bytes can help */
			struct ews_status st;
			assert_true(found < 3);
			assert_true(ews_parse_stream_part(buf, end, &parts[found++], &st));
			assert_string_equal(st.code, "NoError");
			memmove(buf, buf + end, have - end);
			have -= end;
		}
		assert_int_equal(found, 3);
		assert_int_equal(parts[0].changes, 0); /* keep-alive */
		assert_false(parts[0].closed);
		assert_int_equal(parts[1].changes, 2); /* CreatedEvent + ModifiedEvent */
		assert_false(parts[1].lost);
		assert_true(parts[2].closed);
		free(buf);
	}
	free(body);
	assert_int_equal(ews_stream_envelope_end("<s:Envelope><a>Envelope></a>", 28), 0);
	assert_int_equal(ews_stream_envelope_end("<Envelope></Envelope>\r\n<", 24), 23);
}

static void
test_ews_stream_lost_subscription_and_subscribe_answer(void **state)
{
	size_t len;
	char *body = fixture("getstreamingevents_lost.xml", &len);
	struct ews_stream_part part;
	struct ews_status st;
	assert_true(ews_parse_stream_part(body, len, &part, &st));
	assert_string_equal(st.code, "ErrorSubscriptionNotFound");
	assert_true(part.lost);
	assert_true(ews_status_subscription_lost(&st));
	free(body);
	body = fixture("subscribe_ok.xml", &len);
	char id[512];
	assert_true(ews_parse_subscribe(body, len, id, sizeof(id), &st));
	assert_string_equal(st.code, "NoError");
	assert_string_equal(
		id, "JgBibjFwcjAzbWIyMDIubmFtcHJkMDMucHJvZC5vdXRsb29rLmNvbRAAAADwXxVesOnHS5BxUHKwAW88SHjwd1iB0Ag=");
	free(body);
	body = fixture("html_login_page.xml", &len);
	assert_false(ews_parse_stream_part(body, len, &part, &st));
	free(body);
}

static void
test_ews_streaming_requests(void **state)
{
	struct ews_header h = { .version = "Exchange2013_SP1", .mailbox = "room-4-12@example.com" };
	char *x = ews_build_subscribe_streaming(&h);
	assert_non_null(strstr(x, "<m:Subscribe><m:StreamingSubscriptionRequest><t:FolderIds>"
				  "<t:DistinguishedFolderId Id=\"calendar\"/>"));
	assert_non_null(strstr(x, "<t:EventType>DeletedEvent</t:EventType>"));
	assert_non_null(strstr(x, "<t:PrimarySmtpAddress>room-4-12@example.com</t:PrimarySmtpAddress>"));
	free(x);
	x = ews_build_get_streaming_events(&h, "id<1>", 45);
	assert_non_null(strstr(x, "<t:SubscriptionId>id&lt;1&gt;</t:SubscriptionId></m:SubscriptionIds>"
				  "<m:ConnectionTimeout>30</m:ConnectionTimeout>"));
	free(x);
	x = ews_build_unsubscribe(&h, "abc");
	assert_non_null(strstr(x, "<m:Unsubscribe><m:SubscriptionId>abc</m:SubscriptionId></m:Unsubscribe>"));
	free(x);
}

static void
test_ews_resolve_names_request_asks_the_address_book_for_an_address(void **state)
{
	struct ews_header h = { .version = "Exchange2013_SP1", .mailbox = "room-4-12@example.com" };
	char *x = ews_build_resolve_names(&h, "a&b@example.com");
	assert_non_null(strstr(x, "<m:ResolveNames ReturnFullContactData=\"false\" SearchScope=\"ActiveDirectory\">"
				  "<m:UnresolvedEntry>SMTP:a&amp;b@example.com</m:UnresolvedEntry></m:ResolveNames>"));
	assert_non_null(strstr(x, "<t:PrimarySmtpAddress>room-4-12@example.com</t:PrimarySmtpAddress>"));
	free(x);
}

static void
test_ews_resolve_names_gives_the_one_display_name(void **state)
{
	size_t len;
	char name[64], *xml = fixture("resolvenames_ok.xml", &len);
	struct ews_status st;
	assert_true(ews_parse_resolve_names(xml, len, name, sizeof(name), &st));
	assert_string_equal(st.code, "NoError");
	assert_string_equal(name, "Fjord Annex (3.07) & café");
	assert_true(ews_parse_resolve_names(xml, len, name, 12, &st)); /* cut at a character boundary */
	assert_string_equal(name, "Fjord Annex");
	free(xml);
}

static void
test_ews_resolve_names_without_a_single_match_gives_no_name(void **state)
{
	size_t len;
	char name[64], *xml = fixture("resolvenames_no_results.xml", &len);
	struct ews_status st;
	assert_true(ews_parse_resolve_names(xml, len, name, sizeof(name), &st));
	assert_string_equal(st.code, "ErrorNameResolutionNoResults");
	assert_string_equal(name, "");
	free(xml);
	/* Several matches come as a Warning: no name rather than perhaps someone else's. */
	xml = fixture("resolvenames_ambiguous.xml", &len);
	assert_true(ews_parse_resolve_names(xml, len, name, sizeof(name), &st));
	assert_string_equal(name, "");
	free(xml);
	xml = fixture("html_login_page.xml", &len);
	assert_false(ews_parse_resolve_names(xml, len, name, sizeof(name), &st));
	assert_string_equal(name, "");
	free(xml);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ews_find_item_keeps_times_status_and_ids),
		cmocka_unit_test(test_ews_find_item_paging_info),
		cmocka_unit_test(test_ews_deleted_subject_shows_organizer),
		cmocka_unit_test(test_ews_private_cancelled_all_day_and_marker),
		cmocka_unit_test(test_ews_forged_marker_is_not_own),
		cmocka_unit_test(test_ews_throttled_reply_gives_backoff),
		cmocka_unit_test(test_ews_backoff_milliseconds_is_clamped),
		cmocka_unit_test(test_ews_impersonation_denied_says_how_to_grant),
		cmocka_unit_test(test_ews_nonexistent_mailbox_says_primary_address),
		cmocka_unit_test(test_ews_invalid_version_steps_down),
		cmocka_unit_test(test_ews_fault_without_detail_uses_faultcode),
		cmocka_unit_test(test_ews_create_item_answer_gives_id),
		cmocka_unit_test(test_ews_stale_change_key_is_recognised),
		cmocka_unit_test(test_ews_availability_per_room),
		cmocka_unit_test(test_ews_html_and_truncated_bodies_are_not_ews),
		cmocka_unit_test(test_ews_entities_are_not_expanded),
		cmocka_unit_test(test_ews_requests_carry_impersonation_and_version),
		cmocka_unit_test(test_ews_create_item_escapes_and_orders_like_schema),
		cmocka_unit_test(test_ews_update_delete_decline_and_availability_requests),
		cmocka_unit_test(test_ews_time_parsing),
		cmocka_unit_test(test_ews_stream_envelopes_are_read_as_they_arrive),
		cmocka_unit_test(test_ews_stream_lost_subscription_and_subscribe_answer),
		cmocka_unit_test(test_ews_streaming_requests),
		cmocka_unit_test(test_ews_resolve_names_request_asks_the_address_book_for_an_address),
		cmocka_unit_test(test_ews_resolve_names_gives_the_one_display_name),
		cmocka_unit_test(test_ews_resolve_names_without_a_single_match_gives_no_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
