/* ews_xml.h — Exchange Web Services SOAP answers: parsers and what each status means, no I/O,
 * so they can be unit-tested on recorded answers and fuzzed. Times come back in UTC. The
 * requests are built in ews_request.h. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "../core/event.h"
#include "source.h"

#define EWS_PAGE_MAX 500         /* MaxEntriesReturned we ask for; also the parse cap */
#define EWS_BODY_MAX (64L << 20) /* never parse more than this */

/* The outcome of one answer: its SOAP fault, or its first ResponseMessage that is an Error. */
struct ews_status {
	char code[64];   /* "NoError", or an EWS ResponseCode such as "ErrorServerBusy" */
	char text[256];  /* MessageText / faultstring, for logs */
	long backoff_ms; /* BackOffMilliseconds; 0 when absent */
	bool is_fault;
};

/* All parsers: false when the body is not an EWS SOAP answer (HTML, truncated, garbage, over
 * EWS_BODY_MAX); true otherwise with status filled. Data is filled only when status says NoError;
 * the outputs are always safe to finish. */
bool ews_parse_status(const char *xml, size_t len, struct ews_status *status);

struct ews_page {
	struct event *events; /* malloc'd; each event owns its strings */
	size_t count;
	bool includes_last; /* IncludesLastItemInRange (true when absent) */
	rs_time last_start; /* start of the last item in the answer */
};
bool ews_parse_find_item(const char *xml, size_t len, struct ews_page *out, struct ews_status *status);
void ews_page_finish(struct ews_page *page); /* accepts a zeroed page */

/* CreateItem, UpdateItem, GetItem: the first item's id and ChangeKey, plus whatever else the
 * answer carries (GetItem: times, subject, ...). */
bool ews_parse_item(const char *xml, size_t len, struct event *out, struct ews_status *status);

struct ews_busy {
	rs_time start, end;
	enum show_as show_as;
};
struct ews_availability {
	bool ok;               /* this mailbox answered */
	char code[64];         /* its ResponseCode */
	struct ews_busy *busy; /* malloc'd */
	size_t count;
};
/* GetUserAvailability: out[0..n) in request order; missing answers stay !ok. */
bool ews_parse_availability(
	const char *xml, size_t len, struct ews_availability *out, size_t n, struct ews_status *status);
void ews_availability_finish(struct ews_availability *out, size_t n);

/* ResolveNames: the one resolution's display name into name_out ("" when the answer has no
 * single unambiguous mailbox with a name: several matches come back as a Warning). */
bool ews_parse_resolve_names(const char *xml, size_t len, char *name_out, size_t name_size, struct ews_status *status);

/* Names used in the admin sentences. */
struct ews_names {
	const char *username, *mailbox, *url;
};
/* Maps a non-NoError status to a category and a sentence telling the admin what to do.
 * Always returns false. */
bool ews_status_error(const struct ews_status *status, const struct ews_names *names, struct source_error *err);
/* The answer asks for an older RequestServerVersion. */
bool ews_status_wants_older_version(const struct ews_status *status);
/* Worth retrying after a pause: throttling and Exchange's transient store/connection errors. */
bool ews_status_is_transient(const struct ews_status *status);
/* A stale ChangeKey. */
bool ews_status_is_stale(const struct ews_status *status);
/* The next older RequestServerVersion to try, or NULL at the oldest. */
const char *ews_version_below(const char *version);

/* "2026-11-02T13:00:00Z", with optional fraction and "+01:00" offset; no zone means UTC. */
bool ews_parse_time(const char *s, rs_time *out);

/* Subscribe: the new subscription's id into id_out ("" unless NoError). */
bool ews_parse_subscribe(const char *xml, size_t len, char *id_out, size_t id_size, struct ews_status *status);

/* One envelope of a GetStreamingEvents stream: a keep-alive (ConnectionStatus OK and nothing
 * else), notifications, the end of the connection, or an error. */
struct ews_stream_part {
	unsigned changes; /* created / modified / deleted / moved / copied item or folder events */
	bool closed;      /* ConnectionStatus Closed: the server ends this connection */
	bool lost;        /* ErrorSubscriptionIds lists a subscription: it is gone */
};
bool ews_parse_stream_part(const char *xml, size_t len, struct ews_stream_part *out, struct ews_status *status);
/* A stream carries envelopes back to back: the length of the first complete one at the start
 * of buf (with its XML declaration and surrounding white space), 0 while it is incomplete. */
size_t ews_stream_envelope_end(const char *buf, size_t len);
/* The subscription is gone (expired, not found, server moved): subscribe again. */
bool ews_status_subscription_lost(const struct ews_status *status);
