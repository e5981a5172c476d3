#!/usr/bin/env bats
# kpi-gate: the last-N window carried in state.gate, stream/step equivalence, --summary.
load helpers

LEGACY="$FIXTURES/kpi-gate-legacy-24.jsonl"

# kpis MT NET P95 RISK: a summary with the four gate KPIs.
kpis() {
	printf '"summary":{"maker_taker_ratio":%s,"net_bps":%s,"p95_latency_ms":%s,"risk_ratio":%s}' "$@"
}

@test "the window grows with the stream and is carried in state.gate.history" {
	run_pipe "head -n 3 '$LEGACY' | kpi-gate"
	[ "$status" -eq 0 ]
	assert_slurp '[.[].gate.window.count] == [1,2,3] and all(.[]; .gate.window.size == 8 and .gate.window.complete == false)'
	assert_slurp '.[2].state.gate.history == [
		{"iteration":1,"status":"FAIL","maker_taker_ratio":0.5,"net_bps":-1.5,"p95_latency_ms":250,"risk_ratio":0.17},
		{"iteration":2,"status":"FAIL","maker_taker_ratio":0.6,"net_bps":-0.8,"p95_latency_ms":280,"risk_ratio":0.33},
		{"iteration":3,"status":"FAIL","maker_taker_ratio":0.6,"net_bps":3,"p95_latency_ms":310,"risk_ratio":0.68}]'
}

@test "the history keeps the last 8; the window verdict covers exactly them" {
	run_pipe "kpi-gate < '$LEGACY'"
	assert_slurp '.[9].state.gate.history | map(.iteration) == [3,4,5,6,7,8,9,10]'
	assert_slurp '.[9].gate.window.complete == true and .[9].gate.window.count == 8'
	# iterations 17-24 of the original mock: its published last-8 numbers.
	assert_slurp '.[23].gate.window.values == {"maker_taker_ratio":{"mean":0.85},"net_bps":{"mean":4.75},"p95_latency_ms":{"max":240},"risk_ratio":{"median":0.3}}'
	assert_slurp '.[23].gate.window.status == "PASS" and all(.[23].gate.window.goals[]; .met)'
	# iteration 12 still holds iteration 5 (maker_taker 0.70): mean 0.8125 < 0.83.
	assert_slurp '.[11].gate.window.status == "FAIL" and (.[11].gate.window.goals | map(select(.met | not)) | map(.text)) == ["maker_taker_ratio mean 0.8125 < 0.83 (FAIL) by 0.0175"]'
	assert_slurp '.[12].gate.window.status == "PASS"'
}

@test "window statistics: mean, median of an even count, max, min" {
	local recs="" i
	for i in 1 2 3 4; do recs+="record $i '$(kpis 0.9 "$i" "30$i" "0.$i")'; "; done
	jq '.window.rules += [{"kpi":"net_bps","stat":"min","op":">=","threshold":1.5,"level":"WARN"}]' \
		"$SOAK_SRCDIR/presets/kpi_thresholds_v1.json" > "$BATS_TEST_TMPDIR/t.json"
	run_pipe "$(declare -f kpis); { $recs } | kpi-gate --thresholds '$BATS_TEST_TMPDIR/t.json' --window 4 | tail -n 1"
	[ "$status" -eq 0 ]
	assert_jq '.gate.window.values == {"maker_taker_ratio":{"mean":0.9},"net_bps":{"mean":2.5,"min":1},"p95_latency_ms":{"max":304},"risk_ratio":{"median":0.25}}'
	assert_jq '.gate.window.status == "FAIL" and ([.gate.window.goals[] | select(.met | not) | [.kpi, .stat, .level]] == [["net_bps","mean","FAIL"],["net_bps","min","WARN"]])'
}

@test "a KPI missing in the window makes its goal unmet and unknown, never 0" {
	run_pipe "$(declare -f kpis); { record 1 '$(kpis 0.9 3 300 0.3)'; record 2 '\"summary\":{\"maker_taker_ratio\":0.9,\"p95_latency_ms\":300,\"risk_ratio\":0.3}'; record 3 '$(kpis 0.9 3 300 0.3)'; } | kpi-gate | tail -n 1"
	assert_jq '.gate.status == "PASS" and .gate.window.values.net_bps.mean == null'
	assert_jq '.gate.window.goals[1] | .met == false and .missing == 1 and .value == null and .text == "net_bps mean unknown: 1 of 3 values missing (FAIL)"'
	assert_jq '.gate.window.status == "FAIL" and ([.gate.window.goals[] | select(.met)] | length) == 3'
}

@test "--window N overrides the file's size" {
	run_pipe "kpi-gate --window 3 < '$LEGACY' | tail -n 1"
	assert_jq '.gate.window.size == 3 and .gate.window.count == 3 and (.state.gate.history | map(.iteration)) == [22,23,24]'
}

@test "stream and step agree: piping a log equals one record at a time with the carried state" {
	kpi-gate < "$LEGACY" > "$BATS_TEST_TMPDIR/stream"
	local prev="" line out
	: > "$BATS_TEST_TMPDIR/step"
	while IFS= read -r line; do
		[ -z "$prev" ] || line=$(jq -c --argjson s "$(jq -c .state <<<"$prev")" '.state = $s' <<<"$line")
		prev=$(kpi-gate <<<"$line")
		printf '%s\n' "$prev" >> "$BATS_TEST_TMPDIR/step"
	done < "$LEGACY"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/step")" -eq 24 ]
	diff <(jq -cS . "$BATS_TEST_TMPDIR/stream") <(jq -cS . "$BATS_TEST_TMPDIR/step")
}

@test "a record started mid-log continues from its own state.gate" {
	kpi-gate < "$LEGACY" > "$BATS_TEST_TMPDIR/gated"
	run_pipe "sed -n 12p '$BATS_TEST_TMPDIR/gated' | jq -c '{iteration: (.iteration + 1), summary: {maker_taker_ratio:0.85,net_bps:4,p95_latency_ms:255,risk_ratio:0.3}, state}' | kpi-gate"
	assert_jq '(.state.gate.history | map(.iteration)) == [6,7,8,9,10,11,12,13] and .gate.window.complete'
	assert_jq '.gate.window.status == "PASS"'
}

@test "re-gating a gated log gives what gating the raw log gives" {
	kpi-gate < "$LEGACY" > "$BATS_TEST_TMPDIR/once"
	kpi-gate < "$BATS_TEST_TMPDIR/once" > "$BATS_TEST_TMPDIR/twice"
	cmp "$BATS_TEST_TMPDIR/once" "$BATS_TEST_TMPDIR/twice"
	run_pipe "kpi-gate --window 12 < '$BATS_TEST_TMPDIR/once' | tail -n 1"
	assert_jq '.gate.window.count == 12 and (.state.gate.history | length) == 12'
}

@test "a gap, a duplicate or disorder in the iterations is bad input naming both lines" {
	local two="record 1 '$(kpis 0.9 3 300 0.3)'; record 2 '$(kpis 0.9 3 300 0.3)';"
	run_pipe "$(declare -f kpis); { $two record 4 '$(kpis 0.9 3 300 0.3)'; } | kpi-gate"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[2]}" = "kpi-gate: line 3: iteration 4 after iteration 2 of line 2 (a gap): a log must be one contiguous run of iterations (for ITER_SUMMARY files: jq -cs 'sort_by(.iteration)[]' ITER_SUMMARY_*.json)" ]
	run_pipe "$(declare -f kpis); { $two record 2 '$(kpis 0.9 3 300 0.3)'; } | kpi-gate 2>&1 >/dev/null"
	[ "$status" -eq 2 ]
	[[ "$output" == "kpi-gate: line 3: iteration 2 again (duplicate of line 2): a log must be"* ]]
	run_pipe "$(declare -f kpis); { $two record 1 '$(kpis 0.9 3 300 0.3)'; } | kpi-gate --summary"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "kpi-gate: line 3: iteration 1 after iteration 2 of line 2 (out of order): a log must be"* ]]
}

@test "--summary: one verdict object, FAIL and exit 1 when an iteration failed" {
	run kpi-gate --summary < "$LEGACY"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	assert_jq '.status == "FAIL" and .iterations == 24 and .first_iteration == 1 and .last_iteration == 24'
	assert_jq '.counts == {"PASS":17,"WARN":2,"FAIL":5} and .first_fail.iteration == 1'
	assert_jq '.first_fail.reasons | map(.text) == ["maker_taker_ratio 0.5 < 0.75 (FAIL) by 0.25","net_bps -1.5 < 2 (FAIL) by 3.5"]'
	assert_jq '.window.status == "PASS" and .window.values.net_bps.mean == 4.75'
	assert_jq '.reasons[0] == {"level":"FAIL","text":"5 of 24 iterations FAIL, the first at iteration 1"}'
}

@test "--summary: warm-up downgrades make the same log WARN-free of FAIL until iteration 5" {
	run_pipe "jq -c 'if .iteration <= 4 then .phase = {name: \"WARMUP\", gate_mode: \"WARN\"} else . end' '$LEGACY' | kpi-gate --summary"
	[ "$status" -eq 1 ]
	assert_jq '.counts == {"PASS":17,"WARN":6,"FAIL":1} and .downgraded == 4 and .first_fail.iteration == 5'
}

@test "--summary: PASS and WARN exit 0" {
	run_pipe "tail -n 12 '$LEGACY' | kpi-gate --summary"
	[ "$status" -eq 0 ]
	assert_jq '.status == "PASS" and .reasons == [] and .first_fail == null and .counts.PASS == 12'
	run_pipe "tail -n 12 '$LEGACY' | jq -c 'if .iteration == 20 then .summary.maker_taker_ratio = 0.8 else . end' | kpi-gate --summary"
	[ "$status" -eq 0 ]
	assert_jq '.status == "WARN" and .counts.WARN == 1 and .window.status == "PASS"'
	assert_jq '.reasons == [{"level":"WARN","text":"1 of 12 iterations WARN (0 downgraded from FAIL)"}]'
}

@test "--summary: an unmet window goal fails even when every iteration passed" {
	jq '.iteration = [] | .window.rules[1].threshold = 2.9' "$SOAK_SRCDIR/presets/kpi_thresholds_v1.json" > "$BATS_TEST_TMPDIR/t.json"
	run_pipe "tail -n 8 '$LEGACY' | jq -c '.summary.net_bps = 2.8' | kpi-gate --summary --thresholds '$BATS_TEST_TMPDIR/t.json'"
	[ "$status" -eq 1 ]
	assert_jq '.status == "FAIL" and .counts.PASS == 8 and .window.status == "FAIL"'
	assert_jq '.reasons == [{"level":"FAIL","text":"window: net_bps mean 2.8 < 2.9 (FAIL) by 0.1"}]'
}

@test "--summary: an incomplete window or no records at all is FAIL" {
	run_pipe "tail -n 5 '$LEGACY' | jq -c 'del(.state)' | kpi-gate --summary"
	[ "$status" -eq 1 ]
	assert_jq '.status == "FAIL" and .counts.PASS == 5 and .window.complete == false'
	assert_jq '.reasons == [{"level":"FAIL","text":"window incomplete: 5 of 8 iterations"}]'
	run kpi-gate --summary </dev/null
	[ "$status" -eq 1 ]
	assert_jq '.status == "FAIL" and .iterations == 0 and .window == null and .reasons[0].text == "no records: nothing to judge"'
}

@test "--summary judges every record itself, whatever gate it already has" {
	kpi-gate < "$LEGACY" | tail -n 12 | jq -c '.gate.status = "FAIL"' > "$BATS_TEST_TMPDIR/tampered"
	run kpi-gate --summary < "$BATS_TEST_TMPDIR/tampered"
	[ "$status" -eq 0 ]
	assert_jq '.status == "PASS" and .counts.FAIL == 0'
	kpi-gate < "$LEGACY" > "$BATS_TEST_TMPDIR/gated"
	run kpi-gate --summary < "$BATS_TEST_TMPDIR/gated"
	local from_gated=$output
	run kpi-gate --summary < "$LEGACY"
	[ "$output" = "$from_gated" ]
}

@test "--summary: a bad line is exit 2; skipped lines make the verdict FAIL" {
	run_pipe "{ tail -n 12 '$LEGACY'; echo '{\"iteration\":25}'; } | kpi-gate --summary"
	[ "$status" -eq 2 ]
	[[ "$output" == "kpi-gate: line 13: missing field 'summary'" ]]
	run_pipe "{ tail -n 12 '$LEGACY'; echo '{\"iteration\":25}'; } | kpi-gate --summary --on-error=skip 2>/dev/null"
	[ "$status" -eq 1 ]
	assert_jq '.status == "FAIL" and .skipped == 1 and .iterations == 12'
	assert_jq '.reasons == [{"level":"FAIL","text":"incomplete data: 1 bad line skipped"}]'
}

# gated LOG: the legacy log as kpi-gate writes it (state.gate carried).
gated() {
	kpi-gate < "$LEGACY" > "$BATS_TEST_TMPDIR/gated"
}

@test "--summary judges the records present: one line of a finished log is an incomplete window" {
	gated
	# line 24 carries a complete 8-entry history, but only one record is present
	run_pipe "sed -n 24p '$BATS_TEST_TMPDIR/gated' | kpi-gate --summary"
	[ "$status" -eq 1 ]
	assert_jq '.status == "FAIL" and .iterations == 1 and .window.count == 1'
	assert_jq '.reasons == [{"level":"FAIL","text":"window incomplete: 1 of 8 iterations"}]'
	# streaming, the first record still starts from the history it carries (a resumed ring)
	run_pipe "sed -n 24p '$BATS_TEST_TMPDIR/gated' | kpi-gate"
	assert_jq '.gate.window.count == 8'
}

@test "--summary: a repeated line, a dropped line, or lines out of order are bad input, no verdict" {
	gated
	local g="$BATS_TEST_TMPDIR/gated"
	run_pipe "for i in 1 2 3; do sed -n 24p '$g'; done | kpi-gate --summary"
	[ "$status" -eq 2 ]
	[ "$output" = "kpi-gate: line 2: iteration 24 again (duplicate of line 1): a log must be one contiguous run of iterations (for ITER_SUMMARY files: jq -cs 'sort_by(.iteration)[]' ITER_SUMMARY_*.json)" ]
	run_pipe "{ sed -n 2,17p '$g'; sed -n 17p '$g'; } | kpi-gate --summary"
	[ "$status" -eq 2 ]
	[[ "$output" == "kpi-gate: line 17: iteration 17 again (duplicate of line 16): "* ]]
	# the log without its first FAIL after the start (iteration 5)
	run_pipe "sed 5d '$g' | kpi-gate --summary"
	[ "$status" -eq 2 ]
	[[ "$output" == "kpi-gate: line 5: iteration 6 after iteration 4 of line 4 (a gap): "* ]]
}

@test "ITER_SUMMARY files: the glob order (1, 10, 11, 12, 2, ...) is refused, the sorted form is judged" {
	mkdir "$BATS_TEST_TMPDIR/its"
	head -n 12 "$LEGACY" | awk -v d="$BATS_TEST_TMPDIR/its" '{ print > (d "/ITER_SUMMARY_" NR ".json") }'
	cd "$BATS_TEST_TMPDIR/its"
	run_pipe "jq -c . ITER_SUMMARY_*.json | kpi-gate --summary"
	[ "$status" -eq 2 ]
	[ "$output" = "kpi-gate: line 2: iteration 10 after iteration 1 of line 1 (a gap): a log must be one contiguous run of iterations (for ITER_SUMMARY files: jq -cs 'sort_by(.iteration)[]' ITER_SUMMARY_*.json)" ]
	run_pipe "jq -cs 'sort_by(.iteration)[]' ITER_SUMMARY_*.json | kpi-gate --summary"
	[ "$status" -eq 1 ]
	assert_jq '.iterations == 12 and .first_iteration == 1 and .last_iteration == 12'
	assert_jq '.window.values.net_bps.mean == ([range(5;13)] | map(2.8 + 0.1 * (. - 1)) | add / 8 * 10000 | round / 10000)'
}

@test "a WARN gate mode outside a WARMUP phase is bad input; --summary refuses --mode=warn" {
	run_pipe "jq -c '.phase = {name: \"STEADY\", gate_mode: \"WARN\"}' '$LEGACY' | kpi-gate --summary"
	[ "$status" -eq 2 ]
	[ "$output" = "kpi-gate: line 1: 'phase.gate_mode' is WARN outside a WARMUP phase (phase.name STEADY): a FAIL is downgraded only in warm-up" ]
	run_pipe "jq -c '.phase = {gate_mode: \"WARN\"}' '$LEGACY' | kpi-gate 2>&1 >/dev/null"
	[ "$status" -eq 2 ]
	[[ "$output" == *"(phase.name missing)"* ]]
	run kpi-gate --summary --mode=warn < "$LEGACY"
	[ "$status" -eq 2 ]
	[[ "$output" == "kpi-gate: option '--mode=warn' with --summary: a verdict downgrades a FAIL only in a WARMUP phase"* ]]
	# in warm-up a downgrade is counted in the verdict
	run_pipe "jq -c 'if .iteration <= 4 then .phase = {name: \"WARMUP\", gate_mode: \"WARN\"} else . end' '$LEGACY' | kpi-gate --summary"
	assert_jq '.downgraded == 4 and (.reasons | map(.text) | index("6 of 24 iterations WARN (4 downgraded from FAIL)")) != null'
}

@test "a carried history that disagrees with the records present is bad input" {
	gated
	run_pipe "jq -c 'if .iteration == 10 then .state.gate.history[-2].net_bps = 9 else . end' '$BATS_TEST_TMPDIR/gated' | kpi-gate --summary"
	[ "$status" -eq 2 ]
	[ "$output" = "kpi-gate: line 10: 'state.gate.history' disagrees with the records present: iteration 9 net_bps is 9 there, 3.6 in its record" ]
	run_pipe "jq -c 'if .iteration == 10 then .state.gate.history[-2].risk_ratio = 1e7 else . end' '$BATS_TEST_TMPDIR/gated' | kpi-gate"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 10 ]
	[[ "${lines[9]}" == "kpi-gate: line 10: 'state.gate.history[].risk_ratio' = 10000000 is out of range [0, 1e+06]" ]]
}

@test "KPIs outside their sane range are bad input: no overflowing mean" {
	run_pipe "for v in 1e308 1e308 -1e308 -1.5e308; do i=\$((i + 1)); echo \"{\\\"iteration\\\":\$i,\\\"summary\\\":{\\\"maker_taker_ratio\\\":0.9,\\\"net_bps\\\":\$v,\\\"p95_latency_ms\\\":300,\\\"risk_ratio\\\":0.3}}\"; done | kpi-gate --summary -w 4"
	[ "$status" -eq 2 ]
	[ "$output" = "kpi-gate: line 1: 'summary.net_bps' = 1e308 is out of range [-1e+06, 1e+06]" ]
	run_pipe "for v in 1e6 1e6 -1e6 -1e6; do i=\$((i + 1)); echo \"{\\\"iteration\\\":\$i,\\\"summary\\\":{\\\"maker_taker_ratio\\\":0.9,\\\"net_bps\\\":\$v,\\\"p95_latency_ms\\\":300,\\\"risk_ratio\\\":0.3}}\"; done | kpi-gate --summary -w 4"
	[ "$status" -eq 1 ]
	assert_jq '.window.values.net_bps.mean == 0 and .window.goals[1].met == false'
}

@test "--summary --on-error=skip: a bad record in the middle is skipped alone, and the verdict is FAIL" {
	# iteration 20 of 24 with net_bps the string "-5": the lines after it still follow it
	run_pipe "jq -c 'if .iteration == 20 then .summary.net_bps = \"-5\" else . end' '$LEGACY' | kpi-gate --summary --on-error=skip 2>'$BATS_TEST_TMPDIR/err'"
	[ "$status" -eq 1 ]
	assert_jq '.status == "FAIL" and .iterations == 23 and .skipped == 1 and .last_iteration == 24'
	assert_jq '.reasons[-1] == {"level":"FAIL","text":"incomplete data: 1 bad line skipped"}'
	grep -q "^kpi-gate: line 20: 'summary.net_bps' is a string, not a number$" "$BATS_TEST_TMPDIR/err"
	[ "$(grep -c '^kpi-gate: line' "$BATS_TEST_TMPDIR/err")" -eq 1 ]
}
