#define LOG_MODULE "ews"
/* ews_stream.c — streaming notifications (Exchange 2010 SP1 and later): Subscribe with a
 * StreamingSubscriptionRequest on the room's calendar, then GetStreamingEvents, whose answer is
 * a chunked HTTP/1.1 body carrying one SOAP envelope per message: keep-alives (ConnectionStatus
 * OK), notifications, and ConnectionStatus Closed when ConnectionTimeout runs out. Each envelope
 * is parsed as soon as it is complete. See README "Changes within seconds". */
#include "ews_stream.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ews_request.h"
#include "ews_xml.h"
#include "../core/timeutil.h"
#include "../core/xalloc.h"
#include "../core/log.h"
#include "../net/http.h"

#define PART_MAX          (1L << 20) /* one envelope; a notification is a few KiB */
#define KEEPALIVE_DEFAULT 45000      /* ms; the EWS Managed API's heartbeat until we have seen two */
#define KEEPALIVE_MIN     500
#define KEEPALIVE_MAX     300000
#define SILENT_LIMIT      3 /* connections in a row without a single message: a proxy buffers */
#define BACKOFF_FIRST_MS  5000
#define BACKOFF_MAX_MS    300000
#define CALL_TIMEOUT_S    20

/* How one connection (or subscribe attempt) ended. */
enum outcome {
	END_CLOSED,    /* the server closed it as agreed: re-open at once */
	END_SILENT,    /* keep-alives stopped: re-open */
	END_LOST,      /* the subscription is gone: subscribe again */
	END_FAILED,    /* network, busy, 5xx: wait, then try again */
	END_AUTH,      /* sign-in refused: poll, leaving sign-ins to the worker's auth_retry */
	END_NO_STREAM, /* this server or account cannot stream: poll for good */
	END_STOPPED,   /* we are shutting down */
};

struct ews_stream {
	const struct source_config *cfg;
	char version[32];
	atomic_bool *watching;
	void (*changed)(void *ctx);
	void *ctx;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	atomic_bool stop;
	char sub_id[512];
	bool need_fetch; /* (re)subscribed or back from a failure: the window may have changed unseen */
	bool outage_logged;
	bool polling_said; /* "not available, polling" logged, until streaming works again */
	unsigned silent_connections, failures;
	long backoff_ms; /* the server's BackOffMilliseconds */
	char why[600];   /* the last failure, for the log */
	/* the connection in progress */
	char *buf;
	size_t len;
	unsigned parts;
	uint64_t last_part_ms, last_keepalive_ms, period_ms;
	enum outcome end;
	bool ended;
};

static void
say_changed(struct ews_stream *st)
{
	if (st->changed)
		st->changed(st->ctx);
}

static struct http_request
request_of(const struct source_config *cfg, const char *body, int timeout_s, struct http_header *headers)
{
	headers[0] = (struct http_header){ "Content-Type", "text/xml; charset=utf-8" };
	headers[1] = (struct http_header){ "Accept", "text/xml" };
	/* Keeps the subscription and its stream on the room's mailbox server (affinity). */
	headers[2] = (struct http_header){ "X-AnchorMailbox", cfg->mailbox };
	return (struct http_request){
		.method = "POST",
		.url = cfg->url,
		.body = body,
		.headers = headers,
		.header_count = cfg->mailbox ? 3 : 2,
		.auth = cfg->auth,
		.username = cfg->username,
		.password = cfg->password,
		.bearer = cfg->auth == HTTP_AUTH_BEARER ? cfg->password : NULL,
		.ca_file = cfg->ca_file,
		.timeout_s = timeout_s,
		.max_body = 1L << 20,
		.http11 = true, /* a chunked HTTP/1.1 stream; NTLM needs 1.1 anyway */
	};
}

/* What an EWS error on Subscribe or in the stream means for us. */
static enum outcome
outcome_of(const struct ews_status *st)
{
	static const char *const no_stream[] = { "ErrorExceededConnectionCount", "ErrorExceededSubscriptionCount",
		"ErrorInvalidRequest", "ErrorSchemaValidation", "ErrorInvalidServerVersion",
		"ErrorInvalidSchemaVersionForMailboxVersion", "ErrorInvalidOperation" };
	if (ews_status_subscription_lost(st))
		return END_LOST;
	for (size_t i = 0; i < sizeof(no_stream) / sizeof(no_stream[0]); i++)
		if (strcmp(st->code, no_stream[i]) == 0)
			return END_NO_STREAM;
	return END_FAILED;
}

static void
note_status(struct ews_stream *st, const char *what, const struct ews_status *s)
{
	if (strcmp(s->code, "ErrorExceededConnectionCount") == 0)
		snprintf(st->why, sizeof(st->why),
			"Exchange refused another streaming connection for %s (ErrorExceededConnectionCount: "
			"at most 3 per account by default; see the README on service accounts per sign)",
			st->cfg->username ? st->cfg->username : "this account");
	else
		snprintf(st->why, sizeof(st->why), "%s: %s (%.200s)", what, s->code, s->text);
	st->backoff_ms = s->backoff_ms;
}

static enum outcome
subscribe(struct ews_stream *st)
{
	struct ews_header h = { .version = st->version, .mailbox = st->cfg->mailbox };
	char *body = ews_build_subscribe_streaming(&h);
	struct http_header headers[3];
	struct http_request req = request_of(st->cfg, body, CALL_TIMEOUT_S, headers);
	struct http_response resp;
	struct source_error err = { 0 };
	enum outcome end = END_FAILED;
	if (!http_perform(&req, &resp, &err)) {
		snprintf(st->why, sizeof(st->why), "subscribing: %.500s", err.message);
		free(body);
		return END_FAILED;
	}
	struct ews_status s;
	if (resp.status == 401) {
		snprintf(st->why, sizeof(st->why), "subscribing: Exchange refused the sign-in (HTTP 401)");
		end = END_AUTH;
	} else if (!ews_parse_subscribe(resp.body, resp.body_len, st->sub_id, sizeof(st->sub_id), &s)) {
		snprintf(st->why, sizeof(st->why), "subscribing: the answer (HTTP %ld) is not EWS", resp.status);
		end = resp.status == 200 || resp.status == 404 ? END_NO_STREAM : END_FAILED;
	} else if (strcmp(s.code, "NoError") == 0) {
		end = END_CLOSED;
	} else {
		note_status(st, "subscribing", &s);
		end = outcome_of(&s);
		st->sub_id[0] = '\0';
	}
	http_response_finish(&resp);
	free(body);
	return end;
}

static void
unsubscribe(struct ews_stream *st)
{
	struct ews_header h = { .version = st->version, .mailbox = st->cfg->mailbox };
	char *body = ews_build_unsubscribe(&h, st->sub_id);
	struct http_header headers[3];
	struct http_request req = request_of(st->cfg, body, 5, headers);
	struct http_response resp;
	struct source_error err = { 0 };
	if (http_perform(&req, &resp, &err))
		http_response_finish(&resp);
	free(body);
	st->sub_id[0] = '\0';
}

static bool
finish(struct ews_stream *st, enum outcome end)
{
	st->end = end;
	st->ended = true;
	return false; /* stops the transfer */
}

/* The first message on a connection after a (re)subscription or an outage: from here on changes
 * are pushed, and one fetch covers what happened meanwhile. */
static void
stream_up(struct ews_stream *st)
{
	st->silent_connections = 0;
	st->failures = 0;
	if (st->outage_logged)
		log_info("streaming notifications work again");
	st->outage_logged = false;
	st->polling_said = false;
	atomic_store(st->watching, true);
	if (st->need_fetch) {
		st->need_fetch = false;
		say_changed(st);
	}
}

static bool
on_part(struct ews_stream *st, const char *xml, size_t len)
{
	struct ews_stream_part part;
	struct ews_status s;
	uint64_t now = time_mono_ms();
	if (!ews_parse_stream_part(xml, len, &part, &s)) {
		snprintf(st->why, sizeof(st->why), "the stream carried something that is not EWS");
		return finish(st, END_NO_STREAM);
	}
	if (strcmp(s.code, "NoError") != 0 || part.lost) {
		note_status(st, "streaming", &s);
		return finish(st, part.lost ? END_LOST : outcome_of(&s));
	}
	if (st->parts++ == 0)
		stream_up(st);
	st->last_part_ms = now;
	if (part.changes > 0) {
		say_changed(st);
	} else if (!part.closed) {
		/* The keep-alive period: what the server does, not what we guess. */
		if (st->last_keepalive_ms) {
			uint64_t p = now - st->last_keepalive_ms;
			st->period_ms = p < KEEPALIVE_MIN ? KEEPALIVE_MIN : p > KEEPALIVE_MAX ? KEEPALIVE_MAX : p;
		}
		st->last_keepalive_ms = now;
	}
	return part.closed ? finish(st, END_CLOSED) : true;
}

static bool
on_data(void *ctx, const char *data, size_t n)
{
	struct ews_stream *st = ctx;
	if (st->len + n > (size_t)PART_MAX) {
		snprintf(st->why, sizeof(st->why), "a streaming message was larger than %ld bytes", PART_MAX);
		return finish(st, END_FAILED);
	}
	st->buf = xrealloc(st->buf, st->len + n + 1);
	memcpy(st->buf + st->len, data, n);
	st->len += n;
	size_t end;
	while ((end = ews_stream_envelope_end(st->buf, st->len)) > 0) {
		bool go_on = on_part(st, st->buf, end);
		memmove(st->buf, st->buf + end, st->len - end);
		st->len -= end;
		if (!go_on)
			return false;
	}
	return true;
}

static bool
on_tick(void *ctx)
{
	struct ews_stream *st = ctx;
	if (atomic_load(&st->stop))
		return finish(st, END_STOPPED);
	/* Keep-alives missed for twice their period: the connection is dead or a proxy holds it. */
	if (time_mono_ms() - st->last_part_ms > 2 * st->period_ms) {
		snprintf(st->why, sizeof(st->why), "no keep-alive for %llu s",
			(unsigned long long)(2 * st->period_ms / 1000));
		return finish(st, END_SILENT);
	}
	return true;
}

/* One GetStreamingEvents connection, read until it ends. */
static enum outcome
listen(struct ews_stream *st)
{
	struct ews_header h = { .version = st->version, .mailbox = st->cfg->mailbox };
	int timeout_min = st->cfg->stream_timeout_min > 0 ? st->cfg->stream_timeout_min : 30;
	char *body = ews_build_get_streaming_events(&h, st->sub_id, timeout_min);
	struct http_header headers[3];
	/* curl's own limit only catches a server that overruns ConnectionTimeout by far. */
	struct http_request req = request_of(st->cfg, body, timeout_min * 60 + 120, headers);
	struct http_stream stream = { .on_data = on_data, .on_tick = on_tick, .ctx = st };
	struct http_response resp;
	struct source_error err = { 0 };
	st->len = 0;
	st->parts = 0;
	st->ended = false;
	st->last_part_ms = time_mono_ms();
	st->last_keepalive_ms = 0;
	bool ok = http_perform_stream(&req, &stream, &resp, &err);
	free(body);
	long status = resp.status;
	http_response_finish(&resp); /* also after a stream ended by its own parts: its headers */
	if (st->ended)
		return st->end;
	if (!ok) {
		snprintf(st->why, sizeof(st->why), "%.500s", err.message);
		return END_FAILED;
	}
	if (status == 401) {
		snprintf(st->why, sizeof(st->why), "Exchange refused the sign-in (HTTP 401)");
		return END_AUTH;
	}
	if (status != 200) {
		snprintf(st->why, sizeof(st->why), "GetStreamingEvents answered HTTP %ld", status);
		return status == 404 || status == 501 ? END_NO_STREAM : END_FAILED;
	}
	return st->parts > 0 ? END_CLOSED : END_SILENT; /* ended without Closed: re-open */
}

/* Sleeps ms, or less when stopped. */
static void
pause_ms(struct ews_stream *st, long ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&st->lock);
	while (!atomic_load(&st->stop) && pthread_cond_timedwait(&st->wake, &st->lock, &ts) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&st->lock);
}

/* Push is gone for now: the worker polls every `refresh` until it is back. Logged once an outage. */
static void
outage(struct ews_stream *st, long wait_ms)
{
	if (!st->outage_logged)
		/* info: the worker already warns once when the calendar itself cannot be read */
		log_info("streaming notifications interrupted (%s): polling every %d s until they are back", st->why,
			st->cfg->refresh_s);
	st->outage_logged = true;
	st->need_fetch = true;
	if (atomic_exchange(st->watching, false))
		say_changed(st);
	pause_ms(st, wait_ms);
}

static long
backoff(struct ews_stream *st)
{
	long ms = (long)BACKOFF_FIRST_MS << (st->failures > 6 ? 6 : st->failures);
	st->failures++;
	ms = ms > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms;
	return st->backoff_ms > ms ? st->backoff_ms : ms;
}

/* Re-open, resubscribe, wait or give up after a connection or subscription ended. false: stop. */
static bool
handle(struct ews_stream *st, enum outcome end)
{
	switch (end) {
	case END_CLOSED: return true;
	case END_SILENT:
		if (st->parts == 0 && ++st->silent_connections >= SILENT_LIMIT) {
			snprintf(st->why, sizeof(st->why),
				"%u streams in a row delivered nothing until they ended: a proxy between the sign and "
				"Exchange buffers chunked answers",
				st->silent_connections);
			return handle(st, END_NO_STREAM);
		}
		log_info("streaming connection silent (%s): re-opening it", st->why);
		st->need_fetch = true; /* what the dead connection carried is lost: read once */
		return true;
	case END_LOST:
		log_info("the streaming subscription is gone (%s): subscribing again", st->why);
		st->sub_id[0] = '\0';
		st->need_fetch = true;
		return true;
	case END_FAILED: outage(st, backoff(st)); return true;
	case END_AUTH:
		/* Never a second source of refused sign-ins (AD lockouts): the worker's auth_retry
		 * rules them; the stream comes back with the next start. */
		snprintf(st->why + strlen(st->why), sizeof(st->why) - strlen(st->why),
			"; streaming resumes when the sign restarts");
		return handle(st, END_NO_STREAM);
	case END_NO_STREAM: {
		/* Not for good: another sign may free one of the account's streaming connections, a
		 * proxy be fixed, the server be upgraded. Try again every safety_refresh (one request). */
		bool first = !st->polling_said;
		if (first)
			log_warn("streaming notifications are not available (%s): polling every %d s instead, "
				 "and trying them again every %d s",
				st->why, st->cfg->refresh_s, st->cfg->safety_refresh_s);
		else
			log_debug("streaming notifications still not available (%s)", st->why);
		st->polling_said = st->outage_logged = true;
		st->need_fetch = true;
		st->silent_connections = 0;
		if (atomic_exchange(st->watching, false) || first)
			say_changed(st);
		pause_ms(st, (long)((double)st->cfg->safety_refresh_s * 1000.0 / time_speed()));
		return true;
	}
	case END_STOPPED: return false;
	}
	return false;
}

static void *
stream_main(void *arg)
{
	struct ews_stream *st = arg;
	while (!atomic_load(&st->stop)) {
		enum outcome end = st->sub_id[0] ? listen(st) : subscribe(st);
		if (atomic_load(&st->stop) || !handle(st, end))
			break;
	}
	if (st->sub_id[0])
		unsubscribe(st);
	free(st->buf);
	st->buf = NULL;
	return NULL;
}

struct ews_stream *
ews_stream_start(const struct source_config *cfg, const char *version, atomic_bool *watching,
	void (*changed)(void *ctx), void *ctx)
{
	struct ews_stream *st = xcalloc(1, sizeof(*st));
	st->cfg = cfg;
	snprintf(st->version, sizeof(st->version), "%s", version);
	st->watching = watching;
	st->changed = changed;
	st->ctx = ctx;
	st->need_fetch = true;
	st->period_ms = KEEPALIVE_DEFAULT;
	atomic_init(&st->stop, false);
	pthread_mutex_init(&st->lock, NULL);
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&st->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&st->thread, NULL, stream_main, st) != 0) {
		log_error("cannot start the streaming-notification thread");
		pthread_cond_destroy(&st->wake);
		pthread_mutex_destroy(&st->lock);
		free(st);
		return NULL;
	}
	return st;
}

void
ews_stream_stop(struct ews_stream *st)
{
	if (!st)
		return;
	pthread_mutex_lock(&st->lock);
	atomic_store(&st->stop, true);
	pthread_cond_broadcast(&st->wake);
	pthread_mutex_unlock(&st->lock);
	pthread_join(st->thread, NULL);
	atomic_store(st->watching, false);
	pthread_cond_destroy(&st->wake);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

/* --- roomsign check -------------------------------------------------------------------------- */

static bool
probe_tick(void *ctx)
{
	struct ews_stream *st = ctx;
	if (time_mono_ms() - st->last_part_ms > st->period_ms)
		return finish(st, END_SILENT);
	return true;
}

static bool
probe_data(void *ctx, const char *data, size_t n)
{
	struct ews_stream *st = ctx;
	if (!on_data(ctx, data, n))
		return false;
	return st->parts == 0; /* one message is proof enough */
}

static bool
probe_report(struct ews_stream *st, enum outcome end, bool got_part, char *detail, size_t size)
{
	if (got_part) {
		snprintf(detail, size,
			"Exchange pushes this room's changes (streaming notifications): they show within seconds; "
			"a full re-read runs every %d s",
			st->cfg->safety_refresh_s);
		return true;
	}
	if (end == END_SILENT)
		snprintf(st->why, sizeof(st->why),
			"the stream stayed silent: a proxy between the sign and Exchange may buffer chunked answers");
	snprintf(detail, size, "Not available (%s). The sign works, but polls every %d s instead.", st->why,
		st->cfg->refresh_s);
	return false;
}

bool
ews_stream_probe(const struct source_config *cfg, const char *version, int wait_s, char *detail, size_t size)
{
	atomic_bool watching;
	atomic_init(&watching, false);
	struct ews_stream st = { .cfg = cfg, .watching = &watching, .period_ms = (uint64_t)wait_s * 1000 };
	snprintf(st.version, sizeof(st.version), "%s", version);
	enum outcome end = subscribe(&st);
	if (end != END_CLOSED)
		return probe_report(&st, end, false, detail, size);
	struct ews_header h = { .version = st.version, .mailbox = cfg->mailbox };
	char *body = ews_build_get_streaming_events(&h, st.sub_id, 1);
	struct http_header headers[3];
	struct http_request req = request_of(cfg, body, wait_s + 10, headers);
	struct http_stream stream = { .on_data = probe_data, .on_tick = probe_tick, .ctx = &st };
	struct http_response resp;
	struct source_error err = { 0 };
	st.last_part_ms = time_mono_ms();
	if (http_perform_stream(&req, &stream, &resp, &err))
		http_response_finish(&resp);
	else
		snprintf(st.why, sizeof(st.why), "%.500s", err.message);
	free(body);
	bool ok = probe_report(&st, st.ended ? st.end : END_SILENT, st.parts > 0, detail, size);
	unsubscribe(&st);
	free(st.buf);
	return ok;
}
