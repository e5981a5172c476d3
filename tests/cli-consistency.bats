#!/usr/bin/env bats
# One command line: a short letter means one long option in every program,
# typos get a suggestion, a file in the working directory gets a ./NAME
# hint, --list-presets lists the names that can be given.
load helpers

# Every program of the build: those with a man page in section 1.
programs() {
	local page
	for page in "$SOAK_SRCDIR"/man/*.1; do
		basename "$page" .1
	done
}

@test "a short option letter means the same long option in every program's --help" {
	local prog bad=0
	for prog in $(programs); do
		"$prog" --help | grep -oE '^ {0,8}-[A-Za-z], --[a-z][a-z-]*' | sed "s/^ *//; s/,//; s/\$/ $prog/"
	done > "$BATS_TEST_TMPDIR/letters"
	# at least the 11 programs' -h and -V were read
	[ "$(grep -c '^-h --help ' "$BATS_TEST_TMPDIR/letters")" -ge 11 ]
	while read -r letter longs; do
		echo "$letter is $longs" >&2
		bad=1
	done < <(awk '{ if (!(($1, $2) in seen)) { seen[$1, $2] = 1; n[$1]++; l[$1] = l[$1] " " $2 "(" $3 ")" } }
		END { for (k in n) if (n[k] > 1) print k, l[k] }' "$BATS_TEST_TMPDIR/letters")
	[ $bad = 0 ]
}

@test "an unknown long option gets the nearest known one; an ambiguous one its candidates" {
	run kpi-gate --summray
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "kpi-gate: unknown option '--summray'; did you mean '--summary'?" ]
	[ "${lines[1]}" = "Try 'kpi-gate --help' for more information." ]
	run soak-mock --sede 3
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "soak-mock: unknown option '--sede'; did you mean '--seed'?" ]
	run warmup-apply --no-gaurds
	[ "${lines[0]}" = "warmup-apply: unknown option '--no-gaurds'; did you mean '--no-guards'?" ]
	run kpi-gate --zzzzzz
	[ "${lines[0]}" = "kpi-gate: unknown option '--zzzzzz'" ]
	run kpi-gate --summary --f json
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "kpi-gate: option '--f' is ambiguous; possibilities: '--format' '--fail-on'" ]
	run kpi-gate --window
	[ "${lines[0]}" = "kpi-gate: option '--window' requires an argument" ]
	run kpi-gate --summary=yes
	[ "${lines[0]}" = "kpi-gate: option '--summary' takes no argument" ]
	run kpi-gate -x
	[ "${lines[0]}" = "kpi-gate: unknown option '-x'" ]
}

@test "a preset name mistyped gets the nearest one; a file here gets a ./NAME hint" {
	cd "$BATS_TEST_TMPDIR"
	run soak-next --first --preset maker-bias-uplift-v1
	[ "$status" -eq 2 ]
	[[ "$output" == *"no 'maker-bias-uplift-v1.json' in \$SOAKKIT_PRESET_PATH or "*"; did you mean 'maker_bias_uplift_v1'?" ]]
	cp "$SOAK_SRCDIR/presets/kpi_thresholds_v1.json" strict.json
	run kpi-gate --summary --thresholds strict.json < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"; 'strict.json' is a file in the working directory: give it as './strict.json'" ]]
	run kpi-gate --summary --thresholds strict < /dev/null
	[[ "$output" == *"give it as './strict.json'" ]]
	run_pipe 'kpi-gate --summary --thresholds ./strict.json < /dev/null'
	[ "$status" -eq 1 ]   # found: no records is a FAIL verdict
}

@test "a parameter key or thresholds field mistyped gets the nearest one" {
	run soak-next --first --set min_interval=80
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "soak-next: option '--set': unknown parameter 'min_interval'; did you mean 'min_interval_ms'?" ]
	cd "$BATS_TEST_TMPDIR"
	jq '.iteration[0].treshold = .iteration[0].threshold | del(.iteration[0].threshold)' \
		"$SOAK_SRCDIR/presets/kpi_thresholds_v1.json" > t.json
	run kpi-gate --thresholds ./t.json < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown field 'treshold' in 'iteration[0]'; did you mean 'threshold'?"* ]]
	jq '.iteration[0].kpi = "net_bp"' "$SOAK_SRCDIR/presets/kpi_thresholds_v1.json" > k.json
	run kpi-gate --thresholds ./k.json < /dev/null
	[[ "$output" == *"is 'net_bp', not a KPI kpi-gate knows (see soak-thresholds(5)); did you mean 'net_bps'?"* ]]
	jq '.changes.quoting.min_interval = .changes.quoting.min_interval_ms | del(.changes.quoting.min_interval_ms)' \
		"$SOAK_SRCDIR/presets/maker_bias_uplift_v1.json" > p.json
	run soak-next --first --preset ./p.json
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown parameter 'quoting.min_interval'; did you mean 'quoting.min_interval_ms'?"* ]]
	run_pipe "echo '{\"iteration\":2,\"params\":{\"min_interval\":80}}' | warmup-phase | warmup-apply --no-guards"
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown parameter 'params.min_interval'; did you mean 'min_interval_ms'?"* ]]
}

@test "--list-presets: every data file by name, kind and path, in search order" {
	run kpi-gate --list-presets
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "kpi_thresholds_v1	thresholds	$SOAK_SRCDIR/presets/kpi_thresholds_v1.json" ]
	[ "$(printf '%s\n' "$output" | cut -f 1,2 | tr '\t\n' ': ')" = "compare_default:compare kpi_thresholds_v1:thresholds maker_bias_uplift_v1:preset market_default:market tuner_rules_none:rules tuner_rules_v1:rules tuner_rules_v2:rules warmup_conservative_v1:preset " ]
	# a directory earlier in the path adds names and hides the same name later
	mkdir "$BATS_TEST_TMPDIR/mine"
	cp "$SOAK_SRCDIR/presets/maker_bias_uplift_v1.json" "$BATS_TEST_TMPDIR/mine/my_preset.json"
	cp "$SOAK_SRCDIR/presets/tuner_rules_v1.json" "$BATS_TEST_TMPDIR/mine/kpi_thresholds_v1.json"
	run env SOAKKIT_PRESET_PATH="$BATS_TEST_TMPDIR/mine:$SOAK_SRCDIR/presets" soak-next --list-presets
	[ "${lines[0]}" = "kpi_thresholds_v1	rules	$BATS_TEST_TMPDIR/mine/kpi_thresholds_v1.json" ]
	[ "${lines[1]}" = "my_preset	preset	$BATS_TEST_TMPDIR/mine/my_preset.json" ]
	[ "$(grep -c '^kpi_thresholds_v1' <<<"$output")" -eq 1 ]
	for prog in kpi-gate soak-next warmup-apply soak-mock tuner-propose soak-report; do
		"$prog" --list-presets > /dev/null || { echo "$prog has no --list-presets"; false; }
	done
}

@test "an option that has no effect in the combination given is an error" {
	run kpi-gate --format=junit < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--format' needs --summary"* ]]
	run soak-report --run run.json --format=markdown < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--run' has no effect with --format=markdown without --plot"* ]]
	run soak-next --preset maker_bias_uplift_v1 < /dev/null
	[ "$status" -eq 2 ]
	cd "$BATS_TEST_TMPDIR"
	run soak-run -q -n 2 --warmup-preset warmup_conservative_v1 --out a
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--warmup-preset' has no effect without --warmup"* ]]
	[ ! -e a ]
	run soak-run -q -n 2 --seed 3 --engine 'soak-mock --seed=3' --out b
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--seed' has no effect with --engine=soak-mock --seed=3"* ]]
	run soak-run -q -n 2 --market market_default --engine 'soak-mock' --out c
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--market' has no effect with --engine=soak-mock"* ]]
	run soak-run --warmpu
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "soak-run: unknown option '--warmpu'; did you mean '--warmup'?" ]
}
