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
from gridcare.errors import InvalidInput
from gridcare.machine import NEW
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


def _check_ids(values: Sequence[str], field: str) -> tuple[str, ...]:
    if isinstance(values, str) or not values or not all(isinstance(v, str) and v for v in values):
        raise InvalidInput("bad_argument", field, "a non-empty sequence of ids", value=values)
    return tuple(values)


@st.composite
def campaigns(draw: st.DrawFn, scope: str = "D", campaign_id: str = "K1") -> Campaign:
    """Campaigns over ``scope``: start in March 2022 (UTC+8), 1-10 days, limit 1-4.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(campaigns())
    ... def check(c):
    ...     assert isinstance(c, Campaign)
    >>> check()
    """
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


@st.composite
def visit_attempts(
    draw: st.DrawFn,
    campaign: Campaign,
    households: Sequence[str] = ("H1", "H2", "H3"),
    attempt_id: str | None = None,
) -> VisitAttempt:
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
    houses = _check_ids(households, "households")
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


@st.composite
def attempt_logs(
    draw: st.DrawFn,
    campaign: Campaign,
    households: Sequence[str] = ("H1", "H2", "H3"),
    max_size: int = 30,
) -> list[VisitAttempt]:
    """Logs of attempts with distinct ids (legal or not for the machine).

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
    if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 0:
        raise InvalidInput("bad_argument", "max_size", "a whole number >= 0", value=max_size)
    n = draw(st.integers(0, max_size))
    return [draw(visit_attempts(campaign, households, attempt_id=f"a{i:04d}")) for i in range(n)]


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


@st.composite
def whistle_case_events(
    draw: st.DrawFn,
    case_ids: Sequence[str] = ("C1", "C2"),
    max_events: int = 12,
) -> list[CaseEvent]:
    """Event logs of whistle cases: mostly legal walks of the machine plus stray events.

    Instants strictly increase along each case's walk; ids are distinct.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(whistle_case_events())
    ... def check(events):
    ...     assert len({e.id for e in events}) == len(events)
    >>> check()
    """
    cases = _check_ids(case_ids, "case_ids")
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
            ev = CaseEvent(
                id=f"{case}-e{len(out):04d}",
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
