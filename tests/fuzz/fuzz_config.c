/* fuzz_config.c — libFuzzer target for config.c (inih + our key table and validation): the
 * bytes become a config file, loaded over the defaults. Every error line must name the file;
 * nothing may crash or leak. The file lives in a scratch directory; a secret file the input
 * names is only ever read, never written. (No chdir: libFuzzer reads its corpus by path.) */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void
make_scratch(void)
{
	char dir[] = "/tmp/roomsign-fuzz-config.XXXXXX";
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/roomsign.conf", dir);
	setenv("ROOMSIGN_STATE_DIR", dir, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0]) {
		make_scratch();
		log_set_level(LOG_LEVEL_ERROR);
	}
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);

	struct config config;
	char err[4096];
	bool ok = config_load(&config, path, err, sizeof(err));
	/* Every complete problem line names the file first. */
	for (const char *line = err, *nl; !ok && (nl = strchr(line, '\n')); line = nl + 1)
		if (strncmp(line, path, strlen(path)) != 0)
			__builtin_trap();
	if (ok && (!config.room_name || !config.cache_file))
		__builtin_trap();
	config_finish(&config);
	return 0;
}
