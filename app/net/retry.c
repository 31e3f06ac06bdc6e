#include "retry.h"
#include <errno.h>
#include <stdlib.h>
#include <time.h>

void
retry_start(struct retry *r, const struct retry_policy *policy, unsigned *seed)
{
	*r = (struct retry){ .policy = policy, .seed = seed };
}

long
retry_next_ms(struct retry *r, long advice_ms, long *wanted_ms)
{
	const struct retry_policy *p = r->policy;
	*wanted_ms = 0;
	if (r->done >= p->retries)
		return -1;
	long ms = advice_ms;
	if (ms < 0) {
		int shift = r->done < 16 ? r->done : 16;
		long base = p->first_ms << shift;
		ms = p->jitter && r->seed
			     ? base / 2 + (long)((unsigned long)rand_r(r->seed) % (unsigned long)(base + 1))
			     : base;
	}
	*wanted_ms = ms;
	if (ms > p->max_wait_ms || (p->budget_ms > 0 && r->waited_ms + ms > p->budget_ms))
		return -1;
	r->done++;
	r->waited_ms += ms;
	return ms;
}

void
retry_sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
