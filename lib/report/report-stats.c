/* report-stats.c - soak-report: window statistics, goals, verdict and the JSON snapshot. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report-common.h"

const char *report_short_number(double x, char *buf)
{
	double r = round(x * 1e4) / 1e4;
	soak_format_number(r == 0 ? 0 : r, buf);   /* no "-0" */
	return buf;
}

const struct report_point *report_window_point(const struct report_log *log, long i)
{
	long window_count = log->count < log->window_size ? log->count : log->window_size;
	return &log->ring[(log->count - window_count + i) % log->window_size];
}

static double mean_of(const double *v, long n)
{
	double sum = 0;
	for (long i = 0; i < n; i++)
		sum += v[i];
	return sum / (double)n;
}

/* Mean of the first quarter against the last quarter of the values in
 * order: "up"/"down" when it moved by more than 5% of the first quarter's
 * magnitude, else "flat"; "n/a" with fewer than 4 values. */
static const char *trend_of(const double *v, long n)
{
	if (n < 4)
		return "n/a";
	long q = n / 4;
	double first = mean_of(v, q), last = mean_of(v + n - q, q);
	double margin = 0.05 * fabs(first);
	return last - first > margin ? "up" : first - last > margin ? "down" : "flat";
}

static void kpi_stats(const struct report_log *log, long window_count, int k,
		      struct report_kpi_stats *st)
{
	double values[SOAK_MAX_WINDOW];
	long n = 0;
	for (long i = 0; i < window_count; i++) {
		const struct report_point *p = report_window_point(log, i);
		if (p->present[k])
			values[n++] = p->value[k];
	}
	st->count = n;
	st->missing = window_count - n;
	st->trend = trend_of(values, n);
	if (n == 0)
		return;
	soak_window_stats(values, n, st->stat);   /* as kpi-gate's goals; sorts values */
}

/* A goal is known when every iteration of a non-empty window has its
 * KPI; texts as kpi-gate's gate.window.goals. */
static void judge_goal(struct report_snapshot *snap, const struct soak_rule *rule,
		       struct report_goal *g)
{
	const struct report_kpi_stats *st = &snap->kpi[report_kpi_of(rule->kpi)];
	char subject[64], v[32], t[32], by[32];
	snprintf(subject, sizeof subject, "%s %s", soak_rule_kpis[rule->kpi].name,
		 soak_stat_names[rule->stat]);
	g->rule = rule;
	g->missing = st->missing;
	g->known = snap->window_count > 0 && st->missing == 0;
	g->value = g->known ? st->stat[rule->stat] : 0;
	g->met = g->known && soak_rule_holds(rule, g->value);
	soak_format_number(g->value, v);
	soak_format_number(rule->threshold, t);
	soak_format_number(fabs(g->value - rule->threshold), by);
	if (snap->window_count == 0)
		snprintf(g->text, sizeof g->text, "%s unknown: no iterations (%s)", subject,
			 soak_level_names[rule->level]);
	else if (!g->known)
		snprintf(g->text, sizeof g->text, "%s unknown: %ld of %ld values missing (%s)",
			 subject, g->missing, snap->window_count, soak_level_names[rule->level]);
	else if (g->met)
		snprintf(g->text, sizeof g->text, "%s %s %s %s (met)", subject, v,
			 soak_cmp_names[rule->cmp], t);
	else
		snprintf(g->text, sizeof g->text, "%s %s %s %s (%s) by %s", subject, v,
			 soak_cmp_negations[rule->cmp], t, soak_level_names[rule->level], by);
}

/* The window of log as kpi-gate keeps it: the gate KPIs of its points. */
static void gate_window(const struct report_log *log, long count, struct soak_gate_window *w)
{
	w->count = count;
	for (long i = 0; i < count; i++) {
		const struct report_point *p = report_window_point(log, i);
		struct soak_kpi_point *e = &w->entry[i];
		memset(e, 0, sizeof *e);
		e->iteration = p->iteration;
		for (int k = 0; k < SOAK_KPI_COUNT; k++) {
			e->present[k] = p->present[k];
			e->value[k] = p->present[k] ? p->value[k] : 0;
		}
	}
}

/* The verdict and its reasons: kpi-gate --summary's (soak_gate_verdict). */
static void judge_log(struct report_snapshot *snap)
{
	static struct soak_thresholds th;
	static struct soak_gate_window w;
	const struct report_log *log = snap->log;
	enum soak_level window_status;
	th = *snap->th;
	th.window_size = log->window_size;
	gate_window(log, snap->window_count, &w);
	cJSON *window = log->count ? soak_gate_judge_window(&th, &w, &window_status) : NULL;
	cJSON *reasons = soak_checked(cJSON_CreateArray());
	snap->verdict = soak_gate_verdict(&log->tally, window, log->window_size, log->skipped,
					  reasons);
	const cJSON *r;
	cJSON_ArrayForEach(r, reasons) {
		if (snap->n_reasons == SOAK_MAX_RULES + 6)
			break;
		snap->reason_level[snap->n_reasons] =
			(enum soak_level)soak_level_named(soak_get(r, "level")->valuestring);
		snprintf(snap->reason[snap->n_reasons++], REPORT_TEXT_MAX, "%s",
			 soak_get(r, "text")->valuestring);
	}
	cJSON_Delete(reasons);
	cJSON_Delete(window);
}

void report_snapshot_make(const struct report_log *log, const struct soak_thresholds *th,
			  struct report_snapshot *snap)
{
	memset(snap, 0, sizeof *snap);
	snap->log = log;
	snap->th = th;
	snap->window_count = log->count < log->window_size ? log->count : log->window_size;
	for (int k = 0; k < RK_COUNT; k++)
		kpi_stats(log, snap->window_count, k, &snap->kpi[k]);
	for (int i = 0; i < th->n_window; i++)
		judge_goal(snap, &th->window[i], &snap->goal[snap->n_goals++]);
	judge_log(snap);
}

enum soak_stat report_compared_stat(const struct soak_thresholds *th, int kpi)
{
	for (int i = 0; i < th->n_window; i++)
		if (th->window[i].kpi == report_kpis[kpi].kpi)
			return th->window[i].stat;
	return SOAK_STAT_MEAN;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static cJSON *num_or_null(bool known, double x)
{
	return known ? soak_num(x) : soak_checked(cJSON_CreateNull());
}

static void add(cJSON *obj, const char *key, cJSON *item)
{
	cJSON_AddItemToObject(obj, key, soak_checked(item));
}

static cJSON *iterations_json(const struct report_log *log)
{
	cJSON *o = soak_checked(cJSON_CreateObject());
	add(o, "first", num_or_null(log->count > 0, (double)log->first));
	add(o, "last", num_or_null(log->count > 0, (double)log->last));
	add(o, "count", soak_num((double)log->count));
	return o;
}

static cJSON *last_n_json(const struct report_snapshot *snap)
{
	cJSON *o = soak_checked(cJSON_CreateObject());
	cJSON *list = soak_checked(cJSON_CreateArray());
	for (long i = 0; i < snap->window_count; i++)
		cJSON_AddItemToArray(list, soak_num((double)report_window_point(snap->log, i)->iteration));
	add(o, "size", soak_num((double)snap->log->window_size));
	add(o, "count", soak_num((double)snap->window_count));
	add(o, "iterations", list);
	return o;
}

static cJSON *kpis_json(const struct report_snapshot *snap)
{
	cJSON *o = soak_checked(cJSON_CreateObject());
	for (int k = 0; k < RK_COUNT; k++) {
		const struct report_kpi_stats *st = &snap->kpi[k];
		cJSON *s = soak_checked(cJSON_CreateObject());
		for (int i = 0; i < SOAK_STAT_COUNT; i++)
			add(s, soak_stat_names[i], num_or_null(st->count > 0, st->stat[i]));
		add(s, "trend", cJSON_CreateString(st->trend));
		add(s, "count", soak_num((double)st->count));
		add(s, "missing", soak_num((double)st->missing));
		add(s, "missing_in_run", soak_num((double)snap->log->missing_run[k]));
		add(s, "better", cJSON_CreateString(report_kpi_direction(snap->th, k) > 0 ? "higher"
											     : "lower"));
		add(o, report_kpi_name(k), s);
	}
	return o;
}

static cJSON *goals_json(const struct report_snapshot *snap)
{
	cJSON *list = soak_checked(cJSON_CreateArray());
	for (int i = 0; i < snap->n_goals; i++) {
		const struct report_goal *g = &snap->goal[i];
		cJSON *o = soak_checked(cJSON_CreateObject());
		add(o, "kpi", cJSON_CreateString(soak_rule_kpis[g->rule->kpi].name));
		add(o, "stat", cJSON_CreateString(soak_stat_names[g->rule->stat]));
		add(o, "value", num_or_null(g->known, g->value));
		add(o, "op", cJSON_CreateString(soak_cmp_names[g->rule->cmp]));
		add(o, "threshold", soak_num(g->rule->threshold));
		add(o, "level", cJSON_CreateString(soak_level_names[g->rule->level]));
		add(o, "missing", soak_num((double)g->missing));
		add(o, "met", cJSON_CreateBool(g->met));
		add(o, "text", cJSON_CreateString(g->text));
		cJSON_AddItemToArray(list, o);
	}
	return list;
}

static cJSON *verdict_json(const struct report_snapshot *snap)
{
	cJSON *o = soak_checked(cJSON_CreateObject());
	cJSON *reasons = soak_checked(cJSON_CreateArray());
	add(o, "status", cJSON_CreateString(soak_level_names[snap->verdict]));
	for (int i = 0; i < snap->n_reasons; i++) {
		cJSON *r = soak_checked(cJSON_CreateObject());
		add(r, "level", cJSON_CreateString(soak_level_names[snap->reason_level[i]]));
		add(r, "text", cJSON_CreateString(snap->reason[i]));
		cJSON_AddItemToArray(reasons, r);
	}
	add(o, "reasons", reasons);
	return o;
}

static cJSON *names_json(const struct report_names *names)
{
	cJSON *o = soak_checked(cJSON_CreateObject());
	for (int i = 0; i < names->n; i++)
		add(o, names->name[i], soak_num((double)names->count[i]));
	if (names->other)
		add(o, "(other)", soak_num((double)names->other));
	return o;
}

static cJSON *counts_json(const struct report_log *log)
{
	cJSON *gate = soak_checked(cJSON_CreateObject());
	for (int i = 0; i < SOAK_LEVEL_COUNT; i++)
		add(gate, soak_level_names[i], soak_num((double)log->tally.counts[i]));
	add(gate, "downgraded", soak_num((double)log->tally.downgraded));
	return gate;
}

static cJSON *tuning_json(const struct report_log *log)
{
	cJSON *o = soak_checked(cJSON_CreateObject());
	add(o, "records", soak_num((double)log->tuning_records));
	add(o, "applied", soak_num((double)log->tuning_applied));
	add(o, "keys_changed", names_json(&log->keys_changed));
	add(o, "skipped", names_json(&log->skips));
	return o;
}

static cJSON *guards_json(const struct report_log *log)
{
	cJSON *o = soak_checked(cJSON_CreateObject());
	for (int g = 0; g < RG_COUNT; g++)
		add(o, report_guard_names[g], soak_num((double)log->guards[g]));
	return o;
}

static cJSON *snapshot_json(const struct report_snapshot *snap)
{
	cJSON *o = soak_checked(cJSON_CreateObject());
	add(o, "log", cJSON_CreateString(snap->log->label));
	add(o, "thresholds", cJSON_CreateString(snap->th->name));
	add(o, "iterations", iterations_json(snap->log));
	add(o, "skipped", soak_num((double)snap->log->skipped));
	add(o, "last_n", last_n_json(snap));
	add(o, "kpis", kpis_json(snap));
	add(o, "goals", goals_json(snap));
	add(o, "verdict", verdict_json(snap));
	add(o, "gate", counts_json(snap->log));
	add(o, "tuning", tuning_json(snap->log));
	add(o, "guards", guards_json(snap->log));
	return o;
}

static cJSON *deltas_json(const struct report_snapshot *cur, const struct report_snapshot *base,
			  const struct report_comparison *cmp)
{
	cJSON *o = soak_checked(cJSON_CreateObject());
	for (int k = 0; k < RK_COUNT; k++) {
		const struct report_kpi_stats *a = &cur->kpi[k], *b = &base->kpi[k];
		bool known = a->count > 0 && b->count > 0;
		cJSON *d = soak_checked(cJSON_CreateObject());
		for (int i = 0; i < SOAK_STAT_COUNT; i++)
			add(d, soak_stat_names[i], num_or_null(known, a->stat[i] - b->stat[i]));
		add(d, "compared", cJSON_CreateString(soak_stat_names[report_compared_stat(cur->th, k)]));
		add(d, "outcome", cJSON_CreateString(compare_outcome_names[cmp->result.kpi[k].outcome]));
		add(o, report_kpi_name(k), d);
	}
	return o;
}

cJSON *report_json(const struct report_snapshot *cur, const struct report_snapshot *base,
		   const struct report_comparison *cmp)
{
	cJSON *o = snapshot_json(cur);
	if (base) {
		cJSON *comparison = compare_json(&cmp->result, base->log->label, cur->log->label);
		add(comparison, "note", cJSON_CreateString(report_one_pair_text));
		add(o, "baseline", snapshot_json(base));
		add(o, "deltas", deltas_json(cur, base, cmp));
		add(o, "comparison", comparison);
	}
	return o;
}
