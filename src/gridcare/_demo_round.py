"""The demo's second process: its testing round and census (``gridcare demo --jobs 2``).

A process started with the ``spawn`` method finds the function it runs by
module and name, and it cannot find one in a package's ``__main__``; so the
command line starts its second process from here. The process builds its own
copy of the city (the same for the same profile, scale and seed) rather than
receiving it, and sends back only the round's summary
(:class:`~gridcare.testing.scenario.RoundSummary`: a few thousand values).
"""

from __future__ import annotations

import multiprocessing
from datetime import date
from multiprocessing.connection import Connection

from gridcare.bulk import collector_paused
from gridcare.errors import GridcareError
from gridcare.testing.scenario import RoundSummary, round_summary
from gridcare.testing.synthetic import synthetic_city


class RoundProcessStopped(Exception):
    """The second process ended without sending the round's summary (it was killed, or failed)."""


def round_elsewhere(profile: str, scale: float, seed: int, report_day: date) -> RoundSummary:
    """The demo's round and census, summed, from a city built here."""
    city = synthetic_city(profile, scale, seed)
    return round_summary(city, report_day=report_day, seed=seed)


def _send_round(send: Connection, profile: str, scale: float, seed: int, day: date) -> None:
    """The second process's whole work: the summary, or the coded error, down the pipe.

    This runs only as the spawned process's target: the process is the demo's
    own, so it pauses the collector for its bulk work, as the demo does.
    """
    try:
        with collector_paused():
            found: tuple[str, object] = ("summary", round_elsewhere(profile, scale, seed, day))
    except GridcareError as exc:
        found = ("error", exc)
    send.send(found)
    send.close()


class RoundProcess:
    """The demo's round running in a spawned process from the moment this is made.

    :meth:`result` waits for its summary (a coded error the round raised is
    raised here again); :meth:`stop` ends the process whatever it is doing,
    so that a demo that fails or is interrupted does not wait for its round.
    """

    def __init__(self, profile: str, scale: float, seed: int, report_day: date) -> None:
        context = multiprocessing.get_context("spawn")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_send_round,
            args=(send, profile, scale, seed, report_day),
            name="gridcare-demo-round",
            daemon=True,
        )
        self._process.start()
        send.close()  # this end is the child's now: the pipe ends when the child's copy does

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
