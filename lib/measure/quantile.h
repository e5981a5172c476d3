/* quantile.h - nearest-rank p95 of a sample array, shared by lib/measure and lib/market. */
#ifndef SOAK_QUANTILE_H
#define SOAK_QUANTILE_H

#include <stddef.h>

/*
 * The nearest-rank 95th percentile of v[0..n): the smallest value with at
 * least 95% of the samples at or below it; 0 when n is 0.  Reorders v
 * (quickselect, linear time on average).
 */
double quantile_p95(double *v, size_t n);

#endif
