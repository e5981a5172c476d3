/*
 * sim.c - the market-maker simulation behind soak-mock (see sim.h and
 * man/soak-mock.1): the mid path, the bot's decisions on what it knows
 * (a delayed feed, its own execution reports), and the event loop.  The
 * exchange side and the gateway are in sim-exec.c.
 */
#include "sim.h"
#include "sim-internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --- the bot ------------------------------------------------------------- */

static void refill_tokens(struct sim *s)
{
	s->tokens += (s->t - s->token_time) * s->token_rate;
	if (s->tokens > s->token_cap)
		s->tokens = s->token_cap;
	s->token_time = s->t;
}

/*
 * Earliest time a quote action is allowed (now when it is; INFINITY when
 * it waits for an acknowledgement).  A refresh only for age keeps half
 * the token bucket for repricing.
 */
static double quote_allowed_at(struct sim *s, bool refresh_only)
{
	if (s->open_orders >= s->concurrency)
		return INFINITY;   /* the next report wakes the bot */
	double at = s->t;
	double after_interval = s->last_action + s->min_interval_s;
	if (after_interval > at)
		at = after_interval;
	double need = refresh_only && s->token_cap / 2.0 > 1.0 ? s->token_cap / 2.0 : 1.0;
	if (s->tokens < need) {
		double refill = s->t + (need - s->tokens) / s->token_rate;
		if (refill > at)
			at = refill;
	}
	return at;
}

/*
 * Flatten part of the position with a taker order when it is worth it.
 * The exposure counts the rescues still in flight, so a position is
 * never hedged twice; a rescue is an order in flight like any other
 * (concurrency_limit), so a storm of retries cannot queue at the gateway.
 */
static void maybe_rescue(struct sim *s, double obs_mid)
{
	double exposure = s->known_pos + s->pending[BID] - s->pending[ASK];
	int away = exposure > 0 ? BID : ASK;   /* a rescue the other way would undo it */
	if (s->pending[away] > SIM_UNIT / 2 || fabs(exposure) < s->rescue_trigger || s->rescue_max_size <= 0 ||
	    s->t - s->last_rescue < s->rescue_cooldown_s)
		return;
	double size = fabs(exposure) - s->rescue_trigger / 2.0;
	if (size > s->rescue_max_size)
		size = s->rescue_max_size;
	size = nearbyint(size / SIM_UNIT) * SIM_UNIT;   /* what the exchange will fill */
	if (size <= 0)
		return;
	double signed_size = exposure > 0 ? -size : size;
	double sign = signed_size > 0 ? 1.0 : -1.0;
	/* it pays at most what flattening is worth: the urgency less the taker fee */
	double concession = s->m->rescue_urgency_bps * fabs(exposure) / s->limit - s->m->taker_fee_bps;
	s->pending[signed_size > 0 ? BID : ASK] += size;
	s->last_rescue = s->t;
	s->st->rescue_count++;
	sim_send(s, RESCUE, signed_size > 0 ? BID : ASK, obs_mid + sign * concession, signed_size, 0, 0.0);
}

/*
 * What side sd should do now, from the bot's view: returns true and sets
 * *kind / *price when an update is due; *refresh_only when only the
 * quote's age asks for it.  The bot counts every quote it has out there
 * (sent, and not yet known filled or cancelled) as if it would fill: it
 * pulls when that could pass the position limit and sends no new quote
 * that could.
 */
static bool quote_update(struct sim *s, int sd, double obs_mid, enum order_kind *kind,
			 double *price, bool *refresh_only)
{
	struct belief *b = &s->bel[sd];
	double sign = sd == BID ? 1.0 : -1.0;
	double exposure = s->known_pos + s->pending[BID] - s->pending[ASK];
	double skew = s->skew_per_inv * exposure;
	if (fabs(skew) > s->m->skew_bps_at_limit)
		skew = copysign(s->m->skew_bps_at_limit, skew);
	double target = obs_mid - sign * s->half_spread - skew;
	/*
	 * The position if every order of this side still out there fills and
	 * every rescue against it is rejected.
	 */
	double worst = sign * s->known_pos + s->pending[sd] + s->open_qty[sd];
	bool room = worst + s->quote_size <= s->limit;   /* for one more order */
	*refresh_only = false;
	if (worst > s->limit) {
		*kind = PULL;
		*price = 0.0;
		return b->working;
	}
	*kind = QUOTE;
	if (!b->working) {
		*price = target;
		return room;
	}
	double diff = target - b->price;
	*price = sign * diff > s->move_step ? b->price + sign * s->move_step : target;
	if (fabs(diff) > s->m->reprice_threshold_bps)
		return room;
	*price = b->price;
	*refresh_only = true;
	return room && s->t - b->sent_time >= s->tail_age_s;
}

static void send_quote(struct sim *s, int sd, enum order_kind kind, double price, double obs_mid)
{
	struct belief *b = &s->bel[sd];
	s->open_orders++;
	s->last_action = s->t;
	s->tokens -= 1.0;
	if (kind == PULL) {
		sim_send(s, PULL, sd, 0.0, 0.0, b->id, 0.0);
		b->working = false;
		return;
	}
	/* the book is deeper away from the mid: the queue it joins grows with its distance */
	double ahead = s->m->queue_depth_per_bps * fabs(price - obs_mid);
	long id = sim_send(s, QUOTE, sd, price, s->quote_size, 0, ahead);
	s->open_qty[sd] += s->quote_size;
	*b = (struct belief){ true, id, price, s->quote_size, s->t };
}

/* The mid of the bot's feed now: the true mid of the feed delay ago. */
static double seen_mid(struct sim *s)
{
	long k = (long)floor((s->t - sim_stale_delay(s)) / s->dt);
	if (k < 0)
		k = 0;
	if (k > s->tick)
		k = s->tick;
	return s->path[k];
}

/*
 * The bot wakes (a tick, a report, or a throttle it waited for has
 * passed) and acts on what it knows: the mid of its delayed feed, the
 * position of its execution reports and its rescues in flight.
 */
static void decide(struct sim *s)
{
	double obs_mid = seen_mid(s);
	maybe_rescue(s, obs_mid);
	refill_tokens(s);
	s->wake = INFINITY;
	for (int sd = BID; sd <= ASK; sd++) {
		enum order_kind kind;
		double price;
		bool refresh_only;
		if (!quote_update(s, sd, obs_mid, &kind, &price, &refresh_only))
			continue;
		double at = quote_allowed_at(s, refresh_only);
		if (at > s->t) {
			if (at < s->wake)
				s->wake = at;
			continue;
		}
		send_quote(s, sd, kind, price, obs_mid);
	}
}

/* The bot logs a fill when its report arrives. */
static void emit_fill(struct sim *s, const struct report *r)
{
	struct soak_event *e = &s->ev;
	double fee_bps = r->maker ? s->m->maker_fee_bps : s->m->taker_fee_bps;
	e->side = r->size > 0 ? SOAK_BUY : SOAK_SELL;
	e->price = sim_price(r->price);
	e->qty = nearbyint(fabs(r->size) / SIM_UNIT) / 1e6;
	e->liquidity = r->maker ? SOAK_MAKER : SOAK_TAKER;
	e->fee = nearbyint(e->qty * e->price * fee_bps / 1e4 * 1e9) / 1e9;
	sim_emit(s, SOAK_EV_FILL, r->id);
}

void sim_report(struct sim *s)
{
	struct fifo_reports *f = &s->response;
	struct report r = f->v[f->head];
	f->head = (f->head + 1) % MSG_RING;
	f->len--;
	struct belief *b = &s->bel[r.side];
	bool unblocked = s->open_orders >= s->concurrency;
	bool news = true;   /* whether the report changes what the bot decides on */
	switch (r.kind) {
	case R_ACK:
		if (!r.rescue)
			s->open_orders--;
		news = !r.rescue && unblocked;
		sim_emit(s, SOAK_EV_ACK, r.id);
		break;
	case R_REJECT:
		s->pending[r.size > 0 ? BID : ASK] -= fabs(r.size);
		s->st->rescue_rejects++;
		strcpy(s->ev.reason, "limit price not reached");
		sim_emit(s, SOAK_EV_REJECT, r.id);
		break;
	case R_PULL_DONE:
		s->open_orders--;
		news = unblocked;
		break;
	case R_CANCEL:
		sim_emit(s, SOAK_EV_CANCEL, r.id);
		s->open_qty[r.side] -= r.size;
		news = b->working && b->id == r.id;
		if (news)
			b->working = false;
		break;
	case R_FILL:
		emit_fill(s, &r);
		s->known_pos += r.size;
		if (r.rescue) {
			s->pending[r.size > 0 ? BID : ASK] -= fabs(r.size);
		} else {
			s->open_qty[r.side] -= fabs(r.size);
		}
		if (!r.rescue && b->working && b->id == r.id) {
			b->size_left -= fabs(r.size);
			if (b->size_left <= 1e-9)
				b->working = false;
		}
		break;
	}
	if (news)
		decide(s);
}

/* --- market ------------------------------------------------------------- */

/* The true mid path of the iteration, with the informed horizon beyond its end. */
static void make_path(struct sim *s)
{
	const struct sim_market *m = s->m;
	double vol = m->sigma_bps * sqrt(s->dt);
	double next_jump = soak_rng_exponential(&s->mid_rng, 1.0 / m->jump_cluster_rate_per_s);
	int sign = soak_rng_uniform(&s->mid_rng) < 0.5 ? -1 : 1;
	double x = 0.0;
	s->path[0] = 0.0;
	for (long k = 1; k < s->n_ticks; k++) {
		double t = (double)k * s->dt;
		x += vol * soak_rng_normal(&s->mid_rng);
		while (next_jump <= t) {
			x += sign * m->jump_size_bps * (0.5 + soak_rng_uniform(&s->mid_rng));
			if (soak_rng_uniform(&s->mid_rng) < m->jump_follow_prob) {
				next_jump += soak_rng_exponential(&s->mid_rng, m->jump_follow_gap_s);
			} else {
				next_jump += soak_rng_exponential(&s->mid_rng, 1.0 / m->jump_cluster_rate_per_s);
				sign = soak_rng_uniform(&s->mid_rng) < 0.5 ? -1 : 1;
			}
		}
		s->path[k] = x;
	}
}

/* The bot logs the mid of its feed as it sees it, once per tick. */
static void emit_mid(struct sim *s)
{
	s->ev.price = sim_price(seen_mid(s));
	sim_emit(s, SOAK_EV_MID, 0);
}

static void market_tick(struct sim *s)
{
	s->tick++;
	sim_handler_tick(s);
	emit_mid(s);
	sim_push(s, s->position, fabs(s->true_pos));
	sim_push(s, s->stale, sim_stale_delay(s) * 1000.0);
	sim_sweep(s);
	decide(s);
}

/* Run the event loop to the end of the iteration. */
static void run_events(struct sim *s)
{
	for (;;) {
		double t = (double)(s->tick + 1) * s->dt;
		int what = 0;
		if (s->entry.len && s->entry.v[s->entry.head].arrive < t) {
			t = s->entry.v[s->entry.head].arrive;
			what = 1;
		}
		if (s->response.len && s->response.v[s->response.head].arrive < t) {
			t = s->response.v[s->response.head].arrive;
			what = 2;
		}
		if (s->next_mo[BID] < t) { t = s->next_mo[BID]; what = 3; }
		if (s->next_mo[ASK] < t) { t = s->next_mo[ASK]; what = 4; }
		if (s->next_informed < t) { t = s->next_informed; what = 5; }
		if (s->wake < t) { t = s->wake; what = 6; }
		if (t > s->end)
			break;
		s->t = t;
		switch (what) {
		case 0: market_tick(s); break;
		case 1: sim_arrive(s); break;
		case 2: sim_report(s); break;
		case 3: sim_market_order(s, BID); break;
		case 4: sim_market_order(s, ASK); break;
		case 5: sim_informed_order(s); break;
		default: decide(s); break;
		}
	}
	s->t = s->end;
}

static void seed_streams(struct sim *s, uint64_t seed, long iteration)
{
	uint64_t words[3] = { seed, (uint64_t)iteration, 1 };
	soak_rng_seed(&s->mid_rng, words, 3);
	words[2] = 2;
	soak_rng_seed(&s->flow_rng, words, 3);
	words[2] = 3;
	soak_rng_seed(&s->lat_rng, words, 3);
	words[2] = 4;
	soak_rng_seed(&s->informed_rng, words, 3);
}

static bool prepare_path(struct sim *s, struct sim_work *w)
{
	s->dt = s->m->tick_ms / 1000.0;
	s->end = s->m->duration_s;
	s->n_ticks = (long)ceil((s->end + s->m->informed_horizon_s) / s->dt) + 2;
	if ((size_t)s->n_ticks > w->path_cap) {
		double *p = realloc(w->path, (size_t)s->n_ticks * sizeof *p);
		if (!p)
			return false;
		w->path = p;
		w->path_cap = (size_t)s->n_ticks;
	}
	s->path = w->path;
	make_path(s);
	return true;
}

/*
 * Caches and connection pools stay cold until their working set is
 * loaded, then warm in finite time: the cold start's weight falls from 1
 * at iteration 1 to 0 at 1 + COLD_END_WIDTHS widths along a smoothstep
 * (flat at both ends), and is exactly 0 after that.
 */
#define COLD_END_WIDTHS 1.6
static void set_cold_start(struct sim *s, long iteration)
{
	double a = (double)(iteration - 1) / (COLD_END_WIDTHS * s->m->cold_decay_iterations);
	double warm = a >= 1.0 ? 0.0 : 1.0 - a * a * (3.0 - 2.0 * a);
	s->cold_weight = warm;
	s->cold = 1.0 + s->m->cold_size * warm;
	s->stale_cold_now_ms = s->m->stale_cold_ms * warm;
}

static void init_state(struct sim *s)
{
	for (int sd = BID; sd <= ASK; sd++)
		s->next_mo[sd] = soak_rng_exponential(&s->flow_rng, 1.0 / s->m->market_orders_per_s);
	s->next_informed = soak_rng_exponential(&s->informed_rng, 1.0 / s->m->informed_orders_per_s);
	s->last_action = -1e9;
	s->last_rescue = -1e9;
	s->tokens = 1.0;
	s->wake = INFINITY;
	s->load_time = -1.0;
	sim_derive_constants(s);
}

bool sim_run(const struct sim_market *m, const struct soak_params *p, uint64_t seed,
	     long iteration, struct sim_work *w, struct sim_sink sink, struct sim_stats *stats)
{
	struct sim s;
	memset(&s, 0, sizeof s);
	memset(stats, 0, sizeof *stats);
	s.m = m;
	s.p = p->value;
	s.w = w;
	s.sink = sink;
	s.st = stats;
	s.stale = &w->buf.stale;
	s.position = &w->buf.inventory;
	sim_series_clear(s.stale);
	sim_series_clear(s.position);
	seed_streams(&s, seed, iteration);
	set_cold_start(&s, iteration);
	if (!prepare_path(&s, w))
		return false;
	init_state(&s);
	s.ev.iteration = iteration;
	s.ev.position_limit = s.limit;
	s.ev.risk_budget = m->risk_budget;
	s.ev.markout_s = m->markout_s;
	sim_emit(&s, SOAK_EV_START, 0);
	emit_mid(&s);
	decide(&s);
	run_events(&s);
	sim_emit(&s, SOAK_EV_END, 0);
	stats->md_delay_p95_ms = sim_series_p95(s.stale);
	stats->position_p95 = sim_series_p95(s.position);
	return !s.oom;
}

void sim_work_free(struct sim_work *w)
{
	free(w->path);
	w->path = NULL;
	w->path_cap = 0;
	sim_buffers_free(&w->buf);
}
