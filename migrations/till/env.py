"""Alembic environment of the till database (SQLite, batch mode for ALTERs)."""

from alembic import context
from sqlalchemy import create_engine

from loyalty_pos.db.models import Base

# Objects alembic must not compare: the FTS5 search index and its shadow tables are created by
# hand in a migration (alembic cannot describe virtual tables).
UNMANAGED_PREFIXES = ("member_search",)


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and name and name.startswith(UNMANAGED_PREFIXES))


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.begin() as fresh:
        run_migrations(fresh)
