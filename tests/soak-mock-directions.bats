#!/usr/bin/env bats
# Each of the 11 parameters moves the KPIs the way soak-mock(1), PARAMETER
# DIRECTIONS, says, from its lower bound to its upper bound, when warm:
# the same seeds (1-3) and iterations (10-11), so the same markets (common
# random numbers), the other parameters at maker_bias_uplift_v1's values.
# Each figure is the mean over those 6 iterations.

load helpers

bias='{"base_spread_bps_delta":0.15,"min_interval_ms":80,"replace_rate_per_min":252,"impact_cap_ratio":0.0855,"max_delta_ratio":0.133,"tail_age_ms":620,"concurrency_limit":4,"rescue_max_ratio":0.255,"rescue_min_edge_bps":1.5,"rescue_cooldown_ms":1250,"position_limit_notional":10000}'

# kpi KPI JQ_EDIT: the mean of summary.KPI over seeds 1-3, iterations 10-11, params edited.
kpi() {
	local p s
	p=$(jq -c "$2" <<<"$bias")
	for s in 1 2 3; do
		printf '{"iteration":10,"params":%s}\n{"iteration":11,"params":%s}\n' "$p" "$p" |
			soak-mock --seed "$s"
	done | jq -s "map(.summary.$1) | add / length"
}

# moves KPI up|down KEY: KPI at KEY's upper bound against its lower bound.
moves() {
	local lo hi low high
	lo=$(soak-mock --list-params | jq -r "select(.key == \"$3\") | .min")
	hi=$(soak-mock --list-params | jq -r "select(.key == \"$3\") | .max")
	low=$(kpi "$1" ".$3 = $lo")
	high=$(kpi "$1" ".$3 = $hi")
	echo "$3 $lo -> $hi: $1 $low -> $high (expected $2)"
	if [ "$2" = up ]; then
		jq -en "$high > $low" >/dev/null
	else
		jq -en "$high < $low" >/dev/null
	fi
}

@test "wider spread: fewer maker fills, more net per fill, less adverse selection" {
	moves fills.maker_count down base_spread_bps_delta
	moves net_bps up base_spread_bps_delta
	moves adverse_bps down base_spread_bps_delta
}

@test "the P&L-optimal spread lies inside the bounds: P&L per iteration peaks between them" {
	# pnl (quote ccy per iteration) = net_bps x traded notional: at -1.5 about 90,
	# at 0 about 102, at +1.5 about 96 (soak-mock(1), PARAMETER DIRECTIONS)
	mid=$(kpi pnl '.base_spread_bps_delta = 0')
	low=$(kpi pnl '.base_spread_bps_delta = -1.5')
	high=$(kpi pnl '.base_spread_bps_delta = 1.5')
	echo "pnl: -1.5 $low, 0 $mid, +1.5 $high"
	jq -en "$mid > $low * 1.03 and $mid > $high * 1.02" >/dev/null
}

@test "longer min_interval: fewer orders, lower latency, older quotes, less P&L" {
	moves order_count down min_interval_ms
	moves p95_latency_ms down min_interval_ms
	moves order_age_p95_ms up min_interval_ms
	moves pnl down min_interval_ms
}

@test "higher replace rate: more cancels and latency, fresher quotes, more maker share" {
	moves cancel_ratio up replace_rate_per_min
	moves p95_latency_ms up replace_rate_per_min
	moves maker_taker_ratio up replace_rate_per_min
	moves net_bps up replace_rate_per_min
}

@test "higher impact cap: bigger quotes, more volume, more risk, less net" {
	moves fills.maker_volume up impact_cap_ratio
	moves risk_ratio up impact_cap_ratio
	moves net_bps down impact_cap_ratio
}

@test "higher max delta: quotes catch up sooner, more maker fills, younger quotes" {
	moves fills.maker_count up max_delta_ratio
	moves order_age_p95_ms down max_delta_ratio
}

@test "longer tail age: fewer refreshes and cancels, older quotes, more maker fills" {
	moves order_count down tail_age_ms
	moves cancel_ratio down tail_age_ms
	moves order_age_p95_ms up tail_age_ms
	moves fills.maker_count up tail_age_ms
}

@test "more concurrency: a burst queues at the gateway, higher latency" {
	moves p95_latency_ms up concurrency_limit
}

@test "bigger rescues: less risk, lower maker share, more fees" {
	moves risk_ratio down rescue_max_ratio
	moves maker_taker_ratio down rescue_max_ratio
	moves fees_eff_bps up rescue_max_ratio
}

@test "higher rescue edge: fewer rescues, more risk" {
	moves rescue_count down rescue_min_edge_bps
	moves risk_ratio up rescue_min_edge_bps
}

@test "longer rescue cooldown: fewer rescues, more risk" {
	moves rescue_count down rescue_cooldown_ms
	moves risk_ratio up rescue_cooldown_ms
}

@test "larger position limit: more inventory, fewer rescues, bigger quotes, more P&L" {
	moves risk_ratio up position_limit_notional
	moves rescue_count down position_limit_notional
	moves fills.maker_volume up position_limit_notional
	moves pnl up position_limit_notional
}

@test "cold start: the first iteration's feed, orders and P&L are worse than a warm one's" {
	[ "$(record 1 | soak-mock | jq .summary.md_delay_p95_ms)" != null ]
	jq -en "$(record 1 | soak-mock | jq .summary.p95_latency_ms) > 2 * $(record 10 | soak-mock | jq .summary.p95_latency_ms)"
	jq -en "$(record 1 | soak-mock | jq .summary.md_delay_p95_ms) > 20 * $(record 10 | soak-mock | jq .summary.md_delay_p95_ms)"
	jq -en "$(record 1 | soak-mock | jq .summary.net_bps) < $(record 10 | soak-mock | jq .summary.net_bps) - 2"
}

@test "warm-up preset at iteration 1: lower latency, a fresher feed, less risk, better net" {
	run_pipe "record 1 | soak-mock --seed 1"
	cold="$output"
	run_pipe "record 1 | warmup-phase | warmup-apply --preset warmup_conservative_v1 | soak-mock --seed 1"
	warm="$output"
	jq -en --argjson c "$cold" --argjson w "$warm" \
		'$w.summary.p95_latency_ms < $c.summary.p95_latency_ms and
		 $w.summary.md_delay_p95_ms < $c.summary.md_delay_p95_ms / 5 and
		 $w.summary.risk_ratio < $c.summary.risk_ratio and
		 $w.summary.net_bps > $c.summary.net_bps + 2'
}
