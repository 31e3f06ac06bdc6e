#define LOG_MODULE "render"
#include "render.h"
#include <stdlib.h>
#include <string.h>
#include <SDL_ttf.h>
#include "../core/xalloc.h"
#include "../log.h"

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
};

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
	free(r->font_path);
	free(r->bold_path);
	free(r);
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
blit_line(struct render *r, const struct item *it, const char *line, int size, int y, int line_h)
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
}

static void
draw_wrapped(struct render *r, const struct item *it)
{
	TTF_Font *f = font(r, it->size_px, it->bold);
	if (!f)
		return;
	int line_h = TTF_FontLineSkip(f);
	int max_lines = it->box.h / (line_h ? line_h : 1);
	if (max_lines > MAX_WRAP_LINES)
		max_lines = MAX_WRAP_LINES;
	const char *p = it->text;
	char *line = xmalloc(strlen(p) + 4);
	for (int n = 0; *p && n < max_lines; n++) {
		size_t best = 0, i = 0;
		/* take words while they fit; a word longer than the line is cut by ellipsize */
		while (p[i] && p[i] != '\n') {
			size_t j = i;
			while (p[j] == ' ')
				j++;
			while (p[j] && p[j] != ' ' && p[j] != '\n')
				j++;
			memcpy(line, p, j);
			line[j] = '\0';
			if (text_width(r, line, it->size_px, it->bold) > it->box.w && best)
				break;
			best = j;
			i = j;
		}
		memcpy(line, p, best);
		line[best] = '\0';
		bool last = n == max_lines - 1 && p[best];
		if (last || text_width(r, line, it->size_px, it->bold) > it->box.w) {
			char *cut = ellipsize(r, last ? p : line, it->size_px, it->bold, it->box.w);
			blit_line(r, it, cut, it->size_px, it->box.y + n * line_h, line_h);
			free(cut);
		} else {
			blit_line(r, it, line, it->size_px, it->box.y + n * line_h, line_h);
		}
		p += best;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	free(line);
}

static void
draw_text(struct render *r, const struct item *it)
{
	if (it->wrap) {
		draw_wrapped(r, it);
		return;
	}
	int size = it->size_px;
	int w = text_width(r, it->text, size, it->bold);
	if (w > it->box.w && it->shrink) {
		int min = size * 6 / 10;
		while (size > min && w > it->box.w) {
			size = size * 9 / 10;
			w = text_width(r, it->text, size, it->bold);
		}
	}
	if (w > it->box.w) {
		char *cut = ellipsize(r, it->text, size, it->bold, it->box.w);
		blit_line(r, it, cut, size, it->box.y, it->box.h);
		free(cut);
	} else {
		blit_line(r, it, it->text, size, it->box.y, it->box.h);
	}
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
		} else {
			draw_text(r, it);
		}
	}
}
