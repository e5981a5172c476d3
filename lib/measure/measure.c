/*
 * measure.c - the accumulator of measure.h: KPIs of one iteration from
 * its execution events.  Order bookkeeping is in measure-orders.c, the
 * quantiles in measure-series.c.
 */
#include "measure.h"
#include "measure-internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const double measure_extra_horizons_s[MEASURE_N_EXTRA_HORIZONS] = { 1.0, 5.0, 30.0 };

void measure_init(struct measure *m, const struct measure_config *cfg)
{
	memset(m, 0, sizeof *m);
	m->cfg = *cfg;
}

void measure_begin(struct measure *m)
{
	m->phase = 0;
	m->t = 0;
	m->mid = m->bid = m->ask = 0;
	m->have_mid = m->have_bid = m->have_ask = false;
	m->iteration = 0;
	m->position_limit = m->risk_budget = m->horizon = 0;
	m->position = m->cash = m->fees_paid = m->fees = m->gross = m->adverse = 0;
	m->slippage = m->inventory = m->traded = 0;
	memset(m->adverse_h, 0, sizeof m->adverse_h);
	m->risk_position = 0;
	m->seg_value = m->seg_start = 0;
	memset(&m->k, 0, sizeof m->k);
	struct measure_series *all[] = { &m->latency, &m->age, &m->markout, &m->slip, &m->risk };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		all[i]->n = 0;
	measure_orders_clear(m);
	m->pend_head = m->pend_n = 0;
	memset(m->pend_cursor, 0, sizeof m->pend_cursor);
	m->next_due = INFINITY;
	for (int j = 0; j <= MEASURE_N_EXTRA_HORIZONS; j++)
		m->due[j] = INFINITY;
	memset(m->same_as_profile, 0, sizeof m->same_as_profile);
	m->oom = false;
}

void measure_free(struct measure *m)
{
	struct measure_series *all[] = { &m->latency, &m->age, &m->markout, &m->slip, &m->risk };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		free(all[i]->v);
		all[i]->v = NULL;
		all[i]->n = all[i]->cap = 0;
	}
	free(m->orders);
	free(m->pending);
	m->orders = NULL;
	m->pending = NULL;
	m->order_cap = m->order_n = m->pend_cap = 0;
}

/* --- time: risk segments and markouts ------------------------------------- */

/* |position| notional changes now: close the segment that ends here. */
static void risk_mark(struct measure *m)
{
	double duration = m->t - m->seg_start;
	if (duration > 0) {
		measure_push(m, &m->risk, m->seg_value);
		measure_push(m, &m->risk, duration);
	}
	m->seg_start = m->t;
	m->seg_value = fabs(m->position) * m->mid;
}

/* Horizon of markout cursor j: 0 the profile's, then the extra ones. */
static double horizon_of(const struct measure *m, int j)
{
	return j == 0 ? m->horizon : measure_extra_horizons_s[j - 1];
}

/* Settle cursor j's next pending fill against the mid in force now. */
static void settle_one(struct measure *m, int j)
{
	const struct measure_pending *f = &m->pending[m->pend_cursor[j] & (m->pend_cap - 1)];
	double loss = f->signed_qty * (f->mid - m->mid);
	if (j == 0) {
		m->adverse += loss;
		measure_push(m, &m->markout, (f->signed_qty > 0 ? 1.0 : -1.0) *
			     (f->mid - m->mid) / f->mid * 1e4);
		m->risk_position += f->signed_qty;   /* carried from now on */
	} else {
		m->adverse_h[j - 1] += loss;
	}
	m->pend_cursor[j]++;
}

/* The earliest markout still to settle, over every horizon. */
static void update_next_due(struct measure *m)
{
	m->next_due = INFINITY;
	for (int j = 0; j <= MEASURE_N_EXTRA_HORIZONS; j++)
		if (m->due[j] < m->next_due)
			m->next_due = m->due[j];
}

/* Settle the markouts due before t (every one when all), drop finished fills. */
static void settle_markouts(struct measure *m, double t, bool all)
{
	size_t tail = m->pend_head + m->pend_n;
	size_t mask = m->pend_cap - 1;
	for (int j = 0; j <= MEASURE_N_EXTRA_HORIZONS; j++) {
		if (m->same_as_profile[j] || (!all && !(m->due[j] < t)))
			continue;
		double h = horizon_of(m, j);
		while (m->pend_cursor[j] < tail &&
		       (all || m->pending[m->pend_cursor[j] & mask].t + h < t))
			settle_one(m, j);
		m->due[j] = m->pend_cursor[j] < tail ?
			    m->pending[m->pend_cursor[j] & mask].t + h : INFINITY;
	}
	size_t oldest = tail;
	for (int j = 0; j <= MEASURE_N_EXTRA_HORIZONS; j++)
		if (!m->same_as_profile[j] && m->pend_cursor[j] < oldest)
			oldest = m->pend_cursor[j];
	m->pend_n -= oldest - m->pend_head;
	m->pend_head = oldest;
	update_next_due(m);
}

/* --- events ------------------------------------------------------------------ */

static void new_mid(struct measure *m, double mid)
{
	if (m->have_mid)
		m->inventory -= m->risk_position * (mid - m->mid);   /* carried position's mark */
	m->mid = mid;
	m->have_mid = true;
	risk_mark(m);
}

static void on_touch(struct measure *m, const struct soak_event *e)
{
	if (e->type == SOAK_EV_MID) {
		new_mid(m, e->price);
		return;
	}
	if (e->type == SOAK_EV_BID) {
		m->bid = e->price;
		m->have_bid = true;
	} else {
		m->ask = e->price;
		m->have_ask = true;
	}
	if (m->have_bid && m->have_ask)
		new_mid(m, (m->bid + m->ask) / 2.0);
}

static bool on_start(struct measure *m, const struct soak_event *e, char *err)
{
	if (m->phase != 0)
		return soak_errorf(err, "a second 'start' event");
	m->phase = 1;
	m->t = m->seg_start = e->t;
	m->iteration = e->iteration;
	m->position_limit = e->position_limit;
	m->risk_budget = e->risk_budget;
	m->horizon = m->cfg.markout_s > 0 ? m->cfg.markout_s :
		     e->markout_s > 0 ? e->markout_s : MEASURE_DEFAULT_MARKOUT_S;
	for (int j = 1; j <= MEASURE_N_EXTRA_HORIZONS; j++)   /* no need to settle it twice */
		m->same_as_profile[j] = measure_extra_horizons_s[j - 1] == m->horizon;
	return true;
}

static bool maker_fill(struct measure *m, double signed_qty, double price, char *err)
{
	m->gross += signed_qty * (m->mid - price);
	m->k.maker_count++;
	m->k.maker_volume += fabs(signed_qty) * price;
	if (!measure_pending_push(m, (struct measure_pending){ m->t, m->mid, signed_qty }, err))
		return false;
	for (int j = 0; j <= MEASURE_N_EXTRA_HORIZONS; j++)
		if (m->due[j] == INFINITY && !m->same_as_profile[j])   /* nothing else pending for it */
			m->due[j] = m->t + horizon_of(m, j);
	update_next_due(m);
	return true;
}

static void taker_fill(struct measure *m, double signed_qty, double price, double decision_mid)
{
	double sign = signed_qty > 0 ? 1.0 : -1.0;
	m->slippage += signed_qty * (price - decision_mid);
	measure_push(m, &m->slip, sign * (price - decision_mid) / decision_mid * 1e4);
	/* the rescue's position, carried from its decision to now */
	m->inventory -= signed_qty * (m->mid - decision_mid);
	m->risk_position += signed_qty;
	m->k.taker_count++;
	m->k.taker_volume += fabs(signed_qty) * price;
}

static bool on_fill(struct measure *m, const struct soak_event *e, char *err)
{
	double decision_mid;
	if (!isfinite(e->qty * e->price))
		return soak_errorf(err, "the fill's notional (qty x price) is not a finite number");
	if (!measure_order_fill(m, e, &decision_mid, err))
		return false;
	double signed_qty = e->side == SOAK_BUY ? e->qty : -e->qty;
	m->position += signed_qty;
	m->cash -= signed_qty * e->price;
	m->fees_paid += e->fee;   /* the cash flow, for pnl */
	m->fees += e->fee;        /* the part */
	m->traded += e->qty * e->price;
	if (e->liquidity == SOAK_MAKER) {
		if (!maker_fill(m, signed_qty, e->price, err))
			return false;
	} else {
		taker_fill(m, signed_qty, e->price, decision_mid);
	}
	risk_mark(m);
	return true;
}

static bool on_end(struct measure *m)
{
	m->phase = 2;
	settle_markouts(m, m->t, true);
	risk_mark(m);
	m->k.duration_s = m->t;
	return true;
}

static bool dispatch(struct measure *m, const struct soak_event *e, char *err)
{
	switch (e->type) {
	case SOAK_EV_START: return on_start(m, e, err);
	case SOAK_EV_MID: case SOAK_EV_BID: case SOAK_EV_ASK:
		on_touch(m, e);
		return true;
	case SOAK_EV_SEND: return measure_order_send(m, e, err);
	case SOAK_EV_ACK: return measure_order_ack(m, e, err);
	case SOAK_EV_CANCEL: return measure_order_cancel(m, e, err);
	case SOAK_EV_REJECT: return measure_order_reject(m, e, err);
	case SOAK_EV_FILL: return on_fill(m, e, err);
	case SOAK_EV_END: return on_end(m);
	}
	return soak_errorf(err, "unknown event type");
}

bool measure_event(struct measure *m, const struct soak_event *e, char *err)
{
	if (!isfinite(e->t) || e->t < 0)
		return soak_errorf(err, "'t' must be a finite number >= 0");
	if (m->phase == 0 && e->type != SOAK_EV_START)
		return soak_errorf(err, "'%s' before 'start' (the log must begin with 'start')",
				   soak_event_name(e->type));
	if (m->phase == 2)
		return soak_errorf(err, "'%s' after 'end'", soak_event_name(e->type));
	if (m->phase == 1 && e->t < m->t)
		return soak_errorf(err, "'t' goes back from %.17g to %.17g", m->t, e->t);
	if (m->phase == 1 && m->next_due < e->t)
		settle_markouts(m, e->t, false);
	m->t = e->t;
	return dispatch(m, e, err);
}

/* --- the summary ----------------------------------------------------------------- */

static double per_traded(const struct measure *m, double x)
{
	return m->traded > 0 ? x / m->traded * 1e4 : 0.0;
}

/* When the iteration lost money, the costs that did it, the largest first (at most two). */
static void list_drivers(struct soak_summary *k)
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

static bool check_identity(const struct soak_summary *k, char *err)
{
	double parts = k->gross_bps - k->fees_eff_bps - k->adverse_bps - k->slippage_bps -
		       k->inventory_bps;
	if (fabs(parts - k->net_bps) > MEASURE_IDENTITY_TOL_BPS)
		return soak_errorf(err, "attribution does not add up: net_bps %.9g but gross - fees"
				   " - adverse - slippage - inventory = %.9g", k->net_bps, parts);
	return true;
}

/* Every KPI is a finite number (huge prices or sizes could overflow). */
static bool check_finite(const struct soak_summary *k, char *err)
{
	const double v[] = {
		k->net_bps, k->gross_bps, k->fees_eff_bps, k->adverse_bps, k->slippage_bps,
		k->inventory_bps, k->maker_taker_ratio, k->p95_latency_ms, k->risk_ratio,
		k->adverse_bps_p95, k->slippage_bps_p95, k->order_age_p95_ms, k->cancel_ratio,
		k->adverse_bps_h[0], k->adverse_bps_h[1], k->adverse_bps_h[2], k->maker_volume,
		k->taker_volume, k->pnl, k->traded_notional, k->final_position, k->duration_s,
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (!isfinite(v[i]))
			return soak_errorf(err, "the KPIs overflow (prices, sizes or times too large)");
	return true;
}

static void money_kpis(struct measure *m, struct soak_summary *k)
{
	double pnl = m->cash + m->position * m->mid - m->fees_paid;
	k->pnl = pnl;
	k->traded_notional = m->traded;
	k->final_position = m->position;
	k->final_mid = m->mid;
	k->markout_s = m->horizon;
	k->net_bps = per_traded(m, pnl);
	k->gross_bps = per_traded(m, m->gross);
	k->fees_eff_bps = per_traded(m, m->fees);
	k->adverse_bps = per_traded(m, m->adverse);
	k->slippage_bps = per_traded(m, m->slippage);
	k->inventory_bps = per_traded(m, m->inventory);
	for (int j = 0; j < MEASURE_N_EXTRA_HORIZONS; j++)
		k->adverse_bps_h[j] = per_traded(m, m->same_as_profile[j + 1] ? m->adverse :
								  m->adverse_h[j]);
	k->maker_taker_ratio = m->traded > 0 ? k->maker_volume / m->traded : 0.0;
}

bool measure_finish(struct measure *m, struct soak_summary *out, char *err)
{
	if (m->phase != 2)
		return soak_errorf(err, "the log ends without an 'end' event (truncated)");
	if (m->oom)
		return soak_errorf(err, "out of memory");
	struct soak_summary *k = &m->k;
	money_kpis(m, k);
	k->p95_latency_ms = measure_p95(&m->latency);
	k->order_age_p95_ms = measure_p95(&m->age);
	k->adverse_bps_p95 = measure_p95(&m->markout);
	k->slippage_bps_p95 = measure_p95(&m->slip);
	k->risk_ratio = measure_weighted_p95(&m->risk) / m->risk_budget;
	k->cancel_ratio = k->quote_count > 0 ? (double)k->cancel_count / (double)k->quote_count : 0;
	list_drivers(k);
	*out = *k;
	return check_finite(k, err) && check_identity(k, err);
}

bool measure_break_part(struct measure *m, const char *part, double bps)
{
	double *slot = strcmp(part, "gross") == 0 ? &m->gross :
		       strcmp(part, "fees") == 0 ? &m->fees :
		       strcmp(part, "adverse") == 0 ? &m->adverse :
		       strcmp(part, "slippage") == 0 ? &m->slippage :
		       strcmp(part, "inventory") == 0 ? &m->inventory : NULL;
	if (!slot)
		return false;
	*slot += bps * m->traded / 1e4;
	return true;
}
