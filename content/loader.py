"""Load and validate a content pack directory, reporting every error at once.

Each error names the file (relative to the pack), the field path and what is wrong,
e.g. ``personas/cfo.yaml: objections[2].response: required``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from content.schema import Pack, PackInfo, Persona, Quiz, Scenario
from content.yaml_reading import clipped, read_yaml, shown

M = TypeVar("M", bound=BaseModel)

EXAMPLE_PACK = Path(__file__).parent / "example_pack"


class PackError(Exception):
    """A pack failed validation; ``errors`` lists every problem found."""

    def __init__(self, root: Path, errors: Sequence[str]) -> None:
        self.root = root
        self.errors = list(errors)
        super().__init__(f"{root}: {len(self.errors)} error(s)\n" + "\n".join(self.errors))


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

    pack_data = read_yaml(root / "pack.yaml", "pack.yaml", errors)
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
    scenarios: list[Scenario] = []
    if (root / "scenarios").is_dir():
        objections = {p.id: {o.id for o in p.objections} for p in personas}
        scenarios = _documents(
            root / "scenarios",
            "scenario",
            Scenario,
            errors,
            lambda rel, d: _scenario_problems(rel, d, persona_ids, objections),
        )
    if info is not None:
        errors.extend(
            f"pack.yaml: onboarding.personas[{index}]: unknown persona {shown(pid)}"
            for index, pid in enumerate(info.onboarding.personas)
            if personas and pid not in persona_ids
        )
    if errors or info is None:
        raise PackError(root, errors)
    return Pack(
        info=info,
        personas=tuple(sorted(personas, key=lambda p: p.id)),
        quizzes=tuple(quizzes),
        scenarios=tuple(scenarios),
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
        data = read_yaml(path, rel, errors)
        if data is None:
            continue
        data = _without_empty_fields(data, model)
        if isinstance(data.get("id"), str) and data["id"] != path.stem:
            errors.append(
                f"{rel}: id: {shown(data['id'])} must equal the file name "
                f"{shown(_readable(path.stem))}"
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
        errors.append(f"{rel}: persona: unknown persona {shown(persona)}")
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


def _scenario_problems(
    rel: str, data: dict[str, Any], persona_ids: set[str], objections: dict[str, set[str]]
) -> list[str]:
    """A scenario's unknown persona, and turns with neither a known objection nor a rubric.

    ``objections`` has the valid personas' objection ids; a persona whose own file has
    errors is reported there, not here.
    """
    persona = data.get("persona")
    if not isinstance(persona, str):
        return []
    if persona_ids and persona not in persona_ids:
        return [f"{rel}: persona: unknown persona {shown(persona)}"]
    if persona not in objections:
        return []
    known = objections[persona]
    errors = []
    turns = data.get("turns")
    for index, turn in enumerate(turns if isinstance(turns, list) else []):
        if not isinstance(turn, dict) or not isinstance(turn.get("objection"), str):
            continue
        if turn["objection"].strip() not in known and not turn.get("rubric"):
            errors.append(
                f"{rel}: turns[{index}].rubric: required, because {shown(turn['objection'])} "
                f"is not one of {persona}'s objection ids ({', '.join(sorted(known)) or 'none'})"
            )
    return errors


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
            out += ("." if out else "") + clipped(str(part))
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
        return f"{shown(err['input'])} is not allowed; use one of {ctx.get('expected', '')}"
    if kind == "too_short":
        return "must list at least 1 item"
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return f"{shown(err['input'])} is not a valid date (use YYYY-MM-DD)"
    if kind == "date_type":
        return f"{shown(err['input'])} is not a date (use YYYY-MM-DD)"
    if kind == "bool_type":
        return f"{shown(err['input'])} must be true or false"
    if kind == "string_type":
        return f"must be text, got {type(err['input']).__name__}"
    if kind == "list_type":
        return f"must be a list, got {type(err['input']).__name__}"
    if kind in ("dict_type", "model_type"):
        return f"must be a mapping of fields, got {type(err['input']).__name__}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{shown(err['input'])} must be a whole number"
    if kind == "greater_than":
        return f"must be greater than {ctx.get('gt')}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return str(err["msg"])


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
