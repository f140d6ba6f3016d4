"""Alembic migrations (``versions/``) and the revision the code expects.

:data:`HEAD` lets :meth:`storage.db.Database.needs_upgrade` check the schema with one
plain query instead of importing Alembic on every start; a test keeps it equal to the
head of ``versions/``. Bump it with every new revision.
"""

#: The latest revision under ``versions/``.
HEAD = "0013"
