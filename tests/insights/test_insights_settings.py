"""The dashboard's settings: validated, masked, and named by ``config check`` when missing."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.settings import SettingsError, load_settings

KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: pytest.TempPathFactory) -> None:
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    for name in ("PERSONABOT_SECRET_KEY", "PERSONABOT_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PERSONABOT_DATABASE_URL", f"sqlite:///{tmp_path}/c.db")


def check(capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["config", "check"]) == 0
    return capsys.readouterr().out


def test_config_check_names_what_the_dashboard_lacks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = check(capsys)
    assert "dashboard: off: needs PERSONABOT_SECRET_KEY and PERSONABOT_PUBLIC_URL" in out
    monkeypatch.setenv("PERSONABOT_SECRET_KEY", KEY)
    out = check(capsys)
    assert "dashboard: off: needs PERSONABOT_PUBLIC_URL (" in out
    assert KEY not in out and "PERSONABOT_SECRET_KEY" in out
    monkeypatch.setenv("PERSONABOT_PUBLIC_URL", "https://bot.fieldline.example/")
    out = check(capsys)
    assert "dashboard: https://bot.fieldline.example/admin" in out
    monkeypatch.delenv("PERSONABOT_SECRET_KEY")
    assert "dashboard: off: needs PERSONABOT_SECRET_KEY (" in check(capsys)


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("PERSONABOT_SECRET_KEY", "hunter2", "at least 32 random characters"),
        ("PERSONABOT_PUBLIC_URL", "bot.fieldline.example", "is not an http(s) address"),
        ("PERSONABOT_PUBLIC_URL", "https://bot.example.org/?x=1", "is not an http(s) address"),
    ],
)
def test_bad_values_are_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    (line,) = raised.value.lines
    assert line.startswith(f"{variable}: ") and says in line
    assert value not in line or variable != "PERSONABOT_SECRET_KEY"
