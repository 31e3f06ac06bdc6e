/* Every screen, rendered offscreen with the real fonts and translations, at the five panel sizes,
 * in en, da and de, at normal and large text, in both themes: nothing that must fit is cut,
 * agenda and list columns keep half an em apart, every text/background pair reaches its WCAG 2.2
 * contrast measured from the rendered pixels, every action is a 9 mm target in the lower third
 * (read back from the hit-areas JSON), and the three status colours stay apart for colour-blind
 * readers; a [display] qr_url's code keeps its 0.5 mm modules and its quiet zone clear of everything
 * else. `test_screens --gallery OUTDIR` writes the screenshots instead (README). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <SDL.h>
#include <cjson/cJSON.h>
#include "test_support.h"
#include "config.h"
#include "core/room_state.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "ui/i18n.h"
#include "ui/layout.h"
#include "ui/png.h"
#include "ui/qr.h"
#include "ui/render.h"
#include "ui/theme.h"
#include "ui/view.h"

struct panel {
	int w, h;
	float dpi; /* the real panel's: 7" 800x480, 7" 1024x600, 10.1" 1280x800, 21.5" 1920x1080, 7" 720x1280 */
};
static const struct panel panels[] = { { 800, 480, 133 }, { 1024, 600, 170 }, { 1280, 800, 149 }, { 1920, 1080, 102 },
	{ 720, 1280, 210 } };
static const char *const languages[] = { "en", "da", "de" };

enum state {
	ST_FREE,
	ST_BUSY,
	ST_SOON,
	ST_CHECKIN,
	ST_OFFLINE,
	ST_LOADING,
	ST_SETUP,
	ST_ADMIN,
	ST_PIN,
	ST_FIND_ROOM,
	ST_CONFIRM_BOOK,
	ST_CONFIRM_END,
	ST_WORKING,
	ST_DONE,
	ST_ERROR,
	ST_REPORT,
	ST_ROOM_BOOK,
	ST_COUNT
};
static const char *const state_names[] = { "free", "busy", "soon", "check-in", "offline", "loading", "setup", "admin",
	"pin", "find-room", "confirm-book", "confirm-end", "working", "done", "error", "report", "room-book" };

/* Roles whose text must never be cut (the list, plus the clock and agenda times). */
static const char *const never_cut[] = { "status_word", "status_icon", "status_line", "button", "agenda_time", "clock",
	"list_label", "heading", "time_range", "room" };

struct fixture {
	struct config config;
	struct schedule *schedule;
	struct room_state state;
	struct ui_state ui;
	struct sync_status sync;
	struct room_availability rooms[3];
	struct view view;
	struct frame frame;
	rs_time now;
};

struct shot {
	struct render *render;
	SDL_Surface *surface;
	SDL_Renderer *renderer;
	struct render_report reports[LAYOUT_MAX_ITEMS];
	size_t report_count;
};

static int failures;

static void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
failf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (++failures > 200) {
		puts("too many failures");
		exit(1);
	}
}

static struct schedule *
day_schedule(void)
{
	struct event *e = xcalloc(6, sizeof(*e));
	size_t n = 0;
	e[n] = t_event("2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z",
		"Quarterly planning with the Copenhagen and "
		"Aarhus teams, budget and hiring");
	e[n].organizer = xstrdup("Mette Frederiksen-Kristensen");
	e[n++].id = xstrdup("a");
	e[n] = t_event("2026-12-01T10:00:00Z", "2026-12-01T10:45:00Z", "Design review: door sign v2");
	e[n].organizer = xstrdup("Lars Nielsen");
	e[n++].id = xstrdup("b");
	e[n] = t_event("2026-12-01T10:45:00Z", "2026-12-01T11:15:00Z", "1:1 Anna / Jonas");
	e[n++].id = xstrdup("c");
	e[n] = t_event("2026-12-01T12:15:00Z", "2026-12-01T13:15:00Z", "Kundenbesprechung – Nordwind A/S");
	e[n++].id = xstrdup("d");
	e[n] = t_event("2026-12-01T14:15:00Z", "2026-12-01T14:45:00Z", "Hiring sync");
	e[n++].id = xstrdup("e");
	e[n] = t_event("2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z", "Team offsite (Aarhus)");
	e[n].all_day = true;
	e[n++].id = xstrdup("f");
	return schedule_create(t_utc("2026-12-01T00:00:00Z"), t_utc("2026-12-03T00:00:00Z"), e, n);
}

static const char *
state_now(enum state s)
{
	switch (s) {
	case ST_FREE: return "2026-12-01T08:30:00Z";
	case ST_SOON: return "2026-12-01T08:55:00Z";
	case ST_CHECKIN: return "2026-12-01T09:02:00Z";
	default: return "2026-12-01T09:20:00Z";
	}
}

/* [display] qr_url as config_load would leave it. */
static void
fixture_qr(struct config *c)
{
	char why[300];
	struct qr qr;
	c->source.mailbox = xstrdup("fjord@example.com");
	c->display.qr_url = xstrdup("https://rooms.example.com/book?mailbox={mailbox}&room={room}");
	c->display.qr_text = qr_expand_url(c->display.qr_url, c->source.mailbox, c->room_name, why, sizeof(why));
	assert_non_null(c->display.qr_text);
	assert_true(qr_encode(c->display.qr_text, &qr));
	c->display.qr_modules = qr.width;
	qr_finish(&qr);
}

static void
fixture_init(struct fixture *f, enum state s, bool large, bool high_contrast, bool qr)
{
	memset(f, 0, sizeof(*f));
	config_defaults(&f->config);
	free(f->config.room_name);
	f->config.room_name = xstrdup("Fjord (4.12) – Vestergade");
	f->config.display.admin_pin = xstrdup("246810");
	if (qr)
		fixture_qr(&f->config);
	f->config.display.text_size = large;
	f->config.display.theme = high_contrast;
	f->config.source.nearby_rooms[0] = xstrdup("harbour@example.com");
	f->config.source.nearby_rooms[1] = xstrdup("annex@example.com");
	f->config.source.nearby_rooms[2] = xstrdup("the-big-conference-room@example.com");
	f->config.source.nearby_names[0] = xstrdup("Harbour (2.04) – Havnesalen");
	f->config.source.nearby_count = 3;
	f->config.booking.checkin = s == ST_CHECKIN;
	f->config.booking.end_early = END_EARLY_ALL;
	f->now = t_utc(state_now(s));
	f->schedule = day_schedule();
	struct room_policy p = { f->config.booking.soon_min, f->config.booking.checkin,
		f->config.booking.checkin_before_min, f->config.booking.checkin_grace_min };
	room_state_compute(f->schedule, f->now, &p, NULL, NULL, &f->state);
	ui_state_init(&f->ui, 0);
	f->sync.has_schedule = s != ST_LOADING;
	f->sync.last_ok = f->now - 3600;
	if (s == ST_OFFLINE) {
		snprintf(f->sync.last_error, sizeof(f->sync.last_error), "%s", "connect: timed out");
		f->sync.last_error_category = SOURCE_ERR_NETWORK;
	}
	for (size_t i = 0; i < 3; i++)
		f->rooms[i] = (struct room_availability){ .room = f->config.source.nearby_rooms[i], .ok = i != 2 };
	f->rooms[0].name = f->config.source.nearby_names[0];
	f->rooms[0].free_until = f->now + 50 * 60; /* 15, 30 and 45 minutes fit */
	f->rooms[1].busy_until = f->now + 1800;
}

static void
fixture_finish(struct fixture *f)
{
	schedule_destroy(f->schedule);
	config_finish(&f->config);
}

static void
build(struct fixture *f, enum state s)
{
	static const enum ui_screen screens[ST_COUNT] = { [ST_ADMIN] = UI_ADMIN,
		[ST_PIN] = UI_PIN,
		[ST_FIND_ROOM] = UI_FIND_ROOM,
		[ST_CONFIRM_BOOK] = UI_CONFIRM,
		[ST_CONFIRM_END] = UI_CONFIRM,
		[ST_WORKING] = UI_WORKING,
		[ST_DONE] = UI_MESSAGE,
		[ST_ERROR] = UI_MESSAGE,
		[ST_REPORT] = UI_REPORT,
		[ST_ROOM_BOOK] = UI_ROOM_BOOK };
	f->ui.screen = screens[s];
	f->ui.pending = s == ST_CONFIRM_END ? UI_ACT_END : UI_ACT_BOOK;
	f->ui.pending_minutes = 30;
	f->ui.message_ok = s == ST_DONE;
	if (s == ST_DONE)
		snprintf(f->ui.message, sizeof(f->ui.message), _("The room is yours until %s."), "09:50");
	if (s == ST_ERROR)
		snprintf(f->ui.message, sizeof(f->ui.message), "%s",
			_("Someone else has just booked the room for that time. Please choose another time."));
	if (s == ST_PIN)
		snprintf(f->ui.pin, sizeof(f->ui.pin), "%s", "2468");
	struct view_input in = {
		.config = &f->config,
		.schedule = f->schedule,
		.state = &f->state,
		.ui = &f->ui,
		.now = f->now,
		.sync = &f->sync,
		.rooms = f->rooms,
		.room_count = 3,
		.address = "192.0.2.7",
		.setup_text = s == ST_SETUP ? "The configuration /etc/roomsign/roomsign.conf has problems:\n"
					      "/etc/roomsign/roomsign.conf:12: [source] url: missing: the EWS "
					      "endpoint, e.g. https://mail.example.com/EWS/Exchange.asmx"
					    : NULL,
	};
	view_build(&in, &f->view);
}

static void
on_report(void *ctx, const struct render_report *r)
{
	struct shot *s = ctx;
	if (s->report_count < LAYOUT_MAX_ITEMS)
		s->reports[s->report_count++] = *r;
}

static bool
shot_open(struct shot *s, int w, int h)
{
	memset(s, 0, sizeof(*s));
	s->surface = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
	s->renderer = s->surface ? SDL_CreateSoftwareRenderer(s->surface) : NULL;
	s->render = s->renderer ? render_create(s->renderer, ROOMSIGN_FONT, ROOMSIGN_FONT_BOLD) : NULL;
	if (s->render)
		render_set_report(s->render, on_report, s);
	return s->render != NULL;
}

static void
shot_close(struct shot *s)
{
	render_destroy(s->render);
	if (s->renderer)
		SDL_DestroyRenderer(s->renderer);
	SDL_FreeSurface(s->surface);
}

static void
shot_draw(struct shot *s, const struct frame *frame)
{
	s->report_count = 0;
	render_frame(s->render, frame);
	SDL_RenderPresent(s->renderer);
}

static uint32_t
px(const SDL_Surface *sf, const uint32_t *pixels, int x, int y)
{
	return pixels[(size_t)y * (size_t)(sf->pitch / 4) + (size_t)x] & 0xffffffu;
}

static bool
role_in(const char *role, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (role && strcmp(role, list[i]) == 0)
			return true;
	return false;
}

/* ---- what fits ---- */

static void
check_fit(const struct shot *s, const struct frame *fr, const char *what)
{
	for (size_t i = 0; i < s->report_count; i++) {
		const struct render_report *r = &s->reports[i];
		const struct item *it = &fr->items[r->item];
		bool title_ok = strcmp(r->role, "title") == 0 && r->lines >= 2;
		if (r->cut && !title_ok && role_in(r->role, never_cut, sizeof(never_cut) / sizeof(never_cut[0])))
			failf("%s: %s \"%s\" is cut (drawn at %d px in a %d px box)", what, r->role, r->text,
				r->size_px, it->box.w);
		if (r->cut && strcmp(r->role, "title") == 0 && r->lines < 2)
			failf("%s: the title \"%s\" is cut on one line", what, r->text);
		if (r->cut && r->size_px > it->min_px) /* anything else (a long subject): shrunk first */
			failf("%s: %s \"%s\" is cut at %d px before shrinking to the readable %d px", what, r->role,
				r->text, r->size_px, it->min_px);
		if (r->drawn.x < it->box.x - 1 || r->drawn.x + r->drawn.w > it->box.x + it->box.w + 1)
			failf("%s: %s \"%s\" is drawn outside its box", what, r->role, r->text);
		if (r->size_px < it->min_px)
			failf("%s: %s \"%s\" shrank below the readable minimum", what, r->role, r->text);
	}
}

/* Left column's drawn right edge + half an em <= right column's drawn left edge, row by row. */
static void
check_gaps(const struct shot *s, const char *left, const char *right, const char *what)
{
	for (size_t i = 0; i + 1 < s->report_count; i++) {
		const struct render_report *a = &s->reports[i], *b = &s->reports[i + 1];
		if (strcmp(a->role, left) != 0 || strcmp(b->role, right) != 0 || b->drawn.y >= a->drawn.y + a->drawn.h)
			continue; /* stacked rows (narrow panels) have no columns */
		int gap = b->drawn.x - (a->drawn.x + a->drawn.w), em_half = (a->size_px * 85 / 100 + 1) / 2;
		if (gap < em_half)
			failf("%s: \"%s\" and \"%s\" are %d px apart, under half an em (%d px)", what, a->text, b->text,
				gap, em_half);
	}
}

/* ---- contrast from the pixels ---- */

static double
glyph_contrast(const SDL_Surface *sf, const uint32_t *with, const uint32_t *without, struct box b)
{
	uint32_t bgs[8];
	double best[8];
	size_t counts[8], nbg = 0, total = 0;
	for (int y = b.y < 0 ? 0 : b.y; y < b.y + b.h && y < sf->h; y++)
		for (int x = b.x < 0 ? 0 : b.x; x < b.x + b.w && x < sf->w; x++) {
			uint32_t fg = px(sf, with, x, y), bg = px(sf, without, x, y);
			if (fg == bg)
				continue;
			size_t k = 0;
			while (k < nbg && bgs[k] != bg)
				k++;
			if (k == nbg) {
				if (nbg == 8)
					continue;
				bgs[nbg] = bg, best[nbg] = 1.0, counts[nbg++] = 0;
			}
			double c = theme_contrast(fg, bg);
			best[k] = c > best[k] ? c : best[k];
			counts[k]++;
			total++;
		}
	double worst = total ? 21.0 : 0.0;
	for (size_t k = 0; k < nbg; k++)
		if (counts[k] * 20 >= total && best[k] < worst)
			worst = best[k];
	return worst;
}

static void
check_contrast(struct shot *s, const struct frame *fr, const struct theme *th, const char *what)
{
	size_t n = (size_t)s->surface->h * (size_t)(s->surface->pitch / 4);
	uint32_t *with = xmalloc(n * 4), *without = xmalloc(n * 4);
	memcpy(with, s->surface->pixels, n * 4);
	struct render_report reports[LAYOUT_MAX_ITEMS];
	size_t count = s->report_count;
	memcpy(reports, s->reports, sizeof(reports));
	struct frame *bare = xmalloc(sizeof(*bare));
	*bare = *fr;
	bare->item_count = 0;
	for (size_t i = 0; i < fr->item_count; i++)
		if (fr->items[i].kind != ITEM_TEXT)
			bare->items[bare->item_count++] = fr->items[i];
	shot_draw(s, bare);
	memcpy(without, s->surface->pixels, n * 4);
	for (size_t i = 0; i < count; i++) {
		const struct render_report *r = &reports[i];
		const struct item *it = &fr->items[r->item];
		double font_px = r->size_px * 0.85, ratio = glyph_contrast(s->surface, with, without, r->drawn);
		bool large = font_px >= 24.0 || (it->bold && font_px >= 18.66);
		double need = th->name == THEME_NAME_HIGH_CONTRAST ? 7.0 : large ? 3.0 : 4.5;
		if (ratio < need)
			failf("%s: %s \"%s\" has a contrast of %.2f:1 on screen, needs %.1f:1", what, r->role, r->text,
				ratio, need);
	}
	free(bare);
	free(with);
	free(without);
}

/* ---- touch targets, from the hit-areas JSON ---- */

static void
check_targets(const struct frame *fr, float dpi, const char *what)
{
	char path[] = "/tmp/roomsign-screens-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_true(layout_write_hits(fr, path));
	FILE *fp = fopen(path, "r");
	char buf[8192];
	size_t len = fp ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;
	buf[len] = '\0';
	if (fp)
		fclose(fp);
	unlink(path);
	cJSON *list = cJSON_Parse(buf);
	assert_non_null(list);
	double min = LAYOUT_MIN_TARGET_MM / 25.4 * dpi - 0.5;
	cJSON *t;
	cJSON_ArrayForEach(t, list)
	{
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(t, "id"));
		int y = cJSON_GetObjectItem(t, "y")->valueint, w = cJSON_GetObjectItem(t, "w")->valueint,
		    h = cJSON_GetObjectItem(t, "h")->valueint;
		if (w < min || h < min)
			failf("%s: '%s' is %dx%d px, under 9 mm (%.1f px at %.0f dpi)", what, id, w, h, min,
				(double)dpi);
		if (y * 3 < fr->height * 2 || y + h > fr->height)
			failf("%s: '%s' (y %d..%d) is not in the lower third of %d px", what, id, y, y + h, fr->height);
	}
	cJSON_Delete(list);
}

/* ---- the QR code ---- */

static bool
overlaps(struct box a, struct box b)
{
	return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/* On the home screen at the panel's own dpi the code shows (the README says so for these five
 * panels), with whole-pixel modules of at least 0.5 mm, a quiet zone of four, inside the screen,
 * touching no other item, and drawn as white quiet zone around its black finder corner. */
static void
check_qr(const struct shot *s, const struct fixture *f, float dpi, bool must_show, const char *what)
{
	const struct frame *fr = &f->frame;
	const struct item *qr = NULL;
	for (size_t i = 0; i < fr->item_count; i++)
		if (fr->items[i].kind == ITEM_QR)
			qr = &fr->items[i];
	if (!f->view.qr) {
		if (qr)
			failf("%s: a QR code on a screen without one", what);
		return;
	}
	if (!qr) {
		if (must_show)
			failf("%s: the QR code is not shown", what);
		return;
	}
	int k = qr->size_px, n = f->view.qr_modules + 2 * QR_QUIET_MODULES;
	struct box b = qr->box;
	if (k < QR_MIN_MODULE_MM / 25.4f * dpi)
		failf("%s: QR modules of %d px are under 0.5 mm (%.2f px at %.0f dpi)", what, k,
			(double)(QR_MIN_MODULE_MM / 25.4f * dpi), (double)dpi);
	if (b.w != n * k || b.h != n * k)
		failf("%s: the QR box is %dx%d, not %d modules of %d px", what, b.w, b.h, n, k);
	if (b.x < 0 || b.y < 0 || b.x + b.w > fr->width || b.y + b.h > fr->height)
		failf("%s: the QR code leaves the screen", what);
	for (size_t i = 1; i < fr->item_count; i++) /* items[0]: the background */
		if (&fr->items[i] != qr && overlaps(fr->items[i].box, b))
			failf("%s: the QR code overlaps %s \"%s\"", what,
				fr->items[i].role ? fr->items[i].role : "a panel",
				fr->items[i].text ? fr->items[i].text : "");
	for (size_t i = 0; i < fr->hit_count; i++)
		if (overlaps(fr->hits[i].box, b))
			failf("%s: the QR code overlaps the '%s' button", what, fr->hits[i].id);
	const uint32_t *pixels = s->surface->pixels;
	int q = QR_QUIET_MODULES * k;
	for (int i = 0; i < b.w; i++) /* the quiet zone's outer edge and inner edge, all sides */
		for (int d = 0; d < q; d += q - 1)
			if (px(s->surface, pixels, b.x + i, b.y + d) != 0xffffff ||
				px(s->surface, pixels, b.x + d, b.y + i) != 0xffffff ||
				px(s->surface, pixels, b.x + i, b.y + b.h - 1 - d) != 0xffffff ||
				px(s->surface, pixels, b.x + b.w - 1 - d, b.y + i) != 0xffffff) {
				failf("%s: the QR code's quiet zone is not white", what);
				return;
			}
	if (px(s->surface, pixels, b.x + q, b.y + q) != 0 || px(s->surface, pixels, b.x + q + 7 * k - 1, b.y + q) != 0)
		failf("%s: the QR code's finder corner is not black", what);
}

/* ---- one frame ---- */

static void
render_state(struct shot *s, enum state st, const struct panel *p, float dpi, bool large, bool hc, bool contrast,
	struct fixture *f)
{
	char what[160];
	snprintf(what, sizeof(what), "%s %dx%d@%.0f %s%s%s%s", state_names[st], p->w, p->h, (double)dpi,
		i18n_language(), large ? " large" : "", hc ? " high-contrast" : "", dpi == p->dpi ? " qr" : "");
	bool native = dpi == p->dpi; /* there with a QR code, at 96 dpi without */
	fixture_init(f, st, large, hc, native);
	build(f, st);
	layout_frame(&f->view, p->w, p->h, dpi, &f->frame);
	shot_draw(s, &f->frame);
	check_qr(s, f, dpi, native, what);
	check_fit(s, &f->frame, what);
	check_gaps(s, "agenda_time", "agenda_text", what);
	check_gaps(s, "list_label", "list_text", what);
	check_targets(&f->frame, dpi, what);
	if (contrast)
		check_contrast(s, &f->frame, &f->view.theme, what);
	fixture_finish(f);
}

static void
test_screens_fit_contrast_and_reach(void **state)
{
	(void)state;
	struct fixture *f = xcalloc(1, sizeof(*f));
	for (size_t pi = 0; pi < sizeof(panels) / sizeof(panels[0]); pi++) {
		const struct panel *p = &panels[pi];
		struct shot s;
		assert_true(shot_open(&s, p->w, p->h));
		for (size_t li = 0; li < 3; li++) {
			assert_true(i18n_set_language(languages[li], NULL));
			for (int large = 0; large < 2; large++)
				for (int st = 0; st < ST_COUNT; st++) {
					render_state(&s, (enum state)st, p, p->dpi, large, false, li == 0, f);
					render_state(&s, (enum state)st, p, 96.0f, large, false, false, f);
					if (li == 0)
						render_state(&s, (enum state)st, p, p->dpi, large, true, true, f);
				}
		}
		shot_close(&s);
	}
	i18n_set_language("en", NULL);
	free(f);
	if (failures)
		fail_msg("%d screen checks failed (listed above)", failures);
}

/* Large text: every text's size is at least 1.4 times its normal size. */
static void
test_screens_large_text_is_larger(void **state)
{
	(void)state;
	struct fixture *f = xcalloc(2, sizeof(*f));
	for (int st = 0; st < ST_COUNT; st++)
		for (size_t pi = 0; pi < sizeof(panels) / sizeof(panels[0]); pi++) {
			const struct panel *p = &panels[pi];
			for (int large = 0; large < 2; large++) {
				fixture_init(&f[large], (enum state)st, large, false, true);
				build(&f[large], (enum state)st);
				layout_frame(&f[large].view, p->w, p->h, p->dpi, &f[large].frame);
			}
			for (size_t i = 0; i < f[0].frame.item_count; i++) {
				const struct item *a = &f[0].frame.items[i];
				if (a->kind != ITEM_TEXT)
					continue;
				for (size_t j = 0; j < f[1].frame.item_count; j++) {
					const struct item *b = &f[1].frame.items[j];
					if (b->kind == ITEM_TEXT &&
						b->text ==
							a->text - (const char *)&f[0].view + (const char *)&f[1].view &&
						(float)b->size_px < (float)a->size_px * 1.4f - 1.5f)
						fail_msg("%s %dx%d: %s \"%s\" is %d px large, %d px normal",
							state_names[st], p->w, p->h, a->role, a->text, b->size_px,
							a->size_px);
				}
			}
			fixture_finish(&f[0]);
			fixture_finish(&f[1]);
		}
	free(f);
}

/* ---- colour blindness ---- */

static double
lin(unsigned c)
{
	double v = c / 255.0;
	return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

/* Machado, Oliveira & Fernandes (2009), "A Physiologically-based Model for Simulation of Color
 * Vision Deficiency", severity 1.0, applied to linear RGB; then sRGB D65 → CIELAB. */
static void
simulate_lab(uint32_t c, const double m[3][3], double lab[3])
{
	double v[3] = { lin(c >> 16 & 255), lin(c >> 8 & 255), lin(c & 255) }, s[3];
	for (int i = 0; i < 3; i++) {
		s[i] = m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2];
		s[i] = s[i] < 0 ? 0 : s[i] > 1 ? 1 : s[i];
	}
	double X = (0.4124 * s[0] + 0.3576 * s[1] + 0.1805 * s[2]) / 0.95047;
	double Y = 0.2126 * s[0] + 0.7152 * s[1] + 0.0722 * s[2];
	double Z = (0.0193 * s[0] + 0.1192 * s[1] + 0.9505 * s[2]) / 1.08883;
	double t[3] = { X, Y, Z };
	for (int i = 0; i < 3; i++)
		t[i] = t[i] > 216.0 / 24389.0 ? cbrt(t[i]) : (24389.0 / 27.0 * t[i] + 16.0) / 116.0;
	lab[0] = 116 * t[1] - 16;
	lab[1] = 500 * (t[0] - t[1]);
	lab[2] = 200 * (t[1] - t[2]);
}

static double
deg(double r)
{
	return r * 180.0 / M_PI;
}

static double
rad(double d)
{
	return d * M_PI / 180.0;
}

/* CIEDE2000 (Sharma, Wu & Dalal 2005), kL = kC = kH = 1. */
static double
delta_e2000(const double *l1, const double *l2)
{
	double C1 = hypot(l1[1], l1[2]), C2 = hypot(l2[1], l2[2]), Cb = (C1 + C2) / 2;
	double G = 0.5 * (1 - sqrt(pow(Cb, 7) / (pow(Cb, 7) + pow(25, 7))));
	double a1 = (1 + G) * l1[1], a2 = (1 + G) * l2[1];
	double C1p = hypot(a1, l1[2]), C2p = hypot(a2, l2[2]);
	double h1 = fmod(deg(atan2(l1[2], a1)) + 360, 360), h2 = fmod(deg(atan2(l2[2], a2)) + 360, 360);
	double dL = l2[0] - l1[0], dC = C2p - C1p, dh = 0;
	if (C1p * C2p != 0)
		dh = h2 - h1 > 180 ? h2 - h1 - 360 : h2 - h1 < -180 ? h2 - h1 + 360 : h2 - h1;
	double dH = 2 * sqrt(C1p * C2p) * sin(rad(dh / 2));
	double Lb = (l1[0] + l2[0]) / 2, Cbp = (C1p + C2p) / 2, hb = h1 + h2;
	if (C1p * C2p != 0)
		hb = fabs(h1 - h2) <= 180 ? (h1 + h2) / 2 : h1 + h2 < 360 ? (h1 + h2 + 360) / 2 : (h1 + h2 - 360) / 2;
	double T = 1 - 0.17 * cos(rad(hb - 30)) + 0.24 * cos(rad(2 * hb)) + 0.32 * cos(rad(3 * hb + 6)) -
		   0.20 * cos(rad(4 * hb - 63));
	double dth = 30 * exp(-pow((hb - 275) / 25, 2)), Rc = 2 * sqrt(pow(Cbp, 7) / (pow(Cbp, 7) + pow(25, 7)));
	double Sl = 1 + 0.015 * pow(Lb - 50, 2) / sqrt(20 + pow(Lb - 50, 2)), Sc = 1 + 0.045 * Cbp,
	       Sh = 1 + 0.015 * Cbp * T, Rt = -sin(rad(2 * dth)) * Rc;
	return sqrt(pow(dL / Sl, 2) + pow(dC / Sc, 2) + pow(dH / Sh, 2) + Rt * (dC / Sc) * (dH / Sh));
}

/* The status panel's colour and the status shape's pixels, as rendered (default theme, 800x480). */
static uint32_t
rendered_status(struct shot *s, enum state st, bool *mask, struct box *icon)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	fixture_init(f, st, false, false, false);
	build(f, st);
	layout_frame(&f->view, 800, 480, 133, &f->frame);
	shot_draw(s, &f->frame);
	const uint32_t *pixels = s->surface->pixels;
	struct box panel = { 0 };
	for (size_t i = 0; i < f->frame.item_count; i++)
		if (f->frame.items[i].kind == ITEM_RECT && f->frame.items[i].colour == f->view.status_colour)
			panel = f->frame.items[i].box;
	uint32_t colour = px(s->surface, pixels, panel.x + 8, panel.y + panel.h / 2);
	for (size_t i = 0; i < s->report_count; i++)
		if (strcmp(s->reports[i].role, "status_icon") == 0)
			*icon = f->frame.items[s->reports[i].item].box;
	for (int y = 0; y < icon->h; y++)
		for (int x = 0; x < icon->w; x++)
			mask[y * icon->w + x] = px(s->surface, pixels, icon->x + x, icon->y + y) != colour;
	fixture_finish(f);
	free(f);
	return colour;
}

static void
test_screens_status_colours_survive_colour_blindness(void **state)
{
	(void)state;
	static const double normal[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
	static const double deuteranopia[3][3] = { { 0.367322, 0.860646, -0.227968 }, { 0.280085, 0.672501, 0.047413 },
		{ -0.011820, 0.042940, 0.968881 } };
	static const double protanopia[3][3] = { { 0.152286, 1.052583, -0.204868 }, { 0.114503, 0.786281, 0.099216 },
		{ -0.003882, -0.048116, 1.051998 } };
	const double(*const sims[])[3] = { normal, deuteranopia, protanopia };
	static const char *const sim_names[] = { "normal vision", "deuteranopia", "protanopia" };
	const enum state states[3] = { ST_FREE, ST_BUSY, ST_SOON };
	struct shot s;
	assert_true(shot_open(&s, 800, 480));
	bool *masks[3];
	struct box icons[3] = { { 0 } };
	uint32_t colours[3];
	for (int i = 0; i < 3; i++) {
		masks[i] = xcalloc(800 * 480, sizeof(bool));
		colours[i] = rendered_status(&s, states[i], masks[i], &icons[i]);
	}
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < 3; i++)
			for (int j = i + 1; j < 3; j++) {
				double a[3], b[3];
				simulate_lab(colours[i], sims[k], a);
				simulate_lab(colours[j], sims[k], b);
				double de = delta_e2000(a, b);
				printf("%s: %s #%06x vs %s #%06x: CIEDE2000 %.1f\n", sim_names[k],
					state_names[states[i]], (unsigned)colours[i], state_names[states[j]],
					(unsigned)colours[j], de);
				if (de < 20.0)
					fail_msg("%s: %s and %s are only %.1f apart (CIEDE2000), need 20", sim_names[k],
						state_names[states[i]], state_names[states[j]], de);
			}
	/* and a shape per state: the icons' pixels differ clearly, whatever the colours */
	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++) {
			assert_true(icons[i].w > 0 && icons[i].w == icons[j].w && icons[i].h == icons[j].h);
			size_t differ = 0, ink = 0;
			for (int p = 0; p < icons[i].w * icons[i].h; p++) {
				differ += masks[i][p] != masks[j][p];
				ink += masks[i][p] || masks[j][p];
			}
			printf("shapes %s/%s: %zu of %zu inked pixels differ\n", state_names[states[i]],
				state_names[states[j]], differ, ink);
			if (ink == 0 || differ * 4 < ink)
				fail_msg("the %s and %s shapes are too alike", state_names[states[i]],
					state_names[states[j]]);
		}
	for (int i = 0; i < 3; i++)
		free(masks[i]);
	shot_close(&s);
}

/* ---- the gallery ---- */

static int
gallery(const char *dir)
{
	int status = 0;
	i18n_set_language("en", NULL);
	time_set_zone("UTC");
	struct fixture *f = xcalloc(1, sizeof(*f));
	for (size_t pi = 0; pi < sizeof(panels) / sizeof(panels[0]); pi++) {
		const struct panel *p = &panels[pi];
		struct shot s;
		if (!shot_open(&s, p->w, p->h))
			return 1;
		for (int hc = 0; hc < 2; hc++)
			for (int st = 0; st < ST_COUNT; st++) {
				char path[4096];
				fixture_init(f, (enum state)st, false, hc, true);
				build(f, (enum state)st);
				layout_frame(&f->view, p->w, p->h, p->dpi, &f->frame);
				shot_draw(&s, &f->frame);
				snprintf(path, sizeof(path), "%s/%s-%s-%dx%d.png", dir,
					hc ? "high-contrast" : "default", state_names[st], p->w, p->h);
				if (!png_write_argb(path, s.surface->pixels, p->w, p->h, s.surface->pitch)) {
					fprintf(stderr, "cannot write %s\n", path);
					status = 1;
				}
				fixture_finish(f);
			}
		shot_close(&s);
	}
	free(f);
	printf("wrote %d screenshots to %s\n", 5 * 2 * ST_COUNT, dir);
	return status;
}

static int
setup(void **state)
{
	(void)state;
	return time_set_zone("UTC") ? 0 : -1;
}

int
main(int argc, char **argv)
{
	SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
	if (argc == 3 && strcmp(argv[1], "--gallery") == 0)
		return gallery(argv[2]);
	if (argc > 1) {
		fputs("usage: test_screens [--gallery OUTDIR]\n", stderr);
		return 2;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_screens_status_colours_survive_colour_blindness),
		cmocka_unit_test(test_screens_large_text_is_larger),
		cmocka_unit_test(test_screens_fit_contrast_and_reach),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
