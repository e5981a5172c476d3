/*
 * thresholds.h - the thresholds file (soak-thresholds(5)) in one place:
 * the KPIs a rule may name, rules and their evaluation, loading and
 * checking a file, and the statistics a window rule takes over the last
 * N iterations.  kpi-gate judges with it; soak-report reports with it.
 *
 *   {"description": "...", "version": "...",
 *    "iteration": [RULE...],
 *    "window": {"size": N, "rules": [RULE + "stat"...], "note": "..."}}
 *   RULE = {"kpi": K, "op": ">="|">"|"<="|"<", "threshold": x,
 *           "level": "WARN"|"FAIL", "note": "..."}
 */
#ifndef SOAK_THRESHOLDS_H
#define SOAK_THRESHOLDS_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#define SOAK_MAX_RULES 64       /* per list: iteration, window.rules */
#define SOAK_MAX_WINDOW 1000    /* largest window.size */
#define SOAK_RULE_NOTE_MAX 128  /* bytes of a rule's note kept, with the NUL */

enum soak_level { SOAK_LEVEL_PASS, SOAK_LEVEL_WARN, SOAK_LEVEL_FAIL, SOAK_LEVEL_COUNT };
extern const char *const soak_level_names[SOAK_LEVEL_COUNT];   /* "PASS", "WARN", "FAIL" */

enum soak_cmp { SOAK_CMP_GE, SOAK_CMP_GT, SOAK_CMP_LE, SOAK_CMP_LT, SOAK_CMP_COUNT };
extern const char *const soak_cmp_names[SOAK_CMP_COUNT];       /* ">=", ">", "<=", "<" */
extern const char *const soak_cmp_negations[SOAK_CMP_COUNT];   /* the op that breaks a rule */

enum soak_stat { SOAK_STAT_MEAN, SOAK_STAT_MEDIAN, SOAK_STAT_MIN, SOAK_STAT_MAX, SOAK_STAT_COUNT };
extern const char *const soak_stat_names[SOAK_STAT_COUNT];     /* "mean", ... "max" */

/*
 * The KPIs a rule may name: summary fields and the range a sane value
 * has (finite, documented in soak-record(5): bps within +-1e6, ms within
 * 0..1e9, risk_ratio 0..1e6, shares 0..1).  The first SOAK_KPI_COUNT (history.h) are the history KPIs, in
 * enum soak_kpi order; only they may appear in window rules.
 */
struct soak_rule_kpi {
	const char *name;
	double min, max;
};
#define SOAK_RULE_KPI_COUNT 13
extern const struct soak_rule_kpi soak_rule_kpis[SOAK_RULE_KPI_COUNT];

/* The level called name ("PASS", "WARN", "FAIL"), or -1. */
int soak_level_named(const char *name);

/* The index of the KPI called name in soak_rule_kpis, or -1. */
int soak_rule_kpi_named(const char *name);

/*
 * Read KPI k (a soak_rule_kpis index) from a record's summary object:
 * *present is false when the member is absent or null; else it must be
 * a finite number inside the KPI's range ("'summary.K' = x is out of
 * range [min, max]"), or false with err.
 */
bool soak_rule_kpi_read(const cJSON *summary, int k, double *value, bool *present, char *err);

/* One rule of a thresholds file. */
struct soak_rule {
	int kpi;                        /* index into soak_rule_kpis */
	enum soak_cmp cmp;
	double threshold;               /* finite, inside the KPI's range */
	enum soak_level level;          /* WARN or FAIL */
	enum soak_stat stat;            /* window rules; SOAK_STAT_MEAN in iteration rules */
	char note[SOAK_RULE_NOTE_MAX];  /* "" when none; a longer one is cut at a character */
};

struct soak_thresholds {
	char name[256];                 /* the file's name without directories and ".json" */
	struct soak_rule iteration[SOAK_MAX_RULES];
	int n_iteration;
	long window_size;               /* 1 to SOAK_MAX_WINDOW */
	struct soak_rule window[SOAK_MAX_RULES];
	int n_window;
};

/*
 * How a fault is worded where kpi-gate and soak-report worded it
 * differently and each one's tests quote its text: a WARN rule looser
 * than the FAIL rule in its direction on the same KPI and stat.
 */
enum soak_thresholds_wording {
	SOAK_WORDING_GATE,     /* "... the WARN threshold of 'K' is looser than its FAIL
				* threshold, so it could never fire" */
	SOAK_WORDING_REPORT,   /* "... the WARN threshold is looser than the FAIL threshold" */
};

/*
 * Check the parsed thresholds file root and fill th (all but th->name).
 * Rejects: members other than description, version (strings), iteration
 * (an array of at most SOAK_MAX_RULES rules) and window (an object of
 * size, a whole number from 1 to SOAK_MAX_WINDOW, rules, note); a rule
 * with a member it may not have, a KPI outside soak_rule_kpis (window
 * rules: outside the history KPIs), an op, level or stat not of its
 * list, a threshold that is not a finite number inside the KPI's range,
 * a note that is not a string; two rules on one KPI and stat with the
 * same op and level, or a WARN rule looser than the FAIL rule in its
 * direction; a file without rules.  Returns false with the first fault
 * in err (SOAK_ERR_MAX bytes), worded as `wording` says.
 */
bool soak_thresholds_read(const cJSON *root, enum soak_thresholds_wording wording,
			  struct soak_thresholds *th, char *err);

/*
 * Load the thresholds file arg (a NAME or a path, as soak_find_data_file
 * finds it) into th, checked as soak_thresholds_read says.  A file that
 * cannot be found, read or parsed, or that is not valid, is a usage
 * error: "thresholds ..." and exit 2.
 */
void soak_thresholds_load(const char *arg, enum soak_thresholds_wording wording,
			  struct soak_thresholds *th);

/* Whether rule r holds for the value v. */
bool soak_rule_holds(const struct soak_rule *r, double v);

/* Whether op c bounds a value from below (>=, >): higher is the good side. */
bool soak_cmp_is_lower_bound(enum soak_cmp c);

/*
 * The statistic stat of values[0..n-1] (n >= 1): the mean (summed in
 * order), the median (the mean of the middle two when n is even), the
 * minimum or the maximum.  The median sorts values in place.
 */
double soak_window_stat(enum soak_stat stat, double *values, long n);

/*
 * All statistics of values[0..n-1] (n >= 1) into stat, indexed by enum
 * soak_stat, each as soak_window_stat computes it; values ends sorted.
 */
void soak_window_stats(double *values, long n, double stat[SOAK_STAT_COUNT]);

#endif
