/* Touchscreen limits: pauses between booking actions and lookups, a total on extensions. */
#include <string.h>
#include "test_support.h"
#include "core/cooldown.h"

#define T0 5000000u /* an arbitrary monotonic start, ms */

static const struct cooldown_limits limits = { .booking_s = 60, .lookup_s = 30, .max_extend_min = 60 };

static void
test_cooldown_book_then_end_must_wait(void **state)
{
	(void)state;
	struct cooldown c = { 0 };
	assert_int_equal(cooldown_wait_ms(&c, &limits, COOLDOWN_BOOKING, T0), 0); /* the first is free */
	cooldown_note(&c, COOLDOWN_BOOKING, T0);
	assert_int_equal(cooldown_wait_ms(&c, &limits, COOLDOWN_BOOKING, T0 + 1000), 59000);
	assert_int_equal(cooldown_wait_ms(&c, &limits, COOLDOWN_LOOKUP, T0 + 1000), 0); /* kinds are apart */
	assert_int_equal(cooldown_wait_ms(&c, &limits, COOLDOWN_BOOKING, T0 + 60000), 0);
	cooldown_note(&c, COOLDOWN_LOOKUP, T0 + 60000);
	assert_int_equal(cooldown_wait_ms(&c, &limits, COOLDOWN_LOOKUP, T0 + 70000), 20000);
	const struct cooldown_limits none = { 0 };
	assert_int_equal(cooldown_wait_ms(&c, &none, COOLDOWN_LOOKUP, T0 + 70000), 0); /* 0: no limit */
}

static void
test_cooldown_extensions_of_one_meeting_are_capped(void **state)
{
	(void)state;
	struct cooldown c = { 0 };
	struct event m = { .id = "AAMk-1", .start = 1000 };
	assert_true(cooldown_may_extend(&c, &limits, &m, 30));
	cooldown_note_extend(&c, &m, 30);
	assert_true(cooldown_may_extend(&c, &limits, &m, 30));
	cooldown_note_extend(&c, &m, 30);
	assert_false(cooldown_may_extend(&c, &limits, &m, 30)); /* 60 min used up */
	assert_false(cooldown_may_extend(&c, &limits, &m, 15));
	struct event moved = { .id = "AAMk-1", .start = 99000 }; /* same id, another meeting */
	assert_true(cooldown_may_extend(&c, &limits, &moved, 30));
	struct event other = { .id = "AAMk-2", .start = 1000 };
	assert_true(cooldown_may_extend(&c, &limits, &other, 60));
	assert_false(cooldown_may_extend(&c, &limits, &other, 75));
	const struct cooldown_limits unlimited = { .max_extend_min = 0 };
	assert_true(cooldown_may_extend(&c, &unlimited, &m, 600));
}

/* Reports: one per problem per [report] cooldown, and a total per hour over every problem. */
static void
test_cooldown_reports_per_problem_and_per_hour(void **state)
{
	(void)state;
	const struct cooldown_limits r = { .report_min = 30, .report_per_hour = 3 };
	struct cooldown c = { 0 };
	uint64_t wait;
	assert_int_equal(cooldown_report_wait(&c, &r, 0, T0, &wait), COOLDOWN_REPORT_NOW);
	cooldown_note_report(&c, 0, T0);
	assert_int_equal(cooldown_report_wait(&c, &r, 0, T0 + 60000, &wait), COOLDOWN_REPORT_SAME_PROBLEM);
	assert_int_equal(wait, 29 * 60000);
	cooldown_forget_report(&c, 0); /* it failed: may be tried again at once */
	assert_int_equal(cooldown_report_wait(&c, &r, 0, T0 + 60000, &wait), COOLDOWN_REPORT_NOW);
	cooldown_note_report(&c, 0, T0);
	assert_int_equal(cooldown_report_wait(&c, &r, 1, T0 + 60000, &wait), COOLDOWN_REPORT_NOW); /* another */
	cooldown_note_report(&c, 1, T0 + 60000);
	cooldown_note_report(&c, 2, T0 + 120000);
	/* three in the hour: a fourth problem waits until the first is an hour old */
	assert_int_equal(cooldown_report_wait(&c, &r, 3, T0 + 180000, &wait), COOLDOWN_REPORT_HOURLY);
	assert_int_equal(wait, 3600000 - 180000);
	assert_int_equal(cooldown_report_wait(&c, &r, 3, T0 + 3600000, &wait), COOLDOWN_REPORT_NOW);
	assert_int_equal(cooldown_report_wait(&c, &r, 0, T0 + 30 * 60000, &wait), COOLDOWN_REPORT_HOURLY);
	const struct cooldown_limits none = { 0 };
	assert_int_equal(cooldown_report_wait(&c, &none, 0, T0 + 1, &wait), COOLDOWN_REPORT_NOW);
	assert_int_equal(wait, 0);
	/* the ring keeps the latest COOLDOWN_HOUR_MAX: a limit of 60 counts them all */
	const struct cooldown_limits sixty = { .report_per_hour = COOLDOWN_HOUR_MAX };
	struct cooldown many = { 0 };
	for (int i = 0; i < COOLDOWN_HOUR_MAX + 5; i++)
		cooldown_note_report(&many, 0, T0 + (uint64_t)i * 1000u);
	assert_int_equal(cooldown_report_wait(&many, &sixty, 0, T0 + 100000, &wait), COOLDOWN_REPORT_HOURLY);
	assert_int_equal(wait, 5000 + 3600000 - 100000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cooldown_book_then_end_must_wait),
		cmocka_unit_test(test_cooldown_extensions_of_one_meeting_are_capped),
		cmocka_unit_test(test_cooldown_reports_per_problem_and_per_hour),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
