#define LOG_MODULE "display"
#include "display.h"
#include <string.h>
#include "core/log.h"

void
display_to_logical(const struct display *d, int px, int py, int *lx, int *ly)
{
	int W, H;
	SDL_GetRendererOutputSize(d->renderer, &W, &H);
	switch (d->rotate) {
	case 90:
		*lx = py;
		*ly = W - 1 - px;
		break;
	case 180:
		*lx = W - 1 - px;
		*ly = H - 1 - py;
		break;
	case 270:
		*lx = H - 1 - py;
		*ly = px;
		break;
	default:
		*lx = px;
		*ly = py;
		break;
	}
}

/* Chooses the renderer (and the hints it needs) and returns the SDL flags to try first. The sign
 * redraws about once a minute: where the video driver has a framebuffer of its own (X11,
 * Wayland, offscreen), SDL's software renderer draws a 1920x1080 frame in a few ms and spares
 * the GL stack (~70 MiB with Mesa's llvmpipe). SDL's KMSDRM backend has none, so "auto" draws
 * with OpenGL ES there (the Pi's GPU). SDL's first GL choice, its desktop OpenGL renderer (also
 * the default for presenting a software frame), shows a black screen on KMSDRM's EGL under
 * virtio-gpu: both paths name opengles2 there. An SDL_RENDER_DRIVER or
 * SDL_FRAMEBUFFER_ACCELERATION environment variable still wins over these hints. */
static Uint32
choose_renderer(enum renderer_choice choice, const char *video_driver)
{
	bool kmsdrm = video_driver && strcmp(video_driver, "KMSDRM") == 0;
	if (choice == RENDERER_AUTO)
		choice = kmsdrm ? RENDERER_ACCELERATED : RENDERER_SOFTWARE;
	if (kmsdrm)
		SDL_SetHint(choice == RENDERER_ACCELERATED ? SDL_HINT_RENDER_DRIVER : SDL_HINT_FRAMEBUFFER_ACCELERATION,
			"opengles2");
	else if (choice == RENDERER_SOFTWARE) /* present through the driver's framebuffer, not GL */
		SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
	return choice == RENDERER_ACCELERATED ? SDL_RENDERER_ACCELERATED : SDL_RENDERER_SOFTWARE;
}

bool
display_open(struct display *d, int width, int height, enum renderer_choice choice, int rotate, int dpi)
{
	memset(d, 0, sizeof(*d));
	d->rotate = rotate;
	d->dpi = dpi;
	SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
	SDL_SetHint(SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE, "0");
	SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
	SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
	if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
		log_error("cannot start the display: %s", SDL_GetError());
		return false;
	}
	Uint32 flags = SDL_WINDOW_SHOWN;
	int w = width, h = height, x = SDL_WINDOWPOS_CENTERED, y = SDL_WINDOWPOS_CENTERED;
	if (!w || !h) {
		/* Full screen at the display's own size: under a bare X server (xinit, startx, Xvfb)
		 * no window manager resizes a 0×0 fullscreen window, and it stays 1×1 on a black screen. */
		flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
		SDL_Rect bounds;
		if (SDL_GetDisplayBounds(0, &bounds) == 0 && bounds.w > 0 && bounds.h > 0) {
			x = bounds.x;
			y = bounds.y;
			w = bounds.w;
			h = bounds.h;
		} else {
			log_warn("cannot read the display's size (%s): leaving it to the video driver", SDL_GetError());
			w = h = 0;
		}
	}
	d->window = SDL_CreateWindow("roomsign", x, y, w, h, flags);
	if (!d->window) {
		log_error("cannot open a window (video driver %s): %s", SDL_GetCurrentVideoDriver(), SDL_GetError());
		return false;
	}
	Uint32 first = choose_renderer(choice, SDL_GetCurrentVideoDriver());
	Uint32 second = first == SDL_RENDERER_SOFTWARE ? SDL_RENDERER_ACCELERATED : SDL_RENDERER_SOFTWARE;
	d->renderer = SDL_CreateRenderer(d->window, -1, first);
	if (!d->renderer) {
		log_warn("cannot create the %s renderer (%s): trying the other",
			first == SDL_RENDERER_SOFTWARE ? "software" : "accelerated", SDL_GetError());
		SDL_ResetHint(SDL_HINT_RENDER_DRIVER);
		d->renderer = SDL_CreateRenderer(d->window, -1, second);
	}
	if (!d->renderer) {
		log_error("cannot create a renderer: %s", SDL_GetError());
		return false;
	}
	SDL_ShowCursor(SDL_DISABLE);
	int W, H;
	SDL_GetRendererOutputSize(d->renderer, &W, &H);
	bool sideways = d->rotate == 90 || d->rotate == 270;
	d->width = sideways ? H : W;
	d->height = sideways ? W : H;
	if (d->rotate) {
		d->target = SDL_CreateTexture(
			d->renderer, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, d->width, d->height);
		if (!d->target)
			log_warn("cannot rotate the screen: %s", SDL_GetError());
	}
	SDL_RendererInfo info = { 0 };
	SDL_GetRendererInfo(d->renderer, &info);
	log_info("display %dx%d on %s, renderer %s, rotated %d", W, H, SDL_GetCurrentVideoDriver(),
		info.name ? info.name : "?", d->rotate);
	return true;
}

float
display_dpi(const struct display *d)
{
	float ddpi = 0;
	if (d->dpi > 0)
		return (float)d->dpi;
	if (SDL_GetDisplayDPI(SDL_GetWindowDisplayIndex(d->window), &ddpi, NULL, NULL) == 0 && ddpi > 50 && ddpi < 600)
		return ddpi;
	return 96.0f;
}

void
display_close(struct display *d)
{
	if (d->target)
		SDL_DestroyTexture(d->target);
	if (d->renderer)
		SDL_DestroyRenderer(d->renderer);
	if (d->window)
		SDL_DestroyWindow(d->window);
	d->target = NULL;
	d->renderer = NULL;
	d->window = NULL;
}

void
display_begin(struct display *d)
{
	if (d->target)
		SDL_SetRenderTarget(d->renderer, d->target);
}

void
display_present(struct display *d)
{
	if (d->target) {
		SDL_SetRenderTarget(d->renderer, NULL);
		SDL_SetRenderDrawColor(d->renderer, 0, 0, 0, 255);
		SDL_RenderClear(d->renderer);
		int W, H;
		SDL_GetRendererOutputSize(d->renderer, &W, &H);
		SDL_Rect dst = { (W - d->width) / 2, (H - d->height) / 2, d->width, d->height };
		SDL_RenderCopyEx(d->renderer, d->target, NULL, &dst, d->rotate, NULL, SDL_FLIP_NONE);
	}
	SDL_RenderPresent(d->renderer);
}

void
display_resized(struct display *d)
{
	if (d->target)
		return; /* a rotated panel draws into its target at the size it opened with */
	int W, H;
	SDL_GetRendererOutputSize(d->renderer, &W, &H);
	bool sideways = d->rotate == 90 || d->rotate == 270;
	d->width = sideways ? H : W;
	d->height = sideways ? W : H;
}
