/*
 * sim-legacy.c - the original tool's mock series, kept for comparison
 * with old reports (reference/original-tool.md section 7; DESIGN.md).
 */
#include "sim.h"

#include <math.h>
#include <string.h>

struct legacy_row {
	double net, gross, fees, slippage, adverse, inventory;
	double adverse_p95, slippage_p95, cancel, age, ws_lag, maker_share, p95, risk;
	long maker_count, taker_count;
	double maker_volume, taker_volume;
	const char *drivers[2];
};

/* Iterations 1 and 2 (k = 0, 1), hard-coded in the original. */
static const struct legacy_row first_two[2] = {
	{ -1.5, 5, 2, 3.5, 2, 1, 5.0, 3.5, 0.60, 340, 130, 88, 250, 0.17,
	  500, 500, 25000, 25000, { "slippage_bps", "adverse_bps" } },
	{ -0.8, 5, 2, 2.8, 1.5, 0.5, 4.5, 3.2, 0.55, 335, 125, 89, 280, 0.33,
	  600, 400, 30000, 20000, { "slippage_bps", "fees_eff_bps" } },
};

static struct legacy_row formula_row(double k)
{
	struct legacy_row r;
	memset(&r, 0, sizeof r);
	double mt = fmin(0.85, 0.50 + 0.05 * k);
	r.net = 2.8 + 0.1 * k;
	r.gross = 8; r.fees = 2; r.slippage = 2; r.adverse = 1.5; r.inventory = 0.5;
	r.adverse_p95 = fmax(1.5, 3.5 - 0.2 * k);
	r.slippage_p95 = fmax(1.0, 2.5 - 0.15 * k);
	r.cancel = fmax(0.05, 0.48 - 0.05 * k);
	r.age = 350;
	r.ws_lag = 95 + 5 * k;
	r.maker_share = 90 + 0.5 * k;
	r.p95 = fmax(180, 320 - 5 * k);
	r.risk = fmax(0.30, 0.68 * pow(0.83, k - 2));
	/* the original: int(1000 * mt) maker fills of 50 each, the rest taker */
	r.maker_count = (long)(1000 * mt + 1e-9);
	r.taker_count = 1000 - r.maker_count;
	r.maker_volume = 50.0 * (double)r.maker_count;
	r.taker_volume = 50.0 * (double)r.taker_count;
	return r;
}

void sim_legacy(long iteration, struct sim_kpi *out, struct sim_legacy_extra *extra)
{
	long k = iteration - 1;
	struct legacy_row r = k < 2 ? first_two[k] : formula_row((double)k);
	memset(out, 0, sizeof *out);
	out->net_bps = r.net;
	out->gross_bps = r.gross;
	out->fees_eff_bps = r.fees;
	out->slippage_bps = r.slippage;
	out->adverse_bps = r.adverse;
	out->inventory_bps = r.inventory;
	out->maker_count = r.maker_count;
	out->taker_count = r.taker_count;
	out->maker_volume = r.maker_volume;
	out->taker_volume = r.taker_volume;
	out->maker_taker_ratio = r.maker_volume / (r.maker_volume + r.taker_volume);
	out->p95_latency_ms = r.p95;
	out->risk_ratio = r.risk;
	out->adverse_bps_p95 = r.adverse_p95;
	out->slippage_bps_p95 = r.slippage_p95;
	out->order_age_p95_ms = r.age;
	out->cancel_ratio = r.cancel;
	for (int i = 0; i < 2 && r.drivers[i]; i++)
		out->neg_edge_drivers[out->n_neg_edge_drivers++] = r.drivers[i];
	extra->ws_lag_p95_ms = r.ws_lag;
	extra->maker_share_pct = r.maker_share;
}
