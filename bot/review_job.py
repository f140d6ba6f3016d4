"""The review job: prompts to the owners of due personas, reminders and escalation.

Run by the scheduler replica every minute (under its lease) and by ``personabot reviews
send``. Each run:

1. sends the prompts admins asked for with ``remind <persona>``;
2. for every due persona (not snoozed) and each of its owners, within the owner's
   working hours (09:00-17:00 on weekdays in their time zone: Slack's, else
   ``PERSONABOT_TIMEZONE``; ``reviews send`` ignores them): claims the prompt for that
   due period in the database, then sends it by email on the first platform that reaches
   the owner. A claimed prompt is sent once, whatever runs, processes or replicas try;
3. reminds owners who did not answer within ``PERSONABOT_REVIEW_REMIND_DAYS``;
4. tells the pack admins, once each, of prompts not answered as long again after the
   reminder, of owners who could not be reached (at once, never silently skipped), and
   of owners who said "Not mine".
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.app import App
from bot.i18n import Texts
from bot.model import Reply
from bot.people import PersonPort, Unreachable, send_to_person, timezone_of
from content.freshness import Freshness
from handlers.review import ReviewHandler, since_review
from storage.review_context import ReviewContexts
from storage.reviews import Prompt, ReviewStore

log = logging.getLogger(__name__)

#: Working hours, in the owner's time zone, on weekdays.
WORK_START, WORK_END = 9, 17
#: How long an owner's time zone is remembered before the platform is asked again.
ZONE_TTL = dt.timedelta(days=1)
#: How long a claimed prompt is held before another run may send it (its sender died).
CLAIM_FOR = dt.timedelta(minutes=10)


@dataclass
class ReviewReport:
    """What one run did."""

    sent: int = 0
    outside_hours: int = 0
    failed: int = 0
    unreachable: int = 0
    reminded: int = 0
    escalated: int = 0

    def __bool__(self) -> bool:
        return any(vars(self).values())


class ReviewJob:
    """Sends review prompts, reminders and escalations.

    Args:
        handler: Builds the prompts (and knows the statuses).
        store: Reviews and prompts.
        contexts: Usage and gaps for the prompts.
        ports: The platforms that reach a person by email, in the order tried.
        admins: The pack admins' emails (escalations).
        texts: Texts in the pack's language.
        timezone: The time zone of owners whose platform does not say theirs.
        remind_after: Days before a reminder, and again before the admins are told.
    """

    def __init__(
        self,
        *,
        handler: ReviewHandler,
        store: ReviewStore,
        contexts: ReviewContexts,
        ports: Sequence[PersonPort],
        admins: Sequence[str],
        texts: Texts,
        timezone: str,
        remind_after: dt.timedelta,
    ) -> None:
        self.handler = handler
        self.store = store
        self.contexts = contexts
        self.ports = list(ports)
        self.admins = list(admins)
        self.texts = texts
        self.timezone = timezone
        self.remind_after = remind_after
        self._zones: dict[str, tuple[str, dt.datetime]] = {}  # owner → (time zone, asked at)

    async def run(
        self, now: dt.datetime, *, working_hours: bool = True, as_of: dt.date | None = None
    ) -> ReviewReport:
        """One run (see the module's docstring).

        ``as_of`` works out which personas are due on another date (``reviews send
        --at``); claims, reminders and escalations keep the real time ``now``.
        """
        report = ReviewReport()
        statuses = await asyncio.to_thread(self.handler.statuses, as_of or now.date())
        snoozes = await asyncio.to_thread(self.store.snoozed)
        by_id = {s.persona_id: s for s in statuses}
        for persona_id, asked in await asyncio.to_thread(self.store.take_requests):
            status = by_id.get(persona_id)
            if status is not None:
                period = "remind:" + asked.strftime("%Y-%m-%dT%H:%M:%S")
                await self._prompt_owners(status, period, now, report, working_hours=False)
        for status in statuses:
            if status.needs_review:
                period = _period(status, snoozes.get(status.persona_id))
                await self._prompt_owners(status, period, now, report, working_hours=working_hours)
        await self._remind(by_id, now, report, working_hours=working_hours)
        await self._escalate(by_id, now, report)
        return report

    async def _prompt_owners(
        self,
        status: Freshness,
        period: str,
        now: dt.datetime,
        report: ReviewReport,
        *,
        working_hours: bool,
    ) -> None:
        for owner in status.owners:
            taken = await asyncio.to_thread(
                self.store.settled, status.persona_id, owner, due_on=period, now=now
            )
            if taken:
                continue  # sent (or being sent) already: no need to ask for a time zone
            if working_hours and not await self._working(owner, now):
                report.outside_hours += 1
                continue
            prompt = await asyncio.to_thread(
                self.store.claim,
                status.persona_id,
                owner,
                due_on=period,
                now=now,
                claim_for=CLAIM_FOR,
            )
            if prompt is None:
                continue  # sent already, or being sent by another run
            await self._send(prompt, status, now, report)

    async def _send(
        self, prompt: Prompt, status: Freshness, now: dt.datetime, report: ReviewReport
    ) -> None:
        since = since_review(status)
        context = await asyncio.to_thread(self.contexts.of, status.persona_id, since=since)
        reply = self.handler.prompt_reply(prompt, status, context)
        try:
            where = await send_to_person(self.ports, reply, email=prompt.owner_email)
        except Unreachable as exc:
            log.warning(
                "review prompt for %s: %s unreachable: %s",
                prompt.persona_id,
                prompt.owner_email,
                exc,
            )
            await asyncio.to_thread(
                functools.partial(
                    self.store.failed, prompt, now=now, unreachable=True, error=str(exc)
                )
            )
            report.unreachable += 1
            return
        except Exception as exc:  # noqa: BLE001 - the platform failed: tried again later
            log.warning(
                "review prompt for %s to %s failed (tried again later): %s",
                prompt.persona_id,
                prompt.owner_email,
                exc,
            )
            await asyncio.to_thread(self.store.failed, prompt, now=now)
            report.failed += 1
            return
        await asyncio.to_thread(self.store.sent, prompt, message=where, now=now)
        report.sent += 1

    async def _remind(
        self,
        statuses: dict[str, Freshness],
        now: dt.datetime,
        report: ReviewReport,
        *,
        working_hours: bool,
    ) -> None:
        for prompt in await asyncio.to_thread(
            self.store.to_remind, now=now, after=self.remind_after
        ):
            status = statuses.get(prompt.persona_id)
            if status is None or not _still_wanted(prompt, status):
                await asyncio.to_thread(self.store.close, prompt, now=now)
                continue
            if working_hours and not await self._working(prompt.owner_email, now):
                continue  # reminded in their working hours, at a later run
            if not await asyncio.to_thread(self.store.claim_reminder, prompt, now=now):
                continue  # another run reminded them
            since = since_review(status)
            context = await asyncio.to_thread(self.contexts.of, prompt.persona_id, since=since)
            reply = self.handler.prompt_reply(prompt, status, context, reminder=True)
            try:
                await send_to_person(self.ports, reply, email=prompt.owner_email)
            except Exception as exc:  # noqa: BLE001 - claimed once: the escalation follows anyway
                log.warning(
                    "review reminder for %s to %s failed: %s",
                    prompt.persona_id,
                    prompt.owner_email,
                    exc,
                )
                continue
            report.reminded += 1

    async def _escalate(
        self, statuses: dict[str, Freshness], now: dt.datetime, report: ReviewReport
    ) -> None:
        missed = await asyncio.to_thread(self.store.to_escalate, now=now, after=self.remind_after)
        told = await asyncio.to_thread(self.store.to_tell_admins, now=now)
        for prompt in [*missed, *told]:
            status = statuses.get(prompt.persona_id)
            if prompt in missed and (status is None or not _still_wanted(prompt, status)):
                await asyncio.to_thread(self.store.close, prompt, now=now)
                continue  # reviewed another way, or the owner or persona is gone
            name = status.name if status else prompt.persona_id
            reason = self._reason(prompt, status)
            text = self.texts("review.escalated", name=name, reason=reason)
            for admin in self.admins:
                try:
                    await send_to_person(self.ports, Reply(text=text), email=admin)
                except Exception:  # noqa: BLE001 - logged: an admin unreachable is no reason to stop
                    log.exception("review escalation of %s to admin %s failed", name, admin)
            if not self.admins:
                log.warning("review escalation of %s: the pack has no admins to tell", name)
            report.escalated += 1

    def _reason(self, prompt: Prompt, status: Freshness | None) -> str:
        if prompt.status == "unreachable":
            error = str(prompt.message.get("error") or "")
            return self.texts("review.reason_unreachable", owner=prompt.owner_email, error=error)
        if prompt.status == "not_mine":
            return self.texts(
                "review.reason_not_mine", owner=prompt.decided_by or prompt.owner_email
            )
        due = status.due_on.isoformat() if status else prompt.due_on
        return self.texts("review.reason_missed", owner=prompt.owner_email, due=due)

    async def _working(self, owner: str, now: dt.datetime) -> bool:
        zone = await self._zone(owner, now)
        try:
            local = now.astimezone(ZoneInfo(zone))
        except (ValueError, KeyError):
            local = now.astimezone(ZoneInfo(self.timezone))
        return local.weekday() < 5 and WORK_START <= local.hour < WORK_END

    async def _zone(self, owner: str, now: dt.datetime) -> str:
        """The owner's time zone, asked of the platforms at most once a day per owner."""
        known = self._zones.get(owner)
        if known is not None and now - known[1] < ZONE_TTL:
            return known[0]
        zone = await timezone_of(self.ports, owner) or self.timezone
        self._zones[owner] = (zone, now)
        return zone


def _still_wanted(prompt: Prompt, status: Freshness) -> bool:
    """Whether an open prompt still asks for something.

    Its owner must still own the persona, and the persona still need review (a prompt
    an admin asked for with ``remind`` always does).
    """
    owners = {o.casefold() for o in status.owners}
    if prompt.owner_email.casefold() not in owners:
        return False
    return prompt.due_on.startswith("remind:") or status.needs_review


def _period(status: Freshness, snoozed_until: dt.date | None) -> str:
    """The due period a prompt is claimed for (once per persona, owner and period).

    A persona never reviewed is due "today" every day: its period is ``never`` until it
    is reviewed (a snooze that ended starts a new one), or it would be prompted daily.
    """
    if status.last_reviewed is not None:
        return status.period.isoformat()
    if snoozed_until is not None and snoozed_until <= status.at:
        return f"never:{snoozed_until.isoformat()}"
    return "never"


def review_job(core: App, people: Sequence[PersonPort]) -> ReviewJob:
    """The review job of a built app, sending through ``people``."""
    if core.reviews is None:
        raise ValueError("the app has no reviews")
    return ReviewJob(
        handler=core.reviews,
        store=core.reviews.store,
        contexts=core.reviews.contexts,
        ports=people,
        admins=core.pack.info.admins,
        texts=core.texts,
        timezone=core.settings.timezone,
        remind_after=dt.timedelta(days=core.settings.review_remind_days),
    )
