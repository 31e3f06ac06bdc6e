/* The server's "wait this long" advice: Retry-After (seconds or an HTTP-date) and EWS's
 * BackOffMilliseconds are clamped to 0 s … 1 day, never wrapped, never overflowed. */
#include <limits.h>
#include <stdio.h>
#include "test_support.h"
#include "net/http.h"

static void
test_http_retry_after_seconds_are_clamped_to_a_day(void **state)
{
	time_t now = 1796112000; /* 2026-12-01T08:00:00Z */
	assert_int_equal(http_parse_retry_after("0", now), 0);
	assert_int_equal(http_parse_retry_after("7", now), 7);
	assert_int_equal(http_parse_retry_after("65535", now), 65535); /* not masked to 16 bits */
	assert_int_equal(http_parse_retry_after("86400", now), 86400);
	assert_int_equal(http_parse_retry_after("86401", now), 86400);
	assert_int_equal(http_parse_retry_after("1000000000000", now), 86400);                    /* 10^12 */
	assert_int_equal(http_parse_retry_after("99999999999999999999999999999999", now), 86400); /* > LONG_MAX */
}

static void
test_http_retry_after_garbage_is_absent(void **state)
{
	time_t now = 1796112000;
	assert_int_equal(http_parse_retry_after("-1", now), -1);
	assert_int_equal(http_parse_retry_after("-65535", now), -1);
	assert_int_equal(http_parse_retry_after("", now), -1);
	assert_int_equal(http_parse_retry_after(NULL, now), -1);
	assert_int_equal(http_parse_retry_after("soon", now), -1);
	assert_int_equal(http_parse_retry_after("12abc", now), -1);
	assert_int_equal(http_parse_retry_after("1.5", now), -1);
	assert_int_equal(http_parse_retry_after("+5", now), -1);
	assert_int_equal(http_parse_retry_after("0x10", now), -1);
}

static void
test_http_retry_after_http_date(void **state)
{
	time_t now = 1796112000; /* Tue, 01 Dec 2026 08:00:00 GMT */
	assert_int_equal(http_parse_retry_after("Tue, 01 Dec 2026 08:02:00 GMT", now), 120);
	assert_int_equal(http_parse_retry_after("Tue, 01 Dec 2026 07:00:00 GMT", now), 0); /* past: now */
	assert_int_equal(http_parse_retry_after("Fri, 01 Jan 2027 00:00:00 GMT", now), 86400);
	assert_int_equal(http_parse_retry_after("Tuesday, 01-Dec-26 08:00:30 GMT", now), 30); /* RFC 850 */
}

static void
test_http_parse_delay_saturates(void **state)
{
	assert_int_equal(http_parse_delay("297749", 86400000L), 297749);
	assert_int_equal(http_parse_delay("86400001", 86400000L), 86400000L);
	assert_int_equal(http_parse_delay("18446744073709551616", 86400000L), 86400000L); /* 2^64 */
	assert_int_equal(http_parse_delay("9223372036854775807", LONG_MAX), LONG_MAX);
	assert_int_equal(http_parse_delay("9223372036854775808", LONG_MAX), LONG_MAX);
	assert_int_equal(http_parse_delay(" 5", 100), -1);
	assert_int_equal(http_parse_delay("5 ", 100), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_retry_after_seconds_are_clamped_to_a_day),
		cmocka_unit_test(test_http_retry_after_garbage_is_absent),
		cmocka_unit_test(test_http_retry_after_http_date),
		cmocka_unit_test(test_http_parse_delay_saturates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
