/* sim-series.c - the growable sample arrays of sim.c and their p95. */
#include "sim-internal.h"

#include <stdlib.h>

void sim_series_clear(struct sim_series *s)
{
	s->n = 0;
}

bool sim_series_push(struct sim_series *s, double x)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		double *v = realloc(s->v, cap * sizeof *v);
		if (!v)
			return false;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = x;
	return true;
}

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

double sim_series_p95(struct sim_series *s)
{
	if (s->n == 0)
		return 0.0;
	/* nearest rank: the smallest value with at least 95% at or below it */
	size_t rank = (size_t)((s->n * 95 + 99) / 100);
	return select_kth(s->v, s->n, rank - 1);
}

void sim_buffers_free(struct sim_buffers *b)
{
	struct sim_series *all[] = { &b->latency, &b->age, &b->adverse,
				     &b->slippage, &b->inventory, &b->stale };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		free(all[i]->v);
		all[i]->v = NULL;
		all[i]->n = all[i]->cap = 0;
	}
}
