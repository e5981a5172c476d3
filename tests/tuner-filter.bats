#!/usr/bin/env bats
# tuner-filter: micro-steps, cooldown, velocity, oscillation, freeze, bounds;
# the 12-iteration replay; stream/step equivalence.
load helpers

# rec ITERATION PROPOSED_DELTAS [EXTRA_MEMBERS]: a record after tuner-propose
# (risk 0.5, net 2: never a good iteration for the freeze).
rec() {
	record "$1" "\"summary\":{\"net_bps\":2,\"risk_ratio\":0.5},\"tuning\":{\"proposed_deltas\":$2}${3:+,$3}"
}

# step_replay FILE [OPTION...]: run each line alone, feeding the previous
# output's state into the next input.
step_replay() {
	local file=$1 state=null line
	shift
	while IFS= read -r line; do
		out=$(printf '%s\n' "$line" | jq -c --argjson st "$state" 'if $st then .state = $st else . end' |
			tuner-filter "$@") || return 1
		printf '%s\n' "$out"
		state=$(printf '%s\n' "$out" | jq -c .state)
	done < "$file"
}

# same_records A B: the same JSON lines (jq in step_replay rewrites number
# spellings such as 2.0 and puts state before next_params: compare values).
same_records() {
	[ "$(wc -l < "$1")" -eq "$(wc -l < "$2")" ] && [ -s "$1" ] &&
		cmp <(jq -S -c . "$1") <(jq -S -c . "$2")
}

@test "nothing is on cooldown at iteration 1" {
	run bash -c "$(declare -f record rec); rec 1 '{\"min_interval_ms\":5,\"tail_age_ms\":30}' | tuner-filter"
	[ "$status" -eq 0 ]
	assert_jq '.tuning.deltas == {"min_interval_ms":5,"tail_age_ms":30} and .tuning.skipped == {} and .tuning.applied == true'
	assert_jq '.next_params.min_interval_ms == 70 and .next_params.tail_age_ms == 650'
	assert_jq '.tuning.changed_keys == ["min_interval_ms","tail_age_ms"]'
}

@test "cooldown: a key changed at k is skipped at k+1 only" {
	{ rec 4 '{"tail_age_ms":30}'; rec 5 '{"tail_age_ms":30}'; rec 6 '{"tail_age_ms":30}'; } > "$BATS_TEST_TMPDIR/in"
	run bash -c "tuner-filter < '$BATS_TEST_TMPDIR/in' | jq -c '[.tuning.deltas, .tuning.skipped]'"
	[ "${lines[0]}" = '[{"tail_age_ms":30},{}]' ]
	[ "${lines[1]}" = '[{},{"tail_age_ms":"cooldown"}]' ]
	[ "${lines[2]}" = '[{"tail_age_ms":30},{}]' ]
}

@test "--cooldown 2 skips k+1 and k+2; --cooldown 0 never" {
	{ rec 1 '{"tail_age_ms":30}'; rec 2 '{"tail_age_ms":30}'; rec 3 '{"tail_age_ms":30}'; rec 4 '{"tail_age_ms":30}'; } > "$BATS_TEST_TMPDIR/in"
	run bash -c "tuner-filter --cooldown 2 < '$BATS_TEST_TMPDIR/in' | jq -c '.tuning.changed_keys'"
	[ "$(echo "$output" | tr '\n' ' ')" = '["tail_age_ms"] [] [] ["tail_age_ms"] ' ]
	run bash -c "tuner-filter --cooldown 0 --oscillation-window 0 < '$BATS_TEST_TMPDIR/in' | jq -c '.tuning.changed_keys'"
	[ "$(echo "$output" | tr '\n' ' ')" = '["tail_age_ms"] ["tail_age_ms"] ["tail_age_ms"] ["tail_age_ms"] ' ]
}

@test "max_keys: at most 2, largest range-normalized change first" {
	run bash -c "$(declare -f record rec); rec 1 '{\"min_interval_ms\":5,\"tail_age_ms\":30,\"concurrency_limit\":-1}' | tuner-filter"
	assert_jq '.tuning.changed_keys == ["tail_age_ms","concurrency_limit"] and .tuning.skipped == {"min_interval_ms":"max_keys"}'
	run bash -c "$(declare -f record rec); rec 1 '{\"min_interval_ms\":5,\"tail_age_ms\":30,\"concurrency_limit\":-1}' | tuner-filter --max-keys 3"
	assert_jq '.tuning.skipped == {} and (.tuning.deltas | length) == 3'
}

# 0.5 of 10 bps, 0.15 of the spread's 3 bps range, 27 of 540/min: 0.05 each
@test "max_keys: equal sizes keep the proposal (rule) order" {
	run bash -c "$(declare -f record rec); rec 1 '{\"rescue_min_edge_bps\":0.5,\"base_spread_bps_delta\":0.15,\"replace_rate_per_min\":-27}' | tuner-filter"
	assert_jq '.tuning.changed_keys == ["rescue_min_edge_bps","base_spread_bps_delta"] and .tuning.skipped == {"replace_rate_per_min":"max_keys"}'
	run bash -c "$(declare -f record rec); rec 1 '{\"replace_rate_per_min\":-27,\"rescue_min_edge_bps\":0.5,\"base_spread_bps_delta\":0.15}' | tuner-filter"
	assert_jq '.tuning.skipped == {"base_spread_bps_delta":"max_keys"}'
}

@test "velocity: a change of exactly the cap passes whole, just above it is scaled to the cap" {
	# replace_rate range 540: 81 / 540 = 0.15 exactly; 81.5 is scaled by 81 / 81.5
	run bash -c "$(declare -f record rec); rec 9 '{\"replace_rate_per_min\":-81}' | tuner-filter"
	assert_jq '.tuning.deltas == {"replace_rate_per_min":-81} and .tuning.guards.velocity_after == 0.15 and .tuning.scaled == {}'
	run bash -c "$(declare -f record rec); rec 9 '{\"replace_rate_per_min\":-81.5}' | tuner-filter"
	assert_jq '.tuning.deltas == {"replace_rate_per_min":-81} and .tuning.skipped == {} and .tuning.applied == true'
	assert_jq '.tuning.scaled == {"replace_rate_per_min":0.993865030675} and .next_params.replace_rate_per_min == 199'
	assert_jq '.tuning.guards.velocity_after == 0.15 and .tuning.clipped == {}'
}

@test "velocity: the cap is x1.5 in WARMUP only" {
	run bash -c "$(declare -f record rec); rec 2 '{\"replace_rate_per_min\":-121.5}' '\"phase\":{\"name\":\"WARMUP\"}' | tuner-filter"
	assert_jq '.tuning.applied == true and .tuning.guards.velocity_cap == 0.225'
	assert_jq '.tuning.scaled == {} and .tuning.deltas == {"replace_rate_per_min":-121.5}'
	# 121.5 / 540 = 0.225: two thirds of it fit in 0.15
	run bash -c "$(declare -f record rec); rec 5 '{\"replace_rate_per_min\":-121.5}' '\"phase\":{\"name\":\"RAMPDOWN\"}' | tuner-filter"
	assert_jq '.tuning.scaled == {"replace_rate_per_min":0.666666666667} and .tuning.deltas == {"replace_rate_per_min":-81} and .tuning.guards.velocity_cap == 0.15'
	run bash -c "$(declare -f record rec); rec 5 '{\"replace_rate_per_min\":-121.5}' '\"phase\":{\"name\":\"WARMUP\"}' | tuner-filter --warmup-factor 1"
	assert_jq '.tuning.scaled == {"replace_rate_per_min":0.666666666667}'
}

@test "velocity: the cap is x2 when the proposal is urgent (a FAIL to correct); the larger factor applies" {
	# 162 / 540 = 0.3: whole under the urgent cap 0.3, scaled to 0.15 / 0.3 without it
	run bash -c "$(declare -f record rec); rec 5 '{\"replace_rate_per_min\":-162}' '\"phase\":{\"name\":\"STEADY\"}' | jq -c '.tuning.urgent = true' | tuner-filter"
	assert_jq '.tuning.guards.velocity_cap == 0.3 and .tuning.scaled == {} and .tuning.deltas == {"replace_rate_per_min":-162}'
	run bash -c "$(declare -f record rec); rec 5 '{\"replace_rate_per_min\":-162}' | jq -c '.tuning.urgent = false' | tuner-filter"
	assert_jq '.tuning.guards.velocity_cap == 0.15 and .tuning.scaled == {"replace_rate_per_min":0.5} and .tuning.deltas == {"replace_rate_per_min":-81}'
	# in WARMUP the larger of x1.5 and x2
	run bash -c "$(declare -f record rec); rec 2 '{\"replace_rate_per_min\":-162}' '\"phase\":{\"name\":\"WARMUP\"}' | jq -c '.tuning.urgent = true' | tuner-filter"
	assert_jq '.tuning.guards.velocity_cap == 0.3'
	run bash -c "$(declare -f record rec); rec 2 '{\"replace_rate_per_min\":-162}' '\"phase\":{\"name\":\"WARMUP\"}' | jq -c '.tuning.urgent = true' | tuner-filter --urgent-factor 1"
	assert_jq '.tuning.guards.velocity_cap == 0.225 and .tuning.scaled == {"replace_rate_per_min":0.75}'
}

@test "tuning.urgent is checked: true or false when present" {
	run bash -c "$(declare -f record rec); rec 5 '{\"tail_age_ms\":30}' | jq -c '.tuning.urgent = 1' | tuner-filter"
	[ "$status" -eq 2 ]
	[[ "$output" == *"line 1: 'tuning.urgent' is not true or false"* ]]
	run tuner-filter --urgent-factor 0.5 < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"--urgent-factor"* ]]
}

@test "velocity: a warm-up factor below 1 tightens the warm-up cap, urgent or not unless urgent is larger" {
	# 162 / 540 = 0.3; --warmup-factor 0.5: cap 0.075, 40.5 of the 162 (factor 0.25)
	run bash -c "$(declare -f record rec); rec 2 '{\"replace_rate_per_min\":-162}' '\"phase\":{\"name\":\"WARMUP\"}' | tuner-filter --warmup-factor 0.5"
	assert_jq '.tuning.guards.velocity_cap == 0.075 and .tuning.deltas == {"replace_rate_per_min":-40.5} and .tuning.scaled == {"replace_rate_per_min":0.25}'
	run bash -c "$(declare -f record rec); rec 2 '{\"replace_rate_per_min\":-162}' '\"phase\":{\"name\":\"WARMUP\"}' | tuner-filter --warmup-factor 0"
	assert_jq '.tuning.guards.velocity_cap == 0 and .tuning.skipped == {"replace_rate_per_min":"velocity"}'
	run bash -c "$(declare -f record rec); rec 2 '{\"replace_rate_per_min\":-162}' '\"phase\":{\"name\":\"WARMUP\"}' | jq -c '.tuning.urgent = true' | tuner-filter --warmup-factor 0.5"
	assert_jq '.tuning.guards.velocity_cap == 0.3'
}

@test "velocity window: changes 2 iterations back count, 3 back do not" {
	st='"state":{"tuner":{"history":[{"iteration":7,"from":{"tail_age_ms":620},"size":0.1,"streak":0,"freeze":false}]}}'
	# 0.05 left of 0.15: 27 of 27.54 (0.051 of the range)
	run bash -c "$(declare -f record rec); rec 9 '{\"replace_rate_per_min\":-27.54}' '$st' | tuner-filter"
	assert_jq '.tuning.deltas == {"replace_rate_per_min":-27} and .tuning.scaled == {"replace_rate_per_min":0.980392156863} and .tuning.guards.velocity_before == 0.1'
	run bash -c "$(declare -f record rec); rec 10 '{\"replace_rate_per_min\":-27.54}' '$st' | tuner-filter"
	assert_jq '.tuning.deltas == {"replace_rate_per_min":-27.54} and .tuning.scaled == {} and .tuning.guards.velocity_before == 0'
}

@test "velocity: no budget left skips the key; two keys share what is left, the smaller first" {
	st='"state":{"tuner":{"history":[{"iteration":7,"from":{"tail_age_ms":620},"size":0.15,"streak":0,"freeze":false}]}}'
	run bash -c "$(declare -f record rec); rec 9 '{\"replace_rate_per_min\":-27}' '$st' | tuner-filter"
	assert_jq '.tuning.skipped == {"replace_rate_per_min":"velocity"} and .tuning.applied == false'
	assert_jq '.state.tuner.history[-1].velocity == ["replace_rate_per_min"]'
	# 0.05 left; tail_age 13 / 1300 = 0.01 takes all it asks (under half of 0.05),
	# replace_rate 54 / 540 = 0.1 gets the other 0.04: 21.6, factor 0.4
	st='"state":{"tuner":{"history":[{"iteration":7,"from":{"tail_age_ms":620},"size":0.1,"streak":0,"freeze":false}]}}'
	run bash -c "$(declare -f record rec); rec 9 '{\"replace_rate_per_min\":-54,\"tail_age_ms\":13}' '$st' | tuner-filter"
	assert_jq '.tuning.deltas == {"replace_rate_per_min":-21.6,"tail_age_ms":13} and .tuning.scaled == {"replace_rate_per_min":0.4}'
	assert_jq '.tuning.guards.velocity_after == 0.15'
}

@test "velocity: a whole-number key is scaled in whole units, one at least when one fits" {
	# concurrency range 15: 1 unit = 0.0667; 0.07 left holds one of the 3 asked
	st='"state":{"tuner":{"history":[{"iteration":8,"from":{"tail_age_ms":620},"size":0.08,"streak":0,"freeze":false}]}}'
	run bash -c "$(declare -f record rec); rec 9 '{\"concurrency_limit\":-3}' '$st' | tuner-filter"
	assert_jq '.tuning.deltas == {"concurrency_limit":-1} and .tuning.scaled == {"concurrency_limit":0.333333333333} and .next_params.concurrency_limit == 3'
	# 0.06 left: no whole unit fits
	st='"state":{"tuner":{"history":[{"iteration":8,"from":{"tail_age_ms":620},"size":0.09,"streak":0,"freeze":false}]}}'
	run bash -c "$(declare -f record rec); rec 9 '{\"concurrency_limit\":-3}' '$st' | tuner-filter"
	assert_jq '.tuning.skipped == {"concurrency_limit":"velocity"}'
}

@test "velocity: a key held back last iteration is served first, and the budget is kept for it" {
	# iteration 8 used 0.1, 9 held concurrency back: at 10, 0.05 is left, not a unit;
	# tail_age gets nothing, so 11 has 0.15 left and concurrency moves
	st='"state":{"tuner":{"history":[{"iteration":8,"from":{"base_spread_bps_delta":0.14},"size":0.1,"streak":0,"freeze":false},{"iteration":9,"from":{},"size":0,"velocity":["concurrency_limit"],"streak":0,"freeze":false}]}}'
	run bash -c "$(declare -f record rec); rec 10 '{\"concurrency_limit\":-1,\"tail_age_ms\":13}' '$st' | tuner-filter"
	assert_jq '.tuning.skipped == {"concurrency_limit":"velocity","tail_age_ms":"velocity"}'
	# without the hold of iteration 9, tail_age would take 0.01 of the 0.05
	st='"state":{"tuner":{"history":[{"iteration":8,"from":{"base_spread_bps_delta":0.14},"size":0.1,"streak":0,"freeze":false},{"iteration":9,"from":{},"size":0,"streak":0,"freeze":false}]}}'
	run bash -c "$(declare -f record rec); rec 10 '{\"concurrency_limit\":-1,\"tail_age_ms\":13}' '$st' | tuner-filter"
	assert_jq '.tuning.skipped == {"concurrency_limit":"velocity"} and .tuning.deltas == {"tail_age_ms":13}'
}

@test "velocity: a key held back last iteration ranks before larger steps for max_keys" {
	# replace_rate 54/540 = 0.1 and tail_age 130/1300 = 0.1 are larger than
	# rescue_cooldown 500/10000 = 0.05, but rescue_cooldown was held back at 9
	st='"state":{"tuner":{"history":[{"iteration":9,"from":{},"size":0,"velocity":["rescue_cooldown_ms"],"streak":0,"freeze":false}]}}'
	run bash -c "$(declare -f record rec); rec 10 '{\"replace_rate_per_min\":-54,\"tail_age_ms\":130,\"rescue_cooldown_ms\":500}' '$st' | tuner-filter"
	assert_jq '.tuning.skipped == {"tail_age_ms":"max_keys"} and .tuning.changed_keys == ["replace_rate_per_min","rescue_cooldown_ms"]'
	# without the hold the two larger steps are kept
	st='"state":{"tuner":{"history":[{"iteration":9,"from":{},"size":0,"streak":0,"freeze":false}]}}'
	run bash -c "$(declare -f record rec); rec 10 '{\"replace_rate_per_min\":-54,\"tail_age_ms\":130,\"rescue_cooldown_ms\":500}' '$st' | tuner-filter"
	assert_jq '.tuning.skipped == {"rescue_cooldown_ms":"max_keys"}'
}

@test "state.tuner.history[].velocity is checked: an array of parameter names" {
	for bad in '"velocity":"tail_age_ms"' '"velocity":["no_such_key"]' '"velocity":[3]'; do
		st="\"state\":{\"tuner\":{\"history\":[{\"iteration\":9,\"from\":{},\"size\":0,$bad,\"streak\":0,\"freeze\":false}]}}"
		run bash -c "$(declare -f record rec); rec 10 '{\"tail_age_ms\":13}' '$st' | tuner-filter"
		[ "$status" -eq 2 ] || { echo "accepted: $bad"; return 1; }
		[[ "$output" == *"state.tuner.history[0].velocity"* ]]
	done
}

@test "velocity alone never holds a key back 3 iterations in a row" {
	# every iteration proposes a big step on every key; with the budget scaled,
	# no key may be skipped for velocity at 3 consecutive iterations
	for i in $(seq 1 30); do
		rec "$i" '{"concurrency_limit":-1,"tail_age_ms":300,"replace_rate_per_min":-100,"min_interval_ms":40}'
	done > "$BATS_TEST_TMPDIR/in"
	run bash -c "tuner-filter --cooldown 0 --oscillation-window 0 < '$BATS_TEST_TMPDIR/in' | jq -c '[.tuning.skipped | to_entries[] | select(.value == \"velocity\") | .key]'"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 30 ]
	assert_slurp '[range(2; length) as $i | .[$i] as $c | .[$i - 1] as $b | .[$i - 2] as $a | $c[] | select(($b | index(.)) and ($a | index(.)))] == []'
	# and velocity did hold something back somewhere (the test can fail)
	assert_slurp 'map(length) | add > 0'
}

@test "oscillation: A->B->A within 3 iterations is blocked, not at 3 apart" {
	st='"state":{"tuner":{"history":[{"iteration":3,"from":{"base_spread_bps_delta":0.17},"size":0.05,"streak":0,"freeze":false}]}}'
	run bash -c "$(declare -f record rec); rec 5 '{\"base_spread_bps_delta\":0.03}' '$st' | tuner-filter"
	assert_jq '.tuning.skipped == {"base_spread_bps_delta":"oscillation"}'
	run bash -c "$(declare -f record rec); rec 6 '{\"base_spread_bps_delta\":0.03}' '$st' | tuner-filter"
	assert_jq '.tuning.deltas == {"base_spread_bps_delta":0.03}'
	run bash -c "$(declare -f record rec); rec 5 '{\"base_spread_bps_delta\":0.02}' '$st' | tuner-filter"
	assert_jq '.tuning.applied == true'
}

@test "oscillation seen in a stream: A->B, cooldown, then back to A" {
	{ rec 1 '{"tail_age_ms":30}'; record 2 '"summary":{"net_bps":2,"risk_ratio":0.5},"tuning":{"proposed_deltas":{"tail_age_ms":-30}}' | jq -c '.params.tail_age_ms = 650'
	  record 3 '"summary":{"net_bps":2,"risk_ratio":0.5},"tuning":{"proposed_deltas":{"tail_age_ms":-30}}' | jq -c '.params.tail_age_ms = 650'; } > "$BATS_TEST_TMPDIR/in"
	run bash -c "tuner-filter < '$BATS_TEST_TMPDIR/in' | jq -c '.tuning.skipped'"
	[ "$(echo "$output" | tr '\n' ' ')" = '{} {"tail_age_ms":"cooldown"} {"tail_age_ms":"oscillation"} ' ]
}

# freeze_log RISK2: iteration 1 good, iteration 2 with risk RISK2, then 3-7 good;
# each proposes impact_cap_ratio and tail_age_ms changes.
freeze_log() {
	for i in 1 2 3 4 5 6 7; do
		risk=0.3; [ "$i" -eq 2 ] && risk=$1
		record "$i" "\"summary\":{\"net_bps\":${2:-3},\"risk_ratio\":$risk},\"tuning\":{\"proposed_deltas\":{\"impact_cap_ratio\":0.001,\"tail_age_ms\":1}}"
	done
}

@test "freeze: two good iterations freeze impact_cap and max_delta for 4 iterations" {
	freeze_log 0.35 > "$BATS_TEST_TMPDIR/in"
	run bash -c "tuner-filter --cooldown 0 < '$BATS_TEST_TMPDIR/in' | jq -c '[.iteration, .tuning.skipped.impact_cap_ratio, .tuning.guards.frozen_until]'"
	[ "${lines[0]}" = '[1,null,null]' ]
	[ "${lines[1]}" = '[2,"freeze",5]' ]
	[ "${lines[4]}" = '[5,"freeze",5]' ]
	[ "${lines[5]}" = '[6,"freeze",9]' ]
	run bash -c "tuner-filter --cooldown 0 < '$BATS_TEST_TMPDIR/in' | jq -c '.tuning.deltas.tail_age_ms'"
	[ "$(echo "$output" | sort -u)" = 1 ]
}

@test "freeze: risk just above 0.35 or net just below 2.7 breaks the streak" {
	freeze_log 0.3501 > "$BATS_TEST_TMPDIR/in"
	run bash -c "tuner-filter --cooldown 0 < '$BATS_TEST_TMPDIR/in' | jq -c '[.iteration, .tuning.guards.frozen, .tuning.guards.good_streak]'"
	[ "${lines[1]}" = '[2,false,0]' ]
	[ "${lines[2]}" = '[3,false,1]' ]
	[ "${lines[3]}" = '[4,true,2]' ]
	freeze_log 0.3 2.6999 > "$BATS_TEST_TMPDIR/in"
	run bash -c "tuner-filter < '$BATS_TEST_TMPDIR/in' | jq -c '.tuning.guards.frozen'"
	[ "$(echo "$output" | sort -u)" = false ]
}

@test "freeze options: --freeze-after, --freeze-length, --freeze-keys" {
	freeze_log 0.3 > "$BATS_TEST_TMPDIR/in"
	run bash -c "tuner-filter --cooldown 0 --freeze-after 3 --freeze-length 1 --freeze-keys tail_age_ms < '$BATS_TEST_TMPDIR/in' | jq -c '[.iteration, .tuning.skipped]'"
	[ "${lines[1]}" = '[2,{}]' ]
	[ "${lines[2]}" = '[3,{"tail_age_ms":"freeze"}]' ]
	[ "${lines[3]}" = '[4,{"tail_age_ms":"freeze"}]' ]
}

@test "bounds: a delta with no room is skipped; a partial one is clipped and reported" {
	run bash -c "$(declare -f record rec); rec 1 '{\"min_interval_ms\":5}' | jq -c '.params.min_interval_ms = 300' | tuner-filter"
	assert_jq '.tuning.skipped == {"min_interval_ms":"bounds"} and .next_params.min_interval_ms == 300'
	run bash -c "$(declare -f record rec); rec 1 '{\"min_interval_ms\":5}' | jq -c '.params.min_interval_ms = 298' | tuner-filter"
	assert_jq '.tuning.deltas == {"min_interval_ms":2} and .tuning.clipped == {"min_interval_ms":5} and .next_params.min_interval_ms == 300'
}

@test "no_change: a zero delta, or one that rounds to nothing on a whole-number key" {
	run bash -c "$(declare -f record rec); rec 1 '{\"min_interval_ms\":0,\"concurrency_limit\":0.3,\"tail_age_ms\":30}' | tuner-filter"
	assert_jq '.tuning.skipped == {"min_interval_ms":"no_change","concurrency_limit":"no_change"} and .tuning.deltas == {"tail_age_ms":30}'
}

@test "the 12-iteration replay: cooldown, max_keys and velocity decided line by line" {
	# velocity sums by hand (range-normalized): 1: replace 54/540 = 0.1 + tail 65/1300
	# = 0.05 (cap 0.225 in WARMUP); 3: 0.2 used, 0.025 left shared: min_interval
	# 0.0179 gets half (0.0125, factor 0.7), rescue_min_edge 0.05 the rest (0.25);
	# 5: RAMPDOWN cap 0.15, 0.1417 used, rescue gets 0.0083 of 0.1;
	# 10: concurrency (whole units) first: 1 unit = 0.0667 of 0.0679 left,
	# base_spread 0.0333 gets the 0.0012 remaining
	run bash -c "tuner-filter < '$FIXTURES/tuner-filter-replay-12.jsonl' | jq -c '[.iteration, .tuning.changed_keys, .tuning.skipped, .tuning.scaled]'"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '[1,["tail_age_ms","replace_rate_per_min"],{"min_interval_ms":"max_keys"},{}]' ]
	[ "${lines[1]}" = '[2,["base_spread_bps_delta"],{"replace_rate_per_min":"cooldown","tail_age_ms":"cooldown"},{}]' ]
	[ "${lines[2]}" = '[3,["min_interval_ms","rescue_min_edge_bps"],{},{"min_interval_ms":0.7,"rescue_min_edge_bps":0.25}]' ]
	[ "${lines[3]}" = '[4,["base_spread_bps_delta","concurrency_limit"],{},{}]' ]
	[ "${lines[4]}" = '[5,["rescue_min_edge_bps"],{},{"rescue_min_edge_bps":0.08333333333}]' ]
	[ "${lines[5]}" = '[6,["tail_age_ms"],{"rescue_min_edge_bps":"cooldown"},{}]' ]
	[ "${lines[6]}" = '[7,["rescue_min_edge_bps","min_interval_ms"],{},{}]' ]
	[ "${lines[7]}" = '[8,["tail_age_ms","replace_rate_per_min"],{"rescue_min_edge_bps":"cooldown"},{"replace_rate_per_min":0.719780219782}]' ]
	[ "${lines[8]}" = '[9,["rescue_min_edge_bps","min_interval_ms"],{"replace_rate_per_min":"cooldown"},{"rescue_min_edge_bps":0.230769230769,"min_interval_ms":0.646153846153}]' ]
	[ "${lines[9]}" = '[10,["base_spread_bps_delta","concurrency_limit"],{"tail_age_ms":"max_keys"},{"base_spread_bps_delta":0.035714285713}]' ]
	[ "${lines[10]}" = '[11,["tail_age_ms","min_interval_ms"],{"base_spread_bps_delta":"cooldown"},{}]' ]
	[ "${lines[11]}" = '[12,["base_spread_bps_delta"],{"concurrency_limit":"velocity","tail_age_ms":"cooldown"},{}]' ]
}

@test "every proposed key ends up applied or skipped with a reason" {
	run bash -c "tuner-filter < '$FIXTURES/tuner-filter-replay-12.jsonl' | jq -c 'select((.tuning.proposed_deltas | keys) != ((.tuning.deltas + .tuning.skipped) | keys))'"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "stream equals step: piping the log equals line by line on carried state" {
	tuner-filter < "$FIXTURES/tuner-filter-replay-12.jsonl" > "$BATS_TEST_TMPDIR/stream"
	step_replay "$FIXTURES/tuner-filter-replay-12.jsonl" > "$BATS_TEST_TMPDIR/step"
	same_records "$BATS_TEST_TMPDIR/stream" "$BATS_TEST_TMPDIR/step"
	step_replay "$FIXTURES/tuner-filter-replay-12.jsonl" --no-carry > "$BATS_TEST_TMPDIR/step2"
	same_records "$BATS_TEST_TMPDIR/stream" "$BATS_TEST_TMPDIR/step2"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/stream")" -eq 12 ]
}

@test "stream equals step on the legacy log through tuner-propose" {
	tuner-propose --rules tuner_rules_v1 < "$FIXTURES/tuner-legacy-12.jsonl" > "$BATS_TEST_TMPDIR/proposed"
	tuner-filter < "$BATS_TEST_TMPDIR/proposed" > "$BATS_TEST_TMPDIR/stream"
	step_replay "$BATS_TEST_TMPDIR/proposed" > "$BATS_TEST_TMPDIR/step"
	same_records "$BATS_TEST_TMPDIR/stream" "$BATS_TEST_TMPDIR/step"
}

@test "--no-carry: records without state each start fresh" {
	run bash -c "tuner-filter --no-carry < '$FIXTURES/tuner-filter-replay-12.jsonl' | jq -c '.state.tuner.history | length'"
	[ "$(echo "$output" | sort -u)" = 1 ]
	run bash -c "tuner-filter --no-carry < '$FIXTURES/tuner-filter-replay-12.jsonl' | jq -c 'select(.tuning.skipped[] == \"cooldown\")'"
	[ -z "$output" ]
}

@test "a finished record re-run gives the same line (its own history entry is ignored)" {
	tuner-filter < "$FIXTURES/tuner-filter-replay-12.jsonl" > "$BATS_TEST_TMPDIR/out"
	tuner-filter --no-carry < "$BATS_TEST_TMPDIR/out" | cmp - "$BATS_TEST_TMPDIR/out"
	tuner-filter < "$BATS_TEST_TMPDIR/out" | cmp - "$BATS_TEST_TMPDIR/out"
}

@test "state.tuner keeps what the guards need; state.gate is left alone" {
	run bash -c "sed -n 4p '$FIXTURES/tuner-filter-replay-12.jsonl' | sed 's/}\$/,\"state\":{\"gate\":{\"history\":[1.50]}}}/' | tuner-filter"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"gate":{"history":[1.50]}'* ]]
	assert_jq '.state.tuner.history == [{"iteration":4,"from":{"base_spread_bps_delta":0.14,"concurrency_limit":4},"size":0.116666666667,"streak":0,"freeze":false}]'
}

@test "state.tuner is validated strictly" {
	base=$(sed -n 5p "$FIXTURES/tuner-filter-replay-12.jsonl")
	for bad in '{"history":[],"x":1}' '{"history":{}}' '{}' \
		'{"history":[{"iteration":3,"from":{},"size":0,"streak":0,"freeze":false},{"iteration":3,"from":{},"size":0,"streak":0,"freeze":false}]}' \
		'{"history":[{"iteration":6,"from":{},"size":0,"streak":0,"freeze":false}]}' \
		'{"history":[{"iteration":4,"from":{"foo":1},"size":0,"streak":0,"freeze":false}]}' \
		'{"history":[{"iteration":4,"from":{"tail_age_ms":5},"size":0,"streak":0,"freeze":false}]}' \
		'{"history":[{"iteration":4,"from":{},"size":-1,"streak":0,"freeze":false}]}' \
		'{"history":[{"iteration":4,"from":{},"size":0,"streak":-1,"freeze":false}]}' \
		'{"history":[{"iteration":4.5,"from":{},"size":0,"streak":0,"freeze":false}]}'; do
		run bash -c "printf '%s\n' '$base' | jq -c --argjson t '$bad' '.state = {tuner: \$t}' | tuner-filter"
		[ "$status" -eq 2 ] || { echo "accepted: $bad"; return 1; }
		[[ "$output" == *"line 1: "*"state.tuner"* ]] || { echo "message: $output"; return 1; }
	done
}

@test "original ITER_SUMMARY layout through tuner-propose | tuner-filter" {
	run bash -c "sed -n 3p '$FIXTURES/tuner-legacy-12.jsonl' | tuner-propose --rules tuner_rules_v1 | tuner-filter"
	[ "$status" -eq 0 ]
	assert_jq '.tuning.deltas == {"impact_cap_ratio":-0.01,"tail_age_ms":30} and .tuning.skipped == {"min_interval_ms":"max_keys"}'
	assert_jq '.next_params.impact_cap_ratio == 0.08 and .next_params.tail_age_ms == 650 and .state.tuner.history[0].iteration == 3'
}

@test "bad input is rejected with a message" {
	run bash -c "$(declare -f record); record 1 '\"summary\":{\"net_bps\":2,\"risk_ratio\":0.5}' | tuner-filter"
	[ "$status" -eq 2 ]
	[[ "$output" == *"line 1: missing field 'tuning' (run tuner-propose first)"* ]]
	run bash -c "$(declare -f record rec); rec 1 '{\"tail_age\":30}' | tuner-filter"
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown parameter 'tuning.proposed_deltas.tail_age'"* ]]
	run bash -c "$(declare -f record rec); rec 1 '{\"tail_age_ms\":\"30\"}' | tuner-filter"
	[ "$status" -eq 2 ]
	run bash -c "$(declare -f record); record 1 '\"summary\":{\"net_bps\":2},\"tuning\":{\"proposed_deltas\":{}}' | tuner-filter"
	[ "$status" -eq 2 ]
	[[ "$output" == *"missing field 'summary.risk_ratio'"* ]]
	run bash -c "$(declare -f record rec); rec 1 '{}' '\"phase\":{\"name\":\"warmup\"}' | tuner-filter"
	[ "$status" -eq 2 ]
	run bash -c "$(declare -f record rec); rec 1 '{}' '\"state\":[]' | tuner-filter"
	[ "$status" -eq 2 ]
}

@test "options are validated" {
	run tuner-filter --max-keys 0 < /dev/null
	[ "$status" -eq 2 ]
	run tuner-filter --velocity-cap x < /dev/null
	[ "$status" -eq 2 ]
	run tuner-filter --freeze-keys impact_cap_ratio,bogus < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown parameter 'bogus'"* ]]
	run tuner-filter --freeze-keys impact_cap_ratio, < /dev/null
	[ "$status" -eq 2 ]
	run tuner-filter --cooldown 101 < /dev/null
	[ "$status" -eq 2 ]
	run tuner-filter --freeze-keys '' < /dev/null
	[ "$status" -eq 0 ]
}

@test "the carried state needs one contiguous run: a gap, duplicate or disorder is bad input" {
	run_pipe "$(declare -f rec); { rec 1 '{}'; rec 2 '{}'; rec 4 '{}'; } | tuner-filter"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[2]}" = "tuner-filter: line 3: iteration 4 after iteration 2 of line 2 (a gap): a log must be one contiguous run of iterations (for ITER_SUMMARY files: jq -cs 'sort_by(.iteration)[]' ITER_SUMMARY_*.json)" ]
	run_pipe "$(declare -f rec); { rec 1 '{}'; rec 2 '{}'; rec 2 '{}'; } | tuner-filter 2>&1 >/dev/null"
	[ "$status" -eq 2 ]
	[[ "$output" == "tuner-filter: line 3: iteration 2 again (duplicate of line 2): "* ]]
	run_pipe "$(declare -f rec); { rec 1 '{}'; rec 10 '{}'; } | tuner-filter 2>&1 >/dev/null"
	[ "$status" -eq 2 ]
	# with --no-carry each line takes its own state: no order is needed
	run_pipe "$(declare -f rec); { rec 1 '{}'; rec 10 '{}'; rec 2 '{}'; } | tuner-filter --no-carry"
	[ "$status" -eq 0 ]
	assert_slurp '[.[].iteration] == [1,10,2]'
}

@test "a proposed delta larger than its parameter's range is bad input, never an inf" {
	run_pipe "$(declare -f rec); rec 5 '{\"min_interval_ms\":1e308}' | tuner-filter"
	[ "$status" -eq 2 ]
	[ "$output" = "tuner-filter: line 1: 'tuning.proposed_deltas.min_interval_ms' = 1e308 is larger than the parameter's whole range 280" ]
}
