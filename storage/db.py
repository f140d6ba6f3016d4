"""The database handle: engine, sessions and packaged Alembic migrations.

``Database(url=...)`` works with SQLite (``sqlite:///path/to/bot.db``) and PostgreSQL
(``postgresql://...``, ``postgres://...`` or ``postgresql+psycopg://...``; the first two
are rewritten to the psycopg 3 driver). Tables are created and changed only by
migrations: call :meth:`Database.upgrade` (``personabot db upgrade``).

Alembic is imported only when migrations actually run: checking that the schema is
current is one plain query against ``alembic_version``, compared with
:data:`storage.migrations.HEAD`, which keeps the bot's start-up fast.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from storage.migrations import HEAD

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
T = TypeVar("T")

SUPPORTED_BACKENDS = ("sqlite", "postgresql")
MIGRATIONS_DIR = Path(__file__).parent / "migrations"

#: PostgreSQL advisory lock key taken by ``session(exclusive=True)`` ("personab" in hex).
WRITE_LOCK = 0x706572736F6E6162

#: The table where Alembic records the revisions a database is at.
VERSION_TABLE = "alembic_version"

#: How long a SQLite writer waits for another process's lock before failing.
SQLITE_BUSY_TIMEOUT_MS = 15_000
#: How long connecting to PostgreSQL may take.
CONNECT_TIMEOUT_SECONDS = 10
#: How long one PostgreSQL statement may run before it is cancelled.
STATEMENT_TIMEOUT_MS = 60_000
#: How often work is tried when the database connection drops under it.
DISCONNECT_ATTEMPTS = 3


class MigrationError(RuntimeError):
    """Alembic could not migrate the database (e.g. it is at an unknown revision)."""


def normalize_url(url: str) -> URL:
    """Parse ``url`` and pick the psycopg 3 driver for plain PostgreSQL URLs.

    Args:
        url: A SQLAlchemy database URL.

    Returns:
        The parsed URL; ``postgres://`` and ``postgresql://`` become
        ``postgresql+psycopg://``.

    """
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


class Database:
    """A connection to the bot's database.

    Args:
        url: SQLAlchemy URL, e.g. ``sqlite:///var/personabot.db`` or
            ``postgresql://user@host/db``. For a SQLite file the parent directory is
            created if missing.

    """

    def __init__(self, *, url: str) -> None:
        self.url = normalize_url(url)
        if self.url.get_backend_name() not in SUPPORTED_BACKENDS:
            raise ValueError(
                f"unsupported database {self.url.get_backend_name()!r}; "
                "use a sqlite:/// or postgresql:// URL"
            )
        self.engine: Engine = _create_engine(self.url)
        self._exclusive_engine = self.engine.execution_options(sqlite_begin="BEGIN IMMEDIATE")
        self._sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._write_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Database(url={self.url.render_as_string(hide_password=True)!r})"

    @property
    def write_engine(self) -> Engine:
        """The engine for other libraries' stores whose transactions read, then write.

        On SQLite its transactions begin ``IMMEDIATE``: a deferred one that read first
        fails at once with "database is locked" when another process wrote meanwhile,
        instead of waiting its turn. Elsewhere it is :attr:`engine`.
        """
        return self._exclusive_engine

    @property
    def dialect(self) -> str:
        """The backend's name: ``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, exclusive: bool = False, write: bool = False) -> Iterator[Session]:
        """Open a session in one transaction: commit on success, roll back on error.

        Args:
            exclusive: Serialise this transaction against other exclusive ones, in any
                process, for read-then-write work such as imports and edits: SQLite
                starts it with ``BEGIN IMMEDIATE`` (waiting up to the busy timeout), and
                PostgreSQL takes a transaction-level advisory lock.
            write: A hot-path write (claims, the question log): on SQLite, writers of
                this process take turns on a lock instead of colliding in SQLite's busy
                handler, whose back-off sleeps (up to 100 ms) would stall a busy server.

        Yields:
            The session; objects stay readable after the block (no expiry on commit).

        """
        bind = self._exclusive_engine if exclusive else self.engine
        turn = self._write_lock if write and self.dialect == "sqlite" else nullcontext()
        with turn, self._sessions(bind=bind) as session, session.begin():
            if exclusive and self.dialect == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
            yield session

    def upgrade(self, revision: str = "head") -> None:
        """Apply the packaged migrations up to ``revision`` in one transaction.

        Args:
            revision: Alembic revision to upgrade to; ``"head"`` is the latest.

        Raises:
            MigrationError: Alembic refused, e.g. the database is at a revision this
                version does not know (written by a newer personabot).

        """
        from alembic import command
        from alembic.util.exc import CommandError

        try:
            with self.engine.begin() as connection:
                config = _alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
        except CommandError as exc:
            raise MigrationError(str(exc)) from exc

    def current_revisions(self) -> set[str]:
        """Return the migration revisions the database is at (empty if never upgraded)."""
        with self.engine.connect() as connection:
            if not inspect(connection).has_table(VERSION_TABLE):
                return set()
            rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
            return {row[0] for row in rows}

    def head_revisions(self) -> set[str]:
        """Return the latest revisions shipped with this package."""
        return {HEAD}

    def needs_upgrade(self) -> bool:
        """Tell whether :meth:`upgrade` has migrations left to apply."""
        return self.current_revisions() != self.head_revisions()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def is_disconnect(exc: BaseException) -> bool:
    """Whether ``exc`` means the database connection dropped (server, failover, network).

    The pool has discarded that connection, so a new try gets a fresh one.
    """
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def is_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database cannot be used now: dropped or never connected.

    That is :func:`is_disconnect`, or a connection that could not be made at all
    (refused, timed out, authentication failed).
    """
    # SQLAlchemy raises a failed connect without a statement; a failed query has one.
    no_connection = isinstance(exc, OperationalError) and exc.statement is None
    # Every pooled connection is stuck (a database that hangs): as good as unreachable.
    pool_exhausted = isinstance(exc, PoolTimeoutError)
    return is_disconnect(exc) or no_connection or pool_exhausted


def retry_on_disconnect(work: Callable[[], T], *, attempts: int = DISCONNECT_ATTEMPTS) -> T:
    """Run ``work``; run it again (up to ``attempts`` times) when the connection drops.

    Only for work that is one transaction (:meth:`Database.session`): a dropped
    connection rolled it back, so a new try does it once. (The one exception is a drop
    after the server committed but before it said so; work that must not be done twice
    has to recognise its own earlier try.) Pooled connections that died while idle never
    get here: the engine pings each one before use (``pool_pre_ping``).

    Raises:
        Exception: Whatever ``work`` raised last, or at once when it is not a dropped
            connection.
    """
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as exc:
            if attempt == attempts or not is_disconnect(exc):
                raise
            log.warning("database connection lost (%s); trying again", type(exc.orig).__name__)
    raise AssertionError("unreachable")  # the loop returns or raises


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return config


def _create_engine(url: URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        # A database that does not answer is an error in seconds, not a hung server:
        # connecting is bounded, a connection whose peer vanished (no reset, packets
        # dropped) is noticed by TCP keepalives and tcp_user_timeout, and a statement
        # that hangs is cancelled.
        engine = create_engine(
            url,
            pool_pre_ping=True,
            connect_args={
                "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                "keepalives": 1,
                "keepalives_idle": 10,
                "keepalives_interval": 5,
                "keepalives_count": 3,
                "tcp_user_timeout": 30_000,
            },
        )

        @event.listens_for(engine, "connect")
        def _bounded(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
            dbapi_connection.commit()

        return engine
    kwargs: dict[str, Any] = {}
    if url.database in (None, "", ":memory:"):
        # One shared connection, or every session would see its own empty database.
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    elif not url.database.startswith("file:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    _configure_sqlite(engine, file_backed=not kwargs)
    return engine


def _configure_sqlite(engine: Engine, *, file_backed: bool) -> None:
    """Foreign keys, a busy timeout, WAL and real transactions for SQLite.

    pysqlite normally starts a transaction only before the first write, so reads in the
    same ``session()`` would not be isolated. We switch its own handling off and emit
    ``BEGIN`` ourselves (the recipe from SQLAlchemy's SQLite dialect docs).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if file_backed:
            # WAL lets readers run beside a writer (several bot processes on one file)
            # and, with synchronous=NORMAL, a commit is an append, not an fsync: safe
            # against a crashed process, only a power cut can lose the last commits.
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(connection.get_execution_options().get("sqlite_begin", "BEGIN"))
