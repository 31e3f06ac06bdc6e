/* png.h — writes a frame as PNG straight over zlib, tuned for speed: the sign's flat colours
 * compress well with zlib's RLE strategy at level 1, which is ~20× faster than the default. */
#pragma once
#include <stdbool.h>

/* pixels: 32-bit ARGB8888 (SDL_PIXELFORMAT_ARGB8888) rows of pitch bytes. Written atomically.
 * false on failure (errno or a message on stderr). */
bool png_write_argb(const char *path, const void *pixels, int width, int height, int pitch);
