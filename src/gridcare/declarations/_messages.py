"""Error codes of the declaration form, their Chinese and English messages, and the
conversion of pydantic errors into :class:`~gridcare.errors.FieldError` with masked values.

Codes are stable: pydantic's own error types are mapped onto a small vocabulary
(``missing``, ``unknown_field``, ``wrong_type`` ...), so a pydantic upgrade does
not change what callers see. Each message reads ``"<中文> / <English detail>"``.

>>> message("legs_overlap", "zh")
'行程时间重叠'
>>> FORM_CODES["consent_required"][1]
'consent to the truthfulness pledge is required'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from gridcare.errors import FieldError, require_instance
from gridcare.labels import Lang, require_lang
from gridcare.masking import mask_id_number, mask_name, mask_phone, mask_text

__all__ = ["FORM_CODES", "field_errors", "message", "shown_value"]

#: code -> (Chinese, English) for every code a form can fail with.
FORM_CODES: dict[str, tuple[str, str]] = {
    "missing": ("缺少必填项", "required field missing"),
    "unknown_field": ("不认识的字段", "unknown field"),
    "wrong_type": ("类型不正确", "wrong type"),
    "too_short": ("内容过短", "too short"),
    "too_long": ("内容过长", "too long"),
    "bad_format": ("格式不正确", "bad format"),
    "bad_datetime": ("时间格式不正确", "not a valid date-time"),
    "out_of_range": ("超出允许范围", "out of range"),
    "bad_choice": ("不在可选范围内", "not one of the choices"),
    "bad_json": ("不是有效的JSON", "invalid JSON"),
    "invalid": ("内容无效", "invalid value"),
    "missing_received_at": ("缺少接收时间", "the receipt instant is missing"),
    # text rules (gridcare.text)
    "control_character": ("含有控制字符", "control character"),
    "lone_surrogate": ("含有无效的代理字符", "lone surrogate: not text"),
    "bidi_control": ("含有文字方向控制字符", "bidirectional control character"),
    "not_printable": ("编号含有不可打印字符", "an id holds a character that is not printable"),
    "invisible": ("内容不可见", "nothing visible"),
    # identity and phone
    "not_string": ("应为文本", "expected text"),
    "bad_length": ("长度不正确", "wrong length"),
    "bad_characters": ("含有非法字符", "bad characters"),
    "bad_area_code": ("身份证地址码无效", "bad area code in the ID number"),
    "bad_birth_date": ("身份证出生日期无效", "bad birth date in the ID number"),
    "bad_checksum": ("身份证校验位错误", "ID number check character mismatch"),
    "bad_passport_number": ("护照号码格式不正确", "not a passport number"),
    "bad_permit_number": ("通行证号码格式不正确", "not a travel permit number"),
    "bad_prefix": ("手机号段不正确", "not a mobile number prefix"),
    "unknown_province": ("区划代码省份不存在", "no such province in the division code"),
    "bad_local_segment": ("本地编码段不正确", "bad local code segment"),
    "too_many_segments": ("本地编码段过多", "too many local code segments"),
    "born_in_future": ("出生日期晚于申报日期", "born after the form was received"),
    # between fields
    "address_empty": ("住址至少填写一项", "give at least one part of the address"),
    "number_required": ("须填写车次或航班号", "a train or flight number is required"),
    "bad_train_number": ("车次格式不正确", "not a train number"),
    "bad_flight_number": ("航班号格式不正确", "not a flight number"),
    "leg_arrives_before_departure": ("到达时间早于出发时间", "arrival before departure"),
    "legs_out_of_order": ("行程未按时间先后排列", "legs out of order"),
    "legs_overlap": ("行程时间重叠", "legs overlap"),
    "arrival_too_far_ahead": ("到达时间超出可提前申报的天数", "arrival too far ahead"),
    "stay_ends_before_start": ("旅居结束早于开始", "stay ends before it starts"),
    "stays_out_of_order": ("旅居史未按时间先后排列", "stays out of order"),
    "stays_overlap": ("旅居史时间重叠", "stays overlap"),
    "temperature_out_of_range": ("体温不在34.0至43.0℃之间", "temperature outside 34.0-43.0 °C"),
    "temperature_after_receipt": ("体温测量时间晚于申报时间", "reading after receipt"),
    "nat_after_receipt": ("核酸采样时间晚于申报时间", "NAT sampled after receipt"),
    "consent_required": ("须承诺如实申报", "consent to the truthfulness pledge is required"),
    "proxy_worker_missing": ("代报须填写网格员编号", "a proxy declaration names the worker"),
    "worker_id_without_proxy": ("本人填报不应填写网格员编号", "worker id without proxy"),
}

_PYDANTIC_CODES: dict[str, str] = {
    "missing": "missing",
    "extra_forbidden": "unknown_field",
    "string_too_short": "too_short",
    "too_short": "too_short",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "string_pattern_mismatch": "bad_format",
    "datetime_parsing": "bad_datetime",
    "datetime_from_date_parsing": "bad_datetime",
    "datetime_object_invalid": "bad_datetime",
    "datetime_type": "bad_datetime",
    "greater_than_equal": "out_of_range",
    "less_than_equal": "out_of_range",
    "greater_than": "out_of_range",
    "less_than": "out_of_range",
    "finite_number": "out_of_range",
    "enum": "bad_choice",
    "literal_error": "bad_choice",
    "json_invalid": "bad_json",
    "json_type": "bad_json",
    "string_unicode": "lone_surrogate",
    "value_error": "invalid",
    "assertion_error": "invalid",
}

_WRONG_TYPE = frozenset(
    {
        "string_type",
        "int_type",
        "int_parsing",
        "int_from_float",
        "float_type",
        "float_parsing",
        "bool_type",
        "bool_parsing",
        "list_type",
        "dict_type",
        "model_type",
        "model_attributes_type",
        "none_required",
        "is_instance_of",
        "iterable_type",
    }
)

# Last path segment -> how to mask a personal value found there.
_MASKS = {
    "name": mask_name,
    "id_number": mask_id_number,
    "phone": mask_phone,
    "room": mask_text,
    "door_code": mask_text,
    "text": mask_text,
    "detail": mask_text,
    "seat": mask_text,
    "building_id": mask_text,
    "unit_id": mask_text,
    "household_id": mask_text,
}


def message(code: str, lang: Lang = "zh") -> str:
    """The Chinese (``"zh"``) or English (``"en"``) message of a form error code; an
    unknown code is its own message. ``code`` is text and ``lang`` ``"zh"`` or ``"en"``,
    else ``InvalidInput``.

    >>> message("bad_checksum", "en")
    'ID number check character mismatch'
    >>> message(["bad_checksum"])
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: code: expected str, got list [wrong_type]
    """
    return code_message(require_instance(code, str, "code"), require_lang(lang))


def code_message(code: str, lang: Lang) -> str:
    """:func:`message` without checking its arguments (for codes this package makes)."""
    pair = FORM_CODES.get(code)
    if pair is None:
        return code
    return pair[0] if lang == "zh" else pair[1]


def _stable_code(kind: str, loc: Sequence[str | int]) -> str:
    code = _PYDANTIC_CODES.get(kind)
    if code is None:
        code = "wrong_type" if kind in _WRONG_TYPE else kind
    last = loc[-1] if loc else ""
    if code == "out_of_range" and last == "celsius":
        return "temperature_out_of_range"
    if last == "consent" and code in ("bad_choice", "wrong_type"):
        return "consent_required"
    return code


# Codes whose value is never shown: an unknown field may hold anything the sender typed (a
# name too, which no pattern recognises), and a broken JSON text is the whole form. A text
# refused by the rules of gridcare.text is not echoed either (its control characters would
# reach logs and terminals); the message names the offending code point and position.
_WITHHELD = frozenset(
    {
        "unknown_field",
        "bad_json",
        "control_character",
        "bidi_control",
        "lone_surrogate",
        "not_printable",
        "invisible",
    }
)


def withheld(value: object) -> str:
    """What an error shows of a value it must not echo: its type and size only.

    >>> withheld("刘晓娟"), withheld({"a": 1})
    ('<str of 3 characters>', '<dict>')
    """
    if isinstance(value, str | bytes):
        return f"<{type(value).__name__} of {len(value)} characters>"
    return f"<{type(value).__name__}>"


def shown_value(value: object, loc: Sequence[str | int]) -> object:
    """The offending value as it may appear in an error: masked if personal, scalars only.

    ``loc`` is the field's path in the form; it says whether the value is personal.
    The value of an unknown field and a text that is not JSON are never shown
    (:func:`withheld`).

    >>> shown_value("13812345678", ("phone",)), shown_value(39.5, ("health", "celsius"))
    ('138****5678', 39.5)
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        last = loc[-1] if loc else ""
        mask = _MASKS.get(last) if isinstance(last, str) else None
        if mask is not None:
            return mask(value)
        if "address" in loc or "identity" in loc:
            return mask_text(value)
        return value if len(value) <= 64 else value[:61] + "..."
    return f"<{type(value).__name__}>"


def field_errors(
    exc: ValidationError, prefix: str = "", *, within: tuple[str, ...] = ()
) -> list[FieldError]:
    """Every error of a pydantic ``ValidationError`` as a masked :class:`FieldError`.

    ``within`` is the path of the validated section in the form (``("address",)``
    for an address validated on its own): values are masked as they are in the
    whole form, while the field paths stay those of the section.

    >>> from pydantic import BaseModel
    >>> class M(BaseModel):
    ...     name: str
    >>> try:
    ...     M.model_validate({"name": 3})
    ... except ValidationError as exc:
    ...     [str(e) for e in field_errors(exc)]
    ['name: 类型不正确 / Input should be a valid string [wrong_type]']
    """
    found: list[FieldError] = []
    details: list[Any] = exc.errors(include_url=False, include_context=False)
    for detail in details:
        loc: tuple[str | int, ...] = detail["loc"]
        code = _stable_code(detail["type"], loc)
        path = ".".join(str(part) for part in loc)
        if prefix:
            path = f"{prefix}.{path}" if path else prefix
        zh = code_message(code, "zh")
        text = f"{zh} / {detail['msg']}"
        given = detail.get("input")
        shown = withheld(given) if code in _WITHHELD else shown_value(given, (*within, *loc))
        found.append(FieldError(code, path, text, shown))
    return found
