#!/bin/sh
# acceptance.sh - the seed's success criteria over many seeds, with and
# without warm-up, run through the real soak loop (a FIFO ring of
# soak-next | warmup-phase | warmup-apply | soak-mock | tuner-propose |
# tuner-filter | kpi-gate | soak-log, as soak-run runs it).  Prints a Markdown table: for each run, how
# many seeds meet each criterion, and each steady KPI's mean and standard
# deviation across seeds (of the per-seed mean over iterations 7-24).
# A velocity trigger is a key the guard skipped or scaled down.
#
# Usage: bench/acceptance.sh [-s FIRST-LAST] [-b BINDIR] [-m MARKET] [-r RULES] [-k KEEPDIR]
#   -s  seeds (default 1-20)     -b  directory of the built programs (default: PATH)
#   -m  market profile for soak-mock (default market_default)
#   -r  tuner rule table (default: soak-run's default)
#   -k  keep the logs in KEEPDIR (one per seed and run)
# Needs jq.  Run from anywhere; SOAKKIT_PRESET_PATH is set to the source
# presets/ when unset.
set -eu

seeds=1-20
bindir=
market=market_default
rules=
keep=
while getopts s:b:m:r:k: opt; do
	case $opt in
	s) seeds=$OPTARG ;;
	b) bindir=$OPTARG ;;
	m) market=$OPTARG ;;
	r) rules=$OPTARG ;;
	k) keep=$OPTARG ;;
	*) echo "usage: $0 [-s FIRST-LAST] [-b BINDIR] [-m MARKET] [-r RULES] [-k KEEPDIR]" >&2; exit 2 ;;
	esac
done
first_seed=${seeds%-*}
last_seed=${seeds#*-}
. "$(dirname "$0")/common.sh"
for prog in soak-run soak-next warmup-phase warmup-apply soak-mock tuner-propose tuner-filter kpi-gate soak-log; do
	command -v "$prog" >/dev/null || { echo "$0: '$prog' not found (use -b BINDIR)" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
iterations=24

# run_soak SEED warm|cold LOG: one 24-iteration soak-run; LOG gets every finished record.
run_soak() {
	warmup=--no-warmup
	[ "$2" = warm ] && warmup=--warmup
	soak-run -q --seed "$1" $warmup --preset maker_bias_uplift_v1 --market "$market" \
		${rules:+--rules "$rules"} --iterations $iterations --force --out "$work/run" >/dev/null || [ $? -eq 1 ]
	cp "$work/run/iterations.jsonl" "$3"
}

# One line per soak: the criteria it meets and its steady means (a jq program).
# shellcheck disable=SC2016
judge='
  def s(i): .[i - 1].summary;
  def its(a; b): [.[] | select(.iteration >= a and .iteration <= b)];
  def mean: add / length;
  def median: sort | if length % 2 == 1 then .[length / 2 | floor]
                     else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  (its(1; 4)) as $w | (its(5; 6)) as $r | (its(7; 24)) as $st | (its(17; 24)) as $l8 |
  {
    complete: (length == 24),
    w_no_fail: ($w | all(.gate.status != "FAIL")),
    w_net: ($w | all(.summary.net_bps >= 1.0)),
    w_risk: ($w | all(.summary.risk_ratio <= 0.50)),
    w_p95: ($w | all(.summary.p95_latency_ms <= 350)),
    ramp: ($r | all(.gate.status != "FAIL")),
    steady_pass: ($st | all(.gate.status == "PASS")),
    l8_mt: ([$l8[].summary.maker_taker_ratio] | mean >= 0.83),
    l8_net: ([$l8[].summary.net_bps] | mean >= 2.8),
    l8_p95: ([$l8[].summary.p95_latency_ms] | max <= 340),
    l8_risk: ([$l8[].summary.risk_ratio] | median <= 0.40),
    keys2: all(.tuning.changed_keys | length <= 2),
    cooldown: ([range(1; length) as $i | .[$i - 1].tuning.changed_keys as $a
               | .[$i].tuning.changed_keys | map(select(. as $k | $a | index($k))) | length] | all(. == 0)),
    vel_warm: ([$w[].tuning | (.skipped | to_entries[] | select(.value == "velocity")), (.scaled // {} | to_entries[])] | length <= 2),
    vel_steady: ([$st[].tuning | (.skipped | to_entries[] | select(.value == "velocity")), (.scaled // {} | to_entries[])] | length == 0),
    early_fail: ($w | any(.gate.status == "FAIL")),
    early_neg_net: ($w | any(.summary.net_bps < 0)),
    early_risk_spike: ($w | any(.summary.risk_ratio > 0.50)),
    it1_story: (s(1).net_bps < 0 and s(1).risk_ratio > 0.50),
    last_fail: ([.[] | select(.gate.status == "FAIL") | .iteration] | max),
    steady_mt: [$st[].summary.maker_taker_ratio],
    steady_adverse: [$st[].summary.adverse_bps],
    it1: (s(1) | {net_bps, risk_ratio, p95_latency_ms, maker_taker_ratio}),
    steady: {
      maker_taker_ratio: ([$st[].summary.maker_taker_ratio] | mean),
      net_bps: ([$st[].summary.net_bps] | mean),
      p95_latency_ms: ([$st[].summary.p95_latency_ms] | mean),
      risk_ratio: ([$st[].summary.risk_ratio] | mean)
    }
  }
  | .all = (.complete and .w_no_fail and .w_net and .w_risk and .w_p95 and .ramp
            and .steady_pass and .l8_mt and .l8_net and .l8_p95 and .l8_risk
            and .keys2 and .cooldown and .vel_warm and .vel_steady)'

seed=$first_seed
while [ "$seed" -le "$last_seed" ]; do
	for run in warm cold; do
		log=$work/log.$seed.$run
		run_soak "$seed" "$run" "$log"
		[ -n "$keep" ] && mkdir -p "$keep" && cp "$log" "$keep/soak-$seed-$run.jsonl"
		jq -s -c --arg run "$run" "$judge | .run = \$run" "$log" >> "$work/judged"
	done
	seed=$((seed + 1))
done

jq -s -r --arg seeds "$seeds" --arg rules "${rules:-the default}" '
  def count(f): map(select(f)) | length;
  def mean: if length == 0 then 0 else add / length end;
  def sd: mean as $m | if length < 2 then 0 else (map((. - $m) * (. - $m)) | add / (length - 1) | sqrt) end;
  def fmt(x): (x * 1000 | round) / 1000 | tostring;
  (map(select(.run == "warm"))) as $w | (map(select(.run == "cold"))) as $c |
  ($w | length) as $n |
  def row(name; f): "| \(name) | \($w | count(f)) / \($n) | \($c | count(f)) / \($n) |";
  def kpi(k): "| steady \(k): mean ± sd across seeds | \(fmt([$w[].steady[k]] | mean)) ± \(fmt([$w[].steady[k]] | sd)) | \(fmt([$c[].steady[k]] | mean)) ± \(fmt([$c[].steady[k]] | sd)) |";
  def last(r): [r[].last_fail | values] | sort |
    if length == 0 then "none"
    else "\(if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end) (\(min) – \(max))" end;
  def it1(k): "| iteration 1 \(k): mean (min – max) | \(fmt([$w[].it1[k]] | mean)) (\(fmt([$w[].it1[k]] | min)) – \(fmt([$w[].it1[k]] | max))) | \(fmt([$c[].it1[k]] | mean)) (\(fmt([$c[].it1[k]] | min)) – \(fmt([$c[].it1[k]] | max))) |";
  "Seeds \($seeds), 24 iterations, preset maker_bias_uplift_v1, rules \($rules).",
  "",
  "| criterion | with warm-up | without |",
  "|---|---|---|",
  row("every criterion of the seed'"'"'s table"; .all),
  row("iterations 1-4: no FAIL status"; .w_no_fail),
  row("iterations 1-4: net_bps ≥ 1.0"; .w_net),
  row("iterations 1-4: risk ≤ 0.50"; .w_risk),
  row("iterations 1-4: p95 ≤ 350"; .w_p95),
  row("iterations 5-6: no FAIL (transition)"; .ramp),
  row("iterations 7-24: all PASS"; .steady_pass),
  row("last 8: maker_taker mean ≥ 0.83"; .l8_mt),
  row("last 8: net_bps mean ≥ 2.8"; .l8_net),
  row("last 8: p95 max ≤ 340"; .l8_p95),
  row("last 8: risk median ≤ 0.40"; .l8_risk),
  row("tuner: at most 2 keys per iteration"; .keys2),
  row("tuner: cooldown respected (1 iteration per key)"; .cooldown),
  row("velocity guard: ≤ 2 triggers (skips and scalings) in 1-4"; .vel_warm),
  row("velocity guard: no trigger in 7-24"; .vel_steady),
  row("a FAIL in iterations 1-4"; .early_fail),
  row("negative net_bps in iterations 1-4"; .early_neg_net),
  row("risk > 0.50 in iterations 1-4"; .early_risk_spike),
  row("iteration 1: net_bps < 0 and risk > 0.50"; .it1_story),
  it1("net_bps"), it1("risk_ratio"), it1("p95_latency_ms"), it1("maker_taker_ratio"),
  "| last FAIL iteration: median (min – max) | \(last($w)) | \(last($c)) |",
  kpi("maker_taker_ratio"), kpi("net_bps"), kpi("p95_latency_ms"), kpi("risk_ratio"),
  def median: sort | if length == 0 then 0 elif length % 2 == 1 then .[length / 2 | floor]
                     else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def pct(f): (map(select(f)) | length) * 100 / length | . * 10 | round / 10 | tostring;
  def steady(run; name; f): "| steady \(name) | \([run[].steady_mt] | add | f) | \([run[].steady_adverse] | add | f) |";
  "",
  "| iterations 7-24, all seeds | maker_taker_ratio | adverse_bps |",
  "|---|---|---|",
  steady($w; "with warm-up: median"; median | fmt(.)),
  steady($w; "with warm-up: min – max"; "\(min | fmt(.)) – \(max | fmt(.))"),
  steady($c; "without: median"; median | fmt(.)),
  "| with warm-up: share ≥ 0.999 / share > 0 (%) | \([$w[].steady_mt] | add | pct(. >= 0.999)) | \([$w[].steady_adverse] | add | pct(. > 0)) |"
' "$work/judged"
