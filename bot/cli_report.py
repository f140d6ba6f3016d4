"""``personabot report``: the dashboard's figures in the terminal, as JSON, or as one HTML file.

The figures are the dashboard's (:class:`bot.dashboard.figures.Figures`), for a period
of days (``--since``/``--until``, both included; default the last 30 days) and
optionally one persona. ``--format text`` draws small bar charts with block characters,
``json`` prints what ``GET /admin/data`` returns, ``html`` writes a self-contained page
with the charts (Chart.js inline: it opens offline, and can be mailed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli_reviews import review_date
from bot.cli_support import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from bot.settings import Settings

if TYPE_CHECKING:
    from content.schema import Persona
    from storage.db import Database

#: Width of the longest bar, in characters.
BAR_WIDTH = 30
#: Periods longer than this many days are charted per week in text.
DAILY_UP_TO = 31


def add_report_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], content_opt: argparse.ArgumentParser
) -> None:
    """Add ``report`` to the command line."""
    report = sub.add_parser(
        "report",
        parents=[content_opt],
        help="adoption, answer quality, training, freshness, feedback and health figures "
        "(text with bar charts, JSON, or one HTML file)",
    )
    report.add_argument(
        "--since", type=review_date, metavar="YYYY-MM-DD", help="first day (default: 30 days ago)"
    )
    report.add_argument(
        "--until", type=review_date, metavar="YYYY-MM-DD", help="last day (default: today)"
    )
    report.add_argument("--persona", metavar="NAME", help="one persona (its id or name)")
    report.add_argument("--format", choices=("text", "json", "html"), default="text")
    report.add_argument(
        "--out", type=Path, metavar="FILE", help="write to FILE instead of standard output"
    )
    report.set_defaults(run=report_command)


def report_command(args: argparse.Namespace, settings: Settings) -> int:
    """Print or write the report.

    It reads the live personas as the bot last imported them (``serve`` and ``chat``
    import the pack at start), without building the bot: a report is quick.
    """
    from bot.cli_support import print_pack_errors
    from bot.dashboard.figures import Figures, period_of
    from bot.dashboard.page import render
    from bot.i18n import Texts
    from content.loader import EXAMPLE_PACK, PackError, load_pack
    from storage.personas import PersonaRepository

    try:
        pack = load_pack(settings.content or EXAMPLE_PACK)
    except PackError as exc:
        print_pack_errors(exc)
        return EXIT_FAILED
    texts = Texts(language=pack.language)
    db = _database(settings)
    if db is None:
        return EXIT_FAILED
    try:
        live = PersonaRepository(db=db).live() or list(pack.personas)
        persona = None
        if args.persona:
            found = _named(live, args.persona)
            if found is None:
                names = ", ".join(p.name for p in live)
                message = texts("dashboard.report.no_persona", name=args.persona, personas=names)
                print(f"personabot: {message}", file=sys.stderr)
                return EXIT_USAGE
            persona = found
        today = dt.datetime.now(dt.UTC).date()
        period = period_of(today=today, since=args.since, until=args.until, persona=persona)
        figures = Figures(db=db, pack=pack, personas=lambda: live).collect(period)
    finally:
        db.dispose()
    if args.format == "json":
        out = json.dumps(figures, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    elif args.format == "html":
        out = render(figures, texts, pack=pack.info.name, language=pack.language, inline=True)
    else:
        out = "\n".join(text_report(figures, texts, pack=pack.info.name)) + "\n"
    if args.out:
        args.out.write_text(out, encoding="utf-8")
        print(texts("dashboard.report.saved", path=args.out))
    else:
        sys.stdout.write(out)
    return EXIT_OK


def _database(settings: Settings) -> Database | None:
    """The database, brought up to date; on any trouble, the CLI's own way with its errors.

    The quick way leaves the bot's wiring (``bot.app``, a third of a second of imports) out.
    """
    from bot.cli_support import open_db
    from storage.db import Database

    db = None
    try:
        db = Database(url=settings.database_url)
        if db.needs_upgrade():
            db.upgrade()
    except Exception:  # noqa: BLE001 - open_db says what is wrong, in one line
        if db is not None:
            db.dispose()
        return open_db(settings)
    return db


def _named(personas: Sequence[Persona], wanted: str) -> str | None:
    """The id of the persona called ``wanted`` (its id or name; case and spacing aside)."""
    key = " ".join(wanted.casefold().split())
    for persona in personas:
        if key in (persona.id.casefold(), " ".join(persona.name.casefold().split())):
            return persona.id
    return None


def bars(values: Mapping[str, float | int | None], *, unit: str = "") -> list[str]:
    """One line per value: its label, a bar scaled to the largest, the value."""
    shown = {k: v for k, v in values.items() if v is not None}
    if not shown:
        return []
    width = max(len(k) for k in shown)
    top = 100 if unit in ("%", "/100") else (max(shown.values()) or 1)
    lines = []
    for label, value in shown.items():
        eighths = round(BAR_WIDTH * 8 * value / top)
        bar = "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]
        lines.append(f"  {label:<{width}}  {bar or '·'} {value}{unit}")
    return lines


def text_report(figures: Mapping[str, Any], texts: Any, *, pack: str) -> list[str]:
    """The figures as lines of text with small bar charts."""
    from bot.dashboard.page import TILES, previous_line, shown

    period = figures["period"]
    names: dict[str, str] = figures["personas"]
    summary = figures["summary"]
    lines = [
        texts("dashboard.title", pack=pack),
        texts("dashboard.subtitle", since=period["since"], until=period["until"])
        + (f" · {names.get(period['persona'], period['persona'])}" if period["persona"] else ""),
        "",
    ]
    for label, key, unit in TILES:
        before = previous_line(figures, key, unit, texts)
        after = f" ({before})" if before else ""
        lines.append(f"  {texts('dashboard.tiles.' + label)}: {shown(summary[key], unit)}{after}")
    adoption, training = figures["adoption"], figures["training"]
    quality, funnel = figures["quality"], figures["funnel"]
    days = len(adoption["per_day"]) <= DAILY_UP_TO and _days(period) <= DAILY_UP_TO
    per_person = {names.get(k, k): v for k, v in adoption["by_persona"].items()}

    def persona_field(field: str) -> dict[str, Any]:
        return {names.get(k, k): v[field] for k, v in training["by_persona"].items()}

    charts: list[tuple[str, Mapping[str, Any], str]] = [
        ("per_day" if days else "per_week", adoption["per_day" if days else "per_week"], ""),
        ("weekly_askers", adoption["weekly_askers"], ""),
        ("by_persona", per_person, ""),
        ("by_platform", adoption["by_platform"], ""),
        (
            "by_intent",
            {texts("dashboard.intents." + k): v for k, v in adoption["by_intent"].items()},
            "",
        ),
        ("helpful", {w: f"{y}/{y + n}" for w, (y, n) in quality["per_week"].items()}, ""),
        ("freshness", figures["freshness"]["per_week"], "%"),
        ("quiz_week", training["per_week"], ""),
        ("mastery", persona_field("mastery_percent"), "%"),
        ("roleplay", persona_field("pass_percent"), "%"),
        (
            "funnel",
            {
                texts("dashboard.charts." + s): funnel[s]
                for s in ("submitted", "proposed", "decided", "approved")
            },
            "",
        ),
        (
            "health",
            {names.get(p["id"], p["id"]): p["score"] for p in figures["health"]["personas"]},
            "/100",
        ),
    ]
    for name, values, unit in charts:
        lines += ["", texts("dashboard.charts." + name)]
        if name == "helpful":  # helpful of all votes, per week
            rows = [f"  {week}  {ratio}" for week, ratio in values.items()]
        else:
            rows = bars(values, unit=unit)
        lines += rows or ["  " + texts("dashboard.none")]
    lines += ["", texts("dashboard.tables.gaps")]
    gaps = adoption["top_unanswered"]
    lines += [f"  {g['count']:>4}  {g['text']}" for g in gaps] or ["  " + texts("dashboard.none")]
    lines += ["", texts("dashboard.tables.owners")]
    for owner, v in funnel["by_owner"].items():
        lines.append(
            f"  {owner}: {v['submitted']} → {v['proposed']} → {v['decided']} "
            f"({v['approved']} ✓), {shown(v['median_days'])}"
        )
    if not funnel["by_owner"]:
        lines.append("  " + texts("dashboard.none"))
    lines += [
        "",
        texts(
            "dashboard.tables.track",
            completed=training["track_completed"],
            players=training["track_players"],
            recent=training["track_completed_in_period"],
        ),
    ]
    return lines


def _days(period: Mapping[str, str]) -> int:
    since = dt.date.fromisoformat(period["since"])
    return (dt.date.fromisoformat(period["until"]) - since).days + 1
