#define LOG_MODULE "ews"
#include "ews_xml.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "../core/xalloc.h"
#include "ews_request.h" /* EWS_MARKER_NAME */
#include "../net/http.h" /* http_parse_delay */

#define NS_SOAP  "http://schemas.xmlsoap.org/soap/envelope/"
#define TEXT_MAX 1024 /* longest subject or name we keep, in bytes */
#define ID_MAX   1024 /* ItemIds are ~150 bytes; anything huge is garbage */

static bool
digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return false;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return true;
}

static bool
expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

bool
ews_parse_time(const char *s, rs_time *out)
{
	int y, mo, d, h, mi, sec = 0, oh = 0, om = 0, sign = 0;
	const char *p = s;
	if (!s || !digits(&p, 4, &y) || !expect(&p, '-') || !digits(&p, 2, &mo) || !expect(&p, '-') ||
		!digits(&p, 2, &d) || !expect(&p, 'T') || !digits(&p, 2, &h) || !expect(&p, ':') || !digits(&p, 2, &mi))
		return false;
	if (*p == ':' && (p++, !digits(&p, 2, &sec)))
		return false;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (!digits(&p, 2, &oh) || !expect(&p, ':') || !digits(&p, 2, &om) || oh > 23 || om > 59)
			return false;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || sec > 60 || y < 1601)
		return false;
	struct tm tm = {
		.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec
	};
	*out = (rs_time)timegm(&tm) - sign * (oh * 3600 + om * 60);
	return true;
}

static bool
named(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *)name) == 0;
}

static xmlNode *
child(const xmlNode *parent, const char *name)
{
	for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
		if (named(c, name))
			return c;
	return NULL;
}

static xmlNode *
first_element(const xmlNode *parent)
{
	for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return c;
	return NULL;
}

/* The element's text, copied into buf (truncated at a UTF-8 boundary); "" when absent. */
static const char *
text_into(const xmlNode *n, char *buf, size_t size)
{
	buf[0] = '\0';
	xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
	if (!t)
		return buf;
	size_t len = strlen((const char *)t);
	if (len >= size) {
		len = size - 1;
		while (len > 0 && (t[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(buf, t, len);
	buf[len] = '\0';
	xmlFree(t);
	return buf;
}

static char *
text_dup(const xmlNode *n)
{
	char buf[TEXT_MAX];
	text_into(n, buf, sizeof(buf));
	return buf[0] ? xstrdup(buf) : NULL;
}

static char *
attr_dup(const xmlNode *n, const char *name)
{
	xmlChar *v = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;
	char *out = v && *v && strlen((const char *)v) < ID_MAX ? xstrdup((const char *)v) : NULL;
	xmlFree(v);
	return out;
}

static bool
text_is_true(const xmlNode *n)
{
	char buf[8];
	text_into(n, buf, sizeof(buf));
	return strcmp(buf, "true") == 0 || strcmp(buf, "1") == 0;
}

static xmlDoc *
load(const char *xml, size_t len)
{
	if (!xml || len == 0 || len > (size_t)EWS_BODY_MAX || len > INT_MAX)
		return NULL;
	/* No network, no entity expansion, no DTD loading, no noise on stderr. */
	return xmlReadMemory(xml, (int)len, "ews.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static long
backoff_of(const xmlNode *message_xml)
{
	for (xmlNode *v = message_xml ? message_xml->children : NULL; v; v = v->next) {
		xmlChar *name = named(v, "Value") ? xmlGetProp(v, (const xmlChar *)"Name") : NULL;
		bool match = name && xmlStrcmp(name, (const xmlChar *)"BackOffMilliseconds") == 0;
		xmlFree(name);
		if (match) {
			/* Saturates at a day: a huge value is long advice, not garbage. */
			char buf[48];
			long ms = http_parse_delay(text_into(v, buf, sizeof(buf)), HTTP_RETRY_AFTER_MAX_S * 1000);
			return ms > 0 ? ms : 0;
		}
	}
	return 0;
}

static void
status_from_fault(const xmlNode *fault, struct ews_status *st)
{
	const xmlNode *detail = child(fault, "detail");
	st->is_fault = true;
	text_into(child(detail, "ResponseCode"), st->code, sizeof(st->code));
	if (!st->code[0]) {
		/* faultcode is "a:ErrorSchemaValidation" or "s:Client": keep what follows the prefix. */
		char code[sizeof(st->code)];
		text_into(child(fault, "faultcode"), code, sizeof(code));
		const char *colon = strchr(code, ':');
		snprintf(st->code, sizeof(st->code), "%s", colon ? colon + 1 : code);
		if (!st->code[0])
			snprintf(st->code, sizeof(st->code), "SoapFault");
	}
	text_into(child(fault, "faultstring"), st->text, sizeof(st->text));
	st->backoff_ms = backoff_of(child(detail, "MessageXml"));
}

static void
status_from_message(const xmlNode *msg, struct ews_status *st)
{
	text_into(child(msg, "ResponseCode"), st->code, sizeof(st->code));
	if (!st->code[0])
		snprintf(st->code, sizeof(st->code), "ErrorUnknown");
	text_into(child(msg, "MessageText"), st->text, sizeof(st->text));
	st->backoff_ms = backoff_of(child(msg, "MessageXml"));
}

/* Warning counts as success (EWS uses it for partial batches we do not send). */
static bool
is_error_class(const xmlNode *msg)
{
	xmlChar *cls = xmlGetProp(msg, (const xmlChar *)"ResponseClass");
	bool error = !cls || (xmlStrcmp(cls, (const xmlChar *)"Success") != 0 &&
				     xmlStrcmp(cls, (const xmlChar *)"Warning") != 0);
	xmlFree(cls);
	return error;
}

/* Finds the operation's answer element (…Response) and fills status. NULL on a fault or when
 * the document is not SOAP; *is_soap says which. */
static xmlNode *
response_of(xmlDoc *doc, struct ews_status *st, bool *is_soap)
{
	memset(st, 0, sizeof(*st));
	*is_soap = false;
	xmlNode *env = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!named(env, "Envelope") || !env->ns || xmlStrcmp(env->ns->href, (const xmlChar *)NS_SOAP) != 0)
		return NULL;
	xmlNode *body = child(env, "Body");
	xmlNode *op = first_element(body);
	if (named(op, "Fault")) {
		*is_soap = true;
		status_from_fault(op, st);
		return NULL;
	}
	if (!op)
		return NULL;
	*is_soap = true;
	snprintf(st->code, sizeof(st->code), "NoError");
	xmlNode *msgs = child(op, "ResponseMessages");
	for (xmlNode *m = msgs ? msgs->children : NULL; m; m = m->next) {
		if (m->type == XML_ELEMENT_NODE && is_error_class(m)) {
			status_from_message(m, st);
			break;
		}
	}
	return op;
}

bool
ews_parse_status(const char *xml, size_t len, struct ews_status *status)
{
	xmlDoc *doc = load(xml, len);
	bool is_soap;
	response_of(doc, status, &is_soap);
	xmlFreeDoc(doc);
	return is_soap;
}

static enum show_as
show_as_of(const char *s)
{
	static const struct {
		const char *name;
		enum show_as value;
	} map[] = { { "Free", SHOW_FREE }, { "Tentative", SHOW_TENTATIVE }, { "OOF", SHOW_OOF },
		{ "WorkingElsewhere", SHOW_ELSEWHERE } };
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(s, map[i].name) == 0)
			return map[i].value;
	return SHOW_BUSY; /* Busy, NoData, anything new: the room is not free */
}

static bool
has_property(const xmlNode *item, const char *property)
{
	for (xmlNode *c = item->children; c; c = c->next) {
		if (!named(c, "ExtendedProperty"))
			continue;
		xmlChar *name = xmlGetProp(child(c, "ExtendedFieldURI"), (const xmlChar *)"PropertyName");
		bool match = name && xmlStrcmp(name, (const xmlChar *)property) == 0;
		xmlFree(name);
		char value[64];
		if (match && text_into(child(c, "Value"), value, sizeof(value))[0])
			return true;
	}
	return false;
}

static bool
has_marker(const xmlNode *item)
{
	return has_property(item, EWS_MARKER_NAME);
}

/* The sign's own booking. The marker alone is not proof: an outsider's invite can carry any
 * extended property into the room's calendar. What an outsider cannot forge is that the room
 * itself organised the meeting (MyResponseType, from the mailbox's own point of view); and the
 * sign books single meetings only, so an occurrence or a series is never treated as its own
 * (a release then declines it, and never deletes it). */
static bool
booked_here(const xmlNode *item)
{
	char type[32], response[32];
	text_into(child(item, "CalendarItemType"), type, sizeof(type));
	text_into(child(item, "MyResponseType"), response, sizeof(response));
	return has_marker(item) && strcmp(response, "Organizer") == 0 && (!type[0] || strcmp(type, "Single") == 0);
}

static char *
organizer_of(const xmlNode *item)
{
	const xmlNode *box = child(child(item, "Organizer"), "Mailbox");
	char *name = text_dup(child(box, "Name"));
	return name ? name : text_dup(child(box, "EmailAddress"));
}

/* One CalendarItem → event. false (event untouched) when it lacks an id or sane times. */
static bool
event_of(const xmlNode *item, struct event *e, bool need_times)
{
	char buf[64];
	struct event ev = { 0 };
	const xmlNode *id = child(item, "ItemId");
	ev.id = attr_dup(id, "Id");
	ev.version = attr_dup(id, "ChangeKey");
	bool has_start = ews_parse_time(text_into(child(item, "Start"), buf, sizeof(buf)), &ev.start);
	bool has_end = ews_parse_time(text_into(child(item, "End"), buf, sizeof(buf)), &ev.end);
	if (!ev.id || (need_times && (!has_start || !has_end || ev.end < ev.start))) {
		event_finish(&ev);
		return false;
	}
	if (ews_parse_time(text_into(child(item, "DateTimeCreated"), buf, sizeof(buf)), &ev.created) == false)
		ev.created = 0;
	ev.all_day = text_is_true(child(item, "IsAllDayEvent"));
	ev.show_as = show_as_of(text_into(child(item, "LegacyFreeBusyStatus"), buf, sizeof(buf)));
	if (text_is_true(child(item, "IsCancelled")))
		ev.show_as = SHOW_FREE; /* a cancelled meeting left on the calendar frees the room */
	text_into(child(item, "Sensitivity"), buf, sizeof(buf));
	ev.is_private = strcmp(buf, "Private") == 0 || strcmp(buf, "Confidential") == 0;
	ev.organizer = organizer_of(item);
	ev.booked_here = booked_here(item);
	ev.checked_in = has_property(item, EWS_CHECKED_IN_NAME); /* at any sign on the room */
	if (!ev.is_private)
		ev.subject = text_dup(child(item, "Subject"));
	/* A room mailbox deletes subjects by default (Set-CalendarProcessing -DeleteSubject); the
	 * organizer's name is what people recognise their meeting by. */
	if (!ev.is_private && !ev.subject && ev.organizer)
		ev.subject = xstrdup(ev.organizer);
	*e = ev;
	return true;
}

bool
ews_parse_find_item(const char *xml, size_t len, struct ews_page *out, struct ews_status *status)
{
	memset(out, 0, sizeof(*out));
	out->includes_last = true;
	xmlDoc *doc = load(xml, len);
	bool is_soap;
	xmlNode *op = response_of(doc, status, &is_soap);
	if (op && strcmp(status->code, "NoError") == 0) {
		xmlNode *msg = first_element(child(op, "ResponseMessages"));
		xmlNode *root = child(msg, "RootFolder");
		xmlChar *last = xmlGetProp(root, (const xmlChar *)"IncludesLastItemInRange");
		out->includes_last = !last || xmlStrcmp(last, (const xmlChar *)"false") != 0;
		xmlFree(last);
		size_t cap = 0;
		xmlNode *items = child(root, "Items");
		for (xmlNode *c = items ? items->children : NULL; c && out->count < EWS_PAGE_MAX; c = c->next) {
			if (!named(c, "CalendarItem"))
				continue;
			if (out->count == cap) {
				cap = cap ? cap * 2 : 16;
				out->events = xrealloc(out->events, cap * sizeof(*out->events));
			}
			if (event_of(c, &out->events[out->count], true))
				out->last_start = out->events[out->count++].start;
		}
	}
	xmlFreeDoc(doc);
	return is_soap;
}

void
ews_page_finish(struct ews_page *page)
{
	if (!page)
		return;
	for (size_t i = 0; i < page->count; i++)
		event_finish(&page->events[i]);
	free(page->events);
	memset(page, 0, sizeof(*page));
}

bool
ews_parse_item(const char *xml, size_t len, struct event *out, struct ews_status *status)
{
	memset(out, 0, sizeof(*out));
	xmlDoc *doc = load(xml, len);
	bool is_soap;
	xmlNode *op = response_of(doc, status, &is_soap);
	if (op && strcmp(status->code, "NoError") == 0) {
		xmlNode *msg = first_element(child(op, "ResponseMessages"));
		xmlNode *item = first_element(child(msg, "Items"));
		if (!item || !event_of(item, out, false)) {
			/* Success without an item id: nothing we can act on. */
			snprintf(status->code, sizeof(status->code), "ErrorNoItemInAnswer");
			is_soap = false;
		}
	}
	xmlFreeDoc(doc);
	return is_soap;
}

bool
ews_parse_resolve_names(const char *xml, size_t len, char *name_out, size_t name_size, struct ews_status *status)
{
	name_out[0] = '\0';
	xmlDoc *doc = load(xml, len);
	bool is_soap;
	xmlNode *op = response_of(doc, status, &is_soap);
	xmlNode *msg = first_element(child(op, "ResponseMessages"));
	char code[64];
	text_into(child(msg, "ResponseCode"), code, sizeof(code));
	if (op && strcmp(status->code, "NoError") == 0 && strcmp(code, "NoError") == 0) {
		xmlNode *set = child(msg, "ResolutionSet"), *only = NULL;
		size_t count = 0;
		for (xmlNode *c = set ? set->children : NULL; c; c = c->next)
			if (named(c, "Resolution") && count++ == 0)
				only = c;
		if (count == 1)
			text_into(child(child(only, "Mailbox"), "Name"), name_out, name_size);
	}
	xmlFreeDoc(doc);
	return is_soap;
}

static void
availability_of(const xmlNode *resp, struct ews_availability *a)
{
	const xmlNode *msg = child(resp, "ResponseMessage");
	text_into(child(msg, "ResponseCode"), a->code, sizeof(a->code));
	a->ok = msg && !is_error_class(msg);
	if (!a->ok)
		return;
	size_t cap = 0;
	xmlNode *events = child(child(resp, "FreeBusyView"), "CalendarEventArray");
	for (xmlNode *c = events ? events->children : NULL; c && a->count < EWS_PAGE_MAX; c = c->next) {
		char buf[64];
		struct ews_busy b;
		if (!named(c, "CalendarEvent") ||
			!ews_parse_time(text_into(child(c, "StartTime"), buf, sizeof(buf)), &b.start) ||
			!ews_parse_time(text_into(child(c, "EndTime"), buf, sizeof(buf)), &b.end) || b.end < b.start)
			continue;
		b.show_as = show_as_of(text_into(child(c, "BusyType"), buf, sizeof(buf)));
		if (a->count == cap) {
			cap = cap ? cap * 2 : 8;
			a->busy = xrealloc(a->busy, cap * sizeof(*a->busy));
		}
		a->busy[a->count++] = b;
	}
}

bool
ews_parse_availability(const char *xml, size_t len, struct ews_availability *out, size_t n, struct ews_status *status)
{
	memset(out, 0, n * sizeof(*out));
	xmlDoc *doc = load(xml, len);
	bool is_soap;
	xmlNode *op = response_of(doc, status, &is_soap);
	if (op && strcmp(status->code, "NoError") == 0) {
		if (!named(op, "GetUserAvailabilityResponse")) {
			is_soap = false;
		} else {
			xmlNode *arr = child(op, "FreeBusyResponseArray");
			size_t i = 0;
			for (xmlNode *c = arr ? arr->children : NULL; c && i < n; c = c->next)
				if (named(c, "FreeBusyResponse"))
					availability_of(c, &out[i++]);
		}
	}
	xmlFreeDoc(doc);
	return is_soap;
}

void
ews_availability_finish(struct ews_availability *out, size_t n)
{
	for (size_t i = 0; out && i < n; i++) {
		free(out[i].busy);
		memset(&out[i], 0, sizeof(out[i]));
	}
}

/* --- what an answer means ----------------------------------------------------------------------- */

static bool
code_in(const char *code, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(code, *list) == 0)
			return true;
	return false;
}

bool
ews_status_wants_older_version(const struct ews_status *st)
{
	static const char *const codes[] = { "ErrorInvalidServerVersion", "ErrorInvalidSchemaVersionForMailboxVersion",
		"ErrorIncorrectSchemaVersion", NULL };
	return code_in(st->code, codes);
}

bool
ews_status_is_transient(const struct ews_status *st)
{
	static const char *const codes[] = { "ErrorServerBusy", "ErrorExceededConnectionCount",
		"ErrorTooManyObjectsOpened", "ErrorMailboxStoreUnavailable", "ErrorMailboxMoveInProgress",
		"ErrorConnectionFailed", "ErrorTimeoutExpired", "ErrorInternalServerTransientError", NULL };
	return code_in(st->code, codes);
}

bool
ews_status_is_stale(const struct ews_status *st)
{
	static const char *const codes[] = { "ErrorIrresolvableConflict", "ErrorStaleObject", "ErrorInvalidChangeKey",
		NULL };
	return code_in(st->code, codes);
}

/* Newest first: where a server refuses one, the next is tried (as exchangelib does). */
static const char *const versions[] = { "Exchange2016", "Exchange2015", "Exchange2013_SP1", "Exchange2013",
	"Exchange2010_SP2", "Exchange2010_SP1", "Exchange2010", "Exchange2007_SP1", NULL };

const char *
ews_version_below(const char *version)
{
	for (size_t i = 0; versions[i]; i++)
		if (version && strcmp(version, versions[i]) == 0)
			return versions[i + 1];
	return "Exchange2013_SP1"; /* an unknown configured value: the documented default */
}

static const char *
or_unset(const char *s)
{
	return s && *s ? s : "(not set)";
}

bool
ews_status_error(const struct ews_status *st, const struct ews_names *names, struct source_error *err)
{
	static const char *const impersonation[] = { "ErrorImpersonateUserDenied", "ErrorImpersonationDenied", NULL };
	static const char *const no_mailbox[] = { "ErrorNonExistentMailbox", "ErrorInvalidSmtpAddress",
		"ErrorMailRecipientNotFound", "ErrorInvalidUserPrincipalName", NULL };
	const char *code = st->code, *user = or_unset(names->username), *room = or_unset(names->mailbox);
	if (code_in(code, impersonation))
		return source_fail(err, SOURCE_ERR_PERMISSION,
			"%s may not act as %s (%s): it lacks the ApplicationImpersonation role, or the "
			"room is outside the role's scope. In the Exchange Management Shell run: "
			"New-ManagementScope RoomsOnly -RecipientRestrictionFilter {RecipientTypeDetails "
			"-eq 'RoomMailbox'}; New-ManagementRoleAssignment -Role ApplicationImpersonation "
			"-User '%s' -CustomRecipientWriteScope RoomsOnly. Exchange can take up to 30 "
			"minutes to apply it.",
			user, room, code, user);
	if (code_in(code, no_mailbox))
		return source_fail(err, SOURCE_ERR_NOT_FOUND,
			"Exchange has no mailbox %s (%s). Set mailbox to the room's primary SMTP address "
			"(Get-Mailbox <room> | fl PrimarySmtpAddress), not an alias.",
			room, code);
	if (strcmp(code, "ErrorAccessDenied") == 0)
		return source_fail(err, SOURCE_ERR_PERMISSION,
			"%s has no right to do this in %s's calendar (ErrorAccessDenied). Check the "
			"ApplicationImpersonation role assignment.",
			user, room);
	if (strcmp(code, "ErrorServerBusy") == 0 || strcmp(code, "ErrorExceededConnectionCount") == 0) {
		source_fail(err, SOURCE_ERR_THROTTLED,
			"Exchange is throttling %s (%s); the sign waits and tries again. If this persists, "
			"raise EWSMaxConcurrency in the account's throttling policy.",
			user, code);
		err->retry_after_ms = st->backoff_ms;
		return false;
	}
	if (ews_status_is_transient(st))
		return source_fail(err, SOURCE_ERR_NETWORK,
			"Exchange reported a temporary problem (%s); the sign tries again later.", code);
	if (ews_status_is_stale(st))
		return source_fail(err, SOURCE_ERR_CONFLICT,
			"The meeting was changed by someone else at the same time (%s).", code);
	if (strcmp(code, "ErrorItemNotFound") == 0)
		return source_fail(err, SOURCE_ERR_NOT_FOUND, "The meeting no longer exists in %s's calendar.", room);
	if (strcmp(code, "ErrorCalendarIsOrganizerForDecline") == 0 || strcmp(code, "ErrorCalendarIsNotOrganizer") == 0)
		return source_fail(err, SOURCE_ERR_CONFLICT,
			"The room organises this meeting itself, so it cannot decline it (%s); the "
			"organizer must cancel it.",
			code);
	if (strcmp(code, "ErrorCalendarIsCancelledForDecline") == 0)
		return source_fail(err, SOURCE_ERR_CONFLICT, "The organizer has already cancelled this meeting.");
	if (ews_status_wants_older_version(st))
		return source_fail(err, SOURCE_ERR_CONFIG,
			"Exchange accepts none of the EWS versions roomsign knows (%s). Set server_version "
			"to one your server supports, e.g. Exchange2010_SP2.",
			code);
	return source_fail(err, SOURCE_ERR_BAD_RESPONSE,
		"Exchange refused the request (%s%s%s). If it persists, report it with the log.", code,
		st->text[0] ? ": " : "", st->text);
}

bool
ews_parse_subscribe(const char *xml, size_t len, char *id_out, size_t id_size, struct ews_status *status)
{
	id_out[0] = '\0';
	xmlDoc *doc = load(xml, len);
	bool is_soap;
	xmlNode *op = response_of(doc, status, &is_soap);
	if (op && strcmp(status->code, "NoError") == 0) {
		xmlNode *msg = first_element(child(op, "ResponseMessages"));
		text_into(child(msg, "SubscriptionId"), id_out, id_size);
		if (!id_out[0]) /* NoError without an id: nothing to stream from */
			snprintf(status->code, sizeof(status->code), "ErrorInvalidSubscription");
	}
	xmlFreeDoc(doc);
	return is_soap;
}

/* Notification children that say something changed (not SubscriptionId, watermarks, StatusEvent). */
static unsigned
changes_in(const xmlNode *notification)
{
	static const char *const kinds[] = { "CreatedEvent", "ModifiedEvent", "DeletedEvent", "MovedEvent",
		"CopiedEvent", "NewMailEvent", "FreeBusyChangedEvent" };
	unsigned n = 0;
	for (xmlNode *c = notification ? notification->children : NULL; c; c = c->next)
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			n += named(c, kinds[i]);
	return n;
}

static void
stream_message(const xmlNode *msg, struct ews_stream_part *out)
{
	xmlNode *notes = child(msg, "Notifications");
	for (xmlNode *n = notes ? notes->children : NULL; n; n = n->next)
		if (named(n, "Notification"))
			out->changes += changes_in(n);
	if (first_element(child(msg, "ErrorSubscriptionIds")))
		out->lost = true;
	char status[16];
	if (strcmp(text_into(child(msg, "ConnectionStatus"), status, sizeof(status)), "Closed") == 0)
		out->closed = true;
}

bool
ews_parse_stream_part(const char *xml, size_t len, struct ews_stream_part *out, struct ews_status *status)
{
	memset(out, 0, sizeof(*out));
	/* White space between envelopes may arrive after the one before was cut off: the XML
	 * declaration must come first. */
	while (len > 0 && (*xml == '\r' || *xml == '\n' || *xml == ' ' || *xml == '\t')) {
		xml++;
		len--;
	}
	xmlDoc *doc = load(xml, len);
	bool is_soap;
	xmlNode *op = response_of(doc, status, &is_soap);
	xmlNode *msgs = child(op, "ResponseMessages");
	for (xmlNode *m = msgs ? msgs->children : NULL; m; m = m->next)
		if (named(m, "GetStreamingEventsResponseMessage"))
			stream_message(m, out);
	if (ews_status_subscription_lost(status))
		out->lost = true;
	xmlFreeDoc(doc);
	return is_soap;
}

static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
	       c == '.';
}

size_t
ews_stream_envelope_end(const char *buf, size_t len)
{
	static const char tag[] = "Envelope>";
	const size_t tag_len = sizeof(tag) - 1;
	for (size_t i = 0; i + tag_len <= len; i++) {
		if (memcmp(buf + i, tag, tag_len) != 0)
			continue;
		/* "</Envelope>" or "</prefix:Envelope>", not "<Envelope>" or an attribute's text. */
		size_t j = i;
		if (j > 0 && buf[j - 1] == ':') {
			j--;
			while (j > 0 && is_name_char(buf[j - 1]))
				j--;
		}
		if (j >= 2 && buf[j - 1] == '/' && buf[j - 2] == '<') {
			size_t end = i + tag_len;
			while (end < len &&
				(buf[end] == '\r' || buf[end] == '\n' || buf[end] == ' ' || buf[end] == '\t'))
				end++;
			return end;
		}
	}
	return 0;
}

bool
ews_status_subscription_lost(const struct ews_status *status)
{
	static const char *const codes[] = { "ErrorSubscriptionNotFound", "ErrorInvalidSubscription",
		"ErrorExpiredSubscription", "ErrorProxiedSubscriptionCallFailure" };
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(status->code, codes[i]) == 0)
			return true;
	return false;
}
