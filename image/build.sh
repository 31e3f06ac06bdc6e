#!/bin/bash
# Builds the roomsign SD-card image: Debian 13 (trixie) arm64 for Raspberry Pi 3 / 4 / 400 / CM4,
# booting straight into the sign. Needs root on a Debian 12 or 13 host; installs its host tools.
#
# Usage: image/build.sh OUTDIR
# Writes OUTDIR/roomsign-<version>-arm64.img.xz, .img.bmap and SHA256SUMS (and the arm64 .deb).
#
# The .deb is cross-compiled from this tree in a native Debian 13 build root with the arm64
# -dev packages installed through multiarch (crossbuild-essential-arm64, cmake, cpack), so it
# links against exactly the trixie arm64 libraries the image ships and dpkg-shlibdeps computes
# the real Depends from them. Building the same under qemu-user emulation took ~20 minutes here
# (emulated dpkg and gcc); cross-compiling takes ~3. On an arm64 host the build is native. The
# build root is cached in OUTDIR/cache (keyed by its package list), the .deb by a hash of the
# source tree, and the Debian root file system per day, so rebuilding after an image-only change
# takes a few minutes.
#
# Environment: ROOMSIGN_MIRROR (default http://deb.debian.org/debian),
#              ROOMSIGN_SECURITY_MIRROR (default http://deb.debian.org/debian-security),
#              ROOMSIGN_KEEP_RAW=1 keeps the uncompressed .img next to the .xz.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "build.sh: must run as root (mmdebstrap root mode, chroot, binfmt)" >&2
	exit 2
fi

SRC=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
MIRROR=${ROOMSIGN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${ROOMSIGN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
SUITE=trixie
t0=$(date +%s)
step() { echo "== [$(($(date +%s) - t0))s] $*"; }

version=$(sed -n 's/^project(roomsign VERSION \([0-9][0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
[ -n "$version" ] || { echo "build.sh: no version in CMakeLists.txt" >&2; exit 1; }
name=roomsign-$version-arm64
cache=$OUT/cache
work=$OUT/work
rm -rf "$work"
mkdir -p "$cache" "$work"

# --- host tools ------------------------------------------------------------------------------
host_pkgs=(mmdebstrap qemu-user-static binfmt-support arch-test mtools dosfstools fdisk genimage
	qemu-system-arm qemu-utils bmap-tools e2fsprogs xz-utils)
missing=()
for p in "${host_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	step "installing host tools: ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
fi
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
	mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
arch-test arm64 >/dev/null || { echo "build.sh: cannot run arm64 binaries (binfmt/qemu-user)" >&2; exit 1; }

sources=("deb $MIRROR $SUITE main non-free-firmware"
	"deb $MIRROR $SUITE-updates main non-free-firmware"
	"deb $SECURITY $SUITE-security main non-free-firmware")

# --- 1. the build root (cached) -------------------------------------------------------------
# The build dependencies are .ci/setup's build_pkgs (plus libgpiod, which it takes from backports
# on Debian 12), as arm64 packages.
host_arch=$(dpkg --print-architecture)
dev_pkgs=$(sed -n '/^build_pkgs=(/,/^)/p' "$SRC/.ci/setup" | sed '1d;$d' | tr -s ' \t\n' '\n' |
	grep -v -x -e '' -e build-essential -e cmake -e pkg-config -e ninja-build -e gettext)
build_pkgs="build-essential,cmake,ninja-build,pkg-config,gettext,file,dpkg-dev"
for p in $dev_pkgs libgpiod-dev; do
	case $p in
	*-dev) build_pkgs="$build_pkgs,$p:arm64" ;;
	*) build_pkgs="$build_pkgs,$p" ;;
	esac
done
if [ "$host_arch" = arm64 ]; then
	build_archs=arm64
	cross_args=()
else
	build_archs=$host_arch,arm64
	build_pkgs="$build_pkgs,crossbuild-essential-arm64"
	cross_args=(-DCMAKE_TOOLCHAIN_FILE=/aarch64.cmake -DCPACK_DEBIAN_PACKAGE_ARCHITECTURE=arm64)
fi
key=$(printf '%s\n' "$SUITE" "$build_archs" "$build_pkgs" "${sources[@]}" | sha256sum | cut -c1-12)
buildroot_tar=$cache/buildroot-$key.tar
if [ ! -f "$buildroot_tar" ]; then
	step "creating the build root ($build_archs; cached as $(basename "$buildroot_tar"))"
	rm -f "$cache"/buildroot-*.tar
	mmdebstrap --quiet --variant=apt --architectures="$build_archs" --components=main \
		--aptopt='APT::Install-Recommends "false"' --include="$build_pkgs" \
		"$SUITE" "$buildroot_tar.part.tar" "${sources[@]}"
	mv "$buildroot_tar.part.tar" "$buildroot_tar"
fi

# --- 2. the arm64 .deb from this tree (cached by source hash) --------------------------------
# The working tree as it is (tracked and untracked files, minus build output), so what is tested
# is what is on disk; .gitignore'd build directories and image output stay out, and so does the
# rest of image/ (it does not go into the package, so editing it does not rebuild the .deb).
src_list() {
	local f
	(cd "$SRC" && git ls-files -z --cached --others --exclude-standard) |
		while IFS= read -r -d '' f; do
			case $f in image/make-deb.sh) ;; image/*) continue ;; esac
			if [ -f "$SRC/$f" ]; then printf '%s\0' "$f"; fi
		done
}
src_key=$( (cd "$SRC" && src_list | sort -z | xargs -0 sha256sum 2>/dev/null) | sha256sum | cut -c1-12)
debdir=$cache/deb-$key-$src_key
if ! ls "$debdir"/roomsign_*_arm64.deb >/dev/null 2>&1; then
	step "building the arm64 .deb (source $src_key)"
	broot=$work/buildroot
	mkdir -p "$broot"
	tar -C "$broot" --numeric-owner -xf "$buildroot_tar"
	mkdir -p "$broot/src"
	(cd "$SRC" && src_list | tar --null -T - -cf -) | tar -C "$broot/src" -xf -
	printf '%s\n' 'set(CMAKE_SYSTEM_NAME Linux)' 'set(CMAKE_SYSTEM_PROCESSOR aarch64)' \
		'set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)' 'set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)' \
		>"$broot/aarch64.cmake"
	# A private mount namespace: /proc and /dev go away with it, however the build ends.
	# pkg-config reads the arm64 .pc files; dpkg-shlibdeps (in cpack) resolves arm64 libraries.
	unshare --mount --propagation private sh -ec '
		mount -t proc proc "$1/proc"
		mount --rbind /dev "$1/dev"
		root=$1
		shift
		chroot "$root" env PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig \
			DEB_HOST_ARCH=arm64 /src/image/make-deb.sh /src /build /out "$@"
	' sh "$broot" "${cross_args[@]}"
	rm -rf "$cache"/deb-*
	mkdir -p "$debdir.part"
	cp "$broot"/out/roomsign_*_arm64.deb "$debdir.part/"
	rm -rf "$debdir"
	mv "$debdir.part" "$debdir"
	rm -rf "$broot"
fi
deb=$(ls "$debdir"/roomsign_*_arm64.deb)
cp "$deb" "$OUT/"
step "package: $(basename "$deb")"
dpkg-deb -f "$deb" Depends

# --- 3. the root file system -----------------------------------------------------------------
# Debian's packages, cached per day (so a rebuild the same day skips ~10 minutes of emulated
# dpkg, and a build on a new day picks up updates); then roomsign and the image's own settings.
image_pkgs="systemd-sysv,udev,dbus,kmod,zstd,initramfs-tools,linux-image-arm64,raspi-firmware,\
firmware-brcm80211,wireless-regdb,wpasupplicant,systemd-resolved,systemd-timesyncd,iproute2,\
netbase,ca-certificates,tzdata,cloud-guest-utils,fdisk,e2fsprogs,dosfstools,\
libegl1,libegl-mesa0,libgles2,libgl1-mesa-dri,fonts-dejavu-core,prometheus-node-exporter,systemd-journal-remote,libsdl2-image-2.0-0,libqrencode4"
# update-initramfs under emulation takes minutes and would run once per package that triggers
# it: divert it during installation and run it once at the end (customize.sh).
divert='chroot "$1" dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs && ln -s /bin/true "$1/usr/sbin/update-initramfs"'
base_key=$(printf '%s\n' "$SUITE" "$image_pkgs" "$divert" "${sources[@]}" "$(date -u +%F)" | sha256sum | cut -c1-12)
base_tar=$cache/rootfs-arm64-$base_key.tar
if [ ! -f "$base_tar" ]; then
	step "creating the root file system (mmdebstrap, arm64 under qemu-user; cached for today)"
	rm -f "$cache"/rootfs-arm64-*.tar
	mmdebstrap --quiet --variant=minbase --architectures=arm64 --components="main non-free-firmware" \
		--aptopt='APT::Install-Recommends "false"' --include="$image_pkgs" \
		--essential-hook="$divert" --skip=cleanup/apt/lists \
		"$SUITE" "$base_tar.part.tar" "${sources[@]}"
	mv "$base_tar.part.tar" "$base_tar"
fi
rootfs=$work/rootfs
step "customizing the root file system (roomsign package, first boot, network, boot files)"
mkdir -p "$rootfs"
tar -C "$rootfs" --numeric-owner --xattrs --xattrs-include='*' -xpf "$base_tar"
cp "$deb" "$rootfs/tmp/"
unshare --mount --propagation private sh -ec '
	mount -t proc proc "$1/proc"
	mount -t sysfs sysfs "$1/sys"
	mount --rbind /dev "$1/dev"
	mount -t tmpfs tmpfs "$1/run"
	"$2/image/customize.sh" "$1" "$2" "$3"
' sh "$rootfs" "$SRC" "/tmp/$(basename "$deb")"

# --- 4. partitions and the disk image (no loop devices, no mounts) ---------------------------
step "assembling the disk image"
boot_mib=256
boot_start_mib=4
boot_img=$work/boot.vfat
root_img=$work/root.ext4
rm -f "$boot_img" "$root_img"
mkfs.vfat -C -F 32 -n RASPIFIRM "$boot_img" $((boot_mib * 1024)) >/dev/null
mcopy -s -i "$boot_img" "$rootfs"/boot/firmware/* ::/
# The root file system without the boot partition's files (fstab mounts them over it), with room
# to breathe until the first boot grows it to the card.
mv "$rootfs/boot/firmware" "$work/firmware"
mkdir -p "$rootfs/boot/firmware"
used_mib=$(du -sxm "$rootfs" | cut -f1)
root_mib=$((used_mib * 115 / 100 + 200))
mkfs.ext4 -q -L RASPIROOT -d "$rootfs" -E root_owner=0:0 "$root_img" "${root_mib}M"
e2fsck -fn "$root_img" >/dev/null

img=$OUT/$name.img
rm -f "$img" "$img.xz" "$OUT/$name.img.bmap"
total_mib=$((boot_start_mib + boot_mib + root_mib))
truncate -s "${total_mib}M" "$img"
sfdisk --quiet "$img" <<EOF
label: dos
start=$((boot_start_mib * 2048)), size=$((boot_mib * 2048)), type=c, bootable
start=$(((boot_start_mib + boot_mib) * 2048)), type=83
EOF
dd if="$boot_img" of="$img" bs=1M seek=$boot_start_mib conv=notrunc,sparse status=none
dd if="$root_img" of="$img" bs=1M seek=$((boot_start_mib + boot_mib)) conv=notrunc,sparse status=none
rm -f "$boot_img" "$root_img"

# --- 5. bmap, compression, checksums ---------------------------------------------------------
step "bmap and xz"
bmaptool -q create -o "$OUT/$name.img.bmap" "$img"
raw_bytes=$(stat -c %s "$img")
alloc_bytes=$(($(stat -c %b "$img") * $(stat -c %B "$img")))
if [ "${ROOMSIGN_KEEP_RAW:-0}" = 1 ]; then
	xz -T0 -3 -k -f "$img"
else
	xz -T0 -3 -f "$img"
fi
xz_bytes=$(stat -c %s "$img.xz")
(cd "$OUT" && sha256sum "$name.img.xz" "$name.img.bmap" "$(basename "$deb")" >SHA256SUMS)
rm -rf "$work"

mib() { echo "$(( ($1 + 524288) / 1048576 )) MiB"; }
elapsed=$(($(date +%s) - t0))
step "done"
echo "image:      $OUT/$name.img.xz"
echo "raw size:   $(mib "$raw_bytes") ($(mib "$alloc_bytes") allocated)"
echo "compressed: $(mib "$xz_bytes")"
echo "build time: $((elapsed / 60)) min $((elapsed % 60)) s"
