#define LOG_MODULE "ics"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ical.h"
#include "source.h"
#include "../core/xalloc.h"
#include "../core/log.h"
#include "../net/http.h"

/* A read-only iCalendar source: a local file or an http(s) URL. */
struct ics_source {
	struct source base;
};

static bool
is_remote(const char *url)
{
	return strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0;
}

static char *
read_local(const struct source_config *c, size_t *len, struct source_error *err)
{
	const char *path = strncmp(c->url, "file://", 7) == 0 ? c->url + 7 : c->url;
	size_t max = (size_t)(c->max_body > 0 ? c->max_body : 16L << 20);
	char *text = file_read_capped(path, max, len);
	if (!text) {
		if (errno == EFBIG)
			source_fail(err, SOURCE_ERR_BAD_RESPONSE, "The calendar file %s is larger than %zu bytes.",
				path, max);
		else
			source_fail(err, errno == ENOENT ? SOURCE_ERR_NOT_FOUND : SOURCE_ERR_CONFIG,
				"Cannot read the calendar file %s: %s.", path, strerror(errno));
	}
	return text;
}

static char *
read_remote(const struct source_config *c, size_t *len, struct source_error *err)
{
	struct http_response resp;
	struct http_request req = {
		.url = c->url,
		.ca_file = c->ca_file,
		.timeout_s = c->timeout_s,
		.max_body = c->max_body,
		.auth = c->username && c->password ? HTTP_AUTH_BASIC : HTTP_AUTH_NONE,
		.username = c->username,
		.password = c->password,
	};
	if (!http_perform(&req, &resp, err))
		return NULL;
	if (resp.status != 200) {
		http_status_error(&resp, "Reading the calendar", err);
		http_response_finish(&resp);
		return NULL;
	}
	char *text = resp.body;
	*len = resp.body_len;
	resp.body = NULL;
	http_response_finish(&resp);
	return text;
}

static bool
ics_fetch(struct source *base, rs_time from, rs_time to, struct schedule **out, struct source_error *err)
{
	const struct source_config *c = base->config;
	size_t len = 0;
	char *text = is_remote(c->url) ? read_remote(c, &len, err) : read_local(c, &len, err);
	if (!text)
		return false;
	struct event *events = NULL;
	size_t count = 0;
	struct ical_stats stats = { 0 };
	bool ok = ical_parse_events(text, len, from, to, NULL, NULL, &events, &count, &stats);
	free(text);
	if (!ok) {
		free(events);
		return source_fail(err, SOURCE_ERR_BAD_RESPONSE,
			"The calendar at %s is not iCalendar data (no BEGIN:VCALENDAR).", c->url);
	}
	if (stats.skipped)
		log_warn("%zu of %zu events in %s were malformed and skipped", stats.skipped, stats.components, c->url);
	*out = schedule_create(from, to, events, count);
	return true;
}

static void
ics_destroy(struct source *base)
{
	free(base);
}

static const struct source_ops ics_ops = {
	.fetch = ics_fetch,
	.destroy = ics_destroy,
};

struct source *
ics_source_create(const struct source_config *config, struct source_error *err)
{
	if (!config->url || !*config->url) {
		source_fail(
			err, SOURCE_ERR_CONFIG, "An ics source needs [source] url: a path, file:// or https:// URL.");
		return NULL;
	}
	struct ics_source *s = xcalloc(1, sizeof(*s));
	s->base.ops = &ics_ops;
	s->base.config = config;
	s->base.read_only = true;
	return &s->base;
}
