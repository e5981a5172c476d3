#!/usr/bin/env bats
# docs-readme.bats - README.md cannot go stale: its commands run (see
# docs.bash) and its acceptance table is what bench/acceptance.sh prints.
load helpers
load docs

@test "README.md: every command in its sh blocks runs" {
	run run_doc "$SOAK_SRCDIR/README.md"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "README.md: the acceptance table is what bench/acceptance.sh prints" {
	cd "$BATS_TEST_TMPDIR"
	run "$SOAK_SRCDIR/bench/acceptance.sh" -s 1-20 -b "$(dirname "$(command -v kpi-gate)")"
	[ "$status" -eq 0 ]
	printed=$output
	shown=$(sed -n '/^Seeds 1-20/,$p' "$SOAK_SRCDIR/README.md" | head -n "$(wc -l <<<"$printed")")
	[ -n "$shown" ]
	[ "$printed" = "$shown" ] || { diff <(echo "$shown") <(echo "$printed"); false; }
}

