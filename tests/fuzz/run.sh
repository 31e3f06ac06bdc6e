#!/usr/bin/env bash
# Builds the fuzz preset (clang, libFuzzer, ASan+UBSan) and runs every fuzz target for SECONDS
# each (default 20) through ctest -L fuzz: seeds from tests/fixtures first, then fuzzing.
#
#   tests/fuzz/run.sh            # CI: 20 s per parser
#   tests/fuzz/run.sh 3600       # run them longer: an hour per parser
#
# The corpus each run grows is kept in BUILD/tests/fuzz-work/<parser>/corpus, so a second run
# starts where the first stopped. A crash leaves its input in .../artifacts/: fix the parser,
# then keep the input as tests/fixtures/regress/<parser>/<name> (every build replays those).
# ROOMSIGN_FUZZ_BUILD overrides the build directory (default: the preset's build/fuzz).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
case $seconds in '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac
build=${ROOMSIGN_FUZZ_BUILD:-build/fuzz}

command -v clang >/dev/null || { echo "fuzz: clang is not installed (.ci/setup test)" >&2; exit 1; }
cmake --preset fuzz -B "$build" -DROOMSIGN_FUZZ_SECONDS="$seconds" >/dev/null
cmake --build "$build" --target fuzz_targets
rm -f "$build"/tests/fuzz-work/*/artifacts/*      # report only what this run finds
status=0
ctest --test-dir "$build" -L fuzz -j"$(nproc)" --output-on-failure --timeout $((seconds * 3 + 120)) || status=$?
for dir in "$build"/tests/fuzz-work/*/artifacts; do
	for f in "$dir"/*; do
		[ -e "$f" ] && echo "fuzz: crash input kept at $f" && status=1
	done
done
exit $status
