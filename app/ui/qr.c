#include "qr.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qrencode.h>
#include "../core/xalloc.h"

bool
qr_encode(const char *text, struct qr *out)
{
	memset(out, 0, sizeof(*out));
	if (!text || !*text)
		return false;
	/* Level M (15 % may be lost): a screen behind glass has glare, not stains. Mixed modes
	 * (digits, upper-case runs, bytes) keep the symbol as small as libqrencode can. */
	QRcode *code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!code)
		return false;
	if (code->version > QR_MAX_VERSION) {
		QRcode_free(code);
		return false;
	}
	int w = code->width;
	out->width = w;
	out->dark = xcalloc((size_t)w * (size_t)w, sizeof(bool));
	for (size_t i = 0; i < (size_t)w * (size_t)w; i++)
		out->dark[i] = code->data[i] & 1; /* bit 0: dark; the others say which part it is */
	QRcode_free(code);
	return true;
}

void
qr_finish(struct qr *qr)
{
	if (!qr)
		return;
	free(qr->dark);
	memset(qr, 0, sizeof(*qr));
}

static bool
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
	       c == '_' || c == '~';
}

/* Appends s percent-encoded at out + *len (out has room: 3 bytes per input byte). */
static void
append_encoded(char *out, size_t *len, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (is_unreserved(*p)) {
			out[(*len)++] = (char)*p;
		} else {
			out[(*len)++] = '%';
			out[(*len)++] = hex[*p >> 4];
			out[(*len)++] = hex[*p & 15];
		}
	}
}

/* Checks the template and returns the expanded length, or -1 with why. */
static long
check_template(const char *tmpl, const char *mailbox, const char *room, char *why, size_t why_size)
{
	if (strncmp(tmpl, "https://", 8) != 0 && strncmp(tmpl, "http://", 7) != 0) {
		snprintf(why, why_size, "'%s' is not an http:// or https:// URL", tmpl);
		return -1;
	}
	long len = 0;
	for (const char *p = tmpl; *p; p++, len++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			snprintf(why, why_size, "'%s' has a space or control character: write it as %%20 (or %%XX)",
				tmpl);
			return -1;
		}
		if (*p == '}') {
			snprintf(why, why_size, "'%s' has a '}' without its '{' (placeholders: {mailbox}, {room})",
				tmpl);
			return -1;
		}
		if (*p != '{')
			continue;
		size_t n = strcspn(p + 1, "{}");
		if (p[1 + n] != '}') {
			snprintf(why, why_size, "'%s' has a '{' without its '}' (placeholders: {mailbox}, {room})",
				tmpl);
			return -1;
		}
		const char *value = NULL;
		if (n == 7 && strncmp(p + 1, "mailbox", 7) == 0) {
			if (!mailbox || !*mailbox) {
				snprintf(why, why_size,
					"uses {mailbox}, but the room has no address: set [source] mailbox");
				return -1;
			}
			value = mailbox;
		} else if (n == 4 && strncmp(p + 1, "room", 4) == 0) {
			value = room ? room : "";
		} else {
			snprintf(why, why_size, "unknown placeholder {%.*s} (known: {mailbox}, {room})",
				n > 40 ? 40 : (int)n, p + 1);
			return -1;
		}
		len += 3 * (long)strlen(value) - 1;
		p += n + 1;
	}
	return len;
}

char *
qr_expand_url(const char *tmpl, const char *mailbox, const char *room, char *why, size_t why_size)
{
	long max = check_template(tmpl, mailbox, room, why, why_size);
	if (max < 0)
		return NULL;
	char *out = xmalloc((size_t)max + 1);
	size_t len = 0;
	for (const char *p = tmpl; *p; p++) {
		if (*p != '{') {
			out[len++] = *p;
			continue;
		}
		bool is_room = strncmp(p + 1, "room}", 5) == 0;
		append_encoded(out, &len, is_room ? (room ? room : "") : mailbox);
		p += is_room ? 5 : 8;
	}
	out[len] = '\0';
	return out;
}
