/* bench_render.c — full-frame time at a panel size with SDL's software renderer (budget at
 * 1920×1080: ≤ 8 ms, DESIGN.md): the same chain the sign runs per frame — room state, view,
 * layout, render — into an offscreen surface. Prints the first (cold text cache) frame, then the
 * median of frames one minute apart (the clock changes: what the sign draws each minute) and of
 * identical frames. Prints numbers; asserts nothing about time.
 *
 * Usage: bench_render WxH [ICS-FILE] [FRAMES]   (no file: the demo calendar) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <SDL.h>
#include "calendar/source.h"
#include "config.h"
#include "core/room_state.h"
#include "core/timeutil.h"
#include "core/log.h"
#include <png.h>
#include "png_libpng.h"
#include "ui/layout.h"
#include "ui/png.h"
#include "ui/render.h"
#include "ui/view.h"
#include "worker.h"

#define BUDGET_MS  8.0
#define MAX_FRAMES 500

struct bench {
	struct config config;
	struct schedule *schedule;
	struct sync_status sync;
	struct ui_state ui;
	struct room_state state;
	struct view view;
	struct frame frame;
	struct render *render;
	int width, height;
};

static double
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One frame, exactly as sign.c's compose() + draw() without the present. */
static double
frame_ms(struct bench *b, rs_time now)
{
	double t0 = now_ms();
	struct room_policy p = { b->config.booking.soon_min, false, 5, 10 };
	room_state_compute(b->schedule, now, &p, NULL, NULL, &b->state);
	struct view_input in = {
		.config = &b->config,
		.schedule = b->schedule,
		.state = &b->state,
		.ui = &b->ui,
		.now = now,
		.sync = &b->sync,
		.address = "192.0.2.10",
	};
	view_build(&in, &b->view);
	layout_frame(&b->view, b->width, b->height, 96.0f, &b->frame);
	render_frame(b->render, &b->frame);
	return now_ms() - t0;
}

/* Process CPU time: a writer's cost without the other processes of a shared machine. */
static double
cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), compare_double);
	return v[n / 2];
}

/* A screenshot writer: the sign's own (filters < 0) or libpng with the given row filters. */
static bool
write_with(int filters, const SDL_Surface *surface, const char *path)
{
	if (filters < 0)
		return png_write_argb(path, surface->pixels, surface->w, surface->h, surface->pitch);
	return png_libpng_write_argb(path, surface->pixels, surface->w, surface->h, surface->pitch, filters);
}

/* Median CPU time of writing the frame as a screenshot; *bytes gets the file size. */
static double
png_ms(int filters, const SDL_Surface *surface, const char *path, long *bytes)
{
	enum { RUNS = 15 };
	double t[RUNS];
	for (int i = 0; i < RUNS; i++) {
		double t0 = cpu_ms();
		if (!write_with(filters, surface, path))
			return -1.0;
		t[i] = cpu_ms() - t0;
	}
	struct stat st;
	*bytes = stat(path, &st) == 0 ? (long)st.st_size : -1;
	unlink(path);
	return median(t, RUNS);
}

/* Issue 13: screenshots would go through libpng unless it is more than 20 % slower than the
 * sign's own writer (app/ui/png.c) on the same frame: both are printed, with libpng's filters as
 * the sign's (Sub or Up per row) and its fastest choice here (Up only). */
static bool
bench_png(const SDL_Surface *surface)
{
	static const struct {
		const char *name;
		int filters;
	} writers[] = {
		{ "roomsign (Sub/Up)", -1 },
		{ "libpng Sub+Up", PNG_FILTER_SUB | PNG_FILTER_UP },
		{ "libpng Up", PNG_FILTER_UP },
	};
	char path[64];
	snprintf(path, sizeof(path), "/tmp/bench-png-%ld.png", (long)getpid());
	double own = 0.0;
	for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
		long bytes = 0;
		double ms = png_ms(writers[i].filters, surface, path, &bytes);
		if (ms < 0) {
			fprintf(stderr, "bench_render: the %s PNG writer failed\n", writers[i].name);
			return false;
		}
		if (i == 0)
			own = ms;
		printf("png %dx%d  %-18s median %6.2f ms CPU  %8ld bytes  %.2f× roomsign's%s\n", surface->w, surface->h,
			writers[i].name, ms, bytes, ms / own,
			i == 0            ? ""
			: ms / own > 1.20 ? "  (> 1.20: the own writer stays)"
					  : "  (<= 1.20: libpng would do)");
	}
	return true;
}

static bool
load_schedule(struct bench *b, const char *ics, rs_time now)
{
	struct source_error err = { 0 };
	config_defaults(&b->config);
	if (ics) {
		b->config.source.type = SOURCE_ICS;
		b->config.source.url = strdup(ics);
	}
	struct source *source = source_create(&b->config.source, &err);
	rs_time from, to;
	worker_window(now, &from, &to);
	bool ok = source && source_fetch(source, from, to, &b->schedule, &err);
	if (!ok)
		fprintf(stderr, "bench_render: %s\n", err.message);
	source_destroy(source);
	b->sync.has_schedule = ok;
	b->sync.last_ok = now;
	return ok;
}

int
main(int argc, char **argv)
{
	static struct bench b;
	if (argc < 2 || sscanf(argv[1], "%dx%d", &b.width, &b.height) != 2) {
		fputs("usage: bench_render WxH [ICS-FILE] [FRAMES]\n", stderr);
		return 2;
	}
	const char *ics = argc > 2 && strcmp(argv[2], "-") != 0 ? argv[2] : NULL;
	int frames = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 60;
	if (frames < 3 || frames > MAX_FRAMES)
		frames = 60;
	log_set_level(LOG_LEVEL_ERROR);
	time_set_zone("Europe/Copenhagen");
	rs_time now = time_from_local(2026, 12, 1, 10, 15, 0);
	time_set_now(now, true);
	if (!load_schedule(&b, ics, now))
		return 1;
	ui_state_init(&b.ui, 0);
	SDL_Surface *surface = SDL_CreateRGBSurfaceWithFormat(0, b.width, b.height, 32, SDL_PIXELFORMAT_ARGB8888);
	SDL_Renderer *renderer = surface ? SDL_CreateSoftwareRenderer(surface) : NULL;
	b.render = renderer ? render_create(renderer, ROOMSIGN_FONT, ROOMSIGN_FONT_BOLD) : NULL;
	if (!b.render) {
		fprintf(stderr, "bench_render: cannot render offscreen: %s\n", SDL_GetError());
		return 1;
	}
	static double minute[MAX_FRAMES], same[MAX_FRAMES];
	double cold = frame_ms(&b, now);
	for (int i = 0; i < frames; i++)
		minute[i] = frame_ms(&b, now + 60 * (i + 1));
	for (int i = 0; i < frames; i++)
		same[i] = frame_ms(&b, now + 60 * frames);
	double m = median(minute, frames);
	printf("frame %dx%d %-5s %4zu events  first %6.2f ms  per-minute median %6.2f ms  "
	       "repeat median %6.2f ms  budget %.0f ms  %s  (software renderer, %zu cached texts)\n",
		b.width, b.height, ics ? "1000" : "demo", b.schedule->count, cold, m, median(same, frames), BUDGET_MS,
		m <= BUDGET_MS ? "within" : "OVER", render_cache_size(b.render));
	bool png_ok = bench_png(surface);
	render_destroy(b.render);
	SDL_DestroyRenderer(renderer);
	SDL_FreeSurface(surface);
	schedule_destroy(b.schedule);
	config_finish(&b.config);
	return png_ok ? 0 : 1;
}
