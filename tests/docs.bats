#!/usr/bin/env bats
# docs.bats - the man pages cannot go stale: the commands of their EXAMPLES
# run (see docs.bash); one macro set; groff and mandoc lint silent.
load helpers
load docs

@test "man pages: every command in EXAMPLES runs and prints what the page shows" {
	local page bad=0
	for page in "$SOAK_SRCDIR"/man/*.[157]; do
		run run_doc "$page"
		[ "$status" -eq 0 ] || { echo "$output"; bad=1; }
	done
	[ $bad = 0 ]
}

@test "every program's page and soakkit(7) show at least one command with its output" {
	local page bad=0
	for page in "$SOAK_SRCDIR"/man/*.1 "$SOAK_SRCDIR"/man/soakkit.7; do
		read_blocks "$page"
		local shown=0 i
		for i in "${!outs[@]}"; do [ -z "${outs[i]}" ] || shown=1; done
		[ $shown = 1 ] || { echo "$page: no example shows its output"; bad=1; }
	done
	[ $bad = 0 ]
}

@test "every page uses man macros, none mdoc" {
	run grep -l '^\.\(Dd\|Dt\|Sh\) ' "$SOAK_SRCDIR"/man/*.[157]
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "groff -t -ww -z -man at 78 columns (man on an 80-column terminal) and mandoc -T lint: silent for every page" {
	command -v groff >/dev/null || skip "groff not installed (Debian: groff-base)"
	command -v mandoc >/dev/null || skip "mandoc not installed"
	local page bad=0
	for page in "$SOAK_SRCDIR"/man/*.[157]; do
		out=$(groff -t -ww -z -man -Tutf8 -rLL=78n "$page" 2>&1; mandoc -T lint -W warning "$page" 2>&1)
		[ -z "$out" ] || { echo "$page: $out"; bad=1; }
	done
	[ $bad = 0 ]
}
