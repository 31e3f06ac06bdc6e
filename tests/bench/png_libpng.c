#include "png_libpng.h"
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>
#include "core/xalloc.h"

/* libpng with the sign writer's settings: zlib level 1 with the RLE strategy, and the row
 * filters given (the sign's writer picks Sub or Up per row). Rows are converted to RGB here:
 * faster than libpng's bgr + filler transforms. */
/* One row of ARGB8888 words to packed RGB bytes (faster than libpng's bgr + filler transforms). */
static void
argb_to_rgb(const uint8_t *line, uint8_t *rgb, int width)
{
	const uint32_t *src = (const uint32_t *)(const void *)line;
	for (int x = 0; x < width; x++) {
		*rgb++ = (uint8_t)(src[x] >> 16);
		*rgb++ = (uint8_t)(src[x] >> 8);
		*rgb++ = (uint8_t)src[x];
	}
}

static bool
write_png(FILE *fp, const uint8_t *pixels, int width, int height, int pitch, int filters)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		png_destroy_write_struct(&png, NULL);
		return false;
	}
	uint8_t *volatile rgb = xmalloc((size_t)width * 3);
	if (setjmp(png_jmpbuf(png))) { /* libpng's error path: it has printed why */
		png_destroy_write_struct(&png, &info);
		free(rgb);
		return false;
	}
	png_init_io(png, fp);
	png_set_compression_level(png, 1);
	png_set_compression_strategy(png, Z_RLE);
	png_set_filter(png, PNG_FILTER_TYPE_BASE, filters);
	png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
	png_write_info(png, info);
	for (int y = 0; y < height; y++) {
		argb_to_rgb(pixels + (size_t)y * (size_t)pitch, rgb, width);
		png_write_row(png, rgb);
	}
	free(rgb);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	return true;
}

bool
png_libpng_write_argb(const char *path, const void *pixels, int width, int height, int pitch, int filters)
{
	if (width <= 0 || height <= 0 || pitch < width * 4)
		return false;
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *fp = fopen(tmp, "wb");
	if (!fp) {
		free(tmp);
		return false;
	}
	bool ok = write_png(fp, pixels, width, height, pitch, filters);
	ok = fclose(fp) == 0 && ok;
	if (ok && rename(tmp, path) != 0)
		ok = false;
	if (!ok)
		unlink(tmp);
	free(tmp);
	return ok;
}
