"""Prometheus metrics an operator watches: questions, unanswered ones, latency, errors.

Each :class:`Metrics` has its own :class:`prometheus_client.CollectorRegistry` (never the
process-wide default), so tests and several apps in one process do not collide.
``personabot serve`` exposes it at ``GET /metrics``.

Label values are bounded: platforms and intents come from code (an intent that is not a
short slug is counted as ``other``), HTTP routes are the matched route's pattern (never
the raw path; unmatched requests are ``other``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

from bot.model import Reply
from bot.router import offered_choices

# From a tenth of a millisecond (an answer from memory) to seconds (a stalled database).
ANSWER_BUCKETS = (
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
)
CONTENT_TYPE = CONTENT_TYPE_LATEST
_SLUG = re.compile(r"[a-z][a-z0-9_-]{0,31}")
# Label children kept per metric; beyond this, lookups go to prometheus_client directly.
_CACHE_LIMIT = 512


class Metrics:
    """The bot's counters and histograms, in a registry of their own.

    Attributes:
        registry: Everything :meth:`exposition` writes, process and GC metrics included.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.questions = Counter(
            "personabot_questions",
            "Messages answered, by platform and intent (persona, objection, help, unknown, "
            "error); the same intent the question log records.",
            ["platform", "intent"],
            registry=self.registry,
        )
        self.unanswered = Counter(
            "personabot_unanswered",
            'Questions the bot answered with "I don\'t know" (intent unknown, no choices '
            "offered), by platform.",
            ["platform"],
            registry=self.registry,
        )
        self.answer_seconds = Histogram(
            "personabot_answer_seconds",
            "Time the router spends on a message: understanding, composing the reply and "
            "recording the question, by platform.",
            ["platform"],
            buckets=ANSWER_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "personabot_errors",
            "Errors by platform and kind: handler (a reply failed; the user got an "
            "apology), question_log (questions not recorded), http (a request failed "
            "with 500), delivery (a reply could not be sent).",
            ["platform", "kind"],
            registry=self.registry,
        )
        self.http_requests = Counter(
            "personabot_http_requests",
            "HTTP requests by route pattern and status code (unmatched paths: other).",
            ["route", "status"],
            registry=self.registry,
        )
        self.quiz_answers = Counter(
            "personabot_quiz_answers",
            "Quiz answers counted, by result (right, wrong); a click that changed nothing "
            "(a replay, an old button) is not counted.",
            ["result"],
            registry=self.registry,
        )
        for result in ("right", "wrong"):  # both series exist from the start, at 0
            self.quiz_answers.labels(result=result)
        self.quiz_completions = Counter(
            "personabot_quiz_completions",
            "Quizzes played to their last question.",
            registry=self.registry,
        )
        self.roleplay_starts = Counter(
            "personabot_roleplay_starts",
            "Role-plays started.",
            registry=self.registry,
        )
        self.roleplay_completions = Counter(
            "personabot_roleplay_completions",
            "Role-plays played to their last objection.",
            registry=self.registry,
        )
        self.roleplay_scores = Histogram(
            "personabot_roleplay_score",
            "Scores (out of 100) of completed role-plays.",
            buckets=(10, 20, 30, 40, 50, 60, 70, 80, 90, 100),
            registry=self.registry,
        )
        self._questions: dict[tuple[str, object], Callable[[], None]] = {}
        self._unanswered: dict[str, Callable[[], None]] = {}
        self._latency: dict[str, Callable[[float], None]] = {}
        self._http: dict[tuple[str, int], Callable[[], None]] = {}

    def turn(self, *, platform: str, reply: Reply, seconds: float) -> None:
        """Count one answered message and how long it took.

        Args:
            platform: Where the message came from (``slack``, ``teams``, ``console``).
            reply: The answer; its ``meta["intent"]`` is the intent label.
            seconds: Time spent answering.
        """
        intent = reply.meta.get("intent")
        count = self._questions.get((platform, intent))
        if count is None:
            label = intent if isinstance(intent, str) and _SLUG.fullmatch(intent) else "other"
            count = self.questions.labels(platform=platform, intent=label).inc
            _remember(self._questions, (platform, intent), count)
        count()
        observe = self._latency.get(platform)
        if observe is None:
            observe = self.answer_seconds.labels(platform=platform).observe
            _remember(self._latency, platform, observe)
        observe(seconds)
        if intent == "quiz":
            self._quiz(reply)
        if intent == "roleplay":
            self._roleplay(reply)
        if intent == "unknown" and not offered_choices(reply):
            unanswered = self._unanswered.get(platform)
            if unanswered is None:
                unanswered = self.unanswered.labels(platform=platform).inc
                _remember(self._unanswered, platform, unanswered)
            unanswered()

    def _quiz(self, reply: Reply) -> None:
        for message in reply.messages():
            correct = message.meta.get("correct")
            if isinstance(correct, bool):
                self.quiz_answers.labels(result="right" if correct else "wrong").inc()
            if message.meta.get("completed"):
                self.quiz_completions.inc()

    def _roleplay(self, reply: Reply) -> None:
        for message in reply.messages():
            if message.meta.get("started"):
                self.roleplay_starts.inc()
            score = message.meta.get("score")
            if message.meta.get("completed") and isinstance(score, int):
                self.roleplay_completions.inc()
                self.roleplay_scores.observe(score)

    def error(self, *, platform: str, kind: str) -> None:
        """Count one error (``kind``: handler, question_log, http, delivery)."""
        self.errors.labels(platform=platform, kind=kind).inc()

    def http_request(self, *, route: str, status: int) -> None:
        """Count one HTTP request by its route pattern and status code."""
        count = self._http.get((route, status))
        if count is None:
            count = self.http_requests.labels(route=route, status=str(status)).inc
            _remember(self._http, (route, status), count)
        count()

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format (see :data:`CONTENT_TYPE`)."""
        return generate_latest(self.registry)


K = TypeVar("K")
V = TypeVar("V")


def _remember(cache: dict[K, V], key: K, value: V) -> None:
    if len(cache) < _CACHE_LIMIT:
        cache[key] = value
