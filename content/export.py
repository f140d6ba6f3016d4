"""Write a pack as YAML files in the pack format, the same way every time.

:func:`pack_files` turns a :class:`~content.schema.Pack` into ``{relative path: text}``:
``pack.yaml``, one ``personas/<id>.yaml`` per persona, ``quizzes/<id>.yaml`` and
``scenarios/<id>.yaml``. Keys come in the schema's field order, fields left at their
default are left out, long texts are folded at a fixed width and short ones stay on
their line, so exporting an unchanged pack gives the same bytes and one changed field
gives a diff of that field alone. Every file reads back (:func:`content.loader.load_pack`)
as the same pack. Nothing here touches the disk.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel

from content.schema import Pack

#: Texts longer than this are written folded (``>-``) over several lines.
FOLD_OVER = 80
#: Where folded texts wrap.
WIDTH = 88

_STR = "tag:yaml.org,2002:str"


class _Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key, texts folded when long."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow=flow, indentless=False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar(_STR, value, style="|")
    if len(value) > FOLD_OVER:
        return dumper.represent_scalar(_STR, value, style=">")
    return dumper.represent_scalar(_STR, value)


_Dumper.add_representer(str, _text)


class _PlainDumper(yaml.SafeDumper):
    """The fallback for a text the folded style cannot carry exactly: quoted, one line."""


def pack_files(pack: Pack) -> dict[str, str]:
    """Every file of ``pack`` by its path relative to the pack directory.

    Args:
        pack: The pack to write (its personas in any order; files are named by id).

    Returns:
        ``{"pack.yaml": ..., "personas/<id>.yaml": ..., ...}``, sorted by path.

    """
    files = {"pack.yaml": document(pack.info)}
    for folder, items in (
        ("personas", pack.personas),
        ("quizzes", pack.quizzes),
        ("scenarios", pack.scenarios),
    ):
        for item in items:
            files[f"{folder}/{item.id}.yaml"] = document(item)
    return dict(sorted(files.items()))


def document(model: BaseModel) -> str:
    """One model as the text of its YAML file, in the schema's field order."""
    data = model.model_dump(mode="python", exclude_defaults=True)
    text = _dump(data, _Dumper)
    if yaml.safe_load(text) != _plain(data):  # a text folding would alter: write it quoted
        text = _dump(data, _PlainDumper)
    return text


def _dump(data: dict[str, Any], dumper: type[yaml.SafeDumper]) -> str:
    return yaml.dump(
        data,
        Dumper=dumper,
        sort_keys=False,
        allow_unicode=True,
        width=WIDTH if dumper is _Dumper else 1_000_000,
        default_flow_style=False,
    )


def _plain(value: Any) -> Any:
    """``value`` as YAML reads it back (tuples are lists, dates stay dates)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
