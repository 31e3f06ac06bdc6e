/* ews_stream.h — EWS streaming notifications on the room's calendar: a thread of its own
 * subscribes (under impersonation), holds one GetStreamingEvents connection, re-opens it, and
 * says when something changed. The worker thread stays free for actions. */
#pragma once
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include "../config.h"

struct ews_stream;

/* Starts the thread. watching (borrowed, outlives the stream) is kept true while notifications
 * flow and cleared when they do not; changed(ctx) runs on the stream's thread after each change,
 * after (re)subscribing and when streaming stops for good. NULL when the thread cannot start. */
struct ews_stream *ews_stream_start(const struct source_config *cfg, const char *version, atomic_bool *watching,
	void (*changed)(void *ctx), void *ctx);
/* Stops and joins the thread (about a second), then unsubscribes. changed is not called after
 * it returns. Accepts NULL. */
void ews_stream_stop(struct ews_stream *stream);

/* roomsign check: subscribes, opens a stream and waits up to wait_s for its first message,
 * unsubscribes. true when streaming works; detail says what was seen or what to fix. */
bool ews_stream_probe(const struct source_config *cfg, const char *version, int wait_s, char *detail, size_t size);
