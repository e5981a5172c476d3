#!/usr/bin/env bats
# One code path: soak-mock computes its summary from the events of its
# simulated market with lib/measure, and soak-mock --events=DIR writes
# those events; soak-measure over them must give back soak-mock's summary
# exactly (every field soak-measure writes, same text), for several seeds
# and iterations, cold start included.

load helpers

# mock_and_measure SEED ITERATIONS...: soak-mock with --events, then
# soak-measure over its output; files mock.jsonl, measured.jsonl in $dir.
mock_and_measure() {
	local seed=$1
	shift
	dir="$BATS_TEST_TMPDIR/seed$seed"
	mkdir -p "$dir/ev"
	for i in "$@"; do record "$i"; done | soak-mock --seed "$seed" --events="$dir/ev" > "$dir/mock.jsonl"
	soak-measure --events="$dir/ev" < "$dir/mock.jsonl" > "$dir/measured.jsonl"
}

@test "soak-measure over soak-mock's events reproduces soak-mock's summary, seeds 1, 2, 7, iterations 1-4 and 12" {
	for seed in 1 2 7; do
		mock_and_measure "$seed" 1 2 3 4 12
		[ "$(wc -l < "$dir/measured.jsonl")" -eq 5 ]
		# byte for byte: soak-mock's summary is soak-measure's, then soak-mock's own extras
		paste -d '\n' "$dir/mock.jsonl" "$dir/measured.jsonl" | jq -c -r '.summary' |
			awk 'NR % 2 == 1 { mock = $0; next }
			     { measured = substr($0, 1, length($0) - 1)
			       if (index(mock, measured ",") != 1) { print "line " NR/2 ": " mock " vs " $0; bad = 1 } }
			     END { exit bad }'
		# and as values: every field soak-measure writes is soak-mock's
		run jq -n -e --slurpfile a "$dir/mock.jsonl" --slurpfile b "$dir/measured.jsonl" \
			'[range($a | length)] | all(. as $i | $b[$i].summary | to_entries |
			   all(.value == $a[$i].summary[.key]))'
		[ "$status" -eq 0 ]
	done
}

@test "the iterations compared are not trivial: fills of both kinds, cancels, a loss somewhere" {
	mock_and_measure 1 1 2 3 4 12
	run jq -s -e 'all(.summary.fills.maker_count > 100 and .summary.fills.taker_count > 0 and
		.summary.cancel_count > 10) and any(.summary.net_bps < 0 and (.summary.neg_edge_drivers | length) > 0)' "$dir/measured.jsonl"
	[ "$status" -eq 0 ]
	# soak-measure recomputed the summary: without the log it cannot
	rm "$dir/ev/3.jsonl"
	run bash -c 'soak-measure --events="$0/ev" < "$0/mock.jsonl"' "$dir"
	[ "$status" -eq 3 ]
}

@test "a changed event changes soak-measure's summary (it reads the log, not the record)" {
	mock_and_measure 2 5
	# drop the last fill of the log: the measured fills and P&L move
	last=$(grep -n '"ev":"fill"' "$dir/ev/5.jsonl" | tail -1 | cut -d: -f1)
	sed -i "${last}d" "$dir/ev/5.jsonl"
	soak-measure --events="$dir/ev" < "$dir/mock.jsonl" > "$dir/changed.jsonl"
	run jq -n -e --slurpfile a "$dir/mock.jsonl" --slurpfile b "$dir/changed.jsonl" \
		'($a[0].summary.fills.maker_count + $a[0].summary.fills.taker_count) -
		 ($b[0].summary.fills.maker_count + $b[0].summary.fills.taker_count) == 1'
	[ "$status" -eq 0 ]
}
