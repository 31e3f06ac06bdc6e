/* i18n.h — UI strings through gettext (domain "roomsign"); English is the source language. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "../core/event.h"

/* Chooses the UI language ("en", "da", "de"). Looks for catalogues in localedir, then in the
 * build tree and the installed locale directory. Call before threads start. */
bool i18n_set_language(const char *language, const char *localedir);
const char *i18n_language(void);
/* The translation of msgid in the chosen language. */
const char *i18n_text(const char *msgid) __attribute__((format_arg(1)));
#define _(msgid)  i18n_text(msgid)
#define N_(msgid) (msgid)

/* "Monday 1 December" / "mandag 1. december" / "Montag, 1. Dezember" for the room's zone. */
void i18n_format_date(rs_time t, char *buf, size_t size);
