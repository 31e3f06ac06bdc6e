/* watchdog_null.c — built without libsystemd: there is no service manager to tell. */
#include "watchdog.h"

uint64_t
watchdog_interval_ms(void)
{
	return 0;
}

void
watchdog_ready(void)
{
}

void
watchdog_ping(void)
{
}

void
watchdog_stopping(void)
{
}
