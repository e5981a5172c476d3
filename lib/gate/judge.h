/*
 * judge.h - the gate's judgement, shared by kpi-gate and soak-report so
 * that both give one verdict for one log: a record's reading (iteration,
 * summary KPIs, gate mode), its per-iteration status with reasons and
 * downgrades, the window goals over the last N records present, and the
 * verdict of a whole log.
 */
#ifndef SOAK_JUDGE_H
#define SOAK_JUDGE_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "history.h"
#include "thresholds.h"

/* One record's reading: its KPIs and how to judge them. */
struct soak_gate_reading {
	long iteration;
	bool warn_mode;
	double value[SOAK_RULE_KPI_COUNT];
	bool present[SOAK_RULE_KPI_COUNT];
};

/* The KPI history of a window, oldest first. */
struct soak_gate_window {
	long count;
	struct soak_kpi_point entry[SOAK_MAX_WINDOW];
};

/* Which summary KPIs to read under th: the history KPIs and those its
 * iteration rules name. */
void soak_gate_wanted(const struct soak_thresholds *th, bool wanted[SOAK_RULE_KPI_COUNT]);

/*
 * Read rec's iteration, the wanted summary KPIs (each inside its sane
 * range, see soak_rule_kpi_read) and its gate mode: forced_mode 1 (warn)
 * or 0 (normal), or -1 for the record's phase.gate_mode (NORMAL when
 * absent).  A WARN gate mode is only valid in a WARMUP phase
 * (phase.name): elsewhere it is bad input.  False with err otherwise.
 */
bool soak_gate_read(const cJSON *rec, const bool wanted[SOAK_RULE_KPI_COUNT], int forced_mode,
		    struct soak_gate_reading *r, char *err);

/*
 * Judge one iteration: its status, each broken rule appended to reasons
 * (for each KPI only the rules broken at its worst level; a missing KPI
 * gives one reason, at FAIL) and, in WARN mode, each FAIL appended to
 * downgraded as it was and to reasons as a WARN.
 */
enum soak_level soak_gate_judge_iteration(const struct soak_thresholds *th,
					  const struct soak_gate_reading *r, cJSON *reasons,
					  cJSON *downgraded);

/* The history entry of a judged reading. */
struct soak_kpi_point soak_gate_point(const struct soak_gate_reading *r, enum soak_level status);

/*
 * gate.window for w under th: {size, count, complete, values, goals,
 * status}; *status is the worst level of the goals not met.
 */
cJSON *soak_gate_judge_window(const struct soak_thresholds *th, const struct soak_gate_window *w,
			      enum soak_level *status);

/* What the verdict of a whole log counts. */
struct soak_gate_tally {
	long iterations, first_iteration, last_iteration;
	long counts[SOAK_LEVEL_COUNT];
	long downgraded;            /* iterations with a FAIL downgraded to WARN */
	long first_fail;            /* iteration of the first FAIL, 0 when none */
};

/* Count one judged iteration. */
void soak_gate_tally_add(struct soak_gate_tally *t, long iteration, enum soak_level status,
			 bool downgraded);

/*
 * The reasons of a log's verdict, appended to reasons as {"level","text"}
 * objects, and its status: no records (FAIL), FAIL iterations (FAIL), an
 * incomplete window (FAIL), each window goal not met (its level; window
 * is the last gate.window, NULL when none), WARN iterations (WARN),
 * downgrades (WARN, counted), skipped bad lines (FAIL: the data are
 * incomplete).  kpi-gate --summary and soak-report both take it.
 */
enum soak_level soak_gate_verdict(const struct soak_gate_tally *t, const cJSON *window,
				  long window_size, long skipped, cJSON *reasons);

#endif
