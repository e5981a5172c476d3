/* rundir.c - the run directory: lock, last line, trim, run.args. */
#define _GNU_SOURCE
#include "rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

bool soak_mkdir_p(const char *dir, char *err)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof path, "%s", dir) >= sizeof path || !*path)
		return soak_errorf(err, "bad directory name '%s'", dir);
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		struct stat st;
		if (mkdir(path, 0777) != 0 && (errno != EEXIST || stat(path, &st) != 0
					       || !S_ISDIR(st.st_mode)))
			return soak_errorf(err, "cannot create '%s': %s", path,
					   errno == EEXIST ? "not a directory" : strerror(errno));
		*p = c;
		if (c == '\0')
			return true;
	}
}

bool soak_dir_has_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	struct dirent *e;
	bool any = false;
	while (!any && (e = readdir(d)))
		any = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return any;
}

static void read_holder(int fd, char *pid, size_t size)
{
	ssize_t n = pread(fd, pid, size - 1, 0);
	size_t len = n > 0 ? (size_t)n : 0;
	pid[len] = '\0';
	pid[strspn(pid, "0123456789")] = '\0';
	if (!*pid)
		snprintf(pid, size, "unknown");
}

int soak_lock_run_dir(const char *dir, bool create, bool *busy, char *err)
{
	char path[PATH_MAX];
	*busy = false;
	if ((size_t)snprintf(path, sizeof path, "%s/run.lock", dir) >= sizeof path)
		return soak_errorf(err, "path too long: '%s'", dir), -1;
	int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0666);
	if (fd < 0 && !create && errno == ENOENT)
		return -2;
	if (fd < 0)
		return soak_errorf(err, "cannot open '%s': %s", path, strerror(errno)), -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		char pid[32];
		read_holder(fd, pid, sizeof pid);
		close(fd);
		*busy = e == EWOULDBLOCK;
		if (*busy)
			return soak_errorf(err, "'%s' is in use by a live run (soak-run PID %s, "
					   "see %s)", dir, pid, path), -1;
		return soak_errorf(err, "cannot lock '%s': %s", path, strerror(e)), -1;
	}
	if (!create)
		return fd;
	char pid[32];
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		int e = errno;
		close(fd);
		return soak_errorf(err, "cannot write '%s': %s", path, strerror(e)), -1;
	}
	return fd;
}

/*
 * The offset just after the last newline before end (0 if none), looking
 * no further back than a line of `limit' bytes needs: the newline before
 * such a line is at end - limit - 1.  Returns 0, SOAK_EXIT_USAGE for a
 * longer line or SOAK_EXIT_IO for a read error (err says which).
 */
static int after_last_newline(int fd, off_t end, off_t limit, off_t *pos, char *err)
{
	char buf[8192];
	off_t stop = end > limit ? end - limit - 1 : 0;
	off_t at = end;
	while (at > stop) {
		size_t n = at - stop < (off_t)sizeof buf ? (size_t)(at - stop) : sizeof buf;
		at -= (off_t)n;
		if (pread(fd, buf, n, at) != (ssize_t)n) {
			soak_errorf(err, "read error: %s", strerror(errno ? errno : EIO));
			return SOAK_EXIT_IO;
		}
		for (size_t i = n; i > 0; i--)
			if (buf[i - 1] == '\n') {
				*pos = at + (off_t)i;
				return 0;
			}
	}
	if (end > limit) {
		soak_errorf(err, "a line longer than %lld bytes", (long long)limit);
		return SOAK_EXIT_USAGE;
	}
	*pos = 0;
	return 0;
}

bool soak_trim_partial_line(int fd, off_t *cut, char *err)
{
	off_t end = lseek(fd, 0, SEEK_END);
	if (end < 0)
		return soak_errorf(err, "cannot seek: %s", strerror(errno));
	off_t keep;
	if (after_last_newline(fd, end, end, &keep, err) != 0)
		return false;
	*cut = end - keep;
	if (*cut == 0)
		return true;
	if (ftruncate(fd, keep) != 0 || fsync(fd) != 0)
		return soak_errorf(err, "cannot cut the last line: %s", strerror(errno));
	return true;
}

int soak_last_line(int fd, off_t *start, size_t *len, size_t max, char *err)
{
	off_t end = lseek(fd, 0, SEEK_END);
	if (end < 0) {
		soak_errorf(err, "cannot seek: %s", strerror(errno));
		return SOAK_EXIT_IO;
	}
	if (end == 0) {
		*start = 0;
		*len = 0;
		return 0;
	}
	int status = after_last_newline(fd, end - 1, (off_t)max, start, err);
	if (status == 0)
		*len = (size_t)(end - 1 - *start);
	return status;
}

char *soak_args_encode(char *const *args, int n, size_t *len)
{
	size_t total = 0;
	for (int i = 0; i < n; i++)
		total += strlen(args[i]) + 1;
	char *buf = malloc(total + 1);
	if (!buf)
		return NULL;
	char *p = buf;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(args[i]) + 1;
		memcpy(p, args[i], l);
		p += l;
	}
	*len = total;
	return buf;
}

char **soak_args_decode(char *buf, size_t len, int max, int *n, char *err)
{
	if (len > 0 && buf[len - 1] != '\0')
		return soak_errorf(err, "not a list of NUL-ended arguments"), NULL;
	char **args = calloc((size_t)max + 1, sizeof *args);
	if (!args)
		return soak_errorf(err, "out of memory"), NULL;
	*n = 0;
	for (size_t at = 0; at < len; at += strlen(buf + at) + 1) {
		if (*n == max) {
			free(args);
			return soak_errorf(err, "more than %d arguments", max), NULL;
		}
		args[(*n)++] = buf + at;
	}
	return args;
}

char *soak_read_small_file(const char *path, size_t max, size_t *len, char *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return soak_errorf(err, "cannot read '%s': %s", path, strerror(errno)), NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		close(fd);
		return soak_errorf(err, "'%s' is not a regular file of at most %zu bytes",
				   path, max), NULL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	ssize_t n = buf ? read(fd, buf, (size_t)st.st_size) : -1;
	int e = errno;
	close(fd);
	if (n != st.st_size) {
		free(buf);
		return soak_errorf(err, "cannot read '%s': %s", path, strerror(n < 0 ? e : EIO)), NULL;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}
