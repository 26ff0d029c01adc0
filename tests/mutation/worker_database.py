"""A pytest plugin that lets two mutants' Django tests run at once (``make mutation``).

mutmut forks a process for each mutant and runs the tests that reach the mutated
function there, two processes at a time (tests/mutation/run.py). Those tests cannot
share a database with each other (the websocket tests commit and then empty every
table), nor a cache key prefix (``test-<pid>`` in the test settings is the forked
parent's pid for all of them, so rate-limit counts would pile up over hundreds of runs).

Each pytest process therefore takes the first free *slot*: an exclusive lock on
``slot-<n>.lock`` in ``PLAYGROUND_MUTATION_SLOTS``, held until the process ends. Slot
``n`` uses the test database ``<PLAYGROUND_MUTATION_DATABASE>_<n>``, kept between runs
(``--reuse-db``) so that only the first run in a slot pays for the migrations, and a
cache key prefix of the process's own. A process killed mid-test (a mutant that loops
is stopped with SIGXCPU) may leave committed rows behind: the lock file says "busy"
until a run ends cleanly, and the next process to take a busy slot drops its database,
so that it is made afresh.

The driver drops the slot databases when the run is over.
"""

from __future__ import annotations

import copy
import fcntl
import os
from pathlib import Path
from typing import IO, Any

import pytest

_slot: IO[str] | None = None
_overrides: list[Any] = []


def _take_slot(folder: Path) -> tuple[int, IO[str]]:
    """Lock the first free slot file; return its number and the open (locked) file."""
    number = 0
    while True:
        handle = (folder / f"slot-{number}.lock").open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            number += 1
            continue
        return number, handle


def drop_database(settings_dict: dict[str, Any], name: str) -> None:
    """``DROP DATABASE IF EXISTS name`` on the server of ``settings_dict``."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        dbname="postgres", host=settings_dict["HOST"], port=settings_dict["PORT"] or None,
        user=settings_dict["USER"], password=settings_dict["PASSWORD"] or None, autocommit=True,
    ) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)
        ))


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    global _slot
    folder = os.environ.get("PLAYGROUND_MUTATION_SLOTS")
    database = os.environ.get("PLAYGROUND_MUTATION_DATABASE")
    if not folder or not database:
        return
    from django.conf import settings
    from django.test import override_settings

    number, _slot = _take_slot(Path(folder))
    _slot.seek(0)
    left_busy = _slot.read() != ""
    name = f"{database}_{number}"
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = name
    if left_busy:
        drop_database(settings.DATABASES["default"], name)
    _slot.truncate(0)
    _slot.write(f"busy {os.getpid()}\n")
    _slot.flush()

    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-mutation-{os.getpid()}"
    override = override_settings(CACHES=caches)
    override.enable()
    _overrides.append(override)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _slot
    if _slot is None:
        return
    from django.db import connections

    # Closed before mutmut forks the next process from this one, which must not share them.
    connections.close_all()
    while _overrides:
        _overrides.pop().disable()
    _slot.truncate(0)
    _slot.close()
    _slot = None
