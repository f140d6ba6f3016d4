"""What a role-play looks like: the buyer's lines, the coach's marks, the result.

Pure functions from role-play state to :class:`~bot.model.Reply`; the role-play handler
decides what happens, these decide how it reads, in the pack's language. The buyer's
lines carry the persona's name as ``speaker`` (in character); the coach's do not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.i18n import Texts
from bot.model import Reply
from content.roleplay.scoring import Earned, Marked
from storage.roleplay import RoleplayResult

INTENT = "roleplay"


def meta(**values: Any) -> dict[str, Any]:
    """The machine-readable facts of a role-play reply (logs, ``--json``, metrics)."""
    return {"intent": INTENT, "confidence": 1.0, **values}


def buyer_reply(line: str, *, speaker: str, number: int, total: int, texts: Texts) -> Reply:
    """The buyer's line, in character, with the turn's number."""
    return Reply(
        text=line,
        speaker=texts("roleplay.speaker", name=speaker, number=number, total=total),
        meta=meta(turn=number),
    )


def marks_reply(marked: Marked, texts: Texts, *, objection: str) -> Reply:
    """The coach's mark of one turn: every point covered (with the seller's words) or not."""
    lines = [texts("roleplay.marked", objection=objection, score=marked.score)]
    lines += [_point_line(e, texts) for e in marked.earned]
    if "list" in marked.flags:
        lines.append(texts("roleplay.flag_list"))
    if "long" in marked.flags:
        lines.append(texts("roleplay.flag_long"))
    return Reply(text="\n".join(lines), meta=meta(score=marked.score))


def _point_line(earned: Earned, texts: Texts) -> str:
    worth = _number(earned.point.weight)
    got = _number(earned.points)
    if earned.credit >= 0.999:
        return texts("roleplay.covered", point=earned.point.text, worth=worth, quote=earned.quote)
    if earned.credit > 0:
        return texts(
            "roleplay.partly", point=earned.point.text, got=got, worth=worth, quote=earned.quote
        )
    return texts("roleplay.missed", point=earned.point.text, worth=worth)


def result_reply(
    *,
    score: int,
    pass_mark: int,
    models: Sequence[tuple[str, str]],
    practise: str | None,
    scenario: str,
    persona: str,
    texts: Texts,
) -> Reply:
    """The end: ``NN/100``, pass or fail, the model answers and what to practise next."""
    verdict = texts("roleplay.passed" if score >= pass_mark else "roleplay.failed")
    lines = [texts("roleplay.result", score=score, verdict=verdict, pass_mark=pass_mark)]
    lines.append(texts("roleplay.models"))
    lines += [texts("roleplay.model", objection=o, answer=a) for o, a in models]
    if practise:
        lines.append(
            texts("roleplay.practise", objection=practise, scenario=scenario, persona=persona)
        )
    lines.append(texts("roleplay.next"))
    return Reply(
        text="\n".join(lines),
        meta=meta(score=score, passed=score >= pass_mark, completed=True),
    )


def history_reply(
    results: Sequence[RoleplayResult], *, everyone: bool, name: str, texts: Texts
) -> Reply:
    """Past sessions, newest first: the user's, or everyone's for a pack admin."""
    if not results:
        return Reply(text=texts("roleplay.history_none"), meta=meta())
    title = texts("roleplay.history_all") if everyone else texts("roleplay.history", name=name)
    lines = [title]
    for result in results:
        if not result.completed:
            verdict = texts("roleplay.stopped_short")
        else:
            verdict = texts("roleplay.passed" if result.passed else "roleplay.failed")
        who = f"{result.user_name or result.user_email or result.user_key}: " if everyone else ""
        score = "–" if result.score is None else str(result.score)
        lines.append(
            texts(
                "roleplay.history_item",
                who=who,
                date=result.ended_at.date().isoformat(),
                title=result.title,
                score=score,
                verdict=verdict,
            )
        )
    return Reply(text="\n".join(lines), meta=meta())


def _number(value: float) -> str:
    return str(round(value)) if abs(value - round(value)) < 0.05 else f"{value:.1f}"
