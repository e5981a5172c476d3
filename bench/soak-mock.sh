#!/bin/sh
# soak-mock.sh - simulated iterations per second of soak-mock, with the
# events each iteration simulates (soak-events(5): the log the bot would
# write; the market orders, queue and gateway work come on top), beside
# the throughput of `jq -c .` over the same records in the same run.
#
# Usage: bench/soak-mock.sh [-n RECORDS] [-b BINDIR] [-d SECONDS]
#   -n  records (iterations) to simulate (default 5000)
#   -b  directory of the built programs (default: PATH)
#   -d  simulated seconds per iteration (default: the profile's, 300)
# Target (DESIGN.md): a 300-second iteration well under 1 ms.
set -eu

n=5000
bindir=
duration=
while getopts n:b:d: opt; do
	case $opt in
	n) n=$OPTARG ;;
	b) bindir=$OPTARG ;;
	d) duration="--duration=$OPTARG" ;;
	*) echo "usage: $0 [-n RECORDS] [-b BINDIR] [-d SECONDS]" >&2; exit 2 ;;
	esac
done
srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${SOAKKIT_PRESET_PATH:=$srcdir/presets}"
export SOAKKIT_PRESET_PATH
[ -n "$bindir" ] && PATH=$(cd "$bindir" && pwd):$PATH && export PATH
command -v soak-mock >/dev/null || { echo "$0: soak-mock not found (use -b BINDIR)" >&2; exit 2; }
command -v jq >/dev/null || { echo "$0: jq not found" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# Records as soak-next writes them, iterations 1..n (the cold start is in the first few).
params='{"base_spread_bps_delta":0.15,"min_interval_ms":80,"replace_rate_per_min":252,"impact_cap_ratio":0.0855,"max_delta_ratio":0.133,"tail_age_ms":620,"concurrency_limit":4,"rescue_max_ratio":0.255,"rescue_min_edge_bps":1.5,"rescue_cooldown_ms":1250,"position_limit_notional":10000}'
awk -v n="$n" -v p="$params" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"iteration\":%d,\"params\":%s}\n", i, p }' > "$work/in"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }

t0=$(now)
# shellcheck disable=SC2086
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f '%U %S' -o "$work/cpu" soak-mock --seed 1 $duration < "$work/in" > "$work/out"
else
	soak-mock --seed 1 $duration < "$work/in" > "$work/out"
fi
t1=$(now)
jq -c . "$work/out" > /dev/null
t2=$(now)

mock_s=$(elapsed "$t0" "$t1")
jq_s=$(elapsed "$t1" "$t2")
awk -v n="$n" -v m="$mock_s" -v j="$jq_s" -v b="$(wc -c < "$work/out")" 'BEGIN {
	printf "records: %d (%.1f KB of output)\n", n, b / 1024
	printf "soak-mock:  %8.3f s  %10.0f iterations/s  %.3f ms per iteration\n", m, n / m, 1000 * m / n
	printf "jq -c .:    %8.3f s  %10.0f records/s     (same records, reference)\n", j, n / j
	printf "soak-mock / jq throughput: %.2f\n", (n / m) / (n / j)
}'
[ -s "$work/cpu" ] && awk -v n="$n" '{ printf "soak-mock CPU time: %.3f s user + %.3f s system, %.3f ms per iteration (unaffected by other load)\n", $1, $2, 1000 * ($1 + $2) / n }' "$work/cpu"
jq -s -r 'map(.summary.events) | "events logged per iteration: \(add / length | round) (mean), \(min) - \(max)"' "$work/out"
