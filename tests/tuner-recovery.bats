#!/usr/bin/env bats
# The tuner against doing nothing, on the same seeds (bench/recovery.sh in
# small): a soak started from a bad parameter, without warm-up, with the
# default rules and with --rules none.  On these seeds the control never
# recovers (its last-8 window FAILs); the tuner's does.
load helpers

# soak NAME RULES SEED SET...: a 24-iteration soak-run without warm-up.
soak() {
	local name=$1 rules=$2 seed=$3
	shift 3
	run soak-run -q --seed "$seed" --no-warmup --rules "$rules" "$@" --out "$BATS_TEST_TMPDIR/$name"
	[ "$status" -le 1 ] || { echo "soak-run: $output"; return 1; }
	[ "$(grep -c . "$BATS_TEST_TMPDIR/$name/iterations.jsonl")" -eq 24 ]
}

# summary NAME: [FAIL iterations, final last-8 verdict, first iteration of a passing last-8 window]
summary() {
	jq -s -c '[(map(select(.gate.status == "FAIL")) | length), .[-1].gate.window.status,
	           (map(select(.gate.window.complete and .gate.window.status == "PASS")) | first | .iteration)]' \
		"$BATS_TEST_TMPDIR/$1/iterations.jsonl"
}

@test "--rules none is the control: nothing is ever proposed or applied" {
	soak control none 301 --set tail_age_ms=200
	jq -se 'all(.tuning.rules == "tuner_rules_none" and .tuning.proposed_deltas == {} and (.tuning.applied | not))' \
		"$BATS_TEST_TMPDIR/control/iterations.jsonl"
	jq -se 'all(.params.tail_age_ms == 200)' "$BATS_TEST_TMPDIR/control/iterations.jsonl"
}

@test "tail_age at its lower bound: the control FAILs every iteration, the tuner recovers" {
	for seed in 301 302; do
		soak tuner tuner_rules_v2 "$seed" --set tail_age_ms=200
		soak control none "$seed" --set tail_age_ms=200
		t=$(summary tuner) c=$(summary control)
		echo "seed $seed: tuner $t, control $c"
		# measured: tuner [8,"PASS",14] and [9,"PASS",14]; control [24,"FAIL",null] both
		jq -en --argjson t "$t" --argjson c "$c" \
			'$c[1] == "FAIL" and $c[0] >= 20 and $t[1] == "PASS" and $t[0] <= 10 and $t[2] <= 16'
		# it got there by raising tail_age_ms, the key that was wrong (from 200)
		jq -se '.[-1].params.tail_age_ms > 200' "$BATS_TEST_TMPDIR/tuner/iterations.jsonl"
	done
}

@test "position limit 1000: the control stays short of the window's goals, the tuner reaches them" {
	soak tuner tuner_rules_v2 301 --set position_limit_notional=1000
	soak control none 301 --set position_limit_notional=1000
	t=$(summary tuner) c=$(summary control)
	echo "tuner $t, control $c"
	# measured: tuner [6,"PASS",17]; control [7,"FAIL",null] (its maker share stays near 0.78)
	jq -en --argjson t "$t" --argjson c "$c" '$c[1] == "FAIL" and $c[2] == null and $t[1] == "PASS"'
	# by cutting taker rescues and raising the limit: rescue_max 0.3 -> 0.24,
	# cooldown 1000 -> 1755, position limit 1000 -> 1300
	jq -se '.[-1].params | .rescue_max_ratio < 0.3 and .rescue_cooldown_ms > 1000 and .position_limit_notional > 1000' \
		"$BATS_TEST_TMPDIR/tuner/iterations.jsonl"
}
