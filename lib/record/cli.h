/*
 * cli.h - conventions every soakkit program shares: its name in messages,
 * exit statuses, the die/warn pair, --help/--version and number options.
 */
#ifndef SOAK_CLI_H
#define SOAK_CLI_H

#include <stdbool.h>
#include <stdnoreturn.h>

/* Exit statuses, named once. */
enum soak_exit {
	SOAK_EXIT_OK = 0,      /* success */
	SOAK_EXIT_FAIL = 1,    /* a verdict of FAIL (kpi-gate --summary) */
	SOAK_EXIT_USAGE = 2,   /* bad usage or bad input */
	SOAK_EXIT_IO = 3       /* an I/O error */
};

/* Size of every error-message buffer passed around as `char *err`. */
#define SOAK_ERR_MAX 512

/* The program's name, set from argv[0] by soak_cli_init. */
extern const char *soak_progname;

/*
 * Set the program name from argv[0], ignore SIGPIPE (so a closed stdout
 * becomes EPIPE on write, which the stream code ends on quietly) and keep
 * numbers locale-independent.  Call first in main.
 */
void soak_cli_init(const char *argv0);

/* "PROGRAM: message\n" on stderr, then exit with `status`. */
noreturn void soak_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "PROGRAM: message\n" on stderr. */
void soak_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage error: the message, a hint to --help, exit 2. */
noreturn void soak_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* After getopt has printed its own complaint: the hint to --help, exit 2. */
noreturn void soak_usage_hint(void);

/* --help and --version in a getopt_long table, and its terminator. */
#define SOAK_HELP_VERSION_LONGOPTS \
	{"help", no_argument, NULL, 'h'}, \
	{"version", no_argument, NULL, 'V'}, \
	{NULL, 0, NULL, 0}

/*
 * The end of every option switch: 'h' prints help_text, 'V' the version
 * (both exit 0); anything else is a usage error getopt has already
 * described (exit 2).
 */
noreturn void soak_standard_option(int opt, const char *help_text);

/* Print `text` (the program's --help) to stdout, check the write, exit 0. */
noreturn void soak_print_help(const char *text);

/* Print "PROGRAM (soakkit) VERSION" to stdout, exit 0. */
noreturn void soak_print_version(void);

/*
 * Write msg into err (SOAK_ERR_MAX bytes) printf-style and return false,
 * so validation code can say `return soak_errorf(err, "...", ...);`.
 */
bool soak_errorf(char *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Parse an option argument as a finite number in [lo, hi]; a usage error
 * (exit 2) naming the option otherwise.
 */
double soak_arg_double(const char *option, const char *arg, double lo, double hi);

/* Parse an option argument as a whole number in [lo, hi]; usage error otherwise. */
long soak_arg_long(const char *option, const char *arg, long lo, long hi);

#endif
