#!/usr/bin/env bats
# Each parameter moves the KPIs the way a market maker expects (the table
# in soak-mock(1)): same seed and iteration, so the same market, one
# parameter moved from low to high.  The rescue parameters are checked
# with a tight position limit, where rescues happen in every iteration.

load helpers

# kpi ITERATION KPI JQ_EDIT: the KPI of seed 1 with params edited by JQ_EDIT.
kpi() {
	record "$1" | jq -c ".params |= ($3)" | soak-mock --seed 1 | jq ".summary.$2"
}

# moves ITERATION KPI up|down JQ_LOW JQ_HIGH
moves() {
	local low high
	low=$(kpi "$1" "$2" "$4")
	high=$(kpi "$1" "$2" "$5")
	echo "$2: $low -> $high (expected $3)"
	if [ "$3" = up ]; then
		jq -en "$high > $low" >/dev/null
	else
		jq -en "$high < $low" >/dev/null
	fi
}

tight='.position_limit_notional = 4000'

@test "wider spread: fewer maker fills, more gross edge per fill" {
	moves 10 fills.maker_count down '.base_spread_bps_delta = 0' '.base_spread_bps_delta = 0.6'
	moves 10 gross_bps up '.base_spread_bps_delta = 0' '.base_spread_bps_delta = 0.6'
}

@test "longer min_interval: fewer orders, lower latency, older quotes" {
	moves 10 order_count down '.min_interval_ms = 20' '.min_interval_ms = 300'
	moves 10 order_age_p95_ms up '.min_interval_ms = 20' '.min_interval_ms = 300'
	moves 10 p95_latency_ms down '.min_interval_ms = 20' '.min_interval_ms = 300'
}

@test "higher replace rate: more load and latency, more cancels" {
	moves 10 p95_latency_ms up '.replace_rate_per_min = 60' '.replace_rate_per_min = 600'
	moves 10 cancel_ratio up '.replace_rate_per_min = 60' '.replace_rate_per_min = 600'
}

@test "higher impact cap: bigger quotes, more volume and more risk" {
	moves 10 fills.maker_volume up '.impact_cap_ratio = 0.04' '.impact_cap_ratio = 0.12'
	moves 10 risk_ratio up '.impact_cap_ratio = 0.04' '.impact_cap_ratio = 0.12'
}

@test "higher max delta: more fills, less gross edge per fill" {
	moves 10 fills.maker_count up '.max_delta_ratio = 0.05' '.max_delta_ratio = 0.2'
	moves 10 gross_bps down '.max_delta_ratio = 0.05' '.max_delta_ratio = 0.2'
}

@test "longer tail age: older quotes, fewer forced refreshes, lower latency" {
	moves 10 order_age_p95_ms up '.tail_age_ms = 200' '.tail_age_ms = 1500'
	moves 10 p95_latency_ms down '.tail_age_ms = 200' '.tail_age_ms = 1500'
}

@test "more concurrency: more load, higher latency (most at cold start)" {
	moves 1 p95_latency_ms up '.concurrency_limit = 1' '.concurrency_limit = 16'
	moves 10 p95_latency_ms up '.concurrency_limit = 1' '.concurrency_limit = 16'
}

@test "bigger rescues: less risk, lower maker share" {
	moves 10 risk_ratio down "$tight | .rescue_max_ratio = 0" "$tight | .rescue_max_ratio = 1"
	moves 10 maker_taker_ratio down "$tight | .rescue_max_ratio = 0" "$tight | .rescue_max_ratio = 1"
	moves 10 fees_eff_bps up "$tight | .rescue_max_ratio = 0" "$tight | .rescue_max_ratio = 1"
}

@test "higher rescue edge: fewer rescues, more risk" {
	moves 10 rescue_count down "$tight | .rescue_min_edge_bps = 0" "$tight | .rescue_min_edge_bps = 10"
	moves 10 risk_ratio up "$tight | .rescue_min_edge_bps = 0" "$tight | .rescue_min_edge_bps = 10"
}

@test "longer rescue cooldown: fewer rescues, more risk" {
	moves 10 rescue_count down "$tight | .rescue_cooldown_ms = 0" "$tight | .rescue_cooldown_ms = 10000"
	moves 10 risk_ratio up "$tight | .rescue_cooldown_ms = 0" "$tight | .rescue_cooldown_ms = 10000"
}

@test "larger position limit: more inventory, fewer rescues" {
	moves 10 risk_ratio up '.position_limit_notional = 2000' '.position_limit_notional = 100000'
	moves 10 rescue_count down '.position_limit_notional = 2000' '.position_limit_notional = 100000'
	moves 10 cancel_ratio down '.position_limit_notional = 2000' '.position_limit_notional = 100000'
}

@test "cold start: the first iteration is slower and worse than a warm one" {
	[ "$(kpi 1 p95_latency_ms .)" != "$(kpi 10 p95_latency_ms .)" ]
	jq -en "$(kpi 1 p95_latency_ms .) > $(kpi 10 p95_latency_ms .)"
	jq -en "$(kpi 1 md_delay_p95_ms .) > 5 * $(kpi 10 md_delay_p95_ms .)"
}

@test "warm-up preset at iteration 1: lower latency and risk, better net" {
	run_pipe "record 1 | soak-mock --seed 1"
	cold="$output"
	run_pipe "record 1 | warmup-phase | warmup-apply --preset warmup_conservative_v1 | soak-mock --seed 1"
	warm="$output"
	jq -en --argjson c "$cold" --argjson w "$warm" \
		'$w.summary.p95_latency_ms < $c.summary.p95_latency_ms and
		 $w.summary.risk_ratio < $c.summary.risk_ratio and
		 $w.summary.net_bps > $c.summary.net_bps'
}
