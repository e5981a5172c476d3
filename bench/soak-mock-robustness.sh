#!/bin/sh
# soak-mock-robustness.sh - does the seed's story hang on one knob?  Each
# numeric field of a market profile that describes the market or the
# gateway (sections mid, flow, informed, queue, fees, latency,
# cold_start) is moved by -20% and by +20%, one at a time, and
# bench/acceptance.sh runs on each changed profile.  Prints a Markdown
# matrix: per change, how many seeds (of 20 by default)
#   W  with warm-up meet every criterion of the seed's table (needs >= 17),
#   F  without warm-up have a FAIL in iterations 1-4 (needs >= 17),
#   S  without warm-up have negative net_bps and risk_ratio > 0.50 in
#      iteration 1 (needs >= 13),
# and whether all three hold.  A change that would leave the field's
# range (soak-market(5)) is clamped to it and marked.  The first row is
# the unchanged profile.
#
# Usage: bench/soak-mock-robustness.sh [-s FIRST-LAST] [-b BINDIR] [-m MARKET] [-j JOBS]
#   -s  seeds (default 1-20)   -b  directory of the built programs (default: PATH)
#   -m  market profile (default market_default)   -j  parallel jobs (default 2)
# Needs jq and GNU parallel.  About 60 acceptance runs: minutes on 2 cores.
set -eu

seeds=1-20
bindir=
market=market_default
jobs=2
while getopts s:b:m:j: opt; do
	case $opt in
	s) seeds=$OPTARG ;;
	b) bindir=$OPTARG ;;
	m) market=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) echo "usage: $0 [-s FIRST-LAST] [-b BINDIR] [-m MARKET] [-j JOBS]" >&2; exit 2 ;;
	esac
done
srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${SOAKKIT_PRESET_PATH:=$srcdir/presets}"
export SOAKKIT_PRESET_PATH
[ -n "$bindir" ] && PATH=$(cd "$bindir" && pwd):$PATH && export PATH
command -v parallel >/dev/null || { echo "$0: GNU parallel not found" >&2; exit 2; }
command -v jq >/dev/null || { echo "$0: jq not found" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# The profile as a file, wherever it was found.
case $market in
*/*) cp "$market" "$work/base.json" ;;
*)
	found=
	for dir in $(echo "$SOAKKIT_PRESET_PATH" | tr ':' ' '); do
		[ -z "$found" ] && [ -r "$dir/$market.json" ] && found=$dir/$market.json
	done
	[ -n "$found" ] || { echo "$0: no market profile '$market'" >&2; exit 2; }
	cp "$found" "$work/base.json"
	;;
esac

# A profile soak-mock accepts: a value out of its field's range is clamped
# to the range soak-mock's message names ("... out of range [MIN, MAX]").
clamp_into_range() { # clamp_into_range FILE SECTION FIELD: prints "*" when clamped
	msg=$(echo '{"iteration":1,"params":{}}' | soak-mock --market "$1" 2>&1 >/dev/null) && return 0
	range=$(echo "$msg" | sed -n 's/.*out of range \[\(.*\), \(.*\)\]$/\1 \2/p')
	[ -n "$range" ] || { echo "$0: $msg" >&2; exit 2; }
	x=$(jq --arg s "$2" --arg f "$3" '.[$s][$f]' "$1")
	x=$(echo "$x $range" | awk '{ x = $1; if (x < $2) x = $2; if (x > $3) x = $3; printf "%.10g", x }')
	jq --arg s "$2" --arg f "$3" --argjson x "$x" '.[$s][$f] = $x' "$1" > "$1.tmp" && mv "$1.tmp" "$1"
	echo "*"
}

# One line per variant: NAME FILE (spaces in NAME as @).
echo "unchanged $work/base.json" > "$work/variants"
for section in mid flow informed queue fees latency cold_start; do
	for field in $(jq -r --arg s "$section" '.[$s] | keys_unsorted[]' "$work/base.json"); do
		for factor in 0.8 1.2; do
			file=$work/$section.$field.$factor.json
			jq --arg s "$section" --arg f "$field" --argjson k "$factor" \
				'.[$s][$f] = (.[$s][$f] * $k * 1e10 | round / 1e10)' "$work/base.json" > "$file"
			name="$section.${field}@x$factor"
			[ "$(clamp_into_range "$file" "$section" "$field")" = "*" ] && name="${name}@(clamped)"
			echo "$name $file" >> "$work/variants"
		done
	done
done

# bench/acceptance.sh on each variant, two at a time; then the three counts of each.
parallel -j "$jobs" --colsep ' ' \
	"sh '$srcdir/bench/acceptance.sh' -s '$seeds' -m {2} > '$work/out.{#}'" :::: "$work/variants"
i=0
while read -r name file; do
	i=$((i + 1))
	out=$work/out.$i
	w=$(sed -n "s/^| every criterion of the seed's table | \([0-9]*\) \/ [0-9]* |.*/\1/p" "$out")
	f=$(sed -n 's/^| a FAIL in iterations 1-4 | [0-9]* \/ [0-9]* | \([0-9]*\) \/ [0-9]* |$/\1/p' "$out")
	s=$(sed -n 's/^| iteration 1: net_bps < 0 and risk > 0.50 | [0-9]* \/ [0-9]* | \([0-9]*\) \/ [0-9]* |$/\1/p' "$out")
	echo "$name ${w:-0} ${f:-0} ${s:-0}"
done < "$work/variants" > "$work/results"

n=$(echo "$seeds" | awk -F- '{ print $2 - $1 + 1 }')
awk -v n="$n" -v seeds="$seeds" '
BEGIN {
	nw = n - 3; nf = n - 3; ns = n - 7
	printf "Seeds %s.  W: with warm-up, every criterion of the seed'"'"'s table (needs >= %d);\n", seeds, nw
	printf "F: without warm-up, a FAIL in iterations 1-4 (>= %d); S: without warm-up,\n", nf
	printf "iteration 1 net_bps < 0 and risk_ratio > 0.50 (>= %d).\n\n", ns
	print "| change | W | F | S | holds |"
	print "|---|---|---|---|---|"
}
{
	name = $1; gsub("@", " ", name)
	ok = ($2 >= nw && $3 >= nf && $4 >= ns)
	holds += ok; rows++
	printf "| %s | %d | %d | %d | %s |\n", name, $2, $3, $4, ok ? "yes" : "NO"
}
END { printf "\nThe story holds in %d of %d rows.\n", holds, rows }' "$work/results"
