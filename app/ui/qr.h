/* qr.h — [display] qr_url: the URL template's expansion and its QR code (libqrencode). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define QR_QUIET_MODULES 4    /* the light margin ISO/IEC 18004 asks for, on every side */
#define QR_MAX_VERSION   10   /* 57×57 modules: the largest a panel shows at 0.5 mm a module */
#define QR_MIN_MODULE_MM 0.5f /* a phone reads it from 1 m */

/* A symbol: width × width modules (without the quiet zone), dark[y * width + x] true for dark. */
struct qr {
	int width;
	bool *dark;
};

/* Encodes text (error correction level M) into qr. False when it needs a version above
 * QR_MAX_VERSION or cannot be encoded; qr is left zeroed then. Free with qr_finish(). */
bool qr_encode(const char *text, struct qr *out);
void qr_finish(struct qr *qr); /* accepts a zeroed struct */

/* Expands {mailbox} and {room} in an http(s):// URL template, each percent-encoded (RFC 3986:
 * every byte but A-Z a-z 0-9 - . _ ~). mailbox may be NULL when the template does not use it.
 * Returns the URL (free it) or NULL with the reason in why (an unknown placeholder, a stray
 * brace, a space, no scheme, {mailbox} without a mailbox). */
char *qr_expand_url(const char *tmpl, const char *mailbox, const char *room, char *why, size_t why_size);
