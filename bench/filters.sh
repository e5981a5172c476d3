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
i=0
while [ $i -lt "$copies" ]; do cat "$tmp/one"; i=$((i + 1)); done > "$tmp/in.0"
records=$(wc -l < "$tmp/in.0")
bytes=$(wc -c < "$tmp/in.0")

# Inputs of each stage: the output of the stage before.
warmup-phase < "$tmp/in.0" > "$tmp/in.1"
warmup-apply < "$tmp/in.1" > "$tmp/in.2"
tuner-propose < "$tmp/in.2" > "$tmp/in.3"
tuner-filter < "$tmp/in.3" > "$tmp/in.4"

# (The figures printed by `seconds` are split into words on purpose.)
# shellcheck disable=SC2046
seconds() { # seconds INPUT COMMAND...: wall seconds of COMMAND < INPUT
	in=$1
	shift
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" < "$in" > /dev/null
	cat "$tmp/time"
}

printf 'records: %d (%d MB)\n' "$records" $((bytes / 1000000))
printf '%-16s %9s %12s %10s %9s\n' program seconds records/s "x jq" "peak KB"
# shellcheck disable=SC2046
report() { # report NAME INPUT COMMAND...
	name=$1 in=$2
	shift 2
	set -- $(seconds "$in" "$@")
	jq_s=$(set -- $(seconds "$in" jq -c .); echo "$1")
	awk -v n="$name" -v s="$1" -v m="$2" -v r="$records" -v j="$jq_s" \
		'BEGIN { printf "%-16s %9.2f %12.0f %9.1fx %9d   (jq -c . %.2f s)\n", n, s, r / (s > 0 ? s : 0.001), j / (s > 0 ? s : 0.001), m, j }'
}
report warmup-phase "$tmp/in.0" warmup-phase
report warmup-apply "$tmp/in.1" warmup-apply
report tuner-propose "$tmp/in.2" tuner-propose
report tuner-filter "$tmp/in.3" tuner-filter
report kpi-gate "$tmp/in.4" kpi-gate
report soak-log "$tmp/in.4" soak-log /dev/null
report jq-c "$tmp/in.0" jq -c .

chain() { warmup-phase | warmup-apply | tuner-propose | tuner-filter | kpi-gate; }
start=$(date +%s.%N)
chain < "$tmp/in.0" > /dev/null
end=$(date +%s.%N)
# shellcheck disable=SC2046
jq_s=$(set -- $(seconds "$tmp/in.0" jq -c .); echo "$1")
awk -v s="$start" -v e="$end" -v j="$jq_s" \
	'BEGIN { printf "five-filter chain: %.2f s; one jq -c .: %.2f s (chain %.2fx faster)\n", e - s, j, j / (e - s) }'
