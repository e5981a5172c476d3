/* files.c - files written so that a crash leaves the old one or the new one. */
#define _GNU_SOURCE
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* The directory part of path into dir ("." when it has none). */
static void parent_dir(const char *path, char *dir, size_t size)
{
	char copy[PATH_MAX];
	snprintf(copy, sizeof copy, "%s", path);
	snprintf(dir, size, "%s", dirname(copy));
}

bool soak_sync_parent_dir(const char *path, char *err)
{
	char dir[PATH_MAX];
	parent_dir(path, dir, sizeof dir);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return soak_errorf(err, "cannot open '%s': %s", dir, strerror(errno));
	bool ok = fsync(fd) == 0 || errno == EINVAL;
	int e = errno;
	close(fd);
	return ok || soak_errorf(err, "cannot sync '%s': %s", dir, strerror(e));
}

static bool write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

bool soak_atomic_write(const char *path, const char *data, size_t len, char *err)
{
	char tmp[PATH_MAX];
	char dir[PATH_MAX];
	parent_dir(path, dir, sizeof dir);
	if ((size_t)snprintf(tmp, sizeof tmp, "%s/.tmp.XXXXXX", dir) >= sizeof tmp)
		return soak_errorf(err, "path too long: '%s'", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return soak_errorf(err, "cannot create a file in '%s': %s", dir, strerror(errno));
	mode_t mask = umask(0);   /* mkostemp makes 0600; a run file is made as open(2) would */
	umask(mask);
	if (!write_all(fd, data, len) || fsync(fd) != 0 || fchmod(fd, 0666 & ~mask) != 0) {
		int e = errno ? errno : EIO;
		close(fd);
		unlink(tmp);
		return soak_errorf(err, "cannot write '%s': %s", path, strerror(e));
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		return soak_errorf(err, "cannot write '%s': %s", path, strerror(e));
	}
	return soak_sync_parent_dir(path, err);
}
