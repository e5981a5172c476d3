/*
 * sim.c - the market-maker simulation behind soak-mock (see sim.h and
 * man/soak-mock.1): the mid path, the bot's decisions, the event loop
 * and the KPIs.  The exchange side is in sim-exec.c.
 */
#include "sim.h"
#include "sim-internal.h"

#include <math.h>
#include <string.h>

/* --- the bot ------------------------------------------------------------- */

static void refill_tokens(struct sim *s)
{
	s->tokens += (s->t - s->token_time) * s->token_rate;
	if (s->tokens > s->token_cap)
		s->tokens = s->token_cap;
	s->token_time = s->t;
}

/* Earliest time a quote action is allowed (now when it is). */
static double quote_allowed_at(struct sim *s)
{
	double at = s->t;
	double after_interval = s->last_action + s->min_interval_s;
	if (after_interval > at)
		at = after_interval;
	if (s->tokens < 1.0) {
		double refill = s->t + (1.0 - s->tokens) / s->token_rate;
		if (refill > at)
			at = refill;
	}
	if (s->n_inflight >= s->concurrency) {
		int i = sim_next_arrival(s);
		if (s->inflight[i].arrive > at)
			at = s->inflight[i].arrive;
	}
	return at;
}

/* Flatten part of a known position with a taker order when it is worth it. */
static void maybe_rescue(struct sim *s, double known_inv)
{
	double exposure = fabs(known_inv);
	if (exposure < s->rescue_trigger || s->rescue_max_size <= 0 || s->rescue_inflight ||
	    s->t - s->last_rescue < s->rescue_cooldown_s || s->n_inflight >= MAX_INFLIGHT)
		return;
	double size = exposure - s->rescue_trigger / 2.0;
	if (size > s->rescue_max_size)
		size = s->rescue_max_size;
	if (size <= 0)
		return;
	s->rescue_inflight = true;
	s->last_rescue = s->t;
	s->k->rescue_count++;
	sim_send(s, RESCUE, known_inv > 0 ? ASK : BID, 0.0, known_inv > 0 ? -size : size);
}

/*
 * What side sd should do now, from the bot's delayed view: returns true
 * and sets *kind / *price when an update is due.
 */
static bool quote_update(struct sim *s, int sd, double obs_mid, double known_inv,
			 double view_time, enum order_kind *kind, double *price)
{
	struct side *q = &s->side[sd];
	double sign = sd == BID ? 1.0 : -1.0;
	double limit = sim_param(s, P_POSITION_LIMIT_NOTIONAL);
	double skew = s->skew_per_inv * known_inv;
	if (fabs(skew) > s->m->skew_bps_at_limit)
		skew = copysign(s->m->skew_bps_at_limit, skew);
	double target = obs_mid - sign * s->half_spread - skew;
	bool wanted = fabs(known_inv + sign * s->quote_size) <= limit ||
		      sign * known_inv < 0;   /* a fill that reduces |inv| is always fine */
	bool believed_live = q->sent_quote && !(q->fill_time <= view_time);
	if (!wanted) {
		*kind = PULL;
		*price = 0.0;
		return believed_live;
	}
	*kind = QUOTE;
	if (!believed_live) {
		*price = target;
		return true;
	}
	double diff = target - q->sent_price;
	*price = sign * diff > s->move_step ? q->sent_price + sign * s->move_step : target;
	return fabs(diff) > s->m->reprice_threshold_bps || s->t - q->sent_time >= s->tail_age_s;
}

/*
 * The bot wakes (a tick, or a throttle it waited for has passed) and acts
 * on its delayed view: a rescue if due, then each side's quote if it may.
 */
static void decide(struct sim *s)
{
	double delay = sim_stale_delay(s);
	sim_push(s, &s->buf->stale, delay * 1000.0);
	double view_time = s->t - delay;
	long k = (long)floor(view_time / s->dt);
	if (k < 0)
		k = 0;
	if (k > s->tick)
		k = s->tick;
	double obs_mid = s->mid_ring[k % RING], known_inv = s->inv_ring[k % RING];
	maybe_rescue(s, known_inv);
	refill_tokens(s);
	s->wake = INFINITY;
	for (int sd = BID; sd <= ASK; sd++) {
		enum order_kind kind;
		double price;
		if (!quote_update(s, sd, obs_mid, known_inv, view_time, &kind, &price))
			continue;
		double at = quote_allowed_at(s);
		if (at > s->t) {
			if (at < s->wake)
				s->wake = at;
			continue;
		}
		sim_send(s, kind, sd, price, s->quote_size);
	}
}

/* --- market ------------------------------------------------------------- */

static void jump_or_schedule(struct sim *s)
{
	while (s->next_jump <= s->t) {
		double size = s->m->jump_size_bps * (0.5 + soak_rng_uniform(&s->mid_rng));
		s->mid += s->jump_sign * size;
		if (soak_rng_uniform(&s->mid_rng) < s->m->jump_follow_prob) {
			s->next_jump += soak_rng_exponential(&s->mid_rng, s->m->jump_follow_gap_s);
		} else {
			s->next_jump += soak_rng_exponential(&s->mid_rng, 1.0 / s->m->jump_cluster_rate_per_s);
			s->jump_sign = soak_rng_uniform(&s->mid_rng) < 0.5 ? -1 : 1;
		}
	}
}

static void market_tick(struct sim *s)
{
	s->tick++;
	s->mid += s->m->sigma_bps * sqrt(s->dt) * soak_rng_normal(&s->mid_rng);
	jump_or_schedule(s);
	s->mid_ring[s->tick % RING] = s->mid;
	s->inv_ring[s->tick % RING] = s->inv;
	sim_push(s, &s->buf->inventory, fabs(s->inv));
	/* quotes the mid ran through are taken by arbitrageurs at once */
	if (s->side[BID].live && s->side[BID].price >= s->mid)
		sim_maker_fill(s, BID, s->side[BID].size);
	if (s->side[ASK].live && s->side[ASK].price <= s->mid)
		sim_maker_fill(s, ASK, s->side[ASK].size);
	sim_settle_markouts(s, false);
	decide(s);
}

/* Run the event loop to the end of the iteration. */
static void run_events(struct sim *s)
{
	double end = s->m->duration_s;
	for (;;) {
		double t_tick = (s->tick + 1) * s->dt;
		int a = sim_next_arrival(s);
		double t_arrive = a >= 0 ? s->inflight[a].arrive : INFINITY;
		double t = t_tick;
		int what = 0;
		if (t_arrive < t) { t = t_arrive; what = 1; }
		if (s->next_mo[BID] < t) { t = s->next_mo[BID]; what = 2; }
		if (s->next_mo[ASK] < t) { t = s->next_mo[ASK]; what = 3; }
		if (s->wake < t) { t = s->wake; what = 4; }
		if (t > end)
			break;
		s->t = t;
		switch (what) {
		case 0: market_tick(s); break;
		case 1: sim_arrive(s, a); break;
		case 2: sim_market_order(s, BID); break;
		case 3: sim_market_order(s, ASK); break;
		default: decide(s); break;
		}
	}
	s->t = end;
	sim_settle_markouts(s, true);
}

/* --- KPIs ----------------------------------------------------------------- */

static double per_traded(const struct sim *s, double x)
{
	return s->traded > 0 ? x / s->traded : 0.0;
}

/*
 * When the iteration lost money, the cost components that did it, the
 * largest first (at most two, as the original reported them).
 */
static void list_drivers(struct sim_kpi *k)
{
	struct { const char *name; double cost; } c[] = {
		{"adverse_bps", k->adverse_bps}, {"slippage_bps", k->slippage_bps},
		{"fees_eff_bps", k->fees_eff_bps}, {"inventory_bps", k->inventory_bps},
	};
	k->n_neg_edge_drivers = 0;
	if (k->net_bps >= 0)
		return;
	for (int n = 0; n < 2; n++) {
		int worst = -1;
		for (int i = 0; i < 4; i++)
			if (c[i].cost > 0 && (worst < 0 || c[i].cost > c[worst].cost))
				worst = i;
		if (worst < 0)
			break;
		k->neg_edge_drivers[k->n_neg_edge_drivers++] = c[worst].name;
		c[worst].cost = 0;
	}
}

static void finish_kpis(struct sim *s)
{
	struct sim_kpi *k = s->k;
	double risk_budget = s->m->risk_budget;
	double pnl = s->cash + s->inv * s->mid - s->fees;   /* bps * notional */
	k->pnl = pnl / 1e4;
	k->net_bps = per_traded(s, pnl);
	k->gross_bps = per_traded(s, s->gross);
	k->fees_eff_bps = per_traded(s, s->fees);
	k->adverse_bps = per_traded(s, s->adverse);
	k->slippage_bps = per_traded(s, s->slippage);
	k->inventory_bps = k->gross_bps - k->fees_eff_bps - k->adverse_bps -
			   k->slippage_bps - k->net_bps;
	k->maker_taker_ratio = per_traded(s, k->maker_volume);
	k->p95_latency_ms = sim_series_p95(&s->buf->latency);
	k->risk_ratio = sim_series_p95(&s->buf->inventory) / risk_budget;
	k->adverse_bps_p95 = sim_series_p95(&s->buf->adverse);
	k->slippage_bps_p95 = sim_series_p95(&s->buf->slippage);
	k->order_age_p95_ms = sim_series_p95(&s->buf->age);
	long quotes = k->order_count - k->rescue_count - k->pull_count;
	k->cancel_ratio = quotes > 0 ? (double)k->cancel_count / (double)quotes : 0.0;
	k->p95_stale_ms = sim_series_p95(&s->buf->stale);
	k->final_inventory = s->inv;
	list_drivers(k);
}

static void seed_streams(struct sim *s, uint64_t seed, long iteration)
{
	uint64_t words[3] = { seed, (uint64_t)iteration, 0 };
	words[2] = 1;
	soak_rng_seed(&s->mid_rng, words, 3);
	words[2] = 2;
	soak_rng_seed(&s->flow_rng, words, 3);
	words[2] = 3;
	soak_rng_seed(&s->lat_rng, words, 3);
}

bool sim_run(const struct sim_market *m, const struct soak_params *p,
	     uint64_t seed, long iteration, struct sim_buffers *b, struct sim_kpi *out)
{
	struct sim s;          /* about 50 KB */
	memset(&s, 0, sizeof s);
	memset(out, 0, sizeof *out);
	s.m = m;
	s.p = p->value;
	s.buf = b;
	s.k = out;
	struct sim_series *all[] = { &b->latency, &b->age, &b->adverse,
				     &b->slippage, &b->inventory, &b->stale };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		sim_series_clear(all[i]);
	seed_streams(&s, seed, iteration);
	/*
	 * Caches and connection pools stay cold until their working set is
	 * loaded, then warm quickly: the cold start fades as a Gaussian of
	 * the iteration, not an exponential (near full size at iteration 2,
	 * gone by iteration 10 with the default profile).
	 */
	double age = (double)(iteration - 1) / m->cold_decay_iterations;
	double warm = exp(-age * age);
	s.cold = 1.0 + m->cold_size * warm;
	s.stale_warm_ms = m->stale_base_ms + m->stale_cold_ms * warm;
	s.dt = m->tick_ms / 1000.0;
	s.next_jump = soak_rng_exponential(&s.mid_rng, 1.0 / m->jump_cluster_rate_per_s);
	s.jump_sign = soak_rng_uniform(&s.mid_rng) < 0.5 ? -1 : 1;
	for (int sd = BID; sd <= ASK; sd++) {
		s.next_mo[sd] = soak_rng_exponential(&s.flow_rng, 1.0 / m->market_orders_per_s);
		s.side[sd].live_send = -1.0;
		s.side[sd].fill_time = INFINITY;
	}
	s.last_action = -1e9;
	s.last_rescue = -1e9;
	s.tokens = 1.0;
	s.wake = INFINITY;
	s.load_time = -1.0;
	sim_derive_constants(&s);
	decide(&s);
	run_events(&s);
	finish_kpis(&s);
	return !s.oom;
}
