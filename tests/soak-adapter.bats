#!/usr/bin/env bats
# examples/soak-adapter.py, the reference adapter: a toy bot against an
# in-process venue as the engine of a soak; its event logs (soak-events(5))
# measured by soak-measure.
load helpers

ADAPTER="$SOAK_SRCDIR/examples/soak-adapter.py"

setup() {
	command -v python3 >/dev/null || skip "python3 not installed"
	cd "$BATS_TEST_TMPDIR"
}

@test "a short soak with the adapter as the engine: one summary per iteration, fields untouched" {
	run_pipe "soak-run -q --iterations 6 --warmup --preset maker_bias_uplift_v1 \
		--engine 'python3 $ADAPTER --events $BATS_TEST_TMPDIR/ev' --out bot > verdict.json"
	# the gate judges the toy bot: PASS/WARN (0) or FAIL (1), never a failed stage
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	[ "$(wc -l < bot/iterations.jsonl)" -eq 6 ]
	jq -e '.iterations == 6 and (.status | IN("PASS", "WARN", "FAIL"))' verdict.json
	# every record has the measured summary, from its own event log
	jq -se 'map(.summary | (.net_bps | type) == "number" and .fills.maker_count > 0
		and .maker_taker_ratio <= 1 and .order_count > 0) | all' bot/iterations.jsonl
	jq -se 'map(.iteration) == [1, 2, 3, 4, 5, 6]' bot/iterations.jsonl
	# iteration 1's params are soak-next's: the adapter passed them on untouched
	soak-next --first --preset maker_bias_uplift_v1 | jq -c .params > want
	head -1 bot/iterations.jsonl | jq -c .params > got
	cmp want got
	# the measurement is soak-measure's: measuring the logs again gives the same
	jq -c 'del(.summary)' bot/iterations.jsonl | head -3 | soak-measure --events ev | jq -c .summary > again
	head -3 bot/iterations.jsonl | jq -c .summary > first
	cmp first again
}

@test "the event logs are soak-events(5): start first, end last, time never goes back" {
	soak-next --first --preset maker_bias_uplift_v1 | warmup-phase | warmup-apply |
		python3 "$ADAPTER" --events ev > out.jsonl
	[ -s ev/1.jsonl ]
	jq -se '.[0].ev == "start" and .[0].iteration == 1 and .[-1].ev == "end"' ev/1.jsonl
	jq -se '[.[].t] as $t | [range(1; $t | length) | $t[.] >= $t[. - 1]] | all' ev/1.jsonl
	jq -se 'map(.ev) | unique - ["start", "mid", "send", "ack", "cancel", "fill", "end"] == []' ev/1.jsonl
	jq -se '[.[] | select(.ev == "fill")] | length > 0' ev/1.jsonl
	# the record passes through with only a summary added
	jq -e '(keys_unsorted | join(",")) == "iteration,params,phase,effective,warmup,summary"' out.jsonl
}

@test "one line out per line in, each flushed before the next is read" {
	coproc ADAPT { python3 "$ADAPTER" --events ev; }
	for i in 1 2 3; do
		echo "{\"iteration\":$i,\"params\":{}}" >&"${ADAPT[1]}"
		read -r -t 20 line <&"${ADAPT[0]}"   # would time out if the adapter buffered
		[ "$(jq -r .iteration <<<"$line")" -eq "$i" ]
		jq -e '.summary.order_count > 0' <<<"$line"
	done
	exec {ADAPT[1]}>&-
	wait "$ADAPT_PID"
}

@test "same seed, same iteration: the same events and summary" {
	echo '{"iteration":3,"params":{}}' | python3 "$ADAPTER" --events a > ra
	echo '{"iteration":3,"params":{}}' | python3 "$ADAPTER" --events b > rb
	cmp a/3.jsonl b/3.jsonl
	cmp ra rb
	echo '{"iteration":3,"params":{}}' | python3 "$ADAPTER" --events c --seed 2 > rc
	! cmp -s a/3.jsonl c/3.jsonl
}

@test "a bad record is an error on stderr, exit 2, never a guessed summary" {
	run_pipe "echo '[1]' | python3 '$ADAPTER' --events ev"
	[ "$status" -eq 2 ]
	[[ "$output" == "soak-adapter: line 1: not a JSON object" ]]
	run_pipe "echo '{\"iteration\":0,\"params\":{}}' | python3 '$ADAPTER' --events ev"
	[ "$status" -eq 2 ]
	[[ "$output" == *"line 1: 'iteration' must be a whole number from 1"* ]]
}
