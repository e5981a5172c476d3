#!/usr/bin/env bats
# Conventions every program shares: --help, --version, usage errors.

load helpers

programs() {
	for p in warmup-phase warmup-apply soak-mock tuner-propose tuner-filter kpi-gate soak-next soak-measure; do
		command -v "$p" >/dev/null && echo "$p"
	done
}

@test "every program prints its usage with --help and exits 0" {
	for p in $(programs); do
		run "$p" --help
		[ "$status" -eq 0 ] || { echo "$p: status $status"; return 1; }
		[[ "${lines[0]}" == "Usage: $p "* ]] || { echo "$p: ${lines[0]}"; return 1; }
	done
}

@test "every program prints its version with --version and exits 0" {
	for p in $(programs); do
		run "$p" --version
		[ "$status" -eq 0 ]
		[[ "$output" =~ ^$p\ \(soakkit\)\ [0-9]+\.[0-9]+ ]] || { echo "$p: $output"; return 1; }
	done
}

@test "an unknown option is a usage error (exit 2) with a hint" {
	for p in $(programs); do
		run "$p" --no-such-option </dev/null
		[ "$status" -eq 2 ] || { echo "$p: status $status"; return 1; }
		[[ "$output" == *"Try '$p --help' for more information."* ]] || { echo "$p: $output"; return 1; }
	done
}

@test "--help to a full disk is a write error" {
	[ -w /dev/full ] || skip "no /dev/full"
	run bash -c 'warmup-phase --help > /dev/full'
	[ "$status" -eq 3 ]
	[[ "$output" == "warmup-phase: write error"* ]]
}

@test "empty input gives empty output and exit 0" {
	for p in warmup-phase warmup-apply; do
		run "$p" </dev/null
		[ "$status" -eq 0 ]
		[ -z "$output" ]
	done
}
