/* warmup-apply - the parameters the bot runs with this iteration. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "history.h"
#include "params.h"
#include "preset.h"
#include "record.h"

static const char help_text[] =
"Usage: warmup-apply [OPTION]...\n"
"Write each record's `effective' parameters: `params' with the warm-up preset\n"
"applied at the phase weight, clamped to bounds, then the guards (JSON lines,\n"
"stdin to stdout).  Records need `iteration', `params' and `phase'.\n"
"\n"
"  -p, --preset=NAME|FILE        warm-up preset (default warmup_conservative_v1)\n"
"      --prebuffer-target=MS     warm-up p95 target of the latency pre-buffer (350)\n"
"      --prebuffer-slope=BPS     extra spread per 10 ms above the target (0.01)\n"
"      --prebuffer-cap=BPS       most extra spread from the pre-buffer (0.05)\n"
"      --block-risk-warmup=R     block rescue in warm-up when risk > R (0.45)\n"
"      --block-p95-warmup=MS     block rescue in warm-up when p95 > MS (360)\n"
"      --block-risk=R            block rescue after warm-up when risk > R (0.55)\n"
"      --block-p95=MS            block rescue after warm-up when p95 > MS (400)\n"
"      --no-guards               apply the preset only, no guards\n"
SOAK_STREAM_HELP
SOAK_LIST_PRESETS_HELP
"  -h, --help                    show this help and exit\n"
"  -V, --version                 show the version and exit\n"
"\n"
"The guards read the previous iteration's KPIs from state.gate.history\n"
"(written by kpi-gate); on the first iteration there are none and no guard\n"
"fires.  See warmup-apply(1).\n";

struct apply_options {
	struct soak_preset preset;
	double prebuffer_target_ms, prebuffer_slope_bps, prebuffer_cap_bps;
	double block_risk[2], block_p95[2];   /* [0] after warm-up, [1] in warm-up */
	int guards;
};

struct phase_in {
	const char *name;
	double weight;
	int warmup;   /* 1 in WARMUP */
};

static bool read_phase(const cJSON *rec, struct phase_in *p, char *err)
{
	cJSON *phase;
	if (!soak_get(rec, "phase"))
		return soak_errorf(err, "missing field 'phase' (run warmup-phase first)");
	if (!soak_get_object(rec, "phase", "phase", &phase, err))
		return false;
	if (!soak_get_string(phase, "name", "phase.name", &p->name, err) ||
	    !soak_get_number(phase, "weight", "phase.weight", &p->weight, err))
		return false;
	if (strcmp(p->name, "WARMUP") && strcmp(p->name, "RAMPDOWN") && strcmp(p->name, "STEADY"))
		return soak_errorf(err, "'phase.name' is '%s', not WARMUP, RAMPDOWN or STEADY", p->name);
	if (p->weight < 0 || p->weight > 1)
		return soak_errorf(err, "'phase.weight' = %g is outside [0, 1]", p->weight);
	p->warmup = strcmp(p->name, "WARMUP") == 0;
	bool steady = strcmp(p->name, "STEADY") == 0;
	if ((p->warmup && p->weight != 1) || (steady && p->weight != 0) ||
	    (!p->warmup && !steady && (p->weight <= 0 || p->weight >= 1)))
		return soak_errorf(err, "'phase.weight' = %g does not fit phase %s "
				   "(WARMUP 1, RAMPDOWN between 0 and 1, STEADY 0)", p->weight, p->name);
	return true;
}

static cJSON *kpi_or_null(const struct soak_kpi_point *prev, bool found, int kpi)
{
	return found && prev->present[kpi] ? soak_num(prev->value[kpi]) : cJSON_CreateNull();
}

/* Latency pre-buffer: extra spread in warm-up when the last p95 was high. */
static cJSON *apply_prebuffer(const struct apply_options *o, const struct phase_in *ph,
			      const struct soak_kpi_point *prev, bool found,
			      struct soak_params *eff)
{
	double extra = 0;
	bool active = o->guards && ph->warmup && found && prev->present[SOAK_KPI_P95_LATENCY];
	if (active && prev->value[SOAK_KPI_P95_LATENCY] > o->prebuffer_target_ms) {
		double over = prev->value[SOAK_KPI_P95_LATENCY] - o->prebuffer_target_ms;
		extra = fmin(o->prebuffer_cap_bps, over / 10.0 * o->prebuffer_slope_bps);
		double before = eff->value[P_BASE_SPREAD_BPS_DELTA];
		eff->value[P_BASE_SPREAD_BPS_DELTA] =
			soak_param_clamp(P_BASE_SPREAD_BPS_DELTA, before + extra);
		extra = eff->value[P_BASE_SPREAD_BPS_DELTA] - before;
	}
	cJSON *g = cJSON_CreateObject();
	cJSON_AddBoolToObject(g, "applied", extra > 0);
	cJSON_AddItemToObject(g, "p95_prev", kpi_or_null(prev, found, SOAK_KPI_P95_LATENCY));
	cJSON_AddItemToObject(g, "target_ms", soak_num(o->prebuffer_target_ms));
	cJSON_AddItemToObject(g, "extra_spread_bps", soak_num(extra));
	return g;
}

/* Rescue-taker block: no taker rescue after a risky or slow iteration. */
static cJSON *apply_rescue_block(const struct apply_options *o, const struct phase_in *ph,
				 const struct soak_kpi_point *prev, bool found,
				 struct soak_params *eff)
{
	double risk_max = o->block_risk[ph->warmup], p95_max = o->block_p95[ph->warmup];
	char reason[160] = "";
	if (o->guards && found) {
		char part[80];
		if (prev->present[SOAK_KPI_RISK] && prev->value[SOAK_KPI_RISK] > risk_max) {
			snprintf(part, sizeof part, "risk=%.1f%% > %g%%",
				 prev->value[SOAK_KPI_RISK] * 100, risk_max * 100);
			strcat(reason, part);
		}
		if (prev->present[SOAK_KPI_P95_LATENCY] && prev->value[SOAK_KPI_P95_LATENCY] > p95_max) {
			snprintf(part, sizeof part, "%sp95=%.0fms > %gms", reason[0] ? "; " : "",
				 prev->value[SOAK_KPI_P95_LATENCY], p95_max);
			strcat(reason, part);
		}
	}
	if (reason[0])
		eff->value[P_RESCUE_MAX_RATIO] = 0;
	cJSON *g = cJSON_CreateObject();
	cJSON_AddBoolToObject(g, "blocked", reason[0] != '\0');
	cJSON_AddItemToObject(g, "reason", reason[0] ? cJSON_CreateString(reason) : cJSON_CreateNull());
	cJSON_AddItemToObject(g, "risk_prev", kpi_or_null(prev, found, SOAK_KPI_RISK));
	cJSON_AddItemToObject(g, "p95_prev", kpi_or_null(prev, found, SOAK_KPI_P95_LATENCY));
	cJSON_AddItemToObject(g, "risk_threshold", soak_num(risk_max));
	cJSON_AddItemToObject(g, "p95_threshold_ms", soak_num(p95_max));
	return g;
}

static bool apply_record(cJSON *rec, const struct apply_options *o, char *err)
{
	long iteration;
	struct phase_in ph;
	struct soak_params params, eff;
	struct soak_kpi_point prev;
	bool found;
	if (!soak_get_iteration(rec, &iteration, err) || !read_phase(rec, &ph, err))
		return false;
	if (!soak_get(rec, "params"))
		return soak_errorf(err, "missing field 'params'");
	if (!soak_params_from_json(soak_get(rec, "params"), "params", SOAK_PARAMS_REQUIRE_ALL,
				   &params, err, SOAK_ERR_MAX) ||
	    !soak_history_last(rec, iteration, &prev, &found, err))
		return false;
	soak_preset_apply(&o->preset, &params, ph.weight, &eff);
	cJSON *warmup = cJSON_CreateObject();
	cJSON_AddStringToObject(warmup, "preset", o->preset.name);
	cJSON_AddStringToObject(warmup, "phase", ph.name);
	cJSON_AddItemToObject(warmup, "weight", soak_num(ph.weight));
	cJSON_AddItemToObject(warmup, "prev_iteration",
			      found ? soak_num((double)prev.iteration) : cJSON_CreateNull());
	cJSON_AddItemToObject(warmup, "latency_prebuffer", apply_prebuffer(o, &ph, &prev, found, &eff));
	cJSON_AddItemToObject(warmup, "rescue_block", apply_rescue_block(o, &ph, &prev, found, &eff));
	soak_set(rec, "effective", soak_params_to_json(&eff));
	soak_set(rec, "warmup", warmup);
	return true;
}

enum {
	OPT_PREBUFFER_TARGET = 0x100, OPT_PREBUFFER_SLOPE, OPT_PREBUFFER_CAP,
	OPT_BLOCK_RISK_WARMUP, OPT_BLOCK_P95_WARMUP, OPT_BLOCK_RISK, OPT_BLOCK_P95, OPT_NO_GUARDS
};

static void parse_options(int argc, char **argv, struct soak_stream *s, struct apply_options *o)
{
	static const struct option longopts[] = {
		{"preset", required_argument, NULL, 'p'},
		{"prebuffer-target", required_argument, NULL, OPT_PREBUFFER_TARGET},
		{"prebuffer-slope", required_argument, NULL, OPT_PREBUFFER_SLOPE},
		{"prebuffer-cap", required_argument, NULL, OPT_PREBUFFER_CAP},
		{"block-risk-warmup", required_argument, NULL, OPT_BLOCK_RISK_WARMUP},
		{"block-p95-warmup", required_argument, NULL, OPT_BLOCK_P95_WARMUP},
		{"block-risk", required_argument, NULL, OPT_BLOCK_RISK},
		{"block-p95", required_argument, NULL, OPT_BLOCK_P95},
		{"no-guards", no_argument, NULL, OPT_NO_GUARDS},
		SOAK_STREAM_LONGOPTS,
		SOAK_LIST_PRESETS_LONGOPT,
		SOAK_HELP_VERSION_LONGOPTS
	};
	const char *preset = "warmup_conservative_v1";
	int opt;
	while ((opt = soak_getopt_long(argc, argv, "p:hV", longopts)) != -1) {
		if (soak_stream_option(s, opt, optarg))
			continue;
		switch (opt) {
		case 'p': preset = optarg; break;
		case OPT_PREBUFFER_TARGET: o->prebuffer_target_ms = soak_arg_double("--prebuffer-target", optarg, 0, 1e6); break;
		case OPT_PREBUFFER_SLOPE: o->prebuffer_slope_bps = soak_arg_double("--prebuffer-slope", optarg, 0, 100); break;
		case OPT_PREBUFFER_CAP: o->prebuffer_cap_bps = soak_arg_double("--prebuffer-cap", optarg, 0, 100); break;
		case OPT_BLOCK_RISK_WARMUP: o->block_risk[1] = soak_arg_double("--block-risk-warmup", optarg, 0, 1e6); break;
		case OPT_BLOCK_P95_WARMUP: o->block_p95[1] = soak_arg_double("--block-p95-warmup", optarg, 0, 1e9); break;
		case OPT_BLOCK_RISK: o->block_risk[0] = soak_arg_double("--block-risk", optarg, 0, 1e6); break;
		case OPT_BLOCK_P95: o->block_p95[0] = soak_arg_double("--block-p95", optarg, 0, 1e9); break;
		case OPT_NO_GUARDS: o->guards = 0; break;
		default: soak_standard_option(opt, help_text);
		}
	}
	if (optind < argc)
		soak_usage_error("unexpected argument '%s'", argv[optind]);
	char err[SOAK_ERR_MAX];
	if (!soak_preset_load(preset, &o->preset, err))
		soak_die(SOAK_EXIT_USAGE, "%s", err);
}

int main(int argc, char **argv)
{
	static struct apply_options o = {
		.prebuffer_target_ms = 350, .prebuffer_slope_bps = 0.01, .prebuffer_cap_bps = 0.05,
		.block_risk = {0.55, 0.45}, .block_p95 = {400, 360}, .guards = 1,
	};
	struct soak_stream s;
	soak_cli_init(argv[0]);
	soak_stream_init(&s);
	soak_stream_use_arena(&s);
	parse_options(argc, argv, &s, &o);
	cJSON *rec;
	while ((rec = soak_stream_next(&s))) {
		char err[SOAK_ERR_MAX];
		if (apply_record(rec, &o, err))
			soak_stream_write(&s, rec);
		else
			soak_stream_reject(&s, "%s", err);
		cJSON_Delete(rec);
	}
	return soak_stream_finish(&s);
}
