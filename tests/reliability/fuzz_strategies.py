"""Hypothesis strategies for the fuzz run: hostile text, broken packs, broken payloads.

Everything here builds *input*; the properties live in ``test_fuzz.py``. Text mixes the
words the parser listens for (lexicon cues, persona names) with what users and clients
really send by accident: control characters, zero-width and direction marks, combining
marks, other scripts, emoji, lone surrogates (a ``str`` can hold them; JSON's ``\\ud800``
escape produces them), digits of other scripts and very long runs.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote_from_bytes, urlencode

import yaml
from hypothesis import strategies as st

_TESTS = Path(__file__).resolve().parents[1]
for _sub in ("slack", "teams"):
    if str(_TESTS / _sub) not in sys.path:
        sys.path.insert(0, str(_TESTS / _sub))

import activities  # noqa: E402
import payloads  # noqa: E402

from content.lexicon import lexicon  # noqa: E402
from content.loader import EXAMPLE_PACK  # noqa: E402

Json = dict[str, Any]

# -- text -----------------------------------------------------------------------------

ODD_CHARACTERS = (
    "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\xa0\xad"  # C0/C1 controls, NBSP, soft hyphen
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2028\u2029\u2060\ufeff\ufffd\uffff"
    "\u0301\u0308\u20dd"  # combining marks
    "²³¹½⁴٣۳߃३๓᠓０"  # digits of other scripts: str.isdigit() says yes, int() may not
    "ÆØÅæøåÄÖÜäöüßéèçœ"  # the pack languages' own letters
    "Ωжשعह中文한글ｶﾀｶﾅ𝔘𝕟𝖎"  # other scripts and mathematical letters
    "😀👩‍💻🇩🇰🏳️‍🌈"  # emoji, ZWJ sequences, flags
)
SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"])
SEPARATORS = st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\x00", "\u00a0", "\u3000", ""])


def any_character(*, surrogates: bool = True) -> st.SearchStrategy[str]:
    """One character: any code point, an odd one, or (optionally) a lone surrogate."""
    options = [st.characters(), st.sampled_from(ODD_CHARACTERS)]
    if surrogates:
        options.append(SURROGATES)
    return st.one_of(options)


def junk(*, surrogates: bool = True, max_size: int = 40) -> st.SearchStrategy[str]:
    """Short text of any characters at all."""
    return st.text(any_character(surrogates=surrogates), max_size=max_size)


def cue_words(language: str, names: list[str]) -> st.SearchStrategy[str]:
    """Words and phrases the parser of ``language`` reacts to, plus persona names."""
    lex = lexicon(language)
    words = [*lex.who, *lex.says, *lex.help, *lex.buyer, *lex.filler]
    words += [w for values in lex.fields.values() for w in values]
    return st.sampled_from(sorted({*words, *names}))


def numbers() -> st.SearchStrategy[str]:
    """Numbers typed as picks: small, negative, huge, padded, other scripts."""
    return st.one_of(
        st.integers(min_value=-5, max_value=12).map(str),
        st.integers(min_value=0, max_value=10**30).map(str),
        st.sampled_from(["0", "00", "007", " 2 ", "2.", "#2", "2)", "1e3", "3²", "٣", "１"]),
        st.text(st.sampled_from("0123456789"), min_size=4300, max_size=4400),
    )


def question(language: str, names: list[str], *, surrogates: bool = True) -> st.SearchStrategy[str]:
    """A question-ish string: cue words, names, numbers and junk, oddly separated."""
    token = st.one_of(cue_words(language, names), numbers(), junk(surrogates=surrogates))
    return st.lists(st.tuples(token, SEPARATORS), max_size=12).map(
        lambda parts: "".join(t + s for t, s in parts)
    )


def huge(base: st.SearchStrategy[str], *, size: int = 100_000) -> st.SearchStrategy[str]:
    """``base`` repeated until it is about ``size`` characters long (never empty)."""
    return base.map(lambda text: ((text or "x") * (size // max(len(text), 1) + 1))[:size])


def texts(language: str, names: list[str], *, surrogates: bool = True) -> st.SearchStrategy[str]:
    """Everything a person (or a broken client) might send as one message."""
    q = question(language, names, surrogates=surrogates)
    return st.one_of(
        q,
        junk(surrogates=surrogates, max_size=200),
        numbers(),
        huge(st.one_of(q, junk(surrogates=surrogates)), size=100_000),
    )


# -- packs ----------------------------------------------------------------------------

EXAMPLE_FILES = (
    "pack.yaml",
    *(f"personas/{p.name}" for p in sorted((EXAMPLE_PACK / "personas").glob("*.yaml"))),
)


def scalars() -> st.SearchStrategy[Any]:
    """Values YAML can hold: text, numbers, booleans, null, and text that looks like more."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(),
        st.text(any_character(surrogates=False), max_size=30),
        st.sampled_from(["", " ", "~", "null", "2026-02-30", "2026-13-01", "yes", "0x1F", "1e9"]),
        st.sampled_from(["x" * 200_000, "cfo-frida", "a@b.c", "decision-maker", "interview"]),
    )


def values() -> st.SearchStrategy[Any]:
    """Any YAML-representable value: scalars, lists and mappings, nested a little."""
    return st.recursive(
        scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.one_of(st.text(max_size=12), st.integers()), inner, max_size=4),
        ),
        max_leaves=12,
    )


def alias_bomb(levels: int = 9, width: int = 10) -> str:
    """ "Billion laughs": ``width ** levels`` strings in a few hundred bytes of YAML."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


# Whole-file texts that attack the YAML layer itself; ``{field}`` is a field name.
HOSTILE_YAML = (
    alias_bomb() + "{field}: *l9\n",
    alias_bomb() + "id: cfo-frida\n{field}: [*l9, *l9]\nevidence: [{{kind: *l9, date: *l9}}]\n",
    "{field}: " + "[" * 50_000 + "]" * 50_000 + "\n",
    "{field}: " + "{{a: " * 5_000 + "1" + "}}" * 5_000 + "\n",
    "{field}: &a [*a]\n",
    "{field}: &a {{x: *a}}\n",
    "{field}: *undefined\n",
    "{field}: " + "9" * 5_000 + "\n",
    "{field}: !!int nine\n",
    "{field}: !!float nine\n",
    "{field}: !!timestamp 2026-02-30\n",
    "{field}: !!binary aGVsbG8=\n",
    "{field}: !!set {{a, b}}\n",
    "{field}: !!python/object/apply:os.system [echo]\n",
    "{field}: !!omap [{{a: 1}}, {{b: 2}}]\n",
    "<<: [1, 2]\n{field}: x\n",
    "[a, b]: 1\n{field}: x\n",
    "~: 1\n3: 4\n{field}: x\n{field}: y\n",
    "- a list\n- not a mapping\n",
    "just text\n",
    "---\n{field}: a\n---\n{field}: b\n",
    "\ufeff{field}: with a byte order mark\n",
    "%YAML 9.9\n---\n{field}: x\n",
)
FIELDS = (
    "id",
    "name",
    "goals",
    "decision_role",
    "review_every_days",
    "last_reviewed",
    "owners",
    "objections",
    "demographics",
    "language",
    "admins",
    "unknown",
)
NON_UTF8 = (b"\xff", b"\xfe\xff", b"\xc3", b"\xc3\x28", b"\xed\xa0\x80", b"\x00", b"\x80\x80")


@dataclass(frozen=True)
class Mutation:
    """One change to a copy of the example pack (``repr`` says exactly what)."""

    kind: str
    file: str
    at: float = 0.0
    data: Any = None

    def apply(self, root: Path) -> None:
        """Make the change in the pack at ``root``."""
        path = root / self.file
        if self.kind == "remove":
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
            return
        if self.kind == "create":  # data: (file name as bytes, content as bytes)
            name, content = self.data
            target = os.path.join(os.fsencode(root / "personas"), name)
            if os.path.isdir(os.path.dirname(target)) and not os.path.exists(target):
                with open(target, "wb") as f:
                    f.write(content)
            return
        if self.kind == "directory":
            if path.exists() and not path.is_dir():
                path.unlink()
            path.mkdir(parents=True, exist_ok=True)
            return
        if not path.is_file():
            return
        raw = path.read_bytes()
        cut = int(len(raw) * self.at)
        if self.kind == "truncate":
            raw = raw[:cut]
        elif self.kind == "flip" and raw:
            i = min(cut, len(raw) - 1)
            raw = raw[:i] + bytes([raw[i] ^ self.data]) + raw[i + 1 :]
        elif self.kind == "insert":
            raw = raw[:cut] + self.data + raw[cut:]
        elif self.kind == "replace":
            raw = self.data.encode("utf-8")
        elif self.kind == "append":
            raw = raw + b"\n" + self.data.encode("utf-8")
        elif self.kind == "set":
            raw = _edited(raw, self.data)
        path.write_bytes(raw)


def _edited(raw: bytes, change: tuple[tuple[int, ...], Any, bool]) -> bytes:
    """Parse, set (or delete) the value at a path picked by ``steps``, dump again."""
    steps, value, delete = change
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError):
        return raw  # an earlier mutation broke it already
    data = set_at(data, steps, value, delete=delete)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


def mutations() -> st.SearchStrategy[Mutation]:
    """One change to the example pack: edits, byte damage, hostile YAML, odd files."""
    file = st.sampled_from(EXAMPLE_FILES)
    at = st.floats(min_value=0, max_value=1)
    steps = st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=4).map(tuple)
    hostile = st.builds(
        lambda t, f: t.format(field=f), st.sampled_from(HOSTILE_YAML), st.sampled_from(FIELDS)
    )
    name = st.one_of(
        st.sampled_from(
            [b"x.yaml", b"\xff.yaml", b"a b.yaml", b"cfo-frida.yml", b"README", b"x.yaml.bak"]
        ),
        st.text(st.characters(exclude_characters="/\x00"), min_size=1, max_size=20).map(
            lambda t: t.encode("utf-8") + b".yaml"
        ),
    )
    return st.one_of(
        st.builds(
            Mutation, st.just("set"), file, st.just(0.0), st.tuples(steps, values(), st.booleans())
        ),
        st.builds(Mutation, st.just("truncate"), file, at),
        st.builds(Mutation, st.just("flip"), file, at, st.integers(min_value=1, max_value=255)),
        st.builds(Mutation, st.just("insert"), file, at, st.sampled_from(NON_UTF8)),
        st.builds(Mutation, st.just("replace"), file, st.just(0.0), hostile),
        st.builds(Mutation, st.just("append"), file, st.just(0.0), hostile),
        st.builds(Mutation, st.just("remove"), st.sampled_from([*EXAMPLE_FILES, "personas"])),
        st.builds(
            Mutation, st.just("directory"), st.sampled_from([*EXAMPLE_FILES, "personas/d.yaml"])
        ),
        st.builds(
            Mutation,
            st.just("create"),
            st.just("personas"),
            st.just(0.0),
            st.tuples(name, st.binary(max_size=64)),
        ),
    )


# -- payloads -------------------------------------------------------------------------


def json_values() -> st.SearchStrategy[Any]:
    """Any JSON value, strings with control characters and lone surrogates included."""
    return st.recursive(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(min_value=-(2**64), max_value=2**64),
            st.floats(allow_nan=False, allow_infinity=False),
            junk(max_size=20),
            st.sampled_from(["", "help", "who is the CFO?", "persona:cfo-frida", "C0SALES", "D0X"]),
        ),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(junk(max_size=8), inner, max_size=3)
        ),
        max_leaves=8,
    )


def set_at(data: Any, steps: tuple[int, ...], value: Any, *, delete: bool) -> Any:
    """``data`` with the node ``steps`` lead to replaced by ``value`` (or deleted)."""
    parent: Any = None
    key: Any = None
    node = data
    for step in steps:
        if isinstance(node, dict) and node:
            key = list(node)[step % len(node)]
        elif isinstance(node, list) and node:
            key = step % len(node)
        else:
            break
        parent, node = node, node[key]
    if parent is None:
        return value
    if delete:
        del parent[key]
    else:
        parent[key] = value
    return data


def edits() -> st.SearchStrategy[list[tuple[tuple[int, ...], Any, bool]]]:
    """A few edits for :func:`set_at`: where, what, and whether to delete instead."""
    steps = st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=4).map(tuple)
    return st.lists(st.tuples(steps, json_values(), st.booleans()), min_size=1, max_size=3)


def damaged(raw: bytes) -> st.SearchStrategy[bytes]:
    """``raw`` as it is, truncated, or with bytes that are not UTF-8 put in."""
    at = st.integers(min_value=0, max_value=max(len(raw) - 1, 0))
    return st.one_of(
        st.just(raw),
        at.map(lambda i: raw[:i]),
        st.tuples(at, st.sampled_from(NON_UTF8)).map(lambda p: raw[: p[0]] + p[1] + raw[p[0] :]),
        st.binary(max_size=200),
    )


def encode(value: Any) -> bytes:
    """JSON as a client sends it (lone surrogates escaped, as JSON allows)."""
    return json.dumps(value, ensure_ascii=True).encode("ascii")


def edited(template: Any, changes: list[tuple[tuple[int, ...], Any, bool]]) -> Any:
    """``template`` with every change of :func:`edits` applied."""
    data = template
    for steps, value, delete in changes:
        data = set_at(data, steps, value, delete=delete)
    return data


EN_NAMES = ["Frida", "the CFO", "Oskar", "Tuva", "Bjørn", "IT manager"]


def slack_requests(response_url: str) -> st.SearchStrategy[tuple[str, bytes]]:
    """Bodies Slack could never send, but signed correctly: (content type, body)."""
    text = texts("en", EN_NAMES)
    user = st.sampled_from(["U0SELLER", "U0OTHER", "U0BOT"])
    channel = st.sampled_from(["C0SALES", "D0USER", "G0PRIV"])

    def ts() -> st.SearchStrategy[str]:
        return st.builds(payloads.next_ts)

    event = st.one_of(
        st.builds(payloads.app_mention, text, user=user, channel=channel, ts=ts()),
        st.builds(payloads.dm_message, text, user=user, ts=ts()),
        st.builds(payloads.app_home_opened, user, st.sampled_from(["home", "messages", "x"])),
        st.builds(payloads.bot_message, text, channel=channel, ts=ts()),
    )
    envelope = st.builds(lambda e: payloads.event_callback(e), event)
    handshake = st.builds(payloads.url_verification, junk())
    json_body = st.builds(edited, st.one_of(envelope, handshake), edits()).map(encode)

    def with_response_url(form: Any) -> Any:
        if isinstance(form, dict) and "response_url" in form:
            form["response_url"] = response_url  # never let the bot call out elsewhere
        return form

    action = st.builds(
        lambda v, u, c: payloads.block_actions_payload(
            "choose:0", v, user=u, channel=c, message_ts=payloads.next_ts()
        ),
        st.sampled_from(["persona:cfo-frida", "objection:cfo-frida/price", "more:x", "x"]),
        user,
        channel,
    )
    clicks = st.one_of(
        st.builds(edited, action, edits()).map(with_response_url).map(encode),
        st.binary(max_size=100),
        junk().map(lambda t: t.encode("utf-8", "surrogatepass")),
    ).map(lambda raw: b"payload=" + quote_from_bytes(raw).encode("ascii"))
    command = st.builds(
        lambda t, u, c: dict(
            parse_qsl(payloads.slash_command(t, user_id=u, channel_id=c, response_url="x"))
        ),
        text,
        user,
        channel,
    )
    commands = st.builds(edited, command, edits()).map(with_response_url).map(form_body)
    content_type = st.sampled_from([payloads.JSON, payloads.FORM])
    odd_type = st.sampled_from(
        ["text/plain", "", "multipart/form-data; boundary=x", "application/json; charset=latin-1"]
    )
    return st.one_of(
        st.tuples(st.just(payloads.JSON), json_body.flatmap(damaged)),
        st.tuples(st.just(payloads.FORM), clicks.flatmap(damaged)),
        st.tuples(st.just(payloads.FORM), commands.flatmap(damaged)),
        st.tuples(st.one_of(content_type, odd_type), st.one_of(json_body, commands)),
    )


def form_body(form: Any) -> bytes:
    """A form body of anything (a value that is no text is sent as its ``str``)."""
    fields = form if isinstance(form, dict) else {"text": form}
    return urlencode(fields, errors="surrogatepass").encode("ascii")


def teams_requests(service_url: str) -> st.SearchStrategy[tuple[str, bytes]]:
    """Activities of any shape, in the local connector's name: (content type, body)."""
    text = texts("en", EN_NAMES)
    kind = st.sampled_from(["messageReaction", "typing", "event", "invoke", "x", ""])
    activity = st.one_of(
        st.builds(activities.personal_message, text, service_url=st.just(service_url)),
        st.builds(activities.channel_mention, text, service_url=st.just(service_url)),
        st.builds(activities.group_chat_mention, text, service_url=st.just(service_url)),
        st.builds(activities.card_submit, json_values(), service_url=st.just(service_url)),
        st.builds(activities.conversation_update_installed, service_url=st.just(service_url)),
        st.builds(activities.unknown_activity, kind, service_url=st.just(service_url)),
    )

    def local(body: Any) -> Any:
        if isinstance(body, dict) and "serviceUrl" in body:
            body["serviceUrl"] = service_url  # replies must reach the fake, not the world
        return body

    shaped = st.builds(edited, activity, edits()).map(local).map(encode)
    odd_url = st.builds(
        lambda a, url: encode(dict(a, serviceUrl=url)),
        activity,
        st.sampled_from(
            [None, 7, "", "x", "http://example.com/", "ftp://127.0.0.1/", [service_url]]
        ),
    )
    json_type = st.sampled_from(["application/json", "application/json; charset=utf-8"])
    return st.one_of(
        st.tuples(json_type, shaped.flatmap(damaged)),
        st.tuples(json_type, odd_url),
        st.tuples(st.sampled_from(["text/plain", "", "application/x-www-form-urlencoded"]), shaped),
        st.tuples(json_type, json_values().map(encode)),
    )
