"""Every translation says everything English says, with the same placeholders."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.i18n import LOCALES, Texts

TRANSLATIONS = ("da", "nb", "sv", "de", "fr")


def _flat(path: Path) -> dict[str, str]:
    def walk(data: dict[str, Any], prefix: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in data.items():
            if isinstance(value, dict):
                out.update(walk(value, f"{prefix}{key}."))
            else:
                out[f"{prefix}{key}"] = value
        return out

    return walk(yaml.safe_load(path.read_text(encoding="utf-8")), "")


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


ENGLISH = _flat(LOCALES / "en.yaml")


def test_every_translation_has_a_locale_file() -> None:
    assert {p.stem for p in LOCALES.glob("*.yaml")} >= {"en", *TRANSLATIONS}


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_same_keys_as_english(language: str) -> None:
    own = _flat(LOCALES / f"{language}.yaml")
    assert sorted(set(ENGLISH) - set(own)) == [], "missing"
    assert sorted(set(own) - set(ENGLISH)) == [], "not in English"


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_texts_are_nonempty_strings(language: str) -> None:
    own = _flat(LOCALES / f"{language}.yaml")
    bad = [key for key, text in own.items() if not isinstance(text, str) or not text.strip()]
    assert bad == []


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_same_placeholders_as_english(language: str) -> None:
    own = _flat(LOCALES / f"{language}.yaml")
    differ = {
        key: (sorted(_placeholders(english)), sorted(_placeholders(own[key])))
        for key, english in ENGLISH.items()
        if key in own and _placeholders(english) != _placeholders(own[key])
    }
    assert differ == {}


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_translation_is_not_english(language: str) -> None:
    own = _flat(LOCALES / f"{language}.yaml")
    # Short labels may legitimately be the same word ("Persona", "Champion").
    same = [key for key, text in own.items() if text == ENGLISH[key] and len(text) > 25]
    assert same == []


@pytest.mark.parametrize("language", ["en", *TRANSLATIONS])
def test_help_renders(language: str) -> None:
    texts = Texts(language=language)
    out = "\n".join(
        [
            texts("help", persona_example="X", persona_first="Y"),
            texts("help_objection", objection_example="Z"),
            texts("help_again"),
        ]
    )
    assert "X" in out and "Y" in out and "Z" in out
    assert "{" not in out and "}" not in out
    assert texts.keys() == set(ENGLISH)


@pytest.mark.parametrize("language", ["en", *TRANSLATIONS])
def test_every_text_formats_with_its_placeholders(language: str) -> None:
    texts = Texts(language=language)
    for key, english in ENGLISH.items():
        values = {name: f"<{name}>" for name in _placeholders(english)}
        out = texts(key, **values)
        for value in values.values():
            assert value in out, (key, out)
