"""The live catalog: rebuilt when another process (or this one) changes the personas.

Every handler asks for the catalog through a zero-argument callable; this is that
callable. It checks the database's persona revision at most once per ``every`` seconds
(one small indexed query), and rebuilds the catalog and its search index when the
revision moved: an approval, a rollback or an import in any process on the same database
is answered from within ``every`` seconds, here and on every replica. The process that
made the change calls :meth:`LiveCatalog.refresh` and sees it at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from content.catalog import Catalog
from content.schema import Pack
from storage.db import Database
from storage.personas import PersonaRepository
from storage.revision import persona_revision

log = logging.getLogger(__name__)

#: Seconds between two revision checks.
CHECK_EVERY = 1.0


class LiveCatalog:
    """Hands out the current :class:`Catalog`; call it like ``catalog()``.

    Args:
        db: The database holding the personas.
        pack: The configured pack (language, name, cadence, admins).
        every: Seconds between revision checks.
        monotonic: A monotonic clock (injected in tests).
    """

    def __init__(
        self,
        *,
        db: Database,
        pack: Pack,
        every: float = CHECK_EVERY,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._pack = pack
        self._every = every
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._revision = persona_revision(db)
        self._catalog = self._build()
        self._checked = monotonic()

    def __call__(self) -> Catalog:
        """The current catalog (rebuilt first if the personas changed)."""
        if self._monotonic() - self._checked >= self._every:
            self.refresh()
        return self._catalog

    @property
    def current(self) -> Catalog:
        """The catalog as last built, without checking the database."""
        return self._catalog

    def refresh(self) -> bool:
        """Check the revision now; rebuild if it moved. Returns whether it did."""
        with self._lock:
            self._checked = self._monotonic()
            try:
                revision = persona_revision(self._db)
                if revision == self._revision:
                    return False
                catalog = self._build()
            except Exception:  # the database is away: keep answering from what we have
                log.warning("cannot reload the personas", exc_info=True)
                return False
            self._catalog, self._revision = catalog, revision
            log.info("personas changed: catalog rebuilt (%d personas)", len(self._catalog.personas))
            return True

    def _build(self) -> Catalog:
        info = self._pack.info
        return Catalog(
            personas=PersonaRepository(db=self._db).live(),
            language=self._pack.language,
            pack_name=info.name,
            review_every_days=info.review_every_days,
            admins=info.admins,
            synonyms=info.synonyms,
        )
