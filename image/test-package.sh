#!/bin/bash
# The .deb, built the release way (image/make-deb.sh: Release, prefix /usr, cpack) for the host's
# architecture, then inspected with dpkg-deb (and lintian when installed). Installing and purging
# on Debian 13 happens for the arm64 package inside the image build (image/customize.sh).
# Usage: image/test-package.sh SRC_DIR WORK_DIR
set -euo pipefail
src=$1 work=$2
rm -rf "$work/out"
mkdir -p "$work"
"$src/image/make-deb.sh" "$src" "$work/build" "$work/out" >"$work/make-deb.log" 2>&1 ||
	{ tail -n 60 "$work/make-deb.log"; echo "FAIL: the package did not build"; exit 1; }
deb=$(ls "$work"/out/roomsign_*.deb)
echo "package: $deb ($(($(stat -c %s "$deb") / 1024)) KiB)"
dpkg-deb --info "$deb"
contents=$(dpkg-deb --contents "$deb")
echo "$contents"

status=0
fail() { echo "FAIL: $*"; status=1; }
field() { dpkg-deb --field "$deb" "$1"; }

[ "$(field Package)" = roomsign ] || fail "Package is '$(field Package)'"
[ "$(field Version)" = "$(sed -n 's/^project(roomsign VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")-1" ] ||
	fail "Version '$(field Version)' does not match CMakeLists.txt"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture is '$(field Architecture)'"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
[ "$(field Section)" = misc ] || fail "Section is '$(field Section)'"

# Depends: every library the binary links (dpkg-shlibdeps), plus what is loaded at run time
# (EGL/GLES by SDL's KMSDRM backend), the font, and systemd for the unit and maintainer scripts.
depends=$(field Depends)
has_dep() { echo "$depends" | tr -d ' ' | tr ',|' '\n\n' | sed 's/(.*//' | grep -qxF "$1"; }
root=$work/root
rm -rf "$root"
dpkg-deb --extract "$deb" "$root"
# The native architecture's copy: /lib32/libm.so.6 (libc6-i386, pulled in by clang's runtime)
# is not what the binary loads.
multiarch=$(gcc -print-multiarch)
for soname in $(objdump -p "$root/usr/bin/roomsign" | awk '$1 == "NEEDED" { print $2 }'); do
	pkg=$(dpkg -S "*/$multiarch/$soname" 2>/dev/null | head -n1 | cut -d: -f1)
	if [ -z "$pkg" ]; then
		fail "no installed package provides $soname"
	elif ! has_dep "$pkg"; then
		fail "Depends lacks $pkg (for $soname): $depends"
	fi
done
for pkg in fonts-dejavu-core systemd libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri; do
	has_dep "$pkg" || fail "Depends lacks $pkg: $depends"
done
if echo "$depends" | grep -q -- '-dev'; then fail "Depends names a -dev package: $depends"; fi

# Files: the binary, the unit, its console helper, udev, tmpfiles, sysusers, the example config.
for path in ./usr/bin/roomsign ./usr/lib/systemd/system/roomsign.service \
	./usr/libexec/roomsign/roomsign-vt ./usr/lib/udev/rules.d/60-roomsign.rules \
	./usr/lib/tmpfiles.d/roomsign.conf ./usr/lib/sysusers.d/roomsign.conf \
	./usr/share/doc/roomsign/roomsign.conf.example; do
	echo "$contents" | awk '{ print $6 }' | grep -qxF "$path" || fail "missing $path"
done
# Translations, where the binary (built for prefix /usr) looks for them.
for po in "$src"/assets/po/*.po; do
	lang=$(basename "$po" .po)
	echo "$contents" | awk '{ print $6 }' | grep -qxF "./usr/share/locale/$lang/LC_MESSAGES/roomsign.mo" ||
		fail "missing the $lang translation"
done
echo "$contents" | awk '{ print $6 }' | grep -q '^\./etc/roomsign/roomsign.conf' &&
	fail "ships /etc/roomsign/roomsign.conf: the sign must show its setup screen until configured"
echo "$contents" | grep -q '^-rwxr-xr-x root/root .* \./usr/bin/roomsign$' || fail "roomsign is not 0755 root:root"

# Maintainer scripts: present, executable, valid shell; postinst creates the user and groups.
ctrl=$work/control
rm -rf "$ctrl"
dpkg-deb --control "$deb" "$ctrl"
for s in postinst prerm postrm; do
	[ -x "$ctrl/$s" ] || { fail "no executable $s"; continue; }
	sh -n "$ctrl/$s" || fail "$s is not valid sh"
done
grep -q '^m roomsign gpio' "$root/usr/lib/sysusers.d/roomsign.conf" || fail "sysusers.d does not put roomsign in gpio"
strings "$root/usr/bin/roomsign" | grep -x /usr/share/locale >/dev/null ||
	fail "the binary does not look for translations in /usr/share/locale (not built for prefix /usr?)"
file "$root/usr/bin/roomsign" | grep -q 'stripped' && ! file "$root/usr/bin/roomsign" | grep -q 'not stripped' ||
	fail "the binary is not stripped"
if command -v systemd-analyze >/dev/null; then
	systemd-analyze security --offline=true --root="$root" roomsign.service 2>/dev/null |
		tail -n1 | grep -q 'exposure level for roomsign.service: [01]\.\|: 2\.0' ||
		fail "the packaged unit's exposure is above 2.0"
fi

if command -v lintian >/dev/null; then
	echo "---- lintian (informational; errors about packaging metadata only CPack cannot provide are listed)"
	lintian --no-tag-display-limit "$deb" || true
fi

[ $status -eq 0 ] && echo "PASS: package checks"
exit $status
