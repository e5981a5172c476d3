/* soak-next - the first iteration's input, or the next one from a finished record. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "params.h"
#include "preset.h"
#include "record.h"

static const char help_text[] =
"Usage: soak-next [OPTION]...\n"
"       soak-next --first [--params=FILE] [--preset=NAME|FILE] [--set=KEY=VALUE]...\n"
"Turn each finished record into the next iteration's input: iteration + 1,\n"
"params = next_params, state and fields soakkit does not know kept (JSON\n"
"lines, stdin to stdout).  With --first, write iteration 1 instead.\n"
"\n"
"      --first              ignore stdin; write {\"iteration\":1,\"params\":...}:\n"
"                           the baseline, then --params, --preset, --set\n"
"      --params=FILE        with --first: a JSON object of parameters that\n"
"                           replace their baseline values\n"
"  -p, --preset=NAME|FILE   with --first: the preset under test, applied once\n"
"                           at full weight and clamped to bounds\n"
"      --set=KEY=VALUE      with --first: set one parameter last (repeatable;\n"
"                           unknown key or out-of-bounds value is an error)\n"
"  -n, --iterations=N       the soak ends after iteration N: the record of\n"
"                           iteration N gives no output and ends the program\n"
SOAK_STREAM_HELP
"      --list-presets       list the presets and other data files that can be\n"
"                           given by NAME, and exit\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"Dropped from each record: phase, effective, warmup, summary, tuning,\n"
"next_params and gate.  See soak-next(1).\n";

/* Sections that belong to one iteration and are not carried to the next. */
static const char *const per_iteration_sections[] = {
	"iteration", "params", "phase", "effective", "warmup", "summary", "tuning",
	"next_params", "gate", NULL
};

struct options {
	bool first;
	const char *params_file;
	const char *preset;
	bool is_set[SOAK_PARAM_COUNT];
	double set_value[SOAK_PARAM_COUNT];
	long iterations;             /* 0: no limit */
};

/* ------------------------------------------------------------------ */
/* --first                                                             */

/* Parse one --set KEY=VALUE into o (a usage error naming the key otherwise). */
static void parse_set(const char *arg, struct options *o)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg)
		soak_usage_error("option '--set': '%s' is not KEY=VALUE", arg);
	char key[128];
	snprintf(key, sizeof key, "%.*s", (int)(eq - arg), arg);
	int id = soak_param_by_key(key);
	char hint[160];
	if (id < 0)
		soak_usage_error("option '--set': unknown parameter '%s'%s", key,
				 soak_param_suggest(key, false, hint));
	const struct soak_param_def *d = &soak_param_defs[id];
	const char *text = eq + 1;
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v))
		soak_usage_error("option '--set': '%s' = '%s' is not a number", key, text);
	if (v < d->min || v > d->max)
		soak_usage_error("option '--set': '%s' = %s is out of bounds [%g, %g]", key, text,
				 d->min, d->max);
	if (d->integer && v != floor(v))
		soak_usage_error("option '--set': '%s' = %s is not a whole number", key, text);
	o->is_set[id] = true;
	o->set_value[id] = v;
}

static void read_params_file(const char *path, struct soak_params *p)
{
	char err[SOAK_ERR_MAX];
	cJSON *root = soak_load_json_file(path, err);
	if (!root)
		soak_die(SOAK_EXIT_USAGE, "params %s", err);
	bool ok = soak_params_from_json(root, "params", SOAK_PARAMS_FILL_BASELINE, p, err,
					sizeof err);
	cJSON_Delete(root);
	if (!ok)
		soak_die(SOAK_EXIT_USAGE, "params file '%s': %s", path, err);
}

/* Write iteration 1: baseline, then --params, --preset, --set. */
static int write_first(struct soak_stream *s, const struct options *o)
{
	struct soak_params params;
	soak_params_baseline(&params);
	if (o->params_file)
		read_params_file(o->params_file, &params);
	if (o->preset) {
		struct soak_preset preset;
		char err[SOAK_ERR_MAX];
		if (!soak_preset_load(o->preset, &preset, err))
			soak_die(SOAK_EXIT_USAGE, "%s", err);
		struct soak_params base = params;
		soak_preset_apply(&preset, &base, 1.0, &params);
	}
	for (int i = 0; i < SOAK_PARAM_COUNT; i++)
		if (o->is_set[i])
			params.value[i] = o->set_value[i];
	cJSON *rec = cJSON_CreateObject();
	if (!rec)
		soak_die(SOAK_EXIT_IO, "out of memory");
	cJSON_AddItemToObject(rec, "iteration", soak_num(1));
	cJSON_AddItemToObject(rec, "params", soak_params_to_json(&params));
	soak_stream_write(s, rec);
	cJSON_Delete(rec);
	return soak_stream_finish(s);
}

/* ------------------------------------------------------------------ */
/* The step                                                            */

static bool is_per_iteration(const char *key)
{
	for (const char *const *k = per_iteration_sections; *k; k++)
		if (strcmp(key, *k) == 0)
			return true;
	return false;
}

/* Check rec: its iteration, next_params (every parameter, in bounds) and state. */
static bool read_finished(const cJSON *rec, long *iteration, struct soak_params *next,
			  char *err)
{
	cJSON *state;
	if (!soak_get_iteration(rec, iteration, err))
		return false;
	if (*iteration >= 1000000000L)
		return soak_errorf(err, "'iteration' %ld is the last one possible", *iteration);
	const cJSON *next_params = soak_get(rec, "next_params");
	if (!next_params)
		return soak_errorf(err, "missing field 'next_params' (tuner-filter writes it)");
	return soak_params_from_json(next_params, "next_params", SOAK_PARAMS_REQUIRE_ALL, next,
				     err, SOAK_ERR_MAX) &&
	       soak_get_object_opt(rec, "state", "state", &state, err);
}

/* The next iteration's input: iteration, params, then every member of rec
 * that does not belong to one iteration, in rec's order (moved out of rec). */
static cJSON *next_record(cJSON *rec, long iteration, const struct soak_params *next)
{
	cJSON *out = cJSON_CreateObject();
	if (!out)
		soak_die(SOAK_EXIT_IO, "out of memory");
	cJSON_AddItemToObject(out, "iteration", soak_num((double)(iteration + 1)));
	cJSON_AddItemToObject(out, "params", soak_params_to_json(next));
	cJSON *member = rec->child;
	while (member) {
		cJSON *following = member->next;
		if (!is_per_iteration(member->string)) {
			cJSON_DetachItemViaPointer(rec, member);
			cJSON_AddItemToObject(out, member->string, member);
		}
		member = following;
	}
	return out;
}

/* Step every record; stop (exit 0, no output for it) after the record of
 * iteration N so that a soak-run ring closes. */
static int step_records(struct soak_stream *s, const struct options *o)
{
	cJSON *rec;
	while ((rec = soak_stream_next(s))) {
		char err[SOAK_ERR_MAX];
		long iteration;
		struct soak_params next;
		if (!read_finished(rec, &iteration, &next, err)) {
			soak_stream_reject(s, "%s", err);
			cJSON_Delete(rec);
			continue;
		}
		if (o->iterations && iteration >= o->iterations) {
			cJSON_Delete(rec);
			break;
		}
		cJSON *out = next_record(rec, iteration, &next);
		soak_stream_write(s, out);
		cJSON_Delete(out);
		cJSON_Delete(rec);
	}
	return soak_stream_finish(s);
}

/* ------------------------------------------------------------------ */
/* main                                                                */

static void parse_options(int argc, char **argv, struct soak_stream *s, struct options *o)
{
	static const struct option longopts[] = {
		{"first", no_argument, NULL, 'f'},
		{"params", required_argument, NULL, 'A'},
		{"preset", required_argument, NULL, 'p'},
		{"set", required_argument, NULL, 's'},
		{"iterations", required_argument, NULL, 'n'},
		SOAK_STREAM_LONGOPTS,
		SOAK_LIST_PRESETS_LONGOPT,
		SOAK_HELP_VERSION_LONGOPTS
	};
	const char *first_only = NULL;
	int opt;
	while ((opt = soak_getopt_long(argc, argv, "p:n:hV", longopts)) != -1) {
		if (soak_stream_option(s, opt, optarg))
			continue;
		switch (opt) {
		case 'f': o->first = true; break;
		case 'A': o->params_file = optarg; first_only = "--params"; break;
		case 'p': o->preset = optarg; first_only = "--preset"; break;
		case 's': parse_set(optarg, o); first_only = "--set"; break;
		case 'n': o->iterations = soak_arg_long("--iterations", optarg, 1, 1000000000L); break;
		default: soak_standard_option(opt, help_text);
		}
	}
	if (optind < argc)
		soak_usage_error("unexpected argument '%s'", argv[optind]);
	if (first_only && !o->first)
		soak_usage_error("option '%s' needs --first", first_only);
}

int main(int argc, char **argv)
{
	struct soak_stream s;
	struct options o = {0};
	soak_cli_init(argv[0]);
	soak_stream_init(&s);
	soak_stream_use_arena(&s);
	parse_options(argc, argv, &s, &o);
	return o.first ? write_first(&s, &o) : step_records(&s, &o);
}
