/*
 * gate-stream.h - kpi-gate's per-record transform: judge a record of a
 * stream (the order of iterations, the window carried from the records
 * before, the record's own state.gate.history checked against them) and
 * put the gate and state.gate sections into it.  kpi-gate(1) is options,
 * --summary and a loop around it; the fuzz harness calls it directly.
 */
#ifndef SOAK_GATE_STREAM_H
#define SOAK_GATE_STREAM_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "judge.h"
#include "record.h"
#include "thresholds.h"

/* Everything kpi-gate keeps between records (constant size). */
struct soak_gate_stream {
	struct soak_thresholds th;
	bool wanted[SOAK_RULE_KPI_COUNT];  /* read from summary: rule KPIs and history KPIs */
	int forced_mode;             /* -1: from the record; else warn (1) / normal (0) */
	bool summary;                /* --summary: the window only from records present */
	struct soak_order order;     /* the last record judged */
	struct soak_gate_window carry;    /* the history written for it */
	struct soak_gate_window scratch;  /* history read from the current record */
	struct soak_gate_window next;     /* history being built */
};

/* The outcome for one record. */
struct soak_gate_judgement {
	long iteration;
	enum soak_level status;
	bool downgraded;
	cJSON *gate;                 /* the gate section */
	cJSON *state_gate;           /* the state.gate section */
};

/*
 * Start a stream judged under g->th (loaded by the caller): forced_mode
 * as soak_gate_read takes it, summary true for --summary.
 */
void soak_gate_stream_start(struct soak_gate_stream *g, int forced_mode, bool summary);

/*
 * Judge rec (read from line line_no) into j; nothing is changed when it is
 * invalid (false, err).  Records must be one contiguous run of
 * iterations.  The window continues the one written for the previous
 * record; the record's own state.gate.history must agree with it.  For
 * the first record of the stream the window starts from that history (a
 * ring resumed, one line re-run), except under --summary, whose verdict
 * is made from the records present only.  A record in its place in the
 * order but bad otherwise still counts as the iteration the next one must
 * follow (with --on-error=skip the lines after it are judged).
 */
bool soak_gate_stream_judge(const cJSON *rec, struct soak_gate_stream *g, long line_no,
			    struct soak_gate_judgement *j, char *err);

/* Put j's gate and state.gate sections into rec (rec owns them after). */
void soak_gate_judgement_put(cJSON *rec, struct soak_gate_judgement *j);

#endif
