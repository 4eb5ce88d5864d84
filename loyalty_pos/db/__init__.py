"""SQLAlchemy models, engine and migrations of the till database."""
