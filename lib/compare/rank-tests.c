/* rank-tests.c - Wilcoxon signed-rank and Mann-Whitney U: exact and normal p-values,
 * Hodges-Lehmann estimates and their confidence intervals. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rank-tests.h"

double rank_normal_upper_quantile(double tail)
{
	double lo = 0, hi = 40;
	for (int i = 0; i < 200 && hi - lo > 1e-13; i++) {
		double mid = (lo + hi) / 2;
		if (0.5 * erfc(mid / sqrt(2.0)) > tail)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_of_sorted(const double *v, long n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A value and where it came from, for ranking. */
struct ranked {
	double value;
	int group;
};

static int compare_ranked(const void *a, const void *b)
{
	return compare_doubles(&((const struct ranked *)a)->value,
			       &((const struct ranked *)b)->value);
}

/* Sort v[0..n-1] and give each its doubled mid-rank (i + j + 2 for a tie
 * group at sorted positions i..j) in rank2; returns sum(t^3 - t) over
 * the tie groups, for the variance's tie correction. */
static double doubled_midranks(struct ranked *v, long n, long *rank2)
{
	double ties = 0;
	qsort(v, (size_t)n, sizeof *v, compare_ranked);
	for (long i = 0; i < n;) {
		long j = i;
		while (j + 1 < n && v[j + 1].value == v[i].value)
			j++;
		for (long k = i; k <= j; k++)
			rank2[k] = i + j + 2;
		double t = (double)(j - i + 1);
		ties += t * t * t - t;
		i = j + 1;
	}
	return ties;
}

/* c[s] = the number of subsets of score[0..n-1] whose scores sum to s,
 * s = 0..total (total = the sum of all scores; c has total + 1 slots). */
static void subset_sum_counts(const long *score, long n, long total, double *c)
{
	memset(c, 0, (size_t)(total + 1) * sizeof *c);
	c[0] = 1;
	for (long i = 0; i < n; i++)
		for (long s = total; s >= score[i]; s--)
			c[s] += c[s - score[i]];
}

/* c[s] = the number of m-element subsets of score[0..n-1] summing to s
 * (c has total + 1 slots).  False when out of memory. */
static bool k_subset_sum_counts(const long *score, long n, long m, long total, double *c)
{
	double *dp = calloc((size_t)(m + 1) * (size_t)(total + 1), sizeof *dp);
	if (!dp)
		return false;
	dp[0] = 1;
	for (long i = 0; i < n; i++)
		for (long k = i + 1 < m ? i + 1 : m; k >= 1; k--) {
			double *row = dp + k * (total + 1), *prev = dp + (k - 1) * (total + 1);
			for (long s = total; s >= score[i]; s--)
				row[s] += prev[s - score[i]];
		}
	memcpy(c, dp + m * (total + 1), (size_t)(total + 1) * sizeof *c);
	free(dp);
	return true;
}

/* Two-sided p-value of the observed sum w under the counts c[0..total]. */
static double two_sided_p(const double *c, long total, long w)
{
	double all = 0, le = 0, ge = 0;
	for (long s = 0; s <= total; s++) {
		all += c[s];
		if (s <= w)
			le += c[s];
		if (s >= w)
			ge += c[s];
	}
	double p = 2 * fmin(le, ge) / all;
	return p < 1 ? p : 1;
}

/* The interval's count a: the first k with P(T <= k) > tail, T the sum
 * under the counts c[0..total] less `offset` (so T starts at 0). */
static long exact_interval_count(const double *c, long total, long offset, double tail)
{
	double all = 0, below = 0;
	for (long s = 0; s <= total; s++)
		all += c[s];
	long k = 0;
	for (long s = offset; s <= total; s++, k++) {
		below += c[s];
		if (below / all > tail)
			return k;
	}
	return k;
}

/* The normal approximation of the same count: T with mean mu and sd sigma. */
static long normal_interval_count(double mu, double sigma, double tail)
{
	double a = floor(mu - rank_normal_upper_quantile(tail) * sigma + 0.5);
	return a > 0 ? (long)a : 0;
}

/* p-value from the normal approximation with a continuity correction. */
static double normal_p(double statistic, double mu, double variance)
{
	if (variance <= 0)
		return 1;
	double z = fmax(0, fabs(statistic - mu) - 0.5) / sqrt(variance);
	return fmin(1, erfc(z / sqrt(2.0)));
}

/* Estimate and interval from the sorted values v[0..count-1] and the count a. */
static void set_interval(struct rank_result *r, const double *v, long count, long a)
{
	r->estimate = median_of_sorted(v, count);
	if (a < 1 || a > count - a + 1) {
		r->lo = -INFINITY;
		r->hi = INFINITY;
	} else {
		r->lo = v[a - 1];
		r->hi = v[count - a];
	}
}

/* ------------------------------------------------------------------ */
/* Paired: Wilcoxon signed rank                                        */

static bool signed_rank_p(const double *d, long n, struct rank_result *r)
{
	struct ranked *v = malloc((size_t)n * sizeof *v);
	long *rank2 = malloc((size_t)n * sizeof *rank2);
	long nz = 0, w2 = 0;
	if (!v || !rank2) {
		free(v);
		free(rank2);
		return false;
	}
	for (long i = 0; i < n; i++)
		if (d[i] != 0)
			v[nz++] = (struct ranked){fabs(d[i]), d[i] > 0};
	double ties = doubled_midranks(v, nz, rank2);
	for (long i = 0; i < nz; i++)
		w2 += v[i].group ? rank2[i] : 0;
	r->statistic = (double)w2 / 2;
	r->exact = nz <= RANK_EXACT_MAX;
	bool ok = true;
	if (nz == 0) {
		r->p_value = 1;
	} else if (r->exact) {
		long total = nz * (nz + 1);
		double *c = malloc((size_t)(total + 1) * sizeof *c);
		if ((ok = c != NULL)) {
			subset_sum_counts(rank2, nz, total, c);
			r->p_value = two_sided_p(c, total, w2);
		}
		free(c);
	} else {
		double k = (double)nz;
		r->p_value = normal_p(r->statistic, k * (k + 1) / 4,
				      k * (k + 1) * (2 * k + 1) / 24 - ties / 48);
	}
	free(v);
	free(rank2);
	return ok;
}

/* The interval count a for n untied signed ranks. */
static long signed_rank_interval_count(long n, double tail, bool *ok)
{
	*ok = true;
	if (n > RANK_EXACT_MAX) {
		double k = (double)n;
		return normal_interval_count(k * (k + 1) / 4, sqrt(k * (k + 1) * (2 * k + 1) / 24),
					     tail);
	}
	long total = n * (n + 1) / 2, score[RANK_EXACT_MAX] = {0};
	double c[RANK_EXACT_MAX * (RANK_EXACT_MAX + 1) / 2 + 1];
	for (long i = 0; i < n; i++)
		score[i] = i + 1;
	subset_sum_counts(score, n, total, c);
	return exact_interval_count(c, total, 0, tail);
}

bool rank_signed_rank(const double *d, long n, double confidence, struct rank_result *r)
{
	memset(r, 0, sizeof *r);
	r->n = r->m = n;
	r->confidence = confidence;
	if (!signed_rank_p(d, n, r))
		return false;
	long count = n * (n + 1) / 2, k = 0;
	double *walsh = malloc((size_t)count * sizeof *walsh);
	if (!walsh)
		return false;
	for (long i = 0; i < n; i++)
		for (long j = i; j < n; j++)
			walsh[k++] = (d[i] + d[j]) / 2;
	qsort(walsh, (size_t)count, sizeof *walsh, compare_doubles);
	bool ok;
	long a = signed_rank_interval_count(n, (1 - confidence) / 2, &ok);
	set_interval(r, walsh, count, a);
	free(walsh);
	return ok;
}

/* ------------------------------------------------------------------ */
/* Unpaired: Mann-Whitney U                                            */

static bool rank_sum_p(const double *x, long n, const double *y, long m, struct rank_result *r)
{
	long total_n = n + m, ry2 = 0;
	struct ranked *v = malloc((size_t)total_n * sizeof *v);
	long *rank2 = malloc((size_t)total_n * sizeof *rank2);
	bool ok = v && rank2;
	if (ok) {
		for (long i = 0; i < n; i++)
			v[i] = (struct ranked){x[i], 0};
		for (long j = 0; j < m; j++)
			v[n + j] = (struct ranked){y[j], 1};
		double ties = doubled_midranks(v, total_n, rank2);
		for (long i = 0; i < total_n; i++)
			ry2 += v[i].group ? rank2[i] : 0;
		double nn = (double)n, mm = (double)m, big = (double)total_n;
		r->statistic = (double)ry2 / 2 - mm * (mm + 1) / 2;
		r->exact = total_n <= RANK_EXACT_MAX;
		if (r->exact) {
			long total = total_n * (total_n + 1);
			double *c = malloc((size_t)(total + 1) * sizeof *c);
			ok = c && k_subset_sum_counts(rank2, total_n, m, total, c);
			if (ok)
				r->p_value = two_sided_p(c, total, ry2);
			free(c);
		} else {
			r->p_value = normal_p(r->statistic, nn * mm / 2,
					      nn * mm / 12 * ((big + 1) - ties / (big * (big - 1))));
		}
	}
	free(v);
	free(rank2);
	return ok;
}

/* The interval count a for U with samples of n and m, no ties. */
static long rank_sum_interval_count(long n, long m, double tail, bool *ok)
{
	long total_n = n + m;
	*ok = true;
	if (total_n > RANK_EXACT_MAX) {
		double nn = (double)n, mm = (double)m;
		return normal_interval_count(nn * mm / 2, sqrt(nn * mm * (nn + mm + 1) / 12), tail);
	}
	long total = total_n * (total_n + 1) / 2, score[RANK_EXACT_MAX] = {0};
	double c[RANK_EXACT_MAX * (RANK_EXACT_MAX + 1) / 2 + 1];
	for (long i = 0; i < total_n; i++)
		score[i] = i + 1;
	if (!(*ok = k_subset_sum_counts(score, total_n, m, total, c)))
		return 0;
	return exact_interval_count(c, total, m * (m + 1) / 2, tail);
}

bool rank_sum(const double *x, long n, const double *y, long m, double confidence,
	      struct rank_result *r)
{
	memset(r, 0, sizeof *r);
	r->n = n;
	r->m = m;
	r->confidence = confidence;
	if (!rank_sum_p(x, n, y, m, r))
		return false;
	long count = n * m, k = 0;
	double *diff = malloc((size_t)count * sizeof *diff);
	if (!diff)
		return false;
	for (long i = 0; i < n; i++)
		for (long j = 0; j < m; j++)
			diff[k++] = y[j] - x[i];
	qsort(diff, (size_t)count, sizeof *diff, compare_doubles);
	bool ok;
	long a = rank_sum_interval_count(n, m, (1 - confidence) / 2, &ok);
	set_interval(r, diff, count, a);
	free(diff);
	return ok;
}
