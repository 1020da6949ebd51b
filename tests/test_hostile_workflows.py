"""Garbage into the workflows: visits, cases, the screening guards, the machine and errors.

Each bug class found by ``python tests/hostile.py`` gets a regression test
asserting the code and the field of the ``InvalidInput`` it now raises; a
sweep then throws generated garbage at every entry point of these modules
(the other arguments valid) and lets only a ``GridcareError`` out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.cases import (
    DEFAULT_CASE_DEADLINES,
    CaseDeadlines,
    CaseEvent,
    CaseEventKind,
    CaseState,
    CaseTopic,
    CaseUrgency,
    OverdueCase,
    OverdueCheckIn,
    UrgencyDeadlines,
    WhistleCase,
    apply_case_event,
    case_event_kind,
    department_awaited,
    overdue_cases,
    overdue_check_ins,
    same_case,
)
from gridcare.errors import (
    MAX_SHOWN,
    FieldError,
    GridcareError,
    IllegalTransition,
    InvalidInput,
    require_instance,
    require_int,
    require_items,
    safe_text,
)
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.machine import NEW, Machine, Rejection, Replay, group_by_subject, replay_order
from gridcare.people import IdKind, RedactedResident, RedactedWorker, WorkerRole
from gridcare.rates import Rate
from gridcare.screening import (
    DueList,
    ResidentRecord,
    ResidentState,
    RoundSimulation,
    ScreeningRound,
    SwabAdded,
    TubeKind,
    pool_has_room,
    resident_state_as_of,
    retest_due,
    retest_matches,
    single_tube_respected,
    tube_accepted,
)
from gridcare.screening.coverage import MopUpList
from gridcare.screening.round import require_count
from gridcare.visits import (
    HOUSEHOLD_VISIT_MACHINE,
    Campaign,
    HouseholdVisit,
    HouseholdVisitState,
    VisitAttempt,
    VisitChannel,
    VisitEventKind,
    VisitOutcome,
    VisitReplay,
    apply_visit_event,
    attempt_kind,
    reaches_attempt_limit,
    replay_visits,
    require_text,
    revisit_due,
    visit_event_kind,
)
from gridcare.visits.findings import (
    Hazard,
    HazardKind,
    PremisesCheck,
    PremisesInspection,
    Severity,
)
from gridcare.visits.lifecycle import HouseholdReplay
from gridcare.visits.planning import (
    CampaignDay,
    CampaignModel,
    CampaignPlan,
    CampaignSimulation,
    Crew,
    GridPlan,
    SimulationRun,
    allocate_teams,
    plan_campaign,
    simulate_campaign,
    simulated_campaign_day,
)
from gridcare.visits.progress import (
    ActorKind,
    MopUp,
    MopUpItem,
    NodeProgress,
    ProgressReport,
    WorkloadRow,
    mop_up,
    progress,
    workload,
)


def _deep(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


DEEP = _deep(50_000)
T0 = datetime(2022, 3, 20, 7, tzinfo=UTC)
NAIVE = datetime(2022, 3, 20, 7)
CAMPAIGN = Campaign(id="K", scope="D", round=1, start=T0, end=T0 + timedelta(days=8))
ATTEMPT = VisitAttempt(
    id="a1", campaign_id="K", household="H1", team="T", at=T0, outcome=VisitOutcome.NOBODY_HOME
)
RECORD = apply_visit_event(None, ATTEMPT, CAMPAIGN)
CITY = Hierarchy(
    [
        Node("D", NodeKind.DISTRICT, "d"),
        Node("G", NodeKind.GRID, "g", "D"),
        Node("H1", NodeKind.HOUSEHOLD, "1", "G"),
        Node("H2", NodeKind.HOUSEHOLD, "2", "G"),
    ]
)
REPORT = progress(CITY, CAMPAIGN, [ATTEMPT], T0 + timedelta(days=1))
MODEL = CampaignModel(teams=1, visits_per_team_hour=10)
RAISE = CaseEvent(
    id="e1",
    at=T0,
    case_id="C1",
    kind=CaseEventKind.RAISE,
    grid="G",
    topic=CaseTopic.HAZARD,
    urgency=CaseUrgency.EMERGENCY,
)
CASE = apply_case_event(None, RAISE)
ROUND = ScreeningRound(id="S1", scope="C", start=T0, end=T0 + timedelta(hours=5))
DUE = DueList(round_id="S1", scope_position=0, household_of={"R1": "H"}, place_of={"R1": 0})
SWAB = SwabAdded(id="s1", at=T0, round_id="S1", resident_id="R1", tube_id="T1")
SAMPLED = ResidentRecord("R1", ResidentState.SAMPLED, tube_id="T1")


def _refused(call: Callable[[], object], code: str, field: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        call()
    assert (info.value.code, info.value.field) == (code, field)
    return info.value


# ----------------------------------------------------------------------------- errors


def test_safe_text_takes_text_and_a_whole_limit() -> None:
    _refused(lambda: safe_text(13812345678), "wrong_type", "text")  # type: ignore[arg-type]
    _refused(lambda: safe_text("x", None), "not_integer", "limit")  # type: ignore[arg-type]
    _refused(lambda: safe_text("x", Decimal("NaN")), "not_integer", "limit")  # type: ignore[arg-type]
    _refused(lambda: safe_text("x", 2), "out_of_range", "limit")
    assert safe_text("abcdef", 3) == "..."


@given(st.text(max_size=300), st.integers(min_value=3, max_value=500))
def test_safe_text_always_gives_text_that_encodes(text: str, limit: int) -> None:
    shown = safe_text(text, limit)
    shown.encode("utf-8")
    # A text that fits both this limit and the default one is shown alike under both (the
    # masks aside); a longer one, or one its escapes made longer, is cut at its own limit.
    assert len(shown) <= limit
    default = safe_text(text)
    escaped_and_cut = any("\\u" in x for x in (shown, default)) and any(
        x.endswith("...") for x in (shown, default)
    )
    assert (
        len(text) > min(limit, MAX_SHOWN)
        or shown.replace("*", "") == default.replace("*", "")
        or escaped_and_cut
    )


def test_invalid_input_lists_field_errors_only() -> None:
    _refused(lambda: InvalidInput("c", "f", "m", errors=5), "not_list", "errors")  # type: ignore[arg-type]
    _refused(
        lambda: InvalidInput("c", "f", "m", errors=[object()]),  # type: ignore[list-item]
        "wrong_type",
        "errors.0",
    )
    err = InvalidInput("c", "f", "m", errors=[FieldError("a", "b", "c")])
    assert err.errors[0].code == "a"


def test_the_check_helpers_check_their_own_arguments() -> None:
    _refused(lambda: require_instance(1, None, "x"), "wrong_type", "kind")  # type: ignore[arg-type]
    _refused(lambda: require_items([1], None, "x"), "wrong_type", "kind")  # type: ignore[arg-type]
    _refused(lambda: require_int(1, "x", low="0"), "not_integer", "low")  # type: ignore[arg-type]
    _refused(lambda: require_int(1, "x", high=DEEP), "not_integer", "high")  # type: ignore[arg-type]
    _refused(lambda: require_count(1, "x", low=DEEP), "bad_number", "low")  # type: ignore[arg-type]
    _refused(lambda: require_text("x", DEEP), "not_string", "field")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- machine


class Light(StrEnum):
    OFF = "off"
    ON = "on"


class Press(StrEnum):
    FIT = "fit"
    PRESS = "press"


LIGHT = Machine(
    "light",
    {(NEW, Press.FIT): Light.OFF, (Light.OFF, Press.PRESS): Light.ON},
)


@attrs.frozen
class Tick:
    id: str
    at: datetime


def test_a_machine_checks_its_name_and_table() -> None:
    _refused(lambda: Machine("", {}), "missing", "name")
    _refused(lambda: Machine("m", None), "wrong_type", "table")  # type: ignore[arg-type]
    _refused(lambda: Machine("m", {"ab": Light.ON}), "bad_table", "table.0")  # type: ignore[dict-item]
    _refused(
        lambda: Machine("m", {(NEW, Press.FIT): Light.ON, (Light.ON, "press"): Light.OFF}),  # type: ignore[dict-item]
        "bad_table",
        "table.1",
    )


def test_next_and_is_legal_refuse_values_of_another_type() -> None:
    _refused(lambda: LIGHT.next(DEEP, Press.PRESS), "bad_state", "state")  # type: ignore[arg-type]
    _refused(lambda: LIGHT.next(Light.OFF, [1]), "bad_enum", "kind")  # type: ignore[arg-type]
    _refused(lambda: LIGHT.is_legal({}, Press.PRESS), "bad_state", "state")  # type: ignore[arg-type]
    _refused(lambda: LIGHT.next(Light.OFF, Light.ON), "bad_enum", "kind")  # type: ignore[arg-type]
    # A member's text is the member (StrEnum): still the table's answer.
    assert LIGHT.next(Light.OFF, "press") is Light.ON  # type: ignore[arg-type]
    with pytest.raises(IllegalTransition):
        LIGHT.next(Light.ON, Press.PRESS)


@given(
    st.one_of(st.none(), st.sampled_from(Light), st.integers(), st.text(), st.lists(st.integers())),
    st.one_of(st.sampled_from(Press), st.integers(), st.text(), st.lists(st.integers())),
)
def test_next_gives_a_state_or_a_gridcare_error(state: Any, kind: Any) -> None:
    typed = (state is None or isinstance(state, str)) and isinstance(kind, str)
    if not typed:
        with pytest.raises(InvalidInput, match=r"\[bad_(state|enum)\]"):
            LIGHT.next(state, kind)
    elif LIGHT.is_legal(state, kind):
        assert LIGHT.next(state, kind) in LIGHT.states
    else:
        with pytest.raises(IllegalTransition):
            LIGHT.next(state, kind)


def test_replay_order_refuses_what_is_not_an_event() -> None:
    _refused(lambda: replay_order("b"), "bad_event", "event.id")  # type: ignore[arg-type]
    _refused(lambda: replay_order(Tick("b", NAIVE)), "bad_event", "event.at")
    _refused(lambda: replay_order(DEEP), "bad_event", "event.id")  # type: ignore[arg-type]


@given(
    st.text(max_size=20),
    st.datetimes(
        min_value=datetime(1900, 1, 2), max_value=datetime(2100, 12, 30), timezones=st.just(UTC)
    ),
)
def test_replay_order_is_the_instant_then_the_id(ident: str, at: datetime) -> None:
    assert replay_order(Tick(ident, at)) == (at, ident)


def test_rejection_and_replay_check_their_fields() -> None:
    error = IllegalTransition("done", "start")
    _refused(lambda: Rejection("evt", error), "bad_event", "event.id")
    _refused(lambda: Rejection(Tick("e", T0), ValueError("x")), "wrong_type", "error")  # type: ignore[arg-type]
    _refused(lambda: Replay(DEEP, (), (), ()), "wrong_type", "records")  # type: ignore[arg-type]
    _refused(lambda: Replay({}, [ATTEMPT], (), ()), "wrong_type", "applied")  # type: ignore[arg-type]
    _refused(lambda: group_by_subject([ATTEMPT], "household"), "not_callable", "subject")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- cases


def test_case_guards_take_a_case_and_an_event() -> None:
    accept = CaseEvent(id="e2", at=T0, case_id="C1", kind=CaseEventKind.ACCEPT)
    _refused(lambda: same_case("C1", accept), "bad_case", "case")  # type: ignore[arg-type]
    _refused(lambda: same_case(CASE, object()), "bad_event", "event")  # type: ignore[arg-type]
    _refused(lambda: department_awaited(None, accept), "bad_case", "case")  # type: ignore[arg-type]
    _refused(lambda: department_awaited(CASE, DEEP), "bad_event", "event")  # type: ignore[arg-type]
    _refused(lambda: case_event_kind(object(), accept), "bad_case", "case")  # type: ignore[arg-type]
    _refused(lambda: case_event_kind(None, "accept"), "bad_event", "event")  # type: ignore[arg-type]
    assert same_case(CASE, accept)
    assert department_awaited(CASE, accept)


def test_overdue_lists_check_the_cases_and_the_deadlines() -> None:
    _refused(lambda: overdue_cases(5, T0), "not_list", "cases")  # type: ignore[arg-type]
    _refused(lambda: overdue_check_ins([CASE, None], T0), "wrong_type", "cases.1")  # type: ignore[list-item]
    _refused(
        lambda: overdue_check_ins([CASE], T0, deadlines="x"),  # type: ignore[arg-type]
        "bad_deadline",
        "deadlines",
    )
    assert [o.stage for o in overdue_cases([CASE], T0 + timedelta(hours=1))] == ["accept"]


def test_case_values_check_their_fields() -> None:
    _refused(lambda: attrs.evolve(CASE, id=DEEP), "not_string", "id")
    _refused(lambda: attrs.evolve(CASE, state="raised"), "bad_enum", "state")
    _refused(lambda: attrs.evolve(CASE, dispatched=[("fire", T0)]), "bad_departments", "dispatched")
    _refused(lambda: attrs.evolve(CASE, accepted_at=NAIVE), "naive_datetime", "accepted_at")
    _refused(lambda: attrs.evolve(CASE, reopen_count=-1), "negative", "reopen_count")
    _refused(lambda: attrs.evolve(CASE, event_ids=[DEEP]), "bad_record", "event_ids")
    _refused(lambda: CaseDeadlines(daily=timedelta(days=1)), "bad_deadline", "daily")  # type: ignore[arg-type]
    day = timedelta(days=1)
    _refused(lambda: UrgencyDeadlines(day, day, timedelta.max), "bad_deadline", "close")
    _refused(lambda: OverdueCase("C", "later", T0), "bad_stage", "stage")
    _refused(lambda: OverdueCase("C", DEEP, T0), "bad_stage", "stage")  # type: ignore[arg-type]
    _refused(lambda: OverdueCheckIn("C", "fire", NAIVE), "naive_datetime", "due")
    _refused(lambda: OverdueCheckIn("C", DEEP, T0), "not_string", "department")  # type: ignore[arg-type]
    assert WhistleCase("C", "G", CaseTopic.HAZARD, CaseUrgency.DAILY, T0).state is CaseState.RAISED


# ----------------------------------------------------------------------------- screening guards


def test_screening_guards_check_their_arguments() -> None:
    _refused(lambda: pool_has_room("1", TubeKind.POOLED, ROUND), "bad_number", "size")  # type: ignore[arg-type]
    _refused(lambda: pool_has_room(1, "pooled", ROUND), "bad_enum", "kind")  # type: ignore[arg-type]
    _refused(lambda: pool_has_room(1, TubeKind.POOLED, None), "bad_round", "screening")  # type: ignore[arg-type]
    _refused(lambda: single_tube_respected(object(), SWAB), "bad_due", "due")  # type: ignore[arg-type]
    _refused(lambda: single_tube_respected(DUE, None), "bad_event", "event")  # type: ignore[arg-type]
    _refused(lambda: tube_accepted(5, SWAB), "bad_tubes", "tubes")  # type: ignore[arg-type]
    _refused(lambda: tube_accepted({}, "s1"), "bad_event", "event")  # type: ignore[arg-type]
    _refused(lambda: retest_matches(object(), SWAB), "bad_record", "record")  # type: ignore[arg-type]
    _refused(lambda: retest_matches(SAMPLED, DEEP), "bad_event", "event")  # type: ignore[arg-type]
    _refused(lambda: retest_due(SAMPLED, {}, NAIVE), "naive_datetime", "at")
    _refused(lambda: retest_due(None, {}, T0), "bad_record", "record")  # type: ignore[arg-type]
    _refused(lambda: resident_state_as_of(SAMPLED, None, T0), "bad_tubes", "tubes")  # type: ignore[arg-type]
    _refused(lambda: resident_state_as_of(SAMPLED, {}, date(1, 1, 1)), "not_datetime", "at")  # type: ignore[arg-type]
    assert pool_has_room(1, TubeKind.POOLED, ROUND)
    assert resident_state_as_of(SAMPLED, {}, T0) is ResidentState.SAMPLED


def test_screening_results_check_their_fields() -> None:
    served = Rate(1, 1)
    _refused(lambda: MopUpList(DEEP, {}), "not_string", "round_id")  # type: ignore[arg-type]
    _refused(
        lambda: RoundSimulation("S", 0, 1, served, 1.0, math.nan, 1.0),
        "bad_number",
        "p95_wait_minutes",
    )
    _refused(lambda: RoundSimulation("S", 0, 1, 0.5, 1.0, 1.0, 1.0), "bad_rate", "served_in_window")  # type: ignore[arg-type]
    _refused(lambda: RoundSimulation("S", -1, 1, served, 1.0, 1.0, 1.0), "bad_number", "seed")


# ----------------------------------------------------------------------------- visits


def test_visit_guards_check_their_arguments() -> None:
    _refused(lambda: visit_event_kind(ATTEMPT, 0, object()), "bad_campaign", "campaign")  # type: ignore[arg-type]
    _refused(lambda: visit_event_kind(object(), 0, CAMPAIGN), "bad_attempt", "attempt")  # type: ignore[arg-type]
    _refused(lambda: visit_event_kind(ATTEMPT, -1, CAMPAIGN), "negative", "attempts_before")
    _refused(lambda: visit_event_kind(ATTEMPT, DEEP, CAMPAIGN), "not_integer", "attempts_before")  # type: ignore[arg-type]
    _refused(lambda: reaches_attempt_limit("1", CAMPAIGN), "not_integer", "attempts_before")  # type: ignore[arg-type]
    _refused(lambda: reaches_attempt_limit(1, None), "bad_campaign", "campaign")  # type: ignore[arg-type]
    _refused(lambda: attempt_kind("refused", VisitChannel.DOOR), "bad_enum", "outcome")  # type: ignore[arg-type]
    _refused(lambda: attempt_kind(VisitOutcome.REACHED, [None]), "bad_enum", "channel")  # type: ignore[arg-type]
    state = HouseholdVisitState.NOBODY_HOME
    _refused(lambda: revisit_due("nobody_home", T0, None, CAMPAIGN, T0), "bad_enum", "state")  # type: ignore[arg-type]
    _refused(
        lambda: revisit_due(state, NAIVE, None, CAMPAIGN, T0), "naive_datetime", "last_attempt_at"
    )
    _refused(lambda: revisit_due(state, T0, None, CAMPAIGN, DEEP), "not_datetime", "as_of")  # type: ignore[arg-type]
    _refused(lambda: RECORD.state_as_of(object(), T0), "bad_campaign", "campaign")  # type: ignore[arg-type]
    _refused(lambda: RECORD.state_as_of(CAMPAIGN, NAIVE), "naive_datetime", "as_of")
    assert visit_event_kind(ATTEMPT, 2, CAMPAIGN) is VisitEventKind.NOBODY_HOME_AT_LIMIT


def test_visit_records_check_their_fields() -> None:
    seen = {"id": "a", "campaign_id": "K", "household": "H", "team": "T", "at": T0}
    reached = VisitOutcome.REACHED
    _refused(
        lambda: VisitAttempt(**seen, outcome=reached, resident_ids=5),
        "bad_residents",
        "resident_ids",
    )  # type: ignore[arg-type]
    _refused(
        lambda: VisitAttempt(**seen, outcome=reached, resident_ids=(DEEP,)),  # type: ignore[arg-type]
        "not_string",
        "resident_ids.0",
    )
    _refused(lambda: HouseholdVisit(DEEP, "K"), "not_string", "household")  # type: ignore[arg-type]
    _refused(lambda: HouseholdVisit("H", "K", "reached"), "bad_enum", "state")  # type: ignore[arg-type]
    _refused(lambda: HouseholdVisit("H", "K", attempts=-1), "negative", "attempts")
    _refused(lambda: HouseholdVisit("H", "K", person_visits=DEEP), "not_integer", "person_visits")  # type: ignore[arg-type]
    _refused(
        lambda: HouseholdVisit("H", "K", first_attempt_at=NAIVE),
        "naive_datetime",
        "first_attempt_at",
    )
    _refused(lambda: HouseholdVisit("H", "K", event_ids=[1]), "bad_record", "event_ids")  # type: ignore[arg-type]
    _refused(lambda: HouseholdReplay(5, (), ()), "bad_record", "record")  # type: ignore[arg-type]
    _refused(lambda: HouseholdReplay(None, [ATTEMPT], ()), "wrong_type", "applied")  # type: ignore[arg-type]
    _refused(lambda: VisitReplay({}, (), (), (), None), "bad_campaign", "campaign")  # type: ignore[arg-type]
    _refused(lambda: VisitReplay(5, (), (), (), CAMPAIGN), "wrong_type", "records")  # type: ignore[arg-type]
    _refused(lambda: replay_visits([], CAMPAIGN).state_of(DEEP), "not_string", "household")  # type: ignore[arg-type]


def test_findings_check_their_fields() -> None:
    masks = PremisesCheck.MASKS
    assert PremisesInspection("p", passed=[masks]).passed == frozenset({masks})  # type: ignore[arg-type]
    _refused(lambda: PremisesInspection("p", passed=5), "bad_enum", "passed")  # type: ignore[arg-type]
    _refused(lambda: PremisesInspection("p", failed=["masks"]), "bad_enum", "failed")  # type: ignore[arg-type]
    _refused(
        lambda: PremisesInspection("p", failed=[masks], rectification_demanded="yes"),
        "bad_flag",
        "rectification_demanded",
    )  # type: ignore[arg-type]
    err = _refused(lambda: Hazard(DEEP, Severity.LOW), "bad_enum", "kind")  # type: ignore[arg-type]
    assert "list" not in err.message
    assert Hazard(HazardKind.GAS, Severity.LOW).kind is HazardKind.GAS


@given(
    st.sets(st.sampled_from(PremisesCheck)),
    st.sets(st.sampled_from(PremisesCheck)),
    st.sampled_from([list, tuple, set, frozenset]),
)
def test_any_collection_of_checks_is_kept_as_a_frozenset(
    passed: set[PremisesCheck], failed: set[PremisesCheck], kind: type
) -> None:
    failed -= passed
    p = PremisesInspection("p", passed=kind(passed), failed=kind(failed))
    assert (p.passed, p.failed) == (frozenset(passed), frozenset(failed))
    assert p.compliant is (not failed)


def test_progress_values_and_arguments_are_checked() -> None:
    _refused(lambda: NodeProgress(households=-1), "negative", "households")
    _refused(lambda: NodeProgress(services=DEEP), "not_integer", "services")  # type: ignore[arg-type]
    _refused(lambda: NodeProgress.of_households(5, []), "bad_state", "states")  # type: ignore[arg-type]
    _refused(lambda: NodeProgress.of_households({}, 5), "not_list", "records")  # type: ignore[arg-type]
    _refused(lambda: NodeProgress(households=2).shortfall("most"), "bad_target", "target_coverage")  # type: ignore[arg-type]
    _refused(lambda: MopUpItem("H", None, "revisit_due", 1), "bad_enum", "state")  # type: ignore[arg-type]
    _refused(
        lambda: MopUpItem("H", "G", HouseholdVisitState.REVISIT_DUE, "1"), "not_integer", "attempts"
    )  # type: ignore[arg-type]
    _refused(lambda: MopUp("G", 1, [DEEP]), "not_list", "households")  # type: ignore[arg-type]
    _refused(lambda: WorkloadRow("T", date(1, 1, 1), 1, 1, 1), "out_of_range", "day")
    _refused(lambda: WorkloadRow(DEEP, date(2022, 3, 20), 1, 1, 1), "not_string", "actor")  # type: ignore[arg-type]
    _refused(lambda: workload(5), "not_list", "attempts")  # type: ignore[arg-type]
    _refused(lambda: ProgressReport(5, CAMPAIGN, {}, T0, {}), "bad_hierarchy", "hierarchy")  # type: ignore[arg-type]
    _refused(lambda: ProgressReport(CITY, CAMPAIGN, {}, NAIVE, {}), "naive_datetime", "as_of")
    _refused(lambda: REPORT.behind(NodeKind.GRID, "3"), "not_integer", "n")  # type: ignore[arg-type]
    _refused(lambda: REPORT.state_of(DEEP), "not_string", "household")  # type: ignore[arg-type]
    _refused(lambda: progress(CITY, CAMPAIGN, 5, T0), "not_list", "states_or_attempts")  # type: ignore[arg-type]
    _refused(lambda: progress(CITY, CAMPAIGN, [], T0, progress=5), "not_callable", "progress")  # type: ignore[arg-type]
    assert workload([ATTEMPT], by=ActorKind.TEAM)[0].attempts == 1


def test_the_planner_refuses_sizes_it_cannot_run() -> None:
    homes = {"G": ["H1", "H2"]}
    start = date(2022, 3, 20)
    _refused(
        lambda: simulate_campaign(homes, MODEL, scope="G", start=date(1, 1, 1)),
        "out_of_range",
        "start",
    )
    _refused(lambda: simulate_campaign(homes, MODEL, scope="G", start=T0), "not_date", "start")  # type: ignore[arg-type]
    _refused(
        lambda: simulate_campaign(homes, MODEL, scope="G", start=start, runs=2**63),
        "bad_number",
        "runs",
    )
    _refused(
        lambda: simulate_campaign(homes, MODEL, scope="G", start=start, max_days=10**6),
        "bad_number",
        "max_days",
    )
    _refused(
        lambda: simulate_campaign(homes, MODEL, scope="G", start=start, progress=3),
        "not_callable",
        "progress",
    )  # type: ignore[arg-type]
    _refused(
        lambda: simulate_campaign(homes, MODEL, scope="G", start=start, keep_log=None),
        "bad_flag",
        "keep_log",
    )  # type: ignore[arg-type]
    _refused(lambda: simulated_campaign_day(CITY, teams=2**63), "bad_teams", "teams")
    _refused(lambda: simulated_campaign_day(CITY, day=10**9), "bad_day", "day")
    _refused(lambda: CampaignModel(teams=10**6, visits_per_team_hour=9), "bad_teams", "teams")
    _refused(lambda: allocate_teams({"G": 1}, 2**63), "bad_teams", "teams")
    _refused(lambda: plan_campaign({"G": 10**12}, MODEL), "bad_count", "households_per_grid.G")
    _refused(
        lambda: plan_campaign({"G": 1}, MODEL, bottleneck_count="x"),
        "not_integer",
        "bottleneck_count",
    )  # type: ignore[arg-type]
    _refused(
        lambda: plan_campaign({"G": 1}, MODEL, finish_within_days=math.inf),
        "bad_days",
        "finish_within_days",
    )
    _refused(lambda: MODEL.expected_attempts("10"), "not_integer", "households")  # type: ignore[arg-type]


def test_planner_results_check_their_fields() -> None:
    run = SimulationRun(1.0, 2, 2, 0, 0, 2, (Rate(2, 2),))
    _refused(lambda: CampaignSimulation(MODEL, CAMPAIGN, (), ()), "bad_number", "runs")
    _refused(lambda: CampaignSimulation(MODEL, CAMPAIGN, (run,), [DEEP]), "not_list", "attempts")  # type: ignore[arg-type]
    _refused(lambda: CampaignSimulation(None, CAMPAIGN, (run,), ()), "bad_model", "model")  # type: ignore[arg-type]
    _refused(lambda: SimulationRun(None, 2, 2, 0, 0, 2, [DEEP]), "not_list", "coverage_by_day")  # type: ignore[arg-type]
    _refused(lambda: SimulationRun(math.nan, 2, 2, 0, 0, 2, ()), "bad_days", "days_to_target")
    _refused(lambda: Crew([DEEP], 1, 1), "bad_grid", "grids")  # type: ignore[arg-type]
    _refused(lambda: Crew(("G",), 0, 1), "bad_teams", "teams")
    _refused(lambda: GridPlan("G", 1, 1, -1.0), "bad_days", "expected_days")
    _refused(lambda: CampaignPlan(MODEL, (), (), None, [DEEP]), "not_list", "bottlenecks")  # type: ignore[arg-type]
    _refused(lambda: CampaignDay(NAIVE, {}, (), ()), "naive_datetime", "as_of")
    _refused(lambda: CampaignDay(T0, {}, (DEEP,), ()), "wrong_type", "districts.0")  # type: ignore[arg-type]


def test_redacted_records_check_their_fields() -> None:
    masked = {
        "id": "R1",
        "household_id": "H1",
        "name": "刘*娟",
        "id_kind": IdKind.CITIZEN_ID,
        "document": "110105********002X",
        "phone": None,
        "care_needs": frozenset(),
    }
    _refused(lambda: RedactedResident(**{**masked, "name": DEEP}), "not_string", "name")
    _refused(lambda: RedactedResident(**{**masked, "id_kind": "citizen_id"}), "bad_enum", "id_kind")
    _refused(
        lambda: RedactedResident(**{**masked, "care_needs": [DEEP]}), "bad_care_need", "care_needs"
    )
    _refused(
        lambda: RedactedWorker(id="W", role="volunteer", name="周*国", phone=None),
        "bad_role",
        "role",
    )  # type: ignore[arg-type]
    _refused(
        lambda: RedactedWorker(id="W", role=WorkerRole.VOLUNTEER, name="周*国", phone=5),
        "not_string",
        "phone",
    )  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- the sweep

GARBAGE: list[Any] = [
    None,
    True,
    -1,
    2**63,
    10**100,
    math.nan,
    math.inf,
    Decimal("NaN"),
    "",
    "\ud800",
    "\x00\x1b[31m\u200b",
    "x" * 100_000,
    b"\xff\x00",
    DEEP,
    [None],
    {"a": 1},
    NAIVE,
    datetime(9999, 12, 31, 23, tzinfo=UTC),
    date(1, 1, 1),
    time(1),
    timedelta.max,
    object(),
]

#: Each entry point with valid arguments; the sweep makes each argument garbage in turn.
CALLS: dict[str, tuple[Callable[..., object], dict[str, Any]]] = {
    "apply_visit_event": (
        apply_visit_event,
        {"record": None, "attempt": ATTEMPT, "campaign": CAMPAIGN},
    ),
    "visit_event_kind": (
        visit_event_kind,
        {"attempt": ATTEMPT, "attempts_before": 0, "campaign": CAMPAIGN},
    ),
    "revisit_due": (
        revisit_due,
        {
            "state": HouseholdVisitState.NOBODY_HOME,
            "last_attempt_at": T0,
            "appointment_for": None,
            "campaign": CAMPAIGN,
            "as_of": T0,
        },
    ),
    "HouseholdVisit.state_as_of": (RECORD.state_as_of, {"campaign": CAMPAIGN, "as_of": T0}),
    "progress": (
        progress,
        {"hierarchy": CITY, "campaign": CAMPAIGN, "states_or_attempts": [ATTEMPT], "as_of": T0},
    ),
    "ProgressReport.node": (REPORT.node, {"node_id": "G"}),
    "ProgressReport.behind": (REPORT.behind, {"kind": NodeKind.GRID, "n": 3}),
    "ProgressReport.state_of": (REPORT.state_of, {"household": "H1"}),
    "mop_up": (mop_up, {"report": REPORT, "node_id": None}),
    "workload": (workload, {"attempts": [ATTEMPT], "by": ActorKind.WORKER, "zone_name": None}),
    "NodeProgress.shortfall": (NodeProgress(households=3).shortfall, {"target": 0.5}),
    "NodeProgress.of_households": (NodeProgress.of_households, {"states": {}, "records": []}),
    "plan_campaign": (
        plan_campaign,
        {"households_per_grid": {"G": 2}, "model": MODEL, "finish_within_days": None},
    ),
    "allocate_teams": (allocate_teams, {"households_per_grid": {"G": 2}, "teams": 1}),
    "simulate_campaign": (
        simulate_campaign,
        {
            "households": {"G": ["H1"]},
            "model": MODEL,
            "scope": "G",
            "start": date(2022, 3, 20),
            "runs": 1,
            "seed": 0,
            "max_days": 2,
            "progress": None,
        },
    ),
    "simulated_campaign_day": (
        simulated_campaign_day,
        {"hierarchy": CITY, "day": 1, "teams": 1, "seed": 0, "start": date(2022, 3, 20)},
    ),
    "apply_case_event": (apply_case_event, {"case": None, "event": RAISE}),
    "same_case": (same_case, {"case": CASE, "event": RAISE}),
    "department_awaited": (department_awaited, {"case": CASE, "event": RAISE}),
    "overdue_cases": (overdue_cases, {"cases": [CASE], "as_of": T0}),
    "overdue_check_ins": (
        overdue_check_ins,
        {"cases": [CASE], "as_of": T0, "deadlines": DEFAULT_CASE_DEADLINES},
    ),
    "pool_has_room": (pool_has_room, {"size": 1, "kind": TubeKind.POOLED, "screening": ROUND}),
    "single_tube_respected": (single_tube_respected, {"due": DUE, "event": SWAB}),
    "tube_accepted": (tube_accepted, {"tubes": {}, "event": SWAB}),
    "retest_matches": (retest_matches, {"record": SAMPLED, "event": SWAB}),
    "retest_due": (retest_due, {"record": SAMPLED, "tubes": {}, "at": T0}),
    "resident_state_as_of": (resident_state_as_of, {"record": SAMPLED, "tubes": {}, "at": T0}),
    "Machine.next": (HOUSEHOLD_VISIT_MACHINE.next, {"state": None, "kind": VisitEventKind.REACH}),
    "Machine.is_legal": (
        HOUSEHOLD_VISIT_MACHINE.is_legal,
        {"state": None, "kind": VisitEventKind.REACH},
    ),
    "replay_order": (replay_order, {"event": ATTEMPT}),
    "safe_text": (safe_text, {"text": "x", "limit": 10}),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_only_gridcare_errors_come_out(name: str) -> None:
    call, valid = CALLS[name]
    call(**valid)  # the valid arguments are valid
    for argument in valid:
        for garbage in GARBAGE:
            try:
                result = call(**{**valid, argument: garbage})
            except GridcareError as err:
                str(err).encode("utf-8")
            else:
                repr(result)
