#include "ical.h"
#include <string.h>
#include <strings.h>

/* Windows time zone ids, as Outlook and Exchange write them in TZID, to IANA names: CLDR's
 * windowsZones table (territory "001"), generated at configure time (windows_zones.cmake). */
#include "windows_zones_cldr.h"

/* Ids some producers write that CLDR does not list. */
static const char *const windows_zone_aliases[][2] = {
	{ "Coordinated Universal Time", "Etc/UTC" },
};

/* Windows display names ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"), which
 * old Outlook exports write as TZID, name a zone by the place list CLDR records beside each zone
 * (cldr_windows_display_names); they are matched without the "(UTC±hh:mm)" prefix, which older
 * Windows versions wrote as "(GMT±hh:mm)". So "(UTC+01:00) Amsterdam, …" → "Amsterdam, …";
 * NULL when the name has no such prefix. */
static const char *
display_places(const char *name)
{
	if (strncasecmp(name, "(UTC", 4) != 0 && strncasecmp(name, "(GMT", 4) != 0)
		return NULL;
	const char *close = strchr(name, ')');
	if (!close)
		return NULL;
	close++;
	while (*close == ' ')
		close++;
	return close;
}

static const char *
lookup(const char *const table[][2], size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(table[i][0], key) == 0)
			return table[i][1];
	return NULL;
}

#define LOOKUP(table, key) lookup(table, sizeof(table) / sizeof(table[0]), key)

static const char *
iana_for_windows_id(const char *id)
{
	const char *iana = LOOKUP(cldr_windows_zones, id);
	return iana ? iana : LOOKUP(windows_zone_aliases, id);
}

const char *
ical_windows_zone(const char *windows_name)
{
	if (!windows_name)
		return NULL;
	const char *iana = iana_for_windows_id(windows_name);
	const char *places = iana ? NULL : display_places(windows_name);
	if (!places)
		return iana;
	const char *id = LOOKUP(cldr_windows_display_names, places);
	return id ? iana_for_windows_id(id) : NULL;
}
