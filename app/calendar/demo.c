#define LOG_MODULE "demo"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "source.h"
#include "../core/timeutil.h"
#include "../core/xalloc.h"
#include "../core/log.h"

/* The built-in demo: a believable day around the moment the sign starts (a meeting in
 * progress, back-to-back meetings, a private one, a free gap, an all-day event), kept in
 * memory so that booking, extending and ending early can be tried without a server. */
struct demo_source {
	struct source base;
	pthread_mutex_t lock;
	struct event *events;
	size_t count, cap;
	unsigned next_id;
};

struct demo_item {
	int from_min, to_min; /* relative to the anchor */
	const char *subject, *organizer;
	enum show_as show_as;
	bool is_private, booked_here;
};

static const struct demo_item demo_day[] = {
	{ -180, -120, "Quarterly planning", "Maria Jensen", SHOW_BUSY, false, false },
	{ -90, -60, "Budget talk", "Peter Holm", SHOW_BUSY, true, false },
	{ -15, 30, "Design review: door sign v2", "Lars Nielsen", SHOW_BUSY, false, true },
	{ 30, 60, "1:1 Anna / Jonas", "Anna Berg", SHOW_BUSY, false, false },
	{ 120, 180, "Customer call – Nordwind A/S", "Sofie Krogh", SHOW_BUSY, false, false },
	{ 240, 270, "Hiring sync", "Jonas Lund", SHOW_TENTATIVE, false, false },
};

static void
add(struct demo_source *d, const struct event *e)
{
	if (d->count == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->events = xrealloc(d->events, d->cap * sizeof(*d->events));
	}
	event_copy(&d->events[d->count++], e);
}

static void
seed(struct demo_source *d, rs_time now)
{
	rs_time anchor = now - now % (15 * TIME_MINUTE);
	for (size_t i = 0; i < sizeof(demo_day) / sizeof(demo_day[0]); i++) {
		const struct demo_item *it = &demo_day[i];
		char id[32];
		snprintf(id, sizeof(id), "demo-%zu", i);
		struct event e = {
			.start = anchor + it->from_min * TIME_MINUTE,
			.end = anchor + it->to_min * TIME_MINUTE,
			.subject = (char *)it->subject,
			.organizer = (char *)it->organizer,
			.id = id,
			.show_as = it->show_as,
			.is_private = it->is_private,
			.booked_here = it->booked_here,
		};
		add(d, &e);
	}
	struct event all_day = {
		.start = time_day_start(now),
		.end = time_day_end(now),
		.subject = "Team offsite (Aarhus)",
		.organizer = "Maria Jensen",
		.id = "demo-allday",
		.show_as = SHOW_FREE,
		.all_day = true,
	};
	add(d, &all_day);
}

static bool
demo_fetch(struct source *base, rs_time from, rs_time to, struct schedule **out, struct source_error *err)
{
	struct demo_source *d = (struct demo_source *)base;
	pthread_mutex_lock(&d->lock);
	struct event *events = xcalloc(d->count, sizeof(*events));
	size_t n = 0;
	for (size_t i = 0; i < d->count; i++)
		if (d->events[i].start < to && d->events[i].end > from)
			event_copy(&events[n++], &d->events[i]);
	pthread_mutex_unlock(&d->lock);
	*out = schedule_create(from, to, events, n);
	return true;
}

static bool
demo_book(struct source *base, rs_time start, rs_time end, const char *subject, struct event *created_out,
	struct source_error *err)
{
	struct demo_source *d = (struct demo_source *)base;
	char id[32];
	pthread_mutex_lock(&d->lock);
	snprintf(id, sizeof(id), "demo-booked-%u", d->next_id++);
	struct event e = { .start = start,
		.end = end,
		.subject = (char *)subject,
		.id = id,
		.organizer = "This room",
		.show_as = SHOW_BUSY,
		.booked_here = true,
		.created = time_now() };
	add(d, &e);
	if (created_out)
		event_copy(created_out, &e);
	pthread_mutex_unlock(&d->lock);
	return true;
}

static struct event *
find(struct demo_source *d, const struct event *e)
{
	for (size_t i = 0; i < d->count; i++)
		if (e->id && d->events[i].id && strcmp(d->events[i].id, e->id) == 0)
			return &d->events[i];
	return NULL;
}

static bool
demo_update_end(struct source *base, const struct event *e, rs_time new_end, struct source_error *err)
{
	struct demo_source *d = (struct demo_source *)base;
	pthread_mutex_lock(&d->lock);
	struct event *found = find(d, e);
	if (found)
		found->end = new_end;
	pthread_mutex_unlock(&d->lock);
	return found ? true : source_fail(err, SOURCE_ERR_NOT_FOUND, "The meeting no longer exists.");
}

static bool
demo_release(struct source *base, const struct event *e, struct source_error *err)
{
	struct demo_source *d = (struct demo_source *)base;
	pthread_mutex_lock(&d->lock);
	struct event *found = find(d, e);
	if (found) {
		event_finish(found);
		*found = d->events[--d->count];
	}
	pthread_mutex_unlock(&d->lock);
	return found ? true : source_fail(err, SOURCE_ERR_NOT_FOUND, "The meeting no longer exists.");
}

static bool
demo_free_busy(struct source *base, rs_time from, rs_time to, struct room_availability *out, size_t n,
	struct source_error *err)
{
	/* Nearby demo rooms: the first is free for an hour, the second busy for half an hour,
	 * the rest free all day. */
	for (size_t i = 0; i < n; i++) {
		out[i].ok = true;
		out[i].busy_until = i == 1 ? from + 30 * TIME_MINUTE : 0;
		out[i].free_until = i == 0 ? from + TIME_HOUR : 0;
	}
	return true;
}

static void
demo_destroy(struct source *base)
{
	struct demo_source *d = (struct demo_source *)base;
	for (size_t i = 0; i < d->count; i++)
		event_finish(&d->events[i]);
	free(d->events);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static const struct source_ops demo_ops = {
	.fetch = demo_fetch,
	.book = demo_book,
	.update_end = demo_update_end,
	.release = demo_release,
	.free_busy = demo_free_busy,
	.destroy = demo_destroy,
};

struct source *
demo_source_create(const struct source_config *config, struct source_error *err)
{
	struct demo_source *d = xcalloc(1, sizeof(*d));
	d->base.ops = &demo_ops;
	d->base.config = config;
	pthread_mutex_init(&d->lock, NULL);
	seed(d, time_now());
	return &d->base;
}
