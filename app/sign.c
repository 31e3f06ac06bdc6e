#define LOG_MODULE "sign"
#include "sign.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <pthread.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <SDL.h>
#include "backlight.h"
#include "cache.h"
#include "core/cooldown.h"
#include "calendar/source.h"
#include "core/panel.h"
#include "core/room_state.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "id_list.h"
#include "led.h"
#include "core/log.h"
#include "monitor.h"
#include "ui/i18n.h"
#include "ui/layout.h"
#include "ui/png.h"
#include "ui/render.h"
#include "ui/view.h"
#include "display.h"
#include "wake.h"
#include "watchdog.h"
#include "worker.h"

#define WAKE_MS 60000 /* a touch at night lights the panel this long */

struct sign {
	const struct config *config;
	const struct sign_options *opt;
	struct schedule *schedule;
	struct sync_status sync;
	struct ui_state ui;
	struct room_availability rooms[CONFIG_MAX_ROOMS];
	size_t room_count;
	bool rooms_loading;
	struct id_list checked_in, released;
	char address[64];
	bool read_only;
	struct source *source;
	struct worker *worker;
	struct view *view;
	struct frame *frame;
	struct room_state state;
	struct display display; /* the window, its renderer and rotation */
	struct render *render;
	int width, height; /* the frame's size: the display's logical size, or a screenshot's */
	Uint32 event_type;
	struct led *led;
	struct backlight *backlight;
	struct monitor *monitor; /* [monitoring] textfile; NULL: off */
	bool night, panel_on;
	rs_time last_motion; /* PIR: last motion (edge or high level), 0 = none seen by this process */
	/* When this process first held a fresh schedule (0: not yet): the release rules count only
	 * what was watched since (room_watched_since). Never persisted: a restart watches anew. */
	rs_time watching_since;
	int led_key;         /* what the LED was last told, to act on changes only */
	bool touch_only;     /* ROOMSIGN_INPUT=touch: finger events only (tests the touch path) */
	bool qr_hidden_said; /* logged once that the QR code does not fit */
	uint64_t wake_until_ms;
	struct cooldown cooldown; /* touchscreen limits: [booking] cooldown, refresh_cooldown, max_extend */
	int report_problem;       /* the report on its way: an index into [report] problems */
	bool dirty;
};

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t restart_requested, signalled;

/* SIGTERM and SIGINT are blocked in every thread and taken here. A handler could only set a
 * flag, and the main thread would not see it: SDL_WaitEventTimeout retries when a signal
 * interrupts it and sleeps on for up to a minute. From a thread, waking it is safe. */
static void *
signal_main(void *arg)
{
	int sig = 0;
	if (sigwait(arg, &sig) == 0) {
		signalled = stop_requested = 1;
		SDL_Event ev = { .type = SDL_QUIT }; /* only wakes the loop: handle() ignores it */
		SDL_PushEvent(&ev);
		wake_notify();
	}
	return NULL;
}

void
sign_request_restart(void)
{
	restart_requested = 1;
	stop_requested = 1;
	SDL_Event ev = { .type = SDL_QUIT }; /* only wakes the loop */
	SDL_PushEvent(&ev);
	wake_notify();
}

bool
sign_restart_requested(void)
{
	return restart_requested && !signalled; /* SIGTERM wins: systemd asked for a stop */
}

/* Check-ins survive a restart during the grace period: the ids live in the state directory. */
static char *
checked_in_path(const struct sign *s)
{
	return s->config->state_dir ? xasprintf("%s/checked-in", s->config->state_dir) : NULL;
}

static void
checked_in_load(struct sign *s)
{
	char *path = checked_in_path(s);
	id_list_load(&s->checked_in, path);
	free(path);
}

static void
checked_in_save(const struct sign *s)
{
	char *path = checked_in_path(s);
	if (path && !id_list_save(&s->checked_in, path))
		log_warn("cannot remember the check-in in %s", path);
	free(path);
}

static void
check_in(struct sign *s, const struct event *e, const char *how)
{
	if (!e || id_list_has(&s->checked_in, e->id))
		return;
	id_list_add(&s->checked_in, e->id);
	checked_in_save(s);
	monitor_checked_in(s->monitor);
	log_info("%s: checked in", how);
	s->dirty = true;
	/* Written to the event too, so a second sign on the room (another door) sees it. In the
	 * background: the check-in counts here at once whatever the server says. */
	struct worker_request q = { .job = JOB_CHECK_IN };
	q.event = *e;
	if (!s->read_only && s->worker && !worker_request(s->worker, &q))
		log_warn("the sign is busy: the check-in stays on this sign only");
}

static bool
checked_in_fn(const struct event *e, void *ctx)
{
	struct sign *s = ctx;
	return id_list_has(&s->checked_in, e->id);
}

static void
find_address(char *buf, size_t size)
{
	struct ifaddrs *list = NULL;
	buf[0] = '\0';
	if (getifaddrs(&list) != 0)
		return;
	for (struct ifaddrs *a = list; a; a = a->ifa_next) {
		if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || (a->ifa_flags & IFF_LOOPBACK))
			continue;
		inet_ntop(AF_INET, &((struct sockaddr_in *)a->ifa_addr)->sin_addr, buf, (socklen_t)size);
		break;
	}
	freeifaddrs(list);
}

static struct room_policy
policy(const struct config *c)
{
	return (struct room_policy){ c->booking.soon_min, c->booking.checkin && c->booking.enabled,
		c->booking.checkin_before_min, c->booking.checkin_grace_min };
}

/* s->state borrows its events from s->schedule: recompute it whenever the schedule changes,
 * before anything (a tap handled in the same batch of events) reads it again. */
static void
update_state(struct sign *s, rs_time now)
{
	struct room_policy p = policy(s->config);
	room_state_compute(s->schedule, now, &p, checked_in_fn, s, &s->state);
}

/* Everything between the schedule and the pixels, for one instant: pure functions. */
static void
compose(struct sign *s, rs_time now, float dpi)
{
	update_state(s, now);
	struct view_input in = {
		.config = s->config,
		.schedule = s->schedule,
		.state = &s->state,
		.ui = &s->ui,
		.now = now,
		.sync = &s->sync,
		.read_only = s->read_only,
		.rooms = s->rooms,
		.room_count = s->room_count,
		.rooms_loading = s->rooms_loading,
		.address = s->address,
		.setup_text = s->opt->setup_text,
	};
	view_build(&in, s->view);
	layout_frame(s->view, s->width, s->height, dpi, s->frame);
}

/* The layout leaves a QR code out where it cannot keep 0.5 mm modules (README): say so once. */
static void
check_qr_shown(struct sign *s, float dpi)
{
	if (!s->view->qr || s->qr_hidden_said)
		return;
	for (size_t i = 0; i < s->frame->item_count; i++)
		if (s->frame->items[i].kind == ITEM_QR)
			return;
	log_warn("[display] qr_url: its QR code (%d modules) does not fit a %dx%d screen at %.0f dpi with "
		 "0.5 mm modules, so it is not shown; a shorter URL makes a smaller code",
		s->view->qr_modules, s->width, s->height, (double)(dpi > 0 ? dpi : 96.0f));
	s->qr_hidden_said = true;
}

static const char *
font_path(const struct config *c, bool bold)
{
	if (bold)
		return c->display.font_bold ? c->display.font_bold
		       : c->display.font    ? c->display.font
					    : ROOMSIGN_FONT_BOLD;
	return c->display.font ? c->display.font : ROOMSIGN_FONT;
}

static void
sign_init_state(struct sign *s, const struct config *config, const struct sign_options *opt)
{
	memset(s, 0, sizeof(*s));
	s->config = config;
	s->opt = opt;
	s->view = xcalloc(1, sizeof(*s->view));
	s->frame = xcalloc(1, sizeof(*s->frame));
	ui_state_init(&s->ui, time_mono_ms());
	find_address(s->address, sizeof(s->address));
}

static void
sign_finish_state(struct sign *s)
{
	schedule_destroy(s->schedule);
	room_availability_finish(s->rooms, s->room_count);
	id_list_clear(&s->checked_in);
	id_list_clear(&s->released);
	free(s->view);
	free(s->frame);
}

bool
sign_screenshot(const struct config *config, const struct sign_options *opt, const char *png_path)
{
	struct sign s;
	struct source_error err = { 0 };
	bool ok = false;
	sign_init_state(&s, config, opt);
	s.width = opt->width;
	s.height = opt->height;
	if (!opt->setup_text) {
		if (!(s.source = source_create(&config->source, &err))) {
			fprintf(stderr, "roomsign: %s\n", err.message);
			goto out;
		}
		s.read_only = s.source->read_only;
		rs_time from, to;
		worker_window(time_now(), &from, &to);
		if (source_fetch(s.source, from, to, &s.schedule, &err)) {
			s.sync.has_schedule = true;
			s.sync.last_ok = time_now();
		} else {
			snprintf(s.sync.last_error, sizeof(s.sync.last_error), "%s", err.message);
			s.sync.last_error_category = err.category;
			fprintf(stderr, "roomsign: %s\n", err.message);
		}
	}
	SDL_Surface *surface = SDL_CreateRGBSurfaceWithFormat(0, s.width, s.height, 32, SDL_PIXELFORMAT_ARGB8888);
	SDL_Renderer *renderer = surface ? SDL_CreateSoftwareRenderer(surface) : NULL;
	struct render *render =
		renderer ? render_create(renderer, font_path(config, false), font_path(config, true)) : NULL;
	if (render) {
		compose(&s, time_now(), (float)config->display.dpi);
		check_qr_shown(&s, (float)config->display.dpi);
		render_frame(render, s.frame);
		SDL_RenderPresent(renderer);
		ok = png_write_argb(png_path, surface->pixels, surface->w, surface->h, surface->pitch);
		if (!ok)
			fprintf(stderr, "roomsign: cannot write %s\n", png_path);
		const char *view_json = getenv("ROOMSIGN_VIEW_JSON");
		if (ok && view_json && *view_json)
			view_write_json(s.view, view_json);
		if (ok && opt->hit_areas && !layout_write_hits(s.frame, opt->hit_areas)) {
			fprintf(stderr, "roomsign: cannot write %s\n", opt->hit_areas);
			ok = false;
		}
	} else if (!surface || !renderer) {
		fprintf(stderr, "roomsign: cannot create an offscreen renderer: %s\n", SDL_GetError());
	}
	render_destroy(render);
	if (renderer)
		SDL_DestroyRenderer(renderer);
	SDL_FreeSurface(surface);
out:
	source_destroy(s.source);
	sign_finish_state(&s);
	return ok;
}

/* ---- the running display ---- */

static void
post_result(void *ctx, struct worker_result *result)
{
	struct sign *s = ctx;
	SDL_Event ev = { 0 };
	ev.type = s->event_type;
	ev.user.data1 = result;
	if (SDL_PushEvent(&ev) <= 0)
		worker_result_free(result);
	else
		wake_notify();
}

static void
take_result(struct sign *s, struct worker_result *r)
{
	uint64_t now_ms = time_mono_ms();
	switch (r->kind) {
	case RESULT_SNAPSHOT:
		schedule_destroy(s->schedule);
		s->schedule = r->schedule;
		r->schedule = NULL;
		update_state(s, time_now());
		s->sync.has_schedule = true;
		s->sync.stale = false;
		s->sync.last_ok = s->schedule->fetched_at;
		s->sync.last_error[0] = '\0';
		if (!s->watching_since)
			s->watching_since = time_now();
		if (!s->config->cache_file || !cache_save(s->config->cache_file, s->schedule))
			log_debug("schedule not cached");
		break;
	case RESULT_IN_SYNC: /* nothing new: what the sign shows is still the calendar */
		if (!s->sync.has_schedule)
			break;
		s->sync.stale = false;
		s->sync.last_ok = time_now();
		s->sync.last_error[0] = '\0';
		break;
	case RESULT_FETCH_FAILED:
		snprintf(s->sync.last_error, sizeof(s->sync.last_error), "%s", r->detail);
		s->sync.last_error_category = r->category;
		break;
	case RESULT_ACTION:
		if (r->job == JOB_RELEASE || r->job == JOB_CHECK_IN)
			break; /* background: the next snapshot shows the outcome */
		log_info("%s: %s", r->ok ? "done" : "failed", r->message); /* what the screen says */
		ui_action_done(&s->ui, r->ok, r->message, now_ms);
		if (r->job == JOB_REPORT && !r->ok) /* not reported: it may be tried again */
			cooldown_forget_report(&s->cooldown, (size_t)s->report_problem);
		break;
	case RESULT_ROOMS:
		room_availability_finish(s->rooms, s->room_count);
		memcpy(s->rooms, r->rooms, sizeof(s->rooms));
		s->room_count = r->room_count;
		r->room_count = 0;
		s->rooms_loading = false;
		break;
	}
	monitor_result(s->monitor, r);
	worker_result_free(r);
	s->dirty = true;
}

static void
request(struct sign *s, enum worker_job job, int minutes, const struct event *e)
{
	struct worker_request q = { .job = job, .minutes = minutes };
	if (e)
		q.event = *e; /* worker_request copies it */
	if (!s->worker || !worker_request(s->worker, &q))
		ui_action_done(&s->ui, false, _("The sign is busy. Please try again."), time_mono_ms());
}

static struct cooldown_limits
limits_of(const struct config *c)
{
	const struct booking_config *b = &c->booking;
	return (struct cooldown_limits){ b->cooldown_s, b->refresh_cooldown_s, b->max_extend_min,
		c->report.cooldown_min, c->report.max_per_hour };
}

/* The index of problem in [report] problems, or -1 (a target the config does not offer). */
static int
problem_index(const struct report_config *r, const char *problem)
{
	for (size_t i = 0; i < r->problem_count; i++)
		if (strcmp(r->problems[i], problem) == 0)
			return (int)i;
	return -1;
}

/* Reports: one per problem per [report] cooldown, max_per_hour in all. false: refused, and the
 * screen says so plainly. */
static bool
report_allowed(struct sign *s, const struct ui_action *a, uint64_t now_ms)
{
	const struct cooldown_limits limits = limits_of(s->config);
	int i = problem_index(&s->config->report, a->problem);
	uint64_t wait_ms;
	char msg[256];
	if (i < 0 || !s->config->report.to) {
		ui_action_done(&s->ui, false, _("The report could not be sent. Please tell reception."), now_ms);
		return false;
	}
	enum cooldown_report_wait why = cooldown_report_wait(&s->cooldown, &limits, (size_t)i, now_ms, &wait_ms);
	int wait_min = (int)((wait_ms + 59999) / 60000);
	if (why == COOLDOWN_REPORT_SAME_PROBLEM)
		snprintf(msg, sizeof(msg),
			_("This problem was reported from this sign a short while ago, so facilities already know. It "
			  "can be reported again in %d min."),
			wait_min);
	else if (why == COOLDOWN_REPORT_HOURLY)
		snprintf(msg, sizeof(msg),
			_("Many problems were reported from this sign in the last hour. Please try again in %d min."),
			wait_min);
	if (why != COOLDOWN_REPORT_NOW) {
		log_info("report of '%s' refused: cooldown, %d min left", a->problem, wait_min);
		ui_action_done(&s->ui, false, msg, now_ms);
		return false;
	}
	cooldown_note_report(&s->cooldown, (size_t)i, now_ms);
	s->report_problem = i;
	return true;
}

/* The touchscreen's limits (see cooldown.h). false: refused, and the screen says why. */
static bool
within_limits(struct sign *s, struct ui_action a, const struct event *meeting)
{
	const struct booking_config *b = &s->config->booking;
	const struct cooldown_limits limits = limits_of(s->config);
	uint64_t now_ms = time_mono_ms();
	if (a.kind == UI_ACT_REPORT)
		return report_allowed(s, &a, now_ms);
	bool changes =
		a.kind == UI_ACT_BOOK || a.kind == UI_ACT_EXTEND || a.kind == UI_ACT_END || a.kind == UI_ACT_BOOK_ROOM;
	bool looks_up = a.kind == UI_ACT_REFRESH || a.kind == UI_ACT_FIND_ROOMS;
	if (!changes && !looks_up)
		return true;
	enum cooldown_kind kind = changes ? COOLDOWN_BOOKING : COOLDOWN_LOOKUP;
	uint64_t wait_s = (cooldown_wait_ms(&s->cooldown, &limits, kind, now_ms) + 999) / 1000;
	char msg[160];
	if (wait_s > 0) {
		snprintf(msg, sizeof(msg),
			changes ? _("Please wait %d s before the next booking change at the sign.")
				: _("Please wait %d s before asking the calendar server again."),
			(int)wait_s);
		log_info("%s refused: cooldown, %d s left", changes ? "booking change" : "lookup", (int)wait_s);
		ui_show_message(&s->ui, false, msg, now_ms);
		return false;
	}
	if (a.kind == UI_ACT_EXTEND && meeting && !cooldown_may_extend(&s->cooldown, &limits, meeting, a.minutes)) {
		log_info("extension refused: [booking] max_extend = %d minutes reached", b->max_extend_min);
		ui_show_message(&s->ui, false, _("This meeting cannot be extended any further at the sign."), now_ms);
		return false;
	}
	if (a.kind == UI_ACT_EXTEND && meeting)
		cooldown_note_extend(&s->cooldown, meeting, a.minutes);
	cooldown_note(&s->cooldown, kind, now_ms);
	return true;
}

static void
act(struct sign *s, struct ui_action a)
{
	const struct event *meeting = s->state.current;
	if (!within_limits(s, a, meeting)) {
		monitor_refused(s->monitor, a.kind, false);
		return;
	}
	switch (a.kind) {
	case UI_ACT_NONE: break;
	case UI_ACT_BOOK: request(s, JOB_BOOK, a.minutes, NULL); break;
	case UI_ACT_EXTEND:
	case UI_ACT_END:
		if (!meeting) {
			ui_action_done(&s->ui, false, _("The meeting has already ended."), time_mono_ms());
			break;
		}
		request(s, a.kind == UI_ACT_EXTEND ? JOB_EXTEND : JOB_END, a.minutes, meeting);
		break;
	case UI_ACT_CHECKIN:
		check_in(s, s->state.checkin, "touch");
		ui_action_done(&s->ui, true, _("Checked in. Enjoy the meeting."), time_mono_ms());
		break;
	case UI_ACT_FIND_ROOMS:
		s->rooms_loading = true;
		request(s, JOB_FIND_ROOMS, 0, NULL);
		break;
	case UI_ACT_REFRESH: request(s, JOB_REFRESH, 0, NULL); break;
	case UI_ACT_BOOK_ROOM: {
		struct worker_request q = { .job = JOB_BOOK_ROOM, .minutes = a.minutes, .room = a.room };
		if (a.room >= 0 && (size_t)a.room < s->room_count && s->rooms[a.room].name)
			snprintf(q.room_name, sizeof(q.room_name), "%s", s->rooms[a.room].name);
		if (!s->worker || !worker_request(s->worker, &q))
			ui_action_done(&s->ui, false, _("The sign is busy. Please try again."), time_mono_ms());
		break;
	}
	case UI_ACT_REPORT: {
		struct worker_request q = { .job = JOB_REPORT };
		snprintf(q.problem, sizeof(q.problem), "%.*s", CONFIG_PROBLEM_MAX,
			a.problem); /* checked: a configured word */
		if (!s->worker || !worker_request(s->worker, &q))
			ui_action_done(&s->ui, false, _("The sign is busy. Please try again."), time_mono_ms());
		break;
	}
	}
}

/* Check-in: a meeting whose grace has passed without a check-in is released, once, and only
 * when this sign watched its whole check-in window with a fresh schedule. */
static void
release_no_show(struct sign *s)
{
	const struct event *e = s->state.checkin;
	struct room_policy p = policy(s->config);
	if (!e || !room_checkin_release_allowed(&s->state, &p, s->watching_since) || s->sync.last_error[0] ||
		id_list_has(&s->released, e->id) || s->read_only)
		return;
	id_list_add(&s->released, e->id);
	log_info("nobody checked in: releasing the meeting");
	request(s, JOB_RELEASE, 0, e);
}

/* Drives the LED on changes only: led_show/led_show_offline restart a blink and log a line. */
static void
update_led(struct sign *s)
{
	if (!s->led)
		return;
	struct led_choice c = led_choice_for(s->sync.has_schedule, s->sync.last_error[0] != '\0', s->state.status);
	int key = (int)c.colour | (c.blink ? 0x10 : 0) | (c.offline ? 0x20 : 0) | 0x100;
	if (key == s->led_key)
		return;
	s->led_key = key;
	monitor_led(s->monitor, c.colour, c.offline);
	led_show(s->led, c.colour, c.blink && !c.offline);
	if (c.offline) /* the [led] offline rule over the last known colour */
		led_show_offline(s->led);
}

/* The PIR sensor: motion in the check-in window checks the meeting in; a meeting with no motion
 * for [led] motion_release minutes after its start is released like a no-show. */
static void
watch_motion(struct sign *s, rs_time now)
{
	const struct led_config *c = &s->config->led;
	if (!s->led || c->motion < 0)
		return;
	bool edge = led_motion_seen(s->led); /* always: it drains the edge events */
	if (edge || led_motion_active(s->led)) {
		s->last_motion = now;
		monitor_motion(s->monitor);
		check_in(s, s->state.checkin, "motion");
	}
	const struct event *e = s->state.current;
	if (!room_motion_no_show(e, now, s->last_motion, s->watching_since, c->motion_release_min) ||
		s->sync.last_error[0] || s->read_only || id_list_has(&s->checked_in, e->id) ||
		id_list_has(&s->released, e->id))
		return;
	id_list_add(&s->released, e->id);
	log_info("no motion for %d minutes since the meeting began: releasing it", c->motion_release_min);
	request(s, JOB_RELEASE, 0, e);
}

static struct night_window
night_of(const struct display_config *d)
{
	return (struct night_window){ d->has_night, d->night_from_min, d->night_to_min };
}

static void
update_backlight(struct sign *s, rs_time now, uint64_t now_ms)
{
	bool on = panel_on_at(night_of(&s->config->display), now, now_ms, s->wake_until_ms);
	if (on == s->panel_on)
		return;
	s->panel_on = on;
	if (s->backlight)
		backlight_set_on(s->backlight, on);
	log_info("backlight %s", on ? "on" : "off (night)");
}

/* Every wrong admin PIN is logged with its count (someone may be guessing at the door). */
static struct ui_action
tap_logged(struct sign *s, const char *id, uint64_t now_ms)
{
	unsigned failures = s->ui.pin_failures;
	struct ui_action a = ui_tap(&s->ui, id, s->config->display.admin_pin, now_ms);
	uint64_t wait_s = (ui_pin_wait_ms(&s->ui, now_ms) + 999) / 1000;
	if (s->ui.pin_failures > failures)
		log_warn("admin PIN: wrong try %u in a row; next try checked in %llu s", s->ui.pin_failures,
			(unsigned long long)wait_s);
	else if (s->ui.pin_refused)
		log_warn("admin PIN: try refused after %u wrong ones; %llu s still to wait", s->ui.pin_failures,
			(unsigned long long)wait_s);
	else if (failures && !s->ui.pin_failures)
		log_info("admin PIN: right after %u wrong tries", failures);
	return a;
}

static void
press(struct sign *s, int px, int py, bool down)
{
	int x, y;
	uint64_t now_ms = time_mono_ms();
	s->ui.last_input_ms = now_ms;
	if (!s->panel_on) { /* at night the first touch only wakes the panel */
		s->wake_until_ms = now_ms + WAKE_MS;
		s->ui.pressed[0] = '\0';
		s->dirty = true;
		return;
	}
	if (s->wake_until_ms > now_ms)
		s->wake_until_ms = now_ms + WAKE_MS;
	display_to_logical(&s->display, px, py, &x, &y);
	const struct hit *hit = layout_hit_test(s->frame, x, y);
	if (down) {
		snprintf(s->ui.pressed, sizeof(s->ui.pressed), "%s", hit ? hit->id : "");
		s->dirty = true;
		return;
	}
	char id[32];
	snprintf(id, sizeof(id), "%s", s->ui.pressed);
	s->ui.pressed[0] = '\0';
	s->dirty = true;
	if (hit && id[0] && strcmp(hit->id, id) == 0)
		act(s, tap_logged(s, id, now_ms));
}

static bool
open_window(struct sign *s)
{
	const struct display_config *c = &s->config->display;
	if (!display_open(&s->display, s->opt->width, s->opt->height, c->renderer, c->rotate, c->dpi))
		return false;
	s->render = render_create(s->display.renderer, font_path(s->config, false), font_path(s->config, true));
	return s->render != NULL;
}

static void
draw(struct sign *s, rs_time now)
{
	float dpi = display_dpi(&s->display);
	compose(s, now, dpi);
	check_qr_shown(s, dpi);
	display_begin(&s->display);
	render_frame(s->render, s->frame);
	display_present(&s->display);
	if (s->opt->hit_areas && !layout_write_hits(s->frame, s->opt->hit_areas))
		log_warn("cannot write %s", s->opt->hit_areas);
	const char *view_json = getenv("ROOMSIGN_VIEW_JSON");
	if (view_json && *view_json && !view_write_json(s->view, view_json))
		log_warn("cannot write %s", view_json);
	s->dirty = false;
}

/* How long the main loop may sleep: the next minute (the clock), a UI timeout, a blink, the
 * watchdog, or the end of a night-time wake. */
static int
sleep_ms(struct sign *s, rs_time now, uint64_t now_ms, uint64_t next_ping_ms)
{
	uint64_t ms = (uint64_t)((double)(60 - now % 60) * 1000.0 / time_speed()); /* the clock's minute */
	uint64_t ui = ui_next_deadline_ms(&s->ui, now_ms, s->config->booking.idle_s);
	if (ui < ms)
		ms = ui;
	int led_ms = led_timeout_ms(s->led, now_ms);
	if (led_ms >= 0 && (uint64_t)led_ms < ms)
		ms = (uint64_t)led_ms;
	if (s->config->led.motion >= 0 && s->led && wake_is_native() && ms > 5000)
		ms = 5000; /* SDL waits: the PIR is polled, a few seconds is quick enough */
	if (next_ping_ms && next_ping_ms > now_ms && next_ping_ms - now_ms < ms)
		ms = next_ping_ms - now_ms;
	if (s->wake_until_ms > now_ms && s->wake_until_ms - now_ms < ms)
		ms = s->wake_until_ms - now_ms;
	if (s->state.checkin && s->state.checkin_deadline > now) { /* release a no-show on time */
		uint64_t d = (uint64_t)((double)(s->state.checkin_deadline - now) * 1000.0 / time_speed());
		if (d < ms)
			ms = d;
	}
	return (int)(ms > 0 ? ms : 1);
}

static void
handle(struct sign *s, const SDL_Event *ev)
{
	if (ev->type == s->event_type) {
		take_result(s, ev->user.data1);
		return;
	}
	switch (ev->type) {
	case SDL_MOUSEBUTTONDOWN:
	case SDL_MOUSEBUTTONUP:
		if (ev->button.which != SDL_TOUCH_MOUSEID && ev->button.button == SDL_BUTTON_LEFT && !s->touch_only)
			press(s, ev->button.x, ev->button.y, ev->type == SDL_MOUSEBUTTONDOWN);
		break;
	case SDL_FINGERDOWN:
	case SDL_FINGERUP: {
		int W, H;
		SDL_GetRendererOutputSize(s->display.renderer, &W, &H);
		press(s, (int)(ev->tfinger.x * (float)W), (int)(ev->tfinger.y * (float)H), ev->type == SDL_FINGERDOWN);
		break;
	}
	case SDL_WINDOWEVENT:
		if (ev->window.event == SDL_WINDOWEVENT_SIZE_CHANGED || ev->window.event == SDL_WINDOWEVENT_EXPOSED) {
			display_resized(&s->display);
			s->width = s->display.width;
			s->height = s->display.height;
			s->dirty = true;
		}
		break;
	default: break; /* keys do nothing: no key combination quits the kiosk */
	}
}

int
sign_run(const struct config *config, const struct sign_options *opt)
{
	struct sign s;
	struct source_error err = { 0 };
	int status = EXIT_FAILURE;
	sign_init_state(&s, config, opt);
	if (config->state_dir && mkdir(config->state_dir, 0700) != 0 && errno != EEXIST)
		log_warn("cannot create the state directory %s: %s", config->state_dir, strerror(errno));
	sigset_t stop_signals;
	pthread_t signal_thread;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL); /* before any thread: all inherit it */
	bool has_signal_thread = pthread_create(&signal_thread, NULL, signal_main, &stop_signals) == 0;
	if (!open_window(&s))
		goto out;
	s.width = s.display.width;
	s.height = s.display.height;
	wake_init();
	s.touch_only = getenv("ROOMSIGN_INPUT") && strcmp(getenv("ROOMSIGN_INPUT"), "touch") == 0;
	s.event_type = SDL_RegisterEvents(1);
	if (!opt->setup_text) {
		if (!(s.source = source_create(&config->source, &err))) {
			log_error("%s", err.message);
			goto out;
		}
		s.read_only = s.source->read_only;
		checked_in_load(&s);
		if (config->cache_file && (s.schedule = cache_load(config->cache_file))) {
			s.sync.has_schedule = s.sync.stale = true;
			s.sync.last_ok = s.schedule->fetched_at;
		}
	}
	s.led = led_create(&config->led);
	s.backlight = config->display.has_night ? backlight_create(NULL, config->display.backlight) : NULL;
	s.panel_on = true;
	s.monitor = opt->setup_text ? NULL : monitor_create(config);
	rs_time now = time_now();
	draw(&s, now);
	/* A second present: with double-buffered KMSDRM page flipping the first buffer may not be
	 * scanned out (or flushed, on virtio-gpu) until the next flip, and the sign may not draw
	 * again for a minute. */
	draw(&s, now);
	watchdog_ready();
	if (s.source && !(s.worker = worker_create(s.source, config, post_result, &s)))
		goto out;
	uint64_t ping_every = watchdog_interval_ms(), next_ping = ping_every ? time_mono_ms() + ping_every : 0;
	enum room_status last_status = s.state.status;
	rs_time last_minute = now / 60;
	while (!stop_requested) {
		uint64_t now_ms = time_mono_ms();
		SDL_Event ev;
		if (wake_wait_event(&ev, sleep_ms(&s, now, now_ms, next_ping), led_motion_fd(s.led))) {
			do
				handle(&s, &ev);
			while (SDL_PollEvent(&ev));
		}
		now = time_now();
		now_ms = time_mono_ms();
		if (ui_tick(&s.ui, now_ms, config->booking.idle_s))
			s.dirty = true;
		if (now / 60 != last_minute) {
			last_minute = now / 60;
			s.dirty = true;
		}
		if (s.state.checkin && now >= s.state.checkin_deadline)
			s.dirty = true; /* recompute: the no-show is due for release */
		if (s.dirty)
			draw(&s, now);
		update_backlight(&s, now, now_ms);
		if (s.state.status != last_status) {
			log_info("room is now %s", (const char *[]){ "free", "busy", "starting soon",
							   "waiting for check-in" }[s.state.status]);
			last_status = s.state.status;
		}
		update_led(&s);
		led_tick(s.led, now_ms);
		watch_motion(&s, now);
		release_no_show(&s);
		monitor_tick(s.monitor, s.schedule, &s.state, s.panel_on, now);
		if (next_ping && now_ms + 50 >= next_ping) {
			watchdog_ping();
			next_ping = now_ms + ping_every;
		}
	}
	log_info(restart_requested ? "stopping for a new configuration" : "stopping");
	watchdog_stopping();
	status = EXIT_SUCCESS;
out:
	worker_destroy(s.worker);
	/* Results still queued in SDL own schedules: drain them. */
	SDL_Event ev;
	while (s.event_type && SDL_PollEvent(&ev))
		if (ev.type == s.event_type)
			worker_result_free(ev.user.data1);
	source_destroy(s.source);
	led_destroy(s.led);
	backlight_destroy(s.backlight);
	monitor_destroy(s.monitor);
	render_destroy(s.render);
	display_close(&s.display);
	sign_finish_state(&s);
	if (has_signal_thread) {
		bool by_signal = signalled;
		if (!by_signal)
			pthread_kill(signal_thread, SIGTERM); /* stopped for another reason: end its wait */
		pthread_join(signal_thread, NULL);
		signalled = by_signal; /* our own SIGTERM above is no stop request */
	}
	wake_finish();
	SDL_Quit();
	return status;
}
