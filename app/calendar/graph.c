/* graph.c — the room's calendar in Exchange Online through Microsoft Graph, app-only.
 * Protocol facts and their sources: docs PROTOCOLS.md section B. */
#define LOG_MODULE "graph"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/rand.h>
#include "graph_json.h"
#include "source.h"
#include "../core/room_state.h"
#include "../core/timeutil.h"
#include "../core/xalloc.h"
#include "../log.h"
#include "../net/http.h"
#include "../net/oauth.h"

#define MAX_ATTEMPTS          4
#define MAX_INLINE_WAIT_S     30 /* longer Retry-After: hand back THROTTLED to the scheduler */
#define MAX_PAGES             200
#define MAX_EVENTS            10000
#define PAGE_SIZE             100 /* $top; Graph's default page is 10 */
#define SCHEDULE_INTERVAL_MIN 15
#define SELECT                                                                                  \
	"subject,start,end,isAllDay,showAs,sensitivity,isCancelled,organizer,isOrganizer,type," \
	"transactionId,createdDateTime,changeKey"

struct graph_source {
	struct source base; /* first: the vtable casts */
	struct oauth *oauth;
	char *api;    /* https://graph.microsoft.com/v1.0 */
	char *origin; /* https://graph.microsoft.com/ — next links must stay here */
	char *room;   /* /users/<escaped mailbox> */
};

struct call {
	const char *method; /* NULL: GET */
	const char *url;
	const char *body;
	bool may_resend;      /* idempotent: safe to send again after a dropped answer */
	const char *if_match; /* NULL, or the ETag the change is based on (412 when stale) */
	struct graph_context ctx;
};

static struct graph_source *
to_graph(struct source *s)
{
	return (struct graph_source *)s;
}

/* Percent-encodes a path segment (a mailbox address, a Graph id with '=' or '/'). */
static char *
escape_segment(const char *s)
{
	char *out = xmalloc(3 * strlen(s) + 1), *p = out;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
			strchr("-._~@", *c))
			*p++ = (char)*c;
		else
			p += snprintf(p, 4, "%%%02X", *c);
	}
	*p = '\0';
	return out;
}

static char *
strip_slash(const char *url)
{
	size_t n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	return xstrndup(url, n);
}

static void
sleep_s(long s)
{
	struct timespec ts = { .tv_sec = s, .tv_nsec = 0 };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static struct graph_context
context(struct graph_source *g, const char *what, bool is_write)
{
	return (struct graph_context){ .what = what,
		.mailbox = g->base.config->mailbox,
		.client_id = g->base.config->client_id,
		.is_write = is_write };
}

/* How long to wait before trying a throttled or failed request again; -1: give up now. */
static long
backoff_s(const struct http_response *resp, int attempt, long *waited_s)
{
	long wait = resp->retry_after_s >= 0 ? resp->retry_after_s : (1L << attempt);
	if (attempt + 1 >= MAX_ATTEMPTS || wait > MAX_INLINE_WAIT_S || *waited_s + wait > 2 * MAX_INLINE_WAIT_S)
		return -1;
	*waited_s += wait;
	return wait;
}

/* One Graph request with the token, renewed once on 401, and Retry-After honoured for 429,
 * 503 and 504. true for a 2xx answer (resp filled, caller finishes it); false with err. */
static bool
graph_call(struct graph_source *g, const struct call *call, struct http_response *resp, struct source_error *err)
{
	const struct source_config *c = g->base.config;
	struct http_header headers[5] = {
		{ "Accept", "application/json" },
		{ "Prefer", "outlook.timezone=\"UTC\"" },
		{ "Prefer", "IdType=\"ImmutableId\"" },
	};
	size_t header_count = 3;
	if (call->if_match)
		headers[header_count++] = (struct http_header){ "If-Match", call->if_match };
	if (call->body)
		headers[header_count++] = (struct http_header){ "Content-Type", "application/json" };
	bool renewed = false;
	long waited_s = 0;
	for (int attempt = 0;; attempt++) {
		const char *token = oauth_token(g->oauth, err);
		if (!token)
			return false;
		struct http_request req = {
			.method = call->method,
			.url = call->url,
			.body = call->body,
			.headers = headers,
			.header_count = header_count,
			.auth = HTTP_AUTH_BEARER,
			.bearer = token,
			.ca_file = c->ca_file,
			.timeout_s = c->timeout_s,
			.max_body = c->max_body,
		};
		if (!http_perform(&req, resp, err)) {
			http_response_finish(resp); /* headers of a dropped answer may be left */
			if (!call->may_resend || attempt + 1 >= MAX_ATTEMPTS || err->category != SOURCE_ERR_NETWORK)
				return false;
			log_debug("%s: %s; sending again", call->ctx.what, err->message);
			sleep_s(1L << attempt);
			continue;
		}
		if (resp->status >= 200 && resp->status < 300)
			return true;
		if (resp->status == 401 && !renewed) {
			/* The token expired early or was revoked: one fresh token, one more try. */
			renewed = true;
			oauth_invalidate(g->oauth);
			http_response_finish(resp);
			continue;
		}
		long wait = -1;
		if (resp->status == 429 || resp->status == 503 || resp->status == 504 ||
			(resp->status >= 500 && call->may_resend))
			wait = backoff_s(resp, attempt, &waited_s);
		if (wait >= 0) {
			log_debug("%s: HTTP %ld, trying again in %ld s", call->ctx.what, resp->status, wait);
			http_response_finish(resp);
			sleep_s(wait);
			continue;
		}
		graph_parse_error(resp->status, resp->body, resp->body_len, resp->retry_after_s, &call->ctx, err);
		log_debug("%s", err->message);
		http_response_finish(resp);
		return false;
	}
}

static bool
same_origin(struct graph_source *g, const char *url)
{
	return strncmp(url, g->origin, strlen(g->origin)) == 0;
}

static void
append_page(struct event **events, size_t *count, size_t *cap, struct graph_page *page)
{
	if (page->count == 0)
		return;
	if (*count + page->count > *cap) {
		*cap = (*count + page->count) * 2;
		*events = xrealloc(*events, *cap * sizeof(**events));
	}
	memcpy(*events + *count, page->events, page->count * sizeof(*page->events));
	*count += page->count;
	page->count = 0; /* moved: the page no longer owns them */
}

static bool
graph_fetch(struct source *s, rs_time from, rs_time to, struct schedule **out, struct source_error *err)
{
	struct graph_source *g = to_graph(s);
	char start[32], end[32];
	time_format_utc(from, start, sizeof(start));
	time_format_utc(to, end, sizeof(end));
	char *url = xasprintf("%s%s/calendarView?startDateTime=%s&endDateTime=%s&$select=" SELECT
			      "&%s&$orderby=start/dateTime&$top=%d",
		g->api, g->room, start, end, GRAPH_CHECKED_IN_EXPAND, PAGE_SIZE);
	struct event *events = NULL;
	size_t count = 0, cap = 0;
	bool ok = false;
	for (int pages = 0; url; pages++) {
		struct http_response resp;
		struct graph_page page;
		struct call call = {
			.url = url, .may_resend = true, .ctx = context(g, "Reading the room's calendar", false)
		};
		if (pages == MAX_PAGES) {
			source_fail(err, SOURCE_ERR_BAD_RESPONSE,
				"The room's calendar has more than %d pages; giving up.", MAX_PAGES);
			goto out;
		}
		if (!graph_call(g, &call, &resp, err))
			goto out;
		bool parsed = graph_parse_calendar_view(resp.body, resp.body_len, &page, err);
		http_response_finish(&resp);
		if (!parsed) {
			log_debug("calendarView page %d: %s", pages + 1, err->message);
			goto out;
		}
		if (count + page.count > MAX_EVENTS) {
			graph_page_finish(&page);
			source_fail(err, SOURCE_ERR_BAD_RESPONSE,
				"The room's calendar has more than %d events in the window.", MAX_EVENTS);
			goto out;
		}
		append_page(&events, &count, &cap, &page);
		free(url);
		url = page.next_link; /* followed exactly as given: it carries the query */
		page.next_link = NULL;
		graph_page_finish(&page);
		if (url && !same_origin(g, url)) {
			/* Never send the token anywhere but the configured Graph host. */
			source_fail(err, SOURCE_ERR_BAD_RESPONSE,
				"Microsoft Graph sent a next-page link to another host; not followed.");
			goto out;
		}
	}
	*out = schedule_create(from, to, events, count);
	events = NULL;
	count = 0;
	ok = true;
out:
	free(url);
	for (size_t i = 0; i < count; i++)
		event_finish(&events[i]);
	free(events);
	return ok;
}

static bool
graph_book(struct source *s, rs_time start, rs_time end, const char *subject, struct event *created_out,
	struct source_error *err)
{
	struct graph_source *g = to_graph(s);
	unsigned char random[8];
	char tx[GRAPH_TRANSACTION_ID_SIZE];
	if (RAND_bytes(random, sizeof(random)) != 1)
		return source_fail(err, SOURCE_ERR_CONFIG, "No randomness for the booking's transaction id.");
	graph_transaction_id(time_now(), random, tx, sizeof(tx));
	char *body = graph_build_event(start, end, subject, NULL, tx);
	char *url = xasprintf("%s%s/events", g->api, g->room);
	/* The same transactionId on every attempt: if an answer was lost, Graph hands back the
	 * event it already made instead of a second one. */
	struct call call = { .method = "POST",
		.url = url,
		.body = body,
		.may_resend = true,
		.ctx = context(g, "Booking the room", true) };
	struct http_response resp;
	bool ok = graph_call(g, &call, &resp, err);
	free(body);
	free(url);
	if (!ok)
		return false;
	struct event created = { 0 };
	ok = graph_parse_event(resp.body, resp.body_len, &created, err);
	http_response_finish(&resp);
	if (!ok)
		return false;
	created.booked_here = true;
	log_info("booked %s for %lld min", s->config->mailbox, (long long)(end - start) / 60);
	if (created_out)
		*created_out = created;
	else
		event_finish(&created);
	return true;
}

static char *
event_url(struct graph_source *g, const struct event *e, const char *action)
{
	char *id = escape_segment(e->id);
	char *url = xasprintf("%s%s/events/%s%s", g->api, g->room, id, action);
	free(id);
	return url;
}

/* The event's current changeKey, read again after a 412 (NULL with err on failure). */
static char *
reread_change_key(struct graph_source *g, const struct event *e, struct source_error *err)
{
	char *url = event_url(g, e, "?$select=" SELECT);
	struct call call = { .url = url, .may_resend = true, .ctx = context(g, "Reading the meeting again", false) };
	struct http_response resp;
	bool ok = graph_call(g, &call, &resp, err);
	free(url);
	if (!ok)
		return NULL;
	struct event fresh = { 0 };
	ok = graph_parse_event(resp.body, resp.body_len, &fresh, err);
	http_response_finish(&resp);
	char *key = ok && fresh.version ? xstrdup(fresh.version) : NULL;
	if (ok && !key)
		source_fail(err, SOURCE_ERR_BAD_RESPONSE, "Microsoft Graph sent the meeting without a changeKey.");
	event_finish(&fresh);
	return key;
}

/* PATCHes the end with If-Match on the changeKey the sign read, so a change made meanwhile is
 * not overwritten blindly: on 412 the meeting is read again and the end set once more on the
 * fresh version (the end is absolute, like CalDAV's re-applied edit); a second 412 gives up. */
static bool
graph_update_end(struct source *s, const struct event *e, rs_time new_end, struct source_error *err)
{
	struct graph_source *g = to_graph(s);
	if (!e->id)
		return source_fail(err, SOURCE_ERR_NOT_FOUND, "The meeting has no Graph id.");
	char *url = event_url(g, e, "");
	char *body = graph_build_end_patch(new_end);
	char *key = e->version ? xstrdup(e->version) : NULL;
	bool ok = false;
	for (int attempt = 0; attempt < 2; attempt++) {
		char *etag = key ? xasprintf("W/\"%s\"", key) : NULL;
		struct call call = { .method = "PATCH",
			.url = url,
			.body = body,
			.may_resend = true,
			.if_match = etag,
			.ctx = context(g, "Changing the meeting's end", true) };
		struct http_response resp;
		ok = graph_call(g, &call, &resp, err);
		free(etag);
		if (ok)
			http_response_finish(&resp);
		if (ok || err->category != SOURCE_ERR_CONFLICT || !key || attempt == 1)
			break;
		log_info("the meeting changed since it was read (HTTP 412): reading it again");
		free(key);
		if (!(key = reread_change_key(g, e, err)))
			break;
	}
	free(key);
	free(url);
	free(body);
	return ok;
}

/* Marks the event checked in (GRAPH_CHECKED_IN_ID), so every sign on the room sees it. */
static bool
graph_check_in(struct source *s, const struct event *e, struct source_error *err)
{
	struct graph_source *g = to_graph(s);
	if (!e->id)
		return source_fail(err, SOURCE_ERR_NOT_FOUND, "The meeting has no Graph id.");
	char *url = event_url(g, e, "");
	char *body = graph_build_checked_in_patch();
	struct call call = { .method = "PATCH",
		.url = url,
		.body = body,
		.may_resend = true,
		.ctx = context(g, "Recording the check-in", true) };
	struct http_response resp;
	bool ok = graph_call(g, &call, &resp, err);
	free(url);
	free(body);
	if (ok)
		http_response_finish(&resp);
	return ok;
}

/* The meeting as Graph holds it now (the re-read before a release). */
static bool
read_event(struct graph_source *g, const struct event *e, struct event *fresh, struct source_error *err)
{
	char *base = event_url(g, e, "");
	char *url = xasprintf("%s?$select=" SELECT "&%s", base, GRAPH_CHECKED_IN_EXPAND);
	free(base);
	struct call call = {
		.method = "GET", .url = url, .may_resend = true, .ctx = context(g, "Reading the meeting", true)
	};
	struct http_response resp;
	bool ok = graph_call(g, &call, &resp, err);
	free(url);
	if (!ok)
		return false;
	ok = graph_parse_event(resp.body, resp.body_len, fresh, err);
	http_response_finish(&resp);
	return ok;
}

/* Reads the meeting again first: one moved, edited or cancelled in Outlook since the sign's last
 * fetch is left alone. The sign's own booking (judged on the fresh event: see graph_json.c) is
 * deleted; someone else's meeting is declined, so the organizer hears the room was released. */
static bool
graph_release(struct source *s, const struct event *e, struct source_error *err)
{
	struct graph_source *g = to_graph(s);
	if (!e->id)
		return source_fail(err, SOURCE_ERR_NOT_FOUND, "The meeting has no Graph id.");
	struct event fresh = { 0 };
	if (!read_event(g, e, &fresh, err)) /* gone already: nothing to release */
		return err->category == SOURCE_ERR_NOT_FOUND;
	const char *why = NULL;
	if (!room_release_still_due(e, &fresh, &why)) {
		event_finish(&fresh);
		return source_fail(err, SOURCE_ERR_CONFLICT, "The meeting was left in the calendar: %s.", why);
	}
	bool own = fresh.booked_here;
	event_finish(&fresh);
	char *url = event_url(g, e, own ? "" : "/decline");
	char *body = own ? NULL : graph_build_decline("Released by the room sign: nobody checked in.");
	struct call call = { .method = own ? "DELETE" : "POST",
		.url = url,
		.body = body,
		.may_resend = true,
		.ctx = context(g, "Releasing the meeting", true) };
	struct http_response resp;
	bool ok = graph_call(g, &call, &resp, err);
	free(url);
	free(body);
	if (ok) {
		http_response_finish(&resp);
	} else if (err->category == SOURCE_ERR_NOT_FOUND) {
		/* Already gone (perhaps by our own earlier attempt whose answer was lost). */
		ok = true;
	}
	return ok;
}

static bool
graph_free_busy(
	struct source *s, rs_time from, rs_time to, struct room_availability *out, size_t n, struct source_error *err)
{
	struct graph_source *g = to_graph(s);
	if (n == 0)
		return true;
	const char **rooms = xcalloc(n, sizeof(*rooms));
	for (size_t i = 0; i < n; i++)
		rooms[i] = out[i].room;
	char *body = graph_build_get_schedule(rooms, n, from, to, SCHEDULE_INTERVAL_MIN);
	char *url = xasprintf("%s%s/calendar/getSchedule", g->api, g->room);
	struct call call = { .method = "POST",
		.url = url,
		.body = body,
		.may_resend = true,
		.ctx = context(g, "Looking up the nearby rooms", false) };
	struct http_response resp;
	bool ok = graph_call(g, &call, &resp, err);
	free(rooms);
	free(body);
	free(url);
	if (!ok)
		return false;
	ok = graph_parse_get_schedule(resp.body, resp.body_len, from, out, n, err);
	http_response_finish(&resp);
	return ok;
}

/* `roomsign check`: each step the way a Graph administrator would fix it. */
static bool
check_sign_in(struct graph_source *g, check_report_fn report, void *ctx)
{
	const struct source_config *c = g->base.config;
	struct source_error err = { 0 };
	char detail[300], thumb[48];
	if (!oauth_token(g->oauth, &err)) {
		report(ctx, false, "sign in to Entra ID", err.message);
		return false;
	}
	if (oauth_thumbprint_hex(g->oauth, thumb, sizeof(thumb)))
		snprintf(detail, sizeof(detail), "tenant %s, app %s, certificate %s", c->tenant, c->client_id, thumb);
	else
		snprintf(detail, sizeof(detail), "tenant %s, app %s, client secret", c->tenant, c->client_id);
	report(ctx, true, "sign in to Entra ID", detail);
	return true;
}

static void
report_error(
	struct graph_source *g, const char *step, const struct source_error *err, check_report_fn report, void *ctx)
{
	report(ctx, false, step, err->message);
	if (err->category == SOURCE_ERR_PERMISSION) {
		char *advice = graph_access_advice(g->base.config->client_id, g->base.config->mailbox);
		report(ctx, false, "grant the app this room", advice);
		free(advice);
	}
}

static bool
check_nearby(struct graph_source *g, rs_time now, check_report_fn report, void *ctx)
{
	const struct source_config *c = g->base.config;
	struct room_availability rooms[CONFIG_MAX_ROOMS] = { { 0 } };
	struct source_error err = { 0 };
	size_t n = c->nearby_count < CONFIG_MAX_ROOMS ? c->nearby_count : CONFIG_MAX_ROOMS;
	for (size_t i = 0; i < n; i++)
		rooms[i].room = c->nearby_rooms[i];
	if (!graph_free_busy(&g->base, now, time_day_end(now), rooms, n, &err)) {
		report_error(g, "look up the nearby rooms (getSchedule)", &err, report, ctx);
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		char step[320], detail[96], hm[8];
		snprintf(step, sizeof(step), "nearby room %s", rooms[i].room);
		time_format_hm(rooms[i].busy_until ? rooms[i].busy_until : rooms[i].free_until, hm, sizeof(hm));
		if (!rooms[i].ok)
			snprintf(detail, sizeof(detail),
				"no free/busy answer: is the address right and in the app's scope?");
		else if (rooms[i].busy_until)
			snprintf(detail, sizeof(detail), "busy until %s", hm);
		else
			snprintf(detail, sizeof(detail), rooms[i].free_until ? "free until %s" : "free today", hm);
		report(ctx, rooms[i].ok, step, detail);
		ok = ok && rooms[i].ok;
	}
	return ok;
}

/* A quarter hour, at least an hour ahead, that nothing blocks; 0 when the day is full. */
static rs_time
free_test_slot(const struct schedule *sch, rs_time now)
{
	rs_time start = (now / (15 * TIME_MINUTE) + 5) * 15 * TIME_MINUTE;
	for (; start < sch->to - 15 * TIME_MINUTE; start += 15 * TIME_MINUTE) {
		const struct event *hits[16];
		size_t k = schedule_between(sch, start, start + 15 * TIME_MINUTE, hits, 16);
		bool blocked = k == 16;
		for (size_t i = 0; i < k && !blocked; i++)
			blocked = event_blocks_room(hits[i]) && !hits[i]->all_day;
		if (!blocked)
			return start;
	}
	return 0;
}

static bool
check_booking(struct graph_source *g, rs_time now, check_report_fn report, void *ctx)
{
	struct source_error err = { 0 };
	struct schedule *sch = NULL;
	struct event created = { 0 };
	char detail[128], hm[8];
	if (!graph_fetch(&g->base, now, now + TIME_DAY, &sch, &err)) {
		report_error(g, "test booking", &err, report, ctx);
		return false;
	}
	rs_time start = free_test_slot(sch, now);
	schedule_destroy(sch);
	if (!start) {
		report(ctx, false, "test booking", "no free quarter hour in the next day to try a booking");
		return false;
	}
	bool ok = source_book_checked(&g->base, start, start + 15 * TIME_MINUTE,
		"roomsign check: test booking (removed at once)", &created, &err);
	time_format_hm(start, hm, sizeof(hm));
	snprintf(detail, sizeof(detail), "booked %s for 15 min", hm);
	if (!ok) {
		report_error(g, "test booking: create", &err, report, ctx);
		return false;
	}
	report(ctx, true, "test booking: create", detail);
	ok = graph_update_end(&g->base, &created, start + 10 * TIME_MINUTE, &err);
	if (ok)
		created.end = start + 10 * TIME_MINUTE; /* what the release's re-read will find */
	if (ok)
		report(ctx, true, "test booking: shorten (PATCH end)", "ended 5 min earlier");
	else
		report_error(g, "test booking: shorten (PATCH end)", &err, report, ctx);
	if (graph_release(&g->base, &created, &err)) {
		report(ctx, true, "test booking: delete", "removed again");
	} else {
		report_error(g, "test booking: delete", &err, report, ctx);
		ok = false;
	}
	event_finish(&created);
	return ok;
}

static bool
graph_check(struct source *s, bool book_test, check_report_fn report, void *ctx)
{
	struct graph_source *g = to_graph(s);
	struct source_error err = { 0 };
	struct schedule *sch = NULL;
	rs_time now = time_now();
	char detail[300];
	if (!check_sign_in(g, report, ctx))
		return false;
	if (!graph_fetch(s, time_day_start(now), time_day_end(now), &sch, &err)) {
		report_error(g, "read the room's calendar", &err, report, ctx);
		return false;
	}
	snprintf(detail, sizeof(detail), "%s: %zu events today", s->config->mailbox, sch->count);
	schedule_destroy(sch);
	report(ctx, true, "read the room's calendar", detail);
	bool ok = true;
	if (s->config->nearby_count > 0)
		ok = check_nearby(g, now, report, ctx) && ok;
	if (book_test)
		ok = check_booking(g, now, report, ctx) && ok;
	return ok;
}

static void
graph_destroy(struct source *s)
{
	struct graph_source *g = to_graph(s);
	oauth_destroy(g->oauth);
	free(g->api);
	free(g->origin);
	free(g->room);
	free(g);
}

static const struct source_ops graph_ops = {
	.fetch = graph_fetch,
	.book = graph_book,
	.update_end = graph_update_end,
	.release = graph_release,
	.check_in = graph_check_in,
	.free_busy = graph_free_busy,
	.check = graph_check,
	.destroy = graph_destroy,
};

static char *
origin_of(const char *url)
{
	const char *host = strstr(url, "://");
	size_t n = host ? (size_t)(host + 3 - url) + strcspn(host + 3, "/?#") : strlen(url);
	return xasprintf("%.*s/", (int)n, url);
}

struct source *
graph_source_create(const struct source_config *config, struct source_error *err)
{
	const char *missing = !config->mailbox || !*config->mailbox       ? "mailbox"
			      : !config->tenant || !*config->tenant       ? "tenant"
			      : !config->client_id || !*config->client_id ? "client_id"
									  : NULL;
	if (missing) {
		source_fail(err, SOURCE_ERR_CONFIG, "[source] %s is required for type = graph.", missing);
		return NULL;
	}
	const char *authority = config->authority ? config->authority : "https://login.microsoftonline.com";
	const char *graph_url = config->graph_url ? config->graph_url : "https://graph.microsoft.com";
	char *auth_base = strip_slash(authority), *graph_base = strip_slash(graph_url);
	char *tenant = escape_segment(config->tenant);
	char *token_url = xasprintf("%s/%s/oauth2/v2.0/token", auth_base, tenant);
	char *scope = xasprintf("%s/.default", graph_base);
	bool has_cert = config->certificate_file && *config->certificate_file;
	struct oauth_config oc = {
		.token_url = token_url,
		.tenant = config->tenant,
		.client_id = config->client_id,
		.scope = scope,
		.client_secret = has_cert ? NULL : config->client_secret,
		.certificate_file = has_cert ? config->certificate_file : NULL,
		.private_key_file = has_cert ? config->private_key_file : NULL,
		.alg = OAUTH_ALG_PS256,
		.ca_file = config->ca_file,
		.timeout_s = config->timeout_s,
	};
	struct oauth *oauth = oauth_create(&oc, err);
	free(token_url);
	free(scope);
	free(tenant);
	free(auth_base);
	if (!oauth) {
		free(graph_base);
		return NULL;
	}
	struct graph_source *g = xcalloc(1, sizeof(*g));
	g->base.ops = &graph_ops;
	g->base.config = config;
	g->oauth = oauth;
	g->api = xasprintf("%s/v1.0", graph_base);
	g->origin = origin_of(graph_base);
	char *mailbox = escape_segment(config->mailbox);
	g->room = xasprintf("/users/%s", mailbox);
	free(mailbox);
	free(graph_base);
	return &g->base;
}
