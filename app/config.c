#include "config.h"
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <strings.h>
#include <sys/stat.h>
#include <ini.h>
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "ui/qr.h"
#include "ui/theme.h"

#define SECRET_MAX 16384

struct parse {
	struct config *config;
	const char *file;
	FILE *fp;
	int line;
	char *err;
	size_t err_size, err_len;
	int errors;
	int password_line, secret_line, url_line, type_line;
	int room_line, authority_line, graph_url_line; /* for problems found after parsing */
	int private_key_line;
	int fleet_url_line, client_key_line, journal_upload_line;
	const struct config *local; /* loading a fetched file: [fleet] comes from here */
	int colour_line[CONFIG_COLOURS], logo_line, qr_line;
	int report_to_line, report_url_line, report_password_line; /* [report] */
};

static void problem(struct parse *p, int line, const char *section, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void
problem(struct parse *p, int line, const char *section, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char where[256] = "";
	if (key && line > 0)
		snprintf(where, sizeof(where), "%s:%d: [%s] %s: ", p->file, line, section, key);
	else if (key)
		snprintf(where, sizeof(where), "%s: [%s] %s: ", p->file, section, key);
	else if (line > 0)
		snprintf(where, sizeof(where), "%s:%d: ", p->file, line);
	else
		snprintf(where, sizeof(where), "%s: ", p->file);
	p->errors++;
	if (!p->err) {
		fprintf(stderr, "roomsign: config: %s%s\n", where, msg);
		return;
	}
	if (p->err_len < p->err_size) {
		int n = snprintf(p->err + p->err_len, p->err_size - p->err_len, "%s%s\n", where, msg);
		if (n > 0)
			p->err_len += (size_t)n;
		if (p->err_len >= p->err_size)
			p->err_len = p->err_size;
	}
}

static void
set_string(char **field, const char *value)
{
	free(*field);
	*field = *value ? xstrdup(value) : NULL;
}

static bool
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off", "0" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = true, true;
		if (strcasecmp(v, no[i]) == 0)
			return *out = false, true;
	}
	return false;
}

static bool
parse_int(const char *v, int lo, int hi, int *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (errno || end == v || *end || n < lo || n > hi)
		return false;
	*out = (int)n;
	return true;
}

/* "a|b|c" → index of v, or -1. */
static int
parse_choice(const char *v, const char *choices)
{
	int i = 0;
	const char *p = choices;
	size_t len = strlen(v);
	while (*p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		if (n == len && strncasecmp(p, v, n) == 0)
			return i;
		i++;
		p += n + (bar ? 1 : 0);
	}
	return -1;
}

static bool
parse_hhmm(const char *v, int *minutes)
{
	int h, m, n = 0;
	if (sscanf(v, "%2d:%2d%n", &h, &m, &n) != 2 || n != (int)strlen(v) || h > 23 || m > 59 || h < 0 || m < 0)
		return false;
	*minutes = h * 60 + m;
	return true;
}

enum key_type { K_STRING, K_INT, K_BOOL, K_CHOICE, K_SPECIAL };

struct key {
	const char *section, *name;
	enum key_type type;
	size_t offset;
	int lo, hi;
	const char *choices; /* K_CHOICE: "a|b|c" → 0, 1, 2 */
};

#define OFF(field) offsetof(struct config, field)
static const struct key keys[] = {
	{ "room", "name", K_STRING, OFF(room_name), 0, 0, NULL },
	{ "room", "timezone", K_SPECIAL, 0, 0, 0, NULL },
	{ "room", "language", K_CHOICE, 0, 0, 0, "en|da|de" },
	{ "room", "subject", K_CHOICE, OFF(subject), 0, 0, "show|organizer|hide" },
	{ "source", "type", K_CHOICE, OFF(source.type), 0, 0, "demo|ics|ews|graph|caldav" },
	{ "source", "url", K_SPECIAL, 0, 0, 0, NULL },
	{ "source", "mailbox", K_STRING, OFF(source.mailbox), 0, 0, NULL },
	{ "source", "username", K_STRING, OFF(source.username), 0, 0, NULL },
	{ "source", "password_file", K_SPECIAL, 0, 0, 0, NULL },
	{ "source", "auth", K_CHOICE, OFF(source.auth), 0, 0, "none|basic|ntlm|negotiate|bearer" },
	{ "source", "ca_file", K_STRING, OFF(source.ca_file), 0, 0, NULL },
	{ "source", "refresh", K_INT, OFF(source.refresh_s), 10, 86400, NULL },
	{ "source", "safety_refresh", K_INT, OFF(source.safety_refresh_s), 60, 86400, NULL },
	{ "source", "poll", K_INT, OFF(source.poll_s), 5, 3600, NULL },
	{ "source", "auth_retry", K_INT, OFF(source.auth_retry_s), 900, 86400, NULL },
	{ "source", "allow_insecure_http", K_BOOL, OFF(source.allow_insecure_http), 0, 0, NULL },
	{ "source", "timeout", K_INT, OFF(source.timeout_s), 1, 600, NULL },
	{ "source", "server_version", K_STRING, OFF(source.server_version), 0, 0, NULL },
	{ "source", "streaming", K_BOOL, OFF(source.ews_streaming), 0, 0, NULL },
	{ "source", "stream_timeout", K_INT, OFF(source.stream_timeout_min), 1, 30, NULL },
	{ "source", "tenant", K_STRING, OFF(source.tenant), 0, 0, NULL },
	{ "source", "client_id", K_STRING, OFF(source.client_id), 0, 0, NULL },
	{ "source", "client_secret_file", K_SPECIAL, 0, 0, 0, NULL },
	{ "source", "certificate_file", K_STRING, OFF(source.certificate_file), 0, 0, NULL },
	{ "source", "private_key_file", K_STRING, OFF(source.private_key_file), 0, 0, NULL },
	{ "source", "authority", K_STRING, OFF(source.authority), 0, 0, NULL },
	{ "source", "graph_url", K_STRING, OFF(source.graph_url), 0, 0, NULL },
	{ "source", "nearby_rooms", K_SPECIAL, 0, 0, 0, NULL },
	{ "booking", "enabled", K_BOOL, OFF(booking.enabled), 0, 0, NULL },
	{ "booking", "durations", K_SPECIAL, 0, 0, 0, NULL },
	{ "booking", "subject", K_STRING, OFF(booking.subject), 0, 0, NULL },
	{ "booking", "extend", K_BOOL, OFF(booking.extend), 0, 0, NULL },
	{ "booking", "end_early", K_CHOICE, OFF(booking.end_early), 0, 0, "no|own|all" },
	{ "booking", "checkin", K_BOOL, OFF(booking.checkin), 0, 0, NULL },
	{ "booking", "checkin_before", K_INT, OFF(booking.checkin_before_min), 0, 120, NULL },
	{ "booking", "checkin_grace", K_INT, OFF(booking.checkin_grace_min), 1, 120, NULL },
	{ "booking", "soon", K_INT, OFF(booking.soon_min), 0, 240, NULL },
	{ "booking", "idle", K_INT, OFF(booking.idle_s), 5, 3600, NULL },
	{ "booking", "max_extend", K_INT, OFF(booking.max_extend_min), 0, 24 * 60, NULL },
	{ "booking", "cooldown", K_INT, OFF(booking.cooldown_s), 0, 3600, NULL },
	{ "booking", "refresh_cooldown", K_INT, OFF(booking.refresh_cooldown_s), 0, 3600, NULL },
	{ "display", "rotate", K_SPECIAL, 0, 0, 0, NULL },
	{ "display", "night", K_SPECIAL, 0, 0, 0, NULL },
	{ "display", "admin_pin", K_SPECIAL, 0, 0, 0, NULL },
	{ "display", "font", K_STRING, OFF(display.font), 0, 0, NULL },
	{ "display", "font_bold", K_STRING, OFF(display.font_bold), 0, 0, NULL },
	{ "display", "dpi", K_INT, OFF(display.dpi), 0, 1000, NULL },
	{ "display", "renderer", K_CHOICE, OFF(display.renderer), 0, 0, "auto|software|accelerated" },
	{ "display", "backlight", K_STRING, OFF(display.backlight), 0, 0, NULL },
	{ "display", "theme", K_CHOICE, OFF(display.theme), 0, 0, "default|high-contrast" },
	{ "display", "text_size", K_CHOICE, OFF(display.text_size), 0, 0, "normal|large" },
	{ "display", "logo", K_SPECIAL, 0, 0, 0, NULL },
	{ "display", "accent", K_SPECIAL, 0, 0, 0, NULL },
	{ "display", "free_colour", K_SPECIAL, 0, 0, 0, NULL },
	{ "display", "busy_colour", K_SPECIAL, 0, 0, 0, NULL },
	{ "display", "soon_colour", K_SPECIAL, 0, 0, 0, NULL },
	{ "display", "qr_url", K_SPECIAL, 0, 0, 0, NULL },
	{ "led", "chip", K_STRING, OFF(led.chip), 0, 0, NULL },
	{ "led", "red", K_INT, OFF(led.red), -1, 1023, NULL },
	{ "led", "green", K_INT, OFF(led.green), -1, 1023, NULL },
	{ "led", "blue", K_INT, OFF(led.blue), -1, 1023, NULL },
	{ "led", "active_low", K_SPECIAL, 0, 0, 0, NULL },
	{ "led", "offline", K_CHOICE, OFF(led.offline), 0, 0, "off|keep|blink" },
	{ "led", "motion", K_INT, OFF(led.motion), -1, 1023, NULL },
	{ "led", "motion_release", K_INT, OFF(led.motion_release_min), 0, 240, NULL },
	{ "monitoring", "textfile", K_STRING, OFF(monitoring.textfile), 0, 0, NULL },
	{ "monitoring", "listen", K_STRING, OFF(monitoring.listen), 0, 0, NULL },
	{ "monitoring", "web_config", K_STRING, OFF(monitoring.web_config), 0, 0, NULL },
	{ "fleet", "config_url", K_STRING, OFF(fleet.config_url), 0, 0, NULL },
	{ "fleet", "config_refresh", K_INT, OFF(fleet.config_refresh_s), 10, 86400, NULL },
	{ "fleet", "ca_file", K_STRING, OFF(fleet.ca_file), 0, 0, NULL },
	{ "fleet", "client_certificate", K_STRING, OFF(fleet.client_certificate), 0, 0, NULL },
	{ "fleet", "client_key", K_STRING, OFF(fleet.client_key), 0, 0, NULL },
	{ "fleet", "allow_insecure_http", K_BOOL, OFF(fleet.allow_insecure_http), 0, 0, NULL },
	{ "monitoring", "journal_upload", K_STRING, OFF(monitoring.journal_upload), 0, 0, NULL },
	{ "report", "to", K_SPECIAL, 0, 0, 0, NULL },
	{ "report", "problems", K_SPECIAL, 0, 0, 0, NULL },
	{ "report", "smtp_url", K_SPECIAL, 0, 0, 0, NULL },
	{ "report", "from", K_STRING, OFF(report.from), 0, 0, NULL },
	{ "report", "username", K_STRING, OFF(report.username), 0, 0, NULL },
	{ "report", "password_file", K_SPECIAL, 0, 0, 0, NULL },
	{ "report", "ca_file", K_STRING, OFF(report.ca_file), 0, 0, NULL },
	{ "report", "allow_insecure_smtp", K_BOOL, OFF(report.allow_insecure_smtp), 0, 0, NULL },
	{ "report", "cooldown", K_INT, OFF(report.cooldown_min), 0, 24 * 60, NULL },
	{ "report", "max_per_hour", K_INT, OFF(report.max_per_hour), 0, 60, NULL },
	{ "paths", "state_dir", K_STRING, OFF(state_dir), 0, 0, NULL },
	{ "paths", "cache", K_STRING, OFF(cache_file), 0, 0, NULL },
};

static bool
find_section(const char *section)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].section, section) == 0)
			return true;
	return false;
}

static void
apply_durations(struct parse *p, const char *value)
{
	struct booking_config *b = &p->config->booking;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", value);
	b->duration_count = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		int minutes;
		if (!parse_int(tok, 5, 480, &minutes)) {
			problem(p, p->line, "booking", "durations", "'%s' is not a number of minutes from 5 to 480",
				tok);
			return;
		}
		if (b->duration_count == CONFIG_MAX_DURATIONS) {
			problem(p, p->line, "booking", "durations", "at most %d durations", CONFIG_MAX_DURATIONS);
			return;
		}
		b->durations[b->duration_count++] = minutes;
	}
	if (b->duration_count == 0)
		problem(p, p->line, "booking", "durations", "give at least one duration, e.g. 15,30,45,60");
}

static void
clear_rooms(struct source_config *s)
{
	for (size_t i = 0; i < s->nearby_count; i++) {
		free(s->nearby_rooms[i]);
		free(s->nearby_names[i]);
		s->nearby_rooms[i] = s->nearby_names[i] = NULL;
	}
	s->nearby_count = 0;
}

static char *
trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* "annex@contoso.com, Board room <board@contoso.com>": addresses, each with an optional name
 * before it in angle brackets (as in a mail header). Names may hold spaces, not commas. */
static void
apply_rooms(struct parse *p, const char *value)
{
	struct source_config *s = &p->config->source;
	char buf[4096];
	clear_rooms(s);
	if (strlen(value) >= sizeof(buf)) {
		problem(p, p->line, "source", "nearby_rooms", "the list is longer than %zu characters",
			sizeof(buf) - 1);
		return;
	}
	snprintf(buf, sizeof(buf), "%s", value);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *item = trim(tok), *name = NULL, *addr = item, *lt = strchr(item, '<');
		if (!*item)
			continue;
		if (lt) {
			char *gt = strchr(lt, '>');
			if (!gt || trim(gt + 1)[0]) {
				problem(p, p->line, "source", "nearby_rooms",
					"'%s' is not 'Name <address>' (a '<' needs its '>' at the end)", item);
				clear_rooms(s);
				return;
			}
			*lt = *gt = '\0';
			name = trim(item);
			addr = trim(lt + 1);
		}
		if (!*addr || strpbrk(addr, " <>\"")) {
			problem(p, p->line, "source", "nearby_rooms", "'%s' is not an address", *addr ? addr : item);
			clear_rooms(s);
			return;
		}
		if (s->nearby_count == CONFIG_MAX_ROOMS) {
			problem(p, p->line, "source", "nearby_rooms", "at most %d rooms", CONFIG_MAX_ROOMS);
			return;
		}
		s->nearby_names[s->nearby_count] = name && *name ? xstrdup(name) : NULL;
		s->nearby_rooms[s->nearby_count++] = xstrdup(addr);
	}
}

/* "yes"/"no" for every line, or the colours whose lines are active-low: "red,green". */
static void
apply_active_low(struct parse *p, const char *value)
{
	struct led_config *led = &p->config->led;
	memset(led->active_low_line, 0, sizeof(led->active_low_line));
	if (parse_bool(value, &led->active_low))
		return;
	led->active_low = false;
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", value);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		int i = parse_choice(tok, "red|green|blue");
		if (i < 0) {
			problem(p, p->line, "led", "active_low", "'%s' is not yes, no, or a list of red, green, blue",
				value);
			return;
		}
		led->active_low_line[i] = true;
	}
}

/* A PIN anyone at the door may try: digits only (the pad has no letters), at least
 * CONFIG_PIN_MIN of them; empty means no admin screen. */
static void
apply_admin_pin(struct parse *p, const char *value)
{
	size_t n = strlen(value);
	if (n && (n < CONFIG_PIN_MIN || n > CONFIG_PIN_MAX || strspn(value, "0123456789") != n)) {
		problem(p, p->line, "display", "admin_pin", "must be %d to %d digits (or empty: no admin screen)",
			CONFIG_PIN_MIN, CONFIG_PIN_MAX);
		return;
	}
	set_string(&p->config->display.admin_pin, value);
}

static const char *const colour_keys[CONFIG_COLOURS] = { "accent", "free_colour", "busy_colour", "soon_colour" };

static int
colour_slot(const char *name)
{
	for (int i = 0; i < CONFIG_COLOURS; i++)
		if (strcmp(name, colour_keys[i]) == 0)
			return i;
	return -1;
}

static void
apply_colour(struct parse *p, const char *section, const char *name, const char *value)
{
	int slot = colour_slot(name);
	uint32_t colour;
	p->config->display.colours[slot] = -1;
	if (!*value)
		return;
	if (!theme_parse_colour(value, &colour)) {
		problem(p, p->line, section, name, "'%s' is not a colour like #1e6b52 (or empty: the theme's)", value);
		return;
	}
	p->config->display.colours[slot] = (int)colour;
	p->colour_line[slot] = p->line;
}

/* [report] problems: short words, each one a button and the touch target "report-<problem>". */
static void
apply_problems(struct parse *p, const char *value)
{
	struct report_config *r = &p->config->report;
	char buf[512];
	for (size_t i = 0; i < r->problem_count; i++)
		free(r->problems[i]);
	r->problem_count = 0;
	snprintf(buf, sizeof(buf), "%s", value);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		tok += strspn(tok, " \t");
		size_t n = strlen(tok);
		while (n && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
			tok[--n] = '\0';
		if (!n)
			continue;
		if (n > CONFIG_PROBLEM_MAX || strspn(tok, "abcdefghijklmnopqrstuvwxyz0123456789-_") != n) {
			problem(p, p->line, "report", "problems",
				"'%s' is not a problem name: lower-case letters, digits, '-' and '_', at most %d", tok,
				CONFIG_PROBLEM_MAX);
			return;
		}
		if (r->problem_count == CONFIG_MAX_PROBLEMS) {
			problem(p, p->line, "report", "problems", "at most %d problems", CONFIG_MAX_PROBLEMS);
			return;
		}
		r->problems[r->problem_count++] = xstrdup(tok);
	}
	if (r->problem_count == 0)
		problem(p, p->line, "report", "problems", "give at least one problem, e.g. projector, screen, other");
}

/* [report] keys whose line matters later, or whose name another section uses too. */
static bool
apply_report(struct parse *p, const char *section, const char *name, const char *value)
{
	struct report_config *r = &p->config->report;
	if (strcmp(section, "report") != 0)
		return false;
	if (strcmp(name, "to") == 0) {
		set_string(&r->to, value);
		p->report_to_line = p->line;
	} else if (strcmp(name, "smtp_url") == 0) {
		set_string(&r->smtp_url, value);
		p->report_url_line = p->line;
	} else if (strcmp(name, "password_file") == 0) {
		set_string(&r->password_file, value);
		p->report_password_line = p->line;
	} else if (strcmp(name, "problems") == 0) {
		apply_problems(p, value);
	}
	return true;
}

static void
apply_special(struct parse *p, const char *section, const char *name, const char *value)
{
	struct config *c = p->config;
	if (apply_report(p, section, name, value))
		return;
	if (strcmp(name, "timezone") == 0) {
		if (*value && !time_zone_exists(value))
			problem(p, p->line, section, name,
				"unknown time zone '%s' (use an IANA name such as Europe/Copenhagen)", value);
		else
			set_string(&c->timezone, value);
	} else if (strcmp(name, "url") == 0) {
		set_string(&c->source.url, value);
		p->url_line = p->line;
	} else if (strcmp(name, "password_file") == 0) {
		set_string(&c->source.password_file, value);
		p->password_line = p->line;
	} else if (strcmp(name, "client_secret_file") == 0) {
		set_string(&c->source.client_secret_file, value);
		p->secret_line = p->line;
	} else if (strcmp(name, "nearby_rooms") == 0) {
		apply_rooms(p, value);
	} else if (strcmp(name, "durations") == 0) {
		apply_durations(p, value);
	} else if (strcmp(name, "rotate") == 0) {
		int r;
		if (!parse_int(value, 0, 270, &r) || r % 90)
			problem(p, p->line, section, name, "'%s' is not one of 0, 90, 180, 270", value);
		else
			c->display.rotate = r;
	} else if (strcmp(name, "active_low") == 0) {
		apply_active_low(p, value);
	} else if (strcmp(name, "admin_pin") == 0) {
		apply_admin_pin(p, value);
	} else if (strcmp(name, "logo") == 0) {
		set_string(&c->display.logo, value);
		p->logo_line = p->line;
	} else if (strcmp(name, "qr_url") == 0) {
		set_string(&c->display.qr_url, value);
		p->qr_line = p->line;
	} else if (colour_slot(name) >= 0) {
		apply_colour(p, section, name, value);
	} else if (strcmp(name, "night") == 0) {
		char a[16], b[16];
		c->display.has_night = false;
		if (!*value)
			return;
		if (sscanf(value, "%15[0-9:]-%15[0-9:]", a, b) != 2 || !parse_hhmm(a, &c->display.night_from_min) ||
			!parse_hhmm(b, &c->display.night_to_min))
			problem(p, p->line, section, name, "'%s' is not a range like 19:00-07:00 (or empty)", value);
		else
			c->display.has_night = true;
	}
}

static void
apply_key(struct parse *p, const char *section, const char *name, const char *value)
{
	const struct key *k = NULL;
	if (p->local && strcmp(section, "fleet") == 0) {
		problem(p, p->line, section, name,
			"[fleet] is taken from the sign's own file only: remove it from the fetched configuration");
		return;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			k = &keys[i];
	if (!k) {
		if (!find_section(section))
			problem(p, p->line, section, name, "unknown section [%s]", section);
		else
			problem(p, p->line, section, name,
				"unknown key (see roomsign.conf.example for the keys of [%s])", section);
		return;
	}
	char *field = (char *)p->config + k->offset;
	int n;
	bool b;
	switch (k->type) {
	case K_STRING: set_string((char **)field, value); break;
	case K_INT:
		if (!parse_int(value, k->lo, k->hi, &n))
			problem(p, p->line, section, name, "'%s' is not a whole number from %d to %d", value, k->lo,
				k->hi);
		else
			*(int *)field = n;
		break;
	case K_BOOL:
		if (!parse_bool(value, &b))
			problem(p, p->line, section, name, "'%s' is not yes or no", value);
		else
			*(bool *)field = b;
		break;
	case K_CHOICE:
		n = parse_choice(value, k->choices);
		if (n < 0)
			problem(p, p->line, section, name, "'%s' is not one of %s", value, k->choices);
		else if (strcmp(name, "language") == 0)
			set_string(&p->config->language, value);
		else
			*(int *)field = n;
		break;
	case K_SPECIAL: apply_special(p, section, name, value); break;
	}
	if (strcmp(name, "type") == 0)
		p->type_line = p->line;
	else if (strcmp(name, "authority") == 0)
		p->authority_line = p->line;
	else if (strcmp(name, "graph_url") == 0)
		p->graph_url_line = p->line;
	else if (strcmp(name, "private_key_file") == 0)
		p->private_key_line = p->line;
	else if (strcmp(name, "config_url") == 0)
		p->fleet_url_line = p->line;
	else if (strcmp(name, "client_key") == 0)
		p->client_key_line = p->line;
	else if (strcmp(name, "journal_upload") == 0)
		p->journal_upload_line = p->line;
}

static char *
read_line(char *buf, int size, void *stream)
{
	struct parse *p = stream;
	char *r = fgets(buf, size, p->fp);
	if (r) {
		p->line++;
		/* inih does not report bare section lines: remember [room] for "name: missing". */
		if (!p->room_line && strncmp(buf + strspn(buf, " \t"), "[room]", 6) == 0)
			p->room_line = p->line;
	}
	return r;
}

static int
on_entry(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	if (!name) /* a bare [section] line */
		return find_section(section) ? 1
					     : (problem(p, p->line, section, NULL,
							"unknown section [%s] (known: room, source, booking, display, "
							"led, fleet, monitoring, report, paths)",
							section),
						       1);
	apply_key(p, section, name, value);
	return 1; /* keep going: report every problem at once */
}

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->path = xstrdup("(demo)");
	c->room_name = xstrdup("Demo room");
	c->language = xstrdup("en");
	c->subject = SUBJECT_SHOW;
	c->source.type = SOURCE_DEMO;
	c->source.auth = HTTP_AUTH_NONE;
	c->source.refresh_s = 60;
	c->source.safety_refresh_s = 900;
	c->source.ews_streaming = true;
	c->source.stream_timeout_min = 30;
	c->source.poll_s = 15;
	c->source.auth_retry_s = 900;
	c->source.timeout_s = 20;
	c->source.max_body = 16L << 20;
	c->source.server_version = xstrdup("Exchange2013_SP1");
	c->source.authority = xstrdup("https://login.microsoftonline.com");
	c->source.graph_url = xstrdup("https://graph.microsoft.com");
	c->booking.enabled = true;
	static const int durations[] = { 15, 30, 45, 60 };
	memcpy(c->booking.durations, durations, sizeof(durations));
	c->booking.duration_count = 4;
	c->booking.subject = xstrdup("Ad-hoc meeting");
	c->booking.extend = true;
	c->booking.end_early = END_EARLY_OWN;
	c->booking.checkin = false;
	c->booking.checkin_before_min = 5;
	c->booking.checkin_grace_min = 10;
	c->booking.soon_min = 10;
	c->booking.idle_s = 30;
	c->booking.max_extend_min = 60;
	c->booking.cooldown_s = 60;
	c->booking.refresh_cooldown_s = 30;
	for (int i = 0; i < CONFIG_COLOURS; i++)
		c->display.colours[i] = -1;
	c->led.red = c->led.green = c->led.blue = c->led.motion = -1;
	c->led.offline = LED_OFFLINE_BLINK;
	c->fleet.config_refresh_s = 300;
	const char *state = getenv("ROOMSIGN_STATE_DIR");
	c->state_dir = xstrdup(state && *state ? state : "/var/lib/roomsign");
	c->monitoring.textfile = xstrdup(CONFIG_TEXTFILE_DEFAULT);
	static const char *const problems[] = { "projector", "screen", "cleaning", "other" };
	for (size_t i = 0; i < 4; i++)
		c->report.problems[i] = xstrdup(problems[i]);
	c->report.problem_count = 4;
	c->report.cooldown_min = 30;
	c->report.max_per_hour = 6;
}

/* A secret file must be a regular file that not every user may read. */
static bool
secret_file_ok(struct parse *p, FILE *fp, const char *path, int line, const char *section, const char *key)
{
	struct stat st;
	if (fstat(fileno(fp), &st) == 0 && !S_ISREG(st.st_mode)) {
		problem(p, line, section, key, "%s is not a regular file: put the secret in a file there", path);
		return false;
	}
	if (fstat(fileno(fp), &st) == 0 && (st.st_mode & 0007)) {
		problem(p, line, section, key, "%s is readable by every user (mode %03o): run chmod 600 %s", path,
			(unsigned)(st.st_mode & 0777), path);
		return false;
	}
	return true;
}

/* The private key is read later (by OpenSSL, in oauth.c): here only its file is checked. */
static void
check_key_file(struct parse *p, const char *path, int line, const char *section, const char *key)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		problem(p, line, section, key, "cannot read %s: %s", path, strerror(errno));
		return;
	}
	secret_file_ok(p, fp, path, line, section, key);
	fclose(fp);
}

/* Reads a secret file: the value is its first line. Refuses files others may read. */
static char *
read_secret_in(struct parse *p, const char *path, int line, const char *section, const char *key)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		problem(p, line, section, key, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	if (!secret_file_ok(p, fp, path, line, section, key)) {
		fclose(fp);
		return NULL;
	}
	char buf[SECRET_MAX];
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!buf[0]) {
		problem(p, line, section, key, "%s is empty", path);
		return NULL;
	}
	char *secret = xstrdup(buf);
	memset(buf, 0, sizeof(buf));
	return secret;
}

static char *
read_secret(struct parse *p, const char *path, int line, const char *key)
{
	return read_secret_in(p, path, line, "source", key);
}

static bool
is_http_url(const char *url)
{
	return url && (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) &&
	       url[strcspn(url, ":") + 3] != '\0' && url[strcspn(url, ":") + 3] != '/' && !strpbrk(url, " \t\r\n");
}

static void
require(struct parse *p, const char *value, const char *key, const char *why)
{
	if (!value || !*value)
		problem(p, p->type_line, "source", key, "missing: %s", why);
}

static bool
is_plain_http(const char *url)
{
	return url && strncasecmp(url, "http://", 7) == 0;
}

/* Does this source send a password, token or client secret with its requests? */
static bool
sends_credentials(const struct source_config *s)
{
	if (s->type == SOURCE_GRAPH)
		return true; /* client secret or signed assertion, then a bearer token */
	if (s->type == SOURCE_EWS)
		return true; /* basic, ntlm, negotiate or bearer: EWS always signs in */
	return (s->type == SOURCE_CALDAV || s->type == SOURCE_ICS) && (s->username || s->password_file);
}

/* Credentials never travel over plain http:// unless the administrator says so. */
static void
refuse_plain_http(struct parse *p, const struct source_config *s)
{
	if (s->allow_insecure_http || !sends_credentials(s))
		return;
	static const char why[] =
		"'%s' is plain http://: the sign would send the %s unencrypted; use https://, or set [source] "
		"allow_insecure_http = yes for a test lab";
	if (s->type != SOURCE_GRAPH && is_plain_http(s->url))
		problem(p, p->url_line, "source", "url", why, s->url, "account's credentials");
	if (s->type == SOURCE_GRAPH && is_plain_http(s->authority))
		problem(p, p->authority_line, "source", "authority", why, s->authority, "client secret");
	if (s->type == SOURCE_GRAPH && is_plain_http(s->graph_url))
		problem(p, p->graph_url_line, "source", "graph_url", why, s->graph_url, "access token");
}

static void
validate_source(struct parse *p)
{
	struct source_config *s = &p->config->source;
	const char *type = source_type_name(s->type);
	if (s->type != SOURCE_DEMO && s->type != SOURCE_GRAPH) {
		require(p, s->url, "url", s->type == SOURCE_ICS ? "the calendar's path or URL" : "the server's URL");
		if (s->url && s->type != SOURCE_ICS && !is_http_url(s->url))
			problem(p, p->url_line, "source", "url", "'%s' is not an http:// or https:// URL", s->url);
		if (s->url && s->type == SOURCE_ICS && strstr(s->url, "://") && !is_http_url(s->url) &&
			strncmp(s->url, "file://", 7) != 0)
			problem(p, p->url_line, "source", "url", "'%s' is not a path, file:// or http(s):// URL",
				s->url);
	}
	if (s->type == SOURCE_EWS || s->type == SOURCE_GRAPH)
		require(p, s->mailbox, "mailbox", "the room's primary SMTP address");
	if (s->type == SOURCE_EWS && s->auth == HTTP_AUTH_NONE)
		s->auth = HTTP_AUTH_NTLM;
	if ((s->type == SOURCE_EWS && s->auth != HTTP_AUTH_BEARER && s->auth != HTTP_AUTH_NEGOTIATE) ||
		s->type == SOURCE_CALDAV)
		require(p, s->username, "username", "the service account's user name");
	if (s->type == SOURCE_GRAPH) {
		require(p, s->tenant, "tenant", "the tenant id or domain");
		require(p, s->client_id, "client_id", "the app registration's application (client) id");
		if (!s->client_secret_file && !(s->certificate_file && s->private_key_file))
			problem(p, p->type_line, "source", "client_secret_file",
				"missing: a client secret file, or certificate_file and private_key_file");
		if (s->authority && !is_http_url(s->authority))
			problem(p, p->authority_line, "source", "authority", "'%s' is not an https:// URL",
				s->authority);
		if (s->graph_url && !is_http_url(s->graph_url))
			problem(p, p->graph_url_line, "source", "graph_url", "'%s' is not an https:// URL",
				s->graph_url);
	}
	if (s->password_file)
		s->password = read_secret(p, s->password_file, p->password_line, "password_file");
	else if ((s->type == SOURCE_EWS && s->auth != HTTP_AUTH_NEGOTIATE) || s->type == SOURCE_CALDAV)
		problem(p, p->type_line, "source", "password_file",
			"missing: the %s source needs the account's password in a file", type);
	if (s->client_secret_file)
		s->client_secret = read_secret(p, s->client_secret_file, p->secret_line, "client_secret_file");
	if (s->type == SOURCE_GRAPH && s->private_key_file)
		check_key_file(p, s->private_key_file, p->private_key_line, "source", "private_key_file");
	refuse_plain_http(p, s);
}

/* The logo must be a readable PNG, and each colour override must keep its text readable in the
 * chosen theme: both refused here, with the reason, rather than drawn wrong on the door. */
static void
validate_display(struct parse *p)
{
	struct display_config *d = &p->config->display;
	struct theme theme;
	char why[256];
	theme_init(&theme, d->theme ? THEME_NAME_HIGH_CONTRAST : THEME_NAME_DEFAULT);
	for (int i = 0; i < CONFIG_COLOURS; i++) {
		if (d->colours[i] >= 0 &&
			!theme_set(&theme, (enum theme_slot)i, (uint32_t)d->colours[i], why, sizeof(why))) {
			problem(p, p->colour_line[i], "display", colour_keys[i], "%s", why);
			d->colours[i] = -1;
		}
	}
	if (!d->logo)
		return;
	unsigned char magic[8] = { 0 };
	int errors = p->errors;
	FILE *fp = fopen(d->logo, "rb");
	size_t n = fp ? fread(magic, 1, sizeof(magic), fp) : 0;
	if (!fp)
		problem(p, p->logo_line, "display", "logo", "cannot open %s: %s", d->logo, strerror(errno));
	else if (n != sizeof(magic) || memcmp(magic, "\x89PNG\r\n\x1a\n", 8) != 0)
		problem(p, p->logo_line, "display", "logo", "%s is not a PNG file", d->logo);
	if (fp)
		fclose(fp);
	if (p->errors != errors) {
		free(d->logo);
		d->logo = NULL;
	}
}

/* A bare address (no name, no <>): it goes into an SMTP envelope, a mail header and XML/JSON. */
static bool
is_mail_address(const char *s)
{
	const char *at = strchr(s, '@');
	return at && at != s && at[1] && !strchr(at + 1, '@') && strlen(s) <= 254 &&
	       !strpbrk(s, " \t\r\n<>\"(),;:\\[]");
}

static bool
is_smtp_url(const char *url)
{
	size_t n = strncmp(url, "smtp://", 7) == 0 ? 7 : strncmp(url, "smtps://", 8) == 0 ? 8 : 0;
	return n && url[n] && url[n] != '/' && url[n] != ':' && !strpbrk(url, " \t\r\n");
}

/* [report]: an address to send to, and a way to send: SMTP, or the room's own mailbox through
 * EWS or Graph. Nothing is checked without `to` (the action is off). */
static void
validate_report(struct parse *p)
{
	struct report_config *r = &p->config->report;
	if (!r->to)
		return;
	if (!is_mail_address(r->to))
		problem(p, p->report_to_line, "report", "to", "'%s' is not a mail address like facilities@example.com",
			r->to);
	if (r->from && !is_mail_address(r->from))
		problem(p, 0, "report", "from", "'%s' is not a mail address like roomsign@example.com", r->from);
	if (r->password_file)
		r->password = read_secret_in(p, r->password_file, p->report_password_line, "report", "password_file");
	if (r->username && !r->password_file)
		problem(p, 0, "report", "password_file", "missing: SMTP username %s needs its password in a file",
			r->username);
	enum source_type type = p->config->source.type;
	if (!r->smtp_url) {
		if (type != SOURCE_EWS && type != SOURCE_GRAPH)
			problem(p, p->report_to_line, "report", "smtp_url",
				"missing: a %s calendar cannot send mail; set smtp_url = smtp://host:587 (or remove "
				"to)",
				source_type_name(type));
		return;
	}
	if (!is_smtp_url(r->smtp_url))
		problem(p, p->report_url_line, "report", "smtp_url",
			"'%s' is not an smtp:// or smtps:// URL like smtp://mail.example.com:587", r->smtp_url);
	if (!r->from)
		problem(p, p->report_url_line, "report", "from", "missing: the sender address for SMTP");
}

/* The QR code is made here, once: a template that cannot be expanded, or a URL whose code would
 * be too large to read from 1 m, is refused now rather than missing or wrong on the door. */
static void
validate_qr(struct parse *p)
{
	struct display_config *d = &p->config->display;
	char why[300];
	if (!d->qr_url)
		return;
	char *text = qr_expand_url(d->qr_url, p->config->source.mailbox, p->config->room_name, why, sizeof(why));
	struct qr qr;
	if (!text) {
		problem(p, p->qr_line, "display", "qr_url", "%s", why);
	} else if (!qr_encode(text, &qr)) {
		problem(p, p->qr_line, "display", "qr_url",
			"expands to %zu characters, more than a QR code a phone reads from 1 m holds (version %d: "
			"about 210); use a shorter link, e.g. a redirect",
			strlen(text), QR_MAX_VERSION);
	} else {
		d->qr_text = text;
		d->qr_modules = qr.width;
		qr_finish(&qr);
		return;
	}
	free(text);
}

/* [fleet] and [monitoring]: URLs, and the client key kept like a secret. */
static void
validate_fleet(struct parse *p)
{
	const struct fleet_config *f = &p->config->fleet;
	const char *url = p->config->monitoring.journal_upload;
	if (url && !is_http_url(url))
		problem(p, p->journal_upload_line, "monitoring", "journal_upload",
			"'%s' is not an https:// URL of a systemd-journal-remote (e.g. https://logs.example.com:19532)",
			url);
	if (!f->config_url)
		return;
	if (!is_http_url(f->config_url))
		problem(p, p->fleet_url_line, "fleet", "config_url", "'%s' is not an https:// URL", f->config_url);
	else if (is_plain_http(f->config_url) && !f->allow_insecure_http)
		problem(p, p->fleet_url_line, "fleet", "config_url",
			"'%s' is plain http://: anyone on the network could change the sign's configuration; use "
			"https://, or set [fleet] allow_insecure_http = yes for a test lab",
			f->config_url);
	if (f->client_key)
		check_key_file(p, f->client_key, p->client_key_line, "fleet", "client_key");
	if (f->client_key && !f->client_certificate)
		problem(p, p->client_key_line, "fleet", "client_key", "needs [fleet] client_certificate as well");
}

/* Copies what a fetched configuration takes from the sign's own file. */
static void
take_local(struct config *config, const struct config *local)
{
	struct fleet_config *f = &config->fleet;
	const struct fleet_config *l = &local->fleet;
	config->fleet = *l;
	f->config_url = l->config_url ? xstrdup(l->config_url) : NULL;
	f->ca_file = l->ca_file ? xstrdup(l->ca_file) : NULL;
	f->client_certificate = l->client_certificate ? xstrdup(l->client_certificate) : NULL;
	f->client_key = l->client_key ? xstrdup(l->client_key) : NULL;
	set_string(&config->state_dir, local->state_dir ? local->state_dir : "");
}

static bool
load_file(struct config *config, const struct config *local, const char *path, const char *label, char *err,
	size_t err_size)
{
	struct parse p = { .config = config, .file = label, .err = err, .err_size = err_size, .local = local };
	if (err && err_size)
		err[0] = '\0';
	config_defaults(config);
	set_string(&config->path, label);
	config->room_name[0] = '\0';
	p.fp = fopen(path, "r");
	if (!p.fp) {
		problem(&p, 0, NULL, NULL, "cannot open: %s", strerror(errno));
		return false;
	}
	int rc = ini_parse_stream(read_line, &p, on_entry, &p);
	fclose(p.fp);
	if (rc > 0)
		problem(&p, rc, NULL, NULL, "this line is not 'key = value' nor a [section]");
	if (local)
		take_local(config, local);
	validate_fleet(&p);
	/* With a config_url the rest of the local file is not used: the fetched file supplies it. */
	bool complete = local || !config->fleet.config_url;
	if (complete && (!config->room_name || !*config->room_name))
		problem(&p, p.room_line, "room", "name", "missing: the room's name, shown at the top of the screen");
	if (complete)
		validate_source(&p);
	if (complete)
		validate_qr(&p);
	validate_display(&p);
	if (complete)
		validate_report(&p);
	free(config->source.timezone);
	config->source.timezone = xstrdup(config->timezone);
	free(config->source.state_dir);
	config->source.state_dir = xstrdup(config->state_dir);
	if (!config->cache_file)
		config->cache_file = xasprintf("%s/schedule.cache", config->state_dir);
	return p.errors == 0;
}

bool
config_load(struct config *config, const char *path, char *err, size_t err_size)
{
	return load_file(config, NULL, path, path, err, err_size);
}

bool
config_load_fetched(struct config *config, const struct config *local, const char *path, const char *label, char *err,
	size_t err_size)
{
	return load_file(config, local, path, label, err, err_size);
}

static void
wipe(char *secret)
{
	if (secret) {
		volatile char *v = secret;
		while (*v)
			*v++ = '\0';
		free(secret);
	}
}

void
config_finish(struct config *c)
{
	if (!c)
		return;
	char **strings[] = {
		&c->path,
		&c->room_name,
		&c->timezone,
		&c->language,
		&c->source.url,
		&c->source.mailbox,
		&c->source.username,
		&c->source.password_file,
		&c->source.ca_file,
		&c->source.server_version,
		&c->source.tenant,
		&c->source.client_id,
		&c->source.client_secret_file,
		&c->source.certificate_file,
		&c->source.private_key_file,
		&c->source.authority,
		&c->source.graph_url,
		&c->source.timezone,
		&c->source.state_dir,
		&c->booking.subject,
		&c->display.admin_pin,
		&c->display.font,
		&c->display.font_bold,
		&c->display.backlight,
		&c->display.logo,
		&c->display.qr_url,
		&c->display.qr_text,
		&c->led.chip,
		&c->monitoring.textfile,
		&c->monitoring.listen,
		&c->monitoring.web_config,
		&c->cache_file,
		&c->state_dir,
		&c->fleet.config_url,
		&c->fleet.ca_file,
		&c->fleet.client_certificate,
		&c->fleet.client_key,
		&c->monitoring.journal_upload,
		&c->report.to,
		&c->report.smtp_url,
		&c->report.from,
		&c->report.username,
		&c->report.password_file,
		&c->report.ca_file,
	};
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		free(*strings[i]);
	wipe(c->source.password);
	wipe(c->source.client_secret);
	wipe(c->report.password);
	for (size_t i = 0; i < c->report.problem_count; i++)
		free(c->report.problems[i]);
	clear_rooms(&c->source);
	memset(c, 0, sizeof(*c));
}

const char *
source_type_name(enum source_type type)
{
	static const char *const names[] = { "demo", "ics", "ews", "graph", "caldav" };
	return (unsigned)type < 5 ? names[type] : "unknown";
}

bool
config_key_at(size_t i, const char **section, const char **name)
{
	if (i >= sizeof(keys) / sizeof(keys[0]))
		return false;
	*section = keys[i].section;
	*name = keys[i].name;
	return true;
}
