#!/usr/bin/env bats
# warmup-apply: the preset at the phase weight, bounds, guards, bad input.

load helpers

# state.gate.history with one entry of the previous iteration's KPIs.
history() { # history ITERATION RISK P95
	printf '"state":{"gate":{"history":[{"iteration":%s,"status":"WARN","maker_taker_ratio":0.8,"net_bps":2.5,"p95_latency_ms":%s,"risk_ratio":%s}]}}' "$1" "$3" "$2"
}

@test "iteration 5 with warmup_conservative_v1 matches the hand-computed values" {
	run_pipe 'record 5 | warmup-phase | warmup-apply --preset warmup_conservative_v1 | jq -c .effective'
	[ "$status" -eq 0 ]
	# weight 2/3: add p + 2/3 v; mul p (1 + 2/3 (v - 1)); spread 0.14 + 2/3 0.45 = 0.44;
	# replace 280 (1 + 2/3 (0.55 - 1)) = 196
	[ "$output" = '{"base_spread_bps_delta":0.44,"min_interval_ms":81.6666666667,"replace_rate_per_min":196,"impact_cap_ratio":0.081,"max_delta_ratio":0.126,"tail_age_ms":686.666666667,"concurrency_limit":4,"rescue_max_ratio":0.24,"rescue_min_edge_bps":1.53333333333,"rescue_cooldown_ms":1266.66666667,"position_limit_notional":8666.66666667}' ]
}

@test "full weight in warm-up, baseline from iteration 7" {
	run_pipe 'for i in 1 4 7 24; do record $i; done | warmup-phase | warmup-apply | jq -c "[.iteration, .effective.min_interval_ms, .effective.position_limit_notional, .effective.rescue_max_ratio]"'
	[ "$status" -eq 0 ]
	[ "$output" = '[1,90,8000,0.21]
[4,90,8000,0.21]
[7,65,10000,0.3]
[24,65,10000,0.3]' ]
}

@test "each op (add, mul, set) at each weight" {
	# The weight comes from the record as warmup-phase wrote it (12 digits):
	# 65 + 0.333333333333 x 65 = 86.666666666645.
	run_pipe 'for i in 1 5 6 7; do record $i; done | warmup-phase | warmup-apply --preset "$FIXTURES/preset-ops.json" | jq -c "[.phase.weight, .effective.base_spread_bps_delta, .effective.min_interval_ms, .effective.tail_age_ms]"'
	[ "$status" -eq 0 ]
	[ "$output" = '[1,0.44,130,1000]
[0.666666666667,0.34,108.333333333,873.333333333]
[0.333333333333,0.24,86.6666666666,746.666666667]
[0,0.14,65,620]' ]
}

@test "params are never changed: effective is derived afresh (no compounding)" {
	run_pipe 'record 2 | warmup-phase | warmup-apply | warmup-apply | jq -c "[.params == $(printf %s "$baseline_params" | jq -c .), .effective.min_interval_ms, .warmup.preset]"'
	[ "$status" -eq 0 ]
	[ "$output" = '[true,90,"warmup_conservative_v1"]' ]
}

@test "results are clamped to the registry bounds; whole-number parameters rounded" {
	run_pipe 'record 1 | warmup-phase | warmup-apply --preset "$FIXTURES/preset-beyond-bounds.json" | jq -c "[.effective.replace_rate_per_min, .effective.impact_cap_ratio, .effective.concurrency_limit]"'
	[ "$status" -eq 0 ]
	[ "$output" = '[600,0.04,4]' ]
}

@test "first iteration: no history, no guard" {
	run_pipe 'record 1 | warmup-phase | warmup-apply'
	[ "$status" -eq 0 ]
	assert_jq '.warmup.prev_iteration == null and .warmup.latency_prebuffer.applied == false and .warmup.rescue_block.blocked == false and .effective.rescue_max_ratio == 0.21'
}

@test "warm-up: high risk and p95 block the rescue and add the latency pre-buffer" {
	run_pipe "record 3 '$(history 2 0.47 372)' | warmup-phase | warmup-apply"
	[ "$status" -eq 0 ]
	assert_jq '.warmup.rescue_block.blocked and .warmup.rescue_block.reason == "risk=47.0% > 45%; p95=372ms > 360ms"'
	assert_jq '.effective.rescue_max_ratio == 0 and .warmup.latency_prebuffer.extra_spread_bps == 0.022 and .effective.base_spread_bps_delta == 0.612'
	# the position limit is the preset's alone
	assert_jq '.effective.position_limit_notional == 8000 and .warmup.prev_iteration == 2'
}

@test "warm-up guards just inside their thresholds do not fire" {
	run_pipe "record 3 '$(history 2 0.45 350)' | warmup-phase | warmup-apply"
	[ "$status" -eq 0 ]
	assert_jq '.warmup.rescue_block.blocked == false and .warmup.rescue_block.reason == null and .effective.rescue_max_ratio == 0.21'
	assert_jq '.warmup.latency_prebuffer.applied == false and .effective.base_spread_bps_delta == 0.59'
}

@test "p95 between the pre-buffer target and the block threshold: pre-buffer only" {
	run_pipe "record 2 '$(history 1 0.3 360)' | warmup-phase | warmup-apply"
	[ "$status" -eq 0 ]
	assert_jq '.warmup.rescue_block.blocked == false and .warmup.latency_prebuffer.extra_spread_bps == 0.01 and .effective.base_spread_bps_delta == 0.6'
}

@test "the pre-buffer is capped" {
	run_pipe "record 2 '$(history 1 0.3 900)' | warmup-phase | warmup-apply"
	[ "$status" -eq 0 ]
	assert_jq '.warmup.latency_prebuffer.extra_spread_bps == 0.05 and .effective.base_spread_bps_delta == 0.64'
	assert_jq '.warmup.rescue_block.reason == "p95=900ms > 360ms"'
}

@test "after warm-up: no pre-buffer, rescue thresholds 0.55 and 400" {
	run_pipe "record 8 '$(history 7 0.55 400)' | warmup-phase | warmup-apply"
	[ "$status" -eq 0 ]
	assert_jq '.warmup.rescue_block.blocked == false and .warmup.latency_prebuffer.applied == false and .effective == .params'
	run_pipe "record 8 '$(history 7 0.56 401)' | warmup-phase | warmup-apply"
	[ "$status" -eq 0 ]
	assert_jq '.warmup.rescue_block.reason == "risk=56.0% > 55%; p95=401ms > 400ms" and .effective.rescue_max_ratio == 0'
	assert_jq '.effective.base_spread_bps_delta == 0.14 and .warmup.rescue_block.risk_threshold == 0.55'
}

@test "guard thresholds are options; --no-guards turns them off" {
	run_pipe "record 8 '$(history 7 0.5 300)' | warmup-phase | warmup-apply --block-risk=0.49"
	assert_jq '.warmup.rescue_block.blocked'
	run_pipe "record 2 '$(history 1 0.9 900)' | warmup-phase | warmup-apply --no-guards"
	assert_jq '.warmup.rescue_block.blocked == false and .warmup.latency_prebuffer.applied == false and .effective.rescue_max_ratio == 0.21'
	run_pipe "record 2 '$(history 1 0.3 380)' | warmup-phase | warmup-apply --prebuffer-target=300 --prebuffer-slope=0.02 --prebuffer-cap=1"
	assert_jq '.warmup.latency_prebuffer.extra_spread_bps == 0.16'
}

@test "a KPI missing from the history (null) fires no guard and is shown as null" {
	run_pipe "record 2 '\"state\":{\"gate\":{\"history\":[{\"iteration\":1,\"risk_ratio\":null,\"p95_latency_ms\":null}]}}' | warmup-phase | warmup-apply"
	[ "$status" -eq 0 ]
	assert_jq '.warmup.rescue_block.blocked == false and .warmup.rescue_block.risk_prev == null and .warmup.prev_iteration == 1'
}

@test "state and every other field pass through untouched" {
	run_pipe "record 3 '$(history 2 0.47 372),\"note\":\"x\"' | warmup-phase | warmup-apply"
	assert_jq '.state.gate.history[0].risk_ratio == 0.47 and .note == "x" and (keys_unsorted | join(",")) == "iteration,params,state,note,phase,effective,warmup"'
}

bad() { # bad RECORD_JSON EXPECTED_MESSAGE_PART
	run_pipe "echo '$1' | warmup-apply"
	[ "$status" -eq 2 ] || { echo "status $status"; return 1; }
	[ "$output" = "warmup-apply: line 1: $2" ] || { echo "got: $output"; return 1; }
}

@test "bad input: missing or malformed phase" {
	bad "{\"iteration\":1,\"params\":$baseline_params}" "missing field 'phase' (run warmup-phase first)"
	bad "{\"iteration\":1,\"params\":$baseline_params,\"phase\":{\"name\":\"HOT\",\"weight\":1}}" "'phase.name' is 'HOT', not WARMUP, RAMPDOWN or STEADY"
	bad "{\"iteration\":1,\"params\":$baseline_params,\"phase\":{\"name\":\"WARMUP\",\"weight\":1.5}}" "'phase.weight' = 1.5 is outside [0, 1]"
	bad "{\"iteration\":1,\"params\":$baseline_params,\"phase\":{\"name\":\"WARMUP\",\"weight\":\"1\"}}" "'phase.weight' is a string, not a number"
}

@test "bad input: params missing, unknown, mistyped, out of bounds" {
	ph='"phase":{"name":"WARMUP","weight":1}'
	bad "{\"iteration\":1,$ph}" "missing field 'params'"
	bad "{\"iteration\":1,$ph,\"params\":{\"min_intreval_ms\":60}}" "unknown parameter 'params.min_intreval_ms'; did you mean 'min_interval_ms'?"
	bad "{\"iteration\":1,$ph,\"params\":$(jq -c '.min_interval_ms="60"' <<<"$baseline_params")}" "'params.min_interval_ms' is not a number"
	bad "{\"iteration\":1,$ph,\"params\":$(jq -c '.tail_age_ms=5000' <<<"$baseline_params")}" "'params.tail_age_ms' = 5000 is out of bounds [200, 1500]"
	bad "{\"iteration\":1,$ph,\"params\":$(jq -c 'del(.tail_age_ms)' <<<"$baseline_params")}" "missing field 'params.tail_age_ms'"
	bad "{\"iteration\":1,$ph,\"params\":$(jq -c '.concurrency_limit=2.5' <<<"$baseline_params")}" "'params.concurrency_limit' = 2.5 is not a whole number"
}

@test "bad input: malformed history" {
	ph='"phase":{"name":"WARMUP","weight":1}'
	bad "{\"iteration\":2,$ph,\"params\":$baseline_params,\"state\":{\"gate\":{\"history\":{}}}}" "'state.gate.history' is not an array"
	bad "{\"iteration\":2,$ph,\"params\":$baseline_params,\"state\":{\"gate\":{\"history\":[{\"iteration\":1,\"risk_ratio\":\"high\"}]}}}" "'state.gate.history[].risk_ratio' is not a finite number or null"
	bad "{\"iteration\":2,$ph,\"params\":$baseline_params,\"state\":[]}" "'state' is an array, not an object"
}

@test "bad input: phase name and weight must agree; history must be in order" {
	bad "{\"iteration\":1,\"params\":$baseline_params,\"phase\":{\"name\":\"WARMUP\",\"weight\":0.3}}" "'phase.weight' = 0.3 does not fit phase WARMUP (WARMUP 1, RAMPDOWN between 0 and 1, STEADY 0)"
	bad "{\"iteration\":1,\"params\":$baseline_params,\"phase\":{\"name\":\"RAMPDOWN\",\"weight\":1}}" "'phase.weight' = 1 does not fit phase RAMPDOWN (WARMUP 1, RAMPDOWN between 0 and 1, STEADY 0)"
	bad "{\"iteration\":1,\"params\":$baseline_params,\"phase\":5}" "'phase' is a number, not an object"
	bad "{\"iteration\":3,\"params\":$baseline_params,\"phase\":{\"name\":\"WARMUP\",\"weight\":1},\"state\":{\"gate\":{\"history\":[{\"iteration\":2},{\"iteration\":1}]}}}" "'state.gate.history' is not in increasing order of iteration (1 after 2)"
}

@test "history at or after the record's own iteration is left out: the entry before it is used" {
	# a finished iteration 3 carries history [2, 3]: the guards read iteration 2 (risk 0.6 > 0.45)
	local rec="{\"iteration\":3,\"params\":$baseline_params,\"phase\":{\"name\":\"WARMUP\",\"weight\":1},\"state\":{\"gate\":{\"history\":[{\"iteration\":2,\"risk_ratio\":0.6,\"p95_latency_ms\":300},{\"iteration\":3,\"risk_ratio\":0.1,\"p95_latency_ms\":200}]}}}"
	run_pipe "echo '$rec' | warmup-apply"
	[ "$status" -eq 0 ]
	assert_jq '.warmup.prev_iteration == 2 and .warmup.rescue_block.blocked == true and .effective.rescue_max_ratio == 0'
	# only entries at or after it: no previous KPIs, no guard
	rec=${rec/\"iteration\":2,/\"iteration\":4,}
	rec=${rec/\"iteration\":3,\"risk/\"iteration\":5,\"risk}
	run_pipe "echo '$rec' | warmup-apply"
	[ "$status" -eq 0 ]
	assert_jq '.warmup.prev_iteration == null and .warmup.rescue_block.blocked == false'
}

@test "any stage re-runs a finished log: warmup-apply < LOG gives every line's effective and warmup" {
	soak-run -q -n 12 --warmup --preset maker_bias_uplift_v1 --out "$BATS_TEST_TMPDIR/run" >/dev/null || [ $? -eq 1 ]
	local log="$BATS_TEST_TMPDIR/run/iterations.jsonl"
	run_pipe "warmup-apply < '$log' | jq -c '{effective, warmup}'"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 12 ]
	[ "$output" = "$(jq -c '{effective, warmup}' "$log")" ]
	run_pipe "sed -n 7p '$log' | warmup-apply | jq -c '{effective, warmup}'"
	[ "$output" = "$(sed -n 7p "$log" | jq -c '{effective, warmup}')" ]
}

@test "the ramp-down is proportional even when the preset's full result is past a bound" {
	echo '{"changes":{"quoting":{"min_interval_ms":{"op":"set","value":400}}}}' > "$BATS_TEST_TMPDIR/far.json"
	run_pipe "for i in 1 5 6; do record \$i; done | warmup-phase | warmup-apply --preset '$BATS_TEST_TMPDIR/far.json' | jq -c .effective.min_interval_ms"
	# clamp(400) = 300; 65 + w (300 - 65)
	[ "$output" = '300
221.666666667
143.333333333' ]
}

@test "an unknown preset is a usage error before any input is read" {
	run warmup-apply --preset no_such_preset </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == "warmup-apply: unknown preset: no 'no_such_preset.json' in"* ]]
}
