/* report.h — "Report a problem": the message to [report] to, and the way it goes out (SMTP when
 * smtp_url is set, else as the room through its calendar backend). Runs on the worker thread. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "calendar/source.h"
#include "config.h"

/* The subject and plain-text body (LF line ends) naming the room, the problem and the time
 * (the room's local time with its zone, and UTC). */
void report_compose(const struct config *config, const char *problem, rs_time now, char *subject, size_t subject_size,
	char *body, size_t body_size);
/* The whole RFC 5322 message for SMTP (CRLF line ends, UTF-8); the caller frees it. */
char *report_smtp_message(const struct config *config, const char *subject, const char *body, rs_time now);
/* Sends the report of problem at now. True only when the server confirmed it (EWS NoError,
 * Graph 202, SMTP 250 after DATA); false with err filled otherwise. */
bool report_send(
	struct source *source, const struct config *config, const char *problem, rs_time now, struct source_error *err);
/* `roomsign check`'s steps for [report] (none without `to`): SMTP's settings, or whether the
 * calendar backend may send as the room (asked without sending anything). */
void report_check(struct source *source, const struct config *config, check_report_fn report, void *ctx);
