"""No report row, repr, export or error message shows an unmasked ID number, phone or full name.

Personal data is masked by default everywhere. These tests collect every raw
personal value of a synthetic report day (declarants and residents) and
search for them in everything gridcare renders.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Callable, Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import gridcare
from gridcare import (
    GridcareError,
    InvalidInput,
    NodeKind,
    Principal,
    View,
    daily_report,
    parse_form,
    parse_forms,
)
from gridcare.codes import CitizenId, PhoneNumber
from gridcare.declarations import DeclarationForm, example_form
from gridcare.hierarchy import Hierarchy, Node
from gridcare.masking import PERSONAL_MASK_KEY, REVEAL, mask_numbers, masked_repr
from gridcare.people import Household, Resident, Worker, WorkerRole
from gridcare.reports import Tally
from gridcare.risk import PRESETS
from gridcare.scope import Access, redact
from gridcare.screening import (
    AwayReason,
    CensusEntry,
    Exemption,
    ExemptionReason,
    MarkedAway,
    Registered,
    ResidentRecord,
    ResidentState,
    SwabAdded,
    TubeKind,
    TubeRecord,
    TubeState,
)
from gridcare.screening.coverage import MaskedResident
from gridcare.serial import holds_personal_data, to_dict
from gridcare.testing import synthetic_city
from gridcare.testing.scenario import CityDay, synthetic_day
from gridcare.testing.strategies import citizen_ids, phone_numbers
from gridcare.timeutil import DEFAULT_ZONE
from gridcare.visits import VisitAttempt, VisitOutcome


@pytest.fixture(scope="module")
def day() -> CityDay:
    return synthetic_day(synthetic_city(scale=0.001, seed=5), seed=5)


def _secrets(day: CityDay) -> set[str]:
    found: set[str] = set()
    for d in day.declarations:
        found.add(d.document_number)
        found.add(d.phone.number)
        if len(d.name) >= 2:
            found.add(d.name)
    for resident in list(day.city.residents)[:2000]:
        if resident.document is not None:
            found.add(resident.document.number)
        if resident.phone is not None:
            found.add(resident.phone.number)
        if len(resident.name) >= 2:
            found.add(resident.name)
    return found


def _leaks(texts: Iterable[str], secrets: set[str]) -> list[str]:
    """The secrets that occur anywhere in the texts, as substrings.

    A secret of n characters is in the text exactly when it is one of the text's windows of n
    characters: one set of windows per length of secret, instead of one scan of the whole text
    per secret (thousands of them).
    """
    assert len(secrets) >= 4, "the search needs real personal values to look for"
    blob = "\n".join(texts)
    found: set[str] = set()
    for size in {len(s) for s in secrets}:
        found |= secrets & {blob[i : i + size] for i in range(len(blob) - size + 1)}
    return sorted(found)


def test_reprs_and_strs_of_personal_records_are_masked(day: CityDay) -> None:
    secrets = _secrets(day)
    texts: list[str] = []
    for d in day.declarations:
        texts += [repr(d), str(d)]
    for resident in list(day.city.residents)[:2000]:
        texts += [repr(resident), str(resident)]
    texts += [repr(r) for r in day.declaration_records]
    texts += [repr(a) for a in list(day.assessments.values())[:500]]
    texts += [repr(s) for s in day.visit_states[:500]]
    texts += [repr(c) for c in day.cases]
    assert _leaks(texts, secrets) == []


def test_no_report_rendering_carries_personal_data(day: CityDay) -> None:
    secrets = _secrets(day)
    h = day.city.hierarchy
    report = daily_report(h, day.tally(), cutoff=day.cutoff.date())
    every_level = daily_report(h, day.tally(), cutoff=day.cutoff.date(), levels=list(NodeKind))
    texts = [
        report.to_text(lang="zh"),
        report.to_text(lang="en"),
        report.to_csv(),
        json.dumps(report.as_dicts(), ensure_ascii=False, default=str),
        every_level.to_csv(),
        json.dumps(day.tally().to_dict(), ensure_ascii=False),
    ]
    assert _leaks(texts, secrets) == []


def test_report_rows_below_the_community_show_no_address(day: CityDay) -> None:
    """A household's name is its address ("1栋1单元101室"): rows of buildings, units and
    households (opt-in) show it as a node's repr does, cut to its first two characters."""
    from gridcare.hierarchy import NodeKind as K

    h = day.city.hierarchy
    levels = [K.GRID, K.BUILDING, K.UNIT, K.HOUSEHOLD]
    report = daily_report(h, day.tally(), cutoff=day.cutoff.date(), levels=levels)
    private = [row for row in report.rows if row.kind in (K.BUILDING, K.UNIT, K.HOUSEHOLD)]
    assert private
    addresses = {h.node(row.node_id).name for row in private} - {""}
    rendered = [report.to_csv(), report.to_text(lang="zh"), repr(report.rows[-1])]
    rendered.append(json.dumps(report.as_dicts(), ensure_ascii=False, default=str))
    long_ones = {a for a in addresses if len(a) > 4}
    assert long_ones
    for text in rendered:
        assert not [a for a in long_ones if a in text]
    for row in private:
        assert row.name == h.node(row.node_id).masked_name()


def test_rejected_forms_and_errors_are_masked() -> None:
    good = example_form()
    raw_id = good["identity"]["id_number"]
    raw_phone = good["phone"]
    broken = json.loads(json.dumps(good, default=str))
    broken["identity"]["id_number"] = raw_id[:-1] + ("0" if raw_id[-1] != "0" else "1")
    broken["phone"] = raw_phone + "9"
    from datetime import datetime

    result = parse_forms([broken], received_at=datetime(2022, 3, 19, 9, tzinfo=DEFAULT_ZONE))
    (rejected,) = result.rejected
    texts = [repr(rejected), str(rejected)] + [str(e) for e in rejected.errors]
    texts += [repr(e.value) for e in rejected.errors]
    assert (
        _leaks(texts, {raw_id, raw_phone, broken["identity"]["id_number"], broken["phone"]}) == []
    )


def test_exports_of_forms_are_masked_unless_revealed() -> None:
    from datetime import datetime

    from gridcare import REVEAL
    from gridcare.declarations import DeclarationForm

    good = example_form()
    form = DeclarationForm.model_validate(
        good, context={"received_at": datetime(2022, 3, 19, 9, tzinfo=DEFAULT_ZONE)}
    )
    masked = form.model_dump_json()
    assert good["identity"]["id_number"] not in masked
    assert good["phone"] not in masked
    revealed = form.model_dump_json(context=REVEAL)
    assert good["identity"]["id_number"] in revealed


def test_a_supervisor_view_masks_every_record(day: CityDay) -> None:
    h = day.city.hierarchy
    view = View(h, Principal.assigned("S1", h.root.id, h))
    node_of = {r.declaration_id: (r.grid_id or h.root.id) for r in day.declaration_records}
    shown = list(view.visible(day.declarations, node_of=lambda d: node_of[d.id]))
    assert len(shown) == len(day.declarations)
    assert _leaks((repr(s) for s in shown), _secrets(day)) == []
    # Not only the repr: everything the reader is handed, read in full, holds no secret.
    assert _leaks((_everything_in(s) for s in shown), _secrets(day)) == []
    assert all(isinstance(s, dict) and s["masked"] is True for s in shown)


def _everything_in(value: object) -> str:
    """All a reader can get out of a value handed to them: a record's every field unmasked."""
    if attrs.has(type(value)):
        return json.dumps(to_dict(value, REVEAL), ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, default=str)


def test_a_masked_read_hands_out_no_record_with_personal_data_in_full(day: CityDay) -> None:
    h = day.city.hierarchy
    masked = View(h, Principal("S1", h.root.id))
    full = View(h, Principal("S1", h.root.id, Access.FULL))
    residents = list(day.city.residents)[:300]
    kinds: list[tuple[list[object], Callable[[Any], str]]] = [
        (list(day.declarations), lambda d: h.root.id),
        (list(day.cases), lambda c: c.grid),
        (list(day.visit_states[:300]), lambda v: v.household),
        (list(residents), lambda r: r.household_id),
        (list(day.declaration_records[:300]), lambda r: r.grid_id or h.root.id),
    ]
    secrets = _secrets(day)
    for records, node_of in kinds:
        assert records  # the day holds records of every kind
        shown = list(masked.visible(records, node_of=node_of))
        assert len(shown) == len(records)
        assert _leaks((_everything_in(s) for s in shown), secrets) == []
        # a record that cannot hold personal data is handed out as it is; full access gets
        # every record as it is
        for record, seen in zip(records, shown, strict=True):
            if not holds_personal_data(type(record)) and not hasattr(record, "redacted"):
                assert seen is record
        assert all(
            a is b for a, b in zip(full.visible(records, node_of=node_of), records, strict=True)
        )
    some = day.declarations[0]
    assert masked.read(some, node_of=lambda d: h.root.id) == redact(some)


def test_invalid_input_messages_mask_the_value() -> None:
    from gridcare import CitizenId, PhoneNumber

    for bad, parse in (("430211199001010023", CitizenId.parse), ("1381234567", PhoneNumber.parse)):
        with pytest.raises(InvalidInput) as err:
            parse(bad)
        assert bad not in str(err.value)
        assert bad not in repr(err.value.value)


def test_a_masked_principal_reads_residents_masked(day: CityDay) -> None:
    """A supervisor (masked access) reads a resident: no name, ID number or phone in full."""
    h = day.city.hierarchy
    residents = list(day.city.residents)[:200]
    view = View(h, Principal.assigned("S1", h.root.id, h))
    secrets = set()
    for resident in residents:
        secrets.add(resident.document.number)
        if resident.phone is not None:
            secrets.add(resident.phone.number)
        if len(resident.name) >= 2:
            secrets.add(resident.name)
    read = [view.read(r, node_of=lambda r: r.household_id) for r in residents]
    listed = view.listing(residents, node_of=lambda r: r.household_id)
    assert len(listed.records) == len(residents)
    assert listed.unknown == ()
    texts = [repr(r) for r in read] + [repr(r) for r in listed.records]
    texts += [str(getattr(r, field)) for r in read for field in ("name", "document", "phone")]
    assert _leaks(texts, secrets) == []


def test_a_principal_without_access_level_reads_masked(day: CityDay) -> None:
    h = day.city.hierarchy
    resident = next(iter(day.city.residents))
    shown = View(h, Principal("P", h.root.id)).read(resident, node_of=lambda r: r.household_id)
    assert shown.name != resident.name  # type: ignore[attr-defined]
    assert resident.document.number not in repr(shown)


@pytest.mark.parametrize(
    "value", [13812345678, 110105194912310020, "13812345678", "刘晓娟-13812345678"]
)
def test_error_values_are_masked_by_content(value: object) -> None:
    err = InvalidInput("unknown_field", "tel", "unexpected field", value=value)
    for text in (str(err), repr(err), repr(err.value), repr(err.errors)):
        assert "13812345678" not in text
        assert "110105194912310020" not in text


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every path to a leaf, list or mapping of a JSON-like form (the containers too)."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*prefix, i))
    return found


def _with(form: dict[str, object], path: tuple[object, ...], value: object) -> dict[str, object]:
    copy = json.loads(json.dumps(form, default=str))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


_FORM = example_form()
_PATHS = [*_paths(_FORM), ("tel",), ("contact",), ("identity", "nickname")]


@settings(max_examples=150, deadline=None)
@given(
    path=st.sampled_from(_PATHS),
    secret=st.sampled_from(
        ["13812345678", "11010519491231002X", "430211199001010023", "+86 138 1234 5678"]
    ),
    shape=st.sampled_from(["as is", "as int", "in text", "in a list", "in a mapping"]),
)
def test_a_secret_typed_into_any_field_never_shows_in_the_errors(
    path: tuple[object, ...], secret: str, shape: str
) -> None:
    """Whatever field a phone or an ID number is typed into, the rejection masks it."""
    from datetime import datetime

    digits = secret.replace(" ", "").replace("+86", "")
    value: object = {
        "as is": secret,
        "as int": int(digits) if digits.isdigit() else secret,
        "in text": f"call {secret} now",
        "in a list": [secret],
        "in a mapping": {"x": secret},
    }[shape]
    result = parse_forms(
        [_with(_FORM, path, value)], received_at=datetime(2022, 3, 19, 9, tzinfo=DEFAULT_ZONE)
    )
    texts = [repr(result)]
    for rejected in result.rejected:
        texts += [repr(rejected), str(rejected)]
        texts += [str(e) for e in rejected.errors] + [repr(e.value) for e in rejected.errors]
    for accepted in result.accepted:
        texts += [repr(accepted), str(accepted)]
    blob = "\n".join(texts)
    assert digits not in blob
    assert secret not in blob


@pytest.mark.parametrize("path", [("tel",), ("contact",), ("identity", "nickname")])
@pytest.mark.parametrize("value", ["刘晓娟", "刘晓娟 13812345678", ["刘晓娟"]])
def test_an_unknown_field_never_echoes_its_value(path: tuple[object, ...], value: object) -> None:
    """No pattern recognises a name, so the value of an unknown field is never shown."""
    from datetime import datetime

    result = parse_forms(
        [_with(_FORM, path, value)], received_at=datetime(2022, 3, 19, 9, tzinfo=DEFAULT_ZONE)
    )
    (rejected,) = result.rejected
    assert [e.code for e in rejected.errors] == ["unknown_field"]
    assert "晓娟" not in repr(result)
    assert "13812345678" not in repr(result)


def test_a_broken_json_text_is_never_echoed() -> None:
    from datetime import datetime

    text = '{"identity":{"name":"刘晓娟","id_number":"11010519491231002X"},"phone":"138'
    result = parse_forms([text], received_at=datetime(2022, 3, 19, 9, tzinfo=DEFAULT_ZONE))
    (rejected,) = result.rejected
    assert rejected.errors[0].code == "bad_json"
    assert "晓娟" not in repr(result)
    assert "110105" not in repr(result)


# ------------------------------------------------------------- place names, by content


@given(
    phone=phone_numbers(allocated=None).map(lambda p: p.number),
    cid=citizen_ids().map(lambda c: c.number),
    kind=st.sampled_from([NodeKind.DISTRICT, NodeKind.COMMUNITY, NodeKind.GRID]),
)
def test_a_place_named_with_a_phone_or_id_number_shows_them_masked(
    phone: str, cid: str, kind: NodeKind
) -> None:
    # A grid board often names its worker and their mobile number; a place's name is shown
    # in reprs, masked paths and the daily report with its numbers masked, by content.
    name = f"第1网格 张三{phone} {cid}"
    nodes = [Node("C", NodeKind.CITY, "株洲市"), Node("P", kind, name, "C")]
    if kind is not NodeKind.GRID:
        nodes.append(Node("G", NodeKind.GRID, "一网格", "P"))
    h = Hierarchy(nodes)
    place = h.node("P")
    report = daily_report(h, Tally.empty(), cutoff=date(2022, 3, 27), metrics=["hazards"])
    shown = [
        repr(place),
        place.masked_name(),
        *h.path_names("P"),
        report.row("P").name,
        report.to_text(),
        json.dumps(report.row("P").as_dict(), ensure_ascii=False),
    ]
    for text in shown:
        assert phone not in text, text
        assert cid not in text, text
    assert report.row("P").name == mask_numbers(name)
    # The node itself keeps its name: the data is the caller's, and only displays mask it.
    assert place.name == name
    assert place.to_row()["name"] == name
    assert h.path_names("P", masked=False)[-1] == name


@given(cid=citizen_ids(), phone=phone_numbers(allocated=None))
def test_a_register_keyed_by_id_number_shows_no_id_number_in_people_or_masked_views(
    cid: CitizenId, phone: PhoneNumber
) -> None:
    # Ids should be keys of no meaning; a register keyed by ID number or mobile still shows
    # neither in people's reprs and the masked views.
    number, mobile = cid.number, phone.number
    resident = Resident(
        id=number,
        household_id=f"H{mobile}",
        name="刘晓娟",
        sex=cid.sex,
        document=cid,
        birth_date=cid.birth_date,
    )
    worker = Worker(id=mobile, name="周建国", role=WorkerRole.VOLUNTEER)
    household = Household(id=f"H{mobile}", members=(number,))
    listed = MaskedResident.of(number, f"H{mobile}", "G1", resident)
    shown = [
        repr(resident),
        str(resident),
        repr(resident.redacted()),
        repr(worker),
        repr(worker.redacted()),
        repr(household),
        repr(listed),
    ]
    for text in shown:
        assert number not in text, text
        assert mobile not in text, text
    # The values keep their ids: only what is shown is masked.
    assert resident.id == number
    assert worker.id == mobile


@given(cid=citizen_ids(), phone=phone_numbers(allocated=None))
def test_events_and_records_show_ids_keyed_by_id_number_masked(
    cid: CitizenId, phone: PhoneNumber
) -> None:
    # The same register keyed by ID number and mobile: the reprs of the round's events and
    # records, the census's entries and the campaign's attempts and visits mask them too.
    number, mobile = cid.number, phone.number
    t0 = datetime(2022, 3, 27, 8, tzinfo=DEFAULT_ZONE)
    swab = SwabAdded(id="e1", at=t0, round_id="S", resident_id=number, tube_id="T1")
    shown = [
        repr(swab),
        repr(Registered(id="e0", at=t0, round_id="S", resident_id=number, site_id="P1")),
        repr(
            MarkedAway(
                id="e2", at=t0, round_id="S", resident_id=number, reason=AwayReason.OUT_OF_AREA
            )
        ),
        repr(TubeRecord("T1", TubeKind.POOLED, TubeState.OPEN, (number,))),
        repr(ResidentRecord(number, ResidentState.SAMPLED, tube_id="T1")),
        repr(Exemption(resident_id=number, reason=ExemptionReason.IN_HOSPITAL)),
        repr(CensusEntry(id="c1", at=t0, resident_id=number, household_id=f"H{mobile}")),
        repr(
            VisitAttempt(
                id="a1",
                campaign_id="K1",
                household=f"H{mobile}",
                worker=mobile,
                at=t0,
                outcome=VisitOutcome.REACHED,
                resident_ids=(number,),
            )
        ),
    ]
    for text in shown:
        assert number not in text, text
        assert mobile not in text, text
    assert swab.resident_id == number  # the value keeps its id


def _library_record_classes() -> list[type]:
    """Every attrs class the library defines, in every module of the package."""
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(gridcare.__path__, "gridcare."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and attrs.has(value)
                and value.__module__.startswith("gridcare.")
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


def test_no_record_class_shows_a_field_by_its_plain_repr() -> None:
    # Every field a repr shows goes through the masking repr (or a masking repr of its own):
    # a phone or ID number typed into any text field, an id or a place, never shows whole.
    classes = _library_record_classes()
    assert len(classes) >= 100  # the walk found the package's records
    plain = [
        f"{cls.__qualname__}.{field.name}"
        for cls in classes
        for field in attrs.fields(cls)
        if field.repr is True
    ]
    assert plain == []


def _records_of(value: object, found: dict[type, object], depth: int = 0) -> None:
    """One instance of each library record class reachable from ``value``."""
    if depth > 6 or value is None or isinstance(value, str | int | float | date | Enum):
        return
    if attrs.has(type(value)):
        if type(value) in found and depth > 2:
            return
        found.setdefault(type(value), value)
        for field in attrs.fields(type(value)):
            _records_of(getattr(value, field.name), found, depth + 1)
    elif isinstance(value, dict):
        for key, item in list(value.items())[:20]:
            _records_of(key, found, depth + 1)
            _records_of(item, found, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in list(value)[:20]:
            _records_of(item, found, depth + 1)


@pytest.mark.parametrize(
    "secrets", [("13812345678", "430202193903070024"), ("19912345678", "11010519491231002X")]
)
def test_a_number_typed_into_any_text_field_of_any_record_never_shows_in_its_repr(
    day: CityDay, secrets: tuple[str, str]
) -> None:
    found: dict[type, object] = {}
    for part in (day, day.screening, day.census, day.round_summary()):
        _records_of(part, found)
    tried = 0
    for cls, record in found.items():
        for field in attrs.fields(cls):
            value = getattr(record, field.name)
            if type(value) is not str or not field.init:
                continue
            for secret in secrets:
                for text in (f"T{secret}", f"{value} {secret}", secret):
                    try:
                        changed = attrs.evolve(record, **{field.name: text})
                    except GridcareError:
                        continue  # the field refuses this text: nothing to show
                    except TypeError:
                        break  # a class built from other arguments than its fields (a code)
                    tried += 1
                    assert secret not in repr(changed), f"{cls.__qualname__}.{field.name}"
                    break
    assert tried >= 60  # most records and text fields took a number


def test_a_personal_field_s_repr_shows_no_more_than_its_masked_export(day: CityDay) -> None:
    """A name typed into a note (a rejection's reason) showed whole in ``repr`` while the
    export kept its first two characters: a personal field's repr uses its own mask."""
    from gridcare.serial import personal_fields

    found: dict[type, object] = {}
    for part in (day, day.screening, day.census, day.round_summary()):
        _records_of(part, found)
    secret = "刘晓娟本人不在此处居住"
    tried = 0
    for cls, record in found.items():
        for name in personal_fields(cls):
            field = attrs.fields_dict(cls)[name]  # type: ignore[arg-type]
            if not field.init or type(getattr(record, name)) is not str:
                continue
            try:
                changed = attrs.evolve(record, **{name: secret})
            except (GridcareError, TypeError):
                continue
            tried += 1
            if field.metadata[PERSONAL_MASK_KEY](secret) != secret:  # its export masks it
                assert secret not in repr(changed), f"{cls.__qualname__}.{name}"
    assert tried >= 3


@given(
    secret=st.one_of(
        phone_numbers(allocated=None).map(lambda p: p.number),
        citizen_ids().map(lambda c: c.number),
    ),
    before=st.text(alphabet="ab -\u200b", max_size=3),
    shape=st.sampled_from(["text", "tuple", "list", "dict key", "dict value", "deep"]),
)
def test_masked_repr_never_shows_a_number_wherever_it_is_nested(
    secret: str, before: str, shape: str
) -> None:
    text = f"{before}{secret}"
    value: object = {
        "text": text,
        "tuple": (text,),
        "list": ["x", text],
        "dict key": {text: 1},
        "dict value": {"k": text},
        "deep": [[[(text,)]]],
    }[shape]
    shown = masked_repr(value)
    assert secret not in shown
    assert secret[-4:] in shown  # masked as a number is, not dropped


def _models_of(value: object, found: dict[type, BaseModel]) -> None:
    """One instance of each pydantic model reachable from ``value``."""
    if isinstance(value, BaseModel):
        found.setdefault(type(value), value)
        for name in type(value).model_fields:
            _models_of(getattr(value, name), found)
    elif isinstance(value, list | tuple):
        for item in value:
            _models_of(item, found)


@pytest.mark.parametrize("secret", ["13812345678", "430202193903070024"])
def test_a_number_in_any_text_field_of_a_form_or_policy_never_shows_in_its_repr(
    secret: str,
) -> None:
    found: dict[type, BaseModel] = {}
    received = datetime(2022, 3, 19, 9, tzinfo=DEFAULT_ZONE)
    _models_of(
        DeclarationForm.model_validate(example_form(), context={"received_at": received}), found
    )
    _models_of(PRESETS["hunan-2022-03"], found)
    tried = 0
    for model in found.values():
        for name in type(model).model_fields:
            value = getattr(model, name)
            if type(value) is not str:
                continue
            changed = model.model_copy(update={name: f"{value} {secret}"})
            tried += 1
            assert secret not in repr(changed), f"{type(model).__name__}.{name}"
            assert secret not in str(changed), f"{type(model).__name__}.{name}"
    assert tried >= 15  # the forms' and the policy's texts were tried


@pytest.mark.parametrize("secret", ["13812345678", "430202193903070024"])
@pytest.mark.parametrize(
    "path",
    [("legs", 0, "departure_place"), ("legs", 0, "arrival_place")],
)
def test_a_number_typed_into_a_journey_never_shows_in_a_masked_export(
    secret: str, path: tuple[object, ...]
) -> None:
    # Free text a declarant types is not personal by its field, but may hold a number: the
    # masked exports of the form and of the declaration mask it; REVEAL gives it back.
    form = _with(example_form(), path, f"K{secret}")
    received = datetime(2022, 3, 19, 9, tzinfo=DEFAULT_ZONE)
    parsed = DeclarationForm.model_validate(form, context={"received_at": received})
    declaration = parse_form(form, received_at=received, declaration_id="D1")
    masked = [
        parsed.model_dump_json(),
        json.dumps(parsed.model_dump(mode="json"), ensure_ascii=False),
        json.dumps(declaration.to_dict(), ensure_ascii=False),
    ]
    revealed = [
        parsed.model_dump_json(context=REVEAL),
        json.dumps(declaration.to_dict(REVEAL), ensure_ascii=False),
    ]
    assert all(secret not in text and secret[-4:] in text for text in masked)
    assert all(secret in text for text in revealed)
    assert type(declaration).from_dict(declaration.to_dict(REVEAL)) == declaration


def _notes_with(text: str) -> list[object]:
    """A record of each kind whose free-text note or reason is ``text``."""
    from gridcare.cases import CaseEvent, CaseEventKind
    from gridcare.screening import MarkedExempt
    from gridcare.visits.findings import (
        Dispute,
        DisputeResolution,
        Hazard,
        HazardKind,
        PremisesInspection,
        Severity,
    )

    t0 = datetime(2022, 3, 27, 9, tzinfo=DEFAULT_ZONE)
    return [
        CaseEvent(id="e1", case_id="W1", at=t0, kind=CaseEventKind.ACCEPT, note=text),
        Hazard(HazardKind.FIRE, Severity.MEDIUM, text),
        Dispute(DisputeResolution.MEDIATED_ON_SPOT, text),
        PremisesInspection(text),
        VisitAttempt(
            id="a1",
            campaign_id="K1",
            household="H1",
            worker="W1",
            at=t0,
            outcome=VisitOutcome.REFUSED,
            reason=text,
        ),
        MarkedAway(
            id="e2", at=t0, round_id="S", resident_id="R1", reason=AwayReason.OUT_OF_AREA, note=text
        ),
        MarkedExempt(
            id="e3",
            at=t0,
            round_id="S",
            resident_id="R1",
            reason=ExemptionReason.IN_HOSPITAL,
            note=text,
        ),
        Exemption(resident_id="R1", reason=ExemptionReason.IN_HOSPITAL, note=text),
    ]


@pytest.mark.parametrize("index", range(8))
def test_a_worker_s_note_is_masked_in_masked_exports_as_in_reprs(index: int) -> None:
    # A note is free text a worker writes ("张三 13812345678 楼道堆物"): shown masked in the
    # record's repr, and so in its masked export; REVEAL exports it as written.
    text = "张三 13812345678 楼道堆物"
    record = _notes_with(text)[index]
    masked = json.dumps(to_dict(record), ensure_ascii=False)
    assert "13812345678" not in masked
    assert "张三" in masked  # masked as free text is: its first two characters kept
    assert "13812345678" not in repr(record)
    assert text in json.dumps(to_dict(record, REVEAL), ensure_ascii=False)
    assert holds_personal_data(type(record))


# ----------------------------------------------------------------------------- chained exceptions

_ID_NUMBER = "110105194912310021"
_PHONE = "13812345678"


def _chain(err: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    link: BaseException | None = err
    while link is not None and link not in found:
        found.append(link)
        link = link.__cause__ or link.__context__
    return found


def _refusals() -> list[Callable[[], object]]:
    from gridcare.risk import Policy
    from gridcare.serial import from_dict
    from gridcare.visits import Campaign

    preset = PRESETS["ninth-edition"].to_dict()
    form = example_form()
    return [
        lambda: Policy.from_json(json.dumps({"name": _ID_NUMBER})),
        lambda: Policy.from_dict({**preset, _ID_NUMBER: 1}),
        lambda: Policy.from_dict({**preset, "zone": _PHONE}),
        lambda: Policy.from_json(_PHONE + "{"),
        lambda: DeclarationForm.model_validate({**form, "identity": {"name": _ID_NUMBER}}),
        lambda: DeclarationForm.model_validate_json(json.dumps({"x": _PHONE})),
        lambda: DeclarationForm(**{**form, "identity": _PHONE}),
        lambda: from_dict(Campaign, {"start": _PHONE}),
        lambda: from_dict(Campaign, {"target_coverage": _PHONE + "x"}),
        lambda: Hierarchy([Node("C", gridcare.NodeKind.CITY, "c")]).positions([_PHONE]),
    ]


@pytest.mark.parametrize("refused", range(10))
def test_an_error_chains_no_exception_that_holds_the_raw_input(refused: int) -> None:
    """pydantic's errors and the parsers' messages hold the input whole; an error raised
    from them is raised outside the handler, so a logger that follows ``__context__`` finds
    nothing to print but the masked error itself."""
    call = _refusals()[refused]
    with pytest.raises(gridcare.GridcareError) as caught:
        call()
    chain = _chain(caught.value)
    assert [type(e) for e in chain] == [type(caught.value)]
    for shown in (str(caught.value), repr(caught.value)):
        assert _ID_NUMBER not in shown
        assert _PHONE not in shown


# ----------------------------------------------------------------------------- workers' free text


def test_a_rejection_reason_is_masked_in_exports_and_in_a_masked_read() -> None:
    """A worker's reason is free text: a phone or ID number typed into it is masked wherever
    the declaration or its event is handed on unrevealed, and a masked view masks it."""
    from gridcare.declarations import (
        Assigned,
        DeclarationRecord,
        Rejected,
        ReviewStarted,
        Submitted,
        replay_declarations,
    )
    from gridcare.scope import Principal, View

    t = datetime(2022, 3, 19, 9, tzinfo=DEFAULT_ZONE)
    reason = f"联系电话 {_PHONE}，身份证 {_ID_NUMBER}"
    common = {"declaration_id": "D1"}
    log = [
        Submitted(id="e1", at=t, **common),
        Assigned(id="e2", at=t, grid_id="G1", **common),
        ReviewStarted(id="e3", at=t, worker_id="W1", **common),
        Rejected(id="e4", at=t, reason=reason, **common),
    ]
    record = replay_declarations(log).records["D1"]
    assert record.rejection_reason == reason  # the record itself keeps it whole
    h = Hierarchy(
        [Node("C", gridcare.NodeKind.CITY, "c"), Node("G1", gridcare.NodeKind.GRID, "g", "C")]
    )
    for shown in (
        record.to_dict(),
        to_dict(log[-1]),
        View(h, Principal("S1", "C")).read(record, node_of=lambda r: r.grid_id),
    ):
        text = json.dumps(shown, ensure_ascii=False, default=str)
        assert _PHONE not in text, text
        assert _ID_NUMBER not in text, text
        assert shown["masked"] is True  # type: ignore[index]
    revealed = record.to_dict(context=REVEAL)
    assert revealed["rejection_reason"] == reason
    assert type(DeclarationRecord.from_dict(revealed)) is DeclarationRecord


def test_a_sampling_sites_name_is_masked_in_exports() -> None:
    from gridcare.screening.sites import SamplingSite, Station

    site = SamplingSite(
        id="P1", node_id="M1", stations=(Station(id="P1-1"),), name=f"联系人{_PHONE}"
    )
    shown = to_dict(site)
    assert _PHONE not in json.dumps(shown, ensure_ascii=False)
    assert shown["masked"] is True
    assert to_dict(site, context=REVEAL)["name"] == f"联系人{_PHONE}"


def test_departments_named_with_a_number_are_masked_in_a_cases_exports() -> None:
    """A department's name may carry a contact person's number: a case, its events and its
    overdue check-ins export it masked (the name stays readable) unless revealed."""
    from datetime import timedelta

    from gridcare.cases import (
        CaseEvent,
        CaseEventKind,
        CaseTopic,
        CaseUrgency,
        OverdueCheckIn,
        replay_cases,
    )

    t = datetime(2022, 3, 25, 8, tzinfo=DEFAULT_ZONE)
    named = f"王师傅{_PHONE}"
    log = [
        CaseEvent(
            id="e1",
            case_id="C1",
            at=t,
            kind=CaseEventKind.RAISE,
            grid="G1",
            topic=next(iter(CaseTopic)),
            urgency=CaseUrgency.DAILY,
        ),
        CaseEvent(id="e2", case_id="C1", at=t + timedelta(hours=1), kind=CaseEventKind.ACCEPT),
        CaseEvent(
            id="e3",
            case_id="C1",
            at=t + timedelta(hours=2),
            kind=CaseEventKind.DISPATCH,
            departments=(named, "gas"),
        ),
        CaseEvent(
            id="e4",
            case_id="C1",
            at=t + timedelta(hours=3),
            kind=CaseEventKind.CHECK_IN,
            department=named,
        ),
    ]
    case = replay_cases(log).records["C1"]
    for shown in (
        case.to_dict(),
        *(to_dict(e) for e in log[2:]),
        to_dict(OverdueCheckIn("C1", named, t)),
    ):
        text = json.dumps(shown, ensure_ascii=False)
        assert _PHONE not in text
        assert "王师傅138****5678" in text
        assert shown["masked"] is True
    revealed = case.to_dict(context=REVEAL)
    assert [name for name, _ in revealed["dispatched"]] == ["gas", named]
    assert type(case).from_dict(revealed) == case


def test_names_communities_and_correction_fields_are_masked_in_exports() -> None:
    """A person's name in a resident's or worker's export, a number typed into a declared
    community or into the fields a correction names: masked unless revealed."""
    from gridcare.declarations import CorrectionRequested, parse_form

    city = synthetic_city(scale=0.001)
    resident, worker = city.residents[0], city.workers[0]
    form = example_form()
    form["address"]["community"] = f"荷塘社区 {_PHONE}"
    declaration = parse_form(
        form, declaration_id="D1", received_at=datetime(2022, 3, 19, 9, tzinfo=DEFAULT_ZONE)
    )
    request = CorrectionRequested(
        id="e1",
        at=datetime(2022, 3, 19, 9, tzinfo=DEFAULT_ZONE),
        declaration_id="D1",
        fields=[f"note {_PHONE}"],
    )
    for value, secret in (
        (resident, resident.name),
        (worker, worker.name),
        (declaration, _PHONE),
        (request, _PHONE),
    ):
        shown = json.dumps(to_dict(value), ensure_ascii=False)
        assert secret not in shown
        assert to_dict(value)["masked"] is True
        assert secret in json.dumps(to_dict(value, context=REVEAL), ensure_ascii=False)
    assert to_dict(declaration)["address"]["community"] == "荷塘社区 138****5678"


def test_a_campaigns_progress_rows_mask_a_number_in_a_nodes_name() -> None:
    """The rows a dashboard reads show a node's name as the daily report does: a worker's
    mobile typed into a grid's name is masked, the name kept."""
    from datetime import timedelta

    from gridcare.visits import Campaign
    from gridcare.visits.progress import progress

    h = Hierarchy(
        [
            Node("C", gridcare.NodeKind.CITY, "株洲市"),
            Node("G", gridcare.NodeKind.GRID, f"网格{_PHONE}", "C"),
            Node("H", gridcare.NodeKind.HOUSEHOLD, "101", "G"),
        ]
    )
    t = datetime(2022, 3, 20, 9, tzinfo=DEFAULT_ZONE)
    report = progress(
        h, Campaign(id="K", scope="C", round=1, start=t, end=t + timedelta(days=2)), [], t
    )
    rows = report.rows(gridcare.NodeKind.GRID) + report.behind(gridcare.NodeKind.GRID)
    assert rows
    for row in rows:
        assert row["name"] == "网格138****5678"


@given(citizen_ids())
def test_a_masked_resident_export_does_not_give_the_id_number_back(cid: CitizenId) -> None:
    """The ID number's mask hides exactly its birth date: the export must not show the
    date beside it (first 6 + birth date + last 4 is the whole number)."""
    from gridcare.people import Sex

    resident = Resident(
        id="R1",
        household_id="H1",
        name="刘晓娟",
        document=cid,
        birth_date=cid.birth_date,
        sex=Sex.MALE if cid.sex.value == "male" else Sex.FEMALE,
    )
    shown = json.dumps(to_dict(resident), ensure_ascii=False)
    assert cid.number not in shown
    assert cid.birth_date.strftime("%Y%m%d") not in shown.replace("-", "")
    assert to_dict(resident, REVEAL)["birth_date"] == cid.birth_date.isoformat()


def test_a_masked_view_masks_a_declaration_form_and_a_text() -> None:
    """A form as submitted is a pydantic model, not an attrs record: a masked reader got it
    whole (name, ID number and phone readable from its attributes)."""
    from gridcare.scope import Principal, View
    from gridcare.timeutil import DEFAULT_ZONE

    h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G1", NodeKind.GRID, "g", "C")])
    form = DeclarationForm.model_validate(
        example_form(), context={"received_at": datetime(2022, 3, 19, 9, tzinfo=DEFAULT_ZONE)}
    )
    view = View(h, Principal("S1", "C"))
    for shown in (
        view.read(form, node_of=lambda _: "G1"),
        *view.visible([form], node_of=lambda _: "G1"),
    ):
        text = json.dumps(shown, ensure_ascii=False)
        assert form.identity.id_number not in text
        assert form.phone.number not in text
        assert form.identity.name not in text
    assert view.read("call 13812345678", node_of=lambda _: "G1") == "call 138****5678"
    full = View(h, Principal("W1", "C", access=Access.FULL))
    assert full.read(form, node_of=lambda _: "G1") is form


def test_a_rejection_s_reason_shows_in_repr_as_in_its_export() -> None:
    from gridcare.declarations import Assigned, Rejected, Submitted, replay_declarations

    t = datetime(2022, 3, 27, 8, tzinfo=DEFAULT_ZONE)
    reason = "刘晓娟本人不在此处居住"
    log = [
        Submitted(id="e1", at=t, declaration_id="D1"),
        Assigned(id="e2", at=t, declaration_id="D1", grid_id="G1"),
        Rejected(id="e3", at=t, declaration_id="D1", reason=reason),
    ]
    out = replay_declarations(log)
    for shown in (repr(log[2]), repr(out.records["D1"]), repr(out)):
        assert reason not in shown
        assert "刘晓***" in shown


def test_a_number_in_a_provenance_note_is_masked_in_results_but_kept_in_the_policy() -> None:
    """A phone typed into a provenance's note showed whole in an assessment's export (which
    carries the provenance) and in the provenance's own model_dump."""
    from gridcare.risk.policy import Policy, Provenance
    from gridcare.risk.presets import PRESETS

    note = "咨询 13812345678"
    noted = Provenance(edition="x", date=date(2022, 6, 28), source="s", kind="national", note=note)
    for shown in (
        json.dumps(noted.model_dump(mode="json"), ensure_ascii=False),
        noted.model_dump_json(),
        json.dumps(to_dict(noted), ensure_ascii=False),
    ):
        assert "13812345678" not in shown
    assert noted.model_dump(context=REVEAL)["note"] == note
    assert to_dict(noted, REVEAL)["note"] == note
    policy = PRESETS["ninth-edition"].model_copy(update={"source": noted})
    assert Policy.from_json(policy.to_json()) == policy
    assert Policy.from_dict(policy.to_dict()) == policy
    assert note in policy.to_json()


def test_a_masked_view_masks_numbers_in_a_model_that_marks_nothing_personal() -> None:
    """A pydantic model of the caller's marks no field personal: its export showed a phone
    typed into a note whole to a masked reader."""
    from pydantic import BaseModel as Model

    from gridcare.scope import Principal, View

    class Note(Model):
        text: str
        tags: list[str]

    h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G1", NodeKind.GRID, "g", "C")])
    note = Note(text="call 13812345678", tags=["430202193903070024"])
    shown = View(h, Principal("S1", "C")).read(note, node_of=lambda _: "G1")
    text = json.dumps(shown, ensure_ascii=False)
    assert "13812345678" not in text
    assert "430202193903070024" not in text


def test_a_form_s_address_below_the_community_exports_nothing_of_it() -> None:
    """The form's export kept a room's first two characters ("30***") where the docs and the
    form's repr show nothing; the declaration's own export showed nothing already."""
    from gridcare.timeutil import DEFAULT_ZONE

    form = DeclarationForm.model_validate(
        example_form(), context={"received_at": datetime(2022, 3, 19, 9, tzinfo=DEFAULT_ZONE)}
    )
    address = form.model_dump(mode="json")["address"]
    given = form.address.model_dump(mode="json", context=REVEAL)
    for part in ("building", "unit", "room"):
        assert given[part] is not None
        assert address[part] == "***"
