# Shared setup for soakkit's bats tests.  Programs come from PATH (the
# build tree's bin/, set by make check); fixtures from $SOAK_SRCDIR.

: "${SOAK_SRCDIR:=$(cd "$(dirname "$BATS_TEST_FILENAME")/.." && pwd)}"
FIXTURES="$SOAK_SRCDIR/tests/fixtures"
export SOAKKIT_PRESET_PATH="${SOAKKIT_PRESET_PATH:-$SOAK_SRCDIR/presets}"

# run_pipe 'shell pipeline': run it with bash -c, so $status and $output
# are the pipeline's (with pipefail: the first stage that failed).
run_pipe() {
	run bash -o pipefail -c "$1"
}

# A full iteration-5 record with baseline params, as soak-next writes it.
baseline_params='{"base_spread_bps_delta":0.14,"min_interval_ms":65,"replace_rate_per_min":280,"impact_cap_ratio":0.09,"max_delta_ratio":0.14,"tail_age_ms":620,"concurrency_limit":4,"rescue_max_ratio":0.3,"rescue_min_edge_bps":1,"rescue_cooldown_ms":1000,"position_limit_notional":10000}'

record() { # record ITERATION [EXTRA_JSON_MEMBERS]
	printf '{"iteration":%s,"params":%s%s}\n' "$1" "$baseline_params" "${2:+,$2}"
}
# run_pipe's bash -c sees these too.
export baseline_params FIXTURES SOAK_SRCDIR
export -f record

# assert_slurp FILTER: the filter, run with -e -s on $output (all lines
# as one array), must be true.
assert_slurp() {
	if ! printf '%s\n' "$output" | jq -e -s "$1" >/dev/null; then
		echo "jq assertion failed: $1" >&2
		echo "output was: $output" >&2
		return 1
	fi
}

# assert_jq FILTER: the filter, run with -e on $output, must be true.
assert_jq() {
	if ! printf '%s\n' "$output" | jq -e "$1" >/dev/null; then
		echo "jq assertion failed: $1" >&2
		echo "output was: $output" >&2
		return 1
	fi
}
