#include "error.h"
#include <stdarg.h>
#include <stdio.h>

bool
source_fail(struct source_error *err, enum source_category category, const char *fmt, ...)
{
	if (!err)
		return false;
	err->category = category;
	err->retry_after_ms = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return false;
}

const char *
source_category_name(enum source_category category)
{
	static const char *const names[] = {
		"ok",
		"network",
		"auth",
		"permission",
		"throttled",
		"conflict",
		"not-found",
		"bad-response",
		"config",
		"unsupported",
	};
	return (unsigned)category < sizeof(names) / sizeof(names[0]) ? names[category] : "unknown";
}
