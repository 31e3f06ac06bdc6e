/* caldav_discover.c — from [source] url to the room's calendar: RFC 6764 /.well-known,
 * current-user-principal (RFC 5397), calendar-home-set, then the only calendar or the one named
 * after the room. Also the requests and the errors that speak, shared with caldav.c. */
#define LOG_MODULE "caldav"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "caldav_client.h"
#include "caldav_xml.h"
#include "../core/xalloc.h"
#include "../core/log.h"

#define MAX_REDIRECTS 5

/* ---- URLs ---- */

char *
caldav_origin_of(const char *url)
{
	const char *host = strstr(url, "://");
	host = host ? host + 3 : url;
	return xstrndup(url, (size_t)(host - url) + strcspn(host, "/?#"));
}

bool
caldav_same_origin(const struct caldav *c, const char *url)
{
	char *origin = caldav_origin_of(url);
	bool same = strcasecmp(origin, c->origin) == 0;
	free(origin);
	return same;
}

static const char *
path_of(const char *url)
{
	const char *host = strstr(url, "://");
	host = host ? host + 3 : url;
	const char *path = host + strcspn(host, "/?#");
	return *path == '/' ? path : "/";
}

/* An href from the server (absolute URL, absolute path, or relative to base) as a URL. */
char *
caldav_absolute(const struct caldav *c, const char *href, const char *base)
{
	if (strncmp(href, "http://", 7) == 0 || strncmp(href, "https://", 8) == 0)
		return xstrdup(href);
	if (href[0] == '/')
		return xasprintf("%s%s", c->origin, href);
	return xasprintf("%s%s", base, href);
}

static char *
with_slash(const char *s)
{
	size_t n = strlen(s);
	return n && s[n - 1] == '/' ? xstrdup(s) : xasprintf("%s/", s);
}

/* ---- requests ---- */

bool
caldav_request(struct caldav *c, const char *method, const char *url, const char *depth, const char *body,
	const char *content_type, const struct http_header *extra, size_t n_extra, struct http_response *resp,
	struct source_error *err)
{
	const struct source_config *cfg = c->base.config;
	memset(resp, 0, sizeof(*resp)); /* callers finish it even when nothing was sent */
	resp->retry_after_s = -1;
	if (!caldav_same_origin(c, url))
		return source_fail(err, SOURCE_ERR_CONFIG,
			"The CalDAV server pointed the sign at %s, outside %s (scheme, host and port); the sign "
			"sends its password only to the configured server: set [source] url to the calendar's "
			"own server.",
			url, c->origin);
	struct http_header headers[8];
	size_t n = 0;
	if (depth)
		headers[n++] = (struct http_header){ "Depth", depth };
	if (body)
		headers[n++] = (struct http_header){ "Content-Type",
			content_type ? content_type : "application/xml; charset=utf-8" };
	for (size_t i = 0; i < n_extra && n < sizeof(headers) / sizeof(headers[0]); i++)
		headers[n++] = extra[i];
	struct http_request req = {
		.method = method,
		.url = url,
		.body = body,
		.headers = headers,
		.header_count = n,
		.auth = cfg->username ? HTTP_AUTH_BASIC : HTTP_AUTH_NONE,
		.username = cfg->username,
		.password = cfg->password,
		.ca_file = cfg->ca_file,
		.timeout_s = cfg->timeout_s,
		.max_body = cfg->max_body,
	};
	bool ok = http_perform(&req, resp, err);
	log_debug("%s %s: %ld", method, url, ok ? resp->status : 0L);
	return ok;
}

static bool
is_multistatus(const struct http_response *r)
{
	return r->status == 207;
}

bool
caldav_not_xml(const char *url, const struct http_response *r, struct source_error *err)
{
	return source_fail(err, SOURCE_ERR_BAD_RESPONSE,
		"%s answered with something that is not WebDAV XML (HTTP %ld, %s): is [source] url a CalDAV server or "
		"calendar?",
		url, r->status, r->content_type ? r->content_type : "no content type");
}

static void list_calendars(struct caldav *c, char *out, size_t size);

bool
caldav_status_error(
	struct caldav *c, const struct http_response *r, const char *what, const char *url, struct source_error *err)
{
	const char *user = c->base.config->username ? c->base.config->username : "(none)";
	char list[320];
	switch (r->status) {
	case 401:
		return source_fail(err, SOURCE_ERR_AUTH,
			"The CalDAV server refused user '%s' (HTTP 401): check [source] username and the password in "
			"password_file.",
			user);
	case 403:
		return source_fail(err, SOURCE_ERR_PERMISSION,
			"%s: user '%s' may not do this on %s (HTTP 403): the server's access rules must give the "
			"account read and write access to the room's calendar.",
			what, user, url);
	case 404:
		list_calendars(c, list, sizeof(list));
		return source_fail(err, SOURCE_ERR_NOT_FOUND, "%s: %s does not exist (HTTP 404). %s", what, url, list);
	case 412:
		return source_fail(err, SOURCE_ERR_CONFLICT,
			"%s: the meeting was changed on the server meanwhile (HTTP 412).", what);
	case 507:
		return source_fail(err, SOURCE_ERR_PERMISSION,
			"%s: the server has no storage left for this calendar (HTTP 507 Insufficient Storage): its "
			"administrator must raise the quota or free space.",
			what);
	default: return http_status_error(r, what, err);
	}
}

/* PROPFIND Depth 0 for discovery, following redirects (RFC 6764's /.well-known answers with
 * one). url_io is replaced by the final URL. false only for a transport failure. */
static bool
propfind_discovery(struct caldav *c, char **url_io, struct http_response *resp, struct caldav_principal *p,
	struct source_error *err)
{
	char *body = caldav_xml_propfind_discovery();
	bool ok = false;
	memset(p, 0, sizeof(*p));
	for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
		if (!caldav_request(c, "PROPFIND", *url_io, "0", body, NULL, NULL, 0, resp, err))
			goto out;
		if (resp->status < 300 || resp->status >= 400 || !resp->location || hop == MAX_REDIRECTS)
			break;
		char *next = caldav_absolute(c, resp->location, *url_io);
		free(*url_io);
		*url_io = next;
		http_response_finish(resp);
	}
	if (is_multistatus(resp))
		caldav_xml_parse_principal(resp->body, resp->body_len, p);
	ok = true;
out:
	free(body);
	return ok;
}

static bool
list_collections(
	struct caldav *c, const char *home_url, struct caldav_collection **list, size_t *n, struct source_error *err)
{
	struct http_response resp;
	char *body = caldav_xml_propfind_collections();
	bool ok = caldav_request(c, "PROPFIND", home_url, "1", body, NULL, NULL, 0, &resp, err);
	free(body);
	if (ok && !is_multistatus(&resp))
		ok = caldav_status_error(c, &resp, "Listing the calendars", home_url, err);
	else if (ok && !caldav_xml_parse_collections(resp.body, resp.body_len, list, n))
		ok = caldav_not_xml(home_url, &resp, err);
	http_response_finish(&resp);
	return ok;
}

static bool
usable(const struct caldav_collection *col)
{
	return col->is_calendar && col->has_vevent;
}

/* The calendar home of the account behind the server's root, for the 404 message. */
static char *
find_home(struct caldav *c)
{
	struct source_error err = { 0 };
	struct http_response resp = { 0 };
	struct caldav_principal p = { 0 };
	char *url = xasprintf("%s/.well-known/caldav", c->origin), *home = NULL;
	if (propfind_discovery(c, &url, &resp, &p, &err) && !p.principal && !p.home) {
		free(url);
		url = xasprintf("%s/", c->origin);
		http_response_finish(&resp);
		propfind_discovery(c, &url, &resp, &p, &err);
	}
	if (p.home) {
		home = caldav_absolute(c, p.home, url);
	} else if (p.principal) {
		free(url);
		url = caldav_absolute(c, p.principal, c->origin);
		caldav_principal_finish(&p);
		http_response_finish(&resp);
		if (propfind_discovery(c, &url, &resp, &p, &err) && p.home)
			home = caldav_absolute(c, p.home, url);
	}
	caldav_principal_finish(&p);
	http_response_finish(&resp);
	free(url);
	return home;
}

/* "Calendars user 'x' can see: /a/ (A), /b/ (B)." — best effort, never fails. */
static void
list_calendars(struct caldav *c, char *out, size_t size)
{
	struct source_error err = { 0 };
	struct caldav_collection *list = NULL;
	size_t n = 0, used;
	char *home = find_home(c);
	snprintf(out, size, "The calendars of user '%s' could not be listed.",
		c->base.config->username ? c->base.config->username : "");
	if (!home || !list_collections(c, home, &list, &n, &err))
		goto out;
	used = (size_t)snprintf(out, size, "Calendars user '%s' can see:", c->base.config->username);
	size_t shown = 0;
	for (size_t i = 0; i < n && used < size; i++) {
		if (!usable(&list[i]))
			continue;
		used += (size_t)snprintf(out + used, size - used, "%s %s%s%s%s", shown ? "," : "", list[i].href,
			list[i].displayname ? " (" : "", list[i].displayname ? list[i].displayname : "",
			list[i].displayname ? ")" : "");
		shown++;
	}
	if (!shown)
		snprintf(out, size, "User '%s' can see no calendars.", c->base.config->username);
	else if (used < size)
		snprintf(out + used, size - used, ".");
out:
	caldav_collections_free(list, n);
	free(home);
}

/* ---- discovery ---- */

static bool
matches_room(const struct caldav_collection *col, const char *mailbox)
{
	if (!mailbox || !*mailbox)
		return false;
	size_t local = strcspn(mailbox, "@");
	char *name = caldav_href_name(col->href);
	bool match = (col->displayname && strcasecmp(col->displayname, mailbox) == 0) ||
		     strcasecmp(name, mailbox) == 0 ||
		     (strlen(name) == local && strncasecmp(name, mailbox, local) == 0);
	free(name);
	return match;
}

/* In the home: the only calendar, or the one named after the room's mailbox. */
static bool
choose_calendar(struct caldav *c, const char *home_url, struct source_error *err)
{
	struct caldav_collection *list = NULL;
	size_t n = 0, found = 0, named = 0, pick = 0;
	if (!list_collections(c, home_url, &list, &n, err))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!usable(&list[i]))
			continue;
		found++;
		if (!named || found == 1)
			pick = i;
		if (matches_room(&list[i], c->base.config->mailbox) && named++ == 0)
			pick = i;
	}
	bool ok = found == 1 || named == 1;
	if (ok) {
		char *url = caldav_absolute(c, list[pick].href, home_url);
		c->collection = with_slash(url);
		free(url);
		c->collection_name = xstrdup(list[pick].displayname);
	} else {
		char names[320];
		list_calendars(c, names, sizeof(names));
		if (found == 0)
			source_fail(err, SOURCE_ERR_NOT_FOUND, "User '%s' has no calendar for events at %s.",
				c->base.config->username, home_url);
		else
			source_fail(err, SOURCE_ERR_CONFIG,
				"The account has %zu calendars and none is named after the room ([source] mailbox): "
				"set [source] url to the room's calendar. %s",
				found, names);
	}
	caldav_collections_free(list, n);
	return ok;
}

static void
note_scheduling(struct caldav *c, const char *principal_url)
{
	struct source_error err = { 0 };
	struct http_response resp = { 0 };
	struct caldav_principal p = { 0 };
	char *url = xstrdup(principal_url);
	if (propfind_discovery(c, &url, &resp, &p, &err))
		c->can_schedule = p.schedule_outbox != NULL;
	caldav_principal_finish(&p);
	http_response_finish(&resp);
	free(url);
}

/* From [source] url (a server, a principal or the calendar itself) to the calendar's URL. */
bool
caldav_discover(struct caldav *c, struct source_error *err)
{
	if (c->collection)
		return true;
	struct http_response resp = { 0 };
	struct caldav_principal p = { 0 };
	bool ok = false;
	const char *configured = c->base.config->url;
	char *url = strcmp(path_of(configured), "/") == 0 ? xasprintf("%s/.well-known/caldav", c->origin)
							  : xstrdup(configured);
	char *principal = NULL, *home = NULL;
	if (!propfind_discovery(c, &url, &resp, &p, err))
		goto out;
	if (resp.status == 404 && strstr(url, "/.well-known/")) { /* no RFC 6764 redirect: try the URL */
		free(url);
		url = xstrdup(configured);
		http_response_finish(&resp);
		if (!propfind_discovery(c, &url, &resp, &p, err))
			goto out;
	}
	if (!is_multistatus(&resp)) {
		if (resp.status >= 200 && resp.status < 300)
			caldav_not_xml(url, &resp, err);
		else
			caldav_status_error(c, &resp, "Finding the calendar", url, err);
		goto out;
	}
	if (p.principal)
		principal = caldav_absolute(c, p.principal, url);
	if (p.is_calendar) {
		c->collection = with_slash(url);
		c->collection_name = xstrdup(p.displayname);
	} else {
		if (p.home)
			home = caldav_absolute(c, p.home, url);
		caldav_principal_finish(&p);
		http_response_finish(&resp);
		if (!home && principal) {
			char *purl = xstrdup(principal);
			if (!propfind_discovery(c, &purl, &resp, &p, err)) {
				free(purl);
				goto out;
			}
			if (p.home)
				home = caldav_absolute(c, p.home, purl);
			free(purl);
		}
		if (!home) {
			source_fail(err, SOURCE_ERR_CONFIG,
				"%s is neither a calendar nor a CalDAV server that names the user's calendar home: set "
				"[source] url to the calendar's own URL.",
				url);
			goto out;
		}
		if (!choose_calendar(c, home, err))
			goto out;
	}
	c->collection_path = xstrdup(path_of(c->collection));
	if (principal)
		note_scheduling(c, principal);
	log_info("calendar %s%s%s%s; server scheduling %s", c->collection, c->collection_name ? " (" : "",
		c->collection_name ? c->collection_name : "", c->collection_name ? ")" : "",
		c->can_schedule ? "offered" : "not offered");
	ok = true;
out:
	caldav_principal_finish(&p);
	http_response_finish(&resp);
	free(url);
	free(principal);
	free(home);
	return ok;
}
