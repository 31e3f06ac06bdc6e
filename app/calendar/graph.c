/* graph.c — the room's calendar in Exchange Online through Microsoft Graph, app-only.
 * Protocol facts and their sources: docs PROTOCOLS.md section B. */
#define LOG_MODULE "graph"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <openssl/rand.h>
#include "graph_json.h"
#include "source.h"
#include "../core/room_state.h"
#include "../core/timeutil.h"
#include "../core/xalloc.h"
#include "../core/log.h"
#include "../net/http.h"
#include "../net/retry.h"
#include "../net/oauth.h"

#define MAX_ATTEMPTS          4
#define MAX_INLINE_WAIT_S     30 /* longer Retry-After: hand back THROTTLED to the scheduler */
#define MAX_PAGES             200
#define MAX_EVENTS            10000
#define PAGE_SIZE             100 /* $top; Graph's default page is 10 */
#define SCHEDULE_INTERVAL_MIN 15
#define DELTA_PAGE_SIZE       100 /* Prefer: odata.maxpagesize on calendarView/delta */
#define DELTA_REREAD_MAX      20  /* more changed events in one poll: one full read instead */
#define PLACES_PAGES_MAX      50  /* of the tenant's room list, 100 rooms a page */
#define SELECT                                                                                  \
	"subject,start,end,isAllDay,showAs,sensitivity,isCancelled,organizer,isOrganizer,type," \
	"transactionId,createdDateTime,changeKey"

/* A nearby room's display name from the tenant's room list. */
struct room_name {
	char *room;
	char *name; /* NULL: not on the list (the address is shown) */
};

struct graph_source {
	struct source base; /* first: the vtable casts */
	struct oauth *oauth;
	char *api;    /* https://graph.microsoft.com/v1.0 */
	char *origin; /* https://graph.microsoft.com/ — next links must stay here */
	char *room;   /* /users/<escaped mailbox> */
	/* Delta state (README "Changes within seconds"): the sign's window as the last full read
	 * and the delta polls since left it, and the link that asks what changed next. */
	struct event *events;
	size_t count;
	rs_time win_from, win_to;
	bool has_cache;
	char *delta_link;       /* NULL: no round yet, or it must start again */
	bool delta_unsupported; /* the server refused calendarView/delta: full reads every `refresh` */
	uint64_t full_at_ms;    /* monotonic time of the last full read of the window */
	/* Nearby rooms' names, read once per source: names seldom change. */
	struct room_name names[CONFIG_MAX_ROOMS];
	size_t name_count;
	bool names_read;    /* the room list was read, or refused for good */
	bool places_denied; /* refused with 403: the app lacks Place.Read.All */
	/* Traffic, logged once an hour of the sign's clock. */
	unsigned long requests;
	unsigned long long bytes;
	rs_time traffic_since;
};

struct call {
	const char *method; /* NULL: GET */
	const char *url;
	const char *body;
	bool may_resend;      /* idempotent: safe to send again after a dropped answer */
	const char *if_match; /* NULL, or the ETag the change is based on (412 when stale) */
	bool delta_page;      /* Prefer: odata.maxpagesize (calendarView/delta pages) */
	long *status_out;     /* NULL, or gets the HTTP status of a failed answer (0: none) */
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

/* 1, 2, then 4 s, or Retry-After up to MAX_INLINE_WAIT_S and twice that in all; a longer wait
 * goes back to the worker's schedule as THROTTLED. */
static const struct retry_policy graph_retry = { .retries = MAX_ATTEMPTS - 1,
	.first_ms = 1000,
	.max_wait_ms = MAX_INLINE_WAIT_S * 1000L,
	.budget_ms = 2 * MAX_INLINE_WAIT_S * 1000L };

static struct graph_context
context(struct graph_source *g, const char *what, bool is_write)
{
	return (struct graph_context){ .what = what,
		.mailbox = g->base.config->mailbox,
		.client_id = g->base.config->client_id,
		.is_write = is_write };
}

/* One Graph request with the token, renewed once on 401, and Retry-After honoured for 429,
 * 503 and 504. true for a 2xx answer (resp filled, caller finishes it); false with err. */
static bool
graph_call(struct graph_source *g, const struct call *call, struct http_response *resp, struct source_error *err)
{
	const struct source_config *c = g->base.config;
	struct http_header headers[6] = {
		{ "Accept", "application/json" },
		{ "Prefer", "outlook.timezone=\"UTC\"" },
		{ "Prefer", "IdType=\"ImmutableId\"" },
	};
	size_t header_count = 3;
	char max_page[40];
	if (call->delta_page) {
		snprintf(max_page, sizeof(max_page), "odata.maxpagesize=%d", DELTA_PAGE_SIZE);
		headers[header_count++] = (struct http_header){ "Prefer", max_page };
	}
	if (call->if_match)
		headers[header_count++] = (struct http_header){ "If-Match", call->if_match };
	if (call->body)
		headers[header_count++] = (struct http_header){ "Content-Type", "application/json" };
	bool renewed = false;
	struct retry r;
	long wanted, wait;
	retry_start(&r, &graph_retry, NULL);
	for (;;) {
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
		g->requests++;
		if (call->status_out)
			*call->status_out = 0;
		if (!http_perform(&req, resp, err)) {
			http_response_finish(resp); /* headers of a dropped answer may be left */
			if (!call->may_resend || err->category != SOURCE_ERR_NETWORK ||
				(wait = retry_next_ms(&r, -1, &wanted)) < 0)
				return false;
			log_debug("%s: %s; sending again in %ld ms", call->ctx.what, err->message, wait);
			retry_sleep_ms(wait);
			continue;
		}
		g->bytes += resp->body_len;
		if (resp->status >= 200 && resp->status < 300)
			return true;
		if (call->status_out)
			*call->status_out = resp->status;
		if (resp->status == 401 && !renewed) {
			/* The token expired early or was revoked: one fresh token, one more try. */
			renewed = true;
			oauth_invalidate(g->oauth);
			http_response_finish(resp);
			continue;
		}
		wait = -1;
		if (resp->status == 429 || resp->status == 503 || resp->status == 504 ||
			(resp->status >= 500 && call->may_resend))
			wait = retry_next_ms(&r, resp->retry_after_s >= 0 ? resp->retry_after_s * 1000L : -1, &wanted);
		if (wait >= 0) {
			log_debug("%s: HTTP %ld, trying again in %ld ms", call->ctx.what, resp->status, wait);
			http_response_finish(resp);
			retry_sleep_ms(wait);
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

/* Reads [from, to) with calendarView ($select, the check-in's $expand), page by page. */
static bool
read_view(struct graph_source *g, rs_time from, rs_time to, struct event **events_out, size_t *count_out,
	struct source_error *err)
{
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
	*events_out = events;
	*count_out = count;
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

/* ---- the window cache and calendarView/delta (issue 16) ----
 * A full read of the sign's window goes through calendarView with $select and the check-in's
 * $expand (which calendarView/delta does not take): that is the cache. Before it, a delta round
 * over the same window (Prefer: odata.maxpagesize, nextLink … deltaLink) yields the deltaLink;
 * a change between the two comes once more in the next poll and is applied again, harmlessly.
 * A poll GETs the deltaLink: created or updated ids are read again one by one with GET
 * /events/{id} (the check-in property, the same $select as the full read), @removed ids leave
 * the cache. 410 (syncStateNotFound, resyncRequired) starts a new round. */

static bool
same_window(const struct graph_source *g, rs_time from, rs_time to)
{
	return g->has_cache && from == g->win_from && to == g->win_to;
}

static void
cache_clear(struct graph_source *g)
{
	for (size_t i = 0; i < g->count; i++)
		event_finish(&g->events[i]);
	free(g->events);
	g->events = NULL;
	g->count = 0;
	g->has_cache = false;
}

/* Takes ownership of events[0..count). */
static void
cache_set(struct graph_source *g, rs_time from, rs_time to, struct event *events, size_t count)
{
	cache_clear(g);
	g->events = events;
	g->count = count;
	g->win_from = from;
	g->win_to = to;
	g->has_cache = true;
	g->full_at_ms = time_mono_ms();
}

static void
cache_drop(struct graph_source *g, const char *id)
{
	for (size_t i = 0; i < g->count; i++)
		if (g->events[i].id && strcmp(g->events[i].id, id) == 0) {
			event_finish(&g->events[i]);
			g->events[i] = g->events[--g->count];
			return;
		}
}

/* Takes ownership of *e: replaces the cached event with its id, or adds it. */
static void
cache_put(struct graph_source *g, struct event *e)
{
	cache_drop(g, e->id);
	g->events = xrealloc(g->events, (g->count + 1) * sizeof(*g->events));
	g->events[g->count++] = *e;
	memset(e, 0, sizeof(*e));
}

static struct schedule *
cache_schedule(const struct graph_source *g)
{
	struct event *copy = g->count ? xcalloc(g->count, sizeof(*copy)) : NULL;
	for (size_t i = 0; i < g->count; i++)
		event_copy(&copy[i], &g->events[i]);
	return schedule_create(g->win_from, g->win_to, copy, g->count);
}

/* Moves the ids of page into all. */
static void
delta_merge(struct graph_delta_page *all, struct graph_delta_page *page)
{
	all->changed = xrealloc(all->changed, (all->changed_count + page->changed_count + 1) * sizeof(char *));
	memcpy(all->changed + all->changed_count, page->changed, page->changed_count * sizeof(char *));
	all->changed_count += page->changed_count;
	page->changed_count = 0;
	all->removed = xrealloc(all->removed, (all->removed_count + page->removed_count + 1) * sizeof(char *));
	memcpy(all->removed + all->removed_count, page->removed, page->removed_count * sizeof(char *));
	all->removed_count += page->removed_count;
	page->removed_count = 0;
}

/* Follows a delta round from url (owned) through its nextLinks to the deltaLink; the ids of
 * every page are gathered in *all. *status: the HTTP status of a refused answer (410 …). */
static bool
delta_walk(struct graph_source *g, char *url, struct graph_delta_page *all, long *status, struct source_error *err)
{
	memset(all, 0, sizeof(*all));
	*status = 0;
	bool ok = false;
	for (int pages = 0; url; pages++) {
		struct http_response resp;
		struct graph_delta_page page;
		struct call call = { .url = url,
			.may_resend = true,
			.delta_page = true,
			.status_out = status,
			.ctx = context(g, "Reading the room's calendar", false) };
		if (pages == MAX_PAGES || all->changed_count + all->removed_count > MAX_EVENTS) {
			source_fail(err, SOURCE_ERR_BAD_RESPONSE,
				"The room's calendar changes fill more than %d pages.", MAX_PAGES);
			goto out;
		}
		if (!graph_call(g, &call, &resp, err))
			goto out;
		bool parsed = graph_parse_delta(resp.body, resp.body_len, &page, err);
		http_response_finish(&resp);
		if (!parsed)
			goto out;
		delta_merge(all, &page);
		free(url);
		url = page.next_link;
		page.next_link = NULL;
		free(all->delta_link);
		all->delta_link = page.delta_link;
		page.delta_link = NULL;
		graph_delta_page_finish(&page);
		if ((url && !same_origin(g, url)) || (all->delta_link && !same_origin(g, all->delta_link))) {
			source_fail(err, SOURCE_ERR_BAD_RESPONSE,
				"Microsoft Graph sent a delta link to another host; not followed.");
			goto out;
		}
	}
	ok = true;
out:
	free(url);
	if (!ok)
		graph_delta_page_finish(all);
	return ok;
}

/* A new delta round over [from, to): only its deltaLink is kept (the full read that follows is
 * the truth). *refused: the server answered 400, 404, 405 or 501 (no such function?). */
static bool
start_delta(struct graph_source *g, rs_time from, rs_time to, bool *refused, struct source_error *err)
{
	char start[32], end[32];
	time_format_utc(from, start, sizeof(start));
	time_format_utc(to, end, sizeof(end));
	free(g->delta_link);
	g->delta_link = NULL;
	struct graph_delta_page round;
	long status;
	char *url = xasprintf("%s%s/calendarView/delta?startDateTime=%s&endDateTime=%s", g->api, g->room, start, end);
	*refused = false;
	if (!delta_walk(g, url, &round, &status, err)) {
		*refused = status == 400 || status == 404 || status == 405 || status == 501;
		return false;
	}
	g->delta_link = round.delta_link;
	round.delta_link = NULL;
	graph_delta_page_finish(&round);
	log_debug("delta round started for the window");
	return true;
}

/* A new delta round, then the window read in full: the cheap poll's start (and restart after a
 * 410 or a new day). A refused round followed by a working full read is a server without
 * calendarView/delta: noted once, and full reads every `refresh` from then on. */
static bool
full_sync(struct graph_source *g, rs_time from, rs_time to, struct source_error *err)
{
	bool refused = false;
	struct source_error delta_err = { 0 };
	if (!g->delta_unsupported && !start_delta(g, from, to, &refused, &delta_err) && !refused) {
		*err = delta_err;
		return false;
	}
	struct event *events = NULL;
	size_t count = 0;
	if (!read_view(g, from, to, &events, &count, err))
		return false; /* the real trouble (no such mailbox …) speaks for itself */
	if (refused) {
		log_warn("Microsoft Graph refused calendarView/delta (%s): reading the whole window every %d s "
			 "instead",
			delta_err.message, g->base.config->refresh_s);
		g->delta_unsupported = true;
	}
	cache_set(g, from, to, events, count);
	return true;
}

/* Once an hour of the sign's clock: what the calendar cost (README "Changes within seconds"). */
static void
traffic_report(struct graph_source *g)
{
	rs_time now = time_now();
	if (!g->traffic_since)
		g->traffic_since = now;
	if (now - g->traffic_since < TIME_HOUR)
		return;
	log_info("traffic: %lu requests, %llu bytes received in the last %lld min", g->requests, g->bytes,
		(long long)(now - g->traffic_since) / 60);
	g->requests = 0;
	g->bytes = 0;
	g->traffic_since = now;
}

static bool
graph_fetch(struct source *s, rs_time from, rs_time to, struct schedule **out, struct source_error *err)
{
	struct graph_source *g = to_graph(s);
	traffic_report(g);
	struct event *events = NULL;
	size_t count = 0;
	if (!read_view(g, from, to, &events, &count, err))
		return false;
	if (g->has_cache && !same_window(g, from, to)) { /* another window (a booking's check) */
		*out = schedule_create(from, to, events, count);
		return true;
	}
	/* The sign's window: the cache follows (the delta link stays: what it reports again is
	 * read again, harmlessly). A first fetch only adopts the window: commands never start a
	 * delta round, the first cheap poll does. */
	cache_set(g, from, to, events, count);
	*out = cache_schedule(g);
	return true;
}

static bool
overlaps(const struct event *e, rs_time from, rs_time to)
{
	return e->start < to && (e->end > from || e->start >= from);
}

/* Reads each changed event again and drops the removed ones; too many: one full read. */
static bool
apply_delta(struct graph_source *g, const struct graph_delta_page *d, struct source_error *err)
{
	if (d->changed_count > DELTA_REREAD_MAX) {
		struct event *events = NULL;
		size_t count = 0;
		if (!read_view(g, g->win_from, g->win_to, &events, &count, err))
			return false;
		cache_set(g, g->win_from, g->win_to, events, count);
		return true;
	}
	struct event *fresh = xcalloc(d->changed_count + 1, sizeof(*fresh));
	bool ok = true;
	size_t i;
	for (i = 0; i < d->changed_count && ok; i++) {
		struct event key = { .id = d->changed[i] };
		ok = read_event(g, &key, &fresh[i], err) || err->category == SOURCE_ERR_NOT_FOUND;
	}
	if (ok) { /* the cache changes only when every read worked: a failed poll is asked again */
		for (size_t k = 0; k < d->removed_count; k++)
			cache_drop(g, d->removed[k]);
		for (size_t k = 0; k < d->changed_count; k++) {
			if (fresh[k].id && overlaps(&fresh[k], g->win_from, g->win_to))
				cache_put(g, &fresh[k]);
			else
				cache_drop(g, d->changed[k]); /* deleted meanwhile, or moved out of the window */
		}
	}
	for (size_t k = 0; k < i; k++)
		event_finish(&fresh[k]);
	free(fresh);
	return ok;
}

/* The cheap poll: GET the deltaLink; a schedule only when something changed. */
static bool
graph_fetch_changes(struct source *s, rs_time from, rs_time to, struct schedule **out, struct source_error *err)
{
	struct graph_source *g = to_graph(s);
	*out = NULL;
	traffic_report(g);
	if (g->delta_unsupported) { /* full reads, but only every `refresh` as without polls */
		uint64_t every_ms = (uint64_t)((double)s->config->refresh_s * 1000.0 / time_speed());
		if (same_window(g, from, to) && time_mono_ms() - g->full_at_ms < every_ms)
			return true;
	} else if (same_window(g, from, to) && g->delta_link) {
		struct graph_delta_page d;
		long status;
		if (delta_walk(g, xstrdup(g->delta_link), &d, &status, err)) {
			bool changed = d.changed_count + d.removed_count > 0;
			bool ok = !changed || apply_delta(g, &d, err);
			if (ok) {
				free(g->delta_link);
				g->delta_link = d.delta_link;
				d.delta_link = NULL;
				log_debug("delta: %zu changed, %zu removed", d.changed_count, d.removed_count);
			}
			graph_delta_page_finish(&d);
			if (ok && changed)
				*out = cache_schedule(g);
			return ok;
		}
		if (status != 410)
			return false;
		log_info("the delta link expired (HTTP 410: %s): reading the whole window again", err->message);
		free(g->delta_link);
		g->delta_link = NULL;
	}
	if (!full_sync(g, from, to, err))
		return false;
	*out = cache_schedule(g);
	return true;
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

static struct room_name *
name_entry(struct graph_source *g, const char *room)
{
	for (size_t i = 0; i < g->name_count; i++)
		if (strcasecmp(g->names[i].room, room) == 0)
			return &g->names[i];
	return NULL;
}

/* Takes the names of the rooms asked for from one page of the room list; true when every
 * room asked for has one. */
static bool
remember_names(struct graph_source *g, const struct graph_places_page *page)
{
	for (size_t i = 0; i < page->count; i++) {
		struct room_name *r = name_entry(g, page->places[i].address);
		if (r && !r->name)
			r->name = xstrdup(page->places[i].name);
	}
	for (size_t i = 0; i < g->name_count; i++)
		if (!g->names[i].name)
			return false;
	return true;
}

/* One page of GET /places/microsoft.graph.room into the cache: 1 when the next page is worth
 * reading (*url), 0 when done (or refused for good: 403, no Place.Read.All), -1 when reading
 * again later may work. */
static int
read_places_page(struct graph_source *g, char **url)
{
	struct http_response resp;
	struct graph_places_page page;
	struct source_error err = { 0 };
	long status = 0;
	struct call call = { .url = *url,
		.may_resend = true,
		.status_out = &status,
		.ctx = context(g, "Reading the room list", false) };
	bool ok = graph_call(g, &call, &resp, &err);
	free(*url);
	*url = NULL;
	if (!ok && status == 403) {
		g->places_denied = true;
		log_info("Microsoft Graph refused the room list (403): the app lacks the Place.Read.All "
			 "application permission, so Find a room shows addresses where nearby_rooms gives "
			 "no name ('Name <address>')");
		return 0;
	}
	if (!ok) {
		log_debug("room list: %s (read again next time)", err.message);
		return -1;
	}
	ok = graph_parse_places(resp.body, resp.body_len, &page, &err);
	http_response_finish(&resp);
	if (!ok) {
		log_info("room list: %s; Find a room shows addresses", err.message);
		return 0;
	}
	bool all = remember_names(g, &page);
	*url = page.next_link; /* followed exactly as given */
	page.next_link = NULL;
	graph_places_page_finish(&page);
	if (*url && !same_origin(g, *url)) {
		log_warn("Microsoft Graph sent a next-page link of the room list to another host; not followed");
		free(*url);
		*url = NULL;
	}
	return !all && *url ? 1 : 0;
}

/* Reads the display names of rooms[0..n) from the tenant's room list, once per source: the
 * pages up to the one that names the last of them. Rooms not on it keep their addresses. */
static void
read_room_names(struct graph_source *g, const struct room_availability *rooms, size_t n)
{
	if (g->names_read)
		return;
	for (size_t i = 0; i < n && g->name_count < CONFIG_MAX_ROOMS; i++)
		if (rooms[i].room && *rooms[i].room && !name_entry(g, rooms[i].room))
			g->names[g->name_count++] = (struct room_name){ .room = xstrdup(rooms[i].room) };
	char *url = xasprintf("%s/places/microsoft.graph.room?$top=100", g->api);
	int more = 1;
	for (int pages = 0; more == 1 && pages < PLACES_PAGES_MAX; pages++)
		more = read_places_page(g, &url);
	free(url);
	if (more < 0)
		return;
	if (more > 0)
		log_warn("the room list has more than %d pages; the rest is not read", PLACES_PAGES_MAX);
	g->names_read = true;
	for (size_t i = 0; i < g->name_count && !g->places_denied; i++)
		if (!g->names[i].name)
			log_info("%s is not on the tenant's room list (not a room, or hidden from the address list): "
				 "Find a room shows the address; name it in nearby_rooms ('Name <%s>')",
				g->names[i].room, g->names[i].room);
}

/* The config's names win; the room list names the others. */
static void
fill_names(struct graph_source *g, struct room_availability *out, size_t n)
{
	bool missing = false;
	for (size_t i = 0; i < n; i++)
		missing = missing || !out[i].name;
	if (!missing)
		return;
	read_room_names(g, out, n);
	for (size_t i = 0; i < n; i++) {
		const struct room_name *r = out[i].name || !out[i].room ? NULL : name_entry(g, out[i].room);
		if (r && r->name)
			out[i].name = xstrdup(r->name);
	}
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
	if (ok)
		fill_names(g, out, n);
	return ok;
}

/* user: sendMail as the room. Graph answers 202 Accepted when it took the message; any other
 * 2xx is no confirmation. Never sent twice on a lost answer: a duplicate reaches a person. */
static bool
post_mail(struct graph_source *g, const char *to, const char *subject, const char *body, long *status,
	struct source_error *err)
{
	char *url = xasprintf("%s%s/sendMail", g->api, g->room);
	char *json = graph_build_send_mail(to, subject, body);
	struct graph_context ctx = context(g, "Sending a message from the room", true);
	ctx.is_mail = true;
	struct call call = { .method = "POST", .url = url, .body = json, .status_out = status, .ctx = ctx };
	struct http_response resp;
	bool ok = graph_call(g, &call, &resp, err);
	free(url);
	free(json);
	if (!ok)
		return false;
	*status = resp.status;
	http_response_finish(&resp);
	if (*status != 202)
		return source_fail(
			err, SOURCE_ERR_BAD_RESPONSE, "Graph answered sendMail with %ld, not 202 Accepted.", *status);
	return true;
}

static bool
graph_send_mail(struct source *s, const char *to, const char *subject, const char *body, struct source_error *err)
{
	long status = 0;
	return post_mail(to_graph(s), to, subject, body, &status, err);
}

/* A message without recipients: with Mail.Send in scope Graph refuses it as 400
 * ErrorInvalidRecipients, without it 403 ErrorAccessDenied; nothing is ever sent. */
static bool
graph_check_mail(struct source *s, check_report_fn report, void *ctx)
{
	struct graph_source *g = to_graph(s);
	struct source_error err = { 0 };
	long status = 0;
	const char *step = "send \"Report a problem\" as the room (Mail.Send)";
	char *advice = graph_mail_advice(s->config->client_id, s->config->mailbox);
	bool ok = post_mail(g, NULL, "roomsign check", "", &status, &err);
	if (ok) { /* accepted without a recipient: not what Graph does */
		report(ctx, false, step,
			"Graph accepted a message without recipients: cannot tell whether Mail.Send works.");
	} else if (status == 400) {
		report(ctx, true, step,
			"the app may send as the room (a test message without recipients was refused as such: nothing "
			"was sent). Keep Mail.Send limited to the room mailboxes by RBAC for Applications, never by "
			"tenant-wide consent.");
		ok = true;
	} else {
		char *detail = xasprintf("%s\n%s", err.message, err.category == SOURCE_ERR_PERMISSION ? advice : "");
		report(ctx, false, step, detail);
		free(detail);
	}
	free(advice);
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

/* The name Find a room shows for a nearby room, and where it comes from. Not knowing it is no
 * failure: the list shows the address. */
static void
check_nearby_name(
	struct graph_source *g, const struct room_availability *r, const char *given, check_report_fn report, void *ctx)
{
	char step[320], detail[700];
	snprintf(step, sizeof(step), "nearby room %s: name", r->room);
	if (given)
		snprintf(detail, sizeof(detail), "\"%s\" (from nearby_rooms)", given);
	else if (r->name)
		snprintf(detail, sizeof(detail), "\"%s\" (from the tenant's room list)", r->name);
	else if (g->places_denied)
		snprintf(detail, sizeof(detail),
			"not known: the app may not read the tenant's room list (grant it the Place.Read.All "
			"application permission), so Find a room shows the address. Or name it in nearby_rooms: "
			"'Name <%s>'.",
			r->room);
	else
		snprintf(detail, sizeof(detail),
			"not known: it is not on the tenant's room list (not a room mailbox, or hidden from the "
			"address list), so Find a room shows the address. Name it in nearby_rooms: 'Name <%s>'.",
			r->room);
	report(ctx, true, step, detail);
}

/* Find a room offers every nearby room for booking, which writes into that room's calendar: the
 * app must be let into it (RBAC for Applications / application access policy), as into the
 * sign's own room. Asked with a read of the next hour. */
static bool
check_nearby_booking(struct graph_source *g, const char *room, rs_time now, check_report_fn report, void *ctx)
{
	char start[32], end[32], step[320];
	time_format_utc(now, start, sizeof(start));
	time_format_utc(now + TIME_HOUR, end, sizeof(end));
	char *box = escape_segment(room);
	char *url = xasprintf(
		"%s/users/%s/calendarView?startDateTime=%s&endDateTime=%s&$select=id&$top=1", g->api, box, start, end);
	struct graph_context gc = context(g, "Reading a nearby room's calendar", false);
	gc.mailbox = room;
	struct call call = { .url = url, .may_resend = true, .ctx = gc };
	struct http_response resp;
	struct source_error err = { 0 };
	bool ok = graph_call(g, &call, &resp, &err);
	free(url);
	free(box);
	if (ok)
		http_response_finish(&resp);
	snprintf(step, sizeof(step), "nearby room %s: the sign may book it", room);
	char *advice =
		err.category == SOURCE_ERR_PERMISSION ? graph_access_advice(g->base.config->client_id, room) : NULL;
	char *detail = ok       ? xasprintf("app %s may open %s", g->base.config->client_id, room)
		       : advice ? xasprintf("Find a room could not book it. %s\n%s", err.message, advice)
				: xasprintf("%s", err.message);
	report(ctx, ok, step, detail);
	free(detail);
	free(advice);
	return ok;
}

static bool check_booking(struct graph_source *g, rs_time now, check_report_fn report, void *ctx);

/* Steps of another room's checks, named for that room. */
struct room_steps {
	check_report_fn report;
	void *ctx;
	const char *room;
};

static void
room_step(void *ctx, bool ok, const char *step, const char *detail)
{
	struct room_steps *r = ctx;
	char named[400];
	snprintf(named, sizeof(named), "nearby room %s: %s", r->room, step);
	r->report(r->ctx, ok, named, detail);
}

/* --book-test: the same test booking as in the sign's room, in a nearby room, through a source
 * of its own (as Find a room books it): an app that may read but not write is caught here. */
static bool
check_nearby_test_booking(struct graph_source *g, const char *room, rs_time now, check_report_fn report, void *ctx)
{
	struct source_config copy;
	struct source_error err = { 0 };
	struct room_steps steps = { report, ctx, room };
	struct source *other = source_create_for_room(g->base.config, room, &copy, &err);
	if (!other) {
		room_step(&steps, false, "test booking", err.message);
		return false;
	}
	bool ok = check_booking(to_graph(other), now, room_step, &steps);
	source_destroy(other);
	return ok;
}

static bool
check_nearby(struct graph_source *g, rs_time now, bool book_test, check_report_fn report, void *ctx)
{
	const struct source_config *c = g->base.config;
	struct room_availability rooms[CONFIG_MAX_ROOMS] = { { 0 } };
	struct source_error err = { 0 };
	size_t n = c->nearby_count < CONFIG_MAX_ROOMS ? c->nearby_count : CONFIG_MAX_ROOMS;
	room_availability_init(rooms, n, c);
	if (!graph_free_busy(&g->base, now, time_day_end(now), rooms, n, &err)) {
		report_error(g, "look up the nearby rooms (getSchedule)", &err, report, ctx);
		room_availability_finish(rooms, n);
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
		check_nearby_name(g, &rooms[i], c->nearby_names[i], report, ctx);
		bool may = check_nearby_booking(g, rooms[i].room, now, report, ctx);
		if (may && book_test)
			may = check_nearby_test_booking(g, rooms[i].room, now, report, ctx);
		ok = may && rooms[i].ok && ok;
	}
	room_availability_finish(rooms, n);
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

/* The cheap change poll: one calendarView/delta round over today. Graph always offers it, so a
 * refusal is something in the way (a proxy, a national cloud without it) and a ✗ step. */
static bool
check_delta(struct graph_source *g, rs_time now, check_report_fn report, void *ctx)
{
	const struct source_config *cfg = g->base.config;
	const char *step = "cheap change polls (calendarView/delta)";
	struct source_error err = { 0 };
	bool refused = false;
	char detail[1024];
	if (start_delta(g, time_day_start(now), time_day_end(now), &refused, &err)) {
		snprintf(detail, sizeof(detail),
			"work: changes show within %d s, fetched alone; the whole day is read every %d s", cfg->poll_s,
			cfg->safety_refresh_s);
		report(ctx, true, step, detail);
		return true;
	}
	snprintf(detail, sizeof(detail), "%s: the sign works, but reads the whole day every %d s instead (%.700s)",
		refused ? "refused" : "failing", cfg->refresh_s, err.message);
	report(ctx, false, step, detail);
	return false;
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
	bool ok = check_delta(g, now, report, ctx);
	if (s->config->nearby_count > 0)
		ok = check_nearby(g, now, book_test, report, ctx) && ok;
	if (book_test)
		ok = check_booking(g, now, report, ctx) && ok;
	return ok;
}

static void
graph_destroy(struct source *s)
{
	struct graph_source *g = to_graph(s);
	oauth_destroy(g->oauth);
	cache_clear(g);
	for (size_t i = 0; i < g->name_count; i++) {
		free(g->names[i].room);
		free(g->names[i].name);
	}
	free(g->delta_link);
	free(g->api);
	free(g->origin);
	free(g->room);
	free(g);
}

static const struct source_ops graph_ops = {
	.fetch = graph_fetch,
	.fetch_changes = graph_fetch_changes,
	.book = graph_book,
	.update_end = graph_update_end,
	.release = graph_release,
	.check_in = graph_check_in,
	.free_busy = graph_free_busy,
	.check = graph_check,
	.destroy = graph_destroy,
	.send_mail = graph_send_mail,
	.check_mail = graph_check_mail,
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
