"""Feeds: what the workflows' records count in the daily report list.

Each function turns one kind of record into :class:`~gridcare.reports.tallies.Count`
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

How the bulk feeds stay fast (a city's day is 1.39 million visit attempts):
every record's node id is looked up once in an index built once per hierarchy
(:meth:`~gridcare.hierarchy.Hierarchy.ancestor_index`); each field a count
needs is read in one pass over the records; report days come from one
bisection per instant (:class:`~gridcare.reportdays.DayNumbers`); and records
are counted under small integer keys, ``day number * width + grid position``,
which a ``Counter`` hashes far faster than tuples. Only the few thousand keys
left at the end become counts, through a :class:`~gridcare.reports.tallies.TallyBuilder`.

>>> from datetime import datetime
>>> from gridcare.timeutil import DEFAULT_ZONE
>>> from gridcare.reports.tallies import Tally
>>> cutoff = datetime(2022, 3, 27, 8, tzinfo=DEFAULT_ZONE)
>>> counts = list(stock_counts({"G1": 4}, "cases_open", cutoff))
>>> Tally.from_counts(counts).get("G1", "cases_open", cutoff.date())
4
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta

from gridcare.cases import (
    DEFAULT_CASE_DEADLINES,
    CaseDeadlines,
    WhistleCase,
    overdue_cases,
)
from gridcare.declarations import DeclarationRecord, trusted_review_overdue
from gridcare.errors import (
    InvalidInput,
    UnknownNode,
    read_mapping,
    read_once,
    require_finite,
    require_instance,
    require_items,
)
from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.reportdays import DayNumbers
from gridcare.reports.metrics import counted_metric
from gridcare.reports.tallies import Count, TallyBuilder, clock_or_default
from gridcare.risk import Assessment, MeasureKind
from gridcare.screening import CensusReport, CoverageReport, screening_counts
from gridcare.timeutil import ReportClock, require_aware
from gridcare.visits.findings import Findings
from gridcare.visits.lifecycle import HouseholdVisit, HouseholdVisitState, VisitAttempt

__all__ = [
    "MEASURE_METRICS",
    "assessment_counts",
    "case_counts",
    "declaration_counts",
    "screening_round_counts",
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

#: The most hours a review may take before it is overdue: a year.
MAX_REVIEW_HOURS = 366 * 24


# ---------------------------------------------------------------------------- integer keys


class _DayGridKeys:
    """Integer keys ``day number * width + position`` for records placed on a node and a day.

    ``position`` is the preorder position of the node a record counts at (its
    grid, or the node itself above grid level) and ``width`` the hierarchy's
    size, so each key stands for one (report day, node) pair. Day numbers come
    from one :class:`~gridcare.reportdays.DayNumbers`, so every column of
    instants shares their origin.
    """

    __slots__ = ("_grid_index", "days", "hierarchy", "width")

    def __init__(self, hierarchy: Hierarchy, clock: ReportClock) -> None:
        self.hierarchy = hierarchy
        self.width = len(hierarchy)
        self.days = DayNumbers(clock)
        self._grid_index = hierarchy.ancestor_index(NodeKind.GRID)

    def position(self, node_id: str) -> int:
        """The position one node id counts at; ``UnknownNode`` if the hierarchy lacks it."""
        grid = self._grid_index.get(node_id)
        if grid is None:
            raise UnknownNode(node_id)
        return grid if grid >= 0 else self.hierarchy.position(node_id)

    def positions(self, node_ids: Sequence[str]) -> list[int]:
        """The position each node id counts at; ``UnknownNode`` for an id the hierarchy lacks."""
        index = self._grid_index
        try:
            found: list[int] | None = [index[node_id] for node_id in node_ids]
        except KeyError:
            found = None  # the first id not held is named below, outside the handler
        if found is None:
            raise UnknownNode(next(n for n in node_ids if n not in index))
        if found and min(found) < 0:  # a node above grid level counts at itself
            position = self.hierarchy.position
            found = [
                grid if grid >= 0 else position(node_id)
                for grid, node_id in zip(found, node_ids, strict=True)
            ]
        return found

    def keys(self, instants: Sequence[datetime], positions: Sequence[int]) -> list[int]:
        """The key of each (instant, position) pair: its report day's number and the position."""
        width = self.width
        numbers = self.days.numbers(instants)
        return [number * width + where for number, where in zip(numbers, positions, strict=True)]

    def dated_keys(
        self, instants: Sequence[datetime | None], positions: Sequence[int]
    ) -> list[int]:
        """Like :meth:`keys`, for the pairs whose instant is not ``None`` (others count nowhere)."""
        dated = [instant for instant in instants if instant is not None]
        if len(dated) < len(instants):
            positions = [
                where
                for instant, where in zip(instants, positions, strict=True)
                if instant is not None
            ]
        return self.keys(dated, positions)

    def add_to(self, builder: TallyBuilder, metric_name: str, per_key: Mapping[int, int]) -> None:
        """Add each key's count to ``builder``, at its node on its report day."""
        at = self.hierarchy.at
        day = self.days.day
        for key, n in per_key.items():
            number, position = divmod(key, self.width)
            builder.add(at(position).id, metric_name, n, day=day(number))


def _name_bad_instant(rows: Iterable[object], fields: Sequence[str], name: str) -> None:
    """Raise ``InvalidInput`` naming the first instant a row holds that the clock refuses.

    The error names the row and its field (``<name>.<i>.<field>``).
    """
    for i, row in enumerate(rows):
        for field in fields:
            value = getattr(row, field)
            if value is not None:
                require_aware(value, f"{name}.{i}.{field}")


def _require_hierarchy(hierarchy: object) -> Hierarchy:
    return require_instance(hierarchy, Hierarchy, "hierarchy", code="not_hierarchy")


def _require_node_id(hierarchy: Hierarchy, value: object, field: str) -> str:
    """The id of a node ``hierarchy`` holds, its root's for ``None`` (``UnknownNode`` else)."""
    if value is None:
        return hierarchy.root.id
    if not isinstance(value, str):
        raise InvalidInput("not_string", field, f"expected a node id, got {type(value).__name__}")
    return hierarchy.node(value).id


def _require_hours(value: object, field: str) -> float:
    """A number of hours from 0 to :data:`MAX_REVIEW_HOURS` (``bad_hours`` otherwise)."""
    hours = require_finite(value, field, code="bad_hours")
    if not 0 <= hours <= MAX_REVIEW_HOURS:
        raise InvalidInput(
            "bad_hours", field, f"expected 0 to {MAX_REVIEW_HOURS} hours", value=value
        )
    return hours


# ---------------------------------------------------------------------------- stocks


def _level_day(clock: ReportClock, cutoff: datetime) -> date:
    """The report day a level measured at ``cutoff`` counts on: that of the instant just before
    it, so a level taken at a report's cutoff is that report's."""
    return clock.report_day(cutoff - timedelta(microseconds=1))


def stock_counts(
    levels: Mapping[str, int], metric_name: str, cutoff: datetime, clock: ReportClock | None = None
) -> Iterator[Count]:
    """Counts of a stock metric measured at ``cutoff``, one per node with a non-zero level.

    A level measured at a cutoff counts on that cutoff's report day (the report
    day of the instant just before it).

    Every level is checked when the function is called: ``levels`` maps node
    ids to whole numbers from 0 up (the error names ``levels.<node>``).

    >>> from gridcare.timeutil import DEFAULT_ZONE
    >>> cutoff = datetime(2022, 3, 27, 8, tzinfo=DEFAULT_ZONE)
    >>> found = stock_counts({"G1": 2, "G2": 0}, "cases_open", cutoff)
    >>> [(c.node, c.n, c.day.isoformat()) for c in found]
    [('G1', 2, '2022-03-27')]
    """
    use = clock_or_default(clock)
    if not isinstance(levels, Mapping):
        raise InvalidInput(
            "not_mapping", "levels", f"expected node id -> level, got {type(levels).__name__}"
        )
    counted_metric(metric_name)
    day = _level_day(use, require_aware(cutoff, "cutoff"))
    found = []
    for node, n in read_mapping(levels, "levels").items():
        if not isinstance(node, str) or not node:
            raise InvalidInput("not_string", "levels", "node ids are non-empty text")
        if type(n) is int and n == 0:
            continue  # a level of nothing adds no count; anything else is checked as a count
        try:
            found.append(Count(node, metric_name, n, day=day))
        except InvalidInput as err:
            raise err.within(f"levels.{node}") from None
    return iter(found)


# ---------------------------------------------------------------------------- declarations


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
    counts at ``unrouted_node``, the hierarchy's root by default. Overdue is
    :func:`~gridcare.declarations.review_overdue` at the cutoff with
    ``review_hours`` for its limit: assigned before the cutoff and at least
    ``review_hours`` before it, and neither reviewed nor withdrawn before it.

    >>> from datetime import datetime, timedelta
    >>> from gridcare.declarations import DeclarationRecord, DeclarationState
    >>> from gridcare.hierarchy import Hierarchy, Node, NodeKind
    >>> from gridcare.timeutil import DEFAULT_ZONE
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
    >>> t = datetime(2022, 3, 26, 9, tzinfo=DEFAULT_ZONE)
    >>> r = DeclarationRecord(declaration_id="D1", state=DeclarationState.ASSIGNED,
    ...                       submitted_at=t, updated_at=t, grid_id="G", assigned_at=t)
    >>> [(c.node, c.metric, c.n) for c in declaration_counts([r], hierarchy=h,
    ...                                                         cutoff=t + timedelta(days=1))]
    [('G', 'declarations_received', 1), ('G', 'declarations_overdue', 1)]
    """
    use = clock_or_default(clock)
    hierarchy = _require_hierarchy(hierarchy)
    rows = require_items(records, DeclarationRecord, "records")
    if cutoff is not None:
        require_aware(cutoff, "cutoff")
    limit = timedelta(hours=_require_hours(review_hours, "review_hours"))
    fallback = _require_node_id(hierarchy, unrouted_node, "unrouted_node")
    keys = _DayGridKeys(hierarchy, use)
    positions = _routed_positions(keys, [record.grid_id for record in rows], fallback)
    try:
        counted = _declaration_flows(keys, rows, positions)
    except InvalidInput:  # an instant the clock refuses: name the record and its field
        _name_bad_instant(rows, ("submitted_at", "reviewed_at"), "records")
        raise
    builder = TallyBuilder(use)
    for name, per_key in counted.items():
        keys.add_to(builder, name, per_key)
    if cutoff is not None:
        overdue = _overdue_reviews(rows, positions, cutoff, limit)
        at = hierarchy.at
        levels = {at(position).id: n for position, n in overdue.items()}
        builder.add_counts(stock_counts(levels, "declarations_overdue", cutoff, use))
    return list(builder.build().counts())


def _routed_positions(
    keys: _DayGridKeys, node_ids: Sequence[str | None], fallback: str
) -> list[int]:
    """The position each record counts at; ``fallback``'s when unrouted or off the map.

    Each distinct id is resolved once: a city's declarations name a few
    thousand grids.
    """
    fallback_position = keys.hierarchy.position(fallback)
    resolved: dict[str | None, int] = {}
    for node_id in set(node_ids):
        if node_id is None or node_id not in keys.hierarchy:
            resolved[node_id] = fallback_position
        else:
            resolved[node_id] = keys.position(node_id)
    return [resolved[node_id] for node_id in node_ids]


def _declaration_flows(
    keys: _DayGridKeys, rows: Sequence[DeclarationRecord], positions: Sequence[int]
) -> dict[str, Counter[int]]:
    """Received, late and proxy declarations on the day submitted; reviews on the day done."""
    submitted = keys.keys([record.submitted_at for record in rows], positions)
    reviewed = keys.dated_keys([record.reviewed_at for record in rows], positions)
    return {
        "declarations_received": Counter(submitted),
        "declarations_reviewed": Counter(reviewed),
        "declarations_late": Counter(
            [key for key, record in zip(submitted, rows, strict=True) if record.late]
        ),
        "declarations_proxy": Counter(
            [key for key, record in zip(submitted, rows, strict=True) if record.proxy]
        ),
    }


def _overdue_reviews(
    rows: Sequence[DeclarationRecord],
    positions: Sequence[int],
    cutoff: datetime,
    limit: timedelta,
) -> Counter[int]:
    """Per position, the declarations whose review is overdue at ``cutoff``
    (:func:`~gridcare.declarations.review_overdue`, ``limit`` after assignment)."""
    overdue: Counter[int] = Counter()
    for record, position in zip(rows, positions, strict=True):
        if trusted_review_overdue(record, cutoff, limit):
            overdue[position] += 1
    return overdue


# ---------------------------------------------------------------------------- visits


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
    default) are counted as a stock per grid. Every state's and every
    attempt's household is looked up: one the hierarchy does not hold raises
    :class:`~gridcare.errors.UnknownNode`, even for an attempt that saw nobody
    and found nothing.

    >>> from datetime import datetime, timedelta
    >>> from gridcare.hierarchy import Hierarchy, Node, NodeKind
    >>> from gridcare.timeutil import DEFAULT_ZONE
    >>> from gridcare.visits.lifecycle import Campaign, VisitAttempt, VisitOutcome, replay_visits
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C"),
    ...                Node("H", NodeKind.HOUSEHOLD, "h", "G")])
    >>> t = datetime(2022, 3, 26, 9, tzinfo=DEFAULT_ZONE)
    >>> c = Campaign(id="K", scope="C", round=1, start=t, end=t + timedelta(days=2))
    >>> log = [VisitAttempt(id="a", campaign_id="K", household="H", team="T", at=t,
    ...                     outcome=VisitOutcome.REACHED, persons_seen=2)]
    >>> states = list(replay_visits(log, c).records.values())
    >>> sorted((x.metric, x.n) for x in visit_counts(states, hierarchy=h, attempts=log))
    [('households_knocked', 1), ('households_reached', 1), ('person_visits', 2)]
    """
    use = clock_or_default(clock)
    hierarchy = _require_hierarchy(hierarchy)
    rows = require_items(states, HouseholdVisit, "states")
    tried = require_items(attempts, VisitAttempt, "attempts")
    top = _require_node_id(hierarchy, scope, "scope")
    if cutoff is not None:
        require_aware(cutoff, "cutoff")
    keys = _DayGridKeys(hierarchy, use)
    state_positions = keys.positions([state.household for state in rows])
    attempt_positions = keys.positions([attempt.household for attempt in tried])
    try:
        counted = _household_firsts(keys, rows, state_positions)
        counted.update(_attempt_counts(keys, tried, attempt_positions))
    except InvalidInput:  # an instant the clock refuses: name the record and its field
        _name_bad_instant(rows, ("first_attempt_at", "reached_at", "last_attempt_at"), "states")
        _name_bad_instant(tried, ("at",), "attempts")
        raise
    builder = TallyBuilder(use)
    for name, per_key in counted.items():
        keys.add_to(builder, name, per_key)
    if cutoff is not None:
        levels = _households_per_grid(hierarchy, top)
        builder.add_counts(stock_counts(levels, "households_in_scope", cutoff, use))
    return list(builder.build().counts())


def _household_firsts(
    keys: _DayGridKeys, states: Sequence[HouseholdVisit], positions: Sequence[int]
) -> dict[str, Counter[int]]:
    """Households knocked, reached and found vacant, each on the report day it happened.

    A state without a first attempt was never knocked, and counts nowhere.
    """
    first_or_none = [state.first_attempt_at for state in states]
    first_at = [first for first in first_or_none if first is not None]
    knocked = states
    if len(first_at) < len(states):
        knocked = [
            state for state, first in zip(states, first_or_none, strict=True) if first is not None
        ]
        positions = [
            where
            for where, first in zip(positions, first_or_none, strict=True)
            if first is not None
        ]
    reached_at = [state.reached_at for state in knocked]
    vacant = HouseholdVisitState.VACANT
    vacant_at = [state.last_attempt_at if state.state is vacant else None for state in knocked]
    return {
        "households_knocked": Counter(keys.keys(first_at, positions)),
        "households_reached": Counter(keys.dated_keys(reached_at, positions)),
        "households_vacant": Counter(keys.dated_keys(vacant_at, positions)),
    }


#: The metric each kind of finding counts in.
_FINDING_METRICS = ("arrivals_found", "hazards", "disputes", "services")


def _finding_items(found: Findings) -> tuple[tuple[object, ...], ...]:
    """The items of each kind of finding, in the order of :data:`_FINDING_METRICS`."""
    return (found.arrivals, found.hazards, found.disputes, found.services)


def _attempt_counts(
    keys: _DayGridKeys, attempts: Sequence[VisitAttempt], positions: Sequence[int]
) -> dict[str, Counter[int]]:
    """Person-visits and findings, on the report day of each attempt.

    Only the attempts that saw someone or found something are placed on a
    report day (the others, a third of a city's, add to no count).
    """
    adds = [bool(attempt.persons_seen) or attempt.findings is not None for attempt in attempts]
    adding = [attempt for attempt, add in zip(attempts, adds, strict=True) if add]
    if len(adding) < len(attempts):
        positions = [where for where, add in zip(positions, adds, strict=True) if add]
    on = keys.keys([attempt.at for attempt in adding], positions)
    visits: Counter[int] = Counter()
    findings: dict[str, Counter[int]] = {name: Counter() for name in _FINDING_METRICS}
    for key, attempt in zip(on, adding, strict=True):
        seen = attempt.persons_seen
        if seen:
            visits[key] += seen
        found = attempt.findings
        if found is not None:
            for name, items in zip(_FINDING_METRICS, _finding_items(found), strict=True):
                if items:
                    findings[name][key] += len(items)
    return {"person_visits": visits, **findings}


def _households_per_grid(hierarchy: Hierarchy, top: str) -> Counter[str]:
    """Households strictly below ``top``, per grid (per household above grid level)."""
    out: Counter[str] = Counter()
    if hierarchy.node(top).kind is NodeKind.HOUSEHOLD:
        return out
    total = hierarchy.count_below(top, NodeKind.HOUSEHOLD)
    if not total:
        return out
    grid = hierarchy.grid_of(top)
    if grid is not None:  # the scope is a grid or lies inside one
        out[grid.id] = total
        return out
    covered = 0
    for g in hierarchy.descendants(top, NodeKind.GRID):
        n = hierarchy.count_below(g.id, NodeKind.HOUSEHOLD)
        if n:
            out[g.id] = n
            covered += n
    if covered < total:  # households outside any grid count at themselves
        for household in hierarchy.descendants(top, NodeKind.HOUSEHOLD):
            if hierarchy.grid_of(household.id) is None:
                out[household.id] += 1
    return out


# ---------------------------------------------------------------------------- assessments, cases


def assessment_counts(
    assessed: Iterable[tuple[str, Assessment]],
    *,
    hierarchy: Hierarchy,
    cutoff: datetime,
    clock: ReportClock | None = None,
) -> list[Count]:
    """People under each measure at ``cutoff``, per grid of the node each person belongs to.

    ``assessed`` pairs a node id (the person's household or grid) with the
    person's assessment; the measure in force at the cutoff is counted
    (:meth:`~gridcare.risk.RiskPlan.measure_at`: the step with ``start <=
    cutoff < end``), as a level on the report day the cutoff closes. A node
    the hierarchy does not hold counts at the root. Anything but such pairs is
    refused, naming its place (``assessed.<i>``).

    >>> from gridcare.hierarchy import Node
    >>> from gridcare.timeutil import DEFAULT_ZONE
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c")])
    >>> assessment_counts([], hierarchy=h, cutoff=datetime(2022, 3, 27, 8, tzinfo=DEFAULT_ZONE))
    []
    """
    use = clock_or_default(clock)
    hierarchy = _require_hierarchy(hierarchy)
    require_aware(cutoff, "cutoff")
    if isinstance(assessed, (str, bytes, Mapping)) or not isinstance(assessed, Iterable):
        raise InvalidInput(
            "not_list",
            "assessed",
            f"expected (node id, Assessment) pairs, got {type(assessed).__name__}",
        )
    # Count by the node given first, then move each distinct node's count to its grid.
    given: dict[str, Counter[str]] = {name: Counter() for name in MEASURE_METRICS.values()}
    for i, pair in enumerate(read_once(assessed, "assessed")):
        if not (
            isinstance(pair, (tuple, list))
            and len(pair) == 2
            and isinstance(pair[0], str)
            and isinstance(pair[1], Assessment)
        ):
            raise InvalidInput(
                "wrong_type", f"assessed.{i}", "expected a (node id, Assessment) pair"
            )
        node, assessment = pair
        plan = assessment.plan
        measure = None if plan is None else plan.measure_at(cutoff)
        if measure is not None:
            given[MEASURE_METRICS[measure]][node] += 1
    keys = _DayGridKeys(hierarchy, use)
    at = hierarchy.at
    builder = TallyBuilder(use)
    for name, per_node in given.items():
        nodes = list(per_node)
        levels: Counter[str] = Counter()
        positions = _routed_positions(keys, nodes, hierarchy.root.id)
        for node, position in zip(nodes, positions, strict=True):
            levels[at(position).id] += per_node[node]
        builder.add_counts(stock_counts(levels, name, cutoff, use))
    return list(builder.build().counts())


def case_counts(
    cases: Iterable[WhistleCase],
    *,
    cutoff: datetime,
    deadlines: CaseDeadlines | None = None,
    clock: ReportClock | None = None,
) -> list[Count]:
    """Whistle cases raised (on their day), open and overdue at ``cutoff`` (per raising grid).

    Raised counts a case raised before the cutoff on its report day; open, a
    level on the cutoff's report day, every case open at the cutoff
    (:meth:`~gridcare.cases.WhistleCase.open_at`: neither closed nor rejected
    before it); overdue, the cases among them that :func:`~gridcare.cases.overdue_cases`
    lists at the cutoff, once each.

    >>> from gridcare.timeutil import DEFAULT_ZONE
    >>> case_counts([], cutoff=datetime(2022, 3, 27, 8, tzinfo=DEFAULT_ZONE))
    []
    """
    use = clock_or_default(clock)
    require_aware(cutoff, "cutoff")
    if deadlines is not None:
        require_instance(deadlines, CaseDeadlines, "deadlines")
    raised = [
        case for case in require_items(cases, WhistleCase, "cases") if case.raised_at < cutoff
    ]
    builder = TallyBuilder(use)
    for case, day in zip(raised, use.report_days([case.raised_at for case in raised]), strict=True):
        builder.add(case.grid, "cases_raised", day=day)
    open_now: Counter[str] = Counter(case.grid for case in raised if case.open_at(cutoff))
    by_id = {case.id: case for case in raised}
    found = overdue_cases(by_id.values(), cutoff, deadlines or DEFAULT_CASE_DEADLINES)
    late: Counter[str] = Counter(
        by_id[case_id].grid for case_id in {item.case_id for item in found}
    )
    builder.add_counts(stock_counts(open_now, "cases_open", cutoff, use))
    builder.add_counts(stock_counts(late, "cases_overdue", cutoff, use))
    return list(builder.build().counts())


# ---------------------------------------------------------------------------- testing rounds


def _own_levels(
    hierarchy: Hierarchy, totals: Mapping[tuple[str, str], int]
) -> dict[tuple[str, str], int]:
    """What is attached to each node itself: its total less its children's totals.

    Totals come per node (the node and everything under it); a tally wants each
    count once, where it is attached, and the roll-up adds the children back.
    """
    own = dict(totals)
    for (node, name), n in totals.items():
        parent = hierarchy.parent(node)
        if parent is not None and (parent.id, name) in own:
            own[(parent.id, name)] -= n
    return own


def screening_round_counts(
    report: CoverageReport,
    *,
    hierarchy: Hierarchy,
    cutoff: datetime,
    census: CensusReport | None = None,
    clock: ReportClock | None = None,
) -> list[Count]:
    """A testing round's levels (and the census's) at ``cutoff``, for the daily report.

    Every metric of the round (``screening_*``) and, given ``census``, of the
    census (``census_*``) counts as a stock on the cutoff's report day, at the
    node it is attached to (a grid, or a node above grids holding residents
    itself), so that the roll-up gives every node its whole subtree's figure.

    >>> from datetime import datetime, timedelta, timezone
    >>> from gridcare.hierarchy import Hierarchy, Node
    >>> from gridcare.screening import DueList, ScreeningRound, coverage, replay_round
    >>> h = Hierarchy([Node("G", NodeKind.GRID, "g")])
    >>> t0 = datetime(2022, 3, 27, 7, 30, tzinfo=timezone.utc)
    >>> rnd = ScreeningRound(id="S", scope="G", start=t0, end=t0 + timedelta(hours=5))
    >>> due = DueList(round_id="S", scope_position=0, household_of={}, place_of={})
    >>> screening_round_counts(coverage(h, replay_round([], rnd, due)), hierarchy=h,
    ...                        cutoff=t0 + timedelta(days=1))
    []
    """
    use = clock_or_default(clock)
    require_instance(report, CoverageReport, "report", code="bad_report")
    hierarchy = _require_hierarchy(hierarchy)
    day = _level_day(use, require_aware(cutoff, "cutoff"))
    if census is not None:
        require_instance(census, CensusReport, "census")
    totals = dict(screening_counts(report))
    if census is not None:
        totals.update(census.counts())
    own = _own_levels(hierarchy, totals)
    return [Count(node, name, n, day=day) for (node, name), n in own.items() if n]
