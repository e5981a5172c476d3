/*
 * measure.h - the KPIs of one iteration, computed from its execution
 * events (events.h, soak-events(5)) alone.
 *
 * soak-mock feeds its simulated events here and soak-measure feeds the
 * events a real bot logged, so both are measured by the same code.
 * Use: measure_init once; per iteration measure_begin, measure_event for
 * each event in log order (start ... end), measure_finish; measure_free
 * at the end.  A struct measure is reused across iterations: its arrays
 * keep their memory, so memory does not grow with the number of
 * iterations.
 *
 * Memory within an iteration: one sample per ack (latency), per quote
 * that left the book (age), per maker fill (markout) and per taker fill
 * (slippage), one (value, duration) segment per change of the position's
 * notional (risk), plus the orders still open and the maker fills whose
 * longest markout horizon (30 s or the profile's, the longer) has not
 * passed yet.  All quantiles are exact (nearest rank; time-weighted for
 * risk_ratio).
 *
 * Sign conventions (all "_bps" parts are per traded notional x 1e4):
 *   net_bps = gross_bps - fees_eff_bps - adverse_bps - slippage_bps - inventory_bps
 * gross_bps is earned (positive is good); the four others are costs
 * (positive is bad).  Each part has its own formula (man/soak-events.5):
 *   m(t)       the mid in force at t: the last mid (or bid/ask average)
 *              before the event; M the mid in force at "end";
 *   s = +1 for a buy, -1 for a sell; q qty; p price; h the markout horizon;
 *   gross      = sum over maker fills of s q (m(fill) - p)
 *   adverse    = sum over maker fills of s q (m(fill) - m(min(fill + h, end)))
 *   slippage   = sum over taker fills of s q (p - m(send of its order))
 *   fees       = sum of fee
 *   inventory  = - (sum over mid changes of P x (new mid - old mid)
 *                   + sum over taker fills of s q (m(fill) - m(send)))
 *                where P, the position carried, holds each maker fill from
 *                its markout horizon on (the move before it is adverse)
 *                and each taker fill from its fill on; the second sum
 *                books the rescue's own position from its decision (the
 *                send) to its fill, which slippage counted against it
 *   pnl        = sum over fills of s q (M - p) - fees  (mark to market)
 * and the identity pnl = gross - fees - adverse - slippage - inventory holds
 * algebraically; measure_finish checks it to 1e-6 bps and fails if not.
 */
#ifndef SOAK_MEASURE_H
#define SOAK_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "events.h"

/* Markout horizons reported besides the profile's (adverse_bps_1s, _5s, _30s). */
#define MEASURE_N_EXTRA_HORIZONS 3
extern const double measure_extra_horizons_s[MEASURE_N_EXTRA_HORIZONS];
/* Horizon used when neither the config nor the start event gives one. */
#define MEASURE_DEFAULT_MARKOUT_S 5.0
/* Tolerance of the attribution identity, bps. */
#define MEASURE_IDENTITY_TOL_BPS 1e-6

struct measure_config {
	double markout_s;      /* > 0: horizon of adverse_bps; 0: the start event's, else 5 s */
};

/* The KPIs of one iteration, unrounded (names as in the record's summary). */
struct soak_summary {
	double net_bps, gross_bps, fees_eff_bps, adverse_bps, slippage_bps, inventory_bps;
	double maker_taker_ratio;          /* maker notional / traded notional */
	double p95_latency_ms;             /* send -> ack */
	double risk_ratio;                 /* time-weighted p95 of |position| x mid / risk_budget */
	double adverse_bps_p95;            /* per maker fill: s (m(fill) - m(fill + h)) / m(fill) x 1e4 */
	double slippage_bps_p95;           /* per taker fill: s (p - m(send)) / m(send) x 1e4 */
	double order_age_p95_ms;           /* quotes, ack -> off the book (cancel or last fill) */
	double cancel_ratio;               /* cancels / quotes sent */
	double adverse_bps_h[MEASURE_N_EXTRA_HORIZONS];   /* at 1 s, 5 s, 30 s */
	long maker_count, taker_count;
	double maker_volume, taker_volume; /* notional */
	long order_count, quote_count, rescue_count, cancel_count, reject_count, ack_count;
	double pnl;                        /* quote currency, marked to the final mid */
	double traded_notional, final_position, final_mid, duration_s, markout_s;
	const char *neg_edge_drivers[2];   /* summary field names, worst first */
	int n_neg_edge_drivers;
};

/* A growable array of doubles (samples, or (value, weight) pairs). */
struct measure_series { double *v; size_t n, cap; };

struct measure_order;          /* an open order (measure.c) */
struct measure_pending;        /* a maker fill waiting for its markouts (measure.c) */

/* The accumulator.  Opaque in practice: touch it only through the functions below. */
struct measure {
	struct measure_config cfg;
	/* state of the log */
	int phase;                     /* 0 before start, 1 running, 2 after end */
	double t, mid, bid, ask;
	bool have_mid, have_bid, have_ask;
	long iteration;
	double position_limit, risk_budget, horizon;
	/* money, quote currency */
	double position, cash, fees_paid, fees, gross, adverse, slippage, inventory, traded;
	double adverse_h[MEASURE_N_EXTRA_HORIZONS];
	double risk_position;          /* P of the inventory formula */
	double seg_value, seg_start;   /* current |position| notional and since when */
	struct soak_summary k;         /* counts, filled as events arrive */
	/* samples */
	struct measure_series latency, age, markout, slip, risk;
	/* open orders: open-addressing table keyed by id */
	struct measure_order *orders;
	size_t order_cap, order_n;
	/* maker fills waiting for a markout: a ring */
	struct measure_pending *pending;
	size_t pend_cap, pend_head, pend_n;   /* pend_head: sequence number of the oldest */
	size_t pend_cursor[MEASURE_N_EXTRA_HORIZONS + 1];   /* next to settle, per horizon */
	double next_due;               /* earliest markout time pending (INFINITY: none) */
	double due[MEASURE_N_EXTRA_HORIZONS + 1];   /* per horizon: its next markout time */
	bool same_as_profile[MEASURE_N_EXTRA_HORIZONS + 1];   /* an extra horizon equal to h: copied */
	bool oom;
};

/* Set up m (zeroed memory or not) with cfg; then measure_begin. */
void measure_init(struct measure *m, const struct measure_config *cfg);

/* Start a new iteration: forget the previous one's state, keep the memory. */
void measure_begin(struct measure *m);

/*
 * Take the next event of the log.  Returns false with a message in err
 * (SOAK_ERR_MAX bytes, no line number) when the event cannot come here:
 * anything before "start" or after "end", t going back or negative, a
 * second "start", an order id sent twice while open, an ack/cancel/
 * reject/fill of an order not open, a fill whose side is not its order's
 * or that overfills it, a send or fill before any mid, an invalid field.
 * After an error m is unusable until measure_begin.
 */
bool measure_event(struct measure *m, const struct soak_event *e, char *err);

/*
 * The KPIs of the iteration whose "end" has been taken.  Returns false
 * with a message in err when no "end" was taken (a truncated log), when
 * memory ran out, or when the attribution identity fails by more than
 * MEASURE_IDENTITY_TOL_BPS.
 */
bool measure_finish(struct measure *m, struct soak_summary *out, char *err);

/* Release m's memory. */
void measure_free(struct measure *m);

/*
 * A new "summary" object with the record's field names (soak-record(5)),
 * KPIs rounded to 4 decimals: net_bps ... cancel_ratio, fills
 * {maker_count, taker_count, maker_volume, taker_volume},
 * neg_edge_drivers, then adverse_bps_1s, adverse_bps_5s, adverse_bps_30s,
 * markout_s, rescue_count, order_count, cancel_count, reject_count, pnl,
 * final_inventory, duration_s.  The caller may add fields and owns it.
 */
cJSON *measure_summary_json(const struct soak_summary *s);

/* Replace (or add) rec's "summary" with measure_summary_json(s). */
void measure_summary_to_record(cJSON *rec, const struct soak_summary *s);

/*
 * Test hook for the identity check: add `bps` to the named part
 * ("gross", "fees", "adverse", "slippage", "inventory") of m before
 * measure_finish checks it.  Returns false for an unknown name.
 * soak-measure exposes it only through SOAK_MEASURE_BREAK_PART (tests).
 */
bool measure_break_part(struct measure *m, const char *part, double bps);

#endif
