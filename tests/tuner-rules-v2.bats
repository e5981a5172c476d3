#!/usr/bin/env bats
# tuner_rules_v2, the default table: each rule fires where it should and
# moves its keys the measured way (signs; the sizes are in
# soak-tuner-rules(5)); a band between the corrective and the give-back
# thresholds where nothing fires; no FAIL left without a proposal.
load helpers

# A record in the band: every KPI passes the gate (PASS), none healthy enough
# to give back (net < 3.2, maker share < 0.90, p95 > 290, risk > 0.30).
band='{"net_bps":3.0,"risk_ratio":0.35,"maker_taker_ratio":0.87,"p95_latency_ms":300,"adverse_bps_p95":2,"slippage_bps_p95":0.5}'
# Healthy with a margin: give-back.
healthy='{"net_bps":3.6,"risk_ratio":0.2,"maker_taker_ratio":0.97,"p95_latency_ms":220,"adverse_bps_p95":2,"slippage_bps_p95":0.3}'
# Parameters the risk and maker rules have moved (for the give-back).
corrected='{"position_limit_notional":5000,"rescue_min_edge_bps":0.5,"rescue_cooldown_ms":3000,"rescue_max_ratio":0.1}'

# propose BASE_KPIS KPI_OVERRIDES [PARAM_OVERRIDES]: one record through the default table.
propose() {
	local summary params
	summary=$(jq -cn --argjson q "$1" --argjson o "$2" '$q + $o')
	params=$(jq -cn --argjson b "$baseline_params" --argjson o "${3:-{\}}" '$b + $o')
	printf '{"iteration":5,"params":%s,"summary":%s}\n' "$params" "$summary" | tuner-propose
}

# fired RULES...: exactly these rules fired, in this order.
fired() {
	assert_jq ".tuning.rules_fired == $(jq -cn '$ARGS.positional' --args "$@")"
}

@test "the band between correction and give-back: nothing fires, nothing is proposed" {
	run propose "$band" '{}'
	[ "$status" -eq 0 ]
	assert_jq '.tuning.rules == "tuner_rules_v2" and .tuning.rules_fired == [] and .tuning.proposed_deltas == {}'
}

@test "latency: p95 > 340 (WARN) and > 400 (FAIL) slow the quote replacements" {
	run propose "$band" '{"p95_latency_ms":340}'
	fired
	run propose "$band" '{"p95_latency_ms":341}'
	fired latency_warn
	assert_jq '.tuning.proposed_deltas.replace_rate_per_min < 0 and .tuning.proposed_deltas.min_interval_ms > 0'
	warn=$(echo "$output" | jq .tuning.proposed_deltas.replace_rate_per_min)
	run propose "$band" '{"p95_latency_ms":401}'
	fired latency_fail
	assert_jq ".tuning.proposed_deltas.replace_rate_per_min < $warn and .tuning.proposed_deltas.min_interval_ms > 0"
}

@test "latency: p95 > 600 (1.5 times the FAIL line, the cold start) cuts the quote replacements by almost half" {
	# baseline replace rate 280: x0.55 = 154 (delta -126), above the floor 150;
	# min interval 65 + 10
	run propose "$band" '{"p95_latency_ms":601}'
	fired latency_severe
	assert_jq '.tuning.proposed_deltas == {"replace_rate_per_min":-126,"min_interval_ms":10}'
	# from 200/min: x0.55 = 110 is under the floor, 150 (delta -50)
	run propose "$band" '{"p95_latency_ms":601}' '{"replace_rate_per_min":200}'
	assert_jq '.tuning.proposed_deltas.replace_rate_per_min == -50'
	run propose "$band" '{"p95_latency_ms":600}'
	fired latency_fail
}

@test "latency: every rule stops the replace rate at 150/min; at the floor the minimum interval is still proposed" {
	for p95 in 341 401 601; do
		run propose "$band" "{\"p95_latency_ms\":$p95}" '{"replace_rate_per_min":150}'
		assert_jq '(.tuning.proposed_deltas | has("replace_rate_per_min") | not) and .tuning.proposed_deltas.min_interval_ms > 0'
	done
	run propose "$band" '{"net_bps":2.0,"adverse_bps_p95":9,"slippage_bps_p95":3}' '{"replace_rate_per_min":150}'
	fired net_warn adverse_tail slippage_tail
	assert_jq '.tuning.proposed_deltas | has("replace_rate_per_min") | not'
	# a FAIL rule whose every step is at its limit makes nothing urgent
	run propose "$band" '{"p95_latency_ms":601,"maker_taker_ratio":0.8}' '{"replace_rate_per_min":150,"min_interval_ms":200}'
	fired latency_severe maker_warn
	assert_jq '.tuning.urgent == false and .tuning.proposed_deltas.rescue_cooldown_ms == 250'
}

@test "urgent: the rules that correct a FAIL mark the proposal urgent, WARN and give-back rules do not" {
	for kpis in '{"p95_latency_ms":601}' '{"p95_latency_ms":401}' '{"risk_ratio":0.51}' \
		    '{"maker_taker_ratio":0.74}' '{"net_bps":1.9}'; do
		run propose "$band" "$kpis"
		assert_jq '.tuning.urgent == true'
	done
	for kpis in '{"p95_latency_ms":341}' '{"risk_ratio":0.41}' '{"maker_taker_ratio":0.82}' \
		    '{"net_bps":2.7}' '{}'; do
		run propose "$band" "$kpis"
		assert_jq '.tuning.urgent == false'
	done
	run propose "$healthy" '{}' "$corrected"
	fired give_back
	assert_jq '.tuning.urgent == false'
}

@test "a slow gateway and a net FAIL together: the replace rate is cut and the quotes widened" {
	run propose "$band" '{"p95_latency_ms":601,"net_bps":1.0}'
	fired latency_severe net_fail
	assert_jq '.tuning.proposed_deltas | .replace_rate_per_min == -126 and .base_spread_bps_delta == 0.3 and .rescue_cooldown_ms == 500'
	assert_jq '.tuning.dropped == {} and .tuning.urgent == true'
}

@test "risk: > 0.40 (WARN) and > 0.50 (FAIL) lower the position limit and the rescue edge" {
	run propose "$band" '{"risk_ratio":0.40}'
	fired
	run propose "$band" '{"risk_ratio":0.41}'
	fired risk_warn
	assert_jq '.tuning.proposed_deltas | .position_limit_notional < 0 and .rescue_min_edge_bps < 0'
	run propose "$band" '{"risk_ratio":0.51}'
	fired risk_fail
	assert_jq '.tuning.proposed_deltas | .position_limit_notional < 0 and .rescue_min_edge_bps < 0 and (has("impact_cap_ratio") | not)'
}

@test "maker share: < 0.83 (WARN) and < 0.75 (FAIL) space out and shrink taker rescues" {
	run propose "$band" '{"maker_taker_ratio":0.83}'
	fired
	run propose "$band" '{"maker_taker_ratio":0.82}'
	fired maker_warn
	assert_jq '.tuning.proposed_deltas | .rescue_max_ratio < 0 and .rescue_cooldown_ms > 0'
	run propose "$band" '{"maker_taker_ratio":0.74}'
	fired maker_fail
	assert_jq '.tuning.proposed_deltas | .rescue_max_ratio < 0 and .rescue_cooldown_ms > 0 and .rescue_min_edge_bps > 0'
	# under risk the risk rules decide, not the maker ones
	run propose "$band" '{"maker_taker_ratio":0.7,"risk_ratio":0.45}'
	fired risk_warn
}

@test "net: < 2.8 (WARN) and < 2.0 (FAIL) widen the quotes and space rescues out; FAIL also asks more edge" {
	run propose "$band" '{"net_bps":2.8}'
	fired
	run propose "$band" '{"net_bps":2.79}'
	fired net_warn
	assert_jq '.tuning.proposed_deltas | .base_spread_bps_delta > 0 and .rescue_cooldown_ms > 0'
	warn=$(echo "$output" | jq .tuning.proposed_deltas.base_spread_bps_delta)
	run propose "$band" '{"net_bps":1.99}'
	fired net_fail
	assert_jq ".tuning.proposed_deltas | .base_spread_bps_delta > $warn and .rescue_cooldown_ms > 0 and .rescue_min_edge_bps > 0"
	# under risk the risk rule's rescue edge (down) comes first and stays
	run propose "$band" '{"net_bps":1.99,"risk_ratio":0.6}'
	fired risk_fail net_fail
	assert_jq '.tuning.proposed_deltas | .rescue_min_edge_bps < 0 and .rescue_cooldown_ms > 0'
}

@test "adverse and slippage tails fire only while net is short" {
	run propose "$band" '{"adverse_bps_p95":9,"slippage_bps_p95":5}'
	fired
	run propose "$band" '{"adverse_bps_p95":8.51,"net_bps":2.5}'
	fired net_warn adverse_tail
	assert_jq '.tuning.proposed_deltas | .replace_rate_per_min < 0 and .base_spread_bps_delta > 0'
	run propose "$band" '{"slippage_bps_p95":2.01,"net_bps":2.5}'
	fired net_warn slippage_tail
	assert_jq '.tuning.proposed_deltas | .tail_age_ms < 0 and .replace_rate_per_min < 0'
	run propose "$band" '{"adverse_bps_p95":8.5,"slippage_bps_p95":2,"net_bps":2.5}'
	fired net_warn
}

@test "give-back: healthy with a margin, every corrected key steps back toward the normal zone" {
	run propose "$healthy" '{}' "$corrected"
	fired give_back
	assert_jq '.tuning.proposed_deltas | .position_limit_notional > 0 and .rescue_min_edge_bps > 0'
	assert_jq '.tuning.proposed_deltas | .rescue_cooldown_ms < 0 and .rescue_max_ratio > 0 and length == 4'
	# one margin short of healthy (hysteresis): nothing
	for kpi in '{"net_bps":3.19}' '{"maker_taker_ratio":0.89}' '{"p95_latency_ms":291}' '{"risk_ratio":0.31}'; do
		run propose "$healthy" "$kpi" "$corrected"
		fired
	done
}

@test "give-back stops at the edge of the normal zone: the baseline and the main job's preset are left alone" {
	run propose "$healthy" '{}'
	fired give_back
	assert_jq '.tuning.proposed_deltas == {}'
	run bash -c "soak-next --first --preset maker_bias_uplift_v1 | jq -c --argjson s '$healthy' '.summary = \$s' | tuner-propose"
	assert_jq '.tuning.rules_fired == ["give_back"] and .tuning.proposed_deltas == {}'
}

@test "give-back thresholds lie strictly inside the corrective ones (hysteresis)" {
	rules="$SOAK_SRCDIR/presets/tuner_rules_v2.json"
	# give_back's net, maker share, p95 and risk limits against the gate's PASS limits
	jq -e '.rules[] | select(.name == "give_back") | .when.all | map({(.kpi): .value}) | add |
	       .net_bps > 2.8 and .maker_taker_ratio > 0.83 and .p95_latency_ms < 340 and .risk_ratio < 0.40' "$rules"
	# and every key it moves, some corrective rule moves the other way
	jq -e '[.rules[] | select(.name == "give_back") | .actions[] | {key, up: ((.add // 0) > 0 or (.mul // 1) > 1)}] as $g |
	       [.rules[] | select(.name != "give_back") | .actions[] | {key, up: ((.add // 0) > 0 or (.mul // 1) > 1)}] as $c |
	       $g | all(. as $x | $c | any(.key == $x.key and .up != $x.up))' "$rules"
}

@test "no FAIL without a proposal: each FAIL alone and all at once, from the baseline and from each bad start" {
	starts='{} {"replace_rate_per_min":600} {"min_interval_ms":20} {"concurrency_limit":16}
		{"rescue_max_ratio":1,"rescue_cooldown_ms":0} {"position_limit_notional":1000}
		{"base_spread_bps_delta":0} {"tail_age_ms":200}
		{"replace_rate_per_min":600,"min_interval_ms":20,"concurrency_limit":16,"rescue_max_ratio":1,"rescue_cooldown_ms":0,"position_limit_notional":1000,"base_spread_bps_delta":0,"tail_age_ms":200}'
	fails='{"p95_latency_ms":401} {"risk_ratio":0.51} {"net_bps":1.99} {"maker_taker_ratio":0.74}
		{"p95_latency_ms":900,"risk_ratio":2,"net_bps":-3,"maker_taker_ratio":0.3,"adverse_bps_p95":9,"slippage_bps_p95":3}'
	n=0
	for p in $starts; do
		for f in $fails; do
			run propose "$band" "$f" "$p"
			[ "$status" -eq 0 ]
			assert_jq '.tuning.apply_decision and (.tuning.proposed_deltas | length > 0)' ||
				{ echo "no proposal: params $p, KPIs $f"; return 1; }
			n=$((n + 1))
		done
	done
	[ "$n" -eq 45 ]
}
