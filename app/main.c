/* roomsign — the sign beside a meeting-room door. main: options, commands and wiring. */
#define LOG_MODULE "main"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <SDL.h>
#include "calendar/calendar_processing.h"
#include "calendar/source.h"
#include "config.h"
#include "report.h"
#include "core/booking.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "fleet.h"
#include "journal.h"
#include "core/log.h"
#include "monitor.h"
#include "net/http.h"
#include "sign.h"
#include "ui/i18n.h"

#define DEFAULT_CONFIG "/etc/roomsign/roomsign.conf"
#define EXIT_USAGE     2
#define EXIT_TAKEN     3

struct options {
	const char *config_path;
	bool demo;
	const char *hit_areas;
	const char *now;
	const char *size;
	const char *tz;
	const char *from, *to;
	int minutes;
	bool book_test;
	bool verbose;
	const struct command *command; /* NULL: run the display */
	const char *arg;               /* screenshot's output file */
};

/* A command of the command line: what it needs and what runs it. */
enum command_flag {
	CMD_DISPLAY = 1,      /* renders with SDL (offscreen), the clock frozen at --now */
	CMD_FILE_ARG = 2,     /* takes an output file after its name */
	CMD_NEEDS_MINUTES = 4 /* needs --minutes N */
};

struct command {
	const char *name;
	int (*run)(struct config *, const struct options *, struct sign_options *);
	unsigned flags;
};

static const struct command *command_named(const char *name);

static const char usage_text[] =
	"Usage: roomsign [OPTIONS] [COMMAND]\n"
	"\n"
	"The sign beside a meeting-room door: shows whether the room is free, what is on today,\n"
	"and books it by touch.\n"
	"\n"
	"Commands:\n"
	"  (none)                  run the display\n"
	"  check [--book-test]     test config, network, credentials and permissions; print what to fix\n"
	"  agenda [--from DATE] [--to DATE] [--tz ZONE]\n"
	"                          print the room's events as TSV (start, end, all-day, show-as, subject)\n"
	"  book --minutes N        book the room now for N minutes (exit 0 only when the server confirmed)\n"
	"  screenshot FILE.png [--now TIME] [--size WxH]\n"
	"                          render one frame offscreen to a PNG\n"
	"  exporter-args           print node_exporter's arguments from [monitoring], one a line\n"
	"                          (nothing when listen is empty or there is no configuration yet)\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE       configuration file (default $ROOMSIGN_CONFIG or " DEFAULT_CONFIG ")\n"
	"      --demo              use the built-in demo calendar\n"
	"      --now TIME          start the clock at TIME: 2026-12-01T10:15 (room's zone) or …Z (UTC)\n"
	"      --size WxH          window or screenshot size (default: full screen; screenshot 800x480)\n"
	"      --hit-areas FILE    write the frame's touch targets to FILE as JSON after every frame\n"
	"      --from DATE, --to DATE   agenda: local days [from, to), YYYY-MM-DD (default: today)\n"
	"      --tz ZONE           agenda: use this IANA zone instead of the room's\n"
	"      --minutes N         book: length in minutes\n"
	"      --book-test         check: also create and delete a 1-minute test booking\n"
	"  -v, --verbose           more log output\n"
	"  -h, --help              show this help and exit\n"
	"  -V, --version           show the version and exit\n"
	"\n"
	"Exit status: 0 success, 1 failure, 2 usage error, 3 book: the room is taken.\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("roomsign: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs(" (try 'roomsign --help')\n", stderr);
	va_end(ap);
	return EXIT_USAGE;
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_DEMO = 256, OPT_HITS, OPT_NOW, OPT_SIZE, OPT_TZ, OPT_FROM, OPT_TO, OPT_MINUTES, OPT_BOOK_TEST };
	static const struct option long_options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "demo", no_argument, NULL, OPT_DEMO },
		{ "hit-areas", required_argument, NULL, OPT_HITS },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "tz", required_argument, NULL, OPT_TZ },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "minutes", required_argument, NULL, OPT_MINUTES },
		{ "book-test", no_argument, NULL, OPT_BOOK_TEST },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:vhV", long_options, NULL)) != -1) {
		switch (c) {
		case 'c': o->config_path = optarg; break;
		case OPT_DEMO: o->demo = true; break;
		case OPT_HITS: o->hit_areas = optarg; break;
		case OPT_NOW: o->now = optarg; break;
		case OPT_SIZE: o->size = optarg; break;
		case OPT_TZ: o->tz = optarg; break;
		case OPT_FROM: o->from = optarg; break;
		case OPT_TO: o->to = optarg; break;
		case OPT_MINUTES:
			errno = 0;
			o->minutes = (int)strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || o->minutes < 5 || o->minutes > 480)
				return usage_error("--minutes takes a number from 5 to 480, not '%s'", optarg);
			break;
		case OPT_BOOK_TEST: o->book_test = true; break;
		case 'v': o->verbose = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'V': printf("roomsign %s\n", ROOMSIGN_VERSION); return 0;
		case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		const char *name = argv[optind++];
		if (!(o->command = command_named(name)))
			return usage_error("unknown command '%s'", name);
	}
	unsigned flags = o->command ? o->command->flags : 0;
	if ((flags & CMD_FILE_ARG) && optind < argc)
		o->arg = argv[optind++];
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if ((flags & CMD_FILE_ARG) && !o->arg)
		return usage_error("%s needs an output file: roomsign %s FILE.png", o->command->name, o->command->name);
	if ((flags & CMD_NEEDS_MINUTES) && !o->minutes)
		return usage_error("%s needs --minutes N", o->command->name);
	return -1; /* go on */
}

static bool
parse_size(const char *s, int *w, int *h)
{
	int n = 0;
	return sscanf(s, "%dx%d%n", w, h, &n) == 2 && n == (int)strlen(s) && *w >= 160 && *h >= 120 && *w <= 8192 &&
	       *h <= 8192;
}

static void
print_escaped(const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '\\': fputs("\\\\", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		default: putchar(*s);
		}
	}
}

static int
cmd_agenda(const struct config *config, const struct options *o)
{
	rs_time from, to;
	if (o->from && !time_parse_date(o->from, &from))
		return usage_error("--from takes a date YYYY-MM-DD, not '%s'", o->from);
	if (!o->from)
		from = time_day_start(time_now());
	if (o->to && !time_parse_date(o->to, &to))
		return usage_error("--to takes a date YYYY-MM-DD, not '%s'", o->to);
	if (!o->to)
		to = time_day_end(from);
	if (to <= from)
		return usage_error("--to must be after --from (%s)", o->to ? o->to : "");
	struct source_error err = { 0 };
	struct schedule *schedule = NULL;
	struct source *source = source_create(&config->source, &err);
	if (!source || !source_fetch(source, from, to, &schedule, &err)) {
		fprintf(stderr, "roomsign: %s\n", err.message);
		source_destroy(source);
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < schedule->count; i++) {
		const struct event *e = &schedule->events[i];
		char a[32], b[32];
		if (e->start >= to || (e->end <= from && !(e->end == e->start && e->start >= from)))
			continue;
		time_format_utc(e->start, a, sizeof(a));
		time_format_utc(e->end, b, sizeof(b));
		printf("%s\t%s\t%d\t%s\t", a, b, e->all_day ? 1 : 0, show_as_name(e->show_as));
		print_escaped(e->is_private ? _("Private meeting") : e->subject); /* what the screen says */
		putchar('\n');
	}
	schedule_destroy(schedule);
	source_destroy(source);
	return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int
cmd_book(const struct config *config, const struct options *o)
{
	struct source_error err = { 0 };
	struct event created = { 0 };
	if (!config->booking.enabled) {
		fputs("roomsign: booking is switched off in the configuration ([booking] enabled = no)\n", stderr);
		return EXIT_FAILURE;
	}
	struct source *source = source_create(&config->source, &err);
	if (!source) {
		fprintf(stderr, "roomsign: %s\n", err.message);
		return EXIT_FAILURE;
	}
	rs_time now = time_now(), start = booking_start(now), end = booking_end(now, o->minutes);
	bool ok = source_book_checked(source, start, end, config->booking.subject, &created, &err);
	char a[8], b[8];
	time_format_hm(start, a, sizeof(a));
	time_format_hm(end, b, sizeof(b));
	if (ok)
		printf("Booked %s %s–%s\n", config->room_name, a, b);
	else
		fprintf(stderr, "roomsign: not booked: %s\n", err.message);
	event_finish(&created);
	source_destroy(source);
	if (ok)
		return EXIT_SUCCESS;
	return err.category == SOURCE_ERR_CONFLICT ? EXIT_TAKEN : EXIT_FAILURE;
}

struct check_ctx {
	int failures;
};

static void
report_step(void *ctx, bool ok, const char *step, const char *detail)
{
	struct check_ctx *c = ctx;
	if (ok) {
		printf("✓ %s%s%s\n", step, detail && *detail ? " — " : "", detail ? detail : "");
	} else {
		c->failures++;
		printf("✗ %s\n", step);
		if (detail && *detail) {
			/* indent every line of the fix */
			fputs("    ", stdout);
			for (const char *p = detail; *p; p++) {
				putchar(*p);
				if (*p == '\n' && p[1])
					fputs("    ", stdout);
			}
			putchar('\n');
		}
	}
	fflush(stdout);
}

static int
cmd_check(const struct config *config, const struct options *o)
{
	struct check_ctx ctx = { 0 };
	struct source_error err = { 0 };
	char detail[512];
	snprintf(detail, sizeof(detail), "%s, %s source, room \"%s\"", config->path,
		source_type_name(config->source.type), config->room_name);
	report_step(&ctx, true, "configuration", detail);
	struct source *source = source_create(&config->source, &err);
	if (!source) {
		report_step(&ctx, false, "calendar source", err.message);
		return EXIT_FAILURE;
	}
	/* Judging subjects needs a calendar that can be read and a room that shows them. */
	if (source_check(source, o->book_test, report_step, &ctx) && config->subject == SUBJECT_SHOW)
		calendar_processing_check(source, report_step, &ctx);
	report_check(source, config, report_step, &ctx);
	source_destroy(source);
	if (ctx.failures)
		printf("%d problem%s found.\n", ctx.failures, ctx.failures == 1 ? "" : "s");
	else
		puts("All checks passed.");
	return ctx.failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

static char *
setup_text(const char *path, const char *errors)
{
	char *text = NULL;
	if (errors)
		text = xasprintf("The configuration %s has problems:\n%s", path, errors);
	else
		text = xasprintf("No configuration found at %s. Copy roomsign.conf.example "
				 "(in /usr/share/doc/roomsign) there, or put roomsign.conf on the SD card's "
				 "boot partition, and set the room's calendar. To try the sign without a "
				 "calendar, run: roomsign --demo",
			path);
	return text;
}

/* The configuration file the options name: --config, ROOMSIGN_CONFIG or the default. */
static const char *
config_file(const struct options *o)
{
	const char *env = getenv("ROOMSIGN_CONFIG");
	return o->config_path ? o->config_path : env && *env ? env : DEFAULT_CONFIG;
}

/* [fleet] config_url: the fetched file's last good copy, or (none yet) a fetch now. For the
 * display, no configuration yet is not fatal: the setup screen says what is awaited. */
static bool
load_fleet(const struct config *local, struct config *config, bool for_display, char **setup_out)
{
	char errors[4096], why[4096];
	if (fleet_load_cached(local, config, errors, sizeof(errors))) {
		log_info("configuration from %s (last good copy of %s)", config->path, local->fleet.config_url);
		return true;
	}
	config_finish(config);
	enum fleet_result r = fleet_fetch(local, why, sizeof(why));
	if ((r == FLEET_CHANGED || r == FLEET_UNCHANGED) && fleet_load_cached(local, config, errors, sizeof(errors)))
		return true;
	config_finish(config);
	const char *detail = r == FLEET_CHANGED || r == FLEET_UNCHANGED ? errors : why;
	fprintf(stderr, "roomsign: no configuration from %s yet:\n%s\n", local->fleet.config_url, detail);
	if (!for_display)
		return false;
	config_defaults(config);
	*setup_out = xasprintf("Waiting for the configuration from %s (%s, [fleet] config_url):\n%s",
		local->fleet.config_url, local->path, detail);
	return true;
}

/* Loads the configuration the options name. For the display, a missing or broken config is not
 * fatal: it becomes the setup screen's text (*setup_out). With [fleet] config_url the local file
 * moves to *local and the fetched one is loaded into config. */
static bool
load_config(const struct options *o, struct config *local, struct config *config, bool for_display, char **setup_out)
{
	char errors[4096];
	struct stat st;
	const char *path = config_file(o);
	if (o->demo && !o->config_path) {
		config_defaults(config);
		return true;
	}
	if (!o->config_path && stat(path, &st) != 0 && errno == ENOENT && for_display) {
		config_defaults(config);
		*setup_out = setup_text(path, NULL);
		return true;
	}
	if (!config_load(config, path, errors, sizeof(errors))) {
		if (for_display) {
			fprintf(stderr, "roomsign: configuration problems:\n%s", errors);
			*setup_out = setup_text(path, errors);
			return true;
		}
		fprintf(stderr, "roomsign: configuration problems:\n%s", errors);
		return false;
	}
	if (config->fleet.config_url && !o->demo) {
		*local = *config;
		memset(config, 0, sizeof(*config));
		return load_fleet(local, config, for_display, setup_out);
	}
	if (o->demo)
		config->source.type = SOURCE_DEMO;
	return true;
}

static int run_command(const struct options *o, struct config *config, char *setup);

static void
restart_sign(void *ctx)
{
	sign_request_restart();
}

/* The display under [fleet] config_url: a new configuration restarts the process in place
 * (same pid for systemd's watchdog), so every part (source, display, LED, zone, language)
 * starts from it exactly as at boot. */
static int
run_display_fleet(const struct options *o, const struct config *local, struct config *config, char *setup, char **argv)
{
	struct fleet_watch *watch = fleet_watch_start(local, !setup, setup != NULL, restart_sign, NULL);
	int status = run_command(o, config, setup);
	fleet_watch_stop(watch);
	if (!sign_restart_requested())
		return status;
	http_global_cleanup();
	free(setup);
	config_finish(config);
	/* Nothing this process opened may leak into the next one (the DRM device above all). */
	DIR *fds = opendir("/proc/self/fd");
	for (struct dirent *d; fds && (d = readdir(fds));) {
		int fd = (int)strtol(d->d_name, NULL, 10);
		if (fd > 2 && fd != dirfd(fds))
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	if (fds)
		closedir(fds);
	execv("/proc/self/exe", argv);
	log_error("cannot restart with the new configuration: %s", strerror(errno));
	exit(EXIT_FAILURE);
}

static int
run_agenda(struct config *config, const struct options *o, struct sign_options *so)
{
	return cmd_agenda(config, o);
}

static int
run_book(struct config *config, const struct options *o, struct sign_options *so)
{
	return cmd_book(config, o);
}

static int
run_check(struct config *config, const struct options *o, struct sign_options *so)
{
	return cmd_check(config, o);
}

static int
run_exporter_args(struct config *config, const struct options *o, struct sign_options *so)
{
	return monitor_exporter_args(&config->monitoring, stdout) ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int
run_screenshot(struct config *config, const struct options *o, struct sign_options *so)
{
	if (!o->size)
		so->width = 800, so->height = 480;
	return sign_screenshot(config, so, o->arg) ? EXIT_SUCCESS : EXIT_FAILURE;
}

static const struct command commands[] = {
	{ "agenda", run_agenda, 0 },
	{ "book", run_book, CMD_NEEDS_MINUTES },
	{ "check", run_check, 0 },
	{ "exporter-args", run_exporter_args, 0 },
	{ "screenshot", run_screenshot, CMD_DISPLAY | CMD_FILE_ARG },
};

static const struct command *
command_named(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int
run_command(const struct options *o, struct config *config, char *setup)
{
	struct sign_options so = { .hit_areas = o->hit_areas, .setup_text = setup };
	if (o->size && !parse_size(o->size, &so.width, &so.height))
		return usage_error("--size takes WIDTHxHEIGHT, e.g. 800x480, not '%s'", o->size);
	return o->command ? o->command->run(config, o, &so) : sign_run(config, &so);
}

int
main(int argc, char **argv)
{
	struct options o = { 0 };
	struct config config = { 0 }, local = { 0 };
	char *setup = NULL;
	int status = parse_options(argc, argv, &o);
	if (status >= 0)
		return status;
	if (o.verbose)
		log_set_level(LOG_LEVEL_DEBUG);
	bool display = !o.command || (o.command->flags & CMD_DISPLAY);
	struct stat st;
	if (o.command && o.command->run == run_exporter_args && !o.config_path && stat(config_file(&o), &st) != 0 &&
		errno == ENOENT)
		return EXIT_SUCCESS; /* not configured yet: node_exporter stays off */
	journal_log_install();       /* under systemd: structured entries from the first line on */
	if (!load_config(&o, &local, &config, display, &setup)) {
		config_finish(&local);
		return EXIT_FAILURE;
	}
	log_set_room(config.room_name);
	const char *zone = o.tz ? o.tz : config.timezone;
	if (!time_set_zone(zone)) {
		fprintf(stderr, "roomsign: unknown time zone '%s'\n", zone);
		config_finish(&config);
		config_finish(&local);
		return o.tz ? EXIT_USAGE : EXIT_FAILURE;
	}
	if (!i18n_set_language(config.language, NULL))
		log_warn("no translations for '%s' found: showing English", config.language);
	if (o.now) {
		rs_time now;
		if (!time_parse_now(o.now, &now)) {
			config_finish(&config);
			config_finish(&local);
			return usage_error(
				"--now takes 2026-12-01T10:15 (room's zone) or 2026-12-01T09:15Z, not '%s'", o.now);
		}
		bool frozen = o.command && (o.command->flags & CMD_DISPLAY);
		time_set_now(now, frozen);
	}
	if (!http_global_init()) {
		fputs("roomsign: cannot initialise libcurl\n", stderr);
		config_finish(&config);
		config_finish(&local);
		return EXIT_FAILURE;
	}
	if (local.fleet.config_url && !o.command)
		status = run_display_fleet(&o, &local, &config, setup, argv);
	else
		status = run_command(&o, &config, setup);
	config_finish(&local);
	http_global_cleanup();
	free(setup);
	config_finish(&config);
	return status;
}
