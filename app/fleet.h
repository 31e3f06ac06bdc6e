/* fleet.h — configuration from one place: [fleet] config_url fetched over HTTPS with
 * If-None-Match, validated with the same parser, and kept (last good copy) in the state
 * directory for offline starts. The local file's [fleet] section always stays in force. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "config.h"

struct fleet_ids {
	char hostname[256];
	char mac[18];    /* aa:bb:cc:dd:ee:ff of the first physical interface; "" when none */
	char serial[64]; /* the Pi's serial number; "" when unknown */
};

/* Reads the device's identity. ROOMSIGN_NET_DIR (/sys/class/net), ROOMSIGN_SERIAL_FILE
 * (/proc/device-tree/serial-number) and ROOMSIGN_CPUINFO (/proc/cpuinfo) override the paths. */
void fleet_ids_read(struct fleet_ids *out);
/* Expands {hostname}, {mac} and {serial} (percent-encoded). NULL when a placeholder has no value
 * on this device or is unknown; why (may be NULL) then says which. Free the result. */
char *fleet_expand_url(const char *tmpl, const struct fleet_ids *ids, char *why, size_t why_size);

enum fleet_result {
	FLEET_UNCHANGED, /* 304, or the same bytes as the cached copy */
	FLEET_CHANGED,   /* a valid new configuration is now the cached copy */
	FLEET_FAILED,    /* no answer, or an HTTP error: the cached copy stays */
	FLEET_REFUSED,   /* the answer is not a valid configuration: the cached copy stays */
};

/* One fetch of local's config_url. Logs the outcome once; why (may be NULL) gets it too. */
enum fleet_result fleet_fetch(const struct config *local, char *why, size_t why_size);
/* Loads the cached copy under local's [fleet]. false (err filled) when absent or invalid. */
bool fleet_load_cached(const struct config *local, struct config *out, char *err, size_t err_size);

struct fleet_watch;
/* Fetches every [fleet] config_refresh seconds (the first at once when fetch_now; every 10 s
 * while waiting, i.e. the sign has no configuration yet) on its own thread, with every signal
 * blocked, and calls changed(ctx) there after each FLEET_CHANGED. local must outlive the
 * watch. NULL when the thread cannot start (logged). */
struct fleet_watch *fleet_watch_start(
	const struct config *local, bool fetch_now, bool waiting, void (*changed)(void *), void *ctx);
void fleet_watch_stop(struct fleet_watch *watch); /* accepts NULL; joins the thread */
