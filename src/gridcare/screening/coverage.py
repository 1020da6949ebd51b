"""Coverage of a round per node, the mop-up list, the re-test list and the report counts.

Semantics:

* every resident due is counted once, in its one :class:`~gridcare.screening.lifecycle.Outcome`,
  at its grid (or at the scope for a household above grid level);
* ``sampled`` = sampled negative + under re-test + positive + awaiting a
  result; the **coverage rate** is ``sampled / (due - away - exempt)`` as an
  exact :class:`~gridcare.rates.Rate`: residents away or exempt are accounted
  for and leave the denominator, a missed resident stays in it, and a scope
  where everyone due is away or exempt has an undefined rate (shown ``—``);
* a tube counts where its first swab's resident lives (the household, so the
  grid, or the scope above grid level); ``pooled_positive_tubes`` counts the
  pooled tubes reported positive there;
* a node's coverage is the sum of its children's and its own; rates are
  recomputed from the summed counts, never averaged.

>>> c = NodeCoverage(due=10, sampled=7, sampled_negative=7, away=1, exempt=1, missed=1)
>>> str(c.coverage_rate), c.to_sample
('87.50%', 8)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime

import attrs

from gridcare.errors import InvalidInput, read_entry, read_mapping
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.masking import (
    id_repr,
    mask_id_number,
    mask_name,
    mask_numbers,
    masked_field_reprs,
    masked_repr,
)
from gridcare.people import Resident
from gridcare.rates import Rate
from gridcare.screening.lifecycle import Outcome, RoundReplay, TubeRecord, TubeState
from gridcare.screening.round import (
    TubeKind,
    require_count,
    require_id,
    require_kind,
    require_node,
)
from gridcare.serial import JsonMixin
from gridcare.text import check_text_of

__all__ = [
    "SCREENING_METRICS",
    "CoverageReport",
    "MaskedResident",
    "MopUpList",
    "NodeCoverage",
    "RetestTube",
    "coverage",
    "mop_up_list",
    "retest_list",
    "screening_counts",
]

#: Every metric :func:`screening_counts` gives, with its Chinese and English labels.
SCREENING_METRICS: Mapping[str, tuple[str, str]] = {
    "screening_due": ("应检人数", "residents due"),
    "screening_to_sample": (
        "应采人数（扣除外出、免检）",
        "residents to sample (due less away, exempt)",
    ),
    "screening_sampled": ("已采样人数", "residents sampled"),
    "screening_sampled_negative": ("采样阴性人数", "residents sampled, negative"),
    "screening_awaiting_result": ("待出结果人数", "residents awaiting a result"),
    "screening_under_retest": ("复核中人数", "residents under re-test"),
    "screening_positive": ("阳性人数", "residents positive"),
    "screening_away": ("外出人数", "residents away"),
    "screening_exempt": ("免检人数", "residents exempt"),
    "screening_missed": ("漏检人数", "residents missed"),
    "screening_pooled_positive_tubes": ("混采阳性管数", "pooled tubes positive"),
    "screening_tubes": ("采样管数", "tubes used"),
}

_OUTCOMES: tuple[Outcome, ...] = tuple(Outcome)
_OUTCOME_CODE: dict[Outcome, int] = {o: i for i, o in enumerate(_OUTCOMES)}


_COVERAGE_FIELDS = (
    "due",
    "sampled",
    "sampled_negative",
    "awaiting_result",
    "under_retest",
    "positive",
    "away",
    "exempt",
    "missed",
    "pooled_positive_tubes",
    "tubes",
)


@attrs.frozen(field_transformer=masked_field_reprs)
class NodeCoverage(JsonMixin):
    """A node's counts in a round (a monoid: ``empty()`` and ``+``); the rate is derived.

    >>> a = NodeCoverage(due=2, sampled=1, sampled_negative=1, missed=1)
    >>> b = NodeCoverage(due=3, sampled=3, sampled_negative=2, under_retest=1)
    >>> s = a + b
    >>> s.due, s.sampled, str(s.coverage_rate)
    (5, 4, '80.00%')
    """

    due: int = 0
    sampled: int = 0
    sampled_negative: int = 0
    awaiting_result: int = 0
    under_retest: int = 0
    positive: int = 0
    away: int = 0
    exempt: int = 0
    missed: int = 0
    pooled_positive_tubes: int = 0
    tubes: int = 0

    def __attrs_post_init__(self) -> None:
        for field, value in zip(_COVERAGE_FIELDS, self.as_tuple(), strict=True):
            if type(value) is not int:
                require_count(value, field)

    @classmethod
    def empty(cls) -> NodeCoverage:
        """All counts zero (identity of ``+``).

        >>> NodeCoverage.empty() + NodeCoverage(due=1) == NodeCoverage(due=1)
        True
        """
        return cls()

    @classmethod
    def of_counts(
        cls, outcomes: Mapping[Outcome, int], *, pooled_positive_tubes: int = 0, tubes: int = 0
    ) -> NodeCoverage:
        """The coverage of residents counted per outcome.

        >>> NodeCoverage.of_counts({Outcome.MISSED: 2, Outcome.POSITIVE: 1}).sampled
        1
        """
        get = outcomes.get
        negative = get(Outcome.SAMPLED_NEGATIVE, 0)
        awaiting = get(Outcome.AWAITING_RESULT, 0)
        retest = get(Outcome.UNDER_RETEST, 0)
        positive = get(Outcome.POSITIVE, 0)
        return cls(
            due=sum(outcomes.values()),
            sampled=negative + awaiting + retest + positive,
            sampled_negative=negative,
            awaiting_result=awaiting,
            under_retest=retest,
            positive=positive,
            away=get(Outcome.AWAY, 0),
            exempt=get(Outcome.EXEMPT, 0),
            missed=get(Outcome.MISSED, 0),
            pooled_positive_tubes=pooled_positive_tubes,
            tubes=tubes,
        )

    def __add__(self, other: object) -> NodeCoverage:
        if not isinstance(other, NodeCoverage):
            return NotImplemented
        return NodeCoverage(
            *(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True))
        )

    def as_tuple(self) -> tuple[int, ...]:
        """The counts in field order."""
        return (
            self.due,
            self.sampled,
            self.sampled_negative,
            self.awaiting_result,
            self.under_retest,
            self.positive,
            self.away,
            self.exempt,
            self.missed,
            self.pooled_positive_tubes,
            self.tubes,
        )

    @property
    def to_sample(self) -> int:
        """Residents due less those away or exempt: the coverage rate's denominator."""
        return self.due - self.away - self.exempt

    @property
    def coverage_rate(self) -> Rate:
        """``sampled / (due - away - exempt)``, exact (undefined when nobody is to be sampled)."""
        return Rate(self.sampled, self.to_sample)

    def metrics(self) -> dict[str, int]:
        """The counts under their metric names (:data:`SCREENING_METRICS`).

        >>> NodeCoverage(due=1, missed=1).metrics()["screening_missed"]
        1
        """
        return {
            "screening_due": self.due,
            "screening_to_sample": self.to_sample,
            "screening_sampled": self.sampled,
            "screening_sampled_negative": self.sampled_negative,
            "screening_awaiting_result": self.awaiting_result,
            "screening_under_retest": self.under_retest,
            "screening_positive": self.positive,
            "screening_away": self.away,
            "screening_exempt": self.exempt,
            "screening_missed": self.missed,
            "screening_pooled_positive_tubes": self.pooled_positive_tubes,
            "screening_tubes": self.tubes,
        }


class CoverageReport:
    """Coverage of every node of a round's scope (see :func:`coverage`).

    >>> from datetime import datetime, timedelta, timezone
    >>> from gridcare.hierarchy import Node
    >>> from gridcare.people import Household
    >>> from gridcare.screening.round import ScreeningRound, due_list
    >>> from gridcare.screening.lifecycle import replay_round
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C"),
    ...                Node("H1", NodeKind.HOUSEHOLD, "1", "G")])
    >>> t0 = datetime(2022, 3, 27, 7, 30, tzinfo=timezone.utc)
    >>> rnd = ScreeningRound(id="S", scope="C", start=t0, end=t0 + timedelta(hours=5))
    >>> due = due_list(rnd, h, [Household(id="H1", members=("R1", "R2"))])
    >>> report = coverage(h, replay_round([], rnd, due))
    >>> report.node("C").missed, str(report.node("G").coverage_rate), report.node("H1").due
    (2, '0.00%', 2)
    """

    __slots__ = (
        "_by_place",
        "_hier",
        "_outcomes",
        "_totals",
        "_tubes_by_place",
        "replay",
        "scope",
    )

    def __init__(
        self,
        hierarchy: Hierarchy,
        replay: RoundReplay,
        outcomes: Mapping[str, Outcome],
        totals: dict[int, NodeCoverage],
    ) -> None:
        if not isinstance(hierarchy, Hierarchy):
            raise InvalidInput("bad_hierarchy", "hierarchy", "expected a Hierarchy")
        if not isinstance(replay, RoundReplay):
            raise InvalidInput("bad_replay", "replay", "expected a RoundReplay")
        if not isinstance(outcomes, Mapping):
            raise InvalidInput("bad_report", "outcomes", "expected resident id -> Outcome")
        if not isinstance(totals, dict):
            raise InvalidInput("bad_report", "totals", "expected position -> NodeCoverage")
        self._hier = hierarchy
        self.replay = replay
        self._outcomes = outcomes
        self._totals = totals
        self._by_place: dict[int, list[str]] | None = None
        self._tubes_by_place: dict[int, list[TubeRecord]] | None = None
        self.scope: Node = require_node(hierarchy, replay.screening.scope, "scope")

    @property
    def hierarchy(self) -> Hierarchy:
        """The hierarchy the report was computed over."""
        return self._hier

    @property
    def outcomes(self) -> Mapping[str, Outcome]:
        """Every resident due with its outcome."""
        return self._outcomes

    @property
    def total(self) -> NodeCoverage:
        """Coverage of the round's scope."""
        return self.node(self.scope.id)

    def _check(self, node_id: str) -> Node:
        node = require_node(self._hier, node_id, "node_id")
        if not self._hier.is_within(node_id, self.scope.id):
            raise InvalidInput(
                "outside_round_scope", "node_id", "node is outside the round's scope"
            )
        return node

    def node(self, node_id: str) -> NodeCoverage:
        """Coverage of one node of the scope (``InvalidInput`` outside it, ``UnknownNode``)."""
        node = self._check(node_id)
        summed = self._totals.get(self._hier.position(node_id))
        if summed is not None:
            return summed
        if node.kind.rank <= NodeKind.GRID.rank:
            return NodeCoverage.empty()
        return self._below_grid(node)

    def _below_grid(self, node: Node) -> NodeCoverage:
        """Count the residents of a node below a grid: those of its grid, filtered by household."""
        houses = (
            {node.id}
            if node.kind is NodeKind.HOUSEHOLD
            else {n.id for n in self._hier.descendants(node.id, NodeKind.HOUSEHOLD)}
        )
        grid = self._hier.ancestor_positions(NodeKind.GRID)[self._hier.position(node.id)]
        scope_pos = self.replay.due.scope_position
        place = grid if grid >= scope_pos else scope_pos  # the rule of due_list
        household_of = self.replay.due.household_of
        outcomes = self._outcomes
        counts: Counter[Outcome] = Counter(
            outcomes[rid] for rid in self._residents_at(place) if household_of[rid] in houses
        )
        tubes = positive = 0
        for tube in self._tubes_at(place):
            if household_of[tube.members[0]] in houses:
                tubes += 1
                positive += _pooled_positive(tube)
        return NodeCoverage.of_counts(counts, pooled_positive_tubes=positive, tubes=tubes)

    def _tubes_at(self, place: int) -> list[TubeRecord]:
        """The tubes counted at ``place`` (an index built on first use, then kept)."""
        if self._tubes_by_place is None:
            place_of = self.replay.due.place_of
            index: dict[int, list[TubeRecord]] = {}
            for tube in self.replay.tubes.records.values():
                at = place_of.get(tube.members[0])
                if at is not None:
                    index.setdefault(at, []).append(tube)
            self._tubes_by_place = index
        return self._tubes_by_place.get(place, [])

    def _residents_at(self, place: int) -> list[str]:
        """The residents due counted at ``place`` (an index built on first use, then kept)."""
        if self._by_place is None:
            index: dict[int, list[str]] = {}
            for rid, at in self.replay.due.place_of.items():
                found = index.get(at)
                if found is None:
                    index[at] = [rid]
                else:
                    found.append(rid)
            self._by_place = index
        return self._by_place.get(place, [])

    def children(self, node_id: str) -> tuple[tuple[Node, NodeCoverage], ...]:
        """Each child of ``node_id`` with its coverage."""
        self._check(node_id)
        return tuple((child, self.node(child.id)) for child in self._hier.children(node_id))

    def nodes(self, kind: NodeKind) -> tuple[tuple[Node, NodeCoverage], ...]:
        """Every node of ``kind`` in the scope, in preorder, with its coverage."""
        require_kind(kind)
        found: list[Node] = list(self._hier.descendants(self.scope.id, kind))
        if self.scope.kind is kind:
            found.insert(0, self.scope)
        return tuple((n, self.node(n.id)) for n in found)

    def most_missed(self, kind: NodeKind = NodeKind.GRID, n: int = 10) -> list[tuple[Node, int]]:
        """The ``n`` nodes of ``kind`` with the most missed residents (most first, preorder)."""
        require_count(n, "n")
        ranked = [(c.missed, node) for node, c in self.nodes(kind) if c.missed]
        ranked.sort(key=lambda item: -item[0])
        return [(node, missed) for missed, node in ranked[:n]]

    def __repr__(self) -> str:
        t = self.total
        return (
            f"CoverageReport(round={masked_repr(self.replay.screening.id)}, due={t.due}, "
            f"sampled={t.sampled}, missed={t.missed}, coverage={t.coverage_rate})"
        )


def _count_by_place(replay: RoundReplay, outcomes: Mapping[str, Outcome]) -> Counter[int]:
    """Residents per (place, outcome) as one int key: ``place * width + outcome code``."""
    place_of = replay.due.place_of
    code = _OUTCOME_CODE
    width = len(_OUTCOMES)
    return Counter([place_of[rid] * width + code[outcome] for rid, outcome in outcomes.items()])


def _tubes_by_place(replay: RoundReplay) -> tuple[Counter[int], Counter[int]]:
    """Tubes and pooled positive tubes per place (the place of each tube's first swab)."""
    place_of = replay.due.place_of
    used: Counter[int] = Counter()
    positive: Counter[int] = Counter()
    for tube in replay.tubes.records.values():
        place = place_of.get(tube.members[0])
        if place is None:
            continue
        used[place] += 1
        positive[place] += _pooled_positive(tube)
    return used, positive


def _pooled_positive(tube: TubeRecord) -> int:
    """1 for a pooled tube reported positive, else 0."""
    return 1 if tube.kind is TubeKind.POOLED and tube.state is TubeState.POSITIVE else 0


def _sum_up(
    hierarchy: Hierarchy, scope_pos: int, own: Mapping[int, NodeCoverage]
) -> dict[int, NodeCoverage]:
    """Each place's coverage added to every node from the place up to the scope."""
    totals: dict[int, NodeCoverage] = {scope_pos: NodeCoverage.empty()}
    for place, counted in own.items():
        pos = place
        while True:
            summed = totals.get(pos)
            totals[pos] = counted if summed is None else summed + counted
            if pos == scope_pos:
                break
            pos = hierarchy.parent_position(pos)
    return totals


def coverage(hierarchy: Hierarchy, replay: RoundReplay) -> CoverageReport:
    """Coverage of every node of the round's scope from a replayed round.

    Residents are counted per (grid, outcome) in one pass over the outcomes,
    with integer keys; each grid's counts are added to its ancestors up to the
    scope. Nodes below a grid are counted on demand.

    >>> from datetime import datetime, timedelta, timezone
    >>> from gridcare.hierarchy import Node
    >>> from gridcare.screening.round import DueList, ScreeningRound
    >>> from gridcare.screening.lifecycle import replay_round
    >>> h = Hierarchy([Node("G", NodeKind.GRID, "g")])
    >>> t0 = datetime(2022, 3, 27, 7, 30, tzinfo=timezone.utc)
    >>> rnd = ScreeningRound(id="S", scope="G", start=t0, end=t0 + timedelta(hours=5))
    >>> due = DueList(round_id="S", scope_position=0, household_of={}, place_of={})
    >>> coverage(h, replay_round([], rnd, due)).total.due
    0
    """
    if not isinstance(hierarchy, Hierarchy):
        raise InvalidInput("bad_hierarchy", "hierarchy", "expected a Hierarchy")
    if not isinstance(replay, RoundReplay):
        raise InvalidInput("bad_replay", "replay", "expected a RoundReplay")
    scope_pos = hierarchy.position(require_node(hierarchy, replay.screening.scope, "scope").id)
    if scope_pos != replay.due.scope_position:
        raise InvalidInput("wrong_hierarchy", "hierarchy", "the due list is of another hierarchy")
    outcomes = replay.outcomes()
    keyed = _count_by_place(replay, outcomes)
    used, positive = _tubes_by_place(replay)
    width = len(_OUTCOMES)
    per_place: dict[int, dict[Outcome, int]] = {}
    for key, n in keyed.items():
        place, code = divmod(key, width)
        per_place.setdefault(place, {})[_OUTCOMES[code]] = n
    own = {
        place: NodeCoverage.of_counts(
            counts, pooled_positive_tubes=positive.get(place, 0), tubes=used.get(place, 0)
        )
        for place, counts in per_place.items()
    }
    return CoverageReport(hierarchy, replay, outcomes, _sum_up(hierarchy, scope_pos, own))


#: Each text of a :class:`MaskedResident`: its field, the text kind whose rules
#: it keeps (:func:`gridcare.text.kind_problem`), and whether it may be empty.
_MASKED_TEXTS: tuple[tuple[str, str, bool], ...] = (
    ("resident_id", "id", False),
    ("household_id", "id", True),
    ("grid_id", "id", True),
    ("name", "name", True),
    ("document", "short", True),
)


@attrs.frozen(field_transformer=masked_field_reprs)
class MaskedResident:
    """A resident as a list shows it: ids, and the name and ID number masked.

    Only masked forms are stored, so no list can leak them. Each text keeps
    the rules of its kind (:func:`gridcare.text.kind_problem`, with its
    codes): the resident's id those of an id; the household's and the grid's
    ids those of an id or ``""`` (a resident the due list does not place);
    the masked name those of a person's name (at most 50 characters) and the
    masked document number those of a short text (at most 20), or ``""``
    (the resident is unknown).

    >>> MaskedResident("R1", "H1", "G1", "刘*娟", "430202********0024")
    MaskedResident(resident_id='R1', household_id='H1', grid_id='G1', name='刘*娟', ...)
    >>> MaskedResident("R1", "H1", "G\x1b[2J1")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: grid_id: control character U+001B at ... [control_character]
    """

    resident_id: str = attrs.field(repr=id_repr)
    household_id: str = attrs.field(repr=id_repr)
    grid_id: str
    name: str = ""
    document: str = ""

    def __attrs_post_init__(self) -> None:
        for field, kind, allow_empty in _MASKED_TEXTS:
            check_text_of(getattr(self, field), field, kind, allow_empty=allow_empty)

    @classmethod
    def of(
        cls, resident_id: str, household_id: str, grid_id: str, resident: Resident | None
    ) -> MaskedResident:
        """Mask a resident's name and document number (blank when the resident is unknown),
        and any phone or ID number in the ids (:func:`gridcare.masking.mask_numbers`).

        >>> MaskedResident.of("R1", "H1", "G1", None).name
        ''
        """
        if resident is not None and not isinstance(resident, Resident):
            raise InvalidInput("bad_resident", "resident", "expected a Resident or None")
        # Anything but text goes to the checks of the class as it came.
        rid = mask_numbers(resident_id) if isinstance(resident_id, str) else resident_id
        house = mask_numbers(household_id) if isinstance(household_id, str) else household_id
        if resident is None:
            return cls(rid, house, grid_id)
        return cls(
            rid,
            house,
            grid_id,
            mask_name(resident.name),
            mask_id_number(str(resident.document.number)),
        )


def _residents_map(residents: object) -> Mapping[str, Resident]:
    if not isinstance(residents, Mapping):
        raise InvalidInput("bad_residents", "residents", "expected resident id -> Resident")
    return residents


def _lookup(residents: Mapping[str, Resident], resident_id: str) -> Resident | None:
    found = read_entry(residents, resident_id, "residents")
    return found if isinstance(found, Resident) else None


@attrs.frozen(field_transformer=masked_field_reprs)
class MopUpList:
    """Missed residents per grid, masked, with their households, for door-knocking.

    ``by_grid`` maps each grid id (in preorder; an id with the text rules of
    an id) to its missed residents, household by household.

    >>> MopUpList("S1", {}).total
    0
    """

    round_id: str
    by_grid: Mapping[str, tuple[MaskedResident, ...]]

    def __attrs_post_init__(self) -> None:
        require_id(self.round_id, "round_id")
        if not isinstance(self.by_grid, Mapping):
            raise InvalidInput("bad_list", "by_grid", "expected grid id -> residents")
        for grid_id, rows in read_mapping(self.by_grid, "by_grid").items():
            require_id(grid_id, "by_grid")
            if not isinstance(rows, tuple) or not all(isinstance(r, MaskedResident) for r in rows):
                raise InvalidInput("bad_list", "by_grid", "expected tuples of MaskedResident")

    @property
    def total(self) -> int:
        """How many residents are listed."""
        return sum(len(v) for v in self.by_grid.values())


def mop_up_list(
    report: CoverageReport, residents: Mapping[str, Resident], node_id: str | None = None
) -> MopUpList:
    """The missed residents of ``node_id`` (the scope by default) per grid, masked.

    ``residents`` gives the residents to show (id -> :class:`~gridcare.people.Resident`,
    e.g. only the missed ones); one it lacks is listed by id only.

    >>> from datetime import datetime, timedelta, timezone
    >>> from gridcare.hierarchy import Node
    >>> from gridcare.people import Household
    >>> from gridcare.screening.round import ScreeningRound, due_list
    >>> from gridcare.screening.lifecycle import replay_round
    >>> h = Hierarchy([Node("G", NodeKind.GRID, "g"), Node("H1", NodeKind.HOUSEHOLD, "1", "G")])
    >>> t0 = datetime(2022, 3, 27, 7, 30, tzinfo=timezone.utc)
    >>> rnd = ScreeningRound(id="S", scope="G", start=t0, end=t0 + timedelta(hours=5))
    >>> report = coverage(h, replay_round([], rnd, due_list(rnd, h, [Household(id="H1",
    ...                                                       members=("R1",))])))
    >>> mop_up_list(report, {}).by_grid["G"][0].resident_id
    'R1'
    """
    if not isinstance(report, CoverageReport):
        raise InvalidInput("bad_report", "report", "expected a CoverageReport")
    known = _residents_map(residents)
    hier = report.hierarchy
    top = report.scope if node_id is None else report._check(node_id)
    household_of = report.replay.due.household_of
    grid_index = hier.ancestor_index(NodeKind.GRID)
    top_pos = hier.position(top.id)
    stop = top_pos + 1 + len(hier.descendants(top.id))
    found: dict[int, list[tuple[int, str, str]]] = {}
    for rid, outcome in report.outcomes.items():
        if outcome is not Outcome.MISSED:
            continue
        house = household_of[rid]
        pos = hier.position(house)
        if not top_pos <= pos < stop:
            continue
        grid = grid_index[house]
        found.setdefault(grid, []).append((pos, rid, house))
    by_grid: dict[str, tuple[MaskedResident, ...]] = {}
    for grid in sorted(found):
        grid_id = hier.at(grid).id if grid >= 0 else top.id
        rows = sorted(found[grid])
        by_grid[grid_id] = tuple(
            MaskedResident.of(rid, house, grid_id, _lookup(known, rid)) for _, rid, house in rows
        )
    return MopUpList(report.replay.screening.id, by_grid)


@attrs.frozen(field_transformer=masked_field_reprs)
class RetestTube:
    """A tube that calls for re-tests (positive pool or invalid), with its members masked.

    ``retested`` lists, per member, whether a single-tube re-test was taken.
    ``tube_id`` keeps the text rules of an id (:func:`~gridcare.screening.round.require_id`).

    >>> RetestTube("T1", None, (), ()).tube_id
    'T1'
    """

    tube_id: str
    result_at: datetime | None
    members: tuple[MaskedResident, ...]
    retested: tuple[bool, ...]

    def __attrs_post_init__(self) -> None:
        require_id(self.tube_id, "tube_id")
        if not isinstance(self.members, tuple) or not isinstance(self.retested, tuple):
            raise InvalidInput("bad_list", "members", "expected tuples")
        if len(self.members) != len(self.retested):
            raise InvalidInput("bad_list", "retested", "one flag per member")


def retest_list(
    report: CoverageReport, residents: Mapping[str, Resident]
) -> tuple[RetestTube, ...]:
    """Every tube that calls for re-tests, by result instant then id, with its members masked.

    >>> from datetime import datetime, timedelta, timezone
    >>> from gridcare.hierarchy import Node
    >>> from gridcare.screening.round import DueList, ScreeningRound
    >>> from gridcare.screening.lifecycle import replay_round
    >>> h = Hierarchy([Node("G", NodeKind.GRID, "g")])
    >>> t0 = datetime(2022, 3, 27, 7, 30, tzinfo=timezone.utc)
    >>> rnd = ScreeningRound(id="S", scope="G", start=t0, end=t0 + timedelta(hours=5))
    >>> due = DueList(round_id="S", scope_position=0, household_of={}, place_of={})
    >>> retest_list(coverage(h, replay_round([], rnd, due)), {})
    ()
    """
    if not isinstance(report, CoverageReport):
        raise InvalidInput("bad_report", "report", "expected a CoverageReport")
    known = _residents_map(residents)
    replay = report.replay
    hier = report.hierarchy
    household_of = replay.due.household_of
    grid_index = hier.ancestor_index(NodeKind.GRID)
    records = replay.residents.records
    out: list[RetestTube] = []
    tubes = replay.tubes.records
    calling = [t for t in tubes.values() if t.calls_for_retest]
    calling.sort(
        key=lambda t: (t.result_at is None, t.result_at or replay.screening.start, t.tube_id)
    )
    for tube in calling:
        members: list[MaskedResident] = []
        retested: list[bool] = []
        for rid in tube.members:
            house = household_of.get(rid, "")
            grid = grid_index.get(house, -1)
            grid_id = hier.at(grid).id if grid >= 0 else ""
            members.append(MaskedResident.of(rid, house, grid_id, _lookup(known, rid)))
            record = records.get(rid)
            retested.append(record is not None and record.tube_id != tube.tube_id)
        out.append(RetestTube(tube.tube_id, tube.result_at, tuple(members), tuple(retested)))
    return tuple(out)


def screening_counts(
    report: CoverageReport, kind: NodeKind | None = None
) -> dict[tuple[str, str], int]:
    """Per-node counts keyed by ``(node id, metric name)`` for the daily report.

    Every node of the scope at grid level and above (or only those of
    ``kind``), every metric of :data:`SCREENING_METRICS`, zeros included.

    >>> from datetime import datetime, timedelta, timezone
    >>> from gridcare.hierarchy import Node
    >>> from gridcare.screening.round import DueList, ScreeningRound
    >>> from gridcare.screening.lifecycle import replay_round
    >>> h = Hierarchy([Node("G", NodeKind.GRID, "g")])
    >>> t0 = datetime(2022, 3, 27, 7, 30, tzinfo=timezone.utc)
    >>> rnd = ScreeningRound(id="S", scope="G", start=t0, end=t0 + timedelta(hours=5))
    >>> due = DueList(round_id="S", scope_position=0, household_of={}, place_of={})
    >>> screening_counts(coverage(h, replay_round([], rnd, due)))[("G", "screening_due")]
    0
    """
    if not isinstance(report, CoverageReport):
        raise InvalidInput("bad_report", "report", "expected a CoverageReport")
    if kind is not None:
        require_kind(kind)
    kinds = [k for k in NodeKind if k.rank <= NodeKind.GRID.rank] if kind is None else [kind]
    out: dict[tuple[str, str], int] = {}
    for k in kinds:
        for node, counted in report.nodes(k):
            for metric, n in counted.metrics().items():
                out[(node.id, metric)] = n
    return out
