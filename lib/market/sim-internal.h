/* sim-internal.h - the simulation state shared by sim.c and sim-exec.c; not an interface. */
#ifndef SOAK_SIM_INTERNAL_H
#define SOAK_SIM_INTERNAL_H

#include <stdbool.h>
#include "sim.h"
#include "rng.h"

#define RING 1024              /* ticks of mid/inventory history kept */
#define MAX_INFLIGHT 32        /* >= concurrency limit + one rescue */
#define MARKOUT_QUEUE 1024
#define BID 0
#define ASK 1

enum order_kind { QUOTE, PULL, RESCUE };

struct order {
	double send, arrive;   /* seconds */
	double price, size;    /* QUOTE: price; RESCUE: signed size */
	double mid_at_decision;
	int side;
	enum order_kind kind;
};

struct side {
	/* what the exchange has */
	bool live;
	double price, size, live_since, live_send;
	/* what the bot sent last, and when it was filled (seen after the delay) */
	bool sent_quote;
	double sent_price, sent_time, fill_time;
};

struct pending_markout { double time, mid, price, size_signed; };

struct sim {
	const struct sim_market *m;
	const double *p;           /* parameter values, by enum soak_param_id */
	struct sim_buffers *buf;
	struct soak_rng mid_rng, flow_rng, lat_rng;
	double cold, stale_warm_ms, dt, t;
	long tick;
	double mid, mid_ring[RING], inv_ring[RING];
	double next_jump; int jump_sign;
	double next_mo[2];
	struct side side[2];
	struct order inflight[MAX_INFLIGHT];
	int n_inflight;
	double last_action, tokens, token_time, rate, rate_time;
	double load_time, load_value;   /* sim_load's cache */
	/* per-iteration constants, derived once from the parameters */
	double half_spread, quote_size, move_step, skew_per_inv, tail_age_s, min_interval_s;
	double token_rate, token_cap, rescue_trigger, rescue_max_size, rescue_cooldown_s;
	double load_scale, stale_scale, concurrency;
	double last_rescue; bool rescue_inflight;
	double wake;
	double inv, cash, fees, gross, adverse, slippage, traded;
	struct pending_markout mq[MARKOUT_QUEUE];
	size_t mq_head, mq_len;
	struct sim_kpi *k;
	bool oom;
};


/* Forget the samples, keep the memory. */
void sim_series_clear(struct sim_series *s);

/* Append x; false when memory runs out. */
bool sim_series_push(struct sim_series *s, double x);

/* Nearest-rank 95th percentile (reorders the samples); 0 when empty. */
double sim_series_p95(struct sim_series *s);

/* A parameter value by enum soak_param_id. */
static inline double sim_param(const struct sim *s, int id)
{
	return s->p[id];
}

/* Record a sample; running out of memory is reported at the end of sim_run. */
static inline void sim_push(struct sim *s, struct sim_series *series, double x)
{
	if (!sim_series_push(series, x))
		s->oom = true;
}

/* Gateway load in [0, max_load): the recent action rate over capacity, times the cold factor. */
double sim_load(struct sim *s);

/* The market-data delay (seconds) the bot suffers now; grows with load. */
double sim_stale_delay(struct sim *s);

/* Set the per-iteration constants of s from its market and parameters. */
void sim_derive_constants(struct sim *s);

/* The live quote of side sd (BID/ASK) trades `size` (at most what is left) now at its price. */
void sim_maker_fill(struct sim *s, int sd, double size);

/* Settle the 5-second markouts that are due (every pending one when all). */
void sim_settle_markouts(struct sim *s, bool all);

/* A market order arrives on side sd: draws its fill, schedules the next. */
void sim_market_order(struct sim *s, int sd);

/* The in-flight order at index idx reaches the exchange now. */
void sim_arrive(struct sim *s, int idx);

/* Index of the in-flight order that arrives first, or -1 when none. */
int sim_next_arrival(const struct sim *s);

/* Send an order now; its latency comes from the loaded, possibly cold gateway. */
void sim_send(struct sim *s, enum order_kind kind, int sd, double price, double size);

#endif
