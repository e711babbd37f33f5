#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# packaging.deb_install: installs the .deb with apt on this machine, but inside
# private mount and pid namespaces whose /usr, /etc and /var are overlays on
# tmpfs, so the real system is never touched and everything started here dies
# with the namespace. Then checks what "installed" must mean for a user:
#   - apt installs it (dependencies resolved) and dpkg owns every file;
#   - the menu entry's Exec= starts the window (offscreen);
#   - a private system bus (the distribution's own system.conf) activates the
#     helper from /usr/libexec/httptap through the setuid launch helper;
#   - polkitd on that bus knows the action org.httptap.capture, and a call from
#     an unprivileged user without an authentication agent is refused
#     (AccessDenied), so the helper really asks polkit.
#
#   install_deb.sh BUILD_DIR          (root)
set -euo pipefail

if [ "${1:-}" != --inside ]; then
    [ "$(id -u)" -eq 0 ] || { echo "FAIL: needs root (apt, mount namespaces)"; exit 1; }
    build=$(readlink -f "$1")
    # The mount point stays in the real /tmp: remove it once the namespace is gone.
    scratch=$(mktemp -d /tmp/httptap-deb-install.XXXXXX)
    status=0
    unshare --mount --pid --fork --mount-proc --propagation private "$0" --inside "$build" "$scratch" || status=$?
    rmdir "$scratch"
    exit "$status"
fi
build=$2
scratch=$3

fail() { echo "FAIL: $*"; exit 1; }

mount -t tmpfs httptap-scratch "$scratch"
for dir in usr etc var; do
    mkdir -p "$scratch/$dir/upper" "$scratch/$dir/work"
    mount -t overlay overlay -o "lowerdir=/$dir,upperdir=$scratch/$dir/upper,workdir=$scratch/$dir/work" "/$dir"
done
# A bus socket of our own: the real system bus lives in /run/dbus.
mount -t tmpfs httptap-run-dbus /run/dbus

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/out" >/dev/null
deb=$(ls "$scratch"/out/httptap_*.deb)

# ./x setup may have put a copy under /usr/local (PATH order would pick it),
# so everything below names /usr explicitly.
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" </dev/null >"$scratch/apt.log" 2>&1 ||
    { cat "$scratch/apt.log"; fail "apt-get install ./$(basename "$deb")"; }
dpkg-query -W -f='${Status}\n' httptap | grep -q 'install ok installed' || fail "dpkg does not list httptap as installed"
for f in /usr/bin/httptap /usr/bin/httptap-record /usr/libexec/httptap/httptap-helper \
    /usr/share/applications/org.httptap.Httptap.desktop \
    /usr/share/dbus-1/system-services/org.httptap.Helper1.service \
    /usr/share/dbus-1/system.d/org.httptap.Helper1.conf /usr/share/polkit-1/actions/org.httptap.policy; do
    dpkg -S "$f" >/dev/null 2>&1 || fail "$f is not owned by the package"
done
echo "ok: apt installed $(basename "$deb")"

# The menu entry: run its Exec= (with /usr/bin first in PATH) and see the window stay up.
exec_line=$(sed -n 's/^Exec=//p' /usr/share/applications/org.httptap.Httptap.desktop)
PATH=/usr/bin:$PATH QT_QPA_PLATFORM=offscreen $exec_line >"$scratch/gui.log" 2>&1 &
gui=$!
sleep 2
kill -0 "$gui" 2>/dev/null || { cat "$scratch/gui.log"; fail "the menu entry's Exec=$exec_line exited at once"; }
kill "$gui"
echo "ok: the menu entry starts $(PATH=/usr/bin:$PATH command -v "${exec_line%% *}")"

# A private system bus with the distribution's configuration, and polkitd on it.
dbus-daemon --system --fork --print-pid >/dev/null
/usr/lib/polkit-1/polkitd --no-debug >"$scratch/polkitd.log" 2>&1 &
for _ in $(seq 50); do
    busctl --system status org.freedesktop.PolicyKit1 >/dev/null 2>&1 && break
    sleep 0.1
done
pkaction --action-id org.httptap.capture --verbose >"$scratch/pkaction.log" 2>&1 ||
    { cat "$scratch/pkaction.log" "$scratch/polkitd.log"; fail "polkitd does not know org.httptap.capture"; }
grep -q 'implicit active: *auth_admin_keep' "$scratch/pkaction.log" || { cat "$scratch/pkaction.log"; fail "unexpected polkit defaults"; }
echo "ok: polkit knows org.httptap.capture"

# D-Bus activation: introspecting the name starts the helper from the package.
dbus-send --system --print-reply --dest=org.httptap.Helper1 /org/httptap/Helper1 \
    org.freedesktop.DBus.Introspectable.Introspect >"$scratch/introspect.log" 2>&1 ||
    { cat "$scratch/introspect.log"; fail "activating org.httptap.Helper1"; }
pid=$(dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID string:org.httptap.Helper1 | awk '/uint32/ {print $2}')
exe=$(readlink "/proc/$pid/exe")
[ "$exe" = /usr/libexec/httptap/httptap-helper ] || fail "the activated helper is $exe, not /usr/libexec/httptap/httptap-helper"
echo "ok: the system bus activated $exe (pid $pid)"

# An unprivileged caller with no authentication agent must be refused by polkit.
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups dbus-send --system --print-reply \
    --dest=org.httptap.Helper1 /org/httptap/Helper1 org.httptap.Helper1.ListProcesses 2>&1) &&
    fail "ListProcesses succeeded for nobody: $out"
grep -q 'org.freedesktop.DBus.Error.AccessDenied' <<<"$out" || fail "nobody's call was not refused by polkit: $out"
echo "ok: polkit refuses an unauthorized caller ($out)"
echo "all checks passed"
