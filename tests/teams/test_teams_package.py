"""``personabot teams-package``: a manifest (schema 1.17) and two PNG icons in a zip."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest

from bot.cli import main

APP_ID = "5353a86e-52fb-4979-8a69-c7efcd1b0bd3"


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
    assert main(["teams-package", "--out", str(out), "--url", "https://bot.example.com"]) == 0
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        assert png_size(archive.read("color.png")) == (192, 192)
        assert png_size(archive.read("outline.png")) == (32, 32)
    assert manifest["manifestVersion"] == "1.17" and "v1.17" in manifest["$schema"]
    assert manifest["id"] == APP_ID
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    assert bot["commandLists"][0]["commands"]
    assert manifest["validDomains"] == ["bot.example.com"]
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
