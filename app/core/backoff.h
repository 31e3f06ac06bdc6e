/* backoff.h — when the source thread reads the calendar next: the refresh interval with jitter,
 * and after failures an exponential back-off that ends in a random phase of the refresh interval,
 * so a fleet that lost its server together comes back spread over one interval (no thundering
 * herd). Pure: the caller passes a uniform random number. */
#pragma once

#define BACKOFF_FIRST_S 5 /* the first wait after a failure (before jitter) */

/* Seconds to wait before the next refresh. failures: consecutive failed refreshes (0: the last
 * one worked); u: uniform in [0, 1). refresh_s ≤ 0 means 60.
 * - 0 failures: refresh_s ± 10 %.
 * - then 5, 10, 20 … s, each uniform in [d/2, d], while below refresh_s;
 * - the first step that reaches refresh_s: uniform in [1, refresh_s], which puts the sign at a
 *   uniformly random phase of the interval;
 * - from then on refresh_s ± 10 %, like the normal timer: during a long outage each sign asks no
 *   more often than it does when all is well, and when the server returns the fleet's first
 *   successes are spread evenly over one interval. */
int backoff_delay_s(int refresh_s, unsigned failures, double u);
