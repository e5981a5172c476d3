#!/usr/bin/env bats
# kpi-gate --summary --format=json|text|junit|github|markdown and --fail-on:
# the verdict in the forms CI pipelines read (lib/report/verdict-format.c).
load helpers

# The legacy 24-iteration log: 17 PASS, 2 WARN (6, 7), 5 FAIL (1-5), window
# PASS (4 goals met).  JUnit: 24 iteration testcases + 4 window goals + 1
# verdict = 29; failures: 5 FAIL iterations + the FAIL verdict = 6; with
# --fail-on=warn the 2 WARN iterations fail too: 8.
LOG="$FIXTURES/kpi-gate-legacy-24.jsonl"
XSD="$SOAK_SRCDIR/tests/schema/junit.xsd"

needs_xmllint() {
	command -v xmllint >/dev/null || skip "xmllint not installed (Debian: libxml2-utils)"
}

# xpath EXPR FILE: the XPath value (count(), string()) in the XML file.
xpath() {
	xmllint --xpath "$1" "$2"
}

# warn_log: 8 iterations, all PASS but iteration 4 (maker_taker_ratio 0.8,
# WARN under 0.83); the window mean (7 * 0.9 + 0.8) / 8 = 0.8875 >= 0.83,
# so the verdict is WARN: "1 of 8 iterations WARN".
warn_log() {
	local i mt
	for i in 1 2 3 4 5 6 7 8; do
		mt=0.9; [ $i -eq 4 ] && mt=0.8
		record $i "$(printf '"summary":{"maker_taker_ratio":%s,"net_bps":3,"p95_latency_ms":300,"risk_ratio":0.3}' $mt)"
	done
}
export -f warn_log

@test "--format=junit is valid against the JUnit schema, a testcase per iteration and window goal" {
	needs_xmllint
	run_pipe "kpi-gate --summary --format=junit < '$LOG' > '$BATS_TEST_TMPDIR/j.xml'"
	[ "$status" -eq 1 ]
	run xmllint --noout --schema "$XSD" "$BATS_TEST_TMPDIR/j.xml"
	[ "$status" -eq 0 ]
	x=$BATS_TEST_TMPDIR/j.xml
	[ "$(xpath 'string(/testsuites/@tests)' "$x")" = 29 ]
	[ "$(xpath 'string(/testsuites/@failures)' "$x")" = 6 ]
	[ "$(xpath 'count(//testcase[@classname="soak.iterations"])' "$x")" = 24 ]
	[ "$(xpath 'count(//testcase[@classname="soak.window"])' "$x")" = 4 ]
	[ "$(xpath 'count(//testcase[@classname="soak.iterations"][failure])' "$x")" = 5 ]
	[ "$(xpath 'count(//testcase[failure])' "$x")" = "$(xpath 'string(/testsuites/@failures)' "$x")" ]
	# iteration 1 breaks two FAIL rules: two failures, KPI, value and threshold in each
	[ "$(xpath 'string(//testcase[@name="iteration 1"]/failure[2]/@message)' "$x")" = "net_bps -1.5 < 2 (FAIL) by 3.5" ]
	[ "$(xpath 'string(//testcase[@name="iteration 6"]/system-out)' "$x")" = "WARN: maker_taker_ratio 0.75 < 0.83 (WARN) by 0.08" ]
	[ "$(xpath 'string(//testcase[@name="net_bps mean >= 2.8"]/@classname)' "$x")" = soak.window ]
	[ "$(xpath 'string(//property[@name="status"]/@value)' "$x")" = FAIL ]
}

@test "--fail-on=warn: WARN iterations become failures, and a WARN verdict exits 1" {
	needs_xmllint
	run_pipe "kpi-gate --summary --format=junit --fail-on=warn < '$LOG' > '$BATS_TEST_TMPDIR/j.xml'"
	[ "$status" -eq 1 ]
	[ "$(xpath 'string(/testsuites/@failures)' "$BATS_TEST_TMPDIR/j.xml")" = 8 ]
	run_pipe 'warn_log | kpi-gate --summary'
	[ "$status" -eq 0 ]
	assert_jq '.status == "WARN" and .counts.WARN == 1'
	run_pipe 'warn_log | kpi-gate --summary --fail-on=fail'
	[ "$status" -eq 0 ]
	run_pipe 'warn_log | kpi-gate --summary --fail-on=warn'
	[ "$status" -eq 1 ]
	assert_jq '.status == "WARN"'
	run_pipe 'warn_log | kpi-gate --summary --format=github --fail-on=warn'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "::error title=maker_taker_ratio (soak iteration 4)::maker_taker_ratio 0.8 < 0.83 (WARN) by 0.03" ]
}


@test "--format=junit escapes what it quotes: a thresholds file named with XML specials" {
	needs_xmllint
	name="$BATS_TEST_TMPDIR/t<&\"']]>.json"
	cp "$SOAK_SRCDIR/presets/kpi_thresholds_v1.json" "$name"
	kpi-gate --summary --format=junit --thresholds "$name" < "$LOG" > "$BATS_TEST_TMPDIR/j.xml" || [ $? -eq 1 ]
	run xmllint --noout --schema "$XSD" "$BATS_TEST_TMPDIR/j.xml"
	[ "$status" -eq 0 ]
	# the thresholds' name is the file name without .json
	[ "$(xpath 'string(//property[@name="thresholds"]/@value)' "$BATS_TEST_TMPDIR/j.xml")" = "t<&\"']]>" ]
}

@test "--format=github: an ::error per FAIL reason, a ::warning per WARN, then the verdict" {
	run_pipe "kpi-gate --summary --format=github < '$LOG'"
	[ "$status" -eq 1 ]
	# 5 FAIL iterations, 9 FAIL reasons; 3 WARN reasons (5, 6, 7); then the
	# verdict line and its 2 reasons
	[ "$(grep -c '^::error title=[a-z_0-9]* (soak iteration [0-9]*)::' <<<"$output")" -eq 9 ]
	[ "$(grep -c '^::warning title=[a-z_0-9]* (soak iteration [0-9]*)::' <<<"$output")" -eq 3 ]
	[ "${lines[1]}" = "::error title=net_bps (soak iteration 1)::net_bps -1.5 < 2 (FAIL) by 3.5" ]
	[ "${lines[12]}" = "::error title=soak verdict FAIL::FAIL (kpi_thresholds_v1; 24 iterations: 17 PASS, 2 WARN, 5 FAIL)" ]
	[ "${#lines[@]}" -eq 15 ]
}

@test "--format=github escapes % and newlines in messages; a reason without a KPI has the verdict's title" {
	name="$BATS_TEST_TMPDIR/t%x"$'\n''y.json'
	cp "$SOAK_SRCDIR/presets/kpi_thresholds_v1.json" "$name"
	run kpi-gate --summary --format=github --thresholds "$name" < "$LOG"
	[ "$status" -eq 1 ]
	[[ "$output" == *"::FAIL (t%25x%0Ay; 24 iterations"* ]]
	run_pipe "warn_log | kpi-gate --summary --format=github --window 9"
	# window of 9 over 8 iterations: incomplete, a FAIL without a KPI
	[[ "$output" == *"::error title=soak verdict FAIL::window incomplete: 8 of 9 iterations"* ]]
}

@test "--format=markdown: a job summary with the reasons, the window goals and the failed iterations" {
	run_pipe "kpi-gate --summary --format=markdown < '$LOG'"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "## Soak verdict: FAIL" ]
	[[ "$output" == *"| FAIL | 5 of 24 iterations FAIL, the first at iteration 1 |"* ]]
	[[ "$output" == *"| net_bps mean | 4.75 | &gt;= 2.8 | FAIL | yes |"* ]]
	[[ "$output" == *"| 1 | FAIL | maker_taker_ratio 0.5 &lt; 0.75 (FAIL) by 0.25; net_bps -1.5 &lt; 2 (FAIL) by 3.5 |"* ]]
	[ "$(grep -c '^| [0-9]* | \(FAIL\|WARN\) |' <<<"$output")" -eq 7 ]
	name="$BATS_TEST_TMPDIR/a|b<i>.json"
	cp "$SOAK_SRCDIR/presets/kpi_thresholds_v1.json" "$name"
	run_pipe "kpi-gate --summary --format=markdown --thresholds '$name' < '$LOG'"
	[[ "$output" == *'Thresholds a\|b&lt;i&gt;; 24 iterations'* ]]
}

@test "--format=text is --text; --format=json is the default verdict object" {
	run_pipe "kpi-gate --summary --text < '$LOG'"
	text=$output
	run_pipe "kpi-gate --summary --format=text < '$LOG'"
	[ "$status" -eq 1 ]
	[ "$output" = "$text" ]
	[ "${lines[0]}" = "verdict: FAIL (kpi_thresholds_v1; 24 iterations: 17 PASS, 2 WARN, 5 FAIL)" ]
	run_pipe "kpi-gate --summary < '$LOG'"
	json=$output
	run_pipe "kpi-gate --summary --format=json < '$LOG'"
	[ "$output" = "$json" ]
	assert_jq '.status == "FAIL" and .counts == {"PASS":17,"WARN":2,"FAIL":5}'
}

@test "--format and --fail-on: bad values and use without --summary are usage errors" {
	run kpi-gate --summary --format=xml </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--format': 'xml' is not json, text, junit, github or markdown"* ]]
	run kpi-gate --summary --fail-on=pass </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--fail-on': 'pass' is not fail or warn"* ]]
	run kpi-gate --format=junit </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--format' needs --summary"* ]]
	run kpi-gate --fail-on=warn </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--fail-on' needs --summary"* ]]
}

@test "--format=junit on no records: one failing verdict testcase, still valid" {
	needs_xmllint
	run_pipe "kpi-gate --summary --format=junit < /dev/null > '$BATS_TEST_TMPDIR/j.xml'"
	[ "$status" -eq 1 ]
	run xmllint --noout --schema "$XSD" "$BATS_TEST_TMPDIR/j.xml"
	[ "$status" -eq 0 ]
	[ "$(xpath 'string(//testcase[@name="verdict"]/failure/@message)' "$BATS_TEST_TMPDIR/j.xml")" = "no records: nothing to judge" ]
}
