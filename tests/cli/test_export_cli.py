"""``personabot content export DIR`` as a real process, on SQLite and PostgreSQL.

The live pack goes out (chat edits and reviews recorded in chat included), passes
``content validate``, imports back with every persona unchanged, exports the same bytes
again, and one edit in chat is one hunk of one file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from content.loader import EXAMPLE_PACK, load_pack
from storage import Database
from storage.personas import PersonaRepository
from storage.reviews import ReviewStore

ROOT = Path(__file__).resolve().parents[2]
OWNER = "ingrid.solberg@fieldline.example"
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)


def personabot(
    *args: str, database_url: str, pack: Path, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """``personabot ARGS`` with this tree's code, the test's database and ``pack``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PERSONABOT_")}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")]))
    environ["PERSONABOT_DATABASE_URL"] = database_url
    environ["PERSONABOT_CONTENT"] = str(pack)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=cwd,
        timeout=120,
    )


def files_of(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*.yaml"))
    }


def version_count(database_url: str) -> int:
    db = Database(url=database_url)
    try:
        repo = PersonaRepository(db=db)
        return sum(len(repo.history(p.id)) for p in repo.live())
    finally:
        db.dispose()


def test_export_round_trips_and_one_chat_edit_is_one_hunk(
    database_url: str, tmp_path: Path
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(EXAMPLE_PACK, pack)
    out = tmp_path / "out"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return personabot(*args, database_url=database_url, pack=pack, cwd=tmp_path)

    assert run("content", "import").returncode == 0
    db = Database(url=database_url)
    try:
        repo = PersonaRepository(db=db)
        frida = repo.get("cfo-frida")
        assert frida is not None
        goals = [*frida.goals[:2], "Know the margin per contract", *frida.goals[3:]]
        repo.save_edit(
            frida.model_copy(update={"goals": goals}), author=OWNER, note="feedback", now=NOW
        )
        # Bjørn's owner said "still accurate" in chat, later than his file says.
        ReviewStore(db=db).record("it-manager-bjorn", kind="reviewed", by=OWNER, at=NOW)
    finally:
        db.dispose()

    done = run("content", "export", str(out))
    assert done.returncode == 0, done.stderr
    assert "4 persona(s)" in done.stdout and str(out) in done.stdout
    assert f"{out} is not the pack directory the bot imports ({pack})" in done.stdout
    exported = files_of(out)
    assert sorted(exported) == ["pack.yaml"] + [
        f"personas/{p.name}" for p in sorted((pack / "personas").iterdir())
    ]
    frida_file = yaml.safe_load(exported["personas/cfo-frida.yaml"])
    assert frida_file["goals"][2] == "Know the margin per contract"  # the live version
    bjorn_file = yaml.safe_load(exported["personas/it-manager-bjorn.yaml"])
    assert bjorn_file["last_reviewed"] == NOW.date()  # the review in chat is later
    oskar = load_pack(pack).persona("operations-director-oskar")
    assert oskar is not None  # reviewed in its file later than in chat (never): the file's
    assert load_pack(out).persona("operations-director-oskar") == oskar

    valid = run("content", "validate", str(out))
    assert valid.returncode == 0, valid.stderr

    before = version_count(database_url)
    back = run("content", "import", "--content", str(out))
    assert back.returncode == 0, back.stderr
    assert "0 created, 0 updated, 4 unchanged, 0 archived, 0 in conflict" in back.stdout
    assert version_count(database_url) == before  # not one new version
    again = run("content", "import", "--content", str(out))
    assert "0 created, 0 updated, 4 unchanged" in again.stdout
    assert "recorded" not in again.stdout  # now purely unchanged

    refused = run("content", "export", str(out))
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr and "--force" in refused.stderr
    assert files_of(out) == exported  # untouched

    (out / ".git").mkdir()  # a git checkout: the export keeps what is not the pack's
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    same = run("content", "export", "--force", str(out))
    assert same.returncode == 0, same.stderr
    assert files_of(out) == exported  # the same bytes again
    assert (out / ".git" / "HEAD").read_text(encoding="utf-8") == "ref: refs/heads/main\n"

    db = Database(url=database_url)
    try:
        repo = PersonaRepository(db=db)
        tuva = repo.get("team-lead-tuva")
        assert tuva is not None
        repo.save_edit(
            tuva.model_copy(update={"quote": "Give me one app that works offline."}),
            author=OWNER,
            note=None,
            now=NOW,
        )
    finally:
        db.dispose()
    assert run("content", "export", "--force", str(out)).returncode == 0
    now = files_of(out)
    into_pack = run("content", "export", "--force", str(pack))  # the pack the bot imports
    assert into_pack.returncode == 0 and "is not the pack directory" not in into_pack.stdout
    assert files_of(pack) == now
    assert [path for path in now if now[path] != exported[path]] == ["personas/team-lead-tuva.yaml"]
    hunk = [
        line
        for line in difflib.unified_diff(
            exported["personas/team-lead-tuva.yaml"].splitlines(),
            now["personas/team-lead-tuva.yaml"].splitlines(),
            lineterm="",
        )
        if line[:1] in "+-@" and line[:3] not in ("+++", "---")
    ]
    assert hunk[0].startswith("@@") and sum(h.startswith("@@") for h in hunk) == 1
    removed = " ".join(h[1:].strip() for h in hunk if h.startswith("-"))
    assert removed == f"quote: >- {tuva.quote}"  # the old quote, folded over its lines
    assert [h for h in hunk if h.startswith("+")] == ["+quote: Give me one app that works offline."]


def test_export_refuses_a_file_and_a_database_without_personas(
    database_url: str, tmp_path: Path
) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return personabot(*args, database_url=database_url, pack=EXAMPLE_PACK, cwd=tmp_path)

    empty = run("content", "export", str(tmp_path / "out"))
    assert empty.returncode == 1
    assert "holds no personas yet" in empty.stderr and "Traceback" not in empty.stderr
    assert not (tmp_path / "out").exists()

    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    refused = run("content", "export", "--force", str(a_file))
    assert refused.returncode == 1 and "is not a directory" in refused.stderr


def test_export_refuses_when_the_database_holds_another_pack(
    database_url: str, tmp_path: Path
) -> None:
    other = ROOT / "content" / "example_packs" / "da"
    imported = personabot("content", "import", database_url=database_url, pack=other, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    refused = personabot(
        "content",
        "export",
        str(tmp_path / "out"),
        database_url=database_url,
        pack=EXAMPLE_PACK,
        cwd=tmp_path,
    )
    assert refused.returncode == 1
    assert load_pack(other).info.name in refused.stderr
    assert not (tmp_path / "out").exists()
