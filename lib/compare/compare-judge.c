/* compare-judge.c - pairing logs, one rank test per KPI, outcomes, score and verdict. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"

const char *const compare_outcome_names[OUTCOME_COUNT] = {"better", "pass", "inconclusive",
							  "worse"};
const char *const compare_verdict_names[3] = {"PASS", "INCONCLUSIVE", "FAIL"};

const char *compare_number(double x, char *buf)
{
	if (isinf(x)) {
		strcpy(buf, x < 0 ? "-inf" : "inf");
		return buf;
	}
	double r = round(x * 1e4) / 1e4;
	soak_format_number(r == 0 ? 0 : r, buf);   /* no "-0" */
	return buf;
}

/* ------------------------------------------------------------------ */
/* Pairing                                                             */

static long find_seed(const struct compare_log *logs, long n, const char *seed)
{
	for (long i = 0; i < n; i++)
		if (strcmp(logs[i].seed, seed) == 0)
			return i;
	return -1;
}

/* Why the sides do not pair by seed, or NULL when they do (order filled). */
static const char *seed_mismatch(const struct compare_log *base, long n_base,
				 const struct compare_log *cand, long n_cand, long *order,
				 char *why)
{
	if (n_base != n_cand)
		return "the sides have different numbers of logs";
	for (long i = 0; i < n_base; i++) {
		if (!base[i].seed[0] || !cand[i].seed[0]) {
			snprintf(why, COMPARE_TEXT_MAX, "'%s' carries no summary.seed",
				 !base[i].seed[0] ? base[i].path : cand[i].path);
			return why;
		}
		if (find_seed(base, i, base[i].seed) >= 0 || find_seed(cand, i, cand[i].seed) >= 0) {
			snprintf(why, COMPARE_TEXT_MAX, "seed %s appears twice on one side",
				 find_seed(base, i, base[i].seed) >= 0 ? base[i].seed : cand[i].seed);
			return why;
		}
	}
	for (long i = 0; i < n_base; i++)
		if ((order[i] = find_seed(cand, n_cand, base[i].seed)) < 0) {
			snprintf(why, COMPARE_TEXT_MAX, "seed %s of the baseline is not a candidate's",
				 base[i].seed);
			return why;
		}
	return NULL;
}

bool compare_pair(const struct compare_log *base, long n_base, const struct compare_log *cand,
		  long n_cand, enum compare_pairing pairing, long *order, char *note)
{
	char why[COMPARE_TEXT_MAX];
	const char *mismatch;
	switch (pairing) {
	case COMPARE_PAIR_NONE:
		snprintf(note, COMPARE_TEXT_MAX, "unpaired (--pairing=none)");
		return false;
	case COMPARE_PAIR_ORDER:
		if (n_base != n_cand)
			soak_usage_error("--pairing=order: %ld baseline logs against %ld candidate logs",
					 n_base, n_cand);
		for (long i = 0; i < n_base; i++)
			order[i] = i;
		snprintf(note, COMPARE_TEXT_MAX, "paired in the order given (--pairing=order)");
		return true;
	default:
		mismatch = seed_mismatch(base, n_base, cand, n_cand, order, why);
		if (!mismatch) {
			snprintf(note, COMPARE_TEXT_MAX, "paired by seed");
			return true;
		}
		if (pairing == COMPARE_PAIR_SEED)
			soak_usage_error("--pairing=seed: %s", mismatch);
		snprintf(note, COMPARE_TEXT_MAX, "unpaired: %.*s", COMPARE_TEXT_MAX - 16, mismatch);
		return false;
	}
}

/* ------------------------------------------------------------------ */
/* One KPI                                                             */

static void side_stats(const double *v, long n, struct compare_side *s)
{
	double sorted[COMPARE_MAX_LOGS], sum = 0, sq = 0;
	memset(s, 0, sizeof *s);
	if ((s->n = n) == 0)
		return;
	memcpy(sorted, v, (size_t)n * sizeof *v);
	for (long i = 0; i < n; i++)
		sum += v[i];
	s->mean = sum / (double)n;
	for (long i = 0; i < n; i++)
		sq += (v[i] - s->mean) * (v[i] - s->mean);
	s->sd = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	s->median = soak_window_stat(SOAK_STAT_MEDIAN, sorted, n);   /* sorts */
	s->min = sorted[0];
	s->max = sorted[n - 1];
}

/* The units of KPI k: unpaired, every log that has it; paired, the pairs
 * where both logs have it (x baseline, y candidate, same index). */
static void collect(const struct compare_log *base, long n_base, const struct compare_log *cand,
		    long n_cand, const long *order, int k, double *x, long *nx, double *y,
		    long *ny)
{
	*nx = *ny = 0;
	if (order) {
		for (long i = 0; i < n_base; i++)
			if (base[i].present[k] && cand[order[i]].present[k]) {
				x[(*nx)++] = base[i].value[k];
				y[(*ny)++] = cand[order[i]].value[k];
			}
		return;
	}
	for (long i = 0; i < n_base; i++)
		if (base[i].present[k])
			x[(*nx)++] = base[i].value[k];
	for (long j = 0; j < n_cand; j++)
		if (cand[j].present[k])
			y[(*ny)++] = cand[j].value[k];
}

static void kpi_text(struct compare_kpi_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void kpi_text(struct compare_kpi_result *r, const char *fmt, ...)
{
	char head[96];
	va_list ap;
	snprintf(head, sizeof head, "%s %s%s %s: ", soak_rule_kpis[r->def->kpi].name,
		 soak_stat_names[r->def->stat], r->def->critical ? " (critical)" : "",
		 compare_outcome_names[r->outcome]);
	size_t len = strlen(head);
	memcpy(r->text, head, len + 1);
	va_start(ap, fmt);
	vsnprintf(r->text + len, sizeof r->text - len, fmt, ap);
	va_end(ap);
}

/* The outcome from the interval in "goodness" units (candidate better > 0). */
static void classify(struct compare_kpi_result *r)
{
	const struct compare_kpi *d = r->def;
	double good_lo = d->direction > 0 ? r->test.lo : -r->test.hi;
	double good_hi = d->direction > 0 ? r->test.hi : -r->test.lo;
	char lo[32], hi[32], tol[32], est[32];
	compare_number(r->test.lo, lo);
	compare_number(r->test.hi, hi);
	compare_number(d->tolerance, tol);
	compare_number(r->test.estimate, est);
	if (good_hi < -d->tolerance)
		r->outcome = OUTCOME_WORSE;
	else if (good_lo > 0)
		r->outcome = OUTCOME_BETTER;
	else if (good_lo >= -d->tolerance)
		r->outcome = OUTCOME_PASS;
	else
		r->outcome = OUTCOME_INCONCLUSIVE;
	const char *why[OUTCOME_COUNT] = {
		"the whole interval is on the better side of 0",
		"the interval does not reach beyond the tolerance on the worse side",
		"the interval reaches beyond the tolerance on the worse side but does not lie "
		"wholly beyond it",
		"the whole interval lies beyond the tolerance on the worse side"};
	kpi_text(r, "difference %s, %g%% interval [%s, %s], tolerance %s (%s is better): %s",
		 est, 100 * r->test.confidence, lo, hi, tol, d->direction > 0 ? "higher" : "lower",
		 why[r->outcome]);
}

/* x to 12 significant digits, as records print numbers: 0.3 - 0.2 and
 * 0.2 - 0.1 are the same difference, a tie, not two ranks. */
static double to_12_digits(double x)
{
	if (x == 0 || !isfinite(x))
		return x;
	double scale = pow(10, 11 - floor(log10(fabs(x))));
	return isfinite(scale) ? round(x * scale) / scale : x;
}

static void judge_kpi(const struct compare_config *cfg, const double *x, long nx,
		      const double *y, long ny, bool paired, struct compare_kpi_result *r)
{
	side_stats(x, nx, &r->base);
	side_stats(y, ny, &r->cand);
	r->mean_difference = r->cand.mean - r->base.mean;
	long units = paired ? nx : (nx < ny ? nx : ny);
	if (units < cfg->min_units || units == 0) {
		r->outcome = OUTCOME_INCONCLUSIVE;
		kpi_text(r, "too few units: %ld %s%s, at least %ld needed", units,
			 paired ? "pair" : units == nx ? "baseline log" : "candidate log",
			 units == 1 ? "" : "s", cfg->min_units > 1 ? cfg->min_units : 1);
		return;
	}
	bool ok;
	if (paired) {
		double d[COMPARE_MAX_LOGS];
		for (long i = 0; i < nx; i++)
			d[i] = to_12_digits(y[i] - x[i]);
		ok = rank_signed_rank(d, nx, cfg->confidence, &r->test);
	} else {
		ok = rank_sum(x, nx, y, ny, cfg->confidence, &r->test);
	}
	if (!ok)
		soak_die(SOAK_EXIT_IO, "out of memory");
	r->tested = true;
	if (isinf(r->test.lo)) {
		r->outcome = OUTCOME_INCONCLUSIVE;
		kpi_text(r, "%ld units cannot give a %g%% interval: it is unbounded", units,
			 100 * cfg->confidence);
		return;
	}
	classify(r);
}

/* ------------------------------------------------------------------ */
/* The whole                                                           */

static void add_reason(struct compare_result *res, const char *text)
{
	snprintf(res->reason[res->n_reasons++], COMPARE_TEXT_MAX, "%s", text);
}

static void decide(struct compare_result *res)
{
	const struct compare_config *cfg = res->cfg;
	double not_worse = 0, all = 0;
	bool critical_worse = false, undecided = false;
	for (int k = 0; k < cfg->n_kpis; k++) {
		const struct compare_kpi_result *r = &res->kpi[k];
		all += r->def->weight;
		not_worse += r->outcome != OUTCOME_WORSE ? r->def->weight : 0;
		if (r->outcome == OUTCOME_WORSE) {
			critical_worse |= r->def->critical;
			add_reason(res, r->text);
		}
		undecided |= r->outcome == OUTCOME_INCONCLUSIVE;
	}
	res->score = 100 * not_worse / all;
	char text[COMPARE_TEXT_MAX], s[32], p[32], m[32];
	soak_format_number(round(res->score * 100) / 100, s);
	soak_format_number(cfg->score_pass, p);
	soak_format_number(cfg->score_marginal, m);
	if (critical_worse || res->score < cfg->score_marginal) {
		res->verdict = VERDICT_FAIL;
		if (res->score < cfg->score_marginal) {
			snprintf(text, sizeof text, "score %s is under the marginal level %s", s, m);
			add_reason(res, text);
		}
		return;
	}
	res->verdict = res->score < cfg->score_pass || undecided ? VERDICT_INCONCLUSIVE
								 : VERDICT_PASS;
	if (res->score < cfg->score_pass) {
		snprintf(text, sizeof text, "score %s is under the pass level %s", s, p);
		add_reason(res, text);
	}
	for (int k = 0; k < cfg->n_kpis; k++)
		if (res->kpi[k].outcome == OUTCOME_INCONCLUSIVE)
			add_reason(res, res->kpi[k].text);
	if (res->verdict == VERDICT_PASS) {
		snprintf(text, sizeof text, "no KPI is worse beyond its tolerance; score %s", s);
		add_reason(res, text);
	}
}

void compare_judge(const struct compare_config *cfg, const struct compare_log *base,
		   long n_base, const struct compare_log *cand, long n_cand, const long *order,
		   struct compare_result *res)
{
	static double x[COMPARE_MAX_LOGS], y[COMPARE_MAX_LOGS];
	char note[COMPARE_TEXT_MAX];
	memcpy(note, res->pairing_note, sizeof note);
	memset(res, 0, sizeof *res);
	memcpy(res->pairing_note, note, sizeof note);
	res->cfg = cfg;
	res->paired = order != NULL;
	res->n_base = n_base;
	res->n_cand = n_cand;
	for (int k = 0; k < cfg->n_kpis; k++) {
		long nx, ny;
		res->kpi[k].def = &cfg->kpis[k];
		collect(base, n_base, cand, n_cand, order, k, x, &nx, y, &ny);
		judge_kpi(cfg, x, nx, y, ny, res->paired, &res->kpi[k]);
	}
	decide(res);
}
