#include "xalloc.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
check(void *p)
{
	if (!p) {
		fputs("roomsign: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *
xmalloc(size_t size)
{
	return check(malloc(size ? size : 1));
}

void *
xcalloc(size_t count, size_t size)
{
	return check(calloc(count ? count : 1, size ? size : 1));
}

void *
xrealloc(void *ptr, size_t size)
{
	return check(realloc(ptr, size ? size : 1));
}

char *
xstrdup(const char *s)
{
	return s ? check(strdup(s)) : NULL;
}

char *
xstrndup(const char *s, size_t n)
{
	return s ? check(strndup(s, n)) : NULL;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *out = NULL;
	int n = vasprintf(&out, fmt, ap);
	va_end(ap);
	if (n < 0)
		check(NULL);
	return out;
}
