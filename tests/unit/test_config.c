#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "test_support.h"
#include "config.h"
#include "net/http.h"

static char dir[] = "/tmp/roomsign-config-XXXXXX";

static const char *
write_file(const char *name, const char *text, mode_t mode)
{
	static char path[2][512];
	static int which;
	char *p = path[which++ % 2];
	snprintf(p, 512, "%s/%s", dir, name);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	chmod(p, mode);
	return p;
}

static int
make_dir(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static void
load_fails_with(const char *text, const char *expected)
{
	struct config c;
	char err[4096];
	const char *path = write_file("bad.conf", text, 0644);
	assert_false(config_load(&c, path, err, sizeof(err)));
	if (!strstr(err, expected))
		fail_msg("expected '%s' in:\n%s", expected, err);
	config_finish(&c);
}

static void
test_config_example_parses_and_covers_every_key(void **state)
{
	struct config c;
	char err[4096];
	const char *example = ROOMSIGN_SOURCE_DIR "/config/roomsign.conf.example";
	if (!config_load(&c, example, err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(c.room_name, "Fjord (4.12)");
	assert_int_equal(c.booking.duration_count, 4);
	assert_true(c.display.has_night);
	assert_int_equal(c.display.night_from_min, 19 * 60);
	assert_int_equal(c.display.renderer, RENDERER_AUTO);
	config_finish(&c);
	size_t len;
	char *text = file_read_capped(example, 1 << 20, &len);
	assert_non_null(text);
	const char *section, *name;
	for (size_t i = 0; config_key_at(i, &section, &name); i++) {
		char header[64], line[96];
		snprintf(header, sizeof(header), "\n[%s]\n", section);
		snprintf(line, sizeof(line), "\n%s =", name);
		const char *at = strstr(text, header);
		if (!at || !strstr(at, line))
			fail_msg("the example does not document [%s] %s", section, name);
	}
	free(text);
}

static void
test_config_errors_name_file_line_and_key(void **state)
{
	load_fails_with("[room]\nname = A\n[booking]\nsoon = lots\n",
		"bad.conf:4: [booking] soon: 'lots' is not a whole number");
	load_fails_with("[room]\nname = A\n[display]\nrenderer = gl\n",
		"bad.conf:4: [display] renderer: 'gl' is not one of auto|software|accelerated");
	load_fails_with("[room]\nname = A\n[source]\ntype = exchange\n",
		"bad.conf:4: [source] type: 'exchange' is not one of demo|ics|ews|graph|caldav");
	load_fails_with("[room]\nname = A\ncolour = red\n", "bad.conf:3: [room] colour: unknown key");
	load_fails_with("[room]\nname = A\n[rooom]\nx = 1\n", "[rooom]");
	load_fails_with(
		"[room]\nname = A\ntimezone = Europe/Atlantis\n", "bad.conf:3: [room] timezone: unknown time zone");
	load_fails_with("[room]\nname = A\n[booking]\ndurations = 15,abc\n", "[booking] durations: 'abc'");
	load_fails_with("[room]\nname = A\n[display]\nnight = 7pm\n", "[display] night");
	load_fails_with("[room]\nname = A\n[display]\nrotate = 45\n", "[display] rotate");
	load_fails_with("[source]\ntype = demo\n", "[room] name: missing");
	load_fails_with("[room]\nname = A\nthis is not ini\n", "bad.conf:3:");
}

static void
test_config_nearby_rooms_names_and_addresses(void **state)
{
	struct config c;
	char err[4096];
	const char *path = write_file("rooms.conf",
		"[room]\nname = A\n[source]\nnearby_rooms = annex@contoso.com,  Board room (2.01) <board@contoso.com> ,"
		"<bare@contoso.com>, Møde 4 <moede4@contoso.com>\n",
		0644);
	if (!config_load(&c, path, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(c.source.nearby_count, 4);
	assert_string_equal(c.source.nearby_rooms[0], "annex@contoso.com");
	assert_null(c.source.nearby_names[0]);
	assert_string_equal(c.source.nearby_rooms[1], "board@contoso.com");
	assert_string_equal(c.source.nearby_names[1], "Board room (2.01)");
	assert_string_equal(c.source.nearby_rooms[2], "bare@contoso.com");
	assert_null(c.source.nearby_names[2]);
	assert_string_equal(c.source.nearby_names[3], "Møde 4");
	config_finish(&c);
	load_fails_with("[room]\nname = A\n[source]\nnearby_rooms = Annex <annex@contoso.com\n",
		"[source] nearby_rooms: 'Annex <annex@contoso.com' is not 'Name <address>'");
	load_fails_with("[room]\nname = A\n[source]\nnearby_rooms = Annex annex@contoso.com\n",
		"[source] nearby_rooms: 'Annex annex@contoso.com' is not an address");
	load_fails_with("[room]\nname = A\n[source]\nnearby_rooms = Annex <>\n", "is not an address");
	load_fails_with("[room]\nname = A\n[source]\nnearby_rooms = <a@x> trailing\n", "is not 'Name <address>'");
	(void)state;
}

static void
test_config_source_requirements(void **state)
{
	load_fails_with("[room]\nname = A\n[source]\ntype = ews\nurl = https://mail.example.com/EWS/Exchange.asmx\n",
		"[source] mailbox: missing");
	load_fails_with("[room]\nname = A\n[source]\ntype = ews\nurl = mail.example.com\nmailbox = r@x\nusername = u\n",
		"[source] url: 'mail.example.com' is not an http:// or https:// URL");
	load_fails_with("[room]\nname = A\n[source]\ntype = ics\n", "[source] url: missing");
	load_fails_with("[room]\nname = A\n[source]\ntype = graph\nmailbox = r@x\n", "[source] tenant: missing");
}

static void
test_config_secret_files_must_be_private(void **state)
{
	struct config c;
	char err[4096], text[1024];
	const char *secret = write_file("secret", "s3cret\n", 0644);
	snprintf(text, sizeof(text),
		"[room]\nname = A\n[source]\ntype = caldav\nurl = https://dav.example.com/\n"
		"username = u\npassword_file = %s\n",
		secret);
	load_fails_with(text, "readable by every user");
	chmod(secret, 0600);
	const char *path = write_file("good.conf", text, 0644);
	if (!config_load(&c, path, err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(c.source.password, "s3cret");
	config_finish(&c);
	snprintf(text, sizeof(text),
		"[room]\nname = A\n[source]\ntype = caldav\nurl = https://dav.example.com/\n"
		"username = u\npassword_file = %s/missing\n",
		dir);
	load_fails_with(text, "cannot read");
}

/* Credentials never travel over plain http:// unless allow_insecure_http = yes says so. */
static void
test_config_plain_http_with_credentials(void **state)
{
	struct config c;
	char err[4096], text[1024];
	const char *secret = write_file("http-secret", "s3cret\n", 0600);
	snprintf(text, sizeof(text),
		"[room]\nname = A\n[source]\ntype = caldav\nurl = http://dav.example.com/\n"
		"username = u\npassword_file = %s\n",
		secret);
	load_fails_with(text, "bad.conf:5: [source] url: 'http://dav.example.com/' is plain http://");
	strcat(text, "allow_insecure_http = yes\n");
	const char *path = write_file("lab.conf", text, 0644);
	if (!config_load(&c, path, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(c.source.allow_insecure_http);
	config_finish(&c);
	/* No credentials, nothing to protect: a public ICS feed over http:// is fine. */
	path = write_file(
		"ics.conf", "[room]\nname = A\n[source]\ntype = ics\nurl = http://x.example.com/a.ics\n", 0644);
	if (!config_load(&c, path, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(c.source.auth_retry_s, 900);
	config_finish(&c);
	load_fails_with("[room]\nname = A\n[source]\ntype = graph\nmailbox = r@x\ntenant = t\nclient_id = c\n"
			"graph_url = http://graph.example.com/\n",
		"[source] graph_url: 'http://graph.example.com/' is plain http://");
}

static void
test_config_led_active_low_per_line(void **state)
{
	struct config c;
	char err[4096];
	const char *path = write_file("led.conf",
		"[room]\nname = A\n[led]\nchip = gpiochip0\nred = 17\ngreen = 27\nactive_low = red, blue\n", 0644);
	if (!config_load(&c, path, err, sizeof(err)))
		fail_msg("%s", err);
	assert_false(c.led.active_low);
	assert_true(c.led.active_low_line[0] && !c.led.active_low_line[1] && c.led.active_low_line[2]);
	config_finish(&c);
	load_fails_with("[room]\nname = A\n[led]\nactive_low = purple\n", "bad.conf:4: [led] active_low: 'purple'");
}

static void
test_config_admin_pin_needs_six_digits(void **state)
{
	load_fails_with(
		"[room]\nname = X\n[display]\nadmin_pin = 2468\n", "bad.conf:4: [display] admin_pin: must be 6");
	load_fails_with("[room]\nname = X\n[display]\nadmin_pin = 12345a\n", "[display] admin_pin: must be 6");
	load_fails_with("[room]\nname = X\n[display]\nadmin_pin = 1234567890123\n", "[display] admin_pin");
	struct config c;
	char err[4096];
	assert_true(config_load(&c, write_file("ok.conf", "[room]\nname = X\n[display]\nadmin_pin = 024680\n", 0644),
		err, sizeof(err)));
	assert_string_equal(c.display.admin_pin, "024680");
	config_finish(&c);
	assert_true(config_load(
		&c, write_file("ok.conf", "[room]\nname = X\n[display]\nadmin_pin =\n", 0644), err, sizeof(err)));
	assert_null(c.display.admin_pin); /* empty: no admin screen */
	config_finish(&c);
}

static void
test_config_cooldowns(void **state)
{
	struct config c;
	char err[4096];
	config_defaults(&c);
	assert_int_equal(c.booking.max_extend_min, 60);
	assert_int_equal(c.booking.cooldown_s, 60);
	assert_int_equal(c.booking.refresh_cooldown_s, 30);
	config_finish(&c);
	assert_true(config_load(&c,
		write_file("ok.conf",
			"[room]\nname = X\n[booking]\nmax_extend = 0\ncooldown = 10\nrefresh_cooldown = 5\n", 0644),
		err, sizeof(err)));
	assert_int_equal(c.booking.max_extend_min, 0);
	assert_int_equal(c.booking.cooldown_s, 10);
	assert_int_equal(c.booking.refresh_cooldown_s, 5);
	config_finish(&c);
	load_fails_with("[room]\nname = X\n[booking]\ncooldown = -1\n", "bad.conf:4: [booking] cooldown");
}

static void
test_config_defaults(void **state)
{
	struct config c;
	config_defaults(&c);
	assert_int_equal(c.source.type, SOURCE_DEMO);
	assert_int_equal(c.source.refresh_s, 60);
	assert_int_equal(c.booking.soon_min, 10);
	assert_string_equal(c.booking.subject, "Ad-hoc meeting");
	assert_int_equal(c.booking.end_early, END_EARLY_OWN);
	assert_string_equal(c.source.server_version, "Exchange2013_SP1");
	assert_int_equal(c.display.renderer, RENDERER_AUTO);
	config_finish(&c);
	config_finish(&c); /* finishing twice is harmless */
}

/* [fleet]: the local file needs only its [fleet] section; http:// and an open key are refused. */
static void
test_config_fleet_local_file(void **state)
{
	struct config c;
	char err[4096];
	const char *path =
		write_file("fleet.conf", "[fleet]\nconfig_url = https://signs.example.com/{hostname}.conf\n", 0644);
	if (!config_load(&c, path, err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(c.fleet.config_url, "https://signs.example.com/{hostname}.conf");
	assert_int_equal(c.fleet.config_refresh_s, 300);
	config_finish(&c);
	load_fails_with("[fleet]\nconfig_url = http://signs.example.com/a.conf\n",
		"bad.conf:2: [fleet] config_url: 'http://signs.example.com/a.conf' is plain http://");
	path = write_file("lab.conf", "[fleet]\nconfig_url = http://lab/a.conf\nallow_insecure_http = yes\n", 0644);
	assert_true(config_load(&c, path, err, sizeof(err)));
	config_finish(&c);
	load_fails_with("[fleet]\nconfig_url = https://a/b\nconfig_refresh = 5\n", "[fleet] config_refresh: '5'");
	load_fails_with("[fleet]\nconfig_url = signs.example.com\n", "[fleet] config_url: 'signs.example.com' is not");
	const char *key = write_file("open.key", "KEY\n", 0644);
	char text[1024];
	snprintf(text, sizeof(text), "[fleet]\nconfig_url = https://a/b\nclient_certificate = %s\nclient_key = %s\n",
		key, key);
	load_fails_with(text, "[fleet] client_key:");
	load_fails_with("[room]\nname = A\n[monitoring]\njournal_upload = logs:19532\n",
		"[monitoring] journal_upload: 'logs:19532' is not");
}

/* A fetched file supplies everything but [fleet], which stays the local one. */
static void
test_config_fetched_file_keeps_local_fleet(void **state)
{
	struct config local, c;
	char err[4096];
	const char *path = write_file("local.conf",
		"[fleet]\nconfig_url = https://signs.example.com/x.conf\nconfig_refresh = 60\n[paths]\nstate_dir = "
		"/srv/sign\n",
		0644);
	assert_true(config_load(&local, path, err, sizeof(err)));
	path = write_file("fetched.conf",
		"[room]\nname = Skagen\n[source]\ntype = demo\n[paths]\nstate_dir = /elsewhere\n", 0644);
	if (!config_load_fetched(&c, &local, path, "https://signs.example.com/x.conf", err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(c.room_name, "Skagen");
	assert_string_equal(c.fleet.config_url, "https://signs.example.com/x.conf");
	assert_int_equal(c.fleet.config_refresh_s, 60);
	assert_string_equal(c.state_dir, "/srv/sign");
	config_finish(&c);
	path = write_file(
		"fetched.conf", "[room]\nname = Skagen\n[fleet]\nconfig_url = https://evil.example.com/\n", 0644);
	assert_false(config_load_fetched(&c, &local, path, "https://signs.example.com/x.conf", err, sizeof(err)));
	if (!strstr(err, "https://signs.example.com/x.conf:4: [fleet] config_url: [fleet] is taken from the sign's own "
			 "file only"))
		fail_msg("%s", err);
	config_finish(&c);
	path = write_file("fetched.conf", "[source]\ntype = ews\n", 0644);
	assert_false(config_load_fetched(&c, &local, path, "fetched", err, sizeof(err)));
	if (!strstr(err, "[room] name: missing") || !strstr(err, "[source] url: missing"))
		fail_msg("%s", err);
	config_finish(&c);
	config_finish(&local);
}

/* [display] colours that would make text unreadable are refused, with the ratio; good ones and
 * the theme, text size and logo keys load. */
static void
test_config_display_theme_and_colours(void **state)
{
	(void)state;
	/* white text 4.2:1, dark text 4.4:1 on the old green: neither reaches 4.5:1 */
	load_fails_with("[room]\nname = A\n[display]\nfree_colour = #1e8e3e\n",
		"bad.conf:4: [display] free_colour: #1e8e3e gives its text a contrast ratio of only 4.40:1");
	load_fails_with("[room]\nname = A\n[display]\naccent = 777777\n", "needs at least 4.5:1 (WCAG 2.2)");
	/* the default theme's busy red passes 4.5:1, not the high-contrast theme's 7:1 */
	load_fails_with("[room]\nname = A\n[display]\nbusy_colour = #c5221f\ntheme = high-contrast\n",
		"bad.conf:4: [display] busy_colour: #c5221f gives its text a contrast ratio of only 5.");
	load_fails_with("[room]\nname = A\n[display]\nsoon_colour = orange\n", "[display] soon_colour: 'orange'");
	load_fails_with("[room]\nname = A\n[display]\ntheme = dark\n", "[display] theme: 'dark'");
	load_fails_with("[room]\nname = A\n[display]\ntext_size = huge\n", "[display] text_size: 'huge'");
	const char *not_png = write_file("logo.png", "GIF89a", 0644);
	char text[1024];
	snprintf(text, sizeof(text), "[room]\nname = A\n[display]\nlogo = %s\n", not_png);
	load_fails_with(text, "[display] logo: ");
	load_fails_with(
		"[room]\nname = A\n[display]\nlogo = /nonexistent/logo.png\n", "cannot open /nonexistent/logo.png");
	struct config c;
	char err[4096];
	const char *path = write_file("good.conf",
		"[room]\nname = A\n[display]\ntheme = high-contrast\ntext_size = large\nbusy_colour = #8e0000\n"
		"soon_colour = #ffd000\n",
		0644);
	if (!config_load(&c, path, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(c.display.theme, 1);
	assert_int_equal(c.display.text_size, 1);
	assert_int_equal(c.display.colours[2], 0x8e0000);
	assert_int_equal(c.display.colours[3], 0xffd000);
	assert_int_equal(c.display.colours[0], -1);
	config_finish(&c);
}

/* [display] qr_url: {mailbox} and {room} expand percent-encoded (UTF-8 bytes, the space too),
 * and the code's size is known after loading. */
static void
test_config_qr_url_expands_percent_encoded(void **state)
{
	(void)state;
	struct config c;
	char err[4096];
	const char *path = write_file("good.conf",
		"[room]\nname = Møde 4\n[source]\ntype = ews\nurl = https://mail.example.com/EWS/Exchange.asmx\n"
		"mailbox = moede4@example.com\nusername = u\nauth = negotiate\n"
		"[display]\nqr_url = https://rooms.example.com/book?mailbox={mailbox}&room={room}&x=~a-b_c.d\n",
		0644);
	if (!config_load(&c, path, err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(
		c.display.qr_url, "https://rooms.example.com/book?mailbox={mailbox}&room={room}&x=~a-b_c.d");
	assert_string_equal(c.display.qr_text,
		"https://rooms.example.com/book?mailbox=moede4%40example.com&room=M%C3%B8de%204&x=~a-b_c.d");
	/* 89 bytes at level M: version 6, 41 modules a side */
	assert_int_equal(c.display.qr_modules, 41);
	config_finish(&c);
	path = write_file("good.conf", "[room]\nname = A\n[display]\nqr_url =\n", 0644);
	if (!config_load(&c, path, err, sizeof(err)))
		fail_msg("%s", err);
	assert_null(c.display.qr_text);
	assert_int_equal(c.display.qr_modules, 0);
	config_finish(&c);
}

/* Templates that cannot become a QR code a phone reads are refused with the key named. */
static void
test_config_qr_url_refusals(void **state)
{
	(void)state;
	load_fails_with("[room]\nname = A\n[display]\nqr_url = https://x.example.com/{floor}\n",
		"bad.conf:4: [display] qr_url: unknown placeholder {floor} (known: {mailbox}, {room})");
	load_fails_with("[room]\nname = A\n[display]\nqr_url = https://x.example.com/{room\n",
		"bad.conf:4: [display] qr_url: 'https://x.example.com/{room' has a '{' without its '}'");
	load_fails_with("[room]\nname = A\n[display]\nqr_url = https://x.example.com/room}\n",
		"[display] qr_url: 'https://x.example.com/room}' has a '}' without its '{'");
	load_fails_with("[room]\nname = A\n[display]\nqr_url = x.example.com/{room}\n",
		"[display] qr_url: 'x.example.com/{room}' is not an http:// or https:// URL");
	load_fails_with("[room]\nname = A\n[display]\nqr_url = https://x.example.com/a b\n",
		"[display] qr_url: 'https://x.example.com/a b' has a space");
	/* an ICS room has no address unless [source] mailbox gives it one */
	load_fails_with("[room]\nname = A\n[source]\ntype = ics\nurl = /tmp/a.ics\n[display]\n"
			"qr_url = https://x.example.com/{mailbox}\n",
		"bad.conf:7: [display] qr_url: uses {mailbox}, but the room has no address: set [source] mailbox");
	/* 40 × "ø" is 240 characters encoded: with the rest, more than version 10 holds */
	load_fails_with("[room]\nname = øøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøøø\n[display]\n"
			"qr_url = https://rooms.example.com/book/this/room/at/the/sign?name={room}\n",
		"bad.conf:4: [display] qr_url: expands to 298 characters, more than a QR code a phone reads from 1 m "
		"holds");
	struct config c;
	char err[4096];
	const char *path = write_file("good.conf",
		"[room]\nname = øøøøøøøøøøøøøøøøøøøø\n[source]\ntype = ics\nurl = /tmp/a.ics\nmailbox = a@example.com\n"
		"[display]\nqr_url = https://rooms.example.com/{mailbox}?name={room}\n",
		0644);
	if (!config_load(&c, path, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(strlen(c.display.qr_text), strlen("https://rooms.example.com/a%40example.com?name=") + 120);
	config_finish(&c);
}

/* [report]: off without `to`; defaults; problems as touch-target words; a way to send. */
static void
test_config_report_defaults_and_keys(void **state)
{
	(void)state;
	struct config c;
	char err[4096];
	const char *path = write_file("off.conf", "[room]\nname = A\n", 0644);
	if (!config_load(&c, path, err, sizeof(err)))
		fail_msg("%s", err);
	assert_null(c.report.to);
	assert_int_equal(c.report.problem_count, 4);
	assert_string_equal(c.report.problems[0], "projector");
	assert_string_equal(c.report.problems[3], "other");
	assert_int_equal(c.report.cooldown_min, 30);
	assert_int_equal(c.report.max_per_hour, 6);
	config_finish(&c);
	const char *pw = write_file("smtp.pw", "s3cret\n", 0600);
	char text[1024];
	snprintf(text, sizeof(text),
		"[room]\nname = A\n[report]\nto = facilities@example.com\nproblems = wifi, coffee-machine ,  "
		"chairs\nsmtp_url = smtps://mail.example.com:465\nfrom = sign@example.com\nusername = sign\n"
		"password_file = %s\ncooldown = 0\nmax_per_hour = 2\n",
		pw);
	path = write_file("report.conf", text, 0644);
	if (!config_load(&c, path, err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(c.report.to, "facilities@example.com");
	assert_int_equal(c.report.problem_count, 3);
	assert_string_equal(c.report.problems[1], "coffee-machine");
	assert_string_equal(c.report.problems[2], "chairs");
	assert_string_equal(c.report.smtp_url, "smtps://mail.example.com:465");
	assert_string_equal(c.report.password, "s3cret");
	assert_int_equal(c.report.cooldown_min, 0);
	assert_int_equal(c.report.max_per_hour, 2);
	config_finish(&c);
	/* EWS and Graph rooms send as the room: no smtp_url needed */
	const char *ews_pw = write_file("ews.pw", "pw\n", 0600);
	snprintf(text, sizeof(text),
		"[room]\nname = A\n[source]\ntype = ews\nurl = https://mail.example.com/EWS/Exchange.asmx\n"
		"mailbox = room@example.com\nusername = svc\npassword_file = %s\n[report]\nto = f@example.com\n",
		ews_pw);
	path = write_file("ews.conf", text, 0644);
	if (!config_load(&c, path, err, sizeof(err)))
		fail_msg("%s", err);
	assert_null(c.report.smtp_url);
	config_finish(&c);
}

static void
test_config_report_problems_refused(void **state)
{
	(void)state;
	const char *smtp = "smtp_url = smtp://mail.example.com:587\nfrom = sign@example.com\n";
	char text[1024];
	snprintf(text, sizeof(text), "[room]\nname = A\n[report]\nto = facilities\n%s", smtp);
	load_fails_with(text, "bad.conf:4: [report] to: 'facilities' is not a mail address");
	snprintf(text, sizeof(text), "[room]\nname = A\n[report]\nto = Facilities <f@example.com>\n%s", smtp);
	load_fails_with(text, "[report] to: 'Facilities <f@example.com>' is not a mail address");
	snprintf(text, sizeof(text), "[room]\nname = A\n[report]\nto = f@example.com\nproblems = Projector!\n%s", smtp);
	load_fails_with(text, "bad.conf:5: [report] problems: 'Projector!' is not a problem name");
	snprintf(text, sizeof(text), "[room]\nname = A\n[report]\nto = f@example.com\nproblems = a,b,c,d,e,f,g\n%s",
		smtp);
	load_fails_with(text, "[report] problems: at most 6 problems");
	snprintf(text, sizeof(text),
		"[room]\nname = A\n[report]\nto = f@example.com\nproblems = a-much-too-long-problem-name\n%s", smtp);
	load_fails_with(text, "is not a problem name");
	load_fails_with(
		"[room]\nname = A\n[report]\nto = f@example.com\nproblems = , ,\n", "give at least one problem");
	/* a demo, ICS or CalDAV room has no mailbox to send from */
	load_fails_with("[room]\nname = A\n[report]\nto = f@example.com\n",
		"bad.conf:4: [report] smtp_url: missing: a demo calendar cannot send mail");
	load_fails_with("[room]\nname = A\n[report]\nto = f@example.com\nsmtp_url = http://mail.example.com\n"
			"from = s@example.com\n",
		"bad.conf:5: [report] smtp_url: 'http://mail.example.com' is not an smtp:// or smtps:// URL");
	load_fails_with("[room]\nname = A\n[report]\nto = f@example.com\nsmtp_url = smtp://mail.example.com\n",
		"[report] from: missing: the sender address for SMTP");
	load_fails_with("[room]\nname = A\n[report]\nto = f@example.com\nsmtp_url = smtp://mail.example.com\n"
			"from = s@example.com\nusername = sign\n",
		"[report] password_file: missing");
	const char *open_pw = write_file("open.pw", "s3cret\n", 0644);
	snprintf(text, sizeof(text),
		"[room]\nname = A\n[report]\nto = f@example.com\n%susername = u\npassword_file = %s\n", smtp, open_pw);
	load_fails_with(text, "[report] password_file: ");
	load_fails_with("[room]\nname = A\n[report]\nto = f@example.com\ncooldown = -1\n", "[report] cooldown:");
	load_fails_with("[room]\nname = A\n[report]\nmax_per_hour = lots\n", "[report] max_per_hour: 'lots'");
	load_fails_with("[room]\nname = A\n[report]\nallow_insecure_smtp = maybe\n", "[report] allow_insecure_smtp:");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_example_parses_and_covers_every_key),
		cmocka_unit_test(test_config_errors_name_file_line_and_key),
		cmocka_unit_test(test_config_source_requirements),
		cmocka_unit_test(test_config_secret_files_must_be_private),
		cmocka_unit_test(test_config_plain_http_with_credentials),
		cmocka_unit_test(test_config_led_active_low_per_line),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_admin_pin_needs_six_digits),
		cmocka_unit_test(test_config_cooldowns),
		cmocka_unit_test(test_config_fleet_local_file),
		cmocka_unit_test(test_config_fetched_file_keeps_local_fleet),
		cmocka_unit_test(test_config_display_theme_and_colours),
		cmocka_unit_test(test_config_qr_url_expands_percent_encoded),
		cmocka_unit_test(test_config_qr_url_refusals),
		cmocka_unit_test(test_config_report_defaults_and_keys),
		cmocka_unit_test(test_config_report_problems_refused),
		cmocka_unit_test(test_config_nearby_rooms_names_and_addresses),
	};
	return cmocka_run_group_tests(tests, make_dir, NULL);
}
