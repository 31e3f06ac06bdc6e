/* caldav_client.h — private to caldav.c and caldav_discover.c: the CalDAV source's state and
 * the request, error and discovery helpers both halves use. */
#pragma once
#include <stdbool.h>
#include "source.h"
#include "../net/http.h"

struct cached {
	char *href, *etag, *data;
};

struct caldav {
	struct source base;
	char *origin;          /* "scheme://host[:port]" */
	char *collection;      /* absolute URL of the calendar, ending in '/' */
	char *collection_path; /* the same as the server writes hrefs */
	char *collection_name; /* displayname, for messages; may be NULL */
	bool can_schedule;     /* RFC 6638: the principal has a schedule-outbox-URL */
	/* The cache: every resource the last full query returned, kept current by sync. */
	bool has_cache;
	rs_time cache_from, cache_to;
	char *sync_token; /* NULL: the next read is a full query */
	struct cached *items;
	size_t count, cap;
	/* Cheap polls (issue 16): */
	uint64_t full_at_ms;   /* monotonic time of the last full query */
	unsigned long changes; /* resources added, changed or removed by sync so far */
	bool sync_doubted;     /* the last sync-collection was refused (not for its token) */
	bool sync_refused;     /* … and a full query then worked: full reads every `refresh` */
};

/* One WebDAV request with the account's credentials, TLS and size caps. false: no HTTP answer. */
bool caldav_request(struct caldav *c, const char *method, const char *url, const char *depth, const char *body,
	const char *content_type, const struct http_header *extra, size_t n_extra, struct http_response *resp,
	struct source_error *err);
/* A failed status as a sentence: 401, 403, 404 (with the calendars the account can see), 412,
 * 507, else http_status_error(). Returns false. */
bool caldav_status_error(
	struct caldav *c, const struct http_response *r, const char *what, const char *url, struct source_error *err);
/* A 2xx answer that is not WebDAV XML. Returns false. */
bool caldav_not_xml(const char *url, const struct http_response *r, struct source_error *err);
/* An href (absolute URL, absolute path, or relative to base) as an absolute URL, malloc'd. */
char *caldav_absolute(const struct caldav *c, const char *href, const char *base);
char *caldav_origin_of(const char *url);
/* Is url on the configured origin (scheme, host and port, exactly)? caldav_request sends
 * nothing anywhere else: a redirect or href to another server, or from https to http, is
 * refused, so the password never leaves the configured server. */
bool caldav_same_origin(const struct caldav *c, const char *url);
/* Resolves c->collection (and its path, name, can_schedule) once; true when known. */
bool caldav_discover(struct caldav *c, struct source_error *err);
