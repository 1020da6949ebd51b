"""Tallies: exact counts keyed by (node, metric, report day), a mergeable monoid.

Rules this module obeys (docs/design.md, "Rates" and "Reports"):

* a :class:`Tally` is a commutative monoid: ``Tally.empty()`` is the
  identity, ``merge`` (also ``+``) is associative and commutative, and a tally
  is picklable and round-trips through ``to_dict``/``from_dict``, so Dask's
  ``fold`` or Spark's ``aggregate`` run it unchanged;
* a record at instant ``t`` counts on its *report day*, the day of the first
  cutoff strictly after ``t`` (:meth:`gridcare.timeutil.ReportClock.report_day`);
* no personal data: keys are node ids and metric names, values are counts.

Records feed tallies through one small protocol (:class:`Countable`): a record
says which counts it contributes. A :class:`TallyBuilder` collects many counts
in place (each add costs the same whatever the size) and builds the immutable
tally once; ``Tally.add`` copies the tally and is meant for a few adds.

>>> from datetime import date
>>> t = Tally.empty().add("G1", "declarations_received", 3, day=date(2022, 3, 27))
>>> (t + t).get("G1", "declarations_received", date(2022, 3, 27))
6
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

import attrs

from gridcare.errors import InvalidInput
from gridcare.reports.metrics import COUNTED_METRICS, counted_metric, metric
from gridcare.timeutil import ReportClock, require_aware, require_day

__all__ = ["Count", "Countable", "Key", "Progress", "Tally", "TallyBuilder", "tally"]

#: A tally's key: (node id, metric name, report day).
Key = tuple[str, str, date]
#: A progress callback: ``progress(done, total)``.
Progress = Callable[[int, int], None]


@attrs.frozen
class Count:
    """One contribution to a tally: ``n`` of ``metric`` at ``node`` on report ``day``.

    Give ``at`` (an instant) for a flow, and the clock finds the report day;
    give ``day`` directly for a stock counted as of that day's cutoff.

    >>> from datetime import date
    >>> Count("G1", "hazards", day=date(2022, 3, 27)).n
    1
    """

    node: str
    metric: str
    n: int = 1
    at: datetime | None = None
    day: date | None = None


@runtime_checkable
class Countable(Protocol):
    """What a record implements to feed tallies: the counts it contributes.

    A new record type needs only this method; the rollup code never changes.

    >>> from datetime import date
    >>> class Hazard:
    ...     def counts(self):
    ...         yield Count("G1", "hazards", day=date(2022, 3, 27))
    >>> isinstance(Hazard(), Countable), tally([Hazard(), Hazard()]).get(
    ...     "G1", "hazards", date(2022, 3, 27))
    (True, 2)
    """

    def counts(self) -> Iterable[Count]:
        """The counts this record contributes (node, metric, instant or day, n)."""
        ...


def checked_key(
    node: str,
    metric_name: str,
    n: int,
    day: date | None,
    at: datetime | None,
    clock: ReportClock,
) -> Key:
    """The key of one count, after checking it; a bad count raises ``InvalidInput``.

    The metric must be counted (not a rate), ``n`` a whole number, and either
    ``day`` or an aware ``at`` given (its report day is then the clock's).

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE
    >>> at = datetime(2022, 3, 27, 9, tzinfo=DEFAULT_ZONE)
    >>> checked_key("G1", "hazards", 1, None, at, ReportClock())
    ('G1', 'hazards', datetime.date(2022, 3, 28))
    """
    if not isinstance(node, str) or not node:
        raise InvalidInput("not_string", "node", "expected a node id (text)")
    counted_metric(metric_name)
    if isinstance(n, bool) or not isinstance(n, int):
        raise InvalidInput("not_integer", "n", "counts are whole numbers", value=n)
    if day is None:
        if at is None:
            raise InvalidInput("missing", "day", "give the report day or the instant")
        day = clock.report_day(require_aware(at, "at"))
    else:
        day = require_day(day, "day")
    return (node, metric_name, day)


class TallyBuilder:
    """Collects counts in place, then builds a :class:`Tally` once.

    Each :meth:`add` costs the same however many counts are already held (one
    dict update), where ``Tally.add`` copies the whole tally. Use a builder to
    fold many counts; the tally it builds is immutable and the builder can go
    on collecting.

    >>> from datetime import date
    >>> d = date(2022, 3, 27)
    >>> builder = TallyBuilder()
    >>> for grid in ("G1", "G2", "G1"):
    ...     builder.add(grid, "hazards", day=d)
    >>> builder.build().get("G1", "hazards", d)
    2
    """

    __slots__ = ("_clock", "_counts")

    def __init__(self, clock: ReportClock | None = None, *, start: Tally | None = None) -> None:
        """A builder holding nothing, or ``start``'s counts; ``clock`` finds days for ``at``."""
        self._clock = clock or ReportClock()
        self._counts: dict[Key, int] = dict(start) if start is not None else {}

    def __len__(self) -> int:
        """The number of keys held (zero totals included until :meth:`build`)."""
        return len(self._counts)

    def add(
        self,
        node: str,
        metric_name: str,
        n: int = 1,
        *,
        day: date | None = None,
        at: datetime | None = None,
    ) -> None:
        """Add ``n`` of ``metric_name`` at ``node`` on a report day (``day``, or ``at``'s).

        >>> from datetime import datetime
        >>> from gridcare.timeutil import DEFAULT_ZONE
        >>> builder = TallyBuilder()
        >>> builder.add("G1", "services", at=datetime(2022, 3, 27, 9, tzinfo=DEFAULT_ZONE))
        >>> builder.build().days()
        [datetime.date(2022, 3, 28)]
        """
        if (
            type(node) is str
            and node
            and type(day) is date
            and type(n) is int
            and type(metric_name) is str
            and metric_name in COUNTED_METRICS
        ):
            key = (node, metric_name, day)
        else:
            # Anything but the usual shape goes through the checks that say what is wrong.
            key = checked_key(node, metric_name, n, day, at, self._clock)
        counts = self._counts
        counts[key] = counts.get(key, 0) + n

    def add_count(self, count: Count) -> None:
        """Add one :class:`Count`."""
        self.add(count.node, count.metric, count.n, day=count.day, at=count.at)

    def add_counts(self, counts: Iterable[Count]) -> None:
        """Add every :class:`Count` of ``counts``."""
        for count in counts:
            self.add(count.node, count.metric, count.n, day=count.day, at=count.at)

    def add_tally(self, other: Tally) -> None:
        """Add every count of a tally."""
        counts = self._counts
        for key, n in other:
            counts[key] = counts.get(key, 0) + n

    def build(self) -> Tally:
        """The tally of everything added so far (zero totals are dropped)."""
        return Tally(self._counts)


class Tally:
    """Exact counts keyed by (node id, metric name, report day): a commutative monoid.

    Immutable: ``add`` and ``merge`` return new tallies. Zero counts are not
    stored, so equal contents compare equal. Iterating gives ``(key, n)`` pairs;
    :meth:`counts` gives :class:`Count` values, so a tally is itself
    :class:`Countable`.

    >>> from datetime import date
    >>> d = date(2022, 3, 27)
    >>> a = Tally.empty().add("G1", "hazards", 2, day=d)
    >>> b = Tally.empty().add("G1", "hazards", 1, day=d).add("G2", "disputes", day=d)
    >>> Tally.merge(a, b) == b + a, (a + b).get("G1", "hazards", d), len(a + b)
    (True, 3, 2)
    >>> Tally.from_dict((a + b).to_dict()) == a + b
    True
    """

    __slots__ = ("_counts",)

    _counts: dict[Key, int]

    def __init__(self, counts: Mapping[Key, int] | None = None) -> None:
        self._counts = {k: v for k, v in (counts or {}).items() if v}

    @classmethod
    def empty(cls) -> Tally:
        """The identity of ``merge``.

        >>> len(Tally.empty())
        0
        """
        return cls()

    def add(
        self,
        node: str,
        metric_name: str,
        n: int = 1,
        *,
        day: date | None = None,
        at: datetime | None = None,
        clock: ReportClock | None = None,
    ) -> Tally:
        """A new tally with ``n`` more of ``metric_name`` at ``node`` on a report day.

        Give ``day``, or an aware ``at`` and optionally the ``clock`` (08:00 in
        Asia/Shanghai by default) to find it. Each call copies the tally (its
        cost grows with the tally's size): to add many counts, collect them in
        a :class:`TallyBuilder` and build once.

        >>> from datetime import datetime
        >>> from gridcare.timeutil import DEFAULT_ZONE
        >>> at = datetime(2022, 3, 27, 9, tzinfo=DEFAULT_ZONE)
        >>> t = Tally.empty().add("G1", "services", at=at)
        >>> list(t.days())
        [datetime.date(2022, 3, 28)]
        """
        builder = TallyBuilder(clock, start=self)
        builder.add(node, metric_name, n, day=day, at=at)
        return builder.build()

    @staticmethod
    def merge(a: Tally, b: Tally) -> Tally:
        """The sum of two tallies (associative, commutative, ``empty()`` is the identity).

        >>> Tally.merge(Tally.empty(), Tally.empty()) == Tally.empty()
        True
        """
        if len(a) < len(b):
            a, b = b, a
        builder = TallyBuilder(start=a)
        builder.add_tally(b)
        return builder.build()

    def __add__(self, other: object) -> Tally:
        if not isinstance(other, Tally):
            return NotImplemented
        return Tally.merge(self, other)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tally):
            return NotImplemented
        return self._counts == other._counts

    __hash__ = None  # type: ignore[assignment]

    def __len__(self) -> int:
        return len(self._counts)

    def __iter__(self) -> Iterator[tuple[Key, int]]:
        return iter(self._counts.items())

    def __repr__(self) -> str:
        nodes = len({k[0] for k in self._counts})
        return f"Tally({len(self._counts)} counts over {nodes} nodes)"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Tally, (self._counts,))

    def get(self, node: str, metric_name: str, day: date) -> int:
        """The count for one key (0 if absent).

        >>> Tally.empty().get("G1", "hazards", date(2022, 3, 27))
        0
        """
        return self._counts.get((node, metric_name, day), 0)

    def days(self) -> list[date]:
        """The report days present, in order.

        >>> Tally.empty().add("G1", "hazards", day=date(2022, 3, 27)).days()
        [datetime.date(2022, 3, 27)]
        """
        return sorted({k[2] for k in self._counts})

    def nodes(self) -> set[str]:
        """The node ids present.

        >>> Tally.empty().add("G1", "hazards", day=date(2022, 3, 27)).nodes()
        {'G1'}
        """
        return {k[0] for k in self._counts}

    def counts(self) -> Iterator[Count]:
        """Every non-zero count as a :class:`Count` with its report day.

        >>> t = Tally.empty().add("G1", "hazards", 2, day=date(2022, 3, 27))
        >>> [(c.node, c.metric, c.n, c.day.isoformat()) for c in t.counts()]
        [('G1', 'hazards', 2, '2022-03-27')]
        """
        for (node, name, day), n in self._counts.items():
            yield Count(node, name, n, day=day)

    def to_dict(self) -> dict[str, dict[str, dict[str, int]]]:
        """A JSON-ready nesting ``{node: {metric: {"YYYY-MM-DD": n}}}``.

        >>> Tally.empty().add("G1", "hazards", day=date(2022, 3, 27)).to_dict()
        {'G1': {'hazards': {'2022-03-27': 1}}}
        """
        out: dict[str, dict[str, dict[str, int]]] = {}
        for (node, name, day), n in sorted(self._counts.items()):
            out.setdefault(node, {}).setdefault(name, {})[day.isoformat()] = n
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, Mapping[str, int]]]) -> Tally:
        """Rebuild from :meth:`to_dict` output; bad entries raise ``InvalidInput``.

        >>> Tally.from_dict({"G1": {"hazards": {"2022-03-27": 1}}}).get(
        ...     "G1", "hazards", date(2022, 3, 27))
        1
        """
        builder = TallyBuilder()
        for node, per_metric in data.items():
            for name, per_day in per_metric.items():
                metric(name)
                for text, n in per_day.items():
                    where = f"{node}.{name}.{text}"
                    try:
                        day = date.fromisoformat(text)
                    except (TypeError, ValueError):
                        raise InvalidInput(
                            "bad_day", where, "expected an ISO date", value=text
                        ) from None
                    if isinstance(n, bool) or not isinstance(n, int):
                        raise InvalidInput("not_integer", where, "counts are integers", value=n)
                    builder.add(node, name, n, day=day)
        return builder.build()

    @classmethod
    def from_counts(cls, counts: Iterable[Count], *, clock: ReportClock | None = None) -> Tally:
        """Fold :class:`Count` values into a tally (through a :class:`TallyBuilder`).

        >>> from datetime import date
        >>> Tally.from_counts([Count("G1", "hazards", day=date(2022, 3, 27))] * 2).get(
        ...     "G1", "hazards", date(2022, 3, 27))
        2
        """
        builder = TallyBuilder(clock)
        builder.add_counts(counts)
        return builder.build()


def tally(
    records: Iterable[Countable | Count],
    *,
    clock: ReportClock | None = None,
    progress: Progress | None = None,
) -> Tally:
    """Fold records (anything :class:`Countable`, or plain :class:`Count`) into a tally.

    ``tally(xs + ys) == tally(xs) + tally(ys)`` for any lists of records.

    >>> from datetime import date
    >>> tally([Count("G1", "services", 2, day=date(2022, 3, 27))]).get(
    ...     "G1", "services", date(2022, 3, 27))
    2
    """
    items = records if isinstance(records, Sequence) else list(records)
    total = len(items)
    step = max(1, total // 20)
    builder = TallyBuilder(clock)
    for i, record in enumerate(items):
        if isinstance(record, Count):
            builder.add_count(record)
        else:
            builder.add_counts(record.counts())
        if progress is not None and (i + 1) % step == 0:
            progress(i + 1, total)
    if progress is not None:
        progress(total, total)
    return builder.build()
