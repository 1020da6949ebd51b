"""The synthetic province (gridcare.testing.province), the province level and rollup_to."""

from __future__ import annotations

import csv
import itertools
from datetime import date
from functools import cache
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridcare.codes import AreaCode
from gridcare.errors import InvalidInput, UnknownNode
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.labels import label
from gridcare.reports import METRICS, MetricKind, Rollup, Tally, daily_report, rollup_to
from gridcare.testing import hierarchies, synthetic_city
from gridcare.testing.province import (
    HUNAN_CODE,
    HUNAN_HOUSEHOLDS,
    REPORT_DAY,
    CityTally,
    ProvinceCity,
    city_day,
    city_seed,
    city_tally,
    hunan_cities,
    hunan_city,
    hunan_hierarchy,
    merge_city_tallies,
    record_count,
    tally_for_province,
    whole_province,
)
from gridcare.testing.scenario import CityDay
from gridcare.testing.synthetic import PROFILES

#: The 14 prefecture-level units of Hunan, GB/T 2260.
HUNAN = {
    "430100": "长沙市",
    "430200": "株洲市",
    "430300": "湘潭市",
    "430400": "衡阳市",
    "430500": "邵阳市",
    "430600": "岳阳市",
    "430700": "常德市",
    "430800": "张家界市",
    "430900": "益阳市",
    "431000": "郴州市",
    "431100": "永州市",
    "431200": "怀化市",
    "431300": "娄底市",
    "433100": "湘西土家族苗族自治州",
}
TINY = 0.0005
#: Three small cities, for the checks that build cities.
FEW = ("430800", "433100", "430300")


def gb2260_in_force() -> dict[str, str]:
    """The shipped GB/T 2260 list read directly (an oracle apart from gridcare.codes)."""
    text = resources.files("gridcare").joinpath("data/gb2260.csv").read_text(encoding="utf-8")
    return {
        row["code"]: row["name"] for row in csv.DictReader(text.splitlines()) if not row["until"]
    }


@cache
def days() -> dict[str, CityDay]:
    """The days of :data:`FEW`, in code order (the order of the province's hierarchy)."""
    return {code: city_day(code, scale=TINY, seed=3) for code in sorted(FEW)}


def few() -> list[ProvinceCity]:
    return [c for c in hunan_cities() if c.code in FEW]


# ----------------------------------------------------------------------------- the profile


def test_the_fourteen_cities_have_their_real_codes_and_names() -> None:
    cities = hunan_cities()
    assert {c.code: c.name for c in cities} == HUNAN
    assert [c.code for c in cities] == sorted(HUNAN)
    in_force = gb2260_in_force()
    for c in cities:
        assert in_force[c.code] == c.name
        assert AreaCode.parse(c.code).parent == AreaCode.parse(HUNAN_CODE)


def test_county_units_are_every_unit_in_force_under_their_city() -> None:
    in_force = gb2260_in_force()
    for c in hunan_cities():
        expected = sorted(
            code
            for code, name in in_force.items()
            if code[:4] == c.code[:4] and code != c.code and name != "市辖区"
        )
        assert list(c.counties) == expected, c.name
        for county in c.profile.counties:
            assert AreaCode.parse(county.code).parent == AreaCode.parse(c.code)
            assert county.name == in_force[county.code]
    assert sum(len(c.counties) for c in hunan_cities()) == 122


def test_households_follow_the_populations_within_rounding() -> None:
    cities = hunan_cities()
    total = sum(c.population for c in cities)
    assert sum(c.households for c in cities) == HUNAN_HOUSEHOLDS
    assert sum(c.share for c in cities) == pytest.approx(1.0)
    zhuzhou = PROFILES["zhuzhou"]
    per_grid = zhuzhou.households / zhuzhou.grids
    for c in cities:
        assert abs(c.households - HUNAN_HOUSEHOLDS * c.population / total) < 1
        assert c.share == pytest.approx(c.population / total)
        assert abs(c.grids - c.households / per_grid) <= 0.5
    # Zhuzhou in the province is close to the zhuzhou profile (its real figure).
    assert hunan_cities()[1].households == pytest.approx(zhuzhou.households, rel=0.05)


def test_the_zhuzhou_profile_is_unchanged_and_a_profile_value_is_accepted() -> None:
    by_name = synthetic_city("zhuzhou", 0.001, 0)
    by_value = synthetic_city(PROFILES["zhuzhou"], 0.001, 0)
    assert by_value.fingerprint() == by_name.fingerprint()
    assert by_name.hierarchy.root.id == "430200"
    assert by_name.hierarchy.root.name == "株洲市"


def test_a_city_is_rooted_at_its_code_with_its_counties() -> None:
    city = hunan_city("433100", scale=TINY)
    h = city.hierarchy
    assert (h.root.id, h.root.kind, h.root.name) == ("433100", NodeKind.CITY, HUNAN["433100"])
    assert h.root.code == AreaCode.parse("433100")
    districts = h.nodes_of(NodeKind.DISTRICT)
    assert [d.id for d in districts] == list(hunan_cities()[-1].counties)
    assert all(d.parent_id == "433100" for d in districts)


# ----------------------------------------------------------------------------- seeds


@given(st.integers(0, 2**63 - 1), st.permutations(sorted(HUNAN)))
def test_city_seeds_depend_only_on_the_seed_and_the_code(seed: int, order: list[str]) -> None:
    canonical = {code: city_seed(seed, code) for code in sorted(HUNAN)}
    assert {code: city_seed(seed, code) for code in order} == canonical
    assert len(set(canonical.values())) == len(canonical)
    assert all(0 <= s < 2**63 for s in canonical.values())


def test_other_province_seed_other_city_seeds() -> None:
    assert city_seed(0, "430100") != city_seed(1, "430100")


def test_city_tasks_give_the_same_tallies_in_any_order() -> None:
    forward = [city_tally(code, scale=TINY, seed=3) for code in FEW]
    backward = [city_tally(code, scale=TINY, seed=3) for code in reversed(FEW)]
    assert {r.code: r.tally for r in forward} == {r.code: r.tally for r in backward}
    for order in itertools.permutations(forward):
        assert merge_city_tallies(order) == merge_city_tallies(forward)
    # ... and the same as the single-process days of the fixture.
    assert {r.code: r.tally for r in forward} == {
        code: tally_for_province(day).tally for code, day in days().items()
    }


# ----------------------------------------------------------------------------- the report


def test_the_province_hierarchy_holds_no_household() -> None:
    h = hunan_hierarchy()
    assert h.root.id == HUNAN_CODE
    assert h.root.kind is NodeKind.PROVINCE
    assert h.root.name == "湖南省"
    assert {n.kind for n in h} == {NodeKind.PROVINCE, NodeKind.CITY, NodeKind.DISTRICT}
    assert h.count_below(HUNAN_CODE, NodeKind.HOUSEHOLD) == 0
    assert len(h) == 1 + 14 + 122
    for c in hunan_cities():
        assert [n.id for n in h.children(c.code)] == list(c.counties)


def test_a_city_task_sends_back_counts_at_the_province_nodes_only() -> None:
    held = {n.id for n in hunan_hierarchy()}
    for code, day in days().items():
        done = tally_for_province(day)
        assert done.code == code
        assert done.tally.nodes() <= held
        assert len(done.tally) < len(day.tally())
        assert done.households == len(day.city.households)
        assert done.records == record_count(day)


def test_merged_report_equals_the_whole_province_report() -> None:
    """The per-city tallies, merged, report what one report over every household reports."""
    merged = merge_city_tallies(tally_for_province(day) for day in days().values())
    small = hunan_hierarchy(few())
    ours = daily_report(small, merged, cutoff=REPORT_DAY)
    whole = whole_province(day.city.hierarchy for day in days().values())
    raw = merge_city_tallies(day.tally() for day in days().values())
    direct = daily_report(
        whole,
        raw,
        cutoff=REPORT_DAY,
        levels=[NodeKind.PROVINCE, NodeKind.CITY, NodeKind.DISTRICT],
    )
    assert ours.as_dicts() == direct.as_dicts()
    top = ours.row(HUNAN_CODE)
    assert top.kind is NodeKind.PROVINCE
    households = sum(len(day.city.households) for day in days().values())
    assert top.figures["households_in_scope"].cumulative == households
    received = sum(len(day.declaration_records) for day in days().values())
    assert top.figures["declarations_received"].cumulative == received
    # Rates at the province come from the summed counts, never from averaged rates.
    rate = top.figures["review_rate"].rate
    assert rate is not None
    assert rate.numerator == top.figures["declarations_reviewed"].cumulative
    assert rate.denominator == received


def test_merged_tally_on_dask_equals_the_single_process_tally() -> None:
    dask = pytest.importorskip("dask")
    tasks = [dask.delayed(city_tally)(code, scale=TINY, seed=3) for code in FEW]
    done = dask.compute(*tasks, scheduler="threads", num_workers=2)
    single = merge_city_tallies(tally_for_province(day) for day in days().values())
    assert merge_city_tallies(done) == single


def test_record_count_adds_up_the_day() -> None:
    day = days()["430800"]
    assert record_count(day) == (
        day.submitted
        + len(day.declaration_events)
        + len(day.assessments)
        + len(day.attempts)
        + len(day.cases)
        + len(day.screening.outcomes)
    )


# ----------------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    ("call", "code", "field"),
    [
        (lambda: city_seed(-1, "430100"), "bad_seed", "seed"),
        (lambda: city_seed(0, None), "not_string", "code"),
        (lambda: hunan_city("430000", scale=TINY), "unknown_choice", "city"),
        (lambda: hunan_city(None, scale=TINY), "unknown_choice", "city"),
        (lambda: city_tally("430800", scale=0), "bad_scale", "scale"),
        (lambda: city_tally("430800", scale=TINY, seed=True), "bad_seed", "seed"),
        (
            lambda: city_tally("430800", scale=TINY, report_day="2022-03-27"),
            "not_date",
            "report_day",
        ),
        (lambda: tally_for_province(None), "wrong_type", "day"),
        (lambda: record_count("day"), "wrong_type", "day"),
        (lambda: merge_city_tallies([Tally.empty(), 3]), "wrong_type", "results.1"),
        (lambda: merge_city_tallies(None), "not_list", "results"),
        (lambda: hunan_hierarchy(["430100"]), "wrong_type", "cities.0"),
        (lambda: whole_province("x"), "not_list", "hierarchies"),
        (
            lambda: CityTally("430800", None, households=0, residents=0, records=0),
            "wrong_type",
            "tally",
        ),
        (
            lambda: CityTally("430800", Tally.empty(), households=-1, residents=0, records=0),
            "negative",
            "households",
        ),
    ],
)
def test_bad_arguments_are_coded_errors(call: object, code: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        call()  # type: ignore[operator]
    assert caught.value.code == code
    assert caught.value.field == field


# ----------------------------------------------------------------------------- the province level


def test_province_sits_above_city() -> None:
    assert list(NodeKind)[:2] == [NodeKind.PROVINCE, NodeKind.CITY]
    assert NodeKind.PROVINCE.rank == 0
    assert NodeKind.CITY.rank == 1
    assert NodeKind.HOUSEHOLD.rank == len(NodeKind) - 1
    assert (label(NodeKind.PROVINCE), label(NodeKind.PROVINCE, "en")) == ("省", "province")


def test_a_city_rooted_hierarchy_has_no_province() -> None:
    h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
    assert h.ancestor_of_kind("G", NodeKind.PROVINCE) is None
    assert h.nodes_of(NodeKind.PROVINCE) == ()
    assert list(h.ancestor_positions(NodeKind.PROVINCE)) == [-1, -1]
    assert [n.id for n in h.ancestors("G")] == ["C"]


def test_a_province_cannot_sit_under_a_city() -> None:
    with pytest.raises(InvalidInput) as caught:
        Hierarchy([Node("C", NodeKind.CITY, "c"), Node("P", NodeKind.PROVINCE, "p", "C")])
    assert caught.value.code == "kind_order"


def test_a_province_root_reaches_every_level() -> None:
    h = Hierarchy(
        [
            Node("P", NodeKind.PROVINCE, "湖南省", code=AreaCode.parse("430000")),
            Node("C", NodeKind.CITY, "株洲市", "P", AreaCode.parse("430200")),
            Node("G", NodeKind.GRID, "g", "C"),
            Node("H", NodeKind.HOUSEHOLD, "h", "G"),
        ]
    )
    assert h.ancestor_of_kind("H", NodeKind.PROVINCE).id == "P"  # type: ignore[union-attr]
    assert h.ancestor_of_kind("H", NodeKind.CITY).id == "C"  # type: ignore[union-attr]
    assert Hierarchy.from_rows(h.to_rows()) == h
    with pytest.raises(InvalidInput) as caught:
        Hierarchy(
            [
                Node("P", NodeKind.PROVINCE, "湖南省", code=AreaCode.parse("430000")),
                Node("C", NodeKind.CITY, "广州市", "P", AreaCode.parse("440100")),
            ]
        )
    assert caught.value.code == "code_outside_parent"


def test_the_city_demo_prints_no_province_level(capsys: pytest.CaptureFixture[str]) -> None:
    from gridcare.__main__ import main

    assert main(["demo", "--scale", "0.001", "--lang", "en", "--city-only"]) == 0
    out, _ = capsys.readouterr()
    assert "  province " not in out
    assert "  city " in out


# ----------------------------------------------------------------------------- rollup_to

COUNTED = [m.name for m in METRICS.values() if m.kind is not MetricKind.RATE]
DAY = date(2022, 3, 27)


def smaller(h: Hierarchy, kept: set[str]) -> Hierarchy:
    """The hierarchy holding only ``kept``, each under the nearest kept node above it."""
    nodes = []
    for node in h:
        if node.id not in kept:
            continue
        above = next((a.id for a in h.ancestors(node.id) if a.id in kept), None)
        nodes.append(Node(node.id, node.kind, node.name, above, node.code))
    return Hierarchy(nodes)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Hierarchy, Tally, set[str]]:
    h = draw(hierarchies(max_nodes=15))
    ids = [n.id for n in h]
    t = Tally.empty()
    for node, name, n, day in draw(
        st.lists(
            st.tuples(st.sampled_from(ids), st.sampled_from(COUNTED), st.integers(1, 9),
                      st.integers(0, 2)),
            max_size=25,
        )
    ):  # fmt: skip
        t = t.add(node, name, n, day=date(2022, 3, 25 + day))
    kept = {h.root.id} | set(draw(st.lists(st.sampled_from(ids), max_size=len(ids))))
    return h, t, kept


@given(cases())
@settings(max_examples=60)
def test_rollup_to_keeps_every_kept_node_s_figures(case: tuple[Hierarchy, Tally, set[str]]) -> None:
    h, t, kept = case
    moved = rollup_to(h, t, sorted(kept))
    assert moved.nodes() <= kept
    assert sum(n for _, n in moved) == sum(n for _, n in t)  # counts are moved, never lost
    big, small = Rollup(h, t), Rollup(smaller(h, kept), moved)
    for node in kept:
        for name in COUNTED:
            for day in t.days():
                assert small.value(node, name, day) == big.value(node, name, day)


def test_rollup_to_everything_is_the_identity() -> None:
    h = hunan_hierarchy(few())
    t = Tally.empty().add("430802", "hazards", 2, day=DAY).add("430800", "hazards", day=DAY)
    assert rollup_to(h, t, [n.id for n in h]) == t
    assert rollup_to(h, t, [HUNAN_CODE]).to_dict() == {HUNAN_CODE: {"hazards": {"2022-03-27": 3}}}


def test_rollup_to_refuses_what_it_cannot_place() -> None:
    h = hunan_hierarchy(few())
    t = Tally.empty().add("430802", "hazards", day=DAY)
    with pytest.raises(InvalidInput) as caught:
        rollup_to(h, t, ["430800"])
    assert (caught.value.code, caught.value.field) == ("missing", "nodes")
    with pytest.raises(UnknownNode):
        rollup_to(h, t, [HUNAN_CODE, "nowhere"])
    with pytest.raises(UnknownNode):
        rollup_to(h, Tally.empty().add("nowhere", "hazards", day=DAY), [HUNAN_CODE])
    with pytest.raises(InvalidInput) as caught:
        rollup_to(h, t, HUNAN_CODE)
    assert (caught.value.code, caught.value.field) == ("not_list", "nodes")
    with pytest.raises(InvalidInput) as caught:
        rollup_to(h, {}, [HUNAN_CODE])  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.field) == ("wrong_type", "source")
    with pytest.raises(InvalidInput) as caught:
        rollup_to(None, t, [HUNAN_CODE])  # type: ignore[arg-type]
    assert caught.value.field == "hierarchy"
