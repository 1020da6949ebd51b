"""Hypothesis strategies for screening rounds, their tubes and their event logs.

Always sound: every value they draw passes its constructor's checks. Logs
are mostly legal with stray events mixed in (a swab beyond the pool size, a
second tube without a re-test, a seal before any swab, events of another
round), so a replay must reject, never drop, what the tables and guards
refuse.

>>> from hypothesis import given, settings
>>> @settings(max_examples=5)
... @given(round_cases())
... def check(case):
...     assert len(case.due) == sum(len(m) for m in case.households.values())
>>> check()
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import attrs
from hypothesis import strategies as st

from gridcare.errors import InvalidInput, require_instance, require_items
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.masking import masked_field_reprs
from gridcare.people import Household
from gridcare.screening import (
    AwayReason,
    DueList,
    Exemption,
    ExemptionReason,
    LabResult,
    MarkedAway,
    MarkedExempt,
    PoolingRule,
    Registered,
    ScreeningEvent,
    ScreeningRound,
    SwabAdded,
    TubeKind,
    TubeResult,
    TubeSealed,
    due_list,
)
from gridcare.screening.round import require_id
from gridcare.testing._arguments import require_size, require_some
from gridcare.testing.strategies import checked

__all__ = ["RoundCase", "round_cases", "screening_events", "screening_rounds", "tube_logs"]

_EPOCH = datetime(2022, 3, 27, 7, 30, tzinfo=timezone(timedelta(hours=8)))


@checked
def screening_rounds(scope: str = "C", round_id: str = "S1") -> st.SearchStrategy[ScreeningRound]:
    """Rounds over ``scope``: start in March 2022 (UTC+8), 1-8 hours, pools of 1 to 20.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(screening_rounds())
    ... def check(r):
    ...     assert 1 <= r.pooling.pool_size <= 20 and r.start < r.end
    >>> check()
    """
    return _screening_rounds(require_id(scope, "scope"), require_id(round_id, "round_id"))


@st.composite
def _screening_rounds(draw: st.DrawFn, scope: str, round_id: str) -> ScreeningRound:
    start = _EPOCH + timedelta(minutes=draw(st.integers(0, 20 * 24 * 60)))
    hours = draw(st.integers(1, 8))
    pool = draw(st.sampled_from((1, 2, 3, 5, 10, 20)))
    return ScreeningRound(
        id=round_id,
        scope=scope,
        start=start,
        end=start + timedelta(hours=hours),
        pooling=PoolingRule(pool_size=pool),
    )


def _check_households(value: object, field: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise InvalidInput(
            "not_mapping", field, f"expected a dict, got {type(value).__name__}", value=value
        )
    for key, members in value.items():
        require_id(key, f"{field}.key")
        require_instance(members, tuple, f"{field}.{key}")
        require_items(members, str, f"{field}.{key}")
    return value


def _check_events(value: object, field: str) -> tuple[ScreeningEvent, ...]:
    events = require_instance(value, tuple, field)
    for i, event in enumerate(events):
        if not isinstance(event, ScreeningEvent):
            raise InvalidInput(
                "wrong_type",
                f"{field}.{i}",
                f"expected a screening event, got {type(event).__name__}",
                value=event,
            )
    return events


@attrs.frozen(field_transformer=masked_field_reprs)
class RoundCase:
    """A small city (one city, two grids, households under the grids and some straight under
    the city), a round over it, who is due, and a log (drawn by :func:`round_cases`).

    Each field is checked for its type when the case is built (codes
    ``wrong_type``, ``not_mapping``, ``not_list`` and those of ids).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=3)
    ... @given(round_cases())
    ... def check(case):
    ...     assert case.screening.scope == case.hierarchy.root.id
    >>> check()
    """

    hierarchy: Hierarchy = attrs.field(
        validator=lambda _, a, v: require_instance(v, Hierarchy, a.name)
    )
    screening: ScreeningRound = attrs.field(
        validator=lambda _, a, v: require_instance(v, ScreeningRound, a.name)
    )
    households: dict[str, tuple[str, ...]] = attrs.field(
        validator=lambda _, a, v: _check_households(v, a.name)
    )
    due: DueList = attrs.field(validator=lambda _, a, v: require_instance(v, DueList, a.name))
    events: tuple[ScreeningEvent, ...] = attrs.field(
        validator=lambda _, a, v: _check_events(v, a.name)
    )


def _hierarchy(households: dict[str, tuple[str, ...]]) -> Hierarchy:
    nodes = [Node("C", NodeKind.CITY, "城")]
    nodes.extend(Node(h, NodeKind.HOUSEHOLD, h, "C") for h in households if h.startswith("C-"))
    for g in ("G1", "G2"):
        nodes.append(Node(g, NodeKind.GRID, g, "C"))
        nodes.extend(Node(h, NodeKind.HOUSEHOLD, h, g) for h in households if h.startswith(g))
    return Hierarchy(nodes)


def _check_residents(values: object, *, some: bool) -> tuple[str, ...]:
    if some:
        return require_some(values, str, "residents", require_id)
    found = tuple(require_items(values, str, "residents"))
    for i, resident in enumerate(found):
        require_id(resident, f"residents.{i}")
    return found


@checked
def tube_logs(
    screening: ScreeningRound, residents: tuple[str, ...]
) -> st.SearchStrategy[list[ScreeningEvent]]:
    """A log of tubes for ``residents``: swabs, seals, results, re-tests, some of them stray.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(screening_rounds().flatmap(lambda r: tube_logs(r, ("R1", "R2"))))
    ... def check(log):
    ...     assert all(e.round_id == "S1" for e in log)
    >>> check()
    """
    return _tube_logs(
        require_instance(screening, ScreeningRound, "screening"),
        _check_residents(residents, some=False),
    )


@st.composite
def _tube_logs(
    draw: st.DrawFn, screening: ScreeningRound, residents: tuple[str, ...]
) -> list[ScreeningEvent]:
    pool = screening.pooling.pool_size
    span = int((screening.end - screening.start).total_seconds()) - 1
    events: list[ScreeningEvent] = []
    counter = [0]

    def eid() -> str:
        counter[0] += 1
        return f"e{counter[0]}"

    def instant(low: int = 0, high: int = span) -> datetime:
        return screening.start + timedelta(seconds=draw(st.integers(low, high)))

    sampled = [r for r in residents if draw(st.booleans())]
    tube_no = 0
    while sampled:
        size = draw(st.integers(1, pool + 1))  # one more than the pool now and then: a stray
        members, sampled = sampled[:size], sampled[size:]
        tube_no += 1
        tube_id = f"T{tube_no}"
        kind = TubeKind.SINGLE if pool == 1 or draw(st.integers(0, 5)) == 0 else TubeKind.POOLED
        if kind is TubeKind.SINGLE:
            members = members[:1]
        last = screening.start
        for member in members:
            at = instant()
            last = max(last, at)
            events.append(
                SwabAdded(
                    id=eid(),
                    at=at,
                    round_id=screening.id,
                    resident_id=member,
                    tube_id=tube_id,
                    tube_kind=kind,
                )
            )
        sealed = last + timedelta(seconds=draw(st.integers(1, 600)))
        events.append(TubeSealed(id=eid(), at=sealed, round_id=screening.id, tube_id=tube_id))
        if draw(st.integers(0, 5)) == 0:
            continue  # no result yet
        result = draw(st.sampled_from(LabResult))
        reported = sealed + timedelta(hours=draw(st.integers(1, 12)))
        events.append(
            TubeResult(id=eid(), at=reported, round_id=screening.id, tube_id=tube_id, result=result)
        )
        if result is LabResult.NEGATIVE or (
            result is LabResult.POSITIVE and kind is TubeKind.SINGLE
        ):
            continue
        for member in members:
            if draw(st.integers(0, 4)) == 0:
                continue  # not re-tested yet
            tube_no += 1
            again = f"T{tube_no}"
            at = reported + timedelta(minutes=draw(st.integers(0, 600)))
            events.append(
                SwabAdded(
                    id=eid(),
                    at=at,
                    round_id=screening.id,
                    resident_id=member,
                    tube_id=again,
                    tube_kind=TubeKind.SINGLE,
                    retest_of=tube_id,
                )
            )
            done = at + timedelta(minutes=1)
            events.append(TubeSealed(id=eid(), at=done, round_id=screening.id, tube_id=again))
            events.append(
                TubeResult(
                    id=eid(),
                    at=done + timedelta(hours=3),
                    round_id=screening.id,
                    tube_id=again,
                    result=draw(st.sampled_from(LabResult)),
                )
            )
    return events


@checked
def screening_events(
    screening: ScreeningRound, residents: tuple[str, ...]
) -> st.SearchStrategy[ScreeningEvent]:
    """One event of any kind for one of ``residents`` (at least one; legal or not in context).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(screening_rounds().flatmap(lambda r: screening_events(r, ("R1",))))
    ... def check(event):
    ...     assert event.kind.value
    >>> check()
    """
    return _screening_events(
        require_instance(screening, ScreeningRound, "screening"),
        _check_residents(residents, some=True),
    )


@st.composite
def _screening_events(
    draw: st.DrawFn, screening: ScreeningRound, residents: tuple[str, ...]
) -> ScreeningEvent:
    span = int((screening.end - screening.start).total_seconds()) + 3600
    at = screening.start + timedelta(seconds=draw(st.integers(0, span)))
    resident = draw(st.sampled_from(residents))
    event_id = f"x{draw(st.integers(0, 10_000))}"
    tube = f"T{draw(st.integers(1, 5))}"
    rid = screening.id
    choice = draw(st.integers(0, 5))
    if choice == 0:
        return Registered(id=event_id, at=at, round_id=rid, resident_id=resident, site_id="P1")
    if choice == 1:
        return SwabAdded(
            id=event_id,
            at=at,
            round_id=rid,
            resident_id=resident,
            tube_id=tube,
            tube_kind=draw(st.sampled_from(TubeKind)),
        )
    if choice == 2:
        return TubeSealed(id=event_id, at=at, round_id=rid, tube_id=tube)
    if choice == 3:
        return TubeResult(
            id=event_id, at=at, round_id=rid, tube_id=tube, result=draw(st.sampled_from(LabResult))
        )
    if choice == 4:
        return MarkedAway(
            id=event_id,
            at=at,
            round_id=rid,
            resident_id=resident,
            reason=draw(st.sampled_from(AwayReason)),
        )
    return MarkedExempt(
        id=event_id,
        at=at,
        round_id=rid,
        resident_id=resident,
        reason=draw(st.sampled_from(ExemptionReason)),
    )


@checked
def round_cases(max_households: int = 6) -> st.SearchStrategy[RoundCase]:
    """A round over a two-grid city with 1 to ``max_households`` (at most 1,000) households and
    a mixed log.

    Some residents are single-tubed, some exempt from the start; the log has
    tubes (:func:`tube_logs`), away and exempt marks, registrations that lead
    nowhere, and stray events (:func:`screening_events`). Event ids are
    unique: a repeated id in a log is a duplicate of the same event.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(round_cases())
    ... def check(case):
    ...     assert case.hierarchy.root.id == "C"
    >>> check()
    """
    return _round_cases(require_size(max_households, "max_households", low=1))


@st.composite
def _round_cases(draw: st.DrawFn, max_households: int) -> RoundCase:
    n_houses = draw(st.integers(1, max_households))
    households: dict[str, tuple[str, ...]] = {}
    k = 0
    for i in range(n_houses):
        grid = draw(st.sampled_from(("G1", "G2", "G1", "G2", "C")))  # C: above grid level
        size = draw(st.integers(0, 4))
        households[f"{grid}-H{i}"] = tuple(f"R{k + j}" for j in range(size))
        k += size
    hierarchy = _hierarchy(households)
    residents = tuple(r for members in households.values() for r in members)
    base = draw(_screening_rounds("C", "S1"))
    exempt = [r for r in residents if draw(st.integers(0, 9)) == 0]
    screening = attrs.evolve(
        base,
        exemptions=tuple(
            Exemption(resident_id=r, reason=ExemptionReason.IN_HOSPITAL) for r in exempt
        ),
    )
    singles = [r for r in residents if draw(st.integers(0, 5)) == 0]
    due = due_list(
        screening,
        hierarchy,
        [Household(id=h, members=m) for h, m in households.items()],
        single_tube=singles,
    )
    events: list[ScreeningEvent] = []
    if residents:
        events.extend(draw(_tube_logs(screening, residents)))
        span = int((screening.end - screening.start).total_seconds()) - 1
        for r in residents:
            pick = draw(st.integers(0, 9))
            at = screening.start + timedelta(seconds=draw(st.integers(0, span)))
            if pick == 0:
                events.append(
                    MarkedAway(
                        id=f"a-{r}",
                        at=at,
                        round_id=screening.id,
                        resident_id=r,
                        reason=AwayReason.OUT_OF_AREA,
                    )
                )
            elif pick == 1:
                events.append(
                    Registered(
                        id=f"g-{r}",
                        at=at,
                        round_id=screening.id,
                        resident_id=r,
                        door_team_id="D1",
                    )
                )
            elif pick == 2:
                events.append(
                    MarkedExempt(
                        id=f"x-{r}",
                        at=at,
                        round_id=screening.id,
                        resident_id=r,
                        reason=ExemptionReason.INFANT,
                    )
                )
        events.extend(
            draw(
                st.lists(
                    _screening_events(screening, residents), max_size=3, unique_by=lambda e: e.id
                )
            )
        )
    return RoundCase(hierarchy, screening, households, due, tuple(events))
