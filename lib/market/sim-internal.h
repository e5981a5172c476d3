/* sim-internal.h - the simulation state shared by sim.c and sim-exec.c; not an interface. */
#ifndef SOAK_SIM_INTERNAL_H
#define SOAK_SIM_INTERNAL_H

#include <stdbool.h>
#include "sim.h"
#include "rng.h"

#define MSG_RING 512
#define SIM_UNIT 1e-4          /* notional of the log's smallest quantity, 1e-6 at price 100 */           /* messages in flight on one connection, each way */
#define BID 0
#define ASK 1

enum order_kind { QUOTE, PULL, RESCUE };

/* A message to the exchange (order entry): connections keep their order. */
struct order {
	long id;               /* QUOTE, RESCUE: its own; PULL: the order it cancels */
	double arrive, price, size;   /* price in bps of the opening mid (RESCUE: its limit); RESCUE: signed size */
	double ahead;          /* QUOTE: the queue it joins behind */
	int side;
	enum order_kind kind;
};

enum report_kind { R_ACK, R_CANCEL, R_FILL, R_PULL_DONE, R_REJECT };

/* A message to the bot (order response): acks, cancels, fill reports. */
struct report {
	double arrive;
	long id;
	enum report_kind kind;
	int side;
	double size;           /* R_FILL, R_REJECT: signed notional; R_CANCEL: what was left */
	double price;          /* R_FILL: bps of the opening mid */
	bool maker;            /* R_FILL */
	bool rescue;
};

/* Our quote as the exchange has it on one side. */
struct live {
	bool on;
	long id;
	double price, units, ahead, ahead_time, since;   /* units: SIM_UNIT each, an integer */
};

/* What the bot believes of its quote on one side. */
struct belief {
	bool working;          /* sent and not known to be filled or pulled */
	long id;
	double price, size_left, sent_time;
};

struct fifo_orders { struct order v[MSG_RING]; int head, len; double last; };
struct fifo_reports { struct report v[MSG_RING]; int head, len; double last; };

struct sim {
	const struct sim_market *m;
	const double *p;           /* parameter values, by enum soak_param_id */
	struct sim_work *w;
	struct sim_sink sink;
	struct soak_event ev;      /* the event being emitted */
	struct sim_stats *st;
	struct soak_rng mid_rng, flow_rng, informed_rng, lat_rng;
	double cold, cold_weight, stale_cold_now_ms, dt, t, end;
	long tick, n_ticks;
	double *path;              /* true mid per tick (bps of the opening mid) */
	double next_mo[2], next_informed;
	struct live live[2];
	struct belief bel[2];
	struct fifo_orders entry;
	struct fifo_reports response;
	long next_id;
	int open_orders;           /* quotes and pulls sent, not yet acknowledged */
	double known_pos;          /* notional, from the fill reports received */
	double pending[2];         /* rescues in flight that buy (BID) and sell (ASK), notional */
	double open_qty[2];        /* per side: quotes sent, not yet known filled or cancelled */
	double true_pos;
	double last_action, tokens, token_time, rate, rate_time;
	double load_time, load_value;   /* sim_load's cache */
	/* per-iteration constants, derived once from the parameters */
	double half_spread, quote_size, move_step, skew_per_inv, tail_age_s, min_interval_s;
	double token_rate, token_cap, rescue_trigger, rescue_max_size, rescue_cooldown_s;
	double load_scale, service_s, stale_fixed, handler_scale, md_backlog, concurrency, limit;
	double last_rescue;
	double wake;
	struct sim_series *stale, *position;
	bool oom;
};

/* Record a sample; running out of memory is reported at the end of sim_run. */
static inline void sim_push(struct sim *s, struct sim_series *series, double x)
{
	if (!sim_series_push(series, x))
		s->oom = true;
}

/* A parameter value by enum soak_param_id. */
static inline double sim_param(const struct sim *s, int id)
{
	return s->p[id];
}

/* The true mid now (bps of the opening mid). */
static inline double sim_mid(const struct sim *s)
{
	return s->path[s->tick];
}

/* Gateway load in [0, max_load]: the recent action rate over capacity, times the cold factor. */
double sim_load(struct sim *s);

/* The market-data delay (seconds) the bot suffers now: fixed, cold, and the handler's backlog. */
double sim_stale_delay(struct sim *s);

/* One tick of the cold market-data handler: its backlog grows while the load overruns it. */
void sim_handler_tick(struct sim *s);

/* Set the per-iteration constants of s from its market and parameters. */
void sim_derive_constants(struct sim *s);

/*
 * Hand s->ev to the sink as an event of `type`, stamped now (id: the
 * order's, or 0).  The caller sets the type's other fields in s->ev
 * first; fields of other types are left as they are (the sink ignores them).
 */
void sim_emit(struct sim *s, enum soak_event_type type, long id);

/* A price in the log's currency from bps of the opening mid. */
double sim_price(double bps);

/* An uninformed market order arrives against side sd: draws its fill, schedules the next. */
void sim_market_order(struct sim *s, int sd);

/* An informed market order arrives: it trades with a quote the mid is about to run through. */
void sim_informed_order(struct sim *s);

/* Quotes the true mid ran through are swept at once. */
void sim_sweep(struct sim *s);

/* The message at the head of the order-entry connection reaches the exchange. */
void sim_arrive(struct sim *s);

/* The report at the head of the response connection reaches the bot. */
void sim_report(struct sim *s);

/* Send an order now over the loaded, possibly cold gateway; returns its id. */
long sim_send(struct sim *s, enum order_kind kind, int sd, double price, double size, long target,
	      double ahead);

/* Queue a report to the bot over the response connection. */
void sim_respond(struct sim *s, struct report r);

#endif
