/* retry.h — when to send a request again, one policy for every backend. After a try that failed
 * in a way worth repeating (throttled, 5xx, a dropped connection), retry_next_ms says how long
 * to wait: the server's advice (Retry-After, BackOffMilliseconds) when it gave one, else an
 * exponential back-off, with jitter where many signs share one server. */
#pragma once
#include <stdbool.h>

struct retry_policy {
	int retries;      /* tries after the first */
	long first_ms;    /* the first back-off, doubled for every retry after it */
	bool jitter;      /* each back-off drawn from [1/2, 3/2] of it */
	long max_wait_ms; /* a longer wait is not slept: the caller hands it up as throttling */
	long budget_ms;   /* all waits of one call together; 0: no limit */
};

struct retry {
	const struct retry_policy *policy;
	unsigned *seed; /* rand_r state for the jitter (kept by the caller across calls); NULL: none */
	int done;       /* retries so far */
	long waited_ms;
};

void retry_start(struct retry *r, const struct retry_policy *policy, unsigned *seed);
/* The wait before the next try, advice_ms (>= 0) being the server's, < 0 none; -1: do not try
 * again. *wanted_ms is the wait asked for (0 when no retries are left): when it is > 0 and the
 * answer -1, it was longer than max_wait_ms or the budget allows. */
long retry_next_ms(struct retry *r, long advice_ms, long *wanted_ms);
/* Sleeps ms, resuming after signals. */
void retry_sleep_ms(long ms);
