"""The mop-up and re-test lists against plain statements of their rules, node by node.

A grid worker acts on these lists (who to knock up, who to re-test), so each
entry, its grid, its order and its masked name are checked, not only counted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.codes import CitizenId, Sex
from gridcare.errors import InvalidInput
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.people import CareNeed, Household, IdDocument, IdKind, Resident
from gridcare.risk import MeasureKind
from gridcare.screening import (
    CensusEntry,
    CoverageReport,
    DueList,
    LabResult,
    MaskedResident,
    Outcome,
    PoolingRule,
    Registered,
    ResidentRecord,
    ResidentState,
    ScreeningEvent,
    ScreeningEventKind,
    ScreeningRound,
    SwabAdded,
    TubeKind,
    TubeRecord,
    TubeResult,
    TubeSealed,
    TubeState,
    coverage,
    due_list,
    mop_up_list,
    needs_door_sampling,
    replay_round,
    resident_outcome,
    resident_state_as_of,
    retest_list,
)
from gridcare.testing._screening_strategies import RoundCase, round_cases

DOCUMENT = CitizenId.parse("430202193903070024")
T0 = datetime(2022, 3, 27, 7, 30, tzinfo=UTC)


def _resident(resident_id: str, household_id: str) -> Resident:
    return Resident(
        id=resident_id,
        household_id=household_id,
        name="刘晓娟",
        sex=Sex.FEMALE,
        document=DOCUMENT,
        birth_date=date(1939, 3, 7),
    )


def _register(case: RoundCase, picks: list[int]) -> dict[str, object]:
    """Residents to show: a Resident for some, something else for others (shown by id only)."""
    shown: dict[str, object] = {}
    for (resident_id, house), pick in zip(case.due.household_of.items(), picks, strict=False):
        if pick == 1:
            shown[resident_id] = _resident(resident_id, house)
        elif pick == 2:
            shown[resident_id] = "not a resident"
    return shown


def _masked(resident_id: str, house: str, grid_id: str, shown: dict[str, object]) -> MaskedResident:
    person = shown.get(resident_id)
    return MaskedResident.of(
        resident_id, house, grid_id, person if isinstance(person, Resident) else None
    )


def _plain_mop_up(
    report: CoverageReport, h: Hierarchy, top: Node, shown: dict[str, object]
) -> list[tuple[str, tuple[MaskedResident, ...]]]:
    """Missed residents within ``top``, grouped under their grid (``top`` above grid level),
    groups in preorder with the ones above grid level first, by household then id."""
    household_of = report.replay.due.household_of
    groups: dict[str, list[tuple[int, str, str]]] = {}
    order: dict[str, int] = {}
    for resident_id, outcome in report.outcomes.items():
        house = household_of[resident_id]
        if outcome is not Outcome.MISSED or not h.is_within(house, top.id):
            continue
        grid = h.grid_of(house)
        key = top.id if grid is None else grid.id
        order[key] = -1 if grid is None else h.position(grid.id)
        groups.setdefault(key, []).append((h.position(house), resident_id, house))
    return [
        (key, tuple(_masked(rid, house, key, shown) for _, rid, house in sorted(groups[key])))
        for key in sorted(groups, key=order.__getitem__)
    ]


@given(round_cases(), st.lists(st.integers(0, 2), max_size=30), st.data())
def test_the_mop_up_list_holds_each_missed_resident_of_the_node(
    case: RoundCase, picks: list[int], data: st.DataObject
) -> None:
    report = coverage(case.hierarchy, replay_round(case.events, case.screening, case.due))
    h = case.hierarchy
    shown = _register(case, picks)
    top = data.draw(st.sampled_from(list(h)))
    got = mop_up_list(report, shown, top.id)  # type: ignore[arg-type]
    assert list(got.by_grid.items()) == _plain_mop_up(report, h, top, shown)
    assert got.total == sum(
        1
        for rid, o in report.outcomes.items()
        if o is Outcome.MISSED and h.is_within(report.replay.due.household_of[rid], top.id)
    )
    whole = mop_up_list(report, shown)  # type: ignore[arg-type]
    assert list(whole.by_grid.items()) == _plain_mop_up(report, h, h.root, shown)


def _plain_retests(
    report: CoverageReport, h: Hierarchy, shown: dict[str, object]
) -> list[tuple[str, datetime | None, tuple[MaskedResident, ...], tuple[bool, ...]]]:
    """Tubes calling for re-tests by result instant (unreported last), then id; members in
    the tube's order under their grid ("" when none), each flagged when their record has
    moved on to another tube."""
    replay = report.replay
    start = replay.screening.start
    calling: list[TubeRecord] = sorted(
        (t for t in replay.tubes.records.values() if t.calls_for_retest),
        key=lambda t: (t.result_at is None, t.result_at or start, t.tube_id),
    )
    out = []
    for tube in calling:
        members = []
        retested = []
        for rid in tube.members:
            house = replay.due.household_of.get(rid, "")
            grid = h.grid_of(house) if house else None
            members.append(_masked(rid, house, "" if grid is None else grid.id, shown))
            record = replay.residents.records.get(rid)
            retested.append(record is not None and record.tube_id != tube.tube_id)
        out.append((tube.tube_id, tube.result_at, tuple(members), tuple(retested)))
    return out


@given(round_cases(), st.lists(st.integers(0, 2), max_size=30))
def test_the_retest_list_holds_each_tube_that_calls_for_retests(
    case: RoundCase, picks: list[int]
) -> None:
    report = coverage(case.hierarchy, replay_round(case.events, case.screening, case.due))
    shown = _register(case, picks)
    got = retest_list(report, shown)  # type: ignore[arg-type]
    assert [(t.tube_id, t.result_at, t.members, t.retested) for t in got] == _plain_retests(
        report, case.hierarchy, shown
    )


# ----------------------------------------------------------------- who is sampled how


def _born(birth: date, needs: frozenset[CareNeed] = frozenset()) -> Resident:
    passport = IdDocument(IdKind.PASSPORT, "E00000001")  # a passport: any birth date
    return attrs.evolve(
        _resident("R1", "H1"), birth_date=birth, care_needs=needs, document=passport
    )


@pytest.mark.parametrize("year", [1, 9999])
def test_door_sampling_refuses_an_instant_outside_the_supported_years(year: int) -> None:
    """Year 9999 in UTC has no local date in the rule's zone: refused, not an OverflowError."""
    with pytest.raises(InvalidInput) as caught:
        needs_door_sampling(_born(date(1942, 3, 27)), datetime(year, 6, 1, tzinfo=UTC))
    assert (caught.value.code, caught.value.field) == ("out_of_range", "as_of")


def test_door_sampling_counts_age_on_the_local_date_of_an_instant() -> None:
    person = _born(date(1942, 3, 27))  # 80 on 2022-03-27
    shanghai = timezone(timedelta(hours=8))
    midnight = datetime(2022, 3, 27, tzinfo=shanghai)
    assert needs_door_sampling(person, midnight)
    assert not needs_door_sampling(person, midnight - timedelta(microseconds=1))
    # the same instants given in UTC: the date is still read in the zone of the rule
    assert needs_door_sampling(person, midnight.astimezone(UTC))
    assert not needs_door_sampling(person, (midnight - timedelta(seconds=1)).astimezone(UTC))
    assert needs_door_sampling(person, date(2022, 3, 27))
    assert not needs_door_sampling(person, date(2022, 3, 26))


def test_door_sampling_age_runs_from_0_to_150_and_disability_needs_no_age() -> None:
    young = _born(date(2020, 1, 1))
    assert needs_door_sampling(young, date(2022, 3, 27), elderly_age=0)
    assert not needs_door_sampling(young, date(2022, 3, 27), elderly_age=150)
    for bad in (-1, 151):
        with pytest.raises(InvalidInput) as err:
            needs_door_sampling(young, date(2022, 3, 27), elderly_age=bad)
        assert (err.value.code, err.value.field) == ("bad_number", "elderly_age")
    disabled = _born(date(2020, 1, 1), frozenset({CareNeed.DISABLED}))
    assert needs_door_sampling(disabled, date(2022, 3, 27), elderly_age=150)
    other = _born(date(2020, 1, 1), frozenset({CareNeed.LIVING_ALONE}))
    assert not needs_door_sampling(other, date(2022, 3, 27))


@given(st.sets(st.sampled_from(list(MeasureKind))), st.sets(st.sampled_from(list(MeasureKind))))
def test_a_single_tube_goes_to_whoever_is_under_a_chosen_measure(
    chosen: set[MeasureKind], measures: set[MeasureKind]
) -> None:
    rule = PoolingRule(single_tube_measures=frozenset(chosen))
    assert rule.single_tube(measures) == bool(chosen & measures)
    assert rule.single_tube([*measures, "home_isolation"]) == bool(chosen & measures)  # type: ignore[list-item]


def test_a_tube_holds_the_pool_size_or_one() -> None:
    rule = PoolingRule(pool_size=7)
    assert (rule.capacity(TubeKind.POOLED), rule.capacity(TubeKind.SINGLE)) == (7, 1)


def test_a_census_entry_keeps_its_visit_and_up_to_ten_doses() -> None:
    t = datetime(2022, 3, 22, 10, tzinfo=UTC)
    entry = CensusEntry(
        id="c1", at=t, resident_id="R1", household_id="H1", vaccine_doses=10, visit_id="a17"
    )
    assert (entry.visit_id, entry.vaccine_doses) == ("a17", 10)
    with pytest.raises(InvalidInput) as err:
        CensusEntry(id="c1", at=t, resident_id="R1", household_id="H1", vaccine_doses=11)
    assert (err.value.code, err.value.field) == ("bad_number", "vaccine_doses")
    with pytest.raises(InvalidInput) as err:
        CensusEntry(id="c1", at=t, resident_id="R1", household_id="H1", door_sampling_needed=1)  # type: ignore[arg-type]
    assert (err.value.code, err.value.field) == ("bad_flag", "door_sampling_needed")


def test_lists_under_a_grid_at_the_root_and_a_tube_member_not_due() -> None:
    h = Hierarchy([Node("G", NodeKind.GRID, "g"), Node("H1", NodeKind.HOUSEHOLD, "1", "G")])
    t0 = datetime(2022, 3, 27, 7, 30, tzinfo=UTC)
    rnd = ScreeningRound(id="S", scope="G", start=t0, end=t0 + timedelta(hours=5))
    due = due_list(rnd, h, [Household(id="H1", members=("R1", "R2"))])
    events = [
        SwabAdded(id="e1", at=t0, round_id="S", resident_id="R1", tube_id="T1"),
        SwabAdded(id="e2", at=t0, round_id="S", resident_id="R9", tube_id="T1"),  # not due
        TubeSealed(id="e3", at=t0 + timedelta(minutes=5), round_id="S", tube_id="T1"),
        TubeResult(
            id="e4",
            at=t0 + timedelta(hours=6),
            round_id="S",
            tube_id="T1",
            result=LabResult.POSITIVE,
        ),
    ]
    report = coverage(h, replay_round(events, rnd, due))
    # the grid is the root, at position 0: its missed are listed under it, from any node
    mop = mop_up_list(report, {}, "H1")
    assert [(g, [m.resident_id for m in rows]) for g, rows in mop.by_grid.items()] == [
        ("G", ["R2"])
    ]
    (tube,) = retest_list(report, {})
    assert [(m.resident_id, m.household_id, m.grid_id) for m in tube.members] == [
        ("R1", "H1", "G"),
        ("R9", "", ""),  # swabbed into the tube though not due: listed by id alone
    ]
    assert tube.retested == (False, False)


# ----------------------------------------------------------------- what a record keeps


def _plain_record_fields(events: list[Any], start: dict[str, Any]) -> dict[str, Any]:
    """A resident's record fields after its applied events, folded plainly in replay order.

    A first sample sets the tube, the first tube, the sample instant and clears an
    away mark; a re-test moves only the tube and counts; a registration sets its
    instant and where, and clears an away mark; marks set their reasons; every other
    field is kept.
    """
    fields = dict(start)
    for event in sorted(events, key=lambda e: (e.at, e.id)):
        kind = event.kind
        if kind is ScreeningEventKind.SWAB:
            at_home = fields["at_home"] or event.door_team_id is not None
            fields.update(tube_id=event.tube_id, first_tube_id=event.tube_id)
            fields.update(sampled_at=event.at, at_home=at_home, away_reason=None)
        elif kind is ScreeningEventKind.RESWAB:
            fields.update(tube_id=event.tube_id, retests=fields["retests"] + 1)
        elif kind is ScreeningEventKind.REGISTER:
            fields.update(registered_at=event.at, at_home=event.at_home, away_reason=None)
        elif kind is ScreeningEventKind.MARK_AWAY:
            fields.update(away_reason=event.reason)
        else:
            fields.update(exempt_reason=event.reason)
    return fields


_KEPT = (
    "tube_id",
    "first_tube_id",
    "registered_at",
    "sampled_at",
    "at_home",
    "retests",
    "away_reason",
    "exempt_reason",
)


@given(round_cases())
def test_each_record_keeps_what_its_events_set(case: RoundCase) -> None:
    out = replay_round(case.events, case.screening, case.due)
    applied: dict[str, list[Any]] = {}
    for event in out.residents.applied:
        applied.setdefault(event.resident_id, []).append(event)
    blank = dict.fromkeys(_KEPT)
    blank.update(at_home=False, retests=0)
    for resident_id, record in out.residents.records.items():
        start = dict(blank, exempt_reason=case.due.exempt.get(resident_id))
        expected = _plain_record_fields(applied.get(resident_id, []), start)
        assert {f: getattr(record, f) for f in _KEPT} == expected, resident_id


def _small_round() -> tuple[Hierarchy, ScreeningRound, DueList]:
    h = Hierarchy([Node("G", NodeKind.GRID, "g"), Node("H1", NodeKind.HOUSEHOLD, "1", "G")])
    rnd = ScreeningRound(id="S", scope="G", start=T0, end=T0 + timedelta(hours=5))
    return h, rnd, due_list(rnd, h, [Household(id="H1", members=("R1", "R2"))])


def _tube(
    tube_id: str, at: datetime, result: LabResult, *members: str, retest_of: str | None = None
) -> list[ScreeningEvent]:
    """Swabs of ``members`` into one tube at ``at``, sealed, and its result six hours on."""
    kind = TubeKind.POOLED if retest_of is None else TubeKind.SINGLE
    swabs: list[ScreeningEvent] = [
        SwabAdded(
            id=f"{tube_id}-{m}",
            at=at,
            round_id="S",
            resident_id=m,
            tube_id=tube_id,
            tube_kind=kind,
            retest_of=retest_of,
            door_team_id="D1",
        )
        for m in members
    ]
    sealed = TubeSealed(
        id=f"{tube_id}-s", at=at + timedelta(minutes=1), round_id="S", tube_id=tube_id
    )
    found = TubeResult(
        id=f"{tube_id}-r", at=at + timedelta(hours=6), round_id="S", tube_id=tube_id, result=result
    )
    return [*swabs, sealed, found]


def test_a_retest_keeps_the_registration_and_the_first_tube_and_may_be_repeated() -> None:
    _, rnd, due = _small_round()
    registered = Registered(id="reg", at=T0, round_id="S", resident_id="R1", door_team_id="D1")
    log: list[ScreeningEvent] = [
        registered,
        *_tube("T1", T0 + timedelta(minutes=5), LabResult.POSITIVE, "R1", "R2"),
        # the first re-test's single tube comes back invalid: the resident is due again
        *_tube("T2", T0 + timedelta(hours=7), LabResult.INVALID, "R1", retest_of="T1"),
        *_tube("T3", T0 + timedelta(hours=14), LabResult.NEGATIVE, "R1", retest_of="T2"),
    ]
    out = replay_round(log, rnd, due)
    assert out.rejected == ()
    r1 = out.residents.records["R1"]
    assert (r1.registered_at, r1.first_tube_id, r1.tube_id, r1.retests) == (T0, "T1", "T3", 2)
    assert r1.at_home
    assert r1.sampled_at == T0 + timedelta(minutes=5)
    assert out.outcomes()["R1"] is Outcome.SAMPLED_NEGATIVE
    before = replay_round(log[:-3], rnd, due).residents.records["R1"]
    tubes = out.tubes.records
    at_result = T0 + timedelta(hours=13)  # T2's result: due from the next instant on
    assert resident_state_as_of(before, tubes, at_result) is ResidentState.RESAMPLED
    later = at_result + timedelta(seconds=1)
    assert resident_state_as_of(before, tubes, later) is ResidentState.RETEST_DUE


def test_an_outcome_reads_a_missing_or_unreadable_tube_as_not_reported() -> None:
    record = ResidentRecord("R1", ResidentState.SAMPLED, tube_id="T1")
    assert resident_outcome(record, {}) is Outcome.AWAITING_RESULT
    assert resident_outcome(record, {"T1": "not a tube"}) is Outcome.AWAITING_RESULT  # type: ignore[dict-item]


def test_a_stored_tube_without_its_result_instant_is_listed_last() -> None:
    h, rnd, due = _small_round()
    stored = {
        "T9": TubeRecord("T9", TubeKind.POOLED, TubeState.POSITIVE, ("R2",)),
        "T1": TubeRecord(
            "T1", TubeKind.POOLED, TubeState.POSITIVE, ("R1",), result_at=T0 + timedelta(hours=6)
        ),
    }
    report = coverage(h, replay_round([], rnd, due, tubes=stored))
    assert [t.tube_id for t in retest_list(report, {})] == ["T1", "T9"]


@given(round_cases())
def test_the_due_list_built_unchecked_passes_its_own_checks(case: RoundCase) -> None:
    # due_list builds its DueList from checked values without the checks; the checked
    # constructor, given the same fields, takes them and gives the same list.
    due = case.due
    fields = {field.name: getattr(due, field.name) for field in attrs.fields(DueList)}
    assert DueList(**fields) == due


def test_a_due_list_of_a_synthetic_city_passes_its_own_checks() -> None:
    from gridcare.testing import synthetic_city

    city = synthetic_city(scale=0.001)
    start = datetime(2022, 3, 26, 7, 30, tzinfo=UTC)
    screening = ScreeningRound(
        id="S", scope=city.hierarchy.root.id, start=start, end=start + timedelta(hours=5)
    )
    due = due_list(screening, city.hierarchy, city.households)
    fields = {field.name: getattr(due, field.name) for field in attrs.fields(DueList)}
    assert len(due) > 1000
    assert DueList(**fields) == due
