/* measure-json.c - the summary object of measure.h in the record's field names. */
#include "measure.h"

#include <math.h>

#include "cli.h"
#include "record.h"

/* KPIs are rounded to 4 decimals so logs stay readable and stable. */
static cJSON *kpi(double x)
{
	return soak_num(round(x * 1e4) / 1e4 + 0.0);
}

static cJSON *fills_object(const struct soak_summary *k)
{
	cJSON *f = cJSON_CreateObject();
	if (!f)
		soak_die(SOAK_EXIT_IO, "out of memory");
	cJSON_AddItemToObject(f, "maker_count", soak_num((double)k->maker_count));
	cJSON_AddItemToObject(f, "taker_count", soak_num((double)k->taker_count));
	cJSON_AddItemToObject(f, "maker_volume", kpi(k->maker_volume));
	cJSON_AddItemToObject(f, "taker_volume", kpi(k->taker_volume));
	return f;
}

static void add_extras(cJSON *s, const struct soak_summary *k)
{
	static const char *const horizon_names[MEASURE_N_EXTRA_HORIZONS] = {
		"adverse_bps_1s", "adverse_bps_5s", "adverse_bps_30s"
	};
	for (int j = 0; j < MEASURE_N_EXTRA_HORIZONS; j++)
		cJSON_AddItemToObject(s, horizon_names[j], kpi(k->adverse_bps_h[j]));
	cJSON_AddItemToObject(s, "markout_s", kpi(k->markout_s));
	const struct { const char *name; long n; } counts[] = {
		{"rescue_count", k->rescue_count}, {"order_count", k->order_count},
		{"cancel_count", k->cancel_count}, {"reject_count", k->reject_count},
	};
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
		cJSON_AddItemToObject(s, counts[i].name, soak_num((double)counts[i].n));
	cJSON_AddItemToObject(s, "pnl", kpi(k->pnl));
	cJSON_AddItemToObject(s, "final_inventory", kpi(k->final_position));
	cJSON_AddItemToObject(s, "duration_s", kpi(k->duration_s));
}

cJSON *measure_summary_json(const struct soak_summary *k)
{
	cJSON *s = cJSON_CreateObject();
	if (!s)
		soak_die(SOAK_EXIT_IO, "out of memory");
	const struct { const char *name; double value; } fields[] = {
		{"net_bps", k->net_bps}, {"gross_bps", k->gross_bps},
		{"fees_eff_bps", k->fees_eff_bps}, {"adverse_bps", k->adverse_bps},
		{"slippage_bps", k->slippage_bps}, {"inventory_bps", k->inventory_bps},
		{"maker_taker_ratio", k->maker_taker_ratio}, {"p95_latency_ms", k->p95_latency_ms},
		{"risk_ratio", k->risk_ratio}, {"adverse_bps_p95", k->adverse_bps_p95},
		{"slippage_bps_p95", k->slippage_bps_p95}, {"order_age_p95_ms", k->order_age_p95_ms},
		{"cancel_ratio", k->cancel_ratio},
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		cJSON_AddItemToObject(s, fields[i].name, kpi(fields[i].value));
	cJSON_AddItemToObject(s, "fills", fills_object(k));
	cJSON *drivers = cJSON_AddArrayToObject(s, "neg_edge_drivers");
	for (int i = 0; i < k->n_neg_edge_drivers; i++)
		cJSON_AddItemToArray(drivers, cJSON_CreateString(k->neg_edge_drivers[i]));
	add_extras(s, k);
	return s;
}

void measure_summary_to_record(cJSON *rec, const struct soak_summary *k)
{
	soak_set(rec, "summary", measure_summary_json(k));
}
