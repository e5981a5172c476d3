/* params.c - the parameter registry (DESIGN.md, "Parameters"). */
#include "params.h"
#include "cli.h"
#include "record.h"

#include <math.h>
#include <string.h>

const struct soak_param_def soak_param_defs[SOAK_PARAM_COUNT] = {
	[P_BASE_SPREAD_BPS_DELTA] = {"base_spread_bps_delta", "quoting.base_spread_bps_delta",
		"bps", 0.14, -1.5, 1.5, false, "extra half-spread added to the base quote distance"},
	[P_MIN_INTERVAL_MS] = {"min_interval_ms", "quoting.min_interval_ms",
		"ms", 65, 20, 300, false, "shortest time between two quote updates"},
	[P_REPLACE_RATE_PER_MIN] = {"replace_rate_per_min", "quoting.replace_rate_per_min",
		"1/min", 280, 60, 600, false, "most quote replacements per minute"},
	[P_IMPACT_CAP_RATIO] = {"impact_cap_ratio", "impact.impact_cap_ratio",
		"ratio", 0.09, 0.04, 0.12, false, "largest quote size relative to displayed depth"},
	[P_MAX_DELTA_RATIO] = {"max_delta_ratio", "impact.max_delta_ratio",
		"ratio", 0.14, 0.05, 0.20, false, "largest move of a quote per update, relative to the spread"},
	[P_TAIL_AGE_MS] = {"tail_age_ms", "engine.tail_age_ms",
		"ms", 620, 200, 1500, false, "age after which a quote is refreshed regardless"},
	[P_CONCURRENCY_LIMIT] = {"concurrency_limit", "engine.concurrency_limit",
		"orders", 4, 1, 16, true, "most order actions in flight at once"},
	[P_RESCUE_MAX_RATIO] = {"rescue_max_ratio", "taker_rescue.rescue_max_ratio",
		"ratio", 0.30, 0.0, 1.0, false, "largest taker rescue relative to the position limit"},
	[P_RESCUE_MIN_EDGE_BPS] = {"rescue_min_edge_bps", "taker_rescue.min_edge_bps",
		"bps", 1.0, 0.0, 10.0, false, "least urgency edge for a taker rescue"},
	[P_RESCUE_COOLDOWN_MS] = {"rescue_cooldown_ms", "taker_rescue.cooldown_ms",
		"ms", 1000, 0, 10000, false, "shortest time between two taker rescues"},
	[P_POSITION_LIMIT_NOTIONAL] = {"position_limit_notional", "risk.position_limit_notional",
		"quote ccy", 10000, 100, 1e7, false, "largest inventory; quotes that would pass it are pulled"},
};

int soak_param_by_key(const char *key)
{
	for (int i = 0; i < SOAK_PARAM_COUNT; i++)
		if (strcmp(soak_param_defs[i].key, key) == 0)
			return i;
	return -1;
}

int soak_param_by_path(const char *path)
{
	for (int i = 0; i < SOAK_PARAM_COUNT; i++)
		if (strcmp(soak_param_defs[i].preset_path, path) == 0)
			return i;
	return -1;
}

void soak_params_baseline(struct soak_params *out)
{
	for (int i = 0; i < SOAK_PARAM_COUNT; i++)
		out->value[i] = soak_param_defs[i].baseline;
}

double soak_param_clamp(int id, double value)
{
	const struct soak_param_def *d = &soak_param_defs[id];
	if (d->integer)
		value = round(value);
	if (value < d->min)
		return d->min;
	if (value > d->max)
		return d->max;
	return value;
}

void soak_params_clamp(struct soak_params *p)
{
	for (int i = 0; i < SOAK_PARAM_COUNT; i++)
		p->value[i] = soak_param_clamp(i, p->value[i]);
}

double soak_param_normalized(int id, double delta)
{
	const struct soak_param_def *d = &soak_param_defs[id];
	return fabs(delta) / (d->max - d->min);
}

static bool read_param_value(const cJSON *item, const char *what, int id,
			     double *out, char *err)
{
	const struct soak_param_def *d = &soak_param_defs[id];
	if (!cJSON_IsNumber(item))
		return soak_errorf(err, "'%s.%s' is not a number", what, d->key);
	double v = item->valuedouble;
	if (!isfinite(v))
		return soak_errorf(err, "'%s.%s' is out of range", what, d->key);
	if (v < d->min || v > d->max)
		return soak_errorf(err, "'%s.%s' = %s is out of bounds [%g, %g]", what, d->key,
				   item->valuestring ? item->valuestring : "?", d->min, d->max);
	if (d->integer && v != floor(v))
		return soak_errorf(err, "'%s.%s' = %s is not a whole number", what, d->key,
				   item->valuestring ? item->valuestring : "?");
	*out = v;
	return true;
}

const char *soak_param_suggest(const char *word, bool by_path, char *buf)
{
	const char *names[SOAK_PARAM_COUNT];
	for (int i = 0; i < SOAK_PARAM_COUNT; i++)
		names[i] = by_path ? soak_param_defs[i].preset_path : soak_param_defs[i].key;
	return soak_did_you_mean(buf, 160, word, names, SOAK_PARAM_COUNT);
}

bool soak_params_from_json(const cJSON *obj, const char *what,
			   enum soak_params_mode mode, struct soak_params *out,
			   char *err, size_t errlen)
{
	(void)errlen; /* err is SOAK_ERR_MAX bytes, as everywhere */
	if (!cJSON_IsObject(obj))
		return soak_errorf(err, "'%s' is not an object", what);
	bool seen[SOAK_PARAM_COUNT] = {false};
	soak_params_baseline(out);
	for (const cJSON *c = obj->child; c; c = c->next) {
		int id = soak_param_by_key(c->string);
		char hint[160];
		if (id < 0)
			return soak_errorf(err, "unknown parameter '%s.%s'%s", what, c->string,
					   soak_param_suggest(c->string, false, hint));
		if (!read_param_value(c, what, id, &out->value[id], err))
			return false;
		seen[id] = true;
	}
	if (mode == SOAK_PARAMS_REQUIRE_ALL)
		for (int i = 0; i < SOAK_PARAM_COUNT; i++)
			if (!seen[i])
				return soak_errorf(err, "missing field '%s.%s'", what,
						   soak_param_defs[i].key);
	return true;
}

cJSON *soak_params_to_json(const struct soak_params *p)
{
	cJSON *obj = cJSON_CreateObject();
	if (!obj)
		soak_die(SOAK_EXIT_IO, "out of memory");
	for (int i = 0; i < SOAK_PARAM_COUNT; i++)
		cJSON_AddItemToObject(obj, soak_param_defs[i].key, soak_num(p->value[i]));
	return obj;
}
