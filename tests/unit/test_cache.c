#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "test_support.h"
#include "cache.h"
#include "core/xalloc.h"

/* Both NULL, or equal strings. */
static void
assert_same_string(const char *a, const char *b)
{
	if (a)
		assert_string_equal(a, b);
	else
		assert_null(b);
}

static void
test_cache_round_trips_every_field(void **state)
{
	char path[] = "/tmp/roomsign-cache-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct event *e = xcalloc(2, sizeof(*e));
	e[0] = t_event("2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z", "Tab\there\nand \\ - dash");
	e[0].organizer = xstrdup("Maria");
	e[0].id = xstrdup("AAMk=");
	e[0].version = xstrdup("CK1");
	e[0].booked_here = e[0].is_private = true;
	e[0].show_as = SHOW_OOF;
	e[0].created = 42;
	e[0].checked_in = true;
	e[1] = t_event("2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z", NULL);
	e[1].subject = xstrdup("-");
	e[1].all_day = true;
	struct schedule *s = schedule_create(t_utc("2026-12-01T00:00:00Z"), t_utc("2026-12-03T00:00:00Z"), e, 2);
	s->fetched_at = 1234;
	assert_true(cache_save(path, s));
	struct schedule *back = cache_load(path);
	assert_non_null(back);
	assert_int_equal(back->count, 2);
	assert_int_equal(back->fetched_at, 1234);
	assert_int_equal(back->from, s->from);
	assert_int_equal(back->to, s->to);
	for (size_t i = 0; i < 2; i++) {
		const struct event *a = &s->events[i], *b = &back->events[i];
		assert_int_equal(a->start, b->start);
		assert_int_equal(a->end, b->end);
		assert_int_equal(a->show_as, b->show_as);
		assert_int_equal(a->all_day, b->all_day);
		assert_int_equal(a->booked_here, b->booked_here);
		assert_int_equal(a->is_private, b->is_private);
		assert_int_equal(a->checked_in, b->checked_in);
		assert_int_equal(a->created, b->created);
		assert_same_string(a->subject, b->subject);
		assert_same_string(a->organizer, b->organizer);
		assert_same_string(a->id, b->id);
		assert_same_string(a->version, b->version);
	}
	/* the handles survive exactly: a booking action after a restart needs them */
	assert_string_equal(back->events[1].organizer, "Maria");
	assert_string_equal(back->events[1].id, "AAMk=");
	assert_string_equal(back->events[1].version, "CK1");
	assert_null(back->events[0].organizer);
	assert_null(back->events[0].id);
	schedule_destroy(back);
	schedule_destroy(s);
	unlink(path);
}

static void
test_cache_ignores_corrupt_and_missing_files(void **state)
{
	char path[] = "/tmp/roomsign-cache-XXXXXX";
	int fd = mkstemp(path);
	const char *bad[] = {
		"",
		"not a cache\n",
		"roomsign-cache 1\n1\t2\t3\t5\n1\t2\t0\t2\t0000\ta\t-\t-\t-\n",
		"roomsign-cache 1\n1\t2\t3\t1\n1\t2\t0\t9\t0000\ta\t-\t-\t-\n",
		"roomsign-cache 1\n1\t2\t3\t99999999\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ftruncate(fd, 0), 0);
		assert_int_equal(pwrite(fd, bad[i], strlen(bad[i]), 0), (ssize_t)strlen(bad[i]));
		assert_null(cache_load(path));
	}
	close(fd);
	unlink(path);
	assert_null(cache_load("/nonexistent/roomsign.cache"));
	struct schedule *s = schedule_create(0, 1, NULL, 0);
	assert_false(cache_save("/nonexistent/dir/cache", s));
	schedule_destroy(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_round_trips_every_field),
		cmocka_unit_test(test_cache_ignores_corrupt_and_missing_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
