#!/bin/bash
# Boots the roomsign SD-card image in QEMU (-M virt, cortex-a72, virtio-gpu, TCG) the way a user
# would use it: a roomsign.conf (the demo source), a secret file and a wifi.conf written with
# Windows line ends onto the FAT boot partition, on a disk larger than the image. Then checks:
#  - the guest report (roomsign-boottest.service, only with roomsign.test=1): service active
#    (READY=1 after the first frame), sandbox, console, first boot (grown root, imported config,
#    secrets 0600 and gone from the FAT, Wi-Fi config, host name), wired DHCP, time sync;
#  - no journal message at priority err or worse (they are printed);
#  - a QEMU monitor screendump shows the sign: a status colour covers a large area (not a console);
#  - after power-off, the FAT partition no longer holds the secret or wifi.conf.
# Prints power-on to first frame and the service's memory use.
#
# Usage: image/boot-test.sh IMAGE.img[.xz] [OUTDIR]   (OUTDIR keeps serial.log and screen.png)
# Needs qemu-system-aarch64 (qemu-system-arm), mtools, fdisk, python3. Not root.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 IMAGE.img[.xz] [OUTDIR]" >&2
	exit 2
fi
SRC=$(cd "$(dirname "$0")/.." && pwd)
image=$1
keep=${2:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/roomsign-boot.XXXXXX")
qemu_pid=
cleanup() {
	[ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
for tool in qemu-system-aarch64 mcopy mdir sfdisk python3; do
	command -v "$tool" >/dev/null || { echo "boot-test: $tool not found (run .ci/setup image)" >&2; exit 1; }
done
# The touchscreen: QEMU's virtio multitouch device (QEMU 8.1 or later; Debian 12 has it from
# bookworm-backports, which .ci/setup installs).
if ! qemu-system-aarch64 -M virt -device help 2>/dev/null | grep -q '"virtio-multitouch-pci"'; then
	echo "boot-test: $(qemu-system-aarch64 --version | head -n1) has no virtio-multitouch-pci (needs QEMU 8.1 or later: run .ci/setup image)" >&2
	exit 1
fi

disk=$work/disk.img
case $image in
*.xz) xz -dc "$image" | cp --sparse=always /dev/stdin "$disk" ;;
*) cp --sparse=always "$image" "$disk" ;;
esac
# A card larger than the image, so the first boot has something to grow into.
image_mib=$(($(stat -c %s "$disk") / 1048576))
truncate -s +1G "$disk"

part_start() { sfdisk -d "$disk" | sed -n "s|^$disk$1 : start= *\([0-9]*\),.*|\1|p"; }
part_size() { sfdisk -d "$disk" | sed -n "s|^$disk$1 : .*size= *\([0-9]*\),.*|\1|p"; }
fat="$disk@@$(($(part_start 1) * 512))"
root_part_mib=$(($(part_size 2) / 2048))
export MTOOLS_SKIP_CHECK=1

# Kernel, initrd and command line from the boot partition, as the Pi firmware would take them.
kernel=$(mdir -b -i "$fat" :: | sed -n 's|^::/\(vmlinuz-.*\)|\1|p' | sort -V | tail -n1)
initrd=$(mdir -b -i "$fat" :: | sed -n 's|^::/\(initrd.img-.*\)|\1|p' | sort -V | tail -n1)
[ -n "$kernel" ] && [ -n "$initrd" ] || { echo "boot-test: no vmlinuz-*/initrd.img-* on the boot partition" >&2; mdir -i "$fat" ::; exit 1; }
mcopy -n -i "$fat" "::$kernel" "$work/vmlinuz"
mcopy -n -i "$fat" "::$initrd" "$work/initrd.img"
mcopy -n -i "$fat" ::cmdline.txt "$work/cmdline.txt"
# The card's own command line, with the serial console moved to QEMU's PL011 and the test marker.
cmdline="$(tr -d '\r\n' <"$work/cmdline.txt" | tr ' ' '\n' | grep -v '^console=' | tr '\n' ' ')"
cmdline="$cmdline console=ttyAMA0,115200 roomsign.test=1"
echo "boot-test: kernel $kernel, cmdline: $cmdline"

# The user's files, as Notepad would save them.
crlf() { sed 's/$/\r/'; }
crlf >"$work/roomsign.conf" <<'EOF'
; written by image/boot-test.sh
[room]
name = Boot Test (1.01)
timezone = UTC

[source]
type = demo
password_file = /etc/roomsign/secret
EOF
printf 'not-a-real-password\r\n' >"$work/secret"
crlf >"$work/wifi.conf" <<'EOF'
ssid = Test Net
psk = correct horse battery staple
country = DK
EOF
mcopy -o -i "$fat" "$work/roomsign.conf" "$work/secret" "$work/wifi.conf" ::/

serial=$work/serial.log
monitor=$work/monitor.sock
: >"$serial"
t_start=$(date +%s.%N)
qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 2048 -accel tcg,thread=multi \
	-kernel "$work/vmlinuz" -initrd "$work/initrd.img" -append "$cmdline" \
	-drive file="$disk",format=raw,if=none,id=hd,discard=unmap -device virtio-blk-pci,drive=hd \
	-device virtio-gpu-pci -device virtio-keyboard-pci -device virtio-tablet-pci -device virtio-multitouch-pci \
	-device virtio-serial-pci -chardev socket,id=touchctl,path="$work/touch.sock",server=on,wait=off \
	-device virtserialport,chardev=touchctl,name=org.roomsign.touch -qmp unix:"$work/qmp.sock",server=on,wait=off \
	-netdev user,id=net0,restrict=on -device virtio-net-pci,netdev=net0 \
	-display none -serial file:"$serial" -monitor unix:"$monitor",server,nowait \
	-no-reboot >"$work/qemu.log" 2>&1 &
qemu_pid=$!

monitor_cmd() {
	python3 - "$monitor" "$1" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(10)
s.recv(4096)  # banner and prompt
s.sendall((sys.argv[2] + "\n").encode())
time.sleep(2)
try:
    s.recv(65536)
except OSError:
    pass
s.close()
EOF
}

# A passer-by's USB keyboard: console switching, Ctrl+C, Ctrl+Alt+Del (once and as a burst of 8
# in about a second, systemd's forced reboot) and SysRq reboot; the guest then checks it is
# still the sign on tty1, the same process, no shutdown (and -no-reboot ends QEMU on a reboot).
keyboard_attack() {
	python3 - "$monitor" <<'EOF'
import socket, sys, time
keys = ["alt-f2", "ctrl-alt-f3", "alt-right", "alt-left", "ctrl-c", "ctrl-alt-delete"]
keys += ["ctrl-alt-delete"] * 8 + ["alt-sysrq-b", "alt-sysrq-c", "alt-f2"]
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(10)
s.recv(4096)
for k in keys:
    s.sendall(("sendkey %s 50\n" % k).encode())
    time.sleep(0.1)
time.sleep(2)
try:
    s.recv(65536)
except OSError:
    pass
s.close()
EOF
}

timeout_s=${ROOMSIGN_BOOT_TIMEOUT:-1200}
keys_sent=
touch_rc=
t_frame=
# Guest lines arrive through the journal's console forwarding, behind a time stamp and unit name.
report() { tr -d '\r' <"$serial" | sed -n 's/.*ROOMSIGN-TEST //p'; }
while ! report | grep -qx DONE; do
	if ! kill -0 "$qemu_pid" 2>/dev/null; then
		echo "boot-test: QEMU exited before the test finished" >&2
		cat "$work/qemu.log" >&2
		tail -n 80 "$serial" >&2
		exit 1
	fi
	if [ -z "$keys_sent" ] && report | grep -qx KEYS-READY; then
		keyboard_attack
		keys_sent=1
	fi
	if [ -z "$touch_rc" ] && report | grep -qx TOUCH-READY; then
		touch_rc=0
		python3 "$SRC/image/touch-test.py" "$work/qmp.sock" "$work/touch.sock" "$SRC/app/ui/theme.h" \
			"$work/touch" | tee "$work/touch.log" || touch_rc=$?
	fi
	if [ -z "$t_frame" ] && report | grep -q '^first-frame-since-kernel-ms'; then
		t_frame=$(date +%s.%N)
	fi
	if [ $(($(date +%s) - ${t_start%.*})) -gt "$timeout_s" ]; then
		echo "boot-test: no result after ${timeout_s}s; serial console:" >&2
		tail -n 120 "$serial" >&2
		exit 1
	fi
	sleep 0.5
done
[ -n "$t_frame" ] || t_frame=$(date +%s.%N)
monitor_cmd "screendump $work/screen.png -f png"
monitor_cmd quit
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=

[ -z "$keep" ] || { mkdir -p "$keep"; cp -r "$serial" "$work/screen.png" "$work/touch" "$keep/" 2>/dev/null || true; }

echo "---- guest report"
tr -d '\r' <"$serial" | grep -a -o 'ROOMSIGN-TEST .*\|roomsign-firstboot: .*' || true
echo "----"

fails=0
fail() { echo "boot-test: FAIL: $*" >&2; fails=$((fails + 1)); }
value() { report | sed -n "s/^$1 //p" | head -n1; }

[ "$(value first-frame-since-kernel-ms)" -gt 0 ] 2>/dev/null || fail "no first frame reported"
while read -r what; do fail "guest check: $what"; done < <(report | sed -n 's/^FAIL //p')
n_err=$(value journal-errors)
if [ "${n_err:-1}" != 0 ]; then
	fail "$n_err journal message(s) at priority err or worse:"
	report | sed -n 's/^JOURNAL-ERROR /    /p' >&2
fi
[ "$(value hostname)" = boot-test-1-01 ] || fail "host name is '$(value hostname)', expected boot-test-1-01 from the room name"
root_mib=$(value root-size-mib)
[ "${root_mib:-0}" -gt $((root_part_mib + 700)) ] ||
	fail "root file system is ${root_mib:-?} MiB: not grown from the ${root_part_mib} MiB partition to the larger disk"
case $touch_rc in
0) ;;
'') fail "the guest never offered the touch test (TOUCH-READY)" ;;
*) fail "booking by touch (image/touch-test.py, exit $touch_rc)" ;;
esac
[ "$(value restarts)" = 0 ] || fail "roomsign.service restarted $(value restarts) time(s)"

# After power-off, from the host: the secret and the Wi-Fi password are off the FAT partition.
mdir -b -i "$fat" :: >"$work/fat.txt"
grep -q '^::/secret$' "$work/fat.txt" && fail "the secret is still on the boot partition"
grep -q '^::/wifi.conf$' "$work/fat.txt" && fail "wifi.conf is still on the boot partition"
grep -q '^::/roomsign.conf$' "$work/fat.txt" || fail "roomsign.conf vanished from the boot partition"

# The screen: the sign's status colour over a large area, not a text console.
if [ -f "$work/screen.png" ]; then
	python3 "$SRC/image/screen-check.py" "$SRC/app/ui/theme.h" "$work/screen.png" ||
		fail "the screendump does not show the sign"
else
	fail "no screendump"
fi

echo "boot-test: image $image_mib MiB, root partition $root_part_mib MiB, grown to ${root_mib:-?} MiB"
echo "boot-test: power-on to first frame: $(awk -v ms="$(value first-frame-since-kernel-ms)" 'BEGIN { printf "%.1f s", ms / 1000 }') (guest clock, TCG-emulated cortex-a72)," \
	"$(awk -v a="$t_start" -v b="$t_frame" 'BEGIN { printf "%.1f s", b - a }') host wall clock from QEMU start"
echo "boot-test: roomsign exec to first frame: $(value first-frame-since-exec-ms) ms (emulated)"
echo "boot-test: memory: PSS $(awk -v k="$(value pss-kib)" 'BEGIN { printf "%.1f MiB", k / 1024 }')," \
	"MemoryCurrent $(awk -v b="$(value memory-current-bytes)" 'BEGIN { printf "%.1f MiB", b / 1048576 }') (cgroup, incl. page cache)"
if [ "$fails" -gt 0 ]; then
	echo "boot-test: $fails failure(s)" >&2
	exit 1
fi
echo "boot-test: PASS"
