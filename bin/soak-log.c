/* soak-log - pass records on, appending each durably to a log file. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "params.h"
#include "record.h"

static const char help_text[] =
"Usage: soak-log [OPTION]... FILE\n"
"Copy each record from stdin to stdout unchanged, and append it to FILE,\n"
"flushed and fsync'd before it is passed on: a run that is killed leaves\n"
"FILE ending at its last complete record (soak-run --resume starts there).\n"
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

static void append_durably(FILE *log, const char *path, const char *line, size_t len)
{
	if (fwrite(line, 1, len, log) != len || putc('\n', log) == EOF || fflush(log) != 0)
		soak_die(SOAK_EXIT_IO, "write error on '%s': %s", path, strerror(errno));
	/* A FILE that cannot be synced (/dev/null, a pipe) has nothing to make durable. */
	if (fsync(fileno(log)) != 0 && errno != EINVAL && errno != EROFS)
		soak_die(SOAK_EXIT_IO, "cannot sync '%s': %s", path, strerror(errno));
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
static void print_progress(const cJSON *rec)
{
	const cJSON *it = soak_get(rec, "iteration");
	if (cJSON_IsNumber(it) && it->valuedouble >= 0 && it->valuedouble < 1e9)
		fprintf(stderr, "iter %3.0f", it->valuedouble);
	else
		fputs("iter   -", stderr);
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
	FILE *log = fopen(o.path, o.truncate ? "w" : "a");
	if (!log)
		soak_die(SOAK_EXIT_IO, "cannot open '%s': %s", o.path, strerror(errno));
	cJSON *rec;
	while ((rec = soak_stream_next(&s))) {
		append_durably(log, o.path, s.line, s.line_len);
		if (o.progress)
			print_progress(rec);
		soak_write_line(s.out, s.line, s.line_len);
		cJSON_Delete(rec);
	}
	if (fclose(log) != 0)
		soak_die(SOAK_EXIT_IO, "write error on '%s': %s", o.path, strerror(errno));
	return soak_stream_finish(&s);
}
