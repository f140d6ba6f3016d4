"""Wire the bot together: database, content import, catalog, handlers and router."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.i18n import Texts
from bot.router import Router
from bot.settings import Settings
from content.catalog import Catalog
from content.loader import EXAMPLE_PACK, load_pack
from content.schema import Pack
from handlers.ask import AskHandler
from storage.db import Database
from storage.pack_import import ImportReport
from storage.personas import PersonaRepository
from storage.state import ConversationStateStore
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
    catalog: Catalog
    texts: Texts
    router: Router
    import_report: ImportReport
    clock: Clock


def pack_dir(settings: Settings) -> Path:
    """The configured pack directory, or the bundled example pack."""
    return settings.content or EXAMPLE_PACK


def open_database(settings: Settings) -> Database:
    """Open the database and bring an empty or older schema up to date."""
    db = Database(url=settings.database_url)
    if db.needs_upgrade():
        log.info("upgrading database schema")
        db.upgrade()
    return db


def build_app(settings: Settings, *, clock: Clock = utc_now) -> App:
    """Load the pack, import it into the database and build the router.

    The pack is imported on every start: an unchanged pack changes nothing, a changed
    one creates new persona versions, and conflicts with chat edits are reported (see
    ``import_report``) while the bot keeps answering from the live personas.

    Raises:
        content.loader.PackError: If the pack is invalid.
    """
    directory = pack_dir(settings)
    pack = load_pack(directory)
    db = open_database(settings)
    personas = PersonaRepository(db=db)
    report = personas.import_pack(pack, origin=str(directory), now=clock())
    for conflict in report.conflicts:
        log.warning("content import conflict: %s: %s", conflict.persona_id, conflict.message)
    catalog = Catalog(
        personas=personas.live(),
        language=pack.language,
        pack_name=pack.info.name,
        review_every_days=pack.info.review_every_days,
        admins=pack.info.admins,
    )
    texts = Texts(language=pack.language)
    ask = AskHandler(catalog=catalog, texts=texts, clock=clock)
    router = Router(
        text_handler=ask.handle,
        actions={"persona": ask.show, "objection": ask.show},
        texts=texts,
        turns=TurnLog(db=db),
        state=ConversationStateStore(db=db),
        clock=clock,
        fallback=ask.unknown,
    )
    return App(
        settings=settings,
        db=db,
        pack=pack,
        pack_dir=directory,
        catalog=catalog,
        texts=texts,
        router=router,
        import_report=report,
        clock=clock,
    )
