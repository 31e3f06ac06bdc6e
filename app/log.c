#include "log.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

static enum log_level max_level = LOG_LEVEL_INFO;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void
log_set_level(enum log_level level)
{
	max_level = level;
}

void
log_msg(enum log_level level, const char *module, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	/* Under systemd, stderr goes to the journal, which stamps the time and reads <N> as priority. */
	static const int prio[] = { 3, 4, 6, 7 };
	if (level > max_level)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (char *p = line; *p; p++) /* one event, one line */
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	bool journal = getenv("JOURNAL_STREAM") != NULL;
	pthread_mutex_lock(&lock);
	if (journal)
		fprintf(stderr, "<%d>%s: %s\n", prio[level], module, line);
	else
		fprintf(stderr, "roomsign: %s: %s: %s\n", names[level], module, line);
	pthread_mutex_unlock(&lock);
}
