"""The census from door-knocking: latest status per resident, counts per node, masked lists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.helpers import at

from gridcare.codes import CitizenId, Sex
from gridcare.errors import InvalidInput
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.people import Resident
from gridcare.screening import CENSUS_METRICS, CensusEntry, NodeCensus, OverdueRule, census

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
