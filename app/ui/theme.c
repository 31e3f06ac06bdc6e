#include "theme.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "../config.h"

#define WHITE 0xffffffu

static double
linear(unsigned c)
{
	double v = c / 255.0;
	return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double
luminance(uint32_t c)
{
	return 0.2126 * linear((c >> 16) & 255) + 0.7152 * linear((c >> 8) & 255) + 0.0722 * linear(c & 255);
}

double
theme_contrast(uint32_t a, uint32_t b)
{
	double la = luminance(a), lb = luminance(b);
	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

double
theme_min_contrast(const struct theme *t)
{
	return t->name == THEME_NAME_HIGH_CONTRAST ? THEME_MIN_CONTRAST_HIGH : THEME_MIN_CONTRAST;
}

static uint32_t
dark_text(const struct theme *t)
{
	return t->name == THEME_NAME_HIGH_CONTRAST ? 0x000000u : THEME_DARK_TEXT;
}

/* White or the theme's dark text, whichever contrasts more with bg. */
static uint32_t
text_on(const struct theme *t, uint32_t bg)
{
	return theme_contrast(WHITE, bg) >= theme_contrast(dark_text(t), bg) ? WHITE : dark_text(t);
}

void
theme_init(struct theme *t, enum theme_name name)
{
	if (name == THEME_NAME_HIGH_CONTRAST) {
		*t = (struct theme){
			.name = name,
			.bg = 0x000000u,
			.panel = 0x000000u,
			.text = WHITE,
			.text_dim = 0xe6e6e6u,
			.free = 0x005c50u,
			.busy = 0x8e0000u,
			.soon = 0xffc020u,
			.checkin = 0xffc020u,
			.button = 0x262626u,
			.button_primary = 0x1f3a5cu,
			.button_pressed = 0x4d4d4du,
			.button_text = WHITE,
			.timeline_bg = 0x333333u,
			.timeline_busy = 0xff4040u,
			.timeline_tentative = 0xc09040u,
			.now = WHITE,
			.warn = 0xffd040u,
			.error_bg = 0x6b0000u,
			.ok_bg = 0x005c50u,
		};
	} else {
		*t = (struct theme){
			.name = name,
			.bg = THEME_BG,
			.panel = THEME_PANEL,
			.text = THEME_TEXT,
			.text_dim = THEME_TEXT_DIM,
			.free = THEME_FREE,
			.busy = THEME_BUSY,
			.soon = THEME_SOON,
			.checkin = THEME_CHECKIN,
			.button = THEME_BUTTON,
			.button_primary = THEME_BUTTON_PRIMARY,
			.button_pressed = THEME_BUTTON_PRESSED,
			.button_text = THEME_BUTTON_TEXT,
			.timeline_bg = THEME_TIMELINE_BG,
			.timeline_busy = THEME_TIMELINE_BUSY,
			.timeline_tentative = THEME_TIMELINE_TENTATIVE,
			.now = THEME_NOW,
			.warn = THEME_WARN,
			.error_bg = THEME_ERROR_BG,
			.ok_bg = THEME_FREE,
		};
	}
	t->on_free = text_on(t, t->free);
	t->on_busy = text_on(t, t->busy);
	t->on_soon = text_on(t, t->soon);
	t->on_checkin = text_on(t, t->checkin);
	t->on_primary = text_on(t, t->button_primary);
	t->on_ok = text_on(t, t->ok_bg);
}

bool
theme_set(struct theme *t, enum theme_slot slot, uint32_t colour, char *why, size_t why_size)
{
	uint32_t on = text_on(t, colour);
	double ratio = theme_contrast(on, colour), min = theme_min_contrast(t);
	if (ratio < min) {
		if (why)
			snprintf(why, why_size,
				"#%06x gives its text a contrast ratio of only %.2f:1 (with %s text, the better "
				"choice); the %s theme needs at least %.1f:1 (WCAG 2.2)",
				(unsigned)colour, ratio, on == WHITE ? "white" : "dark",
				t->name == THEME_NAME_HIGH_CONTRAST ? "high-contrast" : "default", min);
		return false;
	}
	switch (slot) {
	case THEME_SLOT_ACCENT: t->button_primary = colour, t->on_primary = on; break;
	case THEME_SLOT_FREE: t->free = t->ok_bg = colour, t->on_free = t->on_ok = on; break;
	case THEME_SLOT_BUSY: t->busy = t->timeline_busy = colour, t->on_busy = on; break;
	case THEME_SLOT_SOON: t->soon = t->checkin = colour, t->on_soon = t->on_checkin = on; break;
	case THEME_SLOT_COUNT: return false;
	}
	return true;
}

bool
theme_parse_colour(const char *s, uint32_t *out)
{
	unsigned v;
	int n = 0;
	if (*s == '#')
		s++;
	if (strlen(s) != 6 || sscanf(s, "%6x%n", &v, &n) != 1 || n != 6)
		return false;
	*out = v;
	return true;
}

void
theme_from_display(struct theme *t, const struct display_config *d)
{
	theme_init(t, d->theme ? THEME_NAME_HIGH_CONTRAST : THEME_NAME_DEFAULT);
	for (int i = 0; i < CONFIG_COLOURS && i < THEME_SLOT_COUNT; i++)
		if (d->colours[i] >= 0)
			theme_set(t, (enum theme_slot)i, (uint32_t)d->colours[i], NULL, 0);
}
