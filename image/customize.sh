#!/bin/bash
# Turns the Debian root file system into the roomsign image's (run by build.sh on the build host,
# as root, with /proc, /sys, /dev and /run mounted in ROOTFS).
# Usage: customize.sh ROOTFS SRC_DIR DEB_PATH_IN_ROOTFS
set -euo pipefail
root=$1 src=$2 deb=$3
in_root() { chroot "$root" "$@"; }
say() { echo "customize: $*"; }

# apt in the chroot fetches roomsign's dependencies: the host's resolver until the end.
rm -f "$root/etc/resolv.conf"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"

# --- roomsign: install with apt, prove purge leaves nothing behind, install again -------------
say "installing $(basename "$deb") with apt"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" </dev/null
check_installed() {
	in_root getent passwd roomsign >/dev/null || { echo "no roomsign user after install" >&2; exit 1; }
	local groups
	groups=$(in_root id -nG roomsign)
	for g in video render input gpio; do
		case " $groups " in *" $g "*) ;; *) echo "roomsign is not in group $g ($groups)" >&2; exit 1 ;; esac
	done
	[ -d "$root/etc/roomsign" ] && [ -d "$root/var/lib/roomsign" ] ||
		{ echo "postinst did not create /etc/roomsign and /var/lib/roomsign" >&2; exit 1; }
	[ -L "$root/etc/systemd/system/multi-user.target.wants/roomsign.service" ] ||
		{ echo "roomsign.service is not enabled after install" >&2; exit 1; }
	local textdir
	textdir=$(in_root stat -c '%U:%G %a' /var/lib/prometheus/node-exporter)
	[ "$textdir" = "root:roomsign 1775" ] ||
		{ echo "node_exporter's textfile directory is $textdir, not root:roomsign 1775" >&2; exit 1; }
}
check_installed
say "purging roomsign"
echo "secret" >"$root/etc/roomsign/secret"
in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q roomsign </dev/null
for leftover in /etc/roomsign /var/lib/roomsign /usr/bin/roomsign /usr/lib/systemd/system/roomsign.service \
	/etc/systemd/system/multi-user.target.wants/roomsign.service; do
	if [ -e "$root$leftover" ] || [ -L "$root$leftover" ]; then
		echo "purge left $leftover behind" >&2
		exit 1
	fi
done
if in_root getent passwd roomsign >/dev/null; then
	echo "purge left the roomsign user behind" >&2
	exit 1
fi
if in_root dpkg-statoverride --list /var/lib/prometheus/node-exporter >/dev/null ||
	[ "$(in_root stat -c '%U:%G %a' /var/lib/prometheus/node-exporter)" != "root:root 755" ]; then
	echo "purge left node_exporter's textfile directory overridden" >&2
	exit 1
fi
say "purge clean; installing again"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" </dev/null
check_installed
rm -f "$root$deb"

# --- files of the image (not of the package: they only make sense on this SD card) ----------
cp -a "$src/image/files/." "$root/"
chmod 0755 "$root"/usr/libexec/roomsign/roomsign-firstboot "$root"/usr/libexec/roomsign/roomsign-boottest \
	"$root"/usr/libexec/roomsign/roomsign-lock-console

cat >"$root/etc/fstab" <<'EOF'
# <file system>   <mount point>    <type> <options>                          <dump> <pass>
LABEL=RASPIROOT   /                ext4   rw,noatime,errors=remount-ro       0      1
LABEL=RASPIFIRM   /boot/firmware   vfat   rw,noatime,umask=0022,flush        0      2
EOF
echo roomsign >"$root/etc/hostname"
cat >"$root/etc/hosts" <<'EOF'
127.0.0.1	localhost
127.0.1.1	roomsign
::1		localhost ip6-localhost ip6-loopback
ff02::1		ip6-allnodes
ff02::2		ip6-allrouters
EOF

# Wired DHCP and Wi-Fi through systemd-networkd; wpa_supplicant only once the first boot found
# a wifi.conf (it then hooks wpa_supplicant@wlan0 to the wlan0 device). Time from NTP.
# The panel is the sign's alone: no getty on tty1, no spare VTs, no SSH (not installed).
in_root systemctl enable systemd-networkd.service systemd-resolved.service systemd-timesyncd.service \
	roomsign-firstboot.service roomsign-boottest.service
in_root systemctl mask getty@tty1.service
# A keyboard at the door: Ctrl+Alt+Del does nothing (system.conf.d sets no burst action either);
# SysRq is off (sysctl.d); VT switching is locked and tty1's keyboard off (roomsign.service.d).
in_root systemctl mask ctrl-alt-del.target
in_root perl -e 1 || { echo "perl (perl-base) is missing: roomsign-lock-console needs it" >&2; exit 1; }
in_root systemctl disable wpa_supplicant.service 2>/dev/null || true
if in_root dpkg-query -W -f='${Status}' openssh-server 2>/dev/null | grep -q 'ok installed'; then
	echo "openssh-server must not be in the image" >&2
	exit 1
fi

# --- boot files: kernel command line, then the one initramfs run -----------------------------
# raspi-firmware writes cmdline.txt from /etc/default/raspi-firmware (and -custom): the root by
# label (not the build host's root), boot text to tty3 and the serial port instead of the panel,
# the console cursor and blanking off.
cat >"$root/etc/default/raspi-extra-cmdline" <<'EOF'
quiet loglevel=3 vt.global_cursor_default=0 consoleblank=0 logo.nologo
EOF
sed -i -e 's|^#\?ROOTPART=.*|ROOTPART=LABEL=RASPIROOT|' \
	-e 's|^#\?CONSOLES=.*|CONSOLES="serial0,115200 tty3"|' \
	-e 's|^#\?CMA=.*|CMA=64M|' "$root/etc/default/raspi-firmware"
grep -q '^ROOTPART=LABEL=RASPIROOT' "$root/etc/default/raspi-firmware" ||
	echo 'ROOTPART=LABEL=RASPIROOT' >>"$root/etc/default/raspi-firmware"
grep -q '^CONSOLES=' "$root/etc/default/raspi-firmware" ||
	echo 'CONSOLES="serial0,115200 tty3"' >>"$root/etc/default/raspi-firmware"

rm -f "$root/usr/sbin/update-initramfs"
in_root dpkg-divert --quiet --local --rename --remove /usr/sbin/update-initramfs
say "update-initramfs (once; slow under emulation)"
# raspi-firmware's hooks (initramfs post-update, kernel postinst) copy the kernel and initrd to
# the boot partition and write cmdline.txt and config.txt.
for k in "$root"/boot/vmlinuz-*; do
	v=${k#"$root"/boot/vmlinuz-}
	in_root update-initramfs -c -k "$v"
	in_root /etc/kernel/postinst.d/z50-raspi-firmware "$v" /boot/vmlinuz-"$v"
done
ls -l "$root/boot/firmware"
say "cmdline.txt: $(cat "$root/boot/firmware/cmdline.txt")"
grep -q 'root=LABEL=RASPIROOT' "$root/boot/firmware/cmdline.txt" ||
	{ echo "cmdline.txt does not boot from LABEL=RASPIROOT" >&2; exit 1; }

# What the user sees on the FAT partition from Windows or macOS.
cp "$src/image/boot-partition/"* "$root/boot/firmware/"
if [ -f "$src/config/roomsign.conf.example" ]; then
	sed 's/$/\r/' "$src/config/roomsign.conf.example" >"$root/boot/firmware/roomsign.conf.example"
fi

# Smaller image, fresh identity per device.
in_root apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log \
	"$root"/var/log/apt/* "$root"/usr/share/doc/*/changelog*.gz "$root"/usr/share/man/*
: >"$root/etc/machine-id"
ln -sf ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
rm -f "$root/var/lib/dbus/machine-id"
