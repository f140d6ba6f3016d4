"""The weekly digest job: "Personas in action" posted once a week to a channel.

Run by the scheduler replica every minute (under its lease) when
``PERSONABOT_DIGEST_CHANNEL`` is set, and by ``personabot digest send``. A run posts
when this week's moment (``PERSONABOT_DIGEST_DAY`` at ``PERSONABOT_DIGEST_TIME`` in
``PERSONABOT_TIMEZONE``) has passed and this week's digest to that target is not yet
claimed: the post is claimed in the database first (:mod:`storage.digests`), so two
replicas, a restart or a re-run never post a week's digest twice. A post that fails is
tried again after :data:`RETRY_AFTER`. The scheduled digest covers the seven days up to
this week's moment, so consecutive digests neither overlap nor leave a gap.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.app import App
from bot.model import ConversationRef, MessageRef, Reply
from bot.people import PersonPort, send_to_person
from bot.settings import WEEKDAYS
from bot.timers import Sender
from handlers.digest import WEEK, DigestBuilder
from storage.digest_data import DigestData
from storage.digests import DigestPosts

if TYPE_CHECKING:
    from bot.scheduler import Job
    from storage.lease import Lease

log = logging.getLogger(__name__)

#: How long a claimed post is held before another run may send it (its sender died).
CLAIM_FOR = dt.timedelta(minutes=10)
#: How long after a failed post it is tried again.
RETRY_AFTER = dt.timedelta(minutes=15)
#: How often the scheduler's job looks whether this week's digest is due.
EVERY = dt.timedelta(minutes=1)
#: A week's digest the server missed (down at its moment) is still posted this long after.
CATCH_UP = dt.timedelta(days=2)


@dataclass(frozen=True, kw_only=True)
class Target:
    """Where a digest goes: a Slack or Teams channel, or a person by email.

    Attributes:
        platform: ``slack``, ``teams`` or ``email``.
        id: The channel or conversation id, or the email.
    """

    platform: str
    id: str

    @property
    def key(self) -> str:
        """How the target is named in claims and logs: ``slack:C0123``, ``email:a@b``."""
        return f"{self.platform}:{self.id}"


def parse_target(value: str) -> Target:
    """``slack:C0123``, ``teams:19:…``, ``#channel`` (Slack) or an email address.

    Raises:
        ValueError: None of those.
    """
    value = value.strip()
    platform, _, rest = value.partition(":")
    if platform in ("slack", "teams") and rest.strip():
        return Target(platform=platform, id=rest.strip())
    if value.startswith("#") and len(value) > 1:
        return Target(platform="slack", id=value)
    if "@" in value and ":" not in value and " " not in value:
        return Target(platform="email", id=value.casefold())
    raise ValueError(
        f"{value!r} is not slack:<channel id>, teams:<conversation id>, #channel or an email"
    )


def this_weeks_moment(now: dt.datetime, *, day: str, time: str, timezone: str) -> dt.datetime:
    """When this week's digest is due: ``day`` at ``time`` of ``now``'s ISO week, local."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    monday = local.date() - dt.timedelta(days=local.weekday())
    hour, minute = (int(part) for part in time.split(":"))
    date = monday + dt.timedelta(days=WEEKDAYS.index(day))
    return dt.datetime.combine(date, dt.time(hour, minute), tzinfo=zone)


def iso_week(moment: dt.datetime) -> str:
    """The ISO week of ``moment`` (in its own time zone): ``2026-W47``."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True, kw_only=True)
class DigestResult:
    """What one run did: ``sent``, ``not_yet``, ``taken`` (sent or being sent) or ``failed``."""

    status: str
    week: str
    target: str
    error: str = ""

    def __bool__(self) -> bool:
        return self.status in ("sent", "failed")


class DigestJob:
    """Posts the weekly digest.

    Args:
        builder: Builds the digest.
        posts: Claims the week's post.
        senders: Each platform's outbound port (``send(reply, to=ConversationRef)``).
        people: The platforms that reach a person by email, in the order tried.
        day: The day it is due (``monday`` … ``sunday``).
        time: The time it is due (``HH:MM``).
        timezone: The time zone of ``day`` and ``time``.
    """

    def __init__(
        self,
        *,
        builder: DigestBuilder,
        posts: DigestPosts,
        senders: Mapping[str, Sender],
        people: Sequence[PersonPort] = (),
        day: str = "monday",
        time: str = "09:00",
        timezone: str = "UTC",
    ) -> None:
        self.builder = builder
        self.posts = posts
        self.senders = dict(senders)
        self.people = list(people)
        self.day = day
        self.time = time
        self.timezone = timezone

    def moment(self, now: dt.datetime) -> dt.datetime:
        """This week's moment (see :func:`this_weeks_moment`)."""
        return this_weeks_moment(now, day=self.day, time=self.time, timezone=self.timezone)

    async def run(self, target: Target, now: dt.datetime) -> DigestResult:
        """The scheduled run: post this week's digest once its moment has passed.

        Before it, last week's digest is posted late if it never went out (the server was
        down at its moment, on the last day of the week) and its moment was at most
        :data:`CATCH_UP` ago.
        """
        moment = self.moment(now)
        week = iso_week(moment)
        if now < moment:
            last = moment - dt.timedelta(days=7)
            if now - last <= CATCH_UP:
                missed = await asyncio.to_thread(self.posts.get, iso_week(last), target.key)
                if missed is None:
                    return await self.send(target, now, week=iso_week(last), until=last)
            return DigestResult(status="not_yet", week=week, target=target.key)
        return await self.send(target, now, week=week, until=moment)

    async def send(
        self,
        target: Target,
        now: dt.datetime,
        *,
        week: str | None = None,
        until: dt.datetime | None = None,
        retry_failed: bool = False,
    ) -> DigestResult:
        """Claim ``week``'s post to ``target`` (default: ``now``'s week) and send it.

        The digest covers the week up to ``until`` (default ``now``).
        """
        week = week or iso_week(now.astimezone(ZoneInfo(self.timezone)))
        post = await asyncio.to_thread(self.posts.get, week, target.key)
        if post is not None and post.status == "sent":
            return DigestResult(status="taken", week=week, target=target.key)
        post = await asyncio.to_thread(
            functools.partial(
                self.posts.claim,
                week,
                target.key,
                now=now,
                claim_for=CLAIM_FOR,
                retry_failed=retry_failed,
            )
        )
        if post is None:
            return DigestResult(status="taken", week=week, target=target.key)
        end = until or now
        try:
            reply = await asyncio.to_thread(self.builder.build, since=end - WEEK, until=end)
            where = await self._deliver(reply, target)
        except Exception as exc:  # noqa: BLE001 - tried again after RETRY_AFTER
            error = f"{type(exc).__name__}: {exc}"
            log.warning("weekly digest %s to %s failed: %s", week, target.key, error)
            await asyncio.to_thread(
                functools.partial(self.posts.failed, post, retry_at=now + RETRY_AFTER, error=error)
            )
            return DigestResult(status="failed", week=week, target=target.key, error=error)
        await asyncio.to_thread(functools.partial(self.posts.sent, post, now=now, message=where))
        log.info("weekly digest %s posted to %s", week, target.key)
        return DigestResult(status="sent", week=week, target=target.key)

    async def _deliver(self, reply: Reply, target: Target) -> Mapping[str, object]:
        if target.platform == "email":
            return await send_to_person(self.people, reply, email=target.id)
        send = self.senders.get(target.platform)
        if send is None:
            raise LookupError(f"no {target.platform} adapter is configured here")
        sent = await send(reply, to=ConversationRef(platform=target.platform, id=target.id))
        where: dict[str, object] = {"platform": target.platform, "conversation": target.id}
        if isinstance(sent, MessageRef):
            where.update(conversation=sent.conversation, id=sent.id)
        return where


def digest_builder(core: App) -> DigestBuilder:
    """The digest builder of a built app."""
    if core.reviews is None:
        raise ValueError("the app has no reviews")
    return DigestBuilder(
        catalog=lambda: core.catalog,
        data=DigestData(db=core.db),
        statuses=core.reviews.statuses,
        texts=core.texts,
        leaderboard=core.pack.info.leaderboard,
        timezone=core.settings.timezone,
    )


def digest_job(
    core: App, senders: Mapping[str, Sender], people: Sequence[PersonPort] = ()
) -> DigestJob:
    """The digest job of a built app, sending through ``senders`` (and ``people``)."""
    settings = core.settings
    return DigestJob(
        builder=digest_builder(core),
        posts=DigestPosts(db=core.db),
        senders=senders,
        people=people,
        day=settings.digest_day,
        time=settings.digest_time,
        timezone=settings.timezone,
    )


def digest_jobs(core: App, senders: Mapping[str, Sender]) -> list[Job]:
    """The scheduler's ``digest`` job (every minute) when ``PERSONABOT_DIGEST_CHANNEL`` is set.

    It posts this week's digest to that channel once its moment has passed.
    """
    from bot.scheduler import Job  # the scheduler imports this module

    if not core.settings.digest_channel or core.reviews is None:
        return []
    target, job = parse_target(core.settings.digest_channel), digest_job(core, senders)
    if target.platform not in senders:
        log.warning(
            "the weekly digest goes to %s but %s is not served", target.key, target.platform
        )

    async def run(now: dt.datetime, _lease: Lease) -> DigestResult:
        return await job.run(target, now)

    return [Job(name="digest", every=EVERY, run=run, on_loop=True)]
