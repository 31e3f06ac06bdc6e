/* error.h — what went wrong talking to a server, in categories every layer shares (net reports
 * them, calendar adds its own, the worker and the screen act on them). */
#pragma once
#include <stdbool.h>

enum source_category {
	SOURCE_OK,
	SOURCE_ERR_NETWORK,      /* DNS, connect, TLS, timeout, dropped connection */
	SOURCE_ERR_AUTH,         /* credentials refused */
	SOURCE_ERR_PERMISSION,   /* authenticated but not allowed on this room */
	SOURCE_ERR_THROTTLED,    /* retry_after_ms says when */
	SOURCE_ERR_CONFLICT,     /* the slot is taken, or the item changed under us */
	SOURCE_ERR_NOT_FOUND,    /* mailbox, calendar or item does not exist */
	SOURCE_ERR_BAD_RESPONSE, /* the server sent something we cannot use */
	SOURCE_ERR_CONFIG,       /* our configuration is wrong */
	SOURCE_ERR_UNSUPPORTED,  /* e.g. booking on a read-only ICS source */
};

struct source_error {
	enum source_category category;
	long retry_after_ms; /* throttled: server's advice; 0 = use back-off */
	char message[512];   /* a sentence for the admin: what is wrong, what to do */
};

/* Sets err (category + printf message); returns false so callers can `return source_fail(...)`. */
bool source_fail(struct source_error *err, enum source_category category, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *source_category_name(enum source_category category);
