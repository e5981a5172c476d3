/*
 * tuner-common.h - what tuner-propose and tuner-filter share: the KPIs of
 * `summary' a tuner may read (with their valid ranges) and the reading of
 * `params' (absent in the original tool's ITER_SUMMARY layout).
 */
#ifndef SOAK_TUNER_COMMON_H
#define SOAK_TUNER_COMMON_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "params.h"

enum tuner_kpi {
	TK_NET_BPS, TK_GROSS_BPS, TK_FEES_EFF_BPS, TK_ADVERSE_BPS, TK_SLIPPAGE_BPS,
	TK_INVENTORY_BPS, TK_MAKER_TAKER_RATIO, TK_P95_LATENCY_MS, TK_RISK_RATIO,
	TK_ADVERSE_BPS_P95, TK_SLIPPAGE_BPS_P95, TK_ORDER_AGE_P95_MS, TK_CANCEL_RATIO,
	TUNER_KPI_COUNT
};

/* The summary field name of a KPI (enum tuner_kpi).  Names and valid
 * ranges live in the shared table, soak_rule_kpis (thresholds.h). */
const char *tuner_kpi_name(int kpi);

/* Index of a KPI name, or -1. */
int tuner_kpi_by_name(const char *name);

/*
 * Read summary.<KPI> with soak_rule_kpi_read.  Absent or null: returns
 * true with *present false (never a default).  A value that is not a
 * number, or outside the KPI's range, is an error naming 'summary.<KPI>'.
 */
bool tuner_kpi_read(const cJSON *summary, int kpi, double *out, bool *present, char *err);

/*
 * The record's `params' into *out.  Absent: every baseline value (records
 * in the original layout carry none); present: checked by the registry,
 * absent keys taking their baseline (SOAK_PARAMS_FILL_BASELINE).
 */
bool tuner_read_params(const cJSON *rec, struct soak_params *out, char *err);

/* Range-normalized size of a change (soak_param_normalized), below which two sizes tie. */
#define TUNER_TIE_EPSILON 1e-12

/* A value within this fraction of a parameter's range of another is equal to it. */
#define TUNER_VALUE_EPSILON 1e-9

#endif
