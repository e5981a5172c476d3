/* quantile.c - nearest-rank p95 by quickselect. */
#include "quantile.h"

static void swap(double *a, double *b)
{
	double t = *a;
	*a = *b;
	*b = t;
}

/* Hoare-style quickselect: after it, v[k] holds the k-th smallest. */
static double select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				swap(&v[i], &v[j]);
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

double quantile_p95(double *v, size_t n)
{
	if (n == 0)
		return 0.0;
	/* nearest rank: the smallest value with at least 95% at or below it */
	size_t rank = (n * 95 + 99) / 100;
	return select_kth(v, n, rank - 1);
}
