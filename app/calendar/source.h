/* source.h — a room calendar behind one small interface: fetch, book, change, release. */
#pragma once
#include <stdatomic.h>
#include <stdbool.h>
#include "../config.h"
#include "../core/error.h"
#include "../core/schedule.h"

/* A free/busy answer for one other room. */
struct room_availability {
	char *room; /* address as configured */
	char *name; /* display name: the config's, else the server's (filled in by free_busy), or NULL */
	bool ok;
	rs_time free_until; /* 0: free for the rest of the window */
	rs_time busy_until; /* > now when busy now */
};

/* One step of `roomsign check`. ok false means fix says what to do. */
typedef void (*check_report_fn)(void *ctx, bool ok, const char *step, const char *detail);

struct source;

struct source_ops {
	bool (*fetch)(struct source *, rs_time from, rs_time to, struct schedule **out, struct source_error *);
	/* Optional. A cheap poll: the current schedule of [from,to) if anything changed since the last fetch or fetch_changes (*out set), *out NULL when nothing changed. */
	bool (*fetch_changes)(struct source *, rs_time from, rs_time to, struct schedule **out, struct source_error *);
	/* Creates a meeting [start, end) in the room's calendar; created_out gets id/version etc. */
	bool (*book)(struct source *, rs_time start, rs_time end, const char *subject, struct event *created_out,
		struct source_error *);
	bool (*update_end)(struct source *, const struct event *, rs_time new_end, struct source_error *);
	/* Cancels our own booking, declines someone else's. Never silently deletes theirs. */
	bool (*release)(struct source *, const struct event *, struct source_error *);
	/* Writes a check-in made at this sign into the event itself (an extended or X- property), so
	 * every sign on the room sees it (event.checked_in) and none releases the meeting. */
	bool (*check_in)(struct source *, const struct event *, struct source_error *);
	bool (*free_busy)(struct source *, rs_time from, rs_time to, struct room_availability *out, size_t n,
		struct source_error *);
	/* Walks the backend's own checks (auth, permission, read, optional booking test). */
	bool (*check)(struct source *, bool book_test, check_report_fn report, void *ctx);
	void (*destroy)(struct source *);
	/* Optional. Starts watching the room for changes on a thread of the backend's own; changed(ctx) is called (from that thread) after each change or burst of changes. false: no push (the worker polls). */
	bool (*watch)(struct source *, void (*changed)(void *ctx), void *ctx, struct source_error *);
	/* watch(source, NULL, NULL, NULL) stops watching (joins that thread; changed is never called
	 * after it returns); destroy stops it too. While the push works the backend keeps
	 * source->watching true; it clears it (and calls changed once more) when it falls back to
	 * polling, having logged why once, and sets it again when the push works again. */
	/* Optional. Sends a plain-text message as the room (its mailbox) to one address; true only
	 * when the server confirmed it took the message. */
	bool (*send_mail)(
		struct source *, const char *to, const char *subject, const char *body, struct source_error *);
	/* Optional. `roomsign check`: may send_mail send as the room? Asked without sending anything. */
	bool (*check_mail)(struct source *, check_report_fn report, void *ctx);
	/* Optional. The calendar's own name on the server (CalDAV's displayname) once a fetch has
	 * found it, or NULL. */
	const char *(*calendar_name)(struct source *);
};

struct source {
	const struct source_ops *ops;
	const struct source_config *config; /* borrowed; outlives the source */
	bool read_only;
	atomic_bool watching; /* changes arrive by push: the worker polls only every safety_refresh */
};

/* Builds the backend named by config->type. NULL with err filled on failure. */
struct source *source_create(const struct source_config *config, struct source_error *err);
void source_destroy(struct source *source); /* accepts NULL */

/* Convenience wrappers that fill a generic error when an op is missing. */
bool source_fetch(struct source *, rs_time from, rs_time to, struct schedule **out, struct source_error *);
bool source_book(struct source *, rs_time start, rs_time end, const char *subject, struct event *created_out,
	struct source_error *);
bool source_update_end(struct source *, const struct event *, rs_time new_end, struct source_error *);
bool source_release(struct source *, const struct event *, struct source_error *);
bool source_check_in(struct source *, const struct event *, struct source_error *);
/* A source for another room through the same account and settings: `room` (a nearby room's
 * address, or for CalDAV its calendar URL) in place of this room's mailbox or URL. copy holds the
 * changed config and must outlive the source. */
struct source *source_create_for_room(
	const struct source_config *config, const char *room, struct source_config *copy, struct source_error *err);
/* Fills out[0..n) with the config's nearby rooms (address and given name), nothing asked yet. */
void room_availability_init(struct room_availability *out, size_t n, const struct source_config *config);
void room_availability_finish(struct room_availability *rooms, size_t n);
bool source_free_busy(
	struct source *, rs_time from, rs_time to, struct room_availability *out, size_t n, struct source_error *);
bool source_check(struct source *, bool book_test, check_report_fn report, void *ctx);
/* Starts or (changed NULL) stops the backend's push; false (err says why) when it has none. */
bool source_watch(struct source *, void (*changed)(void *ctx), void *ctx, struct source_error *);

/* Sends a message as the room (EWS, Graph); UNSUPPORTED when the backend cannot. */
bool source_send_mail(struct source *, const char *to, const char *subject, const char *body, struct source_error *);

/* Books [start,end) safely: re-reads the window first (SOURCE_ERR_CONFLICT if something blocks
 * it), creates, then re-reads; if another blocking event overlaps ours and was created first
 * (or we cannot tell), our booking is released again and CONFLICT returned. Same code for all
 * backends. */
bool source_book_checked(struct source *, rs_time start, rs_time end, const char *subject, struct event *created_out,
	struct source_error *);

/* Backend constructors (one file each). */
struct source *demo_source_create(const struct source_config *, struct source_error *);
struct source *ics_source_create(const struct source_config *, struct source_error *);
struct source *ews_source_create(const struct source_config *, struct source_error *);
struct source *graph_source_create(const struct source_config *, struct source_error *);
struct source *caldav_source_create(const struct source_config *, struct source_error *);
