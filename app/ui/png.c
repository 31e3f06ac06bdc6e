#include "png.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "../core/xalloc.h"
#include "../core/atomic_file.h"

/* A PNG is a signature and chunks: length, type, data, CRC-32 of type and data (RFC 2083). The
 * image data is one zlib stream of rows, each a filter byte and the filtered RGB bytes; it goes
 * out in IDAT chunks of up to CHUNK bytes as deflate fills them. */
enum { CHUNK = 1 << 16, FILTER_SUB = 1, FILTER_UP = 2 };

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static bool
write_chunk(FILE *fp, const char type[4], const uint8_t *data, size_t len)
{
	uint8_t head[8], tail[4];
	put_be32(head, (uint32_t)len);
	memcpy(head + 4, type, 4);
	uLong crc = crc32(crc32(0L, Z_NULL, 0), head + 4, 4);
	if (len) /* crc32() with a null buffer returns the initial value */
		crc = crc32(crc, data, (uInt)len);
	put_be32(tail, (uint32_t)crc);
	return fwrite(head, 1, 8, fp) == 8 && (len == 0 || fwrite(data, 1, len, fp) == len) &&
	       fwrite(tail, 1, 4, fp) == 4;
}

/* Feeds one filtered row (or, with Z_FINISH, the end) to deflate, writing full IDAT chunks. */
static bool
deflate_out(FILE *fp, z_stream *z, uint8_t *out, const uint8_t *in, size_t len, int flush)
{
	z->next_in = (Bytef *)in;
	z->avail_in = (uInt)len;
	for (;;) {
		int r = deflate(z, flush);
		if (r == Z_STREAM_ERROR)
			return false;
		if (z->avail_out == 0 || (flush == Z_FINISH && z->avail_out < CHUNK)) {
			if (!write_chunk(fp, "IDAT", out, CHUNK - z->avail_out))
				return false;
			z->next_out = out;
			z->avail_out = CHUNK;
		}
		if (flush == Z_FINISH ? r == Z_STREAM_END : z->avail_in == 0)
			return true;
	}
}

/* ARGB8888 → RGB, filtered: a row equal to the one above becomes zeros (Up); any other is Sub
 * (each byte minus the one a pixel to the left), which turns the sign's flat colour runs into
 * zeros for zlib's RLE strategy. Level 1 + RLE: ~20× faster than the default, same size class. */
static bool
write_png(FILE *fp, const uint8_t *pixels, int width, int height, int pitch)
{
	static const uint8_t signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	uint8_t ihdr[13];
	put_be32(ihdr, (uint32_t)width);
	put_be32(ihdr + 4, (uint32_t)height);
	ihdr[8] = 8;  /* bits per sample */
	ihdr[9] = 2;  /* RGB */
	ihdr[10] = 0; /* deflate */
	ihdr[11] = 0; /* adaptive filtering, one filter byte per row */
	ihdr[12] = 0; /* not interlaced */
	if (fwrite(signature, 1, 8, fp) != 8 || !write_chunk(fp, "IHDR", ihdr, sizeof(ihdr)))
		return false;
	z_stream z = { 0 };
	if (deflateInit2(&z, 1, Z_DEFLATED, 15, 8, Z_RLE) != Z_OK)
		return false;
	size_t row_len = (size_t)width * 3 + 1;
	uint8_t *out = xmalloc(CHUNK), *row = xmalloc(row_len), *zeros = xcalloc(1, row_len);
	z.next_out = out;
	z.avail_out = CHUNK;
	zeros[0] = FILTER_UP;
	bool ok = true;
	for (int y = 0; ok && y < height; y++) {
		const uint8_t *line = pixels + (size_t)y * (size_t)pitch;
		if (y > 0 && memcmp(line, line - pitch, (size_t)width * 4) == 0) {
			ok = deflate_out(fp, &z, out, zeros, row_len, Z_NO_FLUSH);
			continue;
		}
		const uint32_t *src = (const uint32_t *)(const void *)line;
		uint8_t *d = row;
		*d++ = FILTER_SUB;
		uint32_t prev = 0;
		for (int x = 0; x < width; x++) {
			uint32_t p = src[x];
			*d++ = (uint8_t)((p >> 16) - (prev >> 16));
			*d++ = (uint8_t)((p >> 8) - (prev >> 8));
			*d++ = (uint8_t)(p - prev);
			prev = p;
		}
		ok = deflate_out(fp, &z, out, row, row_len, Z_NO_FLUSH);
	}
	ok = ok && deflate_out(fp, &z, out, NULL, 0, Z_FINISH) && write_chunk(fp, "IEND", NULL, 0);
	deflateEnd(&z);
	free(out);
	free(row);
	free(zeros);
	return ok;
}

bool
png_write_argb(const char *path, const void *pixels, int width, int height, int pitch)
{
	if (width <= 0 || height <= 0 || pitch < width * 4)
		return false;
	struct atomic_file f;
	if (!atomic_file_open(&f, path, 0644))
		return false;
	if (!write_png(f.fp, pixels, width, height, pitch)) {
		atomic_file_abort(&f);
		return false;
	}
	return atomic_file_commit(&f, false);
}
