"""``history`` and ``rollback`` in the console: versions with what changed, owners only."""

from __future__ import annotations

import datetime as dt

from testbot import TODAY, BotUnderTest, MakeBot

from content.loader import EXAMPLE_PACK
from content.schema import Persona
from storage.personas import PersonaRepository

INGRID = "ingrid.solberg@fieldline.example"  # pack admin, owns Frida and Oskar
MIKKEL = "mikkel.dahl@fieldline.example"  # pack admin, owns Tuva with Sara
SARA = "sara.nyman@fieldline.example"  # owns Tuva only
SELLER = "sam.seller@fieldline.example"  # owns nothing
FRIDA = "cfo-frida"
NEW_GOAL = "Know the margin per contract, month by month"


def repo(bot: BotUnderTest) -> PersonaRepository:
    return PersonaRepository(db=bot.app.db)


def frida(bot: BotUnderTest) -> Persona:
    persona = repo(bot).get(FRIDA)
    assert persona is not None
    return persona


def edit_frida(bot: BotUnderTest) -> Persona:
    """v2: an approved edit (a goal reworded, a pain added, an objection's response)."""
    before = frida(bot)
    price = before.objections[0]
    after = before.model_copy(
        update={
            "goals": [before.goals[0], NEW_GOAL, *before.goals[2:]],
            "pains": [*before.pains, "Auditors asking about unbilled work"],
            "objections": [
                price.model_copy(update={"response": "Talk cash, not licence price."}),
                *before.objections[1:],
            ],
        }
    )
    repo(bot).save_edit(
        after, author=INGRID, note="3 sellers reported it", now=TODAY + dt.timedelta(hours=1)
    )
    return after


def test_history_lists_versions_newest_first_with_what_changed(make_bot: MakeBot) -> None:
    bot = make_bot(user=SELLER)  # anyone may read the history
    original = frida(bot)
    edit_frida(bot)

    reply = bot.ask("history Frida")

    assert reply.text == "The versions of CFO Frida, newest first (v2 is live):"
    (card,) = reply.cards
    assert card.title == "History of CFO Frida" and card.subtitle == "2 version(s); v2 is live."
    v2, v1 = card.fields
    assert v2.label == f"v2 · 2026-11-22 10:30 UTC · by {INGRID} (edited in chat)"
    assert v2.text == "Why: 3 sellers reported it"
    assert v2.items == (
        f"~ goals: “{original.goals[1]}” → “{NEW_GOAL}”",
        "+ pains: “Auditors asking about unbilled work”",
        "~ objections[price].response: “Anchor the conversation in cash and billing rather than"
        " licence price…” → “Talk cash, not licence price.”",
    )
    assert v1.label == "v1 · 2026-11-22 09:30 UTC · by the content pack example_pack (imported)"
    assert v1.text == "The first version."
    assert card.footer.endswith("rollback Frida <version>")
    assert reply.meta["intent"] == "history" and reply.meta["versions"] == 2


def test_an_owner_rolls_back_and_the_bot_answers_from_the_old_version_at_once(
    make_bot: MakeBot,
) -> None:
    bot = make_bot(user=INGRID)
    original = frida(bot)
    edit_frida(bot)
    bot.app.live.refresh()
    assert NEW_GOAL in bot.card_text(bot.ask("who is Frida?"))

    reply = bot.ask("rollback Frida 1")

    assert reply.text.splitlines()[0] == (
        f"✓ CFO Frida rolled back to v1 by {INGRID}: it is now v3. What changed:"
    )
    assert f"~ goals: “{NEW_GOAL}”" in reply.text.splitlines()[1]
    assert "− pains: “Auditors asking about unbilled work”" in reply.text
    assert frida(bot) == original  # v3 is v1 again
    (v3, *_) = repo(bot).versions(FRIDA)
    assert (v3.info.version, v3.info.author, v3.info.note) == (
        3,
        INGRID,
        f"rollback to v1 by {INGRID}",
    )
    assert NEW_GOAL not in bot.card_text(bot.ask("who is Frida?"))  # live at once
    history = bot.ask("history Frida").cards[0]
    assert history.fields[0].text == f"Why: rollback to v1 by {INGRID}"


def test_only_owners_and_pack_admins_may_roll_back(make_bot: MakeBot) -> None:
    seller = make_bot(user=SELLER)
    edit_frida(seller)
    for who in (SELLER, SARA):  # Sara owns Tuva, not Frida, and is no admin
        bot = make_bot(user=who)
        reply = bot.ask("rollback frida v1")
        assert reply.text == (
            "Only the owners of CFO Frida (ingrid.solberg@fieldline.example) and the pack "
            "admins can roll it back; nothing changed."
        )
        assert reply.private
    anonymous = make_bot()  # no email: nobody's owner
    assert anonymous.ask("rollback Frida 1").text.startswith("Only the owners of CFO Frida")
    assert len(repo(seller).history(FRIDA)) == 2  # nothing changed

    admin = make_bot(user=MIKKEL)  # a pack admin who does not own Frida
    assert admin.ask("roll back the CFO 1").text.startswith("✓ CFO Frida rolled back to v1")
    assert len(repo(admin).history(FRIDA)) == 3
    sara = make_bot(user=SARA)
    tuva = sara.ask("rollback Tuva 1")  # her own persona: allowed, but nothing to restore
    assert tuva.text == "v1 is already the live version of Team Lead Tuva; nothing changed."


def test_clear_answers_for_unknown_personas_versions_and_no_ops(make_bot: MakeBot) -> None:
    bot = make_bot(user=INGRID)
    edit_frida(bot)
    assert bot.ask("history Ib").text == (
        "There's no persona called “Ib”. The personas: CFO Frida, IT Manager Bjørn, "
        "Operations Director Oskar, Team Lead Tuva."
    )
    assert bot.ask("rollback Ib 2").text.startswith("There's no persona called “Ib”.")
    assert bot.ask("history").text == (
        "Type history and a persona to see its versions, e.g. history Frida."
    )
    usage = "Type rollback, a persona and a version to restore that version, e.g. rollback"
    assert bot.ask("rollback").text.startswith(usage)
    assert bot.ask("rollback Frida").text.startswith(usage)
    assert bot.ask("rollback Frida 7").text == (
        "CFO Frida has no version 7; its versions are 1 to 2."
    )
    assert bot.ask("rollback Frida 0").text.startswith("CFO Frida has no version 0")
    assert bot.ask("rollback Frida v2").text == (
        "v2 is already the live version of CFO Frida; nothing changed."
    )
    assert len(repo(bot).history(FRIDA)) == 2

    assert bot.ask("rollback Frida 1").text.startswith("✓ CFO Frida rolled back to v1")
    same = bot.ask("rollback Frida 1")  # v3 has v1's content
    assert (
        same.text == "v1 of CFO Frida has the same content as the live version v3; nothing changed."
    )
    assert len(repo(bot).history(FRIDA)) == 3


def test_history_shows_the_newest_ten_versions(make_bot: MakeBot) -> None:
    bot = make_bot(user=INGRID)
    persona = frida(bot)
    for n in range(11):
        persona = persona.model_copy(update={"quote": f"Quote number {n}."})
        repo(bot).save_edit(persona, author=INGRID, note=None, now=TODAY)
    card = bot.ask("history Frida").cards[0]
    assert card.subtitle == "12 version(s); v12 is live."
    assert [f.label.split(" · ")[0] for f in card.fields[:10]] == [
        f"v{n}" for n in range(12, 2, -1)
    ]
    assert card.fields[0].items == ("~ quote: “Quote number 9.” → “Quote number 10.”",)
    assert len(card.fields) == 10
    assert card.footer.startswith("…and 2 older version(s) · ")


def test_commands_in_the_packs_language(make_bot: MakeBot) -> None:
    bot = make_bot(content=EXAMPLE_PACK.parent / "example_packs" / "da", user="x@y.example")
    reply = bot.ask("historik Mette")
    assert reply.text.startswith("Versionerne af Økonomichef Mette, nyeste først")
    refused = bot.ask("rul tilbage Mette 1")
    assert refused.text.startswith("Kun ejerne af Økonomichef Mette")
