"""Feeds and roll-ups: the fast bulk paths give the same counts as a plain per-record loop."""

from __future__ import annotations

import pickle
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridcare.declarations import (
    DeclarationRecord,
    DeclarationState,
    review_metrics,
    review_overdue,
)
from gridcare.errors import InvalidInput, UnknownNode
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.reports import Count, Tally, rollup
from gridcare.reports.feeds import (
    MEASURE_METRICS,
    assessment_counts,
    declaration_counts,
    visit_counts,
)
from gridcare.risk import Assessment
from gridcare.testing import RoundCase, round_cases, synthetic_city
from gridcare.testing.scenario import CityDay, synthetic_day
from gridcare.timeutil import DEFAULT_ZONE, ReportClock
from gridcare.visits import (
    Campaign,
    HouseholdVisit,
    HouseholdVisitState,
    VisitAttempt,
    VisitOutcome,
    replay_visits,
)
from gridcare.visits.findings import (
    Dispute,
    DisputeResolution,
    Findings,
    Hazard,
    HazardKind,
    Service,
    ServiceKind,
    Severity,
)

CLOCK = ReportClock()
Key = tuple[str, str, date]


@cache
def small_day() -> CityDay:
    return synthetic_day(synthetic_city(scale=0.005, seed=3), seed=3)


def _grid_or_self(h: Hierarchy, node_id: str) -> str:
    grid = h.grid_of(node_id)
    return grid.id if grid is not None else node_id


def _stock_day(cutoff: datetime, clock: ReportClock = CLOCK) -> date:
    return clock.report_day(cutoff - timedelta(microseconds=1))


# ---------------------------------------------------------------------------- references


def reference_declarations(
    records: list[DeclarationRecord],
    h: Hierarchy,
    cutoff: datetime,
    fallback: str,
    clock: ReportClock = CLOCK,
) -> Counter[Key]:
    out: Counter[Key] = Counter()
    for r in records:
        node = fallback if r.grid_id is None or r.grid_id not in h else _grid_or_self(h, r.grid_id)
        out[(node, "declarations_received", clock.report_day(r.submitted_at))] += 1
        if r.reviewed_at is not None:
            out[(node, "declarations_reviewed", clock.report_day(r.reviewed_at))] += 1
        if r.late:
            out[(node, "declarations_late", clock.report_day(r.submitted_at))] += 1
        if r.proxy:
            out[(node, "declarations_proxy", clock.report_day(r.submitted_at))] += 1
        if (
            r.assigned_at is not None
            and r.assigned_at + timedelta(hours=24) <= cutoff
            and (r.reviewed_at is None or r.reviewed_at >= cutoff)
        ):
            out[(node, "declarations_overdue", _stock_day(cutoff, clock))] += 1
    return out


def reference_visits(
    states: list[HouseholdVisit],
    attempts: list[VisitAttempt],
    h: Hierarchy,
    cutoff: datetime | None,
    scope: str | None = None,
    clock: ReportClock = CLOCK,
) -> Counter[Key]:
    out: Counter[Key] = Counter()
    for s in states:
        if s.first_attempt_at is None:
            continue
        g = _grid_or_self(h, s.household)
        out[(g, "households_knocked", clock.report_day(s.first_attempt_at))] += 1
        if s.reached_at is not None:
            out[(g, "households_reached", clock.report_day(s.reached_at))] += 1
        if s.state is HouseholdVisitState.VACANT and s.last_attempt_at is not None:
            out[(g, "households_vacant", clock.report_day(s.last_attempt_at))] += 1
    for a in attempts:
        g = _grid_or_self(h, a.household)
        day = clock.report_day(a.at)
        out[(g, "person_visits", day)] += a.persons_seen
        if a.findings is not None:
            out[(g, "arrivals_found", day)] += len(a.findings.arrivals)
            out[(g, "hazards", day)] += len(a.findings.hazards)
            out[(g, "disputes", day)] += len(a.findings.disputes)
            out[(g, "services", day)] += len(a.findings.services)
    if cutoff is not None:
        top = scope if scope is not None else h.root.id
        for household in h.descendants(top, NodeKind.HOUSEHOLD):
            key = (_grid_or_self(h, household.id), "households_in_scope", _stock_day(cutoff, clock))
            out[key] += 1
    return +out


def as_counter(counts: list[Count]) -> Counter[Key]:
    return Counter(dict(Tally.from_counts(counts)))


# ---------------------------------------------------------------------------- a synthetic day


def test_declaration_counts_match_a_plain_loop() -> None:
    day = small_day()
    h = day.city.hierarchy
    records = list(day.declaration_records)
    got = as_counter(declaration_counts(records, hierarchy=h, cutoff=day.cutoff))
    assert got == reference_declarations(records, h, day.cutoff, h.root.id)
    assert sum(n for k, n in got.items() if k[1] == "declarations_received") == len(records)


def test_visit_counts_match_a_plain_loop() -> None:
    day = small_day()
    h = day.city.hierarchy
    states, attempts = list(day.visit_states), list(day.attempts)
    got = as_counter(visit_counts(states, hierarchy=h, attempts=attempts, cutoff=day.cutoff))
    assert got == reference_visits(states, attempts, h, day.cutoff)


def test_visit_counts_accept_iterators_and_a_narrower_scope() -> None:
    day = small_day()
    h = day.city.hierarchy
    district = h.nodes_of(NodeKind.DISTRICT)[0].id
    grid = h.nodes_of(NodeKind.GRID)[0].id
    for scope in (district, grid):
        got = visit_counts(
            iter(day.visit_states),
            hierarchy=h,
            attempts=list(day.attempts),
            scope=scope,
            cutoff=day.cutoff,
        )
        want = reference_visits(list(day.visit_states), list(day.attempts), h, day.cutoff, scope)
        assert as_counter(got) == want


def test_assessment_counts_per_grid() -> None:
    day = small_day()
    h = day.city.hierarchy
    grid_of = {r.declaration_id: r.grid_id for r in day.declaration_records}
    pairs = [(grid_of.get(k) or h.root.id, a) for k, a in day.assessments.items()]
    got = as_counter(assessment_counts(pairs, hierarchy=h, cutoff=day.cutoff))
    assert got == reference_measures(pairs, h, day.cutoff, CLOCK)


def reference_measures(
    pairs: list[tuple[str, Assessment]], h: Hierarchy, cutoff: datetime, clock: ReportClock
) -> Counter[Key]:
    """Each person's measure in force at ``cutoff`` at the grid of its node (the root for a
    node off the map), on the report day the cutoff closes."""
    out: Counter[Key] = Counter()
    day = _stock_day(cutoff, clock)
    for node, a in pairs:
        measure = a.plan.measure_at(cutoff) if a.plan is not None else None
        if measure is not None:
            place = _grid_or_self(h, node) if node in h else h.root.id
            out[(place, MEASURE_METRICS[measure], day)] += 1
    return out


def _plan_instants(day: CityDay) -> list[datetime]:
    """Every step's start and end in the small day's plans: where a measure changes."""
    found = {
        instant
        for a in day.assessments.values()
        for step in (a.plan.steps if a.plan is not None else ())
        for instant in (step.start, step.end)
        if instant is not None
    }
    return sorted(found)


@settings(max_examples=40, deadline=None)
@given(
    st.data(),
    st.integers(-36, 36).map(lambda h: timedelta(hours=h)),
    st.sampled_from([timedelta(0), timedelta(microseconds=-1)]),
)
def test_assessment_counts_count_the_measure_in_force_at_any_cutoff(
    data: st.DataObject, hours: timedelta, edge: timedelta
) -> None:
    """Before a plan starts, on its steps' edges, between them and after its end, every person
    counts under the measure in force at the cutoff, whatever the report clock."""
    day = small_day()
    h = day.city.hierarchy
    cutoff = data.draw(st.sampled_from(_plan_instants(day))) + hours + edge
    clock = data.draw(st.sampled_from([CLOCK, ReportClock(cutoff=time(20, 0))]))
    grid_of = {r.declaration_id: r.grid_id for r in day.declaration_records}
    pairs = [(grid_of.get(k) or h.root.id, a) for k, a in day.assessments.items()]
    got = as_counter(assessment_counts(pairs, hierarchy=h, cutoff=cutoff, clock=clock))
    assert got == reference_measures(pairs, h, cutoff, clock)


def test_the_day_rolls_up_as_a_sum_over_ancestors() -> None:
    day = small_day()
    h = day.city.hierarchy
    t = day.tally()
    rolled = rollup(h, t)
    want: Counter[Key] = Counter()
    for (node, name, d), n in t:
        for target in (h.node(node), *h.ancestors(node)):
            want[(target.id, name, d)] += n
    got = {
        (node.id, name, d): rolled.value(node.id, name, d)
        for node in h
        if node.kind is not NodeKind.HOUSEHOLD
        for name in {k[1] for k, _ in t}
        for d in rolled.days
    }
    assert {k: v for k, v in got.items() if v} == dict(want)
    assert rolled.days == sorted({k[2] for k in want})


# ---------------------------------------------------------------------------- edges

# A household straight under a community (above grid level) counts at itself.
EDGE = Hierarchy(
    [
        Node("C", NodeKind.CITY, "c"),
        Node("M", NodeKind.COMMUNITY, "m", "C"),
        Node("G", NodeKind.GRID, "g", "M"),
        Node("H1", NodeKind.HOUSEHOLD, "h1", "G"),
        Node("H2", NodeKind.HOUSEHOLD, "h2", "G"),
        Node("H3", NodeKind.HOUSEHOLD, "h3", "M"),
    ]
)
T0 = datetime(2022, 3, 20, 7, 59, tzinfo=DEFAULT_ZONE)
CUTOFF = datetime(2022, 3, 23, 8, tzinfo=DEFAULT_ZONE)
CAMPAIGN = Campaign(id="K", scope="C", round=1, start=T0 - timedelta(hours=1), end=CUTOFF)


def attempt(i: int, household: str, at: datetime, **kw: object) -> VisitAttempt:
    return VisitAttempt(
        id=f"a{i}",
        campaign_id="K",
        household=household,
        team="T",
        at=at,
        **kw,  # type: ignore[arg-type]
    )


def edge_attempts() -> list[VisitAttempt]:
    found = Findings(
        disputes=(Dispute(DisputeResolution.ESCALATED),),
        services=(Service(ServiceKind.NAT_AT_HOME), Service(ServiceKind.NAT_AT_HOME)),
    )
    return [
        attempt(1, "H1", T0, outcome=VisitOutcome.NOBODY_HOME),
        # 08:00 exactly belongs to the next report day (first cutoff strictly after)
        attempt(
            2,
            "H1",
            T0 + timedelta(minutes=1, hours=5),
            outcome=VisitOutcome.REACHED,
            persons_seen=3,
            findings=found,
        ),
        attempt(3, "H2", T0 + timedelta(minutes=1), outcome=VisitOutcome.VACANT),
        # a UTC instant: same report day as its local time says
        attempt(
            4,
            "H3",
            datetime(2022, 3, 21, 0, 30, tzinfo=UTC),
            outcome=VisitOutcome.REACHED,
            persons_seen=2,
        ),
    ]


def test_visit_edges_household_above_grid_findings_boundaries_and_zones() -> None:
    tried = edge_attempts()
    states = list(replay_visits(tried, CAMPAIGN).records.values())
    got = as_counter(visit_counts(states, hierarchy=EDGE, attempts=tried, cutoff=CUTOFF))
    assert got == reference_visits(states, tried, EDGE, CUTOFF)
    assert got[("H3", "person_visits", date(2022, 3, 22))] == 2  # 08:30 local
    assert got[("G", "households_vacant", date(2022, 3, 21))] == 1
    assert got[("G", "services", date(2022, 3, 21))] == 2
    assert got[("G", "households_in_scope", date(2022, 3, 23))] == 2
    assert got[("H3", "households_in_scope", date(2022, 3, 23))] == 1


def test_visit_counts_of_nothing_and_of_an_unknown_household() -> None:
    assert visit_counts([], hierarchy=EDGE) == []
    seen = attempt(9, "nowhere", T0, outcome=VisitOutcome.REACHED, persons_seen=1)
    with pytest.raises(UnknownNode):
        visit_counts([], hierarchy=EDGE, attempts=[seen])
    found = attempt(
        8,
        "nowhere",
        T0,
        outcome=VisitOutcome.VACANT,
        findings=Findings(hazards=(Hazard(HazardKind.FIRE, Severity.LOW, "x"),)),
    )
    with pytest.raises(UnknownNode):
        visit_counts([], hierarchy=EDGE, attempts=[found])
    # An attempt that saw nobody and found nothing adds to no count, but its
    # household is looked up all the same: one off the map is an error.
    stray = attempt(7, "nowhere", T0, outcome=VisitOutcome.NOBODY_HOME)
    with pytest.raises(UnknownNode) as err:
        visit_counts([], hierarchy=EDGE, attempts=[stray])
    assert err.value.node_id == "nowhere"
    quiet = attempt(6, "H1", T0, outcome=VisitOutcome.NOBODY_HOME)
    assert visit_counts([], hierarchy=EDGE, attempts=[quiet]) == []
    state = HouseholdVisit(
        household="nowhere",
        campaign_id="K",
        state=HouseholdVisitState.NOBODY_HOME,
        attempts=1,
        first_attempt_at=T0,
        last_attempt_at=T0,
    )
    with pytest.raises(UnknownNode):
        visit_counts([state], hierarchy=EDGE, attempts=[stray])


def test_declarations_unrouted_or_off_the_map_go_to_the_fallback() -> None:
    def record(i: int, grid: str | None) -> DeclarationRecord:
        return DeclarationRecord(
            declaration_id=f"D{i}",
            state=DeclarationState.ASSIGNED if grid else DeclarationState.UNROUTED,
            submitted_at=T0 + timedelta(hours=i),
            updated_at=T0 + timedelta(hours=i),
            grid_id=grid,
            assigned_at=T0 + timedelta(hours=i) if grid else None,
            late=i % 2 == 0,
        )

    records = [record(0, "G"), record(1, None), record(2, "elsewhere"), record(3, "H1")]
    got = as_counter(declaration_counts(iter(records), hierarchy=EDGE, cutoff=CUTOFF))
    assert got == reference_declarations(records, EDGE, CUTOFF, "C")
    other = as_counter(declaration_counts(records, hierarchy=EDGE, unrouted_node="M"))
    assert other[("M", "declarations_received", date(2022, 3, 21))] == 2
    assert declaration_counts([], hierarchy=EDGE, cutoff=CUTOFF) == []


@given(
    st.lists(
        st.tuples(
            st.sampled_from([n.id for n in EDGE]),
            st.sampled_from(["hazards", "services", "households_in_scope"]),
            st.integers(0, 5),
            st.integers(0, 3),
        ),
        max_size=25,
    )
)
def test_rollup_equals_the_sum_over_each_node_and_its_ancestors(
    items: list[tuple[str, str, int, int]],
) -> None:
    t = Tally.empty()
    for node, name, n, d in items:
        t = t.add(node, name, n, day=date(2022, 3, 20) + timedelta(days=d))
    rolled = rollup(EDGE, t)
    want: Counter[Key] = Counter()
    for (node, name, d), n in t:
        for target in (EDGE.node(node), *EDGE.ancestors(node)):
            want[(target.id, name, d)] += n
    for (node, name, d), n in want.items():
        assert rolled.value(node, name, d) == n
    assert rolled.days == sorted({k[2] for k in want})


def test_withdrawn_declarations_are_never_overdue() -> None:
    from datetime import datetime, timedelta

    from gridcare.declarations import DeclarationRecord, DeclarationState
    from gridcare.hierarchy import Hierarchy, Node, NodeKind
    from gridcare.reports.feeds import declaration_counts
    from gridcare.timeutil import DEFAULT_ZONE

    h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
    cutoff = datetime(2022, 3, 27, 8, tzinfo=DEFAULT_ZONE)
    assigned = cutoff - timedelta(days=2)

    def record(i: int, state: DeclarationState, updated: datetime) -> DeclarationRecord:
        return DeclarationRecord(
            declaration_id=f"D{i}",
            state=state,
            submitted_at=assigned,
            updated_at=updated,
            grid_id="G",
            assigned_at=assigned,
            first_assigned_at=assigned,
        )

    records = [
        record(1, DeclarationState.ASSIGNED, assigned),
        record(2, DeclarationState.WITHDRAWN, cutoff - timedelta(hours=1)),
        record(3, DeclarationState.WITHDRAWN, cutoff + timedelta(hours=1)),  # after the cutoff
    ]
    counts = declaration_counts(records, hierarchy=h, cutoff=cutoff)
    overdue = sum(c.n for c in counts if c.metric == "declarations_overdue")
    assert overdue == 2


# ---------------------------------------------------------------------------- the fast paths
# The feeds count day indices over a window of report days centred on the first instant
# seen, and count again over the exact span when an instant falls outside; states of
# households not yet knocked, large persons_seen and other zones take slower paths.

# The clock's zone, UTC, an equal copy of the zone (as unpickled) and a fixed offset
# (as parsed from text): the day-index path is chosen from the first instant's tzinfo.
ZONES = st.sampled_from(
    [DEFAULT_ZONE, UTC, pickle.loads(pickle.dumps(DEFAULT_ZONE)), timezone(timedelta(hours=8))]
)
OFFSETS = st.one_of(
    st.integers(-3 * 24 * 60, 3 * 24 * 60),  # within the window
    st.integers(-400 * 24 * 60, 400 * 24 * 60),  # far outside it
)


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    return (T0 + timedelta(minutes=draw(OFFSETS))).astimezone(draw(ZONES))


@st.composite
def household_states(draw: st.DrawFn) -> HouseholdVisit:
    household = draw(st.sampled_from(["H1", "H2", "H3"]))
    if draw(st.booleans()):
        return HouseholdVisit(household=household, campaign_id="K")
    # A state other than "not started" without a first attempt is counted as not knocked.
    first = draw(st.one_of(instants(), st.none()))
    return HouseholdVisit(
        household=household,
        campaign_id="K",
        state=draw(st.sampled_from([s for s in HouseholdVisitState if s.value != "not_started"])),
        attempts=1,
        first_attempt_at=first,
        last_attempt_at=draw(st.one_of(st.none(), instants())),
        reached_at=draw(st.one_of(st.none(), instants())),
    )


@st.composite
def visit_attempts(draw: st.DrawFn) -> list[VisitAttempt]:
    found = Findings(services=(Service(ServiceKind.NAT_AT_HOME),))
    out = []
    for i in range(draw(st.integers(0, 12))):
        reached = draw(st.booleans())
        out.append(
            attempt(
                i,
                draw(st.sampled_from(["H1", "H2", "H3"])),
                draw(instants()),
                outcome=VisitOutcome.REACHED if reached else VisitOutcome.NOBODY_HOME,
                persons_seen=draw(st.integers(1, 90)) if reached else 0,
                # findings without anyone seen (a hazard at a vacant home) count too
                findings=found if draw(st.booleans()) else None,
            )
        )
    return out


#: The default report clock, one cut off before it (so that the cutoff's own report day
#: differs), and one in another zone.
CLOCKS = st.sampled_from([CLOCK, ReportClock(cutoff=time(6, 0)), ReportClock(zone=UTC)])


@given(st.lists(household_states(), max_size=12), visit_attempts(), CLOCKS)
def test_visit_counts_equal_a_plain_loop_over_any_span_and_zone(
    states: list[HouseholdVisit], tried: list[VisitAttempt], clock: ReportClock
) -> None:
    got = visit_counts(states, hierarchy=EDGE, attempts=tried, cutoff=CUTOFF, clock=clock)
    assert as_counter(got) == reference_visits(states, tried, EDGE, CUTOFF, clock=clock)


@given(st.lists(st.tuples(instants(), st.one_of(st.none(), instants())), max_size=12), CLOCKS)
def test_declaration_counts_equal_a_plain_loop_over_any_span_and_zone(
    times: list[tuple[datetime, datetime | None]], clock: ReportClock
) -> None:
    records = [
        DeclarationRecord(
            declaration_id=f"D{i}",
            state=DeclarationState.ASSIGNED,
            submitted_at=submitted,
            updated_at=submitted,
            grid_id=("G", "H3", None)[i % 3],
            assigned_at=submitted,
            reviewed_at=reviewed,
            late=i % 2 == 0,
            proxy=i % 5 == 0,
        )
        for i, (submitted, reviewed) in enumerate(times)
    ]
    got = as_counter(declaration_counts(records, hierarchy=EDGE, cutoff=CUTOFF, clock=clock))
    assert got == reference_declarations(records, EDGE, CUTOFF, "C", clock)


def _naive_reached() -> list[HouseholdVisit]:
    return [
        HouseholdVisit(
            household="H1",
            campaign_id="K",
            state=HouseholdVisitState.REACHED,
            first_attempt_at=T0,
            reached_at=T0.replace(tzinfo=None),
        )
    ]


def _naive_first_attempt() -> list[HouseholdVisit]:
    return [
        HouseholdVisit(household="H2", campaign_id="K"),
        HouseholdVisit(
            household="H1",
            campaign_id="K",
            state=HouseholdVisitState.NOBODY_HOME,
            first_attempt_at=T0.replace(tzinfo=None),
        ),
    ]


def _naive_submitted() -> list[DeclarationRecord]:
    return [
        DeclarationRecord(
            declaration_id="D1",
            state=DeclarationState.SUBMITTED,
            submitted_at=T0.replace(tzinfo=None),
            updated_at=T0,
        )
    ]


def test_a_naive_instant_is_named_not_miscounted() -> None:
    # The record may refuse the instant itself; if it does not, the feed names it.
    with pytest.raises(InvalidInput, match="reached_at"):
        visit_counts(_naive_reached(), hierarchy=EDGE)
    with pytest.raises(InvalidInput, match="first_attempt_at"):
        visit_counts(_naive_first_attempt(), hierarchy=EDGE)
    with pytest.raises(InvalidInput, match="submitted_at"):
        declaration_counts(_naive_submitted(), hierarchy=EDGE)


def test_a_state_without_a_first_attempt_is_not_knocked_whatever_its_state() -> None:
    odd = HouseholdVisit(household="H1", campaign_id="K", state=HouseholdVisitState.NOBODY_HOME)
    fine = HouseholdVisit(
        household="H2",
        campaign_id="K",
        state=HouseholdVisitState.VACANT,
        first_attempt_at=T0,
        last_attempt_at=T0 + timedelta(days=200),  # far outside the first window
    )
    got = as_counter(visit_counts([odd, fine], hierarchy=EDGE))
    assert got == reference_visits([odd, fine], [], EDGE, None)
    assert got[("G", "households_knocked", date(2022, 3, 20))] == 1
    assert sum(got.values()) == 2  # H2 knocked and vacant; H1 counts nowhere


def test_assessment_counts_go_to_the_grid_the_node_itself_or_the_root() -> None:
    day = small_day()
    in_force = [
        a
        for a in day.assessments.values()
        if a.plan is not None and a.plan.measure_at(day.cutoff) is not None
    ]
    assert in_force, "the small day has people under a measure at its cutoff"
    nodes = ["H1", "H2", "H3", "G", "M", "nowhere"]
    pairs = [(nodes[i % len(nodes)], a) for i, a in enumerate(in_force[:30])]
    got = as_counter(assessment_counts(pairs, hierarchy=EDGE, cutoff=day.cutoff))
    placed = {"H1": "G", "H2": "G", "H3": "H3", "G": "G", "M": "M", "nowhere": "C"}
    assert sorted({k[0] for k in got}) == sorted({placed[n] for n, _ in pairs})
    assert sum(got.values()) == len(pairs)
    assert got == as_counter(
        assessment_counts([(placed[n], a) for n, a in pairs], hierarchy=EDGE, cutoff=day.cutoff)
    )


# ---------------------------------------------------------------------------- testing rounds


@settings(max_examples=60, deadline=None)
@given(case=round_cases(), clock=CLOCKS)
def test_a_rounds_levels_roll_up_to_each_nodes_coverage(
    case: RoundCase, clock: ReportClock
) -> None:
    """Counted where attached, summed up the tree: every node gets its subtree's figure, on
    the report day of the instant just before the cutoff by the clock given."""
    from gridcare.reports.feeds import screening_round_counts
    from gridcare.screening import coverage, replay_round, screening_counts

    report = coverage(case.hierarchy, replay_round(case.events, case.screening, case.due))
    cutoff = case.screening.end + timedelta(days=1)
    counts = screening_round_counts(report, hierarchy=case.hierarchy, cutoff=cutoff, clock=clock)
    rolled = rollup(case.hierarchy, Tally.from_counts(counts))
    day = _stock_day(cutoff, clock)
    for (node, name), n in screening_counts(report).items():
        assert rolled.value(node, name, day) == n
    assert all(c.n > 0 for c in counts)


# ---------------------------------------------------------------------------- one overdue rule


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 72), st.integers(0, 96))
def test_the_report_and_the_review_metrics_agree_on_overdue_reviews(hours: int, later: int) -> None:
    """Both count with ``review_overdue``: the report's ``declarations_overdue`` over the city
    is the review metrics' overdue count, for any limit and instant."""
    day = small_day()
    h = day.city.hierarchy
    as_of = day.cutoff + timedelta(hours=later)
    limit = timedelta(hours=hours)
    records = list(day.declaration_records)
    counts = declaration_counts(records, hierarchy=h, cutoff=as_of, review_hours=hours)
    reported = sum(c.n for c in counts if c.metric == "declarations_overdue")
    assert reported == review_metrics(records, as_of=as_of, overdue_after=limit).city.overdue
    assert reported == sum(review_overdue(r, as_of, limit) for r in records)


def test_a_review_is_not_overdue_at_the_instant_of_its_assignment() -> None:
    """With no time allowed, a review is overdue from just after its assignment, not at it."""
    t = datetime(2022, 3, 26, 9, tzinfo=DEFAULT_ZONE)
    r = DeclarationRecord(
        declaration_id="D1",
        state=DeclarationState.ASSIGNED,
        submitted_at=t,
        updated_at=t,
        grid_id="G",
        assigned_at=t,
    )
    assert not review_overdue(r, t, timedelta(0))
    assert review_overdue(r, t + timedelta(microseconds=1), timedelta(0))
    at_assignment = declaration_counts([r], hierarchy=EDGE, cutoff=t, review_hours=0)
    assert "declarations_overdue" not in {c.metric for c in at_assignment}
