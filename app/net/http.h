/* http.h — the one libcurl wrapper: timeouts, TLS, auth, capped bodies, errors as categories. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "../core/error.h"

enum http_auth { HTTP_AUTH_NONE, HTTP_AUTH_BASIC, HTTP_AUTH_NTLM, HTTP_AUTH_NEGOTIATE, HTTP_AUTH_BEARER };

/* The longest wait a server can ask for (Retry-After, BackOffMilliseconds): one day. */
#define HTTP_RETRY_AFTER_MAX_S 86400L

struct http_header {
	const char *name, *value;
};

struct http_request {
	const char *method; /* "GET" when NULL */
	const char *url;
	const char *body; /* may be NULL */
	size_t body_len;  /* strlen(body) when 0 and body != NULL */
	const struct http_header *headers;
	size_t header_count;
	enum http_auth auth;
	const char *username, *password; /* basic / ntlm / negotiate */
	const char *bearer;              /* bearer token */
	const char *ca_file;             /* extra CA bundle, PEM */
	const char *client_cert;         /* PEM client certificate for mutual TLS; NULL: none */
	const char *client_key;          /* its private key (PEM); NULL: in client_cert */
	int timeout_s;                   /* whole request; 20 when 0 */
	long max_body;                   /* bytes; 16 MiB when 0 */
	bool http11;                     /* force HTTP/1.1 (NTLM) */
};

struct http_response {
	long status; /* 0 when no HTTP answer arrived */
	char *body;  /* NUL-terminated, may contain NULs; owned */
	size_t body_len;
	long retry_after_s; /* Retry-After, 0 … HTTP_RETRY_AFTER_MAX_S; -1 when absent or unusable */
	char *content_type; /* owned, may be NULL */
	char *etag;         /* owned, may be NULL */
	char *location;     /* owned, may be NULL */
};

/* Performs one request. Returns false only when no HTTP status arrived (DNS, connect, TLS,
 * timeout, body over the cap, dropped connection); err then says which in plain words.
 * Any HTTP status, 4xx/5xx too, returns true: the caller interprets it. */
bool http_perform(const struct http_request *req, struct http_response *resp, struct source_error *err);
void http_response_finish(struct http_response *resp); /* accepts a zeroed struct */

/* A long-lived answer read as it arrives (EWS GetStreamingEvents): the body goes to on_data piece
 * by piece, never kept, so the cap applies to nothing. */
struct http_stream {
	bool (*on_data)(void *ctx, const char *data, size_t len); /* false stops the transfer */
	bool (*on_tick)(void *ctx); /* about once a second while waiting; false stops the transfer */
	void *ctx;
	bool stopped; /* out: a callback stopped it */
};
/* Like http_perform, without a body in resp: true when the transfer ended normally or a callback
 * stopped it (stream->stopped), false (err filled) on a transport failure. */
bool http_perform_stream(const struct http_request *req, struct http_stream *stream, struct http_response *resp,
	struct source_error *err);

/* Maps a generic HTTP failure status to a category and sentence (401 → auth, 403 → permission,
 * 404 → not found, 429/503 → throttled with Retry-After, 5xx → network). Returns false. */
bool http_status_error(const struct http_response *resp, const char *what, struct source_error *err);

/* A server's "wait this long": decimal digits only (no sign, no space, no junk), saturating at
 * max, so it never overflows. -1 for anything else. */
long http_parse_delay(const char *s, long max);
/* A Retry-After value (RFC 9110 10.2.3): delay-seconds or an HTTP-date (seconds from now, 0 when
 * past), clamped to 0 … HTTP_RETRY_AFTER_MAX_S; -1 when empty or garbage. */
long http_parse_retry_after(const char *value, time_t now);

/* Call once from main before threads start; and at exit. */
bool http_global_init(void);
void http_global_cleanup(void);

/* Reads a whole file, capped at max bytes. NULL (errno set) on failure or when larger. */
char *file_read_capped(const char *path, size_t max, size_t *len_out);
