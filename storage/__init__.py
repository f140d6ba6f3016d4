"""Persistence: personas with versions, question log, conversation state, event dedupe, leases.

Handlers use the repositories below; they never see sessions or ORM rows. Every write
takes the time as an argument (timezone-aware), so tests control the clock.
"""

from storage.db import Database, normalize_url
from storage.events import ProcessedEvents
from storage.import_report import ImportConflict, ImportReport, LivePack, OtherPackError
from storage.lease import Lease, Leases
from storage.pack_import import content_hash
from storage.personas import (
    PersonaRepository,
    PersonaVersionInfo,
    StaleEditError,
    UnknownPersonaError,
)
from storage.questions import QuestionLog, QuestionRecord
from storage.state import ConversationStateStore, State

__all__ = [
    "ConversationStateStore",
    "Database",
    "ImportConflict",
    "ImportReport",
    "Lease",
    "Leases",
    "LivePack",
    "OtherPackError",
    "PersonaRepository",
    "PersonaVersionInfo",
    "ProcessedEvents",
    "QuestionLog",
    "QuestionRecord",
    "StaleEditError",
    "State",
    "UnknownPersonaError",
    "content_hash",
    "normalize_url",
]
