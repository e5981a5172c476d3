/*
 * cli.h - conventions every soakkit program shares: its name in messages,
 * exit statuses, the die/warn pair, --help/--version and number options.
 */
#ifndef SOAK_CLI_H
#define SOAK_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
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

/*
 * Room for at least `need' bytes in *buf (grown with realloc; *cap is its
 * size): the size doubles from 4096, or from *cap, but never passes
 * `limit' (need <= limit; SIZE_MAX for none).  Out of memory: exit 3.
 */
void soak_grow(char **buf, size_t *cap, size_t need, size_t limit);

/* "PROGRAM: message\n" on stderr. */
void soak_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage error: the message, a hint to --help, exit 2. */
noreturn void soak_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* After getopt has printed its own complaint: the hint to --help, exit 2. */
noreturn void soak_usage_hint(void);

/*
 * getopt_long for every program: the same, but a bad option is reported
 * here, git-style, and exits 2 with the hint to --help: an unknown long
 * option with the nearest known one ("unknown option '--warmpu'; did you
 * mean '--warmup'?"), an ambiguous abbreviation with its candidates, an
 * unknown short option, a missing or unexpected argument.
 */
int soak_getopt_long(int argc, char *const argv[], const char *shortopts,
		     const struct option *longopts);

/*
 * The candidate nearest to word, or NULL when none is near: the Damerau-
 * Levenshtein distance (insert, delete, substitute, swap two neighbours;
 * '-' and '_' count as the same letter) is at most a third of word's
 * length, at least 1 and at most 4.  Ties go to the first candidate.
 */
const char *soak_suggest(const char *word, const char *const *candidates, size_t n);

/*
 * Write "; did you mean 'X'?" into buf (size bytes) when soak_suggest
 * finds X among candidates, else an empty string; returns buf.  For
 * appending to a message.
 */
const char *soak_did_you_mean(char *buf, size_t size, const char *word,
			      const char *const *candidates, size_t n);

/* --list-presets: list the data files that can be named (soak_list_data_files). */
enum { SOAK_OPT_LIST_PRESETS = 0x1100 };
#define SOAK_LIST_PRESETS_LONGOPT \
	{"list-presets", no_argument, NULL, SOAK_OPT_LIST_PRESETS}
#define SOAK_LIST_PRESETS_HELP \
"      --list-presets          list the presets, thresholds, rules and markets\n" \
"                              that can be given by NAME, and exit\n"

/* --help and --version in a getopt_long table, and its terminator. */
#define SOAK_HELP_VERSION_LONGOPTS \
	{"help", no_argument, NULL, 'h'}, \
	{"version", no_argument, NULL, 'V'}, \
	{NULL, 0, NULL, 0}

/*
 * The end of every option switch: 'h' prints help_text, 'V' the version,
 * --list-presets the data files (all exit 0); anything else is a usage
 * error getopt has already described (exit 2).
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
