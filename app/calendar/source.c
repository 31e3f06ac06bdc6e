#define LOG_MODULE "source"
#include "source.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../core/timeutil.h"
#include "../core/xalloc.h"
#include "../core/log.h"

/* Fallbacks for backends not compiled in: each backend file's strong definition replaces its
 * weak one at link time (roomsign_lib is an OBJECT library, so every backend object is linked). */
#define WEAK_BACKEND(fn, label)                                                                               \
	__attribute__((weak)) struct source *fn(const struct source_config *config, struct source_error *err) \
	{                                                                                                     \
		(void)config;                                                                                 \
		source_fail(err, SOURCE_ERR_CONFIG, "This build of roomsign has no %s support.", label);      \
		return NULL;                                                                                  \
	}
WEAK_BACKEND(ews_source_create, "Exchange (EWS)")
WEAK_BACKEND(graph_source_create, "Microsoft Graph")
WEAK_BACKEND(caldav_source_create, "CalDAV")

struct source *
source_create(const struct source_config *config, struct source_error *err)
{
	switch (config->type) {
	case SOURCE_DEMO: return demo_source_create(config, err);
	case SOURCE_ICS: return ics_source_create(config, err);
	case SOURCE_EWS: return ews_source_create(config, err);
	case SOURCE_GRAPH: return graph_source_create(config, err);
	case SOURCE_CALDAV: return caldav_source_create(config, err);
	}
	source_fail(err, SOURCE_ERR_CONFIG, "Unknown calendar source type.");
	return NULL;
}

void
source_destroy(struct source *source)
{
	if (source)
		source->ops->destroy(source);
}

static bool
unsupported(struct source *source, const char *what, struct source_error *err)
{
	return source_fail(err, SOURCE_ERR_UNSUPPORTED, "This calendar (%s) is read-only: %s is not possible.",
		source_type_name(source->config->type), what);
}

bool
source_fetch(struct source *s, rs_time from, rs_time to, struct schedule **out, struct source_error *err)
{
	*out = NULL;
	if (!s->ops->fetch)
		return unsupported(s, "reading", err);
	if (!s->ops->fetch(s, from, to, out, err))
		return false;
	(*out)->fetched_at = time_now();
	return true;
}

bool
source_book(struct source *s, rs_time start, rs_time end, const char *subject, struct event *created_out,
	struct source_error *err)
{
	if (!s->ops->book || s->read_only)
		return unsupported(s, "booking", err);
	return s->ops->book(s, start, end, subject, created_out, err);
}

void
room_availability_init(struct room_availability *out, size_t n, const struct source_config *config)
{
	for (size_t i = 0; i < n; i++) {
		out[i] = (struct room_availability){ .room = xstrdup(config->nearby_rooms[i]) };
		if (config->nearby_names[i])
			out[i].name = xstrdup(config->nearby_names[i]);
	}
}

void
room_availability_finish(struct room_availability *rooms, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rooms[i].room);
		free(rooms[i].name);
		rooms[i].room = rooms[i].name = NULL;
	}
}

bool
source_update_end(struct source *s, const struct event *e, rs_time new_end, struct source_error *err)
{
	if (!s->ops->update_end || s->read_only)
		return unsupported(s, "changing a meeting", err);
	return s->ops->update_end(s, e, new_end, err);
}

bool
source_check_in(struct source *s, const struct event *e, struct source_error *err)
{
	if (!s->ops->check_in || s->read_only)
		return unsupported(s, "recording a check-in on the meeting", err);
	return s->ops->check_in(s, e, err);
}

bool
source_release(struct source *s, const struct event *e, struct source_error *err)
{
	if (!s->ops->release || s->read_only)
		return unsupported(s, "releasing a meeting", err);
	return s->ops->release(s, e, err);
}

struct source *
source_create_for_room(
	const struct source_config *config, const char *room, struct source_config *copy, struct source_error *err)
{
	*copy = *config; /* the strings stay the config's */
	if (config->type == SOURCE_CALDAV)
		copy->url = (char *)room;
	else
		copy->mailbox = (char *)room;
	copy->nearby_count = 0;
	return source_create(copy, err);
}

/* One room's availability from its own calendar, read through a source of its own: for backends
 * without a free/busy call (CalDAV, where a room is a calendar the account can read). */
static bool
read_availability(const struct source_config *config, rs_time from, rs_time to, struct room_availability *out,
	struct source_error *err)
{
	struct source_config copy;
	struct schedule *s = NULL;
	struct source *room = source_create_for_room(config, out->room, &copy, err);
	if (!room)
		return false;
	bool ok = source_fetch(room, from, to, &s, err);
	if (ok) {
		rs_time busy = schedule_busy_until(s, from);
		const struct event *next = schedule_next(s, from);
		out->busy_until = busy > from ? busy : 0;
		out->free_until = !out->busy_until && next && next->start < to ? next->start : 0;
		const char *name = room->ops->calendar_name ? room->ops->calendar_name(room) : NULL;
		if (!out->name && name && *name)
			out->name = xstrdup(name);
	}
	schedule_destroy(s);
	source_destroy(room);
	return ok;
}

bool
source_free_busy(
	struct source *s, rs_time from, rs_time to, struct room_availability *out, size_t n, struct source_error *err)
{
	if (s->ops->free_busy)
		return s->ops->free_busy(s, from, to, out, n, err);
	if (s->config->type != SOURCE_CALDAV)
		return source_fail(err, SOURCE_ERR_UNSUPPORTED, "This calendar source cannot look up other rooms.");
	size_t answered = 0;
	for (size_t i = 0; i < n; i++) {
		struct source_error room_err = { 0 };
		out[i].ok = read_availability(s->config, from, to, &out[i], &room_err);
		if (out[i].ok)
			answered++;
		else {
			log_warn("free/busy of %s: %s", out[i].room, room_err.message);
			*err = room_err;
		}
	}
	return n == 0 || answered > 0;
}

bool
source_send_mail(struct source *s, const char *to, const char *subject, const char *body, struct source_error *err)
{
	if (!s->ops->send_mail)
		return source_fail(err, SOURCE_ERR_UNSUPPORTED,
			"This calendar (%s) cannot send mail: set [report] smtp_url.",
			source_type_name(s->config->type));
	return s->ops->send_mail(s, to, subject, body, err);
}

bool
source_watch(struct source *s, void (*changed)(void *ctx), void *ctx, struct source_error *err)
{
	if (!s->ops->watch) {
		if (!changed)
			return true;
		return source_fail(err, SOURCE_ERR_UNSUPPORTED, "This calendar source does not push changes.");
	}
	return s->ops->watch(s, changed, ctx, err);
}

bool
source_check(struct source *s, bool book_test, check_report_fn report, void *ctx)
{
	if (s->ops->check)
		return s->ops->check(s, book_test, report, ctx);
	struct schedule *schedule = NULL;
	struct source_error err = { 0 };
	rs_time now = time_now();
	bool ok = source_fetch(s, time_day_start(now), time_day_end(now), &schedule, &err);
	if (ok) {
		char detail[128];
		snprintf(detail, sizeof(detail), "%zu events today", schedule->count);
		report(ctx, true, "read today's calendar", detail);
	} else {
		report(ctx, false, "read today's calendar", err.message);
	}
	schedule_destroy(schedule);
	return ok;
}

/* Is anything other than `mine` blocking [start, end)? */
static const struct event *
find_clash(const struct schedule *schedule, rs_time start, rs_time end, const struct event *mine)
{
	for (size_t i = 0; i < schedule->count; i++) {
		const struct event *e = &schedule->events[i];
		if (!event_blocks_room(e) || e->start >= end || e->end <= start)
			continue;
		if (mine && mine->id && e->id && strcmp(mine->id, e->id) == 0)
			continue;
		return e;
	}
	return NULL;
}

static bool
slot_taken(const struct event *clash, struct source_error *err)
{
	char from[8], to[8];
	time_format_hm(clash->start, from, sizeof(from));
	time_format_hm(clash->end, to, sizeof(to));
	return source_fail(err, SOURCE_ERR_CONFLICT, "The room was just booked by someone else (%s–%s).", from, to);
}

/* Our booking and an overlapping one both exist: one must back out, and two signs racing
 * must agree which. A person's booking always wins over a sign's. Between two signs' bookings
 * the later-created yields (server timestamps; both signs see the same ones); with no
 * timestamps or a tie, the one whose id sorts last yields. */
static bool
we_yield(const struct event *mine, const struct event *clash)
{
	if (!clash->booked_here || !mine->id || !clash->id)
		return true;
	if (mine->created && clash->created && mine->created != clash->created)
		return mine->created > clash->created;
	return strcmp(mine->id, clash->id) > 0;
}

/* Re-reads the slot; true when our booking still holds it (no clash we must yield to). */
static bool
still_ours(struct source *s, rs_time start, rs_time end, struct event *created, struct source_error *err, bool *read_ok)
{
	struct schedule *after = NULL;
	*read_ok = source_fetch(s, start - TIME_HOUR, end + TIME_HOUR, &after, err);
	if (!*read_ok)
		return true;
	for (size_t i = 0; i < after->count; i++)
		if (created->id && after->events[i].id && strcmp(after->events[i].id, created->id) == 0 &&
			after->events[i].created)
			created->created = after->events[i].created;
	const struct event *clash = find_clash(after, start, end, created);
	bool ours = !(clash && we_yield(created, clash));
	if (!ours)
		slot_taken(clash, err);
	schedule_destroy(after);
	return ours;
}

static void
withdraw(struct source *s, const struct event *created)
{
	struct source_error release_err = { 0 };
	if (!source_release(s, created, &release_err))
		log_error("double booking: could not withdraw ours: %s", release_err.message);
}

bool
source_book_checked(struct source *s, rs_time start, rs_time end, const char *subject, struct event *created_out,
	struct source_error *err)
{
	struct schedule *before = NULL;
	struct event created = { 0 };
	const struct event *clash;
	bool ok = false, read_ok;
	if (!source_fetch(s, start - TIME_HOUR, end + TIME_HOUR, &before, err))
		return false;
	if ((clash = find_clash(before, start, end, NULL))) {
		slot_taken(clash, err);
		goto out;
	}
	if (!source_book(s, start, end, subject, &created, err))
		goto out;
	if (!still_ours(s, start, end, &created, err, &read_ok)) {
		withdraw(s, &created);
		goto out;
	}
	/* A sign that re-read before a rival's create landed cannot have seen it. Creation times
	 * settle most races, but they have one-second resolution on some servers: look once more,
	 * after any rival booked in the same second has become visible, and apply the same rule. */
	if (read_ok) {
		struct timespec pause = { .tv_sec = 1, .tv_nsec = 100000000L };
		nanosleep(&pause, NULL);
		if (!still_ours(s, start, end, &created, err, &read_ok)) {
			withdraw(s, &created);
			goto out;
		}
	}
	if (!read_ok) /* booked, but not verifiable: the server confirmed the create */
		log_warn("booked, but the re-read failed: %s", err->message);
	ok = true;
out:
	if (ok && created_out)
		*created_out = created;
	else
		event_finish(&created);
	schedule_destroy(before);
	return ok;
}
