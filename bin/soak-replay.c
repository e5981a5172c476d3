/* soak-replay - an engine that replays the KPIs of a recorded log. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "getline-bounded.h"
#include "cli.h"
#include "record.h"

static const char help_text[] =
"Usage: soak-replay [OPTION]... LOG\n"
"An engine for soak-run: give each record the `summary' that iteration had\n"
"in LOG, a recorded soak log (soak-run's iterations.jsonl) or original\n"
"ITER_SUMMARY records (jq -c . ITER_SUMMARY_*.json).  Every other field of\n"
"the record is left as it is, so a replay re-runs the tuner and the gate on\n"
"the recorded market.\n"
"\n"
SOAK_STREAM_HELP
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n";

struct replay_log {
	const char *path;
	FILE *file;
	long line_no;
	char *line;
	size_t cap;
	size_t max_line;    /* --max-line-bytes */
};

/* The next record of the log, or NULL at its end; exits 2 on a bad line. */
static cJSON *log_next(struct replay_log *log)
{
	char err[SOAK_ERR_MAX];
	ssize_t n;
	bool too_long;
	while ((n = soak_getline_bounded(&log->line, &log->cap, log->file, log->max_line,
					 &too_long)) >= 0) {
		log->line_no++;
		if (too_long)
			soak_die(SOAK_EXIT_USAGE, "'%s': line %ld: longer than %zu bytes (--max-line-bytes)",
				 log->path, log->line_no, log->max_line);
		while (n > 0 && (log->line[n - 1] == '\n' || log->line[n - 1] == '\r'))
			log->line[--n] = '\0';
		if (strspn(log->line, " \t") == (size_t)n)
			continue;
		cJSON *rec = soak_parse_checked(log->line, (size_t)n, err);
		if (!rec)
			soak_die(SOAK_EXIT_USAGE, "'%s': line %ld: %s", log->path, log->line_no, err);
		return rec;
	}
	if (ferror(log->file))
		soak_die(SOAK_EXIT_IO, "read error on '%s': %s", log->path, strerror(errno));
	return NULL;
}

/* The summary of `iteration' in the log: searched forward from where the
 * last search ended, then once from the start. */
static cJSON *find_summary(struct replay_log *log, long iteration, char *err)
{
	for (int pass = 0; pass < 2; pass++) {
		cJSON *rec;
		while ((rec = log_next(log))) {
			long it;
			if (!soak_get_iteration(rec, &it, err)) {
				cJSON_Delete(rec); /* nothing left for a leak checker to report */
				soak_die(SOAK_EXIT_USAGE, "'%s': line %ld: %s", log->path, log->line_no, err);
			}
			cJSON *summary = it == iteration ? cJSON_DetachItemFromObjectCaseSensitive(rec, "summary") : NULL;
			cJSON_Delete(rec);
			if (it != iteration)
				continue;
			if (!cJSON_IsObject(summary)) {
				cJSON_Delete(summary);
				soak_errorf(err, "'%s' line %ld (iteration %ld) has no summary object",
					    log->path, log->line_no, iteration);
				return NULL;
			}
			return summary;
		}
		rewind(log->file);
		log->line_no = 0;
	}
	soak_errorf(err, "iteration %ld is not in '%s'", iteration, log->path);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		SOAK_STREAM_LONGOPTS,
		SOAK_HELP_VERSION_LONGOPTS
	};
	struct soak_stream s;
	soak_cli_init(argv[0]);
	soak_stream_init(&s);
	soak_stream_use_arena(&s);
	int opt;
	while ((opt = soak_getopt_long(argc, argv, "hV", longopts)) != -1) {
		if (soak_stream_option(&s, opt, optarg))
			continue;
		switch (opt) {
		default: soak_standard_option(opt, help_text);
		}
	}
	if (optind == argc)
		soak_usage_error("missing LOG");
	if (argc - optind > 1)
		soak_usage_error("unexpected argument '%s'", argv[optind + 1]);
	struct replay_log log = {.path = argv[optind], .max_line = s.max_line};
	if (!(log.file = fopen(log.path, "r")))
		soak_die(SOAK_EXIT_USAGE, "cannot open '%s': %s", log.path, strerror(errno));
	cJSON *rec;
	while ((rec = soak_stream_next(&s))) {
		char err[SOAK_ERR_MAX];
		long it;
		cJSON *summary = NULL;
		if (soak_get_iteration(rec, &it, err) && (summary = find_summary(&log, it, err))) {
			soak_set(rec, "summary", summary);
			soak_stream_write(&s, rec);
		} else {
			soak_stream_reject(&s, "%s", err);
		}
		cJSON_Delete(rec);
	}
	fclose(log.file);
	free(log.line);
	return soak_stream_finish(&s);
}
