"""Starting the till: open (create, upgrade) the database, first-run set-up, the window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog

from ..core.errors import NotFound
from ..db.engine import Database
from ..paths import resources_dir
from ..services.context import TillContext
from ..services.till import TillServices
from .first_run import FirstRunDialog
from .main_window import TillWindow, settings_path_for
from .settings import TillSettings
from .translations import install_translator


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("Loyalty POS")
    app.setOrganizationName("LoyaltyPOS")
    style = resources_dir() / "styles" / "till.qss"
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app  # type: ignore[return-value]


def open_till(db_path: Path, settings: TillSettings) -> TillWindow | None:
    """Open the database; on first start offer to set up a store or the demo. None = quit."""
    db = Database.open(db_path)
    try:
        ctx = TillContext.open(db)
    except NotFound:
        dialog = FirstRunDialog(None, db_path)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        ctx = TillContext.open(db)
    return TillWindow(TillServices.for_context(ctx), settings)


def run_till(db_path: Path) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = make_app()
    settings = TillSettings(settings_path_for(Path(db_path)))
    install_translator(app, settings.language())
    window = open_till(Path(db_path), settings)
    if window is None:
        return 0
    window.showMaximized()
    return app.exec()
