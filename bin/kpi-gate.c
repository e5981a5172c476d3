/* kpi-gate - judge each iteration's KPIs and the last-N window. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "history.h"
#include "gate-stream.h"
#include "judge.h"
#include "record.h"
#include "thresholds.h"
#include "verdict-format.h"

static const char help_text[] =
"Usage: kpi-gate [OPTION]...\n"
"Judge each record's KPIs (summary) against a thresholds file, add the\n"
"verdict as 'gate' and carry the last-N window in state.gate (JSON lines,\n"
"stdin to stdout).\n"
"\n"
"  -t, --thresholds=NAME|FILE  thresholds file (default kpi_thresholds_v1)\n"
"      --mode=warn|normal      gate mode for every record (default: the\n"
"                              record's phase.gate_mode, else normal)\n"
"  -w, --window=N              window size, 1 to 1000 (default: the file's)\n"
"      --summary               read the whole log, print one verdict object\n"
"                              and exit 1 when it is FAIL (see --fail-on)\n"
SOAK_VERDICT_FORMAT_HELP
"      --text                  the same as --format=text\n"
"      --run=FILE              with --summary: add the run object (run id,\n"
"                              version, seed, presets, thresholds, engine)\n"
"                              from a soak-run run.json\n"
SOAK_STREAM_HELP
SOAK_LIST_PRESETS_HELP
"  -h, --help                  show this help and exit\n"
"  -V, --version               show the version and exit\n"
"\n"
"An iteration is PASS when every rule holds, else the worst level of the\n"
"rules it breaks; a missing KPI is FAIL.  In WARN mode a FAIL becomes WARN\n"
"and is listed in gate.downgraded.  See kpi-gate(1), soak-thresholds(5).\n";

static void add_string(cJSON *obj, const char *key, const char *s)
{
	cJSON_AddItemToObjectCS(obj, key, soak_checked(cJSON_CreateString(s)));
}

static void write_judged(struct soak_stream *s, cJSON *rec, struct soak_gate_judgement *j)
{
	soak_gate_judgement_put(rec, j);
	soak_stream_write(s, rec);
}

/* ------------------------------------------------------------------ */
/* --summary                                                           */

struct summary {
	struct soak_gate_tally tally;
	cJSON *first_fail;       /* {"iteration", "reasons"} of the first FAIL */
	cJSON *last_window;      /* gate.window of the last record */
};

static void summary_add(struct summary *sum, struct soak_gate_judgement *j)
{
	soak_gate_tally_add(&sum->tally, j->iteration, j->status, j->downgraded);
	if (j->status == SOAK_LEVEL_FAIL && !sum->first_fail) {
		sum->first_fail = soak_checked(cJSON_CreateObject());
		cJSON_AddItemToObjectCS(sum->first_fail, "iteration", soak_num((double)j->iteration));
		cJSON_AddItemToObjectCS(sum->first_fail, "reasons",
				      cJSON_DetachItemFromObjectCaseSensitive(j->gate, "reasons"));
	}
	cJSON_Delete(sum->last_window);
	sum->last_window = cJSON_DetachItemFromObjectCaseSensitive(j->gate, "window");
	cJSON_Delete(j->gate);
	cJSON_Delete(j->state_gate);
}

static cJSON *summary_verdict(struct summary *sum, const struct soak_thresholds *th, long skipped,
			      enum soak_level *status)
{
	const struct soak_gate_tally *t = &sum->tally;
	cJSON *v = soak_checked(cJSON_CreateObject()), *reasons = soak_checked(cJSON_CreateArray());
	cJSON *counts = soak_checked(cJSON_CreateObject());
	*status = soak_gate_verdict(t, sum->last_window, th->window_size, skipped, reasons);
	add_string(v, "status", soak_level_names[*status]);
	add_string(v, "thresholds", th->name);
	cJSON_AddItemToObjectCS(v, "iterations", soak_num((double)t->iterations));
	cJSON_AddItemToObjectCS(v, "first_iteration", t->iterations
			      ? soak_num((double)t->first_iteration) : soak_checked(cJSON_CreateNull()));
	cJSON_AddItemToObjectCS(v, "last_iteration", t->iterations
			      ? soak_num((double)t->last_iteration) : soak_checked(cJSON_CreateNull()));
	for (int l = SOAK_LEVEL_PASS; l <= SOAK_LEVEL_FAIL; l++)
		cJSON_AddItemToObjectCS(counts, soak_level_names[l], soak_num((double)t->counts[l]));
	cJSON_AddItemToObjectCS(v, "counts", counts);
	cJSON_AddItemToObjectCS(v, "downgraded", soak_num((double)t->downgraded));
	cJSON_AddItemToObjectCS(v, "skipped", soak_num((double)skipped));
	cJSON_AddItemToObjectCS(v, "first_fail", sum->first_fail ? sum->first_fail
			      : soak_checked(cJSON_CreateNull()));
	cJSON_AddItemToObjectCS(v, "window", sum->last_window ? sum->last_window
			      : soak_checked(cJSON_CreateNull()));
	cJSON_AddItemToObjectCS(v, "reasons", reasons);
	return v;
}

/* ------------------------------------------------------------------ */
/* main                                                                */

struct options {
	const char *thresholds;
	long window;       /* 0: the file's */
	bool summary;
	const char *format_option;      /* "--format" or "--text" when given */
	enum soak_verdict_format format; /* of the --summary verdict */
	bool fail_on_given;
	enum soak_fail_on fail_on;
	const char *run;                /* --run: a run.json */
};

/* --run=FILE: the run object from a soak-run run.json; exit 2 when it is not one. */
static cJSON *load_run(const char *path)
{
	char err[SOAK_ERR_MAX];
	cJSON *j = soak_load_json_file(path, err);
	if (!j)
		soak_die(SOAK_EXIT_USAGE, "--run: %s", err);
	if (!cJSON_IsString(soak_get(j, "run_id")))
		soak_die(SOAK_EXIT_USAGE, "--run: '%s' is not a soak-run run.json (no 'run_id')", path);
	cJSON *run = soak_verdict_run_new(j);
	cJSON_Delete(j);
	return run;
}

static int parse_mode(const char *arg)
{
	if (strcasecmp(arg, "warn") == 0)
		return 1;
	if (strcasecmp(arg, "normal") == 0)
		return 0;
	soak_usage_error("option '--mode': '%s' is not warn or normal", arg);
}

static void parse_format(const char *arg, struct options *o)
{
	if (!soak_verdict_format_parse(arg, &o->format))
		soak_usage_error("option '--format': '%s' is not json, text, junit, github or markdown",
				 arg);
	o->format_option = "--format";
}

static void parse_fail_on(const char *arg, struct options *o)
{
	if (!soak_fail_on_parse(arg, &o->fail_on))
		soak_usage_error("option '--fail-on': '%s' is not fail or warn", arg);
	o->fail_on_given = true;
}

static void parse_options(int argc, char **argv, struct soak_stream *s, struct options *o,
			  struct soak_gate_stream *g)
{
	static const struct option longopts[] = {
		{"thresholds", required_argument, NULL, 't'},
		{"mode", required_argument, NULL, 'm'},
		{"window", required_argument, NULL, 'w'},
		{"summary", no_argument, NULL, 's'},
		{"text", no_argument, NULL, 'T'},
		{"format", required_argument, NULL, 'f'},
		{"fail-on", required_argument, NULL, 'F'},
		{"run", required_argument, NULL, 'R'},
		SOAK_STREAM_LONGOPTS,
		SOAK_LIST_PRESETS_LONGOPT,
		SOAK_HELP_VERSION_LONGOPTS
	};
	int opt;
	while ((opt = soak_getopt_long(argc, argv, "t:w:f:hV", longopts)) != -1) {
		if (soak_stream_option(s, opt, optarg))
			continue;
		switch (opt) {
		case 't': o->thresholds = optarg; break;
		case 'm': g->forced_mode = parse_mode(optarg); break;
		case 'w': o->window = soak_arg_long("--window", optarg, 1, SOAK_MAX_WINDOW); break;
		case 's': o->summary = true; break;
		case 'T': o->format = SOAK_VERDICT_TEXT; o->format_option = "--text"; break;
		case 'f': parse_format(optarg, o); break;
		case 'F': parse_fail_on(optarg, o); break;
		case 'R': o->run = optarg; break;
		default: soak_standard_option(opt, help_text);
		}
	}
	if (optind < argc)
		soak_usage_error("unexpected argument '%s'", argv[optind]);
	if (o->format_option && !o->summary)
		soak_usage_error("option '%s' needs --summary", o->format_option);
	if (o->run && !o->summary)
		soak_usage_error("option '--run' needs --summary");
	if (o->fail_on_given && !o->summary)
		soak_usage_error("option '--fail-on' needs --summary");
	if (o->summary && g->forced_mode == 1)
		soak_usage_error("option '--mode=warn' with --summary: a verdict downgrades a FAIL only "
				 "in a WARMUP phase");
}

int main(int argc, char **argv)
{
	static struct soak_gate_stream g;
	struct soak_stream s;
	struct options o = {"kpi_thresholds_v1", 0, false, NULL, SOAK_VERDICT_JSON, false,
			    SOAK_FAIL_ON_FAIL, NULL};
	struct summary sum = {0};
	soak_cli_init(argv[0]);
	soak_stream_init(&s);
	g.forced_mode = -1;
	parse_options(argc, argv, &s, &o, &g);
	soak_thresholds_load(o.thresholds, SOAK_WORDING_GATE, &g.th); /* exit 2 when bad */
	cJSON *run = o.run ? load_run(o.run) : NULL;
	if (o.window)
		g.th.window_size = o.window;
	soak_gate_stream_start(&g, g.forced_mode, o.summary);
	if (!o.summary) /* --summary keeps cJSON of earlier records (first_fail) */
		soak_stream_use_arena(&s);
	cJSON *iterations = o.summary && soak_verdict_format_wants_iterations(o.format)
			    ? soak_checked(cJSON_CreateArray()) : NULL, *rec;
	while ((rec = soak_stream_next(&s))) {
		char err[SOAK_ERR_MAX];
		struct soak_gate_judgement j;
		if (!soak_gate_stream_judge(rec, &g, s.line_no, &j, err))
			soak_stream_reject(&s, "%s", err);
		else if (o.summary) {
			if (iterations)
				cJSON_AddItemToArray(iterations,
						     soak_verdict_iteration_new(j.iteration, j.gate));
			summary_add(&sum, &j);
		}
		else
			write_judged(&s, rec, &j);
		cJSON_Delete(rec);
	}
	if (!o.summary)
		return soak_stream_finish(&s);
	enum soak_level status;
	cJSON *verdict = summary_verdict(&sum, &g.th, s.skipped, &status);
	if (run)
		cJSON_AddItemToObjectCS(verdict, "run", run);
	soak_verdict_write(&s, o.format, o.fail_on, verdict, iterations); /* errors: finish */
	cJSON_Delete(verdict);
	cJSON_Delete(iterations);
	int rc = soak_stream_finish(&s);
	return rc != SOAK_EXIT_OK ? rc : soak_verdict_exit(soak_level_names[status], o.fail_on);
}
