/* caldav.c — a room calendar on a CalDAV server (RFC 4791): discovery (RFC 6764, 5397),
 * calendar-query reads expanded on the client, sync-collection refreshes (RFC 6578), bookings
 * guarded by If-None-Match / If-Match. Server differences: PROTOCOLS.md §C. */
#define LOG_MODULE "caldav"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <libxml/parser.h>
#include "caldav_client.h"
#include "caldav_ical.h"
#include "caldav_xml.h"
#include "ical.h"
#include "../core/timeutil.h"
#include "../core/xalloc.h"
#include "../core/log.h"

#define MAX_ITEMS       5000 /* resources cached from one calendar */
#define MULTIGET_BATCH  100
#define MAX_SYNC_ROUNDS 10 /* a server that truncates its sync answer (507) */

enum sync_result { SYNC_OK, SYNC_RESTART, SYNC_FAILED };

static const char *caldav_calendar_name(struct source *s);

/* ---- the cache ---- */

static struct cached *
cache_find(struct caldav *c, const char *href)
{
	for (size_t i = 0; i < c->count; i++)
		if (strcmp(c->items[i].href, href) == 0)
			return &c->items[i];
	return NULL;
}

/* true when href was cached. */
static bool
cache_remove(struct caldav *c, const char *href)
{
	struct cached *it = cache_find(c, href);
	if (!it)
		return false;
	free(it->href);
	free(it->etag);
	free(it->data);
	*it = c->items[--c->count];
	return true;
}

/* Takes ownership of nothing: copies. */
static void
cache_put(struct caldav *c, const char *href, const char *etag, const char *data)
{
	struct cached *it = cache_find(c, href);
	if (!it) {
		if (c->count >= MAX_ITEMS) {
			log_warn("more than %d calendar resources: %s not kept", MAX_ITEMS, href);
			return;
		}
		if (c->count == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 32;
			c->items = xrealloc(c->items, c->cap * sizeof(*c->items));
		}
		it = &c->items[c->count++];
		*it = (struct cached){ xstrdup(href), NULL, NULL };
	}
	free(it->etag);
	free(it->data);
	it->etag = xstrdup(etag);
	it->data = xstrdup(data);
}

static void
cache_clear(struct caldav *c)
{
	while (c->count)
		cache_remove(c, c->items[0].href);
	free(c->sync_token);
	c->sync_token = NULL;
	c->has_cache = false;
}

/* ---- reading ---- */

static char *
collection_sync_token(struct caldav *c, struct source_error *err, bool *failed)
{
	struct http_response resp;
	struct caldav_collection *list = NULL;
	size_t n = 0;
	char *token = NULL, *body = caldav_xml_propfind_collections();
	*failed = !caldav_request(c, "PROPFIND", c->collection, "0", body, NULL, NULL, 0, &resp, err);
	free(body);
	if (!*failed && resp.status == 401) { /* a refused password: one request, not two */
		caldav_status_error(c, &resp, "Reading the calendar", c->collection, err);
		*failed = true;
	}
	if (!*failed && (resp.status == 207) && caldav_xml_parse_collections(resp.body, resp.body_len, &list, &n) && n)
		token = xstrdup(list[0].sync_token);
	caldav_collections_free(list, n);
	http_response_finish(&resp);
	return token;
}

/* REPORT on the calendar. true with ms filled on a readable 207. Otherwise false: *status_out
 * is 0 after a transport failure (err says why), else the HTTP status, with the response moved
 * to resp_out for the caller to read and finish. */
static bool
report(struct caldav *c, const char *depth, const char *body, struct caldav_multistatus *ms, long *status_out,
	struct http_response *resp_out, struct source_error *err)
{
	struct http_response resp;
	memset(ms, 0, sizeof(*ms));
	memset(resp_out, 0, sizeof(*resp_out));
	*status_out = 0;
	if (!caldav_request(c, "REPORT", c->collection, depth, body, NULL, NULL, 0, &resp, err))
		return false;
	*status_out = resp.status;
	if (!(resp.status == 207)) {
		*resp_out = resp;
		return false;
	}
	bool ok = caldav_xml_parse_multistatus(resp.body, resp.body_len, ms);
	if (!ok)
		caldav_not_xml(c->collection, &resp, err);
	http_response_finish(&resp);
	return ok;
}

/* A plain REPORT that must answer 207; any other status becomes a speaking error. */
static bool
report_checked(struct caldav *c, const char *depth, const char *body, struct caldav_multistatus *ms, const char *what,
	struct source_error *err)
{
	long status;
	struct http_response resp;
	if (report(c, depth, body, ms, &status, &resp, err))
		return true;
	if (status && status != 207)
		caldav_status_error(c, &resp, what, c->collection, err);
	http_response_finish(&resp);
	return false;
}

static bool
full_query(struct caldav *c, rs_time from, rs_time to, struct source_error *err)
{
	bool failed;
	struct caldav_multistatus ms;
	/* The token is read before the query: a change in between is fetched once more, never lost. */
	char *token = collection_sync_token(c, err, &failed);
	if (failed)
		return false;
	char *body = caldav_xml_calendar_query(from, to);
	bool ok = report_checked(c, "1", body, &ms, "Reading the calendar", err);
	free(body);
	if (!ok) {
		free(token);
		return false;
	}
	cache_clear(c);
	for (size_t i = 0; i < ms.count; i++)
		if (ms.resources[i].status == 200 && ms.resources[i].data)
			cache_put(c, ms.resources[i].href, ms.resources[i].etag, ms.resources[i].data);
	caldav_multistatus_finish(&ms);
	c->sync_token = token;
	c->has_cache = true;
	c->cache_from = from;
	c->cache_to = to;
	c->full_at_ms = time_mono_ms();
	if (c->sync_doubted && !c->sync_refused) { /* sync refused, but the calendar reads fine */
		log_warn("the server does not answer sync-collection: changes show after full reads every %d s",
			c->base.config->refresh_s);
		c->sync_refused = true;
	}
	log_debug("full read: %zu resources, sync %s", c->count, token ? "offered" : "not offered");
	return true;
}

/* Fetches the changed hrefs in batches; results land in *got (appended). */
static bool
multiget(struct caldav *c, const char *const *hrefs, size_t n, struct caldav_multistatus *got, struct source_error *err)
{
	for (size_t at = 0; at < n; at += MULTIGET_BATCH) {
		size_t batch = n - at < MULTIGET_BATCH ? n - at : MULTIGET_BATCH;
		struct caldav_multistatus ms;
		char *body = caldav_xml_multiget(hrefs + at, batch);
		bool ok = report_checked(c, "1", body, &ms, "Reading changed meetings", err);
		free(body);
		if (!ok)
			return false;
		got->resources = xrealloc(got->resources, (got->count + ms.count + 1) * sizeof(*got->resources));
		memcpy(got->resources + got->count, ms.resources, ms.count * sizeof(*ms.resources));
		got->count += ms.count;
		free(ms.resources);
		free(ms.sync_token);
	}
	return true;
}

/* One sync-collection round: what changed since our token, then only those resources. The
 * cache and token change only when every request succeeded. */
static enum sync_result
sync_round(struct caldav *c, bool *more, struct source_error *err)
{
	struct caldav_multistatus changes, fetched = { 0 };
	struct http_response resp;
	long status;
	char *body = caldav_xml_sync_collection(c->sync_token);
	bool ok = report(c, "0", body, &changes, &status, &resp, err);
	free(body);
	if (!ok) {
		enum sync_result r = SYNC_FAILED;
		if (status == 403 || status == 409 || status == 400 || status == 501) {
			bool expired = caldav_xml_has_error(resp.body, resp.body_len, "valid-sync-token");
			log_info("sync-collection refused (HTTP %ld%s): reading the whole window", status,
				expired ? ", token expired" : "");
			c->sync_doubted = !expired; /* judged by the full query that follows */
			r = SYNC_RESTART;
		} else if (status) {
			caldav_status_error(c, &resp, "Reading the calendar", c->collection, err);
		}
		http_response_finish(&resp);
		return r;
	}
	const char **wanted = xcalloc(changes.count + 1, sizeof(*wanted));
	size_t n = 0;
	for (size_t i = 0; i < changes.count; i++) {
		struct caldav_resource *r = &changes.resources[i];
		struct cached *have = cache_find(c, r->href);
		if (r->status == 200 && strcmp(r->href, c->collection_path) != 0 &&
			!(have && have->etag && r->etag && strcmp(have->etag, r->etag) == 0))
			wanted[n++] = r->href;
	}
	ok = multiget(c, wanted, n, &fetched, err);
	free(wanted);
	if (ok) {
		for (size_t i = 0; i < changes.count; i++)
			if (changes.resources[i].status == 404 && cache_remove(c, changes.resources[i].href))
				c->changes++;
		for (size_t i = 0; i < fetched.count; i++) {
			struct caldav_resource *r = &fetched.resources[i];
			if (r->status == 200 && r->data) {
				cache_put(c, r->href, r->etag, r->data);
				c->changes++;
			} else if (r->status == 404 && cache_remove(c, r->href)) {
				c->changes++;
			}
		}
		free(c->sync_token);
		c->sync_token = changes.sync_token;
		changes.sync_token = NULL;
		*more = changes.truncated;
		c->sync_doubted = false;
		log_debug("sync: %zu changes, %zu fetched", changes.count, n);
	}
	caldav_multistatus_finish(&changes);
	caldav_multistatus_finish(&fetched);
	return ok ? SYNC_OK : SYNC_FAILED;
}

static enum sync_result
sync_changes(struct caldav *c, struct source_error *err)
{
	for (int round = 0; round < MAX_SYNC_ROUNDS; round++) {
		bool more = false;
		enum sync_result r = sync_round(c, &more, err);
		if (r != SYNC_OK || !more)
			return r;
		if (!c->sync_token)
			return SYNC_RESTART;
	}
	return SYNC_OK;
}

static struct schedule *
build(struct caldav *c, rs_time from, rs_time to)
{
	struct event *events = NULL;
	size_t count = 0;
	for (size_t i = 0; i < c->count; i++) {
		struct cached *it = &c->items[i];
		if (!ical_parse_events(it->data, strlen(it->data), from, to, it->href, it->etag, &events, &count, NULL))
			log_warn("%s holds no iCalendar data: skipped", it->href);
	}
	return schedule_create(from, to, events, count);
}

/* Has `seconds` of the sign's clock passed since the last full query? */
static bool
full_read_older_than(const struct caldav *c, int seconds)
{
	return time_mono_ms() - c->full_at_ms >= (uint64_t)((double)seconds * 1000.0 / time_speed());
}

static bool
cache_covers(const struct caldav *c, rs_time from, rs_time to)
{
	return c->has_cache && from >= c->cache_from && to <= c->cache_to;
}

/* A refresh: sync-collection while the last full query is younger than safety_refresh (the
 * safety net re-reads the whole window), else a full query. */
static bool
caldav_fetch(struct source *s, rs_time from, rs_time to, struct schedule **out, struct source_error *err)
{
	struct caldav *c = (struct caldav *)s;
	if (!caldav_discover(c, err))
		return false;
	enum sync_result r = SYNC_RESTART;
	if (cache_covers(c, from, to) && c->sync_token && !c->sync_refused &&
		!full_read_older_than(c, s->config->safety_refresh_s))
		r = sync_changes(c, err);
	if (r == SYNC_FAILED)
		return false; /* the cache and token are as they were: the next try resumes */
	if (r == SYNC_RESTART && !full_query(c, from, to, err))
		return false;
	*out = build(c, from, to);
	return true;
}

/* The cheap poll (every [source] poll s): one sync-collection REPORT, a calendar-multiget of
 * the changed resources only; a schedule only when something changed. A server without
 * sync-collection gets a full query every `refresh` s instead, as before polls. */
static bool
caldav_fetch_changes(struct source *s, rs_time from, rs_time to, struct schedule **out, struct source_error *err)
{
	struct caldav *c = (struct caldav *)s;
	*out = NULL;
	if (!caldav_discover(c, err))
		return false;
	if (cache_covers(c, from, to) && c->sync_token && !c->sync_refused) {
		unsigned long before = c->changes;
		enum sync_result r = sync_changes(c, err);
		if (r == SYNC_FAILED)
			return false;
		if (r == SYNC_OK) {
			if (c->changes != before)
				*out = build(c, from, to);
			return true;
		}
	} else if (cache_covers(c, from, to) && !full_read_older_than(c, s->config->refresh_s)) {
		return true;
	}
	if (!full_query(c, from, to, err))
		return false;
	*out = build(c, from, to);
	return true;
}

/* ---- writing ---- */

static char *
fresh_uid(void)
{
	unsigned char raw[12];
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		uint64_t mix = time_mono_ms() ^ ((uint64_t)time_now() << 20) ^ (uint64_t)(uintptr_t)raw;
		memcpy(raw, &mix, sizeof(mix));
	}
	char hex[2 * sizeof(raw) + 1];
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	return xasprintf("roomsign-%s", hex); /* the prefix marks the sign's own bookings */
}

static bool
get_resource(struct caldav *c, const char *url, char **text_out, char **etag_out, struct source_error *err)
{
	struct http_response resp;
	if (!caldav_request(c, "GET", url, NULL, NULL, NULL, NULL, 0, &resp, err))
		return false;
	bool ok = resp.status == 200;
	if (ok) {
		*text_out = resp.body;
		*etag_out = resp.etag;
		resp.body = resp.etag = NULL;
	} else {
		caldav_status_error(c, &resp, "Reading the meeting", url, err);
	}
	http_response_finish(&resp);
	return ok;
}

/* PUT text to url guarded by If-Match (etag) or If-None-Match: * (etag NULL). Returns the HTTP
 * status (0 after a transport failure, err set); *etag_out gets the new ETag when sent. */
static long
put(struct caldav *c, const char *url, const char *text, const char *etag, char **etag_out, struct http_response *resp,
	struct source_error *err)
{
	struct http_header guard =
		etag ? (struct http_header){ "If-Match", etag } : (struct http_header){ "If-None-Match", "*" };
	*etag_out = NULL;
	if (!caldav_request(c, "PUT", url, NULL, text, "text/calendar; charset=utf-8", &guard, 1, resp, err))
		return 0;
	if (resp->status >= 200 && resp->status < 300 && resp->etag)
		*etag_out = xstrdup(resp->etag);
	return resp->status;
}

/* The href the server uses for url (our cache keys and event ids are hrefs). */
static const char *
href_of(const struct caldav *c, const char *url)
{
	return strncmp(url, c->origin, strlen(c->origin)) == 0 ? url + strlen(c->origin) : url;
}

/* The resource name of a booking starting at start: the same on every sign of this calendar,
 * so two signs booking the same minute collide on the name and If-None-Match: * lets exactly
 * one of them create it, instead of both creating and one having to back out. */
static char *
slot_name(rs_time start)
{
	char iso[32], compact[32];
	size_t o = 0;
	time_format_utc(start, iso, sizeof(iso));
	for (const char *p = iso; *p && o + 1 < sizeof(compact); p++)
		if (*p != '-' && *p != ':')
			compact[o++] = *p;
	compact[o] = '\0';
	return xasprintf("roomsign-slot-%s", compact);
}

/* After a 412 on the slot name: does the meeting stored there still block [start, end)? */
static bool
slot_taken(struct caldav *c, const char *url, rs_time start, rs_time end, struct source_error *err)
{
	char *text = NULL, *etag = NULL;
	struct event *events = NULL;
	size_t count = 0;
	const struct event *clash = NULL;
	if (!get_resource(c, url, &text, &etag, err))
		return err->category != SOURCE_ERR_NOT_FOUND; /* deleted meanwhile: free */
	ical_parse_events(text, strlen(text), start, end, NULL, NULL, &events, &count, NULL);
	for (size_t i = 0; i < count && !clash; i++)
		if (event_blocks_room(&events[i]) && events[i].start < end && events[i].end > start)
			clash = &events[i];
	if (clash) {
		char a[8], b[8];
		time_format_hm(clash->start, a, sizeof(a));
		time_format_hm(clash->end, b, sizeof(b));
		source_fail(err, SOURCE_ERR_CONFLICT, "The room was just booked by someone else (%s–%s).", a, b);
	}
	for (size_t i = 0; i < count; i++)
		event_finish(&events[i]);
	free(events);
	free(text);
	free(etag);
	return clash != NULL;
}

static void
created_event(struct caldav *c, const char *url, const char *text, const char *etag, rs_time start, rs_time end,
	struct event *created_out)
{
	const char *href = href_of(c, url);
	struct event *events = NULL;
	size_t count = 0;
	cache_put(c, href, etag, text);
	ical_parse_events(text, strlen(text), start, end > start ? end : start + 1, href, etag, &events, &count, NULL);
	if (created_out) {
		memset(created_out, 0, sizeof(*created_out));
		if (count)
			*created_out = events[0];
	}
	for (size_t i = created_out ? 1 : 0; i < count; i++)
		event_finish(&events[i]);
	free(events);
	log_info("booked %s", href);
}

/* PUT with a fresh UID and If-None-Match: *, first under the slot's name, then (when an old,
 * no longer blocking resource holds that name) under the UID. */
static bool
caldav_book(struct source *s, rs_time start, rs_time end, const char *subject, struct event *created_out,
	struct source_error *err)
{
	struct caldav *c = (struct caldav *)s;
	if (!caldav_discover(c, err))
		return false;
	rs_time now = time_now();
	for (int attempt = 0; attempt < 3; attempt++) {
		struct http_response resp;
		char *uid = fresh_uid(), *etag = NULL;
		char *name = attempt == 0 ? slot_name(start) : xstrdup(uid);
		char *url = xasprintf("%s%s.ics", c->collection, name);
		char *text = ical_make_event(uid, start, end, subject, s->config->mailbox, NULL, now);
		long status = put(c, url, text, NULL, &etag, &resp, err);
		bool ok = status >= 200 && status < 300, taken = false;
		if (!ok && status && (status != 412 || attempt == 2))
			caldav_status_error(c, &resp, "Booking the room", url, err);
		http_response_finish(&resp);
		if (ok && !etag) { /* the server changed our data: read its version */
			char *stored = NULL;
			if (get_resource(c, url, &stored, &etag, err)) {
				free(text);
				text = stored;
			}
		}
		if (ok)
			created_event(c, url, text, etag, start, end, created_out);
		else if (status == 412 && attempt == 0)
			taken = slot_taken(c, url, start, end, err);
		free(uid);
		free(name);
		free(url);
		free(text);
		free(etag);
		if (ok || taken || status != 412)
			return ok;
		log_info("the booking's name is in use (HTTP 412) by a meeting that no longer blocks: trying another");
	}
	return false;
}

/* Reads url, applies edit to it and PUTs it back with If-Match; a 412 (someone changed it
 * meanwhile) re-reads and applies the edit once more to the fresh copy. */
typedef char *(*edit_fn)(const char *text, const struct event *e, void *ctx, const char **why_out);

static bool
edit_resource(
	struct caldav *c, const struct event *e, edit_fn edit, void *ctx, const char *what, struct source_error *err)
{
	char *url = caldav_absolute(c, e->id, c->collection), *text = NULL, *etag = NULL;
	struct cached *have = cache_find(c, e->id);
	bool ok = false;
	if (have && have->data && have->etag && e->version && strcmp(have->etag, e->version) == 0) {
		text = xstrdup(have->data);
		etag = xstrdup(have->etag);
	} else if (!get_resource(c, url, &text, &etag, err)) {
		goto out;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		const char *why = NULL;
		char *changed = edit(text, e, ctx, &why), *new_etag = NULL;
		struct http_response resp;
		if (!changed) {
			source_fail(err, SOURCE_ERR_UNSUPPORTED, "%s is not possible: %s.", what, why);
			goto out;
		}
		long status = put(c, url, changed, etag, &new_etag, &resp, err);
		ok = status >= 200 && status < 300;
		if (ok && new_etag)
			cache_put(c, e->id, new_etag, changed);
		else if (ok)
			cache_remove(c, e->id); /* no ETag: the next sync fetches the server's copy */
		if (!ok && status && (status != 412 || attempt == 1))
			caldav_status_error(c, &resp, what, url, err);
		http_response_finish(&resp);
		free(changed);
		free(new_etag);
		if (ok || status != 412 || attempt == 1)
			break;
		log_info("%s: changed on the server meanwhile (HTTP 412): re-reading and trying once more", e->id);
		free(text);
		free(etag);
		text = etag = NULL;
		if (!get_resource(c, url, &text, &etag, err))
			break;
	}
out:
	free(url);
	free(text);
	free(etag);
	return ok;
}

static char *
edit_end(const char *text, const struct event *e, void *ctx, const char **why_out)
{
	return caldav_ical_set_end(text, e->start, *(const rs_time *)ctx, time_now(), why_out);
}

static bool
caldav_update_end(struct source *s, const struct event *e, rs_time new_end, struct source_error *err)
{
	struct caldav *c = (struct caldav *)s;
	if (!e->id)
		return source_fail(err, SOURCE_ERR_NOT_FOUND, "This meeting has no CalDAV address to change.");
	if (new_end <= e->start)
		return source_fail(err, SOURCE_ERR_CONFIG, "A meeting cannot end before it starts.");
	if (!caldav_discover(c, err))
		return false;
	return edit_resource(c, e, edit_end, &new_end, "Changing the meeting's end", err);
}

static char *
edit_decline(const char *text, const struct event *e, void *ctx, const char **why_out)
{
	return caldav_ical_decline(text, ctx, e->start, time_now(), why_out);
}

static char *
edit_check_in(const char *text, const struct event *e, void *ctx, const char **why_out)
{
	return caldav_ical_mark_checked_in(text, e->start, time_now(), why_out);
}

static bool
caldav_check_in(struct source *s, const struct event *e, struct source_error *err)
{
	struct caldav *c = (struct caldav *)s;
	if (!e->id)
		return source_fail(err, SOURCE_ERR_NOT_FOUND, "This meeting has no CalDAV address.");
	if (!caldav_discover(c, err))
		return false;
	return edit_resource(c, e, edit_check_in, NULL, "Recording the check-in", err);
}

/* DELETE guarded by e->version, the ETag of the copy caldav_release just judged: a 412 means it
 * changed since, and it is left alone rather than deleted unseen. */
static bool
delete_own(struct caldav *c, const struct event *e, struct source_error *err)
{
	char *url = caldav_absolute(c, e->id, c->collection);
	struct http_response resp;
	struct http_header guard = { "If-Match", e->version };
	bool ok = false;
	if (caldav_request(c, "DELETE", url, NULL, NULL, NULL, &guard, e->version ? 1 : 0, &resp, err)) {
		ok = (resp.status >= 200 && resp.status < 300) || resp.status == 404; /* 404: already gone */
		if (!ok)
			caldav_status_error(c, &resp, "Cancelling the booking", url, err);
		http_response_finish(&resp);
	}
	if (ok)
		cache_remove(c, e->id);
	free(url);
	return ok;
}

/* Reads the meeting again right before a release and judges the fresh copy: a meeting moved,
 * changed or checked in meanwhile is left alone; only the sign's own single booking (see
 * caldav_ical_release_verdict) is deleted, guarded by the fresh ETag; anything else is declined. */
static bool
caldav_release(struct source *s, const struct event *e, struct source_error *err)
{
	struct caldav *c = (struct caldav *)s;
	if (!e->id)
		return source_fail(err, SOURCE_ERR_NOT_FOUND, "This meeting has no CalDAV address to release.");
	if (!caldav_discover(c, err))
		return false;
	char *url = caldav_absolute(c, e->id, c->collection), *text = NULL, *etag = NULL;
	bool read = get_resource(c, url, &text, &etag, err);
	free(url);
	if (!read)
		return false;
	const char *owners[] = { s->config->mailbox, s->config->username }, *why = NULL;
	enum caldav_release_verdict verdict = caldav_ical_release_verdict(text, e->start, e->end, owners, 2, &why);
	free(text);
	if (verdict == CALDAV_RELEASE_DELETE) {
		struct event fresh = *e;
		fresh.version = etag; /* If-Match: exactly the copy just judged */
		bool ok = delete_own(c, &fresh, err);
		free(etag);
		return ok;
	}
	free(etag);
	if (verdict == CALDAV_RELEASE_LEAVE)
		return source_fail(err, SOURCE_ERR_CONFLICT, "The meeting was left in the calendar: %s.", why);
	if (!c->can_schedule)
		return source_fail(err, SOURCE_ERR_UNSUPPORTED,
			"This CalDAV server does not do scheduling (RFC 6638), so the sign cannot decline a meeting "
			"someone else organised; it was left in the calendar. Ask the organiser to cancel it.");
	if (!s->config->mailbox)
		return source_fail(err, SOURCE_ERR_CONFIG,
			"Set [source] mailbox to the room's address so the sign can decline meetings as the room.");
	return edit_resource(c, e, edit_decline, s->config->mailbox, "Declining the meeting", err);
}

/* ---- roomsign check ---- */

static bool
check_sign_in(struct caldav *c, check_report_fn rep, void *ctx)
{
	struct http_response resp;
	struct source_error err = { 0 };
	char detail[600];
	const char *user = c->base.config->username ? c->base.config->username : "";
	/* PROPFIND, not OPTIONS: some servers answer OPTIONS without asking for credentials. */
	char *body = caldav_xml_propfind_discovery();
	bool answered = caldav_request(c, "PROPFIND", c->base.config->url, "0", body, NULL, NULL, 0, &resp, &err);
	free(body);
	if (!answered) {
		rep(ctx, false, "connect to the CalDAV server", err.message);
		return false;
	}
	bool ok = resp.status != 401 && resp.status != 403;
	if (ok)
		snprintf(detail, sizeof(detail), "user '%s' at %s", user, c->origin);
	else
		caldav_status_error(c, &resp, "Signing in", c->base.config->url, &err);
	http_response_finish(&resp);
	rep(ctx, ok, "sign in", ok ? detail : err.message);
	return ok;
}

/* A one-minute booking far from any real meeting, removed at once. */
static bool
check_test_booking(struct source *s, rs_time now, const char *step, const char *fine, check_report_fn rep, void *ctx)
{
	struct source_error err = { 0 };
	rs_time start = time_day_start(now + 400 * TIME_DAY) + 3 * TIME_HOUR;
	struct event test = { 0 };
	bool ok = caldav_book(s, start, start + TIME_MINUTE, "roomsign check (deleted at once)", &test, &err);
	if (ok && !(ok = caldav_release(s, &test, &err)))
		rep(ctx, false, "delete the test booking", err.message);
	else
		rep(ctx, ok, step, ok ? fine : err.message);
	event_finish(&test);
	return ok;
}

/* Every nearby room's calendar ("Find a room" reads each and books there through this account):
 * readable, and its name; with --book-test also a test booking in it. */
static bool
check_nearby(struct caldav *c, bool book_test, rs_time now, check_report_fn rep, void *ctx)
{
	const struct source_config *cfg = c->base.config;
	bool ok = true;
	for (size_t i = 0; i < cfg->nearby_count; i++) {
		struct source_config copy;
		struct source_error err = { 0 };
		struct schedule *today = NULL;
		char step[600], detail[900];
		snprintf(step, sizeof(step), "nearby room %s", cfg->nearby_rooms[i]);
		struct source *room = source_create_for_room(cfg, cfg->nearby_rooms[i], &copy, &err);
		if (!room || !source_fetch(room, time_day_start(now), time_day_end(now), &today, &err)) {
			snprintf(detail, sizeof(detail),
				"cannot read its calendar, so Find a room shows it as unknown and cannot book it: %s",
				err.message);
			rep(ctx, false, step, detail);
			source_destroy(room);
			ok = false;
			continue;
		}
		const char *name = cfg->nearby_names[i] ? cfg->nearby_names[i] : caldav_calendar_name(room);
		snprintf(detail, sizeof(detail), "%s%s%s: readable, %zu events today%s", name ? "\"" : "",
			name ? name : "", name ? "\"" : "its calendar has no name, so the list shows its URL",
			today->count,
			book_test ? "" : " (roomsign check --book-test also books and deletes a test booking there)");
		schedule_destroy(today);
		rep(ctx, true, step, detail);
		if (book_test) {
			snprintf(step, sizeof(step), "book nearby room %s", name ? name : cfg->nearby_rooms[i]);
			ok = check_test_booking(
				     room, now, step, "the account may book it from Find a room", rep, ctx) &&
			     ok;
		}
		source_destroy(room);
	}
	return ok;
}

/* The cheap change poll: one sync-collection round from the token the full read just got. A
 * server that offers no token has nothing to fix (the sign reads the day every `refresh`); one
 * that offers it and then refuses it does (a proxy in the way, a broken server). */
static bool
check_sync(struct caldav *c, check_report_fn rep, void *ctx)
{
	const struct source_config *cfg = c->base.config;
	const char *step = "cheap change polls (sync-collection, RFC 6578)";
	char detail[1024];
	if (!c->sync_token) {
		snprintf(detail, sizeof(detail),
			"not offered by this server: changes show after a full read of the day every %d s",
			cfg->refresh_s);
		rep(ctx, true, step, detail);
		return true;
	}
	struct source_error err = { 0 };
	bool more = false;
	enum sync_result r = sync_round(c, &more, &err);
	if (r == SYNC_OK)
		snprintf(detail, sizeof(detail),
			"work: changes show within %d s, fetched alone; the whole day is read every %d s", cfg->poll_s,
			cfg->safety_refresh_s);
	else
		snprintf(detail, sizeof(detail),
			"offered but %s: the sign works, but reads the whole day every %d s instead%s%s",
			r == SYNC_RESTART ? "refused" : "failing", cfg->refresh_s, err.message[0] ? " (" : "",
			err.message[0] ? err.message : "");
	if (r != SYNC_OK && err.message[0])
		strncat(detail, ")", sizeof(detail) - strlen(detail) - 1);
	rep(ctx, r == SYNC_OK, step, detail);
	return r == SYNC_OK;
}

static bool
caldav_check(struct source *s, bool book_test, check_report_fn rep, void *ctx)
{
	struct caldav *c = (struct caldav *)s;
	struct source_error err = { 0 };
	struct schedule *today = NULL;
	char detail[600];
	rs_time now = time_now();
	if (!check_sign_in(c, rep, ctx))
		return false;
	if (!caldav_discover(c, &err)) {
		rep(ctx, false, "find the room's calendar", err.message);
		return false;
	}
	snprintf(detail, sizeof(detail), "%s%s%s%s", c->collection, c->collection_name ? " (" : "",
		c->collection_name ? c->collection_name : "", c->collection_name ? ")" : "");
	rep(ctx, true, "find the room's calendar", detail);
	rep(ctx, true, "server scheduling (RFC 6638)",
		c->can_schedule ? "offered: meetings organised by others can be declined from the sign"
				: "not offered: meetings organised by others cannot be declined from the sign");
	if (!source_fetch(s, time_day_start(now), time_day_end(now), &today, &err)) {
		rep(ctx, false, "read today's calendar", err.message);
		return false;
	}
	snprintf(detail, sizeof(detail), "%zu events today", today->count);
	schedule_destroy(today);
	rep(ctx, true, "read today's calendar", detail);
	bool ok = check_sync(c, rep, ctx);
	if (book_test)
		ok = check_test_booking(
			     s, now, "create and delete a test booking", "the account may book the room", rep, ctx) &&
		     ok;
	return check_nearby(c, book_test, now, rep, ctx) && ok;
}

/* ---- lifecycle ---- */

static void
caldav_destroy(struct source *s)
{
	struct caldav *c = (struct caldav *)s;
	if (!c)
		return;
	cache_clear(c);
	free(c->items);
	free(c->origin);
	free(c->collection);
	free(c->collection_path);
	free(c->collection_name);
	free(c);
}

static const char *
caldav_calendar_name(struct source *s)
{
	return ((struct caldav *)s)->collection_name;
}

static const struct source_ops caldav_ops = {
	.fetch = caldav_fetch,
	.fetch_changes = caldav_fetch_changes,
	.book = caldav_book,
	.update_end = caldav_update_end,
	.release = caldav_release,
	.check_in = caldav_check_in,
	.check = caldav_check,
	.destroy = caldav_destroy,
	.calendar_name = caldav_calendar_name,
};

struct source *
caldav_source_create(const struct source_config *config, struct source_error *err)
{
	if (!config->url || (strncmp(config->url, "http://", 7) != 0 && strncmp(config->url, "https://", 8) != 0)) {
		source_fail(err, SOURCE_ERR_CONFIG,
			"[source] url must be the CalDAV server's or calendar's http(s):// URL.");
		return NULL;
	}
	xmlInitParser(); /* once, before the source thread parses */
	struct caldav *c = xcalloc(1, sizeof(*c));
	c->base.ops = &caldav_ops;
	c->base.config = config;
	c->origin = caldav_origin_of(config->url);
	return &c->base;
}
