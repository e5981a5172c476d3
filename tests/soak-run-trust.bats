#!/usr/bin/env bats
# soak-run's promises about processes, files and signals (issue 7): the
# engine's contract and timeout, the lock, the ring dying with its runner,
# run files written atomically, run.args as data, run.json pinning every
# data file, every option checked before --out is touched.

load helpers

out() { echo "$BATS_TEST_TMPDIR/${1:-run}"; }

# An engine command that adds fixed KPIs (every iteration PASSes).
KPIS='.summary = {net_bps: 3.5, maker_taker_ratio: 0.9, p95_latency_ms: 250, risk_ratio: 0.2}'
jq_engine() { echo "jq --unbuffered -c '$KPIS | $1'"; }

# The iterations of a log as one line: "1 2 3".
iterations() { jq -r .iteration "$1" | tr '\n' ' ' | sed 's/ $//'; }

# Every file of a directory with its checksum, to show nothing changed.
fingerprint() { (cd "$1" && sha256sum -- * | sort); }

# Wait up to 5 s until no process with `marker` in its command line is left.
gone() { # gone MARKER
	for _ in $(seq 50); do
		pgrep -f -- "$1" >/dev/null || return 0
		sleep 0.1
	done
	pgrep -af -- "$1"
	return 1
}

# ---------------------------------------------------------------- contract

@test "an engine that writes two lines per record stops the ring at iteration 1 (exit 2)" {
	run timeout 20 soak-run -q -n 8 --engine "$(jq_engine '., .')" --out "$(out)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-run: engine 'jq --unbuffered"*"': iteration 1: it wrote more than one line"* ]]
	# the extra line never reaches the log: it holds nothing (both lines came
	# in one read, so the first was held back) or iteration 1 once (the
	# second came later, while the first went on round the ring)
	its=$(iterations "$(out)/iterations.jsonl")
	[ "$its" = "" ] || [ "$its" = "1" ]
	[ ! -e "$(out)/verdict.json" ]
}

@test "an engine that rewrites iteration 2 as 16 stops the ring at iteration 2 (exit 2)" {
	run timeout 20 soak-run -q -n 8 --engine "$(jq_engine 'if .iteration == 2 then .iteration = 16 else . end')" --out "$(out)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"': iteration 2: it wrote iteration 16"* ]]
	[ "$(iterations "$(out)/iterations.jsonl")" = "1" ]
	[ ! -e "$(out)/verdict.json" ]
}

@test "an engine that sets iteration 1 every time stops at iteration 2 instead of running for ever" {
	run timeout 20 soak-run -q -n 8 --engine "$(jq_engine '.iteration = 1')" --out "$(out)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"': iteration 2: it wrote iteration 1"* ]]
	[ "$(iterations "$(out)/iterations.jsonl")" = "1" ]
}

@test "an engine may not change params or effective, and must add a summary" {
	run timeout 20 soak-run -q -n 4 --engine "$(jq_engine '.params.min_interval_ms += 1')" --out "$(out p)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"': iteration 1: it changed 'params'"* ]]
	[ ! -s "$(out p)/iterations.jsonl" ]
	run timeout 20 soak-run -q -n 4 --warmup --engine "$(jq_engine 'if .iteration == 3 then .effective.tail_age_ms = 1 else . end')" --out "$(out e)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"': iteration 3: it changed 'effective'"* ]]
	[ "$(iterations "$(out e)/iterations.jsonl")" = "1 2" ]
	run timeout 20 soak-run -q -n 4 --engine "jq --unbuffered -c 'del(.summary)'" --out "$(out s)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"': iteration 1: its record has no 'summary'"* ]]
	[ ! -s "$(out s)/iterations.jsonl" ]
}

@test "an engine that ends without a record, or writes half a line, breaks the contract" {
	run timeout 20 soak-run -q -n 4 --engine 'cat > /dev/null' --engine-timeout 1 --out "$(out a)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"engine 'cat > /dev/null': iteration 1: no record within 1 s"* ]]
	run timeout 20 soak-run -q -n 4 --engine 'read -r l; printf "%s" "$l"' --out "$(out b)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"': iteration 1: its output ended in the middle of a line"* ]]
	run timeout 20 soak-run -q -n 4 --engine 'true' --out "$(out c)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"engine 'true': iteration 1: "* ]]
	[ ! -s "$(out c)/iterations.jsonl" ]
}

@test "a key order and number spelling of the engine's own is not a breach" {
	run soak-run -q -n 3 --engine 'soak-mock | jq -cS --unbuffered .' --out "$(out)"
	[ "$status" -le 1 ]
	[ "$(iterations "$(out)/iterations.jsonl")" = "1 2 3" ]
}

# ----------------------------------------------------------------- timeout

@test "--engine-timeout ends a silent engine: TERM to its group, a message, exit 2" {
	SECONDS=0
	run timeout 30 soak-run -q -n 8 --engine 'sleep 98761' --engine-timeout 1 --out "$(out)"
	[ "$status" -eq 2 ]
	[ "$SECONDS" -le 5 ]
	[[ "$output" == *"soak-run: engine 'sleep 98761': iteration 1: no record within 1 s: ending it (TERM, then KILL after 2 s)"* ]]
	[ ! -s "$(out)/iterations.jsonl" ]
	gone 'sleep 98761'
}

@test "an engine that ignores TERM is KILLed after the grace period, its whole group" {
	SECONDS=0
	run timeout 30 soak-run -q -n 8 --engine 'trap "" TERM; sleep 98762 & sleep 98763; wait' --engine-timeout 0.5 --out "$(out)"
	[ "$status" -eq 2 ]
	[ "$SECONDS" -le 6 ]
	[[ "$output" == *"no record within 0.5 s"* ]]
	gone 'sleep 9876[23]'
}

@test "the engine timeout: 1800 s by default for a command, none for mock and replay:, in run.json" {
	soak-run -q -n 2 --engine 'soak-mock' --out "$(out c)" >/dev/null || true
	jq -e '.engine_timeout == 1800' "$(out c)/run.json"
	soak-run -q -n 2 --out "$(out m)" >/dev/null || true
	jq -e '.engine_timeout == null' "$(out m)/run.json"
	soak-run -q -n 2 --engine-timeout 7.5 --out "$(out t)" >/dev/null || true
	jq -e '.engine_timeout == 7.5' "$(out t)/run.json"
	run soak-run --help
	[[ "$output" == *"(default 1800 for a command, none for mock and"* ]]
	run soak-run --engine-timeout=-1 --out "$(out x)"
	[ "$status" -eq 2 ]
	[ ! -e "$(out x)" ]
}

# -------------------------------------------------------------------- lock

@test "a second runner on a live --out is refused with the holder's PID, and so is --resume" {
	# the engine holds iteration 3 until run.go exists: the run is live meanwhile
	gated="n=0; while read -r l; do n=\$((n + 1)); [ \$n -ne 3 ] || while [ ! -e '$(out).go' ]; do sleep 0.01; done; printf '%s\\n' \"\$l\"; done | soak-mock"
	soak-run -q -n 12 --engine "$gated" --out "$(out)" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 500); do [ "$(cat "$(out)/iterations.jsonl" 2>/dev/null | wc -l)" -ge 2 ] && break; sleep 0.01; done
	for args in "-n 3" "-n 3 --force" "--resume"; do
		run soak-run -q $args --out "$(out)"
		[ "$status" -eq 2 ] || { echo "$args: $status"; return 1; }
		[[ "$output" == *"soak-run: '$(out)' is in use by a live run (soak-run PID $pid, see $(out)/run.lock)"* ]] || { echo "$args: $output"; return 1; }
	done
	touch "$(out).go"
	st=0
	wait "$pid" || st=$?
	[ "$st" -le 1 ]
	# the live run was not disturbed: iterations 1..12, each once
	[ "$(iterations "$(out)/iterations.jsonl")" = "$(seq -s ' ' 12)" ]
	[ -s "$(out)/verdict.json" ]
}

# ----------------------------------------------------------------- signals

# Start a slow run in its own session (so its group can be watched); sets pid.
start_slow_run() { # start_slow_run DIR MARKER [OPTION]...
	local dir=$1 marker=$2
	shift 2
	setsid soak-run -q -n 200 --engine "while read -r l; do sleep 0.05; printf '%s\n' \"\$l\"; done | soak-mock --seed=$marker" "$@" --out "$dir" >/dev/null 2>"$dir.err" &
	pid=$!
	for _ in $(seq 100); do [ -s "$dir/iterations.jsonl" ] && break; sleep 0.05; done
	[ -s "$dir/iterations.jsonl" ]
}

# Processes of group $1 that are not zombies (an orphan's zombie waits for init).
live_in_group() { ps -eo pgid=,stat=,args= | awk -v g="$1" '$1 == g && $2 !~ /^Z/'; }

# After the runner ended: nothing of its group or of its engine is left, and the log stops.
assert_ring_gone() { # assert_ring_gone DIR MARKER
	gone "soak-mock --seed=$2"
	for _ in $(seq 50); do [ -z "$(live_in_group "$pid")" ] && break; sleep 0.1; done
	[ -z "$(live_in_group "$pid")" ]
	n=$(wc -l < "$1/iterations.jsonl")
	sleep 0.3
	[ "$(wc -l < "$1/iterations.jsonl")" -eq "$n" ]
	[ ! -e "$1/verdict.json" ]
}

@test "HUP, INT and TERM stop every stage and the engine, even one that ignores TERM" {
	for sig in HUP INT TERM; do
		dir=$(out "$sig")
		marker=$((RANDOM + 70000))
		start_slow_run "$dir" "$marker"
		kill -"$sig" "$pid"
		st=0
		wait "$pid" || st=$?
		[ "$st" -eq $((128 + $(kill -l "$sig"))) ] || { echo "$sig: $st"; return 1; }
		assert_ring_gone "$dir" "$marker"
	done
	# an engine that ignores TERM: KILLed after the grace period
	dir=$(out ignore)
	setsid soak-run -q -n 50 --engine 'trap "" TERM; while read -r l; do sleep 0.05; printf "%s\n" "$l"; done | soak-mock --seed=98764' --out "$dir" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ -s "$dir/iterations.jsonl" ] && break; sleep 0.05; done
	kill -TERM "$pid"
	wait "$pid" || true
	assert_ring_gone "$dir" 98764
}

@test "kill -9 of the runner alone: the ring stops, nothing more is logged" {
	dir=$(out)
	marker=$((RANDOM + 70000))
	start_slow_run "$dir" "$marker"
	kill -9 "$pid"
	wait "$pid" || true
	assert_ring_gone "$dir" "$marker"
	# every line complete, iterations 1..n
	[ "$(iterations "$dir/iterations.jsonl")" = "$(seq -s ' ' "$(wc -l < "$dir/iterations.jsonl")")" ]
}

@test "kill -9 of the runner: an engine that ignores TERM and its input is ended all the same" {
	soak-run -q -n 8 --engine 'trap "" TERM; sleep 98781 & sleep 98782' --out "$(out)" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do pgrep -f 'sleep 9878[12]' >/dev/null && break; sleep 0.05; done
	kill -9 "$pid"
	wait "$pid" || true
	# the engine's keeper got TERM as soak-run died: TERM to the group, KILL 2 s later
	gone 'sleep 9878[12]'
}

# kill -9 at fixed points, then --resume: byte for byte the uninterrupted run.
# The engine holds record STOP until DIR.go exists, so the kill lands
# while iteration STOP is in the ring, however loaded the machine is.
# (bench/kill-resume.sh kills at random points, many times.)
kill_and_resume() { # kill_and_resume WHAT STOP DIR
	local what=$1 stop=$2 dir=$3
	local engine="n=0; while read -r l; do n=\$((n + 1)); [ \$n -ne $stop ] || while [ ! -e '$dir.go' ]; do sleep 0.01; done; printf '%s\\n' \"\$l\"; done | soak-mock --seed=2"
	setsid soak-run -q -n 16 --warmup --engine "$engine" --out "$dir" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 1000); do
		[ "$(cat "$dir/iterations.jsonl" 2>/dev/null | wc -l)" -ge $((stop - 1)) ] && break
		sleep 0.01
	done
	case $what in
	runner) kill -9 "$pid" ;;
	group) kill -9 -- "-$pid" ;;
	*) pkill -9 -P "$pid" -x "$what" ;;
	esac
	wait "$pid" || true
	touch "$dir.go"
	[ "$(cat "$dir/iterations.jsonl" | wc -l)" -eq $((stop - 1)) ]
	for _ in $(seq 50); do
		run soak-run -q --resume --out "$dir"
		[[ "$output" == *"is in use by a live run"* ]] || break
		sleep 0.1
	done
	[ "$status" -eq 0 ] || { echo "$what at $stop: resume: $status $output"; return 1; }
	cmp "$(out whole)/iterations.jsonl" "$dir/iterations.jsonl"
	# the same verdict (the run object names the other engine command)
	cmp <(jq -c 'del(.run)' "$(out whole)/verdict.json") <(jq -c 'del(.run)' "$dir/verdict.json")
}

@test "kill -9 of the runner, of one stage, of the whole group, then --resume: byte-identical (3 points each)" {
	soak-run -q -n 16 --warmup --seed 2 --out "$(out whole)" >/dev/null
	i=0
	for what in runner soak-log kpi-gate group; do
		for stop in 2 7 13; do
			i=$((i + 1))
			kill_and_resume "$what" "$stop" "$(out k$i)"
		done
	done
}

# ------------------------------------------------------------- run files

@test "run.args is data, never run: a crafted one is refused and runs nothing" {
	mkdir -p "$(out)"
	# the old shell-quoted form, with a command substitution
	printf '%s' "'--iterations=3' \$(touch '$BATS_TEST_TMPDIR/pwned1')" > "$(out)/run.args"
	run soak-run -q --resume --out "$(out)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--resume: '$(out)/run.args': not a list of NUL-ended arguments"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/pwned1" ]
	# well-formed, but not the options run.json records
	soak-run -q -n 3 --out "$(out ok)" >/dev/null || true
	cp "$(out ok)/run.json" "$(out)/"
	printf -- '--iterations=3\0--engine=touch %s/pwned2\0' "$BATS_TEST_TMPDIR" > "$(out)/run.args"
	run soak-run -q --resume --out "$(out)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"does not hold the options '$(out)/run.json' records: refusing to run it"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/pwned2" ]
	# options that are not a run's
	printf -- '--iterations=3\0--out=/\0' > "$(out)/run.args"
	run soak-run -q --resume --out "$(out)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"holds '--out=/', which is not an option of a run"* ]]
	[ ! -e "$(out)/iterations.jsonl" ]
}

@test "run.args holds one argument per NUL, values with spaces and quotes intact" {
	soak-run -q -n 2 --engine "jq --unbuffered -c '$KPIS' # it's" --set min_interval_ms=70 --out "$(out)" >/dev/null || true
	run bash -c 'tr "\0" "\n" < "$0"' "$(out)/run.args"
	[ "${lines[0]}" = "--iterations=2" ]
	[ "${lines[1]}" = "--engine=jq --unbuffered -c '$KPIS' # it's" ]
	[ "${lines[2]}" = "--set=min_interval_ms=70" ]
	[ "$(tr -cd '\0' < "$(out)/run.args" | wc -c)" -eq 3 ]
	[ "$(jq -r '.args[1]' "$(out)/run.json")" = "${lines[1]}" ]
	[ "$(jq -r '.args | length' "$(out)/run.json")" -eq 3 ]
}

@test "run.json: version, a deterministic run id, the options, each data file's path and sha256" {
	soak-run -q -n 3 --warmup --preset maker_bias_uplift_v1 --seed 4 --out "$(out a)" >/dev/null || true
	soak-run -q -n 3 --warmup --preset maker_bias_uplift_v1 --seed 4 --out "$(out b)" >/dev/null || true
	soak-run -q -n 3 --warmup --preset maker_bias_uplift_v1 --seed 5 --out "$(out c)" >/dev/null || true
	cmp "$(out a)/run.json" "$(out b)/run.json"
	[ "$(jq -r .run_id "$(out a)/run.json")" != "$(jq -r .run_id "$(out c)/run.json")" ]
	jq -e --arg v "$(soak-run --version | awk '{print $3}')" '.soakkit == $v and (.run_id | test("^[0-9a-f]{16}$"))
		and .iterations == 3 and .seed == 4 and .warmup and .warmup_preset == "warmup_conservative_v1"
		and .preset == "maker_bias_uplift_v1" and .thresholds == "kpi_thresholds_v1" and .rules == "tuner_rules_v2"
		and .market == "market_default" and .engine == "mock"
		and ([.files[].role] == ["preset", "warmup-preset", "rules", "thresholds", "market"])' "$(out a)/run.json"
	# every sha256 is the file's (checked by sha256sum)
	jq -r '.files[] | "\(.sha256)  \(.path)"' "$(out a)/run.json" | sha256sum -c --quiet
	[ "$(jq -r '.files[] | select(.role == "thresholds") | .path' "$(out a)/run.json")" = "$(realpath "$SOAKKIT_PRESET_PATH/kpi_thresholds_v1.json")" ]
	# no temporary file left behind
	[ -z "$(find "$(out a)" -name '.tmp.*')" ]
}

@test "--resume refuses when a data file changed since the run started, naming it" {
	cp "$SOAK_SRCDIR/presets/kpi_thresholds_v1.json" "$BATS_TEST_TMPDIR/th.json"
	soak-run -q -n 6 --thresholds "$BATS_TEST_TMPDIR/th.json" --out "$(out)" >/dev/null || true
	head -n 3 "$(out)/iterations.jsonl" > "$BATS_TEST_TMPDIR/three"
	cp "$BATS_TEST_TMPDIR/three" "$(out)/iterations.jsonl"
	echo ' ' >> "$BATS_TEST_TMPDIR/th.json"
	run soak-run -q --resume --out "$(out)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-run: --resume: '$BATS_TEST_TMPDIR/th.json' (--thresholds) changed since the run started"* ]]
	cmp "$BATS_TEST_TMPDIR/three" "$(out)/iterations.jsonl"
	# back as it was: the run goes on, unless another soakkit started it
	truncate -s -2 "$BATS_TEST_TMPDIR/th.json"
	cp "$(out)/run.json" "$BATS_TEST_TMPDIR/run.json"
	jq -c '.soakkit = "0.0.1"' "$BATS_TEST_TMPDIR/run.json" > "$(out)/run.json"
	run soak-run -q --resume --out "$(out)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--resume: the run was started by soakkit '0.0.1', this is soakkit '$(soak-run --version | awk '{print $3}')'"* ]]
	cp "$BATS_TEST_TMPDIR/run.json" "$(out)/run.json"
	run soak-run -q --resume --out "$(out)"
	[ "$status" -le 1 ]
	[ "$(iterations "$(out)/iterations.jsonl")" = "1 2 3 4 5 6" ]
}

@test "--resume trims a cut-off line in place (ftruncate: same file, same inode)" {
	soak-run -q -n 5 --out "$(out whole)" >/dev/null || true
	soak-run -q -n 5 --out "$(out cut)" >/dev/null || true
	head -n 2 "$(out whole)/iterations.jsonl" > "$(out cut)/iterations.jsonl"
	sed -n 3p "$(out whole)/iterations.jsonl" | head -c 300 >> "$(out cut)/iterations.jsonl"
	inode=$(stat -c %i "$(out cut)/iterations.jsonl")
	run soak-run -q --resume --out "$(out cut)"
	[[ "$output" == *"soak-run: dropped an incomplete last line of '$(out cut)/iterations.jsonl' (300 bytes)"* ]]
	[ "$(stat -c %i "$(out cut)/iterations.jsonl")" = "$inode" ]
	cmp "$(out whole)/iterations.jsonl" "$(out cut)/iterations.jsonl"
}

# ------------------------------------------------------- options first

@test "a typo'd option or data file leaves the previous run untouched, --force or not" {
	soak-run -q -n 4 --preset maker_bias_uplift_v1 --out "$(out)" >/dev/null || true
	before=$(fingerprint "$(out)")
	for args in "--preset maker_bias_uplift_v2" "--preset maker_bias_uplift_v2 --force" "--rules no_such_rules --force" \
		"--thresholds no_such --force" "--market no_such --force" "--warmup --warmup-preset no_such --force" \
		"--params /nonexistent.json --force" "--set no_such_key=1 --force" "--engine replay:/nonexistent --force"; do
		run soak-run -q -n 4 $args --out "$(out)"
		[ "$status" -eq 2 ] || { echo "$args: $status"; return 1; }
		[ "$(fingerprint "$(out)")" = "$before" ] || { echo "$args changed the run"; return 1; }
	done
	run soak-run -q -n 4 --preset maker_bias_uplift_v2 --out "$(out)"
	[[ "$output" == *"soak-run: option '--preset': no 'maker_bias_uplift_v2.json' in"* ]]
	run soak-run -q -n 4 --set no_such_key=1 --force --out "$(out)"
	[[ "$output" == *"soak-next: option '--set': unknown parameter 'no_such_key'"* ]]
	[[ "$output" == *"soak-run: soak-next --first failed (exit 2)"* ]]
	# nor is a new --out made
	run soak-run -q --rules no_such_rules --out "$(out new)"
	[ "$status" -eq 2 ]
	[ ! -e "$(out new)" ]
}

@test "a data file that is a FIFO or a directory is refused at once, before --out" {
	mkfifo "$BATS_TEST_TMPDIR/fifo.json"
	run timeout 10 soak-run -q --thresholds "$BATS_TEST_TMPDIR/fifo.json" --out "$(out)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"option '--thresholds': '$BATS_TEST_TMPDIR/fifo.json' is not a regular file"* ]]
	run timeout 10 soak-run -q --params "$BATS_TEST_TMPDIR" --out "$(out)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"is not a regular file"* ]]
	[ ! -e "$(out)" ]
}

@test "a non-empty --out is refused without --resume or --force; --force replaces the run" {
	soak-run -q -n 3 --seed 1 --out "$(out)" >/dev/null || true
	before=$(fingerprint "$(out)")
	run soak-run -q -n 3 --seed 2 --out "$(out)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"soak-run: '$(out)' is not empty: give --resume to continue its run, or --force to replace it"* ]]
	[ "$(fingerprint "$(out)")" = "$before" ]
	# a directory with anything in it counts
	mkdir -p "$(out other)"
	touch "$(out other)/notes.txt"
	run soak-run -q -n 3 --out "$(out other)"
	[ "$status" -eq 2 ]
	[ ! -e "$(out other)/iterations.jsonl" ]
	run soak-run -q -n 3 --seed 2 --force --out "$(out)"
	[ "$status" -le 1 ]
	jq -e '.seed == 2' "$(out)/run.json"
	soak-run -q -n 3 --seed 2 --out "$(out fresh)" >/dev/null || true
	cmp "$(out fresh)/iterations.jsonl" "$(out)/iterations.jsonl"
	run soak-run -q --resume --force --out "$(out)"
	[ "$status" -eq 2 ]
}

@test "an --out value starting with '-' is a directory name" {
	cd "$BATS_TEST_TMPDIR"
	for form in "--out -dash1" "-o -dash2" "--out=-dash3"; do
		run soak-run -q -n 2 $form
		[ "$status" -le 1 ] || { echo "$form: $status $output"; return 1; }
	done
	for d in -dash1 -dash2 -dash3; do
		[ "$(iterations "./$d/iterations.jsonl")" = "1 2" ]
	done
	run soak-run -q --resume --out -dash1
	[ "$status" -le 1 ]
	run soak-run -q -n 2 --engine replay:-dash1/iterations.jsonl --out -dash4
	[ "$status" -le 1 ]
	cmp ./-dash1/iterations.jsonl ./-dash4/iterations.jsonl
}
