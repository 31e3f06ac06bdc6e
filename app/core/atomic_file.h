/* atomic_file.h — a file written whole or not at all: a temporary file beside it (named for the
 * process, so two writers never share one) renamed over it once everything is written; on any
 * failure the temporary is removed and the old file stays as it was. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct atomic_file {
	FILE *fp; /* write here */
	char *tmp;
	const char *path;
};

/* Creates the temporary file with permissions `mode` (whatever the umask). false: errno says why. */
bool atomic_file_open(struct atomic_file *f, const char *path, mode_t mode);
/* Closes it and renames it over the file; sync first flushes it to the disk (state that must
 * survive a power cut). false (errno says why, when a call failed): the file is unchanged. */
bool atomic_file_commit(struct atomic_file *f, bool sync);
/* Gives up: closes and removes the temporary file; the file stays as it was (errno is kept). */
void atomic_file_abort(struct atomic_file *f);
/* The whole of data as the file's new content. */
bool atomic_write(const char *path, const void *data, size_t len, mode_t mode, bool sync);
