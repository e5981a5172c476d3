/* history.c - state.gate.history entries (format in history.h). */
#include "history.h"
#include "cli.h"
#include "record.h"
#include "thresholds.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const soak_kpi_names[SOAK_KPI_COUNT] = {
	[SOAK_KPI_MAKER_TAKER] = "maker_taker_ratio",
	[SOAK_KPI_NET_BPS] = "net_bps",
	[SOAK_KPI_P95_LATENCY] = "p95_latency_ms",
	[SOAK_KPI_RISK] = "risk_ratio",
};

static bool read_status(const cJSON *entry, struct soak_kpi_point *out, char *err)
{
	const cJSON *status = soak_get(entry, "status");
	out->status[0] = '\0';
	if (!status)
		return true;
	if (!cJSON_IsString(status) || (strcmp(status->valuestring, "PASS") &&
					strcmp(status->valuestring, "WARN") &&
					strcmp(status->valuestring, "FAIL")))
		return soak_errorf(err, "'state.gate.history[].status' is not PASS, WARN or FAIL");
	snprintf(out->status, sizeof out->status, "%s", status->valuestring);
	return true;
}

bool soak_history_entry_read(const cJSON *entry, struct soak_kpi_point *out, char *err)
{
	if (!cJSON_IsObject(entry))
		return soak_errorf(err, "'state.gate.history[]' entry is not an object");
	double it;
	if (!soak_get_number(entry, "iteration", "state.gate.history[].iteration", &it, err))
		return false;
	if (it != floor(it) || it < 1 || it > 1e9)
		return soak_errorf(err, "'state.gate.history[].iteration' is not a positive whole number");
	out->iteration = (long)it;
	for (int k = 0; k < SOAK_KPI_COUNT; k++) {
		const cJSON *v = soak_get(entry, soak_kpi_names[k]);
		out->present[k] = v && !cJSON_IsNull(v);
		out->value[k] = 0;
		if (!out->present[k])
			continue;
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
			return soak_errorf(err, "'state.gate.history[].%s' is not a finite number or null",
					   soak_kpi_names[k]);
		const struct soak_rule_kpi *d = &soak_rule_kpis[k]; /* history KPIs come first */
		if (v->valuedouble < d->min || v->valuedouble > d->max)
			return soak_errorf(err, "'state.gate.history[].%s' = %s is out of range [%g, %g]",
					   soak_kpi_names[k], v->valuestring ? v->valuestring : "?",
					   d->min, d->max);
		out->value[k] = v->valuedouble;
	}
	return read_status(entry, out, err);
}

cJSON *soak_history_entry_new(const struct soak_kpi_point *p)
{
	cJSON *e = cJSON_CreateObject();
	if (!e)
		soak_die(SOAK_EXIT_IO, "out of memory");
	cJSON_AddItemToObject(e, "iteration", soak_num((double)p->iteration));
	if (p->status[0])
		cJSON_AddStringToObject(e, "status", p->status);
	for (int k = 0; k < SOAK_KPI_COUNT; k++)
		cJSON_AddItemToObject(e, soak_kpi_names[k],
				      p->present[k] ? soak_num(p->value[k]) : cJSON_CreateNull());
	return e;
}

bool soak_history_last(const cJSON *rec, long before, struct soak_kpi_point *out, bool *found,
		       char *err)
{
	cJSON *state, *gate;
	*found = false;
	if (!soak_get_object_opt(rec, "state", "state", &state, err))
		return false;
	if (!state)
		return true;
	if (!soak_get_object_opt(state, "gate", "state.gate", &gate, err))
		return false;
	if (!gate)
		return true;
	const cJSON *history = soak_get(gate, "history");
	if (!history)
		return true;
	if (!cJSON_IsArray(history))
		return soak_errorf(err, "'state.gate.history' is not an array");
	long previous = 0;
	for (const cJSON *c = history->child; c; c = c->next) {
		struct soak_kpi_point p;
		if (!soak_history_entry_read(c, &p, err))
			return false;
		if (p.iteration <= previous)
			return soak_errorf(err, "'state.gate.history' is not in increasing order of "
					   "iteration (%ld after %ld)", p.iteration, previous);
		previous = p.iteration;
		if (p.iteration < before) {
			*out = p;
			*found = true;
		}
	}
	return true;
}
