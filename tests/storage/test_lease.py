"""Database leases: one holder at a time, takeover after expiry, fencing generations."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest

from storage import Database
from storage.lease import Lease, Leases
from tests.storage.parallel import run_in_parallel

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
TTL = dt.timedelta(seconds=30)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def leases(database: Database) -> Leases:
    return Leases(db=database)


def test_only_one_of_two_holders_gets_a_free_lease(leases: Leases) -> None:
    first = leases.acquire("scheduler", holder="a", ttl=TTL, now=T0)
    second = leases.acquire("scheduler", holder="b", ttl=TTL, now=T0)

    assert first == Lease("scheduler", "a", 1, T0, T0 + TTL)
    assert second is None
    assert leases.current("scheduler") == first


def test_leases_with_different_names_are_independent(leases: Leases) -> None:
    assert leases.acquire("scheduler", holder="a", ttl=TTL, now=T0) is not None
    assert leases.acquire("reviews", holder="b", ttl=TTL, now=T0) is not None


def test_the_holder_renews_and_keeps_it_past_the_first_ttl(leases: Leases) -> None:
    lease = leases.acquire("scheduler", holder="a", ttl=TTL, now=T0)
    assert lease is not None

    for step in range(1, 7):  # renewed every ttl/3 for two whole ttls
        now = T0 + step * TTL / 3
        renewed = leases.renew(lease, ttl=TTL, now=now)
        assert renewed is not None
        assert renewed.expires_at == now + TTL
        assert leases.acquire("scheduler", holder="b", ttl=TTL, now=now) is None
        lease = renewed

    assert lease.generation == 1
    assert lease.acquired_at == T0


def test_another_holder_takes_over_only_after_the_holder_stops_renewing(leases: Leases) -> None:
    old = leases.acquire("scheduler", holder="a", ttl=TTL, now=T0)
    assert old is not None
    # "a" dies: no more renewals.

    assert leases.acquire("scheduler", holder="b", ttl=TTL, now=T0 + TTL - SECOND) is None
    taken = leases.acquire("scheduler", holder="b", ttl=TTL, now=T0 + TTL)

    assert taken == Lease("scheduler", "b", 2, T0 + TTL, T0 + 2 * TTL)
    assert not leases.still_held(old, now=T0 + TTL)
    assert leases.still_held(taken, now=T0 + TTL)


def test_the_old_holders_renewal_fails_after_a_takeover(leases: Leases) -> None:
    old = leases.acquire("scheduler", holder="a", ttl=TTL, now=T0)
    assert old is not None
    taken = leases.acquire("scheduler", holder="b", ttl=TTL, now=T0 + 2 * TTL)
    assert taken is not None

    # "a" wakes up from a long pause and tries to carry on.
    assert leases.renew(old, ttl=TTL, now=T0 + 2 * TTL + SECOND) is None
    assert not leases.release(old, now=T0 + 2 * TTL + SECOND)
    assert leases.current("scheduler") == taken


def test_taking_back_a_lost_lease_is_a_new_generation(leases: Leases) -> None:
    first = leases.acquire("scheduler", holder="a", ttl=TTL, now=T0)
    leases.acquire("scheduler", holder="b", ttl=TTL, now=T0 + TTL)
    again = leases.acquire("scheduler", holder="a", ttl=TTL, now=T0 + 3 * TTL)

    assert first is not None and again is not None
    assert again.generation == 3
    assert leases.renew(first, ttl=TTL, now=T0 + 3 * TTL) is None


def test_an_expired_lease_nobody_took_can_still_be_renewed(leases: Leases) -> None:
    lease = leases.acquire("scheduler", holder="a", ttl=TTL, now=T0)
    assert lease is not None
    assert not lease.valid_at(T0 + TTL)

    renewed = leases.renew(lease, ttl=TTL, now=T0 + 2 * TTL)

    assert renewed is not None
    assert renewed.generation == lease.generation
    assert renewed.valid_at(T0 + 2 * TTL)


def test_release_lets_another_holder_take_it_at_once(leases: Leases) -> None:
    lease = leases.acquire("scheduler", holder="a", ttl=TTL, now=T0)
    assert lease is not None

    assert leases.release(lease, now=T0 + SECOND)
    taken = leases.acquire("scheduler", holder="b", ttl=TTL, now=T0 + SECOND)

    assert taken is not None
    assert taken.holder == "b"
    assert taken.generation == 2


def test_a_ttl_must_be_positive(leases: Leases) -> None:
    with pytest.raises(ValueError, match="ttl"):
        leases.acquire("scheduler", holder="a", ttl=dt.timedelta(0), now=T0)


def test_holders_racing_for_a_lease_get_exactly_one_winner_each_round(database: Database) -> None:
    holders = 8
    previous: Lease | None = None
    for round_ in range(5):
        # Each round starts after the last winner's lease expired, so all may try.
        now = T0 + round_ * 2 * TTL

        def attempt(db: Database, now: dt.datetime = now) -> Lease | None:
            mine = f"replica-{uuid.uuid4().hex}"
            return Leases(db=db).acquire("scheduler", holder=mine, ttl=TTL, now=now)

        results, errors = run_in_parallel(database, holders, attempt)

        assert errors == []
        winners = [lease for lease in results if lease is not None]
        assert len(winners) == 1, f"round {round_}: {winners}"
        assert winners[0].generation == (1 if previous is None else previous.generation + 1)
        assert Leases(db=database).current("scheduler") == winners[0]
        previous = winners[0]


def test_a_renewal_racing_takeovers_at_expiry_leaves_exactly_one_holder(
    database: Database,
) -> None:
    leases = Leases(db=database)
    for round_ in range(5):
        start = T0 + round_ * 2 * TTL
        lease = leases.acquire("scheduler", holder="incumbent", ttl=TTL, now=start)
        assert lease is not None

        winners = _renew_against_rivals(database, lease, rivals=3, now=start + TTL)

        assert len(winners) == 1, f"round {round_}: {winners}"
        current = leases.current("scheduler")
        assert current is not None and current.holder == winners[0]
        # Whoever won gives it up, so the incumbent takes it back next round.
        assert leases.release(current, now=start + TTL)


def _renew_against_rivals(
    database: Database, lease: Lease, *, rivals: int, now: dt.datetime
) -> list[str]:
    """The holder renews while ``rivals`` try to take over, all at once; who got it."""
    roles = iter(["renew"] + ["take"] * rivals)
    pick = threading.Lock()

    def attempt(db: Database) -> str | None:
        with pick:
            role = next(roles)
        mine = Leases(db=db)
        if role == "renew":
            got = mine.renew(lease, ttl=TTL, now=now)
        else:
            got = mine.acquire("scheduler", holder=f"rival-{uuid.uuid4().hex}", ttl=TTL, now=now)
        return None if got is None else got.holder

    results, errors = run_in_parallel(database, rivals + 1, attempt)
    assert errors == []
    return [holder for holder in results if holder is not None]
