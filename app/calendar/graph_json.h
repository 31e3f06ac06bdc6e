/* graph_json.h — Microsoft Graph calendar JSON in and out (cJSON), apart from the I/O so it can
 * be unit-tested and fuzzed. Every function is pure: no network, no clock, no logging. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "source.h"

/* Every booking the sign creates carries a transactionId starting with this prefix. Graph stores
 * the transactionId with the event and returns it on reads, and nobody else chooses ours, so it
 * marks the sign's own bookings without an extended property (see graph_transaction_id). */
#define GRAPH_TRANSACTION_PREFIX "roomsign-"
/* A check-in at any sign on the room, kept on the event as a single-value extended property
 * (PS_PUBLIC_STRINGS) so the other signs see it (issue 12). */
#define GRAPH_CHECKED_IN_ID "String {00020329-0000-0000-C000-000000000046} Name RoomsignCheckedIn"
/* The $expand that returns it, URL-encoded (an argument, never a format: it holds '%'). */
#define GRAPH_CHECKED_IN_EXPAND                                                                          \
	"$expand=singleValueExtendedProperties(%24filter%3Did%20eq%20%27String%20%7B00020329-0000-0000-" \
	"C000-000000000046%7D%20Name%20RoomsignCheckedIn%27)"

/* Caps on what one answer may hold; a page of calendarView is 10 by default, at most $top. */
#define GRAPH_MAX_PAGE_EVENTS 1000
#define GRAPH_MAX_URL         4096

/* One page of GET /users/{room}/calendarView. */
struct graph_page {
	struct event *events; /* malloc'd array; ownership may be taken */
	size_t count;
	char *next_link; /* @odata.nextLink, NULL on the last page */
};

/* Parses a calendarView page (times must be UTC: the request asks for them with Prefer).
 * All-day events become local midnights of their dates in the room's zone; cancelled events are
 * kept as free (they no longer block the room); private and confidential ones lose their
 * subject. false with err (bad-response) when the JSON is not a calendarView page. */
bool graph_parse_calendar_view(const char *body, size_t len, struct graph_page *page_out, struct source_error *err);
void graph_page_finish(struct graph_page *page); /* accepts a zeroed page */

/* One page of GET /users/{room}/calendarView/delta: which events changed (created or updated,
 * listed with their properties) and which left the view (`"@removed": {"reason": …}`), by id.
 * Exactly one of next_link (more pages of this round) and delta_link (the round is over; ask it
 * next time) is set. */
struct graph_delta_page {
	char **changed, **removed; /* ids, malloc'd */
	size_t changed_count, removed_count;
	char *next_link, *delta_link;
};

/* false with err (bad-response) when the JSON is not a delta page, an id is missing, or neither
 * or both links are there (links must be https://). */
bool graph_parse_delta(const char *body, size_t len, struct graph_delta_page *page_out, struct source_error *err);
void graph_delta_page_finish(struct graph_delta_page *page); /* accepts a zeroed page */

/* Parses one event object (the answer to POST /events or PATCH). */
bool graph_parse_event(const char *body, size_t len, struct event *event_out, struct source_error *err);

/* "2026-11-02T13:00:00.0000000" (+ optional Z) in UTC → instant. */
bool graph_parse_datetime(const char *s, rs_time *out);

/* Builders: fresh NUL-terminated JSON strings, freed by the caller. */
char *graph_build_event(
	rs_time start, rs_time end, const char *subject, const char *location, const char *transaction_id);
char *graph_build_end_patch(rs_time end);
/* PATCH body setting GRAPH_CHECKED_IN_ID to "1". */
char *graph_build_checked_in_patch(void);
char *graph_build_decline(const char *comment);
/* user: sendMail's body: a plain-text message to `to` (NULL: no recipient at all, the probe of
 * roomsign check), not saved to the room's Sent Items. */
char *graph_build_send_mail(const char *to, const char *subject, const char *body);
char *graph_build_get_schedule(const char *const *rooms, size_t n, rs_time from, rs_time to, int interval_min);

/* "roomsign-<now as 20261102T125959Z>-<random hex>": unique per booking attempt; reused for
 * retries of the same attempt so Graph answers them with the event it already created. The
 * stamp also orders two signs' racing bookings when the server's createdDateTime is missing. */
#define GRAPH_TRANSACTION_ID_SIZE 48
void graph_transaction_id(rs_time now, const unsigned char random[8], char *buf, size_t size);

/* Parses a getSchedule answer into out[0..n) (out[i].room names the schedule to fill, matched
 * case-insensitively). busy_until/free_until are computed relative to now. A schedule with an
 * error, or missing, gets ok = false. false with err only when the JSON is unusable. */
bool graph_parse_get_schedule(
	const char *body, size_t len, rs_time now, struct room_availability *out, size_t n, struct source_error *err);

/* One page of GET /places/microsoft.graph.room: the tenant's rooms, address and display name
 * (rooms without either are left out). */
struct graph_place {
	char *address, *name;
};
struct graph_places_page {
	struct graph_place *places; /* malloc'd */
	size_t count;
	char *next_link; /* @odata.nextLink (https://), NULL on the last page */
};
/* false with err (bad-response) when the JSON is not such a page. */
bool graph_parse_places(const char *body, size_t len, struct graph_places_page *page_out, struct source_error *err);
void graph_places_page_finish(struct graph_places_page *page); /* accepts a zeroed page */

/* What the caller was doing and for whom, for error sentences. */
struct graph_context {
	const char *what; /* "Reading the room's calendar", … */
	const char *mailbox;
	const char *client_id;
	bool is_write; /* creating or changing, not reading */
	bool is_mail;  /* sending mail as the room (Mail.Send) */
};

/* Turns a failed Graph answer (status + {"error":{"code","message"}} body) into a category and
 * a sentence an administrator can act on. Always returns false. */
bool graph_parse_error(long status, const char *body, size_t len, long retry_after_s, const struct graph_context *ctx,
	struct source_error *err);
/* The error code of a Graph error body ("ErrorAccessDenied"), copied into buf; "" when none. */
void graph_error_code(const char *body, size_t len, char *buf, size_t size);

/* The full Exchange Online PowerShell recipe for granting the app this room through RBAC for
 * Applications, with the tenant-wide consent warning. Fresh string, several lines. */
char *graph_access_advice(const char *client_id, const char *mailbox);
/* The same for Mail.Send ([report] through Graph): the role, scoped to the room mailboxes. */
char *graph_mail_advice(const char *client_id, const char *mailbox);
