/* png_libpng.h — the screenshot writer done with libpng (zlib level 1, Z_RLE, the given row
 * filters), for the benchmark only: issue 13 asks for the library unless it is more than 20 %
 * slower than the sign's own writer (app/ui/png.c) at 1920×1080; bench_render prints both. */
#pragma once
#include <stdbool.h>

/* filters: PNG_FILTER_* bits, as png_set_filter takes them. */
bool png_libpng_write_argb(const char *path, const void *pixels, int width, int height, int pitch, int filters);
