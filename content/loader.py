"""Load and validate a content pack directory, reporting every error at once.

Each error names the file (relative to the pack), the field path and what is wrong,
e.g. ``personas/cfo.yaml: objections[2].response: required``.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from content.schema import Pack, PackInfo, Persona, Quiz

M = TypeVar("M", bound=BaseModel)

EXAMPLE_PACK = Path(__file__).parent / "example_pack"


class PackError(Exception):
    """A pack failed validation; ``errors`` lists every problem found."""

    def __init__(self, root: Path, errors: Sequence[str]) -> None:
        self.root = root
        self.errors = list(errors)
        super().__init__(f"{root}: {len(self.errors)} error(s)\n" + "\n".join(self.errors))


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
    return f"{where}invalid YAML: {_shown(value)} is not a valid {kind}"


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


def load_pack(root: Path | str) -> Pack:
    """Load the pack at ``root``.

    Args:
        root: The pack directory (holding ``pack.yaml`` and ``personas/``).

    Returns:
        The validated pack, personas sorted by id.

    Raises:
        PackError: If anything is wrong; ``errors`` holds all problems.
    """
    root = Path(root)
    errors: list[str] = []
    if not root.is_dir():
        raise PackError(root, [f"{root}: not a directory"])

    pack_data = _read_yaml(root / "pack.yaml", "pack.yaml", errors)
    if pack_data is not None:
        pack_data = _without_empty_fields(pack_data, PackInfo)
    info = None if pack_data is None else _validate("pack.yaml", pack_data, PackInfo, errors)
    personas_dir = root / "personas"
    personas: list[Persona] = []
    if not personas_dir.is_dir():
        errors.append("personas/: missing directory (one <id>.yaml file per persona)")
    else:
        personas = _documents(
            personas_dir,
            "persona",
            Persona,
            errors,
            lambda rel, data: _duplicate_objection_ids(rel, data.get("objections")),
        )
        if not any(not p.name.startswith(".") for p in personas_dir.iterdir()):
            errors.append("personas/: no persona files; a pack needs at least one persona")
    errors.extend(_duplicate_persona_ids(personas))
    # A persona whose file has errors still exists for the quizzes and onboarding.
    persona_ids = {p.id for p in personas} | (
        {path.stem for path in personas_dir.glob("*.yaml")} if personas_dir.is_dir() else set()
    )
    quizzes: list[Quiz] = []
    if (root / "quizzes").is_dir():
        quizzes = _documents(
            root / "quizzes",
            "quiz",
            Quiz,
            errors,
            lambda rel, d: _quiz_problems(rel, d, persona_ids),
        )
    if info is not None:
        errors.extend(
            f"pack.yaml: onboarding.personas[{index}]: unknown persona {_shown(pid)}"
            for index, pid in enumerate(info.onboarding.personas)
            if personas and pid not in persona_ids
        )
    if errors or info is None:
        raise PackError(root, errors)
    return Pack(
        info=info, personas=tuple(sorted(personas, key=lambda p: p.id)), quizzes=tuple(quizzes)
    )


def _documents(
    directory: Path,
    what: str,
    model: type[M],
    errors: list[str],
    check: Callable[[str, dict[str, Any]], list[str]],
) -> list[M]:
    """Every ``<id>.yaml`` in ``directory`` validated as ``model``, sorted by file name.

    ``check`` adds the problems the model cannot see (duplicates within a file).
    """
    out = []
    for path in sorted(p for p in directory.iterdir() if not p.name.startswith(".")):
        rel = f"{directory.name}/{_readable(path.name)}"
        if path.suffix != ".yaml":
            errors.append(f"{rel}: {what} files must be named <id>.yaml")
            continue
        data = _read_yaml(path, rel, errors)
        if data is None:
            continue
        data = _without_empty_fields(data, model)
        if isinstance(data.get("id"), str) and data["id"] != path.stem:
            errors.append(
                f"{rel}: id: {_shown(data['id'])} must equal the file name "
                f"{_shown(_readable(path.stem))}"
            )
        errors.extend(check(rel, data))
        document = _validate(rel, data, model, errors)
        if document is not None:
            out.append(document)
    return out


def _quiz_problems(rel: str, data: dict[str, Any], persona_ids: set[str]) -> list[str]:
    """An authored quiz's unknown persona and repeated questions."""
    errors = []
    persona = data.get("persona")
    if isinstance(persona, str) and persona_ids and persona not in persona_ids:
        errors.append(f"{rel}: persona: unknown persona {_shown(persona)}")
    first: dict[str, int] = {}
    questions = data.get("questions")
    for index, question in enumerate(questions if isinstance(questions, list) else []):
        text = question.get("question") if isinstance(question, dict) else None
        if not isinstance(text, str):
            continue
        earlier = first.setdefault(" ".join(text.casefold().split()), index)
        if earlier != index:
            errors.append(
                f"{rel}: questions[{index}].question: same question as questions[{earlier}]"
            )
    return errors


def _read_yaml(path: Path, rel: str, errors: list[str]) -> dict[str, Any] | None:
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
        f"{rel}: line {line}: duplicate key {_shown(key)} (already at line {first})"
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
    return _clipped(text, 120)


def _without_empty_fields(data: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """Drop known fields that are present but empty (``response:``), here and below.

    An empty field then reads like a missing one: ``required`` if the schema needs it,
    the default otherwise. Unknown keys stay, so they are still reported.
    """
    fields = model.model_fields
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in fields:
            if value is None:
                continue
            inner = _nested_model(fields[key].annotation)
            if inner is not None and isinstance(value, dict):
                value = _without_empty_fields(value, inner)
            elif inner is not None and isinstance(value, list):
                value = [
                    _without_empty_fields(item, inner) if isinstance(item, dict) else item
                    for item in value
                ]
        out[key] = value
    return out


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside a field's annotation (``Objection`` for ``list[Objection]``)."""
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _validate(rel: str, data: dict[str, Any], model: type[M], errors: list[str]) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors.extend(f"{rel}: {msg}" for msg in _messages(exc, model))
        return None


def _messages(exc: ValidationError, model: type[BaseModel]) -> Iterable[str]:
    seen: set[str] = set()
    for err in exc.errors():
        loc = tuple(err["loc"])
        # A union (``str | None``) reports once per member; one line is enough.
        if loc and isinstance(loc[-1], str) and loc[-1] in ("str", "none", "int"):
            loc = loc[:-1]
        line = f"{_path(loc)}: {_describe(err, loc, model)}"
        if line not in seen:
            seen.add(line)
            yield line


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + _clipped(str(part))
    return out or "(top level)"


def _describe(err: Any, loc: tuple[Any, ...], model: type[BaseModel]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "required"
    if err.get("input", "") is None and kind.endswith("_type"):
        return "must not be empty"  # an empty list item or map value
    if kind == "extra_forbidden":
        return "unknown field" + _suggest(loc, model)
    if kind == "literal_error":
        return f"{_shown(err['input'])} is not allowed; use one of {ctx.get('expected', '')}"
    if kind == "too_short":
        return "must list at least 1 item"
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return f"{_shown(err['input'])} is not a valid date (use YYYY-MM-DD)"
    if kind == "date_type":
        return f"{_shown(err['input'])} is not a date (use YYYY-MM-DD)"
    if kind == "bool_type":
        return f"{_shown(err['input'])} must be true or false"
    if kind == "string_type":
        return f"must be text, got {type(err['input']).__name__}"
    if kind == "list_type":
        return f"must be a list, got {type(err['input']).__name__}"
    if kind in ("dict_type", "model_type"):
        return f"must be a mapping of fields, got {type(err['input']).__name__}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{_shown(err['input'])} must be a whole number"
    if kind == "greater_than":
        return f"must be greater than {ctx.get('gt')}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return str(err["msg"])


def _shown(value: Any) -> str:
    """A value for an error message: short scalars as written, anything else by kind.

    Never the ``repr`` of a container: an alias bomb ("billion laughs") is tiny in YAML
    and in memory, but its ``repr`` is exponential.
    """
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return repr(value) if value.bit_length() < 128 else "a number this long"
    if isinstance(value, str):
        return repr(_clipped(value))
    if isinstance(value, dt.date):
        return repr(value.isoformat())
    return f"a {type(value).__name__}"


def _clipped(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _readable(name: str) -> str:
    """A file name as text that prints anywhere (undecodable bytes become U+FFFD)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _suggest(loc: tuple[Any, ...], model: type[BaseModel]) -> str:
    """Name the field a misspelt key probably meant."""
    fields: Any = model.model_fields
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        annotation = fields[part].annotation if part in fields else None
        inner = getattr(annotation, "__args__", (annotation,))[0]
        fields = getattr(inner, "model_fields", {})
    close = difflib.get_close_matches(str(loc[-1]), list(fields), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _duplicate_objection_ids(rel: str, objections: Any) -> list[str]:
    first: dict[str, int] = {}
    errors = []
    for index, objection in enumerate(objections if isinstance(objections, list) else []):
        oid = objection.get("id") if isinstance(objection, dict) else None
        if not isinstance(oid, str):
            continue
        if oid in first:
            errors.append(
                f"{rel}: objections[{index}].id: duplicate id {oid!r} "
                f"(already used by objections[{first[oid]}])"
            )
        else:
            first[oid] = index
    return errors


def _duplicate_persona_ids(personas: Sequence[Persona]) -> list[str]:
    seen: set[str] = set()
    errors = []
    for persona in personas:
        if persona.id in seen:
            errors.append(f"personas/: duplicate persona id {persona.id!r}")
        seen.add(persona.id)
    return errors
