/* report-read.c - soak-report: its KPIs and reading a log into counts. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "judge.h"
#include "report-common.h"

const struct report_kpi_def report_kpis[RK_COUNT] = {
	{0, +1},    /* maker_taker_ratio */
	{1, +1},    /* net_bps */
	{2, -1},    /* p95_latency_ms */
	{3, -1},    /* risk_ratio */
	{9, -1},    /* adverse_bps_p95 */
	{10, -1},   /* slippage_bps_p95 */
	{12, -1},   /* cancel_ratio */
};
const char *const report_guard_names[RG_COUNT] = {
	"rescue_block", "latency_prebuffer", "velocity", "cooldown", "oscillation", "freeze",
	"max_keys", "bounds"};
const char *const report_phase_names[REPORT_PHASE_COUNT] = {"none", "WARMUP", "RAMPDOWN",
								"STEADY"};

const char *report_kpi_name(int k)
{
	return soak_rule_kpis[report_kpis[k].kpi].name;
}

int report_kpi_of(int rule_kpi)
{
	for (int k = 0; k < RK_COUNT; k++)
		if (report_kpis[k].kpi == rule_kpi)
			return k;
	return -1;
}

int report_kpi_direction(const struct soak_thresholds *th, int kpi)
{
	for (int i = 0; i < th->n_window; i++)
		if (th->window[i].kpi == report_kpis[kpi].kpi)
			return soak_cmp_is_lower_bound(th->window[i].cmp) ? +1 : -1;
	for (int i = 0; i < th->n_iteration; i++)
		if (th->iteration[i].kpi == report_kpis[kpi].kpi)
			return soak_cmp_is_lower_bound(th->iteration[i].cmp) ? +1 : -1;
	return report_kpis[kpi].direction;
}

/* ------------------------------------------------------------------ */
/* One record, checked into a reading before anything counts           */

struct reading {
	struct report_point point;
	int gate;                    /* enum soak_level, judged again */
	bool downgraded;
	bool has_tuning, applied;
	const cJSON *changed_keys;   /* array of strings, or NULL */
	const cJSON *skipped;        /* object of strings, or NULL */
	const cJSON *skip_reason;    /* the original's: string or object, or NULL */
	bool guard[RG_COUNT];
	int phase;                   /* REPORT_PHASE_*: phase.name, for the plot */
	bool has_seed;               /* summary.seed, for the plot's title */
	double seed;
};

static bool read_kpis(const cJSON *rec, struct report_point *p, char *err)
{
	cJSON *summary;
	if (!soak_get_object(rec, "summary", "summary", &summary, err))
		return false;
	for (int k = 0; k < RK_COUNT; k++)
		if (!soak_rule_kpi_read(summary, report_kpis[k].kpi, &p->value[k], &p->present[k],
					err))
			return false;
	return true;
}

/* The gate's status of the record, judged again under the report's
 * thresholds (the record's own gate, if any, is not read). */
static bool judge_gate(const cJSON *rec, const struct report_log *log, struct reading *r,
		       char *err)
{
	struct soak_gate_reading reading;
	if (!soak_gate_read(rec, log->wanted, -1, &reading, err))
		return false;
	cJSON *reasons = soak_checked(cJSON_CreateArray());
	cJSON *downgraded = soak_checked(cJSON_CreateArray());
	r->gate = (int)soak_gate_judge_iteration(log->th, &reading, reasons, downgraded);
	r->downgraded = cJSON_GetArraySize(downgraded) > 0;
	cJSON_Delete(reasons);
	cJSON_Delete(downgraded);
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

/* phase.name (WARMUP, RAMPDOWN, STEADY, else none) and summary.seed, for the plot. */
static bool read_plot_fields(const cJSON *rec, struct reading *r, char *err)
{
	cJSON *phase;
	if (!soak_get_object_opt(rec, "phase", "phase", &phase, err))
		return false;
	const cJSON *name = soak_get(phase, "name");
	r->phase = REPORT_PHASE_NONE;
	for (int i = REPORT_PHASE_WARMUP; i < REPORT_PHASE_COUNT && cJSON_IsString(name); i++)
		if (strcmp(name->valuestring, report_phase_names[i]) == 0)
			r->phase = i;
	const cJSON *seed = soak_get(soak_get(rec, "summary"), "seed");
	r->has_seed = cJSON_IsNumber(seed);
	r->seed = r->has_seed ? seed->valuedouble : 0;
	return true;
}

static bool read_record(const cJSON *rec, const struct report_log *log, long line_no,
			struct reading *r, char *err)
{
	memset(r, 0, sizeof *r);
	err[0] = '\0';
	if (!soak_get_iteration(rec, &r->point.iteration, err) ||
	    !soak_order_check(&log->order, r->point.iteration, line_no, err))
		return false;
	return read_kpis(rec, &r->point, err) && judge_gate(rec, log, r, err) &&
	       read_warmup(rec, r, err) && read_tuning(rec, r, err) && read_plot_fields(rec, r, err);
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

/* "ITERATION MT NET P95 RISK STATUS PHASE": a KPI absent is "?", STATUS
 * the gate's level (0 PASS, 1 WARN, 2 FAIL, 3 none), PHASE REPORT_PHASE_*. */
static void plot_point(FILE *f, const struct reading *r)
{
	const struct report_point *p = &r->point;
	char buf[32];
	fprintf(f, "%ld", p->iteration);
	for (int k = 0; k < RK_GATE_COUNT; k++) {
		if (p->present[k])
			soak_format_number(p->value[k], buf);
		fprintf(f, " %s", p->present[k] ? buf : "?");
	}
	fprintf(f, " %d %d\n", r->gate, r->phase);
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
	soak_gate_tally_add(&log->tally, p->iteration, (enum soak_level)r->gate, r->downgraded);
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
	if (log->count == 1 && r->has_seed)
		soak_format_number(r->seed, log->seed);
	if (log->plot_data)
		plot_point(log->plot_data, r);
}

void report_log_read(struct report_log *log, struct soak_stream *s,
		     const struct soak_thresholds *th, long window_size, FILE *plot_data)
{
	cJSON *rec;
	memset(log, 0, sizeof *log);
	log->th = th;
	soak_gate_wanted(th, log->wanted);
	log->window_size = window_size;
	log->plot_data = plot_data;
	while ((rec = soak_stream_next(s))) {
		char err[SOAK_ERR_MAX];
		struct reading r;
		if (read_record(rec, log, s->line_no, &r, err)) {
			fold(log, &r);
			soak_order_accept(&log->order, r.point.iteration, s->line_no);
		} else
			soak_stream_reject(s, "%s", err);
		cJSON_Delete(rec);
	}
	log->skipped = s->skipped;
}
