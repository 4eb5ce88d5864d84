"""Pure domain rules. Standard library only: no Qt, no SQLAlchemy."""
