/*
 * measure-orders.c - the open orders of the accumulator: an open-addressing
 * table keyed by order id (linear probing, backward-shift deletion), and
 * what each order event does to the counts and samples.
 */
#include "measure-internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* FNV-1a of the id. */
static size_t hash_id(const char *id)
{
	uint64_t h = 1469598103934665603ull;
	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ull;
	return (size_t)h;
}

void measure_orders_clear(struct measure *m)
{
	for (size_t i = 0; i < m->order_cap; i++)
		m->orders[i].id[0] = '\0';
	m->order_n = 0;
}

/* Slot of id (whose hash is h), or of the free slot where it would go. */
static size_t slot_of(const struct measure *m, const char *id, size_t h)
{
	size_t mask = m->order_cap - 1;
	size_t i = h & mask;
	while (m->orders[i].id[0] && (m->orders[i].hash != h || strcmp(m->orders[i].id, id) != 0))
		i = (i + 1) & mask;
	return i;
}

static struct measure_order *find(struct measure *m, const char *id)
{
	if (m->order_cap == 0)
		return NULL;
	struct measure_order *o = &m->orders[slot_of(m, id, hash_id(id))];
	return o->id[0] ? o : NULL;
}

/* Double the table (at least 64 slots); false when memory runs out. */
static bool grow(struct measure *m)
{
	size_t cap = m->order_cap ? 2 * m->order_cap : 64;
	struct measure_order *old = m->orders;
	size_t old_cap = m->order_cap;
	m->orders = calloc(cap, sizeof *m->orders);
	if (!m->orders) {
		m->orders = old;
		return false;
	}
	m->order_cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].id[0])
			m->orders[slot_of(m, old[i].id, old[i].hash)] = old[i];
	free(old);
	return true;
}

/* Remove the order at o, shifting back the ones probed past it. */
static void remove_order(struct measure *m, struct measure_order *o)
{
	size_t mask = m->order_cap - 1;
	size_t hole = (size_t)(o - m->orders);
	for (size_t i = (hole + 1) & mask; m->orders[i].id[0]; i = (i + 1) & mask) {
		size_t home = m->orders[i].hash & mask;
		/* move i into the hole when its home is not in (hole, i] cyclically */
		if (((i - home) & mask) >= ((i - hole) & mask)) {
			m->orders[hole] = m->orders[i];
			hole = i;
		}
	}
	m->orders[hole].id[0] = '\0';
	m->order_n--;
}

static struct measure_order *open_order(struct measure *m, const struct soak_event *e, char *err)
{
	struct measure_order *o = find(m, e->id);
	if (!o)
		soak_errorf(err, "'%s' of order '%s', which is not open", soak_event_name(e->type), e->id);
	return o;
}

bool measure_order_send(struct measure *m, const struct soak_event *e, char *err)
{
	if (!m->have_mid)
		return soak_errorf(err, "'send' before any mid (a 'mid' or both 'bid' and 'ask')");
	if (m->order_n >= MEASURE_MAX_OPEN_ORDERS)
		return soak_errorf(err, "more than %d orders open at once", MEASURE_MAX_OPEN_ORDERS);
	if (2 * (m->order_n + 1) > m->order_cap && !grow(m))
		return soak_errorf(err, "out of memory");
	size_t h = hash_id(e->id);
	struct measure_order *o = &m->orders[slot_of(m, e->id, h)];
	if (o->id[0])
		return soak_errorf(err, "order '%s' sent while already open", e->id);
	strcpy(o->id, e->id);
	o->hash = h;
	o->send_t = e->t;
	o->ack_t = 0;
	o->mid_at_send = m->mid;
	o->qty = o->remaining = e->qty;
	o->side = e->side;
	o->kind = e->kind;
	o->acked = false;
	m->order_n++;
	m->k.order_count++;
	if (e->kind == SOAK_QUOTE)
		m->k.quote_count++;
	else
		m->k.rescue_count++;
	return true;
}

bool measure_order_ack(struct measure *m, const struct soak_event *e, char *err)
{
	struct measure_order *o = open_order(m, e, err);
	if (!o)
		return false;
	if (o->acked)
		return soak_errorf(err, "a second 'ack' of order '%s'", e->id);
	o->acked = true;
	o->ack_t = e->t;
	m->k.ack_count++;
	measure_push(m, &m->latency, (e->t - o->send_t) * 1000.0);
	return true;
}

/* A quote leaves the book now: its age since the ack is a sample. */
static void off_book(struct measure *m, struct measure_order *o)
{
	if (o->kind == SOAK_QUOTE && o->acked)
		measure_push(m, &m->age, (m->t - o->ack_t) * 1000.0);
	remove_order(m, o);
}

bool measure_order_cancel(struct measure *m, const struct soak_event *e, char *err)
{
	struct measure_order *o = open_order(m, e, err);
	if (!o)
		return false;
	if (o->kind == SOAK_QUOTE)
		m->k.cancel_count++;
	off_book(m, o);
	return true;
}

bool measure_order_reject(struct measure *m, const struct soak_event *e, char *err)
{
	struct measure_order *o = open_order(m, e, err);
	if (!o)
		return false;
	m->k.reject_count++;
	remove_order(m, o);
	return true;
}

bool measure_order_fill(struct measure *m, const struct soak_event *e, double *decision_mid,
			char *err)
{
	struct measure_order *o = open_order(m, e, err);
	if (!o)
		return false;
	if (o->side != e->side)
		return soak_errorf(err, "fill on the %s side of order '%s', a %s",
				   e->side == SOAK_BUY ? "buy" : "sell", e->id,
				   o->side == SOAK_BUY ? "buy" : "sell");
	double slack = 1e-9 * o->qty;   /* rounding of partial fills */
	if (e->qty > o->remaining + slack)
		return soak_errorf(err, "fill of %.17g overfills order '%s' (%.17g open)",
				   e->qty, e->id, o->remaining);
	*decision_mid = o->mid_at_send;
	o->remaining -= e->qty;
	if (o->remaining <= slack)
		off_book(m, o);
	return true;
}
