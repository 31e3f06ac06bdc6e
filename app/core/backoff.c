#include "backoff.h"

/* u ∈ [0, 1) → an integer in [lo, lo + span], about uniformly. */
static int
spread(int lo, int span, double u)
{
	int v = lo + (int)((u > 0 ? u : 0) * (double)(span + 1));
	return v > lo + span ? lo + span : v;
}

static int
around(int refresh_s, double u)
{
	int jitter = refresh_s / 10;
	return spread(refresh_s - jitter, 2 * jitter, u);
}

int
backoff_delay_s(int refresh_s, unsigned failures, double u)
{
	if (refresh_s <= 0)
		refresh_s = 60;
	if (failures == 0)
		return around(refresh_s, u);
	/* The back-off of this failure, and the failure count whose back-off first reaches the cap. */
	long d = BACKOFF_FIRST_S;
	unsigned at_cap = 1;
	while (d < refresh_s) {
		if (at_cap == failures)
			return spread((int)(d / 2), (int)(d - d / 2), u);
		d *= 2;
		at_cap++;
	}
	if (failures == at_cap)
		return spread(1, refresh_s - 1, u); /* a random phase of the interval: [1, r] */
	return around(refresh_s, u);
}
