#define LOG_MODULE "ews"
/* ews.c — Exchange on-premises through EWS: a service account with ApplicationImpersonation
 * acts as the room (PROTOCOLS.md section A). Requests and answers are built and read in
 * ews_xml.c; this file does the talking: retries, back-off, version step-down, paging. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include "ews_request.h"
#include "ews_stream.h"
#include "ews_xml.h"
#include "source.h"
#include "../core/room_state.h"
#include "../core/timeutil.h"
#include "../core/xalloc.h"
#include "../core/log.h"
#include "../net/http.h"
#include "../net/retry.h"

#define RETRIES             3     /* after the first attempt, for transient failures */
#define BACKOFF_BASE_MS     400   /* exponential back-off: 400, 800, 1600 ms, ±50 % jitter */
#define BACKOFF_WAIT_MAX_MS 10000 /* longer advice is handed up as THROTTLED, not slept */
#define FAST_FAILURE_MS \
	3000 /* a transport failure quicker than this (and than half the
					  * timeout) is worth a retry: a drop, not a timeout */
#define PAGES_MAX  20
#define EVENTS_MAX 5000
#define ROOMS_MAX  100 /* GetUserAvailability's limit per request */

/* A nearby room's display name as Exchange's directory gave it, looked up once per source:
 * names seldom change, and the list must not cost a round trip per room on every refresh. */
struct room_name {
	char *room;
	char *name; /* NULL: Exchange gave none (the list shows the address) */
};

struct ews_source {
	struct source base;
	const char *version;       /* RequestServerVersion in use; steps down when refused */
	unsigned int seed;         /* jitter */
	struct ews_stream *stream; /* streaming notifications, while watching */
	struct room_name names[CONFIG_MAX_ROOMS];
	size_t name_count;
};

/* One request, rebuildable: the envelope carries the version, which may step down. */
struct call {
	const char *what; /* for messages: "reading the calendar" */
	bool impersonate;
	const char *as; /* impersonate this mailbox instead of the sign's room (roomsign check) */
	char *(*build)(const struct ews_header *h, const struct call *c);
	rs_time t1, t2;
	const char *id, *change_key, *subject;
	const char *to, *body; /* a message */
	bool flag;
	const char *const *rooms;
	size_t n;
};

static struct ews_source *
ews_of(struct source *s)
{
	return (struct ews_source *)s;
}

static struct ews_names
names_of(const struct ews_source *s)
{
	const struct source_config *c = s->base.config;
	return (struct ews_names){ .username = c->username, .mailbox = c->mailbox, .url = c->url };
}

/* Exchange is shared by every sign on the account: back-off with jitter, so that they do not
 * come back in step after an outage. */
static const struct retry_policy ews_retry = {
	.retries = RETRIES, .first_ms = BACKOFF_BASE_MS, .jitter = true, .max_wait_ms = BACKOFF_WAIT_MAX_MS
};

static bool
auth_failed(const struct ews_source *s, struct source_error *err)
{
	static const char *const auth_names[] = { "none", "basic", "ntlm", "negotiate", "bearer" };
	const struct source_config *c = s->base.config;
	const char *auth = (unsigned)c->auth < 5 ? auth_names[c->auth] : "?";
	if (c->auth == HTTP_AUTH_BEARER)
		return source_fail(err, SOURCE_ERR_AUTH,
			"Exchange refused the bearer token (HTTP 401): it is wrong or expired; renew "
			"the token in password_file.");
	if (c->auth == HTTP_AUTH_NEGOTIATE)
		return source_fail(err, SOURCE_ERR_AUTH,
			"Exchange refused the Kerberos sign-in (HTTP 401): the sign needs a ticket for "
			"the service account (kinit -k -t <keytab> <account>, renewed before it expires), "
			"the server's SPN HTTP/<host>, a clock within 5 minutes of the domain's, and "
			"Negotiate enabled on the EWS virtual directory.");
	return source_fail(err, SOURCE_ERR_AUTH,
		"Exchange refused the sign-in of %s (HTTP 401): the password in password_file is "
		"wrong or expired, or the account is locked or disabled; also check that auth = %s "
		"is enabled on the EWS virtual directory.",
		c->username ? c->username : "(no username)", auth);
}

static bool
perform(struct ews_source *s, const struct call *c, struct http_response *resp, struct source_error *err)
{
	const struct source_config *cfg = s->base.config;
	const char *box = c->as ? c->as : cfg->mailbox;
	struct ews_header h = { .version = s->version, .mailbox = c->impersonate ? box : NULL };
	char *body = c->build(&h, c);
	struct http_header headers[] = {
		{ "Content-Type", "text/xml; charset=utf-8" },
		{ "Accept", "text/xml" },
		/* Routes the request to the room's mailbox server; Microsoft warns of 500/503s and
		 * timeouts under impersonation without it. */
		{ "X-AnchorMailbox", box },
	};
	struct http_request req = {
		.method = "POST",
		.url = cfg->url,
		.body = body,
		.headers = headers,
		.header_count = c->impersonate && box ? 3 : 2,
		.auth = cfg->auth,
		.username = cfg->username,
		.password = cfg->password,
		.bearer = cfg->auth == HTTP_AUTH_BEARER ? cfg->password : NULL,
		.ca_file = cfg->ca_file,
		.timeout_s = cfg->timeout_s,
		.max_body = cfg->max_body,
		.http11 = cfg->auth == HTTP_AUTH_NTLM, /* NTLM authenticates a connection: no HTTP/2 */
	};
	bool ok = http_perform(&req, resp, err);
	free(body);
	return ok;
}

/* Waits before the next try, or returns false: no retries left, or (err says THROTTLED) the
 * server's advice is longer than the sign should block. advice_ms <= 0: none. */
static bool
wait_before_retry(struct retry *r, long advice_ms, struct source_error *err)
{
	long wanted, ms = retry_next_ms(r, advice_ms > 0 ? advice_ms : -1, &wanted);
	if (ms < 0) {
		if (wanted > 0) {
			err->category = SOURCE_ERR_THROTTLED;
			err->retry_after_ms = wanted;
		}
		return false;
	}
	log_debug("%s (retrying in %ld ms)", err->message, ms);
	retry_sleep_ms(ms);
	return true;
}

/* Sends c until it gets a usable answer: NoError (true, resp holds the body) or a failure that
 * retrying will not fix (false, err and st say which). Steps the version down when refused;
 * retries throttling, 503, 5xx pages and quick transport failures with back-off. */
static bool
ews_call(struct ews_source *s, const struct call *c, struct http_response *resp, struct ews_status *st,
	struct source_error *err)
{
	struct ews_names names = names_of(s);
	int timeout_s = s->base.config->timeout_s > 0 ? s->base.config->timeout_s : 20;
	uint64_t fast_ms = (uint64_t)timeout_s * 500 < FAST_FAILURE_MS ? (uint64_t)timeout_s * 500 : FAST_FAILURE_MS;
	struct retry r;
	retry_start(&r, &ews_retry, &s->seed);
	for (;; http_response_finish(resp)) {
		memset(st, 0, sizeof(*st));
		uint64_t t0 = time_mono_ms();
		if (!perform(s, c, resp, err)) {
			if (time_mono_ms() - t0 < fast_ms && err->category == SOURCE_ERR_NETWORK &&
				wait_before_retry(&r, 0, err))
				continue;
			return false;
		}
		if (resp->status == 401) {
			http_response_finish(resp);
			return auth_failed(s, err);
		}
		bool soap = (resp->status == 200 || resp->status == 500) &&
			    ews_parse_status(resp->body, resp->body_len, st);
		if (soap && strcmp(st->code, "NoError") == 0)
			return true;
		if (soap && ews_status_wants_older_version(st)) {
			const char *older = ews_version_below(s->version);
			if (older) {
				log_info("Exchange refused %s (%s); trying %s", s->version, st->code, older);
				s->version = older;
				continue;
			}
		}
		if (soap && ews_status_is_transient(st)) {
			ews_status_error(st, &names, err);
			if (wait_before_retry(&r, st->backoff_ms, err))
				continue;
			http_response_finish(resp);
			return false;
		}
		if (soap) {
			ews_status_error(st, &names, err);
			log_debug("%s: %s (%s)", c->what, st->code, st->text);
			http_response_finish(resp);
			return false;
		}
		if (resp->status == 200) {
			source_fail(err, SOURCE_ERR_BAD_RESPONSE,
				"Exchange's answer to %s was not EWS XML (cut short, or an HTML page from a "
				"proxy or login portal); check that url points at /EWS/Exchange.asmx.",
				c->what);
		} else if (resp->status == 301 || resp->status == 302) {
			source_fail(err, SOURCE_ERR_CONFIG,
				"Exchange redirected the request to %s: url is probably wrong (it should end in "
				"/EWS/Exchange.asmx) or a login portal sits in front of EWS.",
				resp->location ? resp->location : "another page");
		} else {
			http_status_error(resp, c->what, err);
			if ((resp->status == 503 || resp->status >= 500) &&
				wait_before_retry(&r, resp->retry_after_s > 0 ? resp->retry_after_s * 1000 : 0, err))
				continue;
		}
		log_debug("%s: HTTP %ld", c->what, resp->status);
		http_response_finish(resp);
		return false;
	}
}

/* --- reading --------------------------------------------------------------------------------- */

static char *
build_find(const struct ews_header *h, const struct call *c)
{
	return ews_build_find_item(h, c->t1, c->t2, EWS_PAGE_MAX);
}

static bool
seen(const struct event *events, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(events[i].id, id) == 0)
			return true;
	return false;
}

/* Moves the page's new events into *events; returns how many were new. */
static size_t
take_page(struct ews_page *page, rs_time from, struct event **events, size_t *count, size_t *cap)
{
	size_t added = 0;
	for (size_t i = 0; i < page->count; i++) {
		struct event *e = &page->events[i];
		/* CalendarView also returns items that end exactly at StartDate. */
		bool before = e->end <= from && e->end > e->start;
		if (before || seen(*events, *count, e->id) || *count >= EVENTS_MAX) {
			event_finish(e);
			continue;
		}
		if (*count == *cap) {
			*cap = *cap ? *cap * 2 : 32;
			*events = xrealloc(*events, *cap * sizeof(**events));
		}
		(*events)[(*count)++] = *e;
		memset(e, 0, sizeof(*e));
		added++;
	}
	return added;
}

static bool
ews_fetch(struct source *src, rs_time from, rs_time to, struct schedule **out, struct source_error *err)
{
	struct ews_source *s = ews_of(src);
	struct event *events = NULL;
	size_t count = 0, cap = 0;
	struct call c = {
		.what = "reading the room's calendar", .impersonate = true, .build = build_find, .t1 = from, .t2 = to
	};
	for (int page_no = 0;; page_no++) {
		struct http_response resp;
		struct ews_status st;
		struct ews_page page;
		if (!ews_call(s, &c, &resp, &st, err))
			goto fail;
		bool parsed = ews_parse_find_item(resp.body, resp.body_len, &page, &st);
		http_response_finish(&resp);
		if (!parsed || strcmp(st.code, "NoError") != 0) {
			ews_page_finish(&page);
			source_fail(err, SOURCE_ERR_BAD_RESPONSE, "Exchange's calendar answer could not be read.");
			goto fail;
		}
		size_t added = take_page(&page, from, &events, &count, &cap);
		bool last = page.includes_last || page.count == 0;
		rs_time next = page.last_start;
		ews_page_finish(&page);
		if (last)
			break;
		/* CalendarView has no offset: continue from the last item's start and drop repeats. */
		if ((next <= c.t1 && added == 0) || page_no + 1 >= PAGES_MAX || count >= EVENTS_MAX) {
			log_warn("calendar paging stopped after %d pages and %zu events", page_no + 1, count);
			break;
		}
		c.t1 = next > c.t1 ? next : c.t1;
	}
	*out = schedule_create(from, to, events, count);
	return true;
fail:
	for (size_t i = 0; i < count; i++)
		event_finish(&events[i]);
	free(events);
	return false;
}

/* --- writing --------------------------------------------------------------------------------- */

static char *
build_create(const struct ews_header *h, const struct call *c)
{
	return ews_build_create_item(h, c->t1, c->t2, c->subject);
}

static char *
build_update(const struct ews_header *h, const struct call *c)
{
	return ews_build_update_end(h, c->id, c->change_key, c->t1);
}

static char *
build_get(const struct ews_header *h, const struct call *c)
{
	return ews_build_get_item(h, c->id);
}

static char *
build_delete(const struct ews_header *h, const struct call *c)
{
	return ews_build_delete_item(h, c->id, c->flag);
}

static char *
build_decline(const struct ews_header *h, const struct call *c)
{
	return ews_build_decline_item(h, c->id, c->change_key);
}

/* Runs c and reads the item in its answer (id, ChangeKey, ...) into item_out (may be NULL). */
static bool
call_item(struct ews_source *s, const struct call *c, struct event *item_out, struct ews_status *st,
	struct source_error *err)
{
	struct http_response resp;
	struct event item;
	if (!ews_call(s, c, &resp, st, err))
		return false;
	bool ok = ews_parse_item(resp.body, resp.body_len, &item, st);
	http_response_finish(&resp);
	if (!ok || strcmp(st->code, "NoError") != 0) {
		event_finish(&item);
		return source_fail(err, SOURCE_ERR_BAD_RESPONSE,
			"Exchange accepted %s but its answer could not be read.", c->what);
	}
	if (item_out)
		*item_out = item;
	else
		event_finish(&item);
	return true;
}

static bool
ews_book(struct source *src, rs_time start, rs_time end, const char *subject, struct event *created_out,
	struct source_error *err)
{
	struct call c = { .what = "booking the room",
		.impersonate = true,
		.build = build_create,
		.t1 = start,
		.t2 = end,
		.subject = subject };
	struct ews_status st;
	struct event item;
	if (!call_item(ews_of(src), &c, &item, &st, err))
		return false;
	item.start = start;
	item.end = end;
	item.show_as = SHOW_BUSY;
	item.booked_here = true;
	free(item.subject);
	item.subject = xstrdup(subject);
	if (created_out)
		*created_out = item;
	else
		event_finish(&item);
	return true;
}

/* Runs c, reading the item in its answer when read_item (UpdateItem answers with one; a
 * DeclineItem answer has none to read). */
static bool
run_call(struct ews_source *s, const struct call *c, bool read_item, struct ews_status *st, struct source_error *err)
{
	if (read_item)
		return call_item(s, c, NULL, st, err);
	struct http_response resp;
	if (!ews_call(s, c, &resp, st, err))
		return false;
	http_response_finish(&resp);
	return true;
}

/* Runs c, which carries the ChangeKey the sign read. When someone changed the item since
 * (ErrorIrresolvableConflict, ErrorStaleObject, ErrorInvalidChangeKey), reads the item's
 * current ChangeKey and runs c once more. */
static bool
call_with_fresh_key(struct ews_source *s, struct call *c, bool read_item, struct source_error *err)
{
	struct ews_status st;
	if (run_call(s, c, read_item, &st, err))
		return true;
	if (!ews_status_is_stale(&st))
		return false;
	struct call get = { .what = "re-reading the meeting", .impersonate = true, .build = build_get, .id = c->id };
	struct event fresh;
	if (!call_item(s, &get, &fresh, &st, err))
		return false;
	log_info("stale ChangeKey while %s; retrying with the current one", c->what);
	c->change_key = fresh.version;
	bool ok = run_call(s, c, read_item, &st, err);
	c->change_key = NULL;
	event_finish(&fresh);
	return ok;
}

static bool
ews_update_end(struct source *src, const struct event *e, rs_time new_end, struct source_error *err)
{
	struct call c = { .what = "changing the meeting's end",
		.impersonate = true,
		.build = build_update,
		.t1 = new_end,
		.id = e->id,
		.change_key = e->version };
	if (!e->id)
		return source_fail(err, SOURCE_ERR_NOT_FOUND, "This meeting has no Exchange item id.");
	return call_with_fresh_key(ews_of(src), &c, true, err);
}

/* Reads the meeting again first: one moved, edited or cancelled in Outlook since the sign's last
 * fetch is left alone (a fresh ChangeKey alone would not tell: its times are compared). Our own
 * booking (judged on the fresh copy) is deleted; a meeting someone else organised is declined,
 * so the organizer learns the room is gone. Deleting theirs would leave them believing they
 * still have a room. A decline names the ChangeKey; a stale one is refreshed. */
static bool
ews_release(struct source *src, const struct event *e, struct source_error *err)
{
	struct ews_source *s = ews_of(src);
	struct ews_status st;
	if (!e->id)
		return source_fail(err, SOURCE_ERR_NOT_FOUND, "This meeting has no Exchange item id.");
	struct call get = { .what = "re-reading the meeting before releasing it",
		.impersonate = true,
		.build = build_get,
		.id = e->id };
	struct event fresh;
	if (!call_item(s, &get, &fresh, &st, err))
		return false;
	const char *why = NULL;
	bool ok;
	if (!room_release_still_due(e, &fresh, &why)) {
		ok = source_fail(err, SOURCE_ERR_CONFLICT, "The meeting was left in the calendar: %s.", why);
	} else {
		struct call c = { .impersonate = true, .id = fresh.id, .change_key = fresh.version };
		c.what = fresh.booked_here ? "cancelling the sign's booking" : "declining the meeting";
		c.build = fresh.booked_here ? build_delete : build_decline;
		ok = fresh.booked_here ? run_call(s, &c, false, &st, err) : call_with_fresh_key(s, &c, false, err);
	}
	event_finish(&fresh);
	return ok;
}

static char *
build_send(const struct ews_header *h, const struct call *c)
{
	return ews_build_send_message(h, c->to, c->subject, c->body);
}

/* Sent as the room (impersonation: the service account needs no mailbox of its own), so the
 * message comes from the room it is about. NoError is Exchange's word that it took it. */
static bool
ews_send_mail(struct source *src, const char *to, const char *subject, const char *body, struct source_error *err)
{
	struct call c = { .what = "sending a message from the room",
		.impersonate = true,
		.build = build_send,
		.to = to,
		.subject = subject,
		.body = body };
	struct ews_status st;
	return run_call(ews_of(src), &c, false, &st, err);
}

/* `roomsign check`: a message without recipients, which Exchange refuses (ErrorInvalidRecipients)
 * only after it has let the account send as the room; nothing is ever sent. */
static bool
ews_check_mail(struct source *src, check_report_fn report, void *ctx)
{
	struct call c = { .what = "sending a test message without recipients",
		.impersonate = true,
		.build = build_send,
		.subject = "roomsign check",
		.body = "" };
	struct ews_status st;
	struct source_error err = { 0 };
	const char *step = "send \"Report a problem\" as the room";
	bool sent = run_call(ews_of(src), &c, false, &st, &err);
	if (!sent && strcmp(st.code, "ErrorInvalidRecipients") == 0) {
		report(ctx, true, step,
			"Exchange lets the service account send as the room (a test message without recipients was "
			"refused as such: nothing was sent)");
		return true;
	}
	report(ctx, false, step,
		sent ? "Exchange accepted a message without recipients: cannot tell whether sending works."
		     : err.message);
	return false;
}

static char *
build_check_in(const struct ews_header *h, const struct call *c)
{
	return ews_build_set_checked_in(h, c->id, c->change_key);
}

static bool
ews_check_in(struct source *src, const struct event *e, struct source_error *err)
{
	if (!e->id)
		return source_fail(err, SOURCE_ERR_NOT_FOUND, "This meeting has no Exchange item id.");
	struct call c = { .what = "recording the check-in",
		.impersonate = true,
		.build = build_check_in,
		.id = e->id,
		.change_key = e->version };
	return call_with_fresh_key(ews_of(src), &c, true, err);
}

/* --- other rooms ----------------------------------------------------------------------------- */

static char *
build_availability(const struct ews_header *h, const struct call *c)
{
	return ews_build_get_user_availability(h, c->rooms, c->n, c->t1, c->t2);
}

/* From busy intervals: when the busy stretch around now ends, or when the room next gets busy. */
static void
summarise(const struct ews_availability *a, rs_time now, rs_time to, struct room_availability *out)
{
	rs_time cursor = now;
	out->ok = a->ok;
	out->busy_until = out->free_until = 0;
	for (bool grew = true; grew;) {
		grew = false;
		for (size_t i = 0; i < a->count; i++) {
			const struct ews_busy *b = &a->busy[i];
			if (b->show_as != SHOW_FREE && b->start <= cursor && b->end > cursor) {
				cursor = b->end;
				grew = true;
			}
		}
	}
	if (cursor > now) {
		out->busy_until = cursor;
		return;
	}
	for (size_t i = 0; i < a->count; i++) {
		const struct ews_busy *b = &a->busy[i];
		if (b->show_as != SHOW_FREE && b->start > now && b->start < to &&
			(!out->free_until || b->start < out->free_until))
			out->free_until = b->start;
	}
}

static char *
build_resolve(const struct ews_header *h, const struct call *c)
{
	return ews_build_resolve_names(h, c->to);
}

/* Asks Exchange's address book for room's display name: true with *name_out (malloc'd) or NULL
 * when Exchange gives none (logged once: the list shows the address); false when asking again
 * later may work (network, throttling). */
static bool
resolve_name(struct ews_source *s, const char *room, char **name_out)
{
	/* As the sign's room, like every other request: an on-premises service account often has no
	 * mailbox (ResolveNames then answers ErrorNonExistentMailbox), and app-only OAuth requires
	 * ExchangeImpersonation on every request. */
	struct call c = { .what = "looking up a room's name", .impersonate = true, .build = build_resolve, .to = room };
	struct http_response resp;
	struct ews_status st;
	struct source_error err = { 0 };
	char name[256] = "";
	*name_out = NULL;
	if (ews_call(s, &c, &resp, &st, &err)) {
		if (!ews_parse_resolve_names(resp.body, resp.body_len, name, sizeof(name), &st))
			snprintf(st.code, sizeof(st.code), "unreadable answer");
		http_response_finish(&resp);
	} else if (err.category == SOURCE_ERR_NETWORK || err.category == SOURCE_ERR_THROTTLED) {
		log_debug("name of %s: %s (asked again next time)", room, err.message);
		return false;
	}
	if (!name[0]) {
		log_info("Exchange's address book gives no name for %s (%s): Find a room shows the address; "
			 "name it in nearby_rooms as 'Name <%s>'",
			room,
			!st.code[0]                       ? err.message
			: strcmp(st.code, "NoError") == 0 ? "no single match"
							  : st.code,
			room);
		return true;
	}
	*name_out = xstrdup(name);
	return true;
}

/* room's display name from Exchange, asked once per source; NULL when it gives none. */
static const char *
server_name(struct ews_source *s, const char *room)
{
	for (size_t i = 0; i < s->name_count; i++)
		if (strcasecmp(s->names[i].room, room) == 0)
			return s->names[i].name;
	char *name = NULL;
	if (!*room || s->name_count == CONFIG_MAX_ROOMS || !resolve_name(s, room, &name))
		return NULL;
	s->names[s->name_count++] = (struct room_name){ .room = xstrdup(room), .name = name };
	return name;
}

static bool
ews_free_busy(
	struct source *src, rs_time from, rs_time to, struct room_availability *out, size_t n, struct source_error *err)
{
	if (n > ROOMS_MAX)
		n = ROOMS_MAX;
	if (n == 0)
		return true;
	const char **rooms = xcalloc(n, sizeof(*rooms));
	for (size_t i = 0; i < n; i++)
		rooms[i] = out[i].room ? out[i].room : "";
	struct call c = { .what = "looking up other rooms",
		.impersonate = true,
		.build = build_availability,
		.t1 = from,
		.t2 = to,
		.rooms = rooms,
		.n = n };
	struct http_response resp;
	struct ews_status st;
	struct ews_availability *answers = xcalloc(n, sizeof(*answers));
	bool ok = ews_call(ews_of(src), &c, &resp, &st, err);
	if (ok) {
		ok = ews_parse_availability(resp.body, resp.body_len, answers, n, &st);
		http_response_finish(&resp);
		if (!ok)
			source_fail(err, SOURCE_ERR_BAD_RESPONSE, "Exchange's free/busy answer could not be read.");
	}
	for (size_t i = 0; ok && i < n; i++) {
		summarise(&answers[i], from, to, &out[i]);
		if (!answers[i].ok)
			log_warn("free/busy of %s: %s", rooms[i], answers[i].code[0] ? answers[i].code : "no answer");
	}
	ews_availability_finish(answers, n);
	free(answers);
	/* The config's name wins; the address book fills the others. */
	for (size_t i = 0; ok && i < n; i++) {
		const char *name = out[i].name ? NULL : server_name(ews_of(src), rooms[i]);
		if (name)
			out[i].name = xstrdup(name);
	}
	free(rooms);
	return ok;
}

/* --- roomsign check -------------------------------------------------------------------------- */

static char *
build_folder(const struct ews_header *h, const struct call *c)
{
	return ews_build_get_folder(h);
}

static bool
check_config(const struct source_config *cfg, check_report_fn report, void *ctx)
{
	const char *problem = NULL;
	if (!cfg->url || (strncmp(cfg->url, "https://", 8) != 0 && strncmp(cfg->url, "http://", 7) != 0))
		problem = "[source] url must be the EWS endpoint, https://<server>/EWS/Exchange.asmx.";
	else if (!cfg->mailbox || !strchr(cfg->mailbox, '@'))
		problem = "[source] mailbox must be the room's primary SMTP address.";
	else if (cfg->auth != HTTP_AUTH_NEGOTIATE && cfg->auth != HTTP_AUTH_BEARER &&
		 (!cfg->username || !*cfg->username))
		problem = "[source] username must name the service account (DOMAIN\\account or account@domain).";
	else if (cfg->auth != HTTP_AUTH_NEGOTIATE && (!cfg->password || !*cfg->password))
		problem = "[source] password_file must hold the service account's password (or the token).";
	report(ctx, !problem, "configuration", problem ? problem : cfg->url);
	return !problem;
}

/* The host part of an http(s) URL, without port or brackets. */
static bool
url_host(const char *url, char *host, size_t size)
{
	const char *p = strstr(url, "://");
	if (!p)
		return false;
	p += 3;
	size_t n;
	if (*p == '[') {
		p++;
		n = strcspn(p, "]");
	} else {
		n = strcspn(p, ":/?#");
	}
	const char *at = memchr(p, '@', n);
	if (at) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	if (n == 0 || n >= size)
		return false;
	memcpy(host, p, n);
	host[n] = '\0';
	return true;
}

static bool
check_dns(const struct source_config *cfg, check_report_fn report, void *ctx)
{
	char host[256], detail[400];
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	if (!url_host(cfg->url, host, sizeof(host))) {
		report(ctx, false, "DNS", "The url has no host name.");
		return false;
	}
	int rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0) {
		snprintf(detail, sizeof(detail), "Cannot resolve %s (%s): check the url and the sign's DNS server.",
			host, gai_strerror(rc));
		report(ctx, false, "DNS", detail);
		return false;
	}
	char addr[64] = "";
	getnameinfo(res->ai_addr, res->ai_addrlen, addr, sizeof(addr), NULL, 0, NI_NUMERICHOST);
	freeaddrinfo(res);
	snprintf(detail, sizeof(detail), "%s is %s", host, addr);
	report(ctx, true, "DNS", detail);
	return true;
}

/* An unauthenticated GET: any HTTP answer proves the connection (and TLS) works. */
static bool
check_connect(const struct source_config *cfg, check_report_fn report, void *ctx)
{
	bool tls = strncmp(cfg->url, "https://", 8) == 0;
	const char *step = tls ? "TLS" : "connection";
	struct http_request req = {
		.url = cfg->url, .ca_file = cfg->ca_file, .timeout_s = cfg->timeout_s, .max_body = 1 << 20
	};
	struct http_response resp;
	struct source_error err = { 0 };
	if (!http_perform(&req, &resp, &err)) {
		report(ctx, false, step, err.message);
		return false;
	}
	http_response_finish(&resp);
	report(ctx, true, step,
		tls ? "certificate verified"
		    : "connected (plain HTTP: the password crosses the "
		      "network unprotected unless auth is ntlm or negotiate)");
	return true;
}

static bool
check_step(struct ews_source *s, const char *step, bool impersonate, const char *ok_detail, check_report_fn report,
	void *ctx)
{
	struct call c = { .what = "the check", .impersonate = impersonate, .build = build_folder };
	struct http_response resp;
	struct ews_status st;
	struct source_error err = { 0 };
	bool ok = ews_call(s, &c, &resp, &st, &err);
	if (ok)
		http_response_finish(&resp);
	/* Without impersonation the account's own mailbox answers; any EWS answer but 401 means
	 * the sign-in worked. */
	if (!impersonate && !ok && err.category != SOURCE_ERR_AUTH && st.code[0])
		ok = true;
	report(ctx, ok, step, ok ? ok_detail : err.message);
	return ok;
}

static bool
check_book(struct ews_source *s, check_report_fn report, void *ctx)
{
	struct source_error err = { 0 };
	struct event created = { 0 };
	rs_time now = time_now();
	if (!ews_book(&s->base, now, now + 60, "roomsign check: test booking (deleted at once)", &created, &err)) {
		report(ctx, false, "test booking", err.message);
		return false;
	}
	struct call c = { .what = "deleting the test booking",
		.impersonate = true,
		.build = build_delete,
		.id = created.id,
		.flag = true };
	struct http_response resp;
	struct ews_status st;
	bool ok = ews_call(s, &c, &resp, &st, &err);
	if (ok)
		http_response_finish(&resp);
	char detail[700]; /* room for the whole error message */
	snprintf(detail, sizeof(detail),
		ok ? "created and deleted a 1-minute booking"
		   : "created a 1-minute test booking but could not delete it (%s); "
		     "delete it in the room's calendar by hand",
		err.message);
	report(ctx, ok, "test booking", detail);
	event_finish(&created);
	return ok;
}

/* The name Find a room shows for nearby room i, and where it comes from. Not knowing it is no
 * failure: the list shows the address. */
static void
check_nearby_name(struct ews_source *s, size_t i, check_report_fn report, void *ctx)
{
	const struct source_config *cfg = s->base.config;
	const char *room = cfg->nearby_rooms[i], *given = cfg->nearby_names[i];
	const char *name = given ? given : server_name(s, room);
	char step[320], detail[700];
	snprintf(step, sizeof(step), "nearby room %s: name", room);
	if (given)
		snprintf(detail, sizeof(detail), "\"%s\" (from nearby_rooms)", given);
	else if (name)
		snprintf(detail, sizeof(detail), "\"%s\" (from Exchange's address book)", name);
	else
		snprintf(detail, sizeof(detail),
			"not known: Exchange's address book gives no name for it (hidden from the address list, or "
			"not a mailbox), so Find a room shows the address. Name it in nearby_rooms: 'Name <%s>'.",
			room);
	report(ctx, true, step, detail);
}

/* Find a room offers every nearby room for booking, which acts as that room: impersonating it
 * must work as for the sign's own room. Asked with a read (FindItem on its calendar). */
static bool
check_nearby_booking(struct ews_source *s, size_t i, check_report_fn report, void *ctx)
{
	const struct source_config *cfg = s->base.config;
	const char *room = cfg->nearby_rooms[i], *user = cfg->username ? cfg->username : "the service account";
	rs_time now = time_now();
	struct call c = { .what = "reading a nearby room's calendar",
		.impersonate = true,
		.as = room,
		.build = build_find,
		.t1 = now,
		.t2 = now + TIME_HOUR };
	struct http_response resp;
	struct ews_status st;
	struct source_error err = { 0 };
	char step[320], detail[900];
	bool ok = ews_call(s, &c, &resp, &st, &err);
	if (ok)
		http_response_finish(&resp);
	snprintf(step, sizeof(step), "nearby room %s: the sign may book it", room);
	if (ok)
		snprintf(detail, sizeof(detail), "%s may act as %s", user, room);
	else if (strcmp(st.code, "ErrorImpersonateUserDenied") == 0 || strcmp(st.code, "ErrorImpersonationDenied") == 0)
		snprintf(detail, sizeof(detail),
			"%s may not act as %s (%s), so Find a room could not book it. The ApplicationImpersonation "
			"role's scope must include this room: e.g. New-ManagementScope RoomsOnly "
			"-RecipientRestrictionFilter {RecipientTypeDetails -eq 'RoomMailbox'}; "
			"New-ManagementRoleAssignment -Role ApplicationImpersonation -User '%s' "
			"-CustomRecipientWriteScope RoomsOnly (or widen the scope's filter). Exchange can take up to "
			"30 minutes to apply it.",
			user, room, st.code, user);
	else if (err.category == SOURCE_ERR_NOT_FOUND)
		snprintf(detail, sizeof(detail),
			"Exchange has no mailbox %s (%s): nearby_rooms must list rooms' primary SMTP addresses "
			"(Get-Mailbox <room> | fl PrimarySmtpAddress).",
			room, st.code);
	else
		snprintf(detail, sizeof(detail), "%s", err.message);
	report(ctx, ok, step, detail);
	return ok;
}

static bool
check_nearby(struct ews_source *s, check_report_fn report, void *ctx)
{
	const struct source_config *cfg = s->base.config;
	bool ok = true;
	for (size_t i = 0; i < cfg->nearby_count && i < CONFIG_MAX_ROOMS; i++) {
		check_nearby_name(s, i, report, ctx);
		ok = check_nearby_booking(s, i, report, ctx) && ok;
	}
	return ok;
}

static bool
ews_check(struct source *src, bool book_test, check_report_fn report, void *ctx)
{
	struct ews_source *s = ews_of(src);
	const struct source_config *cfg = src->config;
	char detail[300];
	if (!check_config(cfg, report, ctx) || !check_dns(cfg, report, ctx) || !check_connect(cfg, report, ctx))
		return false;
	if (cfg->auth == HTTP_AUTH_NEGOTIATE) /* GSS-API signs in as the ticket's principal */
		snprintf(detail, sizeof(detail), "signed in with the Kerberos ticket in the credential cache");
	else
		snprintf(detail, sizeof(detail), "signed in as %s", cfg->username ? cfg->username : "(token)");
	if (!check_step(s, "authentication", false, detail, report, ctx))
		return false;
	snprintf(detail, sizeof(detail), "acting as %s (EWS %s)", cfg->mailbox, s->version);
	if (!check_step(s, "impersonation of the room", true, detail, report, ctx))
		return false;
	struct schedule *today = NULL;
	struct source_error err = { 0 };
	rs_time now = time_now();
	if (!ews_fetch(src, time_day_start(now), time_day_end(now), &today, &err)) {
		report(ctx, false, "read today's calendar", err.message);
		return false;
	}
	snprintf(detail, sizeof(detail), "%zu events today", today->count);
	schedule_destroy(today);
	report(ctx, true, "read today's calendar", detail);
	if (cfg->ews_streaming) {
		char stream_detail[700];
		bool streams = ews_stream_probe(cfg, s->version, 15, stream_detail, sizeof(stream_detail));
		report(ctx, streams, "streaming notifications", stream_detail);
	}
	bool ok = check_nearby(s, report, ctx);
	return (!book_test || check_book(s, report, ctx)) && ok;
}

/* --- lifecycle ------------------------------------------------------------------------------- */

/* Streaming notifications run on a thread of their own (ews_stream.c), so the worker stays
 * free for actions; `streaming = no` keeps the sign polling. */
static bool
ews_watch(struct source *src, void (*changed)(void *ctx), void *ctx, struct source_error *err)
{
	struct ews_source *s = ews_of(src);
	ews_stream_stop(s->stream);
	s->stream = NULL;
	if (!changed)
		return true;
	if (!src->config->ews_streaming)
		return source_fail(
			err, SOURCE_ERR_UNSUPPORTED, "streaming notifications are off ([source] streaming = no)");
	/* watching turns true with the stream's first message, not before: until then the worker polls. */
	if (!(s->stream = ews_stream_start(src->config, s->version, &src->watching, changed, ctx)))
		return source_fail(err, SOURCE_ERR_UNSUPPORTED, "cannot start the streaming-notification thread");
	return true;
}

static void
ews_destroy(struct source *src)
{
	struct ews_source *s = ews_of(src);
	ews_stream_stop(s->stream);
	for (size_t i = 0; i < s->name_count; i++) {
		free(s->names[i].room);
		free(s->names[i].name);
	}
	free(src);
}

static const struct source_ops ews_ops = {
	.fetch = ews_fetch,
	.book = ews_book,
	.update_end = ews_update_end,
	.release = ews_release,
	.check_in = ews_check_in,
	.free_busy = ews_free_busy,
	.check = ews_check,
	.watch = ews_watch,
	.destroy = ews_destroy,
	.send_mail = ews_send_mail,
	.check_mail = ews_check_mail,
};

struct source *
ews_source_create(const struct source_config *config, struct source_error *err)
{
	if (!config->url || !*config->url) {
		source_fail(err, SOURCE_ERR_CONFIG,
			"[source] url is required for type = ews "
			"(https://<server>/EWS/Exchange.asmx).");
		return NULL;
	}
	if (!config->mailbox || !*config->mailbox) {
		source_fail(err, SOURCE_ERR_CONFIG,
			"[source] mailbox is required for type = ews: the room's "
			"primary SMTP address.");
		return NULL;
	}
	struct ews_source *s = xcalloc(1, sizeof(*s));
	s->base.ops = &ews_ops;
	s->base.config = config;
	s->version = config->server_version && *config->server_version ? config->server_version : "Exchange2013_SP1";
	s->seed = (unsigned int)time_mono_ms();
	return &s->base;
}
