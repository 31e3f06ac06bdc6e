#!/bin/sh
# Builds the release .deb from a source tree: Release, installed under /usr (so the compiled-in
# data directory is where the package puts the assets), no tests. Used natively by the package
# test and by image/build.sh for arm64. Extra arguments go to cmake (e.g. a cross toolchain).
# Usage: image/make-deb.sh SRC_DIR BUILD_DIR OUT_DIR [CMAKE_ARG...]
set -eu
src=$1 build=$2 out=$3
shift 3
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
	-DROOMSIGN_TESTS=OFF "$@" >"$build.cmake.log" 2>&1 || { cat "$build.cmake.log"; exit 1; }
ninja -C "$build"
mkdir -p "$out"
(cd "$build" && cpack -G DEB -B "$out")
ls "$out"/*.deb
