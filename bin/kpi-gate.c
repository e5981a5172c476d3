/* kpi-gate - judge each iteration's KPIs and the last-N window. */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "history.h"
#include "record.h"
#include "thresholds.h"
#include "verdict-format.h"

static const char help_text[] =
"Usage: kpi-gate [OPTION]...\n"
"Judge each record's KPIs (summary) against a thresholds file, add the\n"
"verdict as 'gate' and carry the last-N window in state.gate (JSON lines,\n"
"stdin to stdout).\n"
"\n"
"  -t, --thresholds=NAME|FILE  thresholds file (default kpi_thresholds_v1)\n"
"      --mode=warn|normal      gate mode for every record (default: the\n"
"                              record's phase.gate_mode, else normal)\n"
"  -w, --window=N              window size, 1 to 1000 (default: the file's)\n"
"      --summary               read the whole log, print one verdict object\n"
"                              and exit 1 when it is FAIL (see --fail-on)\n"
SOAK_VERDICT_FORMAT_HELP
"      --text                  the same as --format=text\n"
SOAK_STREAM_HELP
SOAK_LIST_PRESETS_HELP
"  -h, --help                  show this help and exit\n"
"  -V, --version               show the version and exit\n"
"\n"
"An iteration is PASS when every rule holds, else the worst level of the\n"
"rules it breaks; a missing KPI is FAIL.  In WARN mode a FAIL becomes WARN\n"
"and is listed in gate.downgraded.  See kpi-gate(1), soak-thresholds(5).\n";

#define TEXT_MAX 256
#define SUBJECT_MAX 64

/* The KPI history, oldest first. */
struct window {
	long count;
	struct soak_kpi_point entry[SOAK_MAX_WINDOW];
};

/* One record's reading: its KPIs and how to judge them. */
struct reading {
	long iteration;
	bool warn_mode;
	double value[SOAK_RULE_KPI_COUNT];
	bool present[SOAK_RULE_KPI_COUNT];
};

/* Everything kpi-gate keeps between records (constant size). */
struct gate_context {
	struct soak_thresholds th;
	bool wanted[SOAK_RULE_KPI_COUNT];  /* read from summary: rule KPIs and history KPIs */
	int forced_mode;             /* -1: from the record; else warn (1) / normal (0) */
	bool have_carry;
	long carry_iteration;        /* iteration of the last record judged */
	struct window carry;         /* the history written for it */
	struct window scratch;       /* history read from the current record */
	struct window next;          /* history being built */
};

/* The outcome for one record. */
struct judgement {
	long iteration;
	enum soak_level status;
	bool downgraded;
	cJSON *gate;                 /* the gate section */
	cJSON *state_gate;           /* the state.gate section */
};

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

static cJSON *checked(cJSON *node)
{
	if (!node)
		soak_die(SOAK_EXIT_IO, "out of memory");
	return node;
}

static void add_string(cJSON *obj, const char *key, const char *s)
{
	cJSON_AddItemToObjectCS(obj, key, checked(cJSON_CreateString(s)));
}

/* ------------------------------------------------------------------ */
/* Reading a record                                                    */

static bool read_kpis(const cJSON *summary, const bool *wanted, struct reading *r, char *err)
{
	for (int k = 0; k < SOAK_RULE_KPI_COUNT; k++) {
		r->present[k] = false;
		if (wanted[k] && !soak_rule_kpi_read(summary, k, &r->value[k], &r->present[k], err))
			return false;
	}
	return true;
}

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
	return true;
}

/* Check state.gate.history and count the entries before `iteration`. */
static bool check_history(const cJSON *history, long iteration, long *before, char *err)
{
	long previous = 0;
	*before = 0;
	for (const cJSON *e = history->child; e; e = e->next) {
		struct soak_kpi_point p;
		if (!soak_history_entry_read(e, &p, err))
			return false;
		if (p.iteration <= previous)
			return soak_errorf(err, "'state.gate.history' is not in increasing order of "
					   "iteration (%ld after %ld)", p.iteration, previous);
		if (p.iteration > iteration)
			return soak_errorf(err, "'state.gate.history' holds iteration %ld, after the "
					   "record's iteration %ld", p.iteration, iteration);
		previous = p.iteration;
		*before += p.iteration < iteration;
	}
	return true;
}

/* The record's own history: the newest keep entries before its iteration
 * (an entry for the iteration itself is an earlier gate's and is dropped). */
static bool read_history(const cJSON *rec, long iteration, long keep, struct window *out,
			 char *err)
{
	cJSON *state, *gate = NULL;
	out->count = 0;
	if (!soak_get_object_opt(rec, "state", "state", &state, err) ||
	    (state && !soak_get_object_opt(state, "gate", "state.gate", &gate, err)))
		return false;
	if (!state || !gate)
		return true;
	const cJSON *history = soak_get(gate, "history");
	if (!history)
		return soak_errorf(err, "missing field 'state.gate.history'");
	if (!cJSON_IsArray(history))
		return soak_errorf(err, "'state.gate.history' is not an array");
	long before;
	if (!check_history(history, iteration, &before, err))
		return false;
	long index = 0;
	for (const cJSON *e = history->child; e && index < before; e = e->next, index++)
		if (index >= before - keep)
			(void)soak_history_entry_read(e, &out->entry[out->count++], err);
	return true;
}

static bool read_record(const cJSON *rec, struct gate_context *g, struct reading *r,
			char *err)
{
	cJSON *summary;
	return soak_get_iteration(rec, &r->iteration, err) &&
	       soak_get_object(rec, "summary", "summary", &summary, err) &&
	       read_kpis(summary, g->wanted, r, err) &&
	       read_mode(rec, g->forced_mode, &r->warn_mode, err) &&
	       read_history(rec, r->iteration, g->th.window_size - 1, &g->scratch, err);
}

/* ------------------------------------------------------------------ */
/* Verdict objects                                                     */

/* {"kpi","stat"?,"value","op","threshold","by","level","text"} */
static cJSON *verdict_new(const struct soak_rule *r, bool window_rule, bool known, double value,
			  enum soak_level level, const char *text)
{
	cJSON *o = checked(cJSON_CreateObject());
	add_string(o, "kpi", soak_rule_kpis[r->kpi].name);
	if (window_rule)
		add_string(o, "stat", soak_stat_names[r->stat]);
	cJSON_AddItemToObjectCS(o, "value", known ? soak_num(value) : checked(cJSON_CreateNull()));
	add_string(o, "op", soak_cmp_names[r->cmp]);
	cJSON_AddItemToObjectCS(o, "threshold", soak_num(r->threshold));
	cJSON_AddItemToObjectCS(o, "by", known ? soak_num(fabs(value - r->threshold))
					   : checked(cJSON_CreateNull()));
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
static void worst_levels(const struct soak_thresholds *th, const struct reading *r,
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
static void add_reason(const struct soak_rule *rule, const struct reading *r, cJSON *reasons,
		       cJSON *downgraded, enum soak_level *status)
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
static enum soak_level judge_iteration(const struct soak_thresholds *th, const struct reading *r,
				  cJSON *reasons, cJSON *downgraded)
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
static bool window_value(const struct window *w, const struct soak_rule *rule, double *value,
			 long *missing)
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

static cJSON *goal_new(const struct window *w, const struct soak_rule *rule, bool *met,
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
	cJSON_AddItemToObjectCS(goal, "met", checked(cJSON_CreateBool(*met)));
	cJSON *per_kpi = soak_get(values, soak_rule_kpis[rule->kpi].name);
	if (!per_kpi)
		cJSON_AddItemToObjectCS(values, soak_rule_kpis[rule->kpi].name,
				      per_kpi = checked(cJSON_CreateObject()));
	if (!soak_get(per_kpi, soak_stat_names[rule->stat]))
		cJSON_AddItemToObjectCS(per_kpi, soak_stat_names[rule->stat],
				      known ? soak_num(value) : checked(cJSON_CreateNull()));
	return goal;
}

/* gate.window: {size, count, complete, values, goals, status}. */
static cJSON *judge_window(const struct soak_thresholds *th, const struct window *w,
			   enum soak_level *status)
{
	cJSON *obj = checked(cJSON_CreateObject());
	cJSON *values = checked(cJSON_CreateObject()), *goals = checked(cJSON_CreateArray());
	*status = SOAK_LEVEL_PASS;
	cJSON_AddItemToObjectCS(obj, "size", soak_num((double)th->window_size));
	cJSON_AddItemToObjectCS(obj, "count", soak_num((double)w->count));
	cJSON_AddItemToObjectCS(obj, "complete", checked(cJSON_CreateBool(w->count == th->window_size)));
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

/* next = the newest (size - 1) entries of base, then the current point. */
static void extend_window(const struct window *base, const struct soak_kpi_point *current,
			  long size, struct window *next)
{
	long keep = base->count < size - 1 ? base->count : size - 1;
	memcpy(next->entry, base->entry + (base->count - keep), (size_t)keep * sizeof *next->entry);
	next->entry[keep] = *current;
	next->count = keep + 1;
}

static cJSON *history_json(const struct window *w)
{
	cJSON *state_gate = checked(cJSON_CreateObject());
	cJSON *history = checked(cJSON_CreateArray());
	for (long i = 0; i < w->count; i++)
		cJSON_AddItemToArray(history, soak_history_entry_new(&w->entry[i]));
	cJSON_AddItemToObjectCS(state_gate, "history", history);
	return state_gate;
}

static struct soak_kpi_point current_point(const struct reading *r, enum soak_level status)
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
/* One record                                                          */

/*
 * Judge rec.  Nothing is changed when it is invalid (false, err).  The
 * history continues the one written for the previous record of this
 * stream when rec's iteration follows it; otherwise (first record, a gap,
 * a new run) it is the record's own state.gate.history.
 */
static bool judge_record(const cJSON *rec, struct gate_context *g, struct judgement *j,
			 char *err)
{
	struct reading r;
	enum soak_level window_status;
	if (!read_record(rec, g, &r, err))
		return false;
	const struct window *base = g->have_carry && g->carry_iteration == r.iteration - 1
				    ? &g->carry : &g->scratch;
	cJSON *reasons = checked(cJSON_CreateArray()), *downgraded = checked(cJSON_CreateArray());
	j->iteration = r.iteration;
	j->status = judge_iteration(&g->th, &r, reasons, downgraded);
	j->downgraded = cJSON_GetArraySize(downgraded) > 0;
	struct soak_kpi_point point = current_point(&r, j->status);
	extend_window(base, &point, g->th.window_size, &g->next);
	j->gate = checked(cJSON_CreateObject());
	add_string(j->gate, "status", soak_level_names[j->status]);
	add_string(j->gate, "mode", r.warn_mode ? "WARN" : "NORMAL");
	add_string(j->gate, "thresholds", g->th.name);
	cJSON_AddItemToObjectCS(j->gate, "reasons", reasons);
	cJSON_AddItemToObjectCS(j->gate, "downgraded", downgraded);
	cJSON_AddItemToObjectCS(j->gate, "window", judge_window(&g->th, &g->next, &window_status));
	j->state_gate = history_json(&g->next);
	g->carry.count = g->next.count;
	memcpy(g->carry.entry, g->next.entry, (size_t)g->next.count * sizeof *g->next.entry);
	g->carry_iteration = r.iteration;
	g->have_carry = true;
	return true;
}

static void write_judged(struct soak_stream *s, cJSON *rec, struct judgement *j)
{
	cJSON *state = soak_get(rec, "state");
	soak_set(rec, "gate", j->gate);
	if (!state)
		cJSON_AddItemToObjectCS(rec, "state", state = checked(cJSON_CreateObject()));
	soak_set(state, "gate", j->state_gate);
	soak_stream_write(s, rec);
}

/* ------------------------------------------------------------------ */
/* --summary                                                           */

struct summary {
	long iterations, first_iteration, last_iteration, downgraded;
	long counts[3];
	cJSON *first_fail;       /* {"iteration", "reasons"} of the first FAIL */
	cJSON *last_window;      /* gate.window of the last record */
};

static void summary_add(struct summary *sum, struct judgement *j)
{
	long iteration = j->iteration;
	if (sum->iterations++ == 0)
		sum->first_iteration = iteration;
	sum->last_iteration = iteration;
	sum->counts[j->status]++;
	sum->downgraded += j->downgraded;
	if (j->status == SOAK_LEVEL_FAIL && !sum->first_fail) {
		sum->first_fail = checked(cJSON_CreateObject());
		cJSON_AddItemToObjectCS(sum->first_fail, "iteration", soak_num((double)iteration));
		cJSON_AddItemToObjectCS(sum->first_fail, "reasons",
				      cJSON_DetachItemFromObjectCaseSensitive(j->gate, "reasons"));
	}
	cJSON_Delete(sum->last_window);
	sum->last_window = cJSON_DetachItemFromObjectCaseSensitive(j->gate, "window");
	cJSON_Delete(j->gate);
	cJSON_Delete(j->state_gate);
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
	cJSON *o = checked(cJSON_CreateObject());
	add_string(o, "level", soak_level_names[level]);
	add_string(o, "text", text);
	cJSON_AddItemToArray(reasons, o);
	if (level > *status)
		*status = level;
}

/* Reasons of the verdict, in the order kpi-gate(1) documents; returns its status. */
static enum soak_level summary_reasons(const struct summary *sum, long window_size, long skipped,
				  cJSON *reasons)
{
	enum soak_level status = SOAK_LEVEL_PASS;
	if (sum->iterations == 0)
		summary_reason(reasons, SOAK_LEVEL_FAIL, &status, "no records: nothing to judge");
	if (sum->counts[SOAK_LEVEL_FAIL])
		summary_reason(reasons, SOAK_LEVEL_FAIL, &status, "%ld of %ld iterations FAIL, the first "
			       "at iteration %ld", sum->counts[SOAK_LEVEL_FAIL], sum->iterations,
			       (long)soak_get(sum->first_fail, "iteration")->valuedouble);
	if (sum->last_window) {
		long count = (long)soak_get(sum->last_window, "count")->valuedouble;
		if (count < window_size)
			summary_reason(reasons, SOAK_LEVEL_FAIL, &status, "window incomplete: %ld of %ld "
				       "iterations", count, window_size);
		const cJSON *goals = soak_get(sum->last_window, "goals");
		for (const cJSON *goal = goals->child; goal; goal = goal->next)
			if (cJSON_IsFalse(soak_get(goal, "met")))
				summary_reason(reasons, (enum soak_level)soak_level_named(
						       soak_get(goal, "level")->valuestring),
					       &status, "window: %s", soak_get(goal, "text")->valuestring);
	}
	if (sum->counts[SOAK_LEVEL_WARN])
		summary_reason(reasons, SOAK_LEVEL_WARN, &status, "%ld of %ld iterations WARN "
			       "(%ld downgraded from FAIL)", sum->counts[SOAK_LEVEL_WARN],
			       sum->iterations, sum->downgraded);
	if (skipped)
		summary_reason(reasons, SOAK_LEVEL_WARN, &status, "%ld bad line%s skipped", skipped,
			       skipped == 1 ? "" : "s");
	return status;
}

static cJSON *summary_verdict(struct summary *sum, const struct soak_thresholds *th, long skipped,
			      enum soak_level *status)
{
	cJSON *v = checked(cJSON_CreateObject()), *reasons = checked(cJSON_CreateArray());
	cJSON *counts = checked(cJSON_CreateObject());
	*status = summary_reasons(sum, th->window_size, skipped, reasons);
	add_string(v, "status", soak_level_names[*status]);
	add_string(v, "thresholds", th->name);
	cJSON_AddItemToObjectCS(v, "iterations", soak_num((double)sum->iterations));
	cJSON_AddItemToObjectCS(v, "first_iteration", sum->iterations
			      ? soak_num((double)sum->first_iteration) : checked(cJSON_CreateNull()));
	cJSON_AddItemToObjectCS(v, "last_iteration", sum->iterations
			      ? soak_num((double)sum->last_iteration) : checked(cJSON_CreateNull()));
	for (int l = SOAK_LEVEL_PASS; l <= SOAK_LEVEL_FAIL; l++)
		cJSON_AddItemToObjectCS(counts, soak_level_names[l], soak_num((double)sum->counts[l]));
	cJSON_AddItemToObjectCS(v, "counts", counts);
	cJSON_AddItemToObjectCS(v, "downgraded", soak_num((double)sum->downgraded));
	cJSON_AddItemToObjectCS(v, "skipped", soak_num((double)skipped));
	cJSON_AddItemToObjectCS(v, "first_fail", sum->first_fail ? sum->first_fail
			      : checked(cJSON_CreateNull()));
	cJSON_AddItemToObjectCS(v, "window", sum->last_window ? sum->last_window
			      : checked(cJSON_CreateNull()));
	cJSON_AddItemToObjectCS(v, "reasons", reasons);
	return v;
}

/* ------------------------------------------------------------------ */
/* main                                                                */

struct options {
	const char *thresholds;
	long window;       /* 0: the file's */
	bool summary;
	const char *format_option;      /* "--format" or "--text" when given */
	enum soak_verdict_format format; /* of the --summary verdict */
	bool fail_on_given;
	enum soak_fail_on fail_on;
};

static int parse_mode(const char *arg)
{
	if (strcasecmp(arg, "warn") == 0)
		return 1;
	if (strcasecmp(arg, "normal") == 0)
		return 0;
	soak_usage_error("option '--mode': '%s' is not warn or normal", arg);
}

/* Load --thresholds (a usage error, exit 2, when it is not valid) and
 * what to read of each summary: the history KPIs and those rules name. */
static void load_thresholds(const char *arg, struct gate_context *g)
{
	soak_thresholds_load(arg, SOAK_WORDING_GATE, &g->th);
	for (int k = 0; k < SOAK_RULE_KPI_COUNT; k++)
		g->wanted[k] = k < SOAK_KPI_COUNT;
	for (int i = 0; i < g->th.n_iteration; i++)
		g->wanted[g->th.iteration[i].kpi] = true;
}

static void parse_format(const char *arg, struct options *o)
{
	if (!soak_verdict_format_parse(arg, &o->format))
		soak_usage_error("option '--format': '%s' is not json, text, junit, github or markdown",
				 arg);
	o->format_option = "--format";
}

static void parse_fail_on(const char *arg, struct options *o)
{
	if (!soak_fail_on_parse(arg, &o->fail_on))
		soak_usage_error("option '--fail-on': '%s' is not fail or warn", arg);
	o->fail_on_given = true;
}

static void parse_options(int argc, char **argv, struct soak_stream *s, struct options *o,
			  struct gate_context *g)
{
	static const struct option longopts[] = {
		{"thresholds", required_argument, NULL, 't'},
		{"mode", required_argument, NULL, 'm'},
		{"window", required_argument, NULL, 'w'},
		{"summary", no_argument, NULL, 's'},
		{"text", no_argument, NULL, 'T'},
		{"format", required_argument, NULL, 'f'},
		{"fail-on", required_argument, NULL, 'F'},
		SOAK_STREAM_LONGOPTS,
		SOAK_LIST_PRESETS_LONGOPT,
		SOAK_HELP_VERSION_LONGOPTS
	};
	int opt;
	while ((opt = soak_getopt_long(argc, argv, "t:w:f:hV", longopts)) != -1) {
		if (soak_stream_option(s, opt, optarg))
			continue;
		switch (opt) {
		case 't': o->thresholds = optarg; break;
		case 'm': g->forced_mode = parse_mode(optarg); break;
		case 'w': o->window = soak_arg_long("--window", optarg, 1, SOAK_MAX_WINDOW); break;
		case 's': o->summary = true; break;
		case 'T': o->format = SOAK_VERDICT_TEXT; o->format_option = "--text"; break;
		case 'f': parse_format(optarg, o); break;
		case 'F': parse_fail_on(optarg, o); break;
		default: soak_standard_option(opt, help_text);
		}
	}
	if (optind < argc)
		soak_usage_error("unexpected argument '%s'", argv[optind]);
	if (o->format_option && !o->summary)
		soak_usage_error("option '%s' needs --summary", o->format_option);
	if (o->fail_on_given && !o->summary)
		soak_usage_error("option '--fail-on' needs --summary");
}

int main(int argc, char **argv)
{
	static struct gate_context g;
	struct soak_stream s;
	struct options o = {"kpi_thresholds_v1", 0, false, NULL, SOAK_VERDICT_JSON, false,
			    SOAK_FAIL_ON_FAIL};
	struct summary sum = {0};
	soak_cli_init(argv[0]);
	soak_stream_init(&s);
	g.forced_mode = -1;
	parse_options(argc, argv, &s, &o, &g);
	load_thresholds(o.thresholds, &g);
	if (!o.summary) /* --summary keeps cJSON of earlier records (first_fail) */
		soak_stream_use_arena(&s);
	if (o.window)
		g.th.window_size = o.window;
	cJSON *iterations = o.summary && soak_verdict_format_wants_iterations(o.format)
			    ? checked(cJSON_CreateArray()) : NULL, *rec;
	while ((rec = soak_stream_next(&s))) {
		char err[SOAK_ERR_MAX];
		struct judgement j;
		if (!judge_record(rec, &g, &j, err))
			soak_stream_reject(&s, "%s", err);
		else if (o.summary) {
			if (iterations)
				cJSON_AddItemToArray(iterations,
						     soak_verdict_iteration_new(j.iteration, j.gate));
			summary_add(&sum, &j);
		}
		else
			write_judged(&s, rec, &j);
		cJSON_Delete(rec);
	}
	if (!o.summary)
		return soak_stream_finish(&s);
	enum soak_level status;
	cJSON *verdict = summary_verdict(&sum, &g.th, s.skipped, &status);
	soak_verdict_write(&s, o.format, o.fail_on, verdict, iterations); /* errors: finish */
	cJSON_Delete(verdict);
	cJSON_Delete(iterations);
	int rc = soak_stream_finish(&s);
	return rc != SOAK_EXIT_OK ? rc : soak_verdict_exit(soak_level_names[status], o.fail_on);
}
