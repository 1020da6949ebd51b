"""The engine: from a person's stays and contacts to a category, a plan, a code colour and reasons.

Rules this module obeys (docs/risk.md, "The engine"), each stated in one
function that :func:`assess` and :func:`assess_many` share (they call the same
per-person functions; :func:`assess_many` builds a plan, colour and reasons
when one is first read, see :class:`Assessment`):

* exposure: a stay counts against a designation where it overlaps
  ``[R - T days, L)``, and the exposure ends where the overlap ends
  (:func:`~gridcare.risk.register.exposure_end`); designations raised after
  ``as_of`` are not yet known and are ignored;
* qualification: an exposure counts when the reference instant (arrival if
  known, else ``as_of``) is at most the look-back window after its end
  (exactly the window still qualifies);
* every qualifying exposure is a reason and has its own plan, anchored at
  the exposure's end (leaving the area), the contact's last exposure or the
  arrival; any qualifying *possible* exposure sets ``needs_verification``;
* combination: the person's plan is the combination of those plans. At every
  instant the strictest measure in force in any of them (centralized
  quarantine, home isolation, home health monitoring, self health monitoring,
  in that order) governs, the colour is the strictest, and the test dates and
  windows are the union; each step names the exposure governing it
  (``RiskStep.governed_by``), and the category is that of the exposure governing
  the strictest step. More stays or contacts can never make any of these
  milder;
* day 0 is the anchor's local date; a step of N days runs until local
  midnight at the end of day N (:func:`~gridcare.timeutil.midnight_after`);
  tests on day k fall on the anchor's date + k;
* the plan is what remains from the assessment on: it is counted from
  ``max(as_of, arrived_at)``; steps already over are dropped, the step in
  progress starts at that instant, test dates before its local date are
  dropped, and test windows that closed before it are dropped. Nothing past is
  invented; the full schedule is recovered from ``RiskPlan.anchor``.

>>> from datetime import datetime
>>> from gridcare.risk.presets import PRESETS
>>> from gridcare.timeutil import DEFAULT_ZONE as CST
>>> left = datetime(2022, 7, 1, 15, tzinfo=CST)
>>> reg = RiskRegister([RiskDesignation("440304", "high", datetime(2022, 6, 28, tzinfo=CST))])
>>> a = assess([Stay("440304", left - timedelta(days=2), left)], register=reg,
...            policy=PRESETS["ninth-edition"], as_of=left)
>>> a.category.value, a.code_color.value
('high_risk_area', 'red')
>>> step = a.plan.steps[0]
>>> step.kind.value, step.start.isoformat(), step.end.isoformat()
('centralized_quarantine', '2022-07-01T15:00:00+08:00', '2022-07-09T00:00:00+08:00')
>>> [d.isoformat()[5:] for d in a.plan.test_dates]
['07-02', '07-03', '07-04', '07-06', '07-08']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar

import attrs

from gridcare.errors import (
    Choice,
    InvalidInput,
    read_mapping,
    read_once,
    require_instance,
    require_int,
    require_items,
    safe_value,
    trusted,
)
from gridcare.labels import label
from gridcare.masking import masked_field_reprs
from gridcare.risk.policy import (
    SEVERITY,
    Anchor,
    Category,
    CodeColor,
    CompiledPlan,
    CompiledPolicy,
    MeasureKind,
    Policy,
    Provenance,
    SourceKind,
)
from gridcare.risk.register import (
    MatchKind,
    RegisterDiff,
    RiskDesignation,
    RiskReach,
    RiskRegister,
    Stay,
    trusted_exposure_end,
    trusted_opens_after,
)
from gridcare.serial import JsonMixin
from gridcare.text import TEXT_LIMITS, check_text_of, is_plain
from gridcare.timeutil import (
    Midnights,
    local_date,
    midnight_after,
    require_aware,
    require_day,
    zone,
)

__all__ = [
    "Assessment",
    "Contact",
    "ContactKind",
    "MissedTest",
    "NatResult",
    "PolicyComparison",
    "RiskHistory",
    "RiskPlan",
    "RiskReason",
    "RiskStep",
    "TestKind",
    "TestWindow",
    "assess",
    "assess_many",
    "code_color",
    "compare_policies",
    "missed_tests",
    "needs_reassessment",
]

K = TypeVar("K", bound=Hashable)
_V = TypeVar("_V")

Progress = Callable[[int, int], None]


class ContactKind(Choice):
    """Kinds of contact with a case.

    >>> ContactKind("close")
    <ContactKind.CLOSE: 'close'>
    """

    CLOSE = "close"
    SECONDARY = "secondary"


_CONTACT_CATEGORY: dict[ContactKind, Category] = {
    ContactKind.CLOSE: Category.CLOSE_CONTACT,
    ContactKind.SECONDARY: Category.SECONDARY_CONTACT,
}


class TestKind(Choice):
    """What a required test is: on a scheduled day, around arrival, or "N within D days".

    >>> TestKind.WITHIN_WINDOW.value
    'within_window'
    """

    __test__ = False  # not a pytest test class

    SCHEDULED = "scheduled"
    BEFORE_ARRIVAL = "before_arrival"
    AFTER_ARRIVAL = "after_arrival"
    WITHIN_WINDOW = "within_window"


def _to_contact_kind(value: object) -> ContactKind:
    if isinstance(value, ContactKind):
        return value
    if isinstance(value, str):
        try:
            return ContactKind(value)
        except InvalidInput:
            pass
    raise InvalidInput("unknown_contact_kind", "kind", "expected close or secondary", value=value)


@attrs.frozen(field_transformer=masked_field_reprs)
class Contact:
    """A contact with a case (``CLOSE``) or with a close contact (``SECONDARY``).

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> Contact(kind=ContactKind.CLOSE, last_exposure=datetime(2022, 7, 1, 20, tzinfo=CST)).kind
    <ContactKind.CLOSE: 'close'>
    """

    kind: ContactKind = attrs.field(converter=_to_contact_kind)
    last_exposure: datetime

    def __attrs_post_init__(self) -> None:
        require_aware(self.last_exposure, "last_exposure")


@attrs.frozen(field_transformer=masked_field_reprs)
class NatResult:
    """A nucleic-acid test actually taken: when it was sampled and whether it was negative.

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> NatResult(datetime(2022, 7, 2, 9, tzinfo=CST), negative=True).negative
    True
    """

    sampled_at: datetime
    negative: bool = True

    def __attrs_post_init__(self) -> None:
        require_aware(self.sampled_at, "sampled_at")
        if not isinstance(self.negative, bool):
            raise InvalidInput(
                "not_bool",
                "negative",
                f"expected True or False, got {type(self.negative).__name__}",
                value=self.negative,
            )


def _tuple_of(items: object, kind: type, field: str) -> tuple[object, ...]:
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise InvalidInput(
            "not_sequence",
            field,
            f"expected a sequence of {kind.__name__}, got {type(items).__name__}",
            value=items,
        )
    found = items if isinstance(items, tuple) else tuple(read_once(items, field))
    for i, item in enumerate(found):
        if not isinstance(item, kind):
            raise InvalidInput(
                f"not_{kind.__name__.lower()}",
                f"{field}.{i}",
                f"expected a {kind.__name__}, got {type(item).__name__}",
            )
    return found


def _stays(items: object, field: str = "stays") -> tuple[Stay, ...]:
    return _tuple_of(items, Stay, field)  # type: ignore[return-value]


def _contacts(items: object, field: str = "contacts") -> tuple[Contact, ...]:
    return _tuple_of(items, Contact, field)  # type: ignore[return-value]


def _optional_aware(value: object, field: str) -> datetime | None:
    return None if value is None else require_aware(value, field)


def _arrived_at(value: object) -> datetime | None:
    return _optional_aware(value, "arrived_at")


# The checks of the result values' constructors. The engine builds its results with
# :func:`gridcare.errors.trusted` (the attrs initializer), without them: what it builds is checked
# where it came in, and its loops pay nothing more.

_NO_TIME = timedelta(0)
_MAX_GAP = timedelta(days=365)


def _optional(value: object, kind: type[_V], field: str) -> _V | None:
    return None if value is None else require_instance(value, kind, field)


#: The longest policy name an assessment names: the limit of an id (:mod:`gridcare.text`).
_ID_LIMIT = TEXT_LIMITS["id"]


def _clause(value: object) -> str:
    """A policy clause a plan or a reason cites: one line, the text rules of a place."""
    return check_text_of(value, "clause", "place")


def _dates(values: object, field: str) -> tuple[date, ...]:
    found = require_items(values, date, field)
    return tuple([require_day(d, f"{field}.{i}") for i, d in enumerate(found)])


def _instances(values: object, kind: type[_V], field: str) -> tuple[_V, ...]:
    return tuple(require_items(values, kind, field))


@attrs.frozen(field_transformer=masked_field_reprs)
class RiskHistory:
    """One person's input to :func:`assess_many`: stays, arrival and contacts.

    >>> RiskHistory(()).arrived_at is None
    True
    """

    stays: tuple[Stay, ...] = attrs.field(converter=_stays)
    arrived_at: datetime | None = attrs.field(default=None, converter=_arrived_at)
    contacts: tuple[Contact, ...] = attrs.field(default=(), converter=_contacts)


# ---------------------------------------------------------------------------- plan values


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class RiskStep(JsonMixin):
    """One measure in force from ``start`` until ``end`` (exclusive; ``None`` = open-ended).

    ``test_dates`` are the local dates of this step's tests; ``alternatives``
    are kinds local authorities may choose instead. ``green_after_tests``: a
    yellow code during this step turns green once the plan's test windows hold
    enough negative results. ``governed_by`` is the index in
    ``Assessment.reasons`` of the exposure governing the step (its own plan has
    the strictest measure in force then; :meth:`Assessment.governing` returns
    it). Steps hold nothing of one person's, so people whose plans are alike
    share them. The constructor checks every field (``InvalidInput``: types,
    aware instants in 1900-2100, an end after the start); the engine builds
    its own steps, and every result below, without repeating the checks.

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> s = RiskStep(MeasureKind.HOME_ISOLATION, datetime(2022, 7, 1, 15, tzinfo=CST),
    ...          datetime(2022, 7, 9, tzinfo=CST), CodeColor.YELLOW)
    >>> s.in_force(datetime(2022, 7, 9, tzinfo=CST))
    False
    """

    kind: MeasureKind
    start: datetime
    end: datetime | None
    code_color: CodeColor
    test_dates: tuple[date, ...] = ()
    alternatives: tuple[MeasureKind, ...] = ()
    green_after_tests: bool = False
    governed_by: int = 0

    def __init__(
        self,
        kind: MeasureKind,
        start: datetime,
        end: datetime | None,
        code_color: CodeColor,
        test_dates: tuple[date, ...] = (),
        alternatives: tuple[MeasureKind, ...] = (),
        green_after_tests: bool = False,
        governed_by: int = 0,
    ) -> None:
        start = require_aware(start, "start")
        end = _optional_aware(end, "end")
        if end is not None and end <= start:
            raise InvalidInput("end_not_after_start", "end", "a step must end after it starts")
        self.__attrs_init__(
            require_instance(kind, MeasureKind, "kind"),
            start,
            end,
            require_instance(code_color, CodeColor, "code_color"),
            _dates(test_dates, "test_dates"),
            _instances(alternatives, MeasureKind, "alternatives"),
            require_instance(green_after_tests, bool, "green_after_tests"),
            require_int(governed_by, "governed_by", low=0),
        )

    def in_force(self, at: datetime) -> bool:
        """Whether ``start <= at < end``.

        >>> from datetime import datetime
        >>> from gridcare.timeutil import DEFAULT_ZONE as CST
        >>> t = datetime(2022, 7, 1, tzinfo=CST)
        >>> RiskStep(MeasureKind.HOME_ISOLATION, t, None, CodeColor.YELLOW).in_force(t)
        True
        """
        return _in_force(self, require_aware(at, "at"))


def _in_force(step: RiskStep, at: datetime) -> bool:
    return step.start <= at and (step.end is None or at < step.end)


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class TestWindow(JsonMixin):
    """``count`` tests sampled in ``[start, end]`` (both inclusive), at least ``min_gap`` apart.

    Checked on construction: ``count`` from 1, ``min_gap`` 0 to 365 days, an
    end not before the start (``ends_before_start``).

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> w = TestWindow(TestKind.AFTER_ARRIVAL, datetime(2022, 7, 1, tzinfo=CST),
    ...                datetime(2022, 7, 2, tzinfo=CST), 1)
    >>> w.count, w.min_gap
    (1, datetime.timedelta(0))
    """

    __test__ = False  # not a pytest test class

    kind: TestKind
    start: datetime
    end: datetime
    count: int
    min_gap: timedelta = timedelta(0)

    def __init__(
        self,
        kind: TestKind,
        start: datetime,
        end: datetime,
        count: int,
        min_gap: timedelta = timedelta(0),
    ) -> None:
        start = require_aware(start, "start")
        end = require_aware(end, "end")
        if end < start:
            raise InvalidInput("ends_before_start", "end", "a window must not end before it starts")
        gap = require_instance(min_gap, timedelta, "min_gap")
        if not _NO_TIME <= gap <= _MAX_GAP:
            raise InvalidInput("out_of_range", "min_gap", "expected 0 to 365 days", value=gap)
        self.__attrs_init__(
            require_instance(kind, TestKind, "kind"),
            start,
            end,
            require_int(count, "count", low=1),
            gap,
        )


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class RiskPlan(JsonMixin):
    """The measures that remain for a person: steps in time order, test dates and test windows.

    The combination of every qualifying exposure's own plan (docs/risk.md,
    "Combining exposures"): each step names the exposure governing it
    (``RiskStep.governed_by``). ``category``, ``anchor_kind``, ``anchor`` (the
    instant day 0 is counted from) and ``clause`` (the policy's plan) are those
    of the exposure governing the strictest step; ``counted_from`` is the
    instant the remaining plan starts at (``max(as_of, arrived_at)``).
    ``green_after_tests`` holds when every combined plan turns green after
    tests (each step says so for itself). Steps follow each other without a
    gap, except where a declared exposure ends after another's measures are
    over: its own measure then starts at its anchor. Checked on construction,
    ``zone_name`` included (an IANA name), and ``clause``, one line with the
    text rules of a place (:func:`gridcare.text.check_text_of`).

    >>> from gridcare.risk.presets import PRESETS
    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> t = datetime(2022, 7, 1, 20, tzinfo=CST)
    >>> a = assess([], register=RiskRegister(), policy=PRESETS["ninth-edition"], as_of=t,
    ...            contacts=[Contact(kind="close", last_exposure=t)])
    >>> [s.kind.value for s in a.plan.steps], a.plan.end.isoformat()
    (['centralized_quarantine', 'home_health_monitoring'], '2022-07-12T00:00:00+08:00')
    """

    category: Category
    anchor_kind: Anchor
    anchor: datetime
    counted_from: datetime
    steps: tuple[RiskStep, ...]
    test_dates: tuple[date, ...]
    windows: tuple[TestWindow, ...]
    green_after_tests: bool
    clause: str
    zone_name: str

    def __init__(
        self,
        category: Category,
        anchor_kind: Anchor,
        anchor: datetime,
        counted_from: datetime,
        steps: tuple[RiskStep, ...],
        test_dates: tuple[date, ...],
        windows: tuple[TestWindow, ...],
        green_after_tests: bool,
        clause: str,
        zone_name: str,
    ) -> None:
        zone(zone_name)  # an IANA zone name, or InvalidInput
        self.__attrs_init__(
            require_instance(category, Category, "category"),
            require_instance(anchor_kind, Anchor, "anchor_kind"),
            require_aware(anchor, "anchor"),
            require_aware(counted_from, "counted_from"),
            _instances(steps, RiskStep, "steps"),
            _dates(test_dates, "test_dates"),
            _instances(windows, TestWindow, "windows"),
            require_instance(green_after_tests, bool, "green_after_tests"),
            _clause(clause),
            zone_name,
        )

    @property
    def end(self) -> datetime | None:
        """When the last step ends (``None`` if open-ended or there are no steps)."""
        return self.steps[-1].end if self.steps else None

    @property
    def measure(self) -> MeasureKind | None:
        """The kind of the first remaining step."""
        return self.steps[0].kind if self.steps else None

    def measure_at(self, at: datetime) -> MeasureKind | None:
        """The kind of the step in force at ``at``, ``None`` when none is.

        >>> from gridcare.risk.presets import PRESETS
        >>> from datetime import datetime
        >>> from gridcare.timeutil import DEFAULT_ZONE as CST
        >>> t = datetime(2022, 7, 1, 20, tzinfo=CST)
        >>> a = assess([], register=RiskRegister(), policy=PRESETS["ninth-edition"], as_of=t,
        ...            contacts=[Contact(kind="close", last_exposure=t)])
        >>> a.plan.measure_at(datetime(2022, 7, 10, tzinfo=CST)).value
        'home_health_monitoring'
        >>> a.plan.measure_at(datetime(2022, 7, 12, tzinfo=CST)) is None
        True
        """
        require_aware(at, "at")
        for step in self.steps:
            if _in_force(step, at):
                return step.kind
        return None


def _fmt(t: datetime) -> str:
    return t.isoformat(timespec="minutes")


_KIND_TEXT = {
    SourceKind.NATIONAL: ("国家文本", "national text"),
    SourceKind.LOCAL: ("地方做法", "local practice"),
}


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class RiskReason(JsonMixin):
    """Why a category applies: the stay and designation (or the contact) and the policy clause.

    ``zh`` and ``en`` render the reason in Chinese and English. A reason is a
    contact's (``contact`` set, the stay's fields ``None``) or a stay's
    (``match``, ``stay``, ``designation`` and ``exposure_end`` set, ``contact``
    ``None``); anything else is refused with code ``bad_reason``. The
    ``clause`` is one line with the text rules of a place
    (:func:`gridcare.text.check_text_of`), as ``zh`` and ``en`` show it.

    >>> from datetime import datetime
    >>> from gridcare.risk.presets import PRESETS
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> t = datetime(2022, 7, 1, 20, tzinfo=CST)
    >>> a = assess([], register=RiskRegister(), policy=PRESETS["ninth-edition"], as_of=t,
    ...            contacts=[Contact(kind="secondary", last_exposure=t)])
    >>> print(a.reasons[0].en)  # doctest: +ELLIPSIS
    secondary contact, last exposure 2022-07-01T20:00+08:00; ninth-edition categories.1 ...
    """

    category: Category
    clause: str
    source: Provenance
    match: MatchKind | None = None
    stay: Stay | None = None
    designation: RiskDesignation | None = None
    contact: Contact | None = None
    exposure_end: datetime | None = None

    def __init__(
        self,
        category: Category,
        clause: str,
        source: Provenance,
        match: MatchKind | None = None,
        stay: Stay | None = None,
        designation: RiskDesignation | None = None,
        contact: Contact | None = None,
        exposure_end: datetime | None = None,
    ) -> None:
        match = _optional(match, MatchKind, "match")
        stay = _optional(stay, Stay, "stay")
        designation = _optional(designation, RiskDesignation, "designation")
        contact = _optional(contact, Contact, "contact")
        exposure_end = _optional_aware(exposure_end, "exposure_end")
        of_stay = (match, stay, designation, exposure_end)
        if contact is None and None in of_stay:
            raise InvalidInput(
                "bad_reason", "stay", "a stay reason needs match, stay, designation and end"
            )
        if contact is not None and of_stay != (None, None, None, None):
            raise InvalidInput("bad_reason", "contact", "a contact reason has no stay fields")
        self.__attrs_init__(
            require_instance(category, Category, "category"),
            _clause(clause),
            require_instance(source, Provenance, "source"),
            match,
            stay,
            designation,
            contact,
            exposure_end,
        )

    def _policy_text(self, lang: str) -> str:
        src = self.source
        zh, en = _KIND_TEXT[src.kind]
        # Editions are written "中文 / English": each language shows its own half.
        parts = src.edition.split(" / ")
        if lang == "zh":
            return f"依据 {self.clause}（{parts[0]}，{zh}）判定为{label(self.category)}"
        return f"{self.clause} ({parts[-1]}, {en}): {label(self.category, 'en')}"

    def _exposure(self) -> tuple[Stay, RiskDesignation, MatchKind, datetime]:
        """The stay, designation, match and exposure end of a stay reason (not a contact's)."""
        stay, d, match, end = self.stay, self.designation, self.match, self.exposure_end
        if stay is None or d is None or match is None or end is None:  # pragma: no cover
            raise AssertionError("checked by the constructor: a stay reason has all four")
        return stay, d, match, end

    @property
    def zh(self) -> str:
        """The reason in Chinese."""
        if self.contact is not None:
            c = self.contact
            return f"{label(c.kind)}，末次暴露 {_fmt(c.last_exposure)}；{self._policy_text('zh')}"
        stay, d, match, end = self._exposure()
        lifted = f"，{_fmt(d.lifted_at)} 解除" if d.lifted_at is not None else ""
        return (
            f"{stay.place} 停留 {_fmt(stay.start)} 至 {_fmt(stay.end)}，"
            f"{label(match)}：{d.area} {label(d.level)}（{_fmt(d.raised_at)} 划定{lifted}），"
            f"暴露止于 {_fmt(end)}；{self._policy_text('zh')}"
        )

    @property
    def en(self) -> str:
        """The reason in English."""
        if self.contact is not None:
            c = self.contact
            return (
                f"{label(c.kind, 'en')}, last exposure {_fmt(c.last_exposure)}; "
                f"{self._policy_text('en')}"
            )
        stay, d, match, end = self._exposure()
        lifted = f", lifted {_fmt(d.lifted_at)}" if d.lifted_at is not None else ""
        return (
            f"stay at {stay.place} from {_fmt(stay.start)} to {_fmt(stay.end)}: "
            f"{label(match, 'en')} of {d.area}, {label(d.level, 'en')} "
            f"(raised {_fmt(d.raised_at)}{lifted}); exposure ended {_fmt(end)}; "
            f"{self._policy_text('en')}"
        )


class _Deferrable:
    """Where an assessment made by :func:`assess_many` keeps what it is built from (internal).

    The call's :class:`_Batch` and the person's history, until the plan,
    colour or reasons are first read (:func:`_finish`); ``None`` after.
    """

    __slots__ = ("_batch", "_history")


#: The fields an assessment made by :func:`assess_many` builds when one is first read.
_DEFERRED_FIELDS = frozenset({"plan", "code_color", "reasons"})


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class Assessment(_Deferrable, JsonMixin):
    """The outcome for one person as of ``as_of`` under the policy named ``policy``.

    ``reasons`` lists every qualifying exposure, most severe category first;
    ``category`` is that of the exposure governing the plan's strictest step
    (with no step remaining, the most severe category of the reasons).
    Checked on construction: each step of the plan must name one of the
    ``reasons`` (``out_of_range``), and ``policy``, a policy's name, keeps the
    text rules of an id (:func:`gridcare.text.check_text_of`).

    An assessment made by :func:`assess_many` builds its ``plan``,
    ``code_color`` and ``reasons`` when one of them is first read (a batch
    mostly reads categories): the value is the same either way, and equality,
    hashing, ``repr``, pickling and ``to_dict`` read them as any reader does.

    >>> from datetime import datetime
    >>> from gridcare.risk.presets import PRESETS
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> a = assess([], register=RiskRegister(), policy=PRESETS["ninth-edition"],
    ...            as_of=datetime(2022, 7, 1, tzinfo=CST))
    >>> a.category.value, a.plan, a.code_color.value, a.needs_verification, a.reasons
    ('none', None, 'green', False, ())
    >>> t = datetime(2022, 7, 1, 15, tzinfo=CST)
    >>> reg = RiskRegister([RiskDesignation("440304", "high", t - timedelta(days=3))])
    >>> stays = [Stay("440304", t - timedelta(hours=5), t)]
    >>> made = assess_many({"A": stays}, register=reg, policy=PRESETS["ninth-edition"], as_of=t)
    >>> made["A"].category.value  # found at once; the plan when read
    'high_risk_area'
    >>> made["A"] == assess(stays, register=reg, policy=PRESETS["ninth-edition"], as_of=t)
    True
    """

    category: Category
    plan: RiskPlan | None
    code_color: CodeColor
    needs_verification: bool
    reasons: tuple[RiskReason, ...]
    as_of: datetime
    policy: str

    def __init__(
        self,
        category: Category,
        plan: RiskPlan | None,
        code_color: CodeColor,
        needs_verification: bool,
        reasons: tuple[RiskReason, ...],
        as_of: datetime,
        policy: str,
    ) -> None:
        plan = _optional(plan, RiskPlan, "plan")
        reasons = _instances(reasons, RiskReason, "reasons")
        if plan is not None:
            for i, step in enumerate(plan.steps):
                if step.governed_by >= len(reasons):
                    raise InvalidInput(
                        "out_of_range",
                        f"plan.steps.{i}.governed_by",
                        f"names reason {step.governed_by} of {len(reasons)}",
                    )
        self.__attrs_init__(
            require_instance(category, Category, "category"),
            plan,
            require_instance(code_color, CodeColor, "code_color"),
            require_instance(needs_verification, bool, "needs_verification"),
            reasons,
            require_aware(as_of, "as_of"),
            # The policy's name: the text rules of an id, the quick test first.
            policy if is_plain(policy, _ID_LIMIT) else check_text_of(policy, "policy"),
        )

    if not TYPE_CHECKING:  # hidden from type checkers: they still refuse unknown attributes

        def __getattr__(self, name: str) -> object:
            # Python calls this only for an attribute that is not set: the plan, colour or
            # reasons of an assessment made by assess_many, before one of them is read.
            if name in _DEFERRED_FIELDS:
                _finish(self)
                return object.__getattribute__(self, name)
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute {name!r}", name=name, obj=self
            )

    @property
    def measure(self) -> MeasureKind | None:
        """The kind of the first remaining step, ``None`` without a plan."""
        return None if self.plan is None else self.plan.measure

    def governing(self, step: RiskStep) -> RiskReason:
        """The exposure governing a step of this assessment's plan (code ``not_in_plan`` if not).

        >>> from datetime import datetime
        >>> from gridcare.risk.presets import PRESETS
        >>> from gridcare.timeutil import DEFAULT_ZONE as CST
        >>> t = datetime(2022, 7, 1, 20, tzinfo=CST)
        >>> a = assess([], register=RiskRegister(), policy=PRESETS["ninth-edition"], as_of=t,
        ...            contacts=[Contact(kind="secondary", last_exposure=t - timedelta(days=2)),
        ...                      Contact(kind="close", last_exposure=t)])
        >>> [(s.kind.value, a.governing(s).category.value) for s in a.plan.steps]
        [('centralized_quarantine', 'close_contact'), ('home_health_monitoring', 'close_contact')]
        """
        require_instance(step, RiskStep, "step")
        if self.plan is None or step not in self.plan.steps:
            raise InvalidInput("not_in_plan", "step", "not a step of this assessment's plan")
        return self.reasons[step.governed_by]


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class MissedTest(JsonMixin):
    """A required test not taken in time: ``needed`` tests, ``taken`` found, due by ``deadline``.

    Checked on construction: ``needed`` from 1, ``taken`` from 0 to ``needed - 1``.

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> MissedTest(TestKind.SCHEDULED, datetime(2022, 7, 3, tzinfo=CST), date(2022, 7, 2)).needed
    1
    """

    kind: TestKind
    deadline: datetime
    day: date | None = None
    needed: int = 1
    taken: int = 0

    def __init__(
        self,
        kind: TestKind,
        deadline: datetime,
        day: date | None = None,
        needed: int = 1,
        taken: int = 0,
    ) -> None:
        needed = require_int(needed, "needed", low=1)
        self.__attrs_init__(
            require_instance(kind, TestKind, "kind"),
            require_aware(deadline, "deadline"),
            None if day is None else require_day(day, "day"),
            needed,
            require_int(taken, "taken", low=0, high=needed - 1),
        )


# ---------------------------------------------------------------------------- trusted builders
#
# The engine's own results, from values it has checked or computed: the attrs initializer
# without the constructors' checks (see ``_new``).


def _step(
    kind: MeasureKind,
    start: datetime,
    end: datetime | None,
    color: CodeColor,
    test_dates: tuple[date, ...],
    alternatives: tuple[MeasureKind, ...],
    green: bool,
    governed_by: int,
) -> RiskStep:
    return trusted(RiskStep, kind, start, end, color, test_dates, alternatives, green, governed_by)


def _moved(step: RiskStep, start: datetime, governed_by: int) -> RiskStep:
    """``step`` starting at ``start``, governed by the reason at ``governed_by``."""
    return _step(
        step.kind,
        start,
        step.end,
        step.code_color,
        step.test_dates,
        step.alternatives,
        step.green_after_tests,
        governed_by,
    )


def _window(
    kind: TestKind, start: datetime, end: datetime, count: int, min_gap: timedelta = _NO_TIME
) -> TestWindow:
    return trusted(TestWindow, kind, start, end, count, min_gap)


def _plan(
    category: Category,
    anchor_kind: Anchor,
    anchor: datetime,
    counted_from: datetime,
    steps: tuple[RiskStep, ...],
    test_dates: tuple[date, ...],
    windows: tuple[TestWindow, ...],
    green: bool,
    clause: str,
    zone_name: str,
) -> RiskPlan:
    return trusted(
        RiskPlan,
        category,
        anchor_kind,
        anchor,
        counted_from,
        steps,
        test_dates,
        windows,
        green,
        clause,
        zone_name,
    )


def _reason(
    category: Category,
    clause: str,
    source: Provenance,
    match: MatchKind | None,
    stay: Stay | None,
    designation: RiskDesignation | None,
    contact: Contact | None,
    end: datetime | None,
) -> RiskReason:
    return trusted(RiskReason, category, clause, source, match, stay, designation, contact, end)


def _assessment(
    category: Category,
    plan: RiskPlan | None,
    color: CodeColor,
    verify: bool,
    reasons: tuple[RiskReason, ...],
    as_of: datetime,
    policy: str,
) -> Assessment:
    return trusted(Assessment, category, plan, color, verify, reasons, as_of, policy)


def _deferred(category: Category, verify: bool, batch: _Batch, history: RiskHistory) -> Assessment:
    """An assessment whose plan, code colour and reasons are built when one is first read.

    Its other fields are set now; those three are left unset, so that reading
    one reaches :meth:`Assessment.__getattr__`, which calls :func:`_finish`.
    """
    made = object.__new__(Assessment)
    object.__setattr__(made, "category", category)
    object.__setattr__(made, "needs_verification", verify)
    object.__setattr__(made, "as_of", batch.as_of)
    object.__setattr__(made, "policy", batch.cp.name)
    object.__setattr__(made, "_batch", batch)
    object.__setattr__(made, "_history", history)
    return made


def _finish(assessment: Assessment) -> None:
    """Give a deferred assessment its plan, code colour and reasons, as :func:`_assess` does.

    The person's stays are scanned again, now for every reason (the first
    scan looked for the category only), and :func:`_built` gives the rest.
    Nothing to do once they are set (by an earlier read, or because the
    assessment was never deferred).
    """
    try:
        batch: _Batch | None = object.__getattribute__(assessment, "_batch")
        history: RiskHistory | None = object.__getattribute__(assessment, "_history")
    except AttributeError:  # never deferred: made by the constructor, or read from a pickle
        return
    if batch is None or history is None:
        return  # built by an earlier read
    hits, _, ref, counted_from = _scan_person(batch, history, every_reason=True)
    plan, color, reasons = _built(batch.cp, hits, ref, counted_from, batch.calendar, batch.as_of)
    object.__setattr__(assessment, "plan", plan)
    object.__setattr__(assessment, "code_color", color)
    object.__setattr__(assessment, "reasons", reasons)
    object.__setattr__(assessment, "_batch", None)
    object.__setattr__(assessment, "_history", None)


def _missed(
    kind: TestKind, deadline: datetime, day: date | None, needed: int = 1, taken: int = 0
) -> MissedTest:
    return trusted(MissedTest, kind, deadline, day, needed, taken)


# ---------------------------------------------------------------------------- day counting


def _own_plan(
    cp: CompiledPlan,
    anchor: datetime,
    a_date: date,
    counted_from: datetime,
    c_date: date,
    arrival: datetime,
    governed_by: int,
    midnights: Midnights,
    zone_name: str,
) -> RiskPlan | None:
    """What remains of one exposure's plan from ``counted_from`` on (see the module's rules).

    ``a_date`` (day 0) and ``c_date`` are the local dates of ``anchor`` and
    ``counted_from``. Every end is ``timeutil.midnight_after`` of day 0; every
    step is governed by the reason at ``governed_by``.
    """
    green = cp.green_after_tests
    steps: list[RiskStep] = []
    tests: list[date] = []
    start = anchor
    for cs in cp.steps:
        end = None
        if cs.end_day is not None:
            end = midnights.after(a_date, cs.end_day)
            if end <= counted_from:
                start = end
                continue
        mine = (
            tuple([d for d in [a_date + k for k in cs.test_offsets] if d >= c_date])
            if cs.test_offsets
            else ()
        )
        steps.append(
            _step(
                cs.kind,
                start if start > counted_from else counted_from,
                end,
                cs.color,
                mine,
                cs.alternatives,
                green,
                governed_by,
            )
        )
        if mine:
            tests.extend(mine)
        if end is None:
            break
        start = end
    windows = _own_windows(cp, anchor, a_date, counted_from, arrival, midnights)
    if not steps and not windows:
        return None
    return _plan(
        cp.category,
        cp.anchor,
        anchor,
        counted_from,
        tuple(steps),
        tuple(tests),
        tuple(windows),
        green,
        cp.clause,
        zone_name,
    )


def _own_windows(
    cp: CompiledPlan,
    anchor: datetime,
    a_date: date,
    counted_from: datetime,
    arrival: datetime,
    midnights: Midnights,
) -> list[TestWindow]:
    """The test windows of one exposure's plan still open at ``counted_from``."""
    windows: list[TestWindow] = []
    if cp.arrival_before is not None and arrival >= counted_from:
        windows.append(_window(TestKind.BEFORE_ARRIVAL, arrival - cp.arrival_before, arrival, 1))
    if cp.arrival_after is not None and arrival + cp.arrival_after >= counted_from:
        windows.append(_window(TestKind.AFTER_ARRIVAL, arrival, arrival + cp.arrival_after, 1))
    for count, within, gap in cp.requirements:
        w_end = midnights.after(a_date, within)
        if w_end >= counted_from:
            windows.append(_window(TestKind.WITHIN_WINDOW, anchor, w_end, count, gap))
    return windows


# ---------------------------------------------------------------------------- combination
#
# Every qualifying exposure has its own remaining plan (``_own_plan``); the person's plan
# is their combination (``_combine``), the one statement of the rule for every path: at
# every instant the strictest measure in force in any of them, the strictest colour, the
# union of the test dates and of the test windows. Adding an exposure adds a plan to
# combine, so it can never make any of these milder.

#: Measure kind -> rank; 0 is the strictest (the order of ``MeasureKind``).
_STRICTNESS: dict[MeasureKind, int] = {k: i for i, k in enumerate(MeasureKind)}
#: Code colour -> rank; 0 is the strictest (the order of ``CodeColor``).
_COLOR_RANK: dict[CodeColor, int] = {c: i for i, c in enumerate(CodeColor)}
_COLORS: tuple[CodeColor, ...] = tuple(CodeColor)
_GREEN_RANK = _COLOR_RANK[CodeColor.GREEN]
_YELLOW_RANK = _COLOR_RANK[CodeColor.YELLOW]


@attrs.define(field_transformer=masked_field_reprs)
class _Own:
    """One step of an exposure's own plan, ranked for the combination (internal).

    ``rank`` orders the steps that may govern the same instant: the stricter
    measure, then the stricter colour, then the more severe category (lower is
    stricter); a tie goes to the later end, then to the plan given first.
    """

    step: RiskStep
    plan: int
    rank: tuple[int, int, int]
    color: int
    lifts: bool  # a yellow from this step turns green after tests

    def outranks(self, other: _Own) -> bool:
        """Whether this step governs rather than ``other``, both in force at one instant."""
        if self.rank != other.rank:
            return self.rank < other.rank
        mine, theirs = self.step.end, other.step.end
        return theirs is not None and (mine is None or mine > theirs)


def _own_steps(plans: Sequence[RiskPlan]) -> list[list[_Own]]:
    """Each plan's steps, ranked once."""
    found: list[list[_Own]] = []
    for i, plan in enumerate(plans):
        mine: list[_Own] = []
        severity = SEVERITY[plan.category]
        for step in plan.steps:
            color = _COLOR_RANK[step.code_color]
            rank = (_STRICTNESS[step.kind], color, severity)
            mine.append(_Own(step, i, rank, color, step.green_after_tests))
        found.append(mine)
    return found


@attrs.define(field_transformer=masked_field_reprs)
class _Piece:
    """A stretch of the combined plan: one measure, colour and governing plan (internal)."""

    kind: MeasureKind
    start: datetime
    end: datetime | None
    color: CodeColor
    alternatives: tuple[MeasureKind, ...]
    green: bool
    owner: int  # index of the governing plan

    def ended_by(self, at: datetime) -> bool:
        """Whether the piece is over at ``at``."""
        return self.end is not None and self.end <= at

    def continues(self, other: _Piece) -> bool:
        """Whether ``other`` starts where this ends with the same measure, colour and owner."""
        return (
            self.end == other.start
            and self.kind is other.kind
            and self.color is other.color
            and self.alternatives == other.alternatives
            and self.green is other.green
            and self.owner == other.owner
        )


def _piece_at(
    owns: Sequence[Sequence[_Own]], at: datetime, until: datetime | None
) -> _Piece | None:
    """The combined measure on ``[at, until)``, where no plan's step starts or ends.

    The governing step is the strictest in force (:meth:`_Own.outranks`); the
    colour is the strictest of every plan's step in force or next to start
    (before a plan starts, its first step's colour already shows, as for a
    single plan); the alternatives are those every step of the governing kind
    in force allows; a yellow turns green after tests only if every plan
    giving yellow allows it.
    """
    best: _Own | None = None
    color = _GREEN_RANK
    yellow_lifts = True
    in_force: list[RiskStep] = []
    for steps in owns:
        current: _Own | None = None
        for own in steps:  # the step in force, else the next to start
            end = own.step.end
            if end is None or at < end:
                current = own
                break
        if current is None:
            continue
        if current.color < color:
            color = current.color
        if current.color == _YELLOW_RANK and not current.lifts:
            yellow_lifts = False
        if current.step.start <= at:
            in_force.append(current.step)
            if best is None or current.outranks(best):
                best = current
    if best is None:
        return None
    kind = best.step.kind
    allowed = [
        a
        for a in best.step.alternatives
        if all(a in s.alternatives for s in in_force if s.kind is kind)
    ]
    green = yellow_lifts and color == _YELLOW_RANK
    return _Piece(kind, at, until, _COLORS[color], tuple(allowed), green, best.plan)


def _strictest(pieces: Sequence[_Piece]) -> _Piece:
    """The first piece with the strictest measure, then the strictest colour."""
    best = pieces[0]
    for piece in pieces[1:]:
        rank, best_rank = _STRICTNESS[piece.kind], _STRICTNESS[best.kind]
        if rank < best_rank or (
            rank == best_rank and _COLOR_RANK[piece.color] < _COLOR_RANK[best.color]
        ):
            best = piece
    return best


def _bounds(plans: Sequence[RiskPlan]) -> list[datetime]:
    """Every instant a step of any plan starts or ends, in order, each once.

    Sorted then compared with its neighbour rather than put in a set: hashing
    an aware datetime asks its zone for the offset, comparing two of one zone
    does not.
    """
    found: list[datetime] = []
    for plan in plans:
        for step in plan.steps:
            found.append(step.start)
            if step.end is not None:
                found.append(step.end)
    found.sort()
    order: list[datetime] = []
    for at in found:
        if not order or order[-1] != at:
            order.append(at)
    return order


def _pieces(plans: Sequence[RiskPlan]) -> list[_Piece]:
    """The combined measures of several plans, in time order (the steps of :func:`_combine`).

    Cut wherever any plan's step starts or ends; each piece takes the
    strictest measure in force (:func:`_piece_at`), and neighbouring pieces
    with the same measure, colour and governing plan are one.
    """
    owns = _own_steps(plans)
    order = _bounds(plans)
    last = len(order) - 1
    pieces: list[_Piece] = []
    for i, at in enumerate(order):
        piece = _piece_at(owns, at, None if i == last else order[i + 1])
        if piece is None:
            continue
        if pieces and pieces[-1].continues(piece):
            pieces[-1].end = piece.end
        else:
            pieces.append(piece)
    return pieces


def _principal(plans: Sequence[RiskPlan], pieces: Sequence[_Piece]) -> RiskPlan:
    """The plan governing the strictest piece; the first (most severe) when no piece remains.

    The combined plan takes its category, anchor and clause.
    """
    return plans[_strictest(pieces).owner] if pieces else plans[0]


def _combine(plans: Sequence[RiskPlan], midnights: Midnights) -> RiskPlan:
    """The person's plan: the combination of every exposure's own remaining plan.

    The combination of one plan is that plan. Otherwise the steps are cut
    wherever any plan's step starts or ends; each piece takes the strictest
    measure in force (:func:`_piece_at`), and neighbouring pieces with the
    same measure, colour and governing exposure are one step. A time when no
    plan has a step in force (a declared exposure still to end after another
    plan is over) has no step. Test dates are the union, each held by the step
    in force when its day starts (or the next); windows are the union. The
    category, anchor and clause are those of the plan governing the strictest
    step (``plans`` are given most severe category first, which decides when
    no step remains).
    """
    if len(plans) == 1:
        return plans[0]
    pieces = _pieces(plans)
    test_dates = sorted({d for plan in plans for d in plan.test_dates})
    held: list[list[date]] = [[] for _ in pieces]
    k = 0
    for day in test_dates if pieces else ():
        day_starts = midnights.after(day, -1)
        while k < len(pieces) - 1 and pieces[k].ended_by(day_starts):
            k += 1
        held[k].append(day)
    steps = tuple(
        _step(
            p.kind,
            p.start,
            p.end,
            p.color,
            tuple(mine),
            p.alternatives,
            p.green,
            plans[p.owner].steps[0].governed_by,
        )
        for p, mine in zip(pieces, held, strict=True)
    )
    principal = _principal(plans, pieces)
    windows: list[TestWindow] = []
    for plan in plans:
        windows.extend(w for w in plan.windows if w not in windows)
    return _plan(
        principal.category,
        principal.anchor_kind,
        principal.anchor,
        principal.counted_from,
        steps,
        tuple(test_dates),
        tuple(windows),
        all(plan.green_after_tests for plan in plans),
        principal.clause,
        principal.zone_name,
    )


def _window_count(window: TestWindow, times: Sequence[datetime]) -> int:
    """Most tests in the window that are pairwise at least ``min_gap`` apart (greedy is optimal)."""
    taken = 0
    last: datetime | None = None
    for t in times:
        if t < window.start or t > window.end:
            continue
        if last is None or t - last >= window.min_gap:
            taken += 1
            last = t
    return taken


def _color(plan: RiskPlan | None, negatives: Sequence[datetime], at: datetime) -> CodeColor:
    if plan is None:
        return CodeColor.GREEN
    current: RiskStep | None = None
    for step in plan.steps:
        if step.end is None or at < step.end:
            current = step
            break
    if current is None:
        if plan.steps or not plan.green_after_tests:
            return CodeColor.GREEN
        color = CodeColor.YELLOW
        lifts = True  # the plan turns green after tests (checked just above)
    else:
        color = current.code_color
        lifts = current.green_after_tests
    if (
        color is CodeColor.YELLOW
        and lifts
        and all(_window_count(w, negatives) >= w.count for w in plan.windows)
    ):
        return CodeColor.GREEN
    return color


def _sorted_times(
    tests: Iterable[NatResult], as_of: datetime, negative_only: bool
) -> list[datetime]:
    return sorted(
        t.sampled_at for t in tests if t.sampled_at <= as_of and (t.negative or not negative_only)
    )


def _check_assessment(assessment: object) -> Assessment:
    if not isinstance(assessment, Assessment):
        raise InvalidInput(
            "not_assessment",
            "assessment",
            f"expected an Assessment, got {type(assessment).__name__}",
        )
    return assessment


def code_color(assessment: Assessment, tests: Iterable[NatResult], as_of: datetime) -> CodeColor:
    """The health code colour at ``as_of`` given the NAT results actually taken.

    The colour is that of the step in force (the first step before the plan
    starts, green after it ends). A yellow code turns green when the plan's
    category turns green after tests and every test window holds enough
    negative results sampled at or before ``as_of``. Red never turns green
    through tests.

    >>> from datetime import datetime
    >>> from gridcare.risk.presets import PRESETS
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> t = datetime(2022, 7, 1, 15, tzinfo=CST)
    >>> reg = RiskRegister([RiskDesignation("440304001", "high", t - timedelta(days=3))])
    >>> a = assess([Stay("440304002", t - timedelta(hours=5), t)], register=reg,
    ...            policy=PRESETS["ninth-edition"], as_of=t)
    >>> a.category.value, a.code_color.value
    ('low_risk_area', 'yellow')
    >>> tests = [NatResult(t + timedelta(hours=2)), NatResult(t + timedelta(hours=27))]
    >>> code_color(a, tests, t + timedelta(days=2)).value
    'green'
    """
    assessment = _check_assessment(assessment)
    require_aware(as_of, "as_of")
    results = _tuple_of(tests, NatResult, "tests")
    negatives = _sorted_times(results, as_of, True)  # type: ignore[arg-type]
    return _color(assessment.plan, negatives, as_of)


def missed_tests(
    assessment: Assessment, tests: Iterable[NatResult], as_of: datetime
) -> tuple[MissedTest, ...]:
    """Required tests missed or overdue as of ``as_of``.

    A scheduled test is missed when its local day is over with no test
    sampled that day; a window is overdue when it has closed without enough
    tests (any result counts as taken; the gap rule applies).

    >>> from datetime import datetime
    >>> from gridcare.risk.presets import PRESETS
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> t = datetime(2022, 7, 1, 15, tzinfo=CST)
    >>> reg = RiskRegister([RiskDesignation("440304", "high", t - timedelta(days=3))])
    >>> a = assess([Stay("440304", t - timedelta(hours=5), t)], register=reg,
    ...            policy=PRESETS["ninth-edition"], as_of=t)
    >>> [m.day.isoformat() for m in missed_tests(a, [], datetime(2022, 7, 4, 12, tzinfo=CST))]
    ['2022-07-02', '2022-07-03']
    """
    assessment = _check_assessment(assessment)
    require_aware(as_of, "as_of")
    results = _tuple_of(tests, NatResult, "tests")
    plan = assessment.plan
    if plan is None:
        return ()
    taken = _sorted_times(results, as_of, False)  # type: ignore[arg-type]
    zone_of = zone(plan.zone_name)
    days_taken = {local_date(t, zone_of) for t in taken}
    missed: list[MissedTest] = []
    for day in plan.test_dates:
        deadline = midnight_after(day, 0, zone_of)  # the end of the test's own day
        if deadline <= as_of and day not in days_taken:
            missed.append(_missed(TestKind.SCHEDULED, deadline, day))
    for w in plan.windows:
        if w.end < as_of:
            found = _window_count(w, taken)
            if found < w.count:
                missed.append(_missed(w.kind, w.end, None, w.count, found))
    return tuple(sorted(missed, key=lambda m: m.deadline))


# ---------------------------------------------------------------------------- assess


def _check_common(register: object, policy: object, as_of: object) -> CompiledPolicy:
    if not isinstance(register, RiskRegister):
        raise InvalidInput(
            "not_register", "register", f"expected a RiskRegister, got {type(register).__name__}"
        )
    checked = _check_policy(policy)
    require_aware(as_of, "as_of")
    return checked.compiled


def _check_policy(value: object, field: str = "policy") -> Policy:
    return require_instance(value, Policy, field, code="not_policy")


class _Hit(NamedTuple):
    """A qualifying exposure a person's scan found: what its reason is built from (internal).

    ``end`` is where the exposure ends (a contact's: its last exposure). The
    :class:`RiskReason` itself is built by :func:`_reason_of` when the reasons
    are read.
    """

    severity: int  # SEVERITY of the category: hits sort most severe first
    end: datetime
    category: Category
    clause: str
    source: Provenance
    match: MatchKind | None = None
    stay: Stay | None = None
    designation: RiskDesignation | None = None
    contact: Contact | None = None


def _severity_of(hit: _Hit) -> int:
    return hit.severity


def _reason_of(hit: _Hit) -> RiskReason:
    """The reason of one qualifying exposure: a stay's (with its exposure end) or a contact's."""
    end = hit.end if hit.contact is None else None
    return _reason(
        hit.category, hit.clause, hit.source, hit.match, hit.stay, hit.designation, hit.contact, end
    )


# ---------------------------------------------------------------------------- the two rules
#
# Exposure: a stay counts against a designation known at ``as_of`` where it overlaps
# ``[R - T days, L)``, and the exposure ends where that overlap ends (``_exposure``, from
# ``_known`` and the register's ``exposure_end``). Qualification: the exposure counts when
# the reference instant is at most the look-back after its end (``_qualifies``). Every path
# below, near or wide, one person or a batch, applies these functions and no other statement
# of them; ``_scan_is_over`` only says where a scan sorted by raise may stop.


def _known(designation: RiskDesignation, as_of: datetime) -> bool:
    """Whether ``designation`` is known at ``as_of``: raised then or before.

    A designation raised after ``as_of`` is ignored, so replaying an old
    ``as_of`` against today's register gives the answer known then.
    """
    return designation.raised_at <= as_of


def _exposure(
    stay: Stay, designation: RiskDesignation, as_of: datetime, trace_back: timedelta
) -> datetime | None:
    """The end of ``stay``'s exposure to ``designation`` as known at ``as_of``, or ``None``.

    The exposure-matching rule of every path: the designation must be known at
    ``as_of`` (:func:`_known`), and the stay must overlap its window
    ``[R - T, L)`` (:func:`~gridcare.risk.register.exposure_end`).
    """
    if not _known(designation, as_of):
        return None
    return trusted_exposure_end(stay, designation, trace_back)


def _qualifies(reference: datetime, end: datetime, look_back: timedelta) -> bool:
    """Whether an exposure ending at ``end`` counts at ``reference`` (arrival if known, else as_of).

    The qualification rule of every path: ``reference`` is at most the
    look-back after the exposure's end; exactly the look-back still counts.
    """
    return reference - end <= look_back


def _scan_is_over(
    designation: RiskDesignation, stay_end: datetime, as_of: datetime, trace_back: timedelta
) -> bool:
    """Whether neither ``designation`` nor any raised after it can count against the stay.

    True once it is not known at ``as_of`` or its window opens when the stay
    has ended: both hold for every later raise too, so a scan of a list
    sorted by ``raised_at`` stops there.
    """
    return not _known(designation, as_of) or trusted_opens_after(designation, stay_end, trace_back)


def _near(
    hits: list[_Hit],
    cp: CompiledPolicy,
    stay: Stay,
    reach: RiskReach,
    as_of: datetime,
    ref: datetime,
) -> bool:
    """Direct and possible matches of one stay: every qualifying exposure is a reason.

    Returns whether a possible exposure qualified (the person needs verification).
    """
    by_kind = cp.rules_by_kind
    trace_back = cp.trace_back
    look_back = cp.look_back
    verify = False
    for d, kind in reach.near:
        rule = by_kind[kind].get(d.level)
        if rule is None:
            continue
        end = _exposure(stay, d, as_of, trace_back)
        if end is None or not _qualifies(ref, end, look_back):
            continue
        if kind is MatchKind.POSSIBLE:
            verify = True
        category = rule.category
        hit = _Hit(SEVERITY[category], end, category, rule.clause, rule.source, kind, stay, d)
        hits.append(hit)
    return verify


def _wide(
    hits: list[_Hit],
    cp: CompiledPolicy,
    stay: Stay,
    reach: RiskReach,
    as_of: datetime,
    ref: datetime,
) -> None:
    """County and province matches of one stay: one exposure (one reason) per category.

    A stay elsewhere in a county or province holding several designations is
    one exposure of each category, cited with the designation whose overlap
    ends last (the county's when it ends as late as the province's). Each list
    is sorted by ``raised_at``, so a scan stops at the first designation
    after which none can count (:func:`_scan_is_over`), and as soon as every
    category of the kind has an exposure ending with the stay (none can end
    later).
    """
    look_back = cp.look_back
    trace_back = cp.trace_back
    s_end = stay.end
    best: dict[Category, _Hit] = {}  # per category: the exposure ending last so far
    settled: set[Category] = set()  # categories with an exposure ending with the stay
    for kind, designations in reach.wide:
        categories = cp.categories_by_kind[kind]
        if settled and settled >= categories:
            continue  # the county gave every category of the kind an exposure ending last
        by_level = cp.rules_by_kind[kind]
        for d in designations:
            rule = by_level.get(d.level)
            wanted = rule is not None and rule.category not in settled
            end = _exposure(stay, d, as_of, trace_back) if wanted else None
            if rule is None or end is None:
                # Only a designation with no exposure can be where the scan stops: an
                # exposure means it is known and opens before the stay ends.
                if _scan_is_over(d, s_end, as_of, trace_back):
                    break
                continue
            if not _qualifies(ref, end, look_back):
                continue
            category = rule.category
            prev = best.get(category)
            if prev is None or end > prev.end:
                best[category] = _Hit(
                    SEVERITY[category], end, category, rule.clause, rule.source, kind, stay, d
                )
                if end == s_end:
                    settled.add(category)
                    if settled >= categories:
                        break
    hits.extend(best.values())


def _contact_hits(
    hits: list[_Hit],
    cp: CompiledPolicy,
    contacts: tuple[Contact, ...],
    as_of: datetime,
    counted_from: datetime,
    midnights: Midnights,
) -> None:
    """Contacts the policy identifies, within the look-back of ``as_of`` or with a plan running."""
    tz = midnights.zone
    for contact in contacts:
        category = _CONTACT_CATEGORY[contact.kind]
        cplan = cp.plans.get(category)
        if cplan is None:
            continue  # the policy does not identify this kind of contact
        last = contact.last_exposure
        if not _qualifies(as_of, last, cp.look_back):
            # Past the look-back, a contact still counts while its plan is running.
            last_day = cplan.steps[-1].end_day
            if last_day is not None:
                ends = midnights.after(last.astimezone(tz).date(), last_day)
                if ends <= counted_from:
                    continue
        hits.append(
            _Hit(SEVERITY[category], last, category, cplan.clause, cplan.source, contact=contact)
        )


class _Exposure(NamedTuple):
    """A qualifying exposure with its own plan (internal).

    Its category, anchor and day 0 (the anchor's local date), and the index in
    the reasons of the first of its hits (the reason that governs its steps).
    """

    category: Category
    anchor: datetime
    day0: date
    first: int


@attrs.frozen(field_transformer=masked_field_reprs)
class _Template:
    """A combination already made in this call, for the next person with the same exposures.

    When every exposure's anchor is at or before the instant the plan is
    counted from, the combination depends only on each exposure's category and
    day 0 and on the local date counted from: every step starts at that
    instant or at a midnight. People sharing those share the steps (the first
    start is replaced when their instant differs, the governing index when
    their reasons list the exposures at other places) and the test dates; only
    the anchor, the test windows and the plan itself are their own.
    """

    steps: tuple[RiskStep, ...]
    test_dates: tuple[date, ...]
    principal: int  # the exposure governing the strictest step
    remaining: tuple[bool, ...]  # per exposure: whether any of its steps remains
    plans: tuple[CompiledPlan, ...]  # per exposure: its category's plan
    windowed: tuple[bool, ...]  # per exposure: whether its plan has test windows
    firsts: tuple[int, ...]  # per exposure: the reason its steps name (``governed_by``)


class _Calendar:
    """What one call of :func:`assess` or :func:`assess_many` remembers, and nothing longer.

    The midnights of the dates its plans ask for, each combination already
    made (:class:`_Template`), the category of each combination already found
    and the own plans its pieces were cut from. Created per call and passed
    down: nothing else shares it, and it goes with the last of the call's
    assessments still to be built (:class:`_Batch`).
    """

    __slots__ = ("categories", "midnights", "steps_of", "templates")

    def __init__(self, tz: tzinfo) -> None:
        self.midnights = Midnights(tz)
        self.templates: dict[tuple[object, ...], _Template] = {}
        #: The category of each combination (see :func:`_category`), by the key of its template.
        self.categories: dict[tuple[object, ...], Category] = {}
        #: Own plans with steps, for the pieces of combinations (see :func:`_own_plans`).
        self.steps_of: dict[tuple[Category, date, datetime], RiskPlan] = {}


def _exposures(
    cp: CompiledPolicy, hits: Sequence[_Hit], ref: datetime, tz: tzinfo
) -> list[_Exposure]:
    """One :class:`_Exposure` per (category, anchor), in the order of ``hits``.

    Area plans counted from the arrival (``cp.from_arrival``) are anchored at
    ``ref``; the others at the exposure's end (a contact's last exposure).
    Exposures of one category with the same anchor have the same plan,
    governed by the first of them. A list, not a dict: hashing an aware
    datetime asks its zone for the offset.
    """
    from_arrival = cp.from_arrival
    if len(hits) == 1:  # most people
        hit = hits[0]
        anchor = ref if hit.category in from_arrival else hit.end
        return [_Exposure(hit.category, anchor, anchor.astimezone(tz).date(), 0)]
    found: list[_Exposure] = []
    seen: list[tuple[Category, datetime]] = []
    for index, hit in enumerate(hits):
        category = hit.category
        anchor = ref if category in from_arrival else hit.end
        pair = (category, anchor)
        if pair not in seen:  # equal anchors compare without a zone lookup
            seen.append(pair)
            found.append(_Exposure(category, anchor, anchor.astimezone(tz).date(), index))
    return found


def _template_key(
    c_date: date, exposures: Sequence[_Exposure], counted_from: datetime
) -> tuple[object, ...] | None:
    """What a combination depends on: the date counted from, each category and day 0.

    ``None`` when an exposure's plan counts from after ``counted_from`` (a
    declared exposure still to end): its first step starts at its own anchor.
    """
    key: list[object] = [c_date]
    for e in exposures:
        if e.anchor > counted_from:
            return None
        key += (e.category, e.day0)
    return tuple(key)


class _Made(NamedTuple):
    """A person's exposures and the combination of them already made in this call (internal)."""

    exposures: list[_Exposure]
    c_date: date  # the local date the plan is counted from
    key: tuple[object, ...] | None  # see _template_key
    template: _Template | None  # None: not made yet, or not shareable (key None)


def _combination_made(
    cp: CompiledPolicy,
    hits: Sequence[_Hit],
    ref: datetime,
    counted_from: datetime,
    calendar: _Calendar,
) -> _Made:
    """The exposures of ``hits`` and the template this call made for the same combination.

    People with the same exposures (category and day 0) counted from the same
    date share the steps of the first of them: one exposure's plan (its own
    combination) or several.
    """
    tz = calendar.midnights.zone
    c_date = counted_from.astimezone(tz).date()
    exposures = _exposures(cp, hits, ref, tz)
    key = _template_key(c_date, exposures, counted_from)
    template = None if key is None else calendar.templates.get(key)
    return _Made(exposures, c_date, key, template)


def _person_plan(
    cp: CompiledPolicy,
    hits: Sequence[_Hit],
    ref: datetime,
    counted_from: datetime,
    calendar: _Calendar,
    made: _Made | None = None,
) -> RiskPlan | None:
    """The combination of the own plans of every qualifying exposure (``hits``, most severe first).

    Builds each exposure's own plan (:func:`_own_plan`) and combines them
    (:func:`_combine`); the combination of one plan is that plan. When the
    exposures repeat a combination already made in this call
    (:class:`_Template`), its steps are shared. ``made`` is what
    :func:`_combination_made` found for these hits, when the caller has it.
    """
    if made is None:
        made = _combination_made(cp, hits, ref, counted_from, calendar)
    if made.template is not None:
        return _from_template(
            cp, made.template, made.exposures, counted_from, ref, calendar.midnights
        )
    plans = _own_plans(cp, made, ref, counted_from, calendar.midnights)
    if not plans:
        return None
    combined = _combine(plans, calendar.midnights)
    if made.key is not None and combined.steps:
        calendar.templates[made.key] = _template_of(cp, combined, made.exposures, plans)
    return combined


def _own_plans(
    cp: CompiledPolicy,
    made: _Made,
    ref: datetime,
    counted_from: datetime,
    midnights: Midnights,
    steps_of: dict[tuple[Category, date, datetime], RiskPlan] | None = None,
) -> list[RiskPlan]:
    """The own remaining plan of each exposure (:func:`_own_plan`), leaving out those over.

    ``steps_of``, for a caller that reads only the plans' steps (the pieces of
    a combination, :func:`_category`) of a shareable combination (every anchor
    at or before ``counted_from``): then a plan's steps depend only on its
    category, day 0 and ``counted_from`` (the premise of :class:`_Template`),
    and a plan with steps made for an earlier exposure with those three serves
    again (its anchor, windows and governing index are another person's). A
    plan without steps exists or not by its windows, the person's own: it is
    made each time.
    """
    plans: list[RiskPlan] = []
    for e in made.exposures:
        key = (e.category, e.day0, counted_from)
        plan = None if steps_of is None else steps_of.get(key)
        if plan is None:
            plan = _own_plan(
                cp.plans[e.category],
                e.anchor,
                e.day0,
                counted_from,
                made.c_date,
                ref,
                e.first,
                midnights,
                cp.zone_name,
            )
            if steps_of is not None and plan is not None and plan.steps:
                steps_of[key] = plan
        if plan is not None:
            plans.append(plan)
    return plans


def _template_of(
    cp: CompiledPolicy,
    combined: RiskPlan,
    exposures: Sequence[_Exposure],
    plans: Sequence[RiskPlan],
) -> _Template:
    """What the next people with the same exposures can share of a combined plan."""
    with_steps = {p.steps[0].governed_by for p in plans if p.steps}
    remaining = tuple(e.first in with_steps for e in exposures)
    # The combined plan carries the category and anchor of the exposure governing its
    # strictest step; exposures are one per (category, anchor).
    principal = next(
        i
        for i, e in enumerate(exposures)
        if e.category is combined.category and e.anchor == combined.anchor
    )
    compiled = tuple(cp.plans[e.category] for e in exposures)
    windowed = tuple(
        bool(c.requirements) or c.arrival_before is not None or c.arrival_after is not None
        for c in compiled
    )
    firsts = tuple(e.first for e in exposures)
    return _Template(
        combined.steps, combined.test_dates, principal, remaining, compiled, windowed, firsts
    )


def _from_template(
    cp: CompiledPolicy,
    template: _Template,
    exposures: Sequence[_Exposure],
    counted_from: datetime,
    ref: datetime,
    midnights: Midnights,
) -> RiskPlan:
    """The combined plan of these exposures, from the template of the same combination.

    What :func:`_combine` gives: the template's steps (the first starts at this
    person's ``counted_from``) and test dates, and the union of the test
    windows of every exposure whose plan remains.
    """
    steps = template.steps
    if len(exposures) > 1:  # one exposure is always the first reason
        firsts = tuple([e.first for e in exposures])
        if firsts != template.firsts:  # the same exposures, listed after other reasons
            renumbered = dict(zip(template.firsts, firsts, strict=True))
            steps = tuple(_moved(s, s.start, renumbered[s.governed_by]) for s in steps)
    first = steps[0]
    # This person's instant as given: an equal instant in another zone writes otherwise.
    if first.start != counted_from or first.start.tzinfo is not counted_from.tzinfo:
        steps = (_moved(first, counted_from, first.governed_by), *steps[1:])
    windows: list[TestWindow] = []
    green_after_tests = True
    for e, remains, cplan, windowed in zip(
        exposures, template.remaining, template.plans, template.windowed, strict=True
    ):
        mine = (
            _own_windows(cplan, e.anchor, e.day0, counted_from, ref, midnights) if windowed else ()
        )
        if remains or mine:
            green_after_tests = green_after_tests and cplan.green_after_tests
        for w in mine:
            if w not in windows:
                windows.append(w)
    principal = exposures[template.principal]
    cplan = template.plans[template.principal]
    return _plan(
        principal.category,
        cplan.anchor,
        principal.anchor,
        counted_from,
        steps,
        template.test_dates,
        tuple(windows),
        green_after_tests,
        cplan.clause,
        cp.zone_name,
    )


def _reference(as_of: datetime, arrived_at: datetime | None) -> tuple[datetime, datetime]:
    """The reference instant (arrival if known, else ``as_of``) and the instant counted from.

    The plan is counted from ``max(as_of, arrived_at)``: what remains from the
    assessment on, or from an arrival still to come.
    """
    ref = as_of if arrived_at is None else arrived_at
    return ref, as_of if arrived_at is None or arrived_at < as_of else arrived_at


def _scan(
    cp: CompiledPolicy,
    register: RiskRegister,
    stays: tuple[Stay, ...],
    contacts: tuple[Contact, ...],
    as_of: datetime,
    ref: datetime,
    counted_from: datetime,
    midnights: Midnights,
    every_reason: bool,
) -> tuple[list[_Hit], bool]:
    """One person's qualifying exposures, most severe first, and whether one was possible.

    A qualifying possible exposure means the person needs verification. With
    ``every_reason`` false (only the category is wanted yet), a stay's county
    and province matches are not looked for when they could only repeat
    exposures already found (:func:`_repeats_exposures`): they would add
    reasons, but no exposure, so neither the category nor the verification
    changes.
    """
    hits: list[_Hit] = []
    verify = False
    kinds = cp.kinds
    look_back = cp.look_back
    for stay in stays:
        # No exposure ends after its stay does: when even the stay's end does not
        # qualify, none of its exposures does, and its place is not looked up.
        if not _qualifies(ref, stay.end, look_back):
            continue
        reach = register.reach(stay.place, kinds)
        if reach.near and _near(hits, cp, stay, reach, as_of, ref):
            verify = True
        if reach.wide and (every_reason or not (hits and _repeats_exposures(cp, reach, hits))):
            _wide(hits, cp, stay, reach, as_of, ref)
    if contacts:
        _contact_hits(hits, cp, contacts, as_of, counted_from, midnights)
    if len(hits) > 1:
        hits.sort(key=_severity_of)
    return hits, verify


def _repeats_exposures(cp: CompiledPolicy, reach: RiskReach, hits: Sequence[_Hit]) -> bool:
    """Whether a stay's county and province matches could only repeat exposures in ``hits``.

    So when every category those matches can give is counted from arrival
    (all its exposures have one anchor, :func:`_exposures`) and already held.
    """
    for kind, _ in reach.wide:
        for category in cp.categories_by_kind[kind]:
            if category not in cp.from_arrival:
                return False
            for hit in hits:
                if hit.category is category:
                    break
            else:
                return False
    return True


def _category(
    cp: CompiledPolicy,
    hits: Sequence[_Hit],
    ref: datetime,
    counted_from: datetime,
    calendar: _Calendar,
    made: _Made | None = None,
) -> Category:
    """The category: that of the exposure governing the plan's strictest step.

    With no step remaining, the most severe category of the reasons (it still
    says what the history was). Found without building the person's plan
    where the rule allows: when every reason is of one category, that is the
    category whichever exposure governs; when the person's exposures repeat a
    combination already made or met in this call, its template or its
    remembered category says. Otherwise the plan is built only as far as the
    category needs (the pieces of :func:`_combine`, :func:`_principal`), and
    the category remembered for the next people with the same exposures when
    a step remains (as a template is). ``made`` is what :func:`_combination_made`
    found for these hits, when the caller has it.
    """
    first = hits[0].category
    for hit in hits:
        if hit.category is not first:
            break
    else:
        return first
    if made is None:
        made = _combination_made(cp, hits, ref, counted_from, calendar)
    # The template may be newer than ``made`` (the caller built the plan since).
    template = None if made.key is None else calendar.templates.get(made.key)
    if template is not None:
        return made.exposures[template.principal].category
    known = None if made.key is None else calendar.categories.get(made.key)
    if known is not None:
        return known
    # The plan only as far as the category needs it: the exposures' own plans and the
    # pieces of their combination, not its steps, test dates and windows.
    steps_of = None if made.key is None else calendar.steps_of
    plans = _own_plans(cp, made, ref, counted_from, calendar.midnights, steps_of)
    pieces = _pieces(plans)
    category = _principal(plans, pieces).category if plans else first
    if made.key is not None and pieces:
        # Shared as a template is (:func:`_person_plan`): only with a step left. With
        # none, which plans remain depends on each person's test windows.
        calendar.categories[made.key] = category
    return category


def _assess(
    cp: CompiledPolicy,
    register: RiskRegister,
    stays: tuple[Stay, ...],
    as_of: datetime,
    arrived_at: datetime | None,
    contacts: tuple[Contact, ...],
    calendar: _Calendar,
    nothing: Assessment | None = None,
) -> Assessment:
    """One person's whole assessment: the path of :func:`assess`.

    :func:`assess_many` takes the same steps in two halves: the scan, the
    category and ``needs_verification`` at once (:func:`_assess_later`), the
    scan again and the rest (:func:`_built`) when a plan, colour or reasons
    are first read (:func:`_finish`). With no qualifying exposure: ``nothing``
    when given (a batch shares one).
    """
    ref, counted_from = _reference(as_of, arrived_at)
    hits, verify = _scan(
        cp, register, stays, contacts, as_of, ref, counted_from, calendar.midnights, True
    )
    if not hits:
        if nothing is not None:
            return nothing
        return _assessment(Category.NONE, None, CodeColor.GREEN, False, (), as_of, cp.name)
    # The plan first: the combination it makes (a template) then gives the category.
    made = _combination_made(cp, hits, ref, counted_from, calendar)
    plan, color, reasons = _built(cp, hits, ref, counted_from, calendar, as_of, made)
    category = _category(cp, hits, ref, counted_from, calendar, made)
    return _assessment(category, plan, color, verify, reasons, as_of, cp.name)


def _built(
    cp: CompiledPolicy,
    hits: Sequence[_Hit],
    ref: datetime,
    counted_from: datetime,
    calendar: _Calendar,
    as_of: datetime,
    made: _Made | None = None,
) -> tuple[RiskPlan | None, CodeColor, tuple[RiskReason, ...]]:
    """The plan of a person's qualifying exposures, its code colour at ``as_of``, the reasons.

    The colour is the one before any test is taken (:func:`code_color` with no
    results); ``made`` as for :func:`_person_plan`.
    """
    plan = _person_plan(cp, hits, ref, counted_from, calendar, made)
    reasons = tuple([_reason_of(hit) for hit in hits])
    return plan, _color(plan, (), as_of), reasons


class _Batch(NamedTuple):
    """What every person of one :func:`assess_many` call shares (internal)."""

    cp: CompiledPolicy
    register: RiskRegister
    as_of: datetime
    calendar: _Calendar
    nothing: Assessment  # the assessment of everyone with no qualifying exposure


def _assess_now(batch: _Batch, history: RiskHistory) -> Assessment:
    """One person's whole assessment in a batch (:func:`_assess`)."""
    return _assess(
        batch.cp,
        batch.register,
        history.stays,
        batch.as_of,
        history.arrived_at,
        history.contacts,
        batch.calendar,
        batch.nothing,
    )


def _assess_later(batch: _Batch, history: RiskHistory) -> Assessment:
    """One person's assessment in :func:`assess_many`: what a batch mostly reads, now.

    The scan (for the category only), the category and ``needs_verification``
    are done now, by the functions :func:`_assess` calls; the plan, code
    colour and reasons when one of them is first read (:func:`_deferred`,
    :func:`_finish`). Everyone with no qualifying exposure shares
    ``batch.nothing``.
    """
    # The category alone: the reasons wait until read.
    hits, verify, ref, counted_from = _scan_person(batch, history, every_reason=False)
    if not hits:
        return batch.nothing
    category = _category(batch.cp, hits, ref, counted_from, batch.calendar)
    return _deferred(category, verify, batch, history)


def _scan_person(
    batch: _Batch, history: RiskHistory, *, every_reason: bool
) -> tuple[list[_Hit], bool, datetime, datetime]:
    """:func:`_scan` of one person's history within a batch, with the reference day and
    instant the plans count from (``every_reason`` False: as far as the category needs)."""
    ref, counted_from = _reference(batch.as_of, history.arrived_at)
    hits, verify = _scan(
        batch.cp,
        batch.register,
        history.stays,
        history.contacts,
        batch.as_of,
        ref,
        counted_from,
        batch.calendar.midnights,
        every_reason,
    )
    return hits, verify, ref, counted_from


def assess(
    stays: Iterable[Stay],
    *,
    register: RiskRegister,
    policy: Policy,
    as_of: datetime,
    arrived_at: datetime | None = None,
    contacts: Iterable[Contact] = (),
) -> Assessment:
    """Assess one person's stays and contacts against a register under a policy, as of ``as_of``.

    ``arrived_at`` (when known) is the reference instant for the look-back and
    the anchor of arrival-based plans; without it ``as_of`` is used. Raises
    :class:`~gridcare.errors.InvalidInput` for bad arguments.

    >>> from datetime import datetime
    >>> from gridcare.risk.presets import PRESETS
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> t = datetime(2022, 3, 20, 10, tzinfo=CST)
    >>> gd = RiskDesignation("440000", "affected", datetime(2022, 3, 1, tzinfo=CST))
    >>> reg = RiskRegister([gd])
    >>> a = assess([Stay("440304", t - timedelta(days=3), t - timedelta(hours=6))],
    ...            register=reg, policy=PRESETS["hunan-2022-03"], as_of=t, arrived_at=t)
    >>> a.category.value, a.plan.measure.value, a.plan.end.isoformat()
    ('affected_area', 'self_health_monitoring', '2022-04-04T00:00:00+08:00')
    >>> [w.kind.value for w in a.plan.windows]
    ['before_arrival', 'after_arrival']
    """
    cp = _check_common(register, policy, as_of)
    arrived = _optional_aware(arrived_at, "arrived_at")
    calendar = _Calendar(cp.tz)
    return _assess(cp, register, _stays(stays), as_of, arrived, _contacts(contacts), calendar)


def _history(value: object, key: object) -> RiskHistory:
    if isinstance(value, RiskHistory):
        return value
    # The key shown as any error shows a value: masked, bounded, never rendered in full.
    return RiskHistory(_stays(value, f"histories[{safe_value(key)!r}]"))


def assess_many(
    histories: Mapping[K, RiskHistory | Sequence[Stay]],
    *,
    register: RiskRegister,
    policy: Policy,
    as_of: datetime,
    progress: Progress | None = None,
) -> dict[K, Assessment]:
    """Assess many people sharing one register index and one compiled policy.

    ``histories`` maps a key (a declaration id, say) to a :class:`RiskHistory` or
    a plain sequence of stays. ``progress(done, total)`` is called at most
    about a hundred times, the last time with ``done == total``.

    >>> from datetime import datetime
    >>> from gridcare.risk.presets import PRESETS
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> t = datetime(2022, 7, 1, 15, tzinfo=CST)
    >>> reg = RiskRegister([RiskDesignation("440304", "high", t - timedelta(days=3))])
    >>> out = assess_many({"A": [Stay("440304", t - timedelta(hours=5), t)], "B": []},
    ...                   register=reg, policy=PRESETS["ninth-edition"], as_of=t)
    >>> {k: a.category.value for k, a in out.items()}
    {'A': 'high_risk_area', 'B': 'none'}
    """
    return _assess_all(histories, register, policy, as_of, progress, later=True)


def _assess_all(
    histories: Mapping[K, RiskHistory | Sequence[Stay]],
    register: RiskRegister,
    policy: Policy,
    as_of: datetime,
    progress: Progress | None,
    *,
    later: bool,
) -> dict[K, Assessment]:
    """:func:`assess_many`; with ``later`` false every assessment is built whole at once.

    For callers that read every plan (:func:`compare_policies`): building at
    once spares the second scan a deferred assessment makes when read.
    """
    cp = _check_common(register, policy, as_of)
    if not isinstance(histories, Mapping):
        raise InvalidInput(
            "not_mapping", "histories", f"expected a mapping, got {type(histories).__name__}"
        )
    if progress is not None and not callable(progress):
        raise InvalidInput("not_callable", "progress", "progress must be callable")
    histories = read_mapping(histories, "histories")
    nothing = _assessment(Category.NONE, None, CodeColor.GREEN, False, (), as_of, cp.name)
    # This call's memo (_Calendar): every person here shares it.
    batch = _Batch(cp, register, as_of, _Calendar(cp.tz), nothing)
    total = len(histories)
    every = max(1, -(-total // 100))  # at most 100 calls, then the last
    out: dict[K, Assessment] = {}
    for done, (key, value) in enumerate(histories.items(), start=1):
        h = value if type(value) is RiskHistory else _history(value, key)
        out[key] = _assess_later(batch, h) if later else _assess_now(batch, h)
        if progress is not None and done % every == 0 and done != total:
            progress(done, total)
    if progress is not None:
        progress(total, total)
    return out


# ---------------------------------------------------------------------------- comparisons


@attrs.frozen(field_transformer=masked_field_reprs)
class PolicyComparison(Generic[K]):
    """How people move between categories and measures from one policy to another.

    ``moved`` maps each person whose category or measure changed to the
    (old, new) assessments; the counters count those moves only. The
    constructor checks each part (``not_integer``, ``negative``,
    ``out_of_range``, ``not_mapping``, ``bad_move``), and that ``moved`` holds
    ``total - unchanged`` people.

    >>> PolicyComparison(0, 0, Counter(), Counter(), {}).moved_count
    0
    >>> PolicyComparison(3, 1, Counter(), Counter(), {})
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: moved: expected total - unchanged = 2 people, got 0 [out_of_range]
    """

    total: int
    unchanged: int
    category_moves: Mapping[tuple[Category, Category], int]
    measure_moves: Mapping[tuple[MeasureKind | None, MeasureKind | None], int]
    moved: Mapping[K, tuple[Assessment, Assessment]]

    def __attrs_post_init__(self) -> None:
        total = require_int(self.total, "total", low=0)
        unchanged = require_int(self.unchanged, "unchanged", low=0, high=total)
        _check_moves(self.category_moves, "category_moves", (Category,))
        _check_moves(self.measure_moves, "measure_moves", (MeasureKind, type(None)))
        moved = self.moved
        if not isinstance(moved, Mapping):
            raise InvalidInput(
                "not_mapping", "moved", f"expected a mapping, got {type(moved).__name__}"
            )
        moved = read_mapping(moved, "moved")
        if len(moved) != total - unchanged:
            raise InvalidInput(
                "out_of_range",
                "moved",
                f"expected total - unchanged = {total - unchanged} people, got {len(moved)}",
            )
        for pair in moved.values():
            if not (isinstance(pair, tuple) and len(pair) == 2) or not all(
                isinstance(a, Assessment) for a in pair
            ):
                raise InvalidInput("bad_move", "moved", "expected (Assessment, Assessment) pairs")

    @property
    def moved_count(self) -> int:
        """How many people changed category or measure."""
        return len(self.moved)


def _check_moves(moves: object, field: str, kinds: tuple[type, ...]) -> None:
    """A counter of (old, new) moves: pairs of ``kinds`` to whole numbers from 1."""
    if not isinstance(moves, Mapping):
        raise InvalidInput("not_mapping", field, f"expected a mapping, got {type(moves).__name__}")
    for pair, count in read_mapping(moves, field).items():
        if not (isinstance(pair, tuple) and len(pair) == 2) or not all(
            isinstance(k, kinds) for k in pair
        ):
            raise InvalidInput("bad_move", field, "expected (old, new) pairs as keys")
        require_int(count, field, low=1)


def compare_policies(
    histories: Mapping[K, RiskHistory | Sequence[Stay]],
    old: Policy,
    new: Policy,
    as_of: datetime,
    *,
    register: RiskRegister,
    progress: Progress | None = None,
) -> PolicyComparison[K]:
    """Assess everyone under ``old`` and ``new``; report who moves between categories and measures.

    >>> from datetime import datetime
    >>> from gridcare.risk.presets import PRESETS
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> t = datetime(2022, 11, 12, 15, tzinfo=CST)
    >>> reg = RiskRegister([RiskDesignation("440304", "medium", t - timedelta(days=3))])
    >>> cmp = compare_policies({"A": [Stay("440304", t - timedelta(hours=5), t)]},
    ...                        PRESETS["ninth-edition"], PRESETS["twenty-measures"], t,
    ...                        register=reg)
    >>> {(a.value, b.value): n for (a, b), n in cmp.category_moves.items()}
    {('medium_risk_area', 'none'): 1}
    """
    _check_policy(old, "old")
    _check_policy(new, "new")
    # Every plan is read below (the measures), so each is built at once.
    before = _assess_all(histories, register, old, as_of, progress, later=False)
    after = _assess_all(histories, register, new, as_of, progress, later=False)
    categories: Counter[tuple[Category, Category]] = Counter()
    measures: Counter[tuple[MeasureKind | None, MeasureKind | None]] = Counter()
    moved: dict[K, tuple[Assessment, Assessment]] = {}
    for key, a in before.items():
        b = after[key]
        if a.category is not b.category or a.measure is not b.measure:
            moved[key] = (a, b)
            if a.category is not b.category:
                categories[(a.category, b.category)] += 1
            if a.measure is not b.measure:
                measures[(a.measure, b.measure)] += 1
    return PolicyComparison(
        len(before), len(before) - len(moved), dict(categories), dict(measures), moved
    )


def needs_reassessment(
    changes: RegisterDiff,
    histories: Mapping[K, RiskHistory | Sequence[Stay]],
    *,
    policy: Policy,
) -> tuple[K, ...]:
    """The people whose assessment may change because of a register diff.

    Everyone with a stay that matches (by a kind the policy has rules for) a
    changed designation, old or new version, in its trace-back window. It may
    select too many (look-back is ignored) but never too few.

    >>> from datetime import datetime
    >>> from gridcare.risk.presets import PRESETS
    >>> from gridcare.risk.register import diff
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> t = datetime(2022, 7, 8, tzinfo=CST)
    >>> old = RiskRegister([RiskDesignation("440304", "high", t)])
    >>> new = RiskRegister([RiskDesignation("440304", "high", t - timedelta(days=3))])
    >>> people = {"A": [Stay("440304", t - timedelta(days=9), t - timedelta(days=8))], "B": []}
    >>> needs_reassessment(diff(old, new), people, policy=PRESETS["ninth-edition"])
    ('A',)
    """
    if not isinstance(changes, RegisterDiff):
        raise InvalidInput(
            "not_diff", "changes", f"expected a RegisterDiff, got {type(changes).__name__}"
        )
    _check_policy(policy)
    if not isinstance(histories, Mapping):
        raise InvalidInput(
            "not_mapping", "histories", f"expected a mapping, got {type(histories).__name__}"
        )
    kinds = {match for match, _ in policy.compiled.rules}
    out: list[K] = []
    for key, value in histories.items():
        h = _history(value, key)
        if changes.affects(h.stays, trace_back_days=policy.trace_back_days, kinds=kinds):
            out.append(key)
    return tuple(out)
