/* worker.h — the source thread: owns all network I/O, refreshes on a jittered timer with
 * back-off, runs actions one at a time, and hands results to the main thread. */
#pragma once
#include <stdbool.h>
#include "calendar/source.h"
#include "config.h"

/* JOB_BOOK_ROOM: book another room of [source] nearby_rooms (the "Find a room" list). */
enum worker_job {
	JOB_REFRESH,
	JOB_BOOK,
	JOB_EXTEND,
	JOB_END,
	JOB_RELEASE,
	JOB_FIND_ROOMS,
	JOB_CHECK_IN,
	JOB_REPORT,
	JOB_BOOK_ROOM
};

struct worker_request {
	enum worker_job job;
	int minutes;                          /* book, extend, book another room */
	int room;                             /* book another room: its index in [source] nearby_rooms */
	char room_name[128];                  /* … and its name as the list showed it ("": the address) */
	struct event event;                   /* extend, end, release: a copy of the meeting (owned) */
	char problem[CONFIG_PROBLEM_MAX + 1]; /* report: one of [report] problems */
};

/* RESULT_IN_SYNC: the schedule the sign shows is still the calendar's, known without a new
 * snapshot (a cheap poll found nothing new, or pushed changes are being received). */
enum worker_result_kind { RESULT_SNAPSHOT, RESULT_FETCH_FAILED, RESULT_ACTION, RESULT_ROOMS, RESULT_IN_SYNC };

struct worker_result {
	enum worker_result_kind kind;
	enum worker_job job;       /* RESULT_ACTION: which one */
	struct schedule *schedule; /* RESULT_SNAPSHOT: ownership moves to the receiver */
	bool ok;
	enum source_category category;
	long retry_after_ms; /* RESULT_FETCH_FAILED, throttled: the wait the server asked for */
	char message[512];   /* for the screen: plain words */
	char detail[512];    /* for the admin screen and log */
	struct room_availability rooms[CONFIG_MAX_ROOMS];
	size_t room_count;
};

/* Called on the worker thread; must take ownership of result (free with worker_result_free). */
typedef void (*worker_post_fn)(void *ctx, struct worker_result *result);

struct worker;

/* Starts the thread; the first refresh runs at once. config and source must outlive it. */
struct worker *worker_create(struct source *source, const struct config *config, worker_post_fn post, void *ctx);
/* Stops and joins the thread (a running request finishes first, bounded by its timeout). */
void worker_destroy(struct worker *worker);
/* Queues a request (copied); false when the queue is full. */
bool worker_request(struct worker *worker, const struct worker_request *request);
void worker_result_free(struct worker_result *result);

/* Plain words for a passer-by, from an error category (the detail goes to the admin screen). */
const char *worker_plain_error(const struct source_error *err);
/* The fetch window for a refresh at now: from local midnight today to midnight after tomorrow. */
void worker_window(rs_time now, rs_time *from, rs_time *to);
