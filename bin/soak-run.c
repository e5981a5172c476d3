/*
 * soak-run - the soak loop: the soakkit programs as one pipeline closed
 * into a ring, supervised.  See soak-run(1).
 *
 * soak-run checks every option and data file before it touches --out,
 * locks --out, starts each stage with a parent-death signal, sits
 * between the engine and the next stage to hold the engine to its
 * contract and its time limit, and writes its run files atomically.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "market.h"
#include "params.h"
#include "preset.h"
#include "process.h"
#include "record.h"
#include "rundir.h"
#include "sha256.h"
#include "thresholds.h"
#include "tuner-rules.h"
#include "verdict-format.h"

#define GRACE_MS 2000                    /* TERM, then KILL after this */
#define COMMAND_ENGINE_TIMEOUT 1800      /* seconds, for a command engine */
#define MAX_LINE (16L * 1024 * 1024)     /* a record line, as the filters take it */
#define MAX_ARGS 256
#define MAX_FILES 8
#define MAX_STAGES 12

static const char help_text[] =
"Usage: soak-run [OPTION]...\n"
"       soak-run --resume [--quiet] --out=DIR\n"
"Run a soak: N iterations of the loop, one pipeline of the soakkit programs\n"
"closed into a ring (soak-next's output is the first stage's input):\n"
"\n"
"  soak-next --first (iteration 1, once)\n"
"   -> [warmup-phase -> warmup-apply --preset=WARMUP]   (with --warmup)\n"
"   -> soak-run -> ENGINE -> soak-run (checks the engine's record, its time)\n"
"   -> tuner-propose -> tuner-filter -> kpi-gate -> soak-log DIR/iterations.jsonl\n"
"   -> soak-next --iterations=N -> back to the start\n"
"\n"
"then print the verdict of kpi-gate --summary.  Exit 0 on PASS or WARN, 1 on\n"
"FAIL (or WARN with --fail-on=warn), 2 on bad usage, a stage that failed or an engine that broke its\n"
"contract, 3 on an I/O error.\n"
"\n"
"  -n, --iterations=N        iterations to run (default 24)\n"
"      --warmup              warm-up phases with the warm-up preset\n"
"      --no-warmup           no warm-up stages (the default)\n"
"      --warmup-preset=NAME  warm-up preset (default warmup_conservative_v1)\n"
"  -p, --preset=NAME         candidate preset under test, applied once to the\n"
"                            baseline for iteration 1 (soak-next --first)\n"
"      --params=FILE         baseline parameters (JSON object of flat keys)\n"
"      --set=KEY=VALUE       one baseline parameter (repeatable)\n"
"  -s, --seed=N              seed of the built-in market (default 1)\n"
"      --market=NAME|FILE    market profile of soak-mock (default market_default)\n"
"      --rules=NAME|FILE     tuner rule table (default tuner_rules_v2; none:\n"
"                            no rules, the control)\n"
"      --thresholds=NAME|FILE  gate thresholds (default kpi_thresholds_v1)\n"
"  -e, --engine=ENGINE       mock (default): the built-in simulator;\n"
"                            replay:FILE: the KPIs of a recorded log;\n"
"                            any other text: a shell command that reads\n"
"                            records and writes them back with `summary'\n"
"      --engine-timeout=SECONDS  longest wait for the engine's record of one\n"
"                            iteration, then TERM and KILL to the engine\n"
"                            (default 1800 for a command, none for mock and\n"
"                            replay:; 0: none)\n"
"      --format=FORMAT       the verdict on stdout: json (default; as\n"
"                            DIR/verdict.json), text, junit (JUnit XML),\n"
"                            github (::error/::warning lines) or markdown\n"
"                            (a CI job summary)\n"
"      --fail-on=LEVEL       fail (default): exit 1 on a FAIL verdict;\n"
"                            warn: on a WARN verdict as well\n"
"  -o, --out=DIR             write DIR/iterations.jsonl (each line fsync'd),\n"
"                            DIR/verdict.json, DIR/run.args and DIR/run.json\n"
"                            (default soak-out); DIR is locked while the run\n"
"                            lives\n"
"      --force               start a new run in a DIR that is not empty\n"
"                            (replacing the run there)\n"
"      --resume              continue the run in --out from its last\n"
"                            complete line, with the options it was started\n"
"                            with; the result is byte-identical to an\n"
"                            uninterrupted run\n"
"  -q, --quiet               no progress on stderr (one line per iteration,\n"
"                            then the verdict in words)\n"
"  -h, --help                show this help and exit\n"
"  -V, --version             show the version and exit\n";

/* A data file the run reads: found, pinned by its SHA-256 in run.json. */
struct data_file {
	const char *role;             /* the option: "preset", "thresholds", ... */
	const char *arg;              /* as given */
	char path[PATH_MAX];          /* resolved, absolute */
	char sha256[65];
};

struct run {
	/* what the run computes: these are its run.args */
	long iterations;
	bool warmup;
	const char *warmup_preset, *preset, *params, *market, *rules, *thresholds, *engine;
	const char *sets[MAX_ARGS];
	int n_sets;
	long seed;
	double engine_timeout;        /* seconds; 0: none */
	bool timeout_given;
	bool warmup_preset_given, seed_given, market_given;   /* for options without effect */
	enum soak_verdict_format format;   /* of the verdict on stdout */
	enum soak_fail_on fail_on;
	char *args[MAX_ARGS];         /* canonical "--option=value" strings */
	int n_args;
	/* how it runs */
	const char *out;
	bool resume, quiet, force;
	/* derived */
	struct data_file files[MAX_FILES];
	int n_files;
	char log_path[PATH_MAX];
};

/* ------------------------------------------------------------------ */
/* options                                                             */

enum {
	OPT_WARMUP = 0x100, OPT_NO_WARMUP, OPT_WARMUP_PRESET, OPT_PARAMS, OPT_SET,
	OPT_MARKET, OPT_RULES, OPT_THRESHOLDS, OPT_ENGINE_TIMEOUT, OPT_RESUME, OPT_FORCE,
	OPT_FORMAT, OPT_FAIL_ON
};

static const struct option longopts[] = {
	{"iterations", required_argument, NULL, 'n'},
	{"warmup", no_argument, NULL, OPT_WARMUP},
	{"no-warmup", no_argument, NULL, OPT_NO_WARMUP},
	{"warmup-preset", required_argument, NULL, OPT_WARMUP_PRESET},
	{"preset", required_argument, NULL, 'p'},
	{"params", required_argument, NULL, OPT_PARAMS},
	{"set", required_argument, NULL, OPT_SET},
	{"seed", required_argument, NULL, 's'},
	{"market", required_argument, NULL, OPT_MARKET},
	{"rules", required_argument, NULL, OPT_RULES},
	{"thresholds", required_argument, NULL, OPT_THRESHOLDS},
	{"engine", required_argument, NULL, 'e'},
	{"engine-timeout", required_argument, NULL, OPT_ENGINE_TIMEOUT},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"fail-on", required_argument, NULL, OPT_FAIL_ON},
	{"out", required_argument, NULL, 'o'},
	{"resume", no_argument, NULL, OPT_RESUME},
	{"force", no_argument, NULL, OPT_FORCE},
	{"quiet", no_argument, NULL, 'q'},
	SOAK_HELP_VERSION_LONGOPTS
};

static void run_defaults(struct run *r)
{
	*r = (struct run){
		.iterations = 24, .warmup_preset = "warmup_conservative_v1",
		.market = "market_default", .rules = "tuner_rules_v2",
		.thresholds = "kpi_thresholds_v1", .engine = "mock", .seed = 1,
		.out = "soak-out",
	};
}

/* Keep an option that decides what the run computes, for run.args. */
static void keep_arg(struct run *r, int opt, const char *arg)
{
	const char *name = NULL;
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == opt)
			name = o->name;
	if (r->n_args == MAX_ARGS)
		soak_usage_error("more than %d options", MAX_ARGS);
	char *text;
	if ((arg ? asprintf(&text, "--%s=%s", name, arg) : asprintf(&text, "--%s", name)) < 0)
		soak_die(SOAK_EXIT_IO, "out of memory");
	r->args[r->n_args++] = text;
}

/* One option of the run; returns false when opt is not one. */
static bool run_option(struct run *r, int opt, const char *arg)
{
	switch (opt) {
	case 'n': r->iterations = soak_arg_long("--iterations", arg, 1, 1000000); break;
	case OPT_WARMUP: r->warmup = true; break;
	case OPT_NO_WARMUP: r->warmup = false; break;
	case OPT_WARMUP_PRESET: r->warmup_preset = arg; r->warmup_preset_given = true; break;
	case 'p': r->preset = arg; break;
	case OPT_PARAMS: r->params = arg; break;
	case OPT_SET:
		if (r->n_sets == MAX_ARGS)
			soak_usage_error("more than %d options '--set'", MAX_ARGS);
		r->sets[r->n_sets++] = arg;
		break;
	case 's': r->seed = soak_arg_long("--seed", arg, 0, LONG_MAX); r->seed_given = true; break;
	case OPT_MARKET: r->market = arg; r->market_given = true; break;
	case OPT_RULES: r->rules = arg; break;
	case OPT_THRESHOLDS: r->thresholds = arg; break;
	case 'e': r->engine = arg; break;
	case OPT_ENGINE_TIMEOUT:
		r->engine_timeout = soak_arg_double("--engine-timeout", arg, 0, 1e6);
		r->timeout_given = true;
		break;
	case OPT_FORMAT:
		if (!soak_verdict_format_parse(arg, &r->format))
			soak_usage_error("option '--format': '%s' is not json, text, junit, github or "
					 "markdown", arg);
		break;
	case OPT_FAIL_ON:
		if (!soak_fail_on_parse(arg, &r->fail_on))
			soak_usage_error("option '--fail-on': '%s' is not fail or warn", arg);
		break;
	default: return false;
	}
	keep_arg(r, opt, arg);
	return true;
}

/* An option that the other options make useless is a usage error, not ignored. */
static void reject_options_without_effect(const struct run *r)
{
	if (r->warmup_preset_given && !r->warmup)
		soak_usage_error("option '--warmup-preset' has no effect without --warmup");
	if (strcmp(r->engine, "mock") != 0 && r->seed_given)
		soak_usage_error("option '--seed' has no effect with --engine=%s (it seeds the "
				 "built-in market)", r->engine);
	if (strcmp(r->engine, "mock") != 0 && r->market_given)
		soak_usage_error("option '--market' has no effect with --engine=%s (it is the "
				 "built-in market's)", r->engine);
}

/* The command line: run options, or --resume with only --out and --quiet. */
static void parse_command_line(struct run *r, int argc, char **argv)
{
	int opt;
	while ((opt = soak_getopt_long(argc, argv, "n:p:s:e:o:qhV", longopts)) != -1) {
		if (run_option(r, opt, optarg))
			continue;
		switch (opt) {
		case 'o': r->out = optarg; break;
		case 'q': r->quiet = true; break;
		case OPT_RESUME: r->resume = true; break;
		case OPT_FORCE: r->force = true; break;
		default: soak_standard_option(opt, help_text);
		}
	}
	if (optind < argc)
		soak_usage_error("unexpected argument '%s'", argv[optind]);
	if (r->resume && r->n_args)
		soak_usage_error("--resume takes the run's options from its run.args: "
				 "give only --out and --quiet");
	if (r->resume && r->force)
		soak_usage_error("--resume and --force exclude each other");
	reject_options_without_effect(r);
}

/*
 * --resume: the run's options from DIR/run.args, NUL-separated data read
 * by the same option parser, never by a shell.  Only run options may be
 * there.
 */
static void load_run_args(struct run *r, char **buf_out, size_t *len_out)
{
	/* The options point into these for the whole run. */
	static char *buf, **args, **argv;
	char path[PATH_MAX], err[SOAK_ERR_MAX];
	snprintf(path, sizeof path, "%s/run.args", r->out);
	if (access(path, F_OK) != 0)
		soak_die(SOAK_EXIT_USAGE, "--resume: no '%s' (was the run started with --out '%s'?)",
			 path, r->out);
	size_t len;
	buf = soak_read_small_file(path, 1 << 20, &len, err);
	int n;
	args = buf ? soak_args_decode(buf, len, MAX_ARGS, &n, err) : NULL;
	if (!buf)
		soak_die(SOAK_EXIT_USAGE, "--resume: %s", err);
	if (!args)
		soak_die(SOAK_EXIT_USAGE, "--resume: '%s': %s", path, err);
	*buf_out = soak_args_encode(args, n, len_out);   /* a copy to compare with run.json */
	argv = calloc((size_t)n + 2, sizeof *argv);
	if (!argv)
		soak_die(SOAK_EXIT_IO, "out of memory");
	argv[0] = (char *)soak_progname;
	memcpy(argv + 1, args, (size_t)n * sizeof *argv);
	optind = 0;
	opterr = 0;
	int opt;
	while ((opt = getopt_long(n + 1, argv, "n:p:s:e:", longopts, NULL)) != -1)
		if (!run_option(r, opt, optarg))
			soak_die(SOAK_EXIT_USAGE, "--resume: '%s' holds '%s', which is not an "
				 "option of a run", path, argv[optind - 1]);
	if (optind <= n)
		soak_die(SOAK_EXIT_USAGE, "--resume: '%s' holds '%s', which is not an option "
			 "of a run", path, argv[optind]);
}

/* Values that options cannot check one by one. */
static void check_values(struct run *r)
{
	if (!*r->engine)
		soak_usage_error("option '--engine': empty command");
	if (!strcmp(r->engine, "replay:"))
		soak_usage_error("option '--engine': replay: needs a FILE");
	bool command = strcmp(r->engine, "mock") && strncmp(r->engine, "replay:", 7);
	if (!r->timeout_given && command)
		r->engine_timeout = COMMAND_ENGINE_TIMEOUT;
	snprintf(r->log_path, sizeof r->log_path, "%s/iterations.jsonl", r->out);
}

/* ------------------------------------------------------------------ */
/* data files                                                          */

/* Find, fingerprint and check one data file; usage errors name the option. */
static void add_file(struct run *r, const char *role, const char *arg, bool by_name)
{
	struct data_file *f = &r->files[r->n_files++];
	char found[PATH_MAX], err[SOAK_ERR_MAX];
	f->role = role;
	f->arg = arg;
	if (by_name && !soak_find_data_file(arg, found, sizeof found, err))
		soak_usage_error("option '--%s': %s", role, err);
	if (!by_name)
		snprintf(found, sizeof found, "%s", arg);
	if (!soak_sha256_file(found, f->sha256, err))
		soak_usage_error("option '--%s': %s", role, err);
	if (!realpath(found, f->path))
		soak_usage_error("option '--%s': cannot resolve '%s': %s", role, found, strerror(errno));
}

/* Load each file as its stage will, so a bad one stops us before --out. */
static void check_file_contents(const struct run *r)
{
	static struct soak_preset preset;
	static struct soak_thresholds th;
	static struct sim_market market;
	char err[SOAK_ERR_MAX];
	for (int i = 0; i < r->n_files; i++) {
		const struct data_file *f = &r->files[i];
		bool ok = true;
		if (!strcmp(f->role, "preset") || !strcmp(f->role, "warmup-preset"))
			ok = soak_preset_load(f->arg, &preset, err);
		else if (!strcmp(f->role, "thresholds"))
			soak_thresholds_load(f->arg, SOAK_WORDING_GATE, &th);
		else if (!strcmp(f->role, "market"))
			ok = market_load(f->arg, &market, err);
		else if (!strcmp(f->role, "rules")) {
			struct tuner_rules rules;
			if ((ok = tuner_rules_load(f->arg, &rules, err)))
				tuner_rules_free(&rules);
		} else if (!strcmp(f->role, "params")) {
			struct soak_params p;
			cJSON *obj = soak_load_json_file(f->path, err);
			ok = obj && soak_params_from_json(obj, "params", SOAK_PARAMS_FILL_BASELINE,
							  &p, err, sizeof err);
			cJSON_Delete(obj);
		}
		if (!ok)
			soak_usage_error("option '--%s': %s", f->role, err);
	}
}

static void resolve_files(struct run *r)
{
	if (r->preset)
		add_file(r, "preset", r->preset, true);
	if (r->warmup)
		add_file(r, "warmup-preset", r->warmup_preset, true);
	if (r->params)
		add_file(r, "params", r->params, false);
	add_file(r, "rules", tuner_rules_arg(r->rules), true);
	add_file(r, "thresholds", r->thresholds, true);
	if (!strcmp(r->engine, "mock"))
		add_file(r, "market", r->market, true);
	if (!strncmp(r->engine, "replay:", 7)) {
		if (access(r->engine + 7, R_OK) != 0)
			soak_usage_error("option '--engine': cannot read '%s'", r->engine + 7);
		add_file(r, "engine", r->engine + 7, false);
	}
	check_file_contents(r);
}

/* ------------------------------------------------------------------ */
/* run.json                                                            */

static cJSON *string_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* run id: the first 16 hex digits of SHA-256 over run.args and the files' digests. */
static void run_id(const struct run *r, const char *args, size_t len, char id[17])
{
	struct soak_sha256 s;
	char hex[65];
	soak_sha256_init(&s);
	soak_sha256_update(&s, args, len);
	for (int i = 0; i < r->n_files; i++)
		soak_sha256_update(&s, r->files[i].sha256, 64);
	soak_sha256_hex(&s, hex);
	memcpy(id, hex, 16);
	id[16] = '\0';
}

/* run.json's text: provenance of the run, no clock, one line. */
static char *make_run_json(const struct run *r, const char *args, size_t args_len)
{
	char id[17];
	run_id(r, args, args_len, id);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "soakkit", SOAK_VERSION);
	cJSON_AddStringToObject(j, "run_id", id);
	cJSON *a = cJSON_AddArrayToObject(j, "args");
	for (int i = 0; i < r->n_args; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(r->args[i]));
	soak_set(j, "iterations", soak_num((double)r->iterations));
	char seed[32];
	snprintf(seed, sizeof seed, "%ld", r->seed);
	cJSON_AddItemToObject(j, "seed", cJSON_CreateRaw(seed));
	cJSON_AddBoolToObject(j, "warmup", r->warmup);
	cJSON_AddItemToObject(j, "warmup_preset", string_or_null(r->warmup ? r->warmup_preset : NULL));
	cJSON_AddItemToObject(j, "preset", string_or_null(r->preset));
	cJSON_AddItemToObject(j, "params", string_or_null(r->params));
	cJSON *sets = cJSON_AddArrayToObject(j, "set");
	for (int i = 0; i < r->n_sets; i++)
		cJSON_AddItemToArray(sets, cJSON_CreateString(r->sets[i]));
	cJSON_AddStringToObject(j, "rules", r->rules);
	cJSON_AddStringToObject(j, "thresholds", r->thresholds);
	cJSON_AddItemToObject(j, "market", string_or_null(strcmp(r->engine, "mock") ? NULL : r->market));
	cJSON_AddStringToObject(j, "engine", r->engine);
	soak_set(j, "engine_timeout", r->engine_timeout > 0 ? soak_num(r->engine_timeout) : cJSON_CreateNull());
	cJSON *files = cJSON_AddArrayToObject(j, "files");
	for (int i = 0; i < r->n_files; i++) {
		cJSON *f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "role", r->files[i].role);
		cJSON_AddStringToObject(f, "arg", r->files[i].arg);
		cJSON_AddStringToObject(f, "path", r->files[i].path);
		cJSON_AddStringToObject(f, "sha256", r->files[i].sha256);
		cJSON_AddItemToArray(files, f);
	}
	char *text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (!text)
		soak_die(SOAK_EXIT_IO, "out of memory");
	return text;
}

/* The file of role in a run.json "files" array, or NULL. */
static const cJSON *recorded_file(const cJSON *files, const char *role)
{
	for (const cJSON *f = files ? files->child : NULL; f; f = f->next)
		if (cJSON_IsString(soak_get(f, "role")) && !strcmp(soak_get(f, "role")->valuestring, role))
			return f;
	return NULL;
}

static const char *string_member(const cJSON *obj, const char *key)
{
	const cJSON *v = soak_get(obj, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

/*
 * --resume: DIR/run.json must name this soakkit version, hold the
 * run.args we read and, for every data file, the path and SHA-256 it has
 * now.
 */
static void check_run_json(const struct run *r, const char *now_text)
{
	char path[PATH_MAX], err[SOAK_ERR_MAX];
	snprintf(path, sizeof path, "%s/run.json", r->out);
	size_t len;
	char *text = soak_read_small_file(path, 1 << 20, &len, err);
	if (!text)
		soak_die(SOAK_EXIT_USAGE, "--resume: %s (a run made by an older soak-run cannot be resumed)", err);
	cJSON *then = soak_parse_checked(text, len, err);
	cJSON *now = cJSON_Parse(now_text);
	if (!then)
		soak_die(SOAK_EXIT_USAGE, "--resume: '%s': %s", path, err);
	if (strcmp(string_member(then, "soakkit"), SOAK_VERSION))
		soak_die(SOAK_EXIT_USAGE, "--resume: the run was started by soakkit '%s', this is "
			 "soakkit '%s': its iterations would not be the same", string_member(then, "soakkit"),
			 SOAK_VERSION);
	if (!cJSON_Compare(soak_get(then, "args"), soak_get(now, "args"), true))
		soak_die(SOAK_EXIT_USAGE, "--resume: '%s/run.args' does not hold the options "
			 "'%s' records: refusing to run it", r->out, path);
	const cJSON *then_files = soak_get(then, "files");
	for (int i = 0; i < r->n_files; i++) {
		const struct data_file *f = &r->files[i];
		const cJSON *was = recorded_file(then_files, f->role);
		if (!was)
			soak_die(SOAK_EXIT_USAGE, "--resume: '%s' has no entry for '--%s'", path, f->role);
		if (strcmp(string_member(was, "path"), f->path))
			soak_die(SOAK_EXIT_USAGE, "--resume: '--%s=%s' is now '%s', not '%s' as when the "
				 "run started", f->role, f->arg, f->path, string_member(was, "path"));
		if (strcmp(string_member(was, "sha256"), f->sha256))
			soak_die(SOAK_EXIT_USAGE, "--resume: '%s' (--%s) changed since the run started "
				 "(sha256 %.12s..., was %.12s...)", f->path, f->role, f->sha256,
				 string_member(was, "sha256"));
	}
	if (cJSON_GetArraySize((cJSON *)then_files) != r->n_files)
		soak_die(SOAK_EXIT_USAGE, "--resume: '%s' lists other data files than the run uses", path);
	cJSON_Delete(then);
	cJSON_Delete(now);
	free(text);
}

/* ------------------------------------------------------------------ */
/* argument vectors                                                    */

/* "FORMAT" filled in, malloc'd (an option of a stage). */
static char *text_of(const char *fmt, const char *value)
{
	char *s;
	if (asprintf(&s, fmt, value) < 0)
		soak_die(SOAK_EXIT_IO, "out of memory");
	return s;
}

/* A NULL-terminated argv of up to 4 strings; NULLs inside are skipped. */
static char **argv_of(const char *a0, const char *a1, const char *a2, const char *a3)
{
	const char *in[] = {a0, a1, a2, a3};
	char **argv = calloc(5, sizeof *argv);
	if (!argv)
		soak_die(SOAK_EXIT_IO, "out of memory");
	int n = 0;
	for (int i = 0; i < 4; i++)
		if (in[i])
			argv[n++] = (char *)in[i];
	return argv;
}

/* ------------------------------------------------------------------ */
/* the first record                                                    */

/* Run a soak-next and return its output (at most one line); die if it fails. */
static char *run_soak_next(char **argv, int in_fd, size_t *len)
{
	char err[SOAK_ERR_MAX], *out;
	int status = soak_child_capture("soak-next", argv, in_fd, &out, len, MAX_LINE, err);
	if (status < 0)
		soak_die(SOAK_EXIT_IO, "%s", err);
	if (status != 0) {
		char how[96];
		soak_wait_status_text(status, how, sizeof how);
		soak_die(SOAK_EXIT_USAGE, "soak-next %s failed (%s)", argv[1], how);
	}
	return out;
}

/* Iteration 1 from the baseline, --params, --preset, --set (soak-next --first). */
static char *first_record(const struct run *r, size_t *len)
{
	char **argv = calloc((size_t)r->n_sets + 5, sizeof *argv);
	int n = 0;
	argv[n++] = "soak-next";
	argv[n++] = "--first";
	if (r->preset)
		argv[n++] = text_of("--preset=%s", r->preset);
	if (r->params)
		argv[n++] = text_of("--params=%s", r->params);
	for (int i = 0; i < r->n_sets; i++)
		argv[n++] = text_of("--set=%s", r->sets[i]);
	char *out = run_soak_next(argv, -1, len);
	for (int i = 2; i < n; i++)
		free(argv[i]);
	free(argv);
	return out;
}

/* The log's last line (soak_last_line), or exit: 2 when it is too long, 3 on a read error. */
static void log_last_line(const struct run *r, int log_fd, off_t *start, size_t *len)
{
	char err[SOAK_ERR_MAX];
	int status = soak_last_line(log_fd, start, len, MAX_LINE, err);
	if (status != 0)
		soak_die(status, "'%s': %s%s", r->log_path,
			 status == SOAK_EXIT_USAGE ? "last line: " : "", err);
}

/*
 * --resume: the record after the log's last line (soak-next reads that
 * line straight from the log), or "" when the log holds every iteration.
 */
static char *next_record(const struct run *r, int log_fd, size_t *len)
{
	off_t start;
	size_t line_len;
	log_last_line(r, log_fd, &start, &line_len);
	if (line_len == 0)
		return first_record(r, len);
	int in = open(r->log_path, O_RDONLY | O_CLOEXEC);
	if (in < 0 || lseek(in, start, SEEK_SET) != start)
		soak_die(SOAK_EXIT_IO, "cannot read '%s': %s", r->log_path, strerror(errno));
	char iterations[32];
	snprintf(iterations, sizeof iterations, "--iterations=%ld", r->iterations);
	char **argv = argv_of("soak-next", iterations, NULL, NULL);
	char *out = run_soak_next(argv, in, len);
	free(argv);
	close(in);
	return out;
}

/* ------------------------------------------------------------------ */
/* the run directory                                                   */

/*
 * Lock --out (creating it): refused while another run holds it, and for
 * a new run without --force when it is not empty.  Returns the lock fd.
 */
static int open_run_dir(const struct run *r)
{
	char err[SOAK_ERR_MAX];
	bool busy;
	int probe = soak_lock_run_dir(r->out, false, &busy, err);
	if (probe == -1)
		soak_die(busy ? SOAK_EXIT_USAGE : SOAK_EXIT_IO, "%s", err);
	if (probe >= 0)
		close(probe);
	if (!r->resume && !r->force && soak_dir_has_entries(r->out))
		soak_die(SOAK_EXIT_USAGE, "'%s' is not empty: give --resume to continue its run, "
			 "or --force to replace it", r->out);
	if (!soak_mkdir_p(r->out, err))
		soak_die(SOAK_EXIT_IO, "%s", err);
	int lock = soak_lock_run_dir(r->out, true, &busy, err);
	if (lock < 0)
		soak_die(busy ? SOAK_EXIT_USAGE : SOAK_EXIT_IO, "%s", err);
	return lock;
}

static void remove_run_file(const struct run *r, const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", r->out, name);
	if (unlink(path) != 0 && errno != ENOENT)
		soak_die(SOAK_EXIT_IO, "cannot remove '%s': %s", path, strerror(errno));
}

static void write_run_file(const struct run *r, const char *name, const char *data, size_t len)
{
	char path[PATH_MAX], err[SOAK_ERR_MAX];
	snprintf(path, sizeof path, "%s/%s", r->out, name);
	if (!soak_atomic_write(path, data, len, err))
		soak_die(SOAK_EXIT_IO, "%s", err);
}

/*
 * A new run: run.json goes first (a resume is refused until the new one
 * is written), then the verdict; the log is emptied; run.args, then
 * run.json last.  Returns the log's fd.
 */
static int start_new_run(const struct run *r, const char *args, size_t args_len,
			 const char *run_json)
{
	char err[SOAK_ERR_MAX];
	remove_run_file(r, "run.json");
	remove_run_file(r, "verdict.json");
	int fd = open(r->log_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0 || fsync(fd) != 0 || !soak_sync_parent_dir(r->log_path, err))
		soak_die(SOAK_EXIT_IO, "cannot write '%s': %s", r->log_path, strerror(errno));
	write_run_file(r, "run.args", args, args_len);
	size_t len = strlen(run_json);
	char *line = malloc(len + 2);
	if (!line)
		soak_die(SOAK_EXIT_IO, "out of memory writing run.json");
	memcpy(line, run_json, len);
	memcpy(line + len, "\n", 2);
	write_run_file(r, "run.json", line, len + 1);
	free(line);
	return fd;
}

/* --resume: no verdict until the run is complete; a cut-off last line trimmed. */
static int continue_run(const struct run *r)
{
	char err[SOAK_ERR_MAX];
	remove_run_file(r, "verdict.json");
	int fd = open(r->log_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	off_t cut;
	if (fd < 0)
		soak_die(SOAK_EXIT_IO, "cannot open '%s': %s", r->log_path, strerror(errno));
	if (!soak_trim_partial_line(fd, &cut, err))
		soak_die(SOAK_EXIT_IO, "'%s': %s", r->log_path, err);
	if (cut > 0)
		soak_warn("dropped an incomplete last line of '%s' (%lld bytes)", r->log_path,
			  (long long)cut);
	return fd;
}

/* ------------------------------------------------------------------ */
/* reading lines with a deadline                                       */

struct reader {
	int fd;
	char *buf;
	size_t start, end, cap;
	bool eof;
};

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int poll_timeout(long long deadline)
{
	if (deadline < 0)
		return -1;
	long long left = deadline - now_ms();
	return left < 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

/* One read into rd's buffer; false on a read error or a line over MAX_LINE. */
static bool fill(struct reader *rd)
{
	if (rd->start > 0) {
		memmove(rd->buf, rd->buf + rd->start, rd->end - rd->start);
		rd->end -= rd->start;
		rd->start = 0;
	}
	if (rd->end == rd->cap) {
		if (rd->cap > (size_t)MAX_LINE)
			return false;
		char *more = realloc(rd->buf, rd->cap * 2);
		if (!more)
			return false;
		rd->buf = more;
		rd->cap *= 2;
	}
	ssize_t n;
	while ((n = read(rd->fd, rd->buf + rd->end, rd->cap - rd->end)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return false;
	rd->eof = n == 0;
	rd->end += (size_t)n;
	return true;
}

/* A whole line waiting in rd's buffer (without its newline), or false. */
static bool take_line(struct reader *rd, char **line, size_t *len)
{
	char *nl = memchr(rd->buf + rd->start, '\n', rd->end - rd->start);
	if (!nl)
		return false;
	*line = rd->buf + rd->start;
	*len = (size_t)(nl - *line);
	rd->start += *len + 1;
	return true;
}

static bool pending(const struct reader *rd)
{
	return rd->end > rd->start;
}

/* Write all of data to fd (non-blocking) by deadline; errno set on failure. */
static bool write_by(int fd, const char *data, size_t len, long long deadline)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n > 0) {
			data += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return false;
		struct pollfd p = {fd, POLLOUT, 0};
		if (poll(&p, 1, poll_timeout(deadline)) == 0) {
			errno = ETIMEDOUT;
			return false;
		}
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* the ring                                                            */

struct ring {
	struct soak_child stages[MAX_STAGES];
	int n_stages;
	struct soak_child engine;
	struct reader up;             /* records for the engine, from the stage before */
	struct reader from_engine;
	int to_engine;
	int down;                     /* records from the engine, to tuner-propose */
	bool engine_ended_by_us;
	int events;                   /* readable when a child ended */
	struct soak_child *ended[MAX_STAGES + 1];   /* reaped, in the order they ended */
	int n_ended;
};

static void make_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC) != 0)
		soak_die(SOAK_EXIT_IO, "cannot make a pipe: %s", strerror(errno));
}

/* Start one stage reading in_fd and writing out_fd; the parent's copies are closed. */
static void start_stage(struct ring *g, struct soak_child *c, const char *name, char **argv,
			int in_fd, int out_fd, int lock_fd)
{
	char err[SOAK_ERR_MAX];
	*c = (struct soak_child){.name = name, .argv = argv, .in_fd = in_fd, .out_fd = out_fd,
				 .keep_fd = lock_fd, .death_signal = SIGKILL};
	if (c != &g->engine)
		g->n_stages++;
	else {
		c->own_group = true;       /* ended as a whole, signals and all */
		c->group_keeper = true;    /* and ended even after a kill -9 of soak-run */
		c->grace_ms = GRACE_MS;
		c->death_signal = SIGTERM; /* a bot adapter gets to clean up */
		c->keep_fd = -1;           /* an engine never holds the run's lock */
	}
	if (!soak_child_start(c, err))
		soak_die(SOAK_EXIT_IO, "%s", err);
	close(in_fd);
	close(out_fd);
}

/* The stages from in_fd (a pipe's read end) through `stage`; returns the last one's output. */
static int chain(struct ring *g, int in_fd, const char *name, char **argv, int lock_fd)
{
	int p[2];
	make_pipe(p);
	start_stage(g, &g->stages[g->n_stages], name, argv, in_fd, p[1], lock_fd);
	return p[0];
}

static char **engine_argv(const struct run *r)
{
	if (!strcmp(r->engine, "mock")) {
		char seed[48];
		snprintf(seed, sizeof seed, "--seed=%ld", r->seed);
		return argv_of("soak-mock", strdup(seed), text_of("--market=%s", r->market), NULL);
	}
	if (!strncmp(r->engine, "replay:", 7))
		return argv_of("soak-replay", "--", r->engine + 7, NULL);
	return argv_of("sh", "-c", r->engine, NULL);
}

/* Put the first record into the ring's pipe (made big enough to hold it). */
static void feed_first(int fd, const char *record, size_t len)
{
	if (len + 1 > 65536 && fcntl(fd, F_SETPIPE_SZ, (int)(len + 1)) < 0)
		soak_die(SOAK_EXIT_IO, "cannot hold a %zu-byte record in a pipe: %s", len, strerror(errno));
	if (write(fd, record, len) != (ssize_t)len || (len && record[len - 1] != '\n' && write(fd, "\n", 1) != 1))
		soak_die(SOAK_EXIT_IO, "cannot write the first record: %s", strerror(errno));
}

/*
 * Start the ring: soak-next's output feeds the first stage; soak-run
 * stands on both sides of the engine.
 */
static void start_ring(struct ring *g, const struct run *r, const char *first, size_t len,
		       int lock_fd)
{
	int ring[2], to_e[2], from_e[2], down[2];
	if ((g->events = soak_children_event_fd()) < 0)
		soak_die(SOAK_EXIT_IO, "cannot make a pipe: %s", strerror(errno));
	make_pipe(ring);
	feed_first(ring[1], first, len);
	int in = ring[0];
	if (r->warmup) {
		in = chain(g, in, "warmup-phase", argv_of("warmup-phase", NULL, NULL, NULL), lock_fd);
		in = chain(g, in, "warmup-apply", argv_of("warmup-apply",
			   text_of("--preset=%s", r->warmup_preset), NULL, NULL), lock_fd);
	}
	g->up = (struct reader){.fd = in};
	make_pipe(to_e);
	make_pipe(from_e);
	start_stage(g, &g->engine, "engine", engine_argv(r), to_e[0], from_e[1], -1);
	g->to_engine = to_e[1];
	fcntl(g->to_engine, F_SETFL, O_NONBLOCK);
	g->from_engine = (struct reader){.fd = from_e[0]};
	make_pipe(down);
	g->down = down[1];
	in = chain(g, down[0], "tuner-propose", argv_of("tuner-propose",
		   text_of("--rules=%s", r->rules), NULL, NULL), lock_fd);
	in = chain(g, in, "tuner-filter", argv_of("tuner-filter", NULL, NULL, NULL), lock_fd);
	in = chain(g, in, "kpi-gate", argv_of("kpi-gate", text_of("--thresholds=%s", r->thresholds),
		   NULL, NULL), lock_fd);
	in = chain(g, in, "soak-log", argv_of("soak-log", r->quiet ? "--" : "--progress",
		   r->quiet ? r->log_path : "--", r->quiet ? NULL : r->log_path), lock_fd);
	char iterations[32];
	snprintf(iterations, sizeof iterations, "--iterations=%ld", r->iterations);
	start_stage(g, &g->stages[g->n_stages], "soak-next",
		    argv_of("soak-next", strdup(iterations), NULL, NULL), in, ring[1], lock_fd);
	for (struct reader *rd = &g->up; rd; rd = rd == &g->up ? &g->from_engine : NULL) {
		rd->cap = 65536;
		if (!(rd->buf = malloc(rd->cap)))
			soak_die(SOAK_EXIT_IO, "out of memory");
	}
}

enum wait_result { GOT_LINE, GOT_EOF, GOT_TIMEOUT, GOT_ERROR, GOT_ENGINE, GOT_FAILED_STAGE };

/*
 * Reap the children that ended; true when one of them failed (a status
 * other than 0, or a signal): the ring is broken and must stop now, not
 * when the engine next answers.
 */
static bool stage_failed(struct ring *g)
{
	struct soak_child *c;
	bool failed = false;
	soak_children_event_drain();
	while ((c = soak_child_reap_ended())) {
		g->ended[g->n_ended++] = c;
		failed = failed || c->status != 0;
	}
	return failed;
}

/*
 * The next line of rd by deadline (-1: none).  While waiting, the
 * engine's output is watched when watch_engine is set (anything it says
 * ends the wait with GOT_ENGINE), and so are the stages (one that fails
 * ends it with GOT_FAILED_STAGE).
 */
static enum wait_result next_line(struct ring *g, struct reader *rd, bool watch_engine,
				  long long deadline, char **line, size_t *len)
{
	struct reader *watch = watch_engine && !g->from_engine.eof ? &g->from_engine : NULL;
	for (;;) {
		if (take_line(rd, line, len))
			return GOT_LINE;
		if (rd->eof)
			return GOT_EOF;
		struct pollfd p[3] = {{rd->fd, POLLIN, 0}, {g->events, POLLIN, 0},
				      {watch ? watch->fd : -1, POLLIN, 0}};
		int n = poll(p, watch ? 3 : 2, poll_timeout(deadline));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return GOT_ERROR;
		if (n == 0)
			return GOT_TIMEOUT;
		if (p[1].revents && stage_failed(g))
			return GOT_FAILED_STAGE;
		if (watch && p[2].revents) {
			if (!fill(watch) || pending(watch))
				return GOT_ENGINE;
			if (watch->eof)
				watch = NULL;
		}
		if (p[0].revents && !fill(rd))
			return GOT_ERROR;
	}
}

/* ------------------------------------------------------------------ */
/* the engine's contract                                               */

/* Parse a line that lies in a buffer followed by its newline (soak_parse_checked wants a NUL). */
static cJSON *parse_line(char *line, size_t len, char *err)
{
	char saved = line[len];
	line[len] = '\0';
	cJSON *rec = soak_parse_checked(line, len, err);
	line[len] = saved;
	return rec;
}

static bool same_member(const cJSON *a, const cJSON *b, const char *key)
{
	const cJSON *x = soak_get(a, key), *y = soak_get(b, key);
	return (!x && !y) || (x && y && cJSON_Compare(x, y, true));
}

/*
 * The engine's record for the record `in` of iteration it: the same
 * iteration, params and effective unchanged, a summary.  False with err.
 */
static bool keeps_contract(const cJSON *in, long it, char *line, size_t len, char *err)
{
	char why[SOAK_ERR_MAX];
	cJSON *out = parse_line(line, len, why);
	long got = 0;
	bool ok = out != NULL;
	if (!ok)
		soak_errorf(err, "it wrote a bad record: %s", why);
	else if (!soak_get_iteration(out, &got, why))
		ok = soak_errorf(err, "it wrote a bad record: %s", why);
	else if (got != it)
		ok = soak_errorf(err, "it wrote iteration %ld", got);
	else if (!same_member(in, out, "params"))
		ok = soak_errorf(err, "it changed 'params'");
	else if (!same_member(in, out, "effective"))
		ok = soak_errorf(err, "it changed 'effective'");
	else if (!soak_get(out, "summary"))
		ok = soak_errorf(err, "its record has no 'summary'");
	cJSON_Delete(out);
	return ok;
}

/*
 * Whether the engine ended with a failure by wait_ms from now: an engine
 * that exits closes its pipes before it is reaped, so its output's end or
 * a broken pipe may be seen first.  Waits until the engine is reaped (or
 * a stage fails) or wait_ms passes.
 */
static bool engine_failed(struct ring *g, int wait_ms)
{
	long long deadline = now_ms() + wait_ms;
	for (;;) {
		if (stage_failed(g))
			return true;
		for (int i = 0; i < g->n_ended; i++)
			if (g->ended[i] == &g->engine)
				return false;   /* reaped, status 0 */
		struct pollfd p = {g->events, POLLIN, 0};
		int n = poll(&p, 1, poll_timeout(deadline));
		if (n == 0)
			return false;
		if (n < 0 && errno != EINTR)
			return false;
	}
}

/* A breach: the message, and the engine is ended (TERM, then KILL). */
static int breach(struct ring *g, const struct run *r, long it, const char *msg)
{
	soak_warn("engine '%s': iteration %ld: %s", r->engine, it, msg);
	g->engine_ended_by_us = true;
	soak_child_end_group(&g->engine, GRACE_MS);
	return SOAK_EXIT_USAGE;
}

/* The engine's answer to the record `in` of iteration it, checked and passed on. */
static int engine_answer(struct ring *g, const struct run *r, const cJSON *in, long it,
			 long long deadline)
{
	char err[SOAK_ERR_MAX], msg[SOAK_ERR_MAX];
	char *out;
	size_t len;
	switch (next_line(g, &g->from_engine, false, deadline, &out, &len)) {
	case GOT_FAILED_STAGE:
		return -1;
	case GOT_LINE:
		if (!keeps_contract(in, it, out, len, err))
			return breach(g, r, it, err);
		if (pending(&g->from_engine))
			return breach(g, r, it, "it wrote more than one line");
		if (write(g->down, out, len + 1) != (ssize_t)(len + 1))
			return -1;   /* the stage after it ended: its own report says why */
		return 0;
	case GOT_TIMEOUT:
		snprintf(msg, sizeof msg, "no record within %g s: ending it (TERM, then KILL "
			 "after %d s)", r->engine_timeout, GRACE_MS / 1000);
		return breach(g, r, it, msg);
	case GOT_EOF:
		if (engine_failed(g, GRACE_MS))
			return -1;   /* its exit status says why, as for any stage */
		return breach(g, r, it, pending(&g->from_engine)
			      ? "its output ended in the middle of a line"
			      : "its output ended without a record");
	default:
		snprintf(msg, sizeof msg, "cannot read its output: %s", strerror(errno));
		return breach(g, r, it, msg);
	}
}

/*
 * One iteration through the engine: the record `line` (its newline at
 * line[len]) to the engine, its answer on.  *it is set to the record's
 * iteration.  Returns 0 to go on, else the ring's status.
 */
static int engine_iteration(struct ring *g, const struct run *r, char *line, size_t len, long *it)
{
	char err[SOAK_ERR_MAX], msg[SOAK_ERR_MAX];
	cJSON *in = parse_line(line, len, err);
	if (!in || !soak_get_iteration(in, it, err))
		soak_die(SOAK_EXIT_USAGE, "the stage before the engine wrote a bad record: %s", err);
	long long deadline = r->engine_timeout > 0
		? now_ms() + (long long)(r->engine_timeout * 1000) : -1;
	int status;
	if (write_by(g->to_engine, line, len + 1, deadline))
		status = engine_answer(g, r, in, *it, deadline);
	else {
		int write_errno = errno;
		if (write_errno == ETIMEDOUT)
			snprintf(msg, sizeof msg, "it did not read its record within %g s",
				 r->engine_timeout);
		else
			snprintf(msg, sizeof msg, "it stopped reading (%s)", strerror(write_errno));
		status = write_errno != ETIMEDOUT && engine_failed(g, GRACE_MS) ? -1
			 : breach(g, r, *it, msg);
	}
	cJSON_Delete(in);
	return status;
}

/*
 * Pass every record through the engine until the ring ends (the stage
 * before the engine closes its output).  Returns 0, a breach's status,
 * or -1 when the stage after the engine is gone.
 */
static int supervise(struct ring *g, const struct run *r)
{
	long last = 0;
	for (;;) {
		char *line;
		size_t len;
		switch (next_line(g, &g->up, true, -1, &line, &len)) {
		case GOT_LINE: {
			int status = engine_iteration(g, r, line, len, &last);
			if (status)
				return status;
			break;
		}
		case GOT_ENGINE:
			return breach(g, r, last, last ? "it wrote more than one line"
				      : "it wrote a line before its first record");
		case GOT_FAILED_STAGE:
			return -1;
		case GOT_EOF:
			if (pending(&g->up))
				soak_die(SOAK_EXIT_USAGE, "the stage before the engine ended in the "
					 "middle of a line");
			return 0;
		default:
			soak_die(SOAK_EXIT_IO, "cannot read the ring: %s", strerror(errno));
		}
	}
}

/* ------------------------------------------------------------------ */
/* the end of the ring                                                 */

/*
 * The ring ended well: the engine has its input closed, may write
 * nothing more and must exit (within its timeout, then a grace period).
 */
static int finish_engine(struct ring *g, const struct run *r)
{
	long long deadline = r->engine_timeout > 0
		? now_ms() + (long long)(r->engine_timeout * 1000) : -1;
	char *line;
	size_t len;
	int status = 0;
	switch (next_line(g, &g->from_engine, false, deadline, &line, &len)) {
	case GOT_FAILED_STAGE:
		break;   /* reported with the others */
	case GOT_EOF:
		if (pending(&g->from_engine))
			status = breach(g, r, r->iterations, "it wrote half a line after the last record");
		break;
	case GOT_TIMEOUT:
		status = breach(g, r, r->iterations, "its output did not end after the last record");
		break;
	default:
		status = breach(g, r, r->iterations, "it wrote a line after the last record");
	}
	for (int waited = 0; waited < GRACE_MS && !g->engine.reaped; waited += 10) {
		int st;
		if (waitpid(g->engine.pid, &st, WNOHANG) == g->engine.pid) {
			g->engine.status = st;
			g->engine.reaped = true;
		} else {
			nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
		}
	}
	soak_child_end_group(&g->engine, GRACE_MS);   /* and whatever it left behind */
	return status;
}

/* A child that failed on its own (not ended by us): its message, and the status it makes. */
static int report_child(const struct ring *g, const struct soak_child *c)
{
	if (c->status == 0)
		return 0;
	if (c == &g->engine && g->engine_ended_by_us && WIFSIGNALED(c->status))
		return 0;
	char how[96];
	soak_wait_status_text(c->status, how, sizeof how);
	soak_warn("stage '%s' failed (%s)", c->name, how);
	return WIFEXITED(c->status) && WEXITSTATUS(c->status) == SOAK_EXIT_IO
		? SOAK_EXIT_IO : SOAK_EXIT_USAGE;
}

/*
 * Close soak-run's ends of the ring, so every stage sees the end of its
 * input and finishes; wait for all; report each one that failed, in the
 * order they ended.  Returns the ring's status.
 */
static int stop_ring(struct ring *g, const struct run *r, int status)
{
	close(g->up.fd);
	close(g->to_engine);
	close(g->down);
	if (status == 0)
		status = finish_engine(g, r);
	else if (!g->engine.reaped) {
		g->engine_ended_by_us = true;
		soak_child_end_group(&g->engine, GRACE_MS);
	}
	close(g->from_engine.fd);
	struct soak_child *c;
	while ((c = soak_child_wait_any()))
		g->ended[g->n_ended++] = c;
	int worst = 0;
	bool engine_seen = false;
	for (int i = 0; i < g->n_ended; i++) {
		int s = report_child(g, g->ended[i]);
		worst = s > worst ? s : worst;
		engine_seen = engine_seen || g->ended[i] == &g->engine;
	}
	if (!engine_seen) {
		int s = report_child(g, &g->engine);
		worst = s > worst ? s : worst;
	}
	if (worst)
		return worst;
	return status < 0 ? SOAK_EXIT_USAGE : status;
}

/* ------------------------------------------------------------------ */
/* the verdict                                                         */

/* The log must end at iteration N; anything else is a ring that stopped short. */
static void check_complete(const struct run *r, int log_fd)
{
	char err[SOAK_ERR_MAX];
	off_t start;
	size_t len;
	long last = 0;
	log_last_line(r, log_fd, &start, &len);
	if (len > 0) {
		char *line = malloc(len + 1);
		if (!line || pread(log_fd, line, len + 1, start) != (ssize_t)len + 1)
			soak_die(SOAK_EXIT_IO, "cannot read '%s': %s", r->log_path, strerror(errno));
		cJSON *rec = parse_line(line, len, err);
		if (!rec || !soak_get_iteration(rec, &last, err))
			soak_die(SOAK_EXIT_USAGE, "'%s': last line: %s", r->log_path, err);
		cJSON_Delete(rec);
		free(line);
	}
	if (last != r->iterations)
		soak_die(SOAK_EXIT_USAGE, "the loop ended after %ld of %ld iterations", last, r->iterations);
}

/* The verdict's status ("PASS", "WARN", "FAIL") from kpi-gate --summary's line. */
static const char *verdict_status(const char *json)
{
	static const char *const levels[] = {"PASS", "WARN", "FAIL"};
	cJSON *v = cJSON_Parse(json);
	const cJSON *status = soak_get(v, "status");
	for (int i = 0; i < 3; i++)
		if (cJSON_IsString(status) && !strcmp(status->valuestring, levels[i])) {
			cJSON_Delete(v);
			return levels[i];
		}
	soak_die(SOAK_EXIT_USAGE, "kpi-gate --summary printed a verdict without a status");
}

/*
 * kpi-gate --summary --thresholds=T --run=DIR/run.json [a4] [a5]: its
 * argv, NULL-terminated, the strings malloc'd (free_argv).
 */
static char **kpi_gate_argv(const struct run *r, const char *a4, const char *a5)
{
	char **argv = calloc(7, sizeof *argv), *run;
	if (!argv || asprintf(&run, "--run=%s/run.json", r->out) < 0)
		soak_die(SOAK_EXIT_IO, "out of memory");
	const char *fixed[] = {"kpi-gate", "--summary", a4, a5};
	int n = 0;
	argv[n++] = text_of("%s", fixed[0]);
	argv[n++] = text_of("%s", fixed[1]);
	argv[n++] = text_of("--thresholds=%s", r->thresholds);
	argv[n++] = run;
	for (int i = 2; i < 4; i++)
		if (fixed[i])
			argv[n++] = text_of("%s", fixed[i]);
	return argv;
}

static void free_argv(char **argv)
{
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

/* kpi-gate --summary over the log (kpi_gate_argv), its stdout to out_fd; dies if it breaks. */
static void kpi_gate_to(const struct run *r, int out_fd, const char *a4, const char *a5)
{
	char err[SOAK_ERR_MAX];
	int log = open(r->log_path, O_RDONLY | O_CLOEXEC);
	char **argv = kpi_gate_argv(r, a4, a5);
	struct soak_child c = {.name = "kpi-gate", .in_fd = log, .out_fd = out_fd,
		.keep_fd = -1, .death_signal = SIGKILL, .argv = argv};
	if (log < 0 || !soak_child_start(&c, err))
		soak_die(SOAK_EXIT_IO, "%s", log < 0 ? strerror(errno) : err);
	close(log);
	soak_child_wait(&c);
	soak_child_forget(&c);
	if (!WIFEXITED(c.status) || WEXITSTATUS(c.status) > SOAK_EXIT_FAIL)
		soak_die(WIFEXITED(c.status) ? WEXITSTATUS(c.status) : SOAK_EXIT_USAGE,
			 "kpi-gate --summary failed");
	free_argv(argv);
}

/* The verdict on stdout in --format: verdict.json's line, or kpi-gate's rendering. */
static void print_verdict(const struct run *r, const char *json, size_t len)
{
	static const char *const names[] = {"json", "text", "junit", "github", "markdown"};
	if (r->format != SOAK_VERDICT_JSON) {
		fflush(stdout);
		char *format = text_of("--format=%s", names[r->format]);
		kpi_gate_to(r, STDOUT_FILENO, format,
			    r->fail_on == SOAK_FAIL_ON_WARN ? "--fail-on=warn" : NULL);
		free(format);
		return;
	}
	errno = 0;
	if ((fwrite(json, 1, len, stdout) != len || fflush(stdout) != 0) && errno != EPIPE)
		soak_die(SOAK_EXIT_IO, "write error: %s", strerror(errno ? errno : EIO));
}

/*
 * kpi-gate --summary --run=DIR/run.json over the log: verdict.json
 * (atomically; with the run object) and stdout in --format; without
 * --quiet the verdict in words on stderr.  Returns the exit status under
 * --fail-on.
 */
static int verdict(const struct run *r)
{
	char err[SOAK_ERR_MAX], *json;
	size_t len;
	int log = open(r->log_path, O_RDONLY | O_CLOEXEC);
	if (log < 0)
		soak_die(SOAK_EXIT_IO, "cannot read '%s': %s", r->log_path, strerror(errno));
	char **argv = kpi_gate_argv(r, NULL, NULL);
	int st = soak_child_capture("kpi-gate", argv, log, &json, &len, MAX_LINE, err);
	free_argv(argv);
	close(log);
	if (st < 0)
		soak_die(SOAK_EXIT_IO, "%s", err);
	if (!WIFEXITED(st) || WEXITSTATUS(st) > SOAK_EXIT_FAIL)
		soak_die(WIFEXITED(st) ? WEXITSTATUS(st) : SOAK_EXIT_USAGE, "kpi-gate --summary failed");
	const char *status = verdict_status(json);
	write_run_file(r, "verdict.json", json, len);
	if (!r->quiet)
		kpi_gate_to(r, STDERR_FILENO, "--text", NULL);
	print_verdict(r, json, len);
	free(json);
	return soak_verdict_exit(status, r->fail_on);
}

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	static struct run r;
	static struct ring g;
	soak_cli_init(argv[0]);
	soak_children_guard(GRACE_MS);
	run_defaults(&r);
	parse_command_line(&r, argc, argv);
	char *args = NULL;
	size_t args_len = 0;
	if (r.resume)
		load_run_args(&r, &args, &args_len);
	else
		args = soak_args_encode(r.args, r.n_args, &args_len);
	check_values(&r);
	resolve_files(&r);
	char *run_json = make_run_json(&r, args, args_len);
	size_t first_len = 0;
	char *first = NULL;
	if (r.resume)
		check_run_json(&r, run_json);
	else
		first = first_record(&r, &first_len);    /* checks --preset, --params, --set */
	/* Everything is checked: from here on --out is touched. */
	int lock = open_run_dir(&r);
	int log = r.resume ? continue_run(&r) : start_new_run(&r, args, args_len, run_json);
	if (r.resume)
		first = next_record(&r, log, &first_len);
	free(args);
	free(run_json);
	if (first_len > 0) {
		start_ring(&g, &r, first, first_len, lock);
		free(first);
		first = NULL;
		int status = stop_ring(&g, &r, supervise(&g, &r));
		if (status)
			return status;
	}
	free(first);
	check_complete(&r, log);
	int status = verdict(&r);
	close(log);
	close(lock);
	return status;
}
