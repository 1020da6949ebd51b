"""Campaign progress per node as of an instant, the mop-up list, and workload per day.

Semantics (docs/design.md, "Rates" and "Reports"):

* every household in the campaign's scope is counted exactly once, in the
  state its record has as of ``as_of`` (*revisit due* derived then by
  :func:`~gridcare.visits.lifecycle.revisit_due`); a household with no
  attempt is *not started*;
* ``knocked`` = households with at least one applied attempt, so
  ``knocked >= reached + vacant + refused`` always;
* the knock rate is knocked / households; the *occupied reach rate* (the
  campaign's coverage) is reached / occupied households, occupied =
  households - vacant: a vacant home is visited, never "not visited", and
  never lowers coverage. (The daily report's ``reach_rate`` is another
  figure: reached / households in scope.)
* a node's progress is the sum of its children's; rates are recomputed from
  summed counts, never averaged.

>>> NodeProgress(households=4, knocked=3, reached=2, vacant=1).occupied_reach_rate.__str__()
'66.67%'
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from fractions import Fraction
from typing import TypeAlias

import attrs

from gridcare.errors import (
    Choice,
    InvalidInput,
    read_once,
    require_callable,
    require_instance,
    require_int,
    require_items,
)
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.machine import Replay
from gridcare.masking import id_repr, masked_field_reprs
from gridcare.rates import Rate
from gridcare.text import TEXT_LIMITS, check_text_of, is_plain
from gridcare.timeutil import DEFAULT_ZONE, require_aware, require_day, zone
from gridcare.visits.campaign import Campaign, target_coverage_fraction
from gridcare.visits.lifecycle import (
    HouseholdVisit,
    HouseholdVisitState,
    Progress,
    VisitAttempt,
    VisitOutcome,
    replay_visits,
)

__all__ = [
    "ActorKind",
    "MopUp",
    "MopUpItem",
    "NodeProgress",
    "ProgressReport",
    "WorkloadRow",
    "mop_up",
    "progress",
    "workload",
]

S = HouseholdVisitState

#: The most characters of an id (a household, grid, node, worker or team id; gridcare.text).
_ID = TEXT_LIMITS["id"]

#: What :func:`progress` accepts as the campaign's households: a replay, its
#: records (household id -> :class:`~gridcare.visits.lifecycle.HouseholdVisit`),
#: or the attempts to replay.
Households: TypeAlias = (
    Replay[str, HouseholdVisit, VisitAttempt]
    | Mapping[str, HouseholdVisit]
    | Iterable[VisitAttempt]
)


@attrs.frozen(field_transformer=masked_field_reprs)
class NodeProgress:
    """Campaign counts of one node (a monoid: ``empty()`` and ``+``); rates are derived.

    >>> a = NodeProgress(households=2, knocked=2, reached=1)
    >>> b = NodeProgress(households=3, knocked=1, reached=1)
    >>> str((a + b).knock_rate), str((a + b).occupied_reach_rate), (a + b).not_started
    ('60.00%', '40.00%', 2)
    """

    households: int = 0
    knocked: int = 0
    reached: int = 0
    reached_remotely: int = 0
    vacant: int = 0
    refused: int = 0
    nobody_home: int = 0
    revisits_due: int = 0
    appointments: int = 0
    escalated: int = 0
    attempts: int = 0
    person_visits: int = 0
    arrivals_found: int = 0
    hazards: int = 0
    disputes: int = 0
    services: int = 0

    def __attrs_post_init__(self) -> None:
        for field in _NODE_COUNTS:
            value = getattr(self, field)
            if type(value) is not int or value < 0:
                require_int(value, field, low=0)

    @classmethod
    def empty(cls) -> NodeProgress:
        """All counts zero (identity of ``+``).

        >>> NodeProgress.empty() + NodeProgress(households=1) == NodeProgress(households=1)
        True
        """
        return cls()

    @classmethod
    def of_households(
        cls, states: Mapping[HouseholdVisitState, int], records: Sequence[HouseholdVisit]
    ) -> NodeProgress:
        """The counts of a set of households: how many are in each state, and their records.

        ``states`` counts every household once, in its state as of the report's
        instant (``NOT_STARTED`` for a household without a record); ``records``
        are the records of the others, whose attempts, person-visits and
        findings are summed.

        >>> from collections import Counter
        >>> p = NodeProgress.of_households(Counter({S.NOT_STARTED: 1, S.VACANT: 1}), [])
        >>> p.households, p.knocked, p.vacant, p.not_started
        (2, 1, 1, 1)
        """
        if not isinstance(states, Mapping) or not all(
            isinstance(state, HouseholdVisitState) and type(n) is int and n >= 0
            for state, n in states.items()
        ):
            raise InvalidInput("bad_state", "states", "expected state -> count of households")
        records = require_items(records, HouseholdVisit, "records")
        households = sum(states.values())
        remote = states.get(S.REACHED_REMOTELY, 0)
        return cls(
            households=households,
            knocked=households - states.get(S.NOT_STARTED, 0),
            reached=states.get(S.REACHED, 0) + remote,
            reached_remotely=remote,
            vacant=states.get(S.VACANT, 0),
            refused=states.get(S.REFUSED, 0),
            nobody_home=states.get(S.NOBODY_HOME, 0),
            revisits_due=states.get(S.REVISIT_DUE, 0),
            appointments=states.get(S.APPOINTMENT, 0),
            escalated=states.get(S.ESCALATED, 0),
            attempts=sum(r.attempts for r in records),
            person_visits=sum(r.person_visits for r in records),
            arrivals_found=sum(r.arrivals_found for r in records),
            hazards=sum(r.hazards for r in records),
            disputes=sum(r.disputes for r in records),
            services=sum(r.services for r in records),
        )

    def __add__(self, other: object) -> NodeProgress:
        if not isinstance(other, NodeProgress):
            return NotImplemented
        return NodeProgress(
            households=self.households + other.households,
            knocked=self.knocked + other.knocked,
            reached=self.reached + other.reached,
            reached_remotely=self.reached_remotely + other.reached_remotely,
            vacant=self.vacant + other.vacant,
            refused=self.refused + other.refused,
            nobody_home=self.nobody_home + other.nobody_home,
            revisits_due=self.revisits_due + other.revisits_due,
            appointments=self.appointments + other.appointments,
            escalated=self.escalated + other.escalated,
            attempts=self.attempts + other.attempts,
            person_visits=self.person_visits + other.person_visits,
            arrivals_found=self.arrivals_found + other.arrivals_found,
            hazards=self.hazards + other.hazards,
            disputes=self.disputes + other.disputes,
            services=self.services + other.services,
        )

    def as_tuple(self) -> tuple[int, ...]:
        """The counts in field order."""
        return attrs.astuple(self, recurse=False)

    @property
    def not_started(self) -> int:
        """Households with no attempt yet."""
        return self.households - self.knocked

    @property
    def occupied(self) -> int:
        """Households not found vacant: the occupied reach rate's denominator."""
        return self.households - self.vacant

    @property
    def pending_revisits(self) -> int:
        """Households waiting for another visit: nobody home, revisit due or appointment."""
        return self.nobody_home + self.revisits_due + self.appointments

    @property
    def knock_rate(self) -> Rate:
        """Knocked / households."""
        return Rate(self.knocked, self.households)

    @property
    def occupied_reach_rate(self) -> Rate:
        """Reached / occupied households: the campaign's coverage, what its target is set on.

        Not the daily report's ``reach_rate`` (reached / households in scope):
        a vacant household leaves this rate's denominator.

        >>> str(NodeProgress(households=10, reached=8, vacant=2).occupied_reach_rate)
        '100.00%'
        """
        return Rate(self.reached, self.occupied)

    def shortfall(self, target: Fraction) -> int:
        """How many more households must be reached for coverage to meet ``target``.

        >>> from fractions import Fraction
        >>> NodeProgress(households=10, reached=8).shortfall(Fraction(95, 100))
        2
        """
        wanted = target if type(target) is Fraction else target_coverage_fraction(target)
        return max(0, math.ceil(wanted * self.occupied) - self.reached)

    def as_row(self) -> dict[str, object]:
        """Counts and rates (display strings) as a plain dict."""
        row: dict[str, object] = attrs.asdict(self)
        row["not_started"] = self.not_started
        row["pending_revisits"] = self.pending_revisits
        row["knock_rate"] = str(self.knock_rate)
        row["occupied_reach_rate"] = str(self.occupied_reach_rate)
        return row


#: The counts of a :class:`NodeProgress`, in field order.
_NODE_COUNTS = tuple(a.name for a in attrs.fields(NodeProgress))


@attrs.frozen(field_transformer=masked_field_reprs)
class _Households:
    """The households of one part of the scope: how many in each state, the records."""

    states: Counter[HouseholdVisitState] = attrs.field(factory=Counter)
    records: list[HouseholdVisit] = attrs.field(factory=list)

    def add(self, state: HouseholdVisitState, record: HouseholdVisit | None) -> None:
        self.states[state] += 1
        if record is not None:
            self.records.append(record)

    def progress(self) -> NodeProgress:
        return NodeProgress.of_households(self.states, self.records)


def _state_as_of(
    record: HouseholdVisit | None, campaign: Campaign, as_of: datetime
) -> HouseholdVisitState:
    if record is None:
        return S.NOT_STARTED
    return record.state_as_of(campaign, as_of)


_PRIORITY = {
    S.NOT_STARTED: 0,
    S.REVISIT_DUE: 1,
    S.APPOINTMENT: 2,
    S.NOBODY_HOME: 3,
    S.REFUSED: 4,
    S.ESCALATED: 5,
}


@attrs.frozen(field_transformer=masked_field_reprs)
class MopUpItem:
    """A household that still needs a visit, with where and why.

    ``household`` and ``grid`` (``None``: no grid above the household) keep
    the text rules of an id (:func:`gridcare.text.kind_problem`).

    >>> MopUpItem("H1", "G1", HouseholdVisitState.REVISIT_DUE, 1).state.value
    'revisit_due'
    >>> MopUpItem("H1", "G\\u202e1", HouseholdVisitState.REVISIT_DUE, 1)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: grid: bidirectional control U+202E at position 1 [bidi_control]
    """

    household: str = attrs.field(repr=id_repr)
    grid: str | None
    state: HouseholdVisitState
    attempts: int

    def __attrs_post_init__(self) -> None:
        # One per household still to visit: the quick test of the text rules first.
        grid = self.grid
        if not (is_plain(self.household, _ID) and (grid is None or is_plain(grid, _ID))):
            check_text_of(self.household, "household")
            if grid is not None:
                check_text_of(grid, "grid")
        require_instance(self.state, HouseholdVisitState, "state", code="bad_enum")
        require_int(self.attempts, "attempts", low=0)


@attrs.frozen(field_transformer=masked_field_reprs)
class MopUp:
    """The mop-up list of a node: ``needed`` more reaches meet the target; the candidates.

    ``households`` lists every household below the node that still needs a
    visit, most urgent first (not started, revisit due, appointment, nobody
    home, refused, escalated); empty when the node already meets its target.
    ``node`` keeps the text rules of an id.

    >>> MopUp("G1", 0, ()).done
    True
    """

    node: str
    needed: int
    households: tuple[MopUpItem, ...]

    def __attrs_post_init__(self) -> None:
        check_text_of(self.node, "node")
        require_int(self.needed, "needed", low=0)
        if type(self.households) is not tuple:
            raise InvalidInput("not_list", "households", "expected a tuple of MopUpItem")
        require_items(self.households, MopUpItem, "households")

    @property
    def done(self) -> bool:
        """Whether the node already meets its target."""
        return self.needed == 0


class ProgressReport:
    """Progress of every node of a campaign's scope as of an instant (see :func:`progress`).

    >>> from datetime import datetime, timedelta, timezone
    >>> h = Hierarchy([Node("D", NodeKind.DISTRICT, "d"), Node("G", NodeKind.GRID, "g", "D"),
    ...                Node("H1", NodeKind.HOUSEHOLD, "1", "G"),
    ...                Node("H2", NodeKind.HOUSEHOLD, "2", "G")])
    >>> t0 = datetime(2022, 3, 20, tzinfo=timezone.utc)
    >>> c = Campaign(id="K", scope="D", round=1, start=t0, end=t0 + timedelta(days=8))
    >>> a = VisitAttempt(id="a", campaign_id="K", household="H1", team="T", at=t0,
    ...                  outcome=VisitOutcome.REACHED, persons_seen=2)
    >>> r = progress(h, c, [a], t0 + timedelta(days=1))
    >>> p = r.node("G")
    >>> p.households, p.reached, str(p.occupied_reach_rate), r.node("D") == p
    (2, 1, '50.00%', True)
    >>> r.state_of("H1").value, r.state_of("H2").value
    ('reached', 'not_started')
    """

    __slots__ = ("_hier", "_records", "_totals", "as_of", "campaign", "scope")

    def __init__(
        self,
        hierarchy: Hierarchy,
        campaign: Campaign,
        records: Mapping[str, HouseholdVisit],
        as_of: datetime,
        totals: dict[int, NodeProgress],
    ) -> None:
        require_instance(hierarchy, Hierarchy, "hierarchy", code="bad_hierarchy")
        require_instance(campaign, Campaign, "campaign", code="bad_campaign")
        if not isinstance(records, Mapping):
            raise InvalidInput("bad_state", "records", "expected household id -> HouseholdVisit")
        require_aware(as_of, "as_of")
        if not isinstance(totals, Mapping):
            raise InvalidInput("bad_report", "totals", "expected position -> NodeProgress")
        self._hier = hierarchy
        self.campaign = campaign
        self._records = records
        self.as_of = as_of
        self._totals = totals
        self.scope: Node = hierarchy.node(campaign.scope)

    @property
    def hierarchy(self) -> Hierarchy:
        """The hierarchy the report was computed over."""
        return self._hier

    @property
    def records(self) -> Mapping[str, HouseholdVisit]:
        """The household records the report counted (household id -> record)."""
        return self._records

    @property
    def total(self) -> NodeProgress:
        """Progress of the campaign's scope node."""
        return self.node(self.scope.id)

    def state_of(self, household: str) -> HouseholdVisitState:
        """The household's state as of the report's instant (``NOT_STARTED`` without a record).

        ``household`` keeps the text rules of an id (:func:`gridcare.text.check_text_of`).
        """
        check_text_of(household, "household")
        return _state_as_of(self._records.get(household), self.campaign, self.as_of)

    def _check(self, node_id: str) -> Node:
        node = self._hier.node(node_id)
        if not self._hier.is_within(node_id, self.scope.id):
            raise InvalidInput(
                "outside_campaign_scope",
                "node",
                f"node is outside campaign {self.campaign.id!r}'s scope",
                value=node_id,
            )
        return node

    def node(self, node_id: str) -> NodeProgress:
        """Progress of one node in the scope (``InvalidInput`` outside it, ``UnknownNode``)."""
        node = self._check(node_id)
        summed = self._totals.get(self._hier.position(node_id))
        if summed is not None:
            return summed
        houses = (
            (node,)
            if node.kind is NodeKind.HOUSEHOLD
            else self._hier.descendants(node_id, NodeKind.HOUSEHOLD)
        )
        below = _Households()
        for house in houses:
            record = self._records.get(house.id)
            below.add(_state_as_of(record, self.campaign, self.as_of), record)
        return below.progress()

    def children(self, node_id: str) -> tuple[tuple[Node, NodeProgress], ...]:
        """Each child of ``node_id`` with its progress (their sum is the node's progress)."""
        self._check(node_id)
        return tuple((child, self.node(child.id)) for child in self._hier.children(node_id))

    def nodes(self, kind: NodeKind) -> tuple[tuple[Node, NodeProgress], ...]:
        """Every node of ``kind`` in the scope, in preorder, with its progress."""
        found: list[Node] = list(self._hier.descendants(self.scope.id, kind))
        if self.scope.kind is kind:
            found.insert(0, self.scope)
        return tuple((n, self.node(n.id)) for n in found)

    def rows(self, kind: NodeKind) -> list[dict[str, object]]:
        """Plain rows (id, name, counts, rates, shortfall, target met) per node of ``kind``;
        a phone or ID number in a name is masked, as the daily report masks it."""
        target = self.campaign.target_coverage
        out = []
        for node, p in self.nodes(kind):
            # The name as the daily report shows it (Node.masked_name): a worker's mobile in a
            # grid's name masked, a household's address cut to its first two characters.
            name = node.masked_name()
            row: dict[str, object] = {"id": node.id, "name": name, "kind": node.kind.value}
            row.update(p.as_row())
            row["shortfall"] = p.shortfall(target)
            row["target_met"] = p.shortfall(target) == 0
            out.append(row)
        return out

    def behind(self, kind: NodeKind = NodeKind.GRID, n: int = 10) -> list[dict[str, object]]:
        """The ``n`` nodes of ``kind`` furthest behind: lowest occupied reach rate, then largest
        shortfall.

        Nodes with no occupied household (undefined rate) are never behind.
        """
        require_int(n, "n", low=0)
        target = self.campaign.target_coverage
        ranked = []
        for node, p in self.nodes(kind):
            value = p.occupied_reach_rate.value
            if value is None:
                continue
            ranked.append((value, -p.shortfall(target), node.id))
        ranked.sort()
        wanted = {node_id for _, _, node_id in ranked[:n]}
        rows = {str(r["id"]): r for r in self.rows(kind) if r["id"] in wanted}
        return [rows[node_id] for _, _, node_id in ranked[:n]]

    def __repr__(self) -> str:
        t = self.total
        return (
            f"ProgressReport(campaign={self.campaign.id!r}, as_of={self.as_of.isoformat()}, "
            f"households={t.households}, reached={t.reached})"
        )


def _as_records(
    source: Households,
    campaign: Campaign,
    as_of: datetime,
    scope_ids: set[str],
    prog: Progress | None,
) -> Mapping[str, HouseholdVisit]:
    if isinstance(source, Replay):
        return source.records
    if isinstance(source, Mapping):
        for key, record in source.items():
            if not isinstance(record, HouseholdVisit):
                raise InvalidInput("bad_state", f"states.{key}", "expected a HouseholdVisit")
        return source
    attempts = require_items(source, VisitAttempt, "states_or_attempts")
    before = [a for a in attempts if a.at < as_of]
    return replay_visits(before, campaign, households=scope_ids, progress=prog).records


def _households_in_scope(hierarchy: Hierarchy, scope: Node) -> list[Node]:
    houses: list[Node] = list(hierarchy.descendants(scope.id, NodeKind.HOUSEHOLD))
    if scope.kind is NodeKind.HOUSEHOLD:
        houses.append(scope)
    return houses


def _count_by_grid(
    hierarchy: Hierarchy,
    scope: Node,
    houses: Sequence[Node],
    records: Mapping[str, HouseholdVisit],
    campaign: Campaign,
    as_of: datetime,
    prog: Progress | None,
) -> dict[int, _Households]:
    """The households of the scope per grid position (the scope's own for those above grids)."""
    scope_pos = hierarchy.position(scope.id)
    grid_of = hierarchy.ancestor_index(NodeKind.GRID)
    by_grid: dict[int, _Households] = {}
    total = len(houses)
    every = max(1, total // 20)
    for done, house in enumerate(houses, 1):
        if prog is not None and done % every == 0:
            prog(done, total)
        grid = grid_of[house.id]
        bucket = grid if grid >= scope_pos else scope_pos
        below = by_grid.get(bucket)
        if below is None:
            below = by_grid[bucket] = _Households()
        record = records.get(house.id)
        below.add(_state_as_of(record, campaign, as_of), record)
    return by_grid


def _sum_up(
    hierarchy: Hierarchy, scope_pos: int, by_grid: Mapping[int, _Households]
) -> dict[int, NodeProgress]:
    """Each grid's progress added to every node from the grid up to the scope."""
    totals: dict[int, NodeProgress] = {scope_pos: NodeProgress.empty()}
    for grid, below in by_grid.items():
        counted = below.progress()
        pos = grid
        while True:
            summed = totals.get(pos)
            totals[pos] = counted if summed is None else summed + counted
            if pos == scope_pos:
                break
            pos = hierarchy.parent_position(pos)
    return totals


def progress(
    hierarchy: Hierarchy,
    campaign: Campaign,
    states_or_attempts: Households,
    as_of: datetime,
    *,
    progress: Progress | None = None,
) -> ProgressReport:
    """Campaign progress of every node of the campaign's scope as of ``as_of``.

    Given attempts, those strictly before ``as_of`` are replayed (attempts on
    households outside the scope are rejected there). Given household
    records (a :class:`~gridcare.visits.lifecycle.VisitReplay` or its
    ``records``, a mapping of
    :class:`~gridcare.visits.lifecycle.HouseholdVisit`), they are taken as the
    state as of ``as_of`` with *revisit due* derived then. Households are
    counted per grid in one pass; each grid's counts are added to its
    ancestors up to the scope. ``progress(done, total)`` is called a bounded
    number of times. See :class:`ProgressReport` for an example.

    >>> from datetime import datetime, timezone
    >>> h = Hierarchy([Node("G", NodeKind.GRID, "g"), Node("H", NodeKind.HOUSEHOLD, "1", "G")])
    >>> t0 = datetime(2022, 3, 20, tzinfo=timezone.utc)
    >>> c = Campaign(id="K", scope="G", round=1, start=t0, end=t0.replace(day=28))
    >>> progress(h, c, [], t0).total.not_started
    1
    """
    require_aware(as_of, "as_of")
    if progress is not None:
        require_callable(progress, "progress")
    if not isinstance(hierarchy, Hierarchy):
        raise InvalidInput("bad_hierarchy", "hierarchy", "expected a Hierarchy")
    if not isinstance(campaign, Campaign):
        raise InvalidInput("bad_campaign", "campaign", "expected a Campaign")
    scope = hierarchy.node(campaign.scope)
    houses = _households_in_scope(hierarchy, scope)
    scope_ids = {h.id for h in houses}
    records = _as_records(states_or_attempts, campaign, as_of, scope_ids, progress)
    by_grid = _count_by_grid(hierarchy, scope, houses, records, campaign, as_of, progress)
    totals = _sum_up(hierarchy, hierarchy.position(scope.id), by_grid)
    if progress is not None:
        progress(len(houses), len(houses))
    return ProgressReport(hierarchy, campaign, records, as_of, totals)


def mop_up(report: ProgressReport, node_id: str | None = None) -> MopUp:
    """Which households below ``node_id`` (default: the scope) still need a visit to meet target.

    >>> from datetime import datetime, timedelta, timezone
    >>> h = Hierarchy([Node("G", NodeKind.GRID, "g"), Node("H1", NodeKind.HOUSEHOLD, "1", "G"),
    ...                Node("H2", NodeKind.HOUSEHOLD, "2", "G")])
    >>> t0 = datetime(2022, 3, 20, tzinfo=timezone.utc)
    >>> c = Campaign(id="K", scope="G", round=1, start=t0, end=t0 + timedelta(days=8))
    >>> a = VisitAttempt(id="a", campaign_id="K", household="H1", team="T", at=t0,
    ...                  outcome=VisitOutcome.NOBODY_HOME)
    >>> m = mop_up(progress(h, c, [a], t0 + timedelta(days=1)))
    >>> m.needed, [(i.household, i.state.value) for i in m.households]
    (2, [('H2', 'not_started'), ('H1', 'revisit_due')])
    """
    if not isinstance(report, ProgressReport):
        raise InvalidInput("bad_report", "report", "expected a ProgressReport")
    target_node = report.scope.id if node_id is None else node_id
    p = report.node(target_node)
    needed = p.shortfall(report.campaign.target_coverage)
    if needed == 0:
        return MopUp(target_node, 0, ())
    hier = report.hierarchy
    node = hier.node(target_node)
    houses = (
        [node]
        if node.kind is NodeKind.HOUSEHOLD
        else hier.descendants(target_node, NodeKind.HOUSEHOLD)
    )
    grid_pos = hier.ancestor_positions(NodeKind.GRID)
    items = []
    for order, house in enumerate(houses):
        state = report.state_of(house.id)
        if not state.needs_visit:
            continue
        g = grid_pos[hier.position(house.id)]
        grid = hier.at(g).id if g >= 0 else None
        record = report.records.get(house.id)
        attempts = 0 if record is None else record.attempts
        items.append((_PRIORITY[state], order, MopUpItem(house.id, grid, state, attempts)))
    items.sort(key=lambda t: (t[0], t[1]))
    return MopUp(target_node, needed, tuple(item for _, _, item in items))


class ActorKind(Choice):
    """Whose workload to count: per worker or per team.

    >>> ActorKind.TEAM.value
    'team'
    """

    WORKER = "worker"
    TEAM = "team"


@attrs.frozen(field_transformer=masked_field_reprs)
class WorkloadRow:
    """Attempts made by one worker or team on one local day.

    ``actor`` (the worker's or the team's id) keeps the text rules of an id
    (:func:`gridcare.text.kind_problem`).

    >>> WorkloadRow("T1", date(2022, 3, 20), 120, 90, 300).attempts
    120
    """

    actor: str
    day: date
    attempts: int
    reached: int
    person_visits: int

    def __attrs_post_init__(self) -> None:
        check_text_of(self.actor, "actor")
        require_day(self.day, "day")
        for field in ("attempts", "reached", "person_visits"):
            require_int(getattr(self, field), field, low=0)


def workload(
    attempts: Iterable[VisitAttempt],
    *,
    by: ActorKind = ActorKind.WORKER,
    zone_name: str | None = None,
) -> tuple[WorkloadRow, ...]:
    """Attempts, reaches and person-visits per worker (or team) per local day.

    Days are local days in ``zone_name`` (default ``Asia/Shanghai``). Attempts
    without the requested actor (a team attempt when counting workers) are
    left out. Rows are sorted by actor then day.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2022, 3, 20, 15, 30, tzinfo=timezone.utc)  # 23:30 in Shanghai
    >>> a = VisitAttempt(id="a", campaign_id="K", household="H", team="T1", at=t,
    ...                  outcome=VisitOutcome.REACHED, persons_seen=2)
    >>> [(r.actor, r.day.isoformat(), r.attempts) for r in workload([a], by=ActorKind.TEAM)]
    [('T1', '2022-03-20', 1)]
    """
    tz = DEFAULT_ZONE if zone_name is None else zone(zone_name)
    if not isinstance(by, ActorKind):
        raise InvalidInput("bad_enum", "by", "expected an ActorKind", value=by)
    if isinstance(attempts, (str, bytes, Mapping)) or not isinstance(attempts, Iterable):
        raise InvalidInput("not_list", "attempts", "expected VisitAttempt records")
    field = "worker" if by is ActorKind.WORKER else "team"
    counts: dict[tuple[str, date], list[int]] = {}
    day_of: dict[datetime, date] = {}
    reached = VisitOutcome.REACHED
    for a in read_once(attempts, "attempts"):
        if type(a) is not VisitAttempt and not isinstance(a, VisitAttempt):
            raise InvalidInput("bad_attempt", "attempts", "expected VisitAttempt records")
        who = getattr(a, field)
        if who is None:
            continue
        at = a.at
        day = day_of.get(at)
        if day is None:
            day = day_of[at] = at.astimezone(tz).date()
        key = (who, day)
        c = counts.get(key)
        if c is None:
            c = counts[key] = [0, 0, 0]
        c[0] += 1
        if a.outcome is reached:
            c[1] += 1
        c[2] += a.persons_seen
    return tuple(WorkloadRow(w, d, *c) for (w, d), c in sorted(counts.items()))
