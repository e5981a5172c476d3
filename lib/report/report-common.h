/*
 * report-common.h - soak-report's model of a log: the thresholds it is
 * judged by, running counts over the whole log, the last-N window, and
 * the snapshot (statistics, goals, verdict) computed from them.
 *
 * Memory is constant in the length of the log: a record is folded into
 * counts and a ring of at most SOAK_MAX_WINDOW points and then freed.
 */
#ifndef SOAK_REPORT_COMMON_H
#define SOAK_REPORT_COMMON_H

#include <stdbool.h>
#include <stdio.h>
#include <cjson/cJSON.h>

#include "judge.h"
#include "record.h"
#include "thresholds.h"
#include "compare.h"

#define REPORT_MAX_NAMES 64        /* distinct tuning keys / skip reasons kept */
#define REPORT_NAME_MAX 96         /* longest key or reason kept, bytes */
#define REPORT_SPARK_WIDTH 64      /* buckets of a whole-run sparkline */
#define REPORT_TEXT_MAX 256

/* The KPIs of the report, in output order.  The first four are the
 * gate's (enum soak_kpi order); window rules may only name those. */
enum report_kpi {
	RK_MAKER_TAKER, RK_NET_BPS, RK_P95_LATENCY, RK_RISK,
	RK_ADVERSE_P95, RK_SLIPPAGE_P95, RK_CANCEL,
	RK_COUNT
};
#define RK_GATE_COUNT 4

struct report_kpi_def {
	int kpi;                /* index into soak_rule_kpis: name and sane range */
	int direction;          /* +1 higher is better, -1 lower, unless a rule says */
};
extern const struct report_kpi_def report_kpis[RK_COUNT];

/* The name of report KPI k. */
const char *report_kpi_name(int k);

/* The report KPI (enum report_kpi) of a rule's KPI (soak_rule_kpis index),
 * or -1 for one the report does not chart (gross_bps ...). */
int report_kpi_of(int rule_kpi);

/* +1 when a higher value of kpi is better, -1 when lower: the direction
 * of its first window rule, else of its first iteration rule, else the
 * KPI's own (costs and latencies lower, edge and maker share higher). */
int report_kpi_direction(const struct soak_thresholds *th, int kpi);

/* One iteration as the window keeps it. */
struct report_point {
	long iteration;
	double value[RK_COUNT];
	bool present[RK_COUNT];
};

/* Names with counts (tuning keys, skip reasons), in first-seen order. */
struct report_names {
	int n;
	long other;              /* counted after REPORT_MAX_NAMES were taken */
	char name[REPORT_MAX_NAMES][REPORT_NAME_MAX];
	long count[REPORT_MAX_NAMES];
};

enum report_guard {
	RG_RESCUE_BLOCK, RG_LATENCY_PREBUFFER,
	RG_VELOCITY, RG_COOLDOWN, RG_OSCILLATION, RG_FREEZE, RG_MAX_KEYS, RG_BOUNDS,
	RG_COUNT
};
extern const char *const report_guard_names[RG_COUNT];


/* Per-KPI means of the whole run in at most REPORT_SPARK_WIDTH buckets of
 * `width` iterations each (pairs merge when the run outgrows them). */
struct report_spark {
	long width;
	int n;
	double sum[RK_COUNT][REPORT_SPARK_WIDTH];
	long count[RK_COUNT][REPORT_SPARK_WIDTH];
};

/* Everything kept about one log while it is read. */
struct report_log {
	const char *label;          /* "stdin" or the baseline's path */
	long window_size;
	const struct soak_thresholds *th;   /* each record's gate is judged under it */
	bool wanted[SOAK_RULE_KPI_COUNT];   /* the summary KPIs judging reads */
	struct soak_order order;            /* the last record read */
	long count, first, last, skipped;
	struct report_point ring[SOAK_MAX_WINDOW];   /* the last window_size points */
	long missing_run[RK_COUNT];
	struct soak_gate_tally tally;       /* gate statuses as kpi-gate --summary counts them */
	long tuning_records, tuning_applied;
	struct report_names keys_changed, skips;
	long guards[RG_COUNT];
	struct report_spark spark;
	FILE *plot_data;            /* NULL, or where each point goes as a text line */
	char seed[32];              /* summary.seed of the first record, or "" */
};

/* The phases the plot shades (phase.name of a record). */
enum { REPORT_PHASE_NONE, REPORT_PHASE_WARMUP, REPORT_PHASE_RAMPDOWN, REPORT_PHASE_STEADY,
       REPORT_PHASE_COUNT };
extern const char *const report_phase_names[REPORT_PHASE_COUNT];

/*
 * Read every record of stream s into log (initialized here with th, the
 * window size and plot_data).  Each record is checked and its gate judged
 * under th, as kpi-gate judges it, before it counts; a bad one goes to
 * soak_stream_reject.  Records must be one contiguous run of iterations
 * (soak_order_check).
 */
void report_log_read(struct report_log *log, struct soak_stream *s,
		     const struct soak_thresholds *th, long window_size, FILE *plot_data);

/* Statistics of one KPI over the window. */
struct report_kpi_stats {
	long count, missing;        /* present / absent values in the window */
	double stat[SOAK_STAT_COUNT];      /* valid when count > 0 */
	const char *trend;          /* "up", "down", "flat" or "n/a" */
};

struct report_goal {
	const struct soak_rule *rule;
	bool known, met;
	double value;
	long missing;
	char text[REPORT_TEXT_MAX];
};

/* The judged snapshot of a log. */
struct report_snapshot {
	const struct report_log *log;
	const struct soak_thresholds *th;
	long window_count;
	struct report_kpi_stats kpi[RK_COUNT];
	struct report_goal goal[SOAK_MAX_RULES];
	int n_goals;
	enum soak_level verdict;
	int n_reasons;
	enum soak_level reason_level[SOAK_MAX_RULES + 6];
	char reason[SOAK_MAX_RULES + 6][REPORT_TEXT_MAX];
};

/* Compute the snapshot of log under th; its verdict and reasons are
 * kpi-gate --summary's (soak_gate_verdict) for the same records. */
void report_snapshot_make(const struct report_log *log, const struct soak_thresholds *th,
			  struct report_snapshot *snap);

/* The i-th oldest point of the window (0 <= i < snap->window_count). */
const struct report_point *report_window_point(const struct report_log *log, long i);

/* The statistic a comparison against a baseline uses for kpi: the stat
 * of its first window rule, else the mean. */
enum soak_stat report_compared_stat(const struct soak_thresholds *th, int kpi);

/* This log against the baseline, judged as soak-compare judges: one
 * unit a side (each KPI's compared statistic over the window). */
struct report_comparison {
	struct compare_config cfg;     /* the report's KPIs, directions, no tolerance */
	struct compare_result result;  /* refers to cfg: do not copy */
};

/* What --baseline says about deciding from one run a side. */
extern const char report_one_pair_text[];

/*
 * Compare cur against base with lib/compare: the KPIs of the report,
 * each with its compared statistic and direction, tolerance 0, at least
 * 5 units a side; one log a side is always INCONCLUSIVE, every KPI
 * "too few units".
 */
void report_compare(const struct report_snapshot *cur, const struct report_snapshot *base,
		    struct report_comparison *cmp);

/* The snapshot as a JSON object; with base (and its comparison cmp), also
 * "baseline", "deltas" and "comparison". */
cJSON *report_json(const struct report_snapshot *cur, const struct report_snapshot *base,
		   const struct report_comparison *cmp);

/*
 * The report as Markdown / Prometheus text exposition, to out.
 * run_labels: (key, value) pairs, NULL-ended, added to every Prometheus
 * sample (the run's run_id, seed, preset), or NULL.
 */
void report_markdown(FILE *out, const struct report_snapshot *cur,
		     const struct report_snapshot *base, const struct report_comparison *cmp);
void report_prometheus(FILE *out, const struct report_snapshot *cur,
		       const struct report_snapshot *base, const char *const *run_labels);

/* What the plot shows besides the log's own points. */
struct report_plot_info {
	const char *path;            /* the image: SVG when it ends in .svg, else PNG */
	const char *preset, *seed;   /* for the title: from --run, else "?" / the log's seed */
	const char *run_id;          /* from --run, or NULL */
	FILE *baseline_data;         /* the baseline's points, or NULL */
	const char *baseline_label;
};

/*
 * soak-report --sweep: every variant directory of a soak-sweep(1) tree
 * (a directory holding seed-N.jsonl logs), each log read with the
 * stream's error policy and judged under th with its window, reduced per
 * KPI to its compared statistic; one table per variant, in order of
 * name, as JSON (to s) or Markdown (to s->out).  Dies with exit 2 when
 * the tree holds no variant.
 */
void report_sweep(const char *dir, struct soak_stream *s, const struct soak_thresholds *th,
		  long window_size, bool markdown);

/*
 * Draw the gate KPIs per iteration (the points in plot_data, rewound
 * here): one panel per KPI with its unit, the phases shaded, FAIL and
 * WARN iterations marked, the iteration thresholds as lines, the last-N
 * window marked, the baseline's points when given, the x-axis from the
 * first to the last iteration, and a title with the preset, seed,
 * verdict and thresholds.  Runs gnuplot with a generated script; dies with exit 3 when gnuplot cannot be run,
 * fails, or leaves no PNG or SVG.
 */
void report_plot(FILE *plot_data, const struct report_snapshot *snap,
		 const struct report_plot_info *info);


/* x rounded to 4 decimals, formatted as soak_num does (buf: 32 bytes). */
const char *report_short_number(double x, char *buf);

#endif
