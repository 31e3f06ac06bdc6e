/* sign.h — the running room sign (main thread): window, main loop, LED, backlight, watchdog;
 * and one-frame rendering for `roomsign screenshot`. */
#pragma once
#include <stdbool.h>
#include "config.h"
#include "core/event.h"

struct sign_options {
	const char *hit_areas;  /* write touch targets here after every frame (JSON) */
	int width, height;      /* window size; 0: full screen */
	const char *setup_text; /* non-NULL: show the setup screen with this text */
	bool has_now;           /* start the clock at `now` (tests) */
	rs_time now;
};

/* Runs until SIGTERM/SIGINT or sign_request_restart(). Returns the process exit status. */
int sign_run(const struct config *config, const struct sign_options *options);
/* Ends sign_run as if stopped, from any thread, and makes sign_restart_requested() true: the
 * caller starts the sign again (a new configuration). */
void sign_request_restart(void);
bool sign_restart_requested(void);
/* Renders one frame offscreen (no display server) at `now` and writes a PNG. */
bool sign_screenshot(const struct config *config, const struct sign_options *options, const char *png_path);
