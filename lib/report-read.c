/* report-read.c - soak-report: the thresholds file and reading a log into counts. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "preset.h"
#include "report-common.h"

const struct report_kpi_def report_kpis[RK_COUNT] = {
	{"maker_taker_ratio", 0, 1, +1},
	{"net_bps", -INFINITY, INFINITY, +1},
	{"p95_latency_ms", 0, INFINITY, -1},
	{"risk_ratio", 0, INFINITY, -1},
	{"adverse_bps_p95", -INFINITY, INFINITY, -1},
	{"slippage_bps_p95", -INFINITY, INFINITY, -1},
	{"cancel_ratio", 0, 1, -1},
};
const char *const report_level_names[3] = {"PASS", "WARN", "FAIL"};
const char *const report_cmp_names[4] = {">=", ">", "<=", "<"};
const char *const report_cmp_negations[4] = {"<", "<=", ">", ">="};
const char *const report_stat_names[RS_COUNT] = {"mean", "median", "min", "max"};
const char *const report_guard_names[RG_COUNT] = {
	"rescue_block", "latency_prebuffer", "velocity", "cooldown", "oscillation", "freeze",
	"max_keys", "bounds"};
const char *const report_gate_names[RGATE_COUNT] = {"PASS", "WARN", "FAIL", "none"};

/* KPIs an iteration rule may name besides report_kpis (kpi-gate's list). */
static const struct report_kpi_def other_kpis[] = {
	{"gross_bps", -INFINITY, INFINITY, 0}, {"fees_eff_bps", -INFINITY, INFINITY, 0},
	{"adverse_bps", -INFINITY, INFINITY, 0}, {"slippage_bps", -INFINITY, INFINITY, 0},
	{"inventory_bps", -INFINITY, INFINITY, 0}, {"order_age_p95_ms", 0, INFINITY, 0},
};
#define N_OTHER ((int)(sizeof other_kpis / sizeof other_kpis[0]))

cJSON *report_checked(cJSON *node)
{
	if (!node)
		soak_die(SOAK_EXIT_IO, "out of memory");
	return node;
}

bool report_rule_holds(const struct report_rule *r, double v)
{
	switch (r->cmp) {
	case RC_GE: return v >= r->threshold;
	case RC_GT: return v > r->threshold;
	case RC_LE: return v <= r->threshold;
	default: return v < r->threshold;
	}
}

int report_kpi_direction(const struct report_thresholds *th, int kpi)
{
	for (int i = 0; i < th->n_window; i++)
		if (th->window[i].kpi == kpi)
			return th->window[i].cmp <= RC_GT ? +1 : -1;
	for (int i = 0; i < th->n_iteration; i++)
		if (th->iteration[i].kpi == kpi)
			return th->iteration[i].cmp <= RC_GT ? +1 : -1;
	return report_kpis[kpi].direction;
}

/* ------------------------------------------------------------------ */
/* The thresholds file (soak-thresholds(5)), checked as kpi-gate does  */

static int lookup(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* The KPI's range; *index is its report_kpis index or -1. */
static const struct report_kpi_def *kpi_named(const char *name, int *index)
{
	for (int k = 0; k < RK_COUNT; k++)
		if (strcmp(report_kpis[k].name, name) == 0)
			return &report_kpis[*index = k];
	*index = -1;
	for (int k = 0; k < N_OTHER; k++)
		if (strcmp(other_kpis[k].name, name) == 0)
			return &other_kpis[k];
	return NULL;
}

static bool choice(const cJSON *obj, const char *key, const char *where,
		   const char *const *names, int n, int *out, char *err)
{
	const cJSON *v = soak_get(obj, key);
	if (!cJSON_IsString(v))
		return soak_errorf(err, "'%s.%s' is missing or not a string", where, key);
	if ((*out = lookup(v->valuestring, names, n)) < 0)
		return soak_errorf(err, "'%s.%s' is '%s', not a valid choice", where, key,
				   v->valuestring);
	return true;
}

static bool read_rule(const cJSON *item, const char *where, bool window_rule,
		      struct report_rule *r, char *err)
{
	static const char *const members[] = {"kpi", "stat", "op", "threshold", "level", "note",
					      NULL};
	static const char *const levels[] = {"WARN", "FAIL"};
	int cmp, level, stat = RS_MEAN;
	if (!cJSON_IsObject(item))
		return soak_errorf(err, "'%s' is not an object", where);
	const char *unknown = soak_unknown_field(item, members);
	if (unknown || (!window_rule && soak_get(item, "stat")))
		return soak_errorf(err, "unknown field '%s' in '%s'", unknown ? unknown : "stat",
				   where);
	const cJSON *kpi = soak_get(item, "kpi"), *t = soak_get(item, "threshold");
	const cJSON *note = soak_get(item, "note");
	const struct report_kpi_def *d = cJSON_IsString(kpi) ? kpi_named(kpi->valuestring, &r->kpi)
							     : NULL;
	r->kpi_name = d ? d->name : NULL;
	if (!d || (window_rule && (r->kpi < 0 || r->kpi >= RK_GATE_COUNT)))
		return soak_errorf(err, "'%s.kpi' is missing or not a KPI %s", where,
				   window_rule ? "of the window" : "kpi-gate knows");
	if (!choice(item, "op", where, report_cmp_names, 4, &cmp, err) ||
	    !choice(item, "level", where, levels, 2, &level, err) ||
	    (window_rule && !choice(item, "stat", where, report_stat_names, RS_COUNT, &stat, err)))
		return false;
	if (!cJSON_IsNumber(t) || !isfinite(t->valuedouble) || t->valuedouble < d->min ||
	    t->valuedouble > d->max)
		return soak_errorf(err, "'%s.threshold' is missing, not finite or out of the "
				   "range of '%s'", where, d->name);
	if (note && !cJSON_IsString(note))
		return soak_errorf(err, "'%s.note' is not a string", where);
	r->cmp = (enum report_cmp)cmp;
	r->level = level ? RL_FAIL : RL_WARN;
	r->stat = (enum report_stat)stat;
	r->threshold = t->valuedouble;
	return true;
}

/* Same KPI and stat: not the same op and level twice, and no WARN rule
 * looser than the FAIL rule in its direction (it could never fire). */
static bool check_pair(const struct report_rule *a, const struct report_rule *b,
		       const char *list, int ia, int ib, char *err)
{
	if (a->kpi != b->kpi || a->stat != b->stat || a->kpi_name != b->kpi_name)
		return true;
	if (a->cmp == b->cmp && a->level == b->level)
		return soak_errorf(err, "'%s[%d]' repeats '%s[%d]'", list, ib, list, ia);
	if (a->level == b->level || (a->cmp <= RC_GT) != (b->cmp <= RC_GT))
		return true;
	const struct report_rule *warn = a->level == RL_WARN ? a : b;
	const struct report_rule *fail = a->level == RL_FAIL ? a : b;
	if (warn->cmp <= RC_GT ? warn->threshold < fail->threshold
			       : warn->threshold > fail->threshold)
		return soak_errorf(err, "'%s[%d]' and '%s[%d]': the WARN threshold is looser than "
				   "the FAIL threshold", list, ia, list, ib);
	return true;
}

static bool read_rules(const cJSON *array, const char *list, bool window_rule,
		       struct report_rule *rules, int *n, char *err)
{
	int index = 0;
	if (!cJSON_IsArray(array))
		return soak_errorf(err, "'%s' is missing or not an array", list);
	*n = 0;
	for (const cJSON *item = array->child; item; item = item->next, index++) {
		char where[64];
		struct report_rule r;
		if (index == REPORT_MAX_RULES)
			return soak_errorf(err, "'%s' has more than %d rules", list, REPORT_MAX_RULES);
		snprintf(where, sizeof where, "%s[%d]", list, index);
		if (!read_rule(item, where, window_rule, &r, err))
			return false;
		for (int i = 0; i < *n; i++)
			if (!check_pair(&rules[i], &r, list, i, index, err))
				return false;
		rules[(*n)++] = r;   /* kpi -1: a KPI the report does not chart */
	}
	return true;
}

static bool read_thresholds(const cJSON *root, struct report_thresholds *th, char *err)
{
	static const char *const members[] = {"description", "version", "iteration", "window",
					      NULL};
	static const char *const window_members[] = {"size", "rules", "note", NULL};
	const char *unknown = soak_unknown_field(root, members);
	if (unknown)
		return soak_errorf(err, "unknown field '%s' in the file", unknown);
	for (int i = 0; i < 2; i++) {
		const cJSON *v = soak_get(root, members[i]);
		if (v && !cJSON_IsString(v))
			return soak_errorf(err, "'%s' is not a string", members[i]);
	}
	const cJSON *window = soak_get(root, "window");
	if (!cJSON_IsObject(window))
		return soak_errorf(err, "'window' is missing or not an object");
	if ((unknown = soak_unknown_field(window, window_members)))
		return soak_errorf(err, "unknown field '%s' in 'window'", unknown);
	const cJSON *size = soak_get(window, "size");
	if (!cJSON_IsNumber(size) || size->valuedouble != floor(size->valuedouble) ||
	    size->valuedouble < 1 || size->valuedouble > REPORT_MAX_WINDOW)
		return soak_errorf(err, "'window.size' is missing or not a whole number from 1 "
				   "to %d", REPORT_MAX_WINDOW);
	th->window_size = (long)size->valuedouble;
	if (!read_rules(soak_get(root, "iteration"), "iteration", false, th->iteration,
			&th->n_iteration, err) ||
	    !read_rules(soak_get(window, "rules"), "window.rules", true, th->window,
			&th->n_window, err))
		return false;
	if (cJSON_GetArraySize(soak_get(root, "iteration")) +
	    cJSON_GetArraySize(soak_get(window, "rules")) == 0)
		return soak_errorf(err, "no rules: a gate without rules would pass anything");
	return true;
}

void report_thresholds_load(const char *arg, struct report_thresholds *th)
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
}

/* ------------------------------------------------------------------ */
/* One record, checked into a reading before anything counts           */

struct reading {
	struct report_point point;
	int gate;                    /* RGATE_* */
	bool downgraded;
	bool has_tuning, applied;
	const cJSON *changed_keys;   /* array of strings, or NULL */
	const cJSON *skipped;        /* object of strings, or NULL */
	const cJSON *skip_reason;    /* the original's: string or object, or NULL */
	bool guard[RG_COUNT];
};

static bool read_kpis(const cJSON *rec, struct report_point *p, char *err)
{
	cJSON *summary;
	if (!soak_get_object(rec, "summary", "summary", &summary, err))
		return false;
	for (int k = 0; k < RK_COUNT; k++) {
		const struct report_kpi_def *d = &report_kpis[k];
		const cJSON *v = soak_get(summary, d->name);
		char path[64];
		p->present[k] = false;
		if (!v || cJSON_IsNull(v))
			continue;
		snprintf(path, sizeof path, "summary.%s", d->name);
		if (!soak_get_number(summary, d->name, path, &p->value[k], err))
			return false;
		if (p->value[k] < d->min || p->value[k] > d->max)
			return soak_errorf(err, "'%s' = %s is out of range [%g, %g]", path,
					   v->valuestring ? v->valuestring : "?", d->min, d->max);
		p->present[k] = true;
	}
	return true;
}

static bool read_gate(const cJSON *rec, struct reading *r, char *err)
{
	cJSON *gate = NULL;
	r->gate = RGATE_NONE;
	r->downgraded = false;
	if (!soak_get_object_opt(rec, "gate", "gate", &gate, err))
		return false;
	if (!gate)
		return true;
	const cJSON *status = soak_get(gate, "status"), *down = soak_get(gate, "downgraded");
	int level = cJSON_IsString(status) ? lookup(status->valuestring, report_level_names, 3) : -1;
	if (level < 0)
		return soak_errorf(err, "'gate.status' is missing or not PASS, WARN or FAIL");
	if (down && !cJSON_IsArray(down))
		return soak_errorf(err, "'gate.downgraded' is not an array");
	r->gate = level;
	r->downgraded = cJSON_GetArraySize(down) > 0;
	return true;
}

/* A boolean member `key` of the optional object `section.sub`. */
static bool optional_flag(const cJSON *section, const char *name, const char *sub,
			  const char *key, bool *out, char *err)
{
	const cJSON *obj = soak_get(section, sub), *v;
	*out = false;
	if (!obj || cJSON_IsNull(obj))
		return true;
	if (!cJSON_IsObject(obj))
		return soak_errorf(err, "'%s.%s' is not an object", name, sub);
	if (!(v = soak_get(obj, key)) || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsBool(v))
		return soak_errorf(err, "'%s.%s.%s' is not true or false", name, sub, key);
	*out = cJSON_IsTrue(v);
	return true;
}

static bool read_warmup(const cJSON *rec, struct reading *r, char *err)
{
	cJSON *warmup;
	if (!soak_get_object_opt(rec, "warmup", "warmup", &warmup, err))
		return false;
	return !warmup ||
	       (optional_flag(warmup, "warmup", "rescue_block", "blocked",
			      &r->guard[RG_RESCUE_BLOCK], err) &&
		optional_flag(warmup, "warmup", "latency_prebuffer", "applied",
			      &r->guard[RG_LATENCY_PREBUFFER], err));
}

static bool all_strings(const cJSON *node, bool object)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, node)
		if (!cJSON_IsString(c) || (object && !c->string))
			return false;
	return true;
}

/* Guards named by our skip reasons, or by the original's skip_reason flags. */
static void note_guard(struct reading *r, const char *name)
{
	for (int g = RG_VELOCITY; g < RG_COUNT; g++)
		if (strcmp(name, report_guard_names[g]) == 0)
			r->guard[g] = true;
}

static bool read_tuning(const cJSON *rec, struct reading *r, char *err)
{
	cJSON *tuning;
	const cJSON *c;
	if (!soak_get_object_opt(rec, "tuning", "tuning", &tuning, err))
		return false;
	if (!(r->has_tuning = tuning != NULL))
		return true;
	const cJSON *applied = soak_get(tuning, "applied");
	r->changed_keys = soak_get(tuning, "changed_keys");
	r->skipped = soak_get(tuning, "skipped");
	r->skip_reason = soak_get(tuning, "skip_reason");
	if (applied && !cJSON_IsBool(applied))
		return soak_errorf(err, "'tuning.applied' is not true or false");
	r->applied = cJSON_IsTrue(applied);
	if (r->changed_keys && !(cJSON_IsArray(r->changed_keys) && all_strings(r->changed_keys, false)))
		return soak_errorf(err, "'tuning.changed_keys' is not an array of strings");
	if (r->skipped && !(cJSON_IsObject(r->skipped) && all_strings(r->skipped, true)))
		return soak_errorf(err, "'tuning.skipped' is not an object of reason strings");
	if (cJSON_IsNull(r->skip_reason))
		r->skip_reason = NULL;
	if (r->skip_reason && !cJSON_IsString(r->skip_reason) && !cJSON_IsObject(r->skip_reason))
		return soak_errorf(err, "'tuning.skip_reason' is not a string or an object");
	cJSON_ArrayForEach(c, r->skipped)
		note_guard(r, c->valuestring);
	if (cJSON_IsObject(r->skip_reason))
		cJSON_ArrayForEach(c, r->skip_reason)
			if (cJSON_IsTrue(c))
				note_guard(r, c->string);
	return true;
}

static bool read_record(const cJSON *rec, const struct report_log *log, struct reading *r,
			char *err)
{
	memset(r, 0, sizeof *r);
	err[0] = '\0';
	if (!soak_get_iteration(rec, &r->point.iteration, err))
		return false;
	if (log->count && r->point.iteration <= log->last)
		return soak_errorf(err, "iteration %ld after iteration %ld: the log must be in "
				   "increasing order of iteration", r->point.iteration, log->last);
	return read_kpis(rec, &r->point, err) && read_gate(rec, r, err) &&
	       read_warmup(rec, r, err) && read_tuning(rec, r, err);
}

/* ------------------------------------------------------------------ */
/* Folding a reading into the counts                                   */

static void names_add(struct report_names *names, const char *name)
{
	for (int i = 0; i < names->n; i++)
		if (strcmp(names->name[i], name) == 0) {
			names->count[i]++;
			return;
		}
	if (names->n == REPORT_MAX_NAMES || strlen(name) >= REPORT_NAME_MAX) {
		names->other++;
		return;
	}
	strcpy(names->name[names->n], name);
	names->count[names->n++] = 1;
}

/* The skip reason of the original's layout: its note, else "skipped". */
static void add_original_skip(struct report_log *log, const cJSON *skip_reason)
{
	if (cJSON_IsString(skip_reason)) {
		if (skip_reason->valuestring[0])
			names_add(&log->skips, skip_reason->valuestring);
		return;
	}
	const cJSON *note = soak_get(skip_reason, "note");
	names_add(&log->skips, cJSON_IsString(note) && note->valuestring[0] ? note->valuestring
									  : "skipped");
}

static void spark_add(struct report_spark *sp, long position, const struct report_point *p)
{
	if (sp->width == 0)
		sp->width = 1;
	long bucket = position / sp->width;
	if (bucket == REPORT_SPARK_WIDTH) {   /* merge pairs: half as many, twice as wide */
		for (int k = 0; k < RK_COUNT; k++) {
			for (int b = 0; b < REPORT_SPARK_WIDTH / 2; b++) {
				sp->sum[k][b] = sp->sum[k][2 * b] + sp->sum[k][2 * b + 1];
				sp->count[k][b] = sp->count[k][2 * b] + sp->count[k][2 * b + 1];
			}
			for (int b = REPORT_SPARK_WIDTH / 2; b < REPORT_SPARK_WIDTH; b++) {
				sp->sum[k][b] = 0;
				sp->count[k][b] = 0;
			}
		}
		sp->width *= 2;
		bucket = position / sp->width;
	}
	sp->n = (int)bucket + 1;
	for (int k = 0; k < RK_COUNT; k++)
		if (p->present[k]) {
			sp->sum[k][bucket] += p->value[k];
			sp->count[k][bucket]++;
		}
}

static void plot_point(FILE *f, const struct report_point *p)
{
	char buf[32];
	fprintf(f, "%ld", p->iteration);
	for (int k = 0; k < RK_GATE_COUNT; k++) {
		if (p->present[k])
			soak_format_number(p->value[k], buf);
		fprintf(f, " %s", p->present[k] ? buf : "?");
	}
	fputc('\n', f);
}

static void fold(struct report_log *log, const struct reading *r)
{
	const struct report_point *p = &r->point;
	if (log->count == 0)
		log->first = p->iteration;
	spark_add(&log->spark, log->count, p);
	log->ring[log->count % log->window_size] = *p;
	log->count++;
	log->last = p->iteration;
	for (int k = 0; k < RK_COUNT; k++)
		log->missing_run[k] += !p->present[k];
	log->gate[r->gate]++;
	log->downgraded += r->downgraded;
	log->tuning_records += r->has_tuning;
	log->tuning_applied += r->applied;
	const cJSON *c;
	cJSON_ArrayForEach(c, r->changed_keys)
		names_add(&log->keys_changed, c->valuestring);
	cJSON_ArrayForEach(c, r->skipped)
		names_add(&log->skips, c->valuestring);
	if (!r->skipped && r->skip_reason)
		add_original_skip(log, r->skip_reason);
	for (int g = 0; g < RG_COUNT; g++)
		log->guards[g] += r->guard[g];
	if (log->plot_data)
		plot_point(log->plot_data, p);
}

void report_log_read(struct report_log *log, struct soak_stream *s, long window_size,
		     FILE *plot_data)
{
	cJSON *rec;
	memset(log, 0, sizeof *log);
	log->window_size = window_size;
	log->plot_data = plot_data;
	while ((rec = soak_stream_next(s))) {
		char err[SOAK_ERR_MAX];
		struct reading r;
		if (read_record(rec, log, &r, err))
			fold(log, &r);
		else
			soak_stream_reject(s, "%s", err);
		cJSON_Delete(rec);
	}
	log->skipped = s->skipped;
}
