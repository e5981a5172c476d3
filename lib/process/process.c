/* process.c - child processes: start, wait, end, clean up; atomic files. */
#define _GNU_SOURCE
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Every child started and not yet forgotten; read by the signal handlers. */
#define MAX_CHILDREN 32
static struct soak_child *volatile registry[MAX_CHILDREN];
static volatile sig_atomic_t n_registered;
static int cleanup_grace_ms = 2000;

/* Registry changes with the cleanup signals held off. */
static void block_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, old);
}

static bool register_child(struct soak_child *c)
{
	sigset_t old;
	block_signals(&old);
	bool ok = n_registered < MAX_CHILDREN;
	for (int i = 0; i < n_registered; i++)
		if (registry[i] == c)
			ok = false;
	if (ok) {
		registry[n_registered] = c;
		n_registered++;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ok;
}

void soak_child_forget(struct soak_child *c)
{
	sigset_t old;
	block_signals(&old);
	for (int i = 0; i < n_registered; i++)
		if (registry[i] == c) {
			registry[i] = registry[n_registered - 1];
			n_registered--;
			break;
		}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static volatile sig_atomic_t keeper_signal;

static void keeper_on_signal(int sig)
{
	keeper_signal = sig;
}

/*
 * The keeper (leader of its group) asks the group to end: TERM, up to
 * grace_ms for argv's process, then KILL to the group (itself included).
 */
static noreturn void keeper_end_group(pid_t engine, int grace_ms)
{
	signal(SIGTERM, SIG_IGN);
	kill(0, SIGTERM);
	const struct timespec step = {0, 10 * 1000 * 1000};
	int status;
	for (int waited = 0; waited < grace_ms; waited += 10) {
		if (waitpid(engine, &status, WNOHANG) == engine)
			break;
		nanosleep(&step, NULL);
	}
	kill(0, SIGKILL);
	_exit(127);
}

/*
 * The group keeper: runs argv as its child and ends with its status; a
 * TERM, HUP or INT (the parent's death signal among them) ends the
 * whole group first, so nothing of it outlives soak-run, even after a
 * kill -9 of soak-run.
 */
static noreturn void run_keeper(const struct soak_child *c)
{
	close_range(3, ~0U, 0);
	signal(SIGCHLD, SIG_DFL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = keeper_on_signal;   /* no SA_RESTART: waitpid returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	pid_t engine = fork();
	if (engine == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		execvp(c->argv[0], c->argv);
		_exit(127);
	}
	/* Only argv's process holds the pipes: its end of output is the end. */
	close(0);
	close(1);
	int status = 0;
	while (engine > 0 && waitpid(engine, &status, 0) != engine)
		if (keeper_signal)
			keeper_end_group(engine, c->grace_ms);
	if (keeper_signal || engine < 0)
		keeper_end_group(engine, c->grace_ms);
	if (WIFSIGNALED(status)) {   /* end as it ended */
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
	}
	_exit(WEXITSTATUS(status));
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static noreturn void exec_child(const struct soak_child *c, pid_t parent, int notify)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (c->own_group)
		setpgid(0, 0);
	if (c->death_signal) {
		prctl(PR_SET_PDEATHSIG, c->death_signal);
		if (getppid() != parent)   /* the parent died before prctl */
			_exit(127);
	}
	int in = c->in_fd >= 0 ? c->in_fd : open("/dev/null", O_RDONLY);
	if (in < 0 || dup2(in, 0) < 0 || (c->out_fd >= 0 && dup2(c->out_fd, 1) < 0)
	    || (c->keep_fd >= 0 && fcntl(c->keep_fd, F_SETFD, 0) < 0)) {
		int e = errno;
		(void)!write(notify, &e, sizeof e);
		_exit(127);
	}
	if (c->group_keeper)
		run_keeper(c);
	execvp(c->argv[0], c->argv);
	int e = errno;
	(void)!write(notify, &e, sizeof e);
	_exit(127);
}

bool soak_child_start(struct soak_child *c, char *err)
{
	int notify[2];
	if (pipe2(notify, O_CLOEXEC) != 0)
		return soak_errorf(err, "cannot make a pipe: %s", strerror(errno));
	pid_t parent = getpid();
	c->reaped = false;
	c->status = 0;
	c->pid = -1;
	if (!register_child(c)) {
		close(notify[0]);
		close(notify[1]);
		return soak_errorf(err, "too many child processes");
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(notify[0]);
		close(notify[1]);
		c->reaped = true;
		return soak_errorf(err, "cannot start '%s': %s", c->argv[0], strerror(errno));
	}
	if (pid == 0)
		exec_child(c, parent, notify[1]);
	c->pid = pid;
	if (c->own_group)
		setpgid(pid, pid);   /* also here: no window where it is not yet its own */
	close(notify[1]);
	int e = 0;
	ssize_t n;
	while ((n = read(notify[0], &e, sizeof e)) < 0 && errno == EINTR)
		;
	close(notify[0]);
	if (n > 0) {
		soak_child_wait(c);
		return soak_errorf(err, "cannot run '%s': %s", c->argv[0], strerror(e));
	}
	return true;
}

static struct soak_child *registered_with_pid(pid_t pid)
{
	for (int i = 0; i < n_registered; i++)
		if (registry[i]->pid == pid && !registry[i]->reaped)
			return registry[i];
	return NULL;
}

struct soak_child *soak_child_wait_any(void)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			return NULL;
		struct soak_child *c = registered_with_pid(pid);
		if (c) {
			c->status = status;
			c->reaped = true;
			return c;
		}
	}
}

void soak_child_wait(struct soak_child *c)
{
	while (!c->reaped) {
		int status;
		pid_t pid = waitpid(c->pid, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		c->status = pid < 0 ? 0 : status;
		c->reaped = true;
	}
}

void soak_child_signal(const struct soak_child *c, int sig)
{
	if (c->pid <= 0 || c->reaped)
		return;
	kill(c->own_group ? -c->pid : c->pid, sig);
}

/*
 * Reap what has ended of c's group (its leader, and, since we are a
 * subreaper, any of its orphans); true when nothing of it is left.
 */
static bool group_gone(struct soak_child *c)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-c->pid, &status, WNOHANG)) > 0)
		if (pid == c->pid) {
			c->status = status;
			c->reaped = true;
		}
	return kill(-c->pid, 0) != 0 && errno == ESRCH;
}

void soak_child_end_group(struct soak_child *c, int grace_ms)
{
	if (c->pid <= 0)
		return;
	if (kill(-c->pid, SIGTERM) != 0 && errno == ESRCH && c->reaped)
		return;
	const struct timespec step = {0, 10 * 1000 * 1000};
	for (int waited = 0; waited < grace_ms && !group_gone(c); waited += 10)
		nanosleep(&step, NULL);
	kill(-c->pid, SIGKILL);
	while (!c->reaped) {
		int status;
		pid_t pid = waitpid(c->pid, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		c->status = status;
		c->reaped = true;
	}
}

/* Reap c within grace_ms, else KILL it and reap it. */
static void reap_or_kill(struct soak_child *c, int grace_ms)
{
	const struct timespec step = {0, 5 * 1000 * 1000};
	int status;
	for (int waited = 0; !c->reaped && waited < grace_ms; waited += 5) {
		pid_t pid = waitpid(c->pid, &status, WNOHANG);
		if (pid == c->pid || (pid < 0 && errno == ECHILD)) {
			c->status = status;
			c->reaped = true;
		} else {
			nanosleep(&step, NULL);
		}
	}
	if (c->reaped)
		return;
	kill(c->pid, SIGKILL);
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	c->status = status;
	c->reaped = true;
}

void soak_children_cleanup(int grace_ms)
{
	for (int i = 0; i < n_registered; i++)
		if (!registry[i]->own_group)
			soak_child_signal(registry[i], SIGTERM);
	for (int i = 0; i < n_registered; i++)
		if (registry[i]->own_group)
			soak_child_end_group(registry[i], grace_ms);
	for (int i = 0; i < n_registered; i++)
		if (!registry[i]->own_group && registry[i]->pid > 0)
			reap_or_kill(registry[i], grace_ms);
}

static void cleanup_at_exit(void)
{
	soak_children_cleanup(cleanup_grace_ms);
}

static void cleanup_on_signal(int sig)
{
	soak_children_cleanup(cleanup_grace_ms);
	signal(sig, SIG_DFL);
	raise(sig);
}

void soak_children_guard(int grace_ms)
{
	cleanup_grace_ms = grace_ms;
	/* An engine's orphans become our children, so we can reap them and
	 * know when its group is really gone. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	atexit(cleanup_at_exit);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = cleanup_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int event_pipe[2] = {-1, -1};

static void on_child_ended(int sig)
{
	(void)sig;
	int saved = errno;
	(void)!write(event_pipe[1], "", 1);
	errno = saved;
}

int soak_children_event_fd(void)
{
	if (event_pipe[0] >= 0)
		return event_pipe[0];
	if (pipe2(event_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return -1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_child_ended;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	return event_pipe[0];
}

void soak_children_event_drain(void)
{
	char buf[64];
	while (event_pipe[0] >= 0 && read(event_pipe[0], buf, sizeof buf) > 0)
		;
}

struct soak_child *soak_child_reap_ended(void)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct soak_child *c = registered_with_pid(pid);
		if (c) {
			c->status = status;
			c->reaped = true;
			return c;
		}
	}
	return NULL;
}

void soak_wait_status_text(int status, char *buf, size_t size)
{
	if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d: %s", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, size, "exit %d", WEXITSTATUS(status));
}

int soak_child_capture(const char *name, char *const *argv, int in_fd,
		       char **out, size_t *len, size_t max, char *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return soak_errorf(err, "cannot make a pipe: %s", strerror(errno)), -1;
	struct soak_child c = {.name = name, .argv = argv, .in_fd = in_fd,
			       .out_fd = p[1], .keep_fd = -1, .death_signal = SIGKILL};
	bool started = soak_child_start(&c, err);
	close(p[1]);
	size_t cap = 4096, n = 0;
	char *buf = started ? malloc(cap) : NULL;
	bool ok = buf != NULL;
	while (ok) {
		if (n + 1 >= cap) {
			char *more = cap < max + 2 ? realloc(buf, cap *= 2) : NULL;
			if (!more) {
				ok = soak_errorf(err, "'%s' wrote more than %zu bytes", name, max);
				break;
			}
			buf = more;
		}
		ssize_t r = read(p[0], buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			ok = soak_errorf(err, "cannot read from '%s': %s", name, strerror(errno));
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n > max)
			ok = soak_errorf(err, "'%s' wrote more than %zu bytes", name, max);
	}
	close(p[0]);
	if (!started) {
		soak_child_forget(&c);
		return -1;
	}
	if (!ok)
		soak_child_signal(&c, SIGKILL);
	soak_child_wait(&c);
	soak_child_forget(&c);
	if (!ok) {
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return c.status;
}
