#!/usr/bin/env bats
# kpi-gate: per-iteration status, reasons, gate mode, missing KPIs, bad input.
load helpers

# assert_slurp FILTER: the filter, run on all output lines as one array, must be true.
# kpis MT NET P95 RISK: a summary with the four gate KPIs.
kpis() {
	printf '"summary":{"maker_taker_ratio":%s,"net_bps":%s,"p95_latency_ms":%s,"risk_ratio":%s}' "$@"
}

# status_of MT NET P95 RISK: the gate status kpi-gate gives those KPIs.
status_of() {
	record 9 "$(kpis "$@")" | kpi-gate | jq -r .gate.status
}

# expect_status WANT MT NET P95 RISK
expect_status() {
	local want=$1 got
	shift
	got=$(status_of "$@")
	if [ "$got" != "$want" ]; then
		echo "KPIs $*: status $got, expected $want" >&2
		return 1
	fi
}

@test "every KPI at its PASS boundary passes with no reasons" {
	run_pipe "$(declare -f kpis); record 9 '$(kpis 0.83 2.8 340 0.40)' | kpi-gate"
	[ "$status" -eq 0 ]
	assert_jq '.gate.status == "PASS" and .gate.reasons == [] and .gate.downgraded == []'
	assert_jq '.gate.mode == "NORMAL" and .gate.thresholds == "kpi_thresholds_v1"'
}

@test "maker_taker_ratio: WARN below 0.83, FAIL below 0.75, boundaries included" {
	expect_status PASS 0.83 3 300 0.3
	expect_status WARN 0.8299 3 300 0.3
	expect_status WARN 0.75 3 300 0.3
	expect_status FAIL 0.7499 3 300 0.3
}

@test "net_bps: WARN below 2.8, FAIL below 2.0, boundaries included" {
	expect_status PASS 0.9 2.8 300 0.3
	expect_status WARN 0.9 2.7999 300 0.3
	expect_status WARN 0.9 2.0 300 0.3
	expect_status FAIL 0.9 1.9999 300 0.3
}

@test "p95_latency_ms: WARN above 340, FAIL above 400, boundaries included" {
	expect_status PASS 0.9 3 340 0.3
	expect_status WARN 0.9 3 340.01 0.3
	expect_status WARN 0.9 3 400 0.3
	expect_status FAIL 0.9 3 400.01 0.3
}

@test "risk_ratio: WARN above 0.40, FAIL above 0.50, boundaries included" {
	expect_status PASS 0.9 3 300 0.40
	expect_status WARN 0.9 3 300 0.4001
	expect_status WARN 0.9 3 300 0.50
	expect_status FAIL 0.9 3 300 0.5001
}

@test "a reason names the KPI, value, rule, level and margin" {
	run_pipe "$(declare -f kpis); record 9 '$(kpis 0.9 1.7 300 0.3)' | kpi-gate"
	[ "$status" -eq 0 ]
	assert_jq '.gate.status == "FAIL"'
	assert_jq '.gate.reasons == [{"kpi":"net_bps","value":1.7,"op":">=","threshold":2,"by":0.3,"level":"FAIL","text":"net_bps 1.7 < 2 (FAIL) by 0.3"}]'
}

@test "a KPI that breaks its FAIL rule is not listed again for its WARN rule" {
	run_pipe "$(declare -f kpis); record 9 '$(kpis 0.8 1.7 350 0.3)' | kpi-gate"
	assert_jq '[.gate.reasons[] | [.kpi, .level, .threshold]] == [["maker_taker_ratio","WARN",0.83],["net_bps","FAIL",2],["p95_latency_ms","WARN",340]]'
	assert_jq '.gate.reasons[2].text == "p95_latency_ms 350 > 340 (WARN) by 10"'
}

@test "WARN mode from phase.gate_mode downgrades FAIL to WARN and lists it" {
	run_pipe "$(declare -f kpis); record 2 '\"phase\":{\"name\":\"WARMUP\",\"weight\":1,\"gate_mode\":\"WARN\"},$(kpis 0.8 1.7 300 0.3)' | kpi-gate"
	[ "$status" -eq 0 ]
	assert_jq '.gate.status == "WARN" and .gate.mode == "WARN"'
	assert_jq '.gate.downgraded == [{"kpi":"net_bps","value":1.7,"op":">=","threshold":2,"by":0.3,"level":"FAIL","text":"net_bps 1.7 < 2 (FAIL) by 0.3"}]'
	assert_jq '[.gate.reasons[].level] == ["WARN","WARN"]'
	assert_jq '.gate.reasons[1].text == "net_bps 1.7 < 2 (FAIL, downgraded to WARN) by 0.3"'
	assert_jq '.state.gate.history[-1].status == "WARN"'
}

@test "WARN mode leaves a PASS or a WARN as it is" {
	run_pipe "$(declare -f kpis); record 2 '\"phase\":{\"name\":\"WARMUP\",\"gate_mode\":\"WARN\"},$(kpis 0.8 3 300 0.3)' | kpi-gate"
	assert_jq '.gate.status == "WARN" and .gate.downgraded == []'
	run_pipe "$(declare -f kpis); record 2 '\"phase\":{\"name\":\"WARMUP\",\"gate_mode\":\"WARN\"},$(kpis 0.9 3 300 0.3)' | kpi-gate"
	assert_jq '.gate.status == "PASS" and .gate.downgraded == []'
}

@test "--mode overrides the record's gate mode both ways; no phase means NORMAL" {
	run_pipe "$(declare -f kpis); record 2 '\"phase\":{\"name\":\"WARMUP\",\"gate_mode\":\"WARN\"},$(kpis 0.9 1.7 300 0.3)' | kpi-gate --mode normal"
	assert_jq '.gate.status == "FAIL" and .gate.mode == "NORMAL" and .gate.downgraded == []'
	run_pipe "$(declare -f kpis); record 2 '$(kpis 0.9 1.7 300 0.3)' | kpi-gate --mode=warn"
	assert_jq '.gate.status == "WARN" and .gate.mode == "WARN"'
	run_pipe "$(declare -f kpis); record 2 '\"phase\":{\"name\":\"STEADY\"},$(kpis 0.9 1.7 300 0.3)' | kpi-gate"
	assert_jq '.gate.status == "FAIL" and .gate.mode == "NORMAL"'
}

@test "a missing KPI is FAIL with a reason, never a passing default" {
	run_pipe "record 9 '\"summary\":{\"maker_taker_ratio\":0.9,\"net_bps\":3,\"p95_latency_ms\":300}' | kpi-gate"
	[ "$status" -eq 0 ]
	assert_jq '.gate.status == "FAIL"'
	assert_jq '.gate.reasons == [{"kpi":"risk_ratio","value":null,"op":"<=","threshold":0.5,"by":null,"level":"FAIL","text":"risk_ratio missing (FAIL): needs <= 0.5"}]'
	assert_jq '.state.gate.history[-1].risk_ratio == null and .state.gate.history[-1].net_bps == 3'
}

@test "a null KPI counts as missing; WARN mode downgrades it like any FAIL" {
	run_pipe "record 3 '\"phase\":{\"name\":\"WARMUP\",\"gate_mode\":\"WARN\"},\"summary\":{\"maker_taker_ratio\":null,\"net_bps\":3,\"p95_latency_ms\":300,\"risk_ratio\":0.3}' | kpi-gate"
	assert_jq '.gate.status == "WARN"'
	assert_jq '.gate.reasons[0].kpi == "maker_taker_ratio" and .gate.reasons[0].value == null'
	assert_jq '.gate.downgraded[0].level == "FAIL" and .gate.downgraded[0].text == "maker_taker_ratio missing (FAIL): needs >= 0.75"'
}

@test "records in the original ITER_SUMMARY layout are judged" {
	run_pipe "head -n 3 '$FIXTURES/kpi-gate-legacy-24.jsonl' | kpi-gate"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	assert_slurp '[.[].gate.status] == ["FAIL","FAIL","FAIL"]'
	assert_slurp '.[2].gate.reasons | map(.text) == ["maker_taker_ratio 0.6 < 0.75 (FAIL) by 0.15","risk_ratio 0.68 > 0.5 (FAIL) by 0.18"]'
	assert_slurp '.[0].tuning == {"deltas":{},"applied":false,"rationale":""} and .[0].summary.gross_bps == null'
}

@test "other fields, state members and an earlier gate are handled as documented" {
	run_pipe "$(declare -f kpis); record 4 '\"run_id\":\"r7\",\"gate\":{\"status\":\"FAIL\"},\"state\":{\"tuner\":{\"last_changed\":{\"tail_age_ms\":3}},\"extra\":[1,2.50]},$(kpis 0.9 3 300 0.3)' | kpi-gate"
	[ "$status" -eq 0 ]
	assert_jq '.gate.status == "PASS" and .run_id == "r7"'
	assert_jq '.state.tuner == {"last_changed":{"tail_age_ms":3}} and (.state | keys) == ["extra","gate","tuner"]'
	[[ "$output" == *'"extra":[1,2.50]'* ]]
	assert_jq '[keys_unsorted[]] == ["iteration","params","run_id","gate","state","summary"]'
}

@test "a thresholds file can judge other summary KPIs" {
	jq '.iteration += [{"kpi":"adverse_bps_p95","op":"<=","threshold":3.0,"level":"WARN"}]' \
		"$SOAK_SRCDIR/presets/kpi_thresholds_v1.json" > "$BATS_TEST_TMPDIR/t.json"
	run_pipe "head -n 3 '$FIXTURES/kpi-gate-legacy-24.jsonl' | tail -n 1 | jq -c '.summary.maker_taker_ratio = 0.9 | .summary.risk_ratio = 0.3' | kpi-gate --thresholds '$BATS_TEST_TMPDIR/t.json'"
	[ "$status" -eq 0 ]
	assert_jq '.gate.status == "WARN" and .gate.thresholds == "t"'
	assert_jq '.gate.reasons | map(.text) == ["adverse_bps_p95 3.1 > 3 (WARN) by 0.1"]'
}

@test "bad records: exit 2, the line number, the field, no output" {
	local cases=(
		'{"iteration":1,"params":{}}|missing field '"'"'summary'"'"''
		'{"iteration":1,"summary":{"maker_taker_ratio":"high","net_bps":3,"p95_latency_ms":1,"risk_ratio":0}}|summary.maker_taker_ratio'
		'{"iteration":1,"summary":{"maker_taker_ratio":1.5,"net_bps":3,"p95_latency_ms":1,"risk_ratio":0}}|out of range'
		'{"iteration":1,"summary":{"maker_taker_ratio":0.9,"net_bps":3,"p95_latency_ms":-1,"risk_ratio":0}}|summary.p95_latency_ms'
		'{"iteration":0,"summary":{}}|iteration'
		'{"iteration":1,"phase":{"gate_mode":"SOFT"},"summary":{}}|phase.gate_mode'
		'{"iteration":1,"summary":{},"state":{"gate":{"history":{}}}}|not an array'
		'{"iteration":1,"summary":{},"state":{"gate":{}}}|state.gate.history'
		'{"iteration":3,"summary":{},"state":{"gate":{"history":[{"iteration":2},{"iteration":1}]}}}|increasing order'
		'{"iteration":3,"summary":{},"state":{"gate":{"history":[{"iteration":4}]}}}|after the record'"'"'s iteration 3'
		'{"iteration":3,"summary":{},"state":{"gate":{"history":[{"iteration":2,"net_bps":"x"}]}}}|state.gate.history[].net_bps'
		'{"iteration":3,"summary":{},"state":[]}|'"'"'state'"'"' is an array'
	)
	for c in "${cases[@]}"; do
		run_pipe "printf '\n%s\n' '${c%%|*}' | kpi-gate"
		echo "case ${c%%|*}: status $status, output: $output" >&2
		[ "$status" -eq 2 ]
		[[ "$output" == "kpi-gate: line 2: "*"${c#*|}"* ]]
		[ "${#lines[@]}" -eq 1 ]
	done
}

@test "--on-error=skip: a bad line gives no output, the rest go on" {
	# the bad iteration 2 still holds its place: iteration 3 follows it
	run_pipe "$(declare -f kpis); { record 1 '$(kpis 0.9 3 300 0.3)'; echo '{\"iteration\":2}'; record 3 '$(kpis 0.9 3 300 0.3)'; } | kpi-gate --on-error=skip --rejects '$BATS_TEST_TMPDIR/rej' 2>/dev/null"
	[ "$status" -eq 0 ]
	assert_slurp '[.[].iteration] == [1,3] and .[1].gate.window.count == 2'
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = '{"iteration":2}' ]
}

@test "bad thresholds files are usage errors naming the problem" {
	local base="$SOAK_SRCDIR/presets/kpi_thresholds_v1.json" f="$BATS_TEST_TMPDIR/bad.json"
	local cases=(
		'.iteration[0].op = "=>"|iteration[0].op'
		'.iteration[0].kpi = "net"|iteration[0].kpi'
		'.iteration[0].level = "INFO"|iteration[0].level'
		'.iteration[0].threshold = "0.75"|iteration[0].threshold'
		'.iteration[0].threshold = 2|outside the range'
		'.iteration[0].extra = 1|unknown field '"'"'extra'"'"''
		'.iteration[1].threshold = 0.7|could never fire'
		'.iteration += [.iteration[0]]|repeats'
		'.window.rules[0].kpi = "cancel_ratio"|window.rules[0].kpi'
		'.window.rules[0].stat = "p90"|window.rules[0].stat'
		'.window.size = 0|window.size'
		'.window.size = 2.5|window.size'
		'del(.window)|'"'"'window'"'"' is missing'
		'del(.iteration)|'"'"'iteration'"'"' is missing'
		'{iteration: [], window: {size: 8, rules: []}}|no rules'
		'.treshold = 1|unknown field'
	)
	for c in "${cases[@]}"; do
		jq "${c%%|*}" "$base" > "$f"
		run kpi-gate --thresholds "$f" </dev/null
		echo "case ${c%%|*}: status $status, output: $output" >&2
		[ "$status" -eq 2 ]
		[[ "$output" == "kpi-gate: thresholds '$f': "*"${c#*|}"* ]]
	done
}

@test "usage errors: unknown thresholds name, bad --mode, bad --window" {
	run kpi-gate --thresholds no_such_thresholds </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"no 'no_such_thresholds.json'"* ]]
	run kpi-gate --mode soft </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"'soft' is not warn or normal"* ]]
	run kpi-gate --window 0 </dev/null
	[ "$status" -eq 2 ]
	run kpi-gate extra-argument </dev/null
	[ "$status" -eq 2 ]
}

@test "output is deterministic and a failed write is exit 3" {
	run_pipe "kpi-gate < '$FIXTURES/kpi-gate-legacy-24.jsonl' | cksum"
	local first=$output
	run_pipe "kpi-gate < '$FIXTURES/kpi-gate-legacy-24.jsonl' | cksum"
	[ "$output" = "$first" ]
	run_pipe "kpi-gate < '$FIXTURES/kpi-gate-legacy-24.jsonl' > /dev/full"
	[ "$status" -eq 3 ]
	run_pipe "kpi-gate --summary < '$FIXTURES/kpi-gate-legacy-24.jsonl' > /dev/full"
	[ "$status" -eq 3 ]
}

@test "--summary --text: the verdict in words, same exit status" {
	run bash -c 'kpi-gate --summary --text < "$0"' "$FIXTURES/kpi-gate-legacy-24.jsonl"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "verdict: FAIL (kpi_thresholds_v1; 24 iterations: 17 PASS, 2 WARN, 5 FAIL)" ]
	[[ "$output" == *"  window of the last 8 iterations: PASS"* ]]
	[[ "$output" == *"    net_bps mean 4.75 >= 2.8 (met)"* ]]
	[[ "$output" == *"  first FAIL, iteration 1:"*"    net_bps -1.5 < 2 (FAIL) by 3.5"* ]]
	run kpi-gate --text </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--text' needs --summary"* ]]
}
