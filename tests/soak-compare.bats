#!/usr/bin/env bats
# soak-compare: exact and normal p-values worked out by hand, Hodges-Lehmann
# intervals, outcomes, verdicts and exit statuses, pairing, bad input.

load helpers

# A config on net_bps alone, one iteration a unit, so that each log is
# one number: the tests' statistics can be counted by hand.
net_only() { # net_only [TOLERANCE [MIN_UNITS]]
	printf '{"window":1,"min_units":%s,"kpis":[{"kpi":"net_bps","better":"higher","tolerance":%s,"critical":true}]}\n' \
		"${2:-1}" "${1:-0}" > "$BATS_TEST_TMPDIR/net.json"
}

# logs DIR SEED0 VALUE...: DIR/seed-N.jsonl for N = SEED0, SEED0+1, ...,
# each one iteration with summary.net_bps = VALUE.
logs() {
	local dir=$1 seed=$2
	shift 2
	mkdir -p "$dir"
	for v in "$@"; do
		printf '{"iteration":1,"summary":{"net_bps":%s,"seed":%s}}\n' "$v" "$seed" > "$dir/seed-$seed.jsonl"
		seed=$((seed + 1))
	done
}

compare_net() { # compare_net [OPTION]...: base against cand with net.json
	run soak-compare -C "$BATS_TEST_TMPDIR/net.json" -b "$BATS_TEST_TMPDIR/base" \
		-c "$BATS_TEST_TMPDIR/cand" "$@"
}

net_kpi='.kpis[0]'

@test "paired, n=4, every difference positive: W+ = 10, exact p = 2/16" {
	net_only
	logs "$BATS_TEST_TMPDIR/base" 1 1 2 3 4
	logs "$BATS_TEST_TMPDIR/cand" 1 1.1 2.3 3.6 4.4
	compare_net
	# |d| 0.1 0.3 0.6 0.4 rank 1 2 4 3, all positive: W+ = 10, the largest of
	# 2^4 = 16 sign patterns: P(W+ >= 10) = 1/16, two-sided 0.125.  The 95%
	# interval needs P(W+ = 0) = 1/16 <= 0.025: it is unbounded.
	[ "$status" -eq 4 ]
	assert_jq '.paired and .pairing == "paired by seed"'
	assert_jq "$net_kpi | .test == \"wilcoxon-signed-rank\" and .method == \"exact\" and .n == 4"
	assert_jq "$net_kpi | .statistic == 10 and .p_value == 0.125"
	assert_jq "$net_kpi | .difference.lo == null and .difference.hi == null and .outcome == \"inconclusive\""
	assert_jq "$net_kpi | .text | test(\"cannot give a 95% interval\")"
	assert_jq '.verdict == "INCONCLUSIVE"'
}

@test "paired, n=6: Hodges-Lehmann estimate and exact interval of the Walsh averages" {
	net_only
	logs "$BATS_TEST_TMPDIR/base" 1 0 0 0 0 0 0
	logs "$BATS_TEST_TMPDIR/cand" 1 0.1 0.2 0.3 0.4 0.5 0.6
	compare_net
	# d = 0.1 .. 0.6, all positive: W+ = 21, P = 1/64, p = 2/64 = 0.03125.
	# P(W+ <= 0) = 1/64 <= 0.025 < P(W+ <= 1) = 2/64: a = 1, the interval is
	# [smallest, largest] of the 21 Walsh averages = [0.1, 0.6]; they are
	# symmetric about 0.35, their median.
	[ "$status" -eq 0 ]
	assert_jq "$net_kpi | .statistic == 21 and .p_value == 0.03125"
	assert_jq "$net_kpi | .difference | .estimate == 0.35 and .lo == 0.1 and .hi == 0.6 and .confidence == 0.95"
	assert_jq "$net_kpi | .difference.mean == 0.35 and .outcome == \"better\""
	assert_jq '.verdict == "PASS" and .score == 100'
}

@test "paired, n=6, one negative difference: W+ = 18, p = 10/64" {
	net_only
	logs "$BATS_TEST_TMPDIR/base" 1 0 0 0 0 0 0
	logs "$BATS_TEST_TMPDIR/cand" 1 0.1 0.2 -0.3 0.4 0.5 0.6
	compare_net
	# W+ = 1+2+4+5+6 = 18; sign patterns with W+ >= 18 mirror those with
	# W+ <= 3: {}, {1}, {2}, {3}, {1,2}: 5 of 64; two-sided 10/64.
	assert_jq "$net_kpi | .statistic == 18 and .p_value == 0.15625"
	# the 21 Walsh averages run from -0.3 (d3 with itself) to 0.6, the 11th
	# is 0.3; the interval [-0.3, 0.6] reaches below the tolerance 0
	assert_jq "$net_kpi | .difference | .estimate == 0.3 and .lo == -0.3 and .hi == 0.6"
	assert_jq "$net_kpi | .outcome == \"inconclusive\""
	[ "$status" -eq 4 ]
}

@test "paired with a zero and ties: the zero dropped, exact distribution of mid-ranks" {
	net_only
	logs "$BATS_TEST_TMPDIR/base" 1 1 1 1 1 1
	logs "$BATS_TEST_TMPDIR/cand" 1 1 1.2 1.2 0.5 1.7
	compare_net
	# d = 0 0.2 0.2 -0.5 0.7; the 0 is dropped; |d| 0.2 0.2 0.5 0.7 have
	# mid-ranks 1.5 1.5 3 4; W+ = 1.5+1.5+4 = 7.  Of the 16 sign patterns
	# (doubled sums 0 3 3 6 6 8 9 9 11 11 12 14 14 17 17 20) five reach
	# 14 = 2*7 or more: p = 2*5/16 = 0.625.
	assert_jq "$net_kpi | .statistic == 7 and .p_value == 0.625 and .method == \"exact\""
}

@test "unpaired (other seeds), Mann-Whitney U exact: complete separation, and ties" {
	net_only
	logs "$BATS_TEST_TMPDIR/base" 1 1 2 3
	logs "$BATS_TEST_TMPDIR/cand" 11 4 5 6
	compare_net
	# U = 9 (every candidate above every baseline), 1 of C(6,3) = 20 splits:
	# two-sided p = 0.1
	assert_jq '.paired == false and (.pairing | test("^unpaired: seed 1 of the baseline is not a candidate"))'
	assert_jq "$net_kpi | .test == \"mann-whitney-u\" and .method == \"exact\" and .statistic == 9 and .p_value == 0.1"
	assert_jq "$net_kpi | .n == 6 and .baseline.n == 3 and .candidate.n == 3 and .baseline.median == 2"
	rm -r "$BATS_TEST_TMPDIR/cand"
	logs "$BATS_TEST_TMPDIR/cand" 11 3 4 5
	compare_net
	# pooled 1 2 3 3 4 5, mid-ranks 1 2 3.5 3.5 5 6: R = 3.5+5+6 = 14.5,
	# U = 14.5 - 6 = 8.5; splits with a rank sum >= 14.5: {3.5,5,6} twice,
	# 2 of 20: p = 0.2
	assert_jq "$net_kpi | .statistic == 8.5 and .p_value == 0.2"
}

@test "unpaired: the interval of the n*m differences, 4 logs a side at least for 95%" {
	net_only
	logs "$BATS_TEST_TMPDIR/base" 1 0 1 2 3
	logs "$BATS_TEST_TMPDIR/cand" 11 10 11 12 13
	compare_net
	# differences y - x: 7..13, the 16 of them symmetric about 10 (median).
	# P(U <= 0) = 1/C(8,4) = 1/70 <= 0.025 < P(U <= 1) = 2/70: a = 1, the
	# interval is [min, max] = [7, 13]
	assert_jq "$net_kpi | .difference | .estimate == 10 and .lo == 7 and .hi == 13"
	assert_jq "$net_kpi | .p_value == (2 / 70) and .outcome == \"better\""
}

@test "normal approximation above 50 observations, continuity-corrected" {
	net_only
	local base=() cand=() i
	for i in $(seq 1 60); do base+=(0); cand+=("$(awk -v i="$i" 'BEGIN { print i / 100 }')"); done
	logs "$BATS_TEST_TMPDIR/base" 1 "${base[@]}"
	logs "$BATS_TEST_TMPDIR/cand" 1 "${cand[@]}"
	compare_net
	# W+ = 1830, mean 60*61/4 = 915, variance 60*61*121/24 = 18452.5:
	# z = (915 - 0.5)/135.84 = 6.7322, p = erfc(z/sqrt 2) = 1.6713e-11
	assert_jq "$net_kpi | .method == \"normal\" and .statistic == 1830"
	assert_jq "$net_kpi | .p_value > 1.671e-11 and .p_value < 1.672e-11"
	rm -r "$BATS_TEST_TMPDIR/cand"
	logs "$BATS_TEST_TMPDIR/cand" 101 "${cand[@]}"
	compare_net
	# unpaired 60 against 60: U = 3600, mean 1800, variance 60*60*121/12 =
	# 36300 (no ties across the sides; the 60 baseline zeros tie among
	# themselves: 60^3 - 60 = 215940 over 120*119 lowers it to 35755.5)
	assert_jq "$net_kpi | .method == \"normal\" and .statistic == 3600"
	assert_jq "$net_kpi | .p_value > 0 and .p_value < 1e-15"
}

@test "outcomes against the tolerance: pass within it, worse beyond it (critical: FAIL)" {
	net_only 0.1
	logs "$BATS_TEST_TMPDIR/base" 1 4 4.2 4.4 4.1 4.3 4.5
	logs "$BATS_TEST_TMPDIR/cand" 1 3.95 4.15 4.35 4.05 4.25 4.45
	compare_net
	# every difference -0.05: interval [-0.05, -0.05], inside the tolerance
	[ "$status" -eq 0 ]
	assert_jq "$net_kpi | .difference.lo == -0.05 and .difference.hi == -0.05 and .outcome == \"pass\""
	assert_jq '.verdict == "PASS" and (.reasons[0] | test("no KPI is worse"))'
	rm -r "$BATS_TEST_TMPDIR/cand"
	logs "$BATS_TEST_TMPDIR/cand" 1 3.7 3.9 4.1 3.8 4 4.2
	compare_net
	# every difference -0.3: the whole interval beyond -0.1
	[ "$status" -eq 1 ]
	assert_jq "$net_kpi | .outcome == \"worse\" and .p_value == 0.03125"
	assert_jq '.verdict == "FAIL" and .score == 0 and (.reasons[0] | test("^net_bps mean \\(critical\\) worse: difference -0.3"))'
}

@test "identical logs on both sides: every interval [0, 0], PASS" {
	net_only
	logs "$BATS_TEST_TMPDIR/base" 1 1 2 3 4 5 6
	run soak-compare -C "$BATS_TEST_TMPDIR/net.json" -b "$BATS_TEST_TMPDIR/base" -c "$BATS_TEST_TMPDIR/base"
	[ "$status" -eq 0 ]
	assert_jq "$net_kpi | .p_value == 1 and .difference.lo == 0 and .difference.hi == 0 and .outcome == \"pass\""
}

@test "too few units: INCONCLUSIVE (exit 4), whatever the difference" {
	net_only 0 5
	logs "$BATS_TEST_TMPDIR/base" 1 1 2 3 4
	logs "$BATS_TEST_TMPDIR/cand" 1 9 9 9 9
	compare_net
	[ "$status" -eq 4 ]
	assert_jq "$net_kpi | .outcome == \"inconclusive\" and .p_value == null and (.text | test(\"too few units: 4 pairs, at least 5 needed\"))"
}

# A log of 8 iterations for the default config's four KPIs.
default_log() { # default_log FILE SEED NET RISK MAKER P95
	local i
	for i in 1 2 3 4 5 6 7 8; do
		printf '{"iteration":%d,"summary":{"net_bps":%s,"risk_ratio":%s,"maker_taker_ratio":%s,"p95_latency_ms":%s,"seed":%s}}\n' \
			"$i" "$3" "$4" "$5" "$6" "$2"
	done > "$1"
}

@test "default config: the score and the verdict levels (pass 100, marginal 75)" {
	mkdir -p "$BATS_TEST_TMPDIR/b" "$BATS_TEST_TMPDIR/c1" "$BATS_TEST_TMPDIR/c2"
	local s
	for s in 1 2 3 4 5 6; do
		default_log "$BATS_TEST_TMPDIR/b/seed-$s.jsonl" "$s" "4.$s" 0.2 0.9 "23$s"
		# maker share 0.05 lower: beyond its tolerance 0.02, not critical
		default_log "$BATS_TEST_TMPDIR/c1/seed-$s.jsonl" "$s" "4.$s" 0.2 0.85 "23$s"
		# and p95 latency 20 ms higher: beyond 10 ms
		default_log "$BATS_TEST_TMPDIR/c2/seed-$s.jsonl" "$s" "4.$s" 0.2 0.85 "25$s"
	done
	run soak-compare -b "$BATS_TEST_TMPDIR/b" -c "$BATS_TEST_TMPDIR/c1"
	[ "$status" -eq 4 ]
	assert_jq '.config == "compare_default" and .window == 8 and .score == 75 and .verdict == "INCONCLUSIVE"'
	assert_jq '[.kpis[].outcome] == ["pass", "pass", "worse", "pass"]'
	assert_jq '.reasons | length == 2 and (.[1] | test("score 75 is under the pass level 100"))'
	run soak-compare -b "$BATS_TEST_TMPDIR/b" -c "$BATS_TEST_TMPDIR/c2"
	[ "$status" -eq 1 ]
	assert_jq '.score == 50 and .verdict == "FAIL" and (.reasons[2] | test("score 50 is under the marginal level 75"))'
}

@test "INCONCLUSIVE with a non-critical KPI worse: ::warning lines, text, --fail-on=inconclusive exits 1" {
	mkdir -p "$BATS_TEST_TMPDIR/b" "$BATS_TEST_TMPDIR/c"
	local s
	for s in 1 2 3 4 5 6; do
		default_log "$BATS_TEST_TMPDIR/b/seed-$s.jsonl" "$s" "4.$s" 0.2 0.9 "23$s"
		# maker share 0.05 lower: beyond its tolerance 0.02, not critical: score 75
		default_log "$BATS_TEST_TMPDIR/c/seed-$s.jsonl" "$s" "4.$s" 0.2 0.85 "23$s"
	done
	run soak-compare -b "$BATS_TEST_TMPDIR/b" -c "$BATS_TEST_TMPDIR/c" --format=github
	[ "$status" -eq 4 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == "::warning title=KPI::maker_taker_ratio "*": worse (difference -0.05, "* ]]
	[[ "${lines[1]}" == "::warning title=verdict::INCONCLUSIVE (score 75): "* ]]
	run soak-compare -b "$BATS_TEST_TMPDIR/b" -c "$BATS_TEST_TMPDIR/c" --format=github \
		--fail-on=inconclusive
	[ "$status" -eq 1 ]
	run soak-compare -b "$BATS_TEST_TMPDIR/b" -c "$BATS_TEST_TMPDIR/c" --format=text --fail-on=fail
	[ "$status" -eq 4 ]
	# four KPIs and the verdict
	[ "${#lines[@]}" -eq 5 ]
	[[ "${lines[2]}" == "maker_taker_ratio "*": worse: difference -0.05, 95% interval"* ]]
	[ "$(grep -c ': pass: difference' <<< "$output")" -eq 3 ]
	[[ "${lines[4]}" == "verdict: INCONCLUSIVE (score 75): "*"score 75 is under the pass level 100" ]]
	run soak-compare -b "$BATS_TEST_TMPDIR/b" -c "$BATS_TEST_TMPDIR/c" --fail-on=inconclusive
	[ "$status" -eq 1 ]
	assert_jq '.verdict == "INCONCLUSIVE"'
}

@test "--format markdown: the table and the verdict's reasons" {
	net_only 0.1
	logs "$BATS_TEST_TMPDIR/base" 1 0 0 0 0 0 0
	logs "$BATS_TEST_TMPDIR/cand" 1 -0.3 -0.3 -0.3 -0.3 -0.3 -0.3
	compare_net -f markdown
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "## Comparison: FAIL (score 0)" ]
	[[ "$output" == *"paired by seed; Wilcoxon signed-rank test"* ]]
	[[ "$output" == *"| net_bps mean (critical) | higher | 0 | -0.3 | -0.3 | [-0.3, -0.3] | 0.1 | 0.0313 | exact | ❌ worse |"* ]]
	[[ "$output" == *"### Verdict: FAIL"* ]]
}

@test "--format text, junit, github on a critical KPI worse: FAIL (exit 1)" {
	command -v xmllint >/dev/null || skip "xmllint not installed (Debian: libxml2-utils)"
	net_only 0.1
	logs "$BATS_TEST_TMPDIR/base" 1 0 0 0 0 0 0
	logs "$BATS_TEST_TMPDIR/cand" 1 -0.3 -0.3 -0.3 -0.3 -0.3 -0.3
	# every difference -0.3: interval [-0.3, -0.3] beyond the tolerance 0.1;
	# W+ = 0 of 6 pairs: p = 2/64 = 0.03125, printed 0.0313
	compare_net --format=text
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "net_bps mean (critical): worse: difference -0.3, 95% interval [-0.3, -0.3], tolerance 0.1, p 0.0313" ]
	[[ "${lines[1]}" == "verdict: FAIL (score 0): net_bps mean (critical) worse: "* ]]
	compare_net --format=junit
	[ "$status" -eq 1 ]
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/c.xml"
	xmllint --noout --schema "$SOAK_SRCDIR/tests/schema/junit.xsd" "$BATS_TEST_TMPDIR/c.xml"
	[ "$(xmllint --xpath 'string(/testsuite/@tests)' "$BATS_TEST_TMPDIR/c.xml")" = 2 ]
	[ "$(xmllint --xpath 'string(/testsuite/@failures)' "$BATS_TEST_TMPDIR/c.xml")" = 2 ]
	[ "$(xmllint --xpath 'string(//testcase[1]/@classname)' "$BATS_TEST_TMPDIR/c.xml")" = soak-compare ]
	[ "$(xmllint --xpath 'string(//testcase[1]/@name)' "$BATS_TEST_TMPDIR/c.xml")" = "net_bps mean" ]
	[ "$(xmllint --xpath 'string(//testcase[1]/failure/@message)' "$BATS_TEST_TMPDIR/c.xml")" = \
		"difference -0.3, 95% interval [-0.3, -0.3], tolerance 0.1, p 0.0313" ]
	[ "$(xmllint --xpath 'string(//testcase[2]/@name)' "$BATS_TEST_TMPDIR/c.xml")" = verdict ]
	[ "$(xmllint --xpath 'string(//testcase[2]/failure/@type)' "$BATS_TEST_TMPDIR/c.xml")" = FAIL ]
	compare_net --format=github
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 2 ]
	# % is %25 in workflow command data
	[ "${lines[0]}" = "::error title=KPI::net_bps mean: worse (difference -0.3, 95%25 interval [-0.3, -0.3], tolerance 0.1, p 0.0313)" ]
	[[ "${lines[1]}" == "::error title=verdict::FAIL (score 0): "* ]]
	run grep -c '95%25' <<< "$output"
	[ "$output" -eq 2 ]
}

@test "--format junit and github on a PASS: no failure, a notice; bad --format and --fail-on exit 2" {
	command -v xmllint >/dev/null || skip "xmllint not installed (Debian: libxml2-utils)"
	net_only
	logs "$BATS_TEST_TMPDIR/base" 1 1 2 3 4 5 6
	run soak-compare -C "$BATS_TEST_TMPDIR/net.json" -b "$BATS_TEST_TMPDIR/base" \
		-c "$BATS_TEST_TMPDIR/base" -f junit
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/p.xml"
	xmllint --noout --schema "$SOAK_SRCDIR/tests/schema/junit.xsd" "$BATS_TEST_TMPDIR/p.xml"
	[ "$(xmllint --xpath 'count(//failure)' "$BATS_TEST_TMPDIR/p.xml")" = 0 ]
	[ "$(xmllint --xpath 'count(//testcase)' "$BATS_TEST_TMPDIR/p.xml")" = 2 ]
	run soak-compare -C "$BATS_TEST_TMPDIR/net.json" -b "$BATS_TEST_TMPDIR/base" \
		-c "$BATS_TEST_TMPDIR/base" --format=github --fail-on=inconclusive
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == "::notice title=verdict::PASS (score 100)"* ]]
	run soak-compare -C "$BATS_TEST_TMPDIR/net.json" -b "$BATS_TEST_TMPDIR/base" \
		-c "$BATS_TEST_TMPDIR/base" --format=xml
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--format': 'xml' is not json, markdown, text, junit or github"* ]]
	run soak-compare -C "$BATS_TEST_TMPDIR/net.json" -b "$BATS_TEST_TMPDIR/base" \
		-c "$BATS_TEST_TMPDIR/base" --fail-on=warn
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--fail-on': 'warn' is not fail or inconclusive"* ]]
}

@test "--pairing: order pairs the i-th logs, none is unpaired, seed insists" {
	net_only
	logs "$BATS_TEST_TMPDIR/base" 1 0 0 0 0 0 0
	logs "$BATS_TEST_TMPDIR/cand" 101 1 2 3 4 5 6
	compare_net --pairing=order
	assert_jq '.paired and .pairing == "paired in the order given (--pairing=order)" and .kpis[0].statistic == 21'
	compare_net --pairing=none
	assert_jq '.paired == false and .kpis[0].test == "mann-whitney-u"'
	compare_net --pairing=seed
	[ "$status" -eq 2 ]
	[[ "$output" == *"--pairing=seed: seed 1 of the baseline is not a candidate's"* ]]
	run soak-compare -C "$BATS_TEST_TMPDIR/net.json" --pairing=order -b "$BATS_TEST_TMPDIR/base" \
		-c "$BATS_TEST_TMPDIR/cand/seed-101.jsonl"
	[ "$status" -eq 2 ]
	[[ "$output" == *"6 baseline logs against 1 candidate logs"* ]]
}

@test "operands join the side before them; a DIR is its seed-N.jsonl in order of N" {
	net_only
	logs "$BATS_TEST_TMPDIR/base" 9 5 6
	logs "$BATS_TEST_TMPDIR/base" 10 7
	run soak-compare -C "$BATS_TEST_TMPDIR/net.json" -b "$BATS_TEST_TMPDIR/base/seed-9.jsonl" \
		"$BATS_TEST_TMPDIR/base/seed-10.jsonl" -c "$BATS_TEST_TMPDIR/base"
	# the directory: seed-9 before seed-10 (numeric order), so pairs match
	assert_jq '.paired and .baseline.logs == 2 and .candidate.logs == 2 and (.baseline.label | endswith("seed-9.jsonl (+1 more)"))'
	run soak-compare -C "$BATS_TEST_TMPDIR/net.json" "$BATS_TEST_TMPDIR/base"
	[ "$status" -eq 2 ]
	[[ "$output" == *"give --baseline or --candidate before a log"* ]]
}

@test "a DIR's names of one seed (seed-1, seed-01, ...) in order of name, whatever readdir gives" {
	net_only
	# the same four names written in opposite orders into two directories:
	# readdir returns them in an order of the file system's (creation or
	# hash), so only a tie-break on the name gives one order for both.
	# strcmp order: seed-0001 < seed-001 < seed-01 < seed-1; net_bps 1 10 100 1000
	local n v
	mkdir "$BATS_TEST_TMPDIR/up" "$BATS_TEST_TMPDIR/down"
	for n in 0001:1 001:10 01:100 1:1000; do
		printf '{"iteration":1,"summary":{"net_bps":%s,"seed":1}}\n' "${n#*:}" > "$BATS_TEST_TMPDIR/up/seed-${n%:*}.jsonl"
	done
	for n in 1:1000 01:100 001:10 0001:1; do
		printf '{"iteration":1,"summary":{"net_bps":%s,"seed":1}}\n' "${n#*:}" > "$BATS_TEST_TMPDIR/down/seed-${n%:*}.jsonl"
	done
	for dir in up down; do
		run soak-compare -C "$BATS_TEST_TMPDIR/net.json" --pairing=order \
			-b "$BATS_TEST_TMPDIR/up/seed-0001.jsonl" "$BATS_TEST_TMPDIR/up/seed-001.jsonl" \
			"$BATS_TEST_TMPDIR/up/seed-01.jsonl" "$BATS_TEST_TMPDIR/up/seed-1.jsonl" \
			-c "$BATS_TEST_TMPDIR/$dir"
		# in name order every pair is equal: every difference 0 and dropped,
		# W+ = 0; any other order has a positive difference (they sum to 0)
		assert_jq ".candidate.logs == 4 and $net_kpi.statistic == 0 and $net_kpi.p_value == 1"
	done
}

@test "bad input: exit 2 naming the file and line; short logs; seeds that change" {
	net_only
	logs "$BATS_TEST_TMPDIR/base" 1 1 2
	printf '{"iteration":1,"summary":{"net_bps":"x"}}\n' > "$BATS_TEST_TMPDIR/bad.jsonl"
	run soak-compare -C "$BATS_TEST_TMPDIR/net.json" -b "$BATS_TEST_TMPDIR/base" -c "$BATS_TEST_TMPDIR/bad.jsonl"
	[ "$status" -eq 2 ]
	[[ "$output" == "soak-compare: $BATS_TEST_TMPDIR/bad.jsonl: line 1: 'summary.net_bps' is a string, not a number" ]]
	printf '{"iteration":1,"summary":{"net_bps":1,"seed":1}}\n{"iteration":2,"summary":{"net_bps":1,"seed":2}}\n' > "$BATS_TEST_TMPDIR/two.jsonl"
	run soak-compare -C "$BATS_TEST_TMPDIR/net.json" -b "$BATS_TEST_TMPDIR/base" -c "$BATS_TEST_TMPDIR/two.jsonl"
	[ "$status" -eq 2 ]
	[[ "$output" == *"two.jsonl: line 2: 'summary.seed' is 2, not 1 as in the lines before" ]]
	run soak-compare -C "$BATS_TEST_TMPDIR/net.json" --last 3 -b "$BATS_TEST_TMPDIR/base" -c "$BATS_TEST_TMPDIR/two.jsonl"
	[ "$status" -eq 2 ]
	[[ "$output" == *"seed-1.jsonl: 1 iteration, fewer than the window of 3" ]]
	run soak-compare -b "$BATS_TEST_TMPDIR/nope.jsonl" -c "$BATS_TEST_TMPDIR/base"
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot open '$BATS_TEST_TMPDIR/nope.jsonl'"* ]]
	run soak-compare -b "$BATS_TEST_TMPDIR/base"
	[ "$status" -eq 2 ]
	run soak-compare --pairing=maybe -b "$BATS_TEST_TMPDIR/base" -c "$BATS_TEST_TMPDIR/base"
	[ "$status" -eq 2 ]
}

@test "bad configs: exit 2 naming the problem" {
	logs "$BATS_TEST_TMPDIR/base" 1 1 2
	local cfg="$BATS_TEST_TMPDIR/c.json" bad
	while IFS='|' read -r bad message; do
		printf '%s\n' "$bad" > "$cfg"
		run soak-compare -C "$cfg" -b "$BATS_TEST_TMPDIR/base" -c "$BATS_TEST_TMPDIR/base"
		[ "$status" -eq 2 ] || { echo "accepted: $bad"; return 1; }
		[[ "$output" == *"$message"* ]] || { echo "for $bad: $output"; return 1; }
	done <<'EOF'
{"kpis":[]}|'kpis' must be a non-empty array
{"kpis":[{"kpi":"pnl","better":"higher","tolerance":0}]}|unknown KPI 'pnl'
{"kpis":[{"kpi":"net_bps","better":"up","tolerance":0}]}|'up' is not higher or lower
{"kpis":[{"kpi":"net_bps","better":"higher","tolerance":-1}]}|must not be negative
{"kpis":[{"kpi":"net_bps","better":"higher"}]}|missing field 'kpis[0].tolerance'
{"kpis":[{"kpi":"net_bps","better":"higher","tolerance":0,"stat":"p99"}]}|'p99' is not mean, median, min or max
{"kpis":[{"kpi":"net_bps","better":"higher","tolerance":0},{"kpi":"net_bps","better":"lower","tolerance":1}]}|net_bps mean is already kpis[0]
{"confidence":1,"kpis":[{"kpi":"net_bps","better":"higher","tolerance":0}]}|'confidence' must be a number from 0.5 to 0.9999
{"score":{"pass":50,"marginal":60},"kpis":[{"kpi":"net_bps","better":"higher","tolerance":0}]}|'score.marginal' is above 'score.pass'
{"window":0,"kpis":[{"kpi":"net_bps","better":"higher","tolerance":0}]}|'window' must be a whole number
{"kpis":[{"kpi":"net_bps","better":"higher","tolerance":0,"critcal":true}]}|unknown member 'critcal'
EOF
}

@test "deterministic output; a failed write is exit 3" {
	net_only
	logs "$BATS_TEST_TMPDIR/base" 1 1 2 3 4 5 6
	logs "$BATS_TEST_TMPDIR/cand" 1 2 2 4 4 6 6
	compare_net
	local first=$output
	compare_net
	[ "$output" = "$first" ]
	run bash -c 'soak-compare -C "$1/net.json" -b "$1/base" -c "$1/cand" > /dev/full' _ "$BATS_TEST_TMPDIR"
	[ "$status" -eq 3 ]
	[[ "$output" == *"write error"* ]]
}

@test "real soaks: the same seeds pair, and a preset against itself passes" {
	local s
	for s in 1 2 3 4 5 6; do
		soak-run -q -n 10 -s "$s" -o "$BATS_TEST_TMPDIR/r$s" > /dev/null || true
		cp "$BATS_TEST_TMPDIR/r$s/iterations.jsonl" "$BATS_TEST_TMPDIR/seed-$s.jsonl"
	done
	run soak-compare -b "$BATS_TEST_TMPDIR"/seed-*.jsonl -c "$BATS_TEST_TMPDIR"/seed-*.jsonl
	[ "$status" -eq 0 ]
	assert_jq '.paired and .verdict == "PASS" and ([.kpis[].p_value] | all(. == 1))'
}
