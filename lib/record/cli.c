/* cli.c - program name, messages, exit statuses, option arguments. */
#include "cli.h"

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
