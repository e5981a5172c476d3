/* soak-report - one report on a whole soak log: the last-N snapshot, a baseline comparison,
 * JSON, Markdown or Prometheus text, and a plot. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "record.h"
#include "report-common.h"
#include "verdict-format.h"

static const char help_text[] =
"Usage: soak-report [OPTION]... < LOG\n"
"       soak-report --sweep=DIR [OPTION]...\n"
"Read a whole soak log (JSON lines) and print one report: the last-N window\n"
"of each KPI (mean, median, min, max, trend), the window's goals and\n"
"verdict, gate status, tuning and guard counts over the run.  With --sweep,\n"
"one table per variant of a soak-sweep directory instead.\n"
"\n"
"  -t, --thresholds=NAME|FILE  thresholds file (default kpi_thresholds_v1)\n"
"      --last=N                window size, 1 to 1000 (default: the file's)\n"
"  -b, --baseline=LOG          also report LOG and the per-KPI differences\n"
"                              (one run a side cannot decide: see soak-compare)\n"
"      --sweep=DIR             one table per variant of a soak-sweep tree\n"
"  -f, --format=FORMAT         json (default), markdown or prometheus\n"
"      --plot=FILE             draw the gate KPIs per iteration with gnuplot:\n"
"                              SVG when FILE ends in .svg, else PNG\n"
"      --run=FILE              the run's run.json (soak-run(1)): its preset,\n"
"                              seed and run id title the plot; json gets\n"
"                              its run object, prometheus the labels run_id,\n"
"                              seed and preset\n"
SOAK_STREAM_HELP
SOAK_LIST_PRESETS_HELP
"  -h, --help                  show this help and exit\n"
"  -V, --version               show the version and exit\n"
"\n"
"Exit status: 0, 1 when the verdict is FAIL (not with --sweep), 2 bad usage\n"
"or input, 3 an I/O error.  See soak-report(1).\n";

enum format { FORMAT_JSON, FORMAT_MARKDOWN, FORMAT_PROMETHEUS };

struct options {
	const char *thresholds, *baseline, *plot, *run, *sweep;
	long last;          /* 0: the thresholds file's window size */
	enum format format;
};

static enum format parse_format(const char *arg)
{
	if (strcmp(arg, "json") == 0)
		return FORMAT_JSON;
	if (strcmp(arg, "markdown") == 0)
		return FORMAT_MARKDOWN;
	if (strcmp(arg, "prometheus") == 0)
		return FORMAT_PROMETHEUS;
	soak_usage_error("option '--format': '%s' is not json, markdown or prometheus", arg);
}

static void parse_options(int argc, char **argv, struct soak_stream *s, struct options *o)
{
	static const struct option longopts[] = {
		{"thresholds", required_argument, NULL, 't'},
		{"last", required_argument, NULL, 'n'},
		{"baseline", required_argument, NULL, 'b'},
		{"format", required_argument, NULL, 'f'},
		{"plot", required_argument, NULL, 'p'},
		{"run", required_argument, NULL, 'R'},
		{"sweep", required_argument, NULL, 'S'},
		SOAK_STREAM_LONGOPTS,
		SOAK_LIST_PRESETS_LONGOPT,
		SOAK_HELP_VERSION_LONGOPTS
	};
	int opt;
	while ((opt = soak_getopt_long(argc, argv, "t:b:f:hV", longopts)) != -1) {
		if (soak_stream_option(s, opt, optarg))
			continue;
		switch (opt) {
		case 't': o->thresholds = optarg; break;
		case 'n': o->last = soak_arg_long("--last", optarg, 1, SOAK_MAX_WINDOW); break;
		case 'b': o->baseline = optarg; break;
		case 'f': o->format = parse_format(optarg); break;
		case 'p': o->plot = optarg; break;
		case 'R': o->run = optarg; break;
		case 'S': o->sweep = optarg; break;
		default: soak_standard_option(opt, help_text);
		}
	}
	if (optind < argc)
		soak_usage_error("unexpected argument '%s' (the log is read from standard input)",
				 argv[optind]);
	if (o->plot && !o->plot[0])
		soak_usage_error("option '--plot' needs a file name");
	if (o->run && !o->plot && o->format == FORMAT_MARKDOWN)
		soak_usage_error("option '--run' has no effect with --format=markdown without --plot");
	if (o->sweep && (o->baseline || o->plot || o->run || o->format == FORMAT_PROMETHEUS))
		soak_usage_error("option '--sweep' prints JSON or Markdown, without --baseline or --plot");
}

/*
 * Read the baseline log with the same checks and error policy as
 * standard input; its messages say "soak-report: FILE: line N: ...".
 */
static void read_baseline(const char *path, const struct soak_stream *main_stream,
			  const struct soak_thresholds *th, long window_size,
			  struct report_log *log, FILE *plot_data)
{
	struct soak_stream b;
	char name[4200];
	const char *progname = soak_progname;
	soak_stream_init(&b);
	b.skip_errors = main_stream->skip_errors;
	b.rejects_path = main_stream->rejects_path;
	b.rejects = main_stream->rejects;
	b.max_line = main_stream->max_line;
	b.arena = main_stream->arena;   /* the arena is shared; reset per record */
	if (!(b.in = fopen(path, "r")))
		soak_die(SOAK_EXIT_USAGE, "cannot open baseline '%s': %s", path, strerror(errno));
	snprintf(name, sizeof name, "%s: %s", progname, path);
	soak_progname = name;
	report_log_read(log, &b, th, window_size, plot_data);
	soak_progname = progname;
	if (b.skipped)
		soak_warn("%s: %ld bad line%s skipped", path, b.skipped, b.skipped == 1 ? "" : "s");
	fclose(b.in);
	free(b.line);
	free(b.rbuf);
	free(b.out_buf);
	log->label = path;
}

/* A temporary file for the plot's points (constant memory). */
static FILE *plot_data_file(const char *png)
{
	if (!png)
		return NULL;
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/soak-report.XXXXXX", dir && dir[0] ? dir : "/tmp");
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
	if (!f)
		soak_die(SOAK_EXIT_IO, "cannot make a temporary file for the plot in '%s': %s",
			 dir && dir[0] ? dir : "/tmp", strerror(errno));
	unlink(path);   /* gone when closed, or when we exit */
	return f;
}

/* A string or number member of run.json as text, or NULL. */
static const char *run_member(const cJSON *run, const char *key, char buf[32])
{
	const cJSON *v = soak_get(run, key);
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v)) {
		soak_format_number(v->valuedouble, buf);
		return buf;
	}
	return NULL;
}

/* The plot's title fields: run.json's when given, else the log's seed. */
static cJSON *plot_info(const struct options *o, const struct report_log *log,
			FILE *base_data, struct report_plot_info *info, char seed[32])
{
	cJSON *run = NULL;
	char err[SOAK_ERR_MAX];
	if (o->run && !(run = soak_load_json_file(o->run, err)))
		soak_die(SOAK_EXIT_USAGE, "--run: %s", err);
	const char *preset = run_member(run, "preset", seed);
	*info = (struct report_plot_info){o->plot, preset ? preset : "?", "?",
					  run_member(run, "run_id", seed), base_data, o->baseline};
	const char *run_seed = run_member(run, "seed", seed);
	info->seed = run_seed ? run_seed : log->seed[0] ? log->seed : "?";
	return run;
}

/* --run=FILE read, or NULL without --run; exit 2 when it is not a run.json. */
static cJSON *load_run(const struct options *o)
{
	char err[SOAK_ERR_MAX];
	cJSON *run = NULL;
	if (o->run && !(run = soak_load_json_file(o->run, err)))
		soak_die(SOAK_EXIT_USAGE, "--run: %s", err);
	if (run && !cJSON_IsString(soak_get(run, "run_id"))) {
		cJSON_Delete(run); /* nothing left for a leak checker to report */
		soak_die(SOAK_EXIT_USAGE, "--run: '%s' is not a soak-run run.json (no 'run_id')", o->run);
	}
	return run;
}

static void print_report(struct soak_stream *s, const struct options *o,
			 const struct report_snapshot *cur, const struct report_snapshot *base,
			 const struct report_comparison *cmp)
{
	cJSON *run = load_run(o);
	if (o->format == FORMAT_MARKDOWN) {
		report_markdown(s->out, cur, base, cmp);
	} else if (o->format == FORMAT_PROMETHEUS) {
		char seed_buf[32], buf[32];
		const char *id = run_member(run, "run_id", buf), *seed = run_member(run, "seed", seed_buf),
			   *preset = run_member(run, "preset", buf);
		const char *labels[] = {"run_id", id, "seed", seed ? seed : "", "preset",
					preset ? preset : "", NULL};
		report_prometheus(s->out, cur, base, run ? labels : NULL);
	} else {
		cJSON *report = report_json(cur, base, cmp);
		if (run)
			cJSON_AddItemToObject(report, "run", soak_verdict_run_new(run));
		soak_stream_write(s, report);
		cJSON_Delete(report);
	}
	cJSON_Delete(run);
}

int main(int argc, char **argv)
{
	static struct soak_thresholds th;
	static struct report_log cur_log, base_log;
	static struct report_snapshot cur, base;
	static struct report_comparison cmp;
	struct soak_stream s;
	struct options o = {"kpi_thresholds_v1", NULL, NULL, NULL, NULL, 0, FORMAT_JSON};
	soak_cli_init(argv[0]);
	soak_stream_init(&s);
	parse_options(argc, argv, &s, &o);
	soak_thresholds_load(o.thresholds, SOAK_WORDING_REPORT, &th);
	long window_size = o.last ? o.last : th.window_size;
	if (o.sweep) {
		report_sweep(o.sweep, &s, &th, window_size, o.format == FORMAT_MARKDOWN);
		return soak_stream_finish(&s);
	}
	FILE *plot_data = plot_data_file(o.plot);
	FILE *base_data = o.baseline ? plot_data_file(o.plot) : NULL;
	soak_stream_use_arena(&s);   /* nothing of a record's cJSON outlives it */
	report_log_read(&cur_log, &s, &th, window_size, plot_data);
	cur_log.label = "stdin";
	if (o.baseline)
		read_baseline(o.baseline, &s, &th, window_size, &base_log, base_data);
	report_snapshot_make(&cur_log, &th, &cur);
	if (o.baseline) {
		report_snapshot_make(&base_log, &th, &base);
		report_compare(&cur, &base, &cmp);
	}
	print_report(&s, &o, &cur, o.baseline ? &base : NULL, &cmp);
	int rc = soak_stream_finish(&s);
	if (plot_data) {
		struct report_plot_info info;
		char seed[32];
		cJSON *run = plot_info(&o, &cur_log, base_data, &info, seed);
		if (cur_log.count)
			report_plot(plot_data, &cur, &info);
		else
			soak_warn("no iterations: no plot written to '%s'", o.plot);
		cJSON_Delete(run);
		fclose(plot_data);
		if (base_data)
			fclose(base_data);
	}
	return rc != SOAK_EXIT_OK ? rc : cur.verdict == SOAK_LEVEL_FAIL ? SOAK_EXIT_FAIL : SOAK_EXIT_OK;
}
