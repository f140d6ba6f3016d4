"""``personabot teams-package``: a manifest (schema 1.17) and two PNG icons in a zip."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest

from bot.cli import main

APP_ID = "5353a86e-52fb-4979-8a69-c7efcd1b0bd3"
URL = "https://personabot.fieldline.dev"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_package_holds_the_manifest_and_icons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    monkeypatch.setenv("MicrosoftAppPassword", "secret")
    out = tmp_path / "app.zip"
    assert main(["teams-package", "--out", str(out), "--url", URL + "/"]) == 0
    with zipfile.ZipFile(out) as archive:
        localized = [f"{lang}.json" for lang in ("da", "de", "fr", "nb", "sv")]
        expected = ["color.png", "manifest.json", "outline.png", *localized]
        assert sorted(archive.namelist()) == sorted(expected)
        manifest = json.loads(archive.read("manifest.json"))
        assert png_size(archive.read("color.png")) == (192, 192)
        assert png_size(archive.read("outline.png")) == (32, 32)
    assert manifest["manifestVersion"] == "1.17" and "v1.17" in manifest["$schema"]
    assert manifest["id"] == APP_ID
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    assert bot["commandLists"][0]["commands"]
    assert manifest["validDomains"] == ["personabot.fieldline.dev"]
    # The links Teams shows lead to pages `personabot serve` answers (tests/test_server.py).
    developer = manifest["developer"]
    assert developer["websiteUrl"] == URL
    assert (developer["privacyUrl"], developer["termsOfUseUrl"]) == (
        f"{URL}/privacy",
        f"{URL}/terms",
    )
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["name"]["short"]) <= 30


def test_package_refuses_without_an_app_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("MicrosoftAppId", "MICROSOFTAPPID", "MicrosoftAppPassword"):
        monkeypatch.delenv(name, raising=False)
    assert main(["teams-package", "--out", str(tmp_path / "x.zip")]) == 2
    assert "needs MicrosoftAppId" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()


def test_the_app_id_is_enough_to_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Whoever builds the package needs the app's id, not its secret (serving does).
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    monkeypatch.delenv("MicrosoftAppPassword", raising=False)
    out = tmp_path / "app.zip"
    assert main(["teams-package", "--out", str(out), "--url", URL]) == 0, capsys.readouterr().err
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("manifest.json"))["id"] == APP_ID
    assert main(["config", "check"]) == 2  # serving would still need it
    assert "MicrosoftAppPassword: required" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "teams-package needs --url https://HOST"),
        (["--url", "https://example.com"], "is a placeholder"),
        (["--url", "https://your.host"], "is a placeholder"),
        (["--url", "https://bot.example.org/"], "is a placeholder"),
        (["--url", "http://personabot.fieldline.dev"], "must be an https URL"),
    ],
)
def test_no_package_without_a_real_public_url(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    out = tmp_path / "app.zip"
    assert main(["teams-package", "--out", str(out), *args]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("personabot: ") and message in line
    assert not out.exists()
