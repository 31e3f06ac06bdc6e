#include "atomic_file.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "xalloc.h"

static void
discard(struct atomic_file *f)
{
	int saved = errno;
	unlink(f->tmp);
	free(f->tmp);
	f->tmp = NULL;
	f->fp = NULL;
	errno = saved;
}

bool
atomic_file_open(struct atomic_file *f, const char *path, mode_t mode)
{
	f->path = path;
	f->tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	f->fp = fd >= 0 && fchmod(fd, mode) == 0 ? fdopen(fd, "w") : NULL;
	if (!f->fp) {
		if (fd >= 0) {
			int saved = errno;
			close(fd);
			errno = saved;
		}
		discard(f);
		return false;
	}
	return true;
}

bool
atomic_file_commit(struct atomic_file *f, bool sync)
{
	errno = 0;
	bool ok = !ferror(f->fp) && fflush(f->fp) == 0 && (!sync || fsync(fileno(f->fp)) == 0);
	ok = fclose(f->fp) == 0 && ok;
	ok = ok && rename(f->tmp, f->path) == 0;
	if (!ok) {
		if (errno == 0)
			errno = EIO; /* a write failed earlier (ferror) */
		discard(f);
		return false;
	}
	free(f->tmp);
	f->tmp = NULL;
	f->fp = NULL;
	return true;
}

void
atomic_file_abort(struct atomic_file *f)
{
	int saved = errno;
	fclose(f->fp);
	errno = saved;
	discard(f);
}

bool
atomic_write(const char *path, const void *data, size_t len, mode_t mode, bool sync)
{
	struct atomic_file f;
	if (!atomic_file_open(&f, path, mode))
		return false;
	if (len > 0 && fwrite(data, 1, len, f.fp) != len) {
		atomic_file_abort(&f);
		return false;
	}
	return atomic_file_commit(&f, sync);
}
