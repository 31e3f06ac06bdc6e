#define LOG_MODULE "fleet"
#include "fleet.h"
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "core/log.h"
#include "net/http.h"
#include "core/atomic_file.h"

#define FLEET_MAX_BODY (1L << 20) /* a configuration file, not a calendar */

static const char *
env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

/* The first line of a small file, trimmed of NULs, spaces and line ends. */
static void
read_small(const char *path, char *buf, size_t size)
{
	buf[0] = '\0';
	FILE *fp = fopen(path, "r");
	if (!fp)
		return;
	size_t n = fread(buf, 1, size - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	size_t len = strlen(buf);
	while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		buf[--len] = '\0';
}

/* The Pi's serial: the device tree's serial-number, else /proc/cpuinfo's "Serial : …" line. */
static void
read_serial(char *buf, size_t size)
{
	read_small(env_or("ROOMSIGN_SERIAL_FILE", "/proc/device-tree/serial-number"), buf, size);
	if (buf[0])
		return;
	FILE *fp = fopen(env_or("ROOMSIGN_CPUINFO", "/proc/cpuinfo"), "r");
	char line[256];
	while (fp && fgets(line, sizeof(line), fp)) {
		char value[64];
		if (strncmp(line, "Serial", 6) == 0 && sscanf(line, "Serial%*[ \t]:%63s", value) == 1) {
			snprintf(buf, size, "%s", value);
			break;
		}
	}
	if (fp)
		fclose(fp);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The MAC of the first interface by name, physical ones (with a device link) before virtual. */
static void
read_mac(char *buf, size_t size)
{
	const char *dir = env_or("ROOMSIGN_NET_DIR", "/sys/class/net");
	char *names[64];
	size_t count = 0;
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d)) && count < 64;)
		if (e->d_name[0] != '.' && strcmp(e->d_name, "lo") != 0)
			names[count++] = xstrdup(e->d_name);
	if (d)
		closedir(d);
	qsort(names, count, sizeof(names[0]), compare_names);
	buf[0] = '\0';
	for (int physical = 1; physical >= 0 && !buf[0]; physical--) {
		for (size_t i = 0; i < count && !buf[0]; i++) {
			char path[512], addr[32];
			struct stat st;
			snprintf(path, sizeof(path), "%s/%s/device", dir, names[i]);
			if ((stat(path, &st) == 0) != physical)
				continue;
			snprintf(path, sizeof(path), "%s/%s/address", dir, names[i]);
			read_small(path, addr, sizeof(addr));
			if (strlen(addr) == 17 && strcmp(addr, "00:00:00:00:00:00") != 0)
				snprintf(buf, size, "%s", addr);
		}
	}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
}

void
fleet_ids_read(struct fleet_ids *out)
{
	memset(out, 0, sizeof(*out));
	if (gethostname(out->hostname, sizeof(out->hostname) - 1) != 0)
		out->hostname[0] = '\0';
	read_mac(out->mac, sizeof(out->mac));
	read_serial(out->serial, sizeof(out->serial));
}

static void
append_encoded(char **out, size_t *len, size_t *cap, const char *value)
{
	static const char safe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:";
	for (const unsigned char *v = (const unsigned char *)value; *v; v++) {
		if (*len + 4 > *cap)
			*out = xrealloc(*out, *cap *= 2);
		if (strchr(safe, *v))
			(*out)[(*len)++] = (char)*v;
		else
			*len += (size_t)snprintf(*out + *len, 4, "%%%02X", *v);
	}
}

char *
fleet_expand_url(const char *tmpl, const struct fleet_ids *ids, char *why, size_t why_size)
{
	static const char *const names[] = { "{hostname}", "{mac}", "{serial}" };
	const char *values[] = { ids->hostname, ids->mac, ids->serial };
	size_t cap = strlen(tmpl) + 64, len = 0;
	char *out = xmalloc(cap);
	for (const char *p = tmpl; *p;) {
		size_t i = 0;
		while (i < 3 && strncmp(p, names[i], strlen(names[i])) != 0)
			i++;
		if (i < 3 && !values[i][0]) {
			if (why)
				snprintf(why, why_size, "[fleet] config_url names %s, but this device has none",
					names[i]);
			free(out);
			return NULL;
		}
		if (i < 3) {
			append_encoded(&out, &len, &cap, values[i]);
			p += strlen(names[i]);
			continue;
		}
		if (len + 2 > cap)
			out = xrealloc(out, cap *= 2);
		out[len++] = *p++;
	}
	out[len] = '\0';
	return out;
}

static char *
state_path(const struct config *local, const char *name)
{
	return xasprintf("%s/%s", local->state_dir, name);
}

bool
fleet_load_cached(const struct config *local, struct config *out, char *err, size_t err_size)
{
	char *path = state_path(local, "fleet.conf");
	char *label = xasprintf("%s (cached from [fleet] config_url)", path);
	bool ok = config_load_fetched(out, local, path, label, err, err_size);
	free(label);
	free(path);
	return ok;
}

static bool
write_file(const char *path, const char *data, size_t len)
{
	return atomic_write(path, data, len, 0644, true);
}

static bool
same_as_file(const char *path, const char *data, size_t len)
{
	size_t n = 0;
	char *old = file_read_capped(path, FLEET_MAX_BODY, &n);
	bool same = old && n == len && memcmp(old, data, len) == 0;
	free(old);
	return same;
}

static enum fleet_result say(enum fleet_result r, char *why, size_t why_size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum fleet_result
say(enum fleet_result r, char *why, size_t why_size, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (why)
		snprintf(why, why_size, "%s", msg);
	if (r == FLEET_CHANGED)
		log_info("%s", msg);
	else if (r == FLEET_UNCHANGED)
		log_debug("%s", msg);
	else if (r == FLEET_REFUSED)
		log_error("%s", msg);
	else
		log_warn("%s", msg);
	return r;
}

/* A 200 answer: validated as a whole before it replaces the last good copy. */
static enum fleet_result
take_answer(const struct config *local, const char *url, const struct http_response *resp, char *why, size_t why_size)
{
	char *cached = state_path(local, "fleet.conf"), *fresh = state_path(local, "fleet.conf.new");
	char *etag_path = state_path(local, "fleet.etag");
	char errors[4096] = "";
	enum fleet_result r;
	struct config candidate = { 0 };
	if (memchr(resp->body, '\0', resp->body_len)) {
		r = say(FLEET_REFUSED, why, why_size,
			"refused the configuration from %s: it is not text; the last good one stays", url);
	} else if (same_as_file(cached, resp->body, resp->body_len)) {
		r = say(FLEET_UNCHANGED, why, why_size, "the configuration from %s is unchanged", url);
	} else if (!write_file(fresh, resp->body, resp->body_len)) {
		r = say(FLEET_FAILED, why, why_size, "cannot write %s: %s", fresh, strerror(errno));
	} else if (!config_load_fetched(&candidate, local, fresh, url, errors, sizeof(errors))) {
		for (char *p = errors; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
			log_error("fetched configuration: %.*s", (int)strcspn(p, "\n"), p);
		r = say(FLEET_REFUSED, why, why_size,
			"refused the configuration from %s (problems above); the last good one stays:\n%s", url,
			errors);
		unlink(fresh);
	} else if (rename(fresh, cached) != 0) {
		r = say(FLEET_FAILED, why, why_size, "cannot replace %s: %s", cached, strerror(errno));
	} else {
		r = say(FLEET_CHANGED, why, why_size, "new configuration from %s (room \"%s\", %s source)", url,
			candidate.room_name, source_type_name(candidate.source.type));
	}
	config_finish(&candidate);
	/* The validator goes with the copy it names: kept only for what is now cached. */
	if ((r == FLEET_CHANGED || r == FLEET_UNCHANGED) && resp->etag)
		write_file(etag_path, resp->etag, strlen(resp->etag));
	else if (r == FLEET_CHANGED)
		unlink(etag_path);
	free(cached);
	free(fresh);
	free(etag_path);
	return r;
}

enum fleet_result
fleet_fetch(const struct config *local, char *why, size_t why_size)
{
	const struct fleet_config *f = &local->fleet;
	struct fleet_ids ids;
	char problem[256];
	fleet_ids_read(&ids);
	char *url = fleet_expand_url(f->config_url, &ids, problem, sizeof(problem));
	if (!url)
		return say(FLEET_FAILED, why, why_size, "%s", problem);
	if (mkdir(local->state_dir, 0700) != 0 && errno != EEXIST)
		log_warn("cannot create the state directory %s: %s", local->state_dir, strerror(errno));
	char *cached = state_path(local, "fleet.conf"), *etag_path = state_path(local, "fleet.etag");
	char etag[512] = "";
	if (access(cached, R_OK) == 0)
		read_small(etag_path, etag, sizeof(etag));
	struct http_header header = { "If-None-Match", etag };
	struct http_request req = { .url = url,
		.headers = &header,
		.header_count = etag[0] ? 1 : 0,
		.ca_file = f->ca_file,
		.client_cert = f->client_certificate,
		.client_key = f->client_key,
		.timeout_s = 15,
		.max_body = FLEET_MAX_BODY };
	struct http_response resp = { 0 };
	struct source_error err = { 0 };
	enum fleet_result r;
	if (!http_perform(&req, &resp, &err))
		r = say(FLEET_FAILED, why, why_size, "cannot fetch the configuration from %s: %s", url, err.message);
	else if (resp.status == 304)
		r = say(FLEET_UNCHANGED, why, why_size, "the configuration from %s is unchanged (304)", url);
	else if (resp.status != 200 && !http_status_error(&resp, "the configuration", &err))
		r = say(FLEET_FAILED, why, why_size, "cannot fetch the configuration from %s: HTTP %ld: %s", url,
			resp.status, err.message);
	else
		r = take_answer(local, url, &resp, why, why_size);
	http_response_finish(&resp);
	free(cached);
	free(etag_path);
	free(url);
	return r;
}

struct fleet_watch {
	const struct config *local;
	void (*changed)(void *);
	void *ctx;
	bool fetch_now, waiting, stopping;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
};

/* Waits delay_s (shortened by ROOMSIGN_CLOCK_SPEED, like every timer) unless stopped. */
static bool
wait_or_stop(struct fleet_watch *w, double delay_s)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	double s = delay_s / time_speed();
	until.tv_sec += (time_t)s;
	until.tv_nsec += (long)((s - (double)(time_t)s) * 1e9);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->lock);
	while (!w->stopping && pthread_cond_timedwait(&w->wake, &w->lock, &until) != ETIMEDOUT)
		;
	bool stopping = w->stopping;
	pthread_mutex_unlock(&w->lock);
	return !stopping;
}

static void *
watch_main(void *arg)
{
	struct fleet_watch *w = arg;
	int refresh_s = w->local->fleet.config_refresh_s, retry_s = w->waiting && refresh_s > 10 ? 10 : refresh_s;
	bool go = w->fetch_now || wait_or_stop(w, retry_s);
	while (go) {
		if (fleet_fetch(w->local, NULL, 0) == FLEET_CHANGED)
			w->changed(w->ctx);
		go = wait_or_stop(w, retry_s);
	}
	return NULL;
}

struct fleet_watch *
fleet_watch_start(const struct config *local, bool fetch_now, bool waiting, void (*changed)(void *), void *ctx)
{
	struct fleet_watch *w = xcalloc(1, sizeof(*w));
	w->local = local;
	w->changed = changed;
	w->ctx = ctx;
	w->fetch_now = fetch_now;
	w->waiting = waiting;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &attr);
	pthread_condattr_destroy(&attr);
	/* Signals go to the main program's own handling (sign.c waits for SIGTERM on a thread). */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&w->thread, NULL, watch_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_error("cannot start the configuration thread: %s", strerror(rc));
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	return w;
}

void
fleet_watch_stop(struct fleet_watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
