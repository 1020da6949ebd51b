"""The census from door-knocking: latest status per resident, counts per node, masked lists."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from datetime import date, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.helpers import at, places_hierarchy

from gridcare.codes import CitizenId, Sex
from gridcare.errors import InvalidInput
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.people import IdDocument, IdKind, Resident
from gridcare.screening import (
    CENSUS_METRICS,
    CensusEntry,
    NodeCensus,
    OverdueRule,
    ScreeningRound,
    census,
    due_list,
    replay_round,
    simulated_census,
    simulated_round_log,
)
from gridcare.screening.census import _DOSE_WEIGHTS, _DOSES, _draw_doses
from gridcare.testing import synthetic_city

AS_OF = at("2022-03-23 00:00")


def _hier() -> Hierarchy:
    return Hierarchy(
        [
            Node("C", NodeKind.CITY, "c"),
            Node("G1", NodeKind.GRID, "g1", "C"),
            Node("H1", NodeKind.HOUSEHOLD, "1", "G1"),
            Node("G2", NodeKind.GRID, "g2", "C"),
            Node("H2", NodeKind.HOUSEHOLD, "2", "G2"),
        ]
    )


def _old() -> Resident:
    return Resident(
        id="R1",
        household_id="H1",
        name="刘晓娟",
        sex=Sex.FEMALE,
        document=CitizenId.parse("430202193903070024"),
        birth_date=date(1939, 3, 7),
    )


def entry(eid: str, rid: str, house: str, hours: float, **kw: object) -> CensusEntry:
    return CensusEntry(
        id=eid,
        at=AS_OF - timedelta(hours=hours),
        resident_id=rid,
        household_id=house,
        **kw,  # type: ignore[arg-type]
    )


def test_counts_lists_and_masking() -> None:
    log = [
        entry("c1", "R1", "H1", 30, vaccine_doses=0, door_sampling_needed=True),
        entry("c2", "R2", "H1", 20, vaccine_doses=3, last_sample_at=AS_OF - timedelta(days=1)),
        entry("c3", "R3", "H2", 10, vaccine_doses=0, last_sample_at=AS_OF - timedelta(days=9)),
        entry("c4", "R4", "H9", 10),
    ]
    h = _hier()
    h2 = Hierarchy([*h, Node("H9", NodeKind.HOUSEHOLD, "9", "C")])
    report = census(h2, log, scope="G1", as_of=AS_OF, residents={"R1": _old()})
    g1 = report.node("G1")
    assert g1 == NodeCensus(
        known=2,
        vaccinated=1,
        unvaccinated=1,
        unvaccinated_60_plus=1,
        overdue=1,
        door_sampling_needed=1,
    )
    assert report.outside_scope == 2
    row = report.unvaccinated_60_plus["G1"][0]
    assert row.name == "刘*娟"
    assert "430202193903070024" not in repr(report.unvaccinated_60_plus)
    assert "刘晓娟" not in repr(report.overdue)
    city = census(h2, log, scope="C", as_of=AS_OF, residents={"R1": _old()})
    assert city.node("C").known == 4
    assert city.node("G1") + city.node("G2") + NodeCensus(known=1, unvaccinated=1, overdue=1) == (
        city.node("C")
    )
    counts = city.counts()
    assert counts[("C", "census_overdue")] == 3
    assert {m for _, m in counts} == set(CENSUS_METRICS)


def test_latest_entry_wins_and_later_ones_wait() -> None:
    log = [
        entry("a", "R1", "H1", 40, vaccine_doses=0),
        entry("b", "R1", "H1", 5, vaccine_doses=2, last_sample_at=AS_OF - timedelta(hours=6)),
        CensusEntry(id="z", at=AS_OF + timedelta(hours=1), resident_id="R1", household_id="H1"),
    ]
    report = census(_hier(), log + log[:1], scope="C", as_of=AS_OF, residents={})
    assert report.latest["R1"].id == "b"
    assert report.node("C").vaccinated == 1
    assert report.node("C").overdue == 0


def test_an_entry_after_the_instant_does_not_hide_the_ones_after_it_in_the_log() -> None:
    later = CensusEntry(id="z", at=AS_OF + timedelta(hours=1), resident_id="R1", household_id="H1")
    log = [later, entry("a", "R1", "H1", 40, vaccine_doses=2), entry("b", "R2", "H1", 3)]
    report = census(_hier(), log, scope="C", as_of=AS_OF, residents={})
    assert {rid: e.id for rid, e in report.latest.items()} == {"R1": "a", "R2": "b"}
    assert report.node("C").known == 2


def test_overdue_boundary_is_pinned() -> None:
    rule = OverdueRule(days=3)
    assert not rule.overdue(AS_OF - timedelta(days=3), AS_OF)
    assert rule.overdue(AS_OF - timedelta(days=3, microseconds=1), AS_OF)
    assert rule.overdue(None, AS_OF)


def test_sample_after_visit_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        entry("c", "R1", "H1", 1, last_sample_at=AS_OF)
    assert err.value.code == "sample_after_visit"


@given(st.lists(st.tuples(st.sampled_from(["R1", "R2", "R3"]), st.integers(0, 100)), max_size=12))
def test_order_of_entries_does_not_matter(rows: list[tuple[str, int]]) -> None:
    log = [
        entry(f"e{i}", rid, "H1" if rid != "R3" else "H2", hours, vaccine_doses=hours % 3)
        for i, (rid, hours) in enumerate(rows)
    ]
    a = census(_hier(), log, scope="C", as_of=AS_OF, residents={})
    b = census(_hier(), list(reversed(log)), scope="C", as_of=AS_OF, residents={})
    assert a.counts() == b.counts()
    assert a.node("C").known == len({rid for rid, _ in rows})


class _CountingRegister(dict[str, Resident]):
    """A register that counts the lookups a census makes."""

    looked_up: list[str]

    def get(self, key: str, default: object = None) -> Resident | None:  # type: ignore[override]
        self.looked_up.append(key)
        return super().get(key)  # type: ignore[no-any-return]


def test_census_looks_up_only_the_residents_it_needs() -> None:
    log = [
        entry("c1", "R1", "H1", 30, vaccine_doses=0, last_sample_at=AS_OF - timedelta(hours=40)),
        entry("c2", "R2", "H1", 20, vaccine_doses=3, last_sample_at=AS_OF - timedelta(hours=30)),
        entry("c3", "R3", "H2", 10, vaccine_doses=2),  # never sampled: overdue
        entry("c4", "R4", "H2", 10, vaccine_doses=0),  # unvaccinated and overdue: once
    ]
    register = _CountingRegister({"R1": _old()})
    register.looked_up = []
    report = census(_hier(), log, scope="C", as_of=AS_OF, residents=register)
    assert sorted(register.looked_up) == ["R1", "R3", "R4"]  # R2: vaccinated, sampled lately
    assert report.node("C") == NodeCensus(
        known=4, vaccinated=2, unvaccinated=2, unvaccinated_60_plus=1, overdue=2
    )
    assert [r.resident_id for r in report.overdue["G2"]] == ["R3", "R4"]


def test_overdue_checks_both_instants() -> None:
    rule = OverdueRule(days=3)
    naive = datetime(2022, 3, 20)
    for last, as_of in [(naive, AS_OF), (None, naive), ("2022-03-20", AS_OF), (AS_OF, None)]:
        with pytest.raises(InvalidInput):
            rule.overdue(last, as_of)  # type: ignore[arg-type]


@given(
    days=st.integers(1, 30),
    ages=st.lists(st.one_of(st.none(), st.integers(0, 40 * 24 * 3600)), min_size=1, max_size=8),
)
def test_census_counts_overdue_by_the_rule(days: int, ages: list[int | None]) -> None:
    """The census asks the rule for each entry: its count is the rule's, entry by entry."""
    rule = OverdueRule(days=days)
    log = [
        entry(
            f"e{i}",
            f"R{i}",
            "H1",
            0,
            vaccine_doses=1,
            last_sample_at=None if age is None else AS_OF - timedelta(seconds=age),
        )
        for i, age in enumerate(ages)
    ]
    report = census(_hier(), log, scope="C", as_of=AS_OF, residents={}, rule=rule)
    assert report.node("C").overdue == sum(rule.overdue(e.last_sample_at, AS_OF) for e in log)


def _old_resident(resident_id: str) -> Resident:
    return attrs.evolve(_old(), id=resident_id)


@given(st.permutations(["R10", "R2", "R1", "R33", "R3", "R20"]))
def test_lists_are_by_resident_id_whatever_the_entry_order(ids: list[str]) -> None:
    log = [entry(f"e-{rid}", rid, "H1", 1, vaccine_doses=0) for rid in ids]
    register = {rid: _old_resident(rid) for rid in ids}
    report = census(_hier(), log, scope="C", as_of=AS_OF, residents=register)
    assert [r.resident_id for r in report.overdue["G1"]] == sorted(ids)
    assert [r.resident_id for r in report.unvaccinated_60_plus["G1"]] == sorted(ids)
    assert all(r.grid_id == "G1" and r.name == "刘*娟" for r in report.overdue["G1"])


def test_an_entry_of_another_type_is_named() -> None:
    good = entry("c1", "R1", "H1", 1)
    for log in ([good, "c2"], (e for e in [good, good, None])):
        with pytest.raises(InvalidInput) as err:
            census(_hier(), log, scope="C", as_of=AS_OF, residents={})  # type: ignore[arg-type]
        assert err.value.code == "bad_entries"
        assert err.value.field in ("entries.1", "entries.2")
    assert census(_hier(), iter([good]), scope="C", as_of=AS_OF, residents={}).node("C").known == 1


def test_residents_are_counted_at_their_place_for_every_scope() -> None:
    """Grid when the grid lies in the scope, else the scope; outside, or unknown: outside."""
    h = places_hierarchy()
    houses = [n.id for n in h.nodes_of(NodeKind.HOUSEHOLD)]
    log = [entry(f"e{x}{k}", f"R{x}{k}", x, 1) for x in houses for k in "ab"]
    log.append(entry("e-unknown", "R-unknown", "H9", 1))
    for scope in h:
        report = census(h, log, scope=scope.id, as_of=AS_OF, residents={})
        expected: dict[str, str] = {}
        for x in houses:
            if h.is_within(x, scope.id):
                grid = h.grid_of(x)
                place = grid.id if grid is not None and h.is_within(grid.id, scope.id) else scope
                expected |= {f"R{x}{k}": getattr(place, "id", place) for k in "ab"}
        found = {r.resident_id: place for place, rows in report.overdue.items() for r in rows}
        assert found == expected, scope.id
        assert report.outside_scope == len(log) - len(expected)
        assert report.node(scope.id).known == len(expected)


def test_simulated_census_is_pinned_for_its_seed() -> None:
    """Same arguments, same entries, across versions (doses drawn from precomputed weights)."""
    t0 = AS_OF - timedelta(days=1)
    city = synthetic_city(scale=0.001, seed=1)
    rnd = ScreeningRound(
        id="S", scope=city.hierarchy.root.id, start=t0, end=t0 + timedelta(hours=5)
    )
    door = [r.id for r in city.residents if r.id.endswith("7")]
    due = due_list(rnd, city.hierarchy, city.households, door_sampling=door)
    found = simulated_census(
        replay_round(simulated_round_log(rnd, due, seed=1), rnd, due), after=rnd.end, seed=1
    )
    rows = "\n".join(
        f"{e.id},{e.at.isoformat()},{e.resident_id},{e.household_id},{e.vaccine_doses},"
        f"{e.last_sample_at and e.last_sample_at.isoformat()},{e.door_sampling_needed}"
        for e in found
    )
    assert len(found) == 3908
    assert Counter(e.vaccine_doses for e in found) == {3: 2284, 2: 1181, 0: 317, 1: 126}
    assert hashlib.sha256(rows.encode()).hexdigest() == (
        "77d79103ad20d52cee134b9bef382b0bf015ac9d599c09be6ea150ba9fd11a93"
    )


@given(st.integers(0, 2**63 - 1))
def test_doses_are_drawn_as_random_choices_draws_them(seed: int) -> None:
    """The census's own weighted draw is the standard library's, draw for draw."""
    ours, theirs = random.Random(seed), random.Random(seed)
    for _ in range(50):
        assert _draw_doses(ours) == theirs.choices(_DOSES, _DOSE_WEIGHTS)[0]


@attrs.frozen(kw_only=True, init=False)
class _LaxEntry(CensusEntry):
    """A subclass whose constructor skips the checks of :class:`CensusEntry`."""

    def __init__(self, **fields: object) -> None:
        self.__attrs_init__(**fields)


def test_entries_of_a_subclass_are_checked_as_events() -> None:
    # Entries of CensusEntry itself checked their id and instant when built, and the census
    # takes them on trust; a subclass's constructor might not, so its entries are checked.
    lax = _LaxEntry(id="c2", at=datetime(2022, 3, 22, 10), resident_id="R2", household_id="H2")
    with pytest.raises(InvalidInput) as err:
        census(_hier(), [entry("c1", "R1", "H1", 1), lax], scope="C", as_of=AS_OF, residents={})
    assert (err.value.code, err.value.field) == ("bad_event", "events.1.at")


@given(st.lists(st.tuples(st.sampled_from(["e1", "e2", "e3"]), st.integers(-3, 30)), max_size=10))
def test_a_subclass_entry_counts_as_the_same_entry(rows: list[tuple[str, int]]) -> None:
    # One entry of a subclass sends the whole list down the checked path.
    log = [entry(eid, f"R{hours % 3}", "H1", hours) for eid, hours in rows]
    lax = [_LaxEntry(**attrs.asdict(e, recurse=False)) for e in log]
    a = census(_hier(), log, scope="C", as_of=AS_OF, residents={})
    b = census(_hier(), [*lax[:1], *log[1:]], scope="C", as_of=AS_OF, residents={})
    assert {k: attrs.astuple(v) for k, v in a.latest.items()} == {
        k: attrs.astuple(v) for k, v in b.latest.items()
    }
    assert a.counts() == b.counts()


def test_birth_dates_give_the_ages_and_the_register_names_only_the_listed() -> None:
    log = [
        # unvaccinated, 83, sampled lately: listed as 60+, so named
        entry("c1", "R1", "H1", 30, vaccine_doses=0, last_sample_at=AS_OF - timedelta(hours=40)),
        # unvaccinated, 30, sampled lately: counted, never named
        entry("c2", "R2", "H1", 20, vaccine_doses=0, last_sample_at=AS_OF - timedelta(hours=30)),
        # unvaccinated, no birth date given: the register gives the age (it has none: not 60+)
        entry("c3", "R3", "H2", 10, vaccine_doses=0, last_sample_at=AS_OF - timedelta(hours=15)),
        # unvaccinated, born exactly 60 years before the day, and never sampled
        entry("c4", "R4", "H2", 10, vaccine_doses=0),
    ]
    born = {"R1": date(1939, 3, 7), "R2": date(1992, 1, 1), "R4": date(1962, 3, 23)}
    register = _CountingRegister({"R1": _old()})
    register.looked_up = []
    report = census(_hier(), log, scope="C", as_of=AS_OF, residents=register, birth_dates=born)
    assert sorted(register.looked_up) == ["R1", "R3", "R4"]  # R2 is only counted
    assert report.node("C") == NodeCensus(
        known=4, unvaccinated=4, unvaccinated_60_plus=2, overdue=1
    )
    assert [r.resident_id for r in report.unvaccinated_60_plus["G2"]] == ["R4"]
    # A day younger is not 60 on the census's local date.
    younger = {**born, "R4": date(1962, 3, 24)}
    report = census(_hier(), log, scope="C", as_of=AS_OF, residents={}, birth_dates=younger)
    assert report.node("C").unvaccinated_60_plus == 1


@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),  # doses
            st.one_of(st.none(), st.integers(1, 10 * 24)),  # hours since the last sample
            st.integers(-2, 3),  # birth: 0 to 3 years around 60, or held by the register only
        ),
        max_size=8,
    )
)
def test_birth_dates_count_as_the_register_counts(rows: list[tuple[int, int | None, int]]) -> None:
    """Ages from birth dates or from the register: the same report (a bad date is missing)."""
    log, register, born = [], {}, {}
    for i, (doses, hours, birth) in enumerate(rows):
        rid = f"R{i}"
        log.append(
            entry(
                f"e{i}",
                rid,
                "H1" if i % 2 else "H2",
                1,
                vaccine_doses=doses,
                last_sample_at=None if hours is None else AS_OF - timedelta(hours=hours),
            )
        )
        birth_date = date(1962 - birth, 3, 23 + (birth % 2))
        passport = IdDocument(IdKind.PASSPORT, f"E{i:08d}")
        register[rid] = attrs.evolve(_old(), id=rid, birth_date=birth_date, document=passport)
        if birth >= 0:
            born[rid] = birth_date
        elif birth == -1:
            born[rid] = datetime(1930, 1, 1)  # not a plain date: the register is asked
    plain = census(_hier(), log, scope="C", as_of=AS_OF, residents=register)
    dated = census(_hier(), log, scope="C", as_of=AS_OF, residents=register, birth_dates=born)
    assert dated.counts() == plain.counts()
    assert dated.unvaccinated_60_plus == plain.unvaccinated_60_plus
    assert dated.overdue == plain.overdue


def test_birth_dates_must_be_a_mapping() -> None:
    for bad in (["R1"], "R1", 3, object()):
        with pytest.raises(InvalidInput) as err:
            census(_hier(), [], scope="C", as_of=AS_OF, residents={}, birth_dates=bad)  # type: ignore[arg-type]
        assert (err.value.code, err.value.field) == ("bad_birth_dates", "birth_dates")


def test_a_citys_birth_dates_are_its_residents() -> None:
    city = synthetic_city(scale=0.001, seed=4)
    born = city.birth_dates_by_id()
    assert len(born) == len(city.residents)
    assert list(born) == [r.id for r in city.residents]
    assert all(born[r.id] == r.birth_date for r in city.residents)
    last = len(city.residents) - 1
    for bad in ("", "R", "X0000001", f"R{last + 1:07d}", "R-1", "R٣", None, 7, "R" + "9" * 40):
        assert born.get(bad) is None  # type: ignore[arg-type]
        assert bad not in born
    assert "birth dates" in repr(born)
    assert "R0" not in repr(born)
