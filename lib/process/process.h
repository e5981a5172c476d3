/*
 * process.h - child processes soak-run can trust (after git's
 * run-command.c): one struct describes a child, one call starts it with
 * its pipes, process group and parent-death signal, and every child
 * started is registered so that it is ended on every way out of the
 * parent: a normal exit, soak_die, or a signal.
 */
#ifndef SOAK_PROCESS_H
#define SOAK_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct soak_child {
	const char *name;      /* for messages: "kpi-gate", "engine" */
	char *const *argv;     /* argv[0] is looked up on PATH */
	int in_fd;             /* becomes stdin; -1: /dev/null */
	int out_fd;            /* becomes stdout; -1: inherit the parent's */
	int keep_fd;           /* one more fd the child keeps open (a lock); -1: none */
	bool own_group;        /* its own process group (ended as a whole) */
	bool group_keeper;     /* with own_group: a keeper leads the group and
				* runs argv as its child; when the keeper gets
				* TERM, HUP or INT, or the parent dies, it ends
				* the whole group (TERM, KILL after grace_ms) */
	int grace_ms;
	int death_signal;      /* sent to it when the parent dies; 0: none */
	pid_t pid;             /* set by soak_child_start */
	int status;            /* wait status, once reaped */
	bool reaped;
};

/*
 * Start c: fork, make in_fd/out_fd its stdin/stdout, close every other
 * descriptor the parent made close-on-exec (all of soak-run's), set its
 * process group and parent-death signal, exec argv.  An exec failure is
 * reported back through a close-on-exec pipe, so the caller learns of it
 * here (false, with "cannot run 'X': reason" in err), not from a child
 * that silently exits 127 (with a group keeper, argv's exec failure is
 * its exit status 127).  The child is registered for cleanup.
 */
bool soak_child_start(struct soak_child *c, char *err);

/* Take c (reaped) off the cleanup list, before its memory goes. */
void soak_child_forget(struct soak_child *c);

/*
 * Wait for any registered child; returns it (reaped, status set), or
 * NULL when none is left.  Interrupted waits are retried.
 */
struct soak_child *soak_child_wait_any(void);

/* Wait for c itself (reaped, status set). */
void soak_child_wait(struct soak_child *c);

/*
 * Send sig to c (to its whole group when it has its own); nothing when
 * it is already reaped.  Async-signal-safe.
 */
void soak_child_signal(const struct soak_child *c, int sig);

/*
 * End c's process group: TERM, then KILL once grace_ms have passed
 * without the group ending; c is reaped.  Async-signal-safe.
 */
void soak_child_end_group(struct soak_child *c, int grace_ms);

/*
 * End every registered child that is not reaped: each group child with
 * soak_child_end_group, every other one with TERM (KILL if it has not
 * ended within grace_ms), and reap them all.  Called at exit and
 * from the signal handlers soak_children_guard installs.  Async-signal-safe.
 */
void soak_children_cleanup(int grace_ms);

/*
 * Make the caller a child subreaper (orphans of its children's groups
 * become its children, to be reaped) and install the cleanup: at exit,
 * and on HUP, INT and TERM (which then
 * end the process with that signal, as if unhandled, so the caller's
 * parent sees the signal).  grace_ms is given to group children.
 */
void soak_children_guard(int grace_ms);

/*
 * A descriptor that becomes readable whenever a child ends (a SIGCHLD
 * handler writes to a pipe), for poll(2) next to other descriptors; -1
 * when it cannot be made.  soak_children_event_drain empties it.
 */
int soak_children_event_fd(void);
void soak_children_event_drain(void);

/*
 * Reap one registered child that has ended, without waiting; NULL when
 * none has (orphans of an engine, ours as a subreaper, are reaped too).
 */
struct soak_child *soak_child_reap_ended(void);

/*
 * "exit N" or "killed by signal N: NAME" for a wait status, into buf.
 */
void soak_wait_status_text(int status, char *buf, size_t size);

/*
 * Run argv with in_fd as stdin and collect its stdout (at most max
 * bytes) into a malloc'd buffer *out (NUL-terminated, length *len).
 * Returns the wait status, or -1 with err (cannot start it, output
 * too long, read error).
 */
int soak_child_capture(const char *name, char *const *argv, int in_fd,
		       char **out, size_t *len, size_t max, char *err);

/*
 * Write len bytes of data to path atomically (sqlite's rule): a
 * temporary file in the same directory, written, fsync'd, renamed over
 * path, then the directory fsync'd.  A crash at any point leaves the old
 * file or the new one.  False with err on any failure (the temporary
 * file removed).
 */
bool soak_atomic_write(const char *path, const char *data, size_t len, char *err);

/* fsync the directory that holds path (after a rename or unlink). */
bool soak_sync_parent_dir(const char *path, char *err);

#endif
