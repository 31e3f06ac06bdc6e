/* replay_main.c — a main() for the fuzz targets in ordinary (gcc, non-fuzz) builds: feeds every
 * file under the directories given on the command line to LLVMFuzzerTestOneInput once. The seed
 * corpora and the kept crash inputs (tests/fixtures/regress/) thus run in every build, under
 * ASan in the asan preset, not only where libFuzzer exists. */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPLAY_MAX_BYTES (64L << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return false;
	}
	uint8_t *buf = malloc(REPLAY_MAX_BYTES);
	size_t n = buf ? fread(buf, 1, REPLAY_MAX_BYTES, fp) : 0;
	fclose(fp);
	if (!buf)
		return false;
	/* An exact-size copy, so ASan sees reads past the end as libFuzzer would. */
	uint8_t *exact = malloc(n ? n : 1);
	if (exact) {
		memcpy(exact, buf, n);
		LLVMFuzzerTestOneInput(exact, n);
	}
	free(exact);
	free(buf);
	return exact != NULL;
}

static int
replay_dir(const char *dir, int *files)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort), failures = 0;
	if (n < 0)
		return 0; /* a seed directory that does not exist yet is fine */
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			printf("replay %s\n", path);
			fflush(stdout);
			failures += !replay_file(path);
			(*files)++;
		}
		free(names[i]);
	}
	free(names);
	return failures;
}

int
main(int argc, char **argv)
{
	int failures = 0, files = 0;
	for (int i = 1; i < argc; i++)
		failures += replay_dir(argv[i], &files);
	printf("%d inputs replayed, %d unreadable\n", files, failures);
	return failures || files == 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
