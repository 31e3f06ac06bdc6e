/* json.h — writing JSON strings for the diagnostic files (hit areas, view texts). */
#pragma once
#include <stdio.h>

/* Writes s as a quoted, escaped JSON string. */
void json_write_string(FILE *fp, const char *s);
