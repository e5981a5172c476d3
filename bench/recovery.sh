#!/bin/sh
# recovery.sh - does the tuner recover a soak started from bad parameters?
# Each bad start (replace rate 600, min interval 20, concurrency 16, rescue
# share 1 with cooldown 0, position limit 1000, spread and tail age at their
# lower bounds, all at once) is soaked 24 iterations without warm-up on 10 seeds, once
# with the tuner's rule table and once with the empty table (--rules none,
# the control), on the same seeds (common random numbers: the runs differ
# only by the tuner).  Then the README's main job (--warmup --preset
# maker_bias_uplift_v1) is compared the same way over 20 seeds.
#
# Prints, per start and for both tables: FAIL iterations (median, mean),
# the first iteration whose last-8 window PASSes (median over the runs
# that reach one, and how many do), the last-8 verdict (PASS count); then
# the issue's targets; then a conservative preset's drift (give-back) and
# the main job's paired differences.
#
# Usage: bench/recovery.sh [-r RULES] [-s FIRST-LAST] [-S FIRST-LAST] [-b BINDIR] [-j JOBS]
#   -r  rule table under test (default: soak-run's default)
#   -s  seeds of the bad starts (default 301-310)
#   -S  seeds of the main job (default 1-20)
#   -b  directory of the built programs (default: PATH)
#   -j  parallel jobs (default 2; GNU parallel if installed, else xargs -P)
# Needs jq.  Runs nice'd.
set -eu

# One soak, as a job: recovery.sh -1 WORK START RULES SEED prints its JSON line.
if [ "${1:-}" = -1 ]; then
	work=$2 start=$3 rules=$4 seed=$5
	out=$work/run.$start.$rules.$seed
	# the lower bounds come from the registry (soak-mock --list-params)
	spread_min=$(soak-mock --list-params | jq -r 'select(.key == "base_spread_bps_delta") | .min')
	tail_min=$(soak-mock --list-params | jq -r 'select(.key == "tail_age_ms") | .min')
	case $start in
	main) set -- --warmup --preset maker_bias_uplift_v1 ;;
	conservative) set -- --no-warmup --preset warmup_conservative_v1 ;;
	replace_rate_600) set -- --no-warmup --set replace_rate_per_min=600 ;;
	min_interval_20) set -- --no-warmup --set min_interval_ms=20 ;;
	concurrency_16) set -- --no-warmup --set concurrency_limit=16 ;;
	rescue_1_cooldown_0) set -- --no-warmup --set rescue_max_ratio=1 --set rescue_cooldown_ms=0 ;;
	position_limit_1000) set -- --no-warmup --set position_limit_notional=1000 ;;
	spread_min) set -- --no-warmup --set base_spread_bps_delta="$spread_min" ;;
	tail_age_min) set -- --no-warmup --set tail_age_ms="$tail_min" ;;
	all_at_once) set -- --no-warmup --set replace_rate_per_min=600 --set min_interval_ms=20 \
		--set concurrency_limit=16 --set rescue_max_ratio=1 --set rescue_cooldown_ms=0 \
		--set position_limit_notional=1000 --set base_spread_bps_delta="$spread_min" \
		--set tail_age_ms="$tail_min" ;;
	*) echo "$0: unknown start '$start'" >&2; exit 2 ;;
	esac
	rules_opt=
	[ "$rules" = tuner ] || rules_opt=--rules=none
	[ -z "${RECOVERY_RULES:-}" ] || [ "$rules" = control ] || rules_opt=--rules=$RECOVERY_RULES
	soak-run -q --seed "$seed" --iterations 24 $rules_opt --out "$out" "$@" >/dev/null ||
		[ $? -eq 1 ] || { echo "$0: soak-run failed: $start $rules $seed" >&2; exit 2; }
	# shellcheck disable=SC2016
	jq -s -c --arg start "$start" --arg rules "$rules" --argjson seed "$seed" '
	  def mean: add / length;
	  [.[] | select(.iteration >= 7)] as $st | [.[] | select(.iteration >= 17)] as $l8 |
	  {start: $start, rules: $rules, seed: $seed,
	   fails: map(select(.gate.status == "FAIL")) | length,
	   first_pass: (map(select(.gate.window.complete and .gate.window.status == "PASS")) | first | .iteration? // null),
	   l8: .[-1].gate.window.status,
	   applied: map(select(.tuning.applied)) | length,
	   flaps: ([.[].tuning.deltas // {} | to_entries[]] | group_by(.key)
	            | map([.[].value | if . > 0 then 1 else -1 end] as $s
	                  | [range(1; $s | length) | select($s[.] != $s[. - 1])] | length)
	            | map(select(. >= 2)) | length),
	   net: [$st[].summary.net_bps] | mean,
	   mt: [$st[].summary.maker_taker_ratio] | mean,
	   p95: [$st[].summary.p95_latency_ms] | mean,
	   risk: [$st[].summary.risk_ratio] | mean,
	   sd: ({net: "net_bps", mt: "maker_taker_ratio", p95: "p95_latency_ms", risk: "risk_ratio"}
	        | map_values(. as $k | [$st[].summary[$k]] | (add / length) as $m
	                     | map((. - $m) * (. - $m)) | add / (length - 1) | sqrt)),
	   l8_net: [$l8[].summary.net_bps] | mean}' "$out/iterations.jsonl"
	rm -rf "$out"
	exit 0
fi

rules=
seeds=301-310
main_seeds=1-20
bindir=
jobs=2
while getopts r:s:S:b:j: opt; do
	case $opt in
	r) rules=$OPTARG ;;
	s) seeds=$OPTARG ;;
	S) main_seeds=$OPTARG ;;
	b) bindir=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) echo "usage: $0 [-r RULES] [-s FIRST-LAST] [-S FIRST-LAST] [-b BINDIR] [-j JOBS]" >&2; exit 2 ;;
	esac
done
srcdir=$(cd "$(dirname "$0")/.." && pwd)
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
: "${SOAKKIT_PRESET_PATH:=$srcdir/presets}"
export SOAKKIT_PRESET_PATH
[ -n "$bindir" ] && PATH=$(cd "$bindir" && pwd):$PATH && export PATH
for prog in soak-run soak-mock; do
	command -v "$prog" >/dev/null || { echo "$0: '$prog' not found (use -b BINDIR)" >&2; exit 2; }
done
RECOVERY_RULES=$rules
export RECOVERY_RULES

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
starts="replace_rate_600 min_interval_20 concurrency_16 rescue_1_cooldown_0 position_limit_1000 spread_min tail_age_min all_at_once"
for start in $starts; do
	for seed in $(seq "${seeds%-*}" "${seeds#*-}"); do
		echo "$start tuner $seed"
		echo "$start control $seed"
	done
done > "$work/jobs"
for seed in $(seq "${main_seeds%-*}" "${main_seeds#*-}"); do
	echo "main tuner $seed"
	echo "main control $seed"
	echo "conservative tuner $seed"
	echo "conservative control $seed"
done >> "$work/jobs"

if command -v parallel >/dev/null; then
	nice parallel -j "$jobs" --colsep ' ' sh "$self" -1 "$work" {1} {2} {3} < "$work/jobs" > "$work/results"
else
	nice xargs -P "$jobs" -n 3 sh "$self" -1 "$work" < "$work/jobs" > "$work/results"
fi

jq -s -r --arg rules "${rules:-the default rules}" --arg seeds "$seeds" --arg main "$main_seeds" '
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
                     else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def mean: if length == 0 then null else add / length end;
  def sd: mean as $m | if length < 2 then 0 else (map((. - $m) * (. - $m)) | add / (length - 1) | sqrt) end;
  def r(x): if x == null then "-" else (x * 100 | round) / 100 | tostring end;
  def cell: "\(r(map(.fails) | median)) / \(r(map(.fails) | mean)) | \(r(map(.first_pass | select(. != null)) | median)) (\(map(select(.first_pass != null)) | length)/\(length)) | \(map(select(.l8 == "PASS")) | length)/\(length)";
  (map(select(.start != "main" and .start != "conservative"))) as $bad | (map(select(.start == "main"))) as $mainruns |
  (map(select(.start == "conservative"))) as $cons |
  ($bad | map(.start) | unique) as $names |
  ($bad | group_by([.start, .seed]) | map({t: (.[] | select(.rules == "tuner")), c: (.[] | select(.rules == "control"))})) as $pairs |
  "Bad starts: seeds \($seeds), 24 iterations without warm-up; tuner = \($rules), control = --rules none.",
  "FAIL: iterations with status FAIL, median / mean; first pass: first iteration whose last-8 window PASSes, median (runs reaching one); last 8: runs whose final last-8 window PASSes.",
  "",
  "| start | tuner FAIL | tuner first pass | tuner last 8 | control FAIL | control first pass | control last 8 | tuner applied |",
  "|---|---|---|---|---|---|---|---|",
  ($names[] as $n | ($bad | map(select(.start == $n))) as $s |
    "| \($n) | \($s | map(select(.rules == "tuner")) | cell) | \($s | map(select(.rules == "control")) | cell) | \($s | map(select(.rules == "tuner")) | r(map(.applied) | mean)) |"),
  "",
  ($pairs | map(select(.c.l8 != "PASS"))) as $cf |
  "Targets:",
  "- where the control last-8 window FAILs (\($cf | length) runs), the tuner PASSes in \($cf | map(select(.t.l8 == "PASS")) | length) (\(if ($cf | length) > 0 then r(100 * ($cf | map(select(.t.l8 == "PASS")) | length) / ($cf | length)) else "-" end)%; target ≥ 80%)",
  "- median FAIL count over all \($pairs | length) runs: tuner \(r($pairs | map(.t.fails) | median)), control \(r($pairs | map(.c.fails) | median)) (target: tuner ≤ half the control)",
  "- mean FAIL count: tuner \(r($pairs | map(.t.fails) | mean)), control \(r($pairs | map(.c.fails) | mean)); runs where the tuner FAILs more iterations than the control: \($pairs | map(select(.t.fails > .c.fails)) | length)",
  "- oscillation: keys whose applied steps changed direction twice or more in a run (up, down, up), over all tuner runs: \($bad | map(select(.rules == "tuner") | .flaps) | add) (a correction given back later is one change)",
  "",
  ($cons | group_by(.seed) | map({t: (.[] | select(.rules == "tuner")), c: (.[] | select(.rules == "control"))})) as $cp |
  "Conservative preset (warmup_conservative_v1 as the candidate, no warm-up), seeds \($main): last-8 net_bps mean tuner \(r($cp | map(.t.l8_net) | mean)), control \(r($cp | map(.c.l8_net) | mean)); paired difference \(r($cp | map(.t.l8_net - .c.l8_net) | mean)) (min \(r($cp | map(.t.l8_net - .c.l8_net) | min)), max \(r($cp | map(.t.l8_net - .c.l8_net) | max))); steady risk tuner \(r($cp | map(.t.risk) | mean)), control \(r($cp | map(.c.risk) | mean)); iterations with a change per run \(r($cp | map(.t.applied) | mean)); keys oscillating (two changes of direction or more) \($cp | map(.t.flaps) | add).",
  "",
  ($mainruns | group_by(.seed) | map({t: (.[] | select(.rules == "tuner")), c: (.[] | select(.rules == "control"))})) as $mp |
  "Main job (soak-run --warmup --preset maker_bias_uplift_v1), seeds \($main), paired tuner − control, mean over iterations 7-24 per seed:",
  "",
  "Worse beyond noise: the 95% interval of the mean paired difference lies wholly on the worse side and the mean is worse by more than 0.2 per-iteration noise sd (the control runs'"'"' sd of one steady iteration around the run'"'"'s mean).",
  "",
  "| KPI | tuner mean | control mean | paired difference mean ± sd | 95% interval of the mean | noise sd | worse beyond noise? |",
  "|---|---|---|---|---|---|---|",
  ([["net_bps", "net", 1], ["maker_taker_ratio", "mt", 1], ["p95_latency_ms", "p95", -1], ["risk_ratio", "risk", -1], ["FAIL iterations", "fails", -1]][] as [$name, $k, $good] |
    ($mp | map(.t[$k] - .c[$k])) as $d | ($d | mean) as $m | ($d | sd) as $s | (1.96 * $s / (($d | length) | sqrt)) as $h |
    (if $k == "fails" then 1 else ($mp | map(.c.sd[$k] * .c.sd[$k]) | mean | sqrt) end) as $noise |
    (if $good > 0 then ($m + $h < 0 and -$m > 0.2 * $noise) else ($m - $h > 0 and $m > 0.2 * $noise) end) as $worse |
    "| \($name) | \(r($mp | map(.t[$k]) | mean)) | \(r($mp | map(.c[$k]) | mean)) | \(r($m)) ± \(r($s)) | \(r($m - $h)) – \(r($m + $h)) | \(if $k == "fails" then "-" else r($noise) end) | \(if $worse then "WORSE" else "no" end) |"),
  "",
  "Last-8 verdict PASS: tuner \($mp | map(select(.t.l8 == "PASS")) | length)/\($mp | length), control \($mp | map(select(.c.l8 == "PASS")) | length)/\($mp | length)."
' "$work/results"
