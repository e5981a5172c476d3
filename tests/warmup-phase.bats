#!/usr/bin/env bats
# warmup-phase: the phase table and its options.

load helpers

@test "phase table for iterations 1..10 with the defaults (W=4, R=2)" {
	run_pipe 'for i in 1 2 3 4 5 6 7 8 9 10; do record $i; done | warmup-phase | jq -c "[.iteration, .phase.name, .phase.weight, .phase.gate_mode]"'
	[ "$status" -eq 0 ]
	expected='[1,"WARMUP",1,"WARN"]
[2,"WARMUP",1,"WARN"]
[3,"WARMUP",1,"WARN"]
[4,"WARMUP",1,"WARN"]
[5,"RAMPDOWN",0.666666666667,"NORMAL"]
[6,"RAMPDOWN",0.333333333333,"NORMAL"]
[7,"STEADY",0,"NORMAL"]
[8,"STEADY",0,"NORMAL"]
[9,"STEADY",0,"NORMAL"]
[10,"STEADY",0,"NORMAL"]'
	[ "$output" = "$expected" ]
}

@test "ramp-down weights follow 1 - k/(R+1) for other W and R" {
	run_pipe 'for i in 2 3 4 5 6 7; do record $i; done | warmup-phase --warmup-iterations=2 --rampdown-steps=3 | jq -c "[.phase.name, .phase.weight]"'
	[ "$status" -eq 0 ]
	[ "$output" = '["WARMUP",1]
["RAMPDOWN",0.75]
["RAMPDOWN",0.5]
["RAMPDOWN",0.25]
["STEADY",0]
["STEADY",0]' ]
}

@test "no warm-up and no ramp-down: every iteration is STEADY" {
	run_pipe 'record 1 | warmup-phase --warmup-iterations 0 --rampdown-steps 0'
	[ "$status" -eq 0 ]
	assert_jq '.phase == {"name":"STEADY","weight":0,"gate_mode":"NORMAL"}'
}

@test "an existing phase section is replaced in place, other fields untouched" {
	run_pipe 'echo "{\"iteration\":7,\"phase\":{\"name\":\"WARMUP\"},\"zz\":{\"k\":[1,2.50,\"s\"]}}" | warmup-phase'
	[ "$status" -eq 0 ]
	[ "$output" = '{"iteration":7,"phase":{"name":"STEADY","weight":0,"gate_mode":"NORMAL"},"zz":{"k":[1,2.50,"s"]}}' ]
}

@test "one line out per line in, flushed per line (works inside a ring)" {
	# Read one line of output before sending the second line of input.
	coproc WP { warmup-phase; }
	pid=$WP_PID # bash unsets WP_PID when the coprocess ends
	echo '{"iteration":1}' >&"${WP[1]}"
	read -r -t 5 first <&"${WP[0]}"
	echo '{"iteration":9}' >&"${WP[1]}"
	read -r -t 5 second <&"${WP[0]}"
	exec {WP[1]}>&-
	wait "$pid"
	[ "$(jq -r .phase.name <<<"$first")" = WARMUP ]
	[ "$(jq -r .phase.name <<<"$second")" = STEADY ]
}

@test "option values are checked" {
	run warmup-phase --warmup-iterations=-1
	[ "$status" -eq 2 ]
	[[ "$output" == *"warmup-phase: option '--warmup-iterations': -1 is out of range"* ]]
	run warmup-phase --rampdown-steps=two
	[ "$status" -eq 2 ]
	[[ "$output" == *"is not a whole number"* ]]
	run warmup-phase extra-argument
	[ "$status" -eq 2 ]
	[[ "$output" == *"unexpected argument 'extra-argument'"* ]]
}

@test "a bad iteration is rejected with its line number and no output" {
	for bad in 0 -3 2.5 '"4"' null 1e12; do
		run_pipe "printf '{\"iteration\":1}\n{\"iteration\":$bad}\n' | warmup-phase"
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 2 ]
		[[ "${lines[1]}" == "warmup-phase: line 2: "*iteration* ]]
		[ "$(jq -r .phase.name <<<"${lines[0]}")" = WARMUP ]
	done
}

@test "a missing iteration is named" {
	run_pipe 'echo "{\"params\":{}}" | warmup-phase'
	[ "$status" -eq 2 ]
	[ "$output" = "warmup-phase: line 1: missing field 'iteration'" ]
}
