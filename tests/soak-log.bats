#!/usr/bin/env bats
# soak-log: a pass-through stage that appends every record, fsync'd, to FILE.

load helpers

setup() {
	log="$BATS_TEST_TMPDIR/log.jsonl"
	# Records whose text a re-serializing program would change: number
	# spellings, spacing, escapes, key order.  soak-log must not.
	odd='{"iteration":1,"x":1.0E+2,"y":-0.0,"z":[1e-7,100000000000000000001,0.30000000000000004,2.50],"s":"\u00e9\t\/"}
{ "iteration" : 2 , "b":1,"a":{"k":[ ]} }
{"zz":true,"iteration":3,"n":null,"f":0.1000}'
	printf '%s\n' "$odd" > "$BATS_TEST_TMPDIR/odd.jsonl"
}

@test "records are copied byte for byte to stdout and to FILE" {
	run bash -o pipefail -c 'soak-log "$0" < "$1"' "$log" "$BATS_TEST_TMPDIR/odd.jsonl"
	[ "$status" -eq 0 ]
	[ "$output" = "$odd" ]
	cmp "$log" "$BATS_TEST_TMPDIR/odd.jsonl"
	# and every line is still a record jq reads the same way
	run jq -s -c 'map(.iteration)' "$log"
	[ "$output" = '[1,2,3]' ]
}

@test "FILE is appended to by default" {
	record 1 > "$log"
	run bash -c 'record 2 | soak-log "$0" > /dev/null && record 3 | soak-log "$0" > /dev/null' "$log"
	[ "$status" -eq 0 ]
	run jq -s -c 'map(.iteration)' "$log"
	[ "$output" = '[1,2,3]' ]
}

@test "--truncate empties FILE first" {
	printf '%s\n' '{"iteration":7}' '{"iteration":8}' > "$log"
	run bash -c 'record 1 | soak-log --truncate "$0"' "$log"
	[ "$status" -eq 0 ]
	assert_jq '.iteration == 1'
	run jq -s -c 'map(.iteration)' "$log"
	[ "$output" = '[1]' ]
}

@test "--truncate with no input leaves FILE empty, without it FILE is kept" {
	record 1 > "$log"
	run soak-log "$log" < /dev/null
	[ "$status" -eq 0 ]
	[ "$(jq -s length "$log")" -eq 1 ]
	run soak-log --truncate "$log" < /dev/null
	[ "$status" -eq 0 ]
	[ ! -s "$log" ]
}

@test "FILE is complete line by line while the stream runs" {
	coproc SL { soak-log "$log"; }
	pid=$SL_PID
	record 1 >&"${SL[1]}"
	read -r -t 5 first <&"${SL[0]}"
	# The first record went through: it is in FILE, whole, before line 2 exists.
	[ "$(jq -c '.iteration' <<<"$first")" = 1 ]
	[ "$(cat "$log")" = "$first" ]
	[ "$(tail -c 1 "$log" | od -An -c | tr -d ' ')" = '\n' ]
	record 2 >&"${SL[1]}"
	read -r -t 5 second <&"${SL[0]}"
	[ "$(jq -s -c 'map(.iteration)' "$log")" = '[1,2]' ]
	exec {SL[1]}>&-
	wait "$pid"
}

@test "--progress: one line per record on stderr with iteration, phase, gate, KPIs and changed keys" {
	full='{"iteration":3,"phase":{"name":"WARMUP","weight":1},"gate":{"status":"WARN"},"summary":{"net_bps":2.1,"maker_taker_ratio":0.85,"p95_latency_ms":300,"risk_ratio":0.4},"tuning":{"changed_keys":["min_interval_ms","tail_age_ms"]}}'
	run bash -c 'printf "%s\n" "$0" | soak-log --progress "$1" 2> "$1.err"' "$full" "$log"
	[ "$status" -eq 0 ]
	[ "$output" = "$full" ]
	[ "$(cat "$log.err")" = 'iter   3  WARMUP    WARN  net    2.10  mt    0.85  p95  300.00  risk    0.40  keys min_interval_ms,tail_age_ms' ]
}

@test "--progress prints - for each missing part" {
	run bash -c 'printf "%s\n" "{\"iteration\":7}" "{\"iteration\":12,\"phase\":{\"name\":\"STEADY\"},\"summary\":{\"net_bps\":-1.256,\"risk_ratio\":\"high\"},\"tuning\":{\"changed_keys\":[]}}" | soak-log --progress "$0" 2> "$0.err"' "$log"
	[ "$status" -eq 0 ]
	[ "$(jq -s length <<<"$output")" -eq 2 ]
	expected='iter   7  -         -     net       -  mt       -  p95       -  risk       -  keys -
iter  12  STEADY    -     net   -1.26  mt       -  p95       -  risk       -  keys -'
	[ "$(cat "$log.err")" = "$expected" ]
}

@test "--progress over a real iteration: the line matches the record, stdout unchanged" {
	in="$BATS_TEST_TMPDIR/in.jsonl"
	soak-next --first --preset=maker_bias_uplift_v1 | warmup-phase | warmup-apply --preset=warmup_conservative_v1 |
		soak-mock | tuner-propose | tuner-filter | kpi-gate > "$in"
	# the same record again as iteration 2 (a log's iterations increase)
	jq -c '.iteration = 2' "$in" > "$in.2" && cat "$in.2" >> "$in"
	run bash -c 'soak-log --progress "$1" < "$0" 2> "$1.err"' "$in" "$log"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$in")" ]
	read -r it phase gate net mt p95 risk keys < <(jq -r '[.iteration, .phase.name, .gate.status,
		.summary.net_bps, .summary.maker_taker_ratio, .summary.p95_latency_ms, .summary.risk_ratio,
		(.tuning.changed_keys | if length > 0 then join(",") else "-" end)] | @tsv' "$in" | head -1)
	line() { printf 'iter %3d  %-8s  %-4s  net %7.2f  mt %7.2f  p95 %7.2f  risk %7.2f  keys %s' \
		"$1" "$phase" "$gate" "$net" "$mt" "$p95" "$risk" "$keys"; }
	[ "$(cat "$log.err")" = "$(line 1)
$(line 2)" ]
}

@test "--progress shows no escape sequences and no absurd widths" {
	run bash -c 'printf "%s\n" "{\"iteration\":1}" "{\"iteration\":2,\"phase\":{\"name\":\"\\u001b[31mX\"},\"summary\":{\"net_bps\":1e300}}" | soak-log --progress "$0" 2> "$0.err" >/dev/null; cat "$0.err"' "$BATS_TEST_TMPDIR/log"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "iter   1  -  "* ]]
	[[ "${lines[1]}" == "iter   2  ?[31mX  "* ]]
	[[ "${lines[1]}" == *"net  1e+300  mt"* ]]
	! grep -q $'\e' <<<"$output"
}

@test "without --progress nothing is written to stderr" {
	run bash -c 'record 1 | soak-log "$0" 2> "$0.err" > /dev/null' "$log"
	[ "$status" -eq 0 ]
	[ ! -s "$log.err" ]
}

@test "a bad line stops the stream with exit 2 and is not written to FILE" {
	for bad in 'not json' '[1,2]' '{"iteration":1,"iteration":2}' '{"iteration":1' '{"a":NaN}' '"s"'; do
		rm -f "$log"
		run bash -c 'printf "%s\n" "{\"iteration\":1}" "$0" "{\"iteration\":3}" | soak-log "$1"' "$bad" "$log"
		[ "$status" -eq 2 ]
		[[ "$output" == *'soak-log: line 2: '* ]]
		# the good line before it went through; nothing of the bad line or after it
		[ "$(cat "$log")" = '{"iteration":1}' ]
	done
}

@test "invalid UTF-8 and NUL bytes are bad lines too" {
	run bash -c 'printf "{\"s\":\"\\377\"}\n" | soak-log "$0"' "$log"
	[ "$status" -eq 2 ]
	[ ! -s "$log" ]
	run bash -c 'printf "{\"s\":1}\0\n" | soak-log "$0"' "$log"
	[ "$status" -eq 2 ]
	[ ! -s "$log" ]
}

@test "--on-error=skip: bad lines go to the rejects, never to FILE or stdout" {
	run bash -c 'printf "%s\n" "{\"iteration\":1}" "oops" "{\"iteration\":3}" | soak-log --on-error=skip --rejects="$0.rej" "$0" 2> "$0.err"' "$log"
	[ "$status" -eq 0 ]
	[ "$(jq -s -c 'map(.iteration)' <<<"$output")" = '[1,3]' ]
	[ "$(jq -s -c 'map(.iteration)' "$log")" = '[1,3]' ]
	[ "$(cat "$log.rej")" = oops ]
	grep -q '1 bad line' "$log.err"
}

@test "CRLF line endings are accepted, blank lines skipped" {
	run bash -c 'printf "{\"iteration\":1}\r\n\n   \n{\"iteration\":2}\n" | soak-log "$0"' "$log"
	[ "$status" -eq 0 ]
	[ "$output" = '{"iteration":1}
{"iteration":2}' ]
	[ "$(cat "$log")" = "$output" ]
}

@test "a missing FILE argument is a usage error" {
	run soak-log < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-log: missing FILE"* ]]
	run soak-log --progress < /dev/null
	[ "$status" -eq 2 ]
	run soak-log "$log" "$log.2" < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"unexpected argument"* ]]
	[ ! -e "$log.2" ]
	run soak-log --bogus "$log" < /dev/null
	[ "$status" -eq 2 ]
}

@test "a FILE that cannot be opened is an I/O error (exit 3)" {
	run bash -c 'record 1 | soak-log "$0/no/such/dir/log"' "$BATS_TEST_TMPDIR"
	[ "$status" -eq 3 ]
	[[ "$output" == *"cannot open '$BATS_TEST_TMPDIR/no/such/dir/log'"* ]]
	run bash -c 'record 1 | soak-log "$0"' "$BATS_TEST_TMPDIR"
	[ "$status" -eq 3 ]
	[[ "$output" == *"cannot open '$BATS_TEST_TMPDIR'"* ]]
	[[ "$output" != *'"iteration"'* ]]
}

@test "a FILE that cannot be written is an I/O error, the record is not passed on" {
	run bash -c 'record 1 | soak-log /dev/full'
	[ "$status" -eq 3 ]
	[[ "$output" == *"write error on '/dev/full'"* ]]
	[[ "$output" != *'"iteration"'* ]]
}

@test "stdout on /dev/full is an I/O error (exit 3)" {
	run bash -c 'record 1 | soak-log "$0" > /dev/full' "$log"
	[ "$status" -eq 3 ]
	[[ "$output" == *"write error"* ]]
}

@test "a closed stdout ends quietly" {
	run bash -c 'for i in $(seq 1 200); do record $i; done | soak-log "$0" | head -n 1; exit "${PIPESTATUS[1]}"' "$log"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	assert_jq '.iteration == 1'
	# what FILE holds is a prefix of the input, every line complete
	run jq -s -c '[.[].iteration] | . == [range(1; length + 1)]' "$log"
	[ "$output" = true ]
}

@test "an iteration that does not follow the one before is a bad line, never logged" {
	run bash -c 'printf "%s\n" "{\"iteration\":1}" "{\"iteration\":2}" "{\"iteration\":2}" "{\"iteration\":3}" | soak-log "$0"' "$log"
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-log: line 3: iteration 2 does not follow iteration 2, the last in '$log'"* ]]
	[ "$(jq -c -s 'map(.iteration)' "$log")" = '[1,2]' ]
	# going back, or no iteration at all
	run bash -c 'printf "%s\n" "{\"iteration\":5}" "{\"iteration\":4}" | soak-log --truncate "$0"' "$log"
	[ "$status" -eq 2 ]
	[[ "$output" == *"line 2: iteration 4 does not follow iteration 5"* ]]
	run bash -c 'printf "%s\n" "{\"x\":1}" | soak-log --truncate "$0"' "$log"
	[ "$status" -eq 2 ]
	[[ "$output" == *"line 1: "*"iteration"* ]]
	[ ! -s "$log" ]
}

@test "appending continues after FILE's last iteration, never at or before it" {
	printf '%s\n' '{"iteration":1}' '{"iteration":7}' > "$log"
	run bash -c 'printf "%s\n" "{\"iteration\":7}" | soak-log "$0"' "$log"
	[ "$status" -eq 2 ]
	[[ "$output" == *"line 1: iteration 7 does not follow iteration 7, the last in '$log'"* ]]
	run bash -c 'printf "%s\n" "{\"iteration\":3}" "{\"iteration\":8}" | soak-log --on-error=skip "$0"' "$log"
	[ "$status" -eq 0 ]
	[ "$(jq -c -s 'map(.iteration)' "$log")" = '[1,7,8]' ]
}

@test "a FILE cut in the middle of a line, or whose last line has no iteration, is refused" {
	printf '%s\n%s' '{"iteration":1}' '{"itera' > "$log"
	run bash -c 'record 2 | soak-log "$0"' "$log"
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-log: '$log' ends in the middle of a line (soak-run --resume drops such a line)"* ]]
	[ "$(cat "$log")" = "$(printf '%s\n%s' '{"iteration":1}' '{"itera')" ]
	printf '%s\n' '{"x":1}' > "$log"
	run bash -c 'record 2 | soak-log "$0"' "$log"
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-log: '$log': last line: "* ]]
}

@test "FILE's last line may be 16 MiB long, not a byte more" {
	# {"iteration":1,"pad":"x...x"} is 24 bytes plus the pad
	pad() { head -c "$1" /dev/zero | tr '\0' x; }
	{ echo '{"iteration":0}'; printf '{"iteration":1,"pad":"%s"}\n' "$(pad $((16777216 - 24)))"; } > "$log"
	[ "$(tail -n 1 "$log" | wc -c)" -eq 16777217 ]
	run bash -c 'record 2 | soak-log "$0" > /dev/null' "$log"
	[ "$status" -eq 0 ]
	{ echo '{"iteration":0}'; printf '{"iteration":1,"pad":"%s"}\n' "$(pad $((16777216 - 23)))"; } > "$log"
	run bash -c 'record 2 | soak-log "$0"' "$log"
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-log: '$log': last line: a line longer than 16777216 bytes"* ]]
}
