#!/usr/bin/env bash
# Boots a Debian kernel that has gpio-sim in QEMU with a tiny initramfs and runs a static test
# binary there against simulated GPIO chips; see ../../../shared/docs/GPIO-VM.md for why it is
# done this way.
#
# Usage: run-vm.sh TEST_BINARY WORK_DIR [CACHE_DIR]
#   TEST_BINARY  static executable; called as TEST DEV_NAME CHIP_A CHIP_B LABEL_B in the guest
#   WORK_DIR     scratch space (initramfs, console log)
#   CACHE_DIR    where the kernel is kept between runs (default: tests/vm/cache, gitignored;
#                ROOMSIGN_VM_CACHE overrides)
# Exit: the test's status; 77 (ctest skip) only when QEMU or the kernel package cannot be had,
# and never under CI=true: there a missing QEMU or an archive that cannot give the kernel fails.
set -euo pipefail

SKIP=77
test_binary=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
cache=${3:-${ROOMSIGN_VM_CACHE:-$here/cache}}
suite=trixie-backports
mirror=${ROOMSIGN_VM_MIRROR:-http://deb.debian.org/debian}

skip() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL (CI=true, a missing resource is an error, not a skip): $*"
		exit 1
	fi
	echo "SKIP: $*"
	exit $SKIP
}
die() { echo "ERROR: $*" >&2; exit 1; }

command -v qemu-system-x86_64 >/dev/null ||
	skip "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86, or run .ci/setup)"
[ -f "$test_binary" ] || die "no test binary at $test_binary"

for tool in cpio xz dpkg-deb apt-get flock readelf; do
	command -v $tool >/dev/null || die "$tool is needed (run .ci/setup)"
done

# The guest has no libraries: everything in it must be static (no ELF interpreter).
is_static() { [ -f "$1" ] && ! readelf -l "$1" 2>/dev/null | grep -q 'Requesting program interpreter'; }
busybox=
for b in /bin/busybox /usr/bin/busybox "$(command -v busybox || true)"; do
	is_static "$b" && busybox=$b && break
done
[ -n "$busybox" ] || die "a static busybox is needed (apt-get install busybox-static, or run .ci/setup)"
is_static "$test_binary" || die "$test_binary is not statically linked"

# --- the kernel: Debian's trixie-backports build, the first with CONFIG_GPIO_SIM=m -------------
# Fetched with a private apt configuration so the host's sources stay untouched. Superseded
# versions leave the archive, so take whatever is current and keep it in the cache.
fetch_kernel() {
	local apt=$cache/apt
	mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/debs"
	echo "deb $mirror $suite main" >"$apt/sources.list"
	local opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o "Dir::Etc::sourceparts=/nonexistent"
		-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "Dir::State::status=/dev/null"
		-o "APT::Architecture=amd64" -o "APT::Sandbox::User=root" -q)
	apt-get "${opts[@]}" update >"$apt/update.log" 2>&1 || {
		cat "$apt/update.log"
		return 1
	}
	# linux-image-amd64 depends on linux-image-<version>-amd64: that names the current version.
	local version
	version=$(apt-cache "${opts[@]}" show linux-image-amd64 2>/dev/null |
		sed -n 's/.*linux-image-\([0-9][^ ,]*-amd64\) .*/\1/p' | sort -V | tail -1)
	[ -n "$version" ] || {
		grep -E '^(W|E):' "$apt/update.log" || true
		echo "no linux-image-amd64 in $suite"
		return 1
	}
	echo "kernel: linux $version from $suite"
	rm -f "$apt/debs"/*.deb
	(cd "$apt/debs" && apt-get "${opts[@]}" download "linux-binary-$version" "linux-modules-$version") \
		>"$apt/download.log" 2>&1 || {
		cat "$apt/download.log"
		return 1
	}
	local out=$cache/kernel-$version tmp=$cache/kernel-$version.tmp
	rm -rf "$tmp" && mkdir -p "$tmp/x"
	dpkg-deb --fsys-tarfile "$apt/debs"/linux-binary-*.deb | tar -x -C "$tmp/x" --wildcards '*/vmlinuz'
	dpkg-deb --fsys-tarfile "$apt/debs"/linux-modules-*.deb |
		tar -x -C "$tmp/x" --wildcards '*/gpio-sim.ko*' '*/configfs.ko*' || true
	local vmlinuz gpio_sim configfs
	vmlinuz=$(find "$tmp/x" -name vmlinuz | head -1)
	gpio_sim=$(find "$tmp/x" -name 'gpio-sim.ko*' | head -1)
	configfs=$(find "$tmp/x" -name 'configfs.ko*' | head -1)
	[ -n "$vmlinuz" ] || { echo "linux-binary-$version has no vmlinuz"; return 1; }
	[ -n "$gpio_sim" ] || { echo "linux-modules-$version has no gpio-sim (CONFIG_GPIO_SIM is not m)"; return 1; }
	cp "$vmlinuz" "$tmp/vmlinuz"
	# Debian ships modules xz-compressed and the guest's insmod wants them plain.
	xz -dc "$gpio_sim" >"$tmp/gpio-sim.ko" 2>/dev/null || cp "$gpio_sim" "$tmp/gpio-sim.ko"
	if [ -n "$configfs" ]; then # absent when built in
		xz -dc "$configfs" >"$tmp/configfs.ko" 2>/dev/null || cp "$configfs" "$tmp/configfs.ko"
	fi
	rm -rf "$tmp/x" "$apt/debs"/*.deb "$out"
	mv "$tmp" "$out"
	ln -sfn "kernel-$version" "$cache/kernel"
}

mkdir -p "$cache" "$work"
# Two builds may run this test at once: one fetches, the other waits for it.
exec 9>"$cache/.lock"
flock 9
if [ ! -f "$cache/kernel/vmlinuz" ] || [ ! -f "$cache/kernel/gpio-sim.ko" ]; then
	echo "kernel: fetching the current $suite kernel into $cache"
	fetch_kernel || skip "cannot get a kernel with gpio-sim from $mirror $suite (see above)"
fi
kernel=$(readlink -f "$cache/kernel")
flock -u 9
echo "kernel: $(basename "$kernel")"

# --- the initramfs --------------------------------------------------------------------------
root=$work/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules}
cp "$busybox" "$root/bin/busybox"
cp "$test_binary" "$root/bin/test"
cp "$kernel"/*.ko "$root/lib/modules/"
cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
[ -f /lib/modules/configfs.ko ] && insmod /lib/modules/configfs.ko
insmod /lib/modules/gpio-sim.ko
mount -t configfs configfs /sys/kernel/config
# Two banks, so that finding a chip by label has a wrong one to pass over.
sim=/sys/kernel/config/gpio-sim/roomsign
mkdir $sim $sim/bank0 $sim/bank1
echo 8 >$sim/bank0/num_lines
echo roomsign-sim-a >$sim/bank0/label
echo 8 >$sim/bank1/num_lines
echo roomsign-sim-b >$sim/bank1/label
echo 1 >$sim/live
# Read the names back rather than guess them.
dev=$(cat $sim/dev_name)
chip_a=$(cat $sim/bank0/chip_name)
chip_b=$(cat $sim/bank1/chip_name)
echo "guest: $dev: $chip_a (roomsign-sim-a), $chip_b (roomsign-sim-b)"
if [ -n "$dev" ] && [ -c /dev/$chip_a ] && [ -c /dev/$chip_b ]; then
	/bin/test "$dev" "$chip_a" "$chip_b" roomsign-sim-b
	status=$?
else
	echo "guest: gpio-sim did not come up"
	status=125
fi
echo "ROOMSIGN-VM-RESULT: $status"
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initramfs.cpio"

# --- boot -----------------------------------------------------------------------------------
# TCG unless real hardware virtualisation is there: a /dev/kvm without kvm_intel/kvm_amd
# behind it has been seen to fail on ordinary instructions.
accel=tcg
if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
	accel=kvm
fi
# no_timer_check: under TCG on a loaded host the kernel's IRQ0 timer check can time out and panic
# ("IO-APIC + timer doesn't work"); seen with six guests beside a compile on two cores.
echo "qemu: booting with $accel"
log=$work/console.log
start=$(date +%s)
set +e
timeout 300 qemu-system-x86_64 -nodefaults -no-user-config -display none -serial stdio -no-reboot \
	-m 256 -accel $accel -smp 1 -kernel "$kernel/vmlinuz" -initrd "$work/initramfs.cpio" \
	-append 'console=ttyS0 panic=-1 quiet cryptomgr.notests no_timer_check' </dev/null >"$log" 2>&1
qemu_status=$?
set -e
tr -d '\r' <"$log" | grep -v '^\s*$' || true
echo "qemu: exited with $qemu_status after $(($(date +%s) - start)) s"

result=$(tr -d '\r' <"$log" | sed -n 's/^ROOMSIGN-VM-RESULT: \([0-9]*\).*/\1/p' | tail -1)
[ -n "$result" ] || die "the guest printed no result line (qemu status $qemu_status; console log: $log)"
exit "$result"
