/* tuner-common.c - KPIs and params as the two tuner programs read them. */
#include "tuner-common.h"
#include "cli.h"
#include "record.h"

#include <math.h>
#include <string.h>

const struct tuner_kpi_def tuner_kpi_defs[TUNER_KPI_COUNT] = {
	[TK_NET_BPS] = {"net_bps", -INFINITY, INFINITY},
	[TK_GROSS_BPS] = {"gross_bps", -INFINITY, INFINITY},
	[TK_FEES_EFF_BPS] = {"fees_eff_bps", -INFINITY, INFINITY},
	[TK_ADVERSE_BPS] = {"adverse_bps", -INFINITY, INFINITY},
	[TK_SLIPPAGE_BPS] = {"slippage_bps", -INFINITY, INFINITY},
	[TK_INVENTORY_BPS] = {"inventory_bps", -INFINITY, INFINITY},
	[TK_MAKER_TAKER_RATIO] = {"maker_taker_ratio", 0, 1},
	[TK_P95_LATENCY_MS] = {"p95_latency_ms", 0, INFINITY},
	[TK_RISK_RATIO] = {"risk_ratio", 0, INFINITY},
	[TK_ADVERSE_BPS_P95] = {"adverse_bps_p95", -INFINITY, INFINITY},
	[TK_SLIPPAGE_BPS_P95] = {"slippage_bps_p95", -INFINITY, INFINITY},
	[TK_ORDER_AGE_P95_MS] = {"order_age_p95_ms", 0, INFINITY},
	[TK_CANCEL_RATIO] = {"cancel_ratio", 0, 1},
};

int tuner_kpi_by_name(const char *name)
{
	for (int i = 0; i < TUNER_KPI_COUNT; i++)
		if (strcmp(tuner_kpi_defs[i].name, name) == 0)
			return i;
	return -1;
}

bool tuner_kpi_read(const cJSON *summary, int kpi, double *out, bool *present, char *err)
{
	const struct tuner_kpi_def *d = &tuner_kpi_defs[kpi];
	char path[64];
	snprintf(path, sizeof path, "summary.%s", d->name);
	const cJSON *v = soak_get(summary, d->name);
	*present = false;
	if (!v || cJSON_IsNull(v))
		return true;
	if (!soak_get_number(summary, d->name, path, out, err))
		return false;
	if (*out < d->min || *out > d->max)
		return soak_errorf(err, "'%s' = %s is out of range [%g, %g]", path,
				   v->valuestring ? v->valuestring : "?", d->min, d->max);
	*present = true;
	return true;
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
