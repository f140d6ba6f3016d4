"""Alembic environment for personabot.

:meth:`storage.db.Database.upgrade` passes its own connection in
``config.attributes["connection"]``. For ``alembic -c storage/alembic.ini ...`` (writing
new revisions) pass the database with ``-x url=sqlite:///dev.db`` (or set the ini's
``sqlalchemy.url``).
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from storage.db import Database
from storage.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write portable ``sa.DateTime(timezone=True)`` instead of our Python-side type."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=True,  # SQLite can only ALTER tables by copying them
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url")
    url = url or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("pass -x url=<database url> (or set sqlalchemy.url in alembic.ini)")
    database = Database(url=url)
    try:
        with database.engine.begin() as conn:
            _run(conn)
    finally:
        database.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported; run them online")
run_migrations_online()
