#!/bin/sh
# Install (or upgrade) Loyalty POS from this unpacked tarball. Run as root:
#
#   sudo ./install.sh [--user CASHIER]... [--root DIR]
#
#   --user CASHIER  add this account to the dialout group (serial scanners); repeatable
#   --root DIR      install under DIR instead of / (packaging, tests); changes no group
#
# Puts the app in /opt/loyalty-pos/VERSION and points /opt/loyalty-pos/current at it, links
# /usr/local/bin/loyalty-pos, installs the desktop entry, the icon and the udev rule for the
# scanner. The till's database and settings live in each user's data folder
# (~/.local/share/loyalty-pos/till.sqlite and till.ini beside it), never under /opt: an
# upgrade replaces the program only, and the new version upgrades the database itself on its
# first start, after taking a "pre-upgrade" backup (docs/backup.md). The previous version stays
# in /opt/loyalty-pos/OLDVERSION; to go back: ln -sfn OLDVERSION /opt/loyalty-pos/current.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
VERSION=$(cat "$HERE/VERSION")
ROOT=""
USERS=""
while [ $# -gt 0 ]; do
    case "$1" in
        --user) USERS="$USERS $2"; shift 2 ;;
        --root) ROOT=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
if [ -z "$ROOT" ] && [ "$(id -u)" != 0 ]; then
    echo "run as root: sudo $0 $*" >&2
    exit 1
fi

PREFIX="$ROOT/opt/loyalty-pos"
mkdir -p "$PREFIX"
rm -rf "$PREFIX/$VERSION.new"
cp -a "$HERE/app" "$PREFIX/$VERSION.new"
rm -rf "$PREFIX/$VERSION"
mv "$PREFIX/$VERSION.new" "$PREFIX/$VERSION"
ln -sfn "$VERSION" "$PREFIX/current"

# relative links: correct under --root as well as on the real system
mkdir -p "$ROOT/usr/local/bin"
ln -sfn ../../../opt/loyalty-pos/current/loyalty-pos "$ROOT/usr/local/bin/loyalty-pos"
install -D -m 644 "$HERE/loyalty-pos.desktop" "$ROOT/usr/share/applications/loyalty-pos.desktop"
install -D -m 644 "$HERE/loyalty-pos.png" \
    "$ROOT/usr/share/icons/hicolor/256x256/apps/loyalty-pos.png"
install -D -m 644 "$HERE/60-loyalty-pos-scanner.rules" \
    "$ROOT/etc/udev/rules.d/60-loyalty-pos-scanner.rules"

if [ -z "$ROOT" ]; then
    if command -v udevadm >/dev/null 2>&1; then
        udevadm control --reload-rules || true
        udevadm trigger --subsystem-match=tty || true
    fi
    command -v update-desktop-database >/dev/null 2>&1 && \
        update-desktop-database -q /usr/share/applications || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && \
        gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
    for user in $USERS; do
        usermod -aG dialout "$user"
        echo "added $user to the dialout group (takes effect at their next login)"
    done
fi

echo "Loyalty POS $VERSION installed in $PREFIX/$VERSION ($PREFIX/current)."
echo "Start it from the applications menu or with: loyalty-pos"
