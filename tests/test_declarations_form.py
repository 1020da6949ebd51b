"""The declaration form: validation, errors, masking, batches and the JSON Schema."""

from __future__ import annotations

import json
import types
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import utils as conjecture_utils
from pydantic import TypeAdapter, ValidationError

from gridcare.declarations import (
    FORM_CODES,
    NOT_IN_SCHEMA,
    AddressForm,
    Declaration,
    DeclarationForm,
    IdentityForm,
    LegForm,
    NatForm,
    OriginForm,
    StayForm,
    TemperatureForm,
    declaration_json_schema,
    example_form,
    parse_form,
    parse_forms,
)
from gridcare.declarations._form import identity_issues, leg_issues
from gridcare.errors import InvalidInput
from gridcare.masking import REVEAL
from gridcare.testing import (
    CORRUPTIONS,
    FORM_RECEIVED_AT,
    declaration_forms,
    declarations,
    form_payloads,
)
from gridcare.testing.payloads import _jsonable, _text
from gridcare.timeutil import DEFAULT_ZONE, zone

T0 = FORM_RECEIVED_AT
NAME, ID_NUMBER, PHONE = "刘晓娟", "11010519491231002X", "13812345678"


def _codes(data: Any, received_at: datetime = T0, **kwargs: Any) -> set[str]:
    with pytest.raises(InvalidInput) as caught:
        parse_form(data, declaration_id="D1", received_at=received_at, **kwargs)
    return {e.code for e in caught.value.errors}


def _one_leg(departed: str, arrived: str) -> dict[str, Any]:
    form = example_form()
    form["legs"] = [dict(form["legs"][0], departed_at=departed, arrived_at=arrived)]
    return form


# --------------------------------------------------------------------------- strategies


@given(declaration_forms())
def test_forms_from_the_strategy_always_validate(form: dict[str, Any]) -> None:
    d = parse_form(form, declaration_id="D1", received_at=T0)
    assert isinstance(d, Declaration)
    again = parse_form(json.dumps(form).encode(), declaration_id="D1", received_at=T0)
    assert again == d


@given(st.data())
def test_a_single_corrupted_field_fails_with_its_code(data: st.DataObject) -> None:
    code = data.draw(st.sampled_from(sorted(CORRUPTIONS)))
    form = data.draw(declaration_forms(corrupt=code))
    assert _codes(form) == {code}
    assert _codes(json.dumps(form)) == {code}


@given(declarations())
def test_declarations_strategy(d: Declaration) -> None:
    assert d.arrived_at <= T0 + timedelta(days=3)
    assert d.late == (d.arrived_at < T0)


def test_strategy_arguments_are_checked() -> None:
    with pytest.raises(InvalidInput, match="unknown_corruption"):
        declaration_forms(corrupt="nope")
    with pytest.raises(InvalidInput, match="naive_datetime"):
        declaration_forms(received_at=datetime(2022, 3, 20))
    with pytest.raises(InvalidInput, match="bad_count"):
        form_payloads(-1)


def test_every_code_has_chinese_and_english_messages() -> None:
    for code in CORRUPTIONS:
        zh, en = FORM_CODES[code]
        assert zh
        assert en
        assert zh != en


# --------------------------------------------------------------------------- time rules


def test_naive_times_are_local_to_the_zone_and_aware_ones_kept() -> None:
    form = _one_leg("2022-03-19T16:30:00", "2022-03-19T10:30:00Z")
    d = parse_form(form, declaration_id="D1", received_at=T0)
    assert d.legs[0].departed_at.utcoffset() == timedelta(hours=8)
    assert d.legs[0].arrived_at.utcoffset() == timedelta(0)
    london = parse_form(
        _one_leg("2022-03-19T06:30:00", "2022-03-19T10:30:00Z"),
        declaration_id="D1",
        received_at=T0,
        zone=zone("Europe/London"),
    )
    assert london.legs[0].departed_at == datetime(2022, 3, 19, 6, 30, tzinfo=UTC)


def test_arrival_exactly_at_the_advance_limit_is_accepted() -> None:
    limit = T0 + timedelta(days=3)
    start = (limit - timedelta(hours=2)).isoformat()
    ok = parse_form(_one_leg(start, limit.isoformat()), declaration_id="D1", received_at=T0)
    assert ok.arrived_at == limit
    assert not ok.late
    late = (limit + timedelta(seconds=1)).isoformat()
    assert _codes(_one_leg(start, late)) == {"arrival_too_far_ahead"}
    parse_form(_one_leg(start, late), declaration_id="D1", received_at=T0, max_advance_days=4)
    with pytest.raises(InvalidInput, match="negative"):
        parse_form(example_form(), declaration_id="D1", received_at=T0, max_advance_days=-1)


def test_late_flag_at_the_receipt_instant() -> None:
    at = T0.isoformat()
    start = (T0 - timedelta(hours=2)).isoformat()
    assert not parse_form(_one_leg(start, at), declaration_id="D1", received_at=T0).late
    before = (T0 - timedelta(seconds=1)).isoformat()
    assert parse_form(_one_leg(start, before), declaration_id="D1", received_at=T0).late


def test_leg_and_stay_boundaries() -> None:
    assert _codes(_one_leg("2022-03-19T16:30:00", "2022-03-19T16:30:00")) == {
        "leg_arrives_before_departure"
    }
    form = example_form()
    first = dict(form["legs"][0], departed_at="2022-03-19T12:00", arrived_at="2022-03-19T16:30")
    form["legs"].insert(0, first)  # the next leg departs exactly when this one arrives
    form["stays"] = [
        {"place": "420106", "start": "2022-03-01T00:00", "end": "2022-03-10T00:00"},
        {"place": "420111", "start": "2022-03-10T00:00", "end": "2022-03-19T12:00"},
    ]
    d = parse_form(form, declaration_id="D1", received_at=T0)
    assert len(d.legs) == 2
    assert [str(s[0]) for s in d.stay_tuples()] == ["420106", "420111"]
    assert d.journey[0] == datetime(2022, 3, 1, tzinfo=DEFAULT_ZONE)


@pytest.mark.parametrize(
    ("celsius", "ok"), [(34.0, True), (43.0, True), (33.9, False), (43.1, False)]
)
def test_temperature_range_is_inclusive(celsius: float, ok: bool) -> None:
    form = example_form()
    form["health"]["temperatures"] = [{"at": "2022-03-19T08:00", "celsius": celsius}]
    if ok:
        parse_form(form, declaration_id="D1", received_at=T0)
    else:
        assert _codes(form) == {"temperature_out_of_range"}


def test_nat_sampled_exactly_at_receipt_is_accepted() -> None:
    form = example_form()
    form["health"]["nat_results"][0]["sampled_at"] = T0.isoformat()
    parse_form(form, declaration_id="D1", received_at=T0)
    form["health"]["nat_results"][0]["sampled_at"] = (T0 + timedelta(seconds=1)).isoformat()
    assert _codes(form) == {"nat_after_receipt"}


def test_numbers_are_checked_by_mode_and_normalised() -> None:
    for number in ("G1234", "d301", "K1234", "Z1", "1461", "T9999"):
        form = _one_leg("2022-03-19T16:30", "2022-03-19T18:30")
        form["legs"][0]["number"] = number
        d = parse_form(form, declaration_id="D1", received_at=T0)
        assert d.legs[0].number == number.upper()
    for flight in ("CZ3456", "MU5101", "3U8888", "mu5101"):
        form = _one_leg("2022-03-19T16:30", "2022-03-19T18:30")
        form["legs"][0].update(mode="flight", number=flight)
        parse_form(form, declaration_id="D1", received_at=T0)
    form["legs"][0].update(mode="coach", number="湘B12345")
    parse_form(form, declaration_id="D1", received_at=T0)


# --------------------------------------------------------------------------- errors


def test_every_error_of_a_form_is_reported_at_once() -> None:
    form = example_form()
    form["phone"] = "12345"
    form["identity"]["id_number"] = "110105194912310021"  # bad check character
    form["legs"][0]["number"] = "X1"
    form["stays"].append({"place": "420111", "start": "2022-03-01", "end": "2022-03-02"})
    form["health"]["temperatures"][0]["celsius"] = 50
    form["consent"] = False
    with pytest.raises(InvalidInput) as caught:
        parse_form(form, declaration_id="D1", received_at=T0)
    found = {(e.field, e.code) for e in caught.value.errors}
    assert found == {
        ("phone", "bad_length"),
        ("health.temperatures.0.celsius", "temperature_out_of_range"),
        ("consent", "consent_required"),
        ("identity.id_number", "bad_checksum"),
        ("legs.0.number", "bad_train_number"),
        ("stays.1.start", "stays_out_of_order"),
    }
    for error in caught.value.errors:
        zh, en = error.message.split(" / ", 1)
        assert zh
        assert en


@given(
    st.one_of(
        st.binary(max_size=50),
        st.text(max_size=50),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.sampled_from(sorted(example_form())), inner, max_size=4)
            ),
            max_leaves=10,
        ),
    )
)
def test_only_invalid_input_escapes(data: Any) -> None:
    errors: tuple[Any, ...] = ()
    try:
        parse_form(data, declaration_id="D1", received_at=T0)
    except InvalidInput as exc:
        errors = exc.errors
        assert errors
    assert all(e.code for e in errors)


def test_bad_arguments() -> None:
    with pytest.raises(InvalidInput, match="naive_datetime"):
        parse_form(example_form(), declaration_id="D1", received_at=datetime(2022, 3, 20))
    with pytest.raises(InvalidInput, match="bad_declaration_id"):
        parse_form(example_form(), declaration_id="", received_at=T0)


# --------------------------------------------------------------------------- privacy


def _leaks(text: str) -> bool:
    return any(secret in text for secret in (NAME, ID_NUMBER, PHONE, "301", "12A"))


def test_errors_never_show_personal_data() -> None:
    form = example_form()
    form["identity"]["name"] = NAME * 20  # too long
    form["phone"] = "1281234567"  # bad length, near a real number
    form["identity"]["id_number"] = ID_NUMBER[:-1] + "1"
    form["address"] = {"room": "301" * 10, "door_code": "QR" + "9" * 200}
    with pytest.raises(InvalidInput) as caught:
        parse_form(form, declaration_id="D1", received_at=T0)
    exc = caught.value
    assert not _leaks(str(exc))
    assert not _leaks(repr(exc.errors))
    assert {e.field for e in exc.errors} >= {"identity.name", "phone", "address.room"}


def test_declaration_and_form_are_masked_in_repr_and_exports() -> None:
    d = parse_form(example_form(), declaration_id="D1", received_at=T0)
    assert not _leaks(repr(d))
    assert not _leaks(str(d))
    assert not _leaks(repr(d.address))
    assert "刘*娟" in repr(d)
    assert "138****5678" in repr(d)
    form = DeclarationForm.model_validate(example_form(), context={"received_at": T0})
    assert not _leaks(repr(form))
    assert not _leaks(form.model_dump_json())
    revealed = form.model_dump(context=REVEAL)
    assert revealed["identity"]["name"] == NAME
    assert revealed["phone"] == PHONE


# --------------------------------------------------------------------------- batches


def test_batch_keeps_every_row() -> None:
    rows: list[Any] = form_payloads(30, seed=3)
    rows[4] = b"{not json"
    rows[7] = dict(rows[7], consent=False)
    rows[9] = "[]"
    seen: list[tuple[int, int]] = []
    batch = parse_forms(
        rows, received_at=T0, progress=lambda done, total: seen.append((done, total))
    )
    assert batch.submitted == 30 == len(batch.accepted) + len(batch.rejected)
    assert [r.row for r in batch.rejected] == [4, 7, 9]
    assert batch.rejected[1].codes == ("consent_required",)
    assert [d.id for d in batch.accepted][:4] == ["D0", "D1", "D2", "D3"]
    assert batch.error_counts()["consent_required"] == 1
    assert seen[-1] == (30, 30)
    assert len(seen) <= 101


def test_batch_arguments() -> None:
    rows = form_payloads(2, seed=1)
    out = parse_forms(rows, received_at=[T0, T0 - timedelta(days=30)], declaration_ids=["a", "b"])
    assert [type(r).__name__ for r in out.results] == ["Declaration", "RejectedForm"]
    assert parse_forms([], received_at=T0).submitted == 0
    with pytest.raises(InvalidInput, match="length_mismatch"):
        parse_forms(rows, received_at=[T0])
    with pytest.raises(InvalidInput, match="bad_declaration_id"):
        parse_forms(rows, received_at=T0, declaration_ids=["a", ""])


# --------------------------------------------------------------------------- JSON Schema


def test_schema_is_valid_2020_12_with_bilingual_titles() -> None:
    schema = declaration_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for definition in [schema, *schema["$defs"].values()]:
        assert " / " in definition["title"]
        for prop in definition.get("properties", {}).values():
            assert " / " in prop["title"], prop


@settings(max_examples=30)
@given(declaration_forms())
def test_schema_accepts_what_the_model_accepts(form: dict[str, Any]) -> None:
    parse_form(form, declaration_id="D1", received_at=T0)
    jsonschema.Draft202012Validator(declaration_json_schema()).validate(form)


@pytest.mark.parametrize(
    "form",
    [
        dict(example_form(), filled_by="proxy", proxy_worker_id="W0001"),
        dict(example_form(), identity={"name": "Li", "id_kind": "passport", "id_number": "E1"}),
    ],
)
def test_schema_and_model_agree_on_examples(form: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(declaration_json_schema())
    try:
        parse_form(form, declaration_id="D1", received_at=T0)
        model_ok = True
    except InvalidInput:
        model_ok = False
    assert validator.is_valid(form) == model_ok


# hypothesis-jsonschema 0.23.1 calls ``many.more()``, an API newer hypothesis releases
# replaced with a context manager; this shim restores the old protocol for its one use.
class _CompatMany:
    def __init__(self, data: Any, min_size: int, max_size: float, average_size: float) -> None:
        self.data = data
        self.min_size = min_size
        self.max_size = max_size
        self.p_continue = conjecture_utils._calc_p_continue(
            average_size - min_size, max_size - min_size
        )
        self.count = 0
        self.rejections = 0
        self.force_stop = False

    def more(self) -> bool:
        if self.count < self.min_size:
            go = bool(self.data.draw_boolean(1.0, forced=True))
        elif self.force_stop or self.count >= self.max_size:
            go = False
        else:
            go = bool(self.data.draw_boolean(self.p_continue))
        self.count += go
        return go

    def reject(self) -> None:
        self.count -= 1
        self.rejections += 1
        if self.rejections > max(3, 2 * self.count):
            if self.count < self.min_size:
                self.data.mark_invalid()
            else:
                self.force_stop = True


def _from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    hjs = pytest.importorskip("hypothesis_jsonschema._from_schema")
    if not hasattr(conjecture_utils.many, "more"):
        hjs.cu = types.SimpleNamespace(many=_CompatMany)
    strategy: st.SearchStrategy[Any] = hjs.from_schema(schema)
    return strategy


_SECTIONS: dict[str, Any] = {
    "TemperatureForm": TemperatureForm,
    "NatForm": NatForm,
    "LegForm": LegForm,
    "StayForm": StayForm,
    "OriginForm": OriginForm,
    "AddressForm": AddressForm,
    "IdentityForm": IdentityForm,
}


@pytest.mark.parametrize("name", sorted(_SECTIONS))
def test_instances_generated_from_the_schema_are_accepted_by_the_model(name: str) -> None:
    """An independent generator (hypothesis-jsonschema) draws from each section's schema;
    the model may refuse an instance only for a rule the schema cannot state."""
    schema = declaration_json_schema()
    section = {"$schema": schema["$schema"], "$defs": schema["$defs"], **schema["$defs"][name]}
    adapter: TypeAdapter[Any] = TypeAdapter(_SECTIONS[name])
    context = {"received_at": T0}

    @settings(max_examples=4, suppress_health_check=list(HealthCheck), database=None)
    @given(_from_schema(section))
    def check(instance: Any) -> None:
        try:
            value = adapter.validate_python(instance, context=context)
        except ValidationError as exc:
            codes = {e["type"] for e in exc.errors()}
            assert codes <= {"datetime_from_date_parsing", "datetime_parsing"} | NOT_IN_SCHEMA
            return
        if name == "IdentityForm":
            assert {i.code for i in identity_issues(value)} <= NOT_IN_SCHEMA
        if name == "LegForm":
            issues = leg_issues([value], value.arrived_at, 0)
            assert {i.code for i in issues} <= NOT_IN_SCHEMA

    check()


def test_spans_backwards_out_of_order_and_overlapping_are_named_for_legs_and_stays() -> None:
    form = example_form()
    leg = form["legs"][0]
    form["legs"] = [
        dict(leg, departed_at="2022-03-19T10:00", arrived_at="2022-03-19T12:00"),
        dict(leg, departed_at="2022-03-19T11:00", arrived_at="2022-03-19T13:00"),  # overlaps
        dict(leg, departed_at="2022-03-19T09:00", arrived_at="2022-03-19T08:00"),  # both
    ]
    form["stays"] = [
        {"place": "420106", "start": "2022-03-05T00:00", "end": "2022-03-10T00:00"},
        {"place": "420111", "start": "2022-03-08T00:00", "end": "2022-03-07T00:00"},
    ]
    with pytest.raises(InvalidInput) as caught:
        parse_form(form, declaration_id="D1", received_at=T0)
    found = {(e.field, e.code, e.message.split(" / ", 1)[1]) for e in caught.value.errors}
    assert {
        ("legs.1.departed_at", "legs_overlap", "departs before leg 0 arrives"),
        ("legs.2.arrived_at", "leg_arrives_before_departure", "arrival must be after departure"),
        ("legs.2.departed_at", "legs_out_of_order", "departs before leg 1"),
        ("stays.1.end", "stay_ends_before_start", "a stay must end after it starts"),
        ("stays.1.start", "stays_overlap", "starts before stay 0 ends"),
    } <= found


def test_a_batch_must_be_a_collection_of_forms() -> None:
    """One JSON text is a form, not a batch of one form per character."""
    text = json.dumps(example_form(), ensure_ascii=False)
    for payloads in (text, text.encode(), bytearray(b"{}"), None, 42):
        with pytest.raises(InvalidInput) as info:
            parse_forms(payloads, received_at=T0)  # type: ignore[arg-type]
        assert (info.value.code, info.value.field) == ("wrong_type", "payloads")


def test_duplicate_ids_in_one_batch_are_reported_row_by_row() -> None:
    forms = [example_form(), example_form(), example_form()]
    batch = parse_forms(forms, received_at=T0, declaration_ids=["D1", "D2", "D1"])
    assert batch.submitted == 3
    assert len(batch.accepted) + len(batch.rejected) == 3
    assert [d.id for d in batch.accepted] == ["D1", "D2"]
    (dup,) = batch.rejected
    assert (dup.row, dup.declaration_id, dup.codes) == (2, "D1", ("duplicate_id",))


# --------------------------------------------------------------------------- generated payloads


class _Spelling:
    """A picker that always picks ``style`` (the spelling of an instant in a payload)."""

    def __init__(self, style: int) -> None:
        self.style = style

    def integer(self, lo: int, hi: int) -> int:
        return self.style


@given(
    st.datetimes(datetime(1900, 1, 2), datetime(2100, 12, 30), timezones=st.just(UTC)),
    st.integers(0, 3),
)
def test_each_spelling_of_an_instant_is_the_one_named(instant: datetime, style: int) -> None:
    local = instant.astimezone(DEFAULT_ZONE)
    named = (
        local.replace(tzinfo=None).isoformat(),  # naive local
        local.isoformat(),  # with its offset
        instant.astimezone(UTC).isoformat().replace("+00:00", "Z"),  # in UTC
        local.strftime("%Y-%m-%d %H:%M"),  # minutes only
    )
    assert _text(_Spelling(style), instant) == named[style]


class _Cycling:
    """A picker that picks 0, 1, 2, 3, 0, ... whatever the range."""

    def __init__(self) -> None:
        self.picked = -1

    def integer(self, lo: int, hi: int) -> int:
        self.picked += 1
        return self.picked % 4


def test_the_walk_spells_every_instant_in_order_and_keeps_the_rest() -> None:
    t = datetime(2022, 3, 19, 8, 30, tzinfo=DEFAULT_ZONE)
    form = {
        "a": [t, {"b": t + timedelta(hours=1), "c": 1, "d": None}],
        "e": "x",
        "f": t + timedelta(hours=2),
        "g": [1.5, True, [t + timedelta(hours=3)]],
    }
    assert _jsonable(_Cycling(), form) == {
        "a": ["2022-03-19T08:30:00", {"b": "2022-03-19T09:30:00+08:00", "c": 1, "d": None}],
        "e": "x",
        "f": "2022-03-19T02:30:00Z",
        "g": [1.5, True, ["2022-03-19 11:30"]],
    }
