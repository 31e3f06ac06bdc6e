/* render.h — draws a laid-out frame with an SDL renderer; text through SDL2_ttf, cached as
 * textures keyed by (text, size, weight, colour). */
#pragma once
#include <stdbool.h>
#include <SDL.h>
#include "layout.h"

struct render;

/* NULL when a font cannot be opened (logged, naming the file). */
struct render *render_create(SDL_Renderer *renderer, const char *font_path, const char *bold_path);
void render_destroy(struct render *render); /* accepts NULL */
/* Clears and draws the whole frame (the caller presents). */
void render_frame(struct render *render, const struct frame *frame);
/* What render did with one text item (a test and diagnostics hook). */
struct render_report {
	size_t item;      /* index in the frame's items */
	const char *role; /* the item's role */
	const char *text;
	int size_px;      /* the size drawn: the item's, or smaller after shrinking to fit */
	int lines;        /* lines drawn */
	bool cut;         /* ellipsised: drawn narrower than the string needs */
	struct box drawn; /* the bounding box of the pixels' texture(s) */
};
typedef void (*render_report_fn)(void *ctx, const struct render_report *report);
/* Calls fn for every text item of every later render_frame (NULL: stop). */
void render_set_report(struct render *render, render_report_fn fn, void *ctx);
/* Number of cached text textures (for tests and benchmarks). */
size_t render_cache_size(const struct render *render);
