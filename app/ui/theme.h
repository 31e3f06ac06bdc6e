/* theme.h — the palette: colours (0xRRGGBB) for the default and the high-contrast theme, the
 * [display] overrides, and the WCAG 2.2 contrast arithmetic that keeps every text readable. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The default palette. White text reaches >= 4.5:1 on free and busy, dark text >= 4.5:1 on the
 * amber of soon/check-in; the three status colours stay >= 20 apart (CIEDE2000) under simulated
 * deuteranopia and protanopia (tests/unit/test_screens.c). image/screen-check.py reads these. */
#define THEME_BG                 0x101418u
#define THEME_PANEL              0x1c2229u
#define THEME_TEXT               0xf2f4f5u
#define THEME_TEXT_DIM           0x9aa5b1u
#define THEME_FREE               0x007870u /* teal green */
#define THEME_BUSY               0xa50e0eu /* red */
#define THEME_SOON               0xf9ab00u /* amber, with dark text */
#define THEME_CHECKIN            0xf9ab00u
#define THEME_BUTTON             0x2d3640u
#define THEME_BUTTON_PRIMARY     0x3b4a59u
#define THEME_BUTTON_PRESSED     0x4a5866u
#define THEME_BUTTON_TEXT        0xffffffu
#define THEME_TIMELINE_BG        0x2a323bu
#define THEME_TIMELINE_BUSY      0xa50e0eu
#define THEME_TIMELINE_TENTATIVE 0x8a6d3bu
#define THEME_NOW                0xffffffu
#define THEME_WARN               0xf9ab00u
#define THEME_ERROR_BG           0x5f2120u
#define THEME_DARK_TEXT          0x101418u

#define THEME_MIN_CONTRAST      4.5 /* WCAG 2.2 AA, normal text */
#define THEME_MIN_CONTRAST_HIGH 7.0 /* AAA: the high-contrast theme */

enum theme_name { THEME_NAME_DEFAULT, THEME_NAME_HIGH_CONTRAST };
/* The colours [display] may override. */
enum theme_slot { THEME_SLOT_ACCENT, THEME_SLOT_FREE, THEME_SLOT_BUSY, THEME_SLOT_SOON, THEME_SLOT_COUNT };

struct theme {
	enum theme_name name;
	uint32_t bg, panel, text, text_dim;
	uint32_t free, busy, soon, checkin;             /* status panel backgrounds */
	uint32_t on_free, on_busy, on_soon, on_checkin; /* the text drawn on them */
	uint32_t button, button_primary, button_pressed, button_text, on_primary;
	uint32_t timeline_bg, timeline_busy, timeline_tentative, now;
	uint32_t warn, error_bg, ok_bg, on_ok;
};

/* The base palette of a theme, without overrides. */
void theme_init(struct theme *theme, enum theme_name name);
/* Sets one overridable colour (and the text colour drawn on it: white or dark, whichever reads
 * better). false when even the better text colour stays below the theme's minimum contrast:
 * then why (may be NULL) holds a sentence with the ratio, and the theme is unchanged. */
bool theme_set(struct theme *theme, enum theme_slot slot, uint32_t colour, char *why, size_t why_size);
/* WCAG 2.2 contrast ratio of two sRGB colours, 1..21. */
double theme_contrast(uint32_t a, uint32_t b);
/* The minimum text contrast the theme promises (4.5 or 7). */
double theme_min_contrast(const struct theme *theme);
/* Parses "#rrggbb" or "rrggbb". */
bool theme_parse_colour(const char *s, uint32_t *out);

struct display_config;
/* The configured theme with its overrides (config_load has refused unreadable ones; any that
 * still fail here are skipped). */
void theme_from_display(struct theme *theme, const struct display_config *display);
