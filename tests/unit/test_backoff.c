/* The refresh timer and its back-off (core/backoff.h): the steps, and what they do to a fleet of
 * 200 signs whose server is down for 5 minutes (no thundering herd when it returns). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "test_support.h"
#include "core/backoff.h"

#define SIGNS     200
#define REFRESH_S 60

static void
test_backoff_steps(void **state)
{
	(void)state;
	assert_int_equal(backoff_delay_s(60, 0, 0.0), 54); /* refresh ± 10 % */
	assert_int_equal(backoff_delay_s(60, 0, 0.9999), 66);
	assert_int_equal(backoff_delay_s(60, 1, 0.0), 2); /* 5 s, jittered down to half */
	assert_int_equal(backoff_delay_s(60, 1, 0.9999), 5);
	assert_int_equal(backoff_delay_s(60, 2, 0.0), 5);
	assert_int_equal(backoff_delay_s(60, 4, 0.9999), 40);
	assert_int_equal(backoff_delay_s(60, 5, 0.0), 1); /* reaches the interval: a random phase */
	assert_int_equal(backoff_delay_s(60, 5, 0.9999), 60);
	assert_int_equal(backoff_delay_s(60, 6, 0.0), 54); /* then the interval again */
	assert_int_equal(backoff_delay_s(60, 60, 0.9999), 66);
	assert_int_equal(backoff_delay_s(0, 0, 0.0), 54); /* unset: 60 s */
	assert_int_equal(backoff_delay_s(5, 1, 0.0), 1);  /* an interval at the first step */
	assert_int_equal(backoff_delay_s(5, 2, 0.0), 5);
}

/* A reproducible uniform [0, 1) (xorshift64*): the test does not depend on libc's rand. */
static double
uniform(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (double)((*s * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

struct fleet_result {
	double first, last;       /* first success of each sign after the outage, s after it ends */
	int peak_per_10s;         /* most first successes in one 10-s slice */
	double outage_per_minute; /* attempts per minute in the outage's last 3 minutes */
};

/* SIGNS signs, in steady state (random phases), lose the server at t = 0 for outage_s seconds.
 * Each attempt takes no time; an attempt while the server is down fails. */
static struct fleet_result
simulate(double outage_s, uint64_t seed)
{
	struct fleet_result r = { .first = 1e9, .last = 0 };
	int slices[64] = { 0 };
	long attempts_down = 0;
	uint64_t s = seed;
	for (int i = 0; i < SIGNS; i++) {
		double t = -uniform(&s) * REFRESH_S * 5; /* the last refresh before the outage */
		unsigned failures = 0;
		for (;;) {
			t += backoff_delay_s(REFRESH_S, failures, uniform(&s));
			if (t < 0)
				continue; /* before the outage: works */
			if (t < outage_s) {
				failures++;
				attempts_down += t >= outage_s - 180;
				continue;
			}
			double after = t - outage_s;
			r.first = after < r.first ? after : r.first;
			r.last = after > r.last ? after : r.last;
			if (after < 640)
				slices[(int)(after / 10)]++;
			break;
		}
	}
	for (int k = 0; k < 64; k++)
		r.peak_per_10s = slices[k] > r.peak_per_10s ? slices[k] : r.peak_per_10s;
	r.outage_per_minute = (double)attempts_down / 3.0;
	return r;
}

/* The server is down 5 minutes. When it returns, the signs' first successes are spread over at
 * least one refresh interval (and all are back within one and a half), no 10-s slice holds
 * more than twice the normal rate, and once the quick first retries are over the fleet asks no
 * more often than its normal once a minute a sign (+ 20 %). */
static void
test_backoff_spreads_a_fleet_over_one_interval(void **state)
{
	(void)state;
	double normal_per_10s = SIGNS * 10.0 / REFRESH_S;
	for (uint64_t seed = 1; seed <= 5; seed++) {
		struct fleet_result r = simulate(300, seed * 0x9E3779B97F4A7C15ULL);
		if (r.last - r.first < REFRESH_S || r.last > 1.5 * REFRESH_S)
			fail_msg("recovery from %.0f s to %.0f s after the outage: want a spread of at least %d s, "
				 "all within %d s",
				r.first, r.last, REFRESH_S, REFRESH_S * 3 / 2);
		if (r.peak_per_10s > 2 * normal_per_10s)
			fail_msg("%d signs came back in one 10-s slice (normal: %.0f)", r.peak_per_10s, normal_per_10s);
		if (r.outage_per_minute > SIGNS * 1.2)
			fail_msg("%.0f attempts a minute while the server was down (normal: %d)", r.outage_per_minute,
				SIGNS);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_steps),
		cmocka_unit_test(test_backoff_spreads_a_fleet_over_one_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
