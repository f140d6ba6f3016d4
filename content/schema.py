"""The content pack format: ``pack.yaml``, ``personas/``, ``quizzes/``, ``scenarios/``.

The models are strict (unknown keys are errors) so typos in a pack surface at import
instead of silently dropping content. :mod:`content.loader` turns validation errors into
``file: field.path: message`` lines.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from content.quiz.text import normalised

LANGUAGES = ("en", "da", "nb", "sv", "de", "fr")
DECISION_ROLES = ("decision-maker", "influencer", "user", "champion", "gatekeeper")
EVIDENCE_KINDS = ("interview", "survey", "crm", "sales-feedback", "support", "analytics", "other")
DEFAULT_REVIEW_EVERY_DAYS = 90
DEFAULT_PASS_MARK = 80
DEFAULT_ROLEPLAY_PASS_MARK = 70
# The seeds' rule: a pack works best with 3 to 5 personas (``content validate`` warns).
DEFAULT_PERSONAS_MIN, DEFAULT_PERSONAS_MAX = 3, 5
MIN_CHOICES, MAX_CHOICES = 2, 6

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError("must be a slug of lowercase letters, digits and single dashes")
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address")
    return value.lower()


def _text(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Email = Annotated[str, AfterValidator(_email)]
Text = Annotated[str, AfterValidator(_text)]
Date = Annotated[dt.date, Field(strict=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Objection(_Strict):
    """Something a buyer says, and how to handle it."""

    id: Slug
    objection: Text
    phrasings: list[Text] = Field(default_factory=list)
    response: Text
    proof_points: list[Text] = Field(default_factory=list)


class Evidence(_Strict):
    """Where a persona's content comes from (interviews, CRM, support, ...)."""

    source: Text
    kind: Literal["interview", "survey", "crm", "sales-feedback", "support", "analytics", "other"]
    date: Date


class Persona(_Strict):
    """One buyer persona."""

    id: Slug
    name: Text
    aliases: list[Text] = Field(default_factory=list)
    role: Text
    summary: Text
    quote: Text | None = None
    decision_role: Literal["decision-maker", "influencer", "user", "champion", "gatekeeper"]
    goals: list[Text] = Field(min_length=1)
    pains: list[Text] = Field(min_length=1)
    motivations: list[Text] = Field(default_factory=list)
    buying_behaviour: list[Text] = Field(default_factory=list)
    information_sources: list[Text] = Field(default_factory=list)
    decision_criteria: list[Text] = Field(default_factory=list)
    triggers: list[Text] = Field(default_factory=list)
    disqualifiers: list[Text] = Field(default_factory=list)
    value_proposition: Text | None = None
    demographics: dict[str, str] = Field(default_factory=dict)
    objections: list[Objection] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    owners: list[Email] = Field(min_length=1)
    review_every_days: int | None = Field(default=None, gt=0)
    last_reviewed: Date | None = None

    def objection(self, objection_id: str) -> Objection | None:
        """Return this persona's objection with ``objection_id``, if it has one."""
        return next((o for o in self.objections if o.id == objection_id), None)

    def review_cadence(self, pack_default: int) -> int:
        """Days between reviews: the persona's own cadence or the pack's."""
        return self.review_every_days or pack_default

    def review_due(self, pack_default: int) -> dt.date | None:
        """The date the next review is due, or ``None`` if never reviewed."""
        if self.last_reviewed is None:
            return None
        return self.last_reviewed + dt.timedelta(days=self.review_cadence(pack_default))


def _percent(value: int) -> int:
    if not 1 <= value <= 100:
        raise ValueError(f"{value} must be a percentage from 1 to 100")
    return value


#: The persona's lists of plain text, in the schema's order.
LIST_FIELDS = (
    "goals",
    "pains",
    "motivations",
    "buying_behaviour",
    "information_sources",
    "decision_criteria",
    "triggers",
    "disqualifiers",
)


class Onboarding(_Strict):
    """``pack.yaml``'s ``onboarding``: who new people are quizzed on, and the pass mark."""

    pass_mark: Annotated[int, Field(strict=True), AfterValidator(_percent)] = DEFAULT_PASS_MARK
    personas: list[Slug] = Field(default_factory=list)  # empty: every persona


class FeedbackSettings(_Strict):
    """``pack.yaml``'s ``feedback``: when owners hear of proposals at once, and reviews."""

    # A proposal with this many independent reporters is sent to its owners at once
    # (otherwise they get one batched message a day).
    notify_at: int = Field(default=3, ge=1, strict=True)
    # An approved proposal counts as a review of the persona (resets its review clock).
    approvals_count_as_reviews: bool = Field(default=True, strict=True)


class PackInfo(_Strict):
    """``pack.yaml``: the pack's name, language, review cadence, admins and quiz settings."""

    name: Text
    language: Literal["en", "da", "nb", "sv", "de", "fr"]
    review_every_days: int = Field(default=DEFAULT_REVIEW_EVERY_DAYS, gt=0)
    admins: list[Email] = Field(default_factory=list)
    onboarding: Onboarding = Field(default_factory=Onboarding)
    leaderboard: bool = Field(default=True, strict=True)
    feedback: FeedbackSettings = Field(default_factory=FeedbackSettings)
    # Each manager's reports, by email: a manager may see their reports' progress.
    managers: dict[Email, list[Email]] = Field(default_factory=dict)
    # How many personas the pack should have; outside the range is a lint warning.
    # Groups of words or phrases that mean the same in this pack's market ("PO",
    # "purchase order"); questions using one find objections using another.
    synonyms: list[Annotated[list[Text], Field(min_length=2)]] = Field(default_factory=list)
    personas_min: int = Field(default=DEFAULT_PERSONAS_MIN, ge=1, strict=True)
    personas_max: int = Field(default=DEFAULT_PERSONAS_MAX, ge=1, strict=True)

    @field_validator("personas_max")
    @classmethod
    def _not_below_min(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("personas_min")
        if low is not None and value < low:
            raise ValueError(f"must not be below personas_min ({low})")
        return value


def _choices(choices: list[str]) -> list[str]:
    if not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
        raise ValueError(f"must list {MIN_CHOICES} to {MAX_CHOICES} choices, got {len(choices)}")
    first: dict[str, int] = {}
    for index, choice in enumerate(choices):
        earlier = first.setdefault(normalised(choice), index)
        if earlier != index:
            raise ValueError(
                f"choices[{index}] {choice!r} repeats choices[{earlier}] {choices[earlier]!r}"
            )
    return choices


class QuizQuestion(_Strict):
    """One question of an authored quiz."""

    question: Text
    choices: Annotated[list[Text], AfterValidator(_choices)]
    answer: Text
    explanation: Text

    @field_validator("answer")
    @classmethod
    def _among_choices(cls, answer: str, info: ValidationInfo) -> str:
        choices = info.data.get("choices")
        if choices is not None and normalised(answer) not in map(normalised, choices):
            raise ValueError("not among the choices")
        return answer

    @property
    def answer_index(self) -> int:
        """Index of the right choice."""
        wanted = normalised(self.answer)
        return next(i for i, c in enumerate(self.choices) if normalised(c) == wanted)


class Quiz(_Strict):
    """``quizzes/<id>.yaml``: a quiz written by hand, optionally about one persona."""

    id: Slug
    title: Text
    persona: Slug | None = None
    questions: list[QuizQuestion] = Field(min_length=1)


class RubricPoint(_Strict):
    """One thing a good answer to a role-play turn says, with the phrases that show it."""

    point: Text
    evidence: list[Text] = Field(min_length=1)
    weight: int = Field(default=1, ge=1, le=100, strict=True)


class ScenarioTurn(_Strict):
    """One turn of a role-play: an objection (the persona's id, or the buyer's words)."""

    objection: Text
    rubric: list[RubricPoint] = Field(default_factory=list)  # empty: from the response


class Scenario(_Strict):
    """``scenarios/<id>.yaml``: a role-play written by hand for one persona."""

    id: Slug
    title: Text
    persona: Slug
    situation: Text
    opening: Text | None = None
    turns: list[ScenarioTurn] = Field(min_length=1)
    pass_mark: Annotated[int, Field(strict=True), AfterValidator(_percent)] = (
        DEFAULT_ROLEPLAY_PASS_MARK
    )


class Pack(BaseModel):
    """A loaded, validated content pack."""

    model_config = ConfigDict(frozen=True)

    info: PackInfo
    personas: tuple[Persona, ...]
    quizzes: tuple[Quiz, ...] = ()
    scenarios: tuple[Scenario, ...] = ()

    @property
    def language(self) -> str:
        """The pack's ISO 639-1 language code."""
        return self.info.language

    def persona(self, persona_id: str) -> Persona | None:
        """Return the persona with ``persona_id``, if the pack has one."""
        return next((p for p in self.personas if p.id == persona_id), None)

    def quiz(self, quiz_id: str) -> Quiz | None:
        """Return the authored quiz with ``quiz_id``, if the pack has one."""
        return next((q for q in self.quizzes if q.id == quiz_id), None)
