/*
 * history.h - the KPI history kpi-gate carries in state.gate.history:
 * an array, oldest first, of at most N (the gate's window) entries
 *   {"iteration": i, "status": "PASS"|"WARN"|"FAIL",
 *    "maker_taker_ratio": x|null, "net_bps": x|null,
 *    "p95_latency_ms": x|null, "risk_ratio": x|null}
 * A KPI the iteration's summary lacked is null, never a default.
 * kpi-gate writes it; warmup-apply reads its last entry for its guards.
 */
#ifndef SOAK_HISTORY_H
#define SOAK_HISTORY_H

#include <stdbool.h>
#include <cjson/cJSON.h>

enum soak_kpi {
	SOAK_KPI_MAKER_TAKER,
	SOAK_KPI_NET_BPS,
	SOAK_KPI_P95_LATENCY,
	SOAK_KPI_RISK,
	SOAK_KPI_COUNT
};

/* Field names, indexed by enum soak_kpi, as in summary and history. */
extern const char *const soak_kpi_names[SOAK_KPI_COUNT];

struct soak_kpi_point {
	long iteration;
	char status[8];                 /* "" when the entry has none */
	double value[SOAK_KPI_COUNT];
	bool present[SOAK_KPI_COUNT];   /* false: the KPI was null/absent */
};

/*
 * Read one history entry.  Rejects a non-object, an iteration that is
 * not a positive whole number, a KPI that is neither null nor a finite
 * number, a status that is not PASS/WARN/FAIL.
 */
bool soak_history_entry_read(const cJSON *entry, struct soak_kpi_point *out, char *err);

/* The history entry for p, as kpi-gate writes it. */
cJSON *soak_history_entry_new(const struct soak_kpi_point *p);

/*
 * The last entry of rec's state.gate.history before iteration `before'
 * (the record's own): entries for that iteration or later, which a
 * finished record re-run carries (kpi-gate wrote them after this stage
 * ran), are left out.  *found is false when the record has no state, no
 * state.gate or no entry before `before' (the first iteration).  Returns
 * false with err when any of them is malformed or the entries are not in
 * increasing order of iteration.
 */
bool soak_history_last(const cJSON *rec, long before, struct soak_kpi_point *out, bool *found,
		       char *err);

#endif
