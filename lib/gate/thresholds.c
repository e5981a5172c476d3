/* thresholds.c - the thresholds file (soak-thresholds(5)): KPIs, rules, loading, statistics. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "history.h"
#include "preset.h"
#include "record.h"
#include "thresholds.h"

const char *const soak_level_names[SOAK_LEVEL_COUNT] = {"PASS", "WARN", "FAIL"};
const char *const soak_cmp_names[SOAK_CMP_COUNT] = {">=", ">", "<=", "<"};
const char *const soak_cmp_negations[SOAK_CMP_COUNT] = {"<", "<=", ">", ">="};
const char *const soak_stat_names[SOAK_STAT_COUNT] = {"mean", "median", "min", "max"};

/* Sane ranges (soak-record(5)): a value outside is bad input, and inside
 * them no statistic over a window of SOAK_MAX_WINDOW values can overflow. */
#define BPS_LIMIT 1e6          /* 10,000% of notional */
#define MS_LIMIT 1e9           /* about 11.6 days */
#define RATIO_LIMIT 1e6

const struct soak_rule_kpi soak_rule_kpis[SOAK_RULE_KPI_COUNT] = {
	{"maker_taker_ratio", 0, 1},
	{"net_bps", -BPS_LIMIT, BPS_LIMIT},
	{"p95_latency_ms", 0, MS_LIMIT},
	{"risk_ratio", 0, RATIO_LIMIT},
	{"gross_bps", -BPS_LIMIT, BPS_LIMIT},
	{"fees_eff_bps", -BPS_LIMIT, BPS_LIMIT},
	{"adverse_bps", -BPS_LIMIT, BPS_LIMIT},
	{"slippage_bps", -BPS_LIMIT, BPS_LIMIT},
	{"inventory_bps", -BPS_LIMIT, BPS_LIMIT},
	{"adverse_bps_p95", -BPS_LIMIT, BPS_LIMIT},
	{"slippage_bps_p95", -BPS_LIMIT, BPS_LIMIT},
	{"order_age_p95_ms", 0, MS_LIMIT},
	{"cancel_ratio", 0, 1},
};

static int lookup(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

int soak_level_named(const char *name)
{
	return lookup(name, soak_level_names, SOAK_LEVEL_COUNT);
}

int soak_rule_kpi_named(const char *name)
{
	for (int k = 0; k < SOAK_RULE_KPI_COUNT; k++)
		if (strcmp(soak_rule_kpis[k].name, name) == 0)
			return k;
	return -1;
}

bool soak_rule_kpi_read(const cJSON *summary, int k, double *value, bool *present, char *err)
{
	const struct soak_rule_kpi *d = &soak_rule_kpis[k];
	const cJSON *v = soak_get(summary, d->name);
	char path[64];
	*present = false;
	if (!v || cJSON_IsNull(v))
		return true;
	snprintf(path, sizeof path, "summary.%s", d->name);
	if (!soak_get_number(summary, d->name, path, value, err))
		return false;
	if (*value < d->min || *value > d->max)
		return soak_errorf(err, "'%s' = %s is out of range [%g, %g]", path,
				   v->valuestring ? v->valuestring : "?", d->min, d->max);
	*present = true;
	return true;
}

bool soak_rule_holds(const struct soak_rule *r, double v)
{
	switch (r->cmp) {
	case SOAK_CMP_GE: return v >= r->threshold;
	case SOAK_CMP_GT: return v > r->threshold;
	case SOAK_CMP_LE: return v <= r->threshold;
	default: return v < r->threshold;
	}
}

bool soak_cmp_is_lower_bound(enum soak_cmp c)
{
	return c == SOAK_CMP_GE || c == SOAK_CMP_GT;
}

/* ------------------------------------------------------------------ */
/* Reading a rule                                                      */

static bool only_members(const cJSON *obj, const char *const *allowed, const char *where,
			 char *err)
{
	const char *unknown = soak_unknown_field(obj, allowed);
	size_t n = 0;
	char hint[160];
	while (allowed[n])
		n++;
	if (unknown)
		return soak_errorf(err, "unknown field '%s' in '%s'%s", unknown, where,
				   soak_did_you_mean(hint, sizeof hint, unknown, allowed, n));
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
			  struct soak_rule *r, char *err)
{
	const cJSON *kpi = soak_get(item, "kpi");
	if (!cJSON_IsString(kpi))
		return soak_errorf(err, "'%s.kpi' is missing or not a string", where);
	r->kpi = soak_rule_kpi_named(kpi->valuestring);
	const char *names[SOAK_RULE_KPI_COUNT];
	char hint[160];
	for (int k = 0; k < SOAK_RULE_KPI_COUNT; k++)
		names[k] = soak_rule_kpis[k].name;
	if (r->kpi < 0 || (window_rule && r->kpi >= SOAK_KPI_COUNT))
		return soak_errorf(err, "'%s.kpi' is '%s', not a KPI %s%s", where, kpi->valuestring,
				   window_rule ? "of the window (maker_taker_ratio, net_bps, "
						 "p95_latency_ms, risk_ratio)"
					       : "kpi-gate knows (see soak-thresholds(5))",
				   soak_did_you_mean(hint, sizeof hint, kpi->valuestring, names,
						     window_rule ? SOAK_KPI_COUNT : SOAK_RULE_KPI_COUNT));
	return true;
}

static bool read_rule_threshold(const cJSON *item, const char *where, struct soak_rule *r,
				char *err)
{
	const cJSON *t = soak_get(item, "threshold");
	if (!cJSON_IsNumber(t) || !isfinite(t->valuedouble))
		return soak_errorf(err, "'%s.threshold' is missing or not a finite number", where);
	const struct soak_rule_kpi *d = &soak_rule_kpis[r->kpi];
	if (t->valuedouble < d->min || t->valuedouble > d->max)
		return soak_errorf(err, "'%s.threshold' = %s is outside the range of '%s' [%g, %g]",
				   where, t->valuestring, d->name, d->min, d->max);
	r->threshold = t->valuedouble;
	return true;
}

/* The note, cut to SOAK_RULE_NOTE_MAX - 1 bytes at a UTF-8 character boundary. */
static bool read_rule_note(const cJSON *item, const char *where, struct soak_rule *r,
			   char *err)
{
	const cJSON *note = soak_get(item, "note");
	r->note[0] = '\0';
	if (!note)
		return true;
	if (!cJSON_IsString(note))
		return soak_errorf(err, "'%s.note' is not a string", where);
	size_t len = strlen(note->valuestring);
	if (len >= SOAK_RULE_NOTE_MAX) {
		len = SOAK_RULE_NOTE_MAX - 1;
		while (len > 0 && ((unsigned char)note->valuestring[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(r->note, note->valuestring, len);
	r->note[len] = '\0';
	return true;
}

static bool read_rule(const cJSON *item, const char *where, bool window_rule,
		      struct soak_rule *r, char *err)
{
	static const char *const iteration_members[] = {"kpi", "op", "threshold", "level",
							"note", NULL};
	static const char *const window_members[] = {"kpi", "stat", "op", "threshold", "level",
						     "note", NULL};
	static const char *const levels[] = {"WARN", "FAIL"};
	int cmp, level, stat = SOAK_STAT_MEAN;
	if (!cJSON_IsObject(item))
		return soak_errorf(err, "'%s' is not an object", where);
	if (!only_members(item, window_rule ? window_members : iteration_members, where, err) ||
	    !read_rule_kpi(item, where, window_rule, r, err) ||
	    !read_choice(item, "op", where, soak_cmp_names, SOAK_CMP_COUNT, ">=, >, <=, <", &cmp,
			 err) ||
	    !read_rule_threshold(item, where, r, err) ||
	    !read_choice(item, "level", where, levels, 2, "WARN, FAIL", &level, err) ||
	    (window_rule && !read_choice(item, "stat", where, soak_stat_names, SOAK_STAT_COUNT,
					 "mean, median, min, max", &stat, err)) ||
	    !read_rule_note(item, where, r, err))
		return false;
	r->cmp = (enum soak_cmp)cmp;
	r->level = level == 0 ? SOAK_LEVEL_WARN : SOAK_LEVEL_FAIL;
	r->stat = (enum soak_stat)stat;
	return true;
}

/* ------------------------------------------------------------------ */
/* Lists of rules and the file                                         */

/* Two rules on the same KPI (and stat) that say the same thing, or a WARN
 * rule that can never fire because the FAIL rule in its direction is
 * stricter, are errors: the file would not mean what its author thinks. */
static bool check_rule_pair(const struct soak_rule *a, const struct soak_rule *b,
			    const char *list, int ia, int ib,
			    enum soak_thresholds_wording wording, char *err)
{
	if (a->kpi != b->kpi || a->stat != b->stat)
		return true;
	if (a->cmp == b->cmp && a->level == b->level)
		return soak_errorf(err, "'%s[%d]' repeats the %s and level of '%s[%d]'",
				   list, ib, soak_cmp_names[b->cmp], list, ia);
	if (a->level == b->level ||
	    soak_cmp_is_lower_bound(a->cmp) != soak_cmp_is_lower_bound(b->cmp))
		return true;
	const struct soak_rule *warn = a->level == SOAK_LEVEL_WARN ? a : b;
	const struct soak_rule *fail = a->level == SOAK_LEVEL_FAIL ? a : b;
	bool dead = soak_cmp_is_lower_bound(warn->cmp) ? warn->threshold < fail->threshold
						       : warn->threshold > fail->threshold;
	if (dead && wording == SOAK_WORDING_REPORT)
		return soak_errorf(err, "'%s[%d]' and '%s[%d]': the WARN threshold is looser than "
				   "the FAIL threshold", list, ia, list, ib);
	if (dead)
		return soak_errorf(err, "'%s[%d]' and '%s[%d]': the WARN threshold of '%s' is looser "
				   "than its FAIL threshold, so it could never fire",
				   list, ia, list, ib, soak_rule_kpis[a->kpi].name);
	return true;
}

static bool read_rules(const cJSON *array, const char *list, bool window_rule,
		       enum soak_thresholds_wording wording, struct soak_rule *rules, int *n,
		       char *err)
{
	if (!cJSON_IsArray(array))
		return soak_errorf(err, "'%s' is missing or not an array", list);
	*n = 0;
	for (const cJSON *item = array->child; item; item = item->next) {
		char where[64];
		if (*n == SOAK_MAX_RULES)
			return soak_errorf(err, "'%s' has more than %d rules", list, SOAK_MAX_RULES);
		snprintf(where, sizeof where, "%s[%d]", list, *n);
		if (!read_rule(item, where, window_rule, &rules[*n], err))
			return false;
		for (int i = 0; i < *n; i++)
			if (!check_rule_pair(&rules[i], &rules[*n], list, i, *n, wording, err))
				return false;
		(*n)++;
	}
	return true;
}

static bool read_window_section(const cJSON *window, enum soak_thresholds_wording wording,
				struct soak_thresholds *th, char *err)
{
	static const char *const members[] = {"size", "rules", "note", NULL};
	if (!cJSON_IsObject(window))
		return soak_errorf(err, "'window' is missing or not an object");
	if (!only_members(window, members, "window", err))
		return false;
	const cJSON *size = soak_get(window, "size");
	if (!cJSON_IsNumber(size) || size->valuedouble != floor(size->valuedouble) ||
	    size->valuedouble < 1 || size->valuedouble > SOAK_MAX_WINDOW)
		return soak_errorf(err, "'window.size' is missing or not a whole number from 1 to %d",
				   SOAK_MAX_WINDOW);
	th->window_size = (long)size->valuedouble;
	return read_rules(soak_get(window, "rules"), "window.rules", true, wording, th->window,
			  &th->n_window, err);
}

bool soak_thresholds_read(const cJSON *root, enum soak_thresholds_wording wording,
			  struct soak_thresholds *th, char *err)
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
	if (!read_rules(soak_get(root, "iteration"), "iteration", false, wording, th->iteration,
			&th->n_iteration, err) ||
	    !read_window_section(soak_get(root, "window"), wording, th, err))
		return false;
	if (th->n_iteration + th->n_window == 0)
		return soak_errorf(err, "no rules: a gate without rules would pass anything");
	return true;
}

void soak_thresholds_load(const char *arg, enum soak_thresholds_wording wording,
			  struct soak_thresholds *th)
{
	char path[4096], err[SOAK_ERR_MAX], why[SOAK_ERR_MAX];
	if (!soak_find_data_file(arg, path, sizeof path, err))
		soak_die(SOAK_EXIT_USAGE, "thresholds %s", err);
	cJSON *root = soak_load_json_file(path, err);
	if (!root)
		soak_die(SOAK_EXIT_USAGE, "thresholds %s", err);
	bool ok = soak_thresholds_read(root, wording, th, why);
	cJSON_Delete(root);
	if (!ok)
		soak_die(SOAK_EXIT_USAGE, "thresholds '%s': %s", path, why);
	soak_data_file_name(path, th->name, sizeof th->name);
}

/* ------------------------------------------------------------------ */
/* Window statistics                                                   */

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_of(double *values, long n)
{
	qsort(values, (size_t)n, sizeof *values, compare_doubles);
	return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double soak_window_stat(enum soak_stat stat, double *values, long n)
{
	double result = values[0];
	if (stat == SOAK_STAT_MEDIAN)
		return median_of(values, n);
	for (long i = 1; i < n; i++) {
		if (stat == SOAK_STAT_MEAN)
			result += values[i];
		else if (stat == SOAK_STAT_MIN ? values[i] < result : values[i] > result)
			result = values[i];
	}
	return stat == SOAK_STAT_MEAN ? result / (double)n : result;
}

void soak_window_stats(double *values, long n, double stat[SOAK_STAT_COUNT])
{
	stat[SOAK_STAT_MEAN] = soak_window_stat(SOAK_STAT_MEAN, values, n);
	stat[SOAK_STAT_MIN] = soak_window_stat(SOAK_STAT_MIN, values, n);
	stat[SOAK_STAT_MAX] = soak_window_stat(SOAK_STAT_MAX, values, n);
	stat[SOAK_STAT_MEDIAN] = median_of(values, n);   /* last: it sorts */
}
