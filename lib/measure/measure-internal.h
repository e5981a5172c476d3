/* measure-internal.h - what measure.c, measure-orders.c and measure-series.c share; not an interface. */
#ifndef SOAK_MEASURE_INTERNAL_H
#define SOAK_MEASURE_INTERNAL_H

#include "measure.h"

/* Most orders open at once (a bound on the table's memory, about 100 MB). */
#define MEASURE_MAX_OPEN_ORDERS (1 << 20)

/* An open order. */
struct measure_order {
	char id[SOAK_EVENT_ID_MAX];    /* "" marks a free slot */
	size_t hash;                   /* of id */
	double send_t, ack_t, mid_at_send, qty, remaining;
	enum soak_side side;
	enum soak_order_kind kind;
	bool acked;
};

/* A maker fill waiting for its markouts. */
struct measure_pending {
	double t, mid, signed_qty;
};

/* Make room in s for one more sample; false (and m->oom) when memory runs out. */
bool measure_series_grow(struct measure *m, struct measure_series *s);

/* Append x to s; running out of memory is reported by measure_finish. */
static inline void measure_push(struct measure *m, struct measure_series *s, double x)
{
	if (s->n == s->cap && !measure_series_grow(m, s))
		return;
	s->v[s->n++] = x;
}

/* Nearest-rank 95th percentile of s (reorders it); 0 when empty. */
double measure_p95(struct measure_series *s);

/*
 * Time-weighted 95th percentile of s, read as (value, weight) pairs: the
 * smallest value with at least 95% of the weight at or below it
 * (reorders s); 0 when the weight is 0.
 */
double measure_weighted_p95(struct measure_series *s);

/* Queue a maker fill for its markouts; false (err) when the queue cannot grow. */
bool measure_pending_push(struct measure *m, struct measure_pending f, char *err);

/* Forget every open order, keep the table. */
void measure_orders_clear(struct measure *m);

/* The order events: update the open orders and the counts and samples they feed. */
bool measure_order_send(struct measure *m, const struct soak_event *e, char *err);
bool measure_order_ack(struct measure *m, const struct soak_event *e, char *err);
bool measure_order_cancel(struct measure *m, const struct soak_event *e, char *err);
bool measure_order_reject(struct measure *m, const struct soak_event *e, char *err);

/* A fill of an open order: checks side and quantity, sets *decision_mid (the mid at its send). */
bool measure_order_fill(struct measure *m, const struct soak_event *e, double *decision_mid,
			char *err);

#endif
