#define LOG_MODULE "report"
#include "report.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "core/log.h"
#include "net/smtp.h"

void
report_compose(const struct config *config, const char *problem, rs_time now, char *subject, size_t subject_size,
	char *body, size_t body_size)
{
	const char *room = config->room_name ? config->room_name : "";
	char local[32], utc[24];
	struct tm tm;
	time_local(now, &tm);
	strftime(local, sizeof(local), "%Y-%m-%d %H:%M", &tm);
	time_format_utc(now, utc, sizeof(utc));
	/* English on purpose: facilities read every sign's reports, whatever the sign's language. */
	snprintf(subject, subject_size, "Problem reported in %s: %s", room, problem);
	snprintf(body, body_size,
		"Room: %s\n"
		"Problem: %s\n"
		"Time: %s %s (%s)\n"
		"\n"
		"Reported by a person at the room's sign (roomsign %s).\n",
		room, problem, local, config->timezone ? config->timezone : "local time", utc, ROOMSIGN_VERSION);
}

static bool
is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* How many bytes of s (at most max) end on a UTF-8 character boundary. */
static size_t
utf8_chunk(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	size_t n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--; /* s[n] continues a character: cut before it */
	return n ? n : max;
}

/* RFC 2047 "B" encoding of a UTF-8 header value (a room name with ø or ü): encoded words of at
 * most 40 bytes each (68 characters: "Subject: " and the first stay within 78), folded onto lines of
 * their own. */
static char *
encoded_words(const char *s)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t len = strlen(s), o = 0;
	char *out = xmalloc(len * 2 + (len / 37 + 1) * 20 + 1);
	for (size_t at = 0; at < len;) {
		size_t n = utf8_chunk(s + at, len - at, 40);
		const char *open = at ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?"; /* folded: each word on a line */
		memcpy(out + o, open, strlen(open));
		o += strlen(open);
		for (size_t i = 0; i < n; i += 3) {
			const unsigned char *p = (const unsigned char *)s + at + i;
			unsigned v =
				(unsigned)p[0] << 16 | (i + 1 < n ? (unsigned)p[1] << 8 : 0) | (i + 2 < n ? p[2] : 0);
			out[o++] = b64[(v >> 18) & 63];
			out[o++] = b64[(v >> 12) & 63];
			out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
			out[o++] = i + 2 < n ? b64[v & 63] : '=';
		}
		memcpy(out + o, "?=", 2);
		o += 2;
		at += n;
	}
	out[o] = '\0';
	return out;
}

char *
report_smtp_message(const struct config *config, const char *subject, const char *body, rs_time now)
{
	const struct report_config *r = &config->report;
	char date[64];
	time_t t = (time_t)now;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm); /* C locale: English names */
	char *subj = is_ascii(subject) ? xstrdup(subject) : encoded_words(subject);
	char *head = xasprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%lld.%llu@roomsign>\r\n"
			       "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
			       "Content-Transfer-Encoding: 8bit\r\n\r\n",
		r->from ? r->from : "", r->to ? r->to : "", subj, date, (long long)now,
		(unsigned long long)time_mono_ms());
	free(subj);
	size_t head_len = strlen(head), o = head_len;
	char *msg = xmalloc(head_len + strlen(body) * 2 + 1);
	memcpy(msg, head, head_len);
	free(head);
	for (const char *p = body; *p; p++) { /* LF → CRLF; libcurl dot-stuffs */
		if (*p == '\n')
			msg[o++] = '\r';
		msg[o++] = *p;
	}
	msg[o] = '\0';
	return msg;
}

static struct smtp_request
smtp_request_of(const struct config *config, const char *message)
{
	const struct report_config *r = &config->report;
	return (struct smtp_request){
		.url = r->smtp_url,
		.from = r->from,
		.to = r->to,
		.username = r->username,
		.password = r->password,
		.ca_file = r->ca_file ? r->ca_file : config->source.ca_file,
		.allow_insecure = r->allow_insecure_smtp,
		.timeout_s = config->source.timeout_s,
		.message = message,
	};
}

static bool
send_smtp(const struct config *config, const char *subject, const char *body, rs_time now, struct source_error *err)
{
	char *message = report_smtp_message(config, subject, body, now);
	struct smtp_request req = smtp_request_of(config, message);
	bool ok = smtp_send(&req, err);
	free(message);
	return ok;
}

bool
report_send(
	struct source *source, const struct config *config, const char *problem, rs_time now, struct source_error *err)
{
	const struct report_config *r = &config->report;
	if (!r->to)
		return source_fail(err, SOURCE_ERR_CONFIG, "No [report] to: reporting a problem is off.");
	char subject[512], body[2048];
	report_compose(config, problem, now, subject, sizeof(subject), body, sizeof(body));
	bool ok = r->smtp_url ? send_smtp(config, subject, body, now, err)
			      : source_send_mail(source, r->to, subject, body, err);
	if (ok)
		log_info("reported '%s' to %s", problem, r->to);
	return ok;
}

void
report_check(struct source *source, const struct config *config, check_report_fn report, void *ctx)
{
	const struct report_config *r = &config->report;
	char detail[600];
	if (!r->to)
		return;
	if (r->smtp_url) {
		/* Connect, TLS and sign-in only: a check must not mail facilities. */
		struct smtp_request req = smtp_request_of(config, NULL);
		struct source_error err = { 0 };
		bool ok = smtp_check(&req, &err);
		snprintf(detail, sizeof(detail), "reports go to %s through %s from %s%s (nothing was sent)", r->to,
			r->smtp_url, r->from ? r->from : "?",
			r->allow_insecure_smtp ? "; STARTTLS not required: a test lab only" : "");
		report(ctx, ok, "report a problem by SMTP", ok ? detail : err.message);
		return;
	}
	if (source->ops->check_mail) {
		source->ops->check_mail(source, report, ctx);
		return;
	}
	snprintf(detail, sizeof(detail), "reports go to %s, sent as the room by the %s calendar", r->to,
		source_type_name(config->source.type));
	report(ctx, true, "report a problem", detail);
}
