#define LOG_MODULE "render"
#include "render.h"
#include <stdlib.h>
#include <string.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include "../core/xalloc.h"
#include "../core/log.h"
#include "qr.h"

#define FONT_SLOTS     48
#define TEXT_SLOTS     512
#define MAX_WRAP_LINES 12

struct font_slot {
	int size;
	bool bold;
	TTF_Font *font;
};

struct text_slot {
	char *text;
	int size;
	bool bold;
	uint32_t colour;
	SDL_Texture *texture;
	int w, h;
	unsigned used; /* frame number of the last use */
};

struct render {
	SDL_Renderer *renderer;
	char *font_path, *bold_path;
	struct font_slot fonts[FONT_SLOTS];
	struct text_slot texts[TEXT_SLOTS];
	size_t text_count;
	unsigned frame;
	render_report_fn report;
	void *report_ctx;
	char *image_path; /* the logo: one image, loaded once */
	SDL_Texture *image;
	int image_w, image_h;
	bool image_failed;
	char *qr_text; /* the QR code: one, drawn once into a texture at its size */
	int qr_module;
	SDL_Texture *qr;
};

/* What draw_text did, for the report. */
struct drawn {
	int size, lines;
	bool cut;
	struct box box;
};

static void
drawn_add(struct drawn *d, int x, int y, int w, int h)
{
	if (d->box.w == 0 && d->box.h == 0) {
		d->box = (struct box){ x, y, w, h };
		return;
	}
	int x1 = d->box.x + d->box.w > x + w ? d->box.x + d->box.w : x + w;
	int y1 = d->box.y + d->box.h > y + h ? d->box.y + d->box.h : y + h;
	d->box.x = d->box.x < x ? d->box.x : x;
	d->box.y = d->box.y < y ? d->box.y : y;
	d->box.w = x1 - d->box.x;
	d->box.h = y1 - d->box.y;
}

static TTF_Font *
font(struct render *r, int size, bool bold)
{
	if (size < 6)
		size = 6;
	for (size_t i = 0; i < FONT_SLOTS; i++)
		if (r->fonts[i].font && r->fonts[i].size == size && r->fonts[i].bold == bold)
			return r->fonts[i].font;
	size_t slot = 0;
	while (slot < FONT_SLOTS && r->fonts[slot].font)
		slot++;
	if (slot == FONT_SLOTS) { /* full: drop them all, they reopen cheaply */
		for (size_t i = 0; i < FONT_SLOTS; i++) {
			TTF_CloseFont(r->fonts[i].font);
			r->fonts[i].font = NULL;
		}
		slot = 0;
	}
	/* DejaVu's line height is ~1.17 em: pick the point size whose line fits size pixels. */
	TTF_Font *f = TTF_OpenFont(bold ? r->bold_path : r->font_path, size * 85 / 100);
	if (!f)
		return NULL;
	r->fonts[slot] = (struct font_slot){ size, bold, f };
	return f;
}

struct render *
render_create(SDL_Renderer *renderer, const char *font_path, const char *bold_path)
{
	if (!TTF_WasInit() && TTF_Init() != 0) {
		log_error("cannot start SDL_ttf: %s", TTF_GetError());
		return NULL;
	}
	struct render *r = xcalloc(1, sizeof(*r));
	r->renderer = renderer;
	r->font_path = xstrdup(font_path);
	r->bold_path = xstrdup(bold_path && *bold_path ? bold_path : font_path);
	TTF_Font *probe = TTF_OpenFont(r->font_path, 12), *probe_bold = TTF_OpenFont(r->bold_path, 12);
	if (!probe || !probe_bold) {
		log_error("cannot open the font %s: %s (install fonts-dejavu-core or set [display] font)",
			probe ? r->bold_path : r->font_path, TTF_GetError());
		if (probe)
			TTF_CloseFont(probe);
		if (probe_bold)
			TTF_CloseFont(probe_bold);
		render_destroy(r);
		return NULL;
	}
	TTF_CloseFont(probe);
	TTF_CloseFont(probe_bold);
	return r;
}

void
render_destroy(struct render *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < FONT_SLOTS; i++)
		if (r->fonts[i].font)
			TTF_CloseFont(r->fonts[i].font);
	for (size_t i = 0; i < r->text_count; i++) {
		SDL_DestroyTexture(r->texts[i].texture);
		free(r->texts[i].text);
	}
	if (r->image)
		SDL_DestroyTexture(r->image);
	free(r->image_path);
	if (r->qr)
		SDL_DestroyTexture(r->qr);
	free(r->qr_text);
	free(r->font_path);
	free(r->bold_path);
	free(r);
}

void
render_set_report(struct render *r, render_report_fn fn, void *ctx)
{
	r->report = fn;
	r->report_ctx = ctx;
}

size_t
render_cache_size(const struct render *r)
{
	return r->text_count;
}

static void
evict(struct render *r, size_t i)
{
	SDL_DestroyTexture(r->texts[i].texture);
	free(r->texts[i].text);
	r->texts[i] = r->texts[--r->text_count];
}

static struct text_slot *
text_texture(struct render *r, const char *text, int size, bool bold, uint32_t colour)
{
	for (size_t i = 0; i < r->text_count; i++) {
		struct text_slot *t = &r->texts[i];
		if (t->size == size && t->bold == bold && t->colour == colour && strcmp(t->text, text) == 0) {
			t->used = r->frame;
			return t;
		}
	}
	if (r->text_count == TEXT_SLOTS) {
		for (size_t i = r->text_count; i-- > 0;)
			if (r->texts[i].used != r->frame)
				evict(r, i);
		if (r->text_count == TEXT_SLOTS)
			return NULL;
	}
	TTF_Font *f = font(r, size, bold);
	if (!f)
		return NULL;
	SDL_Color c = { (Uint8)(colour >> 16), (Uint8)(colour >> 8), (Uint8)colour, 255 };
	SDL_Surface *s = TTF_RenderUTF8_Blended(f, text, c);
	if (!s)
		return NULL;
	SDL_Texture *tex = SDL_CreateTextureFromSurface(r->renderer, s);
	struct text_slot *t = &r->texts[r->text_count];
	*t = (struct text_slot){ xstrdup(text), size, bold, colour, tex, s->w, s->h, r->frame };
	SDL_FreeSurface(s);
	if (!tex) {
		free(t->text);
		return NULL;
	}
	r->text_count++;
	return t;
}

static int
text_width(struct render *r, const char *text, int size, bool bold)
{
	int w = 0, h = 0;
	TTF_Font *f = font(r, size, bold);
	if (!f || TTF_SizeUTF8(f, text, &w, &h) != 0)
		return 0;
	return w;
}

/* The longest prefix of text (at a UTF-8 character boundary) that fits with "…" appended. */
static char *
ellipsize(struct render *r, const char *text, int size, bool bold, int max_w)
{
	size_t len = strlen(text), count = 0;
	size_t *starts = xmalloc((len + 1) * sizeof(*starts));
	for (size_t i = 0; i <= len; i++)
		if (i == len || ((unsigned char)text[i] & 0xc0) != 0x80)
			starts[count++] = i;
	char *buf = xmalloc(len + 4);
	size_t lo = 0, hi = count - 1; /* prefix of starts[k] bytes; k = 0 always "fits" */
	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;
		memcpy(buf, text, starts[mid]);
		memcpy(buf + starts[mid], "…", 4);
		if (text_width(r, buf, size, bold) <= max_w)
			lo = mid;
		else
			hi = mid - 1;
	}
	size_t n = starts[lo];
	free(starts);
	while (n > 0 && text[n - 1] == ' ')
		n--;
	memcpy(buf, text, n);
	memcpy(buf + n, "…", 4);
	return buf;
}

static void
fill_rounded(SDL_Renderer *sr, struct box b, int radius)
{
	if (radius * 2 > b.h)
		radius = b.h / 2;
	if (radius * 2 > b.w)
		radius = b.w / 2;
	SDL_Rect mid = { b.x, b.y + radius, b.w, b.h - 2 * radius };
	SDL_RenderFillRect(sr, &mid);
	for (int i = 0; i < radius; i++) {
		/* inset of row i from the top/bottom edge of a quarter circle */
		float dy = (float)radius - (float)i - 0.5f;
		float dx = SDL_sqrtf((float)(radius * radius) - dy * dy);
		int inset = radius - (int)(dx + 0.5f);
		SDL_Rect top = { b.x + inset, b.y + i, b.w - 2 * inset, 1 };
		SDL_Rect bottom = { b.x + inset, b.y + b.h - 1 - i, b.w - 2 * inset, 1 };
		SDL_RenderFillRect(sr, &top);
		SDL_RenderFillRect(sr, &bottom);
	}
}

static void
blit_line(struct render *r, const struct item *it, const char *line, int size, int y, int line_h, struct drawn *d)
{
	struct text_slot *t = text_texture(r, line, size, it->bold, it->colour);
	if (!t)
		return;
	int x = it->box.x;
	if (it->align == ALIGN_CENTER)
		x += (it->box.w - t->w) / 2;
	else if (it->align == ALIGN_RIGHT)
		x += it->box.w - t->w;
	SDL_Rect dst = { x, y + (line_h - t->h) / 2, t->w, t->h };
	SDL_RenderCopy(r->renderer, t->texture, NULL, &dst);
	drawn_add(d, dst.x, dst.y, dst.w, dst.h);
}

/* The bytes of p that make its next line at most max_w wide (greedy by words); *overflow when
 * one word alone is wider. */
static size_t
next_line(struct render *r, const char *p, int size, bool bold, int max_w, char *buf, bool *overflow)
{
	size_t best = 0, i = 0;
	*overflow = false;
	while (p[i] && p[i] != '\n') {
		size_t j = i;
		while (p[j] == ' ')
			j++;
		while (p[j] && p[j] != ' ' && p[j] != '\n')
			j++;
		memcpy(buf, p, j);
		buf[j] = '\0';
		if (text_width(r, buf, size, bold) > max_w) {
			if (!best) {
				*overflow = true;
				best = j;
			}
			break;
		}
		best = j;
		i = j;
	}
	return best;
}

static const char *
skip_break(const char *p)
{
	while (*p == ' ' || *p == '\n')
		p++;
	return p;
}

/* Lines the text needs at size (stops counting past limit); *overflow when a word is too wide. */
static int
count_lines(struct render *r, const struct item *it, int size, int limit, char *buf, bool *overflow)
{
	const char *p = it->text;
	int n = 0;
	bool over;
	*overflow = false;
	while (*p && n <= limit) {
		size_t len = next_line(r, p, size, it->bold, it->box.w, buf, &over);
		*overflow |= over;
		n++;
		p = skip_break(p + len);
	}
	return n;
}

static int
max_lines_at(struct render *r, const struct item *it, int size)
{
	TTF_Font *f = font(r, size, it->bold);
	int line_h = f ? TTF_FontLineSkip(f) : size;
	int n = it->box.h / (line_h > 0 ? line_h : 1);
	return n < 1 ? 1 : n > MAX_WRAP_LINES ? MAX_WRAP_LINES : n;
}

/* Wraps onto the box's lines; when it does not fit, shrinks (to min_px) and only then cuts the
 * last line with an ellipsis. */
static void
draw_wrapped(struct render *r, const struct item *it, struct drawn *d)
{
	char *line = xmalloc(strlen(it->text) + 4);
	int size = it->size_px, min = it->min_px > 0 && it->min_px < size ? it->min_px : size;
	bool overflow;
	for (;;) {
		int n = count_lines(r, it, size, max_lines_at(r, it, size), line, &overflow);
		if ((n <= max_lines_at(r, it, size) && !overflow) || size <= min)
			break;
		size = size * 92 / 100 > min ? size * 92 / 100 : min;
	}
	TTF_Font *f = font(r, size, it->bold);
	int line_h = f ? TTF_FontLineSkip(f) : size, max_lines = max_lines_at(r, it, size);
	const char *p = it->text;
	d->size = size;
	for (int n = 0; *p && n < max_lines; n++) {
		size_t best = next_line(r, p, size, it->bold, it->box.w, line, &overflow);
		memcpy(line, p, best);
		line[best] = '\0';
		bool last = n == max_lines - 1 && *skip_break(p + best);
		if (last || overflow) {
			char *cut = ellipsize(r, last ? p : line, size, it->bold, it->box.w);
			blit_line(r, it, cut, size, it->box.y + n * line_h, line_h, d);
			free(cut);
			d->cut = true;
		} else {
			blit_line(r, it, line, size, it->box.y + n * line_h, line_h, d);
		}
		d->lines++;
		p = skip_break(p + best);
	}
	free(line);
}

static void
draw_text(struct render *r, const struct item *it, struct drawn *d)
{
	if (it->wrap) {
		draw_wrapped(r, it, d);
		return;
	}
	int size = it->size_px;
	int w = text_width(r, it->text, size, it->bold);
	if (w > it->box.w && it->shrink) {
		int min = it->min_px > 0 && it->min_px < size ? it->min_px : size;
		while (size > min && w > it->box.w) {
			size = size * 92 / 100 > min ? size * 92 / 100 : min;
			w = text_width(r, it->text, size, it->bold);
		}
	}
	d->size = size;
	d->lines = 1;
	if (w > it->box.w) {
		char *cut = ellipsize(r, it->text, size, it->bold, it->box.w);
		blit_line(r, it, cut, size, it->box.y, it->box.h, d);
		free(cut);
		d->cut = true;
	} else {
		blit_line(r, it, it->text, size, it->box.y, it->box.h, d);
	}
}

/* The logo, scaled to fit its box with its shape kept. A file that cannot be read is logged once
 * and leaves the box empty: the sign goes on without it. */
static void
draw_image(struct render *r, const struct item *it)
{
	if (!r->image_path || strcmp(r->image_path, it->text) != 0) {
		if (r->image)
			SDL_DestroyTexture(r->image);
		free(r->image_path);
		r->image_path = xstrdup(it->text);
		r->image = NULL;
		r->image_failed = false;
		SDL_Surface *s = IMG_Load(it->text);
		if (s) {
			r->image = SDL_CreateTextureFromSurface(r->renderer, s);
			r->image_w = s->w;
			r->image_h = s->h;
			SDL_FreeSurface(s);
		}
		if (!r->image) {
			log_warn("cannot show the logo %s: %s", it->text, IMG_GetError());
			r->image_failed = true;
		}
	}
	if (!r->image || r->image_w <= 0 || r->image_h <= 0)
		return;
	int w = it->box.w, h = it->box.w * r->image_h / r->image_w;
	if (h > it->box.h) {
		h = it->box.h;
		w = it->box.h * r->image_w / r->image_h;
	}
	SDL_Rect dst = { it->box.x, it->box.y + (it->box.h - h) / 2, w, h };
	SDL_RenderCopy(r->renderer, r->image, NULL, &dst);
}

/* The symbol drawn at whole pixels per module: dark modules on white, the quiet zone white too,
 * whatever the theme (phones look for dark on light). */
static SDL_Texture *
qr_texture(struct render *r, const char *text, int module)
{
	struct qr qr;
	if (!qr_encode(text, &qr)) {
		log_warn("cannot make a QR code of %s", text);
		return NULL;
	}
	int side = (qr.width + 2 * QR_QUIET_MODULES) * module;
	SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, side, side, 32, SDL_PIXELFORMAT_ARGB8888);
	SDL_Texture *tex = NULL;
	if (s) {
		SDL_FillRect(s, NULL, SDL_MapRGB(s->format, 255, 255, 255));
		Uint32 dark = SDL_MapRGB(s->format, 0, 0, 0);
		for (int y = 0; y < qr.width; y++)
			for (int x = 0; x < qr.width; x++) {
				SDL_Rect m = { (x + QR_QUIET_MODULES) * module, (y + QR_QUIET_MODULES) * module, module,
					module };
				if (qr.dark[y * qr.width + x])
					SDL_FillRect(s, &m, dark);
			}
		tex = SDL_CreateTextureFromSurface(r->renderer, s);
		SDL_FreeSurface(s);
	}
	qr_finish(&qr);
	return tex;
}

static void
draw_qr(struct render *r, const struct item *it)
{
	if (!r->qr_text || strcmp(r->qr_text, it->text) != 0 || r->qr_module != it->size_px) {
		if (r->qr)
			SDL_DestroyTexture(r->qr);
		free(r->qr_text);
		r->qr_text = xstrdup(it->text);
		r->qr_module = it->size_px;
		r->qr = qr_texture(r, it->text, it->size_px);
	}
	if (!r->qr)
		return;
	int w = 0, h = 0;
	SDL_QueryTexture(r->qr, NULL, NULL, &w, &h);
	SDL_Rect dst = { it->box.x, it->box.y, w, h }; /* 1:1: layout sized the box to the modules */
	SDL_RenderCopy(r->renderer, r->qr, NULL, &dst);
}

void
render_frame(struct render *r, const struct frame *frame)
{
	r->frame++;
	SDL_SetRenderDrawColor(r->renderer, 0, 0, 0, 255);
	SDL_RenderClear(r->renderer);
	for (size_t i = 0; i < frame->item_count; i++) {
		const struct item *it = &frame->items[i];
		if (it->kind == ITEM_RECT) {
			SDL_SetRenderDrawColor(r->renderer, (Uint8)(it->colour >> 16), (Uint8)(it->colour >> 8),
				(Uint8)it->colour, 255);
			fill_rounded(r->renderer, it->box, it->radius);
		} else if (it->kind == ITEM_IMAGE) {
			draw_image(r, it);
		} else if (it->kind == ITEM_QR) {
			draw_qr(r, it);
		} else {
			struct drawn d = { 0 };
			draw_text(r, it, &d);
			if (r->report) {
				struct render_report rep = { i, it->role, it->text, d.size, d.lines, d.cut, d.box };
				r->report(r->report_ctx, &rep);
			}
		}
	}
}
