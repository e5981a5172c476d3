/*
 * sim-exec.c - the exchange side of the simulation: fills, markouts, order
 * arrival and latency.  Prices are in bps relative to the opening mid and
 * sizes in quote-currency notional, so a fill of q at price x costs
 * q * (1 + x/1e4) and PnL can be kept in bps-notional units.
 */
#include "sim-internal.h"

#include <math.h>

double sim_load(const struct sim *s)
{
	double rate = s->rate * exp(-(s->t - s->rate_time) / s->m->load_window_s);
	double rho = s->cold * rate * 60.0 / s->m->capacity_per_min;
	return rho < s->m->max_load ? rho : s->m->max_load;
}

double sim_stale_delay(const struct sim *s)
{
	double d = s->stale_warm_ms * (1.0 - s->m->stale_nominal_load) / (1.0 - sim_load(s)) / 1000.0;
	double cap = (RING - 2) * s->dt;
	return d < cap ? d : cap;
}

double sim_half_spread(const struct sim *s)
{
	return s->m->base_half_spread_bps + sim_param(s, P_BASE_SPREAD_BPS_DELTA);
}

double sim_quote_size(const struct sim *s)
{
	double q = sim_param(s, P_IMPACT_CAP_RATIO) * s->m->displayed_depth;
	double limit = sim_param(s, P_POSITION_LIMIT_NOTIONAL);
	return q < limit ? q : limit;
}

/* --- fills ------------------------------------------------------------ */

/* We trade size_signed (> 0 buy) at price: book it, queue its markout. */
static void book_trade(struct sim *s, double size_signed, double price)
{
	s->inv += size_signed;
	s->cash -= size_signed * price;
	s->traded += fabs(size_signed);
}

void sim_maker_fill(struct sim *s, int sd, double size)
{
	struct side *q = &s->side[sd];
	double sign = sd == BID ? 1.0 : -1.0;
	if (size > q->size)
		size = q->size;
	book_trade(s, sign * size, q->price);
	s->fees += size * s->m->maker_fee_bps;
	s->gross += size * sign * (s->mid - q->price);
	s->k->maker_count++;
	s->k->maker_volume += size;
	if (s->mq_len == MARKOUT_QUEUE) {   /* never expected: settle the oldest now */
		s->mq_head = (s->mq_head + 1) % MARKOUT_QUEUE;
		s->mq_len--;
	}
	s->mq[(s->mq_head + s->mq_len++) % MARKOUT_QUEUE] = (struct pending_markout){
		s->t + s->m->markout_s, s->mid, q->price, sign * size };
	q->size -= size;
	if (q->size > 1e-9)
		return;
	sim_push(s, &s->buf->age, (s->t - q->live_since) * 1000.0);
	q->live = false;
	if (q->live_send == q->sent_time && q->sent_quote)
		q->fill_time = s->t;    /* the bot's latest order: it learns late */
}

/* Settle markouts due by now (all of them when `all`). */
void sim_settle_markouts(struct sim *s, bool all)
{
	while (s->mq_len > 0) {
		struct pending_markout *f = &s->mq[s->mq_head];
		if (!all && f->time > s->t)
			break;
		double sign = f->size_signed > 0 ? 1.0 : -1.0;
		double size = fabs(f->size_signed);
		s->adverse += size * sign * (f->mid - s->mid);
		sim_push(s, &s->buf->adverse, sign * (f->price - s->mid));
		s->mq_head = (s->mq_head + 1) % MARKOUT_QUEUE;
		s->mq_len--;
	}
}

/* A market order on side sd (a sell hits our bid, a buy lifts our ask). */
void sim_market_order(struct sim *s, int sd)
{
	double u = soak_rng_uniform(&s->flow_rng);
	double size = soak_rng_exponential(&s->flow_rng, s->m->market_order_size_mean);
	s->next_mo[sd] = s->t + soak_rng_exponential(&s->flow_rng, 1.0 / s->m->market_orders_per_s);
	struct side *q = &s->side[sd];
	if (!q->live)
		return;
	double delta = sd == BID ? s->mid - q->price : q->price - s->mid;
	double prob = delta <= 0 ? 1.0 : s->m->fill_a * exp(-s->m->fill_k_per_bps * delta);
	if (u < prob)
		sim_maker_fill(s, sd, size);
}

/* --- orders ------------------------------------------------------------ */

static void record_cancel(struct sim *s, struct side *q)
{
	s->k->cancel_count++;
	sim_push(s, &s->buf->age, (s->t - q->live_since) * 1000.0);
}

static void rescue_fill(struct sim *s, const struct order *o)
{
	double sign = o->size > 0 ? 1.0 : -1.0;
	double size = fabs(o->size);
	double cost = s->m->touch_half_bps + s->m->taker_impact_bps_per_1000 * size / 1000.0;
	double price = s->mid + sign * cost;
	book_trade(s, o->size, price);
	s->fees += size * s->m->taker_fee_bps;
	double slip = sign * (price - o->mid_at_decision);
	s->slippage += size * slip;
	sim_push(s, &s->buf->slippage, slip);
	s->k->taker_count++;
	s->k->taker_volume += size;
	s->rescue_inflight = false;
}

void sim_arrive(struct sim *s, int idx)
{
	struct order o = s->inflight[idx];
	s->inflight[idx] = s->inflight[--s->n_inflight];
	if (o.kind == RESCUE) {
		rescue_fill(s, &o);
		return;
	}
	struct side *q = &s->side[o.side];
	if (o.send <= q->live_send) {   /* overtaken by a newer order */
		if (o.kind == QUOTE)
			s->k->cancel_count++;
		return;
	}
	if (q->live)
		record_cancel(s, q);
	q->live_send = o.send;
	q->live = o.kind == QUOTE;
	if (q->live) {
		q->price = o.price;
		q->size = o.size;
		q->live_since = s->t;
	}
}

int sim_next_arrival(const struct sim *s)
{
	int best = -1;
	for (int i = 0; i < s->n_inflight; i++)
		if (best < 0 || s->inflight[i].arrive < s->inflight[best].arrive)
			best = i;
	return best;
}

void sim_send(struct sim *s, enum order_kind kind, int sd, double price, double size)
{
	double rho = sim_load(s);
	double ms = s->m->latency_base_ms * s->cold / (1.0 - rho) *
		    exp(s->m->latency_sigma * soak_rng_normal(&s->lat_rng));
	sim_push(s, &s->buf->latency, ms);
	s->inflight[s->n_inflight++] = (struct order){
		s->t, s->t + ms / 1000.0, price, size, s->mid, sd, kind };
	s->rate = s->rate * exp(-(s->t - s->rate_time) / s->m->load_window_s) +
		  1.0 / s->m->load_window_s;
	s->rate_time = s->t;
	s->k->order_count++;
	if (kind == RESCUE)
		return;
	s->last_action = s->t;
	s->tokens -= 1.0;
	struct side *q = &s->side[sd];
	q->sent_quote = kind == QUOTE;
	q->sent_price = price;
	q->sent_time = s->t;
	q->fill_time = INFINITY;
	if (kind == PULL)
		s->k->pull_count++;
}

