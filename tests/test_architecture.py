"""The house rules that keep the code easy to change, checked on every run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "content", "storage")


def modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def uses(path: Path, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for name in imports(path) for p in prefixes)


@pytest.mark.parametrize(
    "sdk, allowed",
    [
        (("slack_bolt", "slack_sdk"), "bot/adapters/slack"),
        (("botbuilder", "botframework"), "bot/adapters/teams"),
    ],
)
def test_only_the_platform_adapter_imports_its_sdk(sdk: tuple[str, ...], allowed: str) -> None:
    offenders = [rel(p) for p in modules() if uses(p, *sdk) and not rel(p).startswith(allowed)]
    assert offenders == []


def test_handlers_and_content_never_touch_the_database_directly() -> None:
    offenders = [
        rel(p)
        for p in modules()
        if rel(p).startswith(("handlers/", "content/"))
        and uses(p, "sqlalchemy", "alembic", "storage.db", "storage.models")
    ]
    assert offenders == []


def test_core_never_imports_a_transport() -> None:
    offenders = [
        rel(p)
        for p in modules()
        if rel(p).startswith(("handlers/", "content/", "storage/"))
        and uses(p, "bot.console", "bot.adapters", "bot.cli", "aiohttp")
    ]
    assert offenders == []


def test_only_the_settings_module_reads_the_environment() -> None:
    offenders = [
        rel(p)
        for p in modules()
        if rel(p) != "bot/settings.py"
        and (
            "os.environ" in p.read_text(encoding="utf-8")
            or "getenv(" in p.read_text(encoding="utf-8")
        )
    ]
    assert offenders == []


def test_modules_stay_small() -> None:
    """Past ~400 lines a module is split (one concept each); 450 leaves room to finish one."""
    long = {
        rel(p): n for p in modules() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450
    }
    assert long == {}
