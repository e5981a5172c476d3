/*
 * sim.h - soak-mock's market model: one iteration of a market maker in a
 * limit-order market, simulated event by event.
 *
 * sim_run is a pure function of (market profile, parameters, seed,
 * iteration): the same inputs give the same KPIs, bit for bit.  Three
 * random streams per (seed, iteration) drive the mid path, the market
 * orders and the latencies, so changing one parameter keeps the same
 * market (common random numbers).  The model is described in
 * man/soak-mock.1; the profile fields in man/soak-market.5.
 */
#ifndef SOAK_SIM_H
#define SOAK_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "params.h"
#include "events.h"   /* lib/measure: struct soak_event, soak-events(5) */

/* A market profile (presets/market_default.json).  Units in the names. */
struct sim_market {
	double duration_s;                 /* market time per iteration */
	/* mid price */
	double tick_ms;                    /* market-data grid */
	double sigma_bps;                  /* volatility, bps per sqrt(second) */
	double jump_cluster_rate_per_s;    /* news: jump cluster starts */
	double jump_follow_prob;           /* chance another jump follows */
	double jump_follow_gap_s;          /* mean gap to the next jump */
	double jump_size_bps;              /* |jump| = size * U(0.5, 1.5) */
	/* uninformed market orders and fills */
	double market_orders_per_s;        /* per side */
	double market_order_size_mean;     /* notional, exponentially distributed */
	double fill_a;                     /* A in A*exp(-k*delta) */
	double fill_k_per_bps;             /* k */
	double touch_half_bps;             /* half the touch, paid by takers */
	double taker_impact_bps_per_1000;  /* extra cost per 1000 notional */
	/* informed market orders */
	double informed_orders_per_s;      /* both sides together */
	double informed_horizon_s;         /* how far ahead they know the mid */
	double informed_size_mean;         /* notional, exponentially distributed */
	/* queue */
	double queue_depth_per_bps;        /* notional ahead of a joining quote per bps from the mid */
	double queue_turnover_s;           /* mean life of an order ahead of ours */
	/* our quoting */
	double base_half_spread_bps;
	double displayed_depth;            /* notional shown at the touch */
	double skew_bps_at_limit;          /* skew at full position limit */
	double reprice_threshold_bps;      /* target drift that triggers an update */
	double token_burst_s;              /* replace-rate bucket size, seconds of rate */
	/* fees (negative = rebate) */
	double maker_fee_bps, taker_fee_bps;
	/* latency and load */
	double latency_base_ms;            /* order entry */
	double response_base_ms;           /* order response: acks and fill reports */
	double latency_sigma;              /* log-normal shape */
	double capacity_per_min;           /* gateway capacity, actions per minute */
	double load_window_s;              /* averaging window of the action rate */
	double max_load;                   /* cap of the load: cold factors stay finite */
	/* cold start */
	double cold_size;                  /* extra latency factor at iteration 1 */
	double cold_decay_iterations;      /* w = 1 - smoothstep((iteration-1)/(1.6 this)) */
	double stale_base_ms;              /* market-data delay when warm */
	double stale_cold_ms;              /* extra delay at iteration 1 */
	double stale_nominal_load;         /* load that overruns the cold handler at iteration 1 */
	double stale_gain;                 /* backlog growth per unit of overrun, s/s */
	/* rescue and risk */
	double rescue_urgency_bps;         /* edge a full-limit position is worth flattening */
	double risk_budget;                /* notional, divisor of risk_ratio */
	double markout_s;                  /* horizon of the adverse markout */
};

/* Where the simulation's events go: fn(ctx, event) for each, in time order. */
struct sim_sink {
	void (*fn)(void *ctx, const struct soak_event *e);
	void *ctx;
};

/* KPIs of one iteration as the original tool's fixed series has them (sim_legacy). */
struct sim_kpi {
	double net_bps, gross_bps, fees_eff_bps, adverse_bps, slippage_bps, inventory_bps;
	double maker_taker_ratio, p95_latency_ms, risk_ratio;
	double adverse_bps_p95, slippage_bps_p95, order_age_p95_ms, cancel_ratio;
	long maker_count, taker_count;
	double maker_volume, taker_volume;
	double pnl;                        /* quote ccy, marked to the final mid */
	double final_inventory;            /* notional at the final mid */
	const char *neg_edge_drivers[4];   /* summary field names, worst first */
	int n_neg_edge_drivers;
};

/* What the simulation knows beyond the events (soak-mock adds it to the summary). */
struct sim_stats {
	long rescue_count, rescue_rejects, order_count, pull_count, informed_fills, events;
	double md_delay_p95_ms;            /* market-data delay the bot suffered */
	double position_p95;               /* p95 |true position| per tick, notional */
};

/*
 * Sample arrays (nearest-rank p95).  They grow to the size of one
 * iteration and are reused, so memory does not grow with the number of
 * iterations.  Zero-initialize; release with sim_buffers_free.
 */
struct sim_series { double *v; size_t n, cap; };
struct sim_buffers {
	struct sim_series latency, age, adverse, slippage, inventory, stale;
};
void sim_buffers_free(struct sim_buffers *b);

/* Forget the samples, keep the memory. */
void sim_series_clear(struct sim_series *s);

/* Append x; false when memory runs out. */
bool sim_series_push(struct sim_series *s, double x);

/* Nearest-rank 95th percentile (reorders the samples); 0 when empty. */
double sim_series_p95(struct sim_series *s);

/* Working memory of sim_run (the mid path, samples): zero-initialize, reuse, sim_work_free. */
struct sim_work {
	double *path;                      /* true mid per tick, with the informed horizon */
	size_t path_cap;
	struct sim_buffers buf;
};
void sim_work_free(struct sim_work *w);

/*
 * Simulate iteration `iteration` (>= 1, sets the cold start) of market m
 * with parameters p for `seed`: every execution event goes to sink, in
 * time order, from start to end, as the bot logs them (acks, cancels,
 * rejects and fills when their reports reach it; the venue's mid on
 * each market-data tick); *stats gets what only the simulation knows.  Returns false only when memory runs out.  m must hold finite
 * values in the ranges market_load checks; p values within the
 * registry's bounds.
 */
bool sim_run(const struct sim_market *m, const struct soak_params *p, uint64_t seed,
	     long iteration, struct sim_work *w, struct sim_sink sink, struct sim_stats *stats);

/* The original tool's extra mock fields, which the market model has no use for. */
struct sim_legacy_extra {
	double ws_lag_p95_ms, maker_share_pct;
};

/*
 * The original tool's fixed mock series (reference/original-tool.md
 * section 7): iterations 1 and 2 hard-coded, then formulas of
 * k = iteration - 1.  Parameters and seed play no part.  pnl,
 * final_inventory and pnl are 0.
 */
void sim_legacy(long iteration, struct sim_kpi *out, struct sim_legacy_extra *extra);

#endif
