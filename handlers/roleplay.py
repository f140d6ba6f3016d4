"""Role-play: the bot plays a buyer persona, the seller answers, every point is explained.

``roleplay`` lists the scenarios; ``roleplay <persona or scenario>`` starts one;
``roleplay history`` shows past sessions (a pack admin sees everyone's). The buyer
speaks in character: the situation, the opening, then one objection a turn, worded one
of the persona's ways. Each free-text answer is marked against the turn's rubric
(:mod:`content.roleplay.scoring`): the points covered, with the seller's words that
earned them, and the points missed, with a model phrasing. When the heaviest point is
missed the buyer pushes back once and the better of the two answers counts. The end
shows ``NN/100`` against the pass mark, the model answers and what to practise next.

A role-play is a flow (:mod:`bot.flows`): its scenario, lines and marks are kept in the
database, so a restart or another replica carries on at the same turn, and each answer
is accepted once. The session's result and transcript are stored with its last turn.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.flows import FlowHandler
from bot.i18n import Texts
from bot.model import Incoming, Reply
from bot.roles import Roles
from content.analysis import fold, words
from content.catalog import Catalog
from content.lexicon import lexicon
from content.roleplay.scenario import Scenario, Turn, scenarios
from content.roleplay.scoring import Marked, Scorer
from content.schema import Pack, Persona
from handlers.roleplay_state import marked_from, marked_json, result_of, score_of, snapshot, turn_of
from handlers.roleplay_views import (
    buyer_reply,
    history_reply,
    marks_reply,
    meta,
    result_reply,
)
from storage.flows import Flow, FlowStore
from storage.roleplay import RoleplayStore

if TYPE_CHECKING:  # the model client is imported only where a model is configured
    from bot.voice import Voice

KIND = "roleplay"
#: A role-play nobody answers for this long is abandoned.
TTL = dt.timedelta(days=2)
#: Ended role-plays are looked at for a missing history entry this far back.
ABANDONED_WITHIN = dt.timedelta(days=7)
#: How many of the seller's last message ids a role-play remembers (each is marked once).
HEARD = 10


class RoleplayHandler(FlowHandler):
    """Lists, starts and plays role-plays.

    Args:
        catalog: Returns the live personas.
        pack: The pack (authored scenarios).
        texts: Texts in the pack's language.
        flows: Where role-plays are kept.
        results: Where finished sessions are kept.
        roles: Who may see everyone's history.
        clock: Returns the current time (timezone-aware).
        voice: Says the persona's lines (scripted unless a model is configured).
        rng: Randomness for picking the persona's wording (seeded in tests).
    """

    shared = False
    free_text = True  # answers are sentences: command words inside them are answers
    commands = frozenset({"roleplay", "roleplay_history"})

    def __init__(
        self,
        *,
        catalog: Callable[[], Catalog],
        pack: Pack,
        texts: Texts,
        flows: FlowStore,
        results: RoleplayStore,
        roles: Roles,
        clock: Callable[[], dt.datetime],
        voice: Voice | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.catalog = catalog
        self.pack = pack
        self.texts = texts
        self.flows = flows
        self.results = results
        self.roles = roles
        self.clock = clock
        self.voice = voice
        self.rng = rng or random.Random()
        self._built: tuple[Catalog, list[Scenario], Scorer] | None = None

    # -- the scenarios and their scorer -----------------------------------------------------

    def scenarios(self) -> list[Scenario]:
        """Every scenario of the live content."""
        return self._build()[1]

    def scorer(self) -> Scorer:
        """The scorer for the live content's rubrics."""
        return self._build()[2]

    def _build(self) -> tuple[Catalog, list[Scenario], Scorer]:
        catalog = self.catalog()
        if self._built is None or self._built[0] is not catalog:
            found = scenarios(catalog.personas, self.pack.scenarios, self.texts, catalog.language)
            corpus = [
                text
                for scenario in found
                for turn in scenario.turns
                for text in (*turn.lines, *(e for p in turn.points for e in p.evidence))
            ]
            self._built = (catalog, found, Scorer(language=catalog.language, corpus=corpus))
        return self._built

    # -- commands ---------------------------------------------------------------------------

    def command(self, message: Incoming, arguments: str) -> Reply:
        """``roleplay [persona | scenario]``: list the scenarios, or start one."""
        now = self.clock()
        wanted = arguments.strip()
        running = self.flows.active(message.user.key, now=now)
        if running is not None and running.kind == KIND and not wanted:
            return self._resume(running, message)
        found = self.scenarios()
        if not found:
            return Reply(text=self.texts("roleplay.none"), meta=meta())
        if not wanted:
            return self._listing(found)
        scenario = self._named(wanted, found)
        if scenario is None:
            names = ", ".join(s.id for s in found)
            return Reply(text=self.texts("roleplay.unknown", name=wanted, names=names), meta=meta())
        if running is not None and running.kind == KIND:
            if running.data["scenario"]["id"] == scenario.id:
                return self._resume(running, message)  # the same one: carry on
            marks = running.data["marks"]  # another one: this one is kept as stopped
            score = score_of(marks) if marks else None
            self.results.record(result_of(running, running.data, score, False, now))
        return self._start(scenario, message, now)

    def keep_abandoned(self, now: dt.datetime) -> int:
        """Record role-plays that ended without a word as stopped; returns how many.

        They expired, or another flow (a quiz) replaced them; what was marked is kept.
        """
        self.flows.prune(before=now)  # expired flows end here, not only when next read
        ended = self.flows.ended(KIND, since=now - ABANDONED_WITHIN)
        missing = {f.id for f in ended} - self.results.recorded([f.id for f in ended])
        for flow in ended:
            if flow.id in missing:
                marks = flow.data["marks"]
                score = score_of(marks) if marks else None
                ended_at = flow.ended_at or now
                self.results.record(result_of(flow, flow.data, score, False, ended_at))
        return len(missing)

    def history(self, message: Incoming, arguments: str) -> Reply:
        """``roleplay history``: the user's past sessions; a pack admin sees everyone's."""
        everyone = self.roles.is_admin(message.user)
        found = self.results.history(None if everyone else message.user.key)
        name = message.user.name or message.user.email or self.texts("progress.you")
        return history_reply(found, everyone=everyone, name=name, texts=self.texts)

    def _listing(self, found: Sequence[Scenario]) -> Reply:
        lines = [self.texts("roleplay.list")]
        lines += [
            self.texts("roleplay.list_item", id=s.id, title=s.title, turns=len(s.turns))
            for s in found
        ]
        return Reply(text="\n".join(lines), meta=meta())

    def _named(self, wanted: str, found: Sequence[Scenario]) -> Scenario | None:
        folded = fold(" ".join(wanted.casefold().split()))
        for scenario in found:
            if folded in {fold(scenario.id), fold(scenario.title.casefold())}:
                return scenario
        persona = self.catalog().named(wanted)
        return next((s for s in found if persona and s.id == persona.id), None)

    def _start(self, scenario: Scenario, message: Incoming, now: dt.datetime) -> Reply:
        persona = self.catalog().persona(scenario.persona_id)
        if persona is None:
            return Reply(text=self.texts("roleplay.none"), meta=meta())
        says = [self.rng.choice(turn.lines) for turn in scenario.turns]
        first = f"{scenario.opening} {says[0]}"
        data: dict[str, Any] = {
            "scenario": snapshot(scenario),
            "says": says,
            "turn": 0,
            "line": first,
            "first": None,
            "marks": [],
            "transcript": [{"who": "buyer", "text": first}],
            "user": {"name": message.user.name, "email": message.user.email},
        }
        flow = self.flows.start(
            kind=KIND,
            user_key=message.user.key,
            conversation_key=message.conversation.key,
            data=data,
            now=now,
            ttl=TTL,
        )
        intro = self.texts(
            "roleplay.intro",
            title=scenario.title,
            situation=scenario.situation,
            turns=len(scenario.turns),
            pass_mark=scenario.pass_mark,
        )
        buyer, later = self._speak(flow, None)
        return _chain(
            [Reply(text=intro, meta=meta(started=True, scenario=scenario.id)), *buyer], later
        )

    def _resume(self, flow: Flow, message: Incoming) -> Reply:
        if flow.conversation_key != message.conversation.key:
            moved = self.flows.advance(
                flow,
                data=flow.data,
                now=self.clock(),
                ttl=TTL,
                conversation_key=message.conversation.key,
            )
            flow = moved or flow
        return self._buyer(flow, str(flow.data["line"]))

    # -- playing ----------------------------------------------------------------------------

    def on_pick(self, flow: Flow, message: Incoming, pick: str) -> Reply:
        """Role-plays have no buttons: an old one changes nothing."""
        return Reply(text=self.texts("flow.unknown"), meta=meta())

    def on_text(self, flow: Flow, message: Incoming) -> Reply:
        """The seller's answer to the buyer's current line."""
        answer = message.text.strip()
        asked = " ".join(words(answer))
        if not asked or asked in {" ".join(words(h)) for h in lexicon(self.pack.language).help}:
            reminder = Reply(text=self.texts("roleplay.reminder"), meta=meta())
            return _chain([reminder, self._buyer(flow, str(flow.data["line"]))], None)
        data = flow.data
        heard = [str(h) for h in data.get("heard", ())]
        if message.id is not None and message.id in heard:
            # Delivered again (a retry, or a replica answering after a crash): marked once.
            again = Reply(text=self.texts("roleplay.heard"), meta=meta())
            return _chain([again, self._buyer(flow, str(data["line"]))], None)
        if message.id is not None:
            heard = [*heard[-(HEARD - 1) :], message.id]
        scenario = data["scenario"]
        index = int(data["turn"])
        turn = turn_of(scenario["turns"][index])
        marked = self.scorer().mark(turn, answer)
        transcript = [*data["transcript"], {"who": "seller", "text": answer}]
        persona = self.catalog().persona(str(scenario["persona"]))
        if data["first"] is not None:
            marked = marked_from(data["first"]).best_with(marked)
        answered = _Answered(
            turn=turn, marked=marked, text=answer, transcript=transcript, heard=heard
        )
        if data["first"] is None and not marked.covered(turn.heaviest) and persona is not None:
            return self._push_back(flow, answered, persona)
        return self._next(flow, answered, persona)

    def _push_back(self, flow: Flow, answered: _Answered, persona: Persona) -> Reply:
        topic = self.scorer().topic(
            answered.turn.heaviest, persona, joined_by=self.texts("roleplay.and")
        )
        say = self.texts("roleplay.pushback", topic=topic)
        data = {
            **flow.data,
            "first": marked_json(answered.marked),
            "heard": answered.heard,
            "line": say,
            "transcript": [*answered.transcript, {"who": "buyer", "text": say}],
        }
        moved = self.flows.advance(flow, data=data, now=self.clock(), ttl=TTL)
        if moved is None:
            return Reply(text=self.texts("flow.stale"), meta=meta())
        buyer, later = self._speak(moved, answered.text)
        hint = Reply(text=self.texts("roleplay.second_chance"), meta=meta(pushback=True))
        return _chain([*buyer, hint], later)

    def _next(self, flow: Flow, answered: _Answered, persona: Persona | None) -> Reply:
        turn, marked, heard = answered.turn, answered.marked, answered.heard
        data = flow.data
        scenario = data["scenario"]
        index = int(data["turn"])
        total = len(scenario["turns"])
        objection = turn.lines[0]
        marks = [
            *data["marks"],
            {"objection": objection, "score": marked.score, **marked_json(marked)},
        ]
        transcript = [*answered.transcript, {"who": "coach", "text": f"{marked.score}/100"}]
        done = index + 1 >= total
        now = self.clock()
        new: dict[str, Any] = {
            **data,
            "marks": marks,
            "first": None,
            "transcript": transcript,
            "heard": heard,
        }
        work = None
        if done:
            score = score_of(marks)
            work = self.results.result_work(result_of(flow, new, score, True, now))
        else:
            say = str(data["says"][index + 1])
            new.update(
                turn=index + 1, line=say, transcript=[*transcript, {"who": "buyer", "text": say}]
            )
        moved = self.flows.advance(flow, data=new, now=now, ttl=TTL, end=done, work=work)
        if moved is None:
            return Reply(text=self.texts("flow.stale"), meta=meta())
        marks_view = marks_reply(marked, self.texts, objection=objection)
        if done:
            return _chain([marks_view, self._finish(moved, marks)], None)
        buyer, later = self._speak(moved, answered.text)
        return _chain([marks_view, *buyer], later)

    def _finish(self, flow: Flow, marks: Sequence[Mapping[str, Any]]) -> Reply:
        scenario = flow.data["scenario"]
        score = score_of(marks)
        weakest = min(marks, key=lambda m: int(m["score"])) if marks else None
        practise = None
        if weakest is not None and int(weakest["score"]) < 100:
            practise = str(weakest["objection"])
        persona = self.catalog().persona(str(scenario["persona"]))
        models = [(str(t["lines"][0]), str(t["model"])) for t in scenario["turns"]]
        return result_reply(
            score=score,
            pass_mark=int(scenario["pass_mark"]),
            models=models,
            practise=practise,
            scenario=str(scenario["id"]),
            persona=persona.name if persona else str(scenario["persona"]),
            texts=self.texts,
        )

    def on_stop(self, flow: Flow, message: Incoming) -> Reply:
        """The seller stopped: what was marked so far is kept in the history."""
        marks = flow.data["marks"]
        score = score_of(marks) if marks else None
        self.results.record(result_of(flow, flow.data, score, False, self.clock()))
        scenario = flow.data["scenario"]
        return Reply(
            text=self.texts(
                "roleplay.stopped",
                done=len(marks),
                total=len(scenario["turns"]),
                scenario=scenario["id"],
            ),
            meta=meta(stopped=True),
        )

    # -- helpers ----------------------------------------------------------------------------

    def _buyer(self, flow: Flow, line: str) -> Reply:
        scenario = flow.data["scenario"]
        persona = self.catalog().persona(str(scenario["persona"]))
        return buyer_reply(
            line,
            speaker=persona.name if persona else str(scenario["persona"]),
            number=int(flow.data["turn"]) + 1,
            total=len(scenario["turns"]),
            texts=self.texts,
        )

    def _speak(
        self, flow: Flow, seller: str | None
    ) -> tuple[list[Reply], Callable[[], Reply | None] | None]:
        """The buyer's current line: now (scripted), or later in the model's words.

        The flow already holds the scripted line, so a restart shows it even if the
        model never answers; the model's wording replaces it when the flow is still at
        this step (the seller has not answered meanwhile).
        """
        scenario = flow.data["scenario"]
        persona = self.catalog().persona(str(scenario["persona"]))
        scripted = str(flow.data["line"])
        voice = self.voice
        if voice is None or persona is None:
            return [self._buyer(flow, scripted)], None

        def later() -> Reply | None:
            voiced = voice.line(
                persona=persona,
                situation=str(scenario["situation"]),
                say=scripted,
                seller=seller,
                language=self.pack.language,
            )
            if voiced != scripted:
                said = [*flow.data["transcript"][:-1], {"who": "buyer", "text": voiced}]
                data = {**flow.data, "line": voiced, "transcript": said}
                if not self.flows.amend(flow, data=data):
                    return None  # the seller answered (or stopped) meanwhile: too late
            return self._buyer(flow, voiced)

        return [], later


def _chain(messages: Sequence[Reply], later: Callable[[], Reply | None] | None) -> Reply:
    """One reply of ``messages`` in order, followed by ``later``'s."""
    return dataclasses.replace(messages[0], then=tuple(messages[1:]), later=later)


@dataclass(frozen=True, kw_only=True)
class _Answered:
    """The seller's answer to a turn, marked (the better of two tries after a push-back)."""

    turn: Turn
    marked: Marked
    text: str
    transcript: list[dict[str, str]]
    heard: list[str]
