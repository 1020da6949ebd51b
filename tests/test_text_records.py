"""The text rules of a kind kept by the screening lists and records, the machines, and the
testing province and visit strategies.

Each text field answers exactly as :func:`gridcare.text.kind_problem` does for its kind
(the same refusals, the same code): a masked resident's ids are ids, its masked name a
person's name and its masked document number a short text; a stored tube's or resident's
ids are ids, as the events' ids are; a machine's name is an id; a campaign's scope and id
are ids. A city's code is a division code: it answers as :class:`~gridcare.codes.AreaCode`
does. No refusal quotes a terminal escape.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.codes import CitizenId, Sex, normalise_area_code
from gridcare.errors import InvalidInput, trusted
from gridcare.machine import NEW, Machine
from gridcare.people import IdDocument, IdKind, Resident
from gridcare.reports import Tally
from gridcare.screening import ResidentRecord, ResidentState, TubeKind, TubeRecord, TubeState
from gridcare.screening.coverage import MaskedResident, MopUpList, RetestTube
from gridcare.testing import campaigns
from gridcare.testing.province import CityTally, ProvinceCity, city_seed, hunan_cities
from gridcare.text import TEXT_LIMITS
from helpers import expected, refused, text_cases

# The texts of the text rules' properties, and masked forms.
TEXTS = text_cases(
    st.sampled_from(["刘*娟", "*", "L***a", "4302**********0024", "E1*****78", "x" * 21])
)
# Codes, well formed or nearly, and any text.
CODES = st.one_of(
    TEXTS,
    st.sampled_from(
        ["430100", "430800000", "430200-YL", "430271", "4301", "", "430100-\x1b", "43O100"]
    ),
)

T = datetime(2022, 3, 27, 8, tzinfo=UTC)
ESCAPE = "G\x1b[2J1"


# --------------------------------------------------------------------------- screening

MASKED = {"resident_id": "R1", "household_id": "H1", "grid_id": "G1", "name": "刘*娟"}
MASKED_KINDS = {
    "resident_id": ("id", False),
    "household_id": ("id", True),
    "grid_id": ("id", True),
    "name": ("name", True),
    "document": ("short", True),
}


@given(TEXTS, st.sampled_from(sorted(MASKED_KINDS)))
def test_a_masked_resident_keeps_the_rules_of_each_texts_kind(text: str, field: str) -> None:
    kind, allow_empty = MASKED_KINDS[field]
    assert refused(lambda: MaskedResident(**{**MASKED, field: text})) == expected(
        text, field, kind, allow_empty=allow_empty
    )


def test_a_masked_resident_holds_the_masks_of_the_longest_name_and_number() -> None:
    cid = CitizenId.parse("430202193903070024")
    for name, document in (("欧" * 40, cid), ("Li Na", IdDocument(IdKind.PASSPORT, "E" * 20))):
        resident = Resident(
            id="R1",
            household_id="H1",
            name=name,
            document=document,
            birth_date=date(1939, 3, 7),
            sex=Sex.FEMALE,
        )
        masked = MaskedResident.of("R1", "H1", "G1", resident)
        assert masked.name != name
        assert len(masked.document) <= TEXT_LIMITS["short"]
    assert MaskedResident.of("R1", "", "", None).name == ""  # a resident no grid holds


@given(TEXTS)
def test_a_retest_tube_and_a_mop_up_list_keep_the_rules_of_an_id(text: str) -> None:
    assert refused(lambda: RetestTube(text, None, (), ())) == expected(text, "tube_id")
    assert refused(lambda: MopUpList("S1", {text: ()})) == expected(text, "by_grid")


TUBE = {"tube_id": "T1", "kind": TubeKind.POOLED, "state": TubeState.OPEN, "members": ("R1",)}
RESIDENT = {"resident_id": "R1", "state": ResidentState.SAMPLED, "tube_id": "T1"}


@given(TEXTS)
def test_a_stored_tube_keeps_the_rules_of_an_id(text: str) -> None:
    assert refused(lambda: TubeRecord(**{**TUBE, "tube_id": text})) == expected(text, "tube_id")
    assert refused(lambda: TubeRecord(**{**TUBE, "retest_of": text})) == expected(text, "retest_of")
    assert refused(lambda: TubeRecord(**{**TUBE, "members": ("R1", text)})) == expected(
        text, "members.1"
    )
    assert refused(
        lambda: TubeRecord(**TUBE, event_ids=(text,), last_event_at=T)  # type: ignore[arg-type]
    ) == expected(text, "event_ids.0")


@given(TEXTS)
def test_a_stored_resident_keeps_the_rules_of_an_id(text: str) -> None:
    for field in ("resident_id", "tube_id", "first_tube_id"):
        fields = {**RESIDENT, field: text}
        assert refused(lambda: ResidentRecord(**fields)) == expected(text, field)  # noqa: B023
    assert refused(
        lambda: ResidentRecord(**RESIDENT, event_ids=("e1", text), last_event_at=T)  # type: ignore[arg-type]
    ) == expected(text, "event_ids.1")


def test_a_record_names_the_id_it_refuses_and_keeps_bad_record_for_other_types() -> None:
    with pytest.raises(InvalidInput) as info:
        TubeRecord(**{**TUBE, "members": ("R1", "R\u202e2")})
    assert (info.value.code, info.value.field) == ("bidi_control", "members.1")
    with pytest.raises(InvalidInput) as info:
        ResidentRecord(**{**RESIDENT, "resident_id": 7})
    assert (info.value.code, info.value.field) == ("bad_record", "resident_id")
    with pytest.raises(InvalidInput) as info:
        ResidentRecord(**{**RESIDENT, "tube_id": ""})
    assert (info.value.code, info.value.field) == ("missing", "tube_id")


def test_the_replays_own_records_are_built_without_the_checks() -> None:
    built = trusted(ResidentRecord, "R\x1b", ResidentState.SAMPLED)
    assert built.resident_id == "R\x1b"  # the replay's path: checked where its events entered


# --------------------------------------------------------------------------- machine


class Light(StrEnum):
    OFF = "off"


class Press(StrEnum):
    FIT = "fit"


@given(TEXTS)
def test_a_machines_name_keeps_the_rules_of_an_id(text: str) -> None:
    assert refused(lambda: Machine(text, {(NEW, Press.FIT): Light.OFF})) == expected(text, "name")


# --------------------------------------------------------------------------- testing

CITY = hunan_cities()[7]


def area_code(text: str) -> str | None:
    """The code :class:`~gridcare.codes.AreaCode` refuses ``text`` with, ``None`` if it parses."""
    problem = normalise_area_code(text)
    return None if isinstance(problem, tuple) else problem.code


@given(CODES)
def test_a_city_code_is_a_division_code(text: str) -> None:
    code = area_code(text)
    assert refused(lambda: city_seed(0, text)) == code
    assert refused(
        lambda: CityTally(text, Tally.empty(), households=0, residents=0, records=0)
    ) == (code)
    assert (
        refused(lambda: ProvinceCity(text, CITY.name, CITY.population, CITY.share, CITY.profile))
        == code
    )


@given(TEXTS)
def test_a_province_citys_name_keeps_the_rules_of_a_place(text: str) -> None:
    assert refused(
        lambda: ProvinceCity(CITY.code, text, CITY.population, CITY.share, CITY.profile)
    ) == expected(text, "name", "place")


def test_a_city_has_one_seed_whichever_way_its_code_is_spelt() -> None:
    assert city_seed(3, "430800") == city_seed(3, "430800000") != city_seed(3, "430900")


@given(TEXTS)
def test_a_campaigns_scope_and_id_keep_the_rules_of_an_id(text: str) -> None:
    assert refused(lambda: campaigns(scope=text)) == expected(text, "scope")
    assert refused(lambda: campaigns(campaign_id=text)) == expected(text, "campaign_id")


# --------------------------------------------------------------------------- escapes

ESCAPED: list[tuple[str, Callable[[], object], str, str]] = [
    ("MaskedResident", lambda: MaskedResident("R1", "H1", ESCAPE), "control_character", "grid_id"),
    (
        "MaskedResident name",
        lambda: MaskedResident("R1", "H1", "G1", "刘\x1b[2J娟"),
        "control_character",
        "name",
    ),
    ("RetestTube", lambda: RetestTube(ESCAPE, None, (), ()), "control_character", "tube_id"),
    ("MopUpList", lambda: MopUpList("S1", {ESCAPE: ()}), "control_character", "by_grid"),
    (
        "TubeRecord",
        lambda: TubeRecord(ESCAPE, TubeKind.POOLED, TubeState.OPEN),
        "control_character",
        "tube_id",
    ),
    (
        "ResidentRecord",
        lambda: ResidentRecord(ESCAPE, ResidentState.SAMPLED),
        "control_character",
        "resident_id",
    ),
    ("Machine", lambda: Machine(ESCAPE, {}), "control_character", "name"),
    (
        "CityTally",
        lambda: CityTally("4308\x1b[2J", Tally.empty(), households=0, residents=0, records=0),
        "bad_characters",
        "code",
    ),
    ("city_seed", lambda: city_seed(0, "430800-\x1b[2J"), "bad_local_segment", "code"),
    (
        "ProvinceCity",
        lambda: ProvinceCity(CITY.code, "张\x1b[2J家界市", 1, 0.5, CITY.profile),
        "control_character",
        "name",
    ),
    ("campaigns", lambda: campaigns(scope=ESCAPE), "control_character", "scope"),
]


@pytest.mark.parametrize(
    ("build", "code", "field"), [case[1:] for case in ESCAPED], ids=[c[0] for c in ESCAPED]
)
def test_a_terminal_escape_is_refused_and_never_quoted(
    build: Callable[[], object], code: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        build()
    assert (info.value.code, info.value.field) == (code, field)
    assert "\x1b" not in str(info.value)
    assert "\x1b" not in str(info.value.value)


OVERRIDDEN: list[tuple[str, Callable[[], object]]] = [
    ("MaskedResident", lambda: MaskedResident("R1", "H1", "G\u202e1")),
    ("TubeRecord", lambda: TubeRecord("G\u202e1", TubeKind.POOLED, TubeState.OPEN)),
    ("ResidentRecord", lambda: ResidentRecord("G\u202e1", ResidentState.SAMPLED)),
    ("Machine", lambda: Machine("G\u202e1", {})),
    ("campaigns", lambda: campaigns(campaign_id="G\u202e1")),
]


@pytest.mark.parametrize("build", [c[1] for c in OVERRIDDEN], ids=[c[0] for c in OVERRIDDEN])
def test_a_bidirectional_override_is_refused(build: Callable[[], object]) -> None:
    with pytest.raises(InvalidInput) as info:
        build()
    assert info.value.code == "bidi_control"
    assert "\u202e" not in str(info.value)
