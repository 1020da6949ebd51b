"""Campaign progress per node as of an instant, the mop-up list, and workload per day.

Semantics (DESIGN.md, "Rates" and "Reports"):

* every household in the campaign's scope is counted exactly once, in the
  state its record has as of ``as_of`` (*revisit due* derived then); a
  household with no attempt is *not started*;
* ``knocked`` = households with at least one applied attempt, so
  ``knocked >= reached + vacant + refused`` always;
* the knock rate is knocked / households; the reach rate (the campaign's
  coverage) is reached / occupied households, occupied = households - vacant:
  a vacant home is visited, never "not visited", and never lowers coverage;
* a node's progress is the sum of its children's; rates are recomputed from
  summed counts, never averaged.

>>> NodeProgress(households=4, knocked=3, reached=2, vacant=1).reach_rate.__str__()
'66.67%'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import StrEnum
from fractions import Fraction
from typing import Any

import attrs

from gridcare.errors import InvalidInput
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.rates import Rate
from gridcare.timeutil import DEFAULT_ZONE, require_aware, zone
from gridcare.visits.lifecycle import (
    _APPT,
    _ARR,
    _DIS,
    _HAZ,
    _LAST,
    _N,
    _PERSONS,
    _SRV,
    _ST,
    Campaign,
    HouseholdStates,
    HouseholdVisit,
    HouseholdVisitState,
    Progress,
    VisitAttempt,
    VisitOutcome,
    VisitReplay,
    _derived,
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

_FIELDS = (
    "households",
    "knocked",
    "reached",
    "reached_remotely",
    "vacant",
    "refused",
    "nobody_home",
    "revisits_due",
    "appointments",
    "escalated",
    "attempts",
    "person_visits",
    "arrivals_found",
    "hazards",
    "disputes",
    "services",
)
_W = len(_FIELDS)
(
    _HH,
    _KNOCKED,
    _REACHED,
    _REMOTE,
    _VACANT,
    _REFUSED,
    _NOBODY,
    _DUE,
    _APPTS,
    _ESC,
    _ATT,
    _PV,
    _AF,
    _HZ,
    _DP,
    _SV,
) = range(_W)

_S = HouseholdVisitState
# Which counter a state adds to (besides households/knocked).
_STATE_SLOT: dict[HouseholdVisitState, tuple[int, ...]] = {
    _S.NOT_STARTED: (),
    _S.REACHED: (_REACHED,),
    _S.REACHED_REMOTELY: (_REACHED, _REMOTE),
    _S.VACANT: (_VACANT,),
    _S.REFUSED: (_REFUSED,),
    _S.NOBODY_HOME: (_NOBODY,),
    _S.REVISIT_DUE: (_DUE,),
    _S.APPOINTMENT: (_APPTS,),
    _S.ESCALATED: (_ESC,),
}


@attrs.frozen
class NodeProgress:
    """Campaign counts of one node (a monoid: ``empty()`` and ``+``); rates are derived.

    >>> a = NodeProgress(households=2, knocked=2, reached=1)
    >>> b = NodeProgress(households=3, knocked=1, reached=1)
    >>> str((a + b).knock_rate), str((a + b).reach_rate), (a + b).not_started
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

    @classmethod
    def empty(cls) -> NodeProgress:
        """All counts zero (identity of ``+``).

        >>> NodeProgress.empty() + NodeProgress(households=1) == NodeProgress(households=1)
        True
        """
        return cls()

    def __add__(self, other: object) -> NodeProgress:
        if not isinstance(other, NodeProgress):
            return NotImplemented
        return NodeProgress(
            *(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True))
        )

    def as_tuple(self) -> tuple[int, ...]:
        """The counts in field order."""
        return attrs.astuple(self)

    @property
    def not_started(self) -> int:
        """Households with no attempt yet."""
        return self.households - self.knocked

    @property
    def occupied(self) -> int:
        """Households not found vacant: the reach rate's denominator."""
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
    def reach_rate(self) -> Rate:
        """Reached / occupied households (the campaign's coverage)."""
        return Rate(self.reached, self.occupied)

    def shortfall(self, target: Fraction) -> int:
        """How many more households must be reached for coverage to meet ``target``.

        >>> from fractions import Fraction
        >>> NodeProgress(households=10, reached=8).shortfall(Fraction(95, 100))
        2
        """
        return max(0, math.ceil(target * self.occupied) - self.reached)

    def as_row(self) -> dict[str, object]:
        """Counts and rates (display strings) as a plain dict."""
        row: dict[str, object] = dict(zip(_FIELDS, self.as_tuple(), strict=True))
        row["not_started"] = self.not_started
        row["pending_revisits"] = self.pending_revisits
        row["knock_rate"] = str(self.knock_rate)
        row["reach_rate"] = str(self.reach_rate)
        return row


def _add_row(vec: list[int], row: list[Any] | None, state: HouseholdVisitState) -> None:
    vec[_HH] += 1
    if row is None:
        return
    vec[_KNOCKED] += 1
    for slot in _STATE_SLOT[state]:
        vec[slot] += 1
    vec[_ATT] += row[_N]
    vec[_PV] += row[_PERSONS]
    vec[_AF] += row[_ARR]
    vec[_HZ] += row[_HAZ]
    vec[_DP] += row[_DIS]
    vec[_SV] += row[_SRV]


_PRIORITY = {
    _S.NOT_STARTED: 0,
    _S.REVISIT_DUE: 1,
    _S.APPOINTMENT: 2,
    _S.NOBODY_HOME: 3,
    _S.REFUSED: 4,
    _S.ESCALATED: 5,
}


@attrs.frozen
class MopUpItem:
    """A household that still needs a visit, with where and why.

    >>> MopUpItem("H1", "G1", HouseholdVisitState.REVISIT_DUE, 1).state.value
    'revisit_due'
    """

    household: str
    grid: str | None
    state: HouseholdVisitState
    attempts: int


@attrs.frozen
class MopUp:
    """The mop-up list of a node: ``needed`` more reaches meet the target; the candidates.

    ``households`` lists every household below the node that still needs a
    visit, most urgent first (not started, revisit due, appointment, nobody
    home, refused, escalated); empty when the node already meets its target.

    >>> MopUp("G1", 0, ()).done
    True
    """

    node: str
    needed: int
    households: tuple[MopUpItem, ...]

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
    >>> p.households, p.reached, str(p.reach_rate), r.node("D") == p
    (2, 1, '50.00%', True)
    """

    __slots__ = ("_grid_pos", "_hier", "_states", "_totals", "as_of", "campaign", "scope")

    def __init__(
        self,
        hierarchy: Hierarchy,
        campaign: Campaign,
        states: HouseholdStates,
        as_of: datetime,
        totals: dict[int, list[int]],
    ) -> None:
        self._hier = hierarchy
        self.campaign = campaign
        self._states = states
        self.as_of = as_of
        self._totals = totals
        self.scope: Node = hierarchy.node(campaign.scope)
        self._grid_pos = hierarchy.ancestor_positions(NodeKind.GRID)

    @property
    def hierarchy(self) -> Hierarchy:
        """The hierarchy the report was computed over."""
        return self._hier

    @property
    def states(self) -> HouseholdStates:
        """The household records the report counted."""
        return self._states

    @property
    def total(self) -> NodeProgress:
        """Progress of the campaign's scope node."""
        return self.node(self.scope.id)

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

    def _state(self, household: str) -> tuple[list[Any] | None, HouseholdVisitState]:
        row = self._states._row(household)
        if row is None:
            return None, _S.NOT_STARTED
        return row, _derived(row[_ST], row[_LAST], row[_APPT], self.campaign, self.as_of)

    def node(self, node_id: str) -> NodeProgress:
        """Progress of one node in the scope (``InvalidInput`` outside it, ``UnknownNode``)."""
        node = self._check(node_id)
        vec = self._totals.get(self._hier.position(node_id))
        if vec is not None:
            return NodeProgress(*vec)
        scan = [0] * _W
        if node.kind is NodeKind.HOUSEHOLD:
            _add_row(scan, *self._state(node_id))
        else:
            for house in self._hier.descendants(node_id, NodeKind.HOUSEHOLD):
                _add_row(scan, *self._state(house.id))
        return NodeProgress(*scan)

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
        """Plain rows (id, name, counts, rates, shortfall, target met) per node of ``kind``."""
        target = self.campaign.target_coverage
        out = []
        for node, p in self.nodes(kind):
            row: dict[str, object] = {"id": node.id, "name": node.name, "kind": node.kind.value}
            row.update(p.as_row())
            row["shortfall"] = p.shortfall(target)
            row["target_met"] = p.shortfall(target) == 0
            out.append(row)
        return out

    def behind(self, kind: NodeKind = NodeKind.GRID, n: int = 10) -> list[dict[str, object]]:
        """The ``n`` nodes of ``kind`` furthest behind: lowest reach rate, then largest shortfall.

        Nodes with no occupied household (undefined rate) are never behind.
        """
        target = self.campaign.target_coverage
        ranked = []
        for node, p in self.nodes(kind):
            value = p.reach_rate.value
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


def _as_states(
    source: VisitReplay | HouseholdStates | Mapping[str, HouseholdVisit] | Iterable[VisitAttempt],
    campaign: Campaign,
    as_of: datetime,
    scope_ids: set[str],
    prog: Progress | None,
) -> HouseholdStates:
    if isinstance(source, VisitReplay):
        return source.households
    if isinstance(source, HouseholdStates):
        return source
    if isinstance(source, Mapping):
        rows = {}
        for key, record in source.items():
            if not isinstance(record, HouseholdVisit):
                raise InvalidInput("bad_state", f"states.{key}", "expected a HouseholdVisit")
            rows[key] = record._to_row()
        return HouseholdStates(rows, campaign.id)
    before = [a for a in source if a.at < as_of]
    return replay_visits(before, campaign, households=scope_ids, progress=prog).households


def progress(
    hierarchy: Hierarchy,
    campaign: Campaign,
    states_or_attempts: VisitReplay
    | HouseholdStates
    | Mapping[str, HouseholdVisit]
    | Iterable[VisitAttempt],
    as_of: datetime,
    *,
    progress: Progress | None = None,
) -> ProgressReport:
    """Campaign progress of every node of the campaign's scope as of ``as_of``.

    Given attempts, those strictly before ``as_of`` are replayed (attempts on
    households outside the scope are rejected there). Given household
    records (a :class:`VisitReplay`, :class:`HouseholdStates` or a mapping of
    :class:`HouseholdVisit`), they are taken as the state as of ``as_of``
    with *revisit due* derived then. ``progress(done, total)`` is called a
    bounded number of times. See :class:`ProgressReport` for an example.

    >>> from datetime import datetime, timezone
    >>> h = Hierarchy([Node("G", NodeKind.GRID, "g"), Node("H", NodeKind.HOUSEHOLD, "1", "G")])
    >>> t0 = datetime(2022, 3, 20, tzinfo=timezone.utc)
    >>> c = Campaign(id="K", scope="G", round=1, start=t0, end=t0.replace(day=28))
    >>> progress(h, c, [], t0).total.not_started
    1
    """
    require_aware(as_of, "as_of")
    if not isinstance(hierarchy, Hierarchy):
        raise InvalidInput("bad_hierarchy", "hierarchy", "expected a Hierarchy")
    if not isinstance(campaign, Campaign):
        raise InvalidInput("bad_campaign", "campaign", "expected a Campaign")
    scope = hierarchy.node(campaign.scope)
    houses: list[Node] = list(hierarchy.descendants(scope.id, NodeKind.HOUSEHOLD))
    if scope.kind is NodeKind.HOUSEHOLD:
        houses.append(scope)
    scope_ids = {h.id for h in houses}
    states = _as_states(states_or_attempts, campaign, as_of, scope_ids, progress)
    scope_pos = hierarchy.position(scope.id)
    grid_pos = hierarchy.ancestor_positions(NodeKind.GRID)
    position = hierarchy.position
    rows = states._rows
    buckets: dict[int, list[int]] = {}
    revisit_after = campaign.revisit_interval
    total = len(houses)
    every = max(1, total // 20)
    for i, house in enumerate(houses, 1):
        if progress is not None and i % every == 0:
            progress(i, total)
        g = grid_pos[position(house.id)]
        bucket = g if g >= scope_pos else scope_pos
        vec = buckets.get(bucket)
        if vec is None:
            vec = buckets[bucket] = [0] * _W
        row = rows.get(house.id)
        if row is None:
            vec[_HH] += 1
            continue
        state = row[_ST]
        if state is _S.NOBODY_HOME:
            if as_of >= row[_LAST] + revisit_after:
                state = _S.REVISIT_DUE
        elif state is _S.APPOINTMENT:
            state = _derived(state, row[_LAST], row[_APPT], campaign, as_of)
        _add_row(vec, row, state)
    totals: dict[int, list[int]] = {}
    parent_position = hierarchy.parent_position
    for bucket, vec in buckets.items():
        p = bucket
        while True:
            acc = totals.get(p)
            if acc is None:
                totals[p] = list(vec)
            else:
                for k in range(_W):
                    acc[k] += vec[k]
            if p == scope_pos:
                break
            p = parent_position(p)
    if scope_pos not in totals:
        totals[scope_pos] = [0] * _W
    if progress is not None:
        progress(total, total)
    return ProgressReport(hierarchy, campaign, states, as_of, totals)


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
        row, state = report._state(house.id)
        if not state.needs_visit:
            continue
        g = grid_pos[hier.position(house.id)]
        grid = hier.at(g).id if g >= 0 else None
        attempts = 0 if row is None else int(row[_N])
        items.append((_PRIORITY[state], order, MopUpItem(house.id, grid, state, attempts)))
    items.sort(key=lambda t: (t[0], t[1]))
    return MopUp(target_node, needed, tuple(item for _, _, item in items))


class ActorKind(StrEnum):
    """Whose workload to count: per worker or per team.

    >>> ActorKind.TEAM.value
    'team'
    """

    WORKER = "worker"
    TEAM = "team"


@attrs.frozen
class WorkloadRow:
    """Attempts made by one worker or team on one local day.

    >>> WorkloadRow("T1", date(2022, 3, 20), 120, 90, 300).attempts
    120
    """

    actor: str
    day: date
    attempts: int
    reached: int
    person_visits: int


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
    field = "worker" if by is ActorKind.WORKER else "team"
    counts: dict[tuple[str, date], list[int]] = {}
    day_of: dict[datetime, date] = {}
    reached = VisitOutcome.REACHED
    for a in attempts:
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
