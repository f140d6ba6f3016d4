"""The weekly digest: "Personas in action", a card a channel reads rather than skips.

For a period (the week before it is posted) it shows:

* freshness: the share of personas reviewed within their cadence, as a percentage, with
  the stale ones (due or overdue) named, most overdue first;
* the personas updated in the period and from whose edits (with the note that says why),
  imports from the content pack, and reviews recorded in chat;
* the most asked questions and the unanswered ones (intent ``unknown``), with counts;
* quiz and role-play completions, and the top learners by quiz points, leaving out
  players who hid from leaderboards, and shown only when the pack has leaderboards.

Read through repositories only (:mod:`storage.digest_data`); sending and claiming the
week's post is :mod:`bot.digest_job`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from bot.i18n import Texts
from bot.model import Card, Field, Reply
from content.catalog import Catalog
from content.freshness import Freshness, fresh_share
from storage.digest_data import DigestData, PersonaChange, ReviewDone

INTENT = "digest"
#: How many questions of each kind, stale personas and learners are shown.
TOP = 5
STALE_SHOWN = 10
#: Intents of questions the bot answered (commands and flows are left out).
ANSWERED = ("persona", "objection", "directory")
#: How long a week is.
WEEK = dt.timedelta(days=7)


class DigestBuilder:
    """Builds the weekly digest.

    Args:
        catalog: Returns the live personas.
        data: The digest's facts.
        statuses: Every persona's review status on a date.
        texts: Texts in the pack's language.
        leaderboard: Whether the pack shows leaderboards (``leaderboard: false`` hides
            the top learners).
        timezone: The time zone dates are shown in.
    """

    def __init__(
        self,
        *,
        catalog: Callable[[], Catalog],
        data: DigestData,
        statuses: Callable[[dt.date], Sequence[Freshness]],
        texts: Texts,
        leaderboard: bool,
        timezone: str = "UTC",
    ) -> None:
        self.catalog = catalog
        self.data = data
        self.statuses = statuses
        self.texts = texts
        self.leaderboard = leaderboard
        self.zone = ZoneInfo(timezone)

    def build(self, *, until: dt.datetime, since: dt.datetime | None = None) -> Reply:
        """The digest of ``[since, until)`` (by default the week before ``until``)."""
        since = since if since is not None else until - WEEK
        texts = self.texts
        start, end = since.astimezone(self.zone), until.astimezone(self.zone)
        statuses = list(self.statuses(end.date()))
        percent = round(100 * fresh_share(statuses))
        fields = [
            self._freshness(statuses, percent),
            self._updates(since, until),
            self._questions("digest.asked_label", ANSWERED, since, until, "digest.no_questions"),
            self._questions("digest.unanswered_label", ("unknown",), since, until, "digest.none"),
            self._training(since, until),
        ]
        if self.leaderboard:
            fields.append(self._learners(since, until))
        card = Card(
            title=texts("digest.title", date=start.date().isoformat()),
            subtitle=texts(
                "digest.period",
                start=start.date().isoformat(),
                end=end.date().isoformat(),
                pack=self.catalog().pack_name,
            ),
            badges=(texts("digest.badge", percent=percent),),
            fields=tuple(fields),
            footer=texts("digest.footer"),
        )
        meta = {
            "intent": INTENT,
            "confidence": 1.0,
            "freshness": percent,
            "since": since.isoformat(),
            "until": until.isoformat(),
        }
        return Reply(text=texts("digest.intro", percent=percent), cards=(card,), meta=meta)

    # -- the card's fields ------------------------------------------------------------------

    def _freshness(self, statuses: Sequence[Freshness], percent: int) -> Field:
        texts = self.texts
        fresh = sum(1 for s in statuses if s.status in ("fresh", "soon"))
        text = texts("digest.freshness", percent=percent, fresh=fresh, total=len(statuses))
        stale = [s for s in statuses if s.status in ("due", "overdue")]
        if not stale:
            return Field(
                label=texts("digest.freshness_label"), text=f"{text} {texts('digest.all_fresh')}"
            )
        items = [self._stale(s) for s in stale[:STALE_SHOWN]]
        if len(stale) > STALE_SHOWN:
            items.append(texts("digest.more", count=len(stale) - STALE_SHOWN))
        return Field(
            label=texts("digest.freshness_label"),
            text=f"{text} {texts('digest.stale', count=len(stale))}",
            items=tuple(items),
        )

    def _stale(self, status: Freshness) -> str:
        texts = self.texts
        snoozed = (
            texts("digest.snoozed", date=status.snoozed_until.isoformat())
            if status.snoozed_until
            else ""
        )
        return texts(
            "digest.stale_item",
            name=status.name,
            status=texts(f"review.status.{status.status}"),
            due=status.due_on.isoformat(),
            owners=", ".join(status.owners) or texts("digest.no_owner"),
            snoozed=snoozed,
        )

    def _updates(self, since: dt.datetime, until: dt.datetime) -> Field:
        texts = self.texts
        changes = self.data.persona_changes(since, until)
        reviews = self.data.reviews(since, until)
        how: dict[str, list[str]] = {}
        for persona_id, said in [*_changes(changes, texts), *_reviews(reviews, texts)]:
            parts = how.setdefault(persona_id, [])
            if said not in parts:
                parts.append(said)
        label = texts("digest.updated_label")
        if not how:
            return Field(label=label, text=texts("digest.no_updates"))
        items = tuple(
            texts("digest.updated_item", name=self._name(pid), how="; ".join(parts))
            for pid, parts in how.items()
        )
        return Field(label=label, items=items)

    def _questions(
        self,
        label: str,
        intents: Sequence[str],
        since: dt.datetime,
        until: dt.datetime,
        empty: str,
    ) -> Field:
        texts = self.texts
        asked = self.data.questions(since, until, intents=intents, limit=TOP)
        if not asked:
            return Field(label=texts(label), text=texts(empty))
        items = tuple(texts("digest.question_item", text=a.text, count=a.count) for a in asked)
        return Field(label=texts(label), items=items)

    def _training(self, since: dt.datetime, until: dt.datetime) -> Field:
        texts = self.texts
        quizzes = self.data.quiz_completions(since, until)
        roleplays = self.data.roleplay_completions(since, until)
        items = (
            texts("digest.quizzes", count=quizzes.count, people=quizzes.people),
            texts(
                "digest.roleplays",
                count=roleplays.count,
                people=roleplays.people,
                passed=roleplays.passed,
            ),
        )
        return Field(label=texts("digest.training_label"), items=items)

    def _learners(self, since: dt.datetime, until: dt.datetime) -> Field:
        texts = self.texts
        learners = self.data.top_learners(since, until, limit=TOP)
        if not learners:
            return Field(label=texts("digest.learners_label"), text=texts("digest.no_learners"))
        items = []
        rank = 0
        for index, learner in enumerate(learners):
            if index == 0 or learner.points != learners[index - 1].points:
                rank = index + 1
            items.append(
                texts("digest.learner_item", rank=rank, name=learner.name, points=learner.points)
            )
        return Field(label=texts("digest.learners_label"), items=tuple(items))

    def _name(self, persona_id: str) -> str:
        persona = self.catalog().persona(persona_id)
        return persona.name if persona is not None else persona_id


def _changes(changes: Sequence[PersonaChange], texts: Texts) -> list[tuple[str, str]]:
    """What each persona version says: edited by whom (and why), or from the pack."""
    out = []
    for change in changes:
        if change.source == "edit":
            said = texts("digest.edited_by", author=change.author or "?")
            if change.note and change.note.strip():
                said += " " + texts("digest.because", note=" ".join(change.note.split())[:200])
        elif change.version == 1:
            said = texts("digest.added")
        else:
            said = texts("digest.imported")
        out.append((change.persona_id, said))
    return out


def _reviews(reviews: Sequence[ReviewDone], texts: Texts) -> list[tuple[str, str]]:
    """What each review recorded in chat says: confirmed, or a proposal approved, by whom."""
    return [
        (review.persona_id, texts(f"digest.{review.kind}_by", by=review.by or "?"))
        for review in reviews
    ]
