#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "test_support.h"
#include "core/atomic_file.h"

static char dir[] = "/tmp/roomsign-atomic-XXXXXX";

static int
make_dir(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return NULL;
	static char buf[256];
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static size_t
entries(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "ls -A %s | wc -l", dir);
	FILE *p = popen(cmd, "r");
	unsigned n = 0;
	assert_int_equal(fscanf(p, "%u", &n), 1);
	pclose(p);
	return n;
}

/* The new content replaces the old whole, with the mode asked for whatever the umask, and no
 * temporary file stays behind. */
static void
test_atomic_write_replaces_with_mode(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof(path), "%s/state", dir);
	mode_t old = umask(077);
	assert_true(atomic_write(path, "one\n", 4, 0644, true));
	umask(old);
	assert_string_equal(slurp(path), "one\n");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_true(atomic_write(path, "two\n", 4, 0600, false));
	assert_string_equal(slurp(path), "two\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(entries(), 1);
	unlink(path);
}

/* Given up half-way, or unable to rename (the path is a directory): the old file stays as it
 * was and the temporary file is gone. */
static void
test_atomic_failures_keep_the_old_file(void **state)
{
	(void)state;
	char path[256], sub[256];
	snprintf(path, sizeof(path), "%s/cache", dir);
	assert_true(atomic_write(path, "old\n", 4, 0600, false));
	struct atomic_file f;
	assert_true(atomic_file_open(&f, path, 0600));
	fputs("half", f.fp);
	atomic_file_abort(&f);
	assert_string_equal(slurp(path), "old\n");
	assert_int_equal(entries(), 1);
	snprintf(sub, sizeof(sub), "%s/adir", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	char inner[300];
	snprintf(inner, sizeof(inner), "%s/x", sub);
	assert_true(atomic_write(inner, "x", 1, 0600, false));
	errno = 0;
	assert_false(atomic_write(sub, "new\n", 4, 0600, false)); /* rename over a non-empty directory */
	assert_int_not_equal(errno, 0);
	assert_int_equal(entries(), 2); /* cache and adir: no temporary left */
	char missing[256];
	snprintf(missing, sizeof(missing), "%s/no/such/dir/file", dir);
	assert_false(atomic_write(missing, "x", 1, 0600, false));
	assert_int_equal(errno, ENOENT);
	unlink(inner);
	rmdir(sub);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atomic_write_replaces_with_mode),
		cmocka_unit_test(test_atomic_failures_keep_the_old_file),
	};
	return cmocka_run_group_tests(tests, make_dir, NULL);
}
