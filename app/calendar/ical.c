#define LOG_MODULE "ical"
#include "ical.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libical/ical.h>
#include "../core/timeutil.h"
#include "../core/xalloc.h"
#include "../core/log.h"

#define MAX_RECURRENCE_STEPS 200000 /* bounds a hostile RRULE (FREQ=SECONDLY…) */
#define MAX_TEXT_LEN         (64L << 20)

struct expand {
	rs_time from, to;
	icalcomponent *root;
	const char *href, *etag;
	struct event **events;
	size_t *count, cap;
	struct ical_stats *stats;
	const char *assumed[8]; /* zone names already logged as assumed, to say it once per parse */
	size_t assumed_count;
};

/* Says once per parse which IANA zone a Windows display name was taken for: it is a guess from
 * the place names, so the log must show it when a meeting appears at the wrong hour. */
static void
log_assumed_zone(struct expand *x, const char *tzid, const char *iana)
{
	for (size_t i = 0; i < x->assumed_count; i++)
		if (strcmp(x->assumed[i], tzid) == 0)
			return;
	if (x->assumed_count < sizeof(x->assumed) / sizeof(x->assumed[0]))
		x->assumed[x->assumed_count++] = tzid;
	log_info("time zone '%.100s' is a Windows display name: assuming %s", tzid, iana);
}

/* Resolves a property's TZID: the zone database under that name (IANA, or a Windows name mapped
 * to IANA, or a Mozilla-style path), then the calendar's own VTIMEZONE. A name the database knows
 * means that zone, and the system's tzdata is kept current; a calendar's VTIMEZONE is its copy
 * of the same rules, which libical would expand again for every CalDAV resource that carries it
 * (Exchange's start in 1601): 1,000 CalDAV events parsed in 27 ms that way, in ~8 with the shared
 * database zones (bench.parse). A custom name ("Customized Time Zone") still gets the calendar's definition.
 * NULL: floating (the room's zone applies). */
static icaltimezone *
resolve_zone(struct expand *x, icalproperty *prop)
{
	icalcomponent *root = x->root;
	icalparameter *param = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
	if (!param)
		return NULL;
	const char *tzid = icalparameter_get_tzid(param);
	if (!tzid || !*tzid)
		return NULL;
	const char *iana = ical_windows_zone(tzid);
	if (iana && tzid[0] == '(')
		log_assumed_zone(x, tzid, iana);
	icaltimezone *zone = icaltimezone_get_builtin_timezone(iana ? iana : tzid);
	if (!zone && strncmp(tzid, "/", 1) == 0) /* "/mozilla.org/20050126_1/Europe/Berlin" */
		zone = icaltimezone_get_builtin_timezone_from_tzid(tzid);
	if (!zone)
		zone = icalcomponent_get_timezone(root, tzid);
	if (!zone)
		log_warn("unknown time zone '%s': using the room's zone", tzid);
	return zone;
}

/* An icaltimetype as an instant: UTC, a zone, or floating/date in the room's zone. */
static rs_time
to_instant(struct icaltimetype t, icaltimezone *zone)
{
	if (t.is_date || (!icaltime_is_utc(t) && !zone))
		return time_from_local(t.year, t.month, t.day, t.is_date ? 0 : t.hour, t.is_date ? 0 : t.minute,
			t.is_date ? 0 : t.second);
	if (icaltime_is_utc(t))
		return (rs_time)icaltime_as_timet_with_zone(t, icaltimezone_get_utc_timezone());
	return (rs_time)icaltime_as_timet_with_zone(t, zone);
}

static bool
prop_time(struct expand *x, icalcomponent *comp, icalproperty_kind kind, struct icaltimetype *t_out,
	icaltimezone **zone_out)
{
	icalproperty *prop = icalcomponent_get_first_property(comp, kind);
	if (!prop)
		return false;
	icalvalue *value = icalproperty_get_value(prop);
	if (!value)
		return false;
	icalvalue_kind vk = icalvalue_isa(value);
	if (vk != ICAL_DATETIME_VALUE && vk != ICAL_DATE_VALUE)
		return false;
	struct icaltimetype t = icalvalue_get_datetime(value);
	if (icaltime_is_null_time(t) || !icaltime_is_valid_time(t))
		return false;
	*zone_out = icaltime_is_utc(t) ? NULL : resolve_zone(x, prop);
	*t_out = t;
	return true;
}

/* How long each instance of a component lasts. RFC 5545 3.8.5.3: with DTEND every instance lasts
 * the same exact duration, DTEND - DTSTART in absolute time (also when the two carry different
 * zones); with DURATION the same nominal duration (days and weeks in local days, 3.3.6). An
 * all-day event lasts whole local days. */
struct master {
	struct icaltimetype dtstart;
	icaltimezone *zone;
	bool has_dtend;
	rs_time exact_s;                /* with DTEND */
	struct icaldurationtype length; /* with DURATION or nothing; whole days when all-day */
	rs_time start, end;
};

/* The end of an instance starting at occ (see struct master). */
static rs_time
instance_end(const struct master *m, struct icaltimetype occ, icaltimezone *zone, rs_time start)
{
	if (m->has_dtend)
		return start + m->exact_s;
	struct icaldurationtype days = icaldurationtype_null_duration();
	days.days = m->length.days + 7 * m->length.weeks;
	rs_time end = days.days ? to_instant(icaltime_add(occ, days), zone) : start;
	end += (rs_time)m->length.hours * 3600 + m->length.minutes * 60 + m->length.seconds;
	return end < start ? start : end;
}

/* An all-day event whose end is not after its start (DTEND equal to DTSTART, as several
 * producers write, or a DURATION shorter than a day) lasts one day: RFC 5545 3.6.1, "the event
 * can have a DTSTART with a DATE value type but no DTEND nor DURATION … taken to be one day";
 * a shorter span cannot be said with dates. Longer spans round to whole days. */
static unsigned
all_day_days(rs_time start, rs_time end)
{
	rs_time days = (end - start + TIME_DAY / 2) / TIME_DAY; /* a DST day is 23 or 25 h */
	return days < 1 ? 1 : (unsigned)days;
}

static bool
read_span(struct expand *x, icalcomponent *comp, struct master *m)
{
	struct icaltimetype end;
	icaltimezone *end_zone;
	memset(m, 0, sizeof(*m));
	if (!prop_time(x, comp, ICAL_DTSTART_PROPERTY, &m->dtstart, &m->zone))
		return false;
	m->start = to_instant(m->dtstart, m->zone);
	m->length = icaldurationtype_null_duration();
	if (prop_time(x, comp, ICAL_DTEND_PROPERTY, &end, &end_zone)) {
		m->end = to_instant(end, end_zone);
		m->has_dtend = !m->dtstart.is_date;
		m->exact_s = m->end - m->start;
	} else if (icalcomponent_get_first_property(comp, ICAL_DURATION_PROPERTY)) {
		m->length = icalcomponent_get_duration(comp);
		if (icaldurationtype_is_bad_duration(m->length) || m->length.is_neg)
			return false;
		m->end = instance_end(m, m->dtstart, m->zone, m->start);
	} else {
		m->end = m->start;
	}
	if (m->dtstart.is_date) {
		m->length = icaldurationtype_null_duration();
		m->length.days = all_day_days(m->start, m->end);
		m->end = to_instant(icaltime_add(m->dtstart, m->length), m->zone);
	}
	return m->end >= m->start && m->end - m->start <= 366L * TIME_DAY;
}

static enum show_as
busy_status(icalcomponent *comp)
{
	enum show_as show = SHOW_BUSY;
	icalproperty *p = icalcomponent_get_first_property(comp, ICAL_TRANSP_PROPERTY);
	if (p && icalproperty_get_transp(p) == ICAL_TRANSP_TRANSPARENT)
		show = SHOW_FREE;
	if (icalcomponent_get_status(comp) == ICAL_STATUS_TENTATIVE)
		show = SHOW_TENTATIVE;
	for (p = icalcomponent_get_first_property(comp, ICAL_X_PROPERTY); p;
		p = icalcomponent_get_next_property(comp, ICAL_X_PROPERTY)) {
		const char *name = icalproperty_get_x_name(p), *v = icalproperty_get_x(p);
		if (!name || !v || strcasecmp(name, "X-MICROSOFT-CDO-BUSYSTATUS") != 0)
			continue;
		if (strcasecmp(v, "WORKINGELSEWHERE") == 0)
			show = SHOW_ELSEWHERE;
		else
			show_as_parse(v, &show);
	}
	return show;
}

static bool
has_x(icalcomponent *comp, const char *wanted)
{
	for (icalproperty *p = icalcomponent_get_first_property(comp, ICAL_X_PROPERTY); p;
		p = icalcomponent_get_next_property(comp, ICAL_X_PROPERTY)) {
		const char *name = icalproperty_get_x_name(p);
		if (name && strcasecmp(name, wanted) == 0)
			return true;
	}
	return false;
}

static char *
organizer_name(icalcomponent *comp)
{
	icalproperty *p = icalcomponent_get_first_property(comp, ICAL_ORGANIZER_PROPERTY);
	if (!p)
		return NULL;
	icalparameter *cn = icalproperty_get_first_parameter(p, ICAL_CN_PARAMETER);
	if (cn && icalparameter_get_cn(cn) && *icalparameter_get_cn(cn))
		return xstrdup(icalparameter_get_cn(cn));
	const char *v = icalproperty_get_organizer(p);
	if (!v)
		return NULL;
	if (strncasecmp(v, "mailto:", 7) == 0)
		v += 7;
	return *v ? xstrdup(v) : NULL;
}

static void
add_occurrence(struct expand *x, icalcomponent *comp, rs_time start, rs_time end, bool all_day)
{
	if (start >= x->to || (end <= x->from && !(end == start && start >= x->from)))
		return;
	if (*x->count >= ICAL_MAX_EVENTS)
		return;
	if (*x->count == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 64;
		*x->events = xrealloc(*x->events, x->cap * sizeof(**x->events));
	}
	struct event *e = &(*x->events)[(*x->count)++];
	memset(e, 0, sizeof(*e));
	e->start = start;
	e->end = end;
	e->all_day = all_day;
	icalproperty *cls = icalcomponent_get_first_property(comp, ICAL_CLASS_PROPERTY);
	e->is_private = cls && icalproperty_get_class(cls) != ICAL_CLASS_PUBLIC &&
			icalproperty_get_class(cls) != ICAL_CLASS_NONE;
	/* A private meeting's subject never leaves the parser: not to the cache file, not to
	 * `agenda`, not to memory a crash dump could show (DESCRIPTION and LOCATION are never read). */
	const char *summary = e->is_private ? NULL : icalcomponent_get_summary(comp);
	e->subject = summary && *summary ? xstrdup(summary) : NULL;
	e->organizer = organizer_name(comp);
	const char *uid = icalcomponent_get_uid(comp);
	e->id = xstrdup(x->href ? x->href : uid);
	e->version = xstrdup(x->etag);
	e->show_as = busy_status(comp);
	e->booked_here = has_x(comp, "X-ROOMSIGN-BOOKED") || (uid && strncmp(uid, "roomsign-", 9) == 0);
	e->checked_in = has_x(comp, "X-ROOMSIGN-CHECKED-IN");
	icalproperty *created = icalcomponent_get_first_property(comp, ICAL_CREATED_PROPERTY);
	if (created) {
		struct icaltimetype c = icalproperty_get_created(created);
		if (!icaltime_is_null_time(c))
			e->created = to_instant(c, NULL);
	}
}

/* A component with RECURRENCE-ID: it replaces the instance of its UID's series that starts at rid.
 * With RANGE=THISANDFUTURE (RFC 5545 3.8.4.4) it also changes every later instance: "if the given
 * recurrence instance is rescheduled to start 2 hours later, then all subsequent instances are
 * also rescheduled 2 hours later"; likewise its duration and its other properties. */
struct override {
	const char *uid;
	rs_time rid;
	icalcomponent *comp;
	bool is_future;    /* RANGE=THISANDFUTURE */
	bool is_cancelled; /* … with STATUS:CANCELLED: no later instance either */
	rs_time shift_s;   /* its DTSTART - its RECURRENCE-ID */
	rs_time length_s;  /* its own duration */
};

#define MAX_SHIFT_S (366L * TIME_DAY) /* a THISANDFUTURE move further than this is ignored */

struct overrides {
	struct override *items;
	size_t count, cap;
};

static bool
is_overridden(const struct overrides *o, const char *uid, rs_time instant)
{
	for (size_t i = 0; i < o->count; i++)
		if (o->items[i].rid == instant && uid && o->items[i].uid && strcmp(o->items[i].uid, uid) == 0)
			return true;
	return false;
}

/* The THISANDFUTURE override in force for the instance of uid at instant: the latest one before
 * it (the instance at its own RECURRENCE-ID is the override's component itself). */
static const struct override *
future_override(const struct overrides *o, const char *uid, rs_time instant)
{
	const struct override *best = NULL;
	for (size_t i = 0; i < o->count; i++) {
		const struct override *v = &o->items[i];
		if (v->is_future && v->rid < instant && uid && v->uid && strcmp(v->uid, uid) == 0 &&
			(!best || v->rid > best->rid))
			best = v;
	}
	return best;
}

static bool
is_excluded(struct expand *x, icalcomponent *comp, struct icaltimetype occ, rs_time instant)
{
	for (icalproperty *p = icalcomponent_get_first_property(comp, ICAL_EXDATE_PROPERTY); p;
		p = icalcomponent_get_next_property(comp, ICAL_EXDATE_PROPERTY)) {
		struct icaltimetype ex = icalproperty_get_exdate(p);
		if (icaltime_is_null_time(ex))
			continue;
		if (ex.is_date) {
			if (ex.year == occ.year && ex.month == occ.month && ex.day == occ.day)
				return true;
			continue;
		}
		icaltimezone *zone = icaltime_is_utc(ex) ? NULL : resolve_zone(x, p);
		if (to_instant(ex, zone) == instant)
			return true;
	}
	return false;
}

/* One instance of a series before EXDATE and overrides apply: rid is the instant it starts at
 * by the rule (its RECURRENCE-ID), occ the same in the zone it was written in. */
struct instance {
	rs_time rid;
	struct icaltimetype occ;
	icaltimezone *zone;
	rs_time end;  /* by the master's duration, or an RDATE PERIOD's own */
	size_t order; /* DTSTART, RRULE instances, then RDATEs: the first of equal rids is kept */
};

struct series {
	struct expand *x;
	icalcomponent *comp;
	const struct master *m;
	const struct overrides *o;
	const char *uid;
	rs_time reach_s; /* how far THISANDFUTURE overrides move instances, either way */
	struct instance *items;
	size_t count, cap;
};

/* Keeps an instance that can reach the window once a THISANDFUTURE shift is applied. */
static void
series_add(struct series *s, struct icaltimetype occ, icaltimezone *zone, rs_time rid, rs_time end)
{
	if (rid >= s->x->to + s->reach_s || end + s->reach_s < s->x->from)
		return;
	if (s->count >= 2 * (size_t)ICAL_MAX_EVENTS)
		return;
	if (s->count == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 32;
		s->items = xrealloc(s->items, s->cap * sizeof(*s->items));
	}
	s->items[s->count] = (struct instance){ rid, occ, zone, end, s->count };
	s->count++;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long
day_number(int year, int month, int day)
{
	long y = year - (month <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The day number of the first day of t's week, weeks starting on wkst (1 = Sunday … 7). */
static long
week_of(struct icaltimetype t, int wkst)
{
	return day_number(t.year, t.month, t.day) - (icaltime_day_of_week(t) - wkst + 7) % 7;
}

/* Adds the instances of one RRULE; false when libical refuses the rule.
 *
 * RFC 5545 3.3.10: a WEEKLY rule with INTERVAL > 1 and BYDAY takes every INTERVAL-th week,
 * counted from the week that holds DTSTART, weeks starting on WKST (Monday unless said).
 * libical 3.0 starts counting a week early when a BYDAY day comes before WKST in the week
 * (libical PR 190; tests/fixtures/regress/ical/differential-17-215: INTERVAL=4;BYDAY=SU from
 * 15 August gave 6 September, not 16 August). Such a rule is iterated every week and the
 * weeks are picked here, COUNT counted here (not with BYSETPOS, which needs libical's weeks). */
static bool
expand_rule(struct series *s, struct icalrecurrencetype rule, struct icaltimetype dtstart)
{
	int every_weeks = 1, count = 0, kept = 0;
	int wkst = rule.week_start == ICAL_NO_WEEKDAY ? ICAL_MONDAY_WEEKDAY : (int)rule.week_start;
	if (rule.freq == ICAL_WEEKLY_RECURRENCE && rule.interval > 1 && rule.by_day[0] != ICAL_RECURRENCE_ARRAY_MAX &&
		rule.by_set_pos[0] == ICAL_RECURRENCE_ARRAY_MAX) {
		every_weeks = rule.interval;
		count = rule.count;
		rule.interval = 1;
		rule.count = 0;
	}
	long first_week = week_of(dtstart, wkst);
	icalrecur_iterator *it = icalrecur_iterator_new(rule, dtstart);
	if (!it)
		return false;
	for (long steps = 0; steps < MAX_RECURRENCE_STEPS; steps++) {
		struct icaltimetype occ = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(occ))
			break;
		if (every_weeks > 1) {
			if (icaltime_compare(occ, dtstart) < 0 || (week_of(occ, wkst) - first_week) / 7 % every_weeks)
				continue;
			if (count > 0 && kept++ >= count)
				break;
		}
		rs_time rid = to_instant(occ, s->m->zone);
		if (rid >= s->x->to + s->reach_s)
			break;
		series_add(s, occ, s->m->zone, rid, instance_end(s->m, occ, s->m->zone, rid));
	}
	icalrecur_iterator_free(it);
	return true;
}

#define MAX_RRULES 16 /* RRULE properties read from one component */

/* RFC 5545 3.8.5.3 (and RFC 2445 4.8.5.4, which still allowed several RRULEs): the recurrence set
 * is the union of DTSTART, every RRULE's instances and the RDATEs, duplicates counted once.
 * DTSTART is the first instance even when the rule would not produce it, which libical's
 * iterator does not do. */
static void
collect_rrules(struct series *s)
{
	icalproperty *rules[MAX_RRULES];
	size_t n = 0;
	for (icalproperty *p = icalcomponent_get_first_property(s->comp, ICAL_RRULE_PROPERTY); p && n < MAX_RRULES;
		p = icalcomponent_get_next_property(s->comp, ICAL_RRULE_PROPERTY))
		rules[n++] = p;
	struct icaltimetype dtstart = s->m->dtstart;
	if (s->m->zone)
		dtstart = icaltime_set_timezone(&dtstart, s->m->zone);
	for (size_t i = 0; i < n; i++) {
		struct icalrecurrencetype rule = icalproperty_get_rrule(rules[i]);
		if (rule.freq != ICAL_NO_RECURRENCE && !expand_rule(s, rule, dtstart)) {
			s->x->stats->skipped++;
			log_warn("skipping an RRULE of '%.80s': it is invalid", s->uid ? s->uid : "");
		}
	}
}

#define MAX_RDATES 1000 /* RDATE properties read from one component */

static void
collect_rdates(struct series *s)
{
	/* A component has ONE property iterator, and resolve_zone() and is_excluded() walk others with
	 * it: take the RDATEs out first, or the walk restarts forever (found by fuzzing: an EXDATE
	 * before an RDATE of the same instant; tests/fixtures/regress/ical/). */
	icalproperty *rdates[MAX_RDATES];
	size_t n = 0;
	for (icalproperty *p = icalcomponent_get_first_property(s->comp, ICAL_RDATE_PROPERTY); p && n < MAX_RDATES;
		p = icalcomponent_get_next_property(s->comp, ICAL_RDATE_PROPERTY))
		rdates[n++] = p;
	for (size_t i = 0; i < n; i++) {
		struct icaldatetimeperiodtype rd = icalproperty_get_rdate(rdates[i]);
		icaltimezone *zone = resolve_zone(s->x, rdates[i]);
		if (!zone && !icaltime_is_utc(rd.time) && !icaltime_is_utc(rd.period.start))
			zone = s->m->zone;
		if (!icaltime_is_null_time(rd.time)) {
			rs_time rid = to_instant(rd.time, zone);
			series_add(s, rd.time, zone, rid, instance_end(s->m, rd.time, zone, rid));
		} else if (!icaltime_is_null_time(rd.period.start)) {
			rs_time rid = to_instant(rd.period.start, zone);
			struct master one = *s->m;
			one.has_dtend = false;
			one.length = rd.period.duration;
			rs_time end = icaltime_is_null_time(rd.period.end)
					      ? instance_end(&one, rd.period.start, zone, rid)
					      : to_instant(rd.period.end, zone);
			series_add(s, rd.period.start, zone, rid, end < rid ? rid : end);
		}
	}
}

static int
compare_instances(const void *a, const void *b)
{
	const struct instance *l = a, *r = b;
	if (l->rid != r->rid)
		return l->rid < r->rid ? -1 : 1;
	return l->order < r->order ? -1 : l->order > r->order;
}

/* Emits one instance: as the master wrote it, or moved and changed by the THISANDFUTURE override
 * in force; EXDATEs and single overrides refer to the instance's original start (its rid). */
static void
emit_instance(struct series *s, const struct instance *in)
{
	if (is_excluded(s->x, s->comp, in->occ, in->rid) || is_overridden(s->o, s->uid, in->rid))
		return;
	const struct override *future = future_override(s->o, s->uid, in->rid);
	if (future && future->is_cancelled)
		return;
	if (!future) {
		add_occurrence(s->x, s->comp, in->rid, in->end, s->m->dtstart.is_date);
		return;
	}
	/* Moved on the wall clock, so that a series keeps its local hour across a DST change. */
	struct icaldurationtype shift = icaldurationtype_from_int((int)future->shift_s);
	rs_time start = future->shift_s ? to_instant(icaltime_add(in->occ, shift), in->zone) : in->rid;
	add_occurrence(s->x, future->comp, start, start + future->length_s, s->m->dtstart.is_date);
}

static void
expand_series(struct expand *x, icalcomponent *comp, const struct master *m, const struct overrides *o)
{
	struct series s = { .x = x, .comp = comp, .m = m, .o = o, .uid = icalcomponent_get_uid(comp) };
	for (size_t i = 0; i < o->count; i++)
		if (o->items[i].is_future && s.uid && o->items[i].uid && strcmp(o->items[i].uid, s.uid) == 0) {
			rs_time reach = o->items[i].shift_s < 0 ? -o->items[i].shift_s : o->items[i].shift_s;
			if (reach > s.reach_s)
				s.reach_s = reach;
		}
	series_add(&s, m->dtstart, m->zone, m->start, instance_end(m, m->dtstart, m->zone, m->start));
	collect_rrules(&s);
	collect_rdates(&s);
	if (s.count > 1) /* qsort(NULL, 0, …) is undefined */
		qsort(s.items, s.count, sizeof(*s.items), compare_instances);
	for (size_t i = 0; i < s.count; i++)
		if (i == 0 || s.items[i].rid != s.items[i - 1].rid)
			emit_instance(&s, &s.items[i]);
	free(s.items);
}

static bool
is_cancelled(icalcomponent *comp)
{
	return icalcomponent_get_status(comp) == ICAL_STATUS_CANCELLED;
}

static void
skip(struct expand *x, icalcomponent *comp, const char *why)
{
	const char *uid = icalcomponent_get_uid(comp);
	x->stats->skipped++;
	log_warn("skipping an event (UID %.80s): %s", uid ? uid : "none", why);
}

static void
collect_overrides(struct expand *x, icalcomponent *cal, struct overrides *o)
{
	for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); c;
		c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		struct icaltimetype rid;
		icaltimezone *zone;
		if (!prop_time(x, c, ICAL_RECURRENCEID_PROPERTY, &rid, &zone))
			continue;
		if (o->count == o->cap) {
			o->cap = o->cap ? o->cap * 2 : 16;
			o->items = xrealloc(o->items, o->cap * sizeof(*o->items));
		}
		struct override *v = &o->items[o->count++];
		*v = (struct override){ .uid = icalcomponent_get_uid(c), .rid = to_instant(rid, zone), .comp = c };
		icalproperty *p = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
		icalparameter *range = icalproperty_get_first_parameter(p, ICAL_RANGE_PARAMETER);
		struct master own;
		if (range && icalparameter_get_range(range) == ICAL_RANGE_THISANDFUTURE && read_span(x, c, &own) &&
			own.start - v->rid <= MAX_SHIFT_S && v->rid - own.start <= MAX_SHIFT_S) {
			v->is_future = true;
			v->is_cancelled = is_cancelled(c); /* the rest of the series is cancelled */
			v->shift_s = own.start - v->rid;
			v->length_s = own.end - own.start;
		}
	}
}

/* A master (a VEVENT without RECURRENCE-ID) and what decides between copies of its UID. */
struct master_copy {
	const char *uid;
	int sequence;
	rs_time stamp;
	size_t order;
	icalcomponent *comp;
};

static int
compare_copies(const void *a, const void *b)
{
	const struct master_copy *l = a, *r = b;
	int c = strcmp(l->uid, r->uid);
	if (c)
		return c;
	if (l->sequence != r->sequence) /* the highest SEQUENCE first … */
		return l->sequence > r->sequence ? -1 : 1;
	if (l->stamp != r->stamp) /* … then the latest DTSTAMP … */
		return l->stamp > r->stamp ? -1 : 1;
	return l->order > r->order ? -1 : l->order < r->order; /* … then the last in the file */
}

static int
compare_pointers(const void *a, const void *b)
{
	uintptr_t l = (uintptr_t) * (icalcomponent *const *)a, r = (uintptr_t) * (icalcomponent *const *)b;
	return l < r ? -1 : l > r;
}

/* The same UID published twice without RECURRENCE-ID (a feed re-exporting an edited series):
 * only the copy with the highest SEQUENCE, then the latest DTSTAMP, counts (RFC 5545 3.8.7.4
 * and 3.8.7.2; RFC 5546 2.1.5, a newer SEQUENCE supersedes the whole component). Returns the
 * superseded copies, sorted for bsearch, and their number. */
static icalcomponent **
superseded_masters(icalcomponent *cal, size_t *count_out)
{
	struct master_copy *copies = NULL;
	size_t n = 0, cap = 0, order = 0;
	*count_out = 0;
	for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); c;
		c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT), order++) {
		const char *uid = icalcomponent_get_uid(c);
		if (!uid || icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			copies = xrealloc(copies, cap * sizeof(*copies));
		}
		icalproperty *stamp = icalcomponent_get_first_property(c, ICAL_DTSTAMP_PROPERTY);
		struct icaltimetype t = stamp ? icalproperty_get_dtstamp(stamp) : icaltime_null_time();
		copies[n++] = (struct master_copy){ uid, icalcomponent_get_sequence(c),
			icaltime_is_null_time(t) ? 0 : to_instant(t, NULL), order, c };
	}
	if (n > 1)
		qsort(copies, n, sizeof(*copies), compare_copies);
	icalcomponent **losers = NULL;
	for (size_t i = 1; i < n; i++)
		if (strcmp(copies[i].uid, copies[i - 1].uid) == 0) {
			if (!losers)
				losers = xmalloc(n * sizeof(*losers));
			if (*count_out == 0 ||
				strcmp(copies[i].uid, icalcomponent_get_uid(losers[*count_out - 1])) != 0)
				log_info("UID %.80s appears more than once without RECURRENCE-ID: using the copy with "
					 "SEQUENCE %d",
					copies[i].uid, copies[i - 1].sequence);
			losers[(*count_out)++] = copies[i].comp;
		}
	free(copies);
	if (losers)
		qsort(losers, *count_out, sizeof(*losers), compare_pointers);
	return losers;
}

static void
expand_calendar(struct expand *x, icalcomponent *cal)
{
	struct overrides o = { 0 };
	x->root = cal;
	collect_overrides(x, cal, &o);
	size_t superseded_count;
	icalcomponent **superseded = superseded_masters(cal, &superseded_count);
	for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); c;
		c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		struct master m;
		x->stats->components++;
		if (is_cancelled(c))
			continue;
		if (superseded && bsearch(&c, superseded, superseded_count, sizeof(*superseded), compare_pointers))
			continue;
		if (!read_span(x, c, &m)) {
			skip(x, c, "no valid DTSTART/DTEND/DURATION");
			continue;
		}
		bool is_override = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY) != NULL;
		bool recurs = !is_override && (icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY) ||
						      icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY));
		if (recurs)
			expand_series(x, c, &m, &o);
		else
			add_occurrence(x, c, m.start, m.end, m.dtstart.is_date);
	}
	free(superseded);
	free(o.items);
}

bool
ical_parse_events(const char *text, size_t len, rs_time from, rs_time to, const char *href, const char *etag,
	struct event **events, size_t *count, struct ical_stats *stats)
{
	struct ical_stats local = { 0 };
	struct expand x = { .from = from,
		.to = to,
		.href = href,
		.etag = etag,
		.events = events,
		.count = count,
		.cap = *count,
		.stats = stats ? stats : &local };
	if (len > (size_t)MAX_TEXT_LEN)
		return false;
	char *copy;
	if (memmem(text, len, "BEGIN:VCALENDAR", 15)) {
		copy = xstrndup(text, len);
	} else if (memmem(text, len, "BEGIN:VEVENT", 12)) {
		/* VEVENTs without the VCALENDAR around them, as some exports write: read them as one
		 * calendar rather than reject the file, and say so. */
		log_info("no BEGIN:VCALENDAR: reading the VEVENTs (%zu bytes) as one calendar", len);
		copy = xasprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//roomsign//unwrapped//EN\r\n%.*s\r\n"
				 "END:VCALENDAR\r\n",
			(int)len, text);
	} else {
		return false;
	}
	icalerror_set_errors_are_fatal(0);
	icalcomponent *root = icalparser_parse_string(copy);
	free(copy);
	if (!root)
		return false;
	bool found = false;
	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT) {
		expand_calendar(&x, root);
		found = true;
	} else {
		for (icalcomponent *c = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT); c;
			c = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT)) {
			expand_calendar(&x, c);
			found = true;
		}
	}
	icalcomponent_free(root);
	if (*count >= ICAL_MAX_EVENTS)
		log_warn("calendar holds more than %d occurrences in the window: the rest are not shown",
			ICAL_MAX_EVENTS);
	return found;
}

char *
ical_make_event(const char *uid, rs_time start, rs_time end, const char *subject, const char *organizer_email,
	const char *attendee_email, rs_time now)
{
	icaltimezone *utc = icaltimezone_get_utc_timezone();
	icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_prodid("-//roomsign//roomsign " ROOMSIGN_VERSION "//EN"));
	icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	icalcomponent_add_property(ev, icalproperty_new_uid(uid));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(icaltime_from_timet_with_zone((time_t)now, 0, utc)));
	icalcomponent_add_property(ev, icalproperty_new_created(icaltime_from_timet_with_zone((time_t)now, 0, utc)));
	icalcomponent_add_property(ev, icalproperty_new_dtstart(icaltime_from_timet_with_zone((time_t)start, 0, utc)));
	icalcomponent_add_property(ev, icalproperty_new_dtend(icaltime_from_timet_with_zone((time_t)end, 0, utc)));
	icalcomponent_add_property(ev, icalproperty_new_summary(subject ? subject : ""));
	icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
	icalproperty *marker = icalproperty_new_x("1");
	icalproperty_set_x_name(marker, "X-ROOMSIGN-BOOKED");
	icalcomponent_add_property(ev, marker);
	if (organizer_email) {
		char *mailto = xasprintf("mailto:%s", organizer_email);
		icalcomponent_add_property(ev, icalproperty_new_organizer(mailto));
		free(mailto);
	}
	if (attendee_email) {
		char *mailto = xasprintf("mailto:%s", attendee_email);
		icalproperty *att = icalproperty_new_attendee(mailto);
		icalproperty_add_parameter(att, icalparameter_new_cutype(ICAL_CUTYPE_ROOM));
		icalproperty_add_parameter(att, icalparameter_new_partstat(ICAL_PARTSTAT_ACCEPTED));
		icalcomponent_add_property(ev, att);
		free(mailto);
	}
	icalcomponent_add_component(cal, ev);
	char *text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	char *out = xstrdup(text);
	free(text);
	return out;
}
