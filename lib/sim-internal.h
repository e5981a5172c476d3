/* sim-internal.h - helpers shared by the sim-*.c files; not an interface. */
#ifndef SOAK_SIM_INTERNAL_H
#define SOAK_SIM_INTERNAL_H

#include <stdbool.h>
#include "sim.h"

/* Forget the samples, keep the memory. */
void sim_series_clear(struct sim_series *s);

/* Append x; false when memory runs out. */
bool sim_series_push(struct sim_series *s, double x);

/* Nearest-rank 95th percentile (reorders the samples); 0 when empty. */
double sim_series_p95(struct sim_series *s);

#endif
