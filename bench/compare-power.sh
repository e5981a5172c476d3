#!/bin/sh
# bench/compare-power.sh - soak-compare's error rates, measured rather than assumed.
#
# Soaks SEEDS seeds (default 400) of the baseline parameters once on the
# built-in market (side A), once on the same market with every fee
# 0.2 bps higher (side B: a known cost of 0.2 bps a unit of volume, an
# accounting effect), and once with base_spread_bps_delta 0.25 bps wider
# than A's 0.14 (side C: a change of behaviour, fewer fills and less
# adverse selection, that makes net_bps about 0.2 bps better than A's), with
# soak-sweep; both effects are measured over all seeds.  Then
# DRAWS times (default 200) it draws 20 distinct seeds, g1 (10) and g2
# (10), and runs soak-compare with the default config:
#
#   A/A unpaired   A on g1 against A on g2, Mann-Whitney U
#   A/A paired     A on g1 against A on g2 paired in order (independent
#                  pairs: the null of the signed-rank test holds exactly)
#   A/B paired     A on g1 against B on g1, paired by seed (power)
#   A/B unpaired   A on g1 against B on g2 (power without pairing)
#   C/A paired     C on g1 (baseline) against A on g1: a candidate that
#                  loses the 0.2 bps of the wider spread (power)
#   C/A unpaired   C on g1 against A on g2
#
# and prints how often the verdict was FAIL (a false positive for A/A,
# a detection for A/B and C/A), how often net_bps alone had p < 0.05,
# and how often the verdict was PASS.  The A/A and A/B paired rows are
# repeated with every tolerance of the default config set to 0 (any
# significant worsening of a critical KPI fails), the strictest use of
# the config.  The draws share seeds across comparisons (each
# comparison's two groups are disjoint); they come from a fixed awk seed,
# so a rerun prints the same figures.
#
# Usage: bench/compare-power.sh [SEEDS [DRAWS]]   (run from the build tree
# or with soakkit on PATH; JOBS=N sets soak-sweep's parallelism)
set -eu
seeds=${1:-400}
draws=${2:-200}
jobs=${JOBS:-2}
group=10
top=$(cd "$(dirname "$0")/.." && pwd)
PATH=$top/bin:$PATH
SOAKKIT_PRESET_PATH=${SOAKKIT_PRESET_PATH:-$top/presets}
export PATH SOAKKIT_PRESET_PATH
work=$(mktemp -d "${TMPDIR:-/tmp}/compare-power.XXXXXX")
trap 'rm -rf "$work"' EXIT

jq '.kpis[].tolerance = 0 | .description = "compare_default with no tolerance"' \
	"$top/presets/compare_default.json" > "$work/zero_tolerance.json"
jq '.fees.maker_fee_bps += 0.2 | .fees.taker_fee_bps += 0.2 |
    .description = "market_default with every fee 0.2 bps higher"' \
	"$top/presets/market_default.json" > "$work/fees_up_0.2.json"
start=$(date +%s)
sweep() {
	nice soak-sweep --quiet --seeds="1-$seeds" --market=market_default \
		--market="$work/fees_up_0.2.json" --jobs="$jobs" --out="$work/sweep" "$@"
}
sweep || sweep --resume   # a run that failed (say, a binary rebuilt under it) runs again
wide() {
	nice soak-sweep --quiet --seeds="1-$seeds" --set=base_spread_bps_delta=0.39 --jobs="$jobs" \
		--out="$work/wide" "$@"
}
wide || wide --resume
soaked=$(($(date +%s) - start))
a=$work/sweep/none@market_default
b=$work/sweep/none@fees_up_0.2
c=$work/wide/none+base_spread_bps_delta=0.39

effect() { # effect BASE CAND: the paired difference of net_bps over all seeds
	soak-compare --baseline "$1" --candidate "$2" |
		jq -r '.kpis[] | select(.kpi == "net_bps") |
		       "\(.difference.estimate) (mean \(.difference.mean), 95% interval [\(.difference.lo), \(.difference.hi)], \(.n) pairs)"' ||
		true
}

# DRAWS lines of 2*group distinct seeds (a partial Fisher-Yates shuffle).
awk -v n="$seeds" -v draws="$draws" -v k=$((2 * group)) 'BEGIN {
	srand(20261130)
	for (d = 0; d < draws; d++) {
		for (i = 1; i <= n; i++) s[i] = i
		line = ""
		for (i = 1; i <= k; i++) {
			j = i + int(rand() * (n - i + 1)); t = s[i]; s[i] = s[j]; s[j] = t
			line = line (i > 1 ? " " : "") s[i]
		}
		print line
	}
}' > "$work/draws"

# compare NAME PAIRING BASE_DIR BASE_SEEDS CAND_DIR CAND_SEEDS [CONFIG]:
# one line "NAME VERDICT NET_P" to the tally.
compare() {
	set -f
	base='' cand=''
	for s in $4; do base="$base $3/seed-$s.jsonl"; done
	for s in $6; do cand="$cand $5/seed-$s.jsonl"; done
	# shellcheck disable=SC2086 # one path a word; paths hold no spaces
	out=$(soak-compare --config="${7:-compare_default}" --pairing="$2" --baseline $base \
		--candidate $cand) || true
	printf '%s %s\n' "$1" "$(printf '%s' "$out" |
		jq -r '"\(.verdict) \(.kpis[] | select(.kpi == "net_bps") | .p_value)"')"
	set +f
}

while read -r line; do
	g1=$(echo "$line" | cut -d' ' -f1-$group)
	g2=$(echo "$line" | cut -d' ' -f$((group + 1))-)
	compare aa_unpaired none "$a" "$g1" "$a" "$g2"
	compare aa_paired order "$a" "$g1" "$a" "$g2"
	compare ab_paired seed "$a" "$g1" "$b" "$g1"
	compare ab_unpaired none "$a" "$g1" "$b" "$g2"
	compare ca_paired seed "$c" "$g1" "$a" "$g1"
	compare ca_unpaired none "$c" "$g1" "$a" "$g2"
	compare aa_unpaired_t0 none "$a" "$g1" "$a" "$g2" "$work/zero_tolerance.json"
	compare aa_paired_t0 order "$a" "$g1" "$a" "$g2" "$work/zero_tolerance.json"
	compare ab_paired_t0 seed "$a" "$g1" "$b" "$g1" "$work/zero_tolerance.json"
done < "$work/draws" > "$work/tally"
same=$(compare aa_same_seeds seed "$a" "$(head -n 1 "$work/draws" | cut -d' ' -f1-$group)" \
	"$a" "$(head -n 1 "$work/draws" | cut -d' ' -f1-$group)")

echo "soak-compare error rates (bench/compare-power.sh): $seeds seeds a side soaked once" \
	"(24 iterations, 3 x $seeds soaks in ${soaked} s with -j $jobs), $draws draws of $group seeds a side, config compare_default"
echo "B: every fee +0.2 bps; its effect on net_bps, all $seeds seeds paired: $(effect "$a" "$b")"
echo "C: base_spread_bps_delta 0.39 (A: 0.14); A against C on net_bps, all $seeds seeds paired: $(effect "$c" "$a")"
awk -v draws="$draws" '
{ n[$1]++; fail[$1] += $2 == "FAIL"; pass[$1] += $2 == "PASS"; sig[$1] += ($3 + 0) < 0.05 }
END {
	split("aa_unpaired aa_paired ab_paired ab_unpaired ca_paired ca_unpaired aa_unpaired_t0 aa_paired_t0 ab_paired_t0", order, " ")
	label["aa_unpaired"]    = "A/A unpaired (Mann-Whitney U)   "
	label["aa_paired"]      = "A/A paired (signed-rank)        "
	label["ab_paired"]      = "A/B paired, -0.2 bps (power)    "
	label["ab_unpaired"]    = "A/B unpaired, -0.2 bps (power)  "
	label["ca_paired"]      = "C/A paired, -0.2 bps (power)    "
	label["ca_unpaired"]    = "C/A unpaired, -0.2 bps (power)  "
	label["aa_unpaired_t0"] = "A/A unpaired, tolerances 0      "
	label["aa_paired_t0"]   = "A/A paired, tolerances 0        "
	label["ab_paired_t0"]   = "A/B paired, tolerances 0 (power)"
	printf "%s  %12s  %16s  %12s\n", "comparison                      ", "verdict FAIL", "net_bps p < 0.05", "verdict PASS"
	for (i = 1; i <= 9; i++) {
		c = order[i]
		printf "%s  %11.1f%%  %15.1f%%  %11.1f%%   (%d comparisons)\n", label[c],
			100 * fail[c] / n[c], 100 * sig[c] / n[c], 100 * pass[c] / n[c], n[c]
	}
}' "$work/tally"
echo "A/A paired on the same seeds (identical logs): verdict $(echo "$same" | cut -d' ' -f2)," \
	"net_bps p = $(echo "$same" | cut -d' ' -f3)"
echo "targets: A/A verdict FAIL at most 5%; A/B paired verdict FAIL at least 90%"
