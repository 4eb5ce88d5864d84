"""Where the project's own files live: source checkout, installed, or a frozen (PyInstaller) build.

Qt-free and database-free; every layer may use it.
"""

from __future__ import annotations

import sys
from pathlib import Path


def project_root() -> Path:
    """The folder holding `migrations/` and `resources/`."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def migrations_dir() -> Path:
    return project_root() / "migrations"


def resources_dir() -> Path:
    return project_root() / "resources"
