#!/bin/sh
# build.sh SRCDIR BUILDDIR "CJSON_CFLAGS" "CJSON_LIBS" LIB_SOURCES...
# Build soakkit's libFuzzer harnesses (make fuzz): each harness compiled
# with the library sources of lib/record, lib/gate and lib/tuner by clang
# under ASan and UBSan, and the seed
# corpora made from tests/fixtures.  FUZZ_CC overrides clang.
set -eu
src=$1 build=$2 cjson_cflags=$3 cjson_libs=$4
shift 4
cc=${FUZZ_CC:-clang}
command -v "$cc" >/dev/null || { echo "fuzz: no $cc (install clang and libclang-rt-14-dev)" >&2; exit 2; }
sources=
for f in "$@"; do   # the subsystems the harnesses reach
	case $f in lib/record/*.c | lib/gate/*.c | lib/tuner/*.c) sources="$sources $src/$f" ;; esac
done
mkdir -p "$build/fuzz"
for name in record kpi-gate tuner-filter; do
	echo "  FUZZ     fuzz/fuzz-$name"
	# shellcheck disable=SC2086
	"$cc" -std=c11 -Wall -Wextra -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-D_POSIX_C_SOURCE=200809L -DSOAK_PKGDATADIR='"/nonexistent"' -DSOAK_VERSION='"fuzz"' \
		-DFUZZ_PRESETS="\"$src/presets\"" \
		-I"$src/fuzz" -I"$src/lib/record" -I"$src/lib/gate" -I"$src/lib/market" \
		-I"$src/lib/tuner" -I"$src/lib/report" $cjson_cflags \
		-o "$build/fuzz/fuzz-$name" "$src/fuzz/fuzz-$name.c" $sources $cjson_libs -lm
done
sh "$src/fuzz/seed-corpus.sh" "$src" "$build/fuzz/corpus"
