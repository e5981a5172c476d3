#!/bin/sh
# run.sh BUILDDIR SECONDS: run each fuzz harness for SECONDS under ASan and
# UBSan on its seed corpus (make fuzz-run).  A crash leaves its input in
# BUILDDIR/fuzz/crashes/NAME/ and makes the exit status 1; each harness
# ends with libFuzzer's line of executions.
set -u
build=$1 seconds=$2
status=0
for name in record kpi-gate tuner-filter; do
	work="$build/fuzz/work/$name" crashes="$build/fuzz/crashes/$name"
	mkdir -p "$work" "$crashes"
	echo "== fuzz-$name, $seconds s"
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
		"$build/fuzz/fuzz-$name" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
		-timeout=10 -artifact_prefix="$crashes/" -print_final_stats=1 \
		"$work" "$build/fuzz/corpus/$name" > "$build/fuzz/$name.log" 2>&1 || status=1
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^Done|ERROR|SUMMARY' "$build/fuzz/$name.log" | head -8
	ls "$crashes" | sed 's/^/  crash: /'
done
exit $status
