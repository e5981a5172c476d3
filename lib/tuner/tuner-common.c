/* tuner-common.c - KPIs and params as the two tuner programs read them. */
#include "tuner-common.h"
#include "cli.h"
#include "record.h"
#include "thresholds.h"

#include <string.h>

/* The tuner's KPIs, in its own order, as indexes of the shared table. */
static const char *const tuner_kpi_names[TUNER_KPI_COUNT] = {
	[TK_NET_BPS] = "net_bps",
	[TK_GROSS_BPS] = "gross_bps",
	[TK_FEES_EFF_BPS] = "fees_eff_bps",
	[TK_ADVERSE_BPS] = "adverse_bps",
	[TK_SLIPPAGE_BPS] = "slippage_bps",
	[TK_INVENTORY_BPS] = "inventory_bps",
	[TK_MAKER_TAKER_RATIO] = "maker_taker_ratio",
	[TK_P95_LATENCY_MS] = "p95_latency_ms",
	[TK_RISK_RATIO] = "risk_ratio",
	[TK_ADVERSE_BPS_P95] = "adverse_bps_p95",
	[TK_SLIPPAGE_BPS_P95] = "slippage_bps_p95",
	[TK_ORDER_AGE_P95_MS] = "order_age_p95_ms",
	[TK_CANCEL_RATIO] = "cancel_ratio",
};

const char *tuner_kpi_name(int kpi)
{
	return tuner_kpi_names[kpi];
}

int tuner_kpi_by_name(const char *name)
{
	for (int i = 0; i < TUNER_KPI_COUNT; i++)
		if (strcmp(tuner_kpi_names[i], name) == 0)
			return i;
	return -1;
}

bool tuner_kpi_read(const cJSON *summary, int kpi, double *out, bool *present, char *err)
{
	return soak_rule_kpi_read(summary, soak_rule_kpi_named(tuner_kpi_names[kpi]), out,
				  present, err);
}

bool tuner_read_params(const cJSON *rec, struct soak_params *out, char *err)
{
	const cJSON *params = soak_get(rec, "params");
	if (!params) {
		soak_params_baseline(out);
		return true;
	}
	return soak_params_from_json(params, "params", SOAK_PARAMS_FILL_BASELINE, out,
				     err, SOAK_ERR_MAX);
}
