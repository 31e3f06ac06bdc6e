#include "layout.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "json.h"
#include "theme.h"

struct ctx {
	struct frame *f;
	const struct view *v;
	float unit; /* a base size: 1/40 of the shorter side */
	int target; /* minimum touch target, px */
};

static void
rect(struct ctx *c, struct box b, uint32_t colour, int radius)
{
	if (c->f->item_count == LAYOUT_MAX_ITEMS || b.w <= 0 || b.h <= 0)
		return;
	c->f->items[c->f->item_count++] =
		(struct item){ .kind = ITEM_RECT, .box = b, .colour = colour, .radius = radius };
}

static struct item *
text(struct ctx *c, struct box b, const char *s, int size, uint32_t colour, bool bold, enum text_align align)
{
	if (c->f->item_count == LAYOUT_MAX_ITEMS || !s || !*s || b.w <= 0 || b.h <= 0)
		return NULL;
	struct item *it = &c->f->items[c->f->item_count++];
	*it = (struct item){
		.kind = ITEM_TEXT, .box = b, .colour = colour, .text = s, .size_px = size, .bold = bold, .align = align
	};
	return it;
}

static struct box
bx(int x, int y, int w, int h)
{
	return (struct box){ x, y, w, h };
}

/* Button row: the buttons share width, each at least the touch target. Returns rows used. */
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
		uint32_t bg = pressed ? THEME_BUTTON_PRESSED : vb->primary ? 0x3b4a59u : THEME_BUTTON;
		rect(c, b, bg, (int)(c->unit * 0.5f));
		struct item *t = text(c, bx(b.x + gap, b.y, b.w - 2 * gap, b.h), vb->label, (int)(h * 0.38f),
			THEME_BUTTON_TEXT, vb->primary, ALIGN_CENTER);
		if (t)
			t->shrink = true;
		if (c->f->hit_count < LAYOUT_MAX_HITS) {
			struct hit *hit = &c->f->hits[c->f->hit_count++];
			snprintf(hit->id, sizeof(hit->id), "%s", vb->id);
			snprintf(hit->label, sizeof(hit->label), "%s", vb->label);
			hit->box = b;
		}
	}
}

static void
header(struct ctx *c, struct box area)
{
	const struct view *v = c->v;
	int pad = (int)c->unit;
	int size = (int)(area.h * 0.5f);
	int clock_w = (int)(size * 3.2f), date_w = area.w / 3;
	struct item *t = text(c, bx(area.x + pad, area.y, area.w - clock_w - date_w - 3 * pad, area.h), v->room, size,
		THEME_TEXT, true, ALIGN_LEFT);
	if (t)
		t->shrink = true;
	t = text(c, bx(area.x + area.w - clock_w - date_w - 2 * pad, area.y, date_w, area.h), v->date, size * 6 / 10,
		THEME_TEXT_DIM, false, ALIGN_RIGHT);
	text(c, bx(area.x + area.w - clock_w - pad, area.y, clock_w, area.h), v->clock, size, THEME_TEXT, true,
		ALIGN_RIGHT);
}

static void
timeline_strip(struct ctx *c, struct box area)
{
	const struct view *v = c->v;
	int label_h = area.h * 2 / 5;
	struct box bar = bx(area.x, area.y, area.w, area.h - label_h);
	rect(c, bar, THEME_TIMELINE_BG, 0);
	for (size_t i = 0; i < v->block_count; i++) {
		const struct view_block *b = &v->blocks[i];
		int x0 = bar.x + (int)(b->from * (float)bar.w), x1 = bar.x + (int)(b->to * (float)bar.w);
		rect(c, bx(x0, bar.y, x1 - x0 > 1 ? x1 - x0 - 1 : 1, bar.h),
			b->tentative ? THEME_TIMELINE_TENTATIVE : THEME_TIMELINE_BUSY, 0);
	}
	if (v->now_pos >= 0) {
		int w = c->unit > 8 ? (int)(c->unit / 4) : 2;
		rect(c, bx(bar.x + (int)(v->now_pos * (float)bar.w) - w / 2, bar.y - w, w, bar.h + 2 * w), THEME_NOW,
			0);
	}
	int size = (int)(label_h * 0.8f);
	text(c, bx(area.x, bar.y + bar.h, area.w / 2, label_h), v->timeline_from, size, THEME_TEXT_DIM, false,
		ALIGN_LEFT);
	text(c, bx(area.x + area.w / 2, bar.y + bar.h, area.w / 2, label_h), v->timeline_to, size, THEME_TEXT_DIM,
		false, ALIGN_RIGHT);
}

static void
status_panel(struct ctx *c, struct box p)
{
	const struct view *v = c->v;
	int pad = (int)(c->unit * 1.2f);
	rect(c, p, v->status_colour, (int)(c->unit * 0.6f));
	int inner_w = p.w - 2 * pad, y = p.y + pad, h = p.h - 2 * pad;
	struct item *t;
	int word = (int)(h * 0.26f), line = (int)(h * 0.10f), title = (int)(h * 0.12f), small = (int)(h * 0.085f);
	if ((t = text(c, bx(p.x + pad, y, inner_w, word), v->status_word, word, 0xffffffu, true, ALIGN_LEFT)))
		t->shrink = true;
	y += word + h / 40;
	if ((t = text(c, bx(p.x + pad, y, inner_w, line), v->status_line, line, 0xffffffu, false, ALIGN_LEFT)))
		t->shrink = true;
	y += line + h / 10;
	if (v->title[0]) {
		/* time first, then a title of up to two lines, then the organiser */
		text(c, bx(p.x + pad, y, inner_w, small), v->time_range, small, 0xffffffu, false, ALIGN_LEFT);
		y += small + h / 60;
		if ((t = text(c, bx(p.x + pad, y, inner_w, title * 23 / 10), v->title, title, 0xffffffu, true,
			     ALIGN_LEFT)))
			t->wrap = true;
		y += title * 23 / 10 + h / 60;
		text(c, bx(p.x + pad, y, inner_w, small), v->organizer, small, 0xffffffu, false, ALIGN_LEFT);
	}
}

static void
next_panel(struct ctx *c, struct box p)
{
	const struct view *v = c->v;
	int pad = (int)c->unit;
	rect(c, p, THEME_PANEL, (int)(c->unit * 0.6f));
	int row_h = (p.h - 2 * pad) / (VIEW_MAX_NEXT + 2);
	int size = (int)(row_h * 0.62f);
	int y = p.y + pad;
	text(c, bx(p.x + pad, y, p.w - 2 * pad, row_h), v->next_heading, size, THEME_TEXT_DIM, true, ALIGN_LEFT);
	y += row_h;
	int time_w = (int)(size * 5.6f);
	bool narrow = time_w > (p.w - 2 * pad) / 2;
	for (size_t i = 0; i < v->next_count; i++) {
		const struct view_row *r = &v->next[i];
		uint32_t colour = r->dim ? THEME_TEXT_DIM : THEME_TEXT;
		if (narrow) {
			if (y + 2 * row_h > p.y + p.h - pad - (v->all_day[0] ? row_h : 0))
				break;
			text(c, bx(p.x + pad, y, p.w - 2 * pad, row_h), r->time, size, THEME_TEXT_DIM, false,
				ALIGN_LEFT);
			text(c, bx(p.x + pad, y + row_h, p.w - 2 * pad, row_h), r->text, size, colour, false,
				ALIGN_LEFT);
			y += 2 * row_h;
		} else {
			if (y + row_h > p.y + p.h - pad - (v->all_day[0] ? row_h : 0))
				break;
			text(c, bx(p.x + pad, y, time_w, row_h), r->time, size, THEME_TEXT_DIM, false, ALIGN_LEFT);
			text(c, bx(p.x + pad + time_w, y, p.w - 2 * pad - time_w, row_h), r->text, size, colour, false,
				ALIGN_LEFT);
			y += row_h;
		}
	}
	if (v->all_day[0])
		text(c, bx(p.x + pad, p.y + p.h - pad - row_h, p.w - 2 * pad, row_h), v->all_day, (int)(size * 0.9f),
			THEME_TEXT_DIM, false, ALIGN_LEFT);
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
	int header_h = (int)(H * (portrait ? 0.07f : 0.11f));
	header(c, bx(0, 0, W, header_h));
	int y = header_h;
	if (v->notice[0]) {
		int nh = (int)(H * (portrait ? 0.03f : 0.05f));
		struct item *t = text(c, bx(pad, y, W - 2 * pad, nh), v->notice, (int)(nh * 0.8f),
			v->notice_error ? THEME_WARN : THEME_TEXT_DIM, false, ALIGN_LEFT);
		(void)t;
		y += nh;
	}
	int rows = v->button_count
			   ? (int)((v->button_count + (size_t)per_row(v, portrait) - 1) / (size_t)per_row(v, portrait))
			   : 0;
	int bh = (int)(H * (portrait ? 0.08f : 0.14f));
	if (bh < c->target)
		bh = c->target;
	int buttons_h = rows ? rows * bh + (rows - 1) * (int)(c->unit * 0.6f) : 0;
	int timeline_h = (int)(H * (portrait ? 0.05f : 0.09f));
	int bottom = H - pad - buttons_h - (rows ? pad : 0);
	int tl_y = bottom - timeline_h;
	timeline_strip(c, bx(pad, tl_y, W - 2 * pad, timeline_h));
	int body_h = tl_y - pad - y - pad;
	if (portrait) {
		int sh = body_h * 3 / 5;
		status_panel(c, bx(pad, y + pad / 2, W - 2 * pad, sh));
		next_panel(c, bx(pad, y + pad / 2 + sh + pad, W - 2 * pad, body_h - sh - pad));
	} else {
		int sw = (W - 3 * pad) * 3 / 5;
		status_panel(c, bx(pad, y + pad / 2, sw, body_h));
		next_panel(c, bx(2 * pad + sw, y + pad / 2, W - 3 * pad - sw, body_h));
	}
	if (rows)
		buttons(c, bx(pad, H - pad - buttons_h, W - 2 * pad, buttons_h), v->buttons, v->button_count,
			per_row(v, portrait));
}

static void
dialog(struct ctx *c, int W, int H)
{
	const struct view *v = c->v;
	int pad = (int)(c->unit * 2);
	uint32_t bg = v->kind == VIEW_SETUP ? THEME_PANEL : THEME_PANEL;
	if (v->kind == VIEW_DIALOG && v->button_count == 1 && strcmp(v->buttons[0].id, "ok") == 0)
		bg = v->ok ? THEME_FREE : THEME_ERROR_BG;
	rect(c, bx(0, 0, W, H), bg, 0);
	int head = (int)(H * 0.09f);
	struct item *t =
		text(c, bx(pad, pad, W - 2 * pad, (int)(head * 1.3f)), v->heading, head, THEME_TEXT, true, ALIGN_LEFT);
	if (t)
		t->shrink = true;
	int y = pad + (int)(head * 1.3f) + pad;
	int bh = (int)(H * 0.16f) < c->target ? c->target : (int)(H * 0.16f);
	int text_h = H - y - pad - (v->button_count ? bh + pad : 0);
	int size = (int)(H * 0.055f);
	if ((t = text(c, bx(pad, y, W - 2 * pad, text_h), v->text, size, THEME_TEXT, false, ALIGN_LEFT)))
		t->wrap = true;
	for (size_t i = 0; i < v->line_count; i++)
		text(c, bx(pad, y + text_h - (int)(v->line_count - i) * size * 3 / 2, W - 2 * pad, size * 3 / 2),
			v->lines[i].text, size, THEME_TEXT_DIM, false, ALIGN_LEFT);
	buttons(c, bx(pad, H - pad - bh, W - 2 * pad, bh), v->buttons, v->button_count, (int)v->button_count);
}

static void
list(struct ctx *c, int W, int H)
{
	const struct view *v = c->v;
	int pad = (int)(c->unit * 1.5f);
	rect(c, bx(0, 0, W, H), THEME_BG, 0);
	int head = (int)(H * 0.08f);
	text(c, bx(pad, pad, W - 2 * pad, head), v->heading, head, THEME_TEXT, true, ALIGN_LEFT);
	int y = pad + head + pad;
	int bh = (int)(H * 0.14f) < c->target ? c->target : (int)(H * 0.14f);
	int row_h = (H - y - 2 * pad - bh) / (VIEW_MAX_LINES > 7 ? 7 : VIEW_MAX_LINES);
	int size = (int)(row_h * 0.55f);
	if (v->text[0])
		text(c, bx(pad, y, W - 2 * pad, row_h), v->text, size, THEME_TEXT_DIM, false, ALIGN_LEFT);
	int label_w = (W - 2 * pad) * 2 / 5;
	for (size_t i = 0; i < v->line_count && y + row_h <= H - 2 * pad - bh; i++, y += row_h) {
		const struct view_row *r = &v->lines[i];
		uint32_t colour = r->dim ? THEME_TEXT_DIM : THEME_TEXT;
		text(c, bx(pad, y, label_w, row_h), r->time, size, colour, true, ALIGN_LEFT);
		text(c, bx(pad + label_w, y, W - 2 * pad - label_w, row_h), r->text, size, colour, false, ALIGN_LEFT);
	}
	buttons(c, bx(pad, H - pad - bh, W - 2 * pad, bh), v->buttons, v->button_count, (int)v->button_count);
}

static void
pin(struct ctx *c, int W, int H)
{
	const struct view *v = c->v;
	int pad = (int)c->unit;
	rect(c, bx(0, 0, W, H), THEME_BG, 0);
	int head = (int)(H * 0.07f);
	text(c, bx(pad, pad, W - 2 * pad, head), v->heading, head, THEME_TEXT, true, ALIGN_CENTER);
	text(c, bx(pad, pad + head, W - 2 * pad, head), v->pin_mask, head, THEME_TEXT, true, ALIGN_CENTER);
	int top = pad * 2 + head * 2;
	int side = (H - top - pad) / 4 - pad;
	int side_w = (W - 4 * pad) / 3; /* portrait: three keys and two gaps must fit across */
	if (side_w < side)
		side = side_w;
	if (side < c->target)
		side = c->target;
	int grid_w = side * 3 + pad * 2;
	int x0 = (W - grid_w) / 2;
	/* 1 2 3 / 4 5 6 / 7 8 9 / clear 0 ok, then back in the corner */
	static const int order[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 9, 11 };
	for (int i = 0; i < 12; i++) {
		const struct view_button *b = &v->buttons[order[i]];
		struct view_button one = *b;
		struct box area = bx(x0 + (i % 3) * (side + pad), top + (i / 3) * (side + pad), side, side);
		buttons(c, area, &one, 1, 1);
	}
	int back_w = (W - grid_w) / 2 - 2 * pad;
	if (back_w < c->target)
		back_w = c->target;
	buttons(c, bx(pad, H - pad - c->target, back_w, c->target), &v->buttons[12], 1, 1);
}

void
layout_frame(const struct view *view, int width, int height, float dpi, struct frame *out)
{
	memset(out, 0, sizeof(*out));
	out->width = width;
	out->height = height;
	struct ctx c = { .f = out, .v = view };
	int shorter = width < height ? width : height;
	c.unit = (float)shorter / 40.0f;
	c.target = (int)(LAYOUT_MIN_TARGET_MM / 25.4f * (dpi > 0 ? dpi : 96.0f) + 0.5f);
	if (view->kind != VIEW_HOME) {
		switch (view->kind) {
		case VIEW_LIST: list(&c, width, height); return;
		case VIEW_PIN: pin(&c, width, height); return;
		default: dialog(&c, width, height); return;
		}
	}
	rect(&c, bx(0, 0, width, height), THEME_BG, 0);
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
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	FILE *fp = fopen(tmp, "w");
	if (!fp)
		return false;
	fputc('[', fp);
	for (size_t i = 0; i < frame->hit_count; i++) {
		const struct hit *h = &frame->hits[i];
		fputs(i ? ",\n {\"id\": " : "{\"id\": ", fp);
		json_write_string(fp, h->id);
		fputs(", \"label\": ", fp);
		json_write_string(fp, h->label);
		fprintf(fp, ", \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d}", h->box.x, h->box.y, h->box.w, h->box.h);
	}
	fputs("]\n", fp);
	bool ok = fclose(fp) == 0;
	if (ok && rename(tmp, path) != 0)
		ok = false;
	if (!ok)
		unlink(tmp);
	return ok;
}
