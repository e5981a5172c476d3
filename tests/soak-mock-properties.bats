#!/usr/bin/env bats
# soak-mock's market: adverse selection, queue position, the position
# bound under extreme parameters, the event log and its measurement by
# soak-measure (one code path).  Warm figures use maker_bias_uplift_v1's
# parameters and iterations 10-11 of seeds 1-3 unless a test says
# otherwise.

load helpers

bias='{"base_spread_bps_delta":0.15,"min_interval_ms":80,"replace_rate_per_min":252,"impact_cap_ratio":0.0855,"max_delta_ratio":0.133,"tail_age_ms":620,"concurrency_limit":4,"rescue_max_ratio":0.255,"rescue_min_edge_bps":1.5,"rescue_cooldown_ms":1250,"position_limit_notional":10000}'

# warm KPI JQ_EDIT [MARKET]: mean summary.KPI over seeds 1-3, iterations 10-11.
warm() {
	local p s
	p=$(jq -c "$2" <<<"$bias")
	for s in 1 2 3; do
		printf '{"iteration":10,"params":%s}\n{"iteration":11,"params":%s}\n' "$p" "$p" |
			soak-mock --seed "$s" --market "${3:-market_default}"
	done | jq -s "map(.summary.$1) | add / length"
}

# profile FILE JQ_EDIT: the default market profile edited.
profile() {
	jq "$2" "$SOAK_SRCDIR/presets/market_default.json" > "$1"
}

@test "maker fills are adversely selected in at least 95% of steady iterations" {
	# seeds 1-5, iterations 7-12: 30 iterations, at most 1 without adverse selection
	for s in 1 2 3 4 5; do
		for i in 7 8 9 10 11 12; do printf '{"iteration":%d,"params":%s}\n' "$i" "$bias"; done |
			soak-mock --seed "$s"
	done > "$BATS_TEST_TMPDIR/out"
	run jq -s '[.[] | select(.summary.adverse_bps > 0)] | length' "$BATS_TEST_TMPDIR/out"
	echo "iterations with adverse_bps > 0: $output of 30"
	[ "$output" -ge 29 ]
}

@test "adverse selection grows as the quote tightens" {
	tight=$(warm adverse_bps '.base_spread_bps_delta = -1.5')
	wide=$(warm adverse_bps '.base_spread_bps_delta = 1.5')
	echo "adverse_bps: tight $tight, wide $wide"
	jq -en "$tight > $wide * 1.15" >/dev/null
}

@test "adverse selection and informed fills grow as the bot's view of the market ages" {
	profile "$BATS_TEST_TMPDIR/fresh.json" '.cold_start.stale_base_ms = 20'
	profile "$BATS_TEST_TMPDIR/stale.json" '.cold_start.stale_base_ms = 3000'
	fresh=$(warm adverse_bps . "$BATS_TEST_TMPDIR/fresh.json")
	stale=$(warm adverse_bps . "$BATS_TEST_TMPDIR/stale.json")
	echo "adverse_bps: feed 20 ms $fresh, feed 3 s $stale"
	jq -en "$stale > $fresh * 1.3" >/dev/null
	fresh=$(warm informed_fills . "$BATS_TEST_TMPDIR/fresh.json")
	stale=$(warm informed_fills . "$BATS_TEST_TMPDIR/stale.json")
	echo "informed fills: $fresh, $stale"
	jq -en "$stale > $fresh * 1.3" >/dev/null
}

@test "without informed flow there is no adverse selection to speak of" {
	profile "$BATS_TEST_TMPDIR/none.json" '.informed.informed_orders_per_s = 0.0001'
	with=$(warm adverse_bps .)
	without=$(warm adverse_bps . "$BATS_TEST_TMPDIR/none.json")
	echo "adverse_bps: with informed flow $with, without $without"
	jq -en "$with > 0.3 and $without < $with / 2" >/dev/null
}

@test "queue position: a replace goes to the back, so replacing often costs fills" {
	# with a queue, refreshing every 200 ms instead of 1500 ms costs maker fills;
	# without one (depth 0) the refreshes cost almost nothing
	profile "$BATS_TEST_TMPDIR/noqueue.json" '.queue.queue_depth_per_bps = 0'
	often=$(warm fills.maker_count '.tail_age_ms = 200')
	rarely=$(warm fills.maker_count '.tail_age_ms = 1500')
	often0=$(warm fills.maker_count '.tail_age_ms = 200' "$BATS_TEST_TMPDIR/noqueue.json")
	rarely0=$(warm fills.maker_count '.tail_age_ms = 1500' "$BATS_TEST_TMPDIR/noqueue.json")
	echo "maker fills with a queue: $often -> $rarely; without: $often0 -> $rarely0"
	jq -en "$rarely - $often > 30 and ($rarely - $often) > 1.5 * ($rarely0 - $often0)" >/dev/null
	# and a deeper book leaves fewer fills to a quote at the same distance
	jq -en "$often0 > $often * 1.2" >/dev/null
}

@test "position bound: p95 |position| stays within 1.5 x the limit at the corners of the bounds" {
	# every corner of the seven parameters that drive orders and rescues (the
	# others at their lower bound), with the smallest and the largest position
	# limit, at the cold iteration 1 and a warm one: 512 runs
	soak-mock --list-params | jq -s -c '[.[] | {key, min, max}]' > "$BATS_TEST_TMPDIR/reg"
	jq -r -c '
	  (map({(.key): .min}) | add) as $low |
	  ["base_spread_bps_delta", "min_interval_ms", "replace_rate_per_min", "concurrency_limit",
	   "rescue_max_ratio", "rescue_min_edge_bps", "rescue_cooldown_ms"] as $keys |
	  (map({(.key): .}) | add) as $reg |
	  range(0; 128) as $n | (1, 10) as $it | (100, 10000000) as $limit |
	  ([range(0; 7) as $i | {($keys[$i]): (if (($n / pow(2; $i)) | floor) % 2 == 1
	       then $reg[$keys[$i]].max else $reg[$keys[$i]].min end)}] | add) as $corner |
	  {iteration: $it, params: ($low + $corner + {position_limit_notional: $limit})}' \
	  "$BATS_TEST_TMPDIR/reg" > "$BATS_TEST_TMPDIR/in"
	soak-mock --seed 1 < "$BATS_TEST_TMPDIR/in" > "$BATS_TEST_TMPDIR/out"
	run jq -s 'map(.summary.position_p95 / .params.position_limit_notional) | max' "$BATS_TEST_TMPDIR/out"
	echo "largest p95 |position| / limit over $(wc -l < "$BATS_TEST_TMPDIR/in") runs: $output"
	jq -en "$output <= 1.5" >/dev/null
}

@test "an eager rescue never hedges one position twice, even at a cold start" {
	# rescue_max 1, no cooldown, no edge: the bot rescues at once, but counts
	# its rescues in flight, so the taker volume stays a fraction of the maker volume
	run_pipe "record 1 | jq -c '.params += {rescue_max_ratio: 1, rescue_cooldown_ms: 0, rescue_min_edge_bps: 0}' | soak-mock --seed 2"
	assert_jq '.summary | .fills.taker_volume < 0.6 * .fills.maker_volume and .position_p95 <= 10000'
}

@test "the event log: start first, end last, time never goes back, every order sent before it is heard of" {
	run_pipe "for i in 1 10; do record \$i; done | soak-mock --seed 3 --events '$BATS_TEST_TMPDIR/ev' > /dev/null"
	[ "$status" -eq 0 ]
	for i in 1 10; do
		log=$BATS_TEST_TMPDIR/ev/$i.jsonl
		jq -e -s --argjson it "$i" '
		  .[0].ev == "start" and .[0].iteration == $it and .[-1].ev == "end" and .[-1].t == 300 and
		  ([.[].t] as $t | [range(1; $t | length) | select($t[.] < $t[. - 1])] | length == 0) and
		  ([.[] | select(.ev == "send") | .id] | unique) as $sent |
		  ([.[] | select(.ev == "ack" or .ev == "fill" or .ev == "cancel" or .ev == "reject") | .id] | unique) as $heard |
		  ($heard - $sent | length == 0) and
		  ([.[] | .ev] | unique - ["reject"]) == ["ack","cancel","end","fill","mid","send","start"]' "$log" >/dev/null
	done
}

@test "soak-measure --events reproduces soak-mock's summary exactly (several seeds and iterations)" {
	for s in 1 5 9; do
		for i in 1 2 6 12; do record "$i"; done > "$BATS_TEST_TMPDIR/in.$s"
		soak-mock --seed "$s" --events "$BATS_TEST_TMPDIR/ev.$s" < "$BATS_TEST_TMPDIR/in.$s" > "$BATS_TEST_TMPDIR/mock.$s"
		soak-measure --events "$BATS_TEST_TMPDIR/ev.$s" < "$BATS_TEST_TMPDIR/in.$s" > "$BATS_TEST_TMPDIR/measure.$s"
		# every field soak-measure writes, byte for byte as soak-mock wrote it
		jq -c '.summary' "$BATS_TEST_TMPDIR/measure.$s" > "$BATS_TEST_TMPDIR/a"
		jq -c -s --slurpfile m "$BATS_TEST_TMPDIR/measure.$s" '
		  to_entries[] | .key as $n | .value.summary as $s | ($m[$n].summary | keys_unsorted) as $k |
		  reduce $k[] as $key ({}; . + {($key): $s[$key]})' "$BATS_TEST_TMPDIR/mock.$s" > "$BATS_TEST_TMPDIR/b"
		[ "$(wc -l < "$BATS_TEST_TMPDIR/a")" -eq 4 ]
		diff "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	done
}

@test "--events: a directory that cannot be made is an I/O error; legacy has no events" {
	run_pipe "record 1 | soak-mock --events /proc/nonexistent/ev"
	[ "$status" -eq 3 ]
	[[ "$output" == "soak-mock: cannot create '/proc/nonexistent/ev'"* ]]
	run_pipe "record 1 | soak-mock --model legacy --events '$BATS_TEST_TMPDIR/x'"
	[ "$status" -eq 2 ]
}
