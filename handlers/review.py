"""Persona reviews in chat: the prompt an owner gets, its buttons, ``reviews`` and ``remind``.

A prompt holds what an owner needs to decide in one message: the persona, the days
since its last review, its usage and the questions about it the bot answered without
confidence since then (content gaps). Its buttons name the prompt and its nonce
(``review:<id>:<nonce>:<pick>``):

* **Still accurate** records a review (the clock starts again);
* **Snooze 7 days** holds the persona back for a week;
* **Not mine** tells the pack admins the owner is wrong.

Only the persona's owners and the pack admins may click them (checked here, on every
click); a second click, a click after another owner decided, or an old button changes
nothing and says who decided when. The clicked prompt is edited in place: done, by
whom, when. ``reviews`` (admins) shows every persona's status and the freshness score;
``remind <persona>`` (admins) asks for a prompt now, which the review job sends.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence

from bot.i18n import Texts
from bot.model import Card, Choice, Field, Incoming, Reply
from bot.roles import Roles
from content.catalog import Catalog
from content.freshness import Freshness, fresh_share, freshness
from handlers.health import HealthScores, health_line
from storage.review_context import ReviewContext, ReviewContexts
from storage.reviews import OPEN, Prompt, ReviewStore

log = logging.getLogger(__name__)

PREFIX = "review"
INTENT = "review"
#: How long "Snooze" holds a persona back.
SNOOZE = dt.timedelta(days=7)
PICKS = ("reviewed", "snoozed", "not_mine")


def meta(**values: object) -> dict[str, object]:
    """The machine-readable facts of a review reply."""
    return {"intent": INTENT, "confidence": 1.0, **values}


class ReviewHandler:
    """Builds review prompts and handles their buttons and the admins' commands.

    Args:
        catalog: Returns the live personas.
        store: Reviews, snoozes and prompts.
        contexts: Usage and gaps shown in a prompt.
        roles: Who owns which persona, who is an admin.
        texts: Texts in the pack's language.
        clock: Returns the current time (timezone-aware).
        health: The personas' health scores, shown in ``reviews``.
    """

    def __init__(
        self,
        *,
        catalog: Callable[[], Catalog],
        store: ReviewStore,
        contexts: ReviewContexts,
        roles: Roles,
        texts: Texts,
        clock: Callable[[], dt.datetime],
        health: HealthScores | None = None,
    ) -> None:
        self.health = health
        self.catalog = catalog
        self.store = store
        self.contexts = contexts
        self.roles = roles
        self.texts = texts
        self.clock = clock

    # -- status -----------------------------------------------------------------------------

    def statuses(self, at: dt.date) -> list[Freshness]:
        """Every live persona's review status on ``at``."""
        catalog = self.catalog()
        return freshness(
            catalog.personas,
            pack_cadence=catalog.review_every_days,
            at=at,
            reviewed=self.store.last_reviewed(),
            snoozed=self.store.snoozed(),
        )

    # -- the prompt -------------------------------------------------------------------------

    def prompt_reply(
        self,
        prompt: Prompt,
        status: Freshness,
        context: ReviewContext,
        *,
        reminder: bool = False,
    ) -> Reply:
        """The prompt to one owner: everything needed to review, and the buttons."""
        texts = self.texts
        if status.last_reviewed is None:
            since = texts("review.never")
        else:
            since = texts("review.since", days=(status.at - status.last_reviewed).days)
        usage = texts(
            "review.usage",
            questions=context.questions,
            right=context.quiz_right,
            answers=context.quiz_answers,
            roleplays=context.roleplays,
        )
        if context.roleplay_average is not None:
            usage += " " + texts("review.roleplay_average", score=context.roleplay_average)
        gaps = Field(
            label=texts("review.gaps", count=context.gap_count),
            items=tuple(f"“{q}”" for q in context.gaps),
            text="" if context.gaps else texts("review.no_gaps"),
        )
        fields = (
            Field(
                label=texts("review.due_label"),
                text=texts("review.due", date=status.due_on.isoformat(), days=status.cadence_days),
            ),
            Field(label=texts("review.usage_label"), text=usage),
            gaps,
            *_feedback_fields(context, texts),
        )
        buttons = tuple(
            Choice(label=texts(f"review.button.{pick}"), value=_value(prompt, pick))
            for pick in PICKS
        )
        if context.proposals:  # the owner decides them from here (handlers.proposals)
            label = texts("proposals.review_button")
            buttons += (Choice(label=label, value=f"proposal:list:{status.persona_id}:show"),)
        card = Card(
            title=texts("review.title", name=status.name),
            subtitle=since,
            badges=(texts(f"review.status.{status.status}"),),
            fields=fields,
            footer=texts("review.owners", owners=", ".join(status.owners)),
            choices=buttons,
        )
        intro = texts("review.reminder" if reminder else "review.intro", name=status.name)
        return Reply(text=intro, cards=(card,), meta=meta(persona=status.persona_id))

    # -- clicks -----------------------------------------------------------------------------

    def on_action(self, message: Incoming) -> Reply:
        """A click on a prompt's button: checked (who, which prompt, still open), then done."""
        parts = (message.action or "").split(":")
        if len(parts) != 4 or parts[3] not in PICKS:
            return self._say("review.unknown")
        _, prompt_id, nonce, pick = parts
        prompt = self.store.get(prompt_id)
        if prompt is None:
            return self._say("review.unknown")
        user = message.user
        if not (self.roles.owns(user, prompt.persona_id) or self.roles.is_admin(user)):
            log.info("review click refused: %s is no owner of %s", user.key, prompt.persona_id)
            return self._say("review.not_owner", private=True)
        now = self.clock()
        by = user.email or user.name or user.key
        until = now + SNOOZE if pick == "snoozed" else None
        decided = None
        if prompt.status in OPEN and prompt.nonce == nonce:
            decided = self.store.decide(
                prompt, nonce=nonce, status=pick, by=by, now=now, until=until
            )
        if decided is None:
            return self._already(prompt_id)
        name = self._name(prompt.persona_id)
        if pick == "reviewed":
            due = self._status(prompt.persona_id, now.date())
            text = self.texts(
                "review.done.reviewed",
                name=name,
                by=by,
                when=_when(now),
                next=due.due_on.isoformat() if due else "",
            )
        elif pick == "snoozed":
            text = self.texts(
                "review.done.snoozed", name=name, by=by, until=(now + SNOOZE).date().isoformat()
            )
        else:
            text = self.texts("review.done.not_mine", name=name, by=by)
        return Reply(text=text, replaces=message.message, meta=meta(decided=pick))

    def inbox(self, message: Incoming) -> Reply:
        """The prompts kept for this console user (``chat --user EMAIL``), to answer now."""
        email = (message.user.email or "").casefold()
        if not email:
            return Reply(meta=meta())
        now = self.clock()
        statuses = {s.persona_id: s for s in self.statuses(now.date())}
        replies = []
        for prompt in self.store.waiting_for(email, platform="console"):
            status = statuses.get(prompt.persona_id)
            if status is not None:
                context = self.contexts.of(prompt.persona_id, since=since_review(status))
                replies.append(self.prompt_reply(prompt, status, context))
        if not replies:
            return Reply(meta=meta())
        first, *rest = replies
        return Reply(text=first.text, cards=first.cards, meta=first.meta, then=tuple(rest))

    def _already(self, prompt_id: str) -> Reply:
        prompt = self.store.get(prompt_id)
        if prompt is not None and prompt.decided_at is not None:
            return self._say(
                "review.already",
                private=True,
                name=self._name(prompt.persona_id),
                by=prompt.decided_by or "?",
                when=_when(prompt.decided_at),
            )
        return self._say("review.stale", private=True)

    # -- admins' commands -------------------------------------------------------------------

    def reviews(self, message: Incoming, arguments: str) -> Reply:
        """``reviews`` (pack admins): every persona's review status and the freshness score."""
        if not self.roles.is_admin(message.user):
            return self._say("review.admins_only", command=self._word("reviews"))
        today = self.clock().date()
        statuses = self.statuses(today)
        lines = [self.texts("review.freshness", percent=round(100 * fresh_share(statuses)))]
        scores = self.health.of_pack(today) if self.health else None
        if scores is not None:
            lines.append(self.texts("review.pack_health", score=scores.score))
        for status in statuses:
            line = self._status_line(status)
            score = self.health.of(status.persona_id, today) if self.health else None
            lines.append(f"{line} · {health_line(score, self.texts)}" if score else line)
        return Reply(text="\n".join(lines), meta=meta())

    def remind(self, message: Incoming, arguments: str) -> Reply:
        """``remind <persona>`` (pack admins): a prompt to its owners now."""
        if not self.roles.is_admin(message.user):
            return self._say("review.admins_only", command=self._word("remind"))
        # Exactly a persona's id, name or alias: "remind me who frida is" sends nothing.
        persona = self.catalog().named(arguments, guess=False)
        if persona is None:
            names = ", ".join(p.name for p in self.catalog().personas)
            return self._say("review.unknown_persona", name=arguments.strip(), personas=names)
        self.store.request(persona.id, by=message.user.email, at=self.clock())
        owners = ", ".join(persona.owners)
        return self._say("review.reminding", name=persona.name, owners=owners)

    def _status_line(self, status: Freshness) -> str:
        snoozed = (
            self.texts("review.snoozed_until", date=status.snoozed_until.isoformat())
            if status.snoozed_until
            else ""
        )
        return self.texts(
            "review.status_line",
            name=status.name,
            status=self.texts(f"review.status.{status.status}"),
            due=status.due_on.isoformat(),
            owners=", ".join(status.owners),
            snoozed=snoozed,
        )

    # -- helpers ----------------------------------------------------------------------------

    def _status(self, persona_id: str, at: dt.date) -> Freshness | None:
        return next((s for s in self.statuses(at) if s.persona_id == persona_id), None)

    def _word(self, command: str) -> str:
        """The command's word in the pack's language (its first)."""
        return self.texts.words(f"commands.{command}")[0]

    def _name(self, persona_id: str) -> str:
        persona = self.catalog().persona(persona_id)
        return persona.name if persona else persona_id

    def _say(self, key: str, *, private: bool = False, **values: object) -> Reply:
        return Reply(text=self.texts(key, **values), private=private, meta=meta())


def _feedback_fields(context: ReviewContext, texts: Texts) -> tuple[Field, ...]:
    """What the front line said: pending proposals and answers voted not helpful."""
    lines = []
    if context.proposals:
        lines.append(
            texts("proposals.review_waiting", count=context.proposals, reporters=context.reporters)
        )
    if context.not_helpful:
        lines.append(texts("proposals.review_not_helpful", count=context.not_helpful))
    if not lines:
        return ()
    return (Field(label=texts("proposals.review_label"), items=tuple(lines)),)


def _value(prompt: Prompt, pick: str) -> str:
    return f"{PREFIX}:{prompt.id}:{prompt.nonce}:{pick}"


def _when(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def statuses_json(statuses: Sequence[Freshness]) -> list[dict[str, object]]:
    """Statuses as ``reviews due --json`` prints them."""
    return [s.as_json() for s in statuses]


def since_review(status: Freshness) -> dt.datetime:
    """The start of the period a prompt's usage covers: the last review (or ever)."""
    if status.last_reviewed is None:
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return dt.datetime.combine(status.last_reviewed, dt.time(), tzinfo=dt.UTC)
