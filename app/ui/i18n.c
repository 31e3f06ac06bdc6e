#include "i18n.h"
#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "../core/timeutil.h"

#define DOMAIN "roomsign"
#ifndef ROOMSIGN_LOCALEDIR_INSTALL
#define ROOMSIGN_LOCALEDIR_INSTALL "/usr/share/locale"
#endif

static char current[8] = "en";

static bool
has_catalogue(const char *dir, const char *language)
{
	char path[1024];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES/" DOMAIN ".mo", dir, language);
	return stat(path, &st) == 0;
}

bool
i18n_set_language(const char *language, const char *localedir)
{
	const char *dirs[] = { localedir, getenv("ROOMSIGN_LOCALEDIR"), ROOMSIGN_LOCALEDIR_BUILD,
		ROOMSIGN_LOCALEDIR_INSTALL, "/usr/share/locale" };
	snprintf(current, sizeof(current), "%s", language && *language ? language : "en");
	/* gettext ignores LANGUAGE under the plain "C" locale; C.UTF-8 is always present. */
	if (!setlocale(LC_MESSAGES, "C.UTF-8"))
		setlocale(LC_MESSAGES, "");
	setlocale(LC_CTYPE, "C.UTF-8");
	setenv("LANGUAGE", current, 1);
	if (strcmp(current, "en") == 0)
		return true;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (dirs[i] && has_catalogue(dirs[i], current)) {
			bindtextdomain(DOMAIN, dirs[i]);
			bind_textdomain_codeset(DOMAIN, "UTF-8");
			textdomain(DOMAIN);
			return true;
		}
	}
	return false;
}

const char *
i18n_language(void)
{
	return current;
}

const char *
i18n_text(const char *msgid)
{
	if (strcmp(current, "en") == 0)
		return msgid;
	return dgettext(DOMAIN, msgid);
}

void
i18n_format_date(rs_time t, char *buf, size_t size)
{
	static const char *const days[] = { N_("Sunday"), N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"),
		N_("Friday"), N_("Saturday") };
	static const char *const months[] = { N_("January"), N_("February"), N_("March"), N_("April"), N_("May"),
		N_("June"), N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December") };
	struct tm tm;
	time_local(t, &tm);
	const char *day = _(days[tm.tm_wday]), *month = _(months[tm.tm_mon]);
	if (strcmp(current, "da") == 0)
		snprintf(buf, size, "%s %d. %s", day, tm.tm_mday, month);
	else if (strcmp(current, "de") == 0)
		snprintf(buf, size, "%s, %d. %s", day, tm.tm_mday, month);
	else
		snprintf(buf, size, "%s %d %s", day, tm.tm_mday, month);
}
