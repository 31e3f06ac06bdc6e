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
/* Number of cached text textures (for tests and benchmarks). */
size_t render_cache_size(const struct render *render);
