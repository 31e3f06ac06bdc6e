#!/bin/sh
# roomsign.service: `systemd-analyze security` must rate the sandbox at an exposure of 2.0 or
# lower (printed), and the unit must keep what the kiosk relies on. Offline: no systemd needed.
# Usage: image/test-service-security.sh path/to/roomsign.service
set -eu
unit=$1
max=2.0
if ! command -v systemd-analyze >/dev/null; then
	# .ci/setup installs systemd: under CI its absence is a setup bug, not a reason to skip.
	[ "${CI:-}" = true ] && { echo "FAIL (CI=true): systemd-analyze not found (package systemd)"; exit 1; }
	echo "SKIP: systemd-analyze not found (package systemd)"
	exit 77
fi

out=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1) || true
echo "$out"
exposure=$(echo "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ -z "$exposure" ]; then
	echo "FAIL: no exposure level in the output above"
	exit 1
fi
echo "exposure: $exposure (must be <= $max)"
awk -v e="$exposure" -v m="$max" 'BEGIN { exit !(e <= m) }' || { echo "FAIL: exposure $exposure > $max"; exit 1; }

# What the sign needs beyond a low score: its own user with device groups only, readiness after
# the first frame, the watchdog, always restarting, KMSDRM, the cache directory, the panel's tty.
status=0
for line in Type=notify NotifyAccess=main WatchdogSec=30 Restart=always User=roomsign \
	'SupplementaryGroups=video render input gpio' Environment=SDL_VIDEODRIVER=kmsdrm \
	StateDirectory=roomsign NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
	Conflicts=getty@tty1.service TTYPath=/dev/tty1 DevicePolicy=closed 'DeviceAllow=char-drm rw' \
	'DeviceAllow=char-input rw' 'DeviceAllow=char-gpiochip rw' 'ReadWritePaths=-/sys/devices' \
	WantedBy=multi-user.target; do
	if ! grep -qxF "$line" "$unit"; then
		echo "FAIL: $unit lacks '$line'"
		status=1
	fi
done
[ $status -eq 0 ] && echo "PASS: exposure $exposure, required settings present"
exit $status
