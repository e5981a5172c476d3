/*
 * micro-step.h - tuner-filter's per-record transform: which proposed
 * deltas are applied (micro-steps, cooldown, velocity, oscillation,
 * freeze), next_params and state.tuner.  tuner-filter(1) is options and a
 * loop around it; the fuzz harness calls it directly.
 */
#ifndef SOAK_MICRO_STEP_H
#define SOAK_MICRO_STEP_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "params.h"
#include "record.h"

#define MAX_WINDOW 100
#define MAX_HISTORY (MAX_WINDOW + 2)

struct tuner_filter_options {
	int max_keys, cooldown, velocity_window, oscillation_window;
	int freeze_after, freeze_length;
	double velocity_cap, warmup_factor, urgent_factor, freeze_risk, freeze_net;
	bool freeze_key[SOAK_PARAM_COUNT];
	bool carry;
	int span;   /* iterations back any guard looks */
};

/* What tuner-filter decided at one iteration: one entry of state.tuner.history. */
struct tuner_step {
	long iteration;
	bool changed[SOAK_PARAM_COUNT];
	double from[SOAK_PARAM_COUNT];   /* value before the change */
	double size;                     /* range-normalized change applied */
	bool held[SOAK_PARAM_COUNT];     /* skipped by velocity */
	long streak;                     /* good iterations in a row ending here */
	bool freeze;                     /* a freeze started here */
};

struct tuner_filter_state {
	int n;
	struct tuner_step step[MAX_HISTORY];   /* oldest first */
};


/* The previous line's state, kept while the stream runs (see --no-carry). */
struct tuner_filter_carry {
	struct soak_order order;   /* the previous line's iteration */
	struct tuner_filter_state state;
};

/* The options' defaults (tuner-filter(1)); span as tuner_filter_span sets it. */
void tuner_filter_defaults(struct tuner_filter_options *o);

/* Set o->span: how many iterations back any guard looks, from the options. */
void tuner_filter_span(struct tuner_filter_options *o);

/*
 * Decide rec (read from line line_no) into rec (tuning, next_params,
 * state.tuner) and *after, the state after it; *iteration is rec's.  With
 * o->carry, records must be one contiguous run of iterations and each
 * continues carry->state; the first takes the state it carries.  Returns
 * false with err, rec untouched, when the record is bad.  The caller
 * commits *after and the order to carry once the line is written.
 */
bool tuner_filter_record(cJSON *rec, const struct tuner_filter_options *o,
			 const struct tuner_filter_carry *carry, long line_no,
			 struct tuner_filter_state *after, long *iteration, char *err);

#endif
