#!/usr/bin/env bats
# soak-report --plot: what the picture shows, read back from the SVG that
# gnuplot writes for a name ending in .svg.
load helpers

needs_tools() {
	command -v gnuplot >/dev/null || skip "gnuplot not installed (Debian: gnuplot-nox)"
	command -v xmllint >/dev/null || skip "xmllint not installed (Debian: libxml2-utils)"
}

# texts SVG: every <text> of the SVG, one a line, blanks trimmed.
texts() {
	xmllint --xpath '//*[local-name()="text"]/text()' "$1" |
		sed 's/^ *//; s/ *$//; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g'
}

setup() {
	needs_tools
	cd "$BATS_TEST_TMPDIR"
}

@test "--plot NAME.svg writes SVG, other names PNG" {
	soak-run -q -n 10 --warmup --preset maker_bias_uplift_v1 --out run > /dev/null
	run_pipe 'soak-report --plot k.svg < run/iterations.jsonl > /dev/null'
	[ "$status" -eq 0 ]
	run xmllint --noout k.svg
	[ "$status" -eq 0 ]
	grep -q '<svg' k.svg
	run_pipe 'soak-report --plot k.png < run/iterations.jsonl > /dev/null'
	[ "$status" -eq 0 ]
	[ "$(head -c 4 k.png | od -An -c | tr -d ' ')" = '211PNG' ]
}

@test "--plot: title with preset, seed, iterations, verdict and run id from --run; never stdin" {
	soak-run -q -n 24 --warmup --seed 3 --preset maker_bias_uplift_v1 --out run > /dev/null
	printf '%s\n' '{"run_id":"0123456789abcdef","seed":3,"preset":"maker_bias_uplift_v1"}' > run.json
	soak-report --plot k.svg --run run.json < run/iterations.jsonl > /dev/null
	verdict=$(soak-report < run/iterations.jsonl | jq -r .verdict.status)
	[ "$(texts k.svg | head -1)" = "soak-report: preset maker_bias_uplift_v1, seed 3, 24 iterations (1-24), verdict $verdict, thresholds kpi_thresholds_v1, run 0123456789abcdef" ]
	# without run.json: the seed soak-mock wrote in summary.seed, the preset unknown
	soak-report --plot k2.svg < run/iterations.jsonl > /dev/null
	[ "$(texts k2.svg | head -1)" = "soak-report: preset ?, seed 3, 24 iterations (1-24), verdict $verdict, thresholds kpi_thresholds_v1" ]
	! grep -q stdin k.svg k2.svg
}

@test "--plot: axes labelled with units; thresholds, marks and phases in the key of every panel" {
	soak-run -q -n 24 --warmup --preset maker_bias_uplift_v1 --out run > /dev/null
	soak-report --plot k.svg < run/iterations.jsonl > /dev/null
	texts k.svg > t
	for label in "maker_taker_ratio (ratio)" "net_bps (bps)" "p95_latency_ms (ms)" "risk_ratio (ratio)" \
		"FAIL if < 0.75" "WARN if < 0.83" "FAIL if < 2" "WARN if < 2.8" "FAIL if > 400" "WARN if > 340" \
		"FAIL if > 0.5" "WARN if > 0.4"; do
		[ "$(grep -cxF "$label" t)" -eq 1 ] || { echo "missing: $label"; false; }
	done
	for label in iteration "FAIL iteration" "WARN iteration" WARMUP RAMPDOWN "last 8"; do
		[ "$(grep -cxF "$label" t)" -eq 4 ] || { echo "not in 4 panels: $label"; false; }
	done
}

@test "--plot: WARMUP and RAMPDOWN shaded in each panel, nothing shaded without warm-up" {
	soak-run -q -n 12 --warmup --preset maker_bias_uplift_v1 --out warm > /dev/null
	soak-run -q -n 12 --preset maker_bias_uplift_v1 --out cold > /dev/null || [ $? -eq 1 ]
	soak-report --plot warm.svg < warm/iterations.jsonl > /dev/null || [ $? -eq 1 ]
	soak-report --plot cold.svg < cold/iterations.jsonl > /dev/null || [ $? -eq 1 ]
	# per panel one rectangle per phase span, WARMUP (1-4) and RAMPDOWN
	# (5-6), and the phase's box in the key: 4 * 2 each; without warm-up
	# only the 4 boxes of the key
	[ "$(grep -o "<polygon fill = 'rgb(244, 162,  97)' fill-opacity" warm.svg | wc -l)" -eq 8 ]
	[ "$(grep -o "<polygon fill = 'rgb(233, 196, 106)' fill-opacity" warm.svg | wc -l)" -eq 8 ]
	[ "$(grep -o "<polygon fill = 'rgb(244, 162,  97)' fill-opacity" cold.svg | wc -l)" -eq 4 ]
}

@test "--plot: a mark on every FAIL and WARN iteration, in each panel" {
	# without warm-up and without the tuner (which cuts the cold start short),
	# 24 iterations: 3 FAIL and 1 WARN (kpi-gate --summary counts them); each
	# panel marks them and shows one mark in its key
	soak-run -q -n 24 --rules none --preset maker_bias_uplift_v1 --out run > /dev/null || [ $? -eq 1 ]
	counts=$(kpi-gate --summary < run/iterations.jsonl | jq -c .counts) || [ $? -eq 1 ]
	fails=$(jq .FAIL <<<"$counts") warns=$(jq .WARN <<<"$counts")
	[ "$fails" -gt 0 ] && [ "$warns" -gt 0 ]
	soak-report --plot k.svg < run/iterations.jsonl > /dev/null || [ $? -eq 1 ]
	[ "$(grep -c "<use xlink:href='#gpPt4' transform='translate([^)]*) scale(4.50)' color='rgb(192,  57,  43)'" k.svg)" -eq $(( (fails + 1) * 4 )) ]
	[ "$(grep -c "<use xlink:href='#gpPt8' transform='translate([^)]*) scale(4.50)' color='rgb(230, 159,   0)'" k.svg)" -eq $(( (warns + 1) * 4 )) ]
}

@test "--plot: the x-axis fits the run: a 200-iteration run has ticks 50 to 200, not -50 to 250" {
	soak-run -q -n 200 --warmup --preset maker_bias_uplift_v1 --out run > /dev/null
	soak-report --plot k.svg < run/iterations.jsonl > /dev/null
	# the maker_taker_ratio panel (texts up to its title) has y ticks of at
	# most 1.1; its numbers above 2 are the x ticks
	ticks=$(texts k.svg | sed '/^maker_taker_ratio$/q' | grep -E '^-?[0-9.]+$' |
		awk '$1 > 2 || $1 < -2' | tr '\n' ' ')
	[ "$ticks" = "50 100 150 200 " ]
}

@test "--plot with --baseline draws the baseline's points too" {
	soak-run -q -n 12 --warmup --preset maker_bias_uplift_v1 --out run > /dev/null
	soak-run -q -n 12 --preset maker_bias_uplift_v1 --out base > /dev/null || [ $? -eq 1 ]
	soak-report -b base/iterations.jsonl --plot k.svg < run/iterations.jsonl > /dev/null
	[ "$(texts k.svg | grep -cxF 'baseline base/iterations.jsonl')" -eq 4 ]
	# 12 points of each log in each of the 4 panels
	[ "$(grep -c "<use xlink:href='#gpPt5' transform='translate([^)]*) scale(1.88)' color='rgb(127, 127, 127)'" k.svg)" -ge 48 ]
	soak-report --plot k2.svg < run/iterations.jsonl > /dev/null
	! texts k2.svg | grep -q baseline
}

@test "--run with markdown and without --plot is a usage error; a bad run.json is bad input" {
	soak-run -q -n 2 --out run > /dev/null || [ $? -eq 1 ]
	run_pipe 'soak-report --run run/run.json --format=markdown < run/iterations.jsonl'
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--run' has no effect with --format=markdown without --plot"* ]]
	run_pipe 'soak-report --run run/verdict.json < run/iterations.jsonl'
	[ "$status" -eq 2 ]
	[[ "$output" == *"is not a soak-run run.json (no 'run_id')"* ]]
	echo '[1' > bad.json
	run_pipe 'soak-report --run bad.json --plot k.svg < run/iterations.jsonl'
	[ "$status" -eq 2 ]
	[[ "$output" == *"--run: "* ]]
}

@test "--run: the JSON report gets the run object, every Prometheus sample the labels run_id, seed and preset" {
	# seed 1 (the default); its verdict is WARN, so soak-report exits 0
	soak-run -q -n 10 --warmup --preset maker_bias_uplift_v1 --out run > /dev/null
	soak-report --run run/run.json < run/iterations.jsonl > r.json
	jq -e --slurpfile r run/run.json '.run == {run_id: $r[0].run_id, version: $r[0].soakkit, seed: 1,
		preset: "maker_bias_uplift_v1", warmup_preset: "warmup_conservative_v1",
		thresholds: "kpi_thresholds_v1", engine: "mock"}' r.json
	# the rest of the report is the same as without --run
	cmp <(jq -c 'del(.run)' r.json) <(soak-report < run/iterations.jsonl)
	soak-report --run run/run.json --format=prometheus < run/iterations.jsonl > r.prom
	id=$(jq -r .run_id run/run.json)
	[ "$(grep -vc '^#' r.prom)" -gt 10 ]
	[ "$(grep -v '^#' r.prom | grep -Evc "[{,]run_id=\"$id\",seed=\"1\",preset=\"maker_bias_uplift_v1\"} ")" -eq 0 ]
	# without --run: no run labels
	! soak-report --format=prometheus < run/iterations.jsonl | grep -q run_id
}
