"""Wire training into the bot: quizzes, live quizzes, progress, leaderboards, role-plays.

Builds the conversation core's flows, command words and timers for training, with the
roles that decide who may see whose progress and who may run a live quiz.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from bot.commands import CommandHandler
from bot.flows import Flows
from bot.i18n import Texts
from bot.roles import roles_of
from bot.timers import TimerHandler
from content.catalog import Catalog
from content.schema import Pack
from handlers.quiz import KIND as QUIZ
from handlers.quiz import QuizHandler
from handlers.quiz_live import KIND as LIVE
from handlers.quiz_live import REVEAL, LiveQuizHandler
from handlers.quiz_progress import ProgressHandler
from handlers.roleplay import KIND as ROLEPLAY
from handlers.roleplay import RoleplayHandler
from storage.db import Database
from storage.flows import FlowStore
from storage.quiz import QuizStore
from storage.roleplay import RoleplayStore
from storage.timers import Timers

if TYPE_CHECKING:
    from bot.voice import Voice


class Training(NamedTuple):
    """What training adds to the bot (see :func:`build_training`)."""

    flows: Flows
    commands: dict[str, CommandHandler]
    timers: dict[str, TimerHandler]
    warm_up: tuple[Callable[[], object], ...]
    sweeps: tuple[Callable[[dt.datetime], object], ...]


def build_training(
    *,
    pack: Pack,
    catalog: Callable[[], Catalog],
    texts: Texts,
    db: Database,
    clock: Callable[[], dt.datetime],
    rng: random.Random | None,
    voice: Voice | None = None,
) -> Training:
    """The flows, commands and timers of training: quizzes, progress, boards, role-plays.

    A role-play's persona lines are said by ``voice`` (scripted unless a model is set).
    """
    flow_store = FlowStore(db=db)
    results = QuizStore(db=db)
    roles = roles_of(pack, catalog)
    quiz = QuizHandler(
        catalog=catalog,
        pack=pack,
        texts=texts,
        flows=flow_store,
        results=results,
        clock=clock,
        rng=rng,
    )
    progress = ProgressHandler(quiz=quiz, results=results, roles=roles, texts=texts, clock=clock)
    live = LiveQuizHandler(
        quiz=quiz,
        roles=roles,
        flows=flow_store,
        results=results,
        timers=Timers(db=db),
        texts=texts,
        clock=clock,
        rng=rng,
    )
    roleplay = RoleplayHandler(
        catalog=catalog,
        pack=pack,
        texts=texts,
        flows=flow_store,
        results=RoleplayStore(db=db),
        roles=roles,
        clock=clock,
        voice=voice,
        rng=rng,
    )
    flows = Flows(
        store=flow_store,
        handlers={QUIZ: quiz, LIVE: live, ROLEPLAY: roleplay},
        texts=texts,
        clock=clock,
    )
    commands: dict[str, CommandHandler] = {
        "quiz": quiz.command,
        "live": live.command,
        "progress": progress.progress,
        "leaderboard": progress.leaderboard,
        "roleplay": roleplay.command,
        "roleplay_history": roleplay.history,
    }
    return Training(
        flows, commands, {REVEAL: live.reveal}, (quiz.bank,), (roleplay.keep_abandoned,)
    )
