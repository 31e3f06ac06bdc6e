#include "log.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

static enum log_level max_level = LOG_LEVEL_INFO;
static log_sink_fn sink;
static char room[256];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void
log_set_level(enum log_level level)
{
	max_level = level;
}

void
log_set_sink(log_sink_fn fn)
{
	sink = fn;
}

void
log_set_room(const char *name)
{
	pthread_mutex_lock(&lock);
	snprintf(room, sizeof(room), "%s", name ? name : "");
	pthread_mutex_unlock(&lock);
}

static void
log_v(enum log_level level, const char *module, const char *category, const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	/* Under systemd, stderr goes to the journal, which stamps the time and reads <N> as priority. */
	static const int prio[] = { 3, 4, 6, 7 };
	if (level > max_level)
		return;
	char line[1024];
	vsnprintf(line, sizeof(line), fmt, ap);
	for (char *p = line; *p; p++) /* one event, one line */
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	bool journal = getenv("JOURNAL_STREAM") != NULL;
	pthread_mutex_lock(&lock);
	struct log_record r = { level, prio[level], module, category ? category : module, room, line };
	bool taken = sink && sink(&r);
	if (!taken && journal)
		fprintf(stderr, "<%d>%s: %s\n", prio[level], module, line);
	else if (!taken)
		fprintf(stderr, "roomsign: %s: %s: %s\n", names[level], module, line);
	pthread_mutex_unlock(&lock);
}

void
log_msg(enum log_level level, const char *module, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_v(level, module, NULL, fmt, ap);
	va_end(ap);
}

void
log_msg_category(enum log_level level, const char *module, const char *category, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_v(level, module, category, fmt, ap);
	va_end(ap);
}
