/* cache.h — the last good schedule on disk, so a restarted sign shows the day at once. */
#pragma once
#include <stdbool.h>
#include "core/schedule.h"

/* Writes atomically (temporary file, fsync, rename). false on failure (logged once). */
bool cache_save(const char *path, const struct schedule *schedule);
/* NULL when missing or unreadable (a corrupt cache is ignored, with a warning). */
struct schedule *cache_load(const char *path);
