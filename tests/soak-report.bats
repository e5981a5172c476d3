#!/usr/bin/env bats
# soak-report: the last-N snapshot, counts, baseline, formats, plot, bad input.
#
# soak-report-small.jsonl (6 iterations) with --last 4 has a window of
# iterations 3-6; its statistics are worked out by hand in the tests.

load helpers

SMALL="$FIXTURES/soak-report-small.jsonl"
export SMALL

# The small fixture with jq expression $1 applied to each record.
edited() {
	jq -c "$1" "$SMALL"
}

@test "window statistics: hand-computed mean, median, min, max, trend" {
	run_pipe 'soak-report --last 4 < "$SMALL"'
	[ "$status" -eq 0 ]
	assert_jq '.last_n == {"size":4,"count":4,"iterations":[3,4,5,6]}'
	# maker_taker 0.84 0.86 0.9 0.85: first quarter 0.84, last 0.85 (+1.2%)
	assert_jq '.kpis.maker_taker_ratio | .mean == 0.8625 and .median == 0.855 and .min == 0.84 and .max == 0.9 and .trend == "flat"'
	# net_bps 3 3.2 3.6 3.4: 3 -> 3.4 is +13%
	assert_jq '.kpis.net_bps | .mean == 3.3 and .median == 3.3 and .min == 3 and .max == 3.6 and .trend == "up"'
	# p95 300 280 260 250
	assert_jq '.kpis.p95_latency_ms | .mean == 272.5 and .median == 270 and .min == 250 and .max == 300 and .trend == "down"'
	# risk 0.3 0.2 0.35 0.25
	assert_jq '.kpis.risk_ratio | .mean == 0.275 and .median == 0.275 and .min == 0.2 and .max == 0.35 and .trend == "down"'
	assert_jq '.kpis.slippage_bps_p95 | .mean == 0.75 and .median == 0.75 and .trend == "down"'
}

@test "iterations: first, last, count over the whole log" {
	run_pipe 'soak-report --last 4 < "$SMALL"'
	assert_jq '.iterations == {"first":1,"last":6,"count":6} and .skipped == 0'
	assert_jq '.thresholds == "kpi_thresholds_v1" and .log == "stdin"'
}

@test "trend: n/a with fewer than 4 values, flat within 5% of a negative first quarter" {
	run_pipe 'soak-report --last 3 < "$SMALL"'
	assert_jq '[.kpis[].trend] | all(. == "n/a")'
	# net -2 -2 -2 -1.95: +2.5% of |-2| is flat (the original's 1.05 x q1 called it up)
	run_pipe 'for i in 1 2 3 4; do n=-2; [ $i = 4 ] && n=-1.95; echo "{\"iteration\":$i,\"summary\":{\"net_bps\":$n}}"; done | soak-report --last 4'
	assert_jq '.kpis.net_bps.trend == "flat"'
	run_pipe 'for i in 1 2 3 4; do n=-2; [ $i = 4 ] && n=-1.8; echo "{\"iteration\":$i,\"summary\":{\"net_bps\":$n}}"; done | soak-report --last 4'
	assert_jq '.kpis.net_bps.trend == "up"'
}

@test "missing KPIs are counted as missing, never as 0" {
	run_pipe 'soak-report --last 4 < "$SMALL"'
	# adverse_bps_p95: null in 3, absent in 6; 3 and 2 remain
	assert_jq '.kpis.adverse_bps_p95 | .count == 2 and .missing == 2 and .missing_in_run == 2 and .mean == 2.5 and .min == 2 and .trend == "n/a"'
	# cancel_ratio is in no record
	assert_jq '.kpis.cancel_ratio | .count == 0 and .missing == 4 and .missing_in_run == 6 and .mean == null and .median == null and .min == null and .max == null'
}

@test "goals of the thresholds file met: verdict WARN from the warm-up WARNs, exit 0" {
	run_pipe 'soak-report --last 4 < "$SMALL"'
	[ "$status" -eq 0 ]
	assert_jq '[.goals[] | {kpi, stat, value, met}] == [
		{"kpi":"maker_taker_ratio","stat":"mean","value":0.8625,"met":true},
		{"kpi":"net_bps","stat":"mean","value":3.3,"met":true},
		{"kpi":"p95_latency_ms","stat":"max","value":300,"met":true},
		{"kpi":"risk_ratio","stat":"median","value":0.275,"met":true}]'
	# iterations 1-2 are WARN (warm-up: iteration 1's FAIL downgraded), as kpi-gate --summary says
	assert_jq '.verdict == {"status":"WARN","reasons":[{"level":"WARN","text":"2 of 6 iterations WARN (1 downgraded from FAIL)"}]}'
}

@test "a goal missed: verdict FAIL with its reason, exit 1" {
	edited 'if .iteration == 6 then .summary.net_bps = 0.5 else . end' > "$BATS_TEST_TMPDIR/log"
	run_pipe 'soak-report --last 4 < "$BATS_TEST_TMPDIR/log"'
	[ "$status" -eq 1 ]
	assert_jq '.verdict.status == "FAIL"'
	assert_jq '.verdict.reasons == [{"level":"FAIL","text":"1 of 6 iterations FAIL, the first at iteration 6"},{"level":"FAIL","text":"window: net_bps mean 2.575 < 2.8 (FAIL) by 0.225"},{"level":"WARN","text":"2 of 6 iterations WARN (1 downgraded from FAIL)"}]'
	assert_jq '.goals[1].met == false and .goals[0].met == true'
}

@test "a gate KPI missing in the window: its goal is unknown, not met" {
	edited 'if .iteration == 5 then del(.summary.risk_ratio) else . end' > "$BATS_TEST_TMPDIR/log"
	run_pipe 'soak-report --last 4 < "$BATS_TEST_TMPDIR/log"'
	[ "$status" -eq 1 ]
	assert_jq '.kpis.risk_ratio | .count == 3 and .missing == 1 and .median == 0.25'
	assert_jq '.goals[3] | .value == null and .met == false and .missing == 1'
	assert_jq '.verdict.reasons[0].text == "1 of 6 iterations FAIL, the first at iteration 5"'
	assert_jq '.verdict.reasons[1].text == "window: risk_ratio median unknown: 1 of 4 values missing (FAIL)"'
}

@test "window size from the thresholds file; an incomplete window is FAIL" {
	run_pipe 'soak-report < "$SMALL"'
	[ "$status" -eq 1 ]
	assert_jq '.last_n.size == 8 and .last_n.count == 6 and .last_n.iterations == [1,2,3,4,5,6]'
	assert_jq '.verdict.reasons[0] == {"level":"FAIL","text":"window incomplete: 6 of 8 iterations"}'
}

@test "--thresholds FILE: its window size and rules" {
	jq '.window.size = 2 | .window.rules = [{"kpi":"p95_latency_ms","stat":"mean","op":"<=","threshold":250,"level":"WARN"}]' \
		"$SOAK_SRCDIR/presets/kpi_thresholds_v1.json" > "$BATS_TEST_TMPDIR/th.json"
	run_pipe 'soak-report --thresholds "$BATS_TEST_TMPDIR/th.json" < "$SMALL"'
	[ "$status" -eq 0 ]
	assert_jq '.thresholds == "th" and .last_n.iterations == [5,6]'
	assert_jq '.goals | length == 1 and .[0].value == 255 and .[0].met == false'
	assert_jq '.verdict.status == "WARN"'
}

@test "gate status counts over every iteration, judged again (the recorded gate is not read)" {
	run_pipe 'soak-report --last 4 < "$SMALL"'
	# 1: FAIL downgraded in warm-up; 2: WARN; 3-6 PASS (6 has no gate section)
	assert_jq '.gate == {"PASS":4,"WARN":2,"FAIL":0,"downgraded":1}'
	run_pipe 'jq -c ".gate.status = \"FAIL\"" "$SMALL" | soak-report --last 4'
	assert_jq '.gate == {"PASS":4,"WARN":2,"FAIL":0,"downgraded":1}'
	jq '.iteration[1].threshold = 0.87' "$SOAK_SRCDIR/presets/kpi_thresholds_v1.json" > "$BATS_TEST_TMPDIR/strict.json"
	run_pipe 'soak-report --last 4 -t "$BATS_TEST_TMPDIR/strict.json" < "$SMALL"'
	# maker_taker >= 0.87 to PASS: only iteration 5 (0.9) does
	assert_jq '.gate == {"PASS":1,"WARN":5,"FAIL":0,"downgraded":1}'
}

@test "tuning counts: applied iterations, keys changed, skip reasons" {
	run_pipe 'soak-report --last 4 < "$SMALL"'
	assert_jq '.tuning.records == 5 and .tuning.applied == 2'
	assert_jq '.tuning.keys_changed == {"min_interval_ms":1,"base_spread_bps_delta":1,"impact_cap_ratio":1}'
	assert_jq '.tuning.skipped == {"max_keys":1,"cooldown":2,"velocity":1,"oscillation":1,"freeze":1,"bounds":1,"no_change":1}'
}

@test "guard counts: iterations in which each guard fired" {
	run_pipe 'soak-report --last 4 < "$SMALL"'
	assert_jq '.guards == {"rescue_block":1,"latency_prebuffer":2,"velocity":1,"cooldown":2,"oscillation":1,"freeze":1,"max_keys":1,"bounds":1}'
}

@test "--baseline: the baseline's snapshot and deltas; one run a side cannot decide" {
	edited '.summary.net_bps += 0.5 | .summary.p95_latency_ms += 10 | .summary.maker_taker_ratio -= 0.01' > "$BATS_TEST_TMPDIR/base"
	run_pipe 'soak-report --last 4 --baseline "$BATS_TEST_TMPDIR/base" < "$SMALL"'
	[ "$status" -eq 0 ]
	assert_jq '.baseline.log == env.BATS_TEST_TMPDIR + "/base" and .baseline.kpis.net_bps.mean == 3.8'
	assert_jq '.deltas.net_bps | .mean == -0.5 and .compared == "mean" and .outcome == "inconclusive"'
	assert_jq '.deltas.p95_latency_ms | .max == -10 and .compared == "max" and .outcome == "inconclusive"'
	assert_jq '.deltas.maker_taker_ratio | (.mean * 1000 | round) == 10'
	assert_jq '.deltas.cancel_ratio | .mean == null and .outcome == "inconclusive"'
	assert_jq '.baseline.gate == .gate and .baseline.tuning == .tuning'
	# soak-compare's judgement with one unit a side: nothing can be decided
	assert_jq '.comparison | .verdict == "INCONCLUSIVE" and .paired == false and (.note | test("^one run per side cannot decide"))'
	assert_jq '.comparison.kpis[] | select(.kpi == "net_bps") | .baseline.mean == 3.8 and .candidate.mean == 3.3 and .p_value == null and .outcome == "inconclusive" and (.text | test("too few units: 1 baseline log, at least 5 needed"))'
	assert_jq '[.comparison.kpis[] | select(.kpi == "p95_latency_ms")][0].better == "lower"'
}

@test "--baseline: a bad baseline line names the file; a missing file is exit 2" {
	{ head -2 "$SMALL"; echo '{"iteration":3,"summary":[]}'; } > "$BATS_TEST_TMPDIR/base"
	run_pipe 'soak-report --baseline "$BATS_TEST_TMPDIR/base" < "$SMALL"'
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-report: $BATS_TEST_TMPDIR/base: line 3: "*"summary"* ]]
	run_pipe 'soak-report --baseline "$BATS_TEST_TMPDIR/nope" < "$SMALL"'
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot open baseline"*"nope"* ]]
}

@test "--format markdown: the KPI table with goal marks, verdict, counts, sparklines" {
	run_pipe 'soak-report --last 4 --format markdown < "$SMALL"'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "## Soak report: WARN" ]]
	[[ "$output" == *"| net_bps | 3.3 | 3.3 | 3 | 3.6 | up | 0 | ✅ mean >= 2.8 |"* ]]
	[[ "$output" == *"| p95_latency_ms | 272.5 | 270 | 250 | 300 | down | 0 | ✅ max <= 340 |"* ]]
	[[ "$output" == *"| cancel_ratio | – | – | – | – | n/a | 4 | – |"* ]]
	[[ "$output" == *"### Verdict: WARN"* ]]
	[[ "$output" == *"- **WARN** 2 of 6 iterations WARN (1 downgraded from FAIL)"* ]]
	[[ "$output" == *"| 4 | 2 | 0 | 1 |"* ]]
	[[ "$output" == *"| cooldown | 2 |"* ]]
	[[ "$output" == *"| latency_prebuffer | 2 |"* ]]
	# p95 420 350 300 280 260 250: highest first, lowest last
	[[ "$output" == *"p95_latency_ms    #"*".  250 .. 420"* ]]
}

@test "--format markdown: a FAIL verdict lists its reasons; --baseline adds its table" {
	edited 'if .iteration == 6 then .summary.net_bps = 0.5 else . end' > "$BATS_TEST_TMPDIR/log"
	run_pipe 'soak-report --last 4 -f markdown -b "$SMALL" < "$BATS_TEST_TMPDIR/log"'
	[ "$status" -eq 1 ]
	[[ "$output" == *"| net_bps | 2.575 | 3.1 | 0.5 | 3.6 | down | 0 | ❌ mean >= 2.8 |"* ]]
	[[ "$output" == *"- **FAIL** window: net\_bps mean 2.575 < 2.8 (FAIL) by 0.225"* ]]
	[[ "$output" == *"| net_bps | mean | 2.575 | 3.3 | -0.725 | inconclusive |"* ]]
	[[ "$output" == *"): INCONCLUSIVE"* ]]
	[[ "$output" == *"one run per side cannot decide"* ]]
}

# Every line of Prometheus text exposition: a HELP or TYPE comment, or a
# sample name{label="value",...} number.
prometheus_lines_parse() {
	printf '%s\n' "$output" | awk '
		/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/ { next }
		/^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (gauge|counter)$/ { typed[$3] = 1; next }
		{
			if ($0 !~ /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})? -?[0-9.]+(e[-+]?[0-9]+)?$/) { print "bad line: " $0; bad = 1; next }
			name = $0; sub(/[{ ].*/, "", name)
			if (!(name in typed)) { print "no TYPE for " name; bad = 1 }
		}
		END { exit bad }'
}

@test "--format prometheus: lines parse, soak_ names, kpi/stat/window labels" {
	run_pipe 'soak-report --last 4 -f prometheus -b "$SMALL" < "$SMALL"'
	[ "$status" -eq 0 ]
	prometheus_lines_parse
	[[ "$output" == *'soak_kpi{kpi="net_bps",stat="mean",window="4"} 3.3'* ]]
	[[ "$output" == *'soak_goal_met{kpi="p95_latency_ms",stat="max",op="<=",window="4"} 1'* ]]
	[[ "$output" == *'soak_verdict{status="WARN",window="4"} 1'* ]]
	[[ "$output" == *'soak_gate_iterations{status="WARN"} 2'* ]]
	[[ "$output" == *'soak_guard_iterations{guard="cooldown"} 2'* ]]
	[[ "$output" == *'soak_kpi_delta{kpi="net_bps",stat="mean",window="4"} 0'* ]]
	! printf '%s\n' "$output" | grep -v '^#' | grep -q -e 'kpi="cancel_ratio",stat='
	! printf '%s\n' "$output" | grep -v '^# ' | grep -vq '^soak_'
}

@test "--format prometheus: promtool check metrics accepts it" {
	command -v promtool >/dev/null || skip "promtool not installed (Debian: prometheus)"
	jq -cs 'sort_by(.iteration)[]' "$FIXTURES"/soak-report-ITER_SUMMARY_*.json > "$BATS_TEST_TMPDIR/orig"
	soak-report --last 4 -f prometheus -b "$BATS_TEST_TMPDIR/orig" < "$SMALL" > "$BATS_TEST_TMPDIR/prom"
	run promtool check metrics < "$BATS_TEST_TMPDIR/prom"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "--format prometheus: label values are escaped" {
	printf '%s\n' '{"iteration":1,"summary":{},"tuning":{"skip_reason":{"note":"a \"q\" \\ b"}}}' > "$BATS_TEST_TMPDIR/log"
	run_pipe 'soak-report --last 1 -f prometheus < "$BATS_TEST_TMPDIR/log"'
	[ "$status" -eq 1 ]
	prometheus_lines_parse
	[[ "$output" == *'soak_tuning_skips{reason="a \"q\" \\ b"} 1'* ]]
}

@test "--plot: a PNG of the gate KPIs" {
	command -v gnuplot >/dev/null || skip "gnuplot not installed (Debian: gnuplot-nox)"
	run_pipe 'soak-report --last 4 --plot "$BATS_TEST_TMPDIR/kpis.png" < "$SMALL"'
	[ "$status" -eq 0 ]
	assert_jq '.verdict.status == "WARN"'
	[ -s "$BATS_TEST_TMPDIR/kpis.png" ]
	[ "$(head -c 8 "$BATS_TEST_TMPDIR/kpis.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
}

@test "--plot: an unwritable file is an I/O error (exit 3)" {
	command -v gnuplot >/dev/null || skip "gnuplot not installed (Debian: gnuplot-nox)"
	run_pipe 'soak-report --last 4 --plot "$BATS_TEST_TMPDIR/no/such/dir/kpis.png" < "$SMALL" 2>&1 >/dev/null'
	[ "$status" -eq 3 ]
	[[ "$output" == *"no plot written"* || "$output" == *"no PNG"* ]]
}

@test "original ITER_SUMMARY layout via jq -cs sort_by: counts from skip_reason objects" {
	run_pipe 'jq -cs "sort_by(.iteration)[]" "$FIXTURES"/soak-report-ITER_SUMMARY_*.json | soak-report --last 3'
	[ "$status" -eq 0 ]
	assert_jq '.iterations == {"first":1,"last":3,"count":3}'
	assert_jq '.kpis.net_bps.mean == 3.3 and .kpis.cancel_ratio.missing == 3'
	assert_jq '.gate == {"PASS":3,"WARN":0,"FAIL":0,"downgraded":0}'
	assert_jq '.tuning == {"records":3,"applied":1,"keys_changed":{"min_interval_ms":1},"skipped":{"velocity cap exceeded":1,"no effective change":1}}'
	assert_jq '.guards.velocity == 1 and .guards.cooldown == 0'
}

@test "iterations out of order are bad input (sort ITER_SUMMARY files by iteration)" {
	run_pipe 'jq -c . "$FIXTURES"/soak-report-ITER_SUMMARY_2.json "$FIXTURES"/soak-report-ITER_SUMMARY_1.json | soak-report'
	[ "$status" -eq 2 ]
	[ "$output" = "soak-report: line 2: iteration 1 after iteration 2 of line 1 (out of order): a log must be one contiguous run of iterations (for ITER_SUMMARY files: jq -cs 'sort_by(.iteration)[]' ITER_SUMMARY_*.json)" ]
	run_pipe 'jq -c . "$FIXTURES"/soak-report-ITER_SUMMARY_1.json "$FIXTURES"/soak-report-ITER_SUMMARY_3.json | soak-report'
	[ "$status" -eq 2 ]
	[[ "$output" == "soak-report: line 2: iteration 3 after iteration 1 of line 1 (a gap): "* ]]
	run_pipe 'jq -cs "sort_by(.iteration)[]" "$FIXTURES"/soak-report-ITER_SUMMARY_2.json "$FIXTURES"/soak-report-ITER_SUMMARY_1.json | soak-report --last 2'
	[ "$status" -eq 0 ]
}

@test "bad input: exit 2 with the line number, nothing printed" {
	for bad in '{"iteration":2,"summary":{"maker_taker_ratio":1.5}}' '{"iteration":2,"summary":{"net_bps":"3"}}' \
		'{"iteration":2}' '{"iteration":0,"summary":{}}' '{"iteration":3,"summary":{}}' '{"iteration":1,"summary":{}}' \
		'{"iteration":2,"summary":{},"tuning":{"applied":"yes"}}' '{"iteration":2,"summary":{},"tuning":{"skipped":{"k":1}}}' \
		'{"iteration":2,"summary":{},"warmup":{"rescue_block":{"blocked":1}}}' 'not json' '[1]'; do
		printf '%s\n%s\n' '{"iteration":1,"summary":{}}' "$bad" > "$BATS_TEST_TMPDIR/log"
		run soak-report < "$BATS_TEST_TMPDIR/log"
		echo "$bad -> $status: $output"
		[ "$status" -eq 2 ]
		[[ "$output" == "soak-report: line 2: "* ]]
		[ "${#lines[@]}" -eq 1 ]
	done
}

@test "--on-error=skip: bad lines are left out, counted, and make the verdict FAIL" {
	{ head -3 "$SMALL"; echo '{"iteration":4,"summary":{"p95_latency_ms":-1}}'; tail -3 "$SMALL"; } > "$BATS_TEST_TMPDIR/log"
	run_pipe 'soak-report --last 4 --on-error=skip --rejects "$BATS_TEST_TMPDIR/rej" < "$BATS_TEST_TMPDIR/log" 2>/dev/null'
	[ "$status" -eq 1 ]
	assert_jq '.skipped == 1 and .iterations.count == 6 and .verdict.status == "FAIL"'
	assert_jq '.verdict.reasons == [{"level":"WARN","text":"2 of 6 iterations WARN (1 downgraded from FAIL)"},{"level":"FAIL","text":"incomplete data: 1 bad line skipped"}]'
	[ "$(jq -c .summary "$BATS_TEST_TMPDIR/rej")" = '{"p95_latency_ms":-1}' ]
}

@test "empty log: an explicit no-iterations report, verdict FAIL, exit 1" {
	run_pipe 'printf "\n\n" | soak-report'
	[ "$status" -eq 1 ]
	assert_jq '.iterations == {"first":null,"last":null,"count":0}'
	assert_jq '.last_n == {"size":8,"count":0,"iterations":[]}'
	assert_jq '.verdict == {"status":"FAIL","reasons":[{"level":"FAIL","text":"no records: nothing to judge"}]}'
	assert_jq '.kpis.net_bps.mean == null and .goals[0].met == false'
	run_pipe 'soak-report -f markdown < /dev/null'
	[ "$status" -eq 1 ]
	[[ "$output" == *"No iterations; thresholds"* ]]
}

@test "usage errors: exit 2" {
	for args in "--last 0" "--last 1001" "--format xml" "--thresholds nope" "extra" "--plot="; do
		run soak-report $args < "$SMALL"
		echo "$args -> $status: $output"
		[ "$status" -eq 2 ]
	done
}

@test "bad thresholds files: exit 2 naming the problem" {
	th="$SOAK_SRCDIR/presets/kpi_thresholds_v1.json"
	jq '.window.size = 0' "$th" > "$BATS_TEST_TMPDIR/size.json"
	jq '.window.rules[0].kpi = "cancel_ratio"' "$th" > "$BATS_TEST_TMPDIR/kpi.json"
	jq '.iteration += [{"kpi":"gross_bps","op":">=","threshold":1,"level":"WARN"},{"kpi":"gross_bps","op":">=","threshold":2,"level":"WARN"}]' "$th" > "$BATS_TEST_TMPDIR/repeat.json"
	jq '.iteration[1].threshold = 0.7' "$th" > "$BATS_TEST_TMPDIR/dead.json"
	for f in size kpi repeat dead; do
		run soak-report --thresholds "$BATS_TEST_TMPDIR/$f.json" < "$SMALL"
		echo "$f -> $status: $output"
		[ "$status" -eq 2 ]
		[[ "$output" == "soak-report: thresholds '$BATS_TEST_TMPDIR/$f.json': "* ]]
	done
	[[ "$output" == *"looser than the FAIL threshold"* ]]
}

@test "a real soak log: the report agrees with kpi-gate --summary's window" {
	soak-run -q -n 12 --warmup --preset maker_bias_uplift_v1 --out "$BATS_TEST_TMPDIR/run" >/dev/null || [ $? -eq 1 ]
	log="$BATS_TEST_TMPDIR/run/iterations.jsonl"
	kpi-gate --summary < "$log" > "$BATS_TEST_TMPDIR/verdict" || true
	run_pipe 'soak-report < "$BATS_TEST_TMPDIR/run/iterations.jsonl"'
	window=$(jq -c '.window.goals | map({kpi, stat, value, met})' "$BATS_TEST_TMPDIR/verdict")
	assert_jq "(.goals | map({kpi, stat, value, met})) == $window"
	assert_jq '.verdict == '"$(jq -c '{status, reasons}' "$BATS_TEST_TMPDIR/verdict")"
	assert_jq '.gate == '"$(jq -c '.counts + {downgraded}' "$BATS_TEST_TMPDIR/verdict")"
	assert_jq '.gate.PASS + .gate.WARN + .gate.FAIL == 12 and .last_n.iterations == [5,6,7,8,9,10,11,12]'
}

@test "deterministic output; a failed write is exit 3" {
	soak-report --last 4 -f markdown < "$SMALL" > "$BATS_TEST_TMPDIR/a"
	soak-report --last 4 -f markdown < "$SMALL" > "$BATS_TEST_TMPDIR/b"
	cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	run_pipe 'soak-report --last 4 < "$SMALL" > /dev/full'
	[ "$status" -eq 3 ]
	run_pipe 'soak-report --last 4 -f prometheus < "$SMALL" > /dev/full'
	[ "$status" -eq 3 ]
}

@test "a long run: sparklines keep at most 64 characters" {
	run_pipe 'for i in $(seq 1 300); do echo "{\"iteration\":$i,\"summary\":{\"net_bps\":$i}}"; done | soak-report -f markdown'
	[ "$status" -eq 1 ]
	[[ "$output" == *"(8 iterations per character)"* ]]
	line=$(printf '%s\n' "$output" | grep '^net_bps ')
	spark=$(echo "$line" | awk '{print $2}')
	[ "${#spark}" -eq 38 ]
	[[ "$spark" =~ ^\.+-+=+\++#+$ ]]
	[[ "$output" == *"net_bps           $spark  4.5 .. 298.5"* ]]
	[[ "$output" == *"cancel_ratio      (no values)"* ]]
}

@test "a run without warm-up: soak-report's verdict is kpi-gate --summary's (FAIL), also under -t" {
	soak-run -q -n 10 --preset maker_bias_uplift_v1 --out "$BATS_TEST_TMPDIR/run" >/dev/null || [ $? -eq 1 ]
	log="$BATS_TEST_TMPDIR/run/iterations.jsonl"
	run kpi-gate --summary < "$log"
	[ "$status" -eq 1 ]
	local verdict=$output
	run_pipe 'soak-report < "$BATS_TEST_TMPDIR/run/iterations.jsonl"'
	[ "$status" -eq 1 ]
	assert_jq '.verdict == '"$(jq -c '{status, reasons}' <<<"$verdict")"
	jq '(.iteration[] | select(.kpi == "net_bps" and .level == "WARN") | .threshold) = 4.5' \
		"$SOAK_SRCDIR/presets/kpi_thresholds_v1.json" > "$BATS_TEST_TMPDIR/strict.json"
	run kpi-gate --summary -t "$BATS_TEST_TMPDIR/strict.json" < "$log"
	verdict=$output
	run_pipe 'soak-report -t "$BATS_TEST_TMPDIR/strict.json" < "$BATS_TEST_TMPDIR/run/iterations.jsonl"'
	assert_jq '.verdict == '"$(jq -c '{status, reasons}' <<<"$verdict")"
	assert_jq '.gate == '"$(jq -c '.counts + {downgraded}' <<<"$verdict")"
	# net_bps >= 4.5 to PASS: re-judged, fewer iterations PASS than recorded
	assert_jq ".gate.PASS < $(jq -s 'map(select(.gate.status == "PASS")) | length' "$log")"
}

@test "--sweep: one table per variant directory of seed-N.jsonl logs" {
	mkdir -p "$BATS_TEST_TMPDIR/sw/b" "$BATS_TEST_TMPDIR/sw/a" "$BATS_TEST_TMPDIR/sw/not-a-variant"
	cp "$SMALL" "$BATS_TEST_TMPDIR/sw/a/seed-1.jsonl"
	edited '.summary.net_bps += 1' > "$BATS_TEST_TMPDIR/sw/a/seed-2.jsonl"
	cp "$SMALL" "$BATS_TEST_TMPDIR/sw/b/seed-7.jsonl"
	printf 'x\n' > "$BATS_TEST_TMPDIR/sw/jobs.tsv"
	run_pipe 'soak-report --sweep="$BATS_TEST_TMPDIR/sw" --last 4'
	[ "$status" -eq 0 ]
	assert_jq '[.variants[].variant] == ["a", "b"] and .thresholds == "kpi_thresholds_v1" and .window == 4'
	# net_bps window means 3.3 and 4.3: mean 3.8, sd sqrt(2 * 0.5^2 / 1)
	# the SMALL log's verdict is WARN: its iterations 1-2 are WARN (warm-up)
	assert_jq '.variants[0] | .runs == 2 and .verdicts == {"PASS":0,"WARN":2,"FAIL":0}'
	assert_jq '.variants[0].kpis.net_bps | .n == 2 and .mean == 3.8 and .median == 3.8 and .min == 3.3 and .max == 4.3 and (.sd * 1e4 | round) == 7071'
	assert_jq '.variants[1].kpis.net_bps | .n == 1 and .sd == null and .mean == 3.3'
	assert_jq '.variants[0].kpis.p95_latency_ms.stat == "max"'
	run_pipe 'soak-report --sweep="$BATS_TEST_TMPDIR/sw" --last 4 -f markdown'
	[[ "$output" == *'### `a`: 2 runs (PASS 0, WARN 2, FAIL 0)'* ]]
	[[ "$output" == *"| net_bps | mean | 2 | 3.8 | 0.7071 | 3.8 | 3.3 | 4.3 |"* ]]
	[[ "$output" == *"| net_bps | mean | 1 | 3.3 | – | 3.3 | 3.3 | 3.3 |"* ]]
	run soak-report --sweep="$BATS_TEST_TMPDIR/sw" -f prometheus
	[ "$status" -eq 2 ]
	run soak-report --sweep="$BATS_TEST_TMPDIR/sw/not-a-variant"
	[ "$status" -eq 2 ]
	[[ "$output" == *"no variant directories"* ]]
	printf '{"iteration":1}\n' > "$BATS_TEST_TMPDIR/sw/b/seed-8.jsonl"
	run soak-report --sweep="$BATS_TEST_TMPDIR/sw"
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-report: $BATS_TEST_TMPDIR/sw/b/seed-8.jsonl: line 1: "* ]]
}

@test "--sweep --on-error=skip --rejects FILE: the bad lines of every log, the file made by the first" {
	mkdir -p "$BATS_TEST_TMPDIR/sw/a"
	{ head -3 "$SMALL"; echo '{"iteration":4,"summary":[]}'; } > "$BATS_TEST_TMPDIR/sw/a/seed-1.jsonl"
	{ head -2 "$SMALL"; echo '{"iteration":3,"summary":7}'; } > "$BATS_TEST_TMPDIR/sw/a/seed-2.jsonl"
	run_pipe 'soak-report --sweep="$BATS_TEST_TMPDIR/sw" --last 2 --on-error=skip --rejects="$BATS_TEST_TMPDIR/rej" 2>/dev/null'
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = '{"iteration":4,"summary":[]}
{"iteration":3,"summary":7}' ]
}
