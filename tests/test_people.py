"""Residents, households, workers, assignments, the roster and help needs (gridcare.people)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gridcare.codes import CitizenId, PhoneNumber, Sex
from gridcare.errors import InvalidInput, UnknownNode
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.labels import LABELS
from gridcare.people import (
    ELDERLY_AGE,
    ROLE_KINDS,
    Assignment,
    CareNeed,
    ChainLink,
    Household,
    IdDocument,
    IdKind,
    Resident,
    ResponsibilityChain,
    Roster,
    Worker,
    WorkerRole,
    age_on,
    help_reasons,
    needs_help,
)
from gridcare.text import kind_problem
from gridcare.timeutil import DEFAULT_ZONE

AS_OF = date(2022, 3, 27)


def citizen_id(area: str, born: date, seq: int) -> CitizenId:
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return CitizenId.parse(first17 + CitizenId.check_character(first17))


def resident(
    *,
    name: str = "刘晓娟",
    born: date = date(1950, 6, 1),
    sex: Sex = Sex.FEMALE,
    phone: str | None = "13812345678",
    needs: frozenset[CareNeed] = frozenset(),
) -> Resident:
    seq = 21 if sex is Sex.MALE else 22
    return Resident(
        id="R1",
        household_id="H1",
        name=name,
        document=citizen_id("430211", born, seq),
        birth_date=born,
        sex=sex,
        phone=None if phone is None else PhoneNumber.parse(phone),
        care_needs=needs,
    )


# ----------------------------------------------------------------------------- Resident


def test_resident_repr_masks_personal_data() -> None:
    r = resident()
    text = repr(r)
    assert "刘*娟" in text
    assert "刘晓娟" not in text
    assert r.document.number not in text
    assert r.document.masked() in text
    assert "********" in text
    assert "13812345678" not in text
    assert "138****5678" in text
    assert "1950" not in text  # the birth date is not shown at all
    assert str(r) == text


def test_resident_accepts_care_needs_as_strings() -> None:
    r = resident(needs=frozenset({"no_smartphone"}))  # type: ignore[arg-type]
    assert r.care_needs == {CareNeed.NO_SMARTPHONE}
    assert r.id_kind is IdKind.CITIZEN_ID


def test_resident_collects_every_problem() -> None:
    cid = citizen_id("430211", date(1950, 6, 1), 22)
    with pytest.raises(InvalidInput) as caught:
        Resident(
            id="",
            household_id="H1",
            name="  ",
            document=cid,
            birth_date=date(1950, 6, 2),
            sex=Sex.MALE,
            care_needs={"flying"},
        )
    found = {(e.code, e.field) for e in caught.value.errors}
    assert found == {
        ("missing", "id"),
        ("missing", "name"),
        ("birth_date_mismatch", "birth_date"),
        ("sex_mismatch", "sex"),
        ("bad_care_need", "care_needs"),
    }


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("document", "430211195006010022", "bad_document"),
        ("phone", "13812345678", "bad_phone"),
        ("birth_date", datetime(1950, 6, 1, tzinfo=UTC), "bad_birth_date"),
        ("sex", "female", "bad_sex"),
        ("name", 42, "not_string"),
        ("name", "刘" * 51, "too_long"),  # a person's name: at most 50 characters (40 before)
        ("name", "刘\x1b[2J娟", "control_character"),
    ],
)
def test_resident_rejects_bad_fields(field: str, value: object, code: str) -> None:
    fields: dict[str, object] = {
        "id": "R1",
        "household_id": "H1",
        "name": "刘晓娟",
        "document": citizen_id("430211", date(1950, 6, 1), 22),
        "birth_date": date(1950, 6, 1),
        "sex": Sex.FEMALE,
    }
    fields[field] = value
    with pytest.raises(InvalidInput) as caught:
        Resident(**fields)  # type: ignore[arg-type]
    assert caught.value.code == code
    assert caught.value.field == field
    assert "刘晓娟" not in str(caught.value)


def test_resident_with_a_passport() -> None:
    r = Resident(
        id="R9",
        household_id="H1",
        name="Anna Müller",
        document=IdDocument(IdKind.PASSPORT, " c01x00t47 "),
        birth_date=date(1985, 2, 3),
        sex=Sex.FEMALE,
    )
    assert r.id_kind is IdKind.PASSPORT
    assert r.document.number == "C01X00T47"
    assert "C01X00T47" not in repr(r)


@pytest.mark.parametrize(
    ("kind", "number", "code"),
    [
        (IdKind.CITIZEN_ID, "E12345678", "bad_document_kind"),
        ("passport", "E12345678", "bad_document_kind"),
        (IdKind.PASSPORT, "E1", "bad_document_number"),
        (IdKind.PASSPORT, "E123-45678", "bad_document_number"),
    ],
)
def test_id_document_rejects(kind: object, number: str, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        IdDocument(kind, number)  # type: ignore[arg-type]
    assert caught.value.code == code


# ----------------------------------------------------------------------------- help needs


def test_elderly_from_the_eightieth_birthday_on() -> None:
    r = resident(born=date(1942, 3, 27))
    assert help_reasons(r, date(2022, 3, 26)) == frozenset()
    assert help_reasons(r, date(2022, 3, 27)) == {CareNeed.ELDERLY}
    assert needs_help(r, date(2022, 3, 27))
    assert not needs_help(r, date(2022, 3, 27), elderly_age=81)


def test_leap_day_birthday_counts_from_first_of_march() -> None:
    born = date(1944, 2, 29)
    assert age_on(born, date(2024, 2, 28)) == 79
    assert age_on(born, date(2024, 2, 29)) == 80
    assert age_on(born, date(2023, 2, 28)) == 78
    assert age_on(born, date(2023, 3, 1)) == 79


def test_in_person_needs_are_recorded_or_by_age() -> None:
    r = resident(
        born=date(1990, 1, 1),
        needs=frozenset({CareNeed.NO_SMARTPHONE, CareNeed.LIVING_ALONE, CareNeed.DISABLED}),
    )
    # Disability is recorded but is not, by itself, a reason to serve in person.
    assert help_reasons(r, AS_OF) == {CareNeed.NO_SMARTPHONE, CareNeed.LIVING_ALONE}
    assert not needs_help(resident(born=date(1990, 1, 1)), AS_OF)


def test_as_of_instant_uses_the_local_date() -> None:
    r = resident(born=date(1942, 3, 27))
    # 2022-03-26 16:00 UTC is 2022-03-27 00:00 in Asia/Shanghai: the 80th birthday.
    assert needs_help(r, datetime(2022, 3, 26, 16, 0, tzinfo=UTC))
    assert not needs_help(r, datetime(2022, 3, 26, 15, 59, tzinfo=UTC))
    assert r.age_on(datetime(2022, 3, 27, 0, 0, tzinfo=DEFAULT_ZONE)) == ELDERLY_AGE


def test_as_of_must_be_aware_or_a_date() -> None:
    r = resident()
    with pytest.raises(InvalidInput) as caught:
        help_reasons(r, datetime(2022, 3, 27, 8))
    assert (caught.value.code, caught.value.field) == ("naive_datetime", "as_of")
    with pytest.raises(InvalidInput) as caught:
        needs_help(r, "2022-03-27")  # type: ignore[arg-type]
    assert caught.value.code == "not_date"


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2022, 12, 31)),
    days=st.integers(min_value=0, max_value=40_000),
)
def test_age_grows_by_one_at_each_birthday(born: date, days: int) -> None:
    day = born + timedelta(days=days)
    age = age_on(born, day)
    assert day.year - born.year - 1 <= age <= day.year - born.year
    assert age >= 0
    assert age_on(born, day + timedelta(days=1)) in (age, age + 1)


@given(name=st.text(alphabet="刘王李张陈欧阳晓娟建国明", min_size=2, max_size=4))
def test_repr_never_shows_the_name(name: str) -> None:
    text = repr(resident(name=name))
    assert f"'{name}'" not in text


# ----------------------------------------------------------------------------- households, workers


def test_household() -> None:
    h = Household(id="H1", members=["R1", "R2"])
    assert h.members == ("R1", "R2")
    assert h.size == 2
    assert not h.vacant
    assert Household(id="H2", vacant=True).size == 0
    assert repr(Household(id="H2", vacant=True)) == "Household('H2', members=0, vacant)"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"id": "H1", "members": ["R1", "R1"]}, "duplicate_member"),
        ({"id": "H1", "members": ["R1"], "vacant": True}, "vacant_with_members"),
        ({"id": "H1", "members": [""]}, "missing"),  # a member keeps the rules of an id
        ({"id": "H1", "vacant": "yes"}, "bad_flag"),
        ({"id": ""}, "missing"),
    ],
)
def test_household_rejects(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Household(**kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code


_HOUSEHOLD_IDS = st.text(alphabet="H0123456789-", min_size=1, max_size=12)


@given(
    house=_HOUSEHOLD_IDS,
    members=st.lists(st.text(alphabet="R0123456789", min_size=1, max_size=8), unique=True),
    vacant=st.booleans(),
)
def test_trusted_household_is_the_checked_one(house: str, members: list[str], vacant: bool) -> None:
    vacant = vacant and not members  # a vacant household has no members
    checked = Household(id=house, members=members, vacant=vacant)
    built = Household.trusted(id=house, members=tuple(members), vacant=vacant)
    assert built == checked
    assert repr(built) == repr(checked)
    assert hash(built) == hash(checked)
    assert type(built.members) is tuple


def test_trusted_household_does_not_check() -> None:
    """What a builder vouches for is not checked again: a slip gives a wrong value."""
    built = Household.trusted(id="H1", members=("R1", "R1"), vacant=True)
    assert built.members == ("R1", "R1")
    with pytest.raises(InvalidInput):
        Household(id="H1", members=("R1", "R1"), vacant=True)


def test_household_constructor_converts_members_as_before() -> None:
    assert Household(id="H1", members="R1").members == ("R1",)
    assert Household(id="H1", members=["R1", "R2"]).members == ("R1", "R2")
    assert Household(id="H1", members=(m for m in ("R1",))).members == ("R1",)
    assert Household(id="H1").members == ()
    with pytest.raises(TypeError):
        Household("H1")  # type: ignore[misc]  # the fields are named, as before


def test_worker_repr_and_checks() -> None:
    w = Worker(
        id="W1",
        name="周建国",
        role=WorkerRole.BUILDING_HEAD,
        phone=PhoneNumber.parse("13912345678"),
    )
    assert "周建国" not in repr(w)
    assert "13912345678" not in repr(w)
    with pytest.raises(InvalidInput) as caught:
        Worker(id="W1", name="周建国", role="boss")  # type: ignore[arg-type]
    assert caught.value.code == "bad_role"
    with pytest.raises(InvalidInput) as caught:
        Assignment("W1", "")
    assert (caught.value.code, caught.value.field) == ("missing", "node_id")


def test_every_enum_has_both_labels() -> None:
    for enum in (CareNeed, WorkerRole, IdKind):
        table = LABELS[enum.__name__]
        for member in enum:
            zh, en = table[member.value]
            assert zh
            assert en


def test_every_role_may_be_assigned_somewhere() -> None:
    assert set(ROLE_KINDS) == set(WorkerRole)
    assert WorkerRole.GRID_WORKER_FULL_TIME.is_grid_worker
    assert not WorkerRole.GRID_LEADER.is_grid_worker


# ----------------------------------------------------------------------------- roster


@pytest.fixture
def hierarchy() -> Hierarchy:
    return Hierarchy(
        [
            Node("C", NodeKind.CITY, "株洲市"),
            Node("D", NodeKind.DISTRICT, "天元区", "C"),
            Node("S", NodeKind.STREET, "嵩山街道", "D"),
            Node("M", NodeKind.COMMUNITY, "大塘社区", "S"),
            Node("G", NodeKind.GRID, "第1网格", "M"),
            Node("B1", NodeKind.BUILDING, "1栋", "G"),
            Node("U1", NodeKind.UNIT, "1单元", "B1"),
            Node("H1", NodeKind.HOUSEHOLD, "1栋1单元101", "U1"),
            Node("H2", NodeKind.HOUSEHOLD, "1栋1单元102", "U1"),
            Node("U2", NodeKind.UNIT, "2单元", "B1"),
            Node("H3", NodeKind.HOUSEHOLD, "1栋2单元101", "U2"),
            Node("B2", NodeKind.BUILDING, "2栋", "G"),
            Node("H4", NodeKind.HOUSEHOLD, "2栋101", "B2"),
            Node("G2", NodeKind.GRID, "第2网格", "M"),
            Node("H5", NodeKind.HOUSEHOLD, "村民组5号", "G2"),
        ]
    )


def worker(wid: str, role: WorkerRole) -> Worker:
    return Worker(id=wid, name="王芳", role=role)


WORKERS = [
    worker("GW1", WorkerRole.GRID_WORKER_FULL_TIME),
    worker("GW2", WorkerRole.GRID_WORKER_PART_TIME),
    worker("GL1", WorkerRole.GRID_LEADER),
    worker("BH1", WorkerRole.BUILDING_HEAD),
    worker("V1", WorkerRole.VOLUNTEER),
    worker("V2", WorkerRole.VOLUNTEER),
    worker("CS1", WorkerRole.COMMUNITY_STAFF),
    worker("CS2", WorkerRole.COMMUNITY_STAFF),
]
ASSIGNMENTS = [
    Assignment("GW1", "G"),
    Assignment("GW1", "G2"),
    Assignment("GW2", "B2"),
    Assignment("GL1", "G"),
    Assignment("GL1", "G2"),
    Assignment("BH1", "U1"),
    Assignment("BH1", "U2"),
    Assignment("V1", "H1"),
    Assignment("V1", "H2"),
    Assignment("V2", "U2"),
    Assignment("CS1", "M"),
    Assignment("CS2", "M"),
]


def test_chain_of_a_household_in_a_building(hierarchy: Hierarchy) -> None:
    roster = Roster(hierarchy, WORKERS, ASSIGNMENTS)
    chain = roster.chain("H1")
    assert chain.volunteer == "V1"
    assert chain.building_head == "BH1"
    assert chain.grid_workers == ("GW1",)
    assert chain.grid_leader == "GL1"
    assert chain.community_staff == ("CS1", "CS2")
    assert [link.node_id for link in chain.links] == ["H1", "U1", "G", "G", "M"]


def test_chain_takes_the_nearest_of_each_role(hierarchy: Hierarchy) -> None:
    roster = Roster(hierarchy, WORKERS, ASSIGNMENTS)
    assert roster.chain("H3").volunteer == "V2"  # a volunteer for the whole unit
    h4 = roster.chain("H4")
    assert h4.building_head is None
    assert h4.volunteer is None
    assert h4.grid_workers == ("GW1", "GW2")  # full-time at the grid, part-time at the building
    assert h4.of(WorkerRole.GRID_WORKER_PART_TIME) == ChainLink(
        WorkerRole.GRID_WORKER_PART_TIME, "B2", ("GW2",)
    )
    rural = roster.chain("H5")  # household directly under a grid
    assert rural.grid_workers == ("GW1",)
    assert rural.grid_leader == "GL1"


def test_roster_lookups(hierarchy: Hierarchy) -> None:
    roster = Roster(hierarchy, WORKERS, ASSIGNMENTS)
    assert len(roster) == len(WORKERS)
    assert roster.nodes_of("GW1") == ("G", "G2")
    assert [w.id for w in roster.workers_at("M")] == ["CS1", "CS2"]
    assert roster.workers_at("H3") == ()
    assert roster.worker("V1").role is WorkerRole.VOLUNTEER
    assert roster.hierarchy is hierarchy
    assert {w.id for w in roster} == {w.id for w in WORKERS}
    with pytest.raises(UnknownNode):
        roster.chain("nope")
    with pytest.raises(UnknownNode):
        roster.workers_at("nope")
    with pytest.raises(InvalidInput) as caught:
        roster.nodes_of("nobody")
    assert caught.value.code == "unknown_worker"
    empty = Roster(hierarchy, [], [])
    assert empty.chain("H1") == ResponsibilityChain("H1", ())


def test_roster_reports_every_bad_assignment(hierarchy: Hierarchy) -> None:
    with pytest.raises(InvalidInput) as caught:
        Roster(
            hierarchy,
            [*WORKERS, worker("GW1", WorkerRole.VOLUNTEER)],
            [
                Assignment("GW1", "G"),
                Assignment("GW1", "G"),
                Assignment("ghost", "G"),
                Assignment("V1", "nowhere"),
                Assignment("V1", "G"),
                "not an assignment",  # type: ignore[list-item]
            ],
        )
    found = [(e.code, e.field) for e in caught.value.errors]
    assert found == [
        ("duplicate_id", "workers.8.id"),
        ("duplicate_assignment", "assignments.1"),
        ("unknown_worker", "assignments.2.worker_id"),
        ("unknown_node", "assignments.3.node_id"),
        ("role_kind", "assignments.4.node_id"),
        ("bad_assignment", "assignments.5"),
    ]


# ----------------------------------------------------------------------------- wrong types


def _deep(depth: int = 50_000) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("members", [None, 5, {"R1": 1}, b"R1"])
def test_household_members_must_be_a_list(members: object) -> None:
    with pytest.raises(InvalidInput) as err:
        Household(id="H1", members=members)  # type: ignore[arg-type]
    assert (err.value.code, err.value.field) == ("not_list", "members")


def test_household_members_that_cannot_be_compared_are_reported() -> None:
    with pytest.raises(InvalidInput) as err:
        Household(id="H1", members=[["R1"], "R2"])  # type: ignore[list-item]
    assert (err.value.code, err.value.field) == ("not_string", "members.0")
    assert Household(id="H1", members=iter(["R1"])).members == ("R1",)
    with pytest.raises(InvalidInput) as err:
        Household(id="H1", members=_deep())
    assert (err.value.code, err.value.field) == ("not_string", "members.0")


@pytest.mark.parametrize("needs", [[["x"]], None, 5, _deep(), [None]])
def test_care_needs_of_the_wrong_shape_are_reported(needs: object) -> None:
    with pytest.raises(InvalidInput) as err:
        resident(needs=needs)  # type: ignore[arg-type]
    assert (err.value.code, err.value.field) == ("bad_care_need", "care_needs")
    assert len(str(err.value)) < 300


@pytest.mark.parametrize("born", [date(1, 1, 1), date(1899, 12, 31), date(2101, 1, 1)])
def test_a_birth_date_outside_the_supported_years_is_refused(born: date) -> None:
    with pytest.raises(InvalidInput) as err:
        Resident(
            id="R1",
            household_id="H1",
            name="刘晓娟",
            document=IdDocument(IdKind.PASSPORT, "E12345678"),
            birth_date=born,
            sex=Sex.FEMALE,
        )
    assert (err.value.code, err.value.field) == ("out_of_range", "birth_date")


def test_age_helpers_check_their_arguments() -> None:
    r = resident()
    with pytest.raises(InvalidInput) as err:
        age_on("1950-06-01", date(2022, 3, 27))  # type: ignore[arg-type]
    assert err.value.field == "birth_date"
    with pytest.raises(InvalidInput) as err:
        help_reasons("R1", date(2022, 3, 27))  # type: ignore[arg-type]
    assert err.value.code == "not_resident"
    for age in (-1, 10**100, 2.5, None, True):
        with pytest.raises(InvalidInput) as err:
            needs_help(r, date(2022, 3, 27), elderly_age=age)  # type: ignore[arg-type]
        assert (err.value.code, err.value.field) == ("out_of_range", "elderly_age")
    with pytest.raises(InvalidInput) as err:
        r.age_on(datetime(9999, 12, 31, tzinfo=UTC))
    assert err.value.code == "out_of_range"


def test_bad_enum_values_are_shown_safely() -> None:
    with pytest.raises(InvalidInput) as err:
        Worker(id="W1", name="周建国", role=_deep())  # type: ignore[arg-type]
    assert err.value.code == "bad_role"
    with pytest.raises(InvalidInput) as err:
        IdDocument(_deep(), "E12345678")  # type: ignore[arg-type]
    assert err.value.code == "bad_document_kind"


# ----------------------------------------------------------------------------- masked forms


def test_a_redacted_resident_shows_no_personal_value() -> None:
    r = resident(phone="13812345678")
    masked = r.redacted()
    shown = repr(masked)
    assert r.name not in shown
    assert r.document.number not in shown  # type: ignore[union-attr]
    assert "13812345678" not in shown
    assert masked.name == "刘*娟"
    assert masked.phone == "138****5678"
    assert masked.document == r.document.masked()
    assert (masked.id, masked.household_id, masked.care_needs) == ("R1", "H1", r.care_needs)


@given(
    st.text(min_size=2, max_size=10).filter(
        # A name of the mask's own shape ("0*0") is masked into itself: it shows no more
        # than its first and last characters, which the mask keeps.
        lambda s: len(s.strip()) >= 3 and "*" not in s and kind_problem(s, "name", "name") is None
    )
)
@example("430")  # the kept area of the document number begins with it
def test_a_redacted_resident_never_shows_the_name(name: str) -> None:
    masked = resident(name=name).redacted()
    assert name.strip() not in masked.name
    # Nothing else shown depends on the name (a name "430" may well be in the document
    # number's kept area, by chance, as a name "hou" is in the field name "household_id").
    other = resident(name="某某某").redacted()
    assert (masked.document, masked.phone) == (other.document, other.phone)
    assert repr(masked) == repr(other).replace(repr(other.name), repr(masked.name))


def test_a_redacted_worker_shows_no_personal_value() -> None:
    w = Worker(
        id="W1",
        name="周建国",
        role=WorkerRole.VOLUNTEER,
        phone=PhoneNumber.parse("13912345678"),
    )
    shown = repr(w.redacted())
    assert "周建国" not in shown
    assert "13912345678" not in shown


def test_a_roster_checks_its_arguments() -> None:
    h = Hierarchy([Node("G", NodeKind.GRID, "网格")])
    for args, field in (
        (("h", [], []), "hierarchy"),
        ((h, None, []), "workers"),
        ((h, [], 5), "assignments"),
    ):
        with pytest.raises(InvalidInput) as err:
            Roster(*args)  # type: ignore[arg-type]
        assert err.value.field == field
    roster = Roster(h, [], [])
    with pytest.raises(InvalidInput) as err:
        roster.worker(["W1"])  # type: ignore[arg-type]
    assert err.value.code == "not_string"
    with pytest.raises(InvalidInput):
        ChainLink(WorkerRole.VOLUNTEER, "H1", ())
    with pytest.raises(InvalidInput):
        ResponsibilityChain("H1", None)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        ResponsibilityChain("H1", ()).of("volunteer")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "changed",
    [{"members": None}, {"members": ["R1"] * 2}, {"id": 7}, {"vacant": "yes"}],
)
def test_trusted_household_sends_wrong_types_to_the_checks(changed: dict[str, object]) -> None:
    """Content is trusted, types are not: garbage is refused as the constructor refuses it."""
    fields: dict[str, object] = {"id": "H1", "members": ("R1",), "vacant": False, **changed}
    with pytest.raises(InvalidInput):
        Household.trusted(**fields)  # type: ignore[arg-type]


def test_trusted_household_converts_a_list_as_the_constructor_does() -> None:
    built = Household.trusted(id="H1", members=["R1", "R2"])  # type: ignore[arg-type]
    assert built == Household(id="H1", members=("R1", "R2"))
    assert type(built.members) is tuple


@pytest.mark.parametrize(
    "changed",
    [
        {"document": [[[]]]},
        {"phone": [[[]]]},
        {"name": 5},
        {"birth_date": "1949-12-31"},
        {"sex": "female"},
        {"care_needs": ["not a need"]},
    ],
)
def test_trusted_resident_sends_wrong_types_to_the_checks(changed: dict[str, object]) -> None:
    cid = CitizenId.parse("11010519491231002X")
    fields: dict[str, object] = {
        "id": "R1",
        "household_id": "H1",
        "name": "刘晓娟",
        "document": cid,
        "birth_date": date(1949, 12, 31),
        "sex": Sex.FEMALE,
        **changed,
    }
    with pytest.raises(InvalidInput):
        Resident.trusted(**fields)  # type: ignore[arg-type]
