#!/usr/bin/env bats
# soak-next: the first iteration's input, and the step from a finished record.
load helpers

FINISHED="$FIXTURES/soak-next-finished.json"

# finished ITERATION: the fixture record renumbered.
finished() {
	jq -c --argjson i "$1" '.iteration = $i' "$FINISHED"
}

@test "--first writes iteration 1 with the baseline parameters" {
	run soak-next --first
	[ "$status" -eq 0 ]
	[ "$output" = "{\"iteration\":1,\"params\":$baseline_params}" ]
}

@test "--first ignores stdin" {
	run_pipe "soak-next --first <<< 'not json'"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	assert_jq '.iteration == 1'
}

@test "--first --preset applies the candidate preset once, at full weight" {
	run soak-next --first --preset maker_bias_uplift_v1
	[ "$status" -eq 0 ]
	assert_jq '.params == {"base_spread_bps_delta":0.15,"min_interval_ms":80,"replace_rate_per_min":252,"impact_cap_ratio":0.0855,"max_delta_ratio":0.133,"tail_age_ms":620,"concurrency_limit":4,"rescue_max_ratio":0.255,"rescue_min_edge_bps":1.5,"rescue_cooldown_ms":1250,"position_limit_notional":10000}'
	assert_jq 'keys_unsorted == ["iteration","params"]'
}

@test "--params, then --preset, then --set, in that order" {
	echo '{"min_interval_ms":100,"tail_age_ms":700}' > "$BATS_TEST_TMPDIR/p.json"
	run soak-next --first --params "$BATS_TEST_TMPDIR/p.json" --preset maker_bias_uplift_v1 \
		--set replace_rate_per_min=300 --set concurrency_limit=6 --set concurrency_limit=8
	[ "$status" -eq 0 ]
	assert_jq '.params.min_interval_ms == 115 and .params.tail_age_ms == 700'
	assert_jq '.params.replace_rate_per_min == 300 and .params.concurrency_limit == 8'
	assert_jq '.params.base_spread_bps_delta == 0.15'
}

@test "--params: unknown key, bad value or bad file is exit 2 naming it" {
	local f="$BATS_TEST_TMPDIR/p.json"
	echo '{"min_intreval_ms":100}' > "$f"
	run soak-next --first --params "$f"
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown parameter 'params.min_intreval_ms'"* ]]
	echo '{"tail_age_ms":5000}' > "$f"
	run soak-next --first --params "$f"
	[ "$status" -eq 2 ]
	[[ "$output" == *"'params.tail_age_ms' = 5000 is out of bounds"* ]]
	echo '{"tail_age_ms":' > "$f"
	run soak-next --first --params "$f"
	[ "$status" -eq 2 ]
	run soak-next --first --params "$BATS_TEST_TMPDIR/missing.json"
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot open"* ]]
	run soak-next --first --preset no_such_preset
	[ "$status" -eq 2 ]
}

@test "--set: unknown key, non-number, out of bounds, fraction of a count are usage errors" {
	local cases=(
		"min_intreval_ms=70|unknown parameter 'min_intreval_ms'"
		"min_interval_ms=fast|'min_interval_ms' = 'fast' is not a number"
		"min_interval_ms=|'min_interval_ms' = '' is not a number"
		"min_interval_ms=nan|'min_interval_ms' = 'nan' is not a number"
		"min_interval_ms=10|'min_interval_ms' = 10 is out of bounds [20, 300]"
		"concurrency_limit=2.5|'concurrency_limit' = 2.5 is not a whole number"
		"min_interval_ms|'min_interval_ms' is not KEY=VALUE"
	)
	for c in "${cases[@]}"; do
		run soak-next --first --set "${c%%|*}"
		echo "case ${c%%|*}: status $status, output: $output" >&2
		[ "$status" -eq 2 ]
		[[ "$output" == "soak-next: option '--set': ${c#*|}"* ]]
	done
}

@test "--params, --preset and --set need --first" {
	run soak-next --set tail_age_ms=700 </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--set' needs --first"* ]]
	run soak-next --preset maker_bias_uplift_v1 </dev/null
	[ "$status" -eq 2 ]
}

@test "the step: iteration + 1, params = next_params, state and unknown fields kept" {
	run soak-next < "$FINISHED"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	assert_jq 'keys_unsorted == ["iteration","params","run_id","state","notes"]'
	assert_jq '.iteration == 6 and .params.tail_age_ms == 650 and .run_id == "ci-4711" and .notes == {"by":"hand"}'
	jq -e --argjson s "$(jq .state "$FINISHED")" '.state == $s' <<<"$output"
	[[ "$output" == *'"recent":[0.020]'* ]]
}

@test "a record without next_params (or with a bad one) is rejected" {
	local cases=(
		"del(.next_params)|missing field 'next_params' (tuner-filter writes it)"
		"del(.next_params.tail_age_ms)|missing field 'next_params.tail_age_ms'"
		".next_params.tail_age_ms = 9999|'next_params.tail_age_ms' = 9999 is out of bounds"
		".next_params.foo = 1|unknown parameter 'next_params.foo'"
		".next_params = []|'next_params' is not an object"
		".state = 1|'state' is a number, not an object"
		".iteration = 0|'iteration' must be a whole number"
		".iteration = 1000000000|'iteration' 1000000000 is the last one possible"
	)
	for c in "${cases[@]}"; do
		run_pipe "jq -c '${c%%|*}' '$FINISHED' | soak-next"
		echo "case ${c%%|*}: status $status, output: $output" >&2
		[ "$status" -eq 2 ]
		[[ "$output" == "soak-next: line 1: ${c#*|}"* ]]
		[ "${#lines[@]}" -eq 1 ]
	done
}

@test "--on-error=skip: the bad record gives no output, the others step" {
	run_pipe "FINISHED='$FINISHED'; $(declare -f finished); { finished 1; echo '{\"iteration\":2}'; finished 3; } | soak-next --on-error=skip 2>/dev/null"
	[ "$status" -eq 0 ]
	assert_slurp '[.[].iteration] == [2,4]'
}

@test "--iterations N: the record of iteration N ends the soak with no output" {
	{ finished 1; finished 2; finished 3; echo 'never read'; } > "$BATS_TEST_TMPDIR/log"
	run_pipe "soak-next --iterations 3 < '$BATS_TEST_TMPDIR/log'"
	[ "$status" -eq 0 ]
	assert_slurp '[.[].iteration] == [2,3]'
	run_pipe "jq -c '.iteration = 1' '$FINISHED' | soak-next --iterations 1"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "--iterations N ends soak-next while its input is still open (the ring closes)" {
	mkfifo "$BATS_TEST_TMPDIR/ring"
	{ finished 1; finished 2; sleep 5; } > "$BATS_TEST_TMPDIR/ring" &
	local writer=$!
	run timeout 3 soak-next --iterations 2 < "$BATS_TEST_TMPDIR/ring"
	kill "$writer" 2>/dev/null || true
	[ "$status" -eq 0 ]
	[ "$output" = "$(finished 1 | soak-next)" ]
}

@test "soak-next and kpi-gate carry the window across iterations" {
	run_pipe "soak-next --first | jq -c '.summary = {maker_taker_ratio:0.9,net_bps:3,p95_latency_ms:300,risk_ratio:0.3}' | kpi-gate | jq -c '.next_params = .params' | soak-next | jq -c '.summary = {maker_taker_ratio:0.8,net_bps:3,p95_latency_ms:300,risk_ratio:0.3}' | kpi-gate"
	[ "$status" -eq 0 ]
	assert_jq '.iteration == 2 and .gate.window.count == 2 and (.state.gate.history | map(.status)) == ["PASS","WARN"]'
}

@test "a failed write is exit 3" {
	run_pipe "soak-next --first > /dev/full"
	[ "$status" -eq 3 ]
	run_pipe "soak-next < '$FINISHED' > /dev/full"
	[ "$status" -eq 3 ]
}
