"""Roll-ups: a tally's counts summed up the hierarchy, once.

Every node's value is the sum over its children plus what is attached to the
node itself. Rates are not summed: a report rebuilds them from the summed
numerators and denominators at every node (:mod:`gridcare.reports.daily`).

>>> from datetime import date
>>> from gridcare.hierarchy import Node, NodeKind
>>> from gridcare.reports.tallies import Tally
>>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
>>> rollup(h, Tally.empty().add("G", "hazards", day=date(2022, 3, 27))).value(
...     "C", "hazards", date(2022, 3, 27))
1
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from gridcare.errors import InvalidInput, require_instance, require_items
from gridcare.hierarchy import Hierarchy
from gridcare.reports.metrics import COUNTED_METRICS, counted_metric
from gridcare.reports.tallies import Tally, TallyBuilder, lookup_key

__all__ = ["Rollup", "rollup", "rollup_to"]


class Rollup:
    """Per-node totals of a tally, summed up the hierarchy in one pass.

    ``value(node, metric, day)`` is the node's own counts plus its whole
    subtree's. Counts attached to nodes the hierarchy does not hold raise
    :class:`~gridcare.errors.UnknownNode` when the rollup is built.

    >>> from datetime import date
    >>> from gridcare.hierarchy import Node, NodeKind
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
    >>> d = date(2022, 3, 27)
    >>> t = Tally.empty().add("G", "hazards", 2, day=d).add("G", "hazards", day=date(2022, 3, 28))
    >>> r = Rollup(h, t)
    >>> r.value("C", "hazards", d), r.cumulative("C", "hazards", date(2022, 3, 28)), len(r.days)
    (2, 3, 2)
    """

    __slots__ = ("_days", "_sums", "hierarchy")

    def __init__(self, hierarchy: Hierarchy, source: Tally) -> None:
        require_instance(hierarchy, Hierarchy, "hierarchy", code="not_hierarchy")
        require_instance(source, Tally, "source")
        self.hierarchy = hierarchy
        # Group the counts by node (a tally holds each (node, metric, day) once), then
        # push each node's sums into its parent in reverse preorder (children come
        # after their parent): every (metric, day) entry moves up one level at a
        # time, once, instead of being added separately into each of its up to 7
        # ancestors.
        own: dict[str, dict[tuple[str, date], int]] = {}
        for (node, name, day), n in source:
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
        self._days = source.days()

    def value(self, node: str, metric_name: str, day: date) -> int:
        """The node's total (own plus subtree) of a counted metric on one report day.

        A node the tally never counted at has 0; a rate or an unknown metric
        name is refused.
        """
        if not (type(node) is str and type(day) is date and type(metric_name) is str):
            lookup_key(node, metric_name, day)  # says what is wrong
        elif metric_name not in COUNTED_METRICS:
            counted_metric(metric_name)
        sums = self._sums.get(node)
        return 0 if sums is None else sums.get((metric_name, day), 0)

    def cumulative(self, node: str, metric_name: str, through: date) -> int:
        """A flow summed over every report day up to and including ``through``."""
        if not (type(node) is str and type(through) is date and type(metric_name) is str):
            lookup_key(node, metric_name, through, day_field="through")  # says what is wrong
        elif metric_name not in COUNTED_METRICS:
            counted_metric(metric_name)
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

    >>> from gridcare.hierarchy import Node, NodeKind
    >>> from datetime import date
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G1", NodeKind.GRID, "g", "C"),
    ...                Node("G2", NodeKind.GRID, "g", "C")])
    >>> d = date(2022, 3, 27)
    >>> t = Tally.empty().add("G1", "hazards", 2, day=d).add("G2", "hazards", 1, day=d)
    >>> rollup(h, t).value("C", "hazards", d)
    3
    """
    return Rollup(hierarchy, source)


def rollup_to(hierarchy: Hierarchy, source: Tally, nodes: Iterable[str]) -> Tally:
    """``source``'s counts moved up to the nearest of ``nodes`` at or above each count's node.

    Counts are summed, never rates. Over a smaller hierarchy that holds only
    ``nodes`` (each under the nearest of them above it here), a roll-up or a
    daily report of the result gives each of those nodes the figures a roll-up
    of ``source`` over ``hierarchy`` gives it. A province's report is made
    this way: each city rolls its own tally up to its root and its counties,
    and only those small tallies travel. ``nodes`` must hold the root (code
    ``missing``), so that every count has a node to go to; an id the
    hierarchy does not hold, among ``nodes`` or in ``source``, raises
    :class:`~gridcare.errors.UnknownNode`.

    >>> from datetime import date
    >>> from gridcare.hierarchy import Node, NodeKind
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("D", NodeKind.DISTRICT, "d", "C"),
    ...                Node("G1", NodeKind.GRID, "g", "D"), Node("G2", NodeKind.GRID, "g", "C")])
    >>> d = date(2022, 3, 27)
    >>> t = Tally.empty().add("G1", "hazards", 2, day=d).add("G2", "hazards", 1, day=d)
    >>> rollup_to(h, t, ["C", "D"]).to_dict()
    {'C': {'hazards': {'2022-03-27': 1}}, 'D': {'hazards': {'2022-03-27': 2}}}
    """
    require_instance(hierarchy, Hierarchy, "hierarchy", code="not_hierarchy")
    require_instance(source, Tally, "source")
    kept = set(hierarchy.positions(require_items(nodes, str, "nodes")))
    if 0 not in kept:
        raise InvalidInput("missing", "nodes", f"must hold the root {hierarchy.root.id!r}")
    parent_of = hierarchy.parent_position
    target: dict[str, str] = {}
    builder = TallyBuilder()
    for (node, name, day), n in source:
        goal = target.get(node)
        if goal is None:
            pos = hierarchy.position(node)
            while pos not in kept:
                pos = parent_of(pos)
            goal = target[node] = hierarchy.at(pos).id
        builder.add(goal, name, n, day=day)
    return builder.build()
