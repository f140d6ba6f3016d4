"""The dashboard's HTML: key figures, charts (drawn by Chart.js) and tables.

The same page is ``GET /admin`` (scripts and styles from ``/admin/static/``, allowed by
its Content-Security-Policy) and ``personabot report --format html`` (everything inline,
one self-contained file). The figures travel in a ``<script type="application/json">``
block that ``dashboard.js`` reads; numbers and tables are rendered here, so they show
without scripts too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from html import escape
from importlib import resources
from typing import Any

Texts = Callable[..., str]

#: The static files, by the name they are served under.
STATIC = {
    "chart.umd.min.js": "application/javascript",
    "dashboard.js": "application/javascript",
    "dashboard.css": "text/css",
    "chart.js.LICENSE.md": "text/plain",
}
#: The charts in page order: (id, kind). ``dashboard.js`` knows how to fill each.
CHARTS = (
    ("per_day", "line"),
    ("weekly_askers", "line"),
    ("by_persona", "bar"),
    ("by_platform", "bar"),
    ("by_intent", "bar"),
    ("helpful", "bar"),
    ("freshness", "line"),
    ("quiz_week", "bar"),
    ("mastery", "bar"),
    ("roleplay", "bar"),
    ("funnel", "bar"),
    ("health", "bar"),
)
TILES = (
    ("questions", "questions", ""),
    ("askers", "askers", ""),
    ("unanswered", "unanswered_percent", "%"),
    ("helpful", "helpful_percent", "%"),
    ("quizzes", "quizzes_completed", ""),
    ("roleplay_pass", "roleplay_pass_percent", "%"),
    ("freshness", "freshness_percent", "%"),
    ("median_days", "median_days", ""),
    ("health", "pack_health", "/100"),
)
LABEL_KEYS = (
    *(f"charts.{name}" for name, _ in CHARTS),
    "charts.helpful_yes",
    "charts.helpful_no",
    "charts.submitted",
    "charts.proposed",
    "charts.decided",
    "charts.approved",
    *(f"intents.{name}" for name in ("persona", "objection", "directory", "help", "unknown")),
)


def static_file(name: str) -> bytes:
    """A static file shipped in the package (Chart.js, its licence, the page's script)."""
    return (resources.files("bot.dashboard") / "static" / name).read_bytes()


def shown(value: object, unit: str = "") -> str:
    """A figure as shown: ``–`` for none."""
    return "–" if value is None else f"{value}{unit}"


def _json_block(element_id: str, value: object) -> str:
    # "</" cannot end the block early; the JSON stays valid.
    data = json.dumps(value, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return f'<script type="application/json" id="{element_id}">{data}</script>'


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], empty: str) -> str:
    if not rows:
        return f'<p class="empty">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(shown(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def previous_line(figures: Mapping[str, Any], key: str, unit: str, texts: Texts) -> str | None:
    """``Previous 30 days: 980`` for a headline figure that has one, else ``None``."""
    previous = figures.get("previous") or {}
    if key not in previous.get("summary", {}):
        return None
    value = shown(previous["summary"][key], unit)
    return texts("dashboard.previous", days=previous["days"], value=value)


def _previous(figures: Mapping[str, Any], key: str, unit: str, texts: Texts) -> str:
    line = previous_line(figures, key, unit, texts)
    if line is None:
        return ""
    return f'<span class="previous" data-previous="{key}">{escape(line)}</span>'


def _filter(figures: Mapping[str, Any], texts: Texts) -> str:
    period = figures["period"]
    options = [f'<option value="">{escape(texts("dashboard.all_personas"))}</option>']
    for pid, name in sorted(figures["personas"].items(), key=lambda item: item[1]):
        selected = " selected" if pid == period["persona"] else ""
        options.append(f'<option value="{escape(pid)}"{selected}>{escape(name)}</option>')
    return (
        '<form class="filter" method="get" action="/admin">'
        f'<label>{escape(texts("dashboard.since"))} <input type="date" name="since" '
        f'value="{escape(period["since"])}"></label>'
        f'<label>{escape(texts("dashboard.until"))} <input type="date" name="until" '
        f'value="{escape(period["until"])}"></label>'
        f'<label>{escape(texts("dashboard.persona"))} <select name="persona">'
        + "".join(options)
        + "</select></label>"
        f'<button type="submit">{escape(texts("dashboard.show"))}</button></form>'
    )


def _tables(figures: Mapping[str, Any], texts: Texts) -> str:
    t = "dashboard.tables."
    none = texts("dashboard.none")
    names = figures["personas"]
    gaps = [(a["text"], a["count"]) for a in figures["adoption"]["top_unanswered"]]
    owners = [
        (o, v["submitted"], v["proposed"], v["decided"], v["approved"], v["median_days"])
        for o, v in figures["funnel"]["by_owner"].items()
    ]
    training = [
        (
            names.get(pid, pid),
            v["answers"],
            v["correct_percent"],
            v["mastery_percent"],
            v["roleplays"],
            v["roleplay_score"],
        )
        for pid, v in figures["training"]["by_persona"].items()
    ]
    health = [
        (names.get(p["id"], p["id"]), p["score"], ", ".join(p["reasons"]))
        for p in figures["health"]["personas"]
    ]
    tr = figures["training"]
    track = texts(
        t + "track",
        completed=tr["track_completed"],
        players=tr["track_players"],
        recent=tr["track_completed_in_period"],
    )
    c = "dashboard.charts."
    return (
        f'<section id="gaps"><h2>{escape(texts(t + "gaps"))}</h2>'
        + _table([texts(t + "question"), texts(t + "count")], gaps, none)
        + f'</section><section id="owners"><h2>{escape(texts(t + "owners"))}</h2>'
        + _table(
            [
                texts(t + "owner"),
                texts(c + "submitted"),
                texts(c + "proposed"),
                texts(c + "decided"),
                texts(c + "approved"),
                texts("dashboard.tiles.median_days"),
            ],
            owners,
            none,
        )
        + f'</section><section id="training"><h2>{escape(texts(t + "training"))}</h2>'
        + f'<p class="track">{escape(track)}</p>'
        + _table(
            [
                texts("dashboard.persona"),
                texts(t + "answers"),
                texts(t + "correct"),
                texts(t + "mastery"),
                texts(t + "roleplays"),
                texts(t + "score"),
            ],
            training,
            none,
        )
        + f'</section><section id="health"><h2>{escape(texts(t + "health"))}</h2>'
        + _table(
            [texts("dashboard.persona"), texts(t + "health_score"), texts(t + "reasons")],
            health,
            none,
        )
        + "</section>"
    )


def render(
    figures: Mapping[str, Any],
    texts: Texts,
    *,
    pack: str,
    language: str,
    inline: bool = False,
    signed_in: str | None = None,
) -> str:
    """The dashboard page for ``figures``.

    Args:
        figures: What :meth:`bot.dashboard.figures.Figures.collect` returned.
        texts: The pack language's texts.
        pack: The pack's name (the title).
        language: The page's language (``<html lang>``).
        inline: Everything inline (a self-contained file) instead of ``/admin/static/``;
            no filter form and no sign-out then.
        signed_in: Who is signed in (shown with a sign-out button).
    """
    period = figures["period"]
    summary = figures["summary"]
    tiles = "".join(
        f'<div class="tile"><span class="value" data-figure="{key}">'
        f"{escape(shown(summary[key], unit))}</span>"
        f'<span class="label">{escape(texts("dashboard.tiles." + label))}</span>'
        f"{_previous(figures, key, unit, texts)}</div>"
        for label, key, unit in TILES
    )
    charts = "".join(
        f'<figure class="chart"><figcaption>{escape(texts("dashboard.charts." + name))}'
        f'</figcaption><div class="canvas"><canvas id="chart-{name}" data-chart="{name}" '
        f'data-kind="{kind}" role="img" aria-label="{escape(texts("dashboard.charts." + name))}">'
        "</canvas></div></figure>"
        for name, kind in CHARTS
    )
    labels = {key: texts("dashboard." + key) for key in LABEL_KEYS}
    if inline:
        head = f"<style>{static_file('dashboard.css').decode('utf-8')}</style>"
        scripts = "".join(
            f"<script>{static_file(name).decode('utf-8')}</script>"
            for name in ("chart.umd.min.js", "dashboard.js")
        )
        controls = ""
    else:
        head = '<link rel="stylesheet" href="/admin/static/dashboard.css">'
        scripts = (
            '<script src="/admin/static/chart.umd.min.js"></script>'
            '<script src="/admin/static/dashboard.js"></script>'
        )
        controls = _filter(figures, texts)
        if signed_in:
            controls += (
                '<form class="signout" method="post" action="/admin/signout">'
                f"<span>{escape(texts('dashboard.signed_in', email=signed_in))}</span> "
                f'<button type="submit">{escape(texts("dashboard.signout"))}</button></form>'
            )
    title = texts("dashboard.title", pack=pack)
    subtitle = texts("dashboard.subtitle", since=period["since"], until=period["until"])
    if period["persona"]:
        subtitle += f" · {figures['personas'].get(period['persona'], period['persona'])}"
    return (
        f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>{escape(title)}</title>{head}</head><body>"
        f'<header><h1>{escape(title)}</h1><p class="period">{escape(subtitle)}</p>'
        f"{controls}</header>"
        f'<section class="tiles">{tiles}</section>'
        f'<section class="charts">{charts}</section>'
        f"{_tables(figures, texts)}"
        f"{_json_block('figures', figures)}{_json_block('labels', labels)}"
        f"{scripts}</body></html>"
    )


def message_page(title: str, lines: Sequence[str], *, language: str) -> str:
    """A short page (sign in, refused, how to sign in), styled like the dashboard."""
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return (
        f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="/admin/static/dashboard.css">'
        f'</head><body class="message"><h1>{escape(title)}</h1>{body}</body></html>'
    )


def signin_page(title: str, intro: str, button: str, token: str, *, language: str) -> str:
    """The page a sign-in link opens: one button that posts the link's token."""
    return (
        f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="/admin/static/dashboard.css">'
        f'</head><body class="message"><h1>{escape(title)}</h1><p>{escape(intro)}</p>'
        '<form method="post" action="/admin/signin">'
        f'<input type="hidden" name="token" value="{escape(token)}">'
        f'<button type="submit" id="signin">{escape(button)}</button></form></body></html>'
    )
