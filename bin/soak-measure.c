/* soak-measure - each record's summary, computed from its iteration's execution-event log. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "getline-bounded.h"
#include "cli.h"
#include "events.h"
#include "measure.h"
#include "record.h"

static const char help_text[] =
"Usage: soak-measure --events=DIR [OPTION]...\n"
"Compute each record's 'summary' from the execution-event log of its\n"
"iteration, DIR/N.jsonl (N the record's 'iteration'), or from the file\n"
"named by the record's 'event_log' when it has one (JSON lines, stdin to\n"
"stdout).  The log format is soak-events(5).\n"
"\n"
"      --events=DIR        directory of the event logs, one N.jsonl per iteration\n"
"      --markout=SECONDS   horizon of adverse_bps (default: the log's\n"
"                          'markout_s', else 5)\n"
SOAK_STREAM_HELP
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n"
"\n"
"A malformed, out-of-order or truncated event log is bad input (exit 2,\n"
"'soak-measure: FILE: line N: ...'); no summary is guessed.\n"
"See soak-measure(1) and soak-events(5).\n";

enum { OPT_MARKOUT = 0x2000 };

struct options {
	const char *events_dir;
	double markout_s;
};

/* Where an event-log problem is reported: the file and its line. */
struct log_pos {
	const char *path;
	long line;
};

static void parse_options(int argc, char **argv, struct soak_stream *s, struct options *o)
{
	static const struct option longopts[] = {
		{"events", required_argument, NULL, 'e'},
		{"markout", required_argument, NULL, OPT_MARKOUT},
		SOAK_STREAM_LONGOPTS,
		SOAK_HELP_VERSION_LONGOPTS
	};
	int opt;
	while ((opt = soak_getopt_long(argc, argv, "hV", longopts)) != -1) {
		if (soak_stream_option(s, opt, optarg))
			continue;
		switch (opt) {
		case 'e': o->events_dir = optarg; break;
		case OPT_MARKOUT: o->markout_s = soak_arg_double("--markout", optarg, 0.001, 3600); break;
		default: soak_standard_option(opt, help_text);
		}
	}
	if (optind < argc)
		soak_usage_error("unexpected argument '%s'", argv[optind]);
}

/* The log's path for rec: its 'event_log', else DIR/N.jsonl. */
static bool log_path(const cJSON *rec, const struct options *o, long iteration,
		     char *path, char *err)
{
	const cJSON *given = soak_get(rec, "event_log");
	if (given) {
		if (!cJSON_IsString(given) || given->valuestring[0] == '\0')
			return soak_errorf(err, "'event_log' must be a non-empty string");
		if (strlen(given->valuestring) >= PATH_MAX)
			return soak_errorf(err, "'event_log' is too long");
		strcpy(path, given->valuestring);
		return true;
	}
	if (!o->events_dir)
		return soak_errorf(err, "no 'event_log' in the record and no --events=DIR");
	if (snprintf(path, PATH_MAX, "%s/%ld.jsonl", o->events_dir, iteration) >= PATH_MAX)
		return soak_errorf(err, "event-log path too long");
	return true;
}

/* One line of the log into m; false with err when it is bad. */
static bool take_line(struct measure *m, char *line, ssize_t len, long iteration, char *err)
{
	struct soak_event e;
	if (len == 0 || line[len - 1] != '\n')
		return soak_errorf(err, "no newline at the end (truncated)");
	line[--len] = '\0';
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (!soak_event_parse(line, (size_t)len, &e, err) || !measure_event(m, &e, err))
		return false;
	if (e.type == SOAK_EV_START && e.iteration != iteration)
		return soak_errorf(err, "'start' is iteration %ld but the record is iteration %ld",
				   e.iteration, iteration);
	return true;
}

/*
 * Read the log at pos->path into m and finish it into *k.  Returns 0,
 * or SOAK_EXIT_USAGE (bad log; err and pos->line say where) or
 * SOAK_EXIT_IO (err says why).
 */
static int measure_log(struct measure *m, struct log_pos *pos, long iteration,
		       size_t max_line, struct soak_summary *k, char *err)
{
	FILE *f = fopen(pos->path, "r");
	if (!f) {
		soak_errorf(err, "cannot open: %s", strerror(errno));
		return SOAK_EXIT_IO;
	}
	static char *line;
	static size_t cap;
	ssize_t len;
	bool too_long;
	int status = 0;
	measure_begin(m);
	pos->line = 0;
	while (status == 0 && (len = soak_getline_bounded(&line, &cap, f, max_line, &too_long)) != -1) {
		pos->line++;
		if (too_long) {
			soak_errorf(err, "line longer than %zu bytes (--max-line-bytes)", max_line);
			status = SOAK_EXIT_USAGE;
		} else if (!take_line(m, line, len, iteration, err)) {
			status = SOAK_EXIT_USAGE;
		}
	}
	if (status == 0 && ferror(f)) {
		soak_errorf(err, "read error: %s", strerror(errno));
		status = SOAK_EXIT_IO;
	}
	fclose(f);
	if (status == 0 && pos->line == 0) {
		pos->line = 1;
		soak_errorf(err, "empty event log");
		return SOAK_EXIT_USAGE;
	}
	if (status == 0 && !measure_finish(m, k, err))
		status = SOAK_EXIT_USAGE;
	return status;
}

static void measure_record(struct soak_stream *s, cJSON *rec, struct measure *m,
			   const struct options *o)
{
	char err[SOAK_ERR_MAX];
	char path[PATH_MAX];
	long iteration;
	if (!soak_get_iteration(rec, &iteration, err) || !log_path(rec, o, iteration, path, err)) {
		soak_stream_reject(s, "%s", err);
		return;
	}
	struct log_pos pos = { path, 0 };
	struct soak_summary k;
	int status = measure_log(m, &pos, iteration, s->max_line, &k, err);
	if (status == SOAK_EXIT_IO)
		soak_die(SOAK_EXIT_IO, "%s: %s", path, err);
	if (status != 0) {
		if (!s->skip_errors)
			soak_die(SOAK_EXIT_USAGE, "%s: line %ld: %s", path, pos.line, err);
		soak_stream_reject(s, "%s: line %ld: %s", path, pos.line, err);
		return;
	}
	measure_summary_to_record(rec, &k);
	soak_stream_write(s, rec);
}

int main(int argc, char **argv)
{
	static struct measure m;
	struct soak_stream s;
	struct options o = { NULL, 0 };
	soak_cli_init(argv[0]);
	soak_stream_init(&s);
	parse_options(argc, argv, &s, &o);
	measure_init(&m, &(struct measure_config){ .markout_s = o.markout_s });
	cJSON *rec;
	while ((rec = soak_stream_next(&s))) {
		measure_record(&s, rec, &m, &o);
		cJSON_Delete(rec);
	}
	measure_free(&m);
	return soak_stream_finish(&s);
}
