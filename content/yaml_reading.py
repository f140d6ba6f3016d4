"""Reading one YAML file of a pack safely, with errors in our own words.

Safe loading only (libyaml when present), no merge keys or aliases beyond reason, a
nesting limit checked before parsing, duplicate keys reported, and every YAML error
as one printable line naming where it was found and where its cause starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10× faster


_MERGE_TAG = "tag:yaml.org,2002:merge"
# A pack nests three levels deep (persona → objections → fields); far deeper is an attack.
MAX_DEPTH = 100


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """SafeLoader that notes duplicate keys and leaves dates as text.

    A key written twice in one mapping would otherwise silently keep the last value;
    here each repeat is noted in :attr:`duplicates` as ``(line, key, first_line)``.
    Dates stay text so a bad date is a field error, not a crash. Parsing stays in
    libyaml when it is available; only mapping construction runs this Python hook.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, str, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[tuple[str, str], int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            line = key_node.start_mark.line + 1
            first = seen.setdefault((key_node.tag, key_node.value), line)
            if first != line:
                self.duplicates.append((line, key_node.value, first))
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """One value; one its tag cannot build (``!!int ninety``) names its node."""
        try:
            return super().construct_object(node, deep=deep)
        except _BadValue:
            raise
        except ValueError as exc:
            raise _BadValue(node) from exc


class _BadValue(ValueError):
    """A scalar its tag cannot build: ``!!int ninety``, a date that does not exist."""

    def __init__(self, node: yaml.Node) -> None:
        super().__init__(node.tag)
        self.node = node


def _bad_value(exc: ValueError) -> str:
    """Our own words (not Python's, which change between versions) for a bad scalar."""
    if not isinstance(exc, _BadValue):
        return "invalid YAML: a value cannot be read"
    node = exc.node
    value, kind = str(node.value), str(node.tag).rsplit(":", 1)[-1]
    where = f"line {node.start_mark.line + 1}, column {node.start_mark.column + 1}: "
    if kind == "int" and value.lstrip("+-").replace("_", "").isdigit():
        return f"{where}invalid YAML: a number has too many digits"
    return f"{where}invalid YAML: {shown(value)} is not a valid {kind}"


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _too_deep(text: str) -> tuple[int, int] | None:
    """Where (line, column) ``text`` first nests deeper than :data:`MAX_DEPTH`, if it does.

    libyaml builds nodes by C recursion: tens of thousands of nested ``[`` crash the
    whole process (a segmentation fault, not an exception). Its event stream is flat,
    so nesting is counted there first, but only for text with enough structure
    characters to nest that deep at all; a real pack file has a few hundred. Some
    libyaml versions (0.2.6, in PyYAML 6.0.4's wheels) refuse nesting past a limit of
    their own while scanning ahead, before the event that passes ours; so when libyaml
    cannot read the text, the count is redone with PyYAML's pure-Python parser, which
    has no such limit and is flat too.
    """
    if sum(text.count(c) for c in "[{-:?") <= MAX_DEPTH:
        return None
    for parser in (_Base, yaml.SafeLoader):
        try:
            return _first_too_deep(yaml.parse(text, Loader=parser))
        except yaml.YAMLError:
            continue
    return None  # not YAML at all: the load reports it, with line and column


def _first_too_deep(events: Iterable[yaml.Event]) -> tuple[int, int] | None:
    """Where (line, column) the first collection deeper than :data:`MAX_DEPTH` starts."""
    depth = 0
    for event in events:
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                return (mark.line + 1, mark.column + 1) if mark else (0, 0)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def read_yaml(path: Path, rel: str, errors: list[str]) -> dict[str, Any] | None:
    """A pack file's mapping of fields, or ``None`` with what is wrong added to ``errors``."""
    if not path.is_file():
        errors.append(f"{rel}: missing file")
        return None
    try:
        text = path.read_text(encoding="utf-8")
        deep = _too_deep(text)
        if deep is not None:
            errors.append(
                f"{rel}: line {deep[0]}, column {deep[1]}: "
                f"invalid YAML: nested deeper than {MAX_DEPTH} levels"
            )
            return None
        loader = _Loader(text)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except UnicodeDecodeError:
        errors.append(f"{rel}: not UTF-8 text")
        return None
    except yaml.YAMLError as exc:
        errors.append(f"{rel}: {_yaml_error(exc, text)}")
        return None
    except RecursionError:
        errors.append(f"{rel}: invalid YAML: nested too deeply")
        return None
    except ValueError as exc:
        # An explicitly tagged value that is no such thing (``!!int x``, ``!!timestamp
        # 2026-02-30``) or a number with more digits than Python converts.
        errors.append(f"{rel}: {_bad_value(exc)}")
        return None
    errors.extend(
        f"{rel}: line {line}: duplicate key {shown(key)} (already at line {first})"
        for line, key, first in loader.duplicates
    )
    if data is None:
        errors.append(f"{rel}: file is empty")
        return None
    if not isinstance(data, dict):
        errors.append(f"{rel}: must be a YAML mapping of fields, got {type(data).__name__}")
        return None
    return data


def _yaml_error(exc: yaml.YAMLError, text: str) -> str:
    """One printable line: where the YAML error was found and where its cause starts.

    libyaml notices an unclosed quote only where the text stops making sense, often
    many lines later (the quoted value swallows the lines in between), so the line where
    the quote opened is named too; otherwise the line where the construct being read
    began (PyYAML's ``context_mark``), when it is another line.
    """
    if isinstance(exc, yaml.reader.ReaderError):
        # The first character the reader refuses; its position is in bytes for libyaml.
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        line = text.count("\n", 0, max(text.find(char), 0)) + 1
        return f"line {line}: invalid YAML: character {char!r}: {_printable(str(exc.reason))}"
    found: yaml.Mark | None = getattr(exc, "problem_mark", None)
    began: yaml.Mark | None = getattr(exc, "context_mark", None)
    problem = _printable(getattr(exc, "problem", None) or "cannot be read")
    if found is None:
        return f"invalid YAML: {problem}"
    where = f"line {found.line + 1}, column {found.column + 1}: invalid YAML: {problem}"
    quote = _open_quote(text, found, began)
    if quote is not None:
        return f"{where}; the quote opened at line {quote} is probably not closed"
    context = getattr(exc, "context", None)
    if began is not None and context and began.line != found.line:
        return f"{where} ({_printable(context)} started at line {began.line + 1})"
    return where


def _open_quote(text: str, found: yaml.Mark, began: yaml.Mark | None) -> int | None:
    """The line (1-based) of a quote that is likely unclosed, if the error points to one.

    Either the error's context starts at a quote (the text ended inside it), or a quoted
    value runs over several lines and ends on the line of the error.
    """
    if began is not None and 0 <= began.index < len(text) and text[began.index] in "\"'":
        return began.line + 1
    quoted: yaml.ScalarToken | None = None
    try:
        for token in yaml.scan(text, Loader=_Base):
            if (token.start_mark.line, token.start_mark.column) >= (found.line, found.column):
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"'):
                quoted = token
    except yaml.YAMLError:
        pass  # the tokens up to the first error are all that is needed
    if quoted is not None and quoted.start_mark.line < quoted.end_mark.line == found.line:
        return int(quoted.start_mark.line) + 1
    return None


def _printable(message: str) -> str:
    """A library's message as one short line of printable characters."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in " ".join(message.split()))
    return clipped(text, 120)


def shown(value: Any) -> str:
    """A value for an error message: short scalars as written, anything else by kind.

    Never the ``repr`` of a container: an alias bomb ("billion laughs") is tiny in YAML
    and in memory, but its ``repr`` is exponential.
    """
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return repr(value) if value.bit_length() < 128 else "a number this long"
    if isinstance(value, str):
        return repr(clipped(value))
    if isinstance(value, dt.date):
        return repr(value.isoformat())
    return f"a {type(value).__name__}"


def clipped(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
