"""The ``personabot`` command as a user runs it: a real process, real stdin/stdout."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from content.loader import EXAMPLE_PACK


def test_ask_reads_one_question_per_line_and_answers_in_order(run) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "ask",
        "--json",
        stdin="who is Oskar?\nwhat's for lunch?\n\nthe CFO says it's too expensive\n",
    )
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(a["intent"], a["persona"], a["objection"]) for a in answers] == [
        ("persona", "operations-director-oskar", None),
        ("unknown", None, None),
        ("objection", "cfo-frida", "price"),
    ]
    assert all(0 <= a["confidence"] <= 1 and a["text"] for a in answers)


def test_ask_one_question_as_text(run) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", "who", "is", "Tuva?")
    assert result.returncode == 0
    assert "== Team Lead Tuva ==" in result.stdout
    assert "Owner:" in result.stdout


def test_chat_picks_a_choice_by_number(run) -> None:  # type: ignore[no-untyped-def]
    result = run("chat", "--json", "--user", "seller@fieldline.example", stdin="who is Bjorn?\n1\n")
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert set(first["choices"][0]) == {"label", "value"}
    assert second["intent"] == "objection" and second["persona"] == "it-manager-bjorn"
    assert first["choices"][0]["value"] == f"objection:it-manager-bjorn/{second['objection']}"


def test_chat_in_text_mode_shows_numbered_choices(run) -> None:  # type: ignore[no-untyped-def]
    result = run("chat", stdin="who is Frida?\nquit\nwho is Oskar?\n")
    assert "[1] " in result.stdout
    assert "Oskar" not in result.stdout  # nothing after quit


def test_content_option_and_environment_choose_the_pack(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "pack"))
    path = pack / "personas/team-lead-tuva.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["name"] = "Crew Chief Tuva"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    by_option = run("ask", "--content", str(pack), "who is Tuva")
    assert "Crew Chief Tuva" in by_option.stdout
    by_env = run("ask", "who is Tuva", env={"PERSONABOT_CONTENT": str(pack)})
    assert "Crew Chief Tuva" in by_env.stdout


def test_a_dotenv_file_in_the_working_directory_is_read(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "dotenv-pack"))
    path = pack / "personas/cfo-frida.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: CFO Frida", "name: CFO Fríða"))
    (tmp_path / ".env").write_text(f"PERSONABOT_CONTENT={pack}\n", encoding="utf-8")
    assert "CFO Fríða" in run("ask", "who is Frida").stdout


def test_validate_reports_ok_and_errors(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ok = run("content", "validate", str(EXAMPLE_PACK))
    assert ok.returncode == 0
    assert "OK" in ok.stdout and "4 personas" in ok.stdout

    broken = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "broken"))
    (broken / "personas/cfo-frida.yaml").write_text(
        "id: cfo-frida\nname: Frida\n", encoding="utf-8"
    )
    bad = run("content", "validate", str(broken))
    assert bad.returncode == 1
    assert "personas/cfo-frida.yaml: goals: required" in bad.stderr
    assert "personas/cfo-frida.yaml: owners: required" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_a_broken_pack_stops_ask_with_the_errors(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "broken"))
    (broken / "pack.yaml").write_text("name: x\nlanguage: en\nadmins: [nope]\n", encoding="utf-8")
    result = run("ask", "--content", str(broken), "who is Oskar")
    assert result.returncode == 1
    assert "pack.yaml: admins[0]: 'nope' is not an email address" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "variable, value, message",
    [
        (
            "PERSONABOT_DATABASE_URL",
            "not a url",
            "PERSONABOT_DATABASE_URL: 'not a url' is not a database URL",
        ),
        ("PERSONABOT_DATABASE_URL", "mysql://x/y", "unsupported database 'mysql'"),
        (
            "PERSONABOT_CONTENT",
            "/no/such/pack",
            "PERSONABOT_CONTENT: /no/such/pack is not a directory",
        ),
        ("PERSONABOT_LOG_LEVEL", "LOUD", "PERSONABOT_LOG_LEVEL: 'LOUD' is not one of"),
    ],
)
def test_bad_settings_get_a_clear_message(run, variable: str, value: str, message: str) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", "who is Oskar", env={variable: value})
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade_then_import_reports_nothing_changed(run) -> None:  # type: ignore[no-untyped-def]
    upgrade = run("db", "upgrade")
    assert upgrade.returncode == 0 and "upgraded" in upgrade.stdout
    assert "already up to date" in run("db", "upgrade").stdout
    first = run("content", "import")
    assert first.returncode == 0 and "4 created" in first.stdout
    second = run("content", "import")
    assert "0 created, 0 updated, 4 unchanged" in second.stdout


def test_no_command_prints_usage(run) -> None:  # type: ignore[no-untyped-def]
    result = run()
    assert result.returncode == 2
    assert "ask" in result.stdout and "chat" in result.stdout


def other_pack(
    tmp_path: Path, name: str = "Northwind – buyer personas", language: str = "en"
) -> Path:
    """A copy of the example pack under another name, with Tuva renamed so it shows."""
    pack = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / f"pack-{language}-{len(name)}"))
    info = yaml.safe_load((pack / "pack.yaml").read_text(encoding="utf-8"))
    info.update(name=name, language=language)
    (pack / "pack.yaml").write_text(yaml.safe_dump(info, allow_unicode=True), encoding="utf-8")
    tuva = pack / "personas/team-lead-tuva.yaml"
    tuva.write_text(
        tuva.read_text(encoding="utf-8").replace("name: Team Lead Tuva", "name: Crew Lead Tuva"),
        encoding="utf-8",
    )
    return pack


def test_ask_without_content_leaves_a_database_holding_another_pack_alone(
    run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    pack = other_pack(tmp_path)
    assert run("content", "import", "--content", str(pack)).returncode == 0

    result = run("ask", "who is Tuva")  # PERSONABOT_CONTENT forgotten: the example pack

    assert result.returncode == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("personabot: the database holds the pack “Northwind – buyer personas”")
    assert "“Fieldline – field-service buyer personas”" in line
    # The installed example pack's path (site-packages in CI, the source tree here).
    assert re.search(r"personabot content import --content \S*content/example_pack --replace", line)
    chat = run("chat", stdin="who is Tuva\n")
    assert chat.returncode == 1 and chat.stderr.splitlines() == [line]
    # Nothing was archived or switched: the real pack still answers.
    assert "Crew Lead Tuva" in run("ask", "--content", str(pack), "who is Tuva").stdout


def test_import_of_another_pack_needs_replace(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = other_pack(tmp_path)
    assert run("content", "import").returncode == 0  # the example pack

    refused = run("content", "import", "--content", str(pack))
    assert refused.returncode == 1
    assert "nothing was imported" in refused.stderr and "--replace" in refused.stderr
    assert "Team Lead Tuva" in run("ask", "who is Tuva").stdout

    switched = run("content", "import", "--content", str(pack), "--replace")
    assert switched.returncode == 0, switched.stderr
    assert switched.stdout.splitlines()[0] == (
        "The database switched from the pack “Fieldline – field-service buyer personas” to "
        "“Northwind – buyer personas”; personas that are not in “Northwind – buyer personas” "
        "are archived."
    )
    assert "Crew Lead Tuva" in run("ask", "--content", str(pack), "who is Tuva").stdout
    assert run("ask", "who is Tuva").returncode == 1  # now the example pack is the other one


def test_eval_style_runs_on_fresh_databases_keep_working(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for i, pack in enumerate((other_pack(tmp_path), EXAMPLE_PACK)):
        env = {"PERSONABOT_DATABASE_URL": f"sqlite:///{tmp_path / f'fresh-{i}.db'}"}
        result = run("ask", "--content", str(pack), "--json", stdin="who is Tuva\n", env=env)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["persona"] == "team-lead-tuva"


def test_import_report_is_rendered_in_the_packs_language(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = other_pack(tmp_path, name="Nordvind – købere", language="da")
    result = run("content", "import", "--content", str(pack))
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        f"Importerede 4 personaer fra {pack}: 4 oprettet, 0 opdateret, 0 uændret, "
        "0 arkiveret, 0 i konflikt.",
        "  oprettet: cfo-frida, it-manager-bjorn, operations-director-oskar, team-lead-tuva",
    ]


def test_a_conflict_tells_the_admin_how_to_resolve_it(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from storage import Database, PersonaRepository

    pack = Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "pack"))
    assert run("content", "import", "--content", str(pack)).returncode == 0
    db = Database(url=f"sqlite:///{tmp_path / 'cli.db'}")
    try:
        repo = PersonaRepository(db=db)
        tuva = repo.get("team-lead-tuva")
        assert tuva is not None
        edited = tuva.model_copy(update={"summary": "Edited in chat."})
        when = dt.datetime(2026, 3, 4, 10, 30, tzinfo=dt.UTC)
        repo.save_edit(edited, author="anna@fieldline.example", note=None, now=when)
    finally:
        db.dispose()
    path = pack / "personas/team-lead-tuva.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("name: Team Lead Tuva", "name: Tuva"),
        encoding="utf-8",
    )

    result = run("content", "import", "--content", str(pack))

    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].endswith("3 unchanged, 0 archived, 1 in conflict.")
    assert lines[1] == (
        "CONFLICT team-lead-tuva: personas/team-lead-tuva.yaml and the persona in chat both "
        "changed since the last import (v1): the live version v2 was made by "
        "anna@fieldline.example on 2026-03-04 10:30 UTC. Nothing was changed for this persona. "
        "To resolve, copy the chat edits into personas/team-lead-tuva.yaml and import again, "
        "or run `personabot content import --force` to let the file win (the chat edit stays "
        "in the persona's history)."
    )
    forced = run("content", "import", "--content", str(pack), "--force")
    assert forced.returncode == 0
    assert "  the file replaced chat edits (--force): team-lead-tuva" in forced.stdout.splitlines()


UNREACHABLE = [
    ("sqlite:////proc/x/y.db", "sqlite:////proc/x/y.db"),
    ("postgresql://nobody:s3cret@127.0.0.1:1/x", "postgresql://nobody:***@127.0.0.1:1/x"),
]


@pytest.mark.parametrize(("url", "shown"), UNREACHABLE)
@pytest.mark.parametrize(
    "args", [("ask", "who is Oskar"), ("chat",), ("content", "import"), ("db", "upgrade")]
)
def test_an_unusable_database_is_one_clear_line(run, url: str, shown: str, args) -> None:  # type: ignore[no-untyped-def]
    result = run(*args, stdin="who is Oskar\n", env={"PERSONABOT_DATABASE_URL": url})
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"personabot: cannot open the database {shown}: ")
    assert len(line) > len(f"personabot: cannot open the database {shown}: ")
    assert "s3cret" not in result.stderr


def test_stdin_that_is_not_utf8_is_still_answered(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PERSONABOT_")}
    environ["PERSONABOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    environ["PYTHONIOENCODING"] = "utf-8"
    for command in (["ask", "--json"], ["chat", "--json"]):
        result = subprocess.run(
            [sys.executable, "-m", "bot", *command],
            input=b"who is Oskar\xff?\n\xc3(\nwho is Tuva\n",
            capture_output=True,
            env=environ,
            cwd=tmp_path,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr.decode()
        answers = [json.loads(line) for line in result.stdout.decode().splitlines()]
        assert [a["persona"] for a in answers] == [
            "operations-director-oskar",
            None,
            "team-lead-tuva",
        ]


def test_ask_on_a_migrated_database_does_not_import_alembic(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("db", "upgrade").returncode == 0
    code = (
        "import sys\n"
        "from bot.cli import main\n"
        "assert main(['ask', 'who is Oskar']) == 0\n"
        "print('ALEMBIC' if 'alembic' in sys.modules else 'NO ALEMBIC')\n"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PERSONABOT_")}
    environ["PERSONABOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environ,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "NO ALEMBIC"


def test_help_names_only_commands_that_exist(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--help")
    assert result.returncode == 0
    listed = re.findall(r"^    ([a-z][a-z-]+)\s", result.stdout, re.MULTILINE)
    assert set(listed) == set(_commands())
    # Training, reviews and learning from feedback are not built yet; --help must not promise them.
    assert not re.search(r"\b(train|review|learn)\b", result.stdout, re.IGNORECASE)


def test_serve_help_lists_every_route_the_server_answers(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from bot.app import build_app
    from bot.server import build_web_app
    from bot.settings import Settings

    # Every platform configured (Slack over HTTP with OAuth, Teams): every route mounted.
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'routes.db'}",
        slack_api_url="http://127.0.0.1:9/api/",
        **{
            "SLACK_CLIENT_ID": "1.2",
            "SLACK_CLIENT_SECRET": "client-secret",
            "SLACK_SIGNING_SECRET": "signing-secret",
            "MicrosoftAppId": "5353a86e-52fb-4979-8a69-c7efcd1b0bd3",
            "MicrosoftAppPassword": "app-password",
        },
    )
    core = build_app(settings)
    try:
        web_app = build_web_app(core, settings)
    finally:
        core.db.dispose()
    routes = {r.resource.canonical for r in web_app.router.routes() if r.resource is not None}
    assert {"/slack/events", "/api/messages", "/healthz", "/metrics"} <= routes
    detail = " ".join(run("serve", "--help").stdout.split())
    assert [route for route in sorted(routes) if route not in detail] == []
    overview = " ".join(run("--help").stdout.split())
    serve_line = overview[overview.index(" serve ") : overview.index(" notify ")]
    for route in ("/slack/events", "/api/messages", "/healthz", "/readyz", "/metrics"):
        assert route in serve_line


def _commands() -> list[str]:
    from bot.cli import _parser

    parser = _parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(sub.choices)
