# Replaces PyInstaller's hook for PySide6.QtCore: the same collection, with the plugins and Qt
# translations narrowed to what the till uses (see qt_selection.py).
import sys
from pathlib import Path

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qt_selection import select

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries, datas = select(binaries, datas, Path(__file__).resolve().parents[2])
