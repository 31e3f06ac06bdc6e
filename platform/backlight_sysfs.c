/* backlight_sysfs.c — the panel's backlight through /sys/class/backlight/NAME/{bl_power,brightness}. */
#define LOG_MODULE "backlight"
#include "backlight.h"
#include "core/xalloc.h"
#include "core/log.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BACKLIGHT_ROOT "/sys/class/backlight"
#define BL_POWER_ON    "0" /* FB_BLANK_UNBLANK */
#define BL_POWER_OFF   "4" /* FB_BLANK_POWERDOWN */

struct backlight {
	char *dir;
	long max_brightness;
	bool is_known, is_on; /* what we last wrote, so a repeated call costs nothing */
	bool has_failed;      /* log a failing write once, not on every call */
};

static bool
read_long(const char *dir, const char *name, long *value_out)
{
	char path[PATH_MAX], text[32];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	char *end;
	errno = 0;
	long value = strtol(text, &end, 10);
	if (errno || end == text || (*end && *end != '\n'))
		return false;
	*value_out = value;
	return true;
}

static bool
write_text(struct backlight *backlight, const char *name, const char *text)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", backlight->dir, name);
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	size_t len = strlen(text);
	bool is_ok = fd >= 0 && write(fd, text, len) == (ssize_t)len;
	int err = errno;
	if (fd >= 0 && close(fd) < 0)
		is_ok = false;
	if (!is_ok && !backlight->has_failed)
		log_error("cannot write %s to %s: %s", text, path, strerror(err));
	return is_ok;
}

/* The first entry by name, so that the choice does not depend on directory order. */
static char *
find_first(const char *root)
{
	DIR *dir = opendir(root);
	if (!dir)
		return NULL;
	char *best = NULL;
	struct dirent *entry;
	while ((entry = readdir(dir))) {
		if (entry->d_name[0] == '.')
			continue;
		if (!best || strcmp(entry->d_name, best) < 0) {
			free(best);
			best = xstrdup(entry->d_name);
		}
	}
	closedir(dir);
	if (!best)
		return NULL;
	char *path = xasprintf("%s/%s", root, best);
	free(best);
	return path;
}

struct backlight *
backlight_create(const char *root, const char *dir)
{
	if (!root)
		root = BACKLIGHT_ROOT;
	char *path = dir && *dir ? xstrdup(dir) : find_first(root);
	if (!path) {
		log_info("no backlight under %s: night hours will not switch the panel off", root);
		return NULL;
	}
	long max = 0;
	if (!read_long(path, "max_brightness", &max) || max <= 0) {
		log_error("%s is not a usable backlight (no max_brightness)", path);
		free(path);
		return NULL;
	}
	struct backlight *backlight = xcalloc(1, sizeof(*backlight));
	backlight->dir = path;
	backlight->max_brightness = max;
	log_info("backlight %s (max brightness %ld)", path, max);
	return backlight;
}

void
backlight_destroy(struct backlight *backlight)
{
	if (!backlight)
		return;
	/* Whatever runs after us (a console, the next start) should not face a dark panel. */
	if (backlight->is_known && !backlight->is_on)
		backlight_set_on(backlight, true);
	free(backlight->dir);
	free(backlight);
}

bool
backlight_set_on(struct backlight *backlight, bool on)
{
	if (!backlight)
		return false;
	if (backlight->is_known && backlight->is_on == on)
		return true;
	char level[24];
	snprintf(level, sizeof(level), "%ld", on ? backlight->max_brightness : 0);
	/* Both files, because some drivers honour only one of them; both are attempted even if the
	 * first write fails. */
	bool first, second;
	if (on) {
		first = write_text(backlight, "bl_power", BL_POWER_ON);
		second = write_text(backlight, "brightness", level);
	} else {
		first = write_text(backlight, "brightness", level);
		second = write_text(backlight, "bl_power", BL_POWER_OFF);
	}
	bool is_ok = first && second;
	if (!is_ok) {
		backlight->has_failed = true;
		backlight->is_known = false;
		return false;
	}
	if (backlight->has_failed)
		log_info("backlight %s writable again", backlight->dir);
	backlight->has_failed = false;
	backlight->is_known = true;
	backlight->is_on = on;
	log_info("backlight %s", on ? "on" : "off");
	return true;
}
