/* sim-series.c - the growable sample arrays of sim.c and their p95. */
#include "sim-internal.h"

#include <stdlib.h>

#include "quantile.h"

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

double sim_series_p95(struct sim_series *s)
{
	return quantile_p95(s->v, s->n);
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
