#!/usr/bin/env bats
# soak-mock: the summary it writes, determinism, input checks, options,
# the legacy series and market profiles.

load helpers

summary_keys='["net_bps","gross_bps","fees_eff_bps","adverse_bps","slippage_bps","inventory_bps","maker_taker_ratio","p95_latency_ms","risk_ratio","adverse_bps_p95","slippage_bps_p95","order_age_p95_ms","cancel_ratio","fills","neg_edge_drivers"]'

@test "writes every summary field of DESIGN.md, numbers where numbers belong" {
	run_pipe "record 3 | soak-mock"
	[ "$status" -eq 0 ]
	assert_jq "(.summary | keys) as \$k | $summary_keys | all(. as \$f | \$k | index(\$f))"
	assert_jq '[.summary | .net_bps, .gross_bps, .fees_eff_bps, .adverse_bps, .slippage_bps,
	  .inventory_bps, .maker_taker_ratio, .p95_latency_ms, .risk_ratio, .adverse_bps_p95,
	  .slippage_bps_p95, .order_age_p95_ms, .cancel_ratio] | all(type == "number")'
	assert_jq '.summary.fills | keys == ["maker_count","maker_volume","taker_count","taker_volume"]'
	assert_jq '.summary.neg_edge_drivers | type == "array"'
	assert_jq '.summary.engine == "mock" and .summary.model == "market" and .summary.seed == 1'
}

@test "KPIs are consistent with the fills and with each other" {
	run_pipe "record 8 | soak-mock --seed 4"
	assert_jq '.summary as $s | ($s.fills.maker_volume / ($s.fills.maker_volume + $s.fills.taker_volume)) - $s.maker_taker_ratio | fabs < 0.0002'
	assert_jq '.summary as $s | ($s.gross_bps - $s.fees_eff_bps - $s.adverse_bps - $s.slippage_bps - $s.inventory_bps - $s.net_bps) | fabs < 0.001'
	assert_jq '.summary | .maker_taker_ratio >= 0 and .maker_taker_ratio <= 1 and .risk_ratio >= 0 and .cancel_ratio >= 0 and .p95_latency_ms > 0'
	assert_jq '.summary | .fills.maker_count > 100 and ([.net_bps, .risk_ratio, .p95_latency_ms] | map(tostring | split(".")[1] // "" | length <= 4) | all)'
}

@test "same input and options give byte-identical output" {
	record 5 > "$BATS_TEST_TMPDIR/in"
	record 6 >> "$BATS_TEST_TMPDIR/in"
	soak-mock --seed 7 < "$BATS_TEST_TMPDIR/in" > "$BATS_TEST_TMPDIR/a"
	soak-mock --seed 7 < "$BATS_TEST_TMPDIR/in" > "$BATS_TEST_TMPDIR/b"
	LC_ALL=de_DE.UTF-8 soak-mock --seed 7 < "$BATS_TEST_TMPDIR/in" > "$BATS_TEST_TMPDIR/c"
	cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/c"
}

@test "the seed and the iteration each change the market" {
	a=$(record 5 | soak-mock --seed 1 | jq -c .summary.fills)
	b=$(record 5 | soak-mock --seed 2 | jq -c .summary.fills)
	c=$(record 6 | soak-mock --seed 1 | jq -c .summary.fills)
	[ "$a" != "$b" ] && [ "$a" != "$c" ]
}

@test "an existing summary is replaced; other fields pass through byte for byte" {
	run_pipe "record 4 '\"summary\":{\"net_bps\":99},\"x\":{\"keep\":1.50}' | soak-mock"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"x":{"keep":1.50}'* ]]
	assert_jq '.summary.net_bps != 99 and (.summary | has("gross_bps"))'
	[[ "$output" == '{"iteration":4,"params":{"base_spread_bps_delta":0.14,'* ]]
}

@test "parameters come from 'effective' when present, else from 'params'" {
	eff='{"base_spread_bps_delta":0.3,"min_interval_ms":90,"replace_rate_per_min":200,"impact_cap_ratio":0.07,"max_delta_ratio":0.1,"tail_age_ms":700,"concurrency_limit":3,"rescue_max_ratio":0.2,"rescue_min_edge_bps":2,"rescue_cooldown_ms":1500,"position_limit_notional":8000}'
	with_eff=$(record 3 "\"effective\":$eff" | soak-mock | jq -c .summary)
	as_params=$(printf '{"iteration":3,"params":%s}\n' "$eff" | soak-mock | jq -c .summary)
	plain=$(record 3 | soak-mock | jq -c .summary)
	[ "$with_eff" = "$as_params" ]
	[ "$with_eff" != "$plain" ]
}

@test "params may omit keys (baseline); effective must have them all" {
	a=$(record 2 | soak-mock | jq -c .summary)
	b=$(echo '{"iteration":2,"params":{}}' | soak-mock | jq -c .summary)
	[ "$a" = "$b" ]
	run_pipe "record 2 '\"effective\":{\"min_interval_ms\":65}' | soak-mock"
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-mock: line 1:"*"effective"* ]]
}

@test "rejects bad records with exit 2 and no output line" {
	for bad in '{"params":{}}' '{"iteration":0,"params":{}}' '{"iteration":1.5,"params":{}}' \
		'{"iteration":1}' '{"iteration":1,"params":[]}' '{"iteration":1,"params":{"min_interval_ms":5}}' \
		'{"iteration":1,"params":{"min_intreval_ms":65}}' '{"iteration":1,"params":{"tail_age_ms":"620"}}' \
		'{"iteration":1,"params":{},"effective":7}'; do
		run_pipe "echo '$bad' | soak-mock 2>&1 >'$BATS_TEST_TMPDIR/out'"
		echo "$bad -> $status $output"
		[ "$status" -eq 2 ]
		[[ "$output" == "soak-mock: line 1: "* ]]
		[ ! -s "$BATS_TEST_TMPDIR/out" ]
	done
}

@test "--on-error=skip goes on after a bad line" {
	run_pipe "{ record 1; echo '{\"iteration\":-1}'; record 2; } | soak-mock --on-error=skip 2>/dev/null | jq -c .iteration"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1\n2')" ]
}

@test "--model legacy reproduces the original's iterations 1 and 2" {
	run_pipe "for i in 1 2; do echo \"{\\\"iteration\\\":\$i}\"; done | soak-mock --model legacy"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$FIXTURES/soak-mock-legacy.jsonl")" ]
}

@test "--model legacy follows the formulas after iteration 2, whatever the params and seed" {
	run_pipe "record 3 | soak-mock --model legacy --seed 9"
	assert_jq '.summary | .net_bps == 3 and .risk_ratio == 0.68 and .p95_latency_ms == 310 and .maker_taker_ratio == 0.6'
	run_pipe "echo '{\"iteration\":24}' | soak-mock --model legacy"
	assert_jq '.summary | .net_bps == 5.1 and .risk_ratio == 0.3 and .p95_latency_ms == 205 and .maker_taker_ratio == 0.85'
	assert_jq '.summary.fills == {"maker_count":850,"taker_count":150,"maker_volume":42500,"taker_volume":7500}'
	run_pipe "echo '{\"iteration\":8}' | soak-mock --model legacy"
	assert_jq '.summary | .risk_ratio == 0.3 and .maker_taker_ratio == 0.85 and .net_bps == 3.5'
}

@test "--list-params prints the registry as JSON lines" {
	run soak-mock --list-params
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 11 ]
	run_pipe "soak-mock --list-params | jq -s -c 'map(.key)'"
	[[ "$output" == '["base_spread_bps_delta","min_interval_ms",'*'"position_limit_notional"]' ]]
	run_pipe "soak-mock --list-params | jq -s -e 'map(has(\"preset_path\") and has(\"unit\") and has(\"baseline\") and has(\"min\") and has(\"max\") and has(\"meaning\")) | all'"
	[ "$status" -eq 0 ]
}

@test "--duration shortens the simulated time" {
	full=$(record 9 | soak-mock | jq .summary.fills.maker_count)
	short=$(record 9 | soak-mock --duration 60 | jq .summary.fills.maker_count)
	echo "$full $short"
	[ "$short" -lt $((full / 3)) ]
	run_pipe "record 9 | soak-mock -d 60"
	assert_jq '.summary.duration_s == 60'
}

@test "--market takes a file; its fields change the market" {
	jq '.fees.maker_fee_bps = 1.0' "$SOAK_SRCDIR/presets/market_default.json" > "$BATS_TEST_TMPDIR/fee.json"
	rebate=$(record 9 | soak-mock | jq .summary.fees_eff_bps)
	fee=$(record 9 | soak-mock --market "$BATS_TEST_TMPDIR/fee.json" | jq .summary.fees_eff_bps)
	jq -en "$fee > $rebate"
	run_pipe "record 9 | soak-mock --market '$BATS_TEST_TMPDIR/fee.json'"
	assert_jq '.summary.market == "fee"'
}

@test "a bad market profile is an error naming the field" {
	d="$SOAK_SRCDIR/presets/market_default.json"
	jq '.mid.sigma_bsp = 1' "$d" > "$BATS_TEST_TMPDIR/typo.json"
	jq 'del(.flow.fill_a)' "$d" > "$BATS_TEST_TMPDIR/missing.json"
	jq '.latency.max_load = 1.5' "$d" > "$BATS_TEST_TMPDIR/range.json"
	jq '.fees.taker_fee_bps = "2.5"' "$d" > "$BATS_TEST_TMPDIR/type.json"
	for f in typo:mid.sigma_bsp missing:flow.fill_a range:latency.max_load type:fees.taker_fee_bps; do
		run soak-mock --market "$BATS_TEST_TMPDIR/${f%%:*}.json" < /dev/null
		echo "$f: $status $output"
		[ "$status" -eq 2 ]
		[[ "$output" == *"'${f#*:}'"* ]]
	done
	run soak-mock --market no_such_market < /dev/null
	[ "$status" -eq 2 ]
}

@test "bad options are usage errors" {
	for opt in "--seed -1" "--seed x" "--model fancy" "--duration 0" "--duration 3601" "--duration nan" "--bogus" "extra"; do
		run soak-mock $opt < /dev/null
		echo "$opt: $status $output"
		[ "$status" -eq 2 ]
	done
}

@test "--help lists the options; --version names the program" {
	run soak-mock --help
	[ "$status" -eq 0 ]
	for o in --seed --market --model --duration --list-params --on-error --rejects --help --version; do
		[[ "$output" == *"$o"* ]]
	done
	run soak-mock --version
	[[ "$output" == "soak-mock (soakkit) "* ]]
}

@test "a failed write is an error; a closed pipe is not" {
	run_pipe "record 1 | soak-mock > /dev/full"
	[ "$status" -ne 0 ]
	# The records from a file: a shell loop writing into the pipe would race
	# soak-mock's quiet exit on EPIPE and could die of SIGPIPE itself.
	for i in $(seq 1 50); do record "$i"; done > "$BATS_TEST_TMPDIR/in"
	run_pipe "soak-mock < '$BATS_TEST_TMPDIR/in' | head -1 | jq .iteration"
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}

@test "a 24-iteration run without warm-up fails first, then passes (default market)" {
	run_pipe "for i in 1 7; do record \$i; done | soak-mock --seed 1 | jq -c '[.summary.net_bps < 2 or .summary.risk_ratio > 0.5 or .summary.p95_latency_ms > 400, .summary.net_bps >= 2.8 and .summary.risk_ratio <= 0.4 and .summary.p95_latency_ms <= 340]'"
	[ "${lines[0]}" = "[true,false]" ]
	[ "${lines[1]}" = "[false,true]" ]
}

@test "the seed is recorded exactly, even above 2^53" {
	run_pipe "record 1 | soak-mock --seed 9223372036854775807"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"seed":9223372036854775807'* ]]
}
