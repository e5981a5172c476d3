/* kpi-gate - judge each iteration's KPIs and the last-N window. */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "history.h"
#include "preset.h"
#include "record.h"

static const char help_text[] =
"Usage: kpi-gate [OPTION]...\n"
"Judge each record's KPIs (summary) against a thresholds file, add the\n"
"verdict as 'gate' and carry the last-N window in state.gate (JSON lines,\n"
"stdin to stdout).\n"
"\n"
"  -t, --thresholds=NAME|FILE  thresholds file (default kpi_thresholds_v1)\n"
"  -m, --mode=warn|normal      gate mode for every record (default: the\n"
"                              record's phase.gate_mode, else normal)\n"
"  -w, --window=N              window size, 1 to 1000 (default: the file's)\n"
"  -s, --summary               read the whole log, print one verdict object\n"
"                              and exit 1 when it is FAIL\n"
"      --text                  with --summary: the verdict as lines of text\n"
"                              for a person instead of JSON\n"
SOAK_STREAM_HELP
"  -h, --help                  show this help and exit\n"
"  -V, --version               show the version and exit\n"
"\n"
"An iteration is PASS when every rule holds, else the worst level of the\n"
"rules it breaks; a missing KPI is FAIL.  In WARN mode a FAIL becomes WARN\n"
"and is listed in gate.downgraded.  See kpi-gate(1), soak-thresholds(5).\n";

#define MAX_RULES 64
#define MAX_WINDOW 1000
#define TEXT_MAX 256
#define SUBJECT_MAX 64

enum level { LEVEL_PASS, LEVEL_WARN, LEVEL_FAIL };
static const char *const level_names[] = {"PASS", "WARN", "FAIL"};

enum cmp { CMP_GE, CMP_GT, CMP_LE, CMP_LT, CMP_COUNT };
static const char *const cmp_names[] = {">=", ">", "<=", "<"};
static const char *const cmp_negations[] = {"<", "<=", ">", ">="};

enum stat { STAT_MEAN, STAT_MEDIAN, STAT_MIN, STAT_MAX, STAT_COUNT };
static const char *const stat_names[] = {"mean", "median", "min", "max"};

/* KPIs a rule may name: summary fields and the range a sane value has.
 * The first SOAK_KPI_COUNT are the history KPIs, in enum soak_kpi order;
 * only they can appear in window rules. */
struct kpi_def {
	const char *name;
	double min, max;
};

static const struct kpi_def kpi_defs[] = {
	{"maker_taker_ratio", 0, 1},
	{"net_bps", -INFINITY, INFINITY},
	{"p95_latency_ms", 0, INFINITY},
	{"risk_ratio", 0, INFINITY},
	{"gross_bps", -INFINITY, INFINITY},
	{"fees_eff_bps", -INFINITY, INFINITY},
	{"adverse_bps", -INFINITY, INFINITY},
	{"slippage_bps", -INFINITY, INFINITY},
	{"inventory_bps", -INFINITY, INFINITY},
	{"adverse_bps_p95", -INFINITY, INFINITY},
	{"slippage_bps_p95", -INFINITY, INFINITY},
	{"order_age_p95_ms", 0, INFINITY},
	{"cancel_ratio", 0, 1},
};
#define N_KPIS ((int)(sizeof kpi_defs / sizeof kpi_defs[0]))

struct rule {
	int kpi;              /* index into kpi_defs */
	enum stat stat;       /* window rules only */
	enum cmp cmp;
	double threshold;
	enum level level;     /* WARN or FAIL */
};

struct thresholds {
	char name[256];
	struct rule iteration[MAX_RULES];
	int n_iteration;
	struct rule window[MAX_RULES];
	int n_window;
	long window_size;
	bool wanted[N_KPIS];  /* read from summary: rule KPIs and history KPIs */
};

/* The KPI history, oldest first. */
struct window {
	long count;
	struct soak_kpi_point entry[MAX_WINDOW];
};

/* One record's reading: its KPIs and how to judge them. */
struct reading {
	long iteration;
	bool warn_mode;
	double value[N_KPIS];
	bool present[N_KPIS];
};

/* Everything kpi-gate keeps between records (constant size). */
struct gate_context {
	struct thresholds th;
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
	enum level status;
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

static int lookup(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

static int kpi_by_name(const char *name)
{
	for (int k = 0; k < N_KPIS; k++)
		if (strcmp(kpi_defs[k].name, name) == 0)
			return k;
	return -1;
}

static bool rule_holds(const struct rule *r, double v)
{
	switch (r->cmp) {
	case CMP_GE: return v >= r->threshold;
	case CMP_GT: return v > r->threshold;
	case CMP_LE: return v <= r->threshold;
	default: return v < r->threshold;
	}
}

static bool is_lower_bound(enum cmp c)
{
	return c == CMP_GE || c == CMP_GT;
}

/* "net_bps" or "net_bps mean" */
static void rule_subject(const struct rule *r, bool window_rule, char *buf)
{
	if (window_rule)
		snprintf(buf, SUBJECT_MAX, "%s %s", kpi_defs[r->kpi].name, stat_names[r->stat]);
	else
		snprintf(buf, SUBJECT_MAX, "%s", kpi_defs[r->kpi].name);
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
/* The thresholds file (format in soak-thresholds(5))                  */

static bool only_members(const cJSON *obj, const char *const *allowed, const char *where,
			 char *err)
{
	for (const cJSON *c = obj->child; c; c = c->next) {
		bool known = false;
		for (const char *const *a = allowed; *a; a++)
			known = known || strcmp(c->string, *a) == 0;
		if (!known)
			return soak_errorf(err, "unknown field '%s' in '%s'", c->string, where);
	}
	return true;
}

static bool read_choice(const cJSON *obj, const char *key, const char *where,
			const char *const *names, int n, const char *choices, int *out, char *err)
{
	const cJSON *v = soak_get(obj, key);
	if (!cJSON_IsString(v))
		return soak_errorf(err, "'%s.%s' is missing or not a string", where, key);
	*out = lookup(v->valuestring, names, n);
	if (*out < 0)
		return soak_errorf(err, "'%s.%s' is '%s', not one of %s", where, key,
				   v->valuestring, choices);
	return true;
}

static bool read_rule_kpi(const cJSON *item, const char *where, bool window_rule,
			  struct rule *r, char *err)
{
	const cJSON *kpi = soak_get(item, "kpi");
	if (!cJSON_IsString(kpi))
		return soak_errorf(err, "'%s.kpi' is missing or not a string", where);
	r->kpi = kpi_by_name(kpi->valuestring);
	if (r->kpi < 0 || (window_rule && r->kpi >= SOAK_KPI_COUNT))
		return soak_errorf(err, "'%s.kpi' is '%s', not a KPI %s", where, kpi->valuestring,
				   window_rule ? "of the window (maker_taker_ratio, net_bps, "
						 "p95_latency_ms, risk_ratio)"
					       : "kpi-gate knows (see soak-thresholds(5))");
	return true;
}

static bool read_rule_threshold(const cJSON *item, const char *where, struct rule *r,
				char *err)
{
	const cJSON *t = soak_get(item, "threshold");
	if (!cJSON_IsNumber(t) || !isfinite(t->valuedouble))
		return soak_errorf(err, "'%s.threshold' is missing or not a finite number", where);
	const struct kpi_def *d = &kpi_defs[r->kpi];
	if (t->valuedouble < d->min || t->valuedouble > d->max)
		return soak_errorf(err, "'%s.threshold' = %s is outside the range of '%s' [%g, %g]",
				   where, t->valuestring, d->name, d->min, d->max);
	r->threshold = t->valuedouble;
	return true;
}

static bool read_rule(const cJSON *item, const char *where, bool window_rule,
		      struct rule *r, char *err)
{
	static const char *const iteration_members[] = {"kpi", "op", "threshold", "level",
							"note", NULL};
	static const char *const window_members[] = {"kpi", "stat", "op", "threshold", "level",
						     "note", NULL};
	static const char *const levels[] = {"WARN", "FAIL"};
	int cmp, level, stat = STAT_MEAN;
	if (!cJSON_IsObject(item))
		return soak_errorf(err, "'%s' is not an object", where);
	if (!only_members(item, window_rule ? window_members : iteration_members, where, err) ||
	    !read_rule_kpi(item, where, window_rule, r, err) ||
	    !read_choice(item, "op", where, cmp_names, CMP_COUNT, ">=, >, <=, <", &cmp, err) ||
	    !read_rule_threshold(item, where, r, err) ||
	    !read_choice(item, "level", where, levels, 2, "WARN, FAIL", &level, err) ||
	    (window_rule && !read_choice(item, "stat", where, stat_names, STAT_COUNT,
					 "mean, median, min, max", &stat, err)))
		return false;
	const cJSON *note = soak_get(item, "note");
	if (note && !cJSON_IsString(note))
		return soak_errorf(err, "'%s.note' is not a string", where);
	r->cmp = (enum cmp)cmp;
	r->level = level == 0 ? LEVEL_WARN : LEVEL_FAIL;
	r->stat = (enum stat)stat;
	return true;
}

/* Two rules on the same KPI (and stat) that say the same thing, or a WARN
 * rule that can never fire because the FAIL rule in its direction is
 * stricter, are errors: the file would not mean what its author thinks. */
static bool check_rule_pair(const struct rule *a, const struct rule *b, const char *list,
			    int ia, int ib, char *err)
{
	if (a->kpi != b->kpi || a->stat != b->stat)
		return true;
	if (a->cmp == b->cmp && a->level == b->level)
		return soak_errorf(err, "'%s[%d]' repeats the %s and level of '%s[%d]'",
				   list, ib, cmp_names[b->cmp], list, ia);
	if (a->level == b->level || is_lower_bound(a->cmp) != is_lower_bound(b->cmp))
		return true;
	const struct rule *warn = a->level == LEVEL_WARN ? a : b;
	const struct rule *fail = a->level == LEVEL_FAIL ? a : b;
	bool dead = is_lower_bound(warn->cmp) ? warn->threshold < fail->threshold
					      : warn->threshold > fail->threshold;
	if (dead)
		return soak_errorf(err, "'%s[%d]' and '%s[%d]': the WARN threshold of '%s' is looser "
				   "than its FAIL threshold, so it could never fire",
				   list, ia, list, ib, kpi_defs[a->kpi].name);
	return true;
}

static bool read_rules(const cJSON *array, const char *list, bool window_rule,
		       struct rule *rules, int *n, char *err)
{
	if (!cJSON_IsArray(array))
		return soak_errorf(err, "'%s' is missing or not an array", list);
	*n = 0;
	for (const cJSON *item = array->child; item; item = item->next) {
		char where[64];
		if (*n == MAX_RULES)
			return soak_errorf(err, "'%s' has more than %d rules", list, MAX_RULES);
		snprintf(where, sizeof where, "%s[%d]", list, *n);
		if (!read_rule(item, where, window_rule, &rules[*n], err))
			return false;
		for (int i = 0; i < *n; i++)
			if (!check_rule_pair(&rules[i], &rules[*n], list, i, *n, err))
				return false;
		(*n)++;
	}
	return true;
}

static bool read_window_section(const cJSON *window, struct thresholds *th, char *err)
{
	static const char *const members[] = {"size", "rules", "note", NULL};
	if (!cJSON_IsObject(window))
		return soak_errorf(err, "'window' is missing or not an object");
	if (!only_members(window, members, "window", err))
		return false;
	const cJSON *size = soak_get(window, "size");
	if (!cJSON_IsNumber(size) || size->valuedouble != floor(size->valuedouble) ||
	    size->valuedouble < 1 || size->valuedouble > MAX_WINDOW)
		return soak_errorf(err, "'window.size' is missing or not a whole number from 1 to %d",
				   MAX_WINDOW);
	th->window_size = (long)size->valuedouble;
	return read_rules(soak_get(window, "rules"), "window.rules", true, th->window,
			  &th->n_window, err);
}

static bool read_thresholds(const cJSON *root, struct thresholds *th, char *err)
{
	static const char *const members[] = {"description", "version", "iteration", "window",
					      NULL};
	if (!only_members(root, members, "the file", err))
		return false;
	for (const char *const *key = members; key < members + 2; key++) {
		const cJSON *v = soak_get(root, *key);
		if (v && !cJSON_IsString(v))
			return soak_errorf(err, "'%s' is not a string", *key);
	}
	if (!read_rules(soak_get(root, "iteration"), "iteration", false, th->iteration,
			&th->n_iteration, err) ||
	    !read_window_section(soak_get(root, "window"), th, err))
		return false;
	if (th->n_iteration + th->n_window == 0)
		return soak_errorf(err, "no rules: a gate without rules would pass anything");
	return true;
}


/* Load --thresholds (a usage error, exit 2, when it is not valid). */
static void load_thresholds(const char *arg, struct thresholds *th)
{
	char path[4096], err[SOAK_ERR_MAX], why[SOAK_ERR_MAX];
	if (!soak_find_data_file(arg, path, sizeof path, err))
		soak_die(SOAK_EXIT_USAGE, "thresholds %s", err);
	cJSON *root = soak_load_json_file(path, err);
	if (!root)
		soak_die(SOAK_EXIT_USAGE, "thresholds %s", err);
	bool ok = read_thresholds(root, th, why);
	cJSON_Delete(root);
	if (!ok)
		soak_die(SOAK_EXIT_USAGE, "thresholds '%s': %s", path, why);
	soak_data_file_name(path, th->name, sizeof th->name);
	for (int k = 0; k < N_KPIS; k++)
		th->wanted[k] = k < SOAK_KPI_COUNT;
	for (int i = 0; i < th->n_iteration; i++)
		th->wanted[th->iteration[i].kpi] = true;
}

/* ------------------------------------------------------------------ */
/* Reading a record                                                    */

static bool read_kpis(const cJSON *summary, const struct thresholds *th, struct reading *r,
		      char *err)
{
	for (int k = 0; k < N_KPIS; k++) {
		const struct kpi_def *d = &kpi_defs[k];
		const cJSON *v = soak_get(summary, d->name);
		char path[64];
		r->present[k] = false;
		if (!th->wanted[k] || !v || cJSON_IsNull(v))
			continue;
		snprintf(path, sizeof path, "summary.%s", d->name);
		if (!soak_get_number(summary, d->name, path, &r->value[k], err))
			return false;
		if (r->value[k] < d->min || r->value[k] > d->max)
			return soak_errorf(err, "'%s' = %s is out of range [%g, %g]", path,
					   v->valuestring ? v->valuestring : "?", d->min, d->max);
		r->present[k] = true;
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
	       read_kpis(summary, &g->th, r, err) &&
	       read_mode(rec, g->forced_mode, &r->warn_mode, err) &&
	       read_history(rec, r->iteration, g->th.window_size - 1, &g->scratch, err);
}

/* ------------------------------------------------------------------ */
/* Verdict objects                                                     */

/* {"kpi","stat"?,"value","op","threshold","by","level","text"} */
static cJSON *verdict_new(const struct rule *r, bool window_rule, bool known, double value,
			  enum level level, const char *text)
{
	cJSON *o = checked(cJSON_CreateObject());
	add_string(o, "kpi", kpi_defs[r->kpi].name);
	if (window_rule)
		add_string(o, "stat", stat_names[r->stat]);
	cJSON_AddItemToObjectCS(o, "value", known ? soak_num(value) : checked(cJSON_CreateNull()));
	add_string(o, "op", cmp_names[r->cmp]);
	cJSON_AddItemToObjectCS(o, "threshold", soak_num(r->threshold));
	cJSON_AddItemToObjectCS(o, "by", known ? soak_num(fabs(value - r->threshold))
					   : checked(cJSON_CreateNull()));
	add_string(o, "level", level_names[level]);
	add_string(o, "text", text);
	return o;
}

/* "net_bps 1.7 < 2 (FAIL) by 0.3"; note replaces the level in parentheses. */
static void broken_text(const struct rule *r, bool window_rule, double value,
			const char *note, char *text)
{
	char subject[SUBJECT_MAX], v[32], t[32], by[32];
	rule_subject(r, window_rule, subject);
	snprintf(text, TEXT_MAX, "%s %s %s %s (%s) by %s", subject, number_text(value, v),
		 cmp_negations[r->cmp], number_text(r->threshold, t), note,
		 number_text(fabs(value - r->threshold), by));
}

static void missing_text(const struct rule *r, const char *note, char *text)
{
	char t[32];
	snprintf(text, TEXT_MAX, "%s missing (%s): needs %s %s", kpi_defs[r->kpi].name, note,
		 cmp_names[r->cmp], number_text(r->threshold, t));
}

/* ------------------------------------------------------------------ */
/* Judging one iteration                                               */

/* Per KPI, the worst level among the rules the reading breaks. */
static void worst_levels(const struct thresholds *th, const struct reading *r,
			 enum level worst[N_KPIS])
{
	for (int k = 0; k < N_KPIS; k++)
		worst[k] = LEVEL_PASS;
	for (int i = 0; i < th->n_iteration; i++) {
		const struct rule *rule = &th->iteration[i];
		enum level broken = !r->present[rule->kpi] ? LEVEL_FAIL
				  : rule_holds(rule, r->value[rule->kpi]) ? LEVEL_PASS
				  : rule->level;
		if (broken > worst[rule->kpi])
			worst[rule->kpi] = broken;
	}
}

/* The rule a missing KPI's reason quotes: its first FAIL rule, else its first. */
static const struct rule *quoted_rule(const struct thresholds *th, int kpi)
{
	const struct rule *first = NULL;
	for (int i = 0; i < th->n_iteration; i++) {
		const struct rule *rule = &th->iteration[i];
		if (rule->kpi != kpi)
			continue;
		if (rule->level == LEVEL_FAIL)
			return rule;
		if (!first)
			first = rule;
	}
	return first;
}

static void reason_text(const struct rule *rule, bool known, double value, const char *note,
			char *text)
{
	if (known)
		broken_text(rule, false, value, note, text);
	else
		missing_text(rule, note, text);
}

/* One reason.  In WARN mode a FAIL goes to downgraded as it was and to
 * reasons as a WARN. */
static void add_reason(const struct rule *rule, const struct reading *r, cJSON *reasons,
		       cJSON *downgraded, enum level *status)
{
	bool known = r->present[rule->kpi];
	enum level level = known ? rule->level : LEVEL_FAIL;
	double value = r->value[rule->kpi];
	char text[TEXT_MAX];
	reason_text(rule, known, value, level_names[level], text);
	if (r->warn_mode && level == LEVEL_FAIL) {
		cJSON_AddItemToArray(downgraded, verdict_new(rule, false, known, value, level, text));
		reason_text(rule, known, value, "FAIL, downgraded to WARN", text);
		level = LEVEL_WARN;
	}
	cJSON_AddItemToArray(reasons, verdict_new(rule, false, known, value, level, text));
	if (level > *status)
		*status = level;
}

/* Status, reasons and downgraded of one iteration.  For each KPI only the
 * rules broken at its worst level are listed (net_bps 1.7 breaks the FAIL
 * rule >= 2 and the WARN rule >= 2.8: only the FAIL is a reason); a
 * missing KPI gives one reason, at FAIL. */
static enum level judge_iteration(const struct thresholds *th, const struct reading *r,
				  cJSON *reasons, cJSON *downgraded)
{
	enum level worst[N_KPIS], status = LEVEL_PASS;
	worst_levels(th, r, worst);
	for (int i = 0; i < th->n_iteration; i++) {
		const struct rule *rule = &th->iteration[i];
		int k = rule->kpi;
		if (!r->present[k]) {
			if (rule == quoted_rule(th, k))
				add_reason(rule, r, reasons, downgraded, &status);
		} else if (!rule_holds(rule, r->value[k]) && rule->level == worst[k]) {
			add_reason(rule, r, reasons, downgraded, &status);
		}
	}
	return status;
}

/* ------------------------------------------------------------------ */
/* The window                                                          */

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double window_stat(enum stat stat, double *values, long n)
{
	double result = values[0];
	if (stat == STAT_MEDIAN) {
		qsort(values, (size_t)n, sizeof *values, compare_doubles);
		return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
	}
	for (long i = 1; i < n; i++) {
		if (stat == STAT_MEAN)
			result += values[i];
		else if (stat == STAT_MIN ? values[i] < result : values[i] > result)
			result = values[i];
	}
	return stat == STAT_MEAN ? result / (double)n : result;
}

/* The rule's statistic over the window; false when `missing` entries lack the KPI. */
static bool window_value(const struct window *w, const struct rule *rule, double *value,
			 long *missing)
{
	static double values[MAX_WINDOW];
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
	*value = window_stat(rule->stat, values, n);
	return true;
}

static cJSON *goal_new(const struct window *w, const struct rule *rule, bool *met,
		       cJSON *values)
{
	double value = 0;
	long missing;
	char text[TEXT_MAX], subject[SUBJECT_MAX], v[32], t[32];
	bool known = window_value(w, rule, &value, &missing);
	*met = known && rule_holds(rule, value);
	rule_subject(rule, true, subject);
	if (!known)
		snprintf(text, TEXT_MAX, "%s unknown: %ld of %ld values missing (%s)", subject,
			 missing, w->count, level_names[rule->level]);
	else if (*met)
		snprintf(text, TEXT_MAX, "%s %s %s %s (met)", subject, number_text(value, v),
			 cmp_names[rule->cmp], number_text(rule->threshold, t));
	else
		broken_text(rule, true, value, level_names[rule->level], text);
	cJSON *goal = verdict_new(rule, true, known, value, rule->level, text);
	cJSON_AddItemToObjectCS(goal, "missing", soak_num((double)missing));
	cJSON_AddItemToObjectCS(goal, "met", checked(cJSON_CreateBool(*met)));
	cJSON *per_kpi = soak_get(values, kpi_defs[rule->kpi].name);
	if (!per_kpi)
		cJSON_AddItemToObjectCS(values, kpi_defs[rule->kpi].name,
				      per_kpi = checked(cJSON_CreateObject()));
	if (!soak_get(per_kpi, stat_names[rule->stat]))
		cJSON_AddItemToObjectCS(per_kpi, stat_names[rule->stat],
				      known ? soak_num(value) : checked(cJSON_CreateNull()));
	return goal;
}

/* gate.window: {size, count, complete, values, goals, status}. */
static cJSON *judge_window(const struct thresholds *th, const struct window *w,
			   enum level *status)
{
	cJSON *obj = checked(cJSON_CreateObject());
	cJSON *values = checked(cJSON_CreateObject()), *goals = checked(cJSON_CreateArray());
	*status = LEVEL_PASS;
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
	add_string(obj, "status", level_names[*status]);
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

static struct soak_kpi_point current_point(const struct reading *r, enum level status)
{
	struct soak_kpi_point p = {.iteration = r->iteration};
	snprintf(p.status, sizeof p.status, "%s", level_names[status]);
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
	enum level window_status;
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
	add_string(j->gate, "status", level_names[j->status]);
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
	if (j->status == LEVEL_FAIL && !sum->first_fail) {
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

static void summary_reason(cJSON *reasons, enum level level, enum level *status,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void summary_reason(cJSON *reasons, enum level level, enum level *status,
			   const char *fmt, ...)
{
	char text[TEXT_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	cJSON *o = checked(cJSON_CreateObject());
	add_string(o, "level", level_names[level]);
	add_string(o, "text", text);
	cJSON_AddItemToArray(reasons, o);
	if (level > *status)
		*status = level;
}

/* Reasons of the verdict, in the order kpi-gate(1) documents; returns its status. */
static enum level summary_reasons(const struct summary *sum, long window_size, long skipped,
				  cJSON *reasons)
{
	enum level status = LEVEL_PASS;
	if (sum->iterations == 0)
		summary_reason(reasons, LEVEL_FAIL, &status, "no records: nothing to judge");
	if (sum->counts[LEVEL_FAIL])
		summary_reason(reasons, LEVEL_FAIL, &status, "%ld of %ld iterations FAIL, the first "
			       "at iteration %ld", sum->counts[LEVEL_FAIL], sum->iterations,
			       (long)soak_get(sum->first_fail, "iteration")->valuedouble);
	if (sum->last_window) {
		long count = (long)soak_get(sum->last_window, "count")->valuedouble;
		if (count < window_size)
			summary_reason(reasons, LEVEL_FAIL, &status, "window incomplete: %ld of %ld "
				       "iterations", count, window_size);
		const cJSON *goals = soak_get(sum->last_window, "goals");
		for (const cJSON *goal = goals->child; goal; goal = goal->next)
			if (cJSON_IsFalse(soak_get(goal, "met")))
				summary_reason(reasons, (enum level)lookup(soak_get(goal, "level")
									   ->valuestring, level_names, 3),
					       &status, "window: %s", soak_get(goal, "text")->valuestring);
	}
	if (sum->counts[LEVEL_WARN])
		summary_reason(reasons, LEVEL_WARN, &status, "%ld of %ld iterations WARN "
			       "(%ld downgraded from FAIL)", sum->counts[LEVEL_WARN],
			       sum->iterations, sum->downgraded);
	if (skipped)
		summary_reason(reasons, LEVEL_WARN, &status, "%ld bad line%s skipped", skipped,
			       skipped == 1 ? "" : "s");
	return status;
}

static cJSON *summary_verdict(struct summary *sum, const struct thresholds *th, long skipped,
			      enum level *status)
{
	cJSON *v = checked(cJSON_CreateObject()), *reasons = checked(cJSON_CreateArray());
	cJSON *counts = checked(cJSON_CreateObject());
	*status = summary_reasons(sum, th->window_size, skipped, reasons);
	add_string(v, "status", level_names[*status]);
	add_string(v, "thresholds", th->name);
	cJSON_AddItemToObjectCS(v, "iterations", soak_num((double)sum->iterations));
	cJSON_AddItemToObjectCS(v, "first_iteration", sum->iterations
			      ? soak_num((double)sum->first_iteration) : checked(cJSON_CreateNull()));
	cJSON_AddItemToObjectCS(v, "last_iteration", sum->iterations
			      ? soak_num((double)sum->last_iteration) : checked(cJSON_CreateNull()));
	for (int l = LEVEL_PASS; l <= LEVEL_FAIL; l++)
		cJSON_AddItemToObjectCS(counts, level_names[l], soak_num((double)sum->counts[l]));
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
	bool text;         /* --text: the --summary verdict for a person */
};

static int parse_mode(const char *arg)
{
	if (strcasecmp(arg, "warn") == 0)
		return 1;
	if (strcasecmp(arg, "normal") == 0)
		return 0;
	soak_usage_error("option '--mode': '%s' is not warn or normal", arg);
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
		SOAK_STREAM_LONGOPTS,
		SOAK_HELP_VERSION_LONGOPTS
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "t:m:w:shV", longopts, NULL)) != -1) {
		if (soak_stream_option(s, opt, optarg))
			continue;
		switch (opt) {
		case 't': o->thresholds = optarg; break;
		case 'm': g->forced_mode = parse_mode(optarg); break;
		case 'w': o->window = soak_arg_long("--window", optarg, 1, MAX_WINDOW); break;
		case 's': o->summary = true; break;
		case 'T': o->text = true; break;
		default: soak_standard_option(opt, help_text);
		}
	}
	if (optind < argc)
		soak_usage_error("unexpected argument '%s'", argv[optind]);
	if (o->text && !o->summary)
		soak_usage_error("option '--text' needs --summary");
}

/* The "text" member of each object of an array, one indented line each. */
static void print_texts(FILE *out, const char *indent, const cJSON *array)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, array) {
		const cJSON *text = soak_get(item, "text");
		if (cJSON_IsString(text))
			fprintf(out, "%s%s\n", indent, text->valuestring);
	}
}

/* The verdict object as a person reads it. */
static void print_verdict_text(FILE *out, const cJSON *v, const struct summary *sum)
{
	fprintf(out, "verdict: %s (%s; %ld iterations: %ld PASS, %ld WARN, %ld FAIL)\n",
		soak_get(v, "status")->valuestring, soak_get(v, "thresholds")->valuestring,
		sum->iterations, sum->counts[LEVEL_PASS], sum->counts[LEVEL_WARN],
		sum->counts[LEVEL_FAIL]);
	print_texts(out, "  ", soak_get(v, "reasons"));
	const cJSON *window = soak_get(v, "window");
	if (cJSON_IsObject(window)) {
		const cJSON *status = soak_get(window, "status"), *count = soak_get(window, "count");
		fprintf(out, "  window of the last %g iterations: %s\n",
			cJSON_IsNumber(count) ? count->valuedouble : 0,
			cJSON_IsString(status) ? status->valuestring : "-");
		print_texts(out, "    ", soak_get(window, "goals"));
	}
	const cJSON *first_fail = soak_get(v, "first_fail");
	if (cJSON_IsObject(first_fail)) {
		fprintf(out, "  first FAIL, iteration %g:\n", soak_get(first_fail, "iteration")->valuedouble);
		print_texts(out, "    ", soak_get(first_fail, "reasons"));
	}
}

int main(int argc, char **argv)
{
	static struct gate_context g;
	struct soak_stream s;
	struct options o = {"kpi_thresholds_v1", 0, false, false};
	struct summary sum = {0};
	soak_cli_init(argv[0]);
	soak_stream_init(&s);
	g.forced_mode = -1;
	parse_options(argc, argv, &s, &o, &g);
	load_thresholds(o.thresholds, &g.th);
	if (!o.summary) /* --summary keeps cJSON of earlier records (first_fail) */
		soak_stream_use_arena(&s);
	if (o.window)
		g.th.window_size = o.window;
	cJSON *rec;
	while ((rec = soak_stream_next(&s))) {
		char err[SOAK_ERR_MAX];
		struct judgement j;
		if (!judge_record(rec, &g, &j, err))
			soak_stream_reject(&s, "%s", err);
		else if (o.summary)
			summary_add(&sum, &j);
		else
			write_judged(&s, rec, &j);
		cJSON_Delete(rec);
	}
	if (!o.summary)
		return soak_stream_finish(&s);
	enum level status;
	cJSON *verdict = summary_verdict(&sum, &g.th, s.skipped, &status);
	if (o.text) {
		print_verdict_text(s.out, verdict, &sum); /* write errors: soak_stream_finish */
	} else {
		soak_stream_write(&s, verdict);
	}
	cJSON_Delete(verdict);
	int rc = soak_stream_finish(&s);
	return rc != SOAK_EXIT_OK ? rc : status == LEVEL_FAIL ? SOAK_EXIT_FAIL : SOAK_EXIT_OK;
}
