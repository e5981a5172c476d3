#!/bin/sh
# Throughput and peak memory of each filter against `jq -c .` on the same
# records, measured in the same run, and of the five-filter replay chain.
# Targets (DESIGN.md): each filter >= 3x jq; the chain faster than one jq;
# peak memory < 8 MB whatever the stream length.
#
# usage: bench/filters.sh [COPIES]   (run from a build tree: uses ./bin)
#   COPIES: how many times the 1,000-record log is repeated (default 20)
set -eu
copies=${1:-20}
bin=${BIN:-$PWD/bin}
[ -x "$bin/warmup-phase" ] || { echo "bench/filters.sh: run from the build tree (no $bin/warmup-phase)" >&2; exit 2; }
PATH=$bin:$PATH
export PATH
srcdir=$(cd "$(dirname "$0")/.." && pwd)
export SOAKKIT_PRESET_PATH="${SOAKKIT_PRESET_PATH:-$srcdir/presets}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Realistic records: a 1,000-iteration soak, each record turned into the
# next iteration's input with its recorded market (what a replay sees).
soak-run -q -n 1000 --warmup --preset maker_bias_uplift_v1 --out "$tmp/run" >/dev/null || true
head -n 999 "$tmp/run/iterations.jsonl" | soak-next | soak-replay "$tmp/run/iterations.jsonl" > "$tmp/one"
# Copies renumbered so the stream stays one contiguous run of iterations
# (kpi-gate and tuner-filter refuse anything else).
i=0
while [ $i -lt "$copies" ]; do
	jq -c --argjson off $((i * 999)) '.iteration += $off' "$tmp/one"
	i=$((i + 1))
done > "$tmp/in.0"
records=$(wc -l < "$tmp/in.0")
bytes=$(wc -c < "$tmp/in.0")

# Inputs of each stage: the output of the stage before.
warmup-phase < "$tmp/in.0" > "$tmp/in.1"
warmup-apply < "$tmp/in.1" > "$tmp/in.2"
tuner-propose < "$tmp/in.2" > "$tmp/in.3"
tuner-filter < "$tmp/in.3" > "$tmp/in.4"

# (The figures printed by `seconds` are split into words on purpose.)
# shellcheck disable=SC2046
seconds() { # seconds INPUT COMMAND...: wall seconds, peak KB, CPU seconds of COMMAND < INPUT
	in=$1
	shift
	/usr/bin/time -f '%e %M %U %S' -o "$tmp/time" "$@" < "$in" > /dev/null
	awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$tmp/time"
}

# Wall time depends on what else the machine runs; CPU time (user + system)
# much less, so both are printed, each against jq's in the same run.
printf 'records: %d (%d MB)\n' "$records" $((bytes / 1000000))
printf '%-16s %8s %8s %11s %9s %9s %8s\n' program wall-s cpu-s records/s "x jq wall" "x jq cpu" "peak KB"
# shellcheck disable=SC2046
report() { # report NAME INPUT COMMAND...
	name=$1 in=$2
	shift 2
	set -- $(seconds "$in" "$@") $(seconds "$in" jq -c .)
	awk -v n="$name" -v s="$1" -v m="$2" -v c="$3" -v js="$4" -v jc="$6" -v r="$records" \
		'function d(x) { return x > 0 ? x : 0.01 }
		BEGIN { printf "%-16s %8.2f %8.2f %11.0f %8.1fx %8.1fx %8d   (jq -c . %.2f s, cpu %.2f s)\n",
			n, s, c, r / d(s), js / d(s), jc / d(c), m, js, jc }'
}
report warmup-phase "$tmp/in.0" warmup-phase
report warmup-apply "$tmp/in.1" warmup-apply
report tuner-propose "$tmp/in.2" tuner-propose
report tuner-filter "$tmp/in.3" tuner-filter
report kpi-gate "$tmp/in.4" kpi-gate
report soak-log "$tmp/in.4" soak-log /dev/null
report jq-c "$tmp/in.0" jq -c .

# The chain under one sh: its wall time, and the CPU time of all five.
# shellcheck disable=SC2046
set -- $(seconds "$tmp/in.0" sh -c 'warmup-phase | warmup-apply | tuner-propose | tuner-filter | kpi-gate') \
	$(seconds "$tmp/in.0" jq -c .)
awk -v s="$1" -v c="$3" -v js="$4" -v jc="$6" \
	'BEGIN { printf "five-filter chain: %.2f s wall, %.2f s cpu; one jq -c .: %.2f s wall, %.2f s cpu (chain %.2fx faster by wall, %.2fx by cpu)\n", s, c, js, jc, js / (s > 0 ? s : 0.01), jc / (c > 0 ? c : 0.01) }'
