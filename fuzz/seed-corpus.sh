#!/bin/sh
# seed-corpus.sh SRCDIR DIR: seed corpora for the fuzz harnesses from
# tests/fixtures: DIR/record gets each line (and each .json file) alone;
# DIR/kpi-gate and DIR/tuner-filter get runs of lines of each log, after
# the option byte the harness reads first (0: defaults).
set -eu
src=$1 dir=$2
rm -rf "$dir"
mkdir -p "$dir/record" "$dir/kpi-gate" "$dir/tuner-filter"
n=0
for f in "$src"/tests/fixtures/*.jsonl "$src"/tests/fixtures/*.json; do
	base=$(basename "$f")
	case $f in
	*.jsonl)
		i=0
		while IFS= read -r line && [ $i -lt 24 ]; do
			i=$((i + 1))
			printf '%s' "$line" > "$dir/record/$base.$i"
		done < "$f"
		for harness in kpi-gate tuner-filter; do
			{ printf '\000'; head -n 12 "$f"; } > "$dir/$harness/$base.head"
			{ printf ' '; tail -n 9 "$f"; } > "$dir/$harness/$base.tail"
		done
		;;
	*)
		jq -c . "$f" > "$dir/record/$base" 2>/dev/null || cp "$f" "$dir/record/$base"
		;;
	esac
	n=$((n + 1))
done
echo "  SEED     $dir: $(ls "$dir/record" | wc -l) record, $(ls "$dir/kpi-gate" | wc -l) kpi-gate, $(ls "$dir/tuner-filter" | wc -l) tuner-filter inputs from $n fixtures"
