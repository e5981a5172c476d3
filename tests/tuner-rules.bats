#!/usr/bin/env bats
# The rule table format (soak-tuner-rules(5)): the default file loads; a bad
# file stops tuner-propose at startup with exit 2, naming the file and entry.
load helpers

default="$SOAK_SRCDIR/presets/tuner_rules_v1.json"

# bad_rules JQ_EDIT EXPECTED_MESSAGE_PART: the default table edited by jq must be refused.
bad_rules() {
	jq "$1" "$default" > "$BATS_TEST_TMPDIR/bad.json"
	run tuner-propose --rules "$BATS_TEST_TMPDIR/bad.json" --check-rules
	[ "$status" -eq 2 ] || { echo "accepted: $1"; return 1; }
	[[ "$output" == "tuner-propose: rules '$BATS_TEST_TMPDIR/bad.json': "*"$2"* ]] ||
		{ echo "message: $output"; return 1; }
}

@test "the default table is tuner_rules_v2; both tables load by name and by path" {
	run tuner-propose --check-rules
	[ "$status" -eq 0 ]
	[[ "$output" == *"tuner_rules_v2.json: 12 rules, 0 conflict rules, required KPIs: net_bps maker_taker_ratio p95_latency_ms risk_ratio" ]]
	run tuner-propose --rules tuner_rules_v1 --check-rules
	[ "$status" -eq 0 ]
	[[ "$output" == *"tuner_rules_v1.json: 8 rules, 1 conflict rules, required KPIs: net_bps risk_ratio"* ]]
	run tuner-propose --rules "$default" --check-rules
	[ "$status" -eq 0 ]
	run tuner-propose --rules "$SOAK_SRCDIR/presets/tuner_rules_v2.json" --check-rules
	[ "$status" -eq 0 ]
}

@test "an unknown rules name or unreadable file is exit 2" {
	run tuner-propose --rules no_such_rules < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"no 'no_such_rules.json'"* ]]
	echo '{"format":' > "$BATS_TEST_TMPDIR/broken.json"
	run tuner-propose --rules "$BATS_TEST_TMPDIR/broken.json" < /dev/null
	[ "$status" -eq 2 ]
}

@test "format and top level" {
	bad_rules '.format = "x"' "format 'x' is not 'soakkit-tuner-rules/1'"
	bad_rules '.extra = 1' "top level: unknown field 'extra'"
	bad_rules 'del(.apply_when)' "top level: missing field 'apply_when'"
	bad_rules 'del(.rules)' "missing field 'rules'"
	bad_rules '.required_kpis = ["net_bps","net_bps"]' "required_kpis[1]: 'net_bps' listed twice"
	bad_rules '.required_kpis = ["nett_bps"]' "required_kpis[0]: unknown KPI 'nett_bps'"
}

@test "rules: names, fields and conditions" {
	bad_rules '.rules[3].name = "risk_aggressive"' "rules[3]: name 'risk_aggressive' is used twice"
	bad_rules '.rules[0].name = "Risk Zone"' "rules[0]: name 'Risk Zone' is not 1 to 64 characters"
	bad_rules '.rules[1].colour = 1' "rules[1] ('risk_moderate'): unknown field 'colour'"
	bad_rules '.rules[0].when.kpi = "risk"' "rules[0] ('risk_aggressive'): when: unknown KPI 'risk'"
	bad_rules '.rules[0].when.op = "=>"' "rules[0] ('risk_aggressive'): when: unknown op '=>'"
	bad_rules '.rules[0].when.value = "0.6"' "when: 'value' is a string, not a finite number"
	bad_rules '.rules[1].when.all[1].op = "~"' "rules[1] ('risk_moderate'): when.all[1]: unknown op '~'"
	bad_rules '.rules[1].when.any = []' "when: 'all' or 'any' must be the only field"
	bad_rules 'del(.rules[2].when)' "rules[2] ('risk_normalize'): missing field 'when'"
	bad_rules '.rules[0].urgent = "yes"' "rules[0] ('risk_aggressive'): 'urgent' is a string, not true or false"
}

@test "rules: actions" {
	bad_rules '.rules[3].actions[0].key = "base_spread_bps"' "rules[3] ('maker_boost'): actions[0]: unknown parameter 'base_spread_bps'"
	bad_rules '.rules[0].actions[0].mul = 2' "actions[0]: needs exactly one of 'add' and 'mul'"
	bad_rules '.rules[3].actions[1].mul = 0' "actions[1]: 'mul' must be positive"
	bad_rules '.rules[0].actions[0].add = 0' "actions[0]: 'add' 0 changes nothing"
	bad_rules '.rules[0].actions[0].floor = 90' "actions[0]: floor 90 is above cap 80"
	bad_rules '.rules[4].actions[0].round = "half"' "actions[0]: unknown round 'half'"
	bad_rules '.rules[6].actions[1].if_set = "add"' "actions[1]: unknown if_set 'add'"
	bad_rules '.rules[0].actions[0].emit_zero = 1' "actions[0]: 'emit_zero' is a number, not true or false"
	bad_rules '.rules[0].actions = []' "rules[0] ('risk_aggressive'): actions: empty array"
	bad_rules '.rules[0].actions[1].key = "min_interval_ms"' "actions[1]: parameter 'min_interval_ms' already has an action in this rule"
	bad_rules '.rules[3].actions[0].max_step_ratio = -1' "'max_step_ratio' must be positive"
}

@test "conflicts and the apply decision read only required KPIs" {
	bad_rules '.apply_when.any[0].kpi = "p95_latency_ms"' "apply_when: KPI 'p95_latency_ms' must be listed in required_kpis"
	bad_rules '.conflicts[0].when.kpi = "cancel_ratio"' "conflicts[0] ('prefer_risk'): when: KPI 'cancel_ratio' must be listed in required_kpis"
	bad_rules '.conflicts[0].drop = ["foo"]' "conflicts[0] ('prefer_risk'): drop[0]: unknown parameter 'foo'"
	bad_rules '.conflicts[0].deltas = []' "conflicts[0] ('prefer_risk'): deltas: empty array"
	bad_rules '.conflicts[0].name = "maker_boost"' "conflicts[0]: name 'maker_boost' is used twice"
}

@test "conditions nest at most 8 deep" {
	bad_rules '.apply_when = ([range(9)] | reduce .[] as $i ({"kpi":"net_bps","op":"<","value":3}; {"all":[.]}))' "nested deeper than 8"
	jq '.apply_when = ([range(8)] | reduce .[] as $i ({"kpi":"net_bps","op":"<","value":3}; {"all":[.]}))' "$default" > "$BATS_TEST_TMPDIR/deep.json"
	run tuner-propose --rules "$BATS_TEST_TMPDIR/deep.json" --check-rules
	[ "$status" -eq 0 ]
}

@test "a user table: the normalize zone applies once apply_when allows it" {
	jq '.apply_when = {"all":[]}' "$default" > "$BATS_TEST_TMPDIR/always.json"
	run bash -c "$(declare -f record); record 1 '\"summary\":{\"net_bps\":3.2,\"risk_ratio\":0.3}' | tuner-propose --rules '$BATS_TEST_TMPDIR/always.json'"
	[ "$status" -eq 0 ]
	assert_jq '.tuning.proposed_deltas == {"min_interval_ms":-3,"impact_cap_ratio":0.005} and .tuning.rules == "always"'
}

@test "a table with no rules is valid; --rules none names it" {
	run tuner-propose --rules none --check-rules
	[ "$status" -eq 0 ]
	[[ "$output" == *"tuner_rules_none.json: 0 rules, 0 conflict rules, required KPIs:" ]]
	printf '{"format":"soakkit-tuner-rules/1","required_kpis":[],"rules":[],"apply_when":{"any":[]}}\n' > "$BATS_TEST_TMPDIR/empty.json"
	run tuner-propose --rules "$BATS_TEST_TMPDIR/empty.json" --check-rules
	[ "$status" -eq 0 ]
	[[ "$output" == *"empty.json: 0 rules, 0 conflict rules"* ]]
}

@test "--rules none: nothing proposed, even on a record that fails everything" {
	run_pipe "record 1 '\"summary\":{\"net_bps\":-3,\"risk_ratio\":0.95,\"p95_latency_ms\":700,\"maker_taker_ratio\":0.3}' | tuner-propose --rules none | tuner-filter"
	[ "$status" -eq 0 ]
	assert_jq '.tuning.rules == "tuner_rules_none" and .tuning.proposed_deltas == {} and .tuning.rules_fired == []'
	assert_jq '.tuning.apply_decision == false and .tuning.applied == false and .next_params == .params'
	# the same record with the original table does propose (the test can fail)
	run_pipe "record 1 '\"summary\":{\"net_bps\":-3,\"risk_ratio\":0.95,\"p95_latency_ms\":700,\"maker_taker_ratio\":0.3}' | tuner-propose --rules tuner_rules_v1"
	assert_jq '.tuning.proposed_deltas != {}'
}

@test "--help and --version" {
	run tuner-propose --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--rules=NAME|FILE"* ]]
	run tuner-filter --version
	[ "$status" -eq 0 ]
	[[ "$output" == "tuner-filter (soakkit) "* ]]
	run tuner-propose --bogus
	[ "$status" -eq 2 ]
}
