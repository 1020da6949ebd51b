"""A synthetic day of the grid prevention code on a synthetic city.

:func:`synthetic_day` files a city's declarations over the eight days before
a report cutoff, routes them to grids, reviews most of them, assesses every
declarant under a preset policy against a small risk register, runs the
door-knocking campaign up to the cutoff, and raises a few whistle cases. The
result (:class:`CityDay`) holds the domain records the rollups count, the
demo prints and the benchmarks time. Deterministic for a seed. The day's
testing round and census draw from their own seeded generators, so
:func:`round_summary` can run them alone (in another process, say) and give
what the day's report reads of them (:class:`RoundSummary`), the same as
:meth:`CityDay.round_summary`.

>>> from gridcare.testing import synthetic_city
>>> day = synthetic_day(synthetic_city(scale=0.001), seed=1)
>>> day.accepted + len(day.rejected) == day.submitted
True
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import attrs

from gridcare.cases import (
    CaseEvent,
    CaseEventKind,
    CaseTopic,
    CaseUrgency,
    WhistleCase,
    replay_cases,
)
from gridcare.codes import AreaCode
from gridcare.declarations import (
    AddressIndex,
    Declaration,
    DeclarationEvent,
    DeclarationRecord,
    RejectedForm,
    ReviewStarted,
    Submitted,
    VerificationMethod,
    Verified,
    history_of,
    parse_forms,
    replay_declarations,
    routing_event,
)
from gridcare.errors import InvalidInput, require_instance, require_int, require_items
from gridcare.hierarchy import NodeKind
from gridcare.masking import masked_field_reprs, masked_repr
from gridcare.reports import Count, Tally
from gridcare.reports.feeds import (
    assessment_counts,
    case_counts,
    declaration_counts,
    screening_round_counts,
    visit_counts,
)
from gridcare.risk import (
    PRESETS,
    Assessment,
    Policy,
    RiskDesignation,
    RiskLevel,
    RiskRegister,
    assess_many,
)
from gridcare.screening import (
    CensusReport,
    CoverageReport,
    NodeCoverage,
    OverdueRule,
    ScreeningRound,
    census,
    coverage,
    due_list,
    replay_round,
    simulated_census,
    simulated_round_log,
)
from gridcare.screening.round import DOOR_SAMPLING_AGE, trusted_door_sampling
from gridcare.testing._arguments import require_progress, require_seed
from gridcare.testing.payloads import MAX_PAYLOADS, form_payloads
from gridcare.testing.synthetic import City
from gridcare.timeutil import (
    DEFAULT_CUTOFF,
    DEFAULT_ZONE,
    MAX_YEAR,
    MIN_YEAR,
    require_aware,
    require_day,
)
from gridcare.visits.lifecycle import HouseholdVisit, VisitAttempt, replay_visits
from gridcare.visits.planning import CampaignModel, households_by_grid, simulate_campaign

__all__ = [
    "REPORT_DAYS",
    "CityDay",
    "RoundSummary",
    "history_of",
    "round_summary",
    "summed_round",
    "synthetic_day",
    "synthetic_register",
]

Progress = Callable[[int, int], None]

#: Declarations in the real city by the 2022-03-27 08:00 report, for 1,389,962 households.
_REAL_DECLARATIONS = 170_437
_REAL_HOUSEHOLDS = 1_389_962

#: How far before the cutoff the synthetic register raises designations.
_REGISTER_SPAN = timedelta(weeks=4)
#: The campaign starts this long before the report day and plans this many days.
_CAMPAIGN_LEAD = timedelta(days=7)
_CAMPAIGN_DAYS = 30
#: The first and last report day of :func:`synthetic_day` and :func:`round_summary`
#: (1900-01-29 and 2100-12-08): the days whose records all fall in the supported years
#: (1900-2100), from the register's span after the first day to the campaign's horizon
#: before the last.
REPORT_DAYS: tuple[date, date] = (
    date(MIN_YEAR, 1, 1) + _REGISTER_SPAN,
    date(MAX_YEAR, 12, 31) - timedelta(days=_CAMPAIGN_DAYS) + _CAMPAIGN_LEAD,
)


def synthetic_register(cutoff: datetime) -> RiskRegister:
    """Designations over the synthetic declarants' origins, raised in the weeks before ``cutoff``.

    Illustrative test data (real division codes, invented dates): high-risk
    areas in Wuhan and Shanghai, medium-risk areas in Shenzhen and Qingdao.
    ``cutoff`` is an aware instant at least four weeks after 1900 began (the
    earliest designation is raised four weeks before it) and before 2101.

    >>> len(synthetic_register(datetime(2022, 3, 27, 8, tzinfo=DEFAULT_ZONE)))
    4
    """
    require_aware(cutoff, "cutoff")
    if (cutoff - _REGISTER_SPAN).year < MIN_YEAR:
        raise InvalidInput(
            "out_of_range", "cutoff", f"expected four weeks after {MIN_YEAR} began", value=cutoff
        )
    weeks = timedelta(days=7)
    return RiskRegister(
        [
            RiskDesignation(AreaCode.parse("420106"), RiskLevel.HIGH, cutoff - 3 * weeks),
            RiskDesignation(AreaCode.parse("310115"), RiskLevel.HIGH, cutoff - 2 * weeks),
            RiskDesignation(AreaCode.parse("440305"), RiskLevel.MEDIUM, cutoff - 2 * weeks),
            RiskDesignation(
                AreaCode.parse("370202"), RiskLevel.MEDIUM, cutoff - _REGISTER_SPAN, cutoff - weeks
            ),
        ]
    )


def _instance(kind: type) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    return lambda _, a, v: require_instance(v, kind, a.name)


def _tuple_of(kind: Any) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(_: Any, a: attrs.Attribute[Any], v: Any) -> None:
        require_items(require_instance(v, tuple, a.name), kind, a.name)

    return check


def _optional(kind: type) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    return lambda _, a, v: None if v is None else require_instance(v, kind, a.name)


def _assessments(_: Any, a: attrs.Attribute[Any], v: Any) -> None:
    found = require_instance(v, dict, a.name)
    require_items(list(found), str, a.name)
    require_items(list(found.values()), Assessment, a.name)


@attrs.frozen(field_transformer=masked_field_reprs)
class CityDay:
    """One report day's worth of domain records on a synthetic city (built by
    :func:`synthetic_day`; each field is checked for its type, codes ``wrong_type``,
    ``not_list``, ``not_integer``, ``negative`` and those of ``require_aware``).

    >>> from gridcare.testing import synthetic_city
    >>> day = synthetic_day(synthetic_city(scale=0.001), seed=1)
    >>> attrs.evolve(day, submitted=-1)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: submitted: must not be negative [negative]
    """

    city: City = attrs.field(validator=_instance(City))
    cutoff: datetime = attrs.field(validator=lambda _, a, v: require_aware(v, a.name))
    submitted: int = attrs.field(validator=lambda _, a, v: require_int(v, a.name, low=0))
    declarations: tuple[Declaration, ...] = attrs.field(validator=_tuple_of(Declaration))
    rejected: tuple[RejectedForm, ...] = attrs.field(validator=_tuple_of(RejectedForm))
    declaration_records: tuple[DeclarationRecord, ...] = attrs.field(
        validator=_tuple_of(DeclarationRecord)
    )
    declaration_events: tuple[DeclarationEvent, ...] = attrs.field(
        validator=_tuple_of(DeclarationEvent)
    )
    assessments: dict[str, Assessment] = attrs.field(validator=_assessments)
    policy: Policy = attrs.field(validator=_instance(Policy))
    register: RiskRegister = attrs.field(validator=_instance(RiskRegister))
    attempts: tuple[VisitAttempt, ...] = attrs.field(validator=_tuple_of(VisitAttempt))
    visit_states: tuple[HouseholdVisit, ...] = attrs.field(validator=_tuple_of(HouseholdVisit))
    cases: tuple[WhistleCase, ...] = attrs.field(validator=_tuple_of(WhistleCase))
    screening: CoverageReport | None = attrs.field(validator=_optional(CoverageReport))
    census: CensusReport | None = attrs.field(validator=_optional(CensusReport))

    def __attrs_post_init__(self) -> None:
        if (self.screening is None) != (self.census is None):
            raise InvalidInput(
                "half_round", "census", "a day holds its round and its census, or neither"
            )

    @property
    def accepted(self) -> int:
        """How many forms validated into declarations."""
        return len(self.declarations)

    def counts(self) -> list[Count]:
        """Everything the day's records count in the daily report list."""
        h = self.city.hierarchy
        grid_of = {r.declaration_id: r.grid_id for r in self.declaration_records}
        node_of = {d.id: (grid_of.get(d.id) or h.root.id) for d in self.declarations}
        out = declaration_counts(self.declaration_records, hierarchy=h, cutoff=self.cutoff)
        out += assessment_counts(
            ((node_of[k], a) for k, a in self.assessments.items()), hierarchy=h, cutoff=self.cutoff
        )
        out += visit_counts(
            self.visit_states, hierarchy=h, attempts=self.attempts, cutoff=self.cutoff
        )
        out += case_counts(self.cases, cutoff=self.cutoff)
        if self.screening is not None:
            out += screening_round_counts(
                self.screening, hierarchy=h, cutoff=self.cutoff, census=self.census
            )
        return out

    def tally(self) -> Tally:
        """The day's records folded into a tally."""
        return Tally.from_counts(self.counts())

    def round_summary(self) -> RoundSummary:
        """What the day's report reads of its testing round and census (:class:`RoundSummary`).

        A day built without its round (``synthetic_day(..., testing_round=False)``)
        raises :class:`~gridcare.errors.InvalidInput` (``no_round``).

        >>> from gridcare.testing import synthetic_city
        >>> synthetic_day(synthetic_city(scale=0.001)).round_summary().due > 0
        True
        """
        if self.screening is None or self.census is None:
            raise InvalidInput("no_round", "screening", "the day was built without its round")
        return _summary(self.city, self.screening, self.census, self.cutoff)


@attrs.frozen(repr=False, field_transformer=masked_field_reprs)
class RoundSummary:
    """What a report day shows of its testing round and census, without the records.

    ``screening`` is the round; ``total`` its coverage over the round's scope;
    ``counts`` the round's and the census's figures at the report's cutoff
    (:func:`~gridcare.reports.feeds.screening_round_counts`: a few per grid);
    ``missed`` every grid with residents missed and how many, most first and
    in preorder among equals; ``due`` how many residents were due. The
    fields must agree (``due`` is the total's, each grid listed once with
    more than none missed, most first, the grids' sum at most the total's):
    ``InvalidInput`` (``inconsistent``) otherwise. It is a few
    thousand values at most, so a round run in another process sends back
    this rather than its hundreds of thousands of records (the demo does).
    Built by :func:`round_summary` or :meth:`CityDay.round_summary`.

    >>> from gridcare.testing import synthetic_city
    >>> summary = round_summary(synthetic_city(scale=0.001))
    >>> summary.total.due == summary.due, len(summary.most_missed(3)) <= 3
    (True, True)
    """

    screening: ScreeningRound = attrs.field(validator=_instance(ScreeningRound))
    total: NodeCoverage = attrs.field(validator=_instance(NodeCoverage))
    counts: tuple[Count, ...] = attrs.field(validator=_tuple_of(Count))
    missed: tuple[tuple[str, int], ...] = attrs.field(validator=lambda _, a, v: _pairs(v, a.name))
    due: int = attrs.field(validator=lambda _, a, v: require_int(v, a.name, low=0))

    def __attrs_post_init__(self) -> None:
        # The fields are one round's: the totals agree, and the grids are listed once
        # each, most missed first, none with nobody missed, no more than the round missed.
        if self.due != self.total.due:
            raise InvalidInput("inconsistent", "due", "expected the total's residents due")
        seen: set[str] = set()
        before = self.total.missed
        for i, (grid_id, n) in enumerate(self.missed):
            if grid_id in seen or not 0 < n <= before:
                raise InvalidInput(
                    "inconsistent",
                    f"missed.{i}",
                    "expected each grid once, most missed first, each above 0",
                )
            seen.add(grid_id)
            before = n
        if sum(n for _, n in self.missed) > self.total.missed:
            raise InvalidInput("inconsistent", "missed", "more missed in grids than in the round")

    def most_missed(self, n: int = 10) -> tuple[tuple[str, int], ...]:
        """The ``n`` grids with the most residents missed: (grid id, missed), most first."""
        return self.missed[: require_int(n, "n", low=0)]

    def __repr__(self) -> str:
        return (
            f"RoundSummary({masked_repr(self.screening.id)}, due={self.due}, "
            f"counts={len(self.counts)}, "
            f"grids_with_missed={len(self.missed)})"
        )


def _pairs(value: object, field: str) -> None:
    for i, pair in enumerate(require_instance(value, tuple, field)):
        where = f"{field}.{i}"
        if type(pair) is not tuple or len(pair) != 2:
            raise InvalidInput("wrong_type", where, "expected a (grid id, missed) pair")
        require_instance(pair[0], str, where)
        require_int(pair[1], where, low=0)


def _summary(
    city: City, screening: CoverageReport, counted: CensusReport, cutoff: datetime
) -> RoundSummary:
    h = city.hierarchy
    counts = screening_round_counts(screening, hierarchy=h, cutoff=cutoff, census=counted)
    missed = screening.most_missed(NodeKind.GRID, len(h.nodes_of(NodeKind.GRID)))
    return RoundSummary(
        screening=screening.replay.screening,
        total=screening.total,
        counts=tuple(counts),
        missed=tuple((node.id, n) for node, n in missed),
        due=len(screening.outcomes),
    )


def round_summary(
    city: City, *, report_day: date = date(2022, 3, 27), seed: int = 0
) -> RoundSummary:
    """The testing round and census of :func:`synthetic_day`, alone, summed for its report.

    Equal to ``synthetic_day(city, report_day=report_day, seed=seed).round_summary()``
    (the round draws from its own seeded generators, never from the rest of
    the day's), so a caller can run the round in one process and the rest of
    the day, ``synthetic_day(..., testing_round=False)``, in another, and add
    the two days' counts. Same argument checks as :func:`synthetic_day`.

    >>> from gridcare.testing import synthetic_city
    >>> city = synthetic_city(scale=0.001)
    >>> round_summary(city, seed=3) == synthetic_day(city, seed=3).round_summary()
    True
    """
    return summed_round(city, report_day=report_day, seed=seed)[0]


def summed_round(
    city: City, *, report_day: date = date(2022, 3, 27), seed: int = 0
) -> tuple[RoundSummary, tuple[CoverageReport, CensusReport]]:
    """:func:`round_summary` and the round's coverage and census it was summed from.

    For a process that ends once it has sent the summary on (the demo's
    second process): holding the records, it can end without freeing them
    one by one. Same argument checks as :func:`synthetic_day`.

    >>> from gridcare.testing import synthetic_city
    >>> city = synthetic_city(scale=0.001)
    >>> summary, (screening, counted) = summed_round(city)
    >>> summary == round_summary(city), summary.due == len(screening.outcomes)
    (True, True)
    """
    require_instance(city, City, "city")
    day = _report_day(report_day)
    require_seed(seed)
    cutoff = datetime.combine(day, DEFAULT_CUTOFF, tzinfo=DEFAULT_ZONE)
    screening, counted = _testing_round(city, day - timedelta(days=1), seed)
    return _summary(city, screening, counted, cutoff), (screening, counted)


def _report_day(report_day: object) -> date:
    day = require_day(report_day, "report_day")
    first, last = REPORT_DAYS
    if not first <= day <= last:
        raise InvalidInput("out_of_range", "report_day", f"expected {first} to {last}", value=day)
    return day


def synthetic_day(
    city: City,
    *,
    report_day: date = date(2022, 3, 27),
    declarations: int | None = None,
    policy: str | Policy = "hunan-2022-03",
    seed: int = 0,
    progress: Progress | None = None,
    testing_round: bool = True,
) -> CityDay:
    """File, route, review and assess a city's declarations; run its campaign up to the cutoff.

    ``declarations`` defaults to the real city's 170,437 in proportion to the
    city's households (at most :data:`~gridcare.testing.payloads.MAX_PAYLOADS`).
    The report is cut off at 08:00 on ``report_day`` (from 1900-01-29 to
    2100-12-08, so that every record falls in 1900-2100). ``policy`` is
    a preset's name or a :class:`~gridcare.risk.Policy`; ``seed`` is from 0 to
    2**63-1; ``progress(done, total)`` is called after each of the six steps.
    With ``testing_round=False`` the sixth step, the testing round and the
    census, is left out (``screening`` and ``census`` are ``None``), for a
    caller that runs it elsewhere with :func:`round_summary`.
    Bad arguments raise :class:`~gridcare.errors.InvalidInput` before any work.

    >>> from gridcare.testing import synthetic_city
    >>> synthetic_day(synthetic_city(scale=0.001), declarations=-1)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: declarations: must not be negative [negative]
    """
    require_instance(city, City, "city")
    report_day = _report_day(report_day)
    require_instance(testing_round, bool, "testing_round")
    n = declarations
    if n is not None:
        require_int(n, "declarations", low=0, high=MAX_PAYLOADS)
    if isinstance(policy, str):
        chosen = PRESETS[policy]
    else:
        chosen = require_instance(policy, Policy, "policy")
    rng = random.Random(require_seed(seed))
    require_progress(progress)
    h = city.hierarchy
    cutoff = datetime.combine(report_day, DEFAULT_CUTOFF, tzinfo=DEFAULT_ZONE)
    households = h.nodes_of(NodeKind.HOUSEHOLD)
    if n is None:
        n = max(1, round(_REAL_DECLARATIONS * len(households) / _REAL_HOUSEHOLDS))
    steps = 6 if testing_round else 5
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, steps)

    # 1. Forms: addressed to real households (2% by an unknown door code), received
    #    over the eight days before the cutoff.
    addresses = [
        {"household_id": rng.choice(households).id}
        if rng.random() > 0.02
        else {"door_code": f"QR{rng.randrange(10**9):09d}"}
        for _ in range(n)
    ]
    first = cutoff - timedelta(days=8)
    payloads = form_payloads(n, seed=seed, received_at=first, addresses=addresses)
    receipts = [first + timedelta(seconds=rng.randrange(8 * 86400)) for _ in range(n)]
    batch = parse_forms(
        payloads, received_at=receipts, declaration_ids=[f"D{i:06d}" for i in range(n)]
    )
    accepted = tuple(batch.accepted)
    tick()

    # 2. Lifecycle: submitted, routed a minute later, reviewed (98.7%) within 30 hours.
    index = AddressIndex.from_hierarchy(h)
    events: list[DeclarationEvent] = []
    for d in accepted:
        events.append(Submitted.of(d, event_id=f"{d.id}-s"))
        route = index.route(d.address)
        routed_at = d.received_at + timedelta(minutes=1)
        events.append(routing_event(route, declaration_id=d.id, event_id=f"{d.id}-r", at=routed_at))
        if route.grid_id is not None and rng.random() < 0.987:
            started = routed_at + timedelta(minutes=rng.randrange(20, 30 * 60))
            events.append(ReviewStarted(id=f"{d.id}-v1", at=started, declaration_id=d.id))
            events.append(
                Verified(
                    id=f"{d.id}-v2",
                    at=started + timedelta(minutes=rng.randrange(5, 120)),
                    declaration_id=d.id,
                    method=VerificationMethod.DOOR_VISIT,
                )
            )
    log = tuple(e for e in events if e.at < cutoff)
    records = tuple(replay_declarations(log).records.values())
    tick()

    # 3. Assessments under the policy, as of the cutoff.
    register = synthetic_register(cutoff)
    assessments = assess_many(
        {d.id: history_of(d) for d in accepted}, register=register, policy=chosen, as_of=cutoff
    )
    tick()

    # 4. The door-knocking campaign since 2022-03-20, up to the cutoff.
    start = report_day - _CAMPAIGN_LEAD
    teams = max(1, len(households) // 800)
    model = CampaignModel(teams=teams, visits_per_team_hour=9.0, nobody_home=0.3, vacant_share=0.03)
    simulation = simulate_campaign(
        households_by_grid(h, h.root.id),
        model,
        scope=h.root.id,
        start=start,
        runs=1,
        seed=seed,
        max_days=_CAMPAIGN_DAYS,
    )
    attempts = tuple(a for a in simulation.attempts if a.at < cutoff)
    replayed = replay_visits(attempts, simulation.campaign)
    states = tuple(replayed.records.values())
    tick()

    # 5. Whistle cases: about one per 25 grids a day, most closed the next day.
    cases = _cases(rng, [g.id for g in h.nodes_of(NodeKind.GRID)], cutoff)
    tick()

    # 6. A whole-population testing round the day before, 07:30-12:30 (Liling's drill
    #    hours), pooled 10-in-1, single tubes for people in home isolation, door
    #    sampling for the flagged; then the door-knocking census of the afternoon.
    screening: CoverageReport | None = None
    counted: CensusReport | None = None
    if testing_round:
        screening, counted = _testing_round(city, report_day - timedelta(days=1), seed)
        tick()

    return CityDay(
        city=city,
        cutoff=cutoff,
        submitted=n,
        declarations=accepted,
        rejected=tuple(batch.rejected),
        declaration_records=records,
        declaration_events=log,
        assessments=assessments,
        policy=chosen,
        register=register,
        attempts=attempts,
        visit_states=states,
        cases=cases,
        screening=screening,
        census=counted,
    )


def _testing_round(city: City, day: date, seed: int) -> tuple[CoverageReport, CensusReport]:
    h = city.hierarchy
    start = datetime.combine(day, time(7, 30), tzinfo=DEFAULT_ZONE)
    screening = ScreeningRound(
        id=f"round-{day.isoformat()}", scope=h.root.id, start=start, end=start + timedelta(hours=5)
    )
    households = city.households
    # The rule of needs_door_sampling over the city's columns: no resident built for it.
    door = city.residents_where(
        lambda born, needs: trusted_door_sampling(needs, born, day, DOOR_SAMPLING_AGE)
    )
    due = due_list(screening, h, households, door_sampling=door)
    log = simulated_round_log(screening, due, seed=seed)
    replayed = replay_round(log, screening, due)
    found = simulated_census(replayed, after=screening.end, seed=seed)
    counted = census(
        h,
        found,
        scope=h.root.id,
        as_of=screening.end + timedelta(hours=12),
        residents=city.residents_by_id(),  # only the residents the lists name are built
        rule=OverdueRule(days=3),
        birth_dates=city.birth_dates_by_id(),  # ages from the birth column
    )
    return coverage(h, replayed), counted


def _cases(rng: random.Random, grids: Sequence[str], cutoff: datetime) -> tuple[WhistleCase, ...]:
    events: list[CaseEvent] = []
    topics = list(CaseTopic)
    for i in range(max(1, len(grids) * 8 // 25)):
        case_id = f"W{i:05d}"
        raised = cutoff - timedelta(minutes=rng.randrange(1, 8 * 1440))
        grid = rng.choice(grids)
        events.append(
            CaseEvent(
                id=f"{case_id}-1",
                case_id=case_id,
                at=raised,
                kind=CaseEventKind.RAISE,
                grid=grid,
                topic=rng.choice(topics),
                urgency=CaseUrgency.DAILY,
            )
        )
        if rng.random() < 0.8:
            events.append(
                CaseEvent(
                    id=f"{case_id}-2",
                    case_id=case_id,
                    at=raised + timedelta(hours=2),
                    kind=CaseEventKind.ACCEPT,
                )
            )
    kept = [e for e in events if e.at < cutoff]
    return tuple(replay_cases(kept).records.values())
