"""Hypothesis strategies for campaigns, visit attempts and whistle-case events.

Always sound: every value they draw passes its constructor's checks. Attempt
logs are *not* required to be legal for the household visit machine (a
replay must reject, never drop, what the table refuses); whistle-case event
logs follow the machine mostly, with some stray events mixed in.

>>> from hypothesis import given
>>> @given(campaigns())
... def check(c):
...     assert c.start < c.end
>>> check()
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from hypothesis import strategies as st

from gridcare.cases import (
    WHISTLE_CASE_MACHINE,
    CaseEvent,
    CaseEventKind,
    CaseState,
    CaseTopic,
    CaseUrgency,
)
from gridcare.errors import require_instance
from gridcare.machine import NEW
from gridcare.testing._arguments import require_size, require_some
from gridcare.testing.strategies import checked
from gridcare.text import TEXT_LIMITS, check_text_of
from gridcare.visits.campaign import Campaign
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
from gridcare.visits.lifecycle import VisitAttempt, VisitChannel, VisitOutcome

__all__ = ["attempt_logs", "campaigns", "visit_attempts", "whistle_case_events"]

_EPOCH = datetime(2022, 3, 1, tzinfo=timezone(timedelta(hours=8)))


def _check_ids(values: object, field: str) -> tuple[str, ...]:
    """At least one id, each with the text rules of an id (item ``i`` named ``<field>.<i>``)."""
    return require_some(values, str, field, check_text_of)


@checked
def campaigns(scope: str = "D", campaign_id: str = "K1") -> st.SearchStrategy[Campaign]:
    """Campaigns over ``scope``: start in March 2022 (UTC+8), 1-10 days, limit 1-4.

    ``scope`` (a node's id) and ``campaign_id`` keep the text rules of an id
    (:func:`gridcare.text.kind_problem`, with their codes).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(campaigns())
    ... def check(c):
    ...     assert isinstance(c, Campaign)
    >>> check()
    """
    return _campaigns(check_text_of(scope, "scope"), check_text_of(campaign_id, "campaign_id"))


@st.composite
def _campaigns(draw: st.DrawFn, scope: str, campaign_id: str) -> Campaign:
    start = _EPOCH + timedelta(hours=draw(st.integers(0, 24 * 20)))
    days = draw(st.integers(1, 10))
    return Campaign(
        id=campaign_id,
        scope=scope,
        round=draw(st.integers(1, 3)),
        start=start,
        end=start + timedelta(days=days),
        target_coverage=draw(st.sampled_from(["0.8", "0.9", "0.95", "1"])),
        revisit_interval=timedelta(hours=draw(st.integers(0, 24))),
        attempt_limit=draw(st.integers(1, 4)),
    )


def _findings() -> st.SearchStrategy[Findings | None]:
    return st.one_of(
        st.none(),
        st.builds(
            Findings,
            hazards=st.lists(
                st.builds(Hazard, st.sampled_from(HazardKind), st.sampled_from(Severity)),
                max_size=2,
            ).map(tuple),
            disputes=st.lists(
                st.builds(Dispute, st.sampled_from(DisputeResolution)), max_size=1
            ).map(tuple),
            services=st.lists(
                st.builds(Service, st.sampled_from(ServiceKind), st.integers(1, 3)), max_size=2
            ).map(tuple),
        ),
    )


@checked
def visit_attempts(
    campaign: Campaign,
    households: Sequence[str] = ("H1", "H2", "H3"),
    attempt_id: str | None = None,
) -> st.SearchStrategy[VisitAttempt]:
    """One valid attempt of ``campaign`` on one of ``households``, inside its window.

    >>> from datetime import datetime, timezone
    >>> t0 = datetime(2022, 3, 20, tzinfo=timezone.utc)
    >>> c = Campaign(id="K", scope="D", round=1, start=t0, end=t0 + timedelta(days=1))
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(visit_attempts(c))
    ... def check(a):
    ...     assert a.campaign_id == "K" and c.start <= a.at < c.end
    >>> check()
    """
    require_instance(campaign, Campaign, "campaign")
    houses = _check_ids(households, "households")
    if attempt_id is not None:
        attempt_id = check_text_of(attempt_id, "attempt_id")
    return _visit_attempts(campaign, houses, attempt_id)


@st.composite
def _visit_attempts(
    draw: st.DrawFn, campaign: Campaign, houses: tuple[str, ...], attempt_id: str | None
) -> VisitAttempt:
    seconds = int((campaign.end - campaign.start).total_seconds())
    at = campaign.start + timedelta(seconds=draw(st.integers(0, max(0, seconds - 1))))
    outcome = draw(st.sampled_from(VisitOutcome))
    if outcome is VisitOutcome.REACHED:
        channel = draw(st.sampled_from(VisitChannel))
    else:
        channel = draw(
            st.sampled_from([c for c in VisitChannel if c is not VisitChannel.DOOR_CODE_SCAN])
        )
    persons = (
        draw(st.integers(1, 6)) if outcome in (VisitOutcome.REACHED, VisitOutcome.REFUSED) else 0
    )
    return VisitAttempt(
        id=attempt_id or f"a{draw(st.integers(0, 10**9))}",
        campaign_id=campaign.id,
        household=draw(st.sampled_from(houses)),
        at=at,
        outcome=outcome,
        channel=channel,
        team=draw(st.sampled_from(["T1", "T2"])),
        worker=draw(st.sampled_from([None, "W1", "W2"])),
        persons_seen=persons,
        reason="不在家属拒绝" if outcome is VisitOutcome.REFUSED else "",
        appointment_for=at + timedelta(hours=draw(st.integers(1, 48)))
        if outcome is VisitOutcome.APPOINTMENT
        else None,
        findings=draw(_findings()) if draw(st.integers(0, 7)) == 0 else None,
    )


@checked
def attempt_logs(
    campaign: Campaign,
    households: Sequence[str] = ("H1", "H2", "H3"),
    max_size: int = 30,
) -> st.SearchStrategy[list[VisitAttempt]]:
    """Logs of up to ``max_size`` (at most 1,000) attempts with distinct ids (legal or not for
    the machine).

    >>> from datetime import datetime, timezone
    >>> t0 = datetime(2022, 3, 20, tzinfo=timezone.utc)
    >>> c = Campaign(id="K", scope="D", round=1, start=t0, end=t0 + timedelta(days=1))
    >>> from hypothesis import given, settings
    >>> from hypothesis import HealthCheck
    >>> @settings(max_examples=5, suppress_health_check=[HealthCheck.too_slow])
    ... @given(attempt_logs(c))
    ... def check(log):
    ...     assert len({a.id for a in log}) == len(log)
    >>> check()
    """
    require_instance(campaign, Campaign, "campaign")
    return _attempt_logs(
        campaign, _check_ids(households, "households"), require_size(max_size, "max_size")
    )


@st.composite
def _attempt_logs(
    draw: st.DrawFn, campaign: Campaign, houses: tuple[str, ...], max_size: int
) -> list[VisitAttempt]:
    n = draw(st.integers(0, max_size))
    return [draw(_visit_attempts(campaign, houses, f"a{i:04d}")) for i in range(n)]


def _payload(draw: st.DrawFn, event: CaseEventKind, pending: Sequence[str]) -> dict[str, object]:
    if event is CaseEventKind.RAISE:
        return {
            "grid": draw(st.sampled_from(["G1", "G2"])),
            "topic": draw(st.sampled_from(CaseTopic)),
            "urgency": draw(st.sampled_from(CaseUrgency)),
        }
    if event is CaseEventKind.DISPATCH:
        deps = draw(
            st.lists(
                st.sampled_from(["fire", "police", "health", "housing"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
        return {"departments": tuple(deps)}
    if event is CaseEventKind.CHECK_IN:
        options = list(pending) or ["fire"]
        return {"department": draw(st.sampled_from(options))}
    if event in (CaseEventKind.REJECT, CaseEventKind.REOPEN):
        return {"note": "复核未通过"}
    return {}


@checked
def whistle_case_events(
    case_ids: Sequence[str] = ("C1", "C2"),
    max_events: int = 12,
) -> st.SearchStrategy[list[CaseEvent]]:
    """Event logs of whistle cases: mostly legal walks of the machine plus stray events.

    Each case gets up to ``max_events`` (at most 1,000) events.
    Instants strictly increase along each case's walk; ids are distinct.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(whistle_case_events())
    ... def check(events):
    ...     assert len({e.id for e in events}) == len(events)
    >>> check()
    """
    return _whistle_case_events(
        _check_ids(case_ids, "case_ids"), require_size(max_events, "max_events")
    )


@st.composite
def _whistle_case_events(
    draw: st.DrawFn, cases: tuple[str, ...], max_events: int
) -> list[CaseEvent]:
    out: list[CaseEvent] = []
    for case in cases:
        state: CaseState | None = NEW
        pending: list[str] = []
        at = _EPOCH + timedelta(minutes=draw(st.integers(0, 600)))
        for _ in range(draw(st.integers(0, max_events))):
            legal = sorted({e for (s, e), _t in _legal_items() if s is state and e in _SENT})
            stray = draw(st.integers(0, 9)) == 0
            if legal and not stray:
                event = draw(st.sampled_from(legal))
            else:
                event = draw(st.sampled_from(_SENT))
            at = at + timedelta(minutes=draw(st.integers(1, 600)))
            event_id = f"{case}-e{len(out):04d}"
            if len(event_id) > TEXT_LIMITS["id"]:  # a long case id: the count alone is unique
                event_id = f"e{len(out):04d}"
            ev = CaseEvent(
                id=event_id,
                at=at,
                case_id=case,
                kind=event,
                **_payload(draw, event, pending),  # type: ignore[arg-type]
            )
            out.append(ev)
            # Track the walk (only when legal) to keep later events meaningful.
            if (state, event) in dict(_legal_items()) or event is CaseEventKind.CHECK_IN:
                if event is CaseEventKind.DISPATCH:
                    pending = sorted(set(pending) | set(ev.departments))
                    state = CaseState.DISPATCHED
                elif event is CaseEventKind.CHECK_IN and state is CaseState.DISPATCHED:
                    if ev.department in pending:
                        pending.remove(str(ev.department))
                        if not pending:
                            state = CaseState.CHECKED_IN
                elif (state, event) in dict(_legal_items()):
                    state = dict(_legal_items())[(state, event)]
    return out


#: The kinds an event carries (``CHECK_IN_LAST`` is the table's own, never sent).
_SENT = [kind for kind in CaseEventKind if kind is not CaseEventKind.CHECK_IN_LAST]


def _legal_items() -> list[tuple[tuple[CaseState | None, CaseEventKind], CaseState]]:
    return [((s, e), t) for s, e, t in WHISTLE_CASE_MACHINE.transitions()]
