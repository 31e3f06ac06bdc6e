/* smtp.h — one message through libcurl's SMTP: STARTTLS required on smtp:// (unless a test lab
 * allows plain text), implicit TLS on smtps://. */
#pragma once
#include <stdbool.h>
#include "../core/error.h"

struct smtp_request {
	const char *url;                 /* smtp://host:587 or smtps://host:465 */
	const char *from, *to;           /* bare addresses: the envelope (MAIL FROM, RCPT TO) */
	const char *username, *password; /* AUTH; NULL: none */
	const char *ca_file;             /* extra CA bundle, PEM; NULL: the system's */
	bool allow_insecure;             /* smtp:// without STARTTLS */
	int timeout_s;                   /* whole exchange; 20 when 0 */
	const char *message;             /* the whole RFC 5322 message, CRLF line ends */
};

/* Sends req->message. True only when the server answered 250 after DATA (it took the message);
 * false with err saying why: network/TLS, sign-in refused (AUTH), refused by the server. */
bool smtp_send(const struct smtp_request *req, struct source_error *err);
/* Connects, says EHLO, starts TLS and signs in as smtp_send would, then quits without sending
 * (roomsign check). False with err as smtp_send fills it. req->message, from and to are unused. */
bool smtp_check(const struct smtp_request *req, struct source_error *err);
