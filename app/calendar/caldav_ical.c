#define LOG_MODULE "caldav"
#include "caldav_ical.h"
#include "ical.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libical/ical.h>
#include "../core/timeutil.h"
#include "../core/xalloc.h"
#include "../core/log.h"

#define MAX_TEXT_LEN (4L << 20) /* one resource; the body cap applies before this */

static icalcomponent *
parse(const char *text)
{
	if (!text || strlen(text) > (size_t)MAX_TEXT_LEN)
		return NULL;
	icalerror_set_errors_are_fatal(0);
	icalcomponent *root = icalparser_parse_string(text);
	if (root && icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		icalcomponent_free(root);
		return NULL;
	}
	return root;
}

/* DTSTART as an instant: UTC, its zone (VTIMEZONE or builtin), or the room's zone when floating. */
static bool
start_instant(icalcomponent *ev, rs_time *out)
{
	icalproperty *p = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
	if (!p)
		return false;
	struct icaltimetype t = icalcomponent_get_dtstart(ev);
	if (icaltime_is_null_time(t))
		return false;
	if (!t.is_date && !icaltime_is_utc(t) && !t.zone) {
		icalparameter *tzid = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
		const char *name = tzid ? icalparameter_get_tzid(tzid) : NULL;
		const char *iana = ical_windows_zone(name); /* as ical.c reads it, so it finds what the sign shows */
		if (name)
			t.zone = icaltimezone_get_builtin_timezone(iana ? iana : name);
	}
	if (t.is_date || (!icaltime_is_utc(t) && !t.zone))
		*out = time_from_local(t.year, t.month, t.day, t.is_date ? 0 : t.hour, t.is_date ? 0 : t.minute,
			t.is_date ? 0 : t.second);
	else
		*out = (rs_time)icaltime_as_timet_with_zone(t, t.zone ? t.zone : icaltimezone_get_utc_timezone());
	return true;
}

/* The VEVENT that occurs at start: a single event or an override. A series master matching by
 * RRULE is refused: changing one occurrence would need a new override we do not write. */
static icalcomponent *
find_event(icalcomponent *cal, rs_time start, const char **why_out)
{
	icalcomponent *series = NULL;
	for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
		ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		bool recurs = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY) ||
			      icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY);
		rs_time s;
		if (recurs) {
			series = ev;
			continue;
		}
		if (start_instant(ev, &s) && s == start)
			return ev;
	}
	*why_out = series ? "it is one occurrence of a recurring series"
			  : "the calendar no longer holds a meeting starting at that time";
	return NULL;
}

/* SEQUENCE is the organizer's to bump (RFC 5546); an attendee's reply leaves it. */
static void
touch(icalcomponent *ev, rs_time now, bool bump_sequence)
{
	struct icaltimetype stamp = icaltime_from_timet_with_zone((time_t)now, 0, icaltimezone_get_utc_timezone());
	int sequence = icalcomponent_get_sequence(ev);
	if (bump_sequence)
		icalcomponent_set_sequence(ev, sequence < 0 ? 1 : sequence + 1);
	icalcomponent_set_dtstamp(ev, stamp);
	icalproperty *lm = icalcomponent_get_first_property(ev, ICAL_LASTMODIFIED_PROPERTY);
	if (lm)
		icalproperty_set_lastmodified(lm, stamp);
	else
		icalcomponent_add_property(ev, icalproperty_new_lastmodified(stamp));
}

static char *
serialise(icalcomponent *cal)
{
	char *text = icalcomponent_as_ical_string_r(cal);
	char *out = xstrdup(text);
	free(text);
	return out;
}

char *
caldav_ical_set_end(const char *text, rs_time start, rs_time new_end, rs_time now, const char **why_out)
{
	const char *why = "it is not valid iCalendar";
	char *out = NULL;
	icalcomponent *cal = parse(text), *ev;
	if (cal && (ev = find_event(cal, start, &why))) {
		icalproperty *p;
		while ((p = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY))) {
			icalcomponent_remove_property(ev, p);
			icalproperty_free(p);
		}
		while ((p = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY))) {
			icalcomponent_remove_property(ev, p);
			icalproperty_free(p);
		}
		icalcomponent_add_property(ev, icalproperty_new_dtend(icaltime_from_timet_with_zone(
						       (time_t)new_end, 0, icaltimezone_get_utc_timezone())));
		touch(ev, now, true);
		out = serialise(cal);
	}
	if (cal)
		icalcomponent_free(cal);
	if (!out && why_out)
		*why_out = why;
	return out;
}

static bool
is_mailbox(icalproperty *attendee, const char *mailbox)
{
	const char *v = icalproperty_get_attendee(attendee);
	if (!v)
		return false;
	if (strncasecmp(v, "mailto:", 7) == 0)
		v += 7;
	return strcasecmp(v, mailbox) == 0;
}

char *
caldav_ical_decline(const char *text, const char *mailbox, rs_time start, rs_time now, const char **why_out)
{
	const char *why = "it is not valid iCalendar";
	char *out = NULL;
	icalcomponent *cal = parse(text), *ev;
	if (cal && mailbox && (ev = find_event(cal, start, &why))) {
		why = "the room is not one of its attendees";
		for (icalproperty *p = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY); p;
			p = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY)) {
			if (!is_mailbox(p, mailbox))
				continue;
			icalproperty_remove_parameter_by_kind(p, ICAL_PARTSTAT_PARAMETER);
			icalproperty_remove_parameter_by_kind(p, ICAL_RSVP_PARAMETER);
			icalproperty_add_parameter(p, icalparameter_new_partstat(ICAL_PARTSTAT_DECLINED));
			touch(ev, now, false);
			out = serialise(cal);
			break;
		}
	}
	if (cal)
		icalcomponent_free(cal);
	if (!out && why_out)
		*why_out = why;
	return out;
}

/* DTEND (or DTSTART + DURATION) as an instant, the way start_instant reads DTSTART. */
static bool
end_instant(icalcomponent *ev, rs_time start, rs_time *out)
{
	icalproperty *p = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
	if (p) {
		icalcomponent *copy = icalcomponent_new(ICAL_VEVENT_COMPONENT);
		icalproperty *as_start = icalproperty_new_dtstart(icalproperty_get_dtend(p));
		icalparameter *tzid = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
		if (tzid)
			icalproperty_add_parameter(as_start, icalparameter_new_clone(tzid));
		icalcomponent_add_property(copy, as_start);
		bool ok = start_instant(copy, out);
		icalcomponent_free(copy);
		return ok;
	}
	if ((p = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY))) {
		*out = start + icaldurationtype_as_int(icalproperty_get_duration(p));
		return true;
	}
	*out = start;
	return true;
}

static bool
has_x_property(icalcomponent *ev, const char *name)
{
	for (icalproperty *p = icalcomponent_get_first_property(ev, ICAL_X_PROPERTY); p;
		p = icalcomponent_get_next_property(ev, ICAL_X_PROPERTY))
		if (icalproperty_get_x_name(p) && strcasecmp(icalproperty_get_x_name(p), name) == 0)
			return true;
	return false;
}

static bool
organised_by(icalcomponent *ev, const char *const *owners, size_t owner_count)
{
	icalproperty *org = icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY);
	if (!org) /* not an invite: only someone who writes to the room's calendar made it */
		return !icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
	const char *v = icalproperty_get_organizer(org);
	if (v && strncasecmp(v, "mailto:", 7) == 0)
		v += 7;
	for (size_t i = 0; v && *v && i < owner_count; i++)
		if (owners[i] && *owners[i] && strcasecmp(v, owners[i]) == 0)
			return true;
	return false;
}

static bool
recurs(icalcomponent *cal)
{
	for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
		ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		if (icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY) ||
			icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY) ||
			icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY))
			return true;
	return false;
}

enum caldav_release_verdict
caldav_ical_release_verdict(const char *text, rs_time start, rs_time end, const char *const *owners, size_t owner_count,
	const char **why_out)
{
	const char *why = "it is not valid iCalendar";
	enum caldav_release_verdict verdict = CALDAV_RELEASE_LEAVE;
	icalcomponent *cal = parse(text), *ev;
	rs_time fresh_end;
	if (!cal || !(ev = find_event(cal, start, &why))) {
		/* why: moved away from start, or a plain occurrence of a series */
	} else if (!end_instant(ev, start, &fresh_end) || fresh_end != end) {
		why = "it was changed on the server meanwhile (its end moved)";
	} else if (has_x_property(ev, "X-ROOMSIGN-CHECKED-IN")) {
		why = "someone checked in to it (at another sign)";
	} else {
		const char *uid = icalcomponent_get_uid(ev);
		bool marked = has_x_property(ev, "X-ROOMSIGN-BOOKED") || (uid && strncmp(uid, "roomsign-", 9) == 0);
		bool own = marked && organised_by(ev, owners, owner_count) && !recurs(cal);
		verdict = own ? CALDAV_RELEASE_DELETE : CALDAV_RELEASE_DECLINE;
	}
	if (cal)
		icalcomponent_free(cal);
	if (why_out)
		*why_out = verdict == CALDAV_RELEASE_LEAVE ? why : NULL;
	return verdict;
}

char *
caldav_ical_mark_checked_in(const char *text, rs_time start, rs_time now, const char **why_out)
{
	const char *why = "it is not valid iCalendar";
	char *out = NULL;
	icalcomponent *cal = parse(text), *ev;
	if (cal && (ev = find_event(cal, start, &why))) {
		if (!has_x_property(ev, "X-ROOMSIGN-CHECKED-IN")) {
			icalproperty *mark = icalproperty_new_x("1");
			icalproperty_set_x_name(mark, "X-ROOMSIGN-CHECKED-IN");
			icalcomponent_add_property(ev, mark);
			touch(ev, now, false);
		}
		out = serialise(cal);
	}
	if (cal)
		icalcomponent_free(cal);
	if (!out && why_out)
		*why_out = why;
	return out;
}
