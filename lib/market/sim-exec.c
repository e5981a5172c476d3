/*
 * sim-exec.c - the exchange side of the simulation: the gateway (load,
 * latencies, the two connections), our quotes' queue positions, the
 * market orders that fill them and the execution events.  Prices are in
 * bps of the opening mid and sizes in quote-currency notional; events
 * carry prices around a reference of 100 and quantities in base units.
 */
#include "sim-internal.h"

#include <math.h>

#define REF_PRICE 100.0

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
	s->rate *= decay((s->t - s->rate_time) / s->m->load_window_s);
	s->rate_time = s->t;
	double rho = s->load_scale * s->rate;
	s->load_time = s->t;
	s->load_value = rho < s->m->max_load ? rho : s->m->max_load;
	return s->load_value;
}

double sim_stale_delay(struct sim *s)
{
	return s->stale_fixed + s->md_backlog;
}

/*
 * The cold market-data handler shares its thread with the bot's order
 * traffic, which costs it cold_weight x load / stale_nominal_load of its
 * time: above 1 the handler is overrun and its backlog (the feed delay)
 * grows at stale_gain x (utilisation - 1) seconds per second, at most 1
 * (a frozen feed); below 1 it catches up at the same rate.
 */
void sim_handler_tick(struct sim *s)
{
	double utilisation = s->handler_scale * sim_load(s);
	double growth = s->m->stale_gain * (utilisation - 1.0);
	if (growth > 1.0)
		growth = 1.0;
	s->md_backlog += growth * s->dt;
	if (s->md_backlog < 0.0)
		s->md_backlog = 0.0;
}

void sim_derive_constants(struct sim *s)
{
	const struct sim_market *m = s->m;
	double limit = sim_param(s, P_POSITION_LIMIT_NOTIONAL);
	double q = sim_param(s, P_IMPACT_CAP_RATIO) * m->displayed_depth;
	double cost = m->taker_fee_bps + m->touch_half_bps;
	s->limit = limit;
	s->half_spread = m->base_half_spread_bps + sim_param(s, P_BASE_SPREAD_BPS_DELTA);
	s->quote_size = nearbyint((q < limit / 2.0 ? q : limit / 2.0) / SIM_UNIT) * SIM_UNIT;
	s->move_step = sim_param(s, P_MAX_DELTA_RATIO) * 2.0 * s->half_spread;
	s->skew_per_inv = m->skew_bps_at_limit / limit;
	s->tail_age_s = sim_param(s, P_TAIL_AGE_MS) / 1000.0;
	s->min_interval_s = sim_param(s, P_MIN_INTERVAL_MS) / 1000.0;
	s->token_rate = sim_param(s, P_REPLACE_RATE_PER_MIN) / 60.0;
	s->token_cap = s->token_rate * m->token_burst_s < 1.0 ? 1.0 : s->token_rate * m->token_burst_s;
	/* urgency >= min edge  <=>  |exposure| >= this level */
	s->rescue_trigger = limit * (sim_param(s, P_RESCUE_MIN_EDGE_BPS) + cost) / m->rescue_urgency_bps;
	s->rescue_max_size = sim_param(s, P_RESCUE_MAX_RATIO) * limit;
	s->rescue_cooldown_s = sim_param(s, P_RESCUE_COOLDOWN_MS) / 1000.0;
	s->load_scale = s->cold * 60.0 / m->capacity_per_min;
	s->service_s = s->load_scale;
	/* the cold market-data handler: slower, and overrun above stale_nominal_load at full cold */
	s->stale_fixed = (m->stale_base_ms + s->stale_cold_now_ms) / 1000.0;
	s->handler_scale = s->cold_weight / m->stale_nominal_load;
	s->concurrency = sim_param(s, P_CONCURRENCY_LIMIT);
}

/* --- events ------------------------------------------------------------- */

static double grid(double x, double scale)
{
	return nearbyint(x * scale) / scale;
}

/* The decimal text of id (> 0) into buf. */
static void put_id(char *buf, long id)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + id % 10);
		id /= 10;
	} while (id > 0);
	for (int i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
}

void sim_emit(struct sim *s, enum soak_event_type type, long id)
{
	struct soak_event *e = &s->ev;
	e->type = type;
	e->t = grid(s->t, 1e6);
	if (id > 0)
		put_id(e->id, id);
	else
		e->id[0] = '\0';
	s->st->events++;
	s->sink.fn(s->sink.ctx, e);
}

double sim_price(double bps)
{
	return grid(REF_PRICE * (1.0 + bps / 1e4), 1e8);
}

/* A fill of our order id on side sd (BID buys) of `units` (SIM_UNIT notional each): reported later. */
static void book_fill(struct sim *s, long id, int sd, double price_bps, double units, bool maker,
		      bool rescue)
{
	double size = (sd == BID ? 1.0 : -1.0) * units * SIM_UNIT;
	s->true_pos += size;
	sim_respond(s, (struct report){ 0, id, R_FILL, sd, size, price_bps, maker, rescue });
}

/* --- our quotes in the book ------------------------------------------------ */

/* Orders ahead of ours leave the queue by cancellation (a Poisson thinning). */
static double queue_ahead(struct sim *s, struct live *q)
{
	if (q->ahead > 0 && s->t > q->ahead_time)
		q->ahead *= decay((s->t - q->ahead_time) / s->m->queue_turnover_s);
	q->ahead_time = s->t;
	return q->ahead;
}

/* Our quote on side sd trades `size` notional (at most what is left) at its price. */
static void maker_fill(struct sim *s, int sd, double size)
{
	struct live *q = &s->live[sd];
	double units = nearbyint(size / SIM_UNIT);
	if (units > q->units)
		units = q->units;
	if (units <= 0)
		return;
	book_fill(s, q->id, sd, q->price, units, true, false);
	q->units -= units;
	if (q->units <= 0)
		q->on = false;
}

/*
 * A market order of `size` reaches our level on side sd: the queue ahead
 * trades first.  Returns whether anything was left for our quote.
 */
static bool trade_at_level(struct sim *s, int sd, double size)
{
	struct live *q = &s->live[sd];
	double ahead = queue_ahead(s, q);
	double rest = size - ahead;
	q->ahead = rest > 0 ? 0.0 : ahead - size;
	if (rest > 0)
		maker_fill(s, sd, rest);
	return rest > 0;
}

void sim_sweep(struct sim *s)
{
	double mid = sim_mid(s);
	if (s->live[BID].on && s->live[BID].price >= mid)
		maker_fill(s, BID, s->live[BID].units * SIM_UNIT);
	if (s->live[ASK].on && s->live[ASK].price <= mid)
		maker_fill(s, ASK, s->live[ASK].units * SIM_UNIT);
}

void sim_market_order(struct sim *s, int sd)
{
	/*
	 * One draw per order whatever our quotes are (common random numbers):
	 * its high half decides whether it reaches our level, its low half the size.
	 */
	uint64_t bits = soak_rng_next(&s->flow_rng);
	double u_fill = (double)(bits >> 32) * 0x1.0p-32;
	double u_size = ((double)(bits & 0xffffffffu) + 1.0) * 0x1.0p-32;
	s->next_mo[sd] = s->t + soak_rng_exponential(&s->flow_rng, 1.0 / s->m->market_orders_per_s);
	struct live *q = &s->live[sd];
	if (!q->on)
		return;
	double mid = sim_mid(s);
	double delta = sd == BID ? mid - q->price : q->price - mid;
	double prob = delta <= 0 ? 1.0 : s->m->fill_a * exp(-s->m->fill_k_per_bps * delta);
	if (u_fill < prob)
		trade_at_level(s, sd, -s->m->market_order_size_mean * log(u_size));
}

void sim_informed_order(struct sim *s)
{
	double size = soak_rng_exponential(&s->informed_rng, s->m->informed_size_mean);
	s->next_informed = s->t + soak_rng_exponential(&s->informed_rng, 1.0 / s->m->informed_orders_per_s);
	long ahead = (long)floor((s->t + s->m->informed_horizon_s) / s->dt);
	double future = s->path[ahead < s->n_ticks ? ahead : s->n_ticks - 1];
	struct live *bid = &s->live[BID], *ask = &s->live[ASK];
	bool filled = false;
	if (ask->on && future > ask->price)
		filled = trade_at_level(s, ASK, size);
	else if (bid->on && future < bid->price)
		filled = trade_at_level(s, BID, size);
	if (filled)
		s->st->informed_fills++;
}

/* --- the two connections ------------------------------------------------- */

/*
 * Latency (seconds) of one message now: the wire and a cold gateway.  On
 * the response path (acks, fill reports) a cold gateway's sessions, still
 * being set up, make each message wait as in a queue, rho / (1 - rho)
 * times the cold weight; order entry has its own queue in sim_send (one
 * order per service time), where load costs time once warm or cold.
 */
static double latency(struct sim *s, double base_ms, bool response)
{
	double wait = 1.0;
	if (response) {
		double rho = sim_load(s);
		wait += s->cold_weight * rho / (1.0 - rho);
	}
	return base_ms * s->cold * wait * exp(s->m->latency_sigma * soak_rng_normal(&s->lat_rng)) / 1000.0;
}

void sim_respond(struct sim *s, struct report r)
{
	struct fifo_reports *f = &s->response;
	double at = s->t + latency(s, s->m->response_base_ms, true);
	if (at < f->last)
		at = f->last;   /* one connection: reports keep their order */
	f->last = at;
	r.arrive = at;
	while (f->len == MSG_RING)   /* not expected: deliver the oldest at once */
		sim_report(s);
	f->v[(f->head + f->len++) % MSG_RING] = r;
}

long sim_send(struct sim *s, enum order_kind kind, int sd, double price, double size, long target,
	      double ahead)
{
	struct fifo_orders *f = &s->entry;
	while (f->len == MSG_RING)   /* not expected: let the oldest arrive first */
		sim_arrive(s);
	double at = s->t + latency(s, s->m->latency_base_ms, false);
	s->load_time = -1.0;   /* the rate changes below */
	s->rate += 1.0 / s->m->load_window_s;
	/* the gateway takes one order per service time: a burst queues */
	if (at < f->last + s->service_s)
		at = f->last + s->service_s;
	f->last = at;
	long id = kind == PULL ? target : ++s->next_id;
	f->v[(f->head + f->len++) % MSG_RING] = (struct order){ id, at, price, size, ahead, sd, kind };
	s->st->order_count++;
	if (kind == PULL) {
		s->st->pull_count++;
		return id;
	}
	struct soak_event *e = &s->ev;
	e->side = sd == BID ? SOAK_BUY : SOAK_SELL;
	e->kind = kind == RESCUE ? SOAK_RESCUE : SOAK_QUOTE;
	e->price = sim_price(price);
	e->qty = nearbyint(fabs(size) / SIM_UNIT) / 1e6;
	sim_emit(s, SOAK_EV_SEND, id);
	return id;
}

/* Our quote on side sd leaves the book (replaced or pulled): the bot hears of it later. */
static void cancel_live(struct sim *s, int sd)
{
	struct live *q = &s->live[sd];
	if (!q->on)
		return;
	q->on = false;
	sim_respond(s, (struct report){ 0, q->id, R_CANCEL, sd, q->units * SIM_UNIT, 0, false, false });
}

/*
 * A rescue is an immediate-or-cancel order limited to the price the bot
 * is willing to pay: it fills at the touch plus impact, or is rejected
 * when the true mid has moved past its limit (a stale view).
 */
static void rescue_arrives(struct sim *s, const struct order *o)
{
	double sign = o->size > 0 ? 1.0 : -1.0;
	double size = fabs(o->size);
	double cost = s->m->touch_half_bps + s->m->taker_impact_bps_per_1000 * size / 1000.0;
	double price = sim_mid(s) + sign * cost;
	if (sign * (price - o->price) > 0) {
		sim_respond(s, (struct report){ 0, o->id, R_REJECT, o->side, o->size, 0, false, true });
		return;
	}
	sim_respond(s, (struct report){ 0, o->id, R_ACK, o->side, 0, 0, false, true });
	book_fill(s, o->id, sign > 0 ? BID : ASK, price, nearbyint(size / SIM_UNIT), false, true);
}

void sim_arrive(struct sim *s)
{
	struct fifo_orders *f = &s->entry;
	struct order o = f->v[f->head];
	f->head = (f->head + 1) % MSG_RING;
	f->len--;
	if (o.kind == RESCUE) {
		rescue_arrives(s, &o);
		return;
	}
	struct live *q = &s->live[o.side];
	if (o.kind == PULL) {
		bool hit = q->on && q->id == o.id;
		if (hit)
			cancel_live(s, o.side);
		sim_respond(s, (struct report){ 0, o.id, R_PULL_DONE, o.side, 0, 0, false, false });
		return;
	}
	cancel_live(s, o.side);   /* a replace: the old quote goes, its place in the queue too */
	*q = (struct live){ true, o.id, o.price, nearbyint(o.size / SIM_UNIT), o.ahead, s->t, s->t };
	sim_respond(s, (struct report){ 0, o.id, R_ACK, o.side, 0, 0, false, false });
}
