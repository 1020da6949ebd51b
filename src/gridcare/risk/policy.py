"""Policies as data: categories, matching rules, chained measures, tests and health codes.

A :class:`Policy` is a pydantic model because policy files are untrusted
input: it round-trips through JSON and exports a JSON Schema. Every value
carries its :class:`Provenance` (edition, date, source, national text or local
practice). A policy that contradicts itself is refused with
:class:`~gridcare.errors.PolicyError` naming where and what; no pydantic error
escapes the constructors.

The engine never touches the pydantic objects in its loop: each policy is
compiled once, at validation, into plain attrs/tuple form (:attr:`Policy.compiled`).

Day numbers (docs/design.md, "Day counting"): the anchor's local date
is day 0. The first step's test days count from the anchor (``0..days``); a
chained step's day 0 is the previous step's last day, so its own test days
run ``1..days`` and its first full day is day 1. A step of N days ends at
local midnight at the end of its day N.

>>> from gridcare.risk.presets import PRESETS
>>> p = PRESETS["ninth-edition"]
>>> Policy.from_json(p.to_json()) == p
True
>>> [s.kind.value for s in p.plan_for(Category.CLOSE_CONTACT).steps]
['centralized_quarantine', 'home_health_monitoring']
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, Self

import attrs
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)
from pydantic._internal._model_construction import ModelMetaclass
from pydantic_core import PydanticCustomError, from_json

from gridcare.errors import (
    Choice,
    InvalidInput,
    PolicyError,
    read_mapping,
    read_mappings,
    require_int,
)
from gridcare.masking import REVEAL, mask_numbers, masked_field_reprs
from gridcare.risk.register import MAX_TRACE_BACK_DAYS, MatchKind, RiskLevel, kinds_mask
from gridcare.serial import masked_text
from gridcare.text import TEXT_LIMITS, is_plain, kind_problem
from gridcare.timeutil import DEFAULT_ZONE_NAME, zone

__all__ = [
    "SEVERITY",
    "Anchor",
    "ArrivalTest",
    "Category",
    "CategoryPlan",
    "CodeColor",
    "MatchRule",
    "MeasureKind",
    "Policy",
    "Provenance",
    "SourceKind",
    "StepSpec",
    "TestRequirement",
]


class Category(Choice):
    """Assessment categories, most severe first (the order is the severity).

    >>> SEVERITY[Category.HIGH_RISK_AREA] < SEVERITY[Category.AFFECTED_AREA]
    True
    """

    CLOSE_CONTACT = "close_contact"
    SECONDARY_CONTACT = "secondary_contact"
    HIGH_RISK_AREA = "high_risk_area"
    MEDIUM_RISK_AREA = "medium_risk_area"
    LOW_RISK_AREA = "low_risk_area"
    AFFECTED_AREA = "affected_area"
    NONE = "none"


#: Category -> rank; 0 is the most severe, ``NONE`` the least.
SEVERITY: Mapping[Category, int] = {c: i for i, c in enumerate(Category)}

_CONTACT_CATEGORIES = frozenset({Category.CLOSE_CONTACT, Category.SECONDARY_CONTACT})


class MeasureKind(Choice):
    """The control measures a plan chains.

    >>> MeasureKind("home_isolation")
    <MeasureKind.HOME_ISOLATION: 'home_isolation'>
    """

    CENTRALIZED_QUARANTINE = "centralized_quarantine"
    HOME_ISOLATION = "home_isolation"
    HOME_HEALTH_MONITORING = "home_health_monitoring"
    SELF_HEALTH_MONITORING = "self_health_monitoring"


class Anchor(Choice):
    """The instant a plan is counted from.

    ``LEFT_AREA`` is the end of the exposure (leaving the area, or the area
    being lifted while the person was there); ``LAST_EXPOSURE`` is a contact's
    last exposure; ``ARRIVAL`` is the arrival instant (``as_of`` when unknown).

    >>> Anchor.LEFT_AREA.value
    'left_area'
    """

    LEFT_AREA = "left_area"
    LAST_EXPOSURE = "last_exposure"
    ARRIVAL = "arrival"


class CodeColor(Choice):
    """Health code colours.

    >>> [c.value for c in CodeColor]
    ['red', 'yellow', 'green']
    """

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


class SourceKind(Choice):
    """Whether a value is the national text or local practice.

    >>> SourceKind.LOCAL.value
    'local'
    """

    NATIONAL = "national"
    LOCAL = "local"


# ---------------------------------------------------------------------------- errors


def _contradiction(where: str, problem: str) -> PydanticCustomError:
    return PydanticCustomError(
        "policy_contradiction", "{problem}", {"where": where, "problem": problem}
    )


def _policy_error(exc: ValidationError) -> PolicyError:
    """One PolicyError from a pydantic ValidationError: the first problem, and a count."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = [str(part) for part in first.get("loc", ())]
    ctx = first.get("ctx") or {}
    if "text_rule" in ctx:
        # A text rule names the rule and where the character is, never the text.
        problem = f"{first.get('msg', '')} [{ctx['text_rule']}]"
    elif first.get("type") == "policy_contradiction":
        inner = str(ctx.get("where", ""))
        if inner:
            loc.append(inner)
        problem = str(ctx.get("problem", first.get("msg", "")))
    else:
        problem = str(first.get("msg", "invalid"))
        given = first.get("input")
        if first.get("type") != "missing" and isinstance(given, str | int | float | bool):
            problem += f" (got {given!r:.80})"
    if len(errors) > 1:
        problem += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return PolicyError(".".join(loc) or "<policy>", problem)


class _PolicyMeta(ModelMetaclass):
    """Calling a policy model class raises PolicyError, never a pydantic ValidationError.

    Done in the metaclass rather than ``__init__`` so that pydantic's own
    validation of nested parts is untouched (a custom ``__init__`` would be
    called for every nested part and its error wrapped again).
    """

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        kwargs = read_mappings(kwargs)  # a caller's mapping that fails is refused where given
        try:
            return super().__call__(*args, **kwargs)
        except ValidationError as exc:
            refusal = _policy_error(exc)
        raise refusal  # outside the handler: no chained input (gridcare.errors)


def _text_rules(kind: str, *, allow_empty: bool = False) -> BeforeValidator:
    """The text rules of ``kind`` (:func:`gridcare.text.kind_problem`) on a field, before
    pydantic reads it: a text breaking one is refused with the rule's code as the error's
    type, which :class:`~gridcare.errors.PolicyError` shows as ``[code]``."""
    limit = TEXT_LIMITS[kind]

    def check(value: object) -> object:
        if is_plain(value, limit):
            return value
        problem = kind_problem(value, "", kind, allow_empty=allow_empty)
        if problem is not None:
            raise PydanticCustomError(problem.code, problem.message, {"text_rule": problem.code})
        assert isinstance(value, str)  # kind_problem found a str
        return value if type(value) is str else str.__str__(value)

    return BeforeValidator(check)


#: A one-line text of up to 200 characters: a title, an edition (the limit of a place).
_Line = Annotated[str, _text_rules("place")]
#: Free text of up to 1000 characters, line breaks allowed: a source, a note (a note's).
_Note = Annotated[str, _text_rules("note")]
_OptionalNote = Annotated[str, _text_rules("note", allow_empty=True)]
# A provenance's texts as exports show them: a phone or ID number typed into a citation or a
# note (a contact to ask) masked, as every record's free text is; a policy written for
# storage (Policy.to_json) keeps them whole.
_ShownLine = Annotated[_Line, masked_text(mask_numbers)]
_ShownNote = Annotated[_Note, masked_text(mask_numbers)]
_ShownOptionalNote = Annotated[_OptionalNote, masked_text(mask_numbers)]
#: A time zone's name: an id's rules before it is looked up.
_ZoneName = Annotated[str, _text_rules("id")]


class _Model(BaseModel, metaclass=_PolicyMeta):
    """Frozen, closed models."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def __repr_args__(self) -> Any:
        # Every text shows its phone and ID numbers masked, as every record's repr does.
        for key, value in super().__repr_args__():
            yield key, mask_numbers(value) if type(value) is str else value


# ---------------------------------------------------------------------------- parts


class Provenance(_Model):
    """Where a value comes from.

    Its texts keep the rules of their kind (:func:`gridcare.text.kind_problem`):
    ``edition``, one line, those of a place; ``source`` (a citation) and
    ``note`` (may be empty), free text with line breaks, those of a note.

    >>> Provenance(edition="9th", date="2022-06-28", source="the plan, close contacts",
    ...            kind="national").kind
    <SourceKind.NATIONAL: 'national'>
    """

    edition: _ShownLine = Field(
        min_length=1,
        max_length=TEXT_LIMITS["place"],
        description="编号或版本 / edition or instrument",
    )
    date: dt.date = Field(description="发布或施行日期 / date issued or in force")
    source: _ShownNote = Field(
        min_length=1,
        max_length=TEXT_LIMITS["note"],
        description="出处 / where the value is stated",
    )
    kind: SourceKind = Field(description="国家文本或地方做法 / national text or local practice")
    note: _ShownOptionalNote = Field(
        default="", max_length=TEXT_LIMITS["note"], description="说明 / how the value was read"
    )


class MatchRule(_Model):
    """A stay matching a designation of ``level`` by ``match`` puts a person in ``category``.

    >>> src = Provenance(edition="x", date="2022-06-28", source="s", kind="national")
    >>> MatchRule(match="direct", level="high", category="high_risk_area", source=src).level
    <RiskLevel.HIGH: 'high'>
    """

    match: MatchKind
    level: RiskLevel
    category: Category
    source: Provenance


class TestRequirement(_Model):
    """ "``count`` tests within ``within_days`` days, at least ``min_gap_hours`` apart".

    The window runs from the plan's anchor until local midnight at the end of
    day ``within_days`` (the same counting as a step).

    >>> src = Provenance(edition="x", date="2022-06-28", source="s", kind="national")
    >>> TestRequirement(count=2, within_days=3, min_gap_hours=24, source=src).count
    2
    """

    __test__ = False  # not a pytest test class

    count: int = Field(ge=1, le=50)
    within_days: int = Field(ge=1, le=365)
    min_gap_hours: int = Field(default=0, ge=0, le=24 * 365)
    source: Provenance


class ArrivalTest(_Model):
    """Tests around arrival: one ``before_hours`` before it at most, one ``after_hours`` after.

    >>> src = Provenance(edition="x", date="2022-03-16", source="s", kind="local")
    >>> ArrivalTest(before_hours=48, after_hours=24, source=src).after_hours
    24
    """

    before_hours: int | None = Field(default=None, ge=1, le=24 * 30)
    after_hours: int | None = Field(default=None, ge=1, le=24 * 30)
    source: Provenance

    @model_validator(mode="after")
    def _one_side(self) -> Self:
        if self.before_hours is None and self.after_hours is None:
            raise _contradiction("", "an arrival test needs before_hours or after_hours")
        return self


class StepSpec(_Model):
    """One step of a plan: a measure kind for ``days`` days, with tests and a code colour.

    ``days`` is ``None`` when the source gives no duration: such a step must be
    the last one and stays open. ``start_day``, when given, must equal the
    days of the steps before it (a smaller value overlaps the previous step, a
    larger one leaves a gap). ``alternatives`` are other kinds local
    authorities may choose instead. ``tests_source`` and ``color_source``
    default to ``source``.

    >>> src = Provenance(edition="x", date="2022-06-28", source="s", kind="national")
    >>> StepSpec(kind="home_isolation", days=7, test_days=[1, 4, 7], code_color="yellow",
    ...          source=src).test_days
    (1, 4, 7)
    """

    kind: MeasureKind
    days: int | None = Field(ge=1, le=365)
    start_day: int | None = Field(default=None, ge=0, le=365)
    test_days: tuple[int, ...] = ()
    code_color: CodeColor
    alternatives: tuple[MeasureKind, ...] = ()
    source: Provenance
    tests_source: Provenance | None = None
    color_source: Provenance | None = None


class CategoryPlan(_Model):
    """The plan of one category: its anchor, chained steps and test requirements.

    ``green_after_tests``: a yellow code turns green once the requirements
    and the arrival test are met with negative results.

    >>> src = Provenance(edition="x", date="2022-06-28", source="s", kind="national")
    >>> step = StepSpec(kind="home_isolation", days=7, code_color="yellow", source=src)
    >>> CategoryPlan(category="medium_risk_area", anchor="left_area", steps=[step],
    ...              source=src).total_days
    7
    """

    category: Category
    anchor: Anchor
    steps: tuple[StepSpec, ...] = Field(min_length=1)
    requirements: tuple[TestRequirement, ...] = ()
    arrival_test: ArrivalTest | None = None
    green_after_tests: bool = False
    source: Provenance

    @property
    def total_days(self) -> int | None:
        """The days of all steps, ``None`` when the last step is open."""
        total = 0
        for step in self.steps:
            if step.days is None:
                return None
            total += step.days
        return total

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.category is Category.NONE:
            raise _contradiction("category", "'none' has no plan; leave it out")
        if self.category in _CONTACT_CATEGORIES and self.anchor is not Anchor.LAST_EXPOSURE:
            raise _contradiction("anchor", "contact categories are counted from last_exposure")
        if self.category not in _CONTACT_CATEGORIES and self.anchor is Anchor.LAST_EXPOSURE:
            raise _contradiction(
                "anchor", "last_exposure is for contacts; area categories use left_area or arrival"
            )
        offset = 0
        for i, step in enumerate(self.steps):
            where = f"steps.{i}"
            if step.start_day is not None and step.start_day != offset:
                problem = (
                    "overlaps the previous step" if step.start_day < offset else "leaves a gap"
                )
                raise _contradiction(
                    f"{where}.start_day", f"{problem}: steps before it end on day {offset}"
                )
            if step.days is None and i != len(self.steps) - 1:
                raise _contradiction(f"{where}.days", "only the last step may be open-ended")
            if step.kind in step.alternatives:
                raise _contradiction(f"{where}.alternatives", "lists the step's own kind")
            first_day = 0 if i == 0 else 1
            seen: set[int] = set()
            for j, day in enumerate(step.test_days):
                if day in seen:
                    raise _contradiction(f"{where}.test_days.{j}", f"test day {day} listed twice")
                seen.add(day)
                if day < first_day or (step.days is not None and day > step.days):
                    last = "open" if step.days is None else str(step.days)
                    raise _contradiction(
                        f"{where}.test_days.{j}",
                        f"test day {day} is outside its step (days {first_day}..{last})",
                    )
            offset += step.days or 0
        for i, req in enumerate(self.requirements):
            if (req.count - 1) * req.min_gap_hours >= (req.within_days + 1) * 24:
                raise _contradiction(
                    f"requirements.{i}",
                    f"{req.count} tests {req.min_gap_hours} h apart cannot fit "
                    f"within {req.within_days} days",
                )
        if self.green_after_tests and not self.requirements and self.arrival_test is None:
            raise _contradiction(
                "green_after_tests", "set, but the plan has no requirement or arrival test"
            )
        return self


# ---------------------------------------------------------------------------- compiled form


@attrs.frozen(field_transformer=masked_field_reprs)
class CompiledStep:
    """A step with absolute day offsets from the anchor's date (internal form).

    >>> CompiledStep(MeasureKind.HOME_ISOLATION, 0, 7, (1, 4, 7), CodeColor.YELLOW, ()).end_day
    7
    """

    kind: MeasureKind
    start_day: int
    days: int | None
    test_days: tuple[int, ...]
    color: CodeColor
    alternatives: tuple[MeasureKind, ...]
    #: The last day of the step counted from the anchor's date, ``None`` if open: the step
    #: ends at ``timeutil.midnight_after(anchor, end_day)``.
    end_day: int | None = attrs.field(init=False)
    # Precomputed for the engine's loop: building a timedelta costs about a microsecond.
    test_offsets: tuple[dt.timedelta, ...] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        end_day = None if self.days is None else self.start_day + self.days
        object.__setattr__(self, "end_day", end_day)
        offsets = tuple(dt.timedelta(days=k) for k in self.test_days)
        object.__setattr__(self, "test_offsets", offsets)


@attrs.frozen(field_transformer=masked_field_reprs)
class CompiledPlan:
    """A category plan with plain values (internal form).

    >>> from gridcare.risk.presets import PRESETS
    >>> PRESETS["ninth-edition"].compiled.plans[Category.CLOSE_CONTACT].steps[1].test_days
    (10,)
    """

    category: Category
    anchor: Anchor
    steps: tuple[CompiledStep, ...]
    #: (count, days: the window ends at ``timeutil.midnight_after(anchor, days)``, minimum gap)
    requirements: tuple[tuple[int, int, dt.timedelta], ...]
    arrival_before: dt.timedelta | None
    arrival_after: dt.timedelta | None
    green_after_tests: bool
    clause: str
    source: Provenance = attrs.field(eq=False)


@attrs.frozen(field_transformer=masked_field_reprs)
class CompiledRule:
    """A matching rule with its clause reference (internal form).

    >>> from gridcare.risk.presets import PRESETS
    >>> rule = PRESETS["ninth-edition"].compiled.rules[(MatchKind.DIRECT, RiskLevel.HIGH)]
    >>> rule.category.value
    'high_risk_area'
    """

    category: Category
    clause: str
    source: Provenance = attrs.field(eq=False)


@attrs.frozen(field_transformer=masked_field_reprs)
class CompiledPolicy:
    """The form of a :class:`Policy` the engine uses: dicts and tuples, no pydantic.

    >>> from gridcare.risk.presets import PRESETS
    >>> PRESETS["ninth-edition"].compiled.look_back.days
    7
    """

    name: str
    zone_name: str
    look_back: dt.timedelta
    trace_back_days: int
    trace_back: dt.timedelta = attrs.field(init=False, eq=False)
    rules: Mapping[tuple[MatchKind, RiskLevel], CompiledRule] = attrs.field(eq=False)
    plans: Mapping[Category, CompiledPlan] = attrs.field(eq=False)
    kinds: int
    categories_by_kind: Mapping[MatchKind, frozenset[Category]] = attrs.field(eq=False)
    #: The rules again, by match kind then level: one probe without building a tuple key.
    rules_by_kind: Mapping[MatchKind, Mapping[RiskLevel, CompiledRule]] = attrs.field(
        init=False, eq=False
    )

    #: The categories whose plans are counted from arrival: their exposures share one anchor.
    from_arrival: frozenset[Category] = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "trace_back", dt.timedelta(days=self.trace_back_days))
        object.__setattr__(
            self,
            "from_arrival",
            frozenset(c for c, p in self.plans.items() if p.anchor is Anchor.ARRIVAL),
        )
        by_kind: dict[MatchKind, dict[RiskLevel, CompiledRule]] = {k: {} for k in MatchKind}
        for (kind, level), rule in self.rules.items():
            by_kind[kind][level] = rule
        object.__setattr__(self, "rules_by_kind", by_kind)

    @property
    def tz(self) -> dt.tzinfo:
        """The policy's zone."""
        return zone(self.zone_name)


def _compile(policy: Policy) -> CompiledPolicy:
    rules: dict[tuple[MatchKind, RiskLevel], CompiledRule] = {}
    for i, rule in enumerate(policy.rules):
        clause = f"{policy.name} rules.{i} ({rule.match.value}/{rule.level.value})"
        rules[(rule.match, rule.level)] = CompiledRule(rule.category, clause, rule.source)
    plans: dict[Category, CompiledPlan] = {}
    for i, plan in enumerate(policy.categories):
        steps: list[CompiledStep] = []
        offset = 0
        for step in plan.steps:
            steps.append(
                CompiledStep(
                    step.kind,
                    offset,
                    step.days,
                    tuple(sorted(offset + d for d in step.test_days)),
                    step.code_color,
                    step.alternatives,
                )
            )
            offset += step.days or 0
        reqs = tuple(
            (r.count, r.within_days, dt.timedelta(hours=r.min_gap_hours)) for r in plan.requirements
        )
        arrival = plan.arrival_test
        before = after = None
        if arrival is not None:
            if arrival.before_hours is not None:
                before = dt.timedelta(hours=arrival.before_hours)
            if arrival.after_hours is not None:
                after = dt.timedelta(hours=arrival.after_hours)
        plans[plan.category] = CompiledPlan(
            plan.category,
            plan.anchor,
            tuple(steps),
            reqs,
            before,
            after,
            plan.green_after_tests,
            f"{policy.name} categories.{i} ({plan.category.value})",
            plan.source,
        )
    return CompiledPolicy(
        policy.name,
        policy.zone,
        dt.timedelta(days=policy.look_back_days),
        policy.trace_back_days,
        rules,
        plans,
        kinds_mask(match for match, _ in rules),
        {
            kind: frozenset(r.category for (m, _), r in rules.items() if m is kind)
            for kind in MatchKind
        },
    )


# ---------------------------------------------------------------------------- Policy

#: The widest indent :meth:`Policy.to_json` writes.
MAX_INDENT = 16


class Policy(_Model):
    """A versioned policy: windows, matching rules and a plan per category, each value sourced.

    Build one with :meth:`from_dict` or :meth:`from_json` (or the constructor);
    every contradiction raises :class:`~gridcare.errors.PolicyError`. The
    titles ``title_zh`` and ``title_en`` keep the text rules of a place, the
    ``zone`` those of an id (:func:`gridcare.text.kind_problem`); a text that
    breaks one is a ``PolicyError`` naming the field and ending in the rule's
    code (``[control_character]``).

    >>> from gridcare.risk.presets import PRESETS
    >>> data = PRESETS["ninth-edition"].to_dict()
    >>> data["categories"][0]["steps"][0]["test_days"] = [1, 2, 3, 5, 9]
    >>> Policy.from_dict(data)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gridcare.errors.PolicyError: policy categories.0.steps.0.test_days.4: test day 9 is outside ...
    """

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")
    title_zh: _Line = Field(min_length=1, max_length=TEXT_LIMITS["place"])
    title_en: _Line = Field(min_length=1, max_length=TEXT_LIMITS["place"])
    zone: _ZoneName = Field(default=DEFAULT_ZONE_NAME, max_length=TEXT_LIMITS["id"])
    look_back_days: int = Field(ge=0, le=366)
    look_back_source: Provenance
    trace_back_days: int = Field(ge=0, le=MAX_TRACE_BACK_DAYS)
    trace_back_source: Provenance
    rules: tuple[MatchRule, ...] = ()
    categories: tuple[CategoryPlan, ...] = ()
    source: Provenance

    _compiled: CompiledPolicy | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        try:
            zone(self.zone)
        except InvalidInput:
            raise _contradiction("zone", f"unknown time zone {self.zone!r}") from None
        defined: dict[Category, int] = {}
        for i, plan in enumerate(self.categories):
            if plan.category in defined:
                raise _contradiction(
                    f"categories.{i}.category",
                    f"category {plan.category.value!r} is defined twice "
                    f"(also categories.{defined[plan.category]})",
                )
            defined[plan.category] = i
        seen: dict[tuple[MatchKind, RiskLevel], int] = {}
        for i, rule in enumerate(self.rules):
            key = (rule.match, rule.level)
            if key in seen:
                raise _contradiction(
                    f"rules.{i}",
                    f"a second rule for {rule.match.value}/{rule.level.value} "
                    f"(also rules.{seen[key]})",
                )
            seen[key] = i
            if rule.category in _CONTACT_CATEGORIES or rule.category is Category.NONE:
                raise _contradiction(
                    f"rules.{i}.category",
                    f"a matching rule cannot assign {rule.category.value!r}",
                )
            if rule.category not in defined:
                raise _contradiction(
                    f"rules.{i}.category",
                    f"unknown category {rule.category.value!r}: no plan defines it",
                )
        return self

    def model_post_init(self, context: Any, /) -> None:
        """Compile once; the engine uses the compiled form."""
        self._compiled = _compile(self)

    @property
    def compiled(self) -> CompiledPolicy:
        """The plain attrs/tuple form the engine uses (built once per instance).

        >>> from gridcare.risk.presets import PRESETS
        >>> PRESETS["hunan-2022-03"].compiled.trace_back_days
        14
        """
        compiled = self._compiled
        if compiled is None:  # model_construct() skips post-init
            compiled = _compile(self)
            self._compiled = compiled
        return compiled

    def plan_for(self, category: Category) -> CategoryPlan | None:
        """The plan of ``category``, or ``None`` when the policy does not identify it.

        >>> from gridcare.risk.presets import PRESETS
        >>> PRESETS["twenty-measures"].plan_for(Category.SECONDARY_CONTACT) is None
        True
        """
        if type(category) is not Category:
            raise InvalidInput("bad_enum", "category", "expected a Category")
        for plan in self.categories:
            if plan.category is category:
                return plan
        return None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """Validate a policy from plain data (as loaded from JSON).

        >>> Policy.from_dict({"name": "x"})
        Traceback (most recent call last):
        ...
        gridcare.errors.PolicyError: policy title_zh: Field required (and 6 more problems)
        """
        if not isinstance(data, Mapping):
            raise PolicyError("<policy>", f"expected a mapping, got {type(data).__name__}")
        try:
            return cls.model_validate(dict(read_mapping(data, "<policy>")))
        except ValidationError as exc:
            refusal = _policy_error(exc)
        raise refusal

    @classmethod
    def from_json(cls, text: str | bytes) -> Policy:
        """Validate a policy from JSON text (``str`` or UTF-8 ``bytes``).

        The text is read by pydantic's JSON parser, which refuses nesting
        deeper than 200 levels (a policy has about six) as it does any other
        text that is not JSON: ``PolicyError``, never a ``RecursionError``.

        >>> Policy.from_json("[1, 2]")
        Traceback (most recent call last):
        ...
        gridcare.errors.PolicyError: policy <policy>: expected a JSON object
        >>> Policy.from_json("[" * 100_000)
        Traceback (most recent call last):
        ...
        gridcare.errors.PolicyError: policy <policy>: not JSON: recursion limit exceeded ...
        """
        if not isinstance(text, str | bytes | bytearray):
            raise PolicyError("<policy>", f"expected JSON text, got {type(text).__name__}")
        try:
            # Text as UTF-8, as the parser reads it: a lone surrogate is not text.
            data = from_json(text.encode("utf-8") if isinstance(text, str) else text)
        except ValueError as exc:
            problem: str | None = f"not JSON: {exc}"
        else:
            problem = None
        if problem is not None:  # raised outside the handler: no chained input
            raise PolicyError("<policy>", problem)
        if not isinstance(data, dict):
            raise PolicyError("<policy>", "expected a JSON object")
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-compatible data (dates as ISO strings), which :meth:`from_dict` reads
        back to an equal policy: a policy's texts are written whole (a result that carries a
        provenance, an assessment, masks any phone or ID number in its texts).

        >>> from gridcare.risk.presets import PRESETS
        >>> PRESETS["ninth-edition"].to_dict()["look_back_days"]
        7
        """
        return self.model_dump(mode="json", context=REVEAL)

    def to_json(self, *, indent: int | None = 2) -> str:
        """JSON text that :meth:`from_json` reads back to an equal policy.

        ``indent`` is ``None`` (one line) or 0 to :data:`MAX_INDENT` spaces.

        >>> from gridcare.risk.presets import PRESETS
        >>> '"name": "twenty-measures"' in PRESETS["twenty-measures"].to_json()
        True
        >>> PRESETS["twenty-measures"].to_json(indent=2**63)
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: indent: must be at most 16 [out_of_range]
        """
        if indent is not None:
            require_int(indent, "indent", low=0, high=MAX_INDENT)
        return self.model_dump_json(indent=indent, context=REVEAL)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema of policy files.

        Descriptions come from the classes' docstrings, read as an editor shows
        them: without the examples and the cross-reference markup meant for
        ``help()`` and the docs site.

        >>> schema = Policy.json_schema()
        >>> marks = (">" * 3, ":" + "class" + ":")  # an example's prompt, a cross-reference
        >>> schema["title"], [mark for mark in marks if mark in str(schema)]
        ('Policy', [])
        """
        readable: dict[str, Any] = _readable(cls.model_json_schema())
        return readable


# A cross-reference of the docs' markup (:class:`~gridcare.risk.Policy`), and code in double
# backquotes: an editor shows the name alone.
_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")


def _readable(schema: Any) -> Any:
    """``schema`` with every description as a reader of a schema wants it (see
    :meth:`Policy.json_schema`): the text before its first example, markup dropped."""
    if isinstance(schema, dict):
        return {
            key: _plain_description(value)
            if key == "description" and isinstance(value, str)
            else _readable(value)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_readable(item) for item in schema]
    return schema


def _plain_description(text: str) -> str:
    lines = text.splitlines()
    examples = [i for i, line in enumerate(lines) if line.lstrip().startswith(">>>")]
    kept = "\n".join(lines[: examples[0]] if examples else lines).strip()
    return _LITERAL.sub(r"\1", _ROLE.sub(lambda m: m.group(1).rsplit(".", 1)[-1], kept))
