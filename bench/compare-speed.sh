#!/bin/sh
# bench/compare-speed.sh - a comparison of 20 seeds x 2 presets end to end:
# soak-sweep runs the 40 soaks of 24 iterations (-j JOBS, default 2) and
# soak-compare judges the presets paired by seed.  Target: under 10 s on
# 2 cores.  The reference, measured in the same run: the same 40 soaks as
# a plain loop of soak-run, one after another, and the same comparison.
#
# Usage: bench/compare-speed.sh   (from the source tree after make; JOBS=N)
set -eu
jobs=${JOBS:-2}
top=$(cd "$(dirname "$0")/.." && pwd)
PATH=$top/bin:$PATH
SOAKKIT_PRESET_PATH=${SOAKKIT_PRESET_PATH:-$top/presets}
export PATH SOAKKIT_PRESET_PATH
work=$(mktemp -d "${TMPDIR:-/tmp}/compare-speed.XXXXXX")
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

start=$(now)
soak-sweep --quiet --seeds=1-20 --preset=none --preset=maker_bias_uplift_v1 --jobs="$jobs" \
	--out="$work/sweep"
soaked=$(now)
status=0
soak-compare --baseline "$work/sweep/none" --candidate "$work/sweep/maker_bias_uplift_v1" \
	--format=markdown > "$work/comparison.md" || status=$?
end=$(now)
[ "$status" -le 1 ] || [ "$status" -eq 4 ] || { echo "soak-compare failed ($status)" >&2; exit 1; }

ref_start=$(now)
for seed in $(seq 1 20); do
	for preset in none maker_bias_uplift_v1; do
		mkdir -p "$work/loop/$preset"
		if [ "$preset" = none ]; then
			soak-run --quiet --force --seed="$seed" --out="$work/loop/run" > /dev/null || true
		else
			soak-run --quiet --force --seed="$seed" --preset="$preset" --out="$work/loop/run" > /dev/null || true
		fi
		cp "$work/loop/run/iterations.jsonl" "$work/loop/$preset/seed-$seed.jsonl"
	done
done
soak-compare --baseline "$work/loop/none" --candidate "$work/loop/maker_bias_uplift_v1" \
	--format=markdown > "$work/loop.md" || true
ref_end=$(now)
cmp -s "$work/comparison.md" "$work/loop.md" || {
	sed "s|$work/loop|$work/sweep|g" "$work/loop.md" | cmp -s - "$work/comparison.md" ||
		{ echo "the two comparisons differ" >&2; exit 1; }
}

echo "comparison of 20 seeds x 2 presets (40 soaks of 24 iterations), $(nproc) cores:"
echo "  soak-sweep -j $jobs + soak-compare: $(elapsed "$start" "$end") s" \
	"(soaks $(elapsed "$start" "$soaked") s, comparison $(elapsed "$soaked" "$end") s); target < 10 s"
echo "  reference, a loop of soak-run one at a time + soak-compare: $(elapsed "$ref_start" "$ref_end") s"
echo
sed "s|$work/||g" "$work/comparison.md"
