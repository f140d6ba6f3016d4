"""Wire the bot together: database, content import, catalog, handlers and router."""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.commands import Commands
from bot.console import INBOX
from bot.dashboard.command import WORDS, dashboard_command
from bot.feedback_wiring import LONG, FeedbackLoop, build_feedback
from bot.i18n import Texts
from bot.live_catalog import LiveCatalog
from bot.metrics import Metrics
from bot.roles import roles_of
from bot.router import Router
from bot.settings import Settings
from bot.timers import TimerHandler
from bot.training import build_training
from content.catalog import Catalog
from content.loader import EXAMPLE_PACK, load_pack
from content.schema import Pack
from handlers.ask import AskHandler
from handlers.health import HealthScores
from handlers.history import history_commands
from handlers.review import PREFIX as REVIEW
from handlers.review import ReviewHandler
from storage.db import Database, MigrationError
from storage.import_report import ImportReport
from storage.personas import PersonaRepository
from storage.review_context import ReviewContexts
from storage.reviews import ReviewStore
from storage.turns import TurnLog

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The real clock (timezone-aware UTC)."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, kw_only=True)
class App:
    """A ready bot: everything a transport (console, Slack, Teams) needs to answer."""

    settings: Settings
    db: Database
    pack: Pack
    pack_dir: Path
    live: LiveCatalog
    """The live personas: call it for the current :class:`Catalog`."""
    texts: Texts
    router: Router
    import_report: ImportReport
    clock: Clock
    turns: TurnLog
    metrics: Metrics
    timer_handlers: Mapping[str, TimerHandler] = field(default_factory=dict)
    """The work of each kind of timer (see :mod:`bot.timers`), fired by the scheduler."""
    warm_up: tuple[Callable[[], object], ...] = ()
    sweeps: tuple[Callable[[dt.datetime], object], ...] = ()
    """Hourly housekeeping of the capabilities (abandoned role-plays into the history)."""
    reviews: ReviewHandler | None = None
    """Review prompts, their buttons and status (the review job sends them)."""
    feedback: FeedbackLoop | None = None
    """Feedback and proposals (the feedback job tells owners and reporters)."""
    """Slow first-use work a server does in the background at start (the quiz bank)."""

    @property
    def catalog(self) -> Catalog:
        """The current catalog (rebuilt when the personas change in any process)."""
        return self.live()

    def close(self) -> None:
        """Commit queued writes and close the database connections."""
        self.turns.close()
        self.db.dispose()


def pack_dir(settings: Settings) -> Path:
    """The configured pack directory, or the bundled example pack."""
    return settings.content or EXAMPLE_PACK


class DatabaseOpenError(Exception):
    """The database cannot be reached, created or migrated.

    Attributes:
        url: The database URL with any password masked.
        reason: A short, one-line reason (e.g. the driver's first line).
    """

    def __init__(self, *, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"cannot open the database {url}: {reason}")


def masked_url(url: str) -> str:
    """``url`` with its password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: settings validation normally catches it
        return "<invalid url>"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    cause = getattr(exc, "orig", None) or exc  # the driver's own error, without SQL
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Report failures to reach, create or migrate the database as one clear error.

    Raises:
        DatabaseOpenError: For SQLAlchemy, OS and migration errors, with ``url``'s
            password masked and a one-line reason.
    """
    try:
        yield
    except (SQLAlchemyError, OSError, MigrationError) as exc:
        log.debug("cannot open the database", exc_info=True)
        raise DatabaseOpenError(url=masked_url(url), reason=_reason(exc)) from exc


def open_database(settings: Settings) -> Database:
    """Open the database and bring an empty or older schema up to date.

    Raises:
        DatabaseOpenError: If the database cannot be reached, created or migrated.
    """
    with database_errors(settings.database_url):
        db = Database(url=settings.database_url)
        try:
            if db.needs_upgrade():
                log.info("upgrading database schema")
                db.upgrade()
        except BaseException:
            db.dispose()
            raise
    return db


def build_app(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    pack: Pack | None = None,
    db: Database | None = None,
    queued_writes: bool = False,
    metrics: Metrics | None = None,
    timer: Callable[[], float] = time.perf_counter,
    rng: random.Random | None = None,
) -> App:
    """Load the pack, import it into the database and build the router.

    The pack is imported on every start: an unchanged pack changes nothing, a changed
    one creates new persona versions, and conflicts with chat edits are reported (see
    ``import_report``) while the bot keeps answering from the live personas. A
    database that holds another pack is left alone (``OtherPackError``): switching
    packs is an admin's explicit ``personabot content import --replace``.

    Args:
        settings: The configuration.
        clock: The time source.
        pack: The configured pack, if the caller loaded it already.
        db: The database, if the caller opened it already (see :func:`open_database`).
        queued_writes: For a server: queue the question log and commit it when the
            server flushes (see :class:`storage.turns.TurnLog`); otherwise every turn
            is committed at once.
        metrics: Where answers and errors are counted; a new :class:`Metrics` (with
            its own registry) by default.
        timer: Seconds from a monotonic clock, for answer latency; injected for tests.
        rng: Randomness of quizzes (which questions, in which order); seeded in tests.

    Raises:
        content.loader.PackError: If the pack is invalid.
        DatabaseOpenError: If the database cannot be opened.
        storage.import_report.OtherPackError: If the database holds another pack.
    """
    directory = pack_dir(settings)
    pack = pack if pack is not None else load_pack(directory)
    db = db if db is not None else open_database(settings)
    personas = PersonaRepository(db=db)
    report = personas.import_pack(pack, origin=str(directory), now=clock())
    for conflict in report.conflicts:
        log.warning(
            "content import conflict: %s: live v%d by %s at %s, last import v%d",
            conflict.persona_id,
            conflict.live_version,
            conflict.edited_by,
            conflict.edited_at.isoformat(),
            conflict.imported_version,
        )
    catalog = LiveCatalog(db=db, pack=pack)
    texts = Texts(language=pack.language)
    review_store = ReviewStore(db=db)
    roles = roles_of(pack, catalog)
    scores = HealthScores(info=pack.info, catalog=catalog, reviewed=review_store.last_reviewed)
    ask = AskHandler(
        catalog=catalog,
        texts=texts,
        clock=clock,
        reviewed=review_store.last_reviewed,
        roles=roles,
        health=scores,
    )
    turns = TurnLog(db=db, queued=queued_writes)
    metrics = metrics if metrics is not None else Metrics()
    voice = None
    if settings.llm_url:  # a model says the role-play persona's lines (else: scripted)
        from bot.voice import voice_from

        voice = voice_from(settings)
    training = build_training(
        pack=pack, catalog=catalog, texts=texts, db=db, clock=clock, rng=rng, voice=voice
    )
    reviews = ReviewHandler(
        catalog=catalog,
        store=review_store,
        contexts=ReviewContexts(db=db),
        roles=roles,
        texts=texts,
        clock=clock,
        health=scores,
    )
    loop = build_feedback(
        db=db,
        catalog=catalog,
        roles=roles,
        texts=texts,
        clock=clock,
        count_as_review=pack.info.feedback.approvals_count_as_reviews,
    )
    commands = Commands(
        texts=texts,
        long=LONG,
        handlers={
            **loop.commands,
            **training.commands,
            "reviews": reviews.reviews,
            "remind": reviews.remind,
            WORDS: dashboard_command(settings, db=db, roles=roles, texts=texts, clock=clock),
            **history_commands(
                catalog=catalog,
                personas=personas,
                roles=roles,
                texts=texts,
                clock=clock,
                changed=catalog.refresh,
            ),
        },
    )
    router = Router(
        flows=training.flows,
        commands=commands,
        text_handler=loop.with_votes(ask.handle),
        actions={
            **loop.actions,
            "persona": loop.with_votes(ask.show),
            "objection": loop.with_votes(ask.show),
            REVIEW: reviews.on_action,
            INBOX: reviews.inbox,
        },
        texts=texts,
        turns=turns,
        clock=clock,
        fallback=ask.unknown,
        observer=metrics,
        timer=timer,
    )
    return App(
        settings=settings,
        db=db,
        pack=pack,
        pack_dir=directory,
        live=catalog,
        texts=texts,
        router=router,
        import_report=report,
        clock=clock,
        turns=turns,
        metrics=metrics,
        timer_handlers=training.timers,
        warm_up=training.warm_up,
        sweeps=training.sweeps,
        reviews=reviews,
        feedback=loop,
    )
