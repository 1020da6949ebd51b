"""Feeds: what the workflows' records count in the daily report list.

Each function turns one kind of record into :class:`~gridcare.rollups.Count`
values keyed by node, metric and report day, aggregated per grid first so a
tally holds a few keys per grid, never one per household. A new record type
needs a new feed (or a ``counts()`` method), never a change to the rollup code.

* :func:`declaration_counts`: received, reviewed, late and proxy declarations
  (flows) per grid, and reviews overdue at the cutoff (a stock); unrouted
  declarations are attached to ``unrouted_node`` (the hierarchy's root by
  default), so nothing is lost to a bad address;
* :func:`visit_counts`: households knocked, reached and found vacant (on the
  day each first happened), person-visits and findings (on the day of the
  attempt), households in scope (a stock);
* :func:`assessment_counts`: people under each measure at the cutoff (stocks);
* :func:`case_counts`: whistle cases raised (flow), open and overdue (stocks).

>>> from datetime import datetime
>>> from gridcare.timeutil import DEFAULT_ZONE
>>> from gridcare.rollups import Tally
>>> cutoff = datetime(2022, 3, 27, 8, tzinfo=DEFAULT_ZONE)
>>> counts = list(stock_counts({"G1": 4}, "cases_open", cutoff))
>>> Tally.from_counts(counts).get("G1", "cases_open", cutoff.date())
4
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta

from gridcare.cases import CaseDeadlines, CaseState, WhistleCase, overdue_cases
from gridcare.declarations import DeclarationRecord
from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.risk import Assessment, MeasureKind
from gridcare.rollups import Count, ReportClock
from gridcare.timeutil import require_aware
from gridcare.visits import HouseholdVisit, HouseholdVisitState, VisitAttempt

__all__ = [
    "MEASURE_METRICS",
    "assessment_counts",
    "case_counts",
    "declaration_counts",
    "stock_counts",
    "visit_counts",
]

#: The stock metric counting people under each kind of measure.
MEASURE_METRICS: Mapping[MeasureKind, str] = {
    MeasureKind.CENTRALIZED_QUARANTINE: "under_centralized_quarantine",
    MeasureKind.HOME_ISOLATION: "under_home_isolation",
    MeasureKind.HOME_HEALTH_MONITORING: "under_home_health_monitoring",
    MeasureKind.SELF_HEALTH_MONITORING: "under_self_health_monitoring",
}

_DEFAULT_CLOCK = ReportClock()


def _flows(acc: Counter[tuple[str, str, datetime]], clock: ReportClock) -> Iterator[Count]:
    """Aggregate (node, metric, instant) tallies into per-report-day counts."""
    keys = list(acc)
    days = clock.report_days([k[2] for k in keys])
    per_day: Counter[tuple[str, str, date]] = Counter()
    for (node, name, _), day, n in zip(keys, days, (acc[k] for k in keys), strict=True):
        per_day[(node, name, day)] += n
    for (node, name, day), n in per_day.items():
        yield Count(node, name, n, day=day)


def stock_counts(
    levels: Mapping[str, int], metric_name: str, cutoff: datetime, clock: ReportClock | None = None
) -> Iterator[Count]:
    """Counts of a stock metric measured at ``cutoff``, one per node with a non-zero level."""
    use = clock or _DEFAULT_CLOCK
    day = use.report_day(require_aware(cutoff, "cutoff") - timedelta(microseconds=1))
    for node, n in levels.items():
        if n:
            yield Count(node, metric_name, n, day=day)


def declaration_counts(
    records: Iterable[DeclarationRecord],
    *,
    hierarchy: Hierarchy,
    cutoff: datetime | None = None,
    review_hours: float = 24.0,
    unrouted_node: str | None = None,
    clock: ReportClock | None = None,
) -> list[Count]:
    """Counts of declarations: received, reviewed, late, proxy; overdue at ``cutoff``.

    A declaration counts at its grid (``grid_id``); one not routed (yet)
    counts at ``unrouted_node``, the hierarchy's root by default. Overdue means
    assigned at least ``review_hours`` before the cutoff and not reviewed
    before it.
    """
    use = clock or _DEFAULT_CLOCK
    fallback = unrouted_node if unrouted_node is not None else hierarchy.root.id
    grid_of = _grid_resolver(hierarchy, fallback)
    acc: Counter[tuple[str, str, datetime]] = Counter()
    overdue: Counter[str] = Counter()
    limit = timedelta(hours=review_hours)
    for r in records:
        node = grid_of(r.grid_id)
        acc[(node, "declarations_received", r.submitted_at)] += 1
        if r.reviewed_at is not None:
            acc[(node, "declarations_reviewed", r.reviewed_at)] += 1
        if r.late:
            acc[(node, "declarations_late", r.submitted_at)] += 1
        if r.proxy:
            acc[(node, "declarations_proxy", r.submitted_at)] += 1
        if (
            cutoff is not None
            and r.assigned_at is not None
            and r.assigned_at + limit <= cutoff
            and (r.reviewed_at is None or r.reviewed_at >= cutoff)
        ):
            overdue[node] += 1
    counts = list(_flows(acc, use))
    if cutoff is not None:
        counts.extend(stock_counts(overdue, "declarations_overdue", cutoff, use))
    return counts


def _grid_resolver(hierarchy: Hierarchy, fallback: str) -> _Resolver:
    return _Resolver(hierarchy, fallback)


class _Resolver:
    """Node id -> its grid (or itself above grid level), cached per call."""

    __slots__ = ("_cache", "_fallback", "_hierarchy")

    def __init__(self, hierarchy: Hierarchy, fallback: str) -> None:
        self._hierarchy = hierarchy
        self._fallback = fallback
        self._cache: dict[str | None, str] = {None: fallback}

    def __call__(self, node_id: str | None) -> str:
        found = self._cache.get(node_id)
        if found is None:
            assert node_id is not None
            if node_id not in self._hierarchy:
                found = self._fallback
            else:
                grid = self._hierarchy.grid_of(node_id)
                found = grid.id if grid is not None else node_id
            self._cache[node_id] = found
        return found


def visit_counts(
    states: Iterable[HouseholdVisit],
    *,
    hierarchy: Hierarchy,
    attempts: Sequence[VisitAttempt] = (),
    scope: str | None = None,
    cutoff: datetime | None = None,
    clock: ReportClock | None = None,
) -> list[Count]:
    """Counts of a campaign: knocked, reached, vacant, person-visits, findings, in scope.

    Household firsts come from the folded ``states`` (a household is knocked
    on the day of its first attempt, reached on the day it was first reached:
    never twice); person-visits and findings from the ``attempts``, on the day
    of each attempt. With ``cutoff``, the households in ``scope`` (the root by
    default) are counted as a stock per grid.
    """
    use = clock or _DEFAULT_CLOCK
    positions = hierarchy.ancestor_positions(NodeKind.GRID)
    grid_ids: dict[int, str] = {}

    def grid(household: str) -> str:
        pos = positions[hierarchy.position(household)]
        found = grid_ids.get(pos)
        if found is None:
            found = grid_ids[pos] = hierarchy.at(pos).id if pos >= 0 else household
        return found

    acc: Counter[tuple[str, str, datetime]] = Counter()
    for s in states:
        if s.first_attempt_at is None:
            continue
        g = grid(s.household)
        acc[(g, "households_knocked", s.first_attempt_at)] += 1
        if s.reached_at is not None:
            acc[(g, "households_reached", s.reached_at)] += 1
        if s.state is HouseholdVisitState.VACANT and s.last_attempt_at is not None:
            acc[(g, "households_vacant", s.last_attempt_at)] += 1
    for a in attempts:
        g = grid(a.household)
        if a.persons_seen:
            acc[(g, "person_visits", a.at)] += a.persons_seen
        f = a.findings
        if f is not None:
            for name, items in (
                ("arrivals_found", f.arrivals),
                ("hazards", f.hazards),
                ("disputes", f.disputes),
                ("services", f.services),
            ):
                if items:
                    acc[(g, name, a.at)] += len(items)
    counts = list(_flows(acc, use))
    if cutoff is not None:
        top = scope if scope is not None else hierarchy.root.id
        in_scope: Counter[str] = Counter()
        for household in hierarchy.descendants(top, NodeKind.HOUSEHOLD):
            in_scope[grid(household.id)] += 1
        counts.extend(stock_counts(in_scope, "households_in_scope", cutoff, use))
    return counts


def assessment_counts(
    assessed: Iterable[tuple[str, Assessment]],
    *,
    hierarchy: Hierarchy,
    cutoff: datetime,
    clock: ReportClock | None = None,
) -> list[Count]:
    """People under each measure at ``cutoff``, per grid of the node each person belongs to.

    ``assessed`` pairs a node id (the person's household or grid) with the
    person's assessment; the step in force at the cutoff is counted.
    """
    require_aware(cutoff, "cutoff")
    resolve = _grid_resolver(hierarchy, hierarchy.root.id)
    levels: dict[str, Counter[str]] = {name: Counter() for name in MEASURE_METRICS.values()}
    for node, assessment in assessed:
        plan = assessment.plan
        if plan is None:
            continue
        for step in plan.steps:
            if step.start <= cutoff and (step.end is None or cutoff < step.end):
                levels[MEASURE_METRICS[step.kind]][resolve(node)] += 1
                break
    counts: list[Count] = []
    for name, per_node in levels.items():
        counts.extend(stock_counts(per_node, name, cutoff, clock))
    return counts


def case_counts(
    cases: Iterable[WhistleCase],
    *,
    cutoff: datetime,
    deadlines: CaseDeadlines | None = None,
    clock: ReportClock | None = None,
) -> list[Count]:
    """Whistle cases raised (on their day), open and overdue at ``cutoff`` (per raising grid)."""
    use = clock or _DEFAULT_CLOCK
    all_cases = list(cases)
    acc: Counter[tuple[str, str, datetime]] = Counter()
    open_now: Counter[str] = Counter()
    for case in all_cases:
        if case.raised_at >= cutoff:
            continue
        acc[(case.grid, "cases_raised", case.raised_at)] += 1
        closed = case.state is CaseState.CLOSED and (
            case.closed_at is not None and case.closed_at < cutoff
        )
        if not closed:
            open_now[case.grid] += 1
    late: Counter[str] = Counter()
    chosen = {c.id: c for c in all_cases if c.raised_at < cutoff}
    if deadlines is None:
        found = overdue_cases(chosen.values(), cutoff)
    else:
        found = overdue_cases(chosen.values(), cutoff, deadlines)
    for case_id in {item.case_id for item in found}:
        late[chosen[case_id].grid] += 1
    counts = list(_flows(acc, use))
    counts.extend(stock_counts(open_now, "cases_open", cutoff, use))
    counts.extend(stock_counts(late, "cases_overdue", cutoff, use))
    return counts
