#include "view.h"
#include <stdio.h>
#include <string.h>
#include "../core/booking.h"
#include "../core/timeutil.h"
#include <cjson/cJSON.h>
#include <stddef.h>
#include "i18n.h"
#include "json.h"
#include "theme.h"

#define TIMELINE_FIRST_HOUR 7
#define TIMELINE_LAST_HOUR  19

void
view_subject(const struct event *e, enum subject_policy policy, char *buf, size_t size)
{
	const char *org = e->organizer && *e->organizer ? e->organizer : NULL;
	if (e->is_private)
		snprintf(buf, size, "%s", _("Private meeting"));
	else if (policy == SUBJECT_HIDE)
		snprintf(buf, size, "%s", _("Booked"));
	else if (policy == SUBJECT_ORGANIZER)
		snprintf(buf, size, "%s", org ? org : _("Booked"));
	else if (event_has_own_subject(e))
		snprintf(buf, size, "%s", e->subject);
	else if (org) /* the room mailbox replaced or deleted the subject: say who booked, once */
		snprintf(buf, size, _("Booked by %s"), org);
	else
		snprintf(buf, size, "%s", _("Booked"));
}

static void
add_button(struct view *v, const char *id, const char *label, bool primary)
{
	if (v->button_count == VIEW_MAX_BUTTONS)
		return;
	struct view_button *b = &v->buttons[v->button_count++];
	snprintf(b->id, sizeof(b->id), "%s", id);
	snprintf(b->label, sizeof(b->label), "%s", label);
	b->primary = primary;
}

static void
hm(rs_time t, char *buf, size_t size)
{
	time_format_hm(t, buf, size);
}

static void
range(rs_time a, rs_time b, char *buf, size_t size)
{
	char x[8], y[8];
	hm(a, x, sizeof(x));
	hm(b, y, sizeof(y));
	snprintf(buf, size, "%s–%s", x, y);
}

static void
status_text(const struct view_input *in, struct view *v)
{
	const struct room_state *s = in->state;
	char t[8];
	const struct theme *th = &v->theme;
	const uint32_t colours[] = { th->free, th->busy, th->soon, th->checkin };
	const uint32_t texts[] = { th->on_free, th->on_busy, th->on_soon, th->on_checkin };
	/* ✔ free, ✖ busy, ◷ starting soon, ⚑ check in: a shape as well as a colour and a word */
	static const char *const icons[] = { "\u2714", "\u2716", "\u25f7", "\u2691" };
	v->status = s->status;
	v->status_colour = colours[s->status];
	v->status_text_colour = texts[s->status];
	snprintf(v->status_icon, sizeof(v->status_icon), "%s", icons[s->status]);
	switch (s->status) {
	case ROOM_FREE:
		snprintf(v->status_word, sizeof(v->status_word), "%s", _("FREE"));
		if (s->free_until) {
			hm(s->free_until, t, sizeof(t));
			snprintf(v->status_line, sizeof(v->status_line), _("Free until %s"), t);
		} else {
			snprintf(v->status_line, sizeof(v->status_line), "%s", _("Free for the rest of the day"));
		}
		break;
	case ROOM_SOON:
		snprintf(v->status_word, sizeof(v->status_word), "%s", _("STARTING SOON"));
		hm(s->next->start, t, sizeof(t));
		snprintf(v->status_line, sizeof(v->status_line), _("Next meeting at %s"), t);
		break;
	case ROOM_BUSY:
		snprintf(v->status_word, sizeof(v->status_word), "%s", _("BUSY"));
		hm(s->busy_until, t, sizeof(t));
		snprintf(v->status_line, sizeof(v->status_line), _("Busy until %s"), t);
		break;
	case ROOM_CHECKIN:
		snprintf(v->status_word, sizeof(v->status_word), "%s", _("CHECK IN"));
		hm(s->checkin_deadline, t, sizeof(t));
		snprintf(v->status_line, sizeof(v->status_line), _("Check in by %s or the room is released"), t);
		break;
	}
}

static void
meeting_text(const struct view_input *in, struct view *v)
{
	const struct room_state *s = in->state;
	const struct event *e = s->current ? s->current : s->checkin ? s->checkin : s->next;
	if (!e)
		return;
	if (!s->current && !s->checkin && e->start >= time_day_end(in->now))
		return; /* nothing more today */
	view_subject(e, in->config->subject, v->title, sizeof(v->title));
	/* "Booked by <organizer>" in the title already names them */
	if (e->organizer && *e->organizer && !e->is_private && in->config->subject == SUBJECT_SHOW &&
		event_has_own_subject(e))
		snprintf(v->organizer, sizeof(v->organizer), "%s", e->organizer);
	range(e->start, e->end, v->time_range, sizeof(v->time_range));
}

static void
next_rows(const struct view_input *in, struct view *v)
{
	const struct schedule *sch = in->schedule;
	const struct room_state *s = in->state;
	rs_time day_end = time_day_end(in->now);
	snprintf(v->next_heading, sizeof(v->next_heading), "%s", _("Later today"));
	for (size_t i = 0; sch && i < sch->count && v->next_count < VIEW_MAX_NEXT; i++) {
		const struct event *e = &sch->events[i];
		if (e->all_day || e->start >= day_end || e->end <= in->now || e == s->current)
			continue;
		if (!s->current && e == s->next && v->title[0] && e->start > in->now)
			continue; /* already shown large */
		struct view_row *r = &v->next[v->next_count++];
		range(e->start, e->end, r->time, sizeof(r->time));
		view_subject(e, in->config->subject, r->text, sizeof(r->text));
		r->dim = e->show_as == SHOW_TENTATIVE || e->show_as == SHOW_FREE;
	}
	if (v->next_count == 0)
		snprintf(v->next[v->next_count++].text, sizeof(v->next[0].text), "%s", _("No more meetings today"));
	for (size_t i = 0; sch && i < sch->count; i++) {
		const struct event *e = &sch->events[i];
		if (!e->all_day || e->start >= day_end || e->end <= in->now)
			continue;
		char subject[160];
		view_subject(e, in->config->subject, subject, sizeof(subject));
		size_t len = strlen(v->all_day);
		snprintf(v->all_day + len, sizeof(v->all_day) - len, "%s%s", len ? " · " : "", subject);
	}
}

static void
timeline(const struct view_input *in, struct view *v)
{
	rs_time day = time_day_start(in->now);
	struct tm tm;
	int first = TIMELINE_FIRST_HOUR, last = TIMELINE_LAST_HOUR;
	const struct schedule *sch = in->schedule;
	for (size_t i = 0; sch && i < sch->count; i++) {
		const struct event *e = &sch->events[i];
		if (e->all_day || e->end <= day || e->start >= time_day_end(in->now))
			continue;
		time_local(e->start < day ? day : e->start, &tm);
		if (tm.tm_hour < first)
			first = tm.tm_hour;
		time_local(e->end - 1, &tm);
		if (tm.tm_mday == 0 || (e->end - day) >= TIME_DAY)
			last = 24;
		else if (tm.tm_hour + 1 > last)
			last = tm.tm_hour + 1;
	}
	time_local(in->now, &tm);
	if (tm.tm_hour < first)
		first = tm.tm_hour;
	if (tm.tm_hour + 1 > last)
		last = tm.tm_hour + 1;
	rs_time from = day + first * TIME_HOUR, to = day + last * TIME_HOUR;
	/* On DST days an hour more or less: measure with real instants. */
	from = time_from_local(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, first, 0, 0);
	to = last == 24 ? time_day_end(in->now)
			: time_from_local(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, last, 0, 0);
	float span = (float)(to - from);
	snprintf(v->timeline_from, sizeof(v->timeline_from), "%02d:00", (first % 24 + 24) % 24);
	snprintf(v->timeline_to, sizeof(v->timeline_to), "%02d:00", (last % 24 + 24) % 24);
	for (size_t i = 0; sch && i < sch->count && v->block_count < VIEW_MAX_BLOCKS; i++) {
		const struct event *e = &sch->events[i];
		if (e->all_day || !event_blocks_room(e) || e->end <= from || e->start >= to)
			continue;
		struct view_block *b = &v->blocks[v->block_count++];
		b->from = (float)((e->start < from ? from : e->start) - from) / span;
		b->to = (float)((e->end > to ? to : e->end) - from) / span;
		b->tentative = e->show_as == SHOW_TENTATIVE;
	}
	v->now_pos = in->now >= from && in->now <= to ? (float)(in->now - from) / span : -1.0f;
}

static void
home_buttons(const struct view_input *in, struct view *v)
{
	const struct config *c = in->config;
	const struct room_state *s = in->state;
	char id[32], label[64];
	bool can_book = c->booking.enabled && !in->read_only && in->sync->has_schedule;
	if (can_book && s->checkin)
		add_button(v, "check-in", _("Check in"), true);
	if (can_book && !s->current) {
		int minutes[BOOKING_MAX_OPTIONS];
		size_t n = booking_durations(in->schedule, in->now, c->booking.durations, c->booking.duration_count,
			minutes, BOOKING_MAX_OPTIONS);
		for (size_t i = 0; i < n; i++) {
			snprintf(id, sizeof(id), "book-%d", minutes[i]);
			snprintf(label, sizeof(label), _("%d min"), minutes[i]);
			add_button(v, id, label, true);
		}
	}
	if (can_book && s->current) {
		bool own = s->current->booked_here;
		if (c->booking.extend && (own || c->booking.end_early == END_EARLY_ALL)) {
			int ext[2];
			size_t n = booking_extensions(in->schedule, s->current, ext, 2);
			for (size_t i = 0; i < n; i++) {
				snprintf(id, sizeof(id), "extend-%d", ext[i]);
				snprintf(label, sizeof(label), _("+%d min"), ext[i]);
				add_button(v, id, label, false);
			}
		}
		if (c->booking.end_early == END_EARLY_ALL || (c->booking.end_early == END_EARLY_OWN && own))
			add_button(v, "end-early", _("End now"), false);
	}
	if (c->source.nearby_count > 0)
		add_button(v, "find-room", _("Find a room"), false);
	if (c->report.to)
		add_button(v, "report", _("Report a problem"), false);
	if (c->display.admin_pin && *c->display.admin_pin)
		add_button(v, "admin", "⚙", false);
}

const char *
view_sync_sentence(enum source_category category)
{
	switch (category) {
	case SOURCE_ERR_NETWORK: return _("The calendar server cannot be reached. The sign keeps trying.");
	case SOURCE_ERR_AUTH: return _("The sign cannot sign in to the calendar. Please tell IT.");
	case SOURCE_ERR_PERMISSION: return _("The sign may not read this room's calendar. Please tell IT.");
	case SOURCE_ERR_NOT_FOUND: return _("The room's calendar was not found. Please tell IT.");
	case SOURCE_ERR_THROTTLED: return _("The calendar server is busy. The sign tries again soon.");
	case SOURCE_ERR_CONFIG:
	case SOURCE_ERR_UNSUPPORTED: return _("The sign's settings need attention. Please tell IT.");
	default: return _("The calendar server gave an unexpected answer. The sign keeps trying.");
	}
}

static void
notice(const struct view_input *in, struct view *v)
{
	const struct sync_status *sync = in->sync;
	char t[8];
	if (sync->last_error[0] && sync->last_ok) {
		hm(sync->last_ok, t, sizeof(t));
		snprintf(v->notice, sizeof(v->notice), _("Offline since %s – showing the last known schedule"), t);
		v->notice_error = true;
	} else if (sync->last_error[0]) {
		/* Never the detail: it names accounts, URLs, tenants or a server's calendar list. */
		snprintf(v->notice, sizeof(v->notice), "%s", view_sync_sentence(sync->last_error_category));
		v->notice_error = true;
	} else if (sync->stale) {
		snprintf(v->notice, sizeof(v->notice), "%s", _("Updating…"));
	}
}

static void
confirm_dialog(const struct view_input *in, struct view *v)
{
	const struct ui_state *ui = in->ui;
	char a[8], b[8];
	v->kind = VIEW_DIALOG;
	if (ui->pending == UI_ACT_BOOK) {
		hm(booking_start(in->now), a, sizeof(a));
		hm(booking_end(in->now, ui->pending_minutes), b, sizeof(b));
		snprintf(v->heading, sizeof(v->heading), _("Book %s?"), in->config->room_name);
		snprintf(v->text, sizeof(v->text), _("From now (%s) until %s."), a, b);
		add_button(v, "confirm", _("Book"), true);
	} else {
		snprintf(v->heading, sizeof(v->heading), "%s", _("End the meeting now?"));
		snprintf(v->text, sizeof(v->text), "%s", _("The room becomes free for others."));
		add_button(v, "confirm", _("End now"), true);
	}
	add_button(v, "cancel", _("Cancel"), false);
}

static void
working_dialog(const struct view_input *in, struct view *v)
{
	static const char *const texts[] = {
		[UI_ACT_BOOK] = N_("Booking…"),
		[UI_ACT_EXTEND] = N_("Extending…"),
		[UI_ACT_END] = N_("Ending the meeting…"),
		[UI_ACT_CHECKIN] = N_("Checking in…"),
	};
	enum ui_action_kind k = in->ui->pending;
	v->kind = VIEW_DIALOG;
	if (k == UI_ACT_REPORT) {
		snprintf(v->heading, sizeof(v->heading), "%s", _("Sending the report…"));
		snprintf(v->text, sizeof(v->text), "%s", _("Waiting for the server to confirm."));
		return;
	}
	snprintf(
		v->heading, sizeof(v->heading), "%s", k <= UI_ACT_CHECKIN && texts[k] ? _(texts[k]) : _("One moment…"));
	snprintf(v->text, sizeof(v->text), "%s", _("Waiting for the calendar server to confirm."));
}

static void
message_dialog(const struct view_input *in, struct view *v)
{
	v->kind = VIEW_DIALOG;
	v->ok = in->ui->message_ok;
	snprintf(v->heading, sizeof(v->heading), "%s", v->ok ? _("Done") : _("That did not work"));
	snprintf(v->text, sizeof(v->text), "%s", in->ui->message);
	add_button(v, "ok", _("OK"), true);
}

/* A room on the "Find a room" list that can be booked from there: known free now, on a sign
 * that books. */
static bool
nearby_bookable(const struct view_input *in, size_t i)
{
	const struct room_availability *r = &in->rooms[i];
	return in->config->booking.enabled && !in->read_only && r->ok && r->busy_until <= in->now &&
	       (!r->free_until || r->free_until > in->now);
}

static const char *
room_label(const struct room_availability *r)
{
	return r->name ? r->name : r->room;
}

static void
find_room_list(const struct view_input *in, struct view *v)
{
	v->kind = VIEW_LIST;
	snprintf(v->heading, sizeof(v->heading), "%s", _("Free rooms nearby"));
	if (in->rooms_loading && in->room_count == 0)
		snprintf(v->text, sizeof(v->text), "%s", _("Looking…"));
	for (size_t i = 0; i < in->room_count && v->line_count < VIEW_MAX_LINES; i++) {
		const struct room_availability *r = &in->rooms[i];
		struct view_row *row = &v->lines[v->line_count++];
		char t[8];
		snprintf(row->time, sizeof(row->time), "%s", room_label(r));
		if (!r->ok) {
			snprintf(row->text, sizeof(row->text), "%s", _("unknown"));
			row->dim = true;
		} else if (r->busy_until > in->now) {
			hm(r->busy_until, t, sizeof(t));
			snprintf(row->text, sizeof(row->text), _("busy until %s"), t);
			row->dim = true;
		} else if (r->free_until) {
			hm(r->free_until, t, sizeof(t));
			snprintf(row->text, sizeof(row->text), _("free until %s"), t);
		} else {
			snprintf(row->text, sizeof(row->text), "%s", _("free all day"));
		}
	}
	/* The free rooms that can be booked from here: one button each, in the lower third. */
	size_t bookable = 0;
	for (size_t i = 0; i < in->room_count && bookable < VIEW_MAX_ROOM_BUTTONS; i++) {
		if (nearby_bookable(in, i)) {
			char id[32];
			snprintf(id, sizeof(id), "room-%zu", i);
			add_button(v, id, room_label(&in->rooms[i]), false);
			bookable++;
		}
	}
	add_button(v, "refresh", _("Refresh"), false);
	add_button(v, "back", _("Back"), true);
}

/* A free room of the list, chosen: its durations (the configured ones that end while it is still
 * free). The booking goes to that room's calendar. */
static void
room_book(const struct view_input *in, struct view *v)
{
	const struct config *c = in->config;
	size_t i = (size_t)in->ui->room;
	v->kind = VIEW_DIALOG;
	if (i >= in->room_count || !nearby_bookable(in, i)) {
		snprintf(v->heading, sizeof(v->heading), "%s", _("Find a room"));
		snprintf(v->text, sizeof(v->text), "%s", _("That room is not free any more."));
		add_button(v, "back", _("Back"), true);
		return;
	}
	const struct room_availability *r = &in->rooms[i];
	char t[8], id[32], label[64];
	snprintf(v->heading, sizeof(v->heading), _("Book %s"), room_label(r));
	int minutes[BOOKING_MAX_OPTIONS];
	size_t n = booking_durations_until(
		in->now, r->free_until, c->booking.durations, c->booking.duration_count, minutes, BOOKING_MAX_OPTIONS);
	if (r->free_until) {
		hm(r->free_until, t, sizeof(t));
		snprintf(v->text, sizeof(v->text),
			n ? _("Free until %s. For how long?") : _("Free until %s: too short to book."), t);
	} else {
		snprintf(v->text, sizeof(v->text), "%s", _("Free all day. For how long?"));
	}
	for (size_t k = 0; k < n; k++) {
		snprintf(id, sizeof(id), "room-book-%d", minutes[k]);
		snprintf(label, sizeof(label), _("%d min"), minutes[k]);
		add_button(v, id, label, true);
	}
	add_button(v, "back", _("Back"), false);
}

/* The problems of [report] problems, one button each: "coffee-machine" reads "Coffee machine". */
static void
report_list(const struct view_input *in, struct view *v)
{
	const struct report_config *r = &in->config->report;
	v->kind = VIEW_DIALOG;
	snprintf(v->heading, sizeof(v->heading), "%s", _("What is the problem?"));
	snprintf(v->text, sizeof(v->text), _("Facilities get a message naming %s and the time."),
		in->config->room_name ? in->config->room_name : "");
	for (size_t i = 0; i < r->problem_count; i++) {
		char id[32], label[64];
		snprintf(id, sizeof(id), "report-%s", r->problems[i]);
		snprintf(label, sizeof(label), "%s", r->problems[i]);
		for (char *p = label; *p; p++)
			if (*p == '-' || *p == '_')
				*p = ' ';
		if (label[0] >= 'a' && label[0] <= 'z')
			label[0] = (char)(label[0] - 'a' + 'A');
		add_button(v, id, label, false);
	}
	add_button(v, "cancel", _("Cancel"), false);
}

static void
admin_list(const struct view_input *in, struct view *v)
{
	const struct sync_status *sync = in->sync;
	char t[32];
	v->kind = VIEW_LIST;
	snprintf(v->heading, sizeof(v->heading), "%s", _("Administration"));
	struct {
		const char *label;
		char value[600];
	} rows[6];
	size_t n = 0;
	rows[n].label = _("Version");
	snprintf(rows[n++].value, sizeof(rows[0].value), "%s", ROOMSIGN_VERSION);
	rows[n].label = _("Address");
	snprintf(rows[n++].value, sizeof(rows[0].value), "%s", in->address && *in->address ? in->address : "-");
	rows[n].label = _("Calendar");
	snprintf(rows[n++].value, sizeof(rows[0].value), "%s", source_type_name(in->config->source.type));
	rows[n].label = _("Last sync");
	if (sync->last_ok) {
		time_format_utc(sync->last_ok, t, sizeof(t));
		snprintf(rows[n++].value, sizeof(rows[0].value), "%s", t);
	} else {
		snprintf(rows[n++].value, sizeof(rows[0].value), "%s", _("never"));
	}
	rows[n].label = _("Last error");
	snprintf(rows[n++].value, sizeof(rows[0].value), "%s", sync->last_error[0] ? sync->last_error : _("none"));
	for (size_t i = 0; i < n; i++) {
		snprintf(v->lines[i].time, sizeof(v->lines[i].time), "%s", rows[i].label);
		snprintf(v->lines[i].text, sizeof(v->lines[i].text), "%.199s", rows[i].value);
	}
	v->line_count = n;
	add_button(v, "refresh", _("Refresh now"), false);
	add_button(v, "back", _("Back"), true);
}

static void
pin_pad(const struct view_input *in, struct view *v)
{
	v->kind = VIEW_PIN;
	uint64_t wait_s = (ui_pin_wait_ms(in->ui, in->ui->clock_ms) + 999) / 1000;
	if (wait_s > 0)
		snprintf(v->heading, sizeof(v->heading), _("Too many wrong PINs. Next try in %d s."), (int)wait_s);
	else
		snprintf(v->heading, sizeof(v->heading), "%s",
			in->ui->pin_wrong ? _("Wrong PIN") : _("Enter the admin PIN"));
	size_t n = strlen(in->ui->pin);
	for (size_t i = 0; i < n && i < UI_PIN_MAX; i++)
		v->pin_mask[i] = '*';
	v->pin_mask[n < UI_PIN_MAX ? n : UI_PIN_MAX] = '\0';
	for (int d = 1; d <= 10; d++) {
		char id[16], label[4];
		snprintf(id, sizeof(id), "pin-%d", d % 10);
		snprintf(label, sizeof(label), "%d", d % 10);
		add_button(v, id, label, false);
	}
	add_button(v, "pin-clear", _("Clear"), false);
	add_button(v, "pin-ok", _("OK"), true);
	add_button(v, "back", _("Back"), false);
}

void
view_build(const struct view_input *in, struct view *v)
{
	memset(v, 0, sizeof(*v));
	theme_from_display(&v->theme, &in->config->display);
	v->text_scale = in->config->display.text_size ? 1.4f : 1.0f;
	v->logo = in->config->display.logo;
	v->status_text_colour = v->theme.text;
	snprintf(v->room, sizeof(v->room), "%s", in->config->room_name ? in->config->room_name : "");
	hm(in->now, v->clock, sizeof(v->clock));
	i18n_format_date(in->now, v->date, sizeof(v->date));
	snprintf(v->pressed, sizeof(v->pressed), "%s", in->ui ? in->ui->pressed : "");
	v->now_pos = -1.0f;
	if (in->setup_text) {
		v->kind = VIEW_SETUP;
		snprintf(v->heading, sizeof(v->heading), "%s", _("This sign needs setting up"));
		snprintf(v->text, sizeof(v->text), "%s", in->setup_text);
		if (in->address && *in->address)
			snprintf(v->lines[v->line_count++].text, sizeof(v->lines[0].text), _("Address: %s"),
				in->address);
		v->status_colour = v->theme.panel;
		return;
	}
	switch (in->ui->screen) {
	case UI_CONFIRM: confirm_dialog(in, v); return;
	case UI_WORKING: working_dialog(in, v); return;
	case UI_MESSAGE: message_dialog(in, v); return;
	case UI_FIND_ROOM: find_room_list(in, v); return;
	case UI_ROOM_BOOK: room_book(in, v); return;
	case UI_REPORT: report_list(in, v); return;
	case UI_ADMIN: admin_list(in, v); return;
	case UI_PIN: pin_pad(in, v); return;
	case UI_HOME: break;
	}
	v->kind = VIEW_HOME;
	if (in->config->display.qr_text && in->config->display.qr_modules > 0) {
		v->qr = in->config->display.qr_text;
		v->qr_modules = in->config->display.qr_modules;
	}
	notice(in, v);
	if (!in->sync->has_schedule) {
		v->status_colour = v->theme.panel;
		snprintf(v->status_word, sizeof(v->status_word), "%s", "…");
		snprintf(v->status_line, sizeof(v->status_line), "%s", _("Loading the calendar…"));
		home_buttons(in, v);
		return;
	}
	status_text(in, v);
	meeting_text(in, v);
	next_rows(in, v);
	timeline(in, v);
	home_buttons(in, v);
}

bool
view_write_json(const struct view *v, const char *path)
{
	static const char *const kinds[] = { "home", "dialog", "list", "pin", "setup" };
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {
		{ "room", offsetof(struct view, room) },
		{ "clock", offsetof(struct view, clock) },
		{ "status_word", offsetof(struct view, status_word) },
		{ "status_line", offsetof(struct view, status_line) },
		{ "title", offsetof(struct view, title) },
		{ "organizer", offsetof(struct view, organizer) },
		{ "time_range", offsetof(struct view, time_range) },
		{ "notice", offsetof(struct view, notice) },
		{ "heading", offsetof(struct view, heading) },
		{ "text", offsetof(struct view, text) },
	};
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "kind", kinds[v->kind]);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		cJSON_AddStringToObject(root, fields[i].name, (const char *)v + fields[i].offset);
	cJSON_AddStringToObject(root, "qr", v->qr ? v->qr : "");
	cJSON *next = cJSON_AddArrayToObject(root, "next");
	for (size_t i = 0; i < v->next_count; i++)
		cJSON_AddItemToArray(next, cJSON_CreateString(v->next[i].time));
	cJSON *lines = cJSON_AddArrayToObject(root, "lines"); /* list rows: found rooms, admin details */
	for (size_t i = 0; i < v->line_count; i++) {
		cJSON *row = cJSON_CreateObject();
		cJSON_AddStringToObject(row, "time", v->lines[i].time);
		cJSON_AddStringToObject(row, "text", v->lines[i].text);
		cJSON_AddItemToArray(lines, row);
	}
	cJSON_AddStringToObject(root, "all_day", v->all_day);
	return json_save(root, path);
}
