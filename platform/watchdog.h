/* watchdog.h — tells systemd we are alive (sd_notify READY=1 / WATCHDOG=1). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* Interval in ms at which watchdog_ping should be called (half of WatchdogSec), 0 when off. */
uint64_t watchdog_interval_ms(void);
void watchdog_ready(void); /* after the first frame */
void watchdog_ping(void);  /* from the main loop */
void watchdog_stopping(void);
