# docs.bash - shared by docs.bats and docs-readme.bats.  The documentation
# cannot go stale: every command in README.md's ```sh blocks and in the
# EXAMPLES of every man page is extracted from the
# text (tests/doc-commands.sh) and run, in one shell per document, in a
# fresh directory holding the files the examples name.  Each command must
# exit 0, unless the next command is `echo $?`, which then shows its
# status; output a page shows after a command must be what the command
# prints (stdout and stderr), compared with whitespace removed (pages align
# columns and fold long lines) and "..." standing for any text.

DOC_COMMANDS="$SOAK_SRCDIR/tests/doc-commands.sh"

# Commands not run as written, and why (key: the command as extracted, a
# backslash-newline as a space).
declare -gA NOT_RUN=(
	["make check"]="this test is part of make check"
	["autoreconf -fi && ./configure && make && make check   # -Wall -Wextra -Werror by default"]="the build this test runs in"
	["make distcheck"]=".ci/run runs it"
	["tail -f soak-out/iterations.jsonl | jq -c '[.iteration, .gate.status]'"]="tail -f follows the file for ever"
)
# Commands run in another form, and why.
declare -gA RUN_INSTEAD=(
	["sudo ./install-deps && autoreconf -fi && ./configure && make && sudo make install && soak-run --iterations 24 --warmup --preset maker_bias_uplift_v1"]="soak-run --iterations 24 --warmup --preset maker_bias_uplift_v1"
)

# sandbox DIR: the files the examples name, made by the programs under test.
sandbox() {
	local dir=$1 i
	set -e
	mkdir -p "$dir"
	cd "$dir"
	# the README's main job, and a copy as the baseline of soak-report(1)
	soak-run -q --iterations 24 --warmup --preset maker_bias_uplift_v1 >/dev/null
	cp -r soak-out base
	cp base/iterations.jsonl soak.jsonl
	cp base/iterations.jsonl iterations.jsonl
	for i in $(seq 1 24); do
		jq -c "select(.iteration == $i) | {iteration, summary, tuning}" base/iterations.jsonl \
			> "ITER_SUMMARY_$i.json"
	done
	# strict.json: the example of soak-thresholds(5)
	mandoc -T ascii "$SOAK_SRCDIR/man/soak-thresholds.5" | col -bx |
		awk '/^EXAMPLES/ { f = 1 } f && /^ +\{$/ { j = 1 } j && /^$/ { exit } j' > strict.json
	record 1 '"phase":{"name":"WARMUP","weight":1}' > w1.jsonl
	printf '%s\n' '{"changes": {"quoting": {"min_interval_ms": {"op": "set", "value": 400}},' \
		'             "engine": {"concurrency_limit": {"op": "mul", "value": 1.5}}}}' > wide.json
	# warmup-apply(1)'s iterations 5 and 3: baseline params, the gate's
	# history of the iteration before
	record 5 '"state":{"gate":{"history":[{"iteration":4,"status":"WARN","maker_taker_ratio":0.8,"net_bps":2.5,"p95_latency_ms":372,"risk_ratio":0.58}]}}' > it5.jsonl
	record 3 '"state":{"gate":{"history":[{"iteration":2,"status":"WARN","maker_taker_ratio":0.8,"net_bps":2.5,"p95_latency_ms":372,"risk_ratio":0.47}]}}' > it3.jsonl
	# ev/1.jsonl: the example log of soak-events(5), for soak-measure(1)
	mkdir ev
	mandoc -T ascii "$SOAK_SRCDIR/man/soak-events.5" | col -bx |
		awk '/^EXAMPLES/ { f = 1 } f && /^ +\{"t":/ { sub(/^ +/, ""); print }' > ev/1.jsonl
	ln -s "$SOAK_SRCDIR/presets" presets
	ln -s "$SOAK_SRCDIR/bench" bench
	ln -s "$SOAK_SRCDIR/examples" examples
	ln -s "$(dirname "$(command -v kpi-gate)")" bin
	: > step-summary.md
	[ -s soak-out/verdict.json ] && [ -s ITER_SUMMARY_24.json ] && jq -e .window strict.json >/dev/null &&
		[ "$(jq -s 'length' ev/1.jsonl)" -gt 2 ]
}

setup_file() {
	(sandbox "$BATS_FILE_TMPDIR/sandbox") > "$BATS_FILE_TMPDIR/sandbox.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/sandbox.log" >&2
		return 1
	}
}

# blocks FILE: the doc's commands, as "index<TAB>kind<TAB>text" lines where
# kind is cmd or out, read into the arrays cmds[] and outs[].
read_blocks() {
	local line part=none n=-1
	cmds=() outs=()
	while IFS= read -r line; do
		case $line in
		@@@) part=none ;;
		@@)
			if [ $part = cmd ]; then part=out; else part=cmd; n=$((n + 1)); cmds[n]=; outs[n]=; fi
			;;
		*)
			if [ $part = cmd ]; then cmds[n]+="$line"$'\n'; else outs[n]+="$line"$'\n'; fi
			;;
		esac
	done < <(sh "$DOC_COMMANDS" "$1")
}

# matches ACTUAL SHOWN: SHOWN, whitespace removed and "..." any text, is ACTUAL.
matches() {
	local rest=${1//[[:space:]]/} shown=${2//[[:space:]]/} part first=1
	while [[ $shown == *...* ]]; do
		part=${shown%%...*}
		shown=${shown#*...}
		if [ $first = 1 ]; then
			[[ $rest == "$part"* ]] || return 1
			rest=${rest#"$part"}
		else
			[[ $rest == *"$part"* ]] || return 1
			rest=${rest#*"$part"}
		fi
		first=0
	done
	if [ $first = 1 ]; then [ "$rest" = "$shown" ]; else [[ $rest == *"$shown" ]]; fi
}

# run_doc FILE: run its commands in a sandbox; print what went wrong, fail on it.
run_doc() {
	local doc=$1 work=$BATS_TEST_TMPDIR/$(basename "$1") i cmd key script
	read_blocks "$doc"
	[ ${#cmds[@]} -gt 0 ] || return 0  # a format page showing files only
	mkdir -p "$work" && cp -a "$BATS_FILE_TMPDIR/sandbox" "$work/dir" || return 1
	# the README starts from a fresh checkout: its quick start makes soak-out
	case $doc in *.md) rm -rf "$work/dir/soak-out" ;; esac
	script=$work/script
	echo 'GITHUB_STEP_SUMMARY=$PWD/step-summary.md PKGDATADIR=$SOAK_SRCDIR' > "$script"
	for i in "${!cmds[@]}"; do
		key=${cmds[i]%$'\n'}
		key=${key//$'\\\n'/ }
		cmd=${cmds[i]}
		if [ -n "${NOT_RUN[$key]+x}" ]; then
			echo "# $doc: not run: $key (${NOT_RUN[$key]})" >&3
			printf 'echo 0 > %q; (exit 0)\n' "$work/st.$i" >> "$script"
			continue
		fi
		[ -z "${RUN_INSTEAD[$key]+x}" ] || cmd=${RUN_INSTEAD[$key]}$'\n'
		printf '{\n%s} > %q 2>&1 < /dev/null\n__s=$?; echo $__s > %q; (exit $__s)\n' \
			"$cmd" "$work/out.$i" "$work/st.$i" >> "$script"
	done
	(cd "$work/dir" && bash "$script")
	local bad=0 status next
	for i in "${!cmds[@]}"; do
		status=$(cat "$work/st.$i")
		next=${cmds[i + 1]:-}
		if [ "$status" != 0 ] && [ "$next" != $'echo $?\n' ]; then
			echo "$doc: exit $status: ${cmds[i]}$(head -5 "$work/out.$i" 2>/dev/null)"
			bad=1
		fi
		if [ -n "${outs[i]}" ] && ! matches "$(cat "$work/out.$i")" "${outs[i]}"; then
			printf '%s: output differs for: %s--- shown:\n%s--- printed:\n%s\n' "$doc" \
				"${cmds[i]}" "${outs[i]}" "$(cat "$work/out.$i")"
			bad=1
		fi
	done
	return $bad
}

