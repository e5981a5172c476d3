#!/bin/sh
# doc-commands.sh FILE: the commands a document shows, and the output it
# shows for them, for tests/docs.bats to run.
#
#   README.md      every line of a ```sh block is a command (a line ending
#                  in a backslash continues on the next); no output shown
#   a man page     the EXAMPLES (or EXAMPLE) section as man(1) renders it: a line
#                  starting "$ " is a command, continued while a line ends
#                  in "\", "|" or "&&" or the next starts "> "; the lines
#                  after it up to the next "$ " or blank line are the
#                  output it shows (so prose never follows an example
#                  without a blank line: .PP)
#
# Printed as blocks:  @@ command lines  @@ output lines (may be none)  @@@
set -eu
file=$1

case $file in
*.md)
	awk '
		/^```sh[ \t]*$/ { inblock = 1; next }
		/^```/ { inblock = 0; next }
		!inblock || /^[ \t]*$/ { next }
		{
			if (!cont) print "@@"
			print
			cont = /\\$/
			if (!cont) { print "@@"; print "@@@" }
		}
	' "$file"
	;;
*)
	mandoc -T ascii -O width=250 "$file" | col -bx | awk '
		function close_cmd() { print "@@"; state = "out" }
		function close_out() { if (state == "cmd") close_cmd(); if (state == "out") print "@@@"; state = "" }
		function continues(text) { return text ~ /(\\|\||&&)[ \t]*$/ }
		/^[A-Z][A-Z ]*$/ { close_out(); in_ex = $0 == "EXAMPLES" || $0 == "EXAMPLE"; next }
		!in_ex { next }
		{ line = $0; sub(/^ +/, "", line) }
		line ~ /^\$ / {
			close_out(); print "@@"; print substr(line, 3)
			state = "cmd"; more = continues(line); next
		}
		state == "cmd" && (more || line ~ /^> /) {
			if (line ~ /^> /) line = substr(line, 3)
			print line; more = continues(line); next
		}
		state == "cmd" { close_cmd() }
		state == "out" && line ~ /^[ \t]*$/ { close_out(); next }
		state == "out" { print line }
		END { close_out() }
	'
	;;
esac
