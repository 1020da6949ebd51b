"""The demo's second process: its testing round and census (``gridcare demo --jobs 2``).

Where the platform forks and the first process runs a single thread, the
second process is forked once the city is built and takes the first one's
copy of it: no second interpreter to start, no modules to import again, no
city to build again. Otherwise it is spawned at once (a fresh interpreter,
safe on every platform and beside any thread) and builds its own copy of the
city from the same profile, scale and seed, which is the same city. A spawned
process finds the function it runs by module and name, and it cannot find
one in a package's ``__main__``; so the command line starts its second
process from here. Either way the process sends back only the round's
summary (:class:`~gridcare.testing.scenario.RoundSummary`: a few thousand
values).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from datetime import date
from multiprocessing.connection import Connection
from typing import Any, Literal

from gridcare.bulk import collector_paused
from gridcare.errors import GridcareError
from gridcare.screening import CensusReport, CoverageReport
from gridcare.testing.scenario import RoundSummary, summed_round
from gridcare.testing.synthetic import City, synthetic_city


class RoundProcessStopped(Exception):
    """The second process ended without sending the round's summary (it was killed, or failed)."""


#: A round's summary and the records it was summed from (held until the process ends).
_Summed = tuple[RoundSummary, tuple[CoverageReport, CensusReport]]


def round_elsewhere(profile: str, scale: float, seed: int, report_day: date) -> _Summed:
    """The demo's round and census, summed, from a city built here; and their records."""
    city = synthetic_city(profile, scale, seed)
    return summed_round(city, report_day=report_day, seed=seed)


def fork_is_safe() -> bool:
    """Whether a forked second process can take this process's city.

    The platform must fork, and this process must run a single thread: a lock
    another thread held at the fork would stay held in the copy for good.
    """
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _send_summary(send: Connection, work: Callable[[], _Summed]) -> None:
    """The second process's whole work: the summary, or the coded error, down the pipe.

    This runs only in the second process, which is the demo's own: so it
    pauses the collector for its bulk work, as the demo does, and it ends
    the process once the pipe is closed, still holding the round's records:
    freeing them one by one first (``round_summary`` does, as it returns)
    delayed the summary the first process waits for by about 2 s at full
    scale, and the operating system takes the whole memory back at once.
    """
    # The first process answers Ctrl-C for both: it ends this one (RoundProcess.stop).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with collector_paused():
            summary, _records = work()  # held until the process ends
            found: tuple[str, object] = ("summary", summary)
    except GridcareError as exc:
        found = ("error", exc)
    try:
        send.send(found)
        send.close()
    except OSError:  # the first process is gone: there is nobody to send the summary to
        pass
    os._exit(0)  # nothing is left to run here: no output buffered, no other thread, no child


def _send_round(send: Connection, profile: str, scale: float, seed: int, day: date) -> None:
    """A spawned process's target: the round of a city it builds itself."""
    _send_summary(send, lambda: round_elsewhere(profile, scale, seed, day))


def _send_round_of(send: Connection, city: City, seed: int, day: date) -> None:
    """A forked process's target: the round of the city it holds a copy of."""
    _send_summary(send, lambda: summed_round(city, report_day=day, seed=seed))


class RoundProcess:
    """The demo's round running in a second process from the moment this is made.

    :meth:`spawned` starts a fresh interpreter that builds its own city;
    :meth:`forked` copies this process, city and all (see :func:`fork_is_safe`).
    :meth:`result` waits for the summary (a coded error the round raised is
    raised here again); :meth:`stop` ends the process whatever it is doing,
    so that a demo that fails or is interrupted does not wait for its round.
    """

    def __init__(
        self, method: Literal["fork", "spawn"], target: Callable[..., None], args: tuple[Any, ...]
    ) -> None:
        context = (
            multiprocessing.get_context("fork")
            if method == "fork"
            else multiprocessing.get_context("spawn")
        )
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(
            target=target, args=(send, *args), name="gridcare-demo-round", daemon=True
        )
        self._process.start()
        send.close()  # this end is the child's now: the pipe ends when the child's copy does

    @classmethod
    def spawned(cls, profile: str, scale: float, seed: int, report_day: date) -> RoundProcess:
        """The round in a spawned process that builds its city from ``profile``, ``scale``
        and ``seed``."""
        return cls("spawn", _send_round, (profile, scale, seed, report_day))

    @classmethod
    def forked(cls, city: City, seed: int, report_day: date) -> RoundProcess:
        """The round of ``city`` in a forked copy of this process (where the platform forks)."""
        return cls("fork", _send_round_of, (city, seed, report_day))

    def result(self) -> RoundSummary:
        """The round's summary, once the process sends it."""
        try:
            kind, value = self._receive.recv()
        except EOFError:
            raise RoundProcessStopped("the testing round's process stopped early") from None
        if kind == "error":
            assert isinstance(value, GridcareError)
            raise value
        assert isinstance(value, RoundSummary)
        return value

    def stop(self) -> None:
        """End the process (at once if it is still running) and close the pipe."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()
