#include "test_support.h"
#include "net/retry.h"

/* Without advice: 1, 2, 4 s, then no more (Graph's policy); the server's advice wins. */
static void
test_retry_doubles_and_stops(void **state)
{
	(void)state;
	const struct retry_policy p = { .retries = 3, .first_ms = 1000, .max_wait_ms = 30000, .budget_ms = 60000 };
	struct retry r;
	long wanted;
	retry_start(&r, &p, NULL);
	assert_int_equal(retry_next_ms(&r, -1, &wanted), 1000);
	assert_int_equal(retry_next_ms(&r, 0, &wanted), 0); /* Retry-After: 0 */
	assert_int_equal(retry_next_ms(&r, -1, &wanted), 4000);
	assert_int_equal(retry_next_ms(&r, -1, &wanted), -1);
	assert_int_equal(wanted, 0); /* no retries left: not a throttling */
}

/* A wait longer than max_wait_ms, or past the budget, is not slept: -1 with the wait asked for,
 * and the retry is not spent. */
static void
test_retry_long_advice_is_handed_up(void **state)
{
	(void)state;
	const struct retry_policy p = { .retries = 3, .first_ms = 1000, .max_wait_ms = 30000, .budget_ms = 45000 };
	struct retry r;
	long wanted;
	retry_start(&r, &p, NULL);
	assert_int_equal(retry_next_ms(&r, 120000, &wanted), -1);
	assert_int_equal(wanted, 120000);
	assert_int_equal(retry_next_ms(&r, 30000, &wanted), 30000);
	assert_int_equal(retry_next_ms(&r, 20000, &wanted), -1); /* 50 s in all > the 45 s budget */
	assert_int_equal(wanted, 20000);
	assert_int_equal(retry_next_ms(&r, 15000, &wanted), 15000);
}

/* With jitter (EWS's policy) each back-off lies in [1/2, 3/2] of 400, 800, 1600 ms, and two
 * signs with other seeds do not wait alike. */
static void
test_retry_jitter_spreads(void **state)
{
	(void)state;
	const struct retry_policy p = { .retries = 3, .first_ms = 400, .jitter = true, .max_wait_ms = 10000 };
	unsigned seeds[2] = { 1, 2 };
	long first[2];
	for (int s = 0; s < 2; s++) {
		struct retry r;
		long wanted;
		retry_start(&r, &p, &seeds[s]);
		for (int i = 0; i < 3; i++) {
			long base = 400L << i, ms = retry_next_ms(&r, -1, &wanted);
			assert_in_range(ms, base / 2, base * 3 / 2);
			if (i == 0)
				first[s] = ms;
		}
		assert_int_equal(retry_next_ms(&r, -1, &wanted), -1);
	}
	assert_int_not_equal(first[0], first[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_doubles_and_stops),
		cmocka_unit_test(test_retry_long_advice_is_handed_up),
		cmocka_unit_test(test_retry_jitter_spreads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
