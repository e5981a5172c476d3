# common.sh - sourced by the bench scripts once their options are parsed.
# Sets srcdir (the source tree), SOAKKIT_PRESET_PATH (default: its presets)
# and, when $bindir is set (-b BINDIR), puts BINDIR first on PATH.
srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${SOAKKIT_PRESET_PATH:=$srcdir/presets}"
export SOAKKIT_PRESET_PATH
[ -n "$bindir" ] && PATH=$(cd "$bindir" && pwd):$PATH && export PATH
# The status of the sourcing '.': success, or an empty $bindir would end a set -e script.
:
