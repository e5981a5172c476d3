#!/usr/bin/env bats
# soak-measure: each record's summary from its iteration's execution-event
# log (soak-events(5)).  Fixtures in tests/fixtures/events/NAME/1.jsonl;
# every expected KPI is worked out by hand in the comment above its test.
# Prices are in quote currency, qty in base units, N is traded notional,
# and a part in bps is (part / N) x 1e4, rounded to 4 decimals.

load helpers

: "${SOAK_BUILDDIR:=$SOAK_SRCDIR}"
EV="$FIXTURES/events"

# measure NAME: soak-measure over fixture NAME's iteration-1 log.
measure() {
	run_pipe "echo '{\"iteration\":1}' | soak-measure --events='$EV/$1'"
	[ "$status" -eq 0 ]
}

# summary_is JQ_OBJECT: every key of the object equals the summary's.
summary_is() {
	assert_jq ".summary as \$s | $1 | to_entries | all(\$s[.key] == .value)"
}

# net = gross - fees - adverse - slippage - inventory, to the rounding.
identity_holds() {
	assert_jq '.summary | (.net_bps - (.gross_bps - .fees_eff_bps - .adverse_bps - .slippage_bps - .inventory_bps)) | fabs < 0.0003'
}

# touch: mid 100 throughout; buy 10 at 99.9 (t=1), sell 10 at 100.1 (t=2).
#   N = 999 + 1001 = 2000; gross = 10x0.1 + 10x0.1 = 2 -> 2/2000e-4 = 10 bps;
#   no fees, no mid move: adverse = slippage = inventory = 0; net = pnl 2 -> 10.
#   latencies 50, 100 ms -> p95 (rank ceil(0.95x2) = 2) 100; ages 1-0.05 = 0.95 s,
#   2-0.1 = 1.9 s -> p95 1900 ms; |position| 1000 for 1 s of 10 -> p95 over time
#   1000 -> risk 1000/10000 = 0.1; maker_taker 2000/2000 = 1.
@test "fixture touch: a round trip at the touch earns the spread and nothing else" {
	measure touch
	summary_is '{"net_bps":10,"gross_bps":10,"fees_eff_bps":0,"adverse_bps":0,"slippage_bps":0,
		"inventory_bps":0,"maker_taker_ratio":1,"p95_latency_ms":100,"order_age_p95_ms":1900,
		"risk_ratio":0.1,"cancel_ratio":0,"pnl":2,"final_inventory":0,"neg_edge_drivers":[]}'
	assert_jq '.summary.fills == {"maker_count":2,"taker_count":0,"maker_volume":2000,"taker_volume":0}'
	identity_holds
}

# adverse: buy 20 at 99.95 at t=1 (mid 100), mid jumps to 99.8 at t=2.5, sell
#   20 at 99.85 at t=8 (mid 99.8), end t=20.
#   N = 1999 + 1997 = 3996; gross = 20x0.05 + 20x0.05 = 2 -> 5.005;
#   markout 5 s: fill 1 at t=6, mid 99.8: 20x(100-99.8) = 4 -> adverse 10.01;
#   fill 2 at t=13: 0.  Inventory: the carried position (fill 1 from t=6 to the
#   sale at 8) sees no mid change: 0.  pnl = -1999 + 1997 = -2 -> net -5.005
#   = 5.005 - 10.01.  Per fill: 20 bps and 0 -> adverse_bps_p95 20 (same mid
#   reference, the mid before the fill).  1 s markout (t=2, mid 100): 0;
#   30 s (beyond the end: the final mid 99.8): 4 -> 10.01.
#   |position| 2000 for 1.5 s, 1996 for 5.5 s, 0 for 13 s: 95% of 20 s = 19 s
#   is reached at 2000 -> risk 0.2.  Net < 0, the only cost: adverse.
@test "fixture adverse: a maker fill before a jump is adverse selection, not gross" {
	measure adverse
	summary_is '{"net_bps":-5.005,"gross_bps":5.005,"adverse_bps":10.01,"inventory_bps":0,
		"adverse_bps_p95":20,"adverse_bps_1s":0,"adverse_bps_5s":10.01,"adverse_bps_30s":10.01,
		"risk_ratio":0.2,"p95_latency_ms":20,"order_age_p95_ms":1990,"pnl":-2,
		"neg_edge_drivers":["adverse_bps"]}'
	identity_holds
}

# jump: a bid of 20 at 99.95 rests under the mid 100; at t=2 the mid jumps to
#   99.8 and takes it.  The trade is logged before the move it belongs to (the
#   convention of soak-events(5)): the fill first, then the new mid, same t.
#   N = 1999; gross = 20x(100-99.95) = 1 -> 5.0025; markout at t=7, mid 99.8:
#   20x0.2 = 4 -> adverse 20.01 (per fill 0.2/100 = 20 bps); inventory 0;
#   pnl = -1999 + 20x99.8 = -3 -> -15.0075 = 5.0025 - 20.01.
#   Logged the other way round (mid first) the same fill is a gross loss of
#   20x(99.8-99.95) = -3 -> -15.0075 and no adverse selection.
@test "fixture jump: a fill the mid's jump takes is adverse selection when logged before the jump" {
	measure jump
	summary_is '{"net_bps":-15.0075,"gross_bps":5.0025,"adverse_bps":20.01,"inventory_bps":0,
		"adverse_bps_p95":20,"neg_edge_drivers":["adverse_bps"]}'
	identity_holds
	sed -e '5{h;d}' -e '6G' "$EV/jump/1.jsonl" > "$BATS_TEST_TMPDIR/late.jsonl"
	run_pipe "echo '{\"iteration\":1,\"event_log\":\"$BATS_TEST_TMPDIR/late.jsonl\"}' | soak-measure"
	[ "$status" -eq 0 ]
	summary_is '{"net_bps":-15.0075,"gross_bps":-15.0075,"adverse_bps":0,"adverse_bps_p95":0}'
}

# rescue: buy 10 at 99.9 at t=1 (mid 100); mid 99.9 at t=2, 99.85 at t=7;
#   the bot sends a rescue sell at t=8 (mid at decision 99.85), the mid falls
#   to 99.8 at 8.05, the rescue fills at 99.7 (taker) at 8.1.
#   N = 999 + 997 = 1996; gross = 10x(100-99.9) = 1 -> 5.01;
#   adverse (5 s, mid 99.9 at t=6) = 10x0.1 = 1 -> 5.01;
#   slippage = 10x(99.85-99.7) = 1.5 -> 7.515 (per fill 0.15/99.85 = 15.0225 bps);
#   inventory: carried +10 from t=6 loses 10x0.05 (t=7) + 10x0.05 (t=8.05),
#   the rescue's -10 held from its decision gains 10x0.05: cost 0.5 -> 2.505;
#   pnl = -999 + 997 = -2 -> -10.02 = 5.01 - 5.01 - 7.515 - 2.505.
#   maker_taker 999/1996 = 0.5005; drivers: slippage, then adverse.
@test "fixture rescue: a taker rescue pays slippage against the mid at decision" {
	measure rescue
	summary_is '{"net_bps":-10.02,"gross_bps":5.01,"fees_eff_bps":0,"adverse_bps":5.01,
		"slippage_bps":7.515,"inventory_bps":2.505,"slippage_bps_p95":15.0225,
		"maker_taker_ratio":0.5005,"rescue_count":1,"p95_latency_ms":100,
		"neg_edge_drivers":["slippage_bps","adverse_bps"]}'
	assert_jq '.summary.fills == {"maker_count":1,"taker_count":1,"maker_volume":999,"taker_volume":997}'
	identity_holds
}

# rebate: mid 100 throughout; buy 10 at 99.9 (rebate 0.05), sell 5 at 100.1
#   (rebate 0.025), rescue sell 5 at 99.95 (decision mid 100, taker fee 0.125),
#   the rest of the sell quote cancelled at t=4.
#   N = 999 + 500.5 + 499.75 = 1999.25; gross = 1 + 0.5 = 1.5 -> 7.5028;
#   fees = -0.05 - 0.025 + 0.125 = 0.05 -> 0.2501; slippage 5x0.05 = 0.25 ->
#   1.2505; pnl = (-999 + 500.5 + 499.75) - 0.05 = 1.2 -> 6.0023.
#   maker_taker 1499.5/1999.25 = 0.75; cancel_ratio 1 cancel / 2 quotes = 0.5;
#   ages 0.95 s and 3.95 s -> 3950; latencies 50, 50, 200 -> 200.
@test "fixture rebate: maker rebates lower the fees, the taker fee raises them" {
	measure rebate
	summary_is '{"net_bps":6.0023,"gross_bps":7.5028,"fees_eff_bps":0.2501,"slippage_bps":1.2505,
		"adverse_bps":0,"inventory_bps":0,"maker_taker_ratio":0.75,"cancel_ratio":0.5,
		"order_age_p95_ms":3950,"p95_latency_ms":200,"slippage_bps_p95":5,"pnl":1.2}'
	identity_holds
}

# carry: buy 10 at 99.9 at t=1 (mid 100), mid 100 at the 5 s markout (t=6),
#   rises to 100.2 at t=8, held to the end (t=10).
#   N = 999; gross 1 -> 10.01; adverse 0; inventory: +10 x 0.2 = 2 gained ->
#   -20.02 (a negative cost); pnl = -999 + 10x100.2 = 3 -> 30.03;
#   30 s markout (past the end: final mid) = 10x(100-100.2) = -2 -> -20.02.
#   |position|: 1000 for 7 s, 1002 for 2 s, 0 for 1 s -> p95 1002 -> 0.1002.
@test "fixture carry: a position held to the end is marked to the final mid" {
	measure carry
	summary_is '{"net_bps":30.03,"gross_bps":10.01,"adverse_bps":0,"inventory_bps":-20.02,
		"adverse_bps_30s":-20.02,"risk_ratio":0.1002,"final_inventory":10,"pnl":3,
		"order_age_p95_ms":950}'
	identity_holds
}

# orders: bid/ask instead of mid; a quote acked after 100 ms and cancelled
#   1 s later, a quote rejected, a quote left open.  No fills: every money
#   KPI 0; cancel_ratio 1/3 = 0.3333; latency p95 of 100, 50 ms = 100;
#   ages: 1000 ms (the open quote has no age yet); ids as numbers or text.
@test "fixture orders: cancels, rejects and latencies without fills" {
	measure orders
	summary_is '{"net_bps":0,"maker_taker_ratio":0,"cancel_ratio":0.3333,"p95_latency_ms":100,
		"order_age_p95_ms":1000,"order_count":3,"cancel_count":1,"reject_count":1,"risk_ratio":0}'
}

@test "the identity check is real: one part broken by 1e-5 bps fails it, 1e-7 does not" {
	harness="$SOAK_BUILDDIR/tests/measure-harness"
	for f in touch adverse rescue rebate carry; do
		run "$harness" break none 0 < "$EV/$f/1.jsonl"
		[ "$status" -eq 0 ]
		[[ "$output" == "ok "* ]]
		for part in gross fees adverse slippage inventory; do
			run "$harness" break "$part" 1e-5 < "$EV/$f/1.jsonl"
			[ "$status" -eq 1 ]
			[[ "$output" == "attribution does not add up: net_bps "* ]]
			run "$harness" break "$part" 1e-7 < "$EV/$f/1.jsonl"
			[ "$status" -eq 0 ]
		done
	done
}

@test "events are written so that they read back bit for bit" {
	harness="$SOAK_BUILDDIR/tests/measure-harness"
	printf '%s\n' \
		'{"t":0.1,"ev":"mid","price":100.30000000000001}' \
		'{"t":1e-7,"ev":"bid","price":0.1}' \
		'{"t":3,"ev":"send","id":12,"side":"sell","price":1.7976931348623157e308,"qty":2.5e-300,"kind":"rescue"}' \
		'{"t":3,"ev":"reject","id":"q\"1\\","reason":"tab\there \u00e9"}' \
		'{"t":4,"ev":"fill","id":"x","side":"buy","price":99.95,"qty":0.30000000000000004,"liquidity":"taker","fee":-0.5}' \
		'{"t":5,"ev":"start","iteration":7,"position_limit":1,"risk_budget":2,"markout_s":0.25}' \
		'{"t":9,"ev":"end"}' > "$BATS_TEST_TMPDIR/log"
	run "$harness" roundtrip < "$BATS_TEST_TMPDIR/log"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	# the same JSON values (ids as text), and the shortest exact digits
	[ "$(printf '%s\n' "$output" | jq -cS .)" = "$(jq -cS 'if .id then .id |= tostring else . end' "$BATS_TEST_TMPDIR/log")" ]
	[ "${lines[0]}" = '{"t":0.1,"ev":"mid","price":100.30000000000001}' ]
	[[ "${lines[2]}" == *'"id":"12"'* ]]
}

@test "numbers of every size and number of decimals are written exactly" {
	harness="$SOAK_BUILDDIR/tests/measure-harness"
	# fees with 0 to 17 significant digits, from 1e-9 to 1e9, both signs
	awk 'BEGIN { srand(5); for (i = 0; i < 3000; i++) {
		x = (rand() - 0.5) * 10 ^ (int(rand() * 19) - 9); d = int(rand() * 12)
		printf "{\"t\":%.6f,\"ev\":\"fill\",\"id\":\"x\",\"side\":\"buy\",\"price\":%.8f,\"qty\":1,\"liquidity\":\"maker\",\"fee\":%.17g}\n", rand() * 300, 100 + x / 1e9, x
		printf "{\"t\":1,\"ev\":\"fill\",\"id\":\"x\",\"side\":\"sell\",\"price\":1,\"qty\":1,\"liquidity\":\"taker\",\"fee\":%.*f}\n", d, x } }' > "$BATS_TEST_TMPDIR/numbers"
	run "$harness" roundtrip < "$BATS_TEST_TMPDIR/numbers"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6000 ]
	# and jq reads the same values (-0 is written as 0)
	[ "$(printf '%s\n' "$output" | jq -c '[.t, .price, .fee + 0]' | md5sum)" = "$(jq -c '[.t, .price, .fee + 0]' "$BATS_TEST_TMPDIR/numbers" | md5sum)" ]
}

@test "the record keeps its fields; an old summary is replaced" {
	run_pipe "echo '{\"iteration\":1,\"params\":{\"x\":1.50},\"summary\":{\"net_bps\":99,\"old\":1},\"z\":[1]}' | soak-measure --events='$EV/touch'"
	[ "$status" -eq 0 ]
	[[ "$output" == '{"iteration":1,"params":{"x":1.50},"summary":{"net_bps":10,'* ]]
	assert_jq '(.summary | has("old") | not) and .z == [1]'
}

@test "a record may carry its log's path in event_log" {
	run_pipe "echo '{\"iteration\":1,\"event_log\":\"$EV/carry/1.jsonl\"}' | soak-measure"
	[ "$status" -eq 0 ]
	assert_jq '.summary.net_bps == 30.03'
}

@test "--markout changes the horizon of adverse_bps only" {
	run_pipe "echo '{\"iteration\":1}' | soak-measure --events='$EV/adverse' --markout=1"
	[ "$status" -eq 0 ]
	# at 1 s fill 1 is marked at 100 (the jump comes at 2.5): adverse 0, and the
	# whole move lands in inventory: 20 x 0.2 = 4 -> 10.01
	summary_is '{"adverse_bps":0,"inventory_bps":10.01,"net_bps":-5.005,"markout_s":1,"adverse_bps_5s":10.01}'
}

# bad LOG_LINES... : soak-measure over a log made of these lines must exit 2
# naming the file and a line; $output is the message.
bad() {
	local dir="$BATS_TEST_TMPDIR/bad"
	mkdir -p "$dir"
	printf '%s\n' "$@" > "$dir/1.jsonl"
	run_pipe "echo '{\"iteration\":1}' | soak-measure --events='$dir'"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "soak-measure: $dir/1.jsonl: line "* ]]
}

START='{"t":0,"ev":"start","iteration":1,"position_limit":5000,"risk_budget":10000}'
MID='{"t":0,"ev":"mid","price":100}'
END='{"t":9,"ev":"end"}'

@test "a truncated log (no end) is bad input, never a guessed summary" {
	bad "$START" "$MID"
	[[ "$output" == *"line 2: the log ends without an 'end' event (truncated)" ]]
	head -c -1 "$EV/touch/1.jsonl" > "$BATS_TEST_TMPDIR/1.jsonl"
	run_pipe "echo '{\"iteration\":1}' | soak-measure --events='$BATS_TEST_TMPDIR'"
	[ "$status" -eq 2 ]
	[[ "$output" == *"1.jsonl: line 9: no newline at the end (truncated)" ]]
}

@test "events out of order are bad input" {
	bad "$START" '{"t":2,"ev":"mid","price":100}' '{"t":1,"ev":"mid","price":101}' "$END"
	[[ "$output" == *"line 3: 't' goes back from 2 to 1" ]]
	bad "$MID" "$START" "$END"
	[[ "$output" == *"line 1: 'mid' before 'start' (the log must begin with 'start')" ]]
	bad "$START" "$MID" "$END" "$MID"
	[[ "$output" == *"line 4: 'mid' after 'end'" ]]
	bad "$START" "$START" "$END"
	[[ "$output" == *"line 2: a second 'start' event" ]]
}

@test "orders that do not add up are bad input" {
	send='{"t":1,"ev":"send","id":"a","side":"buy","price":99,"qty":2,"kind":"quote"}'
	bad "$START" "$MID" '{"t":1,"ev":"ack","id":"zz"}' "$END"
	[[ "$output" == *"line 3: 'ack' of order 'zz', which is not open" ]]
	bad "$START" "$MID" "$send" "$send" "$END"
	[[ "$output" == *"line 4: order 'a' sent while already open" ]]
	bad "$START" "$MID" "$send" '{"t":2,"ev":"fill","id":"a","side":"buy","price":99,"qty":3,"liquidity":"maker","fee":0}' "$END"
	[[ "$output" == *"line 4: fill of 3 overfills order 'a' (2 open)" ]]
	bad "$START" "$MID" "$send" '{"t":2,"ev":"fill","id":"a","side":"sell","price":99,"qty":1,"liquidity":"maker","fee":0}' "$END"
	[[ "$output" == *"line 4: fill on the sell side of order 'a', a buy" ]]
	bad "$START" "$send" "$END"
	[[ "$output" == *"line 2: 'send' before any mid (a 'mid' or both 'bid' and 'ask')" ]]
	bad "$START" "$MID" "$send" '{"t":2,"ev":"ack","id":"a"}' '{"t":3,"ev":"ack","id":"a"}' "$END"
	[[ "$output" == *"line 5: a second 'ack' of order 'a'" ]]
}

@test "malformed events are bad input" {
	bad "$START" '{"t":1,"ev":"mid","price":100' "$END"
	[[ "$output" == *"line 2: invalid JSON"* ]]
	bad "$START" '{"t":1,"ev":"quote","price":100}' "$END"
	[[ "$output" == *"line 2: unknown event 'quote'" ]]
	bad "$START" '{"t":1,"ev":"mid","price":-1}' "$END"
	[[ "$output" == *"line 2: 'price' is -1, must be > 0" ]]
	bad "$START" '{"t":1,"ev":"mid","price":100,"size":3}' "$END"
	[[ "$output" == *"line 2: unknown field 'size' in a 'mid' event" ]]
	bad "$START" '{"t":1,"ev":"mid"}' "$END"
	[[ "$output" == *"line 2: missing field 'price'" ]]
	bad "$START" '' "$END"
	[[ "$output" == *"line 2: "* ]]
	bad '{"t":0,"ev":"start","iteration":2,"position_limit":5000,"risk_budget":10000}' "$MID" "$END"
	[[ "$output" == *"line 1: 'start' is iteration 2 but the record is iteration 1" ]]
}

@test "numbers that overflow the KPIs are bad input, not inf or nan" {
	bad '{"t":0,"ev":"start","iteration":1,"position_limit":5000,"risk_budget":1e-310}' \
		'{"t":0,"ev":"mid","price":1e300}' \
		'{"t":0,"ev":"send","id":"a","side":"buy","price":1e300,"qty":1,"kind":"quote"}' \
		'{"t":1,"ev":"fill","id":"a","side":"buy","price":1e300,"qty":1,"liquidity":"maker","fee":0}' "$END"
	[[ "$output" == *"line 5: the KPIs overflow (prices, sizes or times too large)" ]]
	bad "$START" "$MID" \
		'{"t":0,"ev":"send","id":"a","side":"buy","price":1e300,"qty":1e10,"kind":"quote"}' \
		'{"t":1,"ev":"fill","id":"a","side":"buy","price":1e300,"qty":1e10,"liquidity":"maker","fee":0}' "$END"
	[[ "$output" == *"line 4: the fill's notional (qty x price) is not a finite number" ]]
}

@test "with --on-error=skip a record with a bad log is rejected and the rest goes on" {
	mkdir -p "$BATS_TEST_TMPDIR/d"
	cp "$EV/touch/1.jsonl" "$BATS_TEST_TMPDIR/d/1.jsonl"
	printf '%s\n' "${START/\"iteration\":1/\"iteration\":2}" > "$BATS_TEST_TMPDIR/d/2.jsonl"
	run bash -c 'printf "{\"iteration\":2}\n{\"iteration\":1}\n" | soak-measure --events="$0" --on-error=skip 2>"$0/err"' "$BATS_TEST_TMPDIR/d"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	assert_jq '.iteration == 1 and .summary.net_bps == 10'
	grep -q "2.jsonl: line 1: the log ends without an 'end' event (truncated)" "$BATS_TEST_TMPDIR/d/err"
}

@test "a missing log is an I/O error (exit 3); no --events and no event_log is bad input" {
	run_pipe "echo '{\"iteration\":4}' | soak-measure --events='$EV/touch'"
	[ "$status" -eq 3 ]
	[[ "$output" == "soak-measure: $EV/touch/4.jsonl: cannot open: No such file or directory" ]]
	run_pipe "echo '{\"iteration\":1}' | soak-measure"
	[ "$status" -eq 2 ]
	[[ "$output" == "soak-measure: line 1: no 'event_log' in the record and no --events=DIR" ]]
}

@test "an event-log line longer than --max-line-bytes is bad input, read past without holding it" {
	# line 2 of the touch log is 40 bytes; a 200-byte pad makes line 3 too long
	{ sed -n 1,2p "$EV/touch/1.jsonl"; printf '{"t":1,"ev":"mid","price":100,"pad":"%0200d"}\n' 0;
	  sed -n '3,$p' "$EV/touch/1.jsonl"; } > "$BATS_TEST_TMPDIR/1.jsonl"
	run_pipe "echo '{\"iteration\":1}' | soak-measure --max-line-bytes=200 --events='$BATS_TEST_TMPDIR'"
	[ "$status" -eq 2 ]
	[[ "$output" == *"1.jsonl: line 3: line longer than 200 bytes (--max-line-bytes)" ]]
	# a 24 MiB line with a bound of 1000 bytes: exit 2 holding no more than
	# the bound (the old reader held the whole line: 26 MB)
	mkdir "$BATS_TEST_TMPDIR/big"
	{ head -c $((24 << 20)) /dev/zero | tr '\0' 'x'; echo; } > "$BATS_TEST_TMPDIR/big/1.jsonl"
	run_pipe "echo '{\"iteration\":1}' | /usr/bin/time -f 'maxrss %M' soak-measure --max-line-bytes=1000 --events='$BATS_TEST_TMPDIR/big'"
	[ "$status" -eq 2 ]
	[[ "$output" == *"1.jsonl: line 1: line longer than 1000 bytes (--max-line-bytes)"* ]]
	rss=$(echo "$output" | sed -n 's/^maxrss //p')
	echo "max RSS $rss KB"
	[ "$rss" -lt 8000 ]
}

@test "an event log with no end of line (/dev/zero) is refused at the bound, not read for ever" {
	run_pipe "echo '{\"iteration\":1,\"event_log\":\"/dev/zero\"}' | timeout 20 soak-measure --max-line-bytes=4096"
	[ "$status" -eq 2 ]
	[[ "$output" == *"/dev/zero: line 1: line longer than 4096 bytes (--max-line-bytes)"* ]]
}
