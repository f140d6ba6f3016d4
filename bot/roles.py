"""Who may do what: pack admins, persona owners and managers, decided in one place.

Everyone is recognised by email (what the pack names them by). A user whose platform
did not tell us their email is no admin, no owner and no one's manager: unknown means
denied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from bot.model import User
from content.catalog import Catalog
from content.schema import Pack


class Roles:
    """The pack's roles.

    Args:
        admins: Pack admins' emails.
        owners: Each persona's owners' emails, by persona id; or a callable returning
            them now (the live personas': an approved edit of the owners counts at once).
        managers: Each manager's reports' emails, by the manager's email.
    """

    def __init__(
        self,
        *,
        admins: Sequence[str],
        owners: Mapping[str, Sequence[str]] | Callable[[], Mapping[str, Sequence[str]]],
        managers: Mapping[str, Sequence[str]],
    ) -> None:
        self._admins = {a.casefold() for a in admins}
        self._owner_source = owners if callable(owners) else (lambda: owners)
        self._owners_of: tuple[object, dict[str, set[str]]] | None = None
        self._reports = {
            m.casefold(): {r.casefold() for r in emails} for m, emails in managers.items()
        }

    def is_admin(self, user: User) -> bool:
        """Whether ``user`` is a pack admin."""
        return _email(user) in self._admins

    def owns(self, user: User, persona_id: str) -> bool:
        """Whether ``user`` owns the persona."""
        return _email(user) in self._owners().get(persona_id, set())

    def owners(self, persona_id: str) -> tuple[str, ...]:
        """The persona's owners' emails (as written in the pack)."""
        return tuple(self._owner_source().get(persona_id, ()))

    def may_decide(self, user: User, persona_id: str) -> bool:
        """Whether ``user`` may change the persona: one of its owners, or a pack admin."""
        return self.owns(user, persona_id) or self.is_admin(user)

    def _owners(self) -> dict[str, set[str]]:
        source = self._owner_source()
        if self._owners_of is None or self._owners_of[0] is not source:
            folded = {pid: {o.casefold() for o in emails} for pid, emails in source.items()}
            self._owners_of = (source, folded)
        return self._owners_of[1]

    def manages(self, user: User, email: str) -> bool:
        """Whether ``user`` is the manager of the person with ``email``."""
        return email.casefold() in self._reports.get(_email(user), set())

    def may_see_progress_of(self, user: User, email: str) -> bool:
        """Whether ``user`` may see another person's training progress."""
        own = _email(user)
        return bool(own) and (
            own == email.casefold() or self.is_admin(user) or self.manages(user, email)
        )


def roles_of(pack: Pack, catalog: Callable[[], Catalog]) -> Roles:
    """The roles of a pack: its admins and managers, the live personas' owners."""
    built: list[tuple[Catalog, Mapping[str, Sequence[str]]]] = []

    def owners() -> Mapping[str, Sequence[str]]:
        live = catalog()
        if not built or built[0][0] is not live:  # the personas changed: new mapping
            built[:] = [(live, {p.id: list(p.owners) for p in live.personas})]
        return built[0][1]

    return Roles(admins=pack.info.admins, owners=owners, managers=pack.info.managers)


def _email(user: User) -> str:
    return (user.email or "").casefold()
