"""The text rules of a kind kept by the door-knocking campaign's values and the whistle cases.

Each text field answers exactly as :func:`gridcare.text.kind_problem` does for its kind
(the same refusals, the same code, the same field): the ids of an attempt, of a household's
record, of the mop-up list, the workload and the planner are ids, a refusal reason and a
case's note are notes, a department's name is a place's. No refusal quotes a terminal escape.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gridcare.cases import (
    CaseEvent,
    CaseEventKind,
    CaseTopic,
    CaseUrgency,
    OverdueCase,
    OverdueCheckIn,
    WhistleCase,
)
from gridcare.errors import InvalidInput
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.text import TEXT_LIMITS, kind_problem
from gridcare.visits import Campaign, CampaignModel, VisitAttempt, VisitOutcome
from gridcare.visits.lifecycle import HouseholdVisit, replay_household, replay_visits
from gridcare.visits.planning import Crew, GridPlan, allocate_teams, simulate_campaign
from gridcare.visits.progress import MopUp, MopUpItem, WorkloadRow, progress
from helpers import text_cases

# The texts of the text rules' properties, with the limits of the kinds met here.
_AT_LIMITS = st.sampled_from(
    [c * n for c in "x刘" for n in (55, 56, 64, 65, 200, 201, 1000, 1001)]
    + ["a\nb", "第一行\r\n第二行", "  ", ""]
)
TEXTS = text_cases(_AT_LIMITS)
VALUES = st.one_of(TEXTS, st.sampled_from([5, b"G1", 1.5]))

T0 = datetime(2022, 3, 20, 7, tzinfo=UTC)
ESCAPE = "G\x1b[2J1"
REACHED = VisitOutcome.REACHED
CAMPAIGN = Campaign(id="K", scope="D", round=1, start=T0, end=T0 + timedelta(days=8))
CITY = Hierarchy(
    [
        Node("D", NodeKind.DISTRICT, "d"),
        Node("G", NodeKind.GRID, "g", "D"),
        Node("H1", NodeKind.HOUSEHOLD, "1", "G"),
    ]
)
REPORT = progress(CITY, CAMPAIGN, [], T0 + timedelta(days=1))
NOBODY = HouseholdVisit("H1", "K").state


def _refused(
    build: Callable[..., object], *args: object, **named: object
) -> tuple[str, str] | None:
    """The code and field of the ``InvalidInput`` ``build(*args, **named)`` raises; ``None`` if
    it builds."""
    try:
        build(*args, **named)
    except InvalidInput as exc:
        return exc.code, exc.field
    return None


def _rule(
    text: object, field: str, kind: str = "id", *, allow_empty: bool = False
) -> tuple[str, str] | None:
    problem = kind_problem(text, field, kind, allow_empty=allow_empty)
    return None if problem is None else (problem.code, problem.field)


def _attempt(**changed: object) -> VisitAttempt:
    fields: dict[str, object] = {
        "id": "a1", "campaign_id": "K", "household": "H1", "team": "T1", "at": T0,
        "outcome": REACHED,
    }  # fmt: skip
    fields.update(changed)
    return VisitAttempt(**fields)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- visits


@given(VALUES)
def test_an_attempt_keeps_the_rules_of_its_ids_and_of_a_note(text: object) -> None:
    for field in ("id", "campaign_id", "household", "worker", "team"):
        assert _refused(_attempt, **{field: text}) == _rule(text, field)
    assert _refused(lambda: _attempt(resident_ids=("R1", text))) == _rule(text, "resident_ids.1")
    assert _refused(lambda: _attempt(reason=text)) == _rule(
        text, "reason", "note", allow_empty=True
    )
    refused = VisitOutcome.REFUSED
    assert _refused(lambda: _attempt(outcome=refused, reason=text)) == _rule(text, "reason", "note")


@given(VALUES)
def test_a_household_record_keeps_the_rules_of_its_ids_and_of_a_note(text: object) -> None:
    for field in ("household", "campaign_id", "last_attempt_id"):
        changed = {"household": "H1", "campaign_id": "K", field: text}
        assert _refused(HouseholdVisit, **changed) == _rule(text, field)
    assert _refused(lambda: HouseholdVisit("H1", "K", event_ids=("a1", text))) == _rule(  # type: ignore[arg-type]
        text, "event_ids.1"
    )
    assert _refused(lambda: HouseholdVisit("H1", "K", refusal_reason=text)) == _rule(  # type: ignore[arg-type]
        text, "refusal_reason", "note", allow_empty=True
    )


@given(VALUES)
def test_the_replays_and_the_report_ask_for_a_household_by_its_id(text: object) -> None:
    expected = _rule(text, "household")
    assert _refused(lambda: replay_household(text, [], CAMPAIGN)) == expected  # type: ignore[arg-type]
    assert _refused(lambda: replay_visits([], CAMPAIGN).state_of(text)) == expected  # type: ignore[arg-type]
    assert _refused(lambda: REPORT.state_of(text)) == expected  # type: ignore[arg-type]


@given(VALUES)
def test_the_mop_up_list_and_the_workload_keep_the_rules_of_an_id(text: object) -> None:
    assert _refused(lambda: MopUpItem(text, "G", NOBODY, 1)) == _rule(text, "household")  # type: ignore[arg-type]
    assert _refused(lambda: MopUpItem("H1", text, NOBODY, 1)) == _rule(text, "grid")  # type: ignore[arg-type]
    assert _refused(lambda: MopUp(text, 0, ())) == _rule(text, "node")  # type: ignore[arg-type]
    day = date(2022, 3, 20)
    assert _refused(lambda: WorkloadRow(text, day, 1, 1, 1)) == _rule(text, "actor")  # type: ignore[arg-type]


@given(VALUES)
def test_the_planner_keeps_the_rules_of_a_grid_id(text: object) -> None:
    assert _refused(lambda: GridPlan(text, 1, 1, 1.0)) == _rule(text, "grid")  # type: ignore[arg-type]
    assert _refused(lambda: Crew(("G1", text), 1, 2)) == _rule(text, "grids.1")  # type: ignore[arg-type]
    assume(text != "G1")
    assert _refused(lambda: allocate_teams({"G1": 1, text: 2}, 1)) == _rule(  # type: ignore[dict-item]
        text, "households_per_grid"
    )


MODEL = CampaignModel(teams=1, visits_per_team_hour=10, nobody_home=0.0)


def _simulate(households: dict[object, list[object]], **named: object) -> object:
    return simulate_campaign(
        households,  # type: ignore[arg-type]
        MODEL,
        scope=named.pop("scope", "D"),  # type: ignore[arg-type]
        start=date(2022, 3, 20),
        runs=1,
        max_days=1,
        **named,  # type: ignore[arg-type]
    )


@settings(max_examples=50)
@given(VALUES)
def test_a_simulation_keeps_the_rules_of_its_ids(text: object) -> None:
    assert _refused(lambda: _simulate({"G1": ["H1", text]})) == _rule(text, "households.G1")
    assume(text != "G1")
    assert _refused(lambda: _simulate({"G1": ["H1"], text: ["H2"]})) == _rule(text, "households")
    assert _refused(lambda: _simulate({"G1": ["H1"]}, scope=text)) == _rule(text, "scope")
    expected = _rule(text, "campaign_id")
    room = TEXT_LIMITS["id"] - len("-00000000")
    if expected is None and isinstance(text, str) and len(text) > room:
        expected = ("too_long", "campaign_id")  # the attempts' ids take the campaign's id
    assert _refused(lambda: _simulate({"G1": ["H1"]}, campaign_id=text)) == expected


def test_a_simulated_campaigns_id_leaves_room_for_its_attempts_ids() -> None:
    room = TEXT_LIMITS["id"] - len("-00000000")
    sim = _simulate({"G1": ["H1"]}, campaign_id="K" * room)
    assert {len(a.id) for a in sim.attempts} == {TEXT_LIMITS["id"]}  # type: ignore[attr-defined]
    with pytest.raises(InvalidInput) as info:
        _simulate({"G1": ["H1"]}, campaign_id="K" * (room + 1))
    assert (info.value.code, info.value.field) == ("too_long", "campaign_id")


# ----------------------------------------------------------------------------- cases


def _event(kind: CaseEventKind, **changed: object) -> CaseEvent:
    fields: dict[str, object] = {"id": "e1", "at": T0, "case_id": "C1", "kind": kind}
    if kind is CaseEventKind.RAISE:
        fields.update(grid="G1", topic=CaseTopic.HAZARD, urgency=CaseUrgency.DAILY)
    fields.update(changed)
    return CaseEvent(**fields)  # type: ignore[arg-type]


def _case(**changed: object) -> WhistleCase:
    fields: dict[str, object] = {
        "id": "C1", "grid": "G1", "topic": CaseTopic.HAZARD, "urgency": CaseUrgency.DAILY,
        "raised_at": T0,
    }  # fmt: skip
    fields.update(changed)
    return WhistleCase(**fields)  # type: ignore[arg-type]


@given(VALUES)
def test_a_case_event_keeps_the_rules_of_its_ids_departments_and_note(text: object) -> None:
    kinds = CaseEventKind
    for field in ("id", "case_id"):
        assert _refused(_event, kinds.ACCEPT, **{field: text}) == _rule(text, field)
    for kind in (kinds.RAISE, kinds.ACCEPT):
        assert _refused(_event, kind, grid=text) == _rule(text, "grid")
    assert _refused(lambda: _event(kinds.CHECK_IN, department=text)) == _rule(
        text, "department", "place"
    )
    assume(text != "消防")
    assert _refused(lambda: _event(kinds.DISPATCH, departments=("消防", text))) == _rule(
        text, "departments.1", "place"
    )
    assert _refused(lambda: _event(kinds.ACCEPT, note=text)) == _rule(
        text, "note", "note", allow_empty=True
    )
    for kind in (kinds.REJECT, kinds.REOPEN):  # a reason is needed
        assert _refused(_event, kind, note=text) == _rule(text, "note", "note")


@given(VALUES)
def test_a_whistle_case_keeps_the_rules_of_its_ids_departments_and_note(text: object) -> None:
    for field in ("id", "grid"):
        assert _refused(_case, **{field: text}) == _rule(text, field)
    assert _refused(lambda: _case(event_ids=("e1", text))) == _rule(text, "event_ids.1")
    for field in ("dispatched", "checked_in"):
        sent = (("消防", T0), (text, T0))
        assert _refused(_case, **{field: sent}) == _rule(text, f"{field}.1", "place")
    assert _refused(lambda: _case(note=text)) == _rule(text, "note", "note", allow_empty=True)


@given(VALUES)
def test_the_overdue_lists_keep_the_rules_of_a_case_id_and_a_department(text: object) -> None:
    assert _refused(lambda: OverdueCheckIn(text, "消防", T0)) == _rule(text, "case_id")  # type: ignore[arg-type]
    assert _refused(lambda: OverdueCheckIn("C1", text, T0)) == _rule(  # type: ignore[arg-type]
        text, "department", "place"
    )
    assert _refused(lambda: OverdueCase(text, "close", T0)) == _rule(text, "case_id")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- escapes

#: One build per class, the terminal escape in one of its text fields, and that field.
ESCAPED: list[tuple[str, Callable[[str], object], str]] = [
    ("VisitAttempt", lambda t: _attempt(household=t), "household"),
    ("VisitAttempt.reason", lambda t: _attempt(outcome=VisitOutcome.REFUSED, reason=t), "reason"),
    ("HouseholdVisit", lambda t: HouseholdVisit("H1", "K", refusal_reason=t), "refusal_reason"),
    ("replay_household", lambda t: replay_household(t, [], CAMPAIGN), "household"),
    ("VisitReplay.state_of", lambda t: replay_visits([], CAMPAIGN).state_of(t), "household"),
    ("ProgressReport.state_of", lambda t: REPORT.state_of(t), "household"),
    ("MopUpItem", lambda t: MopUpItem("H1", t, NOBODY, 1), "grid"),
    ("MopUp", lambda t: MopUp(t, 0, ()), "node"),
    ("WorkloadRow", lambda t: WorkloadRow(t, date(2022, 3, 20), 1, 1, 1), "actor"),
    ("GridPlan", lambda t: GridPlan(t, 1, 1, 1.0), "grid"),
    ("Crew", lambda t: Crew((t,), 1, 1), "grids.0"),
    ("allocate_teams", lambda t: allocate_teams({t: 1}, 1), "households_per_grid"),
    ("simulate_campaign", lambda t: _simulate({"G1": ["H1"]}, campaign_id=t), "campaign_id"),
    ("CaseEvent", lambda t: _event(CaseEventKind.REJECT, note=t), "note"),
    ("WhistleCase", lambda t: _case(grid=t), "grid"),
    ("OverdueCheckIn", lambda t: OverdueCheckIn("C1", t, T0), "department"),
    ("OverdueCase", lambda t: OverdueCase(t, "close", T0), "case_id"),
]


@pytest.mark.parametrize(("where", "build", "field"), ESCAPED, ids=[e[0] for e in ESCAPED])
def test_a_terminal_escape_is_refused_without_being_quoted(
    where: str, build: Callable[[str], object], field: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        build(ESCAPE + "430202193903070024")
    assert (info.value.code, info.value.field) == ("control_character", field)
    assert "\x1b" not in str(info.value)
    assert "4302021939" not in str(info.value)
    with pytest.raises(InvalidInput) as info:
        build("G\u202e1")
    assert (info.value.code, info.value.field) == ("bidi_control", field)
    assert "\u202e" not in str(info.value)
