"""The node store: SQLAlchemy Core over SQLite (default) or PostgreSQL.

``db`` holds every dialect difference; ``tables`` the schema (created by the Alembic
migrations in ``migrations/``); the repositories (``records``, ``search``, ``users``,
``audit``, ``partners``) are the only code that writes SQL.
"""
