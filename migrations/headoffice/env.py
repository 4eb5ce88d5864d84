"""Alembic environment of the head-office database (SQLite or PostgreSQL; batch mode so that
ALTERs work on SQLite too).

The connection comes from loyalty_pos/headoffice/db.py (config.attributes["connection"]), or
a URL: the config's sqlalchemy.url, else $LOYALTY_HEADOFFICE_DB, else the default SQLite file.
"""

from alembic import context
from sqlalchemy import create_engine

from loyalty_pos.headoffice.db import database_url
from loyalty_pos.headoffice.models import HeadOfficeBase


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=HeadOfficeBase.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    url = database_url(context.config.get_main_option("sqlalchemy.url") or None)
    engine = create_engine(url)
    try:
        with engine.begin() as fresh:
            run_migrations(fresh)
    finally:
        engine.dispose()
