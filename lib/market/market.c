/* market.c - loading and checking market profiles (man/soak-market.5). */
#include "market.h"
#include "cli.h"
#include "preset.h"
#include "record.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define F(sec, field, lo, hi) { sec, #field, offsetof(struct sim_market, field), lo, hi }

static const struct market_field fields[] = {
	F(NULL, duration_s, 1, 3600),   /* sample arrays grow with it: keep memory small */
	F("mid", tick_ms, 1, 1000),
	F("mid", sigma_bps, 0, 100),
	F("mid", jump_cluster_rate_per_s, 1e-6, 10),
	F("mid", jump_follow_prob, 0, 0.95),
	F("mid", jump_follow_gap_s, 0.001, 60),
	F("mid", jump_size_bps, 0, 1000),
	F("flow", market_orders_per_s, 0.001, 1000),
	F("flow", market_order_size_mean, 1, 1e9),
	F("flow", fill_a, 0, 1),
	F("flow", fill_k_per_bps, 0, 10),
	F("flow", touch_half_bps, 0, 100),
	F("flow", taker_impact_bps_per_1000, 0, 100),
	F("informed", informed_orders_per_s, 0.0001, 100),
	F("informed", informed_horizon_s, 0, 60),
	F("informed", informed_size_mean, 1, 1e9),
	F("queue", queue_depth_per_bps, 0, 1e9),
	F("queue", queue_turnover_s, 0.001, 3600),
	F("quoting", base_half_spread_bps, 0, 1000),
	F("quoting", displayed_depth, 1, 1e9),
	F("quoting", skew_bps_at_limit, 0, 1000),
	F("quoting", reprice_threshold_bps, 0, 1000),
	F("quoting", token_burst_s, 0, 60),
	F("fees", maker_fee_bps, -100, 100),
	F("fees", taker_fee_bps, -100, 100),
	F("latency", latency_base_ms, 0.001, 10000),
	F("latency", response_base_ms, 0.001, 10000),
	F("latency", latency_sigma, 0, 3),
	F("latency", capacity_per_min, 1, 1e6),
	F("latency", load_window_s, 0.01, 600),
	F("latency", max_load, 0, 0.99),
	F("cold_start", cold_size, 0, 10),
	F("cold_start", cold_decay_iterations, 0.01, 1000),
	F("cold_start", stale_base_ms, 0, 60000),
	F("cold_start", stale_cold_ms, 0, 60000),
	F("cold_start", stale_nominal_load, 0.01, 0.99),
	F("cold_start", stale_gain, 0.01, 1000),
	F("rescue", rescue_urgency_bps, 0.001, 1000),
	F("risk", risk_budget, 1, 1e12),
	F("risk", markout_s, 0, 600),
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

const struct market_field *market_fields(size_t *n)
{
	*n = N_FIELDS;
	return fields;
}

static const struct market_field *find_field(const char *section, const char *name)
{
	for (size_t i = 0; i < N_FIELDS; i++) {
		bool same_section = section ? fields[i].section && strcmp(fields[i].section, section) == 0
					    : fields[i].section == NULL;
		if (same_section && strcmp(fields[i].name, name) == 0)
			return &fields[i];
	}
	return NULL;
}

static bool is_section(const char *name)
{
	for (size_t i = 0; i < N_FIELDS; i++)
		if (fields[i].section && strcmp(fields[i].section, name) == 0)
			return true;
	return false;
}

static bool known_member(const cJSON *root, const char *section, const cJSON *item,
			 const char *file, char *err)
{
	const char *name = item->string;
	if (!section && (strcmp(name, "description") == 0 || strcmp(name, "version") == 0))
		return true;
	if (!section && is_section(name)) {
		if (!cJSON_IsObject(item))
			return soak_errorf(err, "market profile '%s': section '%s' is not an object", file, name);
		const cJSON *sub;
		cJSON_ArrayForEach(sub, item)
			if (!known_member(root, name, sub, file, err))
				return false;
		return true;
	}
	if (!find_field(section, name))
		return soak_errorf(err, "market profile '%s': unknown field '%s%s%s'", file,
				   section ? section : "", section ? "." : "", name);
	return true;
}

static bool read_field(const cJSON *root, const struct market_field *f, struct sim_market *out,
		       const char *file, char *err)
{
	char path[128];
	snprintf(path, sizeof path, "%s%s%s", f->section ? f->section : "", f->section ? "." : "", f->name);
	const cJSON *obj = f->section ? soak_get(root, f->section) : root;
	const cJSON *item = obj ? soak_get(obj, f->name) : NULL;
	if (!item)
		return soak_errorf(err, "market profile '%s': missing field '%s'", file, path);
	if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
		return soak_errorf(err, "market profile '%s': field '%s' is not a number", file, path);
	double v = item->valuedouble;
	if (v < f->min || v > f->max)
		return soak_errorf(err, "market profile '%s': field '%s' = %g is out of range [%g, %g]",
				   file, path, v, f->min, f->max);
	*(double *)((char *)out + f->offset) = v;
	return true;
}

bool market_load(const char *arg, struct sim_market *out, char *err)
{
	char path[PATH_MAX];
	if (!soak_find_data_file(arg, path, sizeof path, err))
		return false;
	char inner[SOAK_ERR_MAX];
	cJSON *root = soak_load_json_file(path, inner);
	if (!root)
		return soak_errorf(err, "market profile '%s': %s", path, inner);
	bool ok = true;
	const cJSON *item;
	cJSON_ArrayForEach(item, root)
		if (ok && !known_member(root, NULL, item, path, err))
			ok = false;
	for (size_t i = 0; ok && i < N_FIELDS; i++)
		ok = read_field(root, &fields[i], out, path, err);
	cJSON_Delete(root);
	return ok;
}
