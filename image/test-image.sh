#!/bin/sh
# ctest image.build_and_boot: build the SD-card image into OUTDIR, then boot-test the .img.xz.
# Usage: image/test-image.sh OUTDIR VERSION
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -ne 0 ]; then
	# Under CI the image must be built and booted: not being root there is a broken runner.
	if [ "${CI:-}" = true ]; then
		echo "FAIL (CI=true, not a skip): the image build needs root (mmdebstrap, chroot, binfmt)"
		exit 1
	fi
	echo "SKIP: the image build needs root (mmdebstrap, chroot, binfmt)"
	exit 77
fi
"$here/build.sh" "$1"
"$here/boot-test.sh" "$1/roomsign-$2-arm64.img.xz" "$1/boot-test"
