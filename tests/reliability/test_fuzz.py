"""The fuzz run: hostile input never crashes the parser, the loader or the served app.

Four targets, each under Hypothesis (derandomized, so CI sees the same examples every
run): the text parser (the retriever, the ask handler and the whole router), the content
loader (a damaged example pack loads or raises ``PackError`` naming file and problem),
and Slack's and Teams' endpoints of the real server over HTTP (fuzzed but correctly
signed bodies never get a 5xx or a handler traceback, and the server answers a normal
request afterwards). The figures (examples per target, failures, time) are printed at
the end of the module.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TESTS = Path(__file__).resolve().parents[1]
for sub in ("", "slack", "teams", "chat"):
    if str(TESTS / sub) not in sys.path:
        sys.path.insert(0, str(TESTS / sub))

import aiohttp  # noqa: E402
import fuzz_strategies as fs  # noqa: E402
from activities import json_body, personal_message  # noqa: E402
from fake_connector import FakeConnector  # noqa: E402
from fake_slack import FakeSlack  # noqa: E402
from payloads import (  # noqa: E402
    FORM,
    JSON,
    app_mention,
    event_callback,
    next_ts,
    sign,
    url_verification,
)
from procs import scratch_schema, scrubbed_env  # noqa: E402
from server_thread import ServerThread  # noqa: E402
from serving import served  # noqa: E402
from slack_sdk.errors import SlackApiError  # noqa: E402
from testbot import TODAY, build_bot  # noqa: E402

from bot.adapters.teams.server import TEAMS  # noqa: E402
from bot.i18n import Texts  # noqa: E402
from bot.model import ConversationRef, Incoming, Reply, User  # noqa: E402
from bot.settings import Settings  # noqa: E402
from content.catalog import Catalog  # noqa: E402
from content.loader import EXAMPLE_PACK, PackError, load_pack  # noqa: E402
from handlers.ask import AskHandler  # noqa: E402

FIXTURE_PACKS = TESTS / "fixtures" / "packs"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
LANGUAGES = ("en", "da", "nb", "sv", "de", "fr")
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=60,
    suppress_health_check=list(HealthCheck),
)

FUZZ_MORE = settings(FUZZ, max_examples=300)


# -- figures and error watch ------------------------------------------------------------


@dataclass
class Figure:
    examples: int = 0
    failures: int = 0
    seconds: float = 0.0


FIGURES: dict[str, Figure] = {}


@contextlib.contextmanager
def counted(target: str) -> Iterator[None]:
    """Count one example of ``target``; a failing example is counted as a failure."""
    figure = FIGURES.setdefault(target, Figure())
    figure.examples += 1
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        figure.failures += 1
        raise
    finally:
        figure.seconds += time.perf_counter() - started


@pytest.fixture(scope="module", autouse=True)
def report(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print examples run, failures found and time per target after the module."""
    yield
    plugins = request.config.pluginmanager
    reporter = plugins.get_plugin("terminalreporter")
    capture = plugins.get_plugin("capturemanager")
    if reporter is None or not FIGURES:
        return
    lines = ["fuzz figures (target: examples run, failures found, seconds):"]
    lines += [
        f"  {t}: {f.examples}, {f.failures}, {f.seconds:.1f}" for t, f in sorted(FIGURES.items())
    ]
    total = sum(f.examples for f in FIGURES.values())
    failures = sum(f.failures for f in FIGURES.values())
    seconds = sum(f.seconds for f in FIGURES.values())
    lines.append(f"  total: {total} examples, {failures} failures, {seconds:.1f} s")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        reporter.ensure_newline()
        for line in lines:
            reporter.write_line(line)


class ErrorWatch(logging.Handler):
    """Collects every ERROR logged anywhere (any thread) while installed."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        found = [f"{r.name}: {r.getMessage()[:300]}" for r in self.records]
        self.records.clear()
        return found


@pytest.fixture(scope="module")
def errors() -> Iterator[ErrorWatch]:
    watch = ErrorWatch()
    logging.getLogger().addHandler(watch)
    try:
        yield watch
    finally:
        logging.getLogger().removeHandler(watch)


# -- the text parser -------------------------------------------------------------------


def pack_for(language: str, tmp: Path) -> Path:
    """A pack in ``language``: a fixture pack, or the example pack relabelled."""
    if (FIXTURE_PACKS / language).is_dir():
        return FIXTURE_PACKS / language
    copy = Path(shutil.copytree(EXAMPLE_PACK, tmp / f"pack-{language}", dirs_exist_ok=True))
    info = copy / "pack.yaml"
    info.write_text(info.read_text().replace("language: en", f"language: {language}"))
    return copy


@pytest.fixture(scope="module")
def handlers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, AskHandler]:
    """An ask handler per language, over that language's pack."""
    tmp = tmp_path_factory.mktemp("packs")
    out = {}
    for language in LANGUAGES:
        pack = load_pack(pack_for(language, tmp))
        catalog = Catalog(
            personas=pack.personas,
            language=pack.language,
            pack_name=pack.info.name,
            review_every_days=pack.info.review_every_days,
        )
        out[language] = AskHandler(
            catalog=_constant(catalog), texts=Texts(language=language), clock=lambda: TODAY
        )
    return out


def _constant(catalog: Catalog) -> Callable[[], Catalog]:
    return lambda: catalog


def names(handler: AskHandler) -> list[str]:
    return [n for p in handler.catalog.personas for n in (p.name, *p.aliases)]


@pytest.mark.parametrize("language", LANGUAGES)
@FUZZ
@given(data=st.data())
def test_the_parser_understands_or_shrugs_at_anything(
    handlers: dict[str, AskHandler], language: str, data: st.DataObject
) -> None:
    handler = handlers[language]
    text = data.draw(fs.texts(language, names(handler)), label="text")
    user = User(platform="console", id="fuzz")
    message = Incoming(
        user=user, conversation=ConversationRef(platform="console", id="f"), text=text
    )
    with counted(f"parser/{language}"):
        understood = handler.catalog.retriever.understand(text)
        assert understood.intent in ("persona", "objection", "help", "unknown")
        assert 0.0 <= understood.confidence <= 1.0
        assert isinstance(handler.handle(message), Reply)


@pytest.fixture(params=LANGUAGES)
def bot(request: pytest.FixtureRequest, tmp_path: Path, database_url: str) -> Iterator[Any]:
    """The whole bot (router, handlers, database) on a pack in each language."""
    made = build_bot(database=database_url, content=pack_for(request.param, tmp_path))
    try:
        yield made
    finally:
        made.app.db.dispose()


@FUZZ
@given(data=st.data())
def test_the_whole_router_answers_every_message(
    bot: Any, errors: ErrorWatch, data: st.DataObject
) -> None:
    language = bot.app.catalog.language
    pack_names = [n for p in bot.app.catalog.personas for n in (p.name, *p.aliases)]
    chat = data.draw(st.lists(fs.texts(language, pack_names), min_size=1, max_size=4))
    errors.take()
    for text in chat:
        with counted(f"router/{language}"):
            reply = bot.ask(text)
            assert isinstance(reply, Reply)
            assert reply.meta.get("intent") != "error", text[:200]
            assert errors.take() == []


# -- the content loader ----------------------------------------------------------------

# The file (any name a file system allows, ":" included), then what is wrong.
ERROR_LINE = re.compile(r"^(pack\.yaml|(personas|quizzes)/[^/]*?): \S")


def assert_loads_or_explains(root: Path) -> None:
    """The pack loads, or every error names its file and says what is wrong, briefly."""
    try:
        pack = load_pack(root)
    except PackError as exc:
        assert exc.errors, "a PackError without errors"
        for line in exc.errors:
            assert ERROR_LINE.match(line), line[:300]
            assert len(line) <= 1000, line[:300]
            line.encode("utf-8")  # prints anywhere: no lone surrogates from file names
    else:
        assert pack.personas


@FUZZ_MORE
@given(changes=st.lists(fs.mutations(), min_size=1, max_size=3))
def test_a_damaged_pack_loads_or_says_what_is_wrong(
    tmp_path_factory: pytest.TempPathFactory, changes: list[fs.Mutation]
) -> None:
    root = Path(shutil.copytree(EXAMPLE_PACK, tmp_path_factory.mktemp("fuzz") / "pack"))
    for change in changes:
        change.apply(root)
    with counted("loader"):
        assert_loads_or_explains(root)


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLE_PACK, tmp_path / "pack"))


def errors_for(root: Path, file: str, text: str) -> list[str]:
    (root / file).write_text(text, encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(root)
    return caught.value.errors


@pytest.mark.parametrize("field", ["decision_role", "review_every_days", "last_reviewed"])
def test_an_alias_bomb_is_an_error_not_a_hang(pack: Path, field: str) -> None:
    frida = (pack / "personas/cfo-frida.yaml").read_text(encoding="utf-8")
    kept = "\n".join(line for line in frida.splitlines() if not line.startswith(f"{field}:"))
    tracemalloc.start()
    try:
        found = errors_for(
            pack, "personas/cfo-frida.yaml", fs.alias_bomb() + kept + f"\n{field}: *l9\n"
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert any(e.startswith(f"personas/cfo-frida.yaml: {field}: a list ") for e in found), found
    assert peak < 50 * 1024**2  # a billion "lol"s never get written out


@pytest.mark.parametrize("levels", [100, 999, 1_000, 50_000])
def test_deep_nesting_is_an_error_not_a_crash(pack: Path, levels: int) -> None:
    # libyaml recurses in C per level: 50 000 levels used to kill the process outright,
    # and libyaml 0.2.6 refuses 1 000 levels in its own words; the loader says it first.
    # Run as a user would, in a process of its own, so a crash would show as one.
    goals = "goals: " + "[" * levels + "]" * levels + "\n"
    (pack / "personas/cfo-frida.yaml").write_text("id: cfo-frida\n" + goals, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "content", "validate", str(pack)],
        capture_output=True,
        text=True,
        env=scrubbed_env(),
        cwd=pack,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr  # an answer, not a signal
    assert "Traceback" not in result.stderr
    # The file's mapping is level 1, so the 100th "[" (line 2, column 7 + 100) is level 101.
    assert result.stderr.splitlines()[1:] == [
        "  personas/cfo-frida.yaml: line 2, column 107: invalid YAML: nested deeper than 100 levels"
    ]


def test_nesting_up_to_the_limit_is_read(pack: Path) -> None:
    text = "id: cfo-frida\ngoals: " + "[" * 99 + "]" * 99 + "\n"  # 100 levels
    found = errors_for(pack, "personas/cfo-frida.yaml", text)
    assert "personas/cfo-frida.yaml: goals[0]: must be text, got list" in found
    assert not any("invalid YAML" in e for e in found), found


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "review_every_days: " + "9" * 5_000,
            "column 20: invalid YAML: a number has too many digits",
        ),
        ("review_every_days: !!int ninety", "column 20: invalid YAML: 'ninety' is not a valid int"),
        (
            "last_reviewed: !!timestamp 2026-02-30",
            "column 16: invalid YAML: '2026-02-30' is not a valid timestamp",
        ),
    ],
)
def test_values_yaml_cannot_build_are_errors(pack: Path, text: str, problem: str) -> None:
    # In our words, with the value's place: Python's own messages change between versions.
    assert errors_for(pack, "pack.yaml", f"name: x\nlanguage: en\n{text}\n") == [
        f"pack.yaml: line 3, {problem}"
    ]


def test_a_file_name_that_is_not_utf8_is_named_printably(pack: Path) -> None:
    with open(os.path.join(os.fsencode(pack / "personas"), b"\xff.yaml"), "wb") as f:
        f.write(b"id: x\n")
    found = errors_for(pack, "pack.yaml", (EXAMPLE_PACK / "pack.yaml").read_text())
    assert "personas/\ufffd.yaml: id: 'x' must equal the file name '\ufffd'" in found


# -- the served app: Slack and Teams over HTTP -------------------------------------------

NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)
# Exceptions that mean "the platform refused", which the adapters log and apologise for.
REFUSALS = (SlackApiError,)


class Live:
    """The fake Slack API, the fake Bot Connector and our server, on one event loop."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.stack = contextlib.AsyncExitStack()

    async def start(self) -> None:
        self.slack = FakeSlack()
        await self.slack.start()
        self.stack.push_async_callback(self.slack.stop)
        self.slack.add_user("U0SELLER", "seller@fieldline.example", "Sam Seller")
        self.connector = await self.stack.enter_async_context(FakeConnector(validate_every=5))
        settings = Settings(
            database_url=self.database_url,
            SLACK_BOT_TOKEN="xoxb-test-token",
            SLACK_SIGNING_SECRET=SECRET,
            slack_api_url=self.slack.base_url,
            teams_local=True,
        )
        self.server = await self.stack.enter_async_context(served(settings, clock=lambda: NOW))
        self.session = await self.stack.enter_async_context(aiohttp.ClientSession())

    async def stop(self) -> None:
        await self.stack.aclose()

    async def post(
        self, path: str, content_type: str, body: bytes, *, secret: str | None = SECRET
    ) -> int:
        """POST ``body`` (signed as Slack does unless ``secret`` is None); the status."""
        headers = {"Content-Type": content_type}
        if secret is not None:
            headers.update(sign(body, secret, int(time.time())))
        async with self.session.post(self.server.base + path, data=body, headers=headers) as r:
            await r.read()
            return r.status

    async def settle(self) -> None:
        """Wait for the work acknowledged requests started, then commit the question log."""
        while pending := [
            t
            for t in asyncio.all_tasks()
            if "run_ack_function_asynchronously" in repr(t.get_coro()) and not t.done()
        ]:
            await asyncio.wait(pending, timeout=10)
        await self.server.web_app[TEAMS].lanes.idle(10)
        await asyncio.to_thread(self.server.core.turns.flush)  # raises on a record it can't store

    async def still_answers(self) -> None:
        """A normal Slack handshake and a normal Teams message still work."""
        body = json.dumps(url_verification("still-there")).encode()
        assert await self.post("/slack/events", JSON, body) == 200
        activity = personal_message("help", service_url=self.connector.url)
        assert await self.post("/api/messages", JSON, json_body(activity), secret=None) == 200


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One served app per database for the whole module, on a thread of its own."""
    with module_database(request.param, tmp_path_factory) as url:
        rig = Live(url)
        thread = ServerThread(rig, name="fuzz-server")
        thread.start()
        try:
            yield lambda coro: thread.submit(coro).result(60), rig
        finally:
            thread.stop()


@contextlib.contextmanager
def module_database(kind: str, tmp: pytest.TempPathFactory) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp.mktemp('fuzz-db') / 'fuzz.db'}"
        return
    with scratch_schema("fuzz") as url:
        yield url


def crashes(watch: ErrorWatch) -> list[str]:
    """Errors logged for anything but the platform refusing a call."""
    found = [
        f"{r.name}: {r.getMessage()[:300]} ({r.exc_info[1]!r})" if r.exc_info else r.getMessage()
        for r in watch.records
        if not (r.exc_info and isinstance(r.exc_info[1], REFUSALS))
    ]
    watch.records.clear()
    return found


@FUZZ
@given(data=st.data())
def test_slack_never_answers_a_signed_request_with_a_500(
    live: Any, errors: ErrorWatch, data: st.DataObject
) -> None:
    run, rig = live
    content_type, body = data.draw(fs.slack_requests(rig.slack.response_url("fuzz")))
    errors.records.clear()
    with counted(f"slack/{rig.server.core.db.dialect}"):
        status = run(rig.post("/slack/events", content_type, body))
        run(rig.settle())
        assert status < 500
        assert crashes(errors) == []
        run(rig.still_answers())


@FUZZ
@given(data=st.data())
def test_slack_refuses_an_unsigned_or_badly_signed_request(
    live: Any, errors: ErrorWatch, data: st.DataObject
) -> None:
    run, rig = live
    content_type, body = data.draw(fs.slack_requests(rig.slack.response_url("fuzz")))
    secret = data.draw(st.sampled_from([None, "wrong-secret", ""]))
    with counted(f"slack-unsigned/{rig.server.core.db.dialect}"):
        assert run(rig.post("/slack/events", content_type, body, secret=secret)) == 401
        assert crashes(errors) == []


@pytest.mark.parametrize(
    ("content_type", "body", "reason"),
    [
        (JSON, b"{", "the body is not the UTF-8 JSON or form data Slack sends"),
        (JSON, b'{"type": "url_verification", "challenge": "\xff"}', "not the UTF-8 JSON"),
        (FORM, b"payload=%7Bbroken", "not the UTF-8 JSON"),
        (FORM, b"command=%2Fpersona&user_id=U0SELLER&text=hi", "command.channel_id: required"),
        (
            JSON,
            b'{"type": "event_callback", "event": {"type": "message", "channel": "C1", "text": 7}}',
            "malformed payload: event.text: must be text",
        ),
    ],
)
def test_slack_says_what_is_wrong_with_a_signed_malformed_request(
    live: Any, errors: ErrorWatch, content_type: str, body: bytes, reason: str
) -> None:
    run, rig = live

    async def scenario() -> tuple[int, str]:
        headers = {"Content-Type": content_type, **sign(body, SECRET, int(time.time()))}
        async with rig.session.post(
            rig.server.base + "/slack/events", data=body, headers=headers
        ) as r:
            return r.status, await r.text()

    status, answer = run(scenario())
    assert status == 400 and reason in answer
    assert crashes(errors) == []


def test_slack_text_no_database_can_hold_is_still_answered_and_recorded(
    live: Any, errors: ErrorWatch
) -> None:
    run, rig = live
    event = app_mention("who is Frida?", user="U0SELLER", channel="C0SALES", ts=next_ts())
    event["text"] = "<@U0BOT> who is \x00Frida\ud800?"
    body = fs.encode(event_callback(event))

    async def ask() -> list[Any]:
        rig.slack.clear()
        assert await rig.post("/slack/events", JSON, body) == 200
        await rig.settle()  # commits the question log: raises on a value the database refuses
        return await rig.slack.wait_for("chat.postMessage", 1, timeout=10)

    (reply,) = run(ask())
    assert "CFO Frida" in str(reply.params)
    assert crashes(errors) == []


def test_a_body_over_a_megabyte_is_refused_with_413(live: Any, errors: ErrorWatch) -> None:
    run, rig = live
    event = app_mention("x" * (1024**2 + 10), user="U0SELLER", channel="C0SALES", ts=next_ts())
    assert run(rig.post("/slack/events", JSON, fs.encode(event_callback(event)))) == 413
    activity = personal_message("x" * (1024**2 + 10), service_url=rig.connector.url)
    assert run(rig.post("/api/messages", JSON, json_body(activity), secret=None)) == 413
    run(rig.still_answers())
    assert crashes(errors) == []


@FUZZ
@given(data=st.data())
def test_teams_never_answers_an_activity_with_a_500(
    live: Any, errors: ErrorWatch, data: st.DataObject
) -> None:
    run, rig = live
    content_type, body = data.draw(fs.teams_requests(rig.connector.url))
    errors.records.clear()
    with counted(f"teams/{rig.server.core.db.dialect}"):
        status = run(rig.post("/api/messages", content_type, body, secret=None))
        run(rig.settle())
        assert status < 500
        assert crashes(errors) == []
        run(rig.still_answers())


def test_teams_text_no_database_can_hold_is_still_answered_and_recorded(
    live: Any, errors: ErrorWatch
) -> None:
    run, rig = live
    activity = personal_message("who is Frida?", service_url=rig.connector.url)
    activity["text"] = "who is \x00Frida\ud800?"

    async def ask() -> list[Any]:
        rig.connector.clear()
        assert await rig.post("/api/messages", JSON, fs.encode(activity), secret=None) == 200
        await rig.settle()  # commits the question log: raises on a value the database refuses
        return await rig.connector.wait_for_activities(1, timeout=10)

    assert any("CFO Frida" in json.dumps(reply) for reply in run(ask()))
    assert crashes(errors) == []


# -- regressions: a number int() refuses, a question no database can hold --------------


@pytest.mark.parametrize("number", ["²", "9" * 5000])
def test_a_number_int_cannot_read_with_choices_pending_is_no_pick(
    tmp_path: Path, number: str
) -> None:
    bot = build_bot(database=tmp_path / "bot.db")
    try:
        assert bot.ask("tell me about the CFO").cards  # a card with choices: now pending
        assert bot.ask(number).meta.get("intent") != "error"
    finally:
        bot.app.db.dispose()


def test_one_unstorable_question_does_not_stop_the_question_log(
    database_url: str, tmp_path: Path, errors: ErrorWatch
) -> None:
    bot = build_bot(database=database_url)
    try:
        bot.ask("who is \ud800 Frida?")  # the console passes text on as it is
        errors.take()
        bot.ask("who is Oskar?")
        assert errors.take() == []  # the next question is recorded
    finally:
        bot.app.db.dispose()
