"""The conversation reference store on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from storage import Database
from storage.references import ReferenceStore, StoredReference

T0 = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


def test_upsert_merges_and_lookup_by_email(database: Database) -> None:
    store = ReferenceStore(db=database)
    store.upsert(
        StoredReference(
            platform="teams",
            key="user:aad-1",
            service_url="https://smba.example/",
            conversation_id="a:1",
            tenant_id="t1",
            user_id="29:1",
            aad_object_id="aad-1",
            data={"v": 1},
        ),
        now=T0,
    )
    assert store.by_email("teams", "Megan@Example.com") is None
    # a later message knows the email but not the 1:1 conversation: nothing is forgotten
    store.upsert(
        StoredReference(
            platform="teams",
            key="user:aad-1",
            service_url="https://smba2.example/",
            email="Megan@Example.com",
            data={"v": 2},
        ),
        now=T0 + dt.timedelta(minutes=1),
    )
    found = store.by_email("teams", "megan@example.com")
    assert found is not None
    assert found.conversation_id == "a:1" and found.tenant_id == "t1" and found.user_id == "29:1"
    assert found.service_url == "https://smba2.example/" and found.data == {"v": 2}
    assert found.email == "megan@example.com"
    assert store.get("teams", "user:aad-1") == found
    assert store.get("slack", "user:aad-1") is None
