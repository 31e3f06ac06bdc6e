#include "graph_json.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>
#include "../core/timeutil.h"
#include "../core/xalloc.h"

/* Graph error messages and subjects are echoed into sentences; keep them short. */
#define MAX_ECHO 160

static const char *
json_string(const cJSON *obj, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(item) ? item->valuestring : NULL;
}

static bool
json_true(const cJSON *obj, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static cJSON *
parse_body(const char *body, size_t len)
{
	if (!body)
		return NULL;
	/* cJSON stops at the buffer's end, so a body with embedded NULs or no terminator is safe. */
	return cJSON_ParseWithLength(body, len);
}

bool
graph_parse_datetime(const char *s, rs_time *out)
{
	char buf[24];
	size_t n = s ? strlen(s) : 0;
	if (n < 19)
		return false;
	/* "2026-11-02T13:00:00" then optional ".0000000" (1–7 digits) and an optional Z. */
	const char *rest = s + 19;
	if (*rest == '.') {
		size_t digits = strspn(rest + 1, "0123456789");
		if (digits == 0 || digits > 9)
			return false;
		rest += 1 + digits;
	}
	if (*rest == 'Z')
		rest++;
	if (*rest != '\0')
		return false;
	memcpy(buf, s, 19);
	buf[19] = 'Z';
	buf[20] = '\0';
	return time_parse_utc(buf, out);
}

static bool
is_utc_zone(const char *zone)
{
	return !zone || strcasecmp(zone, "UTC") == 0 || strcasecmp(zone, "Etc/UTC") == 0 ||
	       strcasecmp(zone, "Coordinated Universal Time") == 0;
}

/* A dateTimeTimeZone object. All-day values are dates: their day starts at the room's local
 * midnight, whatever zone Graph printed the midnight in. */
static bool
parse_dtz(const cJSON *obj, bool all_day, rs_time *out)
{
	const char *dt = json_string(obj, "dateTime");
	if (!dt || !is_utc_zone(json_string(obj, "timeZone")))
		return false;
	if (all_day) {
		int y, m, d;
		char tail;
		if (sscanf(dt, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 4 || tail != 'T' || m < 1 || m > 12 || d < 1 ||
			d > 31 || y < 1970 || y > 9999)
			return false;
		*out = time_from_local(y, m, d, 0, 0, 0);
		return true;
	}
	return graph_parse_datetime(dt, out);
}

static enum show_as
parse_show_as(const char *s)
{
	if (!s)
		return SHOW_BUSY;
	if (strcmp(s, "free") == 0)
		return SHOW_FREE;
	if (strcmp(s, "tentative") == 0)
		return SHOW_TENTATIVE;
	if (strcmp(s, "oof") == 0)
		return SHOW_OOF;
	if (strcmp(s, "workingElsewhere") == 0)
		return SHOW_ELSEWHERE;
	return SHOW_BUSY; /* "busy", "unknown" and anything new: never offer a taken room */
}

/* "roomsign-20261102T125959Z-…" → the stamp, for ordering when createdDateTime is absent. */
static rs_time
transaction_stamp(const char *tx)
{
	char buf[24];
	rs_time t;
	size_t p = strlen(GRAPH_TRANSACTION_PREFIX);
	if (strlen(tx) < p + 16)
		return 0;
	const char *s = tx + p;
	if (snprintf(buf, sizeof(buf), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", s, s + 4, s + 6, s + 9, s + 11, s + 13) !=
			20 ||
		s[8] != 'T' || s[15] != 'Z')
		return 0;
	return time_parse_utc(buf, &t) ? t : 0;
}

/* GRAPH_CHECKED_IN_ID among the expanded singleValueExtendedProperties, with a value. */
static bool
checked_in_elsewhere(const cJSON *item)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(item, "singleValueExtendedProperties"))
	{
		const char *id = json_string(p, "id"), *value = json_string(p, "value");
		if (id && strcasecmp(id, GRAPH_CHECKED_IN_ID) == 0 && value && *value)
			return true;
	}
	return false;
}

static bool
event_from_json(const cJSON *item, struct event *e, const char **why)
{
	memset(e, 0, sizeof(*e));
	const char *id = json_string(item, "id");
	bool all_day = json_true(item, "isAllDay");
	if (!id || !*id) {
		*why = "an event without an id";
		return false;
	}
	if (!parse_dtz(cJSON_GetObjectItemCaseSensitive(item, "start"), all_day, &e->start) ||
		!parse_dtz(cJSON_GetObjectItemCaseSensitive(item, "end"), all_day, &e->end)) {
		*why = "an event whose start or end is missing or not in UTC";
		return false;
	}
	if (e->end < e->start)
		e->end = e->start;
	e->id = xstrdup(id);
	e->version = xstrdup(json_string(item, "changeKey"));
	e->all_day = all_day;
	e->show_as = parse_show_as(json_string(item, "showAs"));
	if (json_true(item, "isCancelled"))
		e->show_as = SHOW_FREE; /* the organizer cancelled: the room is free */
	const char *sensitivity = json_string(item, "sensitivity");
	e->is_private =
		sensitivity && (strcmp(sensitivity, "private") == 0 || strcmp(sensitivity, "confidential") == 0);
	if (!e->is_private)
		e->subject = xstrndup(json_string(item, "subject") ? json_string(item, "subject") : "", 1024);
	const cJSON *email =
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(item, "organizer"), "emailAddress");
	const char *org = json_string(email, "name");
	if (!org || !*org)
		org = json_string(email, "address");
	if (org && *org)
		e->organizer = xstrndup(org, 256);
	/* The sign's own booking: our transactionId, which anyone's client could send, and what no
	 * outsider can forge: the room organised it (isOrganizer, from the room's point of view),
	 * and it is a single meeting (the sign books no series; an occurrence is never deleted). */
	const char *tx = json_string(item, "transactionId"), *type = json_string(item, "type");
	bool our_tx = tx && strncmp(tx, GRAPH_TRANSACTION_PREFIX, strlen(GRAPH_TRANSACTION_PREFIX)) == 0;
	e->booked_here = our_tx && json_true(item, "isOrganizer") && (!type || strcmp(type, "singleInstance") == 0);
	e->checked_in = checked_in_elsewhere(item);
	const char *created = json_string(item, "createdDateTime");
	if (!created || !graph_parse_datetime(created, &e->created))
		e->created = our_tx ? transaction_stamp(tx) : 0;
	if (e->subject && !*e->subject) {
		free(e->subject);
		e->subject = NULL;
	}
	return true;
}

bool
graph_parse_calendar_view(const char *body, size_t len, struct graph_page *page, struct source_error *err)
{
	memset(page, 0, sizeof(*page));
	cJSON *root = parse_body(body, len);
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(root, "value");
	const char *why = "an answer that is not a calendarView page";
	if (!cJSON_IsArray(value))
		goto fail;
	int n = cJSON_GetArraySize(value);
	if (n > GRAPH_MAX_PAGE_EVENTS) {
		why = "a page with too many events";
		goto fail;
	}
	page->events = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*page->events));
	const cJSON *item;
	cJSON_ArrayForEach(item, value)
	{
		if (!cJSON_IsObject(item)) {
			why = "an event that is not an object";
			goto fail;
		}
		if (!event_from_json(item, &page->events[page->count], &why))
			goto fail;
		page->count++;
	}
	const char *next = json_string(root, "@odata.nextLink");
	if (next) {
		if (strlen(next) >= GRAPH_MAX_URL || strncmp(next, "https://", 8) != 0) {
			why = "a next-page link that is not an https:// URL";
			goto fail;
		}
		page->next_link = xstrdup(next);
	}
	cJSON_Delete(root);
	return true;
fail:
	cJSON_Delete(root);
	graph_page_finish(page);
	return source_fail(err, SOURCE_ERR_BAD_RESPONSE, "Microsoft Graph sent %s; the calendar was not updated.", why);
}

#define MAX_PLACE_NAME 256 /* a longer display name is not one a sign shows */

bool
graph_parse_places(const char *body, size_t len, struct graph_places_page *page, struct source_error *err)
{
	memset(page, 0, sizeof(*page));
	cJSON *root = parse_body(body, len);
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(root, "value");
	const char *why = "an answer that is not a list of rooms", *next = json_string(root, "@odata.nextLink");
	if (!cJSON_IsArray(value) || cJSON_GetArraySize(value) > GRAPH_MAX_PAGE_EVENTS)
		goto fail;
	if (next && (strlen(next) >= GRAPH_MAX_URL || strncmp(next, "https://", 8) != 0)) {
		why = "a next-page link that is not an https:// URL";
		goto fail;
	}
	page->places = xcalloc((size_t)cJSON_GetArraySize(value) + 1, sizeof(*page->places));
	const cJSON *item;
	cJSON_ArrayForEach(item, value)
	{
		const char *address = json_string(item, "emailAddress"), *name = json_string(item, "displayName");
		if (!address || !*address || !name || !*name || strlen(name) >= MAX_PLACE_NAME)
			continue;
		page->places[page->count++] = (struct graph_place){ xstrdup(address), xstrdup(name) };
	}
	page->next_link = next ? xstrdup(next) : NULL;
	cJSON_Delete(root);
	return true;
fail:
	cJSON_Delete(root);
	graph_places_page_finish(page);
	return source_fail(err, SOURCE_ERR_BAD_RESPONSE, "Microsoft Graph sent %s.", why);
}

void
graph_places_page_finish(struct graph_places_page *page)
{
	if (!page)
		return;
	for (size_t i = 0; i < page->count; i++) {
		free(page->places[i].address);
		free(page->places[i].name);
	}
	free(page->places);
	free(page->next_link);
	memset(page, 0, sizeof(*page));
}

/* An https:// link of sane length, copied; NULL (why set) otherwise or when absent. */
static bool
link_copy(const cJSON *root, const char *key, char **out, const char **why)
{
	const char *link = json_string(root, key);
	if (!link)
		return true;
	if (strlen(link) >= GRAPH_MAX_URL || strncmp(link, "https://", 8) != 0) {
		*why = "a delta link that is not an https:// URL";
		return false;
	}
	*out = xstrdup(link);
	return true;
}

bool
graph_parse_delta(const char *body, size_t len, struct graph_delta_page *page, struct source_error *err)
{
	memset(page, 0, sizeof(*page));
	cJSON *root = parse_body(body, len);
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(root, "value");
	const char *why = "an answer that is not a calendarView page"; /* one sentence for both reads */
	if (!cJSON_IsArray(value))
		goto fail;
	int n = cJSON_GetArraySize(value);
	if (n > GRAPH_MAX_PAGE_EVENTS) {
		why = "a delta page with too many events";
		goto fail;
	}
	page->changed = xcalloc((size_t)n + 1, sizeof(*page->changed));
	page->removed = xcalloc((size_t)n + 1, sizeof(*page->removed));
	const cJSON *item;
	cJSON_ArrayForEach(item, value)
	{
		const char *id = json_string(item, "id");
		if (!id || !*id) {
			why = "a changed event without an id";
			goto fail;
		}
		if (cJSON_GetObjectItemCaseSensitive(item, "@removed"))
			page->removed[page->removed_count++] = xstrdup(id);
		else
			page->changed[page->changed_count++] = xstrdup(id);
	}
	if (!link_copy(root, "@odata.nextLink", &page->next_link, &why) ||
		!link_copy(root, "@odata.deltaLink", &page->delta_link, &why))
		goto fail;
	if (!page->next_link == !page->delta_link) {
		why = "a delta page with neither or both of nextLink and deltaLink";
		goto fail;
	}
	cJSON_Delete(root);
	return true;
fail:
	cJSON_Delete(root);
	graph_delta_page_finish(page);
	return source_fail(err, SOURCE_ERR_BAD_RESPONSE, "Microsoft Graph sent %s; the calendar was not updated.", why);
}

void
graph_delta_page_finish(struct graph_delta_page *page)
{
	if (!page)
		return;
	for (size_t i = 0; i < page->changed_count; i++)
		free(page->changed[i]);
	for (size_t i = 0; i < page->removed_count; i++)
		free(page->removed[i]);
	free(page->changed);
	free(page->removed);
	free(page->next_link);
	free(page->delta_link);
	memset(page, 0, sizeof(*page));
}

void
graph_page_finish(struct graph_page *page)
{
	if (!page)
		return;
	for (size_t i = 0; i < page->count; i++)
		event_finish(&page->events[i]);
	free(page->events);
	free(page->next_link);
	memset(page, 0, sizeof(*page));
}

bool
graph_parse_event(const char *body, size_t len, struct event *event_out, struct source_error *err)
{
	cJSON *root = parse_body(body, len);
	const char *why = "an answer that is not an event";
	bool ok = cJSON_IsObject(root) && event_from_json(root, event_out, &why);
	cJSON_Delete(root);
	if (!ok) {
		event_finish(event_out);
		return source_fail(err, SOURCE_ERR_BAD_RESPONSE, "Microsoft Graph sent %s.", why);
	}
	return true;
}

static void
add_dtz(cJSON *obj, const char *key, rs_time t)
{
	char buf[32];
	time_format_utc(t, buf, sizeof(buf));
	buf[strlen(buf) - 1] = '\0'; /* Graph wants the wall time and the zone apart */
	cJSON *dtz = cJSON_AddObjectToObject(obj, key);
	cJSON_AddStringToObject(dtz, "dateTime", buf);
	cJSON_AddStringToObject(dtz, "timeZone", "UTC");
}

static char *
print_and_free(cJSON *root)
{
	char *s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!s)
		abort(); /* cJSON fails only on out-of-memory */
	char *copy = xstrdup(s);
	cJSON_free(s);
	return copy;
}

char *
graph_build_event(rs_time start, rs_time end, const char *subject, const char *location, const char *transaction_id)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "subject", subject ? subject : "");
	add_dtz(root, "start", start);
	add_dtz(root, "end", end);
	cJSON_AddStringToObject(root, "showAs", "busy");
	/* No attendees: Exchange would always send invitations (PROTOCOLS.md B.4). */
	if (location && *location)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(root, "location"), "displayName", location);
	if (transaction_id)
		cJSON_AddStringToObject(root, "transactionId", transaction_id);
	return print_and_free(root);
}

char *
graph_build_end_patch(rs_time end)
{
	cJSON *root = cJSON_CreateObject();
	add_dtz(root, "end", end);
	return print_and_free(root);
}

char *
graph_build_checked_in_patch(void)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(root, "singleValueExtendedProperties");
	cJSON *prop = cJSON_CreateObject();
	cJSON_AddStringToObject(prop, "id", GRAPH_CHECKED_IN_ID);
	cJSON_AddStringToObject(prop, "value", "1");
	cJSON_AddItemToArray(list, prop);
	return print_and_free(root);
}

char *
graph_build_decline(const char *comment)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "comment", comment ? comment : "");
	cJSON_AddTrueToObject(root, "sendResponse");
	return print_and_free(root);
}

char *
graph_build_send_mail(const char *to, const char *subject, const char *body)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *msg = cJSON_AddObjectToObject(root, "message");
	cJSON_AddStringToObject(msg, "subject", subject ? subject : "");
	cJSON *content = cJSON_AddObjectToObject(msg, "body");
	cJSON_AddStringToObject(content, "contentType", "Text");
	cJSON_AddStringToObject(content, "content", body ? body : "");
	cJSON *list = cJSON_AddArrayToObject(msg, "toRecipients");
	if (to) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "emailAddress"), "address", to);
		cJSON_AddItemToArray(list, r);
	}
	cJSON_AddFalseToObject(root, "saveToSentItems");
	return print_and_free(root);
}

char *
graph_build_get_schedule(const char *const *rooms, size_t n, rs_time from, rs_time to, int interval_min)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(root, "schedules");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(rooms[i] ? rooms[i] : ""));
	add_dtz(root, "startTime", from);
	add_dtz(root, "endTime", to);
	cJSON_AddNumberToObject(root, "availabilityViewInterval", interval_min);
	return print_and_free(root);
}

void
graph_transaction_id(rs_time now, const unsigned char random[8], char *buf, size_t size)
{
	char stamp[32];
	time_format_utc(now, stamp, sizeof(stamp)); /* 2026-11-02T12:59:59Z */
	snprintf(buf, size, "%s%.4s%.2s%.2sT%.2s%.2s%.2sZ-%02x%02x%02x%02x%02x%02x%02x%02x", GRAPH_TRANSACTION_PREFIX,
		stamp, stamp + 5, stamp + 8, stamp + 11, stamp + 14, stamp + 17, random[0], random[1], random[2],
		random[3], random[4], random[5], random[6], random[7]);
}

static bool
status_blocks(const char *status)
{
	return !status || strcmp(status, "free") != 0;
}

/* The end of the busy stretch containing now (gaps under a minute merged), or now. */
static rs_time
stretch_end(const cJSON *items, rs_time now)
{
	rs_time until = now;
	bool grew = true;
	for (int pass = 0; grew && pass < 1000; pass++) {
		grew = false;
		const cJSON *it;
		cJSON_ArrayForEach(it, items)
		{
			rs_time s, e;
			if (!status_blocks(json_string(it, "status")) ||
				!parse_dtz(cJSON_GetObjectItemCaseSensitive(it, "start"), false, &s) ||
				!parse_dtz(cJSON_GetObjectItemCaseSensitive(it, "end"), false, &e))
				continue;
			if (s <= until + TIME_MINUTE - 1 && e > until && (s <= now || until > now)) {
				until = e;
				grew = true;
			}
		}
	}
	return until;
}

static rs_time
next_busy(const cJSON *items, rs_time after)
{
	rs_time first = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, items)
	{
		rs_time s;
		if (status_blocks(json_string(it, "status")) &&
			parse_dtz(cJSON_GetObjectItemCaseSensitive(it, "start"), false, &s) && s >= after &&
			(first == 0 || s < first))
			first = s;
	}
	return first;
}

bool
graph_parse_get_schedule(
	const char *body, size_t len, rs_time now, struct room_availability *out, size_t n, struct source_error *err)
{
	cJSON *root = parse_body(body, len);
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(root, "value");
	if (!cJSON_IsArray(value)) {
		cJSON_Delete(root);
		return source_fail(err, SOURCE_ERR_BAD_RESPONSE,
			"Microsoft Graph sent an answer that is not a getSchedule result.");
	}
	for (size_t i = 0; i < n; i++) {
		out[i].ok = false;
		out[i].free_until = out[i].busy_until = 0;
	}
	const cJSON *info;
	cJSON_ArrayForEach(info, value)
	{
		const char *id = json_string(info, "scheduleId");
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(info, "scheduleItems");
		if (!id || cJSON_GetObjectItemCaseSensitive(info, "error") || !cJSON_IsArray(items))
			continue;
		for (size_t i = 0; i < n; i++) {
			if (!out[i].room || strcasecmp(out[i].room, id) != 0)
				continue;
			rs_time busy = stretch_end(items, now);
			out[i].ok = true;
			out[i].busy_until = busy > now ? busy : 0;
			out[i].free_until = next_busy(items, busy > now ? busy : now);
		}
	}
	cJSON_Delete(root);
	return true;
}

char *
graph_mail_advice(const char *client_id, const char *mailbox)
{
	const char *app = client_id ? client_id : "<app id>";
	return xasprintf(
		"[report] sends through Graph's sendMail as the room: the app needs the Mail.Send application "
		"permission, limited to the room mailboxes with RBAC for Applications (or an application access "
		"policy). In Exchange Online PowerShell, with the management scope of the calendar role:\n"
		"  New-ManagementRoleAssignment -App %s -Role \"Application Mail.Send\" -CustomResourceScope "
		"\"roomsign rooms\"\n"
		"  Test-ServicePrincipalAuthorization -Identity %s -Resource %s   (Application Mail.Send: InScope "
		"True)\n"
		"Warning: do not grant Mail.Send with admin consent in Entra ID. That tenant-wide consent lets the app "
		"send mail as every mailbox in the organisation, whatever the scope says. Or set [report] smtp_url to "
		"send through SMTP instead.",
		app, app, mailbox ? mailbox : "<room>");
}

void
graph_error_code(const char *body, size_t len, char *buf, size_t size)
{
	cJSON *root = parse_body(body, len);
	const char *code = json_string(cJSON_GetObjectItemCaseSensitive(root, "error"), "code");
	snprintf(buf, size, "%s", code ? code : "");
	cJSON_Delete(root);
}

static bool
access_denied(const struct graph_context *ctx, const char *code, struct source_error *err)
{
	const char *app = ctx->client_id ? ctx->client_id : "<app id>";
	if (ctx->is_mail)
		return source_fail(err, SOURCE_ERR_PERMISSION,
			"%s: app %s may not send mail as %s (403 %s). Give it the role 'Application Mail.Send' scoped "
			"to the room mailboxes: New-ManagementRoleAssignment -App %s -Role \"Application Mail.Send\" "
			"-CustomResourceScope <scope> (roomsign check prints the whole recipe).",
			ctx->what, app, ctx->mailbox, code, app);
	if (ctx->is_write)
		return source_fail(err, SOURCE_ERR_PERMISSION,
			"%s: app %s may not change %s (403 %s). Give it the role 'Application Calendars.ReadWrite': "
			"New-ManagementRoleAssignment -App %s -Role \"Application Calendars.ReadWrite\" "
			"-CustomResourceScope <scope>. A tenant-wide Calendars consent in Entra makes the scope "
			"meaningless.",
			ctx->what, app, ctx->mailbox, code, app);
	return source_fail(err, SOURCE_ERR_PERMISSION,
		"%s: app %s may not open %s (403 %s): the room is outside its RBAC scope. Run "
		"New-ManagementScope, New-ServicePrincipal and New-ManagementRoleAssignment -App %s "
		"-CustomResourceScope … (roomsign check prints them). A tenant-wide Calendars consent in Entra "
		"makes the scope meaningless.",
		ctx->what, app, ctx->mailbox, code, app);
}

static bool
not_found(const struct graph_context *ctx, const char *code, struct source_error *err)
{
	if (strcmp(code, "MailboxNotEnabledForRESTAPI") == 0)
		return source_fail(err, SOURCE_ERR_NOT_FOUND,
			"%s: %s is not a mailbox Microsoft Graph can reach (MailboxNotEnabledForRESTAPI): it is "
			"inactive, soft-deleted, unlicensed or still on-premises. Use type = ews for on-premises "
			"rooms.",
			ctx->what, ctx->mailbox);
	if (strcmp(code, "ErrorItemNotFound") == 0)
		return source_fail(
			err, SOURCE_ERR_NOT_FOUND, "%s: the meeting no longer exists (deleted or moved).", ctx->what);
	return source_fail(err, SOURCE_ERR_NOT_FOUND,
		"%s: there is no mailbox %s in this tenant (404 %s): set [source] mailbox to the room's "
		"primary SMTP address, and check tenant.",
		ctx->what, ctx->mailbox, *code ? code : "Not Found");
}

bool
graph_parse_error(long status, const char *body, size_t len, long retry_after_s, const struct graph_context *ctx,
	struct source_error *err)
{
	cJSON *root = parse_body(body, len);
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(root, "error");
	char code[64], message[MAX_ECHO + 1];
	snprintf(code, sizeof(code), "%s", json_string(error, "code") ? json_string(error, "code") : "");
	snprintf(message, sizeof(message), "%s", json_string(error, "message") ? json_string(error, "message") : "");
	cJSON_Delete(root);
	for (char *p = message; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	if (status == 401)
		return source_fail(err, SOURCE_ERR_AUTH, "%s: Microsoft Graph refused the access token (401 %s: %s).",
			ctx->what, *code ? code : "Unauthorized", message);
	if (status == 403)
		return access_denied(ctx, *code ? code : "Forbidden", err);
	if (status == 404)
		return not_found(ctx, code, err);
	if (status == 429 || status == 503 || status == 504) {
		source_fail(err, SOURCE_ERR_THROTTLED, "%s: Microsoft Graph is %s (HTTP %ld); retrying after %ld s.",
			ctx->what, status == 429 ? "throttling this app" : "busy", status,
			retry_after_s > 0 ? retry_after_s : 0);
		err->retry_after_ms = retry_after_s > 0 ? retry_after_s * 1000 : 0;
		return false;
	}
	if (status == 409 || status == 412)
		return source_fail(err, SOURCE_ERR_CONFLICT, "%s: the meeting changed meanwhile (%ld %s).", ctx->what,
			status, code);
	if (status >= 500)
		return source_fail(err, SOURCE_ERR_NETWORK, "%s: Microsoft Graph failed (HTTP %ld %s); retrying later.",
			ctx->what, status, code);
	return source_fail(err, SOURCE_ERR_BAD_RESPONSE, "%s: Microsoft Graph answered HTTP %ld %s: %s", ctx->what,
		status, *code ? code : "", message);
}

char *
graph_access_advice(const char *client_id, const char *mailbox)
{
	const char *app = client_id ? client_id : "<app id>";
	return xasprintf(
		"Exchange Online only lets the app into the mailboxes of its RBAC for Applications scope. In Exchange "
		"Online PowerShell:\n"
		"  New-ManagementScope -Name \"roomsign rooms\" -RecipientRestrictionFilter \"RecipientTypeDetails -eq "
		"'RoomMailbox'\"\n"
		"  New-ServicePrincipal -AppId %s -ObjectId <object id of the enterprise application> -DisplayName "
		"roomsign\n"
		"  New-ManagementRoleAssignment -App %s -Role \"Application Calendars.ReadWrite\" -CustomResourceScope "
		"\"roomsign rooms\"\n"
		"  Test-ServicePrincipalAuthorization -Identity %s -Resource %s   (InScope must be True)\n"
		"Warning: do not also grant Calendars.Read or Calendars.ReadWrite with admin consent in Entra ID. That "
		"tenant-wide consent adds to the RBAC role and makes the scope meaningless: the app could open every "
		"mailbox. Changes can take up to two hours to apply.",
		app, app, app, mailbox ? mailbox : "<room>");
}
