#include "ical.h"
#include <string.h>
#include <strings.h>

/* Windows time zone names, as Outlook and Exchange write them in TZID, to IANA names.
 * From the CLDR windowsZones table (territory "001"). */
static const char *const windows_zones[][2] = {
	{ "Dateline Standard Time", "Etc/GMT+12" },
	{ "UTC-11", "Etc/GMT+11" },
	{ "Hawaiian Standard Time", "Pacific/Honolulu" },
	{ "Alaskan Standard Time", "America/Anchorage" },
	{ "Pacific Standard Time", "America/Los_Angeles" },
	{ "Pacific Standard Time (Mexico)", "America/Tijuana" },
	{ "US Mountain Standard Time", "America/Phoenix" },
	{ "Mountain Standard Time", "America/Denver" },
	{ "Central America Standard Time", "America/Guatemala" },
	{ "Central Standard Time", "America/Chicago" },
	{ "Central Standard Time (Mexico)", "America/Mexico_City" },
	{ "Canada Central Standard Time", "America/Regina" },
	{ "SA Pacific Standard Time", "America/Bogota" },
	{ "Eastern Standard Time", "America/New_York" },
	{ "US Eastern Standard Time", "America/Indianapolis" },
	{ "Venezuela Standard Time", "America/Caracas" },
	{ "Atlantic Standard Time", "America/Halifax" },
	{ "SA Western Standard Time", "America/La_Paz" },
	{ "Pacific SA Standard Time", "America/Santiago" },
	{ "Newfoundland Standard Time", "America/St_Johns" },
	{ "E. South America Standard Time", "America/Sao_Paulo" },
	{ "Argentina Standard Time", "America/Buenos_Aires" },
	{ "Greenland Standard Time", "America/Godthab" },
	{ "UTC-02", "Etc/GMT+2" },
	{ "Azores Standard Time", "Atlantic/Azores" },
	{ "Cape Verde Standard Time", "Atlantic/Cape_Verde" },
	{ "UTC", "Etc/UTC" },
	{ "Coordinated Universal Time", "Etc/UTC" },
	{ "GMT Standard Time", "Europe/London" },
	{ "Greenwich Standard Time", "Atlantic/Reykjavik" },
	{ "Morocco Standard Time", "Africa/Casablanca" },
	{ "W. Europe Standard Time", "Europe/Berlin" },
	{ "Central Europe Standard Time", "Europe/Budapest" },
	{ "Romance Standard Time", "Europe/Paris" },
	{ "Central European Standard Time", "Europe/Warsaw" },
	{ "W. Central Africa Standard Time", "Africa/Lagos" },
	{ "GTB Standard Time", "Europe/Bucharest" },
	{ "E. Europe Standard Time", "Europe/Chisinau" },
	{ "FLE Standard Time", "Europe/Kiev" },
	{ "Israel Standard Time", "Asia/Jerusalem" },
	{ "Egypt Standard Time", "Africa/Cairo" },
	{ "South Africa Standard Time", "Africa/Johannesburg" },
	{ "Kaliningrad Standard Time", "Europe/Kaliningrad" },
	{ "Turkey Standard Time", "Europe/Istanbul" },
	{ "Arabic Standard Time", "Asia/Baghdad" },
	{ "Arab Standard Time", "Asia/Riyadh" },
	{ "Russian Standard Time", "Europe/Moscow" },
	{ "E. Africa Standard Time", "Africa/Nairobi" },
	{ "Iran Standard Time", "Asia/Tehran" },
	{ "Arabian Standard Time", "Asia/Dubai" },
	{ "Afghanistan Standard Time", "Asia/Kabul" },
	{ "West Asia Standard Time", "Asia/Tashkent" },
	{ "Pakistan Standard Time", "Asia/Karachi" },
	{ "India Standard Time", "Asia/Calcutta" },
	{ "Sri Lanka Standard Time", "Asia/Colombo" },
	{ "Nepal Standard Time", "Asia/Katmandu" },
	{ "Central Asia Standard Time", "Asia/Almaty" },
	{ "Bangladesh Standard Time", "Asia/Dhaka" },
	{ "Myanmar Standard Time", "Asia/Rangoon" },
	{ "SE Asia Standard Time", "Asia/Bangkok" },
	{ "China Standard Time", "Asia/Shanghai" },
	{ "Singapore Standard Time", "Asia/Singapore" },
	{ "Taipei Standard Time", "Asia/Taipei" },
	{ "W. Australia Standard Time", "Australia/Perth" },
	{ "Tokyo Standard Time", "Asia/Tokyo" },
	{ "Korea Standard Time", "Asia/Seoul" },
	{ "Cen. Australia Standard Time", "Australia/Adelaide" },
	{ "AUS Central Standard Time", "Australia/Darwin" },
	{ "E. Australia Standard Time", "Australia/Brisbane" },
	{ "AUS Eastern Standard Time", "Australia/Sydney" },
	{ "Tasmania Standard Time", "Australia/Hobart" },
	{ "West Pacific Standard Time", "Pacific/Port_Moresby" },
	{ "Vladivostok Standard Time", "Asia/Vladivostok" },
	{ "Central Pacific Standard Time", "Pacific/Guadalcanal" },
	{ "New Zealand Standard Time", "Pacific/Auckland" },
	{ "Fiji Standard Time", "Pacific/Fiji" },
	{ "Tonga Standard Time", "Pacific/Tongatapu" },
	{ "Samoa Standard Time", "Pacific/Apia" },
	{ "Line Islands Standard Time", "Pacific/Kiritimati" },
};

/* Windows display names ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"), which
 * old Outlook exports write as TZID, to the Windows zone they name. The place lists are the ones
 * CLDR's windowsZones.xml records beside each zone; they are matched without the "(UTC±hh:mm)"
 * prefix, which older Windows versions wrote as "(GMT±hh:mm)". */
static const char *const windows_display_names[][2] = {
	{ "International Date Line West", "Dateline Standard Time" },
	{ "Coordinated Universal Time-11", "UTC-11" },
	{ "Hawaii", "Hawaiian Standard Time" },
	{ "Alaska", "Alaskan Standard Time" },
	{ "Pacific Time (US & Canada)", "Pacific Standard Time" },
	{ "Baja California", "Pacific Standard Time (Mexico)" },
	{ "Arizona", "US Mountain Standard Time" },
	{ "Mountain Time (US & Canada)", "Mountain Standard Time" },
	{ "Central America", "Central America Standard Time" },
	{ "Central Time (US & Canada)", "Central Standard Time" },
	{ "Guadalajara, Mexico City, Monterrey", "Central Standard Time (Mexico)" },
	{ "Saskatchewan", "Canada Central Standard Time" },
	{ "Bogota, Lima, Quito, Rio Branco", "SA Pacific Standard Time" },
	{ "Eastern Time (US & Canada)", "Eastern Standard Time" },
	{ "Indiana (East)", "US Eastern Standard Time" },
	{ "Caracas", "Venezuela Standard Time" },
	{ "Atlantic Time (Canada)", "Atlantic Standard Time" },
	{ "Georgetown, La Paz, Manaus, San Juan", "SA Western Standard Time" },
	{ "Santiago", "Pacific SA Standard Time" },
	{ "Newfoundland", "Newfoundland Standard Time" },
	{ "Brasilia", "E. South America Standard Time" },
	{ "City of Buenos Aires", "Argentina Standard Time" },
	{ "Greenland", "Greenland Standard Time" },
	{ "Coordinated Universal Time-02", "UTC-02" },
	{ "Azores", "Azores Standard Time" },
	{ "Cabo Verde Is.", "Cape Verde Standard Time" },
	{ "Coordinated Universal Time", "UTC" },
	{ "Dublin, Edinburgh, Lisbon, London", "GMT Standard Time" },
	{ "Monrovia, Reykjavik", "Greenwich Standard Time" },
	{ "Casablanca", "Morocco Standard Time" },
	{ "Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "W. Europe Standard Time" },
	{ "Belgrade, Bratislava, Budapest, Ljubljana, Prague", "Central Europe Standard Time" },
	{ "Brussels, Copenhagen, Madrid, Paris", "Romance Standard Time" },
	{ "Sarajevo, Skopje, Warsaw, Zagreb", "Central European Standard Time" },
	{ "West Central Africa", "W. Central Africa Standard Time" },
	{ "Athens, Bucharest", "GTB Standard Time" },
	{ "Chisinau", "E. Europe Standard Time" },
	{ "Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius", "FLE Standard Time" },
	{ "Jerusalem", "Israel Standard Time" },
	{ "Cairo", "Egypt Standard Time" },
	{ "Harare, Pretoria", "South Africa Standard Time" },
	{ "Kaliningrad", "Kaliningrad Standard Time" },
	{ "Istanbul", "Turkey Standard Time" },
	{ "Baghdad", "Arabic Standard Time" },
	{ "Kuwait, Riyadh", "Arab Standard Time" },
	{ "Moscow, St. Petersburg", "Russian Standard Time" },
	{ "Nairobi", "E. Africa Standard Time" },
	{ "Tehran", "Iran Standard Time" },
	{ "Abu Dhabi, Muscat", "Arabian Standard Time" },
	{ "Kabul", "Afghanistan Standard Time" },
	{ "Ashgabat, Tashkent", "West Asia Standard Time" },
	{ "Islamabad, Karachi", "Pakistan Standard Time" },
	{ "Chennai, Kolkata, Mumbai, New Delhi", "India Standard Time" },
	{ "Sri Jayawardenepura", "Sri Lanka Standard Time" },
	{ "Kathmandu", "Nepal Standard Time" },
	{ "Dhaka", "Bangladesh Standard Time" },
	{ "Yangon (Rangoon)", "Myanmar Standard Time" },
	{ "Bangkok, Hanoi, Jakarta", "SE Asia Standard Time" },
	{ "Beijing, Chongqing, Hong Kong, Urumqi", "China Standard Time" },
	{ "Kuala Lumpur, Singapore", "Singapore Standard Time" },
	{ "Taipei", "Taipei Standard Time" },
	{ "Perth", "W. Australia Standard Time" },
	{ "Osaka, Sapporo, Tokyo", "Tokyo Standard Time" },
	{ "Seoul", "Korea Standard Time" },
	{ "Adelaide", "Cen. Australia Standard Time" },
	{ "Darwin", "AUS Central Standard Time" },
	{ "Brisbane", "E. Australia Standard Time" },
	{ "Canberra, Melbourne, Sydney", "AUS Eastern Standard Time" },
	{ "Hobart", "Tasmania Standard Time" },
	{ "Guam, Port Moresby", "West Pacific Standard Time" },
	{ "Vladivostok", "Vladivostok Standard Time" },
	{ "Solomon Is., New Caledonia", "Central Pacific Standard Time" },
	{ "Auckland, Wellington", "New Zealand Standard Time" },
};

/* "(UTC+01:00) Amsterdam, …" → "Amsterdam, …"; NULL when the name has no such prefix. */
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
iana_for_windows_id(const char *id)
{
	for (size_t i = 0; i < sizeof(windows_zones) / sizeof(windows_zones[0]); i++)
		if (strcasecmp(windows_zones[i][0], id) == 0)
			return windows_zones[i][1];
	return NULL;
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
	for (size_t i = 0; i < sizeof(windows_display_names) / sizeof(windows_display_names[0]); i++)
		if (strcasecmp(windows_display_names[i][0], places) == 0)
			return iana_for_windows_id(windows_display_names[i][1]);
	return NULL;
}
