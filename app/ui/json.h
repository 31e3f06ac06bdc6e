/* json.h — the diagnostic files (hit areas, view texts) written with cJSON. */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>

/* Writes root's JSON text to path, whole or not at all (atomic_write), and frees root. */
bool json_save(cJSON *root, const char *path);
