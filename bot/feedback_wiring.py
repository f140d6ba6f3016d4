"""Wire the feedback loop: capture (text, form, votes) and owners' decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.commands import CommandHandler
from bot.i18n import Texts
from bot.live_catalog import LiveCatalog
from bot.model import Incoming, Reply
from bot.roles import Roles
from handlers.feedback import GLOBAL, PREFIX, FeedbackHandler
from handlers.proposals import PREFIX as PROPOSAL
from handlers.proposals import ProposalHandler
from handlers.votes import VOTE, VoteHandler
from storage.db import Database
from storage.feedback import FeedbackStore
from storage.proposals import Decisions
from storage.votes import VoteStore

R = TypeVar("R", Reply, Reply | None)

#: Commands whose arguments are free text of any length.
LONG = ("feedback", "reject")


@dataclass(frozen=True, kw_only=True)
class FeedbackLoop:
    """The feedback loop's commands, button/form actions and the answer decorator."""

    feedback: FeedbackHandler
    votes: VoteHandler
    proposals: ProposalHandler
    commands: dict[str, CommandHandler]
    actions: dict[str, Callable[[Incoming], Reply]]

    def with_votes(self, handler: Callable[[Incoming], R]) -> Callable[[Incoming], R]:
        """``handler`` whose persona and objection answers carry Helpful / Not helpful."""

        def answer(message: Incoming) -> R:
            reply = handler(message)
            return self.votes.with_votes(reply) if isinstance(reply, Reply) else reply

        return answer


def build_feedback(
    *,
    db: Database,
    catalog: LiveCatalog,
    roles: Roles,
    texts: Texts,
    clock: Callable[[], dt.datetime],
    count_as_review: bool = True,
) -> FeedbackLoop:
    """The feedback loop on ``db``."""
    store = FeedbackStore(db=db)
    feedback = FeedbackHandler(catalog=catalog, store=store, texts=texts, clock=clock)
    votes = VoteHandler(
        catalog=catalog, store=VoteStore(db=db), feedback=feedback, texts=texts, clock=clock
    )
    proposals = ProposalHandler(
        catalog=catalog,
        refresh=catalog.refresh,
        store=store,
        decisions=Decisions(db=db),
        roles=roles,
        texts=texts,
        clock=clock,
        count_as_review=count_as_review,
    )
    return FeedbackLoop(
        feedback=feedback,
        votes=votes,
        proposals=proposals,
        commands={
            "feedback": feedback.command,
            "my_feedback": feedback.mine,
            "withdraw": feedback.withdraw,
            "proposals": proposals.proposals,
            "approve": proposals.approve,
            "edit_proposal": proposals.edit,
            "reject": proposals.reject,
        },
        actions={
            PREFIX: feedback.on_action,
            GLOBAL: feedback.on_action,
            VOTE: votes.on_vote,
            PROPOSAL: proposals.on_action,
        },
    )
