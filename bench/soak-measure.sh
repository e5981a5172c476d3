#!/bin/sh
# soak-measure.sh - soak-measure's throughput in events per second, beside
# `jq -c .` over the same event files in the same run.
#
# Usage: bench/soak-measure.sh [-n ITERATIONS] [-b BINDIR] [-g]
#   -n  iterations (event logs of 300 simulated seconds) to measure (default 50)
#   -g  use the generator below even when soak-mock can write events
#   -b  directory of the built programs (default: PATH)
# The logs come from soak-mock --events when it has that option, else from
# a deterministic generator below (a random-walk mid every 50 ms, a quote
# pair replaced every 0.5 s, acks, maker fills, rescues): 7,000 to 11,000
# events per iteration either way.
set -eu

n=50
bindir=
generator=
while getopts n:b:g opt; do
	case $opt in
	n) n=$OPTARG ;;
	b) bindir=$OPTARG ;;
	g) generator=1 ;;
	*) echo "usage: $0 [-n ITERATIONS] [-b BINDIR] [-g]" >&2; exit 2 ;;
	esac
done
srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${SOAKKIT_PRESET_PATH:=$srcdir/presets}"
export SOAKKIT_PRESET_PATH
[ -n "$bindir" ] && PATH=$(cd "$bindir" && pwd):$PATH && export PATH
command -v soak-measure >/dev/null || { echo "$0: soak-measure not found (use -b BINDIR)" >&2; exit 2; }
command -v jq >/dev/null || { echo "$0: jq not found" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/ev"
# Records as soak-next writes them, iterations 1..n (soak-measure reads only 'iteration').
params='{"base_spread_bps_delta":0.15,"min_interval_ms":80,"replace_rate_per_min":252,"impact_cap_ratio":0.0855,"max_delta_ratio":0.133,"tail_age_ms":620,"concurrency_limit":4,"rescue_max_ratio":0.255,"rescue_min_edge_bps":1.5,"rescue_cooldown_ms":1250,"position_limit_notional":10000}'
awk -v n="$n" -v p="$params" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"iteration\":%d,\"params\":%s}\n", i, p }' > "$work/in"

# generate ITERATION: one synthetic 300-second event log on stdout.
generate() {
	awk -v it="$1" 'BEGIN {
		srand(it); mid = 100; pos = 0; id = 0; bid = ""; ask = ""
		printf "{\"t\":0,\"ev\":\"start\",\"iteration\":%d,\"position_limit\":5000,\"risk_budget\":10000,\"markout_s\":5}\n", it
		for (k = 0; k < 6000; k++) {
			t = k * 0.05
			mid = mid * (1 + 2e-5 * (rand() - 0.5))
			printf "{\"t\":%.2f,\"ev\":\"mid\",\"price\":%.6f}\n", t, mid
			c = k % 10
			if (c == 0) {
				if (bid != "") printf "{\"t\":%.2f,\"ev\":\"cancel\",\"id\":\"%s\"}\n", t, bid
				if (ask != "") printf "{\"t\":%.2f,\"ev\":\"cancel\",\"id\":\"%s\"}\n", t, ask
				bid = "b" ++id; ask = "a" ++id
				bp = mid - 0.004; ap = mid + 0.004
				printf "{\"t\":%.2f,\"ev\":\"send\",\"id\":\"%s\",\"side\":\"buy\",\"price\":%.6f,\"qty\":10,\"kind\":\"quote\"}\n", t, bid, bp
				printf "{\"t\":%.2f,\"ev\":\"send\",\"id\":\"%s\",\"side\":\"sell\",\"price\":%.6f,\"qty\":10,\"kind\":\"quote\"}\n", t, ask, ap
			} else if (c == 1) {
				printf "{\"t\":%.2f,\"ev\":\"ack\",\"id\":\"%s\"}\n{\"t\":%.2f,\"ev\":\"ack\",\"id\":\"%s\"}\n", t, bid, t, ask
			} else if (c == 5 && rand() < 0.3) {
				side = rand() < 0.5 ? "buy" : "sell"
				if (side == "buy") { oid = bid; p = bp; bid = ""; pos += 10 } else { oid = ask; p = ap; ask = ""; pos -= 10 }
				printf "{\"t\":%.2f,\"ev\":\"fill\",\"id\":\"%s\",\"side\":\"%s\",\"price\":%.6f,\"qty\":10,\"liquidity\":\"maker\",\"fee\":-0.0005}\n", t, oid, side, p
			} else if (c == 6 && (pos >= 40 || pos <= -40)) {
				rid = "r" ++id; side = pos > 0 ? "sell" : "buy"
				printf "{\"t\":%.2f,\"ev\":\"send\",\"id\":\"%s\",\"side\":\"%s\",\"price\":%.6f,\"qty\":20,\"kind\":\"rescue\"}\n", t, rid, side, mid
			} else if (c == 7 && rid != "") {
				p = side == "sell" ? mid - 0.01 : mid + 0.01
				pos += side == "sell" ? -20 : 20
				printf "{\"t\":%.2f,\"ev\":\"ack\",\"id\":\"%s\"}\n", t, rid
				printf "{\"t\":%.2f,\"ev\":\"fill\",\"id\":\"%s\",\"side\":\"%s\",\"price\":%.6f,\"qty\":20,\"liquidity\":\"taker\",\"fee\":0.005}\n", t, rid, side, p
				rid = ""
			}
		}
		printf "{\"t\":300,\"ev\":\"end\"}\n"
	}'
}

source=generated
if [ -z "$generator" ] && command -v soak-mock >/dev/null && soak-mock --help | grep -q -- '--events'; then
	soak-mock --seed 1 --events="$work/ev" < "$work/in" > /dev/null
	source="soak-mock --events"
	[ -s "$work/ev/1.jsonl" ] || source=generated
fi
if [ "$source" = generated ]; then
	i=1
	while [ "$i" -le "$n" ]; do generate "$i" > "$work/ev/$i.jsonl"; i=$((i + 1)); done
fi
i=1
while [ "$i" -le "$n" ]; do cat "$work/ev/$i.jsonl"; i=$((i + 1)); done > "$work/all.jsonl"
events=$(wc -l < "$work/all.jsonl")

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }

t0=$(now)
soak-measure --events="$work/ev" < "$work/in" > "$work/out"
t1=$(now)
jq -c . "$work/all.jsonl" > /dev/null
t2=$(now)

measure_s=$(elapsed "$t0" "$t1")
jq_s=$(elapsed "$t1" "$t2")
awk -v n="$n" -v e="$events" -v m="$measure_s" -v j="$jq_s" -v src="$source" \
    -v b="$(wc -c < "$work/all.jsonl")" 'BEGIN {
	printf "event logs: %d iterations, %d events (%.1f MB), from %s\n", n, e, b / 1e6, src
	printf "soak-measure: %8.3f s  %10.0f events/s\n", m, e / m
	printf "jq -c .:      %8.3f s  %10.0f events/s  (same events, reference)\n", j, e / j
	printf "soak-measure / jq throughput: %.2f\n", (e / m) / (e / j)
}'
