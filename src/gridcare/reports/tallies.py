"""Tallies: exact counts keyed by (node, metric, report day), a mergeable monoid.

Rules this module obeys (docs/design.md, "Rates" and "Reports"):

* a :class:`Tally` is a commutative monoid: ``Tally.empty()`` is the
  identity, ``merge`` (also ``+``) is associative and commutative, and a tally
  is picklable and round-trips through ``to_dict``/``from_dict``, so Dask's
  ``fold`` or Spark's ``aggregate`` run it unchanged;
* a record at instant ``t`` counts on its *report day*, the day of the first
  cutoff strictly after ``t`` (:meth:`gridcare.timeutil.ReportClock.report_day`);
* counts are whole numbers from zero up: a negative count is refused where it
  enters (a count, a builder, a tally), never found later by a report;
* no personal data: keys are node ids and metric names, values are counts.

Records feed tallies through one small protocol (:class:`Countable`): a record
says which counts it contributes. A :class:`TallyBuilder` collects many counts
in place and builds the immutable tally once; ``Tally.add`` returns a new
tally and costs the same whatever the tally's size, so a loop of adds is
linear too.

>>> from datetime import date
>>> t = Tally.empty().add("G1", "declarations_received", 3, day=date(2022, 3, 27))
>>> (t + t).get("G1", "declarations_received", date(2022, 3, 27))
6
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

import attrs

from gridcare import serial
from gridcare.errors import (
    InvalidInput,
    read_mapping,
    read_once,
    require_callable,
    require_instance,
    require_int,
)
from gridcare.masking import masked_field_reprs
from gridcare.reports.metrics import COUNTED_METRICS, counted_metric
from gridcare.text import TEXT_LIMITS, check_text_of, is_plain
from gridcare.timeutil import MAX_YEAR, MIN_YEAR, ReportClock, require_aware, require_day

__all__ = [
    "MAX_COUNT",
    "Count",
    "Countable",
    "Key",
    "Progress",
    "Tally",
    "TallyBuilder",
    "TallyData",
    "tally",
]

#: The largest ``n`` one count may add: a signed 64-bit integer, what a database column or
#: a NumPy array holds. Real counts are far below it; a larger one is refused where it
#: enters (code ``out_of_range``).
MAX_COUNT = 2**63 - 1

#: A tally's key: (node id, metric name, report day).
Key = tuple[str, str, date]
#: A progress callback: ``progress(done, total)``.
Progress = Callable[[int, int], None]
#: A tally as JSON holds it: ``{node: {metric: {report day: n}}}`` (days as ISO text).
TallyData = dict[str, dict[str, dict[date, int]]]

#: The report clock used when none is given (08:00 in Asia/Shanghai): an immutable value.
DEFAULT_CLOCK = ReportClock()

_FIRST_DAY = date(MIN_YEAR, 1, 1)
_LAST_DAY = date(MAX_YEAR, 12, 31)
#: The longest node id: the limit of an id (:mod:`gridcare.text`).
_ID_LIMIT = TEXT_LIMITS["id"]


def clock_or_default(clock: object, field: str = "clock") -> ReportClock:
    """``clock`` if it is a :class:`~gridcare.timeutil.ReportClock`, the default one for ``None``.

    >>> clock_or_default(None).cutoff.isoformat()
    '08:00:00'
    >>> clock_or_default("08:00")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: clock: expected ReportClock, got str [wrong_type]
    """
    if clock is None:
        return DEFAULT_CLOCK
    return require_instance(clock, ReportClock, field)


def _usual_key(node: object, metric_name: object, day: object) -> Key | None:
    """The key, if it has the usual shape and so needs no further check; else ``None``.

    The usual shape: a node id passing the quick test of an id's text rules
    (:func:`gridcare.text.is_plain`), a counted metric's name and a supported
    report day, each of its exact type. Anything else goes through the checks
    that say what is wrong (:func:`checked_key`, :func:`lookup_key`).
    """
    if (
        type(node) is str
        and type(day) is date
        and type(metric_name) is str
        and is_plain(node, _ID_LIMIT)
        and metric_name in COUNTED_METRICS
        and _FIRST_DAY <= day <= _LAST_DAY
    ):
        return (node, metric_name, day)
    return None


def _check_count_fields(
    node: object, metric_name: object, n: object, day: object, at: object
) -> str:
    """The node id (a plain ``str``) if these make one count (the report day aside), else
    ``InvalidInput``."""
    node_id = check_text_of(node, "node")  # the text rules of an id
    counted_metric(metric_name)  # type: ignore[arg-type]
    require_int(n, "n", low=0, high=MAX_COUNT)
    if at is not None:
        require_aware(at, "at")
    if day is not None:
        require_day(day, "day")
    elif at is None:
        raise InvalidInput("missing", "day", "give the report day or the instant")
    return node_id


@attrs.frozen(field_transformer=masked_field_reprs, init=False)
class Count:
    """One contribution to a tally: ``n`` of ``metric`` at ``node`` on report ``day``.

    Give ``at`` (an instant) for a flow, and the clock finds the report day;
    give ``day`` directly for a stock counted as of that day's cutoff. The
    fields are checked when the count is made: a node id keeping the text
    rules of an id (:func:`gridcare.text.kind_problem`), a counted metric
    (not a rate), a whole ``n`` from 0 up, a supported ``day`` or an aware
    ``at`` (each checked when given; the ``day`` counts when both are).

    >>> from datetime import date
    >>> Count("G1", "hazards", day=date(2022, 3, 27)).n
    1
    >>> Count("G1", "hazards", -2, day=date(2022, 3, 27))
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: n: must not be negative [negative]
    """

    node: str
    metric: str
    n: int = 1
    at: datetime | None = None
    day: date | None = None

    def __init__(
        self,
        node: str,
        metric: str,
        n: int = 1,
        at: datetime | None = None,
        day: date | None = None,
    ) -> None:
        if (
            type(n) is not int
            or not 0 <= n <= MAX_COUNT
            or at is not None  # a flow's instant is checked, also beside a day
            or _usual_key(node, metric, day) is None
        ):
            _check_count_fields(node, metric, n, day, at)
        self.__attrs_init__(node, metric, n, at, day)


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

    The node id keeps the text rules of an id (:func:`gridcare.text.kind_problem`),
    the metric must be counted (not a rate), ``n`` a whole number from 0 to
    :data:`MAX_COUNT`,
    and either ``day`` or an aware ``at`` given (its report day is then the
    clock's).

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE
    >>> at = datetime(2022, 3, 27, 9, tzinfo=DEFAULT_ZONE)
    >>> checked_key("G1", "hazards", 1, None, at, ReportClock())
    ('G1', 'hazards', datetime.date(2022, 3, 28))
    """
    node = _check_count_fields(node, metric_name, n, day, at)
    if day is None:
        assert at is not None
        day = clock.report_day(at)
    return (node, metric_name, day)


def lookup_key(node: str, metric_name: str, day: date, *, day_field: str = "day") -> Key:
    """The key a lookup names, after checking it: a node id, a counted metric and a day.

    The node id keeps the text rules of an id
    (:func:`gridcare.text.kind_problem`); a rate or an unknown metric name is
    refused (a tally never holds it); the day's error names ``day_field``.

    >>> lookup_key("G1", "hazards", date(2022, 3, 27))
    ('G1', 'hazards', datetime.date(2022, 3, 27))
    >>> lookup_key("G1", "review_rate", date(2022, 3, 27))
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: metric: review_rate is a rate: ... [rate_not_counted]
    """
    key = _usual_key(node, metric_name, day)
    if key is None:
        node = check_text_of(node, "node")  # the text rules of an id
        counted_metric(metric_name)
        key = (node, metric_name, require_day(day, day_field))
    return key


class TallyBuilder:
    """Collects counts in place, then builds a :class:`Tally` once.

    Each :meth:`add` costs the same however many counts are already held (one
    dict update). The tally it builds is immutable and the builder can go on
    collecting.

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
        self._clock = clock_or_default(clock)
        if start is None:
            self._counts: dict[Key, int] = {}
        else:
            self._counts = require_instance(start, Tally, "start").to_table()

    def __len__(self) -> int:
        """The number of keys held."""
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

        ``n`` is a whole number from 0 up: a negative count is refused here
        (code ``negative``), not found later by a report.

        >>> from datetime import datetime
        >>> from gridcare.timeutil import DEFAULT_ZONE
        >>> builder = TallyBuilder()
        >>> builder.add("G1", "services", at=datetime(2022, 3, 27, 9, tzinfo=DEFAULT_ZONE))
        >>> builder.build().days()
        [datetime.date(2022, 3, 28)]
        """
        counts = self._counts
        key = None
        if type(n) is int and 0 < n <= MAX_COUNT and type(node) is str and type(metric_name) is str:
            if type(day) is date:
                # A key the builder holds passed the checks when it was first added.
                held = counts.get((node, metric_name, day))
                if held is not None:
                    counts[node, metric_name, day] = held + n
                    return
            key = _usual_key(node, metric_name, day)
        if key is None:
            # Anything but the usual shape goes through the checks that say what is wrong.
            key = checked_key(node, metric_name, n, day, at, self._clock)
            if not n:
                return
        counts[key] = counts.get(key, 0) + n

    def _add_count(self, count: Count) -> None:
        """Add a count already checked (by its constructor)."""
        day = count.day
        if day is None:
            assert count.at is not None
            day = self._clock.report_day(count.at)
        if count.n:
            key = (count.node, count.metric, day)
            counts = self._counts
            counts[key] = counts.get(key, 0) + count.n

    def add_count(self, count: Count) -> None:
        """Add one :class:`Count`.

        >>> from datetime import date
        >>> builder = TallyBuilder()
        >>> builder.add_count(Count("G1", "hazards", 2, day=date(2022, 3, 27)))
        >>> len(builder)
        1
        """
        self._add_count(require_instance(count, Count, "count"))

    def add_counts(self, counts: Iterable[Count], *, field: str = "counts") -> None:
        """Add every :class:`Count` of ``counts`` (anything else is refused, naming its place).

        >>> from datetime import date
        >>> builder = TallyBuilder()
        >>> builder.add_counts([Count("G1", "hazards", day=date(2022, 3, 27))] * 3)
        >>> builder.build().get("G1", "hazards", date(2022, 3, 27))
        3
        """
        _require_field_name(field)
        if isinstance(counts, (str, bytes, Mapping)) or not isinstance(counts, Iterable):
            raise InvalidInput(
                "not_list", field, f"expected Count values, got {type(counts).__name__}"
            )
        add = self._add_count
        for i, count in enumerate(read_once(counts, field)):
            if type(count) is not Count:
                require_instance(count, Count, f"{field}.{i}")
            add(count)

    def add_records(
        self,
        records: Iterable[Countable | Count],
        *,
        progress: Progress | None = None,
        field: str = "records",
    ) -> None:
        """Add the counts of every record: a :class:`Count`, or anything :class:`Countable`.

        A record that is neither is refused, naming its place (``<field>.<i>``,
        ``field`` being the caller's name for the records); ``progress(done,
        total)``, if given, is called about twenty times.

        >>> from datetime import date
        >>> builder = TallyBuilder()
        >>> builder.add_records([Tally.empty().add("G1", "hazards", day=date(2022, 3, 27))])
        >>> builder.add_records(["G1"])
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: records.0: expected a Count or a Countable record, ...
        """
        _require_field_name(field)
        if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Iterable):
            raise InvalidInput("not_list", field, f"expected records, got {type(records).__name__}")
        if progress is not None:
            require_callable(progress, "progress")
        items = records if isinstance(records, Sequence) else read_once(records, field)
        total = len(items)
        step = max(1, total // 20)
        for i, record in enumerate(items):
            if type(record) is Count or isinstance(record, Count):
                self._add_count(record)
            else:
                counts = getattr(record, "counts", None)
                if not callable(counts):
                    raise InvalidInput(
                        "wrong_type",
                        f"{field}.{i}",
                        f"expected a Count or a Countable record, got {type(record).__name__}",
                    )
                self.add_counts(counts(), field=f"{field}.{i}.counts")
            if progress is not None and (i + 1) % step == 0:
                progress(i + 1, total)
        if progress is not None:
            progress(total, total)

    def add_tally(self, other: Tally) -> None:
        """Add every count of a tally.

        >>> from datetime import date
        >>> builder = TallyBuilder()
        >>> builder.add_tally(Tally.empty().add("G1", "hazards", day=date(2022, 3, 27)))
        >>> len(builder)
        1
        """
        counts = self._counts
        for key, n in require_instance(other, Tally, "other"):
            counts[key] = counts.get(key, 0) + n

    def build(self) -> Tally:
        """The tally of everything added so far (the builder keeps its counts).

        >>> TallyBuilder().build() == Tally.empty()
        True
        """
        return Tally._of(dict(self._counts))


class Tally:
    """Exact counts keyed by (node id, metric name, report day): a commutative monoid.

    Immutable: ``add`` and ``merge`` return new tallies, and every tally keeps
    its counts whatever is later added to it or to a tally made from it. Zero
    counts are not stored, so equal contents compare equal. Iterating gives
    ``(key, n)`` pairs; :meth:`counts` gives :class:`Count` values, so a tally
    is itself :class:`Countable`.

    ``Tally(counts)`` checks every key and count of a mapping
    ``{(node, metric, day): n}``; counts are whole numbers from 0 up.

    How ``add`` stays cheap: a tally and the tallies made from it by ``add``
    share one table, which holds the counts of the one most recently read or
    added to; each of the others holds the one difference that leads to its
    neighbour towards it (key and count). Adding to or reading the tally the
    table holds costs one dict operation; reading another first walks the
    differences between the two and turns them around (Baker's "rerooting").
    A loop ``t = t.add(...)`` therefore costs one step per add, and a tally
    left behind costs nothing until it is read again. The steps hold a lock
    the family of tallies shares, so threads may read and add at will.

    >>> from datetime import date
    >>> d = date(2022, 3, 27)
    >>> a = Tally.empty().add("G1", "hazards", 2, day=d)
    >>> b = Tally.empty().add("G1", "hazards", 1, day=d).add("G2", "disputes", day=d)
    >>> Tally.merge(a, b) == b + a, (a + b).get("G1", "hazards", d), len(a + b)
    (True, 3, 2)
    >>> Tally.from_dict((a + b).to_dict()) == a + b
    True
    """

    __slots__ = ("_diff", "_lock", "_table")

    # The table, when it holds this tally's counts; else None and ``_diff`` is
    # (key, this tally's count of it or 0, the neighbour towards the table).
    _table: dict[Key, int] | None
    _diff: tuple[Key, int, Tally] | None
    _lock: threading.Lock

    def __init__(self, counts: Mapping[Key, int] | None = None) -> None:
        table: dict[Key, int] = {}
        if counts is not None:
            if not isinstance(counts, Mapping):
                raise InvalidInput(
                    "not_mapping",
                    "counts",
                    f"expected a mapping (node, metric, day) -> n, got {type(counts).__name__}",
                )
            for i, (key, n) in enumerate(read_mapping(counts, "counts").items()):
                if not (isinstance(key, tuple) and len(key) == 3):
                    raise InvalidInput(
                        "bad_key", f"counts.{i}", "expected a key (node, metric, day)"
                    )
                node, name, day = key
                try:
                    checked = checked_key(node, name, n, day, None, DEFAULT_CLOCK)
                except InvalidInput as err:
                    raise err.within(f"counts.{i}") from None
                if n:
                    table[checked] = table.get(checked, 0) + n
        self._table = table
        self._diff = None
        self._lock = threading.Lock()

    @classmethod
    def _of(cls, table: dict[Key, int]) -> Tally:
        """A tally owning ``table``, whose keys and positive counts are already checked."""
        made = cls.__new__(cls)
        made._table = table
        made._diff = None
        made._lock = threading.Lock()
        return made

    def _reroot(self) -> dict[Key, int]:
        """Turn the shared table to this tally's counts and return it (the lock held).

        Walks the differences from this tally to the one the table holds, then
        applies them back from there, each neighbour getting the difference
        that leads back.
        """
        path: list[Tally] = []
        here = self
        while here._table is None:
            assert here._diff is not None
            path.append(here)
            here = here._diff[2]
        table = here._table
        for version in reversed(path):
            assert version._diff is not None
            key, mine, nearer = version._diff
            theirs = table.get(key, 0)
            if mine:
                table[key] = mine
            else:
                del table[key]
            nearer._table, nearer._diff = None, (key, theirs, version)
            version._table, version._diff = table, None
        return table

    def to_table(self) -> dict[Key, int]:
        """A new dict ``{(node, metric, day): n}`` of this tally's counts (the caller's to keep).

        >>> from datetime import date
        >>> Tally.empty().add("G1", "hazards", day=date(2022, 3, 27)).to_table()
        {('G1', 'hazards', datetime.date(2022, 3, 27)): 1}
        """
        with self._lock:
            table = self._table if self._table is not None else self._reroot()
            return dict(table)

    @classmethod
    def empty(cls) -> Tally:
        """The identity of ``merge``.

        >>> len(Tally.empty())
        0
        """
        return cls._of({})

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
        Asia/Shanghai by default) to find it. ``n`` is a whole number from 0
        up. This tally is unchanged, and each call costs the same whatever the
        tally's size, so a loop of adds is linear (see the class).

        >>> from datetime import datetime
        >>> from gridcare.timeutil import DEFAULT_ZONE
        >>> at = datetime(2022, 3, 27, 9, tzinfo=DEFAULT_ZONE)
        >>> t = Tally.empty().add("G1", "services", at=at)
        >>> list(t.days())
        [datetime.date(2022, 3, 28)]
        """
        use = clock_or_default(clock)
        key = _usual_key(node, metric_name, day) if type(n) is int and 0 < n <= MAX_COUNT else None
        if key is None:
            key = checked_key(node, metric_name, n, day, at, use)
            if not n:
                return self
        newer = Tally.__new__(Tally)
        newer._diff = None
        newer._lock = lock = self._lock
        with lock:
            table = self._table if self._table is not None else self._reroot()
            before = table.get(key, 0)
            table[key] = before + n
            newer._table = table
            self._table, self._diff = None, (key, before, newer)
        return newer

    @staticmethod
    def merge(a: Tally, b: Tally) -> Tally:
        """The sum of two tallies (associative, commutative, ``empty()`` is the identity).

        >>> Tally.merge(Tally.empty(), Tally.empty()) == Tally.empty()
        True
        """
        require_instance(a, Tally, "a")
        require_instance(b, Tally, "b")
        if len(a) < len(b):
            a, b = b, a
        builder = TallyBuilder(start=a)
        builder.add_tally(b)
        return Tally._of(builder._counts)

    def __add__(self, other: object) -> Tally:
        if not isinstance(other, Tally):
            return NotImplemented
        return Tally.merge(self, other)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tally):
            return NotImplemented
        mine = self.to_table()  # one lock at a time: two tallies may share one
        with other._lock:
            return mine == (other._table if other._table is not None else other._reroot())

    __hash__ = None  # type: ignore[assignment]

    def __len__(self) -> int:
        with self._lock:
            return len(self._table if self._table is not None else self._reroot())

    def __iter__(self) -> Iterator[tuple[Key, int]]:
        return iter(self.to_table().items())

    def __repr__(self) -> str:
        table = self.to_table()
        nodes = len({k[0] for k in table})
        return f"Tally({len(table)} counts over {nodes} nodes)"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuilt, (self.to_table(),))

    def get(self, node: str, metric_name: str, day: date) -> int:
        """The count for one key (0 if absent).

        ``node`` is a node id (the text rules of an id,
        :func:`gridcare.text.kind_problem`), ``metric_name`` a counted metric (a
        rate or an unknown name is refused) and ``day`` a report day.

        >>> Tally.empty().get("G1", "hazards", date(2022, 3, 27))
        0
        """
        key = lookup_key(node, metric_name, day)
        with self._lock:
            table = self._table if self._table is not None else self._reroot()
            return table.get(key, 0)

    def days(self) -> list[date]:
        """The report days present, in order.

        >>> Tally.empty().add("G1", "hazards", day=date(2022, 3, 27)).days()
        [datetime.date(2022, 3, 27)]
        """
        return sorted({k[2] for k in self.to_table()})

    def nodes(self) -> set[str]:
        """The node ids present.

        >>> Tally.empty().add("G1", "hazards", day=date(2022, 3, 27)).nodes()
        {'G1'}
        """
        return {k[0] for k in self.to_table()}

    def counts(self) -> Iterator[Count]:
        """Every non-zero count as a :class:`Count` with its report day.

        >>> t = Tally.empty().add("G1", "hazards", 2, day=date(2022, 3, 27))
        >>> [(c.node, c.metric, c.n, c.day.isoformat()) for c in t.counts()]
        [('G1', 'hazards', 2, '2022-03-27')]
        """
        # A tally's keys and counts were checked as they entered it: each count is built
        # without its constructor's checks (the two steps of gridcare.errors.trusted), which
        # were a tenth of a city's counting.
        for (node, name, day), n in self.to_table().items():
            count = object.__new__(Count)
            count.__attrs_init__(node, name, n, None, day)
            yield count

    def to_dict(self, context: object = None) -> dict[str, dict[str, dict[str, int]]]:
        """A JSON-ready nesting ``{node: {metric: {"YYYY-MM-DD": n}}}`` (:data:`TallyData`).

        Written by the converter of :mod:`gridcare.serial`; a tally holds no
        personal data, so ``context`` changes nothing.

        >>> Tally.empty().add("G1", "hazards", day=date(2022, 3, 27)).to_dict()
        {'G1': {'hazards': {'2022-03-27': 1}}}
        """
        nested: TallyData = {}
        for (node, name, day), n in sorted(self.to_table().items()):
            nested.setdefault(node, {}).setdefault(name, {})[day] = n
        data: dict[str, dict[str, dict[str, int]]] = serial.to_dict(nested, context)
        return data

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema of :meth:`to_dict` output, from :data:`TallyData`.

        >>> Tally.json_schema()["additionalProperties"]["additionalProperties"]["propertyNames"]
        {'format': 'date', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'}
        """
        schema = serial.json_schema(TallyData)
        schema["title"] = "Tally"
        schema["description"] = "Counts by node id, metric name and report day."
        return schema

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, Mapping[str, int]]]) -> Tally:
        """Rebuild from :meth:`to_dict` output, read by the converter of :mod:`gridcare.serial`.

        Each level must be a mapping, each day an ISO date, each count a whole
        number from 0; every problem is ``InvalidInput`` naming its entry
        (``<node>.<metric>.<day>``).

        >>> Tally.from_dict({"G1": {"hazards": {"2022-03-27": 1}}}).get(
        ...     "G1", "hazards", date(2022, 3, 27))
        1
        >>> Tally.from_dict({"G1": None})
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: G1: expected an object, got NoneType [not_mapping]
        """
        nested: TallyData = serial.from_dict(TallyData, data, name="data")
        builder = TallyBuilder()
        for node, per_metric in nested.items():
            for name, per_day in per_metric.items():
                for day, n in per_day.items():
                    try:
                        builder.add(node, name, n, day=day)
                    except InvalidInput as err:
                        raise err.within(f"{node}.{name}.{day.isoformat()}") from None
        return Tally._of(builder._counts)

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
        return Tally._of(builder._counts)


def _rebuilt(table: dict[Key, int]) -> Tally:
    """A tally from its pickled table (checked when it was first made)."""
    return Tally._of(table)


def _require_field_name(field: object) -> None:
    """The name a caller gives its argument, for the errors: the text rules of a code (up to
    128 printable characters, first a letter or digit)."""
    check_text_of(field, "field", "code")


def _require_mapping(value: object, field: str, shape: str) -> None:
    if not isinstance(value, Mapping):
        raise InvalidInput("not_mapping", field, f"expected {shape}, got {type(value).__name__}")


def tally(
    records: Iterable[Countable | Count],
    *,
    clock: ReportClock | None = None,
    progress: Progress | None = None,
) -> Tally:
    """Fold records (anything :class:`Countable`, or plain :class:`Count`) into a tally.

    ``tally(xs + ys) == tally(xs) + tally(ys)`` for any lists of records. A
    record that is neither is refused, naming its place (``records.<i>``);
    ``progress(done, total)``, if given, is called about twenty times.

    >>> from datetime import date
    >>> tally([Count("G1", "services", 2, day=date(2022, 3, 27))]).get(
    ...     "G1", "services", date(2022, 3, 27))
    2
    """
    builder = TallyBuilder(clock)
    builder.add_records(records, progress=progress)
    return Tally._of(builder._counts)
