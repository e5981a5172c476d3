#!/usr/bin/env bats
# soak-sweep: a grid of soak-runs under GNU parallel into OUT/VARIANT/seed-N.jsonl,
# read by soak-compare and soak-report --sweep; --resume, --sshlogin :, bad usage.

load helpers

setup() {
	command -v parallel > /dev/null || skip "GNU parallel is not installed (install-deps)"
	cd "$BATS_TEST_TMPDIR"
}

@test "a local sweep end to end: layout, logs equal to soak-run's, read by soak-compare and soak-report" {
	run soak-sweep -q --seeds 1-3 -p none -p maker_bias_uplift_v1 -n 9 -j 2 -o sw
	[ "$status" -eq 0 ]
	[ "$(wc -l < sw/jobs.tsv)" -eq 6 ]
	[ "$(head -n 2 sw/jobs.tsv)" = "$(printf '1\tnone\t-\t-\t-\n1\tmaker_bias_uplift_v1\tmaker_bias_uplift_v1\t-\t-')" ]
	[ "$(awk -F '\t' 'NR > 1 && $7 == 0' sw/joblog | wc -l)" -eq 6 ]
	local v s
	for v in none maker_bias_uplift_v1; do
		for s in 1 2 3; do
			[ "$(wc -l < "sw/$v/seed-$s.jsonl")" -eq 9 ]
			[ "$(jq -s '[.[].summary.seed] | unique' "sw/$v/seed-$s.jsonl")" = "$(jq -n "[$s]")" ]
		done
	done
	# byte for byte what soak-run writes for the same seed and preset
	soak-run -q -n 9 -s 2 -p maker_bias_uplift_v1 -o direct > /dev/null || true
	cmp direct/iterations.jsonl sw/maker_bias_uplift_v1/seed-2.jsonl
	run soak-compare --last 5 -b sw/none -c sw/maker_bias_uplift_v1
	[ "$status" -eq 4 ]   # 3 pairs are fewer than the 5 units the default config needs
	assert_jq '.paired and .baseline.logs == 3 and .kpis[0].n == 3'
	run soak-report --sweep=sw --last 5
	[ "$status" -eq 0 ]
	assert_jq '[.variants[].variant] == ["maker_bias_uplift_v1", "none"] and .window == 5'
	assert_jq '.variants[1] | .runs == 3 and (.verdicts | add) == 3 and .kpis.net_bps.n == 3 and .kpis.net_bps.stat == "mean"'
	run soak-report --sweep=sw --last 5 -f markdown
	[[ "$output" == *'### `none`: 3 runs'* ]]
	[[ "$output" == *"| net_bps | mean | 3 |"* ]]
}

@test "--sshlogin : gives the same logs through parallel's login handling" {
	soak-sweep -q --seeds 4-5 -n 6 -o local
	run soak-sweep -q --seeds 4-5 -n 6 -S : -o ssh
	[ "$status" -eq 0 ]
	cmp local/none/seed-4.jsonl ssh/none/seed-4.jsonl
	cmp local/none/seed-5.jsonl ssh/none/seed-5.jsonl
	[ "$(awk -F '\t' 'NR > 1 { print $2 }' ssh/joblog | sort -u)" = ":" ]
}

# An sshd of our own on 127.0.0.1 (a key made here, our PATH for the
# sessions); its ssh command line in $BATS_TEST_TMPDIR/login.  Skips when
# this machine has no sshd or ssh, or it will not start here.
start_sshd() {
	local sshd port try
	sshd=$(command -v sshd || echo /usr/sbin/sshd)
	[ -x "$sshd" ] && command -v ssh > /dev/null && command -v ssh-keygen > /dev/null ||
		skip "no sshd/ssh here: the ssh form is tested with --sshlogin : only"
	[ -d /run/sshd ] || mkdir -p /run/sshd 2> /dev/null || skip "cannot make /run/sshd for sshd"
	ssh-keygen -q -t ed25519 -N '' -f "$BATS_TEST_TMPDIR/hostkey"
	ssh-keygen -q -t ed25519 -N '' -f "$BATS_TEST_TMPDIR/userkey"
	cp "$BATS_TEST_TMPDIR/userkey.pub" "$BATS_TEST_TMPDIR/authorized_keys"
	for try in 1 2 3 4 5; do
		port=$((20000 + ($$ * 7 + try * 1013) % 30000))
		cat > "$BATS_TEST_TMPDIR/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $BATS_TEST_TMPDIR/hostkey
AuthorizedKeysFile $BATS_TEST_TMPDIR/authorized_keys
PidFile $BATS_TEST_TMPDIR/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication no
PermitRootLogin prohibit-password
SetEnv "PATH=$PATH" "SOAKKIT_PRESET_PATH=$SOAKKIT_PRESET_PATH"
EOF
		"$sshd" -D -f "$BATS_TEST_TMPDIR/sshd_config" -E "$BATS_TEST_TMPDIR/sshd.log" 3>&- &
		echo $! > "$BATS_TEST_TMPDIR/sshd.started"
		echo "ssh -i $BATS_TEST_TMPDIR/userkey -p $port -o StrictHostKeyChecking=no" \
			"-o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR" \
			"$(id -un)@127.0.0.1" > "$BATS_TEST_TMPDIR/login"
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			# shellcheck disable=SC2046 # the login is words
			$(cat "$BATS_TEST_TMPDIR/login") soak-run --version > /dev/null 2>&1 && return 0
			kill -0 "$(cat "$BATS_TEST_TMPDIR/sshd.started")" 2> /dev/null || break
			sleep 0.3
		done
		stop_sshd
	done
	skip "sshd would not start here: $(tail -n 1 "$BATS_TEST_TMPDIR/sshd.log" 2> /dev/null)"
}

stop_sshd() {
	[ -s "$BATS_TEST_TMPDIR/sshd.started" ] || return 0
	kill "$(cat "$BATS_TEST_TMPDIR/sshd.started")" 2> /dev/null
	wait "$(cat "$BATS_TEST_TMPDIR/sshd.started")" 2> /dev/null
	rm -f "$BATS_TEST_TMPDIR/sshd.started"
}

teardown() {
	stop_sshd
}

@test "over ssh (an sshd of the test's own on 127.0.0.1): the same logs, values never shell" {
	start_sshd
	soak-sweep -q --seeds 1-2 -n 6 -p none -p maker_bias_uplift_v1 -o local
	mkdir 'odd $(touch pwned) dir'
	cp "$SOAK_SRCDIR/presets/market_default.json" 'odd $(touch pwned) dir/mkt.json'
	run soak-sweep -q --seeds 1-2 -n 6 -p none -p maker_bias_uplift_v1 -S "$(cat login)" -o remote
	[ "$status" -eq 0 ]
	local f
	for f in local/*/seed-*.jsonl; do cmp "$f" "remote/${f#local/}"; done
	[ "$(awk -F '\t' 'NR > 1 { print $2 }' remote/joblog | sort -u)" = "$(cat login)" ]
	run soak-sweep -q --seeds 1 -n 3 -m "$BATS_TEST_TMPDIR/odd \$(touch pwned) dir/mkt.json" -S "$(cat login)" -o odd
	[ "$status" -eq 0 ]
	[ ! -e pwned ] && [ ! -e "$HOME/pwned" ]
	[ "$(wc -l < odd/none@mkt/seed-1.jsonl)" -eq 3 ]
}

@test "a failed run: exit 2, an empty log and its errors; --resume reruns only it" {
	mkdir stub
	# soak-run that fails on seed 2 while the flag file exists
	cat > stub/soak-run <<EOF
#!/bin/sh
case " \$* " in *" --seed=2 "*) [ -e "$BATS_TEST_TMPDIR/flag" ] && { echo "stub: seed 2 fails" >&2; exit 2; } ;; esac
exec "$(command -v soak-run)" "\$@"
EOF
	chmod +x stub/soak-run
	touch flag
	PATH="$BATS_TEST_TMPDIR/stub:$PATH" run soak-sweep --seeds 1-3 -n 6 -o sw
	[ "$status" -eq 2 ]
	[[ "$output" == *"2 of 3 runs complete, 1 failed"* ]]
	[[ "$output" == *"soak-sweep: 1 run(s) failed"* ]]
	[[ "$output" == *"--resume reruns them"* ]]
	[ ! -s sw/none/seed-2.jsonl ]
	[ "$(cat sw/none/seed-2.jsonl.err)" = "stub: seed 2 fails" ]
	# other options give other runs: refused
	PATH="$BATS_TEST_TMPDIR/stub:$PATH" run soak-sweep --seeds 1-4 -n 6 -o sw --resume
	[ "$status" -eq 2 ]
	[[ "$output" == *"other runs than the sweep in 'sw' was started with"* ]]
	PATH="$BATS_TEST_TMPDIR/stub:$PATH" run soak-sweep --seeds 1-3 -n 7 -o sw --resume
	[ "$status" -eq 2 ]
	PATH="$BATS_TEST_TMPDIR/stub:$PATH" run soak-sweep --seeds 1-3 -n 6 --warmup -o sw --resume
	[ "$status" -eq 2 ]
	[[ "$output" == *"other runs than the sweep in 'sw' was started with"* ]]
	rm flag
	PATH="$BATS_TEST_TMPDIR/stub:$PATH" run soak-sweep --seeds 1-3 -n 6 -o sw --resume
	[ "$status" -eq 0 ]
	[ "$(wc -l < sw/none/seed-2.jsonl)" -eq 6 ]
	# the joblog: three first attempts (in any order), then job 2 alone
	[ "$(awk -F '\t' 'NR > 1 && NR <= 4 { print $1 ":" $7 }' sw/joblog | sort | tr '\n' ' ')" = "1:0 2:1 3:0 " ]
	[ "$(awk -F '\t' 'NR > 4 { print $1 ":" $7 }' sw/joblog | tr '\n' ' ')" = "2:0 " ]
	# a sweep is not started over an existing one
	run soak-sweep --seeds 1-3 -n 6 -o sw
	[ "$status" -eq 2 ]
	[[ "$output" == *"holds a sweep already"* ]]
}

@test "--set axes and --market: one variant per combination, each run with its values" {
	cp "$SOAK_SRCDIR/presets/market_default.json" ./calm.json
	run soak-sweep -q --seeds 1 -n 3 -m market_default -m ./calm.json \
		--set=min_interval_ms=70,90 --set=concurrency_limit=3 -o grid
	[ "$status" -eq 0 ]
	[ "$(cut -f2 grid/jobs.tsv | tr '\n' ' ')" = "none@market_default+min_interval_ms=70+concurrency_limit=3 none@market_default+min_interval_ms=90+concurrency_limit=3 none@calm+min_interval_ms=70+concurrency_limit=3 none@calm+min_interval_ms=90+concurrency_limit=3 " ]
	run jq -c 'select(.iteration == 1) | [.params.min_interval_ms, .params.concurrency_limit, .summary.market]' \
		"grid/none@calm+min_interval_ms=90+concurrency_limit=3/seed-1.jsonl"
	[ "$output" = '[90,3,"calm"]' ]
}

@test "--warmup, --rules and --thresholds reach every run; options.tsv keeps them" {
	run soak-sweep -q --seeds 1-2 -n 3 --warmup --rules=tuner_rules_v1 --thresholds=kpi_thresholds_v1 -o w
	[ "$status" -eq 0 ]
	run jq -c 'select(.iteration == 1) | [.phase.name, .tuning.rules, .summary.seed]' w/none/seed-2.jsonl
	[ "$output" = '["WARMUP","tuner_rules_v1",2]' ]
	[ "$(cat w/options.tsv)" = "$(printf 'iterations\t3\nrun options\t\t--warmup\t--rules=tuner_rules_v1\t--thresholds=kpi_thresholds_v1')" ]
}

@test "values reach soak-run as arguments, never as shell" {
	mkdir 'odd $(touch pwned) dir'
	cp "$SOAK_SRCDIR/presets/market_default.json" 'odd $(touch pwned) dir/mkt.json'
	run soak-sweep -q --seeds 1 -n 3 -m './odd $(touch pwned) dir/mkt.json' -o sw
	[ "$status" -eq 0 ]
	[ ! -e pwned ]
	[ "$(wc -l < sw/none@mkt/seed-1.jsonl)" -eq 3 ]
}

@test "bad usage: exit 2 before anything runs" {
	run soak-sweep --seeds 3-1 -o a
	[ "$status" -eq 2 ]
	[[ "$output" == *"'3-1' runs backwards"* ]]
	run soak-sweep --seeds x -o a
	[ "$status" -eq 2 ]
	run soak-sweep -p no_such_preset -o a
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot use 'no_such_preset'"* ]]
	run soak-sweep --set=min_interval_ms=99999 -o a
	[ "$status" -eq 2 ]
	[[ "$output" == *"out of bounds"* ]]
	run soak-sweep --set=min_interval_ms -o a
	[ "$status" -eq 2 ]
	run soak-sweep -p none -p ./none.json -o a
	[ "$status" -eq 2 ]
	run soak-sweep -n 0 -o a
	[ "$status" -eq 2 ]
	run soak-sweep --bogus
	[ "$status" -eq 2 ]
	[ ! -e a ]
}
