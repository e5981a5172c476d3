/*
 * rundir.h - soak-run's output directory: its lock, its log's last line,
 * the trim of a line a crash cut short, run.args as data.
 */
#ifndef SOAK_RUNDIR_H
#define SOAK_RUNDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Create dir and its missing parents (mode 0777 less the umask), like
 * mkdir -p; a name starting with '-' is just a name.  False with err.
 */
bool soak_mkdir_p(const char *dir, char *err);

/* Whether dir exists and holds anything; false when it does not exist. */
bool soak_dir_has_entries(const char *dir);

/*
 * Lock the run directory: DIR/run.lock, flock'd exclusively without
 * waiting, our PID written into it (with create; without it, a probe that
 * changes nothing).  Returns the lock's fd (close-on-exec;
 * children that should hold the lock keep it) or -1: when another
 * process holds it, err says so with the PID in the file; *busy is set.
 * With create false a missing lock file is not an error (returns -2).
 */
int soak_lock_run_dir(const char *dir, bool create, bool *busy, char *err);

/*
 * Cut the file at fd after its last newline with ftruncate (never a
 * rewrite: a crash during it leaves the file as it was or shorter by the
 * cut-off bytes only), then fsync.  *cut is the number of bytes dropped.
 */
bool soak_trim_partial_line(int fd, off_t *cut, char *err);

/*
 * The offset of the start of the last line of the file at fd (which ends
 * with a newline or is empty) into *start, its length without the newline
 * into *len (0 for an empty file).  At most max + 1 bytes are looked at.
 * Returns 0; SOAK_EXIT_USAGE when the line is longer than max bytes (bad
 * input), SOAK_EXIT_IO on a read error, with a message in err.
 */
int soak_last_line(int fd, off_t *start, size_t *len, size_t max, char *err);

/*
 * run.args: arguments as data, each followed by a NUL byte.  Encode
 * n args into a malloc'd buffer; decode a buffer into a malloc'd,
 * NULL-terminated array of pointers into buf (false when buf does not
 * end with a NUL or holds more than max arguments).
 */
char *soak_args_encode(char *const *args, int n, size_t *len);
char **soak_args_decode(char *buf, size_t len, int max, int *n, char *err);

/* Read a whole small regular file (at most max bytes) into a malloc'd, NUL-ended buffer. */
char *soak_read_small_file(const char *path, size_t max, size_t *len, char *err);

#endif
