"""The feedback job: owners hear of proposals, reporters hear what became of their feedback.

Run by the scheduler replica every minute (under its lease). Each run:

1. tells reporters of decided feedback (approved with the change, or rejected with the
   reason), each once;
2. sends a proposal that reached the pack's ``feedback.notify_at`` reporters to its
   owners at once, once;
3. sends each owner at most one batched message a day with the proposals new to them.

Every message is claimed in the database before it is sent, so however many runs,
processes or replicas try, it goes out once (a message whose sending failed is not
retried: the owner still finds it with ``proposals``, the reporter with ``my feedback``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.app import App
from bot.i18n import Texts
from bot.model import Reply
from bot.people import PersonPort, Unreachable, send_to_person
from bot.roles import Roles
from content.catalog import Catalog
from handlers.proposals import ProposalHandler
from storage.feedback_notices import FeedbackNotices, Outcome

if TYPE_CHECKING:
    from bot.scheduler import Job
    from storage.lease import Lease

log = logging.getLogger(__name__)

#: Proposals shown in one batched message (the rest: ``proposals``).
BATCH_CARDS = 5
#: How often the job runs.
EVERY = dt.timedelta(minutes=1)


@dataclass
class FeedbackReport:
    """What one run sent."""

    told: int = 0
    urgent: int = 0
    batches: int = 0
    unreachable: int = 0

    def __bool__(self) -> bool:
        return any(vars(self).values())


class FeedbackJob:
    """Sends the feedback loop's messages.

    Args:
        catalog: Returns the live personas.
        notices: Claims what must be sent.
        proposals: Builds the proposal cards (with their buttons).
        roles: Each persona's owners.
        texts: Texts in the pack's language.
        people: The platforms that reach a person by email, in the order tried.
        notify_at: Reporters that send a proposal to its owners at once.
    """

    def __init__(
        self,
        *,
        catalog: Callable[[], Catalog],
        notices: FeedbackNotices,
        proposals: ProposalHandler,
        roles: Roles,
        texts: Texts,
        people: Sequence[PersonPort],
        notify_at: int,
    ) -> None:
        self.catalog = catalog
        self.notices = notices
        self.proposals = proposals
        self.roles = roles
        self.texts = texts
        self.people = people
        self.notify_at = notify_at

    async def run(self, now: dt.datetime) -> FeedbackReport:
        """One run: outcomes, urgent proposals, the day's batches."""
        report = FeedbackReport()
        outcomes = await asyncio.to_thread(functools.partial(self.notices.claim_outcomes, now=now))
        for outcome in outcomes:
            if await self._send(self._outcome(outcome), outcome.reporter_email, report):
                report.told += 1
        urgent = await asyncio.to_thread(
            functools.partial(self.notices.claim_urgent, at_least=self.notify_at, now=now)
        )
        for proposal in urgent:
            persona = self.catalog().persona(proposal.persona_id)
            intro = self.texts(
                "proposals.urgent_intro",
                count=proposal.reporters,
                persona=persona.name if persona else proposal.persona_id,
            )
            reply = Reply(text=intro, cards=(self.proposals.card(proposal),))
            for owner in self.roles.owners(proposal.persona_id):
                if await self._send(reply, owner, report):
                    report.urgent += 1
        pending = await asyncio.to_thread(self.notices.pending)
        last = await asyncio.to_thread(self.notices.last_batches) if pending else {}
        for owner, persona_ids in self._owners().items():
            since = last.get(owner)
            fresh = [
                p
                for p in pending
                if p.persona_id in persona_ids and (since is None or p.created_at > since)
            ]
            if not fresh:
                continue
            claimed = await asyncio.to_thread(
                functools.partial(self.notices.claim_batch, owner, day=now.date(), now=now)
            )
            if not claimed:
                continue
            reply = Reply(
                text=self.texts("proposals.notice_intro", count=len(fresh)),
                cards=tuple(self.proposals.card(p) for p in fresh[:BATCH_CARDS]),
            )
            sent = await self._send(reply, owner, report)
            report.batches += int(sent)
            await asyncio.to_thread(
                functools.partial(self.notices.batch_done, owner, day=now.date(), sent=sent)
            )
        return report

    def _owners(self) -> dict[str, set[str]]:
        """Each owner (casefolded email) and the personas they own."""
        out: dict[str, set[str]] = {}
        for persona in self.catalog().personas:
            for owner in persona.owners:
                out.setdefault(owner.casefold(), set()).add(persona.id)
        return out

    def _outcome(self, outcome: Outcome) -> Reply:
        persona = self.catalog().persona(outcome.persona_id)
        name = persona.name if persona else outcome.persona_id
        if outcome.status == "approved":
            text = self.texts(
                "feedback.told_approved",
                id=outcome.feedback_id,
                persona=name,
                by=outcome.decided_by or "?",
                version=outcome.version or "?",
            )
        else:
            text = self.texts(
                "feedback.told_rejected",
                id=outcome.feedback_id,
                persona=name,
                by=outcome.decided_by or "?",
                reason=outcome.reason or "—",
            )
        return Reply(text=text)

    async def _send(self, reply: Reply, email: str, report: FeedbackReport) -> bool:
        try:
            await send_to_person(self.people, reply, email=email)
        except Unreachable as exc:
            report.unreachable += 1
            log.warning("feedback loop: cannot reach %s: %s", email, exc)
            return False
        except Exception:  # one failed message must not stop the others
            log.warning("feedback loop: sending to %s failed", email, exc_info=True)
            return False
        return True


def feedback_jobs(core: App, people: Sequence[PersonPort]) -> list[Job]:
    """The scheduler's ``feedback`` job (every minute) when people can be reached."""
    from bot.scheduler import Job  # the scheduler imports this module

    loop = core.feedback
    if loop is None or not people:
        return []
    job = FeedbackJob(
        catalog=core.live,
        notices=FeedbackNotices(db=core.db),
        proposals=loop.proposals,
        roles=loop.proposals.roles,
        texts=core.texts,
        people=people,
        notify_at=core.pack.info.feedback.notify_at,
    )

    async def run(now: dt.datetime, _lease: Lease) -> FeedbackReport:
        return await job.run(now)

    return [Job(name="feedback", every=EVERY, run=run, on_loop=True)]
