#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "test_support.h"
#include "core/xalloc.h"
#include "net/http.h"
#include "ui/png.h"

/* An independent reader: checks the signature, every chunk's CRC, IHDR first and IEND last,
 * inflates the IDAT stream and undoes the five PNG filters into RGB. */
struct decoded {
	uint32_t width, height;
	uint8_t *rgb;
	int idat_chunks;
};

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int
paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

static void
decode(const char *path, struct decoded *out)
{
	size_t len;
	uint8_t *data = (uint8_t *)file_read_capped(path, 64 << 20, &len);
	assert_non_null(data);
	assert_true(len > 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0);
	uint8_t *idat = NULL;
	size_t idat_len = 0, pos = 8;
	bool ended = false;
	memset(out, 0, sizeof(*out));
	while (pos + 12 <= len && !ended) {
		uint32_t n = be32(data + pos);
		assert_true(pos + 12 + n <= len);
		const uint8_t *type = data + pos + 4, *body = data + pos + 8;
		uLong crc = crc32(crc32(0L, Z_NULL, 0), type, 4 + n);
		assert_int_equal(crc, be32(body + n));
		if (pos == 8)
			assert_memory_equal(type, "IHDR", 4);
		if (memcmp(type, "IHDR", 4) == 0) {
			assert_int_equal(n, 13);
			out->width = be32(body);
			out->height = be32(body + 4);
			assert_memory_equal(body + 8, "\x08\x02\x00\x00\x00", 5); /* 8-bit RGB */
		} else if (memcmp(type, "IDAT", 4) == 0) {
			idat = xrealloc(idat, idat_len + n);
			memcpy(idat + idat_len, body, n);
			idat_len += n;
			out->idat_chunks++;
		} else if (memcmp(type, "IEND", 4) == 0) {
			assert_int_equal(n, 0);
			ended = true;
		}
		pos += 12 + n;
	}
	assert_true(ended);
	assert_int_equal(pos, len); /* nothing after IEND */
	size_t stride = (size_t)out->width * 3, raw_len = (stride + 1) * out->height;
	uint8_t *raw = xmalloc(raw_len + 1);
	uLongf got = raw_len + 1;
	assert_int_equal(uncompress(raw, &got, idat, idat_len), Z_OK);
	assert_int_equal(got, raw_len);
	out->rgb = xcalloc(1, stride * out->height + 1);
	for (uint32_t y = 0; y < out->height; y++) {
		const uint8_t *in = raw + y * (stride + 1) + 1;
		uint8_t *row = out->rgb + y * stride, *up = y ? row - stride : NULL;
		int filter = in[-1];
		assert_in_range(filter, 0, 4);
		for (size_t i = 0; i < stride; i++) {
			int a = i >= 3 ? row[i - 3] : 0, b = up ? up[i] : 0, c = up && i >= 3 ? up[i - 3] : 0;
			int add = filter == 1   ? a
				  : filter == 2 ? b
				  : filter == 3 ? (a + b) / 2
				  : filter == 4 ? paeth(a, b, c)
						: 0;
			row[i] = (uint8_t)(in[i] + add);
		}
	}
	free(raw);
	free(idat);
	free(data);
}

static void
check_pixels(const struct decoded *d, const uint32_t *argb, int width, int height, int pitch_px)
{
	assert_int_equal(d->width, width);
	assert_int_equal(d->height, height);
	for (int y = 0; y < height; y++)
		for (int x = 0; x < width; x++) {
			uint32_t p = argb[y * pitch_px + x];
			const uint8_t *q = d->rgb + ((size_t)y * width + x) * 3;
			if (q[0] != (uint8_t)(p >> 16) || q[1] != (uint8_t)(p >> 8) || q[2] != (uint8_t)p)
				fail_msg("pixel %d,%d: %02x%02x%02x, wrote %06x", x, y, q[0], q[1], q[2], p & 0xffffff);
		}
}

static char path[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(path, sizeof(path), "/tmp/roomsign-test-png-%ld.png", (long)getpid());
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

/* Flat runs, rows equal to the one above (the Up path), a noisy row (Sub with wrap-around),
 * and a pitch wider than the row: every pixel comes back, alpha dropped. */
static void
test_png_round_trip_every_pixel(void **state)
{
	enum { W = 37, H = 9, PITCH = 40 };
	uint32_t *argb = xcalloc(PITCH * H, sizeof(*argb));
	uint32_t seed = 12345;
	for (int y = 0; y < H; y++)
		for (int x = 0; x < PITCH; x++) {
			uint32_t v;
			if (y < 2)
				v = 0xff101418; /* flat, and row 1 equals row 0 */
			else if (y == 2 || y == 3)
				v = 0xff000000u | (uint32_t)(x * 7) << 16 | (uint32_t)(255 - x) << 8 |
				    (uint32_t)(x * 3);
			else
				v = (seed = seed * 1103515245u + 12345u);
			argb[y * PITCH + x] = x < W ? v : 0xdeadbeef; /* the padding must not leak in */
		}
	assert_true(png_write_argb(path, argb, W, H, PITCH * 4));
	struct decoded d;
	decode(path, &d);
	check_pixels(&d, argb, W, H, PITCH);
	free(d.rgb);
	free(argb);
}

/* A frame larger than one IDAT chunk (64 KiB of compressed data) is split across chunks. */
static void
test_png_large_noisy_frame_spans_chunks(void **state)
{
	enum { W = 400, H = 300 };
	uint32_t *argb = xmalloc(W * H * sizeof(*argb));
	uint32_t seed = 7;
	for (int i = 0; i < W * H; i++)
		argb[i] = (seed = seed * 1664525u + 1013904223u);
	assert_true(png_write_argb(path, argb, W, H, W * 4));
	struct decoded d;
	decode(path, &d);
	assert_true(d.idat_chunks > 1);
	check_pixels(&d, argb, W, H, W);
	free(d.rgb);
	free(argb);
}

static void
test_png_refuses_bad_input_and_leaves_no_file(void **state)
{
	uint32_t px = 0xff00ff00;
	assert_false(png_write_argb(path, &px, 0, 1, 4));
	assert_false(png_write_argb(path, &px, 2, 1, 4)); /* pitch shorter than a row */
	assert_int_equal(access(path, F_OK), -1);
	assert_false(png_write_argb("/nonexistent-dir/x.png", &px, 1, 1, 4));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_png_round_trip_every_pixel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_png_large_noisy_frame_spans_chunks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_png_refuses_bad_input_and_leaves_no_file, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
