"""Training progress and leaderboards.

``progress`` shows a player's mastery per persona and where the onboarding track
stands; ``progress <email or @name>`` shows someone else's, to their manager or a pack
admin only. ``leaderboard`` ranks players by points this week, this month and all time,
with the asker's own rank; ``leaderboard hide`` / ``show`` takes a player off the boards
others see, and ``leaderboard: false`` in ``pack.yaml`` turns them off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.i18n import Texts
from bot.model import Incoming, Reply
from bot.roles import Roles
from content.quiz import spacing
from content.schema import Pack
from handlers.quiz import QuizHandler
from handlers.quiz_views import meta
from storage.quiz import QuizStore, Standing

BAR = 10
TOP = 10


class ProgressHandler:
    """``progress`` and ``leaderboard``.

    Args:
        quiz: The quiz handler (its question bank and pack).
        results: Quiz results.
        roles: Who may see whose progress.
        texts: Texts in the pack's language.
        clock: Returns the current time (timezone-aware).
    """

    def __init__(
        self,
        *,
        quiz: QuizHandler,
        results: QuizStore,
        roles: Roles,
        texts: Texts,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.quiz = quiz
        self.results = results
        self.roles = roles
        self.texts = texts
        self.clock = clock

    @property
    def pack(self) -> Pack:
        """The pack being trained on."""
        return self.quiz.pack

    def progress(self, message: Incoming, arguments: str) -> Reply:
        """Mastery per persona and the track, for the asker or someone they may see."""
        wanted = arguments.strip().lstrip("@")
        if not wanted:
            return self._progress_of(message.user.key, self.texts("progress.you"))
        player = (
            self.results.player_by_email(wanted)
            if "@" in wanted
            else self.results.player_by_name(wanted)
        )
        email = wanted if "@" in wanted else (player.email if player else None)
        if email is None or not self.roles.may_see_progress_of(message.user, email):
            return Reply(text=self.texts("progress.not_allowed", name=wanted), meta=meta())
        if player is None:
            return Reply(text=self.texts("progress.no_player", name=wanted), meta=meta())
        return self._progress_of(player.user_key, player.name or email)

    def _progress_of(self, user_key: str, who: str) -> Reply:
        bank = self.quiz.bank()
        catalog = self.quiz.catalog()
        known = spacing.mastery(bank.questions, self.quiz.cards(user_key, bank))
        mastery = {pid: m.share for pid, m in known.items()}
        lines = [self.texts("progress.title", name=who)]
        for persona in catalog.personas:
            share = mastery.get(persona.id, 0.0)
            lines.append(f"{_bar(share)} {round(share * 100):>3}%  {persona.name}")
        members, pass_mark = self.quiz.track()
        passed = sum(1 for pid in members if mastery.get(pid, 0.0) * 100 >= pass_mark)
        player = self.results.player(user_key)
        if player is not None and player.track_completed_at is not None:
            lines.append(
                self.texts("progress.track_done", date=player.track_completed_at.date().isoformat())
            )
        else:
            lines.append(
                self.texts("progress.track", passed=passed, total=len(members), pass_mark=pass_mark)
            )
        return Reply(text="\n".join(lines), meta=meta())

    def leaderboard(self, message: Incoming, arguments: str) -> Reply:
        """The boards, or hiding from / showing on them."""
        if not self.pack.info.leaderboard:
            return Reply(text=self.texts("leaderboard.disabled"), meta=meta())
        word = arguments.strip().casefold()
        now = self.clock()
        if word in self.texts.words("leaderboard.hide_words"):
            self.results.set_hidden(message.user.key, True, now=now)
            return Reply(text=self.texts("leaderboard.hidden"), meta=meta())
        if word in self.texts.words("leaderboard.show_words"):
            self.results.set_hidden(message.user.key, False, now=now)
            return Reply(text=self.texts("leaderboard.shown"), meta=meta())
        week = now - dt.timedelta(days=now.weekday())
        periods = (
            ("leaderboard.week", week.replace(hour=0, minute=0, second=0, microsecond=0)),
            ("leaderboard.month", now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)),
            ("leaderboard.all_time", None),
        )
        lines: list[str] = []
        for key, since in periods:
            top, own = self.results.leaderboard(since=since, limit=TOP, viewer=message.user.key)
            lines.append(self.texts(key))
            lines.extend(_row(s) for s in top)
            if not top:
                lines.append(self.texts("leaderboard.empty"))
            if own is not None and all(s.user_key != own.user_key for s in top):
                lines.append(self.texts("leaderboard.you", rank=own.rank, points=own.points))
        return Reply(text="\n".join(lines), meta=meta())


def _row(standing: Standing) -> str:
    return f"{standing.rank:>2}. {standing.name} · {standing.points}"


def _bar(share: float) -> str:
    filled = round(max(0.0, min(1.0, share)) * BAR)
    return "█" * filled + "░" * (BAR - filled)
