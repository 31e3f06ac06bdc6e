/* cooldown.h — limits on what a passer-by can do at the sign: a pause between booking actions
 * (no book → end loop), a total on extensions of one meeting (no holding the room all day with
 * +30), and a pause between server lookups (refresh, find a room), which spend the shared
 * service account's throttling budget. Pure: the caller passes a monotonic clock in ms. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "event.h"

enum cooldown_kind {
	COOLDOWN_BOOKING, /* book, extend, end now */
	COOLDOWN_LOOKUP,  /* refresh now, find a room */
	COOLDOWN_KINDS,
};

#define COOLDOWN_PROBLEMS 6  /* [report] problems, at most */
#define COOLDOWN_HOUR_MAX 60 /* [report] max_per_hour, at most */

struct cooldown_limits {
	int booking_s;       /* [booking] cooldown; 0: none */
	int lookup_s;        /* [booking] refresh_cooldown; 0: none */
	int max_extend_min;  /* [booking] max_extend; 0: no limit */
	int report_min;      /* [report] cooldown: one report per problem per this; 0: none */
	int report_per_hour; /* [report] max_per_hour: reports of any problem; 0: no limit */
};

/* Why a report must wait. */
enum cooldown_report_wait { COOLDOWN_REPORT_NOW, COOLDOWN_REPORT_SAME_PROBLEM, COOLDOWN_REPORT_HOURLY };

struct cooldown {
	bool used[COOLDOWN_KINDS];
	uint64_t last_ms[COOLDOWN_KINDS];
	char extended_id[256]; /* the meeting extensions were counted for (one at a time) */
	rs_time extended_start;
	int extended_min;
	bool reported[COOLDOWN_PROBLEMS]; /* reports: per problem, and the last hour's of any problem */
	uint64_t reported_ms[COOLDOWN_PROBLEMS];
	uint64_t hour_ms[COOLDOWN_HOUR_MAX]; /* a ring of the latest reports' times */
	size_t hour_count, hour_next;
};

/* Milliseconds until an action of kind may run (0: now). */
uint64_t cooldown_wait_ms(
	const struct cooldown *c, const struct cooldown_limits *limits, enum cooldown_kind kind, uint64_t now_ms);
/* Records that an action of kind was started at now_ms. */
void cooldown_note(struct cooldown *c, enum cooldown_kind kind, uint64_t now_ms);
/* Whether meeting may be extended by minutes more from this sign under limits->max_extend_min. */
bool cooldown_may_extend(
	const struct cooldown *c, const struct cooldown_limits *limits, const struct event *meeting, int minutes);
/* Records an extension of meeting by minutes (counted against max_extend). */
void cooldown_note_extend(struct cooldown *c, const struct event *meeting, int minutes);
/* Whether problem (an index into [report] problems) may be reported at now_ms; when not, why,
 * and *wait_ms_out how long until it may. A flood of reports spams facilities' mailbox. */
enum cooldown_report_wait cooldown_report_wait(const struct cooldown *c, const struct cooldown_limits *limits,
	size_t problem, uint64_t now_ms, uint64_t *wait_ms_out);
/* Records a report of problem started at now_ms. */
void cooldown_note_report(struct cooldown *c, size_t problem, uint64_t now_ms);
/* The report of problem did not go out: it may be tried again at once (the screen must not say
 * it was reported). It still counts against the hourly total, so a broken server is not hammered. */
void cooldown_forget_report(struct cooldown *c, size_t problem);
