/* config.h — /etc/roomsign/roomsign.conf as a struct. Keys are the user-facing contract in DESIGN.md. */
#pragma once
#include "net/http.h" /* enum http_auth */
#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MAX_DURATIONS 8
#define CONFIG_MAX_ROOMS     16

enum subject_policy { SUBJECT_SHOW, SUBJECT_ORGANIZER, SUBJECT_HIDE };
enum end_early_policy { END_EARLY_NO, END_EARLY_OWN, END_EARLY_ALL };
enum led_offline { LED_OFFLINE_OFF, LED_OFFLINE_KEEP, LED_OFFLINE_BLINK };
enum source_type { SOURCE_DEMO, SOURCE_ICS, SOURCE_EWS, SOURCE_GRAPH, SOURCE_CALDAV };

struct source_config {
	enum source_type type;
	char *url;     /* ics: path, file:// or http(s)://; ews/caldav: endpoint */
	char *mailbox; /* the room's primary SMTP address (ews, graph) */
	char *username;
	char *password; /* read from password_file; never logged */
	char *password_file;
	enum http_auth auth;
	char *ca_file;
	int refresh_s;
	int safety_refresh_s; /* [source] safety_refresh: full re-read when changes arrive by push or cheap poll (default 900) */
	int poll_s;           /* [source] poll: cheap change poll (Graph delta, CalDAV sync) (default 15) */
	int auth_retry_s;         /* after a refused sign-in: wait this long (>= 900: AD lockouts) */
	bool allow_insecure_http; /* credentials over http:// (a test lab only) */
	char *server_version;     /* ews RequestServerVersion, default Exchange2013_SP1 */
	bool ews_streaming;       /* [source] streaming: ews push notifications (default yes) */
	int stream_timeout_min;   /* [source] stream_timeout: GetStreamingEvents ConnectionTimeout, 1-30 */
	char *tenant, *client_id;
	char *client_secret; /* read from client_secret_file */
	char *client_secret_file;
	char *certificate_file, *private_key_file;
	char *authority, *graph_url;
	/* [source] nearby_rooms: "annex@contoso.com" or "Annex <annex@contoso.com>", comma-separated:
	 * the address (a CalDAV calendar's URL for caldav) and the name given, or NULL. */
	char *nearby_rooms[CONFIG_MAX_ROOMS];
	char *nearby_names[CONFIG_MAX_ROOMS];
	size_t nearby_count;
	int timeout_s;   /* per request, default 20 */
	long max_body;   /* bytes, default 16 MiB */
	char *timezone;  /* copy of room.timezone, for backends that need it */
	char *state_dir; /* copy of paths.state_dir (token caches, etc.) */
};

struct booking_config {
	bool enabled;
	int durations[CONFIG_MAX_DURATIONS]; /* minutes */
	size_t duration_count;
	char *subject;
	bool extend;
	enum end_early_policy end_early;
	bool checkin;
	int checkin_before_min, checkin_grace_min;
	int soon_min;
	int idle_s;             /* screens return home after this */
	int max_extend_min;     /* total minutes one meeting may be extended from the sign; 0: no limit */
	int cooldown_s;         /* between book / extend / end now from the sign */
	int refresh_cooldown_s; /* between manual refreshes and find-room lookups */
};

/* [display] renderer. auto: SDL's software renderer where the video driver takes a software
 * framebuffer (X11, Wayland), OpenGL ES on KMSDRM, whose SDL backend has no framebuffer of its
 * own (see choose_renderer() in sign.c). */
enum renderer_choice { RENDERER_AUTO, RENDERER_SOFTWARE, RENDERER_ACCELERATED };

#define CONFIG_PIN_MIN 6 /* [display] admin_pin digits */
#define CONFIG_PIN_MAX 12
#define CONFIG_COLOURS 4 /* [display] accent, free_colour, busy_colour, soon_colour */

struct display_config {
	int rotate; /* 0, 90, 180, 270 */
	bool has_night;
	int night_from_min, night_to_min; /* minutes after local midnight */
	char *admin_pin;
	char *font; /* a TTF path; default: DejaVu Sans from fonts-dejavu-core */
	char *font_bold;
	int dpi; /* 0: ask SDL */
	enum renderer_choice renderer;
	char *backlight; /* sysfs directory; empty: the first one found */
	int theme;       /* enum theme_name: 0 default, 1 high-contrast */
	int text_size;   /* 0 normal, 1 large: every text at least 1.4x */
	char *logo;      /* a PNG shown in the header; NULL: none */
	/* accent, free_colour, busy_colour, soon_colour (enum theme_slot order): 0xRRGGBB, -1 unset.
	 * config_load refuses a colour whose text would miss the theme's contrast minimum. */
	int colours[CONFIG_COLOURS];
	char *qr_url;   /* [display] qr_url as written, with {mailbox} and {room}; NULL: no QR code */
	char *qr_text;  /* what the QR code says: qr_url expanded by config_load; NULL: none */
	int qr_modules; /* its symbol's side in modules, without the quiet zone (config_load) */
};

struct led_config {
	char *chip;              /* name, path or label; NULL: no LED */
	int red, green, blue;    /* line offsets, -1 when unused */
	bool active_low;         /* every line (yes) … */
	bool active_low_line[3]; /* … or some: red, green, blue (active_low = red,green) */
	enum led_offline offline;
	int motion;             /* PIR input line, -1 when unused */
	int motion_release_min; /* no motion this long after start releases; 0: never */
};

/* [fleet]: configuration fetched from one place. Always taken from the local file. */
struct fleet_config {
	char *config_url; /* with {hostname} {mac} {serial}; NULL: off */
	int config_refresh_s;
	char *ca_file;
	char *client_certificate, *client_key; /* mutual TLS to the config server */
	bool allow_insecure_http;              /* http:// config_url (a test lab only) */
};

#define CONFIG_TEXTFILE_DEFAULT "/var/lib/prometheus/node-exporter/roomsign.prom"

/* [monitoring]: Prometheus metrics through node_exporter's textfile collector, and central logs. */
struct monitoring_config {
	char *textfile;       /* the .prom file the sign rewrites; NULL: off */
	char *listen;         /* node_exporter's --web.listen-address; NULL: node_exporter off */
	char *web_config;     /* node_exporter's --web.config.file (TLS, basic auth); NULL: none */
	char *journal_upload; /* systemd-journal-remote URL; applied by roomsign-journal-upload */
};

#define CONFIG_MAX_PROBLEMS 6  /* [report] problems */
#define CONFIG_PROBLEM_MAX  20 /* characters: "report-<problem>" is a touch target id */

/* [report]: "Report a problem" sends a message to facilities. Without `to` the action is not shown.
 * Sent through smtp_url when set, else as the room through the calendar (EWS, Graph). */
struct report_config {
	char *to; /* NULL: no report action */
	char *problems[CONFIG_MAX_PROBLEMS];
	size_t problem_count;
	char *smtp_url; /* smtp:// (STARTTLS required) or smtps://; NULL: the calendar sends */
	char *from;     /* the SMTP envelope and From: sender (smtp_url only) */
	char *username; /* SMTP AUTH; NULL: none */
	char *password; /* read from password_file; never logged */
	char *password_file;
	char *ca_file;            /* the SMTP server's CA (PEM); NULL: [source] ca_file, else the system's */
	bool allow_insecure_smtp; /* smtp:// without STARTTLS (a test lab only) */
	int cooldown_min;         /* one report per problem per this many minutes; 0: none */
	int max_per_hour;         /* reports of any problem from this sign per hour; 0: no limit */
};

struct config {
	char *path; /* the file it came from, or "(demo)" */
	char *room_name;
	char *timezone; /* IANA name */
	char *language; /* en | da | de */
	enum subject_policy subject;
	struct source_config source;
	struct booking_config booking;
	struct display_config display;
	struct led_config led;
	struct fleet_config fleet;
	struct monitoring_config monitoring;
	struct report_config report;
	char *cache_file; /* last good schedule */
	char *state_dir;
};

/* Fills config with every default (a demo room). */
void config_defaults(struct config *config);
/* Loads path over the defaults and reads secret files. On failure prints one line per problem,
 * naming file, line and key, into err (may be NULL: stderr) and returns false. */
bool config_load(struct config *config, const char *path, char *err, size_t err_size);
void config_finish(struct config *config); /* accepts a zeroed struct */
/* Loads a configuration fetched from [fleet] config_url (label names it in problems) the way
 * config_load does, except that its [fleet] section must be absent: local's [fleet] (and state
 * directory) stay in force. */
bool config_load_fetched(struct config *config, const struct config *local, const char *path, const char *label,
	char *err, size_t err_size);
const char *source_type_name(enum source_type type);
/* The i-th known [section] key, for documentation checks; false past the end. */
bool config_key_at(size_t i, const char **section, const char **name);
