"""Layering rules, checked on the source: nothing outside loyalty_pos/ui imports Qt, and
loyalty_pos/core imports only the standard library and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import loyalty_pos

PACKAGE_DIR = Path(loyalty_pos.__file__).resolve().parent
QT_MODULES = ("PySide6", "shiboken6")


def imported_modules(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """Every module an `import`/`from ... import` names, anywhere in the file (also inside
    functions and `if TYPE_CHECKING:`), with relative imports resolved against `module`."""
    found: list[tuple[int, str]] = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
                if node.module is None:  # from . import x: each name may be a module
                    found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
                    continue
                found.append((node.lineno, target))
            else:
                found.append((node.lineno, node.module or ""))
    return found


Entry = tuple[str, str, bool, str]  # (file label, module name, is a package, source)


def package_entries() -> list[Entry]:
    entries = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        entries.append((str(path.relative_to(PACKAGE_DIR.parent)), ".".join(parts), is_package,
                        path.read_text(encoding="utf-8")))
    assert len(entries) > 20, "the package was not found"
    return entries


def top(name: str) -> str:
    return name.split(".", maxsplit=1)[0]


def in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def qt_offenders(entries: list[Entry]) -> list[str]:
    return [f"{label}:{line} imports {name}"
            for label, module, is_package, source in entries
            if not in_package(module, "loyalty_pos.ui")
            for line, name in imported_modules(source, module, is_package)
            if top(name) in QT_MODULES]


def core_offenders(entries: list[Entry]) -> list[str]:
    return [f"{label}:{line} imports {name}"
            for label, module, is_package, source in entries
            if in_package(module, "loyalty_pos.core")
            for line, name in imported_modules(source, module, is_package)
            if not in_package(name, "loyalty_pos.core")
            and top(name) not in sys.stdlib_module_names]


def test_checker_sees_every_kind_of_import() -> None:
    source = (
        "import os\n"
        "from PySide6.QtWidgets import QWidget\n"
        "def later():\n"
        "    import shiboken6\n"
        "    from ..db import models\n"
        "    from . import money\n"
        "try:\n"
        "    import PySide6.QtCore as core\n"
        "except ImportError:\n"
        "    pass\n")
    names = [name for _, name in imported_modules(source, "loyalty_pos.core.example")]
    assert sorted(names) == sorted(["os", "PySide6.QtWidgets", "shiboken6", "loyalty_pos.db",
                                    "loyalty_pos.core.money", "PySide6.QtCore"])
    # the rules flag such a module, and only outside the places it is allowed
    bad_core = [("core/example.py", "loyalty_pos.core.example", False, source)]
    assert len(qt_offenders(bad_core)) == 3
    assert sorted(core_offenders(bad_core)) == [
        "core/example.py:2 imports PySide6.QtWidgets", "core/example.py:4 imports shiboken6",
        "core/example.py:5 imports loyalty_pos.db", "core/example.py:8 imports PySide6.QtCore"]
    in_ui = [("ui/x.py", "loyalty_pos.ui.x", False, source)]
    assert qt_offenders(in_ui) == [] and core_offenders(in_ui) == []
    services = [("services/x.py", "loyalty_pos.services.x", False, "import sqlalchemy\n")]
    assert qt_offenders(services) == [] and core_offenders(services) == []
    core_third_party = [("core/y.py", "loyalty_pos.core.y", False, "import sqlalchemy\n")]
    assert core_offenders(core_third_party) == ["core/y.py:1 imports sqlalchemy"]


def test_nothing_outside_ui_imports_qt() -> None:
    assert qt_offenders(package_entries()) == []


def test_core_imports_only_the_standard_library_and_itself() -> None:
    entries = package_entries()
    assert sum(in_package(module, "loyalty_pos.core") for _, module, _, _ in entries) >= 10
    assert core_offenders(entries) == []
