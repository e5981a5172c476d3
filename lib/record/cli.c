/* cli.c - program name, messages, exit statuses, option arguments. */
#include "cli.h"
#include "preset.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *soak_progname = "soakkit";

void soak_cli_init(const char *argv0)
{
	if (argv0 && *argv0) {
		const char *slash = strrchr(argv0, '/');
		soak_progname = slash ? slash + 1 : argv0;
	}
	/* Numbers are read and written in the C locale whatever LC_ALL says. */
	setlocale(LC_ALL, "C");
	signal(SIGPIPE, SIG_IGN);
}

static void vmessage(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", soak_progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void soak_die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	exit(status);
}

void soak_grow(char **buf, size_t *cap, size_t need, size_t limit)
{
	if (*buf && *cap >= need)
		return;
	size_t want = *cap ? *cap : 4096;
	while (want < need)
		want = want > limit / 2 ? limit : want * 2;
	if (want > limit)
		want = limit; /* a first block under a small limit */
	char *grown = realloc(*buf, want);
	if (!grown)
		soak_die(SOAK_EXIT_IO, "out of memory");
	*buf = grown;
	*cap = want;
}

void soak_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

void soak_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", soak_progname);
	exit(SOAK_EXIT_USAGE);
}

void soak_usage_hint(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", soak_progname);
	exit(SOAK_EXIT_USAGE);
}

static noreturn void exit_after_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (errno == EPIPE)
			exit(SOAK_EXIT_OK);
		soak_die(SOAK_EXIT_IO, "write error: %s", strerror(errno));
	}
	exit(SOAK_EXIT_OK);
}

void soak_print_help(const char *text)
{
	fputs(text, stdout);
	exit_after_stdout();
}

void soak_print_version(void)
{
	printf("%s (soakkit) %s\n", soak_progname, SOAK_VERSION);
	exit_after_stdout();
}

void soak_standard_option(int opt, const char *help_text)
{
	if (opt == 'h')
		soak_print_help(help_text);
	if (opt == 'V')
		soak_print_version();
	if (opt == SOAK_OPT_LIST_PRESETS) {
		soak_list_data_files(stdout);
		exit_after_stdout();
	}
	soak_usage_hint();
}

bool soak_errorf(char *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, SOAK_ERR_MAX, fmt, ap);
	va_end(ap);
	return false;
}

double soak_arg_double(const char *option, const char *arg, double lo, double hi)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno == ERANGE || !isfinite(v))
		soak_usage_error("option '%s': '%s' is not a number", option, arg);
	if (v < lo || v > hi)
		soak_usage_error("option '%s': %s is out of range [%g, %g]", option, arg, lo, hi);
	return v;
}

long soak_arg_long(const char *option, const char *arg, long lo, long hi)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (end == arg || *end != '\0' || errno == ERANGE)
		soak_usage_error("option '%s': '%s' is not a whole number", option, arg);
	if (v < lo || v > hi)
		soak_usage_error("option '%s': %s is out of range [%ld, %ld]", option, arg, lo, hi);
	return v;
}

/* ------------------------------------------------------------------ */
/* Suggestions                                                         */

static char fold_separator(char c)
{
	return c == '-' ? '_' : c;
}

/* Damerau-Levenshtein distance (optimal string alignment) of a and b,
 * stopping at `cap` + 1; '-' and '_' are the same letter. */
static size_t edit_distance(const char *a, const char *b, size_t cap)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > 64 || m > 64)
		return cap + 1;
	if ((n > m ? n - m : m - n) > cap)
		return cap + 1;
	size_t d[65][65];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			size_t cost = fold_separator(a[i - 1]) != fold_separator(b[j - 1]);
			size_t best = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[n][m];
}

const char *soak_suggest(const char *word, const char *const *candidates, size_t n)
{
	size_t cap = strlen(word) / 3;
	if (cap < 1)
		cap = 1;
	if (cap > 4)
		cap = 4;
	const char *best = NULL;
	size_t best_distance = cap + 1;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, candidates[i], cap);
		if (d < best_distance && strcmp(word, candidates[i]) != 0) {
			best = candidates[i];
			best_distance = d;
		}
	}
	return best;
}

const char *soak_did_you_mean(char *buf, size_t size, const char *word,
			      const char *const *candidates, size_t n)
{
	const char *near = soak_suggest(word, candidates, n);
	if (near)
		snprintf(buf, size, "; did you mean '%s'?", near);
	else if (size)
		buf[0] = '\0';
	return buf;
}

/* ------------------------------------------------------------------ */
/* Options                                                             */

#define MAX_LONGOPTS 64

/* The long option names of a getopt_long table. */
static size_t longopt_names(const struct option *longopts, const char **names)
{
	size_t n = 0;
	for (; longopts->name && n < MAX_LONGOPTS; longopts++)
		names[n++] = longopts->name;
	return n;
}

/* "--name" of "--name=value", into buf. */
static const char *option_name(const char *arg, char *buf, size_t size)
{
	size_t len = strcspn(arg, "=");
	snprintf(buf, size, "%.*s", (int)len, arg);
	return buf;
}

static noreturn void bad_long_option(const char *arg, const struct option *longopts)
{
	const char *names[MAX_LONGOPTS], *matches[MAX_LONGOPTS];
	char name[128], hint[160];
	size_t n = longopt_names(longopts, names), n_matches = 0;
	option_name(arg + 2, name, sizeof name);
	for (size_t i = 0; i < n; i++)
		if (name[0] && strncmp(names[i], name, strlen(name)) == 0)
			matches[n_matches++] = names[i];
	if (n_matches > 1) {
		fprintf(stderr, "%s: option '--%s' is ambiguous; possibilities:", soak_progname, name);
		for (size_t i = 0; i < n_matches; i++)
			fprintf(stderr, " '--%s'", matches[i]);
		fputc('\n', stderr);
		soak_usage_hint();
	}
	const char *near = soak_suggest(name, names, n);
	if (near)
		snprintf(hint, sizeof hint, "; did you mean '--%s'?", near);
	else
		hint[0] = '\0';
	soak_usage_error("unknown option '--%s'%s", name, hint);
}

static const struct option *longopt_with_val(const struct option *longopts, int val)
{
	for (; longopts->name; longopts++)
		if (longopts->val == val && !longopts->flag)
			return longopts;
	return NULL;
}

/* getopt has returned '?' or ':' for argv[optind - 1] (or a short option). */
static noreturn void bad_option(int opt, char *const argv[], const char *shortopts,
				const struct option *longopts)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	char name[128];
	bool is_long = strncmp(arg, "--", 2) == 0 && arg[2];
	if (opt == ':' && is_long)
		soak_usage_error("option '%s' requires an argument", option_name(arg, name, sizeof name));
	if (opt == ':')
		soak_usage_error("option '-%c' requires an argument", optopt);
	if (is_long && optopt) {
		const struct option *o = longopt_with_val(longopts, optopt);
		soak_usage_error("option '--%s' takes no argument", o ? o->name
				 : option_name(arg + 2, name, sizeof name));
	}
	if (is_long)
		bad_long_option(arg, longopts);
	(void)shortopts;
	soak_usage_error("unknown option '-%c'", optopt ? optopt : '?');
}

int soak_getopt_long(int argc, char *const argv[], const char *shortopts,
		     const struct option *longopts)
{
	char quiet[128];
	bool mode = shortopts[0] == '+' || shortopts[0] == '-';   /* getopt's ordering mode first */
	snprintf(quiet, sizeof quiet, "%.*s:%s", mode ? 1 : 0, shortopts, shortopts + (mode ? 1 : 0));
	opterr = 0;
	int opt = getopt_long(argc, argv, quiet, longopts, NULL);
	if (opt == '?' || opt == ':')
		bad_option(opt, argv, shortopts, longopts);
	return opt;
}
