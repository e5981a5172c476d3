/*
 * compare.h - judging a candidate against a baseline over many soak
 * logs, as a canary analysis does: the comparison config
 * (soak-compare-config(5)), one unit per log (a KPI's statistic over the
 * log's last-N window), pairing by seed, a rank test and interval per
 * KPI, an outcome per KPI, a score and a verdict.
 *
 *   {"description": "...", "version": "...", "window": N,
 *    "confidence": c, "min_units": k, "score": {"pass": p, "marginal": q},
 *    "kpis": [{"kpi": K, "stat": S, "better": "higher"|"lower",
 *              "tolerance": t, "critical": bool, "weight": w, "note": "..."}...]}
 */
#ifndef SOAK_COMPARE_H
#define SOAK_COMPARE_H

#include <stdbool.h>
#include <stdio.h>
#include <cjson/cJSON.h>

#include "rank-tests.h"
#include "record.h"
#include "thresholds.h"

#define COMPARE_MAX_KPIS 32
#define COMPARE_MAX_LOGS 1000     /* logs a side */
#define COMPARE_SEED_MAX 24       /* bytes of a seed's digits, with the NUL */
#define COMPARE_TEXT_MAX 320

/* One KPI of the config. */
struct compare_kpi {
	int kpi;                   /* index into soak_rule_kpis */
	enum soak_stat stat;       /* the log's unit: this statistic over its window */
	int direction;             /* +1 higher is better, -1 lower */
	double tolerance;          /* a worsening up to this much is acceptable */
	bool critical;             /* worse on it alone fails the comparison */
	double weight;             /* its share of the score */
};

struct compare_config {
	char name[256];            /* the file's name without directories and ".json" */
	long window;               /* last N iterations of each log */
	double confidence;         /* of every interval, 0.5 to 0.9999 */
	long min_units;            /* fewer units (pairs, or logs a side) cannot decide */
	double score_pass, score_marginal;   /* 0 to 100, marginal <= pass */
	int n_kpis;
	struct compare_kpi kpis[COMPARE_MAX_KPIS];
};

/*
 * Check the parsed config root and fill cfg (all but cfg->name).  Rejects
 * unknown members, a KPI outside soak_rule_kpis, a stat or direction not
 * of its list, a tolerance that is negative or not finite, a weight not
 * above 0, the same KPI and stat twice, no KPIs, and numbers out of their
 * ranges (window 1 to SOAK_MAX_WINDOW, min_units 1 to COMPARE_MAX_LOGS,
 * confidence 0.5 to 0.9999, score levels 0 to 100 with marginal <= pass).
 * Returns false with the first fault in err (SOAK_ERR_MAX bytes).
 */
bool compare_config_read(const cJSON *root, struct compare_config *cfg, char *err);

/* Load the config arg (NAME or path, as soak_find_data_file finds it) into
 * cfg; any fault is a usage error ("config ...", exit 2). */
void compare_config_load(const char *arg, struct compare_config *cfg);

/* One log reduced to its units: the value of each config KPI over the
 * log's last cfg->window iterations, and its seed. */
struct compare_log {
	const char *path;
	char seed[COMPARE_SEED_MAX];   /* digits of summary.seed; "" when the log has none */
	long iterations;
	double value[COMPARE_MAX_KPIS];
	bool present[COMPARE_MAX_KPIS];   /* false when an iteration of the window lacks the KPI */
};

/*
 * Read the log at path into log: every record checked (iteration
 * increasing, summary KPIs finite and in range, summary.seed a whole
 * number written in digits and the same on every record); a fault or a
 * log with fewer iterations than the window dies with exit 2 as
 * "PROGRAM: PATH: line N: message"; a file that cannot be opened or read
 * dies with exit 3.
 */
void compare_log_read(const char *path, const struct compare_config *cfg,
		      struct compare_log *log);

enum compare_pairing { COMPARE_PAIR_AUTO, COMPARE_PAIR_SEED, COMPARE_PAIR_ORDER,
		       COMPARE_PAIR_NONE };

enum compare_outcome { OUTCOME_BETTER, OUTCOME_PASS, OUTCOME_INCONCLUSIVE, OUTCOME_WORSE,
		       OUTCOME_COUNT };
extern const char *const compare_outcome_names[OUTCOME_COUNT];

enum compare_verdict { VERDICT_PASS, VERDICT_INCONCLUSIVE, VERDICT_FAIL };
extern const char *const compare_verdict_names[3];

/* Summary statistics of one side's units of a KPI. */
struct compare_side {
	long n;
	double mean, median, min, max, sd;   /* sd: 0 with one unit */
};

/* One KPI judged. */
struct compare_kpi_result {
	const struct compare_kpi *def;
	struct compare_side base, cand;
	bool tested;                  /* enough units for the test to run */
	struct rank_result test;      /* valid when tested */
	double mean_difference;       /* candidate mean minus baseline mean (paired: mean of
				       * the differences) */
	enum compare_outcome outcome;
	char text[COMPARE_TEXT_MAX];
};

/* The whole comparison. */
struct compare_result {
	const struct compare_config *cfg;
	bool paired;
	char pairing_note[COMPARE_TEXT_MAX];
	long n_base, n_cand;
	struct compare_kpi_result kpi[COMPARE_MAX_KPIS];
	double score;
	enum compare_verdict verdict;
	int n_reasons;
	char reason[COMPARE_MAX_KPIS + 2][COMPARE_TEXT_MAX];
};

/*
 * Decide whether the logs pair: seed pairing needs every log of both
 * sides to carry a seed, no seed twice on a side, and the same set of
 * seeds on both sides (then *order gets, for each baseline log, the index
 * of its candidate); order pairing needs as many logs a side.  AUTO pairs
 * by seed when it can and else compares unpaired; SEED and ORDER die with
 * exit 2 (the reason) when they cannot pair.  Returns whether paired and
 * says why in note (COMPARE_TEXT_MAX bytes).
 */
bool compare_pair(const struct compare_log *base, long n_base, const struct compare_log *cand,
		  long n_cand, enum compare_pairing pairing, long *order, char *note);

/*
 * Judge every KPI of cfg and the whole: order is compare_pair's (NULL
 * unpaired).  A KPI is worse when its whole interval lies beyond its
 * tolerance on the bad side, pass when the interval's bad end is within
 * the tolerance (better when the whole interval is on the good side of
 * 0), inconclusive otherwise or with fewer than min_units units.  The
 * score is 100 times the weight of the KPIs not worse over all the
 * weight; FAIL when a critical KPI is worse or the score is under the
 * marginal level, else INCONCLUSIVE when the score is under the pass
 * level or a KPI is inconclusive, else PASS.  Dies with exit 3 when out
 * of memory.
 */
void compare_judge(const struct compare_config *cfg, const struct compare_log *base,
		   long n_base, const struct compare_log *cand, long n_cand, const long *order,
		   struct compare_result *res);

/* The result as a JSON object (labels: what each side is called). */
cJSON *compare_json(const struct compare_result *res, const char *base_label,
		    const char *cand_label);

/* The result as Markdown, to out. */
void compare_markdown(FILE *out, const struct compare_result *res, const char *base_label,
		      const char *cand_label);

/* The result as text, to out: one line per KPI ("KPI STAT[ (critical)]:
 * OUTCOME: difference ...") and "verdict: VERDICT (score S): reasons". */
void compare_text(FILE *out, const struct compare_result *res);

/* The result as JUnit XML, to out: one testsuite, a testcase per KPI
 * (classname soak-compare, name "KPI STAT") with a failure when the KPI
 * is worse, and a last testcase "verdict" with a failure on FAIL. */
void compare_junit(FILE *out, const struct compare_result *res);

/* The result as GitHub workflow commands, to out: ::error (critical) or
 * ::warning title=KPI:: per worse KPI, then one verdict line: ::error on
 * FAIL, ::warning on INCONCLUSIVE, ::notice on PASS. */
void compare_github(FILE *out, const struct compare_result *res);

/* x rounded to 4 decimals and printed as soak_num prints it (buf: 32 bytes);
 * "-inf"/"inf" for an open end. */
const char *compare_number(double x, char *buf);

#endif
