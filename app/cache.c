#define LOG_MODULE "cache"
#include "cache.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/xalloc.h"
#include "core/log.h"
#include "net/http.h"
#include "core/atomic_file.h"

#define CACHE_MAGIC      "roomsign-cache 1"
#define CACHE_MAX_BYTES  (32L << 20)
#define CACHE_MAX_EVENTS 50000

/* Strings are written with \\, \t and \n escaped; "-" stands for NULL. */
static void
put_string(FILE *fp, const char *s)
{
	if (!s) {
		fputs("\t-", fp);
		return;
	}
	fputc('\t', fp);
	if (*s == '-')
		fputc('\\', fp);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", fp);
		else if (*s == '\t')
			fputs("\\t", fp);
		else if (*s == '\n')
			fputs("\\n", fp);
		else if (*s == '\r')
			fputs("\\r", fp);
		else
			fputc(*s, fp);
	}
}

bool
cache_save(const char *path, const struct schedule *schedule)
{
	struct atomic_file f;
	if (!atomic_file_open(&f, path, 0600)) {
		log_warn("cannot write the cache %s: %s", path, strerror(errno));
		return false;
	}
	FILE *fp = f.fp;
	fprintf(fp, "%s\n%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%zu\n", CACHE_MAGIC, schedule->from, schedule->to,
		schedule->fetched_at, schedule->count);
	for (size_t i = 0; i < schedule->count; i++) {
		const struct event *e = &schedule->events[i];
		fprintf(fp, "%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%d\t%d%d%d%d", e->start, e->end, e->created,
			(int)e->show_as, e->all_day, e->is_private, e->booked_here, e->checked_in);
		put_string(fp, e->subject);
		put_string(fp, e->organizer);
		put_string(fp, e->id);
		put_string(fp, e->version);
		fputc('\n', fp);
	}
	bool ok = atomic_file_commit(&f, true);
	if (!ok)
		log_warn("cannot write the cache %s: %s", path, strerror(errno));
	return ok;
}

/* Reads one escaped field up to the next tab or end of line; advances *p. */
static bool
get_string(char **p, char **out)
{
	char *s = *p;
	if (*s != '\t')
		return false;
	s++;
	if (s[0] == '-' && (s[1] == '\t' || s[1] == '\0')) {
		*out = NULL;
		*p = s + 1;
		return true;
	}
	size_t cap = strcspn(s, "\t") + 1, n = 0;
	char *buf = xmalloc(cap);
	for (; *s && *s != '\t'; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			buf[n++] = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s == 'r' ? '\r' : *s;
		} else {
			buf[n++] = *s;
		}
	}
	buf[n] = '\0';
	*out = buf;
	*p = s;
	return true;
}

static bool
parse_event(char *line, struct event *e)
{
	int show, consumed = 0;
	char flags[5];
	memset(e, 0, sizeof(*e));
	if (sscanf(line, "%" SCNd64 "\t%" SCNd64 "\t%" SCNd64 "\t%d\t%4[01]%n", &e->start, &e->end, &e->created, &show,
		    flags, &consumed) != 5 ||
		strlen(flags) != 4 || show < 0 || show > SHOW_ELSEWHERE)
		return false;
	e->show_as = (enum show_as)show;
	e->all_day = flags[0] == '1';
	e->is_private = flags[1] == '1';
	e->booked_here = flags[2] == '1';
	e->checked_in = flags[3] == '1';
	char *p = line + consumed;
	if (!get_string(&p, &e->subject) || !get_string(&p, &e->organizer) || !get_string(&p, &e->id) ||
		!get_string(&p, &e->version) || *p) {
		event_finish(e);
		return false;
	}
	return true;
}

struct schedule *
cache_load(const char *path)
{
	size_t len;
	char *text = file_read_capped(path, CACHE_MAX_BYTES, &len);
	if (!text)
		return NULL;
	char *save = NULL, *line = strtok_r(text, "\n", &save);
	int64_t from, to, fetched;
	size_t count;
	struct schedule *s = NULL;
	if (!line || strcmp(line, CACHE_MAGIC) != 0 || !(line = strtok_r(NULL, "\n", &save)) ||
		sscanf(line, "%" SCNd64 "\t%" SCNd64 "\t%" SCNd64 "\t%zu", &from, &to, &fetched, &count) != 4 ||
		count > CACHE_MAX_EVENTS)
		goto corrupt;
	struct event *events = xcalloc(count, sizeof(*events));
	size_t n = 0;
	while (n < count && (line = strtok_r(NULL, "\n", &save)) && parse_event(line, &events[n]))
		n++;
	if (n != count) {
		for (size_t i = 0; i < n; i++)
			event_finish(&events[i]);
		free(events);
		goto corrupt;
	}
	s = schedule_create(from, to, events, count);
	s->fetched_at = fetched;
	free(text);
	return s;
corrupt:
	log_warn("ignoring the corrupt cache %s", path);
	free(text);
	return NULL;
}
