/* layout.h — where everything goes, computed from the screen size: a pure function from a
 * view to boxes, text runs and touch targets. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "view.h"

#define LAYOUT_MAX_ITEMS     160
#define LAYOUT_MAX_HITS      VIEW_MAX_BUTTONS
#define LAYOUT_MIN_TARGET_MM 9.0f
#define LAYOUT_MIN_TEXT_MM   2.6f /* the readable minimum text shrinks to before it is ever cut */
#define LAYOUT_MIN_TEXT_PX   12
#define LAYOUT_LARGE_TEXT    1.4f /* [display] text_size = large */

struct box {
	int x, y, w, h;
};

enum item_kind { ITEM_RECT, ITEM_TEXT, ITEM_IMAGE, ITEM_QR };
enum text_align { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT };

struct item {
	enum item_kind kind;
	struct box box;
	uint32_t colour;  /* 0xRRGGBB */
	int radius;       /* rects: rounded corners */
	const char *text; /* points into the view; images: the file; QR codes: the URL */
	const char *role; /* what it is ("status_word", "button", "agenda_time", …): tests and reports */
	int size_px;      /* text height in pixels; QR codes: one module's side (the box has the quiet zone) */
	int min_px;       /* shrink (or wrap) items: the smallest size before the text is cut */
	bool bold;
	enum text_align align;
	bool shrink; /* may shrink (down to min_px) to fit the width before ellipsising */
	bool wrap;   /* may wrap onto lines within the box, then shrink, then ellipsise the last */
};

struct hit {
	char id[32];
	char label[64];
	struct box box;
};

struct frame {
	int width, height;
	struct item items[LAYOUT_MAX_ITEMS];
	size_t item_count;
	struct hit hits[LAYOUT_MAX_HITS];
	size_t hit_count;
};

/* Lays out view for a width×height screen at dpi (0: assume 96). Touch targets are at least
 * LAYOUT_MIN_TARGET_MM high and wide and lie in the lower third of the screen (a door-mounted
 * panel, reachable from a wheelchair); columns of text keep half an em apart. The home screen's
 * QR code sits in the lower right corner, beside the timeline and the buttons, with modules of at
 * least QR_MIN_MODULE_MM (left out where it would not fit). The frame points into view: keep it
 * alive. */
void layout_frame(const struct view *view, int width, int height, float dpi, struct frame *out);
/* The target under (x, y), or NULL. */
const struct hit *layout_hit_test(const struct frame *frame, int x, int y);
/* Writes the hits as JSON ([{"id","label","x","y","w","h"}, …]) to path, atomically. */
bool layout_write_hits(const struct frame *frame, const char *path);
