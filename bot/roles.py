"""Who may do what: pack admins, persona owners and managers, decided in one place.

Everyone is recognised by email (what the pack names them by). A user whose platform
did not tell us their email is no admin, no owner and no one's manager: unknown means
denied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.model import User
from content.catalog import Catalog
from content.schema import Pack


class Roles:
    """The pack's roles.

    Args:
        admins: Pack admins' emails.
        owners: Each persona's owners' emails, by persona id.
        managers: Each manager's reports' emails, by the manager's email.
    """

    def __init__(
        self,
        *,
        admins: Sequence[str],
        owners: Mapping[str, Sequence[str]],
        managers: Mapping[str, Sequence[str]],
    ) -> None:
        self._admins = {a.casefold() for a in admins}
        self._owners = {pid: {o.casefold() for o in emails} for pid, emails in owners.items()}
        self._reports = {
            m.casefold(): {r.casefold() for r in emails} for m, emails in managers.items()
        }

    def is_admin(self, user: User) -> bool:
        """Whether ``user`` is a pack admin."""
        return _email(user) in self._admins

    def owns(self, user: User, persona_id: str) -> bool:
        """Whether ``user`` owns the persona."""
        return _email(user) in self._owners.get(persona_id, set())

    def manages(self, user: User, email: str) -> bool:
        """Whether ``user`` is the manager of the person with ``email``."""
        return email.casefold() in self._reports.get(_email(user), set())

    def may_see_progress_of(self, user: User, email: str) -> bool:
        """Whether ``user`` may see another person's training progress."""
        own = _email(user)
        return bool(own) and (
            own == email.casefold() or self.is_admin(user) or self.manages(user, email)
        )


def roles_of(pack: Pack, catalog: Catalog) -> Roles:
    """The roles of a pack: its admins and managers, the live personas' owners."""
    return Roles(
        admins=pack.info.admins,
        owners={p.id: p.owners for p in catalog.personas},
        managers=pack.info.managers,
    )


def _email(user: User) -> str:
    return (user.email or "").casefold()
