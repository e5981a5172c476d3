#!/usr/bin/env bats
# The input rules every filter shares (lib/record/record.c), seen through warmup-phase.

load helpers

reject() { # reject INPUT_PRINTF_FORMAT EXPECTED_MESSAGE_PART
	run_pipe "printf '$1' | warmup-phase"
	[ "$status" -eq 2 ] || { echo "status $status for $1"; return 1; }
	[[ "$output" == "warmup-phase: line "*"$2"* ]] || { echo "output: $output"; return 1; }
	# The bad line never yields output: no line of stdout is an object.
	! grep -q '^{' <<<"$output"
}

@test "invalid JSON is rejected with the byte where it broke" {
	reject '{"iteration":1,}\n' 'invalid JSON at byte'
	reject '{"iteration":1} x\n' 'invalid JSON at byte 17'
	reject '{"iteration":1\n' 'invalid JSON'
}

@test "a value that is not an object is rejected" {
	reject '[1,2]\n' 'not a JSON object'
	reject '"text"\n' 'not a JSON object'
	reject '3\n' 'not a JSON object'
}

@test "NaN and Infinity are rejected" {
	reject '{"iteration":NaN}\n' 'invalid JSON'
	reject '{"iteration":1,"x":Infinity}\n' 'invalid JSON'
}

@test "a number too large for a double is rejected where it is read" {
	reject '{"iteration":1e400}\n' "'iteration' is out of range"
}

@test "duplicate keys are rejected at any depth" {
	reject '{"iteration":1,"iteration":1}\n' "duplicate key 'iteration'"
	reject '{"iteration":1,"a":{"b":1,"c":{"d":1,"d":2}}}\n' "duplicate key 'd'"
}

@test "invalid UTF-8 is rejected" {
	reject '{"iteration":1,"s":"\xc3\x28"}\n' 'invalid UTF-8'
	reject '{"iteration":1,"s":"\xed\xa0\x80"}\n' 'invalid UTF-8'
	reject '{"iteration":1,"s":"\xc0\xaf"}\n' 'invalid UTF-8'
}

@test "NUL bytes are rejected" {
	reject '{"iteration":1}\x00\n' 'NUL byte'
	reject '{"iteration":1,"s":"\\u0000"}\n' 'u0000'
}

@test "raw control characters in strings are rejected" {
	reject '{"iteration":1,"s":"a\tb"}\n' 'raw control character'
}

@test "valid UTF-8 and escapes pass through" {
	run_pipe "printf '{\"iteration\":1,\"s\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",\"t\":\"a\\\\\\\\b\\\\\"\"}\n' | warmup-phase"
	[ "$status" -eq 0 ]
	assert_jq '.s == "é€😀" and .t == "a\\b\""'
}

@test "CRLF line endings are accepted and blank lines skipped" {
	run_pipe "printf '{\"iteration\":1}\r\n\r\n   \n\n{\"iteration\":2}\r\n' | warmup-phase"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -s 'map(.iteration)|tostring' <<<"$output")" = '"[1,2]"' ]
}

@test "line numbers count blank lines" {
	run_pipe "printf '{\"iteration\":1}\n\n\n{\"iteration\":0}\n' | warmup-phase"
	[ "$status" -eq 2 ]
	[[ "$output" == *"warmup-phase: line 4: "* ]]
}

@test "a last line without a newline is read" {
	run_pipe "printf '{\"iteration\":3}' | warmup-phase"
	[ "$status" -eq 0 ]
	assert_jq '.iteration == 3'
}

@test "unknown fields pass through byte for byte, numbers verbatim" {
	line='{"iteration":2,"u":{"n":[1.50,1E+2,-0,0.30000000000000004,12345678901234567890,1e400],"s":"\u00e9","b":true,"z":null}}'
	run_pipe "echo '$line' | warmup-phase"
	[[ "$output" == '{"iteration":2,"u":{"n":[1.50,1E+2,-0,0.30000000000000004,12345678901234567890,1e400],"s":"é","b":true,"z":null},"phase":'* ]]
}

@test "very long lines are handled whole" {
	{ printf '{"iteration":1,"big":"'; head -c 3000000 /dev/zero | tr '\0' x; printf '"}\n'; } > "$BATS_TEST_TMPDIR/long"
	run_pipe "warmup-phase < $BATS_TEST_TMPDIR/long | jq '.big | length'"
	[ "$status" -eq 0 ]
	[ "$output" = 3000000 ]
}

@test "deep nesting past cJSON's limit is bad input, not a crash" {
	deep=$(printf '[%.0s' $(seq 1100))$(printf ']%.0s' $(seq 1100))
	run_pipe "printf '{\"iteration\":1,\"d\":%s}\n' '$deep' | warmup-phase"
	[ "$status" -eq 2 ]
	[[ "$output" == *"invalid JSON"* ]]
}

@test "--on-error=skip reports each bad line, copies it to stderr and goes on" {
	run_pipe "printf '{\"iteration\":1}\n[]\n{\"iteration\":3}\n' | warmup-phase --on-error=skip 2>$BATS_TEST_TMPDIR/err"
	[ "$status" -eq 0 ]
	[ "$(jq -s 'map(.iteration)|tostring' <<<"$output")" = '"[1,3]"' ]
	grep -qx 'warmup-phase: line 2: not a JSON object' "$BATS_TEST_TMPDIR/err"
	grep -qx '\[\]' "$BATS_TEST_TMPDIR/err"
	grep -qx 'warmup-phase: 1 bad line skipped' "$BATS_TEST_TMPDIR/err"
}

@test "--rejects FILE collects the skipped lines exactly" {
	run_pipe "printf '{\"iteration\":0}\n{\"iteration\":2}\nnot json\n' | warmup-phase --on-error=skip --rejects=$BATS_TEST_TMPDIR/rej 2>$BATS_TEST_TMPDIR/err"
	[ "$status" -eq 0 ]
	[ "$(jq -c .iteration <<<"$output")" = 2 ]
	[ "$(cat "$BATS_TEST_TMPDIR/rej")" = '{"iteration":0}
not json' ]
	grep -q '2 bad lines skipped' "$BATS_TEST_TMPDIR/err"
}

@test "--rejects FILE is created only when the first bad line is skipped" {
	run_pipe "echo '{\"iteration\":1}' | warmup-phase --on-error=skip --rejects=$BATS_TEST_TMPDIR/none"
	[ "$status" -eq 0 ]
	[ ! -e "$BATS_TEST_TMPDIR/none" ]
	echo stale > "$BATS_TEST_TMPDIR/kept"
	run_pipe "echo '{\"iteration\":1}' | warmup-phase --on-error=skip --rejects=$BATS_TEST_TMPDIR/kept"
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/kept")" = stale ]
	run_pipe "printf '{\"iteration\":1}\n[]\n' | warmup-phase --on-error=skip --rejects=$BATS_TEST_TMPDIR/kept"
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/kept")" = "[]" ]
}

@test "--on-error takes fail or skip only" {
	run warmup-phase --on-error=ignore
	[ "$status" -eq 2 ]
	[[ "$output" == *"'--on-error': 'ignore' is not fail or skip"* ]]
}

@test "a closed stdout ends quietly" {
	seq 20000 | sed 's/.*/{"iteration":&}/' > "$BATS_TEST_TMPDIR/in"
	run_pipe "warmup-phase < $BATS_TEST_TMPDIR/in 2>$BATS_TEST_TMPDIR/err | head -1"
	[ "$status" -eq 0 ]
	assert_jq '.iteration == 1'
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
}

@test "a failed write is an error with exit status 3" {
	[ -w /dev/full ] || skip "no /dev/full"
	run_pipe 'echo "{\"iteration\":1}" | warmup-phase > /dev/full'
	[ "$status" -eq 3 ]
	[[ "$output" == *"warmup-phase: write error"* ]]
}

@test "the same input gives byte-identical output" {
	run_pipe 'for i in $(seq 30); do record $i; done | warmup-phase | warmup-apply | md5sum'
	first=$output
	run_pipe 'for i in $(seq 30); do record $i; done | warmup-phase | warmup-apply | md5sum'
	[ "$output" = "$first" ]
}

@test "numbers are read and written the same under a comma-decimal locale" {
	locale -a 2>/dev/null | grep -qi '^de_DE.utf8$' || skip "de_DE.UTF-8 locale not installed"
	run_pipe 'record 5 | LC_ALL=de_DE.UTF-8 warmup-phase | LC_ALL=de_DE.UTF-8 warmup-apply'
	[ "$status" -eq 0 ]
	assert_jq '.phase.weight == 0.666666666667 and .effective.impact_cap_ratio == 0.081'
}

@test "numbers must follow the JSON grammar, in every field, read or not" {
	local bad
	for bad in 01 -01 5. -.5 1e 1e+ 1.e5 - 1.5.2 1e5e5 00; do
		reject "{\"iteration\":1,\"x\":$bad}\n" "invalid number '$bad' at byte 20: not JSON"
	done
	for bad in .5 +1 0x10; do
		reject "{\"iteration\":1,\"x\":$bad}\n" "invalid JSON at byte"
	done
	reject '{"iteration":01}\n' "invalid number '01' at byte 14"
}

@test "JSON numbers pass: -0, 0.5e-3, 1E+5, 10, 1e999 (text kept)" {
	run_pipe "echo '{\"iteration\":1,\"x\":[-0,0.5e-3,1E+5,10,0,1e999]}' | warmup-phase"
	[ "$status" -eq 0 ]
	[[ "$output" == '{"iteration":1,"x":[-0,0.5e-3,1E+5,10,0,1e999],"phase":'* ]]
}

@test "a line with non-JSON numbers is bad input for every filter, with nothing written" {
	local p line='{"iteration":1,"x":5.,"y":-.5,"params":{}}'
	for p in warmup-phase warmup-apply tuner-propose tuner-filter kpi-gate soak-next soak-mock; do
		run_pipe "echo '$line' | $p 2>&1 >'$BATS_TEST_TMPDIR/out'"
		echo "$p -> $status: $output"
		[ "$status" -eq 2 ]
		[ "$output" = "$p: line 1: invalid number '5.' at byte 20: not JSON (no leading zeros, digits on both sides of a point)" ]
		[ ! -s "$BATS_TEST_TMPDIR/out" ]
	done
}

@test "raw control bytes outside strings are bad input" {
	reject '{"iteration":1,\001"x":1}\n' 'raw control character 0x01 at byte 16 outside a string'
	reject '{"iteration":1,"x":1\f}\n' 'raw control character 0x0c at byte 21 outside a string'
	reject '\v{"iteration":1}\n' 'raw control character 0x0b at byte 1 outside a string'
	run_pipe "printf '{\"iteration\":1,\t\"x\" : 1 }\r\n' | warmup-phase"
	[ "$status" -eq 0 ]
	assert_jq '.x == 1'
}

@test "--max-line-bytes: a longer line is bad input, read past and never copied" {
	local long
	long=$(printf '{"iteration":2,"s":"%s"}' "$(head -c 200 /dev/zero | tr '\0' x)")
	printf '{"iteration":1}\n%s\n{"iteration":3}\n' "$long" > "$BATS_TEST_TMPDIR/in"
	run_pipe "warmup-phase --max-line-bytes=100 < '$BATS_TEST_TMPDIR/in'"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[1]}" = "warmup-phase: line 2: line longer than 100 bytes (--max-line-bytes), not kept" ]
	run_pipe "warmup-phase --max-line-bytes=100 --on-error=skip --rejects='$BATS_TEST_TMPDIR/rej' < '$BATS_TEST_TMPDIR/in' 2>/dev/null"
	[ "$status" -eq 0 ]
	assert_slurp '[.[].iteration] == [1,3]'
	[ -e "$BATS_TEST_TMPDIR/rej" ] && [ ! -s "$BATS_TEST_TMPDIR/rej" ]
	run warmup-phase --max-line-bytes=0
	[ "$status" -eq 2 ]
	[[ "$output" == *"--max-line-bytes"* ]]
}

@test "--max-line-bytes: a first line too long is bad input in every filter, never a crash" {
	# the line buffer did not exist yet when the first line was already too
	# long: writing its terminating NUL crashed every filter (SIGSEGV, 139)
	for prog in warmup-phase warmup-apply soak-mock tuner-propose tuner-filter kpi-gate soak-next soak-log soak-measure; do
		args=
		[ "$prog" = soak-log ] && args="$BATS_TEST_TMPDIR/log"
		run_pipe "printf '{\"iteration\":1}\n' | $prog --max-line-bytes=5 $args"
		echo "$prog: $status $output"
		[ "$status" -eq 2 ]
		[[ "$output" == *"$prog: line 1: line longer than 5 bytes (--max-line-bytes), not kept"* ]]
		run_pipe "printf '{\"iteration\":1}\n' | $prog --max-line-bytes=5 --on-error=skip $args 2>/dev/null"
		[ "$status" -eq 0 ] && [ -z "$output" ]
	done
	printf '{"iteration":1,"summary":{}}\n' > "$BATS_TEST_TMPDIR/replay"
	run_pipe "printf '{\"iteration\":1}\n' | soak-replay --max-line-bytes=5 '$BATS_TEST_TMPDIR/replay'"
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-replay: line 1: line longer than 5 bytes"* ]]
}

@test "memory stays bounded: a 100 MB line, and a 16 MB line of numbers (peak RSS)" {
	# Peak resident memory, not a virtual-memory limit: ASan (CI's sanitizer
	# run) reserves terabytes of address space but touches little of it.
	[ -x /usr/bin/time ] || skip "no /usr/bin/time"
	# A 100 MB line is past the default 16 MiB: read past, never held.
	{ printf '{"iteration":1,"x":['; yes 1, | tr -d '\n' | head -c 100000000; printf '1]}\n'; } > "$BATS_TEST_TMPDIR/big"
	[ "$(wc -c < "$BATS_TEST_TMPDIR/big")" -gt 100000000 ]
	run_pipe "/usr/bin/time -f '%M' -o '$BATS_TEST_TMPDIR/rss' warmup-phase < '$BATS_TEST_TMPDIR/big'"
	[ "$status" -eq 2 ]
	[ "$output" = "warmup-phase: line 1: line longer than 16777216 bytes (--max-line-bytes), not kept" ]
	echo "peak $(tail -n 1 "$BATS_TEST_TMPDIR/rss") KB"
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/rss")" -lt 64000 ]
	# Under the limit, a line of 8,000,000 numbers: at most 1,000,000 values a
	# line (about 130 MB; the reader before took 1 GB for it).
	head -c 16000000 "$BATS_TEST_TMPDIR/big" > "$BATS_TEST_TMPDIR/numbers"
	printf '1]}\n' >> "$BATS_TEST_TMPDIR/numbers"
	run_pipe "/usr/bin/time -f '%M' -o '$BATS_TEST_TMPDIR/rss' warmup-phase < '$BATS_TEST_TMPDIR/numbers'"
	[ "$status" -eq 2 ]
	[ "$output" = "warmup-phase: line 1: more than 1000000 JSON values" ]
	echo "peak $(tail -n 1 "$BATS_TEST_TMPDIR/rss") KB"
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/rss")" -lt 300000 ]
}

@test "data files must be regular files: a FIFO, a directory or a device is refused, never waited on" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	local f="$BATS_TEST_TMPDIR/fifo" cmd
	for cmd in "kpi-gate -t $f|thresholds '$f' is a FIFO, not a regular file" \
		"warmup-apply --preset $f|preset '$f' is a FIFO, not a regular file" \
		"tuner-propose --rules $f|'$f' is a FIFO, not a regular file" \
		"soak-mock --market $f|'$f' is a FIFO, not a regular file" \
		"soak-next --first --params $f|params '$f' is a FIFO, not a regular file" \
		"soak-report -t $f|'$f' is a FIFO, not a regular file" \
		"kpi-gate -t $BATS_TEST_TMPDIR/|'$BATS_TEST_TMPDIR/' is a directory, not a regular file" \
		"warmup-apply --preset /dev/null|'/dev/null' is a device, not a regular file"; do
		run_pipe "timeout 10 ${cmd%%|*} < /dev/null"
		echo "${cmd%%|*} -> $status: $output"
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == *"${cmd#*|}" ]]
	done
}

# Inputs that crashed a fuzz harness (make fuzz-run) stay here as tests:
# each goes through real programs with and without the arena, and as a
# data file; the sanitizer build of CI (.ci/run) runs them under ASan+UBSan.
@test "fuzz regressions: every input of tests/fixtures/fuzz is bad input, never a crash" {
	local f
	for f in "$FIXTURES"/fuzz/*; do
		run_pipe "warmup-phase < '$f'"
		echo "$f (arena) -> $status: $output"
		[ "$status" -eq 2 ] && [[ "$output" == "warmup-phase: line 1: "* ]]
		run_pipe "SOAKKIT_NO_ARENA=1 warmup-phase < '$f'"
		[ "$status" -eq 2 ] && [[ "$output" == "warmup-phase: line 1: "* ]]
		run_pipe "kpi-gate --summary < '$f'"
		[ "$status" -eq 2 ] && [[ "$output" == "kpi-gate: line 1: "* ]]
		run kpi-gate -t "$f" < /dev/null
		[ "$status" -eq 2 ] && [[ "$output" == "kpi-gate: thresholds '$f': "* ]]
	done
	# record-bad-escape-no-arena.json: a bad escape freed a string through the
	# arena's free with no arena (null pointer arithmetic, UBSan)
	run_pipe "SOAKKIT_NO_ARENA=1 warmup-phase < '$FIXTURES/fuzz/record-bad-escape-no-arena.json'"
	[ "$output" = "warmup-phase: line 1: invalid JSON at byte 22" ]
}
