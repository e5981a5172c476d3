/* judge.c - the gate's judgement, shared by kpi-gate and soak-report (see judge.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "judge.h"
#include "record.h"

#define TEXT_MAX 256
#define SUBJECT_MAX 64

/* ------------------------------------------------------------------ */
/* Text and numbers                                                    */

static const char *number_text(double x, char *buf)
{
	soak_format_number(x, buf);
	return buf;
}

/* "net_bps" or "net_bps mean" */
static void rule_subject(const struct soak_rule *r, bool window_rule, char *buf)
{
	if (window_rule)
		snprintf(buf, SUBJECT_MAX, "%s %s", soak_rule_kpis[r->kpi].name, soak_stat_names[r->stat]);
	else
		snprintf(buf, SUBJECT_MAX, "%s", soak_rule_kpis[r->kpi].name);
}

static void add_string(cJSON *obj, const char *key, const char *s)
{
	cJSON_AddItemToObjectCS(obj, key, soak_checked(cJSON_CreateString(s)));
}

/* ------------------------------------------------------------------ */
/* Reading a record                                                    */

void soak_gate_wanted(const struct soak_thresholds *th, bool wanted[SOAK_RULE_KPI_COUNT])
{
	for (int k = 0; k < SOAK_RULE_KPI_COUNT; k++)
		wanted[k] = k < SOAK_KPI_COUNT;
	for (int i = 0; i < th->n_iteration; i++)
		wanted[th->iteration[i].kpi] = true;
}

static bool read_kpis(const cJSON *summary, const bool *wanted, struct soak_gate_reading *r,
		      char *err)
{
	for (int k = 0; k < SOAK_RULE_KPI_COUNT; k++) {
		r->present[k] = false;
		if (wanted[k] && !soak_rule_kpi_read(summary, k, &r->value[k], &r->present[k], err))
			return false;
	}
	return true;
}

/* The gate mode; WARN (a FAIL downgraded) only in a WARMUP phase. */
static bool read_mode(const cJSON *rec, int forced_mode, bool *warn_mode, char *err)
{
	cJSON *phase;
	*warn_mode = forced_mode == 1;
	if (forced_mode >= 0)
		return true;
	if (!soak_get_object_opt(rec, "phase", "phase", &phase, err))
		return false;
	const cJSON *mode = phase ? soak_get(phase, "gate_mode") : NULL;
	if (!mode)
		return true;
	if (!cJSON_IsString(mode) || (strcmp(mode->valuestring, "WARN") &&
				      strcmp(mode->valuestring, "NORMAL")))
		return soak_errorf(err, "'phase.gate_mode' is not \"WARN\" or \"NORMAL\"");
	*warn_mode = strcmp(mode->valuestring, "WARN") == 0;
	const cJSON *name = soak_get(phase, "name");
	if (*warn_mode && !(cJSON_IsString(name) && strcmp(name->valuestring, "WARMUP") == 0))
		return soak_errorf(err, "'phase.gate_mode' is WARN outside a WARMUP phase (phase.name "
				   "%s): a FAIL is downgraded only in warm-up",
				   cJSON_IsString(name) ? name->valuestring : "missing");
	return true;
}

bool soak_gate_read(const cJSON *rec, const bool wanted[SOAK_RULE_KPI_COUNT], int forced_mode,
		    struct soak_gate_reading *r, char *err)
{
	cJSON *summary;
	return soak_get_iteration(rec, &r->iteration, err) &&
	       soak_get_object(rec, "summary", "summary", &summary, err) &&
	       read_kpis(summary, wanted, r, err) &&
	       read_mode(rec, forced_mode, &r->warn_mode, err);
}

/* ------------------------------------------------------------------ */
/* Verdict objects                                                     */

/* {"kpi","stat"?,"value","op","threshold","by","level","text"} */
static cJSON *verdict_new(const struct soak_rule *r, bool window_rule, bool known, double value,
			  enum soak_level level, const char *text)
{
	cJSON *o = soak_checked(cJSON_CreateObject());
	add_string(o, "kpi", soak_rule_kpis[r->kpi].name);
	if (window_rule)
		add_string(o, "stat", soak_stat_names[r->stat]);
	cJSON_AddItemToObjectCS(o, "value", known ? soak_num(value) : soak_checked(cJSON_CreateNull()));
	add_string(o, "op", soak_cmp_names[r->cmp]);
	cJSON_AddItemToObjectCS(o, "threshold", soak_num(r->threshold));
	cJSON_AddItemToObjectCS(o, "by", known ? soak_num(fabs(value - r->threshold))
					   : soak_checked(cJSON_CreateNull()));
	add_string(o, "level", soak_level_names[level]);
	add_string(o, "text", text);
	return o;
}

/* "net_bps 1.7 < 2 (FAIL) by 0.3"; note replaces the level in parentheses. */
static void broken_text(const struct soak_rule *r, bool window_rule, double value,
			const char *note, char *text)
{
	char subject[SUBJECT_MAX], v[32], t[32], by[32];
	rule_subject(r, window_rule, subject);
	snprintf(text, TEXT_MAX, "%s %s %s %s (%s) by %s", subject, number_text(value, v),
		 soak_cmp_negations[r->cmp], number_text(r->threshold, t), note,
		 number_text(fabs(value - r->threshold), by));
}

static void missing_text(const struct soak_rule *r, const char *note, char *text)
{
	char t[32];
	snprintf(text, TEXT_MAX, "%s missing (%s): needs %s %s", soak_rule_kpis[r->kpi].name, note,
		 soak_cmp_names[r->cmp], number_text(r->threshold, t));
}

/* ------------------------------------------------------------------ */
/* Judging one iteration                                               */

/* Per KPI, the worst level among the rules the reading breaks. */
static void worst_levels(const struct soak_thresholds *th, const struct soak_gate_reading *r,
			 enum soak_level worst[SOAK_RULE_KPI_COUNT])
{
	for (int k = 0; k < SOAK_RULE_KPI_COUNT; k++)
		worst[k] = SOAK_LEVEL_PASS;
	for (int i = 0; i < th->n_iteration; i++) {
		const struct soak_rule *rule = &th->iteration[i];
		enum soak_level broken = !r->present[rule->kpi] ? SOAK_LEVEL_FAIL
				  : soak_rule_holds(rule, r->value[rule->kpi]) ? SOAK_LEVEL_PASS
				  : rule->level;
		if (broken > worst[rule->kpi])
			worst[rule->kpi] = broken;
	}
}

/* The rule a missing KPI's reason quotes: its first FAIL rule, else its first. */
static const struct soak_rule *quoted_rule(const struct soak_thresholds *th, int kpi)
{
	const struct soak_rule *first = NULL;
	for (int i = 0; i < th->n_iteration; i++) {
		const struct soak_rule *rule = &th->iteration[i];
		if (rule->kpi != kpi)
			continue;
		if (rule->level == SOAK_LEVEL_FAIL)
			return rule;
		if (!first)
			first = rule;
	}
	return first;
}

static void reason_text(const struct soak_rule *rule, bool known, double value, const char *note,
			char *text)
{
	if (known)
		broken_text(rule, false, value, note, text);
	else
		missing_text(rule, note, text);
}

/* One reason.  In WARN mode a FAIL goes to downgraded as it was and to
 * reasons as a WARN. */
static void add_reason(const struct soak_rule *rule, const struct soak_gate_reading *r,
		       cJSON *reasons, cJSON *downgraded, enum soak_level *status)
{
	bool known = r->present[rule->kpi];
	enum soak_level level = known ? rule->level : SOAK_LEVEL_FAIL;
	double value = r->value[rule->kpi];
	char text[TEXT_MAX];
	reason_text(rule, known, value, soak_level_names[level], text);
	if (r->warn_mode && level == SOAK_LEVEL_FAIL) {
		cJSON_AddItemToArray(downgraded, verdict_new(rule, false, known, value, level, text));
		reason_text(rule, known, value, "FAIL, downgraded to WARN", text);
		level = SOAK_LEVEL_WARN;
	}
	cJSON_AddItemToArray(reasons, verdict_new(rule, false, known, value, level, text));
	if (level > *status)
		*status = level;
}

/* Status, reasons and downgraded of one iteration.  For each KPI only the
 * rules broken at its worst level are listed (net_bps 1.7 breaks the FAIL
 * rule >= 2 and the WARN rule >= 2.8: only the FAIL is a reason); a
 * missing KPI gives one reason, at FAIL. */
enum soak_level soak_gate_judge_iteration(const struct soak_thresholds *th,
					  const struct soak_gate_reading *r, cJSON *reasons,
					  cJSON *downgraded)
{
	enum soak_level worst[SOAK_RULE_KPI_COUNT], status = SOAK_LEVEL_PASS;
	worst_levels(th, r, worst);
	for (int i = 0; i < th->n_iteration; i++) {
		const struct soak_rule *rule = &th->iteration[i];
		int k = rule->kpi;
		if (!r->present[k]) {
			if (rule == quoted_rule(th, k))
				add_reason(rule, r, reasons, downgraded, &status);
		} else if (!soak_rule_holds(rule, r->value[k]) && rule->level == worst[k]) {
			add_reason(rule, r, reasons, downgraded, &status);
		}
	}
	return status;
}

/* ------------------------------------------------------------------ */
/* The window                                                          */

/* The rule's statistic over the window; false when `missing` entries lack the KPI. */
static bool window_value(const struct soak_gate_window *w, const struct soak_rule *rule,
			 double *value, long *missing)
{
	static double values[SOAK_MAX_WINDOW];
	long n = 0;
	*missing = 0;
	for (long i = 0; i < w->count; i++) {
		const struct soak_kpi_point *p = &w->entry[i];
		if (p->present[rule->kpi])
			values[n++] = p->value[rule->kpi];
		else
			(*missing)++;
	}
	if (*missing)
		return false;
	*value = soak_window_stat(rule->stat, values, n);
	return true;
}

static cJSON *goal_new(const struct soak_gate_window *w, const struct soak_rule *rule, bool *met,
		       cJSON *values)
{
	double value = 0;
	long missing;
	char text[TEXT_MAX], subject[SUBJECT_MAX], v[32], t[32];
	bool known = window_value(w, rule, &value, &missing);
	*met = known && soak_rule_holds(rule, value);
	rule_subject(rule, true, subject);
	if (!known)
		snprintf(text, TEXT_MAX, "%s unknown: %ld of %ld values missing (%s)", subject,
			 missing, w->count, soak_level_names[rule->level]);
	else if (*met)
		snprintf(text, TEXT_MAX, "%s %s %s %s (met)", subject, number_text(value, v),
			 soak_cmp_names[rule->cmp], number_text(rule->threshold, t));
	else
		broken_text(rule, true, value, soak_level_names[rule->level], text);
	cJSON *goal = verdict_new(rule, true, known, value, rule->level, text);
	cJSON_AddItemToObjectCS(goal, "missing", soak_num((double)missing));
	cJSON_AddItemToObjectCS(goal, "met", soak_checked(cJSON_CreateBool(*met)));
	cJSON *per_kpi = soak_get(values, soak_rule_kpis[rule->kpi].name);
	if (!per_kpi)
		cJSON_AddItemToObjectCS(values, soak_rule_kpis[rule->kpi].name,
				      per_kpi = soak_checked(cJSON_CreateObject()));
	if (!soak_get(per_kpi, soak_stat_names[rule->stat]))
		cJSON_AddItemToObjectCS(per_kpi, soak_stat_names[rule->stat],
				      known ? soak_num(value) : soak_checked(cJSON_CreateNull()));
	return goal;
}

/* gate.window: {size, count, complete, values, goals, status}. */
cJSON *soak_gate_judge_window(const struct soak_thresholds *th, const struct soak_gate_window *w,
			      enum soak_level *status)
{
	cJSON *obj = soak_checked(cJSON_CreateObject());
	cJSON *values = soak_checked(cJSON_CreateObject()), *goals = soak_checked(cJSON_CreateArray());
	*status = SOAK_LEVEL_PASS;
	cJSON_AddItemToObjectCS(obj, "size", soak_num((double)th->window_size));
	cJSON_AddItemToObjectCS(obj, "count", soak_num((double)w->count));
	cJSON_AddItemToObjectCS(obj, "complete", soak_checked(cJSON_CreateBool(w->count == th->window_size)));
	for (int i = 0; i < th->n_window; i++) {
		bool met;
		cJSON_AddItemToArray(goals, goal_new(w, &th->window[i], &met, values));
		if (!met && th->window[i].level > *status)
			*status = th->window[i].level;
	}
	cJSON_AddItemToObjectCS(obj, "values", values);
	cJSON_AddItemToObjectCS(obj, "goals", goals);
	add_string(obj, "status", soak_level_names[*status]);
	return obj;
}

struct soak_kpi_point soak_gate_point(const struct soak_gate_reading *r, enum soak_level status)
{
	struct soak_kpi_point p = {.iteration = r->iteration};
	snprintf(p.status, sizeof p.status, "%s", soak_level_names[status]);
	for (int k = 0; k < SOAK_KPI_COUNT; k++) {
		p.present[k] = r->present[k];
		p.value[k] = r->present[k] ? r->value[k] : 0;
	}
	return p;
}

/* ------------------------------------------------------------------ */
/* The verdict of a log                                                */

void soak_gate_tally_add(struct soak_gate_tally *t, long iteration, enum soak_level status,
			 bool downgraded)
{
	if (t->iterations++ == 0)
		t->first_iteration = iteration;
	t->last_iteration = iteration;
	t->counts[status]++;
	t->downgraded += downgraded;
	if (status == SOAK_LEVEL_FAIL && !t->first_fail)
		t->first_fail = iteration;
}

static void summary_reason(cJSON *reasons, enum soak_level level, enum soak_level *status,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void summary_reason(cJSON *reasons, enum soak_level level, enum soak_level *status,
			   const char *fmt, ...)
{
	char text[TEXT_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	cJSON *o = soak_checked(cJSON_CreateObject());
	add_string(o, "level", soak_level_names[level]);
	add_string(o, "text", text);
	cJSON_AddItemToArray(reasons, o);
	if (level > *status)
		*status = level;
}

enum soak_level soak_gate_verdict(const struct soak_gate_tally *t, const cJSON *window,
				  long window_size, long skipped, cJSON *reasons)
{
	enum soak_level status = SOAK_LEVEL_PASS;
	if (t->iterations == 0)
		summary_reason(reasons, SOAK_LEVEL_FAIL, &status, "no records: nothing to judge");
	if (t->counts[SOAK_LEVEL_FAIL])
		summary_reason(reasons, SOAK_LEVEL_FAIL, &status, "%ld of %ld iterations FAIL, the first "
			       "at iteration %ld", t->counts[SOAK_LEVEL_FAIL], t->iterations,
			       t->first_fail);
	if (window) {
		long count = (long)soak_get(window, "count")->valuedouble;
		if (count < window_size)
			summary_reason(reasons, SOAK_LEVEL_FAIL, &status, "window incomplete: %ld of %ld "
				       "iterations", count, window_size);
		const cJSON *goals = soak_get(window, "goals");
		for (const cJSON *goal = goals->child; goal; goal = goal->next)
			if (cJSON_IsFalse(soak_get(goal, "met")))
				summary_reason(reasons, (enum soak_level)soak_level_named(
						       soak_get(goal, "level")->valuestring),
					       &status, "window: %s", soak_get(goal, "text")->valuestring);
	}
	if (t->counts[SOAK_LEVEL_WARN])
		summary_reason(reasons, SOAK_LEVEL_WARN, &status, "%ld of %ld iterations WARN "
			       "(%ld downgraded from FAIL)", t->counts[SOAK_LEVEL_WARN],
			       t->iterations, t->downgraded);
	if (skipped)
		summary_reason(reasons, SOAK_LEVEL_FAIL, &status, "incomplete data: %ld bad line%s "
			       "skipped", skipped, skipped == 1 ? "" : "s");
	return status;
}
