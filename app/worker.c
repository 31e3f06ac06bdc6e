#define LOG_MODULE "worker"
#include "worker.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/backoff.h"
#include "core/booking.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "core/log.h"
#include "net/http.h"
#include "report.h"
#include "ui/i18n.h"

#define QUEUE_MAX        16
#define AUTH_RETRY_MIN_S 900 /* at most 4 refused sign-ins an hour: AD locks the shared account after 5-10 */

struct worker {
	struct source *source;
	const struct config *config;
	worker_post_fn post;
	void *ctx;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	struct worker_request queue[QUEUE_MAX];
	size_t queued;
	unsigned failures;
	long retry_after_s;     /* the server's advice after a throttled fetch, 0 when none */
	bool auth_failed;       /* the last job's sign-in was refused */
	uint64_t auth_until_ms; /* no sign-in before this (monotonic) but the admin's Refresh */
	char last_logged[512];
	unsigned seed;
	bool changed; /* the source pushed a change: one refresh is pending (a burst coalesces) */
	bool watch_tried;
};

void
worker_window(rs_time now, rs_time *from, rs_time *to)
{
	*from = time_day_start(now);
	*to = time_day_end(time_day_end(now) + TIME_HOUR);
}

const char *
worker_plain_error(const struct source_error *err)
{
	switch (err->category) {
	case SOURCE_ERR_CONFLICT: return err->message; /* already plain: "The room was just booked…" */
	case SOURCE_ERR_NETWORK:
	case SOURCE_ERR_THROTTLED:
		return _("The calendar server cannot be reached right now. Please try again in a minute.");
	case SOURCE_ERR_AUTH:
	case SOURCE_ERR_PERMISSION:
	case SOURCE_ERR_CONFIG: return _("This sign is not allowed to change the room's calendar. Please tell IT.");
	case SOURCE_ERR_NOT_FOUND: return _("The meeting no longer exists in the calendar.");
	case SOURCE_ERR_UNSUPPORTED: return _("This calendar cannot be changed from the sign.");
	default: return _("The calendar server gave an unexpected answer. Please try again.");
	}
}

static struct worker_result *
result_new(enum worker_result_kind kind)
{
	struct worker_result *r = xcalloc(1, sizeof(*r));
	r->kind = kind;
	return r;
}

void
worker_result_free(struct worker_result *r)
{
	if (!r)
		return;
	schedule_destroy(r->schedule);
	room_availability_finish(r->rooms, r->room_count);
	free(r);
}

static void
note_auth(struct worker *w, const struct source_error *err)
{
	if (err->category == SOURCE_ERR_AUTH)
		w->auth_failed = true;
}

/* One log line per distinct failure, and one when it clears: not one per retry. */
static void
note_failure(struct worker *w, const struct source_error *err)
{
	if (strcmp(w->last_logged, err->message) != 0) {
		log_warn_category(source_category_name(err->category), "calendar refresh failed (%s): %s",
			source_category_name(err->category), err->message);
		snprintf(w->last_logged, sizeof(w->last_logged), "%s", err->message);
	}
}

/* Hands a fetch's outcome to the main thread: a snapshot (none when a cheap poll found nothing
 * new), or the failure, counted for the back-off. */
static void
deliver(struct worker *w, bool ok, struct schedule *schedule, const struct source_error *err)
{
	if (ok) {
		if (w->last_logged[0])
			log_info("calendar reachable again");
		w->last_logged[0] = '\0';
		w->failures = 0;
		struct worker_result *r = result_new(schedule ? RESULT_SNAPSHOT : RESULT_IN_SYNC);
		r->ok = true;
		r->schedule = schedule;
		w->post(w->ctx, r);
		return;
	}
	w->failures++;
	note_failure(w, err);
	note_auth(w, err);
	struct worker_result *r = result_new(RESULT_FETCH_FAILED);
	r->category = err->category;
	r->retry_after_ms = err->retry_after_ms;
	snprintf(r->message, sizeof(r->message), "%s", worker_plain_error(err));
	snprintf(r->detail, sizeof(r->detail), "%s", err->message);
	w->post(w->ctx, r);
	if (err->category == SOURCE_ERR_THROTTLED && err->retry_after_ms > 0) /* whole seconds, rounded up */
		w->retry_after_s = err->retry_after_ms / 1000 >= HTTP_RETRY_AFTER_MAX_S
					   ? HTTP_RETRY_AFTER_MAX_S
					   : (err->retry_after_ms + 999) / 1000;
}

static void
refresh(struct worker *w)
{
	rs_time from, to;
	struct schedule *schedule = NULL;
	struct source_error err = { 0 };
	worker_window(time_now(), &from, &to);
	bool ok = source_fetch(w->source, from, to, &schedule, &err);
	deliver(w, ok, schedule, &err);
}

/* Does the backend have a cheap change poll? Then the timer polls every [source] poll seconds
 * and re-reads the whole window only every safety_refresh. */
static bool
polls(const struct worker *w)
{
	return w->source->ops->fetch_changes != NULL;
}

/* The timer's cheap poll: a snapshot only when something changed. */
static void
poll_changes(struct worker *w)
{
	rs_time from, to;
	struct schedule *schedule = NULL;
	struct source_error err = { 0 };
	worker_window(time_now(), &from, &to);
	bool ok = w->source->ops->fetch_changes(w->source, from, to, &schedule, &err);
	deliver(w, ok, schedule, ok ? NULL : &err);
}

/* Clock seconds (an accelerated clock runs faster) to monotonic milliseconds from now. */
static uint64_t
mono_after(int seconds)
{
	return time_mono_ms() + (uint64_t)((double)seconds * 1000.0 / time_speed());
}

/* While changes are pushed the calendar is read only every safety_refresh, yet the sign is in
 * sync: it says so every refresh interval (monitoring's last sync, the admin screen), as often
 * as a sign without push reads. None while push is down or reads fail. */
static uint64_t
next_in_sync_ms(struct worker *w)
{
	if (!atomic_load(&w->source->watching) || w->failures > 0)
		return UINT64_MAX;
	return mono_after(w->config->source.refresh_s > 0 ? w->config->source.refresh_s : 60);
}

static void
say_in_sync(struct worker *w)
{
	if (!atomic_load(&w->source->watching) || w->failures > 0)
		return;
	struct worker_result *r = result_new(RESULT_IN_SYNC);
	r->ok = true;
	w->post(w->ctx, r);
}

/* The next cheap poll: [source] poll ±10 %; none while failures back off or a refused sign-in
 * waits (the full refresh's timer then decides, as without polling). */
static uint64_t
next_poll_ms(struct worker *w)
{
	if (!polls(w) || w->failures > 0 || w->auth_until_ms)
		return UINT64_MAX;
	int poll_s = w->config->source.poll_s > 0 ? w->config->source.poll_s : 15;
	int jitter = poll_s / 10;
	int delay = poll_s - jitter + (jitter ? (int)(rand_r(&w->seed) % (unsigned)(2 * jitter + 1)) : 0);
	return mono_after(delay);
}

/* Seconds until the next full refresh: the configured interval (safety_refresh while changes are
 * pushed or cheaply polled) ±10 %, or back-off after failures (core/backoff.h, on the refresh
 * interval as without push or polls), or longer when the server asked for it. */
static int
next_delay_s(struct worker *w)
{
	int refresh_s = w->config->source.refresh_s > 0 ? w->config->source.refresh_s : 60;
	int safety_s = w->config->source.safety_refresh_s >= 60 ? w->config->source.safety_refresh_s : 900;
	/* pushed or cheaply polled changes: the full re-read is the safety net */
	bool safety = atomic_load(&w->source->watching) || polls(w);
	double u = (double)rand_r(&w->seed) / ((double)RAND_MAX + 1.0);
	int delay = backoff_delay_s(safety && w->failures == 0 ? safety_s : refresh_s, w->failures, u);
	if (w->failures == 0)
		return delay;
	/* The server's advice when it asks for longer (at most ten refresh intervals); a short
	 * Retry-After does not cut the back-off: "1 s" forty times in a row is no back-off. */
	long advice = w->retry_after_s < (long)refresh_s * 10 ? w->retry_after_s : (long)refresh_s * 10;
	w->retry_after_s = 0;
	return advice > delay ? (int)advice : delay;
}

/* Conflict details from the backends are English and technical (they go to the log): the
 * passer-by gets a sentence in the sign's language that fits what they tried. */
static const char *
action_error(enum worker_job job, const struct source_error *err)
{
	if (job == JOB_BOOK_ROOM && (err->category == SOURCE_ERR_PERMISSION || err->category == SOURCE_ERR_NOT_FOUND))
		return _("This sign may not book that room. Please tell IT.");
	if (err->category != SOURCE_ERR_CONFLICT)
		return worker_plain_error(err);
	switch (job) {
	case JOB_BOOK: return _("Someone else has just booked the room for that time. Please choose another time.");
	case JOB_BOOK_ROOM: return _("Someone else has just booked that room. Please choose another one.");
	case JOB_EXTEND: return _("Another meeting starts then: the meeting cannot be extended.");
	default: return _("Someone changed the meeting at the same moment. Please try again.");
	}
}

/* A report that did not go out: the passer-by is told to tell someone another way. */
static const char *
report_error(const struct source_error *err)
{
	if (err->category == SOURCE_ERR_NETWORK || err->category == SOURCE_ERR_THROTTLED)
		return _("The report could not be sent: the server cannot be reached. Please tell reception.");
	return _("The report could not be sent. Please tell reception.");
}

static void
action_done(struct worker *w, enum worker_job job, bool ok, const char *message, const struct source_error *err)
{
	struct worker_result *r = result_new(RESULT_ACTION);
	r->job = job;
	r->ok = ok;
	if (ok) {
		snprintf(r->message, sizeof(r->message), "%s", message);
	} else {
		r->category = err->category;
		snprintf(r->message, sizeof(r->message), "%s",
			job == JOB_REPORT ? report_error(err) : action_error(job, err));
		snprintf(r->detail, sizeof(r->detail), "%s", err->message);
		log_warn_category(source_category_name(err->category), "action failed (%s): %s",
			source_category_name(err->category), err->message);
		note_auth(w, err);
	}
	w->post(w->ctx, r);
}

/* Is [from, to) free of everything but `mine`? Fetches fresh data first. */
static bool
window_free(struct worker *w, const struct event *mine, rs_time from, rs_time to, struct source_error *err)
{
	struct schedule *s = NULL;
	if (!source_fetch(w->source, from - TIME_HOUR, to + TIME_HOUR, &s, err))
		return false;
	for (size_t i = 0; i < s->count; i++) {
		const struct event *e = &s->events[i];
		if (!event_blocks_room(e) || e->all_day || e->start >= to || e->end <= from)
			continue;
		if (mine->id && e->id && strcmp(mine->id, e->id) == 0)
			continue;
		schedule_destroy(s);
		return source_fail(err, SOURCE_ERR_CONFLICT, "%s",
			_("Another meeting starts then: the meeting cannot be extended."));
	}
	schedule_destroy(s);
	return true;
}

/* Books room `room` of [source] nearby_rooms through the same account, with every check of a
 * booking here (conflicts, rivals, the server's confirmation): a source of its own for that room
 * (source_create_for_room). */
static bool
book_nearby(
	struct worker *w, const struct worker_request *q, rs_time now, char *msg, size_t size, struct source_error *err)
{
	const struct source_config *c = &w->config->source;
	int room = q->room, minutes = q->minutes;
	if (room < 0 || (size_t)room >= c->nearby_count)
		return source_fail(err, SOURCE_ERR_CONFIG, "There is no nearby room %d.", room);
	struct source_config copy;
	struct source *s = source_create_for_room(c, c->nearby_rooms[room], &copy, err);
	if (!s)
		return false;
	struct event created = { 0 };
	rs_time start = booking_start(now), end = booking_end(now, minutes);
	bool ok = source_book_checked(s, start, end, w->config->booking.subject, &created, err);
	event_finish(&created);
	source_destroy(s);
	char t[8];
	time_format_hm(end, t, sizeof(t));
	snprintf(msg, size, _("%s is yours until %s."), q->room_name[0] ? q->room_name : c->nearby_rooms[room], t);
	if (ok)
		log_info("booked %s for %d minutes, until %s", c->nearby_rooms[room], minutes, t);
	return ok;
}

static void
run_action(struct worker *w, struct worker_request *q)
{
	struct source_error err = { 0 };
	char msg[256], t[8];
	rs_time now = time_now();
	bool ok = false;
	switch (q->job) {
	case JOB_BOOK: {
		struct event created = { 0 };
		rs_time start = booking_start(now), end = booking_end(now, q->minutes);
		ok = source_book_checked(w->source, start, end, w->config->booking.subject, &created, &err);
		time_format_hm(end, t, sizeof(t));
		snprintf(msg, sizeof(msg), _("The room is yours until %s."), t);
		if (ok)
			log_info("booked %d minutes, until %s", q->minutes, t);
		event_finish(&created);
		break;
	}
	case JOB_BOOK_ROOM: ok = book_nearby(w, q, now, msg, sizeof(msg), &err); break;
	case JOB_EXTEND: {
		rs_time new_end = q->event.end + q->minutes * TIME_MINUTE;
		ok = window_free(w, &q->event, q->event.end, new_end, &err) &&
		     source_update_end(w->source, &q->event, new_end, &err);
		time_format_hm(new_end, t, sizeof(t));
		snprintf(msg, sizeof(msg), _("The meeting now ends at %s."), t);
		break;
	}
	case JOB_END: {
		rs_time end = booking_start(now);
		if (end <= q->event.start)
			ok = source_release(w->source, &q->event, &err);
		else
			ok = source_update_end(w->source, &q->event, end, &err);
		snprintf(msg, sizeof(msg), "%s", _("The meeting has ended. The room is free."));
		break;
	}
	case JOB_CHECK_IN: /* background: another sign on the room reads it from the event */
		ok = source_check_in(w->source, &q->event, &err);
		snprintf(msg, sizeof(msg), "%s", _("Checked in. Enjoy the meeting."));
		if (!ok)
			log_warn("the check-in stays on this sign only: %s", err.message);
		break;
	case JOB_RELEASE:
		ok = source_release(w->source, &q->event, &err);
		snprintf(msg, sizeof(msg), "%s", _("Nobody checked in: the room was released."));
		if (ok)
			log_info("released a meeting nobody checked in to");
		break;
	case JOB_FIND_ROOMS: {
		struct worker_result *r = result_new(RESULT_ROOMS);
		size_t n = w->config->source.nearby_count;
		room_availability_init(r->rooms, n, &w->config->source);
		r->room_count = n;
		r->ok = source_free_busy(w->source, now, time_day_end(now), r->rooms, n, &err);
		if (!r->ok) {
			note_auth(w, &err);
			snprintf(r->message, sizeof(r->message), "%s", worker_plain_error(&err));
			snprintf(r->detail, sizeof(r->detail), "%s", err.message);
			for (size_t i = 0; i < n; i++)
				r->rooms[i].ok = false;
		}
		w->post(w->ctx, r);
		return;
	}
	case JOB_REPORT:
		/* No sign-in lock-out bookkeeping (note_auth): SMTP's account is not the calendar's. */
		ok = report_send(w->source, w->config, q->problem, now, &err);
		snprintf(msg, sizeof(msg), "%s", _("Sent. Thank you for reporting it."));
		if (!ok) {
			struct source_error e = err;
			if (w->config->report.smtp_url && e.category == SOURCE_ERR_AUTH)
				e.category = SOURCE_ERR_CONFIG; /* not the calendar's sign-in: no lock-out wait */
			action_done(w, q->job, false, msg, &e);
			return;
		}
		break;
	case JOB_REFRESH: return;
	}
	action_done(w, q->job, ok, msg, &err);
}

/* [source] auth_retry, never less than AUTH_RETRY_MIN_S (a hand-made config may hold 0). */
static int
auth_retry_s(const struct worker *w)
{
	return w->config->source.auth_retry_s > AUTH_RETRY_MIN_S ? w->config->source.auth_retry_s : AUTH_RETRY_MIN_S;
}

/* Milliseconds of the monotonic clock to wait after a refused sign-in: auth_retry clock seconds. */
static uint64_t
auth_wait_ms(const struct worker *w)
{
	return (uint64_t)((double)auth_retry_s(w) * 1000.0 / time_speed());
}

/* While a refused sign-in waits out auth_retry, a job fails at once without signing in again. */
static void
refuse_while_locked(struct worker *w, const struct worker_request *q)
{
	if (q->job == JOB_REFRESH)
		return; /* the timer's refresh: it waits for auth_until_ms */
	struct source_error err;
	source_fail(&err, SOURCE_ERR_AUTH,
		"The server refused the sign-in; to keep the shared account from being locked out the sign "
		"tries again only every %d minutes, or at once with Refresh on the admin screen.",
		auth_retry_s(w) / 60);
	if (q->job == JOB_FIND_ROOMS) {
		struct worker_result *r = result_new(RESULT_ROOMS);
		r->room_count = w->config->source.nearby_count;
		room_availability_init(r->rooms, r->room_count, &w->config->source); /* ok false: not asked */
		snprintf(r->message, sizeof(r->message), "%s", worker_plain_error(&err));
		snprintf(r->detail, sizeof(r->detail), "%s", err.message);
		w->post(w->ctx, r);
		return;
	}
	struct worker_result *r = result_new(RESULT_ACTION);
	r->job = q->job;
	r->category = err.category;
	snprintf(r->message, sizeof(r->message), "%s", worker_plain_error(&err));
	snprintf(r->detail, sizeof(r->detail), "%s", err.message);
	w->post(w->ctx, r);
}

/* After a refused sign-in nothing signs in again for auth_retry: the timer waits until then. */
static uint64_t
after_refusal(struct worker *w, uint64_t next_refresh_ms)
{
	if (!w->auth_failed)
		return next_refresh_ms;
	w->auth_until_ms = time_mono_ms() + auth_wait_ms(w);
	log_info("the server refused the sign-in: no new attempt for %d minutes (Refresh on the admin "
		 "screen tries at once)",
		auth_retry_s(w) / 60);
	return w->auth_until_ms;
}

/* Runs one job, then (but after a room search) re-reads the calendar; returns when the timer's
 * next refresh is due. After a refused sign-in nothing signs in again for auth_retry. */
static uint64_t
run_job(struct worker *w, struct worker_request *q, bool asked, uint64_t next_refresh_ms)
{
	if (asked && q->job == JOB_REFRESH && w->auth_until_ms) {
		log_info("trying the sign-in again now, as asked on the admin screen");
		w->auth_until_ms = 0; /* the admin's Refresh: the only way to try sooner */
	}
	/* A report by SMTP signs in elsewhere: the calendar's lock-out does not hold it back. */
	bool by_smtp = q->job == JOB_REPORT && w->config->report.smtp_url;
	if (w->auth_until_ms && time_mono_ms() < w->auth_until_ms && !by_smtp) {
		refuse_while_locked(w, q);
		return w->auth_until_ms;
	}
	if (by_smtp) {
		run_action(w, q);
		return next_refresh_ms;
	}
	w->auth_until_ms = 0;
	w->auth_failed = false;
	run_action(w, q);
	if (q->job != JOB_FIND_ROOMS && q->job != JOB_REPORT &&
		q->job != JOB_BOOK_ROOM) { /* after a change here, show the server's truth at once */
		if (!w->auth_failed)
			refresh(w);
		/* Refresh seconds are clock seconds: an accelerated clock (soak) refreshes faster. */
		next_refresh_ms = mono_after(next_delay_s(w));
	}
	return after_refusal(w, next_refresh_ms);
}

/* Sleeps until `until_ms` (monotonic) or a request or stop arrives; called with the lock held. */
static void
wait_until(struct worker *w, uint64_t now_ms, uint64_t until_ms)
{
	uint64_t wait_ms = until_ms - now_ms;
	if (wait_ms > 86400000ULL)
		wait_ms = 86400000ULL;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(wait_ms / 1000);
	ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&w->wake, &w->lock, &ts);
}

/* Called by the source's own thread after a change (or when its push stops or resumes). */
static void
on_source_changed(void *ctx)
{
	struct worker *w = ctx;
	pthread_mutex_lock(&w->lock);
	w->changed = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

/* After the first good read: let the source push its changes, where it can. */
static void
start_watching(struct worker *w)
{
	if (w->watch_tried || w->failures > 0 || !w->source->ops->watch)
		return;
	w->watch_tried = true;
	struct source_error err = { 0 };
	if (!source_watch(w->source, on_source_changed, w, &err))
		log_info(
			"changes are not pushed (%s): refreshing every %d s", err.message, w->config->source.refresh_s);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t next_refresh_ms = 0, poll_ms = UINT64_MAX, in_sync_ms = UINT64_MAX;
	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		uint64_t now_ms = time_mono_ms();
		uint64_t due_ms = poll_ms < next_refresh_ms ? poll_ms : next_refresh_ms;
		due_ms = in_sync_ms < due_ms ? in_sync_ms : due_ms;
		if (w->queued == 0 && !w->changed && now_ms < due_ms) {
			wait_until(w, now_ms, due_ms);
			continue;
		}
		struct worker_request q = { .job = JOB_REFRESH };
		bool asked = w->queued > 0;
		if (asked) {
			q = w->queue[0];
			memmove(&w->queue[0], &w->queue[1], (w->queued - 1) * sizeof(q));
			w->queued--;
		}
		bool pushed = w->changed;
		if (q.job == JOB_REFRESH)
			w->changed = false; /* this refresh reads whatever the push announced */
		pthread_mutex_unlock(&w->lock);
		if (!asked && !pushed && now_ms < next_refresh_ms && now_ms < poll_ms) {
			say_in_sync(w); /* only the in-sync beat was due */
			in_sync_ms = next_in_sync_ms(w);
			pthread_mutex_lock(&w->lock);
			continue;
		}
		if (!asked && !pushed && now_ms < next_refresh_ms) {
			w->auth_failed = false;
			poll_changes(w); /* the cheap poll came first */
			if (w->failures > 0)
				next_refresh_ms = after_refusal(w, mono_after(next_delay_s(w)));
		} else {
			next_refresh_ms = run_job(w, &q, asked, next_refresh_ms);
		}
		poll_ms = next_poll_ms(w);
		event_finish(&q.event);
		start_watching(w);
		in_sync_ms = next_in_sync_ms(w);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct worker *
worker_create(struct source *source, const struct config *config, worker_post_fn post, void *ctx)
{
	struct worker *w = xcalloc(1, sizeof(*w));
	w->source = source;
	w->config = config;
	w->post = post;
	w->ctx = ctx;
	w->seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)w;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		log_error("cannot start the calendar thread");
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	return w;
}

void
worker_destroy(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	if (w->watch_tried) /* the source's thread calls on_source_changed(w): stop it before w goes */
		source_watch(w->source, NULL, NULL, NULL);
	for (size_t i = 0; i < w->queued; i++)
		event_finish(&w->queue[i].event);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

bool
worker_request(struct worker *w, const struct worker_request *request)
{
	pthread_mutex_lock(&w->lock);
	bool ok = w->queued < QUEUE_MAX;
	if (ok) {
		struct worker_request *q = &w->queue[w->queued++];
		q->job = request->job;
		q->minutes = request->minutes;
		q->room = request->room;
		snprintf(q->room_name, sizeof(q->room_name), "%s", request->room_name);
		snprintf(q->problem, sizeof(q->problem), "%s", request->problem);
		event_copy(&q->event, &request->event);
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&w->lock);
	return ok;
}
