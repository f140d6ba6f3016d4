"""A large pack imports in a few batched statements; an unchanged re-import in O(1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from content.schema import Pack, PackInfo, Persona
from storage import Database, PersonaRepository

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def big_pack(personas: int = 50, objections: int = 20, *, tag: str = "") -> Pack:
    def persona(i: int) -> Persona:
        return Persona.model_validate(
            {
                "id": f"persona-{i:03d}",
                "name": f"Persona {i}",
                "role": "Buyer",
                "summary": f"Summary of persona {i}. {tag}",
                "decision_role": "influencer",
                "goals": [f"goal {g}" for g in range(5)],
                "pains": [f"pain {p}" for p in range(5)],
                "owners": ["owner@example.com"],
                "objections": [
                    {
                        "id": f"objection-{o}",
                        "objection": f"Objection {o} of persona {i}",
                        "phrasings": [f"phrasing {o}.{n}" for n in range(4)],
                        "response": "A response long enough to be realistic. " * 5,
                        "proof_points": ["proof one", "proof two"],
                    }
                    for o in range(objections)
                ],
            }
        )

    info = PackInfo(name="Big", language="en")
    return Pack(info=info, personas=tuple(persona(i) for i in range(personas)))


@contextmanager
def count_queries(database: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


def test_a_large_pack_imports_in_statements_bounded_by_its_personas(database: Database) -> None:
    """Statements grow with personas at most (never with objections or fields); no wall
    clock here: the import's time is measured by ``benchmarks/bench_core.py``."""
    repo = PersonaRepository(db=database)
    pack = big_pack()

    with count_queries(database) as first:
        report = repo.import_pack(pack, origin="big", now=T0)
    with count_queries(database) as statements:
        again = repo.import_pack(pack, origin="big", now=T0 + dt.timedelta(hours=1))
    with count_queries(database) as third:
        updated = repo.import_pack(big_pack(tag="v2"), origin="big", now=T0 + dt.timedelta(hours=2))

    assert len(report.created) == 50 and len(again.unchanged) == 50
    assert len(updated.updated) == 50
    # 50 personas with 20 objections each (1,000 objections): at most about one statement
    # per persona (SQLite inserts row by row; PostgreSQL batches), never per objection.
    assert len(first) <= 50 + 10 and len(third) <= 50 + 10, (len(first), len(third))
    queries = [
        s for s in statements if s.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE"))
    ]
    # (PostgreSQL's write lock), live pack, personas, imports; nothing changed: no writes
    assert len(queries) <= 4, queries
    assert not [s for s in queries if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert len(repo.live()) == 50
