"""The packs that ship with personabot, by name: ``--content da`` means the Danish one."""

from __future__ import annotations

from pathlib import Path

from content.loader import EXAMPLE_PACK

EXAMPLE_PACKS = Path(__file__).parent / "example_packs"
# Bundled example packs by name (the pack's language): Fieldline (English, the default),
# Ordrelinje (Danish wholesale), Byggelogg (Norwegian construction).
BUNDLED = {
    "en": EXAMPLE_PACK,
    "da": EXAMPLE_PACKS / "da",
    "nb": EXAMPLE_PACKS / "nb",
}


def pack_path(value: str) -> Path:
    """A ``--content`` argument as a directory: a path, or a bundled pack's name.

    A directory that exists wins over a bundled name (a folder called ``da`` in the
    working directory is that folder).
    """
    path = Path(value)
    if value in BUNDLED and not path.is_dir():
        return BUNDLED[value]
    return path
