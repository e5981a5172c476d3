#!/usr/bin/env bats
# soak-replay: an engine that gives each record the summary its iteration
# has in a recorded log.

load helpers

setup() {
	rlog="$BATS_TEST_TMPDIR/recorded.jsonl"
	# iterations out of order in the log, one with odd number spellings
	printf '%s\n' \
		'{"iteration":3,"summary":{"net_bps":3.30,"risk_ratio":0.3},"gate":{"status":"PASS"}}' \
		'{"iteration":1,"summary":{"net_bps":-1.5E0,"risk_ratio":0.7,"fills":{"maker_count":2}}}' \
		'{"iteration":2,"summary":{"net_bps":2,"risk_ratio":0.5}}' > "$rlog"
}

# soak_log DIR: a real 10-iteration soak with warm-up, recorded in DIR.
soak_log() {   # seed 6: WARN in warm-up, the tuner changes keys in iterations 2-4, 6 and 8
	soak-run -q -n 10 --seed 6 --warmup --preset maker_bias_uplift_v1 --out "$1" > /dev/null
}

@test "each record gets the summary of its iteration, whatever the log's order" {
	run bash -o pipefail -c 'for i in 1 2 3; do record $i; done | soak-replay "$0"' "$rlog"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(jq -s -c 'map([.iteration, .summary.net_bps, .summary.risk_ratio])' <<<"$output")" = '[[1,-1.5,0.7],[2,2,0.5],[3,3.3,0.3]]' ]
	# the summary is the log's text, byte for byte
	[[ "${lines[0]}" == *',"summary":{"net_bps":-1.5E0,"risk_ratio":0.7,"fills":{"maker_count":2}}}' ]]
	[[ "${lines[2]}" == *',"summary":{"net_bps":3.30,"risk_ratio":0.3}}' ]]
}

@test "records in any order, repeated iterations" {
	run bash -o pipefail -c 'for i in 3 3 1 2 1; do record $i; done | soak-replay "$0"' "$rlog"
	[ "$status" -eq 0 ]
	[ "$(jq -s -c 'map(.summary.net_bps)' <<<"$output")" = '[3.3,3.3,-1.5,2,-1.5]' ]
}

@test "every other field is left as it is; only the summary comes from the log" {
	in='{"iteration":2,"params":{"a":1.50},"summary":{"net_bps":99},"gate":{"status":"FAIL"},"zz":[1e2,"x"]}'
	run bash -c 'printf "%s\n" "$0" | soak-replay "$1"' "$in" "$rlog"
	[ "$status" -eq 0 ]
	# summary replaced in place; the log's gate is not copied
	[ "$output" = '{"iteration":2,"params":{"a":1.50},"summary":{"net_bps":2,"risk_ratio":0.5},"gate":{"status":"FAIL"},"zz":[1e2,"x"]}' ]
}

@test "an iteration missing from the log is exit 2, naming the iteration and the log" {
	run bash -c 'for i in 1 4 2; do record $i; done | soak-replay "$0"' "$rlog"
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-replay: line 2: iteration 4 is not in '$rlog'"* ]]
	# iteration 1 went through, nothing for 4 or after it
	[ "$(grep -c '"iteration"' <<<"$output")" -eq 1 ]
	[[ "${lines[0]}" == '{"iteration":1,'* ]]
}

@test "--on-error=skip: a missing iteration is skipped and counted, the rest goes on" {
	run bash -c 'for i in 1 4 2; do record $i; done | soak-replay --on-error=skip --rejects="$0.rej" "$0" 2> "$0.err"' "$rlog"
	[ "$status" -eq 0 ]
	[ "$(jq -s -c 'map([.iteration, .summary.net_bps])' <<<"$output")" = '[[1,-1.5],[2,2]]' ]
	[ "$(jq -c .iteration "$rlog.rej")" = 4 ]
	grep -q '1 bad line' "$rlog.err"
}

@test "a log line without a summary object is an error" {
	for line in '{"iteration":2}' '{"iteration":2,"summary":null}' '{"iteration":2,"summary":[1,2]}' '{"iteration":2,"summary":"x"}'; do
		printf '%s\n' '{"iteration":1,"summary":{"net_bps":1}}' "$line" > "$rlog"
		run bash -c 'for i in 1 2; do record $i; done | soak-replay "$0"' "$rlog"
		[ "$status" -eq 2 ]
		[[ "$output" == *"line 2: '$rlog' line 2 (iteration 2) has no summary object"* ]]
		[ "$(grep -c '"summary"' <<<"$output")" -eq 1 ]
	done
}

@test "a malformed log line is an error naming the log file and its line" {
	for line in '{"iteration":1,' 'garbage' '{"iteration":1,"summary":{"a":1,"a":2}}' '[1]' '{"iteration":1,"summary":{"x":NaN}}'; do
		printf '%s\n' '{"iteration":2,"summary":{"net_bps":2}}' "$line" > "$rlog"
		run bash -c 'record 1 | soak-replay "$0"' "$rlog"
		[ "$status" -eq 2 ]
		[[ "$output" == *"soak-replay: '$rlog': line 2: "* ]]
		[[ "$output" != *'"params"'* ]]
	done
}

@test "a log line without a valid iteration is an error naming the log file and its line" {
	for line in '{"summary":{}}' '{"iteration":0,"summary":{}}' '{"iteration":"1","summary":{}}' '{"iteration":1.5,"summary":{}}'; do
		printf '%s\n' '{"iteration":2,"summary":{"net_bps":2}}' '' "$line" > "$rlog"
		run bash -c 'record 1 | soak-replay "$0"' "$rlog"
		[ "$status" -eq 2 ]
		[[ "$output" == *"soak-replay: '$rlog': line 3: "*iteration* ]]
	done
}

@test "blank lines and CRLF in the log are accepted" {
	printf '\n{"iteration":2,"summary":{"net_bps":2}}\r\n  \n{"iteration":1,"summary":{"net_bps":1}}\r\n' > "$rlog"
	run bash -o pipefail -c 'for i in 1 2; do record $i; done | soak-replay "$0"' "$rlog"
	[ "$status" -eq 0 ]
	[ "$(jq -s -c 'map(.summary)' <<<"$output")" = '[{"net_bps":1},{"net_bps":2}]' ]
}

@test "a bad input record is exit 2 with the input line number" {
	run bash -c 'printf "%s\n" "{\"iteration\":1}" "{\"params\":{}}" | soak-replay "$0"' "$rlog"
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-replay: line 2: missing field 'iteration'"* ]]
	run bash -c 'printf "%s\n" "{\"iteration\":-3}" | soak-replay "$0"' "$rlog"
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-replay: line 1: "* ]]
}

@test "the LOG argument: missing, extra or unreadable" {
	run soak-replay < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-replay: missing LOG"* ]]
	run soak-replay "$rlog" "$rlog" < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"unexpected argument"* ]]
	run soak-replay "$BATS_TEST_TMPDIR/none.jsonl" < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot open '$BATS_TEST_TMPDIR/none.jsonl'"* ]]
}

@test "one line out per line in, flushed at once (works inside the ring)" {
	coproc RP { soak-replay "$rlog"; }
	pid=$RP_PID
	record 2 >&"${RP[1]}"
	read -r -t 5 first <&"${RP[0]}"
	record 3 >&"${RP[1]}"
	read -r -t 5 second <&"${RP[0]}"
	exec {RP[1]}>&-
	wait "$pid"
	[ "$(jq -c .summary.net_bps <<<"$first")" = 2 ]
	[ "$(jq -c .summary.net_bps <<<"$second")" = 3.3 ]
}

@test "original ITER_SUMMARY files (jq -c .) are a log" {
	jq -c . "$FIXTURES"/soak-replay-ITER_SUMMARY_*.json > "$rlog"
	run bash -o pipefail -c 'for i in 3 1 2; do record $i; done | soak-replay "$0"' "$rlog"
	[ "$status" -eq 0 ]
	jq -e -s 'map(.summary.net_bps) == [3.0, -1.5, -0.8]' <<<"$output"
	run bash -o pipefail -c 'record 2 | soak-replay "$0"' "$rlog"
	assert_jq '.summary == {"net_bps":-0.8,"adverse_bps_p95":4.5,"slippage_bps_p95":3.2,"p95_latency_ms":280,"maker_taker_ratio":0.6,"risk_ratio":0.33}'
	assert_jq '.params.min_interval_ms == 65 and (has("tuning") | not)'
}

@test "ITER_SUMMARY records drive a soak-run replay through tuner and gate" {
	jq -c . "$FIXTURES"/soak-replay-ITER_SUMMARY_*.json > "$rlog"
	run soak-run -q -n 3 --engine "replay:$rlog" --out "$BATS_TEST_TMPDIR/run"
	[ "$status" -eq 1 ]  # the original's first iterations FAIL the gate
	run jq -s -c 'map([.iteration, .summary.net_bps, .gate.status])' "$BATS_TEST_TMPDIR/run/iterations.jsonl"
	[ "$output" = '[[1,-1.5,"FAIL"],[2,-0.8,"FAIL"],[3,3,"FAIL"]]' ]
}

@test "replaying a soak log through tuner-propose | tuner-filter | kpi-gate reproduces its decisions" {
	soak_log "$BATS_TEST_TMPDIR/run"
	log="$BATS_TEST_TMPDIR/run/iterations.jsonl"
	[ "$(jq -s length "$log")" -eq 10 ]
	# What the engine saw at iteration i: the record without the sections the
	# engine and the stages after it write, and the state of iteration i-1.
	jq -c -n '[inputs] as $a | range($a | length) as $i | $a[$i]
		| del(.summary, .tuning, .next_params, .gate)
		| if $i == 0 then del(.state) else .state = $a[$i - 1].state end' "$log" > "$BATS_TEST_TMPDIR/engine-in.jsonl"
	run jq -e -s 'all(has("summary") or has("tuning") or has("gate") | not)' "$BATS_TEST_TMPDIR/engine-in.jsonl"
	[ "$status" -eq 0 ]
	run bash -o pipefail -c 'soak-replay "$0" < "$1" | tuner-propose | tuner-filter | kpi-gate > "$1.out"' "$log" "$BATS_TEST_TMPDIR/engine-in.jsonl"
	[ "$status" -eq 0 ]
	run jq -n -c --slurpfile new "$BATS_TEST_TMPDIR/engine-in.jsonl.out" --slurpfile old "$log" \
		'[range($old | length) as $i | ($new[$i] | {iteration, tuning, next_params, gate, state})
		  == ($old[$i] | {iteration, tuning, next_params, gate, state})] | [length, all]'
	[ "$output" = '[10,true]' ]
	# the run did decide things: some keys changed, statuses were computed
	jq -e -s 'any(.tuning.changed_keys | length > 0) and all(.gate.status | type == "string")' "$log"
}

@test "soak-run --engine replay:LOG reproduces a soak log byte for byte" {
	soak_log "$BATS_TEST_TMPDIR/a"
	run soak-run -q -n 10 --warmup --preset maker_bias_uplift_v1 \
		--engine "replay:$BATS_TEST_TMPDIR/a/iterations.jsonl" --out "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/a/iterations.jsonl" "$BATS_TEST_TMPDIR/b/iterations.jsonl"
	cmp <(jq -c 'del(.run)' "$BATS_TEST_TMPDIR/a/verdict.json") <(jq -c 'del(.run)' "$BATS_TEST_TMPDIR/b/verdict.json")
}

@test "a replay with other thresholds re-judges the recorded market" {
	soak_log "$BATS_TEST_TMPDIR/a"
	jq '.iteration |= map(if .kpi == "p95_latency_ms" and .level == "WARN" then .threshold = 50 else . end)' \
		"$SOAKKIT_PRESET_PATH/kpi_thresholds_v1.json" > "$BATS_TEST_TMPDIR/strict.json"
	run soak-run -q -n 10 --warmup --preset maker_bias_uplift_v1 --thresholds "$BATS_TEST_TMPDIR/strict.json" \
		--engine "replay:$BATS_TEST_TMPDIR/a/iterations.jsonl" --out "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 0 ]
	assert_jq '.status == "WARN" and .counts.PASS == 0'
	# same market (summaries), other verdicts
	run jq -n -c --slurpfile a "$BATS_TEST_TMPDIR/a/iterations.jsonl" --slurpfile b "$BATS_TEST_TMPDIR/b/iterations.jsonl" \
		'[($a | map(.summary)) == ($b | map(.summary)), ($a | map(.gate.status)) != ($b | map(.gate.status))]'
	[ "$output" = '[true,true]' ]
}

@test "a log line longer than --max-line-bytes is an error naming the log file and its line" {
	printf '%s\n' '{"iteration":2,"summary":{"net_bps":2}}' \
		"{\"iteration\":1,\"summary\":{\"net_bps\":2},\"pad\":\"$(printf '%0300d' 0)\"}" > "$rlog"
	run bash -c 'record 1 | soak-replay --max-line-bytes=300 "$0"' "$rlog"
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-replay: '$rlog': line 2: longer than 300 bytes (--max-line-bytes)"* ]]
	run bash -c 'record 1 | soak-replay --max-line-bytes=400 "$0"' "$rlog"
	[ "$status" -eq 0 ]
	# a CR before the newline is not counted, as on standard input
	printf '{"iteration":1,"summary":{"net_bps":2},"pad":"%s"}\r\n' "$(printf '%0600d' 0)" > "$rlog"
	n=$(($(wc -c < "$rlog") - 2))
	run bash -c 'record 1 | soak-replay --max-line-bytes="$1" "$0"' "$rlog" "$n"
	[ "$status" -eq 0 ]
	run bash -c 'record 1 | soak-replay --max-line-bytes="$1" "$0"' "$rlog" "$((n - 1))"
	[ "$status" -eq 2 ]
	# no end of line at all: refused at the bound, not read for ever
	run bash -c 'record 1 | timeout 20 soak-replay --max-line-bytes=4096 /dev/zero'
	[ "$status" -eq 2 ]
	[[ "$output" == *"'/dev/zero': line 1: longer than 4096 bytes"* ]]
}
