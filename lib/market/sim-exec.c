/*
 * sim-exec.c - the exchange side of the simulation: fills, markouts, order
 * arrival and latency.  Prices are in bps relative to the opening mid and
 * sizes in quote-currency notional, so a fill of q at price x costs
 * q * (1 + x/1e4) and PnL can be kept in bps-notional units.
 */
#include "sim-internal.h"

#include <math.h>

/* exp(-x) for the small steps between events; exact exp beyond. */
static double decay(double x)
{
	if (x < 0.02)   /* 4 terms: relative error below 1e-8 */
		return 1.0 - x * (1.0 - x * (0.5 - x * (1.0 / 6.0)));
	return exp(-x);
}

double sim_load(struct sim *s)
{
	if (s->load_time == s->t)   /* several calls at one instant */
		return s->load_value;
	/* bring the averaged rate to now in small steps (cheap decay) */
	s->rate *= decay((s->t - s->rate_time) / s->m->load_window_s);
	s->rate_time = s->t;
	double rho = s->load_scale * s->rate;
	s->load_time = s->t;
	s->load_value = rho < s->m->max_load ? rho : s->m->max_load;
	return s->load_value;
}

double sim_stale_delay(struct sim *s)
{
	double d = s->stale_scale / (1.0 - sim_load(s));
	double cap = (RING - 2) * s->dt;
	return d < cap ? d : cap;
}

void sim_derive_constants(struct sim *s)
{
	const struct sim_market *m = s->m;
	double limit = sim_param(s, P_POSITION_LIMIT_NOTIONAL);
	double q = sim_param(s, P_IMPACT_CAP_RATIO) * m->displayed_depth;
	double cost = m->taker_fee_bps + m->touch_half_bps;
	s->half_spread = m->base_half_spread_bps + sim_param(s, P_BASE_SPREAD_BPS_DELTA);
	s->quote_size = q < limit ? q : limit;
	s->move_step = sim_param(s, P_MAX_DELTA_RATIO) * 2.0 * s->half_spread;
	s->skew_per_inv = m->skew_bps_at_limit / limit;
	s->tail_age_s = sim_param(s, P_TAIL_AGE_MS) / 1000.0;
	s->min_interval_s = sim_param(s, P_MIN_INTERVAL_MS) / 1000.0;
	s->token_rate = sim_param(s, P_REPLACE_RATE_PER_MIN) / 60.0;
	s->token_cap = s->token_rate * m->token_burst_s < 1.0 ? 1.0 : s->token_rate * m->token_burst_s;
	/* urgency >= min edge  <=>  |inventory| >= this level */
	s->rescue_trigger = limit * (sim_param(s, P_RESCUE_MIN_EDGE_BPS) + cost) / m->rescue_urgency_bps;
	s->rescue_max_size = sim_param(s, P_RESCUE_MAX_RATIO) * limit;
	s->rescue_cooldown_s = sim_param(s, P_RESCUE_COOLDOWN_MS) / 1000.0;
	s->load_scale = s->cold * 60.0 / m->capacity_per_min;
	s->stale_scale = s->stale_warm_ms * (1.0 - m->stale_nominal_load) / 1000.0;
	s->concurrency = sim_param(s, P_CONCURRENCY_LIMIT);
}

/* --- fills ------------------------------------------------------------ */

static void settle_oldest(struct sim *s);

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
	if (s->mq_len == MARKOUT_QUEUE)   /* not expected: settle the oldest early */
		settle_oldest(s);
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
/* Settle the oldest pending markout against the mid of now. */
static void settle_oldest(struct sim *s)
{
	struct pending_markout *f = &s->mq[s->mq_head];
	double sign = f->size_signed > 0 ? 1.0 : -1.0;
	double size = fabs(f->size_signed);
	s->adverse += size * sign * (f->mid - s->mid);
	sim_push(s, &s->buf->adverse, sign * (f->price - s->mid));
	s->mq_head = (s->mq_head + 1) % MARKOUT_QUEUE;
	s->mq_len--;
}

void sim_settle_markouts(struct sim *s, bool all)
{
	while (s->mq_len > 0 && (all || s->mq[s->mq_head].time <= s->t))
		settle_oldest(s);
}

void sim_market_order(struct sim *s, int sd)
{
	/*
	 * One draw per order whatever our quotes are (common random numbers):
	 * its high half decides the fill, its low half the size.
	 */
	uint64_t bits = soak_rng_next(&s->flow_rng);
	double u_fill = (double)(bits >> 32) * 0x1.0p-32;
	double u_size = ((double)(bits & 0xffffffffu) + 1.0) * 0x1.0p-32;
	s->next_mo[sd] = s->t + soak_rng_exponential(&s->flow_rng, 1.0 / s->m->market_orders_per_s);
	struct side *q = &s->side[sd];
	if (!q->live)
		return;
	double delta = sd == BID ? s->mid - q->price : q->price - s->mid;
	double prob = delta <= 0 ? 1.0 : s->m->fill_a * exp(-s->m->fill_k_per_bps * delta);
	if (u_fill < prob)
		sim_maker_fill(s, sd, -s->m->market_order_size_mean * log(u_size));
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
	s->load_time = -1.0;   /* the rate changes below */
	double ms = s->m->latency_base_ms * s->cold / (1.0 - rho) *
		    exp(s->m->latency_sigma * soak_rng_normal(&s->lat_rng));
	sim_push(s, &s->buf->latency, ms);
	s->inflight[s->n_inflight++] = (struct order){
		s->t, s->t + ms / 1000.0, price, size, s->mid, sd, kind };
	s->rate += 1.0 / s->m->load_window_s;   /* sim_load above brought it to now */
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

