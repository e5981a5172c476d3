/* soak-mock - the built-in engine: simulate each record's iteration, write its summary. */
#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "market.h"
#include "measure.h"
#include "params.h"
#include "record.h"
#include "sim.h"

static const char help_text[] =
"Usage: soak-mock [OPTION]...\n"
"Simulate each record's iteration of a market maker and write its 'summary'\n"
"(JSON lines, stdin to stdout).  Parameters come from 'effective' when the\n"
"record has it (a run with warm-up), else from 'params'.\n"
"\n"
"  -s, --seed=N            random seed, 0 to 2^63-1 (default 1)\n"
"  -m, --market=NAME|FILE  market profile (default market_default)\n"
"      --model=MODEL       market (default): simulate; legacy: the original\n"
"                          tool's fixed series, which ignores parameters and seed\n"
"  -d, --duration=SECONDS  simulated time per iteration (default: the profile's)\n"
"      --events=DIR        also write each iteration's execution events to\n"
"                          DIR/N.jsonl (soak-events(5); N the iteration)\n"
"      --list-params       print the parameter registry as JSON lines and exit\n"
SOAK_STREAM_HELP
SOAK_LIST_PRESETS_HELP
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n"
"\n"
"Output is the same, byte for byte, for the same input and options.\n"
"See soak-mock(1) and soak-market(5).\n";

enum { OPT_MODEL = 0x2000, OPT_LIST_PARAMS };

struct mock_options {
	unsigned long long seed;
	const char *market_arg;
	bool legacy;
	double duration;          /* 0: the profile's */
	bool list_params;
	const char *events_dir;   /* NULL: no event logs */
};

struct mock {
	struct mock_options opt;
	struct sim_market market;
	char market_name[PATH_MAX];
	struct sim_work work;
	struct measure measure;
	FILE *events;             /* the iteration's event log, when written */
	bool event_failed, write_failed;
	char event_err[SOAK_ERR_MAX];
};

static cJSON *kpi(double x)
{
	return measure_kpi_json(x);
}

/* The summary fields of DESIGN.md, in its order (the legacy model's KPIs). */
static cJSON *summary_object(const struct sim_kpi *k)
{
	struct soak_summary sum = {
		.net_bps = k->net_bps, .gross_bps = k->gross_bps,
		.fees_eff_bps = k->fees_eff_bps, .adverse_bps = k->adverse_bps,
		.slippage_bps = k->slippage_bps, .inventory_bps = k->inventory_bps,
		.maker_taker_ratio = k->maker_taker_ratio, .p95_latency_ms = k->p95_latency_ms,
		.risk_ratio = k->risk_ratio, .adverse_bps_p95 = k->adverse_bps_p95,
		.slippage_bps_p95 = k->slippage_bps_p95, .order_age_p95_ms = k->order_age_p95_ms,
		.cancel_ratio = k->cancel_ratio,
		.maker_count = k->maker_count, .taker_count = k->taker_count,
		.maker_volume = k->maker_volume, .taker_volume = k->taker_volume,
	};
	for (int i = 0; i < k->n_neg_edge_drivers && i < 2; i++)
		sum.neg_edge_drivers[sum.n_neg_edge_drivers++] = k->neg_edge_drivers[i];
	return measure_summary_core_json(&sum);
}

static void add_market_extras(cJSON *s, const struct mock *m, const struct sim_stats *st)
{
	cJSON_AddStringToObject(s, "engine", "mock");
	cJSON_AddStringToObject(s, "model", "market");
	cJSON_AddStringToObject(s, "market", m->market_name);
	char seed[32];   /* exact, even above 2^53 where a double would round */
	snprintf(seed, sizeof seed, "%llu", m->opt.seed);
	cJSON_AddItemToObject(s, "seed", cJSON_CreateRaw(seed));
	cJSON_AddItemToObject(s, "pull_count", soak_num((double)st->pull_count));
	cJSON_AddItemToObject(s, "informed_fills", soak_num((double)st->informed_fills));
	cJSON_AddItemToObject(s, "events", soak_num((double)st->events));
	cJSON_AddItemToObject(s, "md_delay_p95_ms", kpi(st->md_delay_p95_ms));
	cJSON_AddItemToObject(s, "position_p95", kpi(st->position_p95));
}

/* The parameters the iteration runs with: 'effective' (all keys) or 'params'. */
static bool read_params(const cJSON *rec, struct soak_params *p, char *err)
{
	cJSON *effective;
	if (!soak_get_object_opt(rec, "effective", "effective", &effective, err))
		return false;
	if (effective)
		return soak_params_from_json(effective, "effective", SOAK_PARAMS_REQUIRE_ALL, p,
					     err, SOAK_ERR_MAX);
	cJSON *params;
	if (!soak_get_object_opt(rec, "params", "params", &params, err))
		return false;
	if (!params)
		return soak_errorf(err, "missing field 'params' (and no 'effective')");
	return soak_params_from_json(params, "params", SOAK_PARAMS_FILL_BASELINE, p,
				     err, SOAK_ERR_MAX);
}

/* The sink of the simulation: every event is measured, and logged when asked. */
static void take_event(void *ctx, const struct soak_event *e)
{
	struct mock *m = ctx;
	if (m->event_failed)
		return;
	if (!measure_event(&m->measure, e, m->event_err)) {
		m->event_failed = true;
		return;
	}
	if (m->events && !soak_event_write(m->events, e))
		m->write_failed = true;
}

static void open_event_log(struct mock *m, long iteration)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/%ld.jsonl", m->opt.events_dir, iteration) >= (int)sizeof path)
		soak_die(SOAK_EXIT_IO, "event log path too long in '%s'", m->opt.events_dir);
	m->events = fopen(path, "w");
	if (!m->events)
		soak_die(SOAK_EXIT_IO, "cannot write '%s': %s", path, strerror(errno));
}

static void close_event_log(struct mock *m)
{
	if (m->events && (fclose(m->events) != 0 || m->write_failed))
		soak_die(SOAK_EXIT_IO, "write error in the event log in '%s'", m->opt.events_dir);
	m->events = NULL;
}

/* One iteration of the market, measured from its events. */
static cJSON *simulate_market(struct mock *m, const struct soak_params *p, long iteration)
{
	struct sim_stats st;
	char err[SOAK_ERR_MAX];
	struct soak_summary sum;
	if (m->opt.events_dir)
		open_event_log(m, iteration);
	measure_begin(&m->measure);
	m->event_failed = false;
	if (!sim_run(&m->market, p, m->opt.seed, iteration, &m->work,
		     (struct sim_sink){ take_event, m }, &st))
		soak_die(SOAK_EXIT_IO, "out of memory");
	close_event_log(m);
	if (m->event_failed)
		soak_die(SOAK_EXIT_IO, "internal error: iteration %ld: the simulated event log is invalid: %s",
			 iteration, m->event_err);
	if (!measure_finish(&m->measure, &sum, err))
		soak_die(SOAK_EXIT_IO, "internal error: iteration %ld: %s", iteration, err);
	cJSON *summary = measure_summary_json(&sum);
	add_market_extras(summary, m, &st);
	return summary;
}

static bool simulate(cJSON *rec, struct mock *m, char *err)
{
	long iteration;
	if (!soak_get_iteration(rec, &iteration, err))
		return false;
	struct sim_kpi k;
	cJSON *summary;
	if (m->opt.legacy) {
		struct sim_legacy_extra extra;
		sim_legacy(iteration, &k, &extra);
		summary = summary_object(&k);
		cJSON_AddStringToObject(summary, "engine", "mock");
		cJSON_AddStringToObject(summary, "model", "legacy");
		cJSON_AddItemToObject(summary, "ws_lag_p95_ms", kpi(extra.ws_lag_p95_ms));
		cJSON_AddItemToObject(summary, "maker_share_pct", kpi(extra.maker_share_pct));
	} else {
		struct soak_params p;
		if (!read_params(rec, &p, err))
			return false;
		summary = simulate_market(m, &p, iteration);
	}
	soak_set(rec, "summary", summary);
	return true;
}

/* --list-params: the registry, one JSON object a line. */
static int list_params(void)
{
	for (int i = 0; i < SOAK_PARAM_COUNT; i++) {
		const struct soak_param_def *d = &soak_param_defs[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "key", d->key);
		cJSON_AddStringToObject(o, "preset_path", d->preset_path);
		cJSON_AddStringToObject(o, "unit", d->unit);
		cJSON_AddItemToObject(o, "baseline", soak_num(d->baseline));
		cJSON_AddItemToObject(o, "min", soak_num(d->min));
		cJSON_AddItemToObject(o, "max", soak_num(d->max));
		cJSON_AddBoolToObject(o, "integer", d->integer);
		cJSON_AddStringToObject(o, "meaning", d->meaning);
		char *text = cJSON_PrintUnformatted(o);
		if (!text)
			soak_die(SOAK_EXIT_IO, "out of memory");
		soak_write_line(stdout, text, strlen(text));
		free(text);
		cJSON_Delete(o);
	}
	if (fclose(stdout) != 0)
		soak_die(SOAK_EXIT_IO, "write error");
	return SOAK_EXIT_OK;
}

static void parse_options(int argc, char **argv, struct soak_stream *s, struct mock_options *o)
{
	static const struct option longopts[] = {
		{"seed", required_argument, NULL, 's'},
		{"market", required_argument, NULL, 'm'},
		{"model", required_argument, NULL, OPT_MODEL},
		{"duration", required_argument, NULL, 'd'},
		{"events", required_argument, NULL, 'e'},
		{"list-params", no_argument, NULL, OPT_LIST_PARAMS},
		SOAK_STREAM_LONGOPTS,
		SOAK_LIST_PRESETS_LONGOPT,
		SOAK_HELP_VERSION_LONGOPTS
	};
	int opt;
	while ((opt = soak_getopt_long(argc, argv, "s:m:d:hV", longopts)) != -1) {
		if (soak_stream_option(s, opt, optarg))
			continue;
		switch (opt) {
		case 's': o->seed = (unsigned long long)soak_arg_long("--seed", optarg, 0, LONG_MAX); break;
		case 'm': o->market_arg = optarg; break;
		case 'd': o->duration = soak_arg_double("--duration", optarg, 1, 3600); break;
		case 'e': o->events_dir = optarg; break;
		case OPT_MODEL:
			if (strcmp(optarg, "market") == 0)
				o->legacy = false;
			else if (strcmp(optarg, "legacy") == 0)
				o->legacy = true;
			else
				soak_usage_error("option '--model': unknown model '%s' (market or legacy)", optarg);
			break;
		case OPT_LIST_PARAMS: o->list_params = true; break;
		default: soak_standard_option(opt, help_text);
		}
	}
	if (optind < argc)
		soak_usage_error("unexpected argument '%s'", argv[optind]);
}

static void load_market(struct mock *m)
{
	char err[SOAK_ERR_MAX];
	if (!market_load(m->opt.market_arg, &m->market, err))
		soak_die(SOAK_EXIT_USAGE, "%s", err);
	const char *base = strrchr(m->opt.market_arg, '/');
	snprintf(m->market_name, sizeof m->market_name, "%s", base ? base + 1 : m->opt.market_arg);
	char *dot = strrchr(m->market_name, '.');
	if (dot && strcmp(dot, ".json") == 0)
		*dot = '\0';
	if (m->opt.duration > 0)
		m->market.duration_s = m->opt.duration;
}

int main(int argc, char **argv)
{
	static struct mock m;
	struct soak_stream s;
	soak_cli_init(argv[0]);
	soak_stream_init(&s);
	soak_stream_use_arena(&s);
	m.opt = (struct mock_options){ .seed = 1, .market_arg = "market_default" };
	parse_options(argc, argv, &s, &m.opt);
	if (m.opt.list_params)
		return list_params();
	if (!m.opt.legacy)
		load_market(&m);
	if (m.opt.events_dir && m.opt.legacy)
		soak_usage_error("option '--events' needs --model=market");
	if (m.opt.events_dir && mkdir(m.opt.events_dir, 0777) != 0 && errno != EEXIST)
		soak_die(SOAK_EXIT_IO, "cannot create '%s': %s", m.opt.events_dir, strerror(errno));
	measure_init(&m.measure, &(struct measure_config){ .markout_s = 0 });
	cJSON *rec;
	while ((rec = soak_stream_next(&s))) {
		char err[SOAK_ERR_MAX];
		if (simulate(rec, &m, err))
			soak_stream_write(&s, rec);
		else
			soak_stream_reject(&s, "%s", err);
		cJSON_Delete(rec);
	}
	sim_work_free(&m.work);
	measure_free(&m.measure);
	return soak_stream_finish(&s);
}
