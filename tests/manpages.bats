#!/usr/bin/env bats
# manpages.bats - --help, --version and the man pages stay in step.
#
# Checked for warmup-phase and warmup-apply always, and for every other
# program that has a page man/PROG.1 once it is built (on PATH).

load helpers

MAN_DIR="$SOAK_SRCDIR/man"
FOUNDATION_PROGRAMS="warmup-phase warmup-apply"

# Roff source on stdin, escapes that hide option names removed:
# font changes (\fB \fI \fR \fP \f(XX \f[X]), \- \(mi \(hy as '-',
# zero-width \& \: \% \c, and mdoc's "Fl -name" (which prints --name).
normalize_roff() {
	sed -E \
		-e 's/\\f(\[[^]]*\]|\([A-Za-z0-9]{2}|[A-Za-z0-9])//g' \
		-e 's/\\(-|\(mi|\(hy|\[mi\]|\[hy\])/-/g' \
		-e 's/\\[&:%c]//g' \
		-e 's/(^\.|[[:space:]])Fl[[:space:]]+-/\1Fl --/g'
}

# Long options documented in PAGE, sorted: those on list-item tags (the
# line after .TP/.TQ, .IP lines, mdoc .It lines) in the OPTIONS section,
# or anywhere when the page has no OPTIONS section.  Long options in
# running text (cross-references to other programs) do not count.
man_options() {
	local page=$1 only_options=0
	if grep -qiE '^\.S[Hh][[:space:]]+"?OPTIONS"?[[:space:]]*$' "$page"; then
		only_options=1
	fi
	normalize_roff < "$page" | awk -v only="$only_options" '
		/^\.S[Hh][ \t]/ {
			name = $0; sub(/^\.S[Hh][ \t]+/, "", name); gsub(/"/, "", name)
			in_options = toupper(name) ~ /^OPTIONS[ \t]*$/
			tag_next = 0; next
		}
		{ use = !only || in_options }
		tag_next { tag_next = 0; if (use) print; next }
		/^\.(TP|TQ)([ \t]|$)/ { tag_next = 1; next }
		/^\.(IP|It)[ \t]/ { if (use) print }
	' | grep -oE -- '--[A-Za-z0-9][A-Za-z0-9-]*' | sort -u
}

# Long options of the help text on stdin, sorted: from the option column
# of the option lines (a '-' after at most 8 spaces), not from the
# descriptions.
help_options() {
	grep -E '^ {0,8}-' | sed -E 's/^ +//; s/ {2,}.*//' |
		grep -oE -- '--[A-Za-z0-9][A-Za-z0-9-]*' | sort -u
}

# The programs to check, one a line: the foundation ones always (their
# absence is a failure later), then every other PROG with man/PROG.1 that
# is on PATH.  Pages of programs not built yet are noted on fd 3.
programs_to_check() {
	local page prog
	for prog in $FOUNDATION_PROGRAMS; do
		echo "$prog"
	done
	for page in "$MAN_DIR"/*.1; do
		[ -e "$page" ] || continue
		prog=$(basename "$page" .1)
		case " $FOUNDATION_PROGRAMS " in *" $prog "*) continue ;; esac
		if command -v "$prog" >/dev/null; then
			echo "$prog"
		else
			echo "# $prog: not built yet, not checked" >&3
		fi
	done
}

# options_missing DIRECTION PROG: the options of one side missing from
# the other; prints them and fails when there are any.
options_missing() {
	local direction=$1 prog=$2 page="$MAN_DIR/$2.1"
	"$prog" --help > "$BATS_TEST_TMPDIR/help" || { echo "$prog --help failed"; return 1; }
	help_options < "$BATS_TEST_TMPDIR/help" > "$BATS_TEST_TMPDIR/in-help"
	man_options "$page" > "$BATS_TEST_TMPDIR/in-man"
	local missing
	if [ "$direction" = help-to-man ]; then
		missing=$(comm -23 "$BATS_TEST_TMPDIR/in-help" "$BATS_TEST_TMPDIR/in-man")
		[ -z "$missing" ] && return 0
		echo "$prog: in --help but not documented in man/$prog.1:" $missing
	else
		missing=$(comm -13 "$BATS_TEST_TMPDIR/in-help" "$BATS_TEST_TMPDIR/in-man")
		[ -z "$missing" ] && return 0
		echo "$prog: documented in man/$prog.1 but not in --help:" $missing
	fi
	return 1
}

package_version() {
	sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$SOAK_SRCDIR/configure.ac"
}

# --- the checker itself -------------------------------------------------

@test "checker: options are extracted from man(7) and mdoc(7) spellings" {
	cat > "$BATS_TEST_TMPDIR/page.1" <<'EOF'
.TH T 1
.SH DESCRIPTION
Unlike \fBother \-\-cross\-ref\fR, this page documents:
.SH OPTIONS
.TP
\fB\-a\fR, \fB\-\-alpha\fR=\fIX\fR
Alpha, not to be confused with \-\-in\-text.
.TP
.BR \-\-beta\-two " " \fIY\fR
.TQ
.B \-\-gamma
.IP "\f(CB\-\-delta\fP" 4
.It Fl \-epsilon Ns = Ns Ar Z
.It Fl -zeta
.TP
.B \-\&\-eta
.SH SEE ALSO
.TP
\fB\-\-not\-an\-option\fR
EOF
	run man_options "$BATS_TEST_TMPDIR/page.1"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' --alpha --beta-two --delta --epsilon --eta --gamma --zeta)" ]
}

@test "checker: help options come from the option column only" {
	run help_options <<'EOF'
Usage: prog [OPTION]...
       prog --first [--not-this=X]
Text that mentions --nor-this.

  -a, --alpha=X          alpha (see --not-that)
      --on-error=MODE    fail (default)
                         --continuation-line too
  -h, --help             show this help and exit
EOF
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' --alpha --help --on-error)" ]
}

@test "checker: an option missing on either side is reported" {
	mkdir -p "$BATS_TEST_TMPDIR/bin" "$BATS_TEST_TMPDIR/man"
	printf '#!/bin/sh\nprintf "  -a, --alpha   a\\n      --beta    b\\n"\n' > "$BATS_TEST_TMPDIR/bin/fake"
	chmod +x "$BATS_TEST_TMPDIR/bin/fake"
	printf '.TH FAKE 1\n.SH OPTIONS\n.TP\n\\fB\\-\\-alpha\\fR\n.TP\n\\fB\\-\\-gamma\\fR\n' \
		> "$BATS_TEST_TMPDIR/man/fake.1"
	PATH="$BATS_TEST_TMPDIR/bin:$PATH" MAN_DIR="$BATS_TEST_TMPDIR/man" \
		run options_missing help-to-man fake
	[ "$status" -eq 1 ]
	[ "$output" = "fake: in --help but not documented in man/fake.1: --beta" ]
	PATH="$BATS_TEST_TMPDIR/bin:$PATH" MAN_DIR="$BATS_TEST_TMPDIR/man" \
		run options_missing man-to-help fake
	[ "$status" -eq 1 ]
	[ "$output" = "fake: documented in man/fake.1 but not in --help: --gamma" ]
}

# --- the programs -------------------------------------------------------

@test "the foundation programs are built and have man pages" {
	for prog in $FOUNDATION_PROGRAMS; do
		command -v "$prog" || { echo "$prog is not on PATH"; return 1; }
		[ -f "$MAN_DIR/$prog.1" ] || { echo "man/$prog.1 is missing"; return 1; }
	done
}

@test "every long option in --help is documented in the man page" {
	local failed=0 prog
	for prog in $(programs_to_check); do
		options_missing help-to-man "$prog" || failed=1
	done
	[ "$failed" -eq 0 ]
}

@test "every long option documented in the man page is in --help" {
	local failed=0 prog
	for prog in $(programs_to_check); do
		options_missing man-to-help "$prog" || failed=1
	done
	[ "$failed" -eq 0 ]
}

@test "the foundation pages document options (the extraction finds them)" {
	run man_options "$MAN_DIR/warmup-apply.1"
	[ "$status" -eq 0 ]
	[[ "$output" == *--preset* && "$output" == *--no-guards* && "$output" == *--rejects* ]]
	[ "$(wc -l <<<"$output")" -ge 13 ]
}

@test "--help exits 0 and --version prints 'PROG (soakkit) VERSION' and exits 0" {
	local version prog failed=0
	version=$(package_version)
	[ -n "$version" ]
	for prog in $(programs_to_check); do
		run "$prog" --help
		if [ "$status" -ne 0 ] || [ -z "$output" ]; then
			echo "$prog --help: status $status"; failed=1
		fi
		run "$prog" --version
		if [ "$status" -ne 0 ] || [ "$output" != "$prog (soakkit) $version" ]; then
			echo "$prog --version: status $status, output '$output'"; failed=1
		fi
	done
	[ "$failed" -eq 0 ]
}

# --- the pages ----------------------------------------------------------

@test "mandoc -Tlint -W warning finds nothing in any man page" {
	command -v mandoc >/dev/null || skip "mandoc is not installed: man pages not linted"
	local page failed=0 found=0
	for page in "$MAN_DIR"/*.[1-9]; do
		[ -e "$page" ] || continue
		found=1
		run mandoc -Tlint -W warning "$page"
		if [ "$status" -ne 0 ] || [ -n "$output" ]; then
			echo "$output"; failed=1
		fi
	done
	[ "$found" -eq 1 ]
	[ "$failed" -eq 0 ]
}

@test "every page in man/ is installed by Makefile.am and every listed page exists" {
	local listed page failed=0
	listed=$(sed -n '/^dist_man_MANS *=/,/^[[:space:]]*$/p' "$SOAK_SRCDIR/Makefile.am" |
		grep -oE 'man/[A-Za-z0-9_.-]+\.[1-9]' | sort -u)
	[ -n "$listed" ]
	for page in "$MAN_DIR"/*.[1-9]; do
		[ -e "$page" ] || continue
		grep -qxF "man/$(basename "$page")" <<<"$listed" ||
			{ echo "man/$(basename "$page") is not in dist_man_MANS"; failed=1; }
	done
	for page in $listed; do
		[ -f "$SOAK_SRCDIR/$page" ] || { echo "$page is listed but missing"; failed=1; }
	done
	[ "$failed" -eq 0 ]
}

@test "soak-preset(5) registry table is lib/record/params.c's, row for row" {
	local from_code from_page
	from_code=$(tr '\n\t' '  ' < "$SOAK_SRCDIR/lib/record/params.c" |
		grep -oE '\[P_[A-Z_]+\] = \{[^}]*\}' |
		sed -E 's/.*\{"([^"]*)", *"([^"]*)", *"([^"]*)", *([^,]*), *([^,]*), *([^,]*),.*/\1@\2@\3@\4@\5@\6/')
	# two tables: key@unit@baseline@min@max, then key@preset path
	from_page=$(sed -n '/^\.TS/,/^\.TE/p' "$MAN_DIR/soak-preset.5" | grep -E '^[a-z_]+@' |
		awk -F@ 'NF == 2 && $2 ~ /\./ { path[$1] = $2; next }
			NF == 5 && $1 != "key" { row[++n] = $0; key[n] = $1 }
			END { for (i = 1; i <= n; i++) { sub(/@/, "@" path[key[i]] "@", row[i]); print row[i] } }')
	[ "$(wc -l <<<"$from_code")" -eq 11 ]
	if [ "$from_code" != "$from_page" ]; then
		diff <(echo "$from_code") <(echo "$from_page")
		return 1
	fi
}

@test "soak-preset(5) describes every parameter as lib/record/params.c does" {
	local key meaning failed=0
	while IFS=@ read -r key meaning; do
		awk -v key="$key" 'prev == ".TP" && $0 == ".B " key { getline; print }
			{ prev = $0 }' "$MAN_DIR/soak-preset.5" |
			grep -qixF "$meaning." || { echo "$key: '$meaning' not in soak-preset.5"; failed=1; }
	done < <(tr '\n\t' '  ' < "$SOAK_SRCDIR/lib/record/params.c" |
		grep -oE '\[P_[A-Z_]+\] = \{[^}]*\}' |
		sed -E 's/.*\{"([^"]*)",.*, (true|false), *"([^"]*)"\}/\1@\3/')
	[ "$failed" -eq 0 ]
}
