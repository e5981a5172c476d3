#!/bin/sh
# tuner-directions.sh - the measured directions the tuner's rules rest on.
# For each parameter, soaks the market at an operating point and at the
# point with that one parameter stepped up and down, on the same seeds
# (common random numbers), with the tuner off (--rules none) and no
# warm-up; each run's KPIs are averaged over iterations 7-24, after the
# cold start (-w 2-4 measures a step inside the cold start instead).  Prints per parameter and step the paired KPI effect (mean
# over seeds) and, for each KPI, the per-iteration noise sd: the sd of one
# iteration's KPI around its run's mean, pooled over the runs at the
# operating point.  "sd/step" is how many noise sds the step moves the KPI.
#
# Usage: bench/tuner-directions.sh [-s FIRST-LAST] [-w FIRST-LAST] [-p 'KEY=VALUE ...'] [-f FRACTION | -r RULES] [-b BINDIR] [-j JOBS]
#   -s  seeds (default 1-10)
#   -w  iterations whose KPIs are averaged (default 7-24)
#   -p  the operating point: baseline with maker_bias_uplift_v1 (the main
#       job's parameters), then these values (default: none)
#   -f  step as a fraction of each parameter's range (default 0.1;
#       concurrency_limit moves by whole orders, position_limit_notional
#       by x2 and x0.5)
#   -r  instead, the steps of a rule table: each action of each rule, as
#       it would move its key from the operating point (RULES is a file or
#       a name in presets/; give-back steps and caps included)
#   -b  directory of the built programs (default: PATH)
#   -j  parallel jobs (default 2; GNU parallel if installed, else xargs -P)
# Needs jq.  Runs nice'd.
set -eu

kpis='["net_bps","maker_taker_ratio","p95_latency_ms","risk_ratio","adverse_bps_p95","slippage_bps_p95"]'

# One soak, as a job: tuner-directions.sh -1 WORK 'NAME SEED KEY=VALUE...' prints its JSON line.
if [ "${1:-}" = -1 ]; then
	work=$2
	# shellcheck disable=SC2086 # the job line is split into its words
	set -- $3
	name=$1 seed=$2
	shift 2
	out=$work/run.$name.$seed
	sets=
	for kv in "$@"; do sets="$sets --set=$kv"; done
	# shellcheck disable=SC2086 # sets are KEY=VALUE words without spaces
	soak-run -q --seed "$seed" --iterations 24 --rules none --no-warmup \
		--preset maker_bias_uplift_v1 $sets --out "$out" >/dev/null ||
		[ $? -eq 1 ] || { echo "$0: soak-run failed: $name $seed" >&2; exit 2; }
	window=${TD_WINDOW:-7-24}
	jq -s -c --arg name "$name" --argjson seed "$seed" --argjson kpis "$kpis" \
		--argjson first "${window%-*}" --argjson last "${window#*-}" '
	  def mean: add / length;
	  [.[] | select(.iteration >= $first and .iteration <= $last) | .summary] as $st |
	  {name: $name, seed: $seed,
	   mean: ([$kpis[] as $k | {($k): ([$st[][$k]] | mean)}] | add),
	   ss: ([$kpis[] as $k | ([$st[][$k]] | mean) as $m | {($k): ([$st[][$k] | (. - $m) * (. - $m)] | add)}] | add),
	   n: ($st | length)}' "$out/iterations.jsonl"
	rm -rf "$out"
	exit 0
fi

seeds=1-10
point=
fraction=0.1
rules=
bindir=
jobs=2
window=7-24
while getopts s:w:p:f:r:b:j: opt; do
	case $opt in
	r) rules=$OPTARG ;;
	w) window=$OPTARG ;;
	s) seeds=$OPTARG ;;
	p) point=$OPTARG ;;
	f) fraction=$OPTARG ;;
	b) bindir=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) echo "usage: $0 [-s FIRST-LAST] [-w FIRST-LAST] [-p 'KEY=VALUE ...'] [-f FRACTION | -r RULES] [-b BINDIR] [-j JOBS]" >&2; exit 2 ;;
	esac
done
# two iterations at least: the noise sd needs a spread within each run
case $window in
*[!0-9-]* | -* | *- | *-*-* | [!0-9]*) window_ok=false ;;
*-*) window_ok=true ;;
*) window_ok=false ;;
esac
if ! $window_ok || [ "${window%-*}" -lt 1 ] || [ "${window%-*}" -ge "${window#*-}" ] ||
	[ "${window#*-}" -gt 24 ]; then
	echo "$0: -w '$window': want FIRST-LAST, 1 <= FIRST < LAST <= 24" >&2
	exit 2
fi
export TD_WINDOW=$window
. "$(dirname "$0")/common.sh"
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
for prog in soak-run soak-next soak-mock; do
	command -v "$prog" >/dev/null || { echo "$0: '$prog' not found (use -b BINDIR)" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# The operating point's parameters, and each step's value (bounds from the registry).
sets=
for kv in $point; do sets="$sets --set=$kv"; done
# shellcheck disable=SC2086
soak-next --first --preset maker_bias_uplift_v1 $sets | jq -c .params > "$work/point"
if [ -n "$rules" ]; then
	case $rules in */*) ;; *) rules=$SOAKKIT_PRESET_PATH/$rules.json ;; esac
	# every action's step from the point: mul or add, then cap and floor, then
	# the bounds; none when that is no move in the action's direction (as tuner-propose)
	soak-mock --list-params | jq -s -c 'map({(.key): .}) | add' > "$work/defs"
	jq -c --slurpfile p "$work/point" --slurpfile defs "$work/defs" '
	  .rules[] | .name as $rule | .actions[] | . as $a | $p[0][$a.key] as $x | $defs[0][$a.key] as $d |
	  (if $a.mul then $x * $a.mul else $x + $a.add end) as $t0 |
	  ([$t0, ($a.cap // $t0)] | min) as $t1 | ([$t1, ($a.floor // $t1)] | max) as $t2 |
	  ([[$t2, $d.max] | min, $d.min] | max | if $d.integer then round else . end) as $to |
	  select(($to - $x) * (if $a.mul then $a.mul - 1 else $a.add end) > 0) |
	  {key: $a.key, from: $x, to: $to, name: "\($rule):\($a.key)"}' "$rules" > "$work/steps"
else
	soak-mock --list-params | jq -c --slurpfile p "$work/point" --argjson f "$fraction" '
	  $p[0][.key] as $x | .key as $k | .min as $lo | .max as $hi |
	  ([1, ((.max - .min) * $f | round)] | max) as $units |
	  (if $k == "position_limit_notional" then [$x * 2, $x * 0.5]
	   elif .integer then [$x + $units, $x - $units]
	   else [$x + (.max - .min) * $f, $x - (.max - .min) * $f] end)[] |
	  select(. >= $lo and . <= $hi) |
	  {key: $k, from: $x, to: ., name: "\($k)\(if . > $x then "+" else "-" end)"}' > "$work/steps"
fi

for seed in $(seq "${seeds%-*}" "${seeds#*-}"); do
	echo "point $seed $point"
	jq -r --arg seed "$seed" --arg point "$point" '"\(.name) \($seed) \($point) \(.key)=\(.to)"' "$work/steps"
done > "$work/jobs"

if command -v parallel >/dev/null; then
	nice parallel -j "$jobs" sh "$self" -1 "$work" {} < "$work/jobs" > "$work/results"
else
	tr '\n' '\0' < "$work/jobs" | nice xargs -0 -P "$jobs" -n 1 sh "$self" -1 "$work" > "$work/results"
fi

jq -s -r --slurpfile steps "$work/steps" --slurpfile pt "$work/point" --argjson kpis "$kpis" \
	--arg seeds "$seeds" --arg point "${point:-(none)}" --arg window "$window" '
  def mean: add / length;
  def r(x): if x == null then "-" elif (x | fabs) >= 100 then (x * 10 | round) / 10 | tostring
            else (x * 1000 | round) / 1000 | tostring end;
  (map(select(.name == "point"))) as $base |
  ($base | map({(.seed | tostring): .mean}) | add) as $bm |
  ([$kpis[] as $k | {($k): (($base | map(.ss[$k]) | add) / ($base | map(.n - 1) | add) | sqrt)}] | add) as $noise |
  "Operating point: maker_bias_uplift_v1 on the baseline, then \($point); seeds \($seeds); tuner off, no warm-up, KPIs averaged over iterations \($window).",
  "",
  "| step | " + ([$kpis[] | "\(.) effect (sd/step)"] | join(" | ")) + " |",
  "|---|" + ([$kpis[] | "---"] | join("|")) + "|",
  "| operating point: mean | " + ([$kpis[] as $k | r($base | map(.mean[$k]) | mean)] | join(" | ")) + " |",
  "| per-iteration noise sd | " + ([$kpis[] as $k | r($noise[$k])] | join(" | ")) + " |",
  ($steps[] as $s | (map(select(.name == $s.name))) as $runs |
    "| \($s.name | sub(":.*"; "") | if . == $s.key then "" else . + ": " end)\($s.key) \(r($s.from)) → \(r($s.to)) | " +
    ([$kpis[] as $k | ($runs | map(.mean[$k] - $bm[.seed | tostring][$k]) | mean) as $d |
      "\(if $d > 0 then "+" else "" end)\(r($d)) (\(r($d / $noise[$k])))"] | join(" | ")) + " |")
' "$work/results"
