"""People of the city: residents, households, workers, and who answers for whom.

Rules this module obeys:

* every value is a frozen attrs class; a bad field raises one
  :class:`~gridcare.errors.InvalidInput` listing every problem (``code`` and
  ``field`` name each);
* every text field keeps the text rules of its kind (:mod:`gridcare.text`):
  an id (of a resident, household, worker or node) those of an id, at most 64
  characters, printable only; a person's name those of a name, at most 50
  characters; a masked document number or
  phone those of a short text; a text that breaks them is one of the problems
  listed, with the codes of free text (``not_string``, ``too_long``,
  ``control_character``, ``bidi_control``, ``missing``, ...), and no error
  quotes the text;
* personal data (names, document numbers, phones) is masked in every ``repr``
  and ``str`` (docs/design.md, "Privacy"); birth dates are not shown at all;
* nothing reads the clock: whether a resident is elderly depends on an
  explicit ``as_of``;
* a :class:`Roster` answers the responsibility chain of a household (docs/glossary.md:
  "a grid worker answers for several buildings, a building head for several
  units, a resident volunteer for a few households") with one dictionary
  lookup per ancestor, never a scan.

>>> from datetime import date
>>> cid = CitizenId.parse("430202193903070024")
>>> r = Resident(id="R1", household_id="H1", name="刘晓娟", document=cid,
...              birth_date=date(1939, 3, 7), sex=Sex.FEMALE,
...              care_needs={CareNeed.NO_SMARTPHONE})
>>> r
Resident('R1', name='刘*娟', document=CitizenId('430202********0024'), phone=None, household='H1')
>>> sorted(help_reasons(r, date(2022, 3, 27)))
[<CareNeed.ELDERLY: 'elderly'>, <CareNeed.NO_SMARTPHONE: 'no_smartphone'>]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, Self

import attrs

from gridcare.codes import CitizenId, PhoneNumber, Sex
from gridcare.errors import Choice, FieldError, InvalidInput, read_once, trusted
from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.masking import (
    id_repr,
    mask_id_number,
    mask_name,
    mask_numbers,
    masked_field_reprs,
    masked_repr,
)
from gridcare.serial import personal
from gridcare.text import TEXT_LIMITS, is_plain, kind_problem
from gridcare.timeutil import DEFAULT_ZONE, MAX_YEAR, MIN_YEAR, require_aware, require_day

__all__ = [
    "ELDERLY_AGE",
    "IN_PERSON_NEEDS",
    "MASKED_BIRTH_DATE",
    "ROLE_KINDS",
    "Assignment",
    "CareNeed",
    "ChainLink",
    "Household",
    "IdDocument",
    "IdKind",
    "RedactedResident",
    "RedactedWorker",
    "Resident",
    "ResponsibilityChain",
    "Roster",
    "Worker",
    "WorkerRole",
    "age_on",
    "help_reasons",
    "needs_help",
]


class CareNeed(Choice):
    """Why a resident may need to be served in person (labels: ``labels.LABELS["CareNeed"]``).

    >>> CareNeed("living_alone") is CareNeed.LIVING_ALONE
    True
    """

    ELDERLY = "elderly"
    NO_SMARTPHONE = "no_smartphone"
    LIVING_ALONE = "living_alone"
    DISABLED = "disabled"
    CHRONIC_ILLNESS = "chronic_illness"


class IdKind(Choice):
    """The kind of identity document a resident is registered with.

    >>> IdKind.PASSPORT.value
    'passport'
    """

    CITIZEN_ID = "citizen_id"
    PASSPORT = "passport"
    TRAVEL_PERMIT = "travel_permit"


class WorkerRole(Choice):
    """The roles of the people who do grid work (docs/glossary.md).

    >>> WorkerRole.BUILDING_HEAD.value
    'building_head'
    """

    GRID_WORKER_FULL_TIME = "grid_worker_full_time"
    GRID_WORKER_PART_TIME = "grid_worker_part_time"
    GRID_LEADER = "grid_leader"
    BUILDING_HEAD = "building_head"
    VOLUNTEER = "volunteer"
    COMMUNITY_STAFF = "community_staff"
    AUXILIARY_POLICE = "auxiliary_police"
    VILLAGE_DOCTOR = "village_doctor"

    @property
    def is_grid_worker(self) -> bool:
        """Whether the role is a full- or part-time grid worker.

        >>> WorkerRole.GRID_WORKER_PART_TIME.is_grid_worker, WorkerRole.VOLUNTEER.is_grid_worker
        (True, False)
        """
        return self in _GRID_WORKER_ROLES


_GRID_WORKER_ROLES = frozenset({WorkerRole.GRID_WORKER_FULL_TIME, WorkerRole.GRID_WORKER_PART_TIME})

#: The kinds of node each role may be assigned to: a volunteer answers for
#: households (or a unit or building), a building head for buildings or
#: units, a grid worker for grids or buildings, and so on.
ROLE_KINDS: Mapping[WorkerRole, frozenset[NodeKind]] = {
    WorkerRole.GRID_WORKER_FULL_TIME: frozenset({NodeKind.GRID, NodeKind.BUILDING}),
    WorkerRole.GRID_WORKER_PART_TIME: frozenset({NodeKind.GRID, NodeKind.BUILDING}),
    WorkerRole.GRID_LEADER: frozenset({NodeKind.GRID, NodeKind.COMMUNITY}),
    WorkerRole.BUILDING_HEAD: frozenset({NodeKind.BUILDING, NodeKind.UNIT}),
    WorkerRole.VOLUNTEER: frozenset({NodeKind.HOUSEHOLD, NodeKind.UNIT, NodeKind.BUILDING}),
    WorkerRole.COMMUNITY_STAFF: frozenset({NodeKind.COMMUNITY, NodeKind.STREET}),
    WorkerRole.AUXILIARY_POLICE: frozenset({NodeKind.STREET, NodeKind.COMMUNITY, NodeKind.GRID}),
    WorkerRole.VILLAGE_DOCTOR: frozenset({NodeKind.COMMUNITY, NodeKind.GRID}),
}

#: Age (whole years, as of a date) from which a resident counts as elderly
#: (高龄老人: 80 and over, the usual threshold of elderly-care allowances).
ELDERLY_AGE = 80

#: The needs for which a resident is served in person (proxy declaration,
#: help with the health code): docs/glossary.md.
IN_PERSON_NEEDS: frozenset[CareNeed] = frozenset(
    {CareNeed.ELDERLY, CareNeed.NO_SMARTPHONE, CareNeed.LIVING_ALONE}
)

_DOC_NUMBER = re.compile(r"[0-9A-Z]{5,20}")
# The limits of the kinds of text this module holds (gridcare.text.TEXT_LIMITS).
_ID = TEXT_LIMITS["id"]
_NAME = TEXT_LIMITS["name"]
_SHORT = TEXT_LIMITS["short"]


def _text_errors(errors: list[FieldError], *fields: tuple[str, object, str]) -> None:
    """Append the problem of each ``(field, value, kind)`` with the text rules of its kind.

    The rules are :func:`gridcare.text.kind_problem`'s; a problem names the
    rule and the field, never the text (a name is personal data).
    """
    for field, value, kind in fields:
        problem = kind_problem(value, field, kind)
        if problem is not None:
            errors.append(problem)


def _ids_errors(errors: list[FieldError], field: str, ids: tuple[object, ...]) -> None:
    """The problems of a tuple of ids, each named ``<field>.<i>``."""
    for i, value in enumerate(ids):
        problem = kind_problem(value, f"{field}.{i}")
        if problem is not None:
            errors.append(problem)


def _plain_ids(ids: tuple[object, ...]) -> bool:
    """Whether every id passes the quick test of the text rules (:func:`gridcare.text.is_plain`)."""
    for value in ids:  # noqa: SIM110 - a loop: all() over a generator costs twice as much here
        if not is_plain(value, _ID):
            return False
    return True


def _raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput.collect(errors)


_NEED_BY_VALUE: dict[str, CareNeed] = {need.value: need for need in CareNeed}


def _care_needs(value: object) -> frozenset[Any] | object:
    """A frozenset with known values as ``CareNeed``.

    Unknown text is kept in the set for the check to name; anything that is not
    a collection of text (``None``, a nested list) is kept as given, and the
    check refuses it.
    """
    if type(value) is frozenset and all(type(v) is CareNeed for v in value):
        return value
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, (list, tuple, set, frozenset)):
        return value
    if not all(isinstance(v, str) for v in value):
        return value
    known = _NEED_BY_VALUE
    return frozenset(known.get(v, v) for v in value)


def _upper(value: str) -> str:
    return value.strip().upper() if isinstance(value, str) else value


@attrs.frozen(repr=False, field_transformer=masked_field_reprs)
class IdDocument:
    """An identity document other than a citizen ID card: a passport or a travel permit.

    ``number`` is normalised to upper case; ``repr`` and ``str`` are masked.

    >>> IdDocument(IdKind.PASSPORT, "e12345678")
    IdDocument(passport, 'E1*****78')
    >>> IdDocument(IdKind.CITIZEN_ID, "X")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: 2 problems: document.kind: ...
    """

    kind: IdKind
    number: str = attrs.field(converter=_upper, metadata=personal(mask_id_number))

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        if not isinstance(self.kind, IdKind) or self.kind is IdKind.CITIZEN_ID:
            errors.append(
                FieldError(
                    "bad_document_kind",
                    "document.kind",
                    "expected passport or travel_permit (a citizen ID is a CitizenId)",
                    self.kind,
                )
            )
        if not isinstance(self.number, str) or not _DOC_NUMBER.fullmatch(self.number):
            shown = mask_id_number(self.number) if isinstance(self.number, str) else None
            errors.append(
                FieldError(
                    "bad_document_number",
                    "document.number",
                    "expected 5-20 letters or digits",
                    shown,
                )
            )
        _raise_if(errors)

    def masked(self) -> str:
        """The masked number.

        >>> IdDocument(IdKind.TRAVEL_PERMIT, "H1234567890").masked()
        'H1*******90'
        """
        return mask_id_number(self.number)

    def __str__(self) -> str:
        return self.masked()

    def __repr__(self) -> str:
        return f"IdDocument({self.kind.value}, {self.masked()!r})"


#: A birth date as a masked export shows it: nothing of it.
MASKED_BIRTH_DATE = "****-**-**"


def _hidden_birth_date(_day: date) -> str:
    """A resident's birth date in a masked export: hidden whole.

    A citizen ID's mask hides exactly the eight digits of the birth date, so the
    date beside it would give the whole number back.
    """
    return MASKED_BIRTH_DATE


def age_on(birth_date: date, day: date) -> int:
    """Age in whole years on ``day`` (a birthday on 29 February counts from 1 March).

    >>> age_on(date(1942, 3, 27), date(2022, 3, 27)), age_on(date(1942, 3, 28), date(2022, 3, 27))
    (80, 79)
    """
    for field, value in (("birth_date", birth_date), ("day", day)):
        if not isinstance(value, date):
            raise InvalidInput(
                "not_date", field, f"expected a date, got {type(value).__name__}", value=value
            )
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def _as_date(as_of: date | datetime) -> date:
    if isinstance(as_of, datetime):
        return require_aware(as_of, "as_of").astimezone(DEFAULT_ZONE).date()
    if isinstance(as_of, date):
        return require_day(as_of, "as_of")
    raise InvalidInput(
        "not_date", "as_of", f"expected a date or datetime, got {type(as_of).__name__}"
    )


#: The types of a resident's document, as ``Resident.trusted`` takes them without a check.
_DOCUMENT_TYPES = (CitizenId, IdDocument)


@attrs.frozen(repr=False, kw_only=True, init=False, field_transformer=masked_field_reprs)
class Resident:
    """A person registered in a household.

    ``document`` is a :class:`~gridcare.codes.CitizenId` or an :class:`IdDocument`;
    with a citizen ID, ``birth_date`` and ``sex`` must agree with the number.
    ``care_needs`` records lasting needs (no smartphone, living alone, ...);
    age-based needs are computed by :func:`help_reasons` for a given date.
    ``repr`` masks the name, document and phone and leaves out the birth date.
    ``id`` and ``household_id`` keep the text rules of an id (at most 64
    characters, printable only), ``name`` those of a person's name (at most 50
    characters, no control or bidirectional control character:
    :func:`gridcare.text.kind_problem`).

    >>> cid = CitizenId.parse("11010519491231002X")
    >>> Resident(id="R1", household_id="H1", name="王芳", document=cid,
    ...          birth_date=date(1949, 12, 31), sex=Sex.MALE)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: sex: the citizen ID says female [sex_mismatch]
    """

    id: str
    household_id: str
    name: str = attrs.field(metadata=personal(mask_name))
    document: CitizenId | IdDocument
    birth_date: date = attrs.field(metadata=personal(_hidden_birth_date))
    sex: Sex
    phone: PhoneNumber | None = None
    care_needs: frozenset[CareNeed] = attrs.field(default=frozenset(), converter=_care_needs)

    def __init__(
        self,
        *,
        id: str,
        household_id: str,
        name: str,
        document: CitizenId | IdDocument,
        birth_date: date,
        sex: Sex,
        phone: PhoneNumber | None = None,
        care_needs: frozenset[CareNeed] = frozenset(),
    ) -> None:
        self.__attrs_init__(
            id=id,
            household_id=household_id,
            name=name,
            document=document,
            birth_date=birth_date,
            sex=sex,
            phone=phone,
            care_needs=care_needs,
        )
        self._check()

    @classmethod
    def trusted(
        cls,
        *,
        id: str,
        household_id: str,
        name: str,
        document: CitizenId | IdDocument,
        birth_date: date,
        sex: Sex,
        phone: PhoneNumber | None = None,
        care_needs: frozenset[CareNeed] = frozenset(),
    ) -> Self:
        """Build a resident without checking the fields' content.

        Only for values a program has built and checked itself (the synthetic
        city writes each resident from its columns): a wrong name or id gives a
        wrong value here, not an error. Fields of the wrong type go through the
        checking constructor, which refuses them as ``Resident(...)`` does.
        Anything read from outside goes through ``Resident(...)``.

        >>> cid = CitizenId.parse("11010519491231002X")
        >>> fields = dict(id="R1", household_id="H1", name="刘晓娟", document=cid,
        ...               birth_date=date(1949, 12, 31), sex=Sex.FEMALE)
        >>> Resident.trusted(**fields) == Resident(**fields)
        True
        """
        resident = trusted(
            cls,
            id=id,
            household_id=household_id,
            name=name,
            document=document,
            birth_date=birth_date,
            sex=sex,
            phone=phone,
            care_needs=care_needs,
        )
        if not (
            type(id) is str
            and type(household_id) is str
            and type(name) is str
            and type(document) in _DOCUMENT_TYPES
            and type(birth_date) is date
            and type(sex) is Sex
            and (phone is None or type(phone) is PhoneNumber)
            and type(care_needs) is frozenset
        ):
            resident._check()  # the constructor's checks: a wrong type is refused as there
        return resident

    def _check(self) -> None:
        errors: list[FieldError] = []
        if not (
            is_plain(self.id, _ID)
            and is_plain(self.household_id, _ID)
            and is_plain(self.name, _NAME)
        ):  # the quick test passes the usual resident; the rules name every problem of the rest
            _text_errors(
                errors,
                ("id", self.id, "id"),
                ("household_id", self.household_id, "id"),
                ("name", self.name, "name"),
            )
        born_ok = isinstance(self.birth_date, date) and not isinstance(self.birth_date, datetime)
        if not born_ok:
            errors.append(FieldError("bad_birth_date", "birth_date", "expected a date"))
        elif not MIN_YEAR <= self.birth_date.year <= MAX_YEAR:
            born_ok = False
            errors.append(
                FieldError(
                    "out_of_range",
                    "birth_date",
                    f"the year must be {MIN_YEAR}-{MAX_YEAR}",
                    self.birth_date,
                )
            )
        if not isinstance(self.sex, Sex):
            errors.append(FieldError("bad_sex", "sex", "expected a Sex", self.sex))
        document = self.document
        if isinstance(document, CitizenId):
            if born_ok and document.birth_date != self.birth_date:
                errors.append(
                    FieldError(
                        "birth_date_mismatch",
                        "birth_date",
                        "the birth date differs from the citizen ID's",
                    )
                )
            if isinstance(self.sex, Sex) and document.sex is not self.sex:
                errors.append(
                    FieldError("sex_mismatch", "sex", f"the citizen ID says {document.sex.value}")
                )
        elif not isinstance(document, IdDocument):
            errors.append(
                FieldError(
                    "bad_document",
                    "document",
                    f"expected a CitizenId or IdDocument, got {type(document).__name__}",
                )
            )
        if self.phone is not None and not isinstance(self.phone, PhoneNumber):
            errors.append(
                FieldError("bad_phone", "phone", f"expected a PhoneNumber, got {type(self.phone)}")
            )
        if not isinstance(self.care_needs, frozenset):
            errors.append(
                FieldError(
                    "bad_care_need",
                    "care_needs",
                    "expected a collection of care needs",
                    self.care_needs,
                )
            )
        else:
            for need in self.care_needs:
                if not isinstance(need, CareNeed):
                    errors.append(
                        FieldError("bad_care_need", "care_needs", "unknown care need", need)
                    )
        _raise_if(errors)

    @property
    def id_kind(self) -> IdKind:
        """The kind of the resident's identity document.

        >>> r = Resident(id="R1", household_id="H1", name="Li Na", sex=Sex.FEMALE,
        ...              document=IdDocument(IdKind.PASSPORT, "E12345678"),
        ...              birth_date=date(1990, 5, 1))
        >>> r.id_kind.value
        'passport'
        """
        document = self.document
        return IdKind.CITIZEN_ID if isinstance(document, CitizenId) else document.kind

    def age_on(self, as_of: date | datetime) -> int:
        """Age in whole years on a date (or the local date of an aware instant).

        >>> r = Resident(id="R1", household_id="H1", name="李明", sex=Sex.MALE,
        ...              document=CitizenId.parse("430202200001010017"),
        ...              birth_date=date(2000, 1, 1))
        >>> r.age_on(date(2022, 3, 27))
        22
        """
        return age_on(self.birth_date, _as_date(as_of))

    def redacted(self) -> RedactedResident:
        """The resident as a masked reader sees it: name, document and phone masked.

        The birth date and sex are left out (the document number carries them).
        The ids are shown with any phone or ID number in them masked
        (:func:`gridcare.masking.mask_numbers`): an id should be a key of no
        meaning, but a register keyed by ID number would otherwise show it.

        >>> r = Resident(id="R1", household_id="H1", name="刘晓娟", sex=Sex.FEMALE,
        ...              document=CitizenId.parse("11010519491231002X"),
        ...              birth_date=date(1949, 12, 31), phone=PhoneNumber.parse("13812345678"))
        >>> m = r.redacted()
        >>> m.name, m.document, m.phone
        ('刘*娟', '110105********002X', '138****5678')
        """
        return RedactedResident(
            id=mask_numbers(self.id),
            household_id=mask_numbers(self.household_id),
            name=mask_name(self.name),
            id_kind=self.id_kind,
            document=self.document.masked(),
            phone=None if self.phone is None else self.phone.masked(),
            care_needs=self.care_needs,
        )

    def __repr__(self) -> str:
        phone = repr(self.phone) if self.phone is not None else "None"
        return (
            f"Resident({masked_repr(self.id)}, name={mask_name(self.name)!r}, "
            f"document={self.document!r}, phone={phone}, "
            f"household={masked_repr(self.household_id)})"
        )

    __str__ = __repr__


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class RedactedResident:
    """A resident with every personal field masked: what :meth:`Resident.redacted` gives.

    The ids keep the text rules of an id, the masked name those of a person's
    name, the masked document number and phone (``None``: no phone) those of
    a short text (:func:`gridcare.text.kind_problem`).

    >>> RedactedResident(id="R1", household_id="H1", name="刘*娟", id_kind=IdKind.CITIZEN_ID,
    ...                  document="110105********002X", phone=None, care_needs=frozenset())
    RedactedResident(id='R1', household_id='H1', name='刘*娟', id_kind=<IdKind.CITIZEN_ID: \
'citizen_id'>, document='110105********002X', phone=None, care_needs=frozenset())
    """

    id: str = attrs.field(repr=id_repr)
    household_id: str = attrs.field(repr=id_repr)
    name: str
    id_kind: IdKind
    document: str
    phone: str | None
    care_needs: frozenset[CareNeed]

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        phone = self.phone
        if not (
            is_plain(self.id, _ID)
            and is_plain(self.household_id, _ID)
            and is_plain(self.name, _NAME)
            and is_plain(self.document, _SHORT)
            and (phone is None or is_plain(phone, _SHORT))
        ):  # the quick test passes the usual masked resident; the rules name the rest's problems
            _text_errors(
                errors,
                ("id", self.id, "id"),
                ("household_id", self.household_id, "id"),
                ("name", self.name, "name"),
                ("document", self.document, "short"),
            )
            if phone is not None:
                _text_errors(errors, ("phone", phone, "short"))
        if not isinstance(self.id_kind, IdKind):
            errors.append(FieldError("bad_enum", "id_kind", "expected an IdKind"))
        needs = self.care_needs
        if type(needs) is not frozenset or not all(isinstance(n, CareNeed) for n in needs):
            errors.append(
                FieldError("bad_care_need", "care_needs", "expected a frozenset of CareNeed")
            )
        _raise_if(errors)


def _check_resident(value: object, field: str = "resident") -> Resident:
    if not isinstance(value, Resident):
        raise InvalidInput(
            "not_resident", field, f"expected a Resident, got {type(value).__name__}", value=value
        )
    return value


def _check_age(value: object, field: str = "elderly_age") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 150:
        raise InvalidInput("out_of_range", field, "expected a whole number 0-150", value=value)
    return value


def help_reasons(
    resident: Resident, as_of: date | datetime, *, elderly_age: int = ELDERLY_AGE
) -> frozenset[CareNeed]:
    """The reasons to serve ``resident`` in person on ``as_of`` (empty: none).

    Recorded needs among :data:`IN_PERSON_NEEDS`, plus ``ELDERLY`` when the
    resident is ``elderly_age`` or older on that (local) date.

    >>> cid = CitizenId.parse("430202200001010017")
    >>> r = Resident(id="R2", household_id="H1", name="李明", document=cid,
    ...              birth_date=date(2000, 1, 1), sex=Sex.MALE)
    >>> help_reasons(r, date(2022, 3, 27))
    frozenset()
    """
    _check_resident(resident)
    _check_age(elderly_age)
    found = resident.care_needs & IN_PERSON_NEEDS
    if age_on(resident.birth_date, _as_date(as_of)) >= elderly_age:
        found |= {CareNeed.ELDERLY}
    return frozenset(found)


def needs_help(
    resident: Resident, as_of: date | datetime, *, elderly_age: int = ELDERLY_AGE
) -> bool:
    """Whether ``resident`` is to be served in person on ``as_of`` (see :func:`help_reasons`).

    >>> cid = CitizenId.parse("430202194001010019")
    >>> r = Resident(id="R3", household_id="H1", name="张三", document=cid,
    ...              birth_date=date(1940, 1, 1), sex=Sex.MALE)
    >>> needs_help(r, date(2022, 3, 27)), needs_help(r, date(2022, 3, 27), elderly_age=85)
    (True, False)
    """
    return bool(help_reasons(resident, as_of, elderly_age=elderly_age))


def _members(value: object) -> tuple[object, ...] | object:
    """A tuple of the members given; anything that is not a list of them is kept for the check."""
    if type(value) is tuple:  # already a tuple (what the trusted builders pass): kept as it is
        return value
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable) and not isinstance(value, (bytes, Mapping)):
        return tuple(read_once(value, "members"))
    return value


@attrs.frozen(repr=False, kw_only=True, init=False, field_transformer=masked_field_reprs)
class Household:
    """A household: ``id`` is its HOUSEHOLD node id; ``members`` are resident ids.

    A household registered as ``vacant`` (nobody lives there) has no members;
    vacant is a fact about the dwelling, not "not visited yet". ``id`` and
    each member keep the text rules of an id (at most 64 characters,
    printable only): a member that breaks them is named
    ``members.<i>`` with the code of the rule (:func:`gridcare.text.kind_problem`).

    >>> Household(id="H1", members=["R1", "R2"])
    Household('H1', members=2)
    >>> Household(id="H2", vacant=True, members=["R9"])
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: members: a vacant household has no members [vacant_with_members]
    """

    id: str
    members: tuple[str, ...] = attrs.field(default=(), converter=_members)
    vacant: bool = False

    def __init__(self, *, id: str, members: Iterable[str] = (), vacant: bool = False) -> None:
        self.__attrs_init__(id=id, members=members, vacant=vacant)
        self._check()

    @classmethod
    def trusted(cls, *, id: str, members: tuple[str, ...] = (), vacant: bool = False) -> Self:
        """Build a household without checking the fields' content.

        Only for values a program has built and checked itself (the synthetic
        city writes each household from its columns): a wrong id or member id
        gives a wrong value here, not an error. Fields of the wrong type (an id
        that is not a ``str``, members not a ``tuple``, ``vacant`` not a
        ``bool``) go through the checking constructor, which converts or
        refuses them as ``Household(...)`` does. Anything read from outside
        goes through ``Household(...)``.

        >>> fields = dict(id="H1", members=("R1", "R2"))
        >>> Household.trusted(**fields) == Household(**fields)
        True
        >>> Household.trusted(id="H1", members=None)
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: members: expected a list of resident ids [not_list]
        """
        # gridcare.errors.trusted's two steps, written out (see its docstring): a city's due
        # list reads every household.
        household = object.__new__(cls)
        household.__attrs_init__(id=id, members=members, vacant=vacant)
        if type(id) is not str or type(members) is not tuple or type(vacant) is not bool:
            household._check()  # the constructor's checks: a wrong type is refused as there
        return household

    def _check(self) -> None:
        errors: list[FieldError] = []
        if not is_plain(self.id, _ID):
            _text_errors(errors, ("id", self.id, "id"))
        members = self.members
        if not isinstance(members, tuple):
            errors.append(
                FieldError("not_list", "members", "expected a list of resident ids", members)
            )
            members = ()
        elif not _plain_ids(members):
            _ids_errors(errors, "members", members)
        if all(isinstance(m, str) for m in members) and len(set(members)) != len(members):
            errors.append(FieldError("duplicate_member", "members", "a member is listed twice"))
        if not isinstance(self.vacant, bool):
            errors.append(FieldError("bad_flag", "vacant", "expected True or False"))
        elif self.vacant and self.members:
            errors.append(
                FieldError("vacant_with_members", "members", "a vacant household has no members")
            )
        _raise_if(errors)

    @property
    def size(self) -> int:
        """How many residents are registered here.

        >>> Household(id="H1", members=("R1",)).size
        1
        """
        return len(self.members)

    def __repr__(self) -> str:
        vacant = ", vacant" if self.vacant else ""
        return f"Household({masked_repr(self.id)}, members={len(self.members)}{vacant})"


@attrs.frozen(repr=False, kw_only=True, field_transformer=masked_field_reprs)
class Worker:
    """A person doing grid work, with one role; ``repr`` masks the name and phone.

    ``id`` keeps the text rules of an id (at most 64 characters, printable
    only), ``name`` those of a person's name (at most 50 characters, no
    control or bidirectional control character:
    :func:`gridcare.text.kind_problem`).

    >>> Worker(id="W1", name="周建国", role=WorkerRole.GRID_WORKER_FULL_TIME,
    ...        phone=PhoneNumber.parse("13912345678"))
    Worker('W1', grid_worker_full_time, name='周*国', phone=PhoneNumber('139****5678'))
    """

    id: str
    name: str = attrs.field(metadata=personal(mask_name))
    role: WorkerRole
    phone: PhoneNumber | None = None

    def __attrs_post_init__(self) -> None:
        phone = self.phone
        if (
            is_plain(self.id, _ID)
            and is_plain(self.name, _NAME)
            and type(self.role) is WorkerRole
            and (phone is None or type(phone) is PhoneNumber)
        ):
            return  # the quick test passes the usual worker; the rules name the rest's problems
        errors: list[FieldError] = []
        _text_errors(errors, ("id", self.id, "id"), ("name", self.name, "name"))
        if not isinstance(self.role, WorkerRole):
            errors.append(FieldError("bad_role", "role", "expected a WorkerRole", self.role))
        if self.phone is not None and not isinstance(self.phone, PhoneNumber):
            errors.append(FieldError("bad_phone", "phone", "expected a PhoneNumber"))
        _raise_if(errors)

    def redacted(self) -> RedactedWorker:
        """The worker as a masked reader sees it: name and phone masked, and any phone or ID
        number in its id (:func:`gridcare.masking.mask_numbers`).

        >>> Worker(id="W1", name="周建国", role=WorkerRole.VOLUNTEER,
        ...        phone=PhoneNumber.parse("13912345678")).redacted().phone
        '139****5678'
        """
        return RedactedWorker(
            id=mask_numbers(self.id),
            role=self.role,
            name=mask_name(self.name),
            phone=None if self.phone is None else self.phone.masked(),
        )

    def __repr__(self) -> str:
        phone = repr(self.phone) if self.phone is not None else "None"
        return (
            f"Worker({masked_repr(self.id)}, {self.role.value}, "
            f"name={mask_name(self.name)!r}, phone={phone})"
        )

    __str__ = __repr__


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class RedactedWorker:
    """A worker with the name and phone masked: what :meth:`Worker.redacted` gives.

    ``id`` keeps the text rules of an id, the masked ``name`` those of a
    person's name, the masked ``phone`` (``None``: no phone) those of a short
    text (:func:`gridcare.text.kind_problem`).

    >>> RedactedWorker(id="W1", role=WorkerRole.VOLUNTEER, name="周*国", phone=None).name
    '周*国'
    """

    id: str
    role: WorkerRole
    name: str
    phone: str | None

    def __attrs_post_init__(self) -> None:
        phone = self.phone
        if (
            is_plain(self.id, _ID)
            and is_plain(self.name, _NAME)
            and (phone is None or is_plain(phone, _SHORT))
            and type(self.role) is WorkerRole
        ):
            return  # the quick test passes the usual masked worker
        errors: list[FieldError] = []
        _text_errors(errors, ("id", self.id, "id"), ("name", self.name, "name"))
        if phone is not None:
            _text_errors(errors, ("phone", phone, "short"))
        if not isinstance(self.role, WorkerRole):
            errors.append(FieldError("bad_role", "role", "expected a WorkerRole"))
        _raise_if(errors)


@attrs.frozen(field_transformer=masked_field_reprs)
class Assignment:
    """Worker ``worker_id`` answers for node ``node_id`` (one worker may have several).

    Both keep the text rules of an id (at most 64 characters,
    printable only: :func:`gridcare.text.kind_problem`).

    >>> Assignment("W1", "430202001001-G01")
    Assignment(worker_id='W1', node_id='430202001001-G01')
    """

    worker_id: str
    node_id: str

    def __attrs_post_init__(self) -> None:
        if is_plain(self.worker_id, _ID) and is_plain(self.node_id, _ID):
            return  # the quick test passes the usual assignment
        errors: list[FieldError] = []
        _text_errors(errors, ("worker_id", self.worker_id, "id"), ("node_id", self.node_id, "id"))
        _raise_if(errors)


@attrs.frozen(field_transformer=masked_field_reprs)
class ChainLink:
    """One link of a responsibility chain: the workers of ``role`` assigned at ``node_id``.

    ``node_id`` and each of ``worker_ids`` (a tuple of at least one) keep the
    text rules of an id (:func:`gridcare.text.kind_problem`); a worker id that
    breaks them is named ``worker_ids.<i>``.

    >>> ChainLink(WorkerRole.VOLUNTEER, "H1", ("W7",)).worker_ids
    ('W7',)
    """

    role: WorkerRole
    node_id: str
    worker_ids: tuple[str, ...]

    def __attrs_post_init__(self) -> None:
        ids = self.worker_ids
        if (
            type(self.role) is WorkerRole
            and is_plain(self.node_id, _ID)
            and type(ids) is tuple
            and ids
            and _plain_ids(ids)
        ):
            return  # the quick test passes the usual link (Roster.chain builds them)
        errors: list[FieldError] = []
        if not isinstance(self.role, WorkerRole):
            errors.append(FieldError("bad_role", "role", "expected a WorkerRole", self.role))
        _text_errors(errors, ("node_id", self.node_id, "id"))
        if not isinstance(ids, tuple) or not ids:
            errors.append(
                FieldError("bad_workers", "worker_ids", "expected a tuple of worker ids", ids)
            )
        else:
            _ids_errors(errors, "worker_ids", ids)
        _raise_if(errors)


@attrs.frozen(field_transformer=masked_field_reprs)
class ResponsibilityChain:
    """Who answers for a node, nearest first: one link per role, at the nearest node that has it.

    ``node_id`` keeps the text rules of an id (:func:`gridcare.text.kind_problem`).

    >>> chain = ResponsibilityChain("H1", (
    ...     ChainLink(WorkerRole.VOLUNTEER, "H1", ("V1",)),
    ...     ChainLink(WorkerRole.GRID_WORKER_FULL_TIME, "G1", ("W1",)),
    ... ))
    >>> chain.volunteer, chain.grid_workers, chain.building_head
    ('V1', ('W1',), None)
    """

    node_id: str
    links: tuple[ChainLink, ...]

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        if not is_plain(self.node_id, _ID):
            _text_errors(errors, ("node_id", self.node_id, "id"))
        links = self.links
        if not isinstance(links, tuple) or not all(isinstance(k, ChainLink) for k in links):
            errors.append(FieldError("bad_links", "links", "expected a tuple of ChainLink", links))
        _raise_if(errors)

    def of(self, role: WorkerRole) -> ChainLink | None:
        """The link for ``role`` (``None`` if nobody with that role answers for the node)."""
        if not isinstance(role, WorkerRole):
            raise InvalidInput("bad_role", "role", "expected a WorkerRole", value=role)
        for link in self.links:
            if link.role is role:
                return link
        return None

    def _first(self, role: WorkerRole) -> str | None:
        link = self.of(role)
        return None if link is None else link.worker_ids[0]

    @property
    def volunteer(self) -> str | None:
        """The nearest volunteer's worker id."""
        return self._first(WorkerRole.VOLUNTEER)

    @property
    def building_head(self) -> str | None:
        """The nearest building head's worker id."""
        return self._first(WorkerRole.BUILDING_HEAD)

    @property
    def grid_workers(self) -> tuple[str, ...]:
        """The nearest full-time then part-time grid workers' ids (empty if none)."""
        found: list[str] = []
        for role in (WorkerRole.GRID_WORKER_FULL_TIME, WorkerRole.GRID_WORKER_PART_TIME):
            link = self.of(role)
            if link is not None:
                found.extend(link.worker_ids)
        return tuple(found)

    @property
    def grid_leader(self) -> str | None:
        """The nearest grid leader's worker id."""
        return self._first(WorkerRole.GRID_LEADER)

    @property
    def community_staff(self) -> tuple[str, ...]:
        """The nearest community staff's worker ids."""
        link = self.of(WorkerRole.COMMUNITY_STAFF)
        return () if link is None else link.worker_ids


def _check_collection(value: object, field: str) -> None:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidInput(
            "not_list", field, f"expected a list, got {type(value).__name__}", value=value
        )


class Roster:
    """Workers and their assignments over a hierarchy; answers responsibility chains.

    Built once (every bad assignment reported at once); then
    :meth:`chain` costs one dictionary lookup per ancestor of the node.

    >>> from gridcare.hierarchy import Node
    >>> h = Hierarchy([Node("C", NodeKind.COMMUNITY, "社区"), Node("G", NodeKind.GRID, "网格", "C"),
    ...                Node("H", NodeKind.HOUSEHOLD, "1号", "G")])
    >>> workers = [Worker(id="W1", name="周建国", role=WorkerRole.GRID_WORKER_FULL_TIME),
    ...            Worker(id="S1", name="李红", role=WorkerRole.COMMUNITY_STAFF)]
    >>> roster = Roster(h, workers, [Assignment("W1", "G"), Assignment("S1", "C")])
    >>> c = roster.chain("H")
    >>> c.grid_workers, c.community_staff, c.volunteer
    (('W1',), ('S1',), None)
    >>> Roster(h, workers, [Assignment("W1", "H"), Assignment("X", "G")])
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: 2 problems: assignments.0.node_id: ...
    """

    __slots__ = ("_at", "_hierarchy", "_nodes_of", "_role", "_workers")

    _hierarchy: Hierarchy
    _workers: dict[str, Worker]
    _role: dict[str, WorkerRole]
    _at: dict[str, tuple[str, ...]]
    _nodes_of: dict[str, tuple[str, ...]]

    def __init__(
        self,
        hierarchy: Hierarchy,
        workers: Iterable[Worker],
        assignments: Iterable[Assignment],
    ) -> None:
        if not isinstance(hierarchy, Hierarchy):
            raise InvalidInput(
                "not_hierarchy",
                "hierarchy",
                f"expected a Hierarchy, got {type(hierarchy).__name__}",
                value=hierarchy,
            )
        _check_collection(workers, "workers")
        _check_collection(assignments, "assignments")
        errors: list[FieldError] = []
        by_id: dict[str, Worker] = {}
        for i, worker in enumerate(workers):
            if not isinstance(worker, Worker):
                errors.append(FieldError("bad_worker", f"workers.{i}", "expected a Worker"))
            elif worker.id in by_id:
                errors.append(
                    FieldError("duplicate_id", f"workers.{i}.id", "worker id used twice", worker.id)
                )
            else:
                by_id[worker.id] = worker
        role = {wid: w.role for wid, w in by_id.items()}
        at: dict[str, list[str]] = {}
        nodes_of: dict[str, list[str]] = {}
        seen: set[tuple[str, str]] = set()
        get_node = hierarchy.get
        for i, a in enumerate(assignments):
            if not isinstance(a, Assignment):
                errors.append(
                    FieldError("bad_assignment", f"assignments.{i}", "expected an Assignment")
                )
                continue
            r = role.get(a.worker_id)
            if r is None:
                errors.append(
                    FieldError(
                        "unknown_worker",
                        f"assignments.{i}.worker_id",
                        f"unknown worker {a.worker_id!r}",
                        a.worker_id,
                    )
                )
            node = get_node(a.node_id)
            if node is None:
                errors.append(
                    FieldError(
                        "unknown_node",
                        f"assignments.{i}.node_id",
                        f"unknown node {a.node_id!r}",
                        a.node_id,
                    )
                )
            elif r is not None and node.kind not in ROLE_KINDS[r]:
                errors.append(
                    FieldError(
                        "role_kind",
                        f"assignments.{i}.node_id",
                        f"a {r.value} cannot answer for a {node.kind.value}",
                        a.node_id,
                    )
                )
            if r is None or node is None:
                continue
            key = (a.worker_id, a.node_id)
            if key in seen:
                errors.append(
                    FieldError(
                        "duplicate_assignment",
                        f"assignments.{i}",
                        f"{a.worker_id!r} is already assigned to {a.node_id!r}",
                    )
                )
                continue
            seen.add(key)
            found = at.get(a.node_id)
            if found is None:
                at[a.node_id] = [a.worker_id]
            else:
                found.append(a.worker_id)
            mine = nodes_of.get(a.worker_id)
            if mine is None:
                nodes_of[a.worker_id] = [a.node_id]
            else:
                mine.append(a.node_id)
        _raise_if(errors)
        self._hierarchy = hierarchy
        self._workers = by_id
        self._role = role
        self._at = {node_id: tuple(ws) for node_id, ws in at.items()}
        self._nodes_of = {wid: tuple(ns) for wid, ns in nodes_of.items()}

    @property
    def hierarchy(self) -> Hierarchy:
        """The hierarchy the assignments refer to."""
        return self._hierarchy

    def __len__(self) -> int:
        """How many workers the roster holds."""
        return len(self._workers)

    def __iter__(self) -> Iterator[Worker]:
        return iter(self._workers.values())

    def __repr__(self) -> str:
        return f"Roster(workers={len(self._workers)}, nodes={len(self._at)})"

    def worker(self, worker_id: str) -> Worker:
        """The worker with this id; ``InvalidInput`` (code ``unknown_worker``) if none."""
        if not isinstance(worker_id, str):
            raise InvalidInput(
                "not_string",
                "worker_id",
                f"expected a worker id, got {type(worker_id).__name__}",
                value=worker_id,
            )
        found = self._workers.get(worker_id)
        if found is None:
            raise InvalidInput(
                "unknown_worker", "worker_id", f"unknown worker {worker_id!r}", value=worker_id
            )
        return found

    def nodes_of(self, worker_id: str) -> tuple[str, ...]:
        """The node ids a worker answers for, in assignment order (empty if none)."""
        self.worker(worker_id)
        return self._nodes_of.get(worker_id, ())

    def workers_at(self, node_id: str) -> tuple[Worker, ...]:
        """The workers assigned directly to ``node_id`` (not inherited from above).

        >>> from gridcare.hierarchy import Node
        >>> h = Hierarchy([Node("G", NodeKind.GRID, "网格")])
        >>> w = Worker(id="W1", name="周建国", role=WorkerRole.GRID_WORKER_FULL_TIME)
        >>> [x.id for x in Roster(h, [w], [Assignment("W1", "G")]).workers_at("G")]
        ['W1']
        """
        self._hierarchy.node(node_id)  # UnknownNode, or InvalidInput for an id that is not text
        return tuple(self._workers[w] for w in self._at.get(node_id, ()))

    def chain(self, node_id: str) -> ResponsibilityChain:
        """The responsibility chain of a node (usually a household), nearest first.

        For each role, the link is at the nearest node at or above ``node_id``
        where a worker of that role is assigned. Raises
        :class:`~gridcare.errors.UnknownNode` for an unknown id.

        >>> from gridcare.hierarchy import Node
        >>> h = Hierarchy([Node("G", NodeKind.GRID, "网格"),
        ...                Node("H", NodeKind.HOUSEHOLD, "1号", "G")])
        >>> w = [Worker(id="V1", name="李红", role=WorkerRole.VOLUNTEER)]
        >>> Roster(h, w, [Assignment("V1", "H")]).chain("H").links
        (ChainLink(role=<WorkerRole.VOLUNTEER: 'volunteer'>, node_id='H', worker_ids=('V1',)),)
        """
        hierarchy = self._hierarchy
        node = hierarchy.node(node_id)
        at = self._at
        role_of = self._role
        links: list[ChainLink] = []
        done: set[WorkerRole] = set()
        for place in (node, *hierarchy.ancestors(node_id)):
            here = at.get(place.id)
            if here is None:
                continue
            grouped: dict[WorkerRole, list[str]] = {}
            for wid in here:
                r = role_of[wid]
                if r not in done:
                    grouped.setdefault(r, []).append(wid)
            for r, ids in grouped.items():
                links.append(ChainLink(r, place.id, tuple(ids)))
                done.add(r)
        return ResponsibilityChain(node_id, tuple(links))
