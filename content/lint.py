"""Persona-health lint: warnings about a valid pack, and a health score per persona.

Errors (:mod:`content.loader`) make a pack unusable; warnings here flag the known ways
personas fail: too many or too few, guesswork instead of evidence, demographics without
substance, weak objection handling, two personas that are really one, placeholder
owners and overdue reviews. Each warning names the file, the field and a one-line fix
(the texts are the locale's ``validate.warn.<kind>`` and ``validate.fix.<kind>``).

A persona's health score starts at 100 and loses :data:`POINTS` for each of its
warnings (not below 0). The pack's score is the mean of its personas' scores, minus the
points of the pack's own warnings (not below 0). Pure functions: no database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from content.analysis import Analyzer, fold, words
from content.freshness import freshness
from content.schema import Pack, Persona

#: Points a warning of each kind takes off the score (persona's, or the pack's).
POINTS: Mapping[str, int] = {
    "too_few_personas": 10,
    "too_many_personas": 10,
    "no_evidence": 25,
    "stale_evidence": 15,
    "thin_substance": 15,
    "no_quote": 10,
    "short_response": 5,
    "no_proof_point": 5,
    "too_alike": 20,
    "placeholder_owner": 15,
    "never_reviewed": 15,
    "review_overdue": 15,
}
#: An objection's response shorter than this many words is too short to use on a call.
MIN_RESPONSE_WORDS = 12
#: Goals or pains with fewer items than this are thin next to personal demographics.
MIN_SUBSTANCE_ITEMS = 2
#: Two personas whose goals, pains and objections share this share of their terms
#: (Jaccard) are one persona. The bundled packs' most alike pair is at about 0.2.
ALIKE_THRESHOLD = 0.5
#: Evidence older than this many review periods is stale.
STALE_EVIDENCE_PERIODS = 2
# Demographics keys about the person rather than the buyer (any language of a pack),
# matched as words of the folded key: "age", "hobbies", "kjønn", "Familienstand".
_PERSONAL_WORDS = (
    "age",
    "alder",
    "ålder",
    "alter",
    "âge",
    "gender",
    "sex",
    "køn",
    "kjønn",
    "kön",
    "geschlecht",
    "genre",
    "sexe",
    "hobby",
    "hobbies",
    "hobbyer",
    "hobbys",
    "fritid",
    "fritidsinteresser",
    "freizeit",
    "loisirs",
    "interests",
    "interesser",
    "intressen",
    "interessen",
    "intérêts",
    "family",
    "familie",
    "familj",
    "famille",
    "familienstand",
    "civilstand",
    "sivilstatus",
    "marital",
    "married",
    "children",
    "kids",
    "børn",
    "barn",
    "kinder",
    "enfants",
    "pets",
    "husdyr",
    "haustiere",
    "car",
    "bil",
    "auto",
    "voiture",
)
_PERSONAL_KEYS = frozenset(fold(word) for word in _PERSONAL_WORDS)
# Owner domains that are placeholders, not a mailbox anyone reads. The ``.example``
# top-level domain of the bundled packs (``fieldline.example``) is accepted: it names a
# made-up company on purpose, while ``example.com`` and ``.test`` are left-over stubs.
_PLACEHOLDER_DOMAINS = ("example.com", "example.org", "example.net")
_PLACEHOLDER_TLDS = ("test", "invalid", "localhost")


@dataclass(frozen=True, kw_only=True)
class LintWarning:
    """One warning.

    Attributes:
        kind: A key of :data:`POINTS` (and of the locale's ``validate.warn``/``validate.fix``).
        file: ``pack.yaml`` or ``personas/<id>.yaml``.
        field: The field path in that file (``objections[2].response``).
        persona: The persona's id, or ``None`` for a pack-level warning.
        values: What the message's placeholders are filled with.
    """

    kind: str
    file: str
    field: str
    persona: str | None = None
    values: Mapping[str, str | int] = dataclasses.field(default_factory=dict)

    @property
    def points(self) -> int:
        """Points this warning takes off the score."""
        return POINTS[self.kind]


@dataclass(frozen=True, kw_only=True)
class PersonaHealth:
    """One persona's score (0 to 100) and the warnings that are its reasons."""

    persona: str
    score: int
    warnings: tuple[LintWarning, ...]


@dataclass(frozen=True, kw_only=True)
class PackHealth:
    """The pack's score, its own warnings, and every persona's health."""

    score: int
    warnings: tuple[LintWarning, ...]
    personas: tuple[PersonaHealth, ...]

    @property
    def all_warnings(self) -> list[LintWarning]:
        """Pack-level warnings first, then each persona's, in persona order."""
        return [*self.warnings, *(w for p in self.personas for w in p.warnings)]


def health(pack: Pack, *, at: dt.date, reviewed: Mapping[str, dt.date] | None = None) -> PackHealth:
    """Lint ``pack`` on the date ``at`` and score it (``reviewed``: see :func:`lint`)."""
    warnings = lint(pack, at=at, reviewed=reviewed)
    own = tuple(w for w in warnings if w.persona is None)
    personas = tuple(
        PersonaHealth(
            persona=p.id,
            score=_score(mine := tuple(w for w in warnings if w.persona == p.id)),
            warnings=mine,
        )
        for p in pack.personas
    )
    mean = sum(p.score for p in personas) / len(personas) if personas else 100.0
    score = max(0, round(mean) - sum(w.points for w in own))
    return PackHealth(score=score, warnings=own, personas=personas)


def _score(warnings: tuple[LintWarning, ...]) -> int:
    return max(0, 100 - sum(w.points for w in warnings))


def lint(
    pack: Pack, *, at: dt.date, reviewed: Mapping[str, dt.date] | None = None
) -> list[LintWarning]:
    """Every warning for ``pack`` on the date ``at``: the pack's first, then by persona.

    ``reviewed`` holds reviews recorded in chat, by persona id (the bot's own view);
    ``content validate`` reads the files only.
    """
    out = _count_warnings(pack)
    alike = _alike(pack)
    cadence = pack.info.review_every_days
    statuses = {
        f.persona_id: f
        for f in freshness(pack.personas, pack_cadence=cadence, at=at, reviewed=reviewed)
    }
    for persona in pack.personas:
        out.extend(_evidence(persona, cadence, at))
        out.extend(_substance(persona))
        out.extend(_objections(persona))
        out.extend(alike.get(persona.id, []))
        out.extend(_owners(persona))
        status = statuses[persona.id]
        if status.last_reviewed is None:
            out.append(_warn("never_reviewed", persona, "last_reviewed"))
        elif status.status in ("due", "overdue"):
            out.append(
                _warn(
                    "review_overdue",
                    persona,
                    "last_reviewed",
                    due=status.due_on.isoformat(),
                    days=status.days_overdue,
                    cadence=status.cadence_days,
                )
            )
    return out


def _warn(kind: str, persona: Persona, path: str, **values: str | int) -> LintWarning:
    return LintWarning(
        kind=kind, file=f"personas/{persona.id}.yaml", field=path, persona=persona.id, values=values
    )


def _count_warnings(pack: Pack) -> list[LintWarning]:
    count, low, high = len(pack.personas), pack.info.personas_min, pack.info.personas_max
    if low <= count <= high:
        return []
    kind = "too_few_personas" if count < low else "too_many_personas"
    return [
        LintWarning(
            kind=kind,
            file="pack.yaml",
            field="personas",
            values={"count": count, "min": low, "max": high},
        )
    ]


def _evidence(persona: Persona, pack_cadence: int, at: dt.date) -> list[LintWarning]:
    if not persona.evidence:
        return [_warn("no_evidence", persona, "evidence")]
    days = STALE_EVIDENCE_PERIODS * persona.review_cadence(pack_cadence)
    newest = max(e.date for e in persona.evidence)
    if (at - newest).days > days:
        return [_warn("stale_evidence", persona, "evidence", newest=newest.isoformat(), days=days)]
    return []


def _substance(persona: Persona) -> list[LintWarning]:
    """Personal demographics (age, hobbies) while goals or pains are thin; and no quote."""
    out = []
    personal = [k for k in persona.demographics if _PERSONAL_KEYS & set(map(fold, words(k)))]
    thin = min(len(persona.goals), len(persona.pains)) < MIN_SUBSTANCE_ITEMS
    if personal and thin:
        out.append(
            _warn(
                "thin_substance",
                persona,
                f"demographics.{personal[0]}",
                keys=", ".join(personal),
                goals=len(persona.goals),
                pains=len(persona.pains),
            )
        )
    if not persona.quote:
        out.append(_warn("no_quote", persona, "quote"))
    return out


def _objections(persona: Persona) -> list[LintWarning]:
    out = []
    for index, objection in enumerate(persona.objections):
        count = len(words(objection.response))
        if count < MIN_RESPONSE_WORDS:
            out.append(
                _warn(
                    "short_response",
                    persona,
                    f"objections[{index}].response",
                    objection=objection.id,
                    words=count,
                    min=MIN_RESPONSE_WORDS,
                )
            )
        if not objection.proof_points:
            out.append(
                _warn(
                    "no_proof_point",
                    persona,
                    f"objections[{index}].proof_points",
                    objection=objection.id,
                )
            )
    return out


def similarity(a: Persona, b: Persona, analyzer: Analyzer) -> float:
    """Jaccard overlap (0 to 1) of two personas' goal, pain and objection terms."""
    first, second = _terms(a, analyzer), _terms(b, analyzer)
    union = first | second
    return len(first & second) / len(union) if union else 0.0


def _terms(persona: Persona, analyzer: Analyzer) -> set[str]:
    texts = [*persona.goals, *persona.pains, *(o.objection for o in persona.objections)]
    return set(analyzer.terms(" ".join(texts)))


def _alike(pack: Pack) -> dict[str, list[LintWarning]]:
    """``too_alike`` warnings, on both personas of each pair over :data:`ALIKE_THRESHOLD`."""
    analyzer = Analyzer(language=pack.language)
    out: dict[str, list[LintWarning]] = {}
    for a, b in itertools.combinations(pack.personas, 2):
        overlap = similarity(a, b, analyzer)
        if overlap < ALIKE_THRESHOLD:
            continue
        percent = round(overlap * 100)
        for one, other in ((a, b), (b, a)):
            out.setdefault(one.id, []).append(
                _warn("too_alike", one, "goals", other=other.id, percent=percent)
            )
    return out


def placeholder_address(email: str) -> bool:
    """Whether ``email`` is at a placeholder domain (``example.com``, ``.test``, ...)."""
    domain = email.rsplit("@", 1)[-1].lower().rstrip(".")
    if domain == "localhost" or domain.rsplit(".", 1)[-1] in _PLACEHOLDER_TLDS:
        return True
    return any(domain == d or domain.endswith("." + d) for d in _PLACEHOLDER_DOMAINS)


def _owners(persona: Persona) -> list[LintWarning]:
    bad = [(i, o) for i, o in enumerate(persona.owners) if placeholder_address(o)]
    if not bad:
        return []
    index, owner = bad[0]
    return [_warn("placeholder_owner", persona, f"owners[{index}]", owner=owner)]


def report_lines(result: PackHealth, texts: Callable[..., str]) -> list[str]:
    """The warnings (each with its fix) and the scores, as ``content validate`` prints them."""
    lines = []
    warnings = result.all_warnings
    if warnings:
        lines.append(texts("validate.warnings", count=len(warnings)))
    for w in warnings:
        message = texts(f"validate.warn.{w.kind}", **w.values)
        lines.append(f"  {w.file}: {w.field}: {message} [-{w.points}]")
        lines.append(
            "    " + texts("validate.fix_line", fix=texts(f"validate.fix.{w.kind}", **w.values))
        )
    pack_reasons = ", ".join(f"-{w.points} {w.field}" for w in result.warnings)
    lines.append(texts("validate.health_pack", score=result.score))
    if pack_reasons:
        lines[-1] += f" ({pack_reasons})"
    for persona in result.personas:
        line = texts("validate.health_persona", persona=persona.persona, score=persona.score)
        reasons = ", ".join(f"-{w.points} {w.field}" for w in persona.warnings)
        lines.append(f"  {line}" + (f" ({reasons})" if reasons else ""))
    return lines
