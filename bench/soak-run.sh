#!/bin/sh
# soak-run.sh - the speed of the loop and its engine: soak-mock's
# simulated iterations per second (bench/soak-mock.sh), then the wall time
# of a 24-iteration and a
# 1,000-iteration `soak-run --warmup` on the built-in market, each beside a
# reference measured in the same run: the same ring of eight stages with
# `jq -c --unbuffered .` in every stage (JSON in, JSON out, no work), over
# as many iterations.
# Targets (DESIGN.md): 24 iterations well under 1 s; 1,000 in seconds.
#
# usage: bench/soak-run.sh [-b BINDIR]
set -eu
bindir=
while getopts b: opt; do
	case $opt in
	b) bindir=$OPTARG ;;
	*) echo "usage: $0 [-b BINDIR]" >&2; exit 2 ;;
	esac
done
srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${SOAKKIT_PRESET_PATH:=$srcdir/presets}"
export SOAKKIT_PRESET_PATH
[ -n "$bindir" ] && PATH=$(cd "$bindir" && pwd):$PATH && export PATH
command -v soak-run >/dev/null || { echo "$0: soak-run not found (use -b BINDIR)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# The last stage of the reference ring: counts the iterations and ends the
# ring after N (jq 1.6's halt does not end it; mawk reads ahead).  The
# shell's read takes one line at a time from a pipe.
count_to() { # count_to N
	i=0
	while read -r _; do
		i=$((i + 1))
		[ "$i" -ge "$1" ] && break
		printf '{"iteration":%d}\n' $((i + 1))
	done
}

# The reference ring: seven jq stages and count_to.
# The FIFO is read at the start of the pipeline and written at its end.
# shellcheck disable=SC2094
jq_ring() { # jq_ring N
	rm -f "$work/ring"
	mkfifo "$work/ring"
	{ echo '{"iteration":1}'; cat "$work/ring"; } |
		jq -c --unbuffered . | jq -c --unbuffered . | jq -c --unbuffered . |
		jq -c --unbuffered . | jq -c --unbuffered . | jq -c --unbuffered . |
		jq -c --unbuffered . |
		count_to "$1" > "$work/ring"
}

for n in 24 1000; do
	t0=$(now)
	soak-run -q -n "$n" --warmup --preset maker_bias_uplift_v1 --out "$work/run-$n" > /dev/null || [ $? -eq 1 ]
	t1=$(now)
	jq_ring "$n"
	t2=$(now)
	[ "$(grep -c . "$work/run-$n/iterations.jsonl")" -eq "$n" ] || { echo "$0: soak-run did not finish" >&2; exit 1; }
	printf 'soak-run %4d iterations: %7s s   (reference: %d-iteration ring of 7 jq stages %7s s)\n' \
		"$n" "$(elapsed "$t0" "$t1")" "$n" "$(elapsed "$t1" "$t2")"
done

sh "$(dirname "$0")/soak-mock.sh" -n 2000 ${bindir:+-b "$bindir"}
