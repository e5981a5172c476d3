/* measure-series.c - the accumulator's sample arrays, quantiles and markout queue. */
#include "measure-internal.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Longest markout queue: more maker fills than this within one horizon is refused. */
#define PENDING_MAX ((size_t)1 << 24)

bool measure_series_grow(struct measure *m, struct measure_series *s)
{
	size_t cap = s->cap ? 2 * s->cap : 1024;
	double *v = realloc(s->v, cap * sizeof *v);
	if (!v) {
		m->oom = true;
		return false;
	}
	s->v = v;
	s->cap = cap;
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

double measure_p95(struct measure_series *s)
{
	if (s->n == 0)
		return 0.0;
	/* nearest rank: the smallest value with at least 95% at or below it */
	size_t rank = (s->n * 95 + 99) / 100;
	return select_kth(s->v, s->n, rank - 1);
}

static void swap_pair(double *v, size_t a, size_t b)
{
	swap(&v[2 * a], &v[2 * b]);
	swap(&v[2 * a + 1], &v[2 * b + 1]);
}

/*
 * Three-way partition of pairs [lo, hi) around pivot value p: on return
 * [lo, *lt) < p, [*lt, *gt) == p, [*gt, hi) > p, and *w_lt, *w_eq hold the
 * weights of the first two parts.
 */
static void partition3(double *v, size_t lo, size_t hi, double p, size_t *lt, size_t *gt,
		       double *w_lt, double *w_eq)
{
	size_t a = lo, i = lo, b = hi;
	double below = 0, at = 0;
	while (i < b) {
		if (v[2 * i] < p) {
			below += v[2 * i + 1];
			swap_pair(v, a++, i++);
		} else if (v[2 * i] > p) {
			swap_pair(v, i, --b);
		} else {
			at += v[2 * i + 1];
			i++;
		}
	}
	*lt = a;
	*gt = b;
	*w_lt = below;
	*w_eq = at;
}

double measure_weighted_p95(struct measure_series *s)
{
	size_t lo = 0, hi = s->n / 2;
	double total = 0;
	for (size_t i = lo; i < hi; i++)
		total += s->v[2 * i + 1];
	if (total <= 0)
		return 0.0;
	double need = 0.95 * total;     /* weight still to cover at or below the answer */
	while (hi > lo) {
		double pivot = s->v[2 * (lo + (hi - lo) / 2)];
		size_t lt, gt;
		double below, at;
		partition3(s->v, lo, hi, pivot, &lt, &gt, &below, &at);
		if (below >= need && lt > lo) {
			hi = lt;
		} else if (below + at >= need || gt == hi) {
			return pivot;
		} else {
			need -= below + at;
			lo = gt;
		}
	}
	return s->v[2 * lo];
}

/* Double the ring (a power of two), keeping each fill at its sequence number modulo the new size. */
static bool grow_pending(struct measure *m)
{
	size_t cap = m->pend_cap ? 2 * m->pend_cap : 256;
	if (cap > PENDING_MAX)
		return false;
	struct measure_pending *p = malloc(cap * sizeof *p);
	if (!p)
		return false;
	for (size_t seq = m->pend_head; seq < m->pend_head + m->pend_n; seq++)
		p[seq & (cap - 1)] = m->pending[seq & (m->pend_cap - 1)];
	free(m->pending);
	m->pending = p;
	m->pend_cap = cap;
	return true;
}

bool measure_pending_push(struct measure *m, struct measure_pending f, char *err)
{
	if (m->pend_n == m->pend_cap && !grow_pending(m))
		return soak_errorf(err, "more than %zu maker fills within one markout horizon",
				   m->pend_cap);
	m->pending[(m->pend_head + m->pend_n) & (m->pend_cap - 1)] = f;
	m->pend_n++;
	return true;
}
