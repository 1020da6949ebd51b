"""Supervision rollups: mergeable tallies and the daily report list (日报告清单).

Rules this module obeys (DESIGN.md, "Rates" and "Reports"):

* a :class:`Tally` is a monoid of exact counts keyed by (node, metric, report
  day): ``Tally.empty()`` is the identity, ``merge`` (also ``+``) is
  associative and commutative, and a tally is picklable and round-trips
  through ``to_dict``/``from_dict``, so Dask's ``fold`` or Spark's
  ``aggregate`` run it unchanged;
* a record at instant ``t`` counts in the report whose cutoff is the first one
  strictly after ``t`` (its *report day*): cumulative figures of a report count
  every record strictly before its cutoff, the day's figures the 24 hours
  before it;
* rolled up the hierarchy once: every node's value is the sum over its
  children plus what is attached to the node itself; rates are recomputed
  from summed numerators and denominators at every node, never averaged;
* no personal data: keys are node ids and metric names, values are counts.

Records feed tallies through one small protocol (:class:`Countable`): a
record says which counts it contributes. Workflows with millions of records
fold them into per-grid aggregates on their own fast path and hand those
over as :class:`Count` values.

>>> from datetime import date
>>> t = Tally.empty().add("G1", "declarations_received", 3, day=date(2022, 3, 27))
>>> (t + t).get("G1", "declarations_received", date(2022, 3, 27))
6
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from operator import itemgetter
from typing import Any, Protocol, runtime_checkable

import attrs

from gridcare._bulk import paused
from gridcare.errors import InvalidInput, UnknownNode
from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.labels import Lang, display_width
from gridcare.rates import UNDEFINED, Rate
from gridcare.reports import _days
from gridcare.timeutil import DEFAULT_CUTOFF, DEFAULT_ZONE, local_date, require_aware

__all__ = [
    "METRICS",
    "Count",
    "Countable",
    "DailyReport",
    "Figure",
    "Metric",
    "MetricKind",
    "ReportClock",
    "ReportRow",
    "Rollup",
    "Tally",
    "daily_report",
    "lagging",
    "metric",
    "rollup",
    "tally",
]

Progress = Callable[[int, int], None]


class MetricKind(StrEnum):
    """How a metric accumulates.

    ``flow``: events counted on the report day they happened (cumulative sums
    the days); ``stock``: a level as of a cutoff (people under a measure, open
    cases), never summed over days; ``rate``: numerator over denominator.

    >>> METRICS["cases_open"].kind is MetricKind.STOCK
    True
    """

    FLOW = "flow"
    STOCK = "stock"
    RATE = "rate"


@attrs.frozen
class Metric:
    """One entry of the metric catalogue.

    >>> m = METRICS["review_rate"]
    >>> m.kind.value, m.numerator, m.denominator
    ('rate', 'declarations_reviewed', 'declarations_received')
    """

    name: str
    zh: str
    en: str
    unit: str
    kind: MetricKind
    numerator: str | None = None
    denominator: str | None = None
    meaning: str = ""

    def title(self, lang: Lang = "zh") -> str:
        """The metric's name in Chinese or English."""
        return self.zh if lang == "zh" else self.en

    def describe(self, lang: Lang = "zh") -> str:
        """What the figure means, in one line.

        >>> METRICS["review_rate"].describe("en")
        'reviewed / declarations received'
        >>> METRICS["review_rate"].describe("zh")
        '已审核数 / 申报数'
        """
        return _MEANINGS_ZH.get(self.name, self.zh) if lang == "zh" else self.meaning


def _catalogue(*metrics: Metric) -> dict[str, Metric]:
    return {m.name: m for m in metrics}


_F, _S, _R = MetricKind.FLOW, MetricKind.STOCK, MetricKind.RATE

#: The catalogue of metrics: name -> :class:`Metric`. Rates name their numerator
#: and denominator, which are themselves metrics in the catalogue.
METRICS: Mapping[str, Metric] = _catalogue(
    Metric("declarations_received", "申报数", "declarations", "条", _F,
           meaning="declarations received before the cutoff"),
    Metric("declarations_reviewed", "已审核", "reviewed", "条", _F,
           meaning="declarations whose review was completed"),
    Metric("review_rate", "审核率", "review rate", "%", _R,
           "declarations_reviewed", "declarations_received",
           "reviewed / declarations received"),
    Metric("declarations_overdue", "超时未审", "overdue reviews", "条", _S,
           meaning="declarations still unreviewed past the review deadline"),
    Metric("declarations_late", "事后申报", "late declarations", "条", _F,
           meaning="declarations filed after arrival"),
    Metric("declarations_proxy", "代报", "proxy declarations", "条", _F,
           meaning="declarations filed by a worker for a resident"),
    Metric("households_in_scope", "应访户数", "households in scope", "户", _S,
           meaning="households a campaign must reach"),
    Metric("households_knocked", "敲门户数", "households knocked", "户", _F,
           meaning="households with at least one visit attempt"),
    Metric("households_reached", "已访户数", "households reached", "户", _F,
           meaning="households where someone was reached"),
    Metric("households_vacant", "空置户", "vacant households", "户", _F,
           meaning="households found vacant (not the same as not visited)"),
    Metric("knock_rate", "敲门率", "knock rate", "%", _R,
           "households_knocked", "households_in_scope", "knocked / households in scope"),
    Metric("reach_rate", "走访率", "visit ratio", "%", _R,
           "households_reached", "households_in_scope", "reached / households in scope"),
    Metric("person_visits", "走访人次", "person-visits", "人次", _F,
           meaning="persons seen on visits"),
    Metric("arrivals_found", "排查来返人员", "arrivals found", "人", _F,
           meaning="arrivals found on visits"),
    Metric("hazards", "安全隐患", "hazards", "处", _F, meaning="safety hazards found"),
    Metric("disputes", "矛盾纠纷", "disputes", "起", _F, meaning="disputes mediated or escalated"),
    Metric("services", "服务群众", "services", "次", _F, meaning="services given to residents"),
    Metric("under_centralized_quarantine", "集中隔离", "in centralized quarantine", "人", _S,
           meaning="people under centralized quarantine at the cutoff"),
    Metric("under_home_isolation", "居家隔离", "in home isolation", "人", _S,
           meaning="people under home isolation at the cutoff"),
    Metric("under_home_health_monitoring", "居家健康监测", "in home health monitoring", "人", _S,
           meaning="people under home health monitoring at the cutoff"),
    Metric("under_self_health_monitoring", "自我健康监测", "in self health monitoring", "人", _S,
           meaning="people under self health monitoring at the cutoff"),
    Metric("tests_overdue", "核酸逾期", "tests overdue", "人次", _S,
           meaning="required tests not taken by their date"),
    Metric("cases_raised", "吹哨", "whistle cases raised", "件", _F,
           meaning="whistle cases raised by grids"),
    Metric("cases_open", "未办结", "cases open", "件", _S, meaning="whistle cases not closed"),
    Metric("cases_overdue", "超期", "cases overdue", "件", _S,
           meaning="open whistle cases past their deadline"),
)  # fmt: skip


_MEANINGS_ZH: dict[str, str] = {
    "declarations_received": "截止时间前收到的申报",
    "declarations_reviewed": "已完成审核的申报",
    "review_rate": "已审核数 / 申报数",
    "declarations_overdue": "超过审核时限仍未审核的申报",
    "declarations_late": "抵达后才申报的（事后申报）",
    "declarations_proxy": "网格员代为填报的申报",
    "households_in_scope": "敲门行动应覆盖的户数",
    "households_knocked": "至少敲过一次门的户数",
    "households_reached": "已见到人的户数",
    "households_vacant": "确认空置的户数（不等于未走访）",
    "knock_rate": "敲门户数 / 应访户数",
    "reach_rate": "已访户数 / 应访户数",
    "person_visits": "走访中见到的人次",
    "arrivals_found": "走访中发现的来返人员",
    "hazards": "发现的安全隐患",
    "disputes": "调解或上报的矛盾纠纷",
    "services": "为群众提供的服务",
    "under_centralized_quarantine": "截止时正在集中隔离的人数",
    "under_home_isolation": "截止时正在居家隔离的人数",
    "under_home_health_monitoring": "截止时正在居家健康监测的人数",
    "under_self_health_monitoring": "截止时正在自我健康监测的人数",
    "tests_overdue": "应检未检的核酸检测",
    "cases_raised": "网格吹哨的案件",
    "cases_open": "尚未办结的吹哨案件",
    "cases_overdue": "超过时限的未办结案件",
}


def metric(name: str) -> Metric:
    """The catalogue entry for ``name``; an unknown name is ``InvalidInput``.

    >>> metric("person_visits").zh
    '走访人次'
    """
    found = METRICS.get(name)
    if found is None:
        raise InvalidInput("unknown_metric", "metric", f"no metric named {name!r}", value=name)
    return found


# ---------------------------------------------------------------------------- clock


@attrs.frozen
class ReportClock:
    """Maps instants to report days: the day whose cutoff is the first strictly after them.

    >>> from datetime import datetime
    >>> clock = ReportClock()
    >>> clock.report_day(datetime(2022, 3, 27, 7, 59, tzinfo=DEFAULT_ZONE)).isoformat()
    '2022-03-27'
    >>> clock.report_day(datetime(2022, 3, 27, 8, 0, tzinfo=DEFAULT_ZONE)).isoformat()
    '2022-03-28'
    """

    cutoff: time = DEFAULT_CUTOFF
    zone: tzinfo = DEFAULT_ZONE

    def cutoff_of(self, day: date) -> datetime:
        """The cutoff instant of a report day."""
        return datetime.combine(day, self.cutoff, tzinfo=self.zone)

    def report_day(self, instant: datetime) -> date:
        """The report day an instant counts in (first cutoff strictly after it)."""
        day = local_date(instant, self.zone)
        return day if instant < self.cutoff_of(day) else day + timedelta(days=1)

    def report_days(self, instants: Sequence[datetime]) -> list[date]:
        """Report days of many instants at once (one bisection each, no time-zone math).

        >>> from datetime import datetime
        >>> ts = [datetime(2022, 3, 26, 9, tzinfo=DEFAULT_ZONE),
        ...       datetime(2022, 3, 27, 9, tzinfo=DEFAULT_ZONE)]
        >>> [d.isoformat() for d in ReportClock().report_days(ts)]
        ['2022-03-27', '2022-03-28']
        """
        return _days.report_days(self, instants)


# ---------------------------------------------------------------------------- counting


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


Key = tuple[str, str, date]


class Tally:
    """Exact counts keyed by (node id, metric name, report day): a commutative monoid.

    Immutable: ``add`` and ``merge`` return new tallies. Zero counts are not
    stored, so equal contents compare equal.

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
        """The identity of ``merge``."""
        return cls()

    @classmethod
    def _own(cls, counts: dict[Key, int]) -> Tally:
        made = cls.__new__(cls)
        made._counts = counts
        return made

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
        Asia/Shanghai by default) to find it.

        >>> from datetime import datetime
        >>> at = datetime(2022, 3, 27, 9, tzinfo=DEFAULT_ZONE)
        >>> t = Tally.empty().add("G1", "services", at=at)
        >>> list(t.days())
        [datetime.date(2022, 3, 28)]
        """
        key = _key(node, metric_name, n, day, at, clock or _DEFAULT_CLOCK)
        counts = dict(self._counts)
        total = counts.get(key, 0) + n
        if total:
            counts[key] = total
        else:
            counts.pop(key, None)
        return Tally._own(counts)

    @staticmethod
    def merge(a: Tally, b: Tally) -> Tally:
        """The sum of two tallies (associative, commutative, ``empty()`` is the identity)."""
        if len(a._counts) < len(b._counts):
            a, b = b, a
        counts = dict(a._counts)
        for key, n in b._counts.items():
            total = counts.get(key, 0) + n
            if total:
                counts[key] = total
            else:
                del counts[key]
        return Tally._own(counts)

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
        return (Tally._own, (self._counts,))

    def get(self, node: str, metric_name: str, day: date) -> int:
        """The count for one key (0 if absent)."""
        return self._counts.get((node, metric_name, day), 0)

    def days(self) -> list[date]:
        """The report days present, in order."""
        return sorted({k[2] for k in self._counts})

    def nodes(self) -> set[str]:
        """The node ids present."""
        return {k[0] for k in self._counts}

    def to_dict(self) -> dict[str, dict[str, dict[str, int]]]:
        """A JSON-ready nesting ``{node: {metric: {"YYYY-MM-DD": n}}}``."""
        out: dict[str, dict[str, dict[str, int]]] = {}
        for (node, name, day), n in sorted(self._counts.items()):
            out.setdefault(node, {}).setdefault(name, {})[day.isoformat()] = n
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, Mapping[str, int]]]) -> Tally:
        """Rebuild from :meth:`to_dict` output; bad entries raise ``InvalidInput``."""
        counts: dict[Key, int] = {}
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
                    counts[(node, name, day)] = counts.get((node, name, day), 0) + n
        return cls(counts)

    @classmethod
    @paused  # bulk counting builds no cycles (gridcare._bulk)
    def from_counts(cls, counts: Iterable[Count], *, clock: ReportClock | None = None) -> Tally:
        """Fold :class:`Count` values into a tally.

        >>> from datetime import date
        >>> Tally.from_counts([Count("G1", "hazards", day=date(2022, 3, 27))] * 2).get(
        ...     "G1", "hazards", date(2022, 3, 27))
        2
        """
        use = clock or _DEFAULT_CLOCK
        counted = _COUNTED
        acc: dict[Key, int] = {}
        get = acc.get
        for c in counts:
            n = c.n
            day = c.day
            # The usual shape (a known counted metric, an int, a report day) needs no
            # further checks; anything else goes through the checks that say what is wrong.
            if day is None or type(n) is not int or c.metric not in counted:
                key = _key(c.node, c.metric, n, day, c.at, use)
            else:
                key = (c.node, c.metric, day)
            acc[key] = get(key, 0) + n
        return cls._own({k: v for k, v in acc.items() if v})


_DEFAULT_CLOCK = ReportClock()
_COUNTED = frozenset(name for name, m in METRICS.items() if m.kind is not MetricKind.RATE)


def _key(
    node: str, name: str, n: int, day: date | None, at: datetime | None, clock: ReportClock
) -> Key:
    if name not in METRICS:
        raise InvalidInput("unknown_metric", "metric", f"no metric named {name!r}", value=name)
    if METRICS[name].kind is MetricKind.RATE:
        raise InvalidInput(
            "rate_not_counted", "metric", f"{name} is a rate: count its numerator and denominator"
        )
    if isinstance(n, bool) or not isinstance(n, int):
        raise InvalidInput("not_integer", "n", "counts are whole numbers", value=n)
    if day is None:
        if at is None:
            raise InvalidInput("missing", "day", "give the report day or the instant")
        day = clock.report_day(require_aware(at, "at"))
    return (node, name, day)


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
    acc: list[Count] = []
    for i, record in enumerate(items):
        if isinstance(record, Count):
            acc.append(record)
        else:
            acc.extend(record.counts())
        if progress is not None and (i + 1) % step == 0:
            progress(i + 1, total)
    if progress is not None:
        progress(total, total)
    return Tally.from_counts(acc, clock=clock)


# ---------------------------------------------------------------------------- rollup


class Rollup:
    """Per-node totals of a tally, summed up the hierarchy in one pass.

    ``value(node, metric, day)`` is the node's own counts plus its whole
    subtree's. Counts attached to nodes the hierarchy does not hold raise
    :class:`~gridcare.errors.UnknownNode` when the rollup is built.
    """

    __slots__ = ("_days", "_sums", "hierarchy")

    @paused  # bulk summing builds no cycles (gridcare._bulk)
    def __init__(self, hierarchy: Hierarchy, source: Tally) -> None:
        self.hierarchy = hierarchy
        # Group the counts by node (a tally holds each (node, metric, day) once), then
        # push each node's sums into its parent in reverse preorder (children come
        # after their parent): every (metric, day) entry moves up one level at a
        # time, once, instead of being added separately into each of its up to 7
        # ancestors.
        own: dict[str, dict[tuple[str, date], int]] = {}
        for (node, name, day), n in source._counts.items():
            sums = own.get(node)
            if sums is None:
                sums = own[node] = {}
            sums[(name, day)] = n
        per_pos = {hierarchy.position(node): sums for node, sums in own.items()}
        pending = sorted(per_pos, reverse=True)
        parent_of = hierarchy.parent_position
        i = 0
        while i < len(pending):
            pos = pending[i]
            i += 1
            parent = parent_of(pos)
            if parent < 0:
                continue
            sums = per_pos[pos]
            above = per_pos.get(parent)
            if above is None:
                per_pos[parent] = dict(sums)
                # A parent seen for the first time sorts before every pending
                # position (preorder), so it is inserted in order.
                _insort_desc(pending, parent, i)
            else:
                get = above.get
                for k, n in sums.items():
                    above[k] = get(k, 0) + n
        at = hierarchy.at
        self._sums = {at(pos).id: sums for pos, sums in per_pos.items()}
        self._days = sorted(set(map(itemgetter(2), source._counts)))

    def value(self, node: str, metric_name: str, day: date) -> int:
        """The node's total (own plus subtree) of a counted metric on one report day."""
        sums = self._sums.get(node)
        return 0 if sums is None else sums.get((metric_name, day), 0)

    def cumulative(self, node: str, metric_name: str, through: date) -> int:
        """A flow summed over every report day up to and including ``through``."""
        sums = self._sums.get(node)
        if sums is None:
            return 0
        return sum(sums.get((metric_name, d), 0) for d in self._days if d <= through)

    @property
    def days(self) -> list[date]:
        """The report days present."""
        return list(self._days)


def _insort_desc(items: list[int], value: int, lo: int) -> None:
    """Insert ``value`` into ``items[lo:]``, which is sorted in descending order."""
    hi = len(items)
    while lo < hi:
        mid = (lo + hi) // 2
        if items[mid] > value:
            lo = mid + 1
        else:
            hi = mid
    items.insert(lo, value)


def rollup(hierarchy: Hierarchy, source: Tally) -> Rollup:
    """Sum a tally up the hierarchy once; rates are computed from the sums when read.

    >>> from gridcare.hierarchy import Node
    >>> from datetime import date
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G1", NodeKind.GRID, "g", "C"),
    ...                Node("G2", NodeKind.GRID, "g", "C")])
    >>> d = date(2022, 3, 27)
    >>> t = Tally.empty().add("G1", "hazards", 2, day=d).add("G2", "hazards", 1, day=d)
    >>> rollup(h, t).value("C", "hazards", d)
    3
    """
    return Rollup(hierarchy, source)


# ---------------------------------------------------------------------------- report


@attrs.frozen
class Figure:
    """One metric's figures in one report row.

    ``cumulative``: flows summed over every report day up to this one, stocks
    as of the cutoff; ``day``: the report day's increment (flows only);
    ``change``: the difference from the previous report, when given;
    ``rate``: for rate metrics, the cumulative :class:`~gridcare.rates.Rate`.
    """

    cumulative: int | None
    day: int | None
    change: int | None = None
    rate: Rate | None = None
    day_rate: Rate | None = None
    suppressed: bool = False


@attrs.frozen
class ReportRow:
    """One node's line of the daily report list (no personal data)."""

    node_id: str
    name: str
    kind: NodeKind
    depth: int
    figures: Mapping[str, Figure]

    def as_dict(self) -> dict[str, object]:
        """A flat row with stable keys: ``<metric>`` and ``<metric>.day`` / ``.change``.

        Rates give ``<metric>`` as the display string and ``<metric>.numerator``
        / ``.denominator`` as integers.
        """
        row: dict[str, object] = {
            "node_id": self.node_id,
            "name": self.name,
            "kind": self.kind.value,
            "depth": self.depth,
        }
        for name, fig in self.figures.items():
            m = METRICS[name]
            if m.kind is MetricKind.RATE:
                row[name] = "<suppressed>" if fig.suppressed else str(fig.rate)
                if not fig.suppressed and fig.rate is not None:
                    row[f"{name}.numerator"] = fig.rate.numerator
                    row[f"{name}.denominator"] = fig.rate.denominator
                continue
            row[name] = fig.cumulative
            if m.kind is MetricKind.FLOW:
                row[f"{name}.day"] = fig.day
            row[f"{name}.change"] = fig.change
        return row


@attrs.frozen
class DailyReport:
    """The daily report list: one row per node, cut off at ``cutoff``.

    Build it with :func:`daily_report`; read it as rows (``rows``), plain dicts
    (``as_dicts``), an aligned text table (``to_text``), CSV text (``to_csv``)
    or a pandas DataFrame (``to_dataframe``, with the ``pandas`` extra).

    >>> from gridcare.hierarchy import Node
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "株洲市")])
    >>> report = daily_report(h, Tally.empty(), cutoff=date(2022, 3, 27), metrics=["hazards"])
    >>> report.cutoff.isoformat(), report.as_dicts()[0]["hazards"]
    ('2022-03-27T08:00:00+08:00', 0)
    """

    cutoff: datetime
    day: date
    metrics: tuple[str, ...]
    rows: tuple[ReportRow, ...]
    suppress_below: int | None = None

    _by_node: dict[str, int] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        # An index, so reading every grid's row of a city report is not quadratic.
        index = {r.node_id: i for i, r in enumerate(self.rows)}
        object.__setattr__(self, "_by_node", index)

    def row(self, node_id: str) -> ReportRow:
        """The row of one node; raises ``UnknownNode`` if the report lacks it."""
        i = self._by_node.get(node_id)
        if i is None:
            raise UnknownNode(node_id)
        return self.rows[i]

    def as_dicts(self) -> list[dict[str, object]]:
        """Every row as a flat dict with stable keys."""
        return [r.as_dict() for r in self.rows]

    def to_csv(self) -> str:
        """The report as CSV text (header from the stable keys)."""
        rows = self.as_dicts()
        keys: list[str] = []
        for r in rows:
            keys.extend(k for k in r if k not in keys)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=keys, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()

    def to_text(self, *, lang: Lang = "zh", metrics: Sequence[str] | None = None) -> str:
        """An aligned text table for terminals and notebooks.

        Flows show ``cumulative (+day)``, stocks the level, rates the percentage.
        """
        chosen = list(metrics) if metrics is not None else list(self.metrics)
        head = ["节点" if lang == "zh" else "node"] + [METRICS[m].title(lang) for m in chosen]
        table = [head]
        for r in self.rows:
            line = ["  " * r.depth + r.name]
            for name in chosen:
                line.append(_cell(METRICS[name], r.figures[name]))
            table.append(line)
        widths = [max(display_width(row[i]) for row in table) for i in range(len(head))]
        lines = []
        for j, row in enumerate(table):
            cells = [_pad(row[0], widths[0], left=True)]
            cells += [_pad(c, w, left=False) for c, w in zip(row[1:], widths[1:], strict=True)]
            lines.append("  ".join(cells).rstrip())
            if j == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def to_dataframe(self) -> Any:
        """The rows as a pandas DataFrame (requires the ``pandas`` extra)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise InvalidInput(
                "missing_extra", "pandas", 'install the extra: pip install "gridcare[pandas]"'
            ) from exc
        return pd.DataFrame(self.as_dicts())


def _cell(m: Metric, fig: Figure) -> str:
    if fig.suppressed:
        return "*"
    if m.kind is MetricKind.RATE:
        return str(fig.rate) if fig.rate is not None else UNDEFINED
    if fig.cumulative is None:
        return UNDEFINED
    if m.kind is MetricKind.FLOW and fig.day:
        return f"{fig.cumulative:,} (+{fig.day:,})"
    return f"{fig.cumulative:,}"


def _pad(text: str, width: int, *, left: bool) -> str:
    gap = " " * (width - display_width(text))
    return text + gap if left else gap + text


def daily_report(
    hierarchy: Hierarchy,
    source: Tally | Iterable[Countable | Count],
    *,
    cutoff: date | datetime,
    previous: DailyReport | None = None,
    levels: Iterable[NodeKind] | None = None,
    metrics: Sequence[str] | None = None,
    suppress_below: int | None = None,
    clock: ReportClock | None = None,
) -> DailyReport:
    """The daily report list of every node (or of the chosen ``levels``), cut off at ``cutoff``.

    ``cutoff`` is a report date (cut off at the clock's time, 08:00 by
    default) or an aware instant (the latest cutoff at or before it).
    Cumulative figures count records strictly before the cutoff, the day's
    figures the 24 hours before it; ``previous`` adds the change since that
    report. ``suppress_below=k`` hides counts from 1 to k-1 (and rates built
    on them) for publication.

    >>> from gridcare.hierarchy import Node
    >>> from datetime import date
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "株洲市"),
    ...                Node("G1", NodeKind.GRID, "一网格", "C")])
    >>> t = (Tally.empty().add("G1", "declarations_received", 170_437, day=date(2022, 3, 27))
    ...      .add("G1", "declarations_reviewed", 168_255, day=date(2022, 3, 27)))
    >>> r = daily_report(h, t, cutoff=date(2022, 3, 27), metrics=["review_rate"])
    >>> str(r.row("C").figures["review_rate"].rate)
    '98.72%'
    """
    use = clock or _DEFAULT_CLOCK
    if isinstance(cutoff, datetime):
        as_of = require_aware(cutoff, "cutoff")
        day = use.report_day(as_of)
        if use.cutoff_of(day) > as_of:
            day -= timedelta(days=1)
    else:
        day = cutoff
    cut = use.cutoff_of(day)
    counted = source if isinstance(source, Tally) else tally(source, clock=use)
    chosen = tuple(metrics) if metrics is not None else tuple(METRICS)
    for name in chosen:
        metric(name)
    if suppress_below is not None and (isinstance(suppress_below, bool) or suppress_below < 1):
        raise InvalidInput(
            "bad_threshold", "suppress_below", "must be a whole number >= 1", value=suppress_below
        )
    rolled = Rollup(hierarchy, counted)
    wanted = set(levels) if levels is not None else None
    prev_rows = {r.node_id: r for r in previous.rows} if previous is not None else {}
    rows = []
    for node in hierarchy:
        if wanted is not None and node.kind not in wanted:
            continue
        if node.kind is NodeKind.HOUSEHOLD and wanted is None:
            continue  # per-household rows would be personal data; grids are the finest default
        if node.kind in (NodeKind.BUILDING, NodeKind.UNIT) and wanted is None:
            continue
        figures = {}
        before = prev_rows.get(node.id)
        for name in chosen:
            fig = _figure(rolled, node.id, METRICS[name], day, suppress_below)
            if before is not None and name in before.figures:
                old = before.figures[name]
                if fig.cumulative is not None and old.cumulative is not None:
                    fig = attrs.evolve(fig, change=fig.cumulative - old.cumulative)
            figures[name] = fig
        rows.append(ReportRow(node.id, node.name, node.kind, hierarchy.depth(node.id), figures))
    return DailyReport(cut, day, chosen, tuple(rows), suppress_below)


def _figure(rolled: Rollup, node: str, m: Metric, day: date, k: int | None) -> Figure:
    if m.kind is MetricKind.RATE:
        assert m.numerator is not None
        assert m.denominator is not None
        num = _amount(rolled, node, METRICS[m.numerator], day)
        den = _amount(rolled, node, METRICS[m.denominator], day)
        hidden = k is not None and (0 < num < k or 0 < den < k)
        rate = Rate(num, den)
        day_rate = None
        if (
            METRICS[m.numerator].kind is MetricKind.FLOW
            and METRICS[m.denominator].kind is MetricKind.FLOW
        ):
            day_rate = Rate(
                rolled.value(node, m.numerator, day), rolled.value(node, m.denominator, day)
            )
        return Figure(None, None, rate=rate, day_rate=day_rate, suppressed=hidden)
    total = _amount(rolled, node, m, day)
    today = rolled.value(node, m.name, day) if m.kind is MetricKind.FLOW else None
    hidden = k is not None and (0 < total < k or (today is not None and 0 < today < k))
    return Figure(total, today, suppressed=hidden)


def _amount(rolled: Rollup, node: str, m: Metric, day: date) -> int:
    if m.kind is MetricKind.FLOW:
        return rolled.cumulative(node, m.name, day)
    return rolled.value(node, m.name, day)


def lagging(
    report: DailyReport,
    metric_name: str,
    *,
    below: float | None = None,
    bottom: int | None = None,
    kind: NodeKind | None = NodeKind.GRID,
) -> list[ReportRow]:
    """Rows behind on a metric: those ``below`` a threshold, or the ``bottom`` k.

    For rates the threshold is a percentage (``below=95`` means under 95%);
    undefined rates are never "lagging". Ties keep report order.

    >>> from gridcare.hierarchy import Node
    >>> from datetime import date
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G1", NodeKind.GRID, "g1", "C"),
    ...                Node("G2", NodeKind.GRID, "g2", "C")])
    >>> d = date(2022, 3, 27)
    >>> t = (Tally.empty().add("G1", "declarations_received", 10, day=d)
    ...      .add("G1", "declarations_reviewed", 9, day=d)
    ...      .add("G2", "declarations_received", 10, day=d)
    ...      .add("G2", "declarations_reviewed", 10, day=d))
    >>> r = daily_report(h, t, cutoff=d)
    >>> [row.node_id for row in lagging(r, "review_rate", below=95)]
    ['G1']
    """
    m = metric(metric_name)
    if (below is None) == (bottom is None):
        raise InvalidInput("bad_arguments", "below", "give exactly one of below= or bottom=")
    if bottom is not None and (isinstance(bottom, bool) or bottom < 0):
        raise InvalidInput("bad_threshold", "bottom", "must be a whole number >= 0", value=bottom)
    scored: list[tuple[float, int, ReportRow]] = []
    for i, row in enumerate(report.rows):
        if kind is not None and row.kind is not kind:
            continue
        fig = row.figures.get(metric_name)
        if fig is None:
            raise InvalidInput("unknown_metric", "metric", f"{metric_name} is not in the report")
        if m.kind is MetricKind.RATE:
            if fig.rate is None or fig.rate.value is None:
                continue
            score = float(fig.rate.value) * 100
        else:
            if fig.cumulative is None:
                continue
            score = float(fig.cumulative)
        scored.append((score, i, row))
    scored.sort(key=lambda s: (s[0], s[1]))
    if below is not None:
        return [row for score, _, row in scored if score < below]
    assert bottom is not None
    return [row for _, _, row in scored[:bottom]]
