"""The whole bot on each supported database: SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from testbot import build_bot

from storage import QuestionLog


def test_a_conversation_survives_a_restart_on_every_database(database_url: str) -> None:
    first = build_bot(database=database_url)
    card = first.ask("who is Frida?")
    assert card.meta["persona"] == "cfo-frida"
    offered = card.cards[0].choices[0]

    restarted = build_bot(database=database_url)  # same database, fresh process state
    picked = restarted.ask("1")  # the choices Frida's card offered are still pending
    assert picked.meta["intent"] == "objection" and picked.meta["persona"] == "cfo-frida"
    assert restarted.app.import_report.unchanged and not restarted.app.import_report.created

    log = QuestionLog(db=restarted.app.db).recent(platform="console", user_id="local")
    assert [(q.text, q.intent) for q in log] == [
        (offered.label, "objection"),
        ("who is Frida?", "persona"),
    ]
