"""Owners decide proposals: ``proposals``, ``approve N``, ``edit N``, ``reject N because …``.

A proposal is shown as a card: the structured change as before/after lines, the
reporters' quotes and count, and Approve / Edit / Reject buttons whose value names the
proposal and its nonce (``proposal:<id>:<nonce>:<pick>``). Only the persona's owners and
the pack admins may decide; that is checked here on every click, command and form
submission, so a forwarded or replayed button changes nothing for anyone else. Approving
writes the persona's next version, live at once here (the catalog is refreshed) and on
every other process within a second or so (:mod:`bot.live_catalog`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from bot.i18n import Texts
from bot.model import Card, Choice, Field, Form, FormField, Incoming, Reply
from bot.roles import Roles
from content.catalog import Catalog
from content.changes import FIELDS, OPS, Change, ChangeError, apply, diff_lines
from content.schema import Persona
from storage.feedback import FeedbackStore, Proposal
from storage.proposals import DecisionError, Decisions

PREFIX = "proposal"
INTENT = "proposal"
PICKS = ("approve", "edit", "reject")
_SAVE = "save"
_WHY = "why"
MAX_REASON = 500


def meta(**values: object) -> dict[str, object]:
    """The machine-readable facts of a proposal reply."""
    return {"intent": INTENT, "confidence": 1.0, **values}


class ProposalHandler:
    """Shows proposals to those who may decide them and applies their decisions.

    Args:
        catalog: Returns the live personas.
        refresh: Makes this process's catalog see a new persona version at once.
        store: Feedback and proposals.
        decisions: Applies approvals, edits and rejections.
        roles: Who owns which persona, who is an admin.
        texts: Texts in the pack's language.
        clock: Returns the current time (timezone-aware).
        count_as_review: An approval counts as a review of the persona.
    """

    def __init__(
        self,
        *,
        catalog: Callable[[], Catalog],
        refresh: Callable[[], object],
        store: FeedbackStore,
        decisions: Decisions,
        roles: Roles,
        texts: Texts,
        clock: Callable[[], dt.datetime],
        count_as_review: bool = True,
    ) -> None:
        self.catalog = catalog
        self.refresh = refresh
        self.store = store
        self.decisions = decisions
        self.roles = roles
        self.texts = texts
        self.clock = clock
        self.count_as_review = count_as_review

    # -- commands ---------------------------------------------------------------------------

    def proposals(self, message: Incoming, arguments: str) -> Reply:
        """``proposals [persona]``: the pending proposals the user may decide."""
        catalog = self.catalog()
        mine = [p.id for p in catalog.personas if self.roles.may_decide(message.user, p.id)]
        if not mine:
            return Reply(text=self.texts("proposals.none_yours"), meta=meta())
        wanted = catalog.named(arguments.strip(), guess=False) if arguments.strip() else None
        if arguments.strip() and wanted is None:
            return Reply(text=self.texts("proposals.unknown_persona", name=arguments), meta=meta())
        ids = [wanted.id] if wanted is not None and wanted.id in mine else mine
        pending = self.store.pending(ids)
        if not pending:
            return Reply(text=self.texts("proposals.none"), meta=meta())
        return Reply(
            text=self.texts("proposals.title", count=len(pending)),
            cards=tuple(self.card(p) for p in pending[:10]),
            meta=meta(proposals=[p.id for p in pending]),
        )

    def _listed(self, message: Incoming, persona_id: str) -> Reply:
        """One persona's pending proposals, for those who may decide them."""
        persona = self.catalog().persona(persona_id)
        if persona is None or not self.roles.may_decide(message.user, persona_id):
            return self._said("proposals.none_yours", message)
        pending = self.store.pending([persona_id])
        if not pending:
            return Reply(text=self.texts("proposals.none"), private=True, meta=meta())
        return Reply(
            text=self.texts("proposals.title", count=len(pending)),
            cards=tuple(self.card(p) for p in pending[:10]),
            meta=meta(proposals=[p.id for p in pending]),
        )

    def approve(self, message: Incoming, arguments: str) -> Reply:
        """``approve N``."""
        return self._decide(message, _number(arguments), None, "approve")

    def edit(self, message: Incoming, arguments: str) -> Reply:
        """``edit N``: the proposal's change as a form."""
        return self._decide(message, _number(arguments), None, "edit")

    def reject(self, message: Incoming, arguments: str) -> Reply:
        """``reject N because …``."""
        number = _number(arguments)
        reason = re.sub(r"^\s*#?\d+\s*", "", arguments)
        reason = re.sub(self.texts("proposals.because_pattern"), "", reason, flags=re.I).strip()
        return self._decide(message, number, None, "reject", reason=reason or None)

    # -- buttons and forms ------------------------------------------------------------------

    def on_action(self, message: Incoming) -> Reply:
        """Approve / Edit / Reject clicks, and the edit and reject forms' submissions."""
        parts = (message.action or "").split(":")
        if len(parts) == 4 and parts[1] == "list":  # "Review proposals" on a review prompt
            persona = self.catalog().persona(parts[2])
            return self._listed(message, persona.id if persona else parts[2])
        if len(parts) != 4 or not parts[1].isdigit():
            return Reply(text=self.texts("proposals.unknown_button"), private=True, meta=meta())
        _, number, nonce, pick = parts
        if pick == _SAVE:
            return self._save(message, int(number), nonce)
        if pick == _WHY:
            reason = ((message.form or {}).get("reason") or "").strip()
            return self._decide(message, int(number), nonce, "reject", reason=reason)
        if pick not in PICKS:
            return Reply(text=self.texts("proposals.unknown_button"), private=True, meta=meta())
        return self._decide(message, int(number), nonce, pick)

    def _decide(
        self,
        message: Incoming,
        number: int | None,
        nonce: str | None,
        pick: str,
        *,
        reason: str | None = None,
    ) -> Reply:
        if number is None:
            return Reply(text=self.texts(f"proposals.usage.{pick}"), meta=meta())
        proposal = self.store.proposal(number)
        if proposal is None:
            return self._said("proposals.unknown", message, id=number)
        if not self.roles.may_decide(message.user, proposal.persona_id):
            persona = self.catalog().persona(proposal.persona_id)
            return self._said(
                "proposals.not_allowed",
                message,
                id=number,
                persona=persona.name if persona else proposal.persona_id,
            )
        if proposal.status != "pending":
            return self._decided(
                message,
                DecisionError(
                    "decided",
                    status=proposal.status,
                    by=proposal.decided_by,
                    at=proposal.decided_at,
                ),
                number,
            )
        if nonce is not None and nonce != proposal.nonce:
            return self._said("proposals.stale", message, id=number)
        if pick == "edit":
            return Reply(form=self.edit_form(proposal), meta=meta(proposal=number))
        if pick == "reject" and reason is None:
            return Reply(
                text=self.texts("proposals.reject_why", id=number),
                form=self._reason_form(proposal),
                meta=meta(proposal=number),
            )
        by = message.user.email or message.user.key
        try:
            if pick == "reject":
                self.decisions.reject(
                    number, nonce=proposal.nonce, by=by, reason=reason or "", now=self.clock()
                )
                return self._done("proposals.rejected", message, proposal, reason=reason or "—")
            approved = self.decisions.approve(
                number,
                nonce=proposal.nonce,
                make=lambda data: self._made(data, proposal),
                by=by,
                note=self.texts("proposals.note", id=number, feedback=_ids(proposal)),
                now=self.clock(),
                count_as_review=self.count_as_review,
            )
        except DecisionError as exc:
            return self._decided(message, exc, number)
        except ChangeError as exc:
            return self._said(exc.key, message, id=number)
        self.refresh()
        return self._done("proposals.approved", message, proposal, version=approved.version)

    def _made(self, data: dict[str, Any], proposal: Proposal) -> dict[str, Any]:
        change = Change.from_json(proposal.change)
        if change.response.strip() == self.texts("feedback.draft_response").strip():
            raise ChangeError("feedback.change_draft")
        return apply(Persona.model_validate(data), change).model_dump(mode="json")

    def _save(self, message: Incoming, number: int, nonce: str) -> Reply:
        proposal = self.store.proposal(number)
        if proposal is None:
            return self._said("proposals.unknown", message, id=number)
        if not self.roles.may_decide(message.user, proposal.persona_id):
            return self._said(
                "proposals.not_allowed", message, id=number, persona=proposal.persona_id
            )
        values = {k: (v or "").strip() for k, v in (message.form or {}).items()}
        change = Change(
            field=values.get("field", ""),
            op=values.get("op", ""),
            target=values.get("target", ""),
            text=values.get("text", ""),
            response=values.get("response", ""),
        )
        persona = self.catalog().persona(proposal.persona_id)
        errors: dict[str, str] = {}
        if change.field not in FIELDS:
            errors["field"] = self.texts("forms.not_an_option")
        if change.op not in OPS:
            errors["op"] = self.texts("forms.not_an_option")
        if not errors and persona is not None:
            try:
                apply(persona, change)
            except ChangeError as exc:
                name = {"feedback.change_gone": "target", "feedback.change_exists": "text"}
                errors[name.get(exc.key, "text")] = self.texts(exc.key, id=number)
        if errors:
            return Reply(
                text=self.texts("forms.check"),
                form=self.edit_form(proposal, change),
                form_errors=errors,
                meta=meta(proposal=number),
            )
        try:
            fresh = self.decisions.edit(
                number, nonce=nonce, change=change.to_json(), now=self.clock()
            )
        except DecisionError as exc:
            return self._decided(message, exc, number)
        edited = self.store.proposal(number)
        assert edited is not None and edited.nonce == fresh
        return Reply(
            text=self.texts("proposals.edited", id=number),
            cards=(self.card(edited),),
            meta=meta(proposal=number),
        )

    # -- what is shown ----------------------------------------------------------------------

    def card(self, proposal: Proposal, *, buttons: bool = True) -> Card:
        """The proposal: its change as a diff, the quotes, the reporters, the buttons."""
        t = self.texts
        catalog = self.catalog()
        persona = catalog.persona(proposal.persona_id)
        change = Change.from_json(proposal.change)
        name = persona.name if persona else proposal.persona_id
        if change.op in OPS and change.field in FIELDS and persona is not None:
            label = t(f"card.{change.field}") + " · " + t(f"proposals.op.{change.op}")
            diff = Field(label=label, items=tuple(diff_lines(persona, change)))
        else:
            diff = Field(label=t("proposals.no_change_label"), text=t("proposals.no_change"))
        quotes = Field(
            label=t("proposals.quotes", count=proposal.reporters),
            items=tuple(
                _quote_line(q.text, q.reporter_name, q.evidence) for q in proposal.quotes[:5]
            ),
        )
        subtitle = t(
            "proposals.subtitle",
            kind=t(f"feedback.kind.{proposal.kind}"),
            count=proposal.reporters,
            version=proposal.base_version,
        )
        return Card(
            title=t("proposals.card_title", id=proposal.id, name=name),
            subtitle=subtitle,
            fields=(diff, quotes),
            footer=t("proposals.footer") if proposal.status == "pending" else "",
            choices=tuple(
                Choice(label=t(f"proposals.button.{pick}"), value=_value(proposal, pick))
                for pick in PICKS
            )
            if buttons and proposal.status == "pending"
            else (),
        )

    def edit_form(self, proposal: Proposal, change: Change | None = None) -> Form:
        """The proposal's change as a form (the owner's Edit)."""
        t = self.texts
        change = change or Change.from_json(proposal.change)
        return Form(
            action=_value(proposal, _SAVE),
            title=t("proposals.edit_title", id=proposal.id),
            intro=t("proposals.edit_intro"),
            submit=t("proposals.edit_submit"),
            fields=(
                FormField(
                    name="field",
                    label=t("proposals.field"),
                    kind="choice",
                    options=tuple(Choice(label=t(f"card.{f}"), value=f) for f in FIELDS),
                    value=change.field,
                    required=True,
                ),
                FormField(
                    name="op",
                    label=t("proposals.op_label"),
                    kind="choice",
                    options=tuple(Choice(label=t(f"proposals.op.{o}"), value=o) for o in OPS),
                    value=change.op if change.op in OPS else "add",
                    required=True,
                ),
                FormField(
                    name="target",
                    label=t("proposals.target"),
                    value=change.target,
                    hint=t("proposals.target_hint"),
                    max_length=2000,
                ),
                FormField(
                    name="text",
                    label=t("proposals.text"),
                    kind="multiline",
                    value=change.text,
                    max_length=2000,
                ),
                FormField(
                    name="response",
                    label=t("proposals.response"),
                    kind="multiline",
                    value=change.response,
                    hint=t("proposals.response_hint"),
                    max_length=2000,
                ),
            ),
        )

    def _reason_form(self, proposal: Proposal) -> Form:
        return Form(
            action=_value(proposal, _WHY),
            title=self.texts("proposals.reject_title", id=proposal.id),
            submit=self.texts("proposals.button.reject"),
            fields=(
                FormField(
                    name="reason",
                    label=self.texts("proposals.reason"),
                    kind="multiline",
                    max_length=MAX_REASON,
                    hint=self.texts("proposals.reason_hint"),
                ),
            ),
        )

    def _done(self, key: str, message: Incoming, proposal: Proposal, **values: object) -> Reply:
        by = message.user.name or message.user.email or ""
        decided = self.store.proposal(proposal.id) or proposal
        card = self.card(decided, buttons=False)
        return Reply(
            text=self.texts(key, id=proposal.id, by=by, **values),
            cards=(card,),
            replaces=message.message,
            meta=meta(proposal=proposal.id, decided=True),
        )

    def _decided(self, message: Incoming, exc: DecisionError, number: int) -> Reply:
        if exc.reason == "decided":
            when = exc.at.strftime("%Y-%m-%d %H:%M") if exc.at else "?"
            return self._said(
                "proposals.decided_already",
                message,
                id=number,
                status=self.texts(f"proposals.status.{exc.status}"),
                by=exc.by or "?",
                at=when,
            )
        return self._said(f"proposals.{exc.reason}", message, id=number)

    def _said(self, key: str, message: Incoming, **values: object) -> Reply:
        return Reply(
            text=self.texts(key, **values),
            private=message.message is not None,
            meta=meta(refused=key),
        )


def _value(proposal: Proposal, pick: str) -> str:
    return f"{PREFIX}:{proposal.id}:{proposal.nonce}:{pick}"


def _number(text: str) -> int | None:
    found = re.search(r"\d+", text)
    return int(found.group()) if found else None


def _ids(proposal: Proposal) -> str:
    """The feedback behind a proposal and who gave it: ``#4, #9 (Sam Seller, kim@…)``."""
    ids = ", ".join(f"#{q.id}" for q in proposal.quotes) or "—"
    names = dict.fromkeys(q.reporter_name or q.reporter_email or "" for q in proposal.quotes)
    shown = ", ".join(n for n in names if n)
    return f"{ids} ({shown})" if shown else ids


def _quote_line(text: str, name: str | None, evidence: str | None) -> str:
    flat = " ".join(text.split())
    flat = flat if len(flat) <= 300 else flat[:299] + "…"
    line = f"“{flat}”"
    if name:
        line += f" — {name}"
    if evidence:
        line += f" ({evidence})"
    return line
