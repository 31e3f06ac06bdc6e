#include "ews_request.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../core/xalloc.h"

#define NS_SOAP     "http://schemas.xmlsoap.org/soap/envelope/"
#define NS_TYPES    "http://schemas.microsoft.com/exchange/services/2006/types"
#define NS_MESSAGES "http://schemas.microsoft.com/exchange/services/2006/messages"

struct xbuf {
	char *data;
	size_t len, cap;
};

static void
xbuf_append(struct xbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->data = xrealloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

__attribute__((format(printf, 2, 3))) static void
xbuf_printf(struct xbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	xbuf_append(b, s, (size_t)n);
	free(s);
}

/* Text or attribute content: everything XML gives a meaning to, escaped; control characters
 * XML 1.0 cannot carry are dropped. */
static void
xbuf_escaped(struct xbuf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': xbuf_append(b, "&amp;", 5); break;
		case '<': xbuf_append(b, "&lt;", 4); break;
		case '>': xbuf_append(b, "&gt;", 4); break;
		case '"': xbuf_append(b, "&quot;", 6); break;
		case '\'': xbuf_append(b, "&apos;", 6); break;
		default:
			if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
				xbuf_append(b, s, 1);
		}
	}
}

static void
format_utc(rs_time t, char *buf, size_t size, bool zone)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!gmtime_r(&tt, &tm))
		memset(&tm, 0, sizeof(tm));
	strftime(buf, size, zone ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S", &tm);
}

static void
xbuf_time(struct xbuf *b, rs_time t)
{
	char s[32];
	format_utc(t, s, sizeof(s), true);
	xbuf_append(b, s, strlen(s));
}

static void
envelope_open(struct xbuf *b, const struct ews_header *h)
{
	xbuf_printf(b,
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		"<s:Envelope xmlns:s=\"%s\" xmlns:t=\"%s\" xmlns:m=\"%s\">"
		"<s:Header><t:RequestServerVersion Version=\"",
		NS_SOAP, NS_TYPES, NS_MESSAGES);
	xbuf_escaped(b, h->version);
	xbuf_printf(b, "\"/>");
	if (h->mailbox) {
		/* The room's primary address: EWS does not accept proxy aliases here. */
		xbuf_printf(b, "<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>");
		xbuf_escaped(b, h->mailbox);
		xbuf_printf(b, "</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>");
	}
	xbuf_printf(b, "</s:Header><s:Body>");
}

static char *
envelope_close(struct xbuf *b)
{
	xbuf_printf(b, "</s:Body></s:Envelope>\n");
	return b->data;
}

#define MARKER_URI                                                                                         \
	"<t:ExtendedFieldURI DistinguishedPropertySetId=\"PublicStrings\" PropertyName=\"" EWS_MARKER_NAME \
	"\" PropertyType=\"String\"/>"
#define CHECKED_IN_URI                                                                                         \
	"<t:ExtendedFieldURI DistinguishedPropertySetId=\"PublicStrings\" PropertyName=\"" EWS_CHECKED_IN_NAME \
	"\" PropertyType=\"String\"/>"

char *
ews_build_find_item(const struct ews_header *h, rs_time from, rs_time to, int max_entries)
{
	struct xbuf b = { 0 };
	envelope_open(&b, h);
	xbuf_printf(&b,
		"<m:FindItem Traversal=\"Shallow\"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>"
		"<t:AdditionalProperties>"
		"<t:FieldURI FieldURI=\"item:Subject\"/><t:FieldURI FieldURI=\"item:Sensitivity\"/>"
		"<t:FieldURI FieldURI=\"item:DateTimeCreated\"/>"
		"<t:FieldURI FieldURI=\"calendar:Start\"/><t:FieldURI FieldURI=\"calendar:End\"/>"
		"<t:FieldURI FieldURI=\"calendar:IsAllDayEvent\"/>"
		"<t:FieldURI FieldURI=\"calendar:LegacyFreeBusyStatus\"/>"
		"<t:FieldURI FieldURI=\"calendar:IsCancelled\"/>"
		"<t:FieldURI FieldURI=\"calendar:CalendarItemType\"/>"
		"<t:FieldURI FieldURI=\"calendar:MyResponseType\"/>"
		"<t:FieldURI FieldURI=\"calendar:Organizer\"/><t:FieldURI FieldURI=\"calendar:UID\"/>" MARKER_URI
			CHECKED_IN_URI "</t:AdditionalProperties></m:ItemShape><m:CalendarView StartDate=\"");
	xbuf_time(&b, from);
	xbuf_printf(&b, "\" EndDate=\"");
	xbuf_time(&b, to);
	xbuf_printf(&b,
		"\" MaxEntriesReturned=\"%d\"/><m:ParentFolderIds>"
		"<t:DistinguishedFolderId Id=\"calendar\"/></m:ParentFolderIds></m:FindItem>",
		max_entries);
	return envelope_close(&b);
}

/* The sign marks its own bookings with a named extended property in PublicStrings: invisible
 * in Outlook, kept by Exchange through updates, returned by FindItem when asked for, and not
 * something a person can set by accident (a category or a subject prefix could be). The room's
 * DeleteSubject/AddOrganizerToSubject processing rewrites subjects but leaves it alone. The
 * element order follows the CalendarItem schema sequence: Subject, ExtendedProperty, Start, End,
 * LegacyFreeBusyStatus. */
char *
ews_build_create_item(const struct ews_header *h, rs_time start, rs_time end, const char *subject)
{
	struct xbuf b = { 0 };
	envelope_open(&b, h);
	xbuf_printf(&b, "<m:CreateItem SendMeetingInvitations=\"SendToNone\"><m:SavedItemFolderId>"
			"<t:DistinguishedFolderId Id=\"calendar\"/></m:SavedItemFolderId><m:Items>"
			"<t:CalendarItem><t:Subject>");
	xbuf_escaped(&b, subject && *subject ? subject : "Booked at the room");
	xbuf_printf(&b, "</t:Subject><t:ExtendedProperty>" MARKER_URI "<t:Value>roomsign</t:Value>"
			"</t:ExtendedProperty><t:Start>");
	xbuf_time(&b, start);
	xbuf_printf(&b, "</t:Start><t:End>");
	xbuf_time(&b, end);
	xbuf_printf(&b, "</t:End><t:LegacyFreeBusyStatus>Busy</t:LegacyFreeBusyStatus>"
			"</t:CalendarItem></m:Items></m:CreateItem>");
	return envelope_close(&b);
}

static void
item_id(struct xbuf *b, const char *element, const char *id, const char *change_key)
{
	xbuf_printf(b, "<t:%s Id=\"", element);
	xbuf_escaped(b, id);
	if (change_key) {
		xbuf_printf(b, "\" ChangeKey=\"");
		xbuf_escaped(b, change_key);
	}
	xbuf_printf(b, "\"/>");
}

char *
ews_build_update_end(const struct ews_header *h, const char *id, const char *change_key, rs_time new_end)
{
	struct xbuf b = { 0 };
	envelope_open(&b, h);
	/* NeverOverwrite: a stale ChangeKey fails instead of silently undoing someone's edit. */
	xbuf_printf(&b, "<m:UpdateItem ConflictResolution=\"NeverOverwrite\" "
			"SendMeetingInvitationsOrCancellations=\"SendToNone\"><m:ItemChanges><t:ItemChange>");
	item_id(&b, "ItemId", id, change_key);
	xbuf_printf(&b, "<t:Updates><t:SetItemField><t:FieldURI FieldURI=\"calendar:End\"/>"
			"<t:CalendarItem><t:End>");
	xbuf_time(&b, new_end);
	xbuf_printf(&b, "</t:End></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange>"
			"</m:ItemChanges></m:UpdateItem>");
	return envelope_close(&b);
}

char *
ews_build_get_item(const struct ews_header *h, const char *id)
{
	struct xbuf b = { 0 };
	envelope_open(&b, h);
	/* Everything the re-read before a release judges (room_release_still_due, booked_here). */
	xbuf_printf(&b, "<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>"
			"<t:FieldURI FieldURI=\"calendar:Start\"/><t:FieldURI FieldURI=\"calendar:End\"/>"
			"<t:FieldURI FieldURI=\"calendar:LegacyFreeBusyStatus\"/>"
			"<t:FieldURI FieldURI=\"calendar:IsCancelled\"/>"
			"<t:FieldURI FieldURI=\"calendar:CalendarItemType\"/>"
			"<t:FieldURI FieldURI=\"calendar:MyResponseType\"/>" MARKER_URI CHECKED_IN_URI
			"</t:AdditionalProperties></m:ItemShape><m:ItemIds>");
	item_id(&b, "ItemId", id, NULL);
	xbuf_printf(&b, "</m:ItemIds></m:GetItem>");
	return envelope_close(&b);
}

char *
ews_build_set_checked_in(const struct ews_header *h, const char *id, const char *change_key)
{
	struct xbuf b = { 0 };
	envelope_open(&b, h);
	xbuf_printf(&b, "<m:UpdateItem ConflictResolution=\"AlwaysOverwrite\" "
			"SendMeetingInvitationsOrCancellations=\"SendToNone\"><m:ItemChanges><t:ItemChange>");
	item_id(&b, "ItemId", id, change_key);
	xbuf_printf(&b,
		"<t:Updates><t:SetItemField>" CHECKED_IN_URI "<t:CalendarItem><t:ExtendedProperty>" CHECKED_IN_URI
		"<t:Value>1</t:Value></t:ExtendedProperty></t:CalendarItem></t:SetItemField></t:Updates>"
		"</t:ItemChange></m:ItemChanges></m:UpdateItem>");
	return envelope_close(&b);
}

char *
ews_build_delete_item(const struct ews_header *h, const char *id, bool hard)
{
	struct xbuf b = { 0 };
	envelope_open(&b, h);
	xbuf_printf(&b, "<m:DeleteItem DeleteType=\"%s\" SendMeetingCancellations=\"SendToNone\"><m:ItemIds>",
		hard ? "HardDelete" : "MoveToDeletedItems");
	item_id(&b, "ItemId", id, NULL);
	xbuf_printf(&b, "</m:ItemIds></m:DeleteItem>");
	return envelope_close(&b);
}

char *
ews_build_decline_item(const struct ews_header *h, const char *id, const char *change_key)
{
	struct xbuf b = { 0 };
	envelope_open(&b, h);
	xbuf_printf(&b, "<m:CreateItem MessageDisposition=\"SendAndSaveCopy\"><m:Items><t:DeclineItem>"
			"<t:Body BodyType=\"Text\">Nobody checked in at the room, so the room was released."
			"</t:Body>");
	item_id(&b, "ReferenceItemId", id, change_key);
	xbuf_printf(&b, "</t:DeclineItem></m:Items></m:CreateItem>");
	return envelope_close(&b);
}

char *
ews_build_send_message(const struct ews_header *h, const char *to, const char *subject, const char *body)
{
	struct xbuf b = { 0 };
	envelope_open(&b, h);
	/* types.xsd order: ItemType's Subject and Body come before MessageType's ToRecipients. */
	xbuf_printf(&b, "<m:CreateItem MessageDisposition=\"SendOnly\"><m:Items><t:Message><t:Subject>");
	xbuf_escaped(&b, subject);
	xbuf_printf(&b, "</t:Subject><t:Body BodyType=\"Text\">");
	xbuf_escaped(&b, body);
	xbuf_printf(&b, "</t:Body>");
	if (to) {
		xbuf_printf(&b, "<t:ToRecipients><t:Mailbox><t:EmailAddress>");
		xbuf_escaped(&b, to);
		xbuf_printf(&b, "</t:EmailAddress></t:Mailbox></t:ToRecipients>");
	}
	xbuf_printf(&b, "</t:Message></m:Items></m:CreateItem>");
	return envelope_close(&b);
}

char *
ews_build_get_folder(const struct ews_header *h)
{
	struct xbuf b = { 0 };
	envelope_open(&b, h);
	xbuf_printf(&b, "<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>"
			"<m:FolderIds><t:DistinguishedFolderId Id=\"calendar\"/></m:FolderIds></m:GetFolder>");
	return envelope_close(&b);
}

char *
ews_build_resolve_names(const struct ews_header *h, const char *address)
{
	struct xbuf b = { 0 };
	envelope_open(&b, h);
	/* ActiveDirectory: the GAL only, never the mailbox's own contacts (a contact could carry any
	 * name for the address). */
	xbuf_printf(&b, "<m:ResolveNames ReturnFullContactData=\"false\" SearchScope=\"ActiveDirectory\">"
			"<m:UnresolvedEntry>SMTP:");
	xbuf_escaped(&b, address);
	xbuf_printf(&b, "</m:UnresolvedEntry></m:ResolveNames>");
	return envelope_close(&b);
}

/* A zone with zero bias and no daylight saving, so the answer's offset-less times are UTC. */
#define UTC_ZONE_PART(name)                                                                 \
	"<t:" name "><t:Bias>0</t:Bias><t:Time>00:00:00</t:Time><t:DayOrder>1</t:DayOrder>" \
	"<t:Month>1</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek></t:" name ">"

char *
ews_build_get_user_availability(
	const struct ews_header *h, const char *const *rooms, size_t n, rs_time from, rs_time to)
{
	struct xbuf b = { 0 };
	char s[32];
	/* Whole days: the Managed API insists on them and raw EWS is safest with them too. */
	rs_time day_from = from - (from % 86400), day_to = to - (to % 86400) + (to % 86400 ? 86400 : 0);
	if (day_to <= day_from)
		day_to = day_from + 86400;
	envelope_open(&b, h);
	xbuf_printf(&b, "<m:GetUserAvailabilityRequest><t:TimeZone><t:Bias>0</t:Bias>" UTC_ZONE_PART("StandardTime")
				UTC_ZONE_PART("DaylightTime") "</t:TimeZone><m:MailboxDataArray>");
	for (size_t i = 0; i < n; i++) {
		xbuf_printf(&b, "<t:MailboxData><t:Email><t:Address>");
		xbuf_escaped(&b, rooms[i]);
		xbuf_printf(&b, "</t:Address></t:Email><t:AttendeeType>Room</t:AttendeeType>"
				"<t:ExcludeConflicts>false</t:ExcludeConflicts></t:MailboxData>");
	}
	format_utc(day_from, s, sizeof(s), false);
	xbuf_printf(&b,
		"</m:MailboxDataArray><t:FreeBusyViewOptions><t:TimeWindow><t:StartTime>%s"
		"</t:StartTime>",
		s);
	format_utc(day_to, s, sizeof(s), false);
	xbuf_printf(&b,
		"<t:EndTime>%s</t:EndTime></t:TimeWindow><t:MergedFreeBusyIntervalInMinutes>15"
		"</t:MergedFreeBusyIntervalInMinutes><t:RequestedView>FreeBusy</t:RequestedView>"
		"</t:FreeBusyViewOptions></m:GetUserAvailabilityRequest>",
		s);
	return envelope_close(&b);
}

char *
ews_build_subscribe_streaming(const struct ews_header *h)
{
	struct xbuf b = { 0 };
	envelope_open(&b, h);
	/* Created, modified, deleted and moved items: what changes the room's day. */
	xbuf_printf(&b, "<m:Subscribe><m:StreamingSubscriptionRequest>"
			"<t:FolderIds><t:DistinguishedFolderId Id=\"calendar\"/></t:FolderIds>"
			"<t:EventTypes><t:EventType>CreatedEvent</t:EventType>"
			"<t:EventType>ModifiedEvent</t:EventType><t:EventType>DeletedEvent</t:EventType>"
			"<t:EventType>MovedEvent</t:EventType></t:EventTypes>"
			"</m:StreamingSubscriptionRequest></m:Subscribe>");
	return envelope_close(&b);
}

char *
ews_build_get_streaming_events(const struct ews_header *h, const char *subscription_id, int timeout_min)
{
	struct xbuf b = { 0 };
	envelope_open(&b, h);
	xbuf_printf(&b, "<m:GetStreamingEvents><m:SubscriptionIds><t:SubscriptionId>");
	xbuf_escaped(&b, subscription_id);
	xbuf_printf(&b,
		"</t:SubscriptionId></m:SubscriptionIds><m:ConnectionTimeout>%d</m:ConnectionTimeout>"
		"</m:GetStreamingEvents>",
		timeout_min < 1    ? 1
		: timeout_min > 30 ? 30
				   : timeout_min);
	return envelope_close(&b);
}

char *
ews_build_unsubscribe(const struct ews_header *h, const char *subscription_id)
{
	struct xbuf b = { 0 };
	envelope_open(&b, h);
	xbuf_printf(&b, "<m:Unsubscribe><m:SubscriptionId>");
	xbuf_escaped(&b, subscription_id);
	xbuf_printf(&b, "</m:SubscriptionId></m:Unsubscribe>");
	return envelope_close(&b);
}
