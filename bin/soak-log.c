/* soak-log - pass records on, appending each durably to a log file. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "params.h"
#include "record.h"
#include "rundir.h"

#define MAX_LAST_LINE (16L * 1024 * 1024)

static const char help_text[] =
"Usage: soak-log [OPTION]... FILE\n"
"Copy each record from stdin to stdout unchanged, and append it to FILE,\n"
"flushed and fsync'd before it is passed on: a run that is killed leaves\n"
"FILE ending at its last complete record (soak-run --resume starts there).\n"
"Each record's iteration must be greater than the one before it, and than\n"
"the last one FILE holds: anything else is a bad line, never logged.\n"
"\n"
"      --truncate        empty FILE first (default: append)\n"
"      --progress        a one-line summary of each record on stderr\n"
SOAK_STREAM_HELP
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n";

struct log_options {
	const char *path;
	int truncate;
	int progress;
};

/* Append one line and make it durable; false with err when it cannot be. */
static bool append_durably(FILE *log, const char *path, const char *line, size_t len, char *err)
{
	if (fwrite(line, 1, len, log) != len || putc('\n', log) == EOF || fflush(log) != 0)
		return soak_errorf(err, "write error on '%s': %s", path, strerror(errno));
	/* A FILE that cannot be synced (/dev/null, a pipe) has nothing to make durable. */
	if (fsync(fileno(log)) != 0 && errno != EINVAL && errno != EROFS)
		return soak_errorf(err, "cannot sync '%s': %s", path, strerror(errno));
	return true;
}

/* A string from the record, shown only as printable ASCII (no escape
 * sequences reach the terminal), or "-" when absent. */
static void print_text(const cJSON *v, int width)
{
	char shown[24];
	size_t n = 0;
	if (cJSON_IsString(v))
		for (const char *p = v->valuestring; *p && n < sizeof shown - 1; p++)
			shown[n++] = *p >= 0x20 && *p < 0x7f ? *p : '?';
	shown[n] = '\0';
	fprintf(stderr, "  %-*s", width, n ? shown : "-");
}

static void print_kpi(const cJSON *summary, const char *key, const char *label)
{
	const cJSON *v = soak_get(summary, key);
	if (cJSON_IsNumber(v) && fabs(v->valuedouble) < 1e6)
		fprintf(stderr, "  %s %7.2f", label, v->valuedouble);
	else if (cJSON_IsNumber(v))
		fprintf(stderr, "  %s %7.3g", label, v->valuedouble);
	else
		fprintf(stderr, "  %s %7s", label, "-");
}

/* "iter   3  WARMUP    WARN  net  2.10  mt  0.85  p95 300.00  risk 0.40  keys a,b" */
static void print_progress(const cJSON *rec, long iteration)
{
	fprintf(stderr, "iter %3ld", iteration);
	print_text(soak_get(soak_get(rec, "phase"), "name"), 8);
	print_text(soak_get(soak_get(rec, "gate"), "status"), 4);
	const cJSON *summary = soak_get(rec, "summary");
	print_kpi(summary, "net_bps", "net");
	print_kpi(summary, "maker_taker_ratio", "mt");
	print_kpi(summary, "p95_latency_ms", "p95");
	print_kpi(summary, "risk_ratio", "risk");
	const cJSON *keys = soak_get(soak_get(rec, "tuning"), "changed_keys");
	fputs("  keys ", stderr);
	int n = 0;
	for (const cJSON *k = cJSON_IsArray(keys) ? keys->child : NULL; k; k = k->next)
		if (cJSON_IsString(k) && soak_param_by_key(k->valuestring) >= 0)
			fprintf(stderr, "%s%s", n++ ? "," : "", k->valuestring);
	fputs(n ? "\n" : "-\n", stderr);
}

/*
 * The iteration of FILE's last line, 0 when FILE is empty.  A FILE that
 * ends in the middle of a line, or whose last line has no iteration,
 * cannot be appended to.
 */
static long last_logged_iteration(FILE *log, const char *path)
{
	char err[SOAK_ERR_MAX], c;
	int fd = fileno(log);
	off_t end = lseek(fd, 0, SEEK_END), start;
	size_t len;
	if (end < 0)
		soak_die(SOAK_EXIT_IO, "cannot seek '%s': %s", path, strerror(errno));
	if (end == 0)
		return 0;
	if (pread(fd, &c, 1, end - 1) != 1)
		soak_die(SOAK_EXIT_IO, "cannot read '%s': %s", path, strerror(errno));
	if (c != '\n')
		soak_die(SOAK_EXIT_USAGE, "'%s' ends in the middle of a line (soak-run --resume "
			 "drops such a line)", path);
	int status = soak_last_line(fd, &start, &len, MAX_LAST_LINE, err);
	if (status == SOAK_EXIT_USAGE)
		soak_die(status, "'%s': last line: %s", path, err);
	if (status != 0)
		soak_die(status, "'%s': %s", path, err);
	char *line = malloc(len + 1);
	if (!line || pread(fd, line, len, start) != (ssize_t)len)
		soak_die(SOAK_EXIT_IO, "cannot read '%s': %s", path, strerror(errno));
	line[len] = '\0';
	long last;
	cJSON *rec = soak_parse_checked(line, len, err);
	if (!rec || !soak_get_iteration(rec, &last, err))
		soak_die(SOAK_EXIT_USAGE, "'%s': last line: %s", path, err);
	cJSON_Delete(rec);
	free(line);
	return last;
}

/* A record may be logged when its iteration comes after the last one. */
static bool follows(struct soak_stream *s, const cJSON *rec, long *last, const char *path)
{
	char err[SOAK_ERR_MAX];
	long it;
	if (!soak_get_iteration(rec, &it, err)) {
		soak_stream_reject(s, "%s", err);
		return false;
	}
	if (it <= *last) {
		soak_stream_reject(s, "iteration %ld does not follow iteration %ld, the last in '%s'",
				   it, *last, path);
		return false;
	}
	*last = it;
	return true;
}

static void parse_options(int argc, char **argv, struct soak_stream *s, struct log_options *o)
{
	enum { OPT_TRUNCATE = 0x100, OPT_PROGRESS };
	static const struct option longopts[] = {
		{"truncate", no_argument, NULL, OPT_TRUNCATE},
		{"progress", no_argument, NULL, OPT_PROGRESS},
		SOAK_STREAM_LONGOPTS,
		SOAK_HELP_VERSION_LONGOPTS
	};
	int opt;
	while ((opt = soak_getopt_long(argc, argv, "hV", longopts)) != -1) {
		if (soak_stream_option(s, opt, optarg))
			continue;
		switch (opt) {
		case OPT_TRUNCATE: o->truncate = 1; break;
		case OPT_PROGRESS: o->progress = 1; break;
		default: soak_standard_option(opt, help_text);
		}
	}
	if (optind == argc)
		soak_usage_error("missing FILE");
	if (argc - optind > 1)
		soak_usage_error("unexpected argument '%s'", argv[optind + 1]);
	o->path = argv[optind];
}

int main(int argc, char **argv)
{
	struct soak_stream s;
	struct log_options o = {0};
	soak_cli_init(argv[0]);
	soak_stream_init(&s);
	soak_stream_use_arena(&s);
	parse_options(argc, argv, &s, &o);
	FILE *log = fopen(o.path, o.truncate ? "w+" : "a+");
	if (!log)
		soak_die(SOAK_EXIT_IO, "cannot open '%s': %s", o.path, strerror(errno));
	long last = last_logged_iteration(log, o.path);
	cJSON *rec;
	while ((rec = soak_stream_next(&s))) {
		if (!follows(&s, rec, &last, o.path)) {
			cJSON_Delete(rec);
			continue;
		}
		char err[SOAK_ERR_MAX];
		if (!append_durably(log, o.path, s.line, s.line_len, err)) {
			cJSON_Delete(rec);
			soak_die(SOAK_EXIT_IO, "%s", err);
		}
		if (o.progress)
			print_progress(rec, last);
		soak_write_line(s.out, s.line, s.line_len);
		cJSON_Delete(rec);
	}
	if (fclose(log) != 0)
		soak_die(SOAK_EXIT_IO, "write error on '%s': %s", o.path, strerror(errno));
	return soak_stream_finish(&s);
}
