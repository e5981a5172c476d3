#!/usr/bin/env bats
# Preset files: lookup by name or path, and strict checking.

load helpers

preset_file() { # preset_file NAME JSON: write a preset into the test's tmpdir
	printf '%s\n' "$2" > "$BATS_TEST_TMPDIR/$1.json"
}

apply_with() { # apply_with PRESET_ARG: iteration 1 through the preset
	run_pipe "record 1 | warmup-phase | warmup-apply --preset '$1'"
}

# Two changes of warmup_conservative_v1 differ from the seed on purpose
# (soak-mock(1), THE COLD START): it multiplies the replace rate by 0.55,
# not 0.75, because the cold gateway queues the bot's own orders in front
# of its market data, and it widens the spread by 0.45 bps, not 0.03 (a
# tenth of the base half-spread, where 0.03 is noise), because a stale view
# is picked off by informed flow.
@test "the shipped presets hold exactly the seed's changes (but warm-up spread and replace rate)" {
	run jq -c '[.changes | to_entries[] | .key as $s | .value | to_entries[] | [$s + "." + .key, .value.op, .value.value]]' "$SOAK_SRCDIR/presets/warmup_conservative_v1.json"
	[ "$output" = '[["quoting.base_spread_bps_delta","add",0.45],["quoting.min_interval_ms","add",25],["quoting.replace_rate_per_min","mul",0.55],["impact.impact_cap_ratio","mul",0.85],["impact.max_delta_ratio","mul",0.85],["engine.tail_age_ms","add",100],["taker_rescue.rescue_max_ratio","mul",0.7],["taker_rescue.min_edge_bps","add",0.8],["taker_rescue.cooldown_ms","add",400],["risk.position_limit_notional","mul",0.8]]' ]
	run jq -c '[.changes | to_entries[] | .key as $s | .value | to_entries[] | [$s + "." + .key, .value.op, .value.value]]' "$SOAK_SRCDIR/presets/maker_bias_uplift_v1.json"
	[ "$output" = '[["quoting.base_spread_bps_delta","add",0.01],["quoting.min_interval_ms","add",15],["quoting.replace_rate_per_min","mul",0.9],["impact.impact_cap_ratio","mul",0.95],["impact.max_delta_ratio","mul",0.95],["taker_rescue.rescue_max_ratio","mul",0.85],["taker_rescue.min_edge_bps","add",0.5],["taker_rescue.cooldown_ms","add",250]]' ]
}

@test "a NAME is found in SOAKKIT_PRESET_PATH, first directory first" {
	mkdir -p "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	echo '{"changes":{"engine":{"tail_age_ms":{"op":"set","value":300}}}}' > "$BATS_TEST_TMPDIR/a/mine.json"
	echo '{"changes":{"engine":{"tail_age_ms":{"op":"set","value":900}}}}' > "$BATS_TEST_TMPDIR/b/mine.json"
	run_pipe "record 1 | warmup-phase | SOAKKIT_PRESET_PATH='$BATS_TEST_TMPDIR/a:$BATS_TEST_TMPDIR/b' warmup-apply --preset mine"
	[ "$status" -eq 0 ]
	assert_jq '.effective.tail_age_ms == 300 and .warmup.preset == "mine"'
	run_pipe "record 1 | warmup-phase | SOAKKIT_PRESET_PATH='$BATS_TEST_TMPDIR/nothing:$BATS_TEST_TMPDIR/b' warmup-apply --preset mine"
	assert_jq '.effective.tail_age_ms == 900'
}

@test "an argument with a slash is a file path" {
	preset_file local '{"changes":{"engine":{"tail_age_ms":{"op":"add","value":10}}}}'
	cd "$BATS_TEST_TMPDIR"
	apply_with ./local.json
	[ "$status" -eq 0 ]
	assert_jq '.effective.tail_age_ms == 630 and .warmup.preset == "local"'
}

@test "a NAME with .. is never resolved, in or out of the preset directory" {
	mkdir -p "$BATS_TEST_TMPDIR/p"
	preset_file evil '{"changes":{}}'
	run_pipe "record 1 | warmup-phase | SOAKKIT_PRESET_PATH='$BATS_TEST_TMPDIR/p' warmup-apply --preset ..evil"
	[ "$status" -eq 2 ]
	[[ "$output" == *"'..evil' is not a valid name (use ./FILE for a file)"* ]]
}

@test "a NAME may carry its .json suffix" {
	apply_with warmup_conservative_v1.json
	[ "$status" -eq 0 ]
	assert_jq '.effective.min_interval_ms == 90'
}

@test "an unknown name says where it looked" {
	apply_with nonexistent_preset
	[ "$status" -eq 2 ]
	[[ "$output" == *"no 'nonexistent_preset.json' in \$SOAKKIT_PRESET_PATH or "*"/presets"* ]]
}

bad_preset() { # bad_preset JSON EXPECTED_MESSAGE_PART
	preset_file bad "$1"
	apply_with "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 2 ] || { echo "status $status"; return 1; }
	[[ "$output" == "warmup-apply: preset '$BATS_TEST_TMPDIR/bad.json': $2"* ]] || { echo "got: $output"; return 1; }
}

@test "an unknown parameter path is an error naming the file and the path" {
	bad_preset '{"changes":{"quoting":{"min_intreval_ms":{"op":"add","value":1}}}}' "unknown parameter 'quoting.min_intreval_ms'"
	bad_preset '{"changes":{"engine":{"base_spread_bps_delta":{"op":"add","value":1}}}}' "unknown parameter 'engine.base_spread_bps_delta'"
}

@test "an unknown op, a missing or non-finite value, a bad mul are errors" {
	bad_preset '{"changes":{"quoting":{"min_interval_ms":{"op":"pow","value":2}}}}' "unknown op 'pow' for 'quoting.min_interval_ms' (add, mul or set)"
	bad_preset '{"changes":{"quoting":{"min_interval_ms":{"op":"add"}}}}' "'changes.quoting.min_interval_ms.value' is missing or not a finite number"
	bad_preset '{"changes":{"quoting":{"min_interval_ms":{"op":"add","value":"5"}}}}' "'changes.quoting.min_interval_ms.value' is missing or not a finite number"
	bad_preset '{"changes":{"quoting":{"min_interval_ms":{"op":"add","value":1e999}}}}' "'changes.quoting.min_interval_ms.value' is missing or not a finite number"
	bad_preset '{"changes":{"quoting":{"min_interval_ms":{"op":"mul","value":-1}}}}' "'changes.quoting.min_interval_ms': mul by -1 (must be positive)"
	bad_preset '{"changes":{"quoting":{"min_interval_ms":{"value":1}}}}' "'changes.quoting.min_interval_ms.op' is missing or not a string"
	bad_preset '{"changes":{"quoting":{"min_interval_ms":{"op":"add","value":1,"weight":2}}}}' "unknown field 'weight' in 'changes.quoting.min_interval_ms'"
}

@test "a structurally wrong preset is an error" {
	bad_preset '{"description":"no changes"}' "'changes' is missing or not an object"
	bad_preset '{"changes":{"quoting":[1]}}' "'changes.quoting' is not an object"
	bad_preset '{"changes":{"quoting":{"min_interval_ms":{"op":"add","value":1},"min_interval_ms":{"op":"add","value":2}}}}' "duplicate key 'min_interval_ms'"
	preset_file broken '{"changes":'
	apply_with "$BATS_TEST_TMPDIR/broken.json"
	[ "$status" -eq 2 ]
	[[ "$output" == *"preset '$BATS_TEST_TMPDIR/broken.json': invalid JSON at byte"* ]]
}

@test "a preset file that cannot be read is an error" {
	apply_with "$BATS_TEST_TMPDIR/missing.json"
	[ "$status" -eq 2 ]
	[ "$output" = "warmup-apply: cannot open preset '$BATS_TEST_TMPDIR/missing.json': No such file or directory" ]
}

@test "informational fields of the original format are accepted" {
	apply_with "$SOAK_SRCDIR/presets/warmup_conservative_v1.json"
	[ "$status" -eq 0 ]
	assert_jq '.effective.position_limit_notional == 8000'
}
