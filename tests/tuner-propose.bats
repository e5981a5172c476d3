#!/usr/bin/env bats
# tuner-propose (--rules tuner_rules_v1, the original's table; tuner_rules_v2,
# the default, is tests/tuner-rules-v2.bats): every rule of tuner_rules_v1 fires at its boundary and not
# just outside it; the apply decision, the conflict rule, missing KPIs.
load helpers

# A quiet iteration: no zone (0.35 < risk < 0.40), no maker boost (mt 0.9),
# no latency buffer, no driver; net 2.9 < 3.0, so the decision is apply.
quiet='{"net_bps":2.9,"risk_ratio":0.38,"maker_taker_ratio":0.9,"p95_latency_ms":250,"adverse_bps_p95":2,"slippage_bps_p95":1}'

# propose KPI_OVERRIDES [PARAM_OVERRIDES [OPTION...]]
propose() {
	local summary params
	summary=$(jq -cn --argjson q "$quiet" --argjson o "$1" '$q + $o')
	params=$(jq -cn --argjson b "$baseline_params" --argjson o "${2:-{\}}" '$b + $o')
	printf '{"iteration":5,"params":%s,"summary":%s}\n' "$params" "$summary" |
		tuner-propose --rules tuner_rules_v1 "${@:3}"
}

@test "quiet iteration: no rule fires, nothing proposed, decision apply" {
	run propose '{}'
	[ "$status" -eq 0 ]
	assert_jq '.tuning.rules_fired == [] and .tuning.proposed_deltas == {} and .tuning.apply_decision == true'
	assert_jq '.tuning.rules == "tuner_rules_v1"'
}

@test "risk 0.60 fires the aggressive zone: increments, not absolute values" {
	run propose '{"risk_ratio":0.60}' '{"min_interval_ms":70}'
	[ "$status" -eq 0 ]
	assert_jq '.tuning.rules_fired == ["risk_aggressive"]'
	assert_jq '.tuning.proposed_deltas == {"min_interval_ms":5,"impact_cap_ratio":-0.01,"tail_age_ms":30}'
}

@test "risk just below 0.60 is the moderate zone, not aggressive" {
	run propose '{"risk_ratio":0.5999}' '{"impact_cap_ratio":0.1}'
	assert_jq '.tuning.rules_fired == ["risk_moderate"]'
	assert_jq '.tuning.proposed_deltas == {"min_interval_ms":5,"impact_cap_ratio":-0.005}'
}

@test "aggressive zone at its caps proposes explicit zero deltas" {
	run propose '{"risk_ratio":0.7}' '{"min_interval_ms":80,"impact_cap_ratio":0.08,"tail_age_ms":800}'
	assert_jq '.tuning.proposed_deltas == {"min_interval_ms":0,"impact_cap_ratio":0,"tail_age_ms":0}'
	assert_jq '.tuning.rationale[0] | test("min_interval_ms 0 \\(cap 80\\)")'
}

@test "aggressive zone clips a step to its cap and floor" {
	run propose '{"risk_ratio":0.7}' '{"min_interval_ms":78,"impact_cap_ratio":0.085,"tail_age_ms":790}'
	assert_jq '.tuning.proposed_deltas == {"min_interval_ms":2,"impact_cap_ratio":-0.005,"tail_age_ms":10}'
}

@test "a cap never pulls a value down: above the cap the delta is zero" {
	run propose '{"risk_ratio":0.7}' '{"min_interval_ms":120}'
	assert_jq '.tuning.proposed_deltas.min_interval_ms == 0'
}

@test "risk 0.40 fires the moderate zone; at its caps nothing is emitted" {
	run propose '{"risk_ratio":0.40}'
	assert_jq '.tuning.rules_fired == ["risk_moderate"] and .tuning.proposed_deltas == {"min_interval_ms":5}'
	run propose '{"risk_ratio":0.45}' '{"min_interval_ms":75}'
	assert_jq '.tuning.proposed_deltas == {}'
}

@test "risk just below 0.40 fires no zone" {
	run propose '{"risk_ratio":0.3999}'
	assert_jq '.tuning.rules_fired == []'
}

@test "only one risk zone fires" {
	run propose '{"risk_ratio":0.9}'
	assert_jq '.tuning.rules_fired == ["risk_aggressive"]'
}

@test "normalize zone fires at risk < 0.35 and net 3.0 but never survives the apply decision" {
	run propose '{"risk_ratio":0.3499,"net_bps":3.0}'
	assert_jq '.tuning.rules_fired == ["risk_normalize"] and .tuning.apply_decision == false'
	assert_jq '.tuning.proposed_deltas == {} and .tuning.withheld_deltas == {"min_interval_ms":-3,"impact_cap_ratio":0.005}'
	assert_jq '.tuning.rationale[-1] | startswith("stable, no changes")'
}

@test "normalize zone: risk 0.35 or net just below 3.0 is outside it" {
	run propose '{"risk_ratio":0.35,"net_bps":3.0}'
	assert_jq '.tuning.rules_fired == []'
	run propose '{"risk_ratio":0.2,"net_bps":2.9999}'
	assert_jq '.tuning.rules_fired == []'
}

@test "maker boost fires at risk 0.40, maker_taker < 0.85, net 2.7 (after the moderate zone)" {
	run propose '{"risk_ratio":0.40,"maker_taker_ratio":0.8499,"net_bps":2.7}'
	assert_jq '.tuning.rules_fired == ["risk_moderate","maker_boost"]'
	assert_jq '.tuning.proposed_deltas == {"min_interval_ms":5,"base_spread_bps_delta":0.015,"replace_rate_per_min":-42}'
	assert_jq '.tuning.rationale[1] | test("min_interval_ms already set")'
}

@test "maker boost at low risk: spread, replace rate from params, min_interval +25" {
	run propose '{"risk_ratio":0.2,"maker_taker_ratio":0.6,"net_bps":2.8}' '{"replace_rate_per_min":200}'
	assert_jq '.tuning.proposed_deltas == {"base_spread_bps_delta":0.015,"replace_rate_per_min":-30,"min_interval_ms":25}'
}

@test "maker boost limits: spread step <= half of it, min_interval <= 2x and <= 100" {
	run propose '{"risk_ratio":0.2,"maker_taker_ratio":0.6,"net_bps":2.8}' '{"base_spread_bps_delta":0.02,"min_interval_ms":20}'
	assert_jq '.tuning.proposed_deltas.base_spread_bps_delta == 0.01 and .tuning.proposed_deltas.min_interval_ms == 20'
	run propose '{"risk_ratio":0.2,"maker_taker_ratio":0.6,"net_bps":2.8}' '{"min_interval_ms":80}'
	assert_jq '.tuning.proposed_deltas.min_interval_ms == 20'
}

@test "maker boost: just outside each of its three conditions" {
	run propose '{"risk_ratio":0.4001,"maker_taker_ratio":0.6,"net_bps":2.8}'
	assert_jq '.tuning.rules_fired == ["risk_moderate"]'
	run propose '{"risk_ratio":0.2,"maker_taker_ratio":0.85,"net_bps":2.8}'
	assert_jq '.tuning.rules_fired == []'
	run propose '{"risk_ratio":0.2,"maker_taker_ratio":0.6,"net_bps":2.6999}'
	assert_jq '.tuning.rules_fired == []'
}

@test "latency soft buffer at p95 330 and 360; not at 329.99" {
	run propose '{"p95_latency_ms":330}' '{"concurrency_limit":10}'
	assert_jq '.tuning.rules_fired == ["latency_soft"] and .tuning.proposed_deltas == {"concurrency_limit":-1,"tail_age_ms":50}'
	run propose '{"p95_latency_ms":360}'
	assert_jq '.tuning.rules_fired == ["latency_soft"]'
	run propose '{"p95_latency_ms":329.99}'
	assert_jq '.tuning.rules_fired == []'
}

@test "latency hard buffer above 360: concurrency x0.85 rounded down, tail +75" {
	run propose '{"p95_latency_ms":360.01}' '{"concurrency_limit":10}'
	assert_jq '.tuning.rules_fired == ["latency_hard"] and .tuning.proposed_deltas == {"concurrency_limit":-2,"tail_age_ms":75}'
}

@test "latency buffer: concurrency stays at least 1, tail_age capped at 800" {
	run propose '{"p95_latency_ms":400}' '{"concurrency_limit":1,"tail_age_ms":780}'
	assert_jq '.tuning.proposed_deltas == {"tail_age_ms":20}'
}

@test "adverse driver above 3.5: impact_cap and max_delta; not at 3.5" {
	run propose '{"adverse_bps_p95":3.5001}'
	assert_jq '.tuning.rules_fired == ["adverse_driver"] and .tuning.proposed_deltas == {"impact_cap_ratio":-0.01,"max_delta_ratio":-0.01}'
	run propose '{"adverse_bps_p95":3.5}'
	assert_jq '.tuning.rules_fired == []'
}

@test "adverse driver: impact_cap only if not already set; max_delta floor 0.10" {
	run propose '{"risk_ratio":0.7,"adverse_bps_p95":4}' '{"max_delta_ratio":0.105}'
	assert_jq '.tuning.proposed_deltas == {"min_interval_ms":5,"impact_cap_ratio":-0.01,"tail_age_ms":30,"max_delta_ratio":-0.005}'
	assert_jq '.tuning.rationale[1] | test("impact_cap_ratio already set")'
}

@test "slippage driver above 2.5: spread (cap 0.25) and tail; not at 2.5" {
	run propose '{"slippage_bps_p95":2.5001}' '{"base_spread_bps_delta":0.24}'
	assert_jq '.tuning.rules_fired == ["slippage_driver"] and .tuning.proposed_deltas == {"base_spread_bps_delta":0.01,"tail_age_ms":30}'
	run propose '{"slippage_bps_p95":2.5}'
	assert_jq '.tuning.rules_fired == []'
}

@test "only if not already set: the latency buffer's tail step wins over the slippage driver's" {
	run propose '{"p95_latency_ms":340,"slippage_bps_p95":3}'
	assert_jq '.tuning.proposed_deltas == {"concurrency_limit":-1,"tail_age_ms":50,"base_spread_bps_delta":0.02}'
}

@test "apply decision: risk 0.40 applies even with net 3.5" {
	run propose '{"risk_ratio":0.40,"net_bps":3.5}'
	assert_jq '.tuning.apply_decision == true and .tuning.proposed_deltas == {"min_interval_ms":5}'
}

@test "apply decision: risk just below 0.40 and net 3.0 is stable, deltas withheld" {
	run propose '{"risk_ratio":0.3999,"net_bps":3.0,"slippage_bps_p95":3}'
	assert_jq '.tuning.apply_decision == false and .tuning.proposed_deltas == {}'
	assert_jq '.tuning.withheld_deltas == {"base_spread_bps_delta":0.02,"tail_age_ms":30}'
	run propose '{"risk_ratio":0.3999,"net_bps":2.9999}'
	assert_jq '.tuning.apply_decision == true'
}

@test "conflict rule drops the speed-up when risk >= 0.40" {
	run propose '{"risk_ratio":0.40}' '{}' --rules "$FIXTURES/tuner-rules-conflict.json"
	[ "$status" -eq 0 ]
	assert_jq '.tuning.proposed_deltas == {"base_spread_bps_delta":0.02} and .tuning.dropped == {"min_interval_ms":"prefer_risk"}'
	assert_jq '.tuning.rules == "tuner-rules-conflict"'
	assert_jq '[.tuning.rationale[] | select(startswith("prefer_risk:"))] | length == 1'
}

@test "conflict rule keeps both just below risk 0.40" {
	run propose '{"risk_ratio":0.3999}' '{}' --rules "$FIXTURES/tuner-rules-conflict.json"
	assert_jq '.tuning.proposed_deltas == {"base_spread_bps_delta":0.02,"min_interval_ms":-5} and .tuning.dropped == {}'
}

@test "a missing optional KPI: the rule is reported not evaluated, the rest runs" {
	run propose '{"maker_taker_ratio":null,"risk_ratio":0.7}'
	[ "$status" -eq 0 ]
	assert_jq '.tuning.not_evaluated == [{"rule":"maker_boost","missing":["maker_taker_ratio"]}]'
	assert_jq '.tuning.rules_fired == ["risk_aggressive"]'
	assert_jq 'any(.tuning.rationale[]; . == "maker_boost: not evaluated: summary.maker_taker_ratio missing")'
}

@test "a missing KPI leaves the rest of its group undecided" {
	run bash -c "jq -cn --argjson q '$quiet' '{iteration:1,summary:(\$q | del(.p95_latency_ms))}' | tuner-propose --rules tuner_rules_v1"
	[ "$status" -eq 0 ]
	assert_jq '[.tuning.not_evaluated[].rule] == ["latency_soft","latency_hard"]'
}

@test "a missing or null required KPI rejects the line" {
	run bash -c "echo '{\"iteration\":1,\"summary\":{\"risk_ratio\":0.5}}' | tuner-propose --rules tuner_rules_v1"
	[ "$status" -eq 2 ]
	[[ "$output" == *"line 1: missing field 'summary.net_bps' (required by rules 'tuner_rules_v1')"* ]]
	run propose '{"risk_ratio":null}'
	[ "$status" -eq 2 ]
	[[ "$output" == *"missing field 'summary.risk_ratio'"* ]]
}

@test "mistyped or out-of-range KPIs reject the line" {
	run propose '{"risk_ratio":"0.5"}'
	[ "$status" -eq 2 ]
	[[ "$output" == *"'summary.risk_ratio' is a string, not a number"* ]]
	run propose '{"maker_taker_ratio":1.5}'
	[ "$status" -eq 2 ]
	[[ "$output" == *"'summary.maker_taker_ratio' = 1.5 is out of range"* ]]
	run propose '{"risk_ratio":-0.1}'
	[ "$status" -eq 2 ]
}

@test "bad params reject the line; missing summary too" {
	run propose '{}' '{"min_intreval_ms":70}'
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown parameter 'params.min_intreval_ms'"* ]]
	run bash -c "echo '{\"iteration\":1}' | tuner-propose --rules tuner_rules_v1"
	[ "$status" -eq 2 ]
	[[ "$output" == *"missing field 'summary'"* ]]
}

@test "original ITER_SUMMARY layout: no params means baseline; its tuning is replaced" {
	run bash -c "sed -n 3p '$FIXTURES/tuner-legacy-12.jsonl' | tuner-propose --rules tuner_rules_v1"
	[ "$status" -eq 0 ]
	assert_jq '.tuning.proposed_deltas == {"min_interval_ms":5,"impact_cap_ratio":-0.01,"tail_age_ms":30}'
	assert_jq '.tuning | has("deltas") or has("applied") | not'
	assert_jq 'has("params") | not'
}

@test "the legacy series: rules fired per iteration" {
	run bash -c "tuner-propose --rules tuner_rules_v1 < '$FIXTURES/tuner-legacy-12.jsonl' | jq -c '[.iteration, .tuning.rules_fired, .tuning.apply_decision]'"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '[1,["adverse_driver","slippage_driver"],true]' ]
	[ "${lines[2]}" = '[3,["risk_aggressive"],true]' ]
	[ "${lines[3]}" = '[4,["risk_moderate"],true]' ]
	[ "${lines[5]}" = '[6,["maker_boost"],false]' ]
	[ "${lines[6]}" = '[7,["risk_normalize","maker_boost"],false]' ]
	[ "${#lines[@]}" -eq 12 ]
}

@test "fields outside tuning pass through untouched" {
	run bash -c "echo '{\"iteration\":1,\"summary\":{\"net_bps\":2,\"risk_ratio\":0.1,\"x\":1.50},\"gate\":{\"status\":\"PASS\"},\"z\":[1,2.0]}' | tuner-propose --rules tuner_rules_v1"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"x":1.50'* ]]
	[[ "$output" == *'"z":[1,2.0]'* ]]
	[[ "$output" == *'"gate":{"status":"PASS"}'* ]]
}

@test "stream and step agree; output is deterministic" {
	tuner-propose --rules tuner_rules_v1 < "$FIXTURES/tuner-legacy-12.jsonl" > "$BATS_TEST_TMPDIR/stream"
	while IFS= read -r line; do printf '%s\n' "$line" | tuner-propose --rules tuner_rules_v1; done \
		< "$FIXTURES/tuner-legacy-12.jsonl" > "$BATS_TEST_TMPDIR/step"
	cmp "$BATS_TEST_TMPDIR/stream" "$BATS_TEST_TMPDIR/step"
	tuner-propose --rules tuner_rules_v1 < "$FIXTURES/tuner-legacy-12.jsonl" | cmp - "$BATS_TEST_TMPDIR/stream"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/stream")" -eq 12 ]
}

@test "--on-error=skip skips a bad line and goes on" {
	run bash -c "{ echo '{\"iteration\":1,\"summary\":{}}'; sed -n 1p '$FIXTURES/tuner-legacy-12.jsonl'; } | tuner-propose --rules tuner_rules_v1 --on-error=skip 2>/dev/null"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	assert_jq '.iteration == 1 and .tuning.apply_decision == true'
}
