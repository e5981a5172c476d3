/*
 * rank-tests.h - the two rank tests soak-compare judges with, written
 * from their definitions: the Wilcoxon signed-rank test on paired
 * differences and the Mann-Whitney U (Wilcoxon rank-sum) test on two
 * independent samples, each with its Hodges-Lehmann estimate of the
 * shift and the confidence interval that inverts the test.
 *
 * Exact null distributions are counted by dynamic programming over the
 * (doubled, so that mid-ranks stay whole) ranks; with ties this is the
 * exact permutation distribution given the tie pattern.  Above
 * RANK_EXACT_MAX observations the normal approximation is used, with the
 * tie correction of the variance and a continuity correction of 1/2.
 */
#ifndef SOAK_RANK_TESTS_H
#define SOAK_RANK_TESTS_H

#include <stdbool.h>

/* Largest number of observations (paired: nonzero differences; unpaired:
 * both samples together) with an exact distribution. */
#define RANK_EXACT_MAX 50

/* The result of one test. */
struct rank_result {
	long n, m;            /* paired: n pairs (m = n); unpaired: n baseline, m candidate */
	bool exact;           /* exact distribution (else normal approximation) */
	double statistic;     /* paired: W+ (sum of the ranks of positive differences);
			       * unpaired: U = #{candidate > baseline} + #{equal}/2 */
	double p_value;       /* two-sided, for a shift of 0 */
	double estimate;      /* Hodges-Lehmann shift, candidate minus baseline */
	double lo, hi;        /* confidence interval of the shift; -/+INFINITY when the
			       * samples are too small to reach the level */
	double confidence;    /* the level the interval was asked for */
};

/*
 * The standard normal upper quantile: z with P(Z > z) = tail, for
 * 0 < tail < 1/2 (found by bisection on erfc; accurate to 1e-12).
 */
double rank_normal_upper_quantile(double tail);

/*
 * Wilcoxon signed-rank test of the n paired differences d[i] =
 * candidate - baseline (n >= 1), at the given confidence level
 * (0 < confidence < 1).  Zero differences are dropped for the p-value
 * (Wilcoxon's rule; p = 1 when every difference is 0) but kept for the
 * estimate and interval: the median of the n(n+1)/2 Walsh averages
 * (d[i] + d[j])/2, i <= j, and the interval between the a-th smallest
 * and the a-th largest of them, a the largest count with
 * P(W+ <= a - 1) <= (1 - confidence)/2 under the null of n untied ranks.
 * Returns false only when out of memory.  d is not changed.
 */
bool rank_signed_rank(const double *d, long n, double confidence, struct rank_result *r);

/*
 * Mann-Whitney U test of the candidate sample y[0..m-1] against the
 * baseline x[0..n-1] (n, m >= 1), at the given confidence level.  The
 * estimate is the median of the n*m differences y[j] - x[i], the
 * interval runs from their a-th smallest to their a-th largest, a the
 * largest count with P(U <= a - 1) <= (1 - confidence)/2 under the null
 * without ties.  Returns false only when out of memory.
 */
bool rank_sum(const double *x, long n, const double *y, long m, double confidence,
	      struct rank_result *r);

#endif
