#!/bin/bash
# kill-resume.sh - kill -9 a soak at random points, resume it, and compare
# the log and verdict byte for byte with an uninterrupted run of the same
# seed.  Three ways to die, TRIALS times each:
#   runner  kill -9 of soak-run alone
#   stage   kill -9 of one stage of the ring, chosen at random
#   group   kill -9 of soak-run's whole process group
# The kill lands after a random number (1 to N-2) of logged lines plus a random
# delay (0-19 ms), so it falls anywhere in an iteration, a write included.
# A resume refused because the dying ring still holds the lock is retried
# (every 50 ms, up to 5 s) and counted.  A trial whose kill missed (the
# run had ended, or the chosen stage was already gone) does not count:
# trials go on until TRIALS kills landed mid-run (at most 3 x TRIALS).
#
# usage: bench/kill-resume.sh [-b BINDIR] [-t TRIALS] [-n ITERATIONS] [-r RANDOM_SEED] [-m MODES]
set -u
bindir= trials=10 iterations=24 seed=$$ modes="runner stage group"
while getopts b:t:n:r:m: opt; do
	case $opt in
	b) bindir=$OPTARG ;;
	t) trials=$OPTARG ;;
	n) iterations=$OPTARG ;;
	r) seed=$OPTARG ;;
	m) modes=$OPTARG ;;
	*) echo "usage: $0 [-b BINDIR] [-t TRIALS] [-n ITERATIONS] [-r RANDOM_SEED] [-m MODES]" >&2; exit 2 ;;
	esac
done
. "$(dirname "$0")/common.sh"
command -v soak-run >/dev/null || { echo "$0: soak-run not found (use -b BINDIR)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
RANDOM=$seed
echo "kill-resume: $trials trials per mode, $iterations iterations, RANDOM seed $seed"

stages="warmup-phase warmup-apply tuner-propose tuner-filter kpi-gate soak-log soak-next"
slow="while read -r l; do sleep 0.03; printf '%s\n' \"\$l\"; done | soak-mock --seed=7"

soak-run -q -n "$iterations" --warmup --seed 7 --out "$work/whole" >/dev/null
[ -s "$work/whole/verdict.json" ] || { echo "$0: the reference run failed" >&2; exit 1; }

# Lines in DIR's log, counted by the shell itself (no process per poll).
lines() {
	local n=0
	[ -e "$1/iterations.jsonl" ] && while IFS= read -r _; do n=$((n + 1)); done < "$1/iterations.jsonl"
	echo "$n"
}

# One trial; prints "ok", "DIFF" or "RESUME-FAILED", then notes.
trial() { # trial MODE DIR
	local mode=$1 dir=$2 after delay victim notes=
	after=$((1 + RANDOM % (iterations - 2)))
	delay=$((RANDOM % 20))
	setsid soak-run -q -n "$iterations" --warmup --engine "$slow" --out "$dir" >/dev/null 2>&1 &
	local pid=$!
	for _ in $(seq 1000); do
		[ "$(lines "$dir")" -ge "$after" ] && break
		sleep 0.005
	done
	sleep "0.0$(printf '%02d' "$delay")"
	case $mode in
	runner) kill -9 "$pid" 2>/dev/null ;;
	group) kill -9 -- "-$pid" 2>/dev/null ;;
	stage)
		set -- $stages
		shift $((RANDOM % $#))
		victim=$1
		notes=$victim
		pkill -9 -P "$pid" -x "$victim" || notes="$victim(gone)"
		;;
	esac
	wait "$pid" 2>/dev/null
	local killed_at size
	killed_at=$(lines "$dir")
	size=$(stat -c %s "$dir/iterations.jsonl" 2>/dev/null || echo 0)
	[ "$size" -gt 0 ] && [ "$(tail -c 1 "$dir/iterations.jsonl" | od -An -c | tr -d ' ')" != '\n' ] && notes="$notes torn-line"
	local st retries=0 out
	for _ in $(seq 100); do
		out=$(soak-run -q --resume --out "$dir" 2>&1 >/dev/null)
		st=$?
		case $out in *"is in use by a live run"*) retries=$((retries + 1)); sleep 0.05 ;; *) break ;; esac
	done
	[ "$retries" -gt 0 ] && notes="$notes lock-retries=$retries"
	if [ "$st" -gt 1 ]; then
		echo "RESUME-FAILED (status $st: $out) after=$after+${delay}ms lines=$killed_at $notes"
	elif cmp -s "$work/whole/iterations.jsonl" "$dir/iterations.jsonl" &&
		cmp -s "$work/whole/verdict.json" "$dir/verdict.json"; then
		echo "ok after=$after+${delay}ms lines=$killed_at $notes"
	else
		echo "DIFF after=$after+${delay}ms lines=$killed_at $notes"
	fi
}

total_fail=0
for mode in $modes; do
	pass=0 torn=0 retried=0 landed=0 attempts=0
	while [ "$landed" -lt "$trials" ] && [ "$attempts" -lt $((3 * trials)) ]; do
		attempts=$((attempts + 1))
		result=$(trial "$mode" "$work/$mode-$attempts")
		echo "  $mode $attempts: $result"
		case $result in *"lines=$iterations "*|*"(gone)"*) continue ;; esac
		landed=$((landed + 1))
		case $result in ok*) pass=$((pass + 1)) ;; esac
		case $result in *torn-line*) torn=$((torn + 1)) ;; esac
		case $result in *lock-retries*) retried=$((retried + 1)) ;; esac
	done
	total_fail=$((total_fail + trials - pass))
	printf '%-6s %d/%d kills mid-run byte-identical after resume (%d attempts; %d left a torn last line, %d resumes waited for the lock)\n' \
		"$mode" "$pass" "$landed" "$attempts" "$torn" "$retried"
done
[ "$total_fail" -eq 0 ]
