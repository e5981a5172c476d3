#!/usr/bin/env bats
# soak-run: the loop, the seed's acceptance table, engines, failures, resume.

load helpers

out() { echo "$BATS_TEST_TMPDIR/${1:-run}"; }

# The seed's success criteria over a warm-up run's log and verdict.
assert_seed_criteria() { # DIR
	local log="$1/iterations.jsonl"
	[ "$(grep -c . "$log")" -eq 24 ]
	# iterations 1-4: WARN at most, net >= 1.0, risk <= 0.50, p95 <= 350
	jq -se '[.[] | select(.iteration <= 4)] | length == 4 and all(.gate.status != "FAIL"
		and .summary.net_bps >= 1.0 and .summary.risk_ratio <= 0.50 and .summary.p95_latency_ms <= 350)' "$log"
	# iterations 5-6: ramp-down at weights 2/3 and 1/3, effective between warm-up and baseline
	jq -se '[.[] | select(.iteration == 5 or .iteration == 6) | .phase.weight] == [0.666666666667, 0.333333333333]' "$log"
	# iterations 7-24: all PASS
	jq -se '[.[] | select(.iteration >= 7) | .gate.status] | length == 18 and all(. == "PASS")' "$log"
	# last-8 goals met
	jq -e '.window.complete and (.window.goals | all(.met))' "$1/verdict.json"
	# tuner discipline: at most 2 keys, cooldown respected, velocity guard triggers
	jq -se 'all(.tuning.changed_keys | length <= 2)' "$log"
	jq -se '[range(1; length) as $i | (.[$i - 1].tuning.changed_keys) - ((.[$i - 1].tuning.changed_keys) - .[$i].tuning.changed_keys)] | all(length == 0)' "$log"
	jq -se '[.[] | select(.phase.name == "WARMUP") | .tuning.skipped | to_entries[] | select(.value == "velocity")] | length <= 2' "$log"
	jq -se '[.[] | select(.phase.name != "WARMUP") | .tuning.skipped | to_entries[] | select(.value == "velocity")] | length == 0' "$log"
}

@test "the README's main command: a 24-iteration warm-up soak meets the seed's criteria" {
	run soak-run -q --iterations 24 --warmup --preset maker_bias_uplift_v1 --out "$(out)"
	[ "$status" -eq 0 ]
	jq -e '.status != "FAIL"' <<<"$output"
	assert_seed_criteria "$(out)"
	# the candidate preset is in the params of iteration 1, the warm-up preset only in effective
	jq -se '.[0].params.min_interval_ms == 80 and .[0].effective.min_interval_ms == 105 and .[0].warmup.preset == "warmup_conservative_v1"' "$(out)/iterations.jsonl"
}

@test "the seed's criteria hold for other seeds too" {
	for seed in 2 3 5; do
		run soak-run -q --seed "$seed" --warmup --preset maker_bias_uplift_v1 --out "$(out s$seed)"
		[ "$status" -eq 0 ] || { echo "seed $seed: status $status"; return 1; }
		assert_seed_criteria "$(out s$seed)" || { echo "seed $seed failed the criteria"; return 1; }
	done
}

@test "without warm-up the first iterations fail as the seed's baseline did" {
	for seed in 1 2 3; do
		run soak-run -q --seed "$seed" --preset maker_bias_uplift_v1 --rules tuner_rules_v1 --out "$(out n$seed)"
		log="$(out n$seed)/iterations.jsonl"
		[ "$(grep -c . "$log")" -eq 24 ]
		# FAILs in the first iterations (1 and 2), negative net, a risk spike
		jq -se '[.[] | select(.iteration <= 2) | .gate.status] | all(. == "FAIL")' "$log"
		jq -se '[.[] | select(.iteration <= 4) | .summary.net_bps] | min < 0' "$log"
		jq -se '[.[] | select(.iteration <= 4) | .summary.risk_ratio] | max > 0.5' "$log"
		# no warm-up stages ran
		jq -se 'all(has("phase") | not) and all(has("effective") | not)' "$log"
	done
}

@test "a run is deterministic for its seed, and the seed matters" {
	soak-run -q -n 8 --warmup --seed 4 --out "$(out a)" >/dev/null
	soak-run -q -n 8 --warmup --seed 4 --out "$(out b)" >/dev/null
	soak-run -q -n 8 --warmup --seed 5 --out "$(out c)" >/dev/null
	cmp "$(out a)/iterations.jsonl" "$(out b)/iterations.jsonl"
	! cmp -s "$(out a)/iterations.jsonl" "$(out c)/iterations.jsonl"
}

@test "progress goes to stderr one line per iteration, then the verdict in words; --quiet silences it" {
	run_pipe "soak-run -n 3 --warmup --out '$(out)' 2>&1 >/dev/null"
	[[ "${lines[0]}" == "iter   1  WARMUP "* ]]
	[[ "${lines[2]}" == "iter   3  WARMUP "* ]]
	[[ "${lines[3]}" == "verdict: FAIL (kpi_thresholds_v1; 3 iterations: "* ]]
	[[ "$output" == *"window incomplete: 3 of 8 iterations"* ]]
	run_pipe "soak-run -q -n 3 --out '$(out q)' 2>&1 >/dev/null"
	[ -z "$output" ]
}

@test "replay: a recorded log through --engine replay: reproduces its decisions" {
	soak-run -q -n 12 --warmup --preset maker_bias_uplift_v1 --seed 9 --out "$(out rec)" >/dev/null || true
	run soak-run -q -n 12 --warmup --preset maker_bias_uplift_v1 --engine "replay:$(out rec)/iterations.jsonl" --out "$(out rep)"
	cmp "$(out rec)/iterations.jsonl" "$(out rep)/iterations.jsonl"
	# the same verdict; its run object names the other engine
	cmp <(jq -c 'del(.run)' "$(out rec)/verdict.json") <(jq -c 'del(.run)' "$(out rep)/verdict.json")
	jq -e '.run.engine == "mock"' "$(out rec)/verdict.json"
	jq -e '.run.engine | startswith("replay:")' "$(out rep)/verdict.json"
}

@test "replay under a different warm-up shows what it would have decided" {
	soak-run -q -n 6 --warmup --seed 9 --out "$(out rec)" >/dev/null || true
	soak-run -q -n 6 --engine "replay:$(out rec)/iterations.jsonl" --out "$(out rep)" >/dev/null || true
	# same market KPIs, no warm-up sections, the gate in NORMAL mode
	[ "$(jq -c .summary "$(out rec)/iterations.jsonl" | head -1)" = "$(jq -c .summary "$(out rep)/iterations.jsonl" | head -1)" ]
	jq -se 'all(.gate.mode == "NORMAL") and all(has("warmup") | not)' "$(out rep)/iterations.jsonl"
}

@test "an external engine command is a stage like soak-mock" {
	soak-run -q -n 5 --seed 3 --out "$(out mock)" >/dev/null || true
	soak-run -q -n 5 --engine 'soak-mock --seed=3' --out "$(out cmd)" >/dev/null || true
	cmp "$(out mock)/iterations.jsonl" "$(out cmd)/iterations.jsonl"
	# an adapter written with jq: fixed KPIs for every iteration
	run soak-run -q -n 3 --engine "jq --unbuffered -c '.summary = {net_bps: 3.5, maker_taker_ratio: 0.9, p95_latency_ms: 250, risk_ratio: 0.2}'" --out "$(out jq)"
	jq -se 'length == 3 and all(.gate.status == "PASS")' "$(out jq)/iterations.jsonl"
}

@test "a stage that fails stops the loop with its message and a nonzero exit" {
	run timeout 20 soak-run -q -n 5 --engine 'exit 4' --out "$(out e4)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-run: stage 'engine' failed (exit 4)"* ]]
	# an engine that writes a bad record mid-run
	run timeout 20 soak-run -q -n 5 --engine "jq --unbuffered -c 'if .iteration == 3 then .summary = 1 else .summary = {net_bps: 3.5, maker_taker_ratio: 0.9, p95_latency_ms: 250, risk_ratio: 0.2} end'" --out "$(out)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"line 3: "* ]]
	[ "$(grep -c . "$(out)/iterations.jsonl")" -eq 2 ]
}

@test "a FAIL verdict is exit status 1" {
	run soak-run -q -n 4 --thresholds "$FIXTURES/soak-run-strict-thresholds.json" --out "$(out)"
	[ "$status" -eq 1 ]
	jq -e '.status == "FAIL"' <<<"$output"
	jq -e '.status == "FAIL"' "$(out)/verdict.json"
}

@test "--resume after kill -9 gives a byte-identical log" {
	soak-run -q -n 60 --warmup --seed 2 --out "$(out whole)" >/dev/null || true
	# the same market, slowed down so that the kill lands mid-run
	slow='while read -r l; do sleep 0.02; printf "%s\n" "$l"; done | soak-mock --seed=2'
	setsid soak-run -q -n 60 --warmup --engine "$slow" --out "$(out killed)" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		[ "$(cat "$(out killed)/iterations.jsonl" 2>/dev/null | wc -l)" -ge 5 ] && break
		sleep 0.05
	done
	kill -9 -- "-$pid"
	wait "$pid" || true
	done_before=$(grep -c . "$(out killed)/iterations.jsonl")
	[ "$done_before" -lt 60 ]
	# until the last stage of the killed ring is gone, it holds the lock
	for _ in $(seq 50); do
		run soak-run -q --resume --out "$(out killed)"
		[[ "$output" == *"is in use by a live run"* ]] || break
		sleep 0.1
	done
	[ "$status" -eq 0 ]
	cmp "$(out whole)/iterations.jsonl" "$(out killed)/iterations.jsonl"
	# the same verdict (the run object names the other engine command)
	cmp <(jq -c 'del(.run)' "$(out whole)/verdict.json") <(jq -c 'del(.run)' "$(out killed)/verdict.json")
}

@test "--resume drops a cut-off last line and runs that iteration again" {
	soak-run -q -n 6 --warmup --out "$(out whole)" >/dev/null || true
	mkdir -p "$(out cut)"
	cp "$(out whole)/run.args" "$(out whole)/run.json" "$(out cut)/"
	head -n 3 "$(out whole)/iterations.jsonl" > "$(out cut)/iterations.jsonl"
	sed -n 4p "$(out whole)/iterations.jsonl" | head -c 100 >> "$(out cut)/iterations.jsonl"
	run soak-run -q --resume --out "$(out cut)"
	[[ "$output" == *"dropped an incomplete last line"* ]]
	cmp "$(out whole)/iterations.jsonl" "$(out cut)/iterations.jsonl"
}

@test "--resume of a finished run changes nothing" {
	soak-run -q -n 4 --out "$(out)" >/dev/null || true
	cp "$(out)/iterations.jsonl" "$BATS_TEST_TMPDIR/before"
	soak-run -q --resume --out "$(out)" >/dev/null || true
	cmp "$BATS_TEST_TMPDIR/before" "$(out)/iterations.jsonl"
	run soak-run --resume --out "$BATS_TEST_TMPDIR/nothing-here"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--resume: no '$BATS_TEST_TMPDIR/nothing-here/run.args'"* ]]
}

@test "usage errors are exit 2 with a hint" {
	for args in "--iterations=0" "--iterations=x" "--seed=-1" "--bogus" "--engine=replay:" "--engine=replay:/nonexistent" "--warmup=1" "--out"; do
		run soak-run $args
		[ "$status" -eq 2 ] || { echo "$args: status $status"; return 1; }
		[[ "$output" == *"Try 'soak-run --help'"* ]] || { echo "$args: $output"; return 1; }
	done
}

@test "--set and --params change the baseline of iteration 1" {
	echo '{"tail_age_ms": 700}' > "$BATS_TEST_TMPDIR/p.json"
	soak-run -q -n 1 --params "$BATS_TEST_TMPDIR/p.json" --set min_interval_ms=70 --out "$(out)" >/dev/null || true
	jq -e '.params.tail_age_ms == 700 and .params.min_interval_ms == 70' "$(out)/iterations.jsonl"
}

@test "TERM to soak-run ends every stage of the ring at once" {
	slow='while read -r l; do sleep 0.05; printf "%s\n" "$l"; done | soak-mock'
	soak-run -q -n 200 --engine "$slow" --out "$(out)" >/dev/null 2>&1 &
	pid=$!
	sleep 1
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 143 ]
	n=$(wc -l < "$(out)/iterations.jsonl")
	sleep 0.5
	[ "$(wc -l < "$(out)/iterations.jsonl")" -eq "$n" ]
	[ "$n" -lt 200 ]
	[ ! -e "$(out)/verdict.json" ]
}

@test "--resume takes its options from run.args only" {
	soak-run -q -n 4 --out "$(out)" >/dev/null || true
	run soak-run -q --resume --seed 7 --out "$(out)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--resume takes the run's options from its run.args: give only --out and --quiet"* ]]
}

@test "a run that fails leaves no verdict of an earlier run behind" {
	soak-run -q -n 3 --out "$(out)" >/dev/null || true
	[ -s "$(out)/verdict.json" ]
	run soak-run -q -n 3 --engine 'exit 5' --force --out "$(out)"
	[ "$status" -eq 2 ]
	[ ! -e "$(out)/verdict.json" ]
}

@test "an engine may reorder the record's keys" {
	run soak-run -q -n 08 --engine 'soak-mock | jq -cS --unbuffered .' --out "$(out)"
	[ "$status" -le 1 ]
	[ "$(grep -c . "$(out)/iterations.jsonl")" -eq 8 ]
	jq -e '.iterations == 8' "$(out)/verdict.json"
}

# soak-run -n 8 --warmup --preset maker_bias_uplift_v1 --seed 1 is WARN
# (iterations 2 and 3 WARN, the window met); seed 22 is PASS.
@test "--fail-on=warn: a WARN verdict exits 1, PASS exits 0; verdict.json is the same JSON either way" {
	local common="-q -n 8 --warmup --preset maker_bias_uplift_v1"
	run soak-run $common --seed 1 --out "$(out warn)"
	[ "$status" -eq 0 ]
	jq -e '.status == "WARN"' "$(out warn)/verdict.json"
	run soak-run $common --seed 1 --fail-on=warn --out "$(out warn1)"
	[ "$status" -eq 1 ]
	jq -e '.status == "WARN"' <<<"$output"
	cmp <(jq -c 'del(.run.run_id)' "$(out warn)/verdict.json") <(jq -c 'del(.run.run_id)' "$(out warn1)/verdict.json")
	run soak-run $common --seed 22 --fail-on=warn --out "$(out pass)"
	[ "$status" -eq 0 ]
	jq -e '.status == "PASS"' <<<"$output"
	run soak-run $common --seed 1 --fail-on=error --out "$(out bad)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--fail-on': 'error' is not fail or warn"* ]]
	[ ! -e "$(out bad)" ]
}

@test "--format=junit: valid JUnit XML on stdout, a testcase per iteration and per window goal; verdict.json stays JSON" {
	run_pipe "soak-run -q -n 8 --warmup --preset maker_bias_uplift_v1 --seed 1 --fail-on=warn --format=junit --out '$(out)' > '$BATS_TEST_TMPDIR/soak.xml'"
	[ "$status" -eq 1 ]
	xmllint --noout --schema "$SOAK_SRCDIR/tests/schema/junit.xsd" "$BATS_TEST_TMPDIR/soak.xml"
	# 8 iterations + 4 window goals + the verdict
	[ "$(xmllint --xpath 'count(//testcase)' "$BATS_TEST_TMPDIR/soak.xml")" -eq 13 ]
	# --fail-on=warn: the WARN iterations (2 and 3) and the WARN verdict are failures
	[ "$(jq -sc '[.[] | select(.gate.status == "WARN") | .iteration]' "$(out)/iterations.jsonl")" = "[2,3]" ]
	[ "$(xmllint --xpath 'count(//testcase[failure])' "$BATS_TEST_TMPDIR/soak.xml")" -eq 3 ]
	jq -e '.status == "WARN" and .run.seed == 1' "$(out)/verdict.json"
	# the run object as properties run.KEY
	[ "$(xmllint --xpath 'string(//property[@name="run.run_id"]/@value)' "$BATS_TEST_TMPDIR/soak.xml")" = \
	  "$(jq -r .run_id "$(out)/run.json")" ]
	[ "$(xmllint --xpath 'string(//property[@name="run.preset"]/@value)' "$BATS_TEST_TMPDIR/soak.xml")" = maker_bias_uplift_v1 ]
	[ "$(xmllint --xpath 'string(//property[@name="run.seed"]/@value)' "$BATS_TEST_TMPDIR/soak.xml")" = 1 ]
	# the same rendering as kpi-gate's over the log
	cmp <(kpi-gate --summary --run="$(out)/run.json" --format=junit --fail-on=warn < "$(out)/iterations.jsonl" || true) "$BATS_TEST_TMPDIR/soak.xml"
	run soak-run -q -n 2 --format=yaml --out "$(out bad)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--format': 'yaml' is not json, text, junit, github or markdown"* ]]
}

@test "--format=github and --format=text on stdout; --format and --fail-on are kept in run.args and --resume uses them" {
	run soak-run -q -n 3 --format=github --out "$(out gh)"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "::error "* ]]
	[[ "$output" == *"maker_taker_ratio"* ]]
	[ "$(tr '\0' '\n' < "$(out gh)/run.args")" = "$(printf '%s\n' --iterations=3 --format=github)" ]
	jq -e '.args == ["--iterations=3", "--format=github"]' "$(out gh)/run.json"
	# a run stopped after iteration 2 (its log cut), resumed: the same format and exit
	head -n 2 "$(out gh)/iterations.jsonl" > "$BATS_TEST_TMPDIR/two" && cp "$BATS_TEST_TMPDIR/two" "$(out gh)/iterations.jsonl"
	run soak-run -q --resume --out "$(out gh)"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "::error "* ]]
	run soak-run -q -n 3 --format=text --out "$(out txt)"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "verdict: FAIL (kpi_thresholds_v1; 3 iterations: "* ]]
}

@test "verdict.json names its run: run id, version, seed, presets, thresholds, engine from run.json; no clock" {
	soak-run -q -n 8 --warmup --preset maker_bias_uplift_v1 --seed 2 --out "$(out a)" > "$BATS_TEST_TMPDIR/stdout"
	soak-run -q -n 8 --warmup --preset maker_bias_uplift_v1 --seed 2 --out "$(out b)" > /dev/null
	cmp "$(out a)/verdict.json" "$(out b)/verdict.json"
	cmp "$(out a)/verdict.json" "$BATS_TEST_TMPDIR/stdout"
	jq -e --slurpfile r "$(out a)/run.json" '.run == {run_id: $r[0].run_id, version: $r[0].soakkit,
		seed: 2, preset: "maker_bias_uplift_v1", warmup_preset: "warmup_conservative_v1",
		thresholds: "kpi_thresholds_v1", engine: "mock"}' "$(out a)/verdict.json"
	# the rest is kpi-gate --summary's object, unchanged
	cmp <(jq -c 'del(.run)' "$(out a)/verdict.json") <(kpi-gate --summary < "$(out a)/iterations.jsonl")
	# kpi-gate --run refuses what is not a run.json, and needs --summary
	run kpi-gate --summary --run="$(out a)/verdict.json" < "$(out a)/iterations.jsonl"
	[ "$status" -eq 2 ]
	[[ "$output" == *"is not a soak-run run.json (no 'run_id')"* ]]
	run kpi-gate --run="$(out a)/run.json" < "$(out a)/iterations.jsonl"
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--run' needs --summary"* ]]
}
