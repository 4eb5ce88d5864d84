#!/usr/bin/env bash
# Build the Linux till: PyInstaller one-folder app + a tarball with a desktop entry, icon,
# udev rule and install/uninstall scripts. Then run the built binary (--version, a fresh
# demo database, verify, the window offscreen) so a broken bundle never leaves this script.
#
#   installers/build.sh [--out DIR] [--work DIR] [--python PY] [--no-smoke]
#
#   --out DIR     where the app folder and the tarball go (default: dist/)
#   --work DIR    PyInstaller's build folder (default: build/pyinstaller)
#   --python PY   the Python whose packages are bundled (default: .venv/bin/python);
#                 it needs the project and PyInstaller: pip install -e '.[build]'
#   --no-smoke    skip running the built binary
#
# Result: DIR/loyalty-pos/ (the app) and DIR/loyalty-pos-VERSION-linux-ARCH.tar.gz.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/dist"
WORK="$ROOT/build/pyinstaller"
PYTHON="$ROOT/.venv/bin/python"
SMOKE=1
while [ $# -gt 0 ]; do
    case "$1" in
        --out) OUT="$2"; shift 2 ;;
        --work) WORK="$2"; shift 2 ;;
        --python) PYTHON="$2"; shift 2 ;;
        --no-smoke) SMOKE=0; shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
mkdir -p "$OUT" "$WORK"
OUT="$(cd "$OUT" && pwd)"
WORK="$(cd "$WORK" && pwd)"

if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
    echo "PyInstaller is not installed for $PYTHON: run  $PYTHON -m pip install -e '$ROOT[build]'" >&2
    exit 1
fi
VERSION="$("$PYTHON" -c 'import loyalty_pos; print(loyalty_pos.__version__)')"
# Qt's X11 plugin needs these; PyInstaller bundles them only if this machine has them.
# Without them the tarball runs only where the till machine has them installed.
MISSING_X11=""
for lib in libxcb-icccm.so.4 libxcb-keysyms.so.1 libxcb-cursor.so.0 libxkbcommon-x11.so.0; do
    ldconfig -p 2>/dev/null | grep -q "$lib" || MISSING_X11="$MISSING_X11 $lib"
done
if [ -n "$MISSING_X11" ]; then
    echo "WARNING: not on this build machine, so not bundled:$MISSING_X11" >&2
    echo "  (Debian: apt-get install libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0)" >&2
fi
ARCH="$(uname -m)"
NAME="loyalty-pos-$VERSION-linux-$ARCH"
echo "== building Loyalty POS $VERSION for linux-$ARCH into $OUT"

started=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$OUT" --workpath "$WORK" "$ROOT/installers/loyalty_pos.spec"
APP="$OUT/loyalty-pos"
echo "== PyInstaller took $(( $(date +%s) - started )) s; app: $(du -sh "$APP" | cut -f1)"

if [ "$SMOKE" = 1 ]; then
    echo "== smoke test of the built binary"
    SMOKE_DIR="$(mktemp -d)"
    trap 'rm -rf "$SMOKE_DIR"' EXIT
    export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
    "$APP/loyalty-pos" --version | grep -qx "loyalty-pos $VERSION"
    "$APP/loyalty-pos" demo --db "$SMOKE_DIR/till.sqlite" --members 200 > "$SMOKE_DIR/demo.log"
    "$APP/loyalty-pos" verify --db "$SMOKE_DIR/till.sqlite" > "$SMOKE_DIR/verify.log"
    "$APP/loyalty-pos" smoke --db "$SMOKE_DIR/till.sqlite" --screenshot "$SMOKE_DIR/till.png"
    echo "== smoke test passed"
fi

echo "== tarball"
STAGE="$WORK/stage/$NAME"
rm -rf "$WORK/stage"
mkdir -p "$STAGE"
cp -a "$APP" "$STAGE/app"
cp "$ROOT/installers/linux/loyalty-pos.desktop" "$STAGE/"
cp "$ROOT/installers/assets/loyalty-pos.png" "$STAGE/"
cp "$ROOT/installers/linux/60-loyalty-pos-scanner.rules" "$STAGE/"
cp "$ROOT/installers/linux/install.sh" "$ROOT/installers/linux/uninstall.sh" "$STAGE/"
cp "$ROOT/installers/linux/INSTALL.txt" "$STAGE/"
chmod 755 "$STAGE/install.sh" "$STAGE/uninstall.sh"
echo "$VERSION" > "$STAGE/VERSION"
TARBALL="$OUT/$NAME.tar.gz"
tar -C "$WORK/stage" --owner=0 --group=0 -czf "$TARBALL" "$NAME"
echo "== $TARBALL ($(du -h "$TARBALL" | cut -f1)), built in $(( $(date +%s) - started )) s"
