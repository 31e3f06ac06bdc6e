/* monitor.h — the sign's Prometheus textfile ([monitoring] textfile): fed where things happen
 * (worker results, actions, LED, panel, motion), rewritten atomically on every change and at
 * least once a minute. Timestamps are the true wall clock (Prometheus compares them with its
 * own), not the sign's test clock. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "config.h"
#include "core/metrics.h"
#include "core/panel.h"
#include "core/room_state.h"
#include "ui/ui_state.h"
#include "worker.h"

struct monitor;

/* NULL when [monitoring] textfile is empty (off). Free with monitor_destroy. */
struct monitor *monitor_create(const struct config *config);
void monitor_destroy(struct monitor *monitor); /* accepts NULL; leaves the last file in place */

/* Counts a worker result (refresh, action, room search); call before freeing it. */
void monitor_result(struct monitor *monitor, const struct worker_result *result);
/* An action the sign refused or could not queue before it reached the server. */
void monitor_refused(struct monitor *monitor, enum ui_action_kind kind, bool failed);
/* A check-in at the sign (touch or motion): it counts at once, whatever the server says later. */
void monitor_checked_in(struct monitor *monitor);
/* What the LED now shows: colour, or the [led] offline rule over it. */
void monitor_led(struct monitor *monitor, enum led_colour colour, bool offline);
void monitor_motion(struct monitor *monitor); /* the PIR saw someone just now */

/* Takes the room's state at now (the sign's clock) and rewrites the file when anything changed or
 * the clock entered a new minute since the last write (the main loop wakes on every minute, so
 * the file is rewritten at least once a minute). Failures are logged once per streak. */
void monitor_tick(struct monitor *monitor, const struct schedule *schedule, const struct room_state *state,
	bool panel_on, rs_time now);
/* node_exporter's command-line arguments from [monitoring], one a line, to out: the listen
 * address, the textfile's directory for the textfile collector, the web config file. Nothing
 * when listen is empty (node_exporter off). false (message on stderr) when listen is not
 * [host]:port. */
bool monitor_exporter_args(const struct monitoring_config *config, FILE *out);
/* Writes text to path atomically: a temporary file beside it (mode 0644), fsync, rename. On
 * failure nothing is left behind and errno says why. */
bool monitor_write_file(const char *path, const char *text);
