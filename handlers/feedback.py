"""Feedback from the front line: ``feedback <persona>: <text>``, the form, votes on answers.

Everything a reporter submits is stored before it is confirmed (one transaction stores it
and groups it into a proposal). Feedback without a known persona is stored first and the
reporter picks the persona after (``feedback:<id>:about:<persona>``). The form (a Slack
modal, a Teams task module, console prompts) comes from ``feedback`` alone, the message
shortcut or message-extension action (pre-filled with the message, the persona guessed
from it), and "Not helpful" on an answer. Feedback is grouped with pending feedback about
the same thing: the same persona and kind, and a similar text or the same objection as
the retrieval stack reads it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import secrets
from collections.abc import Callable

from bot.forms import SHORTCUT, problems, refilled
from bot.i18n import Texts
from bot.model import Choice, Form, FormField, Incoming, Reply
from content.analysis import Analyzer, fold, words
from content.catalog import Catalog
from content.changes import KINDS, SAME, change_for, similarity
from content.schema import Persona
from storage.feedback import Draft, FeedbackStore, Submitted
from storage.votes import VoteStore

PREFIX = "feedback"
VOTE = "vote"
INTENT = "feedback"
#: The most characters one piece of feedback may have.
MAX_TEXT = 2000
MAX_EVIDENCE = 500
#: At most this many words before the colon of ``feedback <persona>: <text>``.
NAME_WORDS = 5
_SUBMIT = f"{PREFIX}:submit"
_WHY = "why"


def meta(**values: object) -> dict[str, object]:
    """The machine-readable facts of a feedback reply."""
    return {"intent": INTENT, "confidence": 1.0, **values}


class FeedbackHandler:
    """Takes feedback and votes, stores them, confirms what was stored.

    Args:
        catalog: Returns the live personas.
        store: Feedback and proposals.
        votes: Votes on answers.
        texts: Texts in the pack's language.
        clock: Returns the current time (timezone-aware).
        on_proposal: Called with a proposal id whenever feedback joins or opens one
            (the owners' notices watch its reporter count).
    """

    def __init__(
        self,
        *,
        catalog: Callable[[], Catalog],
        store: FeedbackStore,
        votes: VoteStore,
        texts: Texts,
        clock: Callable[[], dt.datetime],
        on_proposal: Callable[[int], object] | None = None,
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.votes = votes
        self.texts = texts
        self.clock = clock
        self.on_proposal = on_proposal
        self._analyzers: tuple[Catalog, Analyzer] | None = None

    # -- commands ---------------------------------------------------------------------------

    def command(self, message: Incoming, arguments: str) -> Reply:
        """``feedback`` (the form), ``feedback <persona>: <text>`` or ``feedback <text>``."""
        text = arguments.strip()
        if not text:
            return Reply(text=self.texts("feedback.usage"), form=self.form(), meta=meta())
        persona, text = self._split(text)
        if not text:
            return Reply(text=self.texts("feedback.empty"), meta=meta())
        if len(text) > MAX_TEXT:
            return Reply(
                text=self.texts("feedback.too_long", max=MAX_TEXT, count=len(text)), meta=meta()
            )
        kind = self._kind(text)
        draft = self._draft(message, persona=persona, kind=kind, text=text, source="text")
        if persona is None:
            held = self.store.hold(draft, now=self.clock())
            return self._which(held.feedback_id, text)
        return self._confirm(self._submit(draft, persona), persona)

    def withdraw(self, message: Incoming, arguments: str) -> Reply:
        """``withdraw <n>``: take back one's own feedback until it is decided."""
        number = _number(arguments)
        if number is None:
            return self.mine(message, "")
        done = self.store.withdraw(number, reporter_key=message.user.key, now=self.clock())
        return Reply(text=self.texts(f"feedback.withdraw.{done}", id=number), meta=meta())

    def mine(self, message: Incoming, arguments: str) -> Reply:
        """``my feedback``: one's latest feedback and what became of it."""
        items = self.store.of_reporter(message.user.key)
        if not items:
            return Reply(text=self.texts("feedback.mine_none"), meta=meta())
        catalog = self.catalog()
        lines = [self.texts("feedback.mine_title")]
        for q in items:
            persona = catalog.persona(q.persona_id)
            lines.append(
                self.texts(
                    "feedback.mine_line",
                    id=q.id,
                    persona=persona.name if persona else "?",
                    status=self.texts(f"feedback.status.{q.status}"),
                    text=_short(q.text),
                )
            )
        return Reply(text="\n".join(lines), meta=meta())

    # -- the form ---------------------------------------------------------------------------

    def form(
        self, *, persona: str = "", kind: str = "", text: str = "", evidence: str = ""
    ) -> Form:
        """The feedback form, pre-filled."""
        t = self.texts
        personas = self.catalog().personas
        return Form(
            action=_SUBMIT,
            title=t("feedback.form.title"),
            intro=t("feedback.form.intro"),
            submit=t("feedback.form.submit"),
            fields=(
                FormField(
                    name="persona",
                    label=t("feedback.form.persona"),
                    kind="choice",
                    options=tuple(Choice(label=p.name, value=p.id) for p in personas),
                    value=persona,
                    required=True,
                ),
                FormField(
                    name="kind",
                    label=t("feedback.form.kind"),
                    kind="choice",
                    options=tuple(Choice(label=t(f"feedback.kind.{k}"), value=k) for k in KINDS),
                    value=kind or "other",
                    required=True,
                ),
                FormField(
                    name="text",
                    label=t("feedback.form.text"),
                    kind="multiline",
                    value=text[:MAX_TEXT],
                    required=True,
                    max_length=MAX_TEXT,
                    hint=t("feedback.form.text_hint"),
                ),
                FormField(
                    name="evidence",
                    label=t("feedback.form.evidence"),
                    value=evidence,
                    max_length=MAX_EVIDENCE,
                    hint=t("feedback.form.evidence_hint"),
                ),
            ),
        )

    def on_action(self, message: Incoming) -> Reply:
        """The form's submission, the shortcut, and the persona picked for held feedback."""
        action = message.action or ""
        if action == f"{PREFIX}:{SHORTCUT}":
            return self._shortcut(message)
        if action == _SUBMIT:
            return self._submitted(message)
        parts = action.split(":")
        if len(parts) == 4 and parts[2] == "about" and parts[1].isdigit():
            return self._about(message, int(parts[1]), parts[3])
        return Reply(text=self.texts("feedback.unknown_button"), meta=meta(), private=True)

    def _shortcut(self, message: Incoming) -> Reply:
        text = message.text.strip()
        persona = self._guess(text) if text else None
        form = self.form(persona=persona.id if persona else "", kind=self._kind(text), text=text)
        return Reply(form=form, meta=meta())

    def _submitted(self, message: Incoming) -> Reply:
        values = {k: (v or "").strip() for k, v in (message.form or {}).items()}
        form = self.form()
        errors = problems(form, values, texts=self.texts)
        persona = self.catalog().persona(values.get("persona", ""))
        if persona is None and "persona" not in errors:
            errors["persona"] = self.texts("feedback.form.no_persona")
        if errors:
            return Reply(
                text=self.texts("forms.check"),
                form=refilled(form, values),
                form_errors=errors,
                meta=meta(),
            )
        assert persona is not None
        draft = self._draft(
            message,
            persona=persona,
            kind=values["kind"],
            text=values["text"],
            source="form",
            evidence=values.get("evidence") or None,
        )
        return self._confirm(self._submit(draft, persona), persona)

    def _about(self, message: Incoming, feedback_id: int, persona_id: str) -> Reply:
        persona = self.catalog().persona(persona_id)
        held = self.store.held(feedback_id, reporter_key=message.user.key)
        if persona is None:
            return Reply(text=self.texts("feedback.unknown_button"), meta=meta(), private=True)
        if held is None:
            again = self.store.assign(
                feedback_id,
                reporter_key=message.user.key,
                persona_id=persona_id,
                kind="other",
                join=None,
                change={},
                now=self.clock(),
            )
            key = "feedback.sorted_already" if again else "feedback.not_yours"
            return Reply(text=self.texts(key, id=feedback_id), meta=meta(), private=True)
        kind = self._kind(held.text)
        join, change = self._grouping(persona, kind, held.text)
        done = self.store.assign(
            feedback_id,
            reporter_key=message.user.key,
            persona_id=persona.id,
            kind=kind,
            join=join,
            change=change,
            now=self.clock(),
        )
        assert done is not None
        self._proposed(done)
        return self._confirm(done, persona, replaces=message)

    # -- votes ------------------------------------------------------------------------------

    def with_votes(self, reply: Reply) -> Reply:
        """An answer about a persona or objection, with Helpful / Not helpful buttons."""
        persona = reply.meta.get("persona")
        if not reply.cards or reply.meta.get("intent") not in ("persona", "objection"):
            return reply
        key = secrets.token_hex(6)
        objection = reply.meta.get("objection") or "-"
        base = f"{VOTE}:{key}:{persona}:{objection}"
        votes = (
            Choice(label=self.texts("feedback.vote.up"), value=f"{base}:up"),
            Choice(label=self.texts("feedback.vote.down"), value=f"{base}:down"),
        )
        # The answer card's last buttons, after its own (Show more stays where it was).
        first = reply.cards[0]
        card = dataclasses.replace(first, choices=(*first.choices, *votes))
        return dataclasses.replace(reply, cards=(card, *reply.cards[1:]))

    def on_vote(self, message: Incoming) -> Reply:
        """A click on Helpful / Not helpful, or the "what was wrong?" form behind it."""
        parts = (message.action or "").split(":")
        if len(parts) != 5 or parts[4] not in ("up", "down", _WHY):
            return Reply(text=self.texts("feedback.unknown_button"), meta=meta(), private=True)
        _, key, persona_id, objection, pick = parts
        objection_id = None if objection == "-" else objection
        persona = self.catalog().persona(persona_id)
        if pick == _WHY:
            return self._why(message, persona, objection_id)
        changed = self.votes.vote(
            answer_key=key,
            user_key=message.user.key,
            user_email=message.user.email,
            helpful=pick == "up",
            persona_id=persona_id,
            objection_id=objection_id,
            now=self.clock(),
        )
        if pick == "up":
            key_text = "feedback.vote.thanks" if changed else "feedback.vote.again"
            return Reply(text=self.texts(key_text), private=True, meta=meta(vote="up"))
        form = Form(
            action=f"{VOTE}:{key}:{persona_id}:{objection}:{_WHY}",
            title=self.texts("feedback.vote.why_title"),
            intro=self.texts("feedback.vote.why_intro"),
            submit=self.texts("feedback.form.submit"),
            fields=(
                FormField(
                    name="text",
                    label=self.texts("feedback.vote.why_label"),
                    kind="multiline",
                    max_length=MAX_TEXT,
                ),
            ),
        )
        return Reply(
            text=self.texts("feedback.vote.noted" if changed else "feedback.vote.again"),
            form=form,
            private=True,
            meta=meta(vote="down"),
        )

    def _why(self, message: Incoming, persona: Persona | None, objection_id: str | None) -> Reply:
        text = ((message.form or {}).get("text") or "").strip()
        if not text or persona is None:
            return Reply(text=self.texts("feedback.vote.no_reason"), private=True, meta=meta())
        if len(text) > MAX_TEXT:
            return Reply(
                form_errors={"text": self.texts("forms.too_long", max=MAX_TEXT, count=len(text))},
                meta=meta(),
            )
        kind = "response" if objection_id else "correction"
        draft = self._draft(message, persona=persona, kind=kind, text=text, source="vote")
        return self._confirm(self._submit(draft, persona, objection_id=objection_id), persona)

    # -- shared -----------------------------------------------------------------------------

    def _draft(
        self,
        message: Incoming,
        *,
        persona: Persona | None,
        kind: str,
        text: str,
        source: str,
        evidence: str | None = None,
    ) -> Draft:
        return Draft(
            persona_id=persona.id if persona else "",
            kind=kind,
            text=text,
            evidence=evidence,
            source=source,
            origin=message.id,
            reporter_key=message.user.key,
            reporter_email=message.user.email,
            reporter_name=message.user.name,
        )

    def _submit(
        self, draft: Draft, persona: Persona, *, objection_id: str | None = None
    ) -> Submitted:
        join, change = self._grouping(persona, draft.kind, draft.text, objection_id=objection_id)
        done = self.store.submit(draft, join=join, change=change, now=self.clock())
        self._proposed(done)
        return done

    def _proposed(self, done: Submitted) -> None:
        if self.on_proposal is not None and not done.again and done.proposal_id:
            self.on_proposal(done.proposal_id)

    def _grouping(
        self, persona: Persona, kind: str, text: str, *, objection_id: str | None = None
    ) -> tuple[int | None, dict[str, object]]:
        """The pending proposal this feedback joins, and the change a new one would make."""
        catalog = self.catalog()
        analyzer = self._analyzer(catalog)
        about = objection_id or self._objection_of(catalog, persona, text)
        best: tuple[float, int] = (0.0, 0)
        for proposal in self.store.pending([persona.id]):
            if proposal.kind != kind:
                continue
            target = str(proposal.change.get("target") or "")
            if about and kind in ("response", "objection") and target == about:
                return proposal.id, {}
            for quote in proposal.quotes:
                best = max(best, (similarity(analyzer, text, quote.text), proposal.id))
        change = change_for(
            persona,
            kind=kind,
            text=text,
            objection_id=about,
            analyzer=analyzer,
            draft_response=self.texts("feedback.draft_response"),
        )
        return (best[1] if best[0] >= SAME and best[1] else None), change.to_json()

    def _objection_of(self, catalog: Catalog, persona: Persona, text: str) -> str | None:
        for persona_id, objection_id in _readings(catalog, text):
            if persona_id == persona.id and objection_id:
                return objection_id
        return None

    def _analyzer(self, catalog: Catalog) -> Analyzer:
        if self._analyzers is None or self._analyzers[0] is not catalog:
            analyzer = Analyzer(language=catalog.language)
            analyzer.learn(
                item
                for p in catalog.personas
                for item in (*p.goals, *p.pains, *p.triggers, *(o.objection for o in p.objections))
            )
            self._analyzers = (catalog, analyzer)
        return self._analyzers[1]

    def _split(self, text: str) -> tuple[Persona | None, str]:
        """``<persona>: <text>`` into the persona and the text (no colon: no persona)."""
        name, colon, rest = text.partition(":")
        if colon and 0 < len(name.split()) <= NAME_WORDS:
            persona = self.catalog().named(name.strip(), guess=False)
            if persona is not None:
                return persona, rest.strip()
        return None, text

    def _guess(self, text: str) -> Persona | None:
        catalog = self.catalog()
        for persona_id, _ in _readings(catalog, text):
            persona = catalog.persona(persona_id)
            if persona is not None:
                return persona
        return None

    def _kind(self, text: str) -> str:
        """The kind the text's words suggest (the locale's cue words), else ``other``."""
        folded = " " + " ".join(fold(w) for w in words(text)) + " "
        for kind in KINDS[:-1]:  # every kind but "other" has cue words
            for cue in self.texts.words(f"feedback.cues.{kind}"):
                if f" {fold(cue)} " in folded or (len(cue) > 4 and f" {fold(cue)}" in folded):
                    return kind
        return "other"

    def _which(self, feedback_id: int, text: str) -> Reply:
        catalog = self.catalog()
        likely = [
            p for pid, _ in _readings(catalog, text) if (p := catalog.persona(pid)) is not None
        ]
        first = {p.id: p for p in likely[:2]}
        ordered = [*first.values(), *(p for p in catalog.personas if p.id not in first)]
        return Reply(
            text=self.texts("feedback.which", id=feedback_id),
            choices=tuple(
                Choice(label=p.name, value=f"{PREFIX}:{feedback_id}:about:{p.id}") for p in ordered
            ),
            meta=meta(feedback=feedback_id, stored=True),
        )

    def _confirm(
        self, done: Submitted, persona: Persona, *, replaces: Incoming | None = None
    ) -> Reply:
        key = "feedback.stored_again" if done.again else "feedback.stored"
        text = self.texts(key, id=done.feedback_id, persona=persona.name)
        if done.reporters > 1:
            text += " " + self.texts("feedback.others", count=done.reporters - 1)
        text += " " + self.texts("feedback.withdraw_hint", id=done.feedback_id)
        return Reply(
            text=text,
            replaces=replaces.message if replaces is not None else None,
            meta=meta(feedback=done.feedback_id, proposal=done.proposal_id, stored=True),
        )


def _number(text: str) -> int | None:
    found = re.search(r"\d+", text)
    return int(found.group()) if found else None


def _short(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _readings(catalog: Catalog, text: str) -> list[tuple[str, str | None]]:
    """What retrieval reads ``text`` as about: (persona, objection), likeliest first."""
    understood = catalog.retriever.understand(text)
    found: list[tuple[str, str | None]] = []
    if understood.persona_id:
        found.append((understood.persona_id, understood.objection_id))
    found += [(pid, None) for pid in understood.mentioned]
    found += [(c.persona_id, c.objection_id) for c in understood.candidates]
    return list(dict.fromkeys(found))
