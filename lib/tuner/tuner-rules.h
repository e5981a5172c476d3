/*
 * tuner-rules.h - the tuner's rule table (man/soak-tuner-rules.5): rules
 * with conditions on summary KPIs and actions on parameters, conflict
 * rules that drop deltas, and the apply decision.
 */
#ifndef SOAK_TUNER_RULES_H
#define SOAK_TUNER_RULES_H

#include <limits.h>
#include <stdbool.h>
#include "params.h"
#include "tuner-common.h"

#define TUNER_RULES_FORMAT "soakkit-tuner-rules/1"

/* The name of the empty table (the control of experiments), and its file. */
#define TUNER_RULES_NONE "none"
#define TUNER_RULES_NONE_FILE "tuner_rules_none"

/*
 * The NAME or FILE a --rules argument stands for: "none" is
 * tuner_rules_none; anything else is itself.  For every program that
 * finds or pins a rule table (tuner-propose, soak-run).
 */
const char *tuner_rules_arg(const char *arg);

enum tuner_cmp { CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_EQ, CMP_NE };

/* The operator as written in rule files ("<", "<=", ...). */
extern const char *const tuner_cmp_names[6];

/* a CMP b */
bool tuner_compare(double a, enum tuner_cmp cmp, double b);

enum tuner_cond_kind { COND_KPI, COND_ALL, COND_ANY };

struct tuner_cond {
	enum tuner_cond_kind kind;
	int kpi;                      /* COND_KPI: enum tuner_kpi */
	enum tuner_cmp cmp;
	double value;
	int n;                        /* COND_ALL, COND_ANY: the operands */
	struct tuner_cond *items;
};

enum tuner_round { ROUND_NONE, ROUND_DOWN, ROUND_UP, ROUND_NEAREST };

struct tuner_action {
	int param;                    /* enum soak_param_id */
	bool is_mul;                  /* new = cur * amount; else new = cur + amount */
	double amount;
	enum tuner_round round;
	bool has_max_step;            /* |new - cur| <= max_step_ratio * |cur| */
	double max_step_ratio;
	bool has_cap, has_floor;      /* new <= cap, new >= floor */
	double cap, floor;
	bool emit_zero;               /* a zero delta is still proposed */
	bool replace_if_set;          /* if_set "replace" (else "skip") */
};

struct tuner_rule {
	char *name;
	char *group;                  /* NULL: no group */
	bool urgent;                  /* its firing marks the proposal urgent */
	struct tuner_cond when;
	int n_actions;
	struct tuner_action *actions;
};

struct tuner_delta_test {
	int param;
	enum tuner_cmp cmp;
	double value;
};

struct tuner_conflict {
	char *name;
	bool has_when;
	struct tuner_cond when;
	int n_tests;
	struct tuner_delta_test *tests;
	bool drop[SOAK_PARAM_COUNT];
};

struct tuner_rules {
	char name[256];               /* file name without directory and .json */
	char path[PATH_MAX];
	bool required[TUNER_KPI_COUNT];
	bool used[TUNER_KPI_COUNT];   /* referenced by any condition */
	int n_rules;
	struct tuner_rule *rules;
	int n_conflicts;
	struct tuner_conflict *conflicts;
	struct tuner_cond apply_when;
};

/*
 * Find (soak_find_data_file) and load a rules file (the name "none" is
 * tuner_rules_none, the table without rules), checking every entry:
 * unknown fields, KPIs, parameters and operators, wrong types, duplicate
 * rule names, floor above cap, mul not positive, KPIs of apply_when and
 * of conflicts' `when' not in required_kpis.  Errors name the file and
 * the entry: "rules 'F': rules[3] ('maker_boost'): actions[1]: ...".
 * On failure *out holds nothing to free.
 */
bool tuner_rules_load(const char *arg, struct tuner_rules *out, char *err);

/* Free what tuner_rules_load allocated. */
void tuner_rules_free(struct tuner_rules *r);

/*
 * Whether every KPI the condition reads is available; when not, the
 * missing ones are marked in missing[] (which the caller clears).
 */
bool tuner_cond_available(const struct tuner_cond *c, const bool have[TUNER_KPI_COUNT],
			  bool missing[TUNER_KPI_COUNT]);

/* The condition's value; every KPI it reads must be available. */
bool tuner_cond_eval(const struct tuner_cond *c, const double kpi[TUNER_KPI_COUNT]);

/*
 * The delta an action proposes for a parameter whose value is cur (see
 * soak-tuner-rules(5)): the step, rounded, limited, clipped to cap and
 * floor, never in the direction opposite to the step.  *limit is set to
 * what shortened the step ("cap", "floor", "step limit") or NULL.
 */
double tuner_action_delta(const struct tuner_action *a, double cur, const char **limit);

#endif
