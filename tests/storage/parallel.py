"""Run work against one database from several connections at once, like several processes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from storage import Database

T = TypeVar("T")


def run_in_parallel(
    database: Database, count: int, work: Callable[[Database], T]
) -> tuple[list[T], list[BaseException]]:
    """Start ``work`` on ``count`` separate Database handles at the same instant.

    Returns:
        The results and the exceptions raised, in completion order.
    """
    url = database.url.render_as_string(hide_password=False)
    handles = [Database(url=url) for _ in range(count)]
    barrier = threading.Barrier(count)
    results: list[T] = []
    errors: list[BaseException] = []

    def run(handle: Database) -> None:
        barrier.wait()
        try:
            results.append(work(handle))
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(h,)) for h in handles]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for handle in handles:
            handle.dispose()
    return results, errors
