#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Builds the fuzz targets (clang, libFuzzer, ASan+UBSan) in build-fuzz/ and runs
# each for SECONDS, one after the other. Prints one line per target:
#   fuzz_x: N executions in S s, corpus C, crashes K
# A crash (or leak, or UB) leaves its input in build-fuzz/artifacts/ and makes
# this script exit non-zero.
#
#   fuzz/run.sh SECONDS [TARGET...]     (./x fuzz and the fuzz.* ctest entries use it)
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
BUILD=${HTTPTAP_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
SECONDS_EACH=${1:-60}
shift || true
# As HTTPTAP_FUZZERS in CMakeLists.txt: the filter, HAR and symbol targets exist once core has them.
ALL=(recordreader flowassembler http2 contentdecoder dnsmessage)
[ -f "$ROOT/core/filter/flowfilter.h" ] && ALL+=(filter)
[ -f "$ROOT/core/export/harreader.h" ] && ALL+=(harreader)
[ -f "$ROOT/core/symbols/elfsymboltable.h" ] && ALL+=(elfsymbols)
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")

# One build at a time: concurrent ctest entries or ./x fuzz runs wait for each other here.
mkdir -p "$BUILD"
exec 9>"$BUILD/.lock"
flock 9
if [ ! -f "$BUILD/build.ninja" ]; then
    launcher=()
    command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    CC=clang CXX=clang++ cmake -S "$ROOT/fuzz" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        "${launcher[@]}" >/dev/null
fi
ninja -C "$BUILD" -j2 "${TARGETS[@]/#/fuzz_}" >/dev/null
flock -u 9

mkdir -p "$BUILD/artifacts"
status=0
for t in "${TARGETS[@]}"; do
    corpus=$BUILD/corpus/$t
    mkdir -p "$corpus"
    log=$BUILD/fuzz_$t.log
    # The committed seeds stay read-only; what the fuzzer finds goes to build-fuzz/corpus/.
    # -max_len: large enough for several HTTP/2 frames or a whole small exchange.
    seeds=("$ROOT/fuzz/corpus/$t")
    [ "$t" = harreader ] && seeds+=("$ROOT/tests/data") # the HAR files of the exporter tests
    if "$BUILD/fuzz_$t" "$corpus" "${seeds[@]}" -max_total_time="$SECONDS_EACH" -max_len=65536 \
        -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$t-" \
        >"$log" 2>&1; then
        crashes=0
    else
        crashes=1
        status=1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    size=$(find "$corpus" -type f | wc -l)
    echo "fuzz_$t: ${runs:-?} executions in ${secs:-$SECONDS_EACH} s, corpus $size, crashes $crashes"
    if [ $crashes -ne 0 ]; then
        grep -m1 -E '^==[0-9]+==ERROR|runtime error|deadly signal|out-of-memory|timeout' "$log" || true
        ls -t "$BUILD/artifacts/$t-"* 2>/dev/null | head -1 | sed 's/^/  input: /'
        echo "  log: $log"
    fi
done
exit $status
