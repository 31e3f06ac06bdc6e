/* The source thread against a scripted source: snapshots, failures with back-off, recovery,
 * actions queued from the UI, and one log line per distinct failure. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "test_support.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "worker.h"

struct scripted {
	struct source base;
	pthread_mutex_t lock;
	int fetches, books;
	bool failing;
	enum source_category fail_with; /* SOURCE_ERR_NETWORK when 0 */
	uint64_t failed_ms[64];         /* monotonic time of each failed fetch or book */
	int failed;
};

struct inbox {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct worker_result *items[64];
	size_t count;
};

static bool
scripted_fail(struct scripted *s, struct source_error *err)
{
	pthread_mutex_lock(&s->lock);
	if (s->failed < 64)
		s->failed_ms[s->failed++] = time_mono_ms();
	enum source_category c = s->fail_with ? s->fail_with : SOURCE_ERR_NETWORK;
	pthread_mutex_unlock(&s->lock);
	if (c == SOURCE_ERR_AUTH)
		return source_fail(err, c, "calendar.example.com refused the password of svc-roomsign (HTTP 401)");
	return source_fail(err, c, "Cannot connect to calendar.example.com");
}

static bool
scripted_fetch(struct source *base, rs_time from, rs_time to, struct schedule **out, struct source_error *err)
{
	struct scripted *s = (struct scripted *)base;
	pthread_mutex_lock(&s->lock);
	s->fetches++;
	bool failing = s->failing;
	int books = s->books;
	pthread_mutex_unlock(&s->lock);
	if (failing)
		return scripted_fail(s, err);
	struct event *e = xcalloc((size_t)books, sizeof(*e));
	for (int i = 0; i < books; i++) {
		e[i].start = time_now() + i * 3600;
		e[i].end = e[i].start + 1800;
		e[i].id = xasprintf("booking-%d", i);
		e[i].show_as = SHOW_BUSY;
		e[i].booked_here = true;
	}
	*out = schedule_create(from, to, e, (size_t)books);
	return true;
}

static bool
scripted_book(struct source *base, rs_time start, rs_time end, const char *subject, struct event *created,
	struct source_error *err)
{
	struct scripted *s = (struct scripted *)base;
	pthread_mutex_lock(&s->lock);
	bool failing = s->failing;
	int n = failing ? 0 : s->books++;
	pthread_mutex_unlock(&s->lock);
	if (failing)
		return scripted_fail(s, err);
	created->id = xasprintf("booking-%d", n);
	created->start = start;
	created->end = end;
	return true;
}

static void
scripted_destroy(struct source *base)
{
	(void)base;
}

static const struct source_ops scripted_ops = {
	.fetch = scripted_fetch,
	.book = scripted_book,
	.destroy = scripted_destroy,
};

static void
post(void *ctx, struct worker_result *r)
{
	struct inbox *in = ctx;
	pthread_mutex_lock(&in->lock);
	if (in->count < 64)
		in->items[in->count++] = r;
	else
		worker_result_free(r);
	pthread_cond_broadcast(&in->cond);
	pthread_mutex_unlock(&in->lock);
}

/* Waits (up to 20 s) for a result of the given kind; returns it (caller frees) or fails. */
static struct worker_result *
wait_for(struct inbox *in, enum worker_result_kind kind)
{
	uint64_t give_up = time_mono_ms() + 20000;
	pthread_mutex_lock(&in->lock);
	for (;;) {
		for (size_t i = 0; i < in->count; i++) {
			if (in->items[i]->kind == kind) {
				struct worker_result *r = in->items[i];
				memmove(&in->items[i], &in->items[i + 1], (in->count - i - 1) * sizeof(r));
				in->count--;
				pthread_mutex_unlock(&in->lock);
				return r;
			}
		}
		if (time_mono_ms() > give_up)
			break;
		pthread_mutex_unlock(&in->lock);
		usleep(10000);
		pthread_mutex_lock(&in->lock);
	}
	pthread_mutex_unlock(&in->lock);
	fail_msg("no result of kind %d arrived", kind);
	return NULL;
}

static void
drain(struct inbox *in)
{
	pthread_mutex_lock(&in->lock);
	for (size_t i = 0; i < in->count; i++)
		worker_result_free(in->items[i]);
	in->count = 0;
	pthread_mutex_unlock(&in->lock);
}

/* The tests run the clock at SPEED: a real millisecond is SPEED/1000 clock seconds. */
#define SPEED 200.0

static double
clock_s(uint64_t real_ms)
{
	return (double)real_ms * SPEED / 1000.0;
}

static void
test_worker_snapshots_backoff_and_recovery(void **state)
{
	struct config config;
	config_defaults(&config);
	config.source.refresh_s = 10; /* back-off: 2-5 s, then 1-10 s (a random phase of the interval) */
	struct scripted src = { .base = { .ops = &scripted_ops, .config = &config.source } };
	pthread_mutex_init(&src.lock, NULL);
	struct inbox in = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
	struct worker *w = worker_create(&src.base, &config, post, &in);
	assert_non_null(w);

	struct worker_result *r = wait_for(&in, RESULT_SNAPSHOT);
	assert_non_null(r->schedule);
	assert_true(r->schedule->fetched_at > 0);
	worker_result_free(r);

	pthread_mutex_lock(&src.lock);
	src.failing = true;
	pthread_mutex_unlock(&src.lock);
	r = wait_for(&in, RESULT_FETCH_FAILED);
	assert_int_equal(r->category, SOURCE_ERR_NETWORK);
	assert_non_null(strstr(r->detail, "calendar.example.com"));
	assert_null(strstr(r->message, "example.com")); /* the screen gets plain words */
	worker_result_free(r);
	worker_result_free(wait_for(&in, RESULT_FETCH_FAILED)); /* it keeps retrying … */
	worker_result_free(wait_for(&in, RESULT_FETCH_FAILED));
	pthread_mutex_lock(&src.lock); /* … but backs off: gaps measured in clock seconds */
	assert_true(src.failed >= 3);
	double gap1 = clock_s(src.failed_ms[1] - src.failed_ms[0]), gap2 = clock_s(src.failed_ms[2] - src.failed_ms[1]);
	pthread_mutex_unlock(&src.lock);
	if (gap1 < 1.9 || gap1 > 8 || gap2 < 0.9 || gap2 > 14)
		fail_msg("back-off gaps %.2f s and %.2f s, expected 2-5 s and 1-10 s", gap1, gap2);

	pthread_mutex_lock(&src.lock);
	src.failing = false;
	pthread_mutex_unlock(&src.lock);
	drain(&in);
	r = wait_for(&in, RESULT_SNAPSHOT); /* and recovers by itself */
	worker_result_free(r);

	struct worker_request q = { .job = JOB_BOOK, .minutes = 30 };
	assert_true(worker_request(w, &q));
	r = wait_for(&in, RESULT_ACTION);
	assert_true(r->ok);
	assert_int_equal(r->job, JOB_BOOK);
	assert_non_null(strstr(r->message, "until"));
	worker_result_free(r);
	r = wait_for(&in, RESULT_SNAPSHOT); /* re-read right after the action */
	assert_true(r->schedule->count >= 1);
	worker_result_free(r);

	worker_destroy(w);
	drain(&in);
	config_finish(&config);
	pthread_mutex_destroy(&src.lock);
}

static int
failed_count(struct scripted *s)
{
	pthread_mutex_lock(&s->lock);
	int n = s->failed;
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* A refused password: no new sign-in for auth_retry (900 s at least), not by the timer, not by a
 * booking; only the admin's Refresh tries at once. */
static void
test_worker_refused_sign_in_waits_auth_retry(void **state)
{
	struct config config;
	config_defaults(&config);
	config.source.refresh_s = 10;
	config.source.auth_retry_s = 60; /* below the floor: 900 s apply */
	struct scripted src = { .base = { .ops = &scripted_ops, .config = &config.source },
		.failing = true,
		.fail_with = SOURCE_ERR_AUTH };
	pthread_mutex_init(&src.lock, NULL);
	struct inbox in = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
	struct worker *w = worker_create(&src.base, &config, post, &in);
	assert_non_null(w);

	struct worker_result *r = wait_for(&in, RESULT_FETCH_FAILED);
	assert_int_equal(r->category, SOURCE_ERR_AUTH);
	worker_result_free(r);

	/* A booking meanwhile fails at once, without a sign-in. */
	struct worker_request q = { .job = JOB_BOOK, .minutes = 30 };
	assert_true(worker_request(w, &q));
	r = wait_for(&in, RESULT_ACTION);
	assert_false(r->ok);
	assert_int_equal(r->category, SOURCE_ERR_AUTH);
	assert_non_null(strstr(r->detail, "15 minutes"));
	worker_result_free(r);
	assert_int_equal(failed_count(&src), 1);

	/* The timer tries again after 900 clock seconds, not before. */
	r = wait_for(&in, RESULT_FETCH_FAILED);
	worker_result_free(r);
	pthread_mutex_lock(&src.lock);
	assert_int_equal(src.failed, 2);
	double gap = clock_s(src.failed_ms[1] - src.failed_ms[0]);
	pthread_mutex_unlock(&src.lock);
	if (gap < 899 || gap > 1000)
		fail_msg("the second sign-in came %.0f clock seconds after the refused one, expected 900", gap);

	/* The admin's Refresh tries at once. */
	uint64_t t0 = time_mono_ms();
	q = (struct worker_request){ .job = JOB_REFRESH };
	assert_true(worker_request(w, &q));
	worker_result_free(wait_for(&in, RESULT_FETCH_FAILED));
	assert_int_equal(failed_count(&src), 3);
	if (clock_s(time_mono_ms() - t0) > 60)
		fail_msg("the admin's Refresh waited %.0f clock seconds", clock_s(time_mono_ms() - t0));

	worker_destroy(w);
	drain(&in);
	config_finish(&config);
	pthread_mutex_destroy(&src.lock);
}

static void
test_worker_plain_errors_do_not_leak_details(void **state)
{
	struct source_error err;
	source_fail(&err, SOURCE_ERR_AUTH, "401 from https://secret.example.com for svc-roomsign");
	assert_null(strstr(worker_plain_error(&err), "svc-roomsign"));
	source_fail(&err, SOURCE_ERR_CONFLICT, "The room was just booked by someone else (10:30–11:00).");
	assert_non_null(strstr(worker_plain_error(&err), "10:30"));
}

static void
test_worker_window_covers_today_and_tomorrow(void **state)
{
	rs_time from, to;
	time_set_zone("Europe/Copenhagen");
	worker_window(t_utc("2026-12-01T12:00:00Z"), &from, &to);
	assert_int_equal(from, t_utc("2026-11-30T23:00:00Z"));
	assert_int_equal(to, t_utc("2026-12-02T23:00:00Z"));
}

/* A source with a cheap poll: fetch_changes counts its calls and has a schedule only when
 * `changed` is set. */
static int polls_made, changes_pending;
static pthread_mutex_t poll_lock = PTHREAD_MUTEX_INITIALIZER;

static bool
polled_changes(struct source *base, rs_time from, rs_time to, struct schedule **out, struct source_error *err)
{
	pthread_mutex_lock(&poll_lock);
	polls_made++;
	bool changed = changes_pending > 0;
	changes_pending = 0;
	pthread_mutex_unlock(&poll_lock);
	*out = NULL;
	return !changed || scripted_fetch(base, from, to, out, err);
}

static const struct source_ops polled_ops = {
	.fetch = scripted_fetch,
	.fetch_changes = polled_changes,
	.book = scripted_book,
	.destroy = scripted_destroy,
};

/* [source] poll: the timer polls every poll s and reads in full only every safety_refresh; a
 * poll that found nothing posts "in sync" (no snapshot), one that found a change its snapshot. */
static void
test_worker_polls_cheaply_and_reads_in_full_rarely(void **state)
{
	struct config config;
	config_defaults(&config);
	config.source.poll_s = 15;            /* 75 ms real at SPEED */
	config.source.safety_refresh_s = 900; /* 4.5 s real */
	struct scripted src = { .base = { .ops = &polled_ops, .config = &config.source } };
	pthread_mutex_init(&src.lock, NULL);
	struct inbox in = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
	struct worker *w = worker_create(&src.base, &config, post, &in);
	assert_non_null(w);
	worker_result_free(wait_for(&in, RESULT_SNAPSHOT)); /* the first full read */
	usleep(1500000);                                    /* 300 clock s: about 20 polls */
	pthread_mutex_lock(&poll_lock);
	int polls = polls_made;
	pthread_mutex_unlock(&poll_lock);
	size_t in_sync = 0, other = 0;
	pthread_mutex_lock(&in.lock);
	for (size_t i = 0; i < in.count; i++)
		*(in.items[i]->kind == RESULT_IN_SYNC ? &in_sync : &other) += 1;
	pthread_mutex_unlock(&in.lock);
	pthread_mutex_lock(&src.lock);
	int fetches = src.fetches;
	pthread_mutex_unlock(&src.lock);
	assert_in_range(polls, 12, 23); /* every 13.5-16.5 clock s */
	assert_int_equal(fetches, 1);   /* no full read before safety_refresh */
	/* nothing changed: no snapshot, but each poll says the schedule is still the calendar's */
	assert_int_equal(other, 0);
	assert_in_range(in_sync, polls - 1, polls + 1); /* a poll may be between its count and its post */
	pthread_mutex_lock(&poll_lock);
	changes_pending = 1;
	pthread_mutex_unlock(&poll_lock);
	worker_result_free(wait_for(&in, RESULT_SNAPSHOT)); /* the next poll brings the change */
	worker_destroy(w);
	drain(&in);
	pthread_mutex_destroy(&src.lock);
	config_finish(&config);
	(void)state;
}

int
main(void)
{
	setenv("ROOMSIGN_CLOCK_SPEED", "200", 1); /* = SPEED; read once, before any clock call */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worker_snapshots_backoff_and_recovery),
		cmocka_unit_test(test_worker_refused_sign_in_waits_auth_retry),
		cmocka_unit_test(test_worker_plain_errors_do_not_leak_details),
		cmocka_unit_test(test_worker_window_covers_today_and_tomorrow),
		cmocka_unit_test(test_worker_polls_cheaply_and_reads_in_full_rarely),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
