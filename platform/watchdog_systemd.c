/* watchdog_systemd.c — sd_notify: READY=1 once the first frame is up, WATCHDOG=1 from the main loop. */
#define LOG_MODULE "watchdog"
#include "watchdog.h"
#include "core/log.h"
#include <string.h>
#include <systemd/sd-daemon.h>

/* Outside systemd (no NOTIFY_SOCKET) sd_notify returns 0 and every call here is a cheap no-op. */
static void
notify(const char *state)
{
	int r = sd_notify(0, state);
	if (r < 0)
		log_warn("sd_notify(%s): %s", state, strerror(-r));
}

uint64_t
watchdog_interval_ms(void)
{
	uint64_t usec = 0;
	/* > 0 only when WatchdogSec= is set for this very process (WATCHDOG_PID matches). */
	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return 0;
	/* Half the timeout, as systemd recommends, so one late wake-up does not get us killed. */
	uint64_t interval = usec / 2 / 1000;
	return interval ? interval : 1;
}

void
watchdog_ready(void)
{
	notify("READY=1");
}

void
watchdog_ping(void)
{
	notify("WATCHDOG=1");
}

void
watchdog_stopping(void)
{
	notify("STOPPING=1");
}
