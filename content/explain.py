"""Why a question got its answer: for ``personabot ask --explain`` and pack authors.

Shows the words as read (typos corrected), the synonyms that linked a word to the pack's
wording, the question's terms the answer matched, and the runner-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from content.analysis import words
from content.plain import plain
from content.ranking import Candidate
from content.retrieval import MAX_QUESTION, Retriever, Understanding


@dataclass(frozen=True, kw_only=True)
class Explanation:
    """What the bot read in a question and why it answered as it did.

    Attributes:
        understood: The answer (intent, ids, confidence, alternatives).
        corrections: ``(typed, read as)`` for each word corrected.
        synonyms: ``(term, concept, members)``: a term linked through a concept, with the
            concept's first members (``~price``: price, prices, …).
        matched: Question term → how the answer's objection contains it (``word``,
            ``synonym`` or ``part`` of a compound).
        content: The question's content terms (what it is about).
        light: Content terms that weigh little (common words the pack never uses).
        runner_up: The next best answer, if any.
    """

    understood: Understanding
    corrections: tuple[tuple[str, str], ...]
    synonyms: tuple[tuple[str, str, tuple[str, ...]], ...]
    matched: dict[str, str]
    content: tuple[str, ...]
    light: tuple[str, ...]
    runner_up: Candidate | None


def explain(retriever: Retriever, text: str) -> Explanation:
    """Explain how ``retriever`` understands ``text``."""
    understood = retriever.understand(text)
    clean = plain(text[:MAX_QUESTION])
    typed = words(clean)
    surface, terms = retriever._read(clean)  # noqa: SLF001 - as understand reads it
    corrections = tuple((t, r) for t, r in zip(typed, surface, strict=True) if t != r)
    cues = retriever._cues(clean, surface, terms)  # noqa: SLF001
    synonyms = tuple(
        (t, c, retriever.synonyms.members.get(c, ())[:4])
        for t in dict.fromkeys(cues.content)
        for c in retriever.synonyms.of(t)
    )
    matched: dict[str, str] = {}
    if understood.objection_id and understood.persona_id:
        matched = retriever.objections.how_matched(
            cues.content, understood.persona_id, understood.objection_id
        )
    return Explanation(
        understood=understood,
        corrections=corrections,
        synonyms=synonyms,
        matched=matched,
        content=tuple(cues.content),
        light=tuple(sorted(cues.light)),
        runner_up=understood.candidates[0] if understood.candidates else None,
    )


def explain_lines(explanation: Explanation) -> list[str]:
    """The explanation as short lines for a terminal (pack authors read them)."""
    u = explanation.understood
    answer = u.objection_id and f"{u.persona_id}/{u.objection_id}" or u.persona_id or "-"
    lines = [f"  answer: {u.intent} {answer} (confidence {u.confidence:.2f})"]
    if explanation.corrections:
        fixed = ", ".join(f"{a} → {b}" for a, b in explanation.corrections)
        lines.append(f"  corrected: {fixed}")
    lines.append(f"  read as: {' '.join(explanation.content) or '-'}")
    if explanation.light:
        lines.append(f"  weigh little: {', '.join(explanation.light)}")
    if explanation.synonyms:
        linked = "; ".join(f"{t} ~ {c[1:]} ({', '.join(m)})" for t, c, m in explanation.synonyms)
        lines.append(f"  synonyms: {linked}")
    if explanation.matched:
        lines.append(
            "  matched: " + ", ".join(f"{t} ({how})" for t, how in explanation.matched.items())
        )
    r = explanation.runner_up
    if r is not None:
        other = f"{r.persona_id}/{r.objection_id}" if r.objection_id else r.persona_id
        lines.append(f"  runner-up: {other} (confidence {r.confidence:.2f})")
    else:
        lines.append("  runner-up: none")
    return lines
