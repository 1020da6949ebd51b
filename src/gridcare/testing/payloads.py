"""Declaration form payloads, generated from a seed: no hypothesis needed.

* :func:`form_payloads` makes many valid payloads from a seed (the synthetic
  report day, benchmarks, demos);
* :data:`CORRUPTIONS` lists, per error code, how to break a valid form so that
  it fails with exactly that code;
* :func:`build_form` is the one builder, driven by a :class:`Picker`: a seeded
  ``random.Random`` here, hypothesis draws in
  :func:`gridcare.testing.declaration_forms`, so both make the same kinds of
  forms.

>>> from gridcare.declarations import parse_forms
>>> batch = parse_forms(form_payloads(20, seed=1), received_at=FORM_RECEIVED_AT)
>>> batch.submitted, len(batch.accepted)
(20, 20)
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from gridcare.codes import CitizenId
from gridcare.declarations import DEFAULT_MAX_ADVANCE_DAYS, MAX_ADVANCE_DAYS_LIMIT
from gridcare.errors import InvalidInput, require_int
from gridcare.testing._arguments import require_seed
from gridcare.timeutil import DEFAULT_ZONE, localize, require_aware

__all__ = [
    "CORRUPTIONS",
    "FORM_RECEIVED_AT",
    "MAX_ADVANCE_DAYS",
    "MAX_PAYLOADS",
    "Picker",
    "build_form",
    "check_form_arguments",
    "form_payloads",
]

#: The most payloads one call makes (ten times a city's 170,437 declarations).
MAX_PAYLOADS = 2_000_000

#: The most days ahead of receipt the generators let an arrival be (``max_advance_days``).
MAX_ADVANCE_DAYS = MAX_ADVANCE_DAYS_LIMIT

#: The receipt instant the generators make forms against (a day of the Zhuzhou campaign).
FORM_RECEIVED_AT = datetime(2022, 3, 20, 10, 0, tzinfo=DEFAULT_ZONE)

T = TypeVar("T")


_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
)
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅晓燕"
_BIRTH_AREAS = ("430211", "430202", "430281", "420106", "110105", "360426", "440305", "310115")
_ORIGINS = ("420106", "420111", "310115", "440305", "110105", "430102", "220102", "370202")
_PHONE_PREFIXES = ("138", "139", "150", "158", "177", "186", "189", "199", "135", "166")
_AIRLINES = ("CZ", "MU", "CA", "HU", "3U", "ZH", "MF", "8L", "FM", "G5")
_TRAIN_CLASSES = "GDCZTKYSL"
_PLACES = ("武汉", "长沙南", "广州南", "上海虹桥", "北京西", "深圳北", "株洲西", "株洲", "醴陵")
_INSTITUTIONS = ("株洲市中心医院", "武汉协和医院", "湘雅医院", "金域医学", "华大基因")
_SYMPTOMS = ("fever", "cough", "sore_throat", "fatigue", "loss_of_smell_or_taste", "diarrhoea")


class Picker(Protocol):
    """Where the builder gets its choices from: hypothesis draws or a seeded ``Random``."""

    def integer(self, lo: int, hi: int) -> int:
        """A whole number in ``[lo, hi]``."""
        ...


class _RandomPicker:
    __slots__ = ("_random",)

    def __init__(self, rng: random.Random) -> None:
        self._random = rng.random

    def integer(self, lo: int, hi: int) -> int:
        # One float per field, scaled: the generator's randint costs several Python calls
        # per draw (a day's forms draw about 80 each). The spans are small (below 10**9),
        # so the scaling's bias is far below anything a test could see.
        return lo + int(self._random() * (hi - lo + 1))


def _choice(pick: Picker, items: Sequence[T]) -> T:
    return items[pick.integer(0, len(items) - 1)]


def _digits(pick: Picker, n: int) -> str:
    return "".join([str(pick.integer(0, 9)) for _ in range(n)])


def _citizen_id(pick: Picker) -> str:
    birth = f"{pick.integer(1940, 2015)}{pick.integer(1, 12):02d}{pick.integer(1, 28):02d}"
    first17 = _choice(pick, _BIRTH_AREAS) + birth + _digits(pick, 3)
    return first17 + CitizenId.check_character(first17)


def _identity(pick: Picker) -> dict[str, Any]:
    name = _choice(pick, _SURNAMES) + "".join(
        _choice(pick, _GIVEN) for _ in range(pick.integer(1, 2))
    )
    kind = pick.integer(0, 9)
    if kind == 0:
        return {"name": name, "id_kind": "passport", "id_number": "E" + _digits(pick, 8)}
    if kind == 1:
        return {"name": name, "id_kind": "travel_permit", "id_number": "C" + _digits(pick, 8)}
    identity: dict[str, Any] = {"name": name, "id_number": _citizen_id(pick)}
    if pick.integer(0, 1):
        identity["id_kind"] = "citizen_id"
    return identity


def _phone(pick: Picker) -> str:
    number = _choice(pick, _PHONE_PREFIXES) + _digits(pick, 8)
    style = pick.integer(0, 5)
    if style == 0:
        return f"+86 {number[:3]}-{number[3:7]}-{number[7:]}"
    if style == 1:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    return number


def _address(pick: Picker, addresses: Sequence[Mapping[str, Any]] | None) -> dict[str, Any]:
    if addresses:
        i = pick.integer(0, len(addresses) - 1)
        # The item used is checked here: build_form walks no list per form.
        return dict(_address_item(addresses[i], f"addresses.{i}"))
    style = pick.integer(0, 3)
    if style == 0:
        return {"household_id": f"H{pick.integer(1, 99999)}"}
    if style == 1:
        return {"door_code": f"QR{_digits(pick, 10)}"}
    address: dict[str, Any] = {
        "community": "430211001" + f"{pick.integer(1, 30):03d}",
        "building": f"{pick.integer(1, 40)}栋",
        "room": f"{pick.integer(1, 30)}{pick.integer(1, 4):02d}",
    }
    if style == 2:
        address["unit"] = str(pick.integer(1, 6))
    return address


def _number(pick: Picker, mode: str) -> str | None:
    if mode == "train":
        if pick.integer(0, 9) == 0:
            return _digits(pick, 4)
        letter = _choice(pick, _TRAIN_CLASSES)
        if pick.integer(0, 9) == 0:
            letter = letter.lower()
        return letter + str(pick.integer(1, 9999))
    if mode == "flight":
        return _choice(pick, _AIRLINES) + str(pick.integer(100, 9999))
    if mode in ("coach", "car") and pick.integer(0, 1):
        return "湘B" + _digits(pick, 5)
    return None


def _legs(pick: Picker, arrival: datetime) -> list[dict[str, Any]]:
    legs: list[dict[str, Any]] = []
    end = arrival
    for _ in range(pick.integer(1, 3)):
        start = end - timedelta(minutes=pick.integer(30, 600))
        mode = _choice(pick, ("train", "train", "flight", "coach", "car", "ship", "other"))
        leg: dict[str, Any] = {
            "mode": mode,
            "number": _number(pick, mode),
            "departure_place": _choice(pick, _PLACES),
            "departed_at": start,
            "arrival_place": _choice(pick, _PLACES),
            "arrived_at": end,
        }
        if pick.integer(0, 2) == 0:
            leg["seat"] = f"{pick.integer(1, 16):02d}车{pick.integer(1, 20)}A"
        legs.append(leg)
        end = start - timedelta(minutes=pick.integer(0, 300))
    legs.reverse()
    return legs


def _stays(pick: Picker, before: datetime) -> list[dict[str, Any]]:
    stays: list[dict[str, Any]] = []
    end = before - timedelta(minutes=pick.integer(0, 120))
    for _ in range(pick.integer(0, 3)):
        start = end - timedelta(minutes=pick.integer(60, 10 * 1440))
        stay: dict[str, Any] = {"place": _choice(pick, _ORIGINS), "start": start, "end": end}
        if pick.integer(0, 3) == 0:
            stay["detail"] = "某小区"
        stays.append(stay)
        end = start - timedelta(minutes=pick.integer(0, 1440))
    stays.reverse()
    return stays


def _health(pick: Picker, received_at: datetime) -> dict[str, Any]:
    temperatures = [
        {
            "at": received_at - timedelta(minutes=pick.integer(0, 7 * 1440)),
            "celsius": pick.integer(355, 375) / 10,
        }
        for _ in range(pick.integer(0, 3))
    ]
    symptoms = [s for s in _SYMPTOMS if pick.integer(0, 19) == 0]
    nats = [
        {
            "sampled_at": received_at - timedelta(minutes=pick.integer(0, 3 * 1440)),
            "result": _choice(pick, ("negative", "negative", "negative", "pending", "positive")),
            "institution": _choice(pick, _INSTITUTIONS),
        }
        for _ in range(pick.integer(0, 2))
    ]
    health: dict[str, Any] = {"temperatures": temperatures, "nat_results": nats}
    if symptoms:
        health["symptoms"] = symptoms
    health["vaccination_doses"] = pick.integer(0, 4)
    return health


def _build(
    pick: Picker,
    received_at: datetime,
    max_advance_days: int,
    addresses: Sequence[Mapping[str, Any]] | None,
) -> dict[str, Any]:
    # Arrival anywhere from 20 days before receipt up to the advance limit (inclusive).
    offset = pick.integer(-20 * 1440, max_advance_days * 1440)
    legs = _legs(pick, received_at + timedelta(minutes=offset))
    form: dict[str, Any] = {
        "identity": _identity(pick),
        "phone": _phone(pick),
        "address": _address(pick, addresses),
        "origin": {"area": _choice(pick, _ORIGINS)},
        "legs": legs,
        "stays": _stays(pick, legs[0]["departed_at"]),
        "health": _health(pick, received_at),
        "health_code": _choice(pick, ("green", "green", "green", "yellow", "red")),
        "consent": True,
    }
    if pick.integer(0, 9) == 0:
        form["filled_by"] = "proxy"
        form["proxy_worker_id"] = f"W{pick.integer(1, 2796):04d}"
    return form


def _text(pick: Picker, instant: datetime) -> str:
    """One of the spellings forms use: naive local, with offset, in UTC, minutes only."""
    style = pick.integer(0, 3)
    if style == 2:
        return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")
    local = instant.astimezone(DEFAULT_ZONE)
    if style == 1:
        return local.isoformat()
    # The instants of the supported years (1900-2100) have four-digit years, so the minutes
    # spelling is strftime's "%Y-%m-%d %H:%M" at a fraction of its cost.
    naive = local.replace(tzinfo=None)
    return naive.isoformat() if style == 0 else naive.isoformat(" ", "minutes")


#: The values a payload keeps as they are: nothing inside them to convert.
_AS_IS = frozenset({str, int, float, bool, type(None)})


def _jsonable(pick: Picker, value: Any) -> Any:
    """``value`` with every instant in it spelled as text (:func:`_text`), in the order the
    instants come; plain values are kept without a call each (a form holds about 50)."""
    if isinstance(value, datetime):
        return _text(pick, value)
    if isinstance(value, dict):
        return {
            key: item if type(item) in _AS_IS else _jsonable(pick, item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [item if type(item) in _AS_IS else _jsonable(pick, item) for item in value]
    return value


# --------------------------------------------------------------------------- corruptions


# The corruptions apply to a form as the builder holds it (instants as datetimes) and to a
# payload it returns (instants as ISO text, naive ones local to DEFAULT_ZONE): they read
# every instant they compute with through _at.


def _at(value: datetime | str) -> datetime:
    """An instant of a form: a datetime, or ISO text (naive: local time in DEFAULT_ZONE)."""
    if isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else localize(parsed, DEFAULT_ZONE)


def _shift(leg: dict[str, Any], delta: timedelta) -> None:
    leg["departed_at"] = _at(leg["departed_at"]) + delta
    leg["arrived_at"] = _at(leg["arrived_at"]) + delta


def _arrival_too_far(form: dict[str, Any], received_at: datetime, days: int) -> None:
    delta = received_at + timedelta(days=days, minutes=1) - _at(form["legs"][-1]["arrived_at"])
    for leg in form["legs"]:
        _shift(leg, delta)


def _legs_overlap(form: dict[str, Any]) -> None:
    departs = _at(form["legs"][0]["departed_at"])
    form["legs"].insert(
        0,
        {
            "mode": "car",
            "departure_place": "武汉",
            "departed_at": departs - timedelta(hours=2),
            "arrival_place": "长沙南",
            "arrived_at": departs + timedelta(minutes=10),
        },
    )


def _legs_out_of_order(form: dict[str, Any]) -> None:
    departs = _at(form["legs"][-1]["departed_at"])
    form["legs"].append(
        {
            "mode": "car",
            "departure_place": "长沙南",
            "departed_at": departs - timedelta(hours=3),
            "arrival_place": "株洲",
            "arrived_at": departs - timedelta(hours=2),
        }
    )


def _a_stay(form: dict[str, Any]) -> list[dict[str, Any]]:
    stays: list[dict[str, Any]] = form.setdefault("stays", [])
    if not stays:
        end = _at(form["legs"][0]["departed_at"])
        stays.append({"place": "420106", "start": end - timedelta(days=3), "end": end})
    return stays


def _stay_ends_before_start(form: dict[str, Any]) -> None:
    stay = _a_stay(form)[0]
    stay["end"] = _at(stay["start"]) - timedelta(hours=1)


def _stays_overlap(form: dict[str, Any]) -> None:
    end = _at(_a_stay(form)[-1]["end"])
    form["stays"].append(
        {
            "place": "420111",
            "start": end - timedelta(hours=1),
            "end": end + timedelta(hours=1),
        }
    )


def _stays_out_of_order(form: dict[str, Any]) -> None:
    first = _a_stay(form)[0]
    start = _at(first["start"]) - timedelta(days=10)
    form["stays"].append({"place": "420111", "start": start, "end": start + timedelta(hours=1)})


def _bad_checksum(form: dict[str, Any]) -> None:
    number = "11010519491231002X"
    identity = form["identity"]
    if identity.get("id_kind", "citizen_id") == "citizen_id":
        number = identity["id_number"]
    first17 = number[:17]
    right = CitizenId.check_character(first17)
    identity["id_kind"] = "citizen_id"
    identity["id_number"] = first17 + ("0" if right != "0" else "1")


def _set(path: Sequence[str | int], value: Any) -> Callable[[dict[str, Any]], None]:
    def corrupt(form: dict[str, Any]) -> None:
        target: Any = form
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return corrupt


def _drop(path: Sequence[str]) -> Callable[[dict[str, Any]], None]:
    def corrupt(form: dict[str, Any]) -> None:
        target: Any = form
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return corrupt


def _leg0(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def corrupt(form: dict[str, Any]) -> None:
        form["legs"][0].update(changes)

    return corrupt


def _leg_arrives_early(form: dict[str, Any]) -> None:
    leg = form["legs"][0]
    leg["arrived_at"] = _at(leg["departed_at"]) - timedelta(hours=1)


def _born_in_future(form: dict[str, Any], received_at: datetime) -> None:
    first17 = f"110105{received_at.year + 1}0101002"
    form["identity"] = {
        "name": "李娜",
        "id_kind": "citizen_id",
        "id_number": first17 + CitizenId.check_character(first17),
    }


def _reading(key: str, item: Callable[[datetime], dict[str, Any]]) -> Callable[..., None]:
    def corrupt(form: dict[str, Any], received_at: datetime) -> None:
        form["health"][key].append(item(received_at))

    return corrupt


def _proxy_without_worker(form: dict[str, Any]) -> None:
    form["filled_by"] = "proxy"
    form.pop("proxy_worker_id", None)


def _worker_without_proxy(form: dict[str, Any]) -> None:
    form["filled_by"] = "self"
    form["proxy_worker_id"] = "W0001"


_Corruption = Callable[[dict[str, Any], datetime, int], None]


def _plain(fn: Callable[[dict[str, Any]], None]) -> _Corruption:
    return lambda form, received_at, days: fn(form)


#: code -> how to break a valid form so that it fails with exactly that code.
CORRUPTIONS: dict[str, _Corruption] = {
    "missing": _plain(_drop(("identity", "name"))),
    "unknown_field": _plain(_set(("nickname",), "小刘")),
    "wrong_type": _plain(_set(("health", "vaccination_doses"), "three")),
    "too_long": _plain(_set(("identity", "name"), "刘" * 51)),
    "bad_format": _plain(_set(("identity", "id_number"), "4302-1119")),
    "out_of_range": _plain(_set(("health", "vaccination_doses"), 11)),
    "bad_choice": _plain(_leg0(mode="rocket")),
    "bad_datetime": _plain(_leg0(departed_at="2022-02-30T08:00:00")),
    "bad_checksum": _plain(_bad_checksum),
    "bad_passport_number": _plain(
        _set(("identity",), {"name": "李娜", "id_kind": "passport", "id_number": "E" + "1" * 18})
    ),
    "bad_permit_number": _plain(
        _set(("identity",), {"name": "李娜", "id_kind": "travel_permit", "id_number": "ABC1234567"})
    ),
    "bad_prefix": _plain(_set(("phone",), "12812345678")),
    "unknown_province": _plain(_set(("origin", "area"), "990101")),
    "too_many_segments": _plain(_set(("origin", "area"), "420106" + "-a" * 9)),
    "born_in_future": lambda form, received_at, days: _born_in_future(form, received_at),
    "control_character": _plain(_set(("identity", "name"), "刘\x1b[31m娟")),
    "bidi_control": _plain(_leg0(departure_place="武\u202e汉")),
    "invisible": _plain(_set(("identity", "name"), "\u200b\u200b")),
    "address_empty": _plain(_set(("address",), {})),
    "number_required": _plain(_leg0(mode="train", number=None)),
    "bad_train_number": _plain(_leg0(mode="train", number="X1234")),
    "bad_flight_number": _plain(_leg0(mode="flight", number="12345")),
    "leg_arrives_before_departure": _plain(_leg_arrives_early),
    "legs_overlap": _plain(_legs_overlap),
    "legs_out_of_order": _plain(_legs_out_of_order),
    "arrival_too_far_ahead": _arrival_too_far,
    "stay_ends_before_start": _plain(_stay_ends_before_start),
    "stays_overlap": _plain(_stays_overlap),
    "stays_out_of_order": _plain(_stays_out_of_order),
    "temperature_out_of_range": lambda form, received_at, days: form["health"][
        "temperatures"
    ].append({"at": received_at - timedelta(hours=1), "celsius": 43.5}),
    "temperature_after_receipt": lambda form, received_at, days: form["health"][
        "temperatures"
    ].append({"at": received_at + timedelta(minutes=1), "celsius": 36.5}),
    "nat_after_receipt": lambda form, received_at, days: form["health"]["nat_results"].append(
        {
            "sampled_at": received_at + timedelta(minutes=1),
            "result": "pending",
            "institution": "湘雅医院",
        }
    ),
    "consent_required": _plain(_set(("consent",), False)),
    "proxy_worker_missing": _plain(_proxy_without_worker),
    "worker_id_without_proxy": _plain(_worker_without_proxy),
}


def _address_item(value: object, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInput(
            "wrong_type", field, f"expected an address mapping, got {type(value).__name__}"
        )
    return value


def _address_list(value: object) -> Sequence[Mapping[str, Any]] | None:
    """``None`` or a list of addresses, the list itself checked but not its items."""
    if value is not None and (
        isinstance(value, str | bytes | bytearray) or not isinstance(value, list | tuple)
    ):
        raise InvalidInput(
            "not_list",
            "addresses",
            f"expected a list of address mappings, got {type(value).__name__}",
            value=value,
        )
    return value


def check_form_arguments(
    received_at: datetime,
    max_advance_days: int,
    corrupt: str | None,
    addresses: Sequence[Mapping[str, Any]] | None = None,
) -> tuple[datetime, int]:
    """Check the generators' arguments at the boundary; raise ``InvalidInput``.

    ``received_at`` is an aware instant in 1900-2100, ``max_advance_days`` a
    whole number of days from 0 to :data:`MAX_ADVANCE_DAYS` (codes
    ``not_integer``, ``negative``, ``out_of_range``), ``corrupt`` ``None`` or
    a key of :data:`CORRUPTIONS` (``wrong_type``, ``unknown_corruption``),
    ``addresses`` ``None`` or a list (or tuple) of address mappings
    (``not_list``, ``wrong_type`` at ``addresses.<i>``).

    >>> check_form_arguments(FORM_RECEIVED_AT, -1, None)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: max_advance_days: must not be negative [negative]
    """
    require_aware(received_at, "received_at")
    require_int(max_advance_days, "max_advance_days", low=0, high=MAX_ADVANCE_DAYS)
    if corrupt is not None and not isinstance(corrupt, str):
        raise InvalidInput(
            "wrong_type", "corrupt", f"expected a code or None, got {type(corrupt).__name__}"
        )
    if corrupt is not None and corrupt not in CORRUPTIONS:
        raise InvalidInput(
            "unknown_corruption", "corrupt", f"no corruption named {corrupt!r}", value=corrupt
        )
    found = _address_list(addresses)
    if found is not None:
        for i, item in enumerate(found):
            _address_item(item, f"addresses.{i}")
    return received_at, max_advance_days


def build_form(
    pick: Picker,
    received_at: datetime,
    max_advance_days: int,
    corrupt: str | None,
    addresses: Sequence[Mapping[str, Any]] | None,
) -> dict[str, Any]:
    """One JSON-able payload, valid for ``received_at`` unless ``corrupt`` names a rule to break.

    ``pick`` is a :class:`Picker` (an object with an ``integer(lo, hi)``
    method); the other arguments are those of :func:`check_form_arguments`,
    checked on each call (cheaply: of ``addresses``, only the one used).

    >>> pick = random.Random(3)
    >>> class Seeded:
    ...     def integer(self, lo, hi):
    ...         return pick.randint(lo, hi)
    >>> form = build_form(Seeded(), FORM_RECEIVED_AT, 3, "consent_required", None)
    >>> form["consent"]
    False
    """
    if not callable(getattr(pick, "integer", None)):
        raise InvalidInput(
            "wrong_type", "pick", f"expected a Picker, got {type(pick).__name__}", value=pick
        )
    check_form_arguments(received_at, max_advance_days, corrupt)
    return _form(pick, received_at, max_advance_days, corrupt, _address_list(addresses))


def _form(
    pick: Picker,
    received_at: datetime,
    max_advance_days: int,
    corrupt: str | None,
    addresses: Sequence[Mapping[str, Any]] | None,
) -> dict[str, Any]:
    form = _build(pick, received_at, max_advance_days, addresses)
    if corrupt is not None:
        CORRUPTIONS[corrupt](form, received_at, max_advance_days)
    result: dict[str, Any] = _jsonable(pick, form)
    return result


def form_payloads(
    n: int,
    *,
    seed: int = 0,
    received_at: datetime = FORM_RECEIVED_AT,
    max_advance_days: int = DEFAULT_MAX_ADVANCE_DAYS,
    addresses: Sequence[Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """``n`` valid payloads from a seed, without hypothesis (deterministic for a seed).

    ``n`` is from 0 to :data:`MAX_PAYLOADS` (code ``bad_count``), ``seed`` from 0
    to 2**63-1 (``bad_seed``); the others are checked by
    :func:`check_form_arguments`.

    >>> form_payloads(2, seed=7) == form_payloads(2, seed=7)
    True
    """
    check_form_arguments(received_at, max_advance_days, None, addresses)
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_PAYLOADS:
        raise InvalidInput("bad_count", "n", f"expected a whole number from 0 to {MAX_PAYLOADS:,}")
    pick = _RandomPicker(random.Random(require_seed(seed)))
    return [_form(pick, received_at, max_advance_days, None, addresses) for _ in range(n)]
