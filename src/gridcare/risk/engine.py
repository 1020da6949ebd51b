"""The engine: from a person's stays and contacts to a category, a plan, a code colour and reasons.

Rules this module obeys (docs/risk.md, "The engine"), each stated in one
function that :func:`assess` and :func:`assess_many` share (they run the same
per-person code):

* exposure: a stay counts against a designation where it overlaps
  ``[R - T days, L)``, and the exposure ends where the overlap ends
  (:func:`~gridcare.risk.register.exposure_end`); designations raised after
  ``as_of`` are not yet known and are ignored;
* qualification: an exposure counts when the reference instant (arrival if
  known, else ``as_of``) is at most the look-back window after its end
  (exactly the window still qualifies);
* the most severe qualifying category wins, every qualifying exposure is a
  reason, and any qualifying *possible* exposure sets ``needs_verification``;
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
from enum import StrEnum
from typing import Generic, TypeVar

import attrs

from gridcare.errors import InvalidInput
from gridcare.labels import label
from gridcare.risk.policy import (
    SEVERITY,
    Anchor,
    Category,
    CodeColor,
    CompiledPlan,
    CompiledPolicy,
    CompiledRule,
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
    exposure_end,
    opens_after,
)
from gridcare.timeutil import local_date, midnight_after, require_aware, zone

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

Progress = Callable[[int, int], None]


class ContactKind(StrEnum):
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


class TestKind(StrEnum):
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
    try:
        return ContactKind(str(value))
    except ValueError:
        raise InvalidInput(
            "unknown_contact_kind", "kind", f"expected close or secondary, got {value!r}"
        ) from None


@attrs.frozen
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


@attrs.frozen
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
                "not_bool", "negative", f"expected True or False, got {self.negative!r}"
            )


def _tuple_of(items: object, kind: type, field: str) -> tuple[object, ...]:
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise InvalidInput(
            "not_sequence", field, f"expected a sequence of {kind.__name__}, got {items!r}"
        )
    found = tuple(items)
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


@attrs.frozen
class RiskHistory:
    """One person's input to :func:`assess_many`: stays, arrival and contacts.

    >>> RiskHistory(()).arrived_at is None
    True
    """

    stays: tuple[Stay, ...] = attrs.field(converter=_stays)
    arrived_at: datetime | None = attrs.field(default=None, converter=_arrived_at)
    contacts: tuple[Contact, ...] = attrs.field(default=(), converter=_contacts)


# ---------------------------------------------------------------------------- plan values


@attrs.frozen
class RiskStep:
    """One measure in force from ``start`` until ``end`` (exclusive; ``None`` = open-ended).

    ``test_dates`` are the local dates of this step's tests; ``alternatives``
    are kinds local authorities may choose instead.

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

    def in_force(self, at: datetime) -> bool:
        """Whether ``start <= at < end``."""
        return self.start <= at and (self.end is None or at < self.end)


@attrs.frozen
class TestWindow:
    """``count`` tests sampled in ``[start, end]`` (both inclusive), at least ``min_gap`` apart.

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


@attrs.frozen
class RiskPlan:
    """The measures that remain for a person: chained steps, test dates and test windows.

    ``anchor`` is the instant day 0 is counted from (``anchor_kind`` says
    which); ``counted_from`` is the instant the remaining plan starts at
    (``max(as_of, arrived_at)``); ``clause`` names the policy's plan.

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

    @property
    def end(self) -> datetime | None:
        """When the last step ends (``None`` if open-ended or there are no steps)."""
        return self.steps[-1].end if self.steps else None

    @property
    def measure(self) -> MeasureKind | None:
        """The kind of the first remaining step."""
        return self.steps[0].kind if self.steps else None


def _fmt(t: datetime) -> str:
    return t.isoformat(timespec="minutes")


_KIND_TEXT = {
    SourceKind.NATIONAL: ("国家文本", "national text"),
    SourceKind.LOCAL: ("地方做法", "local practice"),
}


@attrs.frozen
class RiskReason:
    """Why a category applies: the stay and designation (or the contact) and the policy clause.

    ``zh`` and ``en`` render the reason in Chinese and English.

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
            raise AssertionError("a stay reason carries its stay, designation, match and end")
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


@attrs.frozen
class Assessment:
    """The outcome for one person as of ``as_of`` under the policy named ``policy``.

    >>> from datetime import datetime
    >>> from gridcare.risk.presets import PRESETS
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> a = assess([], register=RiskRegister(), policy=PRESETS["ninth-edition"],
    ...            as_of=datetime(2022, 7, 1, tzinfo=CST))
    >>> a.category.value, a.plan, a.code_color.value, a.needs_verification, a.reasons
    ('none', None, 'green', False, ())
    """

    category: Category
    plan: RiskPlan | None
    code_color: CodeColor
    needs_verification: bool
    reasons: tuple[RiskReason, ...]
    as_of: datetime
    policy: str

    @property
    def measure(self) -> MeasureKind | None:
        """The kind of the first remaining step, ``None`` without a plan."""
        return None if self.plan is None else self.plan.measure


@attrs.frozen
class MissedTest:
    """A required test not taken in time: ``needed`` tests, ``taken`` found, due by ``deadline``.

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


# ---------------------------------------------------------------------------- day counting


def _build_plan(
    cp: CompiledPlan,
    anchor: datetime,
    counted_from: datetime,
    arrival: datetime,
    tz: tzinfo,
    zone_name: str,
) -> RiskPlan | None:
    """What remains of a category's plan from ``counted_from`` on (see the module's rules).

    Every end is ``timeutil.midnight_after`` of the anchor's local date (day 0).
    """
    a_date = anchor.astimezone(tz).date()  # day 0 (anchor and counted_from are aware)
    c_date = counted_from.astimezone(tz).date()
    steps: list[RiskStep] = []
    tests: list[date] = []
    start = anchor
    for cs in cp.steps:
        end = None
        if cs.end_day is not None:
            end = midnight_after(a_date, cs.end_day, tz)
            if end <= counted_from:
                start = end
                continue
        mine = (
            tuple([d for d in [a_date + k for k in cs.test_offsets] if d >= c_date])
            if cs.test_offsets
            else ()
        )
        steps.append(
            RiskStep(
                cs.kind,
                start if start > counted_from else counted_from,
                end,
                cs.color,
                mine,
                cs.alternatives,
            )
        )
        if mine:
            tests.extend(mine)
        if end is None:
            break
        start = end
    windows: list[TestWindow] = []
    if cp.arrival_before is not None and arrival >= counted_from:
        windows.append(TestWindow(TestKind.BEFORE_ARRIVAL, arrival - cp.arrival_before, arrival, 1))
    if cp.arrival_after is not None and arrival + cp.arrival_after >= counted_from:
        windows.append(TestWindow(TestKind.AFTER_ARRIVAL, arrival, arrival + cp.arrival_after, 1))
    for count, within, gap in cp.requirements:
        w_end = midnight_after(a_date, within, tz)
        if w_end >= counted_from:
            windows.append(TestWindow(TestKind.WITHIN_WINDOW, anchor, w_end, count, gap))
    if not steps and not windows:
        return None
    return RiskPlan(
        cp.category,
        cp.anchor,
        anchor,
        counted_from,
        tuple(steps),
        tuple(tests),
        tuple(windows),
        cp.green_after_tests,
        cp.clause,
        zone_name,
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
    else:
        color = current.code_color
    if (
        color is CodeColor.YELLOW
        and plan.green_after_tests
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
            missed.append(MissedTest(TestKind.SCHEDULED, deadline, day))
    for w in plan.windows:
        if w.end < as_of:
            found = _window_count(w, taken)
            if found < w.count:
                missed.append(MissedTest(w.kind, w.end, None, w.count, found))
    return tuple(sorted(missed, key=lambda m: m.deadline))


# ---------------------------------------------------------------------------- assess


def _check_common(register: object, policy: object, as_of: object) -> CompiledPolicy:
    if not isinstance(register, RiskRegister):
        raise InvalidInput(
            "not_register", "register", f"expected a RiskRegister, got {type(register).__name__}"
        )
    if not isinstance(policy, Policy):
        raise InvalidInput(
            "not_policy", "policy", f"expected a Policy, got {type(policy).__name__}"
        )
    require_aware(as_of, "as_of")
    return policy.compiled


_Hit = tuple[int, RiskReason, datetime]


def _severity_of(hit: _Hit) -> int:
    return hit[0]


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
    return exposure_end(stay, designation, trace_back)


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
    return not _known(designation, as_of) or opens_after(designation, stay_end, trace_back)


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
        reason = RiskReason(rule.category, rule.clause, rule.source, kind, stay, d, None, end)
        hits.append((SEVERITY[rule.category], reason, end))
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
    best: dict[Category, tuple[RiskDesignation, datetime, CompiledRule, MatchKind]] = {}
    for kind, designations in reach.wide:
        by_level = cp.rules_by_kind[kind]
        categories = cp.categories_by_kind[kind]
        wanted = len(categories)
        done = 0
        if best:  # categories the county already gave an exposure ending with the stay
            for category in categories:
                entry = best.get(category)
                if entry is not None and entry[1] == s_end:
                    done += 1
            if done >= wanted:
                continue
        for d in designations:
            if _scan_is_over(d, s_end, as_of, trace_back):
                break
            rule = by_level.get(d.level)
            if rule is None:
                continue
            category = rule.category
            prev = best.get(category)
            if prev is not None and prev[1] == s_end:
                continue
            end = _exposure(stay, d, as_of, trace_back)
            if end is None or not _qualifies(ref, end, look_back):
                continue
            if prev is None or end > prev[1]:
                best[category] = (d, end, rule, kind)
                if end == s_end:
                    done += 1
                    if done >= wanted:
                        break
    for category, (d, end, rule, kind) in best.items():
        reason = RiskReason(category, rule.clause, rule.source, kind, stay, d, None, end)
        hits.append((SEVERITY[category], reason, end))


def _contact_hits(
    hits: list[_Hit],
    cp: CompiledPolicy,
    contacts: tuple[Contact, ...],
    as_of: datetime,
    counted_from: datetime,
) -> None:
    """Contacts the policy identifies, within the look-back of ``as_of`` or with a plan running."""
    tz = cp.tz
    for contact in contacts:
        category = _CONTACT_CATEGORY[contact.kind]
        cplan = cp.plans.get(category)
        if cplan is None:
            continue  # the policy does not identify this kind of contact
        last = contact.last_exposure
        if not _qualifies(as_of, last, cp.look_back):
            # Past the look-back, a contact still counts while its plan is running.
            last_day = cplan.steps[-1].end_day
            if last_day is not None and midnight_after(last, last_day, tz) <= counted_from:
                continue
        reason = RiskReason(category, cplan.clause, cplan.source, None, None, None, contact, None)
        hits.append((SEVERITY[category], reason, last))


def _assess(
    cp: CompiledPolicy,
    tz: tzinfo,
    register: RiskRegister,
    stays: tuple[Stay, ...],
    as_of: datetime,
    arrived_at: datetime | None,
    contacts: tuple[Contact, ...],
    nothing: Assessment | None,
) -> Assessment:
    """One person's assessment: the path of :func:`assess` and :func:`assess_many` alike."""
    ref = as_of if arrived_at is None else arrived_at
    counted_from = as_of if arrived_at is None or arrived_at < as_of else arrived_at
    hits: list[_Hit] = []
    verify = False
    kinds = cp.kinds
    look_back = cp.look_back
    for stay in stays:
        reach = register.reach(stay.place, kinds)
        if reach.near and _near(hits, cp, stay, reach, as_of, ref):
            verify = True
        # No exposure ends after its stay does: when even the stay's end does not
        # qualify, nothing in the county or province does.
        if reach.wide and _qualifies(ref, stay.end, look_back):
            _wide(hits, cp, stay, reach, as_of, ref)
    if contacts:
        _contact_hits(hits, cp, contacts, as_of, counted_from)
    if not hits:
        if nothing is not None:
            return nothing
        return Assessment(Category.NONE, None, CodeColor.GREEN, False, (), as_of, cp.name)
    hits.sort(key=_severity_of)
    best = hits[0][0]
    category = hits[0][1].category
    winner = cp.plans[category]
    # Arrival plans count from the arrival (as_of when unknown); the others from the latest
    # exposure of the winning category, which gives the longest remaining measure.
    anchor = ref if winner.anchor is Anchor.ARRIVAL else max(h[2] for h in hits if h[0] == best)
    plan = _build_plan(winner, anchor, counted_from, ref, tz, cp.zone_name)
    return Assessment(
        category,
        plan,
        _color(plan, (), as_of),
        verify,
        tuple([h[1] for h in hits]),
        as_of,
        cp.name,
    )


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
    return _assess(cp, cp.tz, register, _stays(stays), as_of, arrived, _contacts(contacts), None)


def _history(value: object, key: object) -> RiskHistory:
    if isinstance(value, RiskHistory):
        return value
    try:
        return RiskHistory(_stays(value, f"histories[{key!r}]"))
    except InvalidInput:
        raise
    except Exception as exc:  # pragma: no cover - defensive: any other input problem
        raise InvalidInput("bad_history", f"histories[{key!r}]", str(exc)) from None


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
    cp = _check_common(register, policy, as_of)
    if not isinstance(histories, Mapping):
        raise InvalidInput(
            "not_mapping", "histories", f"expected a mapping, got {type(histories).__name__}"
        )
    if progress is not None and not callable(progress):
        raise InvalidInput("not_callable", "progress", "progress must be callable")
    tz = cp.tz
    nothing = Assessment(Category.NONE, None, CodeColor.GREEN, False, (), as_of, cp.name)
    total = len(histories)
    every = max(1, -(-total // 100))  # at most 100 calls, then the last
    out: dict[K, Assessment] = {}
    for done, (key, value) in enumerate(histories.items(), start=1):
        h = value if type(value) is RiskHistory else _history(value, key)
        out[key] = _assess(cp, tz, register, h.stays, as_of, h.arrived_at, h.contacts, nothing)
        if progress is not None and done % every == 0 and done != total:
            progress(done, total)
    if progress is not None:
        progress(total, total)
    return out


# ---------------------------------------------------------------------------- comparisons


@attrs.frozen
class PolicyComparison(Generic[K]):
    """How people move between categories and measures from one policy to another.

    ``moved`` maps each person whose category or measure changed to the
    (old, new) assessments; the counters count those moves only.

    >>> PolicyComparison(0, 0, Counter(), Counter(), {}).moved_count
    0
    """

    total: int
    unchanged: int
    category_moves: Mapping[tuple[Category, Category], int]
    measure_moves: Mapping[tuple[MeasureKind | None, MeasureKind | None], int]
    moved: Mapping[K, tuple[Assessment, Assessment]]

    @property
    def moved_count(self) -> int:
        """How many people changed category or measure."""
        return len(self.moved)


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
    before = assess_many(histories, register=register, policy=old, as_of=as_of, progress=progress)
    after = assess_many(histories, register=register, policy=new, as_of=as_of, progress=progress)
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
    if not isinstance(policy, Policy):
        raise InvalidInput(
            "not_policy", "policy", f"expected a Policy, got {type(policy).__name__}"
        )
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
