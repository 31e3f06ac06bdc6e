/* test_backlight.c — backlight_sysfs.c against a fake /sys/class/backlight tree in a temp dir. */
#include "test_support.h"
#include "backlight.h"
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tree {
	char root[64]; /* the fake /sys/class/backlight */
};

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *
read_file(const char *dir, const char *name)
{
	static char text[64];
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	text[strcspn(text, "\n")] = '\0';
	return text;
}

/* A panel directory as the kernel shows it: on, at full brightness. */
static const char *
add_panel(struct tree *tree, const char *name, const char *max)
{
	static char dir[256];
	snprintf(dir, sizeof(dir), "%s/%s", tree->root, name);
	assert_int_equal(mkdir(dir, 0755), 0);
	write_file(dir, "bl_power", "0\n");
	write_file(dir, "brightness", max);
	write_file(dir, "max_brightness", max);
	return dir;
}

static int
setup(void **state)
{
	struct tree *tree = calloc(1, sizeof(*tree));
	snprintf(tree->root, sizeof(tree->root), "/tmp/test_backlight.XXXXXX");
	assert_non_null(mkdtemp(tree->root));
	*state = tree;
	return 0;
}

static int
teardown(void **state)
{
	struct tree *tree = *state;
	char command[PATH_MAX + 16];
	snprintf(command, sizeof(command), "rm -rf '%s'", tree->root);
	assert_int_equal(system(command), 0);
	free(tree);
	return 0;
}

static void
test_backlight_off_powers_down_and_zeroes_brightness(void **state)
{
	struct tree *tree = *state;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", add_panel(tree, "rpi_backlight", "255\n"));
	struct backlight *backlight = backlight_create(tree->root, NULL);
	assert_non_null(backlight);

	assert_true(backlight_set_on(backlight, false));
	assert_string_equal(read_file(dir, "bl_power"), "4");
	assert_string_equal(read_file(dir, "brightness"), "0");
	backlight_destroy(backlight);
}

static void
test_backlight_on_restores_power_and_full_brightness(void **state)
{
	struct tree *tree = *state;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", add_panel(tree, "panel", "1023\n"));
	write_file(dir, "bl_power", "4\n");
	write_file(dir, "brightness", "0\n");
	struct backlight *backlight = backlight_create(tree->root, NULL);
	assert_non_null(backlight);

	assert_true(backlight_set_on(backlight, true));
	assert_string_equal(read_file(dir, "bl_power"), "0");
	assert_string_equal(read_file(dir, "brightness"), "1023");
	backlight_destroy(backlight);
}

static void
test_backlight_picks_first_panel_by_name(void **state)
{
	struct tree *tree = *state;
	char second[PATH_MAX], first[PATH_MAX];
	snprintf(second, sizeof(second), "%s", add_panel(tree, "zz_panel", "100\n"));
	snprintf(first, sizeof(first), "%s", add_panel(tree, "aa_panel", "100\n"));
	struct backlight *backlight = backlight_create(tree->root, NULL);
	assert_non_null(backlight);

	assert_true(backlight_set_on(backlight, false));
	assert_string_equal(read_file(first, "bl_power"), "4");
	assert_string_equal(read_file(second, "bl_power"), "0");
	backlight_destroy(backlight);
}

static void
test_backlight_uses_the_configured_directory(void **state)
{
	struct tree *tree = *state;
	char chosen[PATH_MAX], other[PATH_MAX];
	snprintf(other, sizeof(other), "%s", add_panel(tree, "aa_panel", "100\n"));
	snprintf(chosen, sizeof(chosen), "%s", add_panel(tree, "bb_panel", "100\n"));
	struct backlight *backlight = backlight_create(tree->root, chosen);
	assert_non_null(backlight);

	assert_true(backlight_set_on(backlight, false));
	assert_string_equal(read_file(chosen, "brightness"), "0");
	assert_string_equal(read_file(other, "brightness"), "100");
	backlight_destroy(backlight);
}

static void
test_backlight_missing_or_broken_gives_null(void **state)
{
	struct tree *tree = *state;
	assert_null(backlight_create(tree->root, NULL)); /* empty class dir */
	char missing[128];
	snprintf(missing, sizeof(missing), "%s/none", tree->root);
	assert_null(backlight_create(missing, NULL)); /* no class dir */
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", add_panel(tree, "broken", "0\n"));
	assert_null(backlight_create(tree->root, NULL)); /* max_brightness 0 */
	write_file(dir, "max_brightness", "lots\n");
	assert_null(backlight_create(tree->root, NULL));

	backlight_destroy(NULL);
	assert_false(backlight_set_on(NULL, true));
}

static void
test_backlight_repeated_call_does_not_rewrite(void **state)
{
	struct tree *tree = *state;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", add_panel(tree, "panel", "255\n"));
	struct backlight *backlight = backlight_create(tree->root, NULL);
	assert_true(backlight_set_on(backlight, false));
	/* Someone else lit it; a second "off" from the main loop's every wake-up must stay cheap. */
	write_file(dir, "brightness", "7\n");
	assert_true(backlight_set_on(backlight, false));
	assert_string_equal(read_file(dir, "brightness"), "7");
	backlight_destroy(backlight);
}

static void
test_backlight_destroy_leaves_panel_on(void **state)
{
	struct tree *tree = *state;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", add_panel(tree, "panel", "255\n"));
	struct backlight *backlight = backlight_create(tree->root, NULL);
	assert_true(backlight_set_on(backlight, false));
	backlight_destroy(backlight);
	assert_string_equal(read_file(dir, "bl_power"), "0");
	assert_string_equal(read_file(dir, "brightness"), "255");
}

static void
test_backlight_unwritable_reports_failure(void **state)
{
	struct tree *tree = *state;
	char dir[256], path[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", add_panel(tree, "panel", "255\n"));
	struct backlight *backlight = backlight_create(tree->root, NULL);
	/* A directory where the file should be: cannot be opened for writing, even by root. */
	snprintf(path, sizeof(path), "%s/brightness", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_false(backlight_set_on(backlight, false));
	assert_false(backlight_set_on(backlight, false)); /* not cached as done */
	assert_int_equal(rmdir(path), 0);
	write_file(dir, "brightness", "255\n");
	assert_true(backlight_set_on(backlight, false));
	assert_string_equal(read_file(dir, "brightness"), "0");
	backlight_destroy(backlight);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backlight_off_powers_down_and_zeroes_brightness, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backlight_on_restores_power_and_full_brightness, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backlight_picks_first_panel_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backlight_uses_the_configured_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backlight_missing_or_broken_gives_null, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backlight_repeated_call_does_not_rewrite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backlight_destroy_leaves_panel_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backlight_unwritable_reports_failure, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
