#include "event.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "xalloc.h"

static const char *const show_as_names[] = {
	[SHOW_FREE] = "free",
	[SHOW_TENTATIVE] = "tentative",
	[SHOW_BUSY] = "busy",
	[SHOW_OOF] = "oof",
	[SHOW_ELSEWHERE] = "elsewhere",
};

void
event_finish(struct event *event)
{
	if (!event)
		return;
	free(event->subject);
	free(event->organizer);
	free(event->id);
	free(event->version);
	memset(event, 0, sizeof(*event));
}

void
event_copy(struct event *dst, const struct event *src)
{
	*dst = *src;
	dst->subject = xstrdup(src->subject);
	dst->organizer = xstrdup(src->organizer);
	dst->id = xstrdup(src->id);
	dst->version = xstrdup(src->version);
}

bool
event_blocks_room(const struct event *event)
{
	return event->show_as != SHOW_FREE;
}

/* The text of s without leading and trailing white space: its start, its length in *len_out. */
static const char *
trimmed(const char *s, size_t *len_out)
{
	static const char space[] = " \t\r\n\v\f";
	s += strspn(s, space);
	size_t len = strlen(s);
	while (len > 0 && strchr(space, s[len - 1]))
		len--;
	*len_out = len;
	return s;
}

bool
event_has_own_subject(const struct event *event)
{
	size_t len, org_len;
	const char *subject = trimmed(event->subject ? event->subject : "", &len);
	const char *org = trimmed(event->organizer ? event->organizer : "", &org_len);
	if (len == 0)
		return false;
	return len != org_len || strncasecmp(subject, org, len) != 0;
}

const char *
show_as_name(enum show_as show_as)
{
	if ((unsigned)show_as >= sizeof(show_as_names) / sizeof(show_as_names[0]))
		return "busy";
	return show_as_names[show_as];
}

bool
show_as_parse(const char *name, enum show_as *out)
{
	for (size_t i = 0; i < sizeof(show_as_names) / sizeof(show_as_names[0]); i++) {
		if (strcasecmp(name, show_as_names[i]) == 0) {
			*out = (enum show_as)i;
			return true;
		}
	}
	return false;
}
