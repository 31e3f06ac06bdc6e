/* test_led_vm.c — runs inside the QEMU guest (see run-vm.sh): drives roomsign's real
 * platform/led_gpiod.c against the kernel's gpio-sim driver and checks every line from the
 * simulator's side (sysfs sim_gpioN/value), driving the PIR input through sim_gpioN/pull.
 *
 * Usage: test_led_vm DEV_NAME CHIP_A CHIP_B LABEL_B
 *   DEV_NAME  the gpio-sim platform device (configfs dev_name)
 *   CHIP_A    bank0's chip name (gpiochipN), 8 lines
 *   CHIP_B    bank1's chip name, 8 lines, labelled LABEL_B
 * Prints one "ok"/"not ok" line per check; exits with the number of failed tests (0: all passed). */
#include "led.h"
#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *dev_name, *chip_a, *chip_b, *label_b;
static int failed_checks;

#define CHECK(cond) check((cond), #cond, __FILE__, __LINE__)

static void
check(bool is_ok, const char *what, const char *file, int line)
{
	if (!is_ok) {
		printf("    FAILED %s:%d: %s\n", file, line, what);
		failed_checks++;
	}
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- the simulator's side ---- */

static void
sim_path(char *path, size_t size, const char *chip, unsigned int offset, const char *attr)
{
	snprintf(path, size, "/sys/devices/platform/%s/%s/sim_gpio%u/%s", dev_name, chip, offset, attr);
}

/* What the line is driven to right now: 0, 1, or -1 when unreadable. */
static int
sim_value(const char *chip, unsigned int offset)
{
	char path[PATH_MAX], text[8] = "";
	sim_path(path, sizeof(path), chip, offset, "value");
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	return n > 0 && (text[0] == '0' || text[0] == '1') ? text[0] - '0' : -1;
}

/* "pull-up" or "pull-down": what an input line reads, as if a sensor drove it. */
static void
sim_pull(const char *chip, unsigned int offset, const char *pull)
{
	char path[PATH_MAX];
	sim_path(path, sizeof(path), chip, offset, "pull");
	int fd = open(path, O_WRONLY);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, pull, strlen(pull)) == (ssize_t)strlen(pull));
	close(fd);
}

/* Compares lines 0..count-1 of the given offsets with the expected levels ("10" = first high). */
static bool
sim_levels_are(const char *chip, const unsigned int *offsets, const char *expected)
{
	bool is_match = true;
	for (size_t i = 0; expected[i]; i++) {
		int value = sim_value(chip, offsets[i]);
		if (value != expected[i] - '0') {
			printf("    line %u on %s is %d, want %c\n", offsets[i], chip, value, expected[i]);
			is_match = false;
		}
	}
	return is_match;
}

#define CHECK_LEVELS(chip, offsets, expected) CHECK(sim_levels_are((chip), (offsets), (expected)))

static struct gpiod_line_info *
line_info(const char *chip, unsigned int offset)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/dev/%s", chip);
	struct gpiod_chip *handle = gpiod_chip_open(path);
	if (!handle)
		return NULL;
	struct gpiod_line_info *info = gpiod_chip_get_line_info(handle, offset);
	gpiod_chip_close(handle);
	return info;
}

static bool
line_is_used(const char *chip, unsigned int offset)
{
	struct gpiod_line_info *info = line_info(chip, offset);
	bool is_used = info && gpiod_line_info_is_used(info);
	gpiod_line_info_free(info);
	return is_used;
}

/* ---- what the line levels were at the moment led_gpiod.c released them ----
 * A released gpio-sim line falls back to its pull, so "destroy leaves the light off" can only be
 * seen while the line is still requested: the link wraps gpiod_line_request_release to look. */

static struct release_watch {
	const char *chip;
	const unsigned int *offsets;
	size_t count;
	int values[8];
	bool was_released;
} release_watch;

void __real_gpiod_line_request_release(struct gpiod_line_request *request);
void __wrap_gpiod_line_request_release(struct gpiod_line_request *request);

void
__wrap_gpiod_line_request_release(struct gpiod_line_request *request)
{
	size_t n = gpiod_line_request_get_num_requested_lines(request);
	unsigned int offsets[8];
	gpiod_line_request_get_requested_offsets(request, offsets, 8);
	if (release_watch.chip && n == release_watch.count &&
		memcmp(offsets, release_watch.offsets, n * sizeof(*offsets)) == 0) {
		for (size_t i = 0; i < n; i++)
			release_watch.values[i] = sim_value(release_watch.chip, offsets[i]);
		release_watch.was_released = true;
	}
	__real_gpiod_line_request_release(request);
}

/* A driver without debounce support, simulated by asking the kernel for none: led_gpiod.c must
 * then filter bounces itself. */
static bool is_kernel_debounce_off;

int __real_gpiod_line_settings_set_debounce_period_us(struct gpiod_line_settings *settings, unsigned long period);
int __wrap_gpiod_line_settings_set_debounce_period_us(struct gpiod_line_settings *settings, unsigned long period);

int
__wrap_gpiod_line_settings_set_debounce_period_us(struct gpiod_line_settings *settings, unsigned long period)
{
	return __real_gpiod_line_settings_set_debounce_period_us(settings, is_kernel_debounce_off ? 0 : period);
}

/* ---- log capture: the errors a user would read in the journal ---- */

static char captured[4096];
static int saved_stderr = -1;
static FILE *capture_file;

static void
capture_start(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	saved_stderr = dup(STDERR_FILENO);
	dup2(fileno(capture_file), STDERR_FILENO);
}

static const char *
capture_stop(void)
{
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	rewind(capture_file);
	size_t n = fread(captured, 1, sizeof(captured) - 1, capture_file);
	captured[n] = '\0';
	fclose(capture_file);
	fputs(captured, stderr); /* keep it in the console log too */
	return captured;
}

/* ---- the tests ---- */

static struct led_config
config_for(const char *chip, int red, int green, int blue)
{
	return (struct led_config){
		.chip = (char *)chip, .red = red, .green = green, .blue = blue, .motion = -1, .offline = LED_OFFLINE_OFF
	};
}

static void
test_single_line_is_the_busy_light_and_blinks_for_amber(void)
{
	static const unsigned int line[] = { 0 };
	struct led_config config = config_for(chip_a, 0, -1, -1);
	struct led *led = led_create(&config);
	CHECK(led != NULL);
	CHECK_LEVELS(chip_a, line, "0");
	CHECK(led_show(led, LED_RED, false));
	CHECK_LEVELS(chip_a, line, "1");
	CHECK(led_show(led, LED_GREEN, false));
	CHECK_LEVELS(chip_a, line, "0");
	CHECK(led_timeout_ms(led, 0) == -1);
	/* Amber cannot be mixed from one colour: it blinks the light, blink flag or not. */
	CHECK(led_show(led, LED_AMBER, false));
	CHECK_LEVELS(chip_a, line, "1");
	CHECK(led_timeout_ms(led, 5000) == 0);
	led_tick(led, 5000);
	CHECK(led_timeout_ms(led, 5000) == 500);
	CHECK_LEVELS(chip_a, line, "1");
	led_tick(led, 5499);
	CHECK_LEVELS(chip_a, line, "1");
	led_tick(led, 5500);
	CHECK_LEVELS(chip_a, line, "0");
	led_tick(led, 6000);
	CHECK_LEVELS(chip_a, line, "1");
	CHECK(led_show(led, LED_OFF, false));
	CHECK_LEVELS(chip_a, line, "0");
	led_tick(led, 7000);
	CHECK_LEVELS(chip_a, line, "0");
	led_destroy(led);
}

static void
test_two_lines_show_red_green_and_amber_as_both(void)
{
	static const unsigned int lines[] = { 1, 2 };
	struct led_config config = config_for(chip_a, 1, 2, -1);
	struct led *led = led_create(&config);
	CHECK(led != NULL);
	CHECK_LEVELS(chip_a, lines, "00");
	CHECK(led_show(led, LED_GREEN, false));
	CHECK_LEVELS(chip_a, lines, "01");
	CHECK(led_show(led, LED_RED, false));
	CHECK_LEVELS(chip_a, lines, "10");
	CHECK(led_show(led, LED_AMBER, false));
	CHECK_LEVELS(chip_a, lines, "11");
	CHECK(led_timeout_ms(led, 0) == -1); /* amber is steady on two colours */
	CHECK(led_show(led, LED_OFF, false));
	CHECK_LEVELS(chip_a, lines, "00");

	/* Blink: on, then off and on again every 500 ms of the monotonic clock the loop passes. */
	CHECK(led_show(led, LED_GREEN, true));
	CHECK_LEVELS(chip_a, lines, "01");
	led_tick(led, 10000);
	led_tick(led, 10499);
	CHECK_LEVELS(chip_a, lines, "01");
	led_tick(led, 10500);
	CHECK_LEVELS(chip_a, lines, "00");
	/* Showing the same state again must not restart the phase (the loop may repeat itself). */
	CHECK(led_show(led, LED_GREEN, true));
	CHECK_LEVELS(chip_a, lines, "00");
	led_tick(led, 11000);
	CHECK_LEVELS(chip_a, lines, "01");
	CHECK(led_show(led, LED_RED, false));
	CHECK_LEVELS(chip_a, lines, "10");
	led_tick(led, 11500);
	CHECK_LEVELS(chip_a, lines, "10");
	led_destroy(led);
}

static void
test_three_lines_are_rgb(void)
{
	static const unsigned int lines[] = { 3, 4, 5 };
	struct led_config config = config_for(chip_a, 3, 4, 5);
	struct led *led = led_create(&config);
	CHECK(led != NULL);
	CHECK(led_show(led, LED_GREEN, false));
	CHECK_LEVELS(chip_a, lines, "010");
	CHECK(led_show(led, LED_RED, false));
	CHECK_LEVELS(chip_a, lines, "100");
	CHECK(led_show(led, LED_AMBER, false));
	CHECK_LEVELS(chip_a, lines, "110");
	CHECK(led_show(led, LED_OFF, false));
	CHECK_LEVELS(chip_a, lines, "000");
	led_destroy(led);
}

static void
test_active_low_inverts_every_line_and_ends_high(void)
{
	static const unsigned int lines[] = { 1, 2 };
	struct led_config config = config_for(chip_a, 1, 2, -1);
	config.active_low = true;
	struct led *led = led_create(&config);
	CHECK(led != NULL);
	CHECK_LEVELS(chip_a, lines, "11"); /* off from the first moment */
	CHECK(led_show(led, LED_RED, false));
	CHECK_LEVELS(chip_a, lines, "01");
	CHECK(led_show(led, LED_GREEN, false));
	CHECK_LEVELS(chip_a, lines, "10");
	CHECK(led_show(led, LED_AMBER, false));
	CHECK_LEVELS(chip_a, lines, "00");
	release_watch = (struct release_watch){ .chip = chip_a, .offsets = lines, .count = 2 };
	led_destroy(led);
	CHECK(release_watch.was_released);
	CHECK(release_watch.values[0] == 1 && release_watch.values[1] == 1);
	release_watch.chip = NULL;
}

static void
test_active_low_can_be_set_per_line(void)
{
	static const unsigned int lines[] = { 1, 2 };
	struct led_config config = config_for(chip_a, 1, 2, -1);
	config.active_low_line[0] = true; /* [led] active_low = red */
	struct led *led = led_create(&config);
	CHECK(led != NULL);
	CHECK_LEVELS(chip_a, lines, "10"); /* off: red high (inverted), green low */
	CHECK(led_show(led, LED_RED, false));
	CHECK_LEVELS(chip_a, lines, "00");
	CHECK(led_show(led, LED_GREEN, false));
	CHECK_LEVELS(chip_a, lines, "11");
	CHECK(led_show(led, LED_AMBER, false));
	CHECK_LEVELS(chip_a, lines, "01");
	led_destroy(led);
}

static void
test_destroy_turns_off_and_releases(void)
{
	static const unsigned int lines[] = { 1, 2 };
	struct led_config config = config_for(chip_a, 1, 2, -1);
	struct led *led = led_create(&config);
	CHECK(led != NULL);
	CHECK(line_is_used(chip_a, 1) && line_is_used(chip_a, 2));
	CHECK(led_show(led, LED_AMBER, true));
	CHECK_LEVELS(chip_a, lines, "11");
	release_watch = (struct release_watch){ .chip = chip_a, .offsets = lines, .count = 2 };
	led_destroy(led);
	CHECK(release_watch.was_released);
	CHECK(release_watch.values[0] == 0 && release_watch.values[1] == 0);
	release_watch.chip = NULL;
	CHECK(!line_is_used(chip_a, 1) && !line_is_used(chip_a, 2));
	/* Released for real: the lines can be taken again at once. */
	led = led_create(&config);
	CHECK(led != NULL);
	led_destroy(led);
	led_destroy(NULL);
}

static void
test_busy_line_is_a_clear_error(void)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/dev/%s", chip_a);
	struct gpiod_chip *chip = gpiod_chip_open(path);
	CHECK(chip != NULL);
	struct gpiod_line_settings *settings = gpiod_line_settings_new();
	gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_OUTPUT);
	struct gpiod_line_config *line_config = gpiod_line_config_new();
	unsigned int offset = 2;
	gpiod_line_config_add_line_settings(line_config, &offset, 1, settings);
	struct gpiod_request_config *request_config = gpiod_request_config_new();
	gpiod_request_config_set_consumer(request_config, "other-daemon");
	struct gpiod_line_request *other = gpiod_chip_request_lines(chip, request_config, line_config);
	CHECK(other != NULL);

	struct led_config config = config_for(chip_a, 1, 2, -1);
	capture_start();
	struct led *led = led_create(&config);
	const char *log = capture_stop();
	CHECK(led == NULL);
	CHECK(strstr(log, "line 2") && strstr(log, "busy") && strstr(log, "other-daemon"));
	CHECK(!line_is_used(chip_a, 1)); /* nothing half-taken */
	/* The null-safe API lets the main loop carry on without the LED. */
	CHECK(!led_show(led, LED_RED, false));
	led_tick(led, 1);
	CHECK(led_motion_fd(led) == -1 && !led_motion_seen(led));

	gpiod_line_request_release(other);
	gpiod_request_config_free(request_config);
	gpiod_line_config_free(line_config);
	gpiod_line_settings_free(settings);
	gpiod_chip_close(chip);
}

static void
test_missing_chip_or_line_gives_null(void)
{
	const char *const missing[] = { "gpiochip99", "/dev/gpiochip99", "/dev/null", "no-such-label" };
	for (size_t i = 0; i < sizeof(missing) / sizeof(*missing); i++) {
		struct led_config config = config_for(missing[i], 0, -1, -1);
		capture_start();
		struct led *led = led_create(&config);
		const char *log = capture_stop();
		CHECK(led == NULL);
		CHECK(strstr(log, missing[i]) != NULL);
	}
	struct led_config config = config_for(chip_a, 99, -1, -1);
	capture_start();
	struct led *led = led_create(&config);
	const char *log = capture_stop();
	CHECK(led == NULL);
	CHECK(strstr(log, "line 99") != NULL);
	config = config_for(chip_a, 1, 1, -1);
	CHECK(led_create(&config) == NULL); /* one line for two colours */
	config = config_for(chip_a, -1, -1, -1);
	CHECK(led_create(&config) == NULL); /* a chip but nothing on it */
	config = config_for(NULL, 0, -1, -1);
	led = led_create(&config); /* no chip: the logging null LED */
	CHECK(led != NULL && led_show(led, LED_RED, false));
	led_destroy(led);
}

static void
test_chip_found_by_label_and_by_path(void)
{
	static const unsigned int line[] = { 0 };
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/dev/%s", chip_b);
	const char *const names[] = { label_b, path, chip_b };
	for (size_t i = 0; i < 3; i++) {
		printf("    chip \"%s\"\n", names[i]);
		struct led_config config = config_for(names[i], 0, -1, -1);
		struct led *led = led_create(&config);
		CHECK(led != NULL);
		CHECK(led_show(led, LED_RED, false));
		CHECK_LEVELS(chip_b, line, "1");
		CHECK_LEVELS(chip_a, line, "0"); /* not the first chip by accident */
		led_destroy(led);
	}
}

static void
test_offline_follows_config(void)
{
	static const unsigned int lines[] = { 1, 2 };
	struct led_config config = config_for(chip_a, 1, 2, -1);
	config.offline = LED_OFFLINE_OFF;
	struct led *led = led_create(&config);
	CHECK(led_show(led, LED_RED, false));
	CHECK(led_show_offline(led));
	CHECK_LEVELS(chip_a, lines, "00");
	led_destroy(led);

	config.offline = LED_OFFLINE_KEEP;
	led = led_create(&config);
	CHECK(led_show(led, LED_RED, false));
	CHECK(led_show_offline(led));
	CHECK_LEVELS(chip_a, lines, "10");
	CHECK(led_timeout_ms(led, 0) == -1);
	led_destroy(led);

	config.offline = LED_OFFLINE_BLINK; /* the last colour, slowly */
	led = led_create(&config);
	CHECK(led_show(led, LED_GREEN, false));
	CHECK(led_show_offline(led));
	CHECK_LEVELS(chip_a, lines, "01");
	led_tick(led, 1000);
	led_tick(led, 1500);
	CHECK_LEVELS(chip_a, lines, "01");
	led_tick(led, 2000);
	CHECK_LEVELS(chip_a, lines, "00");
	led_tick(led, 3000);
	CHECK_LEVELS(chip_a, lines, "01");
	CHECK(led_show(led, LED_RED, false)); /* back online */
	CHECK_LEVELS(chip_a, lines, "10");
	led_tick(led, 5000);
	CHECK_LEVELS(chip_a, lines, "10");
	led_destroy(led);
}

static bool
wait_readable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	return poll(&pfd, 1, timeout_ms) == 1;
}

static void
test_motion_edge_seen_and_debounced(void)
{
	static const unsigned int line[] = { 0 };
	const unsigned int pir = 6;
	/* The pull persists across requests: start from a quiet sensor. */
	sim_pull(chip_a, pir, "pull-down");
	struct led_config config = config_for(chip_a, 0, -1, -1);
	config.motion = (int)pir;
	struct led *led = led_create(&config);
	CHECK(led != NULL);
	int fd = led_motion_fd(led);
	CHECK(fd >= 0);
	CHECK(line_is_used(chip_a, pir));
	struct gpiod_line_info *info = line_info(chip_a, pir);
	CHECK(info && gpiod_line_info_get_direction(info) == GPIOD_LINE_DIRECTION_INPUT);
	CHECK(info && gpiod_line_info_get_debounce_period_us(info) == 200000);
	gpiod_line_info_free(info);
	CHECK(!led_motion_seen(led));
	CHECK(!led_motion_active(led));

	/* Someone walks past. */
	sim_pull(chip_a, pir, "pull-up");
	CHECK(wait_readable(fd, 3000));
	CHECK(led_motion_seen(led));
	CHECK(!led_motion_seen(led));  /* once per motion */
	CHECK(led_motion_active(led)); /* but the output stays high while people are there: motion */

	/* A glitch shorter than the debounce period is not motion. */
	sim_pull(chip_a, pir, "pull-down");
	sim_pull(chip_a, pir, "pull-up");
	sleep_ms(600);
	CHECK(!led_motion_seen(led));

	/* The sensor settles low, then sees motion again. */
	sim_pull(chip_a, pir, "pull-down");
	sleep_ms(500);
	CHECK(!led_motion_seen(led)); /* a falling edge is not motion */
	CHECK(!led_motion_active(led));
	sim_pull(chip_a, pir, "pull-up");
	CHECK(wait_readable(fd, 3000));
	CHECK(led_motion_seen(led));

	/* The LED on the same chip is unaffected by the sensor. */
	CHECK(led_show(led, LED_RED, false));
	CHECK_LEVELS(chip_a, line, "1");
	led_destroy(led);
	CHECK(!line_is_used(chip_a, pir));
	sim_pull(chip_a, pir, "pull-down");
}

static void
test_motion_debounced_without_kernel_debounce(void)
{
	const unsigned int pir = 6;
	sim_pull(chip_a, pir, "pull-down");
	is_kernel_debounce_off = true;
	struct led_config config = config_for(chip_a, -1, -1, -1);
	config.motion = (int)pir;
	struct led *led = led_create(&config);
	is_kernel_debounce_off = false;
	CHECK(led != NULL);
	int fd = led_motion_fd(led);
	struct gpiod_line_info *info = line_info(chip_a, pir);
	CHECK(info && gpiod_line_info_get_debounce_period_us(info) == 0);
	gpiod_line_info_free(info);

	sim_pull(chip_a, pir, "pull-up");
	CHECK(wait_readable(fd, 3000));
	CHECK(led_motion_seen(led));
	sleep_ms(300);
	/* The bounce reaches roomsign as a falling and a rising edge microseconds apart. */
	sim_pull(chip_a, pir, "pull-down");
	sim_pull(chip_a, pir, "pull-up");
	CHECK(wait_readable(fd, 3000));
	sleep_ms(100);
	CHECK(!led_motion_seen(led));
	/* A clean return to quiet and new motion later still counts. */
	sim_pull(chip_a, pir, "pull-down");
	sleep_ms(300);
	sim_pull(chip_a, pir, "pull-up");
	CHECK(wait_readable(fd, 3000));
	CHECK(led_motion_seen(led));
	led_destroy(led);
	sim_pull(chip_a, pir, "pull-down");
}

static void
test_motion_only_sensor_without_light(void)
{
	const unsigned int pir = 7;
	sim_pull(chip_b, pir, "pull-down");
	struct led_config config = config_for(label_b, -1, -1, -1);
	config.motion = (int)pir;
	struct led *led = led_create(&config);
	CHECK(led != NULL);
	CHECK(led_show(led, LED_RED, false)); /* nothing to light, not an error */
	CHECK(led_show(led, LED_AMBER, true));
	CHECK(led_timeout_ms(led, 0) == -1); /* and no blink timer to wake the loop */
	sim_pull(chip_b, pir, "pull-up");
	CHECK(wait_readable(led_motion_fd(led), 3000));
	CHECK(led_motion_seen(led));
	led_destroy(led);
	sim_pull(chip_b, pir, "pull-down");
}

struct test {
	const char *name;
	void (*run)(void);
};

int
main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s DEV_NAME CHIP_A CHIP_B LABEL_B\n", argv[0]);
		return 2;
	}
	dev_name = argv[1];
	chip_a = argv[2];
	chip_b = argv[3];
	label_b = argv[4];
	setvbuf(stdout, NULL, _IOLBF, 0);

	static const struct test tests[] = {
		{ "single_line_is_the_busy_light_and_blinks_for_amber",
			test_single_line_is_the_busy_light_and_blinks_for_amber },
		{ "two_lines_show_red_green_and_amber_as_both", test_two_lines_show_red_green_and_amber_as_both },
		{ "three_lines_are_rgb", test_three_lines_are_rgb },
		{ "active_low_inverts_every_line_and_ends_high", test_active_low_inverts_every_line_and_ends_high },
		{ "active_low_can_be_set_per_line", test_active_low_can_be_set_per_line },
		{ "destroy_turns_off_and_releases", test_destroy_turns_off_and_releases },
		{ "busy_line_is_a_clear_error", test_busy_line_is_a_clear_error },
		{ "missing_chip_or_line_gives_null", test_missing_chip_or_line_gives_null },
		{ "chip_found_by_label_and_by_path", test_chip_found_by_label_and_by_path },
		{ "offline_follows_config", test_offline_follows_config },
		{ "motion_edge_seen_and_debounced", test_motion_edge_seen_and_debounced },
		{ "motion_debounced_without_kernel_debounce", test_motion_debounced_without_kernel_debounce },
		{ "motion_only_sensor_without_light", test_motion_only_sensor_without_light },
	};
	size_t count = sizeof(tests) / sizeof(*tests);
	int failed = 0;
	printf("1..%zu\n", count);
	for (size_t i = 0; i < count; i++) {
		failed_checks = 0;
		tests[i].run();
		printf("%s %zu - test_%s\n", failed_checks ? "not ok" : "ok", i + 1, tests[i].name);
		failed += failed_checks != 0;
	}
	printf("vm: %zu passed, %d failed\n", count - (size_t)failed, failed);
	return failed;
}
