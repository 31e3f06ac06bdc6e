#include "layout.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "json.h"
#include "qr.h"

struct ctx {
	struct frame *f;
	const struct view *v;
	const struct theme *th;
	float unit;    /* a base size: 1/40 of the shorter side */
	float scale;   /* text: 1, or LAYOUT_LARGE_TEXT */
	int target;    /* minimum touch target, px */
	int min_text;  /* the readable minimum, px */
	int qr_module; /* the smallest QR module, px */
};

static void
rect(struct ctx *c, struct box b, uint32_t colour, int radius)
{
	if (c->f->item_count == LAYOUT_MAX_ITEMS || b.w <= 0 || b.h <= 0)
		return;
	c->f->items[c->f->item_count++] =
		(struct item){ .kind = ITEM_RECT, .box = b, .colour = colour, .radius = radius };
}

/* A text run; size is the nominal size before [display] text_size scales it. Every run may
 * shrink to the readable minimum before render cuts it. */
static struct item *
text(struct ctx *c, struct box b, const char *s, int size, uint32_t colour, bool bold, enum text_align align,
	const char *role)
{
	if (c->f->item_count == LAYOUT_MAX_ITEMS || !s || !*s || b.w <= 0 || b.h <= 0)
		return NULL;
	struct item *it = &c->f->items[c->f->item_count++];
	int px = (int)((float)size * c->scale + 0.5f);
	*it = (struct item){ .kind = ITEM_TEXT,
		.box = b,
		.colour = colour,
		.text = s,
		.role = role,
		.size_px = px,
		.min_px = c->min_text < px ? c->min_text : px,
		.bold = bold,
		.align = align,
		.shrink = true };
	return it;
}

static struct box
bx(int x, int y, int w, int h)
{
	return (struct box){ x, y, w, h };
}

/* Button row: the buttons share width, each at least the touch target. */
static void
buttons(struct ctx *c, struct box area, const struct view_button *list, size_t n, int per_row)
{
	if (n == 0)
		return;
	int gap = (int)(c->unit * 0.6f);
	int rows = (int)((n + (size_t)per_row - 1) / (size_t)per_row);
	int h = (area.h - gap * (rows - 1)) / rows;
	if (h < c->target)
		h = c->target;
	for (size_t i = 0; i < n; i++) {
		int row = (int)i / per_row, col = (int)i % per_row;
		int in_row =
			(size_t)(row + 1) * (size_t)per_row <= n ? per_row : (int)(n - (size_t)row * (size_t)per_row);
		int w = (area.w - gap * (in_row - 1)) / in_row;
		struct box b = bx(area.x + col * (w + gap), area.y + row * (h + gap), w, h);
		const struct view_button *vb = &list[i];
		bool pressed = strcmp(c->v->pressed, vb->id) == 0;
		uint32_t bg = pressed ? c->th->button_pressed : vb->primary ? c->th->button_primary : c->th->button;
		rect(c, b, bg, (int)(c->unit * 0.5f));
		int size = (int)((float)h * 0.38f);
		if ((float)size * c->scale > (float)h * 0.8f)
			size = (int)((float)h * 0.8f / c->scale);
		text(c, bx(b.x + gap / 2, b.y, b.w - gap, b.h), vb->label, size,
			vb->primary && !pressed ? c->th->on_primary : c->th->button_text, vb->primary, ALIGN_CENTER,
			"button");
		if (c->f->hit_count < LAYOUT_MAX_HITS) {
			struct hit *hit = &c->f->hits[c->f->hit_count++];
			snprintf(hit->id, sizeof(hit->id), "%s", vb->id);
			snprintf(hit->label, sizeof(hit->label), "%s", vb->label);
			hit->box = b;
		}
	}
}

/* Room name, date and clock; on a portrait panel the date goes under the name, so a long name
 * keeps the width. */
static void
header(struct ctx *c, struct box area, bool portrait)
{
	const struct view *v = c->v;
	int pad = (int)c->unit;
	int size = (int)(area.h * 0.5f);
	if ((float)size * c->scale > (float)area.h * 0.9f)
		size = (int)((float)area.h * 0.9f / c->scale);
	int clock_w = (int)((float)size * c->scale * 3.2f), date_w = portrait ? 0 : area.w / 3;
	int x = area.x + pad;
	if (v->logo) { /* scaled to fit its box, keeping its shape (render) */
		int logo_h = area.h * 7 / 10, logo_w = area.h * 5 / 2;
		if (c->f->item_count < LAYOUT_MAX_ITEMS)
			c->f->items[c->f->item_count++] = (struct item){ .kind = ITEM_IMAGE,
				.box = bx(x, area.y + (area.h - logo_h) / 2, logo_w, logo_h),
				.text = v->logo,
				.role = "logo",
				.align = ALIGN_LEFT };
		x += logo_w + pad;
	}
	int name_w = area.x + area.w - clock_w - date_w - 2 * pad - x;
	if (portrait) {
		int name_h = area.h * 6 / 10; /* the header grew with the text scale (home) */
		text(c, bx(x, area.y, name_w, name_h), v->room, (int)((float)name_h * 0.8f / c->scale), c->th->text,
			true, ALIGN_LEFT, "room");
		text(c, bx(x, area.y + name_h, name_w, area.h - name_h), v->date, size * 6 / 10, c->th->text_dim, false,
			ALIGN_LEFT, "date");
	} else {
		text(c, bx(x, area.y, name_w, area.h), v->room, size, c->th->text, true, ALIGN_LEFT, "room");
		text(c, bx(area.x + area.w - clock_w - date_w - pad, area.y, date_w - pad, area.h), v->date,
			size * 6 / 10, c->th->text_dim, false, ALIGN_RIGHT, "date");
	}
	text(c, bx(area.x + area.w - clock_w - pad, area.y, clock_w, area.h), v->clock, size, c->th->text, true,
		ALIGN_RIGHT, "clock");
}

static void
timeline_strip(struct ctx *c, struct box area)
{
	const struct view *v = c->v;
	int label_h = (int)((float)(area.h * 2 / 5) * c->scale);
	struct box bar = bx(area.x, area.y, area.w, area.h - label_h);
	rect(c, bar, c->th->timeline_bg, 0);
	for (size_t i = 0; i < v->block_count; i++) {
		const struct view_block *b = &v->blocks[i];
		int x0 = bar.x + (int)(b->from * (float)bar.w), x1 = bar.x + (int)(b->to * (float)bar.w);
		rect(c, bx(x0, bar.y, x1 - x0 > 1 ? x1 - x0 - 1 : 1, bar.h),
			b->tentative ? c->th->timeline_tentative : c->th->timeline_busy, 0);
	}
	if (v->now_pos >= 0) {
		int w = c->unit > 8 ? (int)(c->unit / 4) : 2;
		rect(c, bx(bar.x + (int)(v->now_pos * (float)bar.w) - w / 2, bar.y - w, w, bar.h + 2 * w), c->th->now,
			0);
	}
	int size = (int)((float)label_h * 0.8f / c->scale);
	text(c, bx(area.x, bar.y + bar.h, area.w / 2, label_h), v->timeline_from, size, c->th->text_dim, false,
		ALIGN_LEFT, "timeline");
	text(c, bx(area.x + area.w / 2, bar.y + bar.h, area.w / 2, label_h), v->timeline_to, size, c->th->text_dim,
		false, ALIGN_RIGHT, "timeline");
}

/* The status panel is a stack: the word with its shape, the status line, then the meeting's time,
 * title (two lines) and organiser. Large text that does not fit drops the organiser, then the
 * time (the status line already says it), never the word or the line. */
static void
status_panel(struct ctx *c, struct box p, int ref_h)
{
	const struct view *v = c->v;
	int pad = (int)(c->unit * 1.2f);
	uint32_t ink = v->status_text_colour;
	rect(c, p, v->status_colour, (int)(c->unit * 0.6f));
	/* sizes follow ref_h, the panel's height at normal text, so large text is larger throughout */
	int inner_w = p.w - 2 * pad, y = p.y + pad, h = ref_h - 2 * pad, bottom = p.y + p.h - pad;
	float s = c->scale;
	int word = (int)((float)h * 0.26f), line = (int)((float)h * 0.10f), title = (int)((float)h * 0.12f),
	    small = (int)((float)h * 0.085f);
	int word_px = (int)((float)word * s), line_px = (int)((float)line * s);
	int title_px = (int)((float)title * s), small_px = (int)((float)small * s);
	int icon_w = v->status_icon[0] ? word_px : 0, gap = word_px / 4;
	text(c, bx(p.x + pad, y, inner_w - (icon_w ? icon_w + gap : 0), word_px), v->status_word, word, ink, true,
		ALIGN_LEFT, "status_word");
	if (icon_w)
		text(c, bx(p.x + pad + inner_w - icon_w, y, icon_w, word_px), v->status_icon, word, ink, true,
			ALIGN_CENTER, "status_icon");
	y += word_px + h / 40;
	text(c, bx(p.x + pad, y, inner_w, line_px), v->status_line, line, ink, false, ALIGN_LEFT, "status_line");
	y += line_px + h / (s > 1.0f ? 20 : 10);
	if (!v->title[0])
		return;
	int title_h = title_px * 23 / 10, step = h / 60;
	int rest = bottom - y - title_h;
	bool has_org = v->organizer[0] && rest >= 2 * (small_px + step);
	bool has_time = v->time_range[0] && rest >= (has_org ? 2 : 1) * (small_px + step);
	if (has_time) {
		text(c, bx(p.x + pad, y, inner_w, small_px), v->time_range, small, ink, false, ALIGN_LEFT,
			"time_range");
		y += small_px + step;
	}
	struct item *t = text(c, bx(p.x + pad, y, inner_w, title_h), v->title, title, ink, true, ALIGN_LEFT, "title");
	if (t)
		t->wrap = true;
	y += title_h + step;
	if (has_org)
		text(c, bx(p.x + pad, y, inner_w, small_px), v->organizer, small, ink, false, ALIGN_LEFT, "organizer");
}

/* Two columns, time and subject, half an em apart; rows that cannot hold both stack them. */
static void
next_panel(struct ctx *c, struct box p, int ref_h)
{
	const struct view *v = c->v;
	int pad = (int)c->unit;
	rect(c, p, c->th->panel, (int)(c->unit * 0.6f));
	int size = (int)((float)((ref_h - 2 * pad) / (VIEW_MAX_NEXT + 2)) * 0.62f);
	int size_px = (int)((float)size * c->scale);
	int row_h = size_px * 100 / 62, em_half = (size_px + 1) / 2;
	int y = p.y + pad, inner = p.w - 2 * pad, end = p.y + p.h - pad - (v->all_day[0] ? row_h : 0);
	text(c, bx(p.x + pad, y, inner, row_h), v->next_heading, size, c->th->text_dim, true, ALIGN_LEFT,
		"agenda_heading");
	y += row_h;
	int time_w = size_px * 56 / 10; /* "10:45–11:15" in DejaVu Sans is ~5.3 em at our point size */
	bool narrow = time_w + em_half > inner / 2;
	for (size_t i = 0; i < v->next_count; i++) {
		const struct view_row *r = &v->next[i];
		uint32_t colour = r->dim ? c->th->text_dim : c->th->text;
		if (narrow) {
			if (y + 2 * row_h > end)
				break;
			text(c, bx(p.x + pad, y, inner, row_h), r->time, size, c->th->text_dim, false, ALIGN_LEFT,
				"agenda_time");
			text(c, bx(p.x + pad, y + row_h, inner, row_h), r->text, size, colour, false, ALIGN_LEFT,
				"agenda_text");
			y += 2 * row_h;
		} else {
			if (y + row_h > end)
				break;
			text(c, bx(p.x + pad, y, time_w, row_h), r->time, size, c->th->text_dim, false, ALIGN_LEFT,
				"agenda_time");
			text(c, bx(p.x + pad + time_w + em_half, y, inner - time_w - em_half, row_h), r->text, size,
				colour, false, ALIGN_LEFT, "agenda_text");
			y += row_h;
		}
	}
	if (v->all_day[0])
		text(c, bx(p.x + pad, p.y + p.h - pad - row_h, inner, row_h), v->all_day, (int)((float)size * 0.9f),
			c->th->text_dim, false, ALIGN_LEFT, "all_day");
}

/* The QR code's side in pixels (quiet zone included), 0 when it does not fit. Whole pixels per
 * module, so every module is the same size: at least the 0.5 mm minimum, larger while it fits the
 * band of timeline and buttons beside it; it may rise above that band (the panels above give way)
 * up to a third of the screen's height and two fifths of its width. */
static int
qr_side(const struct ctx *c, int band_h, int W, int H, int *module_out)
{
	const struct view *v = c->v;
	if (!v->qr || v->qr_modules <= 0)
		return 0;
	int n = v->qr_modules + 2 * QR_QUIET_MODULES, pad = (int)c->unit;
	int max = H / 3 < (W - 2 * pad) * 2 / 5 ? H / 3 : (W - 2 * pad) * 2 / 5;
	int k = band_h < max ? band_h / n : max / n;
	if (k < c->qr_module)
		k = c->qr_module;
	if (k * n > max)
		return 0; /* no room here: README says where it shows */
	*module_out = k;
	return k * n;
}

static void
qr_code(struct ctx *c, struct box b, int module)
{
	if (c->f->item_count == LAYOUT_MAX_ITEMS)
		return;
	c->f->items[c->f->item_count++] =
		(struct item){ .kind = ITEM_QR, .box = b, .text = c->v->qr, .role = "qr", .size_px = module };
}

static int
per_row(const struct view *v, bool portrait)
{
	size_t n = v->button_count;
	size_t max = portrait ? 3 : 6;
	if (n <= max)
		return (int)(n ? n : 1);
	return (int)((n + 1) / 2);
}

static void
home(struct ctx *c, int W, int H)
{
	const struct view *v = c->v;
	bool portrait = H > W;
	int pad = (int)c->unit;
	int header_h = (int)((float)H * (portrait ? 0.07f * c->scale : 0.11f));
	int grown = header_h - (int)((float)H * (portrait ? 0.07f : 0.11f)); /* by large text */
	header(c, bx(0, 0, W, header_h), portrait);
	int y = header_h;
	if (v->notice[0]) {
		float base = (float)H * (portrait ? 0.03f : 0.05f);
		int nh = (int)(base * c->scale);
		text(c, bx(pad, y, W - 2 * pad, nh), v->notice, (int)(base * 0.8f),
			v->notice_error ? c->th->warn : c->th->text_dim, false, ALIGN_LEFT, "notice");
		y += nh;
		grown += nh - (int)base;
	}
	int rows = v->button_count
			   ? (int)((v->button_count + (size_t)per_row(v, portrait) - 1) / (size_t)per_row(v, portrait))
			   : 0;
	int bh = (int)((float)H * (portrait ? 0.08f : 0.14f));
	if (bh < c->target)
		bh = c->target;
	int buttons_h = rows ? rows * bh + (rows - 1) * (int)(c->unit * 0.6f) : 0;
	int timeline_h = (int)((float)H * (portrait ? 0.05f : 0.09f));
	int bottom = H - pad - buttons_h - (rows ? pad : 0);
	int tl_y = bottom - timeline_h;
	int module = 0, qr = qr_side(c, H - pad - tl_y, W, H, &module);
	int band_w = W - 2 * pad - (qr ? qr + pad : 0), band_y = qr && H - pad - qr < tl_y ? H - pad - qr : tl_y;
	if (qr)
		qr_code(c, bx(W - pad - qr, H - pad - qr, qr, qr), module);
	timeline_strip(c, bx(pad, tl_y, band_w, timeline_h));
	int body_h = band_y - pad - y - pad;
	if (portrait) {
		int sh = body_h * 3 / 5;
		int ref_sh = (body_h + grown) * 3 / 5; /* the heights at normal text */
		status_panel(c, bx(pad, y + pad / 2, W - 2 * pad, sh), ref_sh);
		next_panel(c, bx(pad, y + pad / 2 + sh + pad, W - 2 * pad, body_h - sh - pad),
			body_h + grown - ref_sh - pad);
	} else {
		int sw = (W - 3 * pad) * 3 / 5;
		status_panel(c, bx(pad, y + pad / 2, sw, body_h), body_h + grown);
		next_panel(c, bx(2 * pad + sw, y + pad / 2, W - 3 * pad - sw, body_h), body_h + grown);
	}
	if (rows)
		buttons(c, bx(pad, H - pad - buttons_h, band_w, buttons_h), v->buttons, v->button_count,
			per_row(v, portrait));
}

static void
dialog(struct ctx *c, int W, int H)
{
	const struct view *v = c->v;
	int pad = (int)(c->unit * 2);
	uint32_t bg = c->th->panel, ink = c->th->text, dim = c->th->text_dim;
	if (v->kind == VIEW_DIALOG && v->button_count == 1 && strcmp(v->buttons[0].id, "ok") == 0) {
		bg = v->ok ? c->th->ok_bg : c->th->error_bg;
		ink = dim = v->ok ? c->th->on_ok : c->th->text;
	}
	rect(c, bx(0, 0, W, H), bg, 0);
	int head = (int)((float)H * 0.09f), head_px = (int)((float)head * c->scale);
	struct item *t = text(
		c, bx(pad, pad, W - 2 * pad, head_px * 13 / 10), v->heading, head, ink, true, ALIGN_LEFT, "heading");
	if (t)
		t->wrap = true;
	int y = pad + head_px * 13 / 10 + pad;
	int bh = (int)((float)H * 0.16f) < c->target ? c->target : (int)((float)H * 0.16f);
	int size = (int)((float)H * 0.055f), size_px = (int)((float)size * c->scale);
	int lines_h = (int)v->line_count * size_px * 3 / 2;
	int text_h = H - y - pad - (v->button_count ? bh + pad : 0) - lines_h;
	if ((t = text(c, bx(pad, y, W - 2 * pad, text_h), v->text, size, ink, false, ALIGN_LEFT, "text")))
		t->wrap = true;
	for (size_t i = 0; i < v->line_count; i++)
		text(c, bx(pad, y + text_h + (int)i * size_px * 3 / 2, W - 2 * pad, size_px * 3 / 2), v->lines[i].text,
			size, dim, false, ALIGN_LEFT, "line");
	buttons(c, bx(pad, H - pad - bh, W - 2 * pad, bh), v->buttons, v->button_count, (int)v->button_count);
}

static void
list(struct ctx *c, int W, int H)
{
	const struct view *v = c->v;
	int pad = (int)(c->unit * 1.5f);
	rect(c, bx(0, 0, W, H), c->th->bg, 0);
	int head = (int)((float)H * 0.08f), head_px = (int)((float)head * c->scale);
	text(c, bx(pad, pad, W - 2 * pad, head_px), v->heading, head, c->th->text, true, ALIGN_LEFT, "heading");
	int y = pad + head_px + pad;
	int bh = (int)((float)H * 0.14f) < c->target ? c->target : (int)((float)H * 0.14f);
	/* Rooms that can be booked from the list ("room-<i>", first): a row of their own above
	 * Refresh and Back, both in the lower third. */
	size_t rooms = 0;
	while (rooms < v->button_count && strncmp(v->buttons[rooms].id, "room-", 5) == 0)
		rooms++;
	int gap = (int)(c->unit * 0.6f), rows_h = rooms ? 2 * bh + gap : bh;
	int size = (int)((float)((H - 4 * pad - head - bh) / 7) * 0.55f); /* as at normal text */
	int size_px = (int)((float)size * c->scale), row_h = size_px * 100 / 55, em_half = (size_px + 1) / 2;
	if (v->text[0])
		text(c, bx(pad, y, W - 2 * pad, row_h), v->text, size, c->th->text_dim, false, ALIGN_LEFT, "text");
	int label_w = (W - 2 * pad) * 2 / 5;
	bool stacked = H > W; /* portrait: the label over its value, each the full width */
	if (stacked) {
		size = size * 3 / 5;
		size_px = (int)((float)size * c->scale);
		row_h = size_px * 100 / 55;
	}
	for (size_t i = 0; i < v->line_count && y + row_h * (stacked ? 2 : 1) <= H - 2 * pad - rows_h;
		i++, y += row_h) {
		const struct view_row *r = &v->lines[i];
		uint32_t colour = r->dim ? c->th->text_dim : c->th->text;
		if (stacked) {
			text(c, bx(pad, y, W - 2 * pad, row_h), r->time, size, colour, true, ALIGN_LEFT, "list_label");
			y += row_h;
			text(c, bx(pad, y, W - 2 * pad, row_h), r->text, size, colour, false, ALIGN_LEFT, "list_text");
			continue;
		}
		text(c, bx(pad, y, label_w - em_half, row_h), r->time, size, colour, true, ALIGN_LEFT, "list_label");
		text(c, bx(pad + label_w, y, W - 2 * pad - label_w, row_h), r->text, size, colour, false, ALIGN_LEFT,
			"list_text");
	}
	if (rooms)
		buttons(c, bx(pad, H - pad - rows_h, W - 2 * pad, bh), v->buttons, rooms, (int)rooms);
	buttons(c, bx(pad, H - pad - bh, W - 2 * pad, bh), v->buttons + rooms, v->button_count - rooms,
		(int)(v->button_count - rooms));
}

/* The PIN pad sits in the lower third like every other action: two rows of seven keys,
 * Back | 1 2 3 4 5 | Clear over · | 6 7 8 9 0 | OK. */
static void
pin(struct ctx *c, int W, int H)
{
	const struct view *v = c->v;
	int pad = (int)c->unit, gap = (int)(c->unit * 0.6f);
	rect(c, bx(0, 0, W, H), c->th->bg, 0);
	int head = (int)((float)H * 0.07f), head_px = (int)((float)head * c->scale);
	struct item *t = text(c, bx(pad, pad, W - 2 * pad, head_px * 2), v->heading, head, c->th->text, true,
		ALIGN_CENTER, "heading");
	if (t)
		t->wrap = true;
	text(c, bx(pad, pad + head_px * 2, W - 2 * pad, head_px), v->pin_mask, head, c->th->text, true, ALIGN_CENTER,
		"pin_mask");
	int key = (H / 3 - pad - gap) / 2;
	if (key > (W - 2 * pad - 6 * gap) / 7)
		key = (W - 2 * pad - 6 * gap) / 7;
	if (key < c->target)
		key = c->target;
	int key_w = (W - 2 * pad - 6 * gap) / 7;
	if (key_w > key * 2)
		key_w = key * 2;
	int x0 = (W - 7 * key_w - 6 * gap) / 2, y0 = H - pad - 2 * key - gap;
	/* view order: 1…9, 0, clear, ok, back */
	static const int grid[2][7] = { { 12, 0, 1, 2, 3, 4, 10 }, { -1, 5, 6, 7, 8, 9, 11 } };
	for (int row = 0; row < 2; row++)
		for (int col = 0; col < 7; col++)
			if (grid[row][col] >= 0 && (size_t)grid[row][col] < v->button_count)
				buttons(c, bx(x0 + col * (key_w + gap), y0 + row * (key + gap), key_w, key),
					&v->buttons[grid[row][col]], 1, 1);
}

void
layout_frame(const struct view *view, int width, int height, float dpi, struct frame *out)
{
	memset(out, 0, sizeof(*out));
	out->width = width;
	out->height = height;
	if (dpi <= 0)
		dpi = 96.0f;
	struct ctx c = { .f = out, .v = view, .th = &view->theme };
	int shorter = width < height ? width : height;
	c.unit = (float)shorter / 40.0f;
	c.scale = view->text_scale >= 1.0f ? view->text_scale : 1.0f;
	c.target = (int)(LAYOUT_MIN_TARGET_MM / 25.4f * dpi + 0.5f);
	c.min_text = (int)(LAYOUT_MIN_TEXT_MM / 25.4f * dpi + 0.5f);
	if (c.min_text < LAYOUT_MIN_TEXT_PX)
		c.min_text = LAYOUT_MIN_TEXT_PX;
	c.qr_module = (int)ceilf(QR_MIN_MODULE_MM / 25.4f * dpi);
	if (view->kind != VIEW_HOME) {
		switch (view->kind) {
		case VIEW_LIST: list(&c, width, height); return;
		case VIEW_PIN: pin(&c, width, height); return;
		default: dialog(&c, width, height); return;
		}
	}
	rect(&c, bx(0, 0, width, height), c.th->bg, 0);
	home(&c, width, height);
}

const struct hit *
layout_hit_test(const struct frame *frame, int x, int y)
{
	for (size_t i = 0; i < frame->hit_count; i++) {
		const struct box *b = &frame->hits[i].box;
		if (x >= b->x && x < b->x + b->w && y >= b->y && y < b->y + b->h)
			return &frame->hits[i];
	}
	return NULL;
}

bool
layout_write_hits(const struct frame *frame, const char *path)
{
	cJSON *root = cJSON_CreateArray();
	for (size_t i = 0; i < frame->hit_count; i++) {
		const struct hit *h = &frame->hits[i];
		cJSON *hit = cJSON_CreateObject();
		cJSON_AddStringToObject(hit, "id", h->id);
		cJSON_AddStringToObject(hit, "label", h->label);
		cJSON_AddNumberToObject(hit, "x", h->box.x);
		cJSON_AddNumberToObject(hit, "y", h->box.y);
		cJSON_AddNumberToObject(hit, "w", h->box.w);
		cJSON_AddNumberToObject(hit, "h", h->box.h);
		cJSON_AddItemToArray(root, hit);
	}
	return json_save(root, path);
}
