#!/bin/sh
# Remove Loyalty POS (every installed version). Run as root:  sudo ./uninstall.sh [--root DIR]
# The till databases, their backups and settings in the users' data folders
# (~/.local/share/loyalty-pos/) are NOT removed: delete them by hand if you really mean to.
set -eu
ROOT=""
if [ "${1:-}" = "--root" ]; then ROOT="$2"; fi
if [ -z "$ROOT" ] && [ "$(id -u)" != 0 ]; then
    echo "run as root: sudo $0" >&2
    exit 1
fi
rm -rf "$ROOT/opt/loyalty-pos"
rm -f "$ROOT/usr/local/bin/loyalty-pos" \
      "$ROOT/usr/share/applications/loyalty-pos.desktop" \
      "$ROOT/usr/share/icons/hicolor/256x256/apps/loyalty-pos.png" \
      "$ROOT/etc/udev/rules.d/60-loyalty-pos-scanner.rules"
if [ -z "$ROOT" ] && command -v udevadm >/dev/null 2>&1; then
    udevadm control --reload-rules || true
fi
echo "Loyalty POS removed. Till data in the users' ~/.local/share/loyalty-pos/ was kept."
