#define LOG_MODULE "monitor"
#include "monitor.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "calendar/source.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "core/log.h"
#include "core/atomic_file.h"

struct monitor {
	const struct config *config;
	struct metrics metrics;
	char *last_text;    /* what the file holds (NULL: not written yet) */
	rs_time last_write; /* sign clock: the periodic rewrite rides on the main loop's minute tick */
	bool failing;       /* the last write failed (logged once) */
};

/* The true wall clock: under ROOMSIGN_TEST_NOW / ROOMSIGN_CLOCK_OFFSET the sign's clock is
 * shifted, Prometheus' is not, and alerts subtract one from the other. */
static rs_time
real_now(void)
{
	return (rs_time)time(NULL);
}

struct monitor *
monitor_create(const struct config *config)
{
	if (!config->monitoring.textfile || !*config->monitoring.textfile)
		return NULL;
	struct monitor *m = xcalloc(1, sizeof(*m));
	m->config = config;
	metrics_init(
		&m->metrics, ROOMSIGN_VERSION, source_type_name(config->source.type), config->room_name, real_now());
	for (int c = SOURCE_ERR_NETWORK; c <= SOURCE_ERR_UNSUPPORTED; c++)
		metrics_add_category(&m->metrics, source_category_name((enum source_category)c));
	m->metrics.has_motion = config->led.motion >= 0;
	return m;
}

void
monitor_destroy(struct monitor *m)
{
	if (!m)
		return;
	metrics_finish(&m->metrics);
	free(m->last_text);
	free(m);
}

static enum metrics_action
job_action(enum worker_job job)
{
	switch (job) {
	case JOB_BOOK: return METRICS_BOOK;
	case JOB_EXTEND: return METRICS_EXTEND;
	case JOB_END: return METRICS_END;
	case JOB_RELEASE: return METRICS_RELEASE;
	case JOB_CHECK_IN: return METRICS_CHECK_IN;
	case JOB_FIND_ROOMS: return METRICS_FIND_ROOM;
	case JOB_BOOK_ROOM: return METRICS_BOOK_NEARBY;
	default: return METRICS_ACTION_COUNT;
	}
}

/* A legitimate no from the server is "refused"; trouble reaching or using it is "failed". */
static enum metrics_result
result_of(bool ok, enum source_category category)
{
	if (ok)
		return METRICS_OK;
	switch (category) {
	case SOURCE_ERR_CONFLICT:
	case SOURCE_ERR_NOT_FOUND:
	case SOURCE_ERR_UNSUPPORTED: return METRICS_REFUSED;
	default: return METRICS_FAILED;
	}
}

void
monitor_result(struct monitor *m, const struct worker_result *r)
{
	if (!m)
		return;
	switch (r->kind) {
	case RESULT_SNAPSHOT:
	case RESULT_IN_SYNC: metrics_sync_ok(&m->metrics, real_now()); break;
	case RESULT_FETCH_FAILED:
		metrics_sync_failed(&m->metrics, real_now(), source_category_name(r->category),
			r->category == SOURCE_ERR_THROTTLED ? r->retry_after_ms : 0);
		break;
	case RESULT_ACTION:
		if (r->job != JOB_CHECK_IN) /* check-ins count at the sign: monitor_checked_in */
			metrics_action(&m->metrics, job_action(r->job), result_of(r->ok, r->category));
		break;
	case RESULT_ROOMS: metrics_action(&m->metrics, METRICS_FIND_ROOM, result_of(r->ok, r->category)); break;
	}
}

void
monitor_refused(struct monitor *m, enum ui_action_kind kind, bool failed)
{
	static const enum metrics_action actions[] = { [UI_ACT_BOOK] = METRICS_BOOK,
		[UI_ACT_EXTEND] = METRICS_EXTEND,
		[UI_ACT_END] = METRICS_END,
		[UI_ACT_CHECKIN] = METRICS_CHECK_IN,
		[UI_ACT_FIND_ROOMS] = METRICS_FIND_ROOM,
		[UI_ACT_BOOK_ROOM] = METRICS_BOOK_NEARBY };
	if (!m || kind == UI_ACT_NONE || kind == UI_ACT_REFRESH || kind == UI_ACT_REPORT ||
		(size_t)kind >= sizeof(actions) / sizeof(actions[0]))
		return;
	metrics_action(&m->metrics, actions[kind], failed ? METRICS_FAILED : METRICS_REFUSED);
}

void
monitor_checked_in(struct monitor *m)
{
	if (m)
		metrics_action(&m->metrics, METRICS_CHECK_IN, METRICS_OK);
}

void
monitor_led(struct monitor *m, enum led_colour colour, bool offline)
{
	if (!m)
		return;
	if (offline && m->config->led.offline == LED_OFFLINE_OFF)
		colour = LED_OFF;
	static const enum metrics_led map[] = { [LED_OFF] = METRICS_LED_OFF,
		[LED_GREEN] = METRICS_LED_GREEN,
		[LED_RED] = METRICS_LED_RED,
		[LED_AMBER] = METRICS_LED_AMBER };
	m->metrics.has_led = m->config->led.chip && *m->config->led.chip; /* not the null LED's log */
	m->metrics.led = (size_t)colour < sizeof(map) / sizeof(map[0]) ? map[colour] : METRICS_LED_OFF;
}

void
monitor_motion(struct monitor *m)
{
	if (m)
		m->metrics.last_motion = real_now();
}

static int
events_today(const struct schedule *schedule, rs_time now)
{
	rs_time from = time_day_start(now), to = time_day_end(now);
	int n = 0;
	for (size_t i = 0; schedule && i < schedule->count; i++)
		if (schedule->events[i].start < to && schedule->events[i].end > from)
			n++;
	return n;
}

bool
monitor_write_file(const char *path, const char *text)
{
	return atomic_write(path, text, strlen(text), 0644, true); /* readable by node_exporter whatever our umask */
}

static void
write_now(struct monitor *m, char *text, rs_time now)
{
	const char *path = m->config->monitoring.textfile;
	m->last_write = now;
	if (!monitor_write_file(path, text)) {
		if (!m->failing && errno == ENOENT) /* no textfile directory: node_exporter is not installed */
			log_info("no metrics file: the directory of %s does not exist ([monitoring] textfile)", path);
		else if (!m->failing)
			log_warn("cannot write the metrics file %s: %s (tried again every minute)", path,
				strerror(errno));
		m->failing = true;
		free(text);
		return;
	}
	if (m->failing)
		log_info("metrics written to %s again", path);
	m->failing = false;
	free(m->last_text);
	m->last_text = text;
}

void
monitor_tick(
	struct monitor *m, const struct schedule *schedule, const struct room_state *state, bool panel_on, rs_time now)
{
	if (!m)
		return;
	m->metrics.room_busy = state->current != NULL;
	m->metrics.panel_on = panel_on;
	m->metrics.events_today = events_today(schedule, now);
	char *text = metrics_format(&m->metrics);
	bool changed = !m->last_text || strcmp(text, m->last_text) != 0;
	/* The main loop wakes on every minute of the clock: no wake-up of our own for the rewrite. */
	if (changed || now / 60 != m->last_write / 60)
		write_now(m, text, now);
	else
		free(text);
}

/* [host]:port, [v6]:port or :port, the port 1-65535: what --web.listen-address takes. */
static bool
listen_ok(const char *listen)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || strchr(listen, ' ') || (listen[0] == '[' && (colon == listen || colon[-1] != ']')))
		return false;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	return colon[1] && !*end && port >= 1 && port <= 65535;
}

bool
monitor_exporter_args(const struct monitoring_config *c, FILE *out)
{
	if (!c->listen || !*c->listen)
		return true;
	if (!listen_ok(c->listen)) {
		fprintf(stderr, "roomsign: [monitoring] listen: '%s' is not host:port or :port (e.g. :9100)\n",
			c->listen);
		return false;
	}
	fprintf(out, "--web.listen-address=%s\n", c->listen);
	if (c->textfile && *c->textfile) {
		const char *slash = strrchr(c->textfile, '/');
		if (slash && slash != c->textfile)
			fprintf(out, "--collector.textfile.directory=%.*s\n", (int)(slash - c->textfile), c->textfile);
	}
	if (c->web_config && *c->web_config)
		fprintf(out, "--web.config.file=%s\n", c->web_config);
	return true;
}
