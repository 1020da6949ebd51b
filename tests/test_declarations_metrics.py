"""Review metrics per grid, and duplicate declarations found in one pass."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.declarations import (
    Assigned,
    Declaration,
    DeclarationEvent,
    DuplicateBasis,
    MarkedDuplicate,
    Rejected,
    Submitted,
    Transferred,
    VerificationMethod,
    Verified,
    Withdrawn,
    example_form,
    find_duplicates,
    parse_form,
    replay_declarations,
    review_metrics,
    review_metrics_from_events,
)
from gridcare.errors import InvalidInput
from gridcare.timeutil import DEFAULT_ZONE

T0 = datetime(2022, 3, 26, 8, 0, tzinfo=DEFAULT_ZONE)
H = timedelta(hours=1)


def submitted(n: int, at: datetime, *, late: bool = False, proxy: bool = False) -> Submitted:
    return Submitted(id=f"s{n:03d}", at=at, declaration_id=f"D{n}", late=late, proxy=proxy)


def assigned(n: int, at: datetime, grid: str) -> Assigned:
    return Assigned(id=f"a{n:03d}", at=at, declaration_id=f"D{n}", grid_id=grid)


def verified(n: int, at: datetime) -> Verified:
    return Verified(id=f"v{n:03d}", at=at, declaration_id=f"D{n}", method=VerificationMethod.PHONE)


def log_of(reviews: dict[int, tuple[str, float | None]]) -> list[DeclarationEvent]:
    """Declaration n: submitted at T0, assigned a minute later, verified ``hours`` after that."""
    log: list[DeclarationEvent] = []
    for n, (grid, hours) in reviews.items():
        log += [submitted(n, T0), assigned(n, T0 + timedelta(minutes=1), grid)]
        if hours is not None:
            log.append(verified(n, T0 + timedelta(minutes=1) + timedelta(hours=hours)))
    return log


def test_counts_rate_and_review_times() -> None:
    log = log_of(
        {1: ("G1", 1), 2: ("G1", 2), 3: ("G1", 3), 4: ("G1", 10), 5: ("G1", None), 6: ("G2", None)}
    )
    metrics = review_metrics_from_events(log, as_of=T0 + 30 * H)
    g1 = metrics.grids["G1"]
    assert (g1.received, g1.reviewed, str(g1.review_rate)) == (5, 4, "80.00%")
    assert g1.time_to_review_median == 2 * H  # nearest rank: 2nd of 4
    assert g1.time_to_review_p90 == 10 * H  # nearest rank: 4th of 4
    assert metrics.grids["G2"].review_rate.numerator == 0
    assert metrics.city.received == 6 == sum(g.received for g in metrics.grids.values())
    assert metrics.city.reviewed == 4
    assert metrics.unassigned == 0


def test_as_of_is_strict() -> None:
    log = log_of({1: ("G1", 1)})
    assert review_metrics_from_events(log, as_of=T0).city.received == 0
    at_review = T0 + timedelta(minutes=1) + H
    g1 = review_metrics_from_events(log, as_of=at_review).grids["G1"]
    assert (g1.received, g1.reviewed, g1.time_to_review_median) == (1, 0, None)
    g1 = review_metrics_from_events(log, as_of=at_review + timedelta(seconds=1)).grids["G1"]
    assert g1.reviewed == 1


def test_overdue_boundary() -> None:
    log = log_of({1: ("G1", None)})
    assigned_at = T0 + timedelta(minutes=1)
    before = review_metrics_from_events(log, as_of=assigned_at + 24 * H - timedelta(seconds=1))
    assert before.grids["G1"].overdue == 0
    at_limit = review_metrics_from_events(log, as_of=assigned_at + 24 * H)
    assert at_limit.grids["G1"].overdue == 1
    custom = review_metrics_from_events(log, as_of=assigned_at + 3 * H, overdue_after=2 * H)
    assert custom.grids["G1"].overdue == 1


def test_transfers_withdrawals_flags_and_unassigned() -> None:
    log: list[DeclarationEvent] = [
        submitted(1, T0, late=True),
        assigned(1, T0 + H, "G1"),
        Transferred(id="t001", at=T0 + 30 * H, declaration_id="D1", to_grid="G2"),
        submitted(2, T0, proxy=True),
        assigned(2, T0 + H, "G1"),
        Withdrawn(id="w002", at=T0 + 2 * H, declaration_id="D2"),
        submitted(3, T0),  # never routed
        submitted(4, T0),
        assigned(4, T0 + H, "G1"),
        MarkedDuplicate(id="m004", at=T0 + 2 * H, declaration_id="D4", of="D1"),
        submitted(5, T0),
        assigned(5, T0 + H, "G1"),
        Rejected(id="r005", at=T0 + 5 * H, declaration_id="D5", reason="信息不实"),
    ]
    m = review_metrics_from_events(log, as_of=T0 + 40 * H)
    g1, g2 = m.grids["G1"], m.grids["G2"]
    assert (g2.received, g2.late, g2.overdue) == (1, 1, 0)  # its clock restarted at transfer
    assert (g1.received, g1.proxy, g1.withdrawn, g1.overdue, g1.reviewed) == (3, 1, 1, 0, 2)
    assert m.unassigned == 1
    assert m.city.received == 5
    later = review_metrics_from_events(log, as_of=T0 + 60 * H)
    assert later.grids["G2"].overdue == 1


def test_metrics_arguments() -> None:
    with pytest.raises(InvalidInput, match="naive_datetime"):
        review_metrics([], as_of=datetime(2022, 3, 27))
    with pytest.raises(InvalidInput, match="bad_duration"):
        review_metrics([], as_of=T0, overdue_after=-H)
    assert str(review_metrics([], as_of=T0).city.review_rate) == "—"


@given(st.lists(st.tuples(st.sampled_from(["G1", "G2", "G3"]), st.none() | st.integers(0, 48))))
def test_city_figures_are_sums_of_grids(rows: list[tuple[str, int | None]]) -> None:
    log = log_of(dict(enumerate(rows)))
    records = replay_declarations(log).records.values()
    m = review_metrics(records, as_of=T0 + 24 * H)
    for field in ("received", "reviewed", "overdue", "late", "proxy"):
        assert getattr(m.city, field) == sum(getattr(g, field) for g in m.grids.values())
    total = sum((g.review_rate for g in m.grids.values()), m.city.review_rate.zero())
    assert total == m.city.review_rate


# --------------------------------------------------------------------------- duplicates


def declaration(n: int, *, hours: float = 0, received: float = 0, **changes: Any) -> Declaration:
    """The example declaration as D<n>, its journey shifted by ``hours``."""
    form = example_form()
    form["stays"] = []
    leg = form["legs"][0]
    start = datetime(2022, 3, 19, 16, 30, tzinfo=DEFAULT_ZONE) + timedelta(hours=hours)
    leg["departed_at"] = start.isoformat()
    leg["arrived_at"] = (start + 2 * H).isoformat()
    for key, value in changes.items():
        form[key] = value
    return parse_form(
        form,
        declaration_id=f"D{n}",
        received_at=datetime(2022, 3, 25, tzinfo=DEFAULT_ZONE) + timedelta(hours=received),
    )


OTHER_ID = {"name": "王伟", "id_number": "360426199101010071"}


def test_same_document_and_overlapping_journeys() -> None:
    a, b = declaration(1), declaration(2, hours=1, received=1)
    (group,) = find_duplicates([b, a])
    assert group.declaration_ids == ("D1", "D2")
    assert group.original == "D1"
    assert group.duplicates == ("D2",)
    bases = {e.basis for e in group.evidence}
    assert bases == {DuplicateBasis.DOCUMENT_NUMBER, DuplicateBasis.NAME_AND_PHONE}
    evidence = group.evidence[0]
    assert (evidence.overlap_start, evidence.overlap_end) == (b.departed_at, a.arrived_at)
    assert "11010519491231002X" not in repr(group)
    assert "13812345678" not in repr(group)


def test_touching_or_separate_journeys_are_not_duplicates() -> None:
    assert find_duplicates([declaration(1), declaration(2, hours=2)]) == ()
    assert find_duplicates([declaration(1), declaration(2, hours=48)]) == ()


def test_name_and_phone_link_different_documents() -> None:
    other = {"name": "刘晓娟", "id_kind": "passport", "id_number": "E12345678"}
    (group,) = find_duplicates([declaration(1), declaration(2, identity=other)])
    assert [e.basis for e in group.evidence] == [DuplicateBasis.NAME_AND_PHONE]
    assert find_duplicates([declaration(1), declaration(2, identity=OTHER_ID)]) == ()
    other_doc = {"name": "刘晓娟", "id_number": "360426199101010071"}
    assert (
        find_duplicates([declaration(1), declaration(2, identity=other_doc, phone="13912345678")])
        == ()
    )


def test_groups_are_connected_components() -> None:
    chain = [declaration(1), declaration(2, hours=1.5), declaration(3, hours=3)]
    (group,) = find_duplicates(chain)
    assert group.declaration_ids == ("D1", "D2", "D3")
    assert len(group.evidence) == 4
    lone = declaration(4, identity=OTHER_ID, phone="13912345678")
    assert len(find_duplicates([*chain, lone])) == 1


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 12)), max_size=12), st.randoms())
def test_groups_do_not_depend_on_input_order(
    people: list[tuple[int, int]], rnd: random.Random
) -> None:
    ids = ["11010519491231002X", "360426199101010071", "430211199001010018", "110105194912310011"]
    phones = ["13812345678", "13912345678", "15012345678", "18612345678"]
    items = [
        declaration(
            i,
            hours=hours,
            received=i,
            identity={"name": "刘晓娟", "id_number": ids[who]},
            phone=phones[who],
        )
        for i, (who, hours) in enumerate(people)
    ]
    expected = find_duplicates(items)
    shuffled = list(items)
    rnd.shuffle(shuffled)
    again = find_duplicates(shuffled)
    assert [g.declaration_ids for g in again] == [g.declaration_ids for g in expected]
    assert {frozenset(g.declaration_ids) for g in expected} == _pairwise_groups(items)


def _pairwise_groups(items: list[Declaration]) -> set[frozenset[str]]:
    """The slow definition: link every pair sharing a key with overlapping journeys."""
    parent = {d.id: d.id for d in items}

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    for a in items:
        for b in items:
            same = (a.document_kind, a.document_number) == (b.document_kind, b.document_number)
            same = same or (a.name == b.name and a.phone == b.phone)
            overlap = a.journey[0] < b.journey[1] and b.journey[0] < a.journey[1]
            if a.id < b.id and same and overlap:
                parent[find(b.id)] = find(a.id)
    groups: dict[str, set[str]] = {}
    for d in items:
        groups.setdefault(find(d.id), set()).add(d.id)
    return {frozenset(g) for g in groups.values() if len(g) > 1}
